/*
 * Documents: the front matter's schema (which keys, of which shape, in which
 * section), the checks on every name a path is made of, and the publishing
 * rules of each section.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "site/frontmatter.h"
#include "site/site_int.h"

#define SEC_ALL	      0x7u
#define SEC_TACTICS   (1u << RN_SITE_TACTICS)
#define SEC_CONFLICTS (1u << RN_SITE_CONFLICTS)

typedef enum rn_err (*field_fn)(
    struct rn_site_doc *doc, const struct fm_entry *e, struct rn_site_error *err);

struct field {
	const char  *key;
	enum fm_kind kind;
	unsigned     sections;
	field_fn     fn;
};

static void
list_free(struct rn_site_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	RN_FREE(l->v);
	l->n = 0;
}

void
rn_site_doc_free(struct rn_site_doc *doc)
{
	size_t i;

	if (doc == NULL)
		return;
	free(doc->id);
	free(doc->title);
	free(doc->lang);
	free(doc->summary);
	list_free(&doc->tags);
	list_free(&doc->authors);
	for (i = 0; i < doc->ntranslations; i++) {
		free(doc->translations[i].lang);
		free(doc->translations[i].id);
	}
	free(doc->translations);
	list_free(&doc->attachments);
	list_free(&doc->related);
	free(doc->conflict.context);
	list_free(&doc->conflict.parties);
	free(doc->conflict.process);
	free(doc->conflict.outcome);
	list_free(&doc->conflict.follow_ups);
	free(doc->conflict.right_of_reply);
	free(doc->body);
	free(doc);
}

/*
 * The characters of a name that becomes part of a path: ASCII letters (only
 * lower-case for slugs), digits, '-' and (attachments) '.' and '_'.  Each
 * way to get it wrong has its own message.
 */
static enum rn_err
check_name(
    const char *s, size_t n, const char *what, bool slug, unsigned line, struct rn_site_error *err)
{
	size_t	 max = slug ? RN_SITE_MAX_ID : RN_SITE_MAX_ATTACHMENT, i, l;
	uint32_t cp;

	if (n == 0)
		return site_fail(err, line, RN_ERR_INVAL, "%s is empty", what);
	if (n > max)
		return site_fail(err, line, RN_ERR_INVAL, "%s longer than %zu bytes", what, max);
	if (memchr(s, '\0', n) != NULL)
		return site_fail(err, line, RN_ERR_INVAL, "%s holds a NUL byte", what);
	if (memmem(s, n, "..", 2) != NULL)
		return site_fail(err, line, RN_ERR_INVAL, "%s holds '..'", what);
	for (i = 0; i < n; i += l) {
		if ((l = site_utf8_next(s + i, n - i, &cp)) == 0)
			return site_fail(err, line, RN_ERR_INVAL, "%s is not UTF-8", what);
		if (cp == '/' || cp == '\\')
			return site_fail(
			    err, line, RN_ERR_INVAL, "%s holds a path separator", what);
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
			return site_fail(
			    err, line, RN_ERR_INVAL, "%s holds a control character", what);
		if (site_is_bidi_control(cp))
			return site_fail(err, line, RN_ERR_INVAL,
			    "%s holds a bidirectional control character (U+%04X)", what,
			    (unsigned)cp);
		if (cp >= 0x80)
			return site_fail(err, line, RN_ERR_INVAL,
			    "%s holds a non-ASCII character (U+%04X)", what, (unsigned)cp);
		if (slug && cp >= 'A' && cp <= 'Z')
			return site_fail(
			    err, line, RN_ERR_INVAL, "%s holds an upper-case letter", what);
		if (!((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
			(cp >= '0' && cp <= '9') || cp == '-' ||
			(!slug && (cp == '.' || cp == '_'))))
			return site_fail(err, line, RN_ERR_INVAL, "%s holds '%c'", what, (char)cp);
	}
	if (s[0] == '-' || s[0] == '.' || s[0] == '_' || (slug && s[n - 1] == '-'))
		return site_fail(err, line, RN_ERR_INVAL, "%s must start%s with a letter or digit",
		    what, slug ? " and end" : "");
	return RN_OK;
}

enum rn_err
rn_site_check_id(const char *s, size_t n, struct rn_site_error *err)
{
	return check_name(s, n, "id", true, 0, err);
}

static enum rn_err
check_attachment(const char *s, size_t n, unsigned line, struct rn_site_error *err)
{
	enum rn_err e;

	if ((e = check_name(s, n, "attachment name", false, line, err)) != RN_OK)
		return e;
	/* The document's page is index.html in the same directory (and its .gz twin). */
	if ((n == 10 && memcmp(s, "index.html", 10) == 0) ||
	    (n == 13 && memcmp(s, "index.html.gz", 13) == 0))
		return site_fail(
		    err, line, RN_ERR_INVAL, "attachment name %.*s is reserved", (int)n, s);
	return RN_OK;
}

enum rn_err
rn_site_check_attachment(const char *s, size_t n, struct rn_site_error *err)
{
	return check_attachment(s, n, 0, err);
}

/* Free text: no controls (newlines where allowed), no bidi overrides, not empty. */
static enum rn_err
check_text(const struct fm_scalar *v, const char *key, size_t max, bool multiline,
    struct rn_site_error *err)
{
	enum rn_err e;
	size_t	    i, l;
	uint32_t    cp;

	if ((e = fm_str(v, key, err)) != RN_OK)
		return e;
	if (v->n == 0)
		return site_fail(err, v->line, RN_ERR_INVAL, "'%s' is empty", key);
	if (v->n > max)
		return site_fail(
		    err, v->line, RN_ERR_INVAL, "'%s' longer than %zu bytes", key, max);
	for (i = 0; i < v->n; i += l) {
		if ((l = site_utf8_next(v->s + i, v->n - i, &cp)) == 0)
			return site_fail(err, v->line, RN_ERR_INVAL, "'%s' is not UTF-8", key);
		if ((cp < 0x20 && !(multiline && cp == '\n')) || (cp >= 0x7f && cp < 0xa0))
			return site_fail(err, v->line, RN_ERR_INVAL,
			    "'%s' holds a control character%s", key,
			    cp == '\n' ? " (a newline)" : "");
		if (site_is_bidi_control(cp) || cp == 0xfeff)
			return site_fail(err, v->line, RN_ERR_INVAL,
			    "'%s' holds an invisible formatting character (U+%04X)", key,
			    (unsigned)cp);
	}
	return RN_OK;
}

static enum rn_err
take(char **dst, const struct fm_scalar *v)
{
	return (*dst = strdup(v->s)) != NULL ? RN_OK : RN_ERR_NOMEM;
}

static enum rn_err
f_id(struct rn_site_doc *doc, const struct fm_entry *e, struct rn_site_error *err)
{
	enum rn_err r;

	if ((r = fm_str(&e->scalar, "id", err)) != RN_OK ||
	    (r = check_name(e->scalar.s, e->scalar.n, "id", true, e->line, err)) != RN_OK)
		return r;
	return take(&doc->id, &e->scalar);
}

static enum rn_err
f_title(struct rn_site_doc *doc, const struct fm_entry *e, struct rn_site_error *err)
{
	enum rn_err r;

	if ((r = check_text(&e->scalar, "title", RN_SITE_MAX_TITLE, false, err)) != RN_OK)
		return r;
	return take(&doc->title, &e->scalar);
}

static enum rn_err
f_lang(struct rn_site_doc *doc, const struct fm_entry *e, struct rn_site_error *err)
{
	if (!site_is_lang(e->scalar.s))
		return site_fail(err, e->line, RN_ERR_INVAL,
		    "'lang' must be a language tag such as en, fr or pt-BR");
	return take(&doc->lang, &e->scalar);
}

static enum rn_err
f_date(struct rn_site_doc *doc, const struct fm_entry *e, struct rn_site_error *err)
{
	doc->has_date = true;
	return fm_date(&e->scalar, "date", &doc->date, err);
}

static enum rn_err
f_revision(struct rn_site_doc *doc, const struct fm_entry *e, struct rn_site_error *err)
{
	enum rn_err r;

	if ((r = fm_uint(&e->scalar, "revision", RN_SITE_MAX_REVISION, &doc->revision, err)) !=
	    RN_OK)
		return r;
	if (doc->revision == 0)
		return site_fail(err, e->line, RN_ERR_INVAL, "'revision' counts from 1");
	return RN_OK;
}

static enum rn_err
f_summary(struct rn_site_doc *doc, const struct fm_entry *e, struct rn_site_error *err)
{
	enum rn_err r;

	if ((r = check_text(&e->scalar, "summary", RN_SITE_MAX_TEXT, true, err)) != RN_OK)
		return r;
	return take(&doc->summary, &e->scalar);
}

static enum rn_err
list_add(struct rn_site_list *l, const struct fm_scalar *v)
{
	if (l->v == NULL && (l->v = calloc(RN_SITE_MAX_LIST, sizeof(*l->v))) == NULL)
		return RN_ERR_NOMEM;
	return take(&l->v[l->n++], v);
}

static bool
list_has(const struct rn_site_list *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

enum list_check { L_SLUG, L_NAME, L_LINE, L_ATTACHMENT };

/* A list of unique items, each checked as `how` says. */
static enum rn_err
read_list(struct rn_site_list *l, const struct fm_entry *e, enum list_check how,
    struct rn_site_error *err)
{
	const struct fm_scalar *v;
	enum rn_err		r = RN_OK;
	size_t			i;
	char			what[FM_MAX_KEY + 16];

	snprintf(what, sizeof(what), "an item of '%s'", e->key);
	for (i = 0; i < e->nitems && r == RN_OK; i++) {
		v = &e->items[i];
		if ((r = fm_str(v, e->key, err)) != RN_OK)
			break;
		if (how == L_SLUG)
			r = check_name(v->s, v->n, what, true, v->line, err);
		else if (how == L_ATTACHMENT)
			r = check_attachment(v->s, v->n, v->line, err);
		else
			r = check_text(v, e->key,
			    how == L_NAME ? RN_SITE_MAX_NAME : RN_SITE_MAX_TITLE, false, err);
		if (r == RN_OK && list_has(l, v->s))
			r = site_fail(
			    err, v->line, RN_ERR_INVAL, "'%s' lists %s twice", e->key, v->s);
		if (r == RN_OK)
			r = list_add(l, v);
	}
	return r;
}

static enum rn_err
f_tags(struct rn_site_doc *doc, const struct fm_entry *e, struct rn_site_error *err)
{
	return read_list(&doc->tags, e, L_SLUG, err);
}

static enum rn_err
f_authors(struct rn_site_doc *doc, const struct fm_entry *e, struct rn_site_error *err)
{
	return read_list(&doc->authors, e, L_NAME, err);
}

static enum rn_err
f_related(struct rn_site_doc *doc, const struct fm_entry *e, struct rn_site_error *err)
{
	return read_list(&doc->related, e, L_SLUG, err);
}

static enum rn_err
f_attachments(struct rn_site_doc *doc, const struct fm_entry *e, struct rn_site_error *err)
{
	struct rn_site_list *l = &doc->attachments;
	enum rn_err	     r;
	size_t		     i, n;

	if ((r = read_list(l, e, L_ATTACHMENT, err)) != RN_OK)
		return r;
	for (i = 0; i < l->n; i++) {
		n = strlen(l->v[i]);
		/* NAME.gz beside NAME would be served as NAME's gzip encoding. */
		if (n > 3 && memcmp(l->v[i] + n - 3, ".gz", 3) == 0) {
			char base[RN_SITE_MAX_ATTACHMENT + 1];

			memcpy(base, l->v[i], n - 3);
			base[n - 3] = '\0';
			if (list_has(l, base))
				return site_fail(err, e->items[i].line, RN_ERR_INVAL,
				    "attachments %s and %s.gz cannot both exist", base, base);
		}
	}
	return RN_OK;
}

static enum rn_err
f_translations(struct rn_site_doc *doc, const struct fm_entry *e, struct rn_site_error *err)
{
	const struct fm_pair *pr;
	enum rn_err	      r;
	size_t		      i;

	if ((doc->translations = calloc(e->npairs, sizeof(*doc->translations))) == NULL)
		return RN_ERR_NOMEM;
	for (i = 0; i < e->npairs; i++) {
		pr = &e->pairs[i];
		if (!site_is_lang(pr->key))
			return site_fail(err, pr->val.line, RN_ERR_INVAL,
			    "'%s' in 'translations' is not a language tag", pr->key);
		if ((r = fm_str(&pr->val, "translations", err)) != RN_OK ||
		    (r = check_name(pr->val.s, pr->val.n, "a translation's id", true, pr->val.line,
			 err)) != RN_OK)
			return r;
		if ((doc->translations[i].lang = strdup(pr->key)) == NULL)
			return RN_ERR_NOMEM;
		doc->ntranslations++;
		if ((r = take(&doc->translations[i].id, &pr->val)) != RN_OK)
			return r;
	}
	return RN_OK;
}

static enum rn_err
f_text(char **dst, const struct fm_entry *e, struct rn_site_error *err)
{
	enum rn_err r;

	if ((r = check_text(&e->scalar, e->key, RN_SITE_MAX_TEXT, true, err)) != RN_OK)
		return r;
	return take(dst, &e->scalar);
}

static enum rn_err
f_context(struct rn_site_doc *doc, const struct fm_entry *e, struct rn_site_error *err)
{
	return f_text(&doc->conflict.context, e, err);
}

static enum rn_err
f_process(struct rn_site_doc *doc, const struct fm_entry *e, struct rn_site_error *err)
{
	return f_text(&doc->conflict.process, e, err);
}

static enum rn_err
f_outcome(struct rn_site_doc *doc, const struct fm_entry *e, struct rn_site_error *err)
{
	return f_text(&doc->conflict.outcome, e, err);
}

static enum rn_err
f_reply(struct rn_site_doc *doc, const struct fm_entry *e, struct rn_site_error *err)
{
	return f_text(&doc->conflict.right_of_reply, e, err);
}

static enum rn_err
f_parties(struct rn_site_doc *doc, const struct fm_entry *e, struct rn_site_error *err)
{
	return read_list(&doc->conflict.parties, e, L_NAME, err);
}

static enum rn_err
f_follow_ups(struct rn_site_doc *doc, const struct fm_entry *e, struct rn_site_error *err)
{
	return read_list(&doc->conflict.follow_ups, e, L_LINE, err);
}

static enum rn_err
f_status(struct rn_site_doc *doc, const struct fm_entry *e, struct rn_site_error *err)
{
	static const char *const names[] = { "open", "resolved", "revisited" };
	unsigned		 i;

	for (i = 0; i < RN_ARRAY_LEN(names); i++)
		if (strcmp(e->scalar.s, names[i]) == 0) {
			doc->conflict.status = (enum rn_site_status)(i + RN_SITE_STATUS_OPEN);
			return RN_OK;
		}
	return site_fail(
	    err, e->line, RN_ERR_INVAL, "'status' must be open, resolved or revisited");
}

static enum rn_err
f_consent(struct rn_site_doc *doc, const struct fm_entry *e, struct rn_site_error *err)
{
	return fm_bool(&e->scalar, "consent", &doc->conflict.consent, err);
}

/* The schema: the section is read first, by the caller. */
static const struct field fields[] = {
	{ "id", FM_SCALAR, SEC_ALL, f_id },
	{ "title", FM_SCALAR, SEC_ALL, f_title },
	{ "lang", FM_SCALAR, SEC_ALL, f_lang },
	{ "date", FM_SCALAR, SEC_ALL, f_date },
	{ "revision", FM_SCALAR, SEC_ALL, f_revision },
	{ "summary", FM_SCALAR, SEC_ALL, f_summary },
	{ "tags", FM_LIST, SEC_ALL, f_tags },
	{ "authors", FM_LIST, SEC_ALL, f_authors },
	{ "translations", FM_MAP, SEC_ALL, f_translations },
	{ "attachments", FM_LIST, SEC_ALL, f_attachments },
	{ "related", FM_LIST, SEC_TACTICS, f_related },
	{ "context", FM_SCALAR, SEC_CONFLICTS, f_context },
	{ "parties", FM_LIST, SEC_CONFLICTS, f_parties },
	{ "process", FM_SCALAR, SEC_CONFLICTS, f_process },
	{ "outcome", FM_SCALAR, SEC_CONFLICTS, f_outcome },
	{ "status", FM_SCALAR, SEC_CONFLICTS, f_status },
	{ "follow_ups", FM_LIST, SEC_CONFLICTS, f_follow_ups },
	{ "consent", FM_SCALAR, SEC_CONFLICTS, f_consent },
	{ "right_of_reply", FM_SCALAR, SEC_CONFLICTS, f_reply },
};

static const char *
kind_name(enum fm_kind k)
{
	return k == FM_LIST ? "a list" : k == FM_MAP ? "a mapping (key: value lines)" : "one value";
}

static enum rn_err
apply_field(struct rn_site_doc *doc, const struct fm_entry *e, struct rn_site_error *err)
{
	const struct field *f = NULL;
	size_t		    i;

	if (strcmp(e->key, "section") == 0)
		return RN_OK;
	for (i = 0; i < RN_ARRAY_LEN(fields) && f == NULL; i++)
		if (strcmp(fields[i].key, e->key) == 0)
			f = &fields[i];
	if (f == NULL)
		return site_fail(err, e->line, RN_ERR_INVAL, "unknown key '%s'", e->key);
	if ((f->sections & (1u << doc->section)) == 0)
		return site_fail(err, e->line, RN_ERR_INVAL, "'%s' is only for %s", e->key,
		    f->sections == SEC_TACTICS ? "tactics" : "conflicts");
	if (e->kind != f->kind)
		return site_fail(
		    err, e->line, RN_ERR_INVAL, "'%s' must be %s", e->key, kind_name(f->kind));
	return f->fn(doc, e, err);
}

static enum rn_err
read_section(const struct fm_doc *fd, struct rn_site_doc *doc, struct rn_site_error *err)
{
	size_t i;

	for (i = 0; i < fd->n; i++) {
		if (strcmp(fd->e[i].key, "section") != 0)
			continue;
		if (fd->e[i].kind != FM_SCALAR || rn_site_section_parse(fd->e[i].scalar.s,
						      fd->e[i].scalar.n, &doc->section) != RN_OK)
			return site_fail(err, fd->e[i].line, RN_ERR_INVAL,
			    "'section' must be bulletins, tactics or conflicts");
		return RN_OK;
	}
	return site_fail(err, 0, RN_ERR_INVAL, "missing 'section'");
}

/* Rules between fields, always checked. */
static enum rn_err
check_fields(const struct rn_site_doc *doc, struct rn_site_error *err)
{
	size_t i, j;

	if (doc->id == NULL)
		return site_fail(err, 0, RN_ERR_INVAL, "missing 'id'");
	if (doc->title == NULL)
		return site_fail(err, 0, RN_ERR_INVAL, "missing 'title'");
	if (doc->lang == NULL)
		return site_fail(err, 0, RN_ERR_INVAL, "missing 'lang'");
	if (list_has(&doc->related, doc->id))
		return site_fail(err, 0, RN_ERR_INVAL, "'related' lists the document itself");
	for (i = 0; i < doc->ntranslations; i++) {
		if (strcmp(doc->translations[i].lang, doc->lang) == 0)
			return site_fail(
			    err, 0, RN_ERR_INVAL, "a translation in the document's own language");
		for (j = 0; j < i; j++)
			if (strcmp(doc->translations[i].lang, doc->translations[j].lang) == 0)
				return site_fail(err, 0, RN_ERR_INVAL, "two translations into %s",
				    doc->translations[i].lang);
	}
	return RN_OK;
}

enum rn_err
rn_site_doc_validate(const struct rn_site_doc *doc, struct rn_site_error *err)
{
	const struct rn_site_conflict *c = &doc->conflict;
	enum rn_err		       r;

	if ((r = check_fields(doc, err)) != RN_OK)
		return r;
	if (doc->section != RN_SITE_TACTICS && !doc->has_date)
		return site_fail(
		    err, 0, RN_ERR_INVAL, "%s need a 'date'", rn_site_section_name(doc->section));
	if (doc->section == RN_SITE_TACTICS && doc->tags.n == 0)
		return site_fail(err, 0, RN_ERR_INVAL, "a tactic needs at least one tag");
	if (doc->section != RN_SITE_CONFLICTS)
		return RN_OK;
	if (c->context == NULL || c->process == NULL || c->outcome == NULL)
		return site_fail(err, 0, RN_ERR_INVAL,
		    "a conflict write-up needs 'context', 'process' and 'outcome'");
	if (c->parties.n == 0)
		return site_fail(
		    err, 0, RN_ERR_INVAL, "a conflict write-up names its 'parties' (by role only)");
	if (c->status == RN_SITE_STATUS_NONE)
		return site_fail(err, 0, RN_ERR_INVAL, "a conflict write-up needs a 'status'");
	if (c->right_of_reply == NULL)
		return site_fail(err, 0, RN_ERR_INVAL,
		    "a conflict write-up says how parties may reply ('right_of_reply')");
	if (!c->consent)
		return site_fail(err, 0, RN_ERR_PERM,
		    "a conflict write-up is published only with consent attested ('consent: "
		    "true')");
	return RN_OK;
}

/* The body: UTF-8 without NUL, at most RN_SITE_MAX_BODY bytes. */
static enum rn_err
read_body(
    struct rn_site_doc *doc, const char *s, size_t n, unsigned line, struct rn_site_error *err)
{
	size_t	 i = 0, l;
	uint32_t cp;

	if (n > RN_SITE_MAX_BODY)
		return site_fail(
		    err, line, RN_ERR_TOOBIG, "body longer than %u bytes", RN_SITE_MAX_BODY);
	for (i = 0; i < n; i += l) {
		if ((l = site_utf8_next(s + i, n - i, &cp)) == 0 || cp == 0)
			return site_fail(err, line, RN_ERR_INVAL, "body holds %s",
			    l == 0 ? "bytes that are not UTF-8" : "a NUL byte");
		line += cp == '\n';
	}
	if ((doc->body = malloc(n + 1)) == NULL)
		return RN_ERR_NOMEM;
	memcpy(doc->body, s, n);
	doc->body[n] = '\0';
	doc->body_len = n;
	return RN_OK;
}

enum rn_err
rn_site_doc_parse(const char *text, size_t len, unsigned flags, struct rn_site_doc **out,
    struct rn_site_error *err)
{
	struct rn_site_doc *doc = NULL;
	struct fm_doc	    fd = { NULL, 0 };
	const char	   *fm = NULL;
	size_t		    fmlen = 0, body_off = 0, i;
	unsigned	    body_line = 3;
	enum rn_err	    r;

	*out = NULL;
	if (err != NULL)
		memset(err, 0, sizeof(*err));
	if (len > RN_SITE_MAX_DOC)
		return site_fail(
		    err, 0, RN_ERR_TOOBIG, "document longer than %u bytes", RN_SITE_MAX_DOC);
	if ((r = fm_split(text, len, &fm, &fmlen, &body_off, err)) != RN_OK ||
	    (r = fm_parse(fm, fmlen, 2, &fd, err)) != RN_OK)
		goto out;
	for (i = 0; i < fmlen; i++)
		body_line += fm[i] == '\n';
	if ((doc = calloc(1, sizeof(*doc))) == NULL) {
		r = RN_ERR_NOMEM;
		goto out;
	}
	doc->revision = 1;
	if ((r = read_section(&fd, doc, err)) != RN_OK)
		goto out;
	for (i = 0; i < fd.n && r == RN_OK; i++)
		r = apply_field(doc, &fd.e[i], err);
	if (r != RN_OK || (r = check_fields(doc, err)) != RN_OK ||
	    (r = read_body(doc, text + body_off, len - body_off, body_line, err)) != RN_OK)
		goto out;
	if ((flags & RN_SITE_PARSE_DRAFT) == 0 && (r = rn_site_doc_validate(doc, err)) != RN_OK)
		goto out;
	*out = doc;
	doc = NULL;
out:
	fm_doc_free(&fd);
	rn_site_doc_free(doc);
	return r;
}
