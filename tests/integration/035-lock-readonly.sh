#!/bin/sh
# Every command that changes the kernel needs the state lock in state_dir.
# With /run/vrfmgr read-only the lock cannot be had: apply, apply --json,
# destroy and watch each exit 1 and say why, and nothing in the kernel
# changes.  A watch that loses the lock later logs an error per pass, goes
# on, and repairs once the lock can be had again.  watch refuses a non-root
# user at once instead of retrying forever.
. "$(dirname "$0")/lib.sh"

write_config <<'X'
[domain lk]
link = lk0 type veth peer lk0-host
address = 10.7.0.1/24 dev lk0
route = 10.8.0.0/16 via 10.7.0.254
X
route_there() { ip -n lk route show 10.8.0.0/16 | grep -q 10.7.0.254; }
wait_for() { # SECONDS COMMAND...: poll until COMMAND succeeds
	n=$(($1 * 10)); shift
	while [ $n -gt 0 ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; n=$((n - 1)); done
	return 1
}
read_only() { # make /run/vrfmgr read-only, and check that it took
	mount -o remount,ro /run/vrfmgr || die "cannot remount /run/vrfmgr read-only"
	if touch /run/vrfmgr/probe 2>/dev/null; then
		die "/run/vrfmgr is still writable after this test's remount"
	fi
}
read_write() {
	mount -o remount,rw /run/vrfmgr || die "cannot remount /run/vrfmgr read-write"
}

vrf apply
expect_rc 0 "apply with a writable state dir"
route_there && ok "route applied" || fail "route missing after apply"
ip -n lk route del 10.8.0.0/16
route_there && die "this test's own route deletion did not take"

read_only
vrf apply
expect_rc 1 "apply without the lock"
expect_out 'cannot lock /run/vrfmgr: Read-only file system' "apply says why"
route_there && fail "apply changed the kernel without the lock" || ok "apply changed nothing"
vrf --json apply
expect_rc 1 "apply --json without the lock"
expect_no_out '"count":0' "no JSON claiming an empty, successful run"
route_there && fail "apply --json changed the kernel" || ok "apply --json changed nothing"
vrf plan
expect_rc 2 "plan needs no lock and still sees the drift"

vrf destroy lk
expect_rc 1 "destroy without the lock"
expect_out 'cannot lock /run/vrfmgr: Read-only file system; nothing destroyed' "destroy says why"
[ -e /run/netns/lk ] && ip -n lk link show lk0 >/dev/null 2>&1 &&
	ok "the namespace and its link are still there" || fail "destroy went on without the lock"

timeout 20 "$VRFMGR" -c "$T/vrfmgr.ini" watch --interval 300 >"$T/out" 2>&1
RC=$?
expect_rc 1 "watch without the lock at start"
expect_out 'cannot lock /run/vrfmgr: Read-only file system' "watch says why"
route_there && fail "watch changed the kernel without the lock" || ok "watch changed nothing"

# Not root: refused at once, not retried forever.
chmod 0755 "$T"
timeout 20 setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$VRFMGR" -c "$T/vrfmgr.ini" watch --interval 300 >"$T/out" 2>&1
RC=$?
expect_rc 1 "watch as a non-root user"
expect_out 'watch needs root' "and it says so"

# The lock lost while watch runs: an error per pass, no change, no exit;
# back once the lock can be had.
read_write
"$VRFMGR" -c "$T/vrfmgr.ini" watch --interval 300 >"$T/watch.log" 2>&1 &
pid=$!
wait_for 20 route_there && ok "watch applied at start" || fail "watch did not apply: $(cat "$T/watch.log")"
read_only
ip -n lk route del 10.8.0.0/16
route_there && die "this test's own route deletion did not take"
wait_for 20 grep -q 'cannot lock /run/vrfmgr' "$T/watch.log" &&
	ok "a pass without the lock logs an error" || fail "no error logged: $(cat "$T/watch.log")"
kill -0 $pid 2>/dev/null && ok "watch goes on" || fail "watch exited when the lock failed"
route_there && fail "watch changed the kernel without the lock" || ok "watch changed nothing"
read_write
kill -HUP $pid
wait_for 20 route_there && ok "with the lock back, the next pass repairs" || fail "not repaired after the lock came back"
kill -TERM $pid
wait $pid
rc=$?
[ $rc = 0 ] && ok "watch stops cleanly" || fail "watch exited $rc"
finish
