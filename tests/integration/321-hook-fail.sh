#!/bin/sh
# A failing pre-apply hook stops that domain's apply with a clear message
# (other domains go on); a failing post-apply hook is reported with its exit
# status; a hook that overruns its timeout is killed with its whole process
# group.
. "$(dirname "$0")/lib.sh"

printf '#!/bin/sh\necho "refusing: $VRFMGR_DOMAIN" >&2\nexit 3\n' >"$T/veto.sh"
printf '#!/bin/sh\nexit 0\n' >"$T/fine.sh"
printf '#!/bin/sh\nkill -SEGV $$\n' >"$T/crash.sh"
cat >"$T/slow.sh" <<X
#!/bin/sh
sleep 60 &
echo \$! > $T/slow.child
wait
X
chmod 0755 "$T/veto.sh" "$T/fine.sh" "$T/crash.sh" "$T/slow.sh"

# f1 exists before the vetoed run; f3 is new in it.
write_config <<X
[domain f1]
X
vrf apply
expect_rc 0 "f1 exists"
write_config <<X
[domain f1]
sysctl = net.ipv4.ip_forward=1
hook = pre-apply $T/fine.sh
hook = pre-apply $T/veto.sh
[domain f2]
sysctl = net.ipv4.ip_forward=1
[domain f3]
sysctl = net.ipv4.ip_forward=1
hook = pre-apply $T/veto.sh
X
vrf apply
expect_rc 1 "apply with a failing pre-apply hook"
expect_out "^$T/vrfmgr.ini:7: hook pre-apply $T/veto.sh failed in domain f1: exit status 3\$" "exit status reported at the hook's FILE:LINE"
expect_out 'refusing: f1' "the hook's own words are shown"
expect_out 'f1: pre-apply hook failed; nothing applied to this domain' "the domain is said to be left alone"
[ "$(ip netns exec f1 cat /proc/sys/net/ipv4/ip_forward)" = 0 ] && ok "f1 unchanged" || fail "f1 was changed despite the veto"
# A vetoed new domain goes as any failed new domain does: its namespace too.
expect_out 'f3: the namespace this run created was removed' "the vetoed new domain's namespace is said to be removed"
ip netns list | grep -q '^f3\b' && fail "the vetoed new domain f3 left its namespace behind" ||
	ok "the vetoed new domain left no namespace"
[ -e /run/vrfmgr/f3 ] && fail "f3's state is left: $(ls /run/vrfmgr/f3)" || ok "nor any state"
# "+ namespace" is said before the removal, not after (stdout is a file here,
# so it is buffered, and stderr is not).
a=$(grep -n 'f3  + namespace' "$T/out" | cut -d: -f1)
b=$(grep -n 'f3: the namespace this run created was removed' "$T/out" | cut -d: -f1)
if [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]; then
	ok "'+ namespace' comes before 'was removed'"
else
	fail "output order: $(grep -n 'f3' "$T/out" | tr '\n' '|')"
fi
vrf plan
expect_rc 2 "f1's change is still pending"

# A hook killed by a signal is reported as such.
write_config <<X
[domain f1]
sysctl = net.ipv4.ip_forward=1
hook = pre-apply $T/crash.sh
X
vrf apply
expect_rc 1 "apply with a crashing pre-apply hook"
expect_out "hook pre-apply $T/crash.sh failed in domain f1: killed by signal 11" "signal reported"

# post-apply failure: the change is made, the failure reported.
write_config <<X
[domain f1]
sysctl = net.ipv4.ip_forward=1
hook = post-apply $T/veto.sh
X
vrf apply
expect_out "^$T/vrfmgr.ini:6: hook post-apply $T/veto.sh failed in domain f1: exit status 3\$" "post-apply failure reported"
[ "$(ip netns exec f1 cat /proc/sys/net/ipv4/ip_forward)" = 1 ] && ok "the change went through" || fail "f1 not changed"

# Timeout: the hook and what it started are killed.
write_config <<X
[domain f1]
sysctl = net.ipv4.ip_forward=0
hook = pre-apply $T/slow.sh timeout 1
X
start=$(date +%s)
vrf apply
took=$(( $(date +%s) - start ))
expect_rc 1 "apply with a hook that overruns"
expect_out "^$T/vrfmgr.ini:6: hook pre-apply $T/slow.sh in domain f1 timed out after 1 s and was killed\$" "timeout reported"
[ "$took" -lt 10 ] && ok "vrfmgr did not wait for the hook ($took s)" || fail "apply took $took s"
child=$(cat "$T/slow.child" 2>/dev/null)
# A killed orphan may linger as a zombie until init reaps it: dead all the same.
state=$(sed 's/.*) //' "/proc/$child/stat" 2>/dev/null | cut -d' ' -f1)
if [ -z "$child" ]; then
	fail "the slow hook never started"
elif [ -n "$state" ] && [ "$state" != Z ]; then
	fail "the hook's child $child survived (state $state)"; kill "$child"
else
	ok "the hook's process group was killed"
fi
[ "$(ip netns exec f1 cat /proc/sys/net/ipv4/ip_forward)" = 1 ] && ok "f1 unchanged after the timeout" || fail "f1 changed"

# The hook file is checked again when it runs: one made group-writable after
# the config was read is refused.  (Simulated by a hook that loosens a
# second hook's mode before that one runs.)
printf '#!/bin/sh\nchmod 0775 %s\n' "$T/fine.sh" >"$T/loosen.sh"
chmod 0755 "$T/loosen.sh" "$T/fine.sh"
write_config <<X
[domain f1]
sysctl = net.ipv4.ip_forward=0
hook = pre-apply $T/loosen.sh
hook = pre-apply $T/fine.sh
X
vrf apply
expect_rc 1 "a hook loosened after check"
expect_out "hook pre-apply $T/fine.sh refused in domain f1: changed since the config was read: now mode 0775" "refused when it runs"
finish
