#!/bin/sh
# Unpacks another build of QEMU (qemu-system-x86 and the qemu-system-common
# of the same version, which holds its accelerator modules; never installed)
# so bench can compare hypervisor versions. Prints its qemu-system-x86_64.
# Usage: scripts/get-qemu.sh VERSION   e.g. 1:7.2+dfsg-7+deb12u15
set -e
cd "$(dirname "$0")/.."
ver=$1
dir=build/qemu/$(echo "$ver" | tr ':+~' '___')
if [ ! -e "$dir/.done" ]; then
	mkdir -p "$dir"
	for pkg in qemu-system-x86 qemu-system-common; do
		(cd "$dir" && apt-get download "$pkg=$ver" >/dev/null 2>&1 ||
			{ apt-get update -qq >/dev/null && apt-get download "$pkg=$ver" >/dev/null; })
		dpkg-deb -x "$dir/${pkg}_"*.deb "$dir"
	done
	touch "$dir/.done"
fi
echo "$dir/usr/bin/qemu-system-x86_64"
