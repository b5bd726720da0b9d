/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The hook key: grammar and the file rules (a hook runs as root, so it obeys
 * the rules of the config file and must be executable).  No root needed. */
#include "keytest.h"

#define G "[global]\nnetns_dir = /run/netns\n"

int main(void)
{
	struct vrf_config *cfg;

	kt_tmpdir();
	kt_write("up.sh", "#!/bin/sh\nexit 0\n", 0755);
	kt_write("noexec.sh", "#!/bin/sh\nexit 0\n", 0644);
	kt_write("groupw.sh", "#!/bin/sh\nexit 0\n", 0775);
	if (symlink("up.sh", "link.sh") < 0 || mkfifo("fifo", 0700) < 0) {
		perror("setup");
		return 2;
	}

	kt_refuse("no path", G "[domain a]\nhook = post-apply\n",
		  "c.ini:4: hook needs EVENT PATH, e.g. \"post-apply /etc/vrfmgr/hooks/up\"");
	kt_refuse("unknown event", G "[domain a]\nhook = after-apply up.sh\n",
		  "c.ini:4: hook event \"after-apply\" is unknown (pre-apply, post-apply or post-destroy)");
	kt_refuse("missing file", G "[domain a]\nhook = post-apply nothere.sh\n",
		  "c.ini:4: nothere.sh: No such file or directory");
	kt_refuse("not executable", G "[domain a]\nhook = post-apply noexec.sh\n",
		  "c.ini:4: hook noexec.sh is not executable by its owner (mode 0644)");
	kt_refuse("group-writable", G "[domain a]\nhook = post-apply groupw.sh\n",
		  "c.ini:4: groupw.sh: writable by group or others (mode 0775); refusing it");
	kt_refuse("symlink", G "[domain a]\nhook = post-apply link.sh\n",
		  "c.ini:4: link.sh: is a symbolic link; refusing it");
	kt_refuse("FIFO, refused without hanging", G "[domain a]\nhook = post-apply fifo\n",
		  "c.ini:4: fifo: not a regular file; refusing it");
	kt_refuse("bad timeout", G "[domain a]\nhook = post-apply up.sh timeout 0\n",
		  "c.ini:4: hook timeout \"0\" must be a number of seconds from 1 to 3600");
	kt_refuse("timeout too long", G "[domain a]\nhook = post-apply up.sh timeout 3601\n",
		  "c.ini:4: hook timeout \"3601\" must be a number of seconds from 1 to 3600");
	kt_refuse("junk after the path", G "[domain a]\nhook = post-apply up.sh now\n",
		  "c.ini:4: hook: unexpected \"now\" after the path (only \"timeout SECONDS\" may follow)");
	kt_refuse("timeout without seconds", G "[domain a]\nhook = post-apply up.sh timeout\n",
		  "c.ini:4: hook: unexpected \"timeout\" after the path (only \"timeout SECONDS\" may follow)");
	kt_refuse("listed twice", G "[domain a]\nhook = post-apply up.sh\nhook = post-apply up.sh timeout 5\n",
		  "c.ini:5: hook post-apply up.sh is listed twice (first at c.ini:4)");
	kt_refuse("not in [host]", G "[host]\nhook = post-apply up.sh\n",
		  "c.ini:4: \"hook\" is not allowed in [host]");

	cfg = kt_accept("every event, relative and absolute paths, timeout",
			G "[domain a]\nhook = pre-apply up.sh\nhook = post-apply up.sh timeout 5\n"
			"hook = post-destroy up.sh\n[domain b]\nhook = post-apply up.sh\n");
	if (cfg) {
		kt_roundtrip("round trip", cfg);
		vrf_config_free(cfg);
	}
	return kt_done();
}
