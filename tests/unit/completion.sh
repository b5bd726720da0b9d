#!/bin/sh
# conf/vrfmgr.bash-completion: commands, options, -c FILE, and domain names
# taken from the first column of `vrfmgr status`.  bash-completion's own
# helpers are replaced by stubs that record how they were called, and
# vrfmgr by a function printing a fixed status, so the test needs neither
# the bash-completion package nor root.
cd "$(dirname "$0")/../.." || exit 1
command -v bash >/dev/null 2>&1 || { echo "SKIP: bash is not installed"; exit 77; }
exec bash -c '
fails=0
_init_completion() { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]};
	words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
_filedir() { COMPREPLY=(FILES); }
_command_offset() { COMPREPLY=("COMMAND-AT-$1"); }
vrfmgr() {
	printf "%s\n" "$*" >"$tmp/args"
	echo "cust-a           present  owned    in-sync  link=2 address=2"
	echo "site-a           absent   owned    absent   changes=3"
	echo "pending confirmation: change 2, 5 seconds left, else entry 1 is restored"
}
tmp=$(mktemp -d) || exit 1
trap "rm -rf \"$tmp\"" EXIT
. conf/vrfmgr.bash-completion || { echo "FAIL: cannot source the completion"; exit 1; }

# expect "WANTED REPLY" WORD...: complete the last word of the command line.
expect() {
	want=$1; shift
	COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
	_vrfmgr
	got="${COMPREPLY[*]}"
	if [ "$got" = "$want" ]; then echo "ok: [$*] -> $got"
	else echo "FAIL: [$*] -> \"$got\", wanted \"$want\""; fails=$((fails + 1)); fi
}

expect "check plan apply audit status exec destroy watch metrics confirm history rollback version help" vrfmgr ""
expect "plan" vrfmgr -c x.ini pl
expect "--json" vrfmgr --j
expect "FILES" vrfmgr -c ""
expect "FILES" vrfmgr --config ""
expect "cust-a site-a" vrfmgr plan ""
expect "cust-a" vrfmgr audit c
expect "site-a" vrfmgr -v destroy s
expect "--prune" vrfmgr apply --p
expect "--prune --adopt --confirm --no-disruptive" vrfmgr apply --
expect "--prune --adopt" vrfmgr plan --
expect "--dry-run --confirm --no-disruptive" vrfmgr rollback --
expect "--json show" vrfmgr history ""
expect "--dot" vrfmgr status --
expect "--interval --metrics" vrfmgr watch ""
expect "cust-a site-a" vrfmgr exec ""
expect "COMMAND-AT-3" vrfmgr exec cust-a ""
expect "COMMAND-AT-3" vrfmgr exec cust-a ip ""
expect "" vrfmgr version ""

# The domain list comes from status run on the same file.
expect "cust-a site-a" vrfmgr -c /etc/other.ini plan ""
if [ "$(cat "$tmp/args")" = "-c /etc/other.ini status" ]; then echo "ok: status ran with -c /etc/other.ini"
else echo "FAIL: status ran as: vrfmgr $(cat "$tmp/args")"; fails=$((fails + 1)); fi

# Every command of --help is offered.
bin=${VRFMGR:-vrfmgr/vrfmgr}
if [ -f "$bin" ] && [ -x "$bin" ]; then
	COMP_WORDS=(vrfmgr ""); COMP_CWORD=1; COMPREPLY=(); _vrfmgr
	for c in $("$bin" --help | sed -n "s/^[[:space:]]\{1,\}\([a-z][a-z-]*\)\([[:space:]].*\)\{0,1\}$/\1/p"); do
		case " ${COMPREPLY[*]} " in
		*" $c "*) echo "ok: command $c of --help is completed" ;;
		*) echo "FAIL: --help lists $c but the completion does not offer it"; fails=$((fails + 1)) ;;
		esac
	done
else
	echo "note: $bin is not built; the command list is not compared with --help"
fi

[ "$fails" = 0 ] && echo PASS && exit 0
echo "FAILED: $fails check(s)"; exit 1
'
