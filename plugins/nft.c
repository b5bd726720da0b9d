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
 * bounded pool (see ctx_get()), because closing it right away would wait
 * for an RCU grace period (about 15 ms).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <netinet/in.h>		/* before the kernel's headers, which then yield */
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <nftables/libnftables.h>

#include "plugin.h"
#include "nl.h"
#include "nft.h"
#include "nft-metrics.h"

#define NFT_RECORD	"nft-tables"
#define NFT_FILE_MAX	(16u << 20)	/* a firewall file larger than this is a mistake */
#define NFT_DIFF_MAX	40		/* plan lines shown per changed table */
#define NFT_CTX_MAX	64		/* libnftables contexts open at once (see ctx_get) */
#define NFT_FD_ROOM	8		/* descriptors below FD_SETSIZE left to others */
#define NFT_SPENT	64		/* used scratch contexts closed together */
#define NFT_CACHE_DIR	"nft-cache"	/* under state_dir: canonical forms of files */
#define NFT_CACHE_MAGIC	"vrfmgr nft canonical form 1"
#define NFT_CACHE_KEEP	256		/* entries kept beyond the config's own */

/* The domain's nft_file, kept in vrf_domain_pdata(). */
struct nft_src {
	char *value;			/* as written after "nft_file =" */
	const char *path;		/* resolved; interned in the config */
	struct vrf_loc loc;		/* the nft_file line */
	char *text;			/* with its includes expanded (nft-include.c) */
	size_t len;
	struct vnft_origin *origin;	/* per line of text: the file it comes from */
	size_t n_origin;
	struct vnft_decls decls;	/* the tables it declares, in file order */
	uint64_t hash;			/* of text, to find files with the same input */
	bool checked;			/* validate() is done with it */
	size_t order;			/* place among the files check_all() checks */
	struct nft_src *twin;		/* an earlier file with the same input */
	bool from_cache;		/* canon was read from the cache, not made now */
	bool store;			/* canon was made now: observe() caches it */
	char *ident;			/* what else canon depends on (ident_make()) */
	int check_r;			/* what checking it gave (scratch_load()) */
	struct vnft_errs errs;		/* libnftables' complaints, for twins */
	struct nft_scratch *scratch;	/* the config's scratch namespace, if held here */
	bool canon_done;		/* canon and norm are filled */
	char *canon_text;		/* the listing canon was read from (a twin's: NULL) */
	struct vnft_listing canon;	/* the file as the kernel lists it back */
	char **norm;			/* per decl: normalized canonical text */
};

struct nft_table {
	struct vrf_obj obj;
	char *family, *name;
	struct nft_src *src;		/* desired: the file; NULL for a live table */
	size_t idx;			/* desired: index in src->decls */
	char *raw;			/* live: the table as listed statelessly */
	struct vnft_listing l;		/* live: raw, parsed */
	char *norm;			/* live: normalized */
};

static const struct vrf_plugin nft_plugin;

/* ---- small helpers ---- */

static bool decls_has(const struct vnft_decls *d, const char *family, const char *name)
{
	for (size_t i = 0; d && i < d->n; i++)
		if (!strcmp(d->v[i].family, family) && !strcmp(d->v[i].name, name))
			return true;
	return false;
}

static void decls_add(struct vnft_decls *d, const char *family, const char *name)
{
	if (decls_has(d, family, name))
		return;
	d->v = vnft_xrealloc(d->v, (d->n + 1) * sizeof(*d->v));
	d->v[d->n++] = (struct vnft_decl){ vnft_xstrdup(family), vnft_xstrdup(name), 0, 0 };
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
static int memfd_text(const char *text, size_t len)
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

static int read_all(int fd, char **ret, size_t *ret_len)
{
	struct vrf_buf b = { 0 };
	char chunk[65536];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		if (b.len + (size_t)n > NFT_FILE_MAX) {
			vrf_buf_free(&b);
			return -EFBIG;
		}
		vrf_buf_printf(&b, "%.*s", (int)n, chunk);
	}
	if (n < 0) {
		int r = -errno;

		vrf_buf_free(&b);
		return r;
	}
	*ret_len = b.len;
	*ret = vnft_xstrdup(vrf_buf_str(&b));
	vrf_buf_free(&b);
	return 0;
}

/* Does the text hold a NUL byte?  libnftables would stop reading there. */
static bool has_nul(const char *text, size_t len)
{
	return memchr(text, '\0', len) != NULL;
}

/* FNV-1a: files with the same bytes meet in check_all(). */
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
		vrf_error(cfg, &src->loc, "nft_file %s: %s", file, msg);
		return;
	}
	vrf_error(cfg, &at, "%s", msg);
}

/* The file that line `*line` of src's text comes from; *line and *col
 * become the place in that file. */
static const char *src_where(const struct nft_src *src, unsigned *line, unsigned *col)
{
	const struct vnft_text v = { .origin = src->origin, .n_origin = src->n_origin };
	const char *file;

	return vnft_text_where(&v, *line, *col, &file, line, col) ? file : src->path;
}

static void scan_diag(void *data, unsigned line, unsigned col, const char *msg)
{
	struct diag_ctx *dc = data;
	const char *file = src_where(dc->src, &line, &col);

	error_at(dc->cfg, dc->src, file, line, col, msg);
}

/* Print libnftables' complaints about the file; returns how many were
 * errors (warnings are printed, not counted). */
static unsigned report_errs(struct vrf_config *cfg, const struct nft_src *src,
			    const struct vnft_errs *errs)
{
	unsigned n = 0;

	for (size_t i = 0; i < errs->n; i++) {
		const struct vnft_err *e = &errs->v[i];
		unsigned line = e->line, col = e->col;
		const char *file = e->in_file ? src_where(src, &line, &col) :
				   e->file ? e->file : src->path;

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
static char *errs_oneline(const struct nft_src *src, const struct vnft_errs *errs)
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
			const char *file = src_where(src, &line, &col);

			vrf_buf_printf(&b, "%s:%u:%u: ", file, line, col);
		}
		vrf_buf_puts(&b, e->msg);
	}
	if (!b.len)
		vrf_buf_puts(&b, "libnftables refused the transaction");
	r = vnft_xstrdup(vrf_buf_str(&b));
	vrf_buf_free(&b);
	return r;
}

/* The errors are only "cannot read the ruleset: Operation not permitted":
 * the file parsed, and evaluating it needs privilege. */
static bool only_eperm(const struct vnft_errs *errs)
{
	bool eperm = false;

	for (size_t i = 0; i < errs->n; i++) {
		if (errs->v[i].warning)
			continue;
		if (errs->v[i].line || !strstr(errs->v[i].msg, "Operation not permitted"))
			return false;
		eperm = true;
	}
	return eperm;
}

/* Without privilege the kernel refuses libnftables' cache request; that is
 * expected and says nothing about the file. */
static void drop_eperm(struct vnft_errs *errs)
{
	size_t w = 0;

	for (size_t i = 0; i < errs->n; i++) {
		struct vnft_err *e = &errs->v[i];

		if (!e->line && strstr(e->msg, "Operation not permitted")) {
			free(e->msg);
			free(e->file);
			free(e->src);
			free(e->caret);
			continue;
		}
		errs->v[w++] = *e;
	}
	errs->n = w;
}

/* ---- libnftables contexts ---- */

static struct nft_ctx *ctx_setup(struct nft_ctx *ctx)
{
	if (!ctx)
		return NULL;
	if (nft_ctx_buffer_output(ctx) || nft_ctx_buffer_error(ctx)) {
		nft_ctx_free(ctx);
		return NULL;
	}
	return ctx;
}

/* Run cmd; on success copy the output to *ret_out (may be NULL), on failure
 * parse the error buffer into errs (fdpath marks locations in the file). */
static int ctx_run(struct nft_ctx *ctx, const char *cmd, const char *fdpath, bool from_file,
		   char **ret_out, struct vnft_errs *errs)
{
	int rc = from_file ? nft_run_cmd_from_filename(ctx, fdpath)
			   : nft_run_cmd_from_buffer(ctx, cmd);
	const char *out = nft_ctx_get_output_buffer(ctx);
	const char *err = nft_ctx_get_error_buffer(ctx);

	vrf_fault_point("nft command");

	/* The buffers are reused by the next command: copy now. */
	if (errs)
		vnft_errs_parse(err, fdpath, errs);
	if (rc == 0 && ret_out)
		*ret_out = vnft_xstrdup(out ? out : "");
	return rc == 0 ? 0 : -EINVAL;
}

struct nft_scratch;
static void scratch_flush(struct nft_scratch *s);
static struct nft_scratch *scratch_of(const struct vrf_config *cfg);

/*
 * The domains' contexts.  libnftables select()s on its netlink socket, which
 * aborts once the descriptor passes FD_SETSIZE, so vrfmgr cannot keep one
 * context per domain open for a whole run with thousands of domains.  And
 * closing a netfilter socket while a transaction's deferred destruction is
 * still pending in its namespace waits for an RCU grace period (measured
 * here: 15 ms after "add table; delete table; ...", 0.01 ms after a
 * listing).  So a context that only read is closed as soon as it has
 * answered; one that sent a transaction is kept, its cache dropped (about
 * 0.5 MB of hash tables libnftables would otherwise hold until the end), in
 * a pool of at most NFT_CTX_MAX contexts.  When the pool is full, or no
 * descriptor below FD_SETSIZE is free, the least recently used one is
 * closed: by then its transaction is long done and closing costs nothing
 * (an apply of 500 domains with a pool of 16 closed 1001 netfilter sockets
 * in 9.6 ms, none slower than 0.1 ms).  Each context kept holds about 128
 * KiB (libnftables' table hash), so the pool is not larger than it needs:
 * that apply took 1.47, 1.40 and 1.45 s with pools of 16, 64 and 256, and
 * 22.7, 29.0 and 54.1 MB.
 */
struct nft_lctx {
	struct nft_ctx *ctx;		/* NULL until libnftables is needed */
	struct vrf_ns *ns;
	struct nft_pool *pool;		/* NULL once it left the pool */
	struct nft_lctx *prev, *next;	/* most recently used first */
	bool changed;			/* a transaction went through it */
};

/* Run-wide state, in vrf_run_state(). */
struct nft_pool {
	struct nft_lctx *head, *tail;
	unsigned n;
	bool cache_gc_done;		/* cache_gc() ran */
};

static struct nft_pool *pool_get(struct vrf_run *run)
{
	struct nft_pool **slot = (struct nft_pool **)vrf_run_state(run, &nft_plugin);

	if (!*slot) {
		*slot = calloc(1, sizeof(**slot));
		if (!*slot)
			abort();
	}
	return *slot;
}

static void lctx_unlink(struct nft_lctx *e)
{
	struct nft_pool *pool = e->pool;

	if (!pool)
		return;
	if (e->prev)
		e->prev->next = e->next;
	else
		pool->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		pool->tail = e->prev;
	e->prev = e->next = NULL;
	e->pool = NULL;
	pool->n--;
}

static void lctx_push(struct nft_pool *pool, struct nft_lctx *e)
{
	e->pool = pool;
	e->prev = NULL;
	e->next = pool->head;
	if (pool->head)
		pool->head->prev = e;
	else
		pool->tail = e;
	pool->head = e;
	pool->n++;
}

static void lctx_free(struct nft_lctx *e)
{
	if (e->ctx)
		nft_ctx_free(e->ctx);
	free(e);
}

/* Close a context and forget it in its namespace. */
static void lctx_close(struct nft_lctx *e)
{
	lctx_unlink(e);
	*vrf_ns_state(e->ns, &nft_plugin) = NULL;
	lctx_free(e);
}

/* Make sure the socket of the next context gets a descriptor below
 * FD_SETSIZE: socket() takes the lowest free number, which a duplicate of
 * any descriptor shows. */
static int pool_fd_room(struct nft_pool *pool, struct vrf_ns *ns, const struct vrf_config *cfg)
{
	for (bool flushed = false;;) {
		int fd = fcntl(vrf_ns_fd(ns), F_DUPFD_CLOEXEC, 0);

		if (fd < 0)
			return -errno;
		close(fd);
		if (fd < FD_SETSIZE - NFT_FD_ROOM)
			return 0;
		if (!pool->tail && !flushed) {
			/* The scratch namespace's used contexts hold some. */
			scratch_flush(scratch_of(cfg));
			flushed = true;
			continue;
		}
		if (!pool->tail) {
			fprintf(stderr, "%s: no file descriptor below %d is free for libnftables, "
				"which cannot use higher ones\n", vrf_ns_name(ns), FD_SETSIZE);
			return -EMFILE;
		}
		lctx_close(pool->tail);
	}
}

/* The domain's entry in the pool, the most recently used now; a new one
 * holds nothing yet.  Give it back with ctx_done(). */
static struct nft_lctx *lctx_get(struct vrf_run *run, struct vrf_ns *ns)
{
	struct nft_pool *pool = pool_get(run);
	struct nft_lctx **slot = (struct nft_lctx **)vrf_ns_state(ns, &nft_plugin);
	struct nft_lctx *e = *slot;

	if (e) {
		lctx_unlink(e);
		lctx_push(pool, e);
		return e;
	}
	while (pool->n >= NFT_CTX_MAX)
		lctx_close(pool->tail);
	e = calloc(1, sizeof(*e));
	if (!e)
		abort();
	e->ns = ns;
	lctx_push(pool, e);
	*slot = e;
	return e;
}

/* The domain's libnftables context, opened inside the domain if it has
 * none. */
static struct nft_ctx *ctx_get(struct vrf_run *run, struct vrf_ns *ns, int *ret_err)
{
	struct nft_lctx *e = lctx_get(run, ns);
	struct nft_ctx *ctx;
	int r;

	if (e->ctx)
		return e->ctx;
	r = pool_fd_room(e->pool, ns, vrf_run_config(run));
	if (r < 0) {
		*ret_err = r;
		return NULL;
	}
	r = vrf_ns_enter(ns);
	if (r < 0) {
		*ret_err = r;
		return NULL;
	}
	ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	vrf_ns_leave(ns);
	e->ctx = ctx_setup(ctx);
	if (!e->ctx)
		*ret_err = -ENOMEM;
	return e->ctx;
}

/* Done with the domain's context for now; `changed`: a transaction was sent
 * through it (whether or not the kernel took it). */
static void ctx_done(struct vrf_ns *ns, bool changed)
{
	struct nft_lctx *e = *vrf_ns_state(ns, &nft_plugin);

	if (!e)
		return;
	e->changed |= changed;
	if (!e->changed) {
		lctx_close(e);
		return;
	}
	/* Running nothing makes libnftables drop its cache (two GETGEN
	 * requests, no change). */
	if (e->ctx)
		nft_run_cmd_from_buffer(e->ctx, "");
}

/* The engine lets go of a namespace (destroyed, or the run ends). */
static void nft_ns_release(struct vrf_ns *ns, void *state)
{
	struct nft_lctx *e = state;

	lctx_unlink(e);
	lctx_free(e);
}

/* At the end of the run every context still open is closed; the first one
 * may wait for the last transaction's grace period, the others do not. */
static void nft_run_end(struct vrf_run *run)
{
	struct nft_pool **slot = (struct nft_pool **)vrf_run_state(run, &nft_plugin);

	if (!*slot)
		return;
	while ((*slot)->head)
		lctx_close((*slot)->head);
	free(*slot);
	*slot = NULL;
}

/* Run a listing command (`list ruleset`, `list table F N`: one, because
 * libnftables 1.0.6 fills its cache for the first `list table` of a request
 * only, and fails the second) and append its output to out. */
static int list_text(struct nft_ctx *ctx, const char *cmd, bool stateless, struct vrf_buf *out)
{
	struct vnft_errs errs;
	char *text = NULL;
	int r;

	nft_ctx_output_set_flags(ctx, stateless ? NFT_CTX_OUTPUT_STATELESS : 0);
	r = ctx_run(ctx, cmd, NULL, false, &text, &errs);
	if (r < 0) {
		char *msg = errs_oneline(NULL, &errs);

		fprintf(stderr, "vrfmgr: nft %s: %s\n", cmd, msg);
		free(msg);
		r = -EIO;
	} else {
		vrf_buf_puts(out, text);
	}
	vnft_errs_free(&errs);
	free(text);
	return r;
}

static int listing_read(const char *text, struct vnft_listing *out)
{
	int r = vnft_listing_parse(text, out);

	if (r < 0)
		fprintf(stderr, "vrfmgr: cannot read libnftables' listing (unexpected format)\n");
	return r;
}

/* Run a listing command and read its output. */
static int list_cmd(struct nft_ctx *ctx, const char *cmd, bool stateless,
		    struct vnft_listing *out, char **ret_text)
{
	struct vrf_buf b = { 0 };
	int r;

	r = list_text(ctx, cmd, stateless, &b);
	if (r == 0)
		r = listing_read(vrf_buf_str(&b), out);
	if (r == 0 && ret_text)
		*ret_text = vnft_xstrdup(vrf_buf_str(&b));
	vrf_buf_free(&b);
	return r;
}

static int list_ruleset(struct nft_ctx *ctx, bool stateless, struct vnft_listing *out,
			char **ret_text)
{
	return list_cmd(ctx, "list ruleset", stateless, out, ret_text);
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
		decls_add(out, family, name);
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
	if (!nlh)
		return -ENOMEM;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = NFPROTO_UNSPEC;
	nfg->version = NFNETLINK_V0;
	return vrf_nl_dump(nl, nlh, table_cb, table_reset, out);
}

/* ---- the check and the canonical form ---- */

/* Check the canonical listing against the declared tables and normalize
 * each; twin, a file with the same bytes, may have the normal forms
 * already. */
static int canon_fill(struct vrf_config *cfg, struct nft_src *src, const struct nft_src *twin)
{
	unsigned bad = 0;

	/* The file must create exactly the tables the scanner saw: a table
	 * declared through an include, or deleted again, would break the
	 * ownership rule. */
	for (size_t i = 0; i < src->canon.n; i++) {
		const struct vnft_ltable *t = &src->canon.v[i];

		if (!decls_has(&src->decls, t->family, t->name)) {
			vrf_error(cfg, &src->loc, "nft_file %s creates table %s %s, but vrfmgr "
				  "cannot see it declared in the file itself (an include?); "
				  "declare every table in %s", src->path, t->family, t->name,
				  src->path);
			bad++;
		}
	}
	src->norm = vnft_xrealloc(NULL, (src->decls.n ? src->decls.n : 1) * sizeof(*src->norm));
	for (size_t i = 0; i < src->decls.n; i++) {
		const struct vnft_decl *dc = &src->decls.v[i];
		const struct vnft_ltable *t = vnft_listing_find(&src->canon, dc->family, dc->name);

		if (t && twin && twin->canon_done && twin->norm[i])
			src->norm[i] = vnft_xstrdup(twin->norm[i]);
		else
			src->norm[i] = t ? vnft_table_norm(t) : NULL;
		if (!t) {
			char where[PATH_MAX + 32];
			struct vrf_loc at = { where, 0 };
			unsigned line = dc->line, col = dc->col;
			const char *file = src_where(src, &line, &col);

			snprintf(where, sizeof(where), "%s:%u:%u", file, line, col);
			vrf_error(cfg, &at, "table %s %s does not exist once the file is loaded "
				  "(deleted again?)", dc->family, dc->name);
			bad++;
		}
	}
	src->canon_done = true;
	return bad ? -EINVAL : 0;
}

/*
 * The scratch namespace: one network namespace, made when the first file
 * must be loaded (unshare(CLONE_NEWNET), left at once) and used for every
 * file of the config, one after the other.  Each file gets a context of its
 * own (a `define` lives as long as the context that read it), and "flush
 * ruleset" first takes the previous file's tables away, or a file declaring
 * the same table would add to it.  Those flushes delete, and closing a
 * socket while a deletion's destruction is pending in the namespace waits
 * for an RCU grace period: so used contexts are kept (their caches
 * dropped) and closed together, when NFT_SPENT have gathered (one such
 * wait) or when the config goes, long after the last flush (none).  The
 * scratch belongs to the first file that needed it and lives as long as
 * the config, so that observe() can load a file again in the same
 * namespace.  Without CAP_SYS_ADMIN
 * (`check` as a user) no namespace can be made: each file is then parsed in
 * check mode in our own namespace, where the kernel refuses libnftables'
 * cache request (EPERM) before anything is evaluated.
 */
struct nft_scratch {
	int self;			/* our own namespace, to come back to */
	int nsfd;			/* the scratch namespace, or -1 */
	bool unprivileged;		/* none can be made: parse only */
	bool used;			/* a file's tables are loaded there */
	struct nft_ctx *spent[NFT_SPENT];
	size_t n_spent;
};

static struct nft_scratch *scratch_new(void)
{
	struct nft_scratch *s = calloc(1, sizeof(*s));

	if (!s)
		abort();
	s->self = s->nsfd = -1;
	return s;
}

static void scratch_flush(struct nft_scratch *s)
{
	for (size_t i = 0; s && i < s->n_spent; i++)
		nft_ctx_free(s->spent[i]);
	if (s)
		s->n_spent = 0;
}

static void scratch_free(struct nft_scratch *s)
{
	if (!s)
		return;
	scratch_flush(s);
	if (s->nsfd >= 0)
		close(s->nsfd);
	if (s->self >= 0)
		close(s->self);
	free(s);
}

static int scratch_open(struct nft_scratch *s)
{
	int r = 0;

	if (s->nsfd >= 0 || s->unprivileged)
		return 0;
	if (s->self < 0) {
		s->self = vrf_fd_high(open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
		if (s->self < 0)
			return -errno;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		if (errno != EPERM)
			return -errno;
		s->unprivileged = true;
		return 0;
	}
	s->nsfd = vrf_fd_high(open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
	if (s->nsfd < 0)
		r = -errno;
	if (setns(s->self, CLONE_NEWNET) < 0) {
		fprintf(stderr, "vrfmgr: cannot return to own network namespace: %s\n",
			strerror(errno));
		abort();	/* nothing after this would be safe */
	}
	return r;
}

/* A new context in the scratch namespace (or, unprivileged, a check-mode
 * one here); its socket must get a descriptor below FD_SETSIZE. */
static struct nft_ctx *scratch_ctx(struct nft_scratch *s, int *ret_err)
{
	struct nft_ctx *ctx;
	int fd = fcntl(s->self, F_DUPFD_CLOEXEC, 0);

	if (fd >= FD_SETSIZE - NFT_FD_ROOM) {
		close(fd);
		scratch_flush(s);
		fd = fcntl(s->self, F_DUPFD_CLOEXEC, 0);
	}
	if (fd < 0 || fd >= FD_SETSIZE - NFT_FD_ROOM) {
		*ret_err = fd < 0 ? -errno : -EMFILE;
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	close(fd);
	if (s->unprivileged) {
		ctx = ctx_setup(nft_ctx_new(NFT_CTX_DEFAULT));
		if (ctx)
			nft_ctx_set_dry_run(ctx, true);
	} else {
		if (setns(s->nsfd, CLONE_NEWNET) < 0) {
			*ret_err = -errno;
			return NULL;
		}
		/* nft_ctx_new() opens its netlink socket at once, in here. */
		ctx = nft_ctx_new(NFT_CTX_DEFAULT);
		if (setns(s->self, CLONE_NEWNET) < 0) {
			fprintf(stderr, "vrfmgr: cannot return to own network namespace: %s\n",
				strerror(errno));
			abort();
		}
		ctx = ctx_setup(ctx);
	}
	if (!ctx)
		*ret_err = -ENOMEM;
	return ctx;
}

static void scratch_done(struct nft_scratch *s, struct nft_ctx *ctx)
{
	if (s->unprivileged) {
		nft_ctx_free(ctx);	/* it changed nothing: closing is free */
		return;
	}
	nft_run_cmd_from_buffer(ctx, "");	/* drop its cache */
	if (s->n_spent == NFT_SPENT)
		scratch_flush(s);
	s->spent[s->n_spent++] = ctx;
}

/*
 * Load the file into the scratch namespace for real and list it back
 * statelessly into *ret_text: the kernel's canonical form of its tables.
 * Returns 0, -EINVAL with the file's errors in errs, -EPERM when it could
 * only be parsed (warnings in errs), or another -errno.
 */
static int scratch_load(struct nft_scratch *s, const struct nft_src *src, struct vnft_errs *errs,
			char **ret_text)
{
	struct vrf_buf text = { 0 };
	struct nft_ctx *ctx;
	char fdpath[32];
	int memfd = -1, r;

	*ret_text = NULL;
	r = scratch_open(s);
	if (r < 0)
		return r;
	ctx = scratch_ctx(s, &r);
	if (!ctx)
		return r;
	if (s->used) {
		r = ctx_run(ctx, "flush ruleset", NULL, false, NULL, NULL);
		if (r < 0) {
			r = -EIO;
			goto out;
		}
		s->used = false;
	}
	/* The text has its includes expanded: libnftables opens no file. */
	nft_ctx_clear_include_paths(ctx);
	memfd = memfd_text(src->text, src->len);
	if (memfd < 0) {
		r = memfd;
		goto out;
	}
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", memfd);
	r = ctx_run(ctx, NULL, fdpath, true, NULL, errs);
	if (r < 0) {
		r = s->unprivileged && only_eperm(errs) ? -EPERM : -EINVAL;
		if (s->unprivileged)
			drop_eperm(errs);
		goto out;
	}
	if (s->unprivileged) {
		r = -EPERM;	/* parsed, but not loaded */
		goto out;
	}
	s->used = true;
	r = list_text(ctx, "list ruleset", true, &text);
	if (r == 0)
		*ret_text = vnft_xstrdup(vrf_buf_str(&text));
out:
	vrf_buf_free(&text);
	if (memfd >= 0)
		close(memfd);
	scratch_done(s, ctx);
	return r;
}

static void canon_clear(struct nft_src *src)
{
	if (src->norm)
		for (size_t i = 0; i < src->decls.n; i++)
			free(src->norm[i]);
	free(src->norm);
	src->norm = NULL;
	vnft_listing_free(&src->canon);
	free(src->canon_text);
	src->canon_text = NULL;
	vnft_errs_free(&src->errs);
	src->canon_done = false;
}

/* Take text (malloc'd) as the file's canonical listing (twin: see
 * canon_fill()). */
static int canon_set(struct vrf_config *cfg, struct nft_src *src, char *text,
		     const struct nft_src *twin)
{
	int r;

	src->canon_text = text;
	r = listing_read(text, &src->canon);
	if (r < 0)
		return r;
	return canon_fill(cfg, src, twin);
}

/* Tell what checking the file found (cfg may be NULL: print only). */
static void check_report(struct vrf_config *cfg, const struct nft_src *src, int r,
			 const struct vnft_errs *errs)
{
	if (r == 0 || r == -EINVAL || r == -EPERM)
		report_errs(cfg, src, errs);
	else
		vrf_error(cfg, &src->loc, "nft_file %s: cannot check it: %s", src->path,
			  strerror(-r));
}

/* Check the file with libnftables in the scratch namespace, and keep its
 * canonical form.  Returns as scratch_load() does. */
static int src_check(struct vrf_config *cfg, struct nft_scratch *s, struct nft_src *src)
{
	char *text;
	int r;

	canon_clear(src);
	src->from_cache = false;
	r = scratch_load(s, src, &src->errs, &text);
	src->check_r = r;
	check_report(cfg, src, r, &src->errs);
	if (r == 0)
		r = canon_set(cfg, src, text, NULL);
	return r;
}

/* The same result for a file with the same input as twin, checked before. */
static int src_copy(struct vrf_config *cfg, struct nft_src *src, const struct nft_src *twin)
{
	int r;

	canon_clear(src);
	src->check_r = twin->check_r;
	src->from_cache = twin->from_cache;
	check_report(cfg, src, twin->check_r, &twin->errs);
	if (!twin->canon_text)
		return twin->check_r;
	r = canon_set(cfg, src, vnft_xstrdup(twin->canon_text), twin);
	/* The text is twin's to store; the parsed form is all src needs. */
	free(src->canon_text);
	src->canon_text = NULL;
	return r;
}

static struct nft_src *domain_src(const struct vrf_domain *d);

/* The config's scratch namespace, held by one of its files, or NULL. */
static struct nft_scratch *scratch_of(const struct vrf_config *cfg)
{
	for (size_t i = 0; cfg && i < cfg->n_domains; i++) {
		struct nft_src *src = domain_src(cfg->domains[i]);

		if (src && src->scratch)
			return src->scratch;
	}
	return NULL;
}

/* The config's scratch namespace; src holds it when there is none yet. */
static struct nft_scratch *scratch_get(const struct vrf_config *cfg, struct nft_src *src)
{
	struct nft_scratch *s = scratch_of(cfg);

	if (!s)
		s = src->scratch = scratch_new();
	return s;
}

/* Load the file again in the scratch namespace (observe(), audit()): the
 * canonical form is missing (validate() ran without privilege) or may be
 * stale. */
static int src_recheck(struct vrf_run *run, struct nft_src *src)
{
	int r = src_check(NULL, scratch_get(vrf_run_config(run), src), src);

	if (r == -EPERM)
		fprintf(stderr, "%s: cannot load the firewall into a scratch namespace to "
			"compare it: %s\n", src->path, strerror(EPERM));
	return r;
}

/* observe() and audit() need the canonical form; validate() made it unless
 * it ran without privilege. */
static int src_canon(struct vrf_run *run, struct nft_src *src)
{
	return src->canon_done ? 0 : src_recheck(run, src);
}

/*
 * The cache of canonical forms: STATE_DIR/nft-cache/HASH.canon holds the
 * listing that loading a file gave, after a header with the file's bytes
 * and an identity of everything else the listing depends on (ident_make()).
 * An entry is used only when both match byte for byte, so an unchanged file
 * is not loaded into the scratch namespace again on the next run.  Only
 * observe() writes entries (`check` never does), and when a live table
 * differs from a form that came from the cache, the file is loaded again
 * before that is believed (cache_verify()): a stale entry cannot make drift.
 */

static void ident_file(struct vrf_buf *b, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		vrf_buf_printf(b, " %s -", path);
	else
		vrf_buf_printf(b, " %s %llu:%llu:%lld:%lld.%09ld", path,
			       (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
			       (long long)st.st_size, (long long)st.st_mtim.tv_sec,
			       st.st_mtim.tv_nsec);
}

static int ident_lib(struct dl_phdr_info *info, size_t size, void *data)
{
	const char *base = strrchr(info->dlpi_name, '/');

	base = base ? base + 1 : info->dlpi_name;
	if (!strncmp(base, "libnftables.so", 14) || !strncmp(base, "libnftnl.so", 11))
		ident_file(data, info->dlpi_name);
	return 0;
}

/* What the canonical listing of a file depends on besides its bytes: the
 * code that renders it (libnftables and libnftnl, as loaded, or vrfmgr
 * itself when they are linked in), the kernel that stores what the file
 * says, and the files libnftables resolves names through.  One line. */
static const char *const ident_files[] = {
	"/etc/hosts", "/etc/services", "/etc/protocols", "/etc/passwd", "/etc/group",
	"/etc/nsswitch.conf", "/etc/connlabel.conf", "/etc/iproute2/rt_realms",
	"/etc/iproute2/rt_marks", "/etc/iproute2/group", NULL
};

static char *ident_make(void)
{
	struct vrf_buf b = { 0 };
	struct utsname u;
	size_t before;
	char *r;

	if (uname(&u) == 0)
		vrf_buf_printf(&b, "%s %s;", u.release, u.version);
	before = b.len;
	dl_iterate_phdr(ident_lib, &b);
	if (!strstr(vrf_buf_str(&b) + before, "libnftables"))
		ident_file(&b, "/proc/self/exe");
	for (size_t i = 0; ident_files[i]; i++)
		ident_file(&b, ident_files[i]);
	r = vnft_xstrdup(vrf_buf_str(&b));
	vrf_buf_free(&b);
	for (char *p = r; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return r;
}

static char *cache_dir(const struct vrf_config *cfg)
{
	char *p;

	if (asprintf(&p, "%s/" NFT_CACHE_DIR, cfg->state_dir) < 0)
		abort();
	return p;
}

/* The entry's name in the cache folder: HASH.canon. */
static void cache_name(char name[static 24], uint64_t hash)
{
	snprintf(name, 24, "%016llx.canon", (unsigned long long)hash);
}

/* Read the entry of src into memory if it is one vrfmgr wrote: a state
 * file (vrfmgr/state.c) of root's (or ours) that nobody else may write. */
static char *cache_read(const struct vrf_config *cfg, const struct nft_src *src, size_t *ret_len)
{
	char name[24], *text = NULL;

	cache_name(name, src->hash);
	if (vrf_state_read(cfg, NFT_CACHE_DIR, name, &text, ret_len) < 0)
		return NULL;
	return text;
}

/* Is the listing what src's tables must give?  (A listing that does not
 * fit is a broken entry: it is not used.) */
static bool listing_fits(const struct nft_src *src, const struct vnft_listing *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (!decls_has(&src->decls, l->v[i].family, l->v[i].name))
			return false;
	for (size_t i = 0; i < src->decls.n; i++)
		if (!vnft_listing_find(l, src->decls.v[i].family, src->decls.v[i].name))
			return false;
	return true;
}

/* src's canonical form from the cache: 0, or -ENOENT when there is no
 * entry for exactly this input. */
static int cache_load(struct vrf_config *cfg, struct nft_src *src, const char *ident)
{
	struct vnft_listing l = { 0 };
	size_t len, hlen = strlen(NFT_CACHE_MAGIC), ilen = strlen(ident);
	char *text = cache_read(cfg, src, &len), *p, *end;
	unsigned long long flen;
	int r = -ENOENT;

	if (!text)
		return -ENOENT;
	p = text;
	end = text + len;
	/* NFT_CACHE_MAGIC "\n" IDENT "\n" LENGTH "\n" FILE LISTING */
	if ((size_t)(end - p) < hlen + 1 || memcmp(p, NFT_CACHE_MAGIC "\n", hlen + 1))
		goto out;
	p += hlen + 1;
	if ((size_t)(end - p) < ilen + 1 || memcmp(p, ident, ilen) || p[ilen] != '\n')
		goto out;
	p += ilen + 1;
	errno = 0;
	flen = strtoull(p, &p, 10);
	if (errno || p >= end || *p != '\n' || flen != src->len)
		goto out;
	p++;
	if ((size_t)(end - p) < src->len || memcmp(p, src->text, src->len))
		goto out;
	p += src->len;
	if (vnft_listing_parse(p, &l) < 0 || !listing_fits(src, &l))
		goto out;
	canon_clear(src);
	if (canon_set(cfg, src, vnft_xstrdup(p), NULL) == 0) {
		src->from_cache = true;
		src->check_r = 0;
		r = 0;
	}
out:
	vnft_listing_free(&l);
	free(text);
	return r;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

/* Once a run: when the cache holds more than NFT_CACHE_KEEP entries beyond
 * one per file of the config, drop those no file of the config uses. */
static void cache_gc(const struct vrf_config *cfg)
{
	char *dir = cache_dir(cfg);
	DIR *dp = opendir(dir);
	uint64_t *used = vnft_xrealloc(NULL, (cfg->n_domains + 1) * sizeof(*used));
	size_t n_used = 0, n = 0;
	struct dirent *e;

	free(dir);
	if (!dp)
		goto out;
	while ((e = readdir(dp)))
		n += strlen(e->d_name) == 22 && !strcmp(e->d_name + 16, ".canon");
	if (n <= NFT_CACHE_KEEP + cfg->n_domains)
		goto out;
	for (size_t i = 0; i < cfg->n_domains; i++) {
		const struct nft_src *src = domain_src(cfg->domains[i]);

		if (src)
			used[n_used++] = src->hash;
	}
	qsort(used, n_used, sizeof(*used), cmp_u64);
	rewinddir(dp);
	while ((e = readdir(dp))) {
		char *stop;
		uint64_t h;

		if (strlen(e->d_name) != 22 || strcmp(e->d_name + 16, ".canon"))
			continue;
		h = strtoull(e->d_name, &stop, 16);
		if (stop == e->d_name + 16 && !bsearch(&h, used, n_used, sizeof(*used), cmp_u64))
			unlinkat(dirfd(dp), e->d_name, 0);
	}
out:
	if (dp)
		closedir(dp);
	free(used);
}

/* Write src's entry (atomically: a reader sees the old one or the new). */
static void cache_store(struct vrf_run *run, struct nft_src *src)
{
	const struct vrf_config *cfg = vrf_run_config(run);
	struct nft_pool *pool = pool_get(run);
	struct vrf_buf b = { 0 };
	char name[24];
	int r;

	src->store = false;
	if (!src->ident)
		src->ident = ident_make();
	cache_name(name, src->hash);
	vrf_buf_printf(&b, NFT_CACHE_MAGIC "\n%s\n%zu\n", src->ident, src->len);
	vrf_buf_printf(&b, "%.*s", (int)src->len, src->text);
	vrf_buf_puts(&b, src->canon_text);
	r = vrf_state_write(cfg, NFT_CACHE_DIR, name, vrf_buf_str(&b), b.len);
	vrf_buf_free(&b);
	if (r == 0 && !pool->cache_gc_done) {
		pool->cache_gc_done = true;
		cache_gc(cfg);
	}
	if (r < 0 && vrf_run_verbose(run) > 0)
		fprintf(stderr, "vrfmgr: cannot write %s/" NFT_CACHE_DIR "/%s: %s\n", cfg->state_dir,
			name, strerror(-r));
}

/* Does the live table (family, name, normalized) differ from src's form
 * of it, which came from the cache?  Then that form must be made again
 * before a difference is believed. */
static bool canon_doubtful(const struct nft_src *src, const char *family, const char *name,
			   const char *norm)
{
	if (!src || !src->from_cache || !src->canon_done)
		return false;
	for (size_t k = 0; k < src->decls.n; k++)
		if (!strcmp(src->decls.v[k].family, family) && !strcmp(src->decls.v[k].name, name))
			return !src->norm[k] || !norm || strcmp(src->norm[k], norm);
	return false;
}

/* Load the file again (its cached form is in doubt) and keep the new form;
 * when it differs from the cached one, the entry was stale and is
 * replaced, else the drift is real. */
static int canon_redo(struct vrf_run *run, struct nft_src *src)
{
	const char *was = src->canon_text ? src->canon_text :
			  src->twin && src->twin->canon_text ? src->twin->canon_text : "";
	char *old = vnft_xstrdup(was);
	int r = src_recheck(run, src);

	if (r == 0 && !src->errs.n && strcmp(old, src->canon_text))
		src->store = true;
	free(old);
	return r;
}

/* Store the form made in this run for src's bytes, if not stored yet: src
 * made it (loaded again), or the earlier file whose twin it is did. */
static void canon_keep(struct vrf_run *run, struct nft_src *src)
{
	struct nft_src *keeper = src && src->store ? src : src ? src->twin : NULL;

	if (keeper && keeper->store && keeper->canon_done && keeper->canon_text)
		cache_store(run, keeper);
}

/* Do a and b give libnftables the same input?  Then checking one is
 * checking both.  Sorts files with the same input next to each other, in
 * config order. */
static int cmp_input(const void *x, const void *y)
{
	const struct nft_src *a = *(struct nft_src *const *)x, *b = *(struct nft_src *const *)y;
	int c;

	if (a->hash != b->hash)
		return a->hash < b->hash ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	c = memcmp(a->text, b->text, a->len);
	if (!c && a->order != b->order)
		c = a->order < b->order ? -1 : 1;
	return c;
}

static bool same_input(const struct nft_src *a, const struct nft_src *b)
{
	return a->hash == b->hash && a->len == b->len && !memcmp(a->text, b->text, a->len);
}

/* Check every file of the config that has not been checked, in config
 * order; a file with the same input as an earlier one gets its result. */
static void check_all(struct vrf_config *cfg)
{
	struct nft_src **v = NULL, **sorted = NULL;
	struct nft_scratch *s = NULL;
	char *ident = NULL;
	size_t n = 0;

	for (size_t i = 0; i < cfg->n_domains; i++) {
		struct nft_src *src = domain_src(cfg->domains[i]);

		if (!src || src->checked)
			continue;
		v = vnft_xrealloc(v, (n + 1) * sizeof(*v));
		src->order = n;
		src->twin = NULL;
		v[n++] = src;
	}
	sorted = vnft_xrealloc(NULL, (n ? n : 1) * sizeof(*sorted));
	memcpy(sorted, v, n * sizeof(*v));
	qsort(sorted, n, sizeof(*sorted), cmp_input);
	for (size_t i = 1; i < n; i++)
		if (same_input(sorted[i - 1], sorted[i]))
			sorted[i]->twin = sorted[i - 1]->twin ? sorted[i - 1]->twin : sorted[i - 1];
	for (size_t i = 0; i < n; i++) {
		struct nft_src *src = v[i];

		src->checked = true;
		if (src->twin) {
			src_copy(cfg, src, src->twin);
			continue;
		}
		if (!ident)
			ident = ident_make();
		if (cache_load(cfg, src, ident) == 0)
			continue;
		if (!s)
			s = scratch_get(cfg, src);
		/* What loaded without a word is stored by observe(): a
		 * warning is shown on every check, the cache would hide it. */
		if (src_check(cfg, s, src) == 0 && !src->errs.n) {
			src->store = true;
			src->ident = vnft_xstrdup(ident);
		}
	}
	/* The used contexts stay open until the config goes (or descriptors
	 * run short): closed now, the first would wait for the last flush's
	 * grace period (18-25 ms measured here), closed after the run, none
	 * waits. */
	free(ident);
	free(v);
	free(sorted);
}

static int nft_validate(struct vrf_config *cfg, struct vrf_domain *d)
{
	const struct nft_src *src = domain_src(d);

	if (src && !src->checked)
		check_all(cfg);
	return 0;
}

/* ---- parse ---- */

static void src_free(struct nft_src *src)
{
	if (!src)
		return;
	canon_clear(src);
	scratch_free(src->scratch);
	free(src->ident);
	free(src->value);
	free(src->text);
	free(src->origin);
	vnft_decls_free(&src->decls);
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
	int r = vnft_expand(cfg, src->path, fd, src->text, src->len, &x);

	if (r < 0)
		return r;
	free(src->text);
	src->text = x.text;
	src->len = x.len;
	src->origin = x.origin;
	src->n_origin = x.n_origin;
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
			  "put the domain's tables in one file", d->name, (*slot)->loc.file,
			  (*slot)->loc.line);
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
	src = calloc(1, sizeof(*src));
	if (!src)
		abort();
	src->value = vnft_xstrdup(value);
	src->path = vrf_config_intern(cfg, path);
	src->loc = *loc;
	free(path);
	*slot = src;
	src->checked = true;	/* until it is known to be worth checking */
	r = read_all(fd, &src->text, &src->len);
	if (r < 0) {
		close(fd);
		vrf_error(cfg, loc, "nft_file %s: %s", src->path,
			  r == -EFBIG ? "larger than 16 MiB" : strerror(-r));
		return -EINVAL;
	}
	if (has_nul(src->text, src->len)) {
		close(fd);
		vrf_error(cfg, loc, "nft_file %s: contains a NUL byte; not an nft file", src->path);
		return -EINVAL;
	}
	/* Includes are read here, each file checked as this one was; the
	 * text libnftables gets includes nothing. */
	r = src_expand(cfg, src, fd);
	close(fd);
	if (r < 0)
		return -EINVAL;
	src->hash = text_hash(src->text, src->len);
	/* libnftables checks the file in validate(), all files at once, and
	 * even when the scan complained, so that one check shows every
	 * problem of the file. */
	src->checked = false;
	dc = (struct diag_ctx){ cfg, src };
	r = vnft_scan_tables(src->text, src->len, &src->decls, scan_diag, &dc);
	if (r < 0)
		return -EINVAL;
	for (size_t i = 0; i < src->decls.n; i++) {
		unsigned line = src->decls.v[i].line, col = src->decls.v[i].col;
		struct vrf_loc at = { src_where(src, &line, &col), line };
		struct nft_table *t = vrf_obj_new(&nft_plugin, sizeof(*t), &at);

		t->family = vnft_xstrdup(src->decls.v[i].family);
		t->name = vnft_xstrdup(src->decls.v[i].name);
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
		vrf_buf_printf(out, "nft_file = %s\n", src->value);
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
		return t->src->canon_done ? t->src->norm[t->idx] : NULL;
	return t->norm;
}

static const struct vnft_ltable *table_listing(const struct nft_table *t)
{
	if (t->src)
		return t->src->canon_done ?
		       vnft_listing_find(&t->src->canon, t->family, t->name) : NULL;
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
static int record_read(const struct vrf_config *cfg, const char *domain, struct vnft_decls *out)
{
	char *text = NULL, *line, *next;
	size_t len;
	int r;

	memset(out, 0, sizeof(*out));
	r = vrf_state_read(cfg, domain, NFT_RECORD, &text, &len);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	for (line = text; *line; line = next) {
		char family[16], name[256];

		next = strchrnul(line, '\n');
		if (*next)
			*next++ = '\0';
		if (sscanf(line, "%15s %255s", family, name) == 2 && vnft_family_valid(family))
			decls_add(out, family, name);
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

static struct nft_src *domain_src(const struct vrf_domain *d)
{
	return d ? *vrf_domain_pdata_const(d, &nft_plugin) : NULL;
}

static struct nft_table *live_table(const struct vnft_ltable *lt)
{
	struct nft_table *t = vrf_obj_new(&nft_plugin, sizeof(*t), NULL);

	t->family = vnft_xstrdup(lt->family);
	t->name = vnft_xstrdup(lt->name);
	t->raw = vnft_xstrdup(lt->raw ? lt->raw : "");
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
			ctx_done(ns, false);
			goto out;
		}
		for (size_t i = 0; i < names.n; i++) {
			const struct vnft_decl *t = &names.v[i];

			if (decls_has(decl, t->family, t->name) || decls_has(rec, t->family, t->name))
				decls_add(&owned, t->family, t->name);
			else
				decls_add(unowned, t->family, t->name);
		}
		vnft_decls_free(&names);
		if (!owned.n) {
			ctx_done(ns, false);
			goto out;
		}
		ctx = ctx_get(run, ns, &r);
		if (!ctx) {
			ctx_done(ns, false);
			goto out;
		}
		if (!unowned->n)
			r = list_text(ctx, "list ruleset", true, &text);
		for (size_t i = 0; unowned->n && r == 0 && i < owned.n; i++) {
			char *cmd;

			if (asprintf(&cmd, "list table %s %s", owned.v[i].family,
				     owned.v[i].name) < 0)
				abort();
			r = list_text(ctx, cmd, true, &text);
			free(cmd);
		}
		ctx_done(ns, false);
		if (r == 0 || tries == 1)
			break;
	}
	if (r == 0)
		r = listing_read(vrf_buf_str(&text), live);
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
	struct nft_src *src = domain_src(d);
	struct vnft_decls rec, unowned = { 0 };
	struct vnft_listing live = { 0 };
	size_t first;
	int r;

	r = record_read(cfg, vrf_ns_name(ns), &rec);
	if (r < 0) {
		fprintf(stderr, "%s: cannot read the record of owned nftables tables: %s\n",
			vrf_ns_name(ns), strerror(-r));
		return r;
	}
	/* Nothing declared, nothing owned: no reason to look. */
	if (!src && rec.n == 0)
		return 0;
	if (src) {
		r = src_canon(run, src);
		if (r < 0)
			goto out;
	}
	r = list_owned(run, ns, src ? &src->decls : NULL, &rec, &live, &unowned);
	if (r < 0)
		goto out;
	first = out->n;
	for (size_t i = 0; i < live.n; i++) {
		const struct vnft_ltable *lt = &live.v[i];

		/* `list ruleset` may show a table made after the dump. */
		if (decls_has(src ? &src->decls : NULL, lt->family, lt->name) ||
		    decls_has(&rec, lt->family, lt->name))
			vrf_objv_push(out, &live_table(lt)->obj);
		else
			decls_add(&unowned, lt->family, lt->name);
	}
	for (size_t i = first; src && i < out->n; i++) {
		const struct nft_table *t = (const struct nft_table *)out->v[i];

		if (canon_doubtful(src, t->family, t->name, t->norm)) {
			r = canon_redo(run, src);
			if (r < 0)
				goto out;
			break;
		}
	}
	canon_keep(run, src);
	/* The note of the plan: whenever the domain is planned, not with -q. */
	for (size_t i = 0; src && vrf_run_verbose(run) >= 0 && i < unowned.n; i++)
		fprintf(stderr, "%s: note: nftables table %s %s is not declared in %s; "
			"left alone (unmanaged)\n", vrf_ns_name(ns), unowned.v[i].family,
			unowned.v[i].name, src->path);
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
	for (size_t i = 0; file && i < file->decls.n; i++) {
		const struct vnft_decl *dc = &file->decls.v[i];
		const struct vrf_op *op = op_for(ops, n, dc->family, dc->name);
		const struct vnft_ltable *want = file->canon_done ?
			vnft_listing_find(&file->canon, dc->family, dc->name) : NULL;
		const struct vnft_ltable *have = op ? op->have ?
			table_listing((const struct nft_table *)op->have) : NULL : want;

		append_refill(cmd, after, dc->family, dc->name, have, want);
		decls_add(added, dc->family, dc->name);
	}
	for (size_t i = 0; i < n; i++) {
		const struct nft_table *t = (const struct nft_table *)(ops[i].want ? ops[i].want :
								      ops[i].have);

		if (ops[i].kind == VRF_OP_DEL) {
			append_reset(cmd, t->family, t->name);
			decls_add(deleted, t->family, t->name);
			continue;
		}
		if (t->src || (file && decls_has(&file->decls, t->family, t->name)))
			continue;
		append_refill(cmd, after, t->family, t->name,
			      ops[i].have ? table_listing((const struct nft_table *)ops[i].have) :
			      NULL, table_listing(t));
		decls_add(added, t->family, t->name);
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

	r = record_read(cfg, vrf_ns_name(ns), &rec_old);
	if (r < 0)
		goto fail_all;
	for (size_t i = 0; i < n; i++)
		if (ops[i].kind != VRF_OP_DEL && ((const struct nft_table *)ops[i].want)->src)
			file = ((const struct nft_table *)ops[i].want)->src;
	batch_build(ops, n, file, &cmd, &restore, &after, &added, &deleted);
	if (file) {
		memfd = memfd_text(file->text, file->len);
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
		decls_add(&rec_new, rec_old.v[i].family, rec_old.v[i].name);
	for (size_t i = 0; i < added.n; i++)
		decls_add(&rec_new, added.v[i].family, added.v[i].name);
	r = record_write(cfg, vrf_ns_name(ns), &rec_new);
	if (r < 0)
		goto fail_all;
	ctx = ctx_get(run, ns, &r);
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
	r = ctx_run(ctx, vrf_buf_str(&cmd), fdpath[0] ? fdpath : NULL, false, NULL, &errs);
	ctx_done(ns, true);
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
		char *msg = errs.n ? errs_oneline(file, &errs) : NULL;

		for (size_t i = 0; i < n; i++) {
			ops[i].err = r < 0 && r != -EINVAL ? r : -EINVAL;
			ops[i].errmsg = msg ? vnft_xstrdup(msg) : r != -EINVAL && r < 0 ?
					vnft_xstrdup(strerror(-r)) : NULL;
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

/* ---- audit ---- */

enum tstate { T_IN_SYNC, T_DRIFT, T_MISSING, T_EXTRA, T_UNMANAGED };

static const char *const tstate_text[] = { "in sync", "drift", "missing", "extra", "unmanaged" };
static const char *const tstate_json[] = { "in_sync", "drift", "missing", "extra", "unmanaged" };

struct audit {
	struct vrf_buf *out;
	bool json;
	bool first_table;
};

static void json_kv(struct vrf_buf *b, const char *key, const char *value, bool comma)
{
	if (comma)
		vrf_buf_puts(b, ",");
	vrf_buf_json_str(b, key);
	vrf_buf_puts(b, ":");
	if (value)
		vrf_buf_json_str(b, value);
	else
		vrf_buf_puts(b, "null");
}

struct rule_walk {
	struct audit *a;
	char **hdisp;		/* live rules as shown (with counters) */
	size_t n_hdisp;
	char **wdisp;		/* the file's rules */
	bool first;
	const char *key;	/* "rule" in a chain, "line" in a set */
};

static void audit_rule(struct rule_walk *rw, const char *text, const char *state)
{
	struct vrf_buf *b = rw->a->out;
	unsigned long long pk, by;

	if (rw->a->json) {
		vrf_buf_puts(b, rw->first ? "{" : ",{");
		json_kv(b, rw->key, text, false);
		if (state)
			json_kv(b, "state", state, true);
		if (vnft_rule_counter(text, &pk, &by))
			vrf_buf_printf(b, ",\"packets\":%llu,\"bytes\":%llu", pk, by);
		vrf_buf_puts(b, "}");
	} else if (!state || !strcmp(state, "in_sync")) {
		vrf_buf_printf(b, "        %s\n", text);
	} else {
		vrf_buf_printf(b, "      %s: %s\n", state, text);
	}
	rw->first = false;
}

static void audit_align_cb(void *data, char op, long ia, long ib)
{
	struct rule_walk *rw = data;

	if (op == ' ')
		audit_rule(rw, (size_t)ia < rw->n_hdisp ? rw->hdisp[ia] : "?", "in_sync");
	else if (op == '-')
		audit_rule(rw, (size_t)ia < rw->n_hdisp ? rw->hdisp[ia] : "?", "extra");
	else
		audit_rule(rw, rw->wdisp[ib], "missing");
}

/* One block (chain, set, ...) of a table.  h: live (stateless), hf: live
 * as shown (with counters), w: the file's; any of them may be NULL. */
static void audit_block(struct audit *a, const struct vnft_lblock *h, const struct vnft_lblock *hf,
			const struct vnft_lblock *w, enum tstate ts, bool *first)
{
	const struct vnft_lblock *any = h ? h : w;
	bool chain = !strcmp(any->kind, "chain");
	char **hn = NULL, **hd = NULL, **wn = NULL, **wd = NULL, **fn = NULL, **fd = NULL;
	char *hspec = NULL, *wspec = NULL, *fspec = NULL;
	size_t nh = 0, nw = 0, nf = 0;
	const char *state;
	struct vnft_chain_spec cs;
	bool spec_ok;
	struct vrf_buf *b = a->out;
	struct rule_walk rw = { .a = a, .first = true, .key = "rule" };

	if (h)
		vnft_block_split(h, &hn, &hd, &nh, &hspec);
	if (hf)
		vnft_block_split(hf, &fn, &fd, &nf, &fspec);
	if (w)
		vnft_block_split(w, &wn, &wd, &nw, &wspec);
	if (ts == T_UNMANAGED || ts == T_EXTRA) {
		state = tstate_json[ts];
	} else if (!h) {
		state = "missing";
	} else if (!w) {
		state = "extra";
	} else {
		char *x = vnft_block_norm(h), *y = vnft_block_norm(w);

		state = strcmp(x, y) ? "drift" : "in_sync";
		free(x);
		free(y);
	}
	/* Rules are shown with their counters when the stateful listing
	 * lines up with the stateless one (it always should). */
	rw.hdisp = hf && nf == nh ? fd : hd;
	rw.n_hdisp = nh;
	rw.wdisp = wd;
	if (!chain)
		rw.key = "line";
	spec_ok = vnft_chain_spec_parse(h ? hspec : wspec, &cs);
	if (a->json) {
		vrf_buf_puts(b, *first ? "{" : ",{");
		json_kv(b, "kind", any->kind, false);
		json_kv(b, "name", any->name, true);
		if (chain) {
			json_kv(b, "type", spec_ok ? cs.type : NULL, true);
			json_kv(b, "hook", spec_ok ? cs.hook : NULL, true);
			json_kv(b, "priority", spec_ok ? cs.priority : NULL, true);
			json_kv(b, "policy", spec_ok ? cs.policy : NULL, true);
			if (spec_ok && cs.device)
				json_kv(b, "device", cs.device, true);
		}
		json_kv(b, "state", state, true);
		if (chain && h && w && strcmp(hspec, wspec))
			json_kv(b, "file_spec", wspec, true);
		if (chain) {
			vrf_buf_puts(b, ",\"rules\":[");
		} else {
			vrf_buf_puts(b, ",\"lines\":[");
		}
	} else {
		vrf_buf_printf(b, "    %s %s", any->kind, any->name);
		if (chain && (h ? hspec : wspec)[0])
			vrf_buf_printf(b, " (%s)", h ? hspec : wspec);
		vrf_buf_printf(b, ": %s\n", !strcmp(state, "in_sync") ? "in sync" : state);
		if (chain && h && w && strcmp(hspec, wspec))
			vrf_buf_printf(b, "      the file has: %s\n", wspec[0] ? wspec : "(no type)");
	}
	if (!chain && h && w && nh == nw && ts != T_UNMANAGED && ts != T_EXTRA) {
		/* Sets, maps, named objects: line by line, and the elements of
		 * a set one by one. */
		for (size_t i = 0; i < nh; i++) {
			char **he, **we;
			size_t nhe, nwe, x = 0, y = 0;

			if (!strcmp(hn[i], wn[i])) {
				audit_rule(&rw, rw.hdisp[i], "in_sync");
				continue;
			}
			if (!vnft_elements(hn[i], &he, &nhe) || !vnft_elements(wn[i], &we, &nwe)) {
				vnft_strv_free(he, nhe);
				audit_rule(&rw, rw.hdisp[i], "extra");
				audit_rule(&rw, wd[i], "missing");
				continue;
			}
			audit_rule(&rw, rw.hdisp[i], "drift");
			while (x < nhe || y < nwe) {
				int c = x == nhe ? 1 : y == nwe ? -1 : strcmp(he[x], we[y]);
				char *el;

				if (c == 0) {
					x++, y++;
					continue;
				}
				if (asprintf(&el, "element %s", c < 0 ? he[x] : we[y]) < 0)
					abort();
				audit_rule(&rw, el, c < 0 ? "extra" : "missing");
				free(el);
				if (c < 0)
					x++;
				else
					y++;
			}
			vnft_strv_free(he, nhe);
			vnft_strv_free(we, nwe);
		}
	} else if (ts == T_UNMANAGED || ts == T_EXTRA || !w || !h) {
		/* Nothing to line up: show what is there. */
		for (size_t i = 0; i < (h ? nh : nw); i++)
			audit_rule(&rw, h ? rw.hdisp[i] : wd[i],
				   ts == T_UNMANAGED || ts == T_EXTRA ? NULL : !h ? "missing" : "extra");
	} else {
		vnft_align(hn, nh, wn, nw, audit_align_cb, &rw);
	}
	if (a->json)
		vrf_buf_puts(b, "]}");
	*first = false;
	if (spec_ok)
		vnft_chain_spec_free(&cs);
	vnft_strv_free(hn, nh);
	vnft_strv_free(hd, nh);
	vnft_strv_free(fn, nf);
	vnft_strv_free(fd, nf);
	vnft_strv_free(wn, nw);
	vnft_strv_free(wd, nw);
	free(hspec);
	free(fspec);
	free(wspec);
}

static void audit_table(struct audit *a, const struct vnft_ltable *h, const struct vnft_ltable *hf,
			const struct vnft_ltable *w, enum tstate ts, const char *why)
{
	const struct vnft_ltable *any = h ? h : w;
	struct vrf_buf *b = a->out;
	bool first = true;

	if (a->json) {
		char *id;

		if (asprintf(&id, "%s %s", any->family, any->name) < 0)
			abort();
		vrf_buf_puts(b, a->first_table ? "{" : ",{");
		json_kv(b, "table", id, false);
		json_kv(b, "family", any->family, true);
		json_kv(b, "name", any->name, true);
		json_kv(b, "state", tstate_json[ts], true);
		vrf_buf_printf(b, ",\"managed\":%s", ts == T_UNMANAGED ? "false" : "true");
		free(id);
		if (ts == T_DRIFT) {
			struct vrf_buf d = { 0 };
			const char *p;

			vnft_table_diff(w, h, &d, "", 0);
			vrf_buf_puts(b, ",\"diff\":[");
			p = vrf_buf_str(&d);
			for (bool f = true; *p; f = false) {
				const char *e;

				p++;	/* the '\n' in front of each line */
				e = strchrnul(p, '\n');
				{
					char *line = vnft_xstrndup(p, (size_t)(e - p));

					if (!f)
						vrf_buf_puts(b, ",");
					vrf_buf_json_str(b, line);
					free(line);
				}
				p = e;
			}
			vrf_buf_puts(b, "]");
			vrf_buf_free(&d);
		}
		vrf_buf_puts(b, ",\"blocks\":[");
	} else {
		vrf_buf_printf(b, "  table %s %s: %s%s%s%s\n", any->family, any->name,
			       tstate_text[ts], why ? " (" : "", why ? why : "", why ? ")" : "");
	}
	a->first_table = false;
	for (size_t i = 0; h && i < h->n_blocks; i++) {
		const struct vnft_lblock *hb = &h->blocks[i];

		audit_block(a, hb, vnft_table_block(hf, hb->kind, hb->name),
			    vnft_table_block(w, hb->kind, hb->name), ts, &first);
	}
	for (size_t i = 0; w && i < w->n_blocks; i++) {
		const struct vnft_lblock *wb = &w->blocks[i];

		if (!vnft_table_block(h, wb->kind, wb->name))
			audit_block(a, NULL, NULL, wb, ts, &first);
	}
	if (a->json)
		vrf_buf_puts(b, "]}");
}

static int nft_audit(struct vrf_run *run, struct vrf_ns *ns, const struct vrf_domain *d,
		     struct vrf_buf *out, bool json)
{
	const struct vrf_config *cfg = vrf_run_config(run);
	struct nft_src *src = domain_src(d);
	struct vnft_listing live = { 0 }, full = { 0 };
	struct vnft_decls rec = { 0 };
	struct audit a = { .out = out, .json = json, .first_table = true };
	struct nft_ctx *ctx;
	char *why = NULL;
	int r;

	r = record_read(cfg, vrf_ns_name(ns), &rec);
	if (r < 0)
		goto out;
	if (src && src_canon(run, src) < 0)
		src = NULL;	/* reported; the live tables are still shown */
	ctx = ctx_get(run, ns, &r);
	if (!ctx)
		goto out;
	r = list_ruleset(ctx, true, &live, NULL);
	if (r == 0)
		r = list_ruleset(ctx, false, &full, NULL);
	ctx_done(ns, false);
	if (r < 0)
		goto out;
	for (size_t i = 0; src && i < live.n; i++) {
		char *norm = vnft_table_norm(&live.v[i]);
		bool doubt = canon_doubtful(src, live.v[i].family, live.v[i].name, norm);

		free(norm);
		if (doubt) {
			if (canon_redo(run, src) < 0)
				src = NULL;	/* reported; the live tables are still shown */
			break;
		}
	}
	if (json)
		vrf_buf_puts(out, "\"firewall\":[");
	else if (!live.n && !(src && src->decls.n))
		vrf_buf_puts(out, "  firewall: no tables\n");
	if (asprintf(&why, "not declared in %s; left alone",
		     src ? src->path : "an nft_file") < 0)
		abort();
	for (size_t i = 0; i < live.n; i++) {
		const struct vnft_ltable *h = &live.v[i];
		const struct vnft_ltable *hf = vnft_listing_find(&full, h->family, h->name);
		bool declared = src && decls_has(&src->decls, h->family, h->name);
		const struct vnft_ltable *w = declared ?
					      vnft_listing_find(&src->canon, h->family, h->name) : NULL;

		if (declared) {
			char *x = vnft_table_norm(h), *y = w ? vnft_table_norm(w) : NULL;

			audit_table(&a, h, hf, w, y && !strcmp(x, y) ? T_IN_SYNC : T_DRIFT, NULL);
			free(x);
			free(y);
		} else if (decls_has(&rec, h->family, h->name)) {
			audit_table(&a, h, hf, NULL, T_EXTRA,
				    "owned, no longer in the file; apply deletes it");
		} else {
			audit_table(&a, h, hf, NULL, T_UNMANAGED, why);
		}
	}
	for (size_t i = 0; src && i < src->decls.n; i++) {
		const struct vnft_decl *dc = &src->decls.v[i];
		const struct vnft_ltable *w = vnft_listing_find(&src->canon, dc->family, dc->name);

		if (!vnft_listing_find(&live, dc->family, dc->name) && w)
			audit_table(&a, NULL, NULL, w, T_MISSING, NULL);
	}
	if (json)
		vrf_buf_puts(out, "]");
out:
	free(why);
	vnft_listing_free(&live);
	vnft_listing_free(&full);
	vnft_decls_free(&rec);
	/* Drift of owned tables is in the plan already; unmanaged tables are
	 * not drift. */
	return r < 0 ? r : 0;
}

/* ---- metrics (the samples are made in nft-metrics.c) ---- */

int vnft_list_state(struct vrf_run *run, struct vrf_ns *ns, struct vrf_obj *const *live,
		    size_t n, struct vrf_buf *out)
{
	struct nft_ctx *ctx;
	int r = 0;

	if (!n)
		return 0;
	ctx = ctx_get(run, ns, &r);
	if (!ctx)
		return r;
	/* Stateful (counters, set elements) and with handles, a table per
	 * request as list_text() explains. */
	nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_HANDLE);
	for (size_t i = 0; r == 0 && i < n; i++) {
		const struct nft_table *t = (const struct nft_table *)live[i];
		char *cmd, *text = NULL;

		if (asprintf(&cmd, "list table %s %s", t->family, t->name) < 0)
			abort();
		r = ctx_run(ctx, cmd, NULL, false, &text, NULL);
		if (r < 0)
			fprintf(stderr, "%s: nft %s failed\n", vrf_ns_name(ns), cmd);
		else
			vrf_buf_puts(out, text);
		free(text);
		free(cmd);
	}
	ctx_done(ns, false);
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

static const struct vrf_plugin nft_plugin = {
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
