#!/bin/sh
# A veth pair is the declaring side's: when its other end vanishes, is
# renamed or moves to the wrong namespace, the pair is rebuilt, and the
# addresses on both ends come back in the same run.
#
#   host: a-up 10.1.0.1/30 ---- a: up 10.1.0.2/30
#                               a: core 10.2.0.1/30 ---- b: core-a 10.2.0.2/30
. "$(dirname "$0")/lib.sh"

write_config <<'X'
[host]
address = 10.1.0.1/30 dev a-up
[domain a]
link = up type veth peer a-up
link = core type veth peer core-a peer-netns b
address = 10.1.0.2/30 dev up
address = 10.2.0.1/30 dev core
[domain b]
address = 10.2.0.2/30 dev core-a
X
vrf apply
expect_rc 0 "apply"
ping_ok b 10.2.0.1 "b reaches a"

# The peer's domain is deleted behind vrfmgr's back: the kernel takes the
# whole pair with it (asynchronously).
ip netns del b
i=0
while ip -n a link show core >/dev/null 2>&1 && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
ip -n a link show core >/dev/null 2>&1 && fail "core outlived its peer's namespace" || ok "core went with b"
vrf plan
expect_rc 2 "plan after b vanished"
expect_out '^a  \+ link core type veth peer core-a peer-netns b$' "the pair is planned again"
vrf apply
expect_rc 0 "apply recreates b and the pair"
ping_ok b 10.2.0.1 "b reaches a again"

# The host end is renamed: the pair no longer matches, it is rebuilt.
ip link set a-up down
ip link set a-up name renamed0
vrf plan
expect_rc 2 "plan after the rename"
expect_out '^a  ~ link up type veth peer a-up \(rebuild: was type veth peer a-up \(not found\)\)  ! link recreated$' \
	"plan says the peer is not found and the pair is rebuilt"
vrf apply
expect_rc 0 "apply rebuilds the pair"
ip link show renamed0 >/dev/null 2>&1 && fail "the renamed old end is still there" || ok "the old pair is gone"
ip -o addr show dev a-up | grep -q '10.1.0.1/30' && ok "the host address is back on the new a-up" ||
	fail "a-up has no address: $(ip -o addr show dev a-up 2>&1)"
ping_ok a 10.1.0.1 "a reaches the host over the new pair"

# The domain end of a peer-netns pair sits in the wrong namespace.
ip -n b link set core-a netns a || die "cannot move core-a"
vrf plan
expect_rc 2 "plan after the peer moved"
expect_out '^a  ~ link core type veth peer core-a peer-netns b \(rebuild' "rebuild planned"
vrf apply
expect_rc 0 "apply rebuilds"
ip -n b link show core-a >/dev/null 2>&1 && ok "core-a is back in b" || fail "core-a missing in b"
ping_ok b 10.2.0.1 "b reaches a after the rebuild"
vrf plan
expect_rc 0 "in sync"

# The declaring domain itself is deleted: the host end goes with it and
# both come back.
ip netns del a
i=0
while ip link show a-up >/dev/null 2>&1 && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
vrf apply
expect_rc 0 "apply recreates a"
ping_ok a 10.1.0.1 "a reaches the host again"
ping_ok b 10.2.0.1 "and b reaches a"
finish
