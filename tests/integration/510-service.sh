#!/bin/sh
# service = UNIT: vrfmgr writes and owns UNIT.d/50-vrfmgr.conf in
# systemd_unit_dir (the test's own folder, never the real /run/systemd):
# the unit joins the domain's namespace, runs after vrfmgr.service and is
# bound to it, and sees the domain's resolv.conf when the domain has dns.
# systemd-analyze verify accepts every drop-in with a tiny unit of the
# test's.  A second apply writes nothing and asks no reload; a drop-in
# whose key left the file is removed, one without vrfmgr's mark is not;
# destroy removes the domain's drop-ins.  One unit in two domains and
# invalid unit names are refused at FILE:LINE, with nothing applied.
. "$(dirname "$0")/lib.sh"

U=$T/units
mkdir -p "$U"
config() { # extra lines for domain a
	write_config <<X
[global]
netns_dir = /run/netns
systemd_unit_dir = $U
[domain a]
dns = 192.0.2.53
$1
[domain b]
service = web.service
X
}
config 'service = resolver.service
service = dhcp@lan.service'
vrf apply
expect_rc 0 "apply with three services"
expect_out '^a  \+ service resolver\.service$' "plan line for a's service"
expect_out 'systemd is not running \(no /run/systemd/system\): daemon-reload skipped|^$' \
	"the reload is skipped where systemd does not run"
if [ ! -d /run/systemd/system ]; then
	expect_out 'daemon-reload skipped' "says it skipped the reload"
fi
F=$U/resolver.service.d/50-vrfmgr.conf
[ -f "$F" ] && ok "drop-in written" || fail "no $F"
cat >"$T/want" <<X
# vrfmgr: drop-in for domain a; vrfmgr writes and removes this file.
[Unit]
After=vrfmgr.service
BindsTo=vrfmgr.service

[Service]
NetworkNamespacePath=/run/netns/a
BindReadOnlyPaths=/etc/netns/a/resolv.conf:/etc/resolv.conf
X
cmp -s "$F" "$T/want" && ok "drop-in text (with the domain's resolv.conf)" ||
	fail "drop-in: $(cat "$F")"
grep -q '^NetworkNamespacePath=/run/netns/b$' "$U/web.service.d/50-vrfmgr.conf" &&
	! grep -q BindReadOnlyPaths "$U/web.service.d/50-vrfmgr.conf" &&
	ok "b has no dns: no resolv.conf bind" || fail "web: $(cat "$U/web.service.d/50-vrfmgr.conf")"
[ -f "$U/dhcp@lan.service.d/50-vrfmgr.conf" ] && ok "an instance of a template" ||
	fail "no dhcp@lan drop-in"

# systemd-analyze verify: the units themselves (and vrfmgr.service, which
# the drop-ins name) in the test's folder, found through SYSTEMD_UNIT_PATH.
if command -v systemd-analyze >/dev/null 2>&1; then
	sed "s|/usr/sbin/vrfmgr|$VRFMGR|" "$TOP/conf/vrfmgr.service" >"$U/vrfmgr.service"
	for u in resolver web dhcp@; do
		printf '[Unit]\nDescription=test unit\n[Service]\nExecStart=/bin/true\n' >"$U/$u.service"
	done
	for u in resolver.service web.service dhcp@lan.service; do
		if SYSTEMD_UNIT_PATH=$U: systemd-analyze verify "$u" >"$T/verify" 2>&1 &&
			[ ! -s "$T/verify" ]; then
			ok "systemd-analyze verify accepts $u with its drop-in"
		elif grep -qi 'bus\|failed to initialize\|permission' "$T/verify" &&
			! grep -q '50-vrfmgr.conf' "$T/verify"; then
			echo "NOTE: systemd-analyze cannot run here ($(head -n 1 "$T/verify"));" \
				"verify of $u skipped"
		else
			fail "systemd-analyze verify $u: $(cat "$T/verify")"
		fi
	done
	# The check can fail: a drop-in with a key systemd does not know.
	cp "$F" "$T/keep"
	printf 'NetworkNamespacePat=/run/netns/a\n' >>"$F"
	SYSTEMD_UNIT_PATH=$U: systemd-analyze verify resolver.service >"$T/verify" 2>&1
	grep -q "Unknown key 'NetworkNamespacePat'" "$T/verify" &&
		ok "verify does complain about a bad drop-in (the check can fail)" ||
		fail "verify missed a bad key: $(cat "$T/verify")"
	rm -f "$U"/*.service
else
	echo "NOTE: systemd-analyze is not installed; the verify checks are skipped"
	cp "$F" "$T/keep"
	printf 'NetworkNamespacePat=/run/netns/a\n' >>"$F"
fi

# The edited drop-in is drift; apply puts it back.
vrf plan
expect_rc 2 "plan sees the edited drop-in"
expect_out '^a  ~ service resolver\.service$' "as a change of resolver.service"
vrf apply
cmp -s "$F" "$T/keep" && ok "apply restored it" || fail "drop-in: $(cat "$F")"
vrf apply
expect_rc 0 "second apply"
expect_no_out 'service|daemon-reload' "nothing written, no reload asked"

# The key leaves: the drop-in goes, and its folder when empty; a folder
# with the admin's own drop-in stays, and so does a 50-vrfmgr.conf without
# vrfmgr's mark.
printf '[Service]\nNice=5\n' >"$U/dhcp@lan.service.d/10-admin.conf"
mkdir -p "$U/foreign.service.d"
printf '[Service]\nNetworkNamespacePath=/run/netns/a\n' >"$U/foreign.service.d/50-vrfmgr.conf"
config 'service = resolver.service'
vrf apply
expect_rc 0 "apply without dhcp@lan"
expect_out '^a  - service dhcp@lan\.service$' "plan line for the removal"
[ ! -e "$U/dhcp@lan.service.d/50-vrfmgr.conf" ] && [ -f "$U/dhcp@lan.service.d/10-admin.conf" ] &&
	ok "drop-in removed, the admin's kept" || fail "dhcp@lan.service.d: $(ls "$U/dhcp@lan.service.d")"
[ -f "$U/foreign.service.d/50-vrfmgr.conf" ] && ok "an unmarked drop-in is left alone" ||
	fail "foreign drop-in removed"
# A symlinked UNIT.d is never read, so nothing behind it is deleted, even
# a file with a's mark.
mkdir "$T/outside"
cp "$T/keep" "$T/outside/50-vrfmgr.conf"
ln -s "$T/outside" "$U/evil.service.d"
vrf apply
expect_rc 0 "apply with a symlinked folder in the unit folder"
[ -f "$T/outside/50-vrfmgr.conf" ] && ok "the marked file behind the symlink is left alone" ||
	fail "vrfmgr deleted through a symlinked UNIT.d"
rm "$U/evil.service.d"
config ''
vrf apply
[ ! -e "$U/resolver.service.d" ] && ok "the last drop-in of a unit goes with its folder" ||
	fail "resolver.service.d still there"

# Refusals, with nothing applied.
ls -R "$U" >"$T/before"
write_config <<X
[global]
systemd_unit_dir = $U
[domain a]
service = one.service
[domain b]
service = one.service
X
vrf apply
expect_rc 1 "one unit in two domains"
expect_out "^$T/vrfmgr.ini:6: service \"one.service\" is already in domain a \(at $T/vrfmgr.ini:4\)" \
	"refused at FILE:LINE, naming the first"
for bad in 'x.socket' 'a/b.service' '.service' '@x.service' 'a b.service' 'a@b@c.service'; do
	write_config <<X
[global]
systemd_unit_dir = $U
[domain a]
service = $bad
X
	vrf apply
	[ "$RC" = 1 ] && grep -q "^$T/vrfmgr.ini:4: service " "$T/out" &&
		ok "\"$bad\" refused at FILE:LINE" || fail "\"$bad\": exit $RC: $(cat "$T/out")"
done
ls -R "$U" | cmp -s - "$T/before" && ok "nothing written by a refused file" ||
	fail "the unit folder changed"

# destroy takes the domain's drop-ins with it.
config 'service = resolver.service'
vrf apply
vrf destroy b
expect_rc 0 "destroy b"
[ ! -e "$U/web.service.d" ] && ok "b's drop-in removed with the domain" || fail "web drop-in left"
[ -f "$F" ] && ok "a's drop-in kept" || fail "a's drop-in removed"
finish
