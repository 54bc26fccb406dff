# Shared by the Windows-under-Wine scripts: a work directory, processes
# stopped in reverse order on exit, a throw-away Wine prefix with the
# ProcessPrng stub that Go 1.24+ binaries need under Wine 8, and a virtual
# display for the tray. Source it after setting E2E_NAME; call start_wine.

for tool in wine wineserver wineboot x86_64-w64-mingw32-gcc; do
	command -v "$tool" >/dev/null || {
		echo "$E2E_NAME: $tool is missing (Debian packages wine, wine64, gcc-mingw-w64-x86-64-win32; .ci/run installs them)" >&2
		exit 1
	}
done

work=$(mktemp -d)
pids=()
cleanup() {
	local rc=$?
	# Wine first: its processes may draw on the display stopped below.
	if [[ -n "${WINEPREFIX:-}" ]]; then
		wineserver -k 2>/dev/null || true
		wineserver -w 2>/dev/null || true
	fi
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		kill "${pids[i]}" 2>/dev/null || true
		wait "${pids[i]}" 2>/dev/null || true
	done
	if [[ $rc -ne 0 && -n "$(ls "$work"/*.log 2>/dev/null)" ]]; then
		echo "$E2E_NAME: FAILED; last lines of the logs:" >&2
		tail -n 20 "$work"/*.log >&2 || true
	fi
	rm -rf "$work"
	exit "$rc"
}
trap cleanup EXIT

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# start_wine: a fresh prefix under $work (WINEPREFIX, exported), Wine's
# debug output off, no Mono or Gecko installer prompts, and the stub
# bcryptprimitives.dll built from scripts/wine/processprng.c in system32.
start_wine() {
	export WINEPREFIX="$work/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
	export WINEARCH=win64
	local src
	src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../wine" && pwd)/processprng.c"
	x86_64-w64-mingw32-gcc -Wall -Werror -shared -O2 -o "$work/bcryptprimitives.dll" "$src" -ladvapi32 ||
		fail "could not build the ProcessPrng stub from $src"
	local start=$SECONDS
	wineboot -i >"$work/wineboot.log" 2>&1 || fail "wineboot could not create the prefix"
	wineserver -w
	cp "$work/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"
	persist_wineserver
	echo "$E2E_NAME: Wine prefix ready in $((SECONDS - start)) s ($(wine --version))"
}

# persist_wineserver: one wineserver for the whole run (killed by cleanup).
# Left to itself it exits 3 s after its last client, and a client starting
# just then fails with "wine client error:0: recvmsg: Connection reset by
# peer" (seen between two test binaries).
persist_wineserver() {
	wineserver -p
	wait_for 10 wine cmd /c exit 0 || fail "the wineserver does not answer"
}

# start_display: Xvfb on :99 (or the next free display), exported as DISPLAY.
start_display() {
	local display=99
	while [[ -e /tmp/.X$display-lock || -e /tmp/.X11-unix/X$display ]]; do display=$((display + 1)); done
	Xvfb ":$display" -screen 0 1024x768x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
	pids+=($!)
	wait_for 10 test -e "/tmp/.X11-unix/X$display" || fail "Xvfb did not start"
	export DISPLAY=":$display"
}
