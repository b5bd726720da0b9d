/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The route key without root: every refusal with its exact FILE:LINE
 * message; the plan text of accepted routes; format -> parse gives the same
 * object; identity (compare) against attributes (equal); and the netlink
 * encoding: requests are built into a buffer and read back both attribute by
 * attribute and through observe()'s own decoder, which must return an object
 * equal to the one encoded.
 *
 * The plugin source is included so its static functions can be called; its
 * registration is switched off here (the library already registers it).
 */
#include <arpa/inet.h>

#include "keytest.h"
#undef VRF_PLUGIN_REGISTER
#define VRF_PLUGIN_REGISTER(p)
#include "../../plugins/route.c"

#define G "[global]\nnetns_dir = /run/netns\n"
#define D G "[domain a]\n"

static const struct {
	const char *name, *ini, *line;
} refused[] = {
	{ "no destination", D "route = blackhole\n",
	  "c.ini:4: route: missing destination (a prefix such as 10.0.0.0/24, or \"default\")" },
	{ "bad prefix", D "route = 10.0.0.300/24 via 10.1.1.1\n",
	  "c.ini:4: route: \"10.0.0.300/24\" is not a destination prefix (such as 10.0.0.0/24, or \"default\")" },
	{ "prefix length too long", D "route = 10.0.0.0/33 dev lo\n",
	  "c.ini:4: route: \"10.0.0.0/33\" is not a destination prefix (such as 10.0.0.0/24, or \"default\")" },
	{ "host bits", D "route = 10.0.0.1/24 dev lo\n",
	  "c.ini:4: route: 10.0.0.1/24 has host bits set; did you mean 10.0.0.0/24?" },
	{ "host bits v6", D "route = 2001:db8::1/64 dev lo\n",
	  "c.ini:4: route: 2001:db8::1/64 has host bits set; did you mean 2001:db8::/64?" },
	{ "host bits odd length", D "route = 10.0.0.129/25 dev lo\n",
	  "c.ini:4: route: 10.0.0.129/25 has host bits set; did you mean 10.0.0.128/25?" },
	{ "gateway family", D "route = 10.0.0.0/24 via 2001:db8::1\n",
	  "c.ini:4: route: via 2001:db8::1 is IPv6 but the route is IPv4" },
	{ "src family", D "route = 2001:db8::/64 dev lo src 10.0.0.1\n",
	  "c.ini:4: route: src 10.0.0.1 is IPv4 but the route is IPv6" },
	{ "nexthop family", D "route = 10.0.0.0/24 nexthop via 10.1.1.1 nexthop via 2001:db8::1\n",
	  "c.ini:4: route: via 2001:db8::1 is IPv6 but the route is IPv4" },
	{ "family word against prefix", D "route = 10.0.0.0/8 family inet6 dev lo\n",
	  "c.ini:4: route: destination 10.0.0.0/8 is IPv4 but \"family\" says IPv6" },
	{ "family word", D "route = default family ipx dev lo\n",
	  "c.ini:4: route: family \"ipx\" is not inet or inet6" },
	{ "gateway with length", D "route = 10.0.0.0/24 via 10.1.1.1/32\n",
	  "c.ini:4: route: via \"10.1.1.1/32\" is not an IPv4 or IPv6 address" },
	{ "proto", D "route = 10.0.0.0/24 dev lo proto static\n",
	  "c.ini:4: route: \"proto\" is not allowed: vrfmgr marks every route it owns with route_protocol 250" },
	{ "proto follows route_protocol", G "route_protocol = 99\n[domain a]\nroute = 10.0.0.0/24 dev lo protocol 99\n",
	  "c.ini:5: route: \"protocol\" is not allowed: vrfmgr marks every route it owns with route_protocol 99" },
	{ "type local", D "route = local 10.0.0.1/32 dev lo\n",
	  "c.ini:4: route: type \"local\" is not supported (only unicast, blackhole, unreachable and prohibit)" },
	{ "type broadcast", D "route = broadcast 10.0.0.255/32 dev lo\n",
	  "c.ini:4: route: type \"broadcast\" is not supported (only unicast, blackhole, unreachable and prohibit)" },
	{ "unknown word", D "route = 10.0.0.0/24 dev lo foo 1\n",
	  "c.ini:4: route: unknown word \"foo\"" },
	{ "pref is not preference", D "route = 2001:db8::/64 dev lo pref high\n",
	  "c.ini:4: route: unknown word \"pref\"" },
	{ "missing value", D "route = 10.0.0.0/24 via\n",
	  "c.ini:4: route: \"via\" needs a value" },
	{ "via twice", D "route = 10.0.0.0/24 via 10.1.1.1 via 10.1.1.2\n",
	  "c.ini:4: route: \"via\" is given twice" },
	{ "metric twice under two names", D "route = 10.0.0.0/24 dev lo metric 1 preference 2\n",
	  "c.ini:4: route: \"metric\" is given twice" },
	{ "table name", D "route = 10.0.0.0/24 dev lo table foo\n",
	  "c.ini:4: route: table \"foo\" is not main, local, default or a number from 1 to 4294967295" },
	{ "table 0", D "route = 10.0.0.0/24 dev lo table 0\n",
	  "c.ini:4: route: table \"0\" is not main, local, default or a number from 1 to 4294967295" },
	{ "table too big", D "route = 10.0.0.0/24 dev lo table 4294967296\n",
	  "c.ini:4: route: table \"4294967296\" is not main, local, default or a number from 1 to 4294967295" },
	{ "metric too big", D "route = 10.0.0.0/24 dev lo metric 4294967296\n",
	  "c.ini:4: route: metric \"4294967296\" is not a number from 0 to 4294967295" },
	{ "metric negative", D "route = 10.0.0.0/24 dev lo priority -1\n",
	  "c.ini:4: route: priority \"-1\" is not a number from 0 to 4294967295" },
	{ "no nexthop at all", D "route = 10.0.0.0/24\n",
	  "c.ini:4: route: 10.0.0.0/24 needs \"via\", \"dev\" or \"nexthop\"" },
	{ "no nexthop, default", D "route = default metric 5\n",
	  "c.ini:4: route: default needs \"via\", \"dev\" or \"nexthop\"" },
	{ "blackhole with via", D "route = blackhole 10.0.0.0/24 via 10.1.1.1\n",
	  "c.ini:4: route: a blackhole route takes no \"via\"" },
	{ "unreachable with dev", D "route = unreachable 10.0.0.0/24 dev lo\n",
	  "c.ini:4: route: a unreachable route takes no \"dev\"" },
	{ "prohibit with nexthop", D "route = prohibit 10.0.0.0/24 nexthop via 10.1.1.1 nexthop via 10.1.1.2\n",
	  "c.ini:4: route: a prohibit route takes no \"nexthop\"" },
	{ "single nexthop", D "route = 10.0.0.0/24 nexthop via 10.1.1.1 weight 3\n",
	  "c.ini:4: route: a single nexthop is not multipath; write \"via ADDR [dev NAME]\" instead" },
	{ "nexthop and via", D "route = 10.0.0.0/24 via 10.1.1.3 nexthop via 10.1.1.1 nexthop via 10.1.1.2\n",
	  "c.ini:4: route: \"nexthop\" cannot be combined with \"via\", \"dev\" or \"onlink\" on the route itself" },
	{ "empty nexthop", D "route = 10.0.0.0/24 nexthop weight 2 nexthop via 10.1.1.1\n",
	  "c.ini:4: route: nexthop 1 needs \"via\" or \"dev\"" },
	{ "nexthop word twice", D "route = 10.0.0.0/24 nexthop via 10.1.1.1 via 10.1.1.2 nexthop via 10.1.1.3\n",
	  "c.ini:4: route: \"via\" is given twice in nexthop 1" },
	{ "weight zero", D "route = 10.0.0.0/24 nexthop via 10.1.1.1 weight 0 nexthop via 10.1.1.2\n",
	  "c.ini:4: route: weight \"0\" is not a number from 1 to 256" },
	{ "weight too big", D "route = 10.0.0.0/24 nexthop via 10.1.1.1 weight 257 nexthop via 10.1.1.2\n",
	  "c.ini:4: route: weight \"257\" is not a number from 1 to 256" },
	{ "weight outside nexthop", D "route = 10.0.0.0/24 via 10.1.1.1 weight 2\n",
	  "c.ini:4: route: \"weight\" belongs to a nexthop (nexthop via ADDR weight N)" },
	{ "onlink without dev", D "route = 10.0.0.0/24 via 10.1.1.1 onlink\n",
	  "c.ini:4: route: \"onlink\" needs \"via\" and \"dev\"" },
	{ "nexthop onlink without dev", D "route = 10.0.0.0/24 nexthop via 10.1.1.1 onlink nexthop via 10.1.1.2\n",
	  "c.ini:4: route: \"onlink\" in nexthop 1 needs \"via\" and \"dev\"" },
	{ "link-local gateway without dev", D "route = default via fe80::1\n",
	  "c.ini:4: route: via fe80::1 is link-local: name the link with \"dev\"" },
	{ "link-local reaches febf::", D "route = 2001:db8::/32 via febf::1\n",
	  "c.ini:4: route: via febf::1 is link-local: name the link with \"dev\"" },
	{ "link-local nexthop without dev", D "route = 2001:db8::/32 nexthop via fe80::1 dev lo nexthop via fe80::2\n",
	  "c.ini:4: route: via fe80::2 is link-local: name the link with \"dev\"" },
	{ "tos on IPv6", D "route = 2001:db8::/64 dev lo tos 4\n",
	  "c.ini:4: route: \"tos\" is not available for IPv6 routes" },
	{ "tos ECN bits", D "route = 10.0.0.0/24 dev lo tos 5\n",
	  "c.ini:4: route: tos 5 sets the ECN bits; the kernel accepts only DSCP values (multiples of 4)" },
	{ "tos range", D "route = 10.0.0.0/24 dev lo dsfield 256\n",
	  "c.ini:4: route: dsfield \"256\" is not a number from 0 to 255" },
	{ "scope on IPv6", D "route = 2001:db8::/64 dev lo scope link\n",
	  "c.ini:4: route: \"scope\" is not available for IPv6 routes (the kernel ignores it)" },
	{ "scope name", D "route = 10.0.0.0/24 dev lo scope galaxy\n",
	  "c.ini:4: route: scope \"galaxy\" is not global, site, link, host or a number from 0 to 255" },
	{ "mtu range", D "route = 10.0.0.0/24 dev lo mtu 67\n",
	  "c.ini:4: route: mtu \"67\" is not a number from 68 to 65535" },
	{ "mtu IPv6 minimum", D "route = 2001:db8::/64 dev lo mtu 1000\n",
	  "c.ini:4: route: mtu 1000 is below the IPv6 minimum of 1280" },
	{ "bad dev name", D "route = 10.0.0.0/24 dev a/b\n",
	  "c.ini:4: route: dev \"a/b\" is not a valid interface name: must not contain '/', ':', white space or control characters" },
	{ "dev not declared", D "route = 10.0.0.0/24 dev eth9\n",
	  "c.ini:4: route: dev \"eth9\" is not a link of domain a" },
	{ "nexthop dev not declared", D "route = 10.0.0.0/24 nexthop via 10.1.1.1 dev lo nexthop via 10.1.1.2 dev eth7\n",
	  "c.ini:4: route: dev \"eth7\" is not a link of domain a" },
	{ "host dev not published", G "[host]\nroute = 10.0.0.0/24 dev eth0\n",
	  "c.ini:4: route: dev \"eth0\" is not a link that vrfmgr manages in the host namespace" },
	{ "duplicate", D "route = 10.0.0.0/8 dev lo\nroute = 10.0.0.0/8 via 10.1.1.1\n",
	  "c.ini:5: route: duplicate route \"10.0.0.0/8 via 10.1.1.1\" (first at c.ini:4)" },
	{ "duplicate across spellings", D "route = 2001:db8::/32 dev lo\nroute = to 2001:db8::/32 dev lo metric 1024\n",
	  "c.ini:5: route: duplicate route \"2001:db8::/32 dev lo metric 1024\" (first at c.ini:4)" },
	{ "duplicate IPv6 metric 0", D "route = 2001:db8::/32 dev lo metric 0\nroute = 2001:db8::/32 via 2001:db8::1\n",
	  "c.ini:5: route: duplicate route \"2001:db8::/32 via 2001:db8::1\" (first at c.ini:4)" },
	{ "third of a kind names the first", D "route = 10.9.0.0/16 dev lo\nroute = 10.8.0.0/16 dev lo\n"
	  "route = 10.9.0.0/16 via 10.1.1.1\nroute = 10.9.0.0/16 via 10.1.1.2\n",
	  "c.ini:7: route: duplicate route \"10.9.0.0/16 via 10.1.1.2\" (first at c.ini:4)" },
};

/* Accepted lines and the plan text each must print as. */
static const struct {
	const char *line, *text;
} accepted[] = {
	{ "10.50.0.0/16 via 10.0.0.254 metric 20", "10.50.0.0/16 via 10.0.0.254 metric 20" },
	{ "default via 100.64.0.1", "default via 100.64.0.1" },
	{ "10.60.0.0/16 via 10.0.0.254 table 100", "10.60.0.0/16 via 10.0.0.254 table 100" },
	{ "blackhole 192.168.0.0/16", "blackhole 192.168.0.0/16" },
	{ "10.70.0.0/16 nexthop via 10.0.0.254 weight 2 nexthop via 10.0.0.253",
	  "10.70.0.0/16 nexthop via 10.0.0.253 weight 1 nexthop via 10.0.0.254 weight 2" },
	{ "unicast to 10.1.0.0/16 dev lo table main", "10.1.0.0/16 dev lo table main" },
	{ "10.2.0.0/16 dev lo table 0x64 metric 0x10", "10.2.0.0/16 dev lo table 100 metric 16" },
	{ "10.3.0.0/16 via 10.0.0.1 dev lo onlink scope global src 10.0.0.2 mtu 1400 tos 0x10",
	  "10.3.0.0/16 tos 16 via 10.0.0.1 dev lo onlink scope global src 10.0.0.2 mtu 1400" },
	{ "10.4.0.0/16 dev lo scope 17", "10.4.0.0/16 dev lo scope 17" },
	{ "unreachable default family inet6 table 200", "unreachable default family inet6 table 200" },
	{ "prohibit ::/0 table local", "prohibit default family inet6 table local" },
	{ "default via 2001:db8::1", "default via 2001:db8::1" },
	{ "2001:db8:1::/48 via 2001:db8::ff metric 0", "2001:db8:1::/48 via 2001:db8::ff metric 1024" },
	{ "10.5.0.1 dev lo preference 7", "10.5.0.1/32 dev lo metric 7" },
	{ "2001:db8:2::/64 nexthop via 2001:db8::1 dev lo weight 256 onlink nexthop dev lo",
	  "2001:db8:2::/64 nexthop dev lo weight 1 nexthop via 2001:db8::1 dev lo weight 256 onlink" },
	{ "10.6.0.0/16 via 10.0.0.1 table default", "10.6.0.0/16 via 10.0.0.1 table default" },
	{ "2001:db8:6::/48 via fe80::1 dev lo", "2001:db8:6::/48 via fe80::1 dev lo" },
	{ "2001:db8:7::/48 via fec0::1", "2001:db8:7::/48 via fec0::1" },
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

/* A scratch config and domain for calling the parser directly. */
static struct vrf_config scratch_cfg = { .route_protocol = VRF_DEFAULT_PROTO };

static struct route *parse_one(const char *value)
{
	static const struct vrf_loc loc = { "t.ini", 1 };
	struct rt_parse p = { .cfg = &scratch_cfg, .loc = &loc };
	struct vrf_words ws;

	if (vrf_words_split(&ws, value) < 0)
		return NULL;
	p.r = vrf_obj_new(&route_plugin, sizeof(struct route), &loc);
	if (rt_parse_words(&p, &ws) < 0) {
		route_free(&p.r->obj);
		p.r = NULL;
	}
	vrf_words_free(&ws);
	return p.r;
}

static char *fmt(const struct route *r)
{
	struct vrf_buf b = { 0 };
	char *s;

	route_format(&r->obj, &b);
	s = strdup(vrf_buf_str(&b));
	vrf_buf_free(&b);
	return s;
}

/* Every field, not just identity: format/parse must lose nothing. */
static bool same_route(const struct route *a, const struct route *b)
{
	if (memcmp(&a->dst, &b->dst, sizeof(a->dst)) || memcmp(&a->gw, &b->gw, sizeof(a->gw)) ||
	    memcmp(&a->src, &b->src, sizeof(a->src)) || a->type != b->type ||
	    a->scope != b->scope || a->tos != b->tos || a->flags != b->flags || a->has != b->has ||
	    a->n_nh != b->n_nh || a->table != b->table || a->metric != b->metric ||
	    a->mtu != b->mtu || strcmp(a->dev, b->dev))
		return false;
	for (unsigned i = 0; i < a->n_nh; i++)
		if (memcmp(&a->nh[i].gw, &b->nh[i].gw, sizeof(a->nh[i].gw)) ||
		    a->nh[i].flags != b->nh[i].flags || a->nh[i].weight != b->nh[i].weight ||
		    strcmp(a->nh[i].dev, b->nh[i].dev))
			return false;
	return true;
}

static void test_accepted(void)
{
	struct vrf_buf ini = { 0 };
	struct vrf_config *cfg;
	struct vrf_domain *d;
	size_t i, k = 0;

	vrf_buf_puts(&ini, D);
	for (i = 0; i < sizeof(accepted) / sizeof(*accepted); i++)
		vrf_buf_printf(&ini, "route = %s\n", accepted[i].line);
	cfg = kt_accept("every accepted spelling loads", vrf_buf_str(&ini));
	vrf_buf_free(&ini);
	if (!cfg)
		return;
	d = vrf_config_domain(cfg, "a");
	for (i = 0; d && i < d->objs.n; i++) {
		const struct route *r = CROUTE(d->objs.v[i]);
		struct route *again;
		char name[256], *text, *text2;

		if (strcmp(d->objs.v[i]->plugin->name, "route"))
			continue;
		text = fmt(r);
		snprintf(name, sizeof(name), "plan text of \"%s\"", accepted[k].line);
		check(!strcmp(text, accepted[k].text), name, text);
		again = parse_one(text);
		snprintf(name, sizeof(name), "parse(format(x)) == x for \"%s\"", accepted[k].line);
		check(again && same_route(r, again), name, text);
		if (again) {
			text2 = fmt(again);
			check(!strcmp(text, text2), "format is stable", text2);
			free(text2);
			route_free(&again->obj);
		}
		free(text);
		k++;
	}
	check(k == sizeof(accepted) / sizeof(*accepted), "every accepted line became one route", NULL);
	kt_roundtrip("config round trip with routes", cfg);
	vrf_config_free(cfg);
}

static void test_identity(void)
{
	static const struct {
		const char *a, *b;
		bool same_id, eq;
	} cases[] = {
		{ "10.0.0.0/24 via 10.1.1.1", "10.0.0.0/24 via 10.1.1.2", true, false },
		{ "10.0.0.0/24 via 10.1.1.1", "10.0.0.0/24 via 10.1.1.1 metric 0", true, true },
		{ "10.0.0.0/24 via 10.1.1.1", "10.0.0.0/24 via 10.1.1.1 metric 1", false, false },
		{ "10.0.0.0/24 via 10.1.1.1", "10.0.0.0/24 via 10.1.1.1 table 100", false, false },
		{ "10.0.0.0/24 via 10.1.1.1", "10.0.0.0/24 via 10.1.1.1 tos 4", false, false },
		{ "10.0.0.0/24 via 10.1.1.1", "10.0.0.0/25 via 10.1.1.1", false, false },
		{ "10.0.0.0/24 via 10.1.1.1", "blackhole 10.0.0.0/24", true, false },
		{ "2001:db8::/32 dev lo", "2001:db8::/32 dev lo metric 1024", true, true },
		{ "default dev lo", "default family inet6 dev lo", false, false },
		/* The file names no device: whatever the kernel chose is fine. */
		{ "10.0.0.0/24 via 10.1.1.1", "10.0.0.0/24 via 10.1.1.1 dev eth0", true, true },
		{ "10.0.0.0/24 via 10.1.1.1 dev eth1", "10.0.0.0/24 via 10.1.1.1 dev eth0", true, false },
		/* Only a config puts src and mtu on our routes: extra is drift. */
		{ "10.0.0.0/24 via 10.1.1.1", "10.0.0.0/24 via 10.1.1.1 src 10.1.1.9", true, false },
		{ "10.0.0.0/24 via 10.1.1.1", "10.0.0.0/24 via 10.1.1.1 mtu 1400", true, false },
		{ "10.0.0.0/24 dev lo", "10.0.0.0/24 dev lo scope link", true, true },
		{ "10.0.0.0/24 dev lo scope host", "10.0.0.0/24 dev lo scope link", true, false },
		{ "10.0.0.0/24 nexthop via 10.1.1.1 nexthop via 10.1.1.2",
		  "10.0.0.0/24 nexthop via 10.1.1.2 nexthop via 10.1.1.1", true, true },
		{ "10.0.0.0/24 nexthop via 10.1.1.1 nexthop via 10.1.1.2",
		  "10.0.0.0/24 nexthop via 10.1.1.1 weight 2 nexthop via 10.1.1.2", true, false },
		{ "10.0.0.0/24 nexthop via 10.1.1.1 nexthop via 10.1.1.2",
		  "10.0.0.0/24 nexthop via 10.1.1.1 nexthop via 10.1.1.2 nexthop via 10.1.1.3", true, false },
		{ "10.0.0.0/24 via 10.1.1.1 dev lo", "10.0.0.0/24 via 10.1.1.1 dev lo onlink", true, false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct route *a = parse_one(cases[i].a), *b = parse_one(cases[i].b);
		char name[300];

		snprintf(name, sizeof(name), "\"%s\" vs \"%s\": %s identity, %s", cases[i].a,
			 cases[i].b, cases[i].same_id ? "same" : "different",
			 cases[i].eq ? "equal" : "not equal");
		if (!a || !b) {
			check(false, name, "did not parse");
		} else {
			bool same = route_compare(&a->obj, &b->obj) == 0 &&
				    route_compare(&b->obj, &a->obj) == 0;
			bool eq = same && route_equal(&a->obj, &b->obj);

			check(same == cases[i].same_id && eq == cases[i].eq, name, NULL);
			if (!same)
				check((route_compare(&a->obj, &b->obj) < 0) ==
				      (route_compare(&b->obj, &a->obj) > 0), "compare is antisymmetric", name);
		}
		if (a)
			route_free(&a->obj);
		if (b)
			route_free(&b->obj);
	}
}

/* ---- netlink encoding ---- */

struct attrs {
	const struct nlattr *tb[RTA_MAX + 1];
};

static int attr_cb(const struct nlattr *attr, void *data)
{
	struct attrs *a = data;

	if (mnl_attr_get_type(attr) <= RTA_MAX)
		a->tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static struct nlmsghdr *encode(char *buf, const struct route *r, bool del, const int *ifidx)
{
	struct nlmsghdr *nlh;

	memset(buf, 0, 8192);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = del ? RTM_DELROUTE : RTM_NEWROUTE;
	route_encode(nlh, r, del, 250, ifidx);
	return nlh;
}

static void test_encoding(void)
{
	static char buf[8192];
	static const int ifidx[] = { 7, 11, 12 };
	struct route *r;
	struct nlmsghdr *nlh;
	const struct rtmsg *rtm;
	struct attrs a;
	uint8_t v4[4];

	r = parse_one("10.50.0.0/16 via 10.0.0.254 dev up0 metric 20 table 1000 src 10.0.0.1 mtu 1400");
	nlh = encode(buf, r, false, ifidx);
	rtm = mnl_nlmsg_get_payload(nlh);
	memset(&a, 0, sizeof(a));
	mnl_attr_parse(nlh, sizeof(*rtm), attr_cb, &a);
	check(rtm->rtm_family == AF_INET && rtm->rtm_dst_len == 16 && rtm->rtm_protocol == 250 &&
	      rtm->rtm_type == RTN_UNICAST && rtm->rtm_scope == RT_SCOPE_UNIVERSE &&
	      rtm->rtm_table == RT_TABLE_UNSPEC, "rtmsg header of a unicast route", NULL);
	check(a.tb[RTA_TABLE] && mnl_attr_get_u32(a.tb[RTA_TABLE]) == 1000, "RTA_TABLE carries a table above 255", NULL);
	inet_pton(AF_INET, "10.50.0.0", v4);
	check(a.tb[RTA_DST] && mnl_attr_get_payload_len(a.tb[RTA_DST]) == 4 &&
	      !memcmp(mnl_attr_get_payload(a.tb[RTA_DST]), v4, 4), "RTA_DST", NULL);
	inet_pton(AF_INET, "10.0.0.254", v4);
	check(a.tb[RTA_GATEWAY] && !memcmp(mnl_attr_get_payload(a.tb[RTA_GATEWAY]), v4, 4), "RTA_GATEWAY", NULL);
	check(a.tb[RTA_PRIORITY] && mnl_attr_get_u32(a.tb[RTA_PRIORITY]) == 20, "RTA_PRIORITY", NULL);
	check(a.tb[RTA_OIF] && mnl_attr_get_u32(a.tb[RTA_OIF]) == 7, "RTA_OIF from the resolved device", NULL);
	inet_pton(AF_INET, "10.0.0.1", v4);
	check(a.tb[RTA_PREFSRC] && !memcmp(mnl_attr_get_payload(a.tb[RTA_PREFSRC]), v4, 4), "RTA_PREFSRC", NULL);
	if (a.tb[RTA_METRICS]) {
		const struct nlattr *m;
		uint32_t mtu = 0;

		mnl_attr_for_each_nested(m, a.tb[RTA_METRICS])
			if (mnl_attr_get_type(m) == RTAX_MTU)
				mtu = mnl_attr_get_u32(m);
		check(mtu == 1400, "RTA_METRICS carries RTAX_MTU", NULL);
	} else {
		check(false, "RTA_METRICS carries RTAX_MTU", "no RTA_METRICS");
	}

	/* A deletion names identity and protocol only: never a gateway that
	 * could make the kernel pick a foreign route, any type, any scope. */
	nlh = encode(buf, r, true, ifidx);
	rtm = mnl_nlmsg_get_payload(nlh);
	memset(&a, 0, sizeof(a));
	mnl_attr_parse(nlh, sizeof(*rtm), attr_cb, &a);
	check(nlh->nlmsg_type == RTM_DELROUTE && rtm->rtm_protocol == 250 &&
	      rtm->rtm_scope == RT_SCOPE_NOWHERE && rtm->rtm_type == RTN_UNSPEC &&
	      a.tb[RTA_TABLE] && a.tb[RTA_DST] && a.tb[RTA_PRIORITY] && !a.tb[RTA_GATEWAY] &&
	      !a.tb[RTA_OIF] && !a.tb[RTA_PREFSRC] && !a.tb[RTA_METRICS],
	      "a deletion carries identity and protocol only", NULL);
	route_free(&r->obj);

	r = parse_one("10.70.0.0/16 nexthop via 10.0.0.254 dev b weight 2 nexthop via 10.0.0.253 dev a");
	nlh = encode(buf, r, false, ifidx);
	rtm = mnl_nlmsg_get_payload(nlh);
	memset(&a, 0, sizeof(a));
	mnl_attr_parse(nlh, sizeof(*rtm), attr_cb, &a);
	check(!a.tb[RTA_GATEWAY] && !a.tb[RTA_OIF] && a.tb[RTA_MULTIPATH], "multipath: RTA_MULTIPATH, no single gateway", NULL);
	if (a.tb[RTA_MULTIPATH]) {
		const struct rtnexthop *nh = mnl_attr_get_payload(a.tb[RTA_MULTIPATH]);
		int len = mnl_attr_get_payload_len(a.tb[RTA_MULTIPATH]);
		unsigned n = 0, hops[2] = { 0 }, idx[2] = { 0 };

		while (RTNH_OK(nh, len) && n < 2) {
			hops[n] = nh->rtnh_hops;
			idx[n] = (unsigned)nh->rtnh_ifindex;
			n++;
			len -= RTNH_ALIGN(nh->rtnh_len);
			nh = RTNH_NEXT(nh);
		}
		/* Sorted by gateway: .253 (dev a, weight 1) then .254 (dev b, weight 2). */
		check(n == 2 && len == 0 && hops[0] == 0 && hops[1] == 1 && idx[0] == 11 && idx[1] == 12,
		      "rtnexthop: weight - 1 in rtnh_hops, ifindex per hop, in gateway order", NULL);
	}
	route_free(&r->obj);

	r = parse_one("blackhole default family inet6 table 200");
	nlh = encode(buf, r, false, ifidx);
	rtm = mnl_nlmsg_get_payload(nlh);
	memset(&a, 0, sizeof(a));
	mnl_attr_parse(nlh, sizeof(*rtm), attr_cb, &a);
	check(rtm->rtm_family == AF_INET6 && rtm->rtm_type == RTN_BLACKHOLE && rtm->rtm_dst_len == 0 &&
	      rtm->rtm_table == 200 && !a.tb[RTA_DST] && a.tb[RTA_PRIORITY] &&
	      mnl_attr_get_u32(a.tb[RTA_PRIORITY]) == 1024 && !a.tb[RTA_OIF],
	      "IPv6 blackhole default: no RTA_DST, kernel's metric 1024", NULL);
	route_free(&r->obj);

	r = parse_one("10.9.0.0/16 dev x");
	nlh = encode(buf, r, false, ifidx);
	rtm = mnl_nlmsg_get_payload(nlh);
	check(rtm->rtm_scope == RT_SCOPE_LINK, "a route without gateway is scope link, as ip(8) makes it", NULL);
	route_free(&r->obj);
}

/* Encode, then decode with observe()'s own callback: the object read back
 * must be the same route (compare 0, equal) and print the same text. */
static void test_symmetry(void)
{
	static const char *const lines[] = {
		"10.50.0.0/16 via 10.0.0.254 dev up0 metric 20",
		"default via 100.64.0.1 dev up0",
		"10.60.0.0/16 via 10.0.0.254 dev up0 table 100",
		"10.61.0.0/16 via 10.0.0.254 dev up0 table 100000 tos 8 src 10.0.0.1 mtu 1280",
		"blackhole 192.168.0.0/16",
		"unreachable 192.169.0.0/16 metric 5",
		"prohibit default family inet6 table 7",
		"10.70.0.0/16 nexthop via 10.0.0.253 dev up0 weight 1 nexthop via 10.0.0.254 dev up0 weight 2",
		"10.71.0.0/16 via 10.0.0.1 dev up0 onlink",
		"10.72.0.0/16 dev up0 scope host",
		"2001:db8:1::/48 via 2001:db8::ff dev up0",
		"2001:db8:2::/48 nexthop via 2001:db8::1 dev up0 weight 3 nexthop via 2001:db8::2 dev up0",
		"2001:db8:3::/48 dev up0 metric 77 src 2001:db8::5 mtu 1500",
	};
	static char buf[8192];
	static const int ifidx[] = { 5, 5, 5 };

	for (size_t i = 0; i < sizeof(lines) / sizeof(*lines); i++) {
		struct vrf_objv out = { 0 };
		struct rt_obs o = { .out = &out, .proto = 250, .ifc = { .fd = -1 } };
		struct route *want = parse_one(lines[i]);
		struct nlmsghdr *nlh;
		char name[300], *a = NULL, *b = NULL;
		bool ok;

		vrf_ifc_add(&o.ifc, 5, "up0");
		nlh = encode(buf, want, false, ifidx);
		ok = rt_obs_cb(nlh, &o) == 0 && out.n == 1;
		if (ok) {
			a = fmt(want);
			b = fmt(CROUTE(out.v[0]));
			ok = route_compare(&want->obj, out.v[0]) == 0 && route_equal(&want->obj, out.v[0]) &&
			     !strcmp(a, b);
		}
		snprintf(name, sizeof(name), "encode -> observe gives back \"%s\"", lines[i]);
		check(ok, name, b);

		/* The same message with another protocol is not ours. */
		((struct rtmsg *)mnl_nlmsg_get_payload(nlh))->rtm_protocol = RTPROT_STATIC;
		rt_obs_cb(nlh, &o);
		snprintf(name, sizeof(name), "proto static is ignored: \"%s\"", lines[i]);
		check(out.n == 1, name, NULL);
		for (size_t k = 0; k < out.n; k++)
			route_free(out.v[k]);
		vrf_objv_clear(&out);
		vrf_ifc_free(&o.ifc);
		free(a);
		free(b);
		route_free(&want->obj);
	}
}

/* A multipath route whose RTA_MULTIPATH is the last byte of the buffer, as
 * at the end of a dump: the walk of its nexthops must stop at the end
 * without reading a header that is not there (the sanitizer build sees an
 * over-read; fuzz-nlmsg found it). */
static void test_multipath_at_end(void)
{
	static char buf[8192];
	static const int ifidx[] = { 5, 5, 5 };
	struct route *want = parse_one("10.70.0.0/16 nexthop via 10.0.0.253 dev up0 "
				       "nexthop via 10.0.0.254 dev up0 weight 2");
	struct vrf_objv out = { 0 };
	struct rt_obs o = { .out = &out, .proto = 250, .ifc = { .fd = -1 } };
	struct nlmsghdr *nlh = encode(buf, want, false, ifidx), *exact;

	vrf_ifc_add(&o.ifc, 5, "up0");
	exact = malloc(nlh->nlmsg_len);
	memcpy(exact, nlh, nlh->nlmsg_len);
	check(rt_obs_cb(exact, &o) == 0 && out.n == 1 && CROUTE(out.v[0])->n_nh == 2,
	      "multipath at the very end of the buffer: both nexthops, nothing read past it",
	      NULL);
	for (size_t k = 0; k < out.n; k++)
		route_free(out.v[k]);
	vrf_objv_clear(&out);
	vrf_ifc_free(&o.ifc);
	free(exact);
	route_free(&want->obj);
}

int main(void)
{
	kt_tmpdir();
	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++)
		kt_refuse(refused[i].name, refused[i].ini, refused[i].line);
	test_accepted();
	test_identity();
	test_encoding();
	test_symmetry();
	test_multipath_at_end();
	printf("%d checks, %d failed\n", n_tests, fails);
	return kt_done() || fails ? 1 : 0;
}
