// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Link counters for `metrics`: one RTM_GETLINK dump of the domain's
 * namespace that, unlike the observe dump (link-nl.c), asks for the
 * statistics, read from IFLA_STATS64.  Every link in the namespace is
 * counted, lo and peers that other sections put there included: traffic
 * through them is this domain's traffic.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "link.h"
#include "nl.h"

struct link_stat {
	char name[VRF_IFNAME_MAX + 1];
	struct rtnl_link_stats64 st;
};

struct link_stats {
	struct link_stat *v;
	size_t n, cap;
};

struct attrs {
	const struct nlattr *name, *stats;
};

static int attr_cb(const struct nlattr *a, void *data)
{
	struct attrs *at = data;

	if (mnl_attr_get_type(a) == IFLA_IFNAME && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
		at->name = a;
	else if (mnl_attr_get_type(a) == IFLA_STATS64 &&
		 mnl_attr_get_payload_len(a) >= sizeof(struct rtnl_link_stats64))
		at->stats = a;
	return MNL_CB_OK;
}

static int stat_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_stats *ls = data;
	struct attrs at = { 0 };
	struct link_stat *s;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	mnl_attr_parse(nlh, sizeof(struct ifinfomsg), attr_cb, &at);
	/* A link without a name or counters (none known) has nothing to say. */
	if (!at.name || !at.stats)
		return 0;
	if (ls->n == ls->cap) {
		ls->cap = ls->cap ? ls->cap * 2 : 8;
		ls->v = realloc(ls->v, ls->cap * sizeof(*ls->v));
		if (!ls->v)
			abort();
	}
	s = &ls->v[ls->n++];
	memset(s, 0, sizeof(*s));
	strncpy(s->name, mnl_attr_get_str(at.name), VRF_IFNAME_MAX);
	/* The payload may be longer (newer kernels add fields); copy ours. */
	memcpy(&s->st, mnl_attr_get_payload(at.stats), sizeof(s->st));
	return 0;
}

static void stat_reset(void *data)
{
	((struct link_stats *)data)->n = 0;
}

static void emit(struct vrf_metrics *m, const char *family, const char *help, uint64_t v,
		 const char *link)
{
	vrf_metric(m, family, "counter", help, (double)v, "link", link, NULL);
}

int vrf_link_metrics(struct vrf_run *run, struct vrf_ns *ns, const struct vrf_domain *d,
		     struct vrf_obj *const *live, size_t n, struct vrf_metrics *m)
{
	struct vrf_nl *nl = vrf_nl_get(ns, NETLINK_ROUTE);
	struct link_stats ls = { 0 };
	struct nlmsghdr *req;
	struct ifinfomsg *ifi;
	int r;

	if (!nl)
		return -errno;
	req = vrf_nl_request(nl, RTM_GETLINK, NLM_F_DUMP);
	if (!req)
		return -ENOMEM;
	ifi = mnl_nlmsg_put_extra_header(req, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	r = vrf_nl_dump(nl, req, stat_cb, stat_reset, &ls);
	for (size_t i = 0; r == 0 && i < ls.n; i++) {
		const struct link_stat *s = &ls.v[i];

		emit(m, "vrfmgr_link_receive_bytes_total", "Bytes received on the link.",
		     s->st.rx_bytes, s->name);
		emit(m, "vrfmgr_link_transmit_bytes_total", "Bytes sent on the link.",
		     s->st.tx_bytes, s->name);
		emit(m, "vrfmgr_link_receive_packets_total", "Packets received on the link.",
		     s->st.rx_packets, s->name);
		emit(m, "vrfmgr_link_transmit_packets_total", "Packets sent on the link.",
		     s->st.tx_packets, s->name);
		emit(m, "vrfmgr_link_receive_drops_total", "Received packets dropped.",
		     s->st.rx_dropped, s->name);
		emit(m, "vrfmgr_link_transmit_drops_total", "Packets dropped before sending.",
		     s->st.tx_dropped, s->name);
	}
	free(ls.v);
	return r;
}
