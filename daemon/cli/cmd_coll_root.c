/*
 * ROOT statements: roneo init (ROOT 1) and roneo rotate (ROOT N+1), and
 * signing a ROOT passed around as a file (roneo sign FILE).  A ROOT that
 * still needs signatures is written to a file for the other editors; once
 * the threshold of the ROOT it follows and its own is met, it is uploaded and
 * added to the replica.
 *
 *   roneo init --editor PUB:AGE[:LABEL]... [--threshold POLICY=N]...
 *              [--expires-days N] [-o FILE]
 *   roneo rotate --editor PUB:AGE[:LABEL]... [--threshold POLICY=N]... [...]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cmd_coll.h"

#define DEFAULT_EXPIRY_DAYS 730u

static int
cmp_editor(const void *a, const void *b)
{
	return memcmp(((const struct rn_coll_editor *)a)->pub,
	    ((const struct rn_coll_editor *)b)->pub, RN_ED25519_PUB_LEN);
}

/* PUB: a minisign public key ("RW...") or the path of a minisign .pub file. */
static int
parse_pub(const char *s, size_t n, uint8_t pub[RN_ED25519_PUB_LEN])
{
	uint8_t	      keyid[RN_MINISIGN_KEYID_LEN];
	char	      path[RN_CLI_PATH_MAX];
	struct rn_buf b;
	const char   *line;
	int	      rc = RN_CLI_EXIT_FAIL;

	if (rn_minisign_pub_parse(s, n, keyid, pub) == RN_OK)
		return RN_CLI_EXIT_OK;
	if (n >= sizeof(path))
		return cli_fail("--editor: a key or file name too long");
	memcpy(path, s, n);
	path[n] = '\0';
	rn_buf_init(&b, RN_EDITOR_MAX_KEY_FILE);
	if (rn_file_read_all(path, RN_EDITOR_MAX_KEY_FILE, &b) != RN_OK) {
		cli_fail("--editor: %s is neither a minisign public key nor a readable file", path);
		goto out;
	}
	line = memchr(b.data, '\n', b.len);
	if (line != NULL &&
	    rn_minisign_pub_parse(line + 1, strcspn(line + 1, "\n"), keyid, pub) == RN_OK)
		rc = RN_CLI_EXIT_OK;
	else
		cli_fail("--editor: %s is not a minisign public key file", path);
out:
	rn_buf_free(&b);
	return rc;
}

/* PUB:AGE[:LABEL] into e; idx names a default label. */
static int
parse_editor(const char *arg, size_t idx, struct rn_coll_editor *e)
{
	const char *c1 = strchr(arg, ':'), *c2;
	size_t	    alen;
	int	    rc;

	memset(e, 0, sizeof(*e));
	if (c1 == NULL)
		return cli_fail("--editor takes PUB:AGE[:LABEL] (got %s)", arg);
	if ((rc = parse_pub(arg, (size_t)(c1 - arg), e->pub)) != 0)
		return rc;
	c2 = strchr(c1 + 1, ':');
	alen = c2 != NULL ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1);
	if (rn_age_recipient_parse(c1 + 1, alen, &e->age) != RN_OK)
		return cli_fail(
		    "--editor: %.*s is not an age recipient (age1...)", (int)alen, c1 + 1);
	if (c2 == NULL)
		snprintf(e->label, sizeof(e->label), "editor-%zu", idx + 1);
	else if (strlen(c2 + 1) > RN_COLL_MAX_LABEL || !rn_coll_docid_valid(c2 + 1, strlen(c2 + 1)))
		return cli_fail("--editor: a label is 1 to %u of [a-z0-9-] (got %s)",
		    RN_COLL_MAX_LABEL, c2 + 1);
	else
		snprintf(e->label, sizeof(e->label), "%s", c2 + 1);
	return RN_CLI_EXIT_OK;
}

static int
parse_editors(const struct coll_opts *o, struct rn_coll_root *root)
{
	size_t i;
	int    rc;

	if (o->nedit == 0)
		return cli_fail("give the editors: --editor PUB:AGE[:LABEL] for each");
	if (o->nedit > RN_COLL_MAX_EDITORS)
		return cli_fail("at most %u editors", RN_COLL_MAX_EDITORS);
	for (i = 0; i < o->nedit; i++)
		if ((rc = parse_editor(o->edit[i], i, &root->editors[i])) != 0)
			return rc;
	root->neditors = o->nedit;
	qsort(root->editors, root->neditors, sizeof(root->editors[0]), cmp_editor);
	for (i = 1; i < root->neditors; i++)
		if (memcmp(root->editors[i - 1].pub, root->editors[i].pub, 32) == 0)
			return cli_fail("an editor's key is given twice");
	return RN_CLI_EXIT_OK;
}

/* --threshold POLICY=N; set[] marks those given. */
static int
parse_thresholds(const struct coll_opts *o, struct rn_coll_root *root, bool *set)
{
	static const char *const alias[RN_COLL_POL__COUNT] = { "bulletins", "tactics", "conflicts",
		"retract", "purge", "root" };
	size_t			 i;
	unsigned		 p;

	for (i = 0; i < o->nthr; i++) {
		const char *eq = strchr(o->thr[i], '=');
		size_t	    kl = eq != NULL ? (size_t)(eq - o->thr[i]) : 0;
		uint64_t    v;

		for (p = 0; eq != NULL && p < RN_COLL_POL__COUNT; p++) {
			const char *name = rn_coll_policy_name((enum rn_coll_policy)p);

			if ((strlen(name) == kl && memcmp(name, o->thr[i], kl) == 0) ||
			    (strlen(alias[p]) == kl && memcmp(alias[p], o->thr[i], kl) == 0))
				break;
		}
		if (eq == NULL || p == RN_COLL_POL__COUNT ||
		    rn_parse_u64(eq + 1, strlen(eq + 1), RN_COLL_MAX_EDITORS, &v) != RN_OK ||
		    v == 0)
			return cli_fail("--threshold takes POLICY=N, POLICY one of bulletins, "
					"tactics, conflicts, retract, purge, root (got %s)",
			    o->thr[i]);
		root->threshold[p] = (unsigned)v;
		set[p] = true;
	}
	for (p = 0; p < RN_COLL_POL__COUNT; p++)
		if (root->threshold[p] > root->neditors) {
			if (set[p])
				return cli_fail("the %s threshold is %u but there are %zu editors",
				    rn_coll_policy_name((enum rn_coll_policy)p), root->threshold[p],
				    root->neditors);
			root->threshold[p] = (unsigned)root->neditors;
		}
	return RN_CLI_EXIT_OK;
}

/* Signers of sigs that are editors of r, counted once each. */
static unsigned
count_in(const struct rn_coll_root *r, const struct rn_coll_sigs *sigs)
{
	uint8_t(*keys)[RN_ED25519_PUB_LEN] = calloc(RN_COLL_MAX_EDITORS, RN_ED25519_PUB_LEN);
	unsigned n;
	size_t	 i;

	if (keys == NULL)
		return 0;
	for (i = 0; i < r->neditors; i++)
		memcpy(keys[i], r->editors[i].pub, RN_ED25519_PUB_LEN);
	n = rn_coll_stmt_count(sigs, (const uint8_t(*)[RN_ED25519_PUB_LEN])keys, r->neditors);
	free(keys);
	return n;
}

static void
print_root(const struct rn_coll_root *r, const struct rn_coll_root *old)
{
	char   hex[RN_COLL_HEX_LEN + 1], age[RN_AGE_RECIPIENT_BUFSZ];
	size_t i;
	int    p;

	printf("ROOT %llu, expires %llu\n", (unsigned long long)r->version,
	    (unsigned long long)r->expires);
	for (i = 0; i < r->neditors; i++) {
		rn_coll_id_format(r->editors[i].pub, hex);
		rn_age_recipient_format(&r->editors[i].age, age, sizeof(age));
		printf("  editor %-16s %.16s... %s%s\n", r->editors[i].label, hex, age,
		    old != NULL && !rn_coll_root_is_editor(old, r->editors[i].pub) ? "  (new)" :
										     "");
	}
	for (i = 0; old != NULL && i < old->neditors; i++)
		if (!rn_coll_root_is_editor(r, old->editors[i].pub))
			printf("  editor %-16s (leaves)\n", old->editors[i].label);
	printf("  thresholds:");
	for (p = 0; p < RN_COLL_POL__COUNT; p++)
		printf(" %s %u%s", rn_coll_policy_name((enum rn_coll_policy)p), r->threshold[p],
		    old != NULL && old->threshold[p] != r->threshold[p] ? " (changed)" : "");
	printf("\n");
}

/* POST a complete ROOT, then add it to the replica. */
static int
upload_root(const struct coll_opts *o, struct coll_replica *r, struct cli_conn *c,
    const struct rn_buf *stmt, uint64_t version)
{
	struct cli_json *j = NULL;
	struct rn_buf	 b;
	long		 status = 0;
	char		 hex[RN_COLL_HEX_LEN + 1];
	int		 rc = RN_CLI_EXIT_FAIL;

	rn_buf_init(&b, RN_COLL_MAX_BUNDLE);
	if (coll_bundle_root(&b, stmt) != RN_OK) {
		cli_fail("cannot build the bundle");
		goto out;
	}
	if ((rc = coll_upload(c, "/editor/v1/collection/bundle", &b, &status, &j)) != 0)
		goto out;
	if (status != 201) {
		rc = cli_fail("the server did not apply ROOT %llu (status %ld)",
		    (unsigned long long)version, status);
		goto out;
	}
	if ((rc = coll_replica_add_root(r, (const uint8_t *)stmt->data, stmt->len)) != 0)
		goto out;
	rn_coll_id_format(rn_coll_verifier_state(r->v)->collection, hex);
	if (o->json)
		printf("{\"state\":\"applied\",\"root_version\":%llu,\"collection\":\"%s\"}\n",
		    (unsigned long long)version, hex);
	else
		printf("applied: ROOT %llu of collection %s\n", (unsigned long long)version, hex);
out:
	cli_json_free(j);
	rn_buf_free(&b);
	return rc;
}

/* A ROOT short of signatures goes to a file for the others. */
static int
write_pending_root(const struct coll_opts *o, const char *file, const struct rn_buf *stmt,
    uint64_t version, unsigned have, unsigned need)
{
	char def[64];

	if (file == NULL) {
		snprintf(def, sizeof(def), "root-%llu.txt", (unsigned long long)version);
		file = def;
	}
	if (rn_file_write_atomic(file, stmt->data, stmt->len, 0644) != RN_OK)
		return cli_fail("cannot write %s: %s", file, strerror(errno));
	if (o->json)
		printf("{\"state\":\"pending\",\"root_version\":%llu,\"file\":",
		    (unsigned long long)version);
	else
		printf("pending: ROOT %llu has %u of the %u signatures it needs; pass %s to the "
		       "other editors:\n  roneo sign %s\n",
		    (unsigned long long)version, have, need, file, file);
	if (o->json) {
		struct rn_buf b;

		rn_buf_init(&b, RN_CLI_PATH_MAX * 2);
		cli_json_str(&b, file, strlen(file));
		printf("%s,\"signatures\":%u,\"needed\":%u}\n", b.data, have, need);
		rn_buf_free(&b);
	}
	return RN_CLI_EXIT_OK;
}

/*
 * A signed ROOT statement: upload it when complete, else write it to file.
 * old: the ROOT it follows (NULL for ROOT 1).
 */
static int
root_complete_or_file(const struct coll_opts *o, struct coll_replica *r, struct cli_conn *c,
    const struct rn_buf *stmt, const char *file)
{
	const struct rn_coll_root *old = rn_coll_verifier_root(r->v);
	struct rn_coll_root	  *nr = malloc(sizeof(*nr));
	struct rn_coll_sigs	  *sigs = malloc(sizeof(*sigs));
	unsigned		   have_new, have_old = 0, need_old = 0;
	int			   rc = RN_CLI_EXIT_FAIL;

	if (nr == NULL || sigs == NULL) {
		cli_fail("out of memory");
		goto out;
	}
	if (rn_coll_root_parse((const uint8_t *)stmt->data, stmt->len, nr, sigs) != RN_OK ||
	    rn_coll_stmt_verify_sigs((const uint8_t *)stmt->data, sigs) != RN_OK) {
		cli_fail("the ROOT statement does not verify");
		goto out;
	}
	have_new = count_in(nr, sigs);
	if (old != NULL) {
		have_old = count_in(old, sigs);
		need_old = old->threshold[RN_COLL_POL_ROOT];
	}
	if (have_new >= nr->threshold[RN_COLL_POL_ROOT] && have_old >= need_old)
		rc = upload_root(o, r, c, stmt, nr->version);
	else if (have_new < nr->threshold[RN_COLL_POL_ROOT])
		rc = write_pending_root(
		    o, file, stmt, nr->version, have_new, nr->threshold[RN_COLL_POL_ROOT]);
	else
		rc = write_pending_root(o, file, stmt, nr->version, have_old, need_old);
out:
	free(nr);
	free(sigs);
	return rc;
}

static int
sign_new_root(const struct coll_opts *o, struct coll_replica *r, struct cli_conn *c,
    const struct rn_editor_secret *sk, struct rn_coll_root *nr)
{
	struct rn_buf body, stmt;
	int	      rc = RN_CLI_EXIT_FAIL;

	rn_buf_init(&body, RN_COLL_MAX_STATEMENT);
	rn_buf_init(&stmt, RN_COLL_MAX_STATEMENT);
	if (!rn_coll_root_is_editor(nr, rn_editor_secret_pub(sk)) &&
	    (rn_coll_verifier_root(r->v) == NULL ||
		!rn_coll_root_is_editor(rn_coll_verifier_root(r->v), rn_editor_secret_pub(sk)))) {
		cli_fail("your key (%s/%s) is not among the editors", o->dir, RN_CLI_SIGN_PUB);
		goto out;
	}
	if (rn_coll_root_encode(nr, &body) != RN_OK) {
		cli_fail("the ROOT is not valid: keys must be valid and distinct, recipients "
			 "distinct, each threshold 1 to the number of editors");
		goto out;
	}
	if (!o->json)
		print_root(nr, rn_coll_verifier_root(r->v));
	if (coll_sign(sk, (const uint8_t *)body.data, body.len, &stmt) != RN_OK) {
		cli_fail("cannot sign the ROOT");
		goto out;
	}
	rc = o->dry_run ? write_pending_root(o, o->output, &stmt, nr->version, 1,
			      nr->threshold[RN_COLL_POL_ROOT]) :
			  root_complete_or_file(o, r, c, &stmt, o->output);
out:
	rn_buf_free(&body);
	rn_buf_free(&stmt);
	return rc;
}

int
rn_cli_init(int argc, char **argv)
{
	static const char	 usage[] = "--editor PUB:AGE[:LABEL]... [--threshold POLICY=N]... "
					   "[--expires-days N] [-o FILE] [--server URL] [--replica DIR]";
	struct coll_opts	 o;
	struct coll_replica	 r;
	struct rn_coll_root	*nr = NULL;
	struct rn_editor_secret *sk = NULL;
	struct cli_conn		 c;
	bool			 set[RN_COLL_POL__COUNT] = { false };
	int			 rc;

	if ((rc = coll_parse_opts("init", usage, argc, argv, &o)) != 0)
		return rc < 0 ? RN_CLI_EXIT_OK : rc;
	if (o.argc != 0)
		return cli_fail("usage: roneo init %s", usage) + 1;
	if ((rc = coll_replica_open(o.rdir, &r)) != 0)
		return rc;
	if (coll_replica_has_root(&r)) {
		rc = cli_fail(
		    "the replica %s already holds a collection (use --replica DIR)", o.rdir);
		goto out;
	}
	if ((nr = calloc(1, sizeof(*nr))) == NULL) {
		rc = cli_fail("out of memory");
		goto out;
	}
	rn_coll_root_defaults(nr);
	nr->version = 1;
	nr->expires =
	    (uint64_t)time(NULL) + (o.expires_days ? o.expires_days : DEFAULT_EXPIRY_DAYS) * 86400u;
	if ((rc = parse_editors(&o, nr)) != 0 || (rc = parse_thresholds(&o, nr, set)) != 0 ||
	    (rc = coll_connect(&o, &c, &sk)) != 0)
		goto out;
	rc = sign_new_root(&o, &r, &c, sk, nr);
out:
	rn_editor_secret_free(sk);
	free(nr);
	coll_replica_close(&r);
	return rc;
}

int
rn_cli_rotate(int argc, char **argv)
{
	static const char	 usage[] = "--editor PUB:AGE[:LABEL]... [--threshold POLICY=N]... "
					   "[--expires-days N] [-o FILE] [--server URL] [--replica DIR]";
	struct coll_opts	 o;
	struct coll_replica	 r;
	struct rn_coll_root	*nr = NULL;
	struct rn_editor_secret *sk = NULL;
	struct cli_conn		 c;
	const struct rn_coll_root *old;
	bool			   set[RN_COLL_POL__COUNT] = { false };
	int			   rc;

	if ((rc = coll_parse_opts("rotate", usage, argc, argv, &o)) != 0)
		return rc < 0 ? RN_CLI_EXIT_OK : rc;
	if (o.argc != 0)
		return cli_fail("usage: roneo rotate %s", usage) + 1;
	if ((rc = coll_replica_open(o.rdir, &r)) != 0)
		return rc;
	if ((rc = coll_sync_first(&o, &r, &c, &sk)) != 0)
		goto out;
	old = rn_coll_verifier_root(r.v);
	if ((nr = malloc(sizeof(*nr))) == NULL) {
		rc = cli_fail("out of memory");
		goto out;
	}
	*nr = *old;
	nr->version = old->version + 1;
	memcpy(nr->collection, rn_coll_root_collection(old), RN_COLL_ID_LEN);
	memcpy(nr->previous, old->id, RN_COLL_ID_LEN);
	nr->expires =
	    (uint64_t)time(NULL) + (o.expires_days ? o.expires_days : DEFAULT_EXPIRY_DAYS) * 86400u;
	if ((rc = parse_editors(&o, nr)) != 0 || (rc = parse_thresholds(&o, nr, set)) != 0)
		goto out;
	rc = sign_new_root(&o, &r, &c, sk, nr);
out:
	rn_editor_secret_free(sk);
	free(nr);
	coll_replica_close(&r);
	return rc;
}

/* roneo sign FILE: add a signature to a ROOT statement circulating as a file. */
int
coll_sign_root_file(const struct coll_opts *o, struct coll_replica *r, const char *file)
{
	struct rn_editor_secret *sk = NULL;
	struct rn_coll_root	*nr = malloc(sizeof(*nr));
	struct rn_coll_sigs	*sigs = malloc(sizeof(*sigs));
	struct cli_conn		 c;
	struct rn_buf		 in, stmt;
	enum rn_err		 err;
	int			 rc = RN_CLI_EXIT_FAIL;

	rn_buf_init(&in, RN_COLL_MAX_STATEMENT);
	rn_buf_init(&stmt, RN_COLL_MAX_STATEMENT);
	if (nr == NULL || sigs == NULL)
		goto out;
	if (rn_file_read_all(file, RN_COLL_MAX_STATEMENT, &in) != RN_OK ||
	    rn_coll_root_parse((const uint8_t *)in.data, in.len, nr, sigs) != RN_OK ||
	    rn_coll_stmt_verify_sigs((const uint8_t *)in.data, sigs) != RN_OK) {
		cli_fail("%s is not a validly signed ROOT statement", file);
		goto out;
	}
	if (nr->version != rn_coll_verifier_state(r->v)->root_version + 1) {
		cli_fail("%s is ROOT %llu; the replica is at ROOT %llu%s", file,
		    (unsigned long long)nr->version,
		    (unsigned long long)rn_coll_verifier_state(r->v)->root_version,
		    nr->version > 1 ? " (roneo pull first?)" : "");
		goto out;
	}
	if ((rc = coll_connect(o, &c, &sk)) != 0)
		goto out;
	if (!o->json)
		print_root(nr, rn_coll_verifier_root(r->v));
	err = coll_sign(sk, (const uint8_t *)in.data, in.len, &stmt);
	if (err == RN_ERR_EXISTS)
		rn_buf_append(&stmt, in.data, in.len);
	else if (err != RN_OK) {
		rc = cli_fail("cannot sign %s", file);
		goto out;
	}
	rc = root_complete_or_file(o, r, &c, &stmt, file);
out:
	rn_editor_secret_free(sk);
	rn_buf_free(&in);
	rn_buf_free(&stmt);
	free(nr);
	free(sigs);
	return rc;
}
