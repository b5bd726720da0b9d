#!/bin/sh
# make bench: vrfmgr against the shell script an administrator would write,
# measured side by side in one run so that the ratios hold on a noisy machine.
#
#   sh tests/bench/run.sh [-d DOMAINS] [-r ROUTES] [-f NFT_RULES] [-s SYSCTLS]
#                         [-n RUNS] [-N NAMESPACES] [-w SECONDS] [-o FILE] [-a] [-S] [-p]
#
#   -d -r -f -s  domains, routes per domain, nft rules per domain, sysctls per
#                domain (default 50 200 50 5); -n runs (default 5), medians
#   -N           namespaces for the creation test (default 200)
#   -w SECONDS   pause before every timed step (default 1), so that a step does
#                not pay for the kernel's deferred cleanup after the previous one
#   -o FILE      results file (default bench-results.txt at the top); -a appends
#   -S           skip the shell baseline (for very large runs)
#   -p           afterwards, profile vrfmgr apply and the no-op with perf and
#                write the reports to build/bench/perf-*.txt
#
# Everything happens in a private sandbox (unshare -m -n, tmpfs over
# /run/netns, /run/vrfmgr, /etc/netns and /tmp), so the host is untouched.
# Timings are never asserted: this prints figures, it does not pass or fail
# on them.  See docs/performance.md.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
: "${VRFMGR:=$TOP/vrfmgr/vrfmgr}"
case "$VRFMGR" in /*) ;; *) VRFMGR=$TOP/$VRFMGR ;; esac

D=50 R=200 F=50 S=5 RUNS=5 N=200 OUTFILE=$TOP/bench-results.txt APPEND=0
SHELLBASE=1 PROFILE=0 SETTLE=1
usage() { sed -n '4,17p' "$0" | sed 's/^# \{0,1\}//'; exit "$1"; }
while getopts d:r:f:s:n:N:o:w:aSph opt; do
	case $opt in
	d) D=$OPTARG ;; r) R=$OPTARG ;; f) F=$OPTARG ;; s) S=$OPTARG ;;
	n) RUNS=$OPTARG ;; N) N=$OPTARG ;; o) OUTFILE=$OPTARG ;; a) APPEND=1 ;;
	w) SETTLE=$OPTARG ;;
	S) SHELLBASE=0 ;; p) PROFILE=1 ;; h) usage 0 ;; *) usage 64 ;;
	esac
done
for v in "$D" "$R" "$F" "$S" "$RUNS" "$N"; do
	case $v in ''|*[!0-9]*) echo "bench: not a number: $v" >&2; exit 64 ;; esac
done
[ "$D" -ge 1 ] && [ "$RUNS" -ge 1 ] || { echo "bench: -d and -n must be at least 1" >&2; exit 64; }
case "$OUTFILE" in /*) ;; *) OUTFILE=$(pwd)/$OUTFILE ;; esac

BT=$TOP/build/bench/benchtime
NLF=$TOP/build/bench/nlfloor
if [ "${VRF_SANDBOXED:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || { echo "bench: needs root (it makes namespaces in a sandbox)" >&2; exit 1; }
	[ -x "$VRFMGR" ] || { echo "bench: $VRFMGR not built (run make)" >&2; exit 1; }
	mkdir -p "$TOP/build/bench"
	if [ ! -x "$BT" ] || [ "$TOP/tests/bench/benchtime.c" -nt "$BT" ]; then
		${CC:-cc} -O2 -Wall -Wextra -o "$BT" "$TOP/tests/bench/benchtime.c" || exit 1
	fi
	if [ ! -x "$NLF" ] || [ "$TOP/tests/bench/nlfloor.c" -nt "$NLF" ]; then
		${CC:-cc} -O2 -Wall -Wextra -o "$NLF" "$TOP/tests/bench/nlfloor.c" \
			$(pkg-config --cflags --libs libmnl) || exit 1
	fi
	export VRF_SANDBOXED=1 VRFMGR
	exec unshare -m -n --propagation private sh -c '
		for d in /run/netns /run/vrfmgr /etc/netns /var/lib/vrfmgr; do
			mkdir -p "$d" && mount -t tmpfs -o mode=0755 vrfbench "$d" || exit 1
		done
		mount -t tmpfs -o mode=1777 vrfbench /tmp || exit 1
		exec sh "$@"' sh "$0" "$@"
fi

umask 022
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
W=$(mktemp -d /tmp/vrfbench.XXXXXX)
mkdir -p "$W/sh" "$W/nft" "$W/res" "$W/log"
say() { printf '%s\n' "$*" >&2; }
WARN=

# ---- the configurations ----
set -- $(awk -v D="$D" -v R="$R" -v F="$F" -v S="$S" -v N="$N" -v OUT="$W" \
	-f "$TOP/tests/bench/gen.awk") || exit 1
NROUTES=$1 NRULES=$2 NSYSCTL=$3
KEEP=$((D - D / 2))
PRUNED=$((D / 2))
FIRSTKEY=$(awk -v S="$S" 'BEGIN { if (S > 0) print "net.ipv4.ip_forward" }')
say "bench: D=$D R=$R F=$F S=$S runs=$RUNS: $NROUTES routes, $NRULES nft rules, $NSYSCTL sysctls in $W"

# ---- helpers ----

# measure NAME EXPECTED_EXIT COMMAND...: run COMMAND under benchtime; its
# output goes to log/NAME.log, "WALL_NS MAXRSS_KB EXIT USER_NS SYS_NS" to
# res/NAME.
measure() {
	name=$1 want=$2; shift 2
	sleep "$SETTLE"
	"$BT" "$W/res/$name" "$@" >"$W/log/$name.log" 2>&1
	rc=$?
	if [ "$want" != any ] && [ "$rc" != "$want" ]; then
		say "bench: $name exited $rc, wanted $want:"
		tail -n 15 "$W/log/$name.log" | sed 's/^/    | /' >&2
		grep -qx "$name" "$W/failed" 2>/dev/null || {
			echo "$name" >>"$W/failed"
			WARN="$WARN
warning: $name exited $rc (wanted $want): its figures are not shown"
		}
	fi
	return 0
}

vrf() { measure "$1" "$2" "$VRFMGR" -q -c "$W/$3" $4; }

# reset: delete every namespace and wait until the kernel has cleaned them
# up (the host ends of the veths vanish last), so that no run pays for the
# previous one's asynchronous teardown.
reset() {
	ip -all netns delete >/dev/null 2>&1
	rm -rf /run/vrfmgr/* /etc/netns/* 2>/dev/null
	i=0
	while [ "$(ip -o link show type veth | wc -l)" != 0 ]; do
		i=$((i + 1))
		[ $i -gt 3000 ] && { say "bench: veths still present after 300 s"; break; }
		sleep 0.1
	done
	sleep 0.2
}

check_eq() { # WHAT GOT WANTED
	if [ "$2" != "$3" ]; then
		say "bench: $1: $2, wanted $3"
		WARN="$WARN
warning: $1: $2, wanted $3"
	fi
}

verify() { # WHO PROTO: is domain d0 what the config says?
	got=$(ip -n d0 -4 route show $2 | grep -c ' via ')
	check_eq "$1: routes via the host in d0" "$got" "$R"
	if [ "$F" -gt 0 ]; then
		got=$(ip netns exec d0 nft list table inet vrfbench 2>/dev/null | grep -c counter)
		check_eq "$1: nft rules in d0" "$got" "$F"
	fi
	if [ -n "$FIRSTKEY" ]; then
		got=$(ip netns exec d0 sysctl -n "$FIRSTKEY")
		check_eq "$1: $FIRSTKEY in d0" "$got" 1
	fi
	got=$(ip -o link show type veth | wc -l)
	check_eq "$1: veths in the host" "$got" "$D"
}

# ---- the runs ----
run=1
while [ $run -le "$RUNS" ]; do
	say "bench: run $run of $RUNS"
	if [ $SHELLBASE = 1 ]; then
		reset
		measure shell_apply any sh "$W/sh/apply.sh"
		[ $run = 1 ] && verify shell ""
		measure shell_rerun any sh "$W/sh/apply.sh"
		[ $run = 1 ] && verify "shell re-run" ""
	fi
	reset
	vrf vrf_apply 0 full.ini apply
	[ $run = 1 ] && verify vrfmgr "proto 250"
	vrf vrf_noop 0 full.ini apply
	vrf vrf_plan 0 full.ini plan
	vrf vrf_change 0 changed.ini apply
	if [ $run = 1 ]; then
		got=$(ip -n d$((D / 2)) route show 192.168.255.0/24 proto 250 | wc -l)
		check_eq "vrfmgr: changed route present" "$got" 1
	fi
	vrf vrf_prune 0 half.ini "apply --prune"
	if [ $run = 1 ]; then
		got=$(ip netns list | wc -l)
		check_eq "vrfmgr: namespaces after prune" "$got" "$KEEP"
	fi
	# The same domains without routes: the routes' own share of vrfmgr's
	# time and memory, and the stage for the floor: the same routes written
	# and everything read back by a lean batched-netlink program.
	if [ "$R" -gt 0 ]; then
		reset
		vrf vrf_zero 0 zero.ini apply
		measure floor_add 0 "$NLF" add "$W" "$D"
		measure floor_dump 0 "$NLF" dump "$D"
	fi
	if [ "$N" -gt 0 ]; then
		if [ $SHELLBASE = 1 ]; then
			reset
			measure shell_netns any sh "$W/sh/netns.sh"
		fi
		reset
		vrf vrf_netns 0 netns.ini apply
		[ $run = 1 ] && check_eq "vrfmgr: namespaces created" "$(ip netns list | wc -l)" "$N"
	fi
	run=$((run + 1))
done


# Process and syscall counts, once (strace): apply must not fork or exec,
# and a no-op apply must not write to the kernel.
FORKS=- NOOPSEND=-
if command -v strace >/dev/null 2>&1; then
	reset
	strace -f -qq -o "$W/log/strace-apply" -e trace=fork,vfork,clone,clone3,execve \
		"$VRFMGR" -q -c "$W/full.ini" apply >/dev/null 2>&1
	# The first execve is vrfmgr's own start.
	FORKS=$(($(grep -cE '(fork|clone3?|execve)\(' "$W/log/strace-apply") - 1))
	# A plan never writes: a no-op apply that makes as many send calls as
	# a plan (dump requests) and no write() has written nothing.
	for step in noop plan; do
		cmd=apply; [ $step = plan ] && cmd=plan
		strace -f -qq -o "$W/log/strace-$step" -e trace=sendmsg,sendto,sendmmsg,write,writev \
			"$VRFMGR" -q -c "$W/full.ini" $cmd >/dev/null 2>&1
	done
	NOOPSEND="no-op apply $(grep -c -e sendmsg -e sendto -e sendmmsg "$W/log/strace-noop") send + $(grep -c -e 'write(' -e 'writev(' "$W/log/strace-noop") write; plan $(grep -c -e sendmsg -e sendto -e sendmmsg "$W/log/strace-plan") send + $(grep -c -e 'write(' -e 'writev(' "$W/log/strace-plan") write"
fi

if [ $PROFILE = 1 ] && command -v perf >/dev/null 2>&1; then
	for step in apply noop; do
		[ $step = apply ] && reset
		perf record -F 2000 --call-graph dwarf,32768 -o "$W/perf-$step.data" \
			"$VRFMGR" -q -c "$W/full.ini" apply >/dev/null 2>&1
		perf report -i "$W/perf-$step.data" --stdio --children --sort symbol -g none --percent-limit 1 \
			>"$TOP/build/bench/perf-$step.txt" 2>/dev/null
		say "bench: profile of $step in build/bench/perf-$step.txt"
	done
fi
reset

# ---- the table ----

# med NAME COLUMN: median over the runs (column 1 wall ns, 2 max RSS KiB,
# 4 user ns, 5 system ns).
med() {
	[ -s "$W/res/$1" ] || { echo -; return; }
	cut -d' ' -f"$2" "$W/res/$1" | sort -n | awk '
		{ v[NR] = $1 }
		END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# range NAME: fastest and slowest wall time over the runs, "MIN MAX".
range() {
	[ -s "$W/res/$1" ] || { echo "- -"; return; }
	cut -d' ' -f1 "$W/res/$1" | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo, hi }'
}

commit=$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$TOP" status --porcelain -- vrfmgr plugins 2>/dev/null | wc -l)
[ "$dirty" != 0 ] && commit="$commit + $dirty uncommitted file(s) in vrfmgr/ plugins/"
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)

for m in shell_apply shell_rerun shell_netns vrf_apply vrf_noop vrf_plan \
	 vrf_change vrf_prune vrf_netns vrf_zero floor_add floor_dump; do
	if grep -qx "$m" "$W/failed" 2>/dev/null; then
		echo "$m failed failed failed failed failed failed"
	else
		echo "$m $(med $m 1) $(med $m 2) $(med $m 4) $(med $m 5) $(range $m)"
	fi
done >"$W/medians"

awk -v D="$D" -v R="$R" -v F="$F" -v S="$S" -v RUNS="$RUNS" -v N="$N" \
    -v KEEP="$KEEP" -v PRUNED="$PRUNED" -v NROUTES="$NROUTES" \
    -v NRULES="$NRULES" -v NSYSCTL="$NSYSCTL" -v medians="$W/medians" \
    -v forks="$FORKS" -v noopsend="$NOOPSEND" \
    -v machine="$(nproc) CPUs, $cpu, Linux $(uname -r)" \
    -v when="$(date -u '+%Y-%m-%d %H:%M UTC')" -v commit="$commit" \
    -v settle="$SETTLE" -v load="$LOAD0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end" \
    -v tools="$(ip -V | sed 's/^ip utility, //; s/,.*//'), $(nft -v | cut -d' ' -f1-2)" '
function t(ns) {
	if (ns == "-" || ns == "failed") return ns
	if (ns >= 1e9) return sprintf("%.3f s", ns / 1e9)
	return sprintf("%.1f ms", ns / 1e6)
}
function ratio(a, b) {
	if (a == "-" || b == "-" || a == "failed" || b == "failed" || b == 0) return "-"
	return sprintf("%.1fx", a / b)
}
function mb(kb) { return (kb == "-" || kb == "failed") ? kb : sprintf("%.1f MB", kb / 1024) }
function ok(v) { return v != "-" && v != "failed" && v != "" }
function verdict(yes) { return yes ? "met" : "MISSED" }
# row(STEP, SHELL_NS, NAME, TARGET): one line of the table for vrfmgr step NAME.
function row(step, a, name, target) {
	printf "%-34s %10s %10s %8s %7s %10s %10s %9s\n", step, t(a), t(wall[name]),
		ratio(a, wall[name]), target, t(usr[name]), t(sys[name]), mb(rss[name])
}
BEGIN {
	# Each line: NAME WALL_NS MAXRSS_KB USER_NS SYS_NS (medians, "-" if not run).
	while ((getline line < medians) > 0) {
		split(line, f, " ")
		wall[f[1]] = f[2]; rss[f[1]] = f[3]; usr[f[1]] = f[4]; sys[f[1]] = f[5]
		lo[f[1]] = f[6]; hi[f[1]] = f[7]
	}
	sh_apply = wall["shell_apply"]; sh_rerun = wall["shell_rerun"]; sh_netns = wall["shell_netns"]
	v_apply = wall["vrf_apply"]; v_noop = wall["vrf_noop"]; v_netns = wall["vrf_netns"]
	m_apply = rss["vrf_apply"]; m_zero = rss["vrf_zero"]
	printf "vrfmgr benchmark: D=%d domains x R=%d routes x F=%d nft rules x S=%d sysctls, median of %d run(s), %s s pause before each step\n", D, R, F, S, RUNS, settle
	printf "  %d routes, %d nft rules, %d sysctls, %d veth pairs\n", NROUTES, NRULES, NSYSCTL, D
	printf "  machine: %s\n  load average: %s\n  tools: %s\n  date: %s   commit: %s\n\n", machine, load, tools, when, commit
	big = D == 1 && R >= 100000
	printf "%-34s %10s %10s %8s %7s %10s %10s %9s\n", "step", "shell", "vrfmgr", "speedup", "target", "user", "system", "max RSS"
	row("apply from scratch", sh_apply, "vrf_apply", ">= 6x")
	row("apply again (no-op) / shell re-run", sh_rerun, "vrf_noop", ">= 20x")
	row("plan, in sync", sh_rerun, "vrf_plan", "")
	row("apply, one route changed", sh_rerun, "vrf_change", "")
	row(sprintf("apply --prune, %d of %d removed", PRUNED, D), "-", "vrf_prune", "")
	if (N > 0)
		row(sprintf("create %d empty namespaces", N), sh_netns, "vrf_netns", "")
	if (RUNS > 1) {
		printf "\nfastest..slowest run:"
		for (k = 1; k <= 9; k++) {
			split("shell_apply shell_rerun vrf_apply vrf_noop vrf_plan vrf_change vrf_prune floor_add floor_dump", nm, " ")
			if (ok(lo[nm[k]]))
				printf "%s %s %s..%s", (k > 1 && (k - 1) % 3 == 0) ? "\n   " : (k > 1 ? "," : ""), nm[k], t(lo[nm[k]]), t(hi[nm[k]])
		}
		printf "\n"
	}
	printf "\n(times are wall clock; shell = the idempotent script, whose re-run is the reference for\n every step after the first; speedup = shell / vrfmgr; user, system and max RSS: vrfmgr)\n\n"
	if (ok(v_apply) && NROUTES > 0) {
		rps = NROUTES / (v_apply / 1e9)
		printf "routes per second, apply from scratch:  %.0f (target >= 500000 for one domain of 100,000 routes%s)\n", rps, big ? ": " verdict(rps >= 500000) : ""
	}
	if (ok(v_noop))
		printf "no-op apply:                            %s (target < 100 ms for one domain of 100,000 routes%s)\n", t(v_noop), big ? ": " verdict(v_noop < 100e6) : ""
	if (ok(v_netns)) {
		printf "namespace creation, vrfmgr:             %.3f ms each (target < 0.5 ms: %s)\n", v_netns / N / 1e6, verdict(v_netns / N < 0.5e6)
		if (ok(sh_netns))
			printf "namespace creation, ip netns add:       %.3f ms each\n", sh_netns / N / 1e6
	}
	if (ok(wall["floor_add"]) && ok(v_apply) && ok(wall["vrf_zero"]) && NROUTES >= 1000) {
		fa = wall["floor_add"]; vr = v_apply - wall["vrf_zero"]
		printf "floor (tests/bench/nlfloor.c, batched libmnl, one ACK per 64 KiB):\n"
		printf "  routes written: floor %s (%.0f routes/s); vrfmgr apply minus apply without routes %s (%.1fx the floor; issue 3: within 1.5x)\n", t(fa), NROUTES / (fa / 1e9), t(vr), vr / fa
		printf "  read back links, addresses, IPv4 routes: floor %s; vrfmgr no-op %s (%.1fx; issue 3: within 2x), plan %s\n", t(wall["floor_dump"]), t(v_noop), v_noop / wall["floor_dump"], t(wall["vrf_plan"])
	}
	if (ok(m_apply) && ok(m_zero) && NROUTES >= 10000) {
		per = (m_apply - m_zero) * 1024 / NROUTES
		printf "memory per route (apply peak minus the same config without routes): %.0f bytes (target < 300: %s)\n", per, verdict(per < 300)
	}
	if (ok(sh_apply) && ok(v_apply))
		printf "apply speedup >= 6x: %s; ", verdict(sh_apply / v_apply >= 6)
	if (ok(sh_rerun) && ok(v_noop))
		printf "no-op speedup >= 20x: %s", verdict(sh_rerun / v_noop >= 20)
	printf "\nforks/execs during apply from scratch (strace): %s\nsend/write syscalls (strace): %s\n", forks, noopsend
	printf "peak memory: wait4() ru_maxrss of the vrfmgr process (benchtime, tests/bench/benchtime.c)\n"
}' >"$W/table"
[ -n "$WARN" ] && printf '%s\n' "$WARN" >>"$W/table"

cat "$W/table"
if [ $APPEND = 1 ]; then { echo; cat "$W/table"; } >>"$OUTFILE"; else cp "$W/table" "$OUTFILE"; fi
say "bench: results written to $OUTFILE"
rm -rf "$W"
