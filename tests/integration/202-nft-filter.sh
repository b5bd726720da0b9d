#!/bin/sh
# Filtering per domain: two domains load firewalls with the same table name
# (inet filter), and the rule in one blocks traffic that the other lets
# through, proven with real packets in both directions.  Before the firewalls
# everything passes (the control), and taking the rule out of the file lets
# the traffic through again.
#
#   [a] 10.9.1.2 --- 10.9.1.1 [srv] 10.9.2.1 --- 10.9.2.2 [b]
#
# a and b are vrfmgr domains; srv is a plain namespace the test makes.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/fw"
cat >"$T/fw/a.nft" <<'EOF'
table inet filter {
	chain input {
		type filter hook input priority filter; policy accept;
		icmp type echo-request counter drop comment "a takes no pings"
	}
	chain output {
		type filter hook output priority filter; policy accept;
		tcp dport 7 reject with tcp reset
		icmp type echo-request ip daddr 10.9.1.100 drop
	}
}
EOF
cat >"$T/fw/b.nft" <<'EOF'
table inet filter {
	chain input {
		type filter hook input priority filter; policy accept;
		icmp type echo-request counter accept
	}
}
EOF
chmod 0644 "$T/fw/a.nft" "$T/fw/b.nft"
write_config <<'EOF'
[domain a]
[domain b]
EOF
vrf apply
expect_rc 0 "domains without firewalls"

ip netns add srv
ip -n srv link set lo up
ip -n srv addr add 10.9.1.100/32 dev lo
n=1
for d in a b; do
	ip link add "to-$d" netns srv type veth peer eth0 netns "$d"
	ip -n srv addr add "10.9.$n.1/24" dev "to-$d"
	ip -n srv link set "to-$d" up
	ip -n "$d" addr add "10.9.$n.2/24" dev eth0
	ip -n "$d" link set eth0 up
	ip -n "$d" route add default via "10.9.$n.1"
	n=$((n + 1))
done

ping_ok srv 10.9.1.2 "control: srv reaches a before the firewalls"
ping_ok srv 10.9.2.2 "control: srv reaches b before the firewalls"
ping_ok a 10.9.1.100 "control: a reaches 10.9.1.100 before the firewalls"

write_config <<'EOF'
[domain a]
nft_file = fw/a.nft
[domain b]
nft_file = fw/b.nft
EOF
vrf apply
expect_rc 0 "apply both firewalls"

ping_fails srv 10.9.1.2 "a's input rule drops srv's ping"
ping_ok srv 10.9.2.2 "b lets the same ping through"
ping_fails a 10.9.1.100 "a's output rule drops a's ping to 10.9.1.100"
ping_ok a 10.9.1.1 "a still pings what its output rule allows"
ping_ok b 10.9.1.100 "b pings 10.9.1.100"
if ip netns exec a nft list chain inet filter input | grep -q 'counter packets [1-9]'; then
	ok "a's drop rule counted the pings"
else
	fail "a's drop rule never matched"
fi

# The rule leaves the file: the traffic passes again.
cat >"$T/fw/a.nft" <<'EOF'
table inet filter {
	chain input {
		type filter hook input priority filter; policy accept;
	}
}
EOF
vrf apply
expect_rc 0 "apply a's firewall without the rule"
expect_out '^ +- chain input: icmp type echo-request counter drop comment "a takes no pings"$' \
	"the plan names the removed rule"
expect_out '^ +- chain output ' "the plan removes the output chain"
ping_ok srv 10.9.1.2 "srv reaches a again"
ping_ok a 10.9.1.100 "a reaches 10.9.1.100 again"

finish
