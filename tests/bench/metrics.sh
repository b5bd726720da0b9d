#!/bin/sh
# The cost of `vrfmgr metrics` against a no-op `plan` of the same domains
# (issue 11: no more than twice).  A one-off measurement, not a test: it
# prints figures and asserts nothing about time.
#
#   sh tests/bench/metrics.sh [DOMAINS [ROUTES [NFT_RULES [RUNS]]]]   (default 1000 10 10 3)
#
# Runs in a private sandbox (unshare -m -n, tmpfs over /run/netns,
# /run/vrfmgr, /etc/netns and /tmp), so the host is untouched.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
: "${VRFMGR:=$TOP/vrfmgr/vrfmgr}"
D=${1:-1000} R=${2:-10} F=${3:-10} RUNS=${4:-3}
if [ "${VRF_SANDBOXED:-}" != 1 ]; then
	export VRF_SANDBOXED=1 VRFMGR
	exec unshare -m -n --propagation private sh -c '
		for d in /run/netns /run/vrfmgr /etc/netns; do
			mkdir -p "$d" && mount -t tmpfs -o mode=0755 vrfbench "$d" || exit 1
		done
		mount -t tmpfs -o mode=1777 vrfbench /tmp || exit 1
		exec sh "$@"' sh "$0" "$@"
fi
umask 022
W=$(mktemp -d /tmp/vrfbench.XXXXXX)
mkdir -p "$W/sh" "$W/nft"
awk -v D="$D" -v R="$R" -v F="$F" -v S=2 -v N=1 -v OUT="$W" -f "$TOP/tests/bench/gen.awk" >/dev/null
t() { # COMMAND...: wall seconds
	s=$(date +%s.%N)
	"$@" >/dev/null 2>&1
	echo "$(date +%s.%N) - $s" | bc
}
echo "metrics bench: $D domains, $R routes and $F nft rules each, $RUNS runs"
"$VRFMGR" -q -c "$W/full.ini" apply || { echo "apply failed"; exit 1; }
"$VRFMGR" -q -c "$W/full.ini" plan >/dev/null 2>&1
[ $? = 0 ] || echo "warning: the no-op plan found changes"
for i in $(seq 1 "$RUNS"); do
	p=$(t "$VRFMGR" -q -c "$W/full.ini" plan)
	m=$(t "$VRFMGR" -q -c "$W/full.ini" metrics)
	echo "run $i: plan ${p}s metrics ${m}s"
done
"$VRFMGR" -q -c "$W/full.ini" metrics | wc -l | sed 's/^/metrics lines: /'
ip -all netns delete >/dev/null 2>&1
