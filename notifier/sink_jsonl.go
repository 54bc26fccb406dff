package notifier

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
)

// JSONLSink appends one JSON object per notification to a file: id, kind,
// change, child, title, body, url, urgent, created and delivered. Each line
// is a single O_APPEND write followed by fsync, so processes appending at
// once never interleave and a line that was acknowledged is on disk.
type JSONLSink struct {
	path string
}

// NewJSONLSink returns a sink appending to path (created with mode 0600).
func NewJSONLSink(path string) *JSONLSink { return &JSONLSink{path: path} }

// Name implements Sink.
func (s *JSONLSink) Name() string { return "jsonl:" + s.path }

// PeopleFacing implements Sink.
func (*JSONLSink) PeopleFacing() bool { return false }

// Send implements Sink.
func (s *JSONLSink) Send(_ context.Context, n Notification) error {
	line, err := json.Marshal(n)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	line = append(line, '\n')
	f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err // *PathError names the file
	}
	if _, err := f.Write(line); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
