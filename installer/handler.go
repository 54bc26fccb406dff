package installer

import "context"

// scheme is the URL scheme Magister's sign-in redirects to.
const scheme = "m6loapp"

// HandlerOptions says which binary handles m6loapp:// addresses.
type HandlerOptions struct {
	// Exe is the magister-notify binary; "" means the running binary. It is
	// made absolute and resolved through symlinks.
	Exe string
	// StateDir is passed as --state-dir when it is not empty, so that the
	// handler completes the login that was started on the same state.
	StateDir string
	// Force replaces a handler that belongs to another application.
	Force bool
}

// HandlerState describes the m6loapp:// handler registration.
type HandlerState struct {
	// Registered reports whether magister-notify is the handler the system
	// uses for m6loapp:// addresses.
	Registered bool `json:"registered"`
	// Default is the handler the system uses now, ours or another
	// application's ("" when there is none or the system does not say).
	Default string `json:"default,omitempty"`
	// Foreign reports whether Default is another application.
	Foreign bool `json:"foreign"`
	// Path is our desktop entry or registry key.
	Path string `json:"path,omitempty"`
	// Command is the command line of our registration, as written.
	Command string `json:"command,omitempty"`
	// Current reports whether Command runs this binary on this state
	// directory (false after the binary moved: register again).
	Current bool `json:"current"`
	// Note explains the platform's way, such as the app bundle on macOS.
	Note string `json:"note,omitempty"`
}

// handlerConfig is HandlerOptions resolved.
type handlerConfig struct {
	exe, stateDir string
	force         bool
}

func newHandlerConfig(o HandlerOptions) (handlerConfig, error) {
	exe, dir, err := resolve(o.Exe, o.StateDir)
	return handlerConfig{exe: exe, stateDir: dir, force: o.Force}, err
}

// RegisterHandler makes the system start `magister-notify login
// --redirect-url <address>` when a browser opens an m6loapp:// address. It
// leaves another application's handler alone (ErrForeignHandler) unless
// o.Force is set. Registering again rewrites the registration.
func RegisterHandler(ctx context.Context, o HandlerOptions) (Result, error) {
	h, err := newHandlerConfig(o)
	if err != nil {
		return Result{}, err
	}
	return registerHandler(ctx, h)
}

// UnregisterHandler removes our registration and nothing else: another
// application's handler stays. Unregistering twice is not an error.
func UnregisterHandler(ctx context.Context, o HandlerOptions) (Result, error) {
	h, err := newHandlerConfig(o)
	if err != nil {
		return Result{}, err
	}
	return unregisterHandler(ctx, h)
}

// HandlerStatus reports the m6loapp:// handler registration.
func HandlerStatus(ctx context.Context, o HandlerOptions) (HandlerState, error) {
	h, err := newHandlerConfig(o)
	if err != nil {
		return HandlerState{}, err
	}
	return handlerStatus(ctx, h)
}
