//go:build !windows

package winetest

const running = false
