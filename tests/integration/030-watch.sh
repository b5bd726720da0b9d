#!/bin/sh
# watch: applies at start, repairs drift that netlink reports (well before
# its interval), reloads the file on SIGHUP, keeps the old file when the new
# one is refused, and exits cleanly on SIGTERM.
. "$(dirname "$0")/lib.sh"

write_config <<'X'
[domain w]
link = w0 type veth peer w0-host
address = 10.7.0.1/24 dev w0
route = 10.8.0.0/16 via 10.7.0.254
X
"$VRFMGR" -c "$T/vrfmgr.ini" watch --interval 600 >"$T/watch.log" 2>&1 &
pid=$!

wait_for() { # SECONDS COMMAND...: poll until COMMAND succeeds
	n=$(($1 * 10)); shift
	while [ $n -gt 0 ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; n=$((n - 1)); done
	return 1
}
route_there() { ip -n w route show "$1" | grep -q "$2"; }

wait_for 10 route_there 10.8.0.0/16 10.7.0.254 && ok "watch applied the file at start" ||
	fail "nothing applied: $(cat "$T/watch.log")"

ip -n w route del 10.8.0.0/16
wait_for 5 route_there 10.8.0.0/16 10.7.0.254 && ok "a route deleted behind its back is back within 5 s" ||
	fail "drift not repaired"

cat >>"$T/vrfmgr.ini" <<'X'
route = 10.9.0.0/16 via 10.7.0.254
X
kill -HUP $pid
wait_for 5 route_there 10.9.0.0/16 10.7.0.254 && ok "SIGHUP reloads the file" || fail "reload did not apply"

printf 'bogus line\n' >>"$T/vrfmgr.ini"
kill -HUP $pid
sleep 1
kill -0 $pid 2>/dev/null && ok "a refused file does not stop watch" || fail "watch died on a bad file"
grep -q 'refused; keeping the previous configuration' "$T/watch.log" && ok "and it says it kept the old one" ||
	fail "no message about the refused file: $(cat "$T/watch.log")"
ip -n w route del 10.9.0.0/16
wait_for 5 route_there 10.9.0.0/16 10.7.0.254 && ok "the previous file is still enforced" || fail "old config lost"

kill -TERM $pid
wait $pid
rc=$?
[ $rc = 0 ] && ok "SIGTERM: clean exit" || fail "watch exited $rc"
finish
