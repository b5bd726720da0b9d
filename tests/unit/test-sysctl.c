/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The sysctl key: every refusal with its exact FILE:LINE message, and the
 * spellings that must be accepted.  No root, no kernel. */
#include "keytest.h"

#define G "[global]\nnetns_dir = /run/netns\n"

static const struct {
	const char *name, *ini, *line;
} refused[] = {
	{ "no '='", G "[domain a]\nsysctl = net.ipv4.ip_forward\n",
	  "c.ini:4: sysctl \"net.ipv4.ip_forward\": expected KEY=VALUE, e.g. net.ipv4.ip_forward=1" },
	{ "empty key", G "[domain a]\nsysctl = =1\n",
	  "c.ini:4: sysctl \"=1\": the key before '=' is empty" },
	{ "outside net.*", G "[domain a]\nsysctl = kernel.hostname=x\n",
	  "c.ini:4: sysctl key \"kernel.hostname\" is outside net.*: only network keys belong to a namespace, any other would change the whole host" },
	{ "outside net.* in [host]", G "[host]\nsysctl = vm.swappiness=10\n",
	  "c.ini:4: sysctl key \"vm.swappiness\" is outside net.*: only network keys belong to a namespace, any other would change the whole host" },
	{ "netfilter is not net", G "[domain a]\nsysctl = netx.a=1\n",
	  "c.ini:4: sysctl key \"netx.a\" is outside net.*: only network keys belong to a namespace, any other would change the whole host" },
	{ "slash spelling of the whole key", G "[domain a]\nsysctl = net/ipv4/ip_forward=1\n",
	  "c.ini:4: sysctl key \"net/ipv4/ip_forward\" is outside net.*: only network keys belong to a namespace, any other would change the whole host" },
	{ "dot-dot", G "[domain a]\nsysctl = net.ipv4..ip_forward=1\n",
	  "c.ini:4: sysctl key \"net.ipv4..ip_forward\" has an empty component (\"..\" or a dot at the end)" },
	{ "escape through dot-dot", G "[domain a]\nsysctl = net...kernel.hostname=1\n",
	  "c.ini:4: sysctl key \"net...kernel.hostname\" has an empty component (\"..\" or a dot at the end)" },
	{ "trailing dot", G "[domain a]\nsysctl = net.ipv4.=1\n",
	  "c.ini:4: sysctl key \"net.ipv4.\" has an empty component (\"..\" or a dot at the end)" },
	{ "just net.", G "[domain a]\nsysctl = net.=1\n",
	  "c.ini:4: sysctl key \"net.\" has an empty component (\"..\" or a dot at the end)" },
	{ "slash for '.'", G "[domain a]\nsysctl = net./.ipv4=1\n",
	  "c.ini:4: sysctl key \"net./.ipv4\": component \"/\" is not a name" },
	{ "slashes for '..'", G "[domain a]\nsysctl = net.//.kernel.hostname=1\n",
	  "c.ini:4: sysctl key \"net.//.kernel.hostname\": component \"//\" is not a name" },
	{ "whitespace in key", G "[domain a]\nsysctl = net.ipv4 .ip_forward=1\n",
	  "c.ini:4: sysctl key \"net.ipv4 .ip_forward\" contains whitespace" },
	{ "no value", G "[domain a]\nsysctl = net.ipv4.ip_forward=\n",
	  "c.ini:4: sysctl net.ipv4.ip_forward has no value after '='" },
	{ "twice in a domain", G "[domain a]\nsysctl = net.ipv4.ip_forward=1\nsysctl = net.ipv4.ip_forward = 0\n",
	  "c.ini:5: sysctl net.ipv4.ip_forward is set twice in a (first at c.ini:4)" },
	{ "twice in [host]", G "[host]\nsysctl = net.ipv4.ip_forward=1\n\nsysctl=net.ipv4.ip_forward=1\n",
	  "c.ini:6: sysctl net.ipv4.ip_forward is set twice in [host] (first at c.ini:4)" },
};

int main(void)
{
	struct vrf_config *cfg;

	kt_tmpdir();
	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++)
		kt_refuse(refused[i].name, refused[i].ini, refused[i].line);

	cfg = kt_accept("accepted spellings",
			G "[host]\nsysctl = net.ipv4.ip_forward=1\n"
			"[domain a]\n"
			"sysctl = net.ipv4.ip_forward=1\n"
			"sysctl =   net.ipv6.conf.all.forwarding   =   1  \n"
			"sysctl = net.ipv4.conf.eth0/100.rp_filter=2\n"
			"sysctl = net.ipv4.tcp_rmem=4096\t87380   6291456\n"
			"sysctl = net.ipv4.ip_local_port_range=01024 65000\n"
			"[domain b]\n"
			"sysctl = net.ipv4.ip_forward=0\n");
	if (cfg) {
		struct vrf_buf b = { 0 };

		/* Values are normalized when read, as the kernel prints them. */
		vrf_config_print(cfg, &b);
		kt_result(strstr(vrf_buf_str(&b), "sysctl = net.ipv4.tcp_rmem=4096 87380 6291456\n") &&
			  strstr(vrf_buf_str(&b), "sysctl = net.ipv4.ip_local_port_range=1024 65000\n") &&
			  strstr(vrf_buf_str(&b), "sysctl = net.ipv6.conf.all.forwarding=1\n") &&
			  strstr(vrf_buf_str(&b), "sysctl = net.ipv4.conf.eth0/100.rp_filter=2\n"),
			  "values normalized, dotted interface spelling kept", "printed model:",
			  vrf_buf_str(&b));
		kt_roundtrip("round trip", cfg);
		vrf_buf_free(&b);
		vrf_config_free(cfg);
	}
	return kt_done();
}
