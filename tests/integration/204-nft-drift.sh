#!/bin/sh
# Drift: changes made with nft(8) behind vrfmgr's back (a chain flushed, a
# chain added, a policy changed, a set element added) are reported by
# `vrfmgr audit` (exit 2, object by object, in text and JSON) and repaired
# by `vrfmgr apply`; a table the file does not declare survives both.
# Counters show in audit; counter values and the elements of a dynamic set
# that traffic fills are not drift.
#
#   [d] 10.7.0.2 --- 10.7.0.1 [peer]
#
# d is a vrfmgr domain; peer is a plain namespace the test makes.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/fw"
cat >"$T/fw/d.nft" <<'EOF'
table inet filter {
	set blocked {
		type ipv4_addr
		elements = { 192.0.2.1, 192.0.2.2 }
	}
	set seen {
		type ipv4_addr
		flags dynamic,timeout
		timeout 5m
	}
	chain input {
		type filter hook input priority filter; policy accept;
		ip saddr @blocked drop
		icmp type echo-request update @seen { ip saddr } counter accept
	}
}
EOF
chmod 0644 "$T/fw/d.nft"
write_config <<'EOF'
[domain d]
nft_file = fw/d.nft
EOF
vrf apply
expect_rc 0 "apply"
vrf audit
expect_rc 0 "audit right after apply: in sync"
expect_out '^  table inet filter: in sync$' "audit shows the table in sync"
expect_out '^    chain input \(type filter hook input priority filter; policy accept;\): in sync$' \
	"audit shows the chain with hook, priority and policy"

# Traffic fills counters and the dynamic set: still no drift.
ip netns add peer
ip link add eth0 netns peer type veth peer eth0 netns d
ip -n peer addr add 10.7.0.1/24 dev eth0
ip -n d addr add 10.7.0.2/24 dev eth0
ip -n peer link set eth0 up
ip -n d link set eth0 up
ping_ok peer 10.7.0.2 "peer pings d"
ip netns exec d nft list set inet filter seen | grep -q 10.7.0.1 &&
	ok "the dynamic set holds the peer" || fail "the dynamic set stayed empty"
vrf audit
expect_rc 0 "counters and dynamic elements are not drift"
expect_out 'icmp type echo-request update @seen \{ ip saddr \} counter packets [1-9][0-9]* bytes [1-9]' \
	"audit shows the rule's counter"

# Behind vrfmgr's back.
ip netns exec d nft add table ip foreign
ip netns exec d nft add chain ip foreign keep
ip netns exec d nft flush chain inet filter input
ip netns exec d nft add chain inet filter sneaky
ip netns exec d nft add element inet filter blocked '{ 192.0.2.99 }'
ip netns exec d nft chain inet filter input '{ policy drop; }'
vrf audit
expect_rc 2 "audit finds the drift (exit 2)"
expect_out '^domain d: DRIFT$' "the domain is marked"
expect_out '^  table inet filter: drift$' "the table is drifted"
expect_out '^    chain input .*policy drop;\): drift$' "the flushed chain is drifted"
expect_out '^      the file has: type filter hook input priority filter; policy accept;$' \
	"the policy the file wants is shown"
expect_out '^      missing: ip saddr @blocked drop$' "the flushed rule is missing"
expect_out '^    chain sneaky: extra$' "the added chain is extra"
expect_out '^    set blocked: drift$' "the set is drifted"
expect_out '^      extra: element 192.0.2.99$' "the added element is extra"
expect_out '^      \+ chain input: ip saddr @blocked drop$' "the plan part adds the rule back"
expect_out '^      - set blocked: element 192.0.2.99$' "the plan part removes the element"
expect_out '^      ~ chain input: policy drop -> accept$' "the plan part restores the policy"
expect_out '^  table ip foreign: unmanaged' "the foreign table is reported unmanaged"

vrf --json audit
expect_rc 2 "audit --json exits 2 as well"
expect_out '\{"table":"ip foreign","family":"ip","name":"foreign","state":"unmanaged","managed":false' \
	"JSON: unmanaged table"
expect_out '"table":"inet filter","family":"inet","name":"filter","state":"drift","managed":true' \
	"JSON: drifted table"
expect_out '\{"kind":"chain","name":"sneaky",[^{]*"state":"extra"' "JSON: extra chain"
expect_out '"rule":"ip saddr @blocked drop","state":"missing"' "JSON: missing rule"
expect_out '"policy":"drop","state":"drift","file_spec":"type filter hook input priority filter; policy accept;"' \
	"JSON: chain policy and what the file wants"
if command -v python3 >/dev/null; then
	"$VRFMGR" -c "$T/vrfmgr.ini" --json audit 2>/dev/null >"$T/json"
	python3 -m json.tool "$T/json" >/dev/null 2>&1 && ok "JSON: stdout is one valid document" ||
		fail "JSON: not a valid document"
fi

vrf plan
expect_rc 2 "plan shows the repair"
vrf apply
expect_rc 0 "apply repairs"
vrf audit
expect_rc 0 "audit after the repair: in sync"
ip netns exec d nft list ruleset | grep -q 'table ip foreign' &&
	ok "the foreign table survived audit and apply" || fail "the foreign table is gone"
ip netns exec d nft list chain inet filter input | grep -q 'policy accept' &&
	ok "policy restored" || fail "policy not restored"
ping_ok peer 10.7.0.2 "traffic passes the repaired firewall"

# A table deleted behind vrfmgr's back is missing, and comes back.
ip netns exec d nft delete table inet filter
vrf audit
expect_rc 2 "audit finds the missing table"
expect_out '^  table inet filter: missing$' "the table is missing"
expect_out '^      missing: ip saddr @blocked drop$' "its rules are listed as missing"
vrf apply
expect_rc 0 "apply brings it back"
vrf audit
expect_rc 0 "in sync again"

finish
