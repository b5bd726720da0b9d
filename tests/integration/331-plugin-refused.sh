#!/bin/sh
# Broken external plugins are refused with a clear error, never a crash: a
# wrong ABI version, a missing entry symbol, an entry that returns NULL, a
# file that is no shared object, an unresolved symbol, a key that belongs to
# a built-in, and files or folders that anyone but root may write.  The
# shared objects are built here from small C snippets.
. "$(dirname "$0")/lib.sh"

CC=${CC:-cc}
command -v "$CC" >/dev/null 2>&1 || skip "no C compiler to build the test plugins"

# plugin_with NAME C-SOURCE: a folder $T/NAME holding NAME.so built from it.
plugin_with() {
	mkdir -m 0755 "$T/$1"
	printf '%s\n' "$2" >"$T/$1.c"
	"$CC" -shared -fPIC -I"$TOP/vrfmgr" -o "$T/$1/$1.so" "$T/$1.c" 2>"$T/cc.log" ||
		die "cannot build $1.so: $(cat "$T/cc.log")"
	chmod 0644 "$T/$1/$1.so"
}

# refused NAME EXPECTED-REGEX DESCRIPTION: check with plugin_dir = $T/NAME.
refused() {
	printf '[global]\nnetns_dir = /run/netns\nplugin_dir = %s\n\n[domain a]\nsysctl = net.ipv4.ip_forward=1\n' \
		"$T/$1" | write_config
	vrf check
	expect_rc 1 "$3: refused"
	expect_out "$2" "$3: reason given"
	expect_no_out 'AddressSanitizer|runtime error|Segmentation' "$3: no crash"
	vrf apply
	expect_rc 1 "$3: apply refuses too"
	[ -e /run/netns/a ] && fail "$3: something was applied" || ok "$3: nothing applied"
}

plugin_with abi999 '
struct fake { unsigned abi; const char *name; };
static const struct fake p = { 999, "bad" };
const void *vrf_plugin_entry(void) { return &p; }'
refused abi999 "^$T/vrfmgr.ini:3: plugin $T/abi999/abi999.so: ABI version 999, but this vrfmgr speaks 3\$" "ABI mismatch"

# ABI 1 had no disruptive() slot at the end of struct vrf_plugin: reading it
# from such a plugin would read past its table.
plugin_with abi1 '
struct fake { unsigned abi; const char *name; };
static const struct fake p = { 1, "old" };
const void *vrf_plugin_entry(void) { return &p; }'
refused abi1 "^$T/vrfmgr.ini:3: plugin $T/abi1/abi1.so: ABI version 1, but this vrfmgr speaks 3\$" "a plugin of ABI 1"

# ABI 2 had no metrics() slot after disruptive(): the same again.
plugin_with abi2 '
struct fake { unsigned abi; const char *name; };
static const struct fake p = { 2, "old" };
const void *vrf_plugin_entry(void) { return &p; }'
refused abi2 "^$T/vrfmgr.ini:3: plugin $T/abi2/abi2.so: ABI version 2, but this vrfmgr speaks 3\$" "a plugin of ABI 2"

plugin_with nosym '
int not_the_entry(void) { return 1; }'
refused nosym "^$T/vrfmgr.ini:3: plugin $T/nosym/nosym.so: no symbol vrf_plugin_entry; is it a vrfmgr plugin\\?\$" "missing symbol"

plugin_with nullentry '
const void *vrf_plugin_entry(void) { return 0; }'
refused nullentry "plugin $T/nullentry/nullentry.so: entry point returned no plugin" "entry returns NULL"

plugin_with unresolved '
extern int vrf_does_not_exist(void);
const void *vrf_plugin_entry(void) { vrf_does_not_exist(); return 0; }'
refused unresolved "plugin $T/unresolved/unresolved.so: cannot load it: .*undefined symbol: vrf_does_not_exist" "unresolved symbol"

mkdir -m 0755 "$T/garbage"
echo "not an ELF file" >"$T/garbage/garbage.so"
refused garbage "plugin $T/garbage/garbage.so: cannot load it: " "not a shared object"

plugin_with clash '
#include "plugin.h"
static int parse(struct vrf_config *c, struct vrf_domain *d, const struct vrf_loc *l,
		 const char *k, const char *v) { return 0; }
static const char *const keys[] = { "sysctl", 0 };
static const struct vrf_plugin p = { .abi = VRF_PLUGIN_ABI, .name = "clash", .keys = keys,
				     .stage = 50, .parse = parse };
const struct vrf_plugin *vrf_plugin_entry(void) { return &p; }'
refused clash "plugin $T/clash/clash.so: key \"sysctl\" already belongs to sysctl" "key of a built-in"

plugin_with halfway '
#include "plugin.h"
static int parse(struct vrf_config *c, struct vrf_domain *d, const struct vrf_loc *l,
		 const char *k, const char *v) { return 0; }
static int observe(struct vrf_run *r, struct vrf_ns *n, const struct vrf_domain *d,
		   struct vrf_objv *o) { return 0; }
static const char *const keys[] = { "halfway", 0 };
static const struct vrf_plugin p = { .abi = VRF_PLUGIN_ABI, .name = "halfway", .keys = keys,
				     .stage = 50, .parse = parse, .observe = observe };
const struct vrf_plugin *vrf_plugin_entry(void) { return &p; }'
refused halfway "plugin $T/halfway/halfway.so: missing apply" "observe without apply"

# Trust: the same rules as the config file.
plugin_with groupw '
const void *vrf_plugin_entry(void) { return 0; }'
chmod 0664 "$T/groupw/groupw.so"
refused groupw "$T/groupw/groupw.so: writable by group or others \\(mode 0664\\); refusing it" "group-writable plugin"

plugin_with dirw '
const void *vrf_plugin_entry(void) { return 0; }'
chmod 0777 "$T/dirw"
refused dirw "plugin_dir $T/dirw: writable by group or others \\(mode 0777\\); refusing it" "world-writable plugin_dir"

mkdir -m 0755 "$T/symlinked"
cp "${VRF_PLUGIN_BUILD:-$TOP/build/plugins}/neigh.so" "$T/real.so" 2>/dev/null || echo x >"$T/real.so"
ln -s "$T/real.so" "$T/symlinked/neigh.so"
refused symlinked "$T/symlinked/neigh.so: is a symbolic link; refusing it" "symlinked plugin"

# A named plugin_dir that does not exist is an error; hidden files and files
# not ending in .so are ignored.
printf '[global]\nnetns_dir = /run/netns\nplugin_dir = %s\n' "$T/nowhere" | write_config
vrf check
expect_rc 1 "missing plugin_dir"
expect_out "plugin_dir $T/nowhere: No such file or directory" "missing plugin_dir named"
mkdir -m 0755 "$T/ignored"
echo junk >"$T/ignored/.hidden.so"
echo junk >"$T/ignored/README"
printf '[global]\nnetns_dir = /run/netns\nplugin_dir = %s\n' "$T/ignored" | write_config
vrf check
expect_rc 0 "hidden files and non-.so files are ignored"
finish
