/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The resource plugin interface.  Every kind of object vrfmgr manages (links,
 * addresses, routes, rules, sysctls, the nftables firewall, resolv.conf,
 * hooks, and whatever an external plugin adds) is one `struct vrf_plugin`.
 * The engine knows no kind by name: it parses, observes, diffs and applies
 * only through this table.
 *
 * A plugin's objects embed `struct vrf_obj` as their first member and are
 * allocated with vrf_obj_new().  Desired objects come from parse(); live ones
 * from observe().  The engine sorts both lists with compare() (identity) and
 * walks them once: present only in the file -> ADD, only live -> DEL, in both
 * but !equal() -> CHANGE.  observe() must return only objects vrfmgr owns
 * (see the ownership table in DESIGN.md); what it leaves out is never deleted.
 */
#ifndef VRF_PLUGIN_H
#define VRF_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "state.h"

/* Bump when struct vrf_plugin or any function below changes incompatibly.
 * 2: the disruptive slot; 3: the metrics slot. */
#define VRF_PLUGIN_ABI 3

struct vrf_run;
struct vrf_ns;
struct vrf_metrics;

enum vrf_op_kind {
	VRF_OP_ADD,
	VRF_OP_DEL,
	VRF_OP_CHANGE,
};

/* One planned change.  For DEL, `have` may be a desired object (during
 * rollback of an ADD): apply() must be able to delete by identity alone. */
struct vrf_op {
	enum vrf_op_kind kind;
	struct vrf_obj *want;	/* ADD, CHANGE: the object as the file wants it */
	struct vrf_obj *have;	/* DEL, CHANGE: the object as the kernel has it */
	int err;		/* set by apply(): 0 or -errno */
	char *errmsg;		/* set by apply(): kernel extack text or NULL (malloc'd) */
};

/* Lifecycle events offered to plugins that act around a domain's apply. */
enum vrf_event {
	VRF_EV_PRE_APPLY,	/* a domain is about to change; nonzero return stops it */
	VRF_EV_POST_APPLY,	/* a domain changed */
	VRF_EV_PRE_DESTROY,	/* a domain's namespace is about to be deleted: hand
				 * back what must survive it (physical NICs) */
	VRF_EV_POST_DESTROY,	/* a domain was destroyed (ns is NULL); clean up
				 * outside the namespace, wait for peers to vanish */
};

/* Plugin flags.  (Bit 1 was VRF_PLUGIN_ALWAYS, which nothing read: the
 * engine observes every kind in every domain, since only a look at the
 * kernel finds the owned objects of a kind the file no longer declares.) */
#define VRF_PLUGIN_HOST_OK	(1U << 0)	/* its keys are allowed in [host] */

struct vrf_plugin {
	unsigned abi;			/* VRF_PLUGIN_ABI */
	const char *name;		/* kind name used in plan lines and JSON: "route" */
	const char *const *keys;	/* config keys parsed, NULL-terminated */
	unsigned stage;			/* apply order, low first; deletions run high first */
	unsigned flags;

	/* Parse one `key = value` line of section d into objects (vrf_domain_add).
	 * Report problems with vrf_error(loc, ...) and return -EINVAL; keep going
	 * is the engine's business.  Must not touch the kernel. */
	int (*parse)(struct vrf_config *cfg, struct vrf_domain *d,
		     const struct vrf_loc *loc, const char *key, const char *value);

	/* Optional.  Called for every section once the whole file is parsed, to
	 * check cross-references (vrf_name_find()).  Must not touch the kernel
	 * beyond read-only lookups that need no privilege. */
	int (*validate)(struct vrf_config *cfg, struct vrf_domain *d);

	/* The next five are NULL for a plugin that keeps no live objects (hook):
	 * it then stores its parsed state in vrf_domain_pdata() instead.
	 *
	 * Identity order (negative, 0, positive) of two objects of this kind, and
	 * whether a live object has every attribute the desired one asks for. */
	int (*compare)(const struct vrf_obj *a, const struct vrf_obj *b);
	bool (*equal)(const struct vrf_obj *want, const struct vrf_obj *have);

	/* Append the live objects of this kind that vrfmgr owns in ns (domain d's
	 * namespace) to out.  A partial view must fail, never return less. */
	int (*observe)(struct vrf_run *run, struct vrf_ns *ns,
		       const struct vrf_domain *d, struct vrf_objv *out);

	/* Apply ops in ns as one batch where the kernel allows it.  Set op->err
	 * (and op->errmsg) on each op that failed.  Return 0 if all succeeded,
	 * else a negative errno (the first failure). */
	int (*apply)(struct vrf_run *run, struct vrf_ns *ns,
		     const struct vrf_domain *d, struct vrf_op *ops, size_t n);

	/* Text of one object as in a plan line, without the kind name:
	 * "10.50.0.0/16 via 10.0.0.254 metric 20".  Must not fail. */
	void (*format)(const struct vrf_obj *o, struct vrf_buf *out);

	/* Optional: text of a CHANGE, e.g. "net.ipv4.ip_forward 0 -> 1".
	 * Default: format(want). */
	void (*format_change)(const struct vrf_obj *want, const struct vrf_obj *have,
			      struct vrf_buf *out);

	/* Optional: print this kind's config lines of domain d ("key = value\n"
	 * each) for `check -v` and the round-trip test.  Default: one line
	 * "keys[0] = format(obj)" per object. */
	void (*print_config)(const struct vrf_domain *d, struct vrf_buf *out);

	/* Free one object of this kind (NULL-safe is the engine's job). */
	void (*free)(struct vrf_obj *o);

	/* Optional: print the live state of this kind in ns for `audit`.
	 * Text: indented lines.  JSON: exactly one member `"KIND": VALUE` (the
	 * engine writes the comma before it).  Return 1 if it found drift that
	 * the plan does not show, 0 if not, or -errno. */
	int (*audit)(struct vrf_run *run, struct vrf_ns *ns,
		     const struct vrf_domain *d, struct vrf_buf *out, bool json);

	/* Optional: lifecycle event for domain d; `changes` is the plan text. */
	int (*event)(struct vrf_run *run, struct vrf_ns *ns, const struct vrf_domain *d,
		     enum vrf_event ev, const char *changes);

	/* Optional: Graphviz for `status --dot`.  Called twice per section:
	 * edges=false inside the section's cluster (emit nodes), edges=true at
	 * top level (emit edges).  Node ids are "DOMAIN/IFNAME", quoted. */
	void (*dot)(const struct vrf_config *cfg, const struct vrf_domain *d, bool edges,
		    struct vrf_buf *out);

	/* Optional: release what parse() left in vrf_domain_pdata(); default free(). */
	void (*domain_release)(struct vrf_domain *d, void *pdata);

	/* Optional: release the per-namespace state kept in vrf_ns_state(). */
	void (*ns_release)(struct vrf_ns *ns, void *state);

	/* Optional: release run-wide state at the end of a run. */
	void (*run_end)(struct vrf_run *run);

	/* Optional (ABI 2): why op interrupts traffic or loses state -- a link
	 * recreated, a NIC moved, an address or route removed, a firewall
	 * table replaced -- as a short phrase, or NULL when it does neither.
	 * Plans mark such ops with "!" and apply --no-disruptive refuses
	 * them.  Must not touch the kernel. */
	const char *(*disruptive)(const struct vrf_op *op);

	/* Optional (ABI 3): add this kind's samples for domain d to m (vrf_metric()),
	 * for `metrics`.  live holds the n objects of this kind that observe()
	 * returned in this run.  Read-only; return 0 or -errno (the engine says
	 * which kind failed and leaves its samples of d out). */
	int (*metrics)(struct vrf_run *run, struct vrf_ns *ns, const struct vrf_domain *d,
		       struct vrf_obj *const *live, size_t n, struct vrf_metrics *m);
};

/* Built-in plugins register themselves into a linker section, so adding a
 * kind is adding a file: no central list to edit. */
#define VRF_PLUGIN_REGISTER(p) \
	static const struct vrf_plugin *const vrf_plugin_ptr_##p \
	__attribute__((used, section("vrf_plugins"), aligned(sizeof(void *)))) = &(p)

/* External plugins (shared objects in plugin_dir) export this symbol. */
#define VRF_PLUGIN_SYMBOL "vrf_plugin_entry"
typedef const struct vrf_plugin *(*vrf_plugin_entry_fn)(void);

/* ---- the plugin registry (vrfmgr/registry.c) ---- */

/* Add a plugin (built-in or loaded).  Refuses a wrong ABI, a missing
 * function or a key another plugin owns, printing why at loc (may be NULL). */
int vrf_plugin_register(struct vrf_config *cfg, const struct vrf_loc *loc,
			const struct vrf_plugin *p, const char *origin);
/* Every registered plugin, sorted by stage (stable). */
const struct vrf_plugin *const *vrf_plugins(size_t *ret_n);
const struct vrf_plugin *vrf_plugin_for_key(const char *key);
/* Dense index of a registered plugin, < VRF_MAX_PLUGINS. */
unsigned vrf_plugin_index(const struct vrf_plugin *p);
/* Load every *.so in dir (sorted) through VRF_PLUGIN_SYMBOL
 * (vrfmgr/extplugin.c).  A missing dir is not an error. */
int vrf_plugins_load_dir(struct vrf_config *cfg, const struct vrf_loc *loc, const char *dir);

/* ---- services the engine offers to plugins ---- */

/* Allocate a zeroed object of `size` bytes whose first member is vrf_obj. */
void *vrf_obj_new(const struct vrf_plugin *p, size_t size, const struct vrf_loc *loc);

/* Mark op failed with err (-errno) and, if fmt is not NULL, the message
 * that reports it (printf-style; the engine prints strerror(-err) when there
 * is none).  An op that already failed keeps its first error. */
void vrf_op_fail(struct vrf_op *op, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Namespaces of a run.  vrf_ns_find() takes a domain name or "host". */
struct vrf_ns *vrf_ns_find(struct vrf_run *run, const char *name);
const char *vrf_ns_name(const struct vrf_ns *ns);
int vrf_ns_fd(const struct vrf_ns *ns);		/* nsfs file descriptor */
bool vrf_ns_is_new(const struct vrf_ns *ns);	/* created by this run */
/* Enter ns (setns) and come back; pairs may not nest. */
int vrf_ns_enter(struct vrf_ns *ns);
int vrf_ns_leave(struct vrf_ns *ns);
/* A socket opened inside ns (setns, socket, setns back); cached per ns. */
int vrf_ns_socket(struct vrf_ns *ns, int family, int type, int protocol);
/* Per-plugin per-namespace state slot (e.g. a cached socket or libnl handle). */
void **vrf_ns_state(struct vrf_ns *ns, const struct vrf_plugin *p);

const struct vrf_config *vrf_run_config(const struct vrf_run *run);
/* A plugin whose apply had side effects on later stages of ns (a link was
 * recreated, so the addresses on it are gone) asks the engine to plan that
 * namespace again once the current pass is over. */
void vrf_run_replan(struct vrf_run *run, struct vrf_ns *ns);
/* -v count; plugins may print detail to stderr when it is > 0. */
int vrf_run_verbose(const struct vrf_run *run);
/* Per-plugin run-wide state slot. */
void **vrf_run_state(struct vrf_run *run, const struct vrf_plugin *p);

/* One sample of the Prometheus family `family` (created on first use with
 * its type, "counter" or "gauge", and help text).  The engine puts the
 * domain label first; the rest are NAME, VALUE pairs ending with NULL.
 * Values are escaped by the engine (vrfmgr/metrics.c). */
void vrf_metric(struct vrf_metrics *m, const char *family, const char *type, const char *help,
		double value, ...) __attribute__((sentinel));

#endif
