// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The veth kind.  A veth pair belongs to the section that declares it.  The
 * end named in that section is the observed object; its peer (in the host
 * or in peer-netns) is an attribute of it: a pair whose peer vanished, was
 * renamed or sits in the wrong namespace no longer matches and is rebuilt
 * (deleted and created again).  The namespace that receives the peer owns
 * nothing of it, though other plugins may put addresses on it: the peer
 * name is published there.  The peer follows its end: up or down with it,
 * and the same mtu.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/netlink.h>
#include <netlink/cache.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>

#include "link.h"

static const char *peer_home(const struct vrf_link_veth *o)
{
	return o->peer_ns[0] ? o->peer_ns : VRF_HOST;
}

static int veth_parse_opt(struct vrf_config *cfg, const struct vrf_loc *loc,
			  struct vrf_link *l, const char *opt, const char *val)
{
	struct vrf_link_veth *o = vrf_link_opts(l);
	const char *why = NULL;

	if (!strcmp(opt, "peer")) {
		if (!strcmp(val, "lo")) {
			vrf_error(cfg, loc, "link \"%s\": invalid peer name \"lo\": the loopback "
				  "device exists in every namespace", l->name);
			return -EINVAL;
		}
		return vrf_link_opt_ifname(cfg, loc, l, opt, val, o->peer) < 0 ? -EINVAL : 1;
	}
	if (strcmp(opt, "peer-netns"))
		return -ENOENT;
	/* "host" is the default spelled out; every other name must be a
	 * domain name. */
	if (strcmp(val, VRF_HOST) && !vrf_domain_name_valid(val, &why)) {
		vrf_error(cfg, loc, "link \"%s\": invalid peer-netns \"%s\": the domain "
			  "name %s", l->name, val, why ? why : "is invalid");
		return -EINVAL;
	}
	if (strcmp(val, VRF_HOST))
		memcpy(o->peer_ns, val, strlen(val) + 1);
	return 1;
}

static int veth_check(struct vrf_config *cfg, const struct vrf_domain *d,
		      const struct vrf_loc *loc, struct vrf_link *l)
{
	const struct vrf_link_veth *o = vrf_link_opts(l);

	if (!o->peer[0]) {
		vrf_error(cfg, loc, "link \"%s\": a veth needs \"peer NAME\"", l->name);
		return -EINVAL;
	}
	if (o->peer_ns[0] && !strcmp(o->peer_ns, d->name)) {
		vrf_error(cfg, loc, "link \"%s\": peer-netns %s is this domain itself; a veth "
			  "joins two namespaces", l->name, o->peer_ns);
		return -EINVAL;
	}
	if (!strcmp(o->peer, l->name) && !strcmp(peer_home(o), d->name)) {
		vrf_error(cfg, loc, "link \"%s\": the peer has the link's own name in the same "
			  "namespace", l->name);
		return -EINVAL;
	}
	return 0;
}

static int veth_validate(struct vrf_config *cfg, const struct vrf_domain *d,
			 const struct vrf_link *l)
{
	const struct vrf_link_veth *o = vrf_link_opts(l);

	if (o->peer_ns[0] && !vrf_config_domain(cfg, o->peer_ns)) {
		vrf_error(cfg, &l->obj.loc, "link \"%s\": peer-netns \"%s\" is not a domain "
			  "of this file", l->name, o->peer_ns);
		return -EINVAL;
	}
	return 0;
}

static const char *veth_peer(const struct vrf_link *l, const char **ret_ns)
{
	const struct vrf_link_veth *o = vrf_link_opts(l);

	*ret_ns = peer_home(o);
	return o->peer[0] ? o->peer : NULL;
}

static int veth_encode(struct rtnl_link *rl, const struct vrf_link *l,
		       const struct vrf_link_env *env)
{
	const struct vrf_link_veth *o = vrf_link_opts(l);
	struct rtnl_link *peer = rtnl_link_veth_get_peer(rl);

	if (!peer)
		return -EINVAL;	/* rl is not of type veth: cannot happen */
	rtnl_link_set_name(peer, o->peer);
	if (l->has & LINK_HAS_MTU)
		rtnl_link_set_mtu(peer, l->mtu);
	if (env->peer_netns_fd >= 0)
		rtnl_link_set_ns_fd(peer, env->peer_netns_fd);
	rtnl_link_put(peer);
	return 0;
}

static int veth_prepare(struct vrf_run *run, struct vrf_ns *ns, struct vrf_op *op,
			const struct vrf_link *want, struct vrf_link_env *env)
{
	const struct vrf_link_veth *o = vrf_link_opts(want);
	struct vrf_ns *pns = vrf_ns_find(run, peer_home(o));

	if (!pns || vrf_ns_fd(pns) < 0) {
		vrf_op_fail(op, -ENOENT, "the peer's domain %s has no namespace",
				 peer_home(o));
		return -ENOENT;
	}
	if (pns != ns)
		env->peer_netns_fd = vrf_ns_fd(pns);
	return 0;
}

/* Is the declared peer of veth `have` where the file wants it: a veth of that
 * name in that namespace whose peer is `have`, and the other way round?
 * Whether it is cannot be decoded from the link alone; its ifindex is kept
 * (link_ifindex) for this. */
static int veth_observe(struct vrf_run *run, struct vrf_ns *ns, const struct vrf_link *want,
			struct vrf_link *have)
{
	const struct vrf_link_veth *w = vrf_link_opts(want);
	struct vrf_link_veth *h = vrf_link_opts(have);
	struct vrf_ns *pns = vrf_ns_find(run, peer_home(w));
	struct nl_cache *cache;
	struct rtnl_link *prl;
	const char *type;
	int err;

	memcpy(h->peer, w->peer, sizeof(h->peer));
	if (!pns || vrf_ns_fd(pns) < 0)
		return 0;	/* the peer's domain does not exist (yet) */
	/* The own namespace was dumped just now; any other one may come from
	 * earlier in the run, unless an apply made it stale. */
	err = vrf_link_cache(run, pns, false, &cache);
	if (err < 0)
		return err;
	prl = rtnl_link_get_by_name(cache, w->peer);
	if (!prl)
		return 0;
	type = rtnl_link_get_type(prl);
	if (type && !strcmp(type, "veth") && rtnl_link_get_ifindex(prl) == have->link_ifindex &&
	    rtnl_link_get_link(prl) == have->ifindex) {
		h->peer_ok = true;
		memcpy(h->peer_ns, w->peer_ns, sizeof(h->peer_ns));
		h->peer_up = rtnl_link_get_flags(prl) & IFF_UP;
		h->peer_mtu = rtnl_link_get_mtu(prl);
	}
	rtnl_link_put(prl);
	return 0;
}

/* A live veth whose peer was not found cannot be made again as it was. */
static bool veth_recreatable(const struct vrf_link *l)
{
	return ((const struct vrf_link_veth *)vrf_link_opts(l))->peer_ok;
}

static bool veth_equal(const struct vrf_link *want, const struct vrf_link *have)
{
	const struct vrf_link_veth *w = vrf_link_opts(want), *h = vrf_link_opts(have);

	return h->peer_ok && !strcmp(w->peer, h->peer) && !strcmp(w->peer_ns, h->peer_ns);
}

static bool veth_drift(const struct vrf_link *want, const struct vrf_link *have,
		       struct vrf_buf *out, const char *sep)
{
	const struct vrf_link_veth *h = vrf_link_opts(have);

	if (!h->peer_ok || h->peer_up == want->up)
		return false;
	if (out)
		vrf_buf_printf(out, "%speer %s %s -> %s", sep, h->peer,
			       h->peer_up ? "up" : "down", want->up ? "up" : "down");
	return true;
}

static void veth_format(const struct vrf_link *l, struct vrf_buf *out)
{
	const struct vrf_link_veth *o = vrf_link_opts(l);

	if (l->live && !o->peer_ok) {
		if (o->peer[0])
			vrf_buf_printf(out, " peer %s (not found)", o->peer);
		return;
	}
	if (o->peer[0])
		vrf_buf_printf(out, " peer %s", o->peer);
	if (o->peer_ns[0])
		vrf_buf_printf(out, " peer-netns %s", o->peer_ns);
}

/* The other end of one op's veth: up or down with it, and the same mtu.
 * Undoing a change (want observed, have from the file), the peer gets back
 * what it had. */
static void push_peer(struct vrf_link_batch *b, struct vrf_op *op, enum vrf_link_action act)
{
	const struct vrf_link *want = (const void *)op->want;
	const struct vrf_link *have = act == LINK_ACT_MODIFY ? (const void *)op->have : NULL;
	const struct vrf_link_veth *w = vrf_link_opts(want);
	const struct vrf_link_veth *h = have ? vrf_link_opts(have) : NULL;
	bool undo = have && !have->live, known = have && have->live && h->peer_ok;
	bool up = want->live ? w->peer_up : want->up;
	uint32_t mtu = want->live ? w->peer_mtu : want->mtu;
	bool set_up, set_mtu;
	struct rtnl_link *rl;

	if (want->live && !w->peer_ok)
		return;
	set_up = !have ? up : undo || (known && h->peer_up != up);
	set_mtu = (want->has & LINK_HAS_MTU) && mtu && (undo || (known && h->peer_mtu != mtu));
	if (!set_up && !set_mtu)
		return;
	rl = vrf_link_named(w->peer);
	if (set_mtu)
		rtnl_link_set_mtu(rl, mtu);
	vrf_link_batch_setlink(b, rl, set_up ? up : -1, op, "cannot set the veth peer");
}

/* Is op one whose veth peer this apply still has to configure? */
static bool peer_due(const struct vrf_link_kind *k, const struct vrf_link_apply *a, size_t i)
{
	const struct vrf_link *w = (const void *)a->ops[i].want;

	return a->act[i] != LINK_ACT_DEL && a->act[i] != LINK_ACT_NONE && w->kind == k &&
	       !a->ops[i].err && !(a->fl[i] & LINK_FL_KIND);
}

/* The peers, one batch per namespace they live in. */
static void veth_after_apply(const struct vrf_link_kind *k, struct vrf_link_apply *a)
{
	for (size_t i = 0; i < a->n; i++) {
		const struct vrf_link_veth *o;
		struct vrf_link_batch b;
		struct vrf_ns *pns;
		int err;

		if (!peer_due(k, a, i))
			continue;
		o = vrf_link_opts((const void *)a->ops[i].want);
		pns = vrf_ns_find(a->run, peer_home(o));
		if (!pns)
			continue;
		vrf_link_batch_init(&b, pns);
		for (size_t j = i; j < a->n; j++) {
			const struct vrf_link_veth *oj;
			enum vrf_link_action act = a->act[j];

			if (!peer_due(k, a, j))
				continue;
			oj = vrf_link_opts((const void *)a->ops[j].want);
			if (vrf_ns_find(a->run, peer_home(oj)) != pns)
				continue;
			push_peer(&b, &a->ops[j], act == LINK_ACT_REBUILD ? LINK_ACT_CREATE : act);
			a->fl[j] |= LINK_FL_KIND;
		}
		err = vrf_link_batch_send(&b);
		if (err < 0 && !a->ret)
			a->ret = err;
	}
}

static const char *const veth_opts[] = { "peer", "peer-netns", NULL };

const struct vrf_link_kind vrf_link_veth_kind = {
	.name = "veth",
	.opts_size = sizeof(struct vrf_link_veth),
	.opts = veth_opts,
	.parse_opt = veth_parse_opt,
	.check = veth_check,
	.validate = veth_validate,
	.peer = veth_peer,
	.encode = veth_encode,
	.prepare = veth_prepare,
	.observe = veth_observe,
	.recreatable = veth_recreatable,
	.equal = veth_equal,
	.drift = veth_drift,
	.format = veth_format,
	.after_apply = veth_after_apply,
};
