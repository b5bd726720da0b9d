#!/bin/sh
# Routes in two domains that use the same 10.0.0.0/24: each domain's route
# reaches its own site and never the other's; foreign routes (proto static,
# proto boot, kernel) survive apply; a hand-made route carrying vrfmgr's
# protocol is vrfmgr's and goes; a second apply writes nothing.
#
#   site-a: wan 10.0.0.2/24, lo 10.50.0.1 ---- cust-a: lan 10.0.0.1/24
#   site-b: wan 10.0.0.2/24, lo 10.50.0.2 ---- cust-b: lan 10.0.0.1/24
#   cust-a and cust-b both: route 10.50.0.0/16 via 10.0.0.2 metric 20
. "$(dirname "$0")/lib.sh"

write_config <<'X'
[domain cust-a]
link = lan type veth peer wan peer-netns site-a
address = 10.0.0.1/24 dev lan
route = 10.50.0.0/16 via 10.0.0.2 metric 20
route = 10.60.0.0/16 via 10.0.0.2 table 100
route = blackhole 192.168.0.0/16
[domain site-a]
address = 10.0.0.2/24 dev wan
address = 10.50.0.1/32 dev lo
route = default via 10.0.0.1
[domain cust-b]
link = lan type veth peer wan peer-netns site-b
address = 10.0.0.1/24 dev lan
route = 10.50.0.0/16 via 10.0.0.2 metric 20
[domain site-b]
address = 10.0.0.2/24 dev wan
address = 10.50.0.2/32 dev lo
route = default via 10.0.0.1
X

vrf plan
expect_rc 2 "plan of new domains with routes"
expect_out '^cust-a  \+ route 10\.50\.0\.0/16 via 10\.0\.0\.2 metric 20$' "plan line reads like the file"
expect_out '^cust-a  \+ route 10\.60\.0\.0/16 via 10\.0\.0\.2 table 100$' "plan line with a table"
expect_out '^cust-a  \+ route blackhole 192\.168\.0\.0/16$' "plan line of a blackhole route"
expect_out '^site-b  \+ route default via 10\.0\.0\.1$' "plan line of a default route"

vrf apply
expect_rc 0 "apply"

has_route() { # NS 'ip route args' REGEX
	ip -n "$1" route show $2 2>/dev/null | grep -Eq -- "$3"
}
has_route cust-a "10.50.0.0/16" 'via 10\.0\.0\.2 dev lan proto (250|vrfmgr) metric 20' &&
	ok "cust-a: route is in the kernel with vrfmgr's protocol" ||
	fail "cust-a: $(ip -n cust-a route show 10.50.0.0/16)"
has_route cust-a "table 100" '^10\.60\.0\.0/16 via 10\.0\.0\.2 dev lan proto (250|vrfmgr)' &&
	ok "cust-a: route in table 100" || fail "cust-a table 100: $(ip -n cust-a route show table 100)"
has_route cust-a "type blackhole" '^blackhole 192\.168\.0\.0/16 proto (250|vrfmgr)' &&
	ok "cust-a: blackhole route" || fail "cust-a blackhole: $(ip -n cust-a route show type blackhole)"
has_route cust-b "10.50.0.0/16" 'via 10\.0\.0\.2 dev lan proto (250|vrfmgr) metric 20' &&
	ok "cust-b: the same prefix, its own route" || fail "cust-b: $(ip -n cust-b route show 10.50.0.0/16)"

ping_ok cust-a 10.50.0.1 "cust-a reaches site-a's 10.50.0.1 through its route"
ping_fails cust-a 10.50.0.2 "cust-a cannot reach site-b's 10.50.0.2"
ping_ok cust-b 10.50.0.2 "cust-b reaches site-b's 10.50.0.2 through its route"
ping_fails cust-b 10.50.0.1 "cust-b cannot reach site-a's 10.50.0.1"

vrf plan
expect_rc 0 "plan after apply: in sync"
vrf -v apply
expect_rc 0 "second apply"
expect_out '^vrfmgr: 0 netlink write requests sent$' "second apply sends no netlink write"
expect_no_out ' [+~-] (route|address|rule) ' "second apply lists no change"

# Other people's routes: static, boot (ip's default) and the kernel's own.
ip -n cust-a route add 10.99.0.0/16 via 10.0.0.2 proto static
ip -n cust-a route add 10.98.0.0/16 via 10.0.0.2
ip -n cust-a route add 10.50.0.0/16 via 10.0.0.2 metric 30 proto static
# ...and one made by hand with vrfmgr's protocol: that is vrfmgr's.
ip -n cust-a route add 10.97.0.0/16 via 10.0.0.2 proto 250
vrf plan
expect_rc 2 "plan sees the hand-made route with vrfmgr's protocol"
expect_out '^cust-a  - route 10\.97\.0\.0/16 via 10\.0\.0\.2 dev lan  ! route removed$' "and plans to delete it"
expect_no_out '10\.99\.0\.0|10\.98\.0\.0|metric 30|10\.0\.0\.0/24' "foreign and kernel routes are not in the plan"
vrf apply
expect_rc 0 "apply with foreign routes present"
has_route cust-a "10.99.0.0/16" 'proto static' && ok "proto static route survives" ||
	fail "proto static route gone"
has_route cust-a "10.98.0.0/16" 'via 10\.0\.0\.2' && ok "proto boot route survives" || fail "proto boot route gone"
has_route cust-a "10.50.0.0/16" 'metric 30' && ok "foreign route on our prefix (other metric) survives" ||
	fail "foreign metric 30 route gone"
has_route cust-a "10.0.0.0/24" 'proto kernel' && ok "kernel's prefix route survives" || fail "kernel route gone"
has_route cust-a "10.97.0.0/16" '.' && fail "hand-made proto 250 route still there" ||
	ok "hand-made route with vrfmgr's protocol was removed"

# A route leaves the file: it goes, the foreign one on the same prefix stays.
sed -i '/^route = 10.50.0.0\/16/d' "$T/vrfmgr.ini"
vrf plan
expect_out '^cust-a  - route 10\.50\.0\.0/16 via 10\.0\.0\.2 dev lan metric 20  ! route removed$' "a route that left the file is deleted (cust-a)"
expect_out '^cust-b  - route 10\.50\.0\.0/16 via 10\.0\.0\.2 dev lan metric 20  ! route removed$' "... and in cust-b"
vrf apply
expect_rc 0 "apply the removal"
has_route cust-a "10.50.0.0/16" 'metric 20' && fail "cust-a: metric 20 route still there" ||
	ok "cust-a: our route is gone"
has_route cust-a "10.50.0.0/16" 'metric 30' && ok "cust-a: the foreign route on the same prefix stays" ||
	fail "cust-a: foreign route gone: $(ip -n cust-a route show 10.50.0.0/16)"
ping_fails cust-b 10.50.0.2 "cust-b lost its route to 10.50.0.2"

finish
