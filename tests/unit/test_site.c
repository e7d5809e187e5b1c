/* Unit tests for front matter and documents (daemon/site/frontmatter.c, doc.c, util.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roneo/rn_site.h"
#include "site/frontmatter.h"

static struct rn_site_doc *
parse_ok(const char *text, unsigned flags)
{
	struct rn_site_doc  *doc = NULL;
	struct rn_site_error err;
	enum rn_err	     r = rn_site_doc_parse(text, strlen(text), flags, &doc, &err);

	if (r != RN_OK)
		print_error("unexpected error at line %u: %s\n", err.line, err.msg);
	assert_int_equal(r, RN_OK);
	assert_non_null(doc);
	return doc;
}

/* Parsing fails with code, at line, with a message holding msg. */
static void
parse_fails(const char *text, enum rn_err code, unsigned line, const char *msg)
{
	struct rn_site_doc  *doc = (struct rn_site_doc *)1;
	struct rn_site_error err;
	enum rn_err	     r = rn_site_doc_parse(text, strlen(text), 0, &doc, &err);

	if (r != code || err.line != line || strstr(err.msg, msg) == NULL)
		print_error("input:\n%s\ngot %d at line %u: %s\nwant %d at line %u: %s\n", text,
		    r, err.line, err.msg, code, line, msg);
	assert_int_equal(r, code);
	assert_null(doc);
	assert_int_equal(err.line, line);
	assert_non_null(strstr(err.msg, msg));
}

static void
test_bulletin(void **state)
{
	struct rn_site_doc *d;

	(void)state;
	d = parse_ok("---\n"
		     "# a comment\n"
		     "id: strike-day-3\n"
		     "title: \"Strike: day 3\"   # trailing comment\n"
		     "section: bulletins\n"
		     "date: 2026-03-08T09:30:00+01:00\n"
		     "lang: en\n"
		     "tags: [strike, \"logistics\"]\n"
		     "authors:\n"
		     "  - Kestrel\n"
		     "  - \"Nightjar\"\n"
		     "summary: \"Line one\\nline two \\u00e9\"\n"
		     "attachments: [leaflet.pdf, map-1.png]\n"
		     "translations:\n"
		     "  fr: greve-jour-3\n"
		     "  pt-br: \"greve-dia-3\"\n"
		     "revision: 2\n"
		     "---\n"
		     "Body *text*.\n",
	    0);
	assert_string_equal(d->id, "strike-day-3");
	assert_string_equal(d->title, "Strike: day 3");
	assert_int_equal(d->section, RN_SITE_BULLETINS);
	assert_true(d->has_date);
	assert_true(d->date.has_time);
	assert_int_equal(d->date.offset_min, 60);
	assert_int_equal(d->date.utc, 1772958600); /* 2026-03-08T08:30:00Z */
	assert_string_equal(d->lang, "en");
	assert_int_equal(d->tags.n, 2);
	assert_string_equal(d->tags.v[1], "logistics");
	assert_int_equal(d->authors.n, 2);
	assert_string_equal(d->authors.v[1], "Nightjar");
	assert_string_equal(d->summary, "Line one\nline two \xc3\xa9");
	assert_int_equal(d->attachments.n, 2);
	assert_int_equal(d->ntranslations, 2);
	assert_string_equal(d->translations[1].lang, "pt-br");
	assert_string_equal(d->translations[1].id, "greve-dia-3");
	assert_int_equal(d->revision, 2);
	assert_string_equal(d->body, "Body *text*.\n");
	rn_site_doc_free(d);
	rn_site_doc_free(NULL);
}

static void
test_tactic_and_crlf(void **state)
{
	struct rn_site_doc *d;

	(void)state;
	d = parse_ok("---\r\nid: phone-tree\r\ntitle: Phone trees\r\nsection: tactics\r\n"
		     "lang: en\r\ntags:\r\n    - organising\r\nrelated: [mass-calls]\r\n---\r\n",
	    0);
	assert_int_equal(d->section, RN_SITE_TACTICS);
	assert_false(d->has_date);
	assert_int_equal(d->revision, 1);
	assert_string_equal(d->tags.v[0], "organising");
	assert_string_equal(d->related.v[0], "mass-calls");
	assert_int_equal(d->body_len, 0);
	rn_site_doc_free(d);
}

static const char conflict_doc[] = "---\n"
				   "id: housing-coop-2026\n"
				   "title: A dispute over rotas\n"
				   "section: conflicts\n"
				   "date: 2026-02-01\n"
				   "lang: en\n"
				   "context: \"Two members of a housing co-op.\\nSecond paragraph.\"\n"
				   "parties: [tenant, rota coordinator]\n"
				   "process: Three facilitated meetings\n"
				   "outcome: A new rota\n"
				   "status: %s\n"
				   "follow_ups:\n"
				   "  - Check-in after three months\n"
				   "consent: %s\n"
				   "right_of_reply: Write to the editors\n"
				   "---\n"
				   "Notes.\n";

static void
test_conflict(void **state)
{
	struct rn_site_doc  *d = NULL;
	struct rn_site_error err;
	char		     text[2048];

	(void)state;
	snprintf(text, sizeof(text), conflict_doc, "resolved", "true");
	d = parse_ok(text, 0);
	assert_int_equal(d->section, RN_SITE_CONFLICTS);
	assert_int_equal(d->conflict.status, RN_SITE_STATUS_RESOLVED);
	assert_true(d->conflict.consent);
	assert_int_equal(d->conflict.parties.n, 2);
	assert_string_equal(d->conflict.parties.v[1], "rota coordinator");
	assert_string_equal(d->conflict.follow_ups.v[0], "Check-in after three months");
	assert_string_equal(d->conflict.context, "Two members of a housing co-op.\nSecond paragraph.");
	assert_false(d->date.has_time);
	rn_site_doc_free(d);

	/* Consent must be attested to publish; a draft may lack it. */
	snprintf(text, sizeof(text), conflict_doc, "open", "false");
	assert_int_equal(rn_site_doc_parse(text, strlen(text), 0, &d, &err), RN_ERR_PERM);
	assert_null(d);
	assert_non_null(strstr(err.msg, "consent"));
	d = parse_ok(text, RN_SITE_PARSE_DRAFT);
	assert_int_equal(rn_site_doc_validate(d, &err), RN_ERR_PERM);
	rn_site_doc_free(d);
	snprintf(text, sizeof(text), conflict_doc, "closed", "true");
	parse_fails(text, RN_ERR_INVAL, 11, "'status' must be open, resolved or revisited");
	snprintf(text, sizeof(text), conflict_doc, "open", "yes");
	parse_fails(text, RN_ERR_INVAL, 14, "'consent' must be true or false");
}

static void
test_sections(void **state)
{
	enum rn_site_section s;

	(void)state;
	assert_int_equal(rn_site_section_threshold(RN_SITE_CONFLICTS), 2);
	assert_int_equal(rn_site_section_threshold(RN_SITE_BULLETINS), 1);
	assert_int_equal(rn_site_section_threshold(RN_SITE_TACTICS), 1);
	assert_string_equal(rn_site_section_name(RN_SITE_TACTICS), "tactics");
	assert_int_equal(rn_site_section_parse("conflicts", 9, &s), RN_OK);
	assert_int_equal(s, RN_SITE_CONFLICTS);
	assert_int_equal(rn_site_section_parse("conflict", 8, &s), RN_ERR_INVAL);
}

#define HEAD "---\nid: x\ntitle: T\nsection: bulletins\ndate: 2026-01-01\nlang: en\n"

struct bad_case {
	const char *text;
	unsigned    line;
	const char *msg;
};

/* Syntax outside the subset, each refused at its line with its own message. */
static const struct bad_case syntax_cases[] = {
	{ HEAD "tags:\n\t- a\n---\n", 8, "tab character" },
	{ HEAD "summary: &anchor text\n---\n", 7, "anchors" },
	{ HEAD "summary: *alias\n---\n", 7, "aliases" },
	{ HEAD "summary: !!str text\n---\n", 7, "tags (!)" },
	{ HEAD "summary: |\n  two\n  lines\n---\n", 7, "multi-line scalars" },
	{ HEAD "summary: >\n  folded\n---\n", 7, "multi-line scalars" },
	{ HEAD "summary: 'single'\n---\n", 7, "single-quoted" },
	{ HEAD "translations: {fr: y}\n---\n", 7, "flow mappings" },
	{ HEAD "title: again\n---\n", 7, "duplicate key 'title' (first on line 3)" },
	{ HEAD "colour: red\n---\n", 7, "unknown key 'colour'" },
	{ HEAD "translations:\n  fr:\n    x: y\n---\n", 8, "only one level of mapping" },
	{ HEAD "summary: \"unterminated\n---\n", 7, "unterminated string" },
	{ HEAD "summary: \"bad \\q escape\"\n---\n", 7, "unknown escape" },
	{ HEAD "summary: \"nul \\u0000\"\n---\n", 7, "control character" },
	{ HEAD "summary: yes\n---\n", 7, "quote it" },
	{ HEAD "summary: a: b\n---\n", 7, "': ' in a plain value" },
	{ HEAD "tags:\n  - a\n  b: c\n---\n", 9, "keys mixed with list items" },
	{ HEAD "tags:\n  - a\n   - b\n---\n", 9, "inconsistent indentation" },
	{ HEAD "tags:\n  - - a\n---\n", 8, "nested lists" },
	{ HEAD "tags: [a, [b]]\n---\n", 7, "nested lists" },
	{ HEAD "tags: [a, b\n---\n", 7, "must end on the line" },
	{ HEAD "tags:\nsummary: s\n---\n", 7, "'tags' has no value" },
	{ HEAD "  indented: x\n---\n", 7, "unexpected indentation" },
	{ HEAD "- item\n---\n", 7, "list item outside a list" },
	{ HEAD "Title: x\n---\n", 7, "keys are lower-case" },
	{ HEAD "title:x\n---\n", 7, "a space must follow ':'" },
	{ HEAD "\"q\": x\n---\n", 7, "quoted keys" },
	{ HEAD "? complex\n---\n", 7, "complex keys" },
	{ HEAD "revision: 012\n---\n", 7, "leading zeros" },
	{ HEAD "revision: \"3\"\n---\n", 7, "no quotes" },
	{ HEAD "revision: 0\n---\n", 7, "counts from 1" },
	{ HEAD "tags: a\n---\n", 7, "'tags' must be a list" },
	{ HEAD "related: [y]\n---\n", 7, "'related' is only for tactics" },
	{ HEAD "status: open\n---\n", 7, "'status' is only for conflicts" },
	{ HEAD "date: 2026-02-30\n---\n", 7, "duplicate key 'date'" },
	{ "---\nid: x\ntitle: T\nsection: bulletins\ndate: 2026-02-30\nlang: en\n---\n", 5,
	    "RFC 3339" },
	{ "---\nid: x\ntitle: T\nsection: news\nlang: en\n---\n", 4, "'section' must be" },
	{ "---\nid: x\ntitle: T\nsection: tactics\nlang: EN\n---\n", 5, "language tag" },
	{ "---\nid: x\ntitle: T\nsection: tactics\nlang: en\ntags: []\n---\n", 0,
	    "at least one tag" },
	{ "---\nid: x\ntitle: T\nsection: bulletins\nlang: en\n---\n", 0, "need a 'date'" },
	{ "---\nid: x\nsection: bulletins\nlang: en\n---\n", 0, "missing 'title'" },
	{ "---\ntitle: x\nlang: en\n---\n", 0, "missing 'section'" },
	{ "id: x\n---\n", 1, "starts with a '---' line" },
	{ "\xef\xbb\xbf---\nid: x\n---\n", 1, "byte order mark" },
	{ "---\nid: x\n", 1, "not closed" },
	{ HEAD "...\n---\n", 7, "'...' is not supported" },
	{ HEAD "summary: \"a\" b\n---\n", 7, "after the closing quote" },
	{ HEAD "summary: \"\"\n---\n", 7, "'summary' is empty" },
	{ HEAD "summary: \xff\n---\n", 7, "not UTF-8" },
	{ HEAD "tags: [a, a]\n---\n", 7, "lists a twice" },
	{ HEAD "translations:\n  en: other\n---\n", 0, "own language" },
	{ HEAD "translations:\n  xx-toolongsubtag: other\n---\n", 8, "not a language tag" },
	{ HEAD "---\nbody \xc3\x28\n", 8, "not UTF-8" },
};

static void
test_syntax_errors(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(syntax_cases) / sizeof(syntax_cases[0]); i++)
		parse_fails(syntax_cases[i].text, RN_ERR_INVAL, syntax_cases[i].line,
		    syntax_cases[i].msg);
}

#define HEAD_NOID "---\ntitle: T\nsection: bulletins\ndate: 2026-01-01\nlang: en\n"

/* Names that become paths: each hostile spelling refused with a clear reason. */
static const struct bad_case name_cases[] = {
	{ HEAD_NOID "id: ../etc\n---\n", 6, "holds '..'" },
	{ HEAD_NOID "id: a/b\n---\n", 6, "path separator" },
	{ HEAD_NOID "id: \"a\\\\b\"\n---\n", 6, "path separator" },
	{ HEAD_NOID "id: \"a\\u202eb\"\n---\n", 6, "bidirectional control character (U+202E)" },
	{ HEAD_NOID "id: a\xe2\x80\xaeqb\n---\n", 6, "bidirectional control character (U+202E)" },
	{ HEAD_NOID "id: a\xe2\x81\xa6qb\n---\n", 6, "bidirectional control character (U+2066)" },
	{ HEAD_NOID "id: \"a\\u0085b\"\n---\n", 6, "control character" },
	{ HEAD_NOID "id: a\x01z\n---\n", 6, "control character" },
	{ HEAD_NOID "id: a\0b\n---\n", 1, "not closed" }, /* strlen stops at the NUL */
	{ HEAD_NOID "id: caf\xc3\xa9\n---\n", 6, "non-ASCII character (U+00E9)" },
	{ HEAD_NOID "id: Upper\n---\n", 6, "upper-case" },
	{ HEAD_NOID "id: -dash\n---\n", 6, "start and end with a letter or digit" },
	{ HEAD_NOID "id: a_b\n---\n", 6, "holds '_'" },
	{ HEAD_NOID "id: a%2fb\n---\n", 6, "holds '%'" },
	{ HEAD_NOID "id: "
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n---\n",
	    6, "longer than 64 bytes" },
	{ HEAD "tags: [\"../x\"]\n---\n", 7, "an item of 'tags' holds '..'" },
	{ HEAD "attachments: [../../etc/passwd]\n---\n", 7, "holds '..'" },
	{ HEAD "attachments: [\".hidden\"]\n---\n", 7, "must start with a letter or digit" },
	{ HEAD "attachments: [index.html]\n---\n", 7, "reserved" },
	{ HEAD "attachments: [a.pdf, a.pdf.gz]\n---\n", 7, "cannot both exist" },
	{ HEAD "attachments: [\"a\\u202etxt.exe\"]\n---\n", 7, "bidirectional" },
	{ HEAD "attachments: [\"a b.pdf\"]\n---\n", 7, "holds ' '" },
	{ HEAD "attachments: [\"C:\\\\x\"]\n---\n", 7, "holds ':'" },
	{ HEAD "translations:\n  fr: ../x\n---\n", 8, "a translation's id holds '..'" },
	{ HEAD "authors: [\"Mallory\\u202e\"]\n---\n", 7, "invisible formatting character" },
	{ HEAD "title: \"two\\nlines\"\n---\n", 7, "duplicate key 'title'" },
	{ "---\nid: x\ntitle: \"two\\nlines\"\nsection: tactics\nlang: en\n---\n", 3,
	    "a newline" },
};

static void
test_hostile_names(void **state)
{
	struct rn_site_error err;
	char		     big[200];
	size_t		     i;

	(void)state;
	for (i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]); i++)
		parse_fails(name_cases[i].text, RN_ERR_INVAL, name_cases[i].line, name_cases[i].msg);
	/* A NUL byte inside the front matter */
	{
		static const char nul[] = HEAD_NOID "id: a\0b\n---\n";
		struct rn_site_doc *d = NULL;

		assert_int_equal(rn_site_doc_parse(nul, sizeof(nul) - 1, 0, &d, &err), RN_ERR_INVAL);
		assert_int_equal(err.line, 6);
		assert_non_null(strstr(err.msg, "control character"));
	}
	/* The same checks, for other callers. */
	assert_int_equal(rn_site_check_id("ok-id-1", 7, &err), RN_OK);
	assert_int_equal(rn_site_check_id("a\0b", 3, &err), RN_ERR_INVAL);
	assert_non_null(strstr(err.msg, "NUL"));
	assert_int_equal(rn_site_check_attachment("report.v2_final.pdf", 19, &err), RN_OK);
	assert_int_equal(rn_site_check_attachment("a\0.pdf", 6, &err), RN_ERR_INVAL);
	memset(big, 'a', sizeof(big));
	assert_int_equal(rn_site_check_attachment(big, sizeof(big), &err), RN_ERR_INVAL);
	assert_non_null(strstr(err.msg, "longer than 128"));
	assert_int_equal(rn_site_check_attachment("", 0, NULL), RN_ERR_INVAL);
}

static void
test_dates(void **state)
{
	static const char *const good[] = { "2026-01-31", "2024-02-29", "1970-01-01T00:00:00Z",
		"2026-11-23T17:28:19.123456z", "2026-11-23t17:28:19-05:30",
		"1999-12-31T23:59:60Z" };
	static const char *const bad[] = { "2026-1-31", "2023-02-29", "2026-13-01",
		"2026-00-10", "2026-01-32", "2026-01-31T24:00:00Z", "2026-01-31T10:00:00",
		"2026-01-31 10:00:00Z", "2026-01-31T10:00Z", "2026-01-31T10:00:00.Z",
		"2026-01-31T10:00:00+1:00", "2026-01-31T10:00:00+24:00", "+2026-01-31", "" };
	struct rn_site_date d;
	char		    out[RN_SITE_DATE_BUFSZ];
	size_t		    i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(rn_site_date_parse(good[i], strlen(good[i]), &d), RN_OK);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (rn_site_date_parse(bad[i], strlen(bad[i]), &d) != RN_ERR_INVAL)
			fail_msg("accepted %s", bad[i]);
	}
	assert_int_equal(rn_site_date_parse("2026-11-23t17:28:19-05:30", 25, &d), RN_OK);
	rn_site_date_format(d.utc, out);
	assert_string_equal(out, "2026-11-23T22:58:19Z");
	assert_int_equal(d.offset_min, -330);
	rn_site_date_format(0, out);
	assert_string_equal(out, "1970-01-01T00:00:00Z");
	assert_int_equal(rn_site_date_parse("1969-12-31T23:59:59Z", 20, &d), RN_OK);
	assert_int_equal(d.utc, -1);
	rn_site_date_format(d.utc, out);
	assert_string_equal(out, "1969-12-31T23:59:59Z");
	assert_int_equal(rn_site_date_parse("2000-02-29", 10, &d), RN_OK);
	assert_int_equal(d.utc, 951782400);
}

static void
test_limits(void **state)
{
	struct rn_site_doc  *d = NULL;
	struct rn_site_error err;
	struct rn_buf	     b;
	unsigned	     i;

	(void)state;
	/* 65 list items */
	rn_buf_init(&b, 1u << 20);
	assert_int_equal(rn_buf_puts(&b, HEAD "tags:\n"), RN_OK);
	for (i = 0; i <= RN_SITE_MAX_LIST; i++)
		assert_int_equal(rn_buf_printf(&b, "  - t%u\n", i), RN_OK);
	assert_int_equal(rn_buf_puts(&b, "---\n"), RN_OK);
	assert_int_equal(rn_site_doc_parse(b.data, b.len, 0, &d, &err), RN_ERR_TOOBIG);
	assert_int_equal(err.line, 7 + RN_SITE_MAX_LIST + 1);
	assert_non_null(strstr(err.msg, "more than 64 items"));
	/* A body one byte over the cap */
	rn_buf_reset(&b);
	assert_int_equal(rn_buf_puts(&b, HEAD "---\n"), RN_OK);
	for (i = 0; i <= RN_SITE_MAX_BODY; i++)
		assert_int_equal(rn_buf_append(&b, "x", 1), RN_OK);
	assert_int_equal(rn_site_doc_parse(b.data, b.len, 0, &d, &err), RN_ERR_TOOBIG);
	assert_non_null(strstr(err.msg, "body longer"));
	/* Exactly at the cap it is fine. */
	b.len--;
	assert_int_equal(rn_site_doc_parse(b.data, b.len, 0, &d, &err), RN_OK);
	rn_site_doc_free(d);
	/* Front matter over its cap, or without end */
	rn_buf_reset(&b);
	assert_int_equal(rn_buf_puts(&b, "---\n"), RN_OK);
	for (i = 0; i < RN_SITE_MAX_FRONTMATTER / 8; i++)
		assert_int_equal(rn_buf_puts(&b, "# abcde\n"), RN_OK);
	assert_int_equal(rn_buf_puts(&b, "# one more line\n---\n"), RN_OK);
	assert_int_equal(rn_site_doc_parse(b.data, b.len, 0, &d, &err), RN_ERR_TOOBIG);
	/* A long title */
	rn_buf_reset(&b);
	assert_int_equal(rn_buf_puts(&b, "---\nid: x\nsection: tactics\nlang: en\ntitle: "), RN_OK);
	for (i = 0; i <= RN_SITE_MAX_TITLE; i++)
		assert_int_equal(rn_buf_append(&b, "t", 1), RN_OK);
	assert_int_equal(rn_buf_puts(&b, "\n---\n"), RN_OK);
	assert_int_equal(rn_site_doc_parse(b.data, b.len, 0, &d, &err), RN_ERR_INVAL);
	assert_non_null(strstr(err.msg, "'title' longer than 256"));
	rn_buf_free(&b);
}

/* The generic layer: shapes, quoting and integers as fm_* read them. */
static void
test_frontmatter_layer(void **state)
{
	static const char    fm[] = "a: plain text # comment\n"
				    "b: \"quoted \\\"x\\\" \\/ \\t\"\n"
				    "c: []\n"
				    "d:\n  k1: v1\n  k2: \"v 2\"\n"
				    "e: 18446744073709551615\n"
				    "f: -5\n";
	struct fm_doc	     d;
	struct rn_site_error err;
	uint64_t	     u;
	bool		     bv;

	(void)state;
	assert_int_equal(fm_parse(fm, sizeof(fm) - 1, 2, &d, &err), RN_OK);
	assert_int_equal(d.n, 6);
	assert_string_equal(d.e[0].scalar.s, "plain text");
	assert_false(d.e[0].scalar.quoted);
	assert_string_equal(d.e[1].scalar.s, "quoted \"x\" / \t");
	assert_true(d.e[1].scalar.quoted);
	assert_int_equal(d.e[2].kind, FM_LIST);
	assert_int_equal(d.e[2].nitems, 0);
	assert_int_equal(d.e[3].kind, FM_MAP);
	assert_int_equal(d.e[3].npairs, 2);
	assert_string_equal(d.e[3].pairs[1].key, "k2");
	assert_string_equal(d.e[3].pairs[1].val.s, "v 2");
	assert_int_equal(d.e[3].pairs[1].val.line, 7);
	assert_int_equal(fm_uint(&d.e[4].scalar, "e", UINT64_MAX, &u, &err), RN_OK);
	assert_true(u == UINT64_MAX);
	assert_int_equal(fm_uint(&d.e[4].scalar, "e", 1000, &u, &err), RN_ERR_INVAL);
	assert_int_equal(fm_uint(&d.e[5].scalar, "f", 1000, &u, &err), RN_ERR_INVAL);
	assert_int_equal(fm_bool(&d.e[0].scalar, "a", &bv, &err), RN_ERR_INVAL);
	assert_int_equal(err.line, 2);
	fm_doc_free(&d);
	fm_doc_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bulletin),
		cmocka_unit_test(test_tactic_and_crlf),
		cmocka_unit_test(test_conflict),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_frontmatter_layer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
