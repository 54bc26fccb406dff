package notifier

import "context"

// platformShow shows a toast (see toastFor). A click opens the entry's page
// through protocol activation, so the tray and a one-off check are alike.
func (s *DesktopSink) platformShow(_ context.Context, title, body, url string) error {
	n := toastFor(title, body, url, s.Icon)
	return n.Push()
}
