package magister

import (
	"path/filepath"
	"testing"
)

// TestOpenTokenStoreNoSessionBus: on a Linux box without a usable session
// bus the real keyring fails and the 0600 file takes over.
func TestOpenTokenStoreNoSessionBus(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(t.TempDir(), "no-bus"))
	s, fallback, err := OpenTokenStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*FileTokenStore); !ok || !fallback {
		t.Errorf("got %T, fallback %v", s, fallback)
	}
}
