package installer

import (
	"errors"
	"io/fs"
	"testing"
)

func TestAppIDRegistration(t *testing.T) {
	reg := newFakeRegistry()
	a := appID{reg}
	if err := a.register(`C:\Users\anna\AppData\Local\magister-notify\icon.png`); err != nil {
		t.Fatal(err)
	}
	if v, err := reg.String(currentUser, `Software\Classes\AppUserModelId\magister-notify`, "DisplayName"); err != nil || v != "magister-notify" {
		t.Errorf("DisplayName = %q, %v", v, err)
	}
	if v, err := reg.String(currentUser, appIDKeyPath, "IconUri"); err != nil || v != `C:\Users\anna\AppData\Local\magister-notify\icon.png` {
		t.Errorf("IconUri = %q, %v", v, err)
	}
	if err := a.unregister(); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.String(currentUser, appIDKeyPath, "DisplayName"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after unregister: %v, want the key gone", err)
	}
	if err := a.unregister(); err != nil {
		t.Errorf("unregister when not registered: %v", err)
	}
}
