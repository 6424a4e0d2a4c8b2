#!/bin/sh
# Installs the Debian packages hvcert needs, only those missing.
# Usage: scripts/deps.sh [extra-package ...]
set -e
PKGS="build-essential pkg-config libcpuid-dev libpci-dev pci.ids pciutils libhwloc-dev hwloc-nox
libjansson-dev libzydis-dev gnuplot-nox python3 $*"
. "$(dirname "$0")/apt.sh"
missing=""
for p in $PKGS; do
	pkg_installed "$p" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
apt_install $missing
