/*
 * GET /search?q=...&page=N in the http child: the keeper's index
 * (DataDirectory/site/search.db), opened before the sandbox and only
 * queried here.  daemon/site quotes every term (no FTS syntax reaches SQLite) and
 * escapes the snippets; titles and the query are escaped where written.
 * Queries are never logged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keeper/client_int.h"
#include "roneo/rn_log.h"

#define HTML	  "text/html; charset=utf-8"
#define MAX_PAGES (RN_SITE_MAX_RESULT_OFFSET / RN_KEEPER_SEARCH_PER_PAGE + 1u)

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The value of `name` in an urlencoded query, decoded into out (NUL
 * terminated).  RN_ERR_NOTFOUND when absent, RN_ERR_INVAL when malformed
 * or repeated, RN_ERR_TOOBIG when it does not fit.
 */
static enum rn_err
query_get(const char *q, size_t n, const char *name, char *out, size_t outsz)
{
	size_t	    i = 0, nl = strlen(name), o;
	enum rn_err found = RN_ERR_NOTFOUND;

	while (q != NULL && i <= n) {
		size_t end = i;

		while (end < n && q[end] != '&')
			end++;
		if (end - i > nl && memcmp(q + i, name, nl) == 0 && q[i + nl] == '=') {
			if (found == RN_OK)
				return RN_ERR_INVAL;
			found = RN_OK;
			for (i += nl + 1, o = 0; i < end; i++) {
				int c = q[i], h, l;

				if (c == '%') {
					if (end - i < 3)
						return RN_ERR_INVAL;
					if ((h = hexval(q[i + 1])) < 0 ||
					    (l = hexval(q[i + 2])) < 0)
						return RN_ERR_INVAL;
					c = h << 4 | l;
					i += 2;
				} else if (c == '+') {
					c = ' ';
				}
				if (o + 1 >= outsz)
					return RN_ERR_TOOBIG;
				out[o++] = (char)c;
			}
			out[o] = '\0';
		} else if (end - i == nl && memcmp(q + i, name, nl) == 0) {
			return RN_ERR_INVAL;
		}
		i = end + 1;
	}
	return found;
}

/* q for an href: unreserved bytes as they are, the rest %XX (then nothing to escape). */
static enum rn_err
put_q(struct rn_buf *b, const char *q)
{
	enum rn_err err = RN_OK;

	for (; *q != '\0' && err == RN_OK; q++) {
		unsigned char c = (unsigned char)*q;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~')
			err = rn_buf_append(b, q, 1);
		else
			err = rn_buf_printf(b, "%%%02X", c);
	}
	return err;
}

static enum rn_err
put_form(struct rn_buf *b, const char *q)
{
	enum rn_err err;

	if ((err = rn_buf_puts(b, "<h1>Search</h1>\n<form method=\"get\" action=\"/search/\" "
				  "role=\"search\">\n<label for=\"q\">Words to find</label>\n"
				  "<input id=\"q\" name=\"q\" type=\"search\" maxlength=\"256\" "
				  "value=\"")) != RN_OK ||
	    (err = rn_buf_html_escape(b, q, strlen(q))) != RN_OK)
		return err;
	return rn_buf_puts(b, "\">\n<button type=\"submit\">Search</button>\n</form>\n");
}

static enum rn_err
put_hits(struct rn_buf *b, const struct rn_site_results *res, const char *q, unsigned page)
{
	enum rn_err err = RN_OK;
	size_t	    i;

	if (res->n == 0)
		return rn_buf_puts(b, "<p>Nothing found.</p>\n");
	err = rn_buf_puts(b, "<ol class=\"results\">\n");
	for (i = 0; i < res->n && err == RN_OK; i++) {
		const struct rn_site_hit *h = &res->hits[i];

		if ((err = rn_buf_puts(b, "<li><a href=\"/d/")) == RN_OK &&
		    (err = put_q(b, h->id)) == RN_OK && (err = rn_buf_puts(b, "/\">")) == RN_OK &&
		    (err = rn_buf_html_escape(b, h->title, strlen(h->title))) == RN_OK &&
		    (err = rn_buf_printf(b, "</a> <span class=\"meta\">%s</span>\n<p>",
			 rn_site_section_name(h->section))) == RN_OK &&
		    (err = rn_buf_puts(b, h->snippet_html)) == RN_OK)
			err = rn_buf_puts(b, "</p></li>\n");
	}
	if (err == RN_OK)
		err = rn_buf_puts(b, "</ol>\n<nav class=\"pager\">\n");
	if (err == RN_OK && page > 1 && (err = rn_buf_puts(b, "<a href=\"/search/?q=")) == RN_OK &&
	    (err = put_q(b, q)) == RN_OK)
		err = rn_buf_printf(b, "&amp;page=%u\" rel=\"prev\">Previous</a>\n", page - 1);
	if (err == RN_OK && res->more && page < MAX_PAGES &&
	    (err = rn_buf_puts(b, "<a href=\"/search/?q=")) == RN_OK &&
	    (err = put_q(b, q)) == RN_OK)
		err = rn_buf_printf(b, "&amp;page=%u\" rel=\"next\">Next</a>\n", page + 1);
	return err == RN_OK ? rn_buf_puts(b, "</nav>\n") : err;
}

/* The results of q (page counts from 1) into b; *status for a refused query. */
static enum rn_err
results(struct rn_keeper_client *kc, const char *q, unsigned page, struct rn_buf *b, int *status)
{
	struct rn_site_results res;
	enum rn_err	       err;

	memset(&res, 0, sizeof(res));
	if (kc->search == NULL) {
		*status = 503;
		return rn_buf_puts(b, "<p>The search index is not ready yet.</p>\n");
	}
	err = rn_site_search_query(kc->search, q, strlen(q),
	    (size_t)(page - 1) * RN_KEEPER_SEARCH_PER_PAGE, RN_KEEPER_SEARCH_PER_PAGE, &res);
	if (err == RN_ERR_TOOBIG || err == RN_ERR_INVAL) {
		*status = 400;
		return rn_buf_puts(
		    b, err == RN_ERR_TOOBIG ?
			   "<p>That query is too long: at most 256 bytes and 16 words.</p>\n" :
			   "<p>That query cannot be searched.</p>\n");
	}
	if (err != RN_OK) {
		*status = 500;
		return rn_buf_puts(b, "<p>The search failed.</p>\n");
	}
	err = put_hits(b, &res, q, page);
	rn_site_results_free(&res);
	return err;
}

static void
on_search(struct rn_http_exchange *ex, void *arg)
{
	const struct rn_http_req *req = rn_http_exchange_req(ex);
	struct rn_buf		  b;
	char			  q[RN_SITE_MAX_QUERY + 1], p[8];
	uint64_t		  page = 1;
	int			  status = 200;
	enum rn_err		  err;

	if (req->path_len > strlen("/search/")) {
		rn_http_respond_error(ex, 404);
		return;
	}
	q[0] = '\0';
	err = query_get(req->query, req->query_len, "q", q, sizeof(q));
	if ((err != RN_OK && err != RN_ERR_NOTFOUND) ||
	    ((err = query_get(req->query, req->query_len, "page", p, sizeof(p))) !=
		    RN_ERR_NOTFOUND &&
		(err != RN_OK || rn_parse_u64(p, strlen(p), MAX_PAGES, &page) != RN_OK ||
		    page == 0))) {
		rn_http_respond_error(ex, 400);
		return;
	}
	rn_buf_init(&b, RN_SITE_MAX_PAGE);
	err = rn_keeper_html_begin(&b, "Search");
	if (err == RN_OK)
		err = put_form(&b, q);
	if (err == RN_OK && q[0] != '\0')
		err = results(arg, q, (unsigned)page, &b, &status);
	if (err == RN_OK)
		err = rn_keeper_html_end(&b);
	if (err != RN_OK)
		rn_http_respond_error(ex, 500);
	else
		rn_http_respond_bytes(ex, status, HTML, b.data, b.len);
	rn_buf_free(&b);
}

enum rn_err
keeper_search_routes(struct rn_keeper_client *kc, struct rn_http_server *srv)
{
	struct rn_http_route r = {
		.path = "/search",
		.methods = RN_HTTP_M(GET) | RN_HTTP_M(HEAD),
		.on_request = on_search,
		.arg = kc,
		.zones = RN_HTTP_ZONE_PUBLIC,
	};
	enum rn_err err;

	if ((err = rn_http_server_add_route(srv, &r)) != RN_OK)
		return err;
	r.path = "/search/";
	return rn_http_server_add_route(srv, &r);
}
