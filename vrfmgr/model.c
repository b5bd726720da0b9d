/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared utilities of the model: object lists, buffers, words, addresses,
 * names, diagnostics.  Nothing here touches the kernel. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/rtnetlink.h>

#include "plugin.h"

int vrf_objv_push(struct vrf_objv *ov, struct vrf_obj *o)
{
	if (ov->n == ov->cap) {
		ov->cap = ov->cap ? ov->cap * 2 : 16;
		ov->v = vrf_realloc(ov->v, ov->cap, sizeof(*ov->v));
	}
	ov->v[ov->n++] = o;
	return 0;
}

/* Merge sort, written out rather than qsort(): qsort's comparison takes
 * no context, so the kind's compare() would have to sit in a global, and
 * it is not stable.  Sorts v[0..n) through tmp (room for n / 2). */
static void objs_msort(struct vrf_obj **v, size_t n, struct vrf_obj **tmp,
		       int (*cmp)(const struct vrf_obj *, const struct vrf_obj *))
{
	size_t mid = n / 2, i = 0, j = mid, k = 0;

	if (n < 2)
		return;
	objs_msort(v, mid, tmp, cmp);
	objs_msort(v + mid, n - mid, tmp, cmp);
	if (cmp(v[mid - 1], v[mid]) <= 0)
		return;		/* the halves are already in order */
	memcpy(tmp, v, mid * sizeof(*v));
	/* Take from the left half unless the right one is strictly smaller:
	 * that keeps equal objects in their order. */
	while (i < mid && j < n)
		v[k++] = cmp(v[j], tmp[i]) < 0 ? v[j++] : tmp[i++];
	while (i < mid)
		v[k++] = tmp[i++];
}

void vrf_objs_sort(struct vrf_obj **v, size_t n)
{
	int (*cmp)(const struct vrf_obj *, const struct vrf_obj *);
	struct vrf_obj **tmp;
	size_t i = 1;

	if (n < 2)
		return;
	cmp = v[0]->plugin->compare;
	while (i < n && cmp(v[i - 1], v[i]) <= 0)
		i++;
	if (i == n)
		return;
	tmp = vrf_realloc(NULL, n / 2, sizeof(*tmp));
	objs_msort(v, n, tmp, cmp);
	free(tmp);
}

void vrf_obj_free(struct vrf_obj *o)
{
	if (!o)
		return;
	if (o->plugin && o->plugin->free)
		o->plugin->free(o);
	else
		free(o);
}

void vrf_format_was(const struct vrf_obj *want, const struct vrf_obj *have,
		    struct vrf_buf *out)
{
	want->plugin->format(want, out);
	vrf_buf_puts(out, " (was: ");
	have->plugin->format(have, out);
	vrf_buf_puts(out, ")");
}

void vrf_objv_clear(struct vrf_objv *ov)
{
	free(ov->v);
	ov->v = NULL;
	ov->n = ov->cap = 0;
}

void vrf_objv_free(struct vrf_objv *ov)
{
	for (size_t i = 0; i < ov->n; i++)
		vrf_obj_free(ov->v[i]);
	vrf_objv_clear(ov);
}

void *vrf_obj_new(const struct vrf_plugin *p, size_t size, const struct vrf_loc *loc)
{
	struct vrf_obj *o = vrf_calloc(1, size);

	o->plugin = p;
	if (loc)
		o->loc = *loc;
	return o;
}

/* The first failure of an op is the one to report: a later one (a batch's
 * ACK after a local refusal) is its consequence. */
void vrf_op_fail(struct vrf_op *op, int err, const char *fmt, ...)
{
	va_list ap;

	if (!op || op->err)
		return;
	op->err = err;
	free(op->errmsg);
	op->errmsg = NULL;
	if (!fmt)
		return;
	va_start(ap, fmt);
	if (vasprintf(&op->errmsg, fmt, ap) < 0)
		vrf_oom();
	va_end(ap);
}

/* ---- buffers ---- */

void vrf_buf_vprintf(struct vrf_buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	if (!b->s || b->len + (size_t)n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;

		while (cap < b->len + (size_t)n + 1)
			cap *= 2;
		b->s = vrf_realloc(b->s, cap, 1);
		b->cap = cap;
		vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void vrf_buf_printf(struct vrf_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vrf_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void vrf_buf_puts(struct vrf_buf *b, const char *s)
{
	vrf_buf_printf(b, "%s", s);
}

void vrf_buf_json_str(struct vrf_buf *b, const char *s)
{
	vrf_buf_puts(b, "\"");
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '"': vrf_buf_puts(b, "\\\""); break;
		case '\\': vrf_buf_puts(b, "\\\\"); break;
		case '\n': vrf_buf_puts(b, "\\n"); break;
		case '\t': vrf_buf_puts(b, "\\t"); break;
		default:
			if (*p < 0x20)
				vrf_buf_printf(b, "\\u%04x", *p);
			else
				vrf_buf_printf(b, "%c", *p);
		}
	}
	vrf_buf_puts(b, "\"");
}

void vrf_buf_reset(struct vrf_buf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

void vrf_buf_free(struct vrf_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

const char *vrf_buf_str(struct vrf_buf *b)
{
	return b->s ? b->s : "";
}

/* ---- words ---- */

/* Values are split on white space; double quotes group words (for a
 * description or a path with spaces).  No escapes: config values are not
 * shell code.  A value of len bytes has at most (len + 1) / 2 words, so
 * w needs room for len / 2 + 2 pointers (the last is NULL) and text for
 * len + 1 bytes; nothing ever grows. */
static int words_split(struct vrf_words *ws, const char *s, char **w, char *out)
{
	ws->w = w;
	ws->n = 0;
	while (*s) {
		bool quoted = false;

		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		ws->w[ws->n++] = out;
		/* Copy up to the next quote or (outside quotes) the next
		 * blank a stretch at a time: this runs for every line of
		 * every file.  The blanks are isspace()'s in the C locale,
		 * which vrfmgr never leaves. */
		for (;;) {
			size_t k = strcspn(s, quoted ? "\"" : " \t\n\v\f\r\"");

			memcpy(out, s, k);
			out += k;
			s += k;
			if (*s != '"')
				break;		/* the end, or a blank outside quotes */
			quoted = !quoted;
			s++;
		}
		*out++ = '\0';
		if (quoted)
			return -EINVAL;
	}
	ws->w[ws->n] = NULL;
	return 0;
}

/* Pointers, then text, in one block. */
static size_t words_slots(size_t len, size_t *ret_ptrs)
{
	*ret_ptrs = len / 2 + 2;
	return *ret_ptrs + (len + 1 + sizeof(char *) - 1) / sizeof(char *);
}

int vrf_words_split(struct vrf_words *ws, const char *s)
{
	size_t ptrs, slots = words_slots(strlen(s), &ptrs);
	char **mem = vrf_realloc(NULL, slots, sizeof(char *));
	int r;

	memset(ws, 0, sizeof(*ws));
	ws->mem = (char *)mem;
	r = words_split(ws, s, mem, (char *)(mem + ptrs));
	if (r < 0)
		vrf_words_free(ws);
	return r;
}

int vrf_words_split_buf(struct vrf_words *ws, const char *s, char **slots, size_t n_slots)
{
	size_t ptrs;
	int r;

	memset(ws, 0, sizeof(*ws));
	if (words_slots(strlen(s), &ptrs) > n_slots)
		return -ENOSPC;
	r = words_split(ws, s, slots, (char *)(slots + ptrs));
	if (r < 0)
		memset(ws, 0, sizeof(*ws));
	return r;
}

void vrf_words_free(struct vrf_words *ws)
{
	free(ws->mem);
	memset(ws, 0, sizeof(*ws));
}

/* ---- addresses ---- */

size_t vrf_addr_len(const struct vrf_addr *a)
{
	return a->family == AF_INET6 ? 16 : 4;
}

/* The n bytes at s as an IPv4 address, read exactly as glibc's
 * inet_pton(AF_INET) reads them: four decimal numbers from 0 to 255,
 * without leading zeros, joined by dots.  A file of 100,000 routes has
 * two addresses per line; reading them here, instead of copying each out
 * and calling inet_pton(), was a tenth of the whole load.  A text this
 * refuses still goes to inet_pton(). */
static bool parse_ipv4(const char *s, size_t n, struct in_addr *ret)
{
	const char *end = s + n;
	uint8_t b[4];

	for (unsigned part = 0; part < 4; part++) {
		unsigned val;

		if (part && (s == end || *s++ != '.'))
			return false;
		if (s == end || *s < '0' || *s > '9')
			return false;
		val = (unsigned)(*s++ - '0');
		while (s < end && *s >= '0' && *s <= '9') {
			if (val == 0)
				return false;		/* a leading zero */
			val = val * 10 + (unsigned)(*s++ - '0');
			if (val > 255)
				return false;
		}
		b[part] = (uint8_t)val;
	}
	if (s != end)
		return false;
	memcpy(ret, b, sizeof(b));
	return true;
}

/* A prefix length: decimal digits only, at most max (what
 * vrf_parse_uint(s, 0, max) accepts, without strtoull()). */
static bool parse_plen(const char *s, unsigned max, uint8_t *ret)
{
	unsigned v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > max)
			return false;
	}
	*ret = (uint8_t)v;
	return true;
}

int vrf_addr_parse(struct vrf_addr *a, const char *s, bool want_plen, bool allow_default)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash;
	size_t n;

	memset(a, 0, sizeof(*a));
	if (allow_default && !strcmp(s, "default")) {
		a->family = AF_INET;	/* the caller may switch it to AF_INET6 */
		return 0;
	}
	slash = strchr(s, '/');
	n = slash ? (size_t)(slash - s) : strlen(s);
	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	if (parse_ipv4(s, n, &a->v4)) {
		a->family = AF_INET;
	} else {
		memcpy(buf, s, n);
		buf[n] = '\0';
		if (inet_pton(AF_INET, buf, &a->v4) == 1)
			a->family = AF_INET;
		else if (inet_pton(AF_INET6, buf, &a->v6) == 1)
			a->family = AF_INET6;
		else
			return -EINVAL;
	}
	a->plen = a->family == AF_INET ? 32 : 128;
	if (slash) {
		if (!want_plen)
			return -EINVAL;
		if (!parse_plen(slash + 1, a->plen, &a->plen))
			return -ERANGE;
	}
	return 0;
}

void vrf_addr_format(const struct vrf_addr *a, bool with_plen, struct vrf_buf *out)
{
	char buf[INET6_ADDRSTRLEN];

	if (!a->family) {
		vrf_buf_puts(out, "?");
		return;
	}
	if (with_plen && a->plen == 0 && vrf_addr_has_host_bits(a) == false) {
		static const uint8_t zero[16];

		if (!memcmp(a->bytes, zero, vrf_addr_len(a))) {
			vrf_buf_puts(out, "default");
			return;
		}
	}
	inet_ntop(a->family, a->bytes, buf, sizeof(buf));
	if (with_plen && a->plen != (a->family == AF_INET ? 32 : 128))
		vrf_buf_printf(out, "%s/%u", buf, a->plen);
	else
		vrf_buf_puts(out, buf);
}

int vrf_addr_cmp(const struct vrf_addr *a, const struct vrf_addr *b)
{
	int r;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	r = memcmp(a->bytes, b->bytes, vrf_addr_len(a));
	if (r)
		return r < 0 ? -1 : 1;
	if (a->plen != b->plen)
		return a->plen < b->plen ? -1 : 1;
	return 0;
}

bool vrf_addr_has_host_bits(const struct vrf_addr *a)
{
	size_t len = vrf_addr_len(a);

	for (size_t i = 0; i < len; i++) {
		unsigned bit = (unsigned)i * 8;
		uint8_t mask;

		if (bit + 8 <= a->plen)
			continue;
		mask = bit >= a->plen ? 0xff : (uint8_t)(0xff >> (a->plen - bit));
		if (a->bytes[i] & mask)
			return true;
	}
	return false;
}

void vrf_addr_mask(struct vrf_addr *a)
{
	size_t len = vrf_addr_len(a);

	for (size_t i = 0; i < len; i++) {
		unsigned bits = a->plen > i * 8 ? a->plen - (unsigned)i * 8 : 0;

		if (bits < 8)
			a->bytes[i] &= (uint8_t)(0xff00u >> bits);
	}
}

bool vrf_addr_is_link_local(const struct vrf_addr *a)
{
	return a->family == AF_INET6 && a->bytes[0] == 0xfe && (a->bytes[1] & 0xc0) == 0x80;
}

void vrf_addr_str(const struct vrf_addr *a, bool with_plen, char *buf, size_t len)
{
	char tmp[INET6_ADDRSTRLEN];

	if (!inet_ntop(a->family, a->bytes, tmp, sizeof(tmp)))
		snprintf(tmp, sizeof(tmp), "?");
	if (with_plen)
		snprintf(buf, len, "%s/%u", tmp, a->plen);
	else
		snprintf(buf, len, "%s", tmp);
}

const char *vrf_family_name(int family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

/* ---- names and numbers ---- */

/* Say which character is refused: the whole UTF-8 sequence starting at p
 * (a name like "café" fails on its "é", which is a letter, but not an
 * ASCII one), with its bytes, since a control character or broken UTF-8
 * prints as nothing useful. */
static const char *name_bad_char(const char *p)
{
	static char why[160];
	unsigned char c = (unsigned char)*p;
	size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1, len = 0;
	char bytes[24] = "", shown[8] = "";
	bool printable;

	while (len < n && p[len] && (len == 0 || ((unsigned char)p[len] & 0xc0) == 0x80))
		len++;
	for (size_t i = 0; i < len; i++)
		snprintf(bytes + strlen(bytes), sizeof(bytes) - strlen(bytes), "%s0x%02x",
			 i ? " " : "", (unsigned char)p[i]);
	printable = len > 1 ? len == n : isprint(c);
	if (printable)
		memcpy(shown, p, len);
	snprintf(why, sizeof(why), "contains %s%s%s(byte%s %s), but may contain only ASCII "
		 "letters, digits, '_', '.' and '-'", printable ? "\"" : "", shown,
		 printable ? "\" " : "", len > 1 ? "s" : "", bytes);
	return why;
}

bool vrf_domain_name_valid(const char *s, const char **ret_why)
{
	size_t n = strlen(s);

	if (n == 0 || n > VRF_DOMAIN_NAME_MAX) {
		*ret_why = "must be 1 to 64 characters";
		return false;
	}
	if (!strcmp(s, ".") || !strcmp(s, "..")) {
		*ret_why = "must not be \".\" or \"..\"";
		return false;
	}
	if (!strcmp(s, VRF_HOST)) {
		*ret_why = "\"host\" is reserved for the [host] section";
		return false;
	}
	if (s[0] == '-') {
		*ret_why = "must not begin with '-' (it would read as an option on the command line)";
		return false;
	}
	for (const char *p = s; *p; p++) {
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.' && *p != '-') {
			*ret_why = name_bad_char(p);
			return false;
		}
	}
	return true;
}

bool vrf_ifname_valid(const char *s, const char **ret_why)
{
	size_t n = strlen(s);

	if (n == 0 || n > VRF_IFNAME_MAX) {
		*ret_why = "must be 1 to 15 bytes (IFNAMSIZ)";
		return false;
	}
	if (!strcmp(s, ".") || !strcmp(s, "..")) {
		*ret_why = "must not be \".\" or \"..\"";
		return false;
	}
	for (const char *p = s; *p; p++) {
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p) ||
		    !isprint((unsigned char)*p)) {
			*ret_why = "must not contain '/', ':', white space or control characters";
			return false;
		}
	}
	return true;
}

/* Digits in base 10, or in base 16 after "0x" when hex is allowed, and
 * nothing else: no sign, no blanks, no octal. */
static int parse_ull(const char *s, bool hex, unsigned long long min, unsigned long long max,
		     unsigned long long *ret)
{
	unsigned long long v;
	char *end;
	int base = 10;

	if (!s)
		return -EINVAL;
	if (hex && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!(base == 16 ? isxdigit((unsigned char)*s) : isdigit((unsigned char)*s)))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, base);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int vrf_parse_uint(const char *s, unsigned long long min, unsigned long long max,
		   unsigned long long *ret)
{
	return parse_ull(s, false, min, max, ret);
}

int vrf_parse_num(const char *s, unsigned long long min, unsigned long long max,
		  unsigned long long *ret)
{
	return parse_ull(s, true, min, max, ret);
}

int vrf_table_parse(const char *s, uint32_t *ret)
{
	unsigned long long v;

	if (!strcmp(s, "main"))
		*ret = RT_TABLE_MAIN;
	else if (!strcmp(s, "local"))
		*ret = RT_TABLE_LOCAL;
	else if (!strcmp(s, "default"))
		*ret = RT_TABLE_DEFAULT;
	else if (vrf_parse_num(s, 1, UINT32_MAX, &v) == 0)
		*ret = (uint32_t)v;
	else
		return -EINVAL;
	return 0;
}

void vrf_table_format(uint32_t table, struct vrf_buf *out)
{
	if (table == RT_TABLE_MAIN)
		vrf_buf_puts(out, "main");
	else if (table == RT_TABLE_LOCAL)
		vrf_buf_puts(out, "local");
	else if (table == RT_TABLE_DEFAULT)
		vrf_buf_puts(out, "default");
	else
		vrf_buf_printf(out, "%u", table);
}

int vrf_check_dev(struct vrf_config *cfg, const struct vrf_domain *d, const struct vrf_loc *loc,
		  const char *kind, const char *word, const char *dev)
{
	if (!strcmp(dev, "lo") || vrf_name_find(cfg, d->name, "dev", dev, NULL, NULL))
		return 0;
	if (d->is_host)
		vrf_error(cfg, loc, "%s: %s \"%s\" is not a link that vrfmgr manages in the "
			  "host namespace", kind, word, dev);
	else
		vrf_error(cfg, loc, "%s: %s \"%s\" is not a link of domain %s", kind, word, dev,
			  d->name);
	return -EINVAL;
}

/* ---- descriptors ---- */

int vrf_fd_high(int fd)
{
	int nfd;

	if (fd < 0 || fd >= 1024)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 1024);
	if (nfd < 0)
		return fd;	/* a low limit: keep working, just not up high */
	close(fd);
	return nfd;
}

/* ---- diagnostics and files ---- */

void vrf_error(struct vrf_config *cfg, const struct vrf_loc *loc, const char *fmt, ...)
{
	va_list ap;

	if (cfg)
		cfg->errors++;
	if (cfg && cfg->quiet_errors)
		return;
	if (loc && loc->file && loc->line)
		fprintf(stderr, "%s:%u: ", loc->file, loc->line);
	else if (loc && loc->file)
		fprintf(stderr, "%s: ", loc->file);
	else
		fputs("vrfmgr: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *vrf_config_intern(struct vrf_config *cfg, const char *s)
{
	for (size_t i = 0; i < cfg->n_pool; i++)
		if (!strcmp(cfg->pool[i], s))
			return cfg->pool[i];
	cfg->pool = vrf_realloc(cfg->pool, cfg->n_pool + 1, sizeof(char *));
	cfg->pool[cfg->n_pool] = vrf_strdup(s);
	return cfg->pool[cfg->n_pool++];
}

static char *path_root;

void vrf_path_set_root(const char *root)
{
	free(path_root);
	path_root = root ? vrf_strdup(root) : NULL;
}

char *vrf_path_relative(const struct vrf_loc *loc, const char *rel)
{
	const char *slash;

	if (rel[0] == '/' && path_root)
		return vrf_asprintf("%s%s", path_root, rel);
	if (rel[0] == '/' || !loc || !loc->file || !(slash = strrchr(loc->file, '/')))
		return vrf_strdup(rel);
	return vrf_asprintf("%.*s/%s", (int)(slash - loc->file), loc->file, rel);
}

int vrf_open_trusted(struct vrf_config *cfg, const struct vrf_loc *loc, const char *path)
{
	struct vrf_loc here = { path, 0 };
	struct stat st;
	int fd;

	if (!loc)
		loc = &here;
	/* O_NONBLOCK: a FIFO must be refused, not waited on.  O_NOFOLLOW: a
	 * symlink swapped in for the file is refused rather than followed. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0) {
		int err = errno;

		if (err == ELOOP)
			vrf_error(cfg, loc, "%s: is a symbolic link; refusing it", path);
		else
			vrf_error(cfg, loc, "%s: %s", path, strerror(err));
		return -err;
	}
	if (fstat(fd, &st) < 0) {
		int err = errno;

		vrf_error(cfg, loc, "%s: %s", path, strerror(err));
		close(fd);
		return -err;
	}
	if (!S_ISREG(st.st_mode)) {
		vrf_error(cfg, loc, "%s: not a regular file; refusing it", path);
		close(fd);
		return -EINVAL;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		vrf_error(cfg, loc, "%s: owned by uid %u, neither root nor us; refusing it",
			  path, (unsigned)st.st_uid);
		close(fd);
		return -EPERM;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		vrf_error(cfg, loc, "%s: writable by group or others (mode %04o); refusing it",
			  path, (unsigned)(st.st_mode & 07777));
		close(fd);
		return -EPERM;
	}
	/* Back to blocking reads now that we know it is a regular file. */
	fcntl(fd, F_SETFL, 0);
	cfg->files = vrf_realloc(cfg->files, cfg->n_files + 1, sizeof(*cfg->files));
	cfg->files[cfg->n_files++] = vrf_strdup(path);
	return fd;
}
