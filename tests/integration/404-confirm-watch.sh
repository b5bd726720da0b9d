#!/bin/sh
# watch and apply --confirm: a change that was not confirmed and was rolled
# back stays rolled back under a running watch.  watch reconciles to the
# restore point's copy, not to the file (drift is repaired toward it, after
# SIGHUP too), says so once, and follows the file again once the operator
# applies.  history_keep = 1 does not drop the restore point it holds.
# When the undo process is gone, the next watch pass undoes the
# change itself, as apply would, and confirm adopts it again.
#
#   [a] a0 192.0.2.1 ---veth--- b0 192.0.2.ADDR [b]
#   a: route 198.51.100.0/24 via 192.0.2.ADDR
. "$(dirname "$0")/lib.sh"

cfg() { # FILE ADDR
	cat >"$1" <<X
[global]
netns_dir = /run/netns
history_dir = $T/history
history_keep = 1
[domain a]
link = a0 type veth peer b0 peer-netns b
address = 192.0.2.1/24 dev a0
route = 198.51.100.0/24 via 192.0.2.$2
[domain b]
address = 192.0.2.$2/24 dev b0
X
	chmod 0644 "$1"
}
undo_pid() { cat /run/vrfmgr/undo 2>/dev/null; }
WATCH=
trap 'p=$(undo_pid); [ -n "$p" ] && kill "$p" 2>/dev/null
	[ -n "$WATCH" ] && kill "$WATCH" 2>/dev/null && wait "$WATCH"; rm -rf "$T"' EXIT
wait_for() { # SECONDS COMMAND...: poll until COMMAND succeeds
	n=$(($1 * 5)); shift; i=0
	while [ $i -lt $n ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; i=$((i + 1)); done
	return 1
}
dead() { ! kill -0 "$1" 2>/dev/null; }
route_any() { ip -n a route show 198.51.100.0/24 | grep -q via; }
route_via() { ip -n a route show 198.51.100.0/24 | grep -q "via 192.0.2.$1 "; }
logged() { grep -c -- "$1" "$T/watch.log"; }
said() { [ "$(logged "$1")" -ge "$2" ]; }
entry_is() { # ID RESULT
	"$VRFMGR" -c "$T/vrfmgr.ini" history | grep -Eq "^$1 .* $2 "
}
plan_clean() { # FILE DESCRIPTION
	"$VRFMGR" -c "$1" plan >"$T/out" 2>&1; RC=$?
	expect_rc 0 "$2"
}
# drift_repaired ADDR DESCRIPTION: delete a's route behind watch's back
# (once a pass that may be under way has put it where it belongs); the pass
# that repairs it must put it back via 192.0.2.ADDR.
drift_repaired() {
	wait_for 30 route_via "$1"
	# The delete's status is the check that it took: a pass under way
	# may put the route back before a second look.
	if ! ip -n a route del 198.51.100.0/24 2>"$T/del.err"; then
		fail "$2: this test's own delete of the route did not take: $(cat "$T/del.err")"
		return
	fi
	if ! wait_for 30 route_any; then
		fail "$2: the route was not repaired: $(tail -5 "$T/watch.log")"
	elif route_via "$1"; then
		ok "$2"
	else
		fail "$2: repaired as $(ip -n a route show 198.51.100.0/24)"
	fi
}

cfg "$T/v1.ini" 2
cfg "$T/v2.ini" 3
cp "$T/v1.ini" "$T/vrfmgr.ini"
vrf apply
expect_rc 0 "v1 applied (entry 1)"
"$VRFMGR" -c "$T/vrfmgr.ini" watch --interval 600 >"$T/watch.log" 2>&1 &
WATCH=$!
drift_repaired 2 "watch runs and repairs drift toward v1"

# --- a change rolled back at its deadline stays rolled back ---
cp "$T/v2.ini" "$T/vrfmgr.ini"
vrf apply --confirm 2
expect_rc 0 "apply --confirm 2 of v2 (change 2), never confirmed"
kill -HUP "$WATCH"	# watch takes the pending change: that is the file now
wait_for 30 entry_is 2 'rolled back' && ok "change 2 rolled back after its deadline" ||
	fail "change 2 not rolled back: $("$VRFMGR" -c "$T/vrfmgr.ini" history 2>&1)"
wait_for 30 said 'watch keeps the configuration of entry 1, not ' 1 &&
	ok "watch says it keeps entry 1 instead of the file" ||
	fail "watch never said it keeps the restored configuration: $(cat "$T/watch.log")"
plan_clean "$T/v1.ini" "plan against v1 finds nothing"
ping_ok a 192.0.2.2 "packets follow v1 (.2)"
ping_fails a 192.0.2.3 "v2's address is gone (.3)"
route_via 2 && ok "a's route goes via v1's .2" ||
	fail "a's route: $(ip -n a route show 198.51.100.0/24)"
drift_repaired 2 "a later pass repairs drift toward the restored v1, not the file"
"$VRFMGR" -c "$T/v1.ini" apply >"$T/out" 2>&1; RC=$?
expect_rc 0 "apply of v1, which changes nothing and so ends nothing"
[ -d "$T/history/1" ] && ok "history_keep = 1 keeps entry 1, which watch holds" ||
	fail "entry 1 dropped: $(ls "$T/history")"
n=$(logged 'reloaded')
kill -HUP "$WATCH"	# and loads entry 1 again
wait_for 30 said 'reloaded' $((n + 1)) && ok "SIGHUP reloads the file (v2)" ||
	fail "no reload: $(cat "$T/watch.log")"
drift_repaired 2 "after SIGHUP too, drift is repaired toward v1"
plan_clean "$T/v1.ini" "plan against v1 still finds nothing"
[ "$(logged 'watch keeps the configuration')" = 1 ] && ok "watch said it only once" ||
	fail "said $(logged 'watch keeps the configuration') times: $(cat "$T/watch.log")"

# --- the operator's apply ends it ---
vrf apply
expect_rc 0 "apply of the file (v2) after the rollback"
wait_for 30 said 'watch follows .* again' 1 && ok "watch says it follows the file again" ||
	fail "no word of the file: $(cat "$T/watch.log")"
drift_repaired 3 "drift is repaired toward the file (v2) again"
plan_clean "$T/v2.ini" "plan against v2 finds nothing"

# --- the undo process is gone: watch undoes the change itself ---
cp "$T/v1.ini" "$T/vrfmgr.ini"
vrf apply --confirm 300
expect_rc 0 "apply --confirm 300 of v1 (change 4)"
n=$(logged 'reloaded')
kill -HUP "$WATCH"
wait_for 30 said 'reloaded' $((n + 1)) || fail "no reload: $(cat "$T/watch.log")"
drift_repaired 2 "while change 4 is pending, watch follows the file (v1)"
UNDO=$(undo_pid)
[ -n "$UNDO" ] && kill -KILL "$UNDO"
wait_for 10 dead "$UNDO" && ok "undo process $UNDO killed" || fail "undo process survives KILL"
drift_repaired 3 "the next pass restores entry 3 (v2) instead of the file"
grep -q 'change 4 (apply --confirm 300) was not confirmed and its undo process is gone; restoring the configuration of entry 3' \
	"$T/watch.log" && ok "watch says why" || fail "no word of the undo: $(cat "$T/watch.log")"
entry_is 4 'rolled back' && ok "change 4 rolled back" ||
	fail "change 4: $("$VRFMGR" -c "$T/vrfmgr.ini" history 2>&1)"
wait_for 30 said 'watch keeps the configuration of entry 3, not ' 1 &&
	ok "watch keeps entry 3 and says so" || fail "no word of entry 3: $(cat "$T/watch.log")"
drift_repaired 3 "and repairs drift toward it"
plan_clean "$T/v2.ini" "plan against v2 (entry 3) finds nothing"
ping_ok a 192.0.2.3 "packets follow v2 (.3)"
vrf confirm
expect_rc 0 "confirm adopts change 4 after all"
drift_repaired 2 "watch follows the file (v1) again"
plan_clean "$T/v1.ini" "plan against v1 finds nothing"

kill -TERM "$WATCH"
wait "$WATCH"
rc=$?
WATCH=
[ $rc = 0 ] && ok "watch exits cleanly" || fail "watch exited $rc: $(tail -20 "$T/watch.log")"
finish
