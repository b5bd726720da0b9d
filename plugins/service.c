// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * service: a systemd service that runs inside a domain.
 *
 *     service = unbound.service          (repeatable)
 *
 * becomes UNIT_DIR/unbound.service.d/50-vrfmgr.conf (UNIT_DIR is the
 * [global] systemd_unit_dir, /run/systemd/system by default), a drop-in
 * that puts the unit into the domain's namespace, orders it after
 * vrfmgr.service and stops it with it, and, when the domain has a
 * resolv.conf of its own (dns), binds that over /etc/resolv.conf: what
 * `ip netns exec` does and JoinsNamespaceOf= does not.
 *
 * The drop-in's first line is the ownership mark and names the domain;
 * vrfmgr deletes only a file that carries it, and a unit is in one domain
 * only (two namespaces for one process cannot be).  systemd is asked to
 * reload once at the end of a run, and only when a drop-in changed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plugin.h"
#include "metrics.h"

#define SVC_DROPIN	"50-vrfmgr.conf"
#define SVC_MARK	"# vrfmgr: drop-in for domain "
#define SVC_SUFFIX	".service"
#define SVC_NAME_MAX	255		/* systemd's UNIT_NAME_MAX - 1 */
#define SVC_FILE_MAX	(64 * 1024)
/* sd_booted(3): systemd runs when this directory exists. */
#define SVC_BOOTED	"/run/systemd/system"

struct svc_obj {
	struct vrf_obj obj;
	char *unit;
	char *text;		/* the drop-in; NULL until validate() renders it */
};

/* One drop-in found in the unit folder. */
struct svc_found {
	char *domain, *unit, *text;
};

/* Run-wide: the unit folder scanned once, and whether a drop-in changed. */
struct svc_run {
	struct svc_found *v;
	size_t n;
	bool scanned, changed;
};

static const struct vrf_plugin svc_plugin;

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		abort();
	return d;
}

/* systemd's rules for a unit name (unit_name_is_valid()), limited to
 * services, the only units with a [Service] section. */
static bool unit_valid(const char *s, const char **ret_why)
{
	size_t len = strlen(s), sl = strlen(SVC_SUFFIX);
	const char *at = strchr(s, '@');

	if (len <= sl || strcmp(s + len - sl, SVC_SUFFIX)) {
		*ret_why = "must be a service unit (NAME.service)";
		return false;
	}
	if (len > SVC_NAME_MAX) {
		*ret_why = "is longer than 255 bytes";
		return false;
	}
	if (s[0] == '.' || s[0] == '@') {
		*ret_why = "must not start with '.' or '@'";
		return false;
	}
	if (at && strchr(at + 1, '@')) {
		*ret_why = "has more than one '@'";
		return false;
	}
	for (const char *p = s; *p; p++) {
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-_.\\@",
			    *p)) {
			*ret_why = "may hold only letters, digits and \":-_.\\@\"";
			return false;
		}
	}
	return true;
}

static int svc_parse(struct vrf_config *cfg, struct vrf_domain *d, const struct vrf_loc *loc,
		     const char *key, const char *value)
{
	const struct vrf_loc *first;
	const char *why;
	void *other;
	struct svc_obj *o;

	if (!unit_valid(value, &why)) {
		vrf_error(cfg, loc, "service \"%s\" %s", value, why);
		return -EINVAL;
	}
	/* One unit, one namespace: the table is global ("*"), its data the
	 * domain that claimed the unit first. */
	if (vrf_name_find(cfg, "*", "service", value, &other, &first) &&
	    strcmp(other, d->name)) {
		vrf_error(cfg, loc, "service \"%s\" is already in domain %s (at %s:%u); a unit "
			  "runs in one namespace", value, (const char *)other,
			  first->file ? first->file : "?", first->line);
		return -EINVAL;
	}
	if (vrf_name_add(cfg, "*", "service", value, loc, d->name) < 0)
		return -EINVAL;
	o = vrf_obj_new(&svc_plugin, sizeof(*o), loc);
	o->unit = xstrdup(value);
	return vrf_domain_add(d, &o->obj);
}

static char *render(const struct vrf_config *cfg, const char *domain, bool dns)
{
	struct vrf_buf b = { 0 };

	vrf_buf_printf(&b, SVC_MARK "%s; vrfmgr writes and removes this file.\n", domain);
	vrf_buf_puts(&b, "[Unit]\nAfter=vrfmgr.service\nBindsTo=vrfmgr.service\n\n[Service]\n");
	vrf_buf_printf(&b, "NetworkNamespacePath=%s/%s\n", cfg->netns_dir, domain);
	if (dns)
		vrf_buf_printf(&b, "BindReadOnlyPaths=/etc/netns/%s/resolv.conf:/etc/resolv.conf\n",
			       domain);
	return b.s ? b.s : xstrdup("");
}

/* The text needs the whole domain: whether it has a resolv.conf of its own
 * is the dns kind's business, asked through its key. */
static int svc_validate(struct vrf_config *cfg, struct vrf_domain *d)
{
	const struct vrf_plugin *dp = vrf_plugin_for_key("dns");
	struct vrf_obj *const *v;
	size_t n, n_dns = 0;

	v = vrf_domain_sorted(d, &svc_plugin, &n);
	if (dp)
		vrf_domain_sorted(d, dp, &n_dns);
	for (size_t i = 0; i < n; i++) {
		struct svc_obj *o = (struct svc_obj *)v[i];

		free(o->text);
		o->text = render(cfg, d->name, n_dns > 0);
	}
	return 0;
}

static int svc_compare(const struct vrf_obj *a, const struct vrf_obj *b)
{
	return strcmp(((const struct svc_obj *)a)->unit, ((const struct svc_obj *)b)->unit);
}

static bool svc_equal(const struct vrf_obj *want, const struct vrf_obj *have)
{
	const struct svc_obj *w = (const struct svc_obj *)want, *h = (const struct svc_obj *)have;

	return w->text && h->text && !strcmp(w->text, h->text);
}

static void svc_format(const struct vrf_obj *o, struct vrf_buf *out)
{
	vrf_buf_puts(out, ((const struct svc_obj *)o)->unit);
}

static void svc_free(struct vrf_obj *o)
{
	struct svc_obj *s = (struct svc_obj *)o;

	free(s->unit);
	free(s->text);
	free(s);
}

/* ---- the unit folder ---- */

/* Read UNIT.d/50-vrfmgr.conf below dfd: the text when it carries the mark
 * (and the domain it names), else NULL.  Symlinks are not followed. */
static char *read_dropin(int dfd, const char *unit_d, char **ret_domain)
{
	char path[SVC_NAME_MAX + sizeof(SVC_DROPIN) + 4], *buf, *nl, *semi;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", unit_d, SVC_DROPIN);
	fd = openat(dfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	buf = malloc(SVC_FILE_MAX + 1);
	if (!buf)
		abort();
	n = read(fd, buf, SVC_FILE_MAX);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	nl = strchr(buf, '\n');
	semi = strchr(buf, ';');
	if (n <= 0 || strncmp(buf, SVC_MARK, strlen(SVC_MARK)) || !nl || !semi || semi > nl) {
		free(buf);
		return NULL;
	}
	*ret_domain = strndup(buf + strlen(SVC_MARK), (size_t)(semi - buf) - strlen(SVC_MARK));
	if (!*ret_domain)
		abort();
	return buf;
}

/* Every drop-in of vrfmgr's in the unit folder, once per run: a thousand
 * domains read the folder once, not a thousand times. */
static int scan(const struct vrf_config *cfg, struct svc_run *rs)
{
	DIR *dir;
	struct dirent *de;
	int dfd;

	rs->scanned = true;
	dfd = open(cfg->systemd_unit_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? 0 : -errno;
	dir = fdopendir(dfd);
	if (!dir) {
		close(dfd);
		return -errno;
	}
	while ((de = readdir(dir))) {
		size_t len = strlen(de->d_name);
		char *domain = NULL, *text;

		struct stat st;

		if (len < 3 || strcmp(de->d_name + len - 2, ".d"))
			continue;
		/* A symlinked UNIT.d is not read, so never written through or
		 * deleted from either: it may lead out of the unit folder. */
		if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		text = read_dropin(dirfd(dir), de->d_name, &domain);
		if (!text)
			continue;
		rs->v = realloc(rs->v, (rs->n + 1) * sizeof(*rs->v));
		if (!rs->v)
			abort();
		rs->v[rs->n++] = (struct svc_found){ domain, strndup(de->d_name, len - 2), text };
	}
	closedir(dir);
	return 0;
}

/* Drop the scan: after a write, a later observe of this run (a replan)
 * reads the folder again. */
static void forget(struct svc_run *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		free(rs->v[i].domain);
		free(rs->v[i].unit);
		free(rs->v[i].text);
	}
	free(rs->v);
	rs->v = NULL;
	rs->n = 0;
	rs->scanned = false;
}

static struct svc_run *run_state(struct vrf_run *run)
{
	void **slot = vrf_run_state(run, &svc_plugin);

	if (!*slot) {
		*slot = calloc(1, sizeof(struct svc_run));
		if (!*slot)
			abort();
	}
	return *slot;
}

static int svc_observe(struct vrf_run *run, struct vrf_ns *ns, const struct vrf_domain *d,
		       struct vrf_objv *out)
{
	struct svc_run *rs = run_state(run);
	int r;

	if (!rs->scanned) {
		r = scan(vrf_run_config(run), rs);
		if (r < 0) {
			fprintf(stderr, "vrfmgr: cannot read %s: %s\n",
				vrf_run_config(run)->systemd_unit_dir, strerror(-r));
			rs->scanned = false;
			return r;
		}
	}
	for (size_t i = 0; i < rs->n; i++) {
		struct svc_obj *o;

		if (strcmp(rs->v[i].domain, vrf_ns_name(ns)))
			continue;
		o = vrf_obj_new(&svc_plugin, sizeof(*o), NULL);
		o->unit = xstrdup(rs->v[i].unit);
		o->text = xstrdup(rs->v[i].text);
		vrf_objv_push(out, &o->obj);
	}
	return 0;
}

/* ---- apply ---- */

static int dropin_path(const struct vrf_config *cfg, const char *unit, char **ret_dir,
		       char **ret_file)
{
	if (asprintf(ret_dir, "%s/%s.d", cfg->systemd_unit_dir, unit) < 0 ||
	    asprintf(ret_file, "%s/%s", *ret_dir, SVC_DROPIN) < 0)
		abort();
	return 0;
}

static int write_dropin(const struct vrf_config *cfg, const struct svc_obj *o)
{
	char *dir, *file;
	int r = 0;

	dropin_path(cfg, o->unit, &dir, &file);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		r = -errno;
	if (r == 0)
		r = vrf_write_atomic_path(file, o->text, strlen(o->text), 0644);
	free(dir);
	free(file);
	return r;
}

/* Remove a drop-in observe found (so it carries the mark), and its folder
 * when that is left empty; a folder holding the admin's own drop-ins stays. */
static int remove_dropin(const struct vrf_config *cfg, const char *unit)
{
	char *dir, *file;
	int r = 0;

	dropin_path(cfg, unit, &dir, &file);
	if (unlink(file) < 0 && errno != ENOENT)
		r = -errno;
	if (r == 0)
		rmdir(dir);
	free(dir);
	free(file);
	return r;
}

static int svc_apply(struct vrf_run *run, struct vrf_ns *ns, const struct vrf_domain *d,
		     struct vrf_op *ops, size_t n)
{
	const struct vrf_config *cfg = vrf_run_config(run);
	struct svc_run *rs = run_state(run);
	int first = 0;

	for (size_t i = 0; i < n; i++) {
		struct vrf_op *op = &ops[i];
		const struct svc_obj *o = (const struct svc_obj *)(op->want ? op->want : op->have);

		op->err = op->kind == VRF_OP_DEL ? remove_dropin(cfg, o->unit) :
			  write_dropin(cfg, o);
		if (op->err < 0 && !first)
			first = op->err;
		if (op->err == 0)
			rs->changed = true;
	}
	forget(rs);
	return first;
}

/* Ask systemd to read the changed drop-ins; where it is not running (a
 * container, the test sandbox) say that the reload was skipped. */
static void reload(void)
{
	pid_t pid;
	int status;

	if (access(SVC_BOOTED, F_OK) < 0) {
		fprintf(stderr, "vrfmgr: systemd is not running (no " SVC_BOOTED "): "
			"daemon-reload skipped\n");
		return;
	}
	pid = fork();
	if (pid == 0) {
		execlp("systemctl", "systemctl", "daemon-reload", (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		fprintf(stderr, "vrfmgr: systemctl daemon-reload failed; run it by hand\n");
}

static void svc_run_end(struct vrf_run *run)
{
	void **slot = vrf_run_state(run, &svc_plugin);
	struct svc_run *rs = *slot;

	if (!rs)
		return;
	if (rs->changed)
		reload();
	forget(rs);
	free(rs);
	*slot = NULL;
}

/* A destroyed domain's units must not try to join a namespace that is
 * gone: its drop-ins go with it. */
static int svc_event(struct vrf_run *run, struct vrf_ns *ns, const struct vrf_domain *d,
		     enum vrf_event ev, const char *changes)
{
	struct svc_run *rs;
	int r = 0;

	if (ev != VRF_EV_POST_DESTROY || !d)
		return 0;
	rs = run_state(run);
	if (!rs->scanned && (r = scan(vrf_run_config(run), rs)) < 0)
		return r;
	for (size_t i = 0; i < rs->n; i++) {
		if (strcmp(rs->v[i].domain, d->name))
			continue;
		r = remove_dropin(vrf_run_config(run), rs->v[i].unit);
		if (r < 0)
			fprintf(stderr, "vrfmgr: %s: cannot remove the drop-in of %s: %s\n",
				d->name, rs->v[i].unit, strerror(-r));
		else
			rs->changed = true;
	}
	forget(rs);
	return r;
}

static const char *const svc_keys[] = { "service", NULL };

static const struct vrf_plugin svc_plugin = {
	.abi = VRF_PLUGIN_ABI,
	.name = "service",
	.keys = svc_keys,
	/* After dns (70): the namespace and its resolv.conf exist before a
	 * unit is pointed at them; before hooks (90), which may start it. */
	.stage = 80,
	.parse = svc_parse,
	.validate = svc_validate,
	.compare = svc_compare,
	.equal = svc_equal,
	.observe = svc_observe,
	.apply = svc_apply,
	.format = svc_format,
	.free = svc_free,
	.event = svc_event,
	.run_end = svc_run_end,
};

VRF_PLUGIN_REGISTER(svc_plugin);
