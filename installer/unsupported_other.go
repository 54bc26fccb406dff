//go:build !linux && !darwin && !windows

package installer

import (
	"context"
	"errors"
	"runtime"
)

// errUnsupported is what every operation returns on systems we do not
// install on.
var errUnsupported = errors.New("installer: autostart and the m6loapp:// handler are not supported on " + runtime.GOOS)

// Methods lists the autostart methods this system offers, Auto first.
func Methods() []Method { return []Method{Auto} }

type platform struct{}

func newPlatform(config) (*platform, error) { return nil, errUnsupported }

func (*platform) install(context.Context) (Result, error)   { return Result{}, errUnsupported }
func (*platform) uninstall(context.Context) (Result, error) { return Result{}, errUnsupported }
func (*platform) status(context.Context) (Status, error)    { return Status{}, errUnsupported }
func (*platform) start(context.Context) (Result, error)     { return Result{}, errUnsupported }
func (*platform) stop(context.Context) (Result, error)      { return Result{}, errUnsupported }

func registerHandler(context.Context, handlerConfig) (Result, error) { return Result{}, errUnsupported }
func unregisterHandler(context.Context, handlerConfig) (Result, error) {
	return Result{}, errUnsupported
}
func handlerStatus(context.Context, handlerConfig) (HandlerState, error) {
	return HandlerState{}, errUnsupported
}

// checkExe accepts every program path: nothing here needs it escaped in a
// way that could fail.
func checkExe(string) error { return nil }
