#!/bin/sh
# Plans mark every op that cuts traffic or loses state ("!" and a reason in
# text, "disruptive": true and "reason" in JSON); apply --no-disruptive
# refuses such a plan (exit 1, the ops listed, nothing applied, not even a
# new namespace) and applies one without them.
#
#   [a] a0 192.0.2.1 ---veth--- b0 192.0.2.2 [b]
. "$(dirname "$0")/lib.sh"

write_config <<X
[global]
netns_dir = /run/netns
history_dir = $T/history
[domain a]
link = a0 type veth peer b0 peer-netns b
address = 192.0.2.1/24 dev a0
route = 198.51.100.0/24 via 192.0.2.2
[domain b]
address = 192.0.2.2/24 dev b0
X
vrf apply
expect_rc 0 "v1 applied"
ping_ok a 192.0.2.2 "a reaches b"

# Additions only, plus a new domain: nothing disruptive.
write_config <<X
[global]
netns_dir = /run/netns
history_dir = $T/history
[domain a]
link = a0 type veth peer b0 peer-netns b
address = 192.0.2.1/24 dev a0
route = 198.51.100.0/24 via 192.0.2.2
route = 203.0.113.0/24 via 192.0.2.2
[domain b]
address = 192.0.2.2/24 dev b0
[domain c]
sysctl = net.ipv4.ip_forward=1
X
vrf plan
expect_rc 2 "a plan of additions"
expect_no_out '!' "marks nothing"
vrf apply --no-disruptive
expect_rc 0 "apply --no-disruptive applies it"
ip -n a route show 203.0.113.0/24 | grep -q via && ok "the new route is there" || fail "route missing"

# Removing b's address and a's route, and domain c, cuts.
write_config <<X
[global]
netns_dir = /run/netns
history_dir = $T/history
[domain a]
link = a0 type veth peer b0 peer-netns b
address = 192.0.2.1/24 dev a0
route = 203.0.113.0/24 via 192.0.2.2
[domain b]
address = 192.0.2.3/24 dev b0
[domain d]
sysctl = net.ipv4.ip_forward=1
X
vrf plan --prune
expect_rc 2 "plan --prune"
expect_out '^a  - route 198\.51\.100\.0/24 via 192\.0\.2\.2 dev a0  ! route removed$' "a removed route is marked"
expect_out '^b  - address 192\.0\.2\.2/24 dev b0  ! address removed$' "a removed address is marked"
expect_out '^b  \+ address 192\.0\.2\.3/24 dev b0$' "an added one is not"
expect_out '^c  - namespace .*  ! domain destroyed$' "a destroyed domain is marked"
vrf --json plan --prune
expect_out '"kind":"route","object":"198\.51\.100\.0/24 via 192\.0\.2\.2 dev a0","disruptive":true,"reason":"route removed"' \
	"JSON: disruptive and reason on the route"
expect_out '"domain":"c","op":"delete","kind":"namespace","object":"c","disruptive":true,"reason":"domain destroyed"' \
	"JSON: and on the namespace"
expect_no_out '"op":"add","kind":"address"[^}]*disruptive' "JSON: an addition is not"

vrf apply --prune --no-disruptive
expect_rc 1 "apply --no-disruptive refuses"
expect_out '3 planned changes would cut traffic or lose state; nothing applied' "and says so"
expect_out '^b  - address 192\.0\.2\.2/24 dev b0  ! address removed$' "listing the ops"
ping_ok a 192.0.2.2 "nothing applied: b still at .2"
ip -n a route show 198.51.100.0/24 | grep -q via && ok "the route is still there" || fail "route gone"
ip netns list | grep -qw c && ok "domain c is still there" || fail "c destroyed"
ip netns list | grep -qw d && fail "domain d was created" || ok "domain d was not even created"
vrf apply --prune
expect_rc 0 "without --no-disruptive it applies"
ping_ok a 192.0.2.3 "b at .3"
finish
