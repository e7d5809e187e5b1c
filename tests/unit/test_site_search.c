/* Unit tests for the search index (daemon/site/search.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "roneo/rn_site.h"

static struct rn_site_doc *
parse(const char *text)
{
	struct rn_site_doc  *d = NULL;
	struct rn_site_error err;

	if (rn_site_doc_parse(text, strlen(text), 0, &d, &err) != RN_OK)
		fail_msg("line %u: %s", err.line, err.msg);
	return d;
}

#define NDOCS 4
static struct rn_site_doc *docs[NDOCS];

static int
setup(void **state)
{
	(void)state;
	docs[0] = parse("---\nid: resume\ntitle: \"Le résumé des grèves\"\nsection: bulletins\n"
			"date: 2026-01-01\nlang: fr\n---\nUn café, des grévistes, une assemblée.\n");
	docs[1] = parse("---\nid: hostile\ntitle: Hostile text\nsection: bulletins\n"
			"date: 2026-01-02\nlang: en\nsummary: \"<script>alert(1)</script>\"\n---\n"
			"The word strike next to <b>bold</b> & \"quotes\" and \x02marker\x03.\n");
	docs[2] = parse("---\nid: phone-tree\ntitle: Phone trees\nsection: tactics\nlang: en\n"
			"tags: [organising]\n---\nA strike needs a phone tree. 東京でストライキ。\n");
	docs[3] = parse("---\nid: near\ntitle: NEAR and OR\nsection: tactics\nlang: en\n"
			"tags: [x]\n---\nstrike AND title:x NEAR(a b) \"quoted\" a*\n");
	return 0;
}

static int
teardown(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NDOCS; i++)
		rn_site_doc_free(docs[i]);
	return 0;
}

static struct rn_site_search *
open_index(void)
{
	struct rn_site_search *s = NULL;

	assert_int_equal(rn_site_search_open(NULL, &s), RN_OK);
	assert_int_equal(rn_site_search_put(s, (const struct rn_site_doc *const *)docs, NDOCS),
	    RN_OK);
	return s;
}

static size_t
hits(struct rn_site_search *s, const char *q, struct rn_site_results *r)
{
	enum rn_err err = rn_site_search_query(s, q, strlen(q), 0, 10, r);

	if (err != RN_OK)
		fail_msg("query %s: %d", q, err);
	return r->n;
}

static void
test_words(void **state)
{
	struct rn_site_search *s = open_index();
	struct rn_site_results r;

	(void)state;
	/* Diacritics removed both ways. */
	assert_int_equal(hits(s, "resume", &r), 1);
	assert_string_equal(r.hits[0].id, "resume");
	assert_int_equal(r.hits[0].section, RN_SITE_BULLETINS);
	assert_non_null(strstr(r.hits[0].snippet_html, "<mark>"));
	rn_site_results_free(&r);
	assert_int_equal(hits(s, "GREVISTES", &r), 1);
	rn_site_results_free(&r);
	assert_int_equal(hits(s, "café", &r), 1);
	rn_site_results_free(&r);
	/* All terms must match. */
	assert_int_equal(hits(s, "strike", &r), 3);
	rn_site_results_free(&r);
	assert_int_equal(hits(s, "strike phone", &r), 1);
	assert_string_equal(r.hits[0].id, "phone-tree");
	rn_site_results_free(&r);
	assert_int_equal(hits(s, "strike nothing-like-it", &r), 0);
	rn_site_results_free(&r);
	rn_site_search_close(s);
}

static void
test_quoting(void **state)
{
	static const char *const syntax[] = { "NEAR(a b)", "title:x", "a*", "strike OR phone",
		"\"quoted\"", "\"", "(", "^strike", "strike -phone", "- x", "AND", "{title}: x",
		"'", "strike\"", "x\"y" };
	struct rn_site_search	*s = open_index();
	struct rn_site_results	 r;
	size_t			 i;

	(void)state;
	/* FTS syntax is searched for as text, never obeyed, and never an error. */
	for (i = 0; i < sizeof(syntax) / sizeof(syntax[0]); i++) {
		assert_int_equal(
		    rn_site_search_query(s, syntax[i], strlen(syntax[i]), 0, 10, &r), RN_OK);
		rn_site_results_free(&r);
	}
	/* OR is a word that must be there too, not an operator (which would find 3). */
	assert_int_equal(hits(s, "strike OR phone", &r), 0);
	rn_site_results_free(&r);
	assert_int_equal(hits(s, "strike OR", &r), 1);
	assert_string_equal(r.hits[0].id, "near");
	rn_site_results_free(&r);
	assert_int_equal(hits(s, "title:x", &r), 1); /* the phrase "title x" */
	assert_string_equal(r.hits[0].id, "near");
	rn_site_results_free(&r);
	assert_int_equal(hits(s, "NEAR(a", &r), 1);
	rn_site_results_free(&r);
	rn_site_search_close(s);
}

static void
test_snippets_escaped(void **state)
{
	struct rn_site_search *s = open_index();
	struct rn_site_results r;

	(void)state;
	assert_int_equal(hits(s, "script", &r), 1);
	assert_string_equal(r.hits[0].id, "hostile");
	assert_null(strstr(r.hits[0].snippet_html, "<script"));
	assert_non_null(strstr(r.hits[0].snippet_html, "&lt;<mark>script</mark>&gt;"));
	rn_site_results_free(&r);
	assert_int_equal(hits(s, "bold", &r), 1);
	assert_null(strstr(r.hits[0].snippet_html, "<b>"));
	assert_null(strstr(r.hits[0].snippet_html, "\x02"));
	/* The document's own marker bytes were blanked, so only our <mark> pairs remain. */
	assert_non_null(strstr(r.hits[0].snippet_html, "&amp; &quot;quotes&quot;"));
	rn_site_results_free(&r);
	rn_site_search_close(s);
}

static void
test_trigram(void **state)
{
	struct rn_site_search *s = open_index();
	struct rn_site_results r;

	(void)state;
	/* No word "rganis" or "ストライキ" alone: the trigram index finds the substrings. */
	assert_int_equal(hits(s, "ストライキ", &r), 1);
	assert_string_equal(r.hits[0].id, "phone-tree");
	rn_site_results_free(&r);
	assert_int_equal(hits(s, "ssembl", &r), 1);
	assert_string_equal(r.hits[0].id, "resume");
	rn_site_results_free(&r);
	/* Under three characters: no trigram search, no hits. */
	assert_int_equal(hits(s, "ss", &r), 0);
	rn_site_results_free(&r);
	rn_site_search_close(s);
}

static void
test_paging_and_limits(void **state)
{
	struct rn_site_search *s = open_index();
	struct rn_site_results r;
	char		       q[RN_SITE_MAX_QUERY + 2];
	unsigned	       i;

	(void)state;
	assert_int_equal(rn_site_search_query(s, "strike", 6, 0, 2, &r), RN_OK);
	assert_int_equal(r.n, 2);
	assert_true(r.more);
	rn_site_results_free(&r);
	assert_int_equal(rn_site_search_query(s, "strike", 6, 2, 2, &r), RN_OK);
	assert_int_equal(r.n, 1);
	assert_false(r.more);
	rn_site_results_free(&r);
	assert_int_equal(rn_site_search_query(s, "strike", 6, 0, RN_SITE_MAX_RESULTS + 1, &r),
	    RN_ERR_INVAL);
	assert_int_equal(rn_site_search_query(s, "strike", 6, 0, 0, &r), RN_ERR_INVAL);
	assert_int_equal(
	    rn_site_search_query(s, "strike", 6, RN_SITE_MAX_RESULT_OFFSET + 1, 10, &r),
	    RN_ERR_INVAL);
	memset(q, 'a', sizeof(q));
	assert_int_equal(rn_site_search_query(s, q, RN_SITE_MAX_QUERY + 1, 0, 10, &r),
	    RN_ERR_TOOBIG);
	for (i = 0; i < RN_SITE_MAX_QUERY_TERMS + 1; i++) {
		q[2 * i] = 'a';
		q[2 * i + 1] = ' ';
	}
	assert_int_equal(rn_site_search_query(s, q, 2 * i, 0, 10, &r), RN_ERR_TOOBIG);
	assert_int_equal(rn_site_search_query(s, "   ", 3, 0, 10, &r), RN_ERR_INVAL);
	assert_int_equal(rn_site_search_query(s, "\xff", 1, 0, 10, &r), RN_ERR_INVAL);
	assert_int_equal(rn_site_search_query(s, "a\x01", 2, 0, 10, &r), RN_ERR_INVAL);
	assert_int_equal(r.n, 0);
	assert_null(r.hits);
	rn_site_search_close(s);
	rn_site_search_close(NULL);
	rn_site_results_free(NULL);
}

static void
test_update_remove_reopen(void **state)
{
	struct rn_site_search *s = NULL;
	struct rn_site_results r;
	struct rn_site_doc    *upd;
	char		       dir[] = "/tmp/rn-site-search-XXXXXX", path[64];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/search.db", dir);
	assert_int_equal(rn_site_search_open(path, &s), RN_OK);
	assert_int_equal(rn_site_search_put(s, (const struct rn_site_doc *const *)docs, NDOCS),
	    RN_OK);
	/* Putting a document again replaces it. */
	upd = parse("---\nid: hostile\ntitle: Rewritten\nsection: bulletins\ndate: 2026-01-02\n"
		    "lang: en\n---\nNothing else.\n");
	assert_int_equal(rn_site_search_put(s, (const struct rn_site_doc *const *)&upd, 1), RN_OK);
	rn_site_doc_free(upd);
	assert_int_equal(hits(s, "bold", &r), 0);
	rn_site_results_free(&r);
	assert_int_equal(hits(s, "rewritten", &r), 1);
	rn_site_results_free(&r);
	assert_int_equal(rn_site_search_remove(s, "phone-tree"), RN_OK);
	assert_int_equal(rn_site_search_remove(s, "phone-tree"), RN_ERR_NOTFOUND);
	rn_site_search_close(s);
	/* Reopened, it holds what was committed. */
	assert_int_equal(rn_site_search_open(path, &s), RN_OK);
	assert_int_equal(hits(s, "strike", &r), 1);
	assert_string_equal(r.hits[0].id, "near");
	rn_site_results_free(&r);
	rn_site_search_close(s);
	/* The database and whatever WAL files SQLite left beside it. */
	{
		static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
		char			 f[96];
		size_t			 i;

		for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
			snprintf(f, sizeof(f), "%s%s", path, suffix[i]);
			(void)unlink(f);
		}
	}
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_snippets_escaped),
		cmocka_unit_test(test_trigram),
		cmocka_unit_test(test_paging_and_limits),
		cmocka_unit_test(test_update_remove_reopen),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
