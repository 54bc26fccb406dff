package notifier

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// StdoutSink writes one readable line per notification.
type StdoutSink struct {
	w io.Writer
}

// NewStdoutSink returns a sink writing to w.
func NewStdoutSink(w io.Writer) *StdoutSink { return &StdoutSink{w: w} }

// Name implements Sink.
func (*StdoutSink) Name() string { return "stdout" }

// PeopleFacing implements Sink.
func (*StdoutSink) PeopleFacing() bool { return true }

// Send implements Sink: "! Title — body (URL)", the "!" only when urgent.
func (s *StdoutSink) Send(_ context.Context, n Notification) error {
	var b strings.Builder
	if n.Urgent {
		b.WriteString("! ")
	}
	b.WriteString(oneLine(n.Title))
	if body := oneLine(n.Body); body != "" {
		b.WriteString(" — ")
		b.WriteString(body)
	}
	if n.URL != "" {
		b.WriteString(" (" + n.URL + ")")
	}
	b.WriteByte('\n')
	if _, err := io.WriteString(s.w, b.String()); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// oneLine joins the lines of s with "; ".
func oneLine(s string) string {
	var parts []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, "; ")
}
