/*
 * The editor's replica of the collection: an object store, the verifier's
 * saved state, and the statements it verified (for `roneo log`).  Nothing
 * enters it except through rn_coll_verifier_add_root/_add_commit, so the
 * replica holds only what verified.  One process at a time (flock on
 * DIR/lock).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cmd_coll.h"

#define STATE_FILE "state"

/* mkdir -p, 0700 for what it creates. */
static int
make_dirs(const char *dir)
{
	char   p[RN_CLI_PATH_MAX];
	size_t i;
	int    w = snprintf(p, sizeof(p), "%s", dir);

	if (w <= 0 || (size_t)w >= sizeof(p))
		return -1;
	for (i = 1; p[i] != '\0'; i++) {
		if (p[i] != '/')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0700) == -1 && errno != EEXIST)
			return -1;
		p[i] = '/';
	}
	return mkdir(p, 0700) == -1 && errno != EEXIST ? -1 : 0;
}

static int
lock_dir(struct coll_replica *r)
{
	char path[RN_CLI_PATH_MAX];
	int  fd;

	if (cli_path(path, sizeof(path), r->dir, "lock") != RN_OK)
		return cli_fail("replica path too long");
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1)
		return cli_fail("cannot open %s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		close(fd);
		return cli_fail("the replica %s is in use by another roneo", r->dir);
	}
	r->lock_fd = fd;
	return RN_CLI_EXIT_OK;
}

int
coll_replica_open(const char *dir, struct coll_replica *r)
{
	char	      path[RN_CLI_PATH_MAX];
	struct rn_buf b;
	enum rn_err   err;
	int	      rc = RN_CLI_EXIT_FAIL, w;

	memset(r, 0, sizeof(*r));
	r->lock_fd = -1;
	w = snprintf(r->dir, sizeof(r->dir), "%s", dir);
	if (w <= 0 || (size_t)w >= sizeof(r->dir) - 32)
		return cli_fail("replica path too long");
	if (make_dirs(dir) != 0)
		return cli_fail("cannot create %s: %s", dir, strerror(errno));
	if ((rc = lock_dir(r)) != 0)
		return rc;
	rc = RN_CLI_EXIT_FAIL;
	if (rn_coll_store_open(dir, &r->store) != RN_OK)
		return cli_fail("cannot open the object store in %s", dir);
	rn_buf_init(&b, RN_COLL_MAX_REPLICA_STATE);
	if (cli_path(path, sizeof(path), dir, STATE_FILE) != RN_OK)
		goto out;
	err = rn_file_read_all(path, RN_COLL_MAX_REPLICA_STATE, &b);
	if (err != RN_OK && errno == ENOENT && access(path, F_OK) != 0)
		err = rn_coll_verifier_new(r->store, &r->v);
	else if (err == RN_OK)
		err = rn_coll_verifier_resume(r->store, (uint8_t *)b.data, b.len, &r->v);
	if (err != RN_OK) {
		cli_fail("%s: the replica's state does not verify (%s); move the directory "
			 "away and pull again",
		    path, rn_err_str(err));
		goto out;
	}
	rc = RN_CLI_EXIT_OK;
out:
	rn_buf_free(&b);
	if (rc != 0)
		coll_replica_close(r);
	return rc;
}

void
coll_replica_close(struct coll_replica *r)
{
	rn_coll_verifier_free(r->v);
	rn_coll_store_free(r->store);
	r->v = NULL;
	r->store = NULL;
	if (r->lock_fd != -1)
		close(r->lock_fd);
	r->lock_fd = -1;
}

bool
coll_replica_has_root(const struct coll_replica *r)
{
	return rn_coll_verifier_root(r->v) != NULL;
}

int
coll_replica_save(struct coll_replica *r)
{
	char	      path[RN_CLI_PATH_MAX];
	struct rn_buf b;
	int	      rc = RN_CLI_EXIT_OK;

	rn_buf_init(&b, RN_COLL_MAX_REPLICA_STATE);
	if (cli_path(path, sizeof(path), r->dir, STATE_FILE) != RN_OK ||
	    rn_coll_verifier_save(r->v, &b) != RN_OK ||
	    rn_file_write_atomic(path, b.data, b.len, 0600) != RN_OK)
		rc = cli_fail("cannot save the replica's state in %s", path);
	rn_buf_free(&b);
	return rc;
}

static int
stmt_path(const struct coll_replica *r, bool root, uint64_t n, char *out, size_t outsz)
{
	int w = snprintf(
	    out, outsz, "%s/%s/%llu", r->dir, root ? "roots" : "commits", (unsigned long long)n);

	return w > 0 && (size_t)w < outsz ? 0 : -1;
}

int
coll_replica_keep(struct coll_replica *r, bool root, uint64_t n, const void *p, size_t len)
{
	char path[RN_CLI_PATH_MAX];

	if (cli_path(path, sizeof(path), r->dir, root ? "roots" : "commits") != RN_OK)
		return cli_fail("replica path too long");
	if (mkdir(path, 0700) == -1 && errno != EEXIST)
		return cli_fail("cannot create %s: %s", path, strerror(errno));
	if (stmt_path(r, root, n, path, sizeof(path)) != 0 ||
	    rn_file_write_atomic(path, p, len, 0600) != RN_OK)
		return cli_fail("cannot write %s", path);
	return RN_CLI_EXIT_OK;
}

enum rn_err
coll_replica_stmt(const struct coll_replica *r, bool root, uint64_t n, struct rn_buf *b)
{
	char path[RN_CLI_PATH_MAX];

	if (stmt_path(r, root, n, path, sizeof(path)) != 0)
		return RN_ERR_TOOBIG;
	if (access(path, F_OK) != 0)
		return RN_ERR_NOTFOUND;
	rn_buf_free(b); /* rn_file_read_all() re-inits it */
	return rn_file_read_all(path, RN_COLL_MAX_STATEMENT, b);
}

int
coll_replica_add_root(struct coll_replica *r, const uint8_t *p, size_t n)
{
	const struct rn_coll_state *st;

	if (rn_coll_verifier_add_root(r->v, p, n) != RN_OK)
		return cli_fail(
		    "the ROOT statement does not verify: %s", rn_coll_verifier_error(r->v));
	st = rn_coll_verifier_state(r->v);
	if (coll_replica_keep(r, true, st->root_version, p, n) != 0)
		return RN_CLI_EXIT_FAIL;
	return coll_replica_save(r);
}

int
coll_replica_add_commit(struct coll_replica *r, const uint8_t *p, size_t n, const uint8_t *rec,
    size_t rlen, const struct rn_coll_store *incoming)
{
	const struct rn_coll_state *st;

	if (rn_coll_verifier_add_commit(r->v, p, n, rec, rlen, incoming) != RN_OK)
		return cli_fail("commit %llu does not verify: %s",
		    (unsigned long long)rn_coll_verifier_state(r->v)->seq + 1,
		    rn_coll_verifier_error(r->v));
	st = rn_coll_verifier_state(r->v);
	if (coll_replica_keep(r, false, st->seq, p, n) != 0)
		return RN_CLI_EXIT_FAIL;
	return coll_replica_save(r);
}
