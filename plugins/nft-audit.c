/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft: audit() of a domain's firewall, table by table and block by block,
 * with the counters of the live rules.  Split from nft.c (issue 13).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nft-int.h"

enum tstate { T_IN_SYNC, T_DRIFT, T_MISSING, T_EXTRA, T_UNMANAGED };

static const char *const tstate_text[] = { "in sync", "drift", "missing", "extra", "unmanaged" };
static const char *const tstate_json[] = { "in_sync", "drift", "missing", "extra", "unmanaged" };

struct audit {
	struct vrf_buf *out;
	bool json;
	bool first_table;
};

static void json_kv(struct vrf_buf *b, const char *key, const char *value, bool comma)
{
	if (comma)
		vrf_buf_puts(b, ",");
	vrf_buf_json_str(b, key);
	vrf_buf_puts(b, ":");
	if (value)
		vrf_buf_json_str(b, value);
	else
		vrf_buf_puts(b, "null");
}

struct rule_walk {
	struct audit *a;
	char **hdisp;		/* live rules as shown (with counters) */
	size_t n_hdisp;
	char **wdisp;		/* the file's rules */
	bool first;
	const char *key;	/* "rule" in a chain, "line" in a set */
};

static void audit_rule(struct rule_walk *rw, const char *text, const char *state)
{
	struct vrf_buf *b = rw->a->out;
	unsigned long long pk, by;

	if (rw->a->json) {
		vrf_buf_puts(b, rw->first ? "{" : ",{");
		json_kv(b, rw->key, text, false);
		if (state)
			json_kv(b, "state", state, true);
		if (vnft_rule_counter(text, &pk, &by))
			vrf_buf_printf(b, ",\"packets\":%llu,\"bytes\":%llu", pk, by);
		vrf_buf_puts(b, "}");
	} else if (!state || !strcmp(state, "in_sync")) {
		vrf_buf_printf(b, "        %s\n", text);
	} else {
		vrf_buf_printf(b, "      %s: %s\n", state, text);
	}
	rw->first = false;
}

static void audit_align_cb(void *data, char op, long ia, long ib)
{
	struct rule_walk *rw = data;

	if (op == ' ')
		audit_rule(rw, (size_t)ia < rw->n_hdisp ? rw->hdisp[ia] : "?", "in_sync");
	else if (op == '-')
		audit_rule(rw, (size_t)ia < rw->n_hdisp ? rw->hdisp[ia] : "?", "extra");
	else
		audit_rule(rw, rw->wdisp[ib], "missing");
}

/* The state of one block: the table's own for a table that is not
 * compared, else whether the live block and the file's agree. */
static const char *block_state(const struct vnft_lblock *h, const struct vnft_lblock *w,
			       enum tstate ts)
{
	const char *state;
	char *x, *y;

	if (ts == T_UNMANAGED || ts == T_EXTRA)
		return tstate_json[ts];
	if (!h)
		return "missing";
	if (!w)
		return "extra";
	x = vnft_block_norm(h);
	y = vnft_block_norm(w);
	state = strcmp(x, y) ? "drift" : "in_sync";
	free(x);
	free(y);
	return state;
}

/* The block's heading: kind, name, a chain's specification (live, and the
 * file's when it differs) and its state; in JSON, up to its list of rules
 * or lines. */
static void audit_block_head(struct audit *a, const struct vnft_lblock *any, const char *state,
			     const char *hspec, const char *wspec, bool *first)
{
	bool chain = !strcmp(any->kind, "chain");
	const char *spec = hspec ? hspec : wspec;
	struct vrf_buf *b = a->out;
	struct vnft_chain_spec cs;
	bool spec_ok = vnft_chain_spec_parse(spec, &cs);

	if (a->json) {
		vrf_buf_puts(b, *first ? "{" : ",{");
		json_kv(b, "kind", any->kind, false);
		json_kv(b, "name", any->name, true);
		if (chain) {
			json_kv(b, "type", spec_ok ? cs.type : NULL, true);
			json_kv(b, "hook", spec_ok ? cs.hook : NULL, true);
			json_kv(b, "priority", spec_ok ? cs.priority : NULL, true);
			json_kv(b, "policy", spec_ok ? cs.policy : NULL, true);
			if (spec_ok && cs.device)
				json_kv(b, "device", cs.device, true);
		}
		json_kv(b, "state", state, true);
		if (chain && hspec && wspec && strcmp(hspec, wspec))
			json_kv(b, "file_spec", wspec, true);
		vrf_buf_puts(b, chain ? ",\"rules\":[" : ",\"lines\":[");
	} else {
		vrf_buf_printf(b, "    %s %s", any->kind, any->name);
		if (chain && spec[0])
			vrf_buf_printf(b, " (%s)", spec);
		vrf_buf_printf(b, ": %s\n", !strcmp(state, "in_sync") ? "in sync" : state);
		if (chain && hspec && wspec && strcmp(hspec, wspec))
			vrf_buf_printf(b, "      the file has: %s\n", wspec[0] ? wspec : "(no type)");
	}
	if (spec_ok)
		vnft_chain_spec_free(&cs);
}

/* Sets, maps, named objects with as many lines live as in the file: line
 * by line, and the elements of a set one by one.  hn, wn: the normalized
 * lines; wd: the file's as shown. */
static void audit_lines(struct rule_walk *rw, char **hn, char **wn, char **wd, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char **he, **we;
		size_t nhe, nwe, x = 0, y = 0;

		if (!strcmp(hn[i], wn[i])) {
			audit_rule(rw, rw->hdisp[i], "in_sync");
			continue;
		}
		if (!vnft_elements(hn[i], &he, &nhe) || !vnft_elements(wn[i], &we, &nwe)) {
			vnft_strv_free(he, nhe);
			audit_rule(rw, rw->hdisp[i], "extra");
			audit_rule(rw, wd[i], "missing");
			continue;
		}
		audit_rule(rw, rw->hdisp[i], "drift");
		while (x < nhe || y < nwe) {
			int c = x == nhe ? 1 : y == nwe ? -1 : strcmp(he[x], we[y]);
			char *el;

			if (c == 0) {
				x++, y++;
				continue;
			}
			el = vrf_asprintf("element %s", c < 0 ? he[x] : we[y]);
			audit_rule(rw, el, c < 0 ? "extra" : "missing");
			free(el);
			if (c < 0)
				x++;
			else
				y++;
		}
		vnft_strv_free(he, nhe);
		vnft_strv_free(we, nwe);
	}
}

/* One block (chain, set, ...) of a table.  h: live (stateless), hf: live
 * as shown (with counters), w: the file's; any of them may be NULL. */
static void audit_block(struct audit *a, const struct vnft_lblock *h, const struct vnft_lblock *hf,
			const struct vnft_lblock *w, enum tstate ts, bool *first)
{
	const struct vnft_lblock *any = h ? h : w;
	bool chain = !strcmp(any->kind, "chain");
	bool compared = ts != T_UNMANAGED && ts != T_EXTRA;
	char **hn = NULL, **hd = NULL, **wn = NULL, **wd = NULL, **fn = NULL, **fd = NULL;
	char *hspec = NULL, *wspec = NULL, *fspec = NULL;
	size_t nh = 0, nw = 0, nf = 0;
	struct rule_walk rw = { .a = a, .first = true, .key = chain ? "rule" : "line" };

	if (h)
		vnft_block_split(h, &hn, &hd, &nh, &hspec);
	if (hf)
		vnft_block_split(hf, &fn, &fd, &nf, &fspec);
	if (w)
		vnft_block_split(w, &wn, &wd, &nw, &wspec);
	/* Rules are shown with their counters when the stateful listing
	 * lines up with the stateless one (it always should). */
	rw.hdisp = hf && nf == nh ? fd : hd;
	rw.n_hdisp = nh;
	rw.wdisp = wd;
	audit_block_head(a, any, block_state(h, w, ts), hspec, wspec, first);
	if (!chain && h && w && nh == nw && compared) {
		audit_lines(&rw, hn, wn, wd, nh);
	} else if (!compared || !w || !h) {
		/* Nothing to line up: show what is there. */
		for (size_t i = 0; i < (h ? nh : nw); i++)
			audit_rule(&rw, h ? rw.hdisp[i] : wd[i],
				   !compared ? NULL : !h ? "missing" : "extra");
	} else {
		vnft_align(hn, nh, wn, nw, audit_align_cb, &rw);
	}
	if (a->json)
		vrf_buf_puts(a->out, "]}");
	*first = false;
	vnft_strv_free(hn, nh);
	vnft_strv_free(hd, nh);
	vnft_strv_free(fn, nf);
	vnft_strv_free(fd, nf);
	vnft_strv_free(wn, nw);
	vnft_strv_free(wd, nw);
	free(hspec);
	free(fspec);
	free(wspec);
}

static void audit_table(struct audit *a, const struct vnft_ltable *h, const struct vnft_ltable *hf,
			const struct vnft_ltable *w, enum tstate ts, const char *why)
{
	const struct vnft_ltable *any = h ? h : w;
	struct vrf_buf *b = a->out;
	bool first = true;

	if (a->json) {
		char *id;

		id = vrf_asprintf("%s %s", any->family, any->name);
		vrf_buf_puts(b, a->first_table ? "{" : ",{");
		json_kv(b, "table", id, false);
		json_kv(b, "family", any->family, true);
		json_kv(b, "name", any->name, true);
		json_kv(b, "state", tstate_json[ts], true);
		vrf_buf_printf(b, ",\"managed\":%s", ts == T_UNMANAGED ? "false" : "true");
		free(id);
		if (ts == T_DRIFT) {
			struct vrf_buf d = { 0 };
			const char *p;

			vnft_table_diff(w, h, &d, "", 0);
			vrf_buf_puts(b, ",\"diff\":[");
			p = vrf_buf_str(&d);
			for (bool f = true; *p; f = false) {
				const char *e;

				p++;	/* the '\n' in front of each line */
				e = strchrnul(p, '\n');
				{
					char *line = vrf_strndup(p, (size_t)(e - p));

					if (!f)
						vrf_buf_puts(b, ",");
					vrf_buf_json_str(b, line);
					free(line);
				}
				p = e;
			}
			vrf_buf_puts(b, "]");
			vrf_buf_free(&d);
		}
		vrf_buf_puts(b, ",\"blocks\":[");
	} else {
		vrf_buf_printf(b, "  table %s %s: %s%s%s%s\n", any->family, any->name,
			       tstate_text[ts], why ? " (" : "", why ? why : "", why ? ")" : "");
	}
	a->first_table = false;
	for (size_t i = 0; h && i < h->n_blocks; i++) {
		const struct vnft_lblock *hb = &h->blocks[i];

		audit_block(a, hb, vnft_table_block(hf, hb->kind, hb->name),
			    vnft_table_block(w, hb->kind, hb->name), ts, &first);
	}
	for (size_t i = 0; w && i < w->n_blocks; i++) {
		const struct vnft_lblock *wb = &w->blocks[i];

		if (!vnft_table_block(h, wb->kind, wb->name))
			audit_block(a, NULL, NULL, wb, ts, &first);
	}
	if (a->json)
		vrf_buf_puts(b, "]}");
}

int nft_audit(struct vrf_run *run, struct vrf_ns *ns, const struct vrf_domain *d,
	      struct vrf_buf *out, bool json)
{
	const struct vrf_config *cfg = vrf_run_config(run);
	struct nft_src *src = nftp_domain_src(d);
	struct vnft_listing live = { 0 }, full = { 0 };
	struct vnft_decls rec = { 0 };
	struct audit a = { .out = out, .json = json, .first_table = true };
	struct nft_ctx *ctx;
	char *why = NULL;
	int r;

	r = nftp_record_read(cfg, vrf_ns_name(ns), &rec);
	if (r < 0)
		goto out;
	if (src && nftp_src_canon(run, src) < 0)
		src = NULL;	/* reported; the live tables are still shown */
	ctx = nftp_ctx_get(run, ns, &r);
	if (!ctx)
		goto out;
	r = nftp_list_ruleset(ctx, true, &live, NULL);
	if (r == 0)
		r = nftp_list_ruleset(ctx, false, &full, NULL);
	nftp_ctx_done(ns, false);
	if (r < 0)
		goto out;
	for (size_t i = 0; src && i < live.n; i++) {
		char *norm = vnft_table_norm(&live.v[i]);
		bool doubt = nftp_canon_doubtful(src, live.v[i].family, live.v[i].name, norm);

		free(norm);
		if (doubt) {
			if (nftp_canon_redo(run, src) < 0)
				src = NULL;	/* reported; the live tables are still shown */
			break;
		}
	}
	if (json)
		vrf_buf_puts(out, "\"firewall\":[");
	else if (!live.n && !(src && src->file.decls.n))
		vrf_buf_puts(out, "  firewall: no tables\n");
	why = vrf_asprintf("not declared in %s; left alone",
			   src ? src->file.path : "an nft_file");
	for (size_t i = 0; i < live.n; i++) {
		const struct vnft_ltable *h = &live.v[i];
		const struct vnft_ltable *hf = vnft_listing_find(&full, h->family, h->name);
		bool declared = src && nftp_decls_has(&src->file.decls, h->family, h->name);
		const struct vnft_ltable *w = declared ?
					      vnft_listing_find(&src->form.listing, h->family, h->name) : NULL;

		if (declared) {
			char *x = vnft_table_norm(h), *y = w ? vnft_table_norm(w) : NULL;

			audit_table(&a, h, hf, w, y && !strcmp(x, y) ? T_IN_SYNC : T_DRIFT, NULL);
			free(x);
			free(y);
		} else if (nftp_decls_has(&rec, h->family, h->name)) {
			audit_table(&a, h, hf, NULL, T_EXTRA,
				    "owned, no longer in the file; apply deletes it");
		} else {
			audit_table(&a, h, hf, NULL, T_UNMANAGED, why);
		}
	}
	for (size_t i = 0; src && i < src->file.decls.n; i++) {
		const struct vnft_decl *dc = &src->file.decls.v[i];
		const struct vnft_ltable *w = vnft_listing_find(&src->form.listing, dc->family, dc->name);

		if (!vnft_listing_find(&live, dc->family, dc->name) && w)
			audit_table(&a, NULL, NULL, w, T_MISSING, NULL);
	}
	if (json)
		vrf_buf_puts(out, "]");
out:
	free(why);
	vnft_listing_free(&live);
	vnft_listing_free(&full);
	vnft_decls_free(&rec);
	/* Drift of owned tables is in the plan already; unmanaged tables are
	 * not drift. */
	return r < 0 ? r : 0;
}
