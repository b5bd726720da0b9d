#!/bin/sh
# File order is not dependency order: a domain early in the file may need a
# device that a later domain creates (here a macvlan on the host end of a
# veth declared further down).  The engine gives failed creations a second
# chance once the rest of the stage has run, so one apply is enough.
. "$(dirname "$0")/lib.sh"
has_link_kind macvlan || skip "kernel has no macvlan link kind"

write_config <<'X'
[domain early]
link = mv0 type macvlan parent late-up mode bridge
address = 10.20.0.2/24 dev mv0
[domain late]
link = up type veth peer late-up
address = 10.20.0.1/24 dev up
X
vrf apply
expect_rc 0 "one apply, although the parent comes later in the file"
ip -n early link show mv0 >/dev/null 2>&1 && ok "the macvlan exists" || fail "no mv0 in early"
ping_ok early 10.20.0.1 "early reaches late through the macvlan on late's veth"
vrf plan
expect_rc 0 "nothing left to do"
finish
