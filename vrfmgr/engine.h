/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The engine's own view of a run: namespaces, plans, results.  Plugins see
 * only the opaque handles of plugin.h. */
#ifndef VRF_ENGINE_H
#define VRF_ENGINE_H

#include "plugin.h"

struct vrf_sock {
	int family, type, protocol, fd;
};

struct vrf_ns {
	char *name;			/* domain name, or "host" */
	const struct vrf_domain *domain;	/* desired state; NULL for an owned orphan */
	int fd;				/* nsfs fd, -1 while the namespace is absent */
	bool is_new;			/* created by this run */
	bool owned;			/* vrfmgr created it (record in state_dir) */
	bool in_file;			/* the file has a section for it */
	bool failed;			/* an apply step failed; skip the rest */
	bool replan;			/* a plugin asked for another pass */
	bool again;			/* this pass is such a pass */
	struct vrf_sock *socks;
	size_t n_socks;
	void *state[VRF_MAX_PLUGINS];
	/* The plan for this namespace, in stage order. */
	struct vrf_op *ops;
	size_t n_ops, cap_ops;
	struct vrf_objv live;		/* observed objects the ops point into */
	size_t applied;			/* ops[0..applied) went through */
	unsigned changes;		/* ops applied over the whole run */
	struct vrf_buf done_text;	/* their plan lines, for post-apply hooks */
	size_t done_more;		/* applied but left out of done_text */
};

struct vrf_run {
	const struct vrf_config *cfg;
	int host_fd;			/* the namespace vrfmgr runs in */
	int lock_fd;
	struct vrf_ns **ns;		/* host first (when reconciled), then domains */
	size_t n_ns;
	struct vrf_ns **by_name;	/* sorted index for vrf_ns_find() */
	struct vrf_ns *current;		/* entered namespace, or NULL */
	void *state[VRF_MAX_PLUGINS];
	int verbose;
	bool json;
	bool dry_run;
	bool prune;
	unsigned errors;
};

/* netns.c: persistent namespaces, compatible with ip-netns(8). */
int vrf_netns_open(const struct vrf_config *cfg, const char *name, int *ret_fd);
int vrf_netns_create(const struct vrf_config *cfg, int host_fd, const char *name, int *ret_fd);
int vrf_netns_delete(const struct vrf_config *cfg, const char *name);
bool vrf_netns_owned(const struct vrf_config *cfg, const char *name);
/* Names of namespaces vrfmgr owns (records in state_dir), malloc'd array. */
int vrf_netns_list_owned(const struct vrf_config *cfg, char ***ret_names, size_t *ret_n);
int vrf_state_lock(const struct vrf_config *cfg);

/* engine.c */
struct vrf_run *vrf_run_new(const struct vrf_config *cfg, int verbose, bool json);
void vrf_run_free(struct vrf_run *run);
/* Open (and when !dry_run, create) the namespaces of the given domains
 * (all when names is empty), plus owned orphans when prune. */
int vrf_run_attach(struct vrf_run *run, char **names, size_t n_names);
/* Observe and diff every attached namespace. */
int vrf_run_plan(struct vrf_run *run);
/* Apply the plan; per-domain rollback on failure.  Returns 0 or -errno. */
int vrf_run_apply(struct vrf_run *run);
/* Number of changes in the plan (orphans count only with prune). */
size_t vrf_run_count_changes(const struct vrf_run *run);
void vrf_run_print_plan(struct vrf_run *run, bool applied);
int vrf_run_destroy(struct vrf_run *run, const char *name);
void vrf_op_format(const struct vrf_op *op, struct vrf_buf *out);

#endif
