# Shared by contrib/quickstart.sh and contrib/test.sh: packages and the build.
# shellcheck shell=bash

RN_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RN_JOBS=$(nproc 2>/dev/null || echo 2)

# Debian 12 packages: to build, and (RN_TEST_PKGS) to run every test.
RN_BUILD_PKGS="build-essential autoconf automake pkg-config libssl-dev libevent-dev
  zlib1g-dev libsqlite3-dev libcmark-dev libcurl4-openssl-dev libcmocka-dev tor"
RN_TEST_PKGS="python3 curl clang libclang-rt-14-dev cppcheck clang-format mandoc age openssl
  firefox-esr libfirefox-marionette-perl onionshare-cli minisign"

rn_as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Install whichever of the named packages are missing.
rn_install_missing() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "roneo: installing ${missing[*]}"
	rn_as_root apt-get update -qq
	rn_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
}

# The unprivileged user the http child runs as when roneod starts as root.
rn_ensure_user() {
	id roneo >/dev/null 2>&1 && return 0
	rn_as_root useradd --system --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin roneo
}

# rn_build DIR [configure options]: configure (once) and build in DIR.
rn_build() {
	local dir=$1; shift
	if [ ! -x "$RN_TOP/configure" ] || [ "$RN_TOP/configure.ac" -nt "$RN_TOP/configure" ]; then
		(cd "$RN_TOP" && autoreconf -fi >/dev/null 2>&1) || (cd "$RN_TOP" && autoreconf -fi)
	fi
	mkdir -p "$dir"
	if [ ! -f "$dir/Makefile" ]; then
		(cd "$dir" && "$RN_TOP/configure" -q "$@")
	fi
	make -C "$dir" -j"$RN_JOBS" >/dev/null
}
