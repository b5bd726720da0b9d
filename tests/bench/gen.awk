# gen.awk: write the benchmark's configs and the equivalent shell script.
#
#     awk -v D=50 -v R=200 -v F=50 -v S=5 -v N=200 -v OUT=DIR -f gen.awk
#
# Domain dI has a veth "up" whose peer hI stays in the host, a /30 from
# 100.64.0.0/10 on each end, R routes (10.x.y.0/24, the same in every domain,
# as overlapping customers have them) via the host end in table main, an
# inet table of F `ip saddr A/32 counter accept` rules and S sysctls, each
# set to a value that differs from a new namespace's default so that every
# key is a real write.
#
# Files written under OUT:
#   full.ini      the configuration vrfmgr applies
#   changed.ini   the same with one route of one domain (the middle one) moved
#                 to another prefix: one delete and one add
#   half.ini      the first ceil(D/2) domains only, for apply --prune
#   zero.ini      full.ini without routes (a memory baseline)
#   netns.ini     N domains with nothing in them (namespace creation)
#   nft/dI.nft    each domain's firewall as vrfmgr reads it
#   sh/apply.sh   the administrator's idempotent script, with
#   sh/host.batch, sh/dI.batch, sh/dI.nft  its ip(8) batches and nft files
#   sh/netns.sh   N x `ip netns add`
# and prints the number of routes, nft rules and sysctls it wrote.

function quad(n, first) {
	return (first + int(n / 16777216)) "." (int(n / 65536) % 256) "." \
	       (int(n / 256) % 256) "." (n % 256)
}

# The host end of domain i's transfer net is .1, the domain end .2.
function xfer(i, end) { return quad(i * 4 + end + 64 * 65536, 100) }

function route_prefix(k) { return quad(k * 256, 10) "/24" }

BEGIN {
	nkeys = split("net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=2 " \
		"net.ipv6.conf.all.forwarding=1 net.ipv4.conf.default.rp_filter=2 " \
		"net.ipv4.tcp_syncookies=2 net.ipv4.conf.all.accept_redirects=0 " \
		"net.ipv4.conf.all.send_redirects=0 net.ipv6.conf.all.accept_ra=0 " \
		"net.ipv4.conf.all.log_martians=1 net.ipv4.ip_default_ttl=63 " \
		"net.ipv4.conf.default.accept_source_route=0 " \
		"net.ipv6.conf.default.forwarding=1 net.ipv4.tcp_timestamps=0 " \
		"net.ipv4.icmp_ratelimit=500", key, " ")
	if (S > nkeys) {
		print "gen.awk: at most " nkeys " sysctls (-s)" > "/dev/stderr"
		exit 1
	}
	sysctl_words = ""
	for (s = 1; s <= S; s++)
		sysctl_words = sysctl_words " " key[s]

	# The firewall is the same in every domain; each domain still has a
	# file of its own, as a real deployment would.
	rules = ""
	for (j = 0; j < F; j++)
		rules = rules "\t\tip saddr " quad(j, 172) "/32 counter accept\n"
	table = "table inet vrfbench {\n\tchain input {\n" \
		"\t\ttype filter hook input priority filter; policy accept;\n" \
		rules "\t}\n}\n"

	hdr = "[global]\nnetns_dir = /run/netns\nroute_protocol = 250\n"
	full = OUT "/full.ini"; changed = OUT "/changed.ini"
	half = OUT "/half.ini"; zero = OUT "/zero.ini"
	script = OUT "/sh/apply.sh"; hbatch = OUT "/sh/host.batch"
	keep = D - int(D / 2)
	mid = int(D / 2)

	printf "%s\n[host]\n", hdr > full
	printf "%s\n[host]\n", hdr > changed
	printf "%s\n[host]\n", hdr > half
	printf "%s\n[host]\n", hdr > zero
	for (i = 0; i < D; i++) {
		line = "address = " xfer(i, 1) "/30 dev h" i
		print line > full; print line > changed; print line > zero
		if (i < keep)
			print line > half
		print "link add h" i " type veth peer name uplink netns d" i > hbatch
		print "link set h" i " up" > hbatch
		print "address replace " xfer(i, 1) "/30 dev h" i > hbatch
	}
	close(hbatch)

	print "#!/bin/sh\n# The administrator's script: idempotent, so that running it again\n" \
	      "# converges instead of failing.  -force lets a batch go on past\n" \
	      "# \"File exists\" from the link that is already there.\ncd \"$(dirname \"$0\")\"" > script
	for (i = 0; i < D; i++)
		print "[ -e /run/netns/d" i " ] || ip netns add d" i > script
	print "ip -force -batch host.batch 2>/dev/null" > script
	for (i = 0; i < D; i++)
		print "ip -n d" i " -force -batch d" i ".batch 2>/dev/null" > script
	if (F > 0)
		for (i = 0; i < D; i++)
			print "ip netns exec d" i " nft -f d" i ".nft" > script
	if (S > 0)
		for (i = 0; i < D; i++)
			print "ip netns exec d" i " sysctl -q -w" sysctl_words > script
	close(script)

	for (i = 0; i < D; i++) {
		name = "d" i
		gw = xfer(i, 1)
		sec = "\n[domain " name "]\nlink = uplink type veth peer h" i "\n" \
		      "address = " xfer(i, 2) "/30 dev uplink\n"
		for (s = 1; s <= S; s++)
			sec = sec "sysctl = " key[s] "\n"
		if (F > 0)
			sec = sec "nft_file = nft/" name ".nft\n"
		printf "%s", sec > full; printf "%s", sec > changed
		printf "%s", sec > zero
		if (i < keep)
			printf "%s", sec > half

		batch = OUT "/sh/" name ".batch"
		print "link set lo up\nlink set dev uplink up\naddress replace " xfer(i, 2) "/30 dev uplink" > batch
		for (k = 0; k < R; k++) {
			p = route_prefix(k)
			print "route = " p " via " gw > full
			if (i == mid && k == R - 1)
				print "route = 192.168.255.0/24 via " gw > changed
			else
				print "route = " p " via " gw > changed
			if (i < keep)
				print "route = " p " via " gw > half
			print "route replace " p " via " gw > batch
		}
		close(batch)

		f = OUT "/nft/" name ".nft"
		printf "%s", table > f
		close(f)
		f = OUT "/sh/" name ".nft"
		printf "table inet vrfbench\ndelete table inet vrfbench\n%s", table > f
		close(f)
	}

	f = OUT "/netns.ini"
	printf "%s", hdr > f
	g = OUT "/sh/netns.sh"
	for (i = 0; i < N; i++) {
		printf "\n[domain n%d]\n", i > f
		print "ip netns add n" i > g
	}
	print D * R, D * F, D * S
}
