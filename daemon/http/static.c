/*
 * Files under PublicDirectory, and the embedded pages.  Paths come from the
 * parser already decoded and free of dot segments; here every component is
 * opened with O_NOFOLLOW relative to the directory above it, so neither a
 * symlink nor a dotfile is ever served.  Bodies go out with sendfile
 * (evbuffer_add_file), never through memory.  ETags are content hashes,
 * cached per (device, inode) and revalidated by size, mtime and ctime.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "roneo/rn_crypto.h"
#include "roneo/rn_log.h"
#include "http/http_int.h"

#define NAME_MAX_LEN 255u

static const struct {
	const char *ext;
	const char *type;
} content_types[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "md", "text/plain; charset=utf-8" },
	{ "atom", "application/atom+xml" },
	{ "xml", "application/xml" },
	{ "json", "application/json" },
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "webp", "image/webp" },
	{ "ico", "image/x-icon" },
	{ "pdf", "application/pdf" },
	{ "asc", "text/plain; charset=utf-8" },
	{ "sig", "application/octet-stream" },
};

static const char *
content_type_of(const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t	    i;

	if (dot != NULL)
		for (i = 0; i < sizeof(content_types) / sizeof(content_types[0]); i++)
			if (strcmp(dot + 1, content_types[i].ext) == 0)
				return content_types[i].type;
	return "application/octet-stream";
}

/*
 * Open the directory holding the last component of path (relative to the
 * public directory) and return its fd; *leaf points at the last component.
 */
static int
open_parent(int root, char *path, const char **leaf)
{
	char *comp = path, *slash;
	int   dirfd = root, fd;

	while ((slash = strchr(comp, '/')) != NULL) {
		*slash = '\0';
		if (comp[0] == '.' || comp[0] == '\0')
			fd = -1;
		else
			fd = openat(dirfd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dirfd != root)
			close(dirfd);
		if (fd == -1)
			return -1;
		dirfd = fd;
		comp = slash + 1;
	}
	*leaf = comp;
	return dirfd; /* root itself for a top-level name: the caller must not close it */
}

static int
open_leaf(int dirfd, const char *leaf, struct stat *st)
{
	int fd;

	fd = openat(dirfd, leaf, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd == -1)
		return -1;
	if (fstat(fd, st) == -1 || !S_ISREG(st->st_mode)) {
		close(fd);
		return -1;
	}
	return fd;
}

static enum rn_err
hash_file(int fd, off_t size, char out[RN_HTTP_ETAG_LEN])
{
	struct rn_sha256 *h;
	uint8_t		  md[RN_SHA256_LEN];
	char		  buf[65536];
	off_t		  off = 0;
	ssize_t		  n;
	enum rn_err	  err = RN_ERR_IO;

	if ((h = rn_sha256_new()) == NULL)
		return RN_ERR_NOMEM;
	while (off < size) {
		n = pread(fd, buf, sizeof(buf), off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			goto out;
		if (rn_sha256_update(h, buf, (size_t)n) != RN_OK)
			goto out;
		off += n;
	}
	if ((err = rn_sha256_final(h, md)) != RN_OK)
		goto out;
	out[0] = '"';
	rn_hex_encode(md, 16, out + 1);
	out[33] = '"';
	out[34] = '\0';
out:
	rn_sha256_free(h);
	return err;
}

static bool
same_version(const struct rn_http_etag_entry *e, const struct stat *st)
{
	return e->dev == st->st_dev && e->ino == st->st_ino && e->size == st->st_size &&
	       e->mtime.tv_sec == st->st_mtim.tv_sec && e->mtime.tv_nsec == st->st_mtim.tv_nsec &&
	       e->ctime.tv_sec == st->st_ctim.tv_sec && e->ctime.tv_nsec == st->st_ctim.tv_nsec;
}

/*
 * The cache is set-associative (RN_HTTP_ETAG_WAYS entries per set), so two
 * busy files that hash alike do not evict each other on every request.
 * Returns the entry of this inode, else the least recently used of its set.
 */
static struct rn_http_etag_entry *
cache_slot(struct rn_http_server *srv, const struct stat *st)
{
	uint64_t key = ((uint64_t)st->st_dev * 0x9e3779b97f4a7c15ull) ^ (uint64_t)st->st_ino;
	struct rn_http_etag_entry *set, *victim;
	size_t			   i;

	set = &srv->etags[(key % (RN_HTTP_ETAG_CACHE / RN_HTTP_ETAG_WAYS)) * RN_HTTP_ETAG_WAYS];
	victim = &set[0];
	for (i = 0; i < RN_HTTP_ETAG_WAYS; i++) {
		if (set[i].dev == st->st_dev && set[i].ino == st->st_ino) {
			set[i].used = ++srv->cache_tick;
			return &set[i];
		}
		if (set[i].used < victim->used)
			victim = &set[i];
	}
	return victim; /* cache_fill() marks it used when it fills it */
}

static void
cache_clear(struct rn_http_server *srv, struct rn_http_etag_entry *e)
{
	if (e->body != NULL) {
		srv->cache_bytes -= (size_t)e->size;
		RN_FREE(e->body);
	}
	memset(e, 0, sizeof(*e));
}

void
rn_http_static_cache_clear(struct rn_http_server *srv)
{
	size_t i;

	for (i = 0; i < RN_HTTP_ETAG_CACHE; i++)
		cache_clear(srv, &srv->etags[i]);
}

static enum rn_err
read_small(int fd, size_t size, char **out)
{
	char   *p = malloc(size ? size : 1);
	size_t	got = 0;
	ssize_t n;

	if (p == NULL)
		return RN_ERR_NOMEM;
	while (got < size) {
		n = pread(fd, p + got, size - got, (off_t)got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(p);
			return RN_ERR_IO;
		}
		got += (size_t)n;
	}
	*out = p;
	return RN_OK;
}

/*
 * Hash the file (and keep its bytes when it is small and the cache has
 * room); the entry stays valid while size, mtime and ctime do not change.
 */
static struct rn_http_etag_entry *
cache_fill(struct rn_http_server *srv, int fd, const struct stat *st)
{
	struct rn_http_etag_entry *e = cache_slot(srv, st);
	char			  *body = NULL;

	if (same_version(e, st))
		return e;
	cache_clear(srv, e);
	e->used = ++srv->cache_tick;
	if ((uint64_t)st->st_size <= RN_HTTP_SMALL_FILE &&
	    srv->cache_bytes + (size_t)st->st_size <= RN_HTTP_FILE_CACHE_BYTES &&
	    read_small(fd, (size_t)st->st_size, &body) == RN_OK) {
		rn_http_etag_of(body, (size_t)st->st_size, e->etag);
		e->body = body;
		srv->cache_bytes += (size_t)st->st_size;
	} else if (hash_file(fd, st->st_size, e->etag) != RN_OK) {
		return NULL;
	}
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->size = st->st_size;
	e->mtime = st->st_mtim;
	e->ctime = st->st_ctim;
	return e;
}

/* What to send: one file version, from memory or from its descriptor. */
struct file_body {
	const char			*name; /* for the content type */
	const struct rn_http_etag_entry *e;
	int				 fd; /* -1 when e->body holds the bytes */
	bool				 gzip;
};

/* Apply Range (and If-Range) to the identity file; returns the status. */
static int
apply_range(const struct rn_http_req *req, const struct file_body *fb, uint64_t *off, uint64_t *len,
    char *crange, size_t crsz)
{
	uint64_t    size = (uint64_t)fb->e->size, first, last;
	enum rn_err err;

	*off = 0;
	*len = size;
	if (req->range == NULL || fb->gzip)
		return 200;
	if (req->if_range != NULL &&
	    (req->if_range_len != strlen(fb->e->etag) ||
		memcmp(req->if_range, fb->e->etag, req->if_range_len) != 0))
		return 200;
	err = rn_http_parse_range(req->range, req->range_len, size, &first, &last);
	if (err == RN_ERR_NOTFOUND)
		return 200;
	if (err != RN_OK) {
		snprintf(crange, crsz, "bytes */%llu", (unsigned long long)size);
		return 416;
	}
	snprintf(crange, crsz, "bytes %llu-%llu/%llu", (unsigned long long)first,
	    (unsigned long long)last, (unsigned long long)size);
	*off = first;
	*len = last - first + 1;
	return 206;
}

static void
send_file(struct rn_http_exchange *ex, const struct file_body *fb)
{
	const struct rn_http_req  *req = ex->conn->req;
	struct evbuffer		  *out = bufferevent_get_output(ex->conn->bev);
	const struct rn_http_blob *b;
	char			   crange[96];
	uint64_t		   off = 0, len = 0;
	int			   fd = fb->fd;
	/* Vary always: whether a NAME.gz exists is only checked for gzip clients. */
	struct rn_http_head h = { .content_type = content_type_of(fb->name),
		.cache_control = "no-cache",
		.etag = fb->e->etag,
		.accept_ranges = true,
		.vary_encoding = true,
		.content_encoding = fb->gzip ? "gzip" : NULL };

	/* If-None-Match is evaluated before Range (RFC 9110 section 13.2.2). */
	if (req->if_none_match != NULL &&
	    rn_http_etag_match(req->if_none_match, req->if_none_match_len, fb->e->etag))
		h.status = 304;
	else
		h.status = apply_range(req, fb, &off, &len, crange, sizeof(crange));
	if (h.status == 206 || h.status == 416)
		h.content_range = crange;
	if (h.status == 416) {
		b = rn_http_pages_error(ex->conn->srv->pages, 416);
		h.content_type = b->content_type;
		h.cache_control = b->cache_control;
		h.etag = NULL;
		h.content_encoding = NULL;
		h.length = b->body.len;
		rn_http_put_head(ex, &h);
		if (req->method != RN_HTTP_HEAD)
			evbuffer_add_reference(out, b->body.data, b->body.len, NULL, NULL);
	} else {
		h.length = len;
		rn_http_put_head(ex, &h);
		if (req->method == RN_HTTP_HEAD || h.status == 304 || len == 0)
			;
		else if (fd == -1)
			evbuffer_add(out, fb->e->body + off, (size_t)len);
		else if (evbuffer_add_file(out, fd, (ev_off_t)off, (ev_off_t)len) == 0)
			fd = -1; /* the buffer owns it now */
		else
			ex->conn->keep_alive = false; /* the head is out; no body can follow */
	}
	if (fd != -1)
		close(fd);
	rn_http_finish(ex);
}

/* Serve leaf of dirfd, or its NAME.gz variant to clients that take gzip. */
static bool
serve_leaf(struct rn_http_exchange *ex, int dirfd, const char *leaf)
{
	struct rn_http_server	 *srv = ex->conn->srv;
	const struct rn_http_req *req = ex->conn->req;
	char			  gzname[NAME_MAX_LEN + 4];
	struct file_body	  fb = { .name = leaf, .fd = -1 };
	size_t			  n = strlen(leaf);
	struct stat		  st;

	if (leaf[0] == '.' || leaf[0] == '\0' || n > NAME_MAX_LEN ||
	    fstatat(dirfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == -1 || !S_ISREG(st.st_mode))
		return false;
	if (req->accept_gzip && req->range == NULL) {
		memcpy(gzname, leaf, n);
		memcpy(gzname + n, ".gz", 4);
		if ((fb.fd = open_leaf(dirfd, gzname, &st)) != -1)
			fb.gzip = true;
	}
	/* A small file known unchanged is answered from memory: no open at all. */
	fb.e = cache_slot(srv, &st);
	if (!fb.gzip && fb.e->body != NULL && same_version(fb.e, &st)) {
		send_file(ex, &fb);
		return true;
	}
	if (fb.fd == -1 && (fb.fd = open_leaf(dirfd, leaf, &st)) == -1)
		return false;
	if ((fb.e = cache_fill(srv, fb.fd, &st)) == NULL) {
		close(fb.fd);
		return false;
	}
	if (fb.e->body != NULL) {
		close(fb.fd);
		fb.fd = -1;
	}
	send_file(ex, &fb);
	return true;
}

void
rn_http_static_serve(struct rn_http_exchange *ex)
{
	struct rn_http_server	  *srv = ex->conn->srv;
	const struct rn_http_req  *req = ex->conn->req;
	const struct rn_http_blob *blob;
	char			   rel[RN_HTTP_MAX_PATH + sizeof("index.html")];
	const char		  *leaf = NULL;
	bool			   served;
	int			   dirfd;

	/* A published site's home (PublicDirectory/index.html) takes the start page's place. */
	if ((blob = rn_http_pages_find(srv->pages, req->path)) != NULL &&
	    !(req->path_len == 1 && srv->set.public_fd != -1 &&
		faccessat(srv->set.public_fd, "index.html", F_OK, 0) == 0)) {
		rn_http_respond_blob(ex, blob);
		return;
	}
	if (srv->set.public_fd == -1 || req->path_len < 1 ||
	    memchr(req->path, '\0', req->path_len) != NULL) {
		rn_http_respond_error(ex, 404);
		return;
	}
	snprintf(rel, sizeof(rel), "%s%s", req->path + 1,
	    req->path[req->path_len - 1] == '/' ? "index.html" : "");
	if ((dirfd = open_parent(srv->set.public_fd, rel, &leaf)) == -1) {
		rn_http_respond_error(ex, 404);
		return;
	}
	served = serve_leaf(ex, dirfd, leaf);
	if (dirfd != srv->set.public_fd)
		close(dirfd);
	if (!served)
		rn_http_respond_error(ex, 404);
}
