/*
 * Markdown to HTML: cmark's safe default (raw HTML omitted, javascript: and
 * friends emptied) and then our own pass over the AST, which trusts nothing
 * cmark left: every link and image URL is classified again against an
 * allowlist.  Internal URLs are rewritten in place and rendered by cmark;
 * external links become custom inline nodes whose opening tag we write
 * (with rel="noreferrer"), so their text is still rendered by cmark.
 */
#include <stdlib.h>
#include <string.h>

#include <cmark.h>

#include "site/site_int.h"

enum url_kind {
	URL_DROP,     /* no link: keep the text, lose the URL */
	URL_SITE,     /* a path on this site (or a fragment), in the rewritten buffer */
	URL_EXTERNAL, /* http, https or mailto elsewhere */
};

static bool
is_scheme_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (!first && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
}

/* Whether [s, s+n) is a dot segment of `dots` dots, some maybe written %2e (as browsers read it).
 */
static bool
is_dots(const char *s, size_t n, unsigned dots)
{
	size_t i = 0;

	while (dots > 0) {
		if (i < n && s[i] == '.')
			i++;
		else if (n - i >= 3 && s[i] == '%' && s[i + 1] == '2' && (s[i + 2] | 0x20) == 'e')
			i += 3;
		else
			return false;
		dots--;
	}
	return i == n;
}

/*
 * Append path (up to '?' or '#', the rest copied as is) to out, which already
 * holds a base ending in '/', removing "." and ".." segments and repeated
 * slashes.  ".." never climbs above "/".
 */
static enum rn_err
append_normalised(struct rn_buf *out, const char *url)
{
	size_t	    plen = strcspn(url, "?#"), i = 0, seg;
	enum rn_err err = RN_OK;

	while (i < plen && err == RN_OK) {
		seg = 0;
		while (i + seg < plen && url[i + seg] != '/')
			seg++;
		if (is_dots(url + i, seg, 2)) {
			if (out->len > 1) {
				out->len--; /* the trailing '/' */
				while (out->len > 0 && out->data[out->len - 1] != '/')
					out->len--;
				out->data[out->len] = '\0';
			}
		} else if (seg > 0 && !is_dots(url + i, seg, 1)) {
			err = rn_buf_append(out, url + i, seg);
			if (err == RN_OK && i + seg < plen)
				err = rn_buf_puts(out, "/");
		}
		i += seg + (i + seg < plen);
	}
	if (err == RN_OK)
		err = rn_buf_puts(out, url + plen);
	return err;
}

/* doc:ID[#fragment] -> /d/ID/[#fragment] */
static enum url_kind
doc_url(const char *rest, struct rn_buf *out)
{
	size_t idn = strcspn(rest, "#");
	char   id[RN_SITE_MAX_ID + 1];

	if (idn == 0 || idn > RN_SITE_MAX_ID)
		return URL_DROP;
	memcpy(id, rest, idn);
	id[idn] = '\0';
	if (!site_is_slug(id) || rn_buf_printf(out, "/d/%s/%s", id, rest + idn) != RN_OK)
		return URL_DROP;
	return URL_SITE;
}

/* Classify url; site paths are written to out (absolute, normalised). */
static enum url_kind
classify(const char *url, const char *doc_id, struct rn_buf *out)
{
	size_t i, n = strlen(url);

	rn_buf_reset(out);
	if (n == 0)
		return URL_DROP;
	/* Browsers strip or reinterpret these (java\tscript:, /\host): never guess. */
	for (i = 0; i < n; i++)
		if ((unsigned char)url[i] <= 0x20 || url[i] == 0x7f || url[i] == '\\')
			return URL_DROP;
	if (url[0] == '#')
		return rn_buf_puts(out, url) == RN_OK ? URL_SITE : URL_DROP;
	if (n > 4 && rn_ascii_casecmp_n(url, "doc:", 4))
		return doc_url(url + 4, out);
	if (url[0] == '/' && url[1] == '/')
		return URL_DROP; /* another host, without a scheme */
	for (i = 0; i < n && is_scheme_char(url[i], i == 0); i++)
		;
	if (i < n && url[i] == ':') {
		if ((i == 5 && rn_ascii_casecmp_n(url, "https", 5)) ||
		    (i == 4 && rn_ascii_casecmp_n(url, "http", 4)))
			return url[i + 1] == '/' && url[i + 2] == '/' && url[i + 3] != '\0' &&
				       url[i + 3] != '/' ?
				   URL_EXTERNAL :
				   URL_DROP;
		/* An address and nothing else: no second scheme, no path. */
		if (i == 6 && rn_ascii_casecmp_n(url, "mailto", 6) && url[i + 1] != '@' &&
		    strchr(url + i + 1, '@') != NULL && strpbrk(url + i + 1, ":/") == NULL)
			return URL_EXTERNAL;
		return URL_DROP;
	}
	/* No scheme, yet a ':' before any '/': a browser might still see one. */
	if (memchr(url, ':', strcspn(url, "/?#")) != NULL)
		return URL_DROP;
	if (url[0] == '/') {
		if (rn_buf_puts(out, "/") != RN_OK)
			return URL_DROP;
	} else if (doc_id != NULL ? rn_buf_printf(out, "/d/%s/", doc_id) != RN_OK :
				    rn_buf_puts(out, "/") != RN_OK)
		return URL_DROP;
	return append_normalised(out, url) == RN_OK ? URL_SITE : URL_DROP;
}

/* Put node's children where node was, and free node. */
static void
unwrap(cmark_node *node)
{
	cmark_node *c;

	while ((c = cmark_node_first_child(node)) != NULL)
		cmark_node_insert_before(node, c);
	cmark_node_free(node);
}

static bool
ends_with_ci(const char *s, const char *suffix)
{
	size_t n = strcspn(s, "?#"), m = strlen(suffix);

	return n >= m && rn_ascii_casecmp_n(s + n - m, suffix, m);
}

/* The external link's opening tag, written by us, its text rendered by cmark. */
static enum rn_err
external_link(cmark_node *link, const char *url)
{
	struct rn_buf tag;
	cmark_node   *custom, *c;
	const char   *title = cmark_node_get_title(link);
	enum rn_err   err;

	rn_buf_init(&tag, RN_SITE_MAX_BODY);
	if ((err = rn_buf_puts(&tag, "<a href=\"")) != RN_OK ||
	    (err = site_href_escape(&tag, url, strlen(url))) != RN_OK ||
	    (err = rn_buf_puts(&tag, "\" rel=\"noreferrer\"")) != RN_OK)
		goto out;
	if (title != NULL && title[0] != '\0' &&
	    ((err = rn_buf_puts(&tag, " title=\"")) != RN_OK ||
		(err = rn_buf_html_escape(&tag, title, strlen(title))) != RN_OK ||
		(err = rn_buf_puts(&tag, "\"")) != RN_OK))
		goto out;
	if ((err = rn_buf_puts(&tag, ">")) != RN_OK)
		goto out;
	if ((custom = cmark_node_new(CMARK_NODE_CUSTOM_INLINE)) == NULL) {
		err = RN_ERR_NOMEM;
		goto out;
	}
	if (!cmark_node_set_on_enter(custom, tag.data) || !cmark_node_set_on_exit(custom, "</a>") ||
	    !cmark_node_insert_before(link, custom)) {
		cmark_node_free(custom);
		err = RN_ERR_NOMEM;
		goto out;
	}
	while ((c = cmark_node_first_child(link)) != NULL)
		cmark_node_append_child(custom, c);
	cmark_node_free(link);
out:
	rn_buf_free(&tag);
	return err;
}

static enum rn_err
rewrite_node(cmark_node *node, const char *doc_id, struct rn_buf *path)
{
	const char   *url = cmark_node_get_url(node);
	enum url_kind k = classify(url != NULL ? url : "", doc_id, path);

	if (cmark_node_get_type(node) == CMARK_NODE_IMAGE) {
		/* Only images of this site, and never SVG (a document of its own). */
		if (k != URL_SITE || path->data[0] != '/' || ends_with_ci(path->data, ".svg") ||
		    ends_with_ci(path->data, ".svgz")) {
			unwrap(node);
			return RN_OK;
		}
		return cmark_node_set_url(node, path->data) ? RN_OK : RN_ERR_NOMEM;
	}
	if (k == URL_DROP) {
		unwrap(node);
		return RN_OK;
	}
	if (k == URL_SITE)
		return cmark_node_set_url(node, path->data) ? RN_OK : RN_ERR_NOMEM;
	return external_link(node, url);
}

/* Links and images are collected first: the tree is changed only after the walk. */
static enum rn_err
rewrite_links(cmark_node *root, const char *doc_id)
{
	cmark_iter	*it;
	cmark_node     **v = NULL, **nv;
	size_t		 n = 0, cap = 0, i;
	cmark_event_type ev;
	enum rn_err	 err = RN_OK;
	struct rn_buf	 path;

	rn_buf_init(&path, RN_SITE_MAX_BODY);
	if ((it = cmark_iter_new(root)) == NULL)
		return RN_ERR_NOMEM;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE && err == RN_OK) {
		cmark_node     *node = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(node);

		if (ev != CMARK_EVENT_ENTER || (t != CMARK_NODE_LINK && t != CMARK_NODE_IMAGE))
			continue;
		if (n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			if (cap > RN_SITE_MAX_AST_LINKS) {
				err = RN_ERR_TOOBIG;
				break;
			}
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				err = RN_ERR_NOMEM;
				break;
			}
			v = nv;
		}
		v[n++] = node;
	}
	cmark_iter_free(it);
	for (i = 0; i < n && err == RN_OK; i++)
		err = rewrite_node(v[i], doc_id, &path);
	free(v);
	rn_buf_free(&path);
	return err;
}

static cmark_node *
parse(const char *md, size_t len)
{
	return cmark_parse_document(md, len, CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8);
}

enum rn_err
rn_site_markdown_html(const char *md, size_t len, const char *doc_id, struct rn_buf *out)
{
	cmark_node *root = NULL;
	char	   *html = NULL;
	enum rn_err err;

	if (len > RN_SITE_MAX_BODY)
		return RN_ERR_TOOBIG;
	if (doc_id != NULL && !site_is_slug(doc_id))
		return RN_ERR_INVAL;
	if ((root = parse(md, len)) == NULL)
		return RN_ERR_NOMEM;
	if ((err = rewrite_links(root, doc_id)) != RN_OK)
		goto out;
	/* CMARK_OPT_DEFAULT renders safely: no raw HTML, no dangerous URLs. */
	if ((html = cmark_render_html(root, CMARK_OPT_DEFAULT)) == NULL) {
		err = RN_ERR_NOMEM;
		goto out;
	}
	err = rn_buf_puts(out, html);
out:
	free(html);
	cmark_node_free(root);
	return err;
}

static bool
is_block_end(cmark_node_type t)
{
	return t == CMARK_NODE_PARAGRAPH || t == CMARK_NODE_HEADING || t == CMARK_NODE_ITEM ||
	       t == CMARK_NODE_BLOCK_QUOTE;
}

enum rn_err
rn_site_markdown_text(const char *md, size_t len, struct rn_buf *out)
{
	cmark_node	*root;
	cmark_iter	*it;
	cmark_event_type ev;
	enum rn_err	 err = RN_OK;
	const char	*lit;

	if (len > RN_SITE_MAX_BODY)
		return RN_ERR_TOOBIG;
	if ((root = parse(md, len)) == NULL)
		return RN_ERR_NOMEM;
	if ((it = cmark_iter_new(root)) == NULL) {
		cmark_node_free(root);
		return RN_ERR_NOMEM;
	}
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE && err == RN_OK) {
		cmark_node     *node = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(node);

		if (ev == CMARK_EVENT_EXIT) {
			if (is_block_end(t))
				err = rn_buf_puts(out, "\n");
			continue;
		}
		if (t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE || t == CMARK_NODE_CODE_BLOCK) {
			if ((lit = cmark_node_get_literal(node)) != NULL)
				err = rn_buf_puts(out, lit);
			if (err == RN_OK && t == CMARK_NODE_CODE_BLOCK)
				err = rn_buf_puts(out, "\n");
		} else if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK)
			err = rn_buf_puts(out, " ");
	}
	cmark_iter_free(it);
	cmark_node_free(root);
	return err;
}
