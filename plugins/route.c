// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Routes: `route = ...` takes the words of `ip route add`.
 *
 *   route = [unicast|blackhole|unreachable|prohibit] [to] PREFIX|default
 *           [family inet|inet6] [tos N] [via ADDR] [dev NAME] [onlink]
 *           [table main|local|default|N] [metric|priority|preference N]
 *           [scope global|site|link|host|N] [src ADDR] [mtu N]
 *           [nexthop [via ADDR] [dev NAME] [weight 1-256] [onlink]]...
 *
 * `proto` is refused: every route vrfmgr writes carries route_protocol from
 * [global], and that stamp is what makes a route vrfmgr's (DESIGN.md,
 * ownership).  observe() reads one RTM_GETROUTE dump per namespace (both
 * families, every table) with libmnl and keeps only routes with that
 * protocol; kernel routes, other daemons' routes and `proto static` routes
 * are never returned, so never deleted.
 *
 * Identity is what the kernel itself uses to tell two routes apart: family,
 * table, destination prefix, tos and metric.  Everything else (type,
 * gateway, device, nexthops, src, mtu, scope, onlink) is an attribute, and a
 * change of attributes is one RTM_NEWROUTE with NLM_F_REPLACE, so traffic is
 * never without a route while it changes.  New routes are created with
 * NLM_F_EXCL: if a foreign route already holds the same identity the kernel
 * refuses, and vrfmgr says so instead of taking the route over.
 *
 * Scale: a domain may hold 100,000 routes.  A route object is 120 bytes,
 * one allocation with its multipath nexthops, no strings (120 rather than
 * 128 is what lets malloc() serve it from 128-byte chunks), devices are
 * resolved to ifindexes through nl.c's per-call cache (struct vrf_ifc: one
 * ioctl per distinct device, on the namespace's netlink socket, which
 * answers for its own namespace), and all writes go through nl.c's batches.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "model.h"
#include "nl.h"
#include "plugin.h"

#define RT_HAS_TABLE	(1U << 0)	/* `table` was written (or differs from main) */
#define RT_HAS_METRIC	(1U << 1)	/* `metric` was written (or is not the default) */
#define RT_HAS_SCOPE	(1U << 2)	/* `scope` was written (or is not the default) */

#define RT_MAX_NH	64
#define RT_V6_METRIC	1024		/* what the kernel gives an IPv6 route with metric 0 */

struct route_nh {
	struct vrf_addr gw;		/* family 0: no gateway */
	uint8_t flags;			/* RTNH_F_ONLINK */
	uint16_t weight;		/* 1..256 */
	char dev[IFNAMSIZ];		/* "" when the kernel may choose */
};

struct route {
	struct vrf_obj obj;
	struct vrf_addr dst;		/* family decides the route's family */
	struct vrf_addr gw;		/* single path: family 0 = no gateway */
	struct vrf_addr src;		/* RTA_PREFSRC, family 0 = none */
	uint8_t type;			/* RTN_* */
	uint8_t scope;			/* RT_SCOPE_*, meaningful with RT_HAS_SCOPE */
	uint8_t tos;
	uint8_t flags;			/* single path: RTNH_F_ONLINK */
	uint8_t has;			/* RT_HAS_* */
	uint8_t n_nh;			/* multipath: number of nexthops (0 or >= 2) */
	uint32_t table;
	uint32_t metric;
	uint32_t mtu;			/* 0 = none */
	char dev[IFNAMSIZ];		/* single path: "" = none */
	struct route_nh nh[];		/* n_nh entries, sorted (rt_with_nh()) */
};

static const struct vrf_plugin route_plugin;

#define ROUTE(o) ((struct route *)(o))
#define CROUTE(o) ((const struct route *)(o))

/* ---- small helpers (also used by the unit test, which includes this file) ---- */

static const struct {
	const char *name;
	uint8_t scope;
} rt_scopes[] = {
	{ "global", RT_SCOPE_UNIVERSE },
	{ "universe", RT_SCOPE_UNIVERSE },
	{ "site", RT_SCOPE_SITE },
	{ "link", RT_SCOPE_LINK },
	{ "host", RT_SCOPE_HOST },
	{ "nowhere", RT_SCOPE_NOWHERE },
};

static const char *const rt_type_names[] = {
	[RTN_UNICAST] = "unicast",
	[RTN_LOCAL] = "local",
	[RTN_BROADCAST] = "broadcast",
	[RTN_ANYCAST] = "anycast",
	[RTN_MULTICAST] = "multicast",
	[RTN_BLACKHOLE] = "blackhole",
	[RTN_UNREACHABLE] = "unreachable",
	[RTN_PROHIBIT] = "prohibit",
	[RTN_THROW] = "throw",
	[RTN_NAT] = "nat",
	[RTN_XRESOLVE] = "xresolve",
};

static const char *rt_type_name(uint8_t t)
{
	if (t < sizeof(rt_type_names) / sizeof(rt_type_names[0]) && rt_type_names[t])
		return rt_type_names[t];
	return "unknown";
}

/* The scope ip(8) and the kernel pick when none is written: a unicast route
 * without a gateway is on-link, everything else is global. */
static uint8_t rt_default_scope(const struct route *r)
{
	if (r->dst.family == AF_INET && r->type == RTN_UNICAST && !r->gw.family && !r->n_nh)
		return RT_SCOPE_LINK;
	return RT_SCOPE_UNIVERSE;
}

static uint32_t rt_default_metric(int family)
{
	return family == AF_INET6 ? RT_V6_METRIC : 0;
}

static int rt_nh_cmp(const void *a, const void *b)
{
	const struct route_nh *x = a, *y = b;
	int c;

	if (x->gw.family != y->gw.family)
		return x->gw.family < y->gw.family ? -1 : 1;
	c = memcmp(x->gw.bytes, y->gw.bytes, sizeof(x->gw.bytes));
	if (c)
		return c;
	return strcmp(x->dev, y->dev);
}

static void route_free(struct vrf_obj *o);

/* r with the n nexthops nh, sorted: the nexthops live at the end of the
 * object, so it is made again at its new size and r is freed.  Nexthops
 * are a set to the kernel; a canonical order makes equal() a plain walk.
 * NULL (and r freed) when memory ran out. */
static struct route *rt_with_nh(struct route *r, const struct route_nh *nh, unsigned n)
{
	struct route *big = vrf_obj_new(&route_plugin, sizeof(*r) + n * sizeof(*nh), NULL);

	memcpy(big, r, sizeof(*r));
	memcpy(big->nh, nh, n * sizeof(*nh));
	big->n_nh = (uint8_t)n;
	qsort(big->nh, n, sizeof(*nh), rt_nh_cmp);
	route_free(&r->obj);
	return big;
}

/* ---- parse ---- */

struct rt_parse {
	struct vrf_config *cfg;
	const struct vrf_loc *loc;
	struct route *r;
	struct route_nh nh[RT_MAX_NH];
	unsigned n_nh;
	unsigned seen;		/* route-level keywords already given */
	int family;		/* from `family`, 0 if not written */
	const struct vrf_words *ws;	/* the line's words, and the next one */
	size_t i;
};

enum {
	SEEN_VIA = 1U << 0, SEEN_DEV = 1U << 1, SEEN_TABLE = 1U << 2, SEEN_METRIC = 1U << 3,
	SEEN_SRC = 1U << 4, SEEN_ONLINK = 1U << 5, SEEN_SCOPE = 1U << 6, SEEN_TOS = 1U << 7,
	SEEN_MTU = 1U << 8, SEEN_FAMILY = 1U << 9,
};

static int rt_err(struct rt_parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int rt_err(struct rt_parse *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vrf_error(p->cfg, p->loc, "route: %s", msg);
	return -EINVAL;
}

static int rt_once(struct rt_parse *p, unsigned bit, const char *word)
{
	if (p->seen & bit)
		return rt_err(p, "\"%s\" is given twice", word);
	p->seen |= bit;
	return 0;
}

/* The keywords of a route line, by what they mean; the table that maps
 * words to them (rt_kws, with the parser of each) follows the parsers. */
enum rt_word {
	RW_NONE, RW_NEXTHOP, RW_ONLINK, RW_WEIGHT, RW_PROTO,
	RW_VIA, RW_DEV, RW_TABLE, RW_METRIC, RW_SRC, RW_SCOPE, RW_TOS, RW_MTU, RW_FAMILY,
};

static enum rt_word rt_word(const char *w);

/* The route type a word names (any of rt_type_names), or -1. */
static int rt_type_word(const char *w)
{
	/* Most lines start with their destination; no type name starts
	 * with a digit, as an IPv4 prefix does. */
	if (w[0] >= '0' && w[0] <= '9')
		return -1;
	for (size_t t = 0; t < sizeof(rt_type_names) / sizeof(rt_type_names[0]); t++)
		if (rt_type_names[t] && rt_type_names[t][0] == w[0] && !strcmp(rt_type_names[t], w))
			return (int)t;
	return -1;
}

static int rt_gw_parse(struct rt_parse *p, const char *word, const char *s, struct vrf_addr *a)
{
	if (vrf_addr_parse(a, s, false, false) < 0)
		return rt_err(p, "%s \"%s\" is not an IPv4 or IPv6 address", word, s);
	return 0;
}

static int rt_dev_parse(struct rt_parse *p, const char *s, char *dev)
{
	const char *why = NULL;

	if (!vrf_ifname_valid(s, &why))
		return rt_err(p, "dev \"%s\" is not a valid interface name%s%s", s,
			      why ? ": " : "", why ? why : "");
	snprintf(dev, IFNAMSIZ, "%s", s);
	return 0;
}

/* An IPv6 link-local gateway exists on every link at once: the kernel can
 * only use it with the device named. */
static int rt_link_local_needs_dev(struct rt_parse *p, const struct vrf_addr *gw, const char *dev)
{
	char s[INET6_ADDRSTRLEN];

	if (!vrf_addr_is_link_local(gw) || dev[0])
		return 0;
	vrf_addr_str(gw, false, s, sizeof(s));
	return rt_err(p, "via %s is link-local: name the link with \"dev\"", s);
}

/* One nexthop starting after the word "nexthop"; *i points at the next word
 * on return. */
static int rt_parse_nexthop(struct rt_parse *p, const struct vrf_words *ws, size_t *i)
{
	struct route_nh *nh;
	unsigned seen = 0;

	if (p->n_nh == RT_MAX_NH)
		return rt_err(p, "more than %d nexthops", RT_MAX_NH);
	nh = &p->nh[p->n_nh++];
	memset(nh, 0, sizeof(*nh));
	nh->weight = 1;
	while (*i < ws->n) {
		const char *w = ws->w[*i], *v = *i + 1 < ws->n ? ws->w[*i + 1] : NULL;
		unsigned long long num;
		unsigned bit;

		switch (rt_word(w)) {
		case RW_VIA: bit = 1; break;
		case RW_DEV: bit = 2; break;
		case RW_WEIGHT: bit = 4; break;
		case RW_ONLINK: bit = 8; break;
		default: bit = 0; break;
		}
		if (!bit)
			break;	/* "nexthop" or a route-level word */
		if (seen & bit)
			return rt_err(p, "\"%s\" is given twice in nexthop %u", w, p->n_nh);
		seen |= bit;
		if (bit == 8) {
			nh->flags |= RTNH_F_ONLINK;
			(*i)++;
			continue;
		}
		if (!v)
			return rt_err(p, "\"%s\" needs a value", w);
		if (bit == 1 && rt_gw_parse(p, "via", v, &nh->gw) < 0)
			return -EINVAL;
		if (bit == 2 && rt_dev_parse(p, v, nh->dev) < 0)
			return -EINVAL;
		if (bit == 4) {
			if (vrf_parse_num(v, 1, 256, &num) < 0)
				return rt_err(p, "weight \"%s\" is not a number from 1 to 256", v);
			nh->weight = (uint16_t)num;
		}
		*i += 2;
	}
	if (!nh->gw.family && !nh->dev[0])
		return rt_err(p, "nexthop %u needs \"via\" or \"dev\"", p->n_nh);
	if ((nh->flags & RTNH_F_ONLINK) && (!nh->gw.family || !nh->dev[0]))
		return rt_err(p, "\"onlink\" in nexthop %u needs \"via\" and \"dev\"", p->n_nh);
	if (rt_link_local_needs_dev(p, &nh->gw, nh->dev) < 0)
		return -EINVAL;
	return 0;
}

/* Check that address `a` (written after `word`) has the route's family. */
static int rt_family_check(struct rt_parse *p, int family, const char *word,
			   const struct vrf_addr *a)
{
	char s[INET6_ADDRSTRLEN + 8];

	if (!a->family || a->family == family)
		return 0;
	vrf_addr_str(a, false, s, sizeof(s));
	return rt_err(p, "%s %s is %s but the route is %s", word, s,
		      vrf_family_name(a->family), vrf_family_name(family));
}

/* ---- the route-wide words: one parser each ---- */

static int rt_kw_via(struct rt_parse *p, const char *w, const char *v)
{
	return rt_gw_parse(p, w, v, &p->r->gw);
}

static int rt_kw_dev(struct rt_parse *p, const char *w, const char *v)
{
	return rt_dev_parse(p, v, p->r->dev);
}

static int rt_kw_src(struct rt_parse *p, const char *w, const char *v)
{
	return rt_gw_parse(p, w, v, &p->r->src);
}

static int rt_kw_table(struct rt_parse *p, const char *w, const char *v)
{
	if (vrf_table_parse(v, &p->r->table) < 0)
		return rt_err(p, "table \"%s\" is not main, local, default or a "
			      "number from 1 to 4294967295", v);
	p->r->has |= RT_HAS_TABLE;
	return 0;
}

static int rt_kw_metric(struct rt_parse *p, const char *w, const char *v)
{
	unsigned long long num;

	if (vrf_parse_num(v, 0, UINT32_MAX, &num) < 0)
		return rt_err(p, "%s \"%s\" is not a number from 0 to 4294967295", w, v);
	p->r->metric = (uint32_t)num;
	p->r->has |= RT_HAS_METRIC;
	return 0;
}

static int rt_kw_scope(struct rt_parse *p, const char *w, const char *v)
{
	unsigned long long num;
	unsigned k;

	for (k = 0; k < sizeof(rt_scopes) / sizeof(rt_scopes[0]); k++)
		if (!strcmp(v, rt_scopes[k].name))
			break;
	if (k < sizeof(rt_scopes) / sizeof(rt_scopes[0]))
		p->r->scope = rt_scopes[k].scope;
	else if (vrf_parse_num(v, 0, 255, &num) == 0)
		p->r->scope = (uint8_t)num;
	else
		return rt_err(p, "scope \"%s\" is not global, site, link, host "
			      "or a number from 0 to 255", v);
	p->r->has |= RT_HAS_SCOPE;
	return 0;
}

static int rt_kw_tos(struct rt_parse *p, const char *w, const char *v)
{
	unsigned long long num;

	if (vrf_parse_num(v, 0, 255, &num) < 0)
		return rt_err(p, "%s \"%s\" is not a number from 0 to 255", w, v);
	if (num & 3)
		return rt_err(p, "%s %s sets the ECN bits; the kernel accepts only "
			      "DSCP values (multiples of 4)", w, v);
	p->r->tos = (uint8_t)num;
	return 0;
}

static int rt_kw_mtu(struct rt_parse *p, const char *w, const char *v)
{
	unsigned long long num;

	if (vrf_parse_num(v, 68, 65535, &num) < 0)
		return rt_err(p, "mtu \"%s\" is not a number from 68 to 65535", v);
	p->r->mtu = (uint32_t)num;
	return 0;
}

static int rt_kw_family(struct rt_parse *p, const char *w, const char *v)
{
	if (!strcmp(v, "inet"))
		p->family = AF_INET;
	else if (!strcmp(v, "inet6"))
		p->family = AF_INET6;
	else
		return rt_err(p, "family \"%s\" is not inet or inet6", v);
	return 0;
}

static int rt_kw_nexthop(struct rt_parse *p, const char *w, const char *v)
{
	return rt_parse_nexthop(p, p->ws, &p->i);
}

static int rt_kw_onlink(struct rt_parse *p, const char *w, const char *v)
{
	if (p->n_nh)
		return rt_err(p, "\"onlink\" after a nexthop belongs to it; "
			      "write it before the first \"nexthop\"");
	if (rt_once(p, SEEN_ONLINK, w) < 0)
		return -EINVAL;
	p->r->flags |= RTNH_F_ONLINK;
	return 0;
}

static int rt_kw_weight(struct rt_parse *p, const char *w, const char *v)
{
	return rt_err(p, "\"weight\" belongs to a nexthop (nexthop via ADDR weight N)");
}

static int rt_kw_proto(struct rt_parse *p, const char *w, const char *v)
{
	return rt_err(p, "\"%s\" is not allowed: vrfmgr marks every route it owns with "
		      "route_protocol %u", w, p->cfg->route_protocol);
}

/* Every keyword of a route line: the word, what it means (for the nexthop
 * parser, which takes some of the same words), what it sets, and its
 * parser.  A word with a `seen` bit takes a value and may be given once
 * (`once` names it in the error when several words mean the same); one
 * without parses what follows it itself.  Looked up in one table, not by
 * a chain of strcmp() calls per word: a file may have 100,000 lines. */
#define RK_BEFORE_NH	1U	/* route-wide only before the first nexthop */

static const struct rt_kw {
	const char *word;
	enum rt_word id;
	unsigned seen;
	const char *once;
	unsigned flags;
	int (*parse)(struct rt_parse *p, const char *w, const char *v);
} rt_kws[] = {
	{ "via", RW_VIA, SEEN_VIA, NULL, RK_BEFORE_NH, rt_kw_via },
	{ "dev", RW_DEV, SEEN_DEV, NULL, RK_BEFORE_NH, rt_kw_dev },
	{ "table", RW_TABLE, SEEN_TABLE, NULL, 0, rt_kw_table },
	{ "metric", RW_METRIC, SEEN_METRIC, "metric", 0, rt_kw_metric },
	{ "priority", RW_METRIC, SEEN_METRIC, "metric", 0, rt_kw_metric },
	{ "preference", RW_METRIC, SEEN_METRIC, "metric", 0, rt_kw_metric },
	{ "src", RW_SRC, SEEN_SRC, NULL, 0, rt_kw_src },
	{ "scope", RW_SCOPE, SEEN_SCOPE, NULL, 0, rt_kw_scope },
	{ "tos", RW_TOS, SEEN_TOS, "tos", 0, rt_kw_tos },
	{ "dsfield", RW_TOS, SEEN_TOS, "tos", 0, rt_kw_tos },
	{ "mtu", RW_MTU, SEEN_MTU, NULL, 0, rt_kw_mtu },
	{ "family", RW_FAMILY, SEEN_FAMILY, NULL, 0, rt_kw_family },
	{ "nexthop", RW_NEXTHOP, 0, NULL, 0, rt_kw_nexthop },
	{ "onlink", RW_ONLINK, 0, NULL, 0, rt_kw_onlink },
	{ "weight", RW_WEIGHT, 0, NULL, 0, rt_kw_weight },
	{ "proto", RW_PROTO, 0, NULL, 0, rt_kw_proto },
	{ "protocol", RW_PROTO, 0, NULL, 0, rt_kw_proto },
};

static const struct rt_kw *rt_kw_find(const char *w)
{
	/* Comparing the first letter first rules out nearly every entry
	 * without a call. */
	for (size_t k = 0; k < sizeof(rt_kws) / sizeof(rt_kws[0]); k++)
		if (rt_kws[k].word[0] == w[0] && !strcmp(rt_kws[k].word, w))
			return &rt_kws[k];
	return NULL;
}

static enum rt_word rt_word(const char *w)
{
	const struct rt_kw *kw = rt_kw_find(w);

	return kw ? kw->id : RW_NONE;
}

/* [TYPE] [to] PREFIX|default; returns the destination as written. */
static const char *rt_parse_head(struct rt_parse *p, const struct vrf_words *ws)
{
	struct route *r = p->r;
	const char *dst;
	int type;

	r->type = RTN_UNICAST;
	if (p->i < ws->n && (type = rt_type_word(ws->w[p->i])) >= 0) {
		if (type != RTN_UNICAST && type != RTN_BLACKHOLE && type != RTN_UNREACHABLE &&
		    type != RTN_PROHIBIT) {
			rt_err(p, "type \"%s\" is not supported (only unicast, blackhole, "
			       "unreachable and prohibit)", ws->w[p->i]);
			return NULL;
		}
		r->type = (uint8_t)type;
		p->i++;
	}
	if (p->i < ws->n && !strcmp(ws->w[p->i], "to"))
		p->i++;
	if (p->i >= ws->n) {
		rt_err(p, "missing destination (a prefix such as 10.0.0.0/24, or \"default\")");
		return NULL;
	}
	dst = ws->w[p->i++];
	if (!strcmp(dst, "default")) {
		memset(&r->dst, 0, sizeof(r->dst));
	} else if (vrf_addr_parse(&r->dst, dst, true, false) < 0) {
		rt_err(p, "\"%s\" is not a destination prefix (such as 10.0.0.0/24, "
		       "or \"default\")", dst);
		return NULL;
	}
	return dst;
}

/* The words after the destination, each through its entry in rt_kws. */
static int rt_parse_body(struct rt_parse *p, const struct vrf_words *ws)
{
	while (p->i < ws->n) {
		const char *w = ws->w[p->i], *v = p->i + 1 < ws->n ? ws->w[p->i + 1] : NULL;
		const struct rt_kw *kw = rt_kw_find(w);

		if (!kw)
			return rt_err(p, "unknown word \"%s\"", w);
		p->i++;
		if (kw->seen) {
			if (!v)
				return rt_err(p, "\"%s\" needs a value", w);
			p->i++;
			if ((kw->flags & RK_BEFORE_NH) && p->n_nh)
				return rt_err(p, "\"%s\" cannot follow a nexthop's own words "
					      "here; put route-wide words before the first "
					      "\"nexthop\"", w);
			if (rt_once(p, kw->seen, kw->once ? kw->once : w) < 0)
				return -EINVAL;
		}
		if (kw->parse(p, w, v) < 0)
			return -EINVAL;
	}
	return 0;
}

/* The family: the destination's, else the one written, else the one of the
 * first address, else IPv4 (as ip(8) decides).  Every address must have it. */
static int rt_settle_family(struct rt_parse *p, const char *dst)
{
	struct route *r = p->r;
	int family = r->dst.family;
	unsigned k;

	if (family && p->family && family != p->family)
		return rt_err(p, "destination %s is %s but \"family\" says %s", dst,
			      vrf_family_name(family), vrf_family_name(p->family));
	if (!family)
		family = p->family;
	if (!family)
		family = r->gw.family ? r->gw.family : r->src.family;
	for (k = 0; !family && k < p->n_nh; k++)
		family = p->nh[k].gw.family;
	if (!family)
		family = AF_INET;
	r->dst.family = (uint8_t)family;
	if (rt_family_check(p, family, "via", &r->gw) < 0 ||
	    rt_family_check(p, family, "src", &r->src) < 0)
		return -EINVAL;
	for (k = 0; k < p->n_nh; k++)
		if (rt_family_check(p, family, "via", &p->nh[k].gw) < 0)
			return -EINVAL;
	return 0;
}

/* Words that do not go together: by route type, multipath against a single
 * path, and what IPv6 does not have. */
static int rt_check_shape(struct rt_parse *p, const char *dst)
{
	struct route *r = p->r;

	if (r->type != RTN_UNICAST) {
		static const struct { unsigned bit; const char *word; } no[] = {
			{ SEEN_VIA, "via" }, { SEEN_DEV, "dev" }, { SEEN_SRC, "src" },
			{ SEEN_ONLINK, "onlink" },
		};

		for (unsigned k = 0; k < sizeof(no) / sizeof(no[0]); k++)
			if (p->seen & no[k].bit)
				return rt_err(p, "a %s route takes no \"%s\"",
					      rt_type_name(r->type), no[k].word);
		if (p->n_nh)
			return rt_err(p, "a %s route takes no \"nexthop\"", rt_type_name(r->type));
	} else if (p->n_nh) {
		if (p->seen & (SEEN_VIA | SEEN_DEV | SEEN_ONLINK))
			return rt_err(p, "\"nexthop\" cannot be combined with \"via\", \"dev\" "
				      "or \"onlink\" on the route itself");
		if (p->n_nh == 1)
			return rt_err(p, "a single nexthop is not multipath; write "
				      "\"via ADDR [dev NAME]\" instead");
	} else if (!r->gw.family && !r->dev[0]) {
		return rt_err(p, "%s needs \"via\", \"dev\" or \"nexthop\"", dst);
	} else if ((r->flags & RTNH_F_ONLINK) && (!r->gw.family || !r->dev[0])) {
		return rt_err(p, "\"onlink\" needs \"via\" and \"dev\"");
	}
	if (rt_link_local_needs_dev(p, &r->gw, r->dev) < 0)
		return -EINVAL;
	if (r->dst.family == AF_INET6) {
		if (p->seen & SEEN_TOS)
			return rt_err(p, "\"tos\" is not available for IPv6 routes");
		if (p->seen & SEEN_SCOPE)
			return rt_err(p, "\"scope\" is not available for IPv6 routes "
				      "(the kernel ignores it)");
		if (r->mtu && r->mtu < 1280)
			return rt_err(p, "mtu %u is below the IPv6 minimum of 1280", r->mtu);
	}
	return 0;
}

static int rt_parse_words(struct rt_parse *p, const struct vrf_words *ws)
{
	struct route *r = p->r;
	const char *dst;
	char s[INET6_ADDRSTRLEN + 8];
	int family;

	p->ws = ws;
	p->i = 0;
	dst = rt_parse_head(p, ws);
	if (!dst || rt_parse_body(p, ws) < 0 || rt_settle_family(p, dst) < 0)
		return -EINVAL;
	family = r->dst.family;
	if (vrf_addr_has_host_bits(&r->dst)) {
		struct vrf_addr m = r->dst;

		vrf_addr_mask(&m);
		vrf_addr_str(&m, true, s, sizeof(s));
		return rt_err(p, "%s has host bits set; did you mean %s?", dst, s);
	}
	if (rt_check_shape(p, dst) < 0)
		return -EINVAL;

	if (!(r->has & RT_HAS_TABLE))
		r->table = RT_TABLE_MAIN;
	/* IPv6 turns metric 0 into 1024; store what the kernel will hold, so
	 * the identity matches what observe() reads back. */
	if (!(r->has & RT_HAS_METRIC) || (family == AF_INET6 && r->metric == 0))
		r->metric = rt_default_metric(family);
	if (!(r->has & RT_HAS_SCOPE))
		r->scope = rt_default_scope(r);

	if (p->n_nh) {
		/* p->r is replaced by a larger object. */
		p->r = rt_with_nh(r, p->nh, p->n_nh);
	}
	return 0;
}

static void route_free(struct vrf_obj *o)
{
	free(o);
}

static int route_parse(struct vrf_config *cfg, struct vrf_domain *d,
		       const struct vrf_loc *loc, const char *key, const char *value)
{
	struct vrf_words ws = { 0 };
	char *slots[256];	/* the words of any line inih accepts (model.h) */
	struct rt_parse p;
	int err;

	/* Only the header of the parse state is cleared: the nexthop table
	 * is 2 KiB, a file may have 100,000 routes, and each nexthop slot is
	 * cleared when it is used. */
	p.cfg = cfg;
	p.loc = loc;
	p.r = NULL;
	p.n_nh = 0;
	p.seen = 0;
	p.family = 0;
	/* A file may hold 100,000 routes: split on the stack, and allocate
	 * only for a value longer than a config line can be. */
	err = vrf_words_split_buf(&ws, value, slots, sizeof(slots) / sizeof(slots[0]));
	if (err == -ENOSPC)
		err = vrf_words_split(&ws, value);
	if (err < 0) {
		vrf_error(cfg, loc, "route: cannot split \"%s\" into words", value);
		err = -EINVAL;
		goto out;
	}
	p.r = vrf_obj_new(&route_plugin, sizeof(struct route), loc);
	err = rt_parse_words(&p, &ws);
	if (err < 0)
		goto out;
	err = vrf_domain_add(d, &p.r->obj);
	if (err == 0)
		p.r = NULL;
out:
	if (p.r)
		route_free(&p.r->obj);
	vrf_words_free(&ws);
	return err;
}

/* ---- identity, equality, text ---- */

static int route_compare(const struct vrf_obj *a, const struct vrf_obj *b)
{
	const struct route *x = CROUTE(a), *y = CROUTE(b);
	int c;

	if (x->dst.family != y->dst.family)
		return x->dst.family < y->dst.family ? -1 : 1;
	if (x->table != y->table)
		return x->table < y->table ? -1 : 1;
	if (x->dst.family == AF_INET6) {
		c = memcmp(x->dst.bytes, y->dst.bytes, 16);
		if (c)
			return c;
	} else {
		/* In host order an IPv4 address compares as memcmp() orders
		 * its bytes, without the call: sorting and merging 100,000
		 * routes compares a lot. */
		uint32_t ax = ntohl(x->dst.v4.s_addr), ay = ntohl(y->dst.v4.s_addr);

		if (ax != ay)
			return ax < ay ? -1 : 1;
	}
	if (x->dst.plen != y->dst.plen)
		return x->dst.plen < y->dst.plen ? -1 : 1;
	if (x->tos != y->tos)
		return x->tos < y->tos ? -1 : 1;
	if (x->metric != y->metric)
		return x->metric < y->metric ? -1 : 1;
	return 0;
}

static bool rt_addr_eq(const struct vrf_addr *a, const struct vrf_addr *b)
{
	if (a->family != b->family)
		return false;
	return !a->family || !memcmp(a->bytes, b->bytes, a->family == AF_INET6 ? 16 : 4);
}

/* Does the live route have every attribute the file asks for?  Gateways,
 * nexthops, type, src, mtu and onlink are compared whether written or not:
 * only a config can put them on a route vrfmgr owns, so a live value the
 * file does not have is drift.  The device and the scope are compared only
 * when written, because the kernel fills them in on its own. */
static bool route_equal(const struct vrf_obj *want, const struct vrf_obj *have)
{
	const struct route *w = CROUTE(want), *h = CROUTE(have);
	unsigned i;

	if (w->type != h->type || w->n_nh != h->n_nh || w->mtu != h->mtu ||
	    !rt_addr_eq(&w->src, &h->src))
		return false;
	if ((w->has & RT_HAS_SCOPE) && w->scope != h->scope)
		return false;
	if (w->type != RTN_UNICAST)
		return true;
	if (!w->n_nh) {
		if (!rt_addr_eq(&w->gw, &h->gw) || w->flags != h->flags)
			return false;
		return !w->dev[0] || !strcmp(w->dev, h->dev);
	}
	for (i = 0; i < w->n_nh; i++) {
		const struct route_nh *a = &w->nh[i], *b = &h->nh[i];

		if (!rt_addr_eq(&a->gw, &b->gw) || a->weight != b->weight ||
		    a->flags != b->flags || (a->dev[0] && strcmp(a->dev, b->dev)))
			return false;
	}
	return true;
}

static void rt_put_addr(struct vrf_buf *out, const char *word, const struct vrf_addr *a)
{
	char s[INET6_ADDRSTRLEN];

	if (!a->family)
		return;
	vrf_addr_str(a, false, s, sizeof(s));
	vrf_buf_printf(out, " %s %s", word, s);
}

static void route_format(const struct vrf_obj *o, struct vrf_buf *out)
{
	const struct route *r = CROUTE(o);
	char s[INET6_ADDRSTRLEN + 8];
	bool family_shown;
	unsigned i;

	if (r->type != RTN_UNICAST)
		vrf_buf_printf(out, "%s ", rt_type_name(r->type));
	if (r->dst.plen == 0) {
		vrf_buf_puts(out, "default");
		/* "default" alone reads as IPv4; say inet6 unless an address
		 * on the line already does. */
		family_shown = r->gw.family || r->src.family || (r->n_nh && r->nh[0].gw.family);
		if (r->dst.family == AF_INET6 && !family_shown)
			vrf_buf_puts(out, " family inet6");
	} else {
		vrf_addr_str(&r->dst, true, s, sizeof(s));
		vrf_buf_puts(out, s);
	}
	if (r->tos)
		vrf_buf_printf(out, " tos %u", r->tos);
	rt_put_addr(out, "via", &r->gw);
	if (r->dev[0])
		vrf_buf_printf(out, " dev %s", r->dev);
	if (r->flags & RTNH_F_ONLINK)
		vrf_buf_puts(out, " onlink");
	if (r->has & RT_HAS_TABLE) {
		vrf_buf_puts(out, " table ");
		vrf_table_format(r->table, out);
	}
	if (r->has & RT_HAS_METRIC)
		vrf_buf_printf(out, " metric %u", r->metric);
	if (r->has & RT_HAS_SCOPE) {
		for (i = 0; i < sizeof(rt_scopes) / sizeof(rt_scopes[0]); i++)
			if (rt_scopes[i].scope == r->scope)
				break;
		if (i < sizeof(rt_scopes) / sizeof(rt_scopes[0]))
			vrf_buf_printf(out, " scope %s", rt_scopes[i].name);
		else
			vrf_buf_printf(out, " scope %u", r->scope);
	}
	rt_put_addr(out, "src", &r->src);
	if (r->mtu)
		vrf_buf_printf(out, " mtu %u", r->mtu);
	for (i = 0; i < r->n_nh; i++) {
		vrf_buf_puts(out, " nexthop");
		rt_put_addr(out, "via", &r->nh[i].gw);
		if (r->nh[i].dev[0])
			vrf_buf_printf(out, " dev %s", r->nh[i].dev);
		vrf_buf_printf(out, " weight %u", r->nh[i].weight);
		if (r->nh[i].flags & RTNH_F_ONLINK)
			vrf_buf_puts(out, " onlink");
	}
}

/* ---- validate ---- */

/* Routes come in runs on one device: a name found once is not looked up
 * again for the next route. */
static int rt_check_dev(struct vrf_config *cfg, const struct vrf_domain *d,
			const struct route *r, const char *dev, const char **last_ok)
{
	if (*last_ok && !strcmp(dev, *last_ok))
		return 0;
	if (vrf_check_dev(cfg, d, &r->obj.loc, "route", "dev", dev) < 0)
		return -EINVAL;
	*last_ok = dev;
	return 0;
}

/* Every device a route names is a link of its section.  Duplicates are
 * the engine's check (config.c), by route_compare(). */
static int route_validate(struct vrf_config *cfg, struct vrf_domain *d)
{
	const char *last_ok = NULL;
	size_t n;
	struct vrf_obj *const *v = vrf_domain_sorted(d, &route_plugin, &n);
	int err = 0;

	for (size_t i = 0; i < n; i++) {
		const struct route *r = CROUTE(v[i]);
		unsigned k;

		if (r->dev[0] && rt_check_dev(cfg, d, r, r->dev, &last_ok) < 0)
			err = -EINVAL;
		for (k = 0; k < r->n_nh; k++)
			if (r->nh[k].dev[0] && rt_check_dev(cfg, d, r, r->nh[k].dev, &last_ok) < 0)
				err = -EINVAL;
	}
	return err;
}

/* ---- devices ---- */

/* The name of ifindex idx.  A device that went away during the dump is
 * called "ifIDX" (and remembered so, to ask only once). */
static void rt_ifc_name(struct vrf_ifc *c, int idx, char *name)
{
	int k = vrf_ifc_find(c, idx);

	if (k >= 0) {
		memcpy(name, c->e[k].name, IFNAMSIZ);
		return;
	}
	snprintf(name, IFNAMSIZ, "if%d", idx);
	(void)vrf_ifc_add(c, idx, name);
}

/* ---- observe ---- */

struct rt_obs {
	struct vrf_objv *out;
	unsigned proto;
	struct vrf_ifc ifc;
};

/* The attributes of a route message filed by type, as mnl_attr_parse()
 * files them (a later one of a type wins), walked with mnl_attr_ok()'s
 * checks but inline, and read with the inline accessors below: libmnl's
 * walk and accessors are library calls, several per attribute, and a
 * dump of 100,000 routes has half a million attributes. */
static void rt_attrs(const struct nlmsghdr *nlh, const struct nlattr *tb[RTA_MAX + 1])
{
	const char *tail = (const char *)nlh + MNL_ALIGN(nlh->nlmsg_len);
	const char *at = (const char *)nlh + MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct rtmsg));

	while (tail - at >= (ptrdiff_t)sizeof(struct nlattr)) {
		const struct nlattr *a = (const struct nlattr *)at;
		unsigned type = a->nla_type & NLA_TYPE_MASK;

		if (a->nla_len < sizeof(*a) || a->nla_len > tail - at)
			break;
		if (type <= RTA_MAX)
			tb[type] = a;
		at += MNL_ALIGN(a->nla_len);
	}
}

static size_t rt_attr_len(const struct nlattr *a)
{
	return a->nla_len - MNL_ATTR_HDRLEN;
}

static const void *rt_attr_data(const struct nlattr *a)
{
	return (const char *)a + MNL_ATTR_HDRLEN;
}

/* *v = the u32 in a, if there is an a of 4 bytes at least. */
static void rt_attr_u32(const struct nlattr *a, uint32_t *v)
{
	if (a && rt_attr_len(a) >= 4)
		memcpy(v, rt_attr_data(a), sizeof(*v));
}

static void rt_get_addr(struct vrf_addr *a, int family, const struct nlattr *attr)
{
	size_t len = family == AF_INET6 ? 16 : 4;

	if (!attr || rt_attr_len(attr) < len)
		return;
	a->family = (uint8_t)family;
	a->plen = (uint8_t)(len * 8);
	memcpy(a->bytes, rt_attr_data(attr), len);
}

static void rt_get_via(struct vrf_addr *a, const struct nlattr *attr)
{
	const struct rtvia *via = mnl_attr_get_payload(attr);
	size_t plen = mnl_attr_get_payload_len(attr);

	if (plen < sizeof(*via))
		return;
	if ((via->rtvia_family == AF_INET && plen >= sizeof(*via) + 4) ||
	    (via->rtvia_family == AF_INET6 && plen >= sizeof(*via) + 16)) {
		a->family = (uint8_t)via->rtvia_family;
		a->plen = via->rtvia_family == AF_INET6 ? 128 : 32;
		memcpy(a->bytes, via->rtvia_addr, via->rtvia_family == AF_INET6 ? 16 : 4);
	}
}

/* The nexthops of RTA_MULTIPATH mp for the route *rp, which a route of
 * two or more nexthops replaces (rt_with_nh()). */
static int rt_parse_multipath(struct rt_obs *o, struct route **rp, const struct nlattr *mp)
{
	struct route *r = *rp;
	struct route_nh nh[RT_MAX_NH];
	const struct rtnexthop *rtnh = mnl_attr_get_payload(mp);
	int len = (int)mnl_attr_get_payload_len(mp);
	unsigned n = 0;

	/* RTNH_OK() reads rtnh_len before it knows that a header is left:
	 * past the last nexthop that is past the attribute, and past the
	 * buffer when RTA_MULTIPATH ends the dump (found by fuzz-nlmsg). */
	while (len >= (int)sizeof(*rtnh) && RTNH_OK(rtnh, len) && n < RT_MAX_NH) {
		const struct nlattr *attr;
		int alen = (int)rtnh->rtnh_len - (int)RTNH_LENGTH(0);

		memset(&nh[n], 0, sizeof(nh[n]));
		nh[n].weight = (uint16_t)(rtnh->rtnh_hops + 1);
		nh[n].flags = rtnh->rtnh_flags & RTNH_F_ONLINK;
		if (rtnh->rtnh_ifindex > 0)
			rt_ifc_name(&o->ifc, rtnh->rtnh_ifindex, nh[n].dev);
		for (attr = (const struct nlattr *)RTNH_DATA(rtnh); mnl_attr_ok(attr, alen);
		     attr = mnl_attr_next(attr)) {
			alen -= (int)MNL_ALIGN(attr->nla_len);
			if (mnl_attr_get_type(attr) == RTA_GATEWAY)
				rt_get_addr(&nh[n].gw, r->dst.family, attr);
			else if (mnl_attr_get_type(attr) == RTA_VIA)
				rt_get_via(&nh[n].gw, attr);
		}
		n++;
		len -= (int)RTNH_ALIGN(rtnh->rtnh_len);
		rtnh = RTNH_NEXT(rtnh);
	}
	if (n == 1) {
		/* One path left: the same route as the plain form. */
		r->gw = nh[0].gw;
		r->flags = nh[0].flags;
		memcpy(r->dev, nh[0].dev, IFNAMSIZ);
		return 0;
	}
	if (n == 0)
		return 0;
	*rp = rt_with_nh(r, nh, n);
	return 0;
}

static int rt_obs_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rt_obs *o = data;
	const struct rtmsg *rtm;
	const struct nlattr *tb[RTA_MAX + 1] = { NULL };
	struct route *r;
	uint32_t oif = 0;
	int err;

	if (nlh->nlmsg_type != RTM_NEWROUTE || mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return 0;
	rtm = mnl_nlmsg_get_payload(nlh);
	/* Only routes stamped with our protocol are ours; test it before
	 * anything else, the dump may be mostly other routes. */
	if (rtm->rtm_protocol != o->proto)
		return 0;
	if ((rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) ||
	    (rtm->rtm_flags & RTM_F_CLONED))
		return 0;
	/* Source-specific IPv6 routes ("from") cannot be written in the file,
	 * so vrfmgr never made one; leave it alone. */
	if (rtm->rtm_src_len)
		return 0;

	r = vrf_obj_new(&route_plugin, sizeof(*r), &(struct vrf_loc){ NULL, 0 });
	r->dst.family = rtm->rtm_family;
	r->dst.plen = rtm->rtm_dst_len;
	r->type = rtm->rtm_type;
	r->scope = rtm->rtm_scope;
	r->tos = rtm->rtm_tos;
	r->table = rtm->rtm_table;
	rt_attrs(nlh, tb);
	if (tb[RTA_DST] && rt_attr_len(tb[RTA_DST]) >= (rtm->rtm_family == AF_INET6 ? 16u : 4u))
		memcpy(r->dst.bytes, rt_attr_data(tb[RTA_DST]), rtm->rtm_family == AF_INET6 ? 16 : 4);
	rt_attr_u32(tb[RTA_TABLE], &r->table);
	rt_attr_u32(tb[RTA_PRIORITY], &r->metric);
	rt_attr_u32(tb[RTA_OIF], &oif);
	rt_get_addr(&r->gw, rtm->rtm_family, tb[RTA_GATEWAY]);
	if (tb[RTA_VIA])
		rt_get_via(&r->gw, tb[RTA_VIA]);
	rt_get_addr(&r->src, rtm->rtm_family, tb[RTA_PREFSRC]);
	if (tb[RTA_METRICS]) {
		const struct nlattr *m;

		mnl_attr_for_each_nested(m, tb[RTA_METRICS])
			if (mnl_attr_get_type(m) == RTAX_MTU && mnl_attr_get_payload_len(m) >= 4)
				r->mtu = mnl_attr_get_u32(m);
	}
	if (r->type == RTN_UNICAST) {
		r->flags = rtm->rtm_flags & RTNH_F_ONLINK;
		if (oif > 0 && oif <= INT_MAX)
			rt_ifc_name(&o->ifc, (int)oif, r->dev);
		if (tb[RTA_MULTIPATH]) {
			err = rt_parse_multipath(o, &r, tb[RTA_MULTIPATH]);
			if (err < 0)
				return err;	/* r is freed */
		}
	} else {
		/* The kernel hangs reject routes on lo; that is not a device
		 * the file could have named. */
		memset(&r->gw, 0, sizeof(r->gw));
	}
	/* The "has" bits of a live route mark what differs from the defaults,
	 * so that its plan line shows only what matters. */
	if (r->table != RT_TABLE_MAIN)
		r->has |= RT_HAS_TABLE;
	if (r->metric != rt_default_metric(r->dst.family))
		r->has |= RT_HAS_METRIC;
	if (r->dst.family == AF_INET && r->scope != rt_default_scope(r))
		r->has |= RT_HAS_SCOPE;
	vrf_objv_push(o->out, &r->obj);
	return 0;
}

/* One dump for both families and every table. */
static int route_observe(struct vrf_run *run, struct vrf_ns *ns,
			 const struct vrf_domain *d, struct vrf_objv *out)
{
	struct rt_obs o = { .out = out };
	int err;

	o.proto = vrf_run_config(run)->route_protocol;
	vrf_ifc_init(&o.ifc, ns);
	err = vrf_nl_dump_objs(ns, RTM_GETROUTE, sizeof(struct rtmsg), rt_obs_cb, &o, out);
	vrf_ifc_free(&o.ifc);
	return err;
}

/* ---- apply ---- */

/* Fill a request for route r.  ifidx[0] is the ifindex of r->dev, ifidx[1+i]
 * that of nexthop i (0 when no device is named).  A deletion names only the
 * identity and the protocol, so the kernel removes our route and never a
 * foreign one that happens to share the prefix. */
static void route_encode(struct nlmsghdr *nlh, const struct route *r, bool del,
			 unsigned proto, const int *ifidx)
{
	size_t alen = r->dst.family == AF_INET6 ? 16 : 4;
	struct rtmsg *rtm;
	unsigned i;

	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = r->dst.family;
	rtm->rtm_dst_len = r->dst.plen;
	rtm->rtm_tos = r->tos;
	rtm->rtm_table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = (uint8_t)proto;
	mnl_attr_put_u32(nlh, RTA_TABLE, r->table);
	if (r->dst.plen)
		mnl_attr_put(nlh, RTA_DST, alen, r->dst.bytes);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, r->metric);
	if (del) {
		rtm->rtm_scope = RT_SCOPE_NOWHERE;	/* any scope */
		rtm->rtm_type = RTN_UNSPEC;		/* any type */
		return;
	}
	rtm->rtm_scope = (r->has & RT_HAS_SCOPE) ? r->scope : rt_default_scope(r);
	rtm->rtm_type = r->type;
	rtm->rtm_flags = r->flags;
	if (r->gw.family)
		mnl_attr_put(nlh, RTA_GATEWAY, alen, r->gw.bytes);
	if (r->dev[0] && ifidx[0] > 0)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifidx[0]);
	if (r->src.family)
		mnl_attr_put(nlh, RTA_PREFSRC, alen, r->src.bytes);
	if (r->mtu) {
		struct nlattr *m = mnl_attr_nest_start(nlh, RTA_METRICS);

		mnl_attr_put_u32(nlh, RTAX_MTU, r->mtu);
		mnl_attr_nest_end(nlh, m);
	}
	if (r->n_nh) {
		struct nlattr *mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);

		for (i = 0; i < r->n_nh; i++) {
			struct rtnexthop *rtnh = mnl_nlmsg_get_payload_tail(nlh);
			size_t start = nlh->nlmsg_len;

			nlh->nlmsg_len += RTNH_ALIGN(sizeof(*rtnh));
			memset(rtnh, 0, sizeof(*rtnh));
			rtnh->rtnh_flags = r->nh[i].flags;
			rtnh->rtnh_hops = (uint8_t)(r->nh[i].weight - 1);
			rtnh->rtnh_ifindex = r->nh[i].dev[0] ? ifidx[1 + i] : 0;
			if (r->nh[i].gw.family)
				mnl_attr_put(nlh, RTA_GATEWAY, alen, r->nh[i].gw.bytes);
			rtnh->rtnh_len = (unsigned short)(nlh->nlmsg_len - start);
		}
		mnl_attr_nest_end(nlh, mp);
	}
}

/* Resolve the devices an added or changed route names; 0 or -errno with the
 * op marked failed. */
static int rt_resolve(struct vrf_ifc *ifc, struct vrf_op *op, const struct route *r, int *ifidx)
{
	unsigned i;

	ifidx[0] = 0;
	if (r->dev[0]) {
		ifidx[0] = vrf_ifc_index(ifc, r->dev);
		if (ifidx[0] < 0) {
			vrf_op_fail(op, -ENODEV, "device %s does not exist in this namespace", r->dev);
			return -ENODEV;
		}
	}
	for (i = 0; i < r->n_nh; i++) {
		ifidx[1 + i] = 0;
		if (!r->nh[i].dev[0])
			continue;
		ifidx[1 + i] = vrf_ifc_index(ifc, r->nh[i].dev);
		if (ifidx[1 + i] < 0) {
			vrf_op_fail(op, -ENODEV, "device %s does not exist in this namespace",
				    r->nh[i].dev);
			return -ENODEV;
		}
	}
	return 0;
}

/* The engine hands the ops over as the plan lists them (deletions, changes,
 * additions), and they go to the kernel in that order, in one batch. */
static int route_apply(struct vrf_run *run, struct vrf_ns *ns,
		       const struct vrf_domain *d, struct vrf_op *ops, size_t n)
{
	unsigned proto = vrf_run_config(run)->route_protocol;
	struct vrf_ifc ifc;
	struct vrf_nl_batch *b;
	int ifidx[1 + RT_MAX_NH];
	int first = 0, err;

	err = vrf_nl_batch_ops(ns, ops, n, &b);
	if (err < 0)
		return err;
	vrf_ifc_init(&ifc, ns);
	for (size_t i = 0; i < n; i++) {
		struct vrf_op *op = &ops[i];
		const struct route *r;
		struct nlmsghdr *nlh;
		bool del = op->kind == VRF_OP_DEL;
		uint16_t type, flags;

		if (op->err)
			continue;
		r = CROUTE(del ? op->have : op->want);
		if (!del && rt_resolve(&ifc, op, r, ifidx) < 0) {
			if (!first)
				first = op->err;
			continue;
		}
		type = del ? RTM_DELROUTE : RTM_NEWROUTE;
		flags = op->kind == VRF_OP_ADD ? NLM_F_CREATE | NLM_F_EXCL :
			op->kind == VRF_OP_CHANGE ? NLM_F_CREATE | NLM_F_REPLACE : 0;
		nlh = vrf_nl_batch_add(b, type, flags, op);
		if (!nlh) {
			vrf_op_fail(op, -errno, NULL);
			if (!first)
				first = op->err;
			continue;
		}
		route_encode(nlh, r, del, proto, ifidx);
	}
	err = vrf_nl_batch_finish(b);
	vrf_ifc_free(&ifc);
	return first ? first : err;
}

/* The live objects are the routes observe found carrying route_protocol:
 * exactly the ones vrfmgr owns, no second dump needed. */
static int route_metrics(struct vrf_run *run, struct vrf_ns *ns, const struct vrf_domain *d,
			 struct vrf_obj *const *live, size_t n, struct vrf_metrics *m)
{
	vrf_metric(m, "vrfmgr_routes", "gauge", "Routes vrfmgr owns in the domain.", (double)n,
		   NULL);
	return 0;
}

static const char *const route_keys[] = { "route", NULL };

/* A change is one NLM_F_REPLACE and never leaves a gap; a removal stops
 * what the route carried. */
static const char *route_disruptive(const struct vrf_op *op)
{
	return op->kind == VRF_OP_DEL ? "route removed" : NULL;
}

static const struct vrf_plugin route_plugin = {
	.abi = VRF_PLUGIN_ABI,
	.name = "route",
	.keys = route_keys,
	.stage = 40,
	.flags = VRF_PLUGIN_HOST_OK,
	.parse = route_parse,
	.validate = route_validate,
	.compare = route_compare,
	.equal = route_equal,
	.observe = route_observe,
	.apply = route_apply,
	.format = route_format,
	.format_change = vrf_format_was,
	.free = route_free,
	.disruptive = route_disruptive,
	.metrics = route_metrics,
};

VRF_PLUGIN_REGISTER(route_plugin);
