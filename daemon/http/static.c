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
	const char	*ext;
	const char	*type;
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
	size_t i;

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
	int dirfd = root, fd;

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
	if (dirfd == root && (dirfd = dup(root)) == -1)
		return -1;
	*leaf = comp;
	return dirfd;
}

static int
open_leaf(int dirfd, const char *leaf, struct stat *st)
{
	int fd;

	if (leaf[0] == '.' || strlen(leaf) > NAME_MAX_LEN)
		return -1;
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
	uint8_t md[RN_SHA256_LEN];
	char buf[65536];
	off_t off = 0;
	ssize_t n;
	enum rn_err err = RN_ERR_IO;

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

/* The file's ETag, from the cache when the file has not changed. */
static const char *
file_etag(struct rn_http_server *srv, int fd, const struct stat *st)
{
	uint64_t key = ((uint64_t)st->st_dev * 0x9e3779b97f4a7c15ull) ^ (uint64_t)st->st_ino;
	struct rn_http_etag_entry *e = &srv->etags[key % RN_HTTP_ETAG_CACHE];

	if (same_version(e, st))
		return e->etag;
	if (hash_file(fd, st->st_size, e->etag) != RN_OK) {
		e->ino = 0;
		e->dev = 0;
		return NULL;
	}
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->size = st->st_size;
	e->mtime = st->st_mtim;
	e->ctime = st->st_ctim;
	return e->etag;
}

struct file_choice {
	int		 fd;
	struct stat	 st;
	const char	*etag;
	bool		 gzip;
	bool		 has_gzip;	/* a NAME.gz exists: answers vary */
};

/* Pick the identity file or its precompressed NAME.gz sibling. */
static int
choose_file(struct rn_http_server *srv, const struct rn_http_req *req, int dirfd,
    const char *leaf, struct file_choice *fc)
{
	char gzname[NAME_MAX_LEN + 4];
	size_t n = strlen(leaf);
	struct stat gst;
	int gfd;

	memset(fc, 0, sizeof(*fc));
	fc->fd = -1;
	if ((fc->fd = open_leaf(dirfd, leaf, &fc->st)) == -1)
		return -1;
	/* open_leaf() has refused names over NAME_MAX_LEN. */
	memcpy(gzname, leaf, n);
	memcpy(gzname + n, ".gz", 4);
	fc->has_gzip = fstatat(dirfd, gzname, &gst, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(gst.st_mode);
	if (fc->has_gzip && req->accept_gzip && req->range == NULL &&
	    (gfd = open_leaf(dirfd, gzname, &gst)) != -1) {
		close(fc->fd);
		fc->fd = gfd;
		fc->st = gst;
		fc->gzip = true;
	}
	fc->etag = file_etag(srv, fc->fd, &fc->st);
	return fc->etag == NULL ? -1 : 0;
}

/* Apply Range (and If-Range) to the identity file; returns the status. */
static int
apply_range(const struct rn_http_req *req, const struct file_choice *fc, uint64_t *off,
    uint64_t *len, char *crange, size_t crsz)
{
	uint64_t size = (uint64_t)fc->st.st_size, first, last;
	enum rn_err err;

	*off = 0;
	*len = size;
	if (req->range == NULL || fc->gzip || req->method == RN_HTTP_POST)
		return 200;
	if (req->if_range != NULL && (req->if_range_len != strlen(fc->etag) ||
	    memcmp(req->if_range, fc->etag, req->if_range_len) != 0))
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
send_file(struct rn_http_exchange *ex, const char *leaf, struct file_choice *fc)
{
	const struct rn_http_req *req = ex->conn->req;
	char crange[96];
	uint64_t off, len;
	struct rn_http_head h = { .content_type = content_type_of(leaf),
	    .cache_control = "no-cache", .etag = fc->etag, .accept_ranges = true,
	    .vary_encoding = fc->has_gzip, .content_encoding = fc->gzip ? "gzip" : NULL };

	/* If-None-Match is evaluated before Range (RFC 9110 section 13.2.2). */
	if (req->if_none_match != NULL &&
	    rn_http_etag_match(req->if_none_match, req->if_none_match_len, fc->etag)) {
		h.status = 304;
		rn_http_put_head(ex, &h);
		close(fc->fd);
		rn_http_finish(ex);
		return;
	}
	h.status = apply_range(req, fc, &off, &len, crange, sizeof(crange));
	if (h.status == 416) {
		const struct rn_http_blob *b = rn_http_pages_error(ex->conn->srv->pages, 416);

		h.content_type = b->content_type;
		h.cache_control = b->cache_control;
		h.etag = NULL;
		h.content_range = crange;
		h.length = b->body.len;
		rn_http_put_head(ex, &h);
		if (req->method != RN_HTTP_HEAD)
			evbuffer_add_reference(bufferevent_get_output(ex->conn->bev),
			    b->body.data, b->body.len, NULL, NULL);
		close(fc->fd);
		rn_http_finish(ex);
		return;
	}
	if (h.status == 206)
		h.content_range = crange;
	h.length = len;
	rn_http_put_head(ex, &h);
	if (req->method == RN_HTTP_HEAD || len == 0)
		close(fc->fd);
	else if (evbuffer_add_file(bufferevent_get_output(ex->conn->bev), fc->fd,
	    (ev_off_t)off, (ev_off_t)len) != 0) {
		close(fc->fd);
		ex->conn->keep_alive = false;	/* the head is out; the body cannot follow */
	}
	rn_http_finish(ex);
}

void
rn_http_static_serve(struct rn_http_exchange *ex)
{
	struct rn_http_server *srv = ex->conn->srv;
	const struct rn_http_req *req = ex->conn->req;
	const struct rn_http_blob *blob;
	char rel[RN_HTTP_MAX_PATH + sizeof("index.html")];
	const char *leaf = NULL;
	struct file_choice fc;
	int dirfd;

	if ((blob = rn_http_pages_find(srv->pages, req->path)) != NULL) {
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
	if (choose_file(srv, req, dirfd, leaf, &fc) == -1) {
		if (fc.fd >= 0)
			close(fc.fd);
		close(dirfd);
		rn_http_respond_error(ex, 404);
		return;
	}
	close(dirfd);
	send_file(ex, leaf, &fc);
}
