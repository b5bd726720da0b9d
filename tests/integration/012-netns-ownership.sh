#!/bin/sh
# Ownership records prove which namespace vrfmgr made: the record names the
# namespace (nsfs inode and the kernel's never-reused cookie) and is checked
# against what is mounted before anything is trusted.  A namespace somebody
# else mounted under a domain's name is foreign: never deleted, never
# applied to, unless apply --adopt takes it over.  A record that cannot be
# written leaves no namespace behind.
. "$(dirname "$0")/lib.sh"

write_config <<'X'
[domain x]
[domain keep]
X
vrf apply
expect_rc 0 "apply x"
grep -q '^nsfs-ino [0-9]' /run/vrfmgr/x/netns && grep -q '^netns-cookie [0-9]' /run/vrfmgr/x/netns &&
	ok "the record names the namespace" || fail "record: $(cat /run/vrfmgr/x/netns)"
ino=$(stat -L -c %i /run/netns/x)
grep -qx "nsfs-ino $ino" /run/vrfmgr/x/netns && ok "with the inode of the mount" ||
	fail "record does not carry inode $ino: $(cat /run/vrfmgr/x/netns)"

# Somebody deletes x and makes their own x (the kernel may even give it the
# same inode number); then x leaves the file.
ip netns del x
sleep 0.5	# let the kernel free the old namespace, so its inode can be reused
ip netns add x
ip -n x link add theirs type veth peer name theirs1 || die "cannot mark the foreign x"
write_config <<'X'
[domain keep]
X
vrf plan --prune
expect_out 'x: /run/netns/x is not the namespace vrfmgr created' "plan says x is not ours"
expect_no_out '^x  - namespace' "plan does not plan to remove it"
vrf apply --prune
expect_rc 0 "apply --prune"
ip netns exec x ip link show theirs >/dev/null 2>&1 && ok "the foreign x survives prune" ||
	fail "apply --prune deleted the foreign x"
vrf destroy x
expect_rc 1 "destroy refuses the foreign x"
expect_out 'not created by vrfmgr' "and says why"
ip netns exec x ip link show theirs >/dev/null 2>&1 && ok "the foreign x survives destroy" ||
	fail "destroy deleted the foreign x"

# A foreign namespace with a domain's name is refused, not silently adopted.
write_config <<'X'
[domain keep]
[domain x]
sysctl = net.ipv4.ip_forward=1
X
vrf plan
expect_rc 1 "plan refuses the foreign x"
expect_out 'x: /run/netns/x exists but was not created by vrfmgr; the domain is not applied' "and says so"
vrf apply
expect_rc 1 "apply refuses the foreign x"
expect_out 'apply --adopt takes the namespace over' "and names the way out"
[ "$(ip netns exec x cat /proc/sys/net/ipv4/ip_forward)" = 0 ] && ok "nothing applied to x" ||
	fail "apply changed the foreign x"
vrf plan --adopt
expect_rc 2 "plan --adopt has changes"
expect_out '^x  ~ namespace /run/netns/x adopted$' "plan --adopt shows the adoption"
vrf apply --adopt
expect_rc 0 "apply --adopt"
expect_out '^x  ~ namespace /run/netns/x adopted$' "apply --adopt says it adopted x"
[ "$(ip netns exec x cat /proc/sys/net/ipv4/ip_forward)" = 1 ] && ok "x is applied now" ||
	fail "x not applied after --adopt"
grep -qx "nsfs-ino $(stat -L -c %i /run/netns/x)" /run/vrfmgr/x/netns && ok "the adopted x is recorded" ||
	fail "no record for the adopted x"
vrf plan
expect_rc 0 "after adoption, plan is clean"
vrf destroy x
expect_rc 0 "an adopted domain can be destroyed"
[ -e /run/netns/x ] && fail "x still mounted" || ok "x is gone"

# The record cannot be written (its folder is a file): the namespace is not
# left behind as a foreign one, and the error says what failed.
printf 'not a folder\n' >/run/vrfmgr/y
write_config <<'X'
[domain keep]
[domain y]
X
vrf apply
expect_rc 1 "apply fails when the record cannot be written"
expect_out 'y: cannot create namespace' "and says so"
[ -e /run/netns/y ] && fail "a namespace y was left without a record" || ok "no namespace y left"
rm /run/vrfmgr/y
vrf apply
expect_rc 0 "once the state folder is fixed, y is made"
vrf destroy y
expect_rc 0 "and destroyed"

# A stale record (the namespace is gone: deleted behind our back) does not
# make a later namespace of that name ours, and is cleared by prune.
vrf apply
ip netns del keep
write_config <<'X'
[domain other]
X
vrf apply --prune
expect_rc 0 "prune with a stale record"
[ -e /run/vrfmgr/keep ] && fail "the stale record of keep is left" || ok "the stale record is cleared"
finish
