/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The out-of-memory policy (vrfmgr/alloc.h): an allocation that cannot be
 * served prints "vrfmgr: out of memory" and aborts; nothing returns NULL.
 * Each failing case runs in a child (this program again, with the
 * sanitizer told to let malloc return NULL rather than report it), which
 * must die of SIGABRT having said so on stderr.  No root needed.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plugin.h"

static int fails, n;

static void check(bool cond, const char *what)
{
	n++;
	printf("%s %d - %s\n", cond ? "ok" : "FAIL", n, what);
	if (!cond)
		fails++;
}

/* The child's part: one allocation that cannot succeed. */
static int child(const char *which)
{
	void *p = NULL;

	if (!strcmp(which, "malloc"))
		p = vrf_malloc(SIZE_MAX / 2);
	else if (!strcmp(which, "calloc"))
		p = vrf_calloc(SIZE_MAX / 2, 4);
	else if (!strcmp(which, "realloc"))
		p = vrf_realloc(NULL, SIZE_MAX / 4, 8);	/* n * size overflows */
	printf("returned %p\n", p);
	return 0;
}

/* Run this program as `child WHICH`; true when it aborted after saying
 * "vrfmgr: out of memory". */
static bool aborts(const char *self, const char *which)
{
	int out[2], status;
	char buf[1024] = { 0 };
	size_t len = 0;
	ssize_t got;
	pid_t pid;

	if (pipe(out) < 0)
		return false;
	pid = fork();
	if (pid == 0) {
		dup2(out[1], STDERR_FILENO);
		close(out[0]);
		setenv("ASAN_OPTIONS", "allocator_may_return_null=1:abort_on_error=0", 1);
		execl(self, self, "child", which, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	/* The sanitizer may write a warning of its own first: read it all. */
	while ((got = read(out[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)got;
	close(out[0]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || got < 0)
		return false;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT &&
	       strstr(buf, "vrfmgr: out of memory\n");
}

int main(int argc, char **argv)
{
	char *s;

	if (argc == 3 && !strcmp(argv[1], "child"))
		return child(argv[2]);
	check(aborts(argv[0], "malloc"), "vrf_malloc of half the address space aborts, saying why");
	check(aborts(argv[0], "calloc"), "vrf_calloc too");
	check(aborts(argv[0], "realloc"), "vrf_realloc whose n * size overflows too");
	s = vrf_asprintf("%s-%d", "a", 1);
	check(!strcmp(s, "a-1"), "vrf_asprintf formats");
	free(s);
	s = vrf_strndup("abcdef", 3);
	check(!strcmp(s, "abc"), "vrf_strndup cuts");
	free(s);
	s = vrf_malloc(0);
	check(s != NULL, "vrf_malloc(0) is not NULL");
	free(s);
	printf("%d cases, %d failed\n", n, fails);
	return fails != 0;
}
