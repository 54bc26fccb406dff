# The tray under Wine; sourced by scripts/test-windows.sh (uses its $work,
# $artifacts, fail, wait_for, start_display). Wine's explorer draws a
# virtual desktop with a taskbar and notification area on Xvfb and starts
# magister-notify-tray.exe in it, from explorer.exe as the HKCU Run value
# does at login. The script checks that the tray runs and holds tray.lock
# (a second tray is refused), that an icon is drawn in the notification
# area, and that a right click opens its menu; the two screenshots are kept
# in $artifacts. Toasts are not tried: Wine has no WinRT notifications.

e2e_tray() {
	local start=$SECONDS
	[[ -x $work/win/magister-notify-tray.exe ]] ||
		GOOS=windows GOARCH=amd64 "$GO" build -ldflags -H=windowsgui -o "$work/win/magister-notify-tray.exe" ./cmd/magister-notify
	[[ -x $work/win/magister-notify.exe ]] ||
		GOOS=windows GOARCH=amd64 "$GO" build -o "$work/win/magister-notify.exe" ./cmd/magister-notify
	for tool in Xvfb xdotool import convert compare; do
		command -v "$tool" >/dev/null || fail "tray: $tool is missing (xvfb, xdotool, imagemagick)"
	done
	# A Wine session started without a display keeps drawing nowhere: end
	# it, so that the desktop below starts on Xvfb.
	wineserver -k 2>/dev/null || true
	wineserver -w
	start_display
	persist_wineserver

	# A state of its own, not signed in: a fixed menu and the error icon.
	local dir='C:\users\Public\tray-state' unix="$WINEPREFIX/drive_c/users/Public/tray-state"
	mkdir -p "$unix"
	wine explorer /desktop=shell,800x600 "$(winepath -w "$work/win/magister-notify-tray.exe")" \
		--state-dir "$dir" tray >"$work/tray.log" 2>&1 &
	pids+=($!)
	wait_for 30 test -s "$unix/magister-notify.log" || fail "tray: the tray wrote no log: $(cat "$work/tray.log")"

	# It runs and holds tray.lock: a second tray on that state is refused.
	local out
	out=$(wine "$work/win/magister-notify.exe" --state-dir "$dir" tray 2>&1 | tr -d '\r') &&
		fail "tray: a second tray started: $out"
	grep -q 'already running (pid [0-9]*)' <<<"$out" || fail "tray: a second tray failed otherwise: $out"
	echo "$E2E_NAME: tray: running; a second one is refused: ${out#*: }"

	# It registered the AppUserModelID its toasts carry (name and icon).
	local aumid='HKCU\Software\Classes\AppUserModelId\magister-notify'
	out=$(wine reg query "$aumid" /v DisplayName 2>&1 | tr -d '\r')
	grep -q 'DisplayName *REG_SZ *magister-notify' <<<"$out" || fail "tray: the app id is not registered: $out"
	echo "$E2E_NAME: tray: the toasts' app id is registered: $(grep DisplayName <<<"$out" | tr -s ' ')"

	# The icon: the notification area's only icon, at the taskbar's right
	# end (the desktop is 800x600 at the screen's corner). Before the tray,
	# that square is plain taskbar; with it, an icon of several colours.
	local shot="$artifacts/wine-tray.png" menu="$artifacts/wine-tray-menu.png" icon=16x16+782+582 colours
	drawn() {
		import -window root "$shot" &&
			colours=$(convert "$shot" -crop "$icon" +repage -unique-colors -format %w info:) &&
			[[ $colours -ge 4 ]]
	}
	wait_for 30 drawn || fail "tray: no icon in the notification area (see $shot)"
	echo "$E2E_NAME: tray: icon drawn ($colours colours in its square): $shot"

	# A right click opens its menu above the icon.
	xdotool mousemove 790 590 click 3
	opened() {
		import -window root "$menu" &&
			changed=$(compare -metric AE -crop 330x250+465+330 "$shot" "$menu" null: 2>&1 || true) &&
			[[ ${changed%%.*} -gt 20000 ]]
	}
	local changed
	wait_for 10 opened || fail "tray: a right click opened no menu ($changed pixels changed; see $menu)"
	echo "$E2E_NAME: tray: a right click opened the menu ($changed pixels changed): $menu"
	xdotool key Escape
	echo "$E2E_NAME: tray: the tray under Wine passed in $((SECONDS - start)) s"
}
