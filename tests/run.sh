#!/bin/sh
# Run every test: unit tests (normal and sanitizer builds), the man page lint,
# and the integration scripts (as root, each in its own sandbox, against the
# sanitizer build so that the kernel-facing code runs under ASan and UBSan).
# The last line is "N passed, N failed".
cd "$(dirname "$0")/.." || exit 1
mkdir -p tests/out
pass=0 failn=0 skipn=0 failed=
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

run() { # NAME COMMAND...
	name=$1; shift
	log=tests/out/$(echo "$name" | tr '/ ' '__').log
	"$@" >"$log" 2>&1
	rc=$?
	case $rc in
	0) pass=$((pass + 1)); echo "PASS  $name" ;;
	77) skipn=$((skipn + 1)); echo "SKIP  $name: $(grep -m1 '^SKIP' "$log" | sed 's/^SKIP: //')" ;;
	*) failn=$((failn + 1)); failed="$failed $name"; echo "FAIL  $name (exit $rc)"
	   sed 's/^/      | /' "$log" | tail -n 40 ;;
	esac
}

for b in build build-san; do
	for t in $b/tests/test-*; do
		[ -x "$t" ] && run "$t" "$t"
	done
done
for t in tests/unit/*.sh; do
	[ -f "$t" ] && run "$t" env VRFMGR=build-san/bin/vrfmgr sh "$t"
done
for t in tests/integration/[0-9]*.sh; do
	[ -f "$t" ] && run "$t" env VRFMGR=build-san/bin/vrfmgr VRF_PLUGIN_BUILD=build-san/plugins sh "$t"
done
[ -n "$failed" ] && echo "failed:$failed"
[ "$skipn" != 0 ] && echo "$skipn skipped"
echo "$pass passed, $failn failed" | tee tests/out/summary
[ "$failn" = 0 ]
