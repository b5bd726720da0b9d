/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers for table-driven tests of one plugin's config keys: write a config,
 * load it with the real loader, and compare what it printed line by line.
 * Each test runs in a fresh temporary folder, so messages read "c.ini:LINE:".
 */
#ifndef VRF_KEYTEST_H
#define VRF_KEYTEST_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin.h"

static int kt_fails, kt_n;

/* Write name with text and mode. */
static void kt_write(const char *name, const char *text, mode_t mode)
{
	FILE *f = fopen(name, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(name);
		exit(2);
	}
	if (chmod(name, mode) < 0) {
		perror(name);
		exit(2);
	}
}

/* Load c.ini; everything the loader printed lands in *ret_err (malloc'd). */
static struct vrf_config *kt_load(const char *ini, char **ret_err)
{
	struct vrf_config *cfg;
	int saved, fd;
	FILE *f;
	long len;

	kt_write("c.ini", ini, 0644);
	fflush(stderr);
	saved = dup(2);
	fd = open("err.txt", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (saved < 0 || fd < 0 || dup2(fd, 2) < 0) {
		perror("stderr");
		exit(2);
	}
	close(fd);
	cfg = vrf_config_load("c.ini");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	f = fopen("err.txt", "r");
	if (!f) {
		perror("err.txt");
		exit(2);
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	*ret_err = calloc(1, (size_t)len + 1);
	if (!*ret_err || fread(*ret_err, 1, (size_t)len, f) != (size_t)len) {
		perror("err.txt");
		exit(2);
	}
	fclose(f);
	return cfg;
}

static bool kt_has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *s = text; s && *s;) {
		const char *e = strchrnul(s, '\n');

		if ((size_t)(e - s) == n && !strncmp(s, line, n))
			return true;
		s = *e ? e + 1 : e;
	}
	return false;
}

static void kt_result(bool ok, const char *name, const char *why, const char *out)
{
	kt_n++;
	if (ok) {
		printf("ok %d - %s\n", kt_n, name);
		return;
	}
	kt_fails++;
	printf("FAIL %d - %s: %s\n", kt_n, name, why);
	for (const char *s = out; s && *s;) {
		const char *e = strchrnul(s, '\n');

		printf("    | %.*s\n", (int)(e - s), s);
		s = *e ? e + 1 : e;
	}
}

/* The config must be refused and the loader must have printed `line`. */
static void kt_refuse(const char *name, const char *ini, const char *line)
{
	char *err = NULL, why[1024];
	struct vrf_config *cfg = kt_load(ini, &err);

	snprintf(why, sizeof(why), "wanted refusal with the line: %s", line);
	kt_result(!cfg && kt_has_line(err, line), name, why, err);
	vrf_config_free(cfg);
	free(err);
}

/* The config must load without a word; returns it (caller frees). */
static struct vrf_config *kt_accept(const char *name, const char *ini)
{
	char *err = NULL;
	struct vrf_config *cfg = kt_load(ini, &err);

	kt_result(cfg && !*err, name, "wanted it accepted silently", err);
	free(err);
	return cfg;
}

/* Round trip: print the model, load the print, print again: same text. */
static void kt_roundtrip(const char *name, const struct vrf_config *cfg)
{
	struct vrf_buf a = { 0 }, b = { 0 };
	struct vrf_config *again;
	char *err = NULL;
	bool ok;

	vrf_config_print(cfg, &a);
	again = kt_load(vrf_buf_str(&a), &err);
	if (again)
		vrf_config_print(again, &b);
	ok = again && !strcmp(vrf_buf_str(&a), vrf_buf_str(&b));
	kt_result(ok, name, "printing the model back does not parse to the same model",
		  again ? vrf_buf_str(&b) : err);
	vrf_config_free(again);
	vrf_buf_free(&a);
	vrf_buf_free(&b);
	free(err);
}

/* Move into a fresh temporary folder; returns its path (static). */
static const char *kt_tmpdir(void)
{
	static char dir[] = "/tmp/vrf-unit.XXXXXX";

	umask(022);
	if (!mkdtemp(dir) || chdir(dir) < 0) {
		perror("mkdtemp");
		exit(2);
	}
	return dir;
}

static int kt_done(void)
{
	char cwd[256], cmd[300];

	/* Leave nothing behind: the folder is ours alone. */
	if (getcwd(cwd, sizeof(cwd)) && !strncmp(cwd, "/tmp/vrf-unit.", 14)) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cwd);
		if (chdir("/") < 0 || system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", cwd);
	}
	printf("%d tests, %d failed\n", kt_n, kt_fails);
	return kt_fails ? 1 : 0;
}

#endif
