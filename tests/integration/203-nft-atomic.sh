#!/bin/sh
# Never open: ICMP echo requests flood through domain "fw" (tests/tools/flood,
# as fast as the machine sends) while its firewall file alternates between two
# versions, ROUNDS applies in all.  Both versions drop the flood in a
# policy-drop forward chain and differ in a rule and a set, so every apply
# really replaces the table.  Not one echo reply may come back: a reply means
# a request crossed fw unfiltered, and `ct state established accept` would
# then keep that flow open for good.  A replace that deletes the table and
# loads it again, even in one transaction, unhooks the old chain before the
# new one has its drop policy (vrfmgr did that until issue 9, and 427,022
# replies came back here); vrfmgr flushes and refills the chains that stay.
# The control does the replacement as two transactions (delete, then load)
# and must leak, or the result would prove nothing.
#
#   [src] 10.1.0.2 --- 10.1.0.1 [fw] 10.2.0.1 --- 10.2.0.2 [dst]
#
# fw is a vrfmgr domain; src and dst are plain namespaces the test makes.
. "$(dirname "$0")/lib.sh"

ROUNDS=${ROUNDS:-120}

mkdir -p "$T/fw"
version() { # N: firewall version N; 0 lets ICMP through, 1 and 2 drop it
	accept_icmp=""
	[ "$1" = 0 ] && accept_icmp="ip protocol icmp accept"
	cat <<EOF
table inet fw {
	set admins {
		type ipv4_addr
		elements = { 192.0.2.$((10 + $1)), 198.51.100.$((20 + $1)) }
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		$accept_icmp
		ip saddr @admins tcp dport 22 accept comment "version $1"
		tcp dport $((8000 + $1)) accept
	}
}
EOF
}
for v in 0 1 2; do version "$v" >"$T/v$v.nft"; done
cp "$T/v0.nft" "$T/fw/fw.nft"
chmod 0644 "$T/fw/fw.nft"
write_config <<'EOF'
[domain fw]
sysctl = net.ipv4.ip_forward=1
nft_file = fw/fw.nft
EOF
vrf apply
expect_rc 0 "apply version 0"

for ns in src dst; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip link add eth0 netns src type veth peer in0 netns fw
ip link add eth0 netns dst type veth peer out0 netns fw
ip -n src addr add 10.1.0.2/24 dev eth0
ip -n fw addr add 10.1.0.1/24 dev in0
ip -n fw addr add 10.2.0.1/24 dev out0
ip -n dst addr add 10.2.0.2/24 dev eth0
for l in "src eth0" "fw in0" "fw out0" "dst eth0"; do set -- $l; ip -n "$1" link set "$2" up; done
ip -n src route add default via 10.1.0.1
ip -n dst route add default via 10.2.0.1

# Sanity: version 0 forwards ICMP, so the path works; version 1 drops it.
ping_ok src 10.2.0.2 "version 0 forwards ICMP through fw"
cp "$T/v1.nft" "$T/fw/fw.nft"
vrf apply
expect_rc 0 "apply version 1"
ip netns exec fw conntrack -F >/dev/null 2>&1
ping_fails src 10.2.0.2 "version 1 drops ICMP"

flood_start src 10.2.0.2 120
bad=0 changed=0
for i in $(seq "$ROUNDS"); do
	cp "$T/v$((i % 2 + 1)).nft" "$T/fw/fw.nft"
	vrf apply
	[ "$RC" = 0 ] || { bad=$((bad + 1)); sed 's/^/    | /' "$T/out"; }
	grep -q '^fw  ~ nft table inet fw' "$T/out" && changed=$((changed + 1))
done
flood_stop
[ "$bad" = 0 ] && ok "$ROUNDS applies succeeded" || fail "$bad of $ROUNDS applies failed"
[ "$changed" = "$ROUNDS" ] && ok "every apply replaced the table" ||
	fail "only $changed of $ROUNDS applies replaced the table"
[ "$FLOOD_SENT" -gt 10000 ] && ok "the flood sent $FLOOD_SENT requests meanwhile" ||
	fail "the flood sent only $FLOOD_SENT requests: too thin to prove anything"
[ "$FLOOD_REPLIES" = 0 ] && ok "no echo reply during $ROUNDS replacements" ||
	fail "$FLOOD_REPLIES echo replies came back while vrfmgr replaced the firewall"
want=$((ROUNDS % 2 + 1))
ip netns exec fw nft list table inet fw >"$T/live"
grep -q "comment \"version $want\"" "$T/live" && ok "version $want is loaded at the end" ||
	fail "version $want is not loaded at the end"
[ "$(grep -c 'ct state established,related accept' "$T/live")" = 1 ] &&
	ok "the refilled chain holds each rule once" || fail "rules doubled: $(cat "$T/live")"
grep -q "192.0.2.1$want" "$T/live" && ! grep -q "192.0.2.1$((3 - want))" "$T/live" &&
	ok "the set holds exactly the elements of version $want" ||
	fail "the set's elements are not those of version $want: $(cat "$T/live")"
vrf apply
expect_rc 0 "apply once more"
expect_no_out '^fw  [~+-]' "nothing left to change after the replacements"

# Control: the same replacements as two transactions leak.
ip netns exec fw conntrack -F >/dev/null 2>&1
flood_start src 10.2.0.2 60
for i in $(seq 20); do
	ip netns exec fw nft delete table inet fw
	ip netns exec fw nft -f "$T/v$((i % 2 + 1)).nft"
done
flood_stop
[ "$FLOOD_REPLIES" -gt 0 ] && ok "control: delete then load leaked $FLOOD_REPLIES replies" ||
	fail "control: delete then load leaked nothing, so the flood cannot tell"

finish
