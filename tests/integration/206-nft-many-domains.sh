#!/bin/sh
# Many domains with a firewall each: 300 domains, a small nft file each, are
# applied, planned in sync, changed everywhere and applied again.
#
# libnftables waits on its netlink socket with select(), which aborts the
# process ("bit out of range 0 - FD_SETSIZE") once a socket's descriptor
# passes 1023.  vrfmgr keeps its own long-lived descriptors above 1024, so
# 300 domains alone stay far below the limit; the descriptors a router with
# a thousand domains would hold are stood in for by ones vrfmgr inherits
# (740, and then 1000, below 1024).  A plugin that kept one libnftables
# context per domain open would abort here; a bounded pool that closes the
# least recently used context, and makes room when the low numbers run out,
# must not.
. "$(dirname "$0")/lib.sh"

N=300
command -v python3 >/dev/null || die "python3 is needed to hand vrfmgr open descriptors"

# gen VARIANT: one nft file per domain; VARIANT changes every rule.
gen() {
	i=0
	while [ $i -lt $N ]; do
		printf 'table inet f {\n\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n\t\tip saddr 10.%d.%d.%d counter accept\n\t}\n}\n' \
			$((i / 256)) $((i % 256)) "$1" >"$T/fw/d$i.nft"
		i=$((i + 1))
	done
}
mkdir -p "$T/fw"
gen 1
i=0
while [ $i -lt $N ]; do
	printf '[domain d%d]\nnft_file = fw/d%d.nft\n\n' $i $i
	i=$((i + 1))
done | write_config

# hogged N ARGS...: vrfmgr ARGS with N more descriptors open, all below 1024.
hogged() {
	n=$1
	shift
	python3 -c '
import os, sys
for _ in range(int(sys.argv[1])):
    os.set_inheritable(os.open("/dev/null", os.O_RDONLY), True)
os.execv(sys.argv[2], sys.argv[2:])' "$n" "$VRFMGR" -c "$T/vrfmgr.ini" "$@" >"$T/out" 2>&1
	RC=$?
}

hogged 740 -q apply
expect_rc 0 "apply of $N domains with 740 descriptors taken"
expect_no_out 'FD_SETSIZE|Too many open files' "no descriptor trouble"
[ "$(ip netns list | wc -l)" = $N ] && ok "$N namespaces" || fail "$(ip netns list | wc -l) namespaces, wanted $N"
for d in 0 $((N - 1)); do
	ip netns exec d$d nft list table inet f 2>/dev/null |
		grep -q "ip saddr 10\.$((d / 256))\.$((d % 256))\.1 counter" &&
		ok "d$d has its rule" || fail "d$d lacks its rule"
done

hogged 740 plan
expect_rc 0 "a second plan is in sync"

# Drift in one domain is still found among all the others.
ip netns exec d150 nft flush chain inet f input
hogged 740 plan
expect_rc 2 "plan sees a flushed chain in one of $N domains"
expect_out '^d150  ~ nft table inet f' "the drifted domain is named"

# Every file changes: $N transactions, while only about 20 descriptors
# below 1024 are free.
gen 2
hogged 1000 -q apply
expect_rc 0 "apply of $N changed firewalls with 1000 descriptors taken"
expect_no_out 'FD_SETSIZE|Too many open files' "no descriptor trouble"
ip netns exec d150 nft list table inet f 2>/dev/null | grep -q 'ip saddr 10\.0\.150\.2 counter' &&
	ok "d150 repaired and changed" || fail "d150 lacks its new rule"
hogged 1000 plan
expect_rc 0 "plan in sync again"

finish
