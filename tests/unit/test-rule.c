/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rule key without root: refusals with their exact FILE:LINE message,
 * plan text and format -> parse round trip, identity (priority + selector)
 * against attributes (action, table), and the netlink encoding read back
 * both attribute by attribute and through observe()'s decoder.
 */
#include <arpa/inet.h>

#include "keytest.h"
#undef VRF_PLUGIN_REGISTER
#define VRF_PLUGIN_REGISTER(p)
#include "../../plugins/rule.c"

#define G "[global]\nnetns_dir = /run/netns\n"
#define D G "[domain a]\n"

static const struct {
	const char *name, *ini, *line;
} refused[] = {
	{ "no priority", D "rule = from 10.0.0.0/8 table 100\n",
	  "c.ini:4: rule: missing \"priority N\": without it the kernel picks a number and vrfmgr could not recognise the rule on the next run" },
	{ "no action", D "rule = from 10.0.0.0/8 priority 5\n",
	  "c.ini:4: rule: missing action: \"table N\", \"blackhole\", \"unreachable\" or \"prohibit\"" },
	{ "two actions", D "rule = table 5 blackhole priority 1\n",
	  "c.ini:4: rule: \"blackhole\": the rule already has an action" },
	{ "two tables", D "rule = table 5 lookup 6 priority 1\n",
	  "c.ini:4: rule: \"lookup\": the rule already has an action" },
	{ "proto", D "rule = table 5 priority 1 proto kernel\n",
	  "c.ini:4: rule: \"proto\" is not allowed: vrfmgr marks every rule it owns with route_protocol 250" },
	{ "unknown word", D "rule = uidrange 1-2 table 5 priority 1\n",
	  "c.ini:4: rule: unknown word \"uidrange\"" },
	{ "missing value", D "rule = table 5 priority\n",
	  "c.ini:4: rule: \"priority\" needs a value" },
	{ "from twice", D "rule = from 10.0.0.0/8 from 10.1.0.0/16 table 5 priority 1\n",
	  "c.ini:4: rule: \"from\" is given twice" },
	{ "priority twice by alias", D "rule = pref 1 table 5 order 2\n",
	  "c.ini:4: rule: \"priority\" is given twice" },
	{ "bad prefix", D "rule = from 10.0.0.300 table 5 priority 1\n",
	  "c.ini:4: rule: from \"10.0.0.300\" is not a prefix (such as 10.0.0.0/24) or \"all\"" },
	{ "host bits", D "rule = from 10.0.0.1/8 table 5 priority 1\n",
	  "c.ini:4: rule: from 10.0.0.1/8 has host bits set; did you mean 10.0.0.0/8?" },
	{ "host bits in to", D "rule = to 2001:db8::1/32 table 5 priority 1\n",
	  "c.ini:4: rule: to 2001:db8::1/32 has host bits set; did you mean 2001:db8::/32?" },
	{ "host bits, odd length", D "rule = from 10.0.0.129/25 table 5 priority 1\n",
	  "c.ini:4: rule: from 10.0.0.129/25 has host bits set; did you mean 10.0.0.128/25?" },
	{ "mixed families", D "rule = from 10.0.0.0/8 to 2001:db8::/32 table 5 priority 1\n",
	  "c.ini:4: rule: from is IPv4 but to is IPv6" },
	{ "family against prefix", D "rule = family inet6 from 10.0.0.0/8 table 5 priority 1\n",
	  "c.ini:4: rule: \"family inet6\" does not match the IPv4 prefix" },
	{ "family name", D "rule = family ipx table 5 priority 1\n",
	  "c.ini:4: rule: family \"ipx\" is not inet or inet6" },
	{ "fwmark word", D "rule = fwmark x table 5 priority 1\n",
	  "c.ini:4: rule: fwmark \"x\" is not MARK or MARK/MASK (numbers up to 0xffffffff)" },
	{ "fwmark too big", D "rule = fwmark 0x100000000 table 5 priority 1\n",
	  "c.ini:4: rule: fwmark \"0x100000000\" is not MARK or MARK/MASK (numbers up to 0xffffffff)" },
	{ "fwmark 0", D "rule = fwmark 0 table 5 priority 1\n",
	  "c.ini:4: rule: fwmark 0 without a mask matches every packet; leave it out, or write 0/MASK" },
	{ "fwmark mask 0", D "rule = fwmark 1/0 table 5 priority 1\n",
	  "c.ini:4: rule: fwmark mask 0 matches every packet; leave the fwmark out" },
	{ "table 0", D "rule = table 0 priority 1\n",
	  "c.ini:4: rule: table \"0\" is not main, local, default or a number from 1 to 4294967295" },
	{ "lookup name", D "rule = lookup x priority 1\n",
	  "c.ini:4: rule: lookup \"x\" is not main, local, default or a number from 1 to 4294967295" },
	{ "priority range", D "rule = table 5 priority 4294967296\n",
	  "c.ini:4: rule: priority \"4294967296\" is not a number from 0 to 4294967295" },
	{ "bare 0x", D "rule = table 5 priority 0x\n",
	  "c.ini:4: rule: priority \"0x\" is not a number from 0 to 4294967295" },
	{ "hex table 0", D "rule = table 0x0 priority 1\n",
	  "c.ini:4: rule: table \"0x0\" is not main, local, default or a number from 1 to 4294967295" },
	{ "no sign", D "rule = table 5 priority +7\n",
	  "c.ini:4: rule: priority \"+7\" is not a number from 0 to 4294967295" },
	{ "tos range", D "rule = tos 256 table 5 priority 1\n",
	  "c.ini:4: rule: tos \"256\" is not a number from 0 to 255" },
	{ "suppress range", D "rule = table 5 suppress_prefixlength 129 priority 1\n",
	  "c.ini:4: rule: suppress_prefixlength \"129\" is not a number from 0 to 128" },
	{ "suppress longer than IPv4", D "rule = table 5 suppress_prefixlength 33 priority 1\n",
	  "c.ini:4: rule: suppress_prefixlength 33 is longer than an IPv4 address" },
	{ "suppress without table", D "rule = prohibit suppress_prefixlength 0 priority 1\n",
	  "c.ini:4: rule: suppress_prefixlength needs \"table\"" },
	{ "bad iif name", D "rule = iif a/b table 5 priority 1\n",
	  "c.ini:4: rule: iif \"a/b\" is not a valid interface name: must not contain '/', ':', white space or control characters" },
	{ "iif not declared", D "rule = iif eth9 table 5 priority 1\n",
	  "c.ini:4: rule: iif \"eth9\" is not a link of domain a" },
	{ "oif not published in host", G "[host]\nrule = oif eth0 table 5 priority 1\n",
	  "c.ini:4: rule: oif \"eth0\" is not a link that vrfmgr manages in the host namespace" },
	{ "duplicate", D "rule = from 10.0.0.0/8 table 100 priority 10\nrule = from 10.0.0.0/8 table 200 priority 10\n",
	  "c.ini:5: rule: duplicate rule \"from 10.0.0.0/8 table 200 priority 10\" (first at c.ini:4)" },
	{ "duplicate: all and 0.0.0.0/0", D "rule = table 100 priority 10\nrule = from 0.0.0.0/0 blackhole priority 10\n",
	  "c.ini:5: rule: duplicate rule \"from all blackhole priority 10\" (first at c.ini:4)" },
};

static const struct {
	const char *line, *text;
} accepted[] = {
	{ "from 10.0.0.128/25 table 100 priority 1000", "from 10.0.0.128/25 table 100 priority 1000" },
	{ "pref 5 lookup main", "from all table main priority 5" },
	{ "not from 10.0.0.0/8 to 10.1.0.0/16 iif lo blackhole order 7",
	  "not from 10.0.0.0/8 to 10.1.0.0/16 iif lo blackhole priority 7" },
	{ "fwmark 0x10 table 10 priority 20", "from all fwmark 0x10 table 10 priority 20" },
	{ "fwmark 16/0xff table 10 priority 21", "from all fwmark 0x10/0xff table 10 priority 21" },
	{ "fwmark 0/0xff prohibit priority 22", "from all fwmark 0x0/0xff prohibit priority 22" },
	{ "family inet6 table 100 priority 30", "family inet6 from all table 100 priority 30" },
	{ "from ::/0 table 100 priority 31", "family inet6 from all table 100 priority 31" },
	{ "from 2001:db8::/32 unreachable priority 32", "from 2001:db8::/32 unreachable priority 32" },
	{ "from all to all tos 0x10 table local priority 33 suppress_prefixlength 0",
	  "from all tos 16 table local suppress_prefixlength 0 priority 33" },
	{ "from 0.0.0.0/0 table default priority 34", "from all table default priority 34" },
	{ "oif lo table 4294967295 priority 4294967295", "from all oif lo table 4294967295 priority 4294967295" },
	{ "priority 0 table 9 from 192.0.2.7", "from 192.0.2.7/32 table 9 priority 0" },
};

static int fails, n_tests;

static void check(bool ok, const char *name, const char *detail)
{
	n_tests++;
	if (ok) {
		printf("ok - %s\n", name);
		return;
	}
	fails++;
	printf("FAIL - %s%s%s\n", name, detail ? ": " : "", detail ? detail : "");
}

static struct vrf_config *scratch;

static struct rule *parse_one(const char *value)
{
	static const struct vrf_loc loc = { "t.ini", 1 };
	struct vrf_domain d = { .name = "a" };
	struct rule *r = NULL;

	if (rule_parse(scratch, &d, &loc, "rule", value) == 0 && d.objs.n == 1)
		r = (struct rule *)d.objs.v[0];
	vrf_objv_clear(&d.objs);
	return r;
}

static char *fmt(const struct rule *r)
{
	struct vrf_buf b = { 0 };
	char *s;

	rule_format(&r->obj, &b);
	s = strdup(vrf_buf_str(&b));
	vrf_buf_free(&b);
	return s;
}

/* Every field after the object header (the objects are zeroed at birth, so
 * padding compares equal). */
static bool same_rule(const struct rule *a, const struct rule *b)
{
	return !memcmp((const char *)a + sizeof(struct vrf_obj), (const char *)b + sizeof(struct vrf_obj),
		       sizeof(struct rule) - sizeof(struct vrf_obj));
}

static void test_accepted(void)
{
	struct vrf_buf ini = { 0 };
	struct vrf_config *cfg;
	struct vrf_domain *d;
	size_t i, k = 0;

	vrf_buf_puts(&ini, D);
	for (i = 0; i < sizeof(accepted) / sizeof(*accepted); i++)
		vrf_buf_printf(&ini, "rule = %s\n", accepted[i].line);
	cfg = kt_accept("every accepted spelling loads", vrf_buf_str(&ini));
	vrf_buf_free(&ini);
	if (!cfg)
		return;
	d = vrf_config_domain(cfg, "a");
	for (i = 0; d && i < d->objs.n; i++) {
		const struct rule *r = CRULE(d->objs.v[i]);
		struct rule *again;
		char name[256], *text;

		if (strcmp(d->objs.v[i]->plugin->name, "rule"))
			continue;
		text = fmt(r);
		snprintf(name, sizeof(name), "plan text of \"%s\"", accepted[k].line);
		check(!strcmp(text, accepted[k].text), name, text);
		again = parse_one(text);
		snprintf(name, sizeof(name), "parse(format(x)) == x for \"%s\"", accepted[k].line);
		check(again && same_rule(r, again), name, text);
		free(again);
		free(text);
		k++;
	}
	check(k == sizeof(accepted) / sizeof(*accepted), "every accepted line became one rule", NULL);
	kt_roundtrip("config round trip with rules", cfg);
	vrf_config_free(cfg);
}

static void test_identity(void)
{
	static const struct {
		const char *a, *b;
		bool same_id, eq;
	} cases[] = {
		{ "from 10.0.0.0/8 table 100 priority 10", "from 10.0.0.0/8 table 200 priority 10", true, false },
		{ "from 10.0.0.0/8 table 100 priority 10", "from 10.0.0.0/8 blackhole priority 10", true, false },
		{ "from 10.0.0.0/8 table 100 priority 10", "from 10.0.0.0/8 table 100 priority 11", false, false },
		{ "from 10.0.0.0/8 table 100 priority 10", "from 10.0.0.0/9 table 100 priority 10", false, false },
		{ "from 10.0.0.0/8 table 100 priority 10", "not from 10.0.0.0/8 table 100 priority 10", false, false },
		{ "from 10.0.0.0/8 table 100 priority 10", "from 10.0.0.0/8 iif lo table 100 priority 10", false, false },
		{ "table 100 priority 10", "family inet6 table 100 priority 10", false, false },
		{ "fwmark 0x10 table 1 priority 10", "fwmark 16/0xffffffff table 1 priority 10", true, true },
		{ "fwmark 0x10 table 1 priority 10", "fwmark 16/0xff table 1 priority 10", false, false },
		{ "table 1 priority 10", "table 1 suppress_prefixlength 0 priority 10", true, false },
		{ "to all table main priority 10", "lookup main pref 10", true, true },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct rule *a = parse_one(cases[i].a), *b = parse_one(cases[i].b);
		char name[300];
		bool same, eq;

		snprintf(name, sizeof(name), "\"%s\" vs \"%s\": %s identity, %s", cases[i].a,
			 cases[i].b, cases[i].same_id ? "same" : "different",
			 cases[i].eq ? "equal" : "not equal");
		if (!a || !b) {
			check(false, name, "did not parse");
		} else {
			same = rule_compare(&a->obj, &b->obj) == 0;
			eq = same && rule_equal(&a->obj, &b->obj);
			check(same == cases[i].same_id && eq == cases[i].eq &&
			      (rule_compare(&a->obj, &b->obj) < 0) == (rule_compare(&b->obj, &a->obj) > 0),
			      name, NULL);
		}
		free(a);
		free(b);
	}
}

/* ---- netlink ---- */

struct attrs {
	const struct nlattr *tb[FRA_MAX + 1];
};

static int attr_cb(const struct nlattr *attr, void *data)
{
	struct attrs *a = data;

	if (mnl_attr_get_type(attr) <= FRA_MAX)
		a->tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static char buf[8192];

static struct nlmsghdr *encode(const struct rule *r, uint16_t type)
{
	struct nlmsghdr *nlh;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	rule_encode(nlh, r, 250);
	return nlh;
}

static void test_encoding(void)
{
	struct rule *r = parse_one("not from 10.0.0.128/25 to 192.0.2.0/24 iif lo oif up0 "
				   "fwmark 0x10/0xff tos 8 table 1000 suppress_prefixlength 0 priority 77");
	struct nlmsghdr *nlh = encode(r, RTM_NEWRULE);
	const struct fib_rule_hdr *frh = mnl_nlmsg_get_payload(nlh);
	struct attrs a = { 0 };
	uint8_t v4[4];

	mnl_attr_parse(nlh, sizeof(*frh), attr_cb, &a);
	check(frh->family == AF_INET && frh->src_len == 25 && frh->dst_len == 24 && frh->tos == 8 &&
	      frh->action == FR_ACT_TO_TBL && frh->table == RT_TABLE_UNSPEC &&
	      frh->flags == FIB_RULE_INVERT, "fib_rule_hdr", NULL);
	check(a.tb[FRA_TABLE] && mnl_attr_get_u32(a.tb[FRA_TABLE]) == 1000, "FRA_TABLE", NULL);
	check(a.tb[FRA_PRIORITY] && mnl_attr_get_u32(a.tb[FRA_PRIORITY]) == 77, "FRA_PRIORITY", NULL);
	check(a.tb[FRA_PROTOCOL] && mnl_attr_get_u8(a.tb[FRA_PROTOCOL]) == 250, "FRA_PROTOCOL stamps ownership", NULL);
	inet_pton(AF_INET, "10.0.0.128", v4);
	check(a.tb[FRA_SRC] && !memcmp(mnl_attr_get_payload(a.tb[FRA_SRC]), v4, 4), "FRA_SRC", NULL);
	inet_pton(AF_INET, "192.0.2.0", v4);
	check(a.tb[FRA_DST] && !memcmp(mnl_attr_get_payload(a.tb[FRA_DST]), v4, 4), "FRA_DST", NULL);
	check(a.tb[FRA_IIFNAME] && !strcmp(mnl_attr_get_str(a.tb[FRA_IIFNAME]), "lo") &&
	      a.tb[FRA_OIFNAME] && !strcmp(mnl_attr_get_str(a.tb[FRA_OIFNAME]), "up0"),
	      "FRA_IIFNAME and FRA_OIFNAME, NUL-terminated", NULL);
	check(a.tb[FRA_FWMARK] && mnl_attr_get_u32(a.tb[FRA_FWMARK]) == 0x10 && a.tb[FRA_FWMASK] &&
	      mnl_attr_get_u32(a.tb[FRA_FWMASK]) == 0xff, "FRA_FWMARK and FRA_FWMASK", NULL);
	check(a.tb[FRA_SUPPRESS_PREFIXLEN] && mnl_attr_get_u32(a.tb[FRA_SUPPRESS_PREFIXLEN]) == 0,
	      "FRA_SUPPRESS_PREFIXLEN", NULL);
	free(r);

	r = parse_one("from all prohibit priority 5");
	nlh = encode(r, RTM_NEWRULE);
	frh = mnl_nlmsg_get_payload(nlh);
	memset(&a, 0, sizeof(a));
	mnl_attr_parse(nlh, sizeof(*frh), attr_cb, &a);
	check(frh->action == FR_ACT_PROHIBIT && !a.tb[FRA_TABLE] && !a.tb[FRA_SRC] && !a.tb[FRA_FWMARK] &&
	      !a.tb[FRA_FWMASK] && frh->src_len == 0, "a reject rule: no table, no selector", NULL);
	free(r);
}

static void test_symmetry(void)
{
	static const char *const lines[] = {
		"from 10.0.0.128/25 table 100 priority 1000",
		"not from 10.0.0.0/8 to 10.1.0.0/16 iif lo oif up0 blackhole priority 7",
		"fwmark 0x10 table 10 priority 20",
		"fwmark 0x10/0xff table 10 priority 21",
		"fwmark 0/0xff prohibit priority 22",
		"family inet6 table 100 priority 30",
		"from 2001:db8::/32 to 2001:db8:1::/48 unreachable priority 32",
		"tos 16 table local suppress_prefixlength 0 priority 33",
		"table 4294967295 priority 0",
	};

	for (size_t i = 0; i < sizeof(lines) / sizeof(*lines); i++) {
		struct vrf_objv out = { 0 };
		struct ru_obs o = { .out = &out, .proto = 250 };
		struct rule *want = parse_one(lines[i]);
		struct nlmsghdr *nlh = encode(want, RTM_NEWRULE);
		char name[300], *b = NULL;
		bool ok;

		ok = ru_obs_cb(nlh, &o) == 0 && out.n == 1;
		if (ok) {
			b = fmt(CRULE(out.v[0]));
			ok = rule_compare(&want->obj, out.v[0]) == 0 && rule_equal(&want->obj, out.v[0]);
		}
		snprintf(name, sizeof(name), "encode -> observe gives back \"%s\"", lines[i]);
		check(ok, name, b);

		o.proto = 251;
		ru_obs_cb(nlh, &o);
		snprintf(name, sizeof(name), "another protocol is not ours: \"%s\"", lines[i]);
		check(out.n == 1, name, NULL);
		for (size_t k = 0; k < out.n; k++)
			rule_free(out.v[k]);
		vrf_objv_clear(&out);
		free(b);
		free(want);
	}
}

int main(void)
{
	kt_tmpdir();
	scratch = vrf_config_new();
	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++)
		kt_refuse(refused[i].name, refused[i].ini, refused[i].line);
	test_accepted();
	test_identity();
	test_encoding();
	test_symmetry();
	vrf_config_free(scratch);
	printf("%d checks, %d failed\n", n_tests, fails);
	return kt_done() || fails ? 1 : 0;
}
