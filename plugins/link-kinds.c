// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The link kinds: which options each accepts, how a declared link becomes a
 * libnl object to create, and how a live libnl object reads back.  One table
 * entry per kind (struct vrf_link_kind); the veth, whose other end lives in
 * another namespace, has its own file (plugins/link-veth.c).  The rest of the
 * plugin (plugins/link.c) never names a kind.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/netlink.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>

#include <netlink/errno.h>
#include <netlink/addr.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>
#include <netlink/route/link/macvlan.h>
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

/* libnl allocates; out of memory is the policy of alloc.h, so never NULL. */
static struct nl_addr *addr_to_nl(const struct vrf_addr *a)
{
	struct nl_addr *na = nl_addr_build(a->family, a->bytes, a->family == AF_INET ? 4 : 16);

	if (!na)
		vrf_oom();
	return na;
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
	case NLE_NOMEM: vrf_oom();	/* libnl ran out: the policy of alloc.h */
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

static int no_encode(struct rtnl_link *rl, const struct vrf_link *l,
		     const struct vrf_link_env *env)
{
	return 0;
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
	struct vrf_link_macvlan *o = vrf_link_opts(l);

	if (!strcmp(opt, "parent"))
		return parent_opt(cfg, loc, l, opt, val);
	if (!strcmp(opt, "mode")) {
		for (size_t i = 0; i < sizeof(macvlan_modes) / sizeof(macvlan_modes[0]); i++) {
			if (!strcmp(val, macvlan_modes[i].name)) {
				o->mode = macvlan_modes[i].mode;
				o->has |= MACVLAN_HAS_MODE;
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
		       const struct vrf_link *l)
{
	if (!(l->has & LINK_HAS_PARENT)) {
		vrf_error(cfg, loc, "link \"%s\": a %s needs \"parent DEV\"", l->name,
			  l->kind->name);
		return -EINVAL;
	}
	return 0;
}

static int macvlan_check(struct vrf_config *cfg, const struct vrf_domain *d,
			 const struct vrf_loc *loc, struct vrf_link *l)
{
	return need_parent(cfg, loc, l);
}

static int macvlan_encode(struct rtnl_link *rl, const struct vrf_link *l,
			  const struct vrf_link_env *env)
{
	const struct vrf_link_macvlan *o = vrf_link_opts(l);

	rtnl_link_set_link(rl, env->parent_ifindex);
	if (o->has & MACVLAN_HAS_MODE)
		return vrf_link_errno(rtnl_link_macvlan_set_mode(rl, o->mode));
	return 0;
}

static void macvlan_decode(struct vrf_link *l, struct rtnl_link *rl,
			   const struct vrf_link_names *names)
{
	struct vrf_link_macvlan *o = vrf_link_opts(l);

	lower_name(rl, rtnl_link_get_link(rl), names, l->parent);
	o->mode = rtnl_link_macvlan_get_mode(rl);
	l->has |= LINK_HAS_PARENT;
	o->has |= MACVLAN_HAS_MODE;
}

static bool macvlan_equal(const struct vrf_link *want, const struct vrf_link *have)
{
	const struct vrf_link_macvlan *w = vrf_link_opts(want), *h = vrf_link_opts(have);

	if (strcmp(want->parent, have->parent))
		return false;
	return !(w->has & MACVLAN_HAS_MODE) || w->mode == h->mode;
}

static void macvlan_format(const struct vrf_link *l, struct vrf_buf *out)
{
	const struct vrf_link_macvlan *o = vrf_link_opts(l);

	if (l->parent[0])
		vrf_buf_printf(out, " parent %s", l->parent);
	if (o->has & MACVLAN_HAS_MODE)
		vrf_buf_printf(out, " mode %s", macvlan_mode_name(o->mode));
}

/* ---- vlan ---- */

static int vlan_parse_opt(struct vrf_config *cfg, const struct vrf_loc *loc,
			  struct vrf_link *l, const char *opt, const char *val)
{
	struct vrf_link_vlan *o = vrf_link_opts(l);
	unsigned long long v;

	if (!strcmp(opt, "parent"))
		return parent_opt(cfg, loc, l, opt, val);
	if (!strcmp(opt, "id")) {
		if (vrf_link_opt_uint(cfg, loc, l, "vlan id", val, 1, 4094, &v) < 0)
			return -EINVAL;
		o->id = v;
		o->has |= VLAN_HAS_ID;
		return 1;
	}
	if (!strcmp(opt, "protocol")) {
		if (!strcasecmp(val, "802.1q"))
			o->protocol = ETH_P_8021Q;
		else if (!strcasecmp(val, "802.1ad"))
			o->protocol = ETH_P_8021AD;
		else {
			vrf_error(cfg, loc, "link \"%s\": vlan protocol \"%s\" is not 802.1q "
				  "or 802.1ad", l->name, val);
			return -EINVAL;
		}
		o->has |= VLAN_HAS_PROTOCOL;
		return 1;
	}
	return -ENOENT;
}

static int vlan_check(struct vrf_config *cfg, const struct vrf_domain *d,
		      const struct vrf_loc *loc, struct vrf_link *l)
{
	const struct vrf_link_vlan *o = vrf_link_opts(l);

	if (need_parent(cfg, loc, l) < 0)
		return -EINVAL;
	if (!(o->has & VLAN_HAS_ID)) {
		vrf_error(cfg, loc, "link \"%s\": a vlan needs \"id N\"", l->name);
		return -EINVAL;
	}
	return 0;
}

static int vlan_encode(struct rtnl_link *rl, const struct vrf_link *l,
		       const struct vrf_link_env *env)
{
	const struct vrf_link_vlan *o = vrf_link_opts(l);
	int err;

	rtnl_link_set_link(rl, env->parent_ifindex);
	err = rtnl_link_vlan_set_id(rl, o->id);
	if (err == 0 && (o->has & VLAN_HAS_PROTOCOL))
		err = rtnl_link_vlan_set_protocol(rl, htons(o->protocol));
	return vrf_link_errno(err);
}

static void vlan_decode(struct vrf_link *l, struct rtnl_link *rl,
			const struct vrf_link_names *names)
{
	struct vrf_link_vlan *o = vrf_link_opts(l);
	int proto = rtnl_link_vlan_get_protocol(rl);

	lower_name(rl, rtnl_link_get_link(rl), names, l->parent);
	o->id = rtnl_link_vlan_get_id(rl);
	o->protocol = proto > 0 ? ntohs(proto) : ETH_P_8021Q;
	l->has |= LINK_HAS_PARENT;
	o->has |= VLAN_HAS_ID;
	if (o->protocol != ETH_P_8021Q)
		o->has |= VLAN_HAS_PROTOCOL;
}

static bool vlan_equal(const struct vrf_link *want, const struct vrf_link *have)
{
	const struct vrf_link_vlan *w = vrf_link_opts(want), *h = vrf_link_opts(have);
	uint16_t proto = (w->has & VLAN_HAS_PROTOCOL) ? w->protocol : ETH_P_8021Q;

	return !strcmp(want->parent, have->parent) && w->id == h->id && proto == h->protocol;
}

static void vlan_format(const struct vrf_link *l, struct vrf_buf *out)
{
	const struct vrf_link_vlan *o = vrf_link_opts(l);

	if (l->parent[0])
		vrf_buf_printf(out, " parent %s", l->parent);
	if (o->has & VLAN_HAS_ID)
		vrf_buf_printf(out, " id %u", o->id);
	if (o->has & VLAN_HAS_PROTOCOL)
		vrf_buf_printf(out, " protocol %s",
			       o->protocol == ETH_P_8021AD ? "802.1ad" : "802.1q");
}

/* ---- vxlan ---- */

static int vxlan_remote_opt(struct vrf_config *cfg, const struct vrf_loc *loc,
			    struct vrf_link *l, const char *opt, const char *val)
{
	struct vrf_link_vxlan *o = vrf_link_opts(l);
	bool group = !strcmp(opt, "group");

	if (o->has & (group ? VXLAN_HAS_REMOTE : VXLAN_HAS_GROUP)) {
		vrf_error(cfg, loc, "link \"%s\": remote and group exclude each other", l->name);
		return -EINVAL;
	}
	if (opt_addr(cfg, loc, l, opt, val, &o->remote) < 0)
		return -EINVAL;
	if (group && !addr_is_multicast(&o->remote)) {
		vrf_error(cfg, loc, "link \"%s\": group %s is not a multicast address",
			  l->name, val);
		return -EINVAL;
	}
	if (!group && addr_is_multicast(&o->remote)) {
		vrf_error(cfg, loc, "link \"%s\": remote %s is a multicast address "
			  "(write \"group %s\")", l->name, val, val);
		return -EINVAL;
	}
	o->has |= group ? VXLAN_HAS_GROUP : VXLAN_HAS_REMOTE;
	return 1;
}

static int vxlan_parse_opt(struct vrf_config *cfg, const struct vrf_loc *loc,
			   struct vrf_link *l, const char *opt, const char *val)
{
	struct vrf_link_vxlan *o = vrf_link_opts(l);
	unsigned long long v;

	if (!strcmp(opt, "id")) {
		if (vrf_link_opt_uint(cfg, loc, l, "vxlan id", val, 0, 16777215, &v) < 0)
			return -EINVAL;
		o->id = v;
		o->has |= VXLAN_HAS_ID;
		return 1;
	}
	if (!strcmp(opt, "local")) {
		o->has |= VXLAN_HAS_LOCAL;
		return opt_addr(cfg, loc, l, opt, val, &o->local) < 0 ? -EINVAL : 1;
	}
	if (!strcmp(opt, "remote") || !strcmp(opt, "group"))
		return vxlan_remote_opt(cfg, loc, l, opt, val);
	if (!strcmp(opt, "dev"))
		return parent_opt(cfg, loc, l, opt, val);
	if (!strcmp(opt, "dstport")) {
		if (vrf_link_opt_uint(cfg, loc, l, opt, val, 1, 65535, &v) < 0)
			return -EINVAL;
		o->dstport = v;
		o->has |= VXLAN_HAS_DSTPORT;
		return 1;
	}
	if (!strcmp(opt, "ttl")) {
		if (vrf_link_opt_uint(cfg, loc, l, opt, val, 0, 255, &v) < 0)
			return -EINVAL;
		o->ttl = v;
		o->has |= VXLAN_HAS_TTL;
		return 1;
	}
	return -ENOENT;
}

static int vxlan_check(struct vrf_config *cfg, const struct vrf_domain *d,
		       const struct vrf_loc *loc, struct vrf_link *l)
{
	struct vrf_link_vxlan *o = vrf_link_opts(l);

	if (!(o->has & VXLAN_HAS_ID)) {
		vrf_error(cfg, loc, "link \"%s\": a vxlan needs \"id N\"", l->name);
		return -EINVAL;
	}
	if ((o->has & VXLAN_HAS_LOCAL) && (o->has & (VXLAN_HAS_REMOTE | VXLAN_HAS_GROUP)) &&
	    o->local.family != o->remote.family) {
		vrf_error(cfg, loc, "link \"%s\": local and %s are of different address families",
			  l->name, (o->has & VXLAN_HAS_GROUP) ? "group" : "remote");
		return -EINVAL;
	}
	if ((o->has & VXLAN_HAS_LOCAL) && addr_is_multicast(&o->local)) {
		vrf_error(cfg, loc, "link \"%s\": local address is a multicast address", l->name);
		return -EINVAL;
	}
	if (!(o->has & VXLAN_HAS_DSTPORT))
		o->dstport = LINK_VXLAN_PORT;
	return 0;
}

static int vxlan_encode(struct rtnl_link *rl, const struct vrf_link *l,
			const struct vrf_link_env *env)
{
	const struct vrf_link_vxlan *o = vrf_link_opts(l);
	struct nl_addr *a;
	int err;

	err = rtnl_link_vxlan_set_id(rl, o->id);
	if (err == 0)
		err = rtnl_link_vxlan_set_port(rl, o->dstport ? o->dstport : LINK_VXLAN_PORT);
	if (err == 0 && (o->has & VXLAN_HAS_TTL))
		err = rtnl_link_vxlan_set_ttl(rl, o->ttl);
	if (err == 0 && env->parent_ifindex > 0)
		err = rtnl_link_vxlan_set_link(rl, env->parent_ifindex);
	if (err == 0 && (o->has & VXLAN_HAS_LOCAL)) {
		a = addr_to_nl(&o->local);
		err = rtnl_link_vxlan_set_local(rl, a);
		nl_addr_put(a);
	}
	if (err == 0 && (o->has & (VXLAN_HAS_REMOTE | VXLAN_HAS_GROUP))) {
		/* The kernel takes a unicast remote and a multicast group in the
		 * same attribute (IFLA_VXLAN_GROUP), as ip-link does. */
		a = addr_to_nl(&o->remote);
		err = rtnl_link_vxlan_set_group(rl, a);
		nl_addr_put(a);
	}
	return vrf_link_errno(err);
}

static void vxlan_decode(struct vrf_link *l, struct rtnl_link *rl,
			 const struct vrf_link_names *names)
{
	struct vrf_link_vxlan *o = vrf_link_opts(l);
	struct nl_addr *a = NULL;
	uint32_t v;

	if (rtnl_link_vxlan_get_id(rl, &v) == 0) {
		o->id = v;
		o->has |= VXLAN_HAS_ID;
	}
	if (rtnl_link_vxlan_get_port(rl, &v) == 0) {
		o->dstport = v;
		o->has |= VXLAN_HAS_DSTPORT;
	}
	o->ttl = rtnl_link_vxlan_get_ttl(rl);
	o->has |= VXLAN_HAS_TTL;
	if (rtnl_link_vxlan_get_link(rl, &v) == 0 && v) {
		lower_name(rl, v, names, l->parent);
		l->has |= LINK_HAS_PARENT;
	}
	if (rtnl_link_vxlan_get_local(rl, &a) == 0 && a) {
		addr_from_nl(&o->local, a);
		if (!nl_addr_iszero(a))
			o->has |= VXLAN_HAS_LOCAL;
		nl_addr_put(a);
		a = NULL;
	}
	if (rtnl_link_vxlan_get_group(rl, &a) == 0 && a) {
		addr_from_nl(&o->remote, a);
		if (!nl_addr_iszero(a))
			o->has |= addr_is_multicast(&o->remote) ? VXLAN_HAS_GROUP : VXLAN_HAS_REMOTE;
		nl_addr_put(a);
	}
}

static bool vxlan_equal(const struct vrf_link *want, const struct vrf_link *have)
{
	const struct vrf_link_vxlan *w = vrf_link_opts(want), *h = vrf_link_opts(have);
	uint16_t port = w->dstport ? w->dstport : LINK_VXLAN_PORT;

	if (w->id != h->id || port != h->dstport)
		return false;
	if ((w->has & VXLAN_HAS_LOCAL) &&
	    (!(h->has & VXLAN_HAS_LOCAL) || !addr_equal(&w->local, &h->local)))
		return false;
	if ((w->has & (VXLAN_HAS_REMOTE | VXLAN_HAS_GROUP)) &&
	    (!(h->has & (VXLAN_HAS_REMOTE | VXLAN_HAS_GROUP)) ||
	     !addr_equal(&w->remote, &h->remote)))
		return false;
	if ((want->has & LINK_HAS_PARENT) && strcmp(want->parent, have->parent))
		return false;
	return !(w->has & VXLAN_HAS_TTL) || w->ttl == h->ttl;
}

static void vxlan_format(const struct vrf_link *l, struct vrf_buf *out)
{
	const struct vrf_link_vxlan *o = vrf_link_opts(l);

	vrf_buf_printf(out, " id %u", o->id);
	if (o->has & VXLAN_HAS_LOCAL)
		addr_put(out, "local", &o->local);
	if (o->has & VXLAN_HAS_REMOTE)
		addr_put(out, "remote", &o->remote);
	if (o->has & VXLAN_HAS_GROUP)
		addr_put(out, "group", &o->remote);
	if (l->has & LINK_HAS_PARENT)
		vrf_buf_printf(out, " dev %s", l->parent);
	if (o->dstport && o->dstport != LINK_VXLAN_PORT)
		vrf_buf_printf(out, " dstport %u", o->dstport);
	if ((o->has & VXLAN_HAS_TTL) && (!l->live || o->ttl))
		vrf_buf_printf(out, " ttl %u", o->ttl);
}

/* ---- physical ---- */

static int physical_validate(struct vrf_config *cfg, const struct vrf_domain *d,
			     const struct vrf_link *l)
{
	const struct vrf_loc *where;
	struct stat st;
	char path[PATH_MAX];

	if (vrf_name_find(cfg, VRF_HOST, "dev", l->name, NULL, &where)) {
		vrf_error(cfg, &l->obj.loc, "link \"%s\": %s:%u declares %s in the host "
			  "namespace; a physical link moves a NIC that vrfmgr does not create",
			  l->name, where->file, where->line, l->name);
		return -EINVAL;
	}
	if (if_nametoindex(l->name) > 0)
		return 0;
	/* Once moved, the NIC is inside the domain, where an unprivileged check
	 * cannot look.  So refuse only when it is absent from the host and the
	 * domain has no namespace yet: then it cannot be anywhere we know. */
	snprintf(path, sizeof(path), "%s/%s", cfg->netns_dir, d->name);
	if (stat(path, &st) == 0)
		return 0;
	vrf_error(cfg, &l->obj.loc, "link \"%s\": physical device %s is not in the host "
		  "namespace, and domain %s does not exist yet (%s)", l->name, l->name,
		  d->name, path);
	return -EINVAL;
}

/* ---- the table ---- */

static const char *const macvlan_opts[] = { "parent", "mode", NULL };
static const char *const vlan_opts[] = { "parent", "id", "protocol", NULL };
static const char *const vxlan_opts[] = { "id", "local", "remote", "group", "dev", "dstport",
					  "ttl", NULL };

static const struct vrf_link_kind macvlan_kind = {
	.name = "macvlan",
	.flags = LINK_KIND_IN_HOST,
	.opts_size = sizeof(struct vrf_link_macvlan),
	.opts = macvlan_opts,
	.parse_opt = macvlan_parse_opt,
	.check = macvlan_check,
	.encode = macvlan_encode,
	.decode = macvlan_decode,
	.equal = macvlan_equal,
	.format = macvlan_format,
};

static const struct vrf_link_kind vlan_kind = {
	.name = "vlan",
	.flags = LINK_KIND_IN_HOST,
	.opts_size = sizeof(struct vrf_link_vlan),
	.opts = vlan_opts,
	.parse_opt = vlan_parse_opt,
	.check = vlan_check,
	.encode = vlan_encode,
	.decode = vlan_decode,
	.equal = vlan_equal,
	.format = vlan_format,
};

static const struct vrf_link_kind bridge_kind = {
	.name = "bridge",
	.flags = LINK_KIND_MASTER,
	.encode = no_encode,
};

static const struct vrf_link_kind vxlan_kind = {
	.name = "vxlan",
	.flags = LINK_KIND_IN_HOST,
	.opts_size = sizeof(struct vrf_link_vxlan),
	.opts = vxlan_opts,
	.parse_opt = vxlan_parse_opt,
	.check = vxlan_check,
	.encode = vxlan_encode,
	.decode = vxlan_decode,
	.equal = vxlan_equal,
	.format = vxlan_format,
};

static const struct vrf_link_kind dummy_kind = {
	.name = "dummy",
	.encode = no_encode,
};

/* A physical NIC is moved, never created: it has no kind data, and whatever
 * the kernel calls it is fine.  The move in and back out goes through the
 * host's socket. */
static const struct vrf_link_kind physical_kind = {
	.name = "physical",
	.flags = LINK_KIND_MOVED | LINK_KIND_IN_HOST,
	.not_in_host = "the NIC is there already",
	.validate = physical_validate,
};

static const struct vrf_link_kind other_kind = {
	.name = "other",
	.flags = LINK_KIND_LIVE,
};

/* Adding a kind is adding its entry here (and its file, if it needs one). */
static const struct vrf_link_kind *const kinds[] = {
	&vrf_link_veth_kind, &macvlan_kind, &vlan_kind, &bridge_kind, &vxlan_kind,
	&dummy_kind, &physical_kind, &other_kind,
};

const struct vrf_link_kind *vrf_link_kind_at(size_t i)
{
	return i < sizeof(kinds) / sizeof(kinds[0]) ? kinds[i] : NULL;
}

const struct vrf_link_kind *vrf_link_kind_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!(kinds[i]->flags & LINK_KIND_LIVE) && !strcmp(kinds[i]->name, name))
			return kinds[i];
	return NULL;
}

const struct vrf_link_kind *vrf_link_kind_live(void)
{
	return &other_kind;
}

const struct vrf_link_kind *vrf_link_kind_moved(void)
{
	return &physical_kind;
}

const char *vrf_link_kind_name(const struct vrf_link *l)
{
	return (l->kind->flags & LINK_KIND_LIVE) ? l->kind_name : l->kind->name;
}

/* ---- the whole link ---- */

struct vrf_link *vrf_link_new(const struct vrf_link_kind *k, const struct vrf_loc *loc)
{
	struct vrf_link *l = vrf_obj_new(&vrf_link_plugin, sizeof(*l) + k->opts_size, loc);

	l->kind = k;
	return l;
}

const struct vrf_link *vrf_link_of(void *data)
{
	const struct vrf_obj *o = data;

	return o && o->plugin == &vrf_link_plugin ? data : NULL;
}

const struct vrf_link *vrf_link_declared(const struct vrf_domain *d, const char *name)
{
	struct vrf_obj *const *v;
	size_t n;

	if (!d || !name)
		return NULL;
	v = vrf_domain_sorted(d, &vrf_link_plugin, &n);
	for (size_t i = 0; i < n; i++) {
		const struct vrf_link *l = vrf_link_of(v[i]);

		if (!strcmp(l->name, name))
			return l;
	}
	return NULL;
}

int vrf_link_rtnl_new(const struct vrf_link *l, const struct vrf_link_env *env,
		      struct rtnl_link **ret)
{
	const struct vrf_link_kind *k = l->kind;
	struct rtnl_link *rl;
	struct nl_addr *mac;
	int err;

	if (!k->encode)
		return -EOPNOTSUPP;
	rl = rtnl_link_alloc();
	if (!rl)
		vrf_oom();
	err = vrf_link_errno(rtnl_link_set_type(rl, k->name));
	if (err < 0)
		goto out;
	rtnl_link_set_name(rl, l->name);
	if (l->has & LINK_HAS_MTU)
		rtnl_link_set_mtu(rl, l->mtu);
	if (l->has & LINK_HAS_MAC) {
		mac = nl_addr_build(AF_LLC, l->mac, sizeof(l->mac));
		if (!mac)
			vrf_oom();
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

/* The kind of a live link: one vrfmgr creates, else the live-only entry. */
static const struct vrf_link_kind *live_kind(const char *type)
{
	const struct vrf_link_kind *k = type ? vrf_link_kind_by_name(type) : NULL;

	return k && k->encode ? k : &other_kind;
}

struct vrf_link *vrf_link_decode(struct rtnl_link *rl, const struct vrf_link_names *names)
{
	const char *type = rtnl_link_get_type(rl);
	const char *alias = rtnl_link_get_ifalias(rl);
	struct nl_addr *mac = rtnl_link_get_addr(rl);
	int master = rtnl_link_get_master(rl);
	struct vrf_link *l = vrf_link_new(live_kind(type), NULL);

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
	if (master > 0 && (!names->own ||
			   !rtnl_link_i2name(names->own, master, l->master, sizeof(l->master))))
		snprintf(l->master, sizeof(l->master), "if%d", master);
	l->owned_alias = alias && !strcmp(alias, LINK_ALIAS);
	if (l->kind->flags & LINK_KIND_LIVE)
		snprintf(l->kind_name, sizeof(l->kind_name), "%s", type ?: "device");
	else if (l->kind->decode)
		l->kind->decode(l, rl, names);
	return l;
}
