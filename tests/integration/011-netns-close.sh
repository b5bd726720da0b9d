#!/bin/sh
# Never open while going away: a domain is closed (forwarding off, links
# down) before its namespace is deleted.  The kernel tears a namespace down
# firewall first and interfaces later, so without that a forwarding domain
# passes traffic unfiltered for a moment.  A flood crosses domain "fw",
# whose forward chain drops everything, while fw is destroyed and made
# again, pruned and made again, and rolled back as a failed new domain, over
# and over; a single echo reply is a leak.
#
#   [snd] 10.1.0.2 s0 ==== f-s 10.1.0.1 [fw] 10.2.0.1 f-w ==== w0 10.2.0.2 [wit]
#
# All three are domains of the test's file, in the test's sandbox.
. "$(dirname "$0")/lib.sh"

ROUNDS=${ROUNDS:-10}

cat >"$T/fw.nft" <<'EOF'
table inet fw {
	chain forward {
		type filter hook forward priority filter; policy drop;
	}
}
EOF
cat >"$T/open.nft" <<'EOF'
table inet fw {
	chain forward {
		type filter hook forward priority filter; policy accept;
	}
}
EOF
chmod 0644 "$T/fw.nft" "$T/open.nft"

config() { # NFT_FILE [EXTRA_FW_LINE] [no-fw]: the file; without fw, snd and wit are empty
	{
		if [ "${3:-}" = no-fw ]; then
			printf '[domain snd]\n[domain wit]\n'
		else
			printf '[domain snd]\naddress = 10.1.0.2/24 dev s0\nroute = default via 10.1.0.1\n'
			printf '[domain wit]\naddress = 10.2.0.2/24 dev w0\nroute = default via 10.2.0.1\n'
			printf '[domain fw]\nlink = f-s type veth peer s0 peer-netns snd\n'
			printf 'link = f-w type veth peer w0 peer-netns wit\n'
			printf 'address = 10.1.0.1/24 dev f-s\naddress = 10.2.0.1/24 dev f-w\n'
			printf 'sysctl = net.ipv4.ip_forward=1\nnft_file = %s\n%s\n' "$1" "${2:-}"
		fi
	} | write_config
}

# Sanity: with an open firewall the path works, so a silent flood below
# means the firewall held, not that the path was broken.
config "$T/open.nft"
vrf apply
expect_rc 0 "apply with an open firewall"
ping_ok snd 10.2.0.2 "snd reaches wit through fw"
config "$T/fw.nft"
vrf apply
expect_rc 0 "apply with the dropping firewall"
ping_fails snd 10.2.0.2 "fw drops what it forwards"

flood_start snd 10.2.0.2 120
cycles=0
i=0
while [ $i -lt "$ROUNDS" ]; do
	vrf destroy fw
	[ "$RC" = 0 ] || fail "destroy fw, round $i: exit $RC: $(cat "$T/out")"
	vrf apply
	[ "$RC" = 0 ] || fail "apply after destroy, round $i: exit $RC: $(cat "$T/out")"
	cycles=$((cycles + 1))
	i=$((i + 1))
done
i=0
while [ $i -lt $((ROUNDS / 2)) ]; do
	config "$T/fw.nft" "" no-fw
	vrf apply --prune
	# snd's and wit's routes leave the file with fw and may go with fw's
	# veths before their deletion runs: that deletion succeeds
	# (016-delete-absent).
	[ "$RC" = 0 ] || fail "apply --prune, round $i: exit $RC: $(cat "$T/out")"
	grep -q '^fw  - namespace' "$T/out" || fail "apply --prune did not remove fw: $(cat "$T/out")"
	config "$T/fw.nft"
	vrf apply
	[ "$RC" = 0 ] || fail "apply after prune, round $i: exit $RC: $(cat "$T/out")"
	cycles=$((cycles + 1))
	i=$((i + 1))
done
# A failed new domain is rolled back whole: the kernel refuses a route via
# a gateway that is not on any link, after fw forwards with its firewall.
vrf destroy fw
i=0
while [ $i -lt $((ROUNDS / 2)) ]; do
	config "$T/fw.nft" "route = 10.99.0.0/16 via 10.77.0.1"
	vrf apply
	[ "$RC" = 1 ] || fail "apply of a failing new fw, round $i: exit $RC"
	grep -q 'fw: apply failed; the namespace this run created was removed' "$T/out" ||
		fail "fw was not rolled back: $(cat "$T/out")"
	cycles=$((cycles + 1))
	i=$((i + 1))
done
kill -0 "$FLOOD_PID" 2>/dev/null && ok "the flood lasted all $cycles cycles" ||
	fail "the flood ended before the cycles did; raise its time or lower ROUNDS"
flood_stop
[ "$FLOOD_SENT" -gt 0 ] && ok "the flood sent $FLOOD_SENT requests" || fail "the flood sent nothing"
[ "$FLOOD_REPLIES" = 0 ] && ok "no reply crossed fw over $cycles removals" ||
	fail "$FLOOD_REPLIES replies crossed fw while it was removed ($cycles removals)"

# Closing is only for namespaces on their way out: a domain that stays keeps
# forwarding, and destroy leaves the others alone.
config "$T/open.nft"
vrf apply
expect_rc 0 "fw back with an open firewall"
ping_ok snd 10.2.0.2 "fw forwards again after all this"
finish
