#!/bin/sh
# Table-driven config tests: each case is a file and the exact diagnostic
# `vrfmgr check` must print for it (FILE:LINE: message), plus exit 1.  Cases
# for keys that plugins own live with the plugins' tests.  No root needed.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
: "${VRFMGR:=$TOP/vrfmgr/vrfmgr}"
case "$VRFMGR" in /*) ;; *) VRFMGR=$TOP/$VRFMGR ;; esac
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W" || exit 1
umask 022
fails=0 n=0

# refuse NAME EXPECTED-LINE: stdin is the config; check must exit 1 and
# print EXPECTED-LINE exactly (among its lines).
refuse() {
	n=$((n + 1))
	cat >c.ini
	"$VRFMGR" -c c.ini check >out 2>&1
	rc=$?
	if [ $rc = 1 ] && grep -Fxq -- "$2" out; then
		echo "ok $n - $1"
	else
		echo "FAIL $n - $1: exit $rc, wanted 1 and the line: $2"
		sed 's/^/    | /' out
		fails=$((fails + 1))
	fi
}

accept() {
	n=$((n + 1))
	cat >c.ini
	if "$VRFMGR" -c c.ini check >out 2>&1; then echo "ok $n - $1"; else
		echo "FAIL $n - $1"; sed 's/^/    | /' out; fails=$((fails + 1)); fi
}

printf '[global]\nnetns_dir = /run/netns\n[domain a]\ndescription = %0300d\n' 0 >long.ini
n=$((n + 1))
"$VRFMGR" -c long.ini check >out 2>&1
if [ $? = 1 ] && grep -Fxq 'long.ini:4: line too long (314 bytes, at most 198)' out; then
	echo "ok $n - over-long line"; else echo "FAIL $n - over-long line"; cat out; fails=$((fails + 1)); fi

printf '[domain a]\ndescription = x\000y\n' >nul.ini
n=$((n + 1))
"$VRFMGR" -c nul.ini check >out 2>&1
if [ $? = 1 ] && grep -Fxq 'nul.ini:2: NUL byte in line' out; then
	echo "ok $n - NUL byte"; else echo "FAIL $n - NUL byte"; cat out; fails=$((fails + 1)); fi

refuse "unknown section" 'c.ini:2: unknown section [domains a] (expected [global], [host] or [domain NAME])' <<'X'

[domains a]
X
refuse "section without name" 'c.ini:1: [domain] needs a name: [domain NAME]' <<'X'
[domain]
X
refuse "malformed header" 'c.ini:1: malformed section header (expected [global], [host] or [domain NAME])' <<'X'
[domain a
X
refuse "path trick in domain name" 'c.ini:1: invalid domain name "../etc": contains "/" (byte 0x2f), but may contain only ASCII letters, digits, '"'"'_'"'"', '"'"'.'"'"' and '"'"'-'"'"'' <<'X'
[domain ../etc]
X
# A letter, but not an ASCII one: the error names it, and its bytes.
refuse "non-ASCII domain name" 'c.ini:1: invalid domain name "café": contains "é" (bytes 0xc3 0xa9), but may contain only ASCII letters, digits, '"'"'_'"'"', '"'"'.'"'"' and '"'"'-'"'"'' <<'X'
[domain café]
X
refuse "control character in a domain name" "$(printf 'c.ini:1: invalid domain name "a\tb": contains (byte 0x09), but may contain only ASCII letters, digits, '"'"'_'"'"', '"'"'.'"'"' and '"'"'-'"'"'')" <<X
$(printf '[domain a\tb]')
X
# A domain must be nameable on the command line (destroy NAME, exec NAME).
refuse "domain name with a leading dash" 'c.ini:1: invalid domain name "-rf": must not begin with '"'"'-'"'"' (it would read as an option on the command line)' <<'X'
[domain -rf]
X
refuse "dot-dot domain" 'c.ini:1: invalid domain name "..": must not be "." or ".."' <<'X'
[domain ..]
X
refuse "domain named host" 'c.ini:1: invalid domain name "host": "host" is reserved for the [host] section' <<'X'
[domain host]
X
refuse "over-long domain name" 'c.ini:1: invalid domain name "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": must be 1 to 64 characters' <<'X'
[domain aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]
X
refuse "duplicate domain" 'c.ini:3: duplicate domain "a" (first at c.ini:1)' <<'X'
[domain a]
description = one
[domain a]
X
refuse "duplicate host" 'c.ini:2: duplicate [host] section (first at c.ini:1)' <<'X'
[host]
[host]
X
refuse "unknown key" 'c.ini:3: unknown key "adress" in [domain a]' <<'X'
[domain a]

adress = 10.0.0.1/24 dev lo
X
refuse "unknown global key" 'c.ini:2: unknown key "netns_directory" in [global]' <<'X'
[global]
netns_directory = /run/netns
X
refuse "key outside sections" 'c.ini:1: key "description" outside any section' <<'X'
description = x
X
refuse "line without =" 'c.ini:2: expected KEY = VALUE' <<'X'
[domain a]
description
X
refuse "indented continuation is not glued to the previous value" 'c.ini:3: expected KEY = VALUE' <<'X'
[domain a]
description = one
   two
X
refuse "route_protocol range" 'c.ini:2: route_protocol must be a number from 5 to 255, not "4"' <<'X'
[global]
route_protocol = 4
X
refuse "relative netns_dir" 'c.ini:2: netns_dir must be an absolute path without ".."' <<'X'
[global]
netns_dir = run/netns
X
refuse "relative history_dir" 'c.ini:3: history_dir must be an absolute path without ".."' <<'X'
[global]
netns_dir = /run/netns
history_dir = var/lib/vrfmgr/history
X
refuse "history_keep range" 'c.ini:2: history_keep must be a number from 1 to 100000, not "0"' <<'X'
[global]
history_keep = 0
X
accept "history_dir and history_keep" <<'X'
[global]
history_dir = /var/lib/vrfmgr/history
history_keep = 5
X
refuse "empty value" 'c.ini:2: "description" needs a value' <<'X'
[domain a]
description =
X
refuse "duplicate description" 'c.ini:3: duplicate description' <<'X'
[domain a]
description = x
description = y
X
cat >c.ini <<X
[global]
include = $W/inc/*.ini
X
mkdir -p inc; printf '[global]\n' >inc/a.ini
"$VRFMGR" -c c.ini check 2>&1 | grep -q 'inc/a.ini:1: \[global\] is allowed only in the main file' &&
	{ n=$((n + 1)); echo "ok $n - global in include"; } ||
	{ n=$((n + 1)); echo "FAIL $n - global in include"; fails=$((fails + 1)); }
printf '[domain b]\n' >inc/b.ini; printf '[domain b]\n' >inc/c.ini; rm inc/a.ini
refuse "duplicate domain across includes, sorted" "$W/inc/c.ini:1: duplicate domain \"b\" (first at $W/inc/b.ini:1)" <<X
[global]
include = $W/inc/*.ini
X
rm inc/c.ini
accept "include merges drop-ins" <<X
[global]
include = inc/*.ini
[domain a]
X

accept "a comment after a section header, as in DESIGN.md" <<'X'
[host]                          ; the namespace vrfmgr itself runs in
[domain a]   # customer A
X
accept "an include folder that does not exist holds no drop-ins" <<'X'
[global]
include = /nonexistent/vrfmgr.d/*.ini
X
refuse "text after a section header" 'c.ini:1: malformed section header (expected [global], [host] or [domain NAME])' <<'X'
[domain a] b
X

# File safety: StrictModes-like checks, and no hanging on a FIFO.
printf '[domain a]\n' >gw.ini; chmod 0664 gw.ini
n=$((n + 1))
"$VRFMGR" -c gw.ini check >out 2>&1
if [ $? = 1 ] && grep -Fxq 'gw.ini: gw.ini: writable by group or others (mode 0664); refusing it' out; then
	echo "ok $n - group-writable file"; else echo "FAIL $n - group-writable"; cat out; fails=$((fails + 1)); fi
ln -s c.ini link.ini
n=$((n + 1))
"$VRFMGR" -c link.ini check >out 2>&1
if [ $? = 1 ] && grep -Fxq 'link.ini: link.ini: is a symbolic link; refusing it' out; then
	echo "ok $n - symlink"; else echo "FAIL $n - symlink"; cat out; fails=$((fails + 1)); fi
mkfifo fifo.ini
n=$((n + 1))
timeout 5 "$VRFMGR" -c fifo.ini check >out 2>&1
if [ $? = 1 ] && grep -Fxq 'fifo.ini: fifo.ini: not a regular file; refusing it' out; then
	echo "ok $n - FIFO refused at once"; else echo "FAIL $n - FIFO"; cat out; fails=$((fails + 1)); fi
n=$((n + 1))
"$VRFMGR" -c /dev/null check >out 2>&1
if [ $? = 1 ] && grep -Fxq '/dev/null: /dev/null: not a regular file; refusing it' out; then
	echo "ok $n - device"; else echo "FAIL $n - device"; cat out; fails=$((fails + 1)); fi

# Every error is reported, not just the first.
cat >many.ini <<'X'
[domain a]
bogus = 1
[domain ..]
[global]
route_protocol = 999
X
n=$((n + 1))
"$VRFMGR" -c many.ini check >out 2>&1
if [ $? = 1 ] && [ "$(grep -c '^many.ini:[0-9]' out)" = 3 ] &&
   grep -Fxq 'many.ini: 3 errors, configuration refused; nothing was applied' out; then
	echo "ok $n - all errors collected"; else echo "FAIL $n - all errors collected"; cat out; fails=$((fails + 1)); fi

# A refused section header is one error: the keys under it are not also
# "outside any section".
cat >hdr.ini <<'X'
[domain a b]
description = x
[domain ok
route = blackhole 10.0.0.0/8
[domain fine]
X
n=$((n + 1))
"$VRFMGR" -c hdr.ini check >out 2>&1
if [ $? = 1 ] && [ "$(grep -c '^hdr.ini:[0-9]' out)" = 2 ] && ! grep -q 'outside any section' out; then
	echo "ok $n - one error per refused header"; else
	echo "FAIL $n - one error per refused header"; cat out; fails=$((fails + 1)); fi

echo "$n cases, $fails failed"
[ $fails = 0 ]
