// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Netlink plumbing on libmnl (see nl.h for the contract).
 *
 * Who owns what.  The socket itself belongs to the engine: vrf_nl_get()
 * asks vrf_ns_socket() for an AF_NETLINK socket of the wanted bus, which the
 * engine opens inside the namespace once, caches and closes with the
 * namespace.  nl.c only wraps that descriptor (mnl_socket_fdopen()) together
 * with a sequence counter and the socket limits it measured, and keeps the
 * wrappers of a namespace in its slot (vrf_ns.nl, one per bus); the engine
 * has vrf_nl_ns_release() drop them right before it closes the sockets, so
 * a wrapper never outlives its descriptor.  The wrapper never closes the
 * descriptor.
 *
 * Memory.  A wrapper is a few dozen bytes; request and receive buffers are
 * allocated per exchange and freed after it, so four thousand namespaces do
 * not each pin a 64 KiB buffer for the whole run.
 *
 * Batches.  Requests are packed back to back into one buffer and sent with
 * one sendmsg() per chunk.  Only the last request of a chunk asks for an
 * ACK: rtnetlink answers every failed request anyway, so the replies to a
 * chunk are its failures plus one final ACK (or the last request's error).
 * Each request has its own sequence number; a reply's sequence number finds
 * the caller's tag.  A chunk is bounded by what sendmsg() accepts (the
 * socket's send buffer, 256 KiB at most) and by how many error replies the
 * receive buffer can hold if every request failed, so no failure can be
 * dropped for lack of room.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "engine.h"
#include "nl.h"

#define NL_REQ_SIZE	(64u << 10)	/* vrf_nl_request() scratch space */
#define NL_RX_SIZE	(64u << 10)	/* grows when a datagram is larger */
#define NL_CHUNK_MAX	(256u << 10)	/* bytes of requests per sendmsg() */
#define NL_ROOM		(8u << 10)	/* room promised behind a batch header */
#define NL_SNDBUF	(1u << 20)
#define NL_RCVBUF	(4u << 20)
#define NL_DUMP_TRIES	10
/* What one error reply costs in the receive buffer (skb truesize of a small
 * message with an extended-ack string), rounded up. */
#define NL_ERR_COST	1024u

struct vrf_nl {
	struct vrf_nl *next;	/* the namespace's wrapper of another bus */
	struct mnl_socket *sk;
	int fd;
	int bus;
	uint32_t portid;
	uint32_t seq;
	size_t chunk;		/* largest batch chunk in bytes */
	size_t max_reqs;	/* most requests in one chunk */
	char *req;		/* vrf_nl_request() buffer, NULL between uses */
};

/* The write counter that nl.h exports: a count of the process's requests,
 * by its definition, and the only mutable file-scope state in nl.c. */
static unsigned long nl_write_count;

unsigned long vrf_nl_writes(void)
{
	return nl_write_count;
}

static void nl_drop(struct vrf_nl *nl)
{
	if (!nl)
		return;
	/* mnl_socket_close() would close the engine's descriptor; the wrapper
	 * that mnl_socket_fdopen() allocated holds nothing but memory. */
	free(nl->sk);
	free(nl->req);
	free(nl);
}

static int nl_sockbuf(int fd, int force_opt, int opt, int want)
{
	int val = want;
	socklen_t len = sizeof(val);

	/* The FORCE variants need CAP_NET_ADMIN and ignore rmem_max/wmem_max;
	 * without them the kernel silently clamps, which is still fine. */
	if (setsockopt(fd, SOL_SOCKET, force_opt, &val, sizeof(val)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, opt, &val, sizeof(val));
	if (getsockopt(fd, SOL_SOCKET, opt, &val, &len) < 0 || val <= 0)
		return 0;
	return val;
}

static struct vrf_nl *nl_wrap(int fd, int bus)
{
	struct sockaddr_nl sa;
	socklen_t salen = sizeof(sa);
	struct vrf_nl *nl;
	int one = 1, snd, rcv, err;

	nl = vrf_calloc(1, sizeof(*nl));
	nl->fd = fd;
	nl->bus = bus;

	/* Extended ACKs carry the kernel's explanation of a refusal; capped
	 * ACKs keep an error reply from echoing the whole request back. */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	snd = nl_sockbuf(fd, SO_SNDBUFFORCE, SO_SNDBUF, NL_SNDBUF);
	rcv = nl_sockbuf(fd, SO_RCVBUFFORCE, SO_RCVBUF, NL_RCVBUF);

	/* netlink_sendmsg() refuses a datagram larger than sk_sndbuf - 32;
	 * keep a margin for the skb overhead. */
	nl->chunk = NL_CHUNK_MAX;
	if (snd > 0 && (size_t)snd / 2 < nl->chunk)
		nl->chunk = (size_t)snd / 2;
	if (nl->chunk < 2 * NL_ROOM)
		nl->chunk = 2 * NL_ROOM;
	nl->max_reqs = rcv > 0 ? (size_t)rcv / NL_ERR_COST : 64;
	if (nl->max_reqs < 16)
		nl->max_reqs = 16;

	/* Bind now, so the port id is known before the first request and
	 * replies can be checked against it. */
	if (getsockname(fd, (struct sockaddr *)&sa, &salen) < 0)
		goto fail;
	if (sa.nl_pid == 0) {
		memset(&sa, 0, sizeof(sa));
		sa.nl_family = AF_NETLINK;
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			goto fail;
	}
	nl->sk = mnl_socket_fdopen(fd);
	if (!nl->sk)
		goto fail;
	nl->portid = mnl_socket_get_portid(nl->sk);
	return nl;
fail:
	err = errno;
	nl_drop(nl);
	errno = err;
	return NULL;
}

struct vrf_nl *vrf_nl_get(struct vrf_ns *ns, int bus)
{
	struct vrf_nl *nl;
	int fd;

	for (nl = ns->nl; nl; nl = nl->next)
		if (nl->bus == bus)
			return nl;
	fd = vrf_ns_socket(ns, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, bus);
	if (fd < 0) {
		errno = fd == -1 && errno ? errno : -fd;
		return NULL;
	}
	nl = nl_wrap(fd, bus);
	if (nl) {
		nl->next = ns->nl;
		ns->nl = nl;
	}
	return nl;
}

void vrf_nl_ns_release(struct vrf_ns *ns)
{
	while (ns->nl) {
		struct vrf_nl *next = ns->nl->next;

		nl_drop(ns->nl);
		ns->nl = next;
	}
}

struct nlmsghdr *vrf_nl_request(struct vrf_nl *nl, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh;

	if (!nl->req)
		nl->req = vrf_malloc(NL_REQ_SIZE);
	/* Zero the whole buffer: callers append extra headers and attributes
	 * with libmnl, and padding bytes must not carry old requests. */
	memset(nl->req, 0, NL_REQ_SIZE);
	nlh = mnl_nlmsg_put_header(nl->req);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	return nlh;
}

static void nl_req_done(struct vrf_nl *nl, const struct nlmsghdr *req)
{
	if ((const char *)req == nl->req) {
		free(nl->req);
		nl->req = NULL;
	}
}

static int nl_send(struct vrf_nl *nl, const void *buf, size_t len)
{
	ssize_t n;

	do
		n = mnl_socket_sendto(nl->sk, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n != len)
		return -EMSGSIZE;
	return 0;
}

/* Receive one datagram into *buf (grown when the datagram is larger than
 * *cap, so an oversized message is never truncated).  Returns its length or
 * -errno. */
static ssize_t nl_recv(struct vrf_nl *nl, char **buf, size_t *cap, bool nonblock)
{
	int flags = nonblock ? MSG_DONTWAIT : 0;
	ssize_t n;

	for (;;) {
		n = recv(nl->fd, *buf, *cap, flags | MSG_PEEK | MSG_TRUNC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if ((size_t)n > *cap) {
			*buf = vrf_realloc(*buf, (size_t)n, 1);
			*cap = (size_t)n;
		}
		n = recv(nl->fd, *buf, *cap, flags);
		if (n < 0 && errno == EINTR)
			continue;
		return n < 0 ? -errno : n;
	}
}

static bool nl_ours(const struct vrf_nl *nl, const struct nlmsghdr *nlh)
{
	return nlh->nlmsg_pid == 0 || nlh->nlmsg_pid == nl->portid;
}

/* Error code and extended-ack text of an NLMSG_ERROR message.  The text
 * points into the message. */
static int nl_errmsg(const struct nlmsghdr *nlh, const char **ret_msg)
{
	const struct nlmsgerr *e;
	const struct nlattr *attr;
	size_t off;

	*ret_msg = NULL;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*e))
		return -EBADMSG;
	e = mnl_nlmsg_get_payload(nlh);
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return e->error;
	off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < NLMSG_HDRLEN)
			return e->error;
		off += NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN;
	}
	if (NLMSG_HDRLEN + off > nlh->nlmsg_len)
		return e->error;
	mnl_attr_for_each(attr, nlh, off) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0) {
			*ret_msg = mnl_attr_get_str(attr);
			break;
		}
	}
	return e->error;
}

/* One pass of a dump: feed the answers with sequence number seq to cb until
 * NLMSG_DONE.  The whole answer is always read, even after cb failed, so the
 * socket is clean for the next request.  *ret_intr tells whether the kernel
 * flagged the dump as inconsistent. */
static int nl_dump_once(struct vrf_nl *nl, uint32_t seq, vrf_nl_cb cb, void *data,
			bool *ret_intr)
{
	size_t cap = NL_RX_SIZE;
	char *buf = vrf_malloc(cap);
	bool done = false, intr = false;
	int err = 0;

	while (!done) {
		const struct nlmsghdr *nlh;
		ssize_t n = nl_recv(nl, &buf, &cap, false);
		int len;

		if (n == -ENOBUFS) {
			/* Something queued to this socket was lost; the dump
			 * itself is paced, but be safe and read it again. */
			intr = true;
			continue;
		}
		if (n < 0) {
			err = (int)n;
			break;
		}
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != seq || !nl_ours(nl, nlh))
				continue;	/* left over from an earlier exchange */
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = true;
			if (nlh->nlmsg_type == NLMSG_DONE) {
				if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(int)) {
					int e = *(const int *)mnl_nlmsg_get_payload(nlh);

					if (e < 0 && !err)
						err = e;
				}
				done = true;
				break;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const char *msg;
				int e = nl_errmsg(nlh, &msg);

				if (e < 0 && !err)
					err = e;
				done = true;
				break;
			}
			if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
				continue;	/* NOOP, OVERRUN */
			if (!err && !intr)
				err = cb(nlh, data);
		}
	}
	free(buf);
	*ret_intr = intr;
	return err;
}

int vrf_nl_dump(struct vrf_nl *nl, struct nlmsghdr *req, vrf_nl_cb cb,
		void (*reset)(void *data), void *data)
{
	int err = -EINTR, tries;

	req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_DUMP;
	req->nlmsg_pid = 0;
	for (tries = 0; tries < NL_DUMP_TRIES; tries++) {
		bool intr = false;

		if (tries) {
			/* A partial or inconsistent view would become
			 * deletions: throw it away and read everything again. */
			if (!reset)
				break;
			reset(data);
		}
		req->nlmsg_seq = ++nl->seq;
		err = nl_send(nl, req, req->nlmsg_len);
		if (err < 0)
			break;
		err = nl_dump_once(nl, req->nlmsg_seq, cb, data, &intr);
		if (err < 0 || !intr)
			break;
		err = -EINTR;
	}
	nl_req_done(nl, req);
	return err;
}

/* One request, its answers and its ACK.  Data answers go to cb (when not
 * NULL) until it fails; the ACK's error, else cb's, is returned.  `write`
 * counts the request in vrf_nl_writes(). */
static int nl_exchange(struct vrf_nl *nl, struct nlmsghdr *req, vrf_nl_cb cb, void *data,
		       bool write, char **ret_msg)
{
	size_t cap = NL_RX_SIZE;
	char *buf = NULL;
	uint32_t seq;
	int err, cb_err = 0;

	if (ret_msg)
		*ret_msg = NULL;
	req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	req->nlmsg_pid = 0;
	req->nlmsg_seq = seq = ++nl->seq;
	err = nl_send(nl, req, req->nlmsg_len);
	if (err < 0)
		goto out;
	if (write) {
		nl_write_count++;
		vrf_fault_point("netlink request");
	}
	buf = vrf_malloc(cap);
	for (;;) {
		const struct nlmsghdr *nlh;
		ssize_t n = nl_recv(nl, &buf, &cap, false);
		int len;

		if (n < 0) {
			err = (int)n;
			goto out;
		}
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			const char *msg;

			if (nlh->nlmsg_seq != seq || !nl_ours(nl, nlh))
				continue;	/* stale */
			if (nlh->nlmsg_type != NLMSG_ERROR) {
				/* Data before the ACK: the answer to a GET. */
				if (cb && !cb_err && nlh->nlmsg_type >= NLMSG_MIN_TYPE)
					cb_err = cb(nlh, data);
				continue;
			}
			err = nl_errmsg(nlh, &msg);
			if (err < 0 && msg && ret_msg)
				*ret_msg = vrf_strdup(msg);
			if (err == 0)
				err = cb_err;
			goto out;
		}
	}
out:
	free(buf);
	nl_req_done(nl, req);
	return err;
}

int vrf_nl_talk(struct vrf_nl *nl, struct nlmsghdr *req, char **ret_msg)
{
	return nl_exchange(nl, req, NULL, NULL, true, ret_msg);
}

int vrf_nl_query(struct vrf_nl *nl, struct nlmsghdr *req, vrf_nl_cb cb, void *data)
{
	return nl_exchange(nl, req, cb, data, false, NULL);
}

/* ---- write batches ---- */

struct vrf_nl_batch {
	struct vrf_nl *nl;
	vrf_nl_err_cb on_error;
	void *data;
	char *buf;		/* cap bytes, zero beyond len */
	size_t cap;		/* grows up to nl->chunk */
	size_t len;		/* bytes of finished requests before cur */
	struct nlmsghdr *cur;	/* the request being filled, or NULL */
	struct nlmsghdr *last;	/* the last finished request */
	void **tags;		/* tag of each request in the chunk */
	uint16_t *types;	/* its message type, for absent_ok() */
	size_t n, cap_tags;
	uint32_t seq0;		/* sequence number of tags[0] */
	int first_err;
};

struct vrf_nl_batch *vrf_nl_batch_new(struct vrf_nl *nl, vrf_nl_err_cb on_error, void *data)
{
	struct vrf_nl_batch *b = vrf_calloc(1, sizeof(*b));

	b->nl = nl;
	b->on_error = on_error;
	b->data = data;
	/* Zeroed once here and after each flush (only the bytes used), so a
	 * caller never sends stale padding and no request pays for clearing
	 * its whole 8 KiB of room.  Room for two requests at first: most
	 * batches (a namespace's few links, one changed route) are small, and
	 * a whole chunk, zeroed for each of them, cost more than they did. */
	b->cap = 2 * NL_ROOM < nl->chunk ? 2 * NL_ROOM : nl->chunk;
	b->buf = vrf_calloc(1, b->cap);
	return b;
}

static void batch_close_cur(struct vrf_nl_batch *b)
{
	if (b->cur) {
		b->len = (size_t)((char *)b->cur - b->buf) + NLMSG_ALIGN(b->cur->nlmsg_len);
		b->last = b->cur;
		b->cur = NULL;
	}
}

/* A deletion that finds its object gone has done its work: the kernel (or
 * whoever was faster: a namespace torn down with the veth that carried the
 * route, a hook, an administrator) removed it between observe and apply.
 * These are the answers by which rtnetlink says so, per request type.  A
 * link is not here: the link plugin decides per request (ignore_nodev),
 * since a missing device is not always a finished deletion there. */
static bool absent_ok(uint16_t type, int err)
{
	switch (type) {
	case RTM_DELROUTE:
		return err == -ESRCH || err == -ENODEV;
	case RTM_DELADDR:
		return err == -EADDRNOTAVAIL || err == -ENODEV;
	case RTM_DELRULE:
		return err == -ENOENT;
	case RTM_DELNEIGH:
		return err == -ENOENT || err == -ENODEV;
	default:
		return false;
	}
}

static void batch_fail(struct vrf_nl_batch *b, size_t i, int err, const char *msg)
{
	if (!b->first_err)
		b->first_err = err;
	if (b->on_error)
		b->on_error(b->tags[i], err, msg, b->data);
}

/* Read the answers to a chunk: its failures, then the final ACK.  Returns 0
 * or the socket-level error that left some requests without an answer
 * (those are reported through on_error too). */
static int batch_collect(struct vrf_nl_batch *b, bool *answered)
{
	struct vrf_nl *nl = b->nl;
	uint32_t last_seq = b->last->nlmsg_seq;
	size_t cap = NL_RX_SIZE, i;
	bool nonblock = false;
	char *buf = vrf_malloc(cap);
	int err = 0;

	for (;;) {
		const struct nlmsghdr *nlh;
		ssize_t n = nl_recv(nl, &buf, &cap, nonblock);
		int len;

		if (n == -ENOBUFS) {
			/* Replies were dropped.  rtnetlink answered the whole
			 * chunk inside sendmsg(), so whatever survived is
			 * queued already: read it without waiting. */
			nonblock = true;
			continue;
		}
		if (n < 0) {
			err = n == -EAGAIN ? -ENOBUFS : (int)n;
			break;
		}
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			uint32_t idx = nlh->nlmsg_seq - b->seq0;
			const char *msg;
			int e;

			if (nlh->nlmsg_type != NLMSG_ERROR || !nl_ours(nl, nlh) || idx >= b->n)
				continue;
			e = nl_errmsg(nlh, &msg);
			answered[idx] = true;
			if (e < 0 && !absent_ok(b->types[idx], e))
				batch_fail(b, idx, e, msg);
			if (nlh->nlmsg_seq == last_seq)
				goto out;
		}
	}
	for (i = 0; i < b->n; i++)
		if (!answered[i])
			batch_fail(b, i, err, err == -ENOBUFS ?
				   "the kernel's answer was lost (netlink receive buffer "
				   "full); outcome unknown" : NULL);
out:
	free(buf);
	return err;
}

/* Send the chunk and collect its answers.  Requests the kernel refused are
 * reported through on_error and first_err; the return value is only for a
 * failure of the exchange itself. */
static int batch_flush(struct vrf_nl_batch *b)
{
	bool *answered = NULL;
	size_t i;
	int err;

	batch_close_cur(b);
	if (b->n == 0)
		return 0;
	/* Only the last request of the chunk asks for an ACK. */
	b->last->nlmsg_flags |= NLM_F_ACK;
	answered = vrf_calloc(b->n, sizeof(*answered));
	err = nl_send(b->nl, b->buf, b->len);
	if (err < 0)
		goto fail_all;
	nl_write_count += b->n;
	/* rtnetlink acts on a request inside sendmsg(): the batch is done. */
	vrf_fault_point("netlink batch");
	err = batch_collect(b, answered);
	goto out;
fail_all:
	for (i = 0; i < b->n; i++)
		batch_fail(b, i, err, NULL);
out:
	free(answered);
	memset(b->buf, 0, b->len);
	b->len = 0;
	b->n = 0;
	b->last = NULL;
	return err;
}

/* Double the buffer (up to a chunk), keeping it zero beyond len. */
static void batch_grow(struct vrf_nl_batch *b)
{
	size_t cap = 2 * b->cap < b->nl->chunk ? 2 * b->cap : b->nl->chunk;
	char *buf = vrf_realloc(b->buf, cap, 1);

	memset(buf + b->cap, 0, cap - b->cap);
	if (b->last)
		b->last = (struct nlmsghdr *)(buf + ((char *)b->last - b->buf));
	b->buf = buf;
	b->cap = cap;
}

struct nlmsghdr *vrf_nl_batch_add(struct vrf_nl_batch *b, uint16_t type, uint16_t flags,
				  void *tag)
{
	struct nlmsghdr *nlh;

	batch_close_cur(b);
	if (b->len + NL_ROOM > b->nl->chunk || b->n >= b->nl->max_reqs) {
		int err = batch_flush(b);

		if (err < 0) {
			errno = -err;
			return NULL;
		}
	}
	while (b->len + NL_ROOM > b->cap)
		batch_grow(b);
	if (b->n == b->cap_tags) {
		size_t n = b->cap_tags ? 2 * b->cap_tags : 256;
		b->tags = vrf_realloc(b->tags, n, sizeof(*b->tags));
		b->types = vrf_realloc(b->types, n, sizeof(*b->types));
		b->cap_tags = n;
	}
	nlh = (struct nlmsghdr *)(b->buf + b->len);
	nlh->nlmsg_len = NLMSG_HDRLEN;
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++b->nl->seq;
	nlh->nlmsg_pid = 0;
	if (b->n == 0)
		b->seq0 = nlh->nlmsg_seq;
	b->types[b->n] = type;
	b->tags[b->n++] = tag;
	b->cur = nlh;
	return nlh;
}

int vrf_nl_batch_copy(struct vrf_nl_batch *b, const struct nlmsghdr *msg, void *tag)
{
	struct nlmsghdr *nlh;

	if (msg->nlmsg_len < NLMSG_HDRLEN || msg->nlmsg_len > NL_ROOM)
		return -EMSGSIZE;
	/* The batch numbers the request and decides which one asks for the
	 * ACK; everything else is the caller's. */
	nlh = vrf_nl_batch_add(b, msg->nlmsg_type,
			       msg->nlmsg_flags & ~(NLM_F_REQUEST | NLM_F_ACK), tag);
	if (!nlh)
		return -errno;
	memcpy((char *)nlh + NLMSG_HDRLEN, (const char *)msg + NLMSG_HDRLEN,
	       msg->nlmsg_len - NLMSG_HDRLEN);
	nlh->nlmsg_len = msg->nlmsg_len;
	return 0;
}

int vrf_nl_batch_finish(struct vrf_nl_batch *b)
{
	int err;

	err = batch_flush(b);
	if (b->first_err)
		err = b->first_err;
	free(b->tags);
	free(b->types);
	free(b->buf);
	free(b);
	return err;
}

/* ---- observe() and apply() of rtnetlink kinds ---- */

struct dump_objs {
	vrf_nl_cb cb;
	void *data;
	struct vrf_objv *out;
	size_t start;
};

static int dump_objs_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_objs *d = data;

	return d->cb(nlh, d->data);
}

static void dump_objs_reset(void *data)
{
	struct dump_objs *d = data;

	for (size_t i = d->start; i < d->out->n; i++)
		vrf_obj_free(d->out->v[i]);
	d->out->n = d->start;
}

static int nl_dump_objs(struct vrf_nl *nl, uint16_t type, size_t hdr_len, vrf_nl_cb cb,
			void *data, struct vrf_objv *out)
{
	struct dump_objs d = { cb, data, out, out->n };
	struct nlmsghdr *req;
	int err;

	req = vrf_nl_request(nl, type, NLM_F_DUMP);
	mnl_nlmsg_put_extra_header(req, hdr_len);	/* zeroed: AF_UNSPEC */
	err = vrf_nl_dump(nl, req, dump_objs_cb, dump_objs_reset, &d);
	if (err < 0)
		dump_objs_reset(&d);
	return err;
}

int vrf_nl_dump_objs(struct vrf_ns *ns, uint16_t type, size_t hdr_len, vrf_nl_cb cb,
		     void *data, struct vrf_objv *out)
{
	struct vrf_nl *nl = vrf_nl_get(ns, NETLINK_ROUTE);

	if (!nl)
		return -errno;
	return nl_dump_objs(nl, type, hdr_len, cb, data, out);
}

static void batch_op_error(void *tag, int err, const char *msg, void *data)
{
	vrf_op_fail(tag, err, msg ? "%s" : NULL, msg);
}

int vrf_nl_batch_ops(struct vrf_ns *ns, struct vrf_op *ops, size_t n,
		     struct vrf_nl_batch **ret_b)
{
	struct vrf_nl *nl = vrf_nl_get(ns, NETLINK_ROUTE);
	int err = -errno;

	if (nl) {
		*ret_b = vrf_nl_batch_new(nl, batch_op_error, NULL);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		vrf_op_fail(&ops[i], err, NULL);
	return err;
}

/* ---- device names ---- */

void vrf_ifc_init(struct vrf_ifc *c, struct vrf_ns *ns)
{
	memset(c, 0, sizeof(*c));
	c->fd = vrf_ns_socket(ns, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
}

void vrf_ifc_free(struct vrf_ifc *c)
{
	free(c->e);
	c->e = NULL;
	c->n = c->cap = c->last = 0;
}

int vrf_ifc_add(struct vrf_ifc *c, int idx, const char *name)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 8;
		c->e = vrf_realloc(c->e, c->cap, sizeof(*c->e));
	}
	c->e[c->n].idx = idx;
	c->e[c->n].tag = -1;
	snprintf(c->e[c->n].name, sizeof(c->e[c->n].name), "%s", name);
	c->last = c->n++;
	return (int)c->last;
}

int vrf_ifc_index(struct vrf_ifc *c, const char *name)
{
	struct ifreq ifr;
	int k;

	if (c->n && !strcmp(c->e[c->last].name, name))
		return c->e[c->last].idx;
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->e[i].name, name)) {
			c->last = i;
			return c->e[i].idx;
		}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(c->fd, SIOCGIFINDEX, &ifr) < 0)
		return -errno;
	k = vrf_ifc_add(c, ifr.ifr_ifindex, name);
	return k < 0 ? k : ifr.ifr_ifindex;
}

int vrf_ifc_find(struct vrf_ifc *c, int idx)
{
	struct ifreq ifr;

	if (c->n && c->e[c->last].idx == idx)
		return (int)c->last;
	for (size_t i = 0; i < c->n; i++)
		if (c->e[i].idx == idx) {
			c->last = i;
			return (int)i;
		}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_ifindex = idx;
	if (ioctl(c->fd, SIOCGIFNAME, &ifr) < 0)
		return -errno;
	return vrf_ifc_add(c, idx, ifr.ifr_name);
}

static int portid_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Not only the sockets of this file: libnl (links) and libnftables (the
 * firewall) open their own, and their changes echo just the same.  So the
 * process's descriptor table is the one complete list. */
int vrf_nl_own_portids(uint32_t **ret_ids, size_t *ret_n)
{
	DIR *dir = opendir("/proc/self/fd");
	uint32_t *ids = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;

	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		struct sockaddr_nl sa;
		socklen_t len = sizeof(sa);
		int fd, dom;
		socklen_t dlen = sizeof(dom);

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		fd = atoi(de->d_name);
		if (fd == dirfd(dir) ||
		    getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &dlen) < 0 || dom != AF_NETLINK ||
		    getsockname(fd, (struct sockaddr *)&sa, &len) < 0 || !sa.nl_pid)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			ids = vrf_realloc(ids, cap, sizeof(*ids));
		}
		ids[n++] = sa.nl_pid;
	}
	qsort(ids, n, sizeof(*ids), portid_cmp);
	*ret_ids = ids;
	*ret_n = n;
	closedir(dir);
	return 0;
}

bool vrf_nl_portid_in(const uint32_t *ids, size_t n, uint32_t portid)
{
	return bsearch(&portid, ids, n, sizeof(*ids), portid_cmp) != NULL;
}
