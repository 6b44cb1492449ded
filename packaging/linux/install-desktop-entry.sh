#!/bin/sh
# Add Orderchamp Desktop from this extracted folder to your application menu (this user
# only, nothing outside ~/.local/share is touched). Run it again after moving the folder.
#   ./install-desktop-entry.sh             add or update the menu entry
#   ./install-desktop-entry.sh --remove    remove it again
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${XDG_DATA_HOME:-$HOME/.local/share}
ENTRY="$DATA/applications/orderchamp-desktop.desktop"
ICON="$DATA/icons/hicolor/scalable/apps/orderchamp-desktop.svg"

if [ "${1:-}" = "--remove" ]; then
    rm -f "$ENTRY" "$ICON"
    echo "Removed the menu entry."
    exit 0
fi
mkdir -p "$(dirname "$ENTRY")" "$(dirname "$ICON")"
cp "$HERE/orderchamp-desktop.svg" "$ICON"
# Desktop Entry quoting: inside "..." escape " ` $ and \ with a backslash, then escape every
# backslash once more for the string type (so a literal \ becomes four).
program="$HERE/orderchamp-desktop"
quoted=$(printf '%s' "$program" | sed -e 's/\\/\\\\\\\\/g' -e 's/["`$]/\\\\&/g')
plain=$(printf '%s' "$program" | sed -e 's/\\/\\\\/g')
{
    grep -v -e '^Exec=' -e '^TryExec=' "$HERE/orderchamp-desktop.desktop"
    printf 'Exec="%s"\nTryExec=%s\n' "$quoted" "$plain"
} > "$ENTRY"
if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$DATA/applications" || true
fi
echo "Added Orderchamp Desktop to your application menu ($ENTRY)."
