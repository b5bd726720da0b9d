#!/bin/sh
# sysctl keys that cannot be honoured are refused, with FILE:LINE and a
# reason, before anything is written: outside net.* and path tricks at check
# (no privilege needed, nothing created); keys the domain's namespace does not
# have, global keys, and read-only keys at plan, so apply never starts.
. "$(dirname "$0")/lib.sh"

refused_at_check() { # KEY=VALUE EXPECTED-MESSAGE DESCRIPTION
	printf '[domain a]\nsysctl = net.ipv4.ip_forward=1\nsysctl = %s\n' "$1" | write_config
	vrf check
	expect_rc 1 "check refuses: $3"
	expect_out "^$T/vrfmgr.ini:6: $2" "$3: FILE:LINE and reason"
	vrf apply
	expect_rc 1 "apply refuses: $3"
	[ -e /run/netns/a ] && fail "$3: a namespace was created" || ok "$3: nothing created"
}
refused_at_check 'kernel.hostname=evil' 'sysctl key "kernel\.hostname" is outside net\.\*' "outside net.*"
refused_at_check 'vm.swappiness=1' 'sysctl key "vm\.swappiness" is outside net\.\*' "vm.* from a domain"
refused_at_check 'net...kernel.hostname=x' 'sysctl key "net\.\.\.kernel\.hostname" has an empty component' "escape with .."
refused_at_check 'net.//.kernel.hostname=x' 'sysctl key "net\.//\.kernel\.hostname": component "//" is not a name' "escape with //"
[ "$(cat /proc/sys/kernel/hostname)" != evil ] && ok "hostname untouched" || fail "hostname changed"

# Keys the namespace refuses are found at plan, before any write.
write_config <<'X'
[domain a]
sysctl = net.ipv4.ip_forward=0
X
vrf apply
expect_rc 0 "a valid domain first"

plan_refuses() { # KEY=VALUE EXPECTED-MESSAGE DESCRIPTION
	printf '[domain a]\nsysctl = net.ipv4.ip_forward=1\nsysctl = %s\n' "$1" | write_config
	vrf plan
	expect_rc 1 "plan refuses: $3"
	expect_out "^$T/vrfmgr.ini:6: $2" "$3: FILE:LINE and reason"
	vrf apply
	expect_rc 1 "apply refuses: $3"
	[ "$(ip netns exec a cat /proc/sys/net/ipv4/ip_forward)" = 0 ] &&
		ok "$3: the domain's other changes were not applied" ||
		fail "$3: ip_forward was written although the plan failed"
}
plan_refuses 'net.ipv4.no_such_key=1' 'sysctl net\.ipv4\.no_such_key: no such key in domain a$' "missing key"
plan_refuses 'net.core.netdev_max_backlog=2000' 'sysctl net\.core\.netdev_max_backlog: no such key in domain a' "key global to the kernel"
# The sandbox's "host" is itself a child namespace, where global keys do not
# exist either; run plan from the machine's initial network namespace (where
# vrfmgr normally runs) to see the key named as global.  Plan only reads.
if [ -e /proc/1/ns/net ] && nsenter --net=/proc/1/ns/net true 2>/dev/null &&
   nsenter --net=/proc/1/ns/net test -e /proc/sys/net/core/netdev_max_backlog; then
	nsenter --net=/proc/1/ns/net "$VRFMGR" -c "$T/vrfmgr.ini" plan >"$T/out" 2>&1
	RC=$?
	expect_rc 1 "plan from the initial namespace refuses a global key"
	expect_out "^$T/vrfmgr.ini:6: sysctl net\.core\.netdev_max_backlog: no such key in domain a: it is global to the kernel and exists only in the host namespace$" \
		"global key named as such"
else
	echo "note: no initial network namespace to compare with; global-key wording not checked"
fi
plan_refuses 'net.core.wmem_max=1000000' 'sysctl net\.core\.wmem_max: read-only in domain a' "read-only in a namespace"
plan_refuses 'net.ipv4.conf=1' 'sysctl net\.ipv4\.conf names a folder, not a value' "a folder"
plan_refuses 'net.ipv4.conf.nosuchdev.rp_filter=1' 'sysctl net\.ipv4\.conf\.nosuchdev\.rp_filter: no such key in domain a \(no interface nosuchdev there\)$' "interface that is not there"

# A value the kernel refuses fails apply with the kernel's reason, and the
# domain is put back as it was.
write_config <<'X'
[domain a]
sysctl = net.ipv4.ip_forward=1
sysctl = net.ipv4.tcp_syncookies=banana
X
vrf apply
expect_rc 1 "apply with a value the kernel refuses"
expect_out 'net\.ipv4\.tcp_syncookies: the kernel refused banana: Invalid argument' "kernel's reason shown"
[ "$(ip netns exec a cat /proc/sys/net/ipv4/ip_forward)" = 0 ] && ok "rolled back: ip_forward is 0 again" ||
	fail "ip_forward left at 1 after a failed apply"

# A new domain whose key is missing: apply fails and leaves no namespace.
write_config <<'X'
[domain fresh]
sysctl = net.ipv4.no_such_key=1
X
vrf apply
expect_rc 1 "apply of a new domain with a missing key"
expect_out 'sysctl net\.ipv4\.no_such_key: no such key in domain fresh' "reason given for the new domain"
finish
