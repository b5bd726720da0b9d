#!/bin/sh
# Out of descriptors (a router with more domains than its nofile limit
# allows): the domains that cannot be made fail, and what is left agrees
# with the records: every namespace in netns_dir has a record that proves
# it, and no record outlives its namespace.  The old order (mount, then
# record) left namespaces without records, foreign forever, and records
# without namespaces.  With the limit lifted, the next apply makes the rest.
. "$(dirname "$0")/lib.sh"

N=${N:-80}
i=1
while [ $i -le "$N" ]; do printf '[domain d%d]\n' $i; i=$((i + 1)); done | write_config

# Soft and hard: vrfmgr raises its soft limit to the hard one.
(ulimit -n 48 && ulimit -Hn 48 && exec "$VRFMGR" -q -c "$T/vrfmgr.ini" apply) >"$T/out" 2>&1
RC=$?
made=$(ls /run/netns | grep -c '^d[0-9]*$')
echo "with 48 descriptors: exit $RC, $made of $N domains made"
[ "$RC" = 1 ] && ok "the run out of descriptors says it failed" ||
	fail "exit $RC out of descriptors (is $N domains not enough to run out?)"
grep -q 'Too many open files' "$T/out" && ok "and why" || fail "no EMFILE reported: $(head -3 "$T/out")"
bad=
for f in /run/netns/*; do
	n=${f##*/}
	[ -f "/run/vrfmgr/$n/netns" ] || bad="$bad $n"
done
[ -z "$bad" ] && ok "every namespace made has its record" || fail "namespaces without a record:$bad"
vrf status
n=$(awk '$2 == "present" && $3 == "foreign"' "$T/out" | wc -l)
[ "$n" = 0 ] && ok "status: no present namespace is foreign" || fail "status: $n present and foreign"
bad=
for d in /run/vrfmgr/d*; do
	[ -e "$d" ] || continue
	n=${d##*/}
	[ -e "/run/netns/$n" ] || bad="$bad $n"
done
[ -z "$bad" ] && ok "no record or state folder without its namespace" || fail "stale state:$bad"

vrf apply
expect_rc 0 "with the usual limit, apply makes the rest"
[ "$(ls /run/netns | grep -c '^d[0-9]*$')" = "$N" ] && ok "all $N domains exist" || fail "not all made"
vrf status
grep -q foreign "$T/out" && fail "foreign domains: $(grep -c foreign "$T/out")" || ok "none foreign"
i=1 names=
while [ $i -le "$N" ]; do names="$names d$i"; i=$((i + 1)); done
vrf destroy $names
expect_rc 0 "destroy them all"
[ -z "$(ls /run/vrfmgr | grep '^d[0-9]*$')" ] && ok "no state left" || fail "state left"
finish
