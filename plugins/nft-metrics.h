/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The firewall's metrics: rule and named counters, set sizes, conntrack
 * entries.  nft.c lists the owned tables; nft-metrics.c turns the listing
 * into samples.
 */
#ifndef VRF_PLUGIN_NFT_METRICS_H
#define VRF_PLUGIN_NFT_METRICS_H

#include "plugin.h"

/* Append `list table` output (stateful, with handles) of each owned table
 * in live (the nft objects observe returned) to out (nft.c). */
int vnft_list_state(struct vrf_run *run, struct vrf_ns *ns, struct vrf_obj *const *live,
		    size_t n, struct vrf_buf *out);
/* Samples of such a listing: rule counters, named counters, set elements. */
void vnft_metrics_parse(const char *text, struct vrf_metrics *m);
/* The nft plugin's metrics slot. */
int vnft_metrics(struct vrf_run *run, struct vrf_ns *ns, const struct vrf_domain *d,
		 struct vrf_obj *const *live, size_t n, struct vrf_metrics *m);

#endif
