/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the files of the nft plugin share; not an interface of vrfmgr.
 *
 *   nft.c        the plugin table: parse, observe, apply, the record of
 *                owned tables, diagnostics
 *   nft-ctx.c    libnftables contexts: the domains' pool and the scratch
 *                namespace files are loaded into
 *   nft-form.c   the check, the canonical form of a file and its cache
 *   nft-audit.c  audit()
 *   nft-text.c, nft-include.c, nft-refill.c: text only (nft.h)
 */
#ifndef VRF_PLUGIN_NFT_INT_H
#define VRF_PLUGIN_NFT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <nftables/libnftables.h>

#include "plugin.h"
#include "nft.h"

struct nft_scratch;

/* An nft_file as parse() read it: what it says, and nothing derived from
 * loading it. */
struct nft_file {
	char *value;			/* as written after "nft_file =" */
	const char *path;		/* resolved; interned in the config */
	struct vrf_loc loc;		/* the nft_file line */
	char *text;			/* with its includes expanded (nft-include.c) */
	size_t len;
	struct vnft_origin *origin;	/* per line of text: the file it comes from */
	size_t n_origin;
	struct vnft_decls decls;	/* the tables it declares, in file order */
	uint64_t hash;			/* of text, to find files with the same input */
};

/* Where a file's canonical form stands.  Every state but the first two has
 * the form (listing and norm filled). */
enum nft_form_state {
	NFT_FORM_UNCHECKED,		/* validate() has not checked the file yet */
	NFT_FORM_NONE,			/* checked (or not worth checking): no form */
	NFT_FORM_MADE,			/* loaded in the scratch namespace, or a twin's */
	NFT_FORM_TO_STORE,		/* made in this run, cleanly: observe() caches it */
	NFT_FORM_CACHED,		/* read from the cache, not made now */
};

/* The kernel's canonical form of a file (see canon_fill()). */
struct nft_form {
	enum nft_form_state state;
	int check_r;			/* what checking it gave (nftp_scratch_load()) */
	struct vnft_errs errs;		/* libnftables' complaints, for twins */
	char *ident;			/* what else the form depends on (ident_make()) */
	char *text;			/* the listing it was read from (a twin's: NULL) */
	struct vnft_listing listing;	/* the file as the kernel lists it back */
	char **norm;			/* per decl: normalized canonical text */
};

static inline bool form_ready(const struct nft_form *f)
{
	return f->state >= NFT_FORM_MADE;
}

/* The domain's nft_file, kept in vrf_domain_pdata(). */
struct nft_src {
	struct nft_file file;
	struct nft_form form;
	size_t order;			/* place among the files nftp_check_all() checks */
	struct nft_src *twin;		/* an earlier file with the same input */
	struct nft_scratch *scratch;	/* the config's scratch namespace, if held here */
};

struct nft_table {
	struct vrf_obj obj;
	char *family, *name;
	struct nft_src *src;		/* desired: the file; NULL for a live table */
	size_t idx;			/* desired: index in src->file.decls */
	char *raw;			/* live: the table as listed statelessly */
	struct vnft_listing l;		/* live: raw, parsed */
	char *norm;			/* live: normalized */
};


extern const struct vrf_plugin nft_plugin;

/* ---- nft.c ---- */

bool nftp_decls_has(const struct vnft_decls *d, const char *family, const char *name);
void nftp_decls_add(struct vnft_decls *d, const char *family, const char *name);
/* A memfd holding text: libnftables reads it as /proc/self/fd/N. */
int nftp_memfd_text(const char *text, size_t len);
/* The file that line *line of src's text comes from; *line and *col
 * become the place in that file. */
const char *nftp_src_where(const struct nft_src *src, unsigned *line, unsigned *col);
/* Print libnftables' complaints about the file; how many were errors. */
unsigned nftp_report_errs(struct vrf_config *cfg, const struct nft_src *src,
			  const struct vnft_errs *errs);
/* libnftables' errors as one line, locations in the file translated. */
char *nftp_errs_oneline(const struct nft_src *src, const struct vnft_errs *errs);
/* The domain's nft_file, or NULL. */
struct nft_src *nftp_domain_src(const struct vrf_domain *d);
/* The tables the record says vrfmgr owns in domain's namespace. */
int nftp_record_read(const struct vrf_config *cfg, const char *domain, struct vnft_decls *out);

/* ---- nft-ctx.c ---- */

/* Run cmd (or, from_file, the file fdpath) in ctx; see the definition. */
int nftp_ctx_run(struct nft_ctx *ctx, const char *cmd, const char *fdpath, bool from_file,
		 char **ret_out, struct vnft_errs *errs);
/* The domain's libnftables context, opened inside the domain if it has
 * none; give it back with nftp_ctx_done(). */
struct nft_ctx *nftp_ctx_get(struct vrf_run *run, struct vrf_ns *ns, int *ret_err);
/* Done with it for now; changed: a transaction was sent through it. */
void nftp_ctx_done(struct vrf_ns *ns, bool changed);
void nft_ns_release(struct vrf_ns *ns, void *state);
void nft_run_end(struct vrf_run *run);
/* True the first time a run asks: the cache is cleaned once a run. */
bool nftp_cache_gc_due(struct vrf_run *run);
/* Run a listing command and append its output to out. */
int nftp_list_text(struct nft_ctx *ctx, const char *cmd, bool stateless, struct vrf_buf *out);
/* Read libnftables' listing; -EINVAL (reported) when it is none. */
int nftp_listing_read(const char *text, struct vnft_listing *out);
int nftp_list_ruleset(struct nft_ctx *ctx, bool stateless, struct vnft_listing *out,
		      char **ret_text);
void nftp_scratch_free(struct nft_scratch *s);
/* The config's scratch namespace; src holds it when there is none yet. */
struct nft_scratch *nftp_scratch_get(const struct vrf_config *cfg, struct nft_src *src);
/* Load src in the scratch namespace and list it back statelessly. */
int nftp_scratch_load(struct nft_scratch *s, const struct nft_src *src, struct vnft_errs *errs,
		      char **ret_text);

/* ---- nft-form.c ---- */

void nftp_canon_clear(struct nft_src *src);
/* The canonical form for observe() and audit(), made now if missing. */
int nftp_src_canon(struct vrf_run *run, struct nft_src *src);
/* A live table differs from a form that came from the cache. */
bool nftp_canon_doubtful(const struct nft_src *src, const char *family, const char *name,
			 const char *norm);
/* Make the form again (the cached one is in doubt). */
int nftp_canon_redo(struct vrf_run *run, struct nft_src *src);
/* Store in the cache the form made in this run for src's bytes. */
void nftp_canon_keep(struct vrf_run *run, struct nft_src *src);
/* Check every file of the config not checked yet (validate()). */
void nftp_check_all(struct vrf_config *cfg);

/* ---- nft-audit.c ---- */

int nft_audit(struct vrf_run *run, struct vrf_ns *ns, const struct vrf_domain *d,
	      struct vrf_buf *out, bool json);

#endif
