/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private interface of the link plugin.  plugins/link.c parses, validates,
 * observes and applies links without knowing any kind; each kind is one
 * `struct vrf_link_kind` (plugins/link-kinds.c, plugins/link-veth.c), as
 * iproute2's `struct link_util` and systemd's NetDevVTable are: the options
 * it accepts, how much room they take behind the common part of a link
 * (object_size), how it is encoded to and decoded from libnl objects, and
 * the few moments of a run where it needs to act.  plugins/link-nl.c is the
 * plugin's netlink: link dumps parsed by libnl and requests built by libnl,
 * all carried by the core's sockets and nl.c's batches.
 */
#ifndef VRF_PLUGIN_LINK_H
#define VRF_PLUGIN_LINK_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>

#include "plugin.h"

struct rtnl_link;
struct nl_cache;
struct nl_msg;
struct vrf_nl_batch;

/* "Has" flags of the options every kind takes: an attribute the file does
 * not give is never compared, so "unset" and "zero" cannot blur (as in
 * wireguard-tools).  A kind's own options keep their own flags. */
#define LINK_HAS_MTU		(1U << 0)
#define LINK_HAS_MAC		(1U << 1)
#define LINK_HAS_MASTER		(1U << 2)
#define LINK_HAS_DOWN		(1U << 3)
#define LINK_HAS_PARENT		(1U << 4)

#define LINK_ALIAS		"vrfmgr"	/* ifalias stamped on links vrfmgr created */

struct vrf_link_kind;

struct vrf_link {
	struct vrf_obj obj;
	char name[IFNAMSIZ];
	const struct vrf_link_kind *kind;
	char kind_name[16];		/* a live-only kind: what the kernel calls it */
	unsigned has;			/* LINK_HAS_* */
	bool up;			/* desired: !down; live: IFF_UP */
	uint32_t mtu;
	uint8_t mac[6];
	char master[IFNAMSIZ];		/* "" = no master */
	/* The lower device (IFLA_LINK) of kinds that have one: macvlan and
	 * vlan `parent`, vxlan `dev`.  Always in the host namespace. */
	char parent[IFNAMSIZ];

	/* Live objects only. */
	bool live;
	int ifindex;
	int link_ifindex;		/* IFLA_LINK: veth peer, lower device */
	bool owned_alias;		/* carries LINK_ALIAS */

	/* The kind's own options, kind->opts_size bytes (vrf_link_opts()). */
	_Alignas(8) unsigned char opts[];
};

static inline void *vrf_link_opts(const struct vrf_link *l)
{
	return (void *)l->opts;
}

/* ---- the kinds' own options (here so that tests can build live objects) ---- */

struct vrf_link_veth {
	char peer[IFNAMSIZ];
	char peer_ns[65];		/* "" means the host namespace */
	/* Live objects only. */
	bool peer_ok;			/* the declared peer is where it belongs */
	bool peer_up;
	uint32_t peer_mtu;
};

#define MACVLAN_HAS_MODE	(1U << 0)
struct vrf_link_macvlan {
	unsigned has;
	uint32_t mode;			/* MACVLAN_MODE_* */
};

#define VLAN_HAS_ID		(1U << 0)
#define VLAN_HAS_PROTOCOL	(1U << 1)
struct vrf_link_vlan {
	unsigned has;
	uint32_t id;
	uint16_t protocol;		/* ETH_P_8021Q or ETH_P_8021AD, host order */
};

#define VXLAN_HAS_ID		(1U << 0)
#define VXLAN_HAS_LOCAL		(1U << 1)
#define VXLAN_HAS_REMOTE	(1U << 2)
#define VXLAN_HAS_GROUP		(1U << 3)
#define VXLAN_HAS_DSTPORT	(1U << 4)
#define VXLAN_HAS_TTL		(1U << 5)
#define LINK_VXLAN_PORT		4789	/* IANA; the kernel's own default is 8472 */
struct vrf_link_vxlan {
	unsigned has;
	uint32_t id;			/* VNI */
	struct vrf_addr local, remote;	/* remote holds `remote` or `group` */
	uint16_t dstport;
	uint8_t ttl;
};

/* ---- the kind table ---- */

/* What the kind encoder needs from the kernel side. */
struct vrf_link_env {
	int netns_fd;		/* create into this namespace; -1: the socket's */
	int peer_netns_fd;	/* veth: the peer's namespace; -1: the link's */
	int parent_ifindex;	/* the lower device in the host; 0 none */
};

/* Where the decoder finds names for the ifindexes a live link refers to. */
struct vrf_link_names {
	struct nl_cache *own;	/* the link's namespace */
	struct nl_cache *host;	/* the host namespace (may equal own) */
};

/* What link_apply() decided for each op; kinds read it in after_apply(). */
enum vrf_link_action {
	LINK_ACT_NONE,
	LINK_ACT_DEL,		/* delete, or move a moved-in device back to the host */
	LINK_ACT_CREATE,	/* create, or move a device in */
	LINK_ACT_REBUILD,	/* delete, then create */
	LINK_ACT_MODIFY,	/* adjust mtu, mac, master, up/down in place */
};

#define LINK_FL_BOUNCE		(1U << 0)	/* taken down for a new mac: bring up again */
#define LINK_FL_KIND		(1U << 1)	/* the kind's after_apply() took care of it */

/* One apply() call: its ops with their actions and flags. */
struct vrf_link_apply {
	struct vrf_run *run;
	struct vrf_ns *ns;
	struct vrf_op *ops;
	size_t n;
	enum vrf_link_action *act;
	uint8_t *fl;		/* LINK_FL_* per op */
	int ret;		/* the first failure of the exchange itself */
};

/* Kind flags. */
#define LINK_KIND_IN_HOST	(1U << 0)	/* created through the host's socket and
						 * moved in: its lower device is there */
#define LINK_KIND_MASTER	(1U << 1)	/* others may name it `master`: created
						 * before them, and has none itself */
#define LINK_KIND_MOVED		(1U << 2)	/* an existing host device moved in,
						 * never created or deleted (physical) */
#define LINK_KIND_LIVE		(1U << 3)	/* only seen live: what vrfmgr does not
						 * create ("other") */

struct vrf_link_kind {
	const char *name;		/* the config's and the kernel's IFLA_INFO_KIND */
	unsigned flags;			/* LINK_KIND_* */
	/* NULL, or why the kind cannot be declared in [host]. */
	const char *not_in_host;
	size_t opts_size;		/* bytes of options behind struct vrf_link */
	const char *const *opts;	/* the kind's options, NULL-terminated */

	/* Parse one kind option (word opt with its value val).  Returns 1 (the
	 * words used after opt), -ENOENT for an option the kind does not know,
	 * or -EINVAL after reporting the problem.  NULL: no options. */
	int (*parse_opt)(struct vrf_config *cfg, const struct vrf_loc *loc,
			 struct vrf_link *l, const char *opt, const char *val);
	/* Optional: check the whole line of section d (required options, ...)
	 * once it is parsed. */
	int (*check)(struct vrf_config *cfg, const struct vrf_domain *d,
		     const struct vrf_loc *loc, struct vrf_link *l);
	/* Optional: cross-references, once the whole file is parsed. */
	int (*validate)(struct vrf_config *cfg, const struct vrf_domain *d,
			const struct vrf_link *l);
	/* Optional: the end of this link that lives in another namespace: its
	 * name, and in *ret_ns the domain it lives in (VRF_HOST for the host).
	 * That name is published there, and the namespace is planned again when
	 * the link is rebuilt. */
	const char *(*peer)(const struct vrf_link *l, const char **ret_ns);

	/* Fill kind data of a new libnl link object.  NULL: never created. */
	int (*encode)(struct rtnl_link *rl, const struct vrf_link *l,
		      const struct vrf_link_env *env);
	/* Optional: what encode() needs from the run beyond the common env
	 * (veth: the peer's namespace).  Fails op and returns -errno when the
	 * link cannot be made now. */
	int (*prepare)(struct vrf_run *run, struct vrf_ns *ns, struct vrf_op *op,
		       const struct vrf_link *want, struct vrf_link_env *env);
	/* Optional: read kind data from a live libnl link object. */
	void (*decode)(struct vrf_link *l, struct rtnl_link *rl,
		       const struct vrf_link_names *names);
	/* Optional: finish a live object of this kind that the file declares
	 * as `want`, with what only the run can tell (veth: is the peer where
	 * the file wants it?). */
	int (*observe)(struct vrf_run *run, struct vrf_ns *ns, const struct vrf_link *want,
		       struct vrf_link *have);
	/* Optional: can a live object (a rollback's `want`) be made again
	 * from what was observed?  Default: yes, if the kind has encode(). */
	bool (*recreatable)(const struct vrf_link *l);
	/* Optional: do the kind options of the live link match what the file
	 * wants?  A mismatch means the link is rebuilt.  Default: yes. */
	bool (*equal)(const struct vrf_link *want, const struct vrf_link *have);
	/* Optional: state of the kind that is changed in place (veth: the
	 * peer's up/down).  Returns whether have differs from want; when out
	 * is not NULL, describes the difference there, after sep. */
	bool (*drift)(const struct vrf_link *want, const struct vrf_link *have,
		      struct vrf_buf *out, const char *sep);
	/* Optional: the kind options as the file spells them, each with a
	 * leading space. */
	void (*format)(const struct vrf_link *l, struct vrf_buf *out);
	/* Optional: work after the common apply, once per apply() call, on the
	 * ops whose link is of this kind (veth: configure the peers). */
	void (*after_apply)(const struct vrf_link_kind *k, struct vrf_link_apply *a);
};

extern const struct vrf_link_kind vrf_link_veth_kind;	/* plugins/link-veth.c */

/* The kinds a file may name, by name; NULL if none. */
const struct vrf_link_kind *vrf_link_kind_by_name(const char *name);
/* The kinds, in the order of the table; NULL after the last. */
const struct vrf_link_kind *vrf_link_kind_at(size_t i);
/* The entry for live links of a kind vrfmgr does not create, and the one
 * for devices moved in (LINK_KIND_MOVED). */
const struct vrf_link_kind *vrf_link_kind_live(void);
const struct vrf_link_kind *vrf_link_kind_moved(void);
/* The kind's name as plans print it (a live-only kind: the kernel's). */
const char *vrf_link_kind_name(const struct vrf_link *l);

/* A zeroed link of kind k with room for its options. */
struct vrf_link *vrf_link_new(const struct vrf_link_kind *k, const struct vrf_loc *loc);

/* Build the RTM_NEWLINK request that creates link l (libnl object, to be put
 * with rtnl_link_put()).  The link is created down; mtu and mac are part of
 * the request.  Returns 0 or -errno (-EOPNOTSUPP: the kind is not created). */
int vrf_link_rtnl_new(const struct vrf_link *l, const struct vrf_link_env *env,
		      struct rtnl_link **ret);
/* Same, as a finished netlink message (nlmsg_free() it). */
int vrf_link_build_create(const struct vrf_link *l, const struct vrf_link_env *env,
			  struct nl_msg **ret);

/* A live vrf_link read from a libnl link object. */
struct vrf_link *vrf_link_decode(struct rtnl_link *rl, const struct vrf_link_names *names);

/* Helpers shared by the kinds. */
int vrf_link_opt_uint(struct vrf_config *cfg, const struct vrf_loc *loc,
		      const struct vrf_link *l, const char *opt, const char *val,
		      unsigned long long min, unsigned long long max, unsigned long long *ret);
int vrf_link_opt_ifname(struct vrf_config *cfg, const struct vrf_loc *loc,
			const struct vrf_link *l, const char *opt, const char *val,
			char dst[IFNAMSIZ]);
/* Why s is no interface name vrfmgr accepts, or NULL. */
const char *vrf_link_ifname_why(const char *s);
int vrf_link_errno(int nlerr);	/* -NLE_* -> -errno */
/* The links of section d: the one named name, or NULL. */
const struct vrf_link *vrf_link_declared(const struct vrf_domain *d, const char *name);
/* The link that data (from vrf_name_find()) is, or NULL. */
const struct vrf_link *vrf_link_of(void *data);

/* ---- netlink (link-nl.c) ---- */

/* The links of ns as one libnl cache: a fresh dump when asked or when the
 * last one predates an apply, else the dump made earlier in the run.  The
 * dump restarts whole when the kernel flags it as interrupted. */
int vrf_link_cache(struct vrf_run *run, struct vrf_ns *ns, bool fresh,
		   struct nl_cache **ret);
/* Every dump made so far is stale (links were changed). */
void vrf_link_cache_invalidate(struct vrf_run *run);
void vrf_link_ns_release(struct vrf_ns *ns, void *state);
void vrf_link_run_end(struct vrf_run *run);
/* The metrics slot: counters of every link in ns (link-metrics.c). */
int vrf_link_metrics(struct vrf_run *run, struct vrf_ns *ns, const struct vrf_domain *d,
		     struct vrf_obj *const *live, size_t n, struct vrf_metrics *m);
/* Ask the kernel now for device name in ns: 0 and its kind (IFLA_INFO_KIND,
 * "" for none) in type, or -errno (-ENODEV: no such device). */
int vrf_link_kernel_kind(struct vrf_ns *ns, const char *name, char type[16]);

/* Requests for one namespace, sent in one nl.c batch (one sendmsg per
 * chunk, one ACK): a refusal is recorded on its op with the kernel's text. */
struct vrf_link_batch {
	struct vrf_ns *ns;
	struct vrf_nl_batch *nb;	/* opened with the first request */
	struct vrf_link_req **reqs;
	size_t n, cap;
	int err;			/* the first refusal that counts */
};

void vrf_link_batch_init(struct vrf_link_batch *b, struct vrf_ns *ns);
/* Queue msg (freed here) for op.  ignore_nodev: a request that finds no
 * such device succeeded (deleting what is gone).  hint prefixes the errno
 * text when the kernel gives no message of its own.  Fails op on error. */
int vrf_link_batch_push(struct vrf_link_batch *b, struct nl_msg *msg, struct vrf_op *op,
			bool ignore_nodev, const char *hint);
/* Queue `ip link set` of the device rl names (rl is put here); up < 0
 * leaves IFF_UP alone. */
int vrf_link_batch_setlink(struct vrf_link_batch *b, struct rtnl_link *rl, int up,
			   struct vrf_op *op, const char *hint);
/* Send what is queued, record refusals on their ops, empty b for reuse.
 * Returns 0 or the first refusal (ignored ones do not count). */
int vrf_link_batch_send(struct vrf_link_batch *b);
/* A libnl link object that names device name (for setlink requests). */
struct rtnl_link *vrf_link_named(const char *name);

extern const struct vrf_plugin vrf_link_plugin;

#endif
