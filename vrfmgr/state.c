/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * State files under state_dir: see state.h for the rules.  The folder is
 * shared with whoever else can reach it, so nothing here trusts a name: each
 * component is opened with O_NOFOLLOW relative to the descriptor of the one
 * before, and checked (owner, mode, type) through that descriptor before it
 * is read, written into or emptied.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin.h"
#include "state.h"

/* The checked state_dir of this run; a reload may name another one. */
static int dir_fd = -1;
static char *dir_path;

/* Owned by root or us, and writable by nobody else: what vrfmgr itself
 * makes.  A sticky folder (1777) is still writable by everybody. */
static bool trusted(const struct stat *st)
{
	return (st->st_uid == 0 || st->st_uid == geteuid()) &&
	       !(st->st_mode & (S_IWGRP | S_IWOTH));
}

static void warn_untrusted(const char *dir, const char *domain, const char *file,
			   const struct stat *st, const char *why)
{
	fprintf(stderr, "vrfmgr: ignoring %s%s%s%s%s: %s", dir, domain ? "/" : "",
		domain ? domain : "", file ? "/" : "", file ? file : "", why);
	if (st)
		fprintf(stderr, " (owner uid %u, mode %04o)", (unsigned)st->st_uid,
			(unsigned)(st->st_mode & 07777));
	fputs("; vrfmgr makes its state entries owned by root and writable by "
	      "nobody else\n", stderr);
}

int vrf_mkdir_p(const char *path, mode_t mode)
{
	char *p;

	/* The common case first: the parent exists (one syscall instead of
	 * one per path component). */
	if (mkdir(path, mode) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -errno;
	p = vrf_strdup(path);
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

int vrf_state_dir(const struct vrf_config *cfg, bool create)
{
	struct stat st;
	int fd, r;

	if (dir_fd >= 0 && !strcmp(dir_path, cfg->state_dir))
		return dir_fd;
	if (create) {
		r = vrf_mkdir_p(cfg->state_dir, 0755);
		if (r < 0)
			return r;
	}
	fd = open(cfg->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	if (!trusted(&st)) {
		fprintf(stderr, "vrfmgr: state_dir %s is owned by uid %u with mode %04o: others "
			"could plant or remove ownership records there; refusing it (make it "
			"owned by root and writable by root only)\n", cfg->state_dir,
			(unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		close(fd);
		return -EPERM;
	}
	if (dir_fd >= 0)
		close(dir_fd);
	free(dir_path);
	dir_path = vrf_strdup(cfg->state_dir);
	dir_fd = vrf_fd_high(fd);
	return dir_fd;
}

/* The checked folder of domain (or state_dir itself, dup'd, for NULL). */
static int open_domain(const struct vrf_config *cfg, const char *domain, bool create)
{
	struct stat st;
	int sfd = vrf_state_dir(cfg, create), fd;

	if (sfd < 0)
		return sfd;
	if (!domain)
		return fcntl(sfd, F_DUPFD_CLOEXEC, 3);
	if (create) {
		if (mkdirat(sfd, domain, 0755) == 0)
			fsync(sfd);	/* the new folder's name must survive a crash */
		else if (errno != EEXIST)
			return -errno;
	}
	fd = openat(sfd, domain, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP || errno == ENOTDIR) {
			warn_untrusted(cfg->state_dir, domain, NULL, NULL,
				       "not a folder (a symbolic link or a file)");
			return -EPERM;
		}
		return -errno;
	}
	if (fstat(fd, &st) < 0 || !trusted(&st)) {
		warn_untrusted(cfg->state_dir, domain, NULL, &st, "not trusted");
		close(fd);
		return -EPERM;
	}
	return fd;
}

/* A write that failed must not leave the domain folder it made behind
 * (out of descriptors, the state_dir descriptor held since the start of
 * the run still works).  Fails harmlessly on a folder with entries. */
static void drop_if_empty(const struct vrf_config *cfg, const char *domain)
{
	int sfd = vrf_state_dir(cfg, false);

	if (domain && sfd >= 0)
		unlinkat(sfd, domain, AT_REMOVEDIR);
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int vrf_write_atomic_at(int dfd, const char *file, const void *buf, size_t len, mode_t mode)
{
	char tmp[NAME_MAX + 1];
	int fd, r;

	if ((size_t)snprintf(tmp, sizeof(tmp), ".%s.tmp", file) >= sizeof(tmp))
		return -ENAMETOOLONG;
	/* A temporary file left by a crash (or planted: unlinkat removes a
	 * symbolic link itself, never its target) goes first. */
	unlinkat(dfd, tmp, 0);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	/* The mode says who may read it, whatever the umask took away. */
	r = fchmod(fd, mode) < 0 ? -errno : 0;
	if (!r)
		r = write_all(fd, buf, len);
	if (!r && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && !r)
		r = -errno;
	if (!r && renameat(dfd, tmp, dfd, file) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(dfd, tmp, 0);
		return r;
	}
	if (fsync(dfd) < 0)
		return -errno;
	vrf_fault_point("state write");
	return 0;
}

int vrf_state_write(const struct vrf_config *cfg, const char *domain, const char *file,
		    const void *buf, size_t len)
{
	int dfd, r;

	dfd = open_domain(cfg, domain, true);
	if (dfd < 0) {
		drop_if_empty(cfg, domain);
		return dfd;
	}
	r = vrf_write_atomic_at(dfd, file, buf, len, 0644);
	close(dfd);
	if (r < 0)
		drop_if_empty(cfg, domain);
	return r;
}

int vrf_state_read(const struct vrf_config *cfg, const char *domain, const char *file,
		   char **ret_buf, size_t *ret_len)
{
	struct stat st = { 0 };
	char *buf = NULL;
	size_t n = 0;
	int dfd, fd, r = 0;

	dfd = open_domain(cfg, domain, false);
	if (dfd < 0)
		return dfd;
	fd = openat(dfd, file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		if (r == -ELOOP) {
			warn_untrusted(cfg->state_dir, domain, file, NULL, "a symbolic link");
			r = -EPERM;
		}
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !trusted(&st)) {
		warn_untrusted(cfg->state_dir, domain, file, &st,
			       S_ISREG(st.st_mode) ? "not trusted" : "not a regular file");
		r = -EPERM;
		goto out;
	}
	buf = vrf_malloc((size_t)st.st_size + 1);
	while (n < (size_t)st.st_size) {
		ssize_t got = read(fd, buf + n, (size_t)st.st_size - n);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			r = got < 0 ? -errno : 0;
			break;
		}
		n += (size_t)got;
	}
	if (r == 0) {
		buf[n] = '\0';
		*ret_buf = buf;
		*ret_len = n;
		buf = NULL;
	}
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	close(dfd);
	return r;
}

/* Empty the checked folder dfd: its entries only, whatever they are (a
 * symbolic link is removed, not followed). */
static void empty_folder(int dfd)
{
	int fd = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dfd, e->d_name, 0);
	closedir(d);
}

int vrf_state_remove(const struct vrf_config *cfg, const char *domain, const char *file)
{
	int sfd, dfd, r = 0;

	if (!domain && !file)
		return -EINVAL;	/* state_dir itself is never emptied */
	sfd = vrf_state_dir(cfg, false);
	if (sfd < 0)
		return sfd == -ENOENT ? 0 : sfd;
	dfd = open_domain(cfg, domain, false);
	if (dfd < 0)
		return dfd == -ENOENT ? 0 : dfd;
	if (file) {
		if (unlinkat(dfd, file, 0) < 0 && errno != ENOENT)
			r = -errno;
		/* A folder left empty goes too (fails harmlessly when not). */
		if (domain && r == 0)
			unlinkat(sfd, domain, AT_REMOVEDIR);
	} else {
		empty_folder(dfd);
		if (domain && unlinkat(sfd, domain, AT_REMOVEDIR) < 0 && errno != ENOENT)
			r = -errno;
	}
	if (r == 0)
		fsync(file ? dfd : sfd);
	close(dfd);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int vrf_state_list(const struct vrf_config *cfg, char ***ret_names, size_t *ret_n)
{
	int sfd = vrf_state_dir(cfg, false), fd;
	struct dirent *e;
	char **v = NULL;
	size_t n = 0;
	DIR *d;

	*ret_names = NULL;
	*ret_n = 0;
	if (sfd < 0)
		return sfd == -ENOENT ? 0 : sfd;
	fd = fcntl(sfd, F_DUPFD_CLOEXEC, 3);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	while ((e = readdir(d))) {
		const char *why;
		struct stat st;

		if (e->d_name[0] == '.' || !strcmp(e->d_name, VRF_HOST) ||
		    !vrf_domain_name_valid(e->d_name, &why))
			continue;
		/* Only folders are domains (the lock and caches live here too);
		 * whether a folder is trusted is checked when it is opened. */
		if (fstatat(sfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    (!S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode)))
			continue;
		v = vrf_realloc(v, n + 1, sizeof(*v));
		v[n] = vrf_strdup(e->d_name);
		n++;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_str);
	*ret_names = v;
	*ret_n = n;
	return 0;
}

#ifdef VRF_FAULT_INJECTION
/* Test builds only: VRF_FAULT_AFTER=N stops the process hard right after
 * its Nth kernel or state operation, as a crash or kill -9 would. */
void vrf_fault_point(const char *what)
{
	static long left = -2;
	const char *s;

	if (left == -2) {
		s = getenv("VRF_FAULT_AFTER");
		left = s && *s ? strtol(s, NULL, 10) : -1;
	}
	if (left < 0)
		return;
	if (--left == 0) {
		fprintf(stderr, "vrfmgr: fault injection: stopped after %s\n", what);
		fflush(NULL);
		_exit(VRF_FAULT_EXIT);
	}
}
#endif

int vrf_write_atomic_path(const char *path, const void *buf, size_t len, mode_t mode)
{
	char *dir = vrf_strdup(path), *slash = strrchr(dir, '/');
	const char *file = path;
	int dfd, r;

	if (slash) {
		*(slash == dir ? slash + 1 : slash) = '\0';
		file = path + (slash - dir) + 1;
	}
	/* O_NOFOLLOW: a symlink as the folder's last part is refused. */
	dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	r = dfd < 0 ? -errno : vrf_write_atomic_at(dfd, file, buf, len, mode);
	if (dfd >= 0)
		close(dfd);
	free(dir);
	return r;
}
