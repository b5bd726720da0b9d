/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Replacing a live table without opening it.  Deleting a table and loading
 * it again in one transaction unhooks its base chains before the new ones
 * hook (measured: 409 echo replies crossed a policy-drop forward chain over
 * 120 such replacements; 427,022 in tests/integration/203-nft-atomic.sh,
 * where one request that slips through opens a conntrack entry that
 * `ct state established accept` then keeps open).  So a table
 * that exists before and after is emptied instead: `flush table` takes its
 * rules, the sets and maps that stay are flushed, what leaves the table or
 * cannot be changed in place is deleted, and the file then fills the same
 * chains again, all in the one transaction.  A base chain is deleted only
 * when it leaves the table, which happens after the file is loaded, or when
 * its hook, priority, type, devices or comment change (the kernel refuses
 * to change the first and ignores the comment), see recreate_chain().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nft.h"

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* What identifies how a block is declared, apart from what a reload may
 * change in place: the lines of a set or map without its elements; the
 * specification of a chain without its policy; every line of another
 * object (counters, quotas, ct helpers, flowtables: an `add` of an object
 * that exists is ignored or only partly applied by the kernel).  malloc'd. */
static char *decl_key(const struct vnft_lblock *b)
{
	bool chain = !strcmp(b->kind, "chain");
	bool set = !strcmp(b->kind, "set") || !strcmp(b->kind, "map");
	struct vrf_buf k = { 0 };
	char *r;

	for (size_t i = 0; i < b->n; i++) {
		const char *line = b->lines[i];
		char *norm;

		if (set && starts_with(line, "elements = "))
			continue;
		if (chain && !vnft_chain_line_is_spec(line))
			continue;
		if (chain && starts_with(line, "policy "))
			continue;
		norm = vnft_line_norm(line);
		if (chain && starts_with(norm, "type ")) {
			/* "type filter hook input priority filter; policy drop;" */
			char *pol = strstr(norm, "; policy ");

			if (pol)
				*pol = '\0';
		}
		vrf_buf_printf(&k, "%s\n", norm);
		free(norm);
	}
	r = vrf_strdup(vrf_buf_str(&k));
	vrf_buf_free(&k);
	return r;
}

/* Is block b of the live table declared the same way in want?  Then it
 * stays, emptied (sets, maps) or untouched (objects), and chains keep their
 * hooks. */
static bool block_stays(const struct vnft_lblock *b, const struct vnft_ltable *want)
{
	const struct vnft_lblock *w = vnft_table_block(want, b->kind, b->name);
	char *x, *y;
	bool same;

	if (!w)
		return false;
	x = decl_key(b);
	y = decl_key(w);
	same = !strcmp(x, y);
	free(x);
	free(y);
	return same;
}

/* The table-level lines that a reload cannot change in place: the kernel
 * keeps a table's comment when the table is added again. */
static bool table_comment_same(const struct vnft_ltable *have, const struct vnft_ltable *want)
{
	const char *x = "", *y = "";

	for (size_t i = 0; i < have->n_attrs; i++)
		if (starts_with(have->attrs[i], "comment "))
			x = have->attrs[i];
	for (size_t i = 0; i < want->n_attrs; i++)
		if (starts_with(want->attrs[i], "comment "))
			y = want->attrs[i];
	return !strcmp(x, y);
}

/* The policy of chain block b ("drop", "accept"), or NULL for a regular
 * chain.  malloc'd. */
static char *chain_policy(const struct vnft_lblock *b)
{
	struct vnft_chain_spec cs;
	char *r = NULL;

	for (size_t i = 0; i < b->n && !r; i++) {
		if (!vnft_chain_line_is_spec(b->lines[i]) ||
		    !vnft_chain_spec_parse(b->lines[i], &cs))
			continue;
		if (cs.type)
			r = vrf_strdup(cs.policy ? cs.policy : "accept");
		vnft_chain_spec_free(&cs);
	}
	return r;
}

/* A name for a stand-in chain that neither table uses. */
static char *hold_name(const struct vnft_ltable *have, const struct vnft_ltable *want,
		       const char *chain)
{
	char *name;

	/* The kernel takes chain names of up to 255 bytes. */
	name = vrf_asprintf("vrfmgr_hold_%.200s", chain);
	while (vnft_table_block(have, "chain", name) || vnft_table_block(want, "chain", name)) {
		char *longer;

		longer = vrf_asprintf("%s_", name);
		free(name);
		name = longer;
	}
	return name;
}

/*
 * Base chain b of the live table is made again under its own name, because
 * its hook, priority, type, devices or comment change.  The kernel processes
 * a transaction's changes in order after it switched to the new rules: it
 * unhooks the old chain at its delete, and gives the new chain its drop
 * policy only at its add (a new chain's drop policy is deferred so that a
 * half-loaded ruleset drops nothing).  In between, the new chain would let
 * pass what no rule of it drops.  So when the new chain drops by policy, an
 * empty stand-in with the new chain's hook and a drop policy is added before
 * the old chain goes and deleted after the new one is complete: for that
 * instant the hook drops everything rather than anything passing.
 */
static void recreate_chain(struct vrf_buf *before, struct vrf_buf *after,
			   const struct vnft_ltable *have, const struct vnft_ltable *want,
			   const struct vnft_lblock *b)
{
	const struct vnft_lblock *w = vnft_table_block(want, "chain", b->name);
	char *old_policy = chain_policy(b), *new_policy = w ? chain_policy(w) : NULL;
	const char *f = have->family, *t = have->name;

	if (old_policy && new_policy && !strcmp(new_policy, "drop")) {
		char *hold = hold_name(have, want, b->name);

		vrf_buf_printf(before, "add chain %s %s %s {\n", f, t, hold);
		for (size_t i = 0; i < w->n; i++)
			if (vnft_chain_line_is_spec(w->lines[i]) &&
			    !starts_with(w->lines[i], "comment "))
				vrf_buf_printf(before, "\t%s\n", w->lines[i]);
		vrf_buf_puts(before, "}\n");
		vrf_buf_printf(after, "delete chain %s %s %s\n", f, t, hold);
		free(hold);
	}
	vrf_buf_printf(before, "delete chain %s %s %s\n", f, t, b->name);
	free(old_policy);
	free(new_policy);
}

bool vnft_refill(struct vrf_buf *before, struct vrf_buf *after, const struct vnft_ltable *have,
		 const struct vnft_ltable *want)
{
	const char *f = have->family, *t = have->name;

	if (!table_comment_same(have, want))
		return false;
	/* Rules first: nothing then refers to a set, object or chain that
	 * goes.  Maps next: a verdict map's elements hold its chains. */
	vrf_buf_printf(before, "flush table %s %s\n", f, t);
	for (size_t i = 0; i < have->n_blocks; i++) {
		const struct vnft_lblock *b = &have->blocks[i];

		if (strcmp(b->kind, "set") && strcmp(b->kind, "map"))
			continue;
		vrf_buf_printf(before, "%s %s %s %s %s\n",
			       block_stays(b, want) ? "flush" : "delete", b->kind, f, t, b->name);
	}
	for (size_t i = 0; i < have->n_blocks; i++) {
		const struct vnft_lblock *b = &have->blocks[i];

		if (!strcmp(b->kind, "set") || !strcmp(b->kind, "map") ||
		    !strcmp(b->kind, "chain") || block_stays(b, want))
			continue;
		vrf_buf_printf(before, "delete %s %s %s %s\n", b->kind, f, t, b->name);
	}
	/* A chain that leaves goes after the file is loaded: a base chain is
	 * unhooked only once the chains that follow it have their policies. */
	for (size_t i = 0; i < have->n_blocks; i++) {
		const struct vnft_lblock *b = &have->blocks[i];

		if (strcmp(b->kind, "chain") || block_stays(b, want))
			continue;
		if (vnft_table_block(want, "chain", b->name))
			recreate_chain(before, after, have, want, b);
		else
			vrf_buf_printf(after, "delete chain %s %s %s\n", f, t, b->name);
	}
	return true;
}
