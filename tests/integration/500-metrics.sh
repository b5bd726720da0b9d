#!/bin/sh
# vrfmgr metrics: the output parses with the Prometheus project's parser
# (python3-prometheus-client), and its values follow real packets and real
# drift: a ping dropped by a rule increments that rule's counter, a named
# counter counts what its rule accepted, NAT traffic makes conntrack
# entries, link counters grow, a route deleted out of band turns in_sync to
# 0 with drift_objects{kind="route"} 1, and the last apply is reported.
# watch --metrics FILE writes the same families.
#
#   cust: lan 192.0.2.1/24 ---- site: wan 192.0.2.2/24, 192.0.2.3/24
#   cust's firewall drops pings from 192.0.2.2, counts 192.0.2.3's in "seen",
#   and masquerades what leaves through lan.
. "$(dirname "$0")/lib.sh"

# Debian's package is for Debian's python3, not one a PATH may put first.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
"$PY" -c 'import prometheus_client' 2>/dev/null ||
	skip "python3-prometheus-client is not installed (tests/deps.sh installs it)"
CHECK="$PY $TOP/tests/tools/prom-check.py"

cat >"$T/cust.nft" <<'X'
table inet fw {
	counter seen {
	}
	set blocked {
		type ipv4_addr
		elements = { 198.51.100.7, 198.51.100.8, 198.51.100.9 }
	}
	chain input {
		type filter hook input priority filter; policy accept;
		ip saddr 192.0.2.2 icmp type echo-request counter drop comment "drop site pings"
		ip saddr 192.0.2.3 icmp type echo-request counter name "seen" accept
		ip saddr @blocked counter drop
	}
}
table ip nat {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "lan" masquerade
	}
}
X
chmod 0644 "$T/cust.nft"
write_config <<X
[domain cust]
link = lan type veth peer wan peer-netns site
address = 192.0.2.1/24 dev lan
route = 203.0.113.0/24 via 192.0.2.2
nft_file = $T/cust.nft
[domain site]
address = 192.0.2.2/24 dev wan
address = 192.0.2.3/24 dev wan
X
vrf apply
expect_rc 0 "apply"

metrics() { # scrape into $T/m (parsed samples); raw text in $T/out
	vrf metrics
	expect_rc 0 "metrics"
	if $CHECK <"$T/out" >"$T/m"; then ok "the Prometheus parser reads it"; else
		fail "the Prometheus parser refuses it: $(cat "$T/m")"; sed 's/^/    | /' "$T/out"; fi
}
# sample REGEX: the value of the one parsed sample whose line matches.
sample() { grep -E -- "$1" "$T/m" | head -n 1 | sed 's/.* //; s/\.0$//'; }

metrics
[ "$(sample '^vrfmgr_domain_in_sync\{domain=cust\}')" = 1 ] && ok "cust in sync" ||
	fail "in_sync: $(grep in_sync "$T/m")"
[ "$(sample '^vrfmgr_domain_drift_objects\{domain=cust,kind=route\}')" = 0 ] &&
	ok "no route drift" || fail "drift: $(grep drift "$T/m")"
[ "$(sample '^vrfmgr_routes\{domain=cust\}')" = 1 ] && ok "one owned route" ||
	fail "routes: $(grep routes "$T/m")"
[ "$(sample '^vrfmgr_nft_set_elements\{domain=cust,family=inet,set=blocked,table=fw\}')" = 3 ] &&
	ok "three elements in set blocked" || fail "set: $(grep set_elements "$T/m")"
[ "$(sample '^vrfmgr_last_apply_success\{\} ')" = 1 ] && ok "last apply succeeded" ||
	fail "last apply: $(grep last_apply "$T/m")"
ts=$(sample '^vrfmgr_last_apply_timestamp_seconds\{\} ')
now=$(date +%s)
[ "${ts%.*}" -le "$now" ] && [ "${ts%.*}" -gt $((now - 600)) ] && ok "last apply time is recent" ||
	fail "last apply at $ts, now $now"
grep -q '^# HELP vrfmgr_nft_rule_packets_total ' "$T/out" &&
	grep -q '^# TYPE vrfmgr_nft_rule_packets_total counter$' "$T/out" &&
	ok "HELP and TYPE lines" || fail "no HELP/TYPE for the rule counters"

rule='^vrfmgr_nft_rule_packets_total\{chain=input,comment=drop site pings,domain=cust,family=inet,handle=[0-9]+,table=fw\}'
before=$(sample "$rule")
[ -n "$before" ] && ok "the drop rule has a counter sample ($before)" || fail "no sample for the drop rule"
[ "$(grep -Ec '^vrfmgr_nft_rule_packets_total\{chain=input,comment=,domain=cust' "$T/m")" = 1 ] &&
	ok "a rule without a comment has comment=\"\"" || fail "rules: $(grep rule_packets "$T/m")"
rx0=$(sample '^vrfmgr_link_receive_packets_total\{domain=cust,link=lan\}')
seen0=$(sample '^vrfmgr_nft_counter_packets_total\{counter=seen,domain=cust,family=inet,table=fw\}')

ping_fails site 192.0.2.1 "the firewall drops a ping from 192.0.2.2"
ip netns exec site ping -n -q -c 2 -i 0.2 -W 2 -I 192.0.2.3 192.0.2.1 >/dev/null 2>&1 &&
	ok "192.0.2.3's pings are accepted" || fail "ping from 192.0.2.3"
ct0=$(ip netns exec cust cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null)
ping_ok cust 192.0.2.2 "cust reaches site (masqueraded through lan)"
metrics
after=$(sample "$rule")
[ -n "$after" ] && [ "$after" -ge $((before + 1)) ] && ok "the dropped ping counted: $before -> $after" ||
	fail "drop rule counter $before -> $after"
seen1=$(sample '^vrfmgr_nft_counter_packets_total\{counter=seen,domain=cust,family=inet,table=fw\}')
[ "$seen1" -ge $((seen0 + 2)) ] && ok "named counter seen: $seen0 -> $seen1" ||
	fail "named counter $seen0 -> $seen1"
rx1=$(sample '^vrfmgr_link_receive_packets_total\{domain=cust,link=lan\}')
[ "$rx1" -ge $((rx0 + 3)) ] && ok "lan received packets: $rx0 -> $rx1" ||
	fail "lan rx $rx0 -> $rx1"
if [ -z "$ct0" ]; then
	echo "NOTE: conntrack is not available in this sandbox (no nf_conntrack_count in cust);" \
		"the conntrack check is skipped"
	grep -q '^vrfmgr_conntrack_entries' "$T/m" && fail "conntrack_entries without conntrack" ||
		ok "no conntrack sample where conntrack is absent"
else
	ct=$(sample '^vrfmgr_conntrack_entries\{domain=cust\}')
	[ -n "$ct" ] && [ "$ct" -ge 1 ] && ok "conntrack entries after NAT traffic: $ct" ||
		fail "conntrack_entries '$ct' (kernel says $(ip netns exec cust cat /proc/sys/net/netfilter/nf_conntrack_count))"
fi

# A route deleted behind vrfmgr's back.
ip -n cust route del 203.0.113.0/24
metrics
[ "$(sample '^vrfmgr_domain_in_sync\{domain=cust\}')" = 0 ] && ok "in_sync 0 after the route went" ||
	fail "in_sync: $(grep in_sync "$T/m")"
[ "$(sample '^vrfmgr_domain_drift_objects\{domain=cust,kind=route\}')" = 1 ] &&
	ok "drift_objects{kind=\"route\"} 1" || fail "drift: $(grep drift "$T/m")"
[ "$(sample '^vrfmgr_domain_drift_objects\{domain=cust,kind=nft\}')" = 0 ] &&
	ok "no nft drift" || fail "drift: $(grep drift "$T/m")"
[ "$(sample '^vrfmgr_domain_in_sync\{domain=site\}')" = 1 ] && ok "site still in sync" ||
	fail "site: $(grep in_sync "$T/m")"
ip -n cust route show 203.0.113.0/24 | grep -q . && fail "metrics repaired the route" ||
	ok "metrics is read-only: the route is still gone"

# watch --metrics writes the same families, atomically, after its pass.
mkdir "$T/textfile"
"$VRFMGR" -c "$T/vrfmgr.ini" -q watch --interval 60 --metrics "$T/textfile/vrfmgr.prom" \
	>"$T/watch.out" 2>&1 &
wpid=$!
for i in $(seq 1 100); do [ -s "$T/textfile/vrfmgr.prom" ] && break; sleep 0.1; done
kill -TERM "$wpid"; wait "$wpid"
cp "$T/textfile/vrfmgr.prom" "$T/out"
if $CHECK <"$T/out" >"$T/m"; then ok "watch's file parses"; else fail "watch's file: $(cat "$T/m")"; fi
[ "$(sample '^vrfmgr_domain_in_sync\{domain=cust\}')" = 1 ] &&
	ok "after watch repaired the route, its file says in sync" || fail "watch file: $(grep in_sync "$T/m")"
ls -a "$T/textfile" | grep -q '\.tmp' && fail "a temporary file was left" || ok "no temporary left"

# A link name may hold a quote and a backslash (the kernel refuses only
# '/', ':' and whitespace): the parser must read them back unescaped.
if ip -n cust link add 'q"\x' type veth peer name qpeer 2>/dev/null; then
	metrics
	grep -qF 'vrfmgr_link_receive_bytes_total{domain=cust,link=q"\x} ' "$T/m" &&
		ok "a link named q\"\\x comes back through the parser" ||
		fail "escaped link name: $(grep 'link=q' "$T/m")"
else
	echo "NOTE: this kernel refused a veth named q\"\\x; the escaping check is skipped"
fi

# Bad use.
vrf metrics extra
expect_rc 1 "metrics takes no arguments"
finish
