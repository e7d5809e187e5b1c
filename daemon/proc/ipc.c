/*
 * IPC framing between roneod's processes, after OpenBSD's imsg but smaller:
 * one SOCK_STREAM unix socket per channel, 8-byte big-endian headers, a
 * payload cap, and at most one fd per frame (SCM_RIGHTS on its first byte).
 *
 * The reader owns one input buffer big enough for the largest frame, so a
 * valid frame always fits and nothing grows.  Received fds wait in a small
 * FIFO until a frame with RN_IPC_F_FD claims them.  Anything unexpected
 * (bad header, fd claimed but none received, too many fds, truncated control
 * data, EOF) ends the channel through on_close exactly once; it never aborts.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "roneo/rn_log.h"
#include "roneo/rn_proc.h"
#include "roneo/rn_util.h"

#define IPC_BUF_LEN ((size_t)RN_IPC_HDR_LEN + RN_IPC_MAX_PAYLOAD)

struct rn_ipc {
	struct event   *ev;
	int		fd;
	rn_ipc_msg_cb	on_msg;
	rn_ipc_close_cb on_close;
	void	       *arg;
	uint8_t	       *in; /* IPC_BUF_LEN bytes */
	size_t		inlen;
	int		fds[RN_IPC_MAX_PENDING_FDS]; /* FIFO of received fds */
	size_t		fd_first;
	size_t		fd_count;
	bool		closed;	 /* on_close was called; reading stopped */
	bool		wbroken; /* a frame was cut mid-way: the stream is lost */
	bool		in_cb;	 /* inside the read callback (and so user callbacks) */
	bool		freed;	 /* rn_ipc_free was called during the callback */
};

static uint16_t
get_be16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | (unsigned)p[1]);
}

static uint32_t
get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

void
rn_ipc_encode_hdr(uint8_t hdr[RN_IPC_HDR_LEN], uint16_t type, uint16_t flags, uint32_t len)
{
	hdr[0] = (uint8_t)(type >> 8);
	hdr[1] = (uint8_t)type;
	hdr[2] = (uint8_t)(flags >> 8);
	hdr[3] = (uint8_t)flags;
	hdr[4] = (uint8_t)(len >> 24);
	hdr[5] = (uint8_t)(len >> 16);
	hdr[6] = (uint8_t)(len >> 8);
	hdr[7] = (uint8_t)len;
}

enum rn_err
rn_ipc_decode(const uint8_t *buf, size_t len, struct rn_ipc_msg *msg, size_t *consumed)
{
	uint16_t type, flags;
	uint32_t plen;

	if (msg == NULL || consumed == NULL || (buf == NULL && len > 0))
		return RN_ERR_INVAL;
	if (len < RN_IPC_HDR_LEN)
		return RN_ERR_AGAIN;
	/* The header alone decides validity: no need to wait for the payload. */
	type = get_be16(buf);
	flags = get_be16(buf + 2);
	plen = get_be32(buf + 4);
	if (type == 0 || type >= RN_IPC__MAX)
		return RN_ERR_PROTO;
	if ((flags & ~RN_IPC_F_MASK) != 0)
		return RN_ERR_PROTO;
	if (plen > RN_IPC_MAX_PAYLOAD)
		return RN_ERR_PROTO;
	if (len - RN_IPC_HDR_LEN < plen)
		return RN_ERR_AGAIN;
	msg->type = type;
	msg->flags = flags;
	msg->len = plen;
	msg->payload = buf + RN_IPC_HDR_LEN;
	msg->fd = -1;
	*consumed = RN_IPC_HDR_LEN + (size_t)plen;
	return RN_OK;
}

/* Queue a received fd; a full queue means the peer broke the protocol. */
static bool
fd_push(struct rn_ipc *ipc, int fd)
{
	if (ipc->fd_count == RN_IPC_MAX_PENDING_FDS) {
		close(fd);
		return false;
	}
	ipc->fds[(ipc->fd_first + ipc->fd_count) % RN_IPC_MAX_PENDING_FDS] = fd;
	ipc->fd_count++;
	return true;
}

static int
fd_pop(struct rn_ipc *ipc)
{
	int fd;

	if (ipc->fd_count == 0)
		return -1;
	fd = ipc->fds[ipc->fd_first];
	ipc->fd_first = (ipc->fd_first + 1) % RN_IPC_MAX_PENDING_FDS;
	ipc->fd_count--;
	return fd;
}

static void
fd_close_all(struct rn_ipc *ipc)
{
	int fd;

	while ((fd = fd_pop(ipc)) != -1)
		close(fd);
}

static void
ipc_destroy(struct rn_ipc *ipc)
{
	if (ipc->ev != NULL)
		event_free(ipc->ev);
	if (ipc->fd != -1)
		close(ipc->fd);
	fd_close_all(ipc);
	free(ipc->in);
	free(ipc);
}

/* End the channel: stop reading, drop unclaimed fds, tell the owner once. */
static void
ipc_fail(struct rn_ipc *ipc, enum rn_err why)
{
	if (ipc->closed)
		return;
	ipc->closed = true;
	event_del(ipc->ev);
	fd_close_all(ipc);
	if (why == RN_ERR_PROTO)
		rn_log_warn("ipc: peer broke the protocol, closing the channel");
	else
		rn_log_debug("ipc: channel closed by peer");
	if (ipc->on_close != NULL)
		ipc->on_close(ipc, why, ipc->arg);
}

/* Queue every fd of the control data; false if any was refused or malformed. */
static bool
take_fds(struct rn_ipc *ipc, struct msghdr *mh)
{
	struct cmsghdr *cm;
	size_t		i, nfd;
	bool		ok = true;
	int		fd;

	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS ||
		    cm->cmsg_len < CMSG_LEN(0)) {
			ok = false;
			continue;
		}
		nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nfd; i++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(fd));
			if (!fd_push(ipc, fd))
				ok = false;
		}
	}
	if ((mh->msg_flags & MSG_CTRUNC) != 0)
		ok = false;
	return ok;
}

/*
 * One recvmsg into the free tail of the input buffer.  RN_OK: bytes added;
 * RN_ERR_AGAIN: nothing to read now; RN_ERR_IO: EOF or error; RN_ERR_PROTO:
 * bad control data.
 */
static enum rn_err
ipc_recv(struct rn_ipc *ipc)
{
	union {
		struct cmsghdr hdr;
		uint8_t	       buf[CMSG_SPACE(sizeof(int) * RN_IPC_MAX_PENDING_FDS)];
	} cbuf;
	struct msghdr mh;
	struct iovec  iov;
	ssize_t	      n;

	/* Cannot happen: a full buffer always holds a complete frame. */
	if (ipc->inlen >= IPC_BUF_LEN)
		return RN_ERR_PROTO;
	memset(&mh, 0, sizeof(mh));
	memset(&cbuf, 0, sizeof(cbuf));
	iov.iov_base = ipc->in + ipc->inlen;
	iov.iov_len = IPC_BUF_LEN - ipc->inlen;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf.buf;
	mh.msg_controllen = sizeof(cbuf.buf);
	do {
		n = recvmsg(ipc->fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	} while (n == -1 && errno == EINTR);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return RN_ERR_AGAIN;
		/* A peer that exits with bytes unread resets: as good as EOF. */
		if (errno != ECONNRESET)
			rn_log_errno(RN_LOG_WARN, "ipc: recvmsg");
		return RN_ERR_IO;
	}
	if (!take_fds(ipc, &mh))
		return RN_ERR_PROTO;
	if (n == 0)
		return RN_ERR_IO;
	ipc->inlen += (size_t)n;
	return RN_OK;
}

/*
 * Hand every complete frame to on_msg, then keep the incomplete rest.
 * Stops early if on_msg freed the channel.
 */
static enum rn_err
ipc_dispatch(struct rn_ipc *ipc)
{
	struct rn_ipc_msg msg;
	size_t		  off = 0, used = 0;
	enum rn_err	  err = RN_OK;

	while (!ipc->freed) {
		err = rn_ipc_decode(ipc->in + off, ipc->inlen - off, &msg, &used);
		if (err != RN_OK)
			break;
		if ((msg.flags & RN_IPC_F_FD) != 0 && (msg.fd = fd_pop(ipc)) == -1) {
			err = RN_ERR_PROTO;
			break;
		}
		off += used;
		ipc->on_msg(ipc, &msg, ipc->arg);
	}
	if (ipc->freed)
		return RN_OK;
	if (off > 0) {
		memmove(ipc->in, ipc->in + off, ipc->inlen - off);
		ipc->inlen -= off;
	}
	return err == RN_ERR_AGAIN ? RN_OK : err;
}

static void
ipc_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rn_ipc *ipc = arg;
	enum rn_err    err;

	(void)fd;
	(void)what;
	ipc->in_cb = true;
	err = ipc_recv(ipc);
	if (err == RN_OK)
		err = ipc_dispatch(ipc);
	if (err != RN_OK && err != RN_ERR_AGAIN && !ipc->freed)
		ipc_fail(ipc, err);
	ipc->in_cb = false;
	if (ipc->freed)
		ipc_destroy(ipc);
}

static bool
set_fd_flags(int fd)
{
	int fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1) {
		rn_log_errno(RN_LOG_ERR, "ipc: fcntl O_NONBLOCK");
		return false;
	}
	if ((fl = fcntl(fd, F_GETFD)) == -1 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) == -1) {
		rn_log_errno(RN_LOG_ERR, "ipc: fcntl FD_CLOEXEC");
		return false;
	}
	return true;
}

/* On failure the caller still owns fd. */
struct rn_ipc *
rn_ipc_new(
    struct event_base *base, int fd, rn_ipc_msg_cb on_msg, rn_ipc_close_cb on_close, void *arg)
{
	struct rn_ipc *ipc = NULL;

	if (base == NULL || fd < 0 || on_msg == NULL)
		return NULL;
	if (!set_fd_flags(fd))
		return NULL;
	if ((ipc = calloc(1, sizeof(*ipc))) == NULL) {
		rn_log_errno(RN_LOG_ERR, "ipc: calloc");
		return NULL;
	}
	ipc->fd = -1;
	ipc->on_msg = on_msg;
	ipc->on_close = on_close;
	ipc->arg = arg;
	if ((ipc->in = malloc(IPC_BUF_LEN)) == NULL) {
		rn_log_errno(RN_LOG_ERR, "ipc: malloc");
		goto fail;
	}
	ipc->ev = event_new(base, fd, EV_READ | EV_PERSIST, ipc_read_cb, ipc);
	if (ipc->ev == NULL || event_add(ipc->ev, NULL) == -1) {
		rn_log_err("ipc: cannot register the channel with libevent");
		goto fail;
	}
	ipc->fd = fd;
	return ipc;
fail:
	ipc_destroy(ipc);
	return NULL;
}

void
rn_ipc_free(struct rn_ipc *ipc)
{
	if (ipc == NULL)
		return;
	if (ipc->in_cb) {
		/* Called from on_msg or on_close: ipc_read_cb finishes the job. */
		ipc->freed = true;
		event_del(ipc->ev);
		return;
	}
	ipc_destroy(ipc);
}

/* sendmsg the frame from byte `off` on; the fd rides on the first byte only. */
static ssize_t
send_from(int sock, const uint8_t *hdr, const uint8_t *p, size_t n, size_t off, int fd)
{
	union {
		struct cmsghdr hdr;
		uint8_t	       buf[CMSG_SPACE(sizeof(int))];
	} cbuf;
	struct msghdr	mh;
	struct iovec	iov[2];
	struct cmsghdr *cm;

	memset(&mh, 0, sizeof(mh));
	memset(&cbuf, 0, sizeof(cbuf));
	if (off < RN_IPC_HDR_LEN) {
		iov[0].iov_base = (void *)(uintptr_t)(hdr + off);
		iov[0].iov_len = RN_IPC_HDR_LEN - off;
		iov[1].iov_base = (void *)(uintptr_t)p;
		iov[1].iov_len = n;
		mh.msg_iovlen = n > 0 ? 2 : 1;
	} else {
		iov[0].iov_base = (void *)(uintptr_t)(p + (off - RN_IPC_HDR_LEN));
		iov[0].iov_len = n - (off - RN_IPC_HDR_LEN);
		mh.msg_iovlen = 1;
	}
	mh.msg_iov = iov;
	if (fd >= 0) {
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = sizeof(cbuf.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
	}
	return sendmsg(sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* Wait for room in the socket until the deadline (monotonic ms). */
static enum rn_err
wait_writable(int sock, uint64_t deadline)
{
	struct pollfd pfd;
	uint64_t      now;
	int	      rc;

	for (;;) {
		now = rn_time_mono_ms();
		if (now >= deadline) {
			rn_log_err(
			    "ipc: peer did not read for %u ms, giving up", RN_IPC_SEND_TIMEOUT_MS);
			return RN_ERR_IO;
		}
		pfd.fd = sock;
		pfd.events = POLLOUT;
		pfd.revents = 0;
		rc = poll(&pfd, 1, (int)(deadline - now));
		if (rc == -1 && errno != EINTR) {
			rn_log_errno(RN_LOG_ERR, "ipc: poll");
			return RN_ERR_IO;
		}
		/* Errors and hangups are reported by the next sendmsg. */
		if (rc > 0)
			return RN_OK;
	}
}

enum rn_err
rn_ipc_send(struct rn_ipc *ipc, uint16_t type, const void *p, size_t n, int fd)
{
	uint8_t	    hdr[RN_IPC_HDR_LEN];
	uint64_t    deadline;
	size_t	    off = 0, total;
	enum rn_err err = RN_OK;
	ssize_t	    w;

	if (ipc == NULL || type == 0 || type >= RN_IPC__MAX || (p == NULL && n > 0))
		return RN_ERR_INVAL;
	if (n > RN_IPC_MAX_PAYLOAD)
		return RN_ERR_TOOBIG;
	if (ipc->wbroken)
		return RN_ERR_IO;
	rn_ipc_encode_hdr(hdr, type, fd >= 0 ? (uint16_t)RN_IPC_F_FD : 0, (uint32_t)n);
	total = RN_IPC_HDR_LEN + n;
	deadline = rn_time_mono_ms() + RN_IPC_SEND_TIMEOUT_MS;
	while (off < total) {
		/* A stream sendmsg either fails whole or sends >= 1 byte with the fd. */
		w = send_from(ipc->fd, hdr, p, n, off, off == 0 ? fd : -1);
		if (w > 0) {
			off += (size_t)w;
			continue;
		}
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1 && errno != EAGAIN && errno != EWOULDBLOCK) {
			rn_log_errno(RN_LOG_ERR, "ipc: sendmsg");
			err = RN_ERR_IO;
			goto out;
		}
		if ((err = wait_writable(ipc->fd, deadline)) != RN_OK)
			goto out;
	}
out:
	if (err != RN_OK && off > 0)
		ipc->wbroken = true;
	return err;
}
