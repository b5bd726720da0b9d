/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The link key without root: every refusal with its exact FILE:LINE message,
 * the spellings that must be accepted, the kind table, the plan text and the
 * diff decisions on hand-made live objects, and the netlink requests that
 * create each kind (dummy and vlan above all, which the test kernel cannot
 * create). */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include "keytest.h"
#include "../../plugins/link.h"

#define G "[global]\nnetns_dir = /run/netns\n"

static const struct {
	const char *name, *ini, *line;
} refused[] = {
	/* names */
	{ "unbalanced quote", G "[domain a]\nlink = \"x type dummy\n",
	  "c.ini:4: link: cannot split \"\"x type dummy\" into words (unbalanced quote?)" },
	{ "name too long", G "[domain a]\nlink = abcdefghijklmnop type dummy\n",
	  "c.ini:4: invalid link name \"abcdefghijklmnop\": must be 1 to 15 bytes (IFNAMSIZ)" },
	{ "name with slash", G "[domain a]\nlink = a/b type dummy\n",
	  "c.ini:4: invalid link name \"a/b\": must not contain '/', ':', white space or control characters" },
	{ "name with colon", G "[domain a]\nlink = a:1 type dummy\n",
	  "c.ini:4: invalid link name \"a:1\": must not contain '/', ':', white space or control characters" },
	{ "name with a space (quoted)", G "[domain a]\nlink = \"a b\" type dummy\n",
	  "c.ini:4: invalid link name \"a b\": must not contain '/', ':', white space or control characters" },
	{ "name dot-dot", G "[domain a]\nlink = .. type dummy\n",
	  "c.ini:4: invalid link name \"..\": must not be \".\" or \"..\"" },
	{ "name lo", G "[domain a]\nlink = lo type dummy\n",
	  "c.ini:4: invalid link name \"lo\": the loopback device exists in every namespace" },
	{ "no type", G "[domain a]\nlink = x dummy\n",
	  "c.ini:4: link \"x\": expected \"type KIND\" after the name" },
	{ "type without kind", G "[domain a]\nlink = x type\n",
	  "c.ini:4: link \"x\": expected \"type KIND\" after the name" },
	{ "unknown kind", G "[domain a]\nlink = x type wireguard\n",
	  "c.ini:4: link \"x\": unknown link kind \"wireguard\" (veth, macvlan, vlan, bridge, vxlan, dummy or physical)" },
	{ "physical in host", G "[host]\nlink = eth0 type physical\n",
	  "c.ini:4: link \"eth0\": a physical link cannot be declared in [host]: the NIC is there already" },
	/* common options */
	{ "unknown option", G "[domain a]\nlink = x type dummy peer y\n",
	  "c.ini:4: link \"x\": unknown option \"peer\" for a dummy link" },
	{ "option twice", G "[domain a]\nlink = x type dummy mtu 1400 mtu 1500\n",
	  "c.ini:4: link \"x\": \"mtu\" is given twice" },
	{ "down twice", G "[domain a]\nlink = x type dummy down down\n",
	  "c.ini:4: link \"x\": \"down\" is given twice" },
	{ "option without value", G "[domain a]\nlink = x type dummy mtu\n",
	  "c.ini:4: link \"x\": \"mtu\" needs a value" },
	{ "mtu too small", G "[domain a]\nlink = x type dummy mtu 67\n",
	  "c.ini:4: link \"x\": mtu \"67\" is not a number in 68..65535" },
	{ "mtu too large", G "[domain a]\nlink = x type dummy mtu 65536\n",
	  "c.ini:4: link \"x\": mtu \"65536\" is not a number in 68..65535" },
	{ "mtu not a number", G "[domain a]\nlink = x type dummy mtu 1.5k\n",
	  "c.ini:4: link \"x\": mtu \"1.5k\" is not a number in 68..65535" },
	{ "mac malformed", G "[domain a]\nlink = x type dummy mac 02:00:00:00:00\n",
	  "c.ini:4: link \"x\": mac \"02:00:00:00:00\" is not an address like 02:00:00:00:00:01" },
	{ "mac with bad digits", G "[domain a]\nlink = x type dummy mac 02:00:00:00:00:0g\n",
	  "c.ini:4: link \"x\": mac \"02:00:00:00:00:0g\" is not an address like 02:00:00:00:00:01" },
	{ "mac multicast", G "[domain a]\nlink = x type dummy mac 01:00:5e:00:00:01\n",
	  "c.ini:4: link \"x\": mac 01:00:5e:00:00:01 is a multicast address" },
	{ "mac zero", G "[domain a]\nlink = x type dummy mac 00:00:00:00:00:00\n",
	  "c.ini:4: link \"x\": mac 00:00:00:00:00:00 is all zero" },
	{ "master bad name", G "[domain a]\nlink = x type dummy master a/b\n",
	  "c.ini:4: link \"x\": invalid master name \"a/b\": must not contain '/', ':', white space or control characters" },
	{ "bridge with master", G "[domain a]\nlink = br1 type bridge\nlink = br0 type bridge master br1\n",
	  "c.ini:5: link \"br0\": a bridge cannot have a master" },
	/* veth */
	{ "veth without peer", G "[domain a]\nlink = x type veth\n",
	  "c.ini:4: link \"x\": a veth needs \"peer NAME\"" },
	{ "veth peer bad name", G "[domain a]\nlink = x type veth peer abcdefghijklmnop\n",
	  "c.ini:4: link \"x\": invalid peer name \"abcdefghijklmnop\": must be 1 to 15 bytes (IFNAMSIZ)" },
	{ "veth peer lo", G "[domain a]\nlink = x type veth peer lo\n",
	  "c.ini:4: link \"x\": invalid peer name \"lo\": the loopback device exists in every namespace" },
	{ "veth peer-netns bad name", G "[domain a]\nlink = x type veth peer y peer-netns a/b\n",
	  "c.ini:4: link \"x\": invalid peer-netns \"a/b\": the domain name contains \"/\" (byte 0x2f), but may contain only ASCII letters, digits, '_', '.' and '-'" },
	{ "veth peer-netns itself", G "[domain a]\nlink = x type veth peer y peer-netns a\n",
	  "c.ini:4: link \"x\": peer-netns a is this domain itself; a veth joins two namespaces" },
	{ "veth peer with its own name", G "[host]\nlink = x type veth peer x\n",
	  "c.ini:4: link \"x\": the peer has the link's own name in the same namespace" },
	{ "veth peer-netns unknown", G "[domain a]\nlink = x type veth peer y peer-netns nowhere\n",
	  "c.ini:4: link \"x\": peer-netns \"nowhere\" is not a domain of this file" },
	{ "veth peer taken in the host", G "[host]\nlink = up0 type bridge\n[domain a]\nlink = x type veth peer up0\n",
	  "c.ini:6: duplicate dev \"up0\" in host (first at c.ini:4)" },
	{ "veth peer taken in the peer domain", G "[domain a]\nlink = x type veth peer y peer-netns b\n"
	  "[domain b]\nlink = y type bridge\n",
	  "c.ini:6: duplicate dev \"y\" in domain b (first at c.ini:4)" },
	{ "same link twice", G "[domain a]\nlink = x type dummy\nlink = x type bridge\n",
	  "c.ini:5: duplicate dev \"x\" in domain a (first at c.ini:4)" },
	/* macvlan */
	{ "macvlan without parent", G "[domain a]\nlink = x type macvlan mode bridge\n",
	  "c.ini:4: link \"x\": a macvlan needs \"parent DEV\"" },
	{ "macvlan bad mode", G "[domain a]\nlink = x type macvlan parent lo mode source\n",
	  "c.ini:4: link \"x\": macvlan mode \"source\" is not private, vepa, bridge or passthru" },
	{ "macvlan missing parent device", G "[domain a]\nlink = x type macvlan parent nosuchdev9\n",
	  "c.ini:4: link \"x\": missing parent device \"nosuchdev9\": not declared in [host] and not present in the host namespace" },
	/* vlan */
	{ "vlan without parent", G "[domain a]\nlink = x type vlan id 5\n",
	  "c.ini:4: link \"x\": a vlan needs \"parent DEV\"" },
	{ "vlan without id", G "[domain a]\nlink = x type vlan parent lo\n",
	  "c.ini:4: link \"x\": a vlan needs \"id N\"" },
	{ "vlan id 0", G "[domain a]\nlink = x type vlan parent lo id 0\n",
	  "c.ini:4: link \"x\": vlan id \"0\" is not a number in 1..4094" },
	{ "vlan id 4095", G "[domain a]\nlink = x type vlan parent lo id 4095\n",
	  "c.ini:4: link \"x\": vlan id \"4095\" is not a number in 1..4094" },
	{ "vlan bad protocol", G "[domain a]\nlink = x type vlan parent lo id 5 protocol 802.1x\n",
	  "c.ini:4: link \"x\": vlan protocol \"802.1x\" is not 802.1q or 802.1ad" },
	{ "vlan missing parent device", G "[domain a]\nlink = x type vlan parent nosuchdev9 id 7\n",
	  "c.ini:4: link \"x\": missing parent device \"nosuchdev9\": not declared in [host] and not present in the host namespace" },
	{ "vlan parent declared in a domain only", G "[domain a]\nlink = e1 type bridge\nlink = x type vlan parent e1 id 7\n",
	  "c.ini:5: link \"x\": missing parent device \"e1\": not declared in [host] and not present in the host namespace" },
	/* vxlan */
	{ "vxlan without id", G "[domain a]\nlink = x type vxlan remote 192.0.2.1\n",
	  "c.ini:4: link \"x\": a vxlan needs \"id N\"" },
	{ "vxlan id too large", G "[domain a]\nlink = x type vxlan id 16777216\n",
	  "c.ini:4: link \"x\": vxlan id \"16777216\" is not a number in 0..16777215" },
	{ "vxlan remote and group", G "[domain a]\nlink = x type vxlan id 1 remote 192.0.2.1 group 239.1.1.1\n",
	  "c.ini:4: link \"x\": remote and group exclude each other" },
	{ "vxlan group unicast", G "[domain a]\nlink = x type vxlan id 1 group 192.0.2.1\n",
	  "c.ini:4: link \"x\": group 192.0.2.1 is not a multicast address" },
	{ "vxlan remote multicast", G "[domain a]\nlink = x type vxlan id 1 remote ff02::1\n",
	  "c.ini:4: link \"x\": remote ff02::1 is a multicast address (write \"group ff02::1\")" },
	{ "vxlan local not an address", G "[domain a]\nlink = x type vxlan id 1 local host1\n",
	  "c.ini:4: link \"x\": local \"host1\" is not an IP address" },
	{ "vxlan families differ", G "[domain a]\nlink = x type vxlan id 1 local 192.0.2.2 remote 2001:db8::1\n",
	  "c.ini:4: link \"x\": local and remote are of different address families" },
	{ "vxlan local multicast", G "[domain a]\nlink = x type vxlan id 1 local 239.1.1.1\n",
	  "c.ini:4: link \"x\": local address is a multicast address" },
	{ "vxlan dstport 0", G "[domain a]\nlink = x type vxlan id 1 dstport 0\n",
	  "c.ini:4: link \"x\": dstport \"0\" is not a number in 1..65535" },
	{ "vxlan ttl 256", G "[domain a]\nlink = x type vxlan id 1 ttl 256\n",
	  "c.ini:4: link \"x\": ttl \"256\" is not a number in 0..255" },
	{ "vxlan missing dev", G "[domain a]\nlink = x type vxlan id 1 dev nosuchdev9\n",
	  "c.ini:4: link \"x\": missing parent device \"nosuchdev9\": not declared in [host] and not present in the host namespace" },
	/* master */
	{ "master missing", G "[domain a]\nlink = x type dummy master br0\n",
	  "c.ini:4: link \"x\": master \"br0\" is not a bridge declared in this section" },
	{ "master not a bridge", G "[domain a]\nlink = d1 type dummy\nlink = x type dummy master d1\n",
	  "c.ini:5: link \"x\": master \"d1\" is not a bridge declared in this section" },
	{ "master in another domain", G "[domain a]\nlink = x type dummy master br0\n[domain b]\nlink = br0 type bridge\n",
	  "c.ini:4: link \"x\": master \"br0\" is not a bridge declared in this section" },
	{ "master is a veth peer", G "[domain a]\nlink = x type dummy master p\n[domain b]\nlink = v type veth peer p peer-netns a\n",
	  "c.ini:4: link \"x\": master \"p\" is not a bridge declared in this section" },
	/* physical */
	{ "physical claimed twice", G "[domain a]\nlink = lo9 type physical\n[domain b]\nlink = lo9 type physical\n",
	  "c.ini:6: duplicate nic \"lo9\" (first at c.ini:4)" },
	{ "physical declared in the host", G "[host]\nlink = hv type veth peer nic7\n[domain a]\nlink = nic7 type physical\n",
	  "c.ini:6: link \"nic7\": c.ini:4 declares nic7 in the host namespace; a physical link moves a NIC that vrfmgr does not create" },
	{ "parent is a claimed NIC", G "[domain a]\nlink = x type macvlan parent nic7\n[domain b]\nlink = nic7 type physical\n",
	  "c.ini:4: link \"x\": parent nic7 is a physical NIC that c.ini:6 moves into a domain" },
};

static struct vrf_link *find(const struct vrf_config *cfg, const char *domain, const char *name)
{
	const struct vrf_domain *d = strcmp(domain, VRF_HOST) ? vrf_config_domain(cfg, domain) :
				     cfg->host;

	for (size_t i = 0; d && i < d->objs.n; i++) {
		struct vrf_link *l = (struct vrf_link *)d->objs.v[i];

		if (l->obj.plugin == &vrf_link_plugin && !strcmp(l->name, name))
			return l;
	}
	return NULL;
}

static void check_format(const struct vrf_config *cfg, const char *domain, const char *name,
			 const char *want)
{
	const struct vrf_link *l = find(cfg, domain, name);
	struct vrf_buf b = { 0 };
	char what[128];

	if (l)
		vrf_link_plugin.format(&l->obj, &b);
	snprintf(what, sizeof(what), "plan text of %s", name);
	kt_result(l && !strcmp(vrf_buf_str(&b), want), what, want, vrf_buf_str(&b));
	vrf_buf_free(&b);
}

/* A live object as observe() would make it: everything known.  A copy of
 * want with room for its kind's options (free() it). */
static struct vrf_link *live_of(const struct vrf_link *want)
{
	size_t size = sizeof(*want) + want->kind->opts_size;
	struct vrf_link *h = malloc(size);

	memcpy(h, want, size);
	h->obj.loc = (struct vrf_loc){ 0 };
	h->live = true;
	h->has |= LINK_HAS_MTU | LINK_HAS_MAC;
	if (!(want->has & LINK_HAS_MTU))
		h->mtu = 1500;
	if (want->kind == vrf_link_kind_by_name("veth")) {
		struct vrf_link_veth *o = vrf_link_opts(h);

		o->peer_ok = true;
		o->peer_up = want->up;
		o->peer_mtu = h->mtu;
	}
	if (want->kind == vrf_link_kind_by_name("vxlan"))
		((struct vrf_link_vxlan *)vrf_link_opts(h))->has |= VXLAN_HAS_DSTPORT | VXLAN_HAS_TTL;
	return h;
}

static void check_diff(const char *name, const struct vrf_link *want, const struct vrf_link *have,
		       bool equal, const char *change)
{
	struct vrf_buf b = { 0 };
	bool eq = vrf_link_plugin.equal(&want->obj, &have->obj);
	char why[512];

	if (!equal)
		vrf_link_plugin.format_change(&want->obj, &have->obj, &b);
	snprintf(why, sizeof(why), "wanted %s%s%s", equal ? "equal" : "a change: ",
		 equal ? "" : change, eq ? " (got equal)" : "");
	kt_result(eq == equal && (equal || !strcmp(vrf_buf_str(&b), change)), name, why,
		  vrf_buf_str(&b));
	vrf_buf_free(&b);
}

static void test_diff(const struct vrf_config *cfg)
{
	const struct vrf_link *d0 = find(cfg, "a", "d0"), *p0 = find(cfg, "a", "p0");
	const struct vrf_link *v200 = find(cfg, "a", "v200"), *m0 = find(cfg, "a", "m0");
	const struct vrf_link *br = find(cfg, "a", "br0"), *x0 = find(cfg, "a", "x0");
	struct vrf_link *h;
	struct vrf_buf b = { 0 };

	if (!d0 || !p0 || !v200 || !m0 || !br || !x0) {
		kt_result(false, "diff objects", "objects missing from the model", "");
		return;
	}
	h = live_of(d0);
	check_diff("live as wanted", d0, h, true, "");
	h->mtu = 1500;
	check_diff("mtu drift", d0, h, false, "d0 mtu 1500 -> 1400");
	free(h);
	h = live_of(d0);
	h->mac[5] = 9;
	check_diff("mac drift", d0, h, false, "d0 mac 02:00:00:00:00:09 -> 02:00:00:00:00:01");
	free(h);
	h = live_of(d0);
	h->up = false;
	check_diff("down behind our back", d0, h, false, "d0 down -> up");
	free(h);
	h = live_of(d0);
	snprintf(h->master, sizeof(h->master), "br0");
	check_diff("enslaved behind our back", d0, h, false, "d0 master br0 -> none");
	free(h);
	h = live_of(d0);
	h->kind = vrf_link_kind_live();
	snprintf(h->kind_name, sizeof(h->kind_name), "ipvlan");
	check_diff("other kind under the name", d0, h, false,
		   "d0 type dummy mtu 1400 mac 02:00:00:00:00:01 (rebuild: was type ipvlan)");
	free(h);

	h = live_of(br);
	h->mtu = 9000;
	check_diff("mtu not in the file is not compared", br, h, true, "");
	free(h);
	h = live_of(m0);
	snprintf(h->master, sizeof(h->master), "if7");
	check_diff("master wanted, other found", m0, h, false, "m0 master if7 -> br0");
	free(h);

	h = live_of(p0);
	((struct vrf_link_veth *)vrf_link_opts(h))->peer_ok = false;
	check_diff("veth whose peer vanished is rebuilt", p0, h, false,
		   "p0 type veth peer p0-host down (rebuild: was type veth peer p0-host (not found))");
	free(h);
	h = live_of(p0);
	h->up = true;
	((struct vrf_link_veth *)vrf_link_opts(h))->peer_up = true;
	check_diff("veth down in the file, both ends up", p0, h, false,
		   "p0 up -> down, peer p0-host up -> down");
	free(h);

	h = live_of(v200);
	((struct vrf_link_vlan *)vrf_link_opts(h))->protocol = ETH_P_8021Q;
	check_diff("vlan protocol default is 802.1q", v200, h, true, "");
	((struct vrf_link_vlan *)vrf_link_opts(h))->protocol = ETH_P_8021AD;
	((struct vrf_link_vlan *)vrf_link_opts(h))->has |= VLAN_HAS_PROTOCOL;
	check_diff("vlan protocol drift rebuilds", v200, h, false,
		   "v200 type vlan parent eth9 id 200 (rebuild: was type vlan parent eth9 id 200 protocol 802.1ad)");
	free(h);
	h = live_of(v200);
	((struct vrf_link_vlan *)vrf_link_opts(h))->id = 300;
	check_diff("vlan id drift rebuilds", v200, h, false,
		   "v200 type vlan parent eth9 id 200 (rebuild: was type vlan parent eth9 id 300)");
	free(h);

	h = live_of(m0);
	((struct vrf_link_macvlan *)vrf_link_opts(h))->mode = MACVLAN_MODE_VEPA;
	check_diff("macvlan mode drift rebuilds", m0, h, false,
		   "m0 type macvlan parent eth9 mode bridge master br0 (rebuild: was type macvlan parent eth9 mode vepa)");
	free(h);
	h = live_of(x0);
	((struct vrf_link_vxlan *)vrf_link_opts(h))->dstport = 8472;
	check_diff("vxlan port drift rebuilds", x0, h, false,
		   "x0 type vxlan id 42 local 192.0.2.2 remote 192.0.2.1 dev eth9 ttl 10 (rebuild: was type vxlan id 42 local 192.0.2.2 remote 192.0.2.1 dev eth9 dstport 8472 ttl 10)");
	free(h);

	/* The deletion line of a live link names it, not its mtu or mac. */
	h = live_of(d0);
	vrf_link_plugin.format(&h->obj, &b);
	kt_result(!strcmp(vrf_buf_str(&b), "d0 type dummy"), "deletion line", "wanted: d0 type dummy",
		  vrf_buf_str(&b));
	vrf_buf_free(&b);
	free(h);
}

/* ---- netlink encoding ---- */

struct req {
	struct nl_msg *msg;
	struct nlattr *tb[IFLA_MAX + 1];
	struct nlattr *info[IFLA_INFO_MAX + 1];
	const char *kind;
	struct nlattr *data;
};

static bool build(const struct vrf_link *l, const struct vrf_link_env *env, struct req *r)
{
	struct nlmsghdr *nlh;

	memset(r, 0, sizeof(*r));
	if (!l || vrf_link_build_create(l, env, &r->msg) < 0)
		return false;
	nlh = nlmsg_hdr(r->msg);
	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    (nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL)) != (NLM_F_CREATE | NLM_F_EXCL) ||
	    nlmsg_parse(nlh, sizeof(struct ifinfomsg), r->tb, IFLA_MAX, NULL) < 0)
		return false;
	if (r->tb[IFLA_LINKINFO] &&
	    nla_parse_nested(r->info, IFLA_INFO_MAX, r->tb[IFLA_LINKINFO], NULL) == 0) {
		r->kind = r->info[IFLA_INFO_KIND] ? nla_get_string(r->info[IFLA_INFO_KIND]) : NULL;
		r->data = r->info[IFLA_INFO_DATA];
	}
	return true;
}

static bool is_str(struct nlattr *a, const char *s)
{
	return a && !strcmp(nla_get_string(a), s);
}

static bool is_u32(struct nlattr *a, uint32_t v)
{
	return a && nla_len(a) == 4 && nla_get_u32(a) == v;
}

static bool is_u16(struct nlattr *a, uint16_t v)
{
	return a && nla_len(a) >= 2 && nla_get_u16(a) == v;
}

static void test_encoding(const struct vrf_config *cfg)
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
	struct vrf_link_env in_ns = { .netns_fd = -1, .peer_netns_fd = -1 };
	struct vrf_link_env via_host = { .netns_fd = 7, .peer_netns_fd = -1, .parent_ifindex = 3 };
	struct vrf_link_env veth_env = { .netns_fd = -1, .peer_netns_fd = 9 };
	struct nlattr *vd[IFLA_VXLAN_MAX + 1], *peer[IFLA_MAX + 1], *vi[VETH_INFO_MAX + 1];
	struct ifinfomsg *ifi;
	struct req r;
	bool ok;

	/* dummy: the kind, mtu, mac, created down, where the socket is. */
	ok = build(find(cfg, "a", "d0"), &in_ns, &r);
	ifi = ok ? nlmsg_data(nlmsg_hdr(r.msg)) : NULL;
	kt_result(ok && is_str(r.tb[IFLA_IFNAME], "d0") && r.kind && !strcmp(r.kind, "dummy") &&
		  is_u32(r.tb[IFLA_MTU], 1400) && r.tb[IFLA_ADDRESS] &&
		  nla_len(r.tb[IFLA_ADDRESS]) == 6 && !memcmp(nla_data(r.tb[IFLA_ADDRESS]), mac, 6) &&
		  !r.tb[IFLA_NET_NS_FD] && !(ifi->ifi_flags & IFF_UP),
		  "dummy: IFLA_INFO_KIND dummy, IFLA_MTU, IFLA_ADDRESS, created down", "", "");
	nlmsg_free(r.msg);

	/* vlan: made through the host's socket, into the domain. */
	ok = build(find(cfg, "a", "v100"), &via_host, &r);
	memset(vd, 0, sizeof(vd));
	if (ok && r.data)
		nla_parse_nested(vd, IFLA_VLAN_MAX, r.data, NULL);
	kt_result(ok && r.kind && !strcmp(r.kind, "vlan") && is_u32(r.tb[IFLA_LINK], 3) &&
		  is_u32(r.tb[IFLA_NET_NS_FD], 7) && is_u16(vd[IFLA_VLAN_ID], 100) &&
		  is_u16(vd[IFLA_VLAN_PROTOCOL], htons(ETH_P_8021AD)),
		  "vlan: IFLA_INFO_KIND vlan, IFLA_VLAN_ID 100, 802.1ad, IFLA_LINK, IFLA_NET_NS_FD",
		  "", "");
	nlmsg_free(r.msg);
	ok = build(find(cfg, "a", "v200"), &via_host, &r);
	memset(vd, 0, sizeof(vd));
	if (ok && r.data)
		nla_parse_nested(vd, IFLA_VLAN_MAX, r.data, NULL);
	kt_result(ok && is_u16(vd[IFLA_VLAN_ID], 200) && !vd[IFLA_VLAN_PROTOCOL],
		  "vlan without protocol leaves the kernel's 802.1q", "", "");
	nlmsg_free(r.msg);

	/* veth: the peer's name and namespace inside VETH_INFO_PEER. */
	ok = build(find(cfg, "a", "p0"), &veth_env, &r);
	memset(vi, 0, sizeof(vi));
	memset(peer, 0, sizeof(peer));
	if (ok && r.data && nla_parse_nested(vi, VETH_INFO_MAX, r.data, NULL) == 0 &&
	    vi[VETH_INFO_PEER] && nla_len(vi[VETH_INFO_PEER]) >= (int)sizeof(struct ifinfomsg))
		nla_parse(peer, IFLA_MAX,
			  (struct nlattr *)((char *)nla_data(vi[VETH_INFO_PEER]) + sizeof(struct ifinfomsg)),
			  nla_len(vi[VETH_INFO_PEER]) - sizeof(struct ifinfomsg), NULL);
	kt_result(ok && r.kind && !strcmp(r.kind, "veth") && is_str(r.tb[IFLA_IFNAME], "p0") &&
		  !r.tb[IFLA_NET_NS_FD] && is_str(peer[IFLA_IFNAME], "p0-host") &&
		  is_u32(peer[IFLA_NET_NS_FD], 9),
		  "veth: VETH_INFO_PEER carries the peer's name and IFLA_NET_NS_FD", "", "");
	nlmsg_free(r.msg);

	/* vxlan: VNI, the IANA port by default, remote in IFLA_VXLAN_GROUP. */
	ok = build(find(cfg, "a", "x0"), &via_host, &r);
	memset(vd, 0, sizeof(vd));
	if (ok && r.data)
		nla_parse_nested(vd, IFLA_VXLAN_MAX, r.data, NULL);
	kt_result(ok && r.kind && !strcmp(r.kind, "vxlan") && is_u32(vd[IFLA_VXLAN_ID], 42) &&
		  is_u16(vd[IFLA_VXLAN_PORT], htons(4789)) && is_u32(vd[IFLA_VXLAN_LINK], 3) &&
		  vd[IFLA_VXLAN_TTL] && nla_get_u8(vd[IFLA_VXLAN_TTL]) == 10 &&
		  is_u32(vd[IFLA_VXLAN_GROUP], inet_addr("192.0.2.1")) &&
		  is_u32(vd[IFLA_VXLAN_LOCAL], inet_addr("192.0.2.2")),
		  "vxlan: IFLA_VXLAN_ID, PORT 4789, LINK, TTL, GROUP (remote), LOCAL", "", "");
	nlmsg_free(r.msg);

	/* macvlan: the mode. */
	ok = build(find(cfg, "a", "m0"), &via_host, &r);
	memset(vd, 0, sizeof(vd));
	if (ok && r.data)
		nla_parse_nested(vd, IFLA_MACVLAN_MAX, r.data, NULL);
	kt_result(ok && r.kind && !strcmp(r.kind, "macvlan") && is_u32(r.tb[IFLA_LINK], 3) &&
		  is_u32(vd[IFLA_MACVLAN_MODE], MACVLAN_MODE_BRIDGE),
		  "macvlan: IFLA_MACVLAN_MODE bridge on IFLA_LINK", "", "");
	nlmsg_free(r.msg);

	/* A NIC is moved, never created. */
	r.msg = NULL;
	kt_result(find(cfg, "b", "lo7") &&
		  vrf_link_build_create(find(cfg, "b", "lo7"), &in_ns, &r.msg) == -EOPNOTSUPP,
		  "physical: no creation request", "", "");
}

static int count(const char *s, const char *what)
{
	int n = 0;

	for (; (s = strstr(s, what)); s++)
		n++;
	return n;
}

/* Nodes once each (a lower device used twice too), and the edges. */
static void test_dot(const struct vrf_config *cfg)
{
	struct vrf_buf b = { 0 };
	const char *s;

	vrf_link_plugin.dot(cfg, cfg->host, false, &b);
	for (size_t i = 0; i < cfg->n_domains; i++)
		vrf_link_plugin.dot(cfg, cfg->domains[i], false, &b);
	for (size_t i = 0; i < cfg->n_domains; i++)
		vrf_link_plugin.dot(cfg, cfg->domains[i], true, &b);
	s = vrf_buf_str(&b);
	kt_result(strstr(s, "\t\t\"host/p0-host\" [label=\"p0-host\\nveth peer\"];\n") &&
		  strstr(s, "\t\"a/p0\" -> \"host/p0-host\" [dir=none, label=\"veth\"];\n") &&
		  strstr(s, "\t\"host/eth9\" -> \"a/v100\" [label=\"vlan\"];\n") &&
		  strstr(s, "\t\"a/m0\" -> \"a/br0\" [style=dotted, label=\"master\"];\n") &&
		  strstr(s, "\t\t\"b/lo7\" [label=\"lo7\\nphysical\", shape=box3d];\n") &&
		  strstr(s, "\t\t\"host/lo\" [label=\"lo\\nhost device\", style=dashed];\n") &&
		  count(s, "\"host/lo\" [label") == 1 && count(s, "\"host/eth9\" [label") == 1,
		  "status --dot: nodes, veth edge, lower device, master, physical", "", s);
	vrf_buf_free(&b);
}

/* The kind table is the whole of a kind: every kind a file may name is
 * found by its name, is created or moved in, parses the options it lists,
 * and gets room for them behind the common part of a link. */
static void test_kinds(void)
{
	const struct vrf_link_kind *k;
	bool ok = true;
	size_t n = 0;

	for (size_t i = 0; (k = vrf_link_kind_at(i)); i++) {
		struct vrf_link *l;

		if (k->flags & LINK_KIND_LIVE)
			continue;
		n++;
		ok &= vrf_link_kind_by_name(k->name) == k;
		ok &= !!k->encode != !!(k->flags & LINK_KIND_MOVED);
		ok &= !k->opts || (k->parse_opt && k->opts[0]);
		l = vrf_link_new(k, NULL);
		ok &= l && l->kind == k && vrf_link_opts(l) == (void *)(l + 1);
		free(l);
	}
	kt_result(ok && n == 7 && vrf_link_kind_live() && !vrf_link_kind_by_name("other") &&
		  (vrf_link_kind_moved()->flags & LINK_KIND_MOVED),
		  "kind table: seven kinds by name, each created or moved, options parsed and "
		  "given room", "", "");
}

int main(void)
{
	const char *dir = kt_tmpdir();
	struct vrf_config *cfg;
	char ini[2048];

	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++)
		kt_refuse(refused[i].name, refused[i].ini, refused[i].line);

	/* A NIC that is neither in the host nor in an existing domain. */
	snprintf(ini, sizeof(ini), "[global]\nnetns_dir = %s/netns\n[domain a]\n"
		 "link = nosuchnic9 type physical\n", dir);
	{
		char line[512];

		snprintf(line, sizeof(line), "c.ini:4: link \"nosuchnic9\": physical device "
			 "nosuchnic9 is not in the host namespace, and domain a does not exist yet "
			 "(%s/netns/a)", dir);
		kt_refuse("physical NIC nowhere", ini, line);
	}
	/* Once the domain exists, the NIC may be inside it: accepted. */
	if (mkdir("netns", 0755) < 0 || (kt_write("netns/b", "", 0644), 0)) {
		perror("netns");
		return 2;
	}
	snprintf(ini, sizeof(ini),
		 "[global]\nnetns_dir = %s/netns\n"
		 "[host]\n"
		 "link = eth9 type bridge\n"
		 "link = hv type veth peer hv-b peer-netns b\n"
		 "[domain a]\n"
		 "link = d0 type dummy mtu 1400 mac 02:00:00:00:00:01\n"
		 "link = v100 type vlan parent eth9 id 100 protocol 802.1AD\n"
		 "link = v200 type vlan parent eth9 id 200\n"
		 "link = p0 type veth peer p0-host down\n"
		 "link = \"c1\" type veth peer c1-b peer-netns b mtu 9000\n"
		 "link = x0 type vxlan id 42 remote 192.0.2.1 local 192.0.2.2 dev eth9 ttl 10\n"
		 "link = x1 type vxlan id 0 group ff05::1 dev lo dstport 4790\n"
		 "link = m0 type macvlan parent eth9 mode bridge master br0\n"
		 "link = m1 type macvlan parent lo\n"
		 "link = br0 type bridge\n"
		 "[domain b]\n"
		 "link = lo7 type physical mtu 9000 master br1\n"
		 "link = br1 type bridge\n"
		 "link = hb type veth peer hb-host peer-netns host\n", dir);
	cfg = kt_accept("every kind and option accepted", ini);
	if (!cfg)
		return kt_done();
	check_format(cfg, "a", "d0", "d0 type dummy mtu 1400 mac 02:00:00:00:00:01");
	check_format(cfg, "a", "v100", "v100 type vlan parent eth9 id 100 protocol 802.1ad");
	check_format(cfg, "a", "p0", "p0 type veth peer p0-host down");
	check_format(cfg, "a", "c1", "c1 type veth peer c1-b peer-netns b mtu 9000");
	check_format(cfg, "a", "x0", "x0 type vxlan id 42 local 192.0.2.2 remote 192.0.2.1 dev eth9 ttl 10");
	check_format(cfg, "a", "x1", "x1 type vxlan id 0 group ff05::1 dev lo dstport 4790");
	check_format(cfg, "a", "m0", "m0 type macvlan parent eth9 mode bridge master br0");
	check_format(cfg, "b", "lo7", "lo7 type physical mtu 9000 master br1");
	check_format(cfg, "b", "hb", "hb type veth peer hb-host");
	check_format(cfg, "host", "hv", "hv type veth peer hv-b peer-netns b");
	kt_result(vrf_name_find(cfg, "b", "dev", "c1-b", NULL, NULL) &&
		  vrf_name_find(cfg, VRF_HOST, "dev", "p0-host", NULL, NULL) &&
		  vrf_name_find(cfg, VRF_HOST, "dev", "hb-host", NULL, NULL) &&
		  vrf_name_find(cfg, "*", "nic", "lo7", NULL, NULL) &&
		  !vrf_name_find(cfg, VRF_HOST, "dev", "lo7", NULL, NULL),
		  "names published: veth peers where they live, NICs in one global space", "", "");
	kt_roundtrip("round trip", cfg);
	test_kinds();
	test_diff(cfg);
	test_encoding(cfg);
	test_dot(cfg);
	vrf_config_free(cfg);
	return kt_done();
}
