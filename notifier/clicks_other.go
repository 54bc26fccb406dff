//go:build !linux

package notifier

// Clicks opens a notification's page when it is clicked, where a process
// must wait for the click (Linux). Elsewhere it does nothing: a Windows
// toast opens its page by itself (protocol activation), and on macOS
// nothing receives the click yet.
type Clicks struct {
	// Label is the action's label; unused here.
	Label string
}

// NewClicks returns a Clicks that does nothing on this platform.
func NewClicks(func(url string) error) *Clicks { return &Clicks{} }

// Close implements io.Closer.
func (*Clicks) Close() error { return nil }
