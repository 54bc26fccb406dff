package notifier

// Only Windows links go-toast: its package init parses two templates, which
// every run of every command would pay for elsewhere.

import toast "git.sr.ht/~jackmordaunt/go-toast"

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
