#!/bin/sh
# macvlan on a lower device in the host: the device is made through the
# host's socket straight into the domain (IFLA_NET_NS_FD), as
# `ip link add link PARENT name X netns D type macvlan` does.  The parent is a
# veth end that [host] declares; the other end is a test namespace "lan"
# standing for the wire.  Two domains hang macvlans off the same parent and
# reach each other (mode bridge) and the wire.
#
#   lan: wire 10.3.0.9/24 ==== host: hlan (bridge mode macvlans below)
#                                  +-- a: mv 10.3.0.1/24
#                                  +-- b: mv 10.3.0.2/24
. "$(dirname "$0")/lib.sh"

ip netns add lan || die "cannot create the test namespace lan"
write_config <<'X'
[host]
link = hlan type veth peer wire peer-netns lan
[domain lan]
address = 10.3.0.9/24 dev wire
[domain a]
link = mv type macvlan parent hlan mode bridge
address = 10.3.0.1/24 dev mv
[domain b]
link = mv type macvlan parent hlan mode bridge mtu 1400
address = 10.3.0.2/24 dev mv
X
# lan was made by the test, not by vrfmgr: the file may manage it only once
# it is adopted.
vrf plan --adopt
expect_rc 2 "plan"
expect_out '^a  \+ link mv type macvlan parent hlan mode bridge$' "plan line reads like the file"
expect_out '^lan  ~ namespace /run/netns/lan adopted$' "plan adopts the test's lan"
vrf apply --adopt
expect_rc 0 "apply"
ip -n a -d -o link show mv | grep -q 'macvlan mode bridge' && ok "a: mv is a bridge-mode macvlan" ||
	fail "a: mv: $(ip -n a -d -o link show mv 2>&1)"
ip -n b -o link show mv | grep -q 'mtu 1400' && ok "b: mtu 1400 set at creation" ||
	fail "b: mv: $(ip -n b -o link show mv 2>&1)"
ip -n a -o link show mv | grep -q "mv@" && ok "a: mv sits on a lower device outside the domain" ||
	fail "a: mv has no lower device: $(ip -n a -o link show mv)"
ip -o link show | grep -q ' mv[@:]' && fail "a macvlan was left in the host" || ok "nothing left in the host"
ping_ok a 10.3.0.9 "a reaches the wire through its macvlan"
ping_ok a 10.3.0.2 "a reaches b (bridge mode)"
ping_ok lan 10.3.0.2 "the wire reaches b"

vrf apply
expect_rc 0 "second apply"
[ -s "$T/out" ] && fail "second apply printed: $(cat "$T/out")" || ok "second apply changes nothing"

# Mode changed in the file: the macvlan is made again (the kernel cannot
# change every kind option in place), and its address comes back.
sed -i 's/^link = mv type macvlan parent hlan mode bridge$/link = mv type macvlan parent hlan mode private/' "$T/vrfmgr.ini"
vrf plan
expect_rc 2 "plan after a mode change"
expect_out '^a  ~ link mv type macvlan parent hlan mode private \(rebuild: was type macvlan parent hlan mode bridge\)  ! link recreated$' \
	"plan shows the rebuild with the old kind options"
vrf apply
expect_rc 0 "apply rebuilds"
ip -n a -d -o link show mv | grep -q 'macvlan mode private' && ok "a: mode private now" ||
	fail "a: mv: $(ip -n a -d -o link show mv 2>&1)"
ip -n a -o addr show dev mv | grep -q '10.3.0.1/24' && ok "its address was put back in the same run" ||
	fail "a: mv lost its address: $(ip -n a -o addr show dev mv)"
ping_ok a 10.3.0.9 "a reaches the wire again"
vrf plan
expect_rc 0 "in sync after the rebuild"

# A parent that does not exist is refused before anything is touched.
write_config <<'X'
[domain a]
link = mv2 type macvlan parent nosuchparent
X
vrf check
expect_rc 1 "check refuses a missing parent"
expect_out 'link "mv2": missing parent device "nosuchparent": not declared in \[host\] and not present in the host namespace' \
	"the message names the parent"
finish
