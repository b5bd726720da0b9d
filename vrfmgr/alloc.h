/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Allocation that does not fail.  vrfmgr is a command-line tool: out of
 * memory there is no useful way on (a half-planned run must not apply, and
 * every path that tried to propagate -ENOMEM was one more untested branch),
 * so these print "vrfmgr: out of memory" and abort().  The engine and every
 * plugin use them; external plugins reach them through the binary's
 * -rdynamic exports.  Their results are never NULL (vrf_malloc(0) and
 * friends return a unique pointer).
 */
#ifndef VRF_ALLOC_H
#define VRF_ALLOC_H

#include <stddef.h>

void *vrf_malloc(size_t size);
void *vrf_calloc(size_t n, size_t size);
/* n elements of size each; overflow of n * size is out of memory too. */
void *vrf_realloc(void *p, size_t n, size_t size);
char *vrf_strdup(const char *s);
char *vrf_strndup(const char *s, size_t n);
/* A malloc'd formatted string. */
char *vrf_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "vrfmgr: out of memory" and abort (for a library that failed to
 * allocate inside: libnl's nlmsg_alloc(), strdup in a library...). */
__attribute__((noreturn)) void vrf_oom(void);

#endif
