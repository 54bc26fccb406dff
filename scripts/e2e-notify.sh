#!/usr/bin/env bash
# End-to-end test of desktop notifications against a real daemon: a private
# session bus (dbus-run-session), a virtual display (Xvfb) and dunst. The
# desktop sink sends a normal and an urgent notification; `dunstctl history`
# must then hold them with app name magister-notify, summary and body.
# Needs the Debian packages dbus, xvfb, dunst and libglib2.0-bin (gdbus),
# which .ci/run installs. Exits non-zero on any failure and stops what it
# started.
set -euo pipefail
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$self")/.."

if [[ -z "${MAGISTER_E2E_BUS:-}" ]]; then
	for tool in dbus-run-session Xvfb dunst dunstctl gdbus; do
		command -v "$tool" >/dev/null || { echo "e2e-notify: $tool is missing" >&2; exit 1; }
	done
	# A private session bus that ends with the script.
	exec dbus-run-session -- env MAGISTER_E2E_BUS=1 "$self" "$@"
fi

GO=${GO:-go}
log=$(mktemp -d)
pids=()
cleanup() {
	local rc=$?
	# Last started, first stopped: dunst before its display.
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		kill "${pids[i]}" 2>/dev/null || true
		wait "${pids[i]}" 2>/dev/null || true
	done
	if [[ $rc -ne 0 ]]; then
		echo "e2e-notify: FAILED; logs:" >&2
		tail -n 20 "$log"/*.log >&2 || true
	fi
	rm -rf "$log"
	exit "$rc"
}
trap cleanup EXIT

# :99 unless a display of that number is taken.
display=99
while [[ -e /tmp/.X$display-lock || -e /tmp/.X11-unix/X$display ]]; do display=$((display + 1)); done
Xvfb ":$display" -screen 0 800x600x24 -nolisten tcp >"$log/xvfb.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [[ -e /tmp/.X11-unix/X$display ]] && break; sleep 0.1; done
[[ -e /tmp/.X11-unix/X$display ]] || { echo "e2e-notify: Xvfb did not start" >&2; exit 1; }

DISPLAY=":$display" dunst >"$log/dunst.log" 2>&1 &
pids+=($!)
# Ask the bus first: calling the name before dunst owns it would make the
# bus start (activate) a second dunst without a display.
owned() {
	gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
		--method org.freedesktop.DBus.NameHasOwner org.freedesktop.Notifications 2>/dev/null | grep -q true
}
ready=
for _ in $(seq 100); do
	if owned && gdbus call --session --dest org.freedesktop.Notifications \
		--object-path /org/freedesktop/Notifications \
		--method org.freedesktop.Notifications.GetServerInformation >/dev/null 2>&1; then
		ready=1
		break
	fi
	sleep 0.1
done
[[ -n $ready ]] || { echo "e2e-notify: dunst did not answer GetServerInformation" >&2; exit 1; }

"$GO" test -count=1 -tags e2e -run '^TestE2EDunst$' ./notifier/
echo "e2e-notify: dunst received the notifications"
