#!/bin/sh
# Many routes in one domain (ROUTES, default 50000: IPv4 in two tables and
# IPv6): all land in the kernel, the second plan finds nothing to do and the
# second apply writes nothing, one route changed in the file is exactly one
# plan line.  Times are printed for information; the benchmark (make bench)
# is where speed is judged.
#
#   big: lan 10.255.0.1/24 2001:db8:ff::1/64 ---- gw: wan 10.255.0.2/24 2001:db8:ff::2/64
. "$(dirname "$0")/lib.sh"

N=${ROUTES:-50000}
{
	cat <<X
[domain big]
link = lan type veth peer wan peer-netns gw
address = 10.255.0.1/24 dev lan
address = 2001:db8:ff::1/64 dev lan
X
	awk -v n="$N" 'BEGIN {
		for (i = 0; i < n; i++) {
			a = int(i / 65536); b = int(i / 256) % 256; c = i % 256
			if (i % 5 == 4)
				printf "route = 2001:db8:%x:%x::/64 via 2001:db8:ff::2\n", int(i / 65536), i % 65536
			else if (i % 5 == 3)
				printf "route = 10.%d.%d.%d/32 via 10.255.0.2 table 100\n", a, b, c
			else
				printf "route = 10.%d.%d.%d/32 via 10.255.0.2\n", a, b, c
		}
	}'
	cat <<X
[domain gw]
address = 10.255.0.2/24 dev wan
address = 2001:db8:ff::2/64 dev wan
X
} | write_config

now() { date +%s.%N; }
t0=$(now)
vrf apply
t1=$(now)
expect_rc 0 "apply $N routes"
echo "info: apply of $N routes took $(awk "BEGIN { printf \"%.3f\", $t1 - $t0 }") s"

v4=$(ip -4 -n big route show table all proto 250 | grep -c .)
v6=$(ip -n big -6 route show table all proto 250 | grep -c .)
[ "$((v4 + v6))" = "$N" ] && ok "all $N routes are in the kernel ($v4 IPv4, $v6 IPv6)" ||
	fail "kernel has $v4 + $v6 routes with protocol 250, wanted $N"

t0=$(now)
vrf plan
t1=$(now)
expect_rc 0 "plan with $N routes in sync"
echo "info: no-op plan took $(awk "BEGIN { printf \"%.3f\", $t1 - $t0 }") s"
vrf -v apply
expect_out '^vrfmgr: 0 netlink write requests sent$' "second apply sends no netlink write"

# One route changes its gateway, one leaves, one comes: three plan lines.
sed -i 's/^route = 10\.0\.1\.4\/32 via 10\.255\.0\.2$/route = 10.0.1.4\/32 via 10.255.0.3/;
	/^route = 10\.0\.1\.5\/32 via 10\.255\.0\.2$/d' "$T/vrfmgr.ini"
sed -i 's/^\[domain gw\]$/route = 10.254.0.0\/16 via 10.255.0.2\n[domain gw]/' "$T/vrfmgr.ini"
vrf plan
expect_rc 2 "plan after three edits"
[ "$(grep -c '^big  ' "$T/out")" = 3 ] && ok "exactly three plan lines" || fail "plan: $(head -5 "$T/out")"
expect_out '^big  ~ route 10\.0\.1\.4/32 via 10\.255\.0\.3 ' "the changed route"
expect_out '^big  - route 10\.0\.1\.5/32 via 10\.255\.0\.2 dev lan  ! route removed$' "the removed route"
expect_out '^big  \+ route 10\.254\.0\.0/16 via 10\.255\.0\.2$' "the new route"
vrf -v apply
expect_rc 0 "apply the three edits"
expect_out '^vrfmgr: 3 netlink write requests sent$' "three edits are three netlink requests"
vrf plan
expect_rc 0 "in sync again"

finish
