/*
 * Atom feeds (RFC 4287) per section, tag and language.  Every text is
 * escaped for XML 1.0 (characters XML cannot carry become U+FFFD); entry
 * content is the document's HTML, escaped once more as type="html" wants.
 * Links are site-absolute paths, resolved by readers against the feed's URL.
 */
#include <stdlib.h>
#include <string.h>

#include "site/site_int.h"

static bool
matches(const struct rn_site_doc *doc, const struct rn_site_feed_filter *f)
{
	size_t i;
	bool   tag = f->tag == NULL;

	if (f->section >= 0 && doc->section != (enum rn_site_section)f->section)
		return false;
	if (f->lang != NULL && strcmp(doc->lang, f->lang) != 0)
		return false;
	for (i = 0; i < doc->tags.n && !tag; i++)
		tag = strcmp(doc->tags.v[i], f->tag) == 0;
	return tag;
}

/* The feed's own path, which also names it in its id. */
static enum rn_err
feed_path(const struct rn_site_feed_filter *f, struct rn_buf *path)
{
	if (f->tag != NULL)
		return rn_site_path(RN_SITE_PATH_TAG_FEED, f->tag, NULL, 0, path);
	if (f->lang != NULL)
		return rn_site_path(RN_SITE_PATH_LANG_FEED, f->lang, NULL, 0, path);
	if (f->section >= 0)
		return rn_site_path(RN_SITE_PATH_FEED,
		    rn_site_section_name((enum rn_site_section)f->section), NULL, 0, path);
	return rn_buf_puts(path, "/feeds/all.atom");
}

/* The feed's subject after the site's name: " - Bulletins", " - tag x", " - fr". */
static void
w_feed_title(struct site_w *w, const struct rn_site_feed_filter *f)
{
	static const char *const names[RN_SITE__NSECTIONS] = { "Bulletins", "Tactics",
		"Conflict write-ups" };

	if (f->section >= 0) {
		site_w_puts(w, " \xe2\x80\x94 ");
		site_w_puts(w, names[f->section]);
	}
	if (f->tag != NULL) {
		site_w_puts(w, " \xe2\x80\x94 tag ");
		site_w_xml(w, f->tag);
	}
	if (f->lang != NULL) {
		site_w_puts(w, " \xe2\x80\x94 ");
		site_w_xml(w, f->lang);
	}
}

static void
w_entry(struct site_w *w, const struct rn_site_info *site, const struct rn_site_doc *doc,
    int64_t updated, struct rn_buf *html)
{
	char   ts[RN_SITE_DATE_BUFSZ];
	size_t i;

	rn_site_date_format(doc->has_date ? doc->date.utc : updated, ts);
	site_w_puts(w, "<entry xml:lang=\"");
	site_w_xml(w, doc->lang);
	site_w_puts(w, "\">\n<id>urn:roneo:");
	site_w_xml(w, site->collection_id);
	site_w_puts(w, ":");
	site_w_xml(w, doc->id);
	site_w_puts(w, "</id>\n<title type=\"text\">");
	site_w_xml(w, doc->title);
	site_w_printf(w, "</title>\n<updated>%s</updated>\n", ts);
	if (doc->has_date)
		site_w_printf(w, "<published>%s</published>\n", ts);
	site_w_puts(w, "<link rel=\"alternate\" type=\"text/html\" href=\"/d/");
	site_w_xml(w, doc->id);
	site_w_puts(w, "/\"/>\n");
	for (i = 0; i < doc->authors.n; i++) {
		site_w_puts(w, "<author><name>");
		site_w_xml(w, doc->authors.v[i]);
		site_w_puts(w, "</name></author>\n");
	}
	for (i = 0; i < doc->tags.n; i++) {
		site_w_puts(w, "<category term=\"");
		site_w_xml(w, doc->tags.v[i]);
		site_w_puts(w, "\"/>\n");
	}
	if (doc->summary != NULL) {
		site_w_puts(w, "<summary type=\"text\">");
		site_w_xml(w, doc->summary);
		site_w_puts(w, "</summary>\n");
	}
	rn_buf_reset(html);
	if (w->err == RN_OK && doc->body != NULL)
		w->err = rn_site_markdown_html(doc->body, doc->body_len, doc->id, html);
	site_w_puts(w, "<content type=\"html\">");
	if (w->err == RN_OK && html->len > 0)
		w->err = site_xml_escape(w->b, html->data, html->len);
	site_w_puts(w, "</content>\n</entry>\n");
}

enum rn_err
rn_site_feed_atom(const struct rn_site_info *site, const struct rn_site_feed_filter *filter,
    const struct rn_site_doc *const *docs, size_t n, int64_t updated, struct rn_buf *out)
{
	struct site_w		   w = { out, RN_OK };
	const struct rn_site_doc **v = NULL;
	struct rn_buf		   path, html;
	size_t			   i, k = 0;
	char			   ts[RN_SITE_DATE_BUFSZ];

	rn_buf_init(&path, 256);
	rn_buf_init(&html, RN_SITE_MAX_PAGE);
	if (site->collection_id == NULL || site->title == NULL ||
	    (filter->section >= RN_SITE__NSECTIONS)) {
		w.err = RN_ERR_INVAL;
		goto out;
	}
	if ((w.err = feed_path(filter, &path)) != RN_OK ||
	    (w.err = site_sort_by_date(docs, n, &v)) != RN_OK)
		goto out;
	for (i = 0; i < n; i++)
		if (matches(v[i], filter) && k < RN_SITE_MAX_FEED_ENTRIES)
			v[k++] = v[i];
	/* Newest first: the feed was updated when its newest entry was. */
	rn_site_date_format(k > 0 && v[0]->has_date ? v[0]->date.utc : updated, ts);
	site_w_puts(&w, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
			"<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"");
	site_w_xml(&w, site->lang != NULL && site_is_lang(site->lang) ? site->lang : "en");
	site_w_puts(&w, "\">\n<id>urn:roneo:");
	site_w_xml(&w, site->collection_id);
	site_w_puts(&w, ":feed:");
	site_w_xml(&w, path.data);
	site_w_puts(&w, "</id>\n<title type=\"text\">");
	site_w_xml(&w, site->title);
	w_feed_title(&w, filter);
	site_w_printf(&w, "</title>\n<updated>%s</updated>\n<author><name>", ts);
	site_w_xml(&w, site->title);
	site_w_puts(
	    &w, "</name></author>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"");
	site_w_xml(&w, path.data);
	site_w_puts(&w, "\"/>\n");
	for (i = 0; i < k; i++)
		w_entry(&w, site, v[i], updated, &html);
	site_w_puts(&w, "</feed>\n");
out:
	free(v);
	rn_buf_free(&path);
	rn_buf_free(&html);
	return w.err;
}
