/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * exec DOMAIN CMD...: what `ip netns exec` does, so commands see the same
 * world either way: enter the namespace, take a private mount namespace,
 * mount a sysfs that shows the domain's devices, and bind every file of
 * /etc/netns/DOMAIN over its namesake in /etc (resolv.conf).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "commands.h"

static int bind_etc(const char *name)
{
	char dir[PATH_MAX];
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "/etc/netns/%s", name);
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		char src[PATH_MAX * 2], dst[PATH_MAX];

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(src, sizeof(src), "%s/%s", dir, e->d_name);
		snprintf(dst, sizeof(dst), "/etc/%s", e->d_name);
		if (mount(src, dst, "none", MS_BIND, NULL) < 0)
			fprintf(stderr, "vrfmgr: bind %s -> %s failed: %s\n", src, dst,
				strerror(errno));
	}
	closedir(d);
	return 0;
}

int cmd_exec(const struct options *o, int argc, char **argv)
{
	struct vrf_config *cfg;
	const char *why;
	int fd, r;

	if (argc < 2) {
		fprintf(stderr, "vrfmgr: usage: exec DOMAIN CMD...\n");
		return VRF_EXIT_ERROR;
	}
	if (!vrf_domain_name_valid(argv[0], &why)) {
		fprintf(stderr, "vrfmgr: invalid domain name \"%s\": %s\n", argv[0], why);
		return VRF_EXIT_ERROR;
	}
	cfg = cmd_load(o);
	if (!cfg)
		return VRF_EXIT_ERROR;
	r = vrf_netns_open(cfg, argv[0], &fd);
	if (r < 0) {
		fprintf(stderr, "vrfmgr: domain %s: %s\n", argv[0],
			r == -ENOENT ? "no such namespace (not applied yet?)" : strerror(-r));
		vrf_config_free(cfg);
		return VRF_EXIT_ERROR;
	}
	vrf_config_free(cfg);
	if (setns(fd, CLONE_NEWNET) < 0) {
		fprintf(stderr, "vrfmgr: cannot enter %s: %s\n", argv[0], strerror(errno));
		return VRF_EXIT_ERROR;
	}
	close(fd);
	if (unshare(CLONE_NEWNS) < 0) {
		fprintf(stderr, "vrfmgr: cannot make a mount namespace: %s\n", strerror(errno));
		return VRF_EXIT_ERROR;
	}
	/* Keep our mounts from propagating back to the host. */
	if (mount("", "/", "none", MS_SLAVE | MS_REC, NULL) < 0) {
		fprintf(stderr, "vrfmgr: cannot make / a slave mount: %s\n", strerror(errno));
		return VRF_EXIT_ERROR;
	}
	/* sysfs shows the devices of the namespace that mounted it. */
	if (umount2("/sys", MNT_DETACH) == 0)
		mount(argv[0], "/sys", "sysfs", 0, NULL);
	bind_etc(argv[0]);
	execvp(argv[1], argv + 1);
	fprintf(stderr, "vrfmgr: exec %s: %s\n", argv[1], strerror(errno));
	return 127;
}
