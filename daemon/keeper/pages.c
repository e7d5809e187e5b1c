/*
 * The pages of one render: home, section and tag indexes, one page per
 * document with its attachments, Atom feeds per section, tag and
 * language, the "verify this collection" page and the site's stylesheet.  Paths
 * come from rn_site_path(), which checks every name that becomes one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keeper/render_int.h"
#include "roneo/rn_log.h"

#define SITE_TITLE "roneo"

struct page_ctx {
	struct keeper_site *s;
	struct rn_site_info info;
	struct rn_buf	    out;
	struct rn_buf	    path;
	int64_t		    updated; /* the head's time: feeds without a dated entry */
};

static enum rn_err
emit(struct page_ctx *c, enum rn_site_path_kind kind, const char *arg, const char *arg2,
    unsigned page, bool text)
{
	enum rn_err err;

	rn_buf_reset(&c->path);
	if ((err = rn_site_path(kind, arg, arg2, page, &c->path)) != RN_OK)
		return err;
	return keeper_write_file(c->s, c->path.data, c->out.data, c->out.len, text);
}

static const struct rn_site_doc *const *
docs(const struct page_ctx *c)
{
	return (const struct rn_site_doc *const *)c->s->docs;
}

static enum rn_err
indexes(struct page_ctx *c)
{
	unsigned    page, npages = 1;
	enum rn_err err;

	rn_buf_reset(&c->out);
	if ((err = rn_site_page_home(
		 &c->info, docs(c), c->s->ndocs, RN_KEEPER_PER_PAGE, &c->out)) != RN_OK ||
	    (err = emit(c, RN_SITE_PATH_HOME, NULL, NULL, 0, true)) != RN_OK)
		return err;
	for (page = 1; page <= npages; page++) {
		rn_buf_reset(&c->out);
		if ((err = rn_site_page_bulletins(&c->info, docs(c), c->s->ndocs, page,
			 RN_KEEPER_PER_PAGE, &npages, &c->out)) != RN_OK ||
		    (err = emit(c, page == 1 ? RN_SITE_PATH_SECTION : RN_SITE_PATH_PAGE,
			 "bulletins", NULL, page, true)) != RN_OK)
			return err;
	}
	rn_buf_reset(&c->out);
	if ((err = rn_site_page_tactics(&c->info, docs(c), c->s->ndocs, NULL, &c->out)) != RN_OK ||
	    (err = emit(c, RN_SITE_PATH_SECTION, "tactics", NULL, 0, true)) != RN_OK)
		return err;
	rn_buf_reset(&c->out);
	if ((err = rn_site_page_conflicts(&c->info, docs(c), c->s->ndocs, &c->out)) != RN_OK)
		return err;
	return emit(c, RN_SITE_PATH_SECTION, "conflicts", NULL, 0, true);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The distinct tags (of one section, or of all when sec < 0) or languages, sorted. */
static enum rn_err
distinct(const struct page_ctx *c, int sec, bool langs, const char ***out, size_t *nout)
{
	const char **v;
	size_t	     i, j, n = 0, cap = 0;

	for (i = 0; i < c->s->ndocs; i++)
		cap += langs ? 1 : c->s->docs[i]->tags.n;
	if ((v = calloc(cap + 1, sizeof(*v))) == NULL)
		return RN_ERR_NOMEM;
	for (i = 0; i < c->s->ndocs; i++) {
		const struct rn_site_doc *d = c->s->docs[i];

		if (langs)
			v[n++] = d->lang;
		else if (sec < 0 || (int)d->section == sec)
			for (j = 0; j < d->tags.n; j++)
				v[n++] = d->tags.v[j];
	}
	qsort(v, n, sizeof(*v), cmp_str);
	for (i = j = 0; i < n; i++)
		if (j == 0 || strcmp(v[j - 1], v[i]) != 0)
			v[j++] = v[i];
	*out = v;
	*nout = j;
	return RN_OK;
}

static enum rn_err
tag_pages(struct page_ctx *c)
{
	const char **tags = NULL;
	size_t	     n = 0, i;
	enum rn_err  err;

	if ((err = distinct(c, RN_SITE_TACTICS, false, &tags, &n)) != RN_OK)
		return err;
	for (i = 0; i < n && err == RN_OK; i++) {
		rn_buf_reset(&c->out);
		if ((err = rn_site_page_tactics(
			 &c->info, docs(c), c->s->ndocs, tags[i], &c->out)) == RN_OK)
			err = emit(c, RN_SITE_PATH_TAG, tags[i], NULL, 0, true);
	}
	free(tags);
	return err;
}

static enum rn_err
feed(struct page_ctx *c, const struct rn_site_feed_filter *f, enum rn_site_path_kind kind,
    const char *arg)
{
	enum rn_err err;

	rn_buf_reset(&c->out);
	if ((err = rn_site_feed_atom(&c->info, f, docs(c), c->s->ndocs, c->updated, &c->out)) !=
	    RN_OK)
		return err;
	return emit(c, kind, arg, NULL, 0, true);
}

static enum rn_err
feeds(struct page_ctx *c)
{
	struct rn_site_feed_filter f = { -1, NULL, NULL };
	const char		 **v = NULL;
	size_t			   n = 0, i;
	int			   sec;
	enum rn_err		   err = RN_OK;

	for (sec = 0; sec < RN_SITE__NSECTIONS && err == RN_OK; sec++) {
		f.section = sec;
		err =
		    feed(c, &f, RN_SITE_PATH_FEED, rn_site_section_name((enum rn_site_section)sec));
	}
	f.section = -1;
	if (err != RN_OK || (err = distinct(c, -1, false, &v, &n)) != RN_OK)
		return err;
	for (i = 0; i < n && err == RN_OK; i++) {
		f.tag = v[i];
		err = feed(c, &f, RN_SITE_PATH_TAG_FEED, v[i]);
	}
	free(v);
	f.tag = NULL;
	if (err != RN_OK || (err = distinct(c, -1, true, &v, &n)) != RN_OK)
		return err;
	for (i = 0; i < n && err == RN_OK; i++) {
		f.lang = v[i];
		err = feed(c, &f, RN_SITE_PATH_LANG_FEED, v[i]);
	}
	free(v);
	return err;
}

/* The signers of commit seq: editors' labels, or the first 16 hex digits of a key. */
static enum rn_err
signers(const struct rn_keeper *k, uint64_t seq, char commit[RN_COLL_HEX_LEN + 1],
    char (*names)[RN_COLL_HEX_LEN + 1], size_t *n)
{
	const struct rn_coll_root *root = rn_coll_verifier_root(k->v);
	struct rn_coll_commit	   cm;
	struct rn_coll_sigs	  *sigs;
	struct rn_buf		   st;
	enum rn_err		   err;
	size_t			   i, j;

	*n = 0;
	if ((sigs = malloc(sizeof(*sigs))) == NULL)
		return RN_ERR_NOMEM;
	rn_buf_init(&st, RN_COLL_MAX_STATEMENT);
	if ((err = keeper_get_commit(k, seq, &st)) == RN_OK &&
	    (err = rn_coll_commit_parse((const uint8_t *)st.data, st.len, &cm, sigs)) == RN_OK) {
		rn_coll_id_format(cm.id, commit);
		for (i = 0; i < sigs->n; i++) {
			rn_hex_encode(sigs->s[i].pub, 8, names[i]);
			for (j = 0; root != NULL && j < root->neditors; j++)
				if (memcmp(root->editors[j].pub, sigs->s[i].pub, 32) == 0)
					snprintf(names[i], RN_COLL_HEX_LEN + 1, "%s",
					    root->editors[j].label);
		}
		*n = sigs->n;
	}
	rn_buf_free(&st);
	free(sigs);
	return err;
}

static enum rn_err
attachments(struct page_ctx *c, const struct keeper_doc *kd)
{
	struct rn_coll_doc *meta;
	struct rn_buf	    p;
	enum rn_err	    err;
	size_t		    i;

	if ((meta = malloc(sizeof(*meta))) == NULL)
		return RN_ERR_NOMEM;
	rn_buf_init(&p, RN_COLL_MAX_OBJECT);
	if ((err = rn_coll_store_get(c->s->k->store, kd->docid, RN_COLL_DOC, &p)) == RN_OK)
		err = rn_coll_doc_decode((const uint8_t *)p.data, p.len, meta);
	for (i = 0; err == RN_OK && i < meta->natt; i++) {
		const char *name = meta->att[i].name;

		/* The page's own file, and NAME.gz (served as NAME's encoding), stay ours. */
		if (rn_site_check_attachment(name, strlen(name), NULL) != RN_OK) {
			rn_log_warn(
			    "keeper: %s: attachment %s is not published", kd->doc->id, name);
			continue;
		}
		p.max = RN_COLL_MAX_CONTENT;
		rn_buf_reset(&p);
		if ((err = rn_coll_store_check_content(
			 c->s->k->store, &meta->att[i].ref, RN_COLL_ATT_CHUNK_AT, &p)) != RN_OK)
			break;
		rn_buf_reset(&c->path);
		if ((err = rn_site_path(RN_SITE_PATH_ATTACHMENT, kd->doc->id, name, 0, &c->path)) ==
		    RN_OK)
			err = keeper_write_file(c->s, c->path.data, p.data, p.len, false);
	}
	rn_buf_free(&p);
	free(meta);
	return err;
}

static enum rn_err
doc_page(struct page_ctx *c, const struct keeper_doc *kd)
{
	struct rn_site_provenance prov;
	char			  commit[RN_COLL_HEX_LEN + 1];
	char			  names[RN_COLL_MAX_SIGS][RN_COLL_HEX_LEN + 1];
	const char		 *ptrs[RN_COLL_MAX_SIGS];
	size_t			  n = 0, i;
	enum rn_err		  err;

	memset(&prov, 0, sizeof(prov));
	prov.retracted = kd->retracted;
	prov.retract_reason = kd->reason;
	if (kd->put > 0) {
		prov.seq = keeper_seq_of_record(c->s->k, kd->put - 1);
		if (prov.seq > 0 && signers(c->s->k, prov.seq, commit, names, &n) == RN_OK) {
			for (i = 0; i < n; i++)
				ptrs[i] = names[i];
			prov.commit = commit;
			prov.signers = ptrs;
			prov.nsigners = n;
		}
	}
	rn_buf_reset(&c->out);
	if ((err = rn_site_page_doc(&c->info, kd->doc, &prov, &c->out)) != RN_OK ||
	    (err = emit(c, RN_SITE_PATH_DOC, kd->doc->id, NULL, 0, true)) != RN_OK)
		return err;
	return attachments(c, kd);
}

static enum rn_err
extras(struct page_ctx *c)
{
	enum rn_err err;

	rn_buf_reset(&c->out);
	if ((err = keeper_render_verify(c->s->k, &c->out)) != RN_OK ||
	    (err = keeper_write_file(c->s, "/verify/", c->out.data, c->out.len, true)) != RN_OK)
		return err;
	return keeper_write_file(
	    c->s, "/site.css", rn_site_stylesheet(), strlen(rn_site_stylesheet()), true);
}

enum rn_err
keeper_site_pages(struct keeper_site *s)
{
	struct page_ctx c;
	enum rn_err	err;
	size_t		i;

	memset(&c, 0, sizeof(c));
	c.s = s;
	c.info.title = SITE_TITLE;
	c.info.lang = "en";
	c.info.collection_id = s->collection;
	c.updated = (int64_t)rn_coll_verifier_state(s->k->v)->time;
	rn_buf_init(&c.out, RN_SITE_MAX_PAGE);
	rn_buf_init(&c.path, KEEPER_PATH_MAX);
	if ((err = indexes(&c)) == RN_OK && (err = tag_pages(&c)) == RN_OK &&
	    (err = feeds(&c)) == RN_OK)
		err = extras(&c);
	for (i = 0; i < s->ndocs && err == RN_OK; i++)
		err = doc_page(&c, &s->kd[i]);
	if (err != RN_OK)
		rn_log_err("keeper: rendering stopped: %s", rn_err_str(err));
	rn_buf_free(&c.out);
	rn_buf_free(&c.path);
	return err;
}
