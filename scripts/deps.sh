#!/bin/sh
# Installs the Debian packages hvcert needs, only those missing.
# Usage: scripts/deps.sh [extra-package ...]
set -e
PKGS="build-essential pkg-config libcpuid-dev libpci-dev pci.ids pciutils libhwloc-dev hwloc-nox
libjansson-dev gnuplot-nox python3 $*"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
