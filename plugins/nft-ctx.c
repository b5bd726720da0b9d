/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft: libnftables contexts.  The domains' contexts live in a bounded pool
 * (opened inside the domain, kept after a transaction, see below), and the
 * config's files are loaded into one scratch network namespace for their
 * canonical form (see struct nft_scratch).  Split from nft.c (issue 13).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#include "nft-int.h"

#define NFT_CTX_MAX	64		/* libnftables contexts open at once (see nftp_ctx_get) */
#define NFT_FD_ROOM	8		/* descriptors below FD_SETSIZE left to others */
#define NFT_SPENT	64		/* used scratch contexts closed together */

struct nft_scratch;
static void scratch_flush(struct nft_scratch *s);
static struct nft_scratch *scratch_of(const struct vrf_config *cfg);

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
int nftp_ctx_run(struct nft_ctx *ctx, const char *cmd, const char *fdpath, bool from_file,
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
		*ret_out = vrf_strdup(out ? out : "");
	return rc == 0 ? 0 : -EINVAL;
}

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
		*slot = vrf_calloc(1, sizeof(**slot));
	}
	return *slot;
}

bool nftp_cache_gc_due(struct vrf_run *run)
{
	struct nft_pool *pool = pool_get(run);
	bool due = !pool->cache_gc_done;

	pool->cache_gc_done = true;
	return due;
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
 * holds nothing yet.  Give it back with nftp_ctx_done(). */
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
	e = vrf_calloc(1, sizeof(*e));
	e->ns = ns;
	lctx_push(pool, e);
	*slot = e;
	return e;
}

/* The domain's libnftables context, opened inside the domain if it has
 * none. */
struct nft_ctx *nftp_ctx_get(struct vrf_run *run, struct vrf_ns *ns, int *ret_err)
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
void nftp_ctx_done(struct vrf_ns *ns, bool changed)
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
void nft_ns_release(struct vrf_ns *ns, void *state)
{
	struct nft_lctx *e = state;

	lctx_unlink(e);
	lctx_free(e);
}

/* At the end of the run every context still open is closed; the first one
 * may wait for the last transaction's grace period, the others do not. */
void nft_run_end(struct vrf_run *run)
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
int nftp_list_text(struct nft_ctx *ctx, const char *cmd, bool stateless, struct vrf_buf *out)
{
	struct vnft_errs errs;
	char *text = NULL;
	int r;

	nft_ctx_output_set_flags(ctx, stateless ? NFT_CTX_OUTPUT_STATELESS : 0);
	r = nftp_ctx_run(ctx, cmd, NULL, false, &text, &errs);
	if (r < 0) {
		char *msg = nftp_errs_oneline(NULL, &errs);

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

int nftp_listing_read(const char *text, struct vnft_listing *out)
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

	r = nftp_list_text(ctx, cmd, stateless, &b);
	if (r == 0)
		r = nftp_listing_read(vrf_buf_str(&b), out);
	if (r == 0 && ret_text)
		*ret_text = vrf_strdup(vrf_buf_str(&b));
	vrf_buf_free(&b);
	return r;
}

int nftp_list_ruleset(struct nft_ctx *ctx, bool stateless, struct vnft_listing *out,
		      char **ret_text)
{
	return list_cmd(ctx, "list ruleset", stateless, out, ret_text);
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
	struct nft_scratch *s = vrf_calloc(1, sizeof(*s));
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

void nftp_scratch_free(struct nft_scratch *s)
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
int nftp_scratch_load(struct nft_scratch *s, const struct nft_src *src, struct vnft_errs *errs,
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
		r = nftp_ctx_run(ctx, "flush ruleset", NULL, false, NULL, NULL);
		if (r < 0) {
			r = -EIO;
			goto out;
		}
		s->used = false;
	}
	/* The text has its includes expanded: libnftables opens no file. */
	nft_ctx_clear_include_paths(ctx);
	memfd = nftp_memfd_text(src->file.text, src->file.len);
	if (memfd < 0) {
		r = memfd;
		goto out;
	}
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", memfd);
	r = nftp_ctx_run(ctx, NULL, fdpath, true, NULL, errs);
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
	r = nftp_list_text(ctx, "list ruleset", true, &text);
	if (r == 0)
		*ret_text = vrf_strdup(vrf_buf_str(&text));
out:
	vrf_buf_free(&text);
	if (memfd >= 0)
		close(memfd);
	scratch_done(s, ctx);
	return r;
}

/* The config's scratch namespace, held by one of its files, or NULL. */
static struct nft_scratch *scratch_of(const struct vrf_config *cfg)
{
	for (size_t i = 0; cfg && i < cfg->n_domains; i++) {
		struct nft_src *src = nftp_domain_src(cfg->domains[i]);

		if (src && src->scratch)
			return src->scratch;
	}
	return NULL;
}

/* The config's scratch namespace; src holds it when there is none yet. */
struct nft_scratch *nftp_scratch_get(const struct vrf_config *cfg, struct nft_src *src)
{
	struct nft_scratch *s = scratch_of(cfg);

	if (!s)
		s = src->scratch = scratch_new();
	return s;
}
