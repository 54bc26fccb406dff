package tray

// menuLabel writes a label for a macOS menu, which has no access keys in
// its titles: the text is shown as it is.
func menuLabel(s string) string { return s }
