#!/bin/sh
# vlan and dummy links.  A vlan's lower device lives in the host, so it is
# made through the host's socket into the domain; the far side of the trunk
# tags by hand.  This needs kernel support for both kinds, which some test
# kernels lack: the test then skips and says so (the requests themselves are
# checked without a kernel by tests/unit/test-link.c).
#
#   far: trunk-far.100 10.7.0.2/24 ==(trunk, tag 100)== host: trunk -> a: v100 10.7.0.1/24
#   a: rid (dummy) 10.8.0.1/32
. "$(dirname "$0")/lib.sh"

has_link_kind dummy || skip "kernel has no dummy link kind"
ip link add probe-p type veth peer name probe-q || die "cannot make a veth"
if ! ip link add link probe-p name probe-v type vlan id 5 2>/dev/null; then
	ip link del probe-p
	skip "kernel has no vlan link kind"
fi
ip link del probe-p

write_config <<'X'
[host]
link = trunk type veth peer trunk-far peer-netns far
[domain far]
[domain a]
link = v100 type vlan parent trunk id 100
link = rid type dummy
address = 10.7.0.1/24 dev v100
address = 10.8.0.1/32 dev rid
X
vrf apply
expect_rc 0 "apply"
ip -n a -d -o link show v100 | grep -q 'vlan protocol 802.1Q id 100' && ok "a: v100 is vlan 100" ||
	fail "v100: $(ip -n a -d -o link show v100 2>&1)"
ip -n a -d -o link show rid | grep -q 'dummy' && ok "a: rid is a dummy" || fail "rid: $(ip -n a -d -o link show rid 2>&1)"
ip -n far link add link trunk-far name trunk-far.100 type vlan id 100
ip -n far addr add 10.7.0.2/24 dev trunk-far.100
ip -n far link set trunk-far.100 up
ping_ok a 10.7.0.2 "a reaches far over the tagged trunk"
ip -n far route add 10.8.0.1/32 via 10.7.0.1
ping_ok far 10.8.0.1 "far reaches a's dummy address"
vrf apply
expect_rc 0 "second apply"
[ -s "$T/out" ] && fail "second apply printed: $(cat "$T/out")" || ok "second apply changes nothing"

# An id change cannot be made in place: the vlan is rebuilt.
sed -i 's/id 100$/id 101/' "$T/vrfmgr.ini"
vrf apply
expect_rc 0 "apply a new id"
expect_out '^a  ~ link v100 type vlan parent trunk id 101 \(rebuild: was type vlan parent trunk id 100\)$' "rebuilt"
ip -n a -d -o link show v100 | grep -q 'id 101' && ok "v100 is vlan 101 now" || fail "v100: $(ip -n a -d -o link show v100)"
finish
