#!/bin/sh
# Physical NICs: a host device is moved into a domain under its own name, set
# up with the file's mtu, and goes home before the domain's namespace is
# deleted (destroy, prune), or when its line leaves the file.  The "NIC" is
# one end of a veth whose other end sits in a test namespace "far" — a
# virtual device the kernel would destroy with the domain, so the test fails
# if the NIC is not handed back first.
#
#   far: nic0-far 10.6.0.2/24 ==== nic0 (host) -> moved into a: 10.6.0.1/24
. "$(dirname "$0")/lib.sh"

ip netns add far || die "cannot make the far namespace"
ip link add nic0 type veth peer name nic0-far || die "cannot make the NIC"
ip link set nic0-far netns far
ip -n far addr add 10.6.0.2/24 dev nic0-far
ip -n far link set nic0-far up
ip link set nic0 alias "uplink to far"

write_config <<'X'
[domain a]
link = nic0 type physical mtu 1400
address = 10.6.0.1/24 dev nic0
X
vrf check
expect_rc 0 "check: the NIC is in the host"
vrf plan
expect_rc 2 "plan"
expect_out '^a  \+ link nic0 type physical mtu 1400  ! NIC moved in from the host$' "plan line reads like the file"
vrf apply
expect_rc 0 "apply moves the NIC in"
ip link show nic0 >/dev/null 2>&1 && fail "nic0 is still in the host" || ok "nic0 left the host"
ip -n a -o link show nic0 | grep -q 'mtu 1400' && ok "nic0 in a with mtu 1400" || fail "nic0: $(ip -n a -o link show nic0 2>&1)"
ip -n a -o link show nic0 | grep -q ',UP' && ok "nic0 is up" || fail "nic0 is down"
ip -n a -d link show nic0 | grep -q 'alias uplink to far' && ok "the NIC keeps its own alias" ||
	fail "the NIC's alias changed: $(ip -n a -d link show nic0)"
grep -qx nic0 /run/vrfmgr/a/link-nics && ok "the move is recorded" || fail "no record in /run/vrfmgr/a/link-nics"
ping_ok a 10.6.0.2 "a reaches far through the NIC"
vrf apply
expect_rc 0 "second apply"
[ -s "$T/out" ] && fail "second apply printed: $(cat "$T/out")" || ok "second apply changes nothing"

# destroy: the NIC goes home first, under its own name.
vrf destroy a
expect_rc 0 "destroy a"
ip link show nic0 >/dev/null 2>&1 && ok "nic0 is back in the host" || fail "nic0 did not come back"
ip -n far link show nic0-far >/dev/null 2>&1 && ok "its far end survived" || fail "the NIC was destroyed"

# Its line leaves the file: it goes home, the domain stays.
vrf apply
expect_rc 0 "apply moves it in again"
ip -n a link show nic0 >/dev/null 2>&1 && ok "nic0 in a again" || fail "nic0 not in a"
write_config <<'X'
[domain a]
X
vrf plan
expect_rc 2 "plan without the NIC"
expect_out '^a  - link nic0 type physical  ! NIC moved back to the host$' "plan sends it home"
vrf apply
expect_rc 0 "apply"
ip link show nic0 >/dev/null 2>&1 && ok "nic0 is home" || fail "nic0 did not come home"
grep -qx nic0 /run/vrfmgr/a/link-nics 2>/dev/null && fail "the record still lists nic0" || ok "record cleared"

# The whole domain leaves the file: prune hands the NIC back first.
write_config <<'X'
[domain a]
link = nic0 type physical
X
vrf apply
expect_rc 0 "apply moves it in again"
write_config <<'X'
[domain other]
X
vrf apply --prune
expect_rc 0 "apply --prune removes a"
ip netns list | grep -q '^a\b' && fail "a survived prune" || ok "a is gone"
ip link show nic0 >/dev/null 2>&1 && ok "nic0 came home before a went" || fail "nic0 lost with a"
ip -n far link show nic0-far >/dev/null 2>&1 && ok "far's end is intact" || fail "nic0-far was destroyed"

# Two domains cannot claim one NIC.
write_config <<'X'
[domain a]
link = nic0 type physical
[domain b]
link = nic0 type physical
X
vrf check
expect_rc 1 "check refuses a NIC claimed twice"
expect_out ':7: duplicate nic "nic0" \(first at .*:5\)$' "the message names both lines"
finish
