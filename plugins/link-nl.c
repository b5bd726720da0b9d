// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The link plugin's netlink, on the core's netlink layer (vrfmgr/nl.c).
 *
 * libnl-route is used for what it is good at, the link kinds' nested
 * IFLA_LINKINFO attributes, and for nothing else: dumps arrive through
 * vrf_nl_dump() on the namespace's rtnetlink socket that the core opened,
 * and each answer is handed to libnl's link parser (nl_cache_parse_and_add)
 * to become an rtnl_link in a cache; requests are built by libnl
 * (rtnl_link_build_add_request and friends) and copied into an nl.c batch.
 * So links share the socket, the sequence numbers, the batching and the
 * extended-ack reading of every other rtnetlink kind, and no libnl socket
 * exists.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>

#include <netlink/netlink.h>
#include <netlink/cache.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>

#include "link.h"
#include "nl.h"

/* ---- dumps ---- */

struct link_nsst {
	struct nl_cache *cache;	/* last link dump of this namespace */
	unsigned gen;		/* run generation the dump belongs to; 0 = none */
};

struct link_runst {
	unsigned gen;		/* bumped by every apply: older dumps are stale */
};

static unsigned run_gen(struct vrf_run *run)
{
	void **slot = vrf_run_state(run, &vrf_link_plugin);
	struct link_runst *rs = *slot;

	if (!rs) {
		rs = vrf_calloc(1, sizeof(*rs));
		rs->gen = 1;
		*slot = rs;
	}
	return rs->gen;
}

void vrf_link_cache_invalidate(struct vrf_run *run)
{
	struct link_runst *rs = *vrf_run_state(run, &vrf_link_plugin);

	if (rs)
		rs->gen++;
}

void vrf_link_ns_release(struct vrf_ns *ns, void *state)
{
	struct link_nsst *st = state;

	if (!st)
		return;
	if (st->cache)
		nl_cache_free(st->cache);
	free(st);
}

void vrf_link_run_end(struct vrf_run *run)
{
	void **slot = vrf_run_state(run, &vrf_link_plugin);

	free(*slot);
	*slot = NULL;
}

/* One RTM_NEWLINK of the dump, parsed by libnl into the cache. */
static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_msg *msg = nlmsg_convert((struct nlmsghdr *)nlh);
	int err;

	if (!msg)
		vrf_oom();	/* libnl allocates: the policy of alloc.h */
	nlmsg_set_proto(msg, NETLINK_ROUTE);
	err = nl_cache_parse_and_add(data, msg);
	nlmsg_free(msg);
	return vrf_link_errno(err);
}

static void dump_reset(void *data)
{
	nl_cache_clear(data);
}

static int dump_links(struct vrf_ns *ns, struct nl_cache *cache)
{
	struct vrf_nl *nl = vrf_nl_get(ns, NETLINK_ROUTE);
	struct nlmsghdr *req;
	struct ifinfomsg *ifi;
	int err;

	if (!nl)
		return -errno;
	req = vrf_nl_request(nl, RTM_GETLINK, NLM_F_DUMP);
	ifi = mnl_nlmsg_put_extra_header(req, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	/* Counters are never read; leaving them out keeps a dump of thousands
	 * of veth ends small. */
	mnl_attr_put_u32(req, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	nl_cache_clear(cache);
	err = vrf_nl_dump(nl, req, dump_cb, dump_reset, cache);
	if (err < 0)
		nl_cache_clear(cache);
	return err;
}

int vrf_link_cache(struct vrf_run *run, struct vrf_ns *ns, bool fresh,
		   struct nl_cache **ret)
{
	void **slot = vrf_ns_state(ns, &vrf_link_plugin);
	struct link_nsst *st = *slot;
	unsigned gen = run_gen(run);
	int err;

	if (!st) {
		st = vrf_calloc(1, sizeof(*st));
		*slot = st;
	}
	if (st->cache && !fresh && gen && st->gen == gen) {
		*ret = st->cache;
		return 0;
	}
	if (!st->cache) {
		err = vrf_link_errno(nl_cache_alloc_name("route/link", &st->cache));
		if (err < 0)
			return err;
	}
	err = dump_links(ns, st->cache);
	if (err < 0) {
		st->gen = 0;
		return err;
	}
	st->gen = gen;
	*ret = st->cache;
	return 0;
}

/* IFLA_INFO_KIND inside IFLA_LINKINFO of one RTM_NEWLINK answer. */
static int kind_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a, *info;
	char *type = data;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	mnl_attr_for_each(a, nlh, sizeof(struct ifinfomsg)) {
		if (mnl_attr_get_type(a) != IFLA_LINKINFO)
			continue;
		mnl_attr_for_each_nested(info, a) {
			if (mnl_attr_get_type(info) == IFLA_INFO_KIND &&
			    mnl_attr_validate(info, MNL_TYPE_NUL_STRING) == 0)
				snprintf(type, 16, "%s", mnl_attr_get_str(info));
		}
	}
	return 0;
}

int vrf_link_kernel_kind(struct vrf_ns *ns, const char *name, char type[16])
{
	struct vrf_nl *nl = vrf_nl_get(ns, NETLINK_ROUTE);
	struct nlmsghdr *req;
	struct ifinfomsg *ifi;

	if (!nl)
		return -errno;
	req = vrf_nl_request(nl, RTM_GETLINK, 0);
	ifi = mnl_nlmsg_put_extra_header(req, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(req, IFLA_IFNAME, name);
	mnl_attr_put_u32(req, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	type[0] = '\0';
	return vrf_nl_query(nl, req, kind_cb, type);
}

/* ---- requests ---- */

/* What a queued request needs when the kernel answers it.  nl.c's batch
 * keeps a tag per request; the tag is one of these, allocated each on its
 * own so that it stays put while the list grows. */
struct vrf_link_req {
	struct vrf_link_batch *b;
	struct vrf_op *op;
	bool ignore_nodev;	/* deleting what is already gone is success */
	const char *hint;	/* said when the kernel gives no text of its own */
};

void vrf_link_batch_init(struct vrf_link_batch *b, struct vrf_ns *ns)
{
	*b = (struct vrf_link_batch){ .ns = ns };
}

static void req_failed(void *tag, int err, const char *msg, void *data)
{
	struct vrf_link_req *r = tag;

	if (r->ignore_nodev && err == -ENODEV)
		return;
	if (msg)
		vrf_op_fail(r->op, err, "%s", msg);
	else if (r->hint)
		vrf_op_fail(r->op, err, "%s: %s", r->hint, strerror(-err));
	else
		vrf_op_fail(r->op, err, NULL);
	if (!r->b->err)
		r->b->err = err;
}

static struct vrf_link_req *req_new(struct vrf_link_batch *b, struct vrf_op *op,
				    bool ignore_nodev, const char *hint)
{
	struct vrf_link_req *r;

	if (!b->nb) {
		struct vrf_nl *nl = vrf_nl_get(b->ns, NETLINK_ROUTE);

		if (!nl)
			return NULL;	/* errno says why */
		b->nb = vrf_nl_batch_new(nl, req_failed, NULL);
	}
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 16;
		b->reqs = vrf_realloc(b->reqs, b->cap, sizeof(*b->reqs));
	}
	r = vrf_malloc(sizeof(*r));
	*r = (struct vrf_link_req){ b, op, ignore_nodev, hint };
	b->reqs[b->n++] = r;
	return r;
}

int vrf_link_batch_push(struct vrf_link_batch *b, struct nl_msg *msg, struct vrf_op *op,
			bool ignore_nodev, const char *hint)
{
	struct vrf_link_req *r = req_new(b, op, ignore_nodev, hint);
	int err = r ? 0 : -errno;

	if (r)
		err = vrf_nl_batch_copy(b->nb, nlmsg_hdr(msg), r);
	nlmsg_free(msg);
	if (err < 0 && !b->nb)
		vrf_op_fail(op, err, "cannot open a netlink socket in %s: %s",
				 vrf_ns_name(b->ns), strerror(-err));
	else if (err < 0)
		vrf_op_fail(op, err, "cannot queue the request: %s", strerror(-err));
	return err;
}

int vrf_link_batch_setlink(struct vrf_link_batch *b, struct rtnl_link *rl, int up,
			   struct vrf_op *op, const char *hint)
{
	struct nl_msg *msg = NULL;
	struct ifinfomsg *ifi;
	int err = vrf_link_errno(rtnl_link_build_add_request(rl, 0, &msg));

	rtnl_link_put(rl);
	if (err < 0) {
		vrf_op_fail(op, err, NULL);
		return err;
	}
	/* RTM_NEWLINK without NLM_F_CREATE on an existing device is `ip link
	 * set`.  libnl versions differ in how they fill ifi_change; say it
	 * exactly. */
	ifi = nlmsg_data(nlmsg_hdr(msg));
	ifi->ifi_flags = up > 0 ? IFF_UP : 0;
	ifi->ifi_change = up >= 0 ? IFF_UP : 0;
	return vrf_link_batch_push(b, msg, op, false, hint);
}

int vrf_link_batch_send(struct vrf_link_batch *b)
{
	int err = 0;

	if (b->nb) {
		/* Refusals reach req_failed(); what is returned beyond them is
		 * a failure of the exchange, reported there as well. */
		(void)vrf_nl_batch_finish(b->nb);
		err = b->err;
	}
	for (size_t i = 0; i < b->n; i++)
		free(b->reqs[i]);
	free(b->reqs);
	vrf_link_batch_init(b, b->ns);
	return err;
}

struct rtnl_link *vrf_link_named(const char *name)
{
	struct rtnl_link *rl = rtnl_link_alloc();

	if (!rl)
		vrf_oom();	/* libnl allocates: the policy of alloc.h */
	rtnl_link_set_name(rl, name);
	return rl;
}
