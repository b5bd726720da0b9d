#!/bin/sh
# Machine-readable output: plan, apply, audit and status --json are one JSON
# document each; status --dot is Graphviz with the veth pairs as edges; exit
# codes follow DESIGN.md (0 in sync, 2 changes/drift, 1 error).
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "python3 is needed to parse the JSON"

write_config <<'X'
[domain a]
link = up type veth peer a-up
link = lan type veth peer wan peer-netns b
address = 10.0.0.1/24 dev lan
route = 10.50.0.0/16 via 10.0.0.2
[domain b]
address = 10.0.0.2/24 dev wan
X
json() { # FILE PYTHON-EXPR: the expression over the parsed document `d` must be true
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"
}

"$VRFMGR" -c "$T/vrfmgr.ini" --json plan >"$T/plan.json"; RC=$?
expect_rc 2 "plan --json with changes"
json "$T/plan.json" 'any(c["kind"]=="route" and c["op"]=="add" and c["domain"]=="a" and c["object"]=="10.50.0.0/16 via 10.0.0.2" and c["line"]>0 for c in d["changes"])' &&
	ok "plan JSON has the route with its line" || { fail "plan JSON"; cat "$T/plan.json"; }

"$VRFMGR" -c "$T/vrfmgr.ini" --json apply >"$T/apply.json"; RC=$?
expect_rc 0 "apply --json"
json "$T/apply.json" 'len(d["changes"]) > 0' && ok "apply JSON lists what it did" || { fail "apply JSON"; cat "$T/apply.json"; }

"$VRFMGR" -c "$T/vrfmgr.ini" --json plan >"$T/plan2.json"; RC=$?
expect_rc 0 "plan --json in sync"
json "$T/plan2.json" 'd["changes"] == [] and d["count"] == 0' && ok "empty plan JSON" || fail "plan2 JSON"

"$VRFMGR" -c "$T/vrfmgr.ini" --json status >"$T/status.json"; RC=$?
expect_rc 0 "status --json"
json "$T/status.json" '[x["domain"] for x in d["domains"]] == ["a","b"] and all(x["state"]=="in-sync" for x in d["domains"])' &&
	ok "status JSON: both domains in sync" || { fail "status JSON"; cat "$T/status.json"; }

ip -n a route del 10.50.0.0/16
"$VRFMGR" -c "$T/vrfmgr.ini" --json audit >"$T/audit.json"; RC=$?
expect_rc 2 "audit --json sees drift"
json "$T/audit.json" 'd["in_sync"] == False and any("+ route 10.50.0.0/16" in x for dom in d["domains"] for x in dom["drift"])' &&
	ok "audit JSON names the missing route" || { fail "audit JSON"; cat "$T/audit.json"; }

vrf status
expect_out '^a +present +owned +drift' "status text shows drift"

vrf status --dot
expect_rc 0 "status --dot"
expect_out '^digraph vrfmgr' "dot output is a digraph"
expect_out '"a/lan".*"b/wan"|"b/wan".*"a/lan"' "the veth pair a/lan - b/wan is an edge"
expect_out '"a/up".*"host/a-up"|"host/a-up".*"a/up"' "the uplink to the host is an edge"
if command -v dot >/dev/null; then
	dot -Tsvg "$T/out" >/dev/null && ok "graphviz accepts it" || fail "dot rejects the output"
fi
finish
