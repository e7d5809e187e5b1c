/* The daemon/coll test fixture: see coll_fixture.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coll_fixture.h"
#include "roneo/rn_age.h"

void
fx_seed(uint8_t seed[32], unsigned i)
{
	memset(seed, (int)(i + 1), 32);
}

static int
cmp_editor(const void *a, const void *b)
{
	return memcmp(((const struct rn_coll_editor *)a)->pub,
	    ((const struct rn_coll_editor *)b)->pub, 32);
}

void
fx_sign(struct fx *f, const struct rn_buf *body, unsigned signers, struct rn_buf *out)
{
	struct rn_buf cur;
	unsigned      i;

	rn_buf_init(&cur, RN_COLL_MAX_STATEMENT);
	assert_int_equal(rn_buf_append(&cur, body->data, body->len), RN_OK);
	for (i = 0; i < FX_EDITORS; i++) {
		if (!(signers & (1u << i)))
			continue;
		assert_int_equal(
		    rn_coll_stmt_sign((uint8_t *)cur.data, cur.len, f->seed[i], out), RN_OK);
		rn_buf_reset(&cur);
		assert_int_equal(rn_buf_append(&cur, out->data, out->len), RN_OK);
	}
	out->max = RN_COLL_MAX_STATEMENT;
	rn_buf_reset(out);
	assert_int_equal(rn_buf_append(out, cur.data, cur.len), RN_OK);
	rn_buf_free(&cur);
}

void
fx_init(struct fx *f)
{
	struct rn_buf body;
	unsigned      i;

	memset(f, 0, sizeof(*f));
	assert_int_equal(rn_coll_store_new_mem(&f->store), RN_OK);
	assert_int_equal(rn_coll_log_new(&f->log), RN_OK);
	rn_coll_root_defaults(&f->root);
	f->root.version = 1;
	f->root.expires = FX_TIME + 365u * 86400u;
	for (i = 0; i < FX_EDITORS; i++) {
		struct rn_age_identity *id = NULL;
		struct rn_coll_editor  *e = &f->root.editors[i];

		fx_seed(f->seed[i], i);
		assert_int_equal(rn_ed25519_public(f->seed[i], e->pub), RN_OK);
		assert_int_equal(rn_age_identity_from_secret(f->seed[i], &id), RN_OK);
		rn_age_identity_recipient(id, &e->age);
		rn_age_identity_free(id);
		e->label[0] = (char)('a' + i);
		memcpy(e->label + 1, "-editor", 8);
	}
	f->root.neditors = FX_EDITORS;
	qsort(f->root.editors, FX_EDITORS, sizeof(f->root.editors[0]), cmp_editor);
	/* Keep seed i for editor i in sorted order. */
	for (i = 0; i < FX_EDITORS; i++) {
		unsigned j;
		uint8_t	 pub[32];

		for (j = 0; j < FX_EDITORS; j++) {
			fx_seed(f->seed[i], j);
			assert_int_equal(rn_ed25519_public(f->seed[i], pub), RN_OK);
			if (memcmp(pub, f->root.editors[i].pub, 32) == 0)
				break;
		}
	}
	memset(f->ts_seed, 0x77, 32);
	assert_int_equal(rn_ed25519_public(f->ts_seed, f->root.ts[0]), RN_OK);
	f->root.nts = 1;
	rn_buf_init(&body, RN_COLL_MAX_STATEMENT);
	rn_buf_init(&f->root_stmt, RN_COLL_MAX_STATEMENT);
	assert_int_equal(rn_coll_root_encode(&f->root, &body), RN_OK);
	fx_sign(f, &body, 3, &f->root_stmt);
	rn_buf_free(&body);
	assert_int_equal(rn_coll_trie_empty(f->store, f->manifest), RN_OK);
	f->time = FX_TIME;
}

void
fx_free(struct fx *f)
{
	rn_coll_store_free(f->store);
	rn_coll_log_free(f->log);
	rn_buf_free(&f->root_stmt);
}

void
fx_doc(struct fx *f, const char *id, enum rn_coll_section sec, const char *body, size_t blen,
    uint8_t doc[32])
{
	struct rn_coll_doc *d = calloc(1, sizeof(*d));
	struct rn_buf	    b;

	assert_non_null(d);
	snprintf(d->id, sizeof(d->id), "%s", id);
	d->section = sec;
	snprintf(d->title, sizeof(d->title), "Title of %s", id);
	d->date = FX_TIME;
	snprintf(d->lang, sizeof(d->lang), "en");
	assert_int_equal(
	    rn_coll_store_content(f->store, body, blen, RN_COLL_BODY_CHUNK_AT, &d->body), RN_OK);
	rn_buf_init(&b, RN_COLL_MAX_OBJECT);
	assert_int_equal(rn_coll_doc_encode(d, &b), RN_OK);
	assert_int_equal(rn_coll_store_put(f->store, RN_COLL_DOC, b.data, b.len, doc), RN_OK);
	rn_buf_free(&b);
	free(d);
}

void
fx_tomb(struct fx *f, enum rn_coll_op op, const char *id, const uint8_t doc[32], uint8_t tomb[32])
{
	struct rn_coll_tombstone t;
	struct rn_buf		 b;

	memset(&t, 0, sizeof(t));
	t.op = op;
	assert_int_equal(rn_coll_key(id, strlen(id), t.key), RN_OK);
	memcpy(t.doc, doc, 32);
	t.time = f->time + 1;
	snprintf(t.reason, sizeof(t.reason), "withdrawn on request");
	rn_buf_init(&b, 4096);
	assert_int_equal(rn_coll_tombstone_encode(&t, &b), RN_OK);
	assert_int_equal(rn_coll_store_put(f->store, RN_COLL_TOMBSTONE, b.data, b.len, tomb), RN_OK);
	rn_buf_free(&b);
}

void
fx_record(struct rn_coll_record *r, enum rn_coll_op op, const char *id, const uint8_t doc[32],
    const uint8_t *tomb)
{
	memset(r, 0, sizeof(*r));
	r->op = op;
	assert_int_equal(rn_coll_key(id, strlen(id), r->key), RN_OK);
	memcpy(r->doc, doc, 32);
	if (tomb != NULL)
		memcpy(r->tomb, tomb, 32);
}

static int
cmp_record(const void *a, const void *b)
{
	return memcmp(((const struct rn_coll_record *)a)->key,
	    ((const struct rn_coll_record *)b)->key, 32);
}

void
fx_commit(struct fx *f, struct rn_coll_record *r, size_t n, unsigned signers,
    struct rn_buf *stmt, struct rn_buf *records)
{
	struct rn_coll_change *ch = calloc(n, sizeof(*ch));
	struct rn_coll_commit  c;
	struct rn_buf	       body, rec;
	size_t		       i;

	assert_non_null(ch);
	qsort(r, n, sizeof(*r), cmp_record);
	rn_buf_init(&rec, 1024);
	records->max = RN_COLL_MAX_OBJECT;
	rn_buf_reset(records);
	for (i = 0; i < n; i++) {
		rn_buf_reset(&rec);
		assert_int_equal(rn_coll_record_encode(&r[i], &rec), RN_OK);
		assert_int_equal(rn_coll_log_append(f->log, rec.data, rec.len), RN_OK);
		assert_int_equal(rn_coll_put_bytes(records, rec.data, rec.len), RN_OK);
		memcpy(ch[i].e.key, r[i].key, 32);
		memcpy(ch[i].e.doc, r[i].doc, 32);
		ch[i].e.status = r[i].op == RN_COLL_OP_RETRACT ? RN_COLL_RETRACTED : RN_COLL_LIVE;
		ch[i].del = r[i].op == RN_COLL_OP_PURGE;
	}
	assert_int_equal(rn_coll_trie_update(f->store, f->manifest, ch, n, f->manifest), RN_OK);
	memset(&c, 0, sizeof(c));
	memcpy(c.collection, f->root.id, 32);
	c.seq = ++f->seq;
	memcpy(c.prev, f->commit, 32);
	c.root_version = f->root.version;
	memcpy(c.root, f->root.id, 32);
	memcpy(c.manifest, f->manifest, 32);
	c.log_size = rn_coll_log_size(f->log);
	assert_int_equal(rn_coll_log_root(f->log, c.log_size, c.log_root), RN_OK);
	c.time = ++f->time;
	rn_buf_init(&body, RN_COLL_MAX_STATEMENT);
	assert_int_equal(rn_coll_commit_encode(&c, &body), RN_OK);
	memcpy(f->commit, c.id, 32);
	fx_sign(f, &body, signers, stmt);
	rn_buf_free(&body);
	rn_buf_free(&rec);
	free(ch);
}
