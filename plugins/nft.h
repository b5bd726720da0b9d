/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The text side of the nftables plugin, kept apart from the kernel side so
 * that it can be unit-tested without privilege: finding the tables an nft
 * file declares, turning libnftables' error output into FILE:LINE:COL
 * diagnostics, and reading, normalizing and diffing `nft list` output.
 *
 * Equality of firewalls is decided on the kernel's own rendering of both
 * sides (the desired file loaded into a scratch namespace, the live tables of
 * the domain), listed statelessly by the same libnftables: nft's canonical
 * forms (`priority filter` vs `priority 0`, `size 65535` added to sets,
 * quoting) then agree by construction, and what is left to normalize here is
 * what the kernel itself does not keep stable: the order of set elements,
 * the elements of sets that rules fill at run time, and the order of the
 * chains and sets inside a table.
 */
#ifndef VRF_PLUGIN_NFT_H
#define VRF_PLUGIN_NFT_H

#include <stdbool.h>
#include <stddef.h>

#include "alloc.h"	/* out of memory aborts: vrf_malloc() and the rest */
#include "model.h"

/* ---- tables declared by a file ---- */

struct vnft_decl {
	char *family;		/* "ip", "ip6", "inet", "arp", "bridge", "netdev" */
	char *name;
	unsigned line, col;	/* where the file first declares it */
};

struct vnft_decls {
	struct vnft_decl *v;
	size_t n;
};

/* Called for each problem found in the file. */
typedef void (*vnft_diag_fn)(void *data, unsigned line, unsigned col, const char *msg);

/* Scan nft source for the tables it declares (`table F N`, `add table F N`,
 * `create table F N`) and check that every top-level command acts only on
 * those tables: `flush ruleset` and commands on other tables would reach
 * tables vrfmgr does not own.  Syntax is libnftables' business; this scanner
 * only follows comments, strings and braces.  Returns 0, or -EINVAL after
 * reporting each problem through diag. */
int vnft_scan_tables(const char *text, size_t len, struct vnft_decls *out,
		    vnft_diag_fn diag, void *data);
void vnft_decls_free(struct vnft_decls *d);
bool vnft_family_valid(const char *s);

/* ---- include, expanded by vrfmgr (nft-include.c) ---- */

/* Where a line of the expanded text comes from: column c of it is column
 * c + coloff of line `line` of `file` (interned in the config). */
struct vnft_origin {
	const char *file;
	unsigned line, coloff;
};

struct vnft_text {
	char *text;
	size_t len;
	struct vnft_origin *origin;	/* one per line of text */
	size_t n_origin;
	unsigned n_files;		/* files included */
};

/* Read fd whole into *ret (NUL-terminated, *ret_len bytes); -EFBIG past
 * room bytes.  Every nft file and every file it includes is read so. */
int vnft_read_fd(int fd, size_t room, char **ret, size_t *ret_len);
/* Expand the include statements of the nft file at path (open as fd, its
 * text read): every file they name is opened with vrf_open_trusted() and
 * put in the statement's place, recursively, so that the result is all
 * libnftables needs to read.  Returns 0, or -errno after reporting the
 * problem as FILE:LINE:COL of the include. */
int vnft_expand(struct vrf_config *cfg, const char *path, int fd, const char *text, size_t len,
		struct vnft_text *out);
void vnft_text_free(struct vnft_text *t);
/* Line and column of the expanded text as file, line and column of the
 * file they come from; false for a line the text does not have. */
bool vnft_text_where(const struct vnft_text *t, unsigned line, unsigned col,
		     const char **ret_file, unsigned *ret_line, unsigned *ret_col);

/* ---- libnftables error output ---- */

struct vnft_err {
	unsigned line, col;	/* 0 when libnftables gave no location in the file */
	bool warning;
	bool in_file;		/* the location is in the file named by `path` */
	char *file;		/* the file of the location (another one: an include) */
	char *msg;		/* "syntax error, unexpected newline" */
	char *src;		/* the offending source line, or NULL */
	char *caret;		/* the ^^^ line under it, or NULL */
};

struct vnft_errs {
	struct vnft_err *v;
	size_t n;
};

/* Split libnftables' error buffer into diagnostics.  `path` is the name
 * under which the file was given to libnftables (/proc/self/fd/N); locations
 * in it are marked in_file.  Lines like "In file included from ..." are
 * dropped: the include is vrfmgr's own wrapping. */
void vnft_errs_parse(const char *buf, const char *path, struct vnft_errs *out);
void vnft_errs_free(struct vnft_errs *e);

/* ---- listings ---- */

struct vnft_lblock {
	char *kind;		/* "chain", "set", "map", "ct helper", ... */
	char *name;
	char **lines;		/* statements, continuation lines joined */
	size_t n;
};

struct vnft_ltable {
	char *family;
	char *name;
	char **attrs;		/* table-level lines: flags, comment */
	size_t n_attrs;
	struct vnft_lblock *blocks;
	size_t n_blocks;
	char *raw;		/* the table's text as listed, loadable by nft -f */
};

struct vnft_listing {
	struct vnft_ltable *v;
	size_t n;
};

/* Read `nft list ruleset` / `nft list table` output.  Returns 0 or -EINVAL
 * when the text is not a listing (which would be a libnftables change). */
int vnft_listing_parse(const char *text, struct vnft_listing *out);
void vnft_listing_free(struct vnft_listing *l);
const struct vnft_ltable *vnft_listing_find(const struct vnft_listing *l, const char *family,
					  const char *name);
/* The table as listing text again (one table, nft syntax that nft -f loads). */
void vnft_table_print(const struct vnft_ltable *t, struct vrf_buf *out);

/* The normalized form two tables are compared in: blocks sorted by kind and
 * name, set elements sorted, the elements of dynamic sets left out.
 * malloc'd. */
char *vnft_table_norm(const struct vnft_ltable *t);
/* Normalize one statement line (sort the items of every { ... }). malloc'd. */
char *vnft_line_norm(const char *line);

/* Block `kind name` of t, or NULL (t may be NULL). */
const struct vnft_lblock *vnft_table_block(const struct vnft_ltable *t, const char *kind,
					   const char *name);
/* The block as it is compared (normalized lines, dynamic elements left
 * out).  malloc'd. */
char *vnft_block_norm(const struct vnft_lblock *b);
/* Split a block's lines into its specification (chains: type, policy,
 * comment, joined by spaces; "" for other blocks) and the rest: normalized
 * (to compare) and as listed (to show).  Free with vnft_strv_free(). */
void vnft_block_split(const struct vnft_lblock *b, char ***ret_norm, char ***ret_disp,
		      size_t *ret_n, char **ret_spec);
void vnft_strv_free(char **v, size_t n);
/* The items of an "elements = { ... }" line, normalized and sorted; false
 * when the line is no such line. */
bool vnft_elements(const char *line, char ***ret_v, size_t *ret_n);

/* A base chain's specification line, split. */
struct vnft_chain_spec {
	char *type, *hook, *priority, *policy, *device;	/* NULL when absent */
};
/* Parse "type filter hook input priority filter; policy drop;".  Returns
 * true when the line is such a line. */
bool vnft_chain_spec_parse(const char *line, struct vnft_chain_spec *out);
void vnft_chain_spec_free(struct vnft_chain_spec *s);
/* Is this line of a chain its specification (type/policy/comment/devices)
 * rather than a rule? */
bool vnft_chain_line_is_spec(const char *line);

/* "counter packets 12 bytes 720" in a rule: true and the numbers. */
bool vnft_rule_counter(const char *line, unsigned long long *packets,
		      unsigned long long *bytes);

/* Align two sequences of lines by longest common subsequence (after a
 * common prefix and suffix are taken off; beyond a size limit the middle
 * falls back to "all removed, all added").  cb gets ' ' for a line in both
 * (ia, ib valid), '-' for a line only in a (ib = -1) and '+' for one only
 * in b (ia = -1), in order. */
typedef void (*vnft_align_fn)(void *data, char op, long ia, long ib);
void vnft_align(char *const *a, size_t na, char *const *b, size_t nb, vnft_align_fn cb,
	       void *data);

/* Differences from `have` to `want` (either may be NULL: table missing or
 * extra), one line each, appended to out as "\n<indent>+ chain input: RULE",
 * "\n<indent>- set s: LINE", "\n<indent>~ chain input: policy accept -> drop".
 * Returns the number of lines written; no more than `max` are written
 * (0 = no limit), the rest are counted. */
unsigned vnft_table_diff(const struct vnft_ltable *want, const struct vnft_ltable *have,
			struct vrf_buf *out, const char *indent, unsigned max);

/* The commands that empty the live table `have` so that loading `want`
 * (the same table as the file defines it) refills it, in the same
 * transaction, without unhooking a base chain that both keep: `before` gets
 * what must run before the file is loaded (flush the table's rules and the
 * sets and maps that stay; delete what changes its declaration: a base
 * chain's hook, priority, type, devices or comment, a set's type or flags,
 * an object), `after` what must run after it (delete the chains that leave
 * the table, and stand-ins; see nft-refill.c).  Returns false, with nothing
 * appended, when the table cannot be refilled in place (its comment
 * changes, which the kernel does not update): it must be replaced whole. */
bool vnft_refill(struct vrf_buf *before, struct vrf_buf *after, const struct vnft_ltable *have,
		 const struct vnft_ltable *want);

#endif
