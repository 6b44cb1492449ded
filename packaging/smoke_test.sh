#!/bin/sh
# Smoke-test the Linux packages that packaging/build_linux.sh made (`.ci/run` runs this).
#
#   sh packaging/smoke_test.sh
#
# Every check runs `orderchamp-desktop --self-test` (offscreen: Qt, resources, cache,
# keyring, sandbox, sync, main window) and demands exit code 0 and an empty stderr:
#   1. the one-folder build in dist/
#   2. the portable tarball, extracted to a temporary folder
#   3. the .deb: installed with apt (Depends resolved from the archive) when running as
#      root with apt-get, then run through /usr/bin and purged; else extracted and run
#   4. the real X11 plugin under Xvfb (when xvfb-run exists), against the system's xcb libraries
#   5. the keychain through the real Secret Service (gnome-keyring in a private D-Bus session,
#      when dbus-run-session and gnome-keyring-daemon exist)
# SMOKE_INSTALL=0 skips the apt install even as root.
set -eu

cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
NAME=$("$PYTHON" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["name"])')
VERSION=$("$PYTHON" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
DEB=$(ls dist/"${NAME}_${VERSION}"_*.deb)
TARBALL=$(ls dist/"${NAME}-${VERSION}"-linux-*.tar.gz)
TMP=$(mktemp -d)
INSTALLED=""
cleanup() {
    if [ -n "$INSTALLED" ]; then
        apt-get purge -y -qq "$NAME" >/dev/null 2>&1 || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
failures=0

# check LABEL COMMAND...: run it, show stdout, fail on a non-zero exit or any stderr output.
check() {
    label=$1
    shift
    printf '\n--- %s: %s\n' "$label" "$*"
    status=0
    "$@" 2>"$TMP/stderr" || status=$?
    if [ "$status" -ne 0 ] || [ -s "$TMP/stderr" ]; then
        echo "FAILED: $label (exit $status); stderr:"
        cat "$TMP/stderr"
        failures=$((failures + 1))
    else
        echo "passed: $label"
    fi
}

check "one-folder build" "dist/$NAME/$NAME" --self-test

mkdir "$TMP/tarball"
tar -C "$TMP/tarball" -xzf "$TARBALL"
check "portable tarball" "$TMP/tarball/$NAME-$VERSION/$NAME" --self-test

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && [ "${SMOKE_INSTALL:-1}" != 0 ] \
        && ! dpkg -s "$NAME" >/dev/null 2>&1; then
    printf '\n--- installing %s with apt-get\n' "$DEB"
    if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "./$DEB" \
            >"$TMP/apt.log" 2>&1; then
        INSTALLED=1
        check "installed .deb via /usr/bin" "/usr/bin/$NAME" --self-test
        check "installed launcher target" test "$(readlink -f "/usr/bin/$NAME")" = "/opt/$NAME/$NAME"
        if command -v desktop-file-validate >/dev/null 2>&1; then
            check "installed .desktop file" desktop-file-validate "/usr/share/applications/$NAME.desktop"
        fi
    else
        echo "FAILED: apt-get could not install $DEB (Depends not satisfiable?)"
        cat "$TMP/apt.log"
        failures=$((failures + 1))
    fi
else
    mkdir "$TMP/deb"
    dpkg-deb -x "$DEB" "$TMP/deb"
    check ".deb payload (extracted)" "$TMP/deb/opt/$NAME/$NAME" --self-test
fi

BINARY="dist/$NAME/$NAME"
[ -n "$INSTALLED" ] && BINARY="/opt/$NAME/$NAME"
if command -v xvfb-run >/dev/null 2>&1; then
    check "xcb platform under Xvfb" env ORDERCHAMP_SELF_TEST_PLATFORM=xcb \
        xvfb-run -a "$BINARY" --self-test
fi

# The frozen keyring must find the Secret Service backend by itself (entry points in the
# bundled metadata): a private D-Bus session with an unlocked throwaway gnome-keyring.
if command -v dbus-run-session >/dev/null 2>&1 && command -v gnome-keyring-daemon >/dev/null 2>&1; then
    printf '\n--- frozen keyring against a real Secret Service (gnome-keyring)\n'
    mkdir "$TMP/keyring"
    status=0
    # dbus-daemon's own notices go to /dev/null; the app's stderr is checked below.
    dbus-run-session -- sh -c '
        export HOME="$1"
        printf "throwaway" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
        ORDERCHAMP_SELF_TEST_STEPS=keyring "$2" --self-test >"$1/out" 2>"$1/err"
    ' sh "$TMP/keyring" "$BINARY" 2>/dev/null || status=$?
    cat "$TMP/keyring/out"
    if [ "$status" -eq 0 ] && [ ! -s "$TMP/keyring/err" ] \
            && grep -q "system keychain (keyring.backends.SecretService" "$TMP/keyring/out"; then
        echo "passed: frozen keyring with Secret Service"
    else
        echo "FAILED: frozen keyring with Secret Service (exit $status)"
        cat "$TMP/keyring/err"
        failures=$((failures + 1))
    fi
fi

if [ "$failures" -ne 0 ]; then
    printf '\nsmoke test: %s check(s) failed\n' "$failures"
    exit 1
fi
printf '\nsmoke test: all checks passed\n'
