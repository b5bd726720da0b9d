#!/bin/sh
# Namespaces: created as ip-netns does, owned ones recorded, foreign ones
# untouched, stale entries repaired, deleted domains recreated, prune and
# destroy remove only what vrfmgr made.
. "$(dirname "$0")/lib.sh"

write_config <<'X'
[domain red]
description = first
[domain blue]
X

vrf plan
expect_rc 2 "plan of two new domains reports changes"
expect_out '^red  \+ namespace /run/netns/red$' "plan shows the namespace to create"

vrf apply
expect_rc 0 "apply creates the domains"
ip netns list | grep -qx 'red' && ip netns list | grep -qx 'blue' &&
	ok "ip netns list sees both" || fail "ip netns list: $(ip netns list | tr '\n' ' ')"
ip netns exec red ip -o link show lo | grep -q 'state UNKNOWN\|,UP' &&
	ok "lo is up in a new domain" || fail "lo is down in red"
[ -f /run/vrfmgr/red/netns ] && ok "ownership recorded" || fail "no ownership record"

vrf plan
expect_rc 0 "second plan: nothing to do"

# A namespace made by somebody else survives everything.
ip netns add foreign
vrf apply --prune
expect_rc 0 "apply --prune with a foreign namespace"
ip netns list | grep -qx foreign && ok "foreign namespace survives prune" || fail "foreign namespace gone"
vrf destroy foreign
expect_rc 1 "destroy refuses a foreign namespace"
expect_out 'not created by vrfmgr' "and says why"

# Deleted behind our back: recreated.
ip netns del blue
vrf plan
expect_rc 2 "plan notices a deleted domain"
expect_out '^blue  \+ namespace' "and plans to recreate it"
vrf apply
expect_rc 0 "apply recreates it"
ip netns list | grep -qx blue && ok "blue is back" || fail "blue not recreated"

# Stale entry: the file is there, the namespace is not mounted.
umount /run/netns/red
vrf apply
expect_rc 0 "apply repairs a stale entry"
ip netns exec red true 2>/dev/null && ok "red usable again" || fail "red still stale"

# Naming domains narrows the run; it never makes the others orphans.
vrf plan red
expect_rc 0 "plan of one named domain"
expect_no_out 'blue' "and says nothing about the domains not named"
vrf apply red --prune
expect_rc 0 "apply red --prune"
ip netns list | grep -qx blue && ok "--prune with a name leaves the file's other domains alone" ||
	fail "apply red --prune removed blue"

# Removed from the file: kept without --prune, removed with it.
write_config <<'X'
[domain red]
X
vrf plan
expect_rc 0 "an orphan alone is not a change without --prune"
expect_out 'apply --prune removes it' "but plan mentions it"
vrf apply
ip netns list | grep -qx blue && ok "orphan kept without --prune" || fail "orphan removed without --prune"
vrf plan --prune
expect_rc 2 "plan --prune shows the removal"
expect_out '^blue  - namespace' "as a - namespace line"
vrf apply --prune
expect_rc 0 "apply --prune"
ip netns list | grep -qx blue && fail "blue still there after prune" || ok "blue pruned"
[ -e /run/vrfmgr/blue ] && fail "state of blue left behind" || ok "state of blue removed"
ip netns list | grep -qx foreign && ok "foreign still there" || fail "foreign gone"

vrf destroy red
expect_rc 0 "destroy an owned domain"
ip netns list | grep -qx red && fail "red still there" || ok "red destroyed"

vrf status
expect_rc 0 "status works"
expect_out '^red +absent' "status shows red absent"
finish
