// Command magister-fake serves a fake Magister school on loopback for tests,
// demos and manual QA. It prints its base URL on the first line of stdout,
// then serves until SIGINT or SIGTERM.
//
//	magister-fake [--addr 127.0.0.1:0] [--seed-now 2026-01-14T10:00:00+01:00] [-v]
//
// The accounts endpoints (/connect/...), the API (/api/...) and the controls
// (/_fake/...) all live under that one base URL; see package magistertest.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/magister-notify/magister-notify/magister/magistertest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case err != nil:
		fmt.Fprintln(os.Stderr, "magister-fake:", err)
		os.Exit(2)
	}
}

// run serves the fake school until ctx ends. The first line on stdout is the
// base URL; everything else goes to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("magister-fake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "`address` to listen on; port 0 picks a free port")
	seedNow := fs.String("seed-now", "", "pretend it is this `time` (RFC 3339, or a date YYYY-MM-DD meaning 10:00 in Amsterdam); the clock runs on from there")
	verbose := fs.Bool("v", false, "log each request (method, path, status) to stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}

	var opts []magistertest.Option
	if *seedNow != "" {
		at, err := parseSeedNow(*seedNow)
		if err != nil {
			return err
		}
		start := time.Now()
		opts = append(opts, magistertest.WithClock(func() time.Time { return at.Add(time.Since(start)) }))
	}
	if *verbose {
		opts = append(opts, magistertest.WithLogger(slog.New(slog.NewTextHandler(stderr, nil))))
	}
	s, err := magistertest.Listen(*addr, opts...)
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintln(stdout, s.URL)
	fmt.Fprintf(stderr, "magister-fake: fake school at %s (logins %q, %q); token shortcut: POST %s/_fake/refresh-token; stop with Ctrl-C\n",
		s.URL, magistertest.ParentLogin, magistertest.StudentLogin, s.URL)
	<-ctx.Done()
	return nil
}

func parseSeedNow(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		loc = time.FixedZone("CET", 3600)
	}
	d, err := time.ParseInLocation("2006-01-02", v, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("--seed-now %q: want RFC 3339 (2026-01-14T10:00:00+01:00) or a date (2026-01-14)", v)
	}
	return d.Add(10 * time.Hour), nil
}
