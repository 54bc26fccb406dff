#!/usr/bin/env bash
# make macos-app: on a Mac, dist/magister-notify.app with the menu-bar icon.
#
# Needs Go and Apple's command line tools (xcode-select --install: clang
# for cgo, lipo, iconutil, sips, codesign). Builds the tray with cgo for
# arm64 and amd64, joins them into one universal binary, and assembles:
#
#   magister-notify.app/Contents/
#     Info.plist                 LSUIElement (no Dock icon), m6loapp:// scheme
#     MacOS/magister-notify-app  opening the app runs `magister-notify tray`
#     MacOS/magister-notify      the universal binary (also the CLI)
#     Resources/magister-notify.icns
#
# The bundle is signed ad hoc (codesign -s -), which Apple silicon needs to
# run it at all; it is not notarized, so the first start needs a right-click
# and Open. Then: drag it to /Applications, open it once, and turn on "Start
# at login" in its menu (or run
# /Applications/magister-notify.app/Contents/MacOS/magister-notify service install).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [[ $(uname -s) != Darwin ]]; then
	echo "make macos-app runs on a Mac: the menu-bar icon needs cgo and Apple's SDK." >&2
	echo "Elsewhere make dist builds the darwin .tar.gz (no icon, everything else)." >&2
	exit 1
fi
GO=${GO:-go}
. packaging/version.sh

app=dist/magister-notify.app
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -rf "$app"
mkdir -p "$app/Contents/MacOS" "$app/Contents/Resources"

for arch in arm64 amd64; do
	echo "macos-app: darwin/$arch with cgo"
	CGO_ENABLED=1 GOOS=darwin GOARCH=$arch $GO build -trimpath \
		-ldflags "-s -w -X main.version=$VERSION" -o "$tmp/magister-notify-$arch" ./cmd/magister-notify
done
lipo -create -output "$app/Contents/MacOS/magister-notify" "$tmp/magister-notify-arm64" "$tmp/magister-notify-amd64"
install -m 0755 packaging/macos/launcher.sh "$app/Contents/MacOS/magister-notify-app"

short=${WIN_VERSION%.*}
sed -e "s/@VERSION@/$VERSION/" -e "s/@SHORT_VERSION@/$short/" packaging/macos/Info.plist >"$app/Contents/Info.plist"
plutil -lint "$app/Contents/Info.plist"

# The icon: the iconset sizes iconutil wants, from the PNGs in assets/icons.
set_=$tmp/magister-notify.iconset
mkdir "$set_"
cp assets/icons/normal-16.png "$set_/icon_16x16.png"
cp assets/icons/normal-32.png "$set_/icon_16x16@2x.png"
cp assets/icons/normal-32.png "$set_/icon_32x32.png"
cp assets/icons/normal-64.png "$set_/icon_32x32@2x.png"
sips -z 128 128 assets/icons/normal-256.png --out "$set_/icon_128x128.png" >/dev/null
cp assets/icons/normal-256.png "$set_/icon_128x128@2x.png"
cp assets/icons/normal-256.png "$set_/icon_256x256.png"
iconutil -c icns -o "$app/Contents/Resources/magister-notify.icns" "$set_"

codesign --force --sign - "$app/Contents/MacOS/magister-notify"
codesign --force --sign - "$app"
lipo -info "$app/Contents/MacOS/magister-notify"
echo "macos-app: $app ($VERSION)"
