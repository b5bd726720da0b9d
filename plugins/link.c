// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The link plugin: `link = NAME type KIND [options]` in a domain or in
 * [host].  It creates veth pairs, macvlan, vlan, bridge, vxlan and dummy
 * devices, moves physical NICs in (and back out), and keeps mtu, mac, master
 * and the up/down state as the file says.  What each kind accepts lives in
 * plugins/link-kinds.c.
 *
 * Ownership.  A live link is vrfmgr's when the file declares its name in that
 * namespace, or when it carries the ifalias "vrfmgr" that vrfmgr stamps on
 * every link it creates (so a link removed from the file is removed from the
 * kernel, as a route carrying route_protocol would be).  Everything else is
 * foreign: reported by audit, never touched.
 *
 * A veth pair belongs to the section that declares it.  The end named in that
 * section is the observed object; its peer (in the host or in peer-netns) is
 * an attribute of it: a pair whose peer vanished, was renamed or sits in the
 * wrong namespace no longer matches and is rebuilt (deleted and created
 * again).  The namespace that receives the peer owns nothing of it, though
 * other plugins may put addresses on it: the peer name is published there.
 *
 * Devices whose lower device lives in the host (macvlan, vlan, vxlan) are
 * created through the host's socket with IFLA_NET_NS_FD pointing at the
 * domain, the way `ip link add link eth1 name v100 netns X type vlan` does;
 * a vxlan's UDP socket therefore lives in the host (the underlay).
 *
 * Apply runs in three netlink batches per namespace, each one sendmsg with a
 * single ACK: deletions; creations (bridges first; host-side ones after the
 * domain's own, as a macvlan may sit on a veth end the domain just made);
 * then configuration, where every member is enslaved before any link comes
 * up.  The kernel's extended-ack text becomes op->errmsg.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <netlink/netlink.h>
#include <netlink/addr.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include <netlink/route/link.h>

#include "link.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

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
static int opt_index(const struct vrf_link_kind_ops *k, const char *opt)
{
	for (size_t i = 0; i < N_COMMON; i++)
		if (!strcmp(common_opts[i], opt))
			return i;
	for (size_t i = 0; k->opts && k->opts[i]; i++)
		if (!strcmp(k->opts[i], opt))
			return N_COMMON + i;
	return -1;
}

static int publish(struct vrf_config *cfg, const struct vrf_domain *d,
		   const struct vrf_loc *loc, struct vrf_link *l)
{
	int err = vrf_name_add(cfg, d->name, "dev", l->name, loc, l);

	if (err == 0 && l->kind == LINK_VETH)
		err = vrf_name_add(cfg, l->peer_ns[0] ? l->peer_ns : VRF_HOST, "dev",
				   l->peer, loc, l);
	/* One global space for NICs, so two domains cannot both claim one. */
	if (err == 0 && l->kind == LINK_PHYSICAL)
		err = vrf_name_add(cfg, "*", "nic", l->name, loc, l);
	return err < 0 ? -EINVAL : 0;
}

static int link_parse(struct vrf_config *cfg, struct vrf_domain *d,
		      const struct vrf_loc *loc, const char *key, const char *value)
{
	const struct vrf_link_kind_ops *k;
	struct vrf_words ws = { 0 };
	struct vrf_link *l = NULL;
	uint64_t seen = 0;
	const char *why;
	int err = -EINVAL;

	if (vrf_words_split(&ws, value) < 0) {
		vrf_error(cfg, loc, "link: cannot split \"%s\" into words (unbalanced quote?)",
			  value);
		goto out;
	}
	if (ws.n == 0) {
		vrf_error(cfg, loc, "link needs \"NAME type KIND\"");
		goto out;
	}
	why = vrf_link_ifname_why(ws.w[0]);
	if (!why && !strcmp(ws.w[0], "lo"))
		why = "the loopback device exists in every namespace";
	if (why) {
		vrf_error(cfg, loc, "invalid link name \"%s\": %s", ws.w[0], why);
		goto out;
	}
	if (ws.n < 3 || strcmp(ws.w[1], "type")) {
		vrf_error(cfg, loc, "link \"%s\": expected \"type KIND\" after the name", ws.w[0]);
		goto out;
	}
	k = vrf_link_kind_by_name(ws.w[2]);
	if (!k) {
		vrf_error(cfg, loc, "link \"%s\": unknown link kind \"%s\" (veth, macvlan, "
			  "vlan, bridge, vxlan, dummy or physical)", ws.w[0], ws.w[2]);
		goto out;
	}
	if (d->is_host && !k->host_ok) {
		vrf_error(cfg, loc, "link \"%s\": a physical link cannot be declared in [host]: "
			  "the NIC is there already", ws.w[0]);
		goto out;
	}

	l = vrf_obj_new(&vrf_link_plugin, sizeof(*l), loc);
	if (!l) {
		err = -ENOMEM;
		goto out;
	}
	memcpy(l->name, ws.w[0], strlen(ws.w[0]) + 1);
	l->kind = k->kind;
	l->up = true;

	for (size_t i = 3; i < ws.n; i++) {
		const char *opt = ws.w[i], *val = i + 1 < ws.n ? ws.w[i + 1] : NULL;
		int idx = opt_index(k, opt), used;

		if (idx < 0) {
			vrf_error(cfg, loc, "link \"%s\": unknown option \"%s\" for a %s link",
				  l->name, opt, k->name);
			goto out;
		}
		if (seen & (1ULL << idx)) {
			vrf_error(cfg, loc, "link \"%s\": \"%s\" is given twice", l->name, opt);
			goto out;
		}
		seen |= 1ULL << idx;
		if (!strcmp(opt, "down")) {
			l->has |= LINK_HAS_DOWN;
			l->up = false;
			continue;
		}
		if (!val) {
			vrf_error(cfg, loc, "link \"%s\": \"%s\" needs a value", l->name, opt);
			goto out;
		}
		if ((size_t)idx < N_COMMON)
			used = parse_common(cfg, loc, l, opt, val) < 0 ? -EINVAL : 1;
		else
			used = k->parse_opt(cfg, loc, l, opt, val);
		if (used < 0)
			goto out;
		i += used;
	}
	if (k->check(cfg, loc, l) < 0)
		goto out;
	if ((l->has & LINK_HAS_MASTER) && l->kind == LINK_BRIDGE) {
		vrf_error(cfg, loc, "link \"%s\": a bridge cannot have a master", l->name);
		goto out;
	}
	if (l->kind == LINK_VETH && l->peer_ns[0] && !strcmp(l->peer_ns, d->name)) {
		vrf_error(cfg, loc, "link \"%s\": peer-netns %s is this domain itself; a veth "
			  "joins two namespaces", l->name, l->peer_ns);
		goto out;
	}
	if (l->kind == LINK_VETH && !strcmp(l->peer, l->name) &&
	    !strcmp(l->peer_ns[0] ? l->peer_ns : VRF_HOST, d->name)) {
		vrf_error(cfg, loc, "link \"%s\": the peer has the link's own name in the same "
			  "namespace", l->name);
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

static const struct vrf_link *as_link(void *data)
{
	const struct vrf_obj *o = data;

	return o && o->plugin == &vrf_link_plugin ? data : NULL;
}

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

static int check_physical(struct vrf_config *cfg, const struct vrf_domain *d,
			  const struct vrf_link *l)
{
	const struct vrf_loc *where;
	struct stat st;
	char path[PATH_MAX];

	if (vrf_name_find(cfg, VRF_HOST, "dev", l->name, NULL, &where)) {
		vrf_error(cfg, &l->obj.loc, "link \"%s\": %s:%u declares %s in the host "
			  "namespace; a physical link moves a NIC that vrfmgr does not create",
			  l->name, where->file, where->line, l->name);
		return -EINVAL;
	}
	if (if_nametoindex(l->name) > 0)
		return 0;
	/* Once moved, the NIC is inside the domain, where an unprivileged check
	 * cannot look.  So refuse only when it is absent from the host and the
	 * domain has no namespace yet: then it cannot be anywhere we know. */
	snprintf(path, sizeof(path), "%s/%s", cfg->netns_dir, d->name);
	if (stat(path, &st) == 0)
		return 0;
	vrf_error(cfg, &l->obj.loc, "link \"%s\": physical device %s is not in the host "
		  "namespace, and domain %s does not exist yet (%s)", l->name, l->name,
		  d->name, path);
	return -EINVAL;
}

static int link_validate(struct vrf_config *cfg, struct vrf_domain *d)
{
	int ret = 0;

	for (size_t i = 0; i < d->objs.n; i++) {
		const struct vrf_link *l = as_link(d->objs.v[i]), *m;
		void *data;

		if (!l)
			continue;
		if (l->kind == LINK_VETH && l->peer_ns[0] && !vrf_config_domain(cfg, l->peer_ns)) {
			vrf_error(cfg, &l->obj.loc, "link \"%s\": peer-netns \"%s\" is not a domain "
				  "of this file", l->name, l->peer_ns);
			ret = -EINVAL;
		}
		if (check_parent(cfg, l) < 0)
			ret = -EINVAL;
		if (l->master[0]) {
			m = vrf_name_find(cfg, d->name, "dev", l->master, &data, NULL) ?
				as_link(data) : NULL;
			if (!m || m->kind != LINK_BRIDGE || strcmp(m->name, l->master)) {
				vrf_error(cfg, &l->obj.loc, "link \"%s\": master \"%s\" is not a "
					  "bridge declared in this section", l->name, l->master);
				ret = -EINVAL;
			}
		}
		if (l->kind == LINK_PHYSICAL && check_physical(cfg, d, l) < 0)
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
	if (want->kind == LINK_PHYSICAL || want->kind == LINK_OTHER)
		return false;
	if (want->live && want->kind == LINK_VETH && !want->peer_ok)
		return false;
	if (want->kind != have->kind)
		return true;
	return !vrf_link_kind_ops(want->kind)->equal(want, have);
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
	if (want->kind == LINK_VETH && have->peer_ok && have->peer_up != want->up)
		return false;
	return true;
}

static const char *kind_name(const struct vrf_link *l)
{
	return l->kind == LINK_OTHER ? l->kind_name : vrf_link_kind_ops(l->kind)->name;
}

static void put_mac(struct vrf_buf *out, const uint8_t *m)
{
	vrf_buf_printf(out, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void link_format(const struct vrf_obj *o, struct vrf_buf *out)
{
	const struct vrf_link *l = (const void *)o;

	vrf_buf_printf(out, "%s type %s", l->name, kind_name(l));
	vrf_link_kind_ops(l->kind)->format(l, out);
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
		vrf_buf_puts(out, kind_name(have));
		vrf_link_kind_ops(have->kind)->format(have, out);
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
	if (want->kind == LINK_VETH && have->peer_ok && have->peer_up != want->up)
		vrf_buf_printf(out, "%speer %s %s -> %s", sep, have->peer,
			       have->peer_up ? "up" : "down", want->up ? "up" : "down");
}

/* ---- per-namespace netlink state ---- */

struct link_nsst {
	struct nl_sock *sk;
	struct nl_cache *cache;	/* last link dump of this namespace */
	uint32_t seq;		/* our requests' sequence numbers (not libnl's) */
	unsigned gen;		/* run generation the dump belongs to; 0 = none */
};

struct link_runst {
	unsigned gen;		/* bumped by every apply: older dumps are stale */
};

static unsigned run_gen(struct vrf_run *run)
{
	void **slot = vrf_run_state(run, &vrf_link_plugin);
	struct link_runst *rs = *slot;

	if (!rs) {
		rs = calloc(1, sizeof(*rs));
		if (!rs)
			return 0;	/* every dump counts as stale: slower, still right */
		rs->gen = 1;
		*slot = rs;
	}
	return rs->gen;
}

static void run_invalidate(struct vrf_run *run)
{
	struct link_runst *rs = *vrf_run_state(run, &vrf_link_plugin);

	if (rs)
		rs->gen++;
}

static void link_ns_release(struct vrf_ns *ns, void *state)
{
	struct link_nsst *st = state;

	if (!st)
		return;
	if (st->cache)
		nl_cache_free(st->cache);
	nl_socket_free(st->sk);
	free(st);
}

static void link_run_end(struct vrf_run *run)
{
	void **slot = vrf_run_state(run, &vrf_link_plugin);

	free(*slot);
	*slot = NULL;
}

/* The namespace's rtnetlink socket, connected inside it once and kept for the
 * run.  Extended acks carry the kernel's explanation of a refusal; capped
 * acks keep the answers to a batch small. */
static int ns_state(struct vrf_ns *ns, struct link_nsst **ret)
{
	void **slot = vrf_ns_state(ns, &vrf_link_plugin);
	struct link_nsst *st = *slot;
	int one = 1, err;

	if (st) {
		*ret = st;
		return 0;
	}
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->sk = nl_socket_alloc();
	if (!st->sk) {
		free(st);
		return -ENOMEM;
	}
	/* The socket is made and bound inside the namespace, moved above
	 * 1024 (see vrf_fd_high()), and only then handed to libnl. */
	err = vrf_ns_enter(ns);
	if (err == 0) {
		struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
		int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			err = -errno;
		vrf_ns_leave(ns);
		if (err == 0)
			err = vrf_link_errno(nl_socket_set_fd(st->sk, NETLINK_ROUTE,
							      vrf_fd_high(fd)));
		else if (fd >= 0)
			close(fd);
	}
	if (err < 0) {
		nl_socket_free(st->sk);
		free(st);
		return err;
	}
	setsockopt(nl_socket_get_fd(st->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(st->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	nl_socket_set_buffer_size(st->sk, 1 << 20, 1 << 20);
	*slot = st;
	*ret = st;
	return 0;
}

/* The links of ns: a fresh dump when asked or when the last one predates an
 * apply, else the cached one.  libnl restarts a dump the kernel flags as
 * interrupted, so the view is never partial. */
static int ns_links(struct vrf_run *run, struct vrf_ns *ns, bool fresh,
		    struct link_nsst **ret_st)
{
	struct link_nsst *st;
	unsigned gen = run_gen(run);
	int err = ns_state(ns, &st);

	if (err < 0)
		return err;
	if (st->cache && !fresh && gen && st->gen == gen) {
		*ret_st = st;
		return 0;
	}
	if (st->cache)
		err = vrf_link_errno(nl_cache_refill(st->sk, st->cache));
	else
		err = vrf_link_errno(rtnl_link_alloc_cache(st->sk, AF_UNSPEC, &st->cache));
	if (err < 0) {
		st->gen = 0;
		return err;
	}
	st->gen = gen;
	*ret_st = st;
	return 0;
}

/* ---- the record of NICs moved in ----
 *
 * state_dir/DOMAIN/link-nics lists, one a line, the host NICs that vrfmgr
 * moved into DOMAIN.  It lets a NIC go home when its line leaves the file, or
 * when a domain that left the file is pruned; the kernel would otherwise
 * hand a real NIC to the initial namespace (perhaps renamed) and destroy a
 * virtual one with the namespace. */
#define NICS_RECORD "link-nics"

static char *nics_path(struct vrf_run *run, const char *domain, bool dir_only)
{
	const struct vrf_config *cfg = vrf_run_config(run);
	char *p;

	if (asprintf(&p, dir_only ? "%s/%s" : "%s/%s/" NICS_RECORD, cfg->state_dir, domain) < 0)
		return NULL;
	return p;
}

/* The record's text ("" when there is none), or NULL when it cannot be read:
 * then nothing may be assumed about what is ours. */
static char *nics_load(struct vrf_run *run, const char *domain)
{
	char *p = nics_path(run, domain, false), *text = NULL;
	size_t len = 0;
	FILE *f;

	if (!p)
		return NULL;
	f = fopen(p, "re");
	free(p);
	if (!f)
		return errno == ENOENT ? strdup("") : NULL;
	if (getdelim(&text, &len, '\0', f) < 0) {
		free(text);
		text = ferror(f) ? NULL : strdup("");
	}
	fclose(f);
	return text;
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

/* Add name to the record or take it out; written whole and renamed in. */
static int nics_set(struct vrf_run *run, const char *domain, const char *name, bool present)
{
	char *text = nics_load(run, domain), *dir = nics_path(run, domain, true);
	char *p = nics_path(run, domain, false), *tmp = NULL;
	int err = 0;
	FILE *f;

	if (!text || !dir || !p || asprintf(&tmp, "%s.tmp", p) < 0) {
		err = text ? -ENOMEM : -EIO;
		tmp = NULL;
		goto out;
	}
	if (nics_has(text, name) == present)
		goto out;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		err = -errno;
		goto out;
	}
	f = fopen(tmp, "we");
	if (!f) {
		err = -errno;
		goto out;
	}
	for (const char *s = text; *s;) {
		const char *e = strchrnul(s, '\n');

		if (e > s && ((size_t)(e - s) != strlen(name) || strncmp(s, name, e - s)))
			fprintf(f, "%.*s\n", (int)(e - s), s);
		s = *e ? e + 1 : e;
	}
	if (present)
		fprintf(f, "%s\n", name);
	if (fclose(f) != 0 || rename(tmp, p) < 0)
		err = -errno;
out:
	if (err < 0 && tmp)
		unlink(tmp);
	if (err < 0)
		fprintf(stderr, "%s: cannot record NIC %s in %s: %s\n", domain, name,
			p ? p : NICS_RECORD, strerror(-err));
	free(text);
	free(dir);
	free(p);
	free(tmp);
	return err;
}

/* ---- observe ---- */

static const struct vrf_link *declared(const struct vrf_domain *d, const char *name)
{
	if (!d || !name)
		return NULL;
	for (size_t i = 0; i < d->objs.n; i++) {
		const struct vrf_link *l = as_link(d->objs.v[i]);

		if (l && !strcmp(l->name, name))
			return l;
	}
	return NULL;
}

static struct vrf_ns *peer_ns(struct vrf_run *run, const struct vrf_link *want)
{
	return vrf_ns_find(run, want->peer_ns[0] ? want->peer_ns : VRF_HOST);
}

/* Is the declared peer of veth `have` where the file wants it: a veth of that
 * name in that namespace whose peer is `have`, and the other way round? */
static int check_peer(struct vrf_run *run, struct vrf_ns *ns, struct link_nsst *own,
		      const struct vrf_link *want, struct vrf_link *have)
{
	struct vrf_ns *pns = peer_ns(run, want);
	struct link_nsst *pst = own;
	struct rtnl_link *prl;
	const char *type;
	int err;

	memcpy(have->peer, want->peer, sizeof(have->peer));
	if (!pns || vrf_ns_fd(pns) < 0)
		return 0;	/* the peer's domain does not exist (yet) */
	if (pns != ns) {
		err = ns_links(run, pns, false, &pst);
		if (err < 0)
			return err;
	}
	prl = rtnl_link_get_by_name(pst->cache, want->peer);
	if (!prl)
		return 0;
	type = rtnl_link_get_type(prl);
	if (type && !strcmp(type, "veth") && rtnl_link_get_ifindex(prl) == have->link_ifindex &&
	    rtnl_link_get_link(prl) == have->ifindex) {
		have->peer_ok = true;
		memcpy(have->peer_ns, want->peer_ns, sizeof(have->peer_ns));
		have->peer_up = rtnl_link_get_flags(prl) & IFF_UP;
		have->peer_mtu = rtnl_link_get_mtu(prl);
	}
	rtnl_link_put(prl);
	return 0;
}

static int link_observe(struct vrf_run *run, struct vrf_ns *ns,
			const struct vrf_domain *d, struct vrf_objv *out)
{
	struct vrf_ns *host = vrf_ns_find(run, VRF_HOST);
	struct link_nsst *st, *hst;
	struct vrf_link_names names;
	struct nl_object *obj;
	char *nics;
	int err;

	nics = ns == host ? strdup("") : nics_load(run, vrf_ns_name(ns));
	if (!nics)
		return -EIO;
	err = ns_links(run, ns, true, &st);
	if (err < 0)
		goto out;
	hst = st;
	if (host && host != ns) {
		err = ns_links(run, host, false, &hst);
		if (err < 0)
			goto out;
	}
	names.own = st->cache;
	names.host = hst->cache;

	for (obj = nl_cache_get_first(st->cache); obj; obj = nl_cache_get_next(obj)) {
		struct rtnl_link *rl = (struct rtnl_link *)obj;
		const char *name = rtnl_link_get_name(rl), *alias = rtnl_link_get_ifalias(rl);
		const struct vrf_link *want = declared(d, name);
		struct vrf_link *have;

		bool moved_in;

		if (!name || !strcmp(name, "lo"))
			continue;
		moved_in = nics_has(nics, name);
		if (!want && !moved_in && !(alias && !strcmp(alias, LINK_ALIAS)))
			continue;
		have = vrf_obj_new(&vrf_link_plugin, sizeof(*have), NULL);
		if (!have) {
			err = -ENOMEM;
			goto out;
		}
		vrf_link_decode(have, rl, &names);
		if (want ? want->kind == LINK_PHYSICAL : moved_in)
			have->kind = LINK_PHYSICAL;
		if (want && want->kind == LINK_VETH && have->kind == LINK_VETH)
			err = check_peer(run, ns, st, want, have);
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

enum link_action {
	ACT_NONE,
	ACT_DEL,	/* delete, or move a physical NIC back to the host */
	ACT_CREATE,	/* create, or move a physical NIC in */
	ACT_REBUILD,	/* delete, then create */
	ACT_MODIFY,	/* adjust mtu, mac, master, up/down in place */
};

static enum link_action op_action(const struct vrf_op *op)
{
	switch (op->kind) {
	case VRF_OP_ADD:
		return ACT_CREATE;
	case VRF_OP_DEL:
		return ACT_DEL;
	case VRF_OP_CHANGE:
		return needs_rebuild((const void *)op->want, (const void *)op->have) ?
			ACT_REBUILD : ACT_MODIFY;
	}
	return ACT_NONE;
}

/* RTM_NEWLINK without NLM_F_CREATE on an existing device: ip link set.  The
 * caller fills rl (name included); up < 0 leaves IFF_UP alone. */
static int setlink_msg(struct rtnl_link *rl, int up, struct nl_msg **ret)
{
	struct ifinfomsg *ifi;
	int err = vrf_link_errno(rtnl_link_build_add_request(rl, 0, ret));

	if (err < 0)
		return err;
	/* libnl versions differ in how they fill ifi_change; say it exactly. */
	ifi = nlmsg_data(nlmsg_hdr(*ret));
	ifi->ifi_flags = up > 0 ? IFF_UP : 0;
	ifi->ifi_change = up >= 0 ? IFF_UP : 0;
	return 0;
}

static int push_setlink(struct vrf_link_batch *b, struct rtnl_link *rl, int up,
			struct vrf_op *op, const char *hint)
{
	struct nl_msg *msg;
	int err = setlink_msg(rl, up, &msg);

	rtnl_link_put(rl);
	if (err < 0) {
		vrf_link_op_fail(op, err, NULL);
		return err;
	}
	return vrf_link_batch_push(b, msg, op, false, hint);
}

static struct rtnl_link *named(const char *name)
{
	struct rtnl_link *rl = rtnl_link_alloc();

	if (rl)
		rtnl_link_set_name(rl, name);
	return rl;
}

static int push_delete(struct vrf_link_batch *b, struct vrf_run *run, struct vrf_op *op,
		       const struct vrf_link *l)
{
	struct rtnl_link *rl = named(l->name);
	struct nl_msg *msg = NULL;
	int err;

	if (!rl)
		return -ENOMEM;
	if (l->kind == LINK_PHYSICAL) {
		/* A NIC is never deleted: it goes home under its own name. */
		rtnl_link_set_ns_fd(rl, vrf_ns_fd(vrf_ns_find(run, VRF_HOST)));
		return push_setlink(b, rl, -1, op, "cannot move the NIC back to the host");
	}
	err = vrf_link_errno(rtnl_link_build_delete_request(rl, &msg));
	rtnl_link_put(rl);
	if (err < 0) {
		vrf_link_op_fail(op, err, NULL);
		return err;
	}
	return vrf_link_batch_push(b, msg, op, true, NULL);
}

static bool created_in_host(const struct vrf_link *l)
{
	return l->kind == LINK_MACVLAN || l->kind == LINK_VLAN || l->kind == LINK_VXLAN ||
	       l->kind == LINK_PHYSICAL;
}

/* Queue the creation of `want` into ns (a physical NIC: its move into ns).
 * host_st's cache must be fresh when want's lower device lives there. */
static int push_create(struct vrf_link_batch *b, struct vrf_run *run, struct vrf_ns *ns,
		       struct link_nsst *host_st, struct vrf_op *op, const struct vrf_link *want)
{
	struct vrf_ns *host = vrf_ns_find(run, VRF_HOST);
	struct vrf_link_env env = { .netns_fd = -1, .peer_netns_fd = -1 };
	struct nl_msg *msg = NULL;
	int err;

	if (created_in_host(want) && ns != host)
		env.netns_fd = vrf_ns_fd(ns);
	if (want->kind == LINK_PHYSICAL) {
		struct rtnl_link *rl = named(want->name);

		if (!rl)
			return -ENOMEM;
		rtnl_link_set_ns_fd(rl, env.netns_fd);
		return push_setlink(b, rl, -1, op, "cannot move the NIC in from the host");
	}
	if (want->kind == LINK_VETH) {
		struct vrf_ns *pns = peer_ns(run, want);

		if (!pns || vrf_ns_fd(pns) < 0) {
			vrf_link_op_fail(op, -ENOENT, "the peer's domain %s has no namespace",
					 want->peer_ns[0] ? want->peer_ns : VRF_HOST);
			return -ENOENT;
		}
		if (pns != ns)
			env.peer_netns_fd = vrf_ns_fd(pns);
	}
	if (want->parent[0]) {
		env.parent_ifindex = rtnl_link_name2i(host_st->cache, want->parent);
		if (env.parent_ifindex <= 0) {
			vrf_link_op_fail(op, -ENODEV, "parent device %s is not in the host namespace",
				want->parent);
			return -ENODEV;
		}
	}
	err = vrf_link_build_create(want, &env, &msg);
	if (err < 0) {
		vrf_link_op_fail(op, err, NULL);
		return err;
	}
	return vrf_link_batch_push(b, msg, op, false, NULL);
}

/* Phase 3 for one op: attributes first (this message), up/down later. */
#define FL_BOUNCE	(1U << 0)	/* taken down for a new mac: bring up again */
#define FL_PEER_DONE	(1U << 1)

static int push_configure(struct vrf_link_batch *b, struct link_nsst *st, struct vrf_op *op,
			  enum link_action act, uint8_t *fl)
{
	const struct vrf_link *want = (const void *)op->want;
	const struct vrf_link *have = act == ACT_MODIFY ? (const void *)op->have : NULL;
	bool moved = want->kind == LINK_PHYSICAL && !have;
	struct rtnl_link *rl = named(want->name);
	bool any = false;
	int up = -1;

	if (!rl)
		return -ENOMEM;
	/* A created link got mtu and mac in its creation request; a NIC moved
	 * in and a live link get them here. */
	if ((want->has & LINK_HAS_MTU) && (moved || (have && have->mtu != want->mtu))) {
		rtnl_link_set_mtu(rl, want->mtu);
		any = true;
	}
	if ((want->has & LINK_HAS_MAC) &&
	    (moved || (have && memcmp(have->mac, want->mac, sizeof(want->mac))))) {
		struct nl_addr *mac = nl_addr_build(AF_LLC, want->mac, sizeof(want->mac));

		if (!mac) {
			rtnl_link_put(rl);
			return -ENOMEM;
		}
		rtnl_link_set_addr(rl, mac);
		nl_addr_put(mac);
		any = true;
		/* Many drivers refuse a new address while the link is up. */
		if (have && have->up) {
			up = 0;
			*fl |= FL_BOUNCE;
		}
	}
	if (have ? strcmp(have->master, want->master) != 0 : want->master[0] != '\0') {
		int idx = want->master[0] ? rtnl_link_name2i(st->cache, want->master) : 0;

		if (idx < 0 || (want->master[0] && idx == 0)) {
			rtnl_link_put(rl);
			vrf_link_op_fail(op, -ENODEV, "master bridge %s does not exist", want->master);
			return -ENODEV;
		}
		rtnl_link_set_master(rl, idx);
		any = true;
	}
	/* Stamp what vrfmgr made.  Undoing a change (want observed, have from
	 * the file), put back the alias the link had: ours or none. */
	if (want->live ? (want->owned_alias || (have && !have->live)) :
	    want->kind != LINK_PHYSICAL && (!have || !have->owned_alias)) {
		rtnl_link_set_ifalias(rl, !want->live || want->owned_alias ? LINK_ALIAS : "");
		any = true;
	}
	if (!any) {
		rtnl_link_put(rl);
		return 0;
	}
	return push_setlink(b, rl, up, op, NULL);
}

/* The up/down state of one op's link, after every link is configured. */
static int push_updown(struct vrf_link_batch *b, struct vrf_op *op, enum link_action act,
		       bool bounce)
{
	const struct vrf_link *want = (const void *)op->want;
	const struct vrf_link *have = act == ACT_MODIFY ? (const void *)op->have : NULL;
	struct rtnl_link *rl;

	/* Created links and moved NICs start down. */
	if (have ? (have->up == want->up && !bounce) : !want->up)
		return 0;
	rl = named(want->name);
	if (!rl)
		return -ENOMEM;
	return push_setlink(b, rl, want->up, op, NULL);
}

/* A veth's other end: up or down with it, and the same mtu.  Undoing a
 * change (want observed, have from the file), the peer gets back what it had. */
static int push_peer(struct vrf_link_batch *b, struct vrf_op *op, enum link_action act)
{
	const struct vrf_link *want = (const void *)op->want;
	const struct vrf_link *have = act == ACT_MODIFY ? (const void *)op->have : NULL;
	bool undo = have && !have->live, known = have && have->live && have->peer_ok;
	bool up = want->live ? want->peer_up : want->up;
	uint32_t mtu = want->live ? want->peer_mtu : want->mtu;
	bool set_up, set_mtu;
	struct rtnl_link *rl;

	if (want->live && !want->peer_ok)
		return 0;
	set_up = !have ? up : undo || (known && have->peer_up != up);
	set_mtu = (want->has & LINK_HAS_MTU) && mtu && (undo || (known && have->peer_mtu != mtu));
	if (!set_up && !set_mtu)
		return 0;
	rl = named(want->peer);
	if (!rl)
		return -ENOMEM;
	if (set_mtu)
		rtnl_link_set_mtu(rl, mtu);
	return push_setlink(b, rl, set_up ? up : -1, op, "cannot set the veth peer");
}

static bool op_ok(const struct vrf_op *op)
{
	return !op->err;
}

static int link_apply(struct vrf_run *run, struct vrf_ns *ns, const struct vrf_domain *d,
		      struct vrf_op *ops, size_t n)
{
	struct vrf_ns *host = vrf_ns_find(run, VRF_HOST);
	struct vrf_link_batch own = { 0 }, far = { 0 };
	struct link_nsst *st, *hst = NULL;
	enum link_action *act = NULL;
	bool need_host = false, need_master = false;
	uint8_t *fl = NULL;	/* per op: FL_BOUNCE, FL_PEER_DONE */
	int ret = 0, err;

	err = ns_state(ns, &st);
	if (err < 0) {
		for (size_t i = 0; i < n; i++)
			vrf_link_op_fail(&ops[i], err, "cannot open a netlink socket in %s", vrf_ns_name(ns));
		return err;
	}
	act = calloc(n ? n : 1, sizeof(*act));
	fl = calloc(n ? n : 1, sizeof(*fl));
	if (!act || !fl) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const struct vrf_link *w = (const void *)ops[i].want;

		act[i] = op_action(&ops[i]);
		if ((act[i] == ACT_CREATE || act[i] == ACT_REBUILD) && created_in_host(w))
			need_host = true;
		if (act[i] != ACT_DEL && act[i] != ACT_NONE && w->master[0])
			need_master = true;
	}

	/* 1: deletions (and NICs going home). */
	for (size_t i = 0; i < n; i++)
		if (act[i] == ACT_DEL || act[i] == ACT_REBUILD)
			push_delete(&own, run, &ops[i], (const void *)ops[i].have);
	err = vrf_link_batch_send(st->sk, &st->seq, &own);
	if (err < 0 && !ret)
		ret = err;

	/* 2: creations inside the namespace, bridges first so that nothing
	 * waits for its master; then those made through the host's socket. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			const struct vrf_link *w = (const void *)ops[i].want;

			if ((act[i] != ACT_CREATE && act[i] != ACT_REBUILD) || !op_ok(&ops[i]))
				continue;
			if (created_in_host(w) || (w->kind == LINK_BRIDGE) != (pass == 0))
				continue;
			push_create(&own, run, ns, NULL, &ops[i], w);
		}
	}
	err = vrf_link_batch_send(st->sk, &st->seq, &own);
	if (err < 0 && !ret)
		ret = err;
	if (need_host) {
		err = host ? ns_links(run, host, true, &hst) : -ENOENT;
		for (size_t i = 0; i < n; i++) {
			const struct vrf_link *w = (const void *)ops[i].want;

			if ((act[i] != ACT_CREATE && act[i] != ACT_REBUILD) || !op_ok(&ops[i]) ||
			    !created_in_host(w))
				continue;
			if (err < 0)
				vrf_link_op_fail(&ops[i], err, "cannot read the host's links");
			else
				push_create(ns == host ? &own : &far, run, ns, hst, &ops[i], w);
		}
		if (ns == host)
			err = vrf_link_batch_send(st->sk, &st->seq, &own);
		else if (hst)
			err = vrf_link_batch_send(hst->sk, &hst->seq, &far);
		if (err < 0 && !ret)
			ret = err;
	}

	/* 3: configuration; every master is set before anything comes up. */
	if (need_master) {
		err = ns_links(run, ns, true, &st);
		if (err < 0 && !ret)
			ret = err;
	}
	for (size_t i = 0; i < n; i++)
		if ((act[i] == ACT_CREATE || act[i] == ACT_REBUILD || act[i] == ACT_MODIFY) &&
		    op_ok(&ops[i]))
			push_configure(&own, st, &ops[i], act[i] == ACT_REBUILD ? ACT_CREATE : act[i],
				       &fl[i]);
	for (size_t i = 0; i < n; i++)
		if ((act[i] == ACT_CREATE || act[i] == ACT_REBUILD || act[i] == ACT_MODIFY) &&
		    op_ok(&ops[i]))
			push_updown(&own, &ops[i], act[i] == ACT_REBUILD ? ACT_CREATE : act[i],
				    fl[i] & FL_BOUNCE);
	err = vrf_link_batch_send(st->sk, &st->seq, &own);
	if (err < 0 && !ret)
		ret = err;

	/* Veth peers, one batch per namespace they live in. */
	for (size_t i = 0; i < n; i++) {
		const struct vrf_link *w = (const void *)ops[i].want;
		struct vrf_ns *pns;
		struct link_nsst *pst;

		if (act[i] == ACT_DEL || act[i] == ACT_NONE || w->kind != LINK_VETH ||
		    !op_ok(&ops[i]) || (fl[i] & FL_PEER_DONE))
			continue;
		pns = peer_ns(run, w);
		if (!pns || ns_state(pns, &pst) < 0)
			continue;
		for (size_t j = i; j < n; j++) {
			const struct vrf_link *wj = (const void *)ops[j].want;

			if (act[j] == ACT_DEL || act[j] == ACT_NONE || wj->kind != LINK_VETH ||
			    !op_ok(&ops[j]) || peer_ns(run, wj) != pns)
				continue;
			push_peer(&far, &ops[j], act[j] == ACT_REBUILD ? ACT_CREATE : act[j]);
			fl[j] |= FL_PEER_DONE;
		}
		err = vrf_link_batch_send(pst->sk, &pst->seq, &far);
		if (err < 0 && !ret)
			ret = err;
	}

	for (size_t i = 0; i < n; i++) {
		const struct vrf_link *w = (const void *)ops[i].want;
		const struct vrf_link *h = (const void *)ops[i].have;

		if (ops[i].err)
			continue;
		/* NICs that came in or went home. */
		if (act[i] == ACT_CREATE && w->kind == LINK_PHYSICAL)
			nics_set(run, vrf_ns_name(ns), w->name, true);
		if (act[i] == ACT_DEL && h->kind == LINK_PHYSICAL)
			nics_set(run, vrf_ns_name(ns), h->name, false);
		/* A recreated link lost its addresses and routes, and so did one
		 * taken down; a recreated veth's peer lost them too.  The engine
		 * plans those namespaces again. */
		if (act[i] == ACT_REBUILD || (fl[i] & FL_BOUNCE) ||
		    (act[i] == ACT_MODIFY && h->up && !w->up)) {
			vrf_run_replan(run, ns);
			if (w->kind == LINK_VETH && peer_ns(run, w))
				vrf_run_replan(run, peer_ns(run, w));
		}
	}

out:
	vrf_link_batch_free(&own);
	vrf_link_batch_free(&far);
	free(act);
	free(fl);
	run_invalidate(run);
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
	struct vrf_link_batch b = { 0 };
	struct vrf_op *ops = NULL;	/* one per NIC, to carry its error */
	const char **names = NULL;
	struct link_nsst *st;
	struct nl_object *obj;
	size_t n = 0;
	char *nics = nics_load(run, vrf_ns_name(ns));
	int err = nics ? 0 : -EIO;

	if (err == 0)
		err = host ? ns_links(run, ns, true, &st) : -ENOENT;
	if (err < 0)
		goto out;
	ops = calloc(nl_cache_nitems(st->cache) + 1, sizeof(*ops));
	names = calloc(nl_cache_nitems(st->cache) + 1, sizeof(*names));
	if (!ops || !names) {
		err = -ENOMEM;
		goto out;
	}
	for (obj = nl_cache_get_first(st->cache); obj; obj = nl_cache_get_next(obj)) {
		const char *name = rtnl_link_get_name((struct rtnl_link *)obj);
		const struct vrf_link *want = declared(d, name);
		struct rtnl_link *rl;

		if (!name || !((want && want->kind == LINK_PHYSICAL) || nics_has(nics, name)))
			continue;
		rl = named(name);
		if (!rl) {
			err = -ENOMEM;
			goto out;
		}
		rtnl_link_set_ns_fd(rl, vrf_ns_fd(host));
		names[n] = name;
		push_setlink(&b, rl, -1, &ops[n++], NULL);
	}
	err = vrf_link_batch_send(st->sk, &st->seq, &b);
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
	run_invalidate(run);
out:
	if (err < 0 && err != -EIO)
		fprintf(stderr, "%s: cannot hand the NICs back to the host: %s\n",
			vrf_ns_name(ns), strerror(-err));
	vrf_link_batch_free(&b);
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

static void wait_gone(struct vrf_run *run, struct vrf_ns *ns, const char *name, unsigned *waited)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	struct link_nsst *st;

	if (!ns || vrf_ns_fd(ns) < 0 || ns_state(ns, &st) < 0)
		return;
	while (*waited < PEER_WAIT_MS) {
		struct rtnl_link *rl = NULL;
		const char *type;
		bool veth;

		if (rtnl_link_get_kernel(st->sk, 0, name, &rl) < 0)
			return;		/* gone (or unreadable: nothing to wait for) */
		type = rtnl_link_get_type(rl);
		veth = type && !strcmp(type, "veth");
		rtnl_link_put(rl);
		if (!veth)
			return;		/* a device of that name, but not our pair's end */
		nanosleep(&tick, NULL);
		*waited += 10;
	}
}

static const struct vrf_domain *section(const struct vrf_config *cfg, size_t i);
static const char *peer_home(const struct vrf_link *l);

static int wait_peers_gone(struct vrf_run *run, const struct vrf_domain *d)
{
	const struct vrf_config *cfg = vrf_run_config(run);
	const struct vrf_domain *s;
	unsigned waited = 0;

	/* The peers this domain put elsewhere... */
	for (size_t i = 0; d && i < d->objs.n; i++) {
		const struct vrf_link *l = as_link(d->objs.v[i]);

		if (l && l->kind == LINK_VETH)
			wait_gone(run, peer_ns(run, l), l->peer, &waited);
	}
	/* ...and the veths other sections paired with an end in it. */
	for (size_t i = 0; cfg && d && (s = section(cfg, i)); i++) {
		for (size_t k = 0; s != d && k < s->objs.n; k++) {
			const struct vrf_link *l = as_link(s->objs.v[k]);

			if (l && l->kind == LINK_VETH && !strcmp(peer_home(l), d->name))
				wait_gone(run, vrf_ns_find(run, s->name), l->name, &waited);
		}
	}
	if (waited >= PEER_WAIT_MS)
		fprintf(stderr, "%s: veth ends still present %u ms after the namespace went\n",
			d->name, waited);
	run_invalidate(run);
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

static const char *peer_home(const struct vrf_link *l)
{
	return l->peer_ns[0] ? l->peer_ns : VRF_HOST;
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

/* Nodes: the section's links, the veth ends other sections put here, and in
 * the host the lower devices that no section declares. */
static void link_dot(const struct vrf_config *cfg, const struct vrf_domain *d, bool edges,
		     struct vrf_buf *out)
{
	const struct vrf_domain *s;

	for (size_t i = 0; i < d->objs.n; i++) {
		const struct vrf_link *l = as_link(d->objs.v[i]);

		if (!l)
			continue;
		if (!edges) {
			dot_node(out, d->name, l->name, kind_name(l),
				 l->kind == LINK_PHYSICAL ? ", shape=box3d" : "");
			continue;
		}
		if (l->kind == LINK_VETH) {
			vrf_buf_puts(out, "\t");
			dot_id(out, d->name, l->name);
			vrf_buf_puts(out, " -> ");
			dot_id(out, peer_home(l), l->peer);
			vrf_buf_puts(out, " [dir=none, label=\"veth\"];\n");
		}
		if (l->parent[0]) {
			vrf_buf_puts(out, "\t");
			dot_id(out, VRF_HOST, l->parent);
			vrf_buf_puts(out, " -> ");
			dot_id(out, d->name, l->name);
			vrf_buf_printf(out, " [label=\"%s\"];\n", kind_name(l));
		}
		if (l->master[0]) {
			vrf_buf_puts(out, "\t");
			dot_id(out, d->name, l->name);
			vrf_buf_puts(out, " -> ");
			dot_id(out, d->name, l->master);
			vrf_buf_puts(out, " [style=dotted, label=\"master\"];\n");
		}
	}
	if (edges)
		return;
	for (size_t i = 0; (s = section(cfg, i)); i++) {
		for (size_t k = 0; k < s->objs.n; k++) {
			const struct vrf_link *l = as_link(s->objs.v[k]);

			if (l && l->kind == LINK_VETH && !strcmp(peer_home(l), d->name))
				dot_node(out, d->name, l->peer, "veth peer", "");
			if (!l || !d->is_host || !l->parent[0] ||
			    vrf_name_find(cfg, VRF_HOST, "dev", l->parent, NULL, NULL))
				continue;
			/* Once per lower device, at its first user. */
			bool first = true;

			for (size_t j = 0; j <= i && first; j++) {
				const struct vrf_domain *t = section(cfg, j);

				for (size_t m = 0; m < (j == i ? k : t->objs.n) && first; m++) {
					const struct vrf_link *u = as_link(t->objs.v[m]);

					first = !(u && !strcmp(u->parent, l->parent));
				}
			}
			if (first)
				dot_node(out, VRF_HOST, l->parent, "host device", ", style=dashed");
		}
	}
}

/* ---- audit ---- */

static int link_audit(struct vrf_run *run, struct vrf_ns *ns, const struct vrf_domain *d,
		      struct vrf_buf *out, bool json)
{
	const struct vrf_config *cfg = vrf_run_config(run);
	struct link_nsst *st;
	struct nl_object *obj;
	bool first = true;
	int err = ns_links(run, ns, true, &st);

	if (err < 0)
		return err;
	if (json)
		vrf_buf_puts(out, "\"link\":[");
	for (obj = nl_cache_get_first(st->cache); obj; obj = nl_cache_get_next(obj)) {
		struct rtnl_link *rl = (struct rtnl_link *)obj;
		const char *name = rtnl_link_get_name(rl), *type = rtnl_link_get_type(rl);
		const char *alias = rtnl_link_get_ifalias(rl), *owner;
		const struct vrf_link *want = declared(d, name), *decl;
		void *data = NULL;
		bool up = rtnl_link_get_flags(rl) & IFF_UP;

		if (!name)
			continue;
		if (!strcmp(name, "lo"))
			owner = "kernel";
		else if (want || (alias && !strcmp(alias, LINK_ALIAS)))
			owner = "managed";
		else if (cfg && vrf_name_find(cfg, vrf_ns_name(ns), "dev", name, &data, NULL) &&
			 (decl = as_link(data)) && decl->kind == LINK_VETH)
			owner = "peer";		/* the other end of a veth declared elsewhere */
		else
			owner = "foreign";
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

static const char *const link_keys[] = { "link", NULL };

const struct vrf_plugin vrf_link_plugin = {
	.abi = VRF_PLUGIN_ABI,
	.name = "link",
	.keys = link_keys,
	.stage = 20,
	/* Observed everywhere: a domain whose last link left the file still has
	 * links vrfmgr made (they carry the alias) that must go. */
	.flags = VRF_PLUGIN_HOST_OK | VRF_PLUGIN_ALWAYS,
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
	.ns_release = link_ns_release,
	.run_end = link_run_end,
};

VRF_PLUGIN_REGISTER(vrf_link_plugin);
