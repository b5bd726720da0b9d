#!/bin/sh
# vxlan: the device lives in the domain, its UDP socket (the underlay) in the
# host, as with macvlan and vlan.  The far end is a vxlan made by hand in a
# test namespace reached over a host veth.
#
#   a: vx0 10.5.0.1/24 ~~ (VNI 42, UDP 4789) ~~ far: vxf 10.5.0.2/24
#   underlay: host ul 10.9.0.1/24 ---- far ul-far 10.9.0.2/24
. "$(dirname "$0")/lib.sh"

has_link_kind vxlan 2>/dev/null || {
	ip link add vrfprobe0 type vxlan id 1 dstport 4789 >/dev/null 2>&1 || skip "kernel has no vxlan link kind"
	ip link del vrfprobe0
}
ip netns add far || die "cannot make far"
ip link add ul type veth peer name ul-far || die "cannot make the underlay"
ip link set ul-far netns far
ip addr add 10.9.0.1/24 dev ul
ip link set ul up
ip -n far addr add 10.9.0.2/24 dev ul-far
ip -n far link set ul-far up
ip -n far link add vxf type vxlan id 42 local 10.9.0.2 remote 10.9.0.1 dstport 4789 dev ul-far
ip -n far addr add 10.5.0.2/24 dev vxf
ip -n far link set vxf up

write_config <<'X'
[domain a]
link = vx0 type vxlan id 42 local 10.9.0.1 remote 10.9.0.2 dev ul
address = 10.5.0.1/24 dev vx0
X
vrf plan
expect_rc 2 "plan"
expect_out '^a  \+ link vx0 type vxlan id 42 local 10.9.0.1 remote 10.9.0.2 dev ul$' "plan line reads like the file"
vrf apply
expect_rc 0 "apply"
ip -n a -d -o link show vx0 | grep -q 'vxlan id 42 remote 10.9.0.2 local 10.9.0.1' && ok "a: vx0 is VNI 42 to 10.9.0.2" ||
	fail "vx0: $(ip -n a -d -o link show vx0 2>&1)"
ip -n a -d -o link show vx0 | grep -q 'dstport 4789' && ok "IANA port 4789 by default" ||
	fail "vx0 port: $(ip -n a -d -o link show vx0 2>&1)"
ip link show vx0 >/dev/null 2>&1 && fail "vx0 was left in the host" || ok "nothing left in the host"
ping_ok a 10.5.0.2 "a reaches far through the tunnel"
vrf apply
expect_rc 0 "second apply"
[ -s "$T/out" ] && fail "second apply printed: $(cat "$T/out")" || ok "second apply changes nothing"

# A ttl in the file: the tunnel is rebuilt and still carries traffic.
sed -i 's/dev ul$/dev ul ttl 7/' "$T/vrfmgr.ini"
vrf apply
expect_rc 0 "apply with ttl"
expect_out '^a  ~ link vx0 type vxlan id 42 local 10.9.0.1 remote 10.9.0.2 dev ul ttl 7 \(rebuild' "rebuilt"
ip -n a -d -o link show vx0 | grep -q 'ttl 7' && ok "ttl 7" || fail "vx0: $(ip -n a -d -o link show vx0)"
ping_ok a 10.5.0.2 "a reaches far again, the address came back"
vrf plan
expect_rc 0 "in sync"
finish
