#!/bin/sh
# An external plugin through the loader: build/plugins/neigh.so adds the
# "neigh" key (permanent ARP/NDP entries stamped with route_protocol).  Proven
# with packets: a wrong lladdr makes ping fail, the right one makes it work.
# Entries without vrfmgr's protocol (learnt, or added with ip) are left alone.
#
#   [n1] v1 10.9.0.1/24 ---- veth ---- v1p 10.9.0.2/24 [n2]
. "$(dirname "$0")/lib.sh"

SO=${VRF_PLUGIN_BUILD:-$TOP/build/plugins}/neigh.so
case "$SO" in /*) ;; *) SO=$TOP/$SO ;; esac
[ -f "$SO" ] || skip "neigh.so not built ($SO); run make"
mkdir -m 0755 "$T/plugins" && cp "$SO" "$T/plugins/" && chmod 0644 "$T/plugins/neigh.so"

config() { # NEIGH-LINES...
	{
		printf '[global]\nnetns_dir = /run/netns\nplugin_dir = %s\n\n' "$T/plugins"
		printf '[domain n1]\nlink = v1 type veth peer v1p peer-netns n2\naddress = 10.9.0.1/24 dev v1\n'
		for l in "$@"; do printf 'neigh = %s\n' "$l"; done
		printf '[domain n2]\naddress = 10.9.0.2/24 dev v1p\n'
	} | write_config
}

config
vrf check
expect_rc 0 "check without neigh lines"
if grep -q 'unknown key "link"' "$T/out"; then skip "no link plugin in this build"; fi
vrf apply
expect_rc 0 "apply the topology"
ping_ok n1 10.9.0.2 "n1 reaches n2 (learnt ARP)"
MAC=$(ip -n n2 -br link show v1p | awk '{print $3}')
ip -n n1 neigh flush dev v1

config "10.9.0.2 lladdr 02:00:00:00:00:99 dev v1"
vrf plan
expect_rc 2 "plan with a neigh line"
expect_out '^n1  \+ neigh 10\.9\.0\.2 lladdr 02:00:00:00:00:99 dev v1$' "plan line reads like the file"
vrf apply
expect_rc 0 "apply the neigh entry"
ip -n n1 neigh show 10.9.0.2 dev v1 >"$T/out"
expect_out '02:00:00:00:00:99 .*PERMANENT' "entry is permanent with the given lladdr"
ip -n n1 -d neigh show 10.9.0.2 dev v1 | grep -q 'proto' && { ip -n n1 -d neigh show 10.9.0.2 dev v1 >"$T/out"; expect_out 'proto (250|vrfmgr)' "entry carries vrfmgr's protocol"; }
ping_fails n1 10.9.0.2 "a wrong lladdr sends the packets nowhere"
vrf apply
expect_rc 0 "second apply"
[ -s "$T/out" ] && fail "second apply printed: $(cat "$T/out")" || ok "second apply changes nothing"

config "10.9.0.2 lladdr $MAC dev v1" "2001:db8:9::2 lladdr $MAC dev v1"
vrf plan
expect_rc 2 "plan a changed lladdr"
expect_out "^n1  ~ neigh 10\\.9\\.0\\.2 lladdr 02:00:00:00:00:99 -> $MAC dev v1\$" "change shown old -> new"
vrf apply
expect_rc 0 "apply the right lladdr"
ping_ok n1 10.9.0.2 "the right lladdr carries the ping"
ip -n n1 -6 neigh show 2001:db8:9::2 dev v1 >"$T/out"
expect_out "$MAC .*PERMANENT" "IPv6 entry too"

# Drift: an entry of ours changed behind vrfmgr's back.
ip -n n1 neigh replace 10.9.0.2 lladdr 02:00:00:00:00:77 dev v1 nud permanent proto 250
vrf plan
expect_rc 2 "drift seen"
vrf apply
expect_rc 0 "drift repaired"
ip -n n1 neigh show 10.9.0.2 dev v1 >"$T/out"
expect_out "$MAC" "lladdr restored"

# A foreign permanent entry (no protocol) is not vrfmgr's.
ip -n n1 neigh add 10.9.0.50 lladdr 02:00:00:00:00:50 dev v1 nud permanent
config "10.9.0.2 lladdr $MAC dev v1"
vrf plan
expect_out '^n1  - neigh 2001:db8:9::2 .*  ! static neighbour entry removed$' \
	"the plan marks the removal with the external plugin's reason"
vrf apply
expect_rc 0 "apply without the IPv6 entry"
expect_out '^n1  - neigh 2001:db8:9::2 ' "our IPv6 entry removed"
expect_no_out '10\.9\.0\.50' "foreign entry not in the plan"
ip -n n1 neigh show 10.9.0.50 dev v1 >"$T/out"
expect_out '02:00:00:00:00:50' "foreign entry survives"
ip -n n1 -6 neigh show 2001:db8:9::2 dev v1 | grep -q PERMANENT && fail "IPv6 entry still permanent" || ok "IPv6 entry gone"

# Refusals of the plugin's own grammar and cross-references.
config "10.9.0.2 lladdr 02:00:00:00:00:99 dev nosuch"
vrf check
expect_rc 1 "neigh on an undeclared device"
expect_out "^$T/vrfmgr.ini:8: neigh: dev nosuch is not a link of domain n1\$" "FILE:LINE and reason"
config "10.9.0.2 lladdr 02:00:00:00:99 dev v1"
vrf check
expect_rc 1 "bad lladdr"
expect_out 'neigh: lladdr "02:00:00:00:99" is not a MAC address' "lladdr named"
config "10.9.0.2 dev v1"
vrf check
expect_rc 1 "missing lladdr"
expect_out 'neigh 10\.9\.0\.2: needs both lladdr MAC and dev NAME' "missing lladdr named"
finish
