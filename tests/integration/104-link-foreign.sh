#!/bin/sh
# Foreign links: a link made with ip(8) inside a domain, and one in the host,
# are neither planned nor touched by apply; audit reports them as foreign.
# A link that carries the alias "vrfmgr" is vrfmgr's even when the file no
# longer names it.
. "$(dirname "$0")/lib.sh"

write_config <<'X'
[host]
link = hb type bridge
[domain a]
link = v type veth peer v-host
X
vrf apply
expect_rc 0 "apply"
ip -n a link add foreign0 type veth peer name foreign1 || die "cannot make the foreign veth"
ip -n a link set foreign0 up
ip link add hforeign type bridge || die "cannot make a host bridge"
vrf plan
expect_rc 0 "foreign links are not drift"
expect_no_out 'foreign' "plan does not mention them"
vrf apply
expect_rc 0 "apply"
ip -n a -o link show foreign0 | grep -q ',UP' && ok "foreign0 untouched in a" || fail "foreign0 changed or gone"
ip -n a link show foreign1 >/dev/null 2>&1 && ok "foreign1 untouched" || fail "foreign1 gone"
ip link show hforeign >/dev/null 2>&1 && ok "the foreign host bridge survives" || fail "hforeign gone"
vrf audit a
expect_out '^  link foreign0 type veth up mtu 1500: foreign, left alone$' "audit reports the foreign link"
expect_out '^  link v type veth up mtu 1500: managed$' "audit reports vrfmgr's link as managed"
"$VRFMGR" -c "$T/vrfmgr.ini" --json audit a >"$T/out" 2>&1
expect_out '"link":\[.*\{"name":"foreign0","kind":"veth","up":true,"mtu":1500,"owner":"foreign"\}' \
	"audit --json reports it too"

# The foreign link takes a declared name: it is vrfmgr's to make right.
ip -n a link add w type bridge
cat >>"$T/vrfmgr.ini" <<'X'
link = w type veth peer w-host
X
vrf plan
expect_rc 2 "a link under a declared name is vrfmgr's"
expect_out '^a  ~ link w type veth peer w-host \(rebuild: was type bridge\)  ! link recreated$' "planned as a rebuild"

# A foreign link whose alias says vrfmgr made it is vrfmgr's.
ip -n a link add stamped type bridge
ip -n a link set stamped alias vrfmgr
vrf plan
expect_out '^a  - link stamped type bridge down  ! link deleted$' "an alias-stamped link not in the file is deleted"
finish
