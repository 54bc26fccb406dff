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
E2E_NAME=e2e-notify
# shellcheck source=lib/desktop.sh
source "$(dirname "$self")/lib/desktop.sh"
start_desktop

"$GO" test -count=1 -tags e2e -run '^TestE2EDunst$' ./notifier/
echo "e2e-notify: dunst received the notifications"
