/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft: the check of the config's files and their canonical forms (what the
 * kernel lists back once a file is loaded), with the cache of those forms
 * in STATE_DIR/nft-cache.  The state of a file's form is struct nft_form's
 * `state` (nft-int.h).  Split from nft.c (issue 13).
 */
#include <dirent.h>
#include <errno.h>
#include <link.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "nft-int.h"

#define NFT_CACHE_DIR	"nft-cache"	/* under state_dir: canonical forms of files */
#define NFT_CACHE_MAGIC	"vrfmgr nft canonical form 1"
#define NFT_CACHE_KEEP	256		/* entries kept beyond the config's own */

/* Check the canonical listing against the declared tables and normalize
 * each; twin, a file with the same bytes, may have the normal forms
 * already. */
static int canon_fill(struct vrf_config *cfg, struct nft_src *src, const struct nft_src *twin)
{
	unsigned bad = 0;

	/* The file must create exactly the tables the scanner saw: a table
	 * declared through an include, or deleted again, would break the
	 * ownership rule. */
	for (size_t i = 0; i < src->form.listing.n; i++) {
		const struct vnft_ltable *t = &src->form.listing.v[i];

		if (!nftp_decls_has(&src->file.decls, t->family, t->name)) {
			vrf_error(cfg, &src->file.loc, "nft_file %s creates table %s %s, but vrfmgr "
				  "cannot see it declared in the file itself (an include?); "
				  "declare every table in %s", src->file.path, t->family, t->name,
				  src->file.path);
			bad++;
		}
	}
	src->form.norm = vrf_realloc(NULL, (src->file.decls.n ? src->file.decls.n : 1) * sizeof(*src->form.norm), 1);
	for (size_t i = 0; i < src->file.decls.n; i++) {
		const struct vnft_decl *dc = &src->file.decls.v[i];
		const struct vnft_ltable *t = vnft_listing_find(&src->form.listing, dc->family, dc->name);

		if (t && twin && form_ready(&twin->form) && twin->form.norm[i])
			src->form.norm[i] = vrf_strdup(twin->form.norm[i]);
		else
			src->form.norm[i] = t ? vnft_table_norm(t) : NULL;
		if (!t) {
			char where[PATH_MAX + 32];
			struct vrf_loc at = { where, 0 };
			unsigned line = dc->line, col = dc->col;
			const char *file = nftp_src_where(src, &line, &col);

			snprintf(where, sizeof(where), "%s:%u:%u", file, line, col);
			vrf_error(cfg, &at, "table %s %s does not exist once the file is loaded "
				  "(deleted again?)", dc->family, dc->name);
			bad++;
		}
	}
	src->form.state = NFT_FORM_MADE;
	return bad ? -EINVAL : 0;
}

void nftp_canon_clear(struct nft_src *src)
{
	if (src->form.norm)
		for (size_t i = 0; i < src->file.decls.n; i++)
			free(src->form.norm[i]);
	free(src->form.norm);
	src->form.norm = NULL;
	vnft_listing_free(&src->form.listing);
	free(src->form.text);
	src->form.text = NULL;
	vnft_errs_free(&src->form.errs);
	src->form.state = NFT_FORM_NONE;
}

/* Take text (malloc'd) as the file's canonical listing (twin: see
 * canon_fill()). */
static int canon_set(struct vrf_config *cfg, struct nft_src *src, char *text,
		     const struct nft_src *twin)
{
	int r;

	src->form.text = text;
	r = nftp_listing_read(text, &src->form.listing);
	if (r < 0)
		return r;
	return canon_fill(cfg, src, twin);
}

/* Tell what checking the file found (cfg may be NULL: print only). */
static void check_report(struct vrf_config *cfg, const struct nft_src *src, int r,
			 const struct vnft_errs *errs)
{
	if (r == 0 || r == -EINVAL || r == -EPERM)
		nftp_report_errs(cfg, src, errs);
	else
		vrf_error(cfg, &src->file.loc, "nft_file %s: cannot check it: %s", src->file.path,
			  strerror(-r));
}

/* Check the file with libnftables in the scratch namespace, and keep its
 * canonical form.  Returns as nftp_scratch_load() does. */
static int src_check(struct vrf_config *cfg, struct nft_scratch *s, struct nft_src *src)
{
	char *text;
	int r;

	nftp_canon_clear(src);
	r = nftp_scratch_load(s, src, &src->form.errs, &text);
	src->form.check_r = r;
	check_report(cfg, src, r, &src->form.errs);
	if (r == 0)
		r = canon_set(cfg, src, text, NULL);
	return r;
}

/* The same result for a file with the same input as twin, checked before. */
static int src_copy(struct vrf_config *cfg, struct nft_src *src, const struct nft_src *twin)
{
	int r;

	nftp_canon_clear(src);
	src->form.check_r = twin->form.check_r;
	check_report(cfg, src, twin->form.check_r, &twin->form.errs);
	if (!twin->form.text)
		return twin->form.check_r;
	r = canon_set(cfg, src, vrf_strdup(twin->form.text), twin);
	if (form_ready(&src->form) && twin->form.state == NFT_FORM_CACHED)
		src->form.state = NFT_FORM_CACHED;
	/* The text is twin's to store; the parsed form is all src needs. */
	free(src->form.text);
	src->form.text = NULL;
	return r;
}

/* Load the file again in the scratch namespace (observe(), audit()): the
 * canonical form is missing (validate() ran without privilege) or may be
 * stale. */
static int src_recheck(struct vrf_run *run, struct nft_src *src)
{
	int r = src_check(NULL, nftp_scratch_get(vrf_run_config(run), src), src);

	if (r == -EPERM)
		fprintf(stderr, "%s: cannot load the firewall into a scratch namespace to "
			"compare it: %s\n", src->file.path, strerror(EPERM));
	return r;
}

/* observe() and audit() need the canonical form; validate() made it unless
 * it ran without privilege. */
int nftp_src_canon(struct vrf_run *run, struct nft_src *src)
{
	return form_ready(&src->form) ? 0 : src_recheck(run, src);
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
	r = vrf_strdup(vrf_buf_str(&b));
	vrf_buf_free(&b);
	for (char *p = r; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return r;
}

static char *cache_dir(const struct vrf_config *cfg)
{
	char *p;

	p = vrf_asprintf("%s/" NFT_CACHE_DIR, cfg->state_dir);
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

	cache_name(name, src->file.hash);
	if (vrf_state_read(cfg, NFT_CACHE_DIR, name, &text, ret_len) < 0)
		return NULL;
	return text;
}

/* Is the listing what src's tables must give?  (A listing that does not
 * fit is a broken entry: it is not used.) */
static bool listing_fits(const struct nft_src *src, const struct vnft_listing *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (!nftp_decls_has(&src->file.decls, l->v[i].family, l->v[i].name))
			return false;
	for (size_t i = 0; i < src->file.decls.n; i++)
		if (!vnft_listing_find(l, src->file.decls.v[i].family, src->file.decls.v[i].name))
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
	if (errno || p >= end || *p != '\n' || flen != src->file.len)
		goto out;
	p++;
	if ((size_t)(end - p) < src->file.len || memcmp(p, src->file.text, src->file.len))
		goto out;
	p += src->file.len;
	if (vnft_listing_parse(p, &l) < 0 || !listing_fits(src, &l))
		goto out;
	nftp_canon_clear(src);
	if (canon_set(cfg, src, vrf_strdup(p), NULL) == 0) {
		src->form.state = NFT_FORM_CACHED;
		src->form.check_r = 0;
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
	uint64_t *used = vrf_realloc(NULL, (cfg->n_domains + 1) * sizeof(*used), 1);
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
		const struct nft_src *src = nftp_domain_src(cfg->domains[i]);

		if (src)
			used[n_used++] = src->file.hash;
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
	struct vrf_buf b = { 0 };
	char name[24];
	int r;

	src->form.state = NFT_FORM_MADE;
	if (!src->form.ident)
		src->form.ident = ident_make();
	cache_name(name, src->file.hash);
	vrf_buf_printf(&b, NFT_CACHE_MAGIC "\n%s\n%zu\n", src->form.ident, src->file.len);
	vrf_buf_printf(&b, "%.*s", (int)src->file.len, src->file.text);
	vrf_buf_puts(&b, src->form.text);
	r = vrf_state_write(cfg, NFT_CACHE_DIR, name, vrf_buf_str(&b), b.len);
	vrf_buf_free(&b);
	if (r == 0 && nftp_cache_gc_due(run))
		cache_gc(cfg);
	if (r < 0 && vrf_run_verbose(run) > 0)
		fprintf(stderr, "vrfmgr: cannot write %s/" NFT_CACHE_DIR "/%s: %s\n", cfg->state_dir,
			name, strerror(-r));
}

/* Does the live table (family, name, normalized) differ from src's form
 * of it, which came from the cache?  Then that form must be made again
 * before a difference is believed. */
bool nftp_canon_doubtful(const struct nft_src *src, const char *family, const char *name,
			 const char *norm)
{
	if (!src || src->form.state != NFT_FORM_CACHED)
		return false;
	for (size_t k = 0; k < src->file.decls.n; k++)
		if (!strcmp(src->file.decls.v[k].family, family) && !strcmp(src->file.decls.v[k].name, name))
			return !src->form.norm[k] || !norm || strcmp(src->form.norm[k], norm);
	return false;
}

/* Load the file again (its cached form is in doubt) and keep the new form;
 * when it differs from the cached one, the entry was stale and is
 * replaced, else the drift is real. */
int nftp_canon_redo(struct vrf_run *run, struct nft_src *src)
{
	const char *was = src->form.text ? src->form.text :
			  src->twin && src->twin->form.text ? src->twin->form.text : "";
	char *old = vrf_strdup(was);
	int r = src_recheck(run, src);

	if (r == 0 && !src->form.errs.n && strcmp(old, src->form.text))
		src->form.state = NFT_FORM_TO_STORE;
	free(old);
	return r;
}

/* Store the form made in this run for src's bytes, if not stored yet: src
 * made it (loaded again), or the earlier file whose twin it is did. */
void nftp_canon_keep(struct vrf_run *run, struct nft_src *src)
{
	struct nft_src *keeper = src && src->form.state == NFT_FORM_TO_STORE ? src :
				src ? src->twin : NULL;

	if (keeper && keeper->form.state == NFT_FORM_TO_STORE && keeper->form.text)
		cache_store(run, keeper);
}

/* Do a and b give libnftables the same input?  Then checking one is
 * checking both.  Sorts files with the same input next to each other, in
 * config order. */
static int cmp_input(const void *x, const void *y)
{
	const struct nft_src *a = *(struct nft_src *const *)x, *b = *(struct nft_src *const *)y;
	int c;

	if (a->file.hash != b->file.hash)
		return a->file.hash < b->file.hash ? -1 : 1;
	if (a->file.len != b->file.len)
		return a->file.len < b->file.len ? -1 : 1;
	c = memcmp(a->file.text, b->file.text, a->file.len);
	if (!c && a->order != b->order)
		c = a->order < b->order ? -1 : 1;
	return c;
}

static bool same_input(const struct nft_src *a, const struct nft_src *b)
{
	return a->file.hash == b->file.hash && a->file.len == b->file.len && !memcmp(a->file.text, b->file.text, a->file.len);
}

/* Check every file of the config that has not been checked, in config
 * order; a file with the same input as an earlier one gets its result. */
void nftp_check_all(struct vrf_config *cfg)
{
	struct nft_src **v = NULL, **sorted = NULL;
	struct nft_scratch *s = NULL;
	char *ident = NULL;
	size_t n = 0;

	for (size_t i = 0; i < cfg->n_domains; i++) {
		struct nft_src *src = nftp_domain_src(cfg->domains[i]);

		if (!src || src->form.state != NFT_FORM_UNCHECKED)
			continue;
		v = vrf_realloc(v, (n + 1) * sizeof(*v), 1);
		src->order = n;
		src->twin = NULL;
		v[n++] = src;
	}
	sorted = vrf_realloc(NULL, (n ? n : 1) * sizeof(*sorted), 1);
	memcpy(sorted, v, n * sizeof(*v));
	qsort(sorted, n, sizeof(*sorted), cmp_input);
	for (size_t i = 1; i < n; i++)
		if (same_input(sorted[i - 1], sorted[i]))
			sorted[i]->twin = sorted[i - 1]->twin ? sorted[i - 1]->twin : sorted[i - 1];
	for (size_t i = 0; i < n; i++) {
		struct nft_src *src = v[i];

		src->form.state = NFT_FORM_NONE;
		if (src->twin) {
			src_copy(cfg, src, src->twin);
			continue;
		}
		if (!ident)
			ident = ident_make();
		if (cache_load(cfg, src, ident) == 0)
			continue;
		if (!s)
			s = nftp_scratch_get(cfg, src);
		/* What loaded without a word is stored by observe(): a
		 * warning is shown on every check, the cache would hide it. */
		if (src_check(cfg, s, src) == 0 && !src->form.errs.n) {
			src->form.state = NFT_FORM_TO_STORE;
			src->form.ident = vrf_strdup(ident);
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
