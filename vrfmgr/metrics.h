/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Prometheus side of vrfmgr: a collector that keeps every family's
 * samples together (the text format wants each family in one block), the
 * record of the last apply, and an atomic file writer for `watch --metrics`.
 */
#ifndef VRF_METRICS_H
#define VRF_METRICS_H

#include <stdbool.h>

#include "engine.h"

struct vrf_metrics;

struct vrf_metrics *vrf_metrics_new(void);
void vrf_metrics_free(struct vrf_metrics *m);
/* The domain label of the samples added next; NULL for none. */
void vrf_metrics_domain(struct vrf_metrics *m, const char *domain);
/* Every family with HELP and TYPE, in the order first used. */
void vrf_metrics_print(const struct vrf_metrics *m, struct vrf_buf *out);
/* Label value escaped as the text format asks: \\, \" and \n. */
void vrf_metrics_escape(const char *s, struct vrf_buf *out);

/* Observe every domain of cfg without changing anything and write the
 * exposition text to out.  Returns 0, or -errno when a domain or a kind
 * could not be read (what could be read is still in out). */
int vrf_metrics_collect(const struct vrf_config *cfg, struct vrf_buf *out);

/* Record the end of an apply (state_dir/@last-apply): when it started
 * (CLOCK_REALTIME seconds), whether it succeeded, how long it took. */
int vrf_last_apply_record(const struct vrf_config *cfg, double started, double seconds, bool ok);
/* Seconds since the epoch, and a monotonic clock for durations. */
double vrf_now_real(void);
double vrf_now_mono(void);

#endif
