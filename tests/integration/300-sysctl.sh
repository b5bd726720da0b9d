#!/bin/sh
# sysctl: values are written inside the domain, read back and compared, so
# plan shows "~ sysctl KEY OLD -> NEW" and a second apply writes nothing; each
# domain has its own values, the host's stay as they were; a key that leaves
# the file gets back the value vrfmgr found before it first changed it.
#
#   host (ip_forward 0, then 1 from [host])
#     domain a: ip_forward 1, tcp_rmem "4096 87380 6291456"
#     domain b: ip_forward 0 (unchanged default: nothing to do)
. "$(dirname "$0")/lib.sh"

in_ns() { ip netns exec "$1" cat "/proc/sys/net/$2" | tr -s '\t ' '  '; }

# The value the kernel gives a new namespace, which a restore brings back.
tcp_rmem_default=$(tr -s '\t ' '  ' </proc/sys/net/ipv4/tcp_rmem)

write_config <<'X'
[domain a]
sysctl = net.ipv4.ip_forward=1
sysctl = net.ipv4.tcp_rmem = 4096 87380 6291456
sysctl = net.ipv6.conf.all.forwarding=1
[domain b]
sysctl = net.ipv4.ip_forward=0
X
vrf plan
expect_rc 2 "plan of new domains"
expect_out '^a  \+ sysctl net\.ipv4\.ip_forward=1$' "plan lists the sysctl as in the file"
vrf apply
expect_rc 0 "apply"
expect_out '^a  ~ sysctl net\.ipv4\.ip_forward 0 -> 1$' "apply reports the change old -> new"
expect_no_out '^b  .*sysctl' "a value already right is not written"
[ "$(in_ns a ipv4/ip_forward)" = 1 ] && ok "a: ip_forward is 1 inside the domain" || fail "a: ip_forward is $(in_ns a ipv4/ip_forward)"
[ "$(in_ns a ipv4/tcp_rmem)" = "4096 87380 6291456" ] && ok "a: tcp_rmem read back" || fail "a: tcp_rmem is $(in_ns a ipv4/tcp_rmem)"
[ "$(in_ns a ipv6/conf/all/forwarding)" = 1 ] && ok "a: ipv6 forwarding" || fail "a: ipv6 forwarding not set"
[ "$(in_ns b ipv4/ip_forward)" = 0 ] && ok "b keeps its own value" || fail "b: ip_forward leaked from a"
[ "$(cat /proc/sys/net/ipv4/ip_forward)" = 0 ] && ok "the host is untouched" || fail "the host's ip_forward changed"
v=$("$VRFMGR" -c "$T/vrfmgr.ini" exec a sysctl -n net.ipv4.ip_forward)
[ "$v" = 1 ] && ok "vrfmgr exec sees the domain's value" || fail "vrfmgr exec a sysctl shows $v"

vrf plan
expect_rc 0 "plan after apply: in sync"
vrf apply
expect_rc 0 "second apply"
[ -s "$T/out" ] && fail "second apply printed: $(cat "$T/out")" || ok "second apply changes nothing"

# Drift made behind vrfmgr's back, with values every kernel accepts
# (tcp_rmem: min <= default <= max).
if oob_sysctl a ipv4/ip_forward 0; then ipf_drift=1; else ipf_drift=0; fi
if oob_sysctl a ipv4/tcp_rmem "4096 16384 6291456"; then rmem_drift=1; else rmem_drift=0; fi
vrf plan
if [ $ipf_drift$rmem_drift != 00 ]; then
	expect_rc 2 "plan sees drift"
fi
[ $ipf_drift = 1 ] && expect_out '^a  ~ sysctl net\.ipv4\.ip_forward 0 -> 1$' "drifted ip_forward shown as 0 -> 1"
[ $rmem_drift = 1 ] && expect_out '^a  ~ sysctl net\.ipv4\.tcp_rmem 4096 16384 6291456 -> 4096 87380 6291456$' "drifted tcp_rmem shown normalized (tabs as spaces)"
vrf apply
expect_rc 0 "apply repairs drift"
[ "$(in_ns a ipv4/ip_forward)" = 1 ] && ok "drift repaired" || fail "drift not repaired"

# The original values are recorded once, before the first change; a later
# change of the file does not overwrite them.
grep -qx 'net.ipv4.ip_forward=0' /run/vrfmgr/a/sysctl.orig && ok "original value recorded" ||
	fail "no record of the original ip_forward: $(cat /run/vrfmgr/a/sysctl.orig 2>&1)"

# Keys leave the file: their original values come back.
write_config <<'X'
[domain a]
sysctl = net.ipv6.conf.all.forwarding=1
[domain b]
X
vrf plan
expect_rc 2 "plan after keys left the file"
expect_out '^a  - sysctl net\.ipv4\.ip_forward=1 \(restore 0\)$' "plan says what is restored"
if [ "$tcp_rmem_default" != "4096 87380 6291456" ]; then
	expect_out "^a  - sysctl net\\.ipv4\\.tcp_rmem=4096 87380 6291456 \\(restore $tcp_rmem_default\\)\$" "tcp_rmem restore planned"
fi
vrf apply
expect_rc 0 "apply restores"
[ "$(in_ns a ipv4/ip_forward)" = 0 ] && ok "ip_forward restored to 0" || fail "ip_forward is $(in_ns a ipv4/ip_forward)"
[ "$(in_ns a ipv4/tcp_rmem)" = "$tcp_rmem_default" ] && ok "tcp_rmem restored to the kernel's default" ||
	fail "tcp_rmem is $(in_ns a ipv4/tcp_rmem), wanted $tcp_rmem_default"
[ "$(in_ns a ipv6/conf/all/forwarding)" = 1 ] && ok "the key still in the file stays" || fail "ipv6 forwarding lost"
grep -q ip_forward /run/vrfmgr/a/sysctl.orig && fail "restored key still recorded" || ok "restored keys leave the record"
vrf apply
expect_rc 0 "apply after restore"
[ -s "$T/out" ] && fail "apply after restore printed: $(cat "$T/out")" || ok "nothing left to do after restore"

# A key nobody declared and vrfmgr never changed is not vrfmgr's.
ip netns exec a sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'
vrf plan
expect_rc 0 "a foreign change to an undeclared key is left alone"

# [host]: the namespace vrfmgr runs in.
write_config <<'X'
[host]
sysctl = net.ipv4.ip_forward=1
[domain a]
sysctl = net.ipv6.conf.all.forwarding=1
X
vrf apply
expect_rc 0 "apply with [host] sysctl"
expect_out '^host  ~ sysctl net\.ipv4\.ip_forward 0 -> 1$' "host change reported"
[ "$(cat /proc/sys/net/ipv4/ip_forward)" = 1 ] && ok "[host] value set in vrfmgr's namespace" || fail "host ip_forward not set"
write_config <<'X'
[host]
[domain a]
sysctl = net.ipv6.conf.all.forwarding=1
X
vrf apply
expect_rc 0 "apply without the [host] key"
[ "$(cat /proc/sys/net/ipv4/ip_forward)" = 0 ] && ok "host value restored" || fail "host ip_forward not restored"
finish
