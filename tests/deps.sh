#!/bin/sh
# Install the Debian packages that building and testing vrfmgr need, when any
# is missing.  Run as root on Debian; elsewhere it only says what is missing.
set -e
pkgs="build-essential pkg-config clang libinih-dev libnl-3-dev libnl-route-3-dev
      libmnl-dev libnftnl-dev libnftables-dev nftables iproute2 iputils-ping
      mandoc util-linux procps python3 python3-prometheus-client ansible-core strace"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing (run 'make deps' as root)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq $missing >/dev/null
