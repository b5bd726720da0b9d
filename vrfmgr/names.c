/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cross-reference table: plugins publish names while parsing ("domain
 * cust-a has a device uplink") and look them up when validating.  An open
 * addressing hash table keyed by (domain, space, name), so that validating
 * thousands of domains stays linear.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plugin.h"

struct vrf_name_ent {
	char *key;		/* "domain\0space\0name\0" */
	size_t keylen;
	uint64_t hash;
	struct vrf_loc loc;
	void *data;
};

struct vrf_names {
	struct vrf_name_ent *tab;
	size_t n, cap;		/* cap is a power of two */
};

static char *make_key(const char *domain, const char *space, const char *name, size_t *ret_len)
{
	size_t a = strlen(domain) + 1, b = strlen(space) + 1, c = strlen(name) + 1;
	char *k = vrf_malloc(a + b + c);

	memcpy(k, domain, a);
	memcpy(k + a, space, b);
	memcpy(k + a + b, name, c);
	*ret_len = a + b + c;
	return k;
}

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static struct vrf_name_ent *slot(const struct vrf_names *t, const char *key, size_t len,
				 uint64_t h)
{
	size_t mask = t->cap - 1;

	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct vrf_name_ent *e = &t->tab[i];

		if (!e->key || (e->hash == h && e->keylen == len && !memcmp(e->key, key, len)))
			return e;
	}
}

static void grow(struct vrf_names *t)
{
	struct vrf_names nt = { .cap = t->cap ? t->cap * 2 : 64 };

	nt.tab = vrf_calloc(nt.cap, sizeof(*nt.tab));
	for (size_t i = 0; i < t->cap; i++)
		if (t->tab[i].key)
			*slot(&nt, t->tab[i].key, t->tab[i].keylen, t->tab[i].hash) = t->tab[i];
	nt.n = t->n;
	free(t->tab);
	*t = nt;
}

int vrf_name_add(struct vrf_config *cfg, const char *domain, const char *space,
		 const char *name, const struct vrf_loc *loc, void *data)
{
	struct vrf_names *t = cfg->names;
	struct vrf_name_ent *e;
	size_t len;
	char *key;
	uint64_t h;

	if (!t) {
		t = cfg->names = vrf_calloc(1, sizeof(*t));
	}
	if ((t->n + 1) * 2 > t->cap)
		grow(t);
	key = make_key(domain, space, name, &len);
	h = hash_bytes(key, len);
	e = slot(t, key, len, h);
	if (e->key) {
		free(key);
		if (strcmp(domain, "*"))
			vrf_error(cfg, loc, "duplicate %s \"%s\" in %s%s (first at %s:%u)", space,
				  name, strcmp(domain, VRF_HOST) ? "domain " : "", domain,
				  e->loc.file ? e->loc.file : "?", e->loc.line);
		else
			vrf_error(cfg, loc, "duplicate %s \"%s\" (first at %s:%u)", space, name,
				  e->loc.file ? e->loc.file : "?", e->loc.line);
		return -EEXIST;
	}
	e->key = key;
	e->keylen = len;
	e->hash = h;
	e->loc = loc ? *loc : (struct vrf_loc){ 0 };
	e->data = data;
	t->n++;
	return 0;
}

bool vrf_name_find(const struct vrf_config *cfg, const char *domain, const char *space,
		   const char *name, void **ret_data, const struct vrf_loc **ret_loc)
{
	const struct vrf_names *t = cfg->names;
	struct vrf_name_ent *e;
	size_t len;
	char *key;

	if (!t || !t->n)
		return false;
	key = make_key(domain, space, name, &len);
	e = slot(t, key, len, hash_bytes(key, len));
	free(key);
	if (!e->key)
		return false;
	if (ret_data)
		*ret_data = e->data;
	if (ret_loc)
		*ret_loc = &e->loc;
	return true;
}

void vrf_names_free(struct vrf_names *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->cap; i++)
		free(t->tab[i].key);
	free(t->tab);
	free(t);
}
