/*
 * Launch mode: write the torrc, start tor, wait (bounded) for its control
 * socket, and on the way out make sure the tor we started is gone.  When
 * roneod runs as root, tor gets "User" and its directories are chowned to
 * that user, as tor insists on owning its DataDirectory and HiddenServiceDir.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "roneo/rn_conf.h"
#include "roneo/rn_limits.h"
#include "roneo/rn_log.h"
#include "roneo/rn_proc.h"
#include "roneo/rn_tor.h"
#include "tor/service_int.h"
#include "tor/tor_int.h"

#define TICK_MS 100u

/* chown dir and the entries directly in it (tor's directories are flat). */
static enum rn_err
chown_dir(const char *dir, uid_t uid, gid_t gid)
{
	char	       path[PATH_MAX];
	DIR	      *d;
	struct dirent *de;
	enum rn_err    r = RN_OK;

	if (lchown(dir, uid, gid) == -1 || (d = opendir(dir)) == NULL) {
		rn_log_errno(RN_LOG_ERR, "chown %s", dir);
		return RN_ERR_PERM;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lchown(path, uid, gid) == -1) {
			rn_log_errno(RN_LOG_ERR, "chown %s", path);
			r = RN_ERR_PERM;
		}
	}
	closedir(d);
	return r;
}

static enum rn_err
prepare_dirs(struct rn_tor *t)
{
	const char *dd = t->conf->data_directory;
	char	    path[PATH_MAX];
	uid_t	    uid;
	gid_t	    gid;
	enum rn_err r;

	snprintf(path, sizeof(path), "%s/" RN_TOR_DIR, dd);
	if (mkdir(path, 0700) == -1 && errno != EEXIST) {
		rn_log_errno(RN_LOG_ERR, "mkdir %s", path);
		return RN_ERR_IO;
	}
	if (chmod(path, 0700) == -1)
		return RN_ERR_PERM;
	if (geteuid() != 0)
		return RN_OK;
	if ((r = rn_proc_user_ids(t->conf->user, &uid, &gid)) != RN_OK)
		return r;
	if ((r = chown_dir(path, uid, gid)) != RN_OK)
		return r;
	snprintf(path, sizeof(path), "%s/" RN_ONION_DIR, dd);
	if (lchown(path, uid, gid) == -1)
		return RN_ERR_PERM;
	snprintf(path, sizeof(path), "%s/" RN_ONION_PUBLIC_DIR, dd);
	return chown_dir(path, uid, gid);
}

static enum rn_err
write_torrc(struct rn_tor *t)
{
	const char   *dd = t->conf->data_directory;
	char	      path[PATH_MAX];
	struct rn_buf b;
	enum rn_err   r;

	rn_buf_init(&b, 64u * 1024u);
	if ((r = rn_tor_torrc(t->conf, getpid(), &b)) == RN_OK) {
		snprintf(path, sizeof(path), "%s/" RN_TOR_TORRC, dd);
		r = rn_file_write_atomic(path, b.data, b.len, 0600);
	}
	if (r == RN_OK) {
		snprintf(path, sizeof(path), "%s/" RN_TOR_DEFAULTS, dd);
		r = rn_file_write_atomic(path, "", 0, 0600);
	}
	rn_buf_free(&b);
	if (r != RN_OK)
		rn_log_err(
		    "tor: cannot write the torrc in %s/" RN_TOR_DIR ": %s", dd, rn_err_str(r));
	return r;
}

static void
exec_tor(const struct rn_tor *t)
{
	char  torrc[PATH_MAX], defaults[PATH_MAX];
	char *argv[] = { t->conf->tor_binary, "--defaults-torrc", defaults, "-f", torrc, "--quiet",
		NULL };
	int   fd;

	snprintf(torrc, sizeof(torrc), "%s/" RN_TOR_TORRC, t->conf->data_directory);
	snprintf(defaults, sizeof(defaults), "%s/" RN_TOR_DEFAULTS, t->conf->data_directory);
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		(void)dup2(fd, STDIN_FILENO);
		(void)dup2(fd, STDOUT_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	/* The parent ignores SIGPIPE; tor sets up its own signals from defaults. */
	signal(SIGPIPE, SIG_DFL);
	/* Out of the terminal's process group: Ctrl-C stops roneod, which stops tor.
	 */
	(void)setsid();
	execvp(argv[0], argv);
	_exit(127);
}

enum rn_err
rn_tor_launch(struct rn_tor *t)
{
	char	    sock[PATH_MAX];
	enum rn_err r;
	pid_t	    pid;

	if ((r = prepare_dirs(t)) != RN_OK || (r = write_torrc(t)) != RN_OK) {
		rn_tor_retry(t);
		return r;
	}
	snprintf(sock, sizeof(sock), "%s/" RN_TOR_CONTROL_SOCK, t->conf->data_directory);
	(void)unlink(sock);
	if ((pid = fork()) == -1) {
		rn_log_errno(RN_LOG_ERR, "tor: fork");
		rn_tor_retry(t);
		return RN_ERR_IO;
	}
	if (pid == 0)
		exec_tor(t);
	t->pid = pid;
	t->launch_deadline = rn_time_mono_ms() + RN_TOR_START_TIMEOUT_MS;
	rn_log_info("tor: started %s (pid %ld)", t->conf->tor_binary, (long)pid);
	snprintf(t->state, sizeof(t->state), "starting");
	rn_tor_schedule(t, TICK_MS);
	return RN_OK;
}

void
rn_tor_launch_tick(struct rn_tor *t)
{
	char	    sock[PATH_MAX];
	struct stat st;

	if (t->pid == -1) {
		(void)rn_tor_launch(t);
		return;
	}
	if (t->ctl != NULL)
		return; /* connected, or connecting */
	snprintf(sock, sizeof(sock), "%s/" RN_TOR_CONTROL_SOCK, t->conf->data_directory);
	if (stat(sock, &st) == 0 && S_ISSOCK(st.st_mode)) {
		rn_tor_connect(t);
		return;
	}
	if (rn_time_mono_ms() > t->launch_deadline) {
		rn_log_err("tor: no control socket after %u s; see %s/" RN_TOR_LOG,
		    RN_TOR_START_TIMEOUT_MS / 1000u, t->conf->data_directory);
		(void)kill(t->pid, SIGKILL); /* reaped through SIGCHLD, then relaunched */
		return;
	}
	rn_tor_schedule(t, TICK_MS);
}

void
rn_tor_reap_launched(struct rn_tor *t)
{
	uint64_t deadline = rn_time_mono_ms() + RN_TOR_EXIT_WAIT_MS;
	int	 status;

	if (t->pid <= 0)
		return;
	(void)kill(t->pid, SIGTERM);
	while (waitpid(t->pid, &status, WNOHANG) == 0) {
		if (rn_time_mono_ms() > deadline) {
			rn_log_warn("tor: did not exit in time; killing it");
			(void)kill(t->pid, SIGKILL);
			(void)waitpid(t->pid, &status, 0);
			break;
		}
		(void)nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
	}
	t->pid = -1;
}
