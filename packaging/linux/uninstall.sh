#!/bin/sh
# Uninstall MotCua Counter (installed copy: APPDIR/uninstall.sh). Run as root:
#
#   sudo /opt/motcua/uninstall.sh            (same DESTDIR as the install, if one was used)
#
# Removes the application folder, the previous version kept for rollback (APPDIR.old), the
# `motcua` command, the menu entry, the icons and the example configuration. Keeps the site
# configuration (SYSCONFDIR/motcua/motcua.toml) and every counter's data, stores, backups and
# logs (they are the centre's records, not the program's).
set -eu
DESTDIR=${DESTDIR:-}
HERE=$(cd "$(dirname "$0")" && pwd -P)
die() { echo "uninstall.sh: $*" >&2; exit 1; }
[ -f "$HERE/install.manifest" ] || die "no install.manifest in $HERE: not an installed MotCua folder"
if [ "$(id -u)" -ne 0 ] && [ -z "$DESTDIR" ]; then die "run as root: sudo $0"; fi
while IFS= read -r path; do
    case "$path" in /*) ;; *) continue ;; esac
    rm -f "$DESTDIR$path"
    rmdir "$(dirname "$DESTDIR$path")" 2>/dev/null || true   # motcua/ in SYSCONFDIR, if empty
done < "$HERE/install.manifest"
APP=$HERE
case "$APP" in */motcua|*/motcua.old) ;; *) die "refusing to remove $APP (not a motcua folder)" ;; esac
rm -rf "$APP.old"
cd /
rm -rf "$APP"
if [ -z "$DESTDIR" ]; then
    command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q || true
fi
echo "MotCua Counter removed. Kept: the site configuration and the counters' data folders."
