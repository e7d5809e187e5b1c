/*
 * Privilege dropping: a process that starts as root becomes the configured
 * unprivileged user for good (supplementary groups, real/effective/saved ids),
 * proves it cannot become root again, and forbids gaining privileges through
 * exec (no_new_privs) or being ptraced/dumped by its new user.
 */
#include <sys/types.h>
#include <sys/prctl.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "roneo/rn_log.h"
#include "roneo/rn_proc.h"

enum rn_err
rn_proc_user_ids(const char *user, uid_t *uid, gid_t *gid)
{
	char	      buf[RN_PROC_PW_BUF];
	struct passwd pw, *res = NULL;
	int	      rc;

	if (user == NULL || *user == '\0' || uid == NULL || gid == NULL)
		return RN_ERR_INVAL;
	do {
		rc = getpwnam_r(user, &pw, buf, sizeof(buf), &res);
	} while (rc == EINTR);
	if (rc == 0 && res == NULL)
		return RN_ERR_NOTFOUND;
	/* Some libcs report "no such user" as an error instead. */
	if (rc == ENOENT || rc == ESRCH)
		return RN_ERR_NOTFOUND;
	if (rc != 0) {
		errno = rc;
		rn_log_errno(RN_LOG_ERR, "getpwnam_r(%s)", user);
		return rc == ERANGE ? RN_ERR_TOOBIG : RN_ERR_IO;
	}
	*uid = res->pw_uid;
	*gid = res->pw_gid;
	return RN_OK;
}

/* After the switch: every id is the target and none can go back to root. */
static enum rn_err
verify_dropped(uid_t uid, gid_t gid)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (getresuid(&ru, &eu, &su) == -1 || getresgid(&rg, &eg, &sg) == -1) {
		rn_log_errno(RN_LOG_ERR, "getresuid/getresgid");
		return RN_ERR_PERM;
	}
	if (ru != uid || eu != uid || su != uid || rg != gid || eg != gid || sg != gid) {
		rn_log_err("privilege drop left ids other than the target");
		return RN_ERR_PERM;
	}
	/* setuid(0) must fail now; if it succeeded, the process is root again. */
	if (setuid(0) != -1) {
		rn_log_err("privilege drop failed: setuid(0) still succeeds");
		return RN_ERR_PERM;
	}
	if (gid != 0 && setgid(0) != -1) {
		rn_log_err("privilege drop failed: setgid(0) still succeeds");
		return RN_ERR_PERM;
	}
	return RN_OK;
}

enum rn_err
rn_proc_drop_privileges(const char *user)
{
	enum rn_err err;
	uid_t	    uid;
	gid_t	    gid;

	if (user == NULL || *user == '\0')
		return RN_ERR_INVAL;
	if (strcmp(user, "root") == 0) {
		rn_log_err("refusing to run as root: set an unprivileged user");
		return RN_ERR_PERM;
	}
	/* Started unprivileged (development, tests): there is nothing to drop. */
	if (geteuid() != 0)
		return RN_OK;
	if ((err = rn_proc_user_ids(user, &uid, &gid)) != RN_OK) {
		if (err == RN_ERR_NOTFOUND)
			rn_log_err("user %s does not exist", user);
		return err;
	}
	if (uid == 0) {
		rn_log_err("refusing to run as user %s: it has uid 0", user);
		return RN_ERR_PERM;
	}
	if (setgroups(1, &gid) == -1) {
		rn_log_errno(RN_LOG_ERR, "setgroups");
		return RN_ERR_PERM;
	}
	if (setresgid(gid, gid, gid) == -1) {
		rn_log_errno(RN_LOG_ERR, "setresgid");
		return RN_ERR_PERM;
	}
	if (setresuid(uid, uid, uid) == -1) {
		rn_log_errno(RN_LOG_ERR, "setresuid");
		return RN_ERR_PERM;
	}
	if ((err = verify_dropped(uid, gid)) != RN_OK)
		return err;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		rn_log_errno(RN_LOG_ERR, "prctl(PR_SET_NO_NEW_PRIVS)");
		return RN_ERR_PERM;
	}
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1) {
		rn_log_errno(RN_LOG_ERR, "prctl(PR_SET_DUMPABLE)");
		return RN_ERR_PERM;
	}
	return RN_OK;
}
