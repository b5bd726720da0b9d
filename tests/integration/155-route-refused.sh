#!/bin/sh
# When the kernel refuses a route, apply says which line and why (the
# kernel's extended-ack text), and the domain goes back to what it was: the
# routes of the same batch that the kernel accepted are removed again.  A
# foreign route already holding the same identity is not taken over.
#
#   cust: lan 10.0.0.1/24 ---- site: wan 10.0.0.2/24
. "$(dirname "$0")/lib.sh"

cfg() { # extra lines for [domain cust]
	write_config <<X
[domain cust]
link = lan type veth peer wan peer-netns site
address = 10.0.0.1/24 dev lan
route = 10.50.0.0/16 via 10.0.0.2
$1
[domain site]
address = 10.0.0.2/24 dev wan
X
}
cfg ""
vrf apply
expect_rc 0 "first apply"

# 10.81/16 is fine, 10.80/16's gateway is on no connected network.
cfg "route = 10.81.0.0/16 via 10.0.0.2 metric 5
route = 10.80.0.0/16 via 172.16.0.1"
vrf apply
expect_rc 1 "apply with a route the kernel refuses fails"
expect_out "^cust  ! \+ route 10\.80\.0\.0/16 via 172\.16\.0\.1: .*[Nn]exthop.*gateway.* \(.*vrfmgr\.ini:9\)$" \
	"the failure names the route, the kernel's reason and FILE:LINE"
expect_out 'undone|as it was' "apply says the domain was put back"
ip -n cust route show 10.81.0.0/16 | grep -q . && fail "10.81.0.0/16 left behind: $(ip -n cust route)" ||
	ok "the accepted route of the same batch was rolled back"
ip -n cust route show 10.50.0.0/16 | grep -q 'via 10.0.0.2' && ok "the domain's earlier route is intact" ||
	fail "10.50.0.0/16 lost: $(ip -n cust route)"

# A foreign route holds the identity the file wants: refused, not taken over.
ip -n cust route add 10.82.0.0/16 via 10.0.0.2 proto static
cfg "route = 10.82.0.0/16 via 10.0.0.2"
vrf plan
expect_out '^cust  \+ route 10\.82\.0\.0/16 via 10\.0\.0\.2$' "plan wants to add the route (the foreign one is not vrfmgr's)"
vrf apply
expect_rc 1 "apply refuses to take over a foreign route"
expect_out '^cust  ! \+ route 10\.82\.0\.0/16 via 10\.0\.0\.2: .*(exists|File exists)' "and says the route exists"
ip -n cust route show 10.82.0.0/16 | grep -q 'proto static' && ok "the foreign route is untouched" ||
	fail "foreign route changed: $(ip -n cust route show 10.82.0.0/16)"

# Once the foreign route is gone, the same file applies.
ip -n cust route del 10.82.0.0/16 via 10.0.0.2 proto static
vrf apply
expect_rc 0 "apply once the foreign route is gone"
ip -n cust route show 10.82.0.0/16 | grep -Eq 'proto (250|vrfmgr)' && ok "route added with vrfmgr's protocol" ||
	fail "route: $(ip -n cust route show 10.82.0.0/16)"

finish
