/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nlfloor: the floor under vrfmgr's numbers, a lean in-process program that
 * does only the netlink part of the work, batched, with nothing to compare.
 *
 *     nlfloor add DIR D    write the routes of DIR/sh/d0.batch .. d(D-1).batch
 *                          ("route replace P/L via GW" lines) into the
 *                          namespaces /run/netns/d0 .. d(D-1), protocol 250,
 *                          in 64 KiB batches with one ACK per batch
 *     nlfloor dump D       dump the links, addresses and IPv4 routes of the
 *                          same namespaces, as observe does
 *
 * One netlink socket per namespace, opened inside it (setns, socket, setns
 * back), as vrfmgr does.  With NLFLOOR_NHID=N in the environment the routes
 * point at nexthop object N (which must exist) instead of carrying their
 * gateway: the kernel then skips building a fib_nh per route, the upper
 * bound of what a different route encoding could gain.  Prints "N routes" or "N messages" and exits
 * nonzero if the kernel refused anything.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BATCH (64 * 1024)

static struct mnl_socket *ns_socket(int self, unsigned i)
{
	struct mnl_socket *nl = NULL;
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/d%u", i);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		fprintf(stderr, "nlfloor: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	close(fd);
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (setns(self, CLONE_NEWNET) < 0) {
		perror("nlfloor: setns back");
		exit(1);
	}
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("nlfloor: netlink socket");
		return NULL;
	}
	return nl;
}

/* Read answers until the message with sequence number `last` is acknowledged;
 * count errors.  Without NLM_F_ACK the kernel answers only failures, so the
 * last message of a batch carries the flag. */
static int drain(struct mnl_socket *nl, unsigned last, unsigned *errors)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		if (n < 0)
			return -errno;
		for (; mnl_nlmsg_ok(h, (int)n); h = mnl_nlmsg_next(h, (int *)&n)) {
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);

				if (e->error) {
					if (*errors == 0)
						fprintf(stderr, "nlfloor: %s\n", strerror(-e->error));
					(*errors)++;
				}
				if (h->nlmsg_seq == last)
					return 0;
			}
		}
	}
}

static int add(const char *dir, unsigned d)
{
	char *buf = malloc(BATCH + 4096);
	unsigned seq = 0, routes = 0, errors = 0;
	unsigned nhid = getenv("NLFLOOR_NHID") ? (unsigned)atoi(getenv("NLFLOOR_NHID")) : 0;
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

	if (!buf || self < 0)
		return 1;
	for (unsigned i = 0; i < d; i++) {
		struct mnl_socket *nl = ns_socket(self, i);
		char path[4096], line[256], dst[64], gw[64];
		size_t used = 0;
		struct nlmsghdr *last = NULL;
		FILE *f;

		if (!nl)
			return 1;
		snprintf(path, sizeof(path), "%s/sh/d%u.batch", dir, i);
		f = fopen(path, "r");
		if (!f) {
			fprintf(stderr, "nlfloor: %s: %s\n", path, strerror(errno));
			return 1;
		}
		for (;;) {
			bool eof = !fgets(line, sizeof(line), f);
			unsigned plen;
			char *slash;

			if (!eof && sscanf(line, "route replace %63s via %63s", dst, gw) != 2)
				continue;
			if (last && (eof || used + 128 > BATCH)) {
				last->nlmsg_flags |= NLM_F_ACK;
				if (mnl_socket_sendto(nl, buf, used) < 0 ||
				    drain(nl, last->nlmsg_seq, &errors) < 0) {
					perror("nlfloor: send");
					return 1;
				}
				used = 0;
				last = NULL;
			}
			if (eof)
				break;
			slash = strchr(dst, '/');
			if (!slash)
				continue;
			*slash = '\0';
			plen = (unsigned)atoi(slash + 1);

			struct nlmsghdr *h = mnl_nlmsg_put_header(buf + used);
			struct rtmsg *rtm;
			struct in_addr a;

			h->nlmsg_type = RTM_NEWROUTE;
			h->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE;
			h->nlmsg_seq = ++seq;
			rtm = mnl_nlmsg_put_extra_header(h, sizeof(*rtm));
			rtm->rtm_family = AF_INET;
			rtm->rtm_dst_len = (unsigned char)plen;
			rtm->rtm_table = RT_TABLE_MAIN;
			rtm->rtm_protocol = 250;
			rtm->rtm_scope = RT_SCOPE_UNIVERSE;
			rtm->rtm_type = RTN_UNICAST;
			inet_pton(AF_INET, dst, &a);
			mnl_attr_put(h, RTA_DST, sizeof(a), &a);
			if (nhid) {
				mnl_attr_put_u32(h, RTA_NH_ID, nhid);
			} else {
				inet_pton(AF_INET, gw, &a);
				mnl_attr_put(h, RTA_GATEWAY, sizeof(a), &a);
			}
			used += h->nlmsg_len;
			last = h;
			routes++;
		}
		fclose(f);
		mnl_socket_close(nl);
	}
	printf("%u routes\n", routes);
	free(buf);
	return errors ? 1 : 0;
}

static int dump(unsigned d)
{
	static const int types[] = { RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE };
	char buf[MNL_SOCKET_BUFFER_SIZE * 4];
	unsigned long msgs = 0;
	unsigned seq = 0;
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

	if (self < 0)
		return 1;
	for (unsigned i = 0; i < d; i++) {
		struct mnl_socket *nl = ns_socket(self, i);

		if (!nl)
			return 1;
		for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
			struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
			static const size_t hdr[] = { sizeof(struct ifinfomsg),
						      sizeof(struct ifaddrmsg), sizeof(struct rtmsg) };
			struct rtgenmsg *g;
			bool done = false;

			h->nlmsg_type = types[t];
			h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
			h->nlmsg_seq = ++seq;
			g = mnl_nlmsg_put_extra_header(h, hdr[t]);
			g->rtgen_family = types[t] == RTM_GETROUTE ? AF_INET : AF_UNSPEC;
			if (mnl_socket_sendto(nl, h, h->nlmsg_len) < 0)
				return 1;
			while (!done) {
				ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
				struct nlmsghdr *r = (struct nlmsghdr *)buf;

				if (n < 0)
					return 1;
				for (; mnl_nlmsg_ok(r, (int)n); r = mnl_nlmsg_next(r, (int *)&n)) {
					if (r->nlmsg_type == NLMSG_DONE || r->nlmsg_type == NLMSG_ERROR) {
						done = true;
						break;
					}
					msgs++;
				}
			}
		}
		mnl_socket_close(nl);
	}
	printf("%lu messages\n", msgs);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "add") == 0)
		return add(argv[2], (unsigned)atoi(argv[3]));
	if (argc == 3 && strcmp(argv[1], "dump") == 0)
		return dump((unsigned)atoi(argv[2]));
	fprintf(stderr, "usage: nlfloor add DIR D | nlfloor dump D\n");
	return 64;
}
