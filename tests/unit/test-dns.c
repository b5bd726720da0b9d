/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The dns and search keys: refusals with their exact messages, what is
 * accepted, and the round trip.  No root, no kernel. */
#include "keytest.h"

#define G "[global]\nnetns_dir = /run/netns\n"

static const struct {
	const char *name, *ini, *line;
} refused[] = {
	{ "not an address", G "[domain a]\ndns = 10.0.0.300\n",
	  "c.ini:4: dns \"10.0.0.300\" is not an IPv4 or IPv6 address" },
	{ "a prefix is no server", G "[domain a]\ndns = 10.0.0.0/24\n",
	  "c.ini:4: dns \"10.0.0.0/24\" is not an IPv4 or IPv6 address" },
	{ "two on one line", G "[domain a]\ndns = 10.0.0.53 10.0.0.54\n",
	  "c.ini:4: dns takes one address per line (repeat the key for more)" },
	{ "listed twice", G "[domain a]\ndns = 2001:db8::53\ndns = 2001:db8:0::53\n",
	  "c.ini:5: dns 2001:db8:0::53 is listed twice (first at c.ini:4)" },
	{ "more than three", G "[domain a]\ndns = 10.0.0.1\ndns = 10.0.0.2\ndns = 10.0.0.3\ndns = 10.0.0.4\n",
	  "c.ini:7: dns 10.0.0.4: at most 3 servers per domain (the resolver ignores the rest)" },
	{ "not in [host]", G "[host]\ndns = 10.0.0.53\n",
	  "c.ini:4: \"dns\" is not allowed in [host]" },
	{ "search twice", G "[domain a]\ndns = 10.0.0.53\nsearch = a.example\nsearch = b.example\n",
	  "c.ini:6: search is set twice (first at c.ini:5); list every domain on one line" },
	{ "search: bad name", G "[domain a]\ndns = 10.0.0.53\nsearch = a.example b/c\n",
	  "c.ini:5: search domain \"b/c\" is not a DNS name: only letters, digits, '-', '_' and dots are allowed" },
	{ "search: empty label", G "[domain a]\ndns = 10.0.0.53\nsearch = a..example\n",
	  "c.ini:5: search domain \"a..example\" is not a DNS name: empty label" },
	{ "search: long label", G "[domain a]\ndns = 10.0.0.53\nsearch = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example\n",
	  "c.ini:5: search domain \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example\" is not a DNS name: a label is longer than 63 bytes" },
	{ "search: duplicate", G "[domain a]\ndns = 10.0.0.53\nsearch = a.example A.example\n",
	  "c.ini:5: search domain \"A.example\" is listed twice" },
	{ "search without a server", G "[domain a]\nsearch = a.example\n",
	  "c.ini:4: search needs at least one dns server in the same domain" },
};

int main(void)
{
	struct vrf_config *cfg;

	kt_tmpdir();
	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++)
		kt_refuse(refused[i].name, refused[i].ini, refused[i].line);

	cfg = kt_accept("servers and search list",
			G "[domain a]\nsearch = corp.example example.com.\n"
			"dns = 10.0.0.53\ndns = 2001:DB8::53\n"
			"[domain b]\ndns = 192.0.2.1\n");
	if (cfg) {
		struct vrf_buf b = { 0 };

		vrf_config_print(cfg, &b);
		kt_result(strstr(vrf_buf_str(&b),
				 "[domain a]\ndns = 10.0.0.53\ndns = 2001:db8::53\nsearch = corp.example example.com.\n") != NULL,
			  "printed back in canonical form", "printed model:", vrf_buf_str(&b));
		kt_roundtrip("round trip", cfg);
		vrf_buf_free(&b);
		vrf_config_free(cfg);
	}
	return kt_done();
}
