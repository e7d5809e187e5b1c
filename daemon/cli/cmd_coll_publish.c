/*
 * roneo new SECTION [--id ID] [-o FILE]
 * roneo publish FILE [--attach F]... [--dry-run]
 * roneo retract ID --reason TEXT [--dry-run]
 * roneo purge ID --reason TEXT [--dry-run]
 *
 * Each change is built from the replica (pulled first), shown, signed with
 * the editor's key and uploaded; the server applies it or keeps it pending
 * until enough editors signed (roneo pending, roneo sign).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cmd_coll.h"
#include "roneo/rn_site.h"

/* ---- the objects a change brings, to send along ---- */

struct idlist {
	size_t n, cap;
	uint8_t (*ids)[RN_COLL_ID_LEN];
};

static enum rn_err
ids_add(struct idlist *l, const uint8_t id[RN_COLL_ID_LEN])
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		void  *p;

		if (cap > RN_COLL_MAX_BUNDLE_ENTRIES)
			return RN_ERR_TOOBIG;
		if ((p = realloc(l->ids, cap * RN_COLL_ID_LEN)) == NULL)
			return RN_ERR_NOMEM;
		l->ids = p;
		l->cap = cap;
	}
	memcpy(l->ids[l->n++], id, RN_COLL_ID_LEN);
	return RN_OK;
}

/* The objects content is made of: its blob, or its chunk list and chunks. */
static enum rn_err
ids_content(struct idlist *l, const struct rn_coll_store *s, const struct rn_coll_ref *ref)
{
	struct rn_coll_chunklist cl;
	struct rn_buf		 b;
	size_t			 i;
	enum rn_err		 err;

	if ((err = ids_add(l, ref->id)) != RN_OK || ref->type == RN_COLL_BLOB)
		return err;
	memset(&cl, 0, sizeof(cl));
	rn_buf_init(&b, RN_COLL_MAX_OBJECT);
	if ((err = rn_coll_store_get(s, ref->id, RN_COLL_CHUNKLIST, &b)) == RN_OK &&
	    (err = rn_coll_chunklist_decode((const uint8_t *)b.data, b.len, &cl)) == RN_OK)
		for (i = 0; i < cl.n && err == RN_OK; i++)
			err = ids_add(l, cl.ids[i]);
	rn_coll_chunklist_clear(&cl);
	rn_buf_free(&b);
	return err;
}

/* ---- commit, sign, show, send ---- */

static int
change(const struct coll_opts *o, struct coll_replica *r, struct cli_conn *c,
    const struct rn_editor_secret *sk, struct rn_coll_record *rec, struct idlist *ids)
{
	struct rn_coll_commit cm;
	struct rn_buf	      body, recs, stmt, what;
	unsigned	      needed = 0;
	char		      hex[RN_COLL_HEX_LEN + 1];
	int		      rc;

	rn_buf_init(&body, RN_COLL_MAX_STATEMENT);
	rn_buf_init(&recs, RN_COLL_MAX_BUNDLE);
	rn_buf_init(&stmt, RN_COLL_MAX_STATEMENT);
	rn_buf_init(&what, RN_EDITOR_MAX_ANSWER);
	if ((rc = coll_describe(r, rec, 1, NULL, NULL, false, &what, &needed)) != 0 ||
	    (rc = coll_build_commit(r, rec, 1, &body, &recs, &cm)) != 0)
		goto out;
	rc = RN_CLI_EXIT_FAIL;
	if (coll_sign(sk, (const uint8_t *)body.data, body.len, &stmt) != RN_OK) {
		cli_fail("cannot sign the commit");
		goto out;
	}
	rn_coll_id_format(cm.id, hex);
	if (!o->json)
		printf("commit %llu (%s) changes:\n%sIt needs %u editor signature%s; this is "
		       "one.\n",
		    (unsigned long long)cm.seq, hex, what.data, needed, needed == 1 ? "" : "s");
	if (o->dry_run) {
		if (o->json)
			printf("{\"state\":\"dry-run\",\"commit\":\"%s\",\"needed\":%u}\n", hex,
			    needed);
		rc = RN_CLI_EXIT_OK;
		goto out;
	}
	rc = coll_submit_commit(c, r, o, &stmt, &recs, ids->ids, ids->n, needed);
out:
	rn_buf_free(&body);
	rn_buf_free(&recs);
	rn_buf_free(&stmt);
	rn_buf_free(&what);
	return rc;
}

/* ---- roneo publish ---- */

static const char *
media_type(const char *name)
{
	static const char *const map[][2] = { { ".pdf", "application/pdf" },
		{ ".png", "image/png" }, { ".jpg", "image/jpeg" }, { ".jpeg", "image/jpeg" },
		{ ".gif", "image/gif" }, { ".webp", "image/webp" }, { ".txt", "text/plain" },
		{ ".md", "text/markdown" }, { ".csv", "text/csv" },
		{ ".odt", "application/vnd.oasis.opendocument.text" },
		{ ".epub", "application/epub+zip" }, { ".zip", "application/zip" },
		{ ".mp3", "audio/mpeg" }, { ".ogg", "audio/ogg" }, { ".opus", "audio/ogg" },
		{ ".mp4", "video/mp4" }, { ".webm", "video/webm" } };
	const char		*dot = strrchr(name, '.');
	size_t			 i;

	for (i = 0; dot != NULL && i < RN_ARRAY_LEN(map); i++)
		if (strlen(dot) == strlen(map[i][0]) &&
		    rn_ascii_casecmp_n(dot, map[i][0], strlen(dot)))
			return map[i][1];
	return "application/octet-stream";
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

static int
cmp_att(const void *a, const void *b)
{
	return strcmp(((const struct rn_coll_attachment *)a)->name,
	    ((const struct rn_coll_attachment *)b)->name);
}

/* The previous version's attachment of that name (to keep it without --attach). */
static bool
old_attachment(
    struct coll_replica *r, const char *docid, const char *name, struct rn_coll_attachment *out)
{
	struct rn_coll_doc  *d = malloc(sizeof(*d));
	struct rn_coll_entry e;
	struct rn_buf	     b;
	uint8_t		     key[RN_COLL_ID_LEN];
	size_t		     i;
	bool		     found = false;

	rn_buf_init(&b, RN_COLL_MAX_OBJECT);
	if (d != NULL && rn_coll_key(docid, strlen(docid), key) == RN_OK &&
	    rn_coll_trie_get(r->store, rn_coll_verifier_state(r->v)->manifest, key, &e) == RN_OK &&
	    rn_coll_store_get(r->store, e.doc, RN_COLL_DOC, &b) == RN_OK &&
	    rn_coll_doc_decode((const uint8_t *)b.data, b.len, d) == RN_OK)
		for (i = 0; i < d->natt && !found; i++)
			if (strcmp(d->att[i].name, name) == 0) {
				*out = d->att[i];
				found = true;
			}
	rn_buf_free(&b);
	free(d);
	return found;
}

static int
add_attachments(const struct coll_opts *o, struct coll_replica *r, const struct rn_site_doc *sd,
    struct rn_coll_doc *d)
{
	struct rn_buf b;
	size_t	      i, j;
	int	      rc = RN_CLI_EXIT_OK;

	for (j = 0; j < o->natt; j++) {
		for (i = 0; i < sd->attachments.n; i++)
			if (strcmp(sd->attachments.v[i], base_name(o->att[j])) == 0)
				break;
		if (i == sd->attachments.n)
			return cli_fail(
			    "--attach %s: the front matter's attachments do not list %s", o->att[j],
			    base_name(o->att[j]));
	}
	rn_buf_init(&b, RN_COLL_MAX_CONTENT);
	for (i = 0; i < sd->attachments.n && rc == 0; i++) {
		struct rn_coll_attachment *a = &d->att[d->natt];
		const char		  *name = sd->attachments.v[i];

		for (j = 0; j < o->natt && strcmp(base_name(o->att[j]), name) != 0; j++)
			;
		if (j == o->natt) {
			if (!old_attachment(r, sd->id, name, a))
				rc = cli_fail("the attachment %s is listed but not given: --attach "
					      "PATH/%s",
				    name, name);
			else
				d->natt++;
			continue;
		}
		rn_buf_free(&b); /* rn_file_read_all() re-inits it */
		memset(a, 0, sizeof(*a));
		snprintf(a->name, sizeof(a->name), "%s", name);
		snprintf(a->media, sizeof(a->media), "%s", media_type(name));
		if (rn_file_read_all(o->att[j], RN_COLL_MAX_CONTENT, &b) != RN_OK)
			rc = cli_fail("cannot read %s (at most %llu bytes)", o->att[j],
			    (unsigned long long)RN_COLL_MAX_CONTENT);
		else if (rn_coll_store_content(
			     r->store, b.data, b.len, RN_COLL_ATT_CHUNK_AT, &a->ref) != RN_OK)
			rc = cli_fail("cannot store %s", o->att[j]);
		else
			d->natt++;
	}
	rn_buf_free(&b);
	qsort(d->att, d->natt, sizeof(d->att[0]), cmp_att);
	return rc;
}

/* The DOC object of a parsed document, stored into the replica; *id gets its id. */
static int
make_doc(const struct coll_opts *o, struct coll_replica *r, const struct rn_site_doc *sd,
    const struct rn_buf *text, struct rn_coll_doc *d, uint8_t id[RN_COLL_ID_LEN])
{
	struct rn_buf b;
	int	      rc;

	memset(d, 0, sizeof(*d));
	if (!rn_coll_docid_valid(sd->id, strlen(sd->id)))
		return cli_fail("the id %s is not a valid document id", sd->id);
	if (sd->has_date && sd->date.utc < 0)
		return cli_fail("dates before 1970 cannot be published");
	snprintf(d->id, sizeof(d->id), "%s", sd->id);
	d->section = (enum rn_coll_section)(sd->section + 1);
	snprintf(d->title, sizeof(d->title), "%s", sd->title);
	d->date = sd->has_date ? (uint64_t)sd->date.utc : 0;
	snprintf(d->lang, sizeof(d->lang), "%s", sd->lang != NULL ? sd->lang : "en");
	if (rn_coll_store_content(
		r->store, text->data, text->len, RN_COLL_BODY_CHUNK_AT, &d->body) != RN_OK)
		return cli_fail("cannot store the document");
	if ((rc = add_attachments(o, r, sd, d)) != 0)
		return rc;
	rn_buf_init(&b, RN_COLL_MAX_OBJECT);
	rc = RN_CLI_EXIT_OK;
	if (rn_coll_doc_encode(d, &b) != RN_OK ||
	    rn_coll_store_put(r->store, RN_COLL_DOC, b.data, b.len, id) != RN_OK)
		rc = cli_fail("the document's metadata is not valid (title, language?)");
	rn_buf_free(&b);
	return rc;
}

/* Read and check a document: every publishing rule, errors with their line. */
static int
read_doc(const char *file, struct rn_buf *text, struct rn_site_doc **sd)
{
	struct rn_site_error e;
	enum rn_err	     err;

	rn_buf_init(text, RN_SITE_MAX_DOC);
	if (rn_file_read_all(file, RN_SITE_MAX_DOC, text) != RN_OK)
		return cli_fail("cannot read %s (at most %u bytes)", file, RN_SITE_MAX_DOC);
	memset(&e, 0, sizeof(e));
	err = rn_site_doc_parse(text->data, text->len, 0, sd, &e);
	if (err == RN_OK && (err = rn_site_doc_validate(*sd, &e)) != RN_OK) {
		rn_site_doc_free(*sd);
		*sd = NULL;
	}
	if (err == RN_OK)
		return RN_CLI_EXIT_OK;
	if (e.line > 0)
		return cli_fail("%s:%u: %s", file, e.line, e.msg);
	return cli_fail("%s: %s", file, e.msg[0] != '\0' ? e.msg : rn_err_str(err));
}

static int
publish(const struct coll_opts *o, struct coll_replica *r, struct cli_conn *c,
    const struct rn_editor_secret *sk, const struct rn_site_doc *sd, const struct rn_buf *text)
{
	struct rn_coll_doc   *d = malloc(sizeof(*d));
	struct rn_coll_record rec;
	struct rn_coll_entry  e;
	struct idlist	      ids = { 0, 0, NULL };
	size_t		      i;
	int		      rc;

	if (d == NULL)
		return cli_fail("out of memory");
	memset(&rec, 0, sizeof(rec));
	rec.op = RN_COLL_OP_PUT;
	if ((rc = make_doc(o, r, sd, text, d, rec.doc)) != 0)
		goto out;
	rc = RN_CLI_EXIT_FAIL;
	rn_coll_key(d->id, strlen(d->id), rec.key);
	if (rn_coll_verifier_denied(r->v, rec.doc)) {
		cli_fail("this exact document was purged: it cannot be published again");
		goto out;
	}
	if (rn_coll_trie_get(r->store, rn_coll_verifier_state(r->v)->manifest, rec.key, &e) ==
		RN_OK &&
	    e.status == RN_COLL_LIVE && memcmp(e.doc, rec.doc, RN_COLL_ID_LEN) == 0) {
		cli_fail("nothing changes: %s is published exactly like this already", d->id);
		goto out;
	}
	if (ids_add(&ids, rec.doc) != RN_OK || ids_content(&ids, r->store, &d->body) != RN_OK) {
		cli_fail("too many objects");
		goto out;
	}
	for (i = 0; i < d->natt; i++)
		if (ids_content(&ids, r->store, &d->att[i].ref) != RN_OK) {
			cli_fail("too many objects");
			goto out;
		}
	rc = change(o, r, c, sk, &rec, &ids);
out:
	free(ids.ids);
	free(d);
	return rc;
}

int
rn_cli_publish(int argc, char **argv)
{
	static const char   usage[] = "FILE [--attach F]... [--dry-run] [--json] [--server URL] "
				      "[--identity DIR] [--replica DIR]";
	struct coll_opts    o;
	struct coll_replica r;
	struct rn_editor_secret *sk = NULL;
	struct rn_site_doc	*sd = NULL;
	struct cli_conn		 c;
	struct rn_buf		 text;
	int			 rc;

	if ((rc = coll_parse_opts("publish", usage, argc, argv, &o)) != 0)
		return rc < 0 ? RN_CLI_EXIT_OK : rc;
	if (o.argc != 1)
		return cli_fail("usage: roneo publish %s", usage) + 1;
	if ((rc = read_doc(o.argv[0], &text, &sd)) != 0) {
		rn_buf_free(&text);
		return rc;
	}
	if ((rc = coll_replica_open(o.rdir, &r)) == 0) {
		if ((rc = coll_sync_first(&o, &r, &c, &sk)) == 0)
			rc = publish(&o, &r, &c, sk, sd, &text);
		coll_replica_close(&r);
	}
	rn_editor_secret_free(sk);
	rn_site_doc_free(sd);
	rn_buf_free(&text);
	return rc;
}

/* ---- roneo retract / purge ---- */

static int
tombstone(const struct coll_opts *o, struct coll_replica *r, enum rn_coll_op op,
    struct rn_coll_record *rec)
{
	struct rn_coll_tombstone t;
	struct rn_coll_entry	 e;
	struct rn_buf		 b;
	int			 rc = RN_CLI_EXIT_FAIL;

	memset(rec, 0, sizeof(*rec));
	memset(&t, 0, sizeof(t));
	if (o->reason == NULL || o->reason[0] == '\0' || strlen(o->reason) > RN_COLL_MAX_REASON ||
	    !rn_coll_text_valid(o->reason, strlen(o->reason)))
		return cli_fail("--reason TEXT is required: 1 to %u bytes of text, no control "
				"characters",
		    RN_COLL_MAX_REASON);
	rn_coll_key(o->id, strlen(o->id), rec->key);
	if (rn_coll_trie_get(r->store, rn_coll_verifier_state(r->v)->manifest, rec->key, &e) !=
	    RN_OK)
		return cli_fail("the collection has no document %s", o->id);
	if (op == RN_COLL_OP_RETRACT && e.status != RN_COLL_LIVE)
		return cli_fail("%s is already retracted", o->id);
	t.op = op;
	memcpy(t.key, rec->key, RN_COLL_ID_LEN);
	memcpy(t.doc, e.doc, RN_COLL_ID_LEN);
	t.time = (uint64_t)time(NULL);
	snprintf(t.reason, sizeof(t.reason), "%s", o->reason);
	rec->op = op;
	memcpy(rec->doc, e.doc, RN_COLL_ID_LEN);
	rn_buf_init(&b, RN_COLL_MAX_OBJECT);
	if (rn_coll_tombstone_encode(&t, &b) == RN_OK &&
	    rn_coll_store_put(r->store, RN_COLL_TOMBSTONE, b.data, b.len, rec->tomb) == RN_OK)
		rc = RN_CLI_EXIT_OK;
	else
		cli_fail("cannot make the tombstone");
	rn_buf_free(&b);
	return rc;
}

static int
remove_cmd(const char *cmd, enum rn_coll_op op, int argc, char **argv)
{
	static const char	 usage[] = "ID --reason TEXT [--dry-run] [--json] [--server URL] "
					   "[--identity DIR] [--replica DIR]";
	struct coll_opts	 o;
	struct coll_replica	 r;
	struct rn_editor_secret *sk = NULL;
	struct rn_coll_record	 rec;
	struct cli_conn		 c;
	struct idlist		 ids = { 0, 0, NULL };
	int			 rc;

	if ((rc = coll_parse_opts(cmd, usage, argc, argv, &o)) != 0)
		return rc < 0 ? RN_CLI_EXIT_OK : rc;
	if (o.argc != 1)
		return cli_fail("usage: roneo %s %s", cmd, usage) + 1;
	o.id = o.argv[0];
	if (!rn_coll_docid_valid(o.id, strlen(o.id)))
		return cli_fail("%s is not a document id", o.id);
	if ((rc = coll_replica_open(o.rdir, &r)) != 0)
		return rc;
	if ((rc = coll_sync_first(&o, &r, &c, &sk)) == 0 &&
	    (rc = tombstone(&o, &r, op, &rec)) == 0) {
		if (ids_add(&ids, rec.tomb) != RN_OK)
			rc = cli_fail("out of memory");
		else
			rc = change(&o, &r, &c, sk, &rec, &ids);
	}
	free(ids.ids);
	rn_editor_secret_free(sk);
	coll_replica_close(&r);
	return rc;
}

int
rn_cli_retract(int argc, char **argv)
{
	return remove_cmd("retract", RN_COLL_OP_RETRACT, argc, argv);
}

int
rn_cli_purge(int argc, char **argv)
{
	return remove_cmd("purge", RN_COLL_OP_PURGE, argc, argv);
}
