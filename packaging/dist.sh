#!/usr/bin/env bash
# make dist: the release artifacts in dist/ (see packaging/README.md).
#
# Everything is reproducible: the version comes from git describe, file
# times from the commit (SOURCE_DATE_EPOCH), binaries are built with
# -trimpath, archives list their files sorted with fixed owners and modes.
# Runs on Linux with GNU tar, gzip and zip; the MSI also needs wixl (Debian's
# wixl package) and is skipped with a note where it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
DIST=${DIST:-dist}
# Pinned tools, built from the Go module proxy. nfpm 2.46 and later need
# modules from go.digitalxero.dev that the proxy does not serve here.
NFPM=${NFPM:-github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.45.0}
WINRES=${WINRES:-github.com/tc-hib/go-winres@v0.3.3}
export MAINTAINER=${MAINTAINER:-"The magister-notify authors <maintainers@magister-notify.invalid>"}

# shellcheck source=packaging/version.sh
. packaging/version.sh

export CGO_ENABLED=0
LDFLAGS="-s -w -buildid= -X main.version=$VERSION"

STAGE=$(mktemp -d "${TMPDIR:-/tmp}/magister-notify-dist.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
export STAGE
rm -rf "$DIST"
mkdir -p "$DIST" "$STAGE/share"
DIST=$(cd "$DIST" && pwd)

say() { printf 'dist: %s\n' "$*"; }

# build GOOS GOARCH OUT [extra ldflags]
build() {
	GOOS=$1 GOARCH=$2 $GO build -trimpath -ldflags "$LDFLAGS ${4:-}" -o "$3" ./cmd/magister-notify
}

# normalize DIR: fixed times and modes for everything below DIR.
normalize() {
	find "$1" -type d -exec chmod 0755 {} +
	find "$1" -type f ! -perm -u+x -exec chmod 0644 {} +
	find "$1" -type f -perm -u+x -exec chmod 0755 {} +
	find "$1" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
}

# targz DIR NAME: DIST/NAME.tar.gz holding STAGE/pkg/DIR as NAME/.
targz() {
	normalize "$STAGE/pkg/$1"
	tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
		--format=gnu -C "$STAGE/pkg" -cf - "$1" | gzip -9n >"$DIST/$2.tar.gz"
}

# zipdir DIR NAME: DIST/NAME.zip, files sorted, no extra attributes.
zipdir() {
	normalize "$STAGE/pkg/$1"
	(cd "$STAGE/pkg" && find "$1" -type f | LC_ALL=C sort |
		TZ=UTC zip -X -D -9 -q "$DIST/$2.zip" -@)
}

docs() { cp README.md LICENSE "$1/"; }

linux() {
	local arch
	for arch in amd64 arm64; do
		say "linux/$arch"
		mkdir -p "$STAGE/linux_$arch"
		build linux "$arch" "$STAGE/linux_$arch/magister-notify"
		local name="magister-notify_${VERSION}_linux_$arch"
		mkdir -p "$STAGE/pkg/$name"
		cp "$STAGE/linux_$arch/magister-notify" "$STAGE/pkg/$name/"
		docs "$STAGE/pkg/$name"
		targz "$name" "$name"
	done

	# Shell completions come from the binary itself (the one this machine runs).
	local self="$STAGE/linux_$($GO env GOHOSTARCH)/magister-notify"
	"$self" completion bash >"$STAGE/share/magister-notify.bash"
	"$self" completion zsh >"$STAGE/share/_magister-notify"
	"$self" completion fish >"$STAGE/share/magister-notify.fish"
	gzip -9n <packaging/linux/magister-notify.1 >"$STAGE/share/magister-notify.1.gz"
	{
		printf 'magister-notify (%s) unstable; urgency=medium\n\n' "$DEB_VERSION"
		printf '  * Built from git %s.\n\n' "$VERSION"
		printf ' -- %s  %s\n' "$MAINTAINER" "$(LC_ALL=C date -u -R -d "@$SOURCE_DATE_EPOCH")"
	} | gzip -9n >"$STAGE/share/changelog.gz"
	normalize "$STAGE/share"

	for arch in amd64 arm64; do
		say "deb $arch"
		ARCH=$arch $GO run "$NFPM" package --config packaging/nfpm.yaml --packager deb \
			--target "$DIST/magister-notify_${DEB_VERSION}_$arch.deb" >/dev/null
	done
}

# uuid5 NAMESPACE NAME: the name-based (SHA-1) UUID of RFC 4122.
uuid5() {
	local h
	h=$({ printf "$(sed 's/-//g; s/../\\x&/g' <<<"$1")"; printf '%s' "$2"; } | sha1sum | cut -c1-32)
	printf '%s-%s-5%s-%x%s-%s\n' "${h:0:8}" "${h:8:4}" "${h:13:3}" $(((0x${h:16:1} & 3) | 8)) "${h:17:3}" "${h:20:12}"
}

# winres EXE: embed the icon and the version information (go-winres).
winres() {
	local json="$STAGE/winres.json"
	sed -e "s|@ICON@|$(realpath --relative-to="$STAGE" assets/icons/normal.ico)|" \
		-e "s|@WIN_VERSION@|$WIN_VERSION|g" -e "s|@VERSION@|$VERSION|" -e "s|@EXE@|${1##*/}|" \
		packaging/windows/winres.json >"$json"
	$GO run "$WINRES" patch --in "$json" --no-backup "$1" >/dev/null
}

windows() {
	local arch
	for arch in amd64 arm64; do
		say "windows/$arch"
		local name="magister-notify_${VERSION}_windows_$arch"
		local dir="$STAGE/pkg/$name"
		mkdir -p "$dir"
		build windows "$arch" "$dir/magister-notify.exe"
		build windows "$arch" "$dir/magister-notify-tray.exe" "-H windowsgui"
		winres "$dir/magister-notify.exe"
		winres "$dir/magister-notify-tray.exe"
		docs "$dir"
		zipdir "$name" "$name"
	done
	msi "$STAGE/pkg/magister-notify_${VERSION}_windows_amd64"
}

# msi DIR: the per-user MSI of the amd64 build in DIR (wixl makes x86 and
# x64 packages only; Windows on Arm runs the x64 one).
msi() {
	if ! command -v wixl >/dev/null || ! command -v msibuild >/dev/null; then
		say "no wixl or msibuild (Debian packages wixl, msitools): no MSI"
		return
	fi
	say "msi amd64"
	local m="$STAGE/msi" upgrade
	mkdir -p "$m"
	cp "$1"/* packaging/windows/magister-notify.wxs packaging/windows/MsiShortcutProperty.idt "$m/"
	cp assets/icons/normal.ico "$m/magister-notify.ico"
	normalize "$m"
	upgrade=$(sed -n 's/.*UpgradeCode="\([^"]*\)".*/\1/p' packaging/windows/magister-notify.wxs)
	(cd "$m" && wixl -a x64 -D Version="$WIN_VERSION" -D ProductCode="$(uuid5 "$upgrade" "$WIN_VERSION")" \
		-o magister-notify.msi magister-notify.wxs &&
		msibuild magister-notify.msi -i MsiShortcutProperty.idt)
	cp "$m/magister-notify.msi" "$DIST/magister-notify_${VERSION}_windows_amd64.msi"
}

# darwin: the build without cgo (headless tray: checks, notifications and
# the LaunchAgent, no menu-bar icon); make macos-app on a Mac builds the app.
darwin() {
	local arch
	for arch in amd64 arm64; do
		say "darwin/$arch"
		local name="magister-notify_${VERSION}_darwin_$arch"
		mkdir -p "$STAGE/pkg/$name"
		build darwin "$arch" "$STAGE/pkg/$name/magister-notify"
		docs "$STAGE/pkg/$name"
		targz "$name" "$name"
	done
}

linux
windows
darwin

say "SHA256SUMS"
(cd "$DIST" && find . -maxdepth 1 -type f ! -name SHA256SUMS ! -name '.*' -printf '%f\n' | LC_ALL=C sort |
	xargs sha256sum >SHA256SUMS)
# What make test-dist needs to know about this build.
declare -p VERSION DEB_VERSION WIN_VERSION SOURCE_DATE_EPOCH | sed 's/^declare -x/export/; s/^declare --/export/' >"$DIST/.build"
ls -l "$DIST"
