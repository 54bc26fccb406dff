package notifier

import (
	"testing"

	toast "git.sr.ht/~jackmordaunt/go-toast"
)

// TestToastOpensThePage (issue 15): a Windows toast carries our app id,
// plays no sound, and opens the entry's page by protocol activation.
func TestToastOpensThePage(t *testing.T) {
	n := toastFor("8,3 voor Wiskunde A", "Proefwerk H4", "https://demo.magister.net/magister/#/cijfers", `C:\icon.png`)
	if n.AppID != ToastAppID || ToastAppID != "magister-notify" {
		t.Errorf("AppID %q", n.AppID)
	}
	if n.ActivationType != toast.Protocol || n.ActivationArguments != "https://demo.magister.net/magister/#/cijfers" {
		t.Errorf("activation %q %q, want protocol with the page", n.ActivationType, n.ActivationArguments)
	}
	if n.Audio != toast.Silent {
		t.Errorf("audio %q", n.Audio)
	}
	if plain := toastFor("x", "", "", ""); plain.ActivationType != "" || plain.ActivationArguments != "" {
		t.Errorf("a toast without a page activates %q %q", plain.ActivationType, plain.ActivationArguments)
	}
}
