#!/bin/sh
# Fetches a Debian kernel package and unpacks it (vmlinuz + modules) under
# build/kernels/PKG/ for the nested-KVM rig (tests/rig/). The package is never
# installed: we only need its files, and the host's own kernel is not ours to
# touch. Prints the tree's absolute path on stdout; progress goes to stderr.
# Usage: scripts/get-kernel.sh [PKG]   (default linux-image-6.1.0-56-amd64)
set -e

PKG=${1:-linux-image-6.1.0-56-amd64}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KDIR="$ROOT/build/kernels"
TREE="$KDIR/$PKG"

# Already unpacked and depmod'ed: nothing to do (.done is written last).
if [ -f "$TREE/.done" ]; then
	echo "$TREE"
	exit 0
fi

. "$ROOT/scripts/apt.sh"

mkdir -p "$KDIR"

# depmod lives in kmod; needed to regenerate modules.dep for the unpacked tree.
if ! command -v depmod >/dev/null 2>&1 && [ ! -x /sbin/depmod ] && [ ! -x /usr/sbin/depmod ]; then
	echo "get-kernel: installing kmod (for depmod)" >&2
	apt_install kmod
fi
DEPMOD=$(command -v depmod 2>/dev/null || true)
[ -z "$DEPMOD" ] && [ -x /usr/sbin/depmod ] && DEPMOD=/usr/sbin/depmod
[ -z "$DEPMOD" ] && [ -x /sbin/depmod ] && DEPMOD=/sbin/depmod

# Reuse a .deb left by an earlier interrupted run; else download it. Debian
# names it PKG_VERSION_ARCH.deb. apt-get download writes into the cwd.
deb=$(ls "$KDIR/${PKG}"_*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
	echo "get-kernel: downloading $PKG" >&2
	# _apt cannot write into build/ when run as root: apt falls back to an
	# unsandboxed download and warns; that warning is harmless.
	(cd "$KDIR" && apt-get download "$PKG" >&2) ||
		{ echo "get-kernel: refreshing package lists" >&2 && $SUDO apt-get update -qq >&2 &&
			(cd "$KDIR" && apt-get download "$PKG" >&2); }
	deb=$(ls "$KDIR/${PKG}"_*.deb 2>/dev/null | head -n 1 || true)
	[ -n "$deb" ] || { echo "get-kernel: download of $PKG gave no .deb" >&2; exit 1; }
fi

# Unpack into a private temp dir and rename at the end, so a concurrent or
# interrupted run never leaves a half-extracted tree that looks complete.
tmp="$KDIR/.$PKG.tmp.$$"
trap 'rm -rf "$tmp"' EXIT INT TERM
rm -rf "$tmp"
mkdir -p "$tmp"
echo "get-kernel: extracting $(basename "$deb")" >&2
dpkg-deb -x "$deb" "$tmp"

# Merged-/usr packages put modules in usr/lib/modules; depmod -b looks in
# BASE/lib/modules, so bridge the two.
if [ ! -d "$tmp/lib/modules" ] && [ -d "$tmp/usr/lib/modules" ]; then
	ln -s usr/lib "$tmp/lib"
fi
VERSION=$(ls "$tmp/lib/modules/" | head -n 1)
[ -n "$VERSION" ] || { echo "get-kernel: no lib/modules/VERSION in $PKG" >&2; exit 1; }
ls "$tmp"/boot/vmlinuz-* >/dev/null 2>&1 || { echo "get-kernel: no boot/vmlinuz-* in $PKG" >&2; exit 1; }
"$DEPMOD" -b "$tmp" "$VERSION"
touch "$tmp/.done"

# Another run may have finished meanwhile: keep its tree, drop ours.
if [ -f "$TREE/.done" ]; then
	rm -rf "$tmp"
else
	rm -rf "$TREE"
	mv "$tmp" "$TREE"
fi
trap - EXIT INT TERM
echo "$TREE"
