/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One function per command, dispatched from the table in main.c. */
#ifndef VRF_COMMANDS_H
#define VRF_COMMANDS_H

#include <stdbool.h>

#include "engine.h"

struct vrf_hist;

#define VRF_EXIT_OK	0
#define VRF_EXIT_ERROR	1
#define VRF_EXIT_CHANGES 2

struct options {
	const char *config;
	int verbose;		/* -1 quiet, 0 normal, >0 verbose */
	bool json;
};

struct command {
	const char *name;
	int (*fn)(const struct options *o, int argc, char **argv);
	const char *args;
	const char *help;
};

int cmd_check(const struct options *o, int argc, char **argv);
int cmd_plan(const struct options *o, int argc, char **argv);
int cmd_apply(const struct options *o, int argc, char **argv);
int cmd_audit(const struct options *o, int argc, char **argv);
int cmd_status(const struct options *o, int argc, char **argv);
int cmd_exec(const struct options *o, int argc, char **argv);
int cmd_destroy(const struct options *o, int argc, char **argv);
int cmd_watch(const struct options *o, int argc, char **argv);
int cmd_metrics(const struct options *o, int argc, char **argv);
int cmd_version(const struct options *o, int argc, char **argv);
/* cmd-confirm.c: apply with history, --confirm and --no-disruptive. */
int cmd_confirm(const struct options *o, int argc, char **argv);
int cmd_history(const struct options *o, int argc, char **argv);
int cmd_rollback(const struct options *o, int argc, char **argv);
int cmd_undo_timer(const struct options *o, int argc, char **argv);
/* Which configuration holds now; apply and each watch pass ask, under the
 * state lock (*lock_fd). */
enum vrf_in_force {
	VRF_FORCE_FILE,		/* the file: nothing pending, or a pending change
				 * that its undo process still watches */
	VRF_FORCE_UNDONE,	/* a pending change whose undo did not happen was
				 * undone just now (*lock_fd consumed, *ret_rc) */
	VRF_FORCE_RESTORED,	/* the newest change was rolled back: its restore
				 * point holds until a newer entry */
};
/* *h: the change pending or rolled back (h->restore is what holds). */
enum vrf_in_force vrf_in_force(const struct options *o, const struct vrf_config *cfg,
			       int *lock_fd, struct vrf_hist *h, int *ret_rc);
/* The change awaiting confirmation, for status: a text line, or a JSON
 * member ",\"pending\":..." (null when none). */
void vrf_confirm_status(const struct vrf_config *cfg, struct vrf_buf *b, bool json);

/* Shared by the commands: load the config (NULL after printing errors),
 * split DOMAIN... arguments from --flags. */
struct vrf_config *cmd_load(const struct options *o);
int cmd_split_args(int argc, char **argv, const char *const *flags, bool *flag_set,
		   char ***ret_names, size_t *ret_n);

#endif
