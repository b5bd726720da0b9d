#!/bin/sh
# Files an nft_file includes get the config's own checks.  A good include
# works end to end: the forward chain's accept rule lives in an included
# file, and ping crosses fw only because of it.  Then an included file that
# anybody may write, a FIFO and /dev/zero are each refused at the include's
# FILE:LINE, by check and by apply, without hanging (every run is bounded by
# timeout), and nothing of the refused file reaches the kernel.
#
#   [src] 10.1.0.2 --- 10.1.0.1 [fw] 10.2.0.1 --- 10.2.0.2 [dst]
#
# fw is a vrfmgr domain; src and dst are plain namespaces the test makes.
. "$(dirname "$0")/lib.sh"

# vrf_t: vrf bounded in time; exit 124 means it hung.
vrf_t() {
	timeout 20 "$VRFMGR" -c "$T/vrfmgr.ini" "$@" >"$T/out" 2>&1
	RC=$?
}

mkdir -p "$T/fw/rules.d"
cat >"$T/fw/fw.nft" <<'EOF'
table inet fw {
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		include "rules.d/*.nft"
	}
}
EOF
printf 'ip saddr 10.1.0.2 ip daddr 10.2.0.2 accept comment "from rules.d"\n' \
	>"$T/fw/rules.d/10-ping.nft"
chmod 0644 "$T/fw/fw.nft" "$T/fw/rules.d/10-ping.nft"
write_config <<'EOF'
[domain fw]
sysctl = net.ipv4.ip_forward=1
nft_file = fw/fw.nft
EOF

for ns in src dst; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
vrf_t apply
expect_rc 0 "apply with a good include"
ip link add eth0 netns src type veth peer in0 netns fw
ip link add eth0 netns dst type veth peer out0 netns fw
ip -n src addr add 10.1.0.2/24 dev eth0
ip -n fw addr add 10.1.0.1/24 dev in0
ip -n fw addr add 10.2.0.1/24 dev out0
ip -n dst addr add 10.2.0.2/24 dev eth0
for l in "src eth0" "fw in0" "fw out0" "dst eth0"; do set -- $l; ip -n "$1" link set "$2" up; done
ip -n src route add default via 10.1.0.1
ip -n dst route add default via 10.2.0.1

ping_ok src 10.2.0.2 "the included accept rule lets src reach dst"
ip netns exec dst ping -n -q -c 1 -W 1 10.1.0.2 >/dev/null 2>&1 &&
	fail "dst reaches src, but only the included rule should let anything through" ||
	ok "the rest is dropped by the policy"
vrf_t plan
expect_rc 0 "plan after the apply: nothing to change"

# refused NAME: check and apply refuse the config with LINE, and the live
# firewall keeps exactly the good rule.
refused() {
	for cmd in check apply; do
		vrf_t $cmd
		[ "$RC" = 124 ] && { fail "$1: $cmd hung"; continue; }
		expect_rc 1 "$1: $cmd refuses the config"
		expect_out "$2" "$1: $cmd names the include"
	done
	ip netns exec fw nft list table inet fw >"$T/live"
	if grep -q 'evil' "$T/live" || ! grep -q 'from rules.d' "$T/live"; then
		fail "$1: the live firewall changed: $(cat "$T/live")"
	else
		ok "$1: nothing was applied"
	fi
}

printf 'accept comment "evil"\n' >"$T/fw/rules.d/20-open.nft"
chmod 0666 "$T/fw/rules.d/20-open.nft"
refused "world-writable include" \
	"fw/fw.nft:5:3: .*rules.d/20-open.nft: writable by group or others \\(mode 0666\\)"
rm "$T/fw/rules.d/20-open.nft"
ping_fails dst 10.1.0.2 "after the refusals the firewall still drops what it dropped"

mkfifo "$T/fw/rules.d/30-fifo.nft"
refused "FIFO include" "fw/fw.nft:5:3: .*rules.d/30-fifo.nft: not a regular file"
rm "$T/fw/rules.d/30-fifo.nft"

printf 'include "/dev/zero"\n' >"$T/fw/rules.d/40-zero.nft"
chmod 0644 "$T/fw/rules.d/40-zero.nft"
refused "/dev/zero include" "rules.d/40-zero.nft:1:1: /dev/zero: not a regular file"
rm "$T/fw/rules.d/40-zero.nft"

vrf_t apply
expect_rc 0 "apply once the bad files are gone"
expect_no_out '^fw  [~+-]' "nothing to change: the good include was live all along"

finish
