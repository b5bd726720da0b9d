/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engine's diff, apply order and rollback, on an in-memory "kernel":
 * a fake plugin whose objects are KEY=VALUE pairs.  No root, no kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "nl.h"

struct fake {
	struct vrf_obj obj;
	char key[32];
	char val[32];
};

static struct { char key[32], val[32]; } kernel[64];
static size_t n_kernel;
static char refuse_key[32];	/* apply fails on this key */
static unsigned applies;
/* The kinds of the ops apply() was handed, in the order it got them. */
static char seen[64];
static size_t n_seen;

static const struct vrf_plugin fake_plugin;

static int fake_parse(struct vrf_config *cfg, struct vrf_domain *d, const struct vrf_loc *loc,
		      const char *key, const char *value)
{
	struct fake *f = vrf_obj_new(&fake_plugin, sizeof(*f), loc);

	if (sscanf(value, "%31[^=]=%31s", f->key, f->val) != 2) {
		vrf_error(cfg, loc, "fake: KEY=VALUE");
		free(f);
		return -EINVAL;
	}
	return vrf_domain_add(d, &f->obj);
}

static int fake_compare(const struct vrf_obj *a, const struct vrf_obj *b)
{
	return strcmp(((const struct fake *)a)->key, ((const struct fake *)b)->key);
}

static bool fake_equal(const struct vrf_obj *a, const struct vrf_obj *b)
{
	return !strcmp(((const struct fake *)a)->val, ((const struct fake *)b)->val);
}

static int fake_observe(struct vrf_run *run, struct vrf_ns *ns, const struct vrf_domain *d,
			struct vrf_objv *out)
{
	for (size_t i = 0; i < n_kernel; i++) {
		struct fake *f = vrf_obj_new(&fake_plugin, sizeof(*f), NULL);

		strcpy(f->key, kernel[i].key);
		strcpy(f->val, kernel[i].val);
		vrf_objv_push(out, &f->obj);
	}
	return 0;
}

static size_t kfind(const char *key)
{
	size_t i = 0;

	while (i < n_kernel && strcmp(kernel[i].key, key))
		i++;
	return i;
}

static int fake_apply(struct vrf_run *run, struct vrf_ns *ns, const struct vrf_domain *d,
		      struct vrf_op *ops, size_t n)
{
	int r = 0;

	applies++;
	for (size_t k = 0; k < n && n_seen + 1 < sizeof(seen); k++)
		seen[n_seen++] = "+-~"[ops[k].kind];
	for (size_t k = 0; k < n; k++) {
		const struct fake *w = (const struct fake *)ops[k].want;
		const struct fake *h = (const struct fake *)ops[k].have;
		size_t i;

		if (w && !strcmp(w->key, refuse_key)) {
			vrf_op_fail(&ops[k], r = -EINVAL, "refused by the %s", "test");
			continue;
		}
		switch (ops[k].kind) {
		case VRF_OP_ADD:
			strcpy(kernel[n_kernel].key, w->key);
			strcpy(kernel[n_kernel++].val, w->val);
			break;
		case VRF_OP_CHANGE:
			strcpy(kernel[kfind(w->key)].val, w->val);
			break;
		case VRF_OP_DEL:
			i = kfind(h->key);
			kernel[i] = kernel[--n_kernel];
			break;
		}
	}
	return r;
}

static void fake_format(const struct vrf_obj *o, struct vrf_buf *out)
{
	vrf_buf_printf(out, "%s=%s", ((const struct fake *)o)->key, ((const struct fake *)o)->val);
}

static const char *const fake_keys[] = { "fake", NULL };
static const struct vrf_plugin fake_plugin = {
	.abi = VRF_PLUGIN_ABI, .name = "fake", .keys = fake_keys, .stage = 99,
	.parse = fake_parse, .compare = fake_compare, .equal = fake_equal,
	.observe = fake_observe, .apply = fake_apply, .format = fake_format,
};

static int fails;
#define CHECK(cond, what) do { \
	if (cond) printf("ok - %s\n", what); \
	else { printf("FAIL - %s (%s:%d)\n", what, __FILE__, __LINE__); fails++; } \
} while (0)

static void kset(const char *spec)
{
	char buf[256], *tok, *save;

	n_kernel = 0;
	snprintf(buf, sizeof(buf), "%s", spec);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		sscanf(tok, "%31[^=]=%31s", kernel[n_kernel].key, kernel[n_kernel].val);
		n_kernel++;
	}
}

static bool khas(const char *key, const char *val)
{
	size_t i = kfind(key);

	return i < n_kernel && !strcmp(kernel[i].val, val);
}

/* A run over one domain whose namespace "exists" (the test's own). */
static struct vrf_run *new_run(struct vrf_config *cfg)
{
	struct vrf_run *run = vrf_run_new(cfg, -1, false);

	run->dry_run = true;	/* attach must not create anything */
	vrf_run_attach(run, NULL, 0);
	for (size_t i = 0; i < run->n_ns; i++)
		if (run->ns[i]->fd < 0)
			run->ns[i]->fd = dup(run->host_fd);
	run->dry_run = false;
	return run;
}

static const char *op_text(struct vrf_run *run, size_t ns, size_t k, struct vrf_buf *b)
{
	vrf_buf_reset(b);
	vrf_op_format(&run->ns[ns]->ops[k], b);
	return vrf_buf_str(b);
}

/* Two runs alive at once (watch makes one per pass): each namespace finds
 * its way back through its own run, whichever run was made or freed last,
 * and nl.c keeps one wrapper per namespace and bus in the namespace itself.
 * Entering a namespace needs CAP_SYS_ADMIN, so without it this is skipped. */
static void test_two_runs(struct vrf_config *cfg)
{
	struct vrf_run *a = new_run(cfg), *b = new_run(cfg);
	struct vrf_ns *ns = a->ns[a->n_ns - 1];
	struct vrf_nl *nl;

	vrf_run_free(b);
	if (vrf_ns_enter(ns) == -EPERM) {
		printf("ok - (not root: entering a namespace is skipped)\n");
		vrf_run_free(a);
		return;
	}
	CHECK(a->current == ns && a->n_entered == 1, "the ns's own run records the entry");
	vrf_ns_leave(ns);
	CHECK(a->current == NULL && a->n_entered == 0, "and the way back, with the other run gone");
	nl = vrf_nl_get(ns, NETLINK_ROUTE);
	CHECK(nl && ns->nl == nl && vrf_nl_get(ns, NETLINK_ROUTE) == nl,
	      "one netlink wrapper per namespace and bus, kept in the namespace");
	CHECK(a->ns[0] != ns && vrf_nl_get(a->ns[0], NETLINK_ROUTE) != nl,
	      "another namespace has its own");
	vrf_run_free(a);
}

int main(void)
{
	char path[] = "/tmp/vrf-engine-XXXXXX";
	struct vrf_config *cfg;
	struct vrf_run *run;
	struct vrf_buf b = { 0 };
	FILE *f;
	int fd;

	if (vrf_plugin_register(NULL, NULL, &fake_plugin, "test") < 0)
		return 1;
	fd = mkstemp(path);
	f = fdopen(fd, "w");
	fputs("[domain d]\nfake = c=3\nfake = a=1\nfake = b=2\n", f);
	fclose(f);
	cfg = vrf_config_load(path);
	CHECK(cfg != NULL, "config with the fake kind loads");
	if (!cfg)
		return 1;

	/* Diff: one sort, one walk; within a kind deletions, then changes,
	 * then additions, which is also the order apply() gets them in. */
	kset("b=2 c=9 d=4");
	run = new_run(cfg);
	vrf_run_plan(run);
	CHECK(run->ns[1]->n_ops == 3, "three changes");
	CHECK(!strcmp(op_text(run, 1, 0, &b), "- fake d=4"), "delete comes first");
	CHECK(!strcmp(op_text(run, 1, 1, &b), "~ fake c=3"), "then change c");
	CHECK(!strcmp(op_text(run, 1, 2, &b), "+ fake a=1"), "then add a");
	CHECK(run->ns[0]->n_ops == 0, "no [host] section: host is not reconciled");

	/* Apply, then a second plan is empty and sends nothing. */
	n_seen = 0;
	CHECK(vrf_run_apply(run) == 0, "apply succeeds");
	seen[n_seen] = 0;
	CHECK(!strcmp(seen, "-~+"), "apply() gets deletions, changes, additions in turn");
	CHECK(n_kernel == 3 && khas("a", "1") && khas("b", "2") && khas("c", "3"),
	      "kernel matches the file");
	vrf_run_free(run);
	run = new_run(cfg);
	vrf_run_plan(run);
	applies = 0;
	CHECK(vrf_run_count_changes(run) == 0, "second plan is empty");
	vrf_run_apply(run);
	CHECK(applies == 0, "second apply sends no write");
	vrf_run_free(run);

	/* Rollback: the kernel refuses one op; the domain returns to what
	 * was observed before the run. */
	kset("b=7 d=4");
	snprintf(refuse_key, sizeof(refuse_key), "c");
	run = new_run(cfg);
	vrf_run_plan(run);
	CHECK(vrf_run_apply(run) < 0, "apply reports the failure");
	CHECK(n_kernel == 2 && khas("b", "7") && khas("d", "4") && kfind("a") == n_kernel,
	      "rolled back to the observed state");
	CHECK(run->errors == 1, "one error counted");
	vrf_run_free(run);
	refuse_key[0] = '\0';

	/* vrf_op_fail(): an op keeps its first failure and that one's text. */
	{
		struct vrf_op op = { .kind = VRF_OP_ADD };

		vrf_op_fail(&op, -ENODEV, "device %s does not exist", "lan0");
		vrf_op_fail(&op, -EINVAL, "the batch's ACK after it");
		CHECK(op.err == -ENODEV && op.errmsg &&
		      !strcmp(op.errmsg, "device lan0 does not exist"),
		      "vrf_op_fail keeps the first error and formats its text");
		free(op.errmsg);
		op = (struct vrf_op){ .kind = VRF_OP_DEL };
		vrf_op_fail(&op, -EIO, NULL);
		CHECK(op.err == -EIO && !op.errmsg, "vrf_op_fail without text leaves errmsg NULL");
	}

	test_two_runs(cfg);
	vrf_buf_free(&b);
	vrf_config_free(cfg);
	unlink(path);
	printf("%s\n", fails ? "FAILED" : "all passed");
	return fails != 0;
}
