#!/bin/sh
# Crash safety, proven stop point by stop point: the test build stops hard
# (_exit, as kill -9 would) right after its Nth kernel or state operation
# when VRF_FAULT_AFTER=N (netlink batches, each step of making a namespace,
# state file writes, nft commands, sysctl writes).  For N = 1, 2, 3, ... a
# few domains are applied from nothing and stopped there; then a plain apply
# must finish the job, a plan must find nothing left to do, every domain
# must be owned (none foreign), and destroy must remove them all with their
# state.  The loop ends at the first N that the apply outlives.
. "$(dirname "$0")/lib.sh"

grep -q VRF_FAULT_AFTER "$VRFMGR" ||
	skip "$VRFMGR has no fault injection (it is in the make SANITIZE=1 build)"
MAX=${MAX:-300}
FAULT_EXIT=86

cat >"$T/fw.nft" <<'EOF'
table inet fw {
	chain forward {
		type filter hook forward priority filter; policy drop;
	}
}
EOF
chmod 0644 "$T/fw.nft"
write_config <<X
[domain a]
link = a-b type veth peer b-a peer-netns b
address = 10.1.0.1/24 dev a-b
route = 10.9.0.0/16 via 10.1.0.2
sysctl = net.ipv4.ip_forward=1
nft_file = $T/fw.nft
[domain b]
address = 10.1.0.2/24 dev b-a
route = blackhole 10.8.0.0/16 table 100
rule = from 10.1.0.0/24 table 100 priority 100
[domain c]
link = c0 type veth peer c0-host
address = 10.3.0.1/24 dev c0
X

n=1 stops=0 completed=
while [ $n -le "$MAX" ]; do
	VRF_FAULT_AFTER=$n "$VRFMGR" -c "$T/vrfmgr.ini" apply >"$T/stopped" 2>&1
	rc=$?
	case $rc in
	$FAULT_EXIT) stops=$((stops + 1)); where=$(sed -n 's/.*stopped after //p' "$T/stopped") ;;
	0) completed=$n; where="nothing (the run completed)" ;;
	*) fail "stop $n: the stopped apply exited $rc"; sed 's/^/    | /' "$T/stopped"; where=? ;;
	esac
	vrf apply
	[ "$RC" = 0 ] || { fail "after a stop at op $n ($where): apply exit $RC"; sed 's/^/    | /' "$T/out"; }
	vrf plan
	[ "$RC" = 0 ] || { fail "after a stop at op $n ($where): plan exit $RC"; sed 's/^/    | /' "$T/out"; }
	vrf status
	if grep -q 'foreign' "$T/out" || [ "$(grep -c ' owned ' "$T/out")" != 3 ]; then
		fail "after a stop at op $n ($where): ownership: $(tr '\n' '|' <"$T/out")"
	fi
	ip netns exec a ping -n -q -c 1 -W 2 10.1.0.2 >/dev/null 2>&1 ||
		fail "after a stop at op $n ($where): a does not reach b"
	vrf destroy a b c
	[ "$RC" = 0 ] || { fail "after a stop at op $n ($where): destroy exit $RC"; sed 's/^/    | /' "$T/out"; }
	left=$(ls /run/netns /run/vrfmgr | grep -x 'a\|b\|c' | tr '\n' ' ')
	[ -z "$left" ] || fail "after a stop at op $n ($where): left behind: $left"
	ip link show c0-host >/dev/null 2>&1 && fail "after a stop at op $n: c0-host left in the host"
	[ -n "$completed" ] && break
	n=$((n + 1))
done
[ -n "$completed" ] && ok "the apply outlived op $completed; $stops stop points covered" ||
	fail "the apply was still being stopped at op $MAX"
[ "$stops" -ge 10 ] && ok "at least 10 stop points ($stops)" || fail "only $stops stop points"
echo "crash-safety: $stops stop points covered"
finish
