/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness for the include expander (plugins/nft-include.c): any
 * nft text must expand or be refused; never crash, leak or hang, and every
 * line of the result must have its origin, within the file it names.  The
 * input is the top file of a folder that also holds a.nft and d/b.nft, so
 * that includes, globs and cycles are reachable.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin.h"
#include "../../plugins/nft.h"

static char dir[64], top[96];

static void put(const char *name, const char *text)
{
	char p[128];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
}

/* The fixture goes when the process does (replay runs leave no folder). */
static void cleanup(void)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/a.nft", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/d/b.nft", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/d", dir);
	rmdir(p);
	unlink(top);
	rmdir(dir);
}

static void setup(void)
{
	char d[96];

	snprintf(dir, sizeof(dir), "/tmp/vrf-fuzz-nft-%d", (int)getpid());
	snprintf(d, sizeof(d), "%s/d", dir);
	if ((mkdir(dir, 0700) < 0 && access(dir, F_OK) < 0) || (mkdir(d, 0700) < 0 &&
								   access(d, F_OK) < 0))
		abort();
	put("a.nft", "chain a {\n\tcounter\n}\n");
	put("d/b.nft", "include \"a.nft\"\ntable ip b { }");
	snprintf(top, sizeof(top), "%s/top.nft", dir);
	atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vrf_config *cfg;
	struct vnft_text t;
	int fd;

	if (!dir[0])
		setup();
	if (memchr(data, '\0', size))
		return 0;	/* refused before expansion */
	fd = open(top, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	cfg = vrf_config_new();
	cfg->quiet_errors = true;
	if (vnft_expand(cfg, top, fd, (const char *)data, size, &t) == 0) {
		size_t lines = 1;

		for (size_t i = 0; i < t.len; i++)
			lines += t.text[i] == '\n';
		if (lines != t.n_origin || strlen(t.text) != t.len)
			abort();
		for (size_t i = 0; i < t.n_origin; i++)
			if (!t.origin[i].file || !t.origin[i].line)
				abort();
		vnft_text_free(&t);
	}
	close(fd);
	vrf_config_free(cfg);
	return 0;
}
