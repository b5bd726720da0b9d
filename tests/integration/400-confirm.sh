#!/bin/sh
# apply --confirm: a change not confirmed in time is undone by a process of
# its own (the earlier configuration holds again: plan against it finds
# nothing, and packets go where they went before); a confirmed change stays;
# a second apply --confirm moves the deadline and keeps the restore point;
# status shows the pending change; confirm with nothing pending fails.
#
#   [a] a0 192.0.2.1 ---veth--- b0 192.0.2.ADDR [b]
. "$(dirname "$0")/lib.sh"

# cfg FILE ADDR: both domains, b's address ending in ADDR.
cfg() {
	cat >"$1" <<X
[global]
netns_dir = /run/netns
history_dir = $T/history
[domain a]
link = a0 type veth peer b0 peer-netns b
address = 192.0.2.1/24 dev a0
[domain b]
address = 192.0.2.$2/24 dev b0
X
	chmod 0644 "$1"
}
undo_pid() { cat /run/vrfmgr/undo 2>/dev/null; }
trap 'p=$(undo_pid); [ -n "$p" ] && kill "$p" 2>/dev/null; rm -rf "$T"' EXIT

# in_sync FILE SECONDS: poll until plan against FILE finds nothing to do.
in_sync() {
	i=0
	while [ $i -lt $(($2 * 5)) ]; do
		"$VRFMGR" -c "$1" plan >/dev/null 2>&1 && return 0
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}
# undo_gone SECONDS: poll until no undo process runs.
undo_gone() {
	i=0
	while [ $i -lt $(($1 * 5)) ]; do
		p=$(undo_pid)
		{ [ -z "$p" ] || ! kill -0 "$p" 2>/dev/null; } && return 0
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}

cfg "$T/v1.ini" 2
cfg "$T/v2.ini" 3
cp "$T/v1.ini" "$T/vrfmgr.ini"

vrf confirm
expect_rc 1 "confirm with no history at all"
vrf apply --confirm 5
expect_rc 1 "apply --confirm with no earlier configuration to return to"
expect_out 'no applied configuration' "and it says why"
ip netns list | grep -q . && fail "it created namespaces anyway" || ok "nothing applied"

vrf apply
expect_rc 0 "first apply (entry 1, the restore point)"
ping_ok a 192.0.2.2 "v1: a reaches b at .2"
vrf confirm
expect_rc 1 "confirm with nothing pending"
expect_out 'nothing to confirm' "and says so"

# --- not confirmed: undone after the deadline ---
cp "$T/v2.ini" "$T/vrfmgr.ini"
vrf apply --confirm 3
expect_rc 0 "apply --confirm 3"
expect_out 'must be confirmed within [0-9]+ seconds? with "vrfmgr confirm"' "it asks for a confirmation"
ping_ok a 192.0.2.3 "v2 is in force: a reaches b at .3"
[ -n "$(undo_pid)" ] && kill -0 "$(undo_pid)" && ok "an undo process runs ($(undo_pid))" ||
	fail "no undo process"
vrf status
expect_out '^pending confirmation: change 2, [0-9]+ seconds? left, else entry 1 is restored' \
	"status shows the pending change"
vrf --json status
expect_out '"pending":\{"id":2,"seconds_left":[0-9]+,"restore":1,"undo_running":true\}' \
	"status --json shows it too"
in_sync "$T/v1.ini" 30 && ok "after the deadline, plan against v1 finds nothing" ||
	fail "v1 not restored: $("$VRFMGR" -c "$T/v1.ini" plan 2>&1)"
ping_ok a 192.0.2.2 "packets follow v1 again (.2)"
ping_fails a 192.0.2.3 "and v2's address is gone (.3)"
vrf history
expect_out '^2 .* rolled back +[0-9]+  apply --confirm 3' "history: entry 2 rolled back"
undo_gone 10 && ok "the undo process ended" || fail "the undo process is still there"
vrf --json status
expect_out '"pending":null' "status: nothing pending"

# --- confirmed: stays ---
vrf apply --confirm 2
expect_rc 0 "apply v2 --confirm 2 again"
vrf confirm
expect_rc 0 "confirm"
expect_out 'change 3 confirmed' "confirm names the change"
undo_gone 10 && ok "confirm stopped the undo process" || fail "undo process still running"
sleep 3	# past the deadline of 2 s: there is nothing left that could undo it
"$VRFMGR" -c "$T/v2.ini" plan >"$T/out" 2>&1; RC=$?
expect_rc 0 "after the deadline v2 is still in force"
ping_ok a 192.0.2.3 "packets follow v2 (.3)"
vrf history
expect_out '^3 .* confirmed ' "history: entry 3 confirmed"

# --- a second apply --confirm extends the window, same restore point ---
cfg "$T/v3.ini" 4
cp "$T/v3.ini" "$T/vrfmgr.ini"
vrf apply --confirm 2
expect_rc 0 "apply v3 --confirm 2"
cfg "$T/vrfmgr.ini" 5
vrf apply --confirm 60
expect_rc 0 "apply v4 --confirm 60 while v3 is pending"
expect_out 'change 5 must be confirmed .* entry 3 is restored' "the restore point is still entry 3"
vrf history
expect_out '^4 .* superseded ' "the first pending entry is superseded"
sleep 3	# past the first deadline (2 s), far before the new one (60 s)
ping_ok a 192.0.2.5 "past the first deadline, v4 still holds (.5)"
vrf --json status
expect_out '"pending":\{"id":5,"seconds_left":[0-9]+,"restore":3,' "status: change 5 pending, restores 3"
vrf confirm
expect_rc 0 "confirm v4"
undo_gone 10 && ok "undo process gone" || fail "undo process still running"
finish
