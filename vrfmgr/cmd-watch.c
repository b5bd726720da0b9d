/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * watch: reconcile, then sleep until something changes and reconcile again.
 * "Something" is a link, address, route or rule event in any domain (an
 * rtnetlink multicast socket opened inside each), the interval passing, or
 * SIGHUP, which also reloads the file.  Events are debounced: a burst of
 * netlink messages (our own apply makes one) becomes one pass.
 */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "commands.h"

static int open_monitor(struct vrf_ns *ns)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR |
			     RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE | RTMGRP_IPV4_RULE,
	};
	int fd, r;

	r = vrf_ns_enter(ns);
	if (r < 0)
		return r;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		fd = -1;
	}
	r = fd < 0 ? -errno : fd;
	vrf_ns_leave(ns);
	return r;
}

static void drain(int fd)
{
	char buf[65536];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

/* One reconcile pass; returns the monitor fds of the namespaces it saw. */
static int pass(const struct options *o, struct vrf_config *cfg, struct pollfd **ret_fds,
		size_t *ret_n)
{
	struct vrf_run *run = vrf_run_new(cfg, o->verbose, false);
	struct pollfd *fds;
	int r;

	if (!run)
		return -ENOMEM;
	vrf_run_attach(run, NULL, 0);
	vrf_run_plan(run);
	r = vrf_run_apply(run);
	fds = calloc(run->n_ns, sizeof(*fds));
	if (!fds)
		abort();
	for (size_t i = 0; i < run->n_ns; i++) {
		fds[i].fd = run->ns[i]->fd >= 0 && run->ns[i]->domain ? open_monitor(run->ns[i]) : -1;
		fds[i].events = POLLIN;
	}
	*ret_fds = fds;
	*ret_n = run->n_ns;
	vrf_run_free(run);
	return r;
}

int cmd_watch(const struct options *o, int argc, char **argv)
{
	unsigned long long interval = 60;
	struct vrf_config *cfg;
	sigset_t mask;
	int sfd;

	if (argc == 2 && !strcmp(argv[0], "--interval")) {
		if (vrf_parse_uint(argv[1], 1, 86400, &interval) < 0) {
			fprintf(stderr, "vrfmgr: --interval takes seconds from 1 to 86400\n");
			return VRF_EXIT_ERROR;
		}
	} else if (argc) {
		fprintf(stderr, "vrfmgr: usage: watch [--interval SECONDS]\n");
		return VRF_EXIT_ERROR;
	}
	cfg = cmd_load(o);
	if (!cfg)
		return VRF_EXIT_ERROR;
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	for (;;) {
		struct pollfd *fds = NULL;
		size_t n = 0;
		bool reload = false, stop = false;

		pass(o, cfg, &fds, &n);
		fds = realloc(fds, (n + 1) * sizeof(*fds));
		if (!fds)
			abort();
		fds[n] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		/* Our own apply's echoes arrive now: swallow them. */
		usleep(100 * 1000);
		for (size_t i = 0; i < n; i++)
			if (fds[i].fd >= 0)
				drain(fds[i].fd);
		if (poll(fds, n + 1, (int)interval * 1000) > 0) {
			if (fds[n].revents & POLLIN) {
				struct signalfd_siginfo si;

				if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
					reload = si.ssi_signo == SIGHUP;
					stop = !reload;
				}
			}
			/* Let a burst of changes settle into one pass. */
			usleep(200 * 1000);
		}
		for (size_t i = 0; i < n; i++)
			if (fds[i].fd >= 0)
				close(fds[i].fd);
		free(fds);
		if (stop)
			break;
		if (reload) {
			struct vrf_config *fresh = cmd_load(o);

			if (fresh) {
				vrf_config_free(cfg);
				cfg = fresh;
				if (o->verbose >= 0)
					fprintf(stderr, "vrfmgr: reloaded %s\n", o->config);
			} else {
				fprintf(stderr, "vrfmgr: %s refused; keeping the previous "
					"configuration\n", o->config);
			}
		}
	}
	close(sfd);
	vrf_config_free(cfg);
	return VRF_EXIT_OK;
}
