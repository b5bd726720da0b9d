#!/bin/sh
# A replace empties and refills the chains that stay; what left the file goes.
# Version A has a regular chain "extra" (jumped to), a table "ip old", and a
# base chain "guard" in the forward hook; version B drops "extra" and "ip old"
# and moves "guard" to prerouting (same name, new hook: the one case where a
# base chain must be made again).  After A -> B: extra and ip old are gone,
# guard hooks prerouting, the set "allowed" that both keep still lets src
# through and holds exactly B's elements, and a second run changes nothing.
# Then ICMP floods to 10.2.0.3, which only guard drops, while the file
# alternates between A and B: not one reply may come back, so guard's hook
# point is never left without a chain; the same while guard is renamed back
# and forth (the old name must go only after the new chain has its policy).
# Last, a table comment change (which the kernel cannot make in place) still
# reaches the kernel.
#
#   [src] 10.1.0.2 --- 10.1.0.1 [fw] 10.2.0.1 --- 10.2.0.2, 10.2.0.3 [dst]
#
# fw is a vrfmgr domain; src and dst are plain namespaces the test makes.
. "$(dirname "$0")/lib.sh"

ROUNDS=${ROUNDS:-60}

mkdir -p "$T/fw"
cat >"$T/A.nft" <<'EOF'
table inet fw {
	set allowed {
		type ipv4_addr
		elements = { 10.1.0.2, 192.0.2.1 }
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		jump extra
		ip saddr @allowed accept
	}
	chain extra {
		ip daddr 203.0.113.1 drop
	}
	chain guard {
		type filter hook forward priority -10; policy drop;
		ip daddr != 10.2.0.3 accept comment "version A"
	}
}
table ip old {
	chain c {
		type filter hook input priority filter; policy accept;
	}
}
EOF
cat >"$T/B.nft" <<'EOF'
table inet fw {
	set allowed {
		type ipv4_addr
		elements = { 10.1.0.2, 198.51.100.1 }
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		ip saddr @allowed accept
	}
	chain guard {
		type filter hook prerouting priority -150; policy drop;
		ip daddr != 10.2.0.3 accept comment "version B"
	}
}
EOF
use() { cp "$T/$1.nft" "$T/fw/fw.nft"; chmod 0644 "$T/fw/fw.nft"; }
use A
write_config <<'EOF'
[domain fw]
sysctl = net.ipv4.ip_forward=1
nft_file = fw/fw.nft
EOF
vrf apply
expect_rc 0 "apply version A"

for ns in src dst; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip link add eth0 netns src type veth peer in0 netns fw
ip link add eth0 netns dst type veth peer out0 netns fw
ip -n src addr add 10.1.0.2/24 dev eth0
ip -n fw addr add 10.1.0.1/24 dev in0
ip -n fw addr add 10.2.0.1/24 dev out0
ip -n dst addr add 10.2.0.2/24 dev eth0
ip -n dst addr add 10.2.0.3/24 dev eth0
for l in "src eth0" "fw in0" "fw out0" "dst eth0"; do set -- $l; ip -n "$1" link set "$2" up; done
ip -n src route add default via 10.1.0.1
ip -n dst route add default via 10.2.0.1

ping_ok src 10.2.0.2 "version A: the set lets src through"
ping_fails src 10.2.0.3 "version A: guard drops 10.2.0.3"

use B
vrf apply
expect_rc 0 "apply version B"
ip netns exec fw nft list ruleset >"$T/live"
ip netns exec fw nft list chain inet fw extra >/dev/null 2>&1 &&
	fail "chain extra left the file but is still there" || ok "chain extra is deleted"
ip netns exec fw nft list table ip old >/dev/null 2>&1 &&
	fail "table ip old left the file but is still there" || ok "table ip old is deleted"
grep -q 'hook prerouting priority' "$T/live" && ! grep -q 'hook forward priority filter - 10' "$T/live" &&
	ok "guard moved to the prerouting hook" || fail "guard did not move: $(cat "$T/live")"
grep -q '198.51.100.1' "$T/live" && ! grep -q '192.0.2.1' "$T/live" &&
	ok "the set holds exactly version B's elements" ||
	fail "the set's elements are not version B's: $(cat "$T/live")"
ping_ok src 10.2.0.2 "version B: the refilled set still lets src through"
ping_fails src 10.2.0.3 "version B: guard drops 10.2.0.3 from its new hook"
vrf plan
expect_rc 0 "plan after version B: nothing to change"

flood_start src 10.2.0.3 120
bad=0
for i in $(seq "$ROUNDS"); do
	[ $((i % 2)) = 1 ] && use A || use B
	vrf apply
	[ "$RC" = 0 ] || { bad=$((bad + 1)); sed 's/^/    | /' "$T/out"; }
done
flood_stop
[ "$bad" = 0 ] && ok "$ROUNDS applies between A and B succeeded" ||
	fail "$bad of $ROUNDS applies failed"
[ "$FLOOD_SENT" -gt 5000 ] && ok "the flood sent $FLOOD_SENT requests meanwhile" ||
	fail "the flood sent only $FLOOD_SENT requests: too thin to prove anything"
[ "$FLOOD_REPLIES" = 0 ] && ok "no reply while guard changed its hook $ROUNDS times" ||
	fail "$FLOOD_REPLIES replies came back while guard changed its hook"

# A base chain renamed: the old name leaves, the new one comes, same hook.
# The old chain may go only after the new one has its drop policy.
sed 's/chain guard {/chain guard2 {/' "$T/B.nft" >"$T/B2.nft"
flood_start src 10.2.0.3 120
bad=0
for i in $(seq "$ROUNDS"); do
	[ $((i % 2)) = 1 ] && use B2 || use B
	vrf apply
	[ "$RC" = 0 ] || { bad=$((bad + 1)); sed 's/^/    | /' "$T/out"; }
done
flood_stop
[ "$bad" = 0 ] && ok "$ROUNDS applies renaming guard succeeded" ||
	fail "$bad of $ROUNDS applies renaming guard failed"
[ "$FLOOD_REPLIES" = 0 ] && ok "no reply while guard was renamed $ROUNDS times" ||
	fail "$FLOOD_REPLIES replies came back while guard was renamed"
ip netns exec fw nft list table inet fw >"$T/live"
grep -q 'chain guard {' "$T/live" && ! grep -q 'chain guard2' "$T/live" &&
	ok "after the renames only guard is left" || fail "renamed chains left over: $(cat "$T/live")"

# A table comment cannot be changed in place; it must still get there.
sed 's/^table inet fw {$/table inet fw {\n\tcomment "now with a comment"/' "$T/B.nft" >"$T/C.nft"
use C
vrf apply
expect_rc 0 "apply a table comment"
ip netns exec fw nft list table inet fw | grep -q 'comment "now with a comment"' &&
	ok "the table comment is live" || fail "the table comment did not reach the kernel"
vrf plan
expect_rc 0 "plan after the comment: nothing to change"

finish
