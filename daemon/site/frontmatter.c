/*
 * A hand-written parser of the YAML subset front matter uses (see
 * frontmatter.h and README.md).  Line at a time, no recursion, every size
 * and count bounded; whatever is not in the subset is refused by name
 * (anchors, tags, multi-line scalars, single quotes, flow mappings, tabs).
 */
#include <stdlib.h>
#include <string.h>

#include "site/frontmatter.h"
#include "site/site_int.h"

struct fm_parser {
	struct fm_doc	     *doc;
	struct rn_site_error *err;
	unsigned	      line;
	struct fm_entry	     *open; /* a key whose value is the indented block below it */
	size_t		      block_indent;
};

enum rn_err
fm_split(const char *text, size_t len, const char **fm, size_t *fmlen, size_t *body_off,
    struct rn_site_error *err)
{
	size_t	    pos, start, n;
	const char *eol;
	unsigned    line = 1;

	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		return site_fail(err, 1, RN_ERR_INVAL, "byte order mark at the start: remove it");
	if (len >= 4 && memcmp(text, "---\n", 4) == 0)
		start = 4;
	else if (len >= 5 && memcmp(text, "---\r\n", 5) == 0)
		start = 5;
	else
		return site_fail(err, 1, RN_ERR_INVAL, "a document starts with a '---' line");
	for (pos = start; pos < len; pos += n + 1) {
		line++;
		if (pos - start > RN_SITE_MAX_FRONTMATTER)
			return site_fail(err, line, RN_ERR_TOOBIG,
			    "front matter longer than %u bytes", RN_SITE_MAX_FRONTMATTER);
		eol = memchr(text + pos, '\n', len - pos);
		n = eol != NULL ? (size_t)(eol - (text + pos)) : len - pos;
		if ((n == 3 || (n == 4 && text[pos + 3] == '\r')) &&
		    memcmp(text + pos, "---", 3) == 0) {
			*fm = text + start;
			*fmlen = pos - start;
			*body_off = eol != NULL ? pos + n + 1 : len;
			return RN_OK;
		}
	}
	return site_fail(
	    err, 1, RN_ERR_INVAL, "front matter not closed by a '---' line (%u lines read)", line);
}

static void
scalar_free(struct fm_scalar *v)
{
	RN_FREE(v->s);
}

void
fm_doc_free(struct fm_doc *d)
{
	size_t i, j;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++) {
		scalar_free(&d->e[i].scalar);
		for (j = 0; j < d->e[i].nitems; j++)
			scalar_free(&d->e[i].items[j]);
		for (j = 0; j < d->e[i].npairs; j++)
			scalar_free(&d->e[i].pairs[j].val);
		free(d->e[i].items);
		free(d->e[i].pairs);
	}
	RN_FREE(d->e);
	d->n = 0;
}

static enum rn_err
fail(struct fm_parser *p, enum rn_err code, const char *what)
{
	return site_fail(p->err, p->line, code, "%s", what);
}

/* A character that may not start a plain scalar, and why. */
static const char *
indicator_error(char c)
{
	switch (c) {
	case '&': return "anchors (&) are not supported";
	case '*': return "aliases (*) are not supported";
	case '!': return "tags (!) are not supported";
	case '|':
	case '>': return "multi-line scalars (| and >) are not supported";
	case '\'': return "single-quoted strings are not supported: use double quotes";
	case '{': return "flow mappings ({...}) are not supported";
	case '%':
	case '@':
	case '`': return "a plain value cannot start with % @ or `: quote it";
	case '?': return "complex keys (?) are not supported";
	case ',':
	case ']':
	case '}': return "a plain value cannot start with , ] or }: quote it";
	default: return NULL;
	}
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* \uXXXX at s (after the 'u'): a character that is not a control or surrogate, as UTF-8. */
static enum rn_err
decode_u(struct fm_parser *p, const char *s, size_t n, struct rn_buf *b)
{
	uint32_t cp = 0;
	char	 u[3];
	size_t	 i;
	int	 h;

	if (n < 4)
		return fail(p, RN_ERR_INVAL, "\\u needs four hex digits");
	for (i = 0; i < 4; i++) {
		if ((h = hexval(s[i])) < 0)
			return fail(p, RN_ERR_INVAL, "\\u needs four hex digits");
		cp = cp << 4 | (uint32_t)h;
	}
	if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || (cp >= 0xd800 && cp <= 0xdfff))
		return fail(p, RN_ERR_INVAL, "\\u escape of a control character or a surrogate");
	if (cp < 0x80) {
		u[0] = (char)cp;
		return rn_buf_append(b, u, 1);
	}
	if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		return rn_buf_append(b, u, 2);
	}
	u[0] = (char)(0xe0 | cp >> 12);
	u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
	u[2] = (char)(0x80 | (cp & 0x3f));
	return rn_buf_append(b, u, 3);
}

/* A double-quoted string at s[0] == '"'; *used gets the bytes up to the closing quote. */
static enum rn_err
parse_quoted(struct fm_parser *p, const char *s, size_t n, size_t *used, struct rn_buf *b)
{
	enum rn_err err = RN_OK;
	size_t	    i;
	char	    c;

	for (i = 1; i < n && err == RN_OK; i++) {
		if (s[i] == '"') {
			*used = i + 1;
			return RN_OK;
		}
		if (s[i] != '\\') {
			err = rn_buf_append(b, &s[i], 1);
			continue;
		}
		if (++i >= n)
			break;
		switch (s[i]) {
		case '"':
		case '\\':
		case '/': err = rn_buf_append(b, &s[i], 1); break;
		case 'n': c = '\n', err = rn_buf_append(b, &c, 1); break;
		case 't': c = '\t', err = rn_buf_append(b, &c, 1); break;
		case 'u':
			if ((err = decode_u(p, s + i + 1, n - i - 1, b)) == RN_OK)
				i += 4;
			break;
		default:
			return fail(p, RN_ERR_INVAL,
			    "unknown escape in a quoted string (known: \\\" \\\\ \\/ \\n \\t "
			    "\\uXXXX)");
		}
	}
	if (err == RN_ERR_TOOBIG)
		return fail(p, err, "value too long");
	if (err != RN_OK)
		return err;
	return fail(p, RN_ERR_INVAL, "unterminated string (multi-line strings are not supported)");
}

/* Only spaces, then nothing or a comment, in s. */
static bool
rest_is_empty(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] == ' ')
		i++;
	return i == n || s[i] == '#';
}

/*
 * One scalar at s: double-quoted, or plain up to the end of the line (a
 * comment " #" excluded) or, in a flow list, up to ',' or ']'.
 */
static enum rn_err
parse_scalar(
    struct fm_parser *p, const char *s, size_t n, bool flow, size_t *used, struct fm_scalar *out)
{
	struct rn_buf b;
	enum rn_err   err;
	size_t	      i, end;
	const char   *why;

	rn_buf_init(&b, RN_SITE_MAX_TEXT);
	out->line = p->line;
	if (n > 0 && s[0] == '"') {
		if ((err = parse_quoted(p, s, n, used, &b)) != RN_OK)
			goto out;
		out->quoted = true;
	} else {
		if ((why = indicator_error(s[0])) != NULL ||
		    (s[0] == '-' && (n == 1 || s[1] == ' ')) || (flow && s[0] == '[')) {
			err = fail(
			    p, RN_ERR_INVAL, why != NULL ? why : "nested lists are not supported");
			goto out;
		}
		for (i = 0; i < n; i++) {
			if ((s[i] == '#' && i > 0 && s[i - 1] == ' ') ||
			    (flow && (s[i] == ',' || s[i] == ']')))
				break;
			if (flow && (s[i] == '[' || s[i] == '{' || s[i] == '}')) {
				err = fail(p, RN_ERR_INVAL, "[ { } inside a list item: quote it");
				goto out;
			}
			if (s[i] == ':' && (i + 1 == n || s[i + 1] == ' ')) {
				err = fail(p, RN_ERR_INVAL,
				    "': ' in a plain value: quote it (nested mappings are not "
				    "supported)");
				goto out;
			}
		}
		*used = i;
		for (end = i; end > 0 && s[end - 1] == ' '; end--)
			;
		if ((err = rn_buf_append(&b, s, end)) != RN_OK) {
			err = fail(p, err, "value too long");
			goto out;
		}
	}
	out->n = b.len;
	out->s = b.data != NULL ? b.data : strdup("");
	b.data = NULL;
	err = out->s != NULL ? RN_OK : RN_ERR_NOMEM;
out:
	rn_buf_free(&b);
	return err;
}

/* A whole-line scalar: nothing but a comment may follow it. */
static enum rn_err
parse_line_scalar(struct fm_parser *p, const char *s, size_t n, struct fm_scalar *out)
{
	enum rn_err err;
	size_t	    used = 0;

	if ((err = parse_scalar(p, s, n, false, &used, out)) != RN_OK)
		return err;
	if (!rest_is_empty(s + used, n - used)) {
		scalar_free(out);
		return fail(p, RN_ERR_INVAL, "unexpected text after the closing quote");
	}
	return RN_OK;
}

static enum rn_err
add_item(struct fm_parser *p, struct fm_entry *e, struct fm_scalar *v)
{
	struct fm_scalar *items;

	if (e->nitems >= RN_SITE_MAX_LIST) {
		scalar_free(v);
		return site_fail(p->err, p->line, RN_ERR_TOOBIG, "more than %u items in '%s'",
		    RN_SITE_MAX_LIST, e->key);
	}
	if ((items = realloc(e->items, (e->nitems + 1) * sizeof(*items))) == NULL) {
		scalar_free(v);
		return RN_ERR_NOMEM;
	}
	e->items = items;
	e->items[e->nitems++] = *v;
	return RN_OK;
}

/* "[a, "b", c]" on one line. */
static enum rn_err
parse_flow_list(struct fm_parser *p, const char *s, size_t n, struct fm_entry *e)
{
	struct fm_scalar v;
	enum rn_err	 err;
	size_t		 i = 1, used;

	e->kind = FM_LIST;
	for (;;) {
		while (i < n && s[i] == ' ')
			i++;
		if (i < n && s[i] == ']' && e->nitems == 0)
			break;
		if (i >= n)
			return fail(p, RN_ERR_INVAL, "a [list] must end on the line it starts");
		memset(&v, 0, sizeof(v));
		if ((err = parse_scalar(p, s + i, n - i, true, &used, &v)) != RN_OK)
			return err;
		if (v.n == 0 && !v.quoted) {
			scalar_free(&v);
			return fail(p, RN_ERR_INVAL, "empty item in a [list]");
		}
		if ((err = add_item(p, e, &v)) != RN_OK)
			return err;
		for (i += used; i < n && s[i] == ' '; i++)
			;
		if (i < n && s[i] == ']')
			break;
		if (i >= n)
			return fail(p, RN_ERR_INVAL, "a [list] must end on the line it starts");
		if (s[i] != ',')
			return fail(p, RN_ERR_INVAL, "expected ',' or ']' in a [list]");
		i++;
	}
	if (!rest_is_empty(s + i + 1, n - i - 1))
		return fail(p, RN_ERR_INVAL, "unexpected text after ']'");
	return RN_OK;
}

/* "key:" at s; *used is past the colon.  Keys are [a-z][a-z0-9_]*. */
static enum rn_err
parse_key(struct fm_parser *p, const char *s, size_t n, char *key, size_t *used)
{
	size_t i = 0;

	if (n > 0 && (s[0] == '"' || s[0] == '\''))
		return fail(p, RN_ERR_INVAL, "quoted keys are not supported");
	if (n > 0 && s[0] == '-')
		return fail(p, RN_ERR_INVAL, "a list item outside a list: indent it under its key");
	if (n > 0 && indicator_error(s[0]) != NULL)
		return fail(p, RN_ERR_INVAL, indicator_error(s[0]));
	while (
	    i < n && ((s[i] >= 'a' && s[i] <= 'z') ||
			 (i > 0 && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))))
		i++;
	if (i < n && s[i] >= 'A' && s[i] <= 'Z')
		return fail(p, RN_ERR_INVAL, "keys are lower-case");
	if (i == 0 || i >= n || s[i] != ':')
		return fail(p, RN_ERR_INVAL, "expected 'key: value'");
	if (i > FM_MAX_KEY)
		return fail(p, RN_ERR_TOOBIG, "key too long");
	if (i + 1 < n && s[i + 1] != ' ')
		return fail(p, RN_ERR_INVAL, "a space must follow ':'");
	memcpy(key, s, i);
	key[i] = '\0';
	*used = i + 1;
	return RN_OK;
}

/* A top-level "key: value" or "key:" line. */
static enum rn_err
parse_top(struct fm_parser *p, const char *s, size_t n)
{
	struct fm_doc	*d = p->doc;
	struct fm_entry *e;
	enum rn_err	 err;
	char		 key[FM_MAX_KEY + 1];
	size_t		 i, used;

	if ((err = parse_key(p, s, n, key, &used)) != RN_OK)
		return err;
	for (i = 0; i < d->n; i++)
		if (strcmp(d->e[i].key, key) == 0)
			return site_fail(p->err, p->line, RN_ERR_INVAL,
			    "duplicate key '%s' (first on line %u)", key, d->e[i].line);
	if (d->n >= RN_SITE_MAX_LIST)
		return fail(p, RN_ERR_TOOBIG, "too many keys");
	if ((e = realloc(d->e, (d->n + 1) * sizeof(*e))) == NULL)
		return RN_ERR_NOMEM;
	d->e = e;
	e = &d->e[d->n++];
	memset(e, 0, sizeof(*e));
	memcpy(e->key, key, sizeof(key));
	e->line = p->line;
	for (i = used; i < n && s[i] == ' '; i++)
		;
	if (rest_is_empty(s + i, n - i)) {
		p->open = e;
		p->block_indent = 0;
		return RN_OK;
	}
	if (s[i] == '[')
		return parse_flow_list(p, s + i, n - i, e);
	e->kind = FM_SCALAR;
	return parse_line_scalar(p, s + i, n - i, &e->scalar);
}

/* An indented "- item" or "key: value" under p->open. */
static enum rn_err
parse_block_line(struct fm_parser *p, const char *s, size_t n)
{
	struct fm_entry *e = p->open;
	struct fm_scalar v;
	struct fm_pair	*pairs;
	char		 key[FM_MAX_KEY + 1];
	size_t		 i, used, j;
	enum rn_err	 err;

	memset(&v, 0, sizeof(v));
	if (s[0] == '-' && (n == 1 || s[1] == ' ')) {
		if (e->kind == FM_MAP)
			return fail(p, RN_ERR_INVAL, "list items mixed with keys");
		e->kind = FM_LIST;
		for (i = 1; i < n && s[i] == ' '; i++)
			;
		if (rest_is_empty(s + i, n - i))
			return fail(p, RN_ERR_INVAL, "empty list item");
		if (s[i] == '[' || (s[i] == '-' && (i + 1 == n || s[i + 1] == ' ')))
			return fail(p, RN_ERR_INVAL, "nested lists are not supported");
		if ((err = parse_line_scalar(p, s + i, n - i, &v)) != RN_OK)
			return err;
		return add_item(p, e, &v);
	}
	if (e->kind == FM_LIST)
		return fail(p, RN_ERR_INVAL, "keys mixed with list items");
	e->kind = FM_MAP;
	if ((err = parse_key(p, s, n, key, &used)) != RN_OK)
		return err;
	for (j = 0; j < e->npairs; j++)
		if (strcmp(e->pairs[j].key, key) == 0)
			return site_fail(p->err, p->line, RN_ERR_INVAL,
			    "duplicate key '%s' in '%s' (first on line %u)", key, e->key,
			    e->pairs[j].val.line);
	if (e->npairs >= RN_SITE_MAX_LIST)
		return fail(p, RN_ERR_TOOBIG, "too many keys in a mapping");
	for (i = used; i < n && s[i] == ' '; i++)
		;
	if (rest_is_empty(s + i, n - i))
		return fail(p, RN_ERR_INVAL, "only one level of mapping is supported");
	if (s[i] == '[')
		return fail(p, RN_ERR_INVAL, "lists inside a mapping are not supported");
	if ((err = parse_line_scalar(p, s + i, n - i, &v)) != RN_OK)
		return err;
	if ((pairs = realloc(e->pairs, (e->npairs + 1) * sizeof(*pairs))) == NULL) {
		scalar_free(&v);
		return RN_ERR_NOMEM;
	}
	e->pairs = pairs;
	memcpy(pairs[e->npairs].key, key, sizeof(key));
	pairs[e->npairs++].val = v;
	return RN_OK;
}

static enum rn_err
close_block(struct fm_parser *p)
{
	struct fm_entry *e = p->open;

	p->open = NULL;
	if (e != NULL && e->kind == FM_NONE)
		return site_fail(p->err, e->line, RN_ERR_INVAL,
		    "'%s' has no value (an empty list is [])", e->key);
	return RN_OK;
}

/* Bytes a line may not hold: controls (tabs named), invalid UTF-8. */
static enum rn_err
check_line(struct fm_parser *p, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\t')
			return fail(p, RN_ERR_INVAL, "tab character: indent with spaces");
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return fail(p, RN_ERR_INVAL, "control character");
	}
	if (!site_utf8_valid(s, n))
		return fail(p, RN_ERR_INVAL, "not UTF-8");
	return RN_OK;
}

static enum rn_err
parse_line(struct fm_parser *p, const char *s, size_t n)
{
	enum rn_err err;
	size_t	    ind = 0;

	if ((err = check_line(p, s, n)) != RN_OK)
		return err;
	while (ind < n && s[ind] == ' ')
		ind++;
	if (ind == n || s[ind] == '#')
		return RN_OK;
	if (ind == 0) {
		if ((err = close_block(p)) != RN_OK)
			return err;
		if (n >= 3 && memcmp(s, "...", 3) == 0)
			return fail(p, RN_ERR_INVAL, "'...' is not supported: end with '---'");
		return parse_top(p, s, n);
	}
	if (p->open == NULL)
		return fail(p, RN_ERR_INVAL, "unexpected indentation");
	if (p->block_indent == 0)
		p->block_indent = ind;
	else if (ind != p->block_indent)
		return fail(p, RN_ERR_INVAL, "inconsistent indentation");
	return parse_block_line(p, s + ind, n - ind);
}

enum rn_err
fm_parse(
    const char *fm, size_t len, unsigned first_line, struct fm_doc *out, struct rn_site_error *err)
{
	struct fm_parser p;
	enum rn_err	 e = RN_OK;
	const char	*eol;
	size_t		 pos = 0, n, l;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	p.doc = out;
	p.err = err;
	p.line = first_line;
	if (len > RN_SITE_MAX_FRONTMATTER)
		return site_fail(err, 0, RN_ERR_TOOBIG, "front matter too long");
	while (pos < len && e == RN_OK) {
		if (p.line - first_line >= RN_SITE_MAX_FM_LINES) {
			e = fail(&p, RN_ERR_TOOBIG, "too many lines of front matter");
			break;
		}
		eol = memchr(fm + pos, '\n', len - pos);
		n = eol != NULL ? (size_t)(eol - (fm + pos)) : len - pos;
		l = n > 0 && fm[pos + n - 1] == '\r' ? n - 1 : n;
		e = parse_line(&p, fm + pos, l);
		pos += n + 1;
		p.line++;
	}
	if (e == RN_OK)
		e = close_block(&p);
	if (e != RN_OK)
		fm_doc_free(out);
	return e;
}

enum rn_err
fm_bool(const struct fm_scalar *v, const char *key, bool *out, struct rn_site_error *err)
{
	if (!v->quoted && strcmp(v->s, "true") == 0)
		*out = true;
	else if (!v->quoted && strcmp(v->s, "false") == 0)
		*out = false;
	else
		return site_fail(err, v->line, RN_ERR_INVAL, "'%s' must be true or false", key);
	return RN_OK;
}

enum rn_err
fm_uint(const struct fm_scalar *v, const char *key, uint64_t max, uint64_t *out,
    struct rn_site_error *err)
{
	if (v->quoted || v->n == 0 || (v->s[0] == '0' && v->n > 1) ||
	    rn_parse_u64(v->s, v->n, max, out) != RN_OK)
		return site_fail(err, v->line, RN_ERR_INVAL,
		    "'%s' must be an integer from 0 to %llu (no quotes, no leading zeros)", key,
		    (unsigned long long)max);
	return RN_OK;
}

enum rn_err
fm_date(
    const struct fm_scalar *v, const char *key, struct rn_site_date *out, struct rn_site_error *err)
{
	if (rn_site_date_parse(v->s, v->n, out) != RN_OK)
		return site_fail(err, v->line, RN_ERR_INVAL,
		    "'%s' must be an RFC 3339 date (2026-01-31) or date-time "
		    "(2026-01-31T09:30:00Z)",
		    key);
	return RN_OK;
}

enum rn_err
fm_str(const struct fm_scalar *v, const char *key, struct rn_site_error *err)
{
	static const char *const ambiguous[] = { "true", "false", "yes", "no", "on", "off", "y",
		"n", "null", "~" };
	size_t			 i;

	if (v->quoted)
		return RN_OK;
	for (i = 0; i < RN_ARRAY_LEN(ambiguous); i++)
		if (strlen(ambiguous[i]) == v->n && rn_ascii_casecmp_n(v->s, ambiguous[i], v->n))
			return site_fail(err, v->line, RN_ERR_INVAL,
			    "'%s': YAML reads %s as a boolean or null: quote it", key, v->s);
	return RN_OK;
}
