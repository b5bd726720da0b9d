/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sysctl: net.* kernel parameters of a domain.
 *
 *     sysctl = net.ipv4.ip_forward=1
 *     sysctl = net.ipv4.conf.eth0/100.rp_filter=2
 *
 * Keys use the dotted spelling of sysctl(8).  A dot inside one component (an
 * interface named "eth0.100") is written as '/', exactly as sysctl(8) wants
 * it, and becomes a dot again in the file name under /proc/sys/net.
 *
 * Values under /proc/sys/net belong to the network namespace of the process
 * that looks the file up, so every open happens inside the domain (after
 * vrf_ns_enter()), relative to a /proc/sys/net folder opened there, with
 * openat2(RESOLVE_BENEATH) so that no key can name a file outside it.  Only
 * net.* is accepted: anything else written from a domain would change the
 * whole host.
 *
 * Restore: the first time vrfmgr changes a key in a namespace it records the
 * value it found in STATE_DIR/DOMAIN/sysctl.orig.  observe() reports recorded
 * keys that left the file as live objects of their own; the engine plans their
 * deletion, and deleting one writes the recorded value back and drops it.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "plugin.h"

#define SYSCTL_KEY_MAX		255
#define SYSCTL_VALUE_MAX	(1U << 20)	/* no net.* value comes near this */
#define SYSCTL_RECORD		"sysctl.orig"

/* A live object for a key that left the file but whose original value is
 * recorded: deleting it restores that value. */
#define SYSCTL_RESTORE		(1U << 0)

struct sysctl_obj {
	struct vrf_obj obj;
	unsigned flags;
	const char *key;	/* dotted spelling: net.ipv4.conf.eth0/100.rp_filter */
	const char *path;	/* below /proc/sys/net: ipv4/conf/eth0.100/rp_filter */
	const char *value;	/* normalized */
	const char *orig;	/* SYSCTL_RESTORE: the value recorded before vrfmgr */
	char mem[];
};

/* The recorded original values of one namespace. */
struct sysctl_rec {
	char *key;
	char *value;
};

struct sysctl_recs {
	struct sysctl_rec *v;
	size_t n, cap;
	bool dirty;
};

/* Per-namespace state: /proc/sys/net as opened from inside the namespace. */
struct sysctl_ns {
	int dirfd;
};

static const struct vrf_plugin sysctl_plugin;

/* ---- keys and values ---- */

/* Collapse runs of blanks to one space, trim both ends, and write decimal
 * integers without leading zeros, so that what the kernel prints back
 * ("4096\t87380") compares equal to what the file says ("4096 87380"). */
static char *normalize(const char *s)
{
	size_t len = strlen(s);
	char *out = vrf_malloc(len + 1), *o = out;

	while (*s) {
		const char *w;
		size_t n;

		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (!*s)
			break;
		w = s;
		while (*s && *s != ' ' && *s != '\t' && *s != '\n')
			s++;
		n = (size_t)(s - w);
		if (o != out)
			*o++ = ' ';
		if (n > 1 && (isdigit((unsigned char)w[0]) || (w[0] == '-' && n > 2))) {
			size_t i = w[0] == '-', j;

			for (j = i; j < n && isdigit((unsigned char)w[j]); j++)
				;
			if (j == n) {
				bool neg = i == 1;

				while (i < n - 1 && w[i] == '0')
					i++;
				if (neg && !(n - i == 1 && w[i] == '0'))
					*o++ = '-';
				memcpy(o, w + i, n - i);
				o += n - i;
				continue;
			}
		}
		memcpy(o, w, n);
		o += n;
	}
	*o = '\0';
	return out;
}

static void trim_span(const char **b, const char **e)
{
	while (*b < *e && isspace((unsigned char)**b))
		(*b)++;
	while (*e > *b && isspace((unsigned char)(*e)[-1]))
		(*e)--;
}

/* Check a dotted key and turn it into a path below /proc/sys/net.  On error
 * fills why (a sentence about the key) and returns -EINVAL. */
static int key_to_path(const char *key, char **ret_path, char *why, size_t whylen)
{
	size_t len = strlen(key);
	const char *s, *c;
	char *path, *p;

	if (len > SYSCTL_KEY_MAX) {
		snprintf(why, whylen, "sysctl key \"%.40s...\" is too long (%zu bytes, at most %d)",
			 key, len, SYSCTL_KEY_MAX);
		return -EINVAL;
	}
	for (s = key; *s; s++) {
		if (*s == ' ' || *s == '\t') {
			snprintf(why, whylen, "sysctl key \"%s\" contains whitespace", key);
			return -EINVAL;
		}
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			snprintf(why, whylen, "sysctl key \"%s\" contains a control character", key);
			return -EINVAL;
		}
	}
	if (strncmp(key, "net.", 4)) {
		snprintf(why, whylen,
			 "sysctl key \"%s\" is outside net.*: only network keys belong to a namespace, any other would change the whole host",
			 key);
		return -EINVAL;
	}
	if (!key[4] || strstr(key, "..") || key[len - 1] == '.') {
		snprintf(why, whylen,
			 "sysctl key \"%s\" has an empty component (\"..\" or a dot at the end)", key);
		return -EINVAL;
	}
	path = vrf_malloc(len + 1);
	p = path;
	for (s = key + 4; *s; s = *c ? c + 1 : c) {
		size_t n;

		c = strchrnul(s, '.');
		n = (size_t)(c - s);
		/* '/' stands for a dot inside a component; after mapping the
		 * component must still be a plain name. */
		if ((n == 1 && s[0] == '/') || (n == 2 && s[0] == '/' && s[1] == '/')) {
			snprintf(why, whylen, "sysctl key \"%s\": component \"%.*s\" is not a name",
				 key, (int)n, s);
			free(path);
			return -EINVAL;
		}
		if (p != path)
			*p++ = '/';
		for (size_t i = 0; i < n; i++)
			*p++ = s[i] == '/' ? '.' : s[i];
	}
	*p = '\0';
	*ret_path = path;
	return 0;
}

static struct sysctl_obj *sysctl_new(const struct vrf_loc *loc, const char *key,
				     const char *path, const char *value, const char *orig)
{
	size_t lk = strlen(key) + 1, lp = strlen(path) + 1, lv = strlen(value) + 1;
	size_t lo = orig ? strlen(orig) + 1 : 0;
	struct sysctl_obj *o = vrf_obj_new(&sysctl_plugin, sizeof(*o) + lk + lp + lv + lo, loc);
	char *m = o->mem;

	o->key = memcpy(m, key, lk);
	m += lk;
	o->path = memcpy(m, path, lp);
	m += lp;
	o->value = memcpy(m, value, lv);
	m += lv;
	if (orig) {
		o->orig = memcpy(m, orig, lo);
		o->flags |= SYSCTL_RESTORE;
	}
	return o;
}

/* ---- parse ---- */

static int sysctl_parse(struct vrf_config *cfg, struct vrf_domain *d,
			const struct vrf_loc *loc, const char *key, const char *value)
{
	const char *eq = strchr(value, '='), *kb = value, *ke, *vb, *ve;
	char why[512], *k = NULL, *path = NULL, *v = NULL;
	const struct vrf_loc *first;
	struct sysctl_obj *o;
	int r = -EINVAL;

	if (!eq) {
		vrf_error(cfg, loc, "sysctl \"%s\": expected KEY=VALUE, e.g. net.ipv4.ip_forward=1",
			  value);
		return -EINVAL;
	}
	ke = eq;
	trim_span(&kb, &ke);
	vb = eq + 1;
	ve = vb + strlen(vb);
	trim_span(&vb, &ve);
	if (kb == ke) {
		vrf_error(cfg, loc, "sysctl \"%s\": the key before '=' is empty", value);
		return -EINVAL;
	}
	k = vrf_strndup(kb, (size_t)(ke - kb));
	r = key_to_path(k, &path, why, sizeof(why));
	if (r < 0) {
		if (r == -EINVAL)
			vrf_error(cfg, loc, "%s", why);
		goto out;
	}
	r = -EINVAL;
	if (vb == ve) {
		vrf_error(cfg, loc, "sysctl %s has no value after '='", k);
		goto out;
	}
	for (const char *s = vb; s < ve; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f) {
			vrf_error(cfg, loc, "sysctl %s: the value contains a control character", k);
			goto out;
		}
	if (vrf_name_find(cfg, d->name, "sysctl", k, NULL, &first)) {
		vrf_error(cfg, loc, "sysctl %s is set twice in %s (first at %s:%u)", k,
			  d->is_host ? "[host]" : d->name, first->file, first->line);
		goto out;
	}
	{
		char *raw = vrf_strndup(vb, (size_t)(ve - vb));

		v = normalize(raw);
		free(raw);
	}
	o = sysctl_new(loc, k, path, v, NULL);
	vrf_domain_add(d, &o->obj);
	r = vrf_name_add(cfg, d->name, "sysctl", k, loc, o);
out:
	free(k);
	free(path);
	free(v);
	return r;
}

/* ---- identity, equality, text ---- */

static int sysctl_compare(const struct vrf_obj *a, const struct vrf_obj *b)
{
	return strcmp(((const struct sysctl_obj *)a)->key, ((const struct sysctl_obj *)b)->key);
}

static bool sysctl_equal(const struct vrf_obj *want, const struct vrf_obj *have)
{
	return !strcmp(((const struct sysctl_obj *)want)->value,
		       ((const struct sysctl_obj *)have)->value);
}

static void sysctl_format(const struct vrf_obj *obj, struct vrf_buf *out)
{
	const struct sysctl_obj *o = (const struct sysctl_obj *)obj;

	vrf_buf_printf(out, "%s=%s", o->key, o->value);
	if (o->flags & SYSCTL_RESTORE)
		vrf_buf_printf(out, " (restore %s)", o->orig);
}

static void sysctl_format_change(const struct vrf_obj *want, const struct vrf_obj *have,
				 struct vrf_buf *out)
{
	const struct sysctl_obj *w = (const struct sysctl_obj *)want;
	const struct sysctl_obj *h = (const struct sysctl_obj *)have;

	vrf_buf_printf(out, "%s %s -> %s", w->key, h->value, w->value);
}

static void sysctl_free(struct vrf_obj *o)
{
	free(o);
}

/* ---- the record of original values ---- */

static void recs_free(struct sysctl_recs *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		free(rs->v[i].key);
		free(rs->v[i].value);
	}
	free(rs->v);
	memset(rs, 0, sizeof(*rs));
}

static struct sysctl_rec *recs_find(struct sysctl_recs *rs, const char *key)
{
	for (size_t i = 0; i < rs->n; i++)
		if (!strcmp(rs->v[i].key, key))
			return &rs->v[i];
	return NULL;
}

static void recs_add(struct sysctl_recs *rs, const char *key, const char *value)
{
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 8;
		rs->v = vrf_realloc(rs->v, rs->cap, sizeof(*rs->v));
	}
	rs->v[rs->n].key = vrf_strdup(key);
	rs->v[rs->n].value = vrf_strdup(value);
	rs->n++;
	rs->dirty = true;
}

static void recs_drop(struct sysctl_recs *rs, const char *key)
{
	struct sysctl_rec *r = recs_find(rs, key);

	if (!r)
		return;
	free(r->key);
	free(r->value);
	*r = rs->v[--rs->n];
	rs->dirty = true;
}

/* Read STATE_DIR/DOMAIN/sysctl.orig: "key=value" lines.  Absent means empty,
 * and so does a record state.c does not trust (it said it ignores it). */
static int recs_load(const struct vrf_config *cfg, const char *domain, struct sysctl_recs *rs)
{
	char *text = NULL, *line, *next;
	size_t len;
	int r;

	memset(rs, 0, sizeof(*rs));
	r = vrf_state_read(cfg, domain, SYSCTL_RECORD, &text, &len);
	if (r == -ENOENT || r == -EPERM)
		return 0;
	if (r < 0)
		return r;
	for (line = text; *line; line = next) {
		char *eq;

		next = strchrnul(line, '\n');
		if (*next)
			*next++ = '\0';
		eq = strchr(line, '=');
		if (!eq || line[0] == '#')
			continue;
		*eq = '\0';
		if (!recs_find(rs, line))
			recs_add(rs, line, eq + 1);
	}
	rs->dirty = false;
	free(text);
	return 0;
}

/* Write the record through the core's state writer, or remove it when
 * nothing is left to restore. */
static int recs_save(const struct vrf_config *cfg, const char *domain, struct sysctl_recs *rs)
{
	struct vrf_buf b = { 0 };
	int r;

	if (!rs->n) {
		r = vrf_state_remove(cfg, domain, SYSCTL_RECORD);
	} else {
		vrf_buf_puts(&b, "# Values vrfmgr found before it first changed these keys; "
			     "restored when a key leaves the file.\n");
		for (size_t i = 0; i < rs->n; i++)
			vrf_buf_printf(&b, "%s=%s\n", rs->v[i].key, rs->v[i].value);
		r = vrf_state_write(cfg, domain, SYSCTL_RECORD, vrf_buf_str(&b), b.len);
	}
	if (r == 0)
		rs->dirty = false;
	vrf_buf_free(&b);
	return r;
}

static void sysctl_ns_release(struct vrf_ns *ns, void *state)
{
	struct sysctl_ns *s = state;

	if (!s)
		return;
	if (s->dirfd >= 0)
		close(s->dirfd);
	free(s);
}

/* The /proc/sys/net folder, opened while inside the namespace.  Must be called
 * between vrf_ns_enter() and vrf_ns_leave(): lookups below it resolve in the
 * namespace of the caller. */
static int procnet_dirfd(struct vrf_ns *ns)
{
	void **slot = vrf_ns_state(ns, &sysctl_plugin);
	struct sysctl_ns *s = *slot;
	struct statfs sfs;
	int fd;

	if (s)
		return s->dirfd;
	fd = open("/proc/sys/net", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	/* Anything but procfs here (a bind mount over /proc/sys) would let a
	 * write land somewhere else. */
	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC) {
		close(fd);
		return -ENOTSUP;
	}
	s = vrf_malloc(sizeof(*s));
	s->dirfd = fd = vrf_fd_high(fd);
	*slot = s;
	return fd;
}

/* Open path below dirfd without any way out: no "..", no symlinks, no other
 * mount.  The key checks already refuse "..", this is the second lock. */
static int open_beneath(int dirfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (unsigned)(flags | O_CLOEXEC | O_NOCTTY),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
			   RESOLVE_NO_XDEV,
	};
	long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));

	if (fd >= 0)
		return (int)fd;
	if (errno != ENOSYS)
		return -errno;
	/* Kernels before 5.6: walk one component at a time, never following
	 * a symlink.  Keys never contain "..", so this stays below dirfd. */
	{
		char *copy = vrf_strdup(path), *save = NULL, *c, *next;
		int cur = dirfd, nfd = -1;

		for (c = strtok_r(copy, "/", &save); c; c = next) {
			next = strtok_r(NULL, "/", &save);
			nfd = openat(cur, c, next ? O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC :
					 flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
			if (cur != dirfd)
				close(cur);
			if (nfd < 0) {
				int err = -errno;

				free(copy);
				return err;
			}
			cur = nfd;
		}
		free(copy);
		return nfd;
	}
}

static int read_value(int fd, char **ret)
{
	struct vrf_buf b = { 0 };
	char chunk[4096];
	ssize_t n;
	off_t off = 0;

	for (;;) {
		n = pread(fd, chunk, sizeof(chunk) - 1, off);
		if (n < 0) {
			int err = -errno;

			vrf_buf_free(&b);
			return err;
		}
		if (n == 0)
			break;
		chunk[n] = '\0';
		vrf_buf_puts(&b, chunk);
		off += n;
		if ((size_t)off > SYSCTL_VALUE_MAX) {
			vrf_buf_free(&b);
			return -EFBIG;
		}
	}
	*ret = normalize(vrf_buf_str(&b));
	vrf_buf_free(&b);
	return 0;
}

/* Does the host namespace have this key?  Called from inside ns on an error
 * path only: it steps out, looks, and steps back in. */
static bool host_has_key(struct vrf_ns *ns, const char *path)
{
	bool found = false;
	int dirfd, fd;

	if (!strcmp(vrf_ns_name(ns), VRF_HOST) || vrf_ns_leave(ns) < 0)
		return false;
	dirfd = open("/proc/sys/net", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dirfd >= 0) {
		fd = open_beneath(dirfd, path, O_RDONLY);
		found = fd >= 0;
		if (fd >= 0)
			close(fd);
		close(dirfd);
	}
	if (vrf_ns_enter(ns) < 0)
		abort();	/* the caller's setns pair would be broken */
	return found;
}

/* The interface a per-interface key names ("eth0.100" for
 * ipv4/conf/eth0.100/rp_filter), or false. */
static bool key_ifname(const char *path, char name[VRF_IFNAME_MAX + 1])
{
	static const char *const per_dev[] = { "ipv4/conf/", "ipv6/conf/", "ipv4/neigh/",
					       "ipv6/neigh/", "mpls/conf/", NULL };

	for (const char *const *pre = per_dev; *pre; pre++) {
		size_t n = strlen(*pre);
		const char *dev, *end;

		if (strncmp(path, *pre, n))
			continue;
		dev = path + n;
		end = strchr(dev, '/');
		if (!end || (size_t)(end - dev) > VRF_IFNAME_MAX)
			return false;
		memcpy(name, dev, (size_t)(end - dev));
		name[end - dev] = '\0';
		return strcmp(name, "all") && strcmp(name, "default");
	}
	return false;
}

/* Why a key cannot be used in this namespace, as a sentence; NULL if the
 * error is not about the key.  Must be called from inside ns. */
static char *why_unusable(struct vrf_ns *ns, const char *key, const char *path, int err)
{
	const char *where = vrf_ns_name(ns);
	bool host = !strcmp(where, VRF_HOST);
	char ifname[VRF_IFNAME_MAX + 1], *msg = NULL, *in;

	in = host ? vrf_strdup("the host namespace") : vrf_asprintf("domain %s", where);
	if (err == -ENOENT) {
		if (key_ifname(path, ifname))
			msg = vrf_asprintf("sysctl %s: no such key in %s (no interface %s there)",
					   key, in, ifname);
		else if (host_has_key(ns, path))
			msg = vrf_asprintf("sysctl %s: no such key in %s: it is global to the kernel and exists only in the host namespace",
					   key, in);
		else
			msg = vrf_asprintf("sysctl %s: no such key in %s", key, in);
	} else if (err == -EROFS || err == -EACCES || err == -EPERM) {
		msg = vrf_asprintf("sysctl %s: read-only in %s", key, in);
	} else if (err == -EISDIR) {
		msg = vrf_asprintf("sysctl %s names a folder, not a value", key);
	} else if (err == -ELOOP || err == -EXDEV) {
		msg = vrf_asprintf("sysctl %s: %s leaves /proc/sys/net; refusing it", key, path);
	}
	free(in);
	return msg;
}

/* Open a key inside the namespace (entered) and check it can be written. */
static int open_key(int dirfd, const struct sysctl_obj *o, int flags)
{
	struct stat st;
	int fd = open_beneath(dirfd, o->path, flags);

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return -EISDIR;
	}
	/* The kernel marks read-only entries (and entries a non-initial
	 * namespace may only read, like nf_conntrack_buckets) 0444. */
	if (!(st.st_mode & S_IWUSR)) {
		close(fd);
		return -EROFS;
	}
	return fd;
}

static int read_key(int dirfd, const struct sysctl_obj *o, char **ret)
{
	int fd = open_key(dirfd, o, O_RDONLY), r;

	if (fd < 0)
		return fd;
	r = read_value(fd, ret);
	close(fd);
	return r;
}

/* Print a per-object diagnostic the way config errors read. */
static void report(const struct vrf_loc *loc, const char *msg)
{
	if (loc && loc->file)
		fprintf(stderr, "%s:%u: %s\n", loc->file, loc->line, msg);
	else
		fprintf(stderr, "vrfmgr: %s\n", msg);
}

/* An interface key whose interface the file declares may be missing at plan
 * time: the link is created in an earlier stage of the same apply. */
static bool key_waits_for_link(const struct vrf_config *cfg, const struct vrf_domain *d,
			       const struct sysctl_obj *o)
{
	char name[VRF_IFNAME_MAX + 1];

	return key_ifname(o->path, name) && vrf_name_find(cfg, d->name, "dev", name, NULL, NULL);
}

/* ---- observe ---- */

/* bsearch() over the file's keys, which vrf_domain_sorted() hands over in
 * identity order: sorted by key. */
static int cmp_key(const void *key, const void *elem)
{
	return strcmp(key, ((const struct sysctl_obj *)*(struct vrf_obj *const *)elem)->key);
}

/* The live value of every key the file sets. */
static int observe_wanted(struct vrf_ns *ns, int dirfd, const struct vrf_config *cfg,
			  const struct vrf_domain *d, struct vrf_obj *const *want,
			  size_t n_want, struct vrf_objv *out)
{
	for (size_t i = 0; i < n_want; i++) {
		const struct sysctl_obj *w = (const struct sysctl_obj *)want[i];
		struct sysctl_obj *o;
		char *value = NULL;
		int r = read_key(dirfd, w, &value);

		if (r == -ENOENT && key_waits_for_link(cfg, d, w))
			continue;
		if (r < 0) {
			char *msg = why_unusable(ns, w->key, w->path, r);

			if (msg)
				report(&w->obj.loc, msg);
			else
				fprintf(stderr, "%s:%u: sysctl %s: %s\n", w->obj.loc.file,
					w->obj.loc.line, w->key, strerror(-r));
			free(msg);
			return r;
		}
		o = sysctl_new(NULL, w->key, w->path, value, NULL);
		free(value);
		vrf_objv_push(out, &o->obj);
	}
	return 0;
}

/* Keys vrfmgr changed that the file no longer sets: live objects of their
 * own, so that the diff plans their restoration. */
static int observe_recorded(int dirfd, const struct sysctl_recs *rs, struct vrf_obj *const *want,
			    size_t n_want, struct vrf_objv *out)
{
	for (size_t i = 0; i < rs->n; i++) {
		struct sysctl_obj key = { .key = rs->v[i].key }, *o;
		char *path = NULL, *value = NULL, why[512];

		if (bsearch(rs->v[i].key, want, n_want, sizeof(*want), cmp_key))
			continue;
		if (key_to_path(rs->v[i].key, &path, why, sizeof(why)) < 0)
			continue;	/* a damaged record line: nothing to restore */
		key.path = path;
		if (read_key(dirfd, &key, &value) < 0) {
			/* The interface went away with its keys: nothing to
			 * put back. */
			free(path);
			continue;
		}
		o = sysctl_new(NULL, rs->v[i].key, path, value, rs->v[i].value);
		free(path);
		free(value);
		vrf_objv_push(out, &o->obj);
	}
	return 0;
}

static int sysctl_observe(struct vrf_run *run, struct vrf_ns *ns,
			  const struct vrf_domain *d, struct vrf_objv *out)
{
	const struct vrf_config *cfg = vrf_run_config(run);
	struct sysctl_recs rs = { 0 };
	struct vrf_obj *const *want = NULL;
	size_t n_want = 0;
	int dirfd, r, l;

	/* A domain that does not exist yet has nothing live; its keys are
	 * checked when apply has created it. */
	if (!ns || vrf_ns_fd(ns) < 0)
		return 0;
	r = recs_load(cfg, vrf_ns_name(ns), &rs);
	if (r < 0) {
		fprintf(stderr, "vrfmgr: %s/%s/" SYSCTL_RECORD ": %s\n", cfg->state_dir,
			vrf_ns_name(ns), strerror(-r));
		return r;
	}
	if (d)
		want = vrf_domain_sorted(d, &sysctl_plugin, &n_want);
	if (!n_want && !rs.n)
		goto out;
	r = vrf_ns_enter(ns);
	if (r < 0)
		goto out;
	dirfd = procnet_dirfd(ns);
	if (dirfd < 0) {
		r = dirfd;
		fprintf(stderr, "vrfmgr: /proc/sys/net in %s: %s\n", vrf_ns_name(ns), strerror(-r));
	} else {
		r = observe_wanted(ns, dirfd, cfg, d, want, n_want, out);
		if (!r)
			r = observe_recorded(dirfd, &rs, want, n_want, out);
	}
	l = vrf_ns_leave(ns);
	if (!r)
		r = l;
out:
	recs_free(&rs);
	return r;
}

/* ---- apply ---- */

static const struct sysctl_obj *op_obj(const struct vrf_op *op)
{
	return (const struct sysctl_obj *)(op->kind == VRF_OP_DEL ? op->have : op->want);
}

/* Write value to the key and read it back: the kernel may accept a write and
 * keep something else (a clamped or ignored value). */
static int write_key(struct vrf_ns *ns, int dirfd, const struct sysctl_obj *o,
		     const char *value, char **ret_msg)
{
	size_t len = strlen(value);
	char *back = NULL;
	ssize_t n;
	int fd, r;

	*ret_msg = NULL;
	fd = open_key(dirfd, o, O_RDWR);
	if (fd < 0) {
		*ret_msg = why_unusable(ns, o->key, o->path, fd);
		return fd;
	}
	n = pwrite(fd, value, len, 0);
	vrf_fault_point("sysctl write");
	if (n < 0 || (size_t)n != len) {
		r = n < 0 ? -errno : -EIO;
		*ret_msg = vrf_asprintf("sysctl %s: the kernel refused %s: %s", o->key, value,
					strerror(-r));
		goto out;
	}
	r = read_value(fd, &back);
	if (r < 0)
		goto out;
	if (strcmp(back, value)) {
		r = -EINVAL;
		*ret_msg = vrf_asprintf("sysctl %s: wrote %s but the kernel kept %s", o->key,
					value, back);
	}
out:
	free(back);
	close(fd);
	return r;
}

/* Hand msg (malloc'd, may be NULL) to op as its error text. */
static void op_fail_msg(struct vrf_op *op, int err, char *msg)
{
	vrf_op_fail(op, err, msg ? "%s" : NULL, msg);
	free(msg);
}

/* Record what each key holds before vrfmgr changes it for the first time;
 * the caller makes that record durable before any write, so a crash in
 * between cannot lose the value to restore. */
static void record_before(struct vrf_ns *ns, int dirfd, struct sysctl_recs *rs,
			  struct vrf_op *ops, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct sysctl_obj *o = op_obj(&ops[i]);
		char *value = NULL;
		int r;

		if (ops[i].kind == VRF_OP_DEL || recs_find(rs, o->key))
			continue;
		r = read_key(dirfd, o, &value);
		if (r < 0) {
			char *msg = why_unusable(ns, o->key, o->path, r);

			if (msg)
				op_fail_msg(&ops[i], r, msg);
			else
				vrf_op_fail(&ops[i], r, "sysctl %s: %s", o->key, strerror(-r));
			continue;
		}
		recs_add(rs, o->key, value);
		free(value);
	}
}

/* Write the ops that have not failed yet. */
static void write_ops(struct vrf_ns *ns, int dirfd, struct sysctl_recs *rs,
		      struct vrf_op *ops, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct sysctl_obj *o = op_obj(&ops[i]);
		const struct sysctl_rec *rec;
		char *msg = NULL;
		int r;

		if (ops[i].err)
			continue;
		if (ops[i].kind != VRF_OP_DEL) {
			r = write_key(ns, dirfd, o, o->value, &msg);
		} else {
			/* Deleting a sysctl puts back what vrfmgr found.  A key
			 * without a record was never changed by vrfmgr. */
			rec = recs_find(rs, o->key);
			r = rec ? write_key(ns, dirfd, o, rec->value, &msg) : 0;
			if (r == -ENOENT)
				r = 0;	/* the interface and its key are gone */
			if (!r)
				recs_drop(rs, o->key);
		}
		if (r < 0)
			op_fail_msg(&ops[i], r, msg);
		else
			free(msg);
	}
}

static int sysctl_apply(struct vrf_run *run, struct vrf_ns *ns, const struct vrf_domain *d,
			struct vrf_op *ops, size_t n)
{
	const struct vrf_config *cfg = vrf_run_config(run);
	const char *dom = vrf_ns_name(ns);
	struct sysctl_recs rs = { 0 };
	int first = 0, dirfd, r;

	r = recs_load(cfg, dom, &rs);
	if (r < 0)
		goto fail_all;
	r = vrf_ns_enter(ns);
	if (r < 0)
		goto fail_all;
	dirfd = procnet_dirfd(ns);
	if (dirfd < 0) {
		r = dirfd;
		vrf_ns_leave(ns);
		goto fail_all;
	}
	record_before(ns, dirfd, &rs, ops, n);
	if (rs.dirty) {
		r = recs_save(cfg, dom, &rs);
		if (r < 0) {
			vrf_ns_leave(ns);
			goto fail_all;
		}
	}
	write_ops(ns, dirfd, &rs, ops, n);
	r = vrf_ns_leave(ns);
	if (r < 0)
		first = r;
	if (rs.dirty) {
		r = recs_save(cfg, dom, &rs);
		if (r < 0 && !first)
			first = r;
	}
	for (size_t i = 0; i < n && !first; i++)
		first = ops[i].err;
	recs_free(&rs);
	return first;

fail_all:
	for (size_t i = 0; i < n; i++)
		vrf_op_fail(&ops[i], r, "sysctl: %s/%s/" SYSCTL_RECORD ": %s", cfg->state_dir, dom,
			    strerror(-r));
	recs_free(&rs);
	return r;
}

/* The record goes with the namespace (the engine removes the domain's state
 * folder); nothing else to do on destroy. */

static const char *const sysctl_keys[] = { "sysctl", NULL };

static const struct vrf_plugin sysctl_plugin = {
	.abi = VRF_PLUGIN_ABI,
	.name = "sysctl",
	.keys = sysctl_keys,
	.stage = 25,
	/* ALWAYS: a domain whose last sysctl left the file still has values
	 * to restore. */
	.flags = VRF_PLUGIN_HOST_OK,
	.parse = sysctl_parse,
	.compare = sysctl_compare,
	.equal = sysctl_equal,
	.observe = sysctl_observe,
	.apply = sysctl_apply,
	.format = sysctl_format,
	.format_change = sysctl_format_change,
	.free = sysctl_free,
	.ns_release = sysctl_ns_release,
};

VRF_PLUGIN_REGISTER(sysctl_plugin);
