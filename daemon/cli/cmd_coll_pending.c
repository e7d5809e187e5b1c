/*
 * roneo pending [--json]: the commits the server keeps until enough editors
 * signed them, each checked against the replica and shown with what it
 * changes.
 * roneo sign COMMIT: fetch that pending commit, check it against the
 * replica exactly as the verifier would (all but the count of signers), show
 * what it changes, add a signature, send it back.
 * roneo sign FILE: the same for a ROOT statement passed around as a file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cmd_coll.h"

/* GET the pending bundle of hex into *s (which must hold exactly that commit). */
static int
fetch_pending(struct cli_conn *c, const char *hex, struct rn_buf *raw, struct coll_stream *s)
{
	char target[128], why[160], got[RN_COLL_HEX_LEN + 1];
	int  rc;

	snprintf(target, sizeof(target), "/editor/v1/collection/pending/%s", hex);
	memset(s, 0, sizeof(*s));
	if ((rc = coll_get(c, target, raw, RN_COLL_MAX_BUNDLE)) != 0)
		return rc;
	if (coll_stream_decode((const uint8_t *)raw->data, raw->len, s, why, sizeof(why)) != RN_OK)
		return cli_fail("the server's pending bundle is malformed: %s", why);
	if (s->ncommits != 1 || s->nroots != 0)
		return cli_fail("the server's pending bundle does not hold one commit");
	rn_coll_id_format(s->commits[0].c.id, got);
	if (strcmp(got, hex) != 0)
		return cli_fail("the server sent commit %s for %s", got, hex);
	return RN_CLI_EXIT_OK;
}

/* The signers' names as a list into out. */
static void
signers(struct coll_replica *r, const struct coll_commit_in *ci, bool json, struct rn_buf *out)
{
	struct rn_coll_sigs  *sigs = malloc(sizeof(*sigs));
	struct rn_coll_commit c;
	char		      name[80];
	size_t		      i;

	if (sigs == NULL || rn_coll_commit_parse(ci->stmt, ci->stmt_len, &c, sigs) != RN_OK) {
		free(sigs);
		return;
	}
	for (i = 0; i < sigs->n; i++) {
		coll_signer_name(rn_coll_verifier_root(r->v), sigs->s[i].pub, name, sizeof(name));
		rn_buf_printf(out, json ? "%s\"%s\"" : "%s%s", i ? (json ? "," : ", ") : "", name);
	}
	free(sigs);
}

static int
show_one(struct cli_conn *c, struct coll_replica *r, const char *hex, bool json, struct rn_buf *out)
{
	struct coll_stream s;
	struct rn_buf	   raw, what;
	unsigned	   have = 0, needed = 0;
	int		   rc;

	rn_buf_init(&what, RN_EDITOR_MAX_ANSWER);
	if ((rc = fetch_pending(c, hex, &raw, &s)) != 0)
		goto out;
	if (json) {
		rn_buf_printf(out, "{\"commit\":\"%s\",\"seq\":%llu,\"signers\":[", hex,
		    (unsigned long long)s.commits[0].c.seq);
		signers(r, &s.commits[0], true, out);
		rn_buf_puts(out, "],");
	}
	rc = coll_check_commit(r, &s.commits[0], &have, &needed, json, &what);
	if (json) {
		rn_buf_printf(out,
		    "\"applicable\":%s,\"signatures\":%u,\"needed\":%u,"
		    "\"changes\":%s}",
		    rc == 0 ? "true" : "false", have, needed, rc == 0 ? what.data : "null");
	} else {
		rn_buf_printf(
		    out, "commit %s  seq %llu  ", hex, (unsigned long long)s.commits[0].c.seq);
		if (rc == 0)
			rn_buf_printf(
			    out, "%u of %u signatures\n%s  signed by ", have, needed, what.data);
		else
			rn_buf_puts(
			    out, "cannot be applied to this replica (see above)\n  signed by ");
		signers(r, &s.commits[0], false, out);
		rn_buf_puts(out, "\n\n");
	}
	rc = RN_CLI_EXIT_OK;
out:
	coll_stream_free(&s);
	rn_buf_free(&raw);
	rn_buf_free(&what);
	return rc;
}

static bool
is_hex_id(const char *s)
{
	uint8_t id[RN_COLL_ID_LEN];

	return s != NULL && rn_coll_id_parse(s, strlen(s), id) == RN_OK;
}

static int
list_pending(struct cli_conn *c, struct coll_replica *r, bool json)
{
	const struct cli_json *list;
	struct cli_json	      *j = NULL;
	struct rn_buf	       out;
	size_t		       i;
	int		       rc;

	if ((rc = cli_request_json(c, "GET", "/editor/v1/collection/pending", NULL, 0, 200, &j)) !=
	    0)
		return rc;
	list = cli_json_get(j, "pending");
	if (list == NULL || list->type != CLI_JSON_ARR) {
		cli_json_free(j);
		return cli_fail("the server's answer has no pending list");
	}
	rn_buf_init(&out, RN_KEEPER_MAX_EXPORT);
	rn_buf_puts(&out, json ? "{\"pending\":[" : "");
	for (i = 0; i < list->nkids && rc == 0; i++) {
		const char *hex = cli_json_str_of(&list->kids[i], "commit");

		if (!is_hex_id(hex)) {
			rc = cli_fail("the server's list has a malformed entry (%zu)", i);
			break;
		}
		if (json && i > 0)
			rn_buf_puts(&out, ",");
		rc = show_one(c, r, hex, json, &out);
	}
	if (json)
		rn_buf_puts(&out, "]}\n");
	else if (list->nkids == 0)
		rn_buf_puts(&out, "No commits are waiting for signatures.\n");
	if (rc == 0)
		fputs(out.data != NULL ? out.data : "", stdout);
	rn_buf_free(&out);
	cli_json_free(j);
	return rc;
}

int
rn_cli_pending(int argc, char **argv)
{
	static const char   usage[] = "[--json] [--server URL] [--identity DIR] [--replica DIR]";
	struct coll_opts    o;
	struct coll_replica r;
	struct rn_editor_secret *sk = NULL;
	struct cli_conn		 c;
	int			 rc;

	if ((rc = coll_parse_opts("pending", usage, argc, argv, &o)) != 0)
		return rc < 0 ? RN_CLI_EXIT_OK : rc;
	if (o.argc != 0)
		return cli_fail("usage: roneo pending %s", usage) + 1;
	if ((rc = coll_replica_open(o.rdir, &r)) != 0)
		return rc;
	if ((rc = coll_sync_first(&o, &r, &c, &sk)) == 0)
		rc = list_pending(&c, &r, o.json);
	rn_editor_secret_free(sk);
	coll_replica_close(&r);
	return rc;
}

/* ---- roneo sign ---- */

/* After the server applied it: the replica takes it, or pulls what the server has. */
static int
catch_up(struct cli_conn *c, struct coll_replica *r, const struct rn_buf *stmt,
    const struct coll_commit_in *ci)
{
	size_t pulled;

	if (rn_coll_verifier_add_commit(r->v, (const uint8_t *)stmt->data, stmt->len, ci->rec,
		ci->rec_len, ci->objs) == RN_OK) {
		if (coll_replica_keep(r, false, ci->c.seq, stmt->data, stmt->len) != 0)
			return RN_CLI_EXIT_FAIL;
		return coll_replica_save(r);
	}
	return coll_pull(c, r, NULL, &pulled);
}

static int
sign_commit(const struct coll_opts *o, struct coll_replica *r, struct cli_conn *c,
    const struct rn_editor_secret *sk, const char *hex)
{
	struct coll_stream s;
	struct cli_json	  *j = NULL;
	struct rn_buf	   raw, what, stmt;
	char		   target[160];
	unsigned	   have = 0, needed = 0;
	long		   status = 0;
	enum rn_err	   err;
	int		   rc;

	rn_buf_init(&what, RN_EDITOR_MAX_ANSWER);
	rn_buf_init(&stmt, RN_COLL_MAX_STATEMENT);
	if ((rc = fetch_pending(c, hex, &raw, &s)) != 0 ||
	    (rc = coll_check_commit(r, &s.commits[0], &have, &needed, false, &what)) != 0)
		goto out;
	if (!o->json)
		printf("commit %llu (%s) changes:\n%sIt has %u of the %u signatures it needs.\n",
		    (unsigned long long)s.commits[0].c.seq, hex, what.data, have, needed);
	err = coll_sign(sk, s.commits[0].stmt, s.commits[0].stmt_len, &stmt);
	if (err == RN_ERR_EXISTS) {
		rc = cli_fail("you signed commit %s already; it needs another editor", hex);
		goto out;
	}
	if (err != RN_OK || o->dry_run) {
		rc = err != RN_OK ? cli_fail("cannot sign the commit") : RN_CLI_EXIT_OK;
		goto out;
	}
	snprintf(target, sizeof(target), "/editor/v1/collection/pending/%s/sign", hex);
	if ((rc = coll_upload(c, target, &stmt, &status, &j)) != 0)
		goto out;
	if (status == 201 && (rc = catch_up(c, r, &stmt, &s.commits[0])) != 0)
		goto out;
	rc = coll_print_answer(j, status, s.commits[0].c.id, needed, o->json);
out:
	cli_json_free(j);
	coll_stream_free(&s);
	rn_buf_free(&raw);
	rn_buf_free(&what);
	rn_buf_free(&stmt);
	return rc;
}

int
rn_cli_sign(int argc, char **argv)
{
	static const char	 usage[] = "COMMIT|FILE [--dry-run] [--json] [--server URL] "
					   "[--identity DIR] [--replica DIR]";
	struct coll_opts	 o;
	struct coll_replica	 r;
	struct rn_editor_secret *sk = NULL;
	struct cli_conn		 c;
	struct stat		 st;
	int			 rc;

	if ((rc = coll_parse_opts("sign", usage, argc, argv, &o)) != 0)
		return rc < 0 ? RN_CLI_EXIT_OK : rc;
	if (o.argc != 1)
		return cli_fail("usage: roneo sign %s", usage) + 1;
	if (!is_hex_id(o.argv[0]) && stat(o.argv[0], &st) != 0)
		return cli_fail("%s: neither a commit id (64 hex digits) nor a file", o.argv[0]);
	if ((rc = coll_replica_open(o.rdir, &r)) != 0)
		return rc;
	if (!is_hex_id(o.argv[0])) {
		size_t pulled;

		/* A ROOT: ROOT 1 before any collection exists, or the next one. */
		if (coll_replica_has_root(&r) && ((rc = coll_connect(&o, &c, &sk)) != 0 ||
						     (rc = coll_pull(&c, &r, o.pin, &pulled)) != 0))
			goto out;
		rc = coll_sign_root_file(&o, &r, o.argv[0]);
		goto out;
	}
	if ((rc = coll_sync_first(&o, &r, &c, &sk)) == 0)
		rc = sign_commit(&o, &r, &c, sk, o.argv[0]);
out:
	rn_editor_secret_free(sk);
	coll_replica_close(&r);
	return rc;
}
