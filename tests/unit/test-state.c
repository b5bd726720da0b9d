/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state writer and reader (vrfmgr/state.c) in a folder of our own: what
 * is written is read back whole, the temporary file does not outlive the
 * write, and nothing untrusted is read or followed (a group-writable file,
 * a symbolic link as a domain folder or as a file, a state_dir others may
 * write).  No root needed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

static char *join(const char *a, const char *b)
{
	char *p;

	if (asprintf(&p, "%s/%s", a, b) < 0)
		abort();
	return p;
}

static void test_roundtrip(struct vrf_config *cfg)
{
	char *buf = NULL, *p;
	size_t len = 0;
	struct stat st;

	check(vrf_state_write(cfg, "d1", "rec", "hello\n", 6) == 0, "write d1/rec");
	check(vrf_state_read(cfg, "d1", "rec", &buf, &len) == 0 && len == 6 &&
	      !strcmp(buf, "hello\n"), "read it back");
	free(buf);
	check(vrf_state_write(cfg, "d1", "rec", "again", 5) == 0, "replace it");
	buf = NULL;
	check(vrf_state_read(cfg, "d1", "rec", &buf, &len) == 0 && !strcmp(buf, "again"),
	      "the new content, whole");
	free(buf);
	p = join(cfg->state_dir, "d1/.rec.tmp");
	check(access(p, F_OK) < 0 && errno == ENOENT, "no temporary file left");
	free(p);
	p = join(cfg->state_dir, "d1/rec");
	check(stat(p, &st) == 0 && (st.st_mode & 07777) == 0644, "the file is 0644");
	check(chmod(p, 0666) == 0 && vrf_state_read(cfg, "d1", "rec", &buf, &len) == -EPERM,
	      "a file others may write is refused");
	free(p);
	check(vrf_state_read(cfg, "d1", "none", &buf, &len) == -ENOENT, "a missing file is -ENOENT");
	check(vrf_state_remove(cfg, "d1", NULL) == 0, "remove d1");
	p = join(cfg->state_dir, "d1");
	check(access(p, F_OK) < 0, "d1 is gone");
	free(p);
}

static void test_symlinks(struct vrf_config *cfg, const char *top)
{
	char *victim = join(top, "victim"), *vf = join(victim, "rec"), *l = join(cfg->state_dir, "d2");
	char *d3 = join(cfg->state_dir, "d3"), *l3 = join(d3, "rec");
	char *buf = NULL, **names = NULL;
	size_t len, n_names = 0;
	int fd;

	mkdir(victim, 0755);
	fd = open(vf, O_WRONLY | O_CREAT, 0644);
	if (fd >= 0)
		close(fd);
	check(symlink(victim, l) == 0, "plant d2 -> victim");
	check(vrf_state_read(cfg, "d2", "rec", &buf, &len) == -EPERM, "a symlinked folder is refused");
	check(vrf_state_remove(cfg, "d2", NULL) == -EPERM, "and not emptied");
	check(access(vf, F_OK) == 0, "the folder it points at keeps its file");
	check(vrf_state_write(cfg, "d2", "rec", "x", 1) == -EPERM, "nor written through");
	mkdir(d3, 0755);
	check(symlink(vf, l3) == 0, "plant d3/rec -> victim/rec");
	check(vrf_state_read(cfg, "d3", "rec", &buf, &len) == -EPERM, "a symlinked file is refused");
	check(vrf_state_write(cfg, "d3", "rec", "mine", 4) == 0, "a write replaces the link itself");
	buf = NULL;
	check(vrf_state_read(cfg, "d3", "rec", &buf, &len) == 0 && !strcmp(buf, "mine"),
	      "with a file of our own");
	free(buf);
	check(access(vf, F_OK) == 0, "and the link's target is untouched");
	check(vrf_state_list(cfg, &names, &n_names) == 0 && n_names == 2 &&
	      !strcmp(names[0], "d2") && !strcmp(names[1], "d3"), "list names the folders, sorted");
	for (size_t i = 0; i < n_names; i++)
		free(names[i]);
	free(names);
	free(victim);
	free(vf);
	free(l);
	free(d3);
	free(l3);
}

/* The writer that dns uses for /etc/netns/NAME/resolv.conf: a folder the
 * caller opened, the mode asked for whatever the umask, no temporary left,
 * and a symbolic link planted as the file or the temporary replaced, never
 * followed. */
static void test_write_atomic(const char *top)
{
	char *dir = join(top, "etc"), *f, *tmp, *victim = join(top, "victim2");
	char buf[16] = { 0 };
	struct stat st;
	mode_t old;
	int dfd, fd;

	mkdir(dir, 0755);
	f = join(dir, "resolv.conf");
	tmp = join(dir, ".resolv.conf.tmp");
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	old = umask(077);
	check(vrf_write_atomic_at(dfd, "resolv.conf", "one\n", 4, 0644) == 0, "write_atomic_at into a folder fd");
	umask(old);
	check(stat(f, &st) == 0 && (st.st_mode & 07777) == 0644, "0644 although the umask was 077");
	check(access(tmp, F_OK) < 0 && errno == ENOENT, "no temporary file left");
	fd = open(victim, O_WRONLY | O_CREAT, 0644);
	check(fd >= 0 && write(fd, "victim", 6) == 6, "a victim file");
	close(fd);
	check(symlink(victim, tmp) == 0, "plant .resolv.conf.tmp -> victim");
	unlink(f);
	check(symlink(victim, f) == 0, "plant resolv.conf -> victim");
	check(vrf_write_atomic_at(dfd, "resolv.conf", "two\n", 4, 0644) == 0, "write over both links");
	check(lstat(f, &st) == 0 && S_ISREG(st.st_mode), "resolv.conf is a file again");
	fd = open(victim, O_RDONLY);
	check(fd >= 0 && read(fd, buf, sizeof(buf) - 1) == 6 && !strcmp(buf, "victim"),
	      "the links' target is untouched");
	close(fd);
	memset(buf, 0, sizeof(buf));
	fd = open(f, O_RDONLY);
	check(fd >= 0 && read(fd, buf, sizeof(buf) - 1) == 4 && !strcmp(buf, "two\n"),
	      "the new content, whole");
	close(fd);
	close(dfd);
	free(dir);
	free(f);
	free(tmp);
	free(victim);
}

int main(void)
{
	char top[] = "/tmp/test-state.XXXXXX", *state, *open_dir, *cmd;
	struct vrf_config cfg = { 0 }, cfg2 = { 0 };

	umask(022);
	if (!mkdtemp(top))
		return 1;
	state = join(top, "state");
	open_dir = join(top, "open");
	cfg.state_dir = state;
	check(vrf_state_dir(&cfg, true) >= 0, "state_dir made and trusted");
	test_roundtrip(&cfg);
	test_symlinks(&cfg, top);
	test_write_atomic(top);
	mkdir(open_dir, 0755);
	chmod(open_dir, 01777);
	cfg2.state_dir = open_dir;
	check(vrf_state_dir(&cfg2, false) == -EPERM, "a state_dir others may write is refused");
	if (asprintf(&cmd, "rm -rf '%s'", top) >= 0 && system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", top);
	free(cmd);
	free(state);
	free(open_dir);
	printf("%d cases, %d failed\n", n, fails);
	return fails != 0;
}
