// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The firewall's metrics.  nft.c lists each owned table as libnftables
 * prints it with its state and handles (`nft -a list table`); this file
 * reads that text, which libnftables writes one statement a line:
 *
 *	table inet f { # handle 1
 *		counter cnt { # handle 2
 *			packets 3 bytes 252
 *		}
 *		set s { # handle 3
 *			elements = { 192.0.2.1, 192.0.2.2,
 *				     192.0.2.3 }
 *		}
 *		chain input { # handle 1
 *			icmp type echo-request counter packets 1 bytes 84 drop comment "c" # handle 6
 *
 * and the namespace's conntrack table size, which is not the firewall's
 * but is netfilter's, so it is reported by the kind that owns netfilter.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nft.h"
#include "nft-metrics.h"

#define CONNTRACK_COUNT	"/proc/sys/net/netfilter/nf_conntrack_count"

struct nft_mwalk {
	struct vrf_metrics *m;
	char family[16], table[256];
	char kind[16], block[256];	/* "" outside a block */
	bool in_elements;		/* inside a set's elements = { ... } */
	unsigned long long elements;
};

/* "WORD NAME {" with NAME ending at a space or '{'. */
static bool block_open(const char *line, const char *word, char *name, size_t len)
{
	size_t wl = strlen(word), n;

	if (strncmp(line, word, wl) || line[wl] != ' ' || !strchr(line, '{'))
		return false;
	line += wl + 1;
	n = strcspn(line, " {");
	if (!n || n >= len)
		return false;
	memcpy(name, line, n);
	name[n] = '\0';
	return true;
}

/* Elements on one line of an elements list: the commas at brace depth 1,
 * plus one for the last element when the list closes on this line. */
static void count_elements(struct nft_mwalk *w, const char *p)
{
	int depth = 1;
	bool seen = false;

	for (; *p && depth > 0; p++) {
		if (*p == '{')
			depth++;
		else if (*p == '}')
			depth--;
		else if (*p == ',' && depth == 1)
			w->elements++;
		else if (*p != ' ' && *p != '\t')
			seen = true;
	}
	if (depth == 0) {
		w->elements += seen ? 1 : 0;
		w->in_elements = false;
	}
}

static void set_done(struct nft_mwalk *w)
{
	vrf_metric(w->m, "vrfmgr_nft_set_elements", "gauge",
		   "Elements in a set or map of an owned nftables table.", (double)w->elements,
		   "family", w->family, "table", w->table, "set", w->block, NULL);
}

/* A rule line of a chain: its counter, handle and comment. */
static void rule_line(struct nft_mwalk *w, const char *line)
{
	unsigned long long packets, bytes;
	const char *h = strstr(line, " # handle "), *c;
	char handle[24], comment[256] = "";

	if (!h || !vnft_rule_counter(line, &packets, &bytes))
		return;
	snprintf(handle, sizeof(handle), "%s", h + strlen(" # handle "));
	c = strstr(line, " comment \"");
	if (c && c < h) {
		const char *s = c + strlen(" comment \""), *e = strchr(s, '"');

		if (e && e < h)
			snprintf(comment, sizeof(comment), "%.*s", (int)(e - s), s);
	}
	vrf_metric(w->m, "vrfmgr_nft_rule_packets_total", "counter",
		   "Packets counted by a rule with a counter in an owned nftables table.",
		   (double)packets, "family", w->family, "table", w->table, "chain", w->block,
		   "handle", handle, "comment", comment, NULL);
	vrf_metric(w->m, "vrfmgr_nft_rule_bytes_total", "counter",
		   "Bytes counted by a rule with a counter in an owned nftables table.",
		   (double)bytes, "family", w->family, "table", w->table, "chain", w->block,
		   "handle", handle, "comment", comment, NULL);
}

static void counter_line(struct nft_mwalk *w, const char *line)
{
	unsigned long long packets, bytes;

	if (sscanf(line, "packets %llu bytes %llu", &packets, &bytes) != 2)
		return;
	vrf_metric(w->m, "vrfmgr_nft_counter_packets_total", "counter",
		   "Packets of a named counter in an owned nftables table.", (double)packets,
		   "family", w->family, "table", w->table, "counter", w->block, NULL);
	vrf_metric(w->m, "vrfmgr_nft_counter_bytes_total", "counter",
		   "Bytes of a named counter in an owned nftables table.", (double)bytes,
		   "family", w->family, "table", w->table, "counter", w->block, NULL);
}

/* One line inside a table. */
static void table_line(struct nft_mwalk *w, const char *line)
{
	static const char *const kinds[] = { "chain", "set", "map", "counter" };

	if (w->in_elements) {
		count_elements(w, line);
		return;
	}
	if (!w->kind[0]) {
		for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
			if (block_open(line, kinds[i], w->block, sizeof(w->block))) {
				snprintf(w->kind, sizeof(w->kind), "%s", kinds[i]);
				w->elements = 0;
				return;
			}
		}
		if (line[0] == '}')
			w->table[0] = '\0';
		return;
	}
	if (line[0] == '}') {
		if (!strcmp(w->kind, "set") || !strcmp(w->kind, "map"))
			set_done(w);
		w->kind[0] = '\0';
	} else if (!strcmp(w->kind, "chain")) {
		rule_line(w, line);
	} else if (!strcmp(w->kind, "counter")) {
		counter_line(w, line);
	} else if (!strncmp(line, "elements = {", 12)) {
		w->in_elements = true;
		count_elements(w, line + 12);
	}
}

void vnft_metrics_parse(const char *text, struct vrf_metrics *m)
{
	struct nft_mwalk w = { .m = m };
	char *copy = vrf_strdup(text), *save = NULL;

	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		l += strspn(l, " \t");
		if (w.table[0]) {
			table_line(&w, l);
		} else if (sscanf(l, "table %15s %255[^ {]", w.family, w.table) != 2) {
			w.table[0] = '\0';
		}
	}
	free(copy);
}

/* nf_conntrack_count as the namespace sees it: /proc/sys/net belongs to the
 * namespace of whoever opens the file.  Absent (no sample) when conntrack
 * is not loaded. */
static int conntrack_metrics(struct vrf_ns *ns, struct vrf_metrics *m)
{
	char buf[32] = "";
	unsigned long long count;
	ssize_t n;
	int fd, r;

	r = vrf_ns_enter(ns);
	if (r < 0)
		return r;
	fd = open(CONNTRACK_COUNT, O_RDONLY | O_CLOEXEC);
	r = fd < 0 ? -errno : 0;
	vrf_ns_leave(ns);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	n = read(fd, buf, sizeof(buf) - 1);
	r = n < 0 ? -errno : 0;
	close(fd);
	if (r == 0 && sscanf(buf, "%llu", &count) == 1)
		vrf_metric(m, "vrfmgr_conntrack_entries", "gauge",
			   "Connections tracked in the domain's namespace.", (double)count, NULL);
	return r;
}

int vnft_metrics(struct vrf_run *run, struct vrf_ns *ns, const struct vrf_domain *d,
		 struct vrf_obj *const *live, size_t n, struct vrf_metrics *m)
{
	struct vrf_buf text = { 0 };
	int r;

	r = vnft_list_state(run, ns, live, n, &text);
	if (r == 0)
		vnft_metrics_parse(vrf_buf_str(&text), m);
	vrf_buf_free(&text);
	if (r == 0)
		r = conntrack_metrics(ns, m);
	return r;
}
