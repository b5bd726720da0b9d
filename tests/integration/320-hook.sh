#!/bin/sh
# Hooks run inside the domain's namespace, only when the domain changes,
# with VRFMGR_DOMAIN, VRFMGR_CONFIG, VRFMGR_EVENT and VRFMGR_CHANGES set and
# the plan on standard input: pre-apply before the change, post-apply after;
# post-destroy in the host namespace after the domain is gone.
. "$(dirname "$0")/lib.sh"

cat >"$T/hook.sh" <<X
#!/bin/sh
log=$T/hook.log
{
	echo "event=\$VRFMGR_EVENT domain=\$VRFMGR_DOMAIN config=\$VRFMGR_CONFIG"
	echo "netns=\$(readlink /proc/self/ns/net)"
	echo "ip_forward=\$(cat /proc/sys/net/ipv4/ip_forward)"
	echo "changes<<"
	printf '%s\n' "\$VRFMGR_CHANGES"
	echo "stdin<<"
	cat
	echo "end"
} >>\$log
echo "hook says hello"
X
chmod 0755 "$T/hook.sh"
LOG=$T/hook.log

write_config <<X
[domain h1]
sysctl = net.ipv4.ip_forward=1
hook = pre-apply $T/hook.sh
hook = post-apply hook.sh
hook = post-destroy hook.sh
[domain h2]
sysctl = net.ipv4.ip_forward=1
X
vrf apply
expect_rc 0 "apply runs the hooks"
[ "$(grep -c '^event=pre-apply domain=h1 ' "$LOG")" = 1 ] && ok "pre-apply ran once" || fail "pre-apply ran $(grep -c '^event=pre-apply' "$LOG") times"
[ "$(grep -c '^event=post-apply domain=h1 ' "$LOG")" = 1 ] && ok "post-apply ran once" || fail "post-apply ran $(grep -c '^event=post-apply' "$LOG") times"
grep -q "domain=h2" "$LOG" && fail "a hook ran for h2, which has none" || ok "no hook for the domain without one"
grep -q "config=$T/vrfmgr.ini\$" "$LOG" && ok "VRFMGR_CONFIG is the config's path" || fail "VRFMGR_CONFIG wrong: $(grep -m1 config= "$LOG")"

want=$(ip netns exec h1 readlink /proc/self/ns/net)
host=$(readlink /proc/self/ns/net)
n=$(grep -cxF "netns=$want" "$LOG")
[ "$n" = 2 ] && ok "both hooks ran in h1's namespace ($want)" || fail "hooks ran in: $(grep netns= "$LOG" | tr '\n' ' '), wanted $want"
[ "$want" != "$host" ] && ok "(and that is not the host's)" || fail "h1 shares the host namespace?"
sed -n '/^event=pre-apply/,/^end/p' "$LOG" | grep -q '^ip_forward=0$' && ok "pre-apply ran before the change" || fail "pre-apply saw the change already"
sed -n '/^event=post-apply/,/^end/p' "$LOG" | grep -q '^ip_forward=1$' && ok "post-apply ran after the change" || fail "post-apply did not see the change"
sed -n '/^event=post-apply/,/^stdin<</p' "$LOG" | grep -q 'sysctl net\.ipv4\.ip_forward 0 -> 1' && ok "VRFMGR_CHANGES lists the change" || fail "VRFMGR_CHANGES lacks the change"
sed -n '/^event=post-apply/,/^end/p' "$LOG" | sed -n '/^stdin<</,/^end/p' | grep -q 'sysctl net\.ipv4\.ip_forward 0 -> 1' && ok "the plan is on standard input" || fail "stdin lacks the plan"
sed -n '/^event=post-apply/,/^end/p' "$LOG" | grep -q 'h2' && fail "h1's hook saw h2's changes" || ok "only the domain's own changes"
grep -q 'hook says hello' "$T/out" && ok "hook output shown (on stderr)" || fail "hook output lost"
"$VRFMGR" -c "$T/vrfmgr.ini" apply 2>/dev/null >"$T/stdout"
grep -q 'hook says hello' "$T/stdout" && fail "hook output on vrfmgr's stdout" || ok "hook output kept off stdout"

# A no-op run runs no hook.
before=$(grep -c '^event=' "$LOG")
vrf apply
expect_rc 0 "second apply"
[ "$(grep -c '^event=' "$LOG")" = "$before" ] && ok "no hook on a no-op run" || fail "a hook ran on a no-op run"
vrf plan
[ "$(grep -c '^event=' "$LOG")" = "$before" ] && ok "plan runs no hook" || fail "plan ran a hook"

# A change runs them again, once each.
ip netns exec h1 sh -c 'echo 0 > /proc/sys/net/ipv4/ip_forward'
vrf apply
expect_rc 0 "apply after drift"
[ "$(grep -c '^event=' "$LOG")" = $((before + 2)) ] && ok "a change runs pre- and post-apply once each" || fail "hooks ran $(( $(grep -c '^event=' "$LOG") - before )) times, wanted 2"
# ...and a change elsewhere does not run h1's hooks.
ip netns exec h2 sh -c 'echo 0 > /proc/sys/net/ipv4/ip_forward'
before=$(grep -c '^event=' "$LOG")
vrf apply
[ "$(grep -c '^event=' "$LOG")" = "$before" ] && ok "a change in h2 runs no h1 hook" || fail "h1's hook ran for h2's change"

# post-destroy runs in the host namespace, after the domain is gone.
vrf destroy h1
expect_rc 0 "destroy h1"
grep -q '^event=post-destroy domain=h1 ' "$LOG" && ok "post-destroy ran" || fail "post-destroy did not run"
sed -n '/^event=post-destroy/,/^end/p' "$LOG" | grep -qxF "netns=$host" && ok "post-destroy ran in the host namespace" || fail "post-destroy ran elsewhere"
finish
