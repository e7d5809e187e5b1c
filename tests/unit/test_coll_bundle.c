/*
 * Bundles (daemon/coll/bundle.c): the codec round trip and its strict
 * refusals, streams of several bundles, signature merging, and the dry run
 * that tells a commit below its threshold from a bad one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "coll_fixture.h"
#include "roneo/rn_coll_bundle.h"

#define BULLETIN_MD                                                                                \
	"---\nid: b1\ntitle: One\nsection: bulletins\ndate: 2026-01-01\nlang: en\n---\nHello\n"

struct ids {
	uint8_t (*v)[32];
	size_t n;
};

static enum rn_err
collect(const uint8_t id[RN_COLL_ID_LEN], void *arg)
{
	struct ids *x = arg;

	x->v = realloc(x->v, (x->n + 1) * 32);
	assert_non_null(x->v);
	memcpy(x->v[x->n++], id, 32);
	return RN_OK;
}

static int
cmp32(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

/* Every object of the fixture's replica, sorted, as bundle entries. */
static void
put_objects(struct fx *f, struct rn_buf *out)
{
	struct ids    x = { NULL, 0 };
	struct rn_buf frame;
	size_t	      i;

	rn_buf_init(&frame, RN_COLL_MAX_OBJECT + 64);
	assert_int_equal(rn_coll_store_each(f->store, collect, &x), RN_OK);
	qsort(x.v, x.n, 32, cmp32);
	for (i = 0; i < x.n; i++) {
		rn_buf_reset(&frame);
		assert_int_equal(rn_coll_store_get_frame(f->store, x.v[i], &frame), RN_OK);
		assert_int_equal(rn_coll_bundle_put_object(out, x.v[i], frame.data, frame.len), RN_OK);
	}
	free(x.v);
	rn_buf_free(&frame);
}

/* ROOT 1 and commit 1 (a bulletin signed by editor 0) as one bundle. */
static void
make_bundle(struct fx *f, struct rn_buf *out, struct rn_buf *stmt, struct rn_buf *rec)
{
	struct rn_coll_record r;
	uint8_t		      doc[32];

	fx_doc(f, "b1", RN_COLL_SEC_BULLETIN, BULLETIN_MD, strlen(BULLETIN_MD), doc);
	fx_record(&r, RN_COLL_OP_PUT, "b1", doc, NULL);
	fx_commit(f, &r, 1, 1, stmt, rec);
	assert_int_equal(rn_coll_bundle_begin(out), RN_OK);
	assert_int_equal(rn_coll_bundle_put(out, RN_COLL_BUNDLE_ROOT, f->root_stmt.data,
			     f->root_stmt.len),
	    RN_OK);
	assert_int_equal(rn_coll_bundle_put(out, RN_COLL_BUNDLE_COMMIT, stmt->data, stmt->len), RN_OK);
	assert_int_equal(rn_coll_bundle_put(out, RN_COLL_BUNDLE_RECORDS, rec->data, rec->len), RN_OK);
	put_objects(f, out);
}

static void
test_round_trip(void **state)
{
	struct fx	      f;
	struct rn_coll_bundle b;
	struct rn_buf	      out, stmt, rec, again;
	size_t		      used, i;

	(void)state;
	fx_init(&f);
	rn_buf_init(&out, RN_COLL_MAX_BUNDLE);
	rn_buf_init(&stmt, RN_COLL_MAX_STATEMENT);
	rn_buf_init(&rec, RN_COLL_MAX_OBJECT);
	rn_buf_init(&again, RN_COLL_MAX_BUNDLE);
	make_bundle(&f, &out, &stmt, &rec);
	assert_int_equal(rn_coll_bundle_decode((uint8_t *)out.data, out.len, &b, &used), RN_OK);
	assert_int_equal(used, out.len);
	assert_int_equal(b.nroots, 1);
	assert_int_equal(b.first_root, 1);
	assert_true(b.has_commit);
	assert_int_equal(b.seq, 1);
	assert_int_equal(b.commit.n, stmt.len);
	assert_memory_equal(b.commit.p, stmt.data, stmt.len);
	assert_true(b.nobjs >= 3);
	/* Re-encoding what was decoded gives the same bytes. */
	assert_int_equal(rn_coll_bundle_begin(&again), RN_OK);
	assert_int_equal(rn_coll_bundle_put(&again, RN_COLL_BUNDLE_ROOT, b.roots[0].p, b.roots[0].n),
	    RN_OK);
	assert_int_equal(rn_coll_bundle_put(&again, RN_COLL_BUNDLE_COMMIT, b.commit.p, b.commit.n),
	    RN_OK);
	assert_int_equal(rn_coll_bundle_put(&again, RN_COLL_BUNDLE_RECORDS, b.records.p, b.records.n),
	    RN_OK);
	for (i = 0; i < b.nobjs; i++)
		assert_int_equal(
		    rn_coll_bundle_put_object(&again, b.objs[i].id, b.objs[i].frame, b.objs[i].n),
		    RN_OK);
	assert_int_equal(again.len, out.len);
	assert_memory_equal(again.data, out.data, out.len);
	rn_coll_bundle_clear(&b);
	rn_coll_bundle_clear(NULL);
	/* A stream: the same bundle twice, decoded one after the other. */
	assert_int_equal(rn_buf_append(&again, out.data, out.len), RN_OK);
	assert_int_equal(rn_coll_bundle_decode((uint8_t *)again.data, again.len, &b, &used), RN_OK);
	assert_int_equal(used, out.len);
	rn_coll_bundle_clear(&b);
	assert_int_equal(rn_coll_bundle_decode((uint8_t *)again.data + used, again.len - used, &b,
			     &used),
	    RN_OK);
	assert_int_equal(used, out.len);
	rn_coll_bundle_clear(&b);
	rn_buf_free(&out);
	rn_buf_free(&stmt);
	rn_buf_free(&rec);
	rn_buf_free(&again);
	fx_free(&f);
}

static void
refused(const void *p, size_t n)
{
	struct rn_coll_bundle b;
	size_t		      used = 1;

	assert_int_not_equal(rn_coll_bundle_decode(p, n, &b, &used), RN_OK);
	assert_int_equal(used, 0);
	assert_null(b.objs);
}

/* One entry after the magic. */
static void
one(struct rn_buf *b, uint64_t kind, const void *p, size_t n)
{
	rn_buf_reset(b);
	assert_int_equal(rn_coll_bundle_begin(b), RN_OK);
	assert_int_equal(rn_coll_put_varint(b, kind), RN_OK);
	assert_int_equal(rn_coll_put_bytes(b, p, n), RN_OK);
}

static void
test_refusals(void **state)
{
	struct fx      f;
	struct rn_buf  out, stmt, rec, b;
	struct rn_coll_bundle ok;
	size_t	       used, i;

	(void)state;
	fx_init(&f);
	rn_buf_init(&out, RN_COLL_MAX_BUNDLE);
	rn_buf_init(&stmt, RN_COLL_MAX_STATEMENT);
	rn_buf_init(&rec, RN_COLL_MAX_OBJECT);
	rn_buf_init(&b, RN_COLL_MAX_BUNDLE);
	make_bundle(&f, &out, &stmt, &rec);
	refused("", 0);
	refused(RN_COLL_BUNDLE_MAGIC, RN_COLL_BUNDLE_MAGIC_LEN); /* no entry */
	refused("roneo-bundle-v2\n\x01\x00", 18);
	one(&b, 0, "x", 1);
	refused(b.data, b.len);
	one(&b, 5, "x", 1);
	refused(b.data, b.len);
	one(&b, RN_COLL_BUNDLE_ROOT, "roneo-root-v1\n", 14); /* not a ROOT */
	refused(b.data, b.len);
	one(&b, RN_COLL_BUNDLE_RECORDS, rec.data, rec.len); /* records without a commit */
	refused(b.data, b.len);
	one(&b, RN_COLL_BUNDLE_COMMIT, stmt.data, stmt.len); /* a commit without records */
	refused(b.data, b.len);
	/* Non-minimal varint kind (0x81 0x00). */
	rn_buf_reset(&b);
	assert_int_equal(rn_coll_bundle_begin(&b), RN_OK);
	assert_int_equal(rn_buf_append(&b, "\x81\x00\x01x", 4), RN_OK);
	refused(b.data, b.len);
	/* Every truncation of a good bundle is refused, not read past. */
	for (i = RN_COLL_BUNDLE_MAGIC_LEN + 1; i < out.len; i += 1 + i / 8)
		if (i < out.len) {
			struct rn_coll_bundle t;

			if (rn_coll_bundle_decode((uint8_t *)out.data, i, &t, &used) == RN_OK) {
				/* A cut exactly between two entries is a shorter bundle. */
				assert_int_equal(used, i);
				rn_coll_bundle_clear(&t);
			}
		}
	/* Trailing bytes that are not a bundle. */
	rn_buf_reset(&b);
	assert_int_equal(rn_buf_append(&b, out.data, out.len), RN_OK);
	assert_int_equal(rn_buf_append(&b, "\x01", 1), RN_OK);
	refused(b.data, b.len);
	/* A modified frame byte: the object no longer hashes to its id. */
	rn_buf_reset(&b);
	assert_int_equal(rn_buf_append(&b, out.data, out.len), RN_OK);
	b.data[b.len - 1] ^= 1;
	refused(b.data, b.len);
	/* Objects out of order: the last two swapped. */
	assert_int_equal(rn_coll_bundle_decode((uint8_t *)out.data, out.len, &ok, &used), RN_OK);
	rn_buf_reset(&b);
	assert_int_equal(rn_coll_bundle_begin(&b), RN_OK);
	assert_int_equal(rn_coll_bundle_put(&b, RN_COLL_BUNDLE_COMMIT, ok.commit.p, ok.commit.n), RN_OK);
	assert_int_equal(rn_coll_bundle_put(&b, RN_COLL_BUNDLE_RECORDS, ok.records.p, ok.records.n),
	    RN_OK);
	for (i = ok.nobjs; i > 0; i--)
		assert_int_equal(rn_coll_bundle_put_object(&b, ok.objs[i - 1].id, ok.objs[i - 1].frame,
				     ok.objs[i - 1].n),
		    RN_OK);
	refused(b.data, b.len);
	/* Two commits; ROOT after the commit; ROOT 1 twice. */
	rn_buf_reset(&b);
	assert_int_equal(rn_coll_bundle_begin(&b), RN_OK);
	assert_int_equal(rn_coll_bundle_put(&b, RN_COLL_BUNDLE_COMMIT, ok.commit.p, ok.commit.n), RN_OK);
	assert_int_equal(rn_coll_bundle_put(&b, RN_COLL_BUNDLE_COMMIT, ok.commit.p, ok.commit.n), RN_OK);
	refused(b.data, b.len);
	rn_buf_reset(&b);
	assert_int_equal(rn_coll_bundle_begin(&b), RN_OK);
	assert_int_equal(rn_coll_bundle_put(&b, RN_COLL_BUNDLE_COMMIT, ok.commit.p, ok.commit.n), RN_OK);
	assert_int_equal(rn_coll_bundle_put(&b, RN_COLL_BUNDLE_RECORDS, ok.records.p, ok.records.n),
	    RN_OK);
	assert_int_equal(rn_coll_bundle_put(&b, RN_COLL_BUNDLE_ROOT, ok.roots[0].p, ok.roots[0].n), RN_OK);
	refused(b.data, b.len);
	rn_buf_reset(&b);
	assert_int_equal(rn_coll_bundle_begin(&b), RN_OK);
	assert_int_equal(rn_coll_bundle_put(&b, RN_COLL_BUNDLE_ROOT, ok.roots[0].p, ok.roots[0].n), RN_OK);
	assert_int_equal(rn_coll_bundle_put(&b, RN_COLL_BUNDLE_ROOT, ok.roots[0].p, ok.roots[0].n), RN_OK);
	refused(b.data, b.len);
	rn_coll_bundle_clear(&ok);
	rn_buf_free(&out);
	rn_buf_free(&stmt);
	rn_buf_free(&rec);
	rn_buf_free(&b);
	fx_free(&f);
}

static void
test_merge(void **state)
{
	struct fx     f;
	struct rn_buf body, a, b2, m, m2;
	struct rn_coll_sigs sigs;

	(void)state;
	fx_init(&f);
	rn_buf_init(&body, RN_COLL_MAX_STATEMENT);
	rn_buf_init(&a, RN_COLL_MAX_STATEMENT);
	rn_buf_init(&b2, RN_COLL_MAX_STATEMENT);
	rn_buf_init(&m, RN_COLL_MAX_STATEMENT);
	rn_buf_init(&m2, RN_COLL_MAX_STATEMENT);
	assert_int_equal(rn_coll_root_encode(&f.root, &body), RN_OK);
	fx_sign(&f, &body, 1, &a);
	fx_sign(&f, &body, 6, &b2);
	assert_int_equal(rn_coll_stmt_merge((uint8_t *)a.data, a.len, (uint8_t *)b2.data, b2.len, &m),
	    RN_OK);
	assert_int_equal(rn_coll_stmt_split((uint8_t *)m.data, m.len, &sigs), RN_OK);
	assert_int_equal(sigs.n, 3);
	assert_int_equal(rn_coll_stmt_verify_sigs((uint8_t *)m.data, &sigs), RN_OK);
	/* The same as signing with all three at once; merging again changes nothing. */
	fx_sign(&f, &body, 7, &b2);
	assert_int_equal(m.len, b2.len);
	assert_memory_equal(m.data, b2.data, m.len);
	assert_int_equal(
	    rn_coll_stmt_merge((uint8_t *)m.data, m.len, (uint8_t *)a.data, a.len, &m2), RN_OK);
	assert_int_equal(m2.len, m.len);
	/* Another body: refused. */
	assert_int_equal(rn_coll_stmt_merge((uint8_t *)a.data, a.len, (uint8_t *)f.root_stmt.data,
			     f.root_stmt.len - 1, &m2),
	    RN_ERR_INVAL);
	rn_buf_free(&body);
	rn_buf_free(&a);
	rn_buf_free(&b2);
	rn_buf_free(&m);
	rn_buf_free(&m2);
	fx_free(&f);
}

#define CONFLICT_MD                                                                                \
	"---\nid: c1\ntitle: A dispute\nsection: conflicts\ndate: 2026-01-01\nlang: en\n"          \
	"context: x\nparties: [member]\nprocess: talks\noutcome: agreed\nstatus: open\nconsent: true\n"     \
	"right_of_reply: offered\n---\nText\n"

static void
test_check_commit(void **state)
{
	struct fx		 f;
	struct rn_coll_store	*store;
	struct rn_coll_verifier *v;
	struct rn_coll_record	 r;
	struct rn_buf		 stmt, rec, bad;
	uint8_t			 doc[32];
	unsigned		 have, need;

	(void)state;
	fx_init(&f);
	rn_buf_init(&stmt, RN_COLL_MAX_STATEMENT);
	rn_buf_init(&rec, RN_COLL_MAX_OBJECT);
	rn_buf_init(&bad, RN_COLL_MAX_STATEMENT);
	assert_int_equal(rn_coll_store_new_mem(&store), RN_OK);
	assert_int_equal(rn_coll_verifier_new(store, &v), RN_OK);
	assert_int_equal(
	    rn_coll_verifier_add_root(v, (uint8_t *)f.root_stmt.data, f.root_stmt.len), RN_OK);
	fx_doc(&f, "c1", RN_COLL_SEC_CONFLICT, CONFLICT_MD, strlen(CONFLICT_MD), doc);
	fx_record(&r, RN_COLL_OP_PUT, "c1", doc, NULL);
	fx_commit(&f, &r, 1, 1, &stmt, &rec);
	/* Below the threshold: valid, 1 of 2; nothing changes. */
	assert_int_equal(rn_coll_verifier_check_commit(v, (uint8_t *)stmt.data, stmt.len,
			     (uint8_t *)rec.data, rec.len, f.store, &have, &need),
	    RN_OK);
	assert_int_equal(have, 1);
	assert_int_equal(need, 2);
	assert_int_equal(rn_coll_verifier_state(v)->seq, 0);
	assert_int_equal(rn_coll_log_size(rn_coll_verifier_log(v)), 0);
	assert_false(rn_coll_store_has(store, doc));
	assert_int_not_equal(rn_coll_verifier_add_commit(v, (uint8_t *)stmt.data, stmt.len,
				 (uint8_t *)rec.data, rec.len, f.store),
	    RN_OK);
	/* A bad signature is an error, not a count. */
	assert_int_equal(rn_buf_append(&bad, stmt.data, stmt.len), RN_OK);
	bad.data[bad.len - 10] = bad.data[bad.len - 10] == 'A' ? 'B' : 'A';
	assert_int_not_equal(rn_coll_verifier_check_commit(v, (uint8_t *)bad.data, bad.len,
				 (uint8_t *)rec.data, rec.len, f.store, &have, &need),
	    RN_OK);
	/* Without the objects: refused with a reason. */
	assert_int_not_equal(rn_coll_verifier_check_commit(v, (uint8_t *)stmt.data, stmt.len,
				 (uint8_t *)rec.data, rec.len, NULL, &have, &need),
	    RN_OK);
	assert_true(strlen(rn_coll_verifier_error(v)) > 0);
	/* With the second signature it meets the threshold and applies. */
	rn_buf_reset(&bad);
	assert_int_equal(rn_coll_stmt_sign((uint8_t *)stmt.data, stmt.len, f.seed[1], &bad), RN_OK);
	assert_int_equal(rn_coll_verifier_check_commit(v, (uint8_t *)bad.data, bad.len,
			     (uint8_t *)rec.data, rec.len, f.store, &have, &need),
	    RN_OK);
	assert_int_equal(have, 2);
	assert_int_equal(rn_coll_verifier_add_commit(v, (uint8_t *)bad.data, bad.len,
			     (uint8_t *)rec.data, rec.len, f.store),
	    RN_OK);
	assert_int_equal(rn_coll_verifier_state(v)->seq, 1);
	/* The same commit again: the seq no longer follows. */
	assert_int_not_equal(rn_coll_verifier_check_commit(v, (uint8_t *)bad.data, bad.len,
				 (uint8_t *)rec.data, rec.len, f.store, &have, &need),
	    RN_OK);
	rn_coll_verifier_free(v);
	rn_coll_store_free(store);
	rn_buf_free(&stmt);
	rn_buf_free(&rec);
	rn_buf_free(&bad);
	fx_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_check_commit),
	};

	return cmocka_run_group_tests_name("coll_bundle", tests, NULL, NULL);
}
