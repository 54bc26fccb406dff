# The Windows CLI end to end under Wine; sourced by scripts/test-windows.sh
# after start_wine (uses its $work, $GO, fail, wait_for). The Linux
# magister-fake serves on loopback; the Windows magister-notify.exe signs in
# through --print-url/--redirect-url, checks, and delivers to jsonl: and
# stdout; `login --register-handler` and `wine start m6loapp://…` complete a
# pending sign-in through the registry; `service install`/`uninstall` leaves
# the Run key as it was. The state lives in the default %AppData%.

e2e_cli() {
	local start=$SECONDS
	GOOS=windows GOARCH=amd64 "$GO" build -o "$work/win/magister-notify.exe" ./cmd/magister-notify
	GOOS=windows GOARCH=amd64 "$GO" build -ldflags -H=windowsgui -o "$work/win/magister-notify-tray.exe" ./cmd/magister-notify
	"$GO" build -o "$work/magister-fake" ./cmd/magister-fake

	"$work/magister-fake" >"$work/fake.out" 2>"$work/fake.log" &
	pids+=($!)
	wait_for 10 test -s "$work/fake.out" || fail "magister-fake printed no address"
	local url
	url=$(head -n 1 "$work/fake.out")

	mn() { wine "$work/win/magister-notify.exe" "$@"; }
	# The state directory no flag or variable names: %AppData%\magister-notify.
	unset MAGISTER_NOTIFY_HOME
	local appdata
	appdata=$(ls -d "$WINEPREFIX"/drive_c/users/*/AppData/Roaming | head -n 1)
	[[ -d $appdata ]] || fail "no AppData\\Roaming in the prefix"

	# 1. Sign in: the address to open, a browser (curl) following it to the
	# m6loapp:// redirect, and that address handed back.
	local authorize redirect out
	authorize=$(mn login --school demo --base-url "$url" --print-url | tr -d '\r') ||
		fail "login --print-url failed"
	[[ $authorize == "$url/connect/authorize?"* ]] || fail "login --print-url printed $authorize"
	redirect=$(curl -s -o /dev/null -w '%{redirect_url}' "$authorize")
	[[ $redirect == m6loapp://oauth2redirect/* ]] || fail "the fake school redirected to '$redirect'"
	out=$(mn login --redirect-url "$redirect" 2>&1) || fail "login --redirect-url: $out"
	echo "$E2E_NAME: cli: signed in: $(head -n 1 <<<"$out" | tr -d '\r')"
	[[ -f $appdata/magister-notify/state.json ]] ||
		fail "no state.json in %AppData%\\magister-notify ($appdata)"
	grep -q -e access_token -e refresh_token "$appdata/magister-notify/state.json" &&
		fail "state.json holds a token"

	# 2. The first check is a silent baseline; a new grade is then delivered
	# once to jsonl: and to stdout (quiet hours off: in the evening they
	# would hold it back).
	out=$(mn config set quiet-hours off 2>&1) || fail "config set quiet-hours off: $out"
	out=$(mn check --sink stdout 2>&1) || fail "first check: $out"
	curl -sf -X POST -H 'Content-Type: application/json' \
		-d '{"child":"Anna","subject":"fatl","value":"3,2","weight":1,"description":"SO"}' \
		"$url/_fake/grades" >/dev/null || fail "the fake school did not add a grade"
	out=$(mn check --sink 'jsonl:C:\users\Public\out.jsonl' --sink stdout 2>&1) || fail "second check: $out"
	grep -q "3,2" <<<"$out" || fail "check printed no new grade on stdout: $out"
	local jsonl="$WINEPREFIX/drive_c/users/Public/out.jsonl"
	[[ $(grep -c '3,2' "$jsonl" 2>/dev/null) -eq 1 ]] || fail "out.jsonl does not hold the grade once: $(cat "$jsonl" 2>&1)"
	out=$(mn check --sink stdout 2>&1) || fail "third check: $out"
	grep -q "3,2" <<<"$out" && fail "the grade was announced twice: $out"
	echo "$E2E_NAME: cli: a new grade went once to jsonl: and stdout"

	# 3. The m6loapp:// handler in the registry completes a pending sign-in
	# (as a student this time, so a second account appears).
	local key='HKCU\Software\Classes\m6loapp\shell\open\command'
	if wine reg query 'HKCU\Software\Classes\m6loapp' >/dev/null 2>&1; then
		# Known: cmd/magister-notify's TestWaitingLoginCompletedByHandler
		# registers in the real HKCU and leaves it behind (see README).
		echo "$E2E_NAME: cli: NOTE: an m6loapp handler was left in HKCU by the tests: $(wine reg query "$key" 2>&1 | grep -o '".*' | tr -d '\r')"
		wine reg delete 'HKCU\Software\Classes\m6loapp' /f >/dev/null 2>&1
	fi
	out=$(mn login --register-handler 2>&1) || fail "login --register-handler: $out"
	out=$(wine reg query "$key" 2>&1) || fail "reg query $key: $out"
	grep -q 'magister-notify-tray.exe' <<<"$out" || fail "the handler command is not the tray exe: $out"
	echo "$E2E_NAME: cli: registered: $(grep -o '".*' <<<"$out" | head -n 1 | tr -d '\r')"
	authorize=$(mn login --school demo --base-url "$url" --login-hint sem --print-url | tr -d '\r')
	redirect=$(curl -s -o /dev/null -w '%{redirect_url}' "$authorize")
	local code state
	code=$(grep -o 'code=[^&]*' <<<"$redirect") || fail "no code in '$redirect'"
	state=$(grep -o '[#&]state=[^&]*' <<<"$redirect" | cut -c2-) || fail "no state in '$redirect'"
	# Wine 8's HKEY_CLASSES_ROOT does not merge HKCU\Software\Classes as
	# Windows does, so its shell finds no per-user class: copy ours into
	# HKLM\Software\Classes for the one start. And its ShellExecute does not
	# start a handler for the fake's full ~900-character address (with
	# id_token), so the address holds code and state only, as the handler
	# needs.
	wine reg copy 'HKCU\Software\Classes\m6loapp' 'HKLM\Software\Classes\m6loapp' /s /f >/dev/null 2>&1 ||
		fail "could not copy the m6loapp class to HKLM"
	wine start "m6loapp://oauth2redirect/#$code&$state" >"$work/start.log" 2>&1 ||
		fail "wine start m6loapp://…: $(cat "$work/start.log")"
	signed_in_twice() { mn whoami 2>/dev/null | grep -q Sem; }
	wait_for 30 signed_in_twice || fail "the handler did not complete the sign-in: $(mn whoami 2>&1)"
	echo "$E2E_NAME: cli: wine start m6loapp://… completed the pending sign-in through the handler"
	wine reg delete 'HKLM\Software\Classes\m6loapp' /f >/dev/null 2>&1
	out=$(mn login --unregister-handler 2>&1) || fail "login --unregister-handler: $out"
	wine reg query 'HKCU\Software\Classes\m6loapp' >/dev/null 2>&1 && fail "the m6loapp class is still registered"

	# 4. Autostart: the HKCU Run value appears and goes, the key as before.
	local run='HKCU\Software\Microsoft\Windows\CurrentVersion\Run' before after
	before=$(wine reg query "$run" 2>&1 | tr -d '\r' || true)
	out=$(mn service install 2>&1) || fail "service install: $out"
	out=$(wine reg query "$run" 2>&1 | tr -d '\r') || fail "reg query $run: $out"
	grep -q 'magister-notify-tray.exe.*tray' <<<"$out" || fail "no Run value starting the tray: $out"
	echo "$E2E_NAME: cli: service install: $(grep -i 'magister' <<<"$out" | head -n 1 | sed 's/^ *//')"
	out=$(mn service uninstall 2>&1) || fail "service uninstall: $out"
	after=$(wine reg query "$run" 2>&1 | tr -d '\r' || true)
	[[ $before == "$after" ]] || fail "service uninstall left the Run key changed:
before: $before
after: $after"
	echo "$E2E_NAME: cli: service uninstall left the Run key as it was"
	echo "$E2E_NAME: cli: the Windows CLI end to end passed under Wine in $((SECONDS - start)) s"
}
