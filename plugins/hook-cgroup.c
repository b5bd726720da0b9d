/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A cgroup per hook, so that a timeout kills all it started (see hook.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hook.h"

#define CG_PATH_MAX	4096
/* How long release waits for a killed cgroup to empty.  Processes killed
 * on a loaded machine can take well over a second to finish exiting. */
#define CG_RELEASE_MS 5000

/* The cgroup2 path of this process ("0::/PATH" in /proc/self/cgroup). */
static int own_path(char *out, size_t len)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[CG_PATH_MAX];
	int r = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (snprintf(out, len, "%s", line + 3) < (int)len)
			r = 0;
		break;
	}
	fclose(f);
	return r;
}

/* The folder of cgroup2 path `path`: a cgroup2 mount whose root is a prefix
 * of it.  Mount points with escaped characters are skipped. */
static int own_dir(const char *path, char *out, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[CG_PATH_MAX], root[CG_PATH_MAX], mnt[CG_PATH_MAX];
	int r = -ENOENT;

	if (!f)
		return -errno;
	while (r < 0 && fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - cgroup2 ");
		size_t rl;

		if (!sep || sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) != 2 ||
		    strchr(root, '\\') || strchr(mnt, '\\'))
			continue;
		rl = strcmp(root, "/") ? strlen(root) : 0;
		if (strncmp(path, root, rl) || (path[rl] != '/' && path[rl] != '\0'))
			continue;
		if (snprintf(out, len, "%s%s", mnt, path + rl) < (int)len)
			r = 0;
	}
	fclose(f);
	return r;
}

static void no_cgroup(struct hook_cg *cg, const char *what, int err)
{
	snprintf(cg->why, sizeof(cg->why), "%s%s%s", what, err ? ": " : "",
		 err ? strerror(err) : "");
	if (cg->procs >= 0)
		close(cg->procs);
	if (cg->dir >= 0) {
		close(cg->dir);
		unlinkat(cg->parent, cg->name, AT_REMOVEDIR);
	}
	if (cg->parent >= 0)
		close(cg->parent);
	cg->parent = cg->dir = cg->procs = -1;
}

/* A vrfmgr killed while its hook ran (kill -9, a crash) leaves the hook's
 * cgroup behind.  Remove such leftovers of runs that have ended: empty
 * ones only (rmdir refuses a populated cgroup), named by a pid that is gone. */
static void sweep_stale(int parent)
{
	int fd = dup(parent);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d))) {
		long pid;
		unsigned n;

		if (sscanf(e->d_name, "vrfmgr-hook-%ld-%u", &pid, &n) != 2 || pid <= 0 ||
		    pid == (long)getpid())
			continue;
		if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
			unlinkat(parent, e->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

void hook_cg_create(struct hook_cg *cg)
{
	static unsigned serial;
	char path[CG_PATH_MAX], dir[CG_PATH_MAX];

	memset(cg, 0, sizeof(*cg));
	cg->parent = cg->dir = cg->procs = -1;
	if (own_path(path, sizeof(path)) < 0 || own_dir(path, dir, sizeof(dir)) < 0) {
		no_cgroup(cg, "no cgroup2 hierarchy found", 0);
		return;
	}
	cg->parent = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg->parent < 0) {
		no_cgroup(cg, "cannot open the own cgroup", errno);
		return;
	}
	sweep_stale(cg->parent);
	snprintf(cg->name, sizeof(cg->name), "vrfmgr-hook-%ld-%u", (long)getpid(), ++serial);
	if (mkdirat(cg->parent, cg->name, 0755) < 0) {
		no_cgroup(cg, "cannot create a cgroup", errno);
		return;
	}
	cg->dir = openat(cg->parent, cg->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg->dir < 0) {
		no_cgroup(cg, "cannot open the new cgroup", errno);
		return;
	}
	/* Without cgroup.kill (before Linux 5.14) a cgroup can only be killed
	 * process by process, racing the forks it means to stop. */
	if (faccessat(cg->dir, "cgroup.kill", W_OK, 0) < 0) {
		no_cgroup(cg, "the kernel has no cgroup.kill", errno);
		return;
	}
	cg->procs = openat(cg->dir, "cgroup.procs", O_WRONLY | O_CLOEXEC);
	if (cg->procs < 0)
		no_cgroup(cg, "cannot open cgroup.procs", errno);
}

int hook_cg_enter(const struct hook_cg *cg)
{
	if (cg->procs < 0)
		return -ENOENT;
	/* "0" moves the writer, before it can start anything. */
	return write(cg->procs, "0", 1) == 1 ? 0 : -errno;
}

void hook_cg_kill(const struct hook_cg *cg, pid_t pgid)
{
	if (cg->dir >= 0) {
		int fd = openat(cg->dir, "cgroup.kill", O_WRONLY | O_CLOEXEC);

		if (fd >= 0) {
			if (write(fd, "1", 1) < 0)
				fprintf(stderr, "vrfmgr: cgroup.kill of %s: %s\n", cg->name,
					strerror(errno));
			close(fd);
		}
	}
	kill(-pgid, SIGKILL);
}

/* Move every process still in the hook's cgroup to vrfmgr's own. */
static void move_out(const struct hook_cg *cg)
{
	int in = openat(cg->dir, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	int out = openat(cg->parent, "cgroup.procs", O_WRONLY | O_CLOEXEC);
	FILE *f = in >= 0 ? fdopen(in, "re") : NULL;
	char line[32];

	if (f && out >= 0)
		while (fgets(line, sizeof(line), f))
			if (write(out, line, strcspn(line, "\n")) < 0 && errno != ESRCH)
				break;
	if (f)
		fclose(f);
	else if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
}

void hook_cg_release(struct hook_cg *cg)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	if (cg->dir < 0)
		return;
	close(cg->procs);
	/* A killed cgroup empties as its processes finish dying; a hook that
	 * exited by itself may have left a daemon, which keeps running where
	 * vrfmgr runs. */
	for (int ms = 0;; ms += 10) {
		if (unlinkat(cg->parent, cg->name, AT_REMOVEDIR) == 0 || errno != EBUSY)
			break;
		if (ms >= CG_RELEASE_MS) {
			fprintf(stderr, "vrfmgr: hook cgroup %s is still busy; left in place\n",
				cg->name);
			break;
		}
		move_out(cg);
		nanosleep(&ts, NULL);
	}
	close(cg->dir);
	close(cg->parent);
	cg->parent = cg->dir = cg->procs = -1;
}
