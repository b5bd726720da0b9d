// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The metrics collector.  The engine reports what only it knows (whether a
 * domain is in sync, its drift counted by the plugin kind of each planned
 * op, the last apply); every kind adds its own families through the
 * plugin's metrics slot, so the engine names no kind here either.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "metrics.h"
#include "state.h"

/* '@' is never in a domain name, so no domain's folder can take this name. */
#define LAST_APPLY_FILE	"@last-apply"

struct metric_family {
	char *name, *type, *help;
	struct vrf_buf samples;
};

struct vrf_metrics {
	struct metric_family *fam;
	size_t n, cap;
	const char *domain;
};

struct vrf_metrics *vrf_metrics_new(void)
{
	struct vrf_metrics *m = calloc(1, sizeof(*m));

	if (!m)
		abort();
	return m;
}

void vrf_metrics_free(struct vrf_metrics *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free(m->fam[i].name);
		free(m->fam[i].type);
		free(m->fam[i].help);
		vrf_buf_free(&m->fam[i].samples);
	}
	free(m->fam);
	free(m);
}

void vrf_metrics_domain(struct vrf_metrics *m, const char *domain)
{
	m->domain = domain;
}

void vrf_metrics_escape(const char *s, struct vrf_buf *out)
{
	for (; *s; s++) {
		if (*s == '\\')
			vrf_buf_puts(out, "\\\\");
		else if (*s == '"')
			vrf_buf_puts(out, "\\\"");
		else if (*s == '\n')
			vrf_buf_puts(out, "\\n");
		else
			vrf_buf_printf(out, "%c", *s);
	}
}

static struct metric_family *family_get(struct vrf_metrics *m, const char *name,
					 const char *type, const char *help)
{
	struct metric_family *f;

	/* Families are few (tens); a linear search is cheaper than a table. */
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->fam[i].name, name))
			return &m->fam[i];
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 16;
		m->fam = realloc(m->fam, m->cap * sizeof(*m->fam));
		if (!m->fam)
			abort();
	}
	f = &m->fam[m->n++];
	*f = (struct metric_family){ .name = strdup(name), .type = strdup(type),
				     .help = strdup(help) };
	if (!f->name || !f->type || !f->help)
		abort();
	return f;
}

static void label(struct vrf_buf *b, bool *first, const char *name, const char *value)
{
	vrf_buf_printf(b, "%s%s=\"", *first ? "{" : ",", name);
	vrf_metrics_escape(value, b);
	vrf_buf_puts(b, "\"");
	*first = false;
}

void vrf_metric(struct vrf_metrics *m, const char *family, const char *type, const char *help,
		double value, ...)
{
	struct metric_family *f = family_get(m, family, type, help);
	struct vrf_buf *b = &f->samples;
	bool first = true;
	const char *k;
	va_list ap;

	vrf_buf_puts(b, family);
	if (m->domain)
		label(b, &first, "domain", m->domain);
	va_start(ap, value);
	while ((k = va_arg(ap, const char *))) {
		const char *v = va_arg(ap, const char *);

		label(b, &first, k, v ? v : "");
	}
	va_end(ap);
	if (!first)
		vrf_buf_puts(b, "}");
	/* %.17g keeps every integer below 2^53 exact and a duration's
	 * fraction as it was measured. */
	vrf_buf_printf(b, " %.17g\n", value);
}

static void help_escaped(const char *s, struct vrf_buf *out)
{
	/* HELP text escapes only backslash and newline. */
	for (; *s; s++) {
		if (*s == '\\')
			vrf_buf_puts(out, "\\\\");
		else if (*s == '\n')
			vrf_buf_puts(out, "\\n");
		else
			vrf_buf_printf(out, "%c", *s);
	}
}

void vrf_metrics_print(const struct vrf_metrics *m, struct vrf_buf *out)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct metric_family *f = &m->fam[i];

		vrf_buf_printf(out, "# HELP %s ", f->name);
		help_escaped(f->help, out);
		vrf_buf_printf(out, "\n# TYPE %s %s\n", f->name, f->type);
		vrf_buf_puts(out, vrf_buf_str((struct vrf_buf *)&f->samples));
	}
}

double vrf_now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double vrf_now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int vrf_last_apply_record(const struct vrf_config *cfg, double started, double seconds, bool ok)
{
	char text[128];
	int n, r;

	n = snprintf(text, sizeof(text), "%.3f %d %.6f\n", started, ok ? 1 : 0, seconds);
	r = vrf_state_write(cfg, NULL, LAST_APPLY_FILE, text, (size_t)n);
	if (r < 0)
		fprintf(stderr, "vrfmgr: cannot record the apply in %s/%s: %s\n", cfg->state_dir,
			LAST_APPLY_FILE, strerror(-r));
	return r;
}

/* The last apply's three gauges; none when no apply was recorded. */
static void last_apply_metrics(const struct vrf_config *cfg, struct vrf_metrics *m)
{
	double started, seconds;
	char *text = NULL;
	size_t len;
	int ok;

	/* Missing (no apply yet) or untrusted (state.c warned): no samples. */
	if (vrf_state_read(cfg, NULL, LAST_APPLY_FILE, &text, &len) < 0)
		return;
	if (sscanf(text, "%lf %d %lf", &started, &ok, &seconds) == 3) {
		vrf_metrics_domain(m, NULL);
		vrf_metric(m, "vrfmgr_last_apply_timestamp_seconds", "gauge",
			   "When the last apply started, in seconds since the epoch.", started, NULL);
		vrf_metric(m, "vrfmgr_last_apply_success", "gauge",
			   "1 if the last apply succeeded, else 0.", ok ? 1 : 0, NULL);
		vrf_metric(m, "vrfmgr_last_apply_duration_seconds", "gauge",
			   "How long the last apply took.", seconds, NULL);
	}
	free(text);
}

/* in_sync and drift_objects of one planned namespace. */
static void drift_metrics(struct vrf_ns *ns, struct vrf_metrics *m)
{
	const struct vrf_plugin *const *ps;
	size_t n_p, total = ns->n_ops;
	bool missing = ns->fd < 0;

	vrf_metric(m, "vrfmgr_domain_in_sync", "gauge",
		   "1 if the domain matches the file (plan finds nothing to change), else 0.",
		   missing || total ? 0 : 1, NULL);
	ps = vrf_plugins(&n_p);
	for (size_t k = 0; k < n_p; k++) {
		size_t c = 0;

		if (!ps[k]->observe)
			continue;
		for (size_t i = 0; i < ns->n_ops; i++) {
			const struct vrf_obj *o = ns->ops[i].want ? ns->ops[i].want : ns->ops[i].have;

			c += o->plugin == ps[k];
		}
		vrf_metric(m, "vrfmgr_domain_drift_objects", "gauge",
			   "Objects that plan would add, change or delete, by kind.",
			   (double)c, "kind", ps[k]->name, NULL);
	}
	if (missing)
		vrf_metric(m, "vrfmgr_domain_drift_objects", "gauge",
			   "Objects that plan would add, change or delete, by kind.", 1,
			   "kind", "namespace", NULL);
}

/* The metrics slot of every kind for one namespace, each given the live
 * objects of its own kind. */
static int kind_metrics(struct vrf_run *run, struct vrf_ns *ns, struct vrf_metrics *m)
{
	const struct vrf_plugin *const *ps;
	struct vrf_obj **mine = calloc(ns->live.n + 1, sizeof(*mine));
	size_t n_p;
	int rc = 0;

	if (!mine)
		abort();
	ps = vrf_plugins(&n_p);
	for (size_t k = 0; k < n_p; k++) {
		size_t n = 0;
		int r;

		if (!ps[k]->metrics)
			continue;
		for (size_t i = 0; i < ns->live.n; i++)
			if (ns->live.v[i]->plugin == ps[k])
				mine[n++] = ns->live.v[i];
		r = ps[k]->metrics(run, ns, ns->domain, mine, n, m);
		if (r < 0) {
			fprintf(stderr, "%s: metrics of %s: %s\n", ns->name, ps[k]->name,
				strerror(-r));
			rc = r;
		}
	}
	free(mine);
	return rc;
}

int vrf_metrics_collect(const struct vrf_config *cfg, struct vrf_buf *out)
{
	struct vrf_metrics *m = vrf_metrics_new();
	/* Quiet: the plan's notes (unmanaged tables) would repeat on every
	 * scrape; errors still go to stderr. */
	struct vrf_run *run = vrf_run_new(cfg, -1, false);
	int rc = 0;

	if (!run) {
		vrf_metrics_free(m);
		return -ENOMEM;
	}
	/* A dry run: nothing is created, nothing locked, nothing repaired. */
	run->dry_run = true;
	rc = vrf_run_attach(run, NULL, 0);
	vrf_run_plan(run);
	for (size_t i = 0; i < run->n_ns; i++) {
		struct vrf_ns *ns = run->ns[i];

		if (!ns->domain || ns->domain->is_host)
			continue;
		vrf_metrics_domain(m, ns->name);
		/* A domain that could not be observed is neither in sync nor
		 * out of it: its samples are left out, and the exit says so. */
		if (ns->failed) {
			rc = -EIO;
			continue;
		}
		drift_metrics(ns, m);
		if (ns->fd >= 0 && kind_metrics(run, ns, m) < 0)
			rc = -EIO;
	}
	if (run->errors)
		rc = -EIO;
	last_apply_metrics(cfg, m);
	vrf_metrics_print(m, out);
	vrf_metrics_free(m);
	vrf_run_free(run);
	return rc;
}
