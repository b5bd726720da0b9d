/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The nft plugin's text side (plugins/nft-text.c): which tables a file
 * declares, libnftables' errors turned into FILE:LINE:COL, listings read,
 * normalized and diffed.  Then the nft_file key through the real loader:
 * refusals name FILE:LINE:COL of the nft file.  No kernel is needed; as root
 * the loader also checks the file in a scratch network namespace, as a user
 * it parses only, and both must give the same syntax error (run as root,
 * the user's side is tried in a child that gave up root).  All files of a
 * config are checked together: each keeps its own errors and defines.
 */
#include <errno.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "keytest.h"
#include "../../plugins/nft.h"

#define G "[global]\nnetns_dir = /run/netns\n"

/* ---- table extraction ---- */

struct diags {
	struct vrf_buf b;
};

static void diag_cb(void *data, unsigned line, unsigned col, const char *msg)
{
	struct diags *d = data;

	vrf_buf_printf(&d->b, "%u:%u: %s\n", line, col, msg);
}

/* Scan text; the declared tables as "family name@line:col;..." and the
 * diagnostics. */
static int scan(const char *text, char **ret_tables, char **ret_diags)
{
	struct vnft_decls decls;
	struct diags d = { { 0 } };
	struct vrf_buf t = { 0 };
	int r = vnft_scan_tables(text, strlen(text), &decls, diag_cb, &d);

	for (size_t i = 0; i < decls.n; i++)
		vrf_buf_printf(&t, "%s %s@%u:%u;", decls.v[i].family, decls.v[i].name,
			       decls.v[i].line, decls.v[i].col);
	*ret_tables = strdup(vrf_buf_str(&t));
	*ret_diags = strdup(vrf_buf_str(&d.b));
	vnft_decls_free(&decls);
	vrf_buf_free(&t);
	vrf_buf_free(&d.b);
	return r;
}

static const struct {
	const char *name, *text, *tables;
} scan_ok[] = {
	{ "one table block", "table inet filter {\n\tchain input { }\n}\n", "inet filter@1:1;" },
	{ "family defaults to ip", "table nat {\n}\n", "ip nat@1:1;" },
	{ "add and create table", "add table ip6 a\ncreate table bridge b\n",
	  "ip6 a@1:1;bridge b@2:1;" },
	{ "declared twice counts once", "table inet f { }\ntable inet f { chain c { } }\n",
	  "inet f@1:1;" },
	{ "one line, semicolons", "add table arp a; add chain arp a c; table netdev n { }",
	  "arp a@1:1;netdev n@1:37;" },
	{ "comments and strings do not declare",
	  "# table ip fake {\ntable inet real { # } {\n\tchain c { comment \"table ip x }\" }\n}\n",
	  "inet real@2:1;" },
	{ "nested blocks are not top level",
	  "table inet t {\n\tchain c {\n\t\tip saddr { 1.2.3.4 } accept\n\t}\n}\ntable ip u { }\n",
	  "inet t@1:1;ip u@6:1;" },
	{ "commands on declared tables", "table inet t { }\nadd chain inet t c\nadd rule inet t c accept\n"
	  "flush table inet t\ndelete chain inet t c\nadd element inet t s { 1 }\n"
	  "add ct helper inet t h { type \"ftp\" protocol tcp; }\nreset counters table inet t\n",
	  "inet t@1:1;" },
	{ "reference before the declaration", "add chain ip t c\ntable ip t { }\n", "ip t@2:1;" },
	{ "define and include pass", "define X = 1\ninclude \"defs.nft\"\ntable ip t { }\n",
	  "ip t@3:1;" },
	{ "line continuation", "table \\\n  inet t { }\n", "inet t@1:1;" },
};

static const struct {
	const char *name, *text, *diag;
} scan_bad[] = {
	{ "flush ruleset", "flush ruleset\ntable inet t { }\n",
	  "1:1: \"flush ruleset\" would act on every table of the domain, also on tables "
	  "vrfmgr does not own; vrfmgr replaces the tables this file declares by itself" },
	{ "rule in a foreign table", "table inet t { }\n  add rule ip other input drop\n",
	  "2:3: \"add\" acts on table ip other, which this file does not declare; vrfmgr "
	  "touches only the tables declared here" },
	{ "delete a foreign table", "table inet t { }\ndelete table inet other\n",
	  "2:1: \"delete\" acts on table inet other, which this file does not declare; vrfmgr "
	  "touches only the tables declared here" },
	{ "reset counters everywhere", "table inet t { }\nreset counters\n",
	  "2:1: \"reset counters\" without \"table FAMILY NAME\" would act on every table of "
	  "the domain, also on tables vrfmgr does not own" },
	{ "variable table name", "define T = x\ntable inet $T { }\n",
	  "2:12: table name $T is a variable; vrfmgr needs the literal name of every table to "
	  "know which tables it owns" },
	{ "list in a file", "table inet t { }\nlist ruleset\n",
	  "2:1: \"list\" does not belong in a firewall file: vrfmgr loads declarations of tables" },
	{ "no table at all", "# nothing\n",
	  "0:0: declares no table; vrfmgr owns exactly the tables that the file declares "
	  "(\"table inet filter { ... }\")" },
};

static void test_scan(void)
{
	for (size_t i = 0; i < sizeof(scan_ok) / sizeof(*scan_ok); i++) {
		char *t, *d, why[512];
		int r = scan(scan_ok[i].text, &t, &d);

		snprintf(why, sizeof(why), "tables \"%s\", wanted \"%s\"", t, scan_ok[i].tables);
		kt_result(r == 0 && !strcmp(t, scan_ok[i].tables) && !*d, scan_ok[i].name, why, d);
		free(t);
		free(d);
	}
	for (size_t i = 0; i < sizeof(scan_bad) / sizeof(*scan_bad); i++) {
		char *t, *d, why[1024];
		int r = scan(scan_bad[i].text, &t, &d);

		snprintf(why, sizeof(why), "wanted the line: %s", scan_bad[i].diag);
		kt_result(r == -EINVAL && kt_has_line(d, scan_bad[i].diag), scan_bad[i].name, why, d);
		free(t);
		free(d);
	}
}

/* ---- error translation ---- */

static void test_errors(void)
{
	struct vnft_errs e;
	const char *included =
		"In file included from <cmdline>:3:1-26:\n"
		"/proc/self/fd/4:4:28-28: Error: syntax error, unexpected newline\n"
		" tcp dport 22 counter acept\n"
		"                           ^\n";
	const char *several =
		"/proc/self/fd/7:5:12-21: Error: Could not resolve hostname: Name or service not known\n"
		"\t\tip saddr 10.0.0.300 drop\n"
		"\t\t         ^^^^^^^^^^\n"
		"/etc/defs.nft:2:1-3:4: Error: oops\n"
		"netlink: Error: cache initialization failed: Operation not permitted\n"
		"/proc/self/fd/7:9:1-5: Warning: deprecated\n"
		"meter m { ip saddr }\n"
		"^^^^^\n"
		"something else entirely\n";

	vnft_errs_parse(included, "/proc/self/fd/4", &e);
	kt_result(e.n == 1 && e.v[0].in_file && e.v[0].line == 4 && e.v[0].col == 28 &&
		  !e.v[0].warning && !strcmp(e.v[0].msg, "syntax error, unexpected newline") &&
		  e.v[0].src && !strcmp(e.v[0].src, " tcp dport 22 counter acept") &&
		  e.v[0].caret && strchr(e.v[0].caret, '^'),
		  "error in the included memfd: line, column, text, caret", "parsed wrongly", included);
	vnft_errs_free(&e);

	vnft_errs_parse(several, "/proc/self/fd/7", &e);
	kt_result(e.n == 5, "five diagnostics", "wrong count", several);
	if (e.n == 5) {
		kt_result(e.v[0].in_file && e.v[0].line == 5 && e.v[0].col == 12 &&
			  !strcmp(e.v[0].msg, "Could not resolve hostname: Name or service not known"),
			  "evaluation error located", "parsed wrongly", several);
		kt_result(!e.v[1].in_file && e.v[1].line == 2 && e.v[1].col == 1 &&
			  !strcmp(e.v[1].file, "/etc/defs.nft") && !strcmp(e.v[1].msg, "oops"),
			  "error in another file keeps its name (multi-line location)",
			  "parsed wrongly", several);
		kt_result(!e.v[2].in_file && e.v[2].line == 0 &&
			  !strcmp(e.v[2].msg, "cache initialization failed: Operation not permitted"),
			  "netlink error without location", "parsed wrongly", several);
		kt_result(e.v[3].warning && e.v[3].line == 9, "warning", "parsed wrongly", several);
		kt_result(!strcmp(e.v[4].msg, "something else entirely"), "unknown text kept",
			  "parsed wrongly", several);
	}
	vnft_errs_free(&e);
}

/* ---- listings ---- */

static const char *listing_a =
	"table inet filter {\n"
	"\tcomment \"edge\"\n"
	"\tset allowed {\n"
	"\t\ttype inet_service\n"
	"\t\telements = { 22, 80,\n"
	"\t\t\t     443 }\n"
	"\t}\n"
	"\n"
	"\tset seen {\n"
	"\t\ttype ipv4_addr\n"
	"\t\tsize 65535\n"
	"\t\tflags dynamic,timeout\n"
	"\t\ttimeout 1m\n"
	"\t\telements = { 10.0.0.1 expires 59s, 10.0.0.2 expires 12s }\n"
	"\t}\n"
	"\n"
	"\tchain input {\n"
	"\t\ttype filter hook input priority filter; policy drop;\n"
	"\t\tct state established,related accept\n"
	"\t\ttcp dport @allowed counter packets 12 bytes 720 accept\n"
	"\t\tip saddr { 10.1.0.0/16, 10.0.0.0/16 } drop comment \"a { b\"\n"
	"\t}\n"
	"\n"
	"\tct helper ftp {\n"
	"\t\ttype \"ftp\" protocol tcp\n"
	"\t\tl3proto inet\n"
	"\t}\n"
	"}\n"
	"table ip nat { # progname nft\n"
	"\tflags owner\n"
	"\tchain post { # handle 2\n"
	"\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
	"\t\tmasquerade\n"
	"\t}\n"
	"}\n";

/* The same filter table as the kernel might list it another time: blocks in
 * another order, elements in another order and wrapped differently, the
 * dynamic set with other elements. */
static const char *listing_b =
	"table inet filter {\n"
	"\tcomment \"edge\"\n"
	"\tct helper ftp {\n"
	"\t\ttype \"ftp\" protocol tcp\n"
	"\t\tl3proto inet\n"
	"\t}\n"
	"\tset seen {\n"
	"\t\ttype ipv4_addr\n"
	"\t\tsize 65535\n"
	"\t\tflags dynamic,timeout\n"
	"\t\ttimeout 1m\n"
	"\t}\n"
	"\tset allowed {\n"
	"\t\ttype inet_service\n"
	"\t\telements = { 443, 22,\n"
	"\t\t\t     80 }\n"
	"\t}\n"
	"\tchain input {\n"
	"\t\ttype filter hook input priority filter; policy drop;\n"
	"\t\tct state established,related accept\n"
	"\t\ttcp dport @allowed counter packets 12 bytes 720 accept\n"
	"\t\tip saddr { 10.0.0.0/16, 10.1.0.0/16 } drop comment \"a { b\"\n"
	"\t}\n"
	"}\n";

/* Drifted: policy accept, a rule gone, one added, an element more, a chain. */
static const char *listing_c =
	"table inet filter {\n"
	"\tcomment \"edge\"\n"
	"\tset allowed {\n"
	"\t\ttype inet_service\n"
	"\t\telements = { 22, 80, 443, 8080 }\n"
	"\t}\n"
	"\tset seen {\n"
	"\t\ttype ipv4_addr\n"
	"\t\tsize 65535\n"
	"\t\tflags dynamic,timeout\n"
	"\t\ttimeout 1m\n"
	"\t}\n"
	"\tchain input {\n"
	"\t\ttype filter hook input priority filter; policy accept;\n"
	"\t\ttcp dport @allowed counter packets 12 bytes 720 accept\n"
	"\t\tip saddr { 10.1.0.0/16, 10.0.0.0/16 } drop comment \"a { b\"\n"
	"\t\tudp dport 53 accept\n"
	"\t}\n"
	"\tchain sneaky {\n"
	"\t}\n"
	"\tct helper ftp {\n"
	"\t\ttype \"ftp\" protocol tcp\n"
	"\t\tl3proto inet\n"
	"\t}\n"
	"}\n";

static void test_listing(void)
{
	struct vnft_listing a, b, c;
	const struct vnft_ltable *fa, *fb, *fc;
	char *na, *nb, *nc;
	int ra = vnft_listing_parse(listing_a, &a);
	int rb = vnft_listing_parse(listing_b, &b);
	int rc = vnft_listing_parse(listing_c, &c);

	kt_result(ra == 0 && rb == 0 && rc == 0 && a.n == 2 && b.n == 1 && c.n == 1,
		  "listings parse", "parse failed", listing_a);
	if (ra || rb || rc || a.n != 2)
		return;
	fa = vnft_listing_find(&a, "inet", "filter");
	fb = vnft_listing_find(&b, "inet", "filter");
	fc = vnft_listing_find(&c, "inet", "filter");
	kt_result(fa && fa->n_attrs == 1 && fa->n_blocks == 4 &&
		  !strcmp(fa->blocks[0].kind, "set") && !strcmp(fa->blocks[0].name, "allowed") &&
		  fa->blocks[0].n == 2 && !strcmp(fa->blocks[0].lines[1], "elements = { 22, 80, 443 }") &&
		  !strcmp(fa->blocks[3].kind, "ct helper") && !strcmp(fa->blocks[3].name, "ftp") &&
		  vnft_listing_find(&a, "ip", "nat") && !vnft_listing_find(&a, "ip", "filter"),
		  "blocks, kinds, wrapped elements joined", "structure differs", listing_a);
	kt_result(fa->raw && !strncmp(fa->raw, "table inet filter {\n", 20) &&
		  strstr(fa->raw, "l3proto inet\n\t}\n}\n") && !strstr(fa->raw, "table ip nat"),
		  "raw text of one table", "raw text wrong", fa->raw);

	na = vnft_table_norm(fa);
	nb = vnft_table_norm(fb);
	nc = vnft_table_norm(fc);
	kt_result(!strcmp(na, nb), "normalized: block order, element order, dynamic elements",
		  "differ", nb);
	kt_result(strcmp(na, nc) != 0, "normalized: drift is not equal", "equal", nc);
	kt_result(strstr(na, "ip saddr { 10.0.0.0/16, 10.1.0.0/16 } drop comment \"a { b\"") != NULL,
		  "anonymous set items sorted, string with a brace untouched", "not found", na);
	free(na);
	free(nb);
	free(nc);

	{
		struct vrf_buf d = { 0 };
		unsigned n = vnft_table_diff(fa, fc, &d, "", 0);
		const char *s = vrf_buf_str(&d);
		const char *want[] = {
			"- set allowed: element 8080",
			"~ chain input: policy accept -> drop",
			"+ chain input: ct state established,related accept",
			"- chain input: udp dport 53 accept",
			"- chain sneaky (0 rules)",
		};
		bool ok = n == 5;

		for (size_t i = 0; i < 5; i++)
			ok = ok && kt_has_line(s, want[i]);
		kt_result(ok, "diff: element, policy, rules, chain", "diff differs", s);
		vrf_buf_free(&d);

		d = (struct vrf_buf){ 0 };
		n = vnft_table_diff(fa, fb, &d, "", 0);
		kt_result(n == 0, "diff of equal tables is empty", "not empty", vrf_buf_str(&d));
		vrf_buf_free(&d);

		d = (struct vrf_buf){ 0 };
		n = vnft_table_diff(fa, fc, &d, "  ", 2);
		kt_result(n == 5 && strstr(vrf_buf_str(&d), "\n  ... and 3 more"),
			  "diff capped", "cap wrong", vrf_buf_str(&d));
		vrf_buf_free(&d);
	}
	{
		struct vrf_buf p = { 0 };
		struct vnft_listing again;

		vnft_table_print(fa, &p);
		kt_result(vnft_listing_parse(vrf_buf_str(&p), &again) == 0 && again.n == 1 &&
			  vnft_table_diff(fa, &again.v[0], &p, "", 0) == 0,
			  "printed table reads back the same", "differs", vrf_buf_str(&p));
		vnft_listing_free(&again);
		vrf_buf_free(&p);
	}
	{
		struct vnft_listing bad;

		kt_result(vnft_listing_parse("table inet x {\n\tchain c {\n", &bad) == -EINVAL &&
			  vnft_listing_parse("not a listing\n", &bad) == -EINVAL,
			  "truncated or foreign text refused", "accepted", NULL);
	}
	vnft_listing_free(&a);
	vnft_listing_free(&b);
	vnft_listing_free(&c);
}

static void test_small(void)
{
	struct vnft_chain_spec s;
	unsigned long long p = 0, b = 0;
	char *n;

	kt_result(vnft_chain_spec_parse("type filter hook input priority filter + 10; policy drop;", &s) &&
		  !strcmp(s.type, "filter") && !strcmp(s.hook, "input") &&
		  !strcmp(s.priority, "filter + 10") && !strcmp(s.policy, "drop") && !s.device,
		  "chain spec", "parsed wrongly", NULL);
	vnft_chain_spec_free(&s);
	kt_result(vnft_chain_spec_parse("type filter hook ingress device \"eth0\" priority -150; policy accept;", &s) &&
		  !strcmp(s.device, "\"eth0\"") && !strcmp(s.priority, "-150"),
		  "chain spec with device", "parsed wrongly", NULL);
	vnft_chain_spec_free(&s);
	/* A repeated field: the later value wins, and under the sanitizer
	 * build LeakSanitizer fails this program if the earlier one leaks. */
	kt_result(vnft_chain_spec_parse("type filter hook input priority 0; policy drop; policy accept;"
					" type nat hook output device \"a\" priority 5", &s) &&
		  !strcmp(s.policy, "accept") && !strcmp(s.type, "nat") && !strcmp(s.hook, "output") &&
		  !strcmp(s.device, "\"a\"") && !strcmp(s.priority, "5"),
		  "chain spec naming policy, type, hook, device and priority twice", "parsed wrongly",
		  NULL);
	vnft_chain_spec_free(&s);
	kt_result(!vnft_chain_spec_parse("tcp dport 22 accept", &s), "a rule is no spec",
		  "parsed", NULL);
	kt_result(vnft_rule_counter("tcp dport 22 counter packets 12 bytes 720 accept", &p, &b) &&
		  p == 12 && b == 720 && !vnft_rule_counter("counter accept", &p, &b),
		  "counter values", "wrong", NULL);
	n = vnft_line_norm("ip  daddr . tcp dport { 9.9.9.9 . 1,\t2.2.2.2 . 22 } vmap { 2 : drop, 1 : accept }");
	kt_result(!strcmp(n, "ip daddr . tcp dport { 2.2.2.2 . 22, 9.9.9.9 . 1 } vmap { 1 : accept, 2 : drop }"),
		  "line normalization: spaces, concatenations, maps", "wrong", n);
	free(n);
}

struct align_rec {
	char s[64];
	size_t n;
};

static void align_cb(void *data, char op, long ia, long ib)
{
	struct align_rec *r = data;

	if (r->n + 1 < sizeof(r->s))
		r->s[r->n++] = op;
	r->s[r->n] = '\0';
}

static void test_align(void)
{
	char *a[] = { "a", "b", "c", "d", "e" };
	char *b[] = { "a", "x", "c", "e", "f" };
	struct align_rec r = { "", 0 };

	vnft_align(a, 5, b, 5, align_cb, &r);
	kt_result(!strcmp(r.s, " -+ - +") || !strcmp(r.s, " +- - +"),
		  "alignment keeps the common lines", "got another script", r.s);
	r = (struct align_rec){ "", 0 };
	vnft_align(a, 0, b, 2, align_cb, &r);
	kt_result(!strcmp(r.s, "++"), "alignment against nothing", "wrong", r.s);
}

/* ---- the key through the loader ---- */

static void test_key(void)
{
	struct vrf_config *cfg;

	mkdir("fw", 0755);
	kt_write("fw/good.nft",
		 "# a comment\n"
		 "table inet filter {\n"
		 "\tchain input {\n"
		 "\t\ttype filter hook input priority 0; policy drop;\n"
		 "\t\tiifname \"lo\" accept\n"
		 "\t}\n"
		 "}\n"
		 "table ip nat {\n"
		 "\tchain post { type nat hook postrouting priority srcnat; masquerade; }\n"
		 "}\n", 0644);
	kt_write("fw/syntax.nft",
		 "table inet filter {\n"
		 "\tchain input {\n"
		 "\t\ttype filter hook input priority filter; policy accept;\n"
		 "\t\ttcp dport 22 counter acept\n"
		 "\t}\n"
		 "}\n", 0644);
	kt_write("fw/flush.nft", "flush ruleset\ntable inet t { }\n", 0644);
	kt_write("fw/open.nft", "table inet t { }\n", 0666);
	chmod("fw/open.nft", 0666);
	kt_write("fw/empty.nft", "\n", 0644);

	kt_refuse("syntax error as FILE:LINE:COL of the nft file",
		  G "[domain a]\nnft_file = fw/syntax.nft\n",
		  "fw/syntax.nft:4:29: syntax error, unexpected newline");
	kt_refuse("flush ruleset refused", G "[domain a]\nnft_file = fw/flush.nft\n",
		  "fw/flush.nft:1:1: \"flush ruleset\" would act on every table of the domain, also "
		  "on tables vrfmgr does not own; vrfmgr replaces the tables this file declares "
		  "by itself");
	kt_refuse("group-writable file refused", G "[domain a]\nnft_file = fw/open.nft\n",
		  "c.ini:4: fw/open.nft: writable by group or others (mode 0666); refusing it");
	kt_refuse("missing file", G "[domain a]\nnft_file = fw/none.nft\n",
		  "c.ini:4: fw/none.nft: No such file or directory");
	kt_refuse("file without tables", G "[domain a]\nnft_file = fw/empty.nft\n",
		  "c.ini:4: nft_file fw/empty.nft: declares no table; vrfmgr owns exactly the "
		  "tables that the file declares (\"table inet filter { ... }\")");
	kt_refuse("two nft_file lines", G "[domain a]\nnft_file = fw/good.nft\nnft_file = fw/good.nft\n",
		  "c.ini:5: second nft_file in [domain a] (the first is at c.ini:4); put the "
		  "domain's tables in one file");
	kt_refuse("not in [host]", G "[host]\nnft_file = fw/good.nft\n",
		  "c.ini:4: \"nft_file\" is not allowed in [host]");

	cfg = kt_accept("good file accepted", G "[domain a]\nnft_file = fw/good.nft\n"
			"[domain b]\nnft_file = fw/good.nft\n");
	if (cfg) {
		struct vrf_domain *d = vrf_config_domain(cfg, "a");
		struct vrf_buf b = { 0 };

		for (size_t i = 0; d && i < d->objs.n; i++) {
			vrf_buf_printf(&b, "%s:%u ", d->objs.v[i]->loc.file, d->objs.v[i]->loc.line);
			d->objs.v[i]->plugin->format(d->objs.v[i], &b);
			vrf_buf_puts(&b, "\n");
		}
		kt_result(d && d->objs.n == 2 &&
			  kt_has_line(vrf_buf_str(&b), "fw/good.nft:2 table inet filter") &&
			  kt_has_line(vrf_buf_str(&b), "fw/good.nft:8 table ip nat"),
			  "one object per table, located in the nft file", "objects differ",
			  vrf_buf_str(&b));
		vrf_buf_free(&b);
		kt_roundtrip("round trip", cfg);
		vrf_config_free(cfg);
	}
}

/* ---- refilling a live table ---- */

static const char refill_have[] =
	"table inet fw {\n"
	"\tset keep {\n\t\ttype ipv4_addr\n\t\telements = { 192.0.2.1 }\n\t}\n"
	"\tset retype {\n\t\ttype ipv4_addr\n\t}\n"
	"\tset gone {\n\t\ttype inet_service\n\t}\n"
	"\tcounter c {\n\t}\n"
	"\tchain forward {\n\t\ttype filter hook forward priority filter; policy drop;\n"
	"\t\tip saddr @keep accept\n\t}\n"
	"\tchain guard {\n\t\ttype filter hook forward priority filter; policy drop;\n\t}\n"
	"\tchain helper {\n\t\tcounter\n\t}\n"
	"}\n";
static const char refill_want[] =
	"table inet fw {\n"
	"\tset keep {\n\t\ttype ipv4_addr\n\t\telements = { 192.0.2.2 }\n\t}\n"
	"\tset retype {\n\t\ttype ipv6_addr\n\t}\n"
	"\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n"
	"\t\tip saddr @keep drop\n\t}\n"
	"\tchain guard {\n\t\ttype filter hook prerouting priority filter; policy drop;\n\t}\n"
	"}\n";

/* What vnft_refill() writes before and after the file, as one text. */
static char *refill(const char *have, const char *want, bool *ret_ok)
{
	struct vnft_listing h, w;
	struct vrf_buf before = { 0 }, after = { 0 }, all = { 0 };
	char *r;

	*ret_ok = false;
	if (vnft_listing_parse(have, &h) == 0 && vnft_listing_parse(want, &w) == 0 &&
	    h.n == 1 && w.n == 1) {
		*ret_ok = vnft_refill(&before, &after, &h.v[0], &w.v[0]);
		vnft_listing_free(&h);
		vnft_listing_free(&w);
	}
	vrf_buf_printf(&all, "%s-- file --\n%s", vrf_buf_str(&before), vrf_buf_str(&after));
	r = strdup(vrf_buf_str(&all));
	vrf_buf_free(&before);
	vrf_buf_free(&after);
	vrf_buf_free(&all);
	return r;
}

static void test_refill(void)
{
	static const char expect[] =
		"flush table inet fw\n"
		"flush set inet fw keep\n"
		"delete set inet fw retype\n"
		"delete set inet fw gone\n"
		"delete counter inet fw c\n"
		"add chain inet fw vrfmgr_hold_guard {\n"
		"\ttype filter hook prerouting priority filter; policy drop;\n"
		"}\n"
		"delete chain inet fw guard\n"
		"-- file --\n"
		"delete chain inet fw vrfmgr_hold_guard\n"
		"delete chain inet fw helper\n";
	char *comment, *out;
	bool ok;

	out = refill(refill_have, refill_want, &ok);
	kt_result(ok && !strcmp(out, expect),
		  "refill: flush what stays, delete what goes or changes, chains that leave last",
		  "commands differ", out);
	free(out);
	out = refill(refill_want, refill_want, &ok);
	kt_result(ok && !strcmp(out, "flush table inet fw\nflush set inet fw keep\n"
				"flush set inet fw retype\n-- file --\n"),
		  "refill of an unchanged table: flush only", "commands differ", out);
	free(out);
	if (asprintf(&comment, "table inet fw {\n\tcomment \"new\"\n%s",
		     refill_want + strlen("table inet fw {\n")) < 0)
		abort();
	out = refill(refill_want, comment, &ok);
	kt_result(!ok && !strcmp(out, "-- file --\n"),
		  "refill refused for a table comment change (replaced whole)", "refill went on", out);
	free(out);
	free(comment);
}

/* ---- include: every included file checked, errors where they are ---- */

static void test_include(void)
{
	struct vrf_config *cfg;

	mkdir("inc", 0755);
	mkdir("inc/d", 0755);
	kt_write("inc/main.nft",
		 "table inet f {\n"
		 "\tinclude \"d/*.nft\"\n"
		 "\tchain input { type filter hook input priority 0; include \"rules.inc\"; }\n"
		 "}\n"
		 "include \"nat.nft\"\n", 0644);
	kt_write("inc/d/a.nft", "chain a {\n\tcounter\n}\n", 0644);
	kt_write("inc/d/b.nft", "chain b {\n\tcounter\n}\n", 0644);
	/* A nested relative name starts in the nft_file's folder, as in nft
	 * with that folder as its include path: inc/rules.inc. */
	kt_write("inc/d/c.nft", "chain c {\n\tinclude \"rules.inc\"\n}\n", 0644);
	kt_write("inc/rules.inc", "tcp dport 22 accept", 0644);
	kt_write("inc/nat.nft", "table ip nat {\n\tchain post { type nat hook postrouting "
		 "priority srcnat; masquerade; }\n}\n", 0644);
	cfg = kt_accept("includes: glob, inside a chain, nested, a table in an included file",
			G "[domain a]\nnft_file = inc/main.nft\n");
	if (cfg) {
		struct vrf_domain *d = vrf_config_domain(cfg, "a");
		struct vrf_buf b = { 0 };

		for (size_t i = 0; d && i < d->objs.n; i++)
			vrf_buf_printf(&b, "%s:%u\n", d->objs.v[i]->loc.file,
				       d->objs.v[i]->loc.line);
		kt_result(d && d->objs.n == 2 && kt_has_line(vrf_buf_str(&b), "inc/main.nft:1") &&
			  kt_has_line(vrf_buf_str(&b), "inc/nat.nft:1"),
			  "a table declared in an included file is located there", "objects differ",
			  vrf_buf_str(&b));
		vrf_buf_free(&b);
		vrf_config_free(cfg);
	}

	kt_write("inc/d/b.nft", "chain b {\n\tcounter acept\n}\n", 0644);
	kt_refuse("syntax error in an included file: its FILE:LINE:COL",
		  G "[domain a]\nnft_file = inc/main.nft\n",
		  "inc/d/b.nft:2:15: syntax error, unexpected newline");
	kt_write("inc/d/b.nft", "chain b {\n\tcounter\n}\n", 0644);
	kt_write("inc/same.nft", "table inet g {\n"
		 "\tchain c { include \"rules.inc\"; tcp dport 23 acept\n"
		 "\t}\n}\n", 0644);
	kt_refuse("error after an include on the same line: the column in the file",
		  G "[domain a]\nnft_file = inc/same.nft\n",
		  "inc/same.nft:2:51: syntax error, unexpected newline");

	kt_write("inc/d/open.nft", "chain open {\n\taccept\n}\n", 0666);
	chmod("inc/d/open.nft", 0666);
	kt_refuse("world-writable included file refused at the include",
		  G "[domain a]\nnft_file = inc/main.nft\n",
		  "inc/main.nft:2:2: inc/d/open.nft: writable by group or others (mode 0666); "
		  "refusing it");
	unlink("inc/d/open.nft");
	if (mkfifo("inc/d/fifo.nft", 0644) == 0)
		kt_refuse("FIFO included refused, not waited on",
			  G "[domain a]\nnft_file = inc/main.nft\n",
			  "inc/main.nft:2:2: inc/d/fifo.nft: not a regular file; refusing it");
	unlink("inc/d/fifo.nft");
	kt_write("inc/zero.nft", "table ip z {\n}\ninclude \"/dev/zero\"\n", 0644);
	kt_refuse("/dev/zero included refused", G "[domain a]\nnft_file = inc/zero.nft\n",
		  "inc/zero.nft:3:1: /dev/zero: not a regular file; refusing it");
	kt_write("inc/loop.nft", "table ip l {\n}\ninclude \"loop2.nft\"\n", 0644);
	kt_write("inc/loop2.nft", "include \"loop.nft\"\n", 0644);
	kt_refuse("an include cycle refused", G "[domain a]\nnft_file = inc/loop.nft\n",
		  "inc/loop2.nft:1:1: inc/loop.nft: includes itself (through this include); "
		  "refusing it");
	kt_write("inc/bare.nft", "table ip l {\n}\ninclude nat.nft\n", 0644);
	kt_refuse("include without a quoted name refused",
		  G "[domain a]\nnft_file = inc/bare.nft\n",
		  "inc/bare.nft:3:1: include needs a file name in double quotes");
	kt_write("inc/none.nft", "table ip l {\n}\ninclude \"missing.nft\"\n", 0644);
	kt_refuse("a missing include refused", G "[domain a]\nnft_file = inc/none.nft\n",
		  "inc/none.nft:3:1: inc/missing.nft: No such file or directory");
	kt_write("inc/glob.nft", "table ip l {\n\tinclude \"nothing/*.nft\"\n}\n", 0644);
	cfg = kt_accept("a glob that matches nothing includes nothing",
			G "[domain a]\nnft_file = inc/glob.nft\n");
	vrf_config_free(cfg);
}

/* ---- many files: checked at once, each file's errors its own ---- */

/* Load ini; true when it was refused with every one of the lines. */
static bool refused_with(const char *ini, const char *const *lines, char **ret_err)
{
	struct vrf_config *cfg = kt_load(ini, ret_err);
	bool ok = !cfg;

	for (size_t i = 0; lines[i]; i++)
		ok = ok && kt_has_line(*ret_err, lines[i]);
	vrf_config_free(cfg);
	return ok;
}

static void test_many(void)
{
	static const char *const both[] = {
		"fw/syntax.nft:4:29: syntax error, unexpected newline",
		"fw/syntax2.nft:4:29: syntax error, unexpected newline",
		NULL
	};
	struct vrf_config *cfg;
	char *err = NULL;

	/* Same bytes, two names: checked once, reported for each. */
	kt_write("fw/syntax2.nft",
		 "table inet filter {\n"
		 "\tchain input {\n"
		 "\t\ttype filter hook input priority filter; policy accept;\n"
		 "\t\ttcp dport 22 counter acept\n"
		 "\t}\n"
		 "}\n", 0644);
	kt_result(refused_with(G "[domain a]\nnft_file = fw/syntax.nft\n"
			       "[domain b]\nnft_file = fw/good.nft\n"
			       "[domain c]\nnft_file = fw/syntax2.nft\n", both, &err),
		  "two files with the same error: each is named", "a file's error is missing", err);
	free(err);
	/* A define lives as long as libnftables' context: each file needs its
	 * own, or the second would redefine the first's symbol. */
	kt_write("fw/def1.nft", "define port = 22\ntable inet a {\n\tchain c {\n"
		 "\t\ttcp dport $port accept\n\t}\n}\n", 0644);
	kt_write("fw/def2.nft", "define port = 23\ntable inet a {\n\tchain c {\n"
		 "\t\ttcp dport $port accept\n\t}\n}\n", 0644);
	cfg = kt_accept("files defining the same symbol, checked together",
			G "[domain a]\nnft_file = fw/def1.nft\n[domain b]\nnft_file = fw/def2.nft\n"
			"[domain c]\nnft_file = fw/good.nft\n[domain d]\nnft_file = fw/def1.nft\n");
	vrf_config_free(cfg);
}

/* `check` as a user: without the privilege to make a scratch namespace,
 * libnftables only parses; a good file passes, a bad one names its error.
 * Run as root, the loader is tried in a child that gave up root. */
static void test_user(void)
{
	static const char *const err_line[] = {
		"fw/syntax.nft:4:29: syntax error, unexpected newline", NULL
	};
	int status = 0;
	pid_t pid;

	if (geteuid() != 0) {
		char *err = NULL;
		struct vrf_config *cfg = kt_accept("as a user: a good file is accepted",
						   G "[domain a]\nnft_file = fw/good.nft\n");

		vrf_config_free(cfg);
		kt_result(refused_with(G "[domain a]\nnft_file = fw/syntax.nft\n", err_line, &err),
			  "as a user: a syntax error is found", "not refused with the line", err);
		free(err);
		return;
	}
	/* The child writes c.ini and err.txt here as itself. */
	unlink("c.ini");
	unlink("err.txt");
	chmod(".", 0777);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		char *err = NULL;
		struct vrf_config *cfg;
		int bits = 0;

		if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
			_exit(1);
		cfg = kt_load(G "[domain a]\nnft_file = fw/good.nft\n", &err);
		bits |= cfg && !*err ? 0 : 1;
		vrf_config_free(cfg);
		free(err);
		bits |= refused_with(G "[domain a]\nnft_file = fw/syntax.nft\n", err_line, &err) ?
			0 : 2;
		free(err);
		_exit(16 | bits);	/* 16: the child got this far */
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		status = 0xff00;
	status = WIFEXITED(status) && (WEXITSTATUS(status) & ~3) == 16 ? WEXITSTATUS(status) : -1;
	kt_result(status >= 0 && !(status & 1), "as a user: a good file is accepted",
		  "refused, or the child failed", NULL);
	kt_result(status >= 0 && !(status & 2), "as a user: a syntax error is found",
		  "not refused with the line, or the child failed", NULL);
	unlink("c.ini");
	unlink("err.txt");
	chmod(".", 0700);
}

int main(void)
{
	kt_tmpdir();
	test_scan();
	test_errors();
	test_listing();
	test_small();
	test_align();
	test_refill();
	test_key();
	test_include();
	test_many();
	test_user();
	return kt_done();
}
