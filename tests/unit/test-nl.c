/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nl.c against a scripted kernel, without root: the netlink socket is
 * replaced by one end of an AF_UNIX datagram pair, sends go to a fake that
 * checks the requests and writes the replies a kernel would.  Checked: a
 * dump flagged NLM_F_DUMP_INTR is thrown away and read again whole (and
 * given up after a bounded number of tries); a dump error is returned; a
 * batch asks for one ACK per chunk (its last request), maps a failure back
 * to its request's tag with the extended-ack text, lets a deletion whose
 * object is already gone pass (and nothing else), splits into chunks that
 * fit, grows from a small buffer up to a chunk, and counts its writes; a
 * request built elsewhere is copied into a batch whole (vrf_nl_batch_copy);
 * vrf_nl_talk() returns the error and its text; vrf_nl_query() feeds a GET's
 * answer to its callback, counted as no write; the device name cache asks
 * the kernel once per device.
 *
 * nl.c is included with its public names renamed, so it does not clash with
 * the copy in the library, and with mnl_socket_sendto() redirected.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#define vrf_nl_get test_nl_get
#define vrf_nl_ns_release test_nl_ns_release
#define vrf_nl_request test_nl_request
#define vrf_nl_dump test_nl_dump
#define vrf_nl_talk test_nl_talk
#define vrf_nl_query test_nl_query
#define vrf_nl_batch_copy test_nl_batch_copy
#define vrf_nl_batch_new test_nl_batch_new
#define vrf_nl_batch_add test_nl_batch_add
#define vrf_nl_batch_finish test_nl_batch_finish
#define vrf_nl_writes test_nl_writes
#define vrf_ifc_init test_ifc_init
#define vrf_ifc_free test_ifc_free
#define vrf_ifc_add test_ifc_add
#define vrf_ifc_index test_ifc_index
#define vrf_ifc_find test_ifc_find
#define vrf_nl_dump_objs test_nl_dump_objs
#define vrf_nl_batch_ops test_nl_batch_ops
#define vrf_nl_own_portids test_nl_own_portids
#define vrf_nl_portid_in test_nl_portid_in
#define mnl_socket_sendto fake_sendto

#include <libmnl/libmnl.h>
static ssize_t fake_sendto(const struct mnl_socket *sk, const void *buf, size_t len);

#include "../../vrfmgr/nl.c"

static int fails, n_tests;

static void check(bool ok, const char *name)
{
	n_tests++;
	printf("%s - %s\n", ok ? "ok" : "FAIL", name);
	if (!ok)
		fails++;
}

/* ---- the scripted kernel ---- */

static int kernel_fd;			/* our end of the pair is the "socket" */
static int (*script)(const struct nlmsghdr *req, size_t len);
static unsigned sends, dumps_seen;
static bool acks_ok = true;		/* only the last request of a send asked for an ACK */

static ssize_t fake_sendto(const struct mnl_socket *sk, const void *buf, size_t len)
{
	(void)sk;
	sends++;
	if (script(buf, len) < 0)
		return -1;
	return (ssize_t)len;
}

static void reply(uint16_t type, uint16_t flags, uint32_t seq, const void *payload, size_t plen)
{
	char buf[4096];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	if (plen)
		memcpy(mnl_nlmsg_put_extra_header(nlh, plen), payload, plen);
	if (send(kernel_fd, buf, nlh->nlmsg_len, 0) < 0)
		perror("send");
}

static void reply_route(uint32_t seq, uint16_t flags)
{
	struct rtmsg rtm = { .rtm_family = AF_INET };

	reply(RTM_NEWROUTE, NLM_F_MULTI | flags, seq, &rtm, sizeof(rtm));
}

static void reply_done(uint32_t seq, uint16_t flags)
{
	int zero = 0;

	reply(NLMSG_DONE, NLM_F_MULTI | flags, seq, &zero, sizeof(zero));
}

/* An error (or ACK when err is 0) for req, capped, with text when given. */
static void reply_err(const struct nlmsghdr *req, int err, const char *text)
{
	char buf[4096];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlmsgerr *e;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED | (text ? NLM_F_ACK_TLVS : 0);
	nlh->nlmsg_seq = req->nlmsg_seq;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = err;
	e->msg = *req;
	if (text)
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, text);
	if (send(kernel_fd, buf, nlh->nlmsg_len, 0) < 0)
		perror("send");
}

/* Dumps: the first `intr` passes are flagged inconsistent. */
static unsigned intr_passes;

static int script_dump(const struct nlmsghdr *req, size_t len)
{
	bool intr = dumps_seen < intr_passes;

	(void)len;
	dumps_seen++;
	if (!(req->nlmsg_flags & NLM_F_DUMP))
		acks_ok = false;
	reply_route(req->nlmsg_seq, 0);
	reply_route(req->nlmsg_seq, intr ? NLM_F_DUMP_INTR : 0);
	reply_route(req->nlmsg_seq, 0);
	reply_done(req->nlmsg_seq, intr ? NLM_F_DUMP_INTR : 0);
	return 0;
}

static int script_dump_error(const struct nlmsghdr *req, size_t len)
{
	(void)len;
	reply_route(req->nlmsg_seq, 0);
	reply_err(req, -EPERM, NULL);
	return 0;
}

/* Batches: every request whose RTA_PRIORITY is 13 fails with a text; the
 * last request of each send is answered with an ACK. */
static unsigned batch_reqs, batch_max_per_send;

static int script_batch(const struct nlmsghdr *req, size_t len)
{
	const struct nlmsghdr *nlh, *last = NULL;
	unsigned n = 0;
	int rest = (int)len;

	for (nlh = req; mnl_nlmsg_ok(nlh, rest); nlh = mnl_nlmsg_next(nlh, &rest)) {
		const struct nlattr *attr;
		uint32_t prio = 0;

		if (last && (last->nlmsg_flags & NLM_F_ACK))
			acks_ok = false;	/* an ACK asked before the end */
		if (last && nlh->nlmsg_seq != last->nlmsg_seq + 1)
			acks_ok = false;	/* sequence numbers must follow */
		mnl_attr_for_each(attr, nlh, sizeof(struct rtmsg))
			if (mnl_attr_get_type(attr) == RTA_PRIORITY)
				prio = mnl_attr_get_u32(attr);
		if (prio == 13)
			reply_err(nlh, -EEXIST, "Route 13 exists");
		else if (nlh->nlmsg_flags & NLM_F_ACK)
			reply_err(nlh, 0, NULL);
		last = nlh;
		n++;
	}
	if (!last || !(last->nlmsg_flags & NLM_F_ACK))
		acks_ok = false;
	batch_reqs += n;
	if (n > batch_max_per_send)
		batch_max_per_send = n;
	return 0;
}

static int script_talk(const struct nlmsghdr *req, size_t len)
{
	(void)len;
	if (!(req->nlmsg_flags & NLM_F_ACK))
		acks_ok = false;
	reply_route(req->nlmsg_seq, 0);	/* data before the answer is skipped */
	reply_err(req, -ENODEV, "No such device here");
	return 0;
}

/* A GET of one object: its data, then the ACK. */
static int script_query(const struct nlmsghdr *req, size_t len)
{
	(void)len;
	if (!(req->nlmsg_flags & NLM_F_ACK) || (req->nlmsg_flags & NLM_F_DUMP))
		acks_ok = false;
	reply_route(req->nlmsg_seq, 0);
	reply_err(req, 0, NULL);
	return 0;
}

static int script_query_error(const struct nlmsghdr *req, size_t len)
{
	(void)len;
	reply_err(req, -ENODEV, NULL);
	return 0;
}

/* ---- callbacks ---- */

struct count {
	unsigned msgs, resets;
};

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	struct count *c = data;

	(void)nlh;
	c->msgs++;
	return 0;
}

static void count_reset(void *data)
{
	struct count *c = data;

	c->msgs = 0;
	c->resets++;
}

/* Keeps one object per message, as an observe() callback would. */
static int keep_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	return vrf_objv_push(data, vrf_obj_new(NULL, sizeof(struct vrf_obj), NULL));
}

struct failures {
	unsigned n;
	long tag;
	int err;
	char msg[64];
};

static void on_error(void *tag, int err, const char *msg, void *data)
{
	struct failures *f = data;

	f->n++;
	f->tag = (long)tag;
	f->err = err;
	snprintf(f->msg, sizeof(f->msg), "%s", msg ? msg : "");
}

static struct vrf_nl *fake_nl(void)
{
	struct vrf_nl *nl = calloc(1, sizeof(*nl));
	int sv[2];

	if (!nl || socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0) {
		perror("socketpair");
		exit(2);
	}
	nl->fd = sv[0];
	kernel_fd = sv[1];
	nl->chunk = NL_CHUNK_MAX;
	nl->max_reqs = 4096;
	nl->seq = 1000;
	return nl;
}

static struct nlmsghdr *dump_req(struct vrf_nl *nl)
{
	struct nlmsghdr *req = test_nl_request(nl, RTM_GETROUTE, NLM_F_DUMP);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(req, sizeof(*rtm));

	rtm->rtm_family = AF_UNSPEC;
	return req;
}

static void test_dumps(struct vrf_nl *nl)
{
	struct count c = { 0 };
	int err;

	/* A clean dump. */
	script = script_dump;
	err = test_nl_dump(nl, dump_req(nl), count_cb, count_reset, &c);
	check(err == 0 && c.msgs == 3 && c.resets == 0 && dumps_seen == 1, "a clean dump is read once");

	/* Interrupted twice, then clean: read three times, callbacks see one
	 * whole pass. */
	memset(&c, 0, sizeof(c));
	dumps_seen = 0;
	intr_passes = 2;
	err = test_nl_dump(nl, dump_req(nl), count_cb, count_reset, &c);
	check(err == 0 && dumps_seen == 3 && c.resets == 2 && c.msgs == 3,
	      "an interrupted dump is thrown away and read again whole");

	/* Always interrupted: a bounded number of tries, then an error. */
	memset(&c, 0, sizeof(c));
	dumps_seen = 0;
	intr_passes = 1000;
	err = test_nl_dump(nl, dump_req(nl), count_cb, count_reset, &c);
	check(err == -EINTR && dumps_seen == NL_DUMP_TRIES, "a dump that never settles fails after 10 tries");

	/* Without a reset callback an interrupted dump cannot be redone. */
	dumps_seen = 0;
	intr_passes = 1;
	err = test_nl_dump(nl, dump_req(nl), count_cb, NULL, &c);
	check(err == -EINTR && dumps_seen == 1, "no reset callback: an interrupted dump fails");

	script = script_dump_error;
	err = test_nl_dump(nl, dump_req(nl), count_cb, count_reset, &c);
	check(err == -EPERM, "a dump error is returned");
}

static void test_batches(struct vrf_nl *nl)
{
	struct failures f = { 0 };
	struct vrf_nl_batch *b;
	char *msg = NULL;
	int err;

	/* A batch of 50 with one failure. */
	script = script_batch;
	sends = 0;
	b = test_nl_batch_new(nl, on_error, &f);
	for (long i = 0; i < 50; i++) {
		struct nlmsghdr *nlh = test_nl_batch_add(b, RTM_NEWROUTE, NLM_F_CREATE, (void *)i);
		struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

		rtm->rtm_family = AF_INET;
		mnl_attr_put_u32(nlh, RTA_PRIORITY, (uint32_t)i);
	}
	err = test_nl_batch_finish(b);
	check(sends == 1 && batch_reqs == 50, "50 requests go out in one send");
	check(acks_ok, "only the last request of the send asks for an ACK; sequence numbers follow");
	check(err == -EEXIST && f.n == 1 && f.tag == 13 && f.err == -EEXIST && !strcmp(f.msg, "Route 13 exists"),
	      "the failure reaches the tag of its request, with the kernel's text");
	check(test_nl_writes() == 50, "vrf_nl_writes() counts the requests sent");

	/* Small chunks: many sends, each ending with its ACK. */
	nl->chunk = 2 * NL_ROOM;
	sends = batch_reqs = batch_max_per_send = 0;
	memset(&f, 0, sizeof(f));
	b = test_nl_batch_new(nl, on_error, &f);
	for (long i = 0; i < 3000; i++) {
		struct nlmsghdr *nlh = test_nl_batch_add(b, RTM_NEWROUTE, NLM_F_CREATE, (void *)i);
		struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

		rtm->rtm_family = AF_INET;
		mnl_attr_put_u32(nlh, RTA_PRIORITY, (uint32_t)(i + 100));
	}
	err = test_nl_batch_finish(b);
	check(err == 0 && f.n == 0 && batch_reqs == 3000 && sends > 1 &&
	      batch_max_per_send * 44 <= 2 * NL_ROOM, "a large batch is split into chunks that fit");
	check(acks_ok, "every chunk asks for exactly one ACK, at its end");

	/* A batch starts small and grows up to a chunk: 3000 requests still
	 * go out in one send, whole, with the ACK on the last and the failure
	 * found by its tag. */
	nl->chunk = NL_CHUNK_MAX;
	sends = batch_reqs = batch_max_per_send = 0;
	memset(&f, 0, sizeof(f));
	b = test_nl_batch_new(nl, on_error, &f);
	for (long i = 0; i < 3000; i++) {
		struct nlmsghdr *nlh = test_nl_batch_add(b, RTM_NEWROUTE, NLM_F_CREATE, (void *)i);
		struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

		rtm->rtm_family = AF_INET;
		mnl_attr_put_u32(nlh, RTA_PRIORITY, i == 2000 ? 13 : (uint32_t)(i + 100));
	}
	err = test_nl_batch_finish(b);
	check(err == -EEXIST && f.n == 1 && f.tag == 2000 && sends == 1 && batch_reqs == 3000 &&
	      acks_ok, "a batch grows to hold a whole chunk; earlier requests survive the growth");

	/* The error-reply budget also bounds a chunk. */
	nl->chunk = NL_CHUNK_MAX;
	nl->max_reqs = 100;
	batch_max_per_send = 0;
	b = test_nl_batch_new(nl, on_error, &f);
	for (long i = 0; i < 1000; i++) {
		struct nlmsghdr *nlh = test_nl_batch_add(b, RTM_NEWROUTE, NLM_F_CREATE, (void *)i);

		mnl_nlmsg_put_extra_header(nlh, sizeof(struct rtmsg));
	}
	err = test_nl_batch_finish(b);
	check(err == 0 && batch_max_per_send == 100, "a chunk holds no more requests than failures could be answered");

	script = script_talk;
	err = test_nl_talk(nl, dump_req(nl), &msg);
	check(err == -ENODEV && msg && !strcmp(msg, "No such device here") && acks_ok,
	      "talk: the answer's error and text, data before it skipped");
	free(msg);
}

/* A query feeds the data before the ACK to its callback and is no write;
 * a refusal is its error. */
static void test_query(struct vrf_nl *nl)
{
	struct count qc = { 0 };
	unsigned long w = test_nl_writes();
	int err;

	script = script_query;
	acks_ok = true;
	err = test_nl_query(nl, test_nl_request(nl, RTM_GETROUTE, 0), count_cb, &qc);
	check(err == 0 && qc.msgs == 1 && acks_ok && test_nl_writes() == w,
	      "query: the answer's data to the callback, then the ACK; not a write");
	qc.msgs = 0;
	script = script_query_error;
	err = test_nl_query(nl, test_nl_request(nl, RTM_GETROUTE, 0), count_cb, &qc);
	check(err == -ENODEV && qc.msgs == 0, "query: the kernel's refusal is returned");
}

/* Requests built elsewhere are copied into a batch whole: the failing one
 * is found by its tag, the others are answered by one ACK. */
/* Deletions that find their object gone: each request is answered with the
 * error of its entry, in order. */
static const struct {
	uint16_t type;
	int err;
	bool reported;
} absent_cases[] = {
	{ RTM_DELROUTE, -ESRCH, false },
	{ RTM_DELROUTE, -ENODEV, false },
	{ RTM_DELADDR, -EADDRNOTAVAIL, false },
	{ RTM_DELADDR, -ENODEV, false },
	{ RTM_DELRULE, -ENOENT, false },
	{ RTM_DELNEIGH, -ENOENT, false },
	{ RTM_NEWROUTE, -ESRCH, true },		/* not a deletion */
	{ RTM_DELROUTE, -EPERM, true },		/* not "no such object" */
	{ RTM_DELRULE, -ESRCH, true },		/* another type's answer */
	{ RTM_DELLINK, -ENODEV, true },		/* links decide per request */
};
static unsigned absent_next;

static int script_absent(const struct nlmsghdr *req, size_t len)
{
	const struct nlmsghdr *nlh;
	int rest = (int)len;

	for (nlh = req; mnl_nlmsg_ok(nlh, rest); nlh = mnl_nlmsg_next(nlh, &rest))
		reply_err(nlh, absent_cases[absent_next++].err, NULL);
	return 0;
}

static void absent_error(void *tag, int err, const char *msg, void *data)
{
	unsigned *mask = data;

	(void)err;
	(void)msg;
	*mask |= 1u << (long)tag;
}

static void test_absent(struct vrf_nl *nl)
{
	size_t n = sizeof(absent_cases) / sizeof(absent_cases[0]);
	unsigned mask = 0, want = 0;
	struct vrf_nl_batch *b;
	int err;

	script = script_absent;
	absent_next = 0;
	b = test_nl_batch_new(nl, absent_error, &mask);
	for (long i = 0; i < (long)n; i++) {
		struct nlmsghdr *nlh = test_nl_batch_add(b, absent_cases[i].type, 0, (void *)i);

		mnl_nlmsg_put_extra_header(nlh, sizeof(struct rtmsg));
		if (absent_cases[i].reported)
			want |= 1u << i;
	}
	err = test_nl_batch_finish(b);
	check(mask == want, "a route, address, rule or neighbour deletion that finds its object "
	      "gone is no failure; other refusals are");
	check(err == -ESRCH, "the batch's error is the first refusal that counts");
}

static void test_batch_copy(struct vrf_nl *nl)
{
	struct failures cf = { 0 };
	struct vrf_nl_batch *cb = test_nl_batch_new(nl, on_error, &cf);
	char raw[256], big[NL_ROOM + 64];
	struct nlmsghdr *m = mnl_nlmsg_put_header(raw);
	struct rtmsg *rtm;
	bool copied = true;
	int err;

	m->nlmsg_type = RTM_NEWROUTE;
	m->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK;
	rtm = mnl_nlmsg_put_extra_header(m, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	script = script_batch;
	acks_ok = true;
	batch_reqs = 0;
	for (uint32_t prio = 11; prio <= 14; prio++) {
		m->nlmsg_len = NLMSG_HDRLEN + sizeof(*rtm);
		mnl_attr_put_u32(m, RTA_PRIORITY, prio);
		copied &= test_nl_batch_copy(cb, m, (void *)(long)prio) == 0;
	}
	memset(big, 0, sizeof(big));
	m = (struct nlmsghdr *)big;
	m->nlmsg_len = sizeof(big);
	m->nlmsg_type = RTM_NEWROUTE;
	check(test_nl_batch_copy(cb, m, NULL) == -EMSGSIZE,
	      "batch_copy: a request larger than its room is refused");
	err = test_nl_batch_finish(cb);
	check(copied && err == -EEXIST && cf.n == 1 && cf.tag == 13 &&
	      !strcmp(cf.msg, "Route 13 exists") && batch_reqs == 4 && acks_ok,
	      "batch_copy: copied requests numbered by the batch, one ACK, failure by tag");
}

/* Objects kept from an interrupted or failed dump are freed again (ASan
 * would see a leak); what was in the list before stays. */
static void test_dump_objs(struct vrf_nl *nl)
{
	struct vrf_objv out = { 0 };
	int err;

	vrf_objv_push(&out, vrf_obj_new(NULL, sizeof(struct vrf_obj), NULL));
	script = script_dump;
	dumps_seen = 0;
	intr_passes = 2;
	err = nl_dump_objs(nl, RTM_GETROUTE, sizeof(struct rtmsg), keep_cb, &out, &out);
	check(err == 0 && dumps_seen == 3 && out.n == 1 + 3,
	      "dump_objs: the objects of interrupted passes are dropped, the last view kept");
	script = script_dump_error;
	err = nl_dump_objs(nl, RTM_GETROUTE, sizeof(struct rtmsg), keep_cb, &out, &out);
	check(err == -EPERM && out.n == 1 + 3, "dump_objs: a failed dump adds nothing");
	vrf_objv_free(&out);
}

/* Device names: lo is asked for once, then known both ways without a
 * socket; a missing device is an error, not an entry. */
static void test_ifc(void)
{
	struct vrf_ifc ifc = { .fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0) };
	int fd = ifc.fd, lo = test_ifc_index(&ifc, "lo"), k;

	check(test_ifc_index(&ifc, "nosuchdev0") == -ENODEV && ifc.n == 1,
	      "ifc: a missing device is -ENODEV and is not remembered");
	ifc.fd = -1;
	k = test_ifc_find(&ifc, lo);
	check(lo > 0 && k == 0 && !strcmp(ifc.e[k].name, "lo") && ifc.e[k].tag == -1 &&
	      test_ifc_index(&ifc, "lo") == lo && test_ifc_find(&ifc, lo + 1000) == -EBADF,
	      "ifc: lo asked once, then answered from the cache both ways");
	test_ifc_free(&ifc);
	close(fd);
}

/* watch tells its own echoes by port id: every netlink socket the process
 * holds is listed, a closed socket is not, nor 0 (the kernel). */
static void test_portids(void)
{
	int a = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	int b = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK }, sb;
	socklen_t len = sizeof(sb);
	uint32_t *ids = NULL, gone;
	size_t n = 0;
	int err;

	if (a < 0 || b < 0 || bind(a, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    bind(b, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(b, (struct sockaddr *)&sb, &len) < 0) {
		check(false, "netlink sockets for the port id test");
		goto out;
	}
	len = sizeof(sa);
	getsockname(a, (struct sockaddr *)&sa, &len);
	gone = sb.nl_pid;
	close(b);
	b = -1;
	err = test_nl_own_portids(&ids, &n);
	check(err == 0 && test_nl_portid_in(ids, n, sa.nl_pid),
	      "an open netlink socket's port id is the process's own");
	check(!test_nl_portid_in(ids, n, gone) && !test_nl_portid_in(ids, n, 0),
	      "a closed socket's port id and 0 (the kernel) are not");
	free(ids);
out:
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
}

int main(void)
{
	struct vrf_nl *nl = fake_nl();

	test_dumps(nl);
	test_batches(nl);
	test_query(nl);
	test_batch_copy(nl);
	test_absent(nl);
	test_dump_objs(nl);
	test_ifc();
	test_portids();
	nl_drop(nl);
	printf("%d checks, %d failed\n", n_tests, fails);
	return fails ? 1 : 0;
}
