# Sourced (not run) by every script that may need a Debian package, so there
# is one way to install: only what is missing, progress on stderr, and one
# retry after refreshing the lists (a fresh machine may have none, or stale).
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo

# pkg_installed PKG: true when dpkg has PKG fully installed.
pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# apt_install PKG...: install PKGs; on failure update the lists once and retry.
apt_install() {
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >&2 ||
		{ $SUDO apt-get update -qq >&2 &&
			DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >&2; }
}
