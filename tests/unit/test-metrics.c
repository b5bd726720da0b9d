/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The metrics collector (vrfmgr/metrics.c) and the firewall listing reader
 * (plugins/nft-metrics.c), without a kernel: label values escaped as the
 * text format asks, a family's samples kept together under one HELP and
 * TYPE even when they arrive mixed, and `nft -a list table` output turned
 * into rule counters (with and without comment), named counters and set
 * sizes (elements over several lines, maps, empty sets).
 */
#include <stdio.h>
#include <string.h>

#include "metrics.h"
#include "../../plugins/nft-metrics.h"

static int fails, n;

static void kt_result(bool ok, const char *name, const char *why, const char *out)
{
	n++;
	if (ok) {
		printf("ok %d - %s\n", n, name);
		return;
	}
	fails++;
	printf("FAIL %d - %s: %s\n%s\n", n, name, why, out);
}

static void expect(const char *name, const char *got, const char *want)
{
	kt_result(!strcmp(got, want), name, "output differs; wanted:", want);
	if (strcmp(got, want))
		printf("    got:\n%s", got);
}

static void test_escape(void)
{
	struct vrf_buf b = { 0 };

	vrf_metrics_escape("a\\b\"c\nd", &b);
	expect("backslash, quote and newline escaped", vrf_buf_str(&b), "a\\\\b\\\"c\\nd");
	vrf_buf_free(&b);
}

static void test_grouping(void)
{
	struct vrf_metrics *m = vrf_metrics_new();
	struct vrf_buf b = { 0 };

	vrf_metrics_domain(m, "a");
	vrf_metric(m, "x_total", "counter", "X \\ help\nmore", 1, "k", "v", NULL);
	vrf_metric(m, "y", "gauge", "Y.", 2.5, NULL);
	vrf_metrics_domain(m, "b");
	vrf_metric(m, "x_total", "counter", "X \\ help\nmore", 18446744073709551615.0, "k", "",
		   NULL);
	vrf_metrics_domain(m, NULL);
	vrf_metric(m, "z", "gauge", "Z.", 0, NULL);
	vrf_metrics_print(m, &b);
	expect("families kept together, domain label first", vrf_buf_str(&b),
	       "# HELP x_total X \\\\ help\\nmore\n# TYPE x_total counter\n"
	       "x_total{domain=\"a\",k=\"v\"} 1\n"
	       "x_total{domain=\"b\",k=\"\"} 1.8446744073709552e+19\n"
	       "# HELP y Y.\n# TYPE y gauge\ny{domain=\"a\"} 2.5\n"
	       "# HELP z Z.\n# TYPE z gauge\nz 0\n");
	vrf_buf_free(&b);
	vrf_metrics_free(m);
}

static const char listing[] =
	"table inet f { # handle 1\n"
	"\tcounter cnt { # handle 2\n"
	"\t\tcomment \"x\"\n"
	"\t\tpackets 3 bytes 252\n"
	"\t}\n"
	"\n"
	"\tset s { # handle 3\n"
	"\t\ttype ipv4_addr\n"
	"\t\telements = { 192.0.2.1, 192.0.2.2,\n"
	"\t\t\t     192.0.2.3 }\n"
	"\t}\n"
	"\n"
	"\tset e { # handle 4\n"
	"\t\ttype ipv4_addr\n"
	"\t}\n"
	"\n"
	"\tmap m { # handle 5\n"
	"\t\ttype ipv4_addr : verdict\n"
	"\t\telements = { 192.0.2.1 : accept, 192.0.2.9 : drop }\n"
	"\t}\n"
	"\n"
	"\tchain input { # handle 1\n"
	"\t\ttype filter hook input priority filter; policy accept;\n"
	"\t\ticmp type echo-request counter packets 7 bytes 588 drop comment \"no # ping\" # handle 6\n"
	"\t\tip saddr @s counter name \"cnt\" accept # handle 7\n"
	"\t\tcounter packets 0 bytes 0 # handle 8\n"
	"\t\ttcp dport 22 accept # handle 9\n"
	"\t}\n"
	"}\n"
	"table ip nat { # handle 2\n"
	"\tchain post { # handle 1\n"
	"\t\tcounter packets 1 bytes 2 masquerade # handle 3\n"
	"\t}\n"
	"}\n";

static void test_nft_listing(void)
{
	struct vrf_metrics *m = vrf_metrics_new();
	struct vrf_buf b = { 0 };

	vnft_metrics_parse(listing, m);
	vrf_metrics_print(m, &b);
	kt_result(strstr(vrf_buf_str(&b), "vrfmgr_nft_counter_packets_total{family=\"inet\","
		  "table=\"f\",counter=\"cnt\"} 3\n") != NULL, "named counter", "missing",
		  vrf_buf_str(&b));
	kt_result(strstr(vrf_buf_str(&b), "vrfmgr_nft_set_elements{family=\"inet\",table=\"f\","
		  "set=\"s\"} 3\nvrfmgr_nft_set_elements{family=\"inet\",table=\"f\",set=\"e\"} 0\n"
		  "vrfmgr_nft_set_elements{family=\"inet\",table=\"f\",set=\"m\"} 2\n") != NULL,
		  "set sizes: over two lines, empty, a map", "missing", vrf_buf_str(&b));
	kt_result(strstr(vrf_buf_str(&b), "vrfmgr_nft_rule_packets_total{family=\"inet\","
		  "table=\"f\",chain=\"input\",handle=\"6\",comment=\"no # ping\"} 7\n") != NULL,
		  "rule counter with a comment holding '#'", "missing", vrf_buf_str(&b));
	kt_result(strstr(vrf_buf_str(&b), "vrfmgr_nft_rule_bytes_total{family=\"inet\","
		  "table=\"f\",chain=\"input\",handle=\"8\",comment=\"\"} 0\n") != NULL,
		  "rule counter without a comment", "missing", vrf_buf_str(&b));
	kt_result(strstr(vrf_buf_str(&b), "handle=\"7\"") == NULL &&
		  strstr(vrf_buf_str(&b), "handle=\"9\"") == NULL,
		  "rules without their own counter give no sample", "found", vrf_buf_str(&b));
	kt_result(strstr(vrf_buf_str(&b), "vrfmgr_nft_rule_packets_total{family=\"ip\","
		  "table=\"nat\",chain=\"post\",handle=\"3\",comment=\"\"} 1\n") != NULL,
		  "a second table", "missing", vrf_buf_str(&b));
	vrf_buf_free(&b);
	vrf_metrics_free(m);
}

int main(void)
{
	test_escape();
	test_grouping();
	test_nft_listing();
	printf("%d tests, %d failed\n", n, fails);
	return fails ? 1 : 0;
}
