#!/bin/sh
# A new domain gets its firewall before any of its links comes up (stage 10
# before 20), and its firewall filters the first packets; when a later step of
# a domain fails, the firewall change is rolled back: the old tables come
# back from their listing, the new ones go, and the record of owned tables is
# what it was.
#
#   host: a-up 10.3.0.1/30 ---- a: up 10.3.0.2/30
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/fw"
fw() { cat >"$T/fw/a.nft"; chmod 0644 "$T/fw/a.nft"; }
fw <<'EOF'
table inet filter {
	chain input {
		type filter hook input priority filter; policy accept;
		icmp type echo-request drop
	}
}
table ip old {
	chain c { }
}
EOF
write_config <<'EOF'
[host]
address = 10.3.0.1/30 dev a-up
[domain a]
link = up type veth peer a-up
address = 10.3.0.2/30 dev up
nft_file = fw/a.nft
EOF
vrf apply
expect_rc 0 "apply a new domain with a link and a firewall"
nft_line=$(grep -n '^a  + nft table inet filter$' "$T/out" | cut -d: -f1)
link_line=$(grep -n '^a  + link up ' "$T/out" | cut -d: -f1)
if [ -n "$nft_line" ] && [ -n "$link_line" ] && [ "$nft_line" -lt "$link_line" ]; then
	ok "the firewall went in before the link"
else
	fail "order of apply: nft at line ${nft_line:-?}, link at ${link_line:-?}"
	sed 's/^/    | /' "$T/out"
fi
# ping_ok/ping_fails run in a domain; from the host, ping directly.
if ping -n -q -c 1 -W 1 10.3.0.2 >/dev/null 2>&1; then
	fail "ping from the host went through the new domain's firewall"
else
	ok "the new domain's firewall drops the host's ping"
fi
ping_ok a 10.3.0.1 "the domain itself reaches the host (output is not filtered)"

# A later step fails (resolv.conf cannot be written): the firewall change of
# the same run is undone.
ip netns exec a nft list ruleset >"$T/before"
cp /run/vrfmgr/a/nft-tables "$T/record-before"
fw <<'EOF'
table inet filter {
	chain input {
		type filter hook input priority filter; policy accept;
	}
}
table ip new {
	chain c { }
}
EOF
write_config <<'EOF'
[host]
address = 10.3.0.1/30 dev a-up
[domain a]
link = up type veth peer a-up
address = 10.3.0.2/30 dev up
nft_file = fw/a.nft
dns = 10.0.0.53
EOF
mkdir -p /etc/netns/a/resolv.conf	# a folder where the file must go
vrf apply
expect_rc 1 "apply fails at the dns step"
expect_out 'undone, the domain is as it was before the run' "the engine rolled the domain back"
ip netns exec a nft list ruleset >"$T/after"
cmp -s "$T/before" "$T/after" && ok "the firewall is the old one again" ||
	{ fail "the firewall differs after rollback"; diff "$T/before" "$T/after" | sed 's/^/    | /'; }
cmp -s "$T/record-before" /run/vrfmgr/a/nft-tables && ok "the record of owned tables is restored" ||
	{ fail "the record differs"; cat /run/vrfmgr/a/nft-tables | sed 's/^/    | /'; }
if ping -n -q -c 1 -W 1 10.3.0.2 >/dev/null 2>&1; then
	fail "the old firewall's drop rule is not back"
else
	ok "the old firewall drops the ping again"
fi

rmdir /etc/netns/a/resolv.conf
vrf apply
expect_rc 0 "apply once the obstacle is gone"
if ping -n -q -c 1 -W 2 10.3.0.2 >/dev/null 2>&1; then
	ok "the new firewall lets the host's ping through"
else
	fail "ping still dropped after the new firewall"
fi
ip netns exec a nft list ruleset | grep -q 'table ip old' && fail "table ip old left over" ||
	ok "table ip old deleted"
vrf plan
expect_rc 0 "in sync"

finish
