// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The link plugin: `link = NAME type KIND [options]` in a domain or in
 * [host].  It creates veth pairs, macvlan, vlan, bridge, vxlan and dummy
 * devices, moves physical NICs in (and back out), and keeps mtu, mac, master
 * and the up/down state as the file says.  This file knows no kind by name:
 * what each kind accepts and does is its entry in the kind table
 * (plugins/link-kinds.c, plugins/link-veth.c); its netlink goes through the
 * core's sockets and batches (plugins/link-nl.c).
 *
 * Ownership.  A live link is vrfmgr's when the file declares its name in that
 * namespace, or when it carries the ifalias "vrfmgr" that vrfmgr stamps on
 * every link it creates (so a link removed from the file is removed from the
 * kernel, as a route carrying route_protocol would be).  Everything else is
 * foreign: reported by audit, never touched.  A link whose kind has an end
 * in another namespace (a veth's peer) publishes that end's name there.
 *
 * Devices whose lower device lives in the host (macvlan, vlan, vxlan) are
 * created through the host's socket with IFLA_NET_NS_FD pointing at the
 * domain, the way `ip link add link eth1 name v100 netns X type vlan` does;
 * a vxlan's UDP socket therefore lives in the host (the underlay).
 *
 * Apply runs in three netlink batches per namespace, each one sendmsg with a
 * single ACK: deletions; creations (masters first; host-side ones after the
 * domain's own, as a macvlan may sit on a veth end the domain just made);
 * then configuration, where every member is enslaved before any link comes
 * up.  Then each kind does its own remaining work (a veth's peer).  The
 * kernel's extended-ack text becomes op->errmsg.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <netlink/netlink.h>
#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>

#include "link.h"

/* ---- parse ---- */

static void link_free(struct vrf_obj *o)
{
	free(o);
}

static bool parse_mac(const char *s, uint8_t mac[6])
{
	if (strlen(s) != 17)
		return false;
	for (int i = 0; i < 6; i++) {
		const char *p = s + 3 * i;
		char hex[3] = { p[0], p[1], 0 };

		if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]))
			return false;
		if (i < 5 && p[2] != ':')
			return false;
		mac[i] = strtoul(hex, NULL, 16);
	}
	return true;
}

static const char *const common_opts[] = { "mtu", "mac", "master", "down" };
#define N_COMMON (sizeof(common_opts) / sizeof(common_opts[0]))

static int parse_common(struct vrf_config *cfg, const struct vrf_loc *loc,
			struct vrf_link *l, const char *opt, const char *val)
{
	unsigned long long v;

	if (!strcmp(opt, "mtu")) {
		if (vrf_link_opt_uint(cfg, loc, l, opt, val, 68, 65535, &v) < 0)
			return -EINVAL;
		l->mtu = v;
		l->has |= LINK_HAS_MTU;
	} else if (!strcmp(opt, "mac")) {
		if (!parse_mac(val, l->mac)) {
			vrf_error(cfg, loc, "link \"%s\": mac \"%s\" is not an address like "
				  "02:00:00:00:00:01", l->name, val);
			return -EINVAL;
		}
		if (l->mac[0] & 1) {
			vrf_error(cfg, loc, "link \"%s\": mac %s is a multicast address",
				  l->name, val);
			return -EINVAL;
		}
		if (!(l->mac[0] | l->mac[1] | l->mac[2] | l->mac[3] | l->mac[4] | l->mac[5])) {
			vrf_error(cfg, loc, "link \"%s\": mac %s is all zero", l->name, val);
			return -EINVAL;
		}
		l->has |= LINK_HAS_MAC;
	} else if (!strcmp(opt, "master")) {
		if (vrf_link_opt_ifname(cfg, loc, l, opt, val, l->master) < 0)
			return -EINVAL;
		l->has |= LINK_HAS_MASTER;
	}
	return 0;
}

/* Index of opt among the common options followed by the kind's, or -1. */
static int opt_index(const struct vrf_link_kind *k, const char *opt)
{
	for (size_t i = 0; i < N_COMMON; i++)
		if (!strcmp(common_opts[i], opt))
			return i;
	for (size_t i = 0; k->opts && k->opts[i]; i++)
		if (!strcmp(k->opts[i], opt))
			return N_COMMON + i;
	return -1;
}

/* The link's name in its namespace, the end it has elsewhere (a veth's
 * peer) in that one, and a NIC it moves in in the one space all domains
 * share, so that two domains cannot both claim it. */
static int publish(struct vrf_config *cfg, const struct vrf_domain *d,
		   const struct vrf_loc *loc, struct vrf_link *l)
{
	const char *pns = NULL, *peer = l->kind->peer ? l->kind->peer(l, &pns) : NULL;
	int err = vrf_name_add(cfg, d->name, "dev", l->name, loc, l);

	if (err == 0 && peer)
		err = vrf_name_add(cfg, pns, "dev", peer, loc, l);
	if (err == 0 && (l->kind->flags & LINK_KIND_MOVED))
		err = vrf_name_add(cfg, "*", "nic", l->name, loc, l);
	return err < 0 ? -EINVAL : 0;
}

/* "veth, macvlan, ... or physical": the kinds a file may name. */
static void kind_list(struct vrf_buf *out)
{
	const struct vrf_link_kind *k;
	size_t n = 0, j = 0;

	for (size_t i = 0; (k = vrf_link_kind_at(i)); i++)
		n += !(k->flags & LINK_KIND_LIVE);
	for (size_t i = 0; (k = vrf_link_kind_at(i)); i++) {
		if (k->flags & LINK_KIND_LIVE)
			continue;
		vrf_buf_printf(out, "%s%s", j == 0 ? "" : j + 1 == n ? " or " : ", ", k->name);
		j++;
	}
}

/* "NAME type KIND": the kind, or NULL after saying what is wrong. */
static const struct vrf_link_kind *parse_head(struct vrf_config *cfg, const struct vrf_domain *d,
					      const struct vrf_loc *loc,
					      const struct vrf_words *ws)
{
	const struct vrf_link_kind *k;
	struct vrf_buf kinds = { 0 };
	const char *why;

	if (ws->n == 0) {
		vrf_error(cfg, loc, "link needs \"NAME type KIND\"");
		return NULL;
	}
	why = vrf_link_ifname_why(ws->w[0]);
	if (!why && !strcmp(ws->w[0], "lo"))
		why = "the loopback device exists in every namespace";
	if (why) {
		vrf_error(cfg, loc, "invalid link name \"%s\": %s", ws->w[0], why);
		return NULL;
	}
	if (ws->n < 3 || strcmp(ws->w[1], "type")) {
		vrf_error(cfg, loc, "link \"%s\": expected \"type KIND\" after the name", ws->w[0]);
		return NULL;
	}
	k = vrf_link_kind_by_name(ws->w[2]);
	if (!k) {
		kind_list(&kinds);
		vrf_error(cfg, loc, "link \"%s\": unknown link kind \"%s\" (%s)", ws->w[0],
			  ws->w[2], vrf_buf_str(&kinds));
		vrf_buf_free(&kinds);
		return NULL;
	}
	if (d->is_host && k->not_in_host) {
		vrf_error(cfg, loc, "link \"%s\": a %s link cannot be declared in [host]: %s",
			  ws->w[0], k->name, k->not_in_host);
		return NULL;
	}
	return k;
}

/* The options after "NAME type KIND", each at most once. */
static int parse_opts(struct vrf_config *cfg, const struct vrf_loc *loc, struct vrf_link *l,
		      const struct vrf_words *ws)
{
	const struct vrf_link_kind *k = l->kind;
	uint64_t seen = 0;

	for (size_t i = 3; i < ws->n; i++) {
		const char *opt = ws->w[i], *val = i + 1 < ws->n ? ws->w[i + 1] : NULL;
		int idx = opt_index(k, opt), used;

		if (idx < 0) {
			vrf_error(cfg, loc, "link \"%s\": unknown option \"%s\" for a %s link",
				  l->name, opt, k->name);
			return -EINVAL;
		}
		if (seen & (1ULL << idx)) {
			vrf_error(cfg, loc, "link \"%s\": \"%s\" is given twice", l->name, opt);
			return -EINVAL;
		}
		seen |= 1ULL << idx;
		if (!strcmp(opt, "down")) {
			l->has |= LINK_HAS_DOWN;
			l->up = false;
			continue;
		}
		if (!val) {
			vrf_error(cfg, loc, "link \"%s\": \"%s\" needs a value", l->name, opt);
			return -EINVAL;
		}
		if ((size_t)idx < N_COMMON)
			used = parse_common(cfg, loc, l, opt, val) < 0 ? -EINVAL : 1;
		else
			used = k->parse_opt(cfg, loc, l, opt, val);
		if (used < 0)
			return -EINVAL;
		i += used;
	}
	return 0;
}

static int link_parse(struct vrf_config *cfg, struct vrf_domain *d,
		      const struct vrf_loc *loc, const char *key, const char *value)
{
	const struct vrf_link_kind *k;
	struct vrf_words ws = { 0 };
	struct vrf_link *l = NULL;
	int err = -EINVAL;

	if (vrf_words_split(&ws, value) < 0) {
		vrf_error(cfg, loc, "link: cannot split \"%s\" into words (unbalanced quote?)",
			  value);
		goto out;
	}
	k = parse_head(cfg, d, loc, &ws);
	if (!k)
		goto out;
	l = vrf_link_new(k, loc);
	memcpy(l->name, ws.w[0], strlen(ws.w[0]) + 1);
	l->up = true;
	if (parse_opts(cfg, loc, l, &ws) < 0)
		goto out;
	if (k->check && k->check(cfg, d, loc, l) < 0)
		goto out;
	if ((l->has & LINK_HAS_MASTER) && (k->flags & LINK_KIND_MASTER)) {
		vrf_error(cfg, loc, "link \"%s\": a %s cannot have a master", l->name, k->name);
		goto out;
	}
	err = publish(cfg, d, loc, l);
	if (err < 0)
		goto out;
	err = vrf_domain_add(d, &l->obj);
	if (err == 0)
		l = NULL;
out:
	free(l);
	vrf_words_free(&ws);
	return err;
}

/* ---- validate ---- */

static int check_parent(struct vrf_config *cfg, const struct vrf_link *l)
{
	const struct vrf_loc *where;
	void *data;

	if (!l->parent[0])
		return 0;
	if (vrf_name_find(cfg, "*", "nic", l->parent, &data, &where)) {
		vrf_error(cfg, &l->obj.loc, "link \"%s\": parent %s is a physical NIC that "
			  "%s:%u moves into a domain", l->name, l->parent,
			  where->file, where->line);
		return -EINVAL;
	}
	if (vrf_name_find(cfg, VRF_HOST, "dev", l->parent, NULL, NULL))
		return 0;
	/* Read-only and unprivileged: does the device exist here and now? */
	if (if_nametoindex(l->parent) > 0)
		return 0;
	vrf_error(cfg, &l->obj.loc, "link \"%s\": missing parent device \"%s\": not declared "
		  "in [host] and not present in the host namespace", l->name, l->parent);
	return -EINVAL;
}

static int link_validate(struct vrf_config *cfg, struct vrf_domain *d)
{
	size_t n;
	struct vrf_obj *const *v = vrf_domain_sorted(d, &vrf_link_plugin, &n);
	int ret = 0;

	for (size_t i = 0; i < n; i++) {
		const struct vrf_link *l = vrf_link_of(v[i]), *m;
		void *data;

		if (check_parent(cfg, l) < 0)
			ret = -EINVAL;
		if (l->master[0]) {
			m = vrf_name_find(cfg, d->name, "dev", l->master, &data, NULL) ?
				vrf_link_of(data) : NULL;
			if (!m || !(m->kind->flags & LINK_KIND_MASTER) || strcmp(m->name, l->master)) {
				vrf_error(cfg, &l->obj.loc, "link \"%s\": master \"%s\" is not a "
					  "bridge declared in this section", l->name, l->master);
				ret = -EINVAL;
			}
		}
		if (l->kind->validate && l->kind->validate(cfg, d, l) < 0)
			ret = -EINVAL;
	}
	return ret;
}

/* ---- compare, equal, format ---- */

static int link_compare(const struct vrf_obj *a, const struct vrf_obj *b)
{
	return strcmp(((const struct vrf_link *)a)->name, ((const struct vrf_link *)b)->name);
}

/* Must the live link be deleted and created again to become the wanted one?
 * Kind data (a veth's peer, a vlan id, ...) cannot be changed in place.  A
 * wanted object that came from the kernel (rollback) and that vrfmgr could
 * not create again is only adjusted. */
static bool rebuild_fwd(const struct vrf_link *want, const struct vrf_link *have)
{
	const struct vrf_link_kind *k = want->kind;

	if (!k->encode)
		return false;
	if (want->live && k->recreatable && !k->recreatable(want))
		return false;
	if (k != have->kind)
		return true;
	return k->equal && !k->equal(want, have);
}

static bool needs_rebuild(const struct vrf_link *want, const struct vrf_link *have)
{
	/* Undoing a change, the engine hands the observed object as `want` and
	 * the file's as `have`: the change rebuilt the link exactly when the
	 * file's object could not be had in place, and so does its undoing. */
	if (want->live && !have->live)
		return rebuild_fwd(have, want);
	return rebuild_fwd(want, have);
}

/* Kind state changed in place; only links of the same kind have it. */
static bool kind_drift(const struct vrf_link *want, const struct vrf_link *have,
		       struct vrf_buf *out, const char *sep)
{
	return want->kind == have->kind && want->kind->drift &&
	       want->kind->drift(want, have, out, sep);
}

static bool link_equal(const struct vrf_obj *wo, const struct vrf_obj *ho)
{
	const struct vrf_link *want = (const void *)wo, *have = (const void *)ho;

	if (needs_rebuild(want, have))
		return false;
	if ((want->has & LINK_HAS_MTU) && want->mtu != have->mtu)
		return false;
	if ((want->has & LINK_HAS_MAC) && memcmp(want->mac, have->mac, sizeof(want->mac)))
		return false;
	/* A declared link without `master` belongs to no bridge. */
	if (strcmp(want->master, have->master))
		return false;
	if (want->up != have->up)
		return false;
	return !kind_drift(want, have, NULL, "");
}

static void put_mac(struct vrf_buf *out, const uint8_t *m)
{
	vrf_buf_printf(out, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void kind_format(const struct vrf_link *l, struct vrf_buf *out)
{
	if (l->kind->format)
		l->kind->format(l, out);
}

static void link_format(const struct vrf_obj *o, struct vrf_buf *out)
{
	const struct vrf_link *l = (const void *)o;

	vrf_buf_printf(out, "%s type %s", l->name, vrf_link_kind_name(l));
	kind_format(l, out);
	/* A live link always has an mtu and a mac; they say nothing in a
	 * deletion line. */
	if ((l->has & LINK_HAS_MTU) && !l->live)
		vrf_buf_printf(out, " mtu %u", l->mtu);
	if ((l->has & LINK_HAS_MAC) && !l->live) {
		vrf_buf_puts(out, " mac ");
		put_mac(out, l->mac);
	}
	if (l->master[0])
		vrf_buf_printf(out, " master %s", l->master);
	if (!l->up)
		vrf_buf_puts(out, " down");
}

static void link_format_change(const struct vrf_obj *wo, const struct vrf_obj *ho,
			       struct vrf_buf *out)
{
	const struct vrf_link *want = (const void *)wo, *have = (const void *)ho;
	const char *sep = " ";

	if (needs_rebuild(want, have)) {
		link_format(wo, out);
		vrf_buf_puts(out, " (rebuild: was type ");
		vrf_buf_puts(out, vrf_link_kind_name(have));
		kind_format(have, out);
		vrf_buf_puts(out, ")");
		return;
	}
	vrf_buf_puts(out, want->name);
	if ((want->has & LINK_HAS_MTU) && want->mtu != have->mtu) {
		vrf_buf_printf(out, "%smtu %u -> %u", sep, have->mtu, want->mtu);
		sep = ", ";
	}
	if ((want->has & LINK_HAS_MAC) && memcmp(want->mac, have->mac, sizeof(want->mac))) {
		vrf_buf_printf(out, "%smac ", sep);
		put_mac(out, have->mac);
		vrf_buf_puts(out, " -> ");
		put_mac(out, want->mac);
		sep = ", ";
	}
	if (strcmp(want->master, have->master)) {
		vrf_buf_printf(out, "%smaster %s -> %s", sep, have->master[0] ? have->master : "none",
			       want->master[0] ? want->master : "none");
		sep = ", ";
	}
	if (want->up != have->up) {
		vrf_buf_printf(out, "%s%s -> %s", sep, have->up ? "up" : "down",
			       want->up ? "up" : "down");
		sep = ", ";
	}
	kind_drift(want, have, out, sep);
}

/* ---- the record of NICs moved in ----
 *
 * state_dir/DOMAIN/link-nics lists, one a line, the host NICs that vrfmgr
 * moved into DOMAIN.  It lets a NIC go home when its line leaves the file, or
 * when a domain that left the file is pruned; the kernel would otherwise
 * hand a real NIC to the initial namespace (perhaps renamed) and destroy a
 * virtual one with the namespace. */
#define NICS_RECORD "link-nics"

/* The record's text ("" when there is none, or when it is not trusted:
 * state.c said it ignores it), or NULL when it cannot be read: then nothing
 * may be assumed about what is ours. */
static char *nics_load(struct vrf_run *run, const char *domain)
{
	char *text = NULL;
	size_t len;
	int r = vrf_state_read(vrf_run_config(run), domain, NICS_RECORD, &text, &len);

	if (r == -ENOENT || r == -EPERM)
		return vrf_strdup("");
	return r < 0 ? NULL : text;
}

static bool nics_has(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *s = text; s && *s;) {
		const char *e = strchrnul(s, '\n');

		if ((size_t)(e - s) == n && !strncmp(s, name, n))
			return true;
		s = *e ? e + 1 : e;
	}
	return false;
}

/* Add name to the record or take it out, through the core's state writer;
 * a record left empty is removed. */
static int nics_set(struct vrf_run *run, const char *domain, const char *name, bool present)
{
	const struct vrf_config *cfg = vrf_run_config(run);
	char *text = nics_load(run, domain);
	struct vrf_buf b = { 0 };
	int err = 0;

	if (!text) {
		err = -EIO;
		goto out;
	}
	if (nics_has(text, name) == present)
		goto out;
	for (const char *s = text; *s;) {
		const char *e = strchrnul(s, '\n');

		if (e > s && ((size_t)(e - s) != strlen(name) || strncmp(s, name, e - s)))
			vrf_buf_printf(&b, "%.*s\n", (int)(e - s), s);
		s = *e ? e + 1 : e;
	}
	if (present)
		vrf_buf_printf(&b, "%s\n", name);
	if (b.len)
		err = vrf_state_write(cfg, domain, NICS_RECORD, vrf_buf_str(&b), b.len);
	else
		err = vrf_state_remove(cfg, domain, NICS_RECORD);
out:
	if (err < 0)
		fprintf(stderr, "%s: cannot record NIC %s in %s/%s/" NICS_RECORD ": %s\n", domain,
			name, cfg->state_dir, domain, strerror(-err));
	free(text);
	vrf_buf_free(&b);
	return err;
}

/* ---- observe ---- */

static int link_observe(struct vrf_run *run, struct vrf_ns *ns,
			const struct vrf_domain *d, struct vrf_objv *out)
{
	struct vrf_ns *host = vrf_ns_find(run, VRF_HOST);
	struct vrf_link_names names;
	struct nl_object *obj;
	char *nics;
	int err;

	nics = ns == host ? vrf_strdup("") : nics_load(run, vrf_ns_name(ns));
	if (!nics)
		return -EIO;
	err = vrf_link_cache(run, ns, true, &names.own);
	if (err < 0)
		goto out;
	names.host = names.own;
	if (host && host != ns) {
		err = vrf_link_cache(run, host, false, &names.host);
		if (err < 0)
			goto out;
	}

	for (obj = nl_cache_get_first(names.own); obj; obj = nl_cache_get_next(obj)) {
		struct rtnl_link *rl = (struct rtnl_link *)obj;
		const char *name = rtnl_link_get_name(rl), *alias = rtnl_link_get_ifalias(rl);
		const struct vrf_link *want = vrf_link_declared(d, name);
		struct vrf_link *have;
		bool moved_in;

		if (!name || !strcmp(name, "lo"))
			continue;
		moved_in = nics_has(nics, name);
		if (!want && !moved_in && !(alias && !strcmp(alias, LINK_ALIAS)))
			continue;
		have = vrf_link_decode(rl, &names);
		/* A device moved in is whatever the kernel calls it; its
		 * options (none) fit in what the decoded kind took. */
		if (want ? (want->kind->flags & LINK_KIND_MOVED) : moved_in)
			have->kind = want ? want->kind : vrf_link_kind_moved();
		if (want && want->kind == have->kind && have->kind->observe)
			err = have->kind->observe(run, ns, want, have);
		if (err == 0)
			err = vrf_objv_push(out, &have->obj);
		if (err < 0) {
			free(have);
			goto out;
		}
	}
out:
	free(nics);
	return err;
}

/* ---- apply ---- */

static enum vrf_link_action op_action(const struct vrf_op *op)
{
	switch (op->kind) {
	case VRF_OP_ADD:
		return LINK_ACT_CREATE;
	case VRF_OP_DEL:
		return LINK_ACT_DEL;
	case VRF_OP_CHANGE:
		return needs_rebuild((const void *)op->want, (const void *)op->have) ?
			LINK_ACT_REBUILD : LINK_ACT_MODIFY;
	}
	return LINK_ACT_NONE;
}

static int push_delete(struct vrf_link_batch *b, struct vrf_run *run, struct vrf_op *op,
		       const struct vrf_link *l)
{
	struct rtnl_link *rl = vrf_link_named(l->name);
	struct nl_msg *msg = NULL;
	int err;

	if (l->kind->flags & LINK_KIND_MOVED) {
		/* A NIC is never deleted: it goes home under its own name. */
		rtnl_link_set_ns_fd(rl, vrf_ns_fd(vrf_ns_find(run, VRF_HOST)));
		return vrf_link_batch_setlink(b, rl, -1, op, "cannot move the NIC back to the host");
	}
	err = vrf_link_errno(rtnl_link_build_delete_request(rl, &msg));
	rtnl_link_put(rl);
	if (err < 0) {
		vrf_op_fail(op, err, NULL);
		return err;
	}
	return vrf_link_batch_push(b, msg, op, true, NULL);
}

/* Queue the creation of `want` into ns (a moved device: its move into ns).
 * host_cache must be fresh when want's lower device lives there. */
static int push_create(struct vrf_link_batch *b, struct vrf_run *run, struct vrf_ns *ns,
		       struct nl_cache *host_cache, struct vrf_op *op, const struct vrf_link *want)
{
	const struct vrf_link_kind *k = want->kind;
	struct vrf_link_env env = { .netns_fd = -1, .peer_netns_fd = -1 };
	struct nl_msg *msg = NULL;
	int err;

	if ((k->flags & LINK_KIND_IN_HOST) && ns != vrf_ns_find(run, VRF_HOST))
		env.netns_fd = vrf_ns_fd(ns);
	if (k->flags & LINK_KIND_MOVED) {
		struct rtnl_link *rl = vrf_link_named(want->name);

		rtnl_link_set_ns_fd(rl, env.netns_fd);
		return vrf_link_batch_setlink(b, rl, -1, op, "cannot move the NIC in from the host");
	}
	if (k->prepare && (err = k->prepare(run, ns, op, want, &env)) < 0)
		return err;
	if (want->parent[0]) {
		env.parent_ifindex = host_cache ? rtnl_link_name2i(host_cache, want->parent) : 0;
		if (env.parent_ifindex <= 0) {
			vrf_op_fail(op, -ENODEV, "parent device %s is not in the host namespace",
				want->parent);
			return -ENODEV;
		}
	}
	err = vrf_link_build_create(want, &env, &msg);
	if (err < 0) {
		vrf_op_fail(op, err, NULL);
		return err;
	}
	return vrf_link_batch_push(b, msg, op, false, NULL);
}

/* Configuration for one op: attributes first (this message), up/down later. */
static int push_configure(struct vrf_link_batch *b, struct nl_cache *cache, struct vrf_op *op,
			  enum vrf_link_action act, uint8_t *fl)
{
	const struct vrf_link *want = (const void *)op->want;
	const struct vrf_link *have = act == LINK_ACT_MODIFY ? (const void *)op->have : NULL;
	bool moved = (want->kind->flags & LINK_KIND_MOVED) && !have;
	struct rtnl_link *rl = vrf_link_named(want->name);
	bool any = false;
	int up = -1;

	/* A created link got mtu and mac in its creation request; a NIC moved
	 * in and a live link get them here. */
	if ((want->has & LINK_HAS_MTU) && (moved || (have && have->mtu != want->mtu))) {
		rtnl_link_set_mtu(rl, want->mtu);
		any = true;
	}
	if ((want->has & LINK_HAS_MAC) &&
	    (moved || (have && memcmp(have->mac, want->mac, sizeof(want->mac))))) {
		struct nl_addr *mac = nl_addr_build(AF_LLC, want->mac, sizeof(want->mac));

		if (!mac)
			vrf_oom();	/* libnl allocates: the policy of alloc.h */
		rtnl_link_set_addr(rl, mac);
		nl_addr_put(mac);
		any = true;
		/* Many drivers refuse a new address while the link is up. */
		if (have && have->up) {
			up = 0;
			*fl |= LINK_FL_BOUNCE;
		}
	}
	if (have ? strcmp(have->master, want->master) != 0 : want->master[0] != '\0') {
		int idx = !want->master[0] ? 0 : cache ? rtnl_link_name2i(cache, want->master) : -1;

		if (idx < 0 || (want->master[0] && idx == 0)) {
			rtnl_link_put(rl);
			vrf_op_fail(op, -ENODEV, "master bridge %s does not exist", want->master);
			return -ENODEV;
		}
		rtnl_link_set_master(rl, idx);
		any = true;
	}
	/* Stamp what vrfmgr made.  Undoing a change (want observed, have from
	 * the file), put back the alias the link had: ours or none. */
	if (want->live ? (want->owned_alias || (have && !have->live)) :
	    !(want->kind->flags & LINK_KIND_MOVED) && (!have || !have->owned_alias)) {
		rtnl_link_set_ifalias(rl, !want->live || want->owned_alias ? LINK_ALIAS : "");
		any = true;
	}
	if (!any) {
		rtnl_link_put(rl);
		return 0;
	}
	return vrf_link_batch_setlink(b, rl, up, op, NULL);
}

/* The up/down state of one op's link, after every link is configured. */
static int push_updown(struct vrf_link_batch *b, struct vrf_op *op, enum vrf_link_action act,
		       bool bounce)
{
	const struct vrf_link *want = (const void *)op->want;
	const struct vrf_link *have = act == LINK_ACT_MODIFY ? (const void *)op->have : NULL;
	struct rtnl_link *rl;

	/* Created links and moved NICs start down. */
	if (have ? (have->up == want->up && !bounce) : !want->up)
		return 0;
	rl = vrf_link_named(want->name);
	return vrf_link_batch_setlink(b, rl, want->up, op, NULL);
}

static void apply_send(struct vrf_link_apply *a, struct vrf_link_batch *b)
{
	int err = vrf_link_batch_send(b);

	if (err < 0 && !a->ret)
		a->ret = err;
}

static bool creates(const struct vrf_link_apply *a, size_t i)
{
	return (a->act[i] == LINK_ACT_CREATE || a->act[i] == LINK_ACT_REBUILD) && !a->ops[i].err;
}

static bool configures(const struct vrf_link_apply *a, size_t i)
{
	return a->act[i] != LINK_ACT_DEL && a->act[i] != LINK_ACT_NONE && !a->ops[i].err;
}

static const struct vrf_link *want_of(const struct vrf_link_apply *a, size_t i)
{
	return (const void *)a->ops[i].want;
}

/* 1: deletions (and NICs going home). */
static void apply_delete(struct vrf_link_apply *a)
{
	struct vrf_link_batch b;

	vrf_link_batch_init(&b, a->ns);
	for (size_t i = 0; i < a->n; i++)
		if (a->act[i] == LINK_ACT_DEL || a->act[i] == LINK_ACT_REBUILD)
			push_delete(&b, a->run, &a->ops[i], (const void *)a->ops[i].have);
	apply_send(a, &b);
}

/* 2: creations inside the namespace, masters first so that nothing waits
 * for its master; then those made through the host's socket. */
static void apply_create(struct vrf_link_apply *a)
{
	struct vrf_ns *host = vrf_ns_find(a->run, VRF_HOST);
	struct nl_cache *hc = NULL;
	struct vrf_link_batch b;
	bool need_host = false;
	int err;

	vrf_link_batch_init(&b, a->ns);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < a->n; i++) {
			const struct vrf_link_kind *k;

			if (!creates(a, i))
				continue;
			k = want_of(a, i)->kind;
			if (k->flags & LINK_KIND_IN_HOST) {
				need_host = true;
				continue;
			}
			if (!!(k->flags & LINK_KIND_MASTER) == (pass == 0))
				push_create(&b, a->run, a->ns, NULL, &a->ops[i], want_of(a, i));
		}
	}
	apply_send(a, &b);
	if (!need_host)
		return;
	err = host ? vrf_link_cache(a->run, host, true, &hc) : -ENOENT;
	vrf_link_batch_init(&b, host ? host : a->ns);
	for (size_t i = 0; i < a->n; i++) {
		if (!creates(a, i) || !(want_of(a, i)->kind->flags & LINK_KIND_IN_HOST))
			continue;
		if (err < 0)
			vrf_op_fail(&a->ops[i], err, "cannot read the host's links");
		else
			push_create(&b, a->run, a->ns, hc, &a->ops[i], want_of(a, i));
	}
	apply_send(a, &b);
}

/* 3: configuration; every master is set before anything comes up. */
static void apply_configure(struct vrf_link_apply *a)
{
	struct nl_cache *cache = NULL;
	struct vrf_link_batch b;
	bool need_master = false;
	int err;

	for (size_t i = 0; i < a->n; i++)
		if (configures(a, i) && want_of(a, i)->master[0])
			need_master = true;
	if (need_master) {
		err = vrf_link_cache(a->run, a->ns, true, &cache);
		if (err < 0) {
			cache = NULL;
			if (!a->ret)
				a->ret = err;
		}
	}
	vrf_link_batch_init(&b, a->ns);
	for (size_t i = 0; i < a->n; i++)
		if (configures(a, i))
			push_configure(&b, cache, &a->ops[i], a->act[i] == LINK_ACT_REBUILD ?
				       LINK_ACT_CREATE : a->act[i], &a->fl[i]);
	for (size_t i = 0; i < a->n; i++)
		if (configures(a, i))
			push_updown(&b, &a->ops[i], a->act[i] == LINK_ACT_REBUILD ?
				    LINK_ACT_CREATE : a->act[i], a->fl[i] & LINK_FL_BOUNCE);
	apply_send(a, &b);
}

/* What the run must know afterwards: NICs that came in or went home, and
 * namespaces to plan again.  A recreated link lost its addresses and
 * routes, and so did one taken down; so did a recreated link's other end
 * (a veth's peer). */
static void apply_record(struct vrf_link_apply *a)
{
	for (size_t i = 0; i < a->n; i++) {
		const struct vrf_link *w = want_of(a, i), *h = (const void *)a->ops[i].have;
		const char *peer, *pns = NULL;

		if (a->ops[i].err)
			continue;
		if (a->act[i] == LINK_ACT_CREATE && (w->kind->flags & LINK_KIND_MOVED))
			nics_set(a->run, vrf_ns_name(a->ns), w->name, true);
		if (a->act[i] == LINK_ACT_DEL && (h->kind->flags & LINK_KIND_MOVED))
			nics_set(a->run, vrf_ns_name(a->ns), h->name, false);
		if (!(a->act[i] == LINK_ACT_REBUILD || (a->fl[i] & LINK_FL_BOUNCE) ||
		      (a->act[i] == LINK_ACT_MODIFY && h->up && !w->up)))
			continue;
		vrf_run_replan(a->run, a->ns);
		peer = w->kind->peer ? w->kind->peer(w, &pns) : NULL;
		if (peer && vrf_ns_find(a->run, pns))
			vrf_run_replan(a->run, vrf_ns_find(a->run, pns));
	}
}

static int link_apply(struct vrf_run *run, struct vrf_ns *ns, const struct vrf_domain *d,
		      struct vrf_op *ops, size_t n)
{
	struct vrf_link_apply a = { .run = run, .ns = ns, .ops = ops, .n = n };
	const struct vrf_link_kind *k;
	int ret = 0;

	a.act = vrf_calloc(n, sizeof(*a.act));
	a.fl = vrf_calloc(n, sizeof(*a.fl));
	for (size_t i = 0; i < n; i++)
		a.act[i] = op_action(&ops[i]);
	apply_delete(&a);
	apply_create(&a);
	apply_configure(&a);
	for (size_t i = 0; (k = vrf_link_kind_at(i)); i++)
		if (k->after_apply)
			k->after_apply(k, &a);
	apply_record(&a);
	ret = a.ret;
	free(a.act);
	free(a.fl);
	vrf_link_cache_invalidate(run);
	for (size_t i = 0; i < n && !ret; i++)
		if (ops[i].err)
			ret = ops[i].err;
	return ret;
}

/* ---- destroy ---- */

/* Before a domain's namespace goes, its NICs go home: those the file moves in
 * and those the record says vrfmgr moved in (the domain may have left the
 * file).  The kernel would hand a real NIC to the initial namespace under a
 * name of its choosing, and destroy a virtual device along with the domain. */
static int move_nics_home(struct vrf_run *run, struct vrf_ns *ns, const struct vrf_domain *d)
{
	struct vrf_ns *host = vrf_ns_find(run, VRF_HOST);
	struct vrf_link_batch b;
	struct vrf_op *ops = NULL;	/* one per NIC, to carry its error */
	const char **names = NULL;
	struct nl_cache *cache;
	struct nl_object *obj;
	size_t n = 0;
	char *nics = nics_load(run, vrf_ns_name(ns));
	int err = nics ? 0 : -EIO;

	vrf_link_batch_init(&b, ns);
	if (err == 0)
		err = host ? vrf_link_cache(run, ns, true, &cache) : -ENOENT;
	if (err < 0)
		goto out;
	ops = vrf_calloc(nl_cache_nitems(cache) + 1, sizeof(*ops));
	names = vrf_calloc(nl_cache_nitems(cache) + 1, sizeof(*names));
	for (obj = nl_cache_get_first(cache); obj; obj = nl_cache_get_next(obj)) {
		const char *name = rtnl_link_get_name((struct rtnl_link *)obj);
		const struct vrf_link *want = vrf_link_declared(d, name);
		struct rtnl_link *rl;

		if (!name || !((want && (want->kind->flags & LINK_KIND_MOVED)) ||
			       nics_has(nics, name)))
			continue;
		rl = vrf_link_named(name);
		rtnl_link_set_ns_fd(rl, vrf_ns_fd(host));
		names[n] = name;
		vrf_link_batch_setlink(&b, rl, -1, &ops[n++], NULL);
	}
	err = vrf_link_batch_send(&b);
	for (size_t i = 0; i < n; i++) {
		const char *name = names[i];

		if (ops[i].err)
			fprintf(stderr, "%s: cannot move NIC %s back to the host: %s\n",
				vrf_ns_name(ns), name,
				ops[i].errmsg ? ops[i].errmsg : strerror(-ops[i].err));
		else
			nics_set(run, vrf_ns_name(ns), name, false);
		free(ops[i].errmsg);
	}
	vrf_link_cache_invalidate(run);
out:
	if (err < 0 && err != -EIO)
		fprintf(stderr, "%s: cannot hand the NICs back to the host: %s\n",
			vrf_ns_name(ns), strerror(-err));
	free(ops);
	free(names);
	free(nics);
	return err;
}

/* A deleted namespace is torn down by the kernel a little later (cleanup_net
 * runs from a work queue), and the other ends of its veth pairs keep their
 * names until then.  Wait, a bounded time, for those ends to be gone, so
 * that the other namespaces look as the file says when vrfmgr returns and a
 * name can be used again in the same run. */
#define PEER_WAIT_MS	3000

static void wait_gone(struct vrf_ns *ns, const char *name, const char *kind, unsigned *waited)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	if (!ns || vrf_ns_fd(ns) < 0)
		return;
	while (*waited < PEER_WAIT_MS) {
		char type[16];

		if (vrf_link_kernel_kind(ns, name, type) < 0)
			return;		/* gone (or unreadable: nothing to wait for) */
		if (strcmp(type, kind))
			return;		/* a device of that name, but not our pair's end */
		nanosleep(&tick, NULL);
		*waited += 10;
	}
}

static const struct vrf_domain *section(const struct vrf_config *cfg, size_t i);

static int wait_peers_gone(struct vrf_run *run, const struct vrf_domain *d)
{
	const struct vrf_config *cfg = vrf_run_config(run);
	const struct vrf_domain *s;
	const char *peer, *pns;
	unsigned waited = 0;

	size_t n = 0;
	struct vrf_obj *const *v = d ? vrf_domain_sorted(d, &vrf_link_plugin, &n) : NULL;

	/* The peers this domain put elsewhere... */
	for (size_t i = 0; i < n; i++) {
		const struct vrf_link *l = vrf_link_of(v[i]);

		if (l->kind->peer && (peer = l->kind->peer(l, &pns)))
			wait_gone(vrf_ns_find(run, pns), peer, l->kind->name, &waited);
	}
	/* ...and the links other sections paired with an end in it. */
	for (size_t i = 0; cfg && d && (s = section(cfg, i)); i++) {
		for (size_t k = 0; s != d && k < s->objs.n; k++) {
			const struct vrf_link *l = vrf_link_of(s->objs.v[k]);

			if (l && l->kind->peer && l->kind->peer(l, &pns) && !strcmp(pns, d->name))
				wait_gone(vrf_ns_find(run, s->name), l->name, l->kind->name, &waited);
		}
	}
	if (waited >= PEER_WAIT_MS)
		fprintf(stderr, "%s: veth ends still present %u ms after the namespace went\n",
			d->name, waited);
	vrf_link_cache_invalidate(run);
	return 0;
}

static int link_event(struct vrf_run *run, struct vrf_ns *ns, const struct vrf_domain *d,
		      enum vrf_event ev, const char *changes)
{
	if (ev == VRF_EV_POST_DESTROY)
		return wait_peers_gone(run, d);
	if (ev != VRF_EV_PRE_DESTROY || !ns || !strcmp(vrf_ns_name(ns), VRF_HOST))
		return 0;
	return move_nics_home(run, ns, d);
}

/* ---- status --dot ---- */

static void dot_id(struct vrf_buf *out, const char *domain, const char *name)
{
	vrf_buf_puts(out, "\"");
	for (const char *s = domain; *s; s++)
		vrf_buf_printf(out, "%s%c", *s == '"' || *s == '\\' ? "\\" : "", *s);
	vrf_buf_puts(out, "/");
	for (const char *s = name; *s; s++)
		vrf_buf_printf(out, "%s%c", *s == '"' || *s == '\\' ? "\\" : "", *s);
	vrf_buf_puts(out, "\"");
}

/* Every section of the file, [host] first, through one index. */
static const struct vrf_domain *section(const struct vrf_config *cfg, size_t i)
{
	if (cfg->host && i-- == 0)
		return cfg->host;
	return i < cfg->n_domains ? cfg->domains[i] : NULL;
}

static void dot_node(struct vrf_buf *out, const char *domain, const char *name,
		     const char *label, const char *style)
{
	vrf_buf_puts(out, "\t\t");
	dot_id(out, domain, name);
	vrf_buf_printf(out, " [label=\"%s\\n%s\"%s];\n", name, label, style);
}

/* Once per lower device, at its first user (link k of section i). */
static bool first_user(const struct vrf_config *cfg, size_t i, size_t k, const char *parent)
{
	for (size_t j = 0; j <= i; j++) {
		const struct vrf_domain *t = section(cfg, j);

		for (size_t m = 0; m < (j == i ? k : t->objs.n); m++) {
			const struct vrf_link *u = vrf_link_of(t->objs.v[m]);

			if (u && !strcmp(u->parent, parent))
				return false;
		}
	}
	return true;
}

/* The edges of one link: to its other end, from its lower device, to its
 * master. */
static void dot_edges(const struct vrf_domain *d, const struct vrf_link *l, struct vrf_buf *out)
{
	const char *pns = NULL, *peer = l->kind->peer ? l->kind->peer(l, &pns) : NULL;

	if (peer) {
		vrf_buf_puts(out, "\t");
		dot_id(out, d->name, l->name);
		vrf_buf_puts(out, " -> ");
		dot_id(out, pns, peer);
		vrf_buf_printf(out, " [dir=none, label=\"%s\"];\n", l->kind->name);
	}
	if (l->parent[0]) {
		vrf_buf_puts(out, "\t");
		dot_id(out, VRF_HOST, l->parent);
		vrf_buf_puts(out, " -> ");
		dot_id(out, d->name, l->name);
		vrf_buf_printf(out, " [label=\"%s\"];\n", vrf_link_kind_name(l));
	}
	if (l->master[0]) {
		vrf_buf_puts(out, "\t");
		dot_id(out, d->name, l->name);
		vrf_buf_puts(out, " -> ");
		dot_id(out, d->name, l->master);
		vrf_buf_puts(out, " [style=dotted, label=\"master\"];\n");
	}
}

/* Nodes: the section's links, the other ends that other sections put here,
 * and in the host the lower devices that no section declares. */
static void link_dot(const struct vrf_config *cfg, const struct vrf_domain *d, bool edges,
		     struct vrf_buf *out)
{
	const struct vrf_domain *s;

	size_t n;
	struct vrf_obj *const *v = vrf_domain_sorted(d, &vrf_link_plugin, &n);

	for (size_t i = 0; i < n; i++) {
		const struct vrf_link *l = vrf_link_of(v[i]);

		if (edges)
			dot_edges(d, l, out);
		else
			dot_node(out, d->name, l->name, vrf_link_kind_name(l),
				 (l->kind->flags & LINK_KIND_MOVED) ? ", shape=box3d" : "");
	}
	if (edges)
		return;
	for (size_t i = 0; (s = section(cfg, i)); i++) {
		for (size_t k = 0; k < s->objs.n; k++) {
			const struct vrf_link *l = vrf_link_of(s->objs.v[k]);
			const char *pns = NULL, *peer;
			char label[64];

			if (!l)
				continue;
			peer = l->kind->peer ? l->kind->peer(l, &pns) : NULL;
			if (peer && !strcmp(pns, d->name)) {
				snprintf(label, sizeof(label), "%s peer", l->kind->name);
				dot_node(out, d->name, peer, label, "");
			}
			if (!d->is_host || !l->parent[0] ||
			    vrf_name_find(cfg, VRF_HOST, "dev", l->parent, NULL, NULL))
				continue;
			if (first_user(cfg, i, k, l->parent))
				dot_node(out, VRF_HOST, l->parent, "host device", ", style=dashed");
		}
	}
}

/* ---- audit ---- */

/* Whose is live device name in ns (d's namespace)? */
static const char *owner_of(const struct vrf_config *cfg, struct vrf_ns *ns,
			    const struct vrf_domain *d, const char *name, const char *alias)
{
	const struct vrf_link *decl;
	void *data = NULL;

	if (!strcmp(name, "lo"))
		return "kernel";
	if (vrf_link_declared(d, name) || (alias && !strcmp(alias, LINK_ALIAS)))
		return "managed";
	/* Not declared here, but published here: the other end of a link
	 * declared elsewhere. */
	if (cfg && vrf_name_find(cfg, vrf_ns_name(ns), "dev", name, &data, NULL) &&
	    (decl = vrf_link_of(data)) && decl->kind->peer)
		return "peer";
	return "foreign";
}

static int link_audit(struct vrf_run *run, struct vrf_ns *ns, const struct vrf_domain *d,
		      struct vrf_buf *out, bool json)
{
	const struct vrf_config *cfg = vrf_run_config(run);
	struct nl_cache *cache;
	struct nl_object *obj;
	bool first = true;
	int err = vrf_link_cache(run, ns, true, &cache);

	if (err < 0)
		return err;
	if (json)
		vrf_buf_puts(out, "\"link\":[");
	for (obj = nl_cache_get_first(cache); obj; obj = nl_cache_get_next(obj)) {
		struct rtnl_link *rl = (struct rtnl_link *)obj;
		const char *name = rtnl_link_get_name(rl), *type = rtnl_link_get_type(rl);
		const char *owner;
		bool up = rtnl_link_get_flags(rl) & IFF_UP;

		if (!name)
			continue;
		owner = owner_of(cfg, ns, d, name, rtnl_link_get_ifalias(rl));
		if (json) {
			vrf_buf_printf(out, "%s{\"name\":", first ? "" : ",");
			vrf_buf_json_str(out, name);
			vrf_buf_puts(out, ",\"kind\":");
			vrf_buf_json_str(out, type ? type : "device");
			vrf_buf_printf(out, ",\"up\":%s,\"mtu\":%u,\"owner\":\"%s\"}",
				       up ? "true" : "false", rtnl_link_get_mtu(rl), owner);
		} else {
			vrf_buf_printf(out, "  link %s type %s %s mtu %u: %s\n", name,
				       type ? type : "device", up ? "up" : "down",
				       rtnl_link_get_mtu(rl),
				       !strcmp(owner, "foreign") ? "foreign, left alone" : owner);
		}
		first = false;
	}
	if (json)
		vrf_buf_puts(out, "]");
	return 0;
}

/* A link that goes away or comes back new drops what crossed it; a NIC
 * moved between namespaces leaves the host's traffic for the domain's. */
static const char *link_disruptive(const struct vrf_op *op)
{
	const struct vrf_link *want = (const void *)op->want, *have = (const void *)op->have;
	const struct vrf_link *l = want ? want : have;

	if (op->kind != VRF_OP_CHANGE && (l->kind->flags & LINK_KIND_MOVED))
		return op->kind == VRF_OP_ADD ? "NIC moved in from the host" :
		       "NIC moved back to the host";
	if (op->kind == VRF_OP_DEL)
		return "link deleted";
	if (op->kind == VRF_OP_CHANGE && needs_rebuild(want, have))
		return "link recreated";
	if (op->kind == VRF_OP_CHANGE && !want->up && have->up)
		return "link set down";
	return NULL;
}

static const char *const link_keys[] = { "link", NULL };

const struct vrf_plugin vrf_link_plugin = {
	.abi = VRF_PLUGIN_ABI,
	.name = "link",
	.keys = link_keys,
	.stage = 20,
	/* Observed everywhere: a domain whose last link left the file still has
	 * links vrfmgr made (they carry the alias) that must go. */
	.flags = VRF_PLUGIN_HOST_OK,
	.parse = link_parse,
	.validate = link_validate,
	.compare = link_compare,
	.equal = link_equal,
	.observe = link_observe,
	.apply = link_apply,
	.format = link_format,
	.format_change = link_format_change,
	.free = link_free,
	.audit = link_audit,
	.event = link_event,
	.dot = link_dot,
	.ns_release = vrf_link_ns_release,
	.run_end = vrf_link_run_end,
	.disruptive = link_disruptive,
	.metrics = vrf_link_metrics,
};

VRF_PLUGIN_REGISTER(vrf_link_plugin);
