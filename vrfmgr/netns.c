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
#include <libmnl/libmnl.h>
#include <linux/magic.h>
#include <linux/rtnetlink.h>
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
#include "nl.h"

#define OWNER_RECORD "netns"

static char *path_join(const char *dir, const char *name)
{
	return vrf_asprintf("%s/%s", dir, name);
}

int vrf_state_lock(const struct vrf_config *cfg)
{
	int sfd, fd;

	sfd = vrf_state_dir(cfg, true);
	if (sfd < 0)
		return sfd;
	fd = openat(sfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
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

/* ---- ownership records ---- */

/*
 * state_dir/NAME/netns names the namespace vrfmgr made, in lines of
 * "KEY VALUE": nsfs-dev and nsfs-ino (the nsfs file, as fstat() of the
 * mounted entry shows it) and netns-cookie (SO_NETNS_COOKIE, which the
 * kernel never hands out twice while it runs; nsfs inode numbers are
 * reused as soon as a namespace is freed).  Records of vrfmgr 0.1 have
 * only nsfs-inode and are checked on that alone.
 */
int vrf_netns_identify(int ns_fd, int sock_fd, struct vrf_netns_id *ret)
{
	socklen_t len = sizeof(ret->cookie);
	struct stat st;

	if (fstat(ns_fd, &st) < 0)
		return -errno;
	ret->dev = (unsigned long long)st.st_dev;
	ret->ino = (unsigned long long)st.st_ino;
	ret->cookie = 0;
	if (sock_fd >= 0 && getsockopt(sock_fd, SOL_SOCKET, SO_NETNS_COOKIE, &ret->cookie,
				       &len) < 0 && errno != ENOPROTOOPT)
		return -errno;
	return 0;
}

bool vrf_netns_id_match(const struct vrf_netns_id *rec, const struct vrf_netns_id *live)
{
	if (rec->ino != live->ino)
		return false;
	if (rec->dev && rec->dev != live->dev)
		return false;
	/* A kernel without SO_NETNS_COOKIE (before 5.14) gives 0. */
	return !rec->cookie || !live->cookie || rec->cookie == live->cookie;
}

int vrf_netns_record_read(const struct vrf_config *cfg, const char *name,
			  struct vrf_netns_id *ret)
{
	struct vrf_netns_id id = { 0 };
	char *buf = NULL, *line, *save = NULL;
	size_t len;
	int r;

	r = vrf_state_read(cfg, name, OWNER_RECORD, &buf, &len);
	if (r < 0)
		return r;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long v;
		char key[32];

		if (sscanf(line, "%31s %llu", key, &v) != 2)
			continue;
		if (!strcmp(key, "nsfs-dev"))
			id.dev = v;
		else if (!strcmp(key, "nsfs-ino") || !strcmp(key, "nsfs-inode"))
			id.ino = v;
		else if (!strcmp(key, "netns-cookie"))
			id.cookie = v;
	}
	free(buf);
	if (!id.ino) {
		fprintf(stderr, "vrfmgr: ignoring %s/%s/%s: it names no namespace\n",
			cfg->state_dir, name, OWNER_RECORD);
		return -EINVAL;
	}
	*ret = id;
	return 0;
}

int vrf_netns_record_write(const struct vrf_config *cfg, const char *name,
			   const struct vrf_netns_id *id)
{
	char buf[256];
	int n;

	n = snprintf(buf, sizeof(buf), "# the network namespace vrfmgr created as %s\n"
		     "nsfs-dev %llu\nnsfs-ino %llu\nnetns-cookie %llu\n", name, id->dev, id->ino,
		     id->cookie);
	return vrf_state_write(cfg, name, OWNER_RECORD, buf, (size_t)n);
}

bool vrf_netns_has_record(const struct vrf_config *cfg, const char *name)
{
	struct vrf_netns_id id;

	return vrf_netns_record_read(cfg, name, &id) == 0;
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
	r = vrf_mkdir_p(cfg->netns_dir, 0755);
	if (r < 0)
		return r;
	r = make_shared(cfg);
	if (r == 0) {
		free(done);
		done = vrf_strdup(cfg->netns_dir);
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

/* Make a network namespace, bring its lo up and tell who it is; the
 * thread is back in host_fd's namespace on return.  Returns an fd of the
 * new namespace (it lives as long as that fd does) or -errno. */
static int new_netns(int host_fd, struct vrf_netns_id *ret_id)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int s = -1, fd = -1, r = 0;

	if (unshare(CLONE_NEWNET) < 0)
		return -errno;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (s < 0 || fd < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		r = -errno;
	/* A new namespace's lo is down; bringing it up now saves entering
	 * it again later. */
	if (!r && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
			r = -errno;
	}
	if (!r)
		r = vrf_netns_identify(fd, s, ret_id);
	if (setns(host_fd, CLONE_NEWNET) < 0)
		abort();	/* stuck in the new namespace: nothing after this is safe */
	if (s >= 0)
		close(s);
	if (r < 0) {
		if (fd >= 0)
			close(fd);
		return r;
	}
	return fd;
}

/* The record goes first, with the identity of the namespace about to be
 * mounted, so that a crash at any point leaves either a mount the record
 * proves, or a record naming a namespace that died with the process (which
 * no mount can match: the cookie is never reused), or nothing. */
int vrf_netns_create(const struct vrf_config *cfg, int host_fd, const char *name, int *ret_fd)
{
	char *p = path_join(cfg->netns_dir, name), src[64];
	int dirfd = -1, nsfd = -1, newfd = -1, fd, r;
	bool recorded = false, made = false;
	struct vrf_netns_id id;

	r = prepare_netns_dir(cfg);
	if (r < 0)
		goto out;
	dirfd = open(cfg->netns_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0 || flock(dirfd, LOCK_EX) < 0) {
		r = -errno;
		goto out;
	}
	/* A stale entry for this name (file, no mount) is repaired by
	 * creating anew; a live one (made since the caller looked) is
	 * somebody else's and never taken. */
	r = vrf_netns_open(cfg, name, &nsfd);
	if (r == 0) {
		r = -EEXIST;
		goto out;
	}
	if (r == -ESTALE)
		unlink(p);
	r = newfd = new_netns(host_fd, &id);
	if (r < 0)
		goto out;
	r = vrf_netns_record_write(cfg, name, &id);
	if (r < 0)
		goto out;
	recorded = true;
	fd = open(p, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	close(fd);
	made = true;
	vrf_fault_point("namespace file");
	snprintf(src, sizeof(src), "/proc/self/fd/%d", newfd);
	if (mount(src, p, "none", MS_BIND, NULL) < 0) {
		r = -errno;
		goto out;
	}
	vrf_fault_point("namespace mount");
	/* The descriptor we already hold, not a new open: past the mount,
	 * nothing may fail (EMFILE) and leave a mount without its record. */
	*ret_fd = vrf_fd_high(newfd);
	newfd = -1;
	recorded = made = false;	/* both stay: the namespace is ours */
out:
	if (made)
		unlink(p);
	if (recorded)
		vrf_state_remove(cfg, name, OWNER_RECORD);
	if (newfd >= 0)
		close(newfd);
	if (nsfd >= 0)
		close(nsfd);
	if (dirfd >= 0)
		close(dirfd);	/* releases the flock */
	free(p);
	return r;
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
	/* The state goes last: after a crash before this point its record
	 * names a namespace that is gone, which destroy or prune removes. */
	if (!r)
		vrf_state_remove(cfg, name, NULL);
	free(p);
	return r;
}

int vrf_netns_list_owned(const struct vrf_config *cfg, char ***ret_names, size_t *ret_n)
{
	char **v = NULL;
	size_t n = 0, k = 0;
	int r;

	*ret_names = NULL;
	*ret_n = 0;
	r = vrf_state_list(cfg, &v, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		if (vrf_netns_has_record(cfg, v[i]))
			v[k++] = v[i];
		else
			free(v[i]);
	}
	*ret_names = v;
	*ret_n = k;
	return 0;
}

/* ---- closing a namespace before it goes ---- */

/* The forwarding switches of the namespace this thread is in; writing
 * "all" turns forwarding off on every interface too.  A kernel without
 * IPv6 has no such file, which is fine. */
static int forwarding_off_here(void)
{
	static const char *const keys[] = {
		"/proc/sys/net/ipv4/conf/all/forwarding",
		"/proc/sys/net/ipv6/conf/all/forwarding",
	};
	int r = 0;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		int fd = open(keys[i], O_WRONLY | O_CLOEXEC);

		if (fd < 0) {
			if (errno != ENOENT && !r)
				r = -errno;
			continue;
		}
		if (write(fd, "0\n", 2) != 2 && !r)
			r = -errno;
		close(fd);
	}
	return r;
}

struct up_links {
	int *idx;
	size_t n, cap;
	int err;
};

static int up_link_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct up_links *u = data;

	if (nlh->nlmsg_type != RTM_NEWLINK || !(ifi->ifi_flags & IFF_UP))
		return 0;
	if (u->n == u->cap) {
		u->cap = u->cap ? 2 * u->cap : 16;
		u->idx = vrf_realloc(u->idx, u->cap, sizeof(*u->idx));
	}
	u->idx[u->n++] = ifi->ifi_index;
	return 0;
}

static void up_links_reset(void *data)
{
	((struct up_links *)data)->n = 0;
}

static void down_failed(void *tag, int err, const char *msg, void *data)
{
	struct up_links *u = data;

	/* A link that went away meanwhile is as down as it gets. */
	if (err != -ENODEV && !u->err)
		u->err = err;
}

/* One dump of the links, one batch setting every link that is up down. */
static int links_down(struct vrf_ns *ns)
{
	struct vrf_nl *nl = vrf_nl_get(ns, NETLINK_ROUTE);
	struct up_links u = { 0 };
	struct vrf_nl_batch *b;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	int r;

	if (!nl)
		return -errno;
	nlh = vrf_nl_request(nl, RTM_GETLINK, NLM_F_DUMP);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	r = vrf_nl_dump(nl, nlh, up_link_cb, up_links_reset, &u);
	if (r < 0 || !u.n)
		goto out;
	b = vrf_nl_batch_new(nl, down_failed, &u);
	for (size_t i = 0; i < u.n; i++) {
		nlh = vrf_nl_batch_add(b, RTM_NEWLINK, 0, NULL);
		if (!nlh)
			break;	/* the batch failed; finish reports it */
		ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
		ifi->ifi_family = AF_UNSPEC;
		ifi->ifi_index = u.idx[i];
		ifi->ifi_change = IFF_UP;
		ifi->ifi_flags = 0;
	}
	r = vrf_nl_batch_finish(b);
	if (r == -ENODEV)
		r = 0;
	if (!r)
		r = u.err;
out:
	free(u.idx);
	return r;
}

int vrf_netns_close(struct vrf_ns *ns)
{
	int r, r2;

	if (ns->fd < 0)
		return 0;
	/* /proc/sys/net answers for the namespace of whoever opens it. */
	r = vrf_ns_enter(ns);
	if (r < 0)
		return r;
	r = forwarding_off_here();
	vrf_ns_leave(ns);
	r2 = links_down(ns);
	return r ? r : r2;
}
