package main

import (
	"context"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/magister-notify/magister-notify/state"
)

type versionInfo struct {
	Version  string `json:"version"`
	Commit   string `json:"commit,omitempty"`
	Go       string `json:"go"`
	Platform string `json:"platform"`
	Schema   int    `json:"state_schema"`
}

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:         "version",
		Annotations: map[string]string{readOnly: "yes"},
		Short:       "Print the version",
		Args:        cobra.NoArgs,
		RunE:        func(cmd *cobra.Command, _ []string) error { return a.runVersion(cmd.Context()) },
	}
}

// runVersion prints the version, the commit it was built from, the Go
// release and the state schema.
func (a *app) runVersion(context.Context) error {
	v := versionInfo{Version: version, Go: runtime.Version(),
		Platform: runtime.GOOS + "/" + runtime.GOARCH, Schema: state.SchemaVersion}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v.Commit = s.Value[:12]
			}
		}
	}
	return a.emit(v, func(p *printer) {
		p.Line("magister-notify %s (%s, %s)", v.Version, v.Platform, v.Go)
	})
}
