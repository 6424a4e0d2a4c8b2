#!/bin/sh
# Builds the nested-KVM rig's initramfs: a gzipped newc cpio with a static
# busybox, the KVM modules of kernel tree KTREE (from scripts/get-kernel.sh)
# with their dependencies, tests/rig/init as /init, and PAYLOAD_DIR as
# /payload (it should hold run.sh, see tests/rig/init).
# Usage: tests/rig/mkinitramfs.sh KTREE PAYLOAD_DIR OUT
set -e

usage() { echo "usage: $0 KTREE PAYLOAD_DIR OUT" >&2; exit 2; }
[ $# -eq 3 ] || usage
KTREE=$1 PAYLOAD=$2 OUT=$3
HERE=$(cd "$(dirname "$0")" && pwd)
[ -d "$KTREE/lib/modules" ] || { echo "mkinitramfs: $KTREE has no lib/modules (run scripts/get-kernel.sh)" >&2; exit 1; }
[ -d "$PAYLOAD" ] || { echo "mkinitramfs: payload dir $PAYLOAD missing" >&2; exit 1; }

. "$HERE/../../scripts/apt.sh"

# busybox-static, not busybox: the initramfs has no libc, so /bin/busybox must
# be the statically linked one (the two packages replace each other).
pkg_installed busybox-static || { echo "mkinitramfs: installing busybox-static" >&2; apt_install busybox-static; }
command -v cpio >/dev/null 2>&1 || { echo "mkinitramfs: installing cpio" >&2; apt_install cpio; }

VER=$(ls "$KTREE/lib/modules/" | head -n 1)
MODDIR="$KTREE/lib/modules/$VER"
DEP="$MODDIR/modules.dep"
[ -f "$DEP" ] || { echo "mkinitramfs: $DEP missing (depmod not run?)" >&2; exit 1; }

STAGE=$(mktemp -d "${TMPDIR:-/tmp}/rig-initramfs.XXXXXX")
trap 'rm -rf "$STAGE" "$OUT.tmp.$$"' EXIT INT TERM
mkdir -p "$STAGE/bin" "$STAGE/dev" "$STAGE/proc" "$STAGE/sys" "$STAGE/tmp" \
	"$STAGE/lib/modules" "$STAGE/payload"

# --- busybox and its applets (all of them: cheap symlinks, and payload
# scripts then find whatever common tool they reach for).
cp /bin/busybox "$STAGE/bin/busybox"
for app in $(/bin/busybox --list); do
	[ "$app" = busybox ] || ln -sf busybox "$STAGE/bin/$app"
done
# The few the init script relies on must exist even if --list changed.
for app in sh mount insmod mkdir cat echo poweroff sleep ls timeout dmesg grep tail tr sync uname; do
	[ -e "$STAGE/bin/$app" ] || { echo "mkinitramfs: busybox lacks applet $app" >&2; exit 1; }
done

# --- modules. modules.dep lines are "rel/path.ko[.xz]: dep1 dep2 ...", each
# line listing the full transitive dependency set.
# modpath NAME: the modules.dep key of module NAME (file name without .ko*).
modpath() {
	awk -F: -v n="$1" '{ b = $1; sub(/.*\//, "", b); sub(/\.ko(\.(xz|zst|gz))?$/, "", b); if (b == n) { print $1; exit } }' "$DEP"
}
# moddeps REL: the dependencies listed for key REL, reversed (modules.dep
# names a module before the ones it needs, so the reverse is a load order).
moddeps() {
	awk -F: -v k="$1" '$1 == k { n = split($2, a, " "); for (i = n; i >= 1; i--) print a[i]; exit }' "$DEP"
}
# need TOOL PKG: install PKG when TOOL is missing (decompressors).
need() { command -v "$1" >/dev/null 2>&1 || { echo "mkinitramfs: installing $2" >&2; apt_install "$2"; }; }
ORDER="$STAGE/lib/modules/order"
: >"$ORDER"
# add REL: add the module's dependencies (recursively), then the module
# itself, once each. Uses only $1 and the pre-expanded for list, both of
# which survive the recursive calls.
add() {
	grep -qx "$(basename "$1" | sed 's/\.ko.*$//').ko" "$ORDER" && return 0
	for d in $(moddeps "$1"); do add "$d"; done
	name=$(basename "$1" | sed 's/\.ko.*$//')
	case "$1" in
	# Decompress at build time: busybox insmod passes the file straight to
	# init_module(2), which wants a plain ELF object.
	*.ko.xz) need xz xz-utils; xz -dc "$MODDIR/$1" >"$STAGE/lib/modules/$name.ko" ;;
	*.ko.zst) need zstd zstd; zstd -qdc "$MODDIR/$1" >"$STAGE/lib/modules/$name.ko" ;;
	*.ko.gz) gzip -dc "$MODDIR/$1" >"$STAGE/lib/modules/$name.ko" ;;
	*.ko) cp "$MODDIR/$1" "$STAGE/lib/modules/$name.ko" ;;
	*) echo "mkinitramfs: unknown module file type $1" >&2; exit 1 ;;
	esac
	echo "$name.ko" >>"$ORDER"
}
for m in kvm kvm-amd kvm-intel; do
	rel=$(modpath "$m")
	if [ -n "$rel" ]; then
		add "$rel"
	elif grep -q "/$m\.ko" "$MODDIR/modules.builtin" 2>/dev/null; then
		echo "mkinitramfs: $m is built into $VER" >&2
	else
		echo "mkinitramfs: module $m not found in $DEP" >&2
		exit 1
	fi
done
echo "mkinitramfs: modules (load order): $(tr '\n' ' ' <"$ORDER")" >&2

# --- /init and the payload.
cp "$HERE/init" "$STAGE/init"
chmod 755 "$STAGE/init"
cp -a "$PAYLOAD/." "$STAGE/payload/"
# The kernel opens /dev/console for init before /init runs; its built-in
# initramfs normally provides the node, ours too where we may mknod.
if [ "$(id -u)" -eq 0 ]; then mknod -m 600 "$STAGE/dev/console" c 5 1 2>/dev/null || true; fi

# --- pack: newc is the cpio format the kernel unpacks; owners forced to root;
# sorted for a stable archive; written aside and renamed so a concurrent
# reader never sees half a file.
mkdir -p "$(dirname "$OUT")"
(cd "$STAGE" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -n -6 >"$OUT.tmp.$$"
mv "$OUT.tmp.$$" "$OUT"
echo "mkinitramfs: wrote $OUT ($(wc -c <"$OUT") bytes)" >&2
