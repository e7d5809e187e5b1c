/*
 * Rendering the site from the verified collection, off the request path:
 * every document of the manifest (live or retracted; purged ones are gone
 * from it) is read from the store, its body parsed and rendered by
 * daemon/site, and the pages, feeds and attachments written under
 * PublicDirectory, each atomically (temporary file, rename) and only when
 * its bytes changed, with a .gz beside text files when that is smaller.
 * Files written by the last render and not by this one are removed, so a
 * purged document leaves the site; the search index follows the same set.
 * The list of files written is DATA/collection/site-files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "keeper/render_int.h"
#include "roneo/rn_log.h"

#define SITE_FILES "site-files"
#define LIST_MAX   ((size_t)RN_KEEPER_MAX_SITE_FILES * 128u)

/* gzip (RFC 1952) of [p, p+n) into out, at the best compression. */
static enum rn_err
gzip_into(const void *p, size_t n, struct rn_buf *out)
{
	z_stream zs;
	uLong	 bound;
	int	 rc;

	memset(&zs, 0, sizeof(zs));
	rn_buf_reset(out);
	if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		return RN_ERR_NOMEM;
	bound = deflateBound(&zs, (uLong)n) + 32;
	if (rn_buf_reserve(out, (size_t)bound) != RN_OK) {
		deflateEnd(&zs);
		return RN_ERR_TOOBIG;
	}
	zs.next_in = (Bytef *)(uintptr_t)p;
	zs.avail_in = (uInt)n;
	zs.next_out = (Bytef *)out->data;
	zs.avail_out = (uInt)bound;
	rc = deflate(&zs, Z_FINISH);
	out->len = (size_t)zs.total_out;
	deflateEnd(&zs);
	return rc == Z_STREAM_END ? RN_OK : RN_ERR_IO;
}

/* mkdir -p of the directories of rel (relative to the public directory). */
static enum rn_err
make_parents(const struct keeper_site *s, const char *rel)
{
	char	    path[KEEPER_PATH_MAX];
	const char *slash;
	int	    n;

	for (slash = strchr(rel, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
		n = snprintf(
		    path, sizeof(path), "%s/%.*s", s->k->public_dir, (int)(slash - rel), rel);
		if (n < 0 || (size_t)n >= sizeof(path))
			return RN_ERR_TOOBIG;
		if (mkdir(path, 0755) == -1 && errno != EEXIST)
			return RN_ERR_IO;
	}
	return RN_OK;
}

static bool
same_content(const char *path, const void *p, size_t n, struct rn_buf *tmp)
{
	return keeper_read_file(path, n, tmp) == RN_OK && tmp->len == n &&
	       memcmp(tmp->data, p, n) == 0;
}

static enum rn_err
list_add(struct keeper_site *s, const char *rel)
{
	if (++s->nfiles > RN_KEEPER_MAX_SITE_FILES)
		return RN_ERR_TOOBIG;
	return rn_buf_printf(&s->files, "%s\n", rel);
}

/* Write rel under the public directory (temporary file, rename) unless it holds p already. */
static enum rn_err
put_file(struct keeper_site *s, const char *rel, const void *p, size_t n)
{
	char	    path[KEEPER_PATH_MAX], tmp[KEEPER_PATH_MAX + 16];
	size_t	    off = 0;
	ssize_t	    w;
	enum rn_err err = RN_OK;
	int	    fd, len;

	len = snprintf(path, sizeof(path), "%s/%s", s->k->public_dir, rel);
	if (len < 0 || (size_t)len >= sizeof(path))
		return RN_ERR_TOOBIG;
	if ((err = list_add(s, rel)) != RN_OK || same_content(path, p, n, &s->cmp))
		return err;
	if ((err = make_parents(s, rel)) != RN_OK)
		return err;
	snprintf(tmp, sizeof(tmp), "%s.keeper-tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd == -1)
		return RN_ERR_IO;
	while (err == RN_OK && off < n) {
		if ((w = write(fd, (const char *)p + off, n - off)) <= 0)
			err = RN_ERR_IO;
		else
			off += (size_t)w;
	}
	if (close(fd) == -1 || err != RN_OK || rename(tmp, path) == -1) {
		(void)unlink(tmp);
		rn_log_errno(RN_LOG_ERR, "keeper: cannot write %s", path);
		return RN_ERR_IO;
	}
	return RN_OK;
}

enum rn_err
keeper_write_file(struct keeper_site *s, const char *urlpath, const void *p, size_t n, bool text)
{
	char	    rel[KEEPER_PATH_MAX], path[KEEPER_PATH_MAX + 4];
	size_t	    len = strlen(urlpath);
	enum rn_err err;
	int	    m;

	if (len < 1 || urlpath[0] != '/')
		return RN_ERR_INVAL;
	m = snprintf(
	    rel, sizeof(rel), "%s%s", urlpath + 1, urlpath[len - 1] == '/' ? "index.html" : "");
	if (m < 0 || (size_t)m >= sizeof(rel) - 3)
		return RN_ERR_TOOBIG;
	if ((err = put_file(s, rel, p, n)) != RN_OK || !text)
		return err;
	if ((err = gzip_into(p, n, &s->gz)) != RN_OK)
		return err;
	memcpy(rel + m, ".gz", 4);
	if (s->gz.len < n)
		return put_file(s, rel, s->gz.data, s->gz.len);
	/* Not smaller: no variant (and none left from an earlier render). */
	snprintf(path, sizeof(path), "%s/%s", s->k->public_dir, rel);
	(void)unlink(path);
	return RN_OK;
}

/* The list of the last render: "seq N" then one relative path a line. */
static enum rn_err
read_list(const struct rn_keeper *k, struct rn_buf *b, uint64_t *seq)
{
	char	    path[KEEPER_PATH_MAX];
	const char *nl;
	enum rn_err err;

	*seq = UINT64_MAX;
	if ((err = keeper_path(k, path, SITE_FILES)) != RN_OK)
		return err;
	if ((err = keeper_read_file(path, LIST_MAX, b)) != RN_OK)
		return err;
	if (b->len < 5 || memcmp(b->data, "seq ", 4) != 0 ||
	    (nl = memchr(b->data, '\n', b->len)) == NULL ||
	    rn_parse_u64(b->data + 4, (size_t)(nl - b->data - 4), UINT64_MAX - 1, seq) != RN_OK)
		return RN_ERR_INVAL;
	return RN_OK;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Split a list's lines (after the first) in place into a sorted array. */
static enum rn_err
split_lines(struct rn_buf *b, char ***out, size_t *n)
{
	char  *p = memchr(b->data, '\n', b->len), *end = b->data + b->len, *nl;
	char **v;
	size_t cap = 0, i = 0;

	for (nl = p; nl != NULL && nl < end; nl = memchr(nl + 1, '\n', (size_t)(end - nl - 1)))
		cap++;
	if ((v = calloc(cap + 1, sizeof(*v))) == NULL)
		return RN_ERR_NOMEM;
	while (p != NULL && p + 1 < end) {
		p++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		*nl = '\0';
		if (nl > p && i < cap)
			v[i++] = p;
		p = nl;
	}
	qsort(v, i, sizeof(*v), cmp_str);
	*out = v;
	*n = i;
	return RN_OK;
}

/* Remove what the last render wrote and this one did not; the docs no longer indexed. */
static void
remove_stale(struct keeper_site *s, struct rn_buf *old, struct rn_site_search *idx)
{
	char	    **now = NULL, **before = NULL, path[KEEPER_PATH_MAX], id[RN_SITE_MAX_ID + 1];
	struct rn_buf cur;
	size_t	      nnow = 0, nbefore = 0, i;
	int	      n;

	/* A copy in the list's form (a first line, then paths): split_lines cuts it up. */
	rn_buf_init(&cur, LIST_MAX + 8u);
	if (rn_buf_puts(&cur, "seq\n") != RN_OK ||
	    rn_buf_append(&cur, s->files.data, s->files.len) != RN_OK ||
	    split_lines(&cur, &now, &nnow) != RN_OK || split_lines(old, &before, &nbefore) != RN_OK)
		goto out;
	for (i = 0; i < nbefore; i++) {
		if (bsearch(&before[i], now, nnow, sizeof(*now), cmp_str) != NULL)
			continue;
		n = snprintf(path, sizeof(path), "%s/%s", s->k->public_dir, before[i]);
		if (n > 0 && (size_t)n < sizeof(path) && strstr(before[i], "..") == NULL)
			(void)unlink(path);
		if (idx != NULL && sscanf(before[i], "d/%64[a-z0-9-]/index.html", id) == 1 &&
		    strlen(before[i]) == strlen(id) + 13)
			(void)rn_site_search_remove(idx, id);
	}
out:
	free(now);
	free(before);
	rn_buf_free(&cur);
}

static enum rn_err
save_list(struct keeper_site *s, uint64_t seq)
{
	struct rn_buf b;
	char	      path[KEEPER_PATH_MAX];
	enum rn_err   err;

	rn_buf_init(&b, LIST_MAX + 32u);
	if ((err = rn_buf_printf(&b, "seq %llu\n", (unsigned long long)seq)) == RN_OK &&
	    (err = rn_buf_append(&b, s->files.data, s->files.len)) == RN_OK &&
	    (err = keeper_path(s->k, path, SITE_FILES)) == RN_OK)
		err = rn_file_write_atomic(path, b.data, b.len, 0600);
	rn_buf_free(&b);
	return err;
}

static enum rn_err
open_index(const struct rn_keeper *k, struct rn_site_search **idx)
{
	char path[KEEPER_PATH_MAX];
	int  n = snprintf(path, sizeof(path), "%s/search.db", k->site_dir);

	if (n < 0 || (size_t)n >= sizeof(path))
		return RN_ERR_TOOBIG;
	return rn_site_search_open(path, idx);
}

enum rn_err
rn_keeper_render(struct rn_keeper *k)
{
	struct keeper_site     s;
	struct rn_site_search *idx = NULL;
	struct rn_buf	       old;
	uint64_t	       oldseq, seq = rn_coll_verifier_state(k->v)->seq;
	uint64_t	       t0 = rn_time_mono_ms();
	enum rn_err	       err;

	/* Before ROOT 1 there is nothing to publish: the start page stays. */
	if (rn_coll_verifier_state(k->v)->root_version == 0)
		return RN_OK;
	memset(&s, 0, sizeof(s));
	s.k = k;
	rn_buf_init(&s.files, LIST_MAX);
	rn_buf_init(&s.gz, RN_SITE_MAX_PAGE + 1024u);
	rn_buf_init(&s.cmp, RN_COLL_MAX_CONTENT);
	rn_buf_init(&old, LIST_MAX);
	if (read_list(k, &old, &oldseq) != RN_OK)
		rn_buf_reset(&old);
	if ((err = keeper_site_load(&s)) != RN_OK || (err = keeper_site_pages(&s)) != RN_OK)
		goto out;
	if ((err = open_index(k, &idx)) != RN_OK ||
	    (s.ndocs > 0 && (err = rn_site_search_put(idx,
				 (const struct rn_site_doc *const *)s.docs, s.ndocs)) != RN_OK)) {
		rn_log_err("keeper: the search index is not updated");
		goto out;
	}
	if (old.len > 0)
		remove_stale(&s, &old, idx);
	if ((err = save_list(&s, seq)) != RN_OK)
		goto out;
	k->rendered = seq;
	rn_log_info("keeper: site rendered at seq %llu: %zu documents, %zu files, %llu ms",
	    (unsigned long long)seq, s.ndocs, s.nfiles,
	    (unsigned long long)(rn_time_mono_ms() - t0));
out:
	rn_site_search_close(idx);
	keeper_site_clear(&s);
	rn_buf_free(&s.files);
	rn_buf_free(&s.gz);
	rn_buf_free(&s.cmp);
	rn_buf_free(&old);
	return err;
}

enum rn_err
rn_keeper_render_if_stale(struct rn_keeper *k)
{
	struct rn_buf old;
	uint64_t      seq = UINT64_MAX;
	char	      path[KEEPER_PATH_MAX];

	rn_buf_init(&old, LIST_MAX);
	(void)read_list(k, &old, &seq);
	rn_buf_free(&old);
	k->rendered = seq;
	/* The stylesheet or the index may be gone too: check the two files that always exist. */
	if (seq == rn_coll_verifier_state(k->v)->seq &&
	    snprintf(path, sizeof(path), "%s/site.css", k->public_dir) > 0 &&
	    access(path, F_OK) == 0 &&
	    snprintf(path, sizeof(path), "%s/search.db", k->site_dir) > 0 &&
	    access(path, F_OK) == 0)
		return RN_OK;
	return rn_keeper_render(k);
}
