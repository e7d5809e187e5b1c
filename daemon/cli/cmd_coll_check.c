/*
 * What a commit changes, for the editor who is asked to sign it: each
 * record with its document (section, id, title, language, sizes,
 * attachments) or its tombstone's reason, and the threshold it needs, by
 * the verifier's rules (docs/protocol.md section 13).  Whatever is received
 * is untrusted: documents and tombstones are decoded strictly (text without
 * controls or bidi overrides) before they are shown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd_coll.h"
#include "roneo/rn_site.h"

static const struct rn_coll_store *
holder(const struct coll_replica *r, const struct rn_coll_store *extra,
    const uint8_t id[RN_COLL_ID_LEN])
{
	return extra != NULL && rn_coll_store_has(extra, id) ? extra : r->store;
}

static enum rn_err
load_doc(const struct coll_replica *r, const struct rn_coll_store *extra,
    const uint8_t id[RN_COLL_ID_LEN], struct rn_coll_doc *doc)
{
	struct rn_buf b;
	enum rn_err   err;

	rn_buf_init(&b, RN_COLL_MAX_OBJECT);
	if ((err = rn_coll_store_get(holder(r, extra, id), id, RN_COLL_DOC, &b)) == RN_OK)
		err = rn_coll_doc_decode((const uint8_t *)b.data, b.len, doc);
	rn_buf_free(&b);
	return err;
}

static enum rn_err
load_tomb(const struct coll_replica *r, const struct rn_coll_store *extra,
    const uint8_t id[RN_COLL_ID_LEN], struct rn_coll_tombstone *t)
{
	struct rn_buf b;
	enum rn_err   err;

	rn_buf_init(&b, RN_COLL_MAX_OBJECT);
	if ((err = rn_coll_store_get(holder(r, extra, id), id, RN_COLL_TOMBSTONE, &b)) == RN_OK)
		err = rn_coll_tombstone_decode((const uint8_t *)b.data, b.len, t);
	rn_buf_free(&b);
	return err;
}

static const char *
section_name(enum rn_coll_section s)
{
	return s >= RN_COLL_SEC_BULLETIN && s <= RN_COLL_SEC__MAX ?
		   rn_site_section_name((enum rn_site_section)(s - 1)) :
		   "?";
}

static const char *
op_name(enum rn_coll_op op)
{
	return op == RN_COLL_OP_PUT ? "put" : op == RN_COLL_OP_RETRACT ? "retract" : "purge";
}

static void
need(const struct rn_coll_root *root, enum rn_coll_policy p, unsigned *needed)
{
	if (root != NULL && root->threshold[p] > *needed)
		*needed = root->threshold[p];
}

struct change {
	const struct rn_coll_record *rec;
	bool			     have_old, have_doc, have_tomb;
	struct rn_coll_entry	     old;
	struct rn_coll_doc	     doc, olddoc;
	bool			     have_olddoc;
	struct rn_coll_tombstone     tomb;
};

static const char *
put_kind(const struct change *x)
{
	if (!x->have_old)
		return "new";
	return x->old.status == RN_COLL_RETRACTED ? "replaces a retracted document" :
						    "replaces the published version";
}

static enum rn_err
describe_text(const struct change *x, struct rn_buf *w)
{
	char	    hex[RN_COLL_HEX_LEN + 1];
	enum rn_err err;
	size_t	    i;

	rn_coll_id_format(x->rec->key, hex);
	if (!x->have_doc)
		return rn_buf_printf(w, "  %-8s (document key %.16s, not available here)\n",
		    op_name(x->rec->op), hex);
	err = rn_buf_printf(w, "  %-8s %s/%s \"%s\"", op_name(x->rec->op),
	    section_name(x->doc.section), x->doc.id, x->doc.title);
	if (err == RN_OK && x->rec->op == RN_COLL_OP_PUT) {
		err = rn_buf_printf(w, "\n           %s; %s, body %llu bytes", put_kind(x),
		    x->doc.lang, (unsigned long long)x->doc.body.size);
		if (err == RN_OK && x->have_olddoc && x->olddoc.section != x->doc.section)
			err = rn_buf_printf(w, "; moved from %s", section_name(x->olddoc.section));
		for (i = 0; i < x->doc.natt && err == RN_OK; i++)
			err = rn_buf_printf(w, "%s%s (%s, %llu bytes)",
			    i == 0 ? "; attachments: " : ", ", x->doc.att[i].name,
			    x->doc.att[i].media, (unsigned long long)x->doc.att[i].ref.size);
	} else if (err == RN_OK && x->have_tomb) {
		err = rn_buf_printf(w, "\n           reason: %s", x->tomb.reason);
	}
	return err == RN_OK ? rn_buf_puts(w, "\n") : err;
}

static enum rn_err
describe_json(const struct change *x, bool first, struct rn_buf *w)
{
	char	    hex[RN_COLL_HEX_LEN + 1];
	enum rn_err err;
	size_t	    i;

	rn_coll_id_format(x->rec->doc, hex);
	err = rn_buf_printf(
	    w, "%s{\"op\":\"%s\",\"doc\":\"%s\"", first ? "" : ",", op_name(x->rec->op), hex);
	if (err == RN_OK && x->have_doc) {
		err = rn_buf_printf(w, ",\"id\":\"%s\",\"section\":\"%s\",\"title\":", x->doc.id,
		    section_name(x->doc.section));
		if (err == RN_OK)
			err = cli_json_str(w, x->doc.title, strlen(x->doc.title));
	}
	if (err == RN_OK && x->rec->op == RN_COLL_OP_PUT && x->have_doc) {
		err = rn_buf_printf(w, ",\"change\":\"%s\",\"body_size\":%llu,\"attachments\":[",
		    !x->have_old		       ? "new" :
		    x->old.status == RN_COLL_RETRACTED ? "restore" :
							 "update",
		    (unsigned long long)x->doc.body.size);
		for (i = 0; i < x->doc.natt && err == RN_OK; i++)
			err = rn_buf_printf(w, "%s\"%s\"", i ? "," : "", x->doc.att[i].name);
		if (err == RN_OK)
			err = rn_buf_puts(w, "]");
	}
	if (err == RN_OK && x->have_tomb) {
		err = rn_buf_puts(w, ",\"reason\":");
		if (err == RN_OK)
			err = cli_json_str(w, x->tomb.reason, strlen(x->tomb.reason));
	}
	return err == RN_OK ? rn_buf_puts(w, "}") : err;
}

/* Look everything up for one record and add the threshold it needs. */
static void
gather(struct coll_replica *r, const struct rn_coll_store *extra, const uint8_t *before,
    struct change *x, unsigned *needed)
{
	const struct rn_coll_root *root = rn_coll_verifier_root(r->v);

	x->have_old = rn_coll_trie_get(r->store, before, x->rec->key, &x->old) == RN_OK;
	x->have_doc = load_doc(r, extra, x->rec->doc, &x->doc) == RN_OK;
	if (x->rec->op != RN_COLL_OP_PUT) {
		x->have_tomb = load_tomb(r, extra, x->rec->tomb, &x->tomb) == RN_OK;
		need(root,
		    x->rec->op == RN_COLL_OP_RETRACT ? RN_COLL_POL_RETRACT : RN_COLL_POL_PURGE,
		    needed);
		return;
	}
	if (!x->have_doc) {
		need(root, RN_COLL_POL_BULLETIN, needed);
		need(root, RN_COLL_POL_TACTIC, needed);
		need(root, RN_COLL_POL_CONFLICT, needed);
		return;
	}
	need(root, (enum rn_coll_policy)(x->doc.section - 1), needed);
	if (x->have_old && x->old.status == RN_COLL_RETRACTED)
		need(root, RN_COLL_POL_RETRACT, needed);
	if (x->have_old && load_doc(r, NULL, x->old.doc, &x->olddoc) == RN_OK) {
		x->have_olddoc = true;
		need(root, (enum rn_coll_policy)(x->olddoc.section - 1), needed);
	}
}

int
coll_describe(struct coll_replica *r, const struct rn_coll_record *recs, size_t n,
    const struct rn_coll_store *extra, const uint8_t *before, bool json, struct rn_buf *what,
    unsigned *needed)
{
	struct change *x;
	size_t	       i;
	enum rn_err    err = RN_OK;

	*needed = 0;
	if (before == NULL)
		before = rn_coll_verifier_state(r->v)->manifest;
	if ((x = malloc(sizeof(*x))) == NULL)
		return cli_fail("out of memory");
	if (json)
		err = rn_buf_puts(what, "[");
	for (i = 0; i < n && err == RN_OK; i++) {
		memset(x, 0, sizeof(*x));
		x->rec = &recs[i];
		gather(r, extra, before, x, needed);
		err = json ? describe_json(x, i == 0, what) : describe_text(x, what);
	}
	if (json && err == RN_OK)
		err = rn_buf_puts(what, "]");
	free(x);
	return err == RN_OK ? RN_CLI_EXIT_OK : cli_fail("cannot describe the change");
}

/* ---- a commit short of signatures ---- */

int
coll_check_commit(struct coll_replica *r, const struct coll_commit_in *ci, unsigned *have,
    unsigned *needed, bool json, struct rn_buf *what)
{
	struct rn_coll_record *recs;
	size_t		       n;
	int		       rc;

	if (rn_coll_verifier_check_commit(r->v, ci->stmt, ci->stmt_len, ci->rec, ci->rec_len,
		ci->objs, have, needed) != RN_OK)
		return cli_fail("refusing commit %llu: %s", (unsigned long long)ci->c.seq,
		    rn_coll_verifier_error(r->v));
	if ((recs = calloc(RN_COLL_MAX_RECORDS, sizeof(*recs))) == NULL)
		return cli_fail("out of memory");
	if (coll_records_decode(ci->rec, ci->rec_len, recs, RN_COLL_MAX_RECORDS, &n) != RN_OK)
		rc = cli_fail("the commit's records do not decode");
	else
		rc = coll_describe(r, recs, n, ci->objs, NULL, json, what, &(unsigned){ 0 });
	free(recs);
	return rc;
}
