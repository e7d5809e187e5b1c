/*
 * The collection's editor API (docs/protocol.md section 17) from the
 * editor's side: pull (everything after the replica's seq, verified into the
 * replica), upload a bundle, fetch a pending commit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd_coll.h"

static enum rn_err
to_buf(const void *p, size_t n, void *arg)
{
	return rn_buf_append(arg, p, n);
}

/* The server's {"error": ...} or the status, as a message. */
static int
report(const char *method, const char *target, long status, const struct rn_buf *eb)
{
	struct cli_json *j = NULL;
	const char	*why = NULL;
	char		 safe[512];

	if (eb->len > 0 && cli_json_parse(eb->data, eb->len, &j) == RN_OK)
		why = cli_json_str_of(j, "error");
	cli_fail("%s %s: the server answered %ld%s%s", method, target, status, why ? ": " : "",
	    why ? cli_safe(why, strlen(why), safe, sizeof(safe)) : "");
	cli_json_free(j);
	return RN_CLI_EXIT_FAIL;
}

int
coll_get(struct cli_conn *c, const char *target, struct rn_buf *b, size_t max)
{
	struct rn_buf eb;
	long	      status = 0;
	enum rn_err   err;
	int	      rc = RN_CLI_EXIT_FAIL;

	rn_buf_init(b, max);
	rn_buf_init(&eb, 4096);
	err = cli_request(c, "GET", target, NULL, 0, to_buf, b, &status, &eb);
	if (err == RN_ERR_TOOBIG)
		cli_fail("GET %s: the answer is larger than %zu bytes", target, max);
	else if (err != RN_OK && err != RN_ERR_IO)
		cli_fail("GET %s: %s", target, rn_err_str(err));
	else if (err == RN_OK && status != 200)
		report("GET", target, status, &eb);
	else if (err == RN_OK)
		rc = RN_CLI_EXIT_OK;
	rn_buf_free(&eb);
	return rc;
}

int
coll_upload(struct cli_conn *c, const char *target, const struct rn_buf *bundle, long *status,
    struct cli_json **out)
{
	struct rn_buf b, eb;
	enum rn_err   err;
	int	      rc = RN_CLI_EXIT_FAIL;

	*out = NULL;
	rn_buf_init(&b, RN_EDITOR_MAX_ANSWER);
	rn_buf_init(&eb, 8192);
	err = cli_request(c, "POST", target, bundle->data, bundle->len, to_buf, &b, status, &eb);
	if (err != RN_OK && err != RN_ERR_IO)
		cli_fail("POST %s: %s", target, rn_err_str(err));
	if (err != RN_OK)
		goto out;
	if (*status != 201 && *status != 202) {
		report("POST", target, *status, &eb);
		goto out;
	}
	if (cli_json_parse(b.data != NULL ? b.data : "", b.len, out) != RN_OK ||
	    (*out)->type != CLI_JSON_OBJ) {
		cli_json_free(*out);
		*out = NULL;
		cli_fail("POST %s: the answer is not a JSON object", target);
		goto out;
	}
	rc = RN_CLI_EXIT_OK;
out:
	rn_buf_free(&b);
	rn_buf_free(&eb);
	return rc;
}

/* ---- pull ---- */

/* Announce the purges the stream's records name (see rn_coll_verifier_expect_purge). */
static int
announce_purges(struct coll_replica *r, const struct coll_stream *s)
{
	struct rn_coll_record *recs = calloc(RN_COLL_MAX_RECORDS, sizeof(*recs));
	size_t		       i, j, n;
	int		       rc = RN_CLI_EXIT_OK;

	if (recs == NULL)
		return cli_fail("out of memory");
	for (i = 0; i < s->ncommits && rc == 0; i++) {
		if (coll_records_decode(s->commits[i].rec, s->commits[i].rec_len, recs,
			RN_COLL_MAX_RECORDS, &n) != RN_OK) {
			rc = cli_fail("commit %llu: its records do not decode",
			    (unsigned long long)s->commits[i].c.seq);
			break;
		}
		for (j = 0; j < n && rc == 0; j++)
			if (recs[j].op == RN_COLL_OP_PURGE &&
			    rn_coll_verifier_expect_purge(r->v, recs[j].doc) != RN_OK)
				rc = cli_fail("too many purges");
	}
	free(recs);
	return rc;
}

/* Add the stream's ROOTs of versions up to `upto` that the replica lacks. */
static int
roots_upto(struct coll_replica *r, const struct coll_stream *s, uint64_t upto, const char *pin)
{
	size_t i;
	int    rc;

	for (i = 0; i < s->nroots && s->root_version[i] <= upto; i++) {
		const struct rn_coll_state *st = rn_coll_verifier_state(r->v);
		char			    hex[RN_COLL_HEX_LEN + 1];

		if (s->root_version[i] <= st->root_version)
			continue;
		if ((rc = coll_replica_add_root(r, s->root[i], s->root_len[i])) != 0)
			return rc;
		rn_coll_id_format(st->collection, hex);
		if (s->root_version[i] != 1)
			continue;
		if (pin != NULL && strcmp(pin, hex) != 0)
			return cli_fail("the server's collection is %s, not the %s you pinned: "
					"the replica in %s now holds it, remove it",
			    hex, pin, r->dir);
		if (pin == NULL)
			fprintf(stderr,
			    "roneo: trusting collection %s on first use (pin it with "
			    "--collection)\n",
			    hex);
	}
	return RN_CLI_EXIT_OK;
}

static int
apply_stream(struct coll_replica *r, const struct coll_stream *s, const char *pin, size_t *pulled)
{
	size_t i;
	int    rc;

	if (!coll_replica_has_root(r) && (s->nroots == 0 || s->root_version[0] != 1))
		return cli_fail("the server sent no ROOT 1 to start the replica from");
	if ((rc = announce_purges(r, s)) != 0)
		return rc;
	for (i = 0; i < s->ncommits; i++) {
		const struct coll_commit_in *ci = &s->commits[i];

		if (ci->c.seq <= rn_coll_verifier_state(r->v)->seq)
			continue;
		if ((rc = roots_upto(r, s, ci->c.root_version, pin)) != 0 ||
		    (rc = coll_replica_add_commit(
			 r, ci->stmt, ci->stmt_len, ci->rec, ci->rec_len, ci->objs)) != 0)
			return rc;
		(*pulled)++;
	}
	return roots_upto(r, s, UINT64_MAX, pin);
}

int
coll_pull(struct cli_conn *c, struct coll_replica *r, const char *pin, size_t *pulled)
{
	struct coll_stream s;
	struct rn_buf	   b;
	char		   target[96], why[160];
	int		   rc;

	*pulled = 0;
	snprintf(target, sizeof(target), "/editor/v1/collection/bundle?since=%llu",
	    (unsigned long long)rn_coll_verifier_state(r->v)->seq);
	if ((rc = coll_get(c, target, &b, RN_KEEPER_MAX_EXPORT)) != 0)
		goto out;
	if (b.len == 0 && coll_replica_has_root(r))
		goto out;
	if (coll_stream_decode((const uint8_t *)b.data, b.len, &s, why, sizeof(why)) != RN_OK) {
		rc = cli_fail("the server's bundle is malformed: %s", why);
		goto out;
	}
	rc = apply_stream(r, &s, pin, pulled);
	coll_stream_free(&s);
out:
	rn_buf_free(&b);
	return rc;
}

/* ---- uploading a commit ---- */

int
coll_print_answer(const struct cli_json *j, long status, const uint8_t id[RN_COLL_ID_LEN],
    unsigned needed, bool json)
{
	const struct cli_json *seq = cli_json_get(j, "seq"), *k = cli_json_get(j, "signatures");
	const struct cli_json *t = cli_json_get(j, "needed");
	char		       hex[RN_COLL_HEX_LEN + 1];
	long long	       have = k != NULL && k->type == CLI_JSON_INT ? (long long)k->num : -1;
	long long	       need =
		 t != NULL && t->type == CLI_JSON_INT ? (long long)t->num : (long long)needed;

	rn_coll_id_format(id, hex);
	if (status == 201) {
		if (seq == NULL || seq->type != CLI_JSON_INT)
			return cli_fail("the server's answer has no seq");
		if (json)
			printf("{\"state\":\"applied\",\"seq\":%lld,\"commit\":\"%s\"}\n",
			    (long long)seq->num, hex);
		else
			printf("applied: seq %lld, commit %s\n", (long long)seq->num, hex);
		return RN_CLI_EXIT_OK;
	}
	if (json)
		printf("{\"state\":\"pending\",\"commit\":\"%s\",\"signatures\":%lld,"
		       "\"needed\":%lld}\n",
		    hex, have, need);
	else
		printf("pending: commit %s has %lld of the %lld signatures it needs;\n"
		       "the other editors sign it with: roneo sign %s\n",
		    hex, have, need, hex);
	return RN_CLI_EXIT_OK;
}

int
coll_submit_commit(struct cli_conn *c, struct coll_replica *r, const struct coll_opts *o,
    const struct rn_buf *stmt, const struct rn_buf *rec, uint8_t (*ids)[RN_COLL_ID_LEN],
    size_t nids, unsigned needed)
{
	struct rn_coll_commit cm;
	struct rn_coll_sigs  *sigs = malloc(sizeof(*sigs));
	struct cli_json	     *j = NULL;
	struct rn_buf	      b;
	long		      status = 0;
	int		      rc = RN_CLI_EXIT_FAIL;

	rn_buf_init(&b, RN_COLL_MAX_BUNDLE);
	if (sigs == NULL ||
	    rn_coll_commit_parse((const uint8_t *)stmt->data, stmt->len, &cm, sigs) != RN_OK) {
		cli_fail("cannot read back the commit");
		goto out;
	}
	if (coll_bundle_commit(&b, r->store, stmt, rec, ids, nids) != RN_OK) {
		cli_fail("cannot build the bundle (at most %u bytes)", RN_COLL_MAX_BUNDLE);
		goto out;
	}
	if ((rc = coll_upload(c, "/editor/v1/collection/bundle", &b, &status, &j)) != 0)
		goto out;
	if (status == 201 && rn_coll_verifier_add_commit(r->v, (const uint8_t *)stmt->data,
				 stmt->len, (const uint8_t *)rec->data, rec->len, NULL) == RN_OK) {
		if ((rc = coll_replica_keep(r, false, cm.seq, stmt->data, stmt->len)) != 0 ||
		    (rc = coll_replica_save(r)) != 0)
			goto out;
	} else if (status == 201) {
		size_t pulled;

		/* Applied by the server, not taken here: the replica pulls what the server has. */
		if ((rc = coll_pull(c, r, NULL, &pulled)) != 0)
			goto out;
	}
	rc = coll_print_answer(j, status, cm.id, needed, o->json);
out:
	cli_json_free(j);
	rn_buf_free(&b);
	free(sigs);
	return rc;
}

int
coll_sync_first(const struct coll_opts *o, struct coll_replica *r, struct cli_conn *c,
    struct rn_editor_secret **sk)
{
	size_t pulled;
	int    rc;

	if ((rc = coll_connect(o, c, sk)) != 0 || (rc = coll_pull(c, r, o->pin, &pulled)) != 0)
		return rc;
	if (!coll_replica_has_root(r))
		return cli_fail("the server's collection has no ROOT yet: roneo init first");
	return RN_CLI_EXIT_OK;
}
