#!/bin/sh
# watch tells its own changes from anyone else's by the port id in the
# netlink notification, not by time: a route deleted out of band just after
# one of watch's passes (which restores another route) is repaired at once,
# not at the next interval (300 s here).  Each trial: delete route A, poll
# until watch has put it back (its pass is then just over), delete route B
# right away, poll until B is back.  The old code swallowed everything for
# 100 ms after a pass and lost B.  Prints the repair latencies of B.
# nftables changes wake watch too (their notifications carry the port id
# as well): a chain flushed out of band is repaired well before the
# interval, and watch's own firewall load does not wake it again.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/fw"
cat >"$T/fw/we.nft" <<'X'
table inet filter {
	chain input {
		type filter hook input priority filter; policy accept;
		ip saddr 192.0.2.1 drop
	}
}
X
chmod 0644 "$T/fw/we.nft"
write_config <<'X'
[domain we]
link = we0 type veth peer we0-host
address = 10.7.0.1/24 dev we0
route = 10.8.0.0/16 via 10.7.0.254
route = 10.9.0.0/16 via 10.7.0.254
nft_file = fw/we.nft
X
"$VRFMGR" -c "$T/vrfmgr.ini" watch --interval 300 >"$T/watch.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$T"' EXIT

there() { ip -n we route show "$1" 2>/dev/null | grep -q 10.7.0.254; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# until_there ROUTE MS: poll (no fixed sleep) until ROUTE is back, at most
# MS milliseconds; prints how long it took.
until_there() {
	t0=$(now_ms)
	while ! there "$1"; do
		[ $(( $(now_ms) - t0 )) -gt "$2" ] && return 1
		sleep 0.01
	done
	echo $(( $(now_ms) - t0 ))
}

until_there 10.9.0.0/16 20000 >/dev/null && until_there 10.8.0.0/16 20000 >/dev/null ||
	die "watch did not apply at start: $(cat "$T/watch.log")"
TRIALS=20 BOUND=10000
: >"$T/lat"
i=0
while [ $i -lt $TRIALS ]; do
	i=$((i + 1))
	ip -n we route del 10.8.0.0/16 || die "this test's own deletion of route A failed"
	until_there 10.8.0.0/16 $BOUND >/dev/null || { fail "trial $i: route A not repaired"; break; }
	ip -n we route del 10.9.0.0/16 || die "this test's own deletion of route B failed"
	if ms=$(until_there 10.9.0.0/16 $BOUND); then
		echo "$ms" >>"$T/lat"
	else
		fail "trial $i: route B, deleted just after a pass, not repaired within $BOUND ms"
		break
	fi
done
n=$(wc -l <"$T/lat")
if [ "$n" = $TRIALS ]; then
	ok "all $TRIALS deletions right after a pass were repaired within $BOUND ms"
	sort -n "$T/lat" | awk '{ v[NR] = $1 } END {
		printf "repair latency: median %d ms, max %d ms (%d trials)\n", v[int((NR + 1) / 2)], v[NR], NR }'
fi
fw_there() { ip netns exec we nft list chain inet filter input 2>/dev/null | grep -q 192.0.2.1; }
fw_there || die "watch did not load the firewall: $(cat "$T/watch.log")"
ip netns exec we nft flush chain inet filter input
fw_there && die "this test's own flush of the chain did not take"
t0=$(now_ms)
while ! fw_there && [ $(( $(now_ms) - t0 )) -le $BOUND ]; do sleep 0.01; done
fw_there && ok "a flushed chain is repaired in $(( $(now_ms) - t0 )) ms, long before the interval" ||
	fail "nftables drift not repaired within $BOUND ms"
# Idle means idle: with nothing changing, a watch that woke on its own
# echoes would pass again and again.  Its CPU time over 3 s tells.
cpu() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
sleep 1
c0=$(cpu)
sleep 3
c1=$(cpu)
[ $((c1 - c0)) -le 10 ] && ok "an idle watch stays idle ($((c1 - c0)) ticks of CPU in 3 s)" ||
	fail "watch keeps working with nothing changing: $((c1 - c0)) ticks of CPU in 3 s"
kill -0 $pid 2>/dev/null && ok "watch still running" || fail "watch died: $(cat "$T/watch.log")"
kill -TERM $pid
wait $pid
[ $? = 0 ] && ok "watch stops cleanly" || fail "watch did not stop cleanly"
finish
