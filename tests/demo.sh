#!/bin/sh
# make demo: run vrfmgr on vrfmgr.ini.example inside a throwaway sandbox (a
# private mount and network namespace, tmpfs over /run/netns, /run/vrfmgr and
# /etc/netns), so the host is untouched: check, plan, apply, ping across the
# domains, plan again (nothing to do), audit, status.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
VRFMGR=${VRFMGR:-$TOP/vrfmgr/vrfmgr}
if [ "${VRF_SANDBOXED:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || { echo "demo: needs root (it makes namespaces in a sandbox)"; exit 1; }
	export VRF_SANDBOXED=1
	exec unshare -m -n --propagation private sh -c '
		for d in /run/netns /run/vrfmgr /etc/netns /var/lib/vrfmgr; do
			mkdir -p "$d" && mount -t tmpfs -o mode=0755 vrfdemo "$d" || exit 1
		done
		exec sh "$@"' sh "$0" "$@"
fi
cd "$TOP" || exit 1
CFG=vrfmgr.ini.example
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
status=0

step "$VRFMGR" -c $CFG check || exit 1
step "$VRFMGR" -c $CFG plan; [ $? = 2 ] || { echo "demo: plan should report changes"; status=1; }
step "$VRFMGR" -c $CFG apply || status=1
printf '\n\033[1mTraffic: every site shares 10.0.0.0/24 and reaches the upstream through its own NAT\033[0m\n'
for s in a b c; do
	if ip netns exec site-$s ping -n -q -c 1 -W 2 198.51.100.1 >/dev/null 2>&1; then
		echo "  site-$s (10.0.0.10) -> 198.51.100.1: reply"
	else
		echo "  site-$s (10.0.0.10) -> 198.51.100.1: NO REPLY"; status=1
	fi
done
step "$VRFMGR" -c $CFG plan || { echo "demo: second plan should be empty"; status=1; }
step "$VRFMGR" -c $CFG audit || status=1
step "$VRFMGR" -c $CFG status
step ip netns list
echo
[ $status = 0 ] && echo "demo: ok" || echo "demo: FAILED"
exit $status
