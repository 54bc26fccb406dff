package notifier

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Sink is where notifications are shown or recorded. Deliver calls Send for
// one notification at a time and never while the state lock is held.
type Sink interface {
	// Name identifies the sink in Entry.Done and in error messages. It is
	// stable across runs and contains no secret.
	Name() string
	// PeopleFacing reports whether a person reads the sink directly. Such
	// sinks get digests and burst summaries; the others get one record per
	// event.
	PeopleFacing() bool
	// Send shows or records n.
	Send(ctx context.Context, n Notification) error
}

// Notification is what a sink shows: one outbox entry, or a digest or burst
// summary standing for several.
type Notification struct {
	// ID is the entry's id; a digest or summary gets an id of its own.
	ID string `json:"id"`
	// Kind is the entry's kind, or KindDigest or KindSummary.
	Kind      string    `json:"kind"`
	Change    string    `json:"change,omitempty"`
	Child     string    `json:"child,omitempty"`
	Title     string    `json:"title"`
	Body      string    `json:"body,omitempty"`
	URL       string    `json:"url,omitempty"`
	Urgent    bool      `json:"urgent,omitempty"`
	Created   time.Time `json:"created"`
	Delivered time.Time `json:"delivered"`
	// Entries are the ids of the outbox entries n stands for.
	Entries []string `json:"-"`
}

// Kinds of the notifications that stand for several entries.
const (
	KindDigest  = "digest"  // entries held by quiet hours or a pause
	KindSummary = "summary" // a burst: more than BurstLimit entries of one check
)

// ErrUnknownSink is returned by ParseSinks for a sink it does not know.
var ErrUnknownSink = errors.New("unknown sink")

// sinkHelp lists the sink forms for error messages.
const sinkHelp = "use desktop, stdout, jsonl:PATH or exec:COMMAND"

// DefaultSinks are the sinks used when none are configured.
func DefaultSinks() []string { return []string{"desktop"} }

// SinkOption adjusts the sinks ParseSinks builds.
type SinkOption func(*sinkConfig)

type sinkConfig struct {
	stdout io.Writer
	icon   string
	clicks *Clicks
}

// SinkStdout makes the stdout sink write to w instead of os.Stdout.
func SinkStdout(w io.Writer) SinkOption { return func(c *sinkConfig) { c.stdout = w } }

// SinkClicks makes the desktop sink's notifications open their page when
// clicked, through c (kept for the life of the process).
func SinkClicks(c *Clicks) SinkOption { return func(cfg *sinkConfig) { cfg.clicks = c } }

// SinkIcon gives the desktop sink the path of an icon file.
func SinkIcon(path string) SinkOption { return func(c *sinkConfig) { c.icon = path } }

// ParseSinks builds sinks from their spellings: "desktop", "stdout",
// "jsonl:PATH" and "exec:COMMAND". No specs means DefaultSinks. A sink given
// twice is an error, as it would show everything twice.
func ParseSinks(specs []string, opts ...SinkOption) ([]Sink, error) {
	cfg := sinkConfig{stdout: os.Stdout}
	for _, o := range opts {
		o(&cfg)
	}
	if len(specs) == 0 {
		specs = DefaultSinks()
	}
	var sinks []Sink
	seen := map[string]bool{}
	for _, spec := range specs {
		s, err := parseSink(strings.TrimSpace(spec), cfg)
		if err != nil {
			return nil, err
		}
		if seen[s.Name()] {
			return nil, fmt.Errorf("sink %q is given twice", spec)
		}
		seen[s.Name()] = true
		sinks = append(sinks, s)
	}
	return sinks, nil
}

// configuredSinkNames are the names of the sinks specs configure
// (DefaultSinks when empty).
func configuredSinkNames(specs []string) ([]string, error) {
	sinks, err := ParseSinks(specs, SinkStdout(io.Discard))
	if err != nil {
		return nil, err
	}
	names := make([]string, len(sinks))
	for i, s := range sinks {
		names[i] = s.Name()
	}
	return names, nil
}

func parseSink(spec string, cfg sinkConfig) (Sink, error) {
	kind, arg, hasArg := strings.Cut(spec, ":")
	switch strings.ToLower(kind) {
	case "desktop":
		if hasArg {
			break
		}
		d := NewDesktopSink(cfg.icon)
		d.Clicks = cfg.clicks
		return d, nil
	case "stdout":
		if hasArg {
			break
		}
		return NewStdoutSink(cfg.stdout), nil
	case "jsonl":
		if strings.TrimSpace(arg) == "" {
			return nil, fmt.Errorf("sink %q needs a file: jsonl:PATH", spec)
		}
		path, err := jsonlPath(arg)
		if err != nil {
			return nil, fmt.Errorf("sink %q: %w", spec, err)
		}
		return NewJSONLSink(path), nil
	case "exec":
		if strings.TrimSpace(arg) == "" {
			return nil, fmt.Errorf("sink %q needs a command: exec:COMMAND", spec)
		}
		return NewExecSink(arg), nil
	}
	return nil, fmt.Errorf("%w %q: %s", ErrUnknownSink, spec, sinkHelp)
}

// jsonlPath is the absolute path of a jsonl sink's file: "~/" is the home
// directory, and a relative path is taken from the working directory now.
func jsonlPath(arg string) (string, error) {
	arg = strings.TrimSpace(arg)
	if arg == "~" || strings.HasPrefix(arg, "~/") || strings.HasPrefix(arg, `~\`) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no home directory for %q: %w", arg, err)
		}
		arg = filepath.Join(home, arg[1:])
	}
	return filepath.Abs(arg)
}

// ResolveSinks checks sink specs before they are saved and writes them so
// that they mean the same wherever a later check runs: a jsonl file gets
// its absolute path ("~/" expanded), and its directory must exist.
func ResolveSinks(specs []string) ([]string, error) {
	if _, err := ParseSinks(specs, SinkStdout(io.Discard)); err != nil {
		return nil, err
	}
	out := make([]string, len(specs))
	for i, spec := range specs {
		spec = strings.TrimSpace(spec)
		kind, arg, _ := strings.Cut(spec, ":")
		if strings.ToLower(kind) != "jsonl" {
			out[i] = spec
			continue
		}
		path, err := jsonlPath(arg)
		if err != nil {
			return nil, fmt.Errorf("sink %q: %w", spec, err)
		}
		if fi, err := os.Stat(filepath.Dir(path)); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("sink %q: the directory %s does not exist", spec, filepath.Dir(path))
		}
		if fi, err := os.Stat(path); err == nil && fi.IsDir() {
			return nil, fmt.Errorf("sink %q: %s is a directory, not a file", spec, path)
		}
		out[i] = "jsonl:" + path
	}
	return out, nil
}

// SinkError is a failure of one sink. Deliver returns them joined.
type SinkError struct {
	Sink string
	Err  error
}

func (e *SinkError) Error() string { return e.Sink + ": " + e.Err.Error() }

// Unwrap returns the sink's own error.
func (e *SinkError) Unwrap() error { return e.Err }
