/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * neigh: permanent neighbour (ARP / NDP) entries, as an external plugin.
 *
 *     neigh = 10.0.0.2 lladdr 02:00:00:00:00:02 dev lan0
 *     neigh = 2001:db8::2 lladdr 02:00:00:00:00:02 dev lan0
 *
 * This file is built as build/plugins/neigh.so and loaded from plugin_dir; it
 * uses nothing but the plugin interface (vrfmgr/plugin.h) and the netlink
 * helpers that the vrfmgr binary exports (vrfmgr/nl.h), so it is also the
 * worked example of docs/plugins.md.
 *
 * Ownership works as for routes: every entry vrfmgr writes carries
 * NDA_PROTOCOL = route_protocol, and observe() reports only entries that
 * carry it.  Entries the kernel learnt, or that someone added with ip(8), are
 * never touched.  Identity is (device, address); the link-layer address is an
 * attribute, changed in place with NLM_F_REPLACE.
 */
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "nl.h"
#include "plugin.h"

#define NEIGH_MAC_LEN	6

struct neigh_obj {
	struct vrf_obj obj;
	struct vrf_addr addr;		/* full-length address, no prefix */
	char dev[IFNAMSIZ];
	uint8_t mac[NEIGH_MAC_LEN];
	uint8_t mac_len;		/* 0 for a live entry without one */
	uint16_t state;			/* live only: NUD_* */
};

/* Interfaces of a namespace: index -> name, from one RTM_GETLINK dump. */
struct neigh_ifs {
	struct {
		int index;
		char name[IFNAMSIZ];
	} *v;
	size_t n, cap;
};

static const struct vrf_plugin neigh_plugin;

/* ---- parse ---- */

static bool parse_mac(const char *s, uint8_t mac[NEIGH_MAC_LEN])
{
	if (strlen(s) != 3 * NEIGH_MAC_LEN - 1)
		return false;
	for (int i = 0; i < NEIGH_MAC_LEN; i++) {
		const char *p = s + 3 * i;
		char hex[3] = { p[0], p[1], 0 };

		if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]) ||
		    (i < NEIGH_MAC_LEN - 1 && p[2] != ':'))
			return false;
		mac[i] = (uint8_t)strtoul(hex, NULL, 16);
	}
	return true;
}

static int neigh_parse(struct vrf_config *cfg, struct vrf_domain *d, const struct vrf_loc *loc,
		       const char *key, const char *value)
{
	struct vrf_words ws = { 0 };
	struct neigh_obj *o = NULL;
	const struct vrf_loc *first;
	struct vrf_buf id = { 0 };
	const char *why;
	int r = -EINVAL;

	if (vrf_words_split(&ws, value) < 0 || ws.n == 0) {
		vrf_error(cfg, loc, "neigh needs ADDR lladdr MAC dev NAME");
		goto out;
	}
	o = vrf_obj_new(&neigh_plugin, sizeof(*o), loc);
	if (vrf_addr_parse(&o->addr, ws.w[0], false, false) < 0) {
		vrf_error(cfg, loc, "neigh \"%s\" is not an IPv4 or IPv6 address", ws.w[0]);
		goto out;
	}
	for (size_t i = 1; i < ws.n; i += 2) {
		const char *opt = ws.w[i], *arg = i + 1 < ws.n ? ws.w[i + 1] : NULL;

		if (!arg) {
			vrf_error(cfg, loc, "neigh: \"%s\" needs a value", opt);
			goto out;
		}
		if (!strcmp(opt, "lladdr")) {
			if (o->mac_len) {
				vrf_error(cfg, loc, "neigh: lladdr given twice");
				goto out;
			}
			if (!parse_mac(arg, o->mac)) {
				vrf_error(cfg, loc, "neigh: lladdr \"%s\" is not a MAC address (aa:bb:cc:dd:ee:ff)",
					  arg);
				goto out;
			}
			o->mac_len = NEIGH_MAC_LEN;
		} else if (!strcmp(opt, "dev")) {
			if (o->dev[0]) {
				vrf_error(cfg, loc, "neigh: dev given twice");
				goto out;
			}
			if (!vrf_ifname_valid(arg, &why)) {
				vrf_error(cfg, loc, "neigh: invalid interface name \"%s\": %s", arg, why);
				goto out;
			}
			snprintf(o->dev, sizeof(o->dev), "%s", arg);
		} else {
			vrf_error(cfg, loc, "neigh: unknown option \"%s\" (lladdr MAC, dev NAME)", opt);
			goto out;
		}
	}
	if (!o->mac_len || !o->dev[0]) {
		vrf_error(cfg, loc, "neigh %s: needs both lladdr MAC and dev NAME", ws.w[0]);
		goto out;
	}
	/* One entry per (device, address) and domain. */
	vrf_buf_printf(&id, "%s ", o->dev);
	vrf_addr_format(&o->addr, false, &id);
	if (vrf_name_find(cfg, d->name, "neigh", vrf_buf_str(&id), NULL, &first)) {
		vrf_error(cfg, loc, "neigh %s dev %s is listed twice (first at %s:%u)", ws.w[0],
			  o->dev, first->file, first->line);
		goto out;
	}
	r = vrf_domain_add(d, &o->obj);
	if (r < 0)
		goto out;
	r = vrf_name_add(cfg, d->name, "neigh", vrf_buf_str(&id), loc, o);
	o = NULL;
out:
	free(o);
	vrf_buf_free(&id);
	vrf_words_free(&ws);
	return r;
}

/* The device must be one the file puts into this namespace. */
static int neigh_validate(struct vrf_config *cfg, struct vrf_domain *d)
{
	size_t n;
	struct vrf_obj *const *v = vrf_domain_sorted(d, &neigh_plugin, &n);
	int r = 0;

	for (size_t i = 0; i < n; i++) {
		const struct neigh_obj *o = (const struct neigh_obj *)v[i];

		if (!vrf_name_find(cfg, d->name, "dev", o->dev, NULL, NULL)) {
			vrf_error(cfg, &o->obj.loc, "neigh: dev %s is not a link of %s%s", o->dev,
				  d->is_host ? "[host]" : "domain ", d->is_host ? "" : d->name);
			r = -EINVAL;
		}
	}
	return r;
}

/* ---- identity, equality, text ---- */

static int neigh_compare(const struct vrf_obj *a, const struct vrf_obj *b)
{
	const struct neigh_obj *x = (const struct neigh_obj *)a, *y = (const struct neigh_obj *)b;
	int r = strcmp(x->dev, y->dev);

	return r ? r : vrf_addr_cmp(&x->addr, &y->addr);
}

static bool neigh_equal(const struct vrf_obj *want, const struct vrf_obj *have)
{
	const struct neigh_obj *w = (const struct neigh_obj *)want;
	const struct neigh_obj *h = (const struct neigh_obj *)have;

	/* An entry of ours that is not permanent any more (someone changed
	 * it with ip neigh change) is drift as well. */
	return w->mac_len == h->mac_len && !memcmp(w->mac, h->mac, w->mac_len) &&
	       (h->state & NUD_PERMANENT);
}

static void fmt_mac(const struct neigh_obj *o, struct vrf_buf *out)
{
	if (!o->mac_len) {
		vrf_buf_puts(out, "(none)");
		return;
	}
	for (int i = 0; i < o->mac_len; i++)
		vrf_buf_printf(out, "%s%02x", i ? ":" : "", o->mac[i]);
}

static void neigh_format(const struct vrf_obj *obj, struct vrf_buf *out)
{
	const struct neigh_obj *o = (const struct neigh_obj *)obj;

	vrf_addr_format(&o->addr, false, out);
	vrf_buf_puts(out, " lladdr ");
	fmt_mac(o, out);
	vrf_buf_printf(out, " dev %s", o->dev);
}

static void neigh_format_change(const struct vrf_obj *want, const struct vrf_obj *have,
				struct vrf_buf *out)
{
	const struct neigh_obj *w = (const struct neigh_obj *)want;
	const struct neigh_obj *h = (const struct neigh_obj *)have;

	vrf_addr_format(&w->addr, false, out);
	vrf_buf_puts(out, " lladdr ");
	fmt_mac(h, out);
	if (!(h->state & NUD_PERMANENT))
		vrf_buf_puts(out, " (not permanent)");
	vrf_buf_puts(out, " -> ");
	fmt_mac(w, out);
	vrf_buf_printf(out, " dev %s", w->dev);
}

static void neigh_free(struct vrf_obj *o)
{
	free(o);
}

/* ---- interfaces ---- */

static int ifmap_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct neigh_ifs *m = data;
	const struct nlattr *a;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	mnl_attr_for_each(a, nlh, sizeof(*ifi)) {
		if (mnl_attr_get_type(a) != IFLA_IFNAME ||
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
			continue;
		if (m->n == m->cap) {
			m->cap = m->cap ? m->cap * 2 : 16;
			m->v = vrf_realloc(m->v, m->cap, sizeof(*m->v));
		}
		m->v[m->n].index = ifi->ifi_index;
		snprintf(m->v[m->n].name, IFNAMSIZ, "%s", mnl_attr_get_str(a));
		m->n++;
	}
	return 0;
}

static void ifmap_reset(void *data)
{
	((struct neigh_ifs *)data)->n = 0;
}

static int ifmap_load(struct vrf_nl *nl, struct neigh_ifs *m)
{
	struct nlmsghdr *req = vrf_nl_request(nl, RTM_GETLINK, 0);
	struct ifinfomsg *ifi;

	ifi = mnl_nlmsg_put_extra_header(req, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	/* Names and indexes are all we need: skip the statistics. */
	mnl_attr_put_u32(req, IFLA_EXT_MASK, 0);
	return vrf_nl_dump(nl, req, ifmap_cb, ifmap_reset, m);
}

static const char *ifmap_name(const struct neigh_ifs *m, int index)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].index == index)
			return m->v[i].name;
	return NULL;
}

static int ifmap_index(const struct neigh_ifs *m, const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->v[i].name, name))
			return m->v[i].index;
	return 0;
}

/* ---- observe ---- */

struct observe_ctx {
	const struct neigh_ifs *ifs;
	unsigned proto;
	struct vrf_objv *out;
	size_t start;		/* out->n before the dump, for a restart */
};

static int neigh_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	struct observe_ctx *c = data;
	const struct nlattr *a, *dst = NULL, *ll = NULL;
	struct neigh_obj *o;
	const char *dev;
	int proto = -1;

	if (nlh->nlmsg_type != RTM_NEWNEIGH)
		return 0;
	/* A dump of every family also brings bridge FDB entries. */
	if (ndm->ndm_family != AF_INET && ndm->ndm_family != AF_INET6)
		return 0;
	mnl_attr_for_each(a, nlh, sizeof(*ndm)) {
		switch (mnl_attr_get_type(a)) {
		case NDA_DST:
			dst = a;
			break;
		case NDA_LLADDR:
			ll = a;
			break;
		case NDA_PROTOCOL:
			if (mnl_attr_validate(a, MNL_TYPE_U8) == 0)
				proto = mnl_attr_get_u8(a);
			break;
		}
	}
	/* Ownership: only entries stamped with our protocol. */
	if (proto != (int)c->proto || !dst)
		return 0;
	dev = ifmap_name(c->ifs, ndm->ndm_ifindex);
	if (!dev)
		return -EAGAIN;	/* a device newer than our map: read both again */
	o = vrf_obj_new(&neigh_plugin, sizeof(*o), NULL);
	o->addr.family = ndm->ndm_family;
	o->addr.plen = ndm->ndm_family == AF_INET ? 32 : 128;
	if (mnl_attr_get_payload_len(dst) != vrf_addr_len(&o->addr)) {
		free(o);
		return 0;
	}
	memcpy(o->addr.bytes, mnl_attr_get_payload(dst), vrf_addr_len(&o->addr));
	if (ll && mnl_attr_get_payload_len(ll) == NEIGH_MAC_LEN) {
		memcpy(o->mac, mnl_attr_get_payload(ll), NEIGH_MAC_LEN);
		o->mac_len = NEIGH_MAC_LEN;
	}
	snprintf(o->dev, sizeof(o->dev), "%s", dev);
	o->state = ndm->ndm_state;
	vrf_objv_push(c->out, &o->obj);
	return 0;
}

static void neigh_reset(void *data)
{
	struct observe_ctx *c = data;

	while (c->out->n > c->start)
		vrf_obj_free(c->out->v[--c->out->n]);
}

static int neigh_observe(struct vrf_run *run, struct vrf_ns *ns, const struct vrf_domain *d,
			 struct vrf_objv *out)
{
	struct vrf_nl *nl = vrf_nl_get(ns, NETLINK_ROUTE);
	struct neigh_ifs ifs = { 0 };
	struct observe_ctx c = {
		.ifs = &ifs,
		.proto = vrf_run_config(run)->route_protocol,
		.out = out,
		.start = out->n,
	};
	int r = -EAGAIN;

	if (!nl)
		return -errno;
	/* A device created between the two dumps would leave an entry without
	 * a name; read both again rather than guess. */
	for (int tries = 0; tries < 5 && r == -EAGAIN; tries++) {
		struct nlmsghdr *req;
		struct ndmsg *ndm;

		neigh_reset(&c);
		ifmap_reset(&ifs);
		r = ifmap_load(nl, &ifs);
		if (r < 0)
			break;
		req = vrf_nl_request(nl, RTM_GETNEIGH, 0);
		ndm = mnl_nlmsg_put_extra_header(req, sizeof(*ndm));
		ndm->ndm_family = AF_UNSPEC;
		r = vrf_nl_dump(nl, req, neigh_cb, neigh_reset, &c);
	}
	if (r < 0)
		neigh_reset(&c);
	free(ifs.v);
	return r;
}

/* ---- apply ---- */

static void on_error(void *tag, int err, const char *msg, void *data)
{
	vrf_op_fail(tag, err, msg ? "%s" : NULL, msg);
}

static int neigh_apply(struct vrf_run *run, struct vrf_ns *ns, const struct vrf_domain *d,
		       struct vrf_op *ops, size_t n)
{
	struct vrf_nl *nl = vrf_nl_get(ns, NETLINK_ROUTE);
	unsigned proto = vrf_run_config(run)->route_protocol;
	struct vrf_nl_batch *b = NULL;
	struct neigh_ifs ifs = { 0 };
	int r, first = 0;

	if (!nl)
		return -errno;
	/* Devices are looked up now: the link plugin ran in an earlier stage
	 * of this apply and may have just created them. */
	r = ifmap_load(nl, &ifs);
	if (r < 0)
		goto fail_all;
	b = vrf_nl_batch_new(nl, on_error, NULL);
	for (size_t i = 0; i < n; i++) {
		struct vrf_op *op = &ops[i];
		const struct neigh_obj *o =
			(const struct neigh_obj *)(op->kind == VRF_OP_DEL ? op->have : op->want);
		int ifindex = ifmap_index(&ifs, o->dev);
		struct nlmsghdr *nlh;
		struct ndmsg *ndm;

		if (!ifindex) {
			vrf_op_fail(op, -ENODEV, "no device %s in %s", o->dev, vrf_ns_name(ns));
			continue;
		}
		if (op->kind == VRF_OP_DEL)
			nlh = vrf_nl_batch_add(b, RTM_DELNEIGH, 0, op);
		else
			nlh = vrf_nl_batch_add(b, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, op);
		if (!nlh) {
			r = -errno;
			goto fail_all;
		}
		ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
		ndm->ndm_family = o->addr.family;
		ndm->ndm_ifindex = ifindex;
		mnl_attr_put(nlh, NDA_DST, vrf_addr_len(&o->addr), o->addr.bytes);
		if (op->kind != VRF_OP_DEL) {
			ndm->ndm_state = NUD_PERMANENT;
			ndm->ndm_type = RTN_UNICAST;
			mnl_attr_put(nlh, NDA_LLADDR, o->mac_len, o->mac);
			mnl_attr_put_u8(nlh, NDA_PROTOCOL, (uint8_t)proto);
		}
	}
	r = vrf_nl_batch_finish(b);
	b = NULL;
	free(ifs.v);
	for (size_t i = 0; i < n; i++)
		if (ops[i].err && !first)
			first = ops[i].err;
	return first ? first : r;

fail_all:
	if (b)
		vrf_nl_batch_finish(b);
	free(ifs.v);
	for (size_t i = 0; i < n; i++)
		vrf_op_fail(&ops[i], r, NULL);
	return r;
}

/* A removed static entry leaves the neighbour to ARP or neighbour
 * discovery, which a peer configured for static entries may not answer. */
static const char *neigh_disruptive(const struct vrf_op *op)
{
	return op->kind == VRF_OP_DEL ? "static neighbour entry removed" : NULL;
}

static const char *const neigh_keys[] = { "neigh", NULL };

static const struct vrf_plugin neigh_plugin = {
	.abi = VRF_PLUGIN_ABI,
	.name = "neigh",
	.keys = neigh_keys,
	/* After links: the device must exist.  Nothing else depends on a
	 * neighbour entry, so deletions (high stages first) come early. */
	.stage = 45,
	.flags = VRF_PLUGIN_HOST_OK,
	.parse = neigh_parse,
	.validate = neigh_validate,
	.compare = neigh_compare,
	.equal = neigh_equal,
	.observe = neigh_observe,
	.apply = neigh_apply,
	.format = neigh_format,
	.format_change = neigh_format_change,
	.free = neigh_free,
	.disruptive = neigh_disruptive,
};

/* The entry point vrfmgr looks up with dlsym(VRF_PLUGIN_SYMBOL). */
const struct vrf_plugin *vrf_plugin_entry(void);

const struct vrf_plugin *vrf_plugin_entry(void)
{
	return &neigh_plugin;
}
