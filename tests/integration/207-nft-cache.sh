#!/bin/sh
# The cache of canonical forms (STATE_DIR/nft-cache): a file loaded once into
# the scratch namespace is not loaded again while its bytes (and libnftables,
# the kernel, ...) stay the same; two domains with the same file share one
# entry; a stale entry makes no false drift and is replaced; real drift is
# still found; an entry that others may write is not believed.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/fw"
# Indented with spaces and `priority 0`: the kernel's listing in an entry
# (tabs, `priority filter`) can be told from the file's own bytes there.
cat >"$T/fw/a.nft" <<'EOF'
table inet filter {
    set admins {
        type ipv4_addr
        elements = { 192.0.2.10, 192.0.2.11 }
    }
    chain input {
        type filter hook input priority 0; policy accept;
        ip saddr @admins tcp dport 22 counter accept
        ip saddr 198.51.100.0/24 counter drop
    }
}
EOF
cp "$T/fw/a.nft" "$T/fw/b.nft"
chmod 0644 "$T/fw/a.nft" "$T/fw/b.nft"
write_config <<'EOF'
[domain a]
nft_file = fw/a.nft

[domain b]
nft_file = fw/b.nft
EOF
C=/run/vrfmgr/nft-cache

vrf check
expect_rc 0 "check"
[ -e "$C" ] && fail "check wrote the cache" || ok "check writes no cache"
vrf apply
expect_rc 0 "apply"
n=$(ls "$C" | grep -c '\.canon$')
[ "$n" = 1 ] && ok "two files with the same bytes share one entry" || fail "$n entries, wanted 1"
E=$(ls "$C"/*.canon | head -n 1)
grep -q '^		ip saddr 198.51.100.0/24 counter drop$' "$E" &&
	ok "the entry holds the kernel's listing" || fail "the entry lacks the listing"
vrf plan
expect_rc 0 "plan in sync from the cache"

if command -v strace >/dev/null; then
	strace -f -qq -e trace=unshare -o "$T/strace" "$VRFMGR" -c "$T/vrfmgr.ini" plan >/dev/null 2>&1
	n=$(grep -c unshare "$T/strace")
	[ "$n" = 0 ] && ok "no scratch namespace while the files are cached" ||
		fail "$n unshare calls in a plan with every file cached"
	rm -f "$E"
	strace -f -qq -e trace=unshare -o "$T/strace" "$VRFMGR" -c "$T/vrfmgr.ini" plan >/dev/null 2>&1
	n=$(grep -c unshare "$T/strace")
	[ "$n" = 1 ] && ok "without the entry, one scratch namespace for both files" ||
		fail "$n unshare calls without the entry, wanted 1"
	[ -e "$E" ] && ok "plan stored the entry again" || fail "plan did not store the entry"
else
	echo "note: strace missing; not counting scratch namespaces"
fi

# A stale entry (its listing no longer what loading gives): no drift, and
# the entry is replaced.
sed -i 's/^		ip saddr 198.51.100.0\/24 counter drop$/		ip saddr 198.51.100.0\/24 counter accept/' "$E"
grep -q '^		ip saddr 198.51.100.0/24 counter accept$' "$E" || fail "the entry could not be made stale"
vrf plan
expect_rc 0 "a stale entry makes no false drift"
grep -q '^		ip saddr 198.51.100.0/24 counter drop$' "$E" &&
	! grep -q '198.51.100.0/24 counter accept' "$E" &&
	ok "the stale entry was replaced" || fail "the stale entry is still there"

# Drift with the cache warm.
ip netns exec a nft flush chain inet filter input
vrf plan
expect_rc 2 "drift is found with the cache warm"
expect_out '^a  ~ nft table inet filter' "domain a drifted"
expect_no_out '^b  ' "domain b did not"
vrf apply
expect_rc 0 "apply repairs"
vrf plan
expect_rc 0 "in sync again"

# An entry others may write is not believed: here it says what the live
# table (changed behind vrfmgr's back) has, and must not hide the drift.
ip netns exec b nft 'chain inet filter input { policy drop; }'
sed -i 's/priority filter; policy accept;$/priority filter; policy drop;/' "$E"
grep -q 'priority filter; policy drop;$' "$E" || fail "the entry could not be changed"
chmod 0666 "$E"
vrf plan
expect_rc 2 "a group- and world-writable entry is ignored"
expect_out '^b  ~ nft table inet filter' "domain b's changed policy is found"
vrf apply
expect_rc 0 "apply repairs b"
[ "$(stat -c %a "$E")" = 644 ] && ok "the entry was written again, 0644" ||
	fail "the entry has mode $(stat -c %a "$E")"

# An edited file is loaded again.
sed -i 's/192.0.2.11 }/192.0.2.12 }/' "$T/fw/a.nft"
vrf plan
expect_rc 2 "an edited file shows its change"
expect_out '^a  ~ nft table inet filter' "domain a changes"
expect_no_out '^b  ' "domain b, whose file did not change, does not"
vrf apply
expect_rc 0 "apply the edit"
vrf plan
expect_rc 0 "in sync after the edit"
n=$(ls "$C" | grep -c '\.canon$')
[ "$n" = 2 ] && ok "an entry per file content" || fail "$n entries, wanted 2"

finish
