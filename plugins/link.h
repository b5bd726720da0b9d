/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private interface of the link plugin, shared by plugins/link.c (parse,
 * validate, observe, apply) and plugins/link-kinds.c (what each link kind
 * accepts and how it is encoded to and decoded from libnl objects).  Like
 * iproute2's `struct link_util`, every kind is one table of functions, so a
 * kind is added in one place.
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

enum vrf_link_kind {
	LINK_VETH,
	LINK_MACVLAN,
	LINK_VLAN,
	LINK_BRIDGE,
	LINK_VXLAN,
	LINK_DUMMY,
	LINK_PHYSICAL,
	LINK_OTHER,		/* live only: a kind vrfmgr does not create */
};

/* "Has" flags: an attribute the file does not give is never compared, so
 * "unset" and "zero" cannot blur (as in wireguard-tools). */
#define LINK_HAS_MTU		(1U << 0)
#define LINK_HAS_MAC		(1U << 1)
#define LINK_HAS_MASTER		(1U << 2)
#define LINK_HAS_DOWN		(1U << 3)
#define LINK_HAS_PEER		(1U << 4)
#define LINK_HAS_PEER_NS	(1U << 5)
#define LINK_HAS_PARENT		(1U << 6)
#define LINK_HAS_MODE		(1U << 7)
#define LINK_HAS_ID		(1U << 8)
#define LINK_HAS_PROTOCOL	(1U << 9)
#define LINK_HAS_LOCAL		(1U << 10)
#define LINK_HAS_REMOTE		(1U << 11)
#define LINK_HAS_GROUP		(1U << 12)
#define LINK_HAS_DSTPORT	(1U << 13)
#define LINK_HAS_TTL		(1U << 14)

#define LINK_VXLAN_PORT		4789	/* IANA; the kernel's own default is 8472 */
#define LINK_ALIAS		"vrfmgr"	/* ifalias stamped on links vrfmgr created */

struct vrf_link {
	struct vrf_obj obj;
	char name[IFNAMSIZ];
	enum vrf_link_kind kind;
	char kind_name[16];		/* LINK_OTHER: what the kernel calls it */
	unsigned has;
	bool up;			/* desired: !down; live: IFF_UP */
	uint32_t mtu;
	uint8_t mac[6];
	char master[IFNAMSIZ];		/* "" = no master */

	/* veth: the other end; peer_ns "" means the host namespace. */
	char peer[IFNAMSIZ];
	char peer_ns[65];
	/* macvlan, vlan: lower device; vxlan: `dev`.  Always in the host. */
	char parent[IFNAMSIZ];
	uint32_t mode;			/* macvlan: MACVLAN_MODE_* */
	uint32_t id;			/* vlan id or vxlan VNI */
	uint16_t protocol;		/* vlan: ETH_P_8021Q or ETH_P_8021AD, host order */
	struct vrf_addr local, remote;	/* vxlan: remote holds `remote` or `group` */
	uint16_t dstport;
	uint8_t ttl;

	/* Live objects only. */
	bool live;
	int ifindex;
	int link_ifindex;		/* IFLA_LINK: veth peer, lower device */
	bool owned_alias;		/* carries LINK_ALIAS */
	bool peer_ok;			/* veth: the declared peer is where it belongs */
	bool peer_up;
	uint32_t peer_mtu;
};

/* What the kind encoder needs from the kernel side. */
struct vrf_link_env {
	int netns_fd;		/* create into this namespace; -1: the socket's */
	int peer_netns_fd;	/* veth: the peer's namespace; -1: the link's */
	int parent_ifindex;	/* macvlan, vlan: lower device; vxlan: dev; 0 none */
};

/* Where the decoder finds names for the ifindexes a live link refers to. */
struct vrf_link_names {
	struct nl_cache *own;	/* the link's namespace */
	struct nl_cache *host;	/* the host namespace (may equal own) */
};

struct vrf_link_kind_ops {
	const char *name;
	enum vrf_link_kind kind;
	bool host_ok;		/* may be declared in [host] */
	const char *const *opts;	/* the kind's options, NULL-terminated */
	/* Parse one kind option (word opt with its value val, which may be
	 * NULL at the end of the line).  Returns the number of words used after
	 * opt (0 or 1), -ENOENT for an option the kind does not know, or
	 * -EINVAL after reporting the problem. */
	int (*parse_opt)(struct vrf_config *cfg, const struct vrf_loc *loc,
			 struct vrf_link *l, const char *opt, const char *val);
	/* Check that the required options are there (parse time). */
	int (*check)(struct vrf_config *cfg, const struct vrf_loc *loc, struct vrf_link *l);
	/* Fill kind data of a new libnl link object. */
	int (*encode)(struct rtnl_link *rl, const struct vrf_link *l,
		      const struct vrf_link_env *env);
	/* Read kind data from a live libnl link object. */
	void (*decode)(struct vrf_link *l, struct rtnl_link *rl,
		       const struct vrf_link_names *names);
	/* Do the kind options of the live link match what the file wants?
	 * A mismatch means the link is rebuilt (deleted and created again). */
	bool (*equal)(const struct vrf_link *want, const struct vrf_link *have);
	/* The kind options as the file spells them, each with a leading space. */
	void (*format)(const struct vrf_link *l, struct vrf_buf *out);
};

const struct vrf_link_kind_ops *vrf_link_kind_by_name(const char *name);
const struct vrf_link_kind_ops *vrf_link_kind_ops(enum vrf_link_kind kind);

/* Build the RTM_NEWLINK request that creates link l (libnl object, to be put
 * with rtnl_link_put()).  The link is created down; mtu and mac are part of
 * the request.  Returns 0 or -errno. */
int vrf_link_rtnl_new(const struct vrf_link *l, const struct vrf_link_env *env,
		      struct rtnl_link **ret);
/* Same, as a finished netlink message (nlmsg_free() it). */
int vrf_link_build_create(const struct vrf_link *l, const struct vrf_link_env *env,
			  struct nl_msg **ret);

/* Fill a live vrf_link from a libnl link object. */
void vrf_link_decode(struct vrf_link *l, struct rtnl_link *rl,
		     const struct vrf_link_names *names);

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

/* ---- netlink requests (link-kinds.c) ---- */

struct nl_sock;

struct vrf_link_req {
	struct nl_msg *msg;
	struct vrf_op *op;
	bool ignore_nodev;	/* deleting what is already gone is success */
	const char *hint;	/* said when the kernel gives no text of its own */
};

struct vrf_link_batch {
	struct vrf_link_req *v;
	size_t n, cap;
};

/* Record a failure on op (the first one wins); fmt may be NULL. */
void vrf_link_op_fail(struct vrf_op *op, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Queue msg (owned from now on) for op.  ignore_nodev: a request that finds
 * no such device succeeded (deleting what is gone).  hint prefixes the
 * errno text when the kernel gives no message of its own. */
int vrf_link_batch_push(struct vrf_link_batch *b, struct nl_msg *msg, struct vrf_op *op,
			bool ignore_nodev, const char *hint);
void vrf_link_batch_free(struct vrf_link_batch *b);
/* Send every queued request on sk, record failures on their ops, empty b.
 * *seq numbers the requests (kept per socket).  Returns 0 or the first error. */
int vrf_link_batch_send(struct nl_sock *sk, uint32_t *seq, struct vrf_link_batch *b);

extern const struct vrf_plugin vrf_link_plugin;

#endif
