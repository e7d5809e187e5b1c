/*
 * The keeper's files under DataDirectory/collection/ (all 0700/0600):
 *
 *   objects/XX/...   the object store (daemon/coll)
 *   state            the verifier's saved state, written last (atomic)
 *   commits/SEQ      each applied commit statement as received, signatures included
 *   roots/VERSION    each accepted ROOT statement
 *   pending/HEX      commits waiting for signatures, each as a bundle
 *   tmp/             anonymous files for answers (emptied at start)
 *
 * A commit is applied in this order: objects into the store, its statement
 * into commits/, then the state.  After a crash the state says what holds;
 * a commit file past it is overwritten by the next commit of that seq.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keeper/keeper_int.h"
#include "roneo/rn_crypto.h"
#include "roneo/rn_log.h"

#define STATE_MAX ((size_t)1 << 30) /* bytes of the saved state */

enum rn_err
keeper_path(const struct rn_keeper *k, char *out, const char *fmt, ...)
{
	va_list ap;
	int	n, m;

	m = snprintf(out, KEEPER_PATH_MAX, "%s/", k->coll_dir);
	if (m < 0 || (size_t)m >= KEEPER_PATH_MAX)
		return RN_ERR_TOOBIG;
	va_start(ap, fmt);
	n = vsnprintf(out + m, KEEPER_PATH_MAX - (size_t)m, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= KEEPER_PATH_MAX - (size_t)m ? RN_ERR_TOOBIG : RN_OK;
}

enum rn_err
keeper_read_fd(int fd, size_t max, struct rn_buf *b)
{
	struct stat st;
	ssize_t	    r;
	size_t	    off = 0;

	b->max = max;
	rn_buf_reset(b);
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode))
		return RN_ERR_IO;
	if ((uint64_t)st.st_size > max)
		return RN_ERR_TOOBIG;
	if (rn_buf_reserve(b, (size_t)st.st_size) != RN_OK)
		return RN_ERR_NOMEM;
	while (off < (size_t)st.st_size) {
		r = pread(fd, b->data + off, (size_t)st.st_size - off, (off_t)off);
		if (r <= 0)
			return RN_ERR_IO;
		off += (size_t)r;
	}
	b->len = off;
	b->data[off] = '\0';
	return RN_OK;
}

enum rn_err
keeper_read_file(const char *path, size_t max, struct rn_buf *b)
{
	enum rn_err err;
	int	    fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return errno == ENOENT ? RN_ERR_NOTFOUND : RN_ERR_IO;
	err = keeper_read_fd(fd, max, b);
	close(fd);
	return err;
}

int
keeper_tmpfile(const struct rn_keeper *k)
{
	char	path[KEEPER_PATH_MAX];
	uint8_t rnd[16];
	char	hex[33];
	int	fd;

	if (rn_crypto_random(rnd, sizeof(rnd)) != RN_OK)
		return -1;
	rn_hex_encode(rnd, sizeof(rnd), hex);
	if (keeper_path(k, path, "tmp/%s", hex) != RN_OK)
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd != -1)
		(void)unlink(path);
	return fd;
}

enum rn_err
keeper_save(struct rn_keeper *k)
{
	char	    path[KEEPER_PATH_MAX];
	enum rn_err err;

	rn_buf_reset(&k->saved);
	if ((err = rn_coll_verifier_save(k->v, &k->saved)) != RN_OK ||
	    (err = keeper_path(k, path, "state")) != RN_OK)
		return err;
	return rn_file_write_atomic(path, k->saved.data, k->saved.len, 0600);
}

enum rn_err
keeper_restore(struct rn_keeper *k)
{
	struct rn_coll_verifier *v = NULL;
	enum rn_err		 err;

	if (k->saved.len == 0)
		err = rn_coll_verifier_new(k->store, &v);
	else
		err = rn_coll_verifier_resume(
		    k->store, (const uint8_t *)k->saved.data, k->saved.len, &v);
	if (err != RN_OK) {
		rn_log_err("keeper: cannot return to the saved state: %s", rn_err_str(err));
		return err;
	}
	rn_coll_verifier_free(k->v);
	k->v = v;
	return RN_OK;
}

static enum rn_err
put_numbered(struct rn_keeper *k, const char *dir, uint64_t n, const void *p, size_t len)
{
	char	    path[KEEPER_PATH_MAX];
	enum rn_err err;

	if ((err = keeper_path(k, path, "%s/%020llu", dir, (unsigned long long)n)) != RN_OK)
		return err;
	return rn_file_write_atomic(path, p, len, 0600);
}

static enum rn_err
get_numbered(const struct rn_keeper *k, const char *dir, uint64_t n, struct rn_buf *out)
{
	char	    path[KEEPER_PATH_MAX];
	enum rn_err err;

	if ((err = keeper_path(k, path, "%s/%020llu", dir, (unsigned long long)n)) != RN_OK)
		return err;
	return keeper_read_file(path, RN_COLL_MAX_STATEMENT, out);
}

enum rn_err
keeper_put_commit(struct rn_keeper *k, uint64_t seq, const void *p, size_t n)
{
	return put_numbered(k, "commits", seq, p, n);
}

enum rn_err
keeper_get_commit(const struct rn_keeper *k, uint64_t seq, struct rn_buf *out)
{
	return get_numbered(k, "commits", seq, out);
}

enum rn_err
keeper_put_root(struct rn_keeper *k, uint64_t version, const void *p, size_t n)
{
	return put_numbered(k, "roots", version, p, n);
}

enum rn_err
keeper_get_root(const struct rn_keeper *k, uint64_t version, struct rn_buf *out)
{
	return get_numbered(k, "roots", version, out);
}

enum rn_err
keeper_note_commit(struct rn_keeper *k, uint64_t seq, uint64_t size)
{
	if (seq != k->nlogsz + 1)
		return RN_ERR_INVAL;
	if (k->nlogsz == k->caplogsz) {
		size_t cap = k->caplogsz ? k->caplogsz * 2 : 64;
		void  *p;

		if ((p = realloc(k->logsz, cap * sizeof(*k->logsz))) == NULL)
			return RN_ERR_NOMEM;
		k->logsz = p;
		k->caplogsz = cap;
	}
	k->logsz[k->nlogsz++] = size;
	return RN_OK;
}

uint64_t
keeper_seq_of_record(const struct rn_keeper *k, uint64_t i)
{
	size_t lo = 0, hi = k->nlogsz;

	/* The first commit whose log size exceeds i. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->logsz[mid] > i)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo < k->nlogsz ? (uint64_t)lo + 1 : 0;
}

/* The log sizes of commits 1..seq, from their files. */
static enum rn_err
load_commits(struct rn_keeper *k)
{
	const struct rn_coll_state *st = rn_coll_verifier_state(k->v);
	struct rn_coll_commit	    c;
	struct rn_coll_sigs	   *sigs;
	struct rn_buf		    b;
	enum rn_err		    err = RN_OK;
	uint64_t		    s;

	if ((sigs = malloc(sizeof(*sigs))) == NULL)
		return RN_ERR_NOMEM;
	rn_buf_init(&b, RN_COLL_MAX_STATEMENT);
	for (s = 1; s <= st->seq && err == RN_OK; s++) {
		if ((err = keeper_get_commit(k, s, &b)) == RN_OK &&
		    (err = rn_coll_commit_parse((const uint8_t *)b.data, b.len, &c, sigs)) ==
			RN_OK &&
		    c.seq != s)
			err = RN_ERR_INVAL;
		if (err == RN_OK)
			err = keeper_note_commit(k, s, c.log_size);
		else
			rn_log_err(
			    "keeper: commit %llu: %s", (unsigned long long)s, rn_err_str(err));
	}
	rn_buf_free(&b);
	free(sigs);
	return err;
}

/* Directories, and tmp/ emptied (its files are anonymous answers of a past run). */
static enum rn_err
make_dirs(struct rn_keeper *k)
{
	static const char *const dirs[] = { "commits", "roots", "pending", "tmp" };
	char			 path[KEEPER_PATH_MAX];
	DIR			*d;
	struct dirent		*e;
	size_t			 i;

	if (mkdir(k->coll_dir, 0700) == -1 && errno != EEXIST)
		return RN_ERR_IO;
	if (mkdir(k->site_dir, 0700) == -1 && errno != EEXIST)
		return RN_ERR_IO;
	for (i = 0; i < RN_ARRAY_LEN(dirs); i++)
		if (keeper_path(k, path, "%s", dirs[i]) != RN_OK ||
		    (mkdir(path, 0700) == -1 && errno != EEXIST))
			return RN_ERR_IO;
	if (keeper_path(k, path, "tmp") != RN_OK || (d = opendir(path)) == NULL)
		return RN_ERR_IO;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			(void)unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	return RN_OK;
}

static enum rn_err
load_state(struct rn_keeper *k)
{
	char	    path[KEEPER_PATH_MAX];
	enum rn_err err;

	if ((err = keeper_path(k, path, "state")) != RN_OK)
		return err;
	err = keeper_read_file(path, STATE_MAX, &k->saved);
	if (err == RN_ERR_NOTFOUND) {
		rn_buf_reset(&k->saved);
		return rn_coll_verifier_new(k->store, &k->v);
	}
	if (err != RN_OK)
		return err;
	if ((err = rn_coll_verifier_resume(
		 k->store, (const uint8_t *)k->saved.data, k->saved.len, &k->v)) != RN_OK)
		rn_log_err("keeper: the saved collection state does not verify (%s): %s",
		    rn_err_str(err), path);
	return err;
}

enum rn_err
rn_keeper_open(const char *data_dir, const char *public_dir, struct rn_keeper **out)
{
	struct rn_keeper *k;
	char		  path[KEEPER_PATH_MAX];
	enum rn_err	  err;

	*out = NULL;
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return RN_ERR_NOMEM;
	rn_buf_init(&k->saved, STATE_MAX);
	k->rendered = UINT64_MAX;
	if (asprintf(&k->coll_dir, "%s/collection", data_dir) == -1 ||
	    asprintf(&k->site_dir, "%s/site", data_dir) == -1 ||
	    (k->public_dir = strdup(public_dir)) == NULL) {
		err = RN_ERR_NOMEM;
		goto fail;
	}
	if ((err = make_dirs(k)) != RN_OK) {
		rn_log_errno(RN_LOG_ERR, "keeper: %s", k->coll_dir);
		goto fail;
	}
	if ((err = keeper_path(k, path, ".")) != RN_OK ||
	    (err = rn_coll_store_open(path, &k->store)) != RN_OK ||
	    (err = load_state(k)) != RN_OK || (err = load_commits(k)) != RN_OK)
		goto fail;
	*out = k;
	return RN_OK;
fail:
	rn_keeper_free(k);
	return err;
}

void
rn_keeper_free(struct rn_keeper *k)
{
	if (k == NULL)
		return;
	rn_coll_verifier_free(k->v);
	rn_coll_store_free(k->store);
	rn_buf_free(&k->saved);
	free(k->logsz);
	free(k->coll_dir);
	free(k->site_dir);
	free(k->public_dir);
	free(k);
}

void
rn_keeper_answer_init(struct rn_keeper_answer *a)
{
	a->status = 500;
	rn_buf_init(&a->json, RN_IPC_MAX_PAYLOAD - 64u);
	a->fd = -1;
	a->fd_len = 0;
}

void
rn_keeper_answer_clear(struct rn_keeper_answer *a)
{
	if (a == NULL)
		return;
	rn_buf_free(&a->json);
	if (a->fd != -1)
		close(a->fd);
	a->fd = -1;
}
