# Shared by the end-to-end scripts: a log directory, processes stopped in
# reverse order on exit, and a virtual desktop (Xvfb + dunst) on the private
# session bus the calling script runs in. Source it after setting E2E_NAME.

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
		echo "$E2E_NAME: FAILED; logs:" >&2
		tail -n 30 "$log"/*.log >&2 || true
	fi
	rm -rf "$log"
	exit "$rc"
}
trap cleanup EXIT

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# owned NAME: whether NAME has an owner on the session bus.
owned() {
	gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
		--method org.freedesktop.DBus.NameHasOwner "$1" 2>/dev/null | grep -q true
}

# watcher_prop NAME: a property of the StatusNotifierWatcher.
watcher_prop() {
	gdbus call --session --timeout 5 --dest org.kde.StatusNotifierWatcher --object-path /StatusNotifierWatcher \
		--method org.freedesktop.DBus.Properties.Get org.kde.StatusNotifierWatcher "$1"
}

# start_watcher: Debian's status-notifier-watcher, answering before anything
# registers with it (a tray's registration could otherwise lose a race with
# the watcher's start).
start_watcher() {
	status-notifier-watcher >"$log/watcher.log" 2>&1 &
	pids+=($!)
	wait_for 10 watcher_prop ProtocolVersion || fail "status-notifier-watcher did not answer ProtocolVersion"
}

# item_registered ITEM: whether the StatusNotifierItem bus name ITEM is
# owned and registered with the watcher (under that name or its owner's).
item_registered() {
	owned "$1" || return 1
	local owner
	owner=$(gdbus call --session --timeout 5 --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
		--method org.freedesktop.DBus.GetNameOwner "$1" | grep -o ':[0-9.]*')
	watcher_prop RegisteredStatusNotifierItems | grep -q -e "$owner" -e "$1"
}

# start_desktop: Xvfb on :99 (or the next free display) with a screen of
# $E2E_SCREEN (default 800x600x24), exported as
# DISPLAY, and dunst answering on org.freedesktop.Notifications.
start_desktop() {
	local display=99
	while [[ -e /tmp/.X$display-lock || -e /tmp/.X11-unix/X$display ]]; do display=$((display + 1)); done
	Xvfb ":$display" -screen 0 "${E2E_SCREEN:-800x600x24}" -nolisten tcp >"$log/xvfb.log" 2>&1 &
	pids+=($!)
	wait_for 10 test -e "/tmp/.X11-unix/X$display" || fail "Xvfb did not start"
	export DISPLAY=":$display"

	dunst >"$log/dunst.log" 2>&1 &
	pids+=($!)
	# Ask the bus first: calling the name before dunst owns it would make the
	# bus activate a second dunst.
	dunst_ready() {
		owned org.freedesktop.Notifications && gdbus call --session --dest org.freedesktop.Notifications \
			--object-path /org/freedesktop/Notifications --method org.freedesktop.Notifications.GetServerInformation
	}
	wait_for 10 dunst_ready || fail "dunst did not answer GetServerInformation"
}
