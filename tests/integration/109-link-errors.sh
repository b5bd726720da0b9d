#!/bin/sh
# When the kernel refuses a link, its own explanation (extended ack) is
# printed with the object and its FILE:LINE, the domain is put back as it
# was (a changed mtu returns to its old value), and other domains go on.
#
# The refusal: two vxlan devices with one VNI on one port and underlay.
. "$(dirname "$0")/lib.sh"

ip link add ul type veth peer name ul2 || die "cannot make the underlay"
ip addr add 10.9.0.1/24 dev ul
ip link set ul up

write_config <<'X'
[domain a]
link = vx0 type vxlan id 42 local 10.9.0.1 remote 10.9.0.2 dev ul
[domain b]
link = v type veth peer v-host mtu 1400
X
vrf apply
expect_rc 0 "apply"

write_config <<'X'
[domain a]
link = vx0 type vxlan id 42 local 10.9.0.1 remote 10.9.0.2 dev ul
[domain b]
link = v type veth peer v-host mtu 1300
link = vx1 type vxlan id 42 local 10.9.0.1 remote 10.9.0.3 dev ul
[domain c]
link = w type veth peer w-host
X
vrf apply
expect_rc 1 "apply fails"
expect_out '^b  ! \+ link vx1 type vxlan id 42 local 10.9.0.1 remote 10.9.0.3 dev ul: .*VNI.*\(/tmp/.*/vrfmgr.ini:8\)$' \
	"the kernel's text, the object and FILE:LINE"
expect_out '^b: apply failed; 1 applied change undone, the domain is as it was before the run$' "b rolled back"
ip -n b -o link show v | grep -q 'mtu 1400' && ok "b: the mtu change was undone" || fail "b: v: $(ip -n b -o link show v)"
ip -o link show v-host | grep -q 'mtu 1400' && ok "b: the peer's too" || fail "v-host: $(ip -o link show v-host)"
ip -n b link show vx1 >/dev/null 2>&1 && fail "b: vx1 exists" || ok "b: no vx1"
ip -n c -o link show w | grep -q ',UP' && ok "c was applied all the same" || fail "c: w missing"
ip -n a link show vx0 >/dev/null 2>&1 && ok "a untouched" || fail "a lost vx0"

finish
