/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Safe change on a live router: apply (with --confirm and --no-disruptive),
 * confirm, rollback, and the undo process that returns to the last
 * confirmed configuration when a change is not confirmed in time.
 *
 * The undo process is this binary again (/proc/self/exe undo-timer),
 * started in a session of its own by a double fork with its stdio on
 * /dev/null, so the SSH connection that ran apply may drop.  It polls the
 * history once a second: a second apply --confirm moves the deadline there,
 * confirm marks the entry confirmed (and stops the process).  Every step
 * that decides takes the state lock first, so the undo and a confirm never
 * both win.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "commands.h"
#include "metrics.h"
#include "history.h"
#include "state.h"

struct safe_opts {
	bool prune, adopt, no_disruptive, dry_run;
	unsigned long long confirm;	/* seconds; 0: apply for good */
	char command[256];		/* for the history */
};

/* Say it on stderr and in the journal: an undo at boot is read there. */
static void notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void notice(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("vrfmgr: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	va_start(ap, fmt);
	openlog("vrfmgr", LOG_PID, LOG_DAEMON);
	vsyslog(LOG_WARNING, fmt, ap);
	closelog();
	va_end(ap);
}

static int parse_args(const char *cmd, int argc, char **argv, bool allow_dry_run,
		      struct safe_opts *so, char ***ret_names, size_t *ret_n)
{
	char **names = vrf_calloc((size_t)argc + 1, sizeof(*names));
	size_t n = 0, len;

	len = (size_t)snprintf(so->command, sizeof(so->command), "%s", cmd);
	for (int i = 0; i < argc; i++) {
		const char *v = NULL;

		if (len < sizeof(so->command))
			len += (size_t)snprintf(so->command + len, sizeof(so->command) - len, " %s",
						argv[i]);
		if (!strcmp(argv[i], "--prune")) {
			so->prune = true;
		} else if (!strcmp(argv[i], "--adopt")) {
			so->adopt = true;
		} else if (!strcmp(argv[i], "--no-disruptive")) {
			so->no_disruptive = true;
		} else if (allow_dry_run && !strcmp(argv[i], "--dry-run")) {
			so->dry_run = true;
		} else if (!strncmp(argv[i], "--confirm=", 10)) {
			v = argv[i] + 10;
		} else if (!strcmp(argv[i], "--confirm")) {
			if (i + 1 == argc)
				goto bad_confirm;
			v = argv[++i];
			if (len < sizeof(so->command))
				len += (size_t)snprintf(so->command + len, sizeof(so->command) - len,
							" %s", v);
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "vrfmgr: unknown option \"%s\"\n", argv[i]);
			goto fail;
		} else {
			names[n++] = argv[i];
		}
		if (v && vrf_parse_uint(v, 1, 86400, &so->confirm) < 0)
			goto bad_confirm;
	}
	*ret_names = names;
	*ret_n = n;
	return 0;
bad_confirm:
	fprintf(stderr, "vrfmgr: --confirm takes a number of seconds from 1 to 86400\n");
fail:
	free(names);
	return -EINVAL;
}

static bool need_root(const char *what)
{
	if (geteuid() == 0)
		return true;
	fprintf(stderr, "vrfmgr: %s needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN)\n", what);
	return false;
}

static void fill_who(struct vrf_hist *h, const char *command, size_t changes)
{
	const char *sudo = getenv("SUDO_USER");

	h->time = (long long)time(NULL);
	if (sudo && *sudo)
		snprintf(h->user, sizeof(h->user), "%s", sudo);
	else
		snprintf(h->user, sizeof(h->user), "uid %u", (unsigned)getuid());
	snprintf(h->command, sizeof(h->command), "%s", command);
	h->changes = (unsigned)changes;
}

/* Apply cfg as a whole (owned domains it does not name are removed when
 * prune), under lock_fd when it is not -1.  Returns 0 or VRF_EXIT_ERROR. */
static int apply_config(const struct options *o, const struct vrf_config *cfg, int lock_fd,
			bool prune)
{
	struct vrf_run *run = vrf_run_new(cfg, o->verbose, o->json);
	double started = vrf_now_real(), t0 = vrf_now_mono();
	int rc;

	if (!run) {
		if (lock_fd >= 0)
			close(lock_fd);
		return VRF_EXIT_ERROR;
	}
	run->lock_fd = lock_fd;
	run->prune = prune;
	if (vrf_run_attach(run, NULL, 0) < 0 && !run->n_ns) {
		vrf_run_free(run);
		return VRF_EXIT_ERROR;
	}
	vrf_run_plan(run);
	vrf_run_apply(run);
	rc = run->errors ? VRF_EXIT_ERROR : VRF_EXIT_OK;
	/* A restore is an apply too, for `metrics`. */
	vrf_last_apply_record(cfg, started, vrf_now_mono() - t0, rc == VRF_EXIT_OK);
	vrf_run_free(run);
	return rc;
}

/* Return to the entry that pending h was made against.  by_apply: the undo
 * process is gone (or late) and apply does it instead. */
static int restore_pending(const struct options *o, const char *hdir, unsigned id, int lock_fd,
			   bool by_apply)
{
	struct vrf_hist h, back;
	struct vrf_config *cfg = NULL;
	char *root = NULL;
	int rc = VRF_EXIT_ERROR;

	if (vrf_hist_read(hdir, id, &h) < 0 || strcmp(h.result, VRF_HIST_PENDING) ||
	    vrf_hist_read(hdir, h.restore, &back) < 0) {
		if (!strcmp(h.result, VRF_HIST_PENDING))
			notice("change %u was not confirmed, but its restore point %u is gone",
			       id, h.restore);
		goto out;
	}
	cfg = vrf_hist_load(hdir, &back, &root);
	if (!cfg)
		goto out;
	if (lock_fd < 0)
		lock_fd = vrf_state_lock(cfg);
	/* Under the lock now: a confirm may have come first. */
	if (lock_fd < 0 || vrf_hist_read(hdir, id, &h) < 0 || strcmp(h.result, VRF_HIST_PENDING)) {
		rc = VRF_EXIT_OK;
		goto out;
	}
	notice("change %u (%s) was not confirmed%s; restoring the configuration of entry %u",
	       id, h.command, by_apply ? " and its undo process is gone" : " in time",
	       back.id);
	rc = apply_config(o, cfg, lock_fd, true);
	lock_fd = -1;
	snprintf(h.result, sizeof(h.result), "%s", VRF_HIST_ROLLED_BACK);
	h.undone_at_start = by_apply;
	vrf_hist_write(hdir, &h);
	notice("change %u rolled back to entry %u%s", id, back.id,
	       rc ? ", with errors (run plan to see what differs)" : "");
out:
	if (lock_fd >= 0)
		close(lock_fd);
	vrf_config_free(cfg);
	free(root);
	return rc;
}

/* Double fork: the grandchild has its own session, no terminal, and init
 * for a parent, so nothing that ends the caller's session reaches it. */
static int spawn_undo(const struct vrf_config *cfg)
{
	char text[32];
	pid_t child, gc = -1;
	int p[2], r;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	child = fork();
	if (child < 0)
		return -errno;
	if (child == 0) {
		if (setsid() >= 0)
			gc = fork();
		if (gc == 0) {
			int null = open("/dev/null", O_RDWR);

			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			syscall(SYS_close_range, 3U, ~0U, 0U);
			execl("/proc/self/exe", "vrfmgr", "undo-timer", cfg->history_dir,
			      cfg->state_dir, (char *)NULL);
			_exit(127);
		}
		if (write(p[1], &gc, sizeof(gc)) != sizeof(gc))
			_exit(1);
		_exit(gc < 0);
	}
	close(p[1]);
	r = read(p[0], &gc, sizeof(gc)) == sizeof(gc) && gc > 0 ? 0 : -ECHILD;
	close(p[0]);
	waitpid(child, NULL, 0);
	if (r < 0)
		return r;
	snprintf(text, sizeof(text), "%ld\n", (long)gc);
	return vrf_state_write(cfg, NULL, VRF_UNDO_PID, text, strlen(text));
}

/* Record the run in the history before it changes anything, so that a
 * crash halfway leaves a pending change for the next apply to undo. */
static int record(const struct vrf_config *cfg, const char *root, const struct safe_opts *so,
		  size_t changes, struct vrf_hist *pending, struct vrf_hist *h)
{
	const char *hdir = cfg->history_dir;
	struct vrf_hist good;
	int r;

	if (!changes && !pending)
		return 0;
	if (!changes) {
		/* The same file again with --confirm: only the window moves. */
		if (so->confirm)
			pending->deadline = (long long)time(NULL) + (long long)so->confirm;
		return vrf_hist_write(hdir, pending);
	}
	fill_who(h, so->command, changes);
	snprintf(h->result, sizeof(h->result), "%s",
		 so->confirm || pending ? VRF_HIST_PENDING : VRF_HIST_APPLIED);
	if (pending) {
		/* Joins the change that awaits confirmation: same restore point. */
		h->restore = pending->restore;
		h->deadline = so->confirm ? h->time + (long long)so->confirm : pending->deadline;
	} else if (so->confirm) {
		if (vrf_hist_find(hdir, NULL, &good) < 0)
			return -ENOENT;		/* checked by safe_apply() */
		h->restore = good.id;
		h->deadline = h->time + (long long)so->confirm;
	}
	r = vrf_hist_snapshot(cfg, root, h);
	if (r < 0)
		return r;
	if (pending) {
		snprintf(pending->result, sizeof(pending->result), "%s", VRF_HIST_SUPERSEDED);
		vrf_hist_write(hdir, pending);
	}
	return 0;
}

/* Would the plan cut?  A dry pass first, so that a refusal leaves even
 * the namespaces alone. */
static bool refuse_disruptive(const struct options *o, const struct vrf_config *cfg,
			      char **names, size_t n_names, const struct safe_opts *so)
{
	struct vrf_run *run = vrf_run_new(cfg, o->verbose, o->json);
	size_t n;

	if (!run)
		return true;
	run->dry_run = true;
	run->prune = so->prune;
	run->adopt = so->adopt;
	if (vrf_run_attach(run, names, n_names) < 0 && !run->n_ns) {
		vrf_run_free(run);
		return true;	/* a named domain was refused, and it said so */
	}
	vrf_run_plan(run);
	n = vrf_run_list_disruptive(run, NULL);
	if (n) {
		fprintf(stderr, "vrfmgr: --no-disruptive: %zu planned change%s would cut traffic "
			"or lose state; nothing applied:\n", n, n == 1 ? "" : "s");
		vrf_run_list_disruptive(run, stderr);
	}
	vrf_run_free(run);
	return n > 0;
}

static void say_confirm(const struct vrf_hist *h)
{
	long long left = h->deadline - (long long)time(NULL);

	fprintf(stderr, "vrfmgr: change %u must be confirmed within %lld second%s with "
		"\"vrfmgr confirm\", or the configuration of entry %u is restored\n",
		h->id, left, left == 1 ? "" : "s", h->restore);
}

/* apply and rollback: the run, with history and confirmation. */
static int safe_apply(const struct options *o, struct vrf_config *cfg, const char *root,
		      char **names, size_t n_names, const struct safe_opts *so, int lock_fd)
{
	const char *hdir = cfg->history_dir;
	struct vrf_hist pending, h = { 0 };
	bool have_pending = vrf_hist_find(hdir, VRF_HIST_PENDING, &pending) == 0;
	struct vrf_run *run = NULL;
	double started = vrf_now_real(), t0 = vrf_now_mono();
	size_t changes;
	int rc = VRF_EXIT_ERROR;

	if (so->confirm && !have_pending && vrf_hist_find(hdir, NULL, &h) < 0) {
		fprintf(stderr, "vrfmgr: --confirm: %s holds no applied configuration to return "
			"to; apply once without --confirm first\n", hdir);
		goto out;
	}
	memset(&h, 0, sizeof(h));
	if (so->no_disruptive && refuse_disruptive(o, cfg, names, n_names, so))
		goto out;
	run = vrf_run_new(cfg, o->verbose, o->json);
	if (!run)
		goto out;
	run->lock_fd = lock_fd;
	lock_fd = -1;
	run->prune = so->prune;
	run->adopt = so->adopt;
	/* Attached nothing: a named domain was refused, and it said so. */
	if (vrf_run_attach(run, names, n_names) < 0 && !run->n_ns)
		goto out;
	vrf_run_plan(run);
	changes = vrf_run_count_changes(run);
	if (record(cfg, root, so, changes, have_pending ? &pending : NULL, &h) < 0)
		goto out;
	if (so->confirm && !h.id && !have_pending && o->verbose >= 0)
		fprintf(stderr, "vrfmgr: nothing to change, so nothing to confirm\n");
	if (((h.id && !strcmp(h.result, VRF_HIST_PENDING)) || (have_pending && so->confirm)) &&
	    !vrf_undo_pid(cfg) && spawn_undo(cfg) < 0) {
		fprintf(stderr, "vrfmgr: cannot start the undo process; nothing applied\n");
		snprintf(h.result, sizeof(h.result), "%s", VRF_HIST_FAILED);
		vrf_hist_write(hdir, &h);
		goto out;
	}
	vrf_run_apply(run);
	if (o->json)
		vrf_run_print_plan(run, true);
	rc = run->errors ? VRF_EXIT_ERROR : VRF_EXIT_OK;
	/* For `metrics`: when the last apply ran, how it ended, how long. */
	vrf_last_apply_record(cfg, started, vrf_now_mono() - t0, rc == VRF_EXIT_OK);
	if (rc)
		fprintf(stderr, "vrfmgr: apply finished with errors; domains not named above "
			"were applied\n");
	if (rc && h.id && !strcmp(h.result, VRF_HIST_APPLIED)) {
		snprintf(h.result, sizeof(h.result), "%s", VRF_HIST_FAILED);
		vrf_hist_write(hdir, &h);
	}
	if (h.id && !strcmp(h.result, VRF_HIST_PENDING))
		say_confirm(&h);
	else if (!changes && have_pending)
		say_confirm(&pending);
	vrf_hist_prune(hdir, cfg->history_keep);
out:
	if (lock_fd >= 0)
		close(lock_fd);
	vrf_run_free(run);
	return rc;
}

int cmd_apply(const struct options *o, int argc, char **argv)
{
	struct safe_opts so = { 0 };
	struct vrf_config *cfg = NULL;
	struct vrf_hist pending;
	char **names = NULL;
	size_t n_names = 0;
	int rc = VRF_EXIT_ERROR, lock_fd;

	if (parse_args("apply", argc, argv, false, &so, &names, &n_names) < 0)
		return VRF_EXIT_ERROR;
	if (!need_root("apply"))
		goto out;
	cfg = cmd_load(o);
	if (!cfg || vrf_hist_dir_ok(cfg->history_dir, true) < 0)
		goto out;
	lock_fd = vrf_state_lock(cfg);
	if (lock_fd < 0) {
		fprintf(stderr, "vrfmgr: cannot lock %s: %s\n", cfg->state_dir, strerror(-lock_fd));
		goto out;
	}
	/* A change rolled back earlier does not stop apply: the operator's
	 * apply is what ends it. */
	if (vrf_in_force(o, cfg, &lock_fd, &pending, &rc) == VRF_FORCE_UNDONE) {
		if (rc == 0)
			fprintf(stderr, "vrfmgr: %s was not applied; \"vrfmgr confirm\" applies "
				"change %u again and keeps it\n", cfg->path, pending.id);
		goto out;
	}
	rc = safe_apply(o, cfg, NULL, names, n_names, &so, lock_fd);
out:
	vrf_config_free(cfg);
	free(names);
	return rc;
}

/* The hidden command that the undo process runs: wait for the deadline of
 * the pending change (which a later apply --confirm may move), then
 * restore; end when nothing is pending any more. */
int cmd_undo_timer(const struct options *o, int argc, char **argv)
{
	struct options quiet = *o;
	struct vrf_config *state;
	char *text = NULL;
	size_t len;
	struct vrf_hist h;

	if (argc != 2) {
		fprintf(stderr, "vrfmgr: undo-timer is started by apply --confirm\n");
		return VRF_EXIT_ERROR;
	}
	quiet.verbose = -1;
	quiet.json = false;
	while (vrf_hist_find(argv[0], VRF_HIST_PENDING, &h) == 0) {
		struct timespec ts = { .tv_sec = 0, .tv_nsec = 200 * 1000 * 1000 };

		/* A restore point that cannot be loaded leaves the change
		 * pending: try again, but not in a busy loop. */
		if (h.deadline <= (long long)time(NULL))
			restore_pending(&quiet, argv[0], h.id, -1, false);
		nanosleep(&ts, NULL);
	}
	/* Leave the pid file to a successor that apply may have started. */
	state = vrf_config_new();
	free(state->state_dir);
	state->state_dir = vrf_strdup(argv[1]);
	if (vrf_state_read(state, NULL, VRF_UNDO_PID, &text, &len) == 0 &&
	    atol(text) == (long)getpid())
		vrf_state_remove(state, NULL, VRF_UNDO_PID);
	free(text);
	vrf_config_free(state);
	return VRF_EXIT_OK;
}

/* The pending entry whose rollback apply did at start (the undo process
 * was gone): confirm applies it again and keeps it. */
static int adopt(const struct options *o, struct vrf_config *live, struct vrf_hist *h,
		 int lock_fd)
{
	char *root = NULL;
	struct vrf_config *cfg = vrf_hist_load(live->history_dir, h, &root);
	int rc;

	if (!cfg) {
		close(lock_fd);
		return VRF_EXIT_ERROR;
	}
	rc = apply_config(o, cfg, lock_fd, false);
	if (rc == 0) {
		snprintf(h->result, sizeof(h->result), "%s", VRF_HIST_CONFIRMED);
		h->undone_at_start = false;
		vrf_hist_write(live->history_dir, h);
		notice("change %u applied again and confirmed", h->id);
	}
	vrf_config_free(cfg);
	free(root);
	return rc;
}

static int newest(const char *hdir, struct vrf_hist *h)
{
	unsigned *ids;
	size_t n;
	int r = vrf_hist_ids(hdir, &ids, &n);

	if (r == 0)
		r = n ? vrf_hist_read(hdir, ids[n - 1], h) : -ENOENT;
	free(ids);
	return r;
}

enum vrf_in_force vrf_in_force(const struct options *o, const struct vrf_config *cfg,
			       int *lock_fd, struct vrf_hist *h, int *ret_rc)
{
	*ret_rc = VRF_EXIT_OK;
	if (vrf_hist_find(cfg->history_dir, VRF_HIST_PENDING, h) == 0) {
		if (h->deadline > (long long)time(NULL) && vrf_undo_pid(cfg))
			return VRF_FORCE_FILE;
		/* The undo did not happen (reboot, killed process): the last
		 * confirmed configuration, not the file, is what holds. */
		*ret_rc = restore_pending(o, cfg->history_dir, h->id, *lock_fd, true);
		*lock_fd = -1;
		return VRF_FORCE_UNDONE;
	}
	/* Only a newer entry (apply, confirm, rollback) ends a rollback: the
	 * undo restored the kernel, not the files. */
	if (newest(cfg->history_dir, h) == 0 && !strcmp(h->result, VRF_HIST_ROLLED_BACK))
		return VRF_FORCE_RESTORED;
	return VRF_FORCE_FILE;
}

int cmd_confirm(const struct options *o, int argc, char **argv)
{
	struct vrf_config *cfg = NULL;
	struct vrf_hist h;
	int rc = VRF_EXIT_ERROR, lock_fd = -1;
	pid_t pid;

	if (argc) {
		fprintf(stderr, "vrfmgr: confirm takes no arguments\n");
		return VRF_EXIT_ERROR;
	}
	if (!need_root("confirm"))
		return VRF_EXIT_ERROR;
	cfg = cmd_load(o);
	if (!cfg || vrf_hist_dir_ok(cfg->history_dir, true) < 0)
		goto out;
	lock_fd = vrf_state_lock(cfg);
	if (lock_fd < 0)
		goto out;
	if (vrf_hist_find(cfg->history_dir, VRF_HIST_PENDING, &h) == 0) {
		snprintf(h.result, sizeof(h.result), "%s", VRF_HIST_CONFIRMED);
		if (vrf_hist_write(cfg->history_dir, &h) < 0)
			goto out;
		pid = vrf_undo_pid(cfg);
		if (pid > 0 && kill(pid, SIGTERM) == 0)
			vrf_state_remove(cfg, NULL, VRF_UNDO_PID);
		if (o->verbose >= 0)
			printf("vrfmgr: change %u confirmed\n", h.id);
		rc = VRF_EXIT_OK;
	} else if (newest(cfg->history_dir, &h) == 0 && h.undone_at_start &&
		   !strcmp(h.result, VRF_HIST_ROLLED_BACK)) {
		rc = adopt(o, cfg, &h, lock_fd);
		lock_fd = -1;
	} else {
		fprintf(stderr, "vrfmgr: nothing to confirm: no change made with apply --confirm "
			"is pending\n");
	}
out:
	if (lock_fd >= 0)
		close(lock_fd);
	vrf_config_free(cfg);
	return rc;
}

/* ---- history and rollback ---- */

static void history_line(const struct vrf_hist *h, struct vrf_buf *b, bool json, bool first)
{
	char when[32];
	time_t t = (time_t)h->time;
	struct tm tm;

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S%z", localtime_r(&t, &tm));
	if (!json) {
		vrf_buf_printf(b, "%-5u %s  %-12s %-11s %5u  %s", h->id, when, h->user, h->result,
			       h->changes, h->command);
		if (!strcmp(h->result, VRF_HIST_PENDING))
			vrf_buf_printf(b, "  (restores %u unless confirmed)", h->restore);
		vrf_buf_puts(b, "\n");
		return;
	}
	vrf_buf_printf(b, "%s{\"id\":%u,\"time\":", first ? "" : ",", h->id);
	vrf_buf_json_str(b, when);
	vrf_buf_puts(b, ",\"user\":");
	vrf_buf_json_str(b, h->user);
	vrf_buf_puts(b, ",\"command\":");
	vrf_buf_json_str(b, h->command);
	vrf_buf_puts(b, ",\"result\":");
	vrf_buf_json_str(b, h->result);
	vrf_buf_printf(b, ",\"changes\":%u", h->changes);
	if (h->restore)
		vrf_buf_printf(b, ",\"restore\":%u", h->restore);
	vrf_buf_puts(b, "}");
}

static int parse_id(const char *s, unsigned *ret)
{
	unsigned long long v;

	if (vrf_parse_uint(s, 1, 999999999, &v) < 0) {
		fprintf(stderr, "vrfmgr: \"%s\" is not a history entry number\n", s);
		return -EINVAL;
	}
	*ret = (unsigned)v;
	return 0;
}

int cmd_history(const struct options *o, int argc, char **argv)
{
	struct vrf_config *cfg = NULL;
	struct vrf_buf b = { 0 };
	bool json = o->json;
	unsigned *ids = NULL, id;
	size_t n = 0;
	struct vrf_hist h;
	int rc = VRF_EXIT_ERROR;

	if (argc == 1 && !strcmp(argv[0], "--json"))
		json = true;
	else if (argc && !(argc == 2 && !strcmp(argv[0], "show"))) {
		fprintf(stderr, "vrfmgr: usage: history [--json] | history show ID\n");
		return VRF_EXIT_ERROR;
	}
	cfg = cmd_load(o);
	if (!cfg || vrf_hist_dir_ok(cfg->history_dir, false) < 0)
		goto out;
	if (argc == 2) {
		if (parse_id(argv[1], &id) < 0)
			goto out;
		if (vrf_hist_read(cfg->history_dir, id, &h) < 0) {
			fprintf(stderr, "vrfmgr: no entry %u in %s\n", id, cfg->history_dir);
			goto out;
		}
		rc = vrf_hist_print_files(cfg->history_dir, &h) < 0 ? VRF_EXIT_ERROR : VRF_EXIT_OK;
		goto out;
	}
	if (vrf_hist_ids(cfg->history_dir, &ids, &n) < 0)
		goto out;
	if (json)
		vrf_buf_puts(&b, "{\"entries\":[");
	for (size_t i = 0, shown = 0; i < n; i++)
		if (vrf_hist_read(cfg->history_dir, ids[i], &h) == 0)
			history_line(&h, &b, json, shown++ == 0);
	if (json)
		vrf_buf_puts(&b, "]}\n");
	fputs(vrf_buf_str(&b), stdout);
	rc = VRF_EXIT_OK;
out:
	vrf_buf_free(&b);
	free(ids);
	vrf_config_free(cfg);
	return rc;
}

/* The plan of an entry against the kernel, as `plan` prints it. */
static int rollback_plan(const struct options *o, const struct vrf_config *cfg)
{
	struct vrf_run *run = vrf_run_new(cfg, o->verbose, o->json);
	size_t changes;
	int rc;

	if (!run)
		return VRF_EXIT_ERROR;
	run->dry_run = true;
	run->prune = true;
	vrf_run_attach(run, NULL, 0);
	vrf_run_plan(run);
	changes = vrf_run_count_changes(run);
	vrf_run_print_plan(run, false);
	rc = run->errors ? VRF_EXIT_ERROR : changes ? VRF_EXIT_CHANGES : VRF_EXIT_OK;
	vrf_run_free(run);
	return rc;
}

int cmd_rollback(const struct options *o, int argc, char **argv)
{
	struct safe_opts so = { 0 };
	struct vrf_config *live = NULL, *cfg = NULL;
	struct vrf_hist h;
	char **names = NULL, *root = NULL;
	size_t n_names = 0;
	unsigned id;
	int rc = VRF_EXIT_ERROR, lock_fd;

	if (parse_args("rollback", argc, argv, true, &so, &names, &n_names) < 0)
		return VRF_EXIT_ERROR;
	if (n_names != 1 || parse_id(names[0], &id) < 0) {
		fprintf(stderr, "vrfmgr: usage: rollback ID [--dry-run] [--confirm SECONDS] "
			"[--no-disruptive]\n");
		goto out;
	}
	if (!need_root("rollback"))
		goto out;
	live = cmd_load(o);
	if (!live || vrf_hist_dir_ok(live->history_dir, false) < 0)
		goto out;
	if (vrf_hist_read(live->history_dir, id, &h) < 0) {
		fprintf(stderr, "vrfmgr: no entry %u in %s\n", id, live->history_dir);
		goto out;
	}
	cfg = vrf_hist_load(live->history_dir, &h, &root);
	if (!cfg)
		goto out;
	/* The history goes on where the file in force keeps it. */
	free(cfg->history_dir);
	cfg->history_dir = vrf_strdup(live->history_dir);
	cfg->history_keep = live->history_keep;
	if (so.dry_run) {
		rc = rollback_plan(o, cfg);
		goto out;
	}
	lock_fd = vrf_state_lock(cfg);
	if (lock_fd < 0)
		goto out;
	/* The whole configuration of that time: domains made since go. */
	so.prune = true;
	rc = safe_apply(o, cfg, root, NULL, 0, &so, lock_fd);
out:
	vrf_config_free(cfg);
	vrf_config_free(live);
	free(root);
	free(names);
	return rc;
}

void vrf_confirm_status(const struct vrf_config *cfg, struct vrf_buf *b, bool json)
{
	struct vrf_hist h;
	long long left;

	if (vrf_hist_find(cfg->history_dir, VRF_HIST_PENDING, &h) < 0) {
		if (json)
			vrf_buf_puts(b, ",\"pending\":null");
		return;
	}
	left = h.deadline - (long long)time(NULL);
	if (left < 0)
		left = 0;
	if (json)
		vrf_buf_printf(b, ",\"pending\":{\"id\":%u,\"seconds_left\":%lld,\"restore\":%u,"
			       "\"undo_running\":%s}", h.id, left, h.restore,
			       vrf_undo_pid(cfg) ? "true" : "false");
	else
		vrf_buf_printf(b, "pending confirmation: change %u, %lld second%s left, else "
			       "entry %u is restored%s\n", h.id, left, left == 1 ? "" : "s",
			       h.restore, vrf_undo_pid(cfg) ? "" :
			       " (undo process gone: the next apply restores it)");
}
