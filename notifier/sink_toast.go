package notifier

import toast "git.sr.ht/~jackmordaunt/go-toast"

// ToastAppID is the AppUserModelID toasts carry, registered per user by
// installer.RegisterAppID (installer.AppUserModelID; the packages' Start
// Menu shortcut carries the same).
const ToastAppID = "magister-notify"

// toastFor is the Windows toast of a notification: attributed to
// ToastAppID, silent, and, when it has a page, opening that page when
// clicked (protocol activation: Windows opens the address itself, so no
// process needs to wait for the click).
func toastFor(title, body, url, icon string) toast.Notification {
	n := toast.Notification{AppID: ToastAppID, Title: title, Body: body, Icon: icon, Audio: toast.Silent}
	if url != "" {
		n.ActivationType = toast.Protocol
		n.ActivationArguments = url
	}
	return n
}
