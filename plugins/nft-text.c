/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Text side of the nftables plugin (see nft.h): no kernel, no libnftables.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin.h"
#include "nft.h"

/* Append one pointer to a growing array of pointers. */
static void strv_push(char ***v, size_t *n, char *s)
{
	*v = vrf_realloc(*v, (*n + 1) * sizeof(**v), 1);
	(*v)[(*n)++] = s;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static const char *const families[] = { "ip", "ip6", "inet", "arp", "bridge", "netdev", NULL };

bool vnft_family_valid(const char *s)
{
	for (size_t i = 0; families[i]; i++)
		if (!strcmp(s, families[i]))
			return true;
	return false;
}

static bool in_list(const char *s, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

/* ---- tables declared by a file ---- */

struct tok {
	char *s;
	unsigned line, col;
	bool quoted;
};

struct ref {
	char *family, *name, *what;
	unsigned line, col;
};

struct scan {
	struct tok *t;
	size_t n;
	struct ref *refs;
	size_t n_refs;
	struct vnft_decls *decls;
	vnft_diag_fn diag;
	void *data;
	unsigned errors;
};

static void scan_error(struct scan *sc, const struct tok *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void scan_error(struct scan *sc, const struct tok *at, const char *fmt, ...)
{
	char *msg;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		vrf_oom();
	sc->diag(sc->data, at ? at->line : 0, at ? at->col : 0, msg);
	free(msg);
	sc->errors++;
}

static void scan_reset(struct scan *sc)
{
	for (size_t i = 0; i < sc->n; i++)
		free(sc->t[i].s);
	sc->n = 0;
}

/* The table a command names from toks[i] on: "[FAMILY] NAME".  Returns the
 * index of the name token, or -1 when the command stops early (libnftables
 * will say what is wrong with it). */
static long table_spec(struct scan *sc, size_t i, const char **ret_family)
{
	*ret_family = "ip";
	if (i < sc->n && !sc->t[i].quoted && vnft_family_valid(sc->t[i].s) && i + 1 < sc->n) {
		*ret_family = sc->t[i].s;
		i++;
	}
	if (i >= sc->n)
		return -1;
	if (!sc->t[i].quoted && sc->t[i].s[0] == '$') {
		scan_error(sc, &sc->t[i], "table name %s is a variable; vrfmgr needs the literal "
			   "name of every table to know which tables it owns", sc->t[i].s);
		return -1;
	}
	return (long)i;
}

static void declare(struct scan *sc, size_t i)
{
	const char *family;
	long k = table_spec(sc, i, &family);
	struct vnft_decls *d = sc->decls;

	if (k < 0)
		return;
	for (size_t j = 0; j < d->n; j++)
		if (!strcmp(d->v[j].family, family) && !strcmp(d->v[j].name, sc->t[k].s))
			return;
	d->v = vrf_realloc(d->v, (d->n + 1) * sizeof(*d->v), 1);
	d->v[d->n++] = (struct vnft_decl){
		.family = vrf_strdup(family),
		.name = vrf_strdup(sc->t[k].s),
		.line = sc->t[0].line,
		.col = sc->t[0].col,
	};
}

static void reference(struct scan *sc, size_t i)
{
	const char *family;
	long k = table_spec(sc, i, &family);

	if (k < 0)
		return;
	sc->refs = vrf_realloc(sc->refs, (sc->n_refs + 1) * sizeof(*sc->refs), 1);
	sc->refs[sc->n_refs++] = (struct ref){
		.family = vrf_strdup(family),
		.name = vrf_strdup(sc->t[k].s),
		.what = vrf_strdup(sc->t[0].s),
		.line = sc->t[0].line,
		.col = sc->t[0].col,
	};
}

/* One top-level command, its words up to the first '{', newline or ';'. */
static void scan_command(struct scan *sc)
{
	static const char *const verbs[] = { "add", "create", "insert", "replace", "delete",
					     "destroy", "flush", "reset", "rename", NULL };
	static const char *const kinds[] = { "chain", "rule", "set", "map", "element",
					     "counter", "quota", "limit", "flowtable",
					     "secmark", "synproxy", "meter", NULL };
	static const char *const plural[] = { "counters", "quotas", "rules", "chains",
					      "sets", "maps", "tables", "elements",
					      "limits", "meters", "flowtables", NULL };
	static const char *const printing[] = { "list", "monitor", "describe", "export",
						"import", "get", NULL };
	const struct tok *t0, *t1;

	if (sc->n == 0 || sc->t[0].quoted)
		return;
	t0 = &sc->t[0];
	if (!strcmp(t0->s, "table")) {
		declare(sc, 1);
		return;
	}
	if (in_list(t0->s, printing)) {
		scan_error(sc, t0, "\"%s\" does not belong in a firewall file: vrfmgr loads "
			   "declarations of tables", t0->s);
		return;
	}
	if (!in_list(t0->s, verbs) || sc->n < 2)
		return;
	t1 = &sc->t[1];
	if (!strcmp(t1->s, "ruleset")) {
		scan_error(sc, t0, "\"%s ruleset\" would act on every table of the domain, also "
			   "on tables vrfmgr does not own; vrfmgr replaces the tables this "
			   "file declares by itself", t0->s);
	} else if (!strcmp(t1->s, "table")) {
		if (!strcmp(t0->s, "add") || !strcmp(t0->s, "create"))
			declare(sc, 2);
		else
			reference(sc, 2);
	} else if (!strcmp(t1->s, "ct")) {
		reference(sc, 3);	/* ct helper|timeout|expectation [F] T NAME */
	} else if (in_list(t1->s, kinds)) {
		reference(sc, 2);
	} else if (in_list(t1->s, plural)) {
		if (sc->n > 2 && !strcmp(sc->t[2].s, "table"))
			reference(sc, 3);
		else
			scan_error(sc, t0, "\"%s %s\" without \"table FAMILY NAME\" would act on "
				   "every table of the domain, also on tables vrfmgr does not "
				   "own", t0->s, t1->s);
	}
}

static void scan_push(struct scan *sc, const char *s, size_t n, unsigned line, unsigned col,
		      bool quoted)
{
	sc->t = vrf_realloc(sc->t, (sc->n + 1) * sizeof(*sc->t), 1);
	sc->t[sc->n++] = (struct tok){ vrf_strndup(s, n), line, col, quoted };
}

int vnft_scan_tables(const char *text, size_t len, struct vnft_decls *out,
		     vnft_diag_fn diag, void *data)
{
	struct scan sc = { .decls = out, .diag = diag, .data = data };
	const char *p = text, *end = text + len, *bol = text;
	unsigned line = 1, depth = 0;

	memset(out, 0, sizeof(*out));
	while (p < end) {
		char c = *p;
		unsigned col = (unsigned)(p - bol) + 1;

		if (c == '\n') {
			if (depth == 0)
				scan_command(&sc), scan_reset(&sc);
			p++, line++, bol = p;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			p++;
		} else if (c == '\\' && p + 1 < end && p[1] == '\n') {
			p += 2, line++, bol = p;
		} else if (c == '#') {
			while (p < end && *p != '\n')
				p++;
		} else if (c == ';') {
			if (depth == 0)
				scan_command(&sc), scan_reset(&sc);
			p++;
		} else if (c == '{') {
			if (depth == 0)
				scan_command(&sc), scan_reset(&sc);
			depth++, p++;
		} else if (c == '}') {
			if (depth > 0)
				depth--;
			p++;
		} else if (c == '"') {
			const char *s = ++p;

			while (p < end && *p != '"' && *p != '\n')
				p++;
			if (depth == 0)
				scan_push(&sc, s, (size_t)(p - s), line, col, true);
			if (p < end && *p == '"')
				p++;
		} else {
			const char *s = p;

			while (p < end && !strchr(" \t\r\n;{}#\"", *p))
				p++;
			if (depth == 0)
				scan_push(&sc, s, (size_t)(p - s), line, col, false);
		}
	}
	scan_command(&sc);
	scan_reset(&sc);
	free(sc.t);

	for (size_t i = 0; i < sc.n_refs; i++) {
		struct ref *r = &sc.refs[i];
		bool found = false;

		for (size_t j = 0; j < out->n && !found; j++)
			found = !strcmp(out->v[j].family, r->family) && !strcmp(out->v[j].name, r->name);
		if (!found) {
			struct tok at = { .line = r->line, .col = r->col };

			scan_error(&sc, &at, "\"%s\" acts on table %s %s, which this file does not "
				   "declare; vrfmgr touches only the tables declared here",
				   r->what, r->family, r->name);
		}
		free(r->family);
		free(r->name);
		free(r->what);
	}
	free(sc.refs);
	if (sc.errors == 0 && out->n == 0)
		scan_error(&sc, NULL, "declares no table; vrfmgr owns exactly the tables that "
			   "the file declares (\"table inet filter { ... }\")");
	return sc.errors ? -EINVAL : 0;
}

void vnft_decls_free(struct vnft_decls *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].family);
		free(d->v[i].name);
	}
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

/* ---- libnftables error output ---- */

static bool is_caret_line(const char *s, size_t n)
{
	bool any = false;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '^' || s[i] == '~')
			any = true;
		else if (s[i] != ' ' && s[i] != '\t')
			return false;
	}
	return any;
}

static bool parse_uint(const char *s, size_t n, unsigned *ret)
{
	unsigned long v = 0;

	if (n == 0 || n > 9)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*ret = (unsigned)v;
	return true;
}

/* "NAME:LINE:COL-COL" (or "NAME:LINE:COL-LINE:COL") in front of a message:
 * set name span, line and column. */
static bool parse_location(const char *s, size_t n, size_t *ret_namelen, unsigned *ret_line,
			   unsigned *ret_col)
{
	/* Walk back over "L:C-C" / "L:C-L:C": at most four numbers. */
	const char *colon[4];
	size_t k = 0;

	for (size_t i = n; i > 0 && k < 4; i--)
		if (s[i - 1] == ':')
			colon[k++] = s + i - 1;
	/* Try "NAME:L:C-E" first (two colons from the end), then
	 * "NAME:L:C-L2:C2" (three). */
	for (size_t want = 2; want <= 3 && want <= k; want++) {
		const char *c1 = colon[want - 1], *c2 = colon[want - 2];
		const char *dash = memchr(c2, '-', (size_t)(s + n - c2));
		unsigned line, col;

		if (!dash)
			dash = s + n;
		if (parse_uint(c1 + 1, (size_t)(c2 - c1 - 1), &line) &&
		    parse_uint(c2 + 1, (size_t)(dash - c2 - 1), &col)) {
			*ret_namelen = (size_t)(c1 - s);
			*ret_line = line;
			*ret_col = col;
			return true;
		}
	}
	return false;
}

void vnft_errs_parse(const char *buf, const char *path, struct vnft_errs *out)
{
	const char *p = buf ? buf : "";
	struct vnft_err *cur = NULL;

	memset(out, 0, sizeof(*out));
	while (*p) {
		const char *eol = strchrnul(p, '\n');
		size_t n = (size_t)(eol - p);
		const char *sev = NULL;
		bool warning = false;

		/* Where the message starts: after "Error: " or "Warning: ". */
		for (const char *q = p; q < eol; q++) {
			if (!strncmp(q, "Error: ", 7) && (q == p || q[-1] == ' ')) {
				sev = q + 7;
				break;
			}
			if (!strncmp(q, "Warning: ", 9) && (q == p || q[-1] == ' ')) {
				sev = q + 9;
				warning = true;
				break;
			}
		}
		if (!strncmp(p, "In file included from ", 22)) {
			cur = NULL;
		} else if (sev) {
			size_t pre = (size_t)(sev - p) - (warning ? 9 : 7);
			struct vnft_err e = { .warning = warning };
			size_t namelen;

			/* The prefix is "LOCATION: " or "netlink: " or empty. */
			while (pre > 0 && (p[pre - 1] == ' ' || p[pre - 1] == ':'))
				pre--;
			if (pre && parse_location(p, pre, &namelen, &e.line, &e.col)) {
				e.in_file = path && strlen(path) == namelen &&
					    !strncmp(p, path, namelen);
				e.file = vrf_strndup(p, namelen);
			} else {
				e.line = e.col = 0;
			}
			e.msg = vrf_strndup(sev, (size_t)(eol - sev));
			out->v = vrf_realloc(out->v, (out->n + 1) * sizeof(*out->v), 1);
			out->v[out->n] = e;
			cur = &out->v[out->n++];
		} else if (n == 0) {
			/* Blank lines separate nothing of interest. */
		} else if (cur && is_caret_line(p, n) && !cur->caret) {
			cur->caret = vrf_strndup(p, n);
		} else if (cur && !cur->src && !cur->caret) {
			cur->src = vrf_strndup(p, n);
		} else {
			/* Text libnftables printed without "Error:": keep it as a
			 * message of its own rather than lose it. */
			struct vnft_err e = { .msg = vrf_strndup(p, n) };

			out->v = vrf_realloc(out->v, (out->n + 1) * sizeof(*out->v), 1);
			out->v[out->n++] = e;
			cur = NULL;
		}
		p = *eol ? eol + 1 : eol;
	}
}

void vnft_errs_free(struct vnft_errs *e)
{
	for (size_t i = 0; i < e->n; i++) {
		free(e->v[i].msg);
		free(e->v[i].file);
		free(e->v[i].src);
		free(e->v[i].caret);
	}
	free(e->v);
	e->v = NULL;
	e->n = 0;
}

/* ---- listings ---- */

/* Net count of '{' minus '}' outside double quotes. */
static int brace_balance(const char *s)
{
	bool q = false;
	int b = 0;

	for (; *s; s++) {
		if (*s == '"')
			q = !q;
		else if (!q && *s == '{')
			b++;
		else if (!q && *s == '}')
			b--;
	}
	return b;
}

static char *trim_dup(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return vrf_strndup(s, n);
}

/* "table inet t { # progname nft": what nft prints after an opening brace
 * (the owner of a table, handles with -a) is a comment, not content. */
static void strip_brace_comment(char *s)
{
	bool q = false;

	for (char *p = s; *p; p++) {
		if (*p == '"')
			q = !q;
		else if (!q && *p == '{' && !strncmp(p, "{ #", 3)) {
			p[1] = '\0';
			return;
		}
	}
}

static char *unquote(const char *s)
{
	size_t n = strlen(s);

	if (n >= 2 && s[0] == '"' && s[n - 1] == '"')
		return vrf_strndup(s + 1, n - 2);
	return vrf_strdup(s);
}

static void table_free(struct vnft_ltable *t)
{
	free(t->family);
	free(t->name);
	strv_free(t->attrs, t->n_attrs);
	for (size_t i = 0; i < t->n_blocks; i++) {
		free(t->blocks[i].kind);
		free(t->blocks[i].name);
		strv_free(t->blocks[i].lines, t->blocks[i].n);
	}
	free(t->blocks);
	free(t->raw);
}

/* A statement line (malloc'd, taken) of block b, or of table t itself
 * when it is outside any block. */
static void listing_push(struct vnft_ltable *t, struct vnft_lblock *b, char *line)
{
	if (b)
		strv_push(&b->lines, &b->n, line);
	else
		strv_push(&t->attrs, &t->n_attrs, line);
}

/* "table FAMILY NAME {": a new table of out, or NULL when s is no such
 * line (which would be a libnftables change). */
static struct vnft_ltable *listing_table_open(struct vnft_listing *out, const char *s)
{
	struct vrf_words w = { 0 };
	struct vnft_ltable *t;

	if (vrf_words_split(&w, s) < 0 || w.n != 4 || strcmp(w.w[0], "table") ||
	    strcmp(w.w[3], "{")) {
		vrf_words_free(&w);
		return NULL;
	}
	out->v = vrf_realloc(out->v, (out->n + 1) * sizeof(*out->v), 1);
	t = &out->v[out->n++];
	memset(t, 0, sizeof(*t));
	t->family = vrf_strdup(w.w[1]);
	t->name = unquote(w.w[2]);
	vrf_words_free(&w);
	return t;
}

/* "chain input {", "ct helper ftp {": a new block of t; the last word
 * before the brace is the name, the rest the kind. */
static struct vnft_lblock *listing_block_open(struct vnft_ltable *t, const char *s)
{
	char *sp, *head = trim_dup(s, strlen(s) - 1);
	struct vnft_lblock *b;

	sp = strrchr(head, ' ');
	t->blocks = vrf_realloc(t->blocks, (t->n_blocks + 1) * sizeof(*t->blocks), 1);
	b = &t->blocks[t->n_blocks++];
	memset(b, 0, sizeof(*b));
	if (sp) {
		b->kind = vrf_strndup(head, (size_t)(sp - head));
		b->name = unquote(sp + 1);
	} else {
		b->kind = vrf_strdup(head);
		b->name = vrf_strdup("");
	}
	free(head);
	return b;
}

int vnft_listing_parse(const char *text, struct vnft_listing *out)
{
	struct vnft_ltable *t = NULL;
	struct vnft_lblock *b = NULL;
	struct vrf_buf acc = { 0 };
	const char *p = text, *tstart = NULL;
	int bal = 0, r = 0;

	memset(out, 0, sizeof(*out));
	while (*p) {
		const char *bol = p, *eol = strchrnul(p, '\n');
		char *s = trim_dup(p, (size_t)(eol - p));

		p = *eol ? eol + 1 : eol;
		if (bal > 0) {
			/* Continuation of a statement whose braces are still open
			 * (set elements wrap over several lines). */
			vrf_buf_puts(&acc, " ");
			vrf_buf_puts(&acc, s);
			bal += brace_balance(s);
			free(s);
			if (bal <= 0) {
				listing_push(t, b, vrf_strdup(vrf_buf_str(&acc)));
				vrf_buf_reset(&acc);
				bal = 0;
			}
			continue;
		}
		if (!s[0]) {
			free(s);
			continue;
		}
		if (!b)
			strip_brace_comment(s);
		if (!t) {
			t = listing_table_open(out, s);
			free(s);
			if (!t) {
				r = -EINVAL;
				goto out;
			}
			tstart = bol;
			continue;
		}
		if (!strcmp(s, "}")) {
			free(s);
			if (b) {
				b = NULL;
			} else {
				t->raw = vrf_strndup(tstart, (size_t)(p - tstart));
				t = NULL;
			}
			continue;
		}
		if (!b && brace_balance(s) == 1 && s[strlen(s) - 1] == '{') {
			b = listing_block_open(t, s);
			free(s);
			continue;
		}
		bal = brace_balance(s);
		if (bal > 0) {
			vrf_buf_reset(&acc);
			vrf_buf_puts(&acc, s);
			free(s);
			continue;
		}
		bal = 0;
		listing_push(t, b, s);
	}
	if (t || bal > 0)
		r = -EINVAL;
out:
	vrf_buf_free(&acc);
	if (r < 0)
		vnft_listing_free(out);
	return r;
}

void vnft_listing_free(struct vnft_listing *l)
{
	for (size_t i = 0; i < l->n; i++)
		table_free(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

const struct vnft_ltable *vnft_listing_find(const struct vnft_listing *l, const char *family,
					    const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].family, family) && !strcmp(l->v[i].name, name))
			return &l->v[i];
	return NULL;
}

void vnft_table_print(const struct vnft_ltable *t, struct vrf_buf *out)
{
	vrf_buf_printf(out, "table %s %s {\n", t->family, t->name);
	for (size_t i = 0; i < t->n_attrs; i++)
		vrf_buf_printf(out, "\t%s\n", t->attrs[i]);
	for (size_t i = 0; i < t->n_blocks; i++) {
		const struct vnft_lblock *b = &t->blocks[i];

		vrf_buf_printf(out, "\t%s %s {\n", b->kind, b->name);
		for (size_t j = 0; j < b->n; j++)
			vrf_buf_printf(out, "\t\t%s\n", b->lines[j]);
		vrf_buf_puts(out, "\t}\n");
	}
	vrf_buf_puts(out, "}\n");
}

/* ---- normalization ---- */

/* End of the "..." string starting at s[i] (index after the closing quote). */
static size_t skip_string(const char *s, size_t i, size_t len)
{
	i++;
	while (i < len && s[i] != '"')
		i++;
	return i < len ? i + 1 : len;
}

/* Index of the '}' matching the '{' at s[i], or len. */
static size_t match_brace(const char *s, size_t i, size_t len)
{
	int depth = 0;

	while (i < len) {
		if (s[i] == '"') {
			i = skip_string(s, i, len);
			continue;
		}
		if (s[i] == '{')
			depth++;
		else if (s[i] == '}' && --depth == 0)
			return i;
		i++;
	}
	return len;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void norm_into(struct vrf_buf *out, const char *s, size_t len);

/* The items of "{ a, b, c }" between i (the '{') and j (the '}'), each
 * normalized, sorted. */
static void brace_items(const char *s, size_t i, size_t j, char ***ret_v, size_t *ret_n)
{
	char **v = NULL;
	size_t n = 0, start = i + 1;
	int depth = 0;

	for (size_t k = i + 1; k <= j; k++) {
		if (k < j && s[k] == '"') {
			k = skip_string(s, k, j) - 1;
			continue;
		}
		if (k < j && (s[k] == '{' || s[k] == '('))
			depth++;
		else if (k < j && (s[k] == '}' || s[k] == ')'))
			depth--;
		else if (k == j || (s[k] == ',' && depth == 0)) {
			struct vrf_buf item = { 0 };
			char *t;

			norm_into(&item, s + start, k - start);
			t = trim_dup(vrf_buf_str(&item), item.len);
			vrf_buf_free(&item);
			if (t[0])
				strv_push(&v, &n, t);
			else
				free(t);
			start = k + 1;
		}
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_str);
	*ret_v = v;
	*ret_n = n;
}

static void norm_into(struct vrf_buf *out, const char *s, size_t len)
{
	bool space = false;
	size_t i = 0;

	while (i < len) {
		char c = s[i];

		if (c == ' ' || c == '\t') {
			space = true;
			i++;
			continue;
		}
		if (space && out->len)
			vrf_buf_puts(out, " ");
		space = false;
		if (c == '"') {
			size_t e = skip_string(s, i, len);

			vrf_buf_printf(out, "%.*s", (int)(e - i), s + i);
			i = e;
		} else if (c == '{') {
			size_t j = match_brace(s, i, len);
			char **v;
			size_t n;

			if (j == len) {
				vrf_buf_printf(out, "%.*s", (int)(len - i), s + i);
				return;
			}
			brace_items(s, i, j, &v, &n);
			vrf_buf_puts(out, "{ ");
			for (size_t k = 0; k < n; k++)
				vrf_buf_printf(out, "%s%s", k ? ", " : "", v[k]);
			vrf_buf_puts(out, " }");
			strv_free(v, n);
			i = j + 1;
		} else {
			/* Up to the next blank, string or brace in one go. */
			size_t e = i;

			while (e < len && s[e] != ' ' && s[e] != '\t' && s[e] != '"' && s[e] != '{')
				e++;
			vrf_buf_printf(out, "%.*s", (int)(e - i), s + i);
			i = e;
		}
	}
}

char *vnft_line_norm(const char *line)
{
	struct vrf_buf b = { 0 };
	char *r;

	norm_into(&b, line, strlen(line));
	r = vrf_strdup(vrf_buf_str(&b));
	vrf_buf_free(&b);
	return r;
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* A word of a space-separated list: "flags dynamic,timeout" has "timeout". */
static bool has_flag(const char *line, const char *flag)
{
	size_t n = strlen(flag);

	for (const char *p = line; (p = strstr(p, flag)); p += n) {
		bool left = p == line || p[-1] == ' ' || p[-1] == ',';
		bool right = !p[n] || p[n] == ',' || p[n] == ' ';

		if (left && right)
			return true;
	}
	return false;
}

/* A set whose elements the rules add at run time (dynamic, or with a
 * timeout): its elements are traffic state, not configuration. */
static bool block_is_dynamic(const struct vnft_lblock *b)
{
	if (strcmp(b->kind, "set") && strcmp(b->kind, "map") && strcmp(b->kind, "meter"))
		return false;
	for (size_t i = 0; i < b->n; i++) {
		if (starts_with(b->lines[i], "timeout "))
			return true;
		if (starts_with(b->lines[i], "flags ") &&
		    (has_flag(b->lines[i], "dynamic") || has_flag(b->lines[i], "timeout")))
			return true;
	}
	return false;
}

/* The lines of block b as they are compared. */
static void block_norm_lines(const struct vnft_lblock *b, char ***ret_v, size_t *ret_n)
{
	bool dyn = block_is_dynamic(b);
	char **v = NULL;
	size_t n = 0;

	for (size_t i = 0; i < b->n; i++) {
		if (dyn && starts_with(b->lines[i], "elements = "))
			continue;
		strv_push(&v, &n, vnft_line_norm(b->lines[i]));
	}
	*ret_v = v;
	*ret_n = n;
}

char *vnft_table_norm(const struct vnft_ltable *t)
{
	struct vrf_buf out = { 0 };
	char **blocks = NULL;
	size_t nb = 0;
	char *r;

	for (size_t i = 0; i < t->n_blocks; i++) {
		const struct vnft_lblock *b = &t->blocks[i];
		struct vrf_buf bb = { 0 };
		char **v;
		size_t n;

		block_norm_lines(b, &v, &n);
		vrf_buf_printf(&bb, "\t%s %s {\n", b->kind, b->name);
		for (size_t j = 0; j < n; j++)
			vrf_buf_printf(&bb, "\t\t%s\n", v[j]);
		vrf_buf_puts(&bb, "\t}\n");
		strv_free(v, n);
		strv_push(&blocks, &nb, vrf_strdup(vrf_buf_str(&bb)));
		vrf_buf_free(&bb);
	}
	if (nb > 1)
		qsort(blocks, nb, sizeof(*blocks), cmp_str);
	vrf_buf_printf(&out, "table %s %s {\n", t->family, t->name);
	for (size_t i = 0; i < t->n_attrs; i++) {
		char *a = vnft_line_norm(t->attrs[i]);

		vrf_buf_printf(&out, "\t%s\n", a);
		free(a);
	}
	for (size_t i = 0; i < nb; i++)
		vrf_buf_puts(&out, blocks[i]);
	vrf_buf_puts(&out, "}\n");
	strv_free(blocks, nb);
	r = vrf_strdup(vrf_buf_str(&out));
	vrf_buf_free(&out);
	return r;
}

/* ---- chains ---- */

bool vnft_chain_line_is_spec(const char *line)
{
	return starts_with(line, "type ") || starts_with(line, "policy ") ||
	       starts_with(line, "comment ") || starts_with(line, "flags ") ||
	       starts_with(line, "devices ");
}

/* The word after `key ` in seg (up to a space), or NULL. */
static char *word_after(const char *seg, const char *key)
{
	size_t kn = strlen(key);

	for (const char *p = seg; (p = strstr(p, key)); p += kn) {
		if ((p == seg || p[-1] == ' ') && p[kn] == ' ') {
			const char *w = p + kn + 1, *e = w;

			if (*w == '"')
				e = strchrnul(w + 1, '"') + 1;
			else
				while (*e && *e != ' ')
					e++;
			return vrf_strndup(w, (size_t)(e - w));
		}
	}
	return NULL;
}

/* A spec may name a field twice ("policy drop; policy accept"): the later
 * value wins, and the earlier one must not leak. */
static void spec_set(char **slot, char *value)
{
	free(*slot);
	*slot = value;
}

bool vnft_chain_spec_parse(const char *line, struct vnft_chain_spec *out)
{
	const char *p = line;

	memset(out, 0, sizeof(*out));
	while (*p) {
		const char *e = strchrnul(p, ';');
		char *seg = trim_dup(p, (size_t)(e - p));

		if (starts_with(seg, "type ")) {
			const char *pr = strstr(seg, " priority ");

			spec_set(&out->type, word_after(seg, "type"));
			spec_set(&out->hook, word_after(seg, "hook"));
			spec_set(&out->device, word_after(seg, "device"));
			if (!out->device && strstr(seg, "devices = {")) {
				const char *d = strstr(seg, "devices = {") + 10;

				spec_set(&out->device, vrf_strndup(d, (size_t)(strchrnul(d, '}') + 1 - d)));
				if (!strchr(d, '}'))
					out->device[strlen(out->device) - 1] = '\0';
			}
			if (pr)
				spec_set(&out->priority, vrf_strdup(pr + 10));
		} else if (starts_with(seg, "policy ")) {
			spec_set(&out->policy, vrf_strdup(seg + 7));
		}
		free(seg);
		p = *e ? e + 1 : e;
	}
	if (out->type || out->policy)
		return true;
	vnft_chain_spec_free(out);
	return false;
}

void vnft_chain_spec_free(struct vnft_chain_spec *s)
{
	free(s->type);
	free(s->hook);
	free(s->priority);
	free(s->policy);
	free(s->device);
	memset(s, 0, sizeof(*s));
}

bool vnft_rule_counter(const char *line, unsigned long long *packets, unsigned long long *bytes)
{
	const char *p = strstr(line, "counter packets ");

	if (!p)
		return false;
	return sscanf(p, "counter packets %llu bytes %llu", packets, bytes) == 2;
}

/* ---- alignment ---- */

/* Beyond this many cells the middle of two sequences is not aligned line by
 * line: a 2000 x 2000 rule chain still is. */
#define ALIGN_MAX_CELLS (4u << 20)

void vnft_align(char *const *a, size_t na, char *const *b, size_t nb, vnft_align_fn cb,
		void *data)
{
	size_t pre = 0, suf = 0, ma, mb;
	uint32_t *L = NULL;

	while (pre < na && pre < nb && !strcmp(a[pre], b[pre]))
		pre++;
	while (suf < na - pre && suf < nb - pre && !strcmp(a[na - 1 - suf], b[nb - 1 - suf]))
		suf++;
	for (size_t i = 0; i < pre; i++)
		cb(data, ' ', (long)i, (long)i);
	ma = na - pre - suf;
	mb = nb - pre - suf;
	if (ma && mb && (ma + 1) * (mb + 1) <= ALIGN_MAX_CELLS)
		L = vrf_realloc(NULL, (ma + 1) * (mb + 1) * sizeof(*L), 1);
	if (L) {
		/* L[i][j]: length of the LCS of a[pre+i..] and b[pre+j..]. */
#define AT(i, j) L[(i) * (mb + 1) + (j)]
		for (size_t i = ma + 1; i-- > 0;) {
			for (size_t j = mb + 1; j-- > 0;) {
				if (i == ma || j == mb)
					AT(i, j) = 0;
				else if (!strcmp(a[pre + i], b[pre + j]))
					AT(i, j) = AT(i + 1, j + 1) + 1;
				else
					AT(i, j) = AT(i + 1, j) > AT(i, j + 1) ? AT(i + 1, j) : AT(i, j + 1);
			}
		}
		size_t i = 0, j = 0;

		while (i < ma || j < mb) {
			if (i < ma && j < mb && !strcmp(a[pre + i], b[pre + j])) {
				cb(data, ' ', (long)(pre + i), (long)(pre + j));
				i++, j++;
			} else if (j < mb && (i == ma || AT(i, j + 1) >= AT(i + 1, j))) {
				cb(data, '+', -1, (long)(pre + j));
				j++;
			} else {
				cb(data, '-', (long)(pre + i), -1);
				i++;
			}
		}
#undef AT
		free(L);
	} else {
		for (size_t i = 0; i < ma; i++)
			cb(data, '-', (long)(pre + i), -1);
		for (size_t j = 0; j < mb; j++)
			cb(data, '+', -1, (long)(pre + j));
	}
	for (size_t i = 0; i < suf; i++)
		cb(data, ' ', (long)(na - suf + i), (long)(nb - suf + i));
}

/* ---- diff ---- */

struct diff {
	struct vrf_buf *out;
	const char *indent;
	unsigned max, count;
	const char *where;		/* "chain input", "set s", "table" */
	char *const *wa, *const *wb;	/* display text of have / want lines */
};

static void diff_line(struct diff *df, char op, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void diff_line(struct diff *df, char op, const char *fmt, ...)
{
	va_list ap;

	df->count++;
	if (df->max && df->count > df->max)
		return;
	vrf_buf_printf(df->out, "\n%s%c ", df->indent, op);
	va_start(ap, fmt);
	vrf_buf_vprintf(df->out, fmt, ap);
	va_end(ap);
}

static void diff_align_cb(void *data, char op, long ia, long ib)
{
	struct diff *df = data;

	/* a = have, b = want: a line only in have is removed (-), one only in
	 * want is added (+). */
	if (op == '-')
		diff_line(df, '-', "%s: %s", df->where, df->wa[ia]);
	else if (op == '+')
		diff_line(df, '+', "%s: %s", df->where, df->wb[ib]);
}

/* Element-wise difference of two "elements = { ... }" lines. */
static bool diff_elements(struct diff *df, const char *have, const char *want)
{
	char **hv, **wv;
	size_t hn, wn, i = 0, j = 0;
	const char *hb = strchr(have, '{'), *wb = strchr(want, '{');

	if (!starts_with(have, "elements = {") || !starts_with(want, "elements = {"))
		return false;
	brace_items(have, (size_t)(hb - have), match_brace(have, (size_t)(hb - have), strlen(have)),
		    &hv, &hn);
	brace_items(want, (size_t)(wb - want), match_brace(want, (size_t)(wb - want), strlen(want)),
		    &wv, &wn);
	while (i < hn || j < wn) {
		int c = i == hn ? 1 : j == wn ? -1 : strcmp(hv[i], wv[j]);

		if (c == 0)
			i++, j++;
		else if (c < 0)
			diff_line(df, '-', "%s: element %s", df->where, hv[i++]);
		else
			diff_line(df, '+', "%s: element %s", df->where, wv[j++]);
	}
	strv_free(hv, hn);
	strv_free(wv, wn);
	return true;
}

const struct vnft_lblock *vnft_table_block(const struct vnft_ltable *t, const char *kind,
					   const char *name)
{
	for (size_t i = 0; t && i < t->n_blocks; i++)
		if (!strcmp(t->blocks[i].kind, kind) && !strcmp(t->blocks[i].name, name))
			return &t->blocks[i];
	return NULL;
}

/* Split a block's normalized lines into spec lines and the rest, keeping the
 * matching display lines. */
static void split_lines(const struct vnft_lblock *b, bool chain, char ***norm, size_t *nn,
			char ***disp, size_t *nd, char **spec)
{
	bool dyn = block_is_dynamic(b);
	struct vrf_buf sb = { 0 };

	*norm = *disp = NULL;
	*nn = *nd = 0;
	for (size_t i = 0; b && i < b->n; i++) {
		if (dyn && starts_with(b->lines[i], "elements = "))
			continue;
		if (chain && vnft_chain_line_is_spec(b->lines[i])) {
			vrf_buf_printf(&sb, "%s%s", sb.len ? " " : "", b->lines[i]);
			continue;
		}
		strv_push(norm, nn, vnft_line_norm(b->lines[i]));
		strv_push(disp, nd, vrf_strdup(b->lines[i]));
	}
	*spec = vrf_strdup(vrf_buf_str(&sb));
	vrf_buf_free(&sb);
}

static bool str_eq(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

void vnft_block_split(const struct vnft_lblock *b, char ***ret_norm, char ***ret_disp,
		      size_t *ret_n, char **ret_spec)
{
	size_t nd;

	split_lines(b, !strcmp(b->kind, "chain"), ret_norm, ret_n, ret_disp, &nd, ret_spec);
}

void vnft_strv_free(char **v, size_t n)
{
	strv_free(v, n);
}

bool vnft_elements(const char *line, char ***ret_v, size_t *ret_n)
{
	const char *b = strchr(line, '{');
	size_t len = strlen(line), j;

	*ret_v = NULL;
	*ret_n = 0;
	if (!starts_with(line, "elements = {") || !b)
		return false;
	j = match_brace(line, (size_t)(b - line), len);
	if (j == len)
		return false;
	brace_items(line, (size_t)(b - line), j, ret_v, ret_n);
	return true;
}

char *vnft_block_norm(const struct vnft_lblock *b)
{
	struct vrf_buf bb = { 0 };
	char **v, *r;
	size_t n;

	block_norm_lines(b, &v, &n);
	vrf_buf_printf(&bb, "%s %s {\n", b->kind, b->name);
	for (size_t j = 0; j < n; j++)
		vrf_buf_printf(&bb, "\t%s\n", v[j]);
	vrf_buf_puts(&bb, "}\n");
	strv_free(v, n);
	r = vrf_strdup(vrf_buf_str(&bb));
	vrf_buf_free(&bb);
	return r;
}

static void diff_spec_field(struct diff *df, const char *what, const char *have,
			    const char *want)
{
	if (!have && !want)
		return;
	if (have && want && !strcmp(have, want))
		return;
	diff_line(df, '~', "%s: %s %s -> %s", df->where, what, have ? have : "(none)",
		  want ? want : "(none)");
}

static void diff_block(struct diff *df, const struct vnft_lblock *w, const struct vnft_lblock *h)
{
	const struct vnft_lblock *any = w ? w : h;
	bool chain = !strcmp(any->kind, "chain");
	char **hn, **hd, **wn, **wd, *hspec, *wspec, *where;
	size_t hnn, hnd, wnn, wnd;

	where = vrf_asprintf("%s %s", any->kind, any->name);
	df->where = where;
	if (!w || !h) {
		split_lines(any, chain, &hn, &hnn, &hd, &hnd, &hspec);
		if (chain)
			diff_line(df, w ? '+' : '-', "%s%s%s%s (%zu rule%s)", where,
				  hspec[0] ? " { " : "", hspec, hspec[0] ? " }" : "", hnn,
				  hnn == 1 ? "" : "s");
		else
			diff_line(df, w ? '+' : '-', "%s", where);
		strv_free(hn, hnn);
		strv_free(hd, hnd);
		free(hspec);
		free(where);
		return;
	}
	split_lines(h, chain, &hn, &hnn, &hd, &hnd, &hspec);
	split_lines(w, chain, &wn, &wnn, &wd, &wnd, &wspec);
	if (chain && strcmp(hspec, wspec)) {
		struct vnft_chain_spec hs, ws;
		bool hb = vnft_chain_spec_parse(hspec, &hs), wb = vnft_chain_spec_parse(wspec, &ws);

		if (hb && wb && str_eq(hs.type, ws.type)) {
			bool same = str_eq(hs.hook, ws.hook) && str_eq(hs.device, ws.device) &&
				    str_eq(hs.priority, ws.priority) && str_eq(hs.policy, ws.policy);

			diff_spec_field(df, "hook", hs.hook, ws.hook);
			diff_spec_field(df, "device", hs.device, ws.device);
			diff_spec_field(df, "priority", hs.priority, ws.priority);
			diff_spec_field(df, "policy", hs.policy, ws.policy);
			/* Only a comment or flags changed: show the whole line. */
			if (same)
				diff_line(df, '~', "%s: %s -> %s", where, hspec, wspec);
		} else {
			diff_line(df, '~', "%s: %s -> %s", where, hspec[0] ? hspec : "(none)",
				  wspec[0] ? wspec : "(none)");
		}
		if (hb)
			vnft_chain_spec_free(&hs);
		if (wb)
			vnft_chain_spec_free(&ws);
	}
	if (!chain && hnn == wnn) {
		/* Sets and maps: same lines but for the elements. */
		for (size_t i = 0; i < hnn; i++) {
			if (!strcmp(hn[i], wn[i]))
				continue;
			if (!diff_elements(df, hn[i], wn[i])) {
				diff_line(df, '-', "%s: %s", where, hd[i]);
				diff_line(df, '+', "%s: %s", where, wd[i]);
			}
		}
	} else {
		df->wa = hd;
		df->wb = wd;
		vnft_align(hn, hnn, wn, wnn, diff_align_cb, df);
	}
	strv_free(hn, hnn);
	strv_free(hd, hnd);
	strv_free(wn, wnn);
	strv_free(wd, wnd);
	free(hspec);
	free(wspec);
	free(where);
}

unsigned vnft_table_diff(const struct vnft_ltable *want, const struct vnft_ltable *have,
			 struct vrf_buf *out, const char *indent, unsigned max)
{
	struct diff df = { .out = out, .indent = indent, .max = max };

	if (want && have) {
		char **ha = NULL, **wa = NULL;
		size_t hn = 0, wn = 0;

		for (size_t i = 0; i < have->n_attrs; i++)
			strv_push(&ha, &hn, vnft_line_norm(have->attrs[i]));
		for (size_t i = 0; i < want->n_attrs; i++)
			strv_push(&wa, &wn, vnft_line_norm(want->attrs[i]));
		df.where = "table";
		df.wa = ha;
		df.wb = wa;
		vnft_align(ha, hn, wa, wn, diff_align_cb, &df);
		strv_free(ha, hn);
		strv_free(wa, wn);
	}
	/* Blocks in the order the kernel lists them: have's first, then the
	 * ones only the file has. */
	for (size_t i = 0; have && i < have->n_blocks; i++) {
		const struct vnft_lblock *h = &have->blocks[i];
		const struct vnft_lblock *w = want ? vnft_table_block(want, h->kind, h->name) : NULL;

		diff_block(&df, w, h);
	}
	for (size_t i = 0; want && i < want->n_blocks; i++) {
		const struct vnft_lblock *w = &want->blocks[i];

		if (!vnft_table_block(have, w->kind, w->name))
			diff_block(&df, w, NULL);
	}
	if (df.max && df.count > df.max)
		vrf_buf_printf(out, "\n%s... and %u more", indent, df.count - df.max);
	return df.count;
}
