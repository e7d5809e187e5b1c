/* Unit tests for daemon/http/multipart.c: the streaming multipart/form-data parser. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "roneo/rn_multipart.h"
#include "roneo/rn_util.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RN_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define RN_TEST_ASAN 1
#endif
#ifdef RN_TEST_ASAN
/* From the ASan runtime (declared here: gcc ships no sanitizer headers). */
size_t __sanitizer_get_current_allocated_bytes(void);
#else
#include <malloc.h>
#endif

/* Bytes of a string literal, NULs included, without the final NUL. */
#define L(s) (s), (sizeof(s) - 1)

#define BND   "AaB03x"
#define OPEN  "--" BND "\r\n"
#define NEXT  "\r\n--" BND "\r\n"
#define CLOSE "\r\n--" BND "--\r\n"
#define CD(n) "Content-Disposition: form-data; name=\"" n "\"\r\n"
#define CDF(n, f)                                                                                  \
	"Content-Disposition: form-data; name=\"" n "\"; filename=\"" f "\"\r\n"
/* A one-part body around a header block (ending in the empty line) and content. */
#define ONE(hdrs, data) OPEN hdrs "\r\n" data CLOSE

#define MAXP	  80
#define DATA_MAX  (16u * 1024u * 1024u)
#define NRANDOM	  40 /* random splits per body */
#define MEM_TOTAL (64u * 1024u * 1024u)
#define MEM_PIECE 16384u

/* ---------------------------------------------------------------------- */
/* A deterministic PRNG for splits (splitmix64). */

static uint64_t
prng(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* ---------------------------------------------------------------------- */
/* What the callbacks saw. */

struct rpart {
	char   name[RN_MULTIPART_MAX_NAME + 1];
	size_t name_len;
	char   fn[RN_MULTIPART_MAX_FILENAME + 1];
	size_t fn_len;
	bool   has_fn;
	char   ct[RN_MULTIPART_MAX_CONTENT_TYPE + 1];
	bool   has_ct;
	size_t off, len; /* content in rec.data */
	bool   ended;
};

struct rec {
	struct rpart  p[MAXP];
	size_t	      np;
	bool	      in_part;
	struct rn_buf data;
	/* Failure injection: the callback of that kind, at that call, fails. */
	int	    fail_kind; /* 0 none, 1 begin, 2 data, 3 end */
	size_t	    fail_at;
	size_t	    calls[4];
	enum rn_err fail_err;
};

static struct rec rec_a, rec_b;
static const char *last_why; /* rn_multipart_error() of the last run */

static void
rec_reset(struct rec *r)
{
	rn_buf_free(&r->data);
	memset(r, 0, sizeof(*r));
	rn_buf_init(&r->data, DATA_MAX);
}

static bool
inject(struct rec *r, int kind)
{
	return r->fail_kind == kind && r->calls[kind]++ == r->fail_at;
}

static enum rn_err
cb_begin(const struct rn_multipart_part *part, void *arg)
{
	struct rec *r = arg;
	struct rpart *rp;

	assert_false(r->in_part);
	assert_true(r->np < MAXP);
	assert_int_equal(part->index, r->np);
	assert_non_null(part->name);
	assert_int_equal(strlen(part->name), part->name_len);
	assert_true(part->name_len >= 1 && part->name_len <= RN_MULTIPART_MAX_NAME);
	rp = &r->p[r->np++];
	memcpy(rp->name, part->name, part->name_len + 1);
	rp->name_len = part->name_len;
	if (part->filename != NULL) {
		assert_int_equal(strlen(part->filename), part->filename_len);
		assert_true(part->filename_len <= RN_MULTIPART_MAX_FILENAME);
		memcpy(rp->fn, part->filename, part->filename_len + 1);
		rp->fn_len = part->filename_len;
		rp->has_fn = true;
	}
	if (part->content_type != NULL) {
		assert_true(strlen(part->content_type) <= RN_MULTIPART_MAX_CONTENT_TYPE);
		memcpy(rp->ct, part->content_type, strlen(part->content_type) + 1);
		rp->has_ct = true;
	}
	rp->off = r->data.len;
	r->in_part = true;
	if (inject(r, 1))
		return r->fail_err;
	return RN_OK;
}

static enum rn_err
cb_data(const void *p, size_t n, void *arg)
{
	struct rec *r = arg;

	assert_true(r->in_part);
	assert_true(n > 0);
	assert_int_equal(rn_buf_append(&r->data, p, n), RN_OK);
	r->p[r->np - 1].len += n;
	if (inject(r, 2))
		return r->fail_err;
	return RN_OK;
}

static enum rn_err
cb_end(void *arg)
{
	struct rec *r = arg;

	assert_true(r->in_part);
	r->in_part = false;
	r->p[r->np - 1].ended = true;
	if (inject(r, 3))
		return r->fail_err;
	return RN_OK;
}

static const struct rn_multipart_cbs cbs = { cb_begin, cb_data, cb_end };

static void
rec_equal(const struct rec *a, const struct rec *b)
{
	size_t i;

	assert_int_equal(a->np, b->np);
	assert_int_equal(a->in_part, b->in_part);
	for (i = 0; i < a->np; i++) {
		assert_string_equal(a->p[i].name, b->p[i].name);
		assert_int_equal(a->p[i].has_fn, b->p[i].has_fn);
		assert_string_equal(a->p[i].fn, b->p[i].fn);
		assert_int_equal(a->p[i].fn_len, b->p[i].fn_len);
		assert_int_equal(a->p[i].has_ct, b->p[i].has_ct);
		assert_string_equal(a->p[i].ct, b->p[i].ct);
		assert_int_equal(a->p[i].off, b->p[i].off);
		assert_int_equal(a->p[i].len, b->p[i].len);
		assert_int_equal(a->p[i].ended, b->p[i].ended);
	}
	assert_int_equal(a->data.len, b->data.len);
	if (a->data.len > 0)
		assert_memory_equal(a->data.data, b->data.data, a->data.len);
}

static int
teardown(void **state)
{
	(void)state;
	rn_buf_free(&rec_a.data);
	rn_buf_free(&rec_b.data);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Running a body. */

enum split { WHOLE, BYTES, RANDOM };

/* Feed one piece from an exactly-sized heap copy, so ASan sees overreads. */
static enum rn_err
feed_copy(struct rn_multipart *mp, const char *p, size_t n)
{
	enum rn_err err;
	char *copy;

	copy = malloc(n > 0 ? n : 1);
	assert_non_null(copy);
	memcpy(copy, p, n);
	err = rn_multipart_feed(mp, copy, n);
	free(copy);
	return err;
}

static size_t
piece_len(enum split how, uint64_t *seed, size_t left)
{
	uint64_t x;

	if (how == WHOLE)
		return left;
	if (how == BYTES)
		return 1;
	x = prng(seed);
	if ((x & 15) == 0)
		return 0; /* an empty feed changes nothing */
	if ((x & 16) != 0) /* small pieces half the time: delimiters get cut */
		return 1 + (size_t)((x >> 8) % (left < 8 ? left : 8));
	return 1 + (size_t)((x >> 8) % left);
}

static enum rn_err
run(const char *body, size_t n, const char *bnd, const struct rn_multipart_limits *lim,
    enum split how, uint64_t seed, struct rec *r)
{
	struct rn_multipart *mp;
	enum rn_err err = RN_OK, err2;
	size_t i = 0, k;

	rec_reset(r);
	mp = rn_multipart_new(bnd, lim, &cbs, r);
	assert_non_null(mp);
	while (i < n && err == RN_OK) {
		k = piece_len(how, &seed, n - i);
		err = feed_copy(mp, body + i, k);
		i += k;
	}
	if (err == RN_OK)
		err = rn_multipart_finish(mp);
	assert_int_equal(rn_multipart_status(mp), rn_err_http_status(err));
	assert_non_null(rn_multipart_error(mp));
	last_why = rn_multipart_error(mp);
	if (err != RN_OK) {
		assert_string_not_equal(rn_multipart_error(mp), "ok");
		/* The error sticks. */
		assert_int_equal(rn_multipart_feed(mp, "x", 1), err);
		err2 = rn_multipart_finish(mp);
		assert_int_equal(err2, err);
	} else {
		assert_int_equal(rn_multipart_status(mp), 200);
		assert_false(r->in_part);
		assert_int_equal(rn_multipart_parts(mp), r->np);
	}
	rn_multipart_free(mp);
	return err;
}

/*
 * The body must give `want` and the same callbacks whether fed whole, byte
 * by byte, or in random pieces.  rec_a holds what the whole feed gave.
 */
static void
check_lim(const char *body, size_t n, const char *bnd, const struct rn_multipart_limits *lim,
    enum rn_err want)
{
	uint64_t seed;
	int i;

	assert_int_equal(run(body, n, bnd, lim, WHOLE, 0, &rec_a), want);
	assert_int_equal(run(body, n, bnd, lim, BYTES, 0, &rec_b), want);
	if (want == RN_OK)
		rec_equal(&rec_a, &rec_b);
	for (i = 0; i < NRANDOM; i++) {
		seed = (uint64_t)i * 7919u + n;
		assert_int_equal(run(body, n, bnd, lim, RANDOM, seed, &rec_b), want);
		if (want == RN_OK)
			rec_equal(&rec_a, &rec_b);
	}
	/* rec_a again for the caller's own checks. */
	(void)run(body, n, bnd, lim, WHOLE, 0, &rec_a);
}

static void
check(const char *body, size_t n, enum rn_err want)
{
	check_lim(body, n, BND, NULL, want);
}

static void
part_is(size_t i, const char *name, const char *fn, const char *ct, const char *data, size_t len)
{
	const struct rpart *p = &rec_a.p[i];

	assert_true(i < rec_a.np);
	assert_string_equal(p->name, name);
	if (fn == NULL)
		assert_false(p->has_fn);
	else {
		assert_true(p->has_fn);
		assert_string_equal(p->fn, fn);
	}
	if (ct == NULL)
		assert_false(p->has_ct);
	else {
		assert_true(p->has_ct);
		assert_string_equal(p->ct, ct);
	}
	assert_true(p->ended);
	assert_int_equal(p->len, len);
	if (len > 0)
		assert_memory_equal(rec_a.data.data + p->off, data, len);
}

/* ---------------------------------------------------------------------- */
/* Valid bodies. */

static void
test_one_field(void **state)
{
	(void)state;
	check(L(ONE(CD("message"), "hello")), RN_OK);
	assert_int_equal(rec_a.np, 1);
	part_is(0, "message", NULL, NULL, L("hello"));
}

static void
test_browser_like(void **state)
{
	static const char body[] = OPEN CD("token") "\r\n"
				   "f00d" NEXT CD("message") "\r\n"
				   "Line one\r\nline two\r\n" NEXT
				   CDF("file", "report.pdf")
				   "Content-Type: application/pdf\r\n"
				   "\r\n"
				   "%PDF-1.4\r\n%\xe2\xe3\xcf\xd3\r\n" NEXT
				   CDF("file", "notes.txt")
				   "Content-Type: text/plain\r\n"
				   "\r\n"
				   "a\nb\n" CLOSE;

	(void)state;
	check(L(body), RN_OK);
	assert_int_equal(rec_a.np, 4);
	part_is(0, "token", NULL, NULL, L("f00d"));
	part_is(1, "message", NULL, NULL, L("Line one\r\nline two\r\n"));
	part_is(2, "file", "report.pdf", "application/pdf", L("%PDF-1.4\r\n%\xe2\xe3\xcf\xd3\r\n"));
	part_is(3, "file", "notes.txt", "text/plain", L("a\nb\n"));
}

static void
test_empty_file(void **state)
{
	/* What browsers send for a file input left empty, then an empty field. */
	static const char body[] = OPEN CDF("file", "")
				   "Content-Type: application/octet-stream\r\n"
				   "\r\n" NEXT CD("message") "\r\n" CLOSE;

	(void)state;
	check(L(body), RN_OK);
	assert_int_equal(rec_a.np, 2);
	part_is(0, "file", "", "application/octet-stream", "", 0);
	part_is(1, "message", NULL, NULL, "", 0);
}

#define LOOKALIKES                                                                                 \
	"\r\n\r\r\n\n--\r\n-\r\n--\r\n--A\r\n--AaB03\r\n--AaB03"                              \
	"--AaB03x\r\n\n--AaB03x\r\r--AaB03x\r\n-AaB03x\r--AaB03x--"                               \
	"\0\r\0\n\x80\xff--AaB03x\r\n-- AaB03x\r\r\n--AaB0"

static void
test_binary_lookalikes(void **state)
{
	/* Content with CR, LF, "--", bare-LF and bare-CR delimiters, partial
	 * delimiters, the boundary text without CRLF and NULs. */
	static const char data[] = LOOKALIKES;
	static const char body[] = ONE(CDF("f", "bin"), LOOKALIKES);

	(void)state;
	check(L(body), RN_OK);
	assert_int_equal(rec_a.np, 1);
	part_is(0, "f", "bin", NULL, L(data));
}

static void
test_all_bytes(void **state)
{
	struct rn_buf b;
	int i, j;

	(void)state;
	rn_buf_init(&b, 1u << 20);
	assert_int_equal(rn_buf_puts(&b, OPEN CDF("f", "all.bin") "\r\n"), RN_OK);
	for (j = 0; j < 4; j++)
		for (i = 0; i < 256; i++) {
			char c = (char)(unsigned char)((i * 7 + j) & 0xff);
			assert_int_equal(rn_buf_append(&b, &c, 1), RN_OK);
		}
	assert_int_equal(rn_buf_puts(&b, CLOSE), RN_OK);
	check(b.data, b.len, RN_OK);
	assert_int_equal(rec_a.p[0].len, 1024);
	assert_memory_equal(rec_a.data.data, b.data + strlen(OPEN CDF("f", "all.bin") "\r\n"), 1024);
	rn_buf_free(&b);
}

static void
test_boundary_one_char(void **state)
{
	static const char body[] = "--x\r\n" CD("a") "\r\n"
				   "x\r\nx-\r\n-x--\r\n--\r\n-x\r\n--y"
				   "\r\n--x\r\n" CD("b") "\r\n"
							 "2\r\n--x--";
	static const char dash[] = "--" "-\r\n" CD("a") "\r\n"
				   "--\r\n--\r\n-\r\n-"
				   "\r\n---" "--\r\n";

	(void)state;
	check_lim(L(body), "x", NULL, RN_OK);
	assert_int_equal(rec_a.np, 2);
	part_is(0, "a", NULL, NULL, L("x\r\nx-\r\n-x--\r\n--\r\n-x\r\n--y"));
	part_is(1, "b", NULL, NULL, L("2"));
	/* Boundary "-": the delimiter is CRLF "---", the close "-----". */
	check_lim(L(dash), "-", NULL, RN_OK);
	part_is(0, "a", NULL, NULL, L("--\r\n--\r\n-\r\n-"));
}

#define B69 "0123456789'()+_,-./:=? abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRST"
#define B70 B69 "U"

static void
test_boundary_70(void **state)
{
	static const char body[] = "--" B70 "\r\n" CD("a") "\r\n"
				   "\r\n--" B70 "X\r\n--" B70 "\r\n-" B70
				   "\r\n--" B70 "--\r\n";
	char out[RN_MULTIPART_BOUNDARY_BUFSZ];

	(void)state;
	assert_int_equal(strlen(B70), 70);
	assert_true(rn_multipart_is_boundary(B70));
	assert_int_equal(rn_multipart_boundary(L("multipart/form-data; boundary=\"" B70 "\""), out,
			     sizeof(out)),
	    RN_OK);
	assert_string_equal(out, B70);
	/* "CRLF--" B70 "X" is a delimiter followed by junk: use a clean body. */
	check_lim(L("--" B70 "\r\n" CD("a") "\r\n"
		    "\r\n-" B70 "\r\n--" B69 "\r\n-"
		    "\r\n--" B70 "--\r\n"),
	    B70, NULL, RN_OK);
	part_is(0, "a", NULL, NULL, L("\r\n-" B70 "\r\n--" B69 "\r\n-"));
	check_lim(L(body), B70, NULL, RN_ERR_INVAL);
}

static void
test_preamble_epilogue_padding(void **state)
{
	static const char body[] = "This is a preamble\r\nwith lines --AaB03x\r\n"
				   "--AaB03x \t \r\n" CD("a") "\r\n"
				   "v\r\n--AaB03x\t\r\n" CD("b") "\r\n"
				   "w\r\n--AaB03x--  \r\n"
				   "epilogue\r\n--AaB03x\r\n"
				   "ignored";

	(void)state;
	check(L(body), RN_OK);
	assert_int_equal(rec_a.np, 2);
	part_is(0, "a", NULL, NULL, L("v"));
	part_is(1, "b", NULL, NULL, L("w"));
	/* An empty preamble: just the CRLF before the first delimiter. */
	check(L("\r\n" ONE(CD("a"), "v")), RN_OK);
	part_is(0, "a", NULL, NULL, L("v"));
}

static void
test_close_at_end(void **state)
{
	(void)state;
	/* The close delimiter may end the body without a CRLF, with padding. */
	check(L(OPEN CD("a") "\r\nv\r\n--AaB03x--"), RN_OK);
	part_is(0, "a", NULL, NULL, L("v"));
	check(L(OPEN CD("a") "\r\nv\r\n--AaB03x-- "), RN_OK);
	/* No parts at all (an empty form). */
	check(L("--AaB03x--\r\n"), RN_OK);
	assert_int_equal(rec_a.np, 0);
}

static void
test_quoted_and_token_params(void **state)
{
	static const char body[] =
	    OPEN "Content-Disposition: form-data; name=tok_en.1; filename=a.txt\r\n"
		 "\r\n"
		 "1" NEXT "Content-Disposition: form-data; name=\"q\\\"uo\\\\te\"; "
		 "filename=\"x\\y \\\"z\\\"\"\r\n"
		 "\r\n"
		 "2" NEXT "Content-Disposition:form-data;name=\"sp ace\";filename=\"\"\r\n"
		 "\r\n"
		 "3" NEXT "Content-Disposition: FORM-DATA ; NAME=\"n\" ;\tFileName=\"f\"  \r\n"
		 "\r\n"
		 "4" CLOSE;

	(void)state;
	check(L(body), RN_OK);
	assert_int_equal(rec_a.np, 4);
	part_is(0, "tok_en.1", "a.txt", NULL, L("1"));
	part_is(1, "q\"uo\\te", "xy \"z\"", NULL, L("2"));
	part_is(2, "sp ace", "", NULL, L("3"));
	part_is(3, "n", "f", NULL, L("4"));
}

static void
test_header_names_case(void **state)
{
	static const char body[] = OPEN "content-disposition: form-data; name=\"a\"\r\n"
					"CONTENT-TYPE: Text/Plain; Charset=\"utf-8\"\r\n"
					"content-transfer-encoding: BINARY\r\n"
					"\r\n"
					"v" CLOSE;

	(void)state;
	check(L(body), RN_OK);
	part_is(0, "a", NULL, "Text/Plain; Charset=\"utf-8\"", L("v"));
}

static void
test_cte_identity(void **state)
{
	(void)state;
	check(L(ONE(CD("a") "Content-Transfer-Encoding: 7bit\r\n", "v")), RN_OK);
	check(L(ONE(CD("a") "Content-Transfer-Encoding: 8bit\r\n", "v")), RN_OK);
	check(L(ONE(CD("a") "Content-Transfer-Encoding:  binary \r\n", "v")), RN_OK);
	part_is(0, "a", NULL, NULL, L("v"));
}

static void
test_unknown_headers_and_params(void **state)
{
	static const char body[] = OPEN "X-Whatever: yes; \"quoted\" \x80\xff\r\n"
					"Content-Disposition: form-data; size=12; name=\"a\"; "
					"creation-date=\"Wed, 12 Feb 1997 16:29:51 -0500\"\r\n"
					"Content-ID: <x@y>\r\n"
					"\r\n"
					"v" CLOSE;

	(void)state;
	check(L(body), RN_OK);
	part_is(0, "a", NULL, NULL, L("v"));
}

static void
test_traversal_filenames_raw(void **state)
{
	static const char body[] = OPEN CDF("f", "../../etc/passwd") "\r\n"
				   "1" NEXT CDF("f", "/etc/shadow") "\r\n"
				   "2" NEXT CDF("f", "..\\\\..\\\\boot.ini") "\r\n"
				   "3" NEXT CDF("f", ".%2e/%2e%2e/x") "\r\n"
				   "4" NEXT CDF("f", "\xd0\xbf\xd1\x80\xd0\xb8.txt") "\r\n"
				   "5" CLOSE;

	(void)state;
	check(L(body), RN_OK);
	assert_int_equal(rec_a.np, 5);
	part_is(0, "f", "../../etc/passwd", NULL, L("1"));
	part_is(1, "f", "/etc/shadow", NULL, L("2"));
	part_is(2, "f", "..\\..\\boot.ini", NULL, L("3"));
	part_is(3, "f", ".%2e/%2e%2e/x", NULL, L("4"));
	part_is(4, "f", "\xd0\xbf\xd1\x80\xd0\xb8.txt", NULL, L("5"));
}

/* n parts "p<i>" with content "<i>". */
static void
many_parts(struct rn_buf *b, size_t n)
{
	size_t i;

	rn_buf_init(b, 1u << 20);
	for (i = 0; i < n; i++)
		assert_int_equal(rn_buf_printf(b, "--" BND "\r\n" CD("p%zu") "\r\n%zu\r\n", i, i), RN_OK);
	assert_int_equal(rn_buf_puts(b, "--" BND "--\r\n"), RN_OK);
}

static void
test_max_parts_exact(void **state)
{
	struct rn_buf b;

	(void)state;
	many_parts(&b, RN_DEF_MULTIPART_MAX_PARTS);
	check(b.data, b.len, RN_OK);
	assert_int_equal(rec_a.np, RN_DEF_MULTIPART_MAX_PARTS);
	part_is(63, "p63", NULL, NULL, L("63"));
	rn_buf_free(&b);
}

/* A one-part body whose Content-Disposition has a name of nlen and a filename of flen bytes. */
static void
long_names(struct rn_buf *b, size_t nlen, size_t flen, size_t pad)
{
	size_t i;

	rn_buf_init(b, 1u << 20);
	assert_int_equal(rn_buf_puts(b, OPEN "Content-Disposition: form-data; name=\""), RN_OK);
	for (i = 0; i < nlen; i++)
		assert_int_equal(rn_buf_puts(b, "n"), RN_OK);
	assert_int_equal(rn_buf_puts(b, "\"; filename=\""), RN_OK);
	for (i = 0; i < flen; i++)
		assert_int_equal(rn_buf_puts(b, i % 2 ? "\\\\" : "f"), RN_OK);
	assert_int_equal(rn_buf_puts(b, "\"\r\n"), RN_OK);
	for (i = 0; i < pad; i++)
		assert_int_equal(rn_buf_puts(b, "X-Pad: 0123456789012345678901234567890123456789\r\n"),
		    RN_OK);
	assert_int_equal(rn_buf_puts(b, "\r\nv" CLOSE), RN_OK);
}

static void
test_name_filename_at_caps(void **state)
{
	struct rn_buf b;

	(void)state;
	long_names(&b, RN_MULTIPART_MAX_NAME, RN_MULTIPART_MAX_FILENAME, 0);
	check(b.data, b.len, RN_OK);
	assert_int_equal(rec_a.p[0].name_len, RN_MULTIPART_MAX_NAME);
	assert_int_equal(rec_a.p[0].fn_len, RN_MULTIPART_MAX_FILENAME);
	assert_int_equal(rec_a.p[0].fn[1], '\\');
	rn_buf_free(&b);
}

static void
test_header_block_at_cap(void **state)
{
	struct rn_multipart_limits lim;
	struct rn_buf b;
	size_t hdr;

	(void)state;
	long_names(&b, 1, 1, 6);
	hdr = (size_t)(strstr(b.data, "\r\n\r\n") - b.data) + 4 - strlen(OPEN);
	rn_multipart_limits_default(&lim);
	lim.max_header_bytes = hdr;
	check_lim(b.data, b.len, BND, &lim, RN_OK);
	lim.max_header_bytes = hdr - 1;
	check_lim(b.data, b.len, BND, &lim, RN_ERR_TOOBIG);
	/* Seven header fields are fine at the default cap of eight. */
	rn_multipart_limits_default(&lim);
	lim.max_headers = 7;
	check_lim(b.data, b.len, BND, &lim, RN_OK);
	lim.max_headers = 6;
	check_lim(b.data, b.len, BND, &lim, RN_ERR_TOOBIG);
	rn_buf_free(&b);
}

struct count {
	uint64_t    bytes, calls, inplace;
	const char *lo, *hi;
	size_t	    begins, ends;
};

static enum rn_err
count_begin(const struct rn_multipart_part *part, void *arg)
{
	struct count *c = arg;

	(void)part;
	c->begins++;
	return RN_OK;
}

static enum rn_err
count_data(const void *p, size_t n, void *arg)
{
	struct count *c = arg;
	const char *q = p;

	c->bytes += n;
	c->calls++;
	if (q >= c->lo && q + n <= c->hi)
		c->inplace += n;
	return RN_OK;
}

static enum rn_err
count_end(void *arg)
{
	struct count *c = arg;

	c->ends++;
	return RN_OK;
}

static void
test_large_part_zero_copy(void **state)
{
	static char body[200000];
	size_t hl = strlen(OPEN CD("big") "\r\n"), dl, i;
	uint64_t s = 42;

	(void)state;
	memcpy(body, OPEN CD("big") "\r\n", hl);
	dl = sizeof(body) - hl - strlen(CLOSE);
	for (i = 0; i < dl; i++) {
		body[hl + i] = (char)(prng(&s) & 0xff);
		if (body[hl + i] == '\r' && i + 1 < dl)
			body[hl + ++i] = 'x'; /* no accidental delimiter */
	}
	memcpy(body + hl + dl, CLOSE, strlen(CLOSE));
	check(body, sizeof(body), RN_OK);
	part_is(0, "big", NULL, NULL, body + hl, dl);
	/* Fed whole, the content comes in one piece straight from the input. */
	{
		static const struct rn_multipart_cbs ccbs = { count_begin, count_data, count_end };
		struct count c = { 0 };
		struct rn_multipart *mp = rn_multipart_new(BND, NULL, &ccbs, &c);

		c.lo = body;
		c.hi = body + sizeof(body);
		assert_non_null(mp);
		assert_int_equal(rn_multipart_feed(mp, body, sizeof(body)), RN_OK);
		assert_int_equal(rn_multipart_finish(mp), RN_OK);
		rn_multipart_free(mp);
		assert_int_equal(c.calls, 1);
		assert_int_equal(c.inplace, dl);
	}
}

static size_t
heap_in_use(void)
{
#ifdef RN_TEST_ASAN
	return __sanitizer_get_current_allocated_bytes();
#else
	return mallinfo2().uordblks;
#endif
}

static void
test_fixed_memory(void **state)
{
	static const struct rn_multipart_cbs ccbs = { count_begin, count_data, count_end };
	static const char head[] = OPEN CDF("file", "big.bin") "\r\n";
	struct count c = { 0 };
	struct rn_multipart *mp;
	size_t before, after_new, after, i, left;
	uint64_t s = 7;
	struct timespec t0, t1;
	double secs;
	char *piece, *probe;

	(void)state;
	piece = malloc(MEM_PIECE);
	assert_non_null(piece);
	/* Random bytes with CRLFs and partial delimiters; one at the very end. */
	for (i = 0; i < MEM_PIECE; i++)
		piece[i] = (char)(prng(&s) & 0xff);
	for (i = 0; i + 16 < MEM_PIECE; i += 997)
		memcpy(piece + i, "\r\n--AaB03\r\n", 11);
	memcpy(piece + MEM_PIECE - 8, "\r\n--AaB0", 8);
	c.lo = piece;
	c.hi = piece + MEM_PIECE;

	/* The measure works: an allocation shows. */
	before = heap_in_use();
	probe = malloc(100000);
	assert_non_null(probe);
	memset(probe, 1, 100000);
	assert_true(heap_in_use() >= before + 100000);
	free(probe);

	before = heap_in_use();
	mp = rn_multipart_new(BND, NULL, &ccbs, &c);
	assert_non_null(mp);
	after_new = heap_in_use();
	assert_true(after_new - before < 16384); /* a few KiB */
	assert_int_equal(rn_multipart_feed(mp, L(head)), RN_OK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (left = MEM_TOTAL; left > 0; left -= MEM_PIECE)
		if (rn_multipart_feed(mp, piece, MEM_PIECE) != RN_OK)
			break;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	after = heap_in_use();
	assert_int_equal(left, 0);
	assert_int_equal(after, after_new);
	assert_int_equal(rn_multipart_feed(mp, L(CLOSE)), RN_OK);
	assert_int_equal(rn_multipart_finish(mp), RN_OK);
	rn_multipart_free(mp);
	assert_int_equal(c.begins, 1);
	assert_int_equal(c.ends, 1);
	assert_int_equal(c.bytes, MEM_TOTAL);
	/* Only the held-back bytes (8 per piece) were copied. */
	assert_true(c.inplace >= MEM_TOTAL - (MEM_TOTAL / MEM_PIECE) * 8);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("# multipart: %u MiB in %.3f s, %.0f MiB/s, %llu callbacks\n",
	    MEM_TOTAL >> 20, secs, secs > 0 ? (double)(MEM_TOTAL >> 20) / secs : 0.0,
	    (unsigned long long)c.calls);
	free(piece);
}

static void
test_callback_errors(void **state)
{
	static const char body[] = OPEN CD("a") "\r\nv" NEXT CD("b") "\r\nw" CLOSE;
	int kind;

	(void)state;
	for (kind = 1; kind <= 3; kind++) {
		rec_reset(&rec_a);
		rec_a.fail_kind = kind;
		rec_a.fail_at = 1;
		rec_a.fail_err = RN_ERR_TOOBIG;
		{
			struct rn_multipart *mp = rn_multipart_new(BND, NULL, &cbs, &rec_a);

			assert_non_null(mp);
			assert_int_equal(rn_multipart_feed(mp, L(body)), RN_ERR_TOOBIG);
			assert_int_equal(rn_multipart_status(mp), 413);
			assert_string_equal(rn_multipart_error(mp), "stopped by the caller");
			assert_int_equal(rn_multipart_finish(mp), RN_ERR_TOOBIG);
			assert_int_equal(rec_a.np, 2);
			rn_multipart_free(mp);
		}
	}
	/* A caller's I/O error maps to its own status. */
	rec_reset(&rec_a);
	rec_a.fail_kind = 2;
	rec_a.fail_err = RN_ERR_IO;
	{
		struct rn_multipart *mp = rn_multipart_new(BND, NULL, &cbs, &rec_a);

		assert_non_null(mp);
		assert_int_equal(rn_multipart_feed(mp, L(body)), RN_ERR_IO);
		assert_int_equal(rn_multipart_status(mp), 500);
		rn_multipart_free(mp);
	}
}

static void
test_null_callbacks(void **state)
{
	struct rn_multipart *mp;

	(void)state;
	mp = rn_multipart_new(BND, NULL, NULL, NULL);
	assert_non_null(mp);
	assert_int_equal(rn_multipart_feed(mp, L(ONE(CD("a"), "v"))), RN_OK);
	assert_int_equal(rn_multipart_feed(mp, "", 0), RN_OK);
	assert_int_equal(rn_multipart_finish(mp), RN_OK);
	assert_int_equal(rn_multipart_parts(mp), 1);
	assert_int_equal(rn_multipart_status(mp), 200);
	assert_string_equal(rn_multipart_error(mp), "ok");
	rn_multipart_free(mp);
	rn_multipart_free(NULL);
}

static void
test_new_rejects(void **state)
{
	struct rn_multipart_limits lim;
	struct rn_multipart *mp;

	(void)state;
	assert_null(rn_multipart_new("", NULL, &cbs, NULL));
	assert_null(rn_multipart_new(NULL, NULL, &cbs, NULL));
	assert_null(rn_multipart_new("a\r\nb", NULL, &cbs, NULL));
	assert_null(rn_multipart_new("ends in space ", NULL, &cbs, NULL));
	assert_null(rn_multipart_new(B70 "V", NULL, &cbs, NULL));
	assert_null(rn_multipart_new("a\"b", NULL, &cbs, NULL));
	rn_multipart_limits_default(&lim);
	lim.max_parts = 0;
	assert_null(rn_multipart_new(BND, &lim, &cbs, NULL));
	rn_multipart_limits_default(&lim);
	lim.max_header_bytes = RN_MAX_MULTIPART_HEADER_BYTES + 1;
	assert_null(rn_multipart_new(BND, &lim, &cbs, NULL));
	rn_multipart_limits_default(&lim);
	lim.max_epilogue = RN_MAX_MULTIPART_EPILOGUE + 1;
	assert_null(rn_multipart_new(BND, &lim, &cbs, NULL));
	rn_multipart_limits_default(&lim);
	mp = rn_multipart_new(B70, &lim, &cbs, NULL);
	assert_non_null(mp);
	rn_multipart_free(mp);
}

/* ---------------------------------------------------------------------- */
/* Content-Type and its boundary. */

static enum rn_err
ctb(const char *ct, char *out)
{
	return rn_multipart_boundary(ct, strlen(ct), out, RN_MULTIPART_BOUNDARY_BUFSZ);
}

static void
test_ct_boundary_valid(void **state)
{
	static const struct {
		const char *ct, *want;
	} ok[] = {
		{ "multipart/form-data; boundary=AaB03x", "AaB03x" },
		{ "multipart/form-data;boundary=x", "x" },
		{ "Multipart/Form-Data; BOUNDARY=\"AaB03x\"", "AaB03x" },
		{ "multipart/form-data; charset=utf-8; boundary=abc; x=\"y;z\"", "abc" },
		{ "multipart/form-data; boundary=\"a b'()+_,-./:=?c\"", "a b'()+_,-./:=?c" },
		{ "multipart/form-data; boundary=\"\\a\\b\"", "ab" },
		{ "multipart/form-data \t;\t boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
		    "----WebKitFormBoundary7MA4YWxkTrZu0gW" },
		{ "multipart/form-data; boundary=---------------------------9051914041544843365972754266",
		    "---------------------------9051914041544843365972754266" },
	};
	char out[RN_MULTIPART_BOUNDARY_BUFSZ];
	size_t i;

	(void)state;
	for (i = 0; i < RN_ARRAY_LEN(ok); i++) {
		memset(out, 'Z', sizeof(out));
		assert_int_equal(ctb(ok[i].ct, out), RN_OK);
		assert_string_equal(out, ok[i].want);
	}
	/* Exactly as long as needed: fits; one byte short: TOOBIG. */
	assert_int_equal(rn_multipart_boundary(L("multipart/form-data; boundary=abc"), out, 4), RN_OK);
	assert_string_equal(out, "abc");
	assert_int_equal(
	    rn_multipart_boundary(L("multipart/form-data; boundary=abc"), out, 3), RN_ERR_TOOBIG);
}

static void
test_ct_boundary_invalid(void **state)
{
	static const char *const bad[] = {
		"",
		"multipart/form-data",
		"multipart/form-data;",
		"multipart/form-data; boundary=",
		"multipart/form-data; boundary=\"\"",
		"multipart/form-data; boundary=a; boundary=a",
		"multipart/form-data; boundary=a; BOUNDARY=b",
		"multipart/mixed; boundary=a",
		"multipart/form-datax; boundary=a",
		"text/plain; boundary=a",
		"application/x-www-form-urlencoded",
		"form-data; boundary=a",
		"multipart/; boundary=a",
		"multipart /form-data; boundary=a",
		" multipart/form-data; boundary=a",
		"multipart/form-data; boundary=a;",
		"multipart/form-data; boundary = a",
		"multipart/form-data; boundary=\"a b \"",
		"multipart/form-data; boundary=\"a\"b",
		"multipart/form-data; boundary=\"abc",
		"multipart/form-data; boundary=a@b",
		"multipart/form-data; boundary=\"a@b\"",
		"multipart/form-data; boundary=\"a\tb\"",
		"multipart/form-data; boundary=a b",
		"multipart/form-data; boundary=a; x",
		"multipart/form-data; boundary=a; x=\"unterminated",
		"multipart/form-data; boundary=a;; x=y",
		"multipart/form-data; boundary=" B70 "V",
		"multipart/form-data; boundary=" B70,
		"multipart/form-data; boundary=\"" B70 "V\"",
		"multipart/form-data; boundary=\"a\\",
	};
	char out[RN_MULTIPART_BOUNDARY_BUFSZ];
	size_t i;

	(void)state;
	for (i = 0; i < RN_ARRAY_LEN(bad); i++) {
		if (ctb(bad[i], out) != RN_ERR_INVAL)
			fail_msg("accepted: %s", bad[i]);
	}
	/* A NUL or CR inside. */
	assert_int_equal(
	    rn_multipart_boundary(L("multipart/form-data; boundary=\"a\0b\""), out, sizeof(out)),
	    RN_ERR_INVAL);
	assert_int_equal(
	    rn_multipart_boundary(L("multipart/form-data; boundary=\"a\rb\""), out, sizeof(out)),
	    RN_ERR_INVAL);
	/* Control characters in another parameter's quoted value. */
	assert_int_equal(rn_multipart_boundary(L("multipart/form-data; boundary=a; x=\"\0\""), out,
			     sizeof(out)),
	    RN_ERR_INVAL);
	assert_int_equal(rn_multipart_boundary(L("multipart/form-data; boundary=a; x=\"\\\x01\""),
			     out, sizeof(out)),
	    RN_ERR_INVAL);
	assert_int_equal(rn_multipart_boundary(L("multipart/form-data; boundary=a; x=\"\x7f\""),
			     out, sizeof(out)),
	    RN_ERR_INVAL);
	assert_int_equal(rn_multipart_boundary(L("multipart/form-data; boundary=a; x=\"\x80\t\""),
			     out, sizeof(out)),
	    RN_OK);
}

/* ---------------------------------------------------------------------- */
/* Hostile bodies, each with its error. */

static void
test_no_boundary_in_body(void **state)
{
	(void)state;
	check(L("just some text\r\nwithout any delimiter\r\n"), RN_ERR_INVAL);
	check(L(""), RN_ERR_INVAL);
	/* Another boundary than the header's. */
	check(L("--XaB03x\r\n" CD("a") "\r\nv\r\n--XaB03x--\r\n"), RN_ERR_INVAL);
	/* The boundary without its dashes. */
	check(L(BND "\r\n" CD("a") "\r\nv\r\n" BND "--\r\n"), RN_ERR_INVAL);
}

static void
test_preamble_too_long(void **state)
{
	struct rn_multipart_limits lim;
	struct rn_buf b;
	size_t i;

	(void)state;
	rn_buf_init(&b, 1u << 20);
	for (i = 0; i < RN_DEF_MULTIPART_MAX_PREAMBLE; i++)
		assert_int_equal(rn_buf_puts(&b, "p"), RN_OK);
	assert_int_equal(rn_buf_puts(&b, "\r\n" ONE(CD("a"), "v")), RN_OK);
	check(b.data, b.len, RN_OK); /* exactly the cap */
	check(b.data + 1, b.len - 1, RN_OK);
	rn_buf_reset(&b);
	for (i = 0; i <= RN_DEF_MULTIPART_MAX_PREAMBLE; i++)
		assert_int_equal(rn_buf_puts(&b, "p"), RN_OK);
	assert_int_equal(rn_buf_puts(&b, "\r\n" ONE(CD("a"), "v")), RN_OK);
	check(b.data, b.len, RN_ERR_TOOBIG);
	/* A body that never has a delimiter is cut at the cap. */
	rn_buf_reset(&b);
	for (i = 0; i < 4096; i++)
		assert_int_equal(rn_buf_puts(&b, "\r\n-"), RN_OK);
	check(b.data, b.len, RN_ERR_TOOBIG);
	/* max_preamble 0 refuses any preamble but not the first CRLF. */
	rn_multipart_limits_default(&lim);
	lim.max_preamble = 0;
	check_lim(L("x\r\n" ONE(CD("a"), "v")), BND, &lim, RN_ERR_TOOBIG);
	check_lim(L("\r\n" ONE(CD("a"), "v")), BND, &lim, RN_OK);
	check_lim(L(ONE(CD("a"), "v")), BND, &lim, RN_OK);
	rn_buf_free(&b);
}

static void
test_bad_delimiter_lines(void **state)
{
	(void)state;
	/* Junk, a bare LF, a bare CR after the boundary. */
	check(L("--AaB03xjunk\r\n" CD("a") "\r\nv" CLOSE), RN_ERR_INVAL);
	check(L("--AaB03x\n" CD("a") "\r\nv" CLOSE), RN_ERR_INVAL);
	check(L("--AaB03x\r" CD("a") "\r\nv" CLOSE), RN_ERR_INVAL);
	check(L("--AaB03x \tx\r\n" CD("a") "\r\nv" CLOSE), RN_ERR_INVAL);
	/* The boundary text inside content, right after CRLF, is a delimiter. */
	check(L(OPEN CD("a") "\r\nv\r\n--AaB03xY and more" CLOSE), RN_ERR_INVAL);
	/* "--AaB03x-" followed by anything but "-". */
	check(L(OPEN CD("a") "\r\nv\r\n--AaB03x-\r\n"), RN_ERR_INVAL);
	/* After the close delimiter: only padding and CRLF. */
	check(L(OPEN CD("a") "\r\nv\r\n--AaB03x--junk"), RN_ERR_INVAL);
	check(L(OPEN CD("a") "\r\nv\r\n--AaB03x--\n"), RN_ERR_INVAL);
	check(L(OPEN CD("a") "\r\nv\r\n--AaB03x--\rx"), RN_ERR_INVAL);
	check(L(OPEN CD("a") "\r\nv\r\n--AaB03x--\r"), RN_ERR_INVAL);
}

static void
test_padding_too_long(void **state)
{
	char body[512];
	int n;

	(void)state;
	n = snprintf(body, sizeof(body), "--" BND "%*s\r\n" CD("a") "\r\nv" CLOSE,
	    (int)RN_MULTIPART_MAX_PADDING, "");
	check(body, (size_t)n, RN_OK);
	n = snprintf(body, sizeof(body), "--" BND "%*s\r\n" CD("a") "\r\nv" CLOSE,
	    (int)RN_MULTIPART_MAX_PADDING + 1, "");
	check(body, (size_t)n, RN_ERR_TOOBIG);
	n = snprintf(body, sizeof(body), OPEN CD("a") "\r\nv\r\n--" BND "--%*s\r\n",
	    (int)RN_MULTIPART_MAX_PADDING + 1, "");
	check(body, (size_t)n, RN_ERR_TOOBIG);
}

static void
test_epilogue_too_long(void **state)
{
	struct rn_buf b;
	size_t i;

	(void)state;
	rn_buf_init(&b, 1u << 20);
	assert_int_equal(rn_buf_puts(&b, ONE(CD("a"), "v")), RN_OK);
	for (i = 0; i < RN_DEF_MULTIPART_MAX_EPILOGUE; i++)
		assert_int_equal(rn_buf_puts(&b, "e"), RN_OK);
	check(b.data, b.len, RN_OK);
	assert_int_equal(rn_buf_puts(&b, "e"), RN_OK);
	check(b.data, b.len, RN_ERR_TOOBIG);
	assert_string_equal(last_why, "epilogue too long");
	/* The preamble and the epilogue have caps of their own. */
	rn_buf_reset(&b);
	for (i = 0; i < RN_DEF_MULTIPART_MAX_PREAMBLE; i++)
		assert_int_equal(rn_buf_puts(&b, "p"), RN_OK);
	assert_int_equal(rn_buf_puts(&b, "\r\n" ONE(CD("a"), "v")), RN_OK);
	for (i = 0; i < RN_DEF_MULTIPART_MAX_EPILOGUE; i++)
		assert_int_equal(rn_buf_puts(&b, "e"), RN_OK);
	check(b.data, b.len, RN_OK);
	rn_buf_free(&b);
}

static void
test_bad_header_line_endings(void **state)
{
	(void)state;
	check(L(OPEN "Content-Disposition: form-data; name=\"a\"\n\r\nv" CLOSE), RN_ERR_INVAL);
	check(L(OPEN "Content-Disposition: form-data; name=\"a\"\r\n\nv" CLOSE), RN_ERR_INVAL);
	check(L(OPEN "Content-Disposition: form-data; name=\"a\"\r\r\n\r\nv" CLOSE), RN_ERR_INVAL);
	check(L(OPEN "Content-Disposition: form-data;\rname=\"a\"\r\n\r\nv" CLOSE), RN_ERR_INVAL);
	check(L(ONE(CD("a") "X-A: a\rb\r\n", "v")), RN_ERR_INVAL);
	assert_string_equal(last_why, "bare CR in part headers");
	check(L(ONE(CD("a") "X-A: a\nb\r\n", "v")), RN_ERR_INVAL);
	assert_string_equal(last_why, "bare LF in part headers");
}

static void
test_bad_header_syntax(void **state)
{
	(void)state;
	/* obs-fold */
	check(L(ONE("Content-Disposition: form-data;\r\n name=\"a\"\r\n", "v")), RN_ERR_INVAL);
	check(L(ONE(CD("a") "\tX-Folded: yes\r\n", "v")), RN_ERR_INVAL);
	/* whitespace before the colon, no colon, empty name, bad name */
	check(L(ONE("Content-Disposition : form-data; name=\"a\"\r\n", "v")), RN_ERR_INVAL);
	check(L(ONE(CD("a") "NoColonHere\r\n", "v")), RN_ERR_INVAL);
	check(L(ONE(CD("a") ": value\r\n", "v")), RN_ERR_INVAL);
	check(L(ONE(CD("a") "X\x80Y: value\r\n", "v")), RN_ERR_INVAL);
	check(L(ONE(CD("a") "X(Y): value\r\n", "v")), RN_ERR_INVAL);
	/* control characters in values */
	check(L(ONE(CD("a") "X-A: a\x01z\r\n", "v")), RN_ERR_INVAL);
	check(L(ONE(CD("a") "X-A: a\x7fz\r\n", "v")), RN_ERR_INVAL);
	check(L(ONE(CD("a") "X-A: a\0z\r\n", "v")), RN_ERR_INVAL);
}

static void
test_missing_disposition(void **state)
{
	(void)state;
	check(L(ONE("Content-Type: text/plain\r\n", "v")), RN_ERR_INVAL);
	/* An empty header block. */
	check(L(OPEN "\r\nv" CLOSE), RN_ERR_INVAL);
	/* The header block never ends before the next delimiter. */
	check(L(OPEN CD("a") "v" CLOSE), RN_ERR_INVAL);
	/* The second part lacks it. */
	check(L(OPEN CD("a") "\r\nv" NEXT "X-A: b\r\n\r\nw" CLOSE), RN_ERR_INVAL);
}

static void
test_bad_disposition(void **state)
{
	(void)state;
	check(L(ONE("Content-Disposition: attachment; name=\"a\"\r\n", "v")), RN_ERR_INVAL);
	check(L(ONE("Content-Disposition: inline\r\n", "v")), RN_ERR_INVAL);
	check(L(ONE("Content-Disposition: form-data\r\n", "v")), RN_ERR_INVAL);
	check(L(ONE("Content-Disposition: form-data; filename=\"f\"\r\n", "v")), RN_ERR_INVAL);
	check(L(ONE("Content-Disposition: form-data; name=\"\"\r\n", "v")), RN_ERR_INVAL);
	check(L(ONE("Content-Disposition: form-data; name\r\n", "v")), RN_ERR_INVAL);
	check(L(ONE("Content-Disposition: form-data; name=\r\n", "v")), RN_ERR_INVAL);
	check(L(ONE("Content-Disposition: form-data; name=\"a\";\r\n", "v")), RN_ERR_INVAL);
	check(L(ONE("Content-Disposition: form-data name=\"a\"\r\n", "v")), RN_ERR_INVAL);
	check(L(ONE("Content-Disposition: form-data; name=\"a\" x\r\n", "v")), RN_ERR_INVAL);
	check(L(ONE("Content-Disposition: form-data; name=a b\r\n", "v")), RN_ERR_INVAL);
	check(L(ONE("Content-Disposition: form-data; name=\"unterminated\r\n", "v")), RN_ERR_INVAL);
	check(L(ONE("Content-Disposition: form-data; name=\"a\\\"\r\n", "v")), RN_ERR_INVAL);
	check(L(ONE("Content-Disposition: ; name=\"a\"\r\n", "v")), RN_ERR_INVAL);
}

static void
test_duplicates(void **state)
{
	(void)state;
	check(L(ONE(CD("a") CD("b"), "v")), RN_ERR_INVAL);
	check(L(ONE(CD("a") "content-disposition: form-data; name=\"a\"\r\n", "v")),
	    RN_ERR_INVAL);
	check(L(ONE("Content-Disposition: form-data; name=\"a\"; name=\"b\"\r\n", "v")),
	    RN_ERR_INVAL);
	check(L(ONE("Content-Disposition: form-data; name=\"a\"; NAME=a\r\n", "v")), RN_ERR_INVAL);
	check(L(ONE("Content-Disposition: form-data; name=a; filename=x; filename=y\r\n", "v")),
	    RN_ERR_INVAL);
	check(L(ONE(CD("a") "Content-Type: text/plain\r\nContent-Type: text/html\r\n", "v")),
	    RN_ERR_INVAL);
	check(L(ONE(CD("a") "Content-Transfer-Encoding: 8bit\r\n"
			    "Content-Transfer-Encoding: binary\r\n",
		    "v")),
	    RN_ERR_INVAL);
}

static void
test_extended_params(void **state)
{
	(void)state;
	check(L(ONE("Content-Disposition: form-data; name=\"a\"; "
		    "filename*=UTF-8''%e2%82%ac.txt\r\n",
		    "v")),
	    RN_ERR_INVAL);
	check(L(ONE("Content-Disposition: form-data; name=\"a\"; filename=\"x\"; "
		    "filename*=UTF-8''x\r\n",
		    "v")),
	    RN_ERR_INVAL);
	check(L(ONE("Content-Disposition: form-data; name*=UTF-8''a\r\n", "v")), RN_ERR_INVAL);
}

static void
test_names_too_long(void **state)
{
	struct rn_buf b;

	(void)state;
	long_names(&b, RN_MULTIPART_MAX_NAME + 1, 1, 0);
	check(b.data, b.len, RN_ERR_TOOBIG);
	rn_buf_free(&b);
	long_names(&b, 1, RN_MULTIPART_MAX_FILENAME + 1, 0);
	check(b.data, b.len, RN_ERR_TOOBIG);
	rn_buf_free(&b);
}

static void
test_nul_cr_lf_in_names(void **state)
{
	(void)state;
	check(L(ONE("Content-Disposition: form-data; name=\"a\0b\"\r\n", "v")), RN_ERR_INVAL);
	check(L(ONE("Content-Disposition: form-data; name=\"a\\\0b\"\r\n", "v")), RN_ERR_INVAL);
	check(L(ONE("Content-Disposition: form-data; name=a; filename=\"x\0.txt\"\r\n", "v")),
	    RN_ERR_INVAL);
	check(L(ONE("Content-Disposition: form-data; name=a; filename=\"x\r.txt\"\r\n", "v")),
	    RN_ERR_INVAL);
	check(L(ONE("Content-Disposition: form-data; name=a; filename=\"x\n.txt\"\r\n", "v")),
	    RN_ERR_INVAL);
	check(L(ONE("Content-Disposition: form-data; name=a; filename=\"x\\\r\n.txt\"\r\n", "v")),
	    RN_ERR_INVAL);
}

static void
test_nested_multipart(void **state)
{
	static const char body[] = OPEN CD("files")
				   "Content-Type: multipart/mixed; boundary=BbC04y\r\n"
				   "\r\n"
				   "--BbC04y\r\n"
				   "Content-Disposition: file; filename=\"file1.txt\"\r\n"
				   "\r\n"
				   "x\r\n"
				   "--BbC04y--" CLOSE;

	(void)state;
	check(L(body), RN_ERR_INVAL);
	check(L(ONE(CD("a") "Content-Type: MULTIPART/form-data; boundary=x\r\n", "v")),
	    RN_ERR_INVAL);
}

static void
test_bad_content_type(void **state)
{
	struct rn_buf b;
	size_t i;

	(void)state;
	check(L(ONE(CD("a") "Content-Type: text\r\n", "v")), RN_ERR_INVAL);
	check(L(ONE(CD("a") "Content-Type: text/\r\n", "v")), RN_ERR_INVAL);
	check(L(ONE(CD("a") "Content-Type: text/plain;\r\n", "v")), RN_ERR_INVAL);
	check(L(ONE(CD("a") "Content-Type: text/plain; charset\r\n", "v")), RN_ERR_INVAL);
	check(L(ONE(CD("a") "Content-Type: text/plain junk\r\n", "v")), RN_ERR_INVAL);
	check(L(ONE(CD("a") "Content-Type:\r\n", "v")), RN_ERR_INVAL);
	/* Too long (but a valid line). */
	rn_buf_init(&b, 1u << 20);
	assert_int_equal(rn_buf_puts(&b, OPEN CD("a") "Content-Type: text/plain; x=\""), RN_OK);
	for (i = 0; i < RN_MULTIPART_MAX_CONTENT_TYPE; i++)
		assert_int_equal(rn_buf_puts(&b, "y"), RN_OK);
	assert_int_equal(rn_buf_puts(&b, "\"\r\n\r\nv" CLOSE), RN_OK);
	check(b.data, b.len, RN_ERR_TOOBIG);
	rn_buf_free(&b);
}

static void
test_cte_not_identity(void **state)
{
	(void)state;
	check(L(ONE(CD("a") "Content-Transfer-Encoding: base64\r\n", "dmFsdWU=")), RN_ERR_INVAL);
	check(L(ONE(CD("a") "Content-Transfer-Encoding: quoted-printable\r\n", "v=3D")),
	    RN_ERR_INVAL);
	check(L(ONE(CD("a") "Content-Transfer-Encoding: 7bit, base64\r\n", "v")), RN_ERR_INVAL);
	check(L(ONE(CD("a") "Content-Transfer-Encoding:\r\n", "v")), RN_ERR_INVAL);
}

static void
test_header_block_too_long(void **state)
{
	struct rn_multipart_limits lim;
	struct rn_buf b;
	size_t i;

	(void)state;
	/* Over the default cap of the block with lines under the line cap. */
	rn_multipart_limits_default(&lim);
	lim.max_headers = RN_MAX_MULTIPART_HEADERS;
	rn_buf_init(&b, 1u << 20);
	assert_int_equal(rn_buf_puts(&b, OPEN CD("a")), RN_OK);
	for (i = 0; i < 10; i++) {
		assert_int_equal(rn_buf_puts(&b, "X-Big: "), RN_OK);
		while (b.len % 1000 != 0)
			assert_int_equal(rn_buf_puts(&b, "z"), RN_OK);
		assert_int_equal(rn_buf_puts(&b, "\r\n"), RN_OK);
	}
	assert_int_equal(rn_buf_puts(&b, "\r\nv" CLOSE), RN_OK);
	check_lim(b.data, b.len, BND, &lim, RN_ERR_TOOBIG);
	/* One line over the line cap. */
	rn_buf_reset(&b);
	assert_int_equal(rn_buf_puts(&b, OPEN CD("a") "X-Big: "), RN_OK);
	for (i = 0; i < RN_MULTIPART_MAX_LINE; i++)
		assert_int_equal(rn_buf_puts(&b, "z"), RN_OK);
	assert_int_equal(rn_buf_puts(&b, "\r\n\r\nv" CLOSE), RN_OK);
	check(b.data, b.len, RN_ERR_TOOBIG);
	/* A header block that never ends. */
	rn_buf_reset(&b);
	assert_int_equal(rn_buf_puts(&b, OPEN CD("a")), RN_OK);
	for (i = 0; i < 2000; i++)
		assert_int_equal(rn_buf_puts(&b, "X: y\r\n"), RN_OK);
	check(b.data, b.len, RN_ERR_TOOBIG);
	rn_buf_free(&b);
}

static void
test_too_many_headers(void **state)
{
	(void)state;
	check(L(ONE(CD("a") "A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\nF: 6\r\nG: 7\r\n", "v")),
	    RN_OK);
	check(L(ONE(CD("a") "A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\nF: 6\r\nG: 7\r\nH: 8\r\n",
		    "v")),
	    RN_ERR_TOOBIG);
}

static void
test_too_many_parts(void **state)
{
	struct rn_multipart_limits lim;
	struct rn_buf b;

	(void)state;
	many_parts(&b, RN_DEF_MULTIPART_MAX_PARTS + 1);
	check(b.data, b.len, RN_ERR_TOOBIG);
	assert_int_equal(rec_a.np, RN_DEF_MULTIPART_MAX_PARTS);
	rn_buf_free(&b);
	rn_multipart_limits_default(&lim);
	lim.max_parts = 1;
	many_parts(&b, 2);
	check_lim(b.data, b.len, BND, &lim, RN_ERR_TOOBIG);
	rn_buf_free(&b);
}

static void
test_truncation_everywhere(void **state)
{
	static const char body[] = "pre\r\n--AaB03x \r\n" CDF("f", "a.txt")
				   "Content-Type: text/plain\r\n"
				   "\r\n"
				   "x\r\n--y" NEXT CD("m") "\r\n"
				   "\r\n" CLOSE;
	size_t n = sizeof(body) - 1, closed = n - 2, k;

	(void)state;
	check(body, n, RN_OK);
	assert_int_equal(rec_a.np, 2);
	/* Every prefix that stops before the close delimiter's end fails. */
	for (k = 0; k < closed; k++)
		check(body, k, RN_ERR_INVAL);
	check(body, closed, RN_OK);
	check(body, closed + 1, RN_ERR_INVAL); /* a lone CR */
}

static void
test_no_final_delimiter(void **state)
{
	(void)state;
	check(L(OPEN CD("a") "\r\nv\r\n"), RN_ERR_INVAL);
	check(L(OPEN CD("a") "\r\nv\r\n--AaB03x"), RN_ERR_INVAL);
	check(L(OPEN CD("a") "\r\nv\r\n--AaB03x\r\n"), RN_ERR_INVAL);
	check(L(OPEN CD("a") "\r\nv\r\n--AaB03x-"), RN_ERR_INVAL);
	check(L(OPEN CD("a") "\r\nv--AaB03x--\r\n"), RN_ERR_INVAL);
	check(L(OPEN CD("a") "\r\nv\n--AaB03x--\r\n"), RN_ERR_INVAL);
}

static void
test_misc_hostile(void **state)
{
	(void)state;
	/* A boundary that is a prefix of the real one does not match. */
	check_lim(L(ONE(CD("a"), "v")), "AaB03", NULL, RN_ERR_INVAL);
	/* Case matters in the boundary. */
	check_lim(L(ONE(CD("a"), "v")), "aab03x", NULL, RN_ERR_INVAL);
	/* A huge boundary-like line inside the preamble and a second close. */
	check(L("--AaB03x--\r\n--AaB03x--\r\n"), RN_OK);
	assert_int_equal(rec_a.np, 0);
	/* Part headers after the close delimiter are ignored as epilogue. */
	check(L("--AaB03x--\r\n" CD("a") "\r\nv"), RN_OK);
	assert_int_equal(rec_a.np, 0);
}

#define T(f) cmocka_unit_test_teardown(f, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_one_field),
		T(test_browser_like),
		T(test_empty_file),
		T(test_binary_lookalikes),
		T(test_all_bytes),
		T(test_boundary_one_char),
		T(test_boundary_70),
		T(test_preamble_epilogue_padding),
		T(test_close_at_end),
		T(test_quoted_and_token_params),
		T(test_header_names_case),
		T(test_cte_identity),
		T(test_unknown_headers_and_params),
		T(test_traversal_filenames_raw),
		T(test_max_parts_exact),
		T(test_name_filename_at_caps),
		T(test_header_block_at_cap),
		T(test_large_part_zero_copy),
		T(test_fixed_memory),
		T(test_callback_errors),
		T(test_null_callbacks),
		T(test_new_rejects),
		T(test_ct_boundary_valid),
		T(test_ct_boundary_invalid),
		T(test_no_boundary_in_body),
		T(test_preamble_too_long),
		T(test_bad_delimiter_lines),
		T(test_padding_too_long),
		T(test_epilogue_too_long),
		T(test_bad_header_line_endings),
		T(test_bad_header_syntax),
		T(test_missing_disposition),
		T(test_bad_disposition),
		T(test_duplicates),
		T(test_extended_params),
		T(test_names_too_long),
		T(test_nul_cr_lf_in_names),
		T(test_nested_multipart),
		T(test_bad_content_type),
		T(test_cte_not_identity),
		T(test_header_block_too_long),
		T(test_too_many_headers),
		T(test_too_many_parts),
		T(test_truncation_everywhere),
		T(test_no_final_delimiter),
		T(test_misc_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
