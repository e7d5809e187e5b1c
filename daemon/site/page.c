/*
 * The site's pages: one skeleton (DESIGN §9: no script, no inline style, no
 * SVG, no web fonts; one same-origin stylesheet), the document page and the
 * index pages.  Every string from a document is escaped where it is written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "site/site_int.h"

#define SITE_CSS "/site.css"

static const char *const section_titles[RN_SITE__NSECTIONS] = {
	"Bulletins",
	"Tactics",
	"Conflict write-ups",
};

static bool
site_ok(const struct rn_site_info *site)
{
	return site != NULL && site->title != NULL;
}

static const char *
site_lang(const struct rn_site_info *site)
{
	return site->lang != NULL && site_is_lang(site->lang) ? site->lang : "en";
}

static void
page_open(struct site_w *w, const struct rn_site_info *site, const char *lang, const char *title,
    const char *feed)
{
	site_w_puts(w, "<!DOCTYPE html>\n<html lang=\"");
	site_w_esc(w, lang, false);
	site_w_puts(w, "\">\n<head>\n<meta charset=\"utf-8\">\n"
		       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		       "<meta name=\"referrer\" content=\"no-referrer\">\n<title>");
	site_w_esc(w, title, false);
	if (strcmp(title, site->title) != 0) {
		site_w_puts(w, " \xe2\x80\x94 ");
		site_w_esc(w, site->title, false);
	}
	site_w_puts(w, "</title>\n<link rel=\"stylesheet\" href=\"" SITE_CSS "\">\n");
	if (feed != NULL) {
		site_w_puts(w, "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"");
		site_w_href(w, feed);
		site_w_puts(w, "\">\n");
	}
	site_w_puts(w, "</head>\n<body>\n<header>\n<p class=\"site\"><a href=\"/\">");
	site_w_esc(w, site->title, false);
	site_w_puts(w, "</a></p>\n<nav>\n<ul>\n"
		       "<li><a href=\"/bulletins/\">Bulletins</a></li>\n"
		       "<li><a href=\"/tactics/\">Tactics</a></li>\n"
		       "<li><a href=\"/conflicts/\">Conflict write-ups</a></li>\n"
		       "<li><a href=\"/search/\">Search</a></li>\n"
		       "<li><a href=\"/verify/\">Verify this collection</a></li>\n"
		       "</ul>\n</nav>\n</header>\n<main>\n");
}

static void
page_close(struct site_w *w)
{
	site_w_puts(w, "</main>\n<footer>\n<p>Every page of this site is built from documents "
		       "signed by its editors.</p>\n</footer>\n</body>\n</html>\n");
}

static void
w_date(struct site_w *w, const struct rn_site_doc *doc)
{
	char ts[RN_SITE_DATE_BUFSZ];

	if (!doc->has_date)
		return;
	rn_site_date_format(doc->date.utc, ts);
	site_w_puts(w, "<time datetime=\"");
	site_w_puts(w, ts);
	site_w_puts(w, "\">");
	ts[10] = '\0';
	site_w_puts(w, ts);
	site_w_puts(w, "</time>");
}

/* <a href="/d/ID/">TITLE</a> */
static void
w_doc_link(struct site_w *w, const struct rn_site_doc *doc)
{
	site_w_puts(w, "<a href=\"/d/");
	site_w_href(w, doc->id);
	site_w_puts(w, "/\"");
	if (doc->lang != NULL) {
		site_w_puts(w, " hreflang=\"");
		site_w_esc(w, doc->lang, false);
		site_w_puts(w, "\"");
	}
	site_w_puts(w, ">");
	site_w_esc(w, doc->title, false);
	site_w_puts(w, "</a>");
}

/* A list of items, each (with a prefix) linked to PREFIX ITEM SUFFIX. */
static void
w_list(struct site_w *w, const char *cls, const struct rn_site_list *l, const char *prefix,
    const char *suffix)
{
	size_t i;

	if (l->n == 0)
		return;
	site_w_printf(w, "<ul class=\"%s\">\n", cls);
	for (i = 0; i < l->n; i++) {
		site_w_puts(w, "<li>");
		if (prefix != NULL) {
			site_w_puts(w, "<a href=\"");
			site_w_href(w, prefix);
			site_w_href(w, l->v[i]);
			site_w_puts(w, suffix);
			site_w_puts(w, "\">");
		}
		site_w_esc(w, l->v[i], false);
		site_w_puts(w, prefix != NULL ? "</a></li>\n" : "</li>\n");
	}
	site_w_puts(w, "</ul>\n");
}

static void
w_field(struct site_w *w, const char *name, const char *text)
{
	if (text == NULL)
		return;
	site_w_puts(w, "<dt>");
	site_w_puts(w, name);
	site_w_puts(w, "</dt>\n<dd>");
	site_w_esc(w, text, true);
	site_w_puts(w, "</dd>\n");
}

static void
w_conflict(struct site_w *w, const struct rn_site_conflict *c)
{
	site_w_puts(w, "<dl class=\"conflict\">\n");
	w_field(w, "Status", rn_site_status_name(c->status));
	if (c->parties.n > 0) {
		site_w_puts(w, "<dt>Parties (by role)</dt>\n<dd>\n");
		w_list(w, "parties", &c->parties, NULL, NULL);
		site_w_puts(w, "</dd>\n");
	}
	w_field(w, "Context", c->context);
	w_field(w, "Process", c->process);
	w_field(w, "Outcome", c->outcome);
	if (c->follow_ups.n > 0) {
		site_w_puts(w, "<dt>Follow-ups</dt>\n<dd>\n");
		w_list(w, "follow-ups", &c->follow_ups, NULL, NULL);
		site_w_puts(w, "</dd>\n");
	}
	w_field(w, "Right of reply", c->right_of_reply);
	w_field(w, "Consent",
	    c->consent ? "Attested by the editors who published this write-up" : "Not attested");
	site_w_puts(w, "</dl>\n");
}

static void
w_provenance(struct site_w *w, const struct rn_site_provenance *prov)
{
	size_t i;

	if (prov == NULL || (prov->commit == NULL && prov->nsigners == 0))
		return;
	site_w_puts(w, "<section class=\"provenance\">\n<h2>Signatures</h2>\n<p>");
	if (prov->commit != NULL) {
		site_w_puts(w, "Published in commit <code>");
		site_w_esc(w, prov->commit, false);
		site_w_printf(w, "</code> (seq %llu). ", (unsigned long long)prov->seq);
	}
	if (prov->nsigners > 0) {
		site_w_puts(w, "Signed by: ");
		for (i = 0; i < prov->nsigners; i++) {
			if (i > 0)
				site_w_puts(w, ", ");
			site_w_esc(w, prov->signers[i] != NULL ? prov->signers[i] : "?", false);
		}
		site_w_puts(w, ".");
	}
	site_w_puts(w, "</p>\n</section>\n");
}

static void
w_meta(struct site_w *w, const struct rn_site_doc *doc)
{
	size_t i;

	site_w_puts(w, "<p class=\"meta\">");
	w_date(w, doc);
	site_w_puts(w, doc->has_date ? " \xc2\xb7 <a href=\"/" : "<a href=\"/");
	site_w_puts(w, rn_site_section_name(doc->section));
	site_w_puts(w, "/\">");
	site_w_puts(w, section_titles[doc->section]);
	site_w_puts(w, "</a>");
	for (i = 0; i < doc->authors.n; i++) {
		site_w_puts(w, i == 0 ? " \xc2\xb7 by " : ", ");
		site_w_esc(w, doc->authors.v[i], false);
	}
	if (doc->revision > 1)
		site_w_printf(w, " \xc2\xb7 revision %llu", (unsigned long long)doc->revision);
	site_w_puts(w, "</p>\n");
}

static void
w_translations(struct site_w *w, const struct rn_site_doc *doc)
{
	size_t i;

	if (doc->ntranslations == 0)
		return;
	site_w_puts(w, "<p>Translations:</p>\n<ul class=\"translations\">\n");
	for (i = 0; i < doc->ntranslations; i++) {
		site_w_puts(w, "<li><a href=\"/d/");
		site_w_href(w, doc->translations[i].id);
		site_w_puts(w, "/\" hreflang=\"");
		site_w_esc(w, doc->translations[i].lang, false);
		site_w_puts(w, "\" lang=\"");
		site_w_esc(w, doc->translations[i].lang, false);
		site_w_puts(w, "\">");
		site_w_esc(w, doc->translations[i].lang, false);
		site_w_puts(w, "</a></li>\n");
	}
	site_w_puts(w, "</ul>\n");
}

enum rn_err
rn_site_page_doc(const struct rn_site_info *site, const struct rn_site_doc *doc,
    const struct rn_site_provenance *prov, struct rn_buf *out)
{
	struct site_w w = { out, RN_OK };
	char	      feed[32 + RN_SITE_MAX_ID];

	if (!site_ok(site) || doc == NULL || doc->id == NULL || doc->title == NULL ||
	    doc->lang == NULL || !site_is_slug(doc->id) || !site_is_lang(doc->lang) ||
	    (unsigned)doc->section >= RN_SITE__NSECTIONS)
		return RN_ERR_INVAL;
	snprintf(feed, sizeof(feed), "/feeds/%s.atom", rn_site_section_name(doc->section));
	page_open(&w, site, doc->lang, doc->title, feed);
	site_w_puts(&w, "<article>\n");
	if (prov != NULL && prov->retracted) {
		site_w_puts(&w, "<p class=\"retracted\"><strong>Retracted</strong>");
		if (prov->retract_reason != NULL) {
			site_w_puts(&w, ": ");
			site_w_esc(&w, prov->retract_reason, false);
		}
		site_w_puts(&w, "</p>\n");
	}
	site_w_puts(&w, "<h1>");
	site_w_esc(&w, doc->title, false);
	site_w_puts(&w, "</h1>\n");
	w_meta(&w, doc);
	if (doc->summary != NULL) {
		site_w_puts(&w, "<p class=\"summary\">");
		site_w_esc(&w, doc->summary, true);
		site_w_puts(&w, "</p>\n");
	}
	if (doc->section == RN_SITE_CONFLICTS)
		w_conflict(&w, &doc->conflict);
	site_w_puts(&w, "<div class=\"body\">\n");
	if (w.err == RN_OK && doc->body != NULL)
		w.err = rn_site_markdown_html(doc->body, doc->body_len, doc->id, out);
	site_w_puts(&w, "</div>\n");
	w_list(
	    &w, "tags", &doc->tags, doc->section == RN_SITE_TACTICS ? "/tactics/tag/" : NULL, "/");
	if (doc->related.n > 0) {
		site_w_puts(&w, "<h2>Related tactics</h2>\n");
		w_list(&w, "related", &doc->related, "/d/", "/");
	}
	if (doc->attachments.n > 0) {
		char dir[8 + RN_SITE_MAX_ID];

		snprintf(dir, sizeof(dir), "/d/%s/", doc->id);
		site_w_puts(&w, "<h2>Attachments</h2>\n");
		w_list(&w, "attachments", &doc->attachments, dir, "");
	}
	w_translations(&w, doc);
	w_provenance(&w, prov);
	site_w_puts(&w, "</article>\n");
	page_close(&w);
	return w.err;
}

/* The documents of one section, newest first (a new array of borrowed pointers). */
static enum rn_err
select_section(const struct rn_site_doc *const *docs, size_t n, enum rn_site_section sec,
    const struct rn_site_doc ***out, size_t *nout)
{
	const struct rn_site_doc **v;
	size_t			   i, k = 0;
	enum rn_err		   err;

	if ((err = site_sort_by_date(docs, n, &v)) != RN_OK)
		return err;
	for (i = 0; i < n; i++)
		if (v[i]->section == sec)
			v[k++] = v[i];
	*out = v;
	*nout = k;
	return RN_OK;
}

static void
w_item(struct site_w *w, const struct rn_site_doc *doc, bool status)
{
	site_w_puts(w, "<li>");
	w_doc_link(w, doc);
	if (doc->has_date) {
		site_w_puts(w, " ");
		w_date(w, doc);
	}
	if (status && doc->conflict.status != RN_SITE_STATUS_NONE) {
		site_w_printf(w, " <span class=\"status status-%s\">%s</span>",
		    rn_site_status_name(doc->conflict.status),
		    rn_site_status_name(doc->conflict.status));
	}
	if (doc->summary != NULL) {
		site_w_puts(w, "\n<p>");
		site_w_esc(w, doc->summary, true);
		site_w_puts(w, "</p>");
	}
	site_w_puts(w, "</li>\n");
}

enum rn_err
rn_site_page_home(const struct rn_site_info *site, const struct rn_site_doc *const *docs, size_t n,
    unsigned per_page, struct rn_buf *out)
{
	struct site_w		   w = { out, RN_OK };
	const struct rn_site_doc **v = NULL;
	size_t			   k = 0, i, count[RN_SITE__NSECTIONS] = { 0 };
	unsigned		   s;

	if (!site_ok(site) || per_page == 0 || per_page > RN_SITE_MAX_PER_PAGE)
		return RN_ERR_INVAL;
	if ((w.err = select_section(docs, n, RN_SITE_BULLETINS, &v, &k)) != RN_OK)
		return w.err;
	for (i = 0; i < n; i++)
		count[docs[i]->section]++;
	page_open(&w, site, site_lang(site), site->title, "/feeds/bulletins.atom");
	site_w_puts(&w, "<h1>");
	site_w_esc(&w, site->title, false);
	site_w_puts(&w, "</h1>\n<h2>Latest bulletins</h2>\n<ul class=\"docs\">\n");
	for (i = 0; i < k && i < per_page; i++)
		w_item(&w, v[i], false);
	site_w_puts(&w, "</ul>\n<h2>Sections</h2>\n<ul class=\"sections\">\n");
	for (s = 0; s < RN_SITE__NSECTIONS; s++) {
		site_w_printf(&w,
		    "<li><a href=\"/%s/\">%s</a> (%zu) \xc2\xb7 "
		    "<a href=\"/feeds/%s.atom\">Atom feed</a></li>\n",
		    rn_site_section_name((enum rn_site_section)s), section_titles[s], count[s],
		    rn_site_section_name((enum rn_site_section)s));
	}
	site_w_puts(&w, "</ul>\n");
	page_close(&w);
	free(v);
	return w.err;
}

static void
w_pager(struct site_w *w, unsigned page, unsigned npages)
{
	if (npages <= 1)
		return;
	site_w_puts(w, "<nav class=\"pager\">\n<ul>\n");
	if (page == 2)
		site_w_puts(w, "<li><a href=\"/bulletins/\" rel=\"prev\">Newer</a></li>\n");
	else if (page > 2)
		site_w_printf(w,
		    "<li><a href=\"/bulletins/page/%u/\" rel=\"prev\">Newer</a></li>\n", page - 1);
	site_w_printf(w, "<li>Page %u of %u</li>\n", page, npages);
	if (page < npages)
		site_w_printf(w,
		    "<li><a href=\"/bulletins/page/%u/\" rel=\"next\">Older</a></li>\n", page + 1);
	site_w_puts(w, "</ul>\n</nav>\n");
}

enum rn_err
rn_site_page_bulletins(const struct rn_site_info *site, const struct rn_site_doc *const *docs,
    size_t n, unsigned page, unsigned per_page, unsigned *npages, struct rn_buf *out)
{
	struct site_w		   w = { out, RN_OK };
	const struct rn_site_doc **v = NULL;
	size_t			   k = 0, i, first;
	unsigned		   pages;
	char			   title[64];

	if (!site_ok(site) || per_page == 0 || per_page > RN_SITE_MAX_PER_PAGE || page == 0)
		return RN_ERR_INVAL;
	if ((w.err = select_section(docs, n, RN_SITE_BULLETINS, &v, &k)) != RN_OK)
		return w.err;
	pages = k == 0 ? 1 : (unsigned)((k + per_page - 1) / per_page);
	if (npages != NULL)
		*npages = pages;
	if (page > pages) {
		free(v);
		return RN_ERR_NOTFOUND;
	}
	if (page > 1)
		snprintf(title, sizeof(title), "Bulletins, page %u", page);
	else
		snprintf(title, sizeof(title), "Bulletins");
	page_open(&w, site, site_lang(site), title, "/feeds/bulletins.atom");
	site_w_puts(&w, "<h1>");
	site_w_esc(&w, title, false);
	site_w_puts(&w, "</h1>\n<ul class=\"docs\">\n");
	first = (size_t)(page - 1) * per_page;
	for (i = first; i < k && i < first + per_page; i++)
		w_item(&w, v[i], false);
	site_w_puts(&w, "</ul>\n");
	w_pager(&w, page, pages);
	page_close(&w);
	free(v);
	return w.err;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const struct rn_site_doc *
find_doc(const struct rn_site_doc *const *v, size_t k, const char *id)
{
	size_t i;

	for (i = 0; i < k; i++)
		if (strcmp(v[i]->id, id) == 0)
			return v[i];
	return NULL;
}

static bool
has_tag(const struct rn_site_doc *doc, const char *tag)
{
	size_t i;

	for (i = 0; i < doc->tags.n; i++)
		if (strcmp(doc->tags.v[i], tag) == 0)
			return true;
	return false;
}

/* One tactic with its related tactics (those published). */
static void
w_tactic(
    struct site_w *w, const struct rn_site_doc *doc, const struct rn_site_doc *const *v, size_t k)
{
	const struct rn_site_doc *r;
	size_t			  i, shown = 0;

	site_w_puts(w, "<li>");
	w_doc_link(w, doc);
	if (doc->summary != NULL) {
		site_w_puts(w, "\n<p>");
		site_w_esc(w, doc->summary, true);
		site_w_puts(w, "</p>");
	}
	for (i = 0; i < doc->related.n; i++) {
		if ((r = find_doc(v, k, doc->related.v[i])) == NULL)
			continue;
		site_w_puts(w, shown++ == 0 ? "\n<p class=\"related\">Related: " : ", ");
		w_doc_link(w, r);
	}
	site_w_puts(w, shown > 0 ? "</p></li>\n" : "</li>\n");
}

/* The distinct tags of the tactics, sorted (borrowed strings). */
static enum rn_err
collect_tags(const struct rn_site_doc *const *v, size_t k, const char ***out, size_t *nout)
{
	const char **tags;
	size_t	     i, j, n = 0, total = 0;

	for (i = 0; i < k; i++)
		total += v[i]->tags.n;
	if ((tags = calloc(total + 1, sizeof(*tags))) == NULL)
		return RN_ERR_NOMEM;
	for (i = 0; i < k; i++)
		for (j = 0; j < v[i]->tags.n; j++)
			tags[n++] = v[i]->tags.v[j];
	qsort(tags, n, sizeof(*tags), cmp_str);
	for (i = 0, j = 0; i < n; i++)
		if (j == 0 || strcmp(tags[j - 1], tags[i]) != 0)
			tags[j++] = tags[i];
	*out = tags;
	*nout = j;
	return RN_OK;
}

static void
w_tag_section(
    struct site_w *w, const char *tag, bool heading, const struct rn_site_doc *const *v, size_t k)
{
	size_t i;

	if (heading) {
		site_w_puts(w, "<h2><a href=\"/tactics/tag/");
		site_w_href(w, tag);
		site_w_puts(w, "/\">");
		site_w_esc(w, tag, false);
		site_w_puts(w, "</a></h2>\n");
	}
	site_w_puts(w, "<ul class=\"docs\">\n");
	for (i = 0; i < k; i++)
		if (has_tag(v[i], tag))
			w_tactic(w, v[i], v, k);
	site_w_puts(w, "</ul>\n");
}

enum rn_err
rn_site_page_tactics(const struct rn_site_info *site, const struct rn_site_doc *const *docs,
    size_t n, const char *tag, struct rn_buf *out)
{
	struct site_w		   w = { out, RN_OK };
	const struct rn_site_doc **v = NULL;
	const char		 **tags = NULL;
	size_t			   k = 0, ntags = 0, i;
	char			   feed[32 + RN_SITE_MAX_ID];

	if (!site_ok(site) || (tag != NULL && !site_is_slug(tag)))
		return RN_ERR_INVAL;
	if ((w.err = select_section(docs, n, RN_SITE_TACTICS, &v, &k)) != RN_OK ||
	    (w.err = collect_tags(v, k, &tags, &ntags)) != RN_OK)
		goto out;
	if (tag != NULL)
		snprintf(feed, sizeof(feed), "/feeds/tag/%s.atom", tag);
	page_open(&w, site, site_lang(site), tag != NULL ? tag : "Tactics",
	    tag != NULL ? feed : "/feeds/tactics.atom");
	site_w_puts(&w, "<h1>");
	if (tag != NULL) {
		site_w_puts(&w, "Tactics: ");
		site_w_esc(&w, tag, false);
		site_w_puts(&w, "</h1>\n");
		w_tag_section(&w, tag, false, v, k);
	} else {
		site_w_puts(&w, "Tactics</h1>\n");
		for (i = 0; i < ntags; i++)
			w_tag_section(&w, tags[i], true, v, k);
	}
	page_close(&w);
out:
	free(tags);
	free(v);
	return w.err;
}

enum rn_err
rn_site_page_conflicts(const struct rn_site_info *site, const struct rn_site_doc *const *docs,
    size_t n, struct rn_buf *out)
{
	struct site_w		   w = { out, RN_OK };
	const struct rn_site_doc **v = NULL;
	size_t			   k = 0, i;

	if (!site_ok(site))
		return RN_ERR_INVAL;
	if ((w.err = select_section(docs, n, RN_SITE_CONFLICTS, &v, &k)) != RN_OK)
		return w.err;
	page_open(&w, site, site_lang(site), "Conflict write-ups", "/feeds/conflicts.atom");
	site_w_puts(&w, "<h1>Conflict write-ups</h1>\n<ul class=\"docs\">\n");
	for (i = 0; i < k; i++)
		w_item(&w, v[i], true);
	site_w_puts(&w, "</ul>\n");
	page_close(&w);
	free(v);
	return w.err;
}

enum rn_err
rn_site_path(enum rn_site_path_kind kind, const char *arg, const char *arg2, unsigned page,
    struct rn_buf *out)
{
	enum rn_site_section sec;

	rn_buf_reset(out);
	switch (kind) {
	case RN_SITE_PATH_HOME: return rn_buf_puts(out, "/");
	case RN_SITE_PATH_SECTION:
	case RN_SITE_PATH_FEED:
		if (arg == NULL || rn_site_section_parse(arg, strlen(arg), &sec) != RN_OK)
			return RN_ERR_INVAL;
		return rn_buf_printf(
		    out, kind == RN_SITE_PATH_FEED ? "/feeds/%s.atom" : "/%s/", arg);
	case RN_SITE_PATH_PAGE:
		return page < 2 ? RN_ERR_INVAL : rn_buf_printf(out, "/bulletins/page/%u/", page);
	case RN_SITE_PATH_TAG:
	case RN_SITE_PATH_TAG_FEED:
	case RN_SITE_PATH_DOC:
		if (arg == NULL || !site_is_slug(arg))
			return RN_ERR_INVAL;
		return rn_buf_printf(out,
		    kind == RN_SITE_PATH_TAG ? "/tactics/tag/%s/" :
		    kind == RN_SITE_PATH_DOC ? "/d/%s/" :
					       "/feeds/tag/%s.atom",
		    arg);
	case RN_SITE_PATH_LANG_FEED:
		if (arg == NULL || !site_is_lang(arg))
			return RN_ERR_INVAL;
		return rn_buf_printf(out, "/feeds/lang/%s.atom", arg);
	case RN_SITE_PATH_ATTACHMENT:
		if (arg == NULL || arg2 == NULL || !site_is_slug(arg) ||
		    rn_site_check_attachment(arg2, strlen(arg2), NULL) != RN_OK)
			return RN_ERR_INVAL;
		return rn_buf_printf(out, "/d/%s/%s", arg, arg2);
	}
	return RN_ERR_INVAL;
}

const char *
rn_site_stylesheet(void)
{
	return "html{font-family:system-ui,sans-serif;line-height:1.5;color:#1b1b1b;"
	       "background:#fdfdf8}\n"
	       "body{max-width:42rem;margin:0 auto;padding:0 1rem}\n"
	       "header nav ul,.pager ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;"
	       "gap:1rem}\n"
	       "a{color:#0b4f8a}\n"
	       ".site a{font-weight:bold;text-decoration:none;color:inherit}\n"
	       ".meta,time,footer{color:#555;font-size:.9rem}\n"
	       ".retracted{border:2px solid #a00;padding:.5rem;color:#a00}\n"
	       ".conflict dt{font-weight:bold;margin-top:.5rem}\n"
	       ".status{border:1px solid;padding:0 .3rem;font-size:.8rem}\n"
	       "img{max-width:100%;height:auto}\n"
	       "pre{overflow-x:auto;background:#f0f0e8;padding:.5rem}\n"
	       "mark{background:#ffe58a}\n"
	       "@media (prefers-color-scheme:dark){html{color:#e6e6e6;background:#161616}"
	       "a{color:#8cc4ff}pre{background:#222}}\n";
}
