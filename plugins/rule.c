// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Policy routing rules: `rule = ...` takes the words of `ip rule add`.
 *
 *   rule = [not] [from PREFIX|all] [to PREFIX|all] [tos N] [fwmark N[/MASK]]
 *          [iif NAME] [oif NAME] [family inet|inet6]
 *          table|lookup main|local|default|N | blackhole | unreachable | prohibit
 *          [suppress_prefixlength N] priority|pref|order N
 *
 * `priority` is required: without it the kernel numbers the rule itself, and
 * vrfmgr could not tell on the next run which live rule is which line.
 * An action is required too (a table, or a reject type), because the kernel
 * answers a rule without a table by inventing an empty one.
 *
 * Identity: family, priority and the selector (not, from, to, iif, oif,
 * fwmark/mask, tos).  The action (table or reject type) and
 * suppress_prefixlength are attributes.  The kernel has no "replace" for
 * rules, so a change is a deletion of the live rule and an addition of the
 * wanted one, back to back in one netlink batch.
 *
 * Ownership: every rule vrfmgr adds carries FRA_PROTOCOL = route_protocol;
 * observe() returns only rules with that protocol, so the kernel's default
 * rules (priority 0, 32766, 32767) and everybody else's are never touched.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>

#include "model.h"
#include "nl.h"
#include "plugin.h"

#define RU_HAS_FWMARK	(1U << 0)	/* a fwmark selector */
#define RU_HAS_FWMASK	(1U << 1)	/* its mask was written (else all ones) */
#define RU_HAS_SUPPRESS	(1U << 2)	/* suppress_prefixlength */

struct rule {
	struct vrf_obj obj;
	struct vrf_addr from, to;	/* family 0: all */
	uint8_t family;
	uint8_t invert;			/* `not` */
	uint8_t tos;
	uint8_t action;			/* FR_ACT_TO_TBL, _BLACKHOLE, _UNREACHABLE, _PROHIBIT */
	uint8_t has;			/* RU_HAS_* */
	uint8_t suppress;		/* suppress_prefixlength, with RU_HAS_SUPPRESS */
	uint32_t priority;
	uint32_t fwmark, fwmask;
	uint32_t table;			/* with FR_ACT_TO_TBL */
	char iif[IFNAMSIZ], oif[IFNAMSIZ];
};

static const struct vrf_plugin rule_plugin;

#define CRULE(o) ((const struct rule *)(o))

static const struct {
	const char *name;
	uint8_t action;
} ru_actions[] = {
	{ "blackhole", FR_ACT_BLACKHOLE },
	{ "unreachable", FR_ACT_UNREACHABLE },
	{ "prohibit", FR_ACT_PROHIBIT },
};

/* ---- parse ---- */

struct ru_parse {
	struct vrf_config *cfg;
	const struct vrf_loc *loc;
	unsigned seen;
	struct rule *r;		/* the rule being filled */
	int family;		/* from `family`, 0 if not written */
};

static int ru_err(struct ru_parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int ru_err(struct ru_parse *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vrf_error(p->cfg, p->loc, "rule: %s", msg);
	return -EINVAL;
}

enum {
	RS_NOT = 1U << 0, RS_FROM = 1U << 1, RS_TO = 1U << 2, RS_TOS = 1U << 3,
	RS_FWMARK = 1U << 4, RS_IIF = 1U << 5, RS_OIF = 1U << 6, RS_FAMILY = 1U << 7,
	RS_ACTION = 1U << 8, RS_SUPPRESS = 1U << 9, RS_PRIO = 1U << 10,
};

static int ru_once(struct ru_parse *p, unsigned bit, const char *word)
{
	if (p->seen & bit)
		return ru_err(p, "\"%s\" is given twice", word);
	p->seen |= bit;
	return 0;
}

static int ru_prefix(struct ru_parse *p, const char *word, const char *s, struct vrf_addr *a)
{
	char m[INET6_ADDRSTRLEN + 8];

	if (!strcmp(s, "all")) {
		memset(a, 0, sizeof(*a));
		return 0;
	}
	if (vrf_addr_parse(a, s, true, false) < 0)
		return ru_err(p, "%s \"%s\" is not a prefix (such as 10.0.0.0/24) or \"all\"",
			      word, s);
	if (vrf_addr_has_host_bits(a)) {
		struct vrf_addr x = *a;

		vrf_addr_mask(&x);
		vrf_addr_str(&x, true, m, sizeof(m));
		return ru_err(p, "%s %s has host bits set; did you mean %s?", word, s, m);
	}
	return 0;
}

/* ---- the words of a rule line: one parser each ---- */

static int ru_kw_not(struct ru_parse *p, const char *w, const char *v)
{
	p->r->invert = 1;
	return 0;
}

static int ru_kw_reject(struct ru_parse *p, const char *w, const char *v)
{
	for (size_t k = 0; k < sizeof(ru_actions) / sizeof(ru_actions[0]); k++)
		if (!strcmp(w, ru_actions[k].name))
			p->r->action = ru_actions[k].action;
	return 0;
}

static int ru_kw_proto(struct ru_parse *p, const char *w, const char *v)
{
	return ru_err(p, "\"%s\" is not allowed: vrfmgr marks every rule it owns "
		      "with route_protocol %u", w, p->cfg->route_protocol);
}

static int ru_kw_from(struct ru_parse *p, const char *w, const char *v)
{
	return ru_prefix(p, w, v, &p->r->from);
}

static int ru_kw_to(struct ru_parse *p, const char *w, const char *v)
{
	return ru_prefix(p, w, v, &p->r->to);
}

static int ru_kw_tos(struct ru_parse *p, const char *w, const char *v)
{
	unsigned long long num;

	if (vrf_parse_num(v, 0, 255, &num) < 0)
		return ru_err(p, "%s \"%s\" is not a number from 0 to 255", w, v);
	p->r->tos = (uint8_t)num;
	return 0;
}

static int ru_kw_fwmark(struct ru_parse *p, const char *w, const char *v)
{
	struct rule *r = p->r;
	char buf[64], *slash;
	unsigned long long num, mask = UINT32_MAX;

	snprintf(buf, sizeof(buf), "%s", v);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (vrf_parse_num(buf, 0, UINT32_MAX, &num) < 0 ||
	    (slash && vrf_parse_num(slash, 0, UINT32_MAX, &mask) < 0))
		return ru_err(p, "fwmark \"%s\" is not MARK or MARK/MASK "
			      "(numbers up to 0xffffffff)", v);
	if (!slash && num == 0)
		return ru_err(p, "fwmark 0 without a mask matches every packet; "
			      "leave it out, or write 0/MASK");
	if (slash && mask == 0)
		return ru_err(p, "fwmark mask 0 matches every packet; leave the fwmark out");
	r->fwmark = (uint32_t)num;
	r->fwmask = (uint32_t)mask;
	r->has |= RU_HAS_FWMARK | (slash ? RU_HAS_FWMASK : 0);
	return 0;
}

static int ru_kw_dev(struct ru_parse *p, const char *w, const char *v)
{
	const char *why = NULL;

	if (!vrf_ifname_valid(v, &why))
		return ru_err(p, "%s \"%s\" is not a valid interface name: %s", w, v, why);
	snprintf(w[0] == 'i' ? p->r->iif : p->r->oif, IFNAMSIZ, "%s", v);
	return 0;
}

static int ru_kw_family(struct ru_parse *p, const char *w, const char *v)
{
	if (!strcmp(v, "inet"))
		p->family = AF_INET;
	else if (!strcmp(v, "inet6"))
		p->family = AF_INET6;
	else
		return ru_err(p, "family \"%s\" is not inet or inet6", v);
	return 0;
}

static int ru_kw_table(struct ru_parse *p, const char *w, const char *v)
{
	p->r->action = FR_ACT_TO_TBL;
	if (vrf_table_parse(v, &p->r->table) < 0)
		return ru_err(p, "%s \"%s\" is not main, local, default or a "
			      "number from 1 to 4294967295", w, v);
	return 0;
}

static int ru_kw_suppress(struct ru_parse *p, const char *w, const char *v)
{
	unsigned long long num;

	if (vrf_parse_num(v, 0, 128, &num) < 0)
		return ru_err(p, "suppress_prefixlength \"%s\" is not a number "
			      "from 0 to 128", v);
	p->r->suppress = (uint8_t)num;
	p->r->has |= RU_HAS_SUPPRESS;
	return 0;
}

static int ru_kw_priority(struct ru_parse *p, const char *w, const char *v)
{
	unsigned long long num;

	if (vrf_parse_num(v, 0, UINT32_MAX, &num) < 0)
		return ru_err(p, "%s \"%s\" is not a number from 0 to 4294967295", w, v);
	p->r->priority = (uint32_t)num;
	return 0;
}

/* Every word of a rule line: the word, whether a value follows it, the
 * RS_* bit it sets (given once; `once` names it in the error when several
 * words mean the same, and RS_ACTION words say the rule has an action
 * already), and its parser. */
#define RK_VALUE	1U

static const struct ru_kw {
	const char *word;
	unsigned flags;
	unsigned seen;
	const char *once;
	int (*parse)(struct ru_parse *p, const char *w, const char *v);
} ru_kws[] = {
	{ "not", 0, RS_NOT, NULL, ru_kw_not },
	{ "blackhole", 0, RS_ACTION, NULL, ru_kw_reject },
	{ "unreachable", 0, RS_ACTION, NULL, ru_kw_reject },
	{ "prohibit", 0, RS_ACTION, NULL, ru_kw_reject },
	{ "proto", 0, 0, NULL, ru_kw_proto },
	{ "protocol", 0, 0, NULL, ru_kw_proto },
	{ "from", RK_VALUE, RS_FROM, NULL, ru_kw_from },
	{ "to", RK_VALUE, RS_TO, NULL, ru_kw_to },
	{ "tos", RK_VALUE, RS_TOS, "tos", ru_kw_tos },
	{ "dsfield", RK_VALUE, RS_TOS, "tos", ru_kw_tos },
	{ "fwmark", RK_VALUE, RS_FWMARK, NULL, ru_kw_fwmark },
	{ "iif", RK_VALUE, RS_IIF, NULL, ru_kw_dev },
	{ "oif", RK_VALUE, RS_OIF, NULL, ru_kw_dev },
	{ "family", RK_VALUE, RS_FAMILY, NULL, ru_kw_family },
	{ "table", RK_VALUE, RS_ACTION, NULL, ru_kw_table },
	{ "lookup", RK_VALUE, RS_ACTION, NULL, ru_kw_table },
	{ "suppress_prefixlength", RK_VALUE, RS_SUPPRESS, NULL, ru_kw_suppress },
	{ "priority", RK_VALUE, RS_PRIO, "priority", ru_kw_priority },
	{ "pref", RK_VALUE, RS_PRIO, "priority", ru_kw_priority },
	{ "preference", RK_VALUE, RS_PRIO, "priority", ru_kw_priority },
	{ "order", RK_VALUE, RS_PRIO, "priority", ru_kw_priority },
};

static const struct ru_kw *ru_kw_find(const char *w)
{
	for (size_t k = 0; k < sizeof(ru_kws) / sizeof(ru_kws[0]); k++)
		if (ru_kws[k].word[0] == w[0] && !strcmp(ru_kws[k].word, w))
			return &ru_kws[k];
	return NULL;
}

/* What the words say together: the required priority and action, one
 * family for every prefix, and suppress_prefixlength only with a table. */
static int ru_finish(struct ru_parse *p, struct rule *r)
{
	int family = p->family;

	if (!(p->seen & RS_PRIO))
		return ru_err(p, "missing \"priority N\": without it the kernel picks a "
			      "number and vrfmgr could not recognise the rule on the next run");
	if (!(p->seen & RS_ACTION))
		return ru_err(p, "missing action: \"table N\", \"blackhole\", \"unreachable\" "
			      "or \"prohibit\"");
	if (r->from.family && r->to.family && r->from.family != r->to.family)
		return ru_err(p, "from is %s but to is %s", vrf_family_name(r->from.family),
			      vrf_family_name(r->to.family));
	if (family) {
		const struct vrf_addr *a = r->from.family ? &r->from : &r->to;

		if (a->family && a->family != family)
			return ru_err(p, "\"family %s\" does not match the %s prefix",
				      family == AF_INET6 ? "inet6" : "inet",
				      vrf_family_name(a->family));
	} else {
		family = r->from.family ? r->from.family : r->to.family;
	}
	r->family = (uint8_t)(family ? family : AF_INET);
	/* A /0 selects everything: that is "all", not a selector (its family
	 * has been taken into account above). */
	if (r->from.plen == 0)
		memset(&r->from, 0, sizeof(r->from));
	if (r->to.plen == 0)
		memset(&r->to, 0, sizeof(r->to));
	if (r->suppress > (r->family == AF_INET6 ? 128 : 32))
		return ru_err(p, "suppress_prefixlength %u is longer than an %s address",
			      r->suppress, vrf_family_name(r->family));
	if ((r->has & RU_HAS_SUPPRESS) && r->action != FR_ACT_TO_TBL)
		return ru_err(p, "suppress_prefixlength needs \"table\"");
	return 0;
}

static int ru_parse_words(struct ru_parse *p, struct rule *r, const struct vrf_words *ws)
{
	size_t i = 0;

	p->r = r;
	p->family = 0;
	while (i < ws->n) {
		const char *w = ws->w[i], *v = i + 1 < ws->n ? ws->w[i + 1] : NULL;
		const struct ru_kw *kw = ru_kw_find(w);

		if (!kw)
			return ru_err(p, "unknown word \"%s\"", w);
		if ((kw->flags & RK_VALUE) && !v)
			return ru_err(p, "\"%s\" needs a value", w);
		i += kw->flags & RK_VALUE ? 2 : 1;
		if (kw->seen == RS_ACTION) {
			if (p->seen & RS_ACTION)
				return ru_err(p, "\"%s\": the rule already has an action", w);
			p->seen |= RS_ACTION;
		} else if (kw->seen && ru_once(p, kw->seen, kw->once ? kw->once : w) < 0) {
			return -EINVAL;
		}
		if (kw->parse(p, w, v) < 0)
			return -EINVAL;
	}
	return ru_finish(p, r);
}

static void rule_free(struct vrf_obj *o)
{
	free(o);
}

static int rule_parse(struct vrf_config *cfg, struct vrf_domain *d,
		      const struct vrf_loc *loc, const char *key, const char *value)
{
	struct ru_parse p = { .cfg = cfg, .loc = loc };
	struct vrf_words ws = { 0 };
	struct rule *r;
	int err;

	if (vrf_words_split(&ws, value) < 0) {
		vrf_error(cfg, loc, "rule: cannot split \"%s\" into words", value);
		return -EINVAL;
	}
	r = vrf_obj_new(&rule_plugin, sizeof(*r), loc);
	err = ru_parse_words(&p, r, &ws);
	if (err == 0)
		err = vrf_domain_add(d, &r->obj);
	if (err < 0)
		rule_free(&r->obj);
	vrf_words_free(&ws);
	return err;
}

/* ---- identity, equality, text ---- */

static int ru_addr_cmp(const struct vrf_addr *a, const struct vrf_addr *b)
{
	int c;

	if (a->plen != b->plen)
		return a->plen < b->plen ? -1 : 1;
	c = memcmp(a->bytes, b->bytes, sizeof(a->bytes));
	return c;
}

#define RU_CMP(x, y) do { if ((x) != (y)) return (x) < (y) ? -1 : 1; } while (0)

static int rule_compare(const struct vrf_obj *a, const struct vrf_obj *b)
{
	const struct rule *x = CRULE(a), *y = CRULE(b);
	int c;

	RU_CMP(x->family, y->family);
	RU_CMP(x->priority, y->priority);
	RU_CMP(x->invert, y->invert);
	c = ru_addr_cmp(&x->from, &y->from);
	if (c)
		return c;
	c = ru_addr_cmp(&x->to, &y->to);
	if (c)
		return c;
	c = strcmp(x->iif, y->iif);
	if (c)
		return c;
	c = strcmp(x->oif, y->oif);
	if (c)
		return c;
	RU_CMP(x->has & RU_HAS_FWMARK, y->has & RU_HAS_FWMARK);
	RU_CMP(x->fwmark, y->fwmark);
	RU_CMP(x->fwmask, y->fwmask);
	RU_CMP(x->tos, y->tos);
	return 0;
}

static bool rule_equal(const struct vrf_obj *want, const struct vrf_obj *have)
{
	const struct rule *w = CRULE(want), *h = CRULE(have);

	if (w->action != h->action)
		return false;
	if (w->action == FR_ACT_TO_TBL && w->table != h->table)
		return false;
	if ((w->has & RU_HAS_SUPPRESS) != (h->has & RU_HAS_SUPPRESS))
		return false;
	return !(w->has & RU_HAS_SUPPRESS) || w->suppress == h->suppress;
}

static void rule_format(const struct vrf_obj *o, struct vrf_buf *out)
{
	const struct rule *r = CRULE(o);
	char s[INET6_ADDRSTRLEN + 8];
	unsigned k;

	if (r->family == AF_INET6 && r->from.plen == 0 && r->to.plen == 0)
		vrf_buf_puts(out, "family inet6 ");
	if (r->invert)
		vrf_buf_puts(out, "not ");
	if (r->from.plen) {
		vrf_addr_str(&r->from, true, s, sizeof(s));
		vrf_buf_printf(out, "from %s", s);
	} else {
		vrf_buf_puts(out, "from all");
	}
	if (r->to.plen) {
		vrf_addr_str(&r->to, true, s, sizeof(s));
		vrf_buf_printf(out, " to %s", s);
	}
	if (r->tos)
		vrf_buf_printf(out, " tos %u", r->tos);
	if (r->has & RU_HAS_FWMARK) {
		vrf_buf_printf(out, " fwmark 0x%x", r->fwmark);
		if (r->has & RU_HAS_FWMASK)
			vrf_buf_printf(out, "/0x%x", r->fwmask);
	}
	if (r->iif[0])
		vrf_buf_printf(out, " iif %s", r->iif);
	if (r->oif[0])
		vrf_buf_printf(out, " oif %s", r->oif);
	if (r->action == FR_ACT_TO_TBL) {
		vrf_buf_puts(out, " table ");
		vrf_table_format(r->table, out);
	} else {
		for (k = 0; k < sizeof(ru_actions) / sizeof(ru_actions[0]); k++)
			if (ru_actions[k].action == r->action)
				break;
		if (k < sizeof(ru_actions) / sizeof(ru_actions[0]))
			vrf_buf_printf(out, " %s", ru_actions[k].name);
		else
			vrf_buf_printf(out, " action %u", r->action);
	}
	if (r->has & RU_HAS_SUPPRESS)
		vrf_buf_printf(out, " suppress_prefixlength %u", r->suppress);
	vrf_buf_printf(out, " priority %u", r->priority);
}

/* ---- validate ---- */

/* iif and oif name links of this section.  Duplicates are the engine's
 * check (config.c), by rule_compare(). */
static int rule_validate(struct vrf_config *cfg, struct vrf_domain *d)
{
	size_t n;
	struct vrf_obj *const *v = vrf_domain_sorted(d, &rule_plugin, &n);
	int err = 0;

	for (size_t i = 0; i < n; i++) {
		const struct rule *r = CRULE(v[i]);

		if ((r->iif[0] && vrf_check_dev(cfg, d, &r->obj.loc, "rule", "iif", r->iif) < 0) ||
		    (r->oif[0] && vrf_check_dev(cfg, d, &r->obj.loc, "rule", "oif", r->oif) < 0))
			err = -EINVAL;
	}
	return err;
}

/* ---- observe ---- */

struct ru_obs {
	struct vrf_objv *out;
	unsigned proto;
};

static void ru_get_prefix(struct vrf_addr *a, int family, unsigned plen, const struct nlattr *attr)
{
	size_t len = family == AF_INET6 ? 16 : 4;

	if (mnl_attr_get_payload_len(attr) < len)
		return;
	a->family = (uint8_t)family;
	a->plen = (uint8_t)plen;
	memcpy(a->bytes, mnl_attr_get_payload(attr), len);
}

static void ru_get_name(char *dst, const struct nlattr *attr)
{
	size_t len = mnl_attr_get_payload_len(attr);

	if (len >= IFNAMSIZ)
		len = IFNAMSIZ - 1;
	memcpy(dst, mnl_attr_get_payload(attr), len);
	dst[len] = '\0';
}

static int ru_obs_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ru_obs *o = data;
	const struct fib_rule_hdr *frh;
	const struct nlattr *attr;
	struct rule tmp, *r;
	int proto = -1;
	bool has_mark = false, has_mask = false;

	if (nlh->nlmsg_type != RTM_NEWRULE || mnl_nlmsg_get_payload_len(nlh) < sizeof(*frh))
		return 0;
	frh = mnl_nlmsg_get_payload(nlh);
	if (frh->family != AF_INET && frh->family != AF_INET6)
		return 0;
	memset(&tmp, 0, sizeof(tmp));
	tmp.family = frh->family;
	tmp.invert = (frh->flags & FIB_RULE_INVERT) ? 1 : 0;
	tmp.tos = frh->tos;
	tmp.action = frh->action;
	tmp.table = frh->table;
	tmp.fwmask = UINT32_MAX;
	mnl_attr_for_each(attr, nlh, sizeof(*frh)) {
		bool u32 = mnl_attr_get_payload_len(attr) >= 4;

		switch (mnl_attr_get_type(attr)) {
		case FRA_PROTOCOL:
			if (mnl_attr_get_payload_len(attr) >= 1)
				proto = mnl_attr_get_u8(attr);
			break;
		case FRA_PRIORITY:
			if (u32)
				tmp.priority = mnl_attr_get_u32(attr);
			break;
		case FRA_SRC:
			ru_get_prefix(&tmp.from, frh->family, frh->src_len, attr);
			break;
		case FRA_DST:
			ru_get_prefix(&tmp.to, frh->family, frh->dst_len, attr);
			break;
		case FRA_IIFNAME:
			ru_get_name(tmp.iif, attr);
			break;
		case FRA_OIFNAME:
			ru_get_name(tmp.oif, attr);
			break;
		case FRA_FWMARK:
			if (u32) {
				tmp.fwmark = mnl_attr_get_u32(attr);
				has_mark = true;
			}
			break;
		case FRA_FWMASK:
			if (u32) {
				tmp.fwmask = mnl_attr_get_u32(attr);
				has_mask = true;
			}
			break;
		case FRA_TABLE:
			if (u32)
				tmp.table = mnl_attr_get_u32(attr);
			break;
		case FRA_SUPPRESS_PREFIXLEN:
			if (u32 && mnl_attr_get_u32(attr) <= 128) {
				tmp.suppress = (uint8_t)mnl_attr_get_u32(attr);
				tmp.has |= RU_HAS_SUPPRESS;
			}
			break;
		default:
			break;
		}
	}
	if (proto < 0 || (unsigned)proto != o->proto)
		return 0;
	/* The kernel dumps a mask with every mark, and a mask alone for
	 * "fwmark 0/MASK"; all ones is what "fwmark N" means. */
	if (has_mark || has_mask) {
		tmp.has |= RU_HAS_FWMARK;
		if (tmp.fwmask != UINT32_MAX)
			tmp.has |= RU_HAS_FWMASK;
	}
	if (!(tmp.has & RU_HAS_FWMARK))
		tmp.fwmask = 0;
	if (tmp.from.plen == 0)
		memset(&tmp.from, 0, sizeof(tmp.from));
	if (tmp.to.plen == 0)
		memset(&tmp.to, 0, sizeof(tmp.to));
	if (tmp.action != FR_ACT_TO_TBL)
		tmp.table = 0;

	r = vrf_obj_new(&rule_plugin, sizeof(*r), NULL);
	tmp.obj = r->obj;
	*r = tmp;
	vrf_objv_push(o->out, &r->obj);
	return 0;
}

/* IPv4 and IPv6 rules in one dump. */
static int rule_observe(struct vrf_run *run, struct vrf_ns *ns,
			const struct vrf_domain *d, struct vrf_objv *out)
{
	struct ru_obs o = { .out = out, .proto = vrf_run_config(run)->route_protocol };

	return vrf_nl_dump_objs(ns, RTM_GETRULE, sizeof(struct fib_rule_hdr), ru_obs_cb, &o, out);
}

/* ---- apply ---- */

/* Fill an RTM_NEWRULE or RTM_DELRULE request.  A deletion names the whole
 * rule, protocol included, so that the kernel's match (which treats absent
 * attributes as wildcards) finds this rule and no other. */
static void rule_encode(struct nlmsghdr *nlh, const struct rule *r, unsigned proto)
{
	size_t alen = r->family == AF_INET6 ? 16 : 4;
	struct fib_rule_hdr *frh;

	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = r->family;
	frh->src_len = r->from.plen;
	frh->dst_len = r->to.plen;
	frh->tos = r->tos;
	frh->action = r->action;
	frh->flags = r->invert ? FIB_RULE_INVERT : 0;
	if (r->action == FR_ACT_TO_TBL) {
		frh->table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_UNSPEC;
		mnl_attr_put_u32(nlh, FRA_TABLE, r->table);
	}
	mnl_attr_put_u32(nlh, FRA_PRIORITY, r->priority);
	if (r->from.plen)
		mnl_attr_put(nlh, FRA_SRC, alen, r->from.bytes);
	if (r->to.plen)
		mnl_attr_put(nlh, FRA_DST, alen, r->to.bytes);
	if (r->iif[0])
		mnl_attr_put_strz(nlh, FRA_IIFNAME, r->iif);
	if (r->oif[0])
		mnl_attr_put_strz(nlh, FRA_OIFNAME, r->oif);
	if (r->has & RU_HAS_FWMARK) {
		mnl_attr_put_u32(nlh, FRA_FWMARK, r->fwmark);
		mnl_attr_put_u32(nlh, FRA_FWMASK, r->fwmask);
	}
	if (r->has & RU_HAS_SUPPRESS)
		mnl_attr_put_u32(nlh, FRA_SUPPRESS_PREFIXLEN, r->suppress);
	mnl_attr_put_u8(nlh, FRA_PROTOCOL, (uint8_t)proto);
}

/* The engine hands the ops over as the plan lists them (deletions, changes,
 * additions), and they go to the kernel in that order, in one batch. */
static int rule_apply(struct vrf_run *run, struct vrf_ns *ns,
		      const struct vrf_domain *d, struct vrf_op *ops, size_t n)
{
	unsigned proto = vrf_run_config(run)->route_protocol;
	struct vrf_nl_batch *b;
	int first = 0, err;

	err = vrf_nl_batch_ops(ns, ops, n, &b);
	if (err < 0)
		return err;
	for (size_t i = 0; i < n; i++) {
		struct vrf_op *op = &ops[i];
		struct nlmsghdr *nlh;

		/* No replace for rules: a change deletes the live rule and
		 * adds the wanted one right behind it. */
		if (op->kind != VRF_OP_ADD) {
			nlh = vrf_nl_batch_add(b, RTM_DELRULE, 0, op);
			if (!nlh)
				goto sock_fail;
			rule_encode(nlh, CRULE(op->have), proto);
		}
		if (op->kind != VRF_OP_DEL) {
			nlh = vrf_nl_batch_add(b, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, op);
			if (!nlh)
				goto sock_fail;
			rule_encode(nlh, CRULE(op->want), proto);
		}
		continue;
sock_fail:
		vrf_op_fail(op, -errno, NULL);
		if (!first)
			first = op->err;
	}
	err = vrf_nl_batch_finish(b);
	return first ? first : err;
}

static const char *const rule_keys[] = { "rule", NULL };

/* A removed rule steers its traffic elsewhere at once; a change is a
 * delete and an add (see docs/design.md), with a moment in between. */
static const char *rule_disruptive(const struct vrf_op *op)
{
	if (op->kind == VRF_OP_DEL)
		return "rule removed";
	return op->kind == VRF_OP_CHANGE ? "rule removed and added again" : NULL;
}

static const struct vrf_plugin rule_plugin = {
	.abi = VRF_PLUGIN_ABI,
	.name = "rule",
	.keys = rule_keys,
	.stage = 50,
	.flags = VRF_PLUGIN_HOST_OK,
	.parse = rule_parse,
	.validate = rule_validate,
	.compare = rule_compare,
	.equal = rule_equal,
	.observe = rule_observe,
	.apply = rule_apply,
	.format = rule_format,
	.format_change = vrf_format_was,
	.free = rule_free,
	.disruptive = rule_disruptive,
};

VRF_PLUGIN_REGISTER(rule_plugin);
