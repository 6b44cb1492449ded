#!/bin/sh
# Runs the keyring tests against a real Secret Service: gnome-keyring inside a private
# D-Bus session (dbus-run-session), unlocked with a throwaway password. Where those
# programs are missing (macOS, Windows, a minimal box) it says so and exits 0.
set -eu
PY=${1:-python3}
if ! command -v dbus-run-session >/dev/null 2>&1 || ! command -v gnome-keyring-daemon >/dev/null 2>&1; then
    echo "keyring_real: no dbus-run-session/gnome-keyring-daemon here; install dbus and gnome-keyring to run it"
    exit 0
fi
export KEYRING_TEST_REAL=1
exec dbus-run-session -- sh -c '
    export HOME="$(mktemp -d)"
    printf "throwaway-test-password" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    QT_QPA_PLATFORM=offscreen "$0" -m pytest -m keyring_real -p no:cacheprovider -q
' "$PY"
