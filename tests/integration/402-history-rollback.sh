#!/bin/sh
# history keeps one entry per apply that changed something, with a copy of
# every file the configuration consisted of (main file, a drop-in named by
# an absolute include, an nft file named relative to the main file), so
# rollback restores an older entry after those files changed; rollback
# --dry-run is a plan (exit 2 when it would change); history_keep drops the
# oldest; an untrusted history_dir is refused.
#
#   [a] a0 192.0.2.1 ---veth--- b0 192.0.2.ADDR [b]
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/conf.d"
cat >"$T/vrfmgr.ini" <<X
[global]
netns_dir = /run/netns
history_dir = $T/history
history_keep = 3
include = $T/conf.d/*.ini
[domain a]
link = a0 type veth peer b0 peer-netns b
address = 192.0.2.1/24 dev a0
nft_file = fw.nft
X
version() { # ADDR POLICY: b's address in the drop-in, a's answer to pings
	printf '[domain b]\naddress = 192.0.2.%s/24 dev b0\n' "$1" >"$T/conf.d/b.ini"
	cat >"$T/fw.nft" <<X
table inet filter {
	chain input {
		type filter hook input priority filter; policy accept;
		icmp type echo-request counter $2
	}
}
X
	chmod 0644 "$T/vrfmgr.ini" "$T/conf.d/b.ini" "$T/fw.nft"
}

version 2 accept
vrf apply
expect_rc 0 "v1 applied"
ping_ok b 192.0.2.1 "v1: b pings a"
version 3 drop
vrf apply
expect_rc 0 "v2 applied (other drop-in address, a firewall that drops pings)"
ping_fails b 192.0.2.1 "v2: a drops pings"
ping_ok a 192.0.2.3 "v2: b is at .3"

vrf history
expect_rc 0 "history"
expect_out '^1 +[0-9T:+-]+  .+ applied +[0-9]+  apply$' "entry 1: applied by apply"
expect_out '^2 +[0-9T:+-]+  .+ applied +[0-9]+  apply$' "entry 2"
"$VRFMGR" -c "$T/vrfmgr.ini" history --json >"$T/out" 2>&1; RC=$?
expect_rc 0 "history --json"
expect_out '^\{"entries":\[\{"id":1,"time":"[^"]+","user":"[^"]+","command":"apply","result":"applied","changes":[0-9]+\},\{"id":2,' \
	"history --json lists both entries"
vrf history show 1
expect_rc 0 "history show 1"
expect_out "^### $T/vrfmgr.ini\$" "it shows the main file"
expect_out "^### $T/conf.d/b.ini\$" "the drop-in"
expect_out '^address = 192\.0\.2\.2/24 dev b0$' "with entry 1's address"
expect_out "^### $T/fw.nft\$" "and the nft file"
expect_out 'icmp type echo-request counter accept' "with entry 1's rule"

vrf rollback 1 --dry-run
expect_rc 2 "rollback 1 --dry-run would change things"
expect_out '^b  - address 192\.0\.2\.3/24 dev b0' "its plan removes v2's address"
expect_out '^b  \+ address 192\.0\.2\.2/24 dev b0' "and puts v1's back"
ping_ok a 192.0.2.3 "a dry run changes nothing"
vrf rollback 1
expect_rc 0 "rollback 1"
ping_ok b 192.0.2.1 "v1's firewall is back: b pings a"
ping_ok a 192.0.2.2 "v1's address is back (.2)"
ping_fails a 192.0.2.3 "and v2's is gone (.3)"
vrf rollback 1 --dry-run
expect_rc 0 "rollback 1 --dry-run now finds nothing"
vrf plan
expect_rc 2 "the files on disk (v2) differ from what is in force"
vrf history
expect_out '^3 .* applied +[0-9]+  rollback 1$' "the rollback is entry 3"

vrf apply
expect_rc 0 "v2 again (entry 4)"
vrf history
expect_no_out '^1 ' "history_keep = 3 dropped entry 1"
expect_out '^4 ' "and kept entry 4"
vrf history show 1
expect_rc 1 "history show of a dropped entry"
vrf rollback 9
expect_rc 1 "rollback of an entry that does not exist"
expect_out 'no entry 9' "says which"

chmod 0777 "$T/history"
vrf history
expect_rc 1 "a history_dir others may write is refused"
expect_out 'writable by group or others' "and says why"
vrf apply
expect_rc 1 "apply refuses it too"
chmod 0700 "$T/history"
finish
