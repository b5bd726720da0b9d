. "$TOP/tests/integration/lib.sh"
write_config <<'X'
[domain we]
link = we0 type veth peer we0-host
address = 10.7.0.1/24 dev we0
address = 2001:db8::1/64 dev we0
route = 10.8.0.0/16 via 10.7.0.254
sysctl = net.ipv4.ip_forward=1
X
strace -f -e trace=setns -o $T/strace "$VRFMGR" -c "$T/vrfmgr.ini" watch --interval 300 >"$T/watch.log" 2>&1 &
pid=$!
sleep 6
echo "setns calls: $(grep -c setns $T/strace)"
sleep 4
echo "setns calls after 10s: $(grep -c setns $T/strace)"
kill $pid; wait
cat $T/watch.log
