/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The engine's own view of a run: namespaces, plans, results.  Plugins see
 * only the opaque handles of plugin.h. */
#ifndef VRF_ENGINE_H
#define VRF_ENGINE_H

#include <stdio.h>

#include "plugin.h"

struct vrf_nl;

struct vrf_sock {
	int family, type, protocol, fd;
};

struct vrf_ns {
	struct vrf_run *run;		/* the run it belongs to (vrf_ns_enter's way back) */
	char *name;			/* domain name, or "host" */
	const struct vrf_domain *domain;	/* desired state; NULL for an owned orphan */
	int fd;				/* nsfs fd, -1 while the namespace is absent */
	bool is_new;			/* created by this run */
	bool owned;			/* vrfmgr created it (its record matches) */
	bool foreign;			/* mounted, and no record matches it */
	bool adopt;			/* foreign, taken over by apply --adopt */
	bool in_file;			/* the file has a section for it */
	bool failed;			/* an apply step failed; skip the rest */
	bool replan;			/* a plugin asked for another pass */
	bool again;			/* this pass is such a pass */
	struct vrf_sock *socks;
	size_t n_socks;
	struct vrf_nl *nl;		/* nl.c's wrappers of the netlink socks */
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
	/* Entered namespaces, innermost last: a plugin that opens a socket
	 * in one domain while inside another still finds its way back. */
	struct vrf_ns *entered[8];
	size_t n_entered;
	void *state[VRF_MAX_PLUGINS];
	int verbose;
	bool json;
	bool dry_run;
	bool prune;
	bool adopt;			/* apply --adopt: take over foreign namespaces */
	unsigned errors;
};

/* netns.c: persistent namespaces, compatible with ip-netns(8). */
int vrf_netns_open(const struct vrf_config *cfg, const char *name, int *ret_fd);
int vrf_netns_create(const struct vrf_config *cfg, int host_fd, const char *name, int *ret_fd);
int vrf_netns_delete(const struct vrf_config *cfg, const char *name);
/* Names with an ownership record in state_dir (trusted ones only), sorted,
 * malloc'd; whether the record matches the mounted namespace is the
 * caller's to check (vrf_netns_identify, vrf_netns_id_match). */
int vrf_netns_list_owned(const struct vrf_config *cfg, char ***ret_names, size_t *ret_n);
int vrf_state_lock(const struct vrf_config *cfg);

/* Who a namespace is: the nsfs file's device and inode, and the kernel's
 * never-reused cookie of the namespace (0 when unknown). */
struct vrf_netns_id {
	unsigned long long dev, ino, cookie;
};
/* Identify the namespace of ns_fd; sock_fd is any socket made inside it
 * (for the cookie), or -1. */
int vrf_netns_identify(int ns_fd, int sock_fd, struct vrf_netns_id *ret);
bool vrf_netns_id_match(const struct vrf_netns_id *rec, const struct vrf_netns_id *live);
/* The ownership record state_dir/NAME/netns: -ENOENT none, -EPERM not
 * trusted, -EINVAL names nothing (both reported on stderr). */
int vrf_netns_record_read(const struct vrf_config *cfg, const char *name,
			  struct vrf_netns_id *ret);
int vrf_netns_record_write(const struct vrf_config *cfg, const char *name,
			   const struct vrf_netns_id *id);
bool vrf_netns_has_record(const struct vrf_config *cfg, const char *name);
/* Close ns before it is deleted: forwarding off (IPv4 and IPv6), every link
 * down, so that no packet crosses it while the kernel tears it down (its
 * firewall goes before its interfaces do).  Returns 0 or -errno. */
int vrf_netns_close(struct vrf_ns *ns);

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
/* Why op cuts traffic or loses state (the plugin's disruptive()), or NULL. */
const char *vrf_op_disruptive(const struct vrf_op *op);
/* Print every disruptive op of the plan to f, one a line with "!" and the
 * reason (f NULL: only count); the number of them. */
size_t vrf_run_list_disruptive(struct vrf_run *run, FILE *f);

#endif
