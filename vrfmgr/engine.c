/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The reconcile engine: observe -> diff -> plan -> apply, for every kind
 * through the plugin table and for no kind by name.
 *
 * Diff is one sort and one walk per kind and namespace, as wireguard-tools'
 * syncconf does it: desired and live objects sorted by identity, merged;
 * only in the file -> ADD, only live (and owned, which observe guarantees)
 * -> DEL, in both but not equal -> CHANGE.
 *
 * Apply runs stage-major across namespaces: every namespace's deletions in
 * reverse stage order, then every namespace's additions in stage order, so
 * that a host address on the peer of a veth that a domain declares finds
 * its link, and a domain's firewall (stage 10) is in place before any of its
 * links exists.  Every applied op is logged per namespace; when the kernel
 * refuses one, that namespace's log is undone in reverse and the namespace
 * drops out of the run, while the others go on.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine.h"
#include "nl.h"

/* Change text kept for hooks, at most: their environment strings may not
 * exceed 128 KiB. */
#define DONE_TEXT_MAX (64 * 1024)

/* ---- services for plugins ---- */

static int ns_cmp_name(const void *a, const void *b)
{
	return strcmp((*(struct vrf_ns *const *)a)->name, (*(struct vrf_ns *const *)b)->name);
}

struct vrf_ns *vrf_ns_find(struct vrf_run *run, const char *name)
{
	struct vrf_ns key = { .name = (char *)name }, *kp = &key, **r;

	if (!run->by_name)
		return NULL;
	r = bsearch(&kp, run->by_name, run->n_ns, sizeof(*run->by_name), ns_cmp_name);
	return r ? *r : NULL;
}

const char *vrf_ns_name(const struct vrf_ns *ns) { return ns->name; }
int vrf_ns_fd(const struct vrf_ns *ns) { return ns->fd; }
bool vrf_ns_is_new(const struct vrf_ns *ns) { return ns->is_new; }
const struct vrf_config *vrf_run_config(const struct vrf_run *run) { return run->cfg; }
int vrf_run_verbose(const struct vrf_run *run) { return run->verbose; }
void vrf_run_replan(struct vrf_run *run, struct vrf_ns *ns) { (void)run; ns->replan = true; }

/* Plugins hold only the ns; the way back is in its run. */
int vrf_ns_enter(struct vrf_ns *ns)
{
	struct vrf_run *run = ns->run;

	if (ns->fd < 0)
		return -ENOENT;
	if (run->n_entered == sizeof(run->entered) / sizeof(run->entered[0]))
		abort();	/* unbalanced enter/leave: a bug, not a condition */
	if (setns(ns->fd, CLONE_NEWNET) < 0)
		return -errno;
	run->entered[run->n_entered++] = ns;
	run->current = ns;
	return 0;
}

int vrf_ns_leave(struct vrf_ns *ns)
{
	struct vrf_run *run = ns->run;
	int back;

	if (!run->n_entered)
		abort();
	run->n_entered--;
	back = run->n_entered ? run->entered[run->n_entered - 1]->fd : run->host_fd;
	if (setns(back, CLONE_NEWNET) < 0)
		abort();	/* stuck in a domain: nothing after this is safe */
	run->current = run->n_entered ? run->entered[run->n_entered - 1] : NULL;
	return 0;
}

int vrf_ns_socket(struct vrf_ns *ns, int family, int type, int protocol)
{
	struct vrf_sock *s;
	int fd, r;

	for (size_t i = 0; i < ns->n_socks; i++) {
		s = &ns->socks[i];
		if (s->family == family && s->type == type && s->protocol == protocol)
			return s->fd;
	}
	r = vrf_ns_enter(ns);
	if (r < 0)
		return r;
	fd = socket(family, type | SOCK_CLOEXEC, protocol);
	r = fd < 0 ? -errno : 0;
	vrf_ns_leave(ns);
	if (r < 0)
		return r;
	fd = vrf_fd_high(fd);
	s = vrf_realloc(ns->socks, ns->n_socks + 1, sizeof(*s));
	ns->socks = s;
	ns->socks[ns->n_socks++] = (struct vrf_sock){ family, type, protocol, fd };
	return fd;
}

/* nl.c's wrappers go with the sockets they wrap. */
static void ns_close_socks(struct vrf_ns *ns)
{
	vrf_nl_ns_release(ns);
	for (size_t i = 0; i < ns->n_socks; i++)
		close(ns->socks[i].fd);
	ns->n_socks = 0;
}

void **vrf_ns_state(struct vrf_ns *ns, const struct vrf_plugin *p)
{
	return &ns->state[vrf_plugin_index(p)];
}

void **vrf_run_state(struct vrf_run *run, const struct vrf_plugin *p)
{
	return &run->state[vrf_plugin_index(p)];
}

/* ---- run setup ---- */

/* Every domain keeps its namespace fd and a few sockets open for the whole
 * run (reopening costs more than holding), so a router with thousands of
 * domains needs more than the usual 1024 descriptors. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

struct vrf_run *vrf_run_new(const struct vrf_config *cfg, int verbose, bool json)
{
	struct vrf_run *run = vrf_calloc(1, sizeof(*run));

	run->cfg = cfg;
	run->verbose = verbose;
	raise_fd_limit();
	run->json = json;
	run->lock_fd = -1;
	run->host_fd = vrf_fd_high(open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
	if (run->host_fd < 0) {
		fprintf(stderr, "vrfmgr: cannot open own network namespace: %s\n", strerror(errno));
		free(run);
		return NULL;
	}
	return run;
}

static void plan_clear(struct vrf_ns *ns)
{
	for (size_t i = 0; i < ns->n_ops; i++)
		free(ns->ops[i].errmsg);
	free(ns->ops);
	ns->ops = NULL;
	ns->n_ops = ns->cap_ops = ns->applied = 0;
	vrf_objv_free(&ns->live);
}

static void ns_free(struct vrf_ns *ns)
{
	size_t n;
	const struct vrf_plugin *const *ps = vrf_plugins(&n);

	plan_clear(ns);
	vrf_buf_free(&ns->done_text);
	for (size_t i = 0; i < n; i++) {
		void **st = vrf_ns_state(ns, ps[i]);

		if (*st && ps[i]->ns_release)
			ps[i]->ns_release(ns, *st);
		*st = NULL;
	}
	ns_close_socks(ns);
	free(ns->socks);
	if (ns->fd >= 0)
		close(ns->fd);
	free(ns->name);
	free(ns);
}

void vrf_run_free(struct vrf_run *run)
{
	size_t n;
	const struct vrf_plugin *const *ps;

	if (!run)
		return;
	ps = vrf_plugins(&n);
	for (size_t i = 0; i < n; i++)
		if (ps[i]->run_end)
			ps[i]->run_end(run);
	/* The evidence, for tests and operators, that a run which found
	 * everything in sync wrote nothing: nl.c counts the process's netlink
	 * write requests (routes, addresses, rules). */
	if (run->verbose > 0)
		fprintf(stderr, "vrfmgr: %lu netlink write requests sent\n", vrf_nl_writes());
	for (size_t i = 0; i < run->n_ns; i++)
		ns_free(run->ns[i]);
	free(run->ns);
	free(run->by_name);
	if (run->lock_fd >= 0)
		close(run->lock_fd);
	close(run->host_fd);
	free(run);
}

static struct vrf_ns *ns_add(struct vrf_run *run, const char *name, const struct vrf_domain *d)
{
	struct vrf_ns *ns = vrf_calloc(1, sizeof(*ns));

	ns->run = run;
	ns->name = vrf_strdup(name);
	ns->domain = d;
	ns->fd = -1;
	run->ns = vrf_realloc(run->ns, run->n_ns + 1, sizeof(*run->ns));
	run->ns[run->n_ns++] = ns;
	return ns;
}

/* Is the namespace mounted for ns the one its record names?  A record
 * without a mounted namespace is ours too (stale: a crash, or deleted
 * behind our back), so destroy and prune may clear it. */
static void check_owner(struct vrf_run *run, struct vrf_ns *ns)
{
	const struct vrf_config *cfg = run->cfg;
	struct vrf_netns_id rec, live = { 0 };
	int sock;

	ns->owned = ns->foreign = false;
	if (vrf_netns_record_read(cfg, ns->name, &rec) < 0) {
		ns->foreign = ns->fd >= 0;
		return;
	}
	if (ns->fd < 0) {
		ns->owned = true;
		return;
	}
	/* The inode first (no syscall into the namespace); the cookie tells
	 * a reused inode number apart. */
	sock = vrf_ns_socket(ns, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (vrf_netns_identify(ns->fd, -1, &live) == 0 && rec.ino == live.ino && sock >= 0)
		vrf_netns_identify(ns->fd, sock, &live);
	if (vrf_netns_id_match(&rec, &live)) {
		ns->owned = true;
		return;
	}
	ns->foreign = true;
	fprintf(stderr, "%s: %s/%s is not the namespace vrfmgr created under that name (its "
		"record in %s names another); treating it as foreign\n", ns->name,
		cfg->netns_dir, ns->name, cfg->state_dir);
}

/* apply --adopt: a foreign namespace with a domain's name becomes ours. */
static int adopt_ns(struct vrf_run *run, struct vrf_ns *ns)
{
	struct vrf_netns_id id;
	int sock, r;

	ns->adopt = true;
	if (run->dry_run)
		return 0;
	sock = vrf_ns_socket(ns, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	r = sock < 0 ? sock : vrf_netns_identify(ns->fd, sock, &id);
	if (r == 0)
		r = vrf_netns_record_write(run->cfg, ns->name, &id);
	if (r < 0) {
		fprintf(stderr, "%s: cannot record %s/%s as adopted: %s\n", ns->name,
			run->cfg->netns_dir, ns->name, strerror(-r));
		return r;
	}
	ns->owned = true;
	ns->foreign = false;
	ns->changes++;
	if (!run->json && run->verbose >= 0) {
		printf("%s  ~ namespace %s/%s adopted\n", ns->name, run->cfg->netns_dir, ns->name);
		fflush(stdout);
	}
	return 0;
}

static int attach_domain_ns(struct vrf_run *run, struct vrf_ns *ns)
{
	const struct vrf_config *cfg = run->cfg;
	int r;

	r = vrf_netns_open(cfg, ns->name, &ns->fd);
	if (r != 0 && r != -ENOENT && r != -ESTALE) {
		fprintf(stderr, "%s: cannot open %s/%s: %s\n", ns->name, cfg->netns_dir, ns->name,
			strerror(-r));
		return r;
	}
	check_owner(run, ns);
	if (r == 0)
		return ns->foreign && run->adopt && ns->domain ? adopt_ns(run, ns) : 0;
	if (r == -ESTALE && run->verbose)
		fprintf(stderr, "%s: stale entry in %s (no namespace mounted)%s\n",
			ns->name, cfg->netns_dir, run->dry_run ? "" : "; repairing it");
	if (run->dry_run || !ns->domain)
		return 0;
	/* Missing (perhaps deleted behind our back) or stale: create it, and
	 * it is ours from now on. */
	r = vrf_netns_create(cfg, run->host_fd, ns->name, &ns->fd);
	if (r < 0) {
		fprintf(stderr, "%s: cannot create namespace in %s: %s\n", ns->name,
			cfg->netns_dir, strerror(-r));
		return r;
	}
	ns->is_new = ns->owned = true;
	ns->changes++;
	if (!run->json && run->verbose >= 0) {
		printf("%s  + namespace %s/%s\n", ns->name, cfg->netns_dir, ns->name);
		/* Before anything on stderr about this domain (a rollback). */
		fflush(stdout);
	}
	return 0;
}

static bool name_wanted(char **names, size_t n, const char *name)
{
	if (!n)
		return true;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

int vrf_run_attach(struct vrf_run *run, char **names, size_t n_names)
{
	const struct vrf_config *cfg = run->cfg;
	char **owned = NULL;
	size_t n_owned = 0;
	int r = 0;

	/* Records that others could have planted must not decide what is
	 * deleted: a state_dir they may write is refused whole. */
	r = vrf_state_dir(cfg, !run->dry_run);
	if (r == -EPERM) {
		run->errors++;
		return r;
	}
	r = 0;
	for (size_t i = 0; i < n_names; i++) {
		if (!vrf_config_domain(cfg, names[i]) && !vrf_netns_has_record(cfg, names[i])) {
			fprintf(stderr, "vrfmgr: no domain \"%s\" in %s\n", names[i], cfg->path);
			return -ENOENT;
		}
	}
	/* A caller that had to decide something under the lock (apply
	 * --confirm) hands its lock in. */
	if (!run->dry_run && run->lock_fd < 0) {
		run->lock_fd = vrf_state_lock(cfg);
		if (run->lock_fd < 0) {
			fprintf(stderr, "vrfmgr: cannot lock %s: %s\n", cfg->state_dir,
				strerror(-run->lock_fd));
			return run->lock_fd;
		}
	}
	/* The host is reconciled only when the file has a [host] section:
	 * without one, vrfmgr has no business deleting anything there.  It is
	 * still attached (without a domain) so plugins can reach it. */
	{
		struct vrf_ns *h = ns_add(run, VRF_HOST,
					  cfg->host && name_wanted(names, n_names, VRF_HOST) ?
					  cfg->host : NULL);

		h->fd = vrf_fd_high(dup(run->host_fd));
		h->owned = false;
	}
	for (size_t i = 0; i < cfg->n_domains; i++) {
		const struct vrf_domain *d = cfg->domains[i];

		/* Peers of veths may live in domains not named on the command
		 * line, so every domain is attached; only the named ones get a
		 * plan. */
		ns_add(run, d->name, name_wanted(names, n_names, d->name) ? d : NULL)->in_file = true;
	}
	if (vrf_netns_list_owned(cfg, &owned, &n_owned) == 0) {
		for (size_t i = 0; i < n_owned; i++) {
			if (!vrf_config_domain(cfg, owned[i]) &&
			    name_wanted(names, n_names, owned[i]))
				ns_add(run, owned[i], NULL)->owned = true;
			free(owned[i]);
		}
		free(owned);
	}
	run->by_name = vrf_realloc(NULL, run->n_ns, sizeof(*run->by_name));
	memcpy(run->by_name, run->ns, run->n_ns * sizeof(*run->by_name));
	qsort(run->by_name, run->n_ns, sizeof(*run->by_name), ns_cmp_name);

	/* All namespaces exist before any object is planned: a veth's peer
	 * may go into a domain that comes later in the file. */
	for (size_t i = 1; i < run->n_ns; i++) {
		struct vrf_ns *ns = run->ns[i];

		if (!vrf_config_domain(cfg, ns->name)) {
			/* An owned orphan: open it if it is there, never create. */
			if (vrf_netns_open(cfg, ns->name, &ns->fd) < 0)
				ns->fd = -1;
			check_owner(run, ns);
			continue;
		}
		if (attach_domain_ns(run, ns) < 0) {
			ns->failed = true;
			run->errors++;
			r = -EIO;
		}
	}
	return r;
}

/* ---- diff ---- */

static void op_push(struct vrf_ns *ns, enum vrf_op_kind kind, struct vrf_obj *want,
		    struct vrf_obj *have)
{
	if (ns->n_ops == ns->cap_ops) {
		ns->cap_ops = ns->cap_ops ? ns->cap_ops * 2 : 16;
		ns->ops = vrf_realloc(ns->ops, ns->cap_ops, sizeof(*ns->ops));
	}
	ns->ops[ns->n_ops++] = (struct vrf_op){ .kind = kind, .want = want, .have = have };
}

/* A kind's ops in the order apply() gets them and the plan lists them:
 * deletions first, so a batch never adds what it then removes, then
 * changes, then additions, each group in identity order.  Doing it here
 * once spares every plugin its own passes over the ops. */
static void order_segment(struct vrf_op *ops, size_t n)
{
	static const enum vrf_op_kind order[] = { VRF_OP_DEL, VRF_OP_CHANGE, VRF_OP_ADD };
	size_t w = 0;
	struct vrf_op *tmp;

	if (n < 2)
		return;
	tmp = vrf_realloc(NULL, n, sizeof(*tmp));
	for (size_t k = 0; k < 3; k++)
		for (size_t i = 0; i < n; i++)
			if (ops[i].kind == order[k])
				tmp[w++] = ops[i];
	memcpy(ops, tmp, n * sizeof(*ops));
	free(tmp);
}

/* The desired objects come sorted from the config (vrf_domain_sorted());
 * only the live ones are sorted here. */
static int diff_kind(struct vrf_run *run, struct vrf_ns *ns, const struct vrf_plugin *p)
{
	const struct vrf_domain *d = ns->domain;
	struct vrf_obj *const *want = NULL;
	size_t n_want = 0, live_start = ns->live.n, seg = ns->n_ops, i = 0, j = 0;
	int r = 0;

	if (d)
		want = vrf_domain_sorted(d, p, &n_want);
	if (ns->fd >= 0) {
		r = p->observe(run, ns, d, &ns->live);
		if (r < 0) {
			fprintf(stderr, "%s: cannot observe %s: %s\n", ns->name, p->name,
				strerror(-r));
			return r;
		}
	}
	vrf_objs_sort(ns->live.v + live_start, ns->live.n - live_start);
	while (i < n_want || live_start + j < ns->live.n) {
		struct vrf_obj *have = live_start + j < ns->live.n ? ns->live.v[live_start + j] : NULL;
		int c = i == n_want ? 1 : !have ? -1 : p->compare(want[i], have);

		if (c < 0) {
			op_push(ns, VRF_OP_ADD, want[i], NULL);
			i++;
		} else if (c > 0) {
			op_push(ns, VRF_OP_DEL, NULL, have);
			j++;
		} else {
			if (!p->equal(want[i], have))
				op_push(ns, VRF_OP_CHANGE, want[i], have);
			i++;
			j++;
		}
		/* A desired duplicate (refused by parse, but be safe) must not
		 * become an ADD of something that already exists. */
		while (i > 0 && i < n_want && p->compare(want[i - 1], want[i]) == 0)
			i++;
	}
	order_segment(ns->ops + seg, ns->n_ops - seg);
	return 0;
}

static int plan_ns(struct vrf_run *run, struct vrf_ns *ns)
{
	size_t n;
	const struct vrf_plugin *const *ps = vrf_plugins(&n);
	int r = 0;

	plan_clear(ns);
	ns->replan = false;
	/* An orphan is removed whole (apply --prune), not object by object;
	 * the host without a [host] section is not reconciled at all. */
	if (!ns->domain || ns->failed)
		return 0;
	if (ns->foreign && !ns->adopt && !ns->domain->is_host) {
		/* Somebody else's namespace under a domain's name: changing it
		 * would make vrfmgr manage, and later delete, what it did not
		 * make. */
		fprintf(stderr, "%s: %s/%s exists but was not created by vrfmgr; the domain is "
			"not applied (apply --adopt takes the namespace over)\n", ns->name,
			run->cfg->netns_dir, ns->name);
		ns->failed = true;
		run->errors++;
		return -EEXIST;
	}
	for (size_t k = 0; k < n && r == 0; k++)
		if (ps[k]->observe)
			r = diff_kind(run, ns, ps[k]);
	if (r < 0) {
		/* A partial view must never turn into deletions. */
		plan_clear(ns);
		ns->failed = true;
		run->errors++;
		if (ns->is_new && !run->dry_run) {
			vrf_run_destroy(run, ns->name);
			fprintf(stderr, "%s: not applied; the namespace this run created was "
				"removed\n", ns->name);
		}
	}
	return r;
}

int vrf_run_plan(struct vrf_run *run)
{
	int r = 0;

	for (size_t i = 0; i < run->n_ns; i++)
		if (plan_ns(run, run->ns[i]) < 0)
			r = -EIO;
	return r;
}

/* An orphan: owned, and no section in the file.  (A domain of the file that
 * was not named on the command line has no plan, but is no orphan.) */
static bool ns_orphan(const struct vrf_ns *ns)
{
	return !ns->in_file && ns->owned && strcmp(ns->name, VRF_HOST);
}

static bool ns_will_vanish(const struct vrf_run *run, const struct vrf_ns *ns)
{
	return run->prune && ns_orphan(ns);
}

size_t vrf_run_count_changes(const struct vrf_run *run)
{
	size_t c = 0;

	for (size_t i = 0; i < run->n_ns; i++) {
		const struct vrf_ns *ns = run->ns[i];

		c += ns->n_ops;
		if (ns->domain && ns->fd < 0 && !ns->domain->is_host)
			c++;	/* the namespace itself */
		if (ns->adopt && run->dry_run)
			c++;
		if (ns_will_vanish(run, ns))
			c++;
	}
	return c;
}

/* ---- output ---- */

static const char op_sign[] = { [VRF_OP_ADD] = '+', [VRF_OP_DEL] = '-', [VRF_OP_CHANGE] = '~' };
static const char *const op_word[] = {
	[VRF_OP_ADD] = "add", [VRF_OP_DEL] = "delete", [VRF_OP_CHANGE] = "change",
};

void vrf_op_format(const struct vrf_op *op, struct vrf_buf *out)
{
	const struct vrf_obj *o = op->want ? op->want : op->have;
	const struct vrf_plugin *p = o->plugin;

	vrf_buf_printf(out, "%c %s ", op_sign[op->kind], p->name);
	if (op->kind == VRF_OP_CHANGE && p->format_change)
		p->format_change(op->want, op->have, out);
	else
		p->format(o, out);
}

const char *vrf_op_disruptive(const struct vrf_op *op)
{
	const struct vrf_obj *o = op->want ? op->want : op->have;

	return o->plugin->disruptive ? o->plugin->disruptive(op) : NULL;
}

/* One op of the plan.  The mark of a disruptive op ends its first line: a
 * change may go on with lines of detail (the rules of a firewall). */
static void plan_line(struct vrf_buf *b, const struct vrf_ns *ns, const struct vrf_op *op)
{
	const char *why = vrf_op_disruptive(op);
	size_t start;
	char *nl;

	vrf_buf_printf(b, "%s  ", ns->name);
	start = b->len;
	vrf_op_format(op, b);
	if (why) {
		struct vrf_buf rest = { 0 };

		nl = memchr(b->s + start, '\n', b->len - start);
		if (nl) {
			vrf_buf_puts(&rest, nl);
			b->len = (size_t)(nl - b->s);
			b->s[b->len] = '\0';
		}
		vrf_buf_printf(b, "  ! %s%s", why, vrf_buf_str(&rest));
		vrf_buf_free(&rest);
	}
	vrf_buf_puts(b, "\n");
}

/* A namespace is the engine's own object: deleting it is always a cut. */
#define NS_GONE "domain destroyed"

size_t vrf_run_list_disruptive(struct vrf_run *run, FILE *f)
{
	struct vrf_buf b = { 0 };
	size_t c = 0;

	for (size_t i = 0; i < run->n_ns; i++) {
		const struct vrf_ns *ns = run->ns[i];

		if (ns_will_vanish(run, ns)) {
			if (f)
				fprintf(f, "%s  - namespace %s/%s  ! %s\n", ns->name, run->cfg->netns_dir,
					ns->name, NS_GONE);
			c++;
		}
		for (size_t k = 0; k < ns->n_ops; k++) {
			const char *why = vrf_op_disruptive(&ns->ops[k]);

			if (!why)
				continue;
			c++;
			if (!f)
				continue;
			vrf_buf_reset(&b);
			plan_line(&b, ns, &ns->ops[k]);
			fputs(vrf_buf_str(&b), f);
		}
	}
	vrf_buf_free(&b);
	return c;
}

static void json_op(struct vrf_buf *b, const struct vrf_ns *ns, const struct vrf_op *op)
{
	const char *why = vrf_op_disruptive(op);
	const struct vrf_obj *o = op->want ? op->want : op->have;
	struct vrf_buf t = { 0 };

	vrf_buf_puts(b, "{\"domain\":");
	vrf_buf_json_str(b, ns->name);
	vrf_buf_printf(b, ",\"op\":\"%s\",\"kind\":", op_word[op->kind]);
	vrf_buf_json_str(b, o->plugin->name);
	vrf_buf_puts(b, ",\"object\":");
	if (op->kind == VRF_OP_CHANGE && o->plugin->format_change)
		o->plugin->format_change(op->want, op->have, &t);
	else
		o->plugin->format(o, &t);
	vrf_buf_json_str(b, vrf_buf_str(&t));
	if (op->want && op->want->loc.file) {
		vrf_buf_puts(b, ",\"file\":");
		vrf_buf_json_str(b, op->want->loc.file);
		vrf_buf_printf(b, ",\"line\":%u", op->want->loc.line);
	}
	if (why) {
		vrf_buf_puts(b, ",\"disruptive\":true,\"reason\":");
		vrf_buf_json_str(b, why);
	}
	if (op->err) {
		vrf_buf_puts(b, ",\"error\":");
		vrf_buf_json_str(b, op->errmsg ? op->errmsg : strerror(-op->err));
	}
	vrf_buf_puts(b, "}");
	vrf_buf_free(&t);
}

void vrf_run_print_plan(struct vrf_run *run, bool applied)
{
	struct vrf_buf b = { 0 };
	bool first = true;

	if (run->json)
		vrf_buf_puts(&b, "{\"changes\":[");
	for (size_t i = 0; i < run->n_ns; i++) {
		struct vrf_ns *ns = run->ns[i];
		bool missing = ns->domain && ns->fd < 0 && !ns->domain->is_host;
		bool vanish = ns_will_vanish(run, ns);

		if (run->json) {
			if (missing || vanish || ns->adopt) {
				vrf_buf_printf(&b, "%s{\"domain\":", first ? "" : ",");
				vrf_buf_json_str(&b, ns->name);
				vrf_buf_printf(&b, ",\"op\":\"%s\",\"kind\":\"namespace\",\"object\":",
					       missing ? "add" : vanish ? "delete" : "adopt");
				vrf_buf_json_str(&b, ns->name);
				if (vanish)
					vrf_buf_puts(&b, ",\"disruptive\":true,\"reason\":\"" NS_GONE "\"");
				vrf_buf_puts(&b, "}");
				first = false;
			}
			for (size_t k = 0; k < ns->n_ops; k++) {
				if (applied && k >= ns->applied)
					break;
				if (!first)
					vrf_buf_puts(&b, ",");
				json_op(&b, ns, &ns->ops[k]);
				first = false;
			}
			continue;
		}
		if (missing)
			vrf_buf_printf(&b, "%s  + namespace %s/%s\n", ns->name, run->cfg->netns_dir,
				       ns->name);
		if (ns->adopt && run->dry_run)
			vrf_buf_printf(&b, "%s  ~ namespace %s/%s adopted\n", ns->name,
				       run->cfg->netns_dir, ns->name);
		if (vanish)
			vrf_buf_printf(&b, "%s  - namespace %s/%s (not in the file)  ! %s\n",
				       ns->name, run->cfg->netns_dir, ns->name, NS_GONE);
		else if (ns_orphan(ns) && !applied)
			fprintf(stderr, "%s: owned by vrfmgr but not in the file; "
				"apply --prune removes it\n", ns->name);
		for (size_t k = 0; k < ns->n_ops; k++)
			plan_line(&b, ns, &ns->ops[k]);
	}
	if (run->json)
		vrf_buf_printf(&b, "],\"count\":%zu}\n", vrf_run_count_changes(run));
	fputs(vrf_buf_str(&b), stdout);
	fflush(stdout);
	vrf_buf_free(&b);
}

/* ---- apply ---- */

static void report_failure(struct vrf_run *run, struct vrf_ns *ns, struct vrf_op *op)
{
	struct vrf_buf b = { 0 };
	const struct vrf_obj *o = op->want ? op->want : op->have;

	vrf_op_format(op, &b);
	fprintf(stderr, "%s  ! %s: %s", ns->name, vrf_buf_str(&b),
		op->errmsg ? op->errmsg : strerror(-op->err));
	if (o->loc.file)
		fprintf(stderr, " (%s:%u)", o->loc.file, o->loc.line);
	fputc('\n', stderr);
	vrf_buf_free(&b);
}

/* Apply ops[from, to) of ns, all of one plugin and one direction.  Failures
 * are left in op->err for the caller to retry or report. */
static int apply_range(struct vrf_run *run, struct vrf_ns *ns, size_t from, size_t to)
{
	const struct vrf_plugin *p;
	struct vrf_op *ops = ns->ops + from;
	size_t n = to - from;
	int r;

	if (!n || ns->failed)
		return 0;
	p = (ops[0].want ? ops[0].want : ops[0].have)->plugin;
	r = p->apply(run, ns, ns->domain, ops, n);
	for (size_t i = 0; i < n; i++)
		if (ops[i].err)
			r = r ? r : ops[i].err;
	return r;
}

/* Second chance for the ops of ns[from, to) that failed: an object may need
 * one that a later namespace of the same stage creates (a macvlan on the
 * host end of a veth that a later domain declares).  Only the failed ops go
 * again, gathered into one batch. */
static int retry_failed(struct vrf_run *run, struct vrf_ns *ns, size_t from, size_t to)
{
	const struct vrf_plugin *p = (ns->ops[from].want ? ns->ops[from].want :
				      ns->ops[from].have)->plugin;
	struct vrf_op *again = vrf_calloc(to - from, sizeof(*again));
	size_t *where = vrf_calloc(to - from, sizeof(*where)), n = 0;
	int r = 0;

	for (size_t k = from; k < to; k++) {
		if (!ns->ops[k].err)
			continue;
		free(ns->ops[k].errmsg);
		again[n] = ns->ops[k];
		again[n].err = 0;
		again[n].errmsg = NULL;
		where[n++] = k;
	}
	if (n)
		p->apply(run, ns, ns->domain, again, n);
	for (size_t i = 0; i < n; i++) {
		ns->ops[where[i]] = again[i];
		if (again[i].err)
			r = r ? r : again[i].err;
	}
	free(again);
	free(where);
	return r;
}

/* Undo what went through in ns, newest first, one op at a time: the plan's
 * inverse, which the plugins apply like any other op. */
static void rollback(struct vrf_run *run, struct vrf_ns *ns, struct vrf_op **done, size_t n_done)
{
	unsigned bad = 0, undone = 0;

	ns->failed = true;
	if (ns->is_new) {
		/* A namespace this run created goes away whole: that is the
		 * state observed before the run.  Destroy, not just unmount, so
		 * plugins hand back NICs and wait for veth peers to vanish. */
		vrf_run_destroy(run, ns->name);
		fprintf(stderr, "%s: apply failed; the namespace this run created was removed\n",
			ns->name);
		return;
	}
	for (size_t k = n_done; k-- > 0;) {
		struct vrf_op *op = done[k], inv = { 0 };
		const struct vrf_plugin *p = (op->want ? op->want : op->have)->plugin;

		if (op->err)
			continue;
		switch (op->kind) {
		case VRF_OP_ADD: inv = (struct vrf_op){ .kind = VRF_OP_DEL, .have = op->want }; break;
		case VRF_OP_DEL: inv = (struct vrf_op){ .kind = VRF_OP_ADD, .want = op->have }; break;
		case VRF_OP_CHANGE:
			inv = (struct vrf_op){ .kind = VRF_OP_CHANGE, .want = op->have, .have = op->want };
			break;
		}
		if (p->apply(run, ns, ns->domain, &inv, 1) < 0 || inv.err) {
			struct vrf_buf b = { 0 };

			vrf_op_format(&inv, &b);
			fprintf(stderr, "%s: rollback step failed: %s: %s\n", ns->name,
				vrf_buf_str(&b), inv.errmsg ? inv.errmsg : strerror(-inv.err));
			vrf_buf_free(&b);
			bad++;
		}
		else
			undone++;
		free(inv.errmsg);
	}
	if (bad)
		fprintf(stderr, "%s: apply failed; %u change%s could not be undone, the domain "
			"is left partly applied (run plan to see what differs)\n", ns->name, bad,
			bad == 1 ? "" : "s");
	else
		fprintf(stderr, "%s: apply failed; %u applied change%s undone, the domain is as "
			"it was before the run\n", ns->name, undone, undone == 1 ? "" : "s");
}

/* Pre-apply hooks see the plan; post-apply hooks see what was applied over
 * the whole run (all passes), which the engine keeps in ns->done_text. */
static int send_event(struct vrf_run *run, struct vrf_ns *ns, enum vrf_event ev)
{
	size_t n;
	const struct vrf_plugin *const *ps = vrf_plugins(&n);
	struct vrf_buf changes = { 0 };
	int r = 0;

	if (ev == VRF_EV_POST_APPLY) {
		vrf_buf_puts(&changes, vrf_buf_str(&ns->done_text));
		if (ns->done_more)
			vrf_buf_printf(&changes, "... and %zu more\n", ns->done_more);
	} else {
		/* Bounded like done_text: a 100,000-route plan formatted for
		 * an environment variable nobody may read was 44% of apply. */
		for (size_t k = 0; k < ns->n_ops; k++) {
			if (changes.len >= DONE_TEXT_MAX) {
				vrf_buf_printf(&changes, "... and %zu more\n", ns->n_ops - k);
				break;
			}
			vrf_op_format(&ns->ops[k], &changes);
			vrf_buf_puts(&changes, "\n");
		}
	}
	for (size_t i = 0; i < n && r == 0; i++)
		if (ps[i]->event)
			r = ps[i]->event(run, ns, ns->domain, ev, vrf_buf_str(&changes));
	vrf_buf_free(&changes);
	return r;
}

/* Segments of ns->ops: [start, end) per plugin, split into dels and the rest. */
struct seg {
	size_t del_from, del_to, add_from, add_to;
};

static void find_segment(const struct vrf_ns *ns, const struct vrf_plugin *p, struct seg *s)
{
	size_t k = 0;

	while (k < ns->n_ops && (ns->ops[k].want ? ns->ops[k].want : ns->ops[k].have)->plugin != p)
		k++;
	s->del_from = k;
	while (k < ns->n_ops && ns->ops[k].kind == VRF_OP_DEL && ns->ops[k].have->plugin == p)
		k++;
	s->del_to = s->add_from = k;
	while (k < ns->n_ops && (ns->ops[k].want ? ns->ops[k].want : ns->ops[k].have)->plugin == p)
		k++;
	s->add_to = k;
}

static void range_done(struct vrf_ns *ns, struct vrf_op **done, size_t *n_done, size_t from,
		       size_t to)
{
	for (size_t k = from; k < to; k++)
		done[(*n_done)++] = &ns->ops[k];
	ns->applied += to - from;
	ns->changes += (unsigned)(to - from);
}

static int apply_pass(struct vrf_run *run, bool only_again)
{
	size_t n_plugins;
	const struct vrf_plugin *const *ps = vrf_plugins(&n_plugins);
	struct vrf_op ***done = vrf_calloc(run->n_ns, sizeof(*done));
	size_t *n_done = vrf_calloc(run->n_ns, sizeof(*n_done));
	int r = 0;

	for (size_t i = 0; i < run->n_ns; i++) {
		struct vrf_ns *ns = run->ns[i];

		if (!ns->n_ops || ns->failed || (only_again && !ns->again))
			continue;
		done[i] = vrf_calloc(ns->n_ops, sizeof(**done));
		if (send_event(run, ns, VRF_EV_PRE_APPLY) != 0) {
			fprintf(stderr, "%s: pre-apply hook failed; nothing applied to this domain\n",
				ns->name);
			/* As for any failed new domain: the state before the
			 * run had no namespace. */
			if (ns->is_new) {
				vrf_run_destroy(run, ns->name);
				fprintf(stderr, "%s: the namespace this run created was removed\n",
					ns->name);
			}
			ns->failed = true;
			run->errors++;
			r = -ECANCELED;
		}
	}
	/* Deletions, last stage first; then creations and changes, first
	 * stage first. */
	for (int dir = 0; dir < 2; dir++) {
		for (size_t pi = 0; pi < n_plugins; pi++) {
			const struct vrf_plugin *p = ps[dir == 0 ? n_plugins - 1 - pi : pi];
			bool *retry = vrf_calloc(run->n_ns, sizeof(*retry));

			if (!p->apply) {
				free(retry);
				continue;
			}
			for (size_t i = 0; i < run->n_ns; i++) {
				struct vrf_ns *ns = run->ns[i];
				struct seg s;

				if (!ns->n_ops || ns->failed || !done[i])
					continue;
				find_segment(ns, p, &s);
				if (dir == 0)
					s.add_from = s.del_from, s.add_to = s.del_to;
				if (s.add_from == s.add_to)
					continue;
				retry[i] = apply_range(run, ns, s.add_from, s.add_to) < 0;
				if (!retry[i])
					range_done(ns, done[i], &n_done[i], s.add_from, s.add_to);
			}
			for (size_t i = 0; i < run->n_ns; i++) {
				struct vrf_ns *ns = run->ns[i];
				struct seg s;

				if (!retry[i])
					continue;
				find_segment(ns, p, &s);
				if (dir == 0)
					s.add_from = s.del_from, s.add_to = s.del_to;
				range_done(ns, done[i], &n_done[i], s.add_from, s.add_to);
				if (retry_failed(run, ns, s.add_from, s.add_to) == 0)
					continue;
				for (size_t k = s.add_from; k < s.add_to; k++)
					if (ns->ops[k].err)
						report_failure(run, ns, &ns->ops[k]);
				rollback(run, ns, done[i], n_done[i]);
				run->errors++;
				r = -EIO;
			}
			free(retry);
		}
	}
	for (size_t i = 0; i < run->n_ns; i++)
		free(done[i]);
	free(done);
	free(n_done);
	return r;
}

static void print_applied(struct vrf_run *run, bool only_again)
{
	for (size_t i = 0; i < run->n_ns; i++) {
		struct vrf_ns *ns = run->ns[i];
		struct vrf_buf b = { 0 };
		bool print = !run->json && run->verbose >= 0;

		if (ns->failed || (only_again && !ns->again))
			continue;
		for (size_t k = 0; k < ns->n_ops; k++) {
			size_t mark;

			/* Hooks get the changes in their environment, where one
			 * string may not exceed 128 KiB; past DONE_TEXT_MAX a
			 * count stands for the rest, and nothing is formatted
			 * that nobody will read. */
			if (!print && ns->done_text.len >= DONE_TEXT_MAX) {
				ns->done_more += ns->n_ops - k;
				break;
			}
			vrf_buf_reset(&b);
			vrf_buf_printf(&b, "%s  ", ns->name);
			mark = b.len;
			vrf_op_format(&ns->ops[k], &b);
			vrf_buf_puts(&b, "\n");
			if (print)
				fputs(b.s, stdout);
			if (ns->done_text.len < DONE_TEXT_MAX)
				vrf_buf_puts(&ns->done_text, b.s + mark);
			else
				ns->done_more++;
		}
		vrf_buf_free(&b);
	}
	fflush(stdout);
}

int vrf_run_apply(struct vrf_run *run)
{
	int r = 0, r2;

	/* Orphans go first, whole: deleting the namespace removes its links,
	 * routes and firewall in one step, and frees peer names for reuse. */
	for (size_t i = 0; i < run->n_ns; i++) {
		struct vrf_ns *ns = run->ns[i];

		if (!ns_will_vanish(run, ns))
			continue;
		if (vrf_run_destroy(run, ns->name) < 0) {
			run->errors++;
			r = -EIO;
		} else if (!run->json && run->verbose >= 0) {
			printf("%s  - namespace %s/%s (not in the file)\n", ns->name,
			       run->cfg->netns_dir, ns->name);
		}
	}
	r2 = apply_pass(run, false);
	print_applied(run, false);
	r = r ? r : r2;
	/* A plugin whose change wiped objects of a later stage (a recreated
	 * link loses its addresses) asked for another look. */
	for (int round = 0; round < 2; round++) {
		bool again = false;

		for (size_t i = 0; i < run->n_ns; i++) {
			struct vrf_ns *ns = run->ns[i];

			ns->again = ns->replan && !ns->failed;
			if (ns->again) {
				plan_ns(run, ns);
				again = true;
			}
		}
		if (!again)
			break;
		r2 = apply_pass(run, true);
		print_applied(run, true);
		r = r ? r : r2;
	}
	for (size_t i = 0; i < run->n_ns; i++) {
		struct vrf_ns *ns = run->ns[i];

		if (ns->changes && !ns->failed && ns->domain &&
		    send_event(run, ns, VRF_EV_POST_APPLY) != 0) {
			fprintf(stderr, "%s: post-apply hook failed (the changes stay applied)\n",
				ns->name);
			run->errors++;
			r = r ? r : -ECANCELED;
		}
	}
	return r;
}

int vrf_run_destroy(struct vrf_run *run, const char *name)
{
	const struct vrf_config *cfg = run->cfg;
	struct vrf_ns *ns = vrf_ns_find(run, name);
	size_t n;
	const struct vrf_plugin *const *ps = vrf_plugins(&n);
	int r;

	if (!ns || !ns->owned) {
		fprintf(stderr, "%s: not created by vrfmgr; leaving it alone\n", name);
		return -EPERM;
	}
	/* Closed first: the kernel tears a namespace down firewall before
	 * interfaces, and a forwarding domain would pass traffic unfiltered
	 * in between.  Physical NICs then go home as before (a device that
	 * changes namespace arrives down either way). */
	r = vrf_netns_close(ns);
	if (r < 0)
		fprintf(stderr, "%s: could not close the namespace (forwarding off, links down) "
			"before removing it: %s\n", name, strerror(-r));
	if (ns->fd >= 0) {
		for (size_t i = 0; i < n; i++)
			if (ps[i]->event && ps[i]->event(run, ns, ns->domain, VRF_EV_PRE_DESTROY, "") < 0)
				fprintf(stderr, "%s: %s could not prepare the namespace for removal\n",
					name, ps[i]->name);
	}
	/* Close our handles so that the kernel can tear it down; before the
	 * deletion, which needs descriptors of its own to clear the state
	 * (a run that hit its descriptor limit left stale records). */
	ns_close_socks(ns);
	for (size_t i = 0; i < n; i++) {
		void **st = vrf_ns_state(ns, ps[i]);

		if (*st && ps[i]->ns_release)
			ps[i]->ns_release(ns, *st);
		*st = NULL;
	}
	if (ns->fd >= 0)
		close(ns->fd);
	ns->fd = -1;
	r = vrf_netns_delete(cfg, name);
	if (r < 0) {
		fprintf(stderr, "%s: cannot remove %s/%s: %s\n", name, cfg->netns_dir, name,
			strerror(-r));
		return r;
	}
	{
		/* The section is gone from the file, or about to be: plugins get
		 * a stand-in that carries only the name. */
		struct vrf_domain standin = { .name = (char *)name };
		const struct vrf_domain *d = ns && ns->domain ? ns->domain : &standin;

		for (size_t i = 0; i < n; i++)
			if (ps[i]->event)
				ps[i]->event(run, NULL, d, VRF_EV_POST_DESTROY, name);
	}
	return 0;
}
