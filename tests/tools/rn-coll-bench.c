/*
 * rn-coll-bench: builds a collection of N documents (about SIZE bytes of
 * text each, bulletins, 100 per commit) into DIR/src as an editor's tool
 * would, then verifies it end to end into DIR/dst as a mirror would, and
 * measures the two limits of that work on the same data: SHA-256 over every
 * payload and zlib inflate of every stored frame.  bench/store/run drives
 * it; not a test.  Usage: rn-coll-bench DIR N SIZE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <zlib.h>

#include "roneo/rn_coll.h"
#include "roneo/rn_coll_stmt.h"
#include "roneo/rn_coll_tree.h"
#include "roneo/rn_crypto.h"

#define PER_COMMIT 100u

static const char *const words[] = { "the", "strike", "committee", "met", "on", "tuesday",
	"and", "agreed", "a", "plan", "for", "rent", "mutual", "aid", "tenants", "union", "meeting",
	"of", "workers", "in", "city", "support", "picket", "line", "conflict", "resolution",
	"process", "we", "will", "share", "food", "with", "neighbours", "assembly", "vote" };

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void
die(const char *what, enum rn_err err)
{
	fprintf(stderr, "rn-coll-bench: %s: %s\n", what, rn_err_str(err));
	exit(1);
}

#define CHECK(what, e)                                                                             \
	do {                                                                                       \
		enum rn_err e_ = (e);                                                              \
		if (e_ != RN_OK)                                                                   \
			die(what, e_);                                                             \
	} while (0)

/* Text-like content: words from a small list, seeded per document. */
static void
make_body(struct rn_buf *b, size_t size, uint64_t seed)
{
	rn_buf_reset(b);
	while (b->len < size) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		CHECK("body", rn_buf_puts(b, words[(seed >> 33) % RN_ARRAY_LEN(words)]));
		CHECK("body", rn_buf_puts(b, (seed >> 20) % 13 == 0 ? ".\n" : " "));
	}
}

struct editor {
	uint8_t seed[32];
};

static void
sign_body(const struct rn_buf *body, const struct editor *ed, struct rn_buf *out)
{
	CHECK("sign", rn_coll_stmt_sign((const uint8_t *)body->data, body->len, ed->seed, out));
}

struct built {
	struct rn_buf  root;
	struct rn_buf *stmts, *recs;
	size_t	       ncommits;
	uint64_t       content;
};

static void
make_root(struct rn_coll_root *r, struct editor *ed, struct built *out)
{
	struct rn_age_identity *id;
	struct rn_buf		body;

	memset(r, 0, sizeof(*r));
	rn_coll_root_defaults(r);
	for (size_t i = 0; i < RN_COLL_POL__COUNT; i++)
		r->threshold[i] = 1;
	r->version = 1;
	r->expires = 4000000000u;
	memset(ed->seed, 0x42, 32);
	CHECK("key", rn_ed25519_public(ed->seed, r->editors[0].pub));
	CHECK("age", rn_age_identity_from_secret(ed->seed, &id));
	rn_age_identity_recipient(id, &r->editors[0].age);
	rn_age_identity_free(id);
	snprintf(r->editors[0].label, sizeof(r->editors[0].label), "bench");
	r->neditors = 1;
	rn_buf_init(&body, RN_COLL_MAX_STATEMENT);
	rn_buf_init(&out->root, RN_COLL_MAX_STATEMENT);
	CHECK("root", rn_coll_root_encode(r, &body));
	sign_body(&body, ed, &out->root);
	rn_buf_free(&body);
}

static int
cmp_change(const void *a, const void *b)
{
	return memcmp(((const struct rn_coll_change *)a)->e.key,
	    ((const struct rn_coll_change *)b)->e.key, 32);
}

static void
build(struct rn_coll_store *disk, size_t ndocs, size_t size, struct built *out)
{
	struct rn_coll_root   root;
	struct editor	      ed;
	struct rn_coll_log   *log;
	struct rn_coll_change ch[PER_COMMIT];
	struct rn_coll_commit c;
	struct rn_coll_doc    d;
	struct rn_buf	      body, b, stmt;
	uint8_t		      manifest[32], prev[32];
	size_t		      i, k;

	make_root(&root, &ed, out);
	CHECK("log", rn_coll_log_new(&log));
	CHECK("trie", rn_coll_trie_empty(disk, manifest));
	memset(prev, 0, 32);
	out->ncommits = (ndocs + PER_COMMIT - 1) / PER_COMMIT;
	out->stmts = calloc(out->ncommits, sizeof(*out->stmts));
	out->recs = calloc(out->ncommits, sizeof(*out->recs));
	rn_buf_init(&body, 2 * size + 64);
	rn_buf_init(&b, RN_COLL_MAX_OBJECT);
	rn_buf_init(&stmt, RN_COLL_MAX_STATEMENT);
	for (k = 0; k < out->ncommits; k++) {
		struct rn_coll_store *s;
		size_t		      n = 0;

		CHECK("stage", rn_coll_store_new_stage(disk, &s));

		rn_buf_init(&out->recs[k], RN_COLL_MAX_OBJECT);
		for (i = k * PER_COMMIT; i < ndocs && i < (k + 1) * PER_COMMIT; i++, n++) {
			struct rn_coll_record r;

			memset(&d, 0, sizeof(d));
			snprintf(d.id, sizeof(d.id), "bulletin-%zu", i);
			d.section = RN_COLL_SEC_BULLETIN;
			snprintf(d.title, sizeof(d.title), "Bulletin %zu", i);
			d.date = 1760000000u + i;
			snprintf(d.lang, sizeof(d.lang), "en");
			make_body(&body, size - size / 4 + (i * 7919) % (size / 2 + 1), i + 1);
			out->content += body.len;
			CHECK("content", rn_coll_store_content(s, body.data, body.len,
					     RN_COLL_BODY_CHUNK_AT, &d.body));
			rn_buf_reset(&b);
			CHECK("doc", rn_coll_doc_encode(&d, &b));
			memset(&r, 0, sizeof(r));
			r.op = RN_COLL_OP_PUT;
			CHECK("put", rn_coll_store_put(s, RN_COLL_DOC, b.data, b.len, r.doc));
			CHECK("key", rn_coll_key(d.id, strlen(d.id), r.key));
			memset(&ch[n], 0, sizeof(ch[n]));
			memcpy(ch[n].e.key, r.key, 32);
			memcpy(ch[n].e.doc, r.doc, 32);
		}
		qsort(ch, n, sizeof(ch[0]), cmp_change);
		for (i = 0; i < n; i++) {
			struct rn_coll_record r = { .op = RN_COLL_OP_PUT };

			memcpy(r.key, ch[i].e.key, 32);
			memcpy(r.doc, ch[i].e.doc, 32);
			rn_buf_reset(&b);
			CHECK("record", rn_coll_record_encode(&r, &b));
			CHECK("log", rn_coll_log_append(log, b.data, b.len));
			CHECK("records", rn_coll_put_bytes(&out->recs[k], b.data, b.len));
		}
		CHECK("update", rn_coll_trie_update(s, manifest, ch, n, manifest));
		memset(&c, 0, sizeof(c));
		memcpy(c.collection, root.id, 32);
		c.seq = k + 1;
		memcpy(c.prev, prev, 32);
		c.root_version = 1;
		memcpy(c.root, root.id, 32);
		memcpy(c.manifest, manifest, 32);
		c.log_size = rn_coll_log_size(log);
		CHECK("log root", rn_coll_log_root(log, c.log_size, c.log_root));
		c.time = 1760000000u + k;
		CHECK("commit", rn_coll_commit_encode(&c, &stmt));
		memcpy(prev, c.id, 32);
		rn_buf_init(&out->stmts[k], RN_COLL_MAX_STATEMENT);
		sign_body(&stmt, &ed, &out->stmts[k]);
		CHECK("flush", rn_coll_store_flush(s, disk));
		rn_coll_store_free(s);
	}
	rn_coll_log_free(log);
	rn_buf_free(&body);
	rn_buf_free(&b);
	rn_buf_free(&stmt);
}

struct limits {
	const struct rn_coll_store *s;
	struct rn_buf		    frame, payload;
	uint64_t		    raw, stored;
	double			    sha_s, inflate_s;
};

/* Per object: inflate its frame (timed), hash its payload (timed). */
static enum rn_err
limit_one(const uint8_t id[32], void *arg)
{
	struct limits	 *l = arg;
	uLongf		  dlen;
	uint64_t	  len, slen;
	struct rn_coll_rd r;
	uint8_t		  md[32];
	const uint8_t	 *h;
	double		  t;

	CHECK("frame", rn_coll_store_get_frame(l->s, id, &l->frame));
	rn_coll_rd_init(&r, l->frame.data, l->frame.len);
	CHECK("frame", rn_coll_rd_fixed(&r, 2, &h));
	CHECK("frame", rn_coll_rd_varint(&r, UINT64_MAX, &len));
	CHECK("frame", rn_coll_rd_varint(&r, UINT64_MAX, &slen));
	l->payload.max = RN_COLL_MAX_OBJECT;
	rn_buf_reset(&l->payload);
	CHECK("reserve", rn_buf_reserve(&l->payload, (size_t)len));
	t = now_s();
	if (h[1] == RN_COLL_FRAME_ZLIB) {
		dlen = (uLongf)len;
		if (uncompress((Bytef *)l->payload.data, &dlen, (const Bytef *)l->frame.data + r.off,
			(uLong)slen) != Z_OK)
			die("inflate", RN_ERR_INVAL);
		l->inflate_s += now_s() - t;
	} else {
		memcpy(l->payload.data, l->frame.data + r.off, (size_t)len);
	}
	t = now_s();
	CHECK("sha", rn_sha256(l->payload.data, (size_t)len, md));
	l->sha_s += now_s() - t;
	l->raw += len;
	l->stored += slen;
	return RN_OK;
}

int
main(int argc, char **argv)
{
	struct rn_coll_store	*src, *dst;
	struct rn_coll_verifier *v;
	struct built		 bl;
	struct limits		 lim;
	char			 path[4096];
	size_t			 ndocs, size, k, nobj;
	double			 t0, c0, vt, vc, limit;

	if (argc != 4 || (ndocs = strtoul(argv[2], NULL, 10)) == 0 ||
	    (size = strtoul(argv[3], NULL, 10)) < 1024) {
		fprintf(stderr, "usage: rn-coll-bench DIR NDOCS SIZE\n");
		return 2;
	}
	memset(&bl, 0, sizeof(bl));
	snprintf(path, sizeof(path), "%s/src", argv[1]);
	CHECK("open src", rn_coll_store_open(path, &src));
	snprintf(path, sizeof(path), "%s/dst", argv[1]);
	CHECK("open dst", rn_coll_store_open(path, &dst));
	t0 = now_s();
	build(src, ndocs, size, &bl);
	printf("built: %zu documents, %llu content bytes, %zu commits in %.1f s\n", ndocs,
	    (unsigned long long)bl.content, bl.ncommits, now_s() - t0);

	CHECK("verifier", rn_coll_verifier_new(dst, &v));
	t0 = now_s();
	c0 = cpu_s();
	CHECK("root", rn_coll_verifier_add_root(v, (uint8_t *)bl.root.data, bl.root.len));
	for (k = 0; k < bl.ncommits; k++) {
		enum rn_err err = rn_coll_verifier_add_commit(v, (uint8_t *)bl.stmts[k].data,
		    bl.stmts[k].len, (uint8_t *)bl.recs[k].data, bl.recs[k].len, src);

		if (err != RN_OK) {
			fprintf(stderr, "commit %zu: %s\n", k + 1, rn_coll_verifier_error(v));
			return 1;
		}
	}
	vt = now_s() - t0;
	vc = cpu_s() - c0;
	CHECK("count", rn_coll_store_count(dst, &nobj));

	memset(&lim, 0, sizeof(lim));
	lim.s = dst;
	rn_buf_init(&lim.frame, RN_COLL_MAX_OBJECT + 64);
	rn_buf_init(&lim.payload, RN_COLL_MAX_OBJECT);
	CHECK("limits", rn_coll_store_each(dst, limit_one, &lim));
	limit = lim.sha_s + lim.inflate_s;
	printf("verified: seq %llu, %zu objects, %llu payload bytes (%llu stored)\n",
	    (unsigned long long)rn_coll_verifier_state(v)->seq, nobj,
	    (unsigned long long)lim.raw, (unsigned long long)lim.stored);
	printf("verify: %.2f s wall, %.2f s CPU (%.1f MB/s of payload)\n", vt, vc,
	    (double)lim.raw / vc / 1e6);
	printf("limit: sha256 %.2f s (%.1f MB/s) + inflate %.2f s = %.2f s\n", lim.sha_s,
	    (double)lim.raw / lim.sha_s / 1e6, lim.inflate_s, limit);
	printf("ratio (limit / verify CPU): %.2f\n", limit / vc);
	rn_coll_verifier_free(v);
	rn_coll_store_free(src);
	rn_coll_store_free(dst);
	return 0;
}
