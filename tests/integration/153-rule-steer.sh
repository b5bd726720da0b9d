#!/bin/sh
# A policy rule and a route in its table steer traffic: packets from
# 10.9.0.1 leave through site2, everything else through site1.  Proven with
# ping to an address only site2 has.  Foreign rules survive; a rule that
# leaves the file goes, and the steering stops.
#
#   site1: wan 10.1.0.2/24, lo 192.0.2.1 ---- lan1 10.1.0.1/24 +
#                                                              cust (lo 10.9.0.1)
#   site2: wan 10.2.0.2/24, lo 192.0.2.2 ---- lan2 10.2.0.1/24 +
#   cust: main: 192.0.2.0/24 via site1; table 100: 192.0.2.0/24 via site2
#         rule: from 10.9.0.1 table 100 priority 1000
. "$(dirname "$0")/lib.sh"

cfg() { # extra lines for [domain cust]
	write_config <<X
[domain cust]
link = lan1 type veth peer wan peer-netns site1
link = lan2 type veth peer wan peer-netns site2
address = 10.1.0.1/24 dev lan1
address = 10.2.0.1/24 dev lan2
address = 10.9.0.1/32 dev lo
address = 2001:db8:9::1/128 dev lo
route = 192.0.2.0/24 via 10.1.0.2
route = 192.0.2.0/24 via 10.2.0.2 table 100
$1
[domain site1]
address = 10.1.0.2/24 dev wan
address = 192.0.2.1/32 dev lo
route = default via 10.1.0.1
[domain site2]
address = 10.2.0.2/24 dev wan
address = 192.0.2.2/32 dev lo
route = default via 10.2.0.1
X
}
cfg "rule = from 10.9.0.1 table 100 priority 1000
rule = family inet6 from 2001:db8:9::/48 iif lo prohibit priority 1001"

vrf plan
expect_rc 2 "plan"
expect_out '^cust  \+ rule from 10\.9\.0\.1/32 table 100 priority 1000$' "plan line of the rule"
expect_out '^cust  \+ rule from 2001:db8:9::/48 iif lo prohibit priority 1001$' "plan line of an IPv6 rule"
vrf apply
expect_rc 0 "apply"

ip -n cust rule show | grep -Eq '^1000:[[:space:]]+from 10\.9\.0\.1 lookup 100 proto (250|vrfmgr)' &&
	ok "the rule is in the kernel with vrfmgr's protocol" || fail "rules: $(ip -n cust rule show)"
ip -n cust -6 rule show | grep -Eq '^1001:[[:space:]]+from 2001:db8:9::/48 iif lo prohibit proto (250|vrfmgr)' &&
	ok "the IPv6 rule is in the kernel" || fail "IPv6 rules: $(ip -n cust -6 rule show)"

from9() { ip netns exec cust ping -n -q -c 1 -W 1 -I 10.9.0.1 "$1" >/dev/null 2>&1; }
from9 192.0.2.2 && ok "from 10.9.0.1, 192.0.2.2 (site2 only) answers: the rule steers to table 100" ||
	fail "from 10.9.0.1 to 192.0.2.2 failed"
from9 192.0.2.1 && fail "from 10.9.0.1, 192.0.2.1 (site1 only) answered: not steered" ||
	ok "from 10.9.0.1, 192.0.2.1 (site1 only) is unreachable: traffic went to site2"
ping_ok cust 192.0.2.1 "without the source, the main table sends to site1"
ping_fails cust 192.0.2.2 "without the source, 192.0.2.2 is not reachable"

vrf plan
expect_rc 0 "plan after apply: in sync"

# A foreign rule (no protocol, or another one) is never touched.
ip -n cust rule add from 10.8.0.0/16 table 5 pref 500
ip -n cust rule add from 10.7.0.0/16 table 5 pref 1000 proto static
vrf plan
expect_rc 0 "foreign rules are not in the plan"

# Drift: our rule now points at another table.
ip -n cust rule del pref 1000 from 10.9.0.1 table 100
ip -n cust rule add pref 1000 from 10.9.0.1 table 200 proto 250
vrf plan
expect_rc 2 "plan notices the rule's table changed"
expect_out '^cust  ~ rule from 10\.9\.0\.1/32 table 100 priority 1000 \(was: from 10\.9\.0\.1/32 table 200 priority 1000\)  ! rule removed and added again$' \
	"plan shows the change"
vrf apply
expect_rc 0 "apply repairs it"
ip -n cust rule show | grep -Eq '^1000:[[:space:]]+from 10\.9\.0\.1 lookup 100 ' && ok "rule points at table 100 again" ||
	fail "rules: $(ip -n cust rule show)"
from9 192.0.2.2 && ok "steering works again" || fail "steering broken after repair"

# The rule leaves the file.
cfg ""
vrf plan
expect_out '^cust  - rule from 10\.9\.0\.1/32 table 100 priority 1000  ! rule removed$' "plan deletes the rule that left the file"
vrf apply
expect_rc 0 "apply"
ip -n cust rule show | grep -q 'from 10.9.0.1 ' && fail "rule still there: $(ip -n cust rule show)" ||
	ok "our rule is gone"
ip -n cust rule show | grep -q 'from 10.8.0.0/16 lookup 5' && ok "foreign rule without protocol survives" ||
	fail "foreign rule gone: $(ip -n cust rule show)"
ip -n cust rule show | grep -q 'from 10.7.0.0/16 lookup 5 proto static' && ok "foreign proto static rule at our priority survives" ||
	fail "foreign static rule gone: $(ip -n cust rule show)"
from9 192.0.2.2 && fail "still steered without the rule" || ok "without the rule, 10.9.0.1's traffic is no longer steered"

finish
