#!/usr/bin/env bash
# End-to-end test of the tray and the demo against real desktop parts: a
# private session bus (dbus-run-session), a virtual display (Xvfb), dunst as
# the notification daemon and Debian's status-notifier-watcher as the system
# tray. The real binary runs `demo --for 70s`; the script checks that the
# icon registers with the watcher, that its menu answers over dbusmenu, and
# that `dunstctl history` holds the demo's three notifications. It saves a
# screenshot of a notification (ImageMagick `import -window root`) and prints
# its path, for CI to keep as an artifact.
# Needs the Debian packages dbus, xvfb, dunst, libglib2.0-bin (gdbus),
# haskell-status-notifier-item-utils and imagemagick. Exits non-zero on any
# failure and stops what it started.
set -euo pipefail
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$self")/.."

if [[ -z "${MAGISTER_E2E_BUS:-}" ]]; then
	for tool in dbus-run-session Xvfb dunst dunstctl gdbus status-notifier-watcher import; do
		command -v "$tool" >/dev/null || { echo "e2e-tray: $tool is missing" >&2; exit 1; }
	done
	# A private session bus that ends with the script.
	exec dbus-run-session -- env MAGISTER_E2E_BUS=1 "$self" "$@"
fi

GO=${GO:-go}
artifacts=${E2E_ARTIFACTS:-bin/e2e}
mkdir -p "$artifacts"
artifacts=$(cd "$artifacts" && pwd)
E2E_NAME=e2e-tray
# shellcheck source=lib/desktop.sh
source "$(dirname "$self")/lib/desktop.sh"

"$GO" build -o "$log/magister-notify" ./cmd/magister-notify

start_desktop

# The tray host goes first and must answer before the tray starts.
start_watcher

# A "browser" that writes down what it was asked to open (xdg-open uses
# $BROWSER outside a desktop environment): a click on a notification must
# open its page.
printf '#!/bin/sh\necho "$1" >>"%s/opened"\n' "$log" >"$log/browser"
chmod +x "$log/browser"

# The demo: a fake school in the binary, a throw-away state, a 20 s interval.
BROWSER="$log/browser" LANG=en_US.UTF-8 LC_ALL= LC_MESSAGES= "$log/magister-notify" demo --for 70s >"$log/demo.log" 2>&1 &
demo=$!
pids+=($demo)

# 1. The icon registers with the real watcher under the tray's bus name.
# The demo runs the tray in its own process, so the item carries its pid.
item="org.kde.StatusNotifierItem-$demo-1"
wait_for 15 item_registered "$item" || fail "the tray did not register with status-notifier-watcher: $(watcher_prop RegisteredStatusNotifierItems 2>&1)"
echo "e2e-tray: $item is registered with status-notifier-watcher"
# One entry (the watcher lists the bus name, or name and path), not two.
if [[ $(watcher_prop RegisteredStatusNotifierItems | grep -o "'[^']*'" | wc -l) -ne 1 ]]; then
	fail "the item is registered more than once: $(watcher_prop RegisteredStatusNotifierItems)"
fi

# 2. Its menu answers over dbusmenu, in English under LANG=en_US.UTF-8 (C.UTF-8 would be Dutch, the default).
menu=$(gdbus call --session --dest "$item" --object-path /StatusNotifierItem \
	--method org.freedesktop.DBus.Properties.Get org.kde.StatusNotifierItem Menu | sed -E "s/^\(<objectpath '([^']+)'>,\)$/\1/")
layout() { gdbus call --session --dest "$item" --object-path "$menu" --method com.canonical.dbusmenu.GetLayout -- 0 -1 '[]'; }
has_menu() { layout | grep -q "'Check now'" && layout | grep -q "'1 hour'"; }
wait_for 5 has_menu || fail "the menu lacks 'Check now' or its Pause submenu: $(layout 2>&1)"
echo "e2e-tray: the menu answers GetLayout with the English labels"

# 3. A screenshot while the first notification is on screen.
shot="$artifacts/e2e-tray-notification.png"
displayed() { [[ $(dunstctl count displayed) -gt 0 ]]; }
wait_for 40 displayed || fail "no notification appeared on screen within 40 s"
sleep 0.5 # let dunst draw it
import -window root "$shot"
echo "e2e-tray: screenshot of a notification: $shot"

# 3b. A click on it (dunst's default action) opens its Magister page.
dunstctl action 0
opened() { grep -q '/magister/#/' "$log/opened" 2>/dev/null; }
wait_for 10 opened || fail "clicking the notification opened nothing: $(cat "$log/opened" 2>&1)"
echo "e2e-tray: clicking the notification opened $(head -1 "$log/opened")"

# 4. The demo ends by itself; dunst's history holds its notifications.
wait "$demo" || fail "the demo exited with $?: $(cat "$log/demo.log")"
pids=("${pids[@]/$demo/}")
dunstctl close-all
history=$(dunstctl history)
echo "$history" >"$artifacts/e2e-tray-dunst-history.json"
for want in "8,3 for Wiskunde A" " cancelled: " "New message from Mentor"; do
	grep -q "$want" <<<"$history" || fail "dunst history lacks '$want': $history"
done
grep -q '"magister-notify"' <<<"$history" || fail "the notifications do not carry the app name magister-notify"
grep -q "3 notifications were shown" "$log/demo.log" || fail "the demo did not report 3 notifications: $(cat "$log/demo.log")"
echo "e2e-tray: dunst received the demo's grade, cancelled lesson and message"
