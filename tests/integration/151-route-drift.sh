#!/bin/sh
# Route drift made with ip(8) behind vrfmgr's back is shown by plan (exit 2)
# as the change apply will make, and apply repairs it: a gateway replaced, an
# mtu added, a route turned into a blackhole, a route deleted, an IPv6 route
# replaced.  A metric change in the file is a new identity: old route out,
# new route in.
#
#   cust: lan 10.0.0.1/24 2001:db8::1/64 ---- site: wan 10.0.0.2/24 10.0.0.3/24 2001:db8::2/64
. "$(dirname "$0")/lib.sh"

write_config <<'X'
[domain cust]
link = lan type veth peer wan peer-netns site
address = 10.0.0.1/24 dev lan
address = 2001:db8::1/64 dev lan
route = 10.50.0.0/16 via 10.0.0.2 metric 20
route = 10.60.0.0/16 via 10.0.0.2 table 100
route = 2001:db8:50::/48 via 2001:db8::2
[domain site]
address = 10.0.0.2/24 dev wan
address = 10.0.0.3/24 dev wan
address = 2001:db8::2/64 dev wan
address = 10.50.0.1/32 dev lo
route = default via 10.0.0.1
X
vrf apply
expect_rc 0 "apply"
vrf plan
expect_rc 0 "in sync after apply"

route_of() { ip -n cust "$@" 2>/dev/null; }

# 1. The gateway is replaced behind vrfmgr's back (same protocol, so it is
#    still vrfmgr's route).
ip -n cust route replace 10.50.0.0/16 via 10.0.0.3 metric 20 proto 250
vrf plan
expect_rc 2 "plan notices a replaced gateway"
expect_out '^cust  ~ route 10\.50\.0\.0/16 via 10\.0\.0\.2 metric 20 \(was: 10\.50\.0\.0/16 via 10\.0\.0\.3 dev lan metric 20\)$' \
	"plan shows the change back to the file's gateway, and the live route"
vrf apply
expect_rc 0 "apply repairs it"
route_of route show 10.50.0.0/16 | grep -q 'via 10.0.0.2 dev lan' && ok "gateway is 10.0.0.2 again" ||
	fail "gateway: $(route_of route show 10.50.0.0/16)"
[ "$(route_of route show 10.50.0.0/16 | wc -l)" = 1 ] && ok "replaced in place, no second route" ||
	fail "routes: $(route_of route show 10.50.0.0/16)"

# 2. An mtu the file does not ask for.
ip -n cust route change 10.50.0.0/16 via 10.0.0.2 metric 20 mtu 1400 proto 250
vrf plan
expect_rc 2 "plan notices an added mtu"
expect_out '^cust  ~ route 10\.50\.0\.0/16 via 10\.0\.0\.2 metric 20 \(was: .* mtu 1400\)$' "plan shows the route as the file has it"
vrf apply
route_of route show 10.50.0.0/16 | grep -q mtu && fail "mtu still set: $(route_of route show 10.50.0.0/16)" ||
	ok "mtu removed"

# 3. A route in table 100 turned into a blackhole.
ip -n cust route replace blackhole 10.60.0.0/16 table 100 proto 250
vrf plan
expect_out '^cust  ~ route 10\.60\.0\.0/16 via 10\.0\.0\.2 table 100 \(was: blackhole 10\.60\.0\.0/16 table 100\)$' "plan notices a changed route type in table 100"
vrf apply
route_of route show table 100 | grep -q '^10.60.0.0/16 via 10.0.0.2 dev lan' && ok "table 100 route repaired" ||
	fail "table 100: $(route_of route show table 100)"

# 4. A route deleted.
ip -n cust route del 10.50.0.0/16 via 10.0.0.2 metric 20
ping_fails cust 10.50.0.1 "without the route, 10.50.0.1 is unreachable"
vrf plan
expect_rc 2 "plan notices a deleted route"
expect_out '^cust  \+ route 10\.50\.0\.0/16 via 10\.0\.0\.2 metric 20$' "and plans to add it"
vrf apply
expect_rc 0 "apply adds it back"
ping_ok cust 10.50.0.1 "10.50.0.1 reachable again"

# 5. IPv6: gateway replaced.
ip -n cust -6 route replace 2001:db8:50::/48 via 2001:db8::3 dev lan metric 1024 proto 250
vrf plan
expect_out '^cust  ~ route 2001:db8:50::/48 via 2001:db8::2 \(was: 2001:db8:50::/48 via 2001:db8::3 dev lan\)$' "plan notices IPv6 drift"
vrf apply
route_of -6 route show 2001:db8:50::/48 | grep -q 'via 2001:db8::2 dev lan' && ok "IPv6 route repaired" ||
	fail "IPv6: $(route_of -6 route show 2001:db8:50::/48)"

vrf plan
expect_rc 0 "in sync after the repairs"

# 6. The file changes the metric: a different route to the kernel.
sed -i 's/^route = 10.50.0.0\/16 via 10.0.0.2 metric 20$/route = 10.50.0.0\/16 via 10.0.0.2 metric 30/' "$T/vrfmgr.ini"
vrf plan
expect_out '^cust  - route 10\.50\.0\.0/16 via 10\.0\.0\.2 dev lan metric 20  ! route removed$' "metric change: old route out"
expect_out '^cust  \+ route 10\.50\.0\.0/16 via 10\.0\.0\.2 metric 30$' "metric change: new route in"
vrf apply
expect_rc 0 "apply the metric change"
route_of route show 10.50.0.0/16 | grep -q 'metric 30' &&
	! route_of route show 10.50.0.0/16 | grep -q 'metric 20' && ok "only the metric 30 route is left" ||
	fail "routes: $(route_of route show 10.50.0.0/16)"
vrf plan
expect_rc 0 "in sync at the end"

finish
