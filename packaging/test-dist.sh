#!/usr/bin/env bash
# make test-dist: proves what make dist built (run it after make dist).
#
#   - the .deb installs, runs from /usr/bin with the stamped version, its
#     desktop entries validate, its icons sit where the hicolor spec says,
#     the m6loapp handler is known, and dpkg -r removes every file again;
#   - lintian's findings are printed; an error fails;
#   - the MSI's tables show a per-user install (see check_msi);
#   - a second build, in another time zone and with another umask, gives
#     the same SHA256SUMS (the MSI excepted, see packaging/README.md).
#
# Installing needs root (CI runs as root); without it those steps are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
DIST=$(realpath -m "${DIST:-dist}")
[[ -f $DIST/.build ]] || { echo "test-dist: no $DIST/.build; run make dist first" >&2; exit 1; }
# The versions of the build under test (the tree may have changed since).
. "$DIST/.build"
start=$SECONDS
fail() { printf 'test-dist: FAIL: %s\n' "$*" >&2; exit 1; }
say() { printf 'test-dist: %s\n' "$*"; }

(cd "$DIST" && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS does not match $DIST"

check_deb() {
	local arch deb files
	arch=$(dpkg --print-architecture)
	deb="$DIST/magister-notify_${DEB_VERSION}_$arch.deb"
	[[ -f $deb ]] || fail "no $deb"

	say "lintian $deb"
	local findings
	findings=$(lintian --pedantic --display-info "$deb" 2>&1 | grep -v "running with root privileges" || true)
	printf '%s\n' "${findings:-  (no findings)}" | sed 's/^/  /'
	! grep -q '^E:' <<<"$findings" || fail "lintian reports errors"

	if [[ $(id -u) != 0 ]]; then
		say "not root: skipping dpkg -i / dpkg -r"
		return
	fi
	dpkg-query -W magister-notify >/dev/null 2>&1 && fail "magister-notify is already installed here; remove it first"
	files=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {sub(/^\./, "", $6); print $6}')
	trap 'dpkg -r magister-notify >/dev/null 2>&1 || true' EXIT
	say "dpkg -i $deb"
	dpkg -i "$deb" >/dev/null

	local got
	got=$(/usr/bin/magister-notify version)
	[[ $got == "magister-notify $VERSION ("* ]] || fail "version printed $got; want $VERSION"
	say "version: $got"

	desktop-file-validate /usr/share/applications/magister-notify.desktop \
		/usr/share/applications/magister-notify-login.desktop || fail "desktop-file-validate"
	grep -q '^x-scheme-handler/m6loapp=.*magister-notify-login.desktop' \
		/usr/share/applications/mimeinfo.cache || fail "m6loapp handler not in mimeinfo.cache"

	# hicolor: <size>x<size>/apps/<name>.png, an image of that size, in a
	# directory the theme's index.theme lists.
	local size png
	for size in 16 24 32 48 64 256; do
		png=/usr/share/icons/hicolor/${size}x$size/apps/magister-notify.png
		file "$png" | grep -q "PNG image data, $size x $size," || fail "$png is not a ${size}px PNG"
		grep -q "^\[${size}x$size/apps\]" /usr/share/icons/hicolor/index.theme || fail "hicolor has no ${size}x$size/apps"
	done
	man -w magister-notify >/dev/null || fail "man page not found"
	[[ -s /usr/share/bash-completion/completions/magister-notify ]] || fail "no bash completion"
	say "installed: binary, 2 desktop entries, 6 hicolor icons, man page, completions"

	dpkg -r magister-notify >/dev/null
	trap - EXIT
	local left=0 f
	for f in $files; do
		if [[ -e $f ]]; then echo "  left behind: $f"; left=1; fi
	done
	[[ $left == 0 ]] || fail "dpkg -r left files behind"
	! grep -q magister-notify /usr/share/applications/mimeinfo.cache || fail "mimeinfo.cache still names magister-notify"
	dpkg-query -W magister-notify >/dev/null 2>&1 && fail "dpkg still lists magister-notify"
	say "dpkg -r removed all $(wc -w <<<"$files") files"
}

# check_windows: version information in both .exe, and an MSI whose tables
# say per-user: no elevation needed, no ALLUSERS, files under
# LocalAppDataFolder\Programs, HKCU only, the shortcut with our AppUserModelID.
check_windows() {
	local zip="$DIST/magister-notify_${VERSION}_windows_amd64.zip" tmp exe
	[[ -f $zip ]] || fail "no $zip"
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/magister-notify-win.XXXXXX")
	unzip -q "$zip" -d "$tmp"
	local missing=""
	for exe in magister-notify.exe magister-notify-tray.exe; do
		strings -el "$tmp/magister-notify_${VERSION}_windows_amd64/$exe" | grep -qx "$WIN_VERSION" || missing+=" $exe"
	done
	rm -rf "$tmp"
	[[ -z $missing ]] || fail "no version information $WIN_VERSION in$missing"
	say "both .exe carry version $WIN_VERSION"

	local msi="$DIST/magister-notify_${VERSION}_windows_amd64.msi"
	if [[ ! -f $msi ]]; then
		say "no MSI (no wixl here): skipping its checks"
		return
	fi
	table() { msiinfo export "$msi" "$1" | tr -d '\r'; }
	local src
	src=$(msiinfo suminfo "$msi" | sed -n 's/^Source: \([0-9]*\).*/\1/p')
	((src & 8)) || fail "MSI asks for elevated privileges (Word Count $src)"
	! table Property | grep -q '^ALLUSERS' || fail "MSI sets ALLUSERS"
	table Directory | grep -qP '^INSTALLDIR\tProgramsDir\tmagister-notify$' || fail "INSTALLDIR"
	table Directory | grep -qP '^ProgramsDir\tLocalAppDataFolder\tPrograms$' || fail "ProgramsDir"
	table Registry | sed -n '4,$p' | cut -f2 | sort -u | grep -qvx 1 && fail "MSI writes outside HKCU"
	table Registry | grep -qP '\tSoftware\\Microsoft\\Windows\\CurrentVersion\\Run\tmagister-notify\t"\[INSTALLDIR\]magister-notify-tray.exe" tray\t' ||
		fail "no Run value"
	table Shortcut | grep -qP '^TrayShortcut\tProgramMenuFolder\t' || fail "no Start Menu shortcut"
	table MsiShortcutProperty | grep -qP '^\w+\tTrayShortcut\tSystem.AppUserModel.ID\tmagister-notify$' ||
		fail "the shortcut has no AppUserModelID"
	table CustomAction | grep -qP '^Unregister\t\d+\tTrayExe\tservice uninstall --all' || fail "no unregister on uninstall"
	say "MSI: per-user (Word Count $src, no ALLUSERS), LocalAppData\\Programs\\magister-notify, HKCU only, Start Menu shortcut with AppUserModelID"
}

# check_msi_wine: where Wine is installed (the Windows lane's), the MSI
# installs quietly into a fresh prefix and uninstalls without a trace of
# its files, shortcut or registry values.
check_msi_wine() {
	local msi="$DIST/magister-notify_${VERSION}_windows_amd64.msi"
	if ! command -v wine >/dev/null || [[ ! -f $msi ]]; then
		say "no wine or no MSI: skipping the msiexec round trip"
		return
	fi
	local prefix user run='HKCU\Software\Microsoft\Windows\CurrentVersion\Run'
	prefix=$(mktemp -d "${TMPDIR:-/tmp}/magister-notify-wine.XXXXXX")
	export WINEPREFIX=$prefix WINEDEBUG=-all
	timeout 120 wine wineboot -i >/dev/null 2>&1 || fail "wineboot"
	user=$(ls -d "$prefix"/drive_c/users/*/AppData | grep -v /Public/ | head -1)
	say "wine msiexec /i /qn"
	timeout 120 wine msiexec /i "Z:$(realpath "$msi")" /qn >/dev/null 2>&1 || fail "msiexec /i"
	local f
	for f in Local/Programs/magister-notify/magister-notify.exe Local/Programs/magister-notify/magister-notify-tray.exe \
		"Roaming/Microsoft/Windows/Start Menu/Programs/magister-notify.lnk"; do
		[[ -f $user/$f ]] || fail "after msiexec /i: no $f"
	done
	wine reg query "$run" /v magister-notify 2>/dev/null | grep -q 'magister-notify-tray.exe" tray' || fail "after msiexec /i: no Run value"
	say "wine msiexec /x /qn"
	timeout 120 wine msiexec /x "Z:$(realpath "$msi")" /qn >/dev/null 2>&1 || fail "msiexec /x"
	[[ ! -e $user/Local/Programs/magister-notify ]] || fail "after msiexec /x: the program folder is left"
	[[ ! -e "$user/Roaming/Microsoft/Windows/Start Menu/Programs/magister-notify.lnk" ]] || fail "after msiexec /x: the shortcut is left"
	! wine reg query "$run" /v magister-notify >/dev/null 2>&1 || fail "after msiexec /x: the Run value is left"
	! wine reg query 'HKCU\Software\magister-notify' >/dev/null 2>&1 || fail "after msiexec /x: HKCU\Software\magister-notify is left"
	wineserver -k 2>/dev/null || true
	rm -rf "$prefix"
	unset WINEPREFIX
	say "wine: installed files, shortcut and Run value, and removed them all"
}

check_reproducible() {
	local again
	again=$(mktemp -d "${TMPDIR:-/tmp}/magister-notify-dist2.XXXXXX")
	say "second build into $again (TZ=Pacific/Auckland, umask 077)"
	(umask 077; TZ=Pacific/Auckland DIST="$again" GO=$GO packaging/dist.sh >/dev/null)
	local diffs
	diffs=$(diff <(grep -v '\.msi$' "$DIST/SHA256SUMS") <(grep -v '\.msi$' "$again/SHA256SUMS") || true)
	local msi=magister-notify_${VERSION}_windows_amd64.msi
	if [[ -f $DIST/$msi ]]; then
		if cmp -s "$DIST/$msi" "$again/$msi"; then
			say "the MSI is identical too"
		else
			# wixl stamps a new package code and the current time into the
			# summary information; every table and stream else must match.
			mkdir "$again/d1" "$again/d2"
			# msidump writes the Icon table's streams into the current directory.
			(cd "$again/d1" && msidump -s -t -d . "$DIST/$msi" >/dev/null)
			(cd "$again/d2" && msidump -s -t -d . "$again/$msi" >/dev/null)
			if diff -r -x _SummaryInformation.idt -x '*SummaryInformation' "$again/d1" "$again/d2"; then
				say "the MSI differs only in its summary information (package code, creation time), as wixl writes them"
			else
				diffs+=$'\n'"$msi differs beyond its summary information"
			fi
		fi
	fi
	rm -rf "$again"
	[[ -z $diffs ]] || { printf '%s\n' "$diffs"; fail "two builds differ"; }
	say "two builds: identical checksums ($(grep -vc '\.msi$' "$DIST/SHA256SUMS") files)"
}

check_deb
check_windows
check_msi_wine
check_reproducible
say "passed in $((SECONDS - start))s"
