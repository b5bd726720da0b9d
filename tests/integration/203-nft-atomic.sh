#!/bin/sh
# Atomic replacement: a stream of UDP packets crosses domain "fw" while its
# firewall is replaced again and again between two versions.  Both versions
# drop port 3000; a witness counter behind fw proves that not one packet to
# port 3000 got through while vrfmgr replaced the table.  The control does the
# same replacement the usual way, `nft delete table` then `nft -f` (two
# transactions), and must leak, or the first result would prove nothing.
#
#   [src] 10.1.0.2 --- 10.1.0.1 [fw] 10.2.0.1 --- 10.2.0.2 [dst]
#
# fw is a vrfmgr domain; src and dst are plain namespaces the test makes.
. "$(dirname "$0")/lib.sh"

ROUNDS=${ROUNDS:-30}
command -v bash >/dev/null || skip "bash is needed to send the UDP stream (/dev/udp)"

mkdir -p "$T/fw"
# The versions differ in a rule and a set, so every apply is a real change.
version() { # N: firewall version N (1 or 2)
	cat <<EOF
table inet fw {
	set ports {
		type inet_service
		elements = { $(seq -s ', ' $((1000 * $1)) $((1000 * $1 + 199))) }
	}
	chain forward {
		type filter hook forward priority filter; policy accept;
		udp dport 3000 drop comment "both versions"
		udp dport @ports drop comment "version $1"
	}
}
EOF
}
version 1 >"$T/v1.nft"
version 2 >"$T/v2.nft"
cp "$T/v1.nft" "$T/fw/fw.nft"
chmod 0644 "$T/fw/fw.nft"
write_config <<'EOF'
[domain fw]
sysctl = net.ipv4.ip_forward=1
nft_file = fw/fw.nft
EOF
vrf apply
expect_rc 0 "apply version 1"

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
ip netns exec src nft add table ip sent
ip netns exec src nft add chain ip sent out '{ type filter hook output priority 0; }'
ip netns exec src nft add rule ip sent out udp dport 3000 counter
ip netns exec src nft add rule ip sent out udp dport 4000 counter

witness() { # (re)make the counter of port 3000 packets that reached dst
	ip netns exec dst nft -f - <<'EOF'
table ip witness
delete table ip witness
table ip witness {
	chain in {
		type filter hook prerouting priority -300; policy accept;
		udp dport 3000 counter
		udp dport 4000 counter
	}
}
EOF
}
packets() { # NS TABLE PORT
	ip netns exec "$1" nft list table ip "$2" | grep "udp dport $3 counter" |
		sed 's/.*packets \([0-9]*\).*/\1/'
}

# Sanity: with no firewall in the way, port 4000 arrives, port 3000 does not.
witness
ip netns exec src bash -c 'for i in $(seq 100); do echo x >/dev/udp/10.2.0.2/3000; echo x >/dev/udp/10.2.0.2/4000; done' 2>/dev/null
[ "$(packets dst witness 4000)" -gt 0 ] && ok "the path through fw forwards" ||
	fail "nothing crosses fw: the stream would prove nothing"
[ "$(packets dst witness 3000)" = 0 ] && ok "version 1 drops port 3000" ||
	fail "version 1 lets port 3000 through"

stream_start() {
	witness
	ip netns exec src bash -c 'while :; do echo x >/dev/udp/10.2.0.2/3000; done' \
		>/dev/null 2>&1 &
	GEN=$!
	sleep 0.2
}
stream_stop() {
	kill "$GEN" 2>/dev/null
	wait "$GEN" 2>/dev/null
}

# vrfmgr replaces the table ROUNDS times while the stream runs.
sent0=$(packets src sent 3000)
stream_start
bad=0 changed=0
for i in $(seq "$ROUNDS"); do
	cp "$T/v$((i % 2 + 1)).nft" "$T/fw/fw.nft"
	vrf apply
	[ "$RC" = 0 ] || { bad=$((bad + 1)); sed 's/^/    | /' "$T/out"; }
	grep -q '^fw  ~ nft table inet fw' "$T/out" && changed=$((changed + 1))
done
stream_stop
sent=$(( $(packets src sent 3000) - sent0 ))
leaked=$(packets dst witness 3000)
[ "$bad" = 0 ] && ok "$ROUNDS applies succeeded" || fail "$bad of $ROUNDS applies failed"
[ "$changed" = "$ROUNDS" ] && ok "every apply replaced the table" ||
	fail "only $changed of $ROUNDS applies replaced the table"
[ "$sent" -gt 1000 ] && ok "the stream sent $sent packets to port 3000 meanwhile" ||
	fail "the stream sent only $sent packets: too thin to prove anything"
[ "$leaked" = 0 ] && ok "no packet to port 3000 passed during $ROUNDS atomic replacements" ||
	fail "$leaked packets to port 3000 passed while vrfmgr replaced the firewall"
want=$(( ROUNDS % 2 + 1 ))
ip netns exec fw nft list table inet fw | grep -q "comment \"version $want\"" &&
	ok "version $want is loaded at the end" || fail "version $want is not loaded at the end"

# Control: the same replacements as two transactions leak.
stream_start
for i in $(seq "$ROUNDS"); do
	ip netns exec fw nft delete table inet fw
	ip netns exec fw nft -f "$T/v$((i % 2 + 1)).nft"
done
stream_stop
leaked=$(packets dst witness 3000)
[ "$leaked" -gt 0 ] && ok "control: delete then load leaked $leaked packets" ||
	fail "control: delete then load leaked nothing, so the test cannot tell"

finish
