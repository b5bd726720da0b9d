/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flood: send ICMP echo requests to one address as fast as this machine
 * goes, and count the echo replies that come back.  The "never open" tests
 * run it in a namespace they made, aimed at another namespace they made,
 * through a domain whose firewall drops the traffic: any reply is a leak.
 *
 *     flood -d ADDR [-t SECONDS]
 *
 * Stops after SECONDS (default 10, at most 120) or at SIGTERM/SIGINT,
 * whichever is first, then waits 200 ms for late replies and prints
 *
 *     sent N replies M
 *
 * Only IPv4 literal addresses are accepted: a test names the address it
 * assigned itself, never a name that could resolve elsewhere.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint16_t csum(const void *data, size_t len)
{
	const uint16_t *p = data;
	uint32_t sum = 0;

	for (; len > 1; len -= 2)
		sum += *p++;
	if (len)
		sum += *(const uint8_t *)p;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Count the echo replies that carry our identifier; the raw socket sees
 * every ICMP packet of the namespace. */
static unsigned long drain(int s, uint16_t id)
{
	unsigned char buf[256];
	unsigned long n = 0;
	ssize_t len;

	while ((len = recv(s, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		const struct iphdr *ip = (const void *)buf;
		size_t hl = (size_t)ip->ihl * 4;
		const struct icmphdr *ic;

		if ((size_t)len < hl + sizeof(*ic))
			continue;
		ic = (const void *)(buf + hl);
		if (ic->type == ICMP_ECHOREPLY && ic->un.echo.id == id)
			n++;
	}
	return n;
}

int main(int argc, char **argv)
{
	struct sockaddr_in dst = { .sin_family = AF_INET };
	double seconds = 10, end;
	unsigned long sent = 0, replies = 0;
	uint16_t id = htons((uint16_t)getpid());
	struct sigaction sa = { .sa_handler = on_signal };
	int s, c;
	bool have_dst = false;

	while ((c = getopt(argc, argv, "d:t:")) != -1) {
		switch (c) {
		case 'd':
			if (inet_pton(AF_INET, optarg, &dst.sin_addr) != 1) {
				fprintf(stderr, "flood: %s is not an IPv4 address\n", optarg);
				return 2;
			}
			have_dst = true;
			break;
		case 't':
			seconds = atof(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (!have_dst || seconds <= 0 || seconds > 120)
		goto usage;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	s = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (s < 0) {
		perror("flood: socket");
		return 1;
	}
	end = now() + seconds;
	while (!stop) {
		struct {
			struct icmphdr h;
			char pad[16];
		} pkt = { .h = { .type = ICMP_ECHO, .un.echo = { .id = id } } };

		pkt.h.un.echo.sequence = htons((uint16_t)sent);
		pkt.h.checksum = csum(&pkt, sizeof(pkt));
		/* ENOBUFS and the like only mean "as fast as it goes". */
		if (sendto(s, &pkt, sizeof(pkt), 0, (struct sockaddr *)&dst, sizeof(dst)) > 0)
			sent++;
		if ((sent & 255) == 0) {
			replies += drain(s, id);
			if (now() >= end)
				break;
		}
	}
	end = now() + 0.2;
	while (now() < end) {
		replies += drain(s, id);
		usleep(10000);
	}
	close(s);
	printf("sent %lu replies %lu\n", sent, replies);
	return 0;
usage:
	fprintf(stderr, "usage: flood -d IPV4 [-t SECONDS (0-120]]\n");
	return 2;
}
