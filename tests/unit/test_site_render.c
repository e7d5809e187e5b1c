/* Unit tests for Markdown rendering, pages and feeds (daemon/site/markdown.c, page.c, feed.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "roneo/rn_site.h"

static const struct rn_site_info site = { "Collective \"<x>\"", "en", "c0ffee" };

static char *
md(const char *in, const char *doc_id)
{
	struct rn_buf b;

	rn_buf_init(&b, RN_SITE_MAX_PAGE);
	assert_int_equal(rn_site_markdown_html(in, strlen(in), doc_id, &b), RN_OK);
	return b.data != NULL ? b.data : strdup("");
}

static void
expect_md(const char *in, const char *doc_id, const char *want)
{
	char *got = md(in, doc_id);

	if (strcmp(got, want) != 0)
		print_error("input: %s\ngot:  %swant: %s", in, got, want);
	assert_string_equal(got, want);
	free(got);
}

static void
test_links(void **state)
{
	(void)state;
	expect_md("[a](doc:other-doc)", "me", "<p><a href=\"/d/other-doc/\">a</a></p>\n");
	expect_md("[a](doc:other#sec-2)", "me", "<p><a href=\"/d/other/#sec-2\">a</a></p>\n");
	expect_md("[a](doc:Bad)", "me", "<p>a</p>\n");
	expect_md("[a](file.pdf)", "me", "<p><a href=\"/d/me/file.pdf\">a</a></p>\n");
	expect_md("[a](../other/)", "me", "<p><a href=\"/d/other/\">a</a></p>\n");
	expect_md("[a](../../../../x)", "me", "<p><a href=\"/x\">a</a></p>\n");
	expect_md("[a](./%2e%2e/x)", "me", "<p><a href=\"/d/x\">a</a></p>\n");
	expect_md("[a](/tactics/?q=1#f)", "me", "<p><a href=\"/tactics/?q=1#f\">a</a></p>\n");
	expect_md("[a](#top)", "me", "<p><a href=\"#top\">a</a></p>\n");
	expect_md("[a](x.pdf)", NULL, "<p><a href=\"/x.pdf\">a</a></p>\n");
	expect_md("[a](https://example.org/p?q=1&r=2 \"T\\\"q\")", "me",
	    "<p><a href=\"https://example.org/p?q=1&amp;r=2\" rel=\"noreferrer\" "
	    "title=\"T&quot;q\">a</a></p>\n");
	expect_md("<HTTP://example.org/>", "me",
	    "<p><a href=\"HTTP://example.org/\" rel=\"noreferrer\">HTTP://example.org/</a></p>\n");
	expect_md("[a](https://ex.org/\xc3\xa9)", "me",
	    "<p><a href=\"https://ex.org/%C3%A9\" rel=\"noreferrer\">a</a></p>\n");
	expect_md("<a@example.org>", "me",
	    "<p><a href=\"mailto:a@example.org\" rel=\"noreferrer\">a@example.org</a></p>\n");
	/* Everything else loses its URL and keeps its text. */
	expect_md("[a](javascript:alert(1))", "me", "<p>a</p>\n");
	expect_md("[*a*](ftp://example.org/)", "me", "<p><em>a</em></p>\n");
	expect_md("[a](//evil.example/)", "me", "<p>a</p>\n");
	expect_md("[a](/\\evil.example/)", "me", "<p>a</p>\n");
	expect_md("[a](https:/x)", "me", "<p>a</p>\n");
	expect_md("[a](https://)", "me", "<p>a</p>\n");
	expect_md("[a](mailto:x:y@z)", "me", "<p>a</p>\n");
	expect_md("[a](<a b>)", "me", "<p>a</p>\n");
	expect_md("[a]()", "me", "<p>a</p>\n");
	expect_md("[a](x:y/z)", "me", "<p>a</p>\n");
}

static void
test_images(void **state)
{
	(void)state;
	expect_md("![alt](pic.png \"t\")", "me",
	    "<p><img src=\"/d/me/pic.png\" alt=\"alt\" title=\"t\" /></p>\n");
	expect_md("![alt *x*](https://example.org/p.png)", "me", "<p>alt <em>x</em></p>\n");
	expect_md("![alt](//example.org/p.png)", "me", "<p>alt</p>\n");
	expect_md("![alt](data:image/png;base64,AAAA)", "me", "<p>alt</p>\n");
	expect_md("![alt](map.SVG)", "me", "<p>alt</p>\n");
	expect_md("![alt](#frag)", "me", "<p>alt</p>\n");
	expect_md("[![i](p.png)](https://example.org/)", "me",
	    "<p><a href=\"https://example.org/\" rel=\"noreferrer\"><img src=\"/d/me/p.png\" "
	    "alt=\"i\" /></a></p>\n");
}

static void
test_safe_default(void **state)
{
	(void)state;
	expect_md("<script>alert(1)</script>", "me", "<!-- raw HTML omitted -->\n");
	expect_md("a <b onclick=x>b</b>", "me",
	    "<p>a <!-- raw HTML omitted -->b<!-- raw HTML omitted --></p>\n");
	expect_md("`<x>`", "me", "<p><code>&lt;x&gt;</code></p>\n");
}

static void
test_markdown_limits(void **state)
{
	struct rn_buf b;
	char	     *big;

	(void)state;
	rn_buf_init(&b, RN_SITE_MAX_PAGE);
	big = calloc(1, RN_SITE_MAX_BODY + 2);
	assert_non_null(big);
	memset(big, '[', RN_SITE_MAX_BODY + 1);
	assert_int_equal(rn_site_markdown_html(big, RN_SITE_MAX_BODY + 1, "me", &b), RN_ERR_TOOBIG);
	assert_int_equal(rn_site_markdown_text(big, RN_SITE_MAX_BODY + 1, &b), RN_ERR_TOOBIG);
	/* At the cap, deeply nested and link-heavy input still renders. */
	assert_int_equal(rn_site_markdown_html(big, RN_SITE_MAX_BODY, "me", &b), RN_OK);
	rn_buf_reset(&b);
	memset(big, '>', RN_SITE_MAX_BODY);
	assert_int_equal(rn_site_markdown_html(big, RN_SITE_MAX_BODY, "me", &b), RN_OK);
	assert_int_equal(rn_site_markdown_html("x", 1, "../x", &b), RN_ERR_INVAL);
	/* The output cap of the caller's buffer is honoured. */
	rn_buf_free(&b);
	rn_buf_init(&b, 16);
	assert_int_equal(rn_site_markdown_html("hello world, more than sixteen", 30, NULL, &b),
	    RN_ERR_TOOBIG);
	rn_buf_free(&b);
	free(big);
}

static void
test_markdown_text(void **state)
{
	struct rn_buf b;
	const char    in[] = "# Title\n\nSome *emph* and `code`.\nNext line.\n\n- item\n";

	(void)state;
	rn_buf_init(&b, 4096);
	assert_int_equal(rn_site_markdown_text(in, sizeof(in) - 1, &b), RN_OK);
	assert_string_equal(b.data, "Title\nSome emph and code. Next line.\nitem\n\n");
	rn_buf_free(&b);
}

static struct rn_site_doc *
parse(const char *text)
{
	struct rn_site_doc  *d = NULL;
	struct rn_site_error err;

	if (rn_site_doc_parse(text, strlen(text), 0, &d, &err) != RN_OK)
		fail_msg("line %u: %s", err.line, err.msg);
	return d;
}

static void
test_pages(void **state)
{
	struct rn_site_doc	 *d[3];
	struct rn_site_provenance prov = { "abc", 3, NULL, 0, true, "a <reason>" };
	struct rn_buf		  b;
	unsigned		  npages = 0;

	(void)state;
	d[0] = parse("---\nid: b1\ntitle: \"One <b>\"\nsection: bulletins\ndate: 2026-01-01\n"
		     "lang: en\n---\nText.\n");
	d[1] = parse("---\nid: b2\ntitle: Two\nsection: bulletins\ndate: 2026-02-01\nlang: en\n---\n");
	d[2] = parse("---\nid: t1\ntitle: Tac\nsection: tactics\nlang: en\ntags: [x, w]\n"
		     "related: [t1x]\n---\n");
	rn_buf_init(&b, RN_SITE_MAX_PAGE);
	assert_int_equal(rn_site_page_doc(&site, d[0], &prov, &b), RN_OK);
	assert_non_null(strstr(b.data, "<html lang=\"en\">"));
	assert_non_null(strstr(b.data, "<meta charset=\"utf-8\">"));
	assert_non_null(strstr(b.data, "<title>One &lt;b&gt; \xe2\x80\x94 Collective &quot;&lt;x&gt;&quot;</title>"));
	assert_non_null(strstr(b.data, "<strong>Retracted</strong>: a &lt;reason&gt;"));
	assert_non_null(strstr(b.data, "<time datetime=\"2026-01-01T00:00:00Z\">2026-01-01</time>"));
	assert_null(strstr(b.data, "style="));
	assert_null(strstr(b.data, "<script"));
	rn_buf_reset(&b);
	/* Newest first, one per page. */
	assert_int_equal(rn_site_page_bulletins(&site, (const struct rn_site_doc *const *)d, 3, 1,
			     1, &npages, &b),
	    RN_OK);
	assert_int_equal(npages, 2);
	assert_non_null(strstr(b.data, "/d/b2/"));
	assert_null(strstr(b.data, "/d/b1/"));
	assert_non_null(strstr(b.data, "href=\"/bulletins/page/2/\" rel=\"next\""));
	rn_buf_reset(&b);
	assert_int_equal(rn_site_page_bulletins(&site, (const struct rn_site_doc *const *)d, 3, 3,
			     1, &npages, &b),
	    RN_ERR_NOTFOUND);
	assert_int_equal(rn_site_page_bulletins(&site, (const struct rn_site_doc *const *)d, 3, 1,
			     0, &npages, &b),
	    RN_ERR_INVAL);
	rn_buf_reset(&b);
	assert_int_equal(
	    rn_site_page_tactics(&site, (const struct rn_site_doc *const *)d, 3, NULL, &b), RN_OK);
	assert_non_null(strstr(b.data, "<a href=\"/tactics/tag/x/\">x</a>"));
	assert_non_null(strstr(b.data, "<a href=\"/tactics/tag/w/\">w</a>"));
	assert_int_equal(
	    rn_site_page_tactics(&site, (const struct rn_site_doc *const *)d, 3, "../x", &b),
	    RN_ERR_INVAL);
	rn_buf_reset(&b);
	assert_int_equal(rn_site_page_home(&site, (const struct rn_site_doc *const *)d, 3, 10, &b),
	    RN_OK);
	assert_non_null(strstr(b.data, "Tactics</a> (1)"));
	rn_buf_free(&b);
	rn_site_doc_free(d[0]);
	rn_site_doc_free(d[1]);
	rn_site_doc_free(d[2]);
}

static void
test_feed(void **state)
{
	struct rn_site_doc	  *d[2];
	struct rn_site_feed_filter f = { RN_SITE_BULLETINS, NULL, NULL };
	struct rn_site_info	   nosite = { "x", "en", NULL };
	struct rn_buf		   b;

	(void)state;
	d[0] = parse("---\nid: b1\ntitle: \"A & B\"\nsection: bulletins\n"
		     "date: 2026-01-01T10:00:00+02:00\nlang: fr\ntags: [t]\nauthors: [\"<me>\"]\n"
		     "---\nText [l](doc:b2) \x01 ctrl\n\n<script>x</script>\n");
	d[1] = parse("---\nid: t1\ntitle: Tac\nsection: tactics\nlang: en\ntags: [t]\n---\n");
	rn_buf_init(&b, RN_SITE_MAX_PAGE);
	assert_int_equal(rn_site_feed_atom(&site, &f, (const struct rn_site_doc *const *)d, 2,
			     1767225600, &b),
	    RN_OK);
	assert_non_null(strstr(b.data, "<feed xmlns=\"http://www.w3.org/2005/Atom\""));
	assert_non_null(strstr(b.data, "<updated>2026-01-01T08:00:00Z</updated>"));
	assert_non_null(strstr(b.data, "<id>urn:roneo:c0ffee:b1</id>"));
	assert_non_null(strstr(b.data, "<title type=\"text\">A &amp; B</title>"));
	assert_non_null(strstr(b.data, "<name>&lt;me&gt;</name>"));
	assert_non_null(strstr(b.data, "&lt;a href=&quot;/d/b2/&quot;&gt;l&lt;/a&gt;"));
	assert_null(strstr(b.data, "<script"));
	assert_null(strstr(b.data, "\x01"));	    /* not allowed in XML 1.0 */
	assert_non_null(strstr(b.data, "\xef\xbf\xbd ctrl")); /* U+FFFD instead */
	assert_null(strstr(b.data, "t1"));
	/* By tag: both sections; by language: only the French one. */
	rn_buf_reset(&b);
	f.section = -1;
	f.tag = "t";
	assert_int_equal(rn_site_feed_atom(&site, &f, (const struct rn_site_doc *const *)d, 2,
			     1767225600, &b),
	    RN_OK);
	assert_non_null(strstr(b.data, ":t1</id>"));
	assert_non_null(strstr(b.data, "href=\"/feeds/tag/t.atom\""));
	/* An undated entry takes the feed's date. */
	assert_non_null(strstr(b.data, "<updated>2026-01-01T00:00:00Z</updated>"));
	rn_buf_reset(&b);
	f.tag = NULL;
	f.lang = "en";
	assert_int_equal(rn_site_feed_atom(&site, &f, (const struct rn_site_doc *const *)d, 2,
			     1767225600, &b),
	    RN_OK);
	assert_null(strstr(b.data, ":b1</id>"));
	f.lang = "e\"n";
	assert_int_equal(rn_site_feed_atom(&site, &f, (const struct rn_site_doc *const *)d, 2,
			     1767225600, &b),
	    RN_ERR_INVAL);
	assert_int_equal(rn_site_feed_atom(&nosite, &f, (const struct rn_site_doc *const *)d, 2,
			     1767225600, &b),
	    RN_ERR_INVAL);
	rn_buf_free(&b);
	rn_site_doc_free(d[0]);
	rn_site_doc_free(d[1]);
}

static void
test_paths(void **state)
{
	struct rn_buf b;

	(void)state;
	rn_buf_init(&b, 1024);
	assert_int_equal(rn_site_path(RN_SITE_PATH_DOC, "abc", NULL, 0, &b), RN_OK);
	assert_string_equal(b.data, "/d/abc/");
	assert_int_equal(rn_site_path(RN_SITE_PATH_ATTACHMENT, "abc", "x.pdf", 0, &b), RN_OK);
	assert_string_equal(b.data, "/d/abc/x.pdf");
	assert_int_equal(rn_site_path(RN_SITE_PATH_PAGE, NULL, NULL, 3, &b), RN_OK);
	assert_string_equal(b.data, "/bulletins/page/3/");
	assert_int_equal(rn_site_path(RN_SITE_PATH_FEED, "tactics", NULL, 0, &b), RN_OK);
	assert_string_equal(b.data, "/feeds/tactics.atom");
	assert_int_equal(rn_site_path(RN_SITE_PATH_LANG_FEED, "pt-BR", NULL, 0, &b), RN_OK);
	assert_string_equal(b.data, "/feeds/lang/pt-BR.atom");
	assert_int_equal(rn_site_path(RN_SITE_PATH_DOC, "../x", NULL, 0, &b), RN_ERR_INVAL);
	assert_int_equal(rn_site_path(RN_SITE_PATH_ATTACHMENT, "abc", "../x", 0, &b), RN_ERR_INVAL);
	assert_int_equal(rn_site_path(RN_SITE_PATH_ATTACHMENT, "abc", "index.html", 0, &b),
	    RN_ERR_INVAL);
	assert_int_equal(rn_site_path(RN_SITE_PATH_PAGE, NULL, NULL, 1, &b), RN_ERR_INVAL);
	assert_int_equal(rn_site_path(RN_SITE_PATH_SECTION, "news", NULL, 0, &b), RN_ERR_INVAL);
	rn_buf_free(&b);
}

/* Case-insensitive search for needle in an attribute context: href=, src=, or on...= */
static bool
has_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
}

/* Any on...= attribute inside a tag (outside quoted values it would be live). */
static bool
has_event_attr(const char *html)
{
	const char *p = html;
	char	    q = 0;
	bool	    intag = false;

	for (; *p != '\0'; p++) {
		if (!intag) {
			intag = *p == '<';
			continue;
		}
		if (q != 0) {
			q = *p == q ? 0 : q;
			continue;
		}
		if (*p == '"' || *p == '\'')
			q = *p;
		else if (*p == '>')
			intag = false;
		else if (isspace((unsigned char)*p) && (p[1] == 'o' || p[1] == 'O') &&
		    (p[2] == 'n' || p[2] == 'N') && isalpha((unsigned char)p[3]))
			return true;
	}
	return false;
}

/* The battery, rendered in C too: the invariants that need no HTML parser. */
static void
test_xss_battery(void **state)
{
	const char	    *top = getenv("RN_TOP_SRCDIR");
	char		     dir[4096], path[4096 + 512];
	struct dirent	    *de;
	DIR		    *d;
	struct rn_buf	     text, out;
	struct rn_site_doc  *doc;
	struct rn_site_error err;
	unsigned	     seen = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/tests/site/xss", top != NULL ? top : RN_SRCDIR);
	assert_non_null(d = opendir(dir));
	rn_buf_init(&out, RN_SITE_MAX_PAGE);
	while ((de = readdir(d)) != NULL) {
		if (strstr(de->d_name, ".md") == NULL)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		rn_buf_init(&text, RN_SITE_MAX_DOC);
		assert_int_equal(rn_file_read_all(path, RN_SITE_MAX_DOC, &text), RN_OK);
		seen++;
		if (rn_site_doc_parse(text.data, text.len, 0, &doc, &err) != RN_OK) {
			assert_non_null(strstr(de->d_name, ".refuse.md"));
			rn_buf_free(&text);
			continue;
		}
		assert_null(strstr(de->d_name, ".refuse.md"));
		rn_buf_reset(&out);
		assert_int_equal(rn_site_page_doc(&site, doc, NULL, &out), RN_OK);
		if (has_ci(out.data, "<script") || has_ci(out.data, "href=\"javascript") ||
		    has_ci(out.data, "src=\"http") || has_ci(out.data, "<svg") ||
		    has_ci(out.data, "<iframe") || has_ci(out.data, "style=") ||
		    has_event_attr(out.data))
			fail_msg("%s renders:\n%s", de->d_name, out.data);
		rn_site_doc_free(doc);
		rn_buf_free(&text);
	}
	closedir(d);
	rn_buf_free(&out);
	assert_true(seen >= 40);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_images),
		cmocka_unit_test(test_safe_default),
		cmocka_unit_test(test_markdown_limits),
		cmocka_unit_test(test_markdown_text),
		cmocka_unit_test(test_pages),
		cmocka_unit_test(test_feed),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_xss_battery),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
