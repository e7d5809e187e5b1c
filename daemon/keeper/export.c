/*
 * GET /editor/v1/collection/bundle?since=SEQ: everything after commit SEQ
 * as bundles concatenated, one per commit, each with the ROOTs that came
 * into force before it; ROOTs newer than the last commit in a last bundle
 * of their own.  The objects of a commit are those its records name: the
 * DOC, its body and attachments (chunk lists with their chunks) and the
 * tombstones.  Objects purged since are gone from the store and left out;
 * a replica announces those purges to its verifier (protocol section 13).
 * Manifest nodes are not sent: a verifier builds them from the records.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keeper/keeper_int.h"
#include "roneo/rn_log.h"

static enum rn_err
add_id(struct rn_buf *ids, const uint8_t id[RN_COLL_ID_LEN])
{
	return rn_buf_append(ids, id, RN_COLL_ID_LEN);
}

static enum rn_err
add_content(const struct rn_keeper *k, const struct rn_coll_ref *ref, struct rn_buf *ids)
{
	struct rn_coll_chunklist cl;
	struct rn_buf		 p;
	enum rn_err		 err;
	size_t			 i;

	if (!rn_coll_store_has(k->store, ref->id))
		return RN_OK;
	if ((err = add_id(ids, ref->id)) != RN_OK || ref->type != RN_COLL_CHUNKLIST)
		return err;
	memset(&cl, 0, sizeof(cl));
	rn_buf_init(&p, RN_COLL_MAX_OBJECT);
	if ((err = rn_coll_store_get(k->store, ref->id, RN_COLL_CHUNKLIST, &p)) == RN_OK &&
	    (err = rn_coll_chunklist_decode((const uint8_t *)p.data, p.len, &cl)) == RN_OK)
		for (i = 0; i < cl.n && err == RN_OK; i++)
			if (rn_coll_store_has(k->store, cl.ids[i]))
				err = add_id(ids, cl.ids[i]);
	rn_coll_chunklist_clear(&cl);
	rn_buf_free(&p);
	return err;
}

enum rn_err
keeper_record_objects(const struct rn_keeper *k, const struct rn_coll_record *r, struct rn_buf *ids)
{
	struct rn_coll_doc *doc;
	struct rn_buf	    p;
	enum rn_err	    err = RN_OK;
	size_t		    i;

	if (r->op != RN_COLL_OP_PUT && rn_coll_store_has(k->store, r->tomb) &&
	    (err = add_id(ids, r->tomb)) != RN_OK)
		return err;
	if (r->op != RN_COLL_OP_PUT || !rn_coll_store_has(k->store, r->doc))
		return RN_OK;
	if ((doc = malloc(sizeof(*doc))) == NULL)
		return RN_ERR_NOMEM;
	rn_buf_init(&p, RN_COLL_MAX_OBJECT);
	if ((err = rn_coll_store_get(k->store, r->doc, RN_COLL_DOC, &p)) == RN_OK &&
	    (err = rn_coll_doc_decode((const uint8_t *)p.data, p.len, doc)) == RN_OK &&
	    (err = add_id(ids, r->doc)) == RN_OK)
		err = add_content(k, &doc->body, ids);
	for (i = 0; err == RN_OK && i < doc->natt; i++)
		err = add_content(k, &doc->att[i].ref, ids);
	rn_buf_free(&p);
	free(doc);
	return err;
}

static int
cmp_id(const void *a, const void *b)
{
	return memcmp(a, b, RN_COLL_ID_LEN);
}

/* The objects of records [from, to) of the log, sorted and distinct, into out. */
static enum rn_err
put_objects(const struct rn_keeper *k, uint64_t from, uint64_t to, struct rn_buf *out)
{
	const struct rn_coll_log *log = rn_coll_verifier_log(k->v);
	struct rn_coll_record	  r;
	struct rn_buf		  ids, frame;
	const uint8_t		 *p;
	size_t			  n, i, cnt;
	enum rn_err		  err = RN_OK;
	uint64_t		  j;

	rn_buf_init(&ids, (size_t)RN_COLL_MAX_BUNDLE_ENTRIES * RN_COLL_ID_LEN);
	rn_buf_init(&frame, RN_COLL_MAX_OBJECT + 64u);
	for (j = from; j < to && err == RN_OK; j++)
		if ((err = rn_coll_log_record(log, j, &p, &n)) == RN_OK &&
		    (err = rn_coll_record_decode(p, n, &r)) == RN_OK)
			err = keeper_record_objects(k, &r, &ids);
	cnt = ids.len / RN_COLL_ID_LEN;
	if (err == RN_OK && cnt > 1)
		qsort(ids.data, cnt, RN_COLL_ID_LEN, cmp_id);
	for (i = 0; i < cnt && err == RN_OK; i++) {
		const uint8_t *id = (const uint8_t *)ids.data + i * RN_COLL_ID_LEN;

		if (i > 0 && memcmp(id - RN_COLL_ID_LEN, id, RN_COLL_ID_LEN) == 0)
			continue;
		/* A disk store's get_frame initialises the buffer again: give it an empty one. */
		rn_buf_free(&frame);
		if ((err = rn_coll_store_get_frame(k->store, id, &frame)) == RN_OK)
			err = rn_coll_bundle_put_object(out, id, frame.data, frame.len);
	}
	rn_buf_free(&ids);
	rn_buf_free(&frame);
	return err;
}

/* The records [from, to) in log-file form. */
static enum rn_err
put_records(const struct rn_keeper *k, uint64_t from, uint64_t to, struct rn_buf *out)
{
	const struct rn_coll_log *log = rn_coll_verifier_log(k->v);
	struct rn_buf		  rec;
	const uint8_t		 *p;
	size_t			  n;
	enum rn_err		  err = RN_OK;
	uint64_t		  j;

	rn_buf_init(&rec, (size_t)RN_COLL_MAX_RECORDS * 260u);
	for (j = from; j < to && err == RN_OK; j++)
		if ((err = rn_coll_log_record(log, j, &p, &n)) == RN_OK)
			err = rn_coll_put_bytes(&rec, p, n);
	if (err == RN_OK)
		err = rn_coll_bundle_put(out, RN_COLL_BUNDLE_RECORDS, rec.data, rec.len);
	rn_buf_free(&rec);
	return err;
}

/* ROOTs (after, upto] into out. */
static enum rn_err
put_roots(const struct rn_keeper *k, uint64_t after, uint64_t upto, struct rn_buf *out)
{
	struct rn_buf st;
	enum rn_err   err = RN_OK;
	uint64_t      v;

	rn_buf_init(&st, RN_COLL_MAX_STATEMENT);
	for (v = after + 1; v <= upto && err == RN_OK; v++)
		if ((err = keeper_get_root(k, v, &st)) == RN_OK)
			err = rn_coll_bundle_put(out, RN_COLL_BUNDLE_ROOT, st.data, st.len);
	rn_buf_free(&st);
	return err;
}

static enum rn_err
write_all(int fd, const struct rn_buf *b, uint64_t *total)
{
	size_t	off = 0;
	ssize_t w;

	if (*total + b->len > RN_KEEPER_MAX_EXPORT)
		return RN_ERR_TOOBIG;
	while (off < b->len) {
		if ((w = write(fd, b->data + off, b->len - off)) <= 0)
			return RN_ERR_IO;
		off += (size_t)w;
	}
	*total += b->len;
	return RN_OK;
}

/* The bundle of commit s (with ROOTs after *rv up to the one it names). */
static enum rn_err
put_commit(const struct rn_keeper *k, uint64_t s, uint64_t *rv, struct rn_buf *out)
{
	struct rn_coll_commit c;
	struct rn_coll_sigs  *sigs;
	struct rn_buf	      st;
	enum rn_err	      err;

	if ((sigs = malloc(sizeof(*sigs))) == NULL)
		return RN_ERR_NOMEM;
	rn_buf_init(&st, RN_COLL_MAX_STATEMENT);
	if ((err = keeper_get_commit(k, s, &st)) == RN_OK &&
	    (err = rn_coll_commit_parse((const uint8_t *)st.data, st.len, &c, sigs)) == RN_OK &&
	    (err = rn_coll_bundle_begin(out)) == RN_OK &&
	    (err = put_roots(k, *rv, c.root_version, out)) == RN_OK &&
	    (err = rn_coll_bundle_put(out, RN_COLL_BUNDLE_COMMIT, st.data, st.len)) == RN_OK &&
	    (err = put_records(k, s > 1 ? k->logsz[s - 2] : 0, k->logsz[s - 1], out)) == RN_OK)
		err = put_objects(k, s > 1 ? k->logsz[s - 2] : 0, k->logsz[s - 1], out);
	if (err == RN_OK && c.root_version > *rv)
		*rv = c.root_version;
	rn_buf_free(&st);
	free(sigs);
	return err;
}

/* The ROOT version commit s named (0 for s = 0). */
static enum rn_err
root_at(const struct rn_keeper *k, uint64_t s, uint64_t *rv)
{
	struct rn_coll_commit c;
	struct rn_coll_sigs  *sigs;
	struct rn_buf	      st;
	enum rn_err	      err;

	*rv = 0;
	if (s == 0)
		return RN_OK;
	if ((sigs = malloc(sizeof(*sigs))) == NULL)
		return RN_ERR_NOMEM;
	rn_buf_init(&st, RN_COLL_MAX_STATEMENT);
	if ((err = keeper_get_commit(k, s, &st)) == RN_OK &&
	    (err = rn_coll_commit_parse((const uint8_t *)st.data, st.len, &c, sigs)) == RN_OK)
		*rv = c.root_version;
	rn_buf_free(&st);
	free(sigs);
	return err;
}

static enum rn_err
export_into(const struct rn_keeper *k, uint64_t since, int fd)
{
	const struct rn_coll_state *st = rn_coll_verifier_state(k->v);
	struct rn_buf		    b;
	uint64_t		    rv, s, total = 0;
	enum rn_err		    err;

	rn_buf_init(&b, RN_COLL_MAX_BUNDLE);
	if ((err = root_at(k, since, &rv)) != RN_OK)
		goto out;
	for (s = since + 1; s <= st->seq && err == RN_OK; s++) {
		rn_buf_reset(&b);
		if ((err = put_commit(k, s, &rv, &b)) == RN_OK)
			err = write_all(fd, &b, &total);
	}
	if (err == RN_OK && rv < st->root_version) {
		rn_buf_reset(&b);
		if ((err = rn_coll_bundle_begin(&b)) == RN_OK &&
		    (err = put_roots(k, rv, st->root_version, &b)) == RN_OK)
			err = write_all(fd, &b, &total);
	}
out:
	rn_buf_free(&b);
	return err;
}

enum rn_err
keeper_export(struct rn_keeper *k, const char *since, struct rn_keeper_answer *ans)
{
	const struct rn_coll_state *st = rn_coll_verifier_state(k->v);
	uint64_t		    s;
	enum rn_err		    err;
	off_t			    end;
	int			    fd;

	if (st->root_version == 0) {
		keeper_answer_error(ans, 404, "no collection");
		return RN_OK;
	}
	if (since == NULL || rn_parse_u64(since, strlen(since), UINT64_MAX, &s) != RN_OK ||
	    s > st->seq) {
		keeper_answer_error(ans, 400, "since must be a seq from 0 to the head's");
		return RN_OK;
	}
	if ((fd = keeper_tmpfile(k)) == -1)
		return RN_ERR_IO;
	if ((err = export_into(k, s, fd)) != RN_OK || (end = lseek(fd, 0, SEEK_CUR)) == -1) {
		close(fd);
		if (err == RN_ERR_TOOBIG) {
			keeper_answer_error(ans, 413, "too much at once: ask from a later seq");
			return RN_OK;
		}
		return err != RN_OK ? err : RN_ERR_IO;
	}
	ans->status = 200;
	rn_buf_reset(&ans->json);
	ans->fd = fd;
	ans->fd_len = (uint64_t)end;
	return RN_OK;
}
