/*
 * Unit tests of daemon/proc: IPC framing (pure decoder and a live channel over
 * a socketpair with libevent) and privilege dropping.
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <event2/event.h>

#include "roneo/rn_log.h"
#include "roneo/rn_proc.h"
#include "roneo/rn_util.h"

#define MAX_REC 40

struct rec_msg {
	uint16_t	type;
	uint16_t	flags;
	uint32_t	len;
	int		fd;
	uint8_t		head[64];	/* first payload bytes */
	bool		pattern_ok;	/* payload is pattern(0..len) */
};

struct ctx {
	struct event_base	*base;
	int			 sv[2];	/* -1 once owned by an rn_ipc */
	struct rn_ipc		*rd;	/* reader on sv[0] */
	struct rn_ipc		*wr;	/* sender on sv[1], if any */
	struct rec_msg		 m[MAX_REC];
	int			 nmsg;
	int			 nclose;
	enum rn_err		 why;
	int			 stop_at;
	bool			 free_on_msg;
};

static uint8_t
pattern(size_t i)
{
	return (uint8_t)((i * 131u + 7u) & 0xffu);
}

static int
count_open_fds(void)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	assert_non_null(d = opendir("/proc/self/fd"));
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own fd */
}

static void
on_msg(struct rn_ipc *ipc, struct rn_ipc_msg *msg, void *arg)
{
	struct ctx *c = arg;
	struct rec_msg *r;
	size_t i;

	if (ipc != c->rd) {	/* nothing is ever sent to the sender */
		if (msg->fd != -1)
			close(msg->fd);
		return;
	}
	if (c->nmsg >= MAX_REC) {
		if (msg->fd != -1)
			close(msg->fd);
		return;
	}
	r = &c->m[c->nmsg++];
	r->type = msg->type;
	r->flags = msg->flags;
	r->len = msg->len;
	r->fd = msg->fd;
	memcpy(r->head, msg->payload, msg->len < sizeof(r->head) ? msg->len : sizeof(r->head));
	r->pattern_ok = true;
	for (i = 0; i < msg->len; i++)
		if (msg->payload[i] != pattern(i))
			r->pattern_ok = false;
	if (c->free_on_msg) {
		rn_ipc_free(ipc);
		c->rd = NULL;
		event_base_loopbreak(c->base);
	}
	if (c->stop_at > 0 && c->nmsg >= c->stop_at)
		event_base_loopbreak(c->base);
}

static void
on_close(struct rn_ipc *ipc, enum rn_err why, void *arg)
{
	struct ctx *c = arg;

	if (ipc == c->rd) {
		c->nclose++;
		c->why = why;
		c->rd = NULL;
		event_base_loopbreak(c->base);
	} else if (ipc == c->wr) {
		c->wr = NULL;
	}
	/* As the header asks: free the channel from on_close. */
	rn_ipc_free(ipc);
}

static void
ctx_init(struct ctx *c, bool with_sender)
{
	memset(c, 0, sizeof(*c));
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, c->sv), 0);
	assert_non_null(c->base = event_base_new());
	assert_non_null(c->rd = rn_ipc_new(c->base, c->sv[0], on_msg, on_close, c));
	c->sv[0] = -1;
	if (with_sender) {
		assert_non_null(c->wr = rn_ipc_new(c->base, c->sv[1], on_msg, on_close, c));
		c->sv[1] = -1;
	}
}

static void
ctx_fini(struct ctx *c)
{
	int i;

	rn_ipc_free(c->rd);
	rn_ipc_free(c->wr);
	for (i = 0; i < 2; i++)
		if (c->sv[i] != -1)
			close(c->sv[i]);
	for (i = 0; i < c->nmsg; i++)
		if (c->m[i].fd != -1)
			close(c->m[i].fd);
	event_base_free(c->base);
}

/* Run the loop until stop_at messages, on_close, or 3 s. */
static void
ctx_run(struct ctx *c, int stop_at)
{
	struct timeval tv = {3, 0};

	c->stop_at = stop_at;
	assert_int_equal(event_base_loopexit(c->base, &tv), 0);
	assert_int_not_equal(event_base_dispatch(c->base), -1);
}

static size_t
put_frame(uint8_t *out, uint16_t type, uint16_t flags, const void *p, uint32_t n)
{
	rn_ipc_encode_hdr(out, type, flags, n);
	if (n > 0)
		memcpy(out + RN_IPC_HDR_LEN, p, n);
	return RN_IPC_HDR_LEN + n;
}

static void
write_all(int fd, const void *p, size_t n)
{
	assert_int_equal(write(fd, p, n), (ssize_t)n);
}

/* A raw frame with an fd attached and no RN_IPC_F_FD flag, or nfd copies of fd. */
static void
raw_send_fds(int sock, const uint8_t *buf, size_t n, int fd, size_t nfd)
{
	union {
		struct cmsghdr	hdr;
		uint8_t		buf[CMSG_SPACE(sizeof(int) * 32)];
	} cbuf;
	struct msghdr mh;
	struct iovec iov;
	struct cmsghdr *cm;
	size_t i;

	assert_true(nfd <= 32);
	memset(&mh, 0, sizeof(mh));
	memset(&cbuf, 0, sizeof(cbuf));
	iov.iov_base = (void *)(uintptr_t)buf;
	iov.iov_len = n;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf.buf;
	mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfd);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int) * nfd);
	for (i = 0; i < nfd; i++)
		memcpy(CMSG_DATA(cm) + i * sizeof(int), &fd, sizeof(int));
	assert_int_equal(sendmsg(sock, &mh, MSG_NOSIGNAL), (ssize_t)n);
}

/* ---- pure decoder ---- */

static void
test_encode_layout(void **state)
{
	uint8_t h[RN_IPC_HDR_LEN];
	const uint8_t want[RN_IPC_HDR_LEN] = {0x01, 0x02, 0x00, 0x01, 0x03, 0x04, 0x05, 0x06};

	(void)state;
	rn_ipc_encode_hdr(h, 0x0102, 0x0001, 0x03040506u);
	assert_memory_equal(h, want, sizeof(want));
}

static void
test_decode_roundtrip(void **state)
{
	const uint32_t lens[] = {0, 1, 17, RN_IPC_MAX_PAYLOAD};
	struct rn_ipc_msg msg;
	uint8_t *buf;
	size_t used, i;
	uint16_t type, flags;

	(void)state;
	assert_non_null(buf = calloc(1, RN_IPC_HDR_LEN + RN_IPC_MAX_PAYLOAD + 4));
	for (type = 1; type < RN_IPC__MAX; type++) {
		for (flags = 0; flags <= RN_IPC_F_MASK; flags++) {
			for (i = 0; i < RN_ARRAY_LEN(lens); i++) {
				rn_ipc_encode_hdr(buf, type, flags, lens[i]);
				used = 0;
				/* Extra bytes after the frame are not consumed. */
				assert_int_equal(rn_ipc_decode(buf, RN_IPC_HDR_LEN + lens[i] + 4,
				    &msg, &used), RN_OK);
				assert_int_equal(msg.type, type);
				assert_int_equal(msg.flags, flags);
				assert_int_equal(msg.len, lens[i]);
				assert_int_equal(msg.fd, -1);
				assert_ptr_equal(msg.payload, buf + RN_IPC_HDR_LEN);
				assert_int_equal(used, RN_IPC_HDR_LEN + lens[i]);
				/* Exactly one frame is enough; one byte less is not. */
				assert_int_equal(rn_ipc_decode(buf, RN_IPC_HDR_LEN + lens[i], &msg,
				    &used), RN_OK);
				if (lens[i] > 0)
					assert_int_equal(rn_ipc_decode(buf,
					    RN_IPC_HDR_LEN + lens[i] - 1, &msg, &used),
					    RN_ERR_AGAIN);
			}
		}
	}
	free(buf);
}

static void
test_decode_rejects(void **state)
{
	const struct {
		uint16_t type, flags;
		uint32_t len;
	} bad[] = {
		{0, 0, 0},
		{RN_IPC__MAX, 0, 0},
		{0xffff, 0, 0},
		{RN_IPC_CONF, 0x0002, 0},
		{RN_IPC_CONF, 0x8000, 0},
		{RN_IPC_CONF, 0xffff, 0},
		{RN_IPC_CONF, 0, RN_IPC_MAX_PAYLOAD + 1},
		{RN_IPC_READY, RN_IPC_F_FD, 0xffffffffu},
	};
	uint8_t buf[RN_IPC_HDR_LEN + 4] = {0};
	struct rn_ipc_msg msg;
	size_t used = 0, i, n;

	(void)state;
	for (i = 0; i < RN_ARRAY_LEN(bad); i++) {
		rn_ipc_encode_hdr(buf, bad[i].type, bad[i].flags, bad[i].len);
		/* Rejected from the header alone, before any payload arrives. */
		assert_int_equal(rn_ipc_decode(buf, RN_IPC_HDR_LEN, &msg, &used), RN_ERR_PROTO);
		assert_int_equal(rn_ipc_decode(buf, sizeof(buf), &msg, &used), RN_ERR_PROTO);
	}
	rn_ipc_encode_hdr(buf, RN_IPC_SHUTDOWN, 0, 0);
	for (n = 0; n < RN_IPC_HDR_LEN; n++)
		assert_int_equal(rn_ipc_decode(buf, n, &msg, &used), RN_ERR_AGAIN);
	rn_ipc_encode_hdr(buf, RN_IPC_CONF, 0, 5);
	assert_int_equal(rn_ipc_decode(buf, sizeof(buf), &msg, &used), RN_ERR_AGAIN);
	assert_int_equal(rn_ipc_decode(NULL, 0, &msg, &used), RN_ERR_AGAIN);
	assert_int_equal(rn_ipc_decode(NULL, 8, &msg, &used), RN_ERR_INVAL);
	assert_int_equal(rn_ipc_decode(buf, 8, NULL, &used), RN_ERR_INVAL);
	assert_int_equal(rn_ipc_decode(buf, 8, &msg, NULL), RN_ERR_INVAL);
}

/* ---- live channel ---- */

static void
test_frames_in_one_write(void **state)
{
	uint8_t buf[128];
	size_t n = 0;
	struct ctx c;

	(void)state;
	ctx_init(&c, false);
	n += put_frame(buf + n, RN_IPC_CONF, 0, "hello", 5);
	n += put_frame(buf + n, RN_IPC_READY, 0, NULL, 0);
	n += put_frame(buf + n, RN_IPC_LISTENERS_END, 0, "x", 1);
	write_all(c.sv[1], buf, n);
	ctx_run(&c, 3);
	assert_int_equal(c.nmsg, 3);
	assert_int_equal(c.nclose, 0);
	assert_int_equal(c.m[0].type, RN_IPC_CONF);
	assert_int_equal(c.m[0].len, 5);
	assert_memory_equal(c.m[0].head, "hello", 5);
	assert_int_equal(c.m[1].type, RN_IPC_READY);
	assert_int_equal(c.m[1].len, 0);
	assert_int_equal(c.m[2].type, RN_IPC_LISTENERS_END);
	assert_int_equal(c.m[2].head[0], 'x');
	assert_int_equal(c.m[2].fd, -1);
	ctx_fini(&c);
}

static void
test_one_byte_writes(void **state)
{
	uint8_t payload[100], buf[256];
	size_t n = 0, i, first;
	struct ctx c;

	(void)state;
	for (i = 0; i < sizeof(payload); i++)
		payload[i] = pattern(i);
	ctx_init(&c, false);
	first = put_frame(buf, RN_IPC_CONF, 0, payload, sizeof(payload));
	n = first + put_frame(buf + first, RN_IPC_SHUTDOWN, 0, NULL, 0);
	for (i = 0; i < n; i++) {
		write_all(c.sv[1], buf + i, 1);
		assert_int_equal(event_base_loop(c.base, EVLOOP_NONBLOCK), 0);
		assert_int_equal(c.nmsg, i + 1 < first ? 0 : (i + 1 < n ? 1 : 2));
	}
	assert_int_equal(c.nclose, 0);
	assert_int_equal(c.m[0].len, sizeof(payload));
	assert_true(c.m[0].pattern_ok);
	assert_int_equal(c.m[1].type, RN_IPC_SHUTDOWN);
	ctx_fini(&c);
}

static void
noop_msg(struct rn_ipc *ipc, struct rn_ipc_msg *msg, void *arg)
{
	(void)ipc;
	(void)arg;
	if (msg->fd != -1)
		close(msg->fd);
}

/*
 * A frame at the cap is bigger than the socket buffer, so it goes out in
 * several chunks: send it from a child while this process reads.  It carries
 * an fd, which must travel once, with the first chunk: the next frame's fd
 * must then be the next one received.
 */
static void
test_large_payload(void **state)
{
	uint8_t *big;
	struct ctx c;
	size_t i;
	pid_t pid;
	int sv[2], a[2], b[2], st;
	char got;

	(void)state;
	assert_non_null(big = malloc(RN_IPC_MAX_PAYLOAD));
	for (i = 0; i < RN_IPC_MAX_PAYLOAD; i++)
		big[i] = pattern(i);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(pipe2(a, O_NONBLOCK), 0);
	assert_int_equal(pipe2(b, O_NONBLOCK), 0);
	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		struct event_base *eb;
		struct rn_ipc *s;

		close(sv[0]);
		if ((eb = event_base_new()) == NULL ||
		    (s = rn_ipc_new(eb, sv[1], noop_msg, NULL, NULL)) == NULL)
			_exit(2);
		if (rn_ipc_send(s, RN_IPC_CONF, big, RN_IPC_MAX_PAYLOAD, a[1]) != RN_OK)
			_exit(3);
		if (rn_ipc_send(s, RN_IPC_LISTENER, "b", 1, b[1]) != RN_OK)
			_exit(4);
		if (rn_ipc_send(s, RN_IPC_READY, NULL, 0, -1) != RN_OK)
			_exit(5);
		_exit(0);
	}
	close(sv[1]);
	close(a[1]);
	close(b[1]);
	memset(&c, 0, sizeof(c));
	c.sv[0] = c.sv[1] = -1;
	assert_non_null(c.base = event_base_new());
	assert_non_null(c.rd = rn_ipc_new(c.base, sv[0], on_msg, on_close, &c));
	ctx_run(&c, 3);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_int_equal(c.nmsg, 3);
	assert_int_equal(c.m[0].type, RN_IPC_CONF);
	assert_int_equal(c.m[0].len, RN_IPC_MAX_PAYLOAD);
	assert_true(c.m[0].pattern_ok);
	assert_int_equal(c.m[1].type, RN_IPC_LISTENER);
	assert_int_equal(c.m[2].type, RN_IPC_READY);
	assert_int_equal(c.m[2].fd, -1);
	write_all(c.m[0].fd, "A", 1);
	write_all(c.m[1].fd, "B", 1);
	assert_int_equal(read(a[0], &got, 1), 1);
	assert_int_equal(got, 'A');
	assert_int_equal(read(b[0], &got, 1), 1);
	assert_int_equal(got, 'B');
	close(a[0]);
	close(b[0]);
	/* The child exited: the channel then reports EOF. */
	if (c.rd != NULL)
		ctx_run(&c, 0);
	assert_int_equal(c.nclose, 1);
	assert_int_equal(c.why, RN_ERR_IO);
	ctx_fini(&c);
	free(big);
}

static void
test_send_rejects(void **state)
{
	uint8_t *big, b;
	struct ctx c;

	(void)state;
	assert_non_null(big = calloc(1, RN_IPC_MAX_PAYLOAD + 1));
	memset(&c, 0, sizeof(c));
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, c.sv), 0);
	assert_non_null(c.base = event_base_new());
	assert_non_null(c.wr = rn_ipc_new(c.base, c.sv[1], on_msg, on_close, &c));
	c.sv[1] = -1;
	assert_int_equal(rn_ipc_send(c.wr, RN_IPC_CONF, big, RN_IPC_MAX_PAYLOAD + 1, -1),
	    RN_ERR_TOOBIG);
	assert_int_equal(rn_ipc_send(c.wr, RN_IPC_CONF, big, SIZE_MAX, -1), RN_ERR_TOOBIG);
	assert_int_equal(rn_ipc_send(c.wr, 0, NULL, 0, -1), RN_ERR_INVAL);
	assert_int_equal(rn_ipc_send(c.wr, RN_IPC__MAX, NULL, 0, -1), RN_ERR_INVAL);
	assert_int_equal(rn_ipc_send(c.wr, RN_IPC_CONF, NULL, 3, -1), RN_ERR_INVAL);
	assert_int_equal(rn_ipc_send(NULL, RN_IPC_CONF, NULL, 0, -1), RN_ERR_INVAL);
	/* Nothing at all reached the peer. */
	assert_int_equal(recv(c.sv[0], &b, 1, MSG_DONTWAIT), -1);
	assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
	ctx_fini(&c);
	free(big);
}

static void
test_fd_passing(void **state)
{
	struct ctx c;
	char got[8];
	int p[2], fl;

	(void)state;
	ctx_init(&c, true);
	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	assert_int_equal(rn_ipc_send(c.wr, RN_IPC_LISTENER, "spec", 4, p[1]), RN_OK);
	close(p[1]);	/* the sender kept its own fd */
	ctx_run(&c, 1);
	assert_int_equal(c.nmsg, 1);
	assert_int_equal(c.m[0].type, RN_IPC_LISTENER);
	assert_int_equal(c.m[0].flags, RN_IPC_F_FD);
	assert_memory_equal(c.m[0].head, "spec", 4);
	assert_true(c.m[0].fd >= 0);
	assert_true((fl = fcntl(c.m[0].fd, F_GETFD)) != -1 && (fl & FD_CLOEXEC) != 0);
	write_all(c.m[0].fd, "ping", 4);
	close(c.m[0].fd);
	c.m[0].fd = -1;
	assert_int_equal(read(p[0], got, sizeof(got)), 4);
	assert_memory_equal(got, "ping", 4);
	/* No other copy of the write end survives anywhere. */
	assert_int_equal(read(p[0], got, sizeof(got)), 0);
	close(p[0]);
	ctx_fini(&c);
}

static void
test_two_fds(void **state)
{
	struct ctx c;
	char got;
	int a[2], b[2];

	(void)state;
	ctx_init(&c, true);
	assert_int_equal(pipe2(a, O_NONBLOCK), 0);
	assert_int_equal(pipe2(b, O_NONBLOCK), 0);
	assert_int_equal(rn_ipc_send(c.wr, RN_IPC_LISTENER, "a", 1, a[1]), RN_OK);
	assert_int_equal(rn_ipc_send(c.wr, RN_IPC_LISTENER, "b", 1, b[1]), RN_OK);
	assert_int_equal(rn_ipc_send(c.wr, RN_IPC_LISTENERS_END, NULL, 0, -1), RN_OK);
	close(a[1]);
	close(b[1]);
	ctx_run(&c, 3);
	assert_int_equal(c.nmsg, 3);
	assert_int_equal(c.m[0].head[0], 'a');
	assert_int_equal(c.m[1].head[0], 'b');
	assert_true(c.m[0].fd >= 0 && c.m[1].fd >= 0 && c.m[0].fd != c.m[1].fd);
	assert_int_equal(c.m[2].fd, -1);
	write_all(c.m[0].fd, "A", 1);
	write_all(c.m[1].fd, "B", 1);
	assert_int_equal(read(a[0], &got, 1), 1);
	assert_int_equal(got, 'A');
	assert_int_equal(read(b[0], &got, 1), 1);
	assert_int_equal(got, 'B');
	close(a[0]);
	close(b[0]);
	ctx_fini(&c);
}

static void
test_fd_claimed_none_sent(void **state)
{
	uint8_t buf[64];
	struct ctx c;
	size_t n;

	(void)state;
	ctx_init(&c, false);
	n = put_frame(buf, RN_IPC_LISTENER, RN_IPC_F_FD, "x", 1);
	write_all(c.sv[1], buf, n);
	ctx_run(&c, 0);
	assert_int_equal(c.nmsg, 0);
	assert_int_equal(c.nclose, 1);
	assert_int_equal(c.why, RN_ERR_PROTO);
	ctx_fini(&c);
}

static void
test_garbage(void **state)
{
	const char get[] = "GET / HTTP/1.0\r\n\r\n";
	uint8_t buf[64];
	struct ctx c;
	size_t n;

	(void)state;
	ctx_init(&c, false);
	write_all(c.sv[1], get, sizeof(get) - 1);
	ctx_run(&c, 0);
	assert_int_equal(c.nmsg, 0);
	assert_int_equal(c.nclose, 1);
	assert_int_equal(c.why, RN_ERR_PROTO);
	ctx_fini(&c);

	/* A good frame is delivered, the bad one after it closes the channel. */
	ctx_init(&c, false);
	n = put_frame(buf, RN_IPC_READY, 0, NULL, 0);
	n += put_frame(buf + n, RN_IPC_READY, 0x0100, NULL, 0);
	write_all(c.sv[1], buf, n);
	ctx_run(&c, 0);
	assert_int_equal(c.nmsg, 1);
	assert_int_equal(c.nclose, 1);
	assert_int_equal(c.why, RN_ERR_PROTO);
	ctx_fini(&c);
}

static void
test_peer_close(void **state)
{
	uint8_t buf[64];
	struct ctx c;
	size_t n;

	(void)state;
	ctx_init(&c, false);
	n = put_frame(buf, RN_IPC_READY, 0, NULL, 0);
	n += put_frame(buf + n, RN_IPC_CONF, 0, "abcdef", 6);
	write_all(c.sv[1], buf, n - 3);	/* the second frame is cut short */
	close(c.sv[1]);
	c.sv[1] = -1;
	ctx_run(&c, 0);
	assert_int_equal(c.nmsg, 1);
	assert_int_equal(c.nclose, 1);
	assert_int_equal(c.why, RN_ERR_IO);
	ctx_fini(&c);
}

static void
test_free_in_on_msg(void **state)
{
	uint8_t buf[64];
	struct ctx c;
	size_t n;
	int base_fds, p[2];

	(void)state;
	base_fds = count_open_fds();
	ctx_init(&c, false);
	assert_int_equal(pipe(p), 0);
	n = put_frame(buf, RN_IPC_SHUTDOWN, 0, NULL, 0);
	n += put_frame(buf + n, RN_IPC_READY, 0, NULL, 0);
	n += put_frame(buf + n, RN_IPC_CONF, 0, "zz", 2);
	/* An fd is pending in the FIFO when the channel is freed. */
	raw_send_fds(c.sv[1], buf, n, p[0], 1);
	close(p[0]);
	close(p[1]);
	c.free_on_msg = true;
	ctx_run(&c, 0);
	assert_null(c.rd);
	assert_int_equal(c.nmsg, 1);
	assert_int_equal(c.m[0].type, RN_IPC_SHUTDOWN);
	assert_int_equal(c.nclose, 0);
	/* The rest of the buffered frames is never delivered. */
	assert_int_not_equal(event_base_loop(c.base, EVLOOP_NONBLOCK), -1);
	assert_int_equal(c.nmsg, 1);
	ctx_fini(&c);
	assert_int_equal(count_open_fds(), base_fds);
}

static void
test_too_many_fds(void **state)
{
	uint8_t buf[RN_IPC_HDR_LEN];
	struct ctx c;
	size_t i;
	int base_fds, p[2];

	(void)state;
	base_fds = count_open_fds();
	ctx_init(&c, false);
	assert_int_equal(pipe(p), 0);
	put_frame(buf, RN_IPC_READY, 0, NULL, 0);
	/* Frames that carry an fd without claiming it: the FIFO fills up. */
	for (i = 0; i <= RN_IPC_MAX_PENDING_FDS; i++)
		raw_send_fds(c.sv[1], buf, sizeof(buf), p[0], 1);
	ctx_run(&c, 0);
	assert_int_equal(c.nmsg, RN_IPC_MAX_PENDING_FDS);
	assert_int_equal(c.nclose, 1);
	assert_int_equal(c.why, RN_ERR_PROTO);
	close(p[0]);
	close(p[1]);
	ctx_fini(&c);
	assert_int_equal(count_open_fds(), base_fds);
}

static void
test_control_truncated(void **state)
{
	uint8_t buf[RN_IPC_HDR_LEN];
	struct ctx c;
	int base_fds, p[2];

	(void)state;
	base_fds = count_open_fds();
	ctx_init(&c, false);
	assert_int_equal(pipe(p), 0);
	put_frame(buf, RN_IPC_LISTENER, RN_IPC_F_FD, NULL, 0);
	raw_send_fds(c.sv[1], buf, sizeof(buf), p[0], RN_IPC_MAX_PENDING_FDS + 4);
	ctx_run(&c, 0);
	assert_int_equal(c.nmsg, 0);
	assert_int_equal(c.nclose, 1);
	assert_int_equal(c.why, RN_ERR_PROTO);
	close(p[0]);
	close(p[1]);
	ctx_fini(&c);
	assert_int_equal(count_open_fds(), base_fds);
}

static void
test_send_peer_gone(void **state)
{
	struct ctx c;

	(void)state;
	ctx_init(&c, true);
	rn_ipc_free(c.rd);
	c.rd = NULL;
	/* MSG_NOSIGNAL: an EPIPE, not a SIGPIPE that would kill this test. */
	assert_int_equal(rn_ipc_send(c.wr, RN_IPC_READY, NULL, 0, -1), RN_ERR_IO);
	ctx_fini(&c);
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void
test_send_timeout(void **state)
{
	uint8_t *big;
	struct ctx c;
	uint64_t t0, dt;

	(void)state;
	assert_non_null(big = calloc(1, RN_IPC_MAX_PAYLOAD));
	ctx_init(&c, true);
	/* Nobody reads sv[0]: the frame does not fit in the socket buffer. */
	t0 = now_ms();
	assert_int_equal(rn_ipc_send(c.wr, RN_IPC_CONF, big, RN_IPC_MAX_PAYLOAD, -1), RN_ERR_IO);
	dt = now_ms() - t0;
	assert_true(dt >= RN_IPC_SEND_TIMEOUT_MS - 100);
	assert_true(dt < RN_IPC_SEND_TIMEOUT_MS + 3000);
	/* Half a frame went out: the stream is unusable, later sends fail fast. */
	t0 = now_ms();
	assert_int_equal(rn_ipc_send(c.wr, RN_IPC_READY, NULL, 0, -1), RN_ERR_IO);
	assert_true(now_ms() - t0 < 1000);
	ctx_fini(&c);
	free(big);
}

static void
test_new_rejects(void **state)
{
	struct event_base *b;

	(void)state;
	assert_non_null(b = event_base_new());
	assert_null(rn_ipc_new(NULL, 0, on_msg, on_close, NULL));
	assert_null(rn_ipc_new(b, -1, on_msg, on_close, NULL));
	assert_null(rn_ipc_new(b, 0, NULL, on_close, NULL));
	rn_ipc_free(NULL);
	event_base_free(b);
}

/* ---- privileges ---- */

static void
test_user_ids(void **state)
{
	uid_t uid = 1;
	gid_t gid = 1;

	(void)state;
	assert_int_equal(rn_proc_user_ids("root", &uid, &gid), RN_OK);
	assert_int_equal(uid, 0);
	assert_int_equal(gid, 0);
	assert_int_equal(rn_proc_user_ids("no-such-user-roneo", &uid, &gid), RN_ERR_NOTFOUND);
	assert_int_equal(rn_proc_user_ids("", &uid, &gid), RN_ERR_INVAL);
	assert_int_equal(rn_proc_user_ids(NULL, &uid, &gid), RN_ERR_INVAL);
}

static void
test_drop_refuses(void **state)
{
	(void)state;
	assert_int_equal(rn_proc_drop_privileges("root"), RN_ERR_PERM);
	assert_int_equal(rn_proc_drop_privileges(""), RN_ERR_INVAL);
	assert_int_equal(rn_proc_drop_privileges(NULL), RN_ERR_INVAL);
	if (geteuid() == 0)
		assert_int_equal(rn_proc_drop_privileges("no-such-user-roneo"),
		    RN_ERR_NOTFOUND);
}

/* Not root: nothing changes.  As root, check it from a child with euid nobody. */
static int
check_noop_drop(void)
{
	uid_t r0, e0, s0, r1, e1, s1;
	int nnp, dump;

	nnp = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	dump = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	if (getresuid(&r0, &e0, &s0) == -1)
		return 10;
	if (rn_proc_drop_privileges("nobody") != RN_OK)
		return 11;
	if (getresuid(&r1, &e1, &s1) == -1)
		return 12;
	if (r0 != r1 || e0 != e1 || s0 != s1)
		return 13;
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != nnp ||
	    prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != dump)
		return 14;
	return 0;
}

static void
test_drop_not_root(void **state)
{
	uid_t uid;
	gid_t gid;
	pid_t pid;
	int st;

	(void)state;
	if (geteuid() != 0) {
		assert_int_equal(check_noop_drop(), 0);
		return;
	}
	assert_int_equal(rn_proc_user_ids("nobody", &uid, &gid), RN_OK);
	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		if (seteuid(uid) == -1)
			_exit(9);
		_exit(check_noop_drop());
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static int
check_real_drop(uid_t uid, gid_t gid)
{
	uid_t r, e, s;
	gid_t groups[8];
	int n;

	if (rn_proc_drop_privileges("nobody") != RN_OK)
		return 20;
	if (getuid() == 0 || geteuid() == 0)
		return 21;
	if (getresuid(&r, &e, &s) == -1 || r != uid || e != uid || s != uid)
		return 22;
	if (getgid() != gid || getegid() != gid)
		return 23;
	if (setuid(0) != -1 || seteuid(0) != -1)
		return 24;
	n = getgroups((int)RN_ARRAY_LEN(groups), groups);
	if (n != 1 || groups[0] != gid)
		return 25;
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return 26;
	if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
		return 27;
	return 0;
}

static void
test_drop_as_root(void **state)
{
	uid_t uid;
	gid_t gid;
	pid_t pid;
	int st;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(rn_proc_user_ids("nobody", &uid, &gid), RN_OK);
	assert_int_not_equal(uid, 0);
	assert_true((pid = fork()) != -1);
	if (pid == 0)
		_exit(check_real_drop(uid, gid));
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_layout),
		cmocka_unit_test(test_decode_roundtrip),
		cmocka_unit_test(test_decode_rejects),
		cmocka_unit_test(test_frames_in_one_write),
		cmocka_unit_test(test_one_byte_writes),
		cmocka_unit_test(test_large_payload),
		cmocka_unit_test(test_send_rejects),
		cmocka_unit_test(test_fd_passing),
		cmocka_unit_test(test_two_fds),
		cmocka_unit_test(test_fd_claimed_none_sent),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_peer_close),
		cmocka_unit_test(test_free_in_on_msg),
		cmocka_unit_test(test_too_many_fds),
		cmocka_unit_test(test_control_truncated),
		cmocka_unit_test(test_send_peer_gone),
		cmocka_unit_test(test_send_timeout),
		cmocka_unit_test(test_new_rejects),
		cmocka_unit_test(test_user_ids),
		cmocka_unit_test(test_drop_refuses),
		cmocka_unit_test(test_drop_not_root),
		cmocka_unit_test(test_drop_as_root),
	};

	rn_log_init("test_ipc", RN_LOG_ERR, false);
	return cmocka_run_group_tests_name("ipc", tests, NULL, NULL);
}
