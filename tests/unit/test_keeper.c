/*
 * The keeper (daemon/keeper/) with its state in a temporary directory:
 * creating a collection, applying a commit and rendering it, a commit below
 * its threshold kept pending then applied with a second signature, refusals
 * with the state unchanged (seq gap, bad signature, malformed bundle,
 * unknown pending commit), export, retraction and purge on the site, and
 * resuming from the saved state.
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
#include <unistd.h>

#include "coll_fixture.h"
#include "roneo/rn_coll_bundle.h"
#include "roneo/rn_keeper.h"

#define BULLETIN_MD                                                                                \
	"---\nid: b1\ntitle: First bulletin\nsection: bulletins\ndate: 2026-01-01\nlang: en\n"      \
	"tags: [news]\n---\nHello *world*, quokka.\n"
#define CONFLICT_MD                                                                                \
	"---\nid: c1\ntitle: A dispute\nsection: conflicts\ndate: 2026-01-02\nlang: en\n"          \
	"context: x\nparties: [member]\nprocess: talks\noutcome: agreed\nstatus: open\nconsent: true\n"     \
	"right_of_reply: offered\n---\nText\n"

struct ctx {
	struct fx	  f;
	char		  dir[64], data[96], pub[96];
	struct rn_keeper *k;
	struct rn_buf	  stmt, rec, bundle;
};

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	fx_init(&c->f);
	snprintf(c->dir, sizeof(c->dir), "/tmp/rn-keeper-XXXXXX");
	assert_non_null(mkdtemp(c->dir));
	snprintf(c->data, sizeof(c->data), "%s/data", c->dir);
	snprintf(c->pub, sizeof(c->pub), "%s/public", c->dir);
	assert_int_equal(mkdir(c->data, 0700), 0);
	assert_int_equal(mkdir(c->pub, 0755), 0);
	assert_int_equal(rn_keeper_open(c->data, c->pub, &c->k), RN_OK);
	rn_buf_init(&c->stmt, RN_COLL_MAX_STATEMENT);
	rn_buf_init(&c->rec, RN_COLL_MAX_OBJECT);
	rn_buf_init(&c->bundle, RN_COLL_MAX_BUNDLE);
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	struct ctx *c = *state;

	rn_keeper_free(c->k);
	rn_keeper_free(NULL);
	fx_free(&c->f);
	rn_buf_free(&c->stmt);
	rn_buf_free(&c->rec);
	rn_buf_free(&c->bundle);
	assert_int_equal(nftw(c->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
	free(c);
	return 0;
}

/* An anonymous file holding b, as the http child hands a body over. */
static int
body_file(const struct ctx *c, const void *p, size_t n)
{
	char path[128];
	int  fd;

	snprintf(path, sizeof(path), "%s/body-XXXXXX", c->dir);
	assert_true((fd = mkstemp(path)) != -1);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(write(fd, p, n), (ssize_t)n);
	return fd;
}

/* Run op; the answer's status; its JSON (or file) into out when not NULL. */
static int
call(struct ctx *c, enum rn_keeper_op op, const char *arg, const void *body, size_t n,
    struct rn_buf *out)
{
	struct rn_keeper_answer ans;
	int			fd = body != NULL ? body_file(c, body, n) : -1, status;

	rn_keeper_answer_init(&ans);
	assert_int_equal(rn_keeper_handle(c->k, op, arg, fd, &ans), RN_OK);
	status = ans.status;
	if (out != NULL) {
		rn_buf_reset(out);
		if (ans.fd != -1) {
			char   buf[4096];
			ssize_t r;
			off_t	off = 0;

			while ((r = pread(ans.fd, buf, sizeof(buf), off)) > 0) {
				assert_int_equal(rn_buf_append(out, buf, (size_t)r), RN_OK);
				off += r;
			}
			assert_int_equal((uint64_t)off, ans.fd_len);
		} else {
			assert_int_equal(rn_buf_append(out, ans.json.data, ans.json.len), RN_OK);
		}
	}
	rn_keeper_answer_clear(&ans);
	if (fd != -1)
		close(fd);
	return status;
}

static int
post(struct ctx *c, const struct rn_buf *b, struct rn_buf *out)
{
	return call(c, RN_KEEPER_OP_POST, NULL, b->data, b->len, out);
}

static enum rn_err
collect(const uint8_t id[RN_COLL_ID_LEN], void *arg)
{
	struct rn_buf *b = arg;

	return rn_buf_append(b, id, 32);
}

static int
cmp32(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

/* A bundle of (ROOT 1 if root), the commit of c->stmt and c->rec, every object of the replica. */
static void
bundle(struct ctx *c, bool root, const struct rn_buf *stmt)
{
	struct rn_buf ids, frame;
	size_t	      i;

	rn_buf_init(&ids, 1u << 24);
	rn_buf_init(&frame, RN_COLL_MAX_OBJECT + 64);
	rn_buf_reset(&c->bundle);
	assert_int_equal(rn_coll_bundle_begin(&c->bundle), RN_OK);
	if (root)
		assert_int_equal(rn_coll_bundle_put(&c->bundle, RN_COLL_BUNDLE_ROOT,
				     c->f.root_stmt.data, c->f.root_stmt.len),
		    RN_OK);
	if (stmt != NULL) {
		assert_int_equal(
		    rn_coll_bundle_put(&c->bundle, RN_COLL_BUNDLE_COMMIT, stmt->data, stmt->len),
		    RN_OK);
		assert_int_equal(rn_coll_bundle_put(&c->bundle, RN_COLL_BUNDLE_RECORDS, c->rec.data,
				     c->rec.len),
		    RN_OK);
		assert_int_equal(rn_coll_store_each(c->f.store, collect, &ids), RN_OK);
		qsort(ids.data, ids.len / 32, 32, cmp32);
		for (i = 0; i < ids.len / 32; i++) {
			const uint8_t *id = (const uint8_t *)ids.data + 32 * i;

			rn_buf_reset(&frame);
			assert_int_equal(rn_coll_store_get_frame(c->f.store, id, &frame), RN_OK);
			assert_int_equal(
			    rn_coll_bundle_put_object(&c->bundle, id, frame.data, frame.len), RN_OK);
		}
	}
	rn_buf_free(&ids);
	rn_buf_free(&frame);
}

static bool
exists(const struct ctx *c, const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", c->pub, rel);
	return access(path, F_OK) == 0;
}

static void
publish(struct ctx *c, const char *id, enum rn_coll_section sec, const char *md, unsigned signers)
{
	struct rn_coll_record r;
	uint8_t		      doc[32];

	fx_doc(&c->f, id, sec, md, strlen(md), doc);
	fx_record(&r, RN_COLL_OP_PUT, id, doc, NULL);
	fx_commit(&c->f, &r, 1, signers, &c->stmt, &c->rec);
	bundle(c, false, &c->stmt);
}

static void
test_create_and_apply(void **state)
{
	struct ctx   *c = *state;
	struct rn_buf out, st;

	rn_buf_init(&out, RN_COLL_MAX_BUNDLE);
	rn_buf_init(&st, 4096);
	assert_int_equal(call(c, RN_KEEPER_OP_STATE, NULL, NULL, 0, &out), 404);
	assert_int_equal(call(c, RN_KEEPER_OP_EXPORT, "0", NULL, 0, NULL), 404);
	assert_false(exists(c, "index.html")); /* nothing published before ROOT 1 */
	bundle(c, true, NULL);
	assert_int_equal(post(c, &c->bundle, &out), 201);
	assert_non_null(strstr(out.data, "\"created\""));
	assert_int_equal(post(c, &c->bundle, &out), 200); /* the same ROOT: unchanged */
	assert_true(exists(c, "verify/index.html"));
	publish(c, "b1", RN_COLL_SEC_BULLETIN, BULLETIN_MD, 1);
	assert_int_equal(post(c, &c->bundle, &out), 201);
	assert_string_equal(out.data, "{\"state\":\"applied\",\"seq\":1}\n");
	assert_int_equal(call(c, RN_KEEPER_OP_STATE, NULL, NULL, 0, &st), 200);
	assert_non_null(strstr(st.data, "\"seq\":1"));
	assert_true(exists(c, "index.html"));
	assert_true(exists(c, "d/b1/index.html"));
	assert_true(exists(c, "bulletins/index.html"));
	assert_true(exists(c, "feeds/tag/news.atom"));
	assert_true(exists(c, "site.css"));
	/* The same commit again is refused: its seq no longer follows. */
	assert_int_equal(post(c, &c->bundle, &out), 400);
	assert_non_null(strstr(out.data, "seq"));
	rn_buf_free(&out);
	rn_buf_free(&st);
}

static void
test_pending(void **state)
{
	struct ctx   *c = *state;
	struct rn_buf out, st, st2, signed2;
	char	      hex[RN_COLL_HEX_LEN + 1];

	rn_buf_init(&out, RN_COLL_MAX_BUNDLE);
	rn_buf_init(&st, 4096);
	rn_buf_init(&st2, 4096);
	rn_buf_init(&signed2, RN_COLL_MAX_STATEMENT);
	bundle(c, true, NULL);
	assert_int_equal(post(c, &c->bundle, &out), 201);
	publish(c, "c1", RN_COLL_SEC_CONFLICT, CONFLICT_MD, 1);
	assert_int_equal(call(c, RN_KEEPER_OP_STATE, NULL, NULL, 0, &st), 200);
	assert_int_equal(post(c, &c->bundle, &out), 202);
	rn_coll_id_format(c->f.commit, hex);
	assert_non_null(strstr(out.data, hex));
	assert_non_null(strstr(out.data, "\"signatures\":1,\"needed\":2"));
	assert_int_equal(call(c, RN_KEEPER_OP_STATE, NULL, NULL, 0, &st2), 200);
	assert_string_equal(st.data, st2.data); /* the head did not move */
	assert_false(exists(c, "d/c1/index.html"));
	assert_int_equal(call(c, RN_KEEPER_OP_PENDING, NULL, NULL, 0, &out), 200);
	assert_non_null(strstr(out.data, hex));
	assert_int_equal(call(c, RN_KEEPER_OP_PENDING_GET, hex, NULL, 0, &out), 200);
	assert_memory_equal(out.data, RN_COLL_BUNDLE_MAGIC, RN_COLL_BUNDLE_MAGIC_LEN);
	assert_int_equal(call(c, RN_KEEPER_OP_PENDING_GET, "00", NULL, 0, &out), 404);
	/* A statement of another commit cannot sign this one. */
	assert_int_equal(call(c, RN_KEEPER_OP_PENDING_SIGN, hex, c->f.root_stmt.data,
			     c->f.root_stmt.len, &out),
	    400);
	assert_int_equal(rn_coll_stmt_sign((uint8_t *)c->stmt.data, c->stmt.len, c->f.seed[1],
			     &signed2),
	    RN_OK);
	assert_int_equal(
	    call(c, RN_KEEPER_OP_PENDING_SIGN, hex, signed2.data, signed2.len, &out), 201);
	assert_string_equal(out.data, "{\"state\":\"applied\",\"seq\":1}\n");
	assert_true(exists(c, "d/c1/index.html"));
	assert_int_equal(call(c, RN_KEEPER_OP_PENDING, NULL, NULL, 0, &out), 200);
	assert_string_equal(out.data, "{\"pending\":[]}\n");
	rn_buf_free(&out);
	rn_buf_free(&st);
	rn_buf_free(&st2);
	rn_buf_free(&signed2);
}

static void
test_refusals(void **state)
{
	struct ctx   *c = *state;
	struct rn_buf out, st, st2, gap;

	rn_buf_init(&out, RN_COLL_MAX_BUNDLE);
	rn_buf_init(&st, 4096);
	rn_buf_init(&st2, 4096);
	rn_buf_init(&gap, RN_COLL_MAX_BUNDLE);
	assert_int_equal(post(c, &c->bundle, &out), 400); /* no bundle yet: magic only */
	assert_int_equal(call(c, RN_KEEPER_OP_POST, NULL, NULL, 0, &out), 400);
	bundle(c, true, NULL);
	assert_int_equal(post(c, &c->bundle, &out), 201);
	assert_int_equal(call(c, RN_KEEPER_OP_STATE, NULL, NULL, 0, &st), 200);
	/* A seq gap: commit 2 without commit 1. */
	publish(c, "b1", RN_COLL_SEC_BULLETIN, BULLETIN_MD, 1);
	publish(c, "b2", RN_COLL_SEC_BULLETIN, BULLETIN_MD, 1);
	assert_int_equal(post(c, &c->bundle, &out), 400);
	assert_non_null(strstr(out.data, "seq 2, expected 1"));
	/* A bad signature. */
	c->stmt.data[c->stmt.len - 10] = c->stmt.data[c->stmt.len - 10] == 'A' ? 'B' : 'A';
	bundle(c, false, &c->stmt);
	assert_int_equal(post(c, &c->bundle, &out), 400);
	/* Garbage, and a bundle cut short. */
	assert_int_equal(call(c, RN_KEEPER_OP_POST, NULL, "roneo", 5, &out), 400);
	assert_int_equal(call(c, RN_KEEPER_OP_POST, NULL, c->bundle.data, c->bundle.len - 3, &out),
	    400);
	assert_int_equal(call(c, RN_KEEPER_OP_EXPORT, "x", NULL, 0, &out), 400);
	assert_int_equal(call(c, RN_KEEPER_OP_EXPORT, "9", NULL, 0, &out), 400);
	assert_int_equal(call(c, RN_KEEPER_OP_PENDING_SIGN, "zz", "x", 1, &out), 404);
	assert_int_equal(call(c, (enum rn_keeper_op)99, NULL, NULL, 0, &out), 404);
	assert_int_equal(call(c, RN_KEEPER_OP_STATE, NULL, NULL, 0, &st2), 200);
	assert_string_equal(st.data, st2.data);
	assert_false(exists(c, "d/b1/index.html"));
	rn_buf_free(&out);
	rn_buf_free(&st);
	rn_buf_free(&st2);
	rn_buf_free(&gap);
}

/* A retraction or purge of id (signed by editors 0 and 1). */
static void
tomb(struct ctx *c, enum rn_coll_op op, const char *id, const uint8_t doc[32])
{
	struct rn_coll_record r;
	uint8_t		      t[32];

	fx_tomb(&c->f, op, id, doc, t);
	fx_record(&r, op, id, doc, t);
	fx_commit(&c->f, &r, 1, 3, &c->stmt, &c->rec);
	bundle(c, false, &c->stmt);
}

static void
test_export_retract_purge_resume(void **state)
{
	struct ctx	     *c = *state;
	struct rn_buf	      out, st, st2;
	struct rn_coll_record r;
	struct rn_coll_bundle b;
	uint8_t		      d1[32], d2[32];
	size_t		      used, off = 0, n = 0;

	rn_buf_init(&out, RN_COLL_MAX_BUNDLE);
	rn_buf_init(&st, 4096);
	rn_buf_init(&st2, 4096);
	bundle(c, true, NULL);
	assert_int_equal(post(c, &c->bundle, &out), 201);
	fx_doc(&c->f, "b1", RN_COLL_SEC_BULLETIN, BULLETIN_MD, strlen(BULLETIN_MD), d1);
	fx_record(&r, RN_COLL_OP_PUT, "b1", d1, NULL);
	fx_commit(&c->f, &r, 1, 1, &c->stmt, &c->rec);
	bundle(c, false, &c->stmt);
	assert_int_equal(post(c, &c->bundle, &out), 201);
	fx_doc(&c->f, "c1", RN_COLL_SEC_CONFLICT, CONFLICT_MD, strlen(CONFLICT_MD), d2);
	fx_record(&r, RN_COLL_OP_PUT, "c1", d2, NULL);
	fx_commit(&c->f, &r, 1, 3, &c->stmt, &c->rec);
	bundle(c, false, &c->stmt);
	assert_int_equal(post(c, &c->bundle, &out), 201);
	tomb(c, RN_COLL_OP_RETRACT, "b1", d1);
	assert_int_equal(post(c, &c->bundle, &out), 201);
	assert_true(exists(c, "d/b1/index.html"));
	tomb(c, RN_COLL_OP_PURGE, "c1", d2);
	assert_int_equal(post(c, &c->bundle, &out), 201);
	assert_false(exists(c, "d/c1/index.html"));
	assert_false(exists(c, "d/c1/index.html.gz"));
	/* The export: ROOT 1 with commit 1, then one bundle per commit. */
	assert_int_equal(call(c, RN_KEEPER_OP_EXPORT, "0", NULL, 0, &out), 200);
	while (off < out.len) {
		assert_int_equal(rn_coll_bundle_decode((uint8_t *)out.data + off, out.len - off, &b,
				     &used),
		    RN_OK);
		assert_true(b.has_commit);
		assert_int_equal(b.seq, n + 1);
		assert_int_equal(b.nroots, n == 0 ? 1 : 0);
		rn_coll_bundle_clear(&b);
		off += used;
		n++;
	}
	assert_int_equal(n, 4);
	assert_int_equal(call(c, RN_KEEPER_OP_EXPORT, "4", NULL, 0, &out), 200);
	assert_int_equal(out.len, 0);
	/* Resuming from the saved state. */
	assert_int_equal(call(c, RN_KEEPER_OP_STATE, NULL, NULL, 0, &st), 200);
	rn_keeper_free(c->k);
	assert_int_equal(rn_keeper_open(c->data, c->pub, &c->k), RN_OK);
	assert_int_equal(rn_keeper_render_if_stale(c->k), RN_OK);
	assert_int_equal(call(c, RN_KEEPER_OP_STATE, NULL, NULL, 0, &st2), 200);
	assert_string_equal(st.data, st2.data);
	assert_int_equal(call(c, RN_KEEPER_OP_EXPORT, "2", NULL, 0, &out), 200);
	assert_true(out.len > 0);
	rn_buf_free(&out);
	rn_buf_free(&st);
	rn_buf_free(&st2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_and_apply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export_retract_purge_resume, setup, teardown),
	};

	return cmocka_run_group_tests_name("keeper", tests, NULL, NULL);
}
