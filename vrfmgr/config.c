/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Loading the configuration.
 *
 * inih splits lines into sections, keys and values, but Debian's build cuts
 * lines at 200 bytes, treats indented lines as continuations of the previous
 * value, and does not tell the handler which line it is on.  In a
 * reconciler that deletes, a silently mangled line becomes a deletion, so
 * every line goes through our own reader first (ini_parse_stream()'s
 * reader callback): it counts lines, refuses over-long lines, NUL bytes and
 * malformed lines, strips indentation and tracks section headers (which
 * inih reports to nobody when a section has no keys).  inih then splits
 * what is left into key and value.
 *
 * Loading happens in three passes so that order in the file never matters:
 * read every file into raw entries; apply [global] (and load external
 * plugins, which add keys); hand every section key to the plugin owning it;
 * then let each plugin check cross-references.
 */
#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugin.h"

/* The longest line, in bytes without the newline: what fits in inih's
 * buffer (INI_MAX_LINE: the line, its newline and the terminator). */
#define LINE_MAX_LEN (INI_MAX_LINE - 2)

/* How much of a config file one read() takes. */
#define READ_BUFFER (64 * 1024)

/* One `key = value` line as read, before anyone interpreted it.  The
 * entry and its strings live in the loader's arena; entries are listed
 * in reading order. */
struct raw_entry {
	struct raw_entry *next;
	struct vrf_loc loc;
	struct vrf_domain *section;	/* NULL for [global] */
	const char *key;
	const char *value;
};

/* The raw entries and their strings, packed into large blocks: a file of
 * 100,000 routes would otherwise make 200,000 small allocations, or grow
 * one array of megabytes, only to free it all at the end of the load.
 * Blocks come from the ordinary heap, so the objects made later reuse
 * their memory. */
#define ARENA_BLOCK (64 * 1024)

struct arena_block {
	struct arena_block *next;
	size_t size, used;
	char mem[];
};

struct loader {
	struct vrf_config *cfg;
	struct raw_entry *raw, *raw_last;
	struct arena_block *arena;	/* newest block first */
	/* Keys repeat (a table of routes is "route" after "route"), so the
	 * plugin found for the last key is asked first. */
	const char *last_key;
	const struct vrf_plugin *last_plugin;
	/* per file being read */
	FILE *f;
	const char *file;
	unsigned line;
	bool in_global;
	bool section_ok;		/* false after a bad header: skip its keys */
	bool bad_header;		/* the last header was refused (and said so) */
	bool allow_global;		/* only the main file has [global] */
	struct vrf_domain *section;
	char *buf;
	size_t bufcap;
	char *rbuf;			/* stdio's buffer for f (READ_BUFFER) */
};

static struct vrf_domain *domain_new(struct vrf_config *cfg, const char *name,
				     const struct vrf_loc *loc, bool is_host)
{
	struct vrf_domain *d = vrf_calloc(1, sizeof(*d));

	d->name = vrf_strdup(name);
	d->loc = *loc;
	d->is_host = is_host;
	if (is_host) {
		cfg->host = d;
	} else {
		cfg->domains = vrf_realloc(cfg->domains, cfg->n_domains + 1, sizeof(*cfg->domains));
		cfg->domains[cfg->n_domains++] = d;
	}
	return d;
}

static void domain_free(struct vrf_domain *d)
{
	if (!d)
		return;
	vrf_objv_free(&d->objs);
	free(d->sorted);
	free(d->name);
	free(d->description);
	size_t n;
	const struct vrf_plugin *const *ps = vrf_plugins(&n);

	for (size_t i = 0; i < n; i++) {
		void *pd = d->pdata[vrf_plugin_index(ps[i])];

		if (pd && ps[i]->domain_release)
			ps[i]->domain_release(d, pd);
		else
			free(pd);
	}
	free(d);
}

struct vrf_domain *vrf_config_domain(const struct vrf_config *cfg, const char *name)
{
	void *data;

	if (!strcmp(name, VRF_HOST))
		return cfg->host;
	if (vrf_name_find(cfg, "*", "domain", name, &data, NULL))
		return data;
	return NULL;
}

int vrf_domain_add(struct vrf_domain *d, struct vrf_obj *o)
{
	return vrf_objv_push(&d->objs, o);
}

struct vrf_obj *const *vrf_domain_sorted(const struct vrf_domain *d, const struct vrf_plugin *p,
					 size_t *ret_n)
{
	unsigned k = vrf_plugin_index(p);

	if (d->n_indexed != d->objs.n)
		abort();	/* objects added after the load: a bug, not a condition */
	*ret_n = d->kind_at[k + 1] - d->kind_at[k];
	return d->sorted ? d->sorted + d->kind_at[k] : NULL;
}

void **vrf_domain_pdata(struct vrf_domain *d, const struct vrf_plugin *p)
{
	return &d->pdata[vrf_plugin_index(p)];
}

void *const *vrf_domain_pdata_const(const struct vrf_domain *d, const struct vrf_plugin *p)
{
	return &d->pdata[vrf_plugin_index(p)];
}

/* ---- pass 1: reading ---- */

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static void section_header(struct loader *L, char *line)
{
	struct vrf_loc loc = { L->file, L->line };
	struct vrf_config *cfg = L->cfg;
	char *end = strchr(line, ']'), *name, *rest;
	const char *why;

	L->section = NULL;
	L->in_global = false;
	L->section_ok = false;
	/* Text after the header is allowed only as a comment, as inih read
	 * it: "[host]   ; the namespace vrfmgr runs in". */
	if (end) {
		char *after = trim(end + 1);

		if (*after == ';' || *after == '#')
			*after = '\0';
	}
	if (!end || *trim(end + 1)) {
		vrf_error(cfg, &loc, "malformed section header (expected [global], [host] or [domain NAME])");
		return;
	}
	*end = '\0';
	name = trim(line + 1);
	if (!strcmp(name, "global")) {
		if (!L->allow_global) {
			vrf_error(cfg, &loc, "[global] is allowed only in the main file");
			return;
		}
		L->in_global = L->section_ok = true;
		return;
	}
	if (!strcmp(name, VRF_HOST)) {
		if (cfg->host) {
			vrf_error(cfg, &loc, "duplicate [host] section (first at %s:%u)",
				  cfg->host->loc.file, cfg->host->loc.line);
			return;
		}
		L->section = domain_new(cfg, VRF_HOST, &loc, true);
		L->section_ok = true;
		return;
	}
	if (strncmp(name, "domain", 6) || (name[6] && !isspace((unsigned char)name[6]))) {
		vrf_error(cfg, &loc, "unknown section [%s] (expected [global], [host] or [domain NAME])",
			  name);
		return;
	}
	rest = trim(name + 6);
	if (!*rest) {
		vrf_error(cfg, &loc, "[domain] needs a name: [domain NAME]");
		return;
	}
	if (!vrf_domain_name_valid(rest, &why)) {
		vrf_error(cfg, &loc, "invalid domain name \"%s\": %s", rest, why);
		return;
	}
	L->section = domain_new(cfg, rest, &loc, false);
	if (vrf_name_add(cfg, "*", "domain", rest, &loc, L->section) < 0) {
		/* Keep the duplicate so its keys are still checked, but under a
		 * name nothing can find. */
		L->section->loc.line = 0;
	}
	L->section_ok = true;
}

/* Check one physical line; return false if it is refused (and reported).
 * On success *ret_s is the line without its surrounding white space (cut
 * in place), for inih. */
static bool line_ok(struct loader *L, char *line, size_t len, char **ret_s)
{
	struct vrf_loc loc = { L->file, L->line };
	char *s;

	if (strlen(line) != len) {
		vrf_error(L->cfg, &loc, "NUL byte in line");
		return false;
	}
	if (len && line[len - 1] == '\n')
		line[--len] = '\0';
	if (len && line[len - 1] == '\r')
		line[--len] = '\0';
	if (len > LINE_MAX_LEN) {
		vrf_error(L->cfg, &loc, "line too long (%zu bytes, at most %d)", len,
			  LINE_MAX_LEN);
		return false;
	}
	s = *ret_s = trim(line);
	if (!*s || *s == ';' || *s == '#')
		return true;
	if (*s == '[') {
		/* section_header() cuts its argument up; inih needs the line. */
		char *copy = vrf_strdup(s);

		section_header(L, copy);
		free(copy);
		/* The keys under a refused header belong to no section, but
		 * the header's error already says so: one error per problem. */
		L->bad_header = !L->section_ok;
		return true;
	}
	if (!strchr(s, '=')) {
		vrf_error(L->cfg, &loc, "expected KEY = VALUE");
		return false;
	}
	if (s[0] == '=') {
		vrf_error(L->cfg, &loc, "missing key before '='");
		return false;
	}
	return true;
}

/* size bytes from the loader's arena, alive until loader_free(); aligned
 * for a raw entry when `align`. */
static void *arena_alloc(struct loader *L, size_t size, bool align)
{
	struct arena_block *b = L->arena;
	size_t at = b ? b->used : 0;

	if (align)
		at = (at + _Alignof(struct raw_entry) - 1) & ~(_Alignof(struct raw_entry) - 1);
	if (!b || at > b->size || b->size - at < size) {
		size_t bsize = size > ARENA_BLOCK ? size : ARENA_BLOCK;

		b = vrf_malloc(sizeof(*b) + bsize);
		b->next = L->arena;
		b->size = bsize;
		L->arena = b;
		at = 0;
	}
	b->used = at + size;
	return b->mem + at;
}

static const char *arena_strdup(struct loader *L, const char *s)
{
	size_t len = strlen(s) + 1;

	return memcpy(arena_alloc(L, len, false), s, len);
}

/* Keep a key line of the current section as a raw entry. */
static void raw_add(struct loader *L, const char *key, const char *value)
{
	struct vrf_loc loc = { L->file, L->line };
	struct raw_entry *e;

	if (!L->section_ok) {
		if (!L->in_global && !L->section && !L->bad_header)
			vrf_error(L->cfg, &loc, "key \"%s\" outside any section", key);
		return;
	}
	e = arena_alloc(L, sizeof(*e), true);
	e->next = NULL;
	e->loc = loc;
	e->section = L->in_global ? NULL : L->section;
	/* Keys come in runs ("route" after "route"): a key equal to the last
	 * one shares its copy. */
	if (L->raw_last && !strcmp(L->raw_last->key, key))
		e->key = L->raw_last->key;
	else
		e->key = arena_strdup(L, key);
	e->value = arena_strdup(L, value);
	if (L->raw_last)
		L->raw_last->next = e;
	else
		L->raw = e;
	L->raw_last = e;
}

/* inih's reader callback: one physical line, checked by line_ok(), handed
 * over trimmed (so no indented line becomes a continuation); a refused line
 * is handed over blank, after its error was printed. */
static char *reader(char *str, int num, void *stream)
{
	struct loader *L = stream;
	ssize_t n;
	size_t len;
	char *s;

	n = getline(&L->buf, &L->bufcap, L->f);
	if (n < 0 || num < 2)
		return NULL;
	L->line++;
	if (!line_ok(L, L->buf, (size_t)n, &s)) {
		memcpy(str, "\n", 2);
		return str;
	}
	/* line_ok() refused anything longer than inih's buffer, so the bound
	 * never cuts; it keeps this copy safe on its own. */
	len = strlen(s);
	if (len > (size_t)num - 2)
		len = (size_t)num - 2;
	memcpy(str, s, len);
	memcpy(str + len, "\n", 2);
	return str;
}

static int handler(void *user, const char *section, const char *key, const char *value)
{
	(void)section;	/* sections are tracked by the reader, with line numbers */
	raw_add(user, key, value);
	return 1;
}

static int read_file(struct loader *L, const struct vrf_loc *from, const char *path,
		     bool allow_global)
{
	struct vrf_config *cfg = L->cfg;
	int bad_line, fd;

	fd = vrf_open_trusted(cfg, from, path);
	if (fd < 0)
		return fd;
	L->f = fdopen(fd, "r");
	if (!L->f) {
		close(fd);
		return -errno;
	}
	/* stdio reads a file in 4 KiB pieces; a file of 100,000 routes took
	 * 800 read() calls.  (glibc ignores the size unless it is given the
	 * buffer too.) */
	if (!L->rbuf)
		L->rbuf = vrf_malloc(READ_BUFFER);
	setvbuf(L->f, L->rbuf, _IOFBF, READ_BUFFER);
	L->file = vrf_config_intern(cfg, path);
	L->line = 0;
	L->section = NULL;
	L->in_global = false;
	L->section_ok = false;
	L->bad_header = false;
	L->allow_global = allow_global;
	bad_line = ini_parse_stream(reader, L, handler, L);
	if (bad_line > 0 && cfg->errors == 0) {
		/* Every malformed line was already refused by line_ok(); a line
		 * inih refuses for something else is still an error. */
		struct vrf_loc loc = { L->file, (unsigned)bad_line };

		vrf_error(cfg, &loc, "syntax error");
	}
	fclose(L->f);
	L->f = NULL;
	return 0;
}

/* ---- pass 2: [global] ---- */

static int glob_errno;
static char glob_errpath[256];

static int glob_error(const char *path, int err)
{
	if (err == ENOENT || err == ENOTDIR)
		return 0;
	if (!glob_errno) {
		glob_errno = err;
		snprintf(glob_errpath, sizeof(glob_errpath), "%s", path);
	}
	return 0;
}

static int globs_sorted(struct loader *L, const struct vrf_loc *loc, const char *pattern)
{
	char *abs = vrf_path_relative(&(struct vrf_loc){ L->cfg->path, 0 }, pattern);
	glob_t g;
	int r;

	/* glob() sorts by default: drop-ins merge in glob order.  A drop-in
	 * folder that does not exist holds no drop-ins; one that cannot be
	 * read is an error, or files would be skipped without a word. */
	glob_errno = 0;
	r = glob(abs, 0, glob_error, &g);
	free(abs);
	if (glob_errno) {
		vrf_error(L->cfg, loc, "include %s: %s: %s", pattern, glob_errpath,
			  strerror(glob_errno));
		if (r == 0)
			globfree(&g);
		return -EINVAL;
	}
	if (r == GLOB_NOMATCH)
		return 0;
	if (r != 0) {
		vrf_error(L->cfg, loc, "include %s: cannot expand the pattern", pattern);
		return -EINVAL;
	}
	for (size_t i = 0; i < g.gl_pathc; i++)
		read_file(L, loc, g.gl_pathv[i], false);
	globfree(&g);
	return 0;
}

static void set_string(char **dst, const char *v)
{
	free(*dst);
	*dst = vrf_strdup(v);
}

static void apply_global(struct loader *L, struct raw_entry *e)
{
	struct vrf_config *cfg = L->cfg;
	unsigned long long v;

	if (!strcmp(e->key, "netns_dir") || !strcmp(e->key, "state_dir") ||
	    !strcmp(e->key, "plugin_dir") || !strcmp(e->key, "history_dir")) {
		char **dst = e->key[0] == 'n' ? &cfg->netns_dir :
			     e->key[0] == 's' ? &cfg->state_dir :
			     e->key[0] == 'h' ? &cfg->history_dir : &cfg->plugin_dir;

		if (e->value[0] != '/' || strstr(e->value, "/../") ||
		    (strlen(e->value) >= 3 && !strcmp(e->value + strlen(e->value) - 3, "/..")))
			vrf_error(cfg, &e->loc, "%s must be an absolute path without \"..\"",
				  e->key);
		else
			set_string(dst, e->value);
	} else if (!strcmp(e->key, "route_protocol")) {
		/* 0-4 are the kernel's own (unspec, redirect, kernel, boot,
		 * static): owning those would delete routes we did not make. */
		if (vrf_parse_uint(e->value, 5, 255, &v) < 0)
			vrf_error(cfg, &e->loc, "route_protocol must be a number from 5 to 255, not \"%s\"",
				  e->value);
		else
			cfg->route_protocol = (unsigned)v;
	} else if (!strcmp(e->key, "history_keep")) {
		if (vrf_parse_uint(e->value, 1, 100000, &v) < 0)
			vrf_error(cfg, &e->loc, "history_keep must be a number from 1 to 100000, not \"%s\"",
				  e->value);
		else
			cfg->history_keep = (unsigned)v;
	} else if (!strcmp(e->key, "include")) {
		globs_sorted(L, &e->loc, e->value);
	} else if (!strcmp(e->key, "systemd_unit_dir")) {
		if (e->value[0] != '/' || strstr(e->value, "/.."))
			vrf_error(cfg, &e->loc, "%s must be an absolute path without \"..\"",
				  e->key);
		else
			set_string(&cfg->systemd_unit_dir, e->value);
	} else {
		vrf_error(cfg, &e->loc, "unknown key \"%s\" in [global]", e->key);
	}
}

/* ---- pass 3: sections ---- */

static void apply_section(struct loader *L, struct raw_entry *e)
{
	struct vrf_config *cfg = L->cfg;
	struct vrf_domain *d = e->section;
	const struct vrf_plugin *p;

	if (!e->value[0]) {
		vrf_error(cfg, &e->loc, "\"%s\" needs a value", e->key);
		return;
	}
	if (!strcmp(e->key, "description") && !d->is_host) {
		if (d->description)
			vrf_error(cfg, &e->loc, "duplicate description");
		else
			set_string(&d->description, e->value);
		return;
	}
	if (L->last_key && !strcmp(e->key, L->last_key)) {
		p = L->last_plugin;
	} else {
		p = vrf_plugin_for_key(e->key);
		L->last_key = e->key;
		L->last_plugin = p;
	}
	if (!p) {
		vrf_error(cfg, &e->loc, "unknown key \"%s\" in [%s%s]", e->key,
			  d->is_host ? "" : "domain ", d->name);
		return;
	}
	if (d->is_host && !(p->flags & VRF_PLUGIN_HOST_OK)) {
		vrf_error(cfg, &e->loc, "\"%s\" is not allowed in [host]", e->key);
		return;
	}
	p->parse(cfg, d, &e->loc, e->key, e->value);
}

/* vrf_plugin_index() of o's kind.  Objects come in runs of one kind, so
 * the last answer is kept in *last. */
static unsigned kind_index(const struct vrf_obj *o, const struct vrf_plugin **last_p,
			   unsigned *last_k)
{
	if (o->plugin != *last_p) {
		*last_p = o->plugin;
		*last_k = vrf_plugin_index(o->plugin);
	}
	return *last_k;
}

/* Group d's objects by kind, in reading order, then put every kind that
 * has an identity into identity order: the index behind
 * vrf_domain_sorted().  The sort is stable, so of two objects with one
 * identity the one read first comes first.  Each object is looked at
 * once, its kind noted: in a domain of 100,000 routes nearly every look
 * at an object is a cache miss. */
static void index_domain(struct vrf_domain *d)
{
	size_t n, count[VRF_MAX_PLUGINS] = { 0 }, fill[VRF_MAX_PLUGINS];
	const struct vrf_plugin *const *ps = vrf_plugins(&n), *last_p = NULL;
	unsigned last_k = 0;
	uint8_t *kind = vrf_malloc(d->objs.n + 1);	/* VRF_MAX_PLUGINS fits */

	free(d->sorted);
	d->sorted = vrf_realloc(NULL, d->objs.n + 1, sizeof(*d->sorted));
	for (size_t i = 0; i < d->objs.n; i++) {
		kind[i] = (uint8_t)kind_index(d->objs.v[i], &last_p, &last_k);
		count[kind[i]]++;
	}
	d->kind_at[0] = 0;
	for (size_t k = 0; k < VRF_MAX_PLUGINS; k++) {
		fill[k] = d->kind_at[k];
		d->kind_at[k + 1] = d->kind_at[k] + count[k];
	}
	for (size_t i = 0; i < d->objs.n; i++)
		d->sorted[fill[kind[i]]++] = d->objs.v[i];
	free(kind);
	for (size_t i = 0; i < n; i++) {
		unsigned k = vrf_plugin_index(ps[i]);

		if (ps[i]->compare)
			vrf_objs_sort(d->sorted + d->kind_at[k], count[k]);
	}
	d->n_indexed = d->objs.n;
}

/* Two lines for one object of p would fight each other on every run: the
 * diff sees one identity twice.  Every kind whose identity the engine knows
 * gets this check, so no plugin writes it again; kinds that refuse a repeat
 * in parse() never reach it, because the repeat was not added.  In
 * identity order the repeats are neighbours, the first one read first. */
static void check_duplicates(struct vrf_config *cfg, const struct vrf_domain *d,
			     const struct vrf_plugin *p)
{
	size_t n, first = 0;
	struct vrf_obj *const *v = vrf_domain_sorted(d, p, &n);

	for (size_t i = 1; i < n; i++) {
		const struct vrf_loc *at;
		struct vrf_buf b = { 0 };

		if (p->compare(v[first], v[i])) {
			first = i;
			continue;
		}
		at = &v[first]->loc;
		p->format(v[i], &b);
		vrf_error(cfg, &v[i]->loc, "%s: duplicate %s \"%s\" (first at %s:%u)",
			  p->name, p->name, vrf_buf_str(&b), at->file ? at->file : "?", at->line);
		vrf_buf_free(&b);
	}
}

static void validate_domain(struct vrf_config *cfg, struct vrf_domain *d)
{
	size_t n;
	const struct vrf_plugin *const *ps = vrf_plugins(&n);

	/* validate() reads objects but never adds any or changes an
	 * identity, so the index can be built before it runs. */
	index_domain(d);
	for (size_t i = 0; i < n; i++) {
		if (ps[i]->validate)
			ps[i]->validate(cfg, d);
		if (ps[i]->compare && ps[i]->format)
			check_duplicates(cfg, d, ps[i]);
	}
}

static void loader_free(struct loader *L)
{
	while (L->arena) {
		struct arena_block *next = L->arena->next;

		free(L->arena);
		L->arena = next;
	}
	L->raw = L->raw_last = NULL;
	free(L->buf);
	free(L->rbuf);
}

struct vrf_config *vrf_config_new(void)
{
	struct vrf_config *cfg = vrf_calloc(1, sizeof(*cfg));

	set_string(&cfg->netns_dir, VRF_DEFAULT_NETNS_DIR);
	set_string(&cfg->state_dir, VRF_DEFAULT_STATE_DIR);
	set_string(&cfg->plugin_dir, VRF_PLUGIN_DIR);
	set_string(&cfg->history_dir, VRF_DEFAULT_HISTORY_DIR);
	cfg->history_keep = VRF_DEFAULT_HISTORY_KEEP;
	set_string(&cfg->systemd_unit_dir, VRF_DEFAULT_UNIT_DIR);
	cfg->route_protocol = VRF_DEFAULT_PROTO;
	return cfg;
}

int vrf_config_load_into(struct vrf_config *cfg, const char *path)
{
	struct loader L = { .cfg = cfg };
	struct vrf_loc plugin_loc = { 0 };
	bool plugin_dir_set = false;

	set_string(&cfg->path, path);
	if (read_file(&L, NULL, path, true) < 0)
		goto out;
	/* [global] first, in file order; includes append to the list as
	 * they go, and the walk reaches their entries too. */
	for (struct raw_entry *e = L.raw; e; e = e->next) {
		if (!e->section) {
			if (!strcmp(e->key, "plugin_dir")) {
				plugin_dir_set = true;
				plugin_loc = e->loc;
			}
			apply_global(&L, e);
		}
	}
	/* External plugins add keys, so they load before any section is
	 * parsed.  Which folders may be absent: see below. */
	if (cfg->errors == 0) {
		/* The built-in folder may be absent (no external plugins
		 * installed), even when the file spells it out; another folder,
		 * named on purpose, must exist. */
		if (plugin_dir_set && strcmp(cfg->plugin_dir, VRF_PLUGIN_DIR) &&
		    access(cfg->plugin_dir, F_OK) < 0)
			vrf_error(cfg, &plugin_loc, "plugin_dir %s: %s", cfg->plugin_dir,
				  strerror(errno));
		else
			vrf_plugins_load_dir(cfg, plugin_dir_set ? &plugin_loc : NULL,
					     cfg->plugin_dir);
	}
	for (struct raw_entry *e = L.raw; e; e = e->next)
		if (e->section)
			apply_section(&L, e);
	if (cfg->host)
		validate_domain(cfg, cfg->host);
	for (size_t i = 0; i < cfg->n_domains; i++)
		validate_domain(cfg, cfg->domains[i]);
out:
	loader_free(&L);
	return cfg->errors ? -EINVAL : 0;
}

struct vrf_config *vrf_config_load(const char *path)
{
	struct vrf_config *cfg = vrf_config_new();

	if (vrf_config_load_into(cfg, path) < 0) {
		fprintf(stderr, "%s: %u error%s, configuration refused; nothing was applied\n",
			path, cfg->errors, cfg->errors == 1 ? "" : "s");
		vrf_config_free(cfg);
		return NULL;
	}
	return cfg;
}

void vrf_config_free(struct vrf_config *cfg)
{
	if (!cfg)
		return;
	domain_free(cfg->host);
	for (size_t i = 0; i < cfg->n_domains; i++)
		domain_free(cfg->domains[i]);
	free(cfg->domains);
	vrf_names_free(cfg->names);
	for (size_t i = 0; i < cfg->n_pool; i++)
		free(cfg->pool[i]);
	free(cfg->pool);
	free(cfg->path);
	free(cfg->netns_dir);
	free(cfg->state_dir);
	free(cfg->plugin_dir);
	free(cfg->history_dir);
	for (size_t i = 0; i < cfg->n_files; i++)
		free(cfg->files[i]);
	free(cfg->files);
	free(cfg->systemd_unit_dir);
	free(cfg);
}

/* ---- printing the model back ---- */

static void print_domain(const struct vrf_domain *d, struct vrf_buf *out)
{
	size_t n;
	const struct vrf_plugin *const *ps = vrf_plugins(&n);

	if (d->is_host)
		vrf_buf_puts(out, "[host]\n");
	else
		vrf_buf_printf(out, "[domain %s]\n", d->name);
	if (d->description)
		vrf_buf_printf(out, "description = %s\n", d->description);
	for (size_t i = 0; i < n; i++) {
		const struct vrf_plugin *p = ps[i];

		if (p->print_config) {
			p->print_config(d, out);
			continue;
		}
		if (!p->format)
			continue;
		for (size_t j = 0; j < d->objs.n; j++) {
			if (d->objs.v[j]->plugin != p)
				continue;
			vrf_buf_printf(out, "%s = ", p->keys[0]);
			p->format(d->objs.v[j], out);
			vrf_buf_puts(out, "\n");
		}
	}
	vrf_buf_puts(out, "\n");
}

void vrf_config_print(const struct vrf_config *cfg, struct vrf_buf *out)
{
	vrf_buf_printf(out, "[global]\nnetns_dir = %s\nstate_dir = %s\nroute_protocol = %u\n",
		       cfg->netns_dir, cfg->state_dir, cfg->route_protocol);
	/* Only when set: outputs of files that never name it stay as they were. */
	if (strcmp(cfg->systemd_unit_dir, VRF_DEFAULT_UNIT_DIR))
		vrf_buf_printf(out, "systemd_unit_dir = %s\n", cfg->systemd_unit_dir);
	vrf_buf_puts(out, "\n");
	if (cfg->host)
		print_domain(cfg->host, out);
	for (size_t i = 0; i < cfg->n_domains; i++)
		print_domain(cfg->domains[i], out);
}
