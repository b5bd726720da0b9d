/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The history of apply: one entry per apply that changed something, each a
 * folder history_dir/ID/ with a `meta` file (key=value lines) and a copy of
 * every file the configuration consisted of under files/, at the same
 * absolute paths (files/etc/vrfmgr/vrfmgr.ini).  Such a snapshot loads
 * through the normal loader with vrf_path_set_root(): relative paths
 * resolve beside the copied file, absolute ones below files/.
 *
 * A change made with apply --confirm is an entry whose result is
 * "pending", with the entry to return to and a deadline; the undo process
 * (cmd-confirm.c) watches it.  The history is the persistent truth, so a
 * pending change survives a reboot; the undo process's pid lives in
 * state_dir, which a reboot clears with the process.
 */
#ifndef VRF_HISTORY_H
#define VRF_HISTORY_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "model.h"

#define VRF_HIST_APPLIED	"applied"
#define VRF_HIST_PENDING	"pending"
#define VRF_HIST_CONFIRMED	"confirmed"
#define VRF_HIST_ROLLED_BACK	"rolled back"
#define VRF_HIST_FAILED		"failed"
#define VRF_HIST_SUPERSEDED	"superseded"

struct vrf_hist {
	unsigned id;
	long long time;			/* seconds since the epoch */
	char user[64];			/* SUDO_USER, or uid N */
	char command[256];
	char result[24];		/* VRF_HIST_* */
	unsigned changes;
	char main[PATH_MAX];		/* the main file's path when it was applied */
	unsigned restore;		/* pending: the entry to return to */
	long long deadline;		/* pending: when the undo runs */
	bool undone_at_start;		/* rolled back by apply, not by the timer:
					 * confirm may adopt it again */
};

/* Check (and create, 0700) history_dir: a directory owned by root or us,
 * not writable by group or others.  Prints why not. */
int vrf_hist_dir_ok(const char *dir, bool create);
/* Copy the files of cfg (loaded below root, or NULL) into a new entry and
 * write h's meta there; sets h->id. */
int vrf_hist_snapshot(const struct vrf_config *cfg, const char *root, struct vrf_hist *h);
int vrf_hist_write(const char *dir, const struct vrf_hist *h);
int vrf_hist_read(const char *dir, unsigned id, struct vrf_hist *h);
/* Entry ids, oldest first. */
int vrf_hist_ids(const char *dir, unsigned **ret_ids, size_t *ret_n);
/* The newest entry whose result is `result` (NULL: applied or confirmed,
 * the configuration last in force by the operator's will); -ENOENT. */
int vrf_hist_find(const char *dir, const char *result, struct vrf_hist *h);
/* Drop the oldest entries beyond keep, never a pending one or the entry it
 * returns to, nor the entry that a newest change rolled back returned to. */
void vrf_hist_prune(const char *dir, unsigned keep);
/* The configuration of entry h: loaded from its snapshot (NULL after
 * printing errors).  *ret_root is the snapshot's root, malloc'd. */
struct vrf_config *vrf_hist_load(const char *dir, const struct vrf_hist *h, char **ret_root);
/* Print every file of entry h, the main file first. */
int vrf_hist_print_files(const char *dir, const struct vrf_hist *h);

/* The undo process's pid in state_dir (vrf_state_write() of state.h). */
#define VRF_UNDO_PID "undo"
/* That pid, when the process is alive and runs the undo; else 0. */
pid_t vrf_undo_pid(const struct vrf_config *cfg);

#endif
