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

linux

say "SHA256SUMS"
(cd "$DIST" && find . -maxdepth 1 -type f ! -name SHA256SUMS -printf '%f\n' | LC_ALL=C sort |
	xargs sha256sum >SHA256SUMS)
ls -l "$DIST"
