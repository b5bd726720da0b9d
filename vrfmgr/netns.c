/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Persistent network namespaces, made exactly as `ip netns add` makes them so
 * that ip-netns(8) and vrfmgr see each other's: netns_dir is a shared mount
 * (so a bind mount made here is visible in every mount namespace that shares
 * it), each domain is an empty file created O_EXCL with the namespace
 * bind-mounted over it.  Ownership is a record under state_dir/NAME/: a
 * namespace without one was made by somebody else and is never deleted.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "engine.h"

#define OWNER_RECORD "netns"

static int mkdir_p(const char *path, mode_t mode)
{
	char *p;

	/* The common case first: the parent exists (one syscall per domain
	 * instead of one per path component). */
	if (mkdir(path, mode) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -errno;
	p = strdup(path);
	if (!p)
		return -ENOMEM;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST) {
			int err = -errno;

			free(p);
			return err;
		}
		*s = '/';
	}
	free(p);
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static char *path_join(const char *dir, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) < 0)
		abort();
	return p;
}

int vrf_state_lock(const struct vrf_config *cfg)
{
	char *p;
	int fd, r;

	r = mkdir_p(cfg->state_dir, 0755);
	if (r < 0)
		return r;
	p = path_join(cfg->state_dir, "lock");
	fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	free(p);
	if (fd < 0)
		return -errno;
	/* Two reconcilers on one router would undo each other's work. */
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			fprintf(stderr, "vrfmgr: waiting for another vrfmgr run to finish\n");
		if (flock(fd, LOCK_EX) < 0) {
			close(fd);
			return -errno;
		}
	}
	return fd;
}

int vrf_netns_open(const struct vrf_config *cfg, const char *name, int *ret_fd)
{
	char *p = path_join(cfg->netns_dir, name);
	struct statfs sfs;
	int fd;

	fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	free(p);
	if (fd < 0)
		return -errno;
	/* A file without the nsfs bind mount is a stale entry (a crash between
	 * creating the file and mounting over it, or a lost mount). */
	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != NSFS_MAGIC) {
		close(fd);
		return -ESTALE;
	}
	*ret_fd = vrf_fd_high(fd);
	return 0;
}

bool vrf_netns_owned(const struct vrf_config *cfg, const char *name)
{
	char *p;
	bool r;

	if (asprintf(&p, "%s/%s/%s", cfg->state_dir, name, OWNER_RECORD) < 0)
		abort();
	r = access(p, F_OK) == 0;
	free(p);
	return r;
}

static int write_owner_record(const struct vrf_config *cfg, const char *name, int ns_fd)
{
	char *dir = path_join(cfg->state_dir, name), *p;
	struct stat st;
	FILE *f;
	int r;

	r = mkdir_p(dir, 0755);
	if (r < 0) {
		free(dir);
		return r;
	}
	p = path_join(dir, OWNER_RECORD);
	free(dir);
	f = fopen(p, "we");
	free(p);
	if (!f)
		return -errno;
	if (fstat(ns_fd, &st) == 0)
		fprintf(f, "created-by vrfmgr\nnsfs-inode %lu\n", (unsigned long)st.st_ino);
	if (fclose(f) != 0)
		return -errno;
	return 0;
}

static int make_shared(const struct vrf_config *cfg);

/* netns_dir must be a shared mount so that bind mounts made under it reach
 * every mount namespace; if it is not a mount point yet, bind it onto
 * itself first (what iproute2 does). */
static int prepare_netns_dir(const struct vrf_config *cfg)
{
	static char *done;	/* once per run and folder, not per domain */
	int r;

	if (done && !strcmp(done, cfg->netns_dir))
		return 0;
	r = mkdir_p(cfg->netns_dir, 0755);
	if (r < 0)
		return r;
	r = make_shared(cfg);
	if (r == 0) {
		free(done);
		done = strdup(cfg->netns_dir);
	}
	return r;
}

static int make_shared(const struct vrf_config *cfg)
{
	if (mount("", cfg->netns_dir, "none", MS_SHARED | MS_REC, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return -errno;
	if (mount(cfg->netns_dir, cfg->netns_dir, "none", MS_BIND | MS_REC, NULL) < 0)
		return -errno;
	if (mount("", cfg->netns_dir, "none", MS_SHARED | MS_REC, NULL) < 0)
		return -errno;
	return 0;
}

/* Bring lo up in the namespace this thread is in. */
static int lo_up_here(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int s, r = 0;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		r = -errno;
	if (!r && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
			r = -errno;
	}
	if (s >= 0)
		close(s);
	return r;
}

int vrf_netns_create(const struct vrf_config *cfg, int host_fd, const char *name, int *ret_fd)
{
	char *p = path_join(cfg->netns_dir, name);
	int fd = -1, dirfd = -1, nsfd = -1, r;

	r = prepare_netns_dir(cfg);
	if (r < 0)
		goto out;
	dirfd = open(cfg->netns_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0 || flock(dirfd, LOCK_EX) < 0) {
		r = -errno;
		goto out;
	}
	/* A stale entry for this name (file, no mount) is repaired by
	 * creating anew; a live one is never replaced. */
	r = vrf_netns_open(cfg, name, &nsfd);
	if (r == 0) {
		*ret_fd = nsfd;
		nsfd = -1;
		goto out;
	}
	if (r == -ESTALE)
		unlink(p);
	fd = open(p, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	close(fd);
	if (unshare(CLONE_NEWNET) < 0) {
		r = -errno;
		unlink(p);
		goto out;
	}
	if (mount("/proc/thread-self/ns/net", p, "none", MS_BIND, NULL) < 0) {
		r = -errno;
		if (setns(host_fd, CLONE_NEWNET) < 0)
			abort();
		unlink(p);
		goto out;
	}
	/* Still inside the new namespace: bring its lo up now, which saves
	 * entering it again later. */
	r = lo_up_here();
	if (setns(host_fd, CLONE_NEWNET) < 0)
		abort();
	if (r < 0)
		goto out;
	r = vrf_netns_open(cfg, name, &nsfd);
	if (r < 0)
		goto out;
	r = write_owner_record(cfg, name, nsfd);
	if (r < 0)
		goto out;
	*ret_fd = nsfd;
	nsfd = -1;
out:
	if (nsfd >= 0)
		close(nsfd);
	if (dirfd >= 0)
		close(dirfd);	/* releases the flock */
	free(p);
	return r;
}

static void remove_state_dir(const struct vrf_config *cfg, const char *name)
{
	char *dir = path_join(cfg->state_dir, name);
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d) {
		while ((e = readdir(d)))
			if (e->d_name[0] != '.')
				unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
	}
	rmdir(dir);
	free(dir);
}

int vrf_netns_delete(const struct vrf_config *cfg, const char *name)
{
	char *p = path_join(cfg->netns_dir, name);
	int r = 0;

	/* MNT_DETACH as ip-netns does: a process still inside keeps the
	 * namespace alive, but the name is gone and can be reused. */
	if (umount2(p, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		r = -errno;
	if (!r && unlink(p) < 0 && errno != ENOENT)
		r = -errno;
	if (!r)
		remove_state_dir(cfg, name);
	free(p);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int vrf_netns_list_owned(const struct vrf_config *cfg, char ***ret_names, size_t *ret_n)
{
	DIR *d = opendir(cfg->state_dir);
	struct dirent *e;
	char **v = NULL;
	size_t n = 0;

	*ret_names = NULL;
	*ret_n = 0;
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, VRF_HOST))
			continue;
		if (!vrf_netns_owned(cfg, e->d_name))
			continue;
		v = realloc(v, (n + 1) * sizeof(*v));
		if (!v || !(v[n] = strdup(e->d_name)))
			abort();
		n++;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_str);
	*ret_names = v;
	*ret_n = n;
	return 0;
}
