/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Command line: global options, then one command from the table below. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

static const struct command commands[] = {
	{ "check",   cmd_check,   "",                       "parse and validate only; needs no privilege" },
	{ "plan",    cmd_plan,    "[DOMAIN...] [--prune] [--adopt]", "print what apply would change" },
	{ "apply",   cmd_apply,   "[DOMAIN...] [--prune] [--adopt] [--confirm SECONDS] [--no-disruptive]",
	  "make the kernel match the file" },
	{ "audit",   cmd_audit,   "[DOMAIN...]",            "live firewall and drift of every object" },
	{ "status",  cmd_status,  "[--dot]",                "one line per domain" },
	{ "exec",    cmd_exec,    "DOMAIN CMD...",          "run CMD inside the domain" },
	{ "destroy", cmd_destroy, "DOMAIN...",              "remove a domain that vrfmgr created" },
	{ "watch",   cmd_watch,   "[--interval S] [--metrics FILE]", "stay up; re-reconcile on drift; SIGHUP reloads" },
	{ "metrics", cmd_metrics, "",                       "Prometheus text format, per domain (read-only)" },
	{ "confirm", cmd_confirm, "",                       "keep a change made with apply --confirm" },
	{ "history", cmd_history, "[--json] | show ID",     "what was applied, when, by whom" },
	{ "rollback", cmd_rollback, "ID [--dry-run] [--confirm SECONDS]",
	  "apply an earlier entry of the history" },
	{ "version", cmd_version, "",                       "print the version" },
	/* Not for people: the process that apply --confirm leaves behind. */
	{ "undo-timer", cmd_undo_timer, NULL,               NULL },
	{ NULL, NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: vrfmgr [-c FILE] [-v|-q] [--json] COMMAND [ARG...]\n\n"
		   "Routing domains (network namespaces with links, addresses, routes, rules,\n"
		   "an nftables firewall and sysctls) from one INI file.\n\n"
		   "Commands:\n");
	for (const struct command *c = commands; c->name; c++)
		if (c->help)
			fprintf(f, "  %-8s %-24s %s\n", c->name, c->args, c->help);
	fprintf(f, "\nOptions:\n"
		   "  -c, --config FILE  configuration file (default %s)\n"
		   "  -v, --verbose      say more (repeatable)\n"
		   "  -q, --quiet        print only errors\n"
		   "      --json         one JSON document on stdout (plan, apply, audit, status)\n"
		   "  -h, --help         this text\n"
		   "  -V, --version      print the version\n\n"
		   "Exit status: 0 success or in sync, 1 error, 2 plan/audit found changes.\n",
		VRF_DEFAULT_CONFIG);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct options o = { .config = VRF_DEFAULT_CONFIG };
	int c;

	/* "+": stop at the command, whose own arguments may look like options
	 * (exec DOMAIN ip -4 route). */
	while ((c = getopt_long(argc, argv, "+c:vqhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': o.config = optarg; break;
		case 'v': o.verbose++; break;
		case 'q': o.verbose = -1; break;
		case 'j': o.json = true; break;
		case 'h': usage(stdout); return 0;
		case 'V': return cmd_version(&o, 0, NULL);
		default: usage(stderr); return 1;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 1;
	}
	for (const struct command *cmd = commands; cmd->name; cmd++)
		if (!strcmp(cmd->name, argv[optind]))
			return cmd->fn(&o, argc - optind - 1, argv + optind + 1);
	if (!strcmp(argv[optind], "help")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "vrfmgr: unknown command \"%s\"\n", argv[optind]);
	usage(stderr);
	return 1;
}
