#!/bin/sh
# A bridge and its members: two veths from two site namespaces enslaved to a
# bridge in domain a (master), traffic crosses the bridge; a member taken out
# of the bridge behind vrfmgr's back is put back; `master` removed from the
# file frees the member.
#
#   s1: e 10.4.0.1/24 ---- a: p1 --+
#                                  br0 10.4.0.254/24
#   s2: e 10.4.0.2/24 ---- a: p2 --+
. "$(dirname "$0")/lib.sh"

write_config <<'X'
[domain a]
link = br0 type bridge
link = p1 type veth peer e peer-netns s1 master br0
link = p2 type veth peer e peer-netns s2 master br0
address = 10.4.0.254/24 dev br0
[domain s1]
address = 10.4.0.1/24 dev e
[domain s2]
address = 10.4.0.2/24 dev e
X
vrf apply
expect_rc 0 "apply"
expect_out '^a  \+ link p1 type veth peer e peer-netns s1 master br0$' "applied line reads like the file"
ip -n a -o link show p1 | grep -q 'master br0' && ok "p1 is a port of br0" || fail "p1: $(ip -n a -o link show p1)"
ip -n a -o link show p2 | grep -q 'master br0' && ok "p2 is a port of br0" || fail "p2: $(ip -n a -o link show p2)"
ip -n a -o link show br0 | grep -q ',UP' && ok "br0 is up" || fail "br0: $(ip -n a -o link show br0)"
ping_ok s1 10.4.0.2 "s1 reaches s2 across the bridge"
ping_ok s1 10.4.0.254 "s1 reaches the bridge's own address"
vrf apply
expect_rc 0 "second apply"
[ -s "$T/out" ] && fail "second apply printed: $(cat "$T/out")" || ok "second apply changes nothing"

# Drift: a port leaves the bridge behind vrfmgr's back.
ip -n a link set p2 nomaster
ping_fails s1 10.4.0.2 "with p2 out of the bridge s2 is cut off (the test can fail)"
vrf plan
expect_rc 2 "plan sees the drift"
expect_out '^a  ~ link p2 master none -> br0$' "plan names the master change"
vrf apply
expect_rc 0 "apply repairs it"
ip -n a -o link show p2 | grep -q 'master br0' && ok "p2 back in br0" || fail "p2: $(ip -n a -o link show p2)"
ping_ok s1 10.4.0.2 "s1 reaches s2 again"

# `master` leaves the file: the port leaves the bridge.
sed -i 's/^link = p2 type veth peer e peer-netns s2 master br0$/link = p2 type veth peer e peer-netns s2/' "$T/vrfmgr.ini"
vrf apply
expect_rc 0 "apply without master"
expect_out '^a  ~ link p2 master br0 -> none$' "apply frees the port"
ip -n a -o link show p2 | grep -q 'master' && fail "p2 still enslaved: $(ip -n a -o link show p2)" || ok "p2 is no port"
finish
