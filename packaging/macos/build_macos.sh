#!/bin/sh
# Build "Orderchamp Desktop.app" and a drag-to-Applications .dmg on macOS.
#
#   sh packaging/macos/build_macos.sh      # from anywhere; venv python in .venv by default
#
# Output: dist/Orderchamp Desktop.app and dist/orderchamp-desktop-<version>-macos-<arch>.dmg
#
# Environment:
#   PYTHON               the Python with the app and PyInstaller installed (default .venv/bin/python)
#   CODESIGN_IDENTITY    "Developer ID Application: ... (TEAMID)": PyInstaller signs every binary
#                        and the bundle with the hardened runtime and entitlements.plist; the
#                        .dmg is signed too. Unset: ad-hoc signature (runs on this Mac; other
#                        Macs need right-click > Open once).
#   NOTARY_PROFILE       a `xcrun notarytool store-credentials` profile: notarize and staple.
#   SKIP_SELF_TEST=1     do not run the bundle's --self-test before packing the .dmg.
set -eu

cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-.venv/bin/python}
project() {
    "$PYTHON" -c 'import sys, tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"][sys.argv[1]])' "$1"
}
NAME=$(project name)
VERSION=$(project version)
DISPLAY_NAME=$("$PYTHON" -c 'import sys; sys.path.insert(0, "packaging"); import spec_helpers; print(spec_helpers.project_meta().display_name)')
ARCH=$(uname -m)
APP="dist/$DISPLAY_NAME.app"
DMG="dist/$NAME-$VERSION-macos-$ARCH.dmg"

echo "==> PyInstaller: $APP"
"$PYTHON" -m PyInstaller --noconfirm --log-level WARN --workpath build --distpath dist \
    packaging/orderchamp-desktop.spec
[ -x "$APP/Contents/MacOS/$NAME" ] || { echo "no app bundle at $APP" >&2; exit 1; }

if [ "${SKIP_SELF_TEST:-}" != 1 ]; then
    echo "==> self-test of the bundle (offscreen)"
    "$APP/Contents/MacOS/$NAME" --self-test 2> build/self-test.stderr
    if [ -s build/self-test.stderr ]; then
        cat build/self-test.stderr >&2
        echo "the self-test wrote to stderr" >&2
        exit 1
    fi
fi

echo "==> checking the signature"
codesign --verify --deep --strict --verbose=1 "$APP"

echo "==> disk image: $DMG"
STAGE=build/dmg
rm -rf "$STAGE" "$DMG"
mkdir -p "$STAGE"
# ditto keeps the bundle's symlinks, extended attributes and signatures intact.
ditto "$APP" "$STAGE/$DISPLAY_NAME.app"
ln -s /Applications "$STAGE/Applications"
hdiutil create -volname "$DISPLAY_NAME $VERSION" -srcfolder "$STAGE" -fs HFS+ \
    -format UDZO -imagekey zlib-level=9 -ov "$DMG"
hdiutil verify "$DMG"

if [ -n "${CODESIGN_IDENTITY:-}" ]; then
    echo "==> signing the disk image"
    codesign --sign "$CODESIGN_IDENTITY" --timestamp "$DMG"
    if [ -n "${NOTARY_PROFILE:-}" ]; then
        echo "==> notarizing (this waits for Apple)"
        xcrun notarytool submit "$DMG" --keychain-profile "$NOTARY_PROFILE" --wait
        xcrun stapler staple "$DMG"
    fi
fi

du -sh "$APP" "$DMG"
