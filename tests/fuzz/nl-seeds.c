/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writes the seed corpus of fuzz-nlmsg: dump messages as the kernel sends
 * them for routes (plain, multipath, IPv6, reject, with metrics), rules and
 * addresses, built with libmnl, one file each plus one file holding them all
 * back to back as a dump does.  Usage: nl-seeds DIR
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#define PROTO 250	/* VRF_DEFAULT_PROTO */

static char all[65536];
static size_t all_len;

static void save(const char *dir, const char *name, const struct nlmsghdr *nlh)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || fwrite(nlh, 1, nlh->nlmsg_len, f) != nlh->nlmsg_len || fclose(f)) {
		perror(path);
		exit(1);
	}
	memcpy(all + all_len, nlh, nlh->nlmsg_len);
	all_len += MNL_ALIGN(nlh->nlmsg_len);
}

static struct nlmsghdr *start(char *buf, uint16_t type, size_t hdr, void **ret_hdr)
{
	struct nlmsghdr *nlh;

	memset(buf, 0, MNL_SOCKET_BUFFER_SIZE);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_MULTI;
	*ret_hdr = mnl_nlmsg_put_extra_header(nlh, hdr);
	return nlh;
}

static void addr(int family, const char *s, void *out)
{
	if (inet_pton(family, s, out) != 1)
		abort();
}

static void routes(const char *dir, char *buf)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	struct nlattr *nest;
	struct rtnexthop *nh;
	unsigned char a[16];

	nlh = start(buf, RTM_NEWROUTE, sizeof(*rtm), (void **)&rtm);
	*rtm = (struct rtmsg){ .rtm_family = AF_INET, .rtm_dst_len = 16, .rtm_table = RT_TABLE_MAIN,
			       .rtm_protocol = PROTO, .rtm_type = RTN_UNICAST };
	addr(AF_INET, "10.50.0.0", a);
	mnl_attr_put(nlh, RTA_DST, 4, a);
	mnl_attr_put_u32(nlh, RTA_TABLE, RT_TABLE_MAIN);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, 20);
	addr(AF_INET, "10.0.0.2", a);
	mnl_attr_put(nlh, RTA_GATEWAY, 4, a);
	mnl_attr_put_u32(nlh, RTA_OIF, 2);
	addr(AF_INET, "10.0.0.1", a);
	mnl_attr_put(nlh, RTA_PREFSRC, 4, a);
	nest = mnl_attr_nest_start(nlh, RTA_METRICS);
	mnl_attr_put_u32(nlh, RTAX_MTU, 1400);
	mnl_attr_nest_end(nlh, nest);
	save(dir, "route4", nlh);

	nlh = start(buf, RTM_NEWROUTE, sizeof(*rtm), (void **)&rtm);
	*rtm = (struct rtmsg){ .rtm_family = AF_INET6, .rtm_dst_len = 48, .rtm_table = 100,
			       .rtm_protocol = PROTO, .rtm_type = RTN_UNICAST };
	addr(AF_INET6, "2001:db8:70::", a);
	mnl_attr_put(nlh, RTA_DST, 16, a);
	mnl_attr_put_u32(nlh, RTA_TABLE, 100);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, 1024);
	nest = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
	for (int i = 0; i < 2; i++) {
		size_t at = nlh->nlmsg_len;

		nh = mnl_nlmsg_get_payload_tail(nlh);
		nlh->nlmsg_len += RTNH_ALIGN(sizeof(*nh));
		*nh = (struct rtnexthop){ .rtnh_hops = (unsigned char)i, .rtnh_ifindex = 2 + i };
		addr(AF_INET6, i ? "2001:db8::3" : "2001:db8::2", a);
		mnl_attr_put(nlh, RTA_GATEWAY, 16, a);
		nh->rtnh_len = (unsigned short)(nlh->nlmsg_len - at);
	}
	mnl_attr_nest_end(nlh, nest);
	save(dir, "route6-multipath", nlh);

	nlh = start(buf, RTM_NEWROUTE, sizeof(*rtm), (void **)&rtm);
	*rtm = (struct rtmsg){ .rtm_family = AF_INET, .rtm_dst_len = 0, .rtm_table = RT_TABLE_MAIN,
			       .rtm_protocol = PROTO, .rtm_type = RTN_UNICAST,
			       .rtm_flags = RTNH_F_ONLINK };
	{
		struct { uint16_t family; unsigned char a[16]; } __attribute__((packed)) via;

		via.family = AF_INET6;
		addr(AF_INET6, "fe80::1", via.a);
		mnl_attr_put(nlh, RTA_VIA, sizeof(via), &via);
	}
	mnl_attr_put_u32(nlh, RTA_OIF, 7);
	save(dir, "route4-via6", nlh);

	nlh = start(buf, RTM_NEWROUTE, sizeof(*rtm), (void **)&rtm);
	*rtm = (struct rtmsg){ .rtm_family = AF_INET, .rtm_dst_len = 12, .rtm_table = 100,
			       .rtm_protocol = PROTO, .rtm_type = RTN_BLACKHOLE, .rtm_tos = 8 };
	addr(AF_INET, "172.16.0.0", a);
	mnl_attr_put(nlh, RTA_DST, 4, a);
	mnl_attr_put_u32(nlh, RTA_OIF, 1);
	save(dir, "route4-blackhole", nlh);
}

static void rules(const char *dir, char *buf)
{
	struct nlmsghdr *nlh;
	struct fib_rule_hdr *frh;
	unsigned char a[16];

	nlh = start(buf, RTM_NEWRULE, sizeof(*frh), (void **)&frh);
	*frh = (struct fib_rule_hdr){ .family = AF_INET, .src_len = 16, .dst_len = 24,
				      .action = FR_ACT_TO_TBL, .table = 100,
				      .flags = FIB_RULE_INVERT };
	mnl_attr_put_u8(nlh, FRA_PROTOCOL, PROTO);
	mnl_attr_put_u32(nlh, FRA_PRIORITY, 100);
	addr(AF_INET, "10.1.0.0", a);
	mnl_attr_put(nlh, FRA_SRC, 4, a);
	addr(AF_INET, "192.0.2.0", a);
	mnl_attr_put(nlh, FRA_DST, 4, a);
	mnl_attr_put_strz(nlh, FRA_IIFNAME, "lan");
	mnl_attr_put_strz(nlh, FRA_OIFNAME, "wan");
	mnl_attr_put_u32(nlh, FRA_FWMARK, 0x10);
	mnl_attr_put_u32(nlh, FRA_FWMASK, 0xff);
	mnl_attr_put_u32(nlh, FRA_TABLE, 100);
	mnl_attr_put_u32(nlh, FRA_SUPPRESS_PREFIXLEN, 0);
	save(dir, "rule4", nlh);

	nlh = start(buf, RTM_NEWRULE, sizeof(*frh), (void **)&frh);
	*frh = (struct fib_rule_hdr){ .family = AF_INET6, .action = FR_ACT_UNREACHABLE };
	mnl_attr_put_u8(nlh, FRA_PROTOCOL, PROTO);
	mnl_attr_put_u32(nlh, FRA_PRIORITY, 9);
	save(dir, "rule6-unreachable", nlh);
}

static void addresses(const char *dir, char *buf)
{
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	unsigned char a[16];

	nlh = start(buf, RTM_NEWADDR, sizeof(*ifa), (void **)&ifa);
	*ifa = (struct ifaddrmsg){ .ifa_family = AF_INET, .ifa_prefixlen = 24, .ifa_index = 2 };
	addr(AF_INET, "192.0.2.1", a);
	mnl_attr_put(nlh, IFA_LOCAL, 4, a);
	mnl_attr_put(nlh, IFA_ADDRESS, 4, a);
	mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_PERMANENT | IFA_F_NOPREFIXROUTE);
	save(dir, "addr4", nlh);

	nlh = start(buf, RTM_NEWADDR, sizeof(*ifa), (void **)&ifa);
	*ifa = (struct ifaddrmsg){ .ifa_family = AF_INET6, .ifa_prefixlen = 64, .ifa_index = 1,
				   .ifa_flags = IFA_F_PERMANENT };
	addr(AF_INET6, "2001:db8::1", a);
	mnl_attr_put(nlh, IFA_ADDRESS, 16, a);
	save(dir, "addr6", nlh);
}

int main(int argc, char **argv)
{
	char *buf = malloc(MNL_SOCKET_BUFFER_SIZE);
	FILE *f;
	char path[4096];

	if (argc != 2 || !buf)
		return 2;
	routes(argv[1], buf);
	rules(argv[1], buf);
	addresses(argv[1], buf);
	snprintf(path, sizeof(path), "%s/dump", argv[1]);
	f = fopen(path, "w");
	if (!f || fwrite(all, 1, all_len, f) != all_len || fclose(f)) {
		perror(path);
		return 1;
	}
	free(buf);
	return 0;
}
