/*
 * Fuzz Markdown rendering (cmark's safe default plus our AST pass) and the
 * text extraction the search index uses.  Invariants, checked with abort():
 * no <script, no event handler attribute, and every href or src the output
 * holds is a site path, a fragment, or (href only) http(s) or mailto.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "roneo/rn_site.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_url(const char *p, bool external_ok)
{
	if ((p[0] == '/' && p[1] != '/') || p[0] == '#')
		return;
	if (external_ok && (strncasecmp(p, "http://", 7) == 0 ||
			       strncasecmp(p, "https://", 8) == 0 || strncasecmp(p, "mailto:", 7) == 0))
		return;
	abort();
}

/*
 * Walk the tags of the output (text never holds a raw '<' or '"'; attribute
 * values are double-quoted) and check each href and src value.
 */
static void
check_urls(const char *p)
{
	const char *q;
	bool	    intag = false;

	while (*p != '\0') {
		if (!intag) {
			intag = *p++ == '<';
			continue;
		}
		if (*p == '>')
			intag = false;
		else if (*p == '"') {
			if ((q = strchr(p + 1, '"')) == NULL)
				abort();
			p = q;
		} else if (*p == ' ' && strncmp(p + 1, "href=\"", 6) == 0)
			check_url(p + 7, true);
		else if (*p == ' ' && strncmp(p + 1, "src=\"", 5) == 0)
			check_url(p + 6, false);
		p++;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rn_buf b;
	enum rn_err   err;

	rn_buf_init(&b, RN_SITE_MAX_PAGE);
	err = rn_site_markdown_html((const char *)data, size, "fuzz-doc", &b);
	if (err == RN_OK && b.data != NULL) {
		if (strstr(b.data, "<script") != NULL || strstr(b.data, "<svg") != NULL)
			abort();
		check_urls(b.data);
	} else if (err != RN_OK && err != RN_ERR_TOOBIG && err != RN_ERR_NOMEM)
		abort();
	rn_buf_reset(&b);
	err = rn_site_markdown_text((const char *)data, size, &b);
	if (err != RN_OK && err != RN_ERR_TOOBIG && err != RN_ERR_NOMEM)
		abort();
	rn_buf_free(&b);
	return 0;
}
