#!/bin/sh
# NAT for overlapping customers: two customers use the same 10.0.0.0/24, each
# behind its own routing domain whose nft_file masquerades it to the domain's
# transfer address; both reach a shared upstream by ping.  Without the
# firewalls the upstream has no way back to 10.0.0.0/24, so the pings fail
# first (the control); afterwards a counter in the upstream proves it saw the
# transfer addresses and never 10.0.0.0/24.
#
#   site-a 10.0.0.2 --- 10.0.0.1 [cust-a] 100.64.0.2 --- 100.64.0.1 \
#                                                                     [up] 198.51.100.1
#   site-b 10.0.0.2 --- 10.0.0.1 [cust-b] 100.64.0.6 --- 100.64.0.5 /
#
# cust-a and cust-b are vrfmgr domains; site-a, site-b and up are plain
# namespaces the test makes, and the test wires the veths itself.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/fw"
for c in a b; do
	cat >"$T/fw/cust-$c.nft" <<'EOF'
table ip nat {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "uplink" ip saddr 10.0.0.0/24 masquerade
	}
}
table inet filter {
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		iifname "lan" oifname "uplink" accept
	}
}
EOF
	chmod 0644 "$T/fw/cust-$c.nft"
done
write_config <<'EOF'
[domain cust-a]
sysctl = net.ipv4.ip_forward=1
[domain cust-b]
sysctl = net.ipv4.ip_forward=1
EOF
vrf apply
expect_rc 0 "domains without firewalls"

for ns in site-a site-b up; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip -n up addr add 198.51.100.1/32 dev lo
n=0
for c in a b; do
	ip link add lan netns "cust-$c" type veth peer wan netns "site-$c"
	ip link add uplink netns "cust-$c" type veth peer "to-$c" netns up
	ip -n "cust-$c" addr add 10.0.0.1/24 dev lan
	ip -n "cust-$c" addr add "100.64.0.$((n + 2))/30" dev uplink
	ip -n "cust-$c" link set lan up
	ip -n "cust-$c" link set uplink up
	ip -n "cust-$c" route add default via "100.64.0.$((n + 1))"
	ip -n "site-$c" addr add 10.0.0.2/24 dev wan
	ip -n "site-$c" link set wan up
	ip -n "site-$c" route add default via 10.0.0.1
	ip -n up addr add "100.64.0.$((n + 1))/30" dev "to-$c"
	ip -n up link set "to-$c" up
	n=$((n + 4))
done
seen() { # (re)load the upstream's witness counters
	ip netns exec up nft -f - <<'EOF'
table ip seen
delete table ip seen
table ip seen {
	chain in {
		type filter hook input priority 0; policy accept;
		icmp type echo-request ip saddr 100.64.0.2 counter
		icmp type echo-request ip saddr 100.64.0.6 counter
		icmp type echo-request ip saddr 10.0.0.0/24 counter
	}
}
EOF
}
seen
count() { # SADDR: echo requests the upstream saw from it
	ip netns exec up nft list table ip seen | grep "ip saddr $1 counter" |
		sed 's/.*packets \([0-9]*\).*/\1/'
}

ping_fails site-a 198.51.100.1 "control: site-a cannot reach upstream without NAT"
ping_fails site-b 198.51.100.1 "control: site-b cannot reach upstream without NAT"
[ "$(count 10.0.0.0/24)" -gt 0 ] && ok "control: upstream saw 10.0.0.0/24 unmasqueraded" ||
	fail "control: no unmasqueraded packet reached upstream"

write_config <<'EOF'
[domain cust-a]
sysctl = net.ipv4.ip_forward=1
nft_file = fw/cust-a.nft
[domain cust-b]
sysctl = net.ipv4.ip_forward=1
nft_file = fw/cust-b.nft
EOF
seen
vrf apply
expect_rc 0 "apply the NAT firewalls"
expect_out '^cust-a  \+ nft table ip nat$' "cust-a gets its NAT table"
expect_out '^cust-b  \+ nft table ip nat$' "cust-b gets its NAT table"

ping_ok site-a 198.51.100.1 "site-a (10.0.0.2) reaches upstream through cust-a"
ping_ok site-b 198.51.100.1 "site-b (10.0.0.2) reaches upstream through cust-b"
[ "$(count 100.64.0.2)" -gt 0 ] && ok "upstream saw cust-a's transfer address" ||
	fail "upstream never saw 100.64.0.2"
[ "$(count 100.64.0.6)" -gt 0 ] && ok "upstream saw cust-b's transfer address" ||
	fail "upstream never saw 100.64.0.6"
[ "$(count 10.0.0.0/24)" = 0 ] && ok "upstream never saw the overlapping 10.0.0.0/24" ||
	fail "10.0.0.0/24 leaked to upstream"

# The forward policy is drop: the upstream cannot open a connection in.
ip -n up route add 10.0.0.0/24 via 100.64.0.2
ping_fails up 10.0.0.2 "upstream cannot reach into cust-a's LAN"

vrf plan
expect_rc 0 "in sync after apply"

finish
