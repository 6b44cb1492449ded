#!/bin/sh
# Build the Linux packages of Orderchamp Desktop: `make package` runs this.
#
#   sh packaging/build_linux.sh            # from the repository root, venv in .venv
#
# Produces, from one PyInstaller one-folder build (dist/orderchamp-desktop/):
#   dist/orderchamp-desktop_<version>_<arch>.deb        app in /opt/orderchamp-desktop,
#       launcher /usr/bin/orderchamp-desktop, .desktop file and hicolor icons under /usr/share,
#       Depends computed by dpkg-shlibdeps from the binaries actually bundled
#   dist/orderchamp-desktop-<version>-linux-<arch>.tar.gz   portable folder: extract, run
#
# Environment: PYTHON (default .venv/bin/python), SKIP_PYINSTALLER=1 (repackage the existing
# dist/ build), DEB_MAINTAINER, DEB_COMPRESSION: gzip (default: ~7 s here, ~52 MB) or xz
# (~38 MB but ~1 min on 2 cores: CI uses it for release artifacts). zstd would be faster and
# smaller than gzip, but Debian's tools do not accept it as a .deb member (lintian:
# malformed-deb-archive).
# Needs: dpkg-deb (dpkg), dpkg-shlibdeps (dpkg-dev; without it a fixed Depends list is used),
# objdump (binutils, which PyInstaller needs anyway).
set -eu

cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
COMPRESSION=${DEB_COMPRESSION:-gzip}
MAINTAINER=${DEB_MAINTAINER:-Orderchamp Desktop maintainers <maintainers@orderchamp-desktop.invalid>}

project() {
    "$PYTHON" -c 'import sys, tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"][sys.argv[1]])' "$1"
}
NAME=$(project name)
VERSION=$(project version)
SUMMARY=$(project description)
if command -v dpkg >/dev/null 2>&1; then ARCH=$(dpkg --print-architecture); else ARCH=$(uname -m); fi
case "$ARCH" in x86_64) ARCH=amd64 ;; aarch64) ARCH=arm64 ;; esac

APP_DIR="dist/$NAME"
STAGE="build/deb/${NAME}_${VERSION}_${ARCH}"
DEB="dist/${NAME}_${VERSION}_${ARCH}.deb"
TARBALL="dist/${NAME}-${VERSION}-linux-${ARCH}.tar.gz"
ICONS=resources/icons/app

now() { date +%s; }
started=$(now)
step() { printf '==> [%3s s] %s\n' "$(( $(now) - started ))" "$*"; }

# --- 1. the one-folder app -----------------------------------------------------------------
if [ "${SKIP_PYINSTALLER:-}" != 1 ]; then
    step "PyInstaller one-folder build of $NAME $VERSION"
    "$PYTHON" -m PyInstaller --noconfirm --log-level WARN --workpath build --distpath dist \
        packaging/orderchamp-desktop.spec
fi
[ -x "$APP_DIR/$NAME" ] || { echo "no build in $APP_DIR" >&2; exit 1; }

# The system's C++ runtime must be the only one: a bundled older libstdc++ breaks as soon
# as Mesa or a theme plugin of the user's system needs a newer one.
if find "$APP_DIR" -name 'libstdc++*' -o -name 'libgcc_s*' | grep -q .; then
    echo "libstdc++/libgcc_s got bundled; see spec_helpers._LINUX_SYSTEM_LIBS" >&2
    exit 1
fi

# --- 2. Depends: what the bundled binaries need from the system ------------------------------
# Fallback when dpkg-dev is missing: what dpkg-shlibdeps (and `ldd` on the Qt xcb plugin)
# found on Debian 12. libxcb-icccm4 and libxcb-keysyms1 are the ones desktops most often lack.
FALLBACK_DEPENDS="libc6 (>= 2.35), libstdc++6 (>= 11), libgcc-s1 (>= 4.2), libglib2.0-0, \
libdbus-1-3, libfontconfig1, libfreetype6, libegl1, libgl1, libx11-6, libx11-xcb1, libxcb1, \
libxcb-cursor0, libxcb-glx0, libxcb-icccm4, libxcb-image0, libxcb-keysyms1, libxcb-randr0, \
libxcb-render0, libxcb-render-util0, libxcb-shape0, libxcb-shm0, libxcb-sync1, libxcb-util1, \
libxcb-xfixes0, libxcb-xkb1, libxkbcommon0, libxkbcommon-x11-0, libwayland-client0, \
libwayland-cursor0, libwayland-egl1, libcups2, zlib1g"

step "computing Depends from the bundled binaries (dpkg-shlibdeps)"
DEPENDS=$("$PYTHON" packaging/deb_depends.py "$APP_DIR") || DEPENDS=""
if [ -z "$DEPENDS" ]; then
    echo "    dpkg-shlibdeps unavailable (install dpkg-dev): using the fixed Depends list"
    DEPENDS="$FALLBACK_DEPENDS"
fi

# --- 3. the .deb ---------------------------------------------------------------------------
step "staging $STAGE"
rm -rf "$STAGE"
DOC="$STAGE/usr/share/doc/$NAME"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
    "$DOC" "$STAGE/usr/share/icons/hicolor/scalable/apps"
cp -a "$APP_DIR" "$STAGE/opt/$NAME"
# The bootloader finds its _internal folder through /proc/self/exe, so a symlink on PATH works.
ln -s "/opt/$NAME/$NAME" "$STAGE/usr/bin/$NAME"
install -m 0644 "resources/$NAME.desktop" "$STAGE/usr/share/applications/$NAME.desktop"
install -m 0644 "$ICONS/$NAME.svg" "$STAGE/usr/share/icons/hicolor/scalable/apps/$NAME.svg"
for size in 16 24 32 48 64 128 256 512; do
    dir="$STAGE/usr/share/icons/hicolor/${size}x${size}/apps"
    mkdir -p "$dir"
    install -m 0644 "$ICONS/$NAME-$size.png" "$dir/$NAME.png"
done
cat > "$DOC/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: $NAME
Comment: Orderchamp Desktop bundles CPython (PSF License), Qt and PySide6 (LGPL-3.0),
 httpx, keyring, qasync, graphql-core, platformdirs and their dependencies under their
 own licenses; their license files are inside /opt/$NAME/_internal where shipped.

Files: *
Copyright: $(date +%Y) Orderchamp Desktop maintainers
License: Proprietary
EOF
printf '%s (%s) stable; urgency=medium\n\n  * Release %s.\n\n -- %s  %s\n' \
    "$NAME" "$VERSION" "$VERSION" "$MAINTAINER" "$(date -R)" | gzip -9n > "$DOC/changelog.gz"
# Hooks for the menu and icon caches are dpkg triggers of desktop-file-utils and
# hicolor-icon-theme: no maintainer scripts needed.
find "$STAGE" -type d -exec chmod 0755 {} +  # whatever the build machine's umask was
find "$STAGE/usr/share" -type f -exec chmod 0644 {} +
INSTALLED_KB=$(du -sk "$STAGE/opt" "$STAGE/usr" | awk '{ total += $1 } END { print total }')
DESCRIPTION=$(printf '%s\n' "$SUMMARY" | fold -s -w 76 | sed 's/^/ /; s/ *$//')
cat > "$STAGE/DEBIAN/control" <<EOF
Package: $NAME
Version: $VERSION
Architecture: $ARCH
Maintainer: $MAINTAINER
Installed-Size: $INSTALLED_KB
Depends: $DEPENDS
Recommends: fonts-dejavu-core | fonts-liberation2 | fonts-noto-core
Suggests: gnome-keyring | kwalletmanager | keepassxc
Section: misc
Priority: optional
Description: Orderchamp wholesale orders, shipping, stock and invoices on the desktop
$DESCRIPTION
 .
 The API token is kept in the desktop's keychain (Secret Service: GNOME Keyring,
 KWallet or KeePassXC). Without one, it can be kept for the session only.
EOF
(cd "$STAGE" && find opt usr -type f -exec md5sum {} + | sort -k2) > "$STAGE/DEBIAN/md5sums"
chmod 0644 "$STAGE/DEBIAN/control" "$STAGE/DEBIAN/md5sums"

# Level 6: for gzip four times faster than dpkg-deb's default 9 for 0.5 % more bytes.
LEVEL=-z6
step "building $DEB ($COMPRESSION) and $TARBALL in parallel"
rm -f "$DEB"
dpkg-deb --root-owner-group "-Z$COMPRESSION" "$LEVEL" --build "$STAGE" "$DEB" >/dev/null &
DEB_JOB=$!

# --- 4. the portable tarball ---------------------------------------------------------------
TAR_ROOT="build/tarball/$NAME-$VERSION"
rm -rf "build/tarball" && mkdir -p "$TAR_ROOT"
cp -a "$APP_DIR/." "$TAR_ROOT/"
install -m 0644 "resources/$NAME.desktop" "$ICONS/$NAME.svg" "$ICONS/$NAME-256.png" "$TAR_ROOT/"
install -m 0755 packaging/linux/install-desktop-entry.sh "$TAR_ROOT/install-desktop-entry.sh"
PACKAGES=$(printf '%s\n' "$DEPENDS" | sed 's/ ([^)]*)//g' | fold -s -w 76 | sed 's/^/  /; s/ *$//')
sed -e "s/@VERSION@/$VERSION/g" -e '/@DEPENDS@/{r /dev/stdin' -e 'd;}' \
    packaging/linux/README.txt.in > "$TAR_ROOT/README.txt" <<EOF
$PACKAGES
EOF
rm -f "$TARBALL"
tar -C build/tarball --owner=0 --group=0 --numeric-owner -czf "$TARBALL" "$NAME-$VERSION"
wait "$DEB_JOB" || { echo "dpkg-deb failed" >&2; exit 1; }

# --- 5. report -----------------------------------------------------------------------------
size() { du -sh "$1" | cut -f1; }
step "done"
printf '    %-52s %s\n' "$APP_DIR/ (one folder)" "$(size "$APP_DIR")" \
    "$DEB" "$(size "$DEB")" "$TARBALL" "$(size "$TARBALL")"
printf '    Depends: %s\n' "$DEPENDS"
