package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
)

// emit prints v as JSON with --json, otherwise calls human. Every command
// that prints facts goes through here, so both forms always say the same.
func (a *app) emit(v any, human func(p *printer)) error {
	if a.json {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	p := &printer{tw: tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0), lang: a.lang()}
	human(p)
	return p.tw.Flush()
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
