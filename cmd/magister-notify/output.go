package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
)

// emit prints v as JSON with --json, otherwise calls human. Every command
// that prints facts goes through here, so both forms always say the same.
// The output is written at once, not a write per cell.
func (a *app) emit(v any, human func(p *printer)) error {
	if a.json {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	out := bufio.NewWriter(a.stdout)
	p := &printer{tw: tabwriter.NewWriter(out, 0, 4, 2, ' ', 0), lang: a.lang()}
	human(p)
	if err := p.tw.Flush(); err != nil {
		return err
	}
	return out.Flush()
}

// printer writes aligned "label  value" lines for people, in lang.
type printer struct {
	tw   *tabwriter.Writer
	lang string
}

// say is en or nl, in the printer's language.
func (p *printer) say(en, nl string) string { return say(p.lang, en, nl) }

// Field prints one labelled line.
func (p *printer) Field(label, format string, args ...any) {
	fmt.Fprintf(p.tw, "%s\t%s\n", label, strings.TrimRight(fmt.Sprintf(format, args...), "\n"))
}

// Line prints a line as it is.
func (p *printer) Line(format string, args ...any) {
	fmt.Fprintf(p.tw, format+"\n", args...)
}
