#!/bin/sh
# The manual pages: mandoc -Tlint -Wstyle must have nothing to say about
# them, and the SYNOPSIS of vrfmgr.8 must name every command that
# `vrfmgr --help` lists, so the two cannot drift apart.
#
# Two kinds of mandoc message are about this machine, not about our pages,
# and do not fail the test: "outdated mandoc.db lacks X entry" (no
# makewhatis database for the system's pages) and "referenced manual not
# found" for one of the other packages' pages we mean to cite (EXTERNAL),
# when that package's manual is not installed here (Debian images often drop
# /usr/share/man).  Any other missing reference is a typo and fails; our own
# pages are put into a private manpath first, so references to them are
# always checked.
set -u
cd "$(dirname "$0")/../.." || exit 1
: "${VRFMGR:=vrfmgr/vrfmgr}"
fails=0
EXTERNAL="glob(7) ip(8) ip-address(8) ip-netns(8) ip-route(8) ip-rule(8) nft(8)
	  sysctl(8) systemd(1) systemd.exec(5) systemd.service(5) systemd.unit(5)"
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

command -v mandoc >/dev/null 2>&1 || { echo "SKIP: mandoc is not installed (make deps)"; exit 77; }

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/man/man5" "$tmp/man/man8"
cp docs/*.5 "$tmp/man/man5/" && cp docs/*.8 "$tmp/man/man8/" || exit 1
makewhatis "$tmp/man" >/dev/null 2>&1

# A trailing colon appends the system's default manpath to ours.
MANPATH="$tmp/man:" mandoc -Tlint -Wstyle docs/*.[58] >"$tmp/lint" 2>&1
: >"$tmp/bad"
while IFS= read -r line; do
	case $line in
	*"outdated mandoc.db lacks"*) continue ;;
	*"referenced manual not found: Xr "*)
		ref=${line##*Xr }
		ref=${ref%% (*}
		name=${ref% *} sec=${ref##* }
		case " $(echo $EXTERNAL) " in
		*" $name($sec) "*)
			echo "note: $name($sec) is not installed here; reference not checked" ;;
		*)	echo "$line" >>"$tmp/bad" ;;
		esac
		continue ;;
	esac
	echo "$line" >>"$tmp/bad"
done <"$tmp/lint"
if [ -s "$tmp/bad" ]; then
	fail "mandoc -Tlint -Wstyle docs/*.[58]:"
	sed 's/^/    | /' "$tmp/bad"
else
	ok "mandoc -Tlint -Wstyle is clean for $(ls docs/*.[58] | tr '\n' ' ')"
fi

# The SYNOPSIS as a reader sees it, one word a line.
MANPATH="$tmp/man:" mandoc -Tascii docs/vrfmgr.8 | col -b |
	sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | tr -s ' \t[]|.' '\n' >"$tmp/synopsis"
if [ ! -s "$tmp/synopsis" ]; then
	fail "vrfmgr.8 has no SYNOPSIS"
fi

case $VRFMGR in /*) ;; *) VRFMGR=$(pwd)/$VRFMGR ;; esac
if [ ! -f "$VRFMGR" ] || [ ! -x "$VRFMGR" ]; then
	echo "skip: $VRFMGR is not built; SYNOPSIS not compared with --help"
else
	"$VRFMGR" --help >"$tmp/help" 2>&1
	# Commands are the indented lines of --help whose first word is a
	# lower-case name; options start with '-'.
	sed -n 's/^[[:space:]]\{1,\}\([a-z][a-z-]*\)\([[:space:]].*\)\{0,1\}$/\1/p' "$tmp/help" |
		sort -u >"$tmp/commands"
	if [ ! -s "$tmp/commands" ]; then
		fail "no command found in the output of vrfmgr --help"
		sed 's/^/    | /' "$tmp/help"
	fi
	while read -r c; do
		if grep -qx -- "$c" "$tmp/synopsis"; then
			ok "SYNOPSIS names '$c'"
		else
			fail "vrfmgr --help lists '$c' but the SYNOPSIS of vrfmgr.8 does not"
		fi
	done <"$tmp/commands"
fi

[ "$fails" = 0 ] && echo PASS && exit 0
echo "FAILED: $fails check(s)"
exit 1
