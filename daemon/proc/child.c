/*
 * The parent's view of one child: fork, re-exec of roneod as
 * `roneod --child ROLE`, the IPC channel, and restart with exponential
 * backoff when the child dies unexpectedly.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "roneo/rn_log.h"
#include "roneo/rn_proc.h"
#include "roneo/rn_util.h"

struct rn_proc_child {
	struct event_base	*base;
	char			 role[16];
	struct rn_proc_child_ops ops;
	void			*arg;
	struct rn_ipc		*ipc;
	struct event		*restart;
	pid_t			 pid;
	bool			 stopping;
	uint64_t		 started_ms;
	unsigned		 backoff_ms;
};

static void
on_ipc_msg(struct rn_ipc *ipc, struct rn_ipc_msg *msg, void *arg)
{
	struct rn_proc_child *ch = arg;

	(void)ipc;
	ch->ops.on_msg(ch, msg, ch->arg);
}

static void
on_ipc_close(struct rn_ipc *ipc, enum rn_err why, void *arg)
{
	struct rn_proc_child *ch = arg;

	(void)ipc;
	/* A child that breaks the protocol is killed; SIGCHLD then restarts it. */
	if (why == RN_ERR_PROTO)
		rn_log_err("%s child broke the IPC protocol; killing it", ch->role);
	rn_ipc_free(ch->ipc);
	ch->ipc = NULL;
	if (ch->pid > 0 && why == RN_ERR_PROTO)
		kill(ch->pid, SIGKILL);
}

static void
on_restart(evutil_socket_t fd, short what, void *arg)
{
	struct rn_proc_child *ch = arg;

	(void)fd;
	(void)what;
	if (!ch->stopping && ch->pid <= 0 && rn_proc_child_start(ch) != RN_OK) {
		struct timeval tv = { (time_t)(ch->backoff_ms / 1000),
			(suseconds_t)(ch->backoff_ms % 1000) * 1000 };

		evtimer_add(ch->restart, &tv);
	}
}

struct rn_proc_child *
rn_proc_child_new(
    struct event_base *base, const char *role, const struct rn_proc_child_ops *ops, void *arg)
{
	struct rn_proc_child *ch;

	if ((ch = calloc(1, sizeof(*ch))) == NULL)
		return NULL;
	ch->base = base;
	memcpy(ch->role, role, strnlen(role, sizeof(ch->role) - 1));
	ch->ops = *ops;
	ch->arg = arg;
	ch->backoff_ms = RN_PROC_BACKOFF_MIN_MS;
	if ((ch->restart = evtimer_new(base, on_restart, ch)) == NULL) {
		free(ch);
		return NULL;
	}
	return ch;
}

void
rn_proc_child_free(struct rn_proc_child *ch)
{
	if (ch == NULL)
		return;
	rn_ipc_free(ch->ipc);
	event_free(ch->restart);
	free(ch);
}

static void
exec_child(const char *role, int fd)
{
	char	*argv[] = { "roneod", "--child", (char *)(uintptr_t)role, NULL };
	sigset_t none;

	/* Undo what the parent's libevent set up for itself. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (fd != RN_PROC_CHILD_FD) {
		if (dup2(fd, RN_PROC_CHILD_FD) == -1)
			_exit(127);
		close(fd);
	} else if (fcntl(fd, F_SETFD, 0) == -1) {
		_exit(127);
	}
	execv("/proc/self/exe", argv);
	_exit(127);
}

enum rn_err
rn_proc_child_start(struct rn_proc_child *ch)
{
	int   sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		rn_log_errno(RN_LOG_ERR, "socketpair");
		return RN_ERR_IO;
	}
	if ((pid = fork()) == -1) {
		rn_log_errno(RN_LOG_ERR, "fork");
		close(sv[0]);
		close(sv[1]);
		return RN_ERR_IO;
	}
	if (pid == 0) {
		close(sv[0]);
		exec_child(ch->role, sv[1]);
	}
	close(sv[1]);
	ch->pid = pid;
	ch->started_ms = rn_time_mono_ms();
	rn_ipc_free(ch->ipc);
	if ((ch->ipc = rn_ipc_new(ch->base, sv[0], on_ipc_msg, on_ipc_close, ch)) == NULL) {
		close(sv[0]);
		kill(pid, SIGKILL);
		return RN_ERR_NOMEM;
	}
	rn_log_info("%s child started (pid %ld)", ch->role, (long)pid);
	ch->ops.on_start(ch, ch->arg);
	return RN_OK;
}

enum rn_err
rn_proc_child_send(struct rn_proc_child *ch, uint16_t type, const void *p, size_t n, int fd)
{
	enum rn_err err;

	if (ch->ipc == NULL)
		return RN_ERR_IO;
	if ((err = rn_ipc_send(ch->ipc, type, p, n, fd)) != RN_OK && ch->pid > 0) {
		rn_log_err("%s child does not take IPC: %s; killing it", ch->role, rn_err_str(err));
		kill(ch->pid, SIGKILL);
	}
	return err;
}

bool
rn_proc_child_reaped(struct rn_proc_child *ch, pid_t pid, int status)
{
	struct timeval tv;

	if (pid != ch->pid)
		return false;
	ch->pid = 0;
	rn_ipc_free(ch->ipc);
	ch->ipc = NULL;
	if (ch->stopping)
		return true;
	if (WIFSIGNALED(status))
		rn_log_err("%s child killed by signal %d", ch->role, WTERMSIG(status));
	else
		rn_log_err("%s child exited with status %d", ch->role, WEXITSTATUS(status));
	/* A child that ran a while starts again at once; a crashing one backs off. */
	if (rn_time_mono_ms() - ch->started_ms > RN_PROC_STABLE_SECS * 1000u)
		ch->backoff_ms = RN_PROC_BACKOFF_MIN_MS;
	tv.tv_sec = (time_t)(ch->backoff_ms / 1000);
	tv.tv_usec = (suseconds_t)(ch->backoff_ms % 1000) * 1000;
	rn_log_notice("restarting the %s child in %u ms", ch->role, ch->backoff_ms);
	ch->backoff_ms = ch->backoff_ms * 2 > RN_PROC_BACKOFF_MAX_MS ? RN_PROC_BACKOFF_MAX_MS :
								       ch->backoff_ms * 2;
	evtimer_add(ch->restart, &tv);
	return true;
}

void
rn_proc_child_stop(struct rn_proc_child *ch)
{
	ch->stopping = true;
	evtimer_del(ch->restart);
	if (ch->pid > 0 &&
	    (ch->ipc == NULL || rn_ipc_send(ch->ipc, RN_IPC_SHUTDOWN, NULL, 0, -1) != RN_OK))
		kill(ch->pid, SIGTERM);
}

void
rn_proc_child_kill(struct rn_proc_child *ch)
{
	if (ch->pid > 0)
		kill(ch->pid, SIGKILL);
}

bool
rn_proc_child_is_running(const struct rn_proc_child *ch)
{
	return ch->pid > 0;
}

const char *
rn_proc_child_role(const struct rn_proc_child *ch)
{
	return ch->role;
}
