/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness for the nftables text side (plugins/nft-text.c): the
 * scanner of a firewall file, the reader of libnftables' error output and
 * the reader, normalizer and differ of `nft list` output.  Every byte string
 * goes through each of them; none may crash, leak, hang or read out of
 * bounds.  A listing that parses is printed and read again, and must then
 * parse and compare equal to itself: that is what apply relies on.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/nft.h"

static void diag(void *data, unsigned line, unsigned col, const char *msg)
{
	(void)data, (void)line, (void)col, (void)msg;
}

static void norm_table(const struct vnft_ltable *t)
{
	struct vrf_buf out = { 0 };
	struct vnft_listing again;
	char *norm = vnft_table_norm(t);

	for (size_t i = 0; i < t->n_blocks; i++) {
		const struct vnft_lblock *b = &t->blocks[i];
		struct vnft_chain_spec cs;
		char **nv, **dv, *spec, *bn = vnft_block_norm(b);
		size_t n;

		vnft_block_split(b, &nv, &dv, &n, &spec);
		/* nft.c reads a chain's specification as the split gives it. */
		if (vnft_chain_spec_parse(spec, &cs))
			vnft_chain_spec_free(&cs);
		vnft_strv_free(nv, n);
		vnft_strv_free(dv, n);
		free(spec);
		free(bn);
	}
	vnft_table_diff(t, NULL, &out, "", 0);
	vnft_table_diff(NULL, t, &out, "", 0);
	vrf_buf_free(&out);
	out = (struct vrf_buf){ 0 };
	vnft_table_print(t, &out);
	if (vnft_listing_parse(vrf_buf_str(&out), &again) == 0) {
		for (size_t i = 0; i < again.n; i++)
			vnft_table_diff(t, &again.v[i], &out, "", 0);
		vnft_listing_free(&again);
	}
	vrf_buf_free(&out);
	free(norm);
}

static void lines(const char *text)
{
	char *copy = strdup(text), *save = NULL;

	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		unsigned long long pk, by;
		char **v, *n = vnft_line_norm(l);
		size_t nv;

		free(n);
		vnft_chain_line_is_spec(l);
		vnft_rule_counter(l, &pk, &by);
		if (vnft_elements(l, &v, &nv))
			vnft_strv_free(v, nv);
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct vnft_decls decls = { 0 };
	struct vnft_errs errs;
	struct vnft_listing l;

	memcpy(text, data, size);
	text[size] = '\0';
	/* The scanner takes a length; the others read C strings.  nft.c
	 * refuses a file with a NUL byte before it scans one (the scanner
	 * would not move past it), so such input is not the scanner's. */
	if (!memchr(data, '\0', size)) {
		vnft_scan_tables((const char *)data, size, &decls, diag, NULL);
		vnft_decls_free(&decls);
	}
	vnft_errs_parse(text, "/proc/self/fd/3", &errs);
	vnft_errs_free(&errs);
	if (vnft_listing_parse(text, &l) == 0) {
		for (size_t i = 0; i < l.n; i++)
			norm_table(&l.v[i]);
		vnft_listing_free(&l);
	}
	lines(text);
	free(text);
	return 0;
}
