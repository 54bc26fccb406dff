//go:build !windows && !darwin

package tray

import "strings"

// menuLabel writes a label for dbusmenu, where "_" marks the next letter as
// the access key: "Nieuw bericht van J_de_Vries" would show as
// "JdeVries" with letters underlined. A doubled "__" is a plain "_".
func menuLabel(s string) string { return strings.ReplaceAll(s, "_", "__") }
