#!/bin/sh
# vrfmgr deletes only what it owns.  Routes of other protocols (in main and
# in another table), rules of other protocols, links it did not declare,
# nft tables its file does not declare, and namespaces it did not create all
# survive apply, apply after the domain's objects were removed from the file,
# and apply --prune.
. "$(dirname "$0")/lib.sh"

cat >"$T/fw.nft" <<'X'
table inet vrf_fw {
	chain input { type filter hook input priority 0; policy accept; }
}
X
chmod 0644 "$T/fw.nft"
write_config <<'X'
[domain d]
link = v0 type veth peer v0-host
address = 10.1.0.1/24 dev v0
route = 10.2.0.0/16 via 10.1.0.254
rule = from 10.1.0.0/24 table 100 priority 100
nft_file = fw.nft
X
vrf apply
expect_rc 0 "apply"

# Foreign objects, made with ip(8) and nft(8) as another tool would.
ip netns add stranger
ip -n d link add foreign0 type veth peer name foreign1
ip -n d addr add 10.3.0.1/24 dev foreign0
ip -n d link set foreign0 up
# Via the foreign link: routes through vrfmgr's own v0 would go with v0
# when it is removed, by the kernel's doing, not vrfmgr's.
ip -n d route add 10.4.0.0/16 via 10.3.0.254 proto static
ip -n d route add 10.5.0.0/16 via 10.3.0.254 proto static table 200
ip -n d route add 10.6.0.0/16 via 10.3.0.254 proto boot
ip -n d rule add from 10.9.0.0/24 table 200 priority 200
ip netns exec d nft add table ip other
ip netns exec d nft add chain ip other c '{ type filter hook output priority 0; }'

check_foreign() { # WHEN
	ip netns list | grep -qx stranger && ok "$1: foreign namespace survives" || fail "$1: stranger gone"
	ip -n d link show foreign0 >/dev/null 2>&1 && ok "$1: foreign link survives" || fail "$1: foreign0 gone"
	ip -n d addr show dev foreign0 | grep -q 10.3.0.1/24 && ok "$1: its address survives" ||
		fail "$1: address on foreign0 gone"
	ip -n d route show 10.4.0.0/16 proto static | grep -q . && ok "$1: proto static route survives" ||
		fail "$1: static route gone"
	ip -n d route show table 200 | grep -q 10.5.0.0/16 && ok "$1: route in a foreign table survives" ||
		fail "$1: table 200 route gone"
	ip -n d route show 10.6.0.0/16 | grep -q . && ok "$1: proto boot route survives" || fail "$1: boot route gone"
	ip -n d rule show | grep -q 'from 10.9.0.0/24 lookup 200' && ok "$1: foreign rule survives" ||
		fail "$1: foreign rule gone"
	ip netns exec d nft list table ip other >/dev/null 2>&1 && ok "$1: unmanaged nft table survives" ||
		fail "$1: nft table other gone"
}

vrf plan
expect_rc 0 "foreign objects are not drift"
vrf apply
expect_rc 0 "apply with foreign objects around"
check_foreign "apply"

# Everything vrfmgr declared leaves the file; only its own objects go.
write_config <<'X'
[domain d]
X
vrf apply --prune
expect_rc 0 "apply of an empty domain"
ip -n d route show 10.2.0.0/16 | grep -q . && fail "vrfmgr's route stayed" || ok "vrfmgr's own route removed"
ip -n d rule show | grep -q 'from 10.1.0.0/24' && fail "vrfmgr's rule stayed" || ok "vrfmgr's own rule removed"
ip netns exec d nft list table inet vrf_fw >/dev/null 2>&1 && fail "vrfmgr's table stayed" ||
	ok "vrfmgr's own nft table removed"
ip -n d link show v0 >/dev/null 2>&1 && fail "vrfmgr's link stayed" || ok "vrfmgr's own link removed"
check_foreign "emptied domain"
finish
