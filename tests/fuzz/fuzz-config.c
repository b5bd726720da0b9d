/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness for the config loader: every byte string must either
 * load or be refused with diagnostics; never crash, leak or hang.  The input
 * goes through a real file because the loader insists on one (StrictModes).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <unistd.h>

#include "plugin.h"

static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vrf_config *cfg;
	FILE *f;

	if (!path[0]) {
		int fd;

		snprintf(path, sizeof(path), "/tmp/vrf-fuzz-%d.ini", (int)getpid());
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0)
			abort();
		close(fd);
	}
	f = fopen(path, "w");
	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	cfg = vrf_config_new();
	cfg->quiet_errors = true;
	if (vrf_config_load_into(cfg, path) == 0) {
		/* Printing walks every object of every plugin: exercise it too. */
		struct vrf_buf a = { 0 };

		vrf_config_print(cfg, &a);
		vrf_buf_free(&a);
	}
	vrf_config_free(cfg);
	return 0;
}
