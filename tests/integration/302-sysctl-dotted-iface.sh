#!/bin/sh
# Interface sysctls whose interface name contains a dot: the kernel's folder
# is /proc/sys/net/ipv4/conf/a.b/, and the dotted key spells the dot as '/'
# (net.ipv4.conf.a/b.rp_filter), as sysctl(8) does.  The veth "a.b" stands in
# for a VLAN such as eth0.100 (this kernel may lack the vlan kind).
. "$(dirname "$0")/lib.sh"

write_config <<'X'
[domain d1]
sysctl = net.ipv4.ip_forward=1
X
vrf apply
expect_rc 0 "domain created"
ip -n d1 link add a.b type veth peer name a-peer || die "cannot make veth a.b"

write_config <<'X'
[domain d1]
sysctl = net.ipv4.ip_forward=1
sysctl = net.ipv4.conf.a/b.rp_filter=2
sysctl = net.ipv6.conf.a/b.disable_ipv6=1
X
vrf plan
expect_rc 2 "plan"
expect_out '^d1  ~ sysctl net\.ipv4\.conf\.a/b\.rp_filter 0 -> 2$' "plan shows the dotted spelling"
vrf apply
expect_rc 0 "apply"
v=$(ip netns exec d1 cat /proc/sys/net/ipv4/conf/a.b/rp_filter)
[ "$v" = 2 ] && ok "the file of interface a.b holds 2" || fail "rp_filter of a.b is $v"
v=$(ip netns exec d1 sysctl -n net.ipv4.conf.a/b.rp_filter)
[ "$v" = 2 ] && ok "sysctl(8) reads the same key the same way" || fail "sysctl(8) says $v"
v=$(ip netns exec d1 cat /proc/sys/net/ipv4/conf/a-peer/rp_filter)
[ "$v" = 0 ] && ok "the other interface is untouched" || fail "a-peer rp_filter is $v"
v=$(ip netns exec d1 cat /proc/sys/net/ipv6/conf/a.b/disable_ipv6)
[ "$v" = 1 ] && ok "ipv6 key of a.b" || fail "disable_ipv6 of a.b is $v"
vrf plan
expect_rc 0 "in sync afterwards"

# The key leaves the file: its value comes back.
write_config <<'X'
[domain d1]
sysctl = net.ipv4.ip_forward=1
X
vrf apply
expect_rc 0 "apply without the interface keys"
v=$(ip netns exec d1 cat /proc/sys/net/ipv4/conf/a.b/rp_filter)
[ "$v" = 0 ] && ok "rp_filter of a.b restored" || fail "rp_filter of a.b is $v"

# A recorded key whose interface went away has nothing to restore.
write_config <<'X'
[domain d1]
sysctl = net.ipv4.ip_forward=1
sysctl = net.ipv4.conf.a/b.rp_filter=1
X
vrf apply
expect_rc 0 "set the key again"
ip -n d1 link del a.b
write_config <<'X'
[domain d1]
sysctl = net.ipv4.ip_forward=1
X
vrf plan
expect_rc 0 "interface gone: nothing to restore, nothing planned"

# With the link declared in the file, the key of a link that apply is about
# to create is not an error at plan time.
if printf '[domain d2]\nlink = x.y type veth peer d2-h\n' | write_config && vrf check && [ "$RC" = 0 ]; then
	write_config <<'X'
[domain d2]
link = x.y type veth peer d2-h
sysctl = net.ipv4.conf.x/y.rp_filter=2
X
	vrf apply
	expect_rc 0 "apply creates the link and sets its key"
	v=$(ip netns exec d2 cat /proc/sys/net/ipv4/conf/x.y/rp_filter 2>&1)
	[ "$v" = 2 ] && ok "declared link x.y has rp_filter 2" || fail "x.y rp_filter: $v"
	vrf apply
	expect_rc 0 "second apply"
	[ -s "$T/out" ] && fail "second apply printed: $(cat "$T/out")" || ok "second apply changes nothing"
else
	echo "note: no link plugin yet; declared-link case not run"
fi
finish
