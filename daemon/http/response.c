/*
 * Response heads.  Every answer carries the headers of DESIGN section 9 and
 * an exact Content-Length (roneod never sends chunked answers), and never
 * Server or Date.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "http/http_int.h"

#define SECURITY_HEADERS                                                                           \
	"Content-Security-Policy: default-src 'none'; style-src 'self'; img-src 'self'; "          \
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'\r\n"                          \
	"Referrer-Policy: no-referrer\r\n"                                                         \
	"X-Content-Type-Options: nosniff\r\n"

const char *
rn_http_security_headers(void)
{
	return SECURITY_HEADERS;
}

/* Append without a format string: the hot path of every answer. */
static char *
put(char *p, const char *end, const char *s)
{
	size_t n = strlen(s);

	if (n > (size_t)(end - p))
		n = (size_t)(end - p);
	memcpy(p, s, n);
	return p + n;
}

static char *
put_field(char *p, const char *end, const char *name, const char *value)
{
	if (value == NULL)
		return p;
	p = put(p, end, name);
	p = put(p, end, value);
	return put(p, end, "\r\n");
}

static char *
put_u64(char *p, const char *end, uint64_t v)
{
	char   tmp[24];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	if (sizeof(tmp) - i > (size_t)(end - p))
		return p;
	memcpy(p, tmp + i, sizeof(tmp) - i);
	return p + (sizeof(tmp) - i);
}

void
rn_http_put_head(struct rn_http_exchange *ex, const struct rn_http_head *h)
{
	struct rn_http_conn *c = ex->conn;
	char		     buf[2048], *p = buf;
	const char	    *end = buf + sizeof(buf);
	unsigned	     minor = c->parsed ? c->req->minor : 1;

	/* An answer before the whole body was read: the rest cannot be told
	 * apart from a next request, so the connection must close. */
	if (ex->body_left > 0)
		c->keep_alive = false;
	p = put(p, end, minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ");
	p = put_u64(p, end, (uint64_t)h->status);
	p = put(p, end, " ");
	p = put(p, end, rn_http_reason(h->status));
	p = put(p, end, "\r\n" SECURITY_HEADERS);
	p = put_field(p, end, "Content-Type: ", h->content_type);
	p = put_field(p, end, "Cache-Control: ", h->cache_control);
	p = put_field(p, end, "ETag: ", h->etag);
	p = put_field(p, end, "Content-Encoding: ", h->content_encoding);
	p = put_field(p, end, "Content-Range: ", h->content_range);
	p = put_field(p, end, "Allow: ", h->allow);
	if (h->vary_encoding)
		p = put(p, end, "Vary: Accept-Encoding\r\n");
	if (h->accept_ranges)
		p = put(p, end, "Accept-Ranges: bytes\r\n");
	if (h->status != 304) {
		p = put(p, end, "Content-Length: ");
		p = put_u64(p, end, h->length);
		p = put(p, end, "\r\n");
	}
	/* Answered before the whole body arrived: what follows cannot be framed. */
	if (c->state == RN_HTTP_ST_BODY)
		c->keep_alive = false;
	if (!c->keep_alive)
		p = put(p, end, "Connection: close\r\n");
	else if (minor == 0)
		p = put(p, end, "Connection: keep-alive\r\n");
	p = put(p, end, "\r\n");
	evbuffer_add(bufferevent_get_output(c->bev), buf, (size_t)(p - buf));
	ex->answered = true;
}

/* HEAD answers (even to a HEAD the parser went on to refuse) and 304s carry no body. */
static bool
wants_body(const struct rn_http_exchange *ex, int status)
{
	const struct rn_http_conn *c = ex->conn;

	if (status == 304 || status == 204)
		return false;
	return !(c->req != NULL && c->req->method == RN_HTTP_HEAD);
}

void
rn_http_respond_bytes(
    struct rn_http_exchange *ex, int status, const char *content_type, const void *body, size_t len)
{
	struct rn_http_head h = { .status = status,
		.content_type = content_type,
		.cache_control = "no-store",
		.length = len };

	rn_http_put_head(ex, &h);
	if (wants_body(ex, status) && len > 0)
		evbuffer_add(bufferevent_get_output(ex->conn->bev), body, len);
	rn_http_finish(ex);
}

void
rn_http_respond_error(struct rn_http_exchange *ex, int status)
{
	const struct rn_http_blob *b = rn_http_pages_error(ex->conn->srv->pages, status);
	struct rn_http_head	   h = { .status = status,
		       .content_type = b->content_type,
		       .cache_control = b->cache_control,
		       .length = b->body.len };

	if (status == 405)
		h.allow = "GET, HEAD";
	rn_http_put_head(ex, &h);
	if (wants_body(ex, status))
		evbuffer_add_reference(
		    bufferevent_get_output(ex->conn->bev), b->body.data, b->body.len, NULL, NULL);
	rn_http_finish(ex);
}

/* An in-memory page: ETag, 304, and its gzip variant when the client takes it. */
void
rn_http_respond_blob(struct rn_http_exchange *ex, const struct rn_http_blob *b)
{
	const struct rn_http_req *req = ex->conn->req;
	bool			  gz = b->gz.len > 0 && req->accept_gzip;
	const struct rn_buf	 *body = gz ? &b->gz : &b->body;
	const char		 *etag = gz ? b->gz_etag : b->etag;
	struct rn_http_head	  h = { .status = 200,
		      .content_type = b->content_type,
		      .cache_control = b->cache_control,
		      .etag = etag,
		      .content_encoding = gz ? "gzip" : NULL,
		      .vary_encoding = b->gz.len > 0,
		      .length = body->len };

	if (req->if_none_match != NULL &&
	    rn_http_etag_match(req->if_none_match, req->if_none_match_len, etag))
		h.status = 304;
	rn_http_put_head(ex, &h);
	if (wants_body(ex, h.status))
		evbuffer_add_reference(
		    bufferevent_get_output(ex->conn->bev), body->data, body->len, NULL, NULL);
	rn_http_finish(ex);
}

const struct rn_http_req *
rn_http_exchange_req(const struct rn_http_exchange *ex)
{
	return ex->conn->req;
}

unsigned
rn_http_exchange_zone(const struct rn_http_exchange *ex)
{
	return ex->conn->zone;
}

void
rn_http_exchange_set_data(struct rn_http_exchange *ex, void *data)
{
	ex->data = data;
}

void *
rn_http_exchange_data(const struct rn_http_exchange *ex)
{
	return ex->data;
}

void
rn_http_respond_fd(
    struct rn_http_exchange *ex, int status, const char *content_type, int fd, uint64_t len)
{
	struct rn_http_head h = { .status = status,
		.content_type = content_type,
		.cache_control = "no-store",
		.length = len };

	rn_http_put_head(ex, &h);
	if (wants_body(ex, status) && len > 0 &&
	    evbuffer_add_file(bufferevent_get_output(ex->conn->bev), fd, 0, (ev_off_t)len) == 0)
		fd = -1; /* the buffer owns it now */
	else if (wants_body(ex, status) && len > 0)
		ex->conn->keep_alive = false; /* the head is out; no body can follow */
	if (fd != -1)
		close(fd);
	rn_http_finish(ex);
}
