//go:build linux

package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/magister-notify/magister-notify/installer/installertest"
)

// TestServiceSpeaksDutch: service install, status and uninstall say what
// they did in Dutch under a Dutch locale, installer's sentences included;
// --json keeps the English message.
func TestServiceSpeaksDutch(t *testing.T) {
	env := installertest.New(t)
	env.SetGraphical(true)
	dutchLocale(t)
	ctx := context.Background()
	dir := t.TempDir()
	unit := filepath.Join(env.UnitDir(), "magister-notify.service")
	english := []string{"installed", "Removed", "Undo", "not running", "nothing to remove", "Sign-in handler", "Autostart"}
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"service", "install"}, []string{"De systemd-gebruikersunit " + unit + " is ingesteld en ingeschakeld",
			"Ongedaan maken met `magister-notify service uninstall`"}},
		{[]string{"service", "status"}, []string{"Automatisch starten", "ingesteld als systemd-gebruikersunit, ingeschakeld",
			"niet actief", "Aanmeldkoppeling"}},
		{[]string{"service", "uninstall"}, []string{"De systemd-gebruikersunit " + unit + " en zijn koppelingen zijn verwijderd",
			"De tray start niet meer bij het inloggen"}},
		{[]string{"service", "uninstall"}, []string{"Automatisch starten is niet ingesteld; er was niets te verwijderen."}},
	} {
		code, out, errs := runCLI(t, ctx, append([]string{"--state-dir", dir}, c.args...)...)
		if code != 0 {
			t.Fatalf("%v: %d %s", c.args, code, errs)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output lacks %q:\n%s", c.args, w, out)
			}
		}
		for _, w := range english {
			if strings.Contains(out, w) {
				t.Errorf("%v: output says %q in English:\n%s", c.args, w, out)
			}
		}
	}
	if _, out, _ := runCLI(t, ctx, "--state-dir", dir, "service", "uninstall", "--json"); !strings.Contains(out, `"message": "Autostart is not installed`) {
		t.Errorf("service uninstall --json under a Dutch locale: %s; want the English message", out)
	}
}
