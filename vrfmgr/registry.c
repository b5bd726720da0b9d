/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plugin registry.  Built-in plugins sit in the "vrf_plugins" linker
 * section (VRF_PLUGIN_REGISTER); external ones arrive through
 * vrf_plugins_load_dir().  Both pass the same checks, so a broken plugin is
 * refused with a reason instead of crashing the run that uses it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plugin.h"

extern const struct vrf_plugin *const __start_vrf_plugins[] __attribute__((weak));
extern const struct vrf_plugin *const __stop_vrf_plugins[] __attribute__((weak));

static const struct vrf_plugin *registry[VRF_MAX_PLUGINS];
static size_t n_registry;
static bool builtins_done;

static const char *missing_function(const struct vrf_plugin *p)
{
	if (!p->name || !p->name[0])
		return "name";
	if (!p->keys || !p->keys[0])
		return "keys";
	if (!p->parse)
		return "parse";
	/* A kind with live objects needs the whole observe/diff/apply set; a
	 * kind without (hooks) needs none of it. */
	if (p->observe || p->apply || p->compare || p->equal) {
		if (!p->observe)
			return "observe";
		if (!p->apply)
			return "apply";
		if (!p->compare)
			return "compare";
		if (!p->equal)
			return "equal";
		if (!p->format)
			return "format";
	}
	return NULL;
}

static void sort_by_stage(void)
{
	/* Insertion sort: stable, and there are at most VRF_MAX_PLUGINS. */
	for (size_t i = 1; i < n_registry; i++) {
		const struct vrf_plugin *p = registry[i];
		size_t j = i;

		while (j > 0 && registry[j - 1]->stage > p->stage) {
			registry[j] = registry[j - 1];
			j--;
		}
		registry[j] = p;
	}
}

int vrf_plugin_register(struct vrf_config *cfg, const struct vrf_loc *loc,
			const struct vrf_plugin *p, const char *origin)
{
	const char *miss;

	if (!p) {
		vrf_error(cfg, loc, "plugin %s: entry point returned no plugin", origin);
		return -EINVAL;
	}
	if (p->abi != VRF_PLUGIN_ABI) {
		vrf_error(cfg, loc, "plugin %s: ABI version %u, but this vrfmgr speaks %u",
			  origin, p->abi, VRF_PLUGIN_ABI);
		return -EPROTO;
	}
	if ((miss = missing_function(p))) {
		vrf_error(cfg, loc, "plugin %s: missing %s", origin, miss);
		return -EINVAL;
	}
	if (n_registry == VRF_MAX_PLUGINS) {
		vrf_error(cfg, loc, "plugin %s: too many plugins (at most %d)", origin,
			  VRF_MAX_PLUGINS);
		return -ENOSPC;
	}
	for (const char *const *k = p->keys; *k; k++) {
		const struct vrf_plugin *o = vrf_plugin_for_key(*k);
		static const char *const engine_keys[] = { "description", "include", NULL };

		for (const char *const *e = engine_keys; *e; e++)
			if (!strcmp(*e, *k))
				o = p;
		if (o) {
			vrf_error(cfg, loc, "plugin %s: key \"%s\" already belongs to %s",
				  origin, *k, o == p ? "vrfmgr" : o->name);
			return -EEXIST;
		}
	}
	for (size_t i = 0; i < n_registry; i++)
		if (!strcmp(registry[i]->name, p->name)) {
			vrf_error(cfg, loc, "plugin %s: kind \"%s\" already exists", origin,
				  p->name);
			return -EEXIST;
		}
	registry[n_registry++] = p;
	sort_by_stage();
	return 0;
}

static void register_builtins(void)
{
	if (builtins_done)
		return;
	builtins_done = true;
	for (const struct vrf_plugin *const *p = __start_vrf_plugins; p < __stop_vrf_plugins; p++)
		if (vrf_plugin_register(NULL, NULL, *p, "built-in") < 0)
			abort();	/* a broken built-in is a build bug */
}

const struct vrf_plugin *const *vrf_plugins(size_t *ret_n)
{
	register_builtins();
	*ret_n = n_registry;
	return registry;
}

const struct vrf_plugin *vrf_plugin_for_key(const char *key)
{
	register_builtins();
	for (size_t i = 0; i < n_registry; i++)
		for (const char *const *k = registry[i]->keys; *k; k++)
			if (!strcmp(*k, key))
				return registry[i];
	return NULL;
}

unsigned vrf_plugin_index(const struct vrf_plugin *p)
{
	/* Indexes are stable per registration; sorting would move them, so they
	 * come from a separate list in registration order. */
	static const struct vrf_plugin *order[VRF_MAX_PLUGINS];
	static size_t n_order;

	for (size_t i = 0; i < n_order; i++)
		if (order[i] == p)
			return (unsigned)i;
	if (n_order == VRF_MAX_PLUGINS)
		abort();
	order[n_order] = p;
	return (unsigned)n_order++;
}
