# Shared helpers for integration tests.  Source it first thing:
#
#     . "$(dirname "$0")/lib.sh"
#
# It re-executes the script as root inside a private mount and network
# namespace (unshare -m -n) with tmpfs over /run/netns, /run/vrfmgr,
# /etc/netns and /var/lib/vrfmgr (the default history_dir), so nothing the
# test does reaches the host.  Inside, the "host"
# namespace is the fresh one unshare made: only lo, and it is down.
#
# Exit codes: 0 pass, 1 fail, 77 skipped (print the reason with skip()).

set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
: "${VRFMGR:=$TOP/vrfmgr/vrfmgr}"
case "$VRFMGR" in /*) ;; *) VRFMGR=$TOP/$VRFMGR ;; esac
export VRFMGR TOP

if [ "${VRF_SANDBOXED:-}" != 1 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: integration tests need root"
		exit 77
	fi
	export VRF_SANDBOXED=1
	exec unshare -m -n --propagation private sh -c '
		for d in /run/netns /run/vrfmgr /etc/netns /var/lib/vrfmgr; do
			mkdir -p "$d" && mount -t tmpfs -o mode=0755 vrftest "$d" || exit 1
		done
		exec sh "$@"' sh "$0" "$@"
fi

umask 022
# The checkout itself may live under /tmp (CI clones there), so /tmp stays
# the host's; each test gets its own directory, removed on exit.
T=$(mktemp -d /tmp/vrftest.XXXXXX)
trap 'rm -rf "$T"' EXIT
FAILS=0

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok()   { echo "ok: $*"; }
skip() { echo "SKIP: $*"; exit 77; }
die()  { echo "FAIL: $*"; exit 1; }

# Run vrfmgr with the test's config; output in $T/out, status in $RC.
vrf() {
	"$VRFMGR" -c "$T/vrfmgr.ini" "$@" >"$T/out" 2>&1
	RC=$?
	return 0
}

# expect_rc N DESCRIPTION: the last vrf call must have exited N.
expect_rc() {
	if [ "$RC" = "$1" ]; then ok "$2 (exit $RC)"; else
		fail "$2: exit $RC, wanted $1"; sed 's/^/    | /' "$T/out"; fi
}

# expect_out REGEX DESCRIPTION / expect_no_out REGEX DESCRIPTION
expect_out() {
	if grep -Eq -- "$1" "$T/out"; then ok "$2"; else
		fail "$2: no line matches /$1/"; sed 's/^/    | /' "$T/out"; fi
}
expect_no_out() {
	if grep -Eq -- "$1" "$T/out"; then
		fail "$2: a line matches /$1/"; sed 's/^/    | /' "$T/out"; else ok "$2"; fi
}

# write_config: stdin becomes $T/vrfmgr.ini, with a [global] pointing at the
# sandbox's directories prepended unless the text has its own [global].
write_config() {
	cat >"$T/body.ini"
	if grep -q '^\[global\]' "$T/body.ini"; then
		cp "$T/body.ini" "$T/vrfmgr.ini"
	else
		{ printf '[global]\nnetns_dir = /run/netns\n\n'; cat "$T/body.ini"; } >"$T/vrfmgr.ini"
	fi
	chmod 0644 "$T/vrfmgr.ini"
}

# ping_ok NS ADDR DESCRIPTION / ping_fails NS ADDR DESCRIPTION
ping_ok() {
	if ip netns exec "$1" ping -n -q -c 1 -W 2 "$2" >/dev/null 2>&1; then ok "$3"
	else fail "$3: ping from $1 to $2 failed"; fi
}
ping_fails() {
	if ip netns exec "$1" ping -n -q -c 1 -W 1 "$2" >/dev/null 2>&1; then
		fail "$3: ping from $1 to $2 went through"; else ok "$3"; fi
}

# has_link_kind KIND: can this kernel create links of KIND?
# Kinds that need a lower device (macvlan, ipvlan) get a throwaway veth.
has_link_kind() {
	case $1 in
	macvlan|macvtap|ipvlan)
		ip link add vrfprobe1 type veth peer name vrfprobe2 >/dev/null 2>&1 || return 1
		ip link add link vrfprobe1 name vrfprobe0 type "$1" >/dev/null 2>&1
		r=$?
		ip link del vrfprobe1 >/dev/null 2>&1
		return $r ;;
	esac
	ip link add vrfprobe0 type "$1" >/dev/null 2>&1 || return 1
	ip link del vrfprobe0 >/dev/null 2>&1
	return 0
}

finish() {
	if [ "$FAILS" = 0 ]; then echo "PASS"; exit 0; fi
	echo "FAILED: $FAILS check(s)"; exit 1
}

# flood_start NS ADDR SECONDS: from namespace NS, send ICMP echo requests to
# ADDR as fast as the machine goes (tests/tools/flood.c), in the background,
# for at most SECONDS.  ADDR must be an address this test assigned in a
# namespace it made.  flood_stop ends it early and sets FLOOD_SENT and
# FLOOD_REPLIES; a reply crossed whatever should have dropped it.
FLOOD=$TOP/build/tools/flood
flood_start() {
	[ -x "$FLOOD" ] || die "flood sender $FLOOD not built (make all)"
	ip netns exec "$1" "$FLOOD" -d "$2" -t "$3" >"$T/flood.out" 2>&1 &
	FLOOD_PID=$!
	sleep 0.2	# let it reach full speed before the test acts
}
flood_stop() {
	kill -TERM "$FLOOD_PID" 2>/dev/null
	wait "$FLOOD_PID" 2>/dev/null
	set -- $(cat "$T/flood.out")
	[ "${1:-}" = sent ] || die "flood sender failed: $(cat "$T/flood.out")"
	FLOOD_SENT=$2 FLOOD_REPLIES=$4
	echo "flood: sent $FLOOD_SENT, replies $FLOOD_REPLIES"
}

# oob_sysctl NS PATH VALUE: change /proc/sys/net/PATH in namespace NS behind
# vrfmgr's back, and check that the change took.  When the kernel refuses
# the value (kernels differ in what they accept), say so plainly and return
# 1, so that the test skips what depends on it instead of blaming vrfmgr.
oob_sysctl() {
	if ! ip netns exec "$1" sh -c 'printf "%s\n" "$2" >"$1"' sh "/proc/sys/net/$2" "$3" \
		2>"$T/oob.err"; then
		echo "NOTE: the kernel refused this test's own write of $2 = \"$3\" in $1" \
			"($(tr '\n' ' ' <"$T/oob.err")); the checks that need it are skipped"
		return 1
	fi
	oob_got=$(ip netns exec "$1" cat "/proc/sys/net/$2" | tr -s '\t ' '  ')
	if [ "$oob_got" != "$3" ]; then
		echo "NOTE: this test wrote $2 = \"$3\" in $1 but the kernel keeps \"$oob_got\";" \
			"the checks that need it are skipped"
		return 1
	fi
	return 0
}
