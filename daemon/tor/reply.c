/*
 * The control-port reply parser (control-spec section 2.3 and 4): bytes in,
 * replies out.  Strict: CRLF only, three-digit codes of one class shared by
 * every line of a reply, printable ASCII in status lines, data blocks closed
 * by "." with every line that begins with "." escaped by doubling it, and
 * hard limits on a line, the lines of a reply and a reply's size.
 */
#include <stdlib.h>
#include <string.h>

#include "roneo/rn_limits.h"
#include "roneo/rn_tor.h"

struct rn_torctl_parser {
	struct rn_torctl_reply *cur;
	size_t			cap;   /* allocated lines of cur */
	size_t			bytes; /* of cur, CRLFs included */
	size_t			nraw;  /* lines of cur, data lines included */
	bool			in_data;
	struct rn_buf		data; /* the data block being read */
	enum rn_err		dead; /* RN_OK until the first error */
};

struct rn_torctl_parser *
rn_torctl_parser_new(void)
{
	struct rn_torctl_parser *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	rn_buf_init(&p->data, RN_TORCTL_MAX_REPLY);
	return p;
}

void
rn_torctl_reply_free(struct rn_torctl_reply *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nlines; i++) {
		free(r->lines[i].text);
		free(r->lines[i].data);
	}
	free(r->lines);
	free(r);
}

void
rn_torctl_parser_free(struct rn_torctl_parser *p)
{
	if (p == NULL)
		return;
	rn_torctl_reply_free(p->cur);
	rn_buf_free(&p->data);
	free(p);
}

bool
rn_torctl_reply_is_async(const struct rn_torctl_reply *r)
{
	return r != NULL && r->code / 100 == 6;
}

static bool
status_text_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((s[i] < 0x20 || s[i] > 0x7e) && s[i] != '\t')
			return false;
	return true;
}

static enum rn_err
add_line(struct rn_torctl_parser *p, unsigned code, char sep, const char *text, size_t n)
{
	struct rn_torctl_line *l;

	if (p->cur == NULL) {
		if ((p->cur = calloc(1, sizeof(*p->cur))) == NULL)
			return RN_ERR_NOMEM;
		p->cur->code = code;
	} else if (p->cur->code != code) {
		return RN_ERR_PROTO; /* every line of a reply shares its code */
	}
	if (p->cur->nlines == p->cap) {
		size_t ncap = p->cap == 0 ? 4 : p->cap * 2;

		if ((l = reallocarray(p->cur->lines, ncap, sizeof(*l))) == NULL)
			return RN_ERR_NOMEM;
		p->cur->lines = l;
		p->cap = ncap;
	}
	l = &p->cur->lines[p->cur->nlines];
	memset(l, 0, sizeof(*l));
	if ((l->text = strndup(text, n)) == NULL)
		return RN_ERR_NOMEM;
	l->len = n;
	l->sep = sep;
	p->cur->nlines++;
	return RN_OK;
}

/* A status line "CODE SEP TEXT", CRLF removed. */
static enum rn_err
status_line(struct rn_torctl_parser *p, const char *s, size_t n)
{
	unsigned code;

	if (n < 4 || s[0] < '2' || s[0] > '6' || s[0] == '3' || s[1] < '0' || s[1] > '9' ||
	    s[2] < '0' || s[2] > '9')
		return RN_ERR_PROTO;
	if (s[3] != '-' && s[3] != '+' && s[3] != ' ')
		return RN_ERR_PROTO;
	if (!status_text_ok(s + 4, n - 4))
		return RN_ERR_PROTO;
	code =
	    (unsigned)(s[0] - '0') * 100u + (unsigned)(s[1] - '0') * 10u + (unsigned)(s[2] - '0');
	return add_line(p, code, s[3], s + 4, n - 4);
}

/* A line inside a data block: "." ends it; ".." and ".x" lose the first dot. */
static enum rn_err
data_line(struct rn_torctl_parser *p, const char *s, size_t n)
{
	struct rn_torctl_line *l = &p->cur->lines[p->cur->nlines - 1];
	enum rn_err	       r;

	if (n == 1 && s[0] == '.') {
		p->in_data = false;
		l->datalen = p->data.len;
		l->data = p->data.data != NULL ? p->data.data : strdup("");
		rn_buf_init(&p->data, RN_TORCTL_MAX_REPLY); /* the reply owns the old data */
		return l->data == NULL ? RN_ERR_NOMEM : RN_OK;
	}
	/* tor doubles every leading dot; a single one would be a bug or an attack. */
	if (n > 0 && s[0] == '.') {
		if (n < 2 || s[1] != '.')
			return RN_ERR_PROTO;
		s++;
		n--;
	}
	if (memchr(s, '\0', n) != NULL || memchr(s, '\r', n) != NULL)
		return RN_ERR_PROTO;
	if ((r = rn_buf_append(&p->data, s, n)) != RN_OK ||
	    (r = rn_buf_append(&p->data, "\n", 1)) != RN_OK)
		return r == RN_ERR_NOMEM ? r : RN_ERR_TOOBIG;
	return RN_OK;
}

static enum rn_err
one_line(struct rn_torctl_parser *p, const char *s, size_t n, bool *done)
{
	enum rn_err r;

	if (++p->nraw > RN_TORCTL_MAX_LINES)
		return RN_ERR_TOOBIG;
	if (p->in_data)
		return data_line(p, s, n);
	if ((r = status_line(p, s, n)) != RN_OK)
		return r;
	switch (p->cur->lines[p->cur->nlines - 1].sep) {
	case '+': p->in_data = true; break;
	case ' ': *done = true; break;
	default: break;
	}
	return RN_OK;
}

enum rn_err
rn_torctl_parser_feed(struct rn_torctl_parser *p, const char *buf, size_t len, size_t *used,
    struct rn_torctl_reply **out)
{
	const char *lf;
	size_t	    pos = 0, n;
	bool	    done = false;
	enum rn_err r = RN_OK;

	*used = 0;
	*out = NULL;
	if (p->dead != RN_OK)
		return p->dead;
	while (!done && pos < len) {
		if ((lf = memchr(buf + pos, '\n', len - pos)) == NULL) {
			/* Only a partial line is left: it may not outgrow a line. */
			if (len - pos > RN_TORCTL_MAX_LINE + 1)
				r = RN_ERR_TOOBIG;
			else if (memchr(buf + pos, '\r', len - pos - 1) != NULL)
				r = RN_ERR_PROTO; /* a CR not followed by LF */
			break;
		}
		n = (size_t)(lf - (buf + pos));
		if (n == 0 || buf[pos + n - 1] != '\r') {
			r = RN_ERR_PROTO; /* a bare LF */
			break;
		}
		n--;
		if (n > RN_TORCTL_MAX_LINE || memchr(buf + pos, '\r', n) != NULL) {
			r = n > RN_TORCTL_MAX_LINE ? RN_ERR_TOOBIG : RN_ERR_PROTO;
			break;
		}
		p->bytes += n + 2;
		if (p->bytes > RN_TORCTL_MAX_REPLY) {
			r = RN_ERR_TOOBIG;
			break;
		}
		if ((r = one_line(p, buf + pos, n, &done)) != RN_OK)
			break;
		pos += n + 2;
	}
	*used = pos;
	if (r != RN_OK) {
		p->dead = r;
		return r;
	}
	if (!done)
		return RN_ERR_AGAIN;
	*out = p->cur;
	p->cur = NULL;
	p->cap = 0;
	p->bytes = 0;
	p->nraw = 0;
	return RN_OK;
}

/* ---- words and KEY=VALUE arguments ---- */

/*
 * The next word of s from *pos: runs to a space outside a quoted string.
 * Words are separated by exactly one space, as tor writes them.
 */
static enum rn_err
next_word(const char *s, size_t *pos, size_t *start, size_t *end)
{
	size_t i = *pos;
	bool   quoted = false;

	if (s[i] == '\0')
		return RN_ERR_NOTFOUND;
	*start = i;
	for (; s[i] != '\0'; i++) {
		if (quoted && s[i] == '\\') {
			if (s[i + 1] == '\0')
				return RN_ERR_INVAL;
			i++;
		} else if (s[i] == '"') {
			quoted = !quoted;
		} else if (s[i] == ' ' && !quoted) {
			break;
		}
	}
	if (quoted)
		return RN_ERR_INVAL;
	*end = i;
	if (*end == *start)
		return RN_ERR_INVAL; /* two spaces in a row, or a leading space */
	*pos = s[i] == ' ' ? i + 1 : i;
	if (s[i] == ' ' && s[i + 1] == '\0')
		return RN_ERR_INVAL; /* a trailing space */
	return RN_OK;
}

static enum rn_err
unquote(const char *s, size_t n, char *out, size_t outsz)
{
	size_t i, o = 0;
	char   ch;

	if (n < 2 || s[0] != '"' || s[n - 1] != '"')
		return RN_ERR_INVAL;
	for (i = 1; i + 1 < n; i++) {
		ch = s[i];
		if (ch == '"')
			return RN_ERR_INVAL; /* a quote inside a value: "a"b" */
		if (ch == '\\') {
			switch (s[++i]) {
			case '\\': ch = '\\'; break;
			case '"': ch = '"'; break;
			case 'n': ch = '\n'; break;
			case 'r': ch = '\r'; break;
			case 't': ch = '\t'; break;
			default: return RN_ERR_INVAL;
			}
		}
		if (o + 1 >= outsz)
			return RN_ERR_TOOBIG;
		out[o++] = ch;
	}
	out[o] = '\0';
	return RN_OK;
}

static enum rn_err
copy_out(const char *s, size_t n, char *out, size_t outsz)
{
	if (n >= outsz)
		return RN_ERR_TOOBIG;
	memcpy(out, s, n);
	out[n] = '\0';
	return RN_OK;
}

enum rn_err
rn_torctl_arg(const char *text, const char *key, char *out, size_t outsz)
{
	size_t	    pos = 0, start, end, klen = strlen(key);
	enum rn_err r;

	if (outsz == 0)
		return RN_ERR_TOOBIG;
	while ((r = next_word(text, &pos, &start, &end)) == RN_OK) {
		const char *w = text + start;
		size_t	    n = end - start;

		if (n <= klen || memcmp(w, key, klen) != 0 || w[klen] != '=')
			continue;
		w += klen + 1;
		n -= klen + 1;
		if (n > 0 && w[0] == '"')
			return unquote(w, n, out, outsz);
		if (memchr(w, '"', n) != NULL)
			return RN_ERR_INVAL;
		return copy_out(w, n, out, outsz);
	}
	return r;
}

enum rn_err
rn_torctl_word(const char *text, size_t idx, char *out, size_t outsz)
{
	size_t	    pos = 0, start, end, i;
	enum rn_err r;

	if (outsz == 0)
		return RN_ERR_TOOBIG;
	for (i = 0;; i++) {
		if ((r = next_word(text, &pos, &start, &end)) != RN_OK)
			return r;
		if (i == idx)
			return copy_out(text + start, end - start, out, outsz);
	}
}
