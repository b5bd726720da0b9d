/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft: a domain's nftables firewall, in plain nft syntax in the file that
 * `nft_file` names (relative to the folder of the config file naming it).
 *
 *     [domain cust-a]
 *     nft_file = firewall/cust-a.nft
 *
 * Ownership.  vrfmgr owns exactly the tables the file declares; one object
 * per table, identity (family, name).  Other tables of the domain are
 * reported as unmanaged and never touched.  After every successful change
 * the owned tables are recorded in STATE_DIR/DOMAIN/nft-tables, so that when
 * a table (or the whole nft_file) leaves the file, observe() still reports it
 * and the engine plans its deletion.  The table owner flag is not used: an
 * owned table vanishes with the process, and the firewall would fail open.
 *
 * Parse and check.  parse() opens the file with vrf_open_trusted(), reads
 * it once, expands its includes (each included file opened the same way,
 * see nft-include.c) and scans the result for the tables it declares;
 * every later step uses that text (through a memfd, so libnftables names
 * it /proc/self/fd/N and we translate locations back to FILE:LINE:COL of
 * the file each line came from).  validate() then checks every
 * file of the config at once with libnftables, in ONE network namespace
 * made for this with unshare(CLONE_NEWNET) and left at once with setns()
 * (see struct nft_scratch): each file is loaded there for real, so the
 * kernel checks it too, and listed back statelessly, which gives the
 * kernel's canonical form of every declared table.  Files with the same
 * bytes are loaded once.  Creating that namespace needs CAP_SYS_ADMIN;
 * without it (`check` as a user) libnftables still parses each file and
 * reports syntax errors, its cache request is refused (EPERM) before
 * anything is evaluated, and the full check waits for observe(), which
 * runs as root.  Measured here: a scratch namespace costs 0.3-0.5 ms to
 * make; loading and listing a small file 0.6 ms; check mode (nft -c) 14 ms,
 * because aborting a batch waits for RCU.
 *
 * The cache.  What loading a file gave is kept in STATE_DIR/nft-cache,
 * with the file's bytes and an identity of everything else it depends on
 * (libnftables, libnftnl, the kernel, the files names resolve through); a
 * file whose entry matches all of it is not loaded again (see
 * cache_load()).  Included files are part of the text, and cached with it.
 * Only a run writes entries, never `check`; and a live table that differs
 * from a cached form makes the file load again before the difference is
 * believed.
 *
 * Equality.  A live table is listed statelessly in the domain by the same
 * libnftables (only the tables vrfmgr owns, see list_owned()), and both
 * sides are normalized by nft-text.c (set elements sorted, elements of
 * dynamic sets left out, blocks sorted); `priority filter` versus `priority
 * 0`, quoting, `size 65535` and handles then agree by construction.
 *
 * Apply.  One transaction per domain: every table of the file that exists
 * is emptied without unhooking its base chains (see nft-refill.c), then
 * the file refills it (include of the memfd), then the chains that left
 * the file go.  The file always carries all its tables, so a change of one
 * table refills every table of the file (identical ones with themselves,
 * their counters restart).  A refused transaction changes nothing.  A
 * table that leaves the file is deleted: "add table F N; delete table F N"
 * (declare, so that delete cannot fail).  Rollback restores a live table
 * from its stateless listing, refilled in the same way.
 * A domain's libnftables context is opened inside it when needed; one that
 * only read is closed at once, one that sent a transaction stays in a
 * bounded pool (see nftp_ctx_get()), because closing it right away would wait
 * for an RCU grace period (about 15 ms).
 *
 * The files: this one (the plugin table, parse, observe, apply, the record),
 * nft-ctx.c (libnftables contexts and the scratch namespace), nft-form.c
 * (the check, the canonical form and its cache), nft-audit.c; see
 * nft-int.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <netinet/in.h>		/* before the kernel's headers, which then yield */
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <nftables/libnftables.h>

#include "nl.h"
#include "nft-int.h"
#include "nft-metrics.h"

#define NFT_RECORD	"nft-tables"
#define NFT_FILE_MAX	(16u << 20)	/* a firewall file larger than this is a mistake */
#define NFT_DIFF_MAX	40		/* plan lines shown per changed table */


/* ---- small helpers ---- */

bool nftp_decls_has(const struct vnft_decls *d, const char *family, const char *name)
{
	for (size_t i = 0; d && i < d->n; i++)
		if (!strcmp(d->v[i].family, family) && !strcmp(d->v[i].name, name))
			return true;
	return false;
}

void nftp_decls_add(struct vnft_decls *d, const char *family, const char *name)
{
	if (nftp_decls_has(d, family, name))
		return;
	d->v = vrf_realloc(d->v, (d->n + 1) * sizeof(*d->v), 1);
	d->v[d->n++] = (struct vnft_decl){ vrf_strdup(family), vrf_strdup(name), 0, 0 };
}

static void decls_remove(struct vnft_decls *d, const char *family, const char *name)
{
	for (size_t i = 0; i < d->n; i++) {
		if (strcmp(d->v[i].family, family) || strcmp(d->v[i].name, name))
			continue;
		free(d->v[i].family);
		free(d->v[i].name);
		memmove(&d->v[i], &d->v[i + 1], (d->n - i - 1) * sizeof(*d->v));
		d->n--;
		return;
	}
}

/* A memfd holding text: libnftables reads it as /proc/self/fd/N. */
int nftp_memfd_text(const char *text, size_t len)
{
	int fd = memfd_create("vrfmgr-nft", MFD_CLOEXEC);

	if (fd < 0)
		return -errno;
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0) {
			int r = -errno;

			close(fd);
			return r;
		}
		off += (size_t)w;
	}
	return fd;
}

/* Does the text hold a NUL byte?  libnftables would stop reading there. */
static bool has_nul(const char *text, size_t len)
{
	return memchr(text, '\0', len) != NULL;
}

/* FNV-1a: files with the same bytes meet in nftp_check_all(). */
static uint64_t text_hash(const char *text, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)text[i]) * 0x100000001b3ULL;
	return h;
}

/* ---- diagnostics ---- */

struct diag_ctx {
	struct vrf_config *cfg;
	const struct nft_src *src;
};

static bool quiet(const struct vrf_config *cfg)
{
	return cfg && cfg->quiet_errors;
}

/* "FILE:LINE:COL: message": vrf_error() prints "FILE: " for a location
 * without a line, so the whole position goes into the file part. */
static void error_at(struct vrf_config *cfg, const struct nft_src *src, const char *file,
		     unsigned line, unsigned col, const char *msg)
{
	char where[PATH_MAX + 32];
	struct vrf_loc at = { where, 0 };

	if (line && col)
		snprintf(where, sizeof(where), "%s:%u:%u", file, line, col);
	else if (line)
		snprintf(where, sizeof(where), "%s:%u", file, line);
	else {
		vrf_error(cfg, &src->file.loc, "nft_file %s: %s", file, msg);
		return;
	}
	vrf_error(cfg, &at, "%s", msg);
}

/* The file that line `*line` of src's text comes from; *line and *col
 * become the place in that file. */
const char *nftp_src_where(const struct nft_src *src, unsigned *line, unsigned *col)
{
	const struct vnft_text v = { .origin = src->file.origin, .n_origin = src->file.n_origin };
	const char *file;

	return vnft_text_where(&v, *line, *col, &file, line, col) ? file : src->file.path;
}

static void scan_diag(void *data, unsigned line, unsigned col, const char *msg)
{
	struct diag_ctx *dc = data;
	const char *file = nftp_src_where(dc->src, &line, &col);

	error_at(dc->cfg, dc->src, file, line, col, msg);
}

/* Print libnftables' complaints about the file; returns how many were
 * errors (warnings are printed, not counted). */
unsigned nftp_report_errs(struct vrf_config *cfg, const struct nft_src *src,
			  const struct vnft_errs *errs)
{
	unsigned n = 0;

	for (size_t i = 0; i < errs->n; i++) {
		const struct vnft_err *e = &errs->v[i];
		unsigned line = e->line, col = e->col;
		const char *file = e->in_file ? nftp_src_where(src, &line, &col) :
				   e->file ? e->file : src->file.path;

		if (e->warning) {
			if (!quiet(cfg))
				fprintf(stderr, "%s:%u:%u: warning: %s\n", file, line, col, e->msg);
		} else {
			error_at(cfg, src, file, line, col, e->msg);
			n++;
		}
		if (!quiet(cfg) && e->src && e->line)
			fprintf(stderr, "%s\n%s\n", e->src, e->caret ? e->caret : "");
	}
	return n;
}

/* libnftables' error text as one line for op->errmsg, locations in the
 * file translated. */
char *nftp_errs_oneline(const struct nft_src *src, const struct vnft_errs *errs)
{
	struct vrf_buf b = { 0 };
	char *r;

	for (size_t i = 0; i < errs->n; i++) {
		const struct vnft_err *e = &errs->v[i];

		if (e->warning)
			continue;
		if (b.len)
			vrf_buf_puts(&b, "; ");
		if (e->in_file && src) {
			unsigned line = e->line, col = e->col;
			const char *file = nftp_src_where(src, &line, &col);

			vrf_buf_printf(&b, "%s:%u:%u: ", file, line, col);
		}
		vrf_buf_puts(&b, e->msg);
	}
	if (!b.len)
		vrf_buf_puts(&b, "libnftables refused the transaction");
	r = vrf_strdup(vrf_buf_str(&b));
	vrf_buf_free(&b);
	return r;
}

/* ---- the tables of a domain, from one netlink dump ---- */

static const char *family_name(uint8_t family)
{
	switch (family) {
	case NFPROTO_INET:	return "inet";
	case NFPROTO_IPV4:	return "ip";
	case NFPROTO_IPV6:	return "ip6";
	case NFPROTO_ARP:	return "arp";
	case NFPROTO_BRIDGE:	return "bridge";
	case NFPROTO_NETDEV:	return "netdev";
	}
	return NULL;
}

static int table_cb(const struct nlmsghdr *nlh, void *data)
{
	struct vnft_decls *out = data;
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	const char *family, *name = NULL;

	if (nlh->nlmsg_type != ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWTABLE) ||
	    nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*nfg))
		return 0;
	mnl_attr_for_each(a, nlh, sizeof(*nfg))
		if (mnl_attr_get_type(a) == NFTA_TABLE_NAME &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			name = mnl_attr_get_str(a);
	family = family_name(nfg->nfgen_family);
	/* A family nft has no name for holds no table a file declared. */
	if (family && name)
		nftp_decls_add(out, family, name);
	return 0;
}

/* An interrupted dump starts again with nothing kept. */
static void table_reset(void *data)
{
	vnft_decls_free(data);
}

/* The names of every table of the domain: one dump of the table list on the
 * core's netfilter socket of the namespace, which is all the kernel sends
 * (libnftables' `list tables` reads every rule too); vrf_nl_dump() reads it
 * again whole when the kernel says it was interrupted. */
static int table_names(struct vrf_ns *ns, struct vnft_decls *out)
{
	struct vrf_nl *nl = vrf_nl_get(ns, NETLINK_NETFILTER);
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;

	memset(out, 0, sizeof(*out));
	if (!nl)
		return -errno;
	nlh = vrf_nl_request(nl, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE, NLM_F_DUMP);
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = NFPROTO_UNSPEC;
	nfg->version = NFNETLINK_V0;
	return vrf_nl_dump(nl, nlh, table_cb, table_reset, out);
}

static int nft_validate(struct vrf_config *cfg, struct vrf_domain *d)
{
	const struct nft_src *src = nftp_domain_src(d);

	if (src && src->form.state == NFT_FORM_UNCHECKED)
		nftp_check_all(cfg);
	return 0;
}

/* ---- parse ---- */

static void src_free(struct nft_src *src)
{
	if (!src)
		return;
	nftp_canon_clear(src);
	nftp_scratch_free(src->scratch);
	free(src->form.ident);
	free(src->file.value);
	free(src->file.text);
	free(src->file.origin);
	vnft_decls_free(&src->file.decls);
	free(src);
}

static void nft_domain_release(struct vrf_domain *d, void *pdata)
{
	src_free(pdata);
}

/* Replace src's text by the text with its includes expanded. */
static int src_expand(struct vrf_config *cfg, struct nft_src *src, int fd)
{
	struct vnft_text x;
	int r = vnft_expand(cfg, src->file.path, fd, src->file.text, src->file.len, &x);

	if (r < 0)
		return r;
	free(src->file.text);
	src->file.text = x.text;
	src->file.len = x.len;
	src->file.origin = x.origin;
	src->file.n_origin = x.n_origin;
	return 0;
}

static int nft_parse(struct vrf_config *cfg, struct vrf_domain *d, const struct vrf_loc *loc,
		     const char *key, const char *value)
{
	struct nft_src **slot = (struct nft_src **)vrf_domain_pdata(d, &nft_plugin);
	struct nft_src *src;
	struct diag_ctx dc;
	char *path;
	int fd, r;

	if (*slot) {
		vrf_error(cfg, loc, "second nft_file in [domain %s] (the first is at %s:%u); "
			  "put the domain's tables in one file", d->name, (*slot)->file.loc.file,
			  (*slot)->file.loc.line);
		return -EINVAL;
	}
	path = vrf_path_relative(loc, value);
	if (!path)
		abort();
	fd = vrf_open_trusted(cfg, loc, path);
	if (fd < 0) {
		free(path);
		return -EINVAL;
	}
	src = vrf_calloc(1, sizeof(*src));
	src->file.value = vrf_strdup(value);
	src->file.path = vrf_config_intern(cfg, path);
	src->file.loc = *loc;
	free(path);
	*slot = src;
	src->form.state = NFT_FORM_NONE;	/* until it is known to be worth checking */
	r = vnft_read_fd(fd, NFT_FILE_MAX, &src->file.text, &src->file.len);
	if (r < 0) {
		close(fd);
		vrf_error(cfg, loc, "nft_file %s: %s", src->file.path,
			  r == -EFBIG ? "larger than 16 MiB" : strerror(-r));
		return -EINVAL;
	}
	if (has_nul(src->file.text, src->file.len)) {
		close(fd);
		vrf_error(cfg, loc, "nft_file %s: contains a NUL byte; not an nft file", src->file.path);
		return -EINVAL;
	}
	/* Includes are read here, each file checked as this one was; the
	 * text libnftables gets includes nothing. */
	r = src_expand(cfg, src, fd);
	close(fd);
	if (r < 0)
		return -EINVAL;
	src->file.hash = text_hash(src->file.text, src->file.len);
	/* libnftables checks the file in validate(), all files at once, and
	 * even when the scan complained, so that one check shows every
	 * problem of the file. */
	src->form.state = NFT_FORM_UNCHECKED;
	dc = (struct diag_ctx){ cfg, src };
	r = vnft_scan_tables(src->file.text, src->file.len, &src->file.decls, scan_diag, &dc);
	if (r < 0)
		return -EINVAL;
	for (size_t i = 0; i < src->file.decls.n; i++) {
		unsigned line = src->file.decls.v[i].line, col = src->file.decls.v[i].col;
		struct vrf_loc at = { nftp_src_where(src, &line, &col), line };
		struct nft_table *t = vrf_obj_new(&nft_plugin, sizeof(*t), &at);

		t->family = vrf_strdup(src->file.decls.v[i].family);
		t->name = vrf_strdup(src->file.decls.v[i].name);
		t->src = src;
		t->idx = i;
		vrf_domain_add(d, &t->obj);
	}
	return 0;
}

static void nft_print_config(const struct vrf_domain *d, struct vrf_buf *out)
{
	const struct nft_src *src = *vrf_domain_pdata_const(d, &nft_plugin);

	if (src)
		vrf_buf_printf(out, "nft_file = %s\n", src->file.value);
}

/* ---- objects ---- */

static void nft_free(struct vrf_obj *o)
{
	struct nft_table *t = (struct nft_table *)o;

	free(t->family);
	free(t->name);
	free(t->raw);
	vnft_listing_free(&t->l);
	free(t->norm);
	free(t);
}

static int nft_compare(const struct vrf_obj *a, const struct vrf_obj *b)
{
	const struct nft_table *x = (const struct nft_table *)a, *y = (const struct nft_table *)b;
	int c = strcmp(x->family, y->family);

	return c ? c : strcmp(x->name, y->name);
}

static const char *table_norm(const struct nft_table *t)
{
	if (t->src)
		return form_ready(&t->src->form) ? t->src->form.norm[t->idx] : NULL;
	return t->norm;
}

static const struct vnft_ltable *table_listing(const struct nft_table *t)
{
	if (t->src)
		return form_ready(&t->src->form) ?
		       vnft_listing_find(&t->src->form.listing, t->family, t->name) : NULL;
	return t->l.n ? &t->l.v[0] : NULL;
}

/* Tables have no optional attributes: the whole normalized listing must
 * match.  Without a canonical form of the file (it could not be loaded into
 * a scratch namespace) nothing is known to be equal, and the table is
 * replaced, which is safe, if not idempotent. */
static bool nft_equal(const struct vrf_obj *want, const struct vrf_obj *have)
{
	const char *w = table_norm((const struct nft_table *)want);
	const char *h = table_norm((const struct nft_table *)have);

	return w && h && !strcmp(w, h);
}

static void nft_format(const struct vrf_obj *o, struct vrf_buf *out)
{
	const struct nft_table *t = (const struct nft_table *)o;

	vrf_buf_printf(out, "table %s %s", t->family, t->name);
}

/* "table inet filter: 2 differences" and then the differences, one per
 * line, indented: "+ chain input: tcp dport 22 accept". */
static void nft_format_change(const struct vrf_obj *want, const struct vrf_obj *have,
			      struct vrf_buf *out)
{
	const struct vnft_ltable *w = table_listing((const struct nft_table *)want);
	const struct vnft_ltable *h = table_listing((const struct nft_table *)have);
	struct vrf_buf d = { 0 };
	unsigned n;

	nft_format(want, out);
	if (!w || !h) {
		vrf_buf_puts(out, " (replaced whole)");
		return;
	}
	n = vnft_table_diff(w, h, &d, "      ", NFT_DIFF_MAX);
	if (n == 0)
		vrf_buf_puts(out, " (replaced whole)");
	else
		vrf_buf_printf(out, ": %u difference%s%s", n, n == 1 ? "" : "s", vrf_buf_str(&d));
	vrf_buf_free(&d);
}

/* ---- the record of owned tables ---- */

/* The record is a state file (vrfmgr/state.c): read only when it, its
 * folder and state_dir are trusted, and replaced atomically. */
int nftp_record_read(const struct vrf_config *cfg, const char *domain, struct vnft_decls *out)
{
	char *text = NULL, *line, *next;
	size_t len;
	int r;

	memset(out, 0, sizeof(*out));
	/* A record that is not trusted (state.c warned) is ignored, as the
	 * manual says: its tables are not taken for ours. */
	r = vrf_state_read(cfg, domain, NFT_RECORD, &text, &len);
	if (r < 0)
		return r == -ENOENT || r == -EPERM ? 0 : r;
	for (line = text; *line; line = next) {
		char family[16], name[256];

		next = strchrnul(line, '\n');
		if (*next)
			*next++ = '\0';
		if (sscanf(line, "%15s %255s", family, name) == 2 && vnft_family_valid(family))
			nftp_decls_add(out, family, name);
	}
	free(text);
	return 0;
}

/* Replace the record (atomically: a crash leaves the old or the new one). */
static int record_write(const struct vrf_config *cfg, const char *domain,
			const struct vnft_decls *tables)
{
	struct vrf_buf b = { 0 };
	int r;

	if (tables->n == 0)
		return vrf_state_remove(cfg, domain, NFT_RECORD);
	vrf_buf_puts(&b, "# nftables tables vrfmgr owns in this namespace (family name)\n");
	for (size_t i = 0; i < tables->n; i++)
		vrf_buf_printf(&b, "%s %s\n", tables->v[i].family, tables->v[i].name);
	r = vrf_state_write(cfg, domain, NFT_RECORD, vrf_buf_str(&b), b.len);
	if (r < 0)
		fprintf(stderr, "vrfmgr: cannot write %s/%s/%s: %s\n", cfg->state_dir, domain,
			NFT_RECORD, strerror(-r));
	vrf_buf_free(&b);
	return r;
}

/* ---- observe ---- */

struct nft_src *nftp_domain_src(const struct vrf_domain *d)
{
	return d ? *vrf_domain_pdata_const(d, &nft_plugin) : NULL;
}

static struct nft_table *live_table(const struct vnft_ltable *lt)
{
	struct nft_table *t = vrf_obj_new(&nft_plugin, sizeof(*t), NULL);

	t->family = vrf_strdup(lt->family);
	t->name = vrf_strdup(lt->name);
	t->raw = vrf_strdup(lt->raw ? lt->raw : "");
	if (vnft_listing_parse(t->raw, &t->l) < 0 || t->l.n != 1) {
		/* Cannot happen for text that parsed once already. */
		vnft_listing_free(&t->l);
		t->norm = vnft_table_norm(lt);
	} else {
		t->norm = vnft_table_norm(&t->l.v[0]);
	}
	return t;
}

/* List the owned tables of ns that exist.  Which tables exist comes from
 * one dump of the table list; no table owned there, no libnftables at all.
 * Then libnftables lists them statelessly: the whole ruleset in one request
 * when every table is owned, else each owned table on its own, so that large
 * unmanaged rulesets are not read.  Tables present but not owned go to
 * *unowned.  A table deleted between the dump and the listing makes the
 * listing fail; that is tried once more. */
static int list_owned(struct vrf_run *run, struct vrf_ns *ns, const struct vnft_decls *decl,
		      const struct vnft_decls *rec, struct vnft_listing *live,
		      struct vnft_decls *unowned)
{
	struct vnft_decls names = { 0 }, owned = { 0 };
	struct vrf_buf text = { 0 };
	struct nft_ctx *ctx;
	int r;

	for (int tries = 0;; tries++) {
		vnft_decls_free(unowned);
		vnft_decls_free(&owned);
		vrf_buf_free(&text);
		r = table_names(ns, &names);
		if (r < 0) {
			fprintf(stderr, "%s: cannot list nftables tables: %s\n", vrf_ns_name(ns),
				strerror(-r));
			nftp_ctx_done(ns, false);
			goto out;
		}
		for (size_t i = 0; i < names.n; i++) {
			const struct vnft_decl *t = &names.v[i];

			if (nftp_decls_has(decl, t->family, t->name) || nftp_decls_has(rec, t->family, t->name))
				nftp_decls_add(&owned, t->family, t->name);
			else
				nftp_decls_add(unowned, t->family, t->name);
		}
		vnft_decls_free(&names);
		if (!owned.n) {
			nftp_ctx_done(ns, false);
			goto out;
		}
		ctx = nftp_ctx_get(run, ns, &r);
		if (!ctx) {
			nftp_ctx_done(ns, false);
			goto out;
		}
		if (!unowned->n)
			r = nftp_list_text(ctx, "list ruleset", true, &text);
		for (size_t i = 0; unowned->n && r == 0 && i < owned.n; i++) {
			char *cmd;

			cmd = vrf_asprintf("list table %s %s", owned.v[i].family,
				     owned.v[i].name);
			r = nftp_list_text(ctx, cmd, true, &text);
			free(cmd);
		}
		nftp_ctx_done(ns, false);
		if (r == 0 || tries == 1)
			break;
	}
	if (r == 0)
		r = nftp_listing_read(vrf_buf_str(&text), live);
out:
	vrf_buf_free(&text);
	vnft_decls_free(&names);
	vnft_decls_free(&owned);
	return r;
}

static int nft_observe(struct vrf_run *run, struct vrf_ns *ns, const struct vrf_domain *d,
		       struct vrf_objv *out)
{
	const struct vrf_config *cfg = vrf_run_config(run);
	struct nft_src *src = nftp_domain_src(d);
	struct vnft_decls rec, unowned = { 0 };
	struct vnft_listing live = { 0 };
	size_t first;
	int r;

	r = nftp_record_read(cfg, vrf_ns_name(ns), &rec);
	if (r < 0) {
		fprintf(stderr, "%s: cannot read the record of owned nftables tables: %s\n",
			vrf_ns_name(ns), strerror(-r));
		return r;
	}
	/* Nothing declared, nothing owned: no reason to look. */
	if (!src && rec.n == 0)
		return 0;
	if (src) {
		r = nftp_src_canon(run, src);
		if (r < 0)
			goto out;
	}
	r = list_owned(run, ns, src ? &src->file.decls : NULL, &rec, &live, &unowned);
	if (r < 0)
		goto out;
	first = out->n;
	for (size_t i = 0; i < live.n; i++) {
		const struct vnft_ltable *lt = &live.v[i];

		/* `list ruleset` may show a table made after the dump. */
		if (nftp_decls_has(src ? &src->file.decls : NULL, lt->family, lt->name) ||
		    nftp_decls_has(&rec, lt->family, lt->name))
			vrf_objv_push(out, &live_table(lt)->obj);
		else
			nftp_decls_add(&unowned, lt->family, lt->name);
	}
	for (size_t i = first; src && i < out->n; i++) {
		const struct nft_table *t = (const struct nft_table *)out->v[i];

		if (nftp_canon_doubtful(src, t->family, t->name, t->norm)) {
			r = nftp_canon_redo(run, src);
			if (r < 0)
				goto out;
			break;
		}
	}
	nftp_canon_keep(run, src);
	/* The note of the plan: whenever the domain is planned, not with -q. */
	for (size_t i = 0; src && vrf_run_verbose(run) >= 0 && i < unowned.n; i++)
		fprintf(stderr, "%s: note: nftables table %s %s is not declared in %s; "
			"left alone (unmanaged)\n", vrf_ns_name(ns), unowned.v[i].family,
			unowned.v[i].name, src->file.path);
out:
	vnft_listing_free(&live);
	vnft_decls_free(&rec);
	vnft_decls_free(&unowned);
	return r;
}

/* ---- apply ---- */

static void append_reset(struct vrf_buf *cmd, const char *family, const char *name)
{
	/* Declaring first makes the delete succeed whether or not the table
	 * exists; both run inside the one transaction. */
	vrf_buf_printf(cmd, "add table %s %s\ndelete table %s %s\n", family, name, family, name);
}

/* Empty the live table `have` for a reload of `want` (see vnft_refill());
 * a table that cannot be refilled in place is replaced whole. */
static void append_refill(struct vrf_buf *cmd, struct vrf_buf *after, const char *family,
			  const char *name, const struct vnft_ltable *have,
			  const struct vnft_ltable *want)
{
	if (have && want && vnft_refill(cmd, after, have, want))
		return;
	if (have || !want)
		append_reset(cmd, family, name);
}

/* The op among ops that makes table (family, name), or NULL. */
static const struct vrf_op *op_for(const struct vrf_op *ops, size_t n, const char *family,
				   const char *name)
{
	for (size_t i = 0; i < n; i++) {
		const struct nft_table *t = (const struct nft_table *)ops[i].want;

		if (ops[i].kind != VRF_OP_DEL && !strcmp(t->family, family) &&
		    !strcmp(t->name, name))
			return &ops[i];
	}
	return NULL;
}

/* The transaction for ops: cmd gets what runs before the file's own text
 * (which the caller includes after it), restore the live tables to load
 * again, after what runs last.  The file always carries all its tables, so every one
 * of them is emptied for the reload, also those the plan does not change
 * (their live form is the file's: that is what "unchanged" means).  A live
 * table to restore (rollback) comes from its listing, unless the file
 * defines it too. */
static void batch_build(const struct vrf_op *ops, size_t n, const struct nft_src *file,
			struct vrf_buf *cmd, struct vrf_buf *restore, struct vrf_buf *after,
			struct vnft_decls *added, struct vnft_decls *deleted)
{
	for (size_t i = 0; file && i < file->file.decls.n; i++) {
		const struct vnft_decl *dc = &file->file.decls.v[i];
		const struct vrf_op *op = op_for(ops, n, dc->family, dc->name);
		const struct vnft_ltable *want = form_ready(&file->form) ?
			vnft_listing_find(&file->form.listing, dc->family, dc->name) : NULL;
		const struct vnft_ltable *have = op ? op->have ?
			table_listing((const struct nft_table *)op->have) : NULL : want;

		append_refill(cmd, after, dc->family, dc->name, have, want);
		nftp_decls_add(added, dc->family, dc->name);
	}
	for (size_t i = 0; i < n; i++) {
		const struct nft_table *t = (const struct nft_table *)(ops[i].want ? ops[i].want :
								      ops[i].have);

		if (ops[i].kind == VRF_OP_DEL) {
			append_reset(cmd, t->family, t->name);
			nftp_decls_add(deleted, t->family, t->name);
			continue;
		}
		if (t->src || (file && nftp_decls_has(&file->file.decls, t->family, t->name)))
			continue;
		append_refill(cmd, after, t->family, t->name,
			      ops[i].have ? table_listing((const struct nft_table *)ops[i].have) :
			      NULL, table_listing(t));
		nftp_decls_add(added, t->family, t->name);
		vrf_buf_puts(restore, t->raw ? t->raw : "");
	}
	for (size_t i = 0; i < added->n; i++)
		decls_remove(deleted, added->v[i].family, added->v[i].name);
}

static int nft_apply(struct vrf_run *run, struct vrf_ns *ns, const struct vrf_domain *d,
		     struct vrf_op *ops, size_t n)
{
	const struct vrf_config *cfg = vrf_run_config(run);
	struct vnft_decls added = { 0 }, deleted = { 0 }, rec_old = { 0 }, rec_new = { 0 };
	struct vrf_buf cmd = { 0 }, restore = { 0 }, after = { 0 };
	struct vnft_errs errs = { 0 };
	const struct nft_src *file = NULL;
	struct nft_ctx *ctx;
	char fdpath[32] = "";
	int memfd = -1, r;

	r = nftp_record_read(cfg, vrf_ns_name(ns), &rec_old);
	if (r < 0)
		goto fail_all;
	for (size_t i = 0; i < n; i++)
		if (ops[i].kind != VRF_OP_DEL && ((const struct nft_table *)ops[i].want)->src)
			file = ((const struct nft_table *)ops[i].want)->src;
	batch_build(ops, n, file, &cmd, &restore, &after, &added, &deleted);
	if (file) {
		memfd = nftp_memfd_text(file->file.text, file->file.len);
		if (memfd < 0) {
			r = memfd;
			goto fail_all;
		}
		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", memfd);
		vrf_buf_printf(&cmd, "include \"%s\"\n", fdpath);
	}
	vrf_buf_puts(&cmd, vrf_buf_str(&restore));
	vrf_buf_puts(&cmd, vrf_buf_str(&after));

	/* Write ahead: a crash after the commit must not lose the fact that
	 * the new tables are ours. */
	for (size_t i = 0; i < rec_old.n; i++)
		nftp_decls_add(&rec_new, rec_old.v[i].family, rec_old.v[i].name);
	for (size_t i = 0; i < added.n; i++)
		nftp_decls_add(&rec_new, added.v[i].family, added.v[i].name);
	r = record_write(cfg, vrf_ns_name(ns), &rec_new);
	if (r < 0)
		goto fail_all;
	ctx = nftp_ctx_get(run, ns, &r);
	if (!ctx) {
		record_write(cfg, vrf_ns_name(ns), &rec_old);
		goto fail_all;
	}
	/* The file's includes are expanded: libnftables opens only the
	 * memfd, which is named by its absolute path. */
	nft_ctx_clear_include_paths(ctx);
	if (vrf_run_verbose(run) > 1)
		fprintf(stderr, "%s: nft transaction:\n%s", vrf_ns_name(ns), vrf_buf_str(&cmd));
	nft_ctx_output_set_flags(ctx, 0);
	r = nftp_ctx_run(ctx, vrf_buf_str(&cmd), fdpath[0] ? fdpath : NULL, false, NULL, &errs);
	nftp_ctx_done(ns, true);
	if (r < 0) {
		record_write(cfg, vrf_ns_name(ns), &rec_old);
		goto fail_all;
	}
	for (size_t i = 0; i < deleted.n; i++)
		decls_remove(&rec_new, deleted.v[i].family, deleted.v[i].name);
	/* The tables changed either way; a record that could not be written
	 * is reported, and the next run finds the declared tables anyway. */
	record_write(cfg, vrf_ns_name(ns), &rec_new);
	r = 0;
	goto out;

fail_all:
	/* One transaction: it went through whole or not at all. */
	{
		char *msg = errs.n ? nftp_errs_oneline(file, &errs) : NULL;

		for (size_t i = 0; i < n; i++) {
			ops[i].err = r < 0 && r != -EINVAL ? r : -EINVAL;
			ops[i].errmsg = msg ? vrf_strdup(msg) : r != -EINVAL && r < 0 ?
					vrf_strdup(strerror(-r)) : NULL;
		}
		free(msg);
		r = ops[0].err;
	}
out:
	if (memfd >= 0)
		close(memfd);
	vnft_errs_free(&errs);
	vrf_buf_free(&cmd);
	vrf_buf_free(&restore);
	vrf_buf_free(&after);
	vnft_decls_free(&added);
	vnft_decls_free(&deleted);
	vnft_decls_free(&rec_old);
	vnft_decls_free(&rec_new);
	return r;
}

/* A destroyed domain took its tables with it: drop the record. */
static int nft_event(struct vrf_run *run, struct vrf_ns *ns, const struct vrf_domain *d,
		     enum vrf_event ev, const char *changes)
{
	if (ev != VRF_EV_POST_DESTROY || !d)
		return 0;
	vrf_state_remove(vrf_run_config(run), d->name, NFT_RECORD);
	return 0;
}

/* ---- metrics (the samples are made in nft-metrics.c) ---- */

int vnft_list_state(struct vrf_run *run, struct vrf_ns *ns, struct vrf_obj *const *live,
		    size_t n, struct vrf_buf *out)
{
	struct nft_ctx *ctx;
	int r = 0;

	if (!n)
		return 0;
	ctx = nftp_ctx_get(run, ns, &r);
	if (!ctx)
		return r;
	/* Stateful (counters, set elements) and with handles, a table per
	 * request as nftp_list_text() explains. */
	nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_HANDLE);
	for (size_t i = 0; r == 0 && i < n; i++) {
		const struct nft_table *t = (const struct nft_table *)live[i];
		char *cmd, *text = NULL;

		cmd = vrf_asprintf("list table %s %s", t->family, t->name);
		r = nftp_ctx_run(ctx, cmd, NULL, false, &text, NULL);
		if (r < 0)
			fprintf(stderr, "%s: nft %s failed\n", vrf_ns_name(ns), cmd);
		else
			vrf_buf_puts(out, text);
		free(text);
		free(cmd);
	}
	nftp_ctx_done(ns, false);
	return r;
}

static const char *const nft_keys[] = { "nft_file", NULL };

/* A table is replaced by flushing and refilling it: its counters, quotas
 * and dynamic set elements start again.  A removed table stops filtering. */
static const char *nft_disruptive(const struct vrf_op *op)
{
	if (op->kind == VRF_OP_CHANGE)
		return "table replaced, its counters and set elements start again";
	if (op->kind == VRF_OP_DEL)
		return "table removed";
	return NULL;
}

const struct vrf_plugin nft_plugin = {
	.abi = VRF_PLUGIN_ABI,
	.name = "nft",
	.keys = nft_keys,
	/* Before links (20): a new domain has its firewall before any of its
	 * links comes up. */
	.stage = 10,
	/* ALWAYS: a domain whose nft_file went away still owns tables. */
	.parse = nft_parse,
	.validate = nft_validate,
	.compare = nft_compare,
	.equal = nft_equal,
	.observe = nft_observe,
	.apply = nft_apply,
	.format = nft_format,
	.format_change = nft_format_change,
	.print_config = nft_print_config,
	.free = nft_free,
	.audit = nft_audit,
	.event = nft_event,
	.domain_release = nft_domain_release,
	.ns_release = nft_ns_release,
	.run_end = nft_run_end,
	.disruptive = nft_disruptive,
	.metrics = vnft_metrics,
};

VRF_PLUGIN_REGISTER(nft_plugin);
