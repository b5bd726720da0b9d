/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Allocators that abort when memory runs out: see alloc.h for why. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"

void vrf_oom(void)
{
	/* write(), not stdio: stdio may itself need memory. */
	static const char msg[] = "vrfmgr: out of memory\n";

	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	abort();
}

void *vrf_malloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		vrf_oom();
	return p;
}

void *vrf_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		vrf_oom();
	return p;
}

void *vrf_realloc(void *p, size_t n, size_t size)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		vrf_oom();
	p = realloc(p, bytes ? bytes : 1);
	if (!p)
		vrf_oom();
	return p;
}

char *vrf_strdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		vrf_oom();
	return p;
}

char *vrf_strndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (!p)
		vrf_oom();
	return p;
}

char *vrf_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (r < 0)
		vrf_oom();
	return p;
}
