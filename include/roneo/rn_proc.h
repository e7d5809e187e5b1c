/*
 * Processes and the IPC between them.  A frame is an 8-byte header
 * (type: u16, flags: u16, length: u32, all big-endian) and `length` bytes of
 * payload, at most RN_IPC_MAX_PAYLOAD.  With RN_IPC_F_FD set, one file
 * descriptor travels with the frame (SCM_RIGHTS on the frame's first byte).
 * A malformed frame closes the channel; it never brings a process down.
 */
#ifndef RN_PROC_H
#define RN_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "rn_err.h"
#include "rn_limits.h"

struct event_base;

enum rn_ipc_type {
	RN_IPC_CONF = 1,      /* parent -> child: effective config (rn_conf_dump text) */
	RN_IPC_LISTENER,      /* parent -> child: a listening socket (fd); payload: its spec */
	RN_IPC_LISTENERS_END, /* parent -> child: the listeners just sent replace the old set */
	RN_IPC_SHUTDOWN,      /* parent -> child: stop accepting, finish in flight, exit */
	RN_IPC_READY,	      /* child -> parent: configured and serving */
	/* The keeper link (daemon/keeper/, daemon/proc/README.md). */
	RN_IPC_KEEPER_LINK, /* parent -> http, keeper: one end of a fresh socketpair (fd) */
	RN_IPC_KEEPER_REQ,  /* http -> keeper: an editor request, with its body's file (fd) */
	RN_IPC_KEEPER_REP,  /* keeper -> http: the answer, with a body file (fd) or not */
	RN_IPC__MAX
};

#define RN_IPC_F_FD   0x0001u
#define RN_IPC_F_MASK 0x0001u

struct rn_ipc_msg {
	uint16_t       type;
	uint16_t       flags;
	uint32_t       len;
	const uint8_t *payload; /* borrowed, valid during the callback */
	int	       fd;	/* -1, or an fd the callback now owns */
};

/*
 * Pure decoder for one frame at the start of buf.  RN_OK: msg filled (fd = -1,
 * payload points into buf) and *consumed set; RN_ERR_AGAIN: incomplete;
 * RN_ERR_PROTO: unknown type, bad flags, or length over the cap.
 */
enum rn_err rn_ipc_decode(const uint8_t *buf, size_t len, struct rn_ipc_msg *msg, size_t *consumed);
void rn_ipc_encode_hdr(uint8_t hdr[RN_IPC_HDR_LEN], uint16_t type, uint16_t flags, uint32_t len);

/* One end of a socketpair, read through libevent. */
struct rn_ipc;
typedef void (*rn_ipc_msg_cb)(struct rn_ipc *ipc, struct rn_ipc_msg *msg, void *arg);
/* Called once when the peer closed or broke the protocol; free the channel then. */
typedef void (*rn_ipc_close_cb)(struct rn_ipc *ipc, enum rn_err why, void *arg);

struct rn_ipc *rn_ipc_new(
    struct event_base *base, int fd, rn_ipc_msg_cb on_msg, rn_ipc_close_cb on_close, void *arg);
/* Closes the socket and every received fd not yet handed out. NULL-safe. */
void rn_ipc_free(struct rn_ipc *ipc);
/*
 * Send one frame (fd = -1 for none; the caller keeps its fd).  Waits at most
 * a few seconds for room in the socket; control frames are small and rare.
 */
enum rn_err rn_ipc_send(struct rn_ipc *ipc, uint16_t type, const void *p, size_t n, int fd);

/* Drop privileges to user (setgroups, setgid, setuid, verified), set no_new_privs. */
enum rn_err rn_proc_drop_privileges(const char *user);
/* Look up a user's ids. */
enum rn_err rn_proc_user_ids(const char *user, uid_t *uid, gid_t *gid);

/* ------------------------------------------------------------------------ */
/* Children as the parent sees them (daemon/proc/child.c).  Each child is
 * roneod itself, re-executed as `roneod --child ROLE` with its end of the
 * socketpair on RN_PROC_CHILD_FD, so every child starts from a fresh image. */

#define RN_PROC_CHILD_FD 3

struct rn_proc_child;

struct rn_proc_child_ops {
	/* After each (re)start: hand the child its config and sockets. */
	void (*on_start)(struct rn_proc_child *ch, void *arg);
	/* A frame from the child. */
	void (*on_msg)(struct rn_proc_child *ch, struct rn_ipc_msg *msg, void *arg);
};

struct rn_proc_child *rn_proc_child_new(
    struct event_base *base, const char *role, const struct rn_proc_child_ops *ops, void *arg);
void	    rn_proc_child_free(struct rn_proc_child *ch);
enum rn_err rn_proc_child_start(struct rn_proc_child *ch);
/* Send a frame; a child that cannot take it is killed (and restarted). */
enum rn_err rn_proc_child_send(
    struct rn_proc_child *ch, uint16_t type, const void *p, size_t n, int fd);
/* From the parent's SIGCHLD handler: true if pid was this child's. A child that
 * died while not stopping is restarted after a backoff. */
bool rn_proc_child_reaped(struct rn_proc_child *ch, pid_t pid, int status);
/* Ask the child to stop (RN_IPC_SHUTDOWN); it will not be restarted. */
void	    rn_proc_child_stop(struct rn_proc_child *ch);
void	    rn_proc_child_kill(struct rn_proc_child *ch);
bool	    rn_proc_child_is_running(const struct rn_proc_child *ch);
const char *rn_proc_child_role(const struct rn_proc_child *ch);

/*
 * Confine the calling process to the system calls its role needs (seccomp;
 * anything else kills it).  A no-op in sanitizer builds.
 */
enum rn_err rn_proc_sandbox(const char *role);

#endif
