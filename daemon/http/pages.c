/*
 * The pages roneod carries inside itself: the start page, the stylesheet and
 * one error page per status, rendered once at start from the embedded
 * templates (plain HTML and CSS; no script, no external resource, nothing
 * that names the software's version).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "roneo/rn_crypto.h"
#include "roneo/rn_log.h"
#include "http/assets.h"
#include "http/http_int.h"

#define PAGE_MAX (256u * 1024u)

static const struct {
	int	    status;
	const char *message;
} error_messages[] = {
	{ 400, "The request was malformed." },
	{ 403, "This address is not open to you." },
	{ 404, "There is nothing at this address." },
	{ 405, "This method is not allowed here." },
	{ 408, "The request took too long to arrive." },
	{ 411, "A request body needs a Content-Length; chunked requests are not accepted." },
	{ 413, "The request is too large." },
	{ 414, "The address is too long." },
	{ 416, "The requested range is not available." },
	{ 417, "Only \"Expect: 100-continue\" is understood." },
	{ 421, "This server does not answer for that host name." },
	{ 429, "Too many requests. Wait a little and try again." },
	{ 431, "The request headers are too large." },
	{ 500, "Something went wrong on the server." },
	{ 501, "This method is not implemented." },
	{ 503, "The server is busy. Try again later." },
	{ 505, "Only HTTP/1.0 and HTTP/1.1 are spoken here." },
	{ 507, "The server has no room to store this. Try again later." },
};
#define NERRORS (sizeof(error_messages) / sizeof(error_messages[0]))

static const struct {
	const char *path;
	const char *asset;
	const char *content_type;
} embedded_pages[] = {
	{ "/", "start.html", "text/html; charset=utf-8" },
	{ "/static/roneo.css", "roneo.css", "text/css; charset=utf-8" },
};
#define NPAGES (sizeof(embedded_pages) / sizeof(embedded_pages[0]))

struct rn_http_pages {
	struct rn_http_blob pages[NPAGES];
	struct rn_http_blob errors[NERRORS];
	struct rn_buf	    busy; /* a whole 503 response */
};

void
rn_http_etag_of(const void *data, size_t len, char out[RN_HTTP_ETAG_LEN])
{
	uint8_t md[RN_SHA256_LEN];

	if (rn_sha256(data, len, md) != RN_OK)
		memset(md, 0, sizeof(md));
	out[0] = '"';
	rn_hex_encode(md, 16, out + 1);
	out[33] = '"';
	out[34] = '\0';
}

static const struct rn_asset *
asset_find(const char *name)
{
	const struct rn_asset *a;

	for (a = rn_assets; a->name != NULL; a++)
		if (strcmp(a->name, name) == 0)
			return a;
	return NULL;
}

/* gzip (RFC 1952) of in, at the best compression: pages are compressed once. */
static enum rn_err
gzip_into(const void *in, size_t len, struct rn_buf *out)
{
	z_stream zs;
	uLong	 bound;
	int	 rc;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		return RN_ERR_NOMEM;
	bound = deflateBound(&zs, (uLong)len) + 32;
	rn_buf_init(out, (size_t)bound);
	if (rn_buf_reserve(out, (size_t)bound - 1) != RN_OK) {
		deflateEnd(&zs);
		return RN_ERR_NOMEM;
	}
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	zs.next_out = (Bytef *)out->data;
	zs.avail_out = (uInt)bound;
	rc = deflate(&zs, Z_FINISH);
	out->len = (size_t)zs.total_out;
	deflateEnd(&zs);
	return rc == Z_STREAM_END ? RN_OK : RN_ERR_IO;
}

/* Replace {{key}} in a template with HTML-escaped values. */
static enum rn_err
render(const struct rn_asset *tpl, const char *const *keys, const char *const *vals, size_t n,
    struct rn_buf *out)
{
	const char *s = (const char *)tpl->data, *end = s + tpl->len, *open, *close;
	enum rn_err err;
	size_t	    i;

	rn_buf_init(out, PAGE_MAX);
	while ((open = memmem(s, (size_t)(end - s), "{{", 2)) != NULL) {
		if ((err = rn_buf_append(out, s, (size_t)(open - s))) != RN_OK)
			return err;
		if ((close = memmem(open, (size_t)(end - open), "}}", 2)) == NULL)
			return RN_ERR_INVAL;
		for (i = 0; i < n; i++)
			if (strlen(keys[i]) == (size_t)(close - open - 2) &&
			    memcmp(open + 2, keys[i], strlen(keys[i])) == 0)
				break;
		if (i == n)
			return RN_ERR_INVAL;
		if ((err = rn_buf_html_escape(out, vals[i], strlen(vals[i]))) != RN_OK)
			return err;
		s = close + 2;
	}
	return rn_buf_append(out, s, (size_t)(end - s));
}

static enum rn_err
make_page(struct rn_http_blob *b, size_t i)
{
	const struct rn_asset *a = asset_find(embedded_pages[i].asset);
	enum rn_err	       err;

	if (a == NULL)
		return RN_ERR_NOTFOUND;
	b->path = embedded_pages[i].path;
	b->content_type = embedded_pages[i].content_type;
	b->cache_control = "no-cache";
	rn_buf_init(&b->body, PAGE_MAX);
	if ((err = rn_buf_append(&b->body, a->data, a->len)) != RN_OK ||
	    (err = gzip_into(b->body.data, b->body.len, &b->gz)) != RN_OK)
		return err;
	rn_http_etag_of(b->body.data, b->body.len, b->etag);
	rn_http_etag_of(b->gz.data, b->gz.len, b->gz_etag);
	return RN_OK;
}

static enum rn_err
make_error(struct rn_http_blob *b, const struct rn_asset *tpl, size_t i)
{
	static const char *const keys[] = { "status", "reason", "message" };
	char			 status[8];
	const char		*vals[3];

	snprintf(status, sizeof(status), "%d", error_messages[i].status);
	vals[0] = status;
	vals[1] = rn_http_reason(error_messages[i].status);
	vals[2] = error_messages[i].message;
	b->content_type = "text/html; charset=utf-8";
	b->cache_control = "no-store";
	rn_buf_init(&b->gz, 0);
	return render(tpl, keys, vals, 3, &b->body);
}

static enum rn_err
make_busy(struct rn_http_pages *p)
{
	const struct rn_http_blob *b = rn_http_pages_error(p, 503);

	rn_buf_init(&p->busy, PAGE_MAX + 1024);
	if (rn_buf_printf(&p->busy,
		"HTTP/1.1 503 %s\r\n%sContent-Type: %s\r\n"
		"Cache-Control: no-store\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
		rn_http_reason(503), rn_http_security_headers(), b->content_type,
		b->body.len) != RN_OK)
		return RN_ERR_NOMEM;
	return rn_buf_append(&p->busy, b->body.data, b->body.len);
}

struct rn_http_pages *
rn_http_pages_new(void)
{
	struct rn_http_pages  *p;
	const struct rn_asset *tpl = asset_find("error.html");
	size_t		       i;

	if (tpl == NULL || (p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	for (i = 0; i < NPAGES; i++)
		if (make_page(&p->pages[i], i) != RN_OK)
			goto fail;
	for (i = 0; i < NERRORS; i++)
		if (make_error(&p->errors[i], tpl, i) != RN_OK)
			goto fail;
	if (make_busy(p) != RN_OK)
		goto fail;
	return p;
fail:
	rn_log_err("cannot build the embedded pages");
	rn_http_pages_free(p);
	return NULL;
}

void
rn_http_pages_free(struct rn_http_pages *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < NPAGES; i++) {
		rn_buf_free(&p->pages[i].body);
		rn_buf_free(&p->pages[i].gz);
	}
	for (i = 0; i < NERRORS; i++)
		rn_buf_free(&p->errors[i].body);
	rn_buf_free(&p->busy);
	free(p);
}

const struct rn_http_blob *
rn_http_pages_find(const struct rn_http_pages *p, const char *path)
{
	size_t i;

	for (i = 0; i < NPAGES; i++)
		if (strcmp(p->pages[i].path, path) == 0)
			return &p->pages[i];
	return NULL;
}

const struct rn_http_blob *
rn_http_pages_error(const struct rn_http_pages *p, int status)
{
	size_t i;

	for (i = 0; i < NERRORS; i++)
		if (error_messages[i].status == status)
			return &p->errors[i];
	return rn_http_pages_error(p, 500);
}

const struct rn_buf *
rn_http_pages_busy(const struct rn_http_pages *p)
{
	return &p->busy;
}
