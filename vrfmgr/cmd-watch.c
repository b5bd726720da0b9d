/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * watch: reconcile, then sleep until something changes and reconcile again.
 * "Something" is a link, address, route, rule or nftables event in any
 * domain (a netlink multicast socket per bus opened inside each), the
 * interval passing, or SIGHUP, which also reloads the file.  Events are
 * debounced: a burst of netlink messages becomes one pass.
 *
 * A pass opens its monitors after attaching the namespaces and before
 * observing them, and closes the previous pass's only then, so no change
 * falls between two observations.  Its own changes echo back on those
 * monitors; they are told from anyone else's by content, not by time: a
 * notification's nlmsg_pid is the port id of the socket that asked for the
 * change, and a message from none of vrfmgr's sockets (port id 0 included:
 * the kernel's own follow-ups) calls for another pass.
 *
 * A pass reconciles to what apply would choose (vrf_in_force()): the file,
 * unless a change made with apply --confirm was rolled back; then the
 * restore point's copy holds until an apply, confirm or rollback makes a
 * newer history entry, or watch would undo the undo.
 */
#include <errno.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "commands.h"
#include "history.h"
#include "metrics.h"
#include "nl.h"

/* Monitors per namespace: rtnetlink and nftables. */
#define MON_PER_NS	2
#define DEBOUNCE_MS	200

struct watch {
	const struct options *o;
	struct vrf_config *cfg;
	struct pollfd *fds;	/* monitors, then the signalfd last */
	size_t n_mon;
	int sfd;
	const char *metrics;	/* --metrics FILE, or NULL */
	struct vrf_config *held;	/* the restore point in force, or NULL */
	unsigned held_id;		/* the rolled-back change held is loaded for */
	unsigned said_id;		/* the one the log has told of */
};

static int open_monitor(struct vrf_ns *ns, int bus, unsigned groups)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = groups };
	int fd, r;

	r = vrf_ns_enter(ns);
	if (r < 0)
		return r;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, bus);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		fd = -1;
	}
	r = fd < 0 ? -errno : vrf_fd_high(fd);
	vrf_ns_leave(ns);
	return r;
}

static void close_monitors(struct watch *w)
{
	for (size_t i = 0; i < w->n_mon; i++)
		if (w->fds[i].fd >= 0)
			close(w->fds[i].fd);
	free(w->fds);
	w->fds = NULL;
	w->n_mon = 0;
}

/* The monitors of every attached domain, replacing the previous set only
 * once the new one listens. */
static void open_monitors(struct watch *w, struct vrf_run *run)
{
	size_t n = run->n_ns * MON_PER_NS;
	struct pollfd *fds = vrf_calloc(n + 1, sizeof(*fds));

	for (size_t i = 0; i < run->n_ns; i++) {
		struct vrf_ns *ns = run->ns[i];
		bool on = ns->fd >= 0 && ns->domain;

		fds[i * MON_PER_NS].fd = on ? open_monitor(ns, NETLINK_ROUTE,
			RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR |
			RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE | RTMGRP_IPV4_RULE) : -1;
		/* A kernel without nf_tables has nothing to report there. */
		fds[i * MON_PER_NS + 1].fd = on ? open_monitor(ns, NETLINK_NETFILTER,
			1U << (NFNLGRP_NFTABLES - 1)) : -1;
	}
	for (size_t i = 0; i < n; i++)
		fds[i].events = POLLIN;
	close_monitors(w);
	fds[n] = (struct pollfd){ .fd = w->sfd, .events = POLLIN };
	w->fds = fds;
	w->n_mon = n;
}

/* True if a datagram holds a change no socket in own[] asked for. */
static bool foreign_in(const char *buf, size_t len, const uint32_t *own, size_t n_own)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;

	for (; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len))
		if (!vrf_nl_portid_in(own, n_own, nlh->nlmsg_pid))
			return true;
	return false;
}

/* Read what the monitors hold; true if any of it came from someone else.
 * Called while the pass's sockets are still open, so their port ids are
 * still theirs. */
static bool foreign_pending(struct watch *w)
{
	static char buf[65536];
	uint32_t *own = NULL;
	size_t n_own = 0;
	bool scanned = false, foreign = false;

	for (size_t i = 0; i < w->n_mon; i++) {
		ssize_t n;

		if (w->fds[i].fd < 0)
			continue;
		while ((n = recv(w->fds[i].fd, buf, sizeof(buf), MSG_DONTWAIT)) != 0) {
			if (n < 0) {
				/* ENOBUFS: the queue overflowed and
				 * events were lost; judge them foreign. */
				foreign |= errno == ENOBUFS;
				if (errno == EINTR || errno == ENOBUFS)
					continue;
				break;
			}
			if (!scanned) {
				scanned = true;
				if (vrf_nl_own_portids(&own, &n_own) < 0)
					foreign = true;
			}
			foreign |= foreign_in(buf, (size_t)n, own, n_own);
		}
	}
	free(own);
	return foreign;
}

/* Drop what the monitors hold: used when a pass could not run, so the same
 * events do not wake the loop again at once. */
static void drain(struct watch *w)
{
	char buf[8192];

	for (size_t i = 0; i < w->n_mon; i++)
		while (w->fds[i].fd >= 0 &&
		       recv(w->fds[i].fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			;
}

/* The metrics of the state a pass left behind, written over --metrics FILE
 * atomically, so a textfile collector never reads half of it. */
static void write_metrics(struct watch *w)
{
	struct vrf_buf b = { 0 };
	int r;

	if (!w->metrics)
		return;
	vrf_metrics_collect(w->cfg, &b);
	r = vrf_write_atomic_path(w->metrics, vrf_buf_str(&b), b.len, 0644);
	if (r < 0)
		fprintf(stderr, "vrfmgr: cannot write %s: %s\n", w->metrics, strerror(-r));
	vrf_buf_free(&b);
}

static void drop_held(struct watch *w)
{
	vrf_config_free(w->held);
	w->held = NULL;
	w->held_id = 0;
}

/* The restore point of rolled-back change h, loaded once per change and
 * told of once in the log.  NULL when it cannot be loaded. */
static const struct vrf_config *restored(struct watch *w, const struct vrf_hist *h)
{
	const char *hdir = w->cfg->history_dir;
	struct vrf_hist back;
	char *root = NULL;

	if (w->held_id != h->id) {
		drop_held(w);
		w->held_id = h->id;
		if (vrf_hist_read(hdir, h->restore, &back) == 0)
			w->held = vrf_hist_load(hdir, &back, &root);
		free(root);
	}
	if (w->said_id != h->id) {
		w->said_id = h->id;
		if (w->held)
			fprintf(stderr, "vrfmgr: change %u was not confirmed and was rolled back: "
				"watch keeps the configuration of entry %u, not %s, until "
				"\"vrfmgr apply\" (or confirm or rollback) replaces it\n", h->id,
				h->restore, w->cfg->path);
		else
			fprintf(stderr, "vrfmgr: change %u was rolled back, but its restore point "
				"%u cannot be loaded: watch changes nothing until \"vrfmgr apply\"\n",
				h->id, h->restore);
	}
	return w->held;
}

/* The configuration this pass reconciles to, chosen under the lock as
 * apply chooses.  NULL: skip the pass (*lock_fd may be consumed). */
static const struct vrf_config *choose(struct watch *w, int *lock_fd, bool *ret_again)
{
	struct vrf_hist h;
	int rc;

	switch (vrf_in_force(w->o, w->cfg, lock_fd, &h, &rc)) {
	case VRF_FORCE_UNDONE:
		/* That restore ran without this pass's monitors: look again. */
		*ret_again = rc == 0;
		return NULL;
	case VRF_FORCE_RESTORED:
		return restored(w, &h);
	case VRF_FORCE_FILE:
		break;
	}
	if (w->said_id)
		fprintf(stderr, "vrfmgr: change %u is no longer the newest; watch follows %s "
			"again\n", w->said_id, w->cfg->path);
	drop_held(w);
	w->said_id = 0;
	return w->cfg;
}

/* One reconcile pass.  Returns -errno when it could not attach (it said
 * why); *ret_again is set when someone else changed a domain meanwhile. */
static int pass(struct watch *w, bool *ret_again)
{
	const struct vrf_config *cfg;
	struct vrf_run *run;
	double started = vrf_now_real(), t0 = vrf_now_mono();
	bool ok;
	int r, lock_fd = vrf_state_lock(w->cfg);

	*ret_again = false;
	if (lock_fd < 0) {
		fprintf(stderr, "vrfmgr: cannot lock %s: %s\n", w->cfg->state_dir,
			strerror(-lock_fd));
		drain(w);
		return lock_fd;
	}
	cfg = choose(w, &lock_fd, ret_again);
	run = cfg ? vrf_run_new(cfg, w->o->verbose, false) : NULL;
	if (!run) {
		if (lock_fd >= 0)
			close(lock_fd);
		drain(w);
		return cfg ? -EIO : 0;	/* vrf_run_new() said why */
	}
	run->lock_fd = lock_fd;
	r = vrf_run_attach(run, NULL, 0);
	if (r < 0 && !run->n_ns) {
		drain(w);
		vrf_run_free(run);
		return r;
	}
	open_monitors(w, run);
	vrf_run_plan(run);
	vrf_run_apply(run);
	*ret_again = foreign_pending(w);
	ok = !run->errors;
	vrf_run_free(run);
	vrf_last_apply_record(w->cfg, started, vrf_now_mono() - t0, ok);
	write_metrics(w);
	return 0;
}

/* The file, and the history it names, which a pass may load from. */
static struct vrf_config *load(const struct options *o)
{
	struct vrf_config *cfg = cmd_load(o);

	if (cfg && vrf_hist_dir_ok(cfg->history_dir, true) < 0) {
		vrf_config_free(cfg);
		return NULL;
	}
	return cfg;
}

static void reload(struct watch *w)
{
	struct vrf_config *fresh = load(w->o);

	if (fresh) {
		vrf_config_free(w->cfg);
		w->cfg = fresh;
		/* Its history_dir may be another. */
		drop_held(w);
		if (w->o->verbose >= 0)
			fprintf(stderr, "vrfmgr: reloaded %s\n", w->o->config);
	} else {
		fprintf(stderr, "vrfmgr: %s refused; keeping the previous configuration\n",
			w->o->config);
	}
}

/* Sleep until an event, a signal or the interval.  Returns 1 to stop. */
static int wait_event(struct watch *w, unsigned long long interval, bool again)
{
	struct signalfd_siginfo si;
	int n = poll(w->fds, w->n_mon + 1, again ? 0 : (int)interval * 1000);

	if (n > 0 && (w->fds[w->n_mon].revents & POLLIN) &&
	    read(w->sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo != SIGHUP)
			return 1;
		reload(w);
	}
	/* Let a burst of changes settle into one pass. */
	if (n > 0 || again)
		usleep(DEBOUNCE_MS * 1000);
	return 0;
}

int cmd_watch(const struct options *o, int argc, char **argv)
{
	unsigned long long interval = 60;
	struct watch w = { .o = o, .sfd = -1 };
	bool again = false;
	sigset_t mask;
	int rc = VRF_EXIT_ERROR;

	for (int i = 0; i < argc; i += 2) {
		if (i + 1 < argc && !strcmp(argv[i], "--interval")) {
			if (vrf_parse_uint(argv[i + 1], 1, 86400, &interval) < 0) {
				fprintf(stderr, "vrfmgr: --interval takes seconds from 1 to 86400\n");
				return VRF_EXIT_ERROR;
			}
		} else if (i + 1 < argc && !strcmp(argv[i], "--metrics") && argv[i + 1][0]) {
			w.metrics = argv[i + 1];
		} else {
			fprintf(stderr, "vrfmgr: usage: watch [--interval SECONDS] "
				"[--metrics FILE]\n");
			return VRF_EXIT_ERROR;
		}
	}
	if (geteuid() != 0) {
		fprintf(stderr, "vrfmgr: watch needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN)\n");
		return VRF_EXIT_ERROR;
	}
	w.cfg = load(o);
	if (!w.cfg)
		return VRF_EXIT_ERROR;
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	w.sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	w.fds = vrf_calloc(1, sizeof(*w.fds));
	w.fds[0] = (struct pollfd){ .fd = w.sfd, .events = POLLIN };
	/* A watch that cannot take the lock at start would only ever log;
	 * later failures are logged by the pass and retried. */
	if (pass(&w, &again) < 0)
		goto out;
	while (!wait_event(&w, interval, again))
		pass(&w, &again);
	rc = VRF_EXIT_OK;
out:
	close_monitors(&w);
	close(w.sfd);
	vrf_config_free(w.held);
	vrf_config_free(w.cfg);
	return rc;
}
