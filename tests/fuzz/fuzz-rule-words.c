/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness for the rule line parser (plugins/rule.c, included
 * as the unit test does, for its static functions).  The input is the value
 * of one `rule =` line.  It must parse or be refused with a diagnostic; a
 * rule that parses must print (rule_format(), what plan and `check -v`
 * show) as a line that parses again to the same rule: same identity, every
 * attribute equal.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/rule.c"

static struct vrf_config *cfg;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct vrf_loc loc = { "fuzz.ini", 1 };
	struct vrf_domain d = { .name = "d" };
	struct vrf_buf text = { 0 };
	char *value;

	if (!cfg) {
		cfg = vrf_config_new();
		cfg->quiet_errors = true;
	}
	/* A config value is one line without NUL bytes. */
	value = strndup((const char *)data, size);
	value[strcspn(value, "\n")] = '\0';
	if (rule_parse(cfg, &d, &loc, "rule", value) == 0) {
		struct vrf_domain again = { .name = "d" };
		const struct vrf_obj *a = d.objs.v[0], *b;

		rule_format(a, &text);
		if (rule_parse(cfg, &again, &loc, "rule", vrf_buf_str(&text)) < 0) {
			fprintf(stderr, "\"%s\" printed as \"%s\", which does not parse\n",
				value, vrf_buf_str(&text));
			abort();
		}
		b = again.objs.v[0];
		if (rule_compare(a, b) || !rule_equal(a, b) || !rule_equal(b, a)) {
			fprintf(stderr, "\"%s\" printed as \"%s\", which parses differently\n",
				value, vrf_buf_str(&text));
			abort();
		}
		vrf_objv_free(&again.objs);
	}
	vrf_objv_free(&d.objs);
	vrf_buf_free(&text);
	free(value);
	return 0;
}
