#!/bin/sh
# Multipath routes with weights, IPv4 and IPv6: the weights are visible in
# ip(8), traffic flows, the second plan is clean (the kernel's order of
# nexthops does not matter), and a weight changed in the file is replaced in
# place.
#
#   cust: lan 10.0.0.1/24 2001:db8::1/64 ---- site: wan 10.0.0.2/24 10.0.0.3/24
#                                                    2001:db8::2/64 2001:db8::3/64
#                                              lo 10.70.0.1 2001:db8:70::1
. "$(dirname "$0")/lib.sh"

cfg() { # WEIGHT of the second IPv4 path
	write_config <<X
[domain cust]
link = lan type veth peer wan peer-netns site
address = 10.0.0.1/24 dev lan
address = 2001:db8::1/64 dev lan
route = 10.70.0.0/16 nexthop via 10.0.0.3 weight $1 nexthop via 10.0.0.2 weight 1
route = 2001:db8:70::/48 nexthop via 2001:db8::2 dev lan weight 2 nexthop via 2001:db8::3 dev lan weight 5
[domain site]
address = 10.0.0.2/24 dev wan
address = 10.0.0.3/24 dev wan
address = 2001:db8::2/64 dev wan
address = 2001:db8::3/64 dev wan
address = 10.70.0.1/32 dev lo
address = 2001:db8:70::1/128 dev lo
route = default via 10.0.0.1
route = default via 2001:db8::1
X
}
cfg 3
vrf plan
expect_rc 2 "plan"
expect_out '^cust  \+ route 10\.70\.0\.0/16 nexthop via 10\.0\.0\.2 weight 1 nexthop via 10\.0\.0\.3 weight 3$' \
	"plan line lists the nexthops in a canonical order"
vrf apply
expect_rc 0 "apply"

v4=$(ip -n cust route show 10.70.0.0/16)
echo "$v4" | grep -q 'nexthop via 10.0.0.2 dev lan weight 1' && echo "$v4" | grep -q 'nexthop via 10.0.0.3 dev lan weight 3' &&
	ok "ip route shows both IPv4 paths with their weights" || fail "IPv4 multipath: $v4"
v6=$(ip -n cust -6 route show 2001:db8:70::/48)
echo "$v6" | grep -q 'nexthop via 2001:db8::2 dev lan weight 2' && echo "$v6" | grep -q 'nexthop via 2001:db8::3 dev lan weight 5' &&
	ok "ip -6 route shows both IPv6 paths with their weights" || fail "IPv6 multipath: $v6"

ping_ok cust 10.70.0.1 "traffic flows over the IPv4 multipath route"
if ip netns exec cust ping -6 -n -q -c 1 -W 2 2001:db8:70::1 >/dev/null 2>&1; then
	ok "traffic flows over the IPv6 multipath route"
else
	fail "ping 2001:db8:70::1 from cust failed"
fi

vrf plan
expect_rc 0 "second plan: multipath routes are in sync"

cfg 7
vrf plan
expect_rc 2 "a changed weight is a change"
expect_out '^cust  ~ route 10\.70\.0\.0/16 nexthop via 10\.0\.0\.2 weight 1 nexthop via 10\.0\.0\.3 weight 7 ' \
	"plan shows the new weights"
expect_no_out '^cust  [-+] route 10\.70' "the route is replaced, not deleted and re-added"
vrf apply
expect_rc 0 "apply the new weight"
ip -n cust route show 10.70.0.0/16 | grep -q 'nexthop via 10.0.0.3 dev lan weight 7' &&
	ok "new weight in the kernel" || fail "after change: $(ip -n cust route show 10.70.0.0/16)"
[ "$(ip -n cust route show 10.70.0.0/16 | grep -c nexthop)" = 2 ] && ok "still two paths" ||
	fail "paths: $(ip -n cust route show 10.70.0.0/16)"
vrf plan
expect_rc 0 "in sync after the change"

finish
