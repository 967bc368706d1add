#!/bin/sh
# Install MotCua Counter @VERSION@ system-wide. Run as root from the unpacked folder:
#
#   sudo ./install.sh
#
# Paths (each can be set on its own; DESTDIR prefixes all of them, for packagers/staging):
#   PREFIX      /usr/local                 BINDIR, DATADIR below
#   APPDIR      /opt/motcua                (PREFIX/lib/motcua when PREFIX is not /usr/local or /usr)
#   BINDIR      PREFIX/bin                 the `motcua` command (a symlink into APPDIR)
#   DATADIR     PREFIX/share               menu entry and icons
#   SYSCONFDIR  /etc                       (PREFIX/etc when PREFIX is not /usr/local or /usr):
#                                          motcua/motcua.toml.example; the site file itself,
#                                          motcua/motcua.toml, is IT's and never touched
#   KEEP_OLD    1                          keep the replaced version as APPDIR.old (rollback)
#
# Every installed file is owned by root and writable only by root, whoever unpacked the
# archive. The previous version is kept in APPDIR.old until the next upgrade (about 150 MB;
# roll back with: sudo APPDIR.old/install.sh, or see the README). Uninstall:
# sudo APPDIR/uninstall.sh (keeps the site configuration and every counter's data).
# Data and stores are per user (~/.local/share/motcua); a new version backs a store up before
# any schema upgrade.
set -eu
umask 022
VERSION="@VERSION@"
HERE=$(cd "$(dirname "$0")" && pwd -P)
DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/usr/local}
case "$PREFIX" in
    /usr/local|/usr) APPDIR=${APPDIR:-/opt/motcua}; SYSCONFDIR=${SYSCONFDIR:-/etc} ;;
    *) APPDIR=${APPDIR:-$PREFIX/lib/motcua}; SYSCONFDIR=${SYSCONFDIR:-$PREFIX/etc} ;;
esac
BINDIR=${BINDIR:-$PREFIX/bin}
DATADIR=${DATADIR:-$PREFIX/share}
KEEP_OLD=${KEEP_OLD:-1}

die() { echo "install.sh: $*" >&2; exit 1; }
for p in "$PREFIX" "$APPDIR" "$BINDIR" "$DATADIR" "$SYSCONFDIR"; do
    case "$p" in /*) ;; *) die "paths must be absolute: $p" ;; esac
done
[ -x "$HERE/motcua" ] || die "run me from the unpacked motcua-$VERSION folder (no motcua binary in $HERE)"
if [ "$(id -u)" -ne 0 ]; then
    [ -n "$DESTDIR" ] || die "run as root: sudo $0"
    echo "install.sh: not root: staging into $DESTDIR without changing owners (use fakeroot)" >&2
    OWN=""
else
    OWN="root"
fi

own() {  # root:root, nobody else may write; symlinks too (-h)
    [ -n "$OWN" ] || return 0
    chown -R -h 0:0 "$@"
    chmod -R u+rwX,go+rX,go-w "$@"
}

APP="$DESTDIR$APPDIR"
# 1. A fresh, root-owned copy next to the installed one (cp without -a: no owner or
#    group-/world-writable mode comes from the unpacking account).
rm -rf "$APP.new"
mkdir -p "$(dirname "$APP")"
mkdir "$APP.new"
( cd "$HERE" && tar -cf - --exclude=./install.manifest . ) | ( cd "$APP.new" && tar -xf - --no-same-owner --no-same-permissions )
own "$APP.new"
# 2. Swap: the previous version becomes APPDIR.old (one kept), the new one APPDIR.
if [ -d "$APP" ]; then
    rm -rf "$APP.old"
    if [ "$KEEP_OLD" = 1 ]; then mv "$APP" "$APP.old"; else rm -rf "$APP"; fi
fi
mv "$APP.new" "$APP"

# 3. Command, menu entry, icons, example configuration.
inst() {  # inst MODE SRC DEST
    mkdir -p "$(dirname "$3")"
    if [ -n "$OWN" ]; then install -o root -g root -m "$1" "$2" "$3"; else install -m "$1" "$2" "$3"; fi
}
mkdir -p "$DESTDIR$BINDIR"
ln -sfn "$APPDIR/motcua" "$DESTDIR$BINDIR/motcua"
[ -n "$OWN" ] && chown -h 0:0 "$DESTDIR$BINDIR/motcua"
sed "s|^Exec=.*|Exec=$BINDIR/motcua|" "$APP/motcua.desktop" > "$APP/motcua.desktop.tmp"
inst 644 "$APP/motcua.desktop.tmp" "$DESTDIR$DATADIR/applications/motcua.desktop"
rm -f "$APP/motcua.desktop.tmp"
inst 644 "$APP/motcua.png" "$DESTDIR$DATADIR/icons/hicolor/256x256/apps/motcua.png"
inst 644 "$APP/motcua.svg" "$DESTDIR$DATADIR/icons/hicolor/scalable/apps/motcua.svg"
inst 644 "$APP/motcua.toml.example" "$DESTDIR$SYSCONFDIR/motcua/motcua.toml.example"

# 4. What uninstall.sh removes (paths without DESTDIR).
{
    echo "$BINDIR/motcua"
    echo "$DATADIR/applications/motcua.desktop"
    echo "$DATADIR/icons/hicolor/256x256/apps/motcua.png"
    echo "$DATADIR/icons/hicolor/scalable/apps/motcua.svg"
    echo "$SYSCONFDIR/motcua/motcua.toml.example"
} > "$APP/install.manifest"
own "$APP/install.manifest"

if [ -z "$DESTDIR" ]; then
    command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$DATADIR/applications" || true
fi
echo "MotCua Counter $VERSION installed in $APPDIR (command: $BINDIR/motcua)."
[ -d "$APP.old" ] && echo "Previous version kept in $APPDIR.old (rollback: see README, 'Rollback')."
echo "Check it with: motcua --self-test"
