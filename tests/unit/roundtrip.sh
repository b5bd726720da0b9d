#!/bin/sh
# Round trip: parse the example, print the model back (check -v), parse the
# printed text, print again: both prints must be identical, so nothing the
# parser kept is lost or changed by printing.  No root needed.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
: "${VRFMGR:=$TOP/vrfmgr/vrfmgr}"
case "$VRFMGR" in /*) ;; *) VRFMGR=$TOP/$VRFMGR ;; esac
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
umask 022
# The printed model names nft files as the example does, relative to the
# file: give the copy the same neighbours.
mkdir -p "$W/conf" && cp -r "$TOP/conf/example" "$W/conf/"
"$VRFMGR" -c "$TOP/vrfmgr.ini.example" -v check >"$W/one.ini" || { echo "FAIL: example does not load"; exit 1; }
"$VRFMGR" -c "$W/one.ini" -v check >"$W/two.ini" || { echo "FAIL: printed model does not load"; cat "$W/one.ini"; exit 1; }
if cmp -s "$W/one.ini" "$W/two.ini"; then
	echo "ok - round trip of vrfmgr.ini.example ($(grep -c . "$W/one.ini") lines)"
else
	echo "FAIL - round trip differs:"; diff -u "$W/one.ini" "$W/two.ini"; exit 1
fi
grep -q '^\[domain ' "$W/one.ini" && echo "ok - domains printed" || { echo "FAIL - no domains printed"; exit 1; }
