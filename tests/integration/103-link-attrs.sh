#!/bin/sh
# Common attributes: mtu, mac and down are applied at creation, drift made
# with ip(8) behind vrfmgr's back is shown by plan and repaired by apply,
# and the veth's peer follows the link's up/down state and mtu.
. "$(dirname "$0")/lib.sh"

write_config <<'X'
[domain a]
link = v type veth peer v-host mtu 1400 mac 02:00:00:00:aa:01
link = off type veth peer off-host down
X
vrf apply
expect_rc 0 "apply"
ip -n a -o link show v | grep -q 'mtu 1400' && ok "mtu 1400 at creation" || fail "v: $(ip -n a -o link show v)"
ip -o link show v-host | grep -q 'mtu 1400' && ok "the peer has the same mtu" || fail "v-host: $(ip -o link show v-host)"
ip -n a -o link show v | grep -q '02:00:00:00:aa:01' && ok "mac set" || fail "v: $(ip -n a -o link show v)"
ip -n a -o link show off | grep -q ',UP' && fail "off is up" || ok "off stays down"
ip -o link show off-host | grep -q ',UP' && fail "off's peer is up" || ok "off's peer stays down"
ip -o link show v-host | grep -q ',UP' && ok "v's peer is up" || fail "v-host: $(ip -o link show v-host)"

# Drift behind vrfmgr's back.
ip -n a link set v mtu 1500
ip -n a link set v address 02:00:00:00:bb:02
ip -n a link set off up
ip link set v-host down
vrf plan
expect_rc 2 "plan sees drift"
expect_out '^a  ~ link v mtu 1500 -> 1400, mac 02:00:00:00:bb:02 -> 02:00:00:00:aa:01, peer v-host down -> up$' \
	"plan names each drifted attribute"
expect_out '^a  ~ link off up -> down  ! link set down$' "plan names the state change"
vrf apply
expect_rc 0 "apply repairs"
ip -n a -o link show v | grep -q 'mtu 1400' && ok "mtu repaired" || fail "v: $(ip -n a -o link show v)"
ip -n a -o link show v | grep -q '02:00:00:00:aa:01' && ok "mac repaired" || fail "v: $(ip -n a -o link show v)"
ip -n a -o link show v | grep -q ',UP' && ok "v is up again after the mac change" || fail "v: $(ip -n a -o link show v)"
ip -o link show v-host | grep -q ',UP' && ok "the peer is up again" || fail "v-host: $(ip -o link show v-host)"
ip -n a -o link show off | grep -q ',UP' && fail "off still up" || ok "off is down again"
vrf plan
expect_rc 0 "in sync"

# The file changes the mtu: both ends follow, in place (same ifindex).
idx=$(ip -n a -o link show v | cut -d: -f1)
sed -i 's/mtu 1400/mtu 1300/' "$T/vrfmgr.ini"
vrf apply
expect_rc 0 "apply a new mtu"
expect_out '^a  ~ link v mtu 1400 -> 1300$' "applied as a change"
ip -n a -o link show v | grep -q 'mtu 1300' && ok "mtu 1300" || fail "v: $(ip -n a -o link show v)"
ip -o link show v-host | grep -q 'mtu 1300' && ok "the peer follows" || fail "v-host: $(ip -o link show v-host)"
[ "$(ip -n a -o link show v | cut -d: -f1)" = "$idx" ] && ok "changed in place, not rebuilt" || fail "v was recreated"
finish
