/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check, plan, destroy, version: the commands that drive the engine once. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

struct vrf_config *cmd_load(const struct options *o)
{
	return vrf_config_load(o->config);
}

int cmd_split_args(int argc, char **argv, const char *const *flags, bool *flag_set,
		   char ***ret_names, size_t *ret_n)
{
	char **names = vrf_calloc((size_t)argc + 1, sizeof(*names));
	size_t n = 0;

	for (int i = 0; i < argc; i++) {
		bool matched = false;

		for (size_t f = 0; flags && flags[f]; f++) {
			if (!strcmp(argv[i], flags[f])) {
				flag_set[f] = true;
				matched = true;
			}
		}
		if (matched)
			continue;
		if (argv[i][0] == '-') {
			fprintf(stderr, "vrfmgr: unknown option \"%s\"\n", argv[i]);
			free(names);
			return -EINVAL;
		}
		names[n++] = argv[i];
	}
	*ret_names = names;
	*ret_n = n;
	return 0;
}

int cmd_version(const struct options *o, int argc, char **argv)
{
	printf("vrfmgr %s (plugin ABI %d)\n", VRF_VERSION, VRF_PLUGIN_ABI);
	return VRF_EXIT_OK;
}

int cmd_check(const struct options *o, int argc, char **argv)
{
	struct vrf_config *cfg;

	if (argc) {
		fprintf(stderr, "vrfmgr: check takes no arguments\n");
		return VRF_EXIT_ERROR;
	}
	cfg = cmd_load(o);
	if (!cfg)
		return VRF_EXIT_ERROR;
	if (o->verbose > 0) {
		struct vrf_buf b = { 0 };

		vrf_config_print(cfg, &b);
		fputs(vrf_buf_str(&b), stdout);
		vrf_buf_free(&b);
	} else if (o->verbose == 0) {
		printf("%s: ok, %zu domain%s\n", cfg->path, cfg->n_domains,
		       cfg->n_domains == 1 ? "" : "s");
	}
	vrf_config_free(cfg);
	return VRF_EXIT_OK;
}

static bool need_root(const char *what)
{
	if (geteuid() == 0)
		return true;
	fprintf(stderr, "vrfmgr: %s needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN)\n", what);
	return false;
}

/* plan: what apply would change.  apply itself is cmd_apply() in
 * cmd-confirm.c, with the history and --confirm. */
int cmd_plan(const struct options *o, int argc, char **argv)
{
	static const char *const flags[] = { "--prune", "--adopt", NULL };
	bool flag_set[2] = { false, false };
	struct vrf_config *cfg = NULL;
	struct vrf_run *run = NULL;
	char **names = NULL;
	size_t n_names = 0, changes;
	int rc = VRF_EXIT_ERROR;

	if (cmd_split_args(argc, argv, flags, flag_set, &names, &n_names) < 0)
		return VRF_EXIT_ERROR;
	if (!need_root("plan"))
		goto out;
	cfg = cmd_load(o);
	if (!cfg)
		goto out;
	run = vrf_run_new(cfg, o->verbose, o->json);
	if (!run)
		goto out;
	run->dry_run = true;
	run->prune = flag_set[0];
	run->adopt = flag_set[1];
	/* Attached nothing: a named domain was refused, and it said so.
	 * Planning an empty run would print "no changes" and exit 0 over
	 * drift it never looked at. */
	if (vrf_run_attach(run, names, n_names) < 0 && !run->n_ns)
		goto out;
	vrf_run_plan(run);
	changes = vrf_run_count_changes(run);
	vrf_run_print_plan(run, false);
	rc = run->errors ? VRF_EXIT_ERROR : changes ? VRF_EXIT_CHANGES : VRF_EXIT_OK;
out:
	vrf_run_free(run);
	vrf_config_free(cfg);
	free(names);
	return rc;
}

int cmd_destroy(const struct options *o, int argc, char **argv)
{
	struct vrf_config *cfg;
	struct vrf_run *run;
	int rc = VRF_EXIT_OK;

	if (!argc) {
		fprintf(stderr, "vrfmgr: destroy needs DOMAIN...\n");
		return VRF_EXIT_ERROR;
	}
	if (!need_root("destroy"))
		return VRF_EXIT_ERROR;
	cfg = cmd_load(o);
	if (!cfg)
		return VRF_EXIT_ERROR;
	run = vrf_run_new(cfg, o->verbose, o->json);
	if (!run) {
		vrf_config_free(cfg);
		return VRF_EXIT_ERROR;
	}
	/* Attach without creating anything: destroy must not build a domain
	 * just to remove it. */
	run->dry_run = true;
	run->lock_fd = vrf_state_lock(cfg);
	if (run->lock_fd < 0) {
		/* Without the lock, a watch or apply running now could build
		 * again what this removes, or lose the records it edits. */
		fprintf(stderr, "vrfmgr: cannot lock %s: %s; nothing destroyed\n", cfg->state_dir,
			strerror(-run->lock_fd));
		vrf_run_free(run);
		vrf_config_free(cfg);
		return VRF_EXIT_ERROR;
	}
	vrf_run_attach(run, NULL, 0);
	for (int i = 0; i < argc; i++) {
		const char *why;

		if (!vrf_domain_name_valid(argv[i], &why)) {
			fprintf(stderr, "vrfmgr: invalid domain name \"%s\": %s\n", argv[i], why);
			rc = VRF_EXIT_ERROR;
			continue;
		}
		if (vrf_run_destroy(run, argv[i]) < 0)
			rc = VRF_EXIT_ERROR;
		else if (o->verbose >= 0)
			printf("%s  - namespace %s/%s\n", argv[i], cfg->netns_dir, argv[i]);
	}
	vrf_run_free(run);
	vrf_config_free(cfg);
	return rc;
}
