package winetest

import "syscall"

// Wine's ntdll exports wine_get_version; Windows' ntdll never has.
var running = syscall.NewLazyDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
