/* SPDX-License-Identifier: GPL-2.0-or-later */
/* status (one line per domain, --json, --dot) and audit (live firewall and
 * drift of every object). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

/* "link=2 address=3" from the desired objects of a domain. */
static void count_objects(const struct vrf_domain *d, struct vrf_buf *b, bool json)
{
	size_t n;
	const struct vrf_plugin *const *ps = vrf_plugins(&n);
	bool first = true;

	for (size_t i = 0; i < n; i++) {
		size_t c = 0;

		for (size_t k = 0; d && k < d->objs.n; k++)
			c += d->objs.v[k]->plugin == ps[i];
		if (!c)
			continue;
		if (json)
			vrf_buf_printf(b, "%s\"%s\":%zu", first ? "" : ",", ps[i]->name, c);
		else
			vrf_buf_printf(b, " %s=%zu", ps[i]->name, c);
		first = false;
	}
}

/* A run that looks and plans but never writes: what status and audit show. */
static struct vrf_run *observe_only(const struct vrf_config *cfg, const struct options *o,
				    char **names, size_t n_names)
{
	struct vrf_run *run = vrf_run_new(cfg, o->verbose, o->json);

	if (!run)
		return NULL;
	run->dry_run = true;
	vrf_run_attach(run, names, n_names);
	vrf_run_plan(run);
	return run;
}

static int print_dot(const struct vrf_config *cfg)
{
	size_t n;
	const struct vrf_plugin *const *ps = vrf_plugins(&n);
	struct vrf_buf b = { 0 };
	const struct vrf_domain *all[cfg->n_domains + 1];
	size_t na = 0;

	if (cfg->host)
		all[na++] = cfg->host;
	for (size_t i = 0; i < cfg->n_domains; i++)
		all[na++] = cfg->domains[i];
	vrf_buf_puts(&b, "digraph vrfmgr {\n\trankdir=LR;\n\tnode [shape=box];\n");
	/* The host cluster exists even without [host]: veth peers live there. */
	if (!cfg->host) {
		struct vrf_domain host = { .name = (char *)VRF_HOST, .is_host = true };

		vrf_buf_puts(&b, "\tsubgraph \"cluster_host\" {\n\t\tlabel=\"host\";\n");
		for (size_t k = 0; k < n; k++)
			if (ps[k]->dot)
				ps[k]->dot(cfg, &host, false, &b);
		vrf_buf_puts(&b, "\t}\n");
	}
	for (size_t i = 0; i < na; i++) {
		vrf_buf_printf(&b, "\tsubgraph \"cluster_%s\" {\n\t\tlabel=\"%s%s\";\n",
			       all[i]->name, all[i]->is_host ? "" : "domain ", all[i]->name);
		for (size_t k = 0; k < n; k++)
			if (ps[k]->dot)
				ps[k]->dot(cfg, all[i], false, &b);
		vrf_buf_puts(&b, "\t}\n");
	}
	for (size_t i = 0; i < na; i++)
		for (size_t k = 0; k < n; k++)
			if (ps[k]->dot)
				ps[k]->dot(cfg, all[i], true, &b);
	vrf_buf_puts(&b, "}\n");
	fputs(vrf_buf_str(&b), stdout);
	vrf_buf_free(&b);
	return VRF_EXIT_OK;
}

int cmd_status(const struct options *o, int argc, char **argv)
{
	static const char *const flags[] = { "--dot", NULL };
	bool dot[1] = { false };
	struct vrf_config *cfg;
	struct vrf_run *run = NULL;
	struct vrf_buf b = { 0 };
	char **names;
	size_t n_names;
	bool first = true, drift = false;
	int rc = VRF_EXIT_ERROR;

	if (cmd_split_args(argc, argv, flags, dot, &names, &n_names) < 0)
		return VRF_EXIT_ERROR;
	cfg = cmd_load(o);
	if (!cfg)
		goto out;
	if (dot[0]) {
		rc = print_dot(cfg);
		goto out;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "vrfmgr: status needs root to look inside the domains\n");
		goto out;
	}
	run = observe_only(cfg, o, names, n_names);
	if (!run)
		goto out;
	if (o->json)
		vrf_buf_puts(&b, "{\"domains\":[");
	for (size_t i = 0; i < run->n_ns; i++) {
		struct vrf_ns *ns = run->ns[i];
		const char *state = ns->failed ? "error" : ns->fd < 0 ? "absent" :
				    ns->n_ops ? "drift" : "in-sync";

		/* Unnamed on the command line, or the host without [host], or
		 * somebody else's namespace: not ours to report. */
		if (!ns->domain && (ns->in_file || !ns->owned || !strcmp(ns->name, VRF_HOST)))
			continue;
		if (!ns->domain)
			state = "orphan";
		drift |= strcmp(state, "in-sync") != 0;
		if (o->json) {
			vrf_buf_printf(&b, "%s{\"domain\":", first ? "" : ",");
			vrf_buf_json_str(&b, ns->name);
			vrf_buf_printf(&b, ",\"present\":%s,\"owned\":%s,\"state\":\"%s\","
				       "\"changes\":%zu,\"objects\":{",
				       ns->fd >= 0 ? "true" : "false", ns->owned ? "true" : "false",
				       state, ns->n_ops);
			count_objects(ns->domain, &b, true);
			vrf_buf_puts(&b, "}}");
		} else {
			vrf_buf_printf(&b, "%-16s %-8s %-8s %-8s", ns->name,
				       ns->fd >= 0 ? "present" : "absent",
				       ns->owned ? "owned" : "foreign", state);
			if (ns->n_ops)
				vrf_buf_printf(&b, " changes=%zu", ns->n_ops);
			count_objects(ns->domain, &b, false);
			vrf_buf_puts(&b, "\n");
		}
		first = false;
	}
	if (o->json)
		vrf_buf_puts(&b, "]");
	vrf_confirm_status(cfg, &b, o->json);
	if (o->json)
		vrf_buf_puts(&b, "}\n");
	fputs(vrf_buf_str(&b), stdout);
	rc = run->errors ? VRF_EXIT_ERROR : VRF_EXIT_OK;
	(void)drift;
out:
	vrf_buf_free(&b);
	vrf_run_free(run);
	vrf_config_free(cfg);
	free(names);
	return rc;
}

int cmd_audit(const struct options *o, int argc, char **argv)
{
	size_t n_plugins;
	const struct vrf_plugin *const *ps = vrf_plugins(&n_plugins);
	struct vrf_config *cfg;
	struct vrf_run *run = NULL;
	struct vrf_buf b = { 0 };
	char **names;
	size_t n_names;
	bool first = true, drift = false;
	int rc = VRF_EXIT_ERROR;

	if (cmd_split_args(argc, argv, NULL, NULL, &names, &n_names) < 0)
		return VRF_EXIT_ERROR;
	if (geteuid() != 0) {
		fprintf(stderr, "vrfmgr: audit needs root to look inside the domains\n");
		goto out_names;
	}
	cfg = cmd_load(o);
	if (!cfg)
		goto out_names;
	run = observe_only(cfg, o, names, n_names);
	if (!run)
		goto out;
	if (o->json)
		vrf_buf_puts(&b, "{\"domains\":[");
	for (size_t i = 0; i < run->n_ns; i++) {
		struct vrf_ns *ns = run->ns[i];
		bool ns_drift = ns->n_ops || ns->fd < 0;

		if (!ns->domain)
			continue;
		drift |= ns_drift;
		if (o->json) {
			vrf_buf_printf(&b, "%s{\"domain\":", first ? "" : ",");
			vrf_buf_json_str(&b, ns->name);
			vrf_buf_printf(&b, ",\"present\":%s,\"in_sync\":%s,\"drift\":[",
				       ns->fd >= 0 ? "true" : "false", ns_drift ? "false" : "true");
			for (size_t k = 0; k < ns->n_ops; k++) {
				struct vrf_buf t = { 0 };

				vrf_op_format(&ns->ops[k], &t);
				vrf_buf_printf(&b, "%s", k ? "," : "");
				vrf_buf_json_str(&b, vrf_buf_str(&t));
				vrf_buf_free(&t);
			}
			vrf_buf_puts(&b, "]");
		} else {
			vrf_buf_printf(&b, "domain %s: %s\n", ns->name,
				       ns->fd < 0 ? "absent" : ns_drift ? "DRIFT" : "in sync");
		}
		for (size_t k = 0; k < n_plugins && ns->fd >= 0; k++) {
			if (!ps[k]->audit)
				continue;
			if (o->json)
				vrf_buf_puts(&b, ",");
			if (ps[k]->audit(run, ns, ns->domain, &b, o->json) > 0)
				drift = true;
		}
		if (o->json) {
			vrf_buf_puts(&b, "}");
		} else {
			for (size_t k = 0; k < ns->n_ops; k++) {
				vrf_buf_puts(&b, "  drift: ");
				vrf_op_format(&ns->ops[k], &b);
				vrf_buf_puts(&b, "\n");
			}
		}
		first = false;
	}
	if (o->json)
		vrf_buf_printf(&b, "],\"in_sync\":%s}\n", drift ? "false" : "true");
	fputs(vrf_buf_str(&b), stdout);
	rc = run->errors ? VRF_EXIT_ERROR : drift ? VRF_EXIT_CHANGES : VRF_EXIT_OK;
out:
	vrf_buf_free(&b);
	vrf_run_free(run);
	vrf_config_free(cfg);
out_names:
	free(names);
	return rc;
}
