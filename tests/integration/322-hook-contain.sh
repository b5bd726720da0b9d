#!/bin/sh
# A hook's output reaches vrfmgr's standard error through a pipe vrfmgr
# drains and closes when the hook exits, so a child the hook leaves running
# with that output open (in the background, or after setsid) does not hold
# `vrfmgr apply 2>&1 | cat` up.  On timeout, everything the hook started is
# killed, a setsid child included, when the hook runs in its own cgroup
# (cgroup2 with cgroup.kill, writable); else its process group only.
. "$(dirname "$0")/lib.sh"

M=vrfhook-mark-$$
# Background processes carry "$M-N" in their command line, so pgrep -f finds
# exactly them; they are cleaned up by pid on exit.
cleanup() {
	for p in $(pgrep -f "$M-"); do kill "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
loop="while :; do sleep 1; done"

cat >"$T/bg.sh" <<X
#!/bin/sh
sh -c '$loop' $M-bg &
echo "bg hook says hi"
X
cat >"$T/setsid.sh" <<X
#!/bin/sh
setsid sh -c '$loop' $M-setsid &
echo "setsid hook says hi" >&2
X
cat >"$T/slow.sh" <<X
#!/bin/sh
setsid sh -c '$loop' $M-slowsetsid &
sh -c '$loop' $M-slowbg &
sleep 60
X
chmod 0755 "$T/bg.sh" "$T/setsid.sh" "$T/slow.sh"

alive() { # MARK: is a process with MARK in its command line running?
	pgrep -f "$1" >/dev/null
}
# apply_piped FORWARD: apply with its stdout and stderr into a pipe (cat),
# bounded by timeout 20; sets RC and $T/out.
apply_piped() {
	write_config <<X
[domain hk]
sysctl = net.ipv4.ip_forward=$1
hook = $2
X
	start=$(date +%s%N)
	timeout 20 sh -c '{ "$1" -v -c "$2" apply 2>&1; echo "apply exit $?"; } | cat' \
		sh "$VRFMGR" "$T/vrfmgr.ini" >"$T/out" 2>&1
	RC=$?
	[ $RC = 0 ] && RC=$(sed -n 's/^apply exit //p' "$T/out")
	took=$(( ($(date +%s%N) - start) / 1000000 ))
	echo "apply | cat took $took ms"
}

apply_piped 1 "post-apply $T/bg.sh"
expect_rc 0 "a hook leaving a background child on its output: apply | cat returns"
expect_out '^bg hook says hi$' "the hook's output is shown"
alive "$M-bg" && ok "(the background child still runs: it was only let go of)" ||
	echo "NOTE: the background child is gone; the check above did not depend on it"

apply_piped 0 "post-apply $T/setsid.sh"
expect_rc 0 "a hook leaving a setsid child on its output: apply | cat returns"
expect_out '^setsid hook says hi$' "its standard error is shown"

apply_piped 1 "pre-apply $T/slow.sh timeout 1"
expect_rc 1 "a hook that overruns its timeout"
expect_out 'timed out after 1 s and was killed' "the timeout is reported"
alive "$M-slowbg" && fail "a background child of the timed-out hook survived" ||
	ok "the background child of the timed-out hook is gone"
# Can this machine give a hook a cgroup?  The same probe vrfmgr makes: a
# child of our own cgroup on the cgroup2 hierarchy, with cgroup.kill.
cg_own=$(sed -n 's/^0:://p' /proc/self/cgroup)
cg_mnt=$(awk '{ for (i = 7; i < NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") print $5; break } }' \
	/proc/self/mountinfo | head -1)
cg_probe=$cg_mnt${cg_own%/}/vrfhook-probe-$$
if [ -n "$cg_mnt" ] && mkdir "$cg_probe" 2>/dev/null; then
	[ -e "$cg_probe/cgroup.kill" ] && cg=yes || cg="no cgroup.kill"
	rmdir "$cg_probe"
else
	cg="no writable cgroup2 (${cg_mnt:-not mounted})"
fi
if [ "$cg" = yes ]; then
	grep -q '^hk: hook in cgroup ' "$T/out" && ok "the hook ran in a cgroup of its own" ||
		fail "cgroup2 is writable here, but the hook did not get a cgroup"
	alive "$M-slowsetsid" && fail "a setsid child of the timed-out hook survived" ||
		ok "the setsid child of the timed-out hook is gone too (cgroup.kill)"
else
	echo "NOTE: hooks cannot have a cgroup here ($cg); a setsid child escapes the" \
		"process group, so that check is skipped"
	grep -q '^hk: hook in its process group only' "$T/out" && ok "vrfmgr says it has no cgroup" ||
		fail "vrfmgr does not say that the hook has no cgroup"
fi
if [ "$cg" = yes ]; then
	# Only cgroups of vrfmgr runs that have ended count: other vrfmgr
	# processes (another test suite on this machine) may have live ones.
	left=
	for d in "$cg_mnt${cg_own%/}"/vrfmgr-hook-*; do
		[ -d "$d" ] || continue
		pid=${d##*/vrfmgr-hook-}; pid=${pid%-*}
		kill -0 "$pid" 2>/dev/null || left="$left $d"
	done
	[ -z "$left" ] && ok "no hook cgroup of an ended run left behind" ||
		fail "hook cgroups left behind:$left"
fi

# Without cgroup2 (unmounted in this test's own mount namespace) a hook
# runs in its process group only, and vrfmgr says so.
if [ -n "$cg_mnt" ] && umount "$cg_mnt" 2>/dev/null; then
	apply_piped 1 "pre-apply $T/slow.sh timeout 1"
	expect_rc 1 "without cgroup2: a hook that overruns its timeout"
	expect_out '^hk: hook in its process group only, as no cgroup2 hierarchy found$' \
		"vrfmgr says the hook has its process group only"
	alive "$M-slowbg" && fail "without cgroup2, a background child of the timed-out hook survived" ||
		ok "without cgroup2, the process group is still killed"
else
	echo "NOTE: cannot unmount cgroup2 in this test's namespace; the fallback is not checked"
fi
finish
