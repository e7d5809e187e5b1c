/*
 * Unit tests for the daemon/coll verifier: a collection built as an editor
 * builds it, verified into a fresh store; then attacks, each refused with a
 * clear error, the state and the store unchanged.
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

struct ctx {
	struct fx		 f;
	char			 dir[64];
	struct rn_coll_store	*store; /* the verifier's (on disk) */
	struct rn_coll_verifier *v;
	struct rn_buf		 stmt, rec;
	uint8_t			 d1[32], d2[32], d3[32];
};

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

static int
setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));
	char	    big[200000];
	size_t	    i;

	assert_non_null(c);
	fx_init(&c->f);
	snprintf(c->dir, sizeof(c->dir), "/tmp/rn-coll-XXXXXX");
	assert_non_null(mkdtemp(c->dir));
	assert_int_equal(rn_coll_store_open(c->dir, &c->store), RN_OK);
	assert_int_equal(rn_coll_verifier_new(c->store, &c->v), RN_OK);
	rn_buf_init(&c->stmt, RN_COLL_MAX_STATEMENT);
	rn_buf_init(&c->rec, RN_COLL_MAX_OBJECT);
	fx_doc(&c->f, "first-bulletin", RN_COLL_SEC_BULLETIN, "# Hello\n", 8, c->d1);
	fx_doc(&c->f, "a-tactic", RN_COLL_SEC_TACTIC, "Do this.\n", 9, c->d2);
	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + (i * 7919 + i / 13) % 26);
	fx_doc(&c->f, "a-conflict", RN_COLL_SEC_CONFLICT, big, sizeof(big), c->d3);
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	struct ctx *c = *state;

	rn_coll_verifier_free(c->v);
	rn_coll_store_free(c->store);
	fx_free(&c->f);
	rn_buf_free(&c->stmt);
	rn_buf_free(&c->rec);
	rm_tree(c->dir);
	free(c);
	return 0;
}

static void
add_root(struct ctx *c)
{
	assert_int_equal(rn_coll_verifier_add_root(c->v, (uint8_t *)c->f.root_stmt.data,
			     c->f.root_stmt.len),
	    RN_OK);
}

/* Commit 1: the three documents, signed by editors 0 and 1. */
static void
commit1(struct ctx *c, unsigned signers)
{
	struct rn_coll_record r[3];

	fx_record(&r[0], RN_COLL_OP_PUT, "first-bulletin", c->d1, NULL);
	fx_record(&r[1], RN_COLL_OP_PUT, "a-tactic", c->d2, NULL);
	fx_record(&r[2], RN_COLL_OP_PUT, "a-conflict", c->d3, NULL);
	fx_commit(&c->f, r, 3, signers, &c->stmt, &c->rec);
}

static enum rn_err
apply(struct ctx *c)
{
	return rn_coll_verifier_add_commit(c->v, (uint8_t *)c->stmt.data, c->stmt.len,
	    (uint8_t *)c->rec.data, c->rec.len, c->f.store);
}

/* Expect a refusal that changes neither the state nor the store. */
static void
refused(struct ctx *c, enum rn_err want)
{
	struct rn_coll_state before = *rn_coll_verifier_state(c->v);
	uint64_t	     logsize = rn_coll_log_size(rn_coll_verifier_log(c->v));
	size_t		     n0, n1;

	assert_int_equal(rn_coll_store_count(c->store, &n0), RN_OK);
	assert_int_equal(apply(c), want);
	assert_true(strlen(rn_coll_verifier_error(c->v)) > 0);
	assert_memory_equal(&before, rn_coll_verifier_state(c->v), sizeof(before));
	assert_int_equal(logsize, rn_coll_log_size(rn_coll_verifier_log(c->v)));
	assert_int_equal(rn_coll_store_count(c->store, &n1), RN_OK);
	assert_int_equal(n0, n1);
}

static void
test_end_to_end(void **state)
{
	struct ctx	     *c = *state;
	struct rn_coll_record r;
	struct rn_buf	      saved;
	uint8_t		      tomb[32];
	uint64_t	      count;
	size_t		      removed, n;
	struct rn_coll_verifier *v2;

	add_root(c);
	assert_memory_equal(rn_coll_verifier_state(c->v)->collection, c->f.root.id, 32);
	commit1(c, 3);
	assert_int_equal(apply(c), RN_OK);
	assert_int_equal(rn_coll_verifier_state(c->v)->seq, 1);
	assert_memory_equal(rn_coll_verifier_state(c->v)->manifest, c->f.manifest, 32);
	assert_int_equal(rn_coll_trie_walk(c->store, c->f.manifest, NULL, NULL, &count), RN_OK);
	assert_int_equal(count, 3);

	/* Retract the tactic (threshold 2), then purge the conflict write-up. */
	fx_tomb(&c->f, RN_COLL_OP_RETRACT, "a-tactic", c->d2, tomb);
	fx_record(&r, RN_COLL_OP_RETRACT, "a-tactic", c->d2, tomb);
	fx_commit(&c->f, &r, 1, 5, &c->stmt, &c->rec);
	assert_int_equal(apply(c), RN_OK);
	/* One editor cannot undo a retraction that took two. */
	fx_record(&r, RN_COLL_OP_PUT, "a-tactic", c->d2, NULL);
	fx_commit(&c->f, &r, 1, 1, &c->stmt, &c->rec);
	refused(c, RN_ERR_CRYPTO);
	c->f.seq--;
	memcpy(c->f.commit, rn_coll_verifier_state(c->v)->commit, 32);
	rn_coll_log_truncate(c->f.log, rn_coll_verifier_state(c->v)->log_size);
	memcpy(c->f.manifest, rn_coll_verifier_state(c->v)->manifest, 32);
	fx_tomb(&c->f, RN_COLL_OP_PURGE, "a-conflict", c->d3, tomb);
	fx_record(&r, RN_COLL_OP_PURGE, "a-conflict", c->d3, tomb);
	fx_commit(&c->f, &r, 1, 6, &c->stmt, &c->rec);
	assert_int_equal(apply(c), RN_OK);
	assert_int_equal(rn_coll_verifier_state(c->v)->seq, 3);
	assert_true(rn_coll_verifier_denied(c->v, c->d3));
	assert_false(rn_coll_store_has(c->store, c->d3));
	assert_int_equal(rn_coll_trie_walk(c->store, c->f.manifest, NULL, NULL, &count), RN_OK);
	assert_int_equal(count, 2);

	/* The purged document cannot come back. */
	fx_record(&r, RN_COLL_OP_PUT, "a-conflict", c->d3, NULL);
	fx_commit(&c->f, &r, 1, 7, &c->stmt, &c->rec);
	refused(c, RN_ERR_PERM);

	/* Collect: the chunks of the purged body go, the rest stays. */
	assert_int_equal(rn_coll_verifier_gc(c->v, &removed), RN_OK);
	assert_true(removed > 0);
	assert_int_equal(rn_coll_trie_walk(c->store, rn_coll_verifier_state(c->v)->manifest, NULL,
			     NULL, &count),
	    RN_OK);
	assert_int_equal(count, 2);
	assert_int_equal(rn_coll_verifier_gc(c->v, &removed), RN_OK);
	assert_int_equal(removed, 0);

	/* Save and resume. */
	rn_buf_init(&saved, 1u << 24);
	assert_int_equal(rn_coll_verifier_save(c->v, &saved), RN_OK);
	assert_int_equal(
	    rn_coll_verifier_resume(c->store, (uint8_t *)saved.data, saved.len, &v2), RN_OK);
	assert_memory_equal(rn_coll_verifier_state(v2), rn_coll_verifier_state(c->v),
	    sizeof(struct rn_coll_state));
	assert_true(rn_coll_verifier_denied(v2, c->d3));
	/* A save whose log was altered is refused. */
	{
		const uint8_t *rp;
		size_t	       rn;
		char	      *at;

		assert_int_equal(rn_coll_log_record(rn_coll_verifier_log(c->v), 0, &rp, &rn), RN_OK);
		at = memmem(saved.data, saved.len, rp, rn);
		assert_non_null(at);
		at[rn - 1] ^= 1;
	}
	rn_coll_verifier_free(v2);
	v2 = NULL;
	assert_int_not_equal(
	    rn_coll_verifier_resume(c->store, (uint8_t *)saved.data, saved.len, &v2), RN_OK);
	assert_null(v2);
	rn_buf_free(&saved);
	assert_int_equal(rn_coll_store_count(c->store, &n), RN_OK);
	assert_true(n > 3);
}

static void
test_timestamp(void **state)
{
	struct ctx		*c = *state;
	struct rn_coll_timestamp t;
	struct rn_buf		 body, out;
	bool			 fresh;

	add_root(c);
	commit1(c, 3);
	assert_int_equal(apply(c), RN_OK);
	memset(&t, 0, sizeof(t));
	memcpy(t.collection, c->f.root.id, 32);
	t.seq = 1;
	memcpy(t.commit, c->f.commit, 32);
	t.time = FX_TIME + 10;
	t.expires = t.time + RN_COLL_TIMESTAMP_MAX_SECS;
	rn_buf_init(&body, RN_COLL_MAX_STATEMENT);
	rn_buf_init(&out, RN_COLL_MAX_STATEMENT);
	assert_int_equal(rn_coll_timestamp_encode(&t, &body), RN_OK);
	assert_int_equal(
	    rn_coll_stmt_sign((uint8_t *)body.data, body.len, c->f.ts_seed, &out), RN_OK);
	assert_int_equal(rn_coll_verifier_check_timestamp(
			     c->v, (uint8_t *)out.data, out.len, t.time + 5, &fresh),
	    RN_OK);
	assert_true(fresh);
	assert_int_equal(rn_coll_verifier_check_timestamp(
			     c->v, (uint8_t *)out.data, out.len, t.expires, &fresh),
	    RN_OK);
	assert_false(fresh);
	/* An editor key is not a timestamp key. */
	assert_int_equal(
	    rn_coll_stmt_sign((uint8_t *)body.data, body.len, c->f.seed[0], &out), RN_OK);
	assert_int_equal(rn_coll_verifier_check_timestamp(
			     c->v, (uint8_t *)out.data, out.len, t.time + 5, &fresh),
	    RN_ERR_CRYPTO);
	/* Longer than 72 hours. */
	t.expires = t.time + RN_COLL_TIMESTAMP_MAX_SECS + 1;
	assert_int_equal(rn_coll_timestamp_encode(&t, &body), RN_ERR_INVAL);
	rn_buf_free(&body);
	rn_buf_free(&out);
}

static void
test_rotation(void **state)
{
	struct ctx	   *c = *state;
	struct rn_coll_root r2;
	struct rn_buf	    body, stmt;

	add_root(c);
	r2 = c->f.root;
	r2.version = 2;
	memcpy(r2.collection, c->f.root.id, 32);
	memcpy(r2.previous, c->f.root.id, 32);
	r2.neditors = 2; /* drop the third editor */
	r2.threshold[RN_COLL_POL_CONFLICT] = 2;
	rn_buf_init(&body, RN_COLL_MAX_STATEMENT);
	rn_buf_init(&stmt, RN_COLL_MAX_STATEMENT);
	assert_int_equal(rn_coll_root_encode(&r2, &body), RN_OK);
	/* One signature is not a threshold of either. */
	fx_sign(&c->f, &body, 1, &stmt);
	assert_int_equal(rn_coll_verifier_add_root(c->v, (uint8_t *)stmt.data, stmt.len),
	    RN_ERR_CRYPTO);
	assert_int_equal(rn_coll_verifier_state(c->v)->root_version, 1);
	/* Editors 0 and 2: two of ROOT 1, but only one of ROOT 2 (editor 2 left). */
	fx_sign(&c->f, &body, 5, &stmt);
	assert_int_equal(rn_coll_verifier_add_root(c->v, (uint8_t *)stmt.data, stmt.len),
	    RN_ERR_CRYPTO);
	fx_sign(&c->f, &body, 3, &stmt);
	assert_int_equal(rn_coll_verifier_add_root(c->v, (uint8_t *)stmt.data, stmt.len), RN_OK);
	assert_int_equal(rn_coll_verifier_state(c->v)->root_version, 2);
	assert_memory_equal(rn_coll_verifier_state(c->v)->collection, c->f.root.id, 32);
	/* Replayed: refused. */
	assert_int_equal(rn_coll_verifier_add_root(c->v, (uint8_t *)stmt.data, stmt.len),
	    RN_ERR_PROTO);
	/* A commit naming ROOT 1 is now refused. */
	commit1(c, 3);
	refused(c, RN_ERR_PROTO);
	rn_buf_free(&body);
	rn_buf_free(&stmt);
}

static void
test_attack_signatures(void **state)
{
	struct ctx *c = *state;
	char	   *sig, *nl;
	size_t	    off, len;

	add_root(c);
	/* Under threshold: the conflict write-up needs two editors. */
	commit1(c, 1);
	refused(c, RN_ERR_CRYPTO);
	assert_non_null(strstr(rn_coll_verifier_error(c->v), "1 of the 2"));
	/* A bad signature: one bit of the first signature flipped. */
	c->f.seq--;
	c->f.log = c->f.log; /* the replica's log grew: rebuild the fixture */
	teardown(state);
	setup(state);
	c = *state;
	add_root(c);
	commit1(c, 3);
	sig = strstr(c->stmt.data, "\nsig ");
	assert_non_null(sig);
	sig[1 + 4 + 64 + 1 + 10] ^= 0x01;
	refused(c, RN_ERR_CRYPTO);
	sig[1 + 4 + 64 + 1 + 10] ^= 0x01;
	/* The same signature twice counts once: refused outright as non-canonical. */
	nl = strchr(sig + 1, '\n');
	off = (size_t)(sig + 1 - c->stmt.data);
	len = (size_t)(nl - sig);
	{
		struct rn_buf dup;

		rn_buf_init(&dup, RN_COLL_MAX_STATEMENT);
		assert_int_equal(rn_buf_append(&dup, c->stmt.data, off + len), RN_OK);
		assert_int_equal(rn_buf_append(&dup, c->stmt.data + off, len), RN_OK);
		assert_int_equal(
		    rn_coll_verifier_add_commit(c->v, (uint8_t *)dup.data, dup.len,
			(uint8_t *)c->rec.data, c->rec.len, c->f.store),
		    RN_ERR_INVAL);
		rn_buf_free(&dup);
	}
	assert_int_equal(rn_coll_verifier_state(c->v)->seq, 0);
	assert_int_equal(apply(c), RN_OK);
}

static void
test_attack_seq(void **state)
{
	struct ctx	     *c = *state;
	struct rn_coll_record r;
	struct rn_buf	      s1, r1;
	uint8_t		      d[32];

	add_root(c);
	commit1(c, 3);
	rn_buf_init(&s1, RN_COLL_MAX_STATEMENT);
	rn_buf_init(&r1, RN_COLL_MAX_OBJECT);
	assert_int_equal(rn_buf_append(&s1, c->stmt.data, c->stmt.len), RN_OK);
	assert_int_equal(rn_buf_append(&r1, c->rec.data, c->rec.len), RN_OK);
	fx_doc(&c->f, "second", RN_COLL_SEC_BULLETIN, "2\n", 2, d);
	fx_record(&r, RN_COLL_OP_PUT, "second", d, NULL);
	fx_commit(&c->f, &r, 1, 1, &c->stmt, &c->rec);
	/* Gap: commit 2 before commit 1. */
	refused(c, RN_ERR_PROTO);
	assert_non_null(strstr(rn_coll_verifier_error(c->v), "seq 2, expected 1"));
	assert_int_equal(rn_coll_verifier_add_commit(c->v, (uint8_t *)s1.data, s1.len,
			     (uint8_t *)r1.data, r1.len, c->f.store),
	    RN_OK);
	assert_int_equal(apply(c), RN_OK);
	/* Rewind: commit 1 again. */
	rn_buf_reset(&c->stmt);
	assert_int_equal(rn_buf_append(&c->stmt, s1.data, s1.len), RN_OK);
	rn_buf_reset(&c->rec);
	assert_int_equal(rn_buf_append(&c->rec, r1.data, r1.len), RN_OK);
	refused(c, RN_ERR_PROTO);
	rn_buf_free(&s1);
	rn_buf_free(&r1);
}

static void
test_attack_objects(void **state)
{
	struct ctx	     *c = *state;
	struct rn_coll_record r;
	struct rn_buf	      frame;
	uint8_t		      blob[32], ev[32];

	add_root(c);
	/* Type confusion: a blob's id presented as a document. */
	assert_int_equal(rn_coll_store_put(c->f.store, RN_COLL_BLOB, "x", 1, blob), RN_OK);
	fx_record(&r, RN_COLL_OP_PUT, "first-bulletin", blob, NULL);
	fx_commit(&c->f, &r, 1, 3, &c->stmt, &c->rec);
	refused(c, RN_ERR_PROTO);
	assert_non_null(strstr(rn_coll_verifier_error(c->v), "another type"));
	teardown(state);
	setup(state);
	c = *state;
	add_root(c);
	/* A record whose key is not its document's. */
	fx_record(&r, RN_COLL_OP_PUT, "some-other-id", c->d1, NULL);
	fx_commit(&c->f, &r, 1, 3, &c->stmt, &c->rec);
	refused(c, RN_ERR_PROTO);
	teardown(state);
	setup(state);
	c = *state;
	add_root(c);
	/* Missing content: the document is there, its body is not. */
	fx_doc(&c->f, "evil", RN_COLL_SEC_BULLETIN, "evil body\n", 10, ev);
	{
		struct rn_coll_doc d;
		struct rn_buf	   b;

		rn_buf_init(&b, RN_COLL_MAX_OBJECT);
		assert_int_equal(rn_coll_store_get(c->f.store, ev, RN_COLL_DOC, &b), RN_OK);
		assert_int_equal(rn_coll_doc_decode((uint8_t *)b.data, b.len, &d), RN_OK);
		assert_int_equal(rn_coll_store_delete(c->f.store, d.body.id), RN_OK);
		rn_buf_free(&b);
	}
	fx_record(&r, RN_COLL_OP_PUT, "evil", ev, NULL);
	fx_commit(&c->f, &r, 1, 3, &c->stmt, &c->rec);
	refused(c, RN_ERR_NOTFOUND);
	/* A modified frame does not enter any store. */
	rn_buf_init(&frame, RN_COLL_MAX_OBJECT + 64);
	assert_int_equal(rn_coll_frame_encode(RN_COLL_BLOB, "evil body\n", 10, &frame), RN_OK);
	frame.data[frame.len - 1] ^= 1;
	assert_int_equal(rn_coll_id(RN_COLL_BLOB, "evil body\n", 10, blob), RN_OK);
	assert_int_equal(
	    rn_coll_store_put_frame(c->store, blob, (uint8_t *)frame.data, frame.len),
	    RN_ERR_CRYPTO);
	assert_false(rn_coll_store_has(c->store, blob));
	rn_buf_free(&frame);
}

static void
test_attack_modified_on_disk(void **state)
{
	struct ctx *c = *state;
	char	    path[256], hex[65];
	FILE	   *fp;
	struct rn_buf b;
	long	    sz;

	add_root(c);
	commit1(c, 3);
	assert_int_equal(apply(c), RN_OK);
	/* Flip a byte in the stored bulletin metadata: reads now fail. */
	rn_coll_id_format(c->d1, hex);
	snprintf(path, sizeof(path), "%s/objects/%.2s/%s", c->dir, hex, hex + 2);
	assert_non_null(fp = fopen(path, "r+b"));
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	sz = ftell(fp);
	assert_int_equal(fseek(fp, sz - 3, SEEK_SET), 0);
	fputc('Z', fp);
	fclose(fp);
	rn_buf_init(&b, RN_COLL_MAX_OBJECT);
	assert_int_equal(rn_coll_store_get(c->store, c->d1, RN_COLL_DOC, &b), RN_ERR_CRYPTO);
	rn_buf_free(&b);
}

static void
test_attack_encoding(void **state)
{
	struct ctx	     *c = *state;
	struct rn_coll_record r;
	struct rn_buf	      bad;

	add_root(c);
	fx_record(&r, RN_COLL_OP_PUT, "first-bulletin", c->d1, NULL);
	fx_commit(&c->f, &r, 1, 3, &c->stmt, &c->rec);
	/* The op field's varint written with a redundant continuation byte. */
	rn_buf_init(&bad, 1024);
	assert_int_equal(rn_coll_put_varint(&bad, c->rec.len - 1 + 1), RN_OK);
	{
		uint8_t rec[200];
		size_t	n = c->rec.len - 1;

		memcpy(rec, c->rec.data + 1, n);
		/* rec = 01 01 01 ...: tag 1, length 1, value 1 -> tag 1, length 2, 81 00 */
		assert_int_equal(rec[0], 1);
		assert_int_equal(rec[1], 1);
		rn_buf_reset(&bad);
		assert_int_equal(rn_coll_put_varint(&bad, n + 1), RN_OK);
		assert_int_equal(rn_buf_append(&bad, "\x01\x02\x81\x00", 4), RN_OK);
		assert_int_equal(rn_buf_append(&bad, rec + 3, n - 3), RN_OK);
	}
	rn_buf_reset(&c->rec);
	assert_int_equal(rn_buf_append(&c->rec, bad.data, bad.len), RN_OK);
	refused(c, RN_ERR_INVAL);
	/* Trailing garbage after the statement's last line. */
	rn_buf_free(&bad);
}

static void
test_attack_section_downgrade(void **state)
{
	struct ctx	     *c = *state;
	struct rn_coll_record r;
	uint8_t		      d[32];

	add_root(c);
	commit1(c, 3);
	assert_int_equal(apply(c), RN_OK);
	/* One editor replaces the conflict write-up with a "bulletin" of the same id. */
	fx_doc(&c->f, "a-conflict", RN_COLL_SEC_BULLETIN, "gone\n", 5, d);
	fx_record(&r, RN_COLL_OP_PUT, "a-conflict", d, NULL);
	fx_commit(&c->f, &r, 1, 1, &c->stmt, &c->rec);
	refused(c, RN_ERR_CRYPTO);
}

static void
test_attack_small_order_key(void **state)
{
	struct ctx	   *c = *state;
	struct rn_coll_root r;
	struct rn_buf	    body;
	char		   *p;

	/* The identity point as an editor key: refused when parsing ROOT. */
	rn_buf_init(&body, RN_COLL_MAX_STATEMENT);
	assert_int_equal(rn_buf_append(&body, c->f.root_stmt.data, c->f.root_stmt.len), RN_OK);
	p = strstr(body.data, "editor ");
	assert_non_null(p);
	memcpy(p + 7, "0100000000000000000000000000000000000000000000000000000000000000", 64);
	assert_int_equal(rn_coll_root_parse((uint8_t *)body.data, body.len, &r,
			     &(struct rn_coll_sigs){ 0 }),
	    RN_ERR_CRYPTO);
	assert_int_not_equal(rn_coll_verifier_add_root(c->v, (uint8_t *)body.data, body.len), RN_OK);
	assert_int_equal(rn_coll_verifier_state(c->v)->root_version, 0);
	rn_buf_free(&body);
}

static void
test_expect_purge(void **state)
{
	struct ctx	     *c = *state;
	struct rn_coll_record r;
	struct rn_buf	      s1, r1;
	uint8_t		      tomb[32];

	/* A replica that never saw the conflict write-up's content, purged later. */
	commit1(c, 3);
	rn_buf_init(&s1, RN_COLL_MAX_STATEMENT);
	rn_buf_init(&r1, RN_COLL_MAX_OBJECT);
	assert_int_equal(rn_buf_append(&s1, c->stmt.data, c->stmt.len), RN_OK);
	assert_int_equal(rn_buf_append(&r1, c->rec.data, c->rec.len), RN_OK);
	fx_tomb(&c->f, RN_COLL_OP_PURGE, "a-conflict", c->d3, tomb);
	fx_record(&r, RN_COLL_OP_PURGE, "a-conflict", c->d3, tomb);
	fx_commit(&c->f, &r, 1, 3, &c->stmt, &c->rec);
	assert_int_equal(rn_coll_store_delete(c->f.store, c->d3), RN_OK);
	add_root(c);
	assert_int_equal(rn_coll_verifier_add_commit(c->v, (uint8_t *)s1.data, s1.len,
			     (uint8_t *)r1.data, r1.len, c->f.store),
	    RN_ERR_NOTFOUND);
	assert_int_equal(rn_coll_verifier_expect_purge(c->v, c->d3), RN_OK);
	assert_int_equal(rn_coll_verifier_expected(c->v), 1);
	assert_int_equal(rn_coll_verifier_add_commit(c->v, (uint8_t *)s1.data, s1.len,
			     (uint8_t *)r1.data, r1.len, c->f.store),
	    RN_OK);
	assert_int_equal(apply(c), RN_OK);
	assert_int_equal(rn_coll_verifier_expected(c->v), 0);
	rn_buf_free(&s1);
	rn_buf_free(&r1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_end_to_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timestamp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attack_signatures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attack_seq, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attack_objects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attack_modified_on_disk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attack_encoding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attack_section_downgrade, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attack_small_order_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expect_purge, setup, teardown),
	};

	return cmocka_run_group_tests_name("coll_verify", tests, NULL, NULL);
}
