/*
 * Bundles as the editor's tool writes and reads them (docs/protocol.md
 * section 17, the codec of include/roneo/rn_coll_bundle.h).  What the
 * server sends for a pull is several bundles one after the other; each is
 * decoded strictly, its objects loaded into a memory store per commit, and
 * the whole handed to the verifier, which trusts none of it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd_coll.h"

static int
cmp_id(const void *a, const void *b)
{
	return memcmp(a, b, RN_COLL_ID_LEN);
}

enum rn_err
coll_bundle_commit(struct rn_buf *b, const struct rn_coll_store *s, const struct rn_buf *stmt,
    const struct rn_buf *rec, uint8_t (*ids)[RN_COLL_ID_LEN], size_t nids)
{
	struct rn_buf f;
	size_t	      i;
	enum rn_err   err;

	b->max = RN_COLL_MAX_BUNDLE;
	rn_buf_reset(b);
	if ((err = rn_coll_bundle_begin(b)) != RN_OK ||
	    (err = rn_coll_bundle_put(b, RN_COLL_BUNDLE_COMMIT, stmt->data, stmt->len)) != RN_OK ||
	    (err = rn_coll_bundle_put(b, RN_COLL_BUNDLE_RECORDS, rec->data, rec->len)) != RN_OK)
		return err;
	/* Objects in strictly increasing id order. */
	if (nids > 1)
		qsort(ids, nids, RN_COLL_ID_LEN, cmp_id);
	rn_buf_init(&f, RN_COLL_MAX_OBJECT + 64);
	for (i = 0; i < nids && err == RN_OK; i++) {
		if (i > 0 && memcmp(ids[i - 1], ids[i], RN_COLL_ID_LEN) == 0)
			continue;
		/* A disk store reads the frame with rn_file_read_all(), which re-inits f. */
		rn_buf_free(&f);
		rn_buf_init(&f, RN_COLL_MAX_OBJECT + 64);
		if ((err = rn_coll_store_get_frame(s, ids[i], &f)) == RN_OK)
			err = rn_coll_bundle_put_object(b, ids[i], f.data, f.len);
	}
	rn_buf_free(&f);
	return err;
}

enum rn_err
coll_bundle_root(struct rn_buf *b, const struct rn_buf *stmt)
{
	enum rn_err err;

	b->max = RN_COLL_MAX_BUNDLE;
	rn_buf_reset(b);
	if ((err = rn_coll_bundle_begin(b)) != RN_OK)
		return err;
	return rn_coll_bundle_put(b, RN_COLL_BUNDLE_ROOT, stmt->data, stmt->len);
}

void
coll_stream_free(struct coll_stream *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->ncommits; i++)
		rn_coll_store_free(s->commits[i].objs);
	RN_FREE(s->commits);
	s->ncommits = s->cap = 0;
	s->nroots = 0;
}

static enum rn_err
add_roots(struct coll_stream *s, const struct rn_coll_bundle *b)
{
	size_t i;

	for (i = 0; i < b->nroots; i++) {
		uint64_t v = b->first_root + i;

		if (s->nroots > 0 && v <= s->root_version[s->nroots - 1])
			continue; /* sent again: the first copy is kept */
		if (s->nroots > 0 && v != s->root_version[s->nroots - 1] + 1)
			return RN_ERR_PROTO;
		if (s->nroots >= RN_COLL_MAX_BUNDLE_ROOTS)
			return RN_ERR_TOOBIG;
		s->root[s->nroots] = b->roots[i].p;
		s->root_len[s->nroots] = b->roots[i].n;
		s->root_version[s->nroots++] = v;
	}
	return RN_OK;
}

static enum rn_err
add_commit(struct coll_stream *s, const struct rn_coll_bundle *b)
{
	struct rn_coll_sigs   *sigs;
	struct coll_commit_in *ci;
	enum rn_err	       err;

	if (s->ncommits > 0 && b->seq != s->commits[s->ncommits - 1].c.seq + 1)
		return RN_ERR_PROTO;
	if (s->ncommits == s->cap) {
		size_t		       cap = s->cap ? s->cap * 2 : 8;
		struct coll_commit_in *nc;

		if ((nc = realloc(s->commits, cap * sizeof(*nc))) == NULL)
			return RN_ERR_NOMEM;
		s->commits = nc;
		s->cap = cap;
	}
	if ((sigs = malloc(sizeof(*sigs))) == NULL)
		return RN_ERR_NOMEM;
	ci = &s->commits[s->ncommits];
	memset(ci, 0, sizeof(*ci));
	ci->stmt = b->commit.p;
	ci->stmt_len = b->commit.n;
	ci->rec = b->records.p;
	ci->rec_len = b->records.n;
	if ((err = rn_coll_commit_parse(ci->stmt, ci->stmt_len, &ci->c, sigs)) == RN_OK &&
	    (err = rn_coll_store_new_mem(&ci->objs)) == RN_OK) {
		s->ncommits++; /* freed with the stream from here on */
		err = rn_coll_bundle_load(b, ci->objs);
	}
	free(sigs);
	return err;
}

enum rn_err
coll_stream_decode(const uint8_t *p, size_t n, struct coll_stream *s, char *why, size_t whysz)
{
	struct rn_coll_bundle b;
	size_t		      off = 0, used, i = 0;
	enum rn_err	      err = RN_OK;

	memset(s, 0, sizeof(*s));
	memset(&b, 0, sizeof(b));
	while (off < n && err == RN_OK) {
		if ((err = rn_coll_bundle_decode(p + off, n - off, &b, &used)) != RN_OK) {
			snprintf(why, whysz, "bundle %zu (at byte %zu) is malformed", i + 1, off);
			break;
		}
		if ((err = add_roots(s, &b)) != RN_OK)
			snprintf(why, whysz, "bundle %zu: ROOTs out of order", i + 1);
		else if (b.has_commit && (err = add_commit(s, &b)) != RN_OK)
			snprintf(why, whysz, "bundle %zu: commits out of order", i + 1);
		rn_coll_bundle_clear(&b);
		off += used;
		i++;
	}
	if (err != RN_OK)
		coll_stream_free(s);
	return err;
}
