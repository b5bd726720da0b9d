#!/bin/sh
# The Ansible role in conf/ansible runs for real: ansible-playbook against
# localhost (connection local) inside the sandbox, every path in the test's
# folder.  The first run installs two drop-ins from the role's template,
# plans (changed), applies (plainly: the history has nothing to return to)
# and runs the operator's reachability check (a ping between the two
# domains it made); the second run reports changed=0.  A changed inventory
# is applied with --confirm, checked and confirmed.  A check mode run after
# a domain drifted reports the plan as changed and applies nothing.  A
# change whose reachability check fails fails the play, and vrfmgr's undo
# process puts the confirmed configuration back.
#
#   a: lan 192.0.2.1/24 ---- b: wan 192.0.2.2/24
. "$(dirname "$0")/lib.sh"
undo_pid() { cat /run/vrfmgr/undo 2>/dev/null; }
trap 'p=$(undo_pid); [ -n "$p" ] && kill "$p" 2>/dev/null; rm -rf "$T"' EXIT

AP=$(command -v ansible-playbook) ||
	skip "ansible-playbook is not installed (ansible-core; tests/deps.sh installs it)"
# Debian's ansible-core runs on Debian's python3; the modules must too.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)

# Everything Ansible would keep in ~/.ansible goes into the test's folder.
export ANSIBLE_HOME="$T/ansible-home" ANSIBLE_LOCAL_TEMP="$T/ansible-tmp" \
	ANSIBLE_REMOTE_TEMP="$T/ansible-tmp" ANSIBLE_ROLES_PATH="$TOP/conf/ansible/roles" \
	ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_STDOUT_CALLBACK=default \
	ANSIBLE_DISPLAY_SKIPPED_HOSTS=0 \
	ANSIBLE_PYTHON_INTERPRETER="$PY"

write_config <<X
[global]
netns_dir = /run/netns
history_dir = $T/history
include = $T/vrfmgr.d/*.ini
X
printf 'localhost ansible_connection=local\n' >"$T/hosts"
ROUTE=198.51.100.0/24
play() { # CHECK_COMMAND [ansible-playbook options]; a's route is $ROUTE
	check=$1; shift
	cat >"$T/play.yml" <<X
- hosts: localhost
  gather_facts: false
  vars:
    vrfmgr_bin: $VRFMGR
    vrfmgr_config: $T/vrfmgr.ini
    vrfmgr_include_dir: $T/vrfmgr.d
    vrfmgr_reachability_check: "$check"
    vrfmgr_confirm_seconds: ${CONFIRM:-60}
    vrfmgr_dropins:
      - name: a
        settings:
          link: lan type veth peer wan peer-netns b
          address: 192.0.2.1/24 dev lan
          route: [$ROUTE via 192.0.2.2]
      - name: b
        settings:
          address: [192.0.2.2/24 dev wan, 198.51.100.1/32 dev lo]
  roles:
    - vrfmgr
X
	"$AP" -i "$T/hosts" "$@" "$T/play.yml" >"$T/out" 2>&1
	RC=$?
}
recap() { grep -E '^localhost +:' "$T/out" | tr -s ' '; }

play "ip netns exec a ping -n -q -c 1 -W 2 198.51.100.1"
expect_rc 0 "first run"
recap | grep -Eq 'changed=[1-9]' && ok "first run changed something: $(recap)" ||
	fail "first run: $(recap)"
[ -f "$T/vrfmgr.d/a.ini" ] && [ -f "$T/vrfmgr.d/b.ini" ] && ok "drop-ins installed" ||
	fail "drop-ins: $(ls "$T/vrfmgr.d")"
expect_out 'TASK \[vrfmgr : Reachability check\]' "the reachability check ran"
expect_no_out 'TASK \[vrfmgr : Confirm\]' "a first apply is plain: nothing to confirm"
ping_ok a 198.51.100.1 "a reaches b's lo through the route the role applied"

play "ip netns exec a ping -n -q -c 1 -W 2 198.51.100.1"
expect_rc 0 "second run"
recap | grep -q 'changed=0 ' && ok "second run changed nothing: $(recap)" ||
	{ fail "second run: $(recap)"; sed 's/^/    | /' "$T/out"; }


# A changed inventory: applied with --confirm, checked, confirmed.
ROUTE=198.51.100.0/25
play "ip netns exec a ping -n -q -c 1 -W 2 198.51.100.1"
expect_rc 0 "a changed inventory"
expect_out 'TASK \[vrfmgr : Confirm\]' "confirmed after the check"
"$VRFMGR" -c "$T/vrfmgr.ini" history >"$T/hist" 2>&1
grep 'apply --confirm 60' "$T/hist" | grep -q confirmed &&
	ok "the history has the apply --confirm 60, confirmed" || fail "history: $(cat "$T/hist")"
ip -n a route show 198.51.100.0/25 | grep -q . && ok "the new route is in place" ||
	fail "routes: $(ip -n a route show)"

# Drift, seen in check mode and left alone.
ip -n a route del 198.51.100.0/25
play "true" --check
expect_rc 0 "check mode run"
recap | grep -q 'changed=1 ' && ok "check mode reports the plan as the one change: $(recap)" ||
	fail "check mode: $(recap)"
expect_out '\+ route 198\.51\.100\.0/25 via 192\.0\.2\.2' "the plan is shown"
ip -n a route show 198.51.100.0/25 | grep -q . && fail "check mode applied" ||
	ok "check mode applied nothing"

# A change whose reachability check fails: the play fails, and the undo
# process restores the confirmed configuration (the /25) when its time is up.
ROUTE=203.0.113.0/24
# The window must outlast the play's own steps on a loaded machine: were it
# to run out before the check, the undo would already have made the check
# pass (seen in CI with a 2 s window).
CONFIRM=10 play "ip netns exec a ping -n -q -c 1 -W 1 198.51.100.1"
[ "$RC" != 0 ] && ok "a failing reachability check fails the play (exit $RC)" ||
	fail "the play passed with a failing check"
expect_no_out 'TASK \[vrfmgr : Confirm\]' "nothing was confirmed"
i=0
until ip -n a route show 198.51.100.0/25 | grep -q . &&
	! ip -n a route show 203.0.113.0/24 | grep -q .; do
	i=$((i + 1))
	[ $i -gt 300 ] && break
	sleep 0.2
done
[ $i -le 300 ] && ok "the undo process put the confirmed routes back" ||
	fail "not rolled back: $(ip -n a route show)"
finish
