/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Netlink plumbing shared by the plugins that speak rtnetlink with libmnl:
 * one socket per namespace and bus, opened inside the namespace once and
 * reused for the whole run; dumps that restart whole when the kernel says the
 * dump was interrupted (NLM_F_DUMP_INTR), because a partial view would turn
 * into deletions; and write batches that pack many requests into one sendmsg
 * and ask for a single ACK at the end, so the kernel reports only failures.
 */
#ifndef VRF_NL_H
#define VRF_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

#include "model.h"

struct vrf_ns;
struct vrf_nl;
struct vrf_op;

/* The socket for `bus` (NETLINK_ROUTE, NETLINK_NETFILTER) inside ns; cached
 * in the namespace and closed with it.  NULL with errno set on failure. */
struct vrf_nl *vrf_nl_get(struct vrf_ns *ns, int bus);

/* Free nl.c's state of ns (the wrappers vrf_nl_get() made); the engine
 * calls it right before it closes the namespace's sockets. */
void vrf_nl_ns_release(struct vrf_ns *ns);

/* Start a request in the socket's scratch buffer (one request at a time). */
struct nlmsghdr *vrf_nl_request(struct vrf_nl *nl, uint16_t type, uint16_t flags);

/* Send a dump request built with vrf_nl_request() and feed every answer to cb.
 * If the kernel flags the dump as interrupted, reset(data) is called and the
 * dump starts again (a bounded number of times).  cb returns 0 to go on or a
 * negative errno to stop.  Returns 0 or -errno. */
typedef int (*vrf_nl_cb)(const struct nlmsghdr *nlh, void *data);
int vrf_nl_dump(struct vrf_nl *nl, struct nlmsghdr *req, vrf_nl_cb cb,
		void (*reset)(void *data), void *data);

/* Send one request and wait for its ACK.  On failure returns -errno and, when
 * the kernel gave one, copies its extended-ack text to *ret_msg (malloc'd). */
int vrf_nl_talk(struct vrf_nl *nl, struct nlmsghdr *req, char **ret_msg);

/* Send one request that the kernel answers with data (a GET of one object:
 * RTM_GETLINK by name) and feed each answer to cb, then wait for the ACK.
 * Returns 0, the kernel's refusal (-ENODEV: no such device) or cb's error.
 * Not counted as a write. */
int vrf_nl_query(struct vrf_nl *nl, struct nlmsghdr *req, vrf_nl_cb cb, void *data);

/* A write batch.  on_error(tag, -errno, extack text or NULL, data) is called
 * for every request the kernel refused; `tag` is what was passed to
 * vrf_nl_batch_add() for it (typically the struct vrf_op).  A deletion of a
 * route, address, rule or neighbour that finds its object already gone is
 * no refusal (RTM_DELROUTE: ESRCH or ENODEV; RTM_DELADDR: EADDRNOTAVAIL or
 * ENODEV; RTM_DELRULE: ENOENT; RTM_DELNEIGH: ENOENT or ENODEV): what it was
 * sent for holds. */
struct vrf_nl_batch;
typedef void (*vrf_nl_err_cb)(void *tag, int err, const char *msg, void *data);
struct vrf_nl_batch *vrf_nl_batch_new(struct vrf_nl *nl, vrf_nl_err_cb on_error, void *data);
/* Start the next request; returns its header with at least 8 KiB of room
 * behind it for mnl_attr_put*().  May flush earlier requests first.
 * NULL only when a flush failed at the socket level (errno set). */
struct nlmsghdr *vrf_nl_batch_add(struct vrf_nl_batch *b, uint16_t type, uint16_t flags,
				  void *tag);
/* Add a finished request built elsewhere (by libnl's
 * rtnl_link_build_add_request(), say): its type, flags and payload are
 * copied; sequence number, port and NLM_F_ACK are the batch's.  Returns 0,
 * -EMSGSIZE for a request larger than the 8 KiB a request may have, or
 * -errno as vrf_nl_batch_add() would fail. */
int vrf_nl_batch_copy(struct vrf_nl_batch *b, const struct nlmsghdr *msg, void *tag);
/* Send what is left, wait for the final ACK, free the batch.  Returns 0 if
 * the kernel accepted everything, else the first error. */
int vrf_nl_batch_finish(struct vrf_nl_batch *b);
/* Number of requests sent so far by this process (for tests and stats). */
unsigned long vrf_nl_writes(void);

/* The port ids of every netlink socket this process holds open, sorted
 * (malloc'd; free it).  The kernel puts the port id of the socket that asked
 * for a change into the nlmsg_pid of the notification it multicasts, so
 * this tells vrfmgr's own changes from anyone else's.  Port ids are per
 * network namespace; the list is the union over all of them. */
int vrf_nl_own_portids(uint32_t **ret_ids, size_t *ret_n);
bool vrf_nl_portid_in(const uint32_t *ids, size_t n, uint32_t portid);

/* What observe() and apply() of an rtnetlink kind (route, address, rule)
 * share.  vrf_nl_dump_objs() dumps every object of one kind in ns, IPv4
 * and IPv6 at once: the request carries a zeroed header of hdr_len bytes
 * (ifaddrmsg, rtmsg, fib_rule_hdr: family AF_UNSPEC).  cb(nlh, data)
 * appends what it keeps to out; when the dump restarts or fails, the
 * objects it appended are freed again, so out gains the whole view or
 * nothing.  Returns 0 or -errno. */
int vrf_nl_dump_objs(struct vrf_ns *ns, uint16_t type, size_t hdr_len, vrf_nl_cb cb,
		     void *data, struct vrf_objv *out);
/* A write batch on ns's rtnetlink socket whose tags are the ops: a refused
 * request sets its op's err and errmsg (the first failure of that op
 * wins).  If no batch can be had, every op gets the error, which is
 * returned; else 0 and *ret_b. */
int vrf_nl_batch_ops(struct vrf_ns *ns, struct vrf_op *ops, size_t n,
		     struct vrf_nl_batch **ret_b);

/* Device name <-> ifindex inside one namespace, asked with SIOCGIFINDEX and
 * SIOCGIFNAME on the namespace's rtnetlink socket (device ioctls answer for
 * the socket's namespace) and remembered for one observe() or apply() call
 * only: links are created and recreated between stages, so an older answer
 * may be wrong.  One ioctl per distinct device. */
struct vrf_ifc {
	int fd;
	size_t n, cap;
	size_t last;			/* the entry found last: routes come in runs */
	struct vrf_ifc_entry {
		int idx;
		int tag;		/* the caller's; -1 when the entry is made */
		char name[VRF_IFNAME_MAX + 1];
	} *e;
};

/* An empty cache on ns's rtnetlink socket. */
void vrf_ifc_init(struct vrf_ifc *c, struct vrf_ns *ns);
void vrf_ifc_free(struct vrf_ifc *c);
/* Remember idx <-> name without asking; returns the entry's number. */
int vrf_ifc_add(struct vrf_ifc *c, int idx, const char *name);
/* The ifindex (> 0) of device name, or -errno (-ENODEV: no such device). */
int vrf_ifc_index(struct vrf_ifc *c, const char *name);
/* The number of the entry for ifindex idx (c->e[k]), or -errno. */
int vrf_ifc_find(struct vrf_ifc *c, int idx);

#endif
