#!/bin/sh
# Addresses: IPv4 and IPv6 on declared links and lo, usable at once (an IPv6
# address is not left tentative); the kernel's own addresses (127.0.0.1/8,
# ::1, link-local) are never planned or touched; in the host namespace only
# links published into [host] are vrfmgr's; an address made by hand on a
# declared link is removed; noprefixroute changes converge for both
# families; an address that leaves the file goes.
#
#   host: cust-up 100.64.0.1/30 ---- cust: up 100.64.0.2/30 2001:db8::2/64
#   host: hx (made by the test, not in the file) 192.0.2.1/24
. "$(dirname "$0")/lib.sh"

ip link add hx type veth peer name hy
ip addr add 192.0.2.1/24 dev hx
ip link set hx up

cfg() { # extra lines for [domain cust]
	write_config <<X
[host]
address = 100.64.0.1/30 dev cust-up
address = 2001:db8::1/64 dev cust-up
[domain cust]
link = up type veth peer cust-up
address = 100.64.0.2/30 dev up
address = 2001:db8::2/64 dev up
address = 10.9.0.1/32 dev lo
$1
X
}
cfg "address = 2001:db8:9::1/128 dev lo"
vrf plan
expect_rc 2 "plan"
expect_out '^host  \+ address 100\.64\.0\.1/30 dev cust-up$' "host address plan line"
expect_out '^cust  \+ address 2001:db8::2/64 dev up$' "IPv6 address plan line"
expect_out '^cust  \+ address 10\.9\.0\.1/32 dev lo$' "lo address plan line"
vrf apply
expect_rc 0 "apply"

ip -n cust -o addr show dev up | grep -q 'inet 100.64.0.2/30' && ok "IPv4 address on the declared link" ||
	fail "cust up: $(ip -n cust -o addr show dev up)"
ip -n cust -o -6 addr show dev up | grep '2001:db8::2/64' | grep -q tentative &&
	fail "IPv6 address is tentative (DAD): $(ip -n cust -o -6 addr show dev up)" ||
	ok "IPv6 address is usable at once (no DAD)"
ip netns exec cust ping -6 -n -q -c 1 -W 2 2001:db8::1 >/dev/null 2>&1 &&
	ok "IPv6 ping right after apply" || fail "IPv6 ping to the host failed"
ping_ok cust 100.64.0.1 "IPv4 ping to the host"
ip -n cust -o addr show dev lo | grep -q 'inet 127.0.0.1/8' && ok "127.0.0.1/8 kept on lo" || fail "127.0.0.1 gone"
ip -n cust -o addr show dev lo | grep -q 'inet6 ::1/128' && ok "::1 kept on lo" || fail "::1 gone"
ip -o addr show dev hx | grep -q 'inet 192.0.2.1/24' && ok "host interface not in the file keeps its address" ||
	fail "hx lost its address"

vrf plan
expect_rc 0 "in sync after apply (link-local and loopback addresses are not vrfmgr's)"
expect_no_out 'fe80|127\.0\.0\.1|::1/128|192\.0\.2\.1' "the kernel's and the host's other addresses are never planned"
vrf -v apply
expect_out '^vrfmgr: 0 netlink write requests sent$' "second apply sends no netlink write"

# By hand on a declared link: vrfmgr's to remove.  On the host's hx: never.
ip -n cust addr add 10.99.0.1/24 dev up
ip addr add 192.0.2.9/24 dev hx
vrf plan
expect_rc 2 "plan notices a hand-made address on a declared link"
expect_out '^cust  - address 10\.99\.0\.1/24 dev up  ! address removed$' "and plans to delete it"
expect_no_out '192\.0\.2\.9' "an address on an undeclared host link is not planned"
vrf apply
expect_rc 0 "apply"
ip -n cust -o addr show dev up | grep -q 10.99.0.1 && fail "hand-made address still there" ||
	ok "hand-made address on a declared link removed"
ip -o addr show dev hx | grep -q 192.0.2.9 && ok "address on an undeclared host link survives" ||
	fail "hx lost 192.0.2.9"

# noprefixroute, IPv4 (delete and add) and IPv6 (replace).
cfg "address = 2001:db8:9::1/128 dev lo
address = 10.8.0.1/24 dev up noprefixroute
address = 2001:db8:8::1/64 dev up noprefixroute"
sed -i 's/^address = 2001:db8::2\/64 dev up$/address = 2001:db8::2\/64 dev up noprefixroute/' "$T/vrfmgr.ini"
vrf apply
expect_rc 0 "apply addresses with noprefixroute"
ip -n cust route show 10.8.0.0/24 | grep -q . && fail "prefix route made for a noprefixroute address" ||
	ok "no prefix route for 10.8.0.1/24 noprefixroute"
vrf plan
expect_rc 0 "noprefixroute addresses are in sync"
sed -i 's/^address = 10.8.0.1\/24 dev up noprefixroute$/address = 10.8.0.1\/24 dev up/;
	s/^address = 2001:db8::2\/64 dev up noprefixroute$/address = 2001:db8::2\/64 dev up/' "$T/vrfmgr.ini"
vrf plan
expect_out '^cust  ~ address 10\.8\.0\.1/24 dev up \(was: 10\.8\.0\.1/24 dev up noprefixroute\)  ! address removed and added again$' "IPv4 noprefixroute dropped: a change"
expect_out '^cust  ~ address 2001:db8::2/64 dev up \(was: 2001:db8::2/64 dev up noprefixroute\)$' "IPv6 noprefixroute dropped: a change"
vrf apply
expect_rc 0 "apply the change"
ip -n cust route show 10.8.0.0/24 | grep -q 'proto kernel' && ok "IPv4: the prefix route is back" ||
	fail "no prefix route: $(ip -n cust route)"
ip -n cust -6 route show 2001:db8::/64 | grep -q 'proto kernel' && ok "IPv6: the prefix route is back" ||
	fail "no IPv6 prefix route: $(ip -n cust -6 route)"
vrf plan
expect_rc 0 "in sync after the noprefixroute changes"

# Addresses leave the file.
cfg ""
vrf plan
expect_out '^cust  - address 2001:db8:9::1/128 dev lo  ! address removed$' "an address on lo that left the file is deleted"
expect_out '^cust  - address 10\.8\.0\.1/24 dev up  ! address removed$' "an address on a link that left the file is deleted"
vrf apply
expect_rc 0 "apply"
ip -n cust -o addr show dev lo | grep -q '2001:db8:9::1' && fail "lo address still there" || ok "lo address removed"
ip -n cust -o addr show dev lo | grep -q 'inet 127.0.0.1/8' && ok "127.0.0.1/8 still on lo" || fail "127.0.0.1 gone"
vrf plan
expect_rc 0 "in sync at the end"

finish
