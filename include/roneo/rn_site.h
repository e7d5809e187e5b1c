/*
 * The published site's document layer (daemon/site/): Markdown documents with
 * YAML-subset front matter, their validation, safe Markdown to HTML, the
 * static pages and Atom feeds built from them, and the search index.
 *
 * Everything here is a pure function of its inputs (documents in, bytes out)
 * except the search index, which is an SQLite database.  The site layout
 * (paths under the public directory) is described in daemon/site/README.md;
 * rn_site_path() builds each path.
 */
#ifndef RN_SITE_H
#define RN_SITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rn_err.h"
#include "rn_limits.h"
#include "rn_util.h"

/* The three sections of a collection. */
enum rn_site_section {
	RN_SITE_BULLETINS = 0, /* dated bulletins */
	RN_SITE_TACTICS,       /* tactics archive: tags, related tactics */
	RN_SITE_CONFLICTS,     /* conflict-resolution write-ups */
	RN_SITE__NSECTIONS
};

/* "bulletins", "tactics", "conflicts": the front matter's section values and the paths. */
const char *rn_site_section_name(enum rn_site_section s);
enum rn_err rn_site_section_parse(const char *s, size_t n, enum rn_site_section *out);
/* Editors who must sign a publish in this section by default (conflicts: 2; others: 1). */
unsigned rn_site_section_threshold(enum rn_site_section s);

/*
 * An RFC 3339 date ("2026-11-23") or date-time ("2026-11-23T17:28:19Z",
 * "2026-11-23T18:28:19.5+01:00"; fractions are dropped).  `utc` is the
 * instant as seconds since 1970 UTC (a date alone is its UTC midnight).
 */
struct rn_site_date {
	int64_t utc;
	int	offset_min; /* the written offset, for display */
	bool	has_time;
};
enum rn_err rn_site_date_parse(const char *s, size_t n, struct rn_site_date *out);
/* RFC 3339 in UTC, "YYYY-MM-DDTHH:MM:SSZ", into out[RN_SITE_DATE_BUFSZ]. */
#define RN_SITE_DATE_BUFSZ 21u
void rn_site_date_format(int64_t utc, char *out);

enum rn_site_status {
	RN_SITE_STATUS_NONE = 0,
	RN_SITE_STATUS_OPEN,
	RN_SITE_STATUS_RESOLVED,
	RN_SITE_STATUS_REVISITED
};
const char *rn_site_status_name(enum rn_site_status st);

struct rn_site_list {
	char **v;
	size_t n;
};

struct rn_site_translation {
	char *lang;
	char *id;
};

/* The structured fields of a conflict-resolution write-up. */
struct rn_site_conflict {
	char		   *context;
	struct rn_site_list parties; /* by role only ("organiser", "member") */
	char		   *process;
	char		   *outcome;
	enum rn_site_status status;
	struct rn_site_list follow_ups;
	bool		    consent; /* consent attested: must be true to publish */
	char		   *right_of_reply;
};

/* A parsed, validated document.  Strings are NUL-terminated UTF-8. */
struct rn_site_doc {
	char			   *id; /* a slug: [a-z0-9] and inner '-' */
	char			   *title;
	enum rn_site_section	    section;
	char			   *lang; /* BCP 47 subset: "en", "pt-BR" */
	struct rn_site_date	    date;
	bool			    has_date;
	uint64_t		    revision; /* 1 unless the front matter says */
	char			   *summary;
	struct rn_site_list	    tags;	  /* slugs */
	struct rn_site_list	    authors;	  /* pseudonyms */
	struct rn_site_translation *translations; /* lang -> id */
	size_t			    ntranslations;
	struct rn_site_list	    attachments; /* file names */
	struct rn_site_list	    related;	 /* tactics: ids of related tactics */
	struct rn_site_conflict	    conflict;	 /* conflicts only */
	char			   *body;	 /* the Markdown after the front matter */
	size_t			    body_len;
};

/* Where and why a document was refused: line 0 when not about one line. */
struct rn_site_error {
	unsigned line;
	char	 msg[160];
};

/* rn_site_doc_parse flags */
#define RN_SITE_PARSE_DRAFT 0x1u /* skip the publishing rules (rn_site_doc_validate) */

/*
 * Parse a whole document: "---" line, front matter, "---" line, Markdown.
 * Checks the syntax, every field, and (unless RN_SITE_PARSE_DRAFT) the
 * publishing rules.  On error *out is NULL and err (if not NULL) says where.
 */
enum rn_err rn_site_doc_parse(const char *text, size_t len, unsigned flags,
    struct rn_site_doc **out, struct rn_site_error *err);
/*
 * The rules a document must meet to be published: bulletins and conflict
 * write-ups are dated; a tactic has a tag; a write-up has its context,
 * parties, process, outcome and status, and consent attested.
 */
enum rn_err rn_site_doc_validate(const struct rn_site_doc *doc, struct rn_site_error *err);
void	    rn_site_doc_free(struct rn_site_doc *doc);

/* The name checks the parser applies, for other callers (the CLI, the store). */
enum rn_err rn_site_check_id(const char *s, size_t n, struct rn_site_error *err);
enum rn_err rn_site_check_attachment(const char *s, size_t n, struct rn_site_error *err);

/*
 * Markdown to HTML through cmark's safe default (raw HTML and unsafe URLs
 * dropped) plus an AST pass: off-site images are dropped (their alt text
 * kept), external http(s)/mailto links get rel="noreferrer", doc:ID and
 * relative links become site paths resolved against the document's own
 * directory /d/ID/, and links with any other scheme lose their link (the
 * text stays).  `doc_id` may be NULL (relative links resolve against /).
 * Input over RN_SITE_MAX_BODY: RN_ERR_TOOBIG.  Appends to out.
 */
enum rn_err rn_site_markdown_html(
    const char *md, size_t len, const char *doc_id, struct rn_buf *out);
/* The Markdown's text only (for the search index), blocks separated by newlines. */
enum rn_err rn_site_markdown_text(const char *md, size_t len, struct rn_buf *out);

/* What the site says about itself on every page and feed. */
struct rn_site_info {
	const char *title;	   /* the collection's name */
	const char *lang;	   /* of the site's own words ("en") */
	const char *collection_id; /* hex; names feed entries (urn:roneo:ID:DOC) */
};

/* What the signed collection says about one document (all optional). */
struct rn_site_provenance {
	const char	  *commit;  /* hex hash of the commit that published it */
	uint64_t	   seq;	    /* that commit's seq */
	const char *const *signers; /* editors' names or key fingerprints */
	size_t		   nsigners;
	bool		   retracted;
	const char	  *retract_reason;
};

enum rn_site_path_kind {
	RN_SITE_PATH_HOME,	 /* "/" */
	RN_SITE_PATH_SECTION,	 /* "/bulletins/" (arg: section name) */
	RN_SITE_PATH_PAGE,	 /* "/bulletins/page/N/" (N >= 2; 1 is the section) */
	RN_SITE_PATH_TAG,	 /* "/tactics/tag/TAG/" */
	RN_SITE_PATH_DOC,	 /* "/d/ID/" */
	RN_SITE_PATH_FEED,	 /* "/feeds/SECTION.atom" */
	RN_SITE_PATH_TAG_FEED,	 /* "/feeds/tag/TAG.atom" */
	RN_SITE_PATH_LANG_FEED,	 /* "/feeds/lang/LANG.atom" */
	RN_SITE_PATH_ATTACHMENT, /* "/d/ID/NAME" (arg: ID, arg2: NAME) */
};
/*
 * The URL path of a page or feed into out (cleared first).  Paths ending in
 * '/' are written to the file index.html there.  Arguments are checked
 * (slugs, language tags, attachment names): RN_ERR_INVAL otherwise.
 */
enum rn_err rn_site_path(enum rn_site_path_kind kind, const char *arg, const char *arg2,
    unsigned page, struct rn_buf *out);

/*
 * Pages: each appends one whole HTML document to out (DESIGN §9: no script,
 * no inline style, no SVG, no web fonts, one same-origin stylesheet
 * /site.css).  Document arrays are borrowed and not reordered.
 */
enum rn_err rn_site_page_doc(const struct rn_site_info *site, const struct rn_site_doc *doc,
    const struct rn_site_provenance *prov, struct rn_buf *out);
/* The home page: the latest bulletins (up to per_page) and the sections. */
enum rn_err rn_site_page_home(const struct rn_site_info *site,
    const struct rn_site_doc *const *docs, size_t n, unsigned per_page, struct rn_buf *out);
/*
 * Bulletins, newest first, per_page to a page; page counts from 1.
 * *npages (if not NULL) gets the number of pages.  A page past the last: RN_ERR_NOTFOUND.
 */
enum rn_err rn_site_page_bulletins(const struct rn_site_info *site,
    const struct rn_site_doc *const *docs, size_t n, unsigned page, unsigned per_page,
    unsigned *npages, struct rn_buf *out);
/* Tactics grouped by tag (tag NULL), or those of one tag, each with its related tactics. */
enum rn_err rn_site_page_tactics(const struct rn_site_info *site,
    const struct rn_site_doc *const *docs, size_t n, const char *tag, struct rn_buf *out);
/* Conflict write-ups, newest first, with status. */
enum rn_err rn_site_page_conflicts(const struct rn_site_info *site,
    const struct rn_site_doc *const *docs, size_t n, struct rn_buf *out);

/*
 * The site's stylesheet, to be written as /site.css: system fonts only (no
 * web fonts), nothing loaded from anywhere.
 */
const char *rn_site_stylesheet(void);

/* Which documents a feed holds: a section, a tag, a language (NULL/negative: any). */
struct rn_site_feed_filter {
	int	    section; /* an enum rn_site_section, or -1 */
	const char *tag;
	const char *lang;
};
/*
 * An Atom (RFC 4287) feed of the matching dated documents, newest first, at
 * most RN_SITE_MAX_FEED_ENTRIES, with each entry's HTML content.  `updated`
 * is the feed's date when no entry is dated.
 */
enum rn_err rn_site_feed_atom(const struct rn_site_info *site,
    const struct rn_site_feed_filter *filter, const struct rn_site_doc *const *docs, size_t n,
    int64_t updated, struct rn_buf *out);

/*
 * Search: an SQLite FTS5 index (unicode61, remove_diacritics 2) and a trigram
 * index of each document's title, summary and text.  A user query is split on
 * white space and each term is quoted, so FTS syntax never reaches SQLite;
 * terms must all match.  When the word index finds nothing the trigram index
 * is tried (substrings; every term needs 3 characters or more).
 */
struct rn_site_search;

struct rn_site_hit {
	char		    *id;
	char		    *title;
	enum rn_site_section section;
	char		    *snippet_html; /* escaped, matches in <mark></mark> */
};
struct rn_site_results {
	struct rn_site_hit *hits;
	size_t		    n;
	bool		    more; /* further results past this page */
};

/* path NULL: an in-memory index. */
enum rn_err rn_site_search_open(const char *path, struct rn_site_search **out);
void	    rn_site_search_close(struct rn_site_search *s);
/* Index the documents (replacing any with the same id) in one transaction. */
enum rn_err rn_site_search_put(
    struct rn_site_search *s, const struct rn_site_doc *const *docs, size_t n);
/* Remove a document; RN_ERR_NOTFOUND if it is not indexed. */
enum rn_err rn_site_search_remove(struct rn_site_search *s, const char *id);
/*
 * Up to `limit` (<= RN_SITE_MAX_RESULTS) hits from `offset` (<=
 * RN_SITE_MAX_RESULT_OFFSET), best first.  A query over RN_SITE_MAX_QUERY
 * bytes or RN_SITE_MAX_QUERY_TERMS terms: RN_ERR_TOOBIG; not UTF-8 or
 * empty: RN_ERR_INVAL.
 */
enum rn_err rn_site_search_query(struct rn_site_search *s, const char *q, size_t qlen,
    size_t offset, size_t limit, struct rn_site_results *res);
void	    rn_site_results_free(struct rn_site_results *res);

#endif
