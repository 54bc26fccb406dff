# Shared by scripts/lib/desktop.sh and scripts/lib/wine.sh: failing with the
# script's name, and waiting for a condition. Source it after setting E2E_NAME.

fail() { echo "$E2E_NAME: $*" >&2; exit 1; }

# wait_for SECONDS COMMAND...: run COMMAND every 0.1 s until it succeeds.
wait_for() {
	local n=$(($1 * 10))
	shift
	for _ in $(seq "$n"); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
