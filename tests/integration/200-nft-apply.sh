#!/bin/sh
# nft_file: plan and apply the tables a file declares, idempotently (a second
# apply sends no nftables transaction at all), remove a table that left the
# file and every owned table when nft_file goes, never touch a table the file
# does not declare, refuse a syntax error as FILE:LINE:COL, and leave the old
# ruleset whole when the kernel refuses the transaction.
#
#   domain "a" (namespace made by vrfmgr): firewall from $T/fw/a.nft
#
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/fw"
fw() { cat >"$T/fw/a.nft"; chmod 0644 "$T/fw/a.nft"; }
ruleset() { ip netns exec a nft list ruleset 2>&1; }

fw <<'EOF'
table inet filter {
	set admins {
		type ipv4_addr
		elements = { 192.0.2.10, 192.0.2.1, 192.0.2.5 }
	}
	chain input {
		type filter hook input priority 0; policy drop;
		iif lo accept
		ip saddr @admins tcp dport 22 counter accept
		icmp type echo-request limit rate 10/second accept comment "ping"
	}
}
table ip nat {
	chain postrouting {
		type nat hook postrouting priority 100;
		oifname "uplink" masquerade
	}
}
EOF
write_config <<'EOF'
[domain a]
nft_file = fw/a.nft
EOF

vrf check
expect_rc 0 "check accepts the file"

vrf plan
expect_rc 2 "plan on an empty system shows changes"
expect_out '^a  \+ nft table inet filter$' "plan adds table inet filter"
expect_out '^a  \+ nft table ip nat$' "plan adds table ip nat"
[ -e /run/netns/a ] && fail "plan created the namespace" || ok "plan changed nothing"

vrf apply
expect_rc 0 "apply"
if ruleset | grep -q 'ip saddr @admins tcp dport 22 counter packets 0 bytes 0 accept'; then
	ok "the file's rules are in the domain"
else
	fail "rules missing after apply"; ruleset | sed 's/^/    | /'
fi
if grep -qx 'inet filter' /run/vrfmgr/a/nft-tables && grep -qx 'ip nat' /run/vrfmgr/a/nft-tables; then
	ok "owned tables recorded"
else
	fail "record of owned tables wrong"; cat /run/vrfmgr/a/nft-tables
fi

# The kernel writes `priority filter`, `size`, sorted elements and quotes
# back: no false drift.
vrf plan
expect_rc 0 "plan after apply: in sync despite canonical forms"
expect_no_out 'nft' "plan shows no firewall change"

# A second apply sends no transaction: nft monitor sees nothing.  First the
# control: the monitor does see a real change.
ip netns exec a nft monitor >"$T/mon" 2>&1 &
MON=$!
sleep 0.3
ip netns exec a nft add table ip probe
ip netns exec a nft delete table ip probe
sleep 0.3
if grep -q 'probe' "$T/mon"; then ok "nft monitor sees transactions (control)"; else
	fail "nft monitor saw nothing, the next check would prove nothing"; fi
: >"$T/mon"
vrf apply
expect_rc 0 "second apply"
sleep 0.3
kill "$MON" 2>/dev/null; wait "$MON" 2>/dev/null
if [ -s "$T/mon" ]; then
	fail "second apply sent a transaction:"; sed 's/^/    | /' "$T/mon"
else
	ok "second apply sent no nftables transaction"
fi

# A foreign table is never touched, and shows as unmanaged.
ip netns exec a nft add table inet foreign
ip netns exec a nft add chain inet foreign c
vrf plan
expect_rc 0 "an undeclared table is not drift"
expect_out "^a: note: nftables table inet foreign is not declared in $T/fw/a.nft; left alone \\(unmanaged\\)\$" \
	"plan notes the unmanaged table"
vrf audit
expect_out 'table inet foreign: unmanaged' "audit reports the undeclared table as unmanaged"

# A table leaves the file: it is deleted, the other one is replaced in the
# same transaction, the foreign table stays.
fw <<'EOF'
table inet filter {
	chain input {
		type filter hook input priority filter; policy drop;
		iif lo accept
		tcp dport 22 accept
	}
}
EOF
vrf plan
expect_rc 2 "plan after the file changed"
expect_out '^a  - nft table ip nat  ! table removed$' "plan deletes the table that left the file"
expect_out '^a  ~ nft table inet filter: ' "plan changes inet filter"
expect_out '^ +- chain input: ip saddr @admins tcp dport 22 counter accept$' "plan shows the removed rule"
expect_out '^ +\+ chain input: tcp dport 22 accept$' "plan shows the added rule"
expect_out '^ +- set admins$' "plan shows the removed set"
vrf apply
expect_rc 0 "apply the smaller file"
ruleset | grep -q 'table ip nat' && fail "table ip nat still there" || ok "table ip nat deleted"
ruleset | grep -q 'table inet foreign' && ok "foreign table survived" || fail "foreign table gone"
grep -qx 'ip nat' /run/vrfmgr/a/nft-tables && fail "ip nat still recorded" || ok "record updated"

# A syntax error: FILE:LINE:COL of the nft file, by check and apply, and
# nothing is applied.
cp "$T/fw/a.nft" "$T/good.nft"
fw <<'EOF'
table inet filter {
	chain input {
		type filter hook input priority filter; policy accept;
		tcp dport 22 counter acept
	}
}
table ip extra {
}
EOF
ruleset >"$T/before"
vrf check
expect_rc 1 "check refuses a syntax error"
expect_out "^$T/fw/a.nft:4:29: syntax error, unexpected newline\$" "check names FILE:LINE:COL"
vrf apply
expect_rc 1 "apply refuses a syntax error"
expect_out "^$T/fw/a.nft:4:29: syntax error" "apply names FILE:LINE:COL"
ruleset >"$T/after"
cmp -s "$T/before" "$T/after" && ok "nothing applied" || fail "the ruleset changed"

# An error only the kernel finds (a name that does not resolve) is located too.
fw <<'EOF'
table inet filter {
	chain input {
		type filter hook input priority filter; policy accept;
		ip saddr no-such-host.invalid drop
	}
}
EOF
vrf check
expect_rc 1 "check refuses an evaluation error"
expect_out "^$T/fw/a.nft:4:12: Could not resolve hostname" "evaluation error located"

# The kernel refuses the transaction (the table is held, with the owner flag,
# by another process): the whole transaction fails and the old ruleset stays.
cp "$T/good.nft" "$T/fw/a.nft"
fw <<'EOF'
table inet filter {
	chain input {
		type filter hook input priority filter; policy drop;
		iif lo accept
		tcp dport 22 accept
	}
}
table ip held {
	chain c { }
}
EOF
mkfifo "$T/fifo"
ip netns exec a nft -i <"$T/fifo" >/dev/null 2>&1 &
HOLDER=$!
exec 3>"$T/fifo"
echo 'add table ip held { flags owner; }' >&3
sleep 0.3
ruleset >"$T/before"
vrf apply
expect_rc 1 "apply fails when the kernel refuses"
expect_out 'Operation not permitted' "the kernel's reason is printed"
ruleset >"$T/after"
cmp -s "$T/before" "$T/after" && ok "a refused transaction changed nothing" ||
	{ fail "the ruleset changed"; diff "$T/before" "$T/after" | sed 's/^/    | /'; }
exec 3>&-
wait "$HOLDER" 2>/dev/null
vrf apply
expect_rc 0 "apply once the holder is gone"
ruleset | grep -q 'table ip held' && ok "table ip held created" || fail "table ip held missing"

# nft_file removed: every table vrfmgr owned goes, the foreign one stays.
write_config <<'EOF'
[domain a]
EOF
vrf plan
expect_out '^a  - nft table inet filter  ! table removed$' "plan deletes inet filter when nft_file goes"
expect_out '^a  - nft table ip held  ! table removed$' "plan deletes ip held when nft_file goes"
vrf apply
expect_rc 0 "apply without nft_file"
if ruleset | grep -q 'table inet filter\|table ip held'; then fail "owned tables left"; else
	ok "owned tables deleted"; fi
ruleset | grep -q 'table inet foreign' && ok "foreign table still there" || fail "foreign table gone"
[ -e /run/vrfmgr/a/nft-tables ] && fail "record left behind" || ok "record removed"
vrf plan
expect_rc 0 "in sync afterwards"

finish
