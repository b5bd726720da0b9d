#!/bin/sh
# The nft plugin's files keep the shape issue 13 gave them: no netlink
# socket and no rename() of their own (the core's vrf_nl_get() and
# vrf_state_write() serve them), no .c file over 1,500 lines and no
# function over 100 lines.  A function is counted from its first line at
# the left margin to the closing brace at the left margin.
set -u
cd "$(dirname "$0")/../.." || exit 1
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

files=$(ls plugins/nft*.c)
[ -n "$files" ] || { echo "FAIL: no plugins/nft*.c"; exit 1; }
hits=$(grep -nE 'mnl_socket_open|nl_socket_alloc|socket\(AF_NETLINK|[^_a-z]rename(at)?\(' $files |
       grep -vE '^[^:]+:[0-9]+:\s*(/?\*|//)' | grep -v '"rename"')
[ -z "$hits" ] || fail "a netlink socket or rename() of its own: $hits"
for f in $files; do
	n=$(wc -l <"$f")
	[ "$n" -le 1500 ] || fail "$f has $n lines (at most 1,500)"
	long=$(awk '/^[a-z].*\(/ && !/;$/ { name = $0; start = NR }
		    /^}/ && start { if (NR - start + 1 > 100) print FILENAME ": " NR - start + 1 " lines: " name; start = 0 }' "$f")
	[ -z "$long" ] || fail "$long"
done
[ "$fails" = 0 ] && echo "ok: nft files: no own netlink socket or rename, files and functions short"
[ "$fails" = 0 ]
