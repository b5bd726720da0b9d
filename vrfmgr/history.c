/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The history of apply: restore points on disk (see history.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "history.h"
#include "state.h"

#define META "meta"
#define FILES "files"

static int fsync_dir_of(const char *path)
{
	char *dir = vrf_strdup(path), *slash;
	int fd, r = 0;

	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		r = -errno;
	if (fd >= 0)
		close(fd);
	free(dir);
	return r;
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int vrf_hist_dir_ok(const char *dir, bool create)
{
	struct stat st;

	if (create) {
		int r = vrf_mkdir_p(dir, 0700);

		if (r < 0) {
			fprintf(stderr, "vrfmgr: history_dir %s: %s\n", dir, strerror(-r));
			return r;
		}
	}
	if (lstat(dir, &st) < 0) {
		fprintf(stderr, "vrfmgr: history_dir %s: %s\n", dir, strerror(errno));
		return -errno;
	}
	/* The history is configuration that apply and rollback load: the
	 * same trust as for the config file itself. */
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "vrfmgr: history_dir %s: not a directory; refusing it\n", dir);
		return -ENOTDIR;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		fprintf(stderr, "vrfmgr: history_dir %s: owned by uid %u, neither root nor us; "
			"refusing it\n", dir, (unsigned)st.st_uid);
		return -EPERM;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		fprintf(stderr, "vrfmgr: history_dir %s: writable by group or others (mode %04o); "
			"refusing it\n", dir, (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

/* ---- meta ---- */

static void meta_text(const struct vrf_hist *h, struct vrf_buf *b)
{
	vrf_buf_printf(b, "id=%u\ntime=%lld\nuser=%s\ncommand=%s\nresult=%s\nchanges=%u\n"
		       "main=%s\n", h->id, h->time, h->user, h->command, h->result, h->changes,
		       h->main);
	if (h->restore)
		vrf_buf_printf(b, "restore=%u\n", h->restore);
	if (h->deadline)
		vrf_buf_printf(b, "deadline=%lld\n", h->deadline);
	if (h->undone_at_start)
		vrf_buf_puts(b, "undone_at_start=1\n");
}

static char *entry_path(const char *dir, unsigned id, const char *name)
{
	return vrf_asprintf("%s/%u%s%s", dir, id, name ? "/" : "", name ? name : "");
}

int vrf_hist_write(const char *dir, const struct vrf_hist *h)
{
	struct vrf_buf b = { 0 };
	char *p = entry_path(dir, h->id, META);
	int r;

	meta_text(h, &b);
	r = vrf_write_atomic_path(p, vrf_buf_str(&b), b.len, 0600);
	if (r < 0)
		fprintf(stderr, "vrfmgr: %s: %s\n", p, strerror(-r));
	vrf_buf_free(&b);
	free(p);
	return r;
}

static void meta_field(struct vrf_hist *h, const char *k, const char *v)
{
	if (!strcmp(k, "id"))
		h->id = (unsigned)strtoul(v, NULL, 10);
	else if (!strcmp(k, "time"))
		h->time = strtoll(v, NULL, 10);
	else if (!strcmp(k, "user"))
		snprintf(h->user, sizeof(h->user), "%s", v);
	else if (!strcmp(k, "command"))
		snprintf(h->command, sizeof(h->command), "%s", v);
	else if (!strcmp(k, "result"))
		snprintf(h->result, sizeof(h->result), "%s", v);
	else if (!strcmp(k, "changes"))
		h->changes = (unsigned)strtoul(v, NULL, 10);
	else if (!strcmp(k, "main"))
		snprintf(h->main, sizeof(h->main), "%s", v);
	else if (!strcmp(k, "restore"))
		h->restore = (unsigned)strtoul(v, NULL, 10);
	else if (!strcmp(k, "deadline"))
		h->deadline = strtoll(v, NULL, 10);
	else if (!strcmp(k, "undone_at_start"))
		h->undone_at_start = !strcmp(v, "1");
}

int vrf_hist_read(const char *dir, unsigned id, struct vrf_hist *h)
{
	char *p = entry_path(dir, id, META), line[PATH_MAX + 64];
	int fd = open(p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	FILE *f;

	free(p);
	memset(h, 0, sizeof(*h));
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "r");
	if (!f)
		vrf_oom();	/* fdopen fails only for want of memory here */
	while (fgets(line, sizeof(line), f)) {
		char *eq = strchr(line, '=');

		line[strcspn(line, "\n")] = '\0';
		if (!eq)
			continue;
		*eq = '\0';
		meta_field(h, line, eq + 1);
	}
	fclose(f);
	return h->id == id ? 0 : -EINVAL;
}

static int id_cmp(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

int vrf_hist_ids(const char *dir, unsigned **ret_ids, size_t *ret_n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned *ids = NULL;
	size_t n = 0;

	*ret_ids = NULL;
	*ret_n = 0;
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		unsigned long long v;

		if (vrf_parse_uint(e->d_name, 1, 999999999, &v) < 0)
			continue;
		ids = vrf_realloc(ids, n + 1, sizeof(*ids));
		ids[n++] = (unsigned)v;
	}
	closedir(d);
	if (n > 1)
		qsort(ids, n, sizeof(*ids), id_cmp);
	*ret_ids = ids;
	*ret_n = n;
	return 0;
}

int vrf_hist_find(const char *dir, const char *result, struct vrf_hist *h)
{
	unsigned *ids;
	size_t n;
	int r = vrf_hist_ids(dir, &ids, &n);

	if (r < 0)
		return r;
	r = -ENOENT;
	for (size_t i = n; i-- > 0;) {
		if (vrf_hist_read(dir, ids[i], h) < 0)
			continue;
		if (result ? !strcmp(h->result, result) :
		    !strcmp(h->result, VRF_HIST_APPLIED) || !strcmp(h->result, VRF_HIST_CONFIRMED)) {
			r = 0;
			break;
		}
	}
	free(ids);
	return r;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path) < 0 ? -1 : 0;
}

void vrf_hist_prune(const char *dir, unsigned keep)
{
	struct vrf_hist pending, last;
	unsigned *ids;
	size_t n;

	if (vrf_hist_ids(dir, &ids, &n) < 0)
		return;
	if (vrf_hist_find(dir, VRF_HIST_PENDING, &pending) < 0)
		memset(&pending, 0, sizeof(pending));
	/* watch holds the restore point of a newest change rolled back. */
	if (!n || vrf_hist_read(dir, ids[n - 1], &last) < 0 ||
	    strcmp(last.result, VRF_HIST_ROLLED_BACK))
		memset(&last, 0, sizeof(last));
	for (size_t i = 0; n > keep && i < n - keep; i++) {
		char *p;

		if ((pending.id && (ids[i] == pending.id || ids[i] == pending.restore)) ||
		    (last.id && ids[i] == last.restore))
			continue;
		p = entry_path(dir, ids[i], NULL);
		nftw(p, rm_one, 16, FTW_DEPTH | FTW_PHYS);
		free(p);
	}
	free(ids);
}

/* ---- snapshots ---- */

/* The path a file had when it was loaded: absolute, and without the
 * snapshot root it was loaded from. */
static char *original_path(const char *path, const char *root)
{
	char cwd[PATH_MAX];
	size_t rl = root ? strlen(root) : 0;

	if (root && !strncmp(path, root, rl) && path[rl] == '/')
		return vrf_strdup(path + rl);
	if (path[0] == '/')
		return vrf_strdup(path);
	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;	/* errno says why */
	return vrf_asprintf("%s/%s", cwd, path);
}

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	struct stat st;
	int in, out = -1, r = 0;
	ssize_t got;

	in = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0 || fstat(in, &st) < 0) {
		r = -errno;
		goto out;
	}
	/* Keep the execute bits: a hook is run from the snapshot. */
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st.st_mode & 0755);
	if (out < 0) {
		r = -errno;
		goto out;
	}
	while ((got = read(in, buf, sizeof(buf))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = -errno;
			goto out;
		}
		r = write_all(out, buf, (size_t)got);
		if (r < 0)
			goto out;
	}
	if (fsync(out) < 0)
		r = -errno;
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return r;
}

static int snapshot_one(const char *files_dir, const char *src, const char *root)
{
	char *orig = original_path(src, root), *dst = NULL, *slash;
	int r;

	if (!orig)
		return -errno;
	dst = vrf_asprintf("%s%s", files_dir, orig);
	slash = strrchr(dst, '/');
	*slash = '\0';
	r = vrf_mkdir_p(dst, 0755);
	*slash = '/';
	if (r == 0 && access(dst, F_OK) < 0)	/* a file may be opened twice */
		r = copy_file(src, dst);
	if (r < 0)
		fprintf(stderr, "vrfmgr: history: cannot keep a copy of %s: %s\n", src,
			strerror(-r));
	free(orig);
	free(dst);
	return r;
}

static unsigned next_id(const char *dir)
{
	unsigned *ids, id = 1;
	size_t n;

	if (vrf_hist_ids(dir, &ids, &n) == 0 && n)
		id = ids[n - 1] + 1;
	free(ids);
	return id;
}

int vrf_hist_snapshot(const struct vrf_config *cfg, const char *root, struct vrf_hist *h)
{
	const char *dir = cfg->history_dir;
	char *tmp = NULL, *files = NULL, *final = NULL, *main_path;
	size_t pl = strlen(cfg->plugin_dir);
	int r;

	main_path = original_path(cfg->path, root);
	if (!main_path)
		return -errno;
	snprintf(h->main, sizeof(h->main), "%s", main_path);
	free(main_path);
	h->id = next_id(dir);
	/* Built under a dot name and renamed into place: an entry is there
	 * whole or not at all. */
	tmp = vrf_asprintf("%s/.new-%u", dir, h->id);
	files = vrf_asprintf("%s/" FILES, tmp);
	final = entry_path(dir, h->id, NULL);
	nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	r = vrf_mkdir_p(files, 0755);
	/* Plugins are code, not configuration: a snapshot loads the plugin_dir
	 * of its time from where it is. */
	for (size_t i = 0; r == 0 && i < cfg->n_files; i++)
		if (strncmp(cfg->files[i], cfg->plugin_dir, pl) || cfg->files[i][pl] != '/')
			r = snapshot_one(files, cfg->files[i], root);
	if (r == 0) {
		struct vrf_buf b = { 0 };
		char *meta = vrf_asprintf("%s/" META, tmp);

		meta_text(h, &b);
		r = vrf_write_atomic_path(meta, vrf_buf_str(&b), b.len, 0600);
		vrf_buf_free(&b);
		free(meta);
	}
	if (r == 0 && rename(tmp, final) < 0)
		r = -errno;
	if (r == 0)
		r = fsync_dir_of(final);
	if (r < 0) {
		fprintf(stderr, "vrfmgr: history: cannot write entry %u in %s: %s\n", h->id, dir,
			strerror(-r));
		nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	}
	free(tmp);
	free(files);
	free(final);
	return r;
}

struct vrf_config *vrf_hist_load(const char *dir, const struct vrf_hist *h, char **ret_root)
{
	struct vrf_config *cfg;
	char *root = entry_path(dir, h->id, FILES);
	char *main_path = vrf_asprintf("%s%s", root, h->main);

	vrf_path_set_root(root);
	cfg = vrf_config_load(main_path);
	vrf_path_set_root(NULL);
	free(main_path);
	if (!cfg) {
		fprintf(stderr, "vrfmgr: history entry %u cannot be loaded\n", h->id);
		free(root);
		return NULL;
	}
	*ret_root = root;
	return cfg;
}

/* nftw() takes no context: the files of one entry are listed into here. */
static struct {
	char **v;
	size_t n;
} listed;

static int list_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (flag != FTW_F)
		return 0;
	listed.v = vrf_realloc(listed.v, listed.n + 1, sizeof(*listed.v));
	listed.v[listed.n++] = vrf_strdup(path);
	return 0;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void cat_file(const char *path, const char *name)
{
	char buf[4096];
	size_t got;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "r");

	printf("### %s\n", name);
	if (!f) {
		if (fd >= 0)
			close(fd);
		printf("(cannot read: %s)\n", strerror(errno));
		return;
	}
	while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, got, stdout);
	fclose(f);
}

int vrf_hist_print_files(const char *dir, const struct vrf_hist *h)
{
	char *root = entry_path(dir, h->id, FILES);
	char *main_path = vrf_asprintf("%s%s", root, h->main);
	size_t rl = strlen(root);

	listed.v = NULL;
	listed.n = 0;
	if (nftw(root, list_one, 16, FTW_PHYS) < 0) {
		fprintf(stderr, "vrfmgr: %s: %s\n", root, strerror(errno));
		free(root);
		free(main_path);
		return -EIO;
	}
	qsort(listed.v, listed.n, sizeof(*listed.v), str_cmp);
	cat_file(main_path, h->main);
	for (size_t i = 0; i < listed.n; i++) {
		if (strcmp(listed.v[i], main_path))
			cat_file(listed.v[i], listed.v[i] + rl);
		free(listed.v[i]);
	}
	free(listed.v);
	free(root);
	free(main_path);
	fflush(stdout);
	return 0;
}

/* ---- the undo process ---- */

pid_t vrf_undo_pid(const struct vrf_config *cfg)
{
	char path[64], buf[256], *text = NULL;
	size_t len;
	long pid = 0;
	ssize_t n;
	int fd;

	if (vrf_state_read(cfg, NULL, VRF_UNDO_PID, &text, &len) < 0)
		return 0;
	pid = strtol(text, NULL, 10);
	free(text);
	if (pid <= 1 || kill((pid_t)pid, 0) < 0)
		return 0;
	/* The pid may have been reused by now: it is ours only when it runs
	 * the undo command. */
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	for (ssize_t i = 0; i < n; i += (ssize_t)strlen(buf + i) + 1)
		if (!strcmp(buf + i, "undo-timer"))
			return (pid_t)pid;
	return 0;
}
