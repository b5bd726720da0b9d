/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * External plugins: every *.so in plugin_dir, loaded in name order.
 *
 * A plugin runs as root inside vrfmgr, so it obeys the rules of the config
 * file: the folder and each shared object must be owned by root (or by us) and
 * writable by nobody else.  The file is opened and checked once, and the
 * loader is handed that very descriptor through /proc/self/fd/N, so the file
 * checked is the file loaded even if someone swaps the name in between.
 *
 * What can go wrong is reported at the plugin_dir line and never crashes: a
 * file the dynamic loader refuses (dlerror() says why), a missing
 * VRF_PLUGIN_SYMBOL, an entry point that returns NULL, a wrong ABI version, a
 * missing function or a key that another plugin owns (vrf_plugin_register()).
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin.h"

static int so_filter(const struct dirent *e)
{
	size_t len = strlen(e->d_name);

	/* Hidden files are editors' and installers' temporaries. */
	return e->d_name[0] != '.' && len > 3 && !strcmp(e->d_name + len - 3, ".so");
}

/* The folder may not be writable by anyone but its owner, who must be root or
 * us: otherwise anyone could drop a plugin into it. */
static int check_dir(struct vrf_config *cfg, const struct vrf_loc *loc, const char *dir)
{
	struct stat st;

	if (lstat(dir, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		vrf_error(cfg, loc, "plugin_dir %s: %s", dir, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode)) {
		vrf_error(cfg, loc, "plugin_dir %s: not a folder", dir);
		return -ENOTDIR;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		vrf_error(cfg, loc, "plugin_dir %s: owned by uid %u, neither root nor us; refusing it",
			  dir, (unsigned)st.st_uid);
		return -EPERM;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		vrf_error(cfg, loc, "plugin_dir %s: writable by group or others (mode %04o); refusing it",
			  dir, (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	return 1;
}

static int load_one(struct vrf_config *cfg, const struct vrf_loc *loc, const char *path)
{
	const struct vrf_plugin *p;
	vrf_plugin_entry_fn entry;
	char fdpath[64];
	void *handle;
	int fd, r;

	fd = vrf_open_trusted(cfg, loc, path);
	if (fd < 0)
		return fd;
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	/* RTLD_NOW: an unresolved symbol fails here with a message, not later
	 * with a crash.  RTLD_LOCAL: plugins do not see each other. */
	dlerror();
	handle = dlopen(fdpath, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		const char *e = dlerror();

		vrf_error(cfg, loc, "plugin %s: cannot load it: %s", path, e ? e : "unknown error");
		close(fd);
		return -ENOEXEC;
	}
	*(void **)&entry = dlsym(handle, VRF_PLUGIN_SYMBOL);
	if (!entry) {
		vrf_error(cfg, loc, "plugin %s: no symbol %s; is it a vrfmgr plugin?", path,
			  VRF_PLUGIN_SYMBOL);
		r = -ENOENT;
		goto fail;
	}
	p = entry();
	/* The same file loaded again (a reload reads plugin_dir anew) is the
	 * same library and the same table: already registered, nothing to do. */
	if (p && p->abi == VRF_PLUGIN_ABI && p->keys && p->keys[0] &&
	    vrf_plugin_for_key(p->keys[0]) == p) {
		r = 0;
		goto fail;
	}
	r = vrf_plugin_register(cfg, loc, p, vrf_config_intern(cfg, path));
	if (r < 0)
		goto fail;
	/* The loader knows the library by the name "/proc/self/fd/N" and would
	 * hand the same library back for a later dlopen() of that name.  The
	 * plugin stays loaded for the life of the process, so its descriptor
	 * stays open too and N is never reused for another plugin. */
	return 0;
fail:
	/* dlclose() only drops our reference when the library was loaded
	 * before. */
	dlclose(handle);
	close(fd);
	return r;
}

int vrf_plugins_load_dir(struct vrf_config *cfg, const struct vrf_loc *loc, const char *dir)
{
	struct dirent **names = NULL;
	int n, r, first = 0;

	if (!dir || !*dir)
		return 0;
	r = check_dir(cfg, loc, dir);
	if (r <= 0)
		return r;
	n = scandir(dir, &names, so_filter, alphasort);
	if (n < 0) {
		r = -errno;
		if (r == -ENOENT)
			return 0;
		vrf_error(cfg, loc, "plugin_dir %s: %s", dir, strerror(-r));
		return r;
	}
	for (int i = 0; i < n; i++) {
		char *path = vrf_asprintf("%s/%s", dir, names[i]->d_name);

		r = load_one(cfg, loc, path);
		free(path);
		if (r < 0 && !first)
			first = r;
		free(names[i]);
	}
	free(names);
	return first;
}
