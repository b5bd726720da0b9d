// SPDX-License-Identifier: GPL-2.0-or-later
/* metrics: the Prometheus text exposition of every domain, read-only. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "metrics.h"

int cmd_metrics(const struct options *o, int argc, char **argv)
{
	struct vrf_config *cfg;
	struct vrf_buf out = { 0 };
	int r;

	if (argc) {
		fprintf(stderr, "vrfmgr: metrics takes no arguments\n");
		return VRF_EXIT_ERROR;
	}
	/* Observing a namespace means entering it, and the record of the
	 * last apply lives in state_dir: both are root's. */
	if (geteuid() != 0) {
		fprintf(stderr, "vrfmgr: metrics needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN)\n");
		return VRF_EXIT_ERROR;
	}
	cfg = cmd_load(o);
	if (!cfg)
		return VRF_EXIT_ERROR;
	r = vrf_metrics_collect(cfg, &out);
	fputs(vrf_buf_str(&out), stdout);
	if (fflush(stdout) != 0)
		r = -1;
	vrf_buf_free(&out);
	vrf_config_free(cfg);
	return r < 0 ? VRF_EXIT_ERROR : VRF_EXIT_OK;
}
