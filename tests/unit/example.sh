#!/bin/sh
# vrfmgr.ini.example must pass `vrfmgr check` as shipped, with the nft files
# it names, and the EXAMPLES of vrfmgr.ini.5 must quote it faithfully.
#
# check refuses a file that group or others may write (like sshd's
# StrictModes).  git records only 0644 versus 0755, so a checkout made under
# umask 002 gives 0664 files: then the test says so and checks a 0644 copy
# of the example tree, since that is what an install makes.
set -u
cd "$(dirname "$0")/../.." || exit 1
: "${VRFMGR:=vrfmgr/vrfmgr}"
case $VRFMGR in /*) ;; *) VRFMGR=$(pwd)/$VRFMGR ;; esac
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# Every nft_file the example names must exist, relative to the example.
nft_files=$(sed -n 's/^[[:space:]]*nft_file[[:space:]]*=[[:space:]]*\([^[:space:];]*\).*/\1/p' \
	vrfmgr.ini.example)
[ -n "$nft_files" ] || fail "vrfmgr.ini.example names no nft_file"
for f in $nft_files; do
	case $f in
	/*) fail "nft_file $f is absolute; the example must work from the source tree" ;;
	*) if [ -f "$f" ]; then ok "nft_file $f exists"; else fail "nft_file $f is missing"; fi ;;
	esac
done

# Mode in git: 100644 for the example and its nft files.
if git rev-parse --git-dir >/dev/null 2>&1; then
	for f in vrfmgr.ini.example $nft_files; do
		mode=$(git ls-files -s -- "$f" | cut -d' ' -f1)
		case $mode in
		100644) ok "$f has mode 0644 in git" ;;
		"") echo "note: $f is not in git yet" ;;
		*) fail "$f has mode $mode in git, wanted 100644" ;;
		esac
	done
fi

# Every key line in the EXAMPLES of vrfmgr.ini.5 that looks like the
# example's must be a line of the example, so the manual does not drift.
mandoc -Tascii docs/vrfmgr.ini.5 2>/dev/null | col -b |
	sed -n '/^EXAMPLES/,/^SEE ALSO/p' |
	sed -n 's/^[[:space:]]*\([a-z_]\{1,\} = .*\)$/\1/p' >"$tmp/manlines"
if ! command -v mandoc >/dev/null 2>&1; then
	echo "note: mandoc is not installed; EXAMPLES not compared"
elif [ ! -s "$tmp/manlines" ]; then
	fail "no key lines found in the EXAMPLES of vrfmgr.ini.5"
else
	sed 's/^[[:space:]]*//; s/[[:space:]]*$//' vrfmgr.ini.example >"$tmp/example"
	# The last three lines of EXAMPLES show kinds this sandbox lacks; they
	# appear commented out in the example.
	sed 's/^;[[:space:]]*//' "$tmp/example" >"$tmp/uncommented"
	cat "$tmp/uncommented" >>"$tmp/example"
	missing=0
	while IFS= read -r l; do
		if ! grep -qxF -- "$l" "$tmp/example"; then
			fail "vrfmgr.ini.5 EXAMPLES line not in vrfmgr.ini.example: $l"
			missing=$((missing + 1))
		fi
	done <"$tmp/manlines"
	[ "$missing" = 0 ] && ok "the $(wc -l <"$tmp/manlines") key lines of EXAMPLES in vrfmgr.ini.5 are in vrfmgr.ini.example"
fi

if [ ! -f "$VRFMGR" ] || [ ! -x "$VRFMGR" ]; then
	echo "SKIP: $VRFMGR is not built"
	[ "$fails" = 0 ] && exit 77
	exit 1
fi

dir=.
if [ -n "$(find vrfmgr.ini.example $nft_files -perm /022 2>/dev/null)" ]; then
	echo "note: the checkout's files are group- or world-writable (made under a umask like 002); checking a 0644 copy"
	mkdir -p "$tmp/copy"
	for f in vrfmgr.ini.example $nft_files; do
		mkdir -p "$tmp/copy/$(dirname "$f")" && cp "$f" "$tmp/copy/$f" &&
			chmod 0644 "$tmp/copy/$f"
	done
	dir=$tmp/copy
fi

(cd "$dir" && "$VRFMGR" -c vrfmgr.ini.example check) >"$tmp/out" 2>&1
rc=$?
if [ "$rc" = 0 ]; then
	ok "vrfmgr -c vrfmgr.ini.example check (exit 0)"
else
	fail "vrfmgr -c vrfmgr.ini.example check: exit $rc, wanted 0"
	sed 's/^/    | /' "$tmp/out"
fi

# From another directory too: nft_file paths are relative to the example,
# not to the current directory.
absdir=$(cd "$dir" && pwd)
(cd / && "$VRFMGR" -c "$absdir/vrfmgr.ini.example" check) >"$tmp/out" 2>&1
rc=$?
if [ "$rc" = 0 ]; then
	ok "check from / with an absolute -c path (exit 0)"
else
	fail "check from /: exit $rc, wanted 0"
	sed 's/^/    | /' "$tmp/out"
fi

# The short example in the README must pass check as well.  It names the
# example's nft file, so it is checked next to a copy of conf/example.
mkdir -p "$tmp/readme/conf/example"
cp conf/example/*.nft "$tmp/readme/conf/example/" && chmod 0644 "$tmp"/readme/conf/example/*
sed -n '/^A short example/,/^`address`/p' README | sed -n 's/^    //p' |
	sed '/^# vrfmgr/,$d' >"$tmp/readme/vrfmgr.ini"
chmod 0644 "$tmp/readme/vrfmgr.ini"
if ! grep -q '^\[domain ' "$tmp/readme/vrfmgr.ini"; then
	fail "no example config found in README under \"A short example\""
elif "$VRFMGR" -c "$tmp/readme/vrfmgr.ini" check >"$tmp/out" 2>&1; then
	ok "the README's short example passes check"
else
	fail "the README's short example fails check"
	sed 's/^/    | /' "$tmp/out"
fi

[ "$fails" = 0 ] && echo PASS && exit 0
echo "FAILED: $fails check(s)"
exit 1
