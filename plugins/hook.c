/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hook: a program run around a domain's apply.
 *
 *     hook = pre-apply  /etc/vrfmgr/hooks/check
 *     hook = post-apply hooks/reload-dhcp timeout 10
 *     hook = post-destroy /etc/vrfmgr/hooks/gone
 *
 * pre-apply and post-apply run inside the domain's network namespace, only
 * when the domain actually changes; post-destroy runs in the host namespace
 * once the domain's namespace is gone.  The program gets VRFMGR_DOMAIN,
 * VRFMGR_CONFIG, VRFMGR_EVENT and VRFMGR_CHANGES (the plan lines of the
 * domain) in its environment and the full plan text on standard input; its
 * standard output and error are one pipe that vrfmgr copies to its own
 * standard error, so that `--json` output stays clean.  The pipe is closed
 * shortly after the hook exits: a background child that keeps it open does
 * not hold vrfmgr (or whatever reads vrfmgr's output) up.  It is killed
 * after the timeout, 30 seconds unless the line says otherwise, with all it
 * started: its cgroup when there is one (hook-cgroup.c), else its process
 * group.  A pre-apply hook that fails stops that domain's apply.
 *
 * The hook file obeys the rules of the config file (regular, owned by root or
 * by us, writable by nobody else) and must be executable by its owner.  It is
 * checked when the config is read, and checked again when it runs, on the
 * very descriptor that is then executed, so the file checked is the file run.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hook.h"
#include "plugin.h"

#define HOOK_TIMEOUT_DEFAULT	30
#define HOOK_TIMEOUT_MAX	3600
/* One environment string may not exceed MAX_ARG_STRLEN (32 pages); longer
 * plans are cut at a line in VRFMGR_CHANGES and are whole on stdin. */
#define HOOK_CHANGES_ENV_MAX	(64 * 1024)
/* How long output is still copied after the hook exited, for what its
 * last writes left in the pipe. */
#define HOOK_OUTPUT_GRACE_MS	100

enum hook_when {
	HOOK_PRE_APPLY,
	HOOK_POST_APPLY,
	HOOK_POST_DESTROY,
};

static const char *const hook_when_names[] = {
	[HOOK_PRE_APPLY] = "pre-apply",
	[HOOK_POST_APPLY] = "post-apply",
	[HOOK_POST_DESTROY] = "post-destroy",
};

struct hook {
	enum hook_when when;
	unsigned timeout;	/* seconds */
	bool has_timeout;	/* written in the file (for printing back) */
	struct vrf_loc loc;
	const char *path;	/* resolved against the config's folder; in its pool */
};

/* Parsed hooks of a domain, in file order; one allocation, freed with free(). */
struct hook_set {
	size_t n;
	struct hook h[];
};

/* Run-wide: the plan text each domain had at pre-apply, so post-apply can
 * hand it on even when the engine has already dropped the plan. */
struct hook_plan {
	const struct vrf_ns *ns;
	char *changes;
};

struct hook_run {
	struct hook_plan *v;
	size_t n;
};

static const struct vrf_plugin hook_plugin;

/* ---- parse ---- */

static int hook_parse(struct vrf_config *cfg, struct vrf_domain *d, const struct vrf_loc *loc,
		      const char *key, const char *value)
{
	void **slot = vrf_domain_pdata(d, &hook_plugin);
	struct hook_set *set = *slot;
	struct vrf_words ws = { 0 };
	struct hook h = { .timeout = HOOK_TIMEOUT_DEFAULT, .loc = *loc };
	struct stat st;
	char *path = NULL;
	size_t i;
	int fd = -1, r = -EINVAL;

	if (vrf_words_split(&ws, value) < 0 || ws.n < 2) {
		vrf_error(cfg, loc, "hook needs EVENT PATH, e.g. \"post-apply /etc/vrfmgr/hooks/up\"");
		goto out;
	}
	for (i = 0; i < sizeof(hook_when_names) / sizeof(*hook_when_names); i++)
		if (!strcmp(ws.w[0], hook_when_names[i]))
			break;
	if (i == sizeof(hook_when_names) / sizeof(*hook_when_names)) {
		vrf_error(cfg, loc, "hook event \"%s\" is unknown (pre-apply, post-apply or post-destroy)",
			  ws.w[0]);
		goto out;
	}
	h.when = (enum hook_when)i;
	for (i = 2; i < ws.n; i++) {
		unsigned long long t;

		if (!strcmp(ws.w[i], "timeout") && i + 1 < ws.n && !h.has_timeout) {
			if (vrf_parse_uint(ws.w[i + 1], 1, HOOK_TIMEOUT_MAX, &t) < 0) {
				vrf_error(cfg, loc, "hook timeout \"%s\" must be a number of seconds from 1 to %d",
					  ws.w[i + 1], HOOK_TIMEOUT_MAX);
				goto out;
			}
			h.timeout = (unsigned)t;
			h.has_timeout = true;
			i++;
			continue;
		}
		vrf_error(cfg, loc, "hook: unexpected \"%s\" after the path (only \"timeout SECONDS\" may follow)",
			  ws.w[i]);
		goto out;
	}
	path = vrf_path_relative(loc, ws.w[1]);
	/* The same rules as the config: a hook runs as root. */
	fd = vrf_open_trusted(cfg, loc, path);
	if (fd < 0)
		goto out;
	if (fstat(fd, &st) < 0) {
		vrf_error(cfg, loc, "hook %s: %s", path, strerror(errno));
		goto out;
	}
	if (!(st.st_mode & S_IXUSR)) {
		vrf_error(cfg, loc, "hook %s is not executable by its owner (mode %04o)", path,
			  (unsigned)(st.st_mode & 07777));
		goto out;
	}
	h.path = vrf_config_intern(cfg, path);
	for (i = 0; set && i < set->n; i++)
		if (set->h[i].when == h.when && !strcmp(set->h[i].path, h.path)) {
			vrf_error(cfg, loc, "hook %s %s is listed twice (first at %s:%u)",
				  hook_when_names[h.when], ws.w[1], set->h[i].loc.file,
				  set->h[i].loc.line);
			goto out;
		}
	set = vrf_realloc(set, 1, sizeof(*set) + ((set ? set->n : 0) + 1) * sizeof(struct hook));
	if (!*slot)
		set->n = 0;
	set->h[set->n++] = h;
	*slot = set;
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	free(path);
	vrf_words_free(&ws);
	return r;
}

static void hook_print_config(const struct vrf_domain *d, struct vrf_buf *out)
{
	const struct hook_set *set = *vrf_domain_pdata_const(d, &hook_plugin);

	for (size_t i = 0; set && i < set->n; i++) {
		vrf_buf_printf(out, "hook = %s %s", hook_when_names[set->h[i].when], set->h[i].path);
		if (set->h[i].has_timeout)
			vrf_buf_printf(out, " timeout %u", set->h[i].timeout);
		vrf_buf_puts(out, "\n");
	}
}

/* ---- running ---- */

/* Open the hook again and check it as at parse time, on the descriptor that
 * will be executed. */
static int open_checked(const struct hook *h, char **ret_why)
{
	struct stat st;
	int fd, r;

	*ret_why = NULL;
	fd = open(h->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		*ret_why = vrf_strdup(r == -ELOOP ? "is a symbolic link" : strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	if (!S_ISREG(st.st_mode) || (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) || !(st.st_mode & S_IXUSR)) {
		*ret_why = vrf_asprintf("changed since the config was read: now mode %04o, uid %u, %s",
					(unsigned)(st.st_mode & 07777), (unsigned)st.st_uid,
					S_ISREG(st.st_mode) ? "regular file" : "not a regular file");
		close(fd);
		return -EPERM;
	}
	return fd;
}

static char *absolute_config(const struct vrf_config *cfg)
{
	char *p = cfg->path ? realpath(cfg->path, NULL) : NULL;

	if (!p && cfg->path)
		p = vrf_strdup(cfg->path);
	return p;
}

/* VRFMGR_CHANGES: the plan, cut at a line boundary when too long. */
static char *changes_env(const char *changes)
{
	size_t len = strlen(changes);

	if (len <= HOOK_CHANGES_ENV_MAX)
		return vrf_strdup(changes);
	len = HOOK_CHANGES_ENV_MAX;
	while (len > 0 && changes[len - 1] != '\n')
		len--;
	return vrf_asprintf("%.*s... (cut; the whole plan is on standard input)\n", (int)len,
			    changes);
}

/* The child: enter the namespace, set up, execute.  Never returns. */
static void __attribute__((noreturn))
child(const struct hook *h, int exec_fd, int ns_fd, int in_fd, int out_fd,
      const struct hook_cg *cg, const char *domain, const char *config, const char *changes)
{
	sigset_t all;
	int r;

	setpgid(0, 0);
	r = hook_cg_enter(cg);
	if (r < 0 && cg->procs >= 0)
		fprintf(stderr, "%s:%u: hook %s: cannot enter its cgroup (%s); a timeout kills "
			"its process group only\n", h->loc.file, h->loc.line, h->path, strerror(-r));
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (ns_fd >= 0 && setns(ns_fd, CLONE_NEWNET) < 0) {
		fprintf(stderr, "%s:%u: hook %s: cannot enter the namespace of %s: %s\n",
			h->loc.file, h->loc.line, h->path, domain, strerror(errno));
		_exit(126);
	}
	if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
		_exit(126);
	setenv("VRFMGR_DOMAIN", domain, 1);
	setenv("VRFMGR_EVENT", hook_when_names[h->when], 1);
	setenv("VRFMGR_CHANGES", changes ? changes : "", 1);
	if (config)
		setenv("VRFMGR_CONFIG", config, 1);
	/* vrfmgr's own descriptors (namespaces, netlink sockets) are none of
	 * the hook's business.  The executed descriptor must stay open for a
	 * script: the kernel hands it to the interpreter as /dev/fd/N. */
	if (exec_fd > 3)
		close_range(3, (unsigned)exec_fd - 1, 0);
	if (exec_fd >= 3)
		close_range((unsigned)exec_fd + 1, ~0U, 0);
	fcntl(exec_fd, F_SETFD, 0);
	{
		char *argv[] = { (char *)h->path, NULL };
		extern char **environ;

		fexecve(exec_fd, argv, environ);
		fprintf(stderr, "%s:%u: hook %s: cannot execute: %s\n", h->loc.file, h->loc.line,
			h->path, strerror(errno));
	}
	_exit(127);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Copy what the hook's pipe holds to our standard error; false at EOF. */
static bool copy_output(int fd)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write(2, buf + off, (size_t)(n - off));

		if (w < 0 && errno != EINTR)
			break;
		off += w > 0 ? w : 0;
	}
	return n > 0;
}

/* Wait for pid at most timeout_ms (or, with pid 0, just copy output for
 * that long), copying its output from *out_fd as it comes; *out_fd becomes
 * -1 at EOF.  True if the process ended (status in *ret_status). */
static bool supervise(pid_t pid, int *out_fd, long long timeout_ms, int *ret_status)
{
	long long deadline = now_ms() + timeout_ms;
	int pidfd = pid ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
	bool ended = false;

	for (;;) {
		long long left = deadline - now_ms();
		struct pollfd p[2] = { { .fd = *out_fd, .events = POLLIN },
				       { .fd = pidfd, .events = POLLIN } };
		pid_t w = pid ? waitpid(pid, ret_status, WNOHANG) : 0;

		/* Reaped (or, ECHILD, not ours to reap any more). */
		if (pid && (w == pid || (w < 0 && errno != EINTR))) {
			ended = true;
			break;
		}
		if (left <= 0 || (!pid && *out_fd < 0))
			break;
		/* Without pidfd (older kernels) poll the child every 10 ms. */
		if (pid && pidfd < 0 && left > 10)
			left = 10;
		if (poll(p, 2, left > INT_MAX ? INT_MAX : (int)left) > 0 && *out_fd >= 0 &&
		    (p[0].revents & (POLLIN | POLLHUP | POLLERR)) && !copy_output(*out_fd)) {
			close(*out_fd);
			*out_fd = -1;
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	return ended;
}

/* Exit status to -errno, saying what went wrong. */
static int report_status(const struct hook *h, const char *domain, int status)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		fprintf(stderr, "%s:%u: hook %s %s failed in domain %s: exit status %d\n",
			h->loc.file, h->loc.line, hook_when_names[h->when], h->path, domain,
			WEXITSTATUS(status));
	else
		fprintf(stderr, "%s:%u: hook %s %s failed in domain %s: killed by signal %d (%s)\n",
			h->loc.file, h->loc.line, hook_when_names[h->when], h->path, domain,
			WTERMSIG(status), strsignal(WTERMSIG(status)));
	return -ECANCELED;
}

/* The plan on a memfd for the hook's standard input: no size limit there. */
static int plan_fd(const struct hook *h, const char *changes)
{
	size_t len = changes ? strlen(changes) : 0;
	int fd = memfd_create("vrfmgr-changes", MFD_CLOEXEC), r;

	if (fd < 0 || (len && write(fd, changes, len) != (ssize_t)len) ||
	    lseek(fd, 0, SEEK_SET) < 0) {
		r = -errno;
		fprintf(stderr, "%s:%u: hook %s: %s\n", h->loc.file, h->loc.line, h->path,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return r;
	}
	return fd;
}

static int run_hook(const struct vrf_config *cfg, const struct hook *h, struct vrf_ns *ns,
		    const char *domain, const char *changes, int verbose)
{
	char *why = NULL, *config = absolute_config(cfg), *env_changes = NULL;
	int exec_fd = -1, in_fd = -1, out[2] = { -1, -1 }, status = 0, r;
	struct hook_cg cg = { .parent = -1, .dir = -1, .procs = -1 };
	pid_t pid;

	exec_fd = open_checked(h, &why);
	if (exec_fd < 0) {
		fprintf(stderr, "%s:%u: hook %s %s refused in domain %s: %s\n", h->loc.file,
			h->loc.line, hook_when_names[h->when], h->path, domain,
			why ? why : strerror(-exec_fd));
		r = exec_fd;
		goto out;
	}
	in_fd = plan_fd(h, changes);
	env_changes = changes_env(changes ? changes : "");
	if (in_fd < 0 || pipe2(out, O_CLOEXEC) < 0) {
		r = in_fd < 0 ? in_fd : -errno;
		goto out;
	}
	hook_cg_create(&cg);
	if (verbose > 0)
		fprintf(stderr, "%s: hook %s %s\n", domain, cg.dir >= 0 ? "in cgroup" :
			"in its process group only, as", cg.dir >= 0 ? cg.name : cg.why);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		r = -errno;
		fprintf(stderr, "%s:%u: hook %s: fork: %s\n", h->loc.file, h->loc.line, h->path,
			strerror(errno));
		goto out;
	}
	if (pid == 0)
		child(h, exec_fd, ns ? vrf_ns_fd(ns) : -1, in_fd, out[1], &cg, domain, config,
		      env_changes);
	/* Set the group from both sides, so a kill on timeout never races
	 * the child's own setpgid(). */
	setpgid(pid, pid);
	close(out[1]);
	out[1] = -1;
	if (supervise(pid, &out[0], (long long)h->timeout * 1000, &status)) {
		r = report_status(h, domain, status);
	} else {
		hook_cg_kill(&cg, pid);
		waitpid(pid, &status, 0);
		fprintf(stderr, "%s:%u: hook %s %s in domain %s timed out after %u s and was killed\n",
			h->loc.file, h->loc.line, hook_when_names[h->when], h->path, domain,
			h->timeout);
		r = -ETIMEDOUT;
	}
	/* What the hook wrote last; a child it left behind holding the pipe
	 * gets no longer than the grace. */
	if (out[0] >= 0)
		supervise(0, &out[0], HOOK_OUTPUT_GRACE_MS, &status);
out:
	hook_cg_release(&cg);
	for (int i = 0; i < 2; i++)
		if (out[i] >= 0)
			close(out[i]);
	if (exec_fd >= 0)
		close(exec_fd);
	if (in_fd >= 0)
		close(in_fd);
	free(why);
	free(config);
	free(env_changes);
	return r;
}

/* Keep the plan seen at pre-apply (one entry per namespace), or find it. */
static const char *remember_plan(struct vrf_run *run, const struct vrf_ns *ns,
				 const char *changes)
{
	void **slot = vrf_run_state(run, &hook_plugin);
	struct hook_run *hr = *slot;
	struct hook_plan *v;

	if (!hr) {
		hr = vrf_calloc(1, sizeof(*hr));
		*slot = hr;
	}
	for (size_t i = 0; i < hr->n; i++)
		if (hr->v[i].ns == ns) {
			if (!changes || !*changes)
				return hr->v[i].changes;
			free(hr->v[i].changes);
			hr->v[i].changes = vrf_strdup(changes);
			return changes;
		}
	if (!changes || !*changes)
		return changes;
	v = hr->v = vrf_realloc(hr->v, hr->n + 1, sizeof(*v));
	v[hr->n].ns = ns;
	v[hr->n++].changes = vrf_strdup(changes);
	return changes;
}

static void hook_run_end(struct vrf_run *run)
{
	void **slot = vrf_run_state(run, &hook_plugin);
	struct hook_run *hr = *slot;

	if (!hr)
		return;
	for (size_t i = 0; i < hr->n; i++)
		free(hr->v[i].changes);
	free(hr->v);
	free(hr);
	*slot = NULL;
}

static int hook_event(struct vrf_run *run, struct vrf_ns *ns, const struct vrf_domain *d,
		      enum vrf_event ev, const char *changes)
{
	const struct hook_set *set;
	enum hook_when when;
	int first = 0;

	if (!d)
		return 0;
	/* Post-apply gets the changes that pre-apply announced when the
	 * engine passes none. */
	if (ns && (ev == VRF_EV_PRE_APPLY || ev == VRF_EV_POST_APPLY))
		changes = remember_plan(run, ns, changes);
	switch (ev) {
	case VRF_EV_PRE_APPLY:
		when = HOOK_PRE_APPLY;
		break;
	case VRF_EV_POST_APPLY:
		when = HOOK_POST_APPLY;
		break;
	case VRF_EV_POST_DESTROY:
		when = HOOK_POST_DESTROY;
		ns = NULL;	/* the namespace is gone: run in the host's */
		break;
	default:
		return 0;
	}
	set = *vrf_domain_pdata_const(d, &hook_plugin);
	for (size_t i = 0; set && i < set->n; i++) {
		int r;

		if (set->h[i].when != when)
			continue;
		if (vrf_run_verbose(run) > 0)
			fprintf(stderr, "%s: running hook %s %s\n", d->name, hook_when_names[when],
				set->h[i].path);
		r = run_hook(vrf_run_config(run), &set->h[i], ns, d->name, changes,
			     vrf_run_verbose(run));
		if (r < 0 && !first) {
			first = r;
			/* A failed pre-apply hook vetoes the domain: the
			 * hooks after it would check a change that will not
			 * happen. */
			if (when == HOOK_PRE_APPLY)
				break;
		}
	}
	return first;
}

static const char *const hook_keys[] = { "hook", NULL };

static const struct vrf_plugin hook_plugin = {
	.abi = VRF_PLUGIN_ABI,
	.name = "hook",
	.keys = hook_keys,
	.stage = 90,
	.flags = 0,
	.parse = hook_parse,
	.print_config = hook_print_config,
	.event = hook_event,
	.run_end = hook_run_end,
};

VRF_PLUGIN_REGISTER(hook_plugin);
