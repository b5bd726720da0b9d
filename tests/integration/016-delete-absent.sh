#!/bin/sh
# Deleting what is already gone is success.  Between plan and apply the
# kernel (or anyone else) may remove an object that the plan deletes: a
# route goes with the link it used when apply --prune removes the domain
# that owned that link's other end.  That deletion must not fail the run,
# nor another domain's apply.
#
#   [snd] 10.1.0.2 s0 ==== f-s 10.1.0.1 [fw]        (fw is pruned)
#   [oob] lo 10.9.0.1, 10.9.1.1                      (a hook deletes first)
#
# Both cases are made deterministic with a pre-apply hook, which runs after
# the plan is made and the orphans are gone, right before the domain's
# changes: snd's hook waits until s0 has vanished with fw; oob's hook
# deletes the objects the plan is about to delete.
. "$(dirname "$0")/lib.sh"

cat >"$T/wait-s0.sh" <<X
#!/bin/sh
# Wait (bounded) until the kernel has removed s0 with fw's namespace.
i=0
while ip link show s0 >/dev/null 2>&1 && [ \$i -lt 400 ]; do
	sleep 0.05
	i=\$((i + 1))
done
if ip link show s0 >/dev/null 2>&1; then echo present; else echo gone; fi >$T/s0.state
ip route show 198.51.100.0/24 >$T/s0.route
X
cat >"$T/del-oob.sh" <<X
#!/bin/sh
# Delete behind vrfmgr's back what its plan deletes; record each outcome.
{
	ip route del 203.0.113.0/24 && echo route-deleted
	ip address del 10.9.1.1/24 dev lo && echo address-deleted
	ip rule del priority 1000 && echo rule-deleted
} >$T/oob.state 2>&1
X
chmod 0755 "$T/wait-s0.sh" "$T/del-oob.sh"

write_config <<X
[domain snd]
address = 10.1.0.2/24 dev s0
route = 198.51.100.0/24 via 10.1.0.1
[domain fw]
link = f-s type veth peer s0 peer-netns snd
address = 10.1.0.1/24 dev f-s
[domain oob]
address = 10.9.0.1/24 dev lo
address = 10.9.1.1/24 dev lo
route = blackhole 203.0.113.0/24
rule = from 10.9.0.0/24 table 100 priority 1000
X
vrf apply
expect_rc 0 "apply snd, fw and oob"
ip netns exec snd ip route show 198.51.100.0/24 | grep -q 'dev s0' &&
	ok "snd's route uses s0" || fail "snd's route is missing: $(ip netns exec snd ip route)"

# fw leaves the file, and with it snd's address and route on s0.
write_config <<X
[domain snd]
hook = pre-apply $T/wait-s0.sh
[domain oob]
address = 10.9.0.1/24 dev lo
hook = pre-apply $T/del-oob.sh
X
vrf apply --prune
[ "$(cat "$T/s0.state" 2>/dev/null)" = gone ] ||
	die "s0 did not vanish with fw within 20 s (state: $(cat "$T/s0.state" 2>/dev/null)); cannot test"
[ -s "$T/s0.route" ] && die "snd's route outlived s0: $(cat "$T/s0.route")"
ok "snd's route was gone with s0 before snd's apply ran"
for what in route address rule; do
	grep -qx "$what-deleted" "$T/oob.state" && ok "the hook deleted oob's $what out of band" ||
		die "the hook could not delete oob's $what: $(cat "$T/oob.state")"
done
expect_rc 0 "apply --prune succeeds though its deletions found their objects gone"
expect_no_out '  ! ' "no operation failed"
expect_out '^fw  - namespace' "fw was pruned"
expect_out '^snd  - route 198\.51\.100\.0/24 via 10\.1\.0\.1' "snd's route deletion is reported done"
expect_out '^oob  - route blackhole 203\.0\.113\.0/24' "oob's route deletion is reported done"
expect_out '^oob  - address 10\.9\.1\.1/24' "oob's address deletion is reported done"
expect_out '^oob  - rule ' "oob's rule deletion is reported done"
expect_no_out 'rolled back|undone' "nothing was rolled back"
ip -n oob address show dev lo | grep -q '10\.9\.0\.1/24' &&
	ok "oob keeps the address it still declares" || fail "oob lost 10.9.0.1"

vrf plan
expect_rc 0 "the next plan finds nothing to do"
finish
