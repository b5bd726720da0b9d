/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `include` in an nft file, expanded by vrfmgr.  Left to libnftables, an
 * include opened whatever the name or glob matched: a file anybody may write
 * went live in the firewall, a FIFO hung check, plan and apply, /dev/zero
 * spun at full CPU.  So vrfmgr reads every included file itself, with the
 * checks the config file gets (vrf_open_trusted(): a regular file, owned by
 * root or us, not writable by group or others, no final symlink, a FIFO
 * refused rather than waited on), and hands libnftables one text in which
 * each include statement is replaced by the files it names: libnftables
 * never opens a file.  A relative name resolves against the folder of the
 * nft_file, at any depth of includes, as nft does with that folder as its
 * include path (`nft -I FOLDER`, which vrfmgr gave libnftables before);
 * nft resolves ./ and ../ against the working directory, which means
 * nothing for a daemon, so those too start from that folder.  A glob
 * expands in sorted order, skipping folders, and may match nothing, as in
 * nft; a plain name must exist.
 * Includes nest up to NFT_INCLUDE_DEPTH deep (nft's own limit), a file may
 * not include itself through any chain of includes, and the whole text is
 * limited as one file is.
 *
 * Each statement is replaced by a line break, the files, and another line
 * break, so every line of the result comes from one line of one file; the
 * origin of each line (file, line, and how far its first column is into
 * that line) turns libnftables' locations back into FILE:LINE:COL.
 */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nft.h"

#define NFT_TEXT_MAX		(16u << 20)	/* as NFT_FILE_MAX in nft.c */
#define NFT_INCLUDE_DEPTH	16		/* nft's MAX_INCLUDE_DEPTH */
#define NFT_INCLUDE_FILES	1024		/* files read for one nft_file */

struct open_file {
	dev_t dev;
	ino_t ino;
};

struct expand {
	struct vrf_config *cfg;
	const char *top;		/* the nft_file: relative names start in its folder */
	struct vnft_text *out;
	struct vrf_buf b;
	struct open_file stack[NFT_INCLUDE_DEPTH + 1];
	unsigned depth;
	unsigned files;
	bool failed;
};

static void origin_push(struct expand *x, const char *file, unsigned line, unsigned coloff)
{
	struct vnft_text *t = x->out;

	t->origin = vrf_realloc(t->origin, (t->n_origin + 1) * sizeof(*t->origin), 1);
	t->origin[t->n_origin++] = (struct vnft_origin){ file, line, coloff };
}

int vnft_read_fd(int fd, size_t room, char **ret, size_t *ret_len)
{
	struct vrf_buf b = { 0 };
	char chunk[65536];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		if (b.len + (size_t)n > room) {
			vrf_buf_free(&b);
			return -EFBIG;
		}
		vrf_buf_printf(&b, "%.*s", (int)n, chunk);
	}
	if (n < 0) {
		int r = -errno;

		vrf_buf_free(&b);
		return r;
	}
	*ret_len = b.len;
	*ret = vrf_strdup(vrf_buf_str(&b));
	vrf_buf_free(&b);
	return 0;
}

static int expand_text(struct expand *x, const char *file, const char *text, size_t len);

/* Check, read and expand one included file; at names the include. */
static int include_one(struct expand *x, const struct vrf_loc *at, const char *path)
{
	const char *file = vrf_config_intern(x->cfg, path);
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	int fd, r;

	if (++x->files > NFT_INCLUDE_FILES) {
		vrf_error(x->cfg, at, "%s: more than %d files included; refusing it", path,
			  NFT_INCLUDE_FILES);
		return -E2BIG;
	}
	fd = vrf_open_trusted(x->cfg, at, path);
	if (fd < 0)
		return fd;
	r = fstat(fd, &st) < 0 ? -errno : 0;
	for (unsigned i = 0; r == 0 && i <= x->depth; i++)
		if (x->stack[i].dev == st.st_dev && x->stack[i].ino == st.st_ino) {
			vrf_error(x->cfg, at, "%s: includes itself (through this include); "
				  "refusing it", path);
			r = -ELOOP;
		}
	if (r == 0 && x->depth == NFT_INCLUDE_DEPTH) {
		vrf_error(x->cfg, at, "%s: includes nested more than %d deep; refusing it", path,
			  NFT_INCLUDE_DEPTH);
		r = -ELOOP;
	}
	if (r == 0) {
		r = vnft_read_fd(fd, NFT_TEXT_MAX - x->b.len, &text, &len);
		if (r < 0)
			vrf_error(x->cfg, at, "%s: %s", path, r == -EFBIG ?
				  "the nft_file and its includes are larger than 16 MiB" :
				  strerror(-r));
	}
	close(fd);
	if (r == 0 && memchr(text, '\0', len)) {
		vrf_error(x->cfg, at, "%s: contains a NUL byte; not an nft file", path);
		r = -EINVAL;
	}
	if (r == 0) {
		x->stack[++x->depth] = (struct open_file){ st.st_dev, st.st_ino };
		vrf_buf_puts(&x->b, "\n");
		origin_push(x, file, 1, 0);
		r = expand_text(x, file, text, len);
		x->depth--;
	}
	free(text);
	return r;
}

static bool is_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* The files that `include "name"` in file names, in order. */
static int include_stmt(struct expand *x, const char *file, unsigned line, unsigned col,
			const char *name)
{
	char where[PATH_MAX + 32], *path;
	struct vrf_loc at = { where, 0 };
	glob_t g;
	int r = 0, gr;

	snprintf(where, sizeof(where), "%s:%u:%u", file, line, col);
	path = vrf_path_relative(&(struct vrf_loc){ x->top, 0 }, name);
	if (!path)
		abort();
	if (!is_glob(name)) {
		r = include_one(x, &at, path);
		free(path);
		return r;
	}
	gr = glob(path, GLOB_MARK, NULL, &g);
	if (gr == GLOB_NOMATCH) {
		free(path);
		return 0;
	}
	if (gr != 0) {
		vrf_error(x->cfg, &at, "include \"%s\": cannot expand %s", name, path);
		free(path);
		return -EIO;
	}
	for (size_t i = 0; i < g.gl_pathc && r == 0; i++) {
		const char *p = g.gl_pathv[i];

		if (p[strlen(p) - 1] != '/')	/* GLOB_MARK: a folder */
			r = include_one(x, &at, p);
	}
	globfree(&g);
	free(path);
	return r;
}

/* At text[i], after a word boundary: an include statement?  Then *ret_end
 * is where its name ends (after the closing quote), and the name. */
static bool include_at(const char *text, size_t len, size_t i, size_t *ret_name,
		       size_t *ret_namelen, size_t *ret_end)
{
	size_t j = i + 7;

	if (len - i < 7 || memcmp(text + i, "include", 7) ||
	    (j < len && !strchr(" \t\"", text[j])))
		return false;
	while (j < len && (text[j] == ' ' || text[j] == '\t'))
		j++;
	*ret_name = j + 1;
	*ret_namelen = 0;
	*ret_end = j;
	if (j >= len || text[j] != '"')
		return true;	/* no quoted name: refused by the caller */
	j++;
	while (j < len && text[j] != '"' && text[j] != '\n')
		j++;
	if (j >= len || text[j] != '"')
		return true;
	*ret_namelen = j - *ret_name;
	*ret_end = j + 1;
	return true;
}

static bool is_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("_./\\-$@", c);
}

/* Copy text to the result, include statements replaced by the files. */
static int expand_text(struct expand *x, const char *file, const char *text, size_t len)
{
	unsigned line = 1;
	size_t bol = 0, i = 0;
	bool word_start = true;

	while (i < len) {
		char c = text[i];
		size_t name, namelen, end;

		if (c == '#' || c == '"') {
			size_t e = i + 1;

			while (e < len && text[e] != '\n' && (c == '#' || text[e] != '"'))
				e++;
			if (c == '"' && e < len && text[e] == '"')
				e++;
			vrf_buf_printf(&x->b, "%.*s", (int)(e - i), text + i);
			i = e;
			word_start = true;
			continue;
		}
		if (word_start && c == 'i' && include_at(text, len, i, &name, &namelen, &end)) {
			unsigned col = (unsigned)(i - bol) + 1;
			char *n;
			int r;

			if (!namelen) {
				char where[PATH_MAX + 32];

				snprintf(where, sizeof(where), "%s:%u:%u", file, line, col);
				vrf_error(x->cfg, &(struct vrf_loc){ where, 0 },
					  "include needs a file name in double quotes");
				return -EINVAL;
			}
			n = vrf_strndup(text + name, namelen);
			r = include_stmt(x, file, line, col, n);
			free(n);
			if (r < 0)
				return r;
			/* Back in this file: its line goes on from `end`, on a
			 * line of its own (an empty last line is that line). */
			if (x->b.len && vrf_buf_str(&x->b)[x->b.len - 1] == '\n')
				x->out->n_origin--;
			else
				vrf_buf_puts(&x->b, "\n");
			origin_push(x, file, line, (unsigned)(end - bol));
			i = end;
			word_start = true;
			continue;
		}
		vrf_buf_printf(&x->b, "%c", c);
		/* nft's scanner takes `include` as a keyword wherever a word
		 * may start; every such place is expanded here, so that no
		 * include reaches libnftables. */
		word_start = !is_word_char(c);
		i++;
		if (c == '\n') {
			line++;
			bol = i;
			origin_push(x, file, line, 0);
		}
		if (x->b.len > NFT_TEXT_MAX)
			return -EFBIG;
	}
	return 0;
}

int vnft_expand(struct vrf_config *cfg, const char *path, int fd, const char *text, size_t len,
		struct vnft_text *out)
{
	const char *file = vrf_config_intern(cfg, path);
	struct expand x = { .cfg = cfg, .top = file, .out = out };
	struct stat st;
	int r;

	memset(out, 0, sizeof(*out));
	/* The top file's identity, for the check that nothing includes it. */
	if (fstat(fd, &st) == 0)
		x.stack[0] = (struct open_file){ st.st_dev, st.st_ino };
	origin_push(&x, file, 1, 0);
	r = expand_text(&x, file, text, len);
	if (r == -EFBIG)
		vrf_error(cfg, &(struct vrf_loc){ file, 0 },
			  "the nft_file and its includes are larger than 16 MiB");
	out->len = x.b.len;
	out->text = vrf_strdup(vrf_buf_str(&x.b));
	out->n_files = x.files;
	vrf_buf_free(&x.b);
	if (r < 0)
		vnft_text_free(out);
	return r;
}

void vnft_text_free(struct vnft_text *t)
{
	free(t->text);
	free(t->origin);
	memset(t, 0, sizeof(*t));
}

bool vnft_text_where(const struct vnft_text *t, unsigned line, unsigned col,
		     const char **ret_file, unsigned *ret_line, unsigned *ret_col)
{
	const struct vnft_origin *o;

	if (!line || line > t->n_origin)
		return false;
	o = &t->origin[line - 1];
	*ret_file = o->file;
	*ret_line = o->line;
	*ret_col = col ? col + o->coloff : 0;
	return true;
}
