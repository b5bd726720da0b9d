/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * State files under state_dir (default /run/vrfmgr): one folder per domain
 * holding what vrfmgr must remember between runs (the ownership record of
 * the namespace, the NICs it moved in, the original sysctl values...).
 *
 * Everything is opened relative to a checked descriptor of state_dir, one
 * path component at a time, never following a symbolic link.  state_dir,
 * a domain's folder and every file must be owned by root (or by us) and
 * writable by neither group nor others; anything else was planted by
 * somebody else and is refused (-EPERM) with a warning on stderr.  Writes
 * are atomic: a temporary file, fsync, rename over the old one, fsync of
 * the folder, so a crash leaves the old content or the new, never a mix.
 */
#ifndef VRF_STATE_H
#define VRF_STATE_H

#include <stddef.h>
#include <sys/types.h>

#include "model.h"

/* The checked descriptor of cfg->state_dir, opened once per run and path
 * (do not close it).  With create, the folder is made (0755) when missing.
 * -ENOENT: missing and not created; -EPERM: others may write it (the
 * reason was printed). */
int vrf_state_dir(const struct vrf_config *cfg, bool create);
/* mkdir -p: make path and its missing parents with mode; 0 or -errno. */
int vrf_mkdir_p(const char *path, mode_t mode);

/* Replace state_dir/DOMAIN/FILE (state_dir/FILE when domain is NULL) with
 * len bytes of buf, atomically; the domain's folder is made when missing.
 * Returns 0 or -errno. */
int vrf_state_write(const struct vrf_config *cfg, const char *domain, const char *file,
		    const void *buf, size_t len);

/* The writer under vrf_state_write(), for a folder outside state_dir that
 * the caller opened and checked itself (dns: /etc/netns/NAME): replace FILE
 * in the folder dfd with len bytes of buf, mode `mode` whatever the umask,
 * through a temporary .FILE.tmp (O_EXCL|O_NOFOLLOW), fsync, renameat and an
 * fsync of the folder.  Returns 0 or -errno; on failure FILE is untouched
 * and no temporary file is left. */
int vrf_write_atomic_at(int dfd, const char *file, const void *buf, size_t len, mode_t mode);
/* The same for a path outside state_dir (history, systemd drop-ins, the
 * metrics file): FILE's folder is opened O_NOFOLLOW, FILE written in it. */
int vrf_write_atomic_path(const char *path, const void *buf, size_t len, mode_t mode);

/* Read state_dir/DOMAIN/FILE whole into *ret_buf (malloc'd, NUL-terminated,
 * *ret_len bytes without the NUL).  -ENOENT when there is none; -EPERM when
 * it, its folder or state_dir is not trusted (a warning was printed). */
int vrf_state_read(const struct vrf_config *cfg, const char *domain, const char *file,
		   char **ret_buf, size_t *ret_len);

/* Remove state_dir/DOMAIN/FILE (and the folder, if that left it empty), or
 * with file NULL the domain's whole folder (its entries themselves, never
 * what a symbolic link among them points at).  A folder that is not trusted is left alone (-EPERM).  Missing is
 * not an error. */
int vrf_state_remove(const struct vrf_config *cfg, const char *domain, const char *file);

/* Names of the trusted domain folders in state_dir, sorted, malloc'd.
 * Untrusted entries are skipped with a warning. */
int vrf_state_list(const struct vrf_config *cfg, char ***ret_names, size_t *ret_n);

/* Crash tests: in a build with -DVRF_FAULT_INJECTION (make SANITIZE=1),
 * VRF_FAULT_AFTER=N in the environment makes the process _exit() with
 * VRF_FAULT_EXIT right after its Nth kernel or state operation (netlink
 * write batch, namespace creation step, state file write, nft transaction,
 * sysctl write).  Every such operation calls vrf_fault_point() once it is
 * done.  In the normal build it is nothing at all. */
#define VRF_FAULT_EXIT 86
#ifdef VRF_FAULT_INJECTION
void vrf_fault_point(const char *what);
#else
static inline void vrf_fault_point(const char *what) { (void)what; }
#endif

#endif
