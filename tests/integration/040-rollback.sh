#!/bin/sh
# When the kernel refuses an operation halfway through a domain, that domain
# goes back to the state observed before the run, the kernel's own words and
# the config line are shown, and other domains are applied regardless.
. "$(dirname "$0")/lib.sh"

write_config <<'X'
[domain good]
link = g0 type veth peer g0-host
address = 192.0.2.1/24 dev g0
[domain shaky]
link = s0 type veth peer s0-host
address = 198.51.100.1/24 dev s0
route = 203.0.113.0/24 via 198.51.100.254
X
vrf apply
expect_rc 0 "first apply"

# Second version: good gains a route; shaky gains an address and a route
# whose gateway no interface can reach, which the kernel refuses.
write_config <<'X'
[domain good]
link = g0 type veth peer g0-host
address = 192.0.2.1/24 dev g0
route = 10.9.0.0/16 via 192.0.2.254
[domain shaky]
link = s0 type veth peer s0-host
address = 198.51.100.1/24 dev s0
address = 198.51.100.2/24 dev s0
route = 203.0.113.0/24 via 198.51.100.254
route = 10.10.0.0/16 via 172.31.255.1
X
before=$(ip -n shaky -o addr show dev s0 | awk '{print $4}' | sort | tr '\n' ' ')
vrf apply
expect_rc 1 "apply with a refused route fails"
expect_out '^shaky  ! \+ route 10\.10\.0\.0/16 via 172\.31\.255\.1: .*vrfmgr\.ini:[0-9]+\)$' \
	"the failure names the object and its file:line"
expect_out 'shaky: apply failed; [0-9]+ applied changes? undone' "and says the domain was put back"
after=$(ip -n shaky -o addr show dev s0 | awk '{print $4}' | sort | tr '\n' ' ')
[ "$before" = "$after" ] && ok "shaky's addresses are as before the run ($after)" ||
	fail "shaky's addresses changed: before '$before', after '$after'"
ip -n shaky route show 10.10.0.0/16 | grep -q . && fail "refused route present?" || ok "no half-applied route"
ip -n good route show 10.9.0.0/16 | grep -q 'via 192.0.2.254' && ok "the other domain was applied" ||
	fail "good's route missing: $(ip -n good route)"

# A new domain that fails is removed whole: that is its state before the run.
cat >>"$T/vrfmgr.ini" <<'X'
[domain fresh]
link = f0 type veth peer f0-host
address = 198.18.0.1/24 dev f0
route = 10.11.0.0/16 via 172.31.255.1
X
vrf apply
expect_rc 1 "apply of a new failing domain"
ip netns list | grep -qx fresh && fail "fresh namespace left behind" || ok "the new namespace was removed"
ip link show f0-host >/dev/null 2>&1 && fail "its veth peer left in the host" || ok "its host-side veth went with it"
finish
