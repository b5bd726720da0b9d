/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Containment of a hook and everything it starts (hook-cgroup.c).
 *
 * A process group is not enough: a child that calls setsid() leaves it and
 * survives the kill on timeout.  A cgroup cannot be left without privilege,
 * and cgroup.kill (Linux 5.14) kills all of it at once.  So each hook runs
 * in a cgroup of its own, made below vrfmgr's own cgroup on the cgroup2
 * hierarchy, when there is one that vrfmgr may write; else in its process
 * group only, and the reason is kept for the verbose log.
 */
#ifndef VRF_HOOK_H
#define VRF_HOOK_H

#include <sys/types.h>

struct hook_cg {
	int parent;		/* vrfmgr's own cgroup folder, or -1 */
	int dir;		/* the hook's cgroup folder, or -1 */
	int procs;		/* its cgroup.procs, written by the child */
	char name[64];
	char why[160];		/* why there is no cgroup (when dir < 0) */
};

/* Make a cgroup for one hook.  On failure (no writable cgroup2, no
 * cgroup.kill) cg->dir is -1 and cg->why says why; never fatal. */
void hook_cg_create(struct hook_cg *cg);
/* In the child, before it runs anything: move itself in.  Returns 0 or
 * -errno (the child then stays in its process group only). */
int hook_cg_enter(const struct hook_cg *cg);
/* Kill everything in the cgroup (and the process group pgid). */
void hook_cg_kill(const struct hook_cg *cg, pid_t pgid);
/* The hook has exited (and been reaped).  What it left running is moved
 * back to vrfmgr's own cgroup (a hook may start a daemon); then the cgroup
 * is removed. */
void hook_cg_release(struct hook_cg *cg);

#endif
