package notifier

import "context"

// platformShow shows a toast (see toastFor). A click opens the entry's page
// through protocol activation, so the tray and a one-off check are alike.
func (s *DesktopSink) platformShow(_ context.Context, title, body, url string) error {
	n := toastFor(title, body, url, s.Icon)
	return n.Push()
}

// Clicks is not needed on Windows: a toast opens its page by itself.
type Clicks struct {
	// Label is unused on Windows.
	Label string
}

// NewClicks returns a Clicks that does nothing on Windows.
func NewClicks(func(url string) error) *Clicks { return &Clicks{} }

// Close implements io.Closer.
func (*Clicks) Close() error { return nil }
