/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness for the netlink attribute walks that read the kernel's
 * replies: the per-message parsers of the route, rule and address observe()
 * dumps (rt_obs_cb, ru_obs_cb, ad_obs_cb; the plugins' files are included,
 * as the unit tests do, for their static functions).  The input is a dump
 * buffer; it is walked as libmnl's mnl_cb_run() walks one (mnl_nlmsg_ok(),
 * mnl_nlmsg_next()), and every message goes to all three parsers, each of
 * which must ignore, read or refuse it without reading past its attributes.
 * The seed corpus is made by tests/fuzz/nl-seeds.c with libmnl.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/route.c"
#include "../../plugins/rule.c"
#include "../../plugins/address.c"

/* Devices 1 to 4 are known, the first two as vrfmgr's; others are not,
 * and the lookup of their names fails (no socket). */
static void known_devices(struct vrf_ifc *c)
{
	static const char *const names[] = { "lo", "lan", "wan", "eth0" };

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	for (int i = 0; i < 4; i++) {
		int k = vrf_ifc_add(c, i + 1, names[i]);

		if (k >= 0)
			c->e[k].tag = i < 2;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy with the kernel's alignment, as long as the input rounded up
	 * to NLMSG_ALIGNTO, so that any read past that is the sanitizer's to
	 * see.  The rounding is the padding every receive buffer has after a
	 * message: libmnl's attribute walk (mnl_attr_for_each) and route.c's
	 * rt_attrs() end a message at MNL_ALIGN(nlmsg_len), as the kernel's
	 * own messages always are aligned. */
	size_t room = MNL_ALIGN(size ? size : 1);
	void *buf = calloc(1, room);
	const struct nlmsghdr *nlh = buf;
	struct vrf_objv out = { 0 };
	struct rt_obs rt = { .out = &out, .proto = VRF_DEFAULT_PROTO };
	struct ru_obs ru = { .out = &out, .proto = VRF_DEFAULT_PROTO };
	struct ad_obs ad = { .out = &out, .domain = "d" };
	int len = (int)size;

	memcpy(buf, data, size);
	known_devices(&rt.ifc);
	known_devices(&ad.ifc);
	/* mnl_nlmsg_ok() compares (int)nlmsg_len, so a length above INT_MAX
	 * passes it and mnl_nlmsg_next() then jumps gigabytes ahead.  The
	 * kernel sends no such message (libmnl's own mnl_cb_run() has the same
	 * walk); the walks under test are the parsers', so the harness keeps
	 * the length honest itself. */
	while (mnl_nlmsg_ok(nlh, len) && nlh->nlmsg_len <= (uint32_t)len) {
		rt_obs_cb(nlh, &rt);
		ru_obs_cb(nlh, &ru);
		ad_obs_cb(nlh, &ad);
		nlh = mnl_nlmsg_next(nlh, &len);
	}
	/* What was read must print, as a plan line does. */
	for (size_t i = 0; i < out.n; i++) {
		struct vrf_buf b = { 0 };

		out.v[i]->plugin->format(out.v[i], &b);
		vrf_buf_free(&b);
	}
	vrf_objv_free(&out);
	vrf_ifc_free(&rt.ifc);
	vrf_ifc_free(&ad.ifc);
	free(buf);
	return 0;
}
