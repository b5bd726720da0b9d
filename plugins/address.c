// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Interface addresses: `address = ADDR/PLEN dev NAME [noprefixroute]`, the
 * words of `ip address add`.  A bare address gets the full length (/32,
 * /128), as with ip(8).  Host bits are the point of an interface address, so
 * they are allowed here.
 *
 * Identity: (device, family, address, prefix length).  The only attribute
 * is noprefixroute.  IPv6 addresses are added with IFA_F_NODAD: duplicate
 * address detection would keep a new address "tentative" for a second or
 * two, during which it cannot be a source address, and a route with `src`
 * on it (stage 40, a few milliseconds later) would be refused.  Inside a
 * routing domain the addresses come from the operator's plan, so DAD has
 * nothing to protect.
 *
 * Ownership (DESIGN.md): vrfmgr owns the addresses on the links the file
 * declares into a namespace (the names published in space "dev" for that
 * domain) and on a domain's lo.  Never its own: 127.0.0.1/8 and ::1/128 on
 * lo, IPv6 link-local addresses (fe80::/10), and IPv6 addresses the kernel
 * configured by itself (not IFA_F_PERMANENT, e.g. SLAAC) -- unless the file
 * declares exactly that address, in which case it is vrfmgr's to keep.  In
 * the host namespace, only links published into "host" are vrfmgr's; other
 * host interfaces are never read for deletion, and host lo only carries
 * what the file declares.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "model.h"
#include "nl.h"
#include "plugin.h"

#define AD_NOPREFIXROUTE	(1U << 0)

struct address {
	struct vrf_obj obj;
	struct vrf_addr a;
	uint8_t flags;			/* AD_* */
	char dev[IFNAMSIZ];
};

static const struct vrf_plugin address_plugin;

#define CADDR(o) ((const struct address *)(o))

/* Addresses the kernel makes on its own: the loopback pair on lo. */
static bool ad_is_lo_default(const struct vrf_addr *a, const char *dev)
{
	static const uint8_t v6_lo[16] = { [15] = 1 };

	if (strcmp(dev, "lo"))
		return false;
	if (a->family == AF_INET)
		return a->plen == 8 && a->bytes[0] == 127 && a->bytes[1] == 0 &&
		       a->bytes[2] == 0 && a->bytes[3] == 1;
	return a->plen == 128 && !memcmp(a->bytes, v6_lo, 16);
}

/* ---- parse ---- */

static int address_parse(struct vrf_config *cfg, struct vrf_domain *d,
			 const struct vrf_loc *loc, const char *key, const char *value)
{
	static const uint8_t zero[16];
	struct vrf_words ws = { 0 };
	struct address *ad = NULL;
	bool seen_dev = false, seen_npr = false;
	const char *why = NULL;
	size_t i;
	int err = -EINVAL;

	if (vrf_words_split(&ws, value) < 0) {
		vrf_error(cfg, loc, "address: cannot split \"%s\" into words", value);
		return -EINVAL;
	}
	ad = vrf_obj_new(&address_plugin, sizeof(*ad), loc);
	if (ws.n == 0) {
		vrf_error(cfg, loc, "address: missing address (such as 10.0.0.1/24 dev eth0)");
		goto out;
	}
	if (vrf_addr_parse(&ad->a, ws.w[0], true, false) < 0) {
		vrf_error(cfg, loc, "address: \"%s\" is not an IPv4 or IPv6 address "
			  "(such as 10.0.0.1/24)", ws.w[0]);
		goto out;
	}
	if (!memcmp(ad->a.bytes, zero, ad->a.family == AF_INET6 ? 16 : 4)) {
		vrf_error(cfg, loc, "address: %s is the unspecified address, not an "
			  "interface address", ws.w[0]);
		goto out;
	}
	for (i = 1; i < ws.n; i++) {
		const char *w = ws.w[i];

		if (!strcmp(w, "noprefixroute")) {
			if (seen_npr) {
				vrf_error(cfg, loc, "address: \"%s\" is given twice", w);
				goto out;
			}
			seen_npr = true;
			ad->flags |= AD_NOPREFIXROUTE;
		} else if (!strcmp(w, "dev")) {
			if (seen_dev) {
				vrf_error(cfg, loc, "address: \"%s\" is given twice", w);
				goto out;
			}
			if (i + 1 >= ws.n) {
				vrf_error(cfg, loc, "address: \"dev\" needs a value");
				goto out;
			}
			seen_dev = true;
			w = ws.w[++i];
			if (!vrf_ifname_valid(w, &why)) {
				vrf_error(cfg, loc, "address: dev \"%s\" is not a valid interface "
					  "name: %s", w, why);
				goto out;
			}
			snprintf(ad->dev, sizeof(ad->dev), "%s", w);
		} else {
			vrf_error(cfg, loc, "address: unknown word \"%s\"", w);
			goto out;
		}
	}
	if (!seen_dev) {
		vrf_error(cfg, loc, "address: missing \"dev NAME\" (the link that carries %s)",
			  ws.w[0]);
		goto out;
	}
	if (ad_is_lo_default(&ad->a, ad->dev)) {
		char s[64];

		vrf_addr_str(&ad->a, true, s, sizeof(s));
		vrf_error(cfg, loc, "address: %s on lo is made by the kernel; leave it out", s);
		goto out;
	}
	err = vrf_domain_add(d, &ad->obj);
	if (err == 0)
		ad = NULL;
out:
	free(ad);
	vrf_words_free(&ws);
	return err;
}

/* ---- identity, equality, text ---- */

static int address_compare(const struct vrf_obj *a, const struct vrf_obj *b)
{
	const struct address *x = CADDR(a), *y = CADDR(b);
	int c = strcmp(x->dev, y->dev);

	if (c)
		return c;
	if (x->a.family != y->a.family)
		return x->a.family < y->a.family ? -1 : 1;
	c = memcmp(x->a.bytes, y->a.bytes, x->a.family == AF_INET6 ? 16 : 4);
	if (c)
		return c;
	if (x->a.plen != y->a.plen)
		return x->a.plen < y->a.plen ? -1 : 1;
	return 0;
}

static bool address_equal(const struct vrf_obj *want, const struct vrf_obj *have)
{
	return CADDR(want)->flags == CADDR(have)->flags;
}

static void address_format(const struct vrf_obj *o, struct vrf_buf *out)
{
	const struct address *ad = CADDR(o);
	char s[64];

	vrf_addr_str(&ad->a, true, s, sizeof(s));
	vrf_buf_printf(out, "%s dev %s", s, ad->dev);
	if (ad->flags & AD_NOPREFIXROUTE)
		vrf_buf_puts(out, " noprefixroute");
}

static void address_free(struct vrf_obj *o)
{
	free(o);
}

/* ---- validate ---- */

/* Every address names a link of its own section (or lo).  Duplicates are
 * the engine's check (config.c), by address_compare(). */
static int address_validate(struct vrf_config *cfg, struct vrf_domain *d)
{
	size_t n;
	struct vrf_obj *const *v = vrf_domain_sorted(d, &address_plugin, &n);
	int err = 0;

	for (size_t i = 0; i < n; i++) {
		const struct address *ad = CADDR(v[i]);

		if (vrf_check_dev(cfg, d, &ad->obj.loc, "address", "dev", ad->dev) < 0)
			err = -EINVAL;
	}
	return err;
}

/* ---- observe ---- */

struct ad_obs {
	struct vrf_objv *out;
	const struct vrf_config *cfg;
	const char *domain;
	bool host;
	const struct address **want;	/* the file's addresses, sorted */
	size_t n_want;
	/* Devices; an entry's tag says whether vrfmgr owns the addresses on
	 * that device (1, 0, or -1: not decided yet). */
	struct vrf_ifc ifc;
};

static int ad_want_cmp(const void *a, const void *b)
{
	return address_compare(*(const struct vrf_obj *const *)a, *(const struct vrf_obj *const *)b);
}

static bool ad_wanted(const struct ad_obs *o, const struct address *ad)
{
	const struct address *key = ad;

	return o->n_want && bsearch(&key, o->want, o->n_want, sizeof(*o->want), ad_want_cmp);
}

static int ad_obs_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ad_obs *o = data;
	const struct ifaddrmsg *ifa;
	const struct nlattr *attr, *local = NULL, *address = NULL;
	struct address tmp, *ad;
	uint32_t flags;
	size_t alen;
	int k;
	bool owned;

	if (nlh->nlmsg_type != RTM_NEWADDR || mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
		return 0;
	ifa = mnl_nlmsg_get_payload(nlh);
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return 0;
	alen = ifa->ifa_family == AF_INET6 ? 16 : 4;
	flags = ifa->ifa_flags;
	mnl_attr_for_each(attr, nlh, sizeof(*ifa)) {
		switch (mnl_attr_get_type(attr)) {
		case IFA_LOCAL:
			local = attr;
			break;
		case IFA_ADDRESS:
			address = attr;
			break;
		case IFA_FLAGS:
			if (mnl_attr_get_payload_len(attr) >= 4)
				flags = mnl_attr_get_u32(attr);
			break;
		default:
			break;
		}
	}
	/* IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer
	 * on a point-to-point link, or the same address. */
	if (!local)
		local = address;
	if (!local || mnl_attr_get_payload_len(local) < alen)
		return 0;
	k = vrf_ifc_find(&o->ifc, (int)ifa->ifa_index);
	if (k < 0)
		return 0;	/* the device went away during the dump */

	memset(&tmp, 0, sizeof(tmp));
	tmp.a.family = ifa->ifa_family;
	tmp.a.plen = ifa->ifa_prefixlen;
	memcpy(tmp.a.bytes, mnl_attr_get_payload(local), alen);
	memcpy(tmp.dev, o->ifc.e[k].name, IFNAMSIZ);
	if (flags & IFA_F_NOPREFIXROUTE)
		tmp.flags |= AD_NOPREFIXROUTE;

	if (o->ifc.e[k].tag < 0) {
		bool lo = !strcmp(tmp.dev, "lo");

		o->ifc.e[k].tag = (lo && !o->host) ||
			vrf_name_find(o->cfg, o->domain, "dev", tmp.dev, NULL, NULL);
	}
	owned = o->ifc.e[k].tag > 0 && !ad_is_lo_default(&tmp.a, tmp.dev) &&
		!vrf_addr_is_link_local(&tmp.a) &&
		!(ifa->ifa_family == AF_INET6 && !(flags & IFA_F_PERMANENT));
	if (!owned && !ad_wanted(o, &tmp))
		return 0;

	ad = vrf_obj_new(&address_plugin, sizeof(*ad), NULL);
	ad->a = tmp.a;
	ad->flags = tmp.flags;
	memcpy(ad->dev, tmp.dev, IFNAMSIZ);
	vrf_objv_push(o->out, &ad->obj);
	return 0;
}

static int address_observe(struct vrf_run *run, struct vrf_ns *ns,
			   const struct vrf_domain *d, struct vrf_objv *out)
{
	struct ad_obs o = { .out = out };
	size_t i, n;
	int err;

	o.cfg = vrf_run_config(run);
	o.domain = d ? d->name : vrf_ns_name(ns);
	o.host = d ? d->is_host : !strcmp(vrf_ns_name(ns), VRF_HOST);
	vrf_ifc_init(&o.ifc, ns);
	if (d) {
		/* Only the addresses, not every object of the domain. */
		struct vrf_obj *const *v = vrf_domain_sorted(d, &address_plugin, &n);

		o.want = vrf_realloc(NULL, n + 1, sizeof(*o.want));
		for (i = 0; i < n; i++)
			o.want[o.n_want++] = CADDR(v[i]);
		qsort(o.want, o.n_want, sizeof(*o.want), ad_want_cmp);
	}
	err = vrf_nl_dump_objs(ns, RTM_GETADDR, sizeof(struct ifaddrmsg), ad_obs_cb, &o, out);
	free(o.want);
	vrf_ifc_free(&o.ifc);
	return err;
}

/* ---- apply ---- */

/* Fill an RTM_NEWADDR or RTM_DELADDR request for ad on device ifindex. */
static void address_encode(struct nlmsghdr *nlh, const struct address *ad, bool del, int ifindex)
{
	size_t alen = ad->a.family == AF_INET6 ? 16 : 4;
	struct ifaddrmsg *ifa;
	uint32_t flags = 0;

	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = ad->a.family;
	ifa->ifa_prefixlen = ad->a.plen;
	ifa->ifa_index = (uint32_t)ifindex;
	/* IFA_LOCAL and IFA_ADDRESS both, as ip(8) sends them: for IPv4 the
	 * pair (with the prefix length) selects exactly this address. */
	mnl_attr_put(nlh, IFA_LOCAL, alen, ad->a.bytes);
	mnl_attr_put(nlh, IFA_ADDRESS, alen, ad->a.bytes);
	if (del)
		return;
	/* The kernel takes an IPv4 address's scope from the request;
	 * loopback addresses are host-scoped, as ip(8) makes them. */
	if (ad->a.family == AF_INET && ad->a.bytes[0] == 127)
		ifa->ifa_scope = RT_SCOPE_HOST;
	if (ad->a.family == AF_INET6)
		flags |= IFA_F_NODAD;
	if (ad->flags & AD_NOPREFIXROUTE)
		flags |= IFA_F_NOPREFIXROUTE;
	ifa->ifa_flags = (uint8_t)flags;
	mnl_attr_put_u32(nlh, IFA_FLAGS, flags);
}

/* The engine hands the ops over as the plan lists them (deletions, changes,
 * additions), and they go to the kernel in that order, in one batch. */
static int address_apply(struct vrf_run *run, struct vrf_ns *ns,
			 const struct vrf_domain *d, struct vrf_op *ops, size_t n)
{
	struct vrf_ifc ifc;
	struct vrf_nl_batch *b;
	int first = 0, err;

	err = vrf_nl_batch_ops(ns, ops, n, &b);
	if (err < 0)
		return err;
	vrf_ifc_init(&ifc, ns);
	for (size_t i = 0; i < n; i++) {
		struct vrf_op *op = &ops[i];
		const struct address *ad = CADDR(op->kind == VRF_OP_DEL ? op->have : op->want);
		int ifindex = vrf_ifc_index(&ifc, ad->dev);
		struct nlmsghdr *nlh;

		if (ifindex < 0) {
			/* No device, no address: a deletion is done. */
			if (op->kind == VRF_OP_DEL)
				continue;
			vrf_op_fail(op, -ENODEV, "device %s does not exist in this namespace",
				    ad->dev);
			if (!first)
				first = op->err;
			continue;
		}
		/* The kernel does not change an IPv4 address's noprefixroute
		 * in place (NLM_F_REPLACE only renews lifetimes there): delete
		 * and add it, in one batch. */
		if (op->kind == VRF_OP_DEL ||
		    (op->kind == VRF_OP_CHANGE && ad->a.family == AF_INET)) {
			nlh = vrf_nl_batch_add(b, RTM_DELADDR, 0, op);
			if (!nlh)
				goto sock_fail;
			address_encode(nlh, op->kind == VRF_OP_DEL ? ad : CADDR(op->have),
				       true, ifindex);
			if (op->kind == VRF_OP_DEL)
				continue;
		}
		nlh = vrf_nl_batch_add(b, RTM_NEWADDR, NLM_F_CREATE |
				       (op->kind == VRF_OP_CHANGE && ad->a.family == AF_INET6 ?
					NLM_F_REPLACE : NLM_F_EXCL), op);
		if (!nlh)
			goto sock_fail;
		address_encode(nlh, ad, false, ifindex);
		continue;
sock_fail:
		vrf_op_fail(op, -errno, NULL);
		if (!first)
			first = op->err;
	}
	err = vrf_nl_batch_finish(b);
	vrf_ifc_free(&ifc);
	return first ? first : err;
}

static const char *const address_keys[] = { "address", NULL };

/* Traffic to a removed address stops, and the kernel flushes the routes
 * that used it as source or as their prefix route.  An IPv4 change is a
 * delete and an add (see address_apply()), with the same effect. */
static const char *address_disruptive(const struct vrf_op *op)
{
	if (op->kind == VRF_OP_DEL)
		return "address removed";
	if (op->kind == VRF_OP_CHANGE && CADDR(op->want)->a.family == AF_INET)
		return "address removed and added again";
	return NULL;
}

static const struct vrf_plugin address_plugin = {
	.abi = VRF_PLUGIN_ABI,
	.name = "address",
	.keys = address_keys,
	.stage = 30,
	.flags = VRF_PLUGIN_HOST_OK,
	.parse = address_parse,
	.validate = address_validate,
	.compare = address_compare,
	.equal = address_equal,
	.observe = address_observe,
	.apply = address_apply,
	.format = address_format,
	.format_change = vrf_format_was,
	.free = address_free,
	.disruptive = address_disruptive,
};

VRF_PLUGIN_REGISTER(address_plugin);
