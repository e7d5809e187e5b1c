/*
 * Fuzz target for IPC framing: the input is a byte stream from a hostile
 * peer.  It goes (1) through rn_ipc_decode frame after frame, and (2) through
 * a live rn_ipc reader over a socketpair, written in chunks so frames arrive
 * split, then the writer closes; the reader must end with on_close.  A
 * SHUTDOWN frame frees the channel from inside on_msg, as a child does.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <event2/event.h>

#include "roneo/rn_log.h"
#include "roneo/rn_proc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	struct event_base	*base;
	struct rn_ipc		*ipc;
	bool			 done;
	unsigned		 sum;
};

static struct event_base *fz_base;

static void
fz_msg(struct rn_ipc *ipc, struct rn_ipc_msg *msg, void *arg)
{
	struct fz *f = arg;
	uint32_t i;

	/* Touch every payload byte so the sanitizers see any overread. */
	for (i = 0; i < msg->len; i++)
		f->sum += msg->payload[i];
	if (msg->fd != -1)
		close(msg->fd);
	if (msg->type == RN_IPC_SHUTDOWN) {
		rn_ipc_free(ipc);
		f->ipc = NULL;
		f->done = true;
	}
}

static void
fz_close(struct rn_ipc *ipc, enum rn_err why, void *arg)
{
	struct fz *f = arg;

	if (why != RN_ERR_PROTO && why != RN_ERR_IO)
		abort();
	if (f->done)	/* on_close must come at most once */
		abort();
	rn_ipc_free(ipc);
	f->ipc = NULL;
	f->done = true;
}

static void
decode_all(const uint8_t *data, size_t size)
{
	struct rn_ipc_msg msg;
	size_t off = 0, used;

	while (rn_ipc_decode(data + off, size - off, &msg, &used) == RN_OK) {
		if (used < RN_IPC_HDR_LEN || used > size - off || msg.len != used - RN_IPC_HDR_LEN)
			abort();
		off += used;
	}
}

static void
through_channel(const uint8_t *data, size_t size)
{
	struct fz f = {0};
	size_t off = 0, chunk;
	ssize_t w;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		return;
	f.base = fz_base;
	if ((f.ipc = rn_ipc_new(fz_base, sv[0], fz_msg, fz_close, &f)) == NULL) {
		close(sv[0]);
		close(sv[1]);
		return;
	}
	(void)fcntl(sv[1], F_SETFL, O_NONBLOCK);
	/* Chunk sizes vary with the input so frames are cut in many places. */
	chunk = 1 + size % 97;
	while (off < size && !f.done) {
		w = send(sv[1], data + off, size - off < chunk ? size - off : chunk,
		    MSG_NOSIGNAL);
		if (w > 0)
			off += (size_t)w;
		else if (w == -1 && errno != EAGAIN && errno != EINTR)
			break;
		event_base_loop(fz_base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	}
	close(sv[1]);
	while (!f.done)
		event_base_loop(fz_base, EVLOOP_ONCE);
	rn_ipc_free(f.ipc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fz_base == NULL) {
		rn_log_init("fuzz_ipc", RN_LOG_ERR, false);
		if ((fz_base = event_base_new()) == NULL)
			abort();
	}
	if (size == 0)
		return 0;
	decode_all(data, size);
	through_channel(data, size);
	return 0;
}
