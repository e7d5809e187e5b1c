/*
 * Unit tests for daemon/coll: canonical encoding, object ids and frames,
 * chunking, documents, the store and its collector, the manifest trie, the
 * change log (against a naive RFC 6962 implementation) and statements; then
 * the known-answer and must-fail vectors of tests/vectors/coll/ (written by
 * tests/vectors/coll/gen.py, an independent Python implementation).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "roneo/rn_coll.h"
#include "roneo/rn_coll_stmt.h"
#include "roneo/rn_coll_tree.h"
#include "roneo/rn_crypto.h"

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* rm -rf without a shell. */
static void
rm_tree(const char *dir)
{
	assert_int_equal(nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static enum rn_err
rd_varint_hex(const char *hex, uint64_t *v, size_t *used)
{
	uint8_t		  b[16];
	size_t		  n = strlen(hex) / 2;
	struct rn_coll_rd r;
	enum rn_err	  err;

	assert_int_equal(rn_hex_decode(hex, n * 2, b, n), RN_OK);
	rn_coll_rd_init(&r, b, n);
	err = rn_coll_rd_varint(&r, UINT64_MAX, v);
	*used = r.off;
	return err;
}

static void
test_varint(void **state)
{
	static const uint64_t vals[] = { 0, 1, 127, 128, 300, 16383, 16384, UINT32_MAX,
		UINT64_MAX / 2, UINT64_MAX };
	struct rn_buf	      b;
	struct rn_coll_rd     r;
	uint64_t	      v;
	size_t		      i, used;

	(void)state;
	rn_buf_init(&b, 64);
	for (i = 0; i < RN_ARRAY_LEN(vals); i++) {
		rn_buf_reset(&b);
		assert_int_equal(rn_coll_put_varint(&b, vals[i]), RN_OK);
		assert_int_equal(b.len, rn_coll_varint_len(vals[i]));
		rn_coll_rd_init(&r, b.data, b.len);
		assert_int_equal(rn_coll_rd_varint(&r, UINT64_MAX, &v), RN_OK);
		assert_true(v == vals[i]);
		assert_int_equal(rn_coll_rd_end(&r), RN_OK);
	}
	rn_buf_free(&b);
	assert_int_equal(rd_varint_hex("8001", &v, &used), RN_OK);
	assert_int_equal(v, 128);
	assert_int_equal(rd_varint_hex("8000", &v, &used), RN_ERR_INVAL); /* non-minimal */
	assert_int_equal(rd_varint_hex("ff00", &v, &used), RN_ERR_INVAL);
	assert_int_equal(rd_varint_hex("80", &v, &used), RN_ERR_INVAL);	  /* truncated */
	assert_int_equal(rd_varint_hex("ffffffffffffffffff01", &v, &used), RN_OK);
	assert_true(v == UINT64_MAX);
	assert_int_equal(rd_varint_hex("ffffffffffffffffff02", &v, &used), RN_ERR_INVAL);
	assert_int_equal(rd_varint_hex("ffffffffffffffffff8001", &v, &used), RN_ERR_INVAL);
	rn_coll_rd_init(&r, "\x05", 1);
	assert_int_equal(rn_coll_rd_varint(&r, 4, &v), RN_ERR_TOOBIG);
}

static void
test_tlv(void **state)
{
	struct rn_buf	  b;
	struct rn_coll_rd r, val;
	uint64_t	  last = 0, tag;
	const uint8_t	 *p;
	size_t		  n;

	(void)state;
	rn_buf_init(&b, 256);
	assert_int_equal(rn_coll_put_field(&b, 1, "ab", 2), RN_OK);
	assert_int_equal(rn_coll_put_field_u64(&b, 3, 300), RN_OK);
	rn_coll_rd_init(&r, b.data, b.len);
	assert_int_equal(rn_coll_rd_field(&r, &last, &tag, &val), RN_OK);
	assert_int_equal(tag, 1);
	assert_int_equal(val.len, 2);
	assert_int_equal(rn_coll_rd_field(&r, &last, &tag, &val), RN_OK);
	assert_int_equal(tag, 3);
	assert_int_equal(rn_coll_rd_field(&r, &last, &tag, &val), RN_ERR_NOTFOUND);
	/* Repeated and decreasing tags, tag 0 and overlong lengths are refused. */
	rn_coll_rd_init(&r, "\x01\x00\x01\x00", 4);
	last = 0;
	assert_int_equal(rn_coll_rd_field(&r, &last, &tag, &val), RN_OK);
	assert_int_equal(rn_coll_rd_field(&r, &last, &tag, &val), RN_ERR_INVAL);
	rn_coll_rd_init(&r, "\x02\x00\x01\x00", 4);
	last = 0;
	assert_int_equal(rn_coll_rd_field(&r, &last, &tag, &val), RN_OK);
	assert_int_equal(rn_coll_rd_field(&r, &last, &tag, &val), RN_ERR_INVAL);
	rn_coll_rd_init(&r, "\x00\x00", 2);
	last = 0;
	assert_int_equal(rn_coll_rd_field(&r, &last, &tag, &val), RN_ERR_INVAL);
	rn_coll_rd_init(&r, "\x01\x05xx", 4);
	last = 0;
	assert_int_equal(rn_coll_rd_field(&r, &last, &tag, &val), RN_ERR_INVAL);
	rn_coll_rd_init(&r, "\x03xyz", 4);
	assert_int_equal(rn_coll_rd_bytes(&r, 2, &p, &n), RN_ERR_TOOBIG);
	rn_coll_rd_init(&r, "\x02xyz", 4);
	assert_int_equal(rn_coll_rd_bytes(&r, 8, &p, &n), RN_OK);
	assert_int_equal(rn_coll_rd_end(&r), RN_ERR_INVAL); /* trailing byte */
	rn_buf_free(&b);
}

static void
test_frames(void **state)
{
	struct rn_buf	  f, out;
	enum rn_coll_type t;
	uint8_t		  id[32], zbuf[2048], big[1000];
	uLongf		  zlen;
	size_t		  used;
	char		  text[4000];

	(void)state;
	memset(text, 'a', sizeof(text));
	rn_buf_init(&f, RN_COLL_MAX_OBJECT + 64);
	rn_buf_init(&out, RN_COLL_MAX_OBJECT);
	/* Compressible: zlib frame; incompressible: raw. */
	assert_int_equal(rn_coll_frame_encode(RN_COLL_BLOB, text, sizeof(text), &f), RN_OK);
	assert_int_equal((uint8_t)f.data[1], RN_COLL_FRAME_ZLIB);
	assert_true(f.len < 100);
	assert_int_equal(rn_coll_id(RN_COLL_BLOB, text, sizeof(text), id), RN_OK);
	assert_int_equal(
	    rn_coll_frame_decode((uint8_t *)f.data, f.len, &used, &t, id, &out), RN_OK);
	assert_int_equal(used, f.len);
	assert_int_equal(out.len, sizeof(text));
	/* The same bytes as another type do not match the id. */
	f.data[0] = RN_COLL_DOC;
	assert_int_equal(
	    rn_coll_frame_decode((uint8_t *)f.data, f.len, &used, &t, id, &out), RN_ERR_CRYPTO);
	rn_buf_reset(&f);
	assert_int_equal(rn_coll_frame_encode(RN_COLL_BLOB, "xyz", 3, &f), RN_OK);
	assert_int_equal((uint8_t)f.data[1], RN_COLL_FRAME_RAW);

	/* A bomb: declares 1000 bytes, inflates to 4000. */
	zlen = sizeof(zbuf);
	assert_int_equal(compress2(zbuf, &zlen, (Bytef *)text, sizeof(text), 9), Z_OK);
	rn_buf_reset(&f);
	assert_int_equal(rn_buf_append(&f, "\x01\x01", 2), RN_OK);
	assert_int_equal(rn_coll_put_varint(&f, 1000), RN_OK);
	assert_int_equal(rn_coll_put_varint(&f, zlen), RN_OK);
	assert_int_equal(rn_buf_append(&f, zbuf, zlen), RN_OK);
	assert_int_equal(rn_coll_frame_decode((uint8_t *)f.data, f.len, &used, &t, NULL, &out),
	    RN_ERR_INVAL);
	/* Declaring more than it holds, or past the object limit. */
	rn_buf_reset(&f);
	assert_int_equal(rn_buf_append(&f, "\x01\x01", 2), RN_OK);
	assert_int_equal(rn_coll_put_varint(&f, 8000), RN_OK);
	assert_int_equal(rn_coll_put_varint(&f, zlen), RN_OK);
	assert_int_equal(rn_buf_append(&f, zbuf, zlen), RN_OK);
	assert_int_equal(rn_coll_frame_decode((uint8_t *)f.data, f.len, &used, &t, NULL, &out),
	    RN_ERR_INVAL);
	rn_buf_reset(&f);
	assert_int_equal(rn_buf_append(&f, "\x01\x01", 2), RN_OK);
	assert_int_equal(rn_coll_put_varint(&f, (uint64_t)RN_COLL_MAX_OBJECT + 1), RN_OK);
	assert_int_equal(rn_coll_frame_decode((uint8_t *)f.data, f.len, &used, &t, NULL, &out),
	    RN_ERR_TOOBIG);
	/* A zlib frame that saves under 5% is not canonical. */
	memset(big, 0, sizeof(big));
	rn_buf_reset(&f);
	assert_int_equal(rn_buf_append(&f, "\x01\x01", 2), RN_OK);
	assert_int_equal(rn_coll_put_varint(&f, 10), RN_OK);
	assert_int_equal(rn_coll_put_varint(&f, 10), RN_OK);
	assert_int_equal(rn_buf_append(&f, big, 10), RN_OK);
	assert_int_equal(rn_coll_frame_decode((uint8_t *)f.data, f.len, &used, &t, NULL, &out),
	    RN_ERR_INVAL);
	/* Raw with a length mismatch; unknown type and flags. */
	assert_int_equal(rn_coll_frame_decode((const uint8_t *)"\x01\x00\x02\x03" "abc", 7, &used, &t,
			     NULL, &out),
	    RN_ERR_INVAL);
	assert_int_equal(rn_coll_frame_decode((const uint8_t *)"\x0a\x00\x01\x01" "a", 5, &used, &t,
			     NULL, &out),
	    RN_ERR_INVAL);
	assert_int_equal(rn_coll_frame_decode((const uint8_t *)"\x01\x02\x01\x01" "a", 5, &used, &t,
			     NULL, &out),
	    RN_ERR_INVAL);
	rn_buf_free(&f);
	rn_buf_free(&out);
}

static void
fill_random(uint8_t *p, size_t n, uint64_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		p[i] = (uint8_t)(seed >> 56);
	}
}

static void
test_chunking(void **state)
{
	struct rn_coll_store *s;
	struct rn_coll_ref    ref, ref2;
	struct rn_buf	      back;
	size_t		      n = 3u * 1024u * 1024u + 12345u, off, cut, count = 0;
	uint8_t		     *data = malloc(n);

	(void)state;
	assert_non_null(data);
	fill_random(data, n, 42);
	for (off = 0; off < n; off += cut, count++) {
		cut = rn_coll_cdc_cut(data + off, n - off, true);
		assert_true(cut > 0 && cut <= RN_COLL_CDC_MAX);
		if (off + cut < n)
			assert_true(cut >= RN_COLL_CDC_MIN);
	}
	assert_true(count >= 12 && count <= 150);
	assert_int_equal(rn_coll_cdc_cut(data, 100, false), 0);
	assert_int_equal(rn_coll_cdc_cut(data, 100, true), 100);

	assert_int_equal(rn_coll_store_new_mem(&s), RN_OK);
	assert_int_equal(rn_coll_store_content(s, data, n, RN_COLL_ATT_CHUNK_AT, &ref), RN_OK);
	assert_int_equal(ref.type, RN_COLL_CHUNKLIST);
	rn_buf_init(&back, n + 1);
	assert_int_equal(rn_coll_store_check_content(s, &ref, RN_COLL_ATT_CHUNK_AT, &back), RN_OK);
	assert_int_equal(back.len, n);
	assert_memory_equal(back.data, data, n);
	/* An insertion near the start changes only the first chunks. */
	memmove(data + 1001, data + 1000, n - 1001);
	data[1000] = 0x55;
	assert_int_equal(rn_coll_store_content(s, data, n, RN_COLL_ATT_CHUNK_AT, &ref2), RN_OK);
	{
		size_t total;

		assert_int_equal(rn_coll_store_count(s, &total), RN_OK);
		assert_true(total <= count + 6); /* 2 lists + ~count shared chunks + a few new */
	}
	/* The same content small enough is one blob; the wrong type for its size is refused. */
	assert_int_equal(rn_coll_store_content(s, data, 1000, RN_COLL_BODY_CHUNK_AT, &ref2), RN_OK);
	assert_int_equal(ref2.type, RN_COLL_BLOB);
	ref2.size = RN_COLL_BODY_CHUNK_AT + 1;
	assert_int_equal(
	    rn_coll_store_check_content(s, &ref2, RN_COLL_BODY_CHUNK_AT, NULL), RN_ERR_INVAL);
	ref.size--;
	assert_int_equal(
	    rn_coll_store_check_content(s, &ref, RN_COLL_ATT_CHUNK_AT, NULL), RN_ERR_INVAL);
	rn_buf_free(&back);
	rn_coll_store_free(s);
	free(data);
}

static void
test_names(void **state)
{
	(void)state;
	assert_true(rn_coll_docid_valid("a", 1));
	assert_true(rn_coll_docid_valid("2026-05-bulletin", 16));
	assert_false(rn_coll_docid_valid("", 0));
	assert_false(rn_coll_docid_valid("../etc", 6));
	assert_false(rn_coll_docid_valid("a--b", 4));
	assert_false(rn_coll_docid_valid("-a", 2));
	assert_false(rn_coll_docid_valid("A", 1));
	assert_false(rn_coll_docid_valid("a\0b", 3));
	assert_true(rn_coll_attname_valid("photo.jpg", 9));
	assert_false(rn_coll_attname_valid("../x", 4));
	assert_false(rn_coll_attname_valid(".hidden", 7));
	assert_false(rn_coll_attname_valid("a/b", 3));
	assert_false(rn_coll_attname_valid("a\0b", 3));
	assert_true(rn_coll_text_valid("Caf\xc3\xa9", 5));
	assert_false(rn_coll_text_valid("x\xe2\x80\xaey", 5)); /* RLO */
	assert_false(rn_coll_text_valid("\xc0\xaf", 2));	 /* overlong */
	assert_false(rn_coll_text_valid("\xed\xa0\x80", 3));	 /* surrogate */
	assert_false(rn_coll_text_valid("a\nb", 3));
	assert_false(rn_coll_text_valid("\xc2\x85", 2)); /* C1 */
}

static void
test_doc(void **state)
{
	struct rn_coll_doc d, e;
	struct rn_buf	   b;

	(void)state;
	memset(&d, 0, sizeof(d));
	snprintf(d.id, sizeof(d.id), "mutual-aid");
	d.section = RN_COLL_SEC_TACTIC;
	snprintf(d.title, sizeof(d.title), "Mutual aid");
	d.date = 1700000000;
	snprintf(d.lang, sizeof(d.lang), "pt-BR");
	d.body.type = RN_COLL_BLOB;
	d.body.size = 10;
	d.natt = 2;
	snprintf(d.att[0].name, sizeof(d.att[0].name), "a.png");
	snprintf(d.att[0].media, sizeof(d.att[0].media), "image/png");
	d.att[0].ref.type = RN_COLL_BLOB;
	snprintf(d.att[1].name, sizeof(d.att[1].name), "b.pdf");
	snprintf(d.att[1].media, sizeof(d.att[1].media), "application/pdf");
	d.att[1].ref.type = RN_COLL_CHUNKLIST;
	d.att[1].ref.size = 5000000;
	rn_buf_init(&b, RN_COLL_MAX_OBJECT);
	assert_int_equal(rn_coll_doc_encode(&d, &b), RN_OK);
	assert_int_equal(rn_coll_doc_decode((uint8_t *)b.data, b.len, &e), RN_OK);
	assert_memory_equal(&d, &e, sizeof(d));
	/* Trailing bytes, a missing field, unsorted attachments. */
	assert_int_equal(rn_buf_append(&b, "\x09\x00", 2), RN_OK);
	assert_int_equal(rn_coll_doc_decode((uint8_t *)b.data, b.len, &e), RN_ERR_INVAL);
	assert_int_equal(rn_coll_doc_decode((uint8_t *)b.data + 12, b.len - 14, &e), RN_ERR_INVAL);
	snprintf(d.att[1].name, sizeof(d.att[1].name), "a.png");
	rn_buf_reset(&b);
	assert_int_equal(rn_coll_doc_encode(&d, &b), RN_ERR_INVAL);
	snprintf(d.id, sizeof(d.id), "../x");
	assert_int_equal(rn_coll_doc_encode(&d, &b), RN_ERR_INVAL);
	rn_buf_free(&b);
}

static enum rn_err
count_obj(const uint8_t id[32], void *arg)
{
	(void)id;
	(*(size_t *)arg)++;
	return RN_OK;
}

static void
test_store_disk(void **state)
{
	struct rn_coll_store *s;
	char		      dir[] = "/tmp/rn-coll-store-XXXXXX";
	uint8_t		      id[32], id2[32];
	struct rn_buf	      b;
	size_t		      n = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(rn_coll_store_open(dir, &s), RN_OK);
	rn_buf_init(&b, RN_COLL_MAX_OBJECT);
	assert_int_equal(rn_coll_store_put(s, RN_COLL_BLOB, "hello", 5, id), RN_OK);
	assert_int_equal(rn_coll_store_put(s, RN_COLL_BLOB, "hello", 5, id), RN_OK);
	assert_int_equal(rn_coll_store_put(s, RN_COLL_CHUNK, "hello", 5, id2), RN_OK);
	assert_memory_not_equal(id, id2, 32);
	assert_true(rn_coll_store_has(s, id));
	assert_int_equal(rn_coll_store_get(s, id, RN_COLL_BLOB, &b), RN_OK);
	assert_int_equal(b.len, 5);
	assert_int_equal(rn_coll_store_get(s, id, RN_COLL_CHUNK, &b), RN_ERR_PROTO);
	assert_int_equal(rn_coll_store_each(s, count_obj, &n), RN_OK);
	assert_int_equal(n, 2);
	/* The collector keeps nothing reachable from no roots. */
	assert_int_equal(rn_coll_store_gc(s, NULL, 0, (const uint8_t(*)[32])id, 1, &n), RN_OK);
	assert_int_equal(n, 1);
	assert_false(rn_coll_store_has(s, id2));
	assert_int_equal(rn_coll_store_delete(s, id), RN_OK);
	assert_int_equal(rn_coll_store_get(s, id, RN_COLL_BLOB, &b), RN_ERR_NOTFOUND);
	rn_buf_free(&b);
	rn_coll_store_free(s);
	rm_tree(dir);
}

static void
make_entries(struct rn_coll_entry *e, size_t n, unsigned salt)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char id[32];
		int  k = snprintf(id, sizeof(id), "doc-%zu", i);

		assert_int_equal(rn_coll_key(id, (size_t)k, e[i].key), RN_OK);
		memset(e[i].doc, (int)(i + salt), 32);
		e[i].status = RN_COLL_LIVE;
	}
}

struct diffs {
	size_t added, removed, changed, nodes;
};

static enum rn_err
count_node(const uint8_t id[32], void *arg)
{
	(void)id;
	((struct diffs *)arg)->nodes++;
	return RN_OK;
}

static enum rn_err
count_diff(const struct rn_coll_entry *a, const struct rn_coll_entry *b, void *arg)
{
	struct diffs *d = arg;

	if (a == NULL)
		d->added++;
	else if (b == NULL)
		d->removed++;
	else
		d->changed++;
	return RN_OK;
}

static int
cmp_change(const void *a, const void *b)
{
	return memcmp(((const struct rn_coll_change *)a)->e.key,
	    ((const struct rn_coll_change *)b)->e.key, 32);
}

static void
test_trie(void **state)
{
	enum { N = 2000 };
	struct rn_coll_store *s;
	struct rn_coll_entry *e = calloc(N, sizeof(*e)), *rev = calloc(N + 3, sizeof(*rev)), got;
	struct rn_coll_change ch[10];
	uint8_t		      r1[32], r2[32], r3[32], r4[32], empty[32];
	uint64_t	      count;
	size_t		      i, before, after, nodes = 0;
	struct diffs	      d = { 0, 0, 0, 0 };
	struct rn_buf	      proof;
	bool		      present;

	(void)state;
	assert_int_equal(rn_coll_store_new_mem(&s), RN_OK);
	make_entries(e, N, 0);
	for (i = 0; i < N; i++)
		rev[i] = e[N - 1 - i];
	assert_int_equal(rn_coll_trie_build(s, e, N, r1), RN_OK);
	assert_int_equal(rn_coll_trie_build(s, rev, N, r2), RN_OK);
	assert_memory_equal(r1, r2, 32); /* order does not matter */
	assert_int_equal(rn_coll_trie_walk(s, r1, NULL, NULL, &count), RN_OK);
	assert_int_equal(count, N);
	assert_int_equal(rn_coll_trie_get(s, r1, e[77].key, &got), RN_OK);
	assert_memory_equal(got.doc, e[77].doc, 32);

	/* Incremental: 5 changes, 3 new, 2 deleted; the result equals a fresh build. */
	assert_int_equal(rn_coll_store_count(s, &before), RN_OK);
	memset(ch, 0, sizeof(ch));
	make_entries(rev, N + 3, 1);
	for (i = 0; i < 3; i++)
		ch[i].e = rev[N + i];
	ch[3].e = e[5];
	ch[3].del = true;
	ch[4].e = e[6];
	ch[4].e.status = RN_COLL_RETRACTED;
	qsort(ch, 5, sizeof(ch[0]), cmp_change);
	assert_int_equal(rn_coll_trie_update(s, r1, ch, 5, r3), RN_OK);
	assert_int_equal(rn_coll_store_count(s, &after), RN_OK);
	assert_true(after - before <= 5 * 4); /* O(k log N) new nodes */
	e[6].status = RN_COLL_RETRACTED;
	{
		struct rn_coll_entry *all = calloc(N + 3, sizeof(*all));
		size_t		      k = 0;

		for (i = 0; i < N; i++)
			if (i != 5)
				all[k++] = e[i];
		for (i = 0; i < 3; i++)
			all[k++] = rev[N + i];
		assert_int_equal(rn_coll_trie_build(s, all, k, r4), RN_OK);
		free(all);
	}
	assert_memory_equal(r3, r4, 32);
	assert_int_equal(rn_coll_trie_diff(s, r1, r3, count_node, count_diff, &d), RN_OK);
	(void)nodes;
	assert_true(d.nodes > 0 && d.nodes <= after - before);
	assert_int_equal(d.added, 3);
	assert_int_equal(d.removed, 1);
	assert_int_equal(d.changed, 1);
	/* Deleting an absent key; unsorted changes. */
	ch[0].del = true;
	memset(ch[0].e.key, 0xff, 32);
	assert_int_equal(rn_coll_trie_update(s, r1, ch, 1, r2), RN_ERR_NOTFOUND);
	assert_int_equal(rn_coll_trie_update(s, r1, ch, 5, r2), RN_ERR_INVAL);

	/* Proofs of presence and absence. */
	rn_buf_init(&proof, 1u << 20);
	assert_int_equal(rn_coll_trie_prove(s, r3, e[100].key, &proof), RN_OK);
	assert_int_equal(rn_coll_trie_verify_proof(r3, e[100].key, (uint8_t *)proof.data, proof.len,
			     &present, &got),
	    RN_OK);
	assert_true(present);
	assert_memory_equal(got.doc, e[100].doc, 32);
	assert_int_equal(rn_coll_trie_verify_proof(r1, e[100].key, (uint8_t *)proof.data, proof.len,
			     &present, &got),
	    RN_ERR_CRYPTO);
	proof.data[proof.len - 1] ^= 1;
	assert_int_not_equal(rn_coll_trie_verify_proof(r3, e[100].key, (uint8_t *)proof.data,
				 proof.len, &present, &got),
	    RN_OK);
	assert_false(present);
	rn_buf_reset(&proof);
	assert_int_equal(rn_coll_trie_prove(s, r3, ch[0].e.key, &proof), RN_OK);
	assert_int_equal(rn_coll_trie_verify_proof(r3, ch[0].e.key, (uint8_t *)proof.data,
			     proof.len, &present, &got),
	    RN_OK);
	assert_false(present);
	rn_buf_free(&proof);

	/* Delete everything: back to the empty root. */
	assert_int_equal(rn_coll_trie_empty(s, empty), RN_OK);
	{
		struct rn_coll_change *all = calloc(N, sizeof(*all));

		make_entries(e, N, 0);
		for (i = 0; i < N; i++) {
			all[i].e = e[i];
			all[i].del = true;
		}
		qsort(all, N, sizeof(all[0]), cmp_change);
		assert_int_equal(rn_coll_trie_update(s, r1, all, N, r2), RN_OK);
		assert_memory_equal(r2, empty, 32);
		free(all);
	}
	free(e);
	free(rev);
	rn_coll_store_free(s);
}

static void
test_trie_hostile_nodes(void **state)
{
	struct rn_coll_node n;
	uint8_t		    leaf[3 + 2 * 65];

	(void)state;
	/* An empty leaf below the root, an unsorted leaf, a bad status, a small branch. */
	assert_int_equal(rn_coll_node_decode((const uint8_t *)"\x00\x01\x00", 3, &n), RN_ERR_INVAL);
	assert_int_equal(rn_coll_node_decode((const uint8_t *)"\x00\x00\x00", 3, &n), RN_OK);
	memset(leaf, 0, sizeof(leaf));
	leaf[2] = 2;
	assert_int_equal(rn_coll_node_decode(leaf, sizeof(leaf), &n), RN_ERR_INVAL); /* equal keys */
	leaf[3 + 65] = 1;
	assert_int_equal(rn_coll_node_decode(leaf, sizeof(leaf), &n), RN_OK);
	leaf[3 + 32] = 2;
	assert_int_equal(rn_coll_node_decode(leaf, sizeof(leaf), &n), RN_ERR_INVAL);
	assert_int_equal(
	    rn_coll_node_decode((const uint8_t *)"\x01\x00\x10\x00\x01", 5, &n), RN_ERR_INVAL);
	assert_int_equal(rn_coll_node_decode((const uint8_t *)"\x01\x3f\x11\x00\x01", 5, &n),
	    RN_ERR_INVAL);
	assert_int_equal(rn_coll_node_decode((const uint8_t *)"\x02\x00", 2, &n), RN_ERR_INVAL);
}

/* A naive RFC 6962 MTH, PATH and SUBPROOF, straight from the RFC's definitions. */
static void
naive_mth(uint8_t (*leaves)[32], size_t lo, size_t hi, uint8_t out[32])
{
	uint8_t l[32], r[32];
	size_t	k = 1;

	if (hi - lo == 1) {
		memcpy(out, leaves[lo], 32);
		return;
	}
	while (k * 2 < hi - lo)
		k *= 2;
	naive_mth(leaves, lo, lo + k, l);
	naive_mth(leaves, lo + k, hi, r);
	assert_int_equal(rn_coll_log_node_hash(l, r, out), RN_OK);
}

static void
test_log(void **state)
{
	enum { N = 70 };
	struct rn_coll_log *log;
	uint8_t		    leaves[N][32], root[32], want[32], roots[N + 1][32];
	uint8_t		    proof[RN_COLL_MAX_PROOF][32];
	size_t		    i, m, sz, n;

	(void)state;
	assert_int_equal(rn_coll_log_new(&log), RN_OK);
	assert_int_equal(rn_coll_log_root(log, 0, root), RN_OK);
	assert_int_equal(rn_sha256("", 0, want), RN_OK);
	assert_memory_equal(root, want, 32);
	for (i = 0; i < N; i++) {
		uint8_t rec[40];

		memset(rec, (int)i, sizeof(rec));
		assert_int_equal(rn_coll_log_append(log, rec, sizeof(rec)), RN_OK);
		assert_int_equal(rn_coll_log_leaf_hash(rec, sizeof(rec), leaves[i]), RN_OK);
	}
	memcpy(roots[0], want, 32);
	for (sz = 1; sz <= N; sz++) {
		naive_mth(leaves, 0, sz, want);
		assert_int_equal(rn_coll_log_root(log, sz, roots[sz]), RN_OK);
		assert_memory_equal(roots[sz], want, 32);
	}
	for (sz = 1; sz <= N; sz++) {
		for (i = 0; i < sz; i++) {
			assert_int_equal(rn_coll_log_prove_inclusion(log, i, sz, proof, &n), RN_OK);
			assert_int_equal(rn_coll_log_verify_inclusion(
					     leaves[i], i, sz, (const uint8_t(*)[32])proof, n, roots[sz]),
			    RN_OK);
			/* Wrong index, wrong size, wrong leaf. */
			if (sz > 1)
				assert_int_equal(rn_coll_log_verify_inclusion(leaves[i], (i + 1) % sz, sz,
						     (const uint8_t(*)[32])proof, n, roots[sz]),
				    RN_ERR_CRYPTO);
			if (sz < N && rn_coll_log_verify_inclusion(leaves[i], i, sz + 1,
					  (const uint8_t(*)[32])proof, n, roots[sz + 1]) == RN_OK)
				fail_msg("inclusion of %zu in %zu passed as in %zu", i, sz, sz + 1);
		}
		for (m = 1; m <= sz; m++) {
			assert_int_equal(rn_coll_log_prove_consistency(log, m, sz, proof, &n), RN_OK);
			assert_int_equal(rn_coll_log_verify_consistency(m, sz, roots[m], roots[sz],
					     (const uint8_t(*)[32])proof, n),
			    RN_OK);
			if (m < sz) {
				assert_int_equal(rn_coll_log_verify_consistency(m, sz, roots[m - 1 ? m - 1 : 1],
						     roots[sz], (const uint8_t(*)[32])proof, n),
				    m == 1 ? RN_OK : RN_ERR_CRYPTO);
				if (n > 0) {
					proof[n - 1][0] ^= 1;
					assert_int_equal(rn_coll_log_verify_consistency(m, sz, roots[m],
							     roots[sz], (const uint8_t(*)[32])proof, n),
					    RN_ERR_CRYPTO);
				}
			}
		}
	}
	/* Truncate (an uncommitted append undone) and encode/decode. */
	rn_coll_log_truncate(log, 33);
	assert_int_equal(rn_coll_log_size(log), 33);
	assert_int_equal(rn_coll_log_root(log, 33, root), RN_OK);
	assert_memory_equal(root, roots[33], 32);
	rn_coll_log_free(log);
}

static void
test_statements(void **state)
{
	struct rn_coll_sigs sigs;
	struct rn_buf	    out;
	uint8_t		    seed[32];

	(void)state;
	memset(seed, 9, sizeof(seed));
	rn_buf_init(&out, RN_COLL_MAX_STATEMENT);
#define SPLIT(s) rn_coll_stmt_split((const uint8_t *)(s), strlen(s), &sigs)
	assert_int_equal(SPLIT("a b\nc\n"), RN_OK);
	assert_int_equal(sigs.body_len, 6);
	assert_int_equal(SPLIT("a b\nc"), RN_ERR_INVAL);	  /* no final LF */
	assert_int_equal(SPLIT("a  b\n"), RN_ERR_INVAL);	  /* two spaces */
	assert_int_equal(SPLIT("a b \n"), RN_ERR_INVAL);	  /* trailing space */
	assert_int_equal(SPLIT(" a\n"), RN_ERR_INVAL);		  /* leading space */
	assert_int_equal(SPLIT("a\r\n"), RN_ERR_INVAL);		  /* CR */
	assert_int_equal(SPLIT("a\n\nb\n"), RN_ERR_INVAL);	  /* empty line */
	assert_int_equal(SPLIT("a\tb\n"), RN_ERR_INVAL);	  /* tab */
	assert_int_equal(SPLIT("sig x\n"), RN_ERR_INVAL);	  /* no body */
	assert_int_equal(SPLIT("a\nsig abc def\n"), RN_ERR_INVAL); /* malformed signature */
	assert_int_equal(rn_coll_stmt_sign((const uint8_t *)"a\n", 2, seed, &out), RN_OK);
	assert_int_equal(rn_coll_stmt_split((uint8_t *)out.data, out.len, &sigs), RN_OK);
	assert_int_equal(sigs.n, 1);
	assert_int_equal(rn_coll_stmt_verify_sigs((uint8_t *)out.data, &sigs), RN_OK);
	{
		struct rn_buf again;

		rn_buf_init(&again, RN_COLL_MAX_STATEMENT);
		assert_int_equal(
		    rn_coll_stmt_sign((uint8_t *)out.data, out.len, seed, &again), RN_ERR_EXISTS);
		/* Upper-case hex is another spelling of the same key: refused. */
		rn_buf_reset(&again);
		assert_int_equal(rn_buf_append(&again, out.data, out.len), RN_OK);
		again.data[2 + 4] = (char)(again.data[2 + 4] >= 'a' ? again.data[2 + 4] - 32 : again.data[2 + 4]);
		if (again.data[2 + 4] >= 'A' && again.data[2 + 4] <= 'F')
			assert_int_equal(rn_coll_stmt_split((uint8_t *)again.data, again.len, &sigs),
			    RN_ERR_INVAL);
		rn_buf_free(&again);
	}
	rn_buf_free(&out);
#undef SPLIT
}

/* ---- vectors written by gen.py ---- */

static char *
read_vec(const char *name, size_t *len)
{
	char	      path[512];
	struct rn_buf b;

	snprintf(path, sizeof(path), "%s/%s", RN_COLL_VECTORS, name);
	rn_buf_init(&b, 1u << 24);
	assert_int_equal(rn_file_read_all(path, 1u << 24, &b), RN_OK);
	*len = b.len;
	return b.data;
}

static size_t
unhex(const char *s, size_t n, uint8_t **out)
{
	if (strcmp(s, "-") == 0)
		n = 0;
	*out = malloc(n / 2 + 1);
	assert_non_null(*out);
	if (n > 0)
		assert_int_equal(rn_hex_decode(s, n, *out, n / 2), RN_OK);
	return n / 2;
}

static struct rn_coll_entry ents[1000];
static size_t		    nents;

/* Each line of vectors.txt: KIND FIELD... (see gen.py). */
static void
check_vector_line(char *line, struct rn_coll_store *s)
{
	char	   *f[8] = { 0 }, *save = NULL;
	size_t	    nf = 0;
	uint8_t	   *a = NULL, id[32], want[32];
	size_t	    an;
	enum rn_err err;

	for (char *t = strtok_r(line, " ", &save); t != NULL && nf < 8; t = strtok_r(NULL, " ", &save))
		f[nf++] = t;
	if (nf == 0 || f[0][0] == '#')
		return;
	if (strcmp(f[0], "id") == 0) { /* id TYPE PAYLOAD-HEX ID */
		an = unhex(f[2], strlen(f[2]), &a);
		assert_int_equal(rn_coll_id((enum rn_coll_type)strtoul(f[1], NULL, 10), a, an, id), RN_OK);
		assert_int_equal(rn_coll_id_parse(f[3], 64, want), RN_OK);
		assert_memory_equal(id, want, 32);
	} else if (strcmp(f[0], "key") == 0) { /* key DOCID KEY */
		assert_int_equal(rn_coll_key(f[1], strlen(f[1]), id), RN_OK);
		assert_int_equal(rn_coll_id_parse(f[2], 64, want), RN_OK);
		assert_memory_equal(id, want, 32);
	} else if (strcmp(f[0], "varint-bad") == 0) {
		uint64_t v;
		size_t	 used;

		assert_int_not_equal(rd_varint_hex(f[1], &v, &used), RN_OK);
	} else if (strcmp(f[0], "varint") == 0) { /* varint HEX DECIMAL */
		uint64_t v;
		size_t	 used;

		assert_int_equal(rd_varint_hex(f[1], &v, &used), RN_OK);
		assert_int_equal(used, strlen(f[1]) / 2);
		assert_true(v == strtoull(f[2], NULL, 10));
	} else if (strcmp(f[0], "cut") == 0) { /* cut SEED LENGTH CUTS,... */
		size_t	 n = strtoul(f[2], NULL, 10), off = 0;
		uint8_t *data = malloc(n);
		char	*c, *s2 = NULL;

		assert_non_null(data);
		fill_random(data, n, strtoull(f[1], NULL, 10));
		for (c = strtok_r(f[3], ",", &s2); c != NULL; c = strtok_r(NULL, ",", &s2)) {
			size_t cut = rn_coll_cdc_cut(data + off, n - off, true);

			assert_int_equal(cut, strtoul(c, NULL, 10));
			off += cut;
		}
		assert_int_equal(off, n);
		free(data);
	} else if (strcmp(f[0], "object") == 0) { /* object TYPE PAYLOAD-HEX: into the store */
		an = unhex(f[2], strlen(f[2]), &a);
		assert_int_equal(rn_coll_store_put(s, (enum rn_coll_type)strtoul(f[1], NULL, 10), a, an, NULL), RN_OK);
	} else if (strcmp(f[0], "trie") == 0) { /* trie ROOT: the nodes given are the whole trie */
		uint64_t count;

		assert_int_equal(rn_coll_id_parse(f[1], 64, want), RN_OK);
		assert_int_equal(rn_coll_trie_walk(s, want, NULL, NULL, &count), RN_OK);
		assert_true(count == strtoull(f[2], NULL, 10));
	} else if (strcmp(f[0], "entry") == 0) { /* entry KEY STATUS DOC: for trie-build */
		struct rn_coll_entry *e = &ents[nents++];

		assert_true(nents <= RN_ARRAY_LEN(ents));
		assert_int_equal(rn_coll_id_parse(f[1], 64, e->key), RN_OK);
		e->status = (uint8_t)strtoul(f[2], NULL, 10);
		assert_int_equal(rn_coll_id_parse(f[3], 64, e->doc), RN_OK);
	} else if (strcmp(f[0], "trie-build") == 0) { /* our build of the entries: the same root */
		struct rn_coll_store *m;

		assert_int_equal(rn_coll_store_new_mem(&m), RN_OK);
		assert_int_equal(rn_coll_trie_build(m, ents, nents, id), RN_OK);
		assert_int_equal(rn_coll_id_parse(f[1], 64, want), RN_OK);
		assert_memory_equal(id, want, 32);
		rn_coll_store_free(m);
		nents = 0;
	} else if (strcmp(f[0], "bad") == 0) { /* bad DECODER HEX: must be refused */
		an = unhex(f[2], strlen(f[2]), &a);
		if (strcmp(f[1], "doc") == 0) {
			struct rn_coll_doc d;
			err = rn_coll_doc_decode(a, an, &d);
		} else if (strcmp(f[1], "record") == 0) {
			struct rn_coll_record r;
			err = rn_coll_record_decode(a, an, &r);
		} else if (strcmp(f[1], "node") == 0) {
			struct rn_coll_node nd;
			err = rn_coll_node_decode(a, an, &nd);
		} else if (strcmp(f[1], "tombstone") == 0) {
			struct rn_coll_tombstone t;
			err = rn_coll_tombstone_decode(a, an, &t);
		} else if (strcmp(f[1], "chunklist") == 0) {
			struct rn_coll_chunklist cl;
			err = rn_coll_chunklist_decode(a, an, &cl);
			rn_coll_chunklist_clear(&cl);
		} else {
			enum rn_coll_type t;
			struct rn_buf	  out;
			size_t		  used;

			assert_string_equal(f[1], "frame");
			rn_buf_init(&out, RN_COLL_MAX_OBJECT);
			err = rn_coll_frame_decode(a, an, &used, &t, NULL, &out);
			if (err == RN_OK && used != an)
				err = RN_ERR_INVAL;
			rn_buf_free(&out);
		}
		if (err == RN_OK)
			fail_msg("vector not refused: bad %s %s", f[1], f[2]);
	} else {
		fail_msg("unknown vector kind %s", f[0]);
	}
	free(a);
}

static void
test_vectors(void **state)
{
	struct rn_coll_store *s;
	size_t		      len, n = 0;
	char		     *text = read_vec("vectors.txt", &len), *line, *save = NULL;

	(void)state;
	assert_int_equal(rn_coll_store_new_mem(&s), RN_OK);
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		check_vector_line(line, s);
		n++;
	}
	assert_true(n > 50);
	rn_coll_store_free(s);
	free(text);
}

/* log.txt: "record HEX" lines, then "root SIZE HEX" lines. */
static void
test_vectors_log(void **state)
{
	struct rn_coll_log *log;
	size_t		    len, nroots = 0;
	char		   *text = read_vec("log.txt", &len), *line, *save = NULL;
	uint8_t		    want[32], got[32], *a;

	(void)state;
	assert_int_equal(rn_coll_log_new(&log), RN_OK);
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "record ", 7) == 0) {
			size_t an = unhex(line + 7, strlen(line + 7), &a);

			assert_int_equal(rn_coll_log_append(log, a, an), RN_OK);
			free(a);
		} else if (strncmp(line, "root ", 5) == 0) {
			char *sp = strchr(line + 5, ' ');

			assert_non_null(sp);
			assert_int_equal(rn_coll_id_parse(sp + 1, 64, want), RN_OK);
			assert_int_equal(rn_coll_log_root(log, strtoull(line + 5, NULL, 10), got), RN_OK);
			assert_memory_equal(got, want, 32);
			nroots++;
		}
	}
	assert_true(nroots > 5);
	rn_coll_log_free(log);
	free(text);
}

/* stmt-*.txt: statements signed by gen.py; ok-* verify, bad-* are refused. */
static void
test_vectors_statements(void **state)
{
	static const char *const ok[] = { "stmt-root1.txt", "stmt-commit1.txt", "stmt-timestamp.txt" };
	static const char *const bad[] = { "bad-root-dup-sig.txt", "bad-root-small-order.txt",
		"bad-root-unsorted.txt", "bad-commit-leading-zero.txt", "bad-commit-uppercase.txt",
		"bad-commit-crlf.txt", "bad-commit-extra-line.txt", "bad-timestamp-long.txt",
		"bad-commit-sig-noncanonical-b64.txt" };
	struct rn_coll_root	*r = malloc(sizeof(*r));
	struct rn_coll_sigs	 sigs;
	struct rn_coll_commit	 c;
	struct rn_coll_timestamp t;
	size_t			 len, i;
	char			*p;

	(void)state;
	assert_non_null(r);
	p = read_vec(ok[0], &len);
	assert_int_equal(rn_coll_root_parse((uint8_t *)p, len, r, &sigs), RN_OK);
	assert_int_equal(rn_coll_stmt_verify_sigs((uint8_t *)p, &sigs), RN_OK);
	assert_int_equal(sigs.n, 2);
	{
		/* Our encoder writes the same body bytes. */
		struct rn_buf b;

		rn_buf_init(&b, RN_COLL_MAX_STATEMENT);
		assert_int_equal(rn_coll_root_encode(r, &b), RN_OK);
		assert_int_equal(b.len, sigs.body_len);
		assert_memory_equal(b.data, p, b.len);
		rn_buf_free(&b);
	}
	free(p);
	p = read_vec(ok[1], &len);
	assert_int_equal(rn_coll_commit_parse((uint8_t *)p, len, &c, &sigs), RN_OK);
	assert_int_equal(rn_coll_stmt_verify_sigs((uint8_t *)p, &sigs), RN_OK);
	assert_memory_equal(c.collection, r->id, 32);
	free(p);
	p = read_vec(ok[2], &len);
	assert_int_equal(rn_coll_timestamp_parse((uint8_t *)p, len, &t, &sigs), RN_OK);
	assert_int_equal(rn_coll_stmt_verify_sigs((uint8_t *)p, &sigs), RN_OK);
	free(p);
	for (i = 0; i < RN_ARRAY_LEN(bad); i++) {
		enum rn_err err;

		p = read_vec(bad[i], &len);
		if (strncmp(bad[i], "bad-root", 8) == 0)
			err = rn_coll_root_parse((uint8_t *)p, len, r, &sigs);
		else if (strncmp(bad[i], "bad-commit", 10) == 0)
			err = rn_coll_commit_parse((uint8_t *)p, len, &c, &sigs);
		else
			err = rn_coll_timestamp_parse((uint8_t *)p, len, &t, &sigs);
		if (err == RN_OK)
			fail_msg("%s was accepted", bad[i]);
		free(p);
	}
	free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_varint),
		cmocka_unit_test(test_tlv),
		cmocka_unit_test(test_frames),
		cmocka_unit_test(test_chunking),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_doc),
		cmocka_unit_test(test_store_disk),
		cmocka_unit_test(test_trie),
		cmocka_unit_test(test_trie_hostile_nodes),
		cmocka_unit_test(test_log),
		cmocka_unit_test(test_statements),
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_vectors_log),
		cmocka_unit_test(test_vectors_statements),
	};

	return cmocka_run_group_tests_name("coll", tests, NULL, NULL);
}
