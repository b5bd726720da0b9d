#!/bin/sh
# Every fuzz target's seed corpus, replayed through the target linked with
# tests/fuzz/replay.c instead of libFuzzer, in the build VRFMGR belongs to
# (the sanitizer build under tests/run.sh): the harnesses build and pass on
# every `make check`, also where clang is not installed, and the inputs that
# found bugs before stay fixed.
cd "$(dirname "$0")/../.." || exit 1
case ${VRFMGR:-vrfmgr/vrfmgr} in
build-san/*) B=build-san ;;
*) B=build ;;
esac
fails=0
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

if ! "$B/fuzz/nl-seeds" "$tmp"; then
	echo "FAIL: $B/fuzz/nl-seeds could not write the netlink seeds"
	fails=$((fails + 1))
fi
for t in $B/fuzz/replay-*; do
	name=${t##*/replay-}
	case $name in
	config) seeds=tests/fuzz/corpus ;;
	nlmsg) seeds=$tmp ;;
	*) seeds=tests/fuzz/corpus-$name ;;
	esac
	if "$t" "$seeds" >"$tmp.log" 2>&1; then
		echo "ok: fuzz-$name replays $(grep -c '^ok - ' "$tmp.log") seeds"
	else
		echo "FAIL: fuzz-$name on $seeds"
		sed 's/^/    | /' "$tmp.log" | tail -n 30
		fails=$((fails + 1))
	fi
	rm -f "$tmp.log"
done
[ -x "$B/fuzz/replay-nlmsg" ] || { echo "FAIL: no fuzz targets in $B/fuzz"; fails=$((fails + 1)); }

[ "$fails" = 0 ] && echo PASS && exit 0
echo "FAILED: $fails check(s)"
exit 1
