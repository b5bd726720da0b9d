#!/bin/sh
# State entries are trusted only when vrfmgr could have made them: state_dir
# writable by others is refused whole; an entry not owned by root, or
# writable by group or others, or a symbolic link, is ignored with a
# warning.  Nothing is ever followed out of state_dir: a planted symlink
# d0 -> a folder of the test must not empty that folder.
. "$(dirname "$0")/lib.sh"

# 1. A state_dir everybody may write (as /tmp is) is refused: exit 1,
#    nothing applied.
mkdir "$T/state"
chmod 1777 "$T/state"
write_config <<X
[global]
netns_dir = /run/netns
state_dir = $T/state

[domain a]
X
vrf apply
expect_rc 1 "apply refuses a state_dir that others may write"
expect_out "state_dir $T/state is owned by uid 0 with mode 1777" "and says why"
[ -e /run/netns/a ] && fail "a namespace was made anyway" || ok "nothing applied"
vrf plan
expect_rc 1 "plan refuses it too"
chmod 0755 "$T/state"
vrf apply
expect_rc 0 "the same state_dir, once only root may write it"
vrf destroy a
expect_rc 0 "destroy a"

# 2. Entries planted in the default state_dir by somebody else.
write_config <<'X'
[domain mine]
X
vrf apply
expect_rc 0 "apply mine"
ip netns add othersvc || die "cannot make othersvc"
ip -n othersvc link add marker type veth peer name marker1 || die "cannot mark othersvc"
mkdir /run/vrfmgr/othersvc
printf 'nsfs-ino %s\n' "$(stat -L -c %i /run/netns/othersvc)" >/run/vrfmgr/othersvc/netns
chown -R 65534:65534 /run/vrfmgr/othersvc
# A record of root's, but one that others may write, is no better.
ip netns add groupw || die "cannot make groupw"
mkdir /run/vrfmgr/groupw
printf 'nsfs-ino %s\n' "$(stat -L -c %i /run/netns/groupw)" >/run/vrfmgr/groupw/netns
chmod 0666 /run/vrfmgr/groupw/netns
vrf apply --prune
expect_rc 0 "apply --prune with planted records"
expect_out 'ignoring /run/vrfmgr/othersvc: not trusted \(owner uid 65534' "the planted folder is reported"
expect_out 'ignoring /run/vrfmgr/groupw/netns: not trusted \(owner uid 0, mode 0666\)' \
	"the writable record is reported"
ip -n othersvc link show marker >/dev/null 2>&1 && ok "othersvc survives prune" ||
	fail "apply --prune destroyed othersvc on a planted record"
ip netns list | grep -q '^groupw\b' && ok "groupw survives prune" || fail "groupw destroyed"
vrf destroy othersvc
expect_rc 1 "destroy refuses othersvc"
ip -n othersvc link show marker >/dev/null 2>&1 && ok "othersvc survives destroy" ||
	fail "destroy deleted othersvc"

# 3. A symbolic link in state_dir, made by root or anybody, is never
#    followed: not by destroy, not by prune.
mkdir "$T/victim"
: >"$T/victim/netns"
: >"$T/victim/precious"
ln -s "$T/victim" /run/vrfmgr/d0
vrf destroy d0
expect_rc 1 "destroy d0 (a symlink) is refused"
[ -e "$T/victim/precious" ] && [ -e "$T/victim/netns" ] && ok "the folder it points at is intact" ||
	fail "destroy d0 deleted files in $T/victim: $(ls "$T/victim")"
vrf apply --prune
expect_rc 0 "apply --prune with the symlink"
expect_out 'ignoring /run/vrfmgr/d0: not a folder' "the symlink is reported"
[ -e "$T/victim/precious" ] && ok "prune left it intact too" || fail "prune deleted $T/victim/precious"
[ -L /run/vrfmgr/d0 ] && ok "the symlink itself is left for its owner to remove" ||
	fail "the symlink was removed"
# A symlink in place of a record file is not followed either.
ip netns add d1 || die "cannot make d1"
mkdir /run/vrfmgr/d1
ln -s "$T/victim/netns" /run/vrfmgr/d1/netns
vrf destroy d1
expect_rc 1 "destroy d1 (record is a symlink) is refused"
ip netns list | grep -q '^d1\b' && ok "d1 survives" || fail "d1 destroyed through a symlinked record"

# 4. The plugins' records go through the same reader: a sysctl.orig or a
#    link-nics that others may write is ignored, so it can neither make
#    vrfmgr "restore" a value nor claim a device as a NIC it moved in.
ip netns exec mine sh -c 'echo 0 >/proc/sys/net/ipv4/ip_forward' || die "cannot set ip_forward in mine"
[ "$(ip netns exec mine cat /proc/sys/net/ipv4/ip_forward)" = 0 ] || die "ip_forward in mine is not 0"
ip -n mine link add plant0 type veth peer name plant1 || die "cannot make plant0 in mine"
printf 'net.ipv4.ip_forward=1\n' >/run/vrfmgr/mine/sysctl.orig
printf 'plant0\n' >/run/vrfmgr/mine/link-nics
chmod 0666 /run/vrfmgr/mine/sysctl.orig /run/vrfmgr/mine/link-nics
vrf plan
expect_rc 0 "plan with planted plugin records finds nothing to do"
expect_out 'ignoring /run/vrfmgr/mine/sysctl.orig: not trusted' "the planted sysctl.orig is reported"
expect_out 'ignoring /run/vrfmgr/mine/link-nics: not trusted' "the planted link-nics is reported"
vrf apply
expect_rc 0 "apply with planted plugin records"
[ "$(ip netns exec mine cat /proc/sys/net/ipv4/ip_forward)" = 0 ] &&
	ok "no value 'restored' from a planted record" || fail "ip_forward was set from a planted record"
ip -n mine link show plant0 >/dev/null 2>&1 && ok "plant0 stays where it is" ||
	fail "plant0 was moved out of mine on a planted record"
rm -f /run/vrfmgr/mine/sysctl.orig /run/vrfmgr/mine/link-nics

# vrfmgr's own entries are still trusted.
vrf destroy mine
expect_rc 0 "destroy mine"
finish
