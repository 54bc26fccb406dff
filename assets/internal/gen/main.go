// Command gen draws the status icons and writes them to the icons
// directory of package assets. It runs from `go generate ./assets`; the
// outputs are committed, so building needs no generator.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/magister-notify/magister-notify/assets/internal/icon"
)

func main() {
	out := flag.String("out", "icons", "output `directory`")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range icon.Files() {
		data, err := f.Encode()
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, f.Name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
