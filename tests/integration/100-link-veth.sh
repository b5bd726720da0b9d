#!/bin/sh
# veth pairs: one into the host, one between two domains (peer-netns); both
# ends come up and carry traffic; a second apply writes nothing (no netlink
# request); a new mtu is one request per end, counted by the core's batches;
# the links vrfmgr made carry the ifalias "vrfmgr"; a link that leaves the
# file goes.
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
vrf check
expect_rc 0 "check accepts veth to the host and to another domain"
vrf plan
expect_rc 2 "plan of new links"
expect_out '^a  \+ link core type veth peer core-a peer-netns b$' "plan line reads like the file (peer-netns)"
expect_out '^a  \+ link up type veth peer a-up$' "plan line reads like the file (host peer)"
vrf apply
expect_rc 0 "apply"

ip -n a -o link show up | grep -q 'state UP\|,UP' && ok "a: up is up" || fail "a: up is not up: $(ip -n a -o link show up)"
ip -o link show a-up | grep -q ',UP' && ok "host: peer a-up is up" || fail "host: a-up not up: $(ip -o link show a-up)"
ip -n b -o link show core-a | grep -q ',UP' && ok "b: peer core-a is up" || fail "b: core-a: $(ip -n b -o link show core-a 2>&1)"
ip -n a -d -o link show core | grep -q 'alias vrfmgr' && ok "a: core carries the alias vrfmgr" ||
	fail "a: core has no alias: $(ip -n a -o link show core)"
ip -o link show a-up | grep -q 'alias' && fail "the host end got an alias" || ok "the peer end carries no alias"

ping_ok a 10.1.0.1 "a reaches the host over the veth"
ping_ok b 10.2.0.1 "b reaches a over the peer-netns veth"

vrf plan
expect_rc 0 "plan after apply: in sync"
vrf apply
expect_rc 0 "second apply"
[ -s "$T/out" ] && fail "second apply printed: $(cat "$T/out")" || ok "second apply changes nothing"
vrf -v apply
expect_out '^vrfmgr: 0 netlink write requests sent$' "a third apply sends no netlink write"

# Link requests travel in the core's netlink batches and are counted there:
# a new mtu is one request for the link and one for its peer.
sed -i 's/^link = up type veth peer a-up$/& mtu 1400/' "$T/vrfmgr.ini"
vrf -v apply
expect_rc 0 "apply of a new mtu"
expect_out '^vrfmgr: 2 netlink write requests sent$' "a new mtu on a veth is two netlink requests"
ip -n a -o link show up | grep -q 'mtu 1400' && ip -o link show a-up | grep -q 'mtu 1400' &&
	ok "both ends have mtu 1400" || fail "mtu: $(ip -n a -o link show up; ip -o link show a-up)"

# A link that leaves the file is vrfmgr's (it carries the alias): it goes.
write_config <<'X'
[host]
address = 10.1.0.1/30 dev a-up
[domain a]
link = up type veth peer a-up
address = 10.1.0.2/30 dev up
[domain b]
X
vrf plan
expect_rc 2 "plan after removing a link"
expect_out '^a  - link core type veth  ! link deleted$' "plan deletes the link that left the file"
vrf apply
expect_rc 0 "apply removes it"
ip -n a link show core >/dev/null 2>&1 && fail "core still exists in a" || ok "core is gone from a"
ip -n b link show core-a >/dev/null 2>&1 && fail "core-a still exists in b" || ok "its peer is gone from b"
ping_ok a 10.1.0.1 "the other veth still works"

# destroy waits for the kernel to take the other ends away with the domain.
write_config <<'X'
[domain a]
link = up type veth peer a-up
link = core type veth peer core-a peer-netns b
[domain b]
link = back type veth peer b-up
link = x type veth peer x-b peer-netns a
X
vrf apply
expect_rc 0 "apply pairs both ways"
vrf destroy b
expect_rc 0 "destroy b"
ip link show b-up >/dev/null 2>&1 && fail "b's host end outlived destroy" || ok "b's host end is gone when destroy returns"
ip -n a link show core >/dev/null 2>&1 && fail "a's core outlived its peer's domain" || ok "a's end of the pair into b is gone too"
ip -n a link show x-b >/dev/null 2>&1 && fail "x-b outlived b" || ok "the end b put into a is gone"
finish
