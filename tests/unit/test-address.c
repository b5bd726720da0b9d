/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The address key without root: refusals with their exact FILE:LINE
 * message, plan text and format -> parse round trip, identity against
 * attributes, the netlink encoding, and observe()'s ownership rules applied
 * to messages shaped like the kernel's dump (which addresses vrfmgr owns and
 * which it must never return, so never delete).
 */
#include <arpa/inet.h>

#include "keytest.h"
#undef VRF_PLUGIN_REGISTER
#define VRF_PLUGIN_REGISTER(p)
#include "../../plugins/address.c"

#define G "[global]\nnetns_dir = /run/netns\n"
#define D G "[domain a]\n"

static const struct {
	const char *name, *ini, *line;
} refused[] = {
	{ "not an address", D "address = dev lo\n",
	  "c.ini:4: address: \"dev\" is not an IPv4 or IPv6 address (such as 10.0.0.1/24)" },
	{ "bad address", D "address = 10.0.0.256/24 dev lo\n",
	  "c.ini:4: address: \"10.0.0.256/24\" is not an IPv4 or IPv6 address (such as 10.0.0.1/24)" },
	{ "bad length", D "address = 2001:db8::1/129 dev lo\n",
	  "c.ini:4: address: \"2001:db8::1/129\" is not an IPv4 or IPv6 address (such as 10.0.0.1/24)" },
	{ "unspecified", D "address = 0.0.0.0/0 dev lo\n",
	  "c.ini:4: address: 0.0.0.0/0 is the unspecified address, not an interface address" },
	{ "unspecified v6", D "address = ::/64 dev lo\n",
	  "c.ini:4: address: ::/64 is the unspecified address, not an interface address" },
	{ "missing dev", D "address = 10.0.0.1/24\n",
	  "c.ini:4: address: missing \"dev NAME\" (the link that carries 10.0.0.1/24)" },
	{ "dev without name", D "address = 10.0.0.1/24 dev\n",
	  "c.ini:4: address: \"dev\" needs a value" },
	{ "dev twice", D "address = 10.0.0.1/24 dev lo dev lo\n",
	  "c.ini:4: address: \"dev\" is given twice" },
	{ "noprefixroute twice", D "address = 10.0.0.1/24 noprefixroute dev lo noprefixroute\n",
	  "c.ini:4: address: \"noprefixroute\" is given twice" },
	{ "unknown word", D "address = 10.0.0.1/24 dev lo peer 10.0.0.2\n",
	  "c.ini:4: address: unknown word \"peer\"" },
	{ "bad dev name", D "address = 10.0.0.1/24 dev eth0:1\n",
	  "c.ini:4: address: dev \"eth0:1\" is not a valid interface name: must not contain '/', ':', white space or control characters" },
	{ "kernel's IPv4 loopback", D "address = 127.0.0.1/8 dev lo\n",
	  "c.ini:4: address: 127.0.0.1/8 on lo is made by the kernel; leave it out" },
	{ "kernel's IPv6 loopback", D "address = ::1 dev lo\n",
	  "c.ini:4: address: ::1/128 on lo is made by the kernel; leave it out" },
	{ "dev not declared", D "address = 10.0.0.1/24 dev eth0\n",
	  "c.ini:4: address: dev \"eth0\" is not a link of domain a" },
	{ "host interface not published", G "[host]\naddress = 10.0.0.1/24 dev eth0\n",
	  "c.ini:4: address: dev \"eth0\" is not a link that vrfmgr manages in the host namespace" },
	{ "duplicate", D "address = 10.0.0.1/24 dev lo\naddress = 10.0.0.1/24 dev lo noprefixroute\n",
	  "c.ini:5: address: duplicate address \"10.0.0.1/24 dev lo noprefixroute\" (first at c.ini:4)" },
	{ "duplicate, bare and /32", D "address = 10.0.0.1/32 dev lo\naddress = 10.0.0.1 dev lo\n",
	  "c.ini:5: address: duplicate address \"10.0.0.1/32 dev lo\" (first at c.ini:4)" },
};

static const struct {
	const char *line, *text;
} accepted[] = {
	{ "10.0.0.1/24 dev lo", "10.0.0.1/24 dev lo" },
	{ "10.0.0.1 dev lo", "10.0.0.1/32 dev lo" },
	{ "10.0.0.1/16 dev lo", "10.0.0.1/16 dev lo" },
	{ "2001:db8::1/64 dev lo noprefixroute", "2001:db8::1/64 dev lo noprefixroute" },
	{ "10.0.0.3/24 noprefixroute dev lo", "10.0.0.3/24 dev lo noprefixroute" },
	{ "fe80::1/64 dev lo", "fe80::1/64 dev lo" },
	{ "127.0.0.2/8 dev lo", "127.0.0.2/8 dev lo" },
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

/* Parse one value through the plugin into a scratch domain. */
static struct address *parse_one(const char *value)
{
	static const struct vrf_loc loc = { "t.ini", 1 };
	struct vrf_domain d = { .name = "a" };
	struct address *ad = NULL;

	if (address_parse(scratch, &d, &loc, "address", value) == 0 && d.objs.n == 1)
		ad = (struct address *)d.objs.v[0];
	vrf_objv_clear(&d.objs);
	return ad;
}

static char *fmt(const struct address *ad)
{
	struct vrf_buf b = { 0 };
	char *s;

	address_format(&ad->obj, &b);
	s = strdup(vrf_buf_str(&b));
	vrf_buf_free(&b);
	return s;
}

static void test_accepted(void)
{
	struct vrf_buf ini = { 0 };
	struct vrf_config *cfg;
	struct vrf_domain *d;
	size_t i, k = 0;

	vrf_buf_puts(&ini, D);
	for (i = 0; i < sizeof(accepted) / sizeof(*accepted); i++)
		vrf_buf_printf(&ini, "address = %s\n", accepted[i].line);
	cfg = kt_accept("every accepted spelling loads", vrf_buf_str(&ini));
	vrf_buf_free(&ini);
	if (!cfg)
		return;
	d = vrf_config_domain(cfg, "a");
	for (i = 0; d && i < d->objs.n; i++) {
		const struct address *ad = CADDR(d->objs.v[i]);
		struct address *again;
		char name[256], *text;

		if (strcmp(d->objs.v[i]->plugin->name, "address"))
			continue;
		text = fmt(ad);
		snprintf(name, sizeof(name), "plan text of \"%s\"", accepted[k].line);
		check(!strcmp(text, accepted[k].text), name, text);
		again = parse_one(text);
		snprintf(name, sizeof(name), "parse(format(x)) == x for \"%s\"", accepted[k].line);
		check(again && !memcmp(&again->a, &ad->a, sizeof(ad->a)) && again->flags == ad->flags &&
		      !strcmp(again->dev, ad->dev), name, text);
		free(again);
		free(text);
		k++;
	}
	check(k == sizeof(accepted) / sizeof(*accepted), "every accepted line became one address", NULL);
	kt_roundtrip("config round trip with addresses", cfg);
	vrf_config_free(cfg);
}

static void test_identity(void)
{
	static const struct {
		const char *a, *b;
		bool same_id, eq;
	} cases[] = {
		{ "10.0.0.1/24 dev lo", "10.0.0.1/24 dev lo", true, true },
		{ "10.0.0.1/24 dev lo", "10.0.0.1/24 dev lo noprefixroute", true, false },
		{ "10.0.0.1/24 dev lo", "10.0.0.1/25 dev lo", false, false },
		{ "10.0.0.1/24 dev lo", "10.0.0.2/24 dev lo", false, false },
		{ "10.0.0.1/24 dev lo", "10.0.0.1/24 dev up0", false, false },
		{ "::a:1/64 dev lo", "10.0.0.1/24 dev lo", false, false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct address *a = parse_one(cases[i].a), *b = parse_one(cases[i].b);
		char name[300];
		bool same, eq;

		snprintf(name, sizeof(name), "\"%s\" vs \"%s\": %s identity, %s", cases[i].a,
			 cases[i].b, cases[i].same_id ? "same" : "different",
			 cases[i].eq ? "equal" : "not equal");
		if (!a || !b) {
			check(false, name, "did not parse");
		} else {
			same = address_compare(&a->obj, &b->obj) == 0;
			eq = same && address_equal(&a->obj, &b->obj);
			check(same == cases[i].same_id && eq == cases[i].eq &&
			      (address_compare(&a->obj, &b->obj) < 0) == (address_compare(&b->obj, &a->obj) > 0),
			      name, NULL);
		}
		free(a);
		free(b);
	}
}

/* ---- netlink ---- */

struct attrs {
	const struct nlattr *tb[IFA_MAX + 1];
};

static int attr_cb(const struct nlattr *attr, void *data)
{
	struct attrs *a = data;

	if (mnl_attr_get_type(attr) <= IFA_MAX)
		a->tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static char buf[8192];

static struct nlmsghdr *encode(const struct address *ad, bool del, int ifindex)
{
	struct nlmsghdr *nlh;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = del ? RTM_DELADDR : RTM_NEWADDR;
	address_encode(nlh, ad, del, ifindex);
	return nlh;
}

static void test_encoding(void)
{
	struct address *ad = parse_one("2001:db8::1/64 dev up0 noprefixroute");
	struct nlmsghdr *nlh = encode(ad, false, 9);
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct attrs a = { 0 };
	uint8_t v6[16], v4[4];

	mnl_attr_parse(nlh, sizeof(*ifa), attr_cb, &a);
	inet_pton(AF_INET6, "2001:db8::1", v6);
	check(ifa->ifa_family == AF_INET6 && ifa->ifa_prefixlen == 64 && ifa->ifa_index == 9,
	      "ifaddrmsg: family, length, ifindex", NULL);
	check(a.tb[IFA_LOCAL] && a.tb[IFA_ADDRESS] && !memcmp(mnl_attr_get_payload(a.tb[IFA_LOCAL]), v6, 16) &&
	      !memcmp(mnl_attr_get_payload(a.tb[IFA_ADDRESS]), v6, 16), "IFA_LOCAL and IFA_ADDRESS", NULL);
	check(a.tb[IFA_FLAGS] && mnl_attr_get_u32(a.tb[IFA_FLAGS]) == (IFA_F_NODAD | IFA_F_NOPREFIXROUTE) &&
	      ifa->ifa_flags == IFA_F_NODAD, "IPv6: nodad (usable at once) and noprefixroute", NULL);
	nlh = encode(ad, true, 9);
	memset(&a, 0, sizeof(a));
	mnl_attr_parse(nlh, sizeof(*ifa), attr_cb, &a);
	check(a.tb[IFA_LOCAL] && !a.tb[IFA_FLAGS] && ifa->ifa_index == 9, "a deletion names the address only", NULL);
	free(ad);

	ad = parse_one("127.0.0.2/8 dev lo");
	nlh = encode(ad, false, 1);
	ifa = mnl_nlmsg_get_payload(nlh);
	memset(&a, 0, sizeof(a));
	mnl_attr_parse(nlh, sizeof(*ifa), attr_cb, &a);
	inet_pton(AF_INET, "127.0.0.2", v4);
	check(ifa->ifa_scope == RT_SCOPE_HOST && a.tb[IFA_FLAGS] && mnl_attr_get_u32(a.tb[IFA_FLAGS]) == 0 &&
	      !memcmp(mnl_attr_get_payload(a.tb[IFA_LOCAL]), v4, 4),
	      "IPv4 loopback address: scope host, no nodad", NULL);
	free(ad);
}

/* Decode a message as observe() would, with the given ownership of the
 * device and extra kernel flags; returns the objects found (0 or 1). */
static size_t observe_one(const char *line, int owned, bool host, uint32_t add_flags,
			  const struct address **want, size_t n_want, bool *ret_equal)
{
	struct vrf_objv out = { 0 };
	struct ad_obs o = { .out = &out, .host = host, .want = want, .n_want = n_want, .ifc = { .fd = -1 } };
	struct address *ad = parse_one(line);
	struct nlmsghdr *nlh;
	struct attrs a = { 0 };
	size_t n;
	int k;

	k = vrf_ifc_add(&o.ifc, 3, ad->dev);
	o.ifc.e[k].tag = owned;
	nlh = encode(ad, false, 3);
	mnl_attr_parse(nlh, sizeof(struct ifaddrmsg), attr_cb, &a);
	if (a.tb[IFA_FLAGS])
		*(uint32_t *)mnl_attr_get_payload(a.tb[IFA_FLAGS]) |= add_flags;
	ad_obs_cb(nlh, &o);
	n = out.n;
	if (ret_equal)
		*ret_equal = n == 1 && address_compare(&ad->obj, out.v[0]) == 0 &&
			     address_equal(&ad->obj, out.v[0]);
	for (size_t i = 0; i < out.n; i++)
		address_free(out.v[i]);
	vrf_objv_clear(&out);
	vrf_ifc_free(&o.ifc);
	free(ad);
	return n;
}

static void test_observe(void)
{
	struct address *fe80 = parse_one("fe80::1/64 dev up0");
	struct address *hostlo = parse_one("192.0.2.1/32 dev lo");
	const struct address *want_fe80[] = { fe80 }, *want_lo[] = { hostlo };
	bool eq = false;

	check(observe_one("10.0.0.1/24 dev up0", 1, false, 0, NULL, 0, &eq) == 1 && eq,
	      "an IPv4 address on a declared link is read back equal", NULL);
	check(observe_one("10.0.0.1/24 dev up0 noprefixroute", 1, false, 0, NULL, 0, &eq) == 1 && eq,
	      "noprefixroute is read back", NULL);
	check(observe_one("2001:db8::1/64 dev up0", 1, false, IFA_F_PERMANENT, NULL, 0, &eq) == 1 && eq,
	      "a permanent IPv6 address on a declared link is owned", NULL);
	check(observe_one("2001:db8::1/64 dev up0", 1, false, 0, NULL, 0, NULL) == 0,
	      "an IPv6 address the kernel configured (not permanent) is not owned", NULL);
	check(observe_one("10.0.0.1/24 dev eth0", 0, false, 0, NULL, 0, NULL) == 0,
	      "an address on an undeclared link is not owned", NULL);
	check(observe_one("fe80::2/64 dev up0", 1, false, IFA_F_PERMANENT, NULL, 0, NULL) == 0,
	      "the kernel's link-local address is not owned", NULL);
	check(observe_one("fe80::1/64 dev up0", 1, false, IFA_F_PERMANENT, want_fe80, 1, &eq) == 1 && eq,
	      "a link-local address the file declares is kept", NULL);
	check(observe_one("2001:db8::1/64 dev lo", 1, false, IFA_F_PERMANENT, NULL, 0, NULL) == 1,
	      "an address on a domain's lo is owned", NULL);
	check(observe_one("192.0.2.1/32 dev lo", 0, true, 0, NULL, 0, NULL) == 0,
	      "host lo: an address the file does not declare is never touched", NULL);
	check(observe_one("192.0.2.1/32 dev lo", 0, true, 0, want_lo, 1, &eq) == 1 && eq,
	      "host lo: a declared address is seen, so it is not added twice", NULL);
	free(fe80);
	free(hostlo);
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
	test_observe();
	vrf_config_free(scratch);
	printf("%d checks, %d failed\n", n_tests, fails);
	return kt_done() || fails ? 1 : 0;
}
