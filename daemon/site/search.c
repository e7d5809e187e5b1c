/*
 * The site's search index: SQLite FTS5, one table with the unicode61
 * tokenizer (diacritics removed: "resume" finds "résumé") and one with the
 * trigram tokenizer (substrings, and scripts written without spaces).
 * User text only ever reaches SQLite as a bound parameter holding quoted
 * strings, so FTS5 query syntax (NEAR, *, ^, column filters) cannot be used.
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "roneo/rn_log.h"
#include "site/site_int.h"

#define SCHEMA_VERSION 1
#define BUSY_MS	       5000
#define MARK_OPEN      '\x02' /* snippet() markers: never in indexed text */
#define MARK_CLOSE     '\x03'

struct rn_site_search {
	sqlite3 *db;
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS doc ("
    " rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, title TEXT NOT NULL,"
    " section INTEGER NOT NULL);"
    "CREATE VIRTUAL TABLE IF NOT EXISTS doc_words USING fts5(title, body,"
    " tokenize = 'unicode61 remove_diacritics 2');"
    "CREATE VIRTUAL TABLE IF NOT EXISTS doc_tri USING fts5(title, body, tokenize = 'trigram');"
    "PRAGMA user_version = 1;";

static enum rn_err
db_err(struct rn_site_search *s, const char *what)
{
	rn_log_err("search index: %s: %s", what, sqlite3_errmsg(s->db));
	return RN_ERR_IO;
}

static enum rn_err
exec(struct rn_site_search *s, const char *sql)
{
	return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? RN_OK : db_err(s, sql);
}

static enum rn_err
check_schema(struct rn_site_search *s)
{
	sqlite3_stmt *st = NULL;
	int	      version = -1;
	enum rn_err   err;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return db_err(s, "user_version");
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version == SCHEMA_VERSION)
		return RN_OK;
	if (version != 0) {
		rn_log_err("search index: schema version %d, this roneod knows %d", version,
		    SCHEMA_VERSION);
		return RN_ERR_INVAL;
	}
	if ((err = exec(s, "BEGIN IMMEDIATE")) != RN_OK)
		return err;
	if ((err = exec(s, schema)) != RN_OK) {
		(void)exec(s, "ROLLBACK");
		return err;
	}
	return exec(s, "COMMIT");
}

enum rn_err
rn_site_search_open(const char *path, struct rn_site_search **out)
{
	struct rn_site_search *s;
	enum rn_err	       err;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return RN_ERR_NOMEM;
	if (sqlite3_open_v2(path != NULL ? path : ":memory:", &s->db,
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW,
		NULL) != SQLITE_OK) {
		err = db_err(s, "open");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, BUSY_MS);
	if ((path != NULL && (err = exec(s, "PRAGMA journal_mode = WAL")) != RN_OK) ||
	    (err = check_schema(s)) != RN_OK)
		goto fail;
	*out = s;
	return RN_OK;
fail:
	rn_site_search_close(s);
	return err;
}

void
rn_site_search_close(struct rn_site_search *s)
{
	if (s == NULL)
		return;
	sqlite3_close(s->db);
	free(s);
}

/* Controls become spaces, so the snippet markers stay unambiguous. */
static void
strip_controls(struct rn_buf *b, size_t from)
{
	size_t i;

	for (i = from; i < b->len; i++)
		if ((unsigned char)b->data[i] < 0x20 && b->data[i] != '\n')
			b->data[i] = ' ';
}

/* What is searched besides the title: summary, the write-up's fields, the text. */
static enum rn_err
doc_text(const struct rn_site_doc *doc, struct rn_buf *b)
{
	const char *parts[] = { doc->summary, doc->conflict.context, doc->conflict.process,
		doc->conflict.outcome };
	enum rn_err err = RN_OK;
	size_t	    i;

	rn_buf_reset(b);
	for (i = 0; i < RN_ARRAY_LEN(parts) && err == RN_OK; i++)
		if (parts[i] != NULL && (err = rn_buf_puts(b, parts[i])) == RN_OK)
			err = rn_buf_puts(b, "\n");
	if (err == RN_OK && doc->body != NULL)
		err = rn_site_markdown_text(doc->body, doc->body_len, b);
	if (err == RN_OK)
		strip_controls(b, 0);
	return err;
}

static enum rn_err
run(struct rn_site_search *s, const char *sql, sqlite3_int64 rowid, const char *a, const char *b,
    int section)
{
	sqlite3_stmt *st = NULL;
	enum rn_err   err = RN_OK;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_err(s, "prepare");
	sqlite3_bind_int64(st, 1, rowid);
	if (a != NULL)
		sqlite3_bind_text(st, 2, a, -1, SQLITE_STATIC);
	if (b != NULL)
		sqlite3_bind_text(st, 3, b, -1, SQLITE_STATIC);
	if (section >= 0)
		sqlite3_bind_int(st, 4, section);
	if (sqlite3_step(st) != SQLITE_DONE)
		err = db_err(s, "step");
	sqlite3_finalize(st);
	return err;
}

/* The rowid of a document id, 0 if it is not indexed. */
static enum rn_err
lookup(struct rn_site_search *s, const char *id, sqlite3_int64 *rowid)
{
	sqlite3_stmt *st = NULL;
	int	      rc;

	*rowid = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT rowid FROM doc WHERE id = ?1", -1, &st, NULL) !=
	    SQLITE_OK)
		return db_err(s, "prepare");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*rowid = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? RN_OK : db_err(s, "lookup");
}

static enum rn_err
delete_rows(struct rn_site_search *s, sqlite3_int64 rowid)
{
	enum rn_err err;

	if ((err = run(s, "DELETE FROM doc_words WHERE rowid = ?1", rowid, NULL, NULL, -1)) !=
		RN_OK ||
	    (err = run(s, "DELETE FROM doc_tri WHERE rowid = ?1", rowid, NULL, NULL, -1)) != RN_OK)
		return err;
	return run(s, "DELETE FROM doc WHERE rowid = ?1", rowid, NULL, NULL, -1);
}

static enum rn_err
put_one(struct rn_site_search *s, const struct rn_site_doc *doc, struct rn_buf *text)
{
	sqlite3_int64 rowid;
	enum rn_err   err;

	if (!site_is_slug(doc->id) || doc->title == NULL)
		return RN_ERR_INVAL;
	if ((err = doc_text(doc, text)) != RN_OK || (err = lookup(s, doc->id, &rowid)) != RN_OK)
		return err;
	if (rowid != 0 && (err = delete_rows(s, rowid)) != RN_OK)
		return err;
	if ((err = run(s, "INSERT INTO doc (rowid, id, title, section) VALUES (NULL, ?2, ?3, ?4)",
		 0, doc->id, doc->title, (int)doc->section)) != RN_OK)
		return err;
	rowid = sqlite3_last_insert_rowid(s->db);
	if ((err = run(s, "INSERT INTO doc_words (rowid, title, body) VALUES (?1, ?2, ?3)", rowid,
		 doc->title, text->data != NULL ? text->data : "", -1)) != RN_OK)
		return err;
	return run(s, "INSERT INTO doc_tri (rowid, title, body) VALUES (?1, ?2, ?3)", rowid,
	    doc->title, text->data != NULL ? text->data : "", -1);
}

enum rn_err
rn_site_search_put(struct rn_site_search *s, const struct rn_site_doc *const *docs, size_t n)
{
	struct rn_buf text;
	enum rn_err   err;
	size_t	      i;

	rn_buf_init(&text, 2 * RN_SITE_MAX_BODY);
	if ((err = exec(s, "BEGIN IMMEDIATE")) != RN_OK)
		return err;
	for (i = 0; i < n && err == RN_OK; i++)
		err = put_one(s, docs[i], &text);
	rn_buf_free(&text);
	if (err != RN_OK) {
		(void)exec(s, "ROLLBACK");
		return err;
	}
	return exec(s, "COMMIT");
}

enum rn_err
rn_site_search_remove(struct rn_site_search *s, const char *id)
{
	sqlite3_int64 rowid;
	enum rn_err   err;

	if ((err = exec(s, "BEGIN IMMEDIATE")) != RN_OK)
		return err;
	if ((err = lookup(s, id, &rowid)) == RN_OK)
		err = rowid == 0 ? RN_ERR_NOTFOUND : delete_rows(s, rowid);
	if (err != RN_OK) {
		(void)exec(s, "ROLLBACK");
		return err;
	}
	return exec(s, "COMMIT");
}

/*
 * The user's query as FTS5 strings: each white-space separated term in
 * double quotes (a '"' inside doubled), joined by spaces (all must match).
 * *short_term tells whether a term has under 3 characters (no trigrams).
 */
static enum rn_err
quote_query(const char *q, size_t n, struct rn_buf *out, bool *short_term)
{
	size_t	 i = 0, l, terms = 0, chars;
	uint32_t cp;

	*short_term = false;
	if (n > RN_SITE_MAX_QUERY)
		return RN_ERR_TOOBIG;
	if (!site_utf8_valid(q, n))
		return RN_ERR_INVAL;
	for (;;) {
		while (i < n && (q[i] == ' ' || q[i] == '\t' || q[i] == '\n' || q[i] == '\r'))
			i++;
		if (i == n)
			break;
		if (++terms > RN_SITE_MAX_QUERY_TERMS)
			return RN_ERR_TOOBIG;
		if (rn_buf_puts(out, terms > 1 ? " \"" : "\"") != RN_OK)
			return RN_ERR_NOMEM;
		for (chars = 0;
		     i < n && q[i] != ' ' && q[i] != '\t' && q[i] != '\n' && q[i] != '\r';
		     i += l, chars++) {
			l = site_utf8_next(q + i, n - i, &cp);
			if (cp < 0x20 || cp == 0x7f)
				return RN_ERR_INVAL;
			if ((cp == '"' && rn_buf_puts(out, "\"") != RN_OK) ||
			    rn_buf_append(out, q + i, l) != RN_OK)
				return RN_ERR_NOMEM;
		}
		*short_term |= chars < 3;
		if (rn_buf_puts(out, "\"") != RN_OK)
			return RN_ERR_NOMEM;
	}
	return terms == 0 ? RN_ERR_INVAL : RN_OK;
}

/* The snippet, HTML-escaped, its markers turned into <mark></mark>. */
static enum rn_err
escape_snippet(const char *s, char **out)
{
	struct rn_buf b;
	enum rn_err   err = RN_OK;
	size_t	      n;

	rn_buf_init(&b, 64 * 1024);
	while (err == RN_OK && *s != '\0') {
		n = strcspn(s, "\x02\x03");
		if ((err = rn_buf_html_escape(&b, s, n)) != RN_OK || s[n] == '\0')
			break;
		err = rn_buf_puts(&b, s[n] == MARK_OPEN ? "<mark>" : "</mark>");
		s += n + 1;
	}
	if (err == RN_OK && b.data == NULL)
		err = rn_buf_puts(&b, "");
	*out = err == RN_OK ? b.data : NULL;
	if (err != RN_OK)
		rn_buf_free(&b);
	return err;
}

static enum rn_err
add_hit(struct rn_site_results *res, sqlite3_stmt *st)
{
	struct rn_site_hit *h = &res->hits[res->n];
	const char	   *id = (const char *)sqlite3_column_text(st, 0);
	const char	   *title = (const char *)sqlite3_column_text(st, 1);
	const char	   *snip = (const char *)sqlite3_column_text(st, 3);
	int		    sec = sqlite3_column_int(st, 2);

	if (id == NULL || title == NULL || sec < 0 || sec >= RN_SITE__NSECTIONS)
		return RN_ERR_INVAL;
	h->section = (enum rn_site_section)sec;
	if ((h->id = strdup(id)) == NULL || (h->title = strdup(title)) == NULL ||
	    escape_snippet(snip != NULL ? snip : "", &h->snippet_html) != RN_OK)
		return RN_ERR_NOMEM;
	res->n++;
	return RN_OK;
}

static const char *const query_sql[2] = {
	"SELECT d.id, d.title, d.section,"
	" snippet(doc_words, -1, char(2), char(3), '\xe2\x80\xa6', 16)"
	" FROM doc_words JOIN doc d ON d.rowid = doc_words.rowid"
	" WHERE doc_words MATCH ?1 ORDER BY bm25(doc_words, 5.0, 1.0), d.id LIMIT ?2 OFFSET ?3",
	"SELECT d.id, d.title, d.section,"
	" snippet(doc_tri, -1, char(2), char(3), '\xe2\x80\xa6', 16)"
	" FROM doc_tri JOIN doc d ON d.rowid = doc_tri.rowid"
	" WHERE doc_tri MATCH ?1 ORDER BY bm25(doc_tri, 5.0, 1.0), d.id LIMIT ?2 OFFSET ?3",
};

static enum rn_err
run_query(struct rn_site_search *s, int which, const char *match, size_t offset, size_t limit,
    struct rn_site_results *res)
{
	sqlite3_stmt *st = NULL;
	enum rn_err   err = RN_OK;
	int	      rc;

	if (sqlite3_prepare_v2(s->db, query_sql[which], -1, &st, NULL) != SQLITE_OK)
		return db_err(s, "prepare");
	sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)limit + 1);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)offset);
	while (err == RN_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (res->n == limit) {
			res->more = true;
			break;
		}
		err = add_hit(res, st);
	}
	if (err == RN_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = db_err(s, "query");
	sqlite3_finalize(st);
	return err;
}

enum rn_err
rn_site_search_query(struct rn_site_search *s, const char *q, size_t qlen, size_t offset,
    size_t limit, struct rn_site_results *res)
{
	struct rn_buf match;
	enum rn_err   err;
	bool	      short_term;

	memset(res, 0, sizeof(*res));
	if (limit == 0 || limit > RN_SITE_MAX_RESULTS || offset > RN_SITE_MAX_RESULT_OFFSET)
		return RN_ERR_INVAL;
	rn_buf_init(&match, 4 * RN_SITE_MAX_QUERY);
	if ((err = quote_query(q, qlen, &match, &short_term)) != RN_OK)
		goto out;
	if ((res->hits = calloc(limit + 1, sizeof(*res->hits))) == NULL) {
		err = RN_ERR_NOMEM;
		goto out;
	}
	err = run_query(s, 0, match.data, offset, limit, res);
	if (err == RN_OK && res->n == 0 && !short_term)
		err = run_query(s, 1, match.data, offset, limit, res);
out:
	rn_buf_free(&match);
	if (err != RN_OK)
		rn_site_results_free(res);
	return err;
}

void
rn_site_results_free(struct rn_site_results *res)
{
	size_t i;

	if (res == NULL)
		return;
	for (i = 0; res->hits != NULL && i < res->n; i++) {
		free(res->hits[i].id);
		free(res->hits[i].title);
		free(res->hits[i].snippet_html);
	}
	/* A hit being filled when an error struck holds what it got so far (hits has limit + 1). */
	if (res->hits != NULL) {
		free(res->hits[res->n].id);
		free(res->hits[res->n].title);
		free(res->hits[res->n].snippet_html);
	}
	RN_FREE(res->hits);
	res->n = 0;
	res->more = false;
}
