/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness for the reader of `nft -a list table` output that
 * `vrfmgr metrics` uses (plugins/nft-metrics.c), and for the collector that
 * escapes what it reads into label values (vrfmgr/metrics.c).  No byte
 * string may crash, leak, hang or read out of bounds, and what comes out
 * must keep every label value quoted: no raw newline or unescaped quote.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "../../plugins/nft-metrics.h"

/* Inside a label value, a quote must follow a backslash and no newline may
 * appear; outside, lines are samples or comments. */
static void check_quoted(const char *s)
{
	bool in = false;

	for (; *s; s++) {
		if (in && *s == '\\') {
			if (!s[1] || !strchr("\\\"n", s[1]))
				abort();
			s++;
		} else if (*s == '"') {
			in = !in;
		} else if (in && *s == '\n') {
			abort();
		}
	}
	if (in)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct vrf_metrics *m = vrf_metrics_new();
	struct vrf_buf out = { 0 };

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	vrf_metrics_domain(m, "d");
	vnft_metrics_parse(text, m);
	vrf_metrics_print(m, &out);
	check_quoted(vrf_buf_str(&out));
	vrf_buf_free(&out);
	vrf_metrics_free(m);
	free(text);
	return 0;
}
