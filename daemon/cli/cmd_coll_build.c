/*
 * Building what an editor signs: the next commit from the replica (records,
 * log, manifest, commit statement), and signatures added to a statement with
 * the editor's key (which stays in struct rn_editor_secret).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cmd_coll.h"

#define SIG_B64_LEN rn_base64_len(RN_ED25519_SIG_LEN)

static enum rn_err
put_sig_line(struct rn_buf *b, const struct rn_coll_sig *s)
{
	char hex[RN_COLL_HEX_LEN + 1], b64[SIG_B64_LEN + 1];

	rn_coll_id_format(s->pub, hex);
	rn_base64_encode(s->sig, RN_ED25519_SIG_LEN, b64);
	return rn_buf_printf(b, "sig %s %s\n", hex, b64);
}

enum rn_err
coll_sign(const struct rn_editor_secret *sk, const uint8_t *p, size_t n, struct rn_buf *out)
{
	struct rn_coll_sigs *sigs;
	struct rn_coll_sig   mine;
	size_t		     i;
	bool		     done = false;
	enum rn_err	     err;

	if ((sigs = malloc(sizeof(*sigs))) == NULL)
		return RN_ERR_NOMEM;
	memcpy(mine.pub, rn_editor_secret_pub(sk), RN_ED25519_PUB_LEN);
	if ((err = rn_coll_stmt_split(p, n, sigs)) != RN_OK)
		goto out;
	for (i = 0; i < sigs->n; i++)
		if (memcmp(sigs->s[i].pub, mine.pub, RN_ED25519_PUB_LEN) == 0) {
			err = RN_ERR_EXISTS;
			goto out;
		}
	err = RN_ERR_TOOBIG;
	if (sigs->n >= RN_COLL_MAX_SIGS)
		goto out;
	if ((err = rn_editor_secret_sign(sk, p, sigs->body_len, mine.sig)) != RN_OK)
		goto out;
	out->max = RN_COLL_MAX_STATEMENT;
	rn_buf_reset(out);
	if ((err = rn_buf_append(out, p, sigs->body_len)) != RN_OK)
		goto out;
	for (i = 0; i <= sigs->n && err == RN_OK; i++) {
		if (!done && (i == sigs->n || memcmp(mine.pub, sigs->s[i].pub, 32) < 0)) {
			done = true;
			err = put_sig_line(out, &mine);
		}
		if (err == RN_OK && i < sigs->n)
			err = put_sig_line(out, &sigs->s[i]);
	}
out:
	free(sigs);
	return err;
}

enum rn_err
coll_records_decode(
    const uint8_t *p, size_t n, struct rn_coll_record *out, size_t max, size_t *count)
{
	struct rn_coll_rd r;
	enum rn_err	  err;

	*count = 0;
	rn_coll_rd_init(&r, p, n);
	while (!rn_coll_rd_done(&r)) {
		const uint8_t *v;
		size_t	       vn;

		if (*count >= max)
			return RN_ERR_TOOBIG;
		if ((err = rn_coll_rd_bytes(&r, RN_COLL_MAX_OBJECT, &v, &vn)) != RN_OK ||
		    (err = rn_coll_record_decode(v, vn, &out[*count])) != RN_OK)
			return err;
		(*count)++;
	}
	return *count > 0 ? RN_OK : RN_ERR_INVAL;
}

void
coll_signer_name(const struct rn_coll_root *root, const uint8_t pub[32], char *out, size_t outsz)
{
	char   hex[RN_COLL_HEX_LEN + 1];
	size_t i;

	for (i = 0; root != NULL && i < root->neditors; i++)
		if (memcmp(root->editors[i].pub, pub, 32) == 0) {
			snprintf(out, outsz, "%s", root->editors[i].label);
			return;
		}
	rn_coll_id_format(pub, hex);
	snprintf(out, outsz, "%.16s", hex);
}

static int
cmp_record(const void *a, const void *b)
{
	return memcmp(((const struct rn_coll_record *)a)->key,
	    ((const struct rn_coll_record *)b)->key, RN_COLL_ID_LEN);
}

/* A copy of the replica's log, to append to without touching the verifier's. */
enum rn_err
coll_log_copy(const struct coll_replica *r, struct rn_coll_log **out)
{
	struct rn_buf b;
	enum rn_err   err;

	*out = NULL;
	rn_buf_init(&b, RN_COLL_MAX_REPLICA_STATE);
	if ((err = rn_coll_log_new(out)) == RN_OK &&
	    (err = rn_coll_log_encode(rn_coll_verifier_log(r->v), &b)) == RN_OK)
		err = rn_coll_log_decode((const uint8_t *)b.data, b.len, *out);
	rn_buf_free(&b);
	if (err != RN_OK) {
		rn_coll_log_free(*out);
		*out = NULL;
	}
	return err;
}

/*
 * Append the records to log and their encoding to rec, and the manifest
 * changes they make to ch.
 */
enum rn_err
coll_apply_records(struct rn_coll_log *log, const struct rn_coll_record *recs, size_t n,
    struct rn_buf *rec, struct rn_coll_change *ch)
{
	struct rn_buf one;
	size_t	      i;
	enum rn_err   err = RN_OK;

	rn_buf_init(&one, RN_COLL_MAX_OBJECT);
	for (i = 0; i < n && err == RN_OK; i++) {
		rn_buf_reset(&one);
		if ((err = rn_coll_record_encode(&recs[i], &one)) != RN_OK ||
		    (err = rn_coll_log_append(log, one.data, one.len)) != RN_OK)
			break;
		if (rec != NULL && (err = rn_coll_put_bytes(rec, one.data, one.len)) != RN_OK)
			break;
		memset(&ch[i], 0, sizeof(ch[i]));
		memcpy(ch[i].e.key, recs[i].key, RN_COLL_ID_LEN);
		memcpy(ch[i].e.doc, recs[i].doc, RN_COLL_ID_LEN);
		ch[i].e.status =
		    recs[i].op == RN_COLL_OP_RETRACT ? RN_COLL_RETRACTED : RN_COLL_LIVE;
		ch[i].del = recs[i].op == RN_COLL_OP_PURGE;
	}
	rn_buf_free(&one);
	return err;
}

int
coll_build_commit(struct coll_replica *r, struct rn_coll_record *recs, size_t n,
    struct rn_buf *body, struct rn_buf *rec, struct rn_coll_commit *c)
{
	const struct rn_coll_state *st = rn_coll_verifier_state(r->v);
	const struct rn_coll_root  *root = rn_coll_verifier_root(r->v);
	struct rn_coll_change	   *ch = NULL;
	struct rn_coll_log	   *log = NULL;
	uint64_t		    now = (uint64_t)time(NULL);
	size_t			    i;
	int			    rc = RN_CLI_EXIT_FAIL;

	if (root == NULL)
		return cli_fail("the replica holds no collection: roneo pull or roneo init");
	qsort(recs, n, sizeof(*recs), cmp_record);
	for (i = 1; i < n; i++)
		if (memcmp(recs[i - 1].key, recs[i].key, RN_COLL_ID_LEN) == 0)
			return cli_fail("a commit changes a document at most once");
	if ((ch = calloc(n, sizeof(*ch))) == NULL)
		return cli_fail("out of memory");
	rec->max = RN_COLL_MAX_BUNDLE;
	rn_buf_reset(rec);
	if (coll_log_copy(r, &log) != RN_OK || coll_apply_records(log, recs, n, rec, ch) != RN_OK) {
		cli_fail("cannot build the change log");
		goto out;
	}
	memset(c, 0, sizeof(*c));
	memcpy(c->collection, st->collection, RN_COLL_ID_LEN);
	c->seq = st->seq + 1;
	memcpy(c->prev, st->commit, RN_COLL_ID_LEN);
	c->root_version = root->version;
	memcpy(c->root, root->id, RN_COLL_ID_LEN);
	c->log_size = rn_coll_log_size(log);
	c->time = now > st->time ? now : st->time;
	if (c->time > root->expires) {
		cli_fail(
		    "ROOT %llu has expired: roneo rotate first", (unsigned long long)root->version);
		goto out;
	}
	if (rn_coll_trie_update(r->store, st->manifest, ch, n, c->manifest) != RN_OK ||
	    rn_coll_log_root(log, c->log_size, c->log_root) != RN_OK) {
		cli_fail("cannot build the manifest (is the replica damaged? roneo pull)");
		goto out;
	}
	body->max = RN_COLL_MAX_STATEMENT;
	rn_buf_reset(body);
	if (rn_coll_commit_encode(c, body) != RN_OK) {
		cli_fail("cannot encode the commit");
		goto out;
	}
	rc = RN_CLI_EXIT_OK;
out:
	rn_coll_log_free(log);
	free(ch);
	return rc;
}
