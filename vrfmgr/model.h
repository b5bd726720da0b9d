/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The in-memory configuration model and the small utilities that the engine
 * and the plugins share: source locations, object lists, growing buffers,
 * word splitting, addresses, and the cross-reference name table.
 */
#ifndef VRF_MODEL_H
#define VRF_MODEL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "alloc.h"

#define VRF_DOMAIN_NAME_MAX	64
#define VRF_IFNAME_MAX		15	/* IFNAMSIZ - 1 */
#define VRF_MAX_PLUGINS		32
#define VRF_DEFAULT_CONFIG	"/etc/vrfmgr/vrfmgr.ini"
#define VRF_DEFAULT_NETNS_DIR	"/run/netns"
#define VRF_DEFAULT_STATE_DIR	"/run/vrfmgr"
#define VRF_DEFAULT_PLUGIN_DIR	"/usr/lib/vrfmgr/plugins"
#define VRF_DEFAULT_HISTORY_DIR	"/var/lib/vrfmgr/history"
#define VRF_DEFAULT_HISTORY_KEEP 100
#define VRF_DEFAULT_UNIT_DIR	"/run/systemd/system"
#define VRF_DEFAULT_PROTO	250
#define VRF_HOST		"host"

struct vrf_plugin;
struct vrf_buf;
struct vrf_names;

/* Where a thing was written.  `file` points into the config's string pool and
 * lives as long as the config. */
struct vrf_loc {
	const char *file;
	unsigned line;
};

/* Header of every plugin object. */
struct vrf_obj {
	const struct vrf_plugin *plugin;
	struct vrf_loc loc;		/* file:line, or {NULL, 0} for live objects */
};

struct vrf_objv {
	struct vrf_obj **v;
	size_t n, cap;
};

/* Append o; never fails (returns 0: the int is kept for the plugin ABI). */
int vrf_objv_push(struct vrf_objv *ov, struct vrf_obj *o);
/* Sort n objects of one kind into identity order (their plugin's
 * compare()), stably: of equal objects the earlier one stays first.
 * Objects already in order (a kernel dump, a file written in order) cost
 * one pass and no allocation. */
void vrf_objs_sort(struct vrf_obj **v, size_t n);
void vrf_objv_free(struct vrf_objv *ov);	/* frees the objects too */
void vrf_objv_clear(struct vrf_objv *ov);	/* frees only the array */
void vrf_obj_free(struct vrf_obj *o);
/* A plugin's format_change() that reads "WANT (was: HAVE)", both through the
 * plugin's format(): the plan line says what apply will replace. */
void vrf_format_was(const struct vrf_obj *want, const struct vrf_obj *have,
		    struct vrf_buf *out);

struct vrf_domain {
	char *name;			/* domain name, or "host" for [host] */
	struct vrf_loc loc;		/* the section header */
	bool is_host;
	char *description;
	struct vrf_objv objs;		/* desired objects of every kind, file order */
	void *pdata[VRF_MAX_PLUGINS];	/* per-plugin parse state (see vrf_domain_pdata) */
	/* The same objects grouped by kind and, within a kind, in identity
	 * order: built once by the loader (config.c) when every object is
	 * parsed, and read through vrf_domain_sorted() by the duplicate check,
	 * by every diff and by any plugin that wants its own objects only, so
	 * a kind is sorted once per run.  Kind i = vrf_plugin_index(p) holds
	 * sorted[kind_at[i] .. kind_at[i + 1]); n_indexed is objs.n at the
	 * time, to tell a stale index. */
	struct vrf_obj **sorted;
	size_t n_indexed;
	size_t kind_at[VRF_MAX_PLUGINS + 1];
};

struct vrf_config {
	char *path;			/* main file */
	char *netns_dir;
	char *state_dir;
	char *plugin_dir;
	char *history_dir;		/* restore points of apply (history.c) */
	unsigned history_keep;
	char *systemd_unit_dir;		/* where `service` drop-ins go */
	unsigned route_protocol;
	struct vrf_domain *host;	/* NULL when the file has no [host] */
	struct vrf_domain **domains;	/* in file order */
	size_t n_domains;
	unsigned errors;		/* diagnostics printed so far */
	char **pool;			/* strings owned by the config (file names) */
	size_t n_pool;
	struct vrf_names *names;	/* cross-reference table */
	bool quiet_errors;		/* fuzzing: count, do not print */
	/* Every file vrf_open_trusted() accepted during the load (main file,
	 * drop-ins, nft files, hooks, plugins), as opened: what a history
	 * snapshot copies. */
	char **files;
	size_t n_files;
};

/* Parse and validate a config file.  On any error, every diagnostic has been
 * printed as FILE:LINE: message and NULL is returned. */
struct vrf_config *vrf_config_load(const char *path);
/* The same in two steps, for callers that set fields (quiet_errors) first;
 * returns -EINVAL when cfg->errors is not 0 and prints no summary. */
struct vrf_config *vrf_config_new(void);
int vrf_config_load_into(struct vrf_config *cfg, const char *path);
void vrf_config_free(struct vrf_config *cfg);
/* Print the model back as an INI file (round-trip tests, `check -v`). */
void vrf_config_print(const struct vrf_config *cfg, struct vrf_buf *out);
struct vrf_domain *vrf_config_domain(const struct vrf_config *cfg, const char *name);

int vrf_domain_add(struct vrf_domain *d, struct vrf_obj *o);
/* The desired objects of kind p in d, in identity order (p->compare();
 * of equal objects the one read first comes first); *ret_n of them.  The
 * loader indexes every domain it makes before any plugin's validate();
 * asking a domain whose objects changed since (a bug) aborts. */
struct vrf_obj *const *vrf_domain_sorted(const struct vrf_domain *d, const struct vrf_plugin *p,
					 size_t *ret_n);
/* Per-plugin state attached to a domain at parse time. */
void **vrf_domain_pdata(struct vrf_domain *d, const struct vrf_plugin *p);
void *const *vrf_domain_pdata_const(const struct vrf_domain *d, const struct vrf_plugin *p);

/* A diagnostic: "FILE:LINE: message", counted in cfg->errors. */
void vrf_error(struct vrf_config *cfg, const struct vrf_loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Intern a string in the config's pool (used for file names). */
const char *vrf_config_intern(struct vrf_config *cfg, const char *s);

/* Resolve `rel` against the folder of the file in loc; malloc'd.  An
 * absolute `rel` is taken below the root set with vrf_path_set_root(). */
char *vrf_path_relative(const struct vrf_loc *loc, const char *rel);
/* Load configuration files from a snapshot: absolute paths that the files
 * name (include, nft_file, hook) are looked up below root.  NULL resets.
 * Process-wide, because plugins resolve paths from a location alone. */
void vrf_path_set_root(const char *root);

/* Open a config-like file the way sshd's StrictModes would accept it: a
 * regular file (no FIFO, device, or final symlink), owned by root or by us,
 * not writable by group or others.  Returns an fd or -errno and prints the
 * reason as FILE:LINE (loc may be NULL for the main file). */
int vrf_open_trusted(struct vrf_config *cfg, const struct vrf_loc *loc, const char *path);

/* ---- cross-reference table ----
 * Plugins publish names during parse ("domain cust-a has dev uplink") and look
 * them up in validate().  A name space is any short string ("dev", "nic").
 * vrf_name_add() reports a duplicate (with the first location) and fails. */
void vrf_names_free(struct vrf_names *t);
int vrf_name_add(struct vrf_config *cfg, const char *domain, const char *space,
		 const char *name, const struct vrf_loc *loc, void *data);
/* Returns true and sets *ret_data / *ret_loc (either may be NULL) if found. */
bool vrf_name_find(const struct vrf_config *cfg, const char *domain, const char *space,
		   const char *name, void **ret_data, const struct vrf_loc **ret_loc);
/* Is dev ("lo", or a name published in space "dev" for domain d) a link of
 * d?  If not, reports "KIND: WORD "DEV" is not a link of domain D" (or "...
 * that vrfmgr manages in the host namespace") at loc and returns -EINVAL. */
int vrf_check_dev(struct vrf_config *cfg, const struct vrf_domain *d, const struct vrf_loc *loc,
		  const char *kind, const char *word, const char *dev);

/* ---- growing text buffer ---- */
struct vrf_buf {
	char *s;
	size_t len, cap;
};
void vrf_buf_printf(struct vrf_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void vrf_buf_vprintf(struct vrf_buf *b, const char *fmt, va_list ap);
void vrf_buf_puts(struct vrf_buf *b, const char *s);
void vrf_buf_json_str(struct vrf_buf *b, const char *s);	/* "quoted, escaped" */
void vrf_buf_reset(struct vrf_buf *b);				/* len = 0, keeps memory */
void vrf_buf_free(struct vrf_buf *b);
const char *vrf_buf_str(struct vrf_buf *b);			/* never NULL */

/* ---- words: split a value the way a shell would split simple words ---- */
struct vrf_words {
	char **w;
	size_t n;
	char *mem;		/* what vrf_words_free() frees; NULL for a caller's buffer */
};
int vrf_words_split(struct vrf_words *ws, const char *s);
/* The same without allocating, for parsers that run once per line of a
 * large file: the word pointers and their text go into the caller's slots
 * (an array of n_slots char pointers, typically on the stack).  A value
 * of L bytes needs L / 2 + 2 + (L + 1) / sizeof(char *) + 1 slots; 256
 * hold any line inih accepts.  -ENOSPC when s needs more (the caller can
 * fall back to vrf_words_split()), -EINVAL for an open quote.
 * vrf_words_free() on the result is allowed and frees nothing. */
int vrf_words_split_buf(struct vrf_words *ws, const char *s, char **slots, size_t n_slots);
void vrf_words_free(struct vrf_words *ws);

/* ---- addresses ---- */
struct vrf_addr {
	uint8_t family;		/* AF_INET or AF_INET6, 0 = unset */
	uint8_t plen;		/* prefix length */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t bytes[16];
	};
};
/* "10.0.0.1", "10.0.0.0/24", "2001:db8::/64", "default" (with allow_default).
 * want_plen: accept "/N"; a bare address gets the full length. */
int vrf_addr_parse(struct vrf_addr *a, const char *s, bool want_plen, bool allow_default);
void vrf_addr_format(const struct vrf_addr *a, bool with_plen, struct vrf_buf *out);
int vrf_addr_cmp(const struct vrf_addr *a, const struct vrf_addr *b);
size_t vrf_addr_len(const struct vrf_addr *a);	/* 4 or 16 */
/* Host bits set below the prefix length? */
bool vrf_addr_has_host_bits(const struct vrf_addr *a);
/* Clear the host bits below the prefix length: 10.0.0.1/24 -> 10.0.0.0/24. */
void vrf_addr_mask(struct vrf_addr *a);
/* IPv6 link-local (fe80::/10)? */
bool vrf_addr_is_link_local(const struct vrf_addr *a);
/* "ADDR/PLEN" with the length always written (vrf_addr_format() leaves out
 * a full length and says "default"), or "ADDR" alone without with_plen;
 * "?" stands for an address of no known family.  INET6_ADDRSTRLEN + 4
 * bytes are enough. */
void vrf_addr_str(const struct vrf_addr *a, bool with_plen, char *buf, size_t len);
/* "IPv6" for AF_INET6, else "IPv4": the family's name in messages. */
const char *vrf_family_name(int family);

/* ---- descriptors ----
 * Move fd to a number >= 1024 (closing the original) and return the new one;
 * on failure return fd unchanged.  libnftables select()s on its socket, which
 * aborts above FD_SETSIZE, so everything vrfmgr keeps open for a whole run
 * lives up high and leaves the low numbers to it. */
int vrf_fd_high(int fd);

/* ---- names ---- */
bool vrf_domain_name_valid(const char *s, const char **ret_why);
bool vrf_ifname_valid(const char *s, const char **ret_why);
/* Parse an unsigned number in [min, max]; 0 or -EINVAL/-ERANGE. */
int vrf_parse_uint(const char *s, unsigned long long min, unsigned long long max,
		   unsigned long long *ret);
/* The same, but also hexadecimal with 0x, as ip(8) reads tables, metrics,
 * marks and tos ("0x64" is 100). */
int vrf_parse_num(const char *s, unsigned long long min, unsigned long long max,
		  unsigned long long *ret);
/* A routing table as ip(8) names it: main, local, default, or a number
 * from 1 to 4294967295 (vrf_parse_num); 0 or -EINVAL.  vrf_table_format()
 * writes it back the same way. */
int vrf_table_parse(const char *s, uint32_t *ret);
void vrf_table_format(uint32_t table, struct vrf_buf *out);

#endif
