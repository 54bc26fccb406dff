package tray

import "strings"

// menuLabel writes a label for a Win32 menu, where "&" marks the next
// letter as the access key; a doubled "&&" is a plain "&".
func menuLabel(s string) string { return strings.ReplaceAll(s, "&", "&&") }
