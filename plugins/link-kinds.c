// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The link kinds: which options each accepts, how a declared link becomes a
 * libnl object to create, and how a live libnl object reads back; and the
 * netlink batches that carry the requests to the kernel.  The rest of the
 * plugin (plugins/link.c) never switches on a kind.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <linux/netlink.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>

#include <netlink/errno.h>
#include <netlink/addr.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include <netlink/route/link.h>
#include <netlink/route/link/macvlan.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/link/vlan.h>
#include <netlink/route/link/vxlan.h>

#include "link.h"

/* ---- option helpers ---- */

int vrf_link_opt_uint(struct vrf_config *cfg, const struct vrf_loc *loc,
		      const struct vrf_link *l, const char *opt, const char *val,
		      unsigned long long min, unsigned long long max, unsigned long long *ret)
{
	if (vrf_parse_uint(val, min, max, ret) < 0) {
		vrf_error(cfg, loc, "link \"%s\": %s \"%s\" is not a number in %llu..%llu",
			  l->name, opt, val, min, max);
		return -EINVAL;
	}
	return 0;
}

const char *vrf_link_ifname_why(const char *s)
{
	const char *why = NULL;

	return vrf_ifname_valid(s, &why) ? NULL : why ? why : "invalid";
}

int vrf_link_opt_ifname(struct vrf_config *cfg, const struct vrf_loc *loc,
			const struct vrf_link *l, const char *opt, const char *val,
			char dst[IFNAMSIZ])
{
	const char *why = vrf_link_ifname_why(val);

	if (why) {
		vrf_error(cfg, loc, "link \"%s\": invalid %s name \"%s\": %s",
			  l->name, opt, val, why);
		return -EINVAL;
	}
	memcpy(dst, val, strlen(val) + 1);
	return 0;
}

static int opt_addr(struct vrf_config *cfg, const struct vrf_loc *loc,
		    const struct vrf_link *l, const char *opt, const char *val,
		    struct vrf_addr *a)
{
	if (vrf_addr_parse(a, val, false, false) < 0) {
		vrf_error(cfg, loc, "link \"%s\": %s \"%s\" is not an IP address",
			  l->name, opt, val);
		return -EINVAL;
	}
	return 0;
}

static bool addr_is_multicast(const struct vrf_addr *a)
{
	if (a->family == AF_INET)
		return (a->bytes[0] & 0xf0) == 0xe0;
	return a->family == AF_INET6 && a->bytes[0] == 0xff;
}

static bool addr_equal(const struct vrf_addr *a, const struct vrf_addr *b)
{
	return a->family == b->family &&
	       !memcmp(a->bytes, b->bytes, a->family == AF_INET ? 4 : 16);
}

static struct nl_addr *addr_to_nl(const struct vrf_addr *a)
{
	return nl_addr_build(a->family, a->bytes, a->family == AF_INET ? 4 : 16);
}

static void addr_from_nl(struct vrf_addr *a, struct nl_addr *na)
{
	memset(a, 0, sizeof(*a));
	if (!na || nl_addr_get_len(na) > sizeof(a->bytes))
		return;
	a->family = nl_addr_get_family(na);
	a->plen = nl_addr_get_len(na) * 8;
	memcpy(a->bytes, nl_addr_get_binary_addr(na), nl_addr_get_len(na));
}

static void addr_put(struct vrf_buf *out, const char *opt, const struct vrf_addr *a)
{
	vrf_buf_printf(out, " %s ", opt);
	vrf_addr_format(a, false, out);
}

/* The lower device of a live link is named through the host's table when the
 * kernel says it sits in another namespace (IFLA_LINK_NETNSID), else through
 * the link's own. */
static void lower_name(struct rtnl_link *rl, int ifindex, const struct vrf_link_names *names,
		       char dst[IFNAMSIZ])
{
	int32_t nsid;
	struct nl_cache *c = names->own;

	dst[0] = '\0';
	if (ifindex <= 0)
		return;
	if (rtnl_link_get_link_netnsid(rl, &nsid) == 0 && names->host)
		c = names->host;
	if (!c || !rtnl_link_i2name(c, ifindex, dst, IFNAMSIZ))
		snprintf(dst, IFNAMSIZ, "if%d", ifindex);
}

int vrf_link_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case 0: return 0;
	case NLE_NOMEM: return -ENOMEM;
	case NLE_EXIST: return -EEXIST;
	case NLE_NODEV: return -ENODEV;
	case NLE_OBJ_NOTFOUND: return -ENOENT;
	case NLE_PERM: return -EPERM;
	case NLE_NOACCESS: return -EACCES;
	case NLE_INVAL: return -EINVAL;
	case NLE_RANGE: return -ERANGE;
	case NLE_BUSY: return -EBUSY;
	case NLE_AGAIN: return -EAGAIN;
	case NLE_OPNOTSUPP: return -EOPNOTSUPP;
	case NLE_MSGSIZE: return -EMSGSIZE;
	case NLE_AF_NOSUPPORT: return -EAFNOSUPPORT;
	default: return -EIO;
	}
}

/* ---- veth ---- */

static int veth_parse_opt(struct vrf_config *cfg, const struct vrf_loc *loc,
			  struct vrf_link *l, const char *opt, const char *val)
{
	if (!strcmp(opt, "peer")) {
		if (!strcmp(val, "lo")) {
			vrf_error(cfg, loc, "link \"%s\": invalid peer name \"lo\": the loopback "
				  "device exists in every namespace", l->name);
			return -EINVAL;
		}
		l->has |= LINK_HAS_PEER;
		return vrf_link_opt_ifname(cfg, loc, l, opt, val, l->peer) < 0 ? -EINVAL : 1;
	}
	if (!strcmp(opt, "peer-netns")) {
		const char *why = NULL;

		/* "host" is the default spelled out; every other name must be
		 * a domain name. */
		if (strcmp(val, VRF_HOST) && !vrf_domain_name_valid(val, &why)) {
			vrf_error(cfg, loc, "link \"%s\": invalid peer-netns \"%s\": the domain "
				  "name %s", l->name, val, why ? why : "is invalid");
			return -EINVAL;
		}
		l->has |= LINK_HAS_PEER_NS;
		if (strcmp(val, VRF_HOST))
			memcpy(l->peer_ns, val, strlen(val) + 1);
		return 1;
	}
	return -ENOENT;
}

static int veth_check(struct vrf_config *cfg, const struct vrf_loc *loc, struct vrf_link *l)
{
	if (!(l->has & LINK_HAS_PEER)) {
		vrf_error(cfg, loc, "link \"%s\": a veth needs \"peer NAME\"", l->name);
		return -EINVAL;
	}
	return 0;
}

static int veth_encode(struct rtnl_link *rl, const struct vrf_link *l,
		       const struct vrf_link_env *env)
{
	struct rtnl_link *peer = rtnl_link_veth_get_peer(rl);

	if (!peer)
		return -ENOMEM;
	rtnl_link_set_name(peer, l->peer);
	if (l->has & LINK_HAS_MTU)
		rtnl_link_set_mtu(peer, l->mtu);
	if (env->peer_netns_fd >= 0)
		rtnl_link_set_ns_fd(peer, env->peer_netns_fd);
	rtnl_link_put(peer);
	return 0;
}

static void veth_decode(struct vrf_link *l, struct rtnl_link *rl,
			const struct vrf_link_names *names)
{
	/* Whether the peer is the declared one is decided by the caller, which
	 * knows where to look; here only its ifindex is kept (link_ifindex). */
}

static bool veth_equal(const struct vrf_link *want, const struct vrf_link *have)
{
	return have->peer_ok && !strcmp(want->peer, have->peer) &&
	       !strcmp(want->peer_ns, have->peer_ns);
}

static void veth_format(const struct vrf_link *l, struct vrf_buf *out)
{
	if (l->live && !l->peer_ok) {
		if (l->peer[0])
			vrf_buf_printf(out, " peer %s (not found)", l->peer);
		return;
	}
	if (l->peer[0])
		vrf_buf_printf(out, " peer %s", l->peer);
	if (l->peer_ns[0])
		vrf_buf_printf(out, " peer-netns %s", l->peer_ns);
}

/* ---- macvlan ---- */

static const struct {
	const char *name;
	uint32_t mode;
} macvlan_modes[] = {
	{ "private", MACVLAN_MODE_PRIVATE },
	{ "vepa", MACVLAN_MODE_VEPA },
	{ "bridge", MACVLAN_MODE_BRIDGE },
	{ "passthru", MACVLAN_MODE_PASSTHRU },
};

static const char *macvlan_mode_name(uint32_t mode)
{
	for (size_t i = 0; i < sizeof(macvlan_modes) / sizeof(macvlan_modes[0]); i++)
		if (macvlan_modes[i].mode == mode)
			return macvlan_modes[i].name;
	return "unknown";
}

static int parent_opt(struct vrf_config *cfg, const struct vrf_loc *loc,
		      struct vrf_link *l, const char *opt, const char *val)
{
	l->has |= LINK_HAS_PARENT;
	return vrf_link_opt_ifname(cfg, loc, l, opt, val, l->parent) < 0 ? -EINVAL : 1;
}

static int macvlan_parse_opt(struct vrf_config *cfg, const struct vrf_loc *loc,
			     struct vrf_link *l, const char *opt, const char *val)
{
	if (!strcmp(opt, "parent"))
		return parent_opt(cfg, loc, l, opt, val);
	if (!strcmp(opt, "mode")) {
		for (size_t i = 0; i < sizeof(macvlan_modes) / sizeof(macvlan_modes[0]); i++) {
			if (!strcmp(val, macvlan_modes[i].name)) {
				l->mode = macvlan_modes[i].mode;
				l->has |= LINK_HAS_MODE;
				return 1;
			}
		}
		vrf_error(cfg, loc, "link \"%s\": macvlan mode \"%s\" is not private, vepa, "
			  "bridge or passthru", l->name, val);
		return -EINVAL;
	}
	return -ENOENT;
}

static int need_parent(struct vrf_config *cfg, const struct vrf_loc *loc,
		       const struct vrf_link *l, const char *kind)
{
	if (!(l->has & LINK_HAS_PARENT)) {
		vrf_error(cfg, loc, "link \"%s\": a %s needs \"parent DEV\"", l->name, kind);
		return -EINVAL;
	}
	return 0;
}

static int macvlan_check(struct vrf_config *cfg, const struct vrf_loc *loc, struct vrf_link *l)
{
	return need_parent(cfg, loc, l, "macvlan");
}

static int macvlan_encode(struct rtnl_link *rl, const struct vrf_link *l,
			  const struct vrf_link_env *env)
{
	rtnl_link_set_link(rl, env->parent_ifindex);
	if (l->has & LINK_HAS_MODE)
		return vrf_link_errno(rtnl_link_macvlan_set_mode(rl, l->mode));
	return 0;
}

static void macvlan_decode(struct vrf_link *l, struct rtnl_link *rl,
			   const struct vrf_link_names *names)
{
	lower_name(rl, rtnl_link_get_link(rl), names, l->parent);
	l->mode = rtnl_link_macvlan_get_mode(rl);
	l->has |= LINK_HAS_PARENT | LINK_HAS_MODE;
}

static bool macvlan_equal(const struct vrf_link *want, const struct vrf_link *have)
{
	if (strcmp(want->parent, have->parent))
		return false;
	return !(want->has & LINK_HAS_MODE) || want->mode == have->mode;
}

static void macvlan_format(const struct vrf_link *l, struct vrf_buf *out)
{
	if (l->parent[0])
		vrf_buf_printf(out, " parent %s", l->parent);
	if (l->has & LINK_HAS_MODE)
		vrf_buf_printf(out, " mode %s", macvlan_mode_name(l->mode));
}

/* ---- vlan ---- */

static int vlan_parse_opt(struct vrf_config *cfg, const struct vrf_loc *loc,
			  struct vrf_link *l, const char *opt, const char *val)
{
	unsigned long long v;

	if (!strcmp(opt, "parent"))
		return parent_opt(cfg, loc, l, opt, val);
	if (!strcmp(opt, "id")) {
		if (vrf_link_opt_uint(cfg, loc, l, "vlan id", val, 1, 4094, &v) < 0)
			return -EINVAL;
		l->id = v;
		l->has |= LINK_HAS_ID;
		return 1;
	}
	if (!strcmp(opt, "protocol")) {
		if (!strcasecmp(val, "802.1q"))
			l->protocol = ETH_P_8021Q;
		else if (!strcasecmp(val, "802.1ad"))
			l->protocol = ETH_P_8021AD;
		else {
			vrf_error(cfg, loc, "link \"%s\": vlan protocol \"%s\" is not 802.1q "
				  "or 802.1ad", l->name, val);
			return -EINVAL;
		}
		l->has |= LINK_HAS_PROTOCOL;
		return 1;
	}
	return -ENOENT;
}

static int vlan_check(struct vrf_config *cfg, const struct vrf_loc *loc, struct vrf_link *l)
{
	if (need_parent(cfg, loc, l, "vlan") < 0)
		return -EINVAL;
	if (!(l->has & LINK_HAS_ID)) {
		vrf_error(cfg, loc, "link \"%s\": a vlan needs \"id N\"", l->name);
		return -EINVAL;
	}
	return 0;
}

static int vlan_encode(struct rtnl_link *rl, const struct vrf_link *l,
		       const struct vrf_link_env *env)
{
	int err;

	rtnl_link_set_link(rl, env->parent_ifindex);
	err = rtnl_link_vlan_set_id(rl, l->id);
	if (err == 0 && (l->has & LINK_HAS_PROTOCOL))
		err = rtnl_link_vlan_set_protocol(rl, htons(l->protocol));
	return vrf_link_errno(err);
}

static void vlan_decode(struct vrf_link *l, struct rtnl_link *rl,
			const struct vrf_link_names *names)
{
	int proto = rtnl_link_vlan_get_protocol(rl);

	lower_name(rl, rtnl_link_get_link(rl), names, l->parent);
	l->id = rtnl_link_vlan_get_id(rl);
	l->protocol = proto > 0 ? ntohs(proto) : ETH_P_8021Q;
	l->has |= LINK_HAS_PARENT | LINK_HAS_ID;
	if (l->protocol != ETH_P_8021Q)
		l->has |= LINK_HAS_PROTOCOL;
}

static bool vlan_equal(const struct vrf_link *want, const struct vrf_link *have)
{
	uint16_t proto = (want->has & LINK_HAS_PROTOCOL) ? want->protocol : ETH_P_8021Q;

	return !strcmp(want->parent, have->parent) && want->id == have->id &&
	       proto == have->protocol;
}

static void vlan_format(const struct vrf_link *l, struct vrf_buf *out)
{
	if (l->parent[0])
		vrf_buf_printf(out, " parent %s", l->parent);
	if (l->has & LINK_HAS_ID)
		vrf_buf_printf(out, " id %u", l->id);
	if (l->has & LINK_HAS_PROTOCOL)
		vrf_buf_printf(out, " protocol %s",
			       l->protocol == ETH_P_8021AD ? "802.1ad" : "802.1q");
}

/* ---- vxlan ---- */

static int vxlan_parse_opt(struct vrf_config *cfg, const struct vrf_loc *loc,
			   struct vrf_link *l, const char *opt, const char *val)
{
	unsigned long long v;

	if (!strcmp(opt, "id")) {
		if (vrf_link_opt_uint(cfg, loc, l, "vxlan id", val, 0, 16777215, &v) < 0)
			return -EINVAL;
		l->id = v;
		l->has |= LINK_HAS_ID;
		return 1;
	}
	if (!strcmp(opt, "local")) {
		l->has |= LINK_HAS_LOCAL;
		return opt_addr(cfg, loc, l, opt, val, &l->local) < 0 ? -EINVAL : 1;
	}
	if (!strcmp(opt, "remote") || !strcmp(opt, "group")) {
		bool group = !strcmp(opt, "group");

		if (l->has & (group ? LINK_HAS_REMOTE : LINK_HAS_GROUP)) {
			vrf_error(cfg, loc, "link \"%s\": remote and group exclude each other",
				  l->name);
			return -EINVAL;
		}
		if (opt_addr(cfg, loc, l, opt, val, &l->remote) < 0)
			return -EINVAL;
		if (group && !addr_is_multicast(&l->remote)) {
			vrf_error(cfg, loc, "link \"%s\": group %s is not a multicast address",
				  l->name, val);
			return -EINVAL;
		}
		if (!group && addr_is_multicast(&l->remote)) {
			vrf_error(cfg, loc, "link \"%s\": remote %s is a multicast address "
				  "(write \"group %s\")", l->name, val, val);
			return -EINVAL;
		}
		l->has |= group ? LINK_HAS_GROUP : LINK_HAS_REMOTE;
		return 1;
	}
	if (!strcmp(opt, "dev"))
		return parent_opt(cfg, loc, l, opt, val);
	if (!strcmp(opt, "dstport")) {
		if (vrf_link_opt_uint(cfg, loc, l, opt, val, 1, 65535, &v) < 0)
			return -EINVAL;
		l->dstport = v;
		l->has |= LINK_HAS_DSTPORT;
		return 1;
	}
	if (!strcmp(opt, "ttl")) {
		if (vrf_link_opt_uint(cfg, loc, l, opt, val, 0, 255, &v) < 0)
			return -EINVAL;
		l->ttl = v;
		l->has |= LINK_HAS_TTL;
		return 1;
	}
	return -ENOENT;
}

static int vxlan_check(struct vrf_config *cfg, const struct vrf_loc *loc, struct vrf_link *l)
{
	if (!(l->has & LINK_HAS_ID)) {
		vrf_error(cfg, loc, "link \"%s\": a vxlan needs \"id N\"", l->name);
		return -EINVAL;
	}
	if ((l->has & LINK_HAS_LOCAL) && (l->has & (LINK_HAS_REMOTE | LINK_HAS_GROUP)) &&
	    l->local.family != l->remote.family) {
		vrf_error(cfg, loc, "link \"%s\": local and %s are of different address families",
			  l->name, (l->has & LINK_HAS_GROUP) ? "group" : "remote");
		return -EINVAL;
	}
	if ((l->has & LINK_HAS_LOCAL) && addr_is_multicast(&l->local)) {
		vrf_error(cfg, loc, "link \"%s\": local address is a multicast address", l->name);
		return -EINVAL;
	}
	if (!(l->has & LINK_HAS_DSTPORT))
		l->dstport = LINK_VXLAN_PORT;
	return 0;
}

static int vxlan_encode(struct rtnl_link *rl, const struct vrf_link *l,
			const struct vrf_link_env *env)
{
	struct nl_addr *a;
	int err;

	err = rtnl_link_vxlan_set_id(rl, l->id);
	if (err == 0)
		err = rtnl_link_vxlan_set_port(rl, l->dstport ? l->dstport : LINK_VXLAN_PORT);
	if (err == 0 && (l->has & LINK_HAS_TTL))
		err = rtnl_link_vxlan_set_ttl(rl, l->ttl);
	if (err == 0 && env->parent_ifindex > 0)
		err = rtnl_link_vxlan_set_link(rl, env->parent_ifindex);
	if (err == 0 && (l->has & LINK_HAS_LOCAL)) {
		if (!(a = addr_to_nl(&l->local)))
			return -ENOMEM;
		err = rtnl_link_vxlan_set_local(rl, a);
		nl_addr_put(a);
	}
	if (err == 0 && (l->has & (LINK_HAS_REMOTE | LINK_HAS_GROUP))) {
		/* The kernel takes a unicast remote and a multicast group in the
		 * same attribute (IFLA_VXLAN_GROUP), as ip-link does. */
		if (!(a = addr_to_nl(&l->remote)))
			return -ENOMEM;
		err = rtnl_link_vxlan_set_group(rl, a);
		nl_addr_put(a);
	}
	return vrf_link_errno(err);
}

static void vxlan_decode(struct vrf_link *l, struct rtnl_link *rl,
			 const struct vrf_link_names *names)
{
	struct nl_addr *a = NULL;
	uint32_t v;

	if (rtnl_link_vxlan_get_id(rl, &v) == 0) {
		l->id = v;
		l->has |= LINK_HAS_ID;
	}
	if (rtnl_link_vxlan_get_port(rl, &v) == 0) {
		l->dstport = v;
		l->has |= LINK_HAS_DSTPORT;
	}
	l->ttl = rtnl_link_vxlan_get_ttl(rl);
	l->has |= LINK_HAS_TTL;
	if (rtnl_link_vxlan_get_link(rl, &v) == 0 && v) {
		lower_name(rl, v, names, l->parent);
		l->has |= LINK_HAS_PARENT;
	}
	if (rtnl_link_vxlan_get_local(rl, &a) == 0 && a) {
		addr_from_nl(&l->local, a);
		if (!nl_addr_iszero(a))
			l->has |= LINK_HAS_LOCAL;
		nl_addr_put(a);
		a = NULL;
	}
	if (rtnl_link_vxlan_get_group(rl, &a) == 0 && a) {
		addr_from_nl(&l->remote, a);
		if (!nl_addr_iszero(a))
			l->has |= addr_is_multicast(&l->remote) ? LINK_HAS_GROUP : LINK_HAS_REMOTE;
		nl_addr_put(a);
	}
}

static bool vxlan_equal(const struct vrf_link *want, const struct vrf_link *have)
{
	uint16_t port = want->dstport ? want->dstport : LINK_VXLAN_PORT;

	if (want->id != have->id || port != have->dstport)
		return false;
	if ((want->has & LINK_HAS_LOCAL) &&
	    (!(have->has & LINK_HAS_LOCAL) || !addr_equal(&want->local, &have->local)))
		return false;
	if ((want->has & (LINK_HAS_REMOTE | LINK_HAS_GROUP)) &&
	    (!(have->has & (LINK_HAS_REMOTE | LINK_HAS_GROUP)) ||
	     !addr_equal(&want->remote, &have->remote)))
		return false;
	if ((want->has & LINK_HAS_PARENT) && strcmp(want->parent, have->parent))
		return false;
	return !(want->has & LINK_HAS_TTL) || want->ttl == have->ttl;
}

static void vxlan_format(const struct vrf_link *l, struct vrf_buf *out)
{
	vrf_buf_printf(out, " id %u", l->id);
	if (l->has & LINK_HAS_LOCAL)
		addr_put(out, "local", &l->local);
	if (l->has & LINK_HAS_REMOTE)
		addr_put(out, "remote", &l->remote);
	if (l->has & LINK_HAS_GROUP)
		addr_put(out, "group", &l->remote);
	if (l->has & LINK_HAS_PARENT)
		vrf_buf_printf(out, " dev %s", l->parent);
	if (l->dstport && l->dstport != LINK_VXLAN_PORT)
		vrf_buf_printf(out, " dstport %u", l->dstport);
	if ((l->has & LINK_HAS_TTL) && (!l->live || l->ttl))
		vrf_buf_printf(out, " ttl %u", l->ttl);
}

/* ---- kinds without options ---- */

static int no_opt(struct vrf_config *cfg, const struct vrf_loc *loc,
		  struct vrf_link *l, const char *opt, const char *val)
{
	return -ENOENT;
}

static int no_check(struct vrf_config *cfg, const struct vrf_loc *loc, struct vrf_link *l)
{
	return 0;
}

static int no_encode(struct rtnl_link *rl, const struct vrf_link *l,
		     const struct vrf_link_env *env)
{
	return 0;
}

static void no_decode(struct vrf_link *l, struct rtnl_link *rl,
		      const struct vrf_link_names *names)
{
}

static bool no_equal(const struct vrf_link *want, const struct vrf_link *have)
{
	return true;
}

static void no_format(const struct vrf_link *l, struct vrf_buf *out)
{
}

static const char *const veth_opts[] = { "peer", "peer-netns", NULL };
static const char *const macvlan_opts[] = { "parent", "mode", NULL };
static const char *const vlan_opts[] = { "parent", "id", "protocol", NULL };
static const char *const vxlan_opts[] = { "id", "local", "remote", "group", "dev", "dstport",
					  "ttl", NULL };

static const struct vrf_link_kind_ops kinds[] = {
	{ "veth", LINK_VETH, true, veth_opts, veth_parse_opt, veth_check, veth_encode,
	  veth_decode, veth_equal, veth_format },
	{ "macvlan", LINK_MACVLAN, true, macvlan_opts, macvlan_parse_opt, macvlan_check, macvlan_encode,
	  macvlan_decode, macvlan_equal, macvlan_format },
	{ "vlan", LINK_VLAN, true, vlan_opts, vlan_parse_opt, vlan_check, vlan_encode,
	  vlan_decode, vlan_equal, vlan_format },
	{ "bridge", LINK_BRIDGE, true, NULL, no_opt, no_check, no_encode,
	  no_decode, no_equal, no_format },
	{ "vxlan", LINK_VXLAN, true, vxlan_opts, vxlan_parse_opt, vxlan_check, vxlan_encode,
	  vxlan_decode, vxlan_equal, vxlan_format },
	{ "dummy", LINK_DUMMY, true, NULL, no_opt, no_check, no_encode,
	  no_decode, no_equal, no_format },
	/* A physical NIC is moved, never created: it has no kind data, and
	 * whatever the kernel calls it is fine. */
	{ "physical", LINK_PHYSICAL, false, NULL, no_opt, no_check, no_encode,
	  no_decode, no_equal, no_format },
	{ "other", LINK_OTHER, false, NULL, no_opt, no_check, no_encode,
	  no_decode, no_equal, no_format },
};

const struct vrf_link_kind_ops *vrf_link_kind_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].kind != LINK_OTHER && !strcmp(kinds[i].name, name))
			return &kinds[i];
	return NULL;
}

const struct vrf_link_kind_ops *vrf_link_kind_ops(enum vrf_link_kind kind)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].kind == kind)
			return &kinds[i];
	return &kinds[sizeof(kinds) / sizeof(kinds[0]) - 1];
}

/* ---- the whole link ---- */

int vrf_link_rtnl_new(const struct vrf_link *l, const struct vrf_link_env *env,
		      struct rtnl_link **ret)
{
	const struct vrf_link_kind_ops *k = vrf_link_kind_ops(l->kind);
	struct rtnl_link *rl;
	struct nl_addr *mac;
	int err;

	if (l->kind == LINK_PHYSICAL || l->kind == LINK_OTHER)
		return -EOPNOTSUPP;
	rl = rtnl_link_alloc();
	if (!rl)
		return -ENOMEM;
	err = vrf_link_errno(rtnl_link_set_type(rl, k->name));
	if (err < 0)
		goto out;
	rtnl_link_set_name(rl, l->name);
	if (l->has & LINK_HAS_MTU)
		rtnl_link_set_mtu(rl, l->mtu);
	if (l->has & LINK_HAS_MAC) {
		mac = nl_addr_build(AF_LLC, l->mac, sizeof(l->mac));
		if (!mac) {
			err = -ENOMEM;
			goto out;
		}
		rtnl_link_set_addr(rl, mac);
		nl_addr_put(mac);
	}
	if (env->netns_fd >= 0)
		rtnl_link_set_ns_fd(rl, env->netns_fd);
	err = k->encode(rl, l, env);
out:
	if (err < 0) {
		rtnl_link_put(rl);
		return err;
	}
	*ret = rl;
	return 0;
}

int vrf_link_build_create(const struct vrf_link *l, const struct vrf_link_env *env,
			  struct nl_msg **ret)
{
	struct rtnl_link *rl = NULL;
	int err;

	err = vrf_link_rtnl_new(l, env, &rl);
	if (err < 0)
		return err;
	err = vrf_link_errno(rtnl_link_build_add_request(rl, NLM_F_CREATE | NLM_F_EXCL, ret));
	rtnl_link_put(rl);
	return err;
}

void vrf_link_decode(struct vrf_link *l, struct rtnl_link *rl,
		     const struct vrf_link_names *names)
{
	const struct vrf_link_kind_ops *k;
	const char *type = rtnl_link_get_type(rl);
	const char *alias = rtnl_link_get_ifalias(rl);
	struct nl_addr *mac = rtnl_link_get_addr(rl);
	int master = rtnl_link_get_master(rl);

	l->live = true;
	snprintf(l->name, sizeof(l->name), "%s", rtnl_link_get_name(rl) ?: "");
	l->ifindex = rtnl_link_get_ifindex(rl);
	l->link_ifindex = rtnl_link_get_link(rl);
	l->up = rtnl_link_get_flags(rl) & IFF_UP;
	l->mtu = rtnl_link_get_mtu(rl);
	l->has |= LINK_HAS_MTU;
	if (mac && nl_addr_get_len(mac) == sizeof(l->mac)) {
		memcpy(l->mac, nl_addr_get_binary_addr(mac), sizeof(l->mac));
		l->has |= LINK_HAS_MAC;
	}
	l->master[0] = '\0';
	if (master > 0 && (!names->own ||
			   !rtnl_link_i2name(names->own, master, l->master, sizeof(l->master))))
		snprintf(l->master, sizeof(l->master), "if%d", master);
	l->owned_alias = alias && !strcmp(alias, LINK_ALIAS);

	k = type ? vrf_link_kind_by_name(type) : NULL;
	if (!k || k->kind == LINK_PHYSICAL) {
		l->kind = LINK_OTHER;
		snprintf(l->kind_name, sizeof(l->kind_name), "%s", type ?: "device");
		return;
	}
	l->kind = k->kind;
	k->decode(l, rl, names);
}

/* ---- netlink requests ----
 *
 * The requests built above travel in batches on a libnl socket's file
 * descriptor.  libnl 3.7 neither batches nor reads extended acks, so this is
 * done here: every request of a chunk goes out in one sendmsg(), only the
 * last asks for an ACK, and each refusal is matched to its op by sequence
 * number, with the kernel's own text. */

void vrf_link_op_fail(struct vrf_op *op, int err, const char *fmt, ...)
{
	va_list ap;

	if (!op || op->err)
		return;
	op->err = err;
	if (fmt) {
		va_start(ap, fmt);
		if (vasprintf(&op->errmsg, fmt, ap) < 0)
			op->errmsg = NULL;
		va_end(ap);
	}
}

int vrf_link_batch_push(struct vrf_link_batch *b, struct nl_msg *msg, struct vrf_op *op,
		      bool ignore_nodev, const char *hint)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 16;
		struct vrf_link_req *v = realloc(b->v, cap * sizeof(*v));

		if (!v) {
			nlmsg_free(msg);
			vrf_link_op_fail(op, -ENOMEM, NULL);
			return -ENOMEM;
		}
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n++] = (struct vrf_link_req){ msg, op, ignore_nodev, hint };
	return 0;
}

void vrf_link_batch_free(struct vrf_link_batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		nlmsg_free(b->v[i].msg);
	free(b->v);
	*b = (struct vrf_link_batch){ 0 };
}

/* The NLMSGERR_ATTR_MSG text of an error answer, if the kernel sent one. */
static const char *extack_msg(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	size_t off = sizeof(*e);
	const char *end = (const char *)nlh + nlh->nlmsg_len;
	const struct nlattr *a;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len - sizeof(struct nlmsghdr));
	a = (const void *)((const char *)e + NLMSG_ALIGN(off));
	while ((const char *)a + NLA_HDRLEN <= end && a->nla_len >= NLA_HDRLEN &&
	       (const char *)a + a->nla_len <= end) {
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG && a->nla_len > NLA_HDRLEN &&
		    ((const char *)a)[a->nla_len - 1] == '\0')
			return (const char *)a + NLA_HDRLEN;
		a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
	return NULL;
}

#define BATCH_MAX_MSGS	128
#define BATCH_MAX_BYTES	(64 * 1024)

/* Send requests [from, to) in one sendmsg.  Only the last asks for an ACK:
 * the kernel handles them in order, answers every failure, and its answer to
 * the last one means all were handled.  rtnetlink does this synchronously
 * inside sendmsg(), so the answers are queued by the time it returns.  The
 * sequence numbers are our own (*seq): taking libnl's would leave its idea of
 * the next answer behind, and its next dump would fail as out of sequence. */
static int batch_chunk(struct nl_sock *sk, uint32_t *seq, struct vrf_link_batch *b,
		       size_t from, size_t to)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct iovec iov[BATCH_MAX_MSGS];
	struct msghdr mh = { .msg_name = &kernel, .msg_namelen = sizeof(kernel), .msg_iov = iov };
	uint32_t first = 0, last = 0;
	char buf[16384];
	int fd = nl_socket_get_fd(sk), ret = 0;
	bool done = false;

	for (size_t i = from; i < to; i++) {
		struct nlmsghdr *nlh = nlmsg_hdr(b->v[i].msg);

		nlh->nlmsg_seq = ++*seq;
		nlh->nlmsg_pid = nl_socket_get_local_port(sk);
		nlh->nlmsg_flags |= NLM_F_REQUEST;
		nlh->nlmsg_flags &= ~NLM_F_ACK;
		if (i == to - 1)
			nlh->nlmsg_flags |= NLM_F_ACK;
		if (i == from)
			first = nlh->nlmsg_seq;
		last = nlh->nlmsg_seq;
		iov[i - from] = (struct iovec){ nlh, NLMSG_ALIGN(nlh->nlmsg_len) };
	}
	mh.msg_iovlen = to - from;
	if (sendmsg(fd, &mh, 0) < 0) {
		ret = -errno;
		for (size_t i = from; i < to; i++)
			vrf_link_op_fail(b->v[i].op, ret, "cannot send to the kernel: %s", strerror(-ret));
		return ret;
	}
	while (!done) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN && poll(&pfd, 1, 2000) > 0)
			continue;
		if (n < 0) {
			int err = errno == EAGAIN ? -ETIMEDOUT : -errno;

			for (size_t i = from; i < to; i++)
				vrf_link_op_fail(b->v[i].op, err, "no answer from the kernel: %s",
					strerror(-err));
			return ret ? ret : err;
		}
		for (struct nlmsghdr *nlh = (void *)buf; NLMSG_OK(nlh, (size_t)n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			const struct nlmsgerr *e = NLMSG_DATA(nlh);
			struct vrf_link_req *r;
			const char *text;

			if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_seq < first ||
			    nlh->nlmsg_seq > last)
				continue;
			if (nlh->nlmsg_seq == last)
				done = true;
			if (e->error == 0)
				continue;
			r = &b->v[from + (nlh->nlmsg_seq - first)];
			if (r->ignore_nodev && e->error == -ENODEV)
				continue;
			text = extack_msg(nlh);
			if (text)
				vrf_link_op_fail(r->op, e->error, "%s", text);
			else if (r->hint)
				vrf_link_op_fail(r->op, e->error, "%s: %s", r->hint, strerror(-e->error));
			else
				vrf_link_op_fail(r->op, e->error, NULL);
			if (!ret)
				ret = e->error;
		}
	}
	return ret;
}

int vrf_link_batch_send(struct nl_sock *sk, uint32_t *seq, struct vrf_link_batch *b)
{
	size_t from = 0;
	int ret = 0;

	while (from < b->n) {
		size_t to = from, bytes = 0;
		int err;

		while (to < b->n && to - from < BATCH_MAX_MSGS &&
		       (to == from || bytes + nlmsg_hdr(b->v[to].msg)->nlmsg_len <= BATCH_MAX_BYTES))
			bytes += NLMSG_ALIGN(nlmsg_hdr(b->v[to++].msg)->nlmsg_len);
		err = batch_chunk(sk, seq, b, from, to);
		if (err < 0 && !ret)
			ret = err;
		from = to;
	}
	vrf_link_batch_free(b);
	return ret;
}
