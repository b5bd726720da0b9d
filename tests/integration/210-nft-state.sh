#!/bin/sh
# The nft plugin's state files go through the core's checked writer
# (vrfmgr/state.c): the record of owned tables (STATE_DIR/DOMAIN/nft-tables)
# and the cache of canonical forms (STATE_DIR/nft-cache/HASH.canon) are
# root's, writable by nobody else, and no temporary file is left behind.
# A record that others may write could have been planted by anybody: it is
# ignored with a warning, so a table it names that the file does not
# declare is not taken for vrfmgr's and survives the apply (before issue 13
# the plugin read any record and deleted that table).
. "$(dirname "$0")/lib.sh"

S=/run/vrfmgr
mkdir -p "$T/fw"
cat >"$T/fw/d.nft" <<'EOF'
table inet filter {
	chain input {
		type filter hook input priority filter; policy accept;
	}
}
EOF
chmod 0644 "$T/fw/d.nft"
write_config <<'EOF'
[domain d]
nft_file = fw/d.nft
EOF
vrf apply
expect_rc 0 "apply"
grep -qx 'inet filter' "$S/d/nft-tables" && ok "the record names the table" ||
	fail "the record does not name inet filter: $(cat "$S/d/nft-tables" 2>&1)"
set -- "$S"/nft-cache/*.canon
[ -f "$1" ] && ok "the file's canonical form is cached" || fail "no cache entry in $S/nft-cache"
for f in "$S/d/nft-tables" "$@"; do
	[ -f "$f" ] || continue
	if [ "$(stat -c %u "$f")" = 0 ] && [ $(( $(stat -c %#a "$f") & 022 )) = 0 ]; then
		ok "$f is root's, written by nobody else"
	else
		fail "$f: owner $(stat -c %u "$f"), mode $(stat -c %a "$f")"
	fi
done
left=$(find "$S" -name '*.tmp')
[ -z "$left" ] && ok "no temporary file is left" || fail "left behind: $left"

# Somebody else's table, and a record others may write that claims it.
ip netns exec d nft add table ip foreign
echo 'ip foreign' >>"$S/d/nft-tables"
chmod 0666 "$S/d/nft-tables"
[ "$(stat -c %a "$S/d/nft-tables")" = 666 ] && grep -qx 'ip foreign' "$S/d/nft-tables" ||
	die "could not plant the record (mode $(stat -c %a "$S/d/nft-tables"))"
ip netns exec d nft list table ip foreign >/dev/null 2>&1 || die "could not add table ip foreign"
vrf apply
expect_rc 0 "apply with a planted record"
expect_out "ignoring $S/d/nft-tables: not trusted" "the planted record is reported and ignored"
ip netns exec d nft list table ip foreign >/dev/null 2>&1 &&
	ok "the table the planted record names survives" ||
	fail "table ip foreign was deleted on the word of a planted record"
ip netns exec d nft list table inet filter >/dev/null 2>&1 &&
	ok "the declared table stays" || fail "table inet filter is gone"

finish
