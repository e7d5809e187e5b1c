/*
 * Streaming multipart/form-data (RFC 7578 on RFC 2046 section 5.1).
 *
 * The body is scanned for the delimiter CRLF "--" boundary.  A delimiter can
 * only begin at a CR, and CR is not a boundary character, so the only CR of
 * the delimiter is its first byte: a partial match that fails cannot hide
 * another match inside it.  The scan is therefore memchr() for CR and one
 * memcmp() per CR, linear in the input; content between CRs is handed to the
 * caller straight from the fed buffer.  A partial match at the end of a piece
 * (at most the delimiter length - 1 bytes) is held back and either completes
 * the delimiter with the next piece or is handed over as content.
 *
 * The parser starts as if a CRLF preceded the body, so that the first
 * delimiter may be "--boundary" at offset 0; the preamble (RFC 2046, ignored)
 * is capped, and those two virtual bytes are allowed for in the cap.
 *
 * Strict choices: part header lines end in CRLF (a bare CR or LF is an
 * error), no obs-fold, no whitespace before the colon, every part has exactly
 * one Content-Disposition "form-data" with a non-empty name, no extended
 * parameter such as filename* (RFC 7578 section 4.2), no duplicate name or
 * filename parameter, no part of type multipart (no nesting), a
 * Content-Transfer-Encoding only 7bit, 8bit or binary, no duplicate
 * Content-Type or Content-Transfer-Encoding; a delimiter is followed only by
 * transport padding and CRLF or by "--" (the close delimiter), which is
 * followed by padding and CRLF or the end of the body.  Other part header
 * fields are checked for syntax and ignored (RFC 7578 section 4.8).
 */
#include <stdlib.h>
#include <string.h>

#include "roneo/rn_multipart.h"
#include "roneo/rn_util.h"

#define DELIM_MAX (RN_MULTIPART_MAX_BOUNDARY + 4u) /* CRLF "--" boundary */

enum mp_state {
	S_PREAMBLE,    /* before the first delimiter: bytes skipped */
	S_AFTER_DELIM, /* just after a delimiter */
	S_CLOSE_DASH,  /* "-" after a delimiter: the close delimiter's second one */
	S_PAD,	       /* transport padding after a delimiter */
	S_PAD_LF,      /* the CR ending a delimiter line was seen */
	S_HEADERS,     /* part header lines */
	S_DATA,	       /* part content */
	S_CLOSE_PAD,   /* transport padding after the close delimiter */
	S_CLOSE_LF,    /* the CR after the close delimiter was seen */
	S_EPILOGUE,    /* after the close delimiter's line: skipped */
	S_FAILED
};

struct rn_multipart {
	struct rn_multipart_limits lim;
	struct rn_multipart_cbs	   cbs;
	void			  *arg;
	enum mp_state		   state;
	enum rn_err		   err;
	const char		  *why;
	size_t			   dlen; /* delimiter length */
	size_t			   holdlen;
	size_t			   skipped; /* preamble or epilogue bytes */
	size_t			   padlen;
	size_t			   nparts;
	/* The part being parsed. */
	size_t			 hbytes; /* header block bytes so far */
	size_t			 nheaders;
	size_t			 linelen;
	bool			 cr; /* a header line's CR was seen */
	bool			 has_disp, has_type, has_cte, has_filename;
	struct rn_multipart_part part;
	char			 delim[DELIM_MAX];
	char			 hold[DELIM_MAX];
	char			 line[RN_MULTIPART_MAX_LINE];
	char			 name[RN_MULTIPART_MAX_NAME + 1];
	char			 filename[RN_MULTIPART_MAX_FILENAME + 1];
	char			 ctype[RN_MULTIPART_MAX_CONTENT_TYPE + 1];
};

/* A cursor over a header value. */
struct cur {
	const char *s;
	size_t	    n;
	size_t	    i;
};

static bool
is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool
is_bchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("'()+_,-./:=? ", c) != NULL;
}

/* A byte allowed in a field value: HTAB, SP, VCHAR, obs-text. */
static bool
is_vbyte(unsigned char c)
{
	return c == '\t' || (c >= ' ' && c != 0x7f);
}

static bool
is_boundary(const char *b, size_t n)
{
	size_t i;

	if (n == 0 || n > RN_MULTIPART_MAX_BOUNDARY || b[n - 1] == ' ')
		return false;
	for (i = 0; i < n; i++)
		if (!is_bchar((unsigned char)b[i]))
			return false;
	return true;
}

static bool
eq_ci(const char *s, size_t n, const char *lit)
{
	return n == strlen(lit) && rn_ascii_casecmp_n(s, lit, n);
}

static void
skip_ows(struct cur *c)
{
	while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t'))
		c->i++;
}

static enum rn_err
take_token(struct cur *c, const char **tok, size_t *len)
{
	size_t start = c->i;

	while (c->i < c->n && is_tchar((unsigned char)c->s[c->i]))
		c->i++;
	if (c->i == start)
		return RN_ERR_INVAL;
	*tok = c->s + start;
	*len = c->i - start;
	return RN_OK;
}

static enum rn_err
put_byte(char *out, size_t cap, size_t *len, char ch)
{
	if (out == NULL)
		return RN_OK;
	if (*len >= cap)
		return RN_ERR_TOOBIG;
	out[(*len)++] = ch;
	return RN_OK;
}

/*
 * A parameter value, token or quoted-string (RFC 9110 section 5.6.6), decoded
 * into out (at most cap bytes, NUL-terminated; out has cap + 1 bytes) or only
 * checked when out is NULL.
 */
static enum rn_err
take_value(struct cur *c, char *out, size_t cap, size_t *outlen)
{
	const char   *tok;
	size_t	      len = 0, toklen, i;
	enum rn_err   err;
	unsigned char ch;

	if (c->i < c->n && c->s[c->i] != '"') {
		if ((err = take_token(c, &tok, &toklen)) != RN_OK)
			return err;
		for (i = 0; i < toklen; i++)
			if ((err = put_byte(out, cap, &len, tok[i])) != RN_OK)
				return err;
		goto done;
	}
	if (c->i >= c->n)
		return RN_ERR_INVAL;
	for (c->i++;; c->i++) {
		if (c->i >= c->n)
			return RN_ERR_INVAL; /* unterminated */
		ch = (unsigned char)c->s[c->i];
		if (ch == '"')
			break;
		if (ch == '\\' && ++c->i >= c->n)
			return RN_ERR_INVAL;
		ch = (unsigned char)c->s[c->i];
		if (!is_vbyte(ch))
			return RN_ERR_INVAL;
		if ((err = put_byte(out, cap, &len, (char)ch)) != RN_OK)
			return err;
	}
	c->i++;
done:
	if (out != NULL)
		out[len] = '\0';
	if (outlen != NULL)
		*outlen = len;
	return RN_OK;
}

/*
 * The next `OWS ";" OWS name "="` of a parameter list, leaving the cursor on
 * the value.  RN_ERR_NOTFOUND at the end of the list.
 */
static enum rn_err
next_param(struct cur *c, const char **name, size_t *len)
{
	skip_ows(c);
	if (c->i == c->n)
		return RN_ERR_NOTFOUND;
	if (c->s[c->i] != ';')
		return RN_ERR_INVAL;
	c->i++;
	skip_ows(c);
	if (take_token(c, name, len) != RN_OK)
		return RN_ERR_INVAL;
	if (c->i >= c->n || c->s[c->i] != '=')
		return RN_ERR_INVAL;
	c->i++;
	return RN_OK;
}

/* "type/subtype" at the cursor; *is_multipart tells whether the type is multipart. */
static enum rn_err
take_media_type(struct cur *c, const char **sub, size_t *sublen, bool *is_multipart)
{
	const char *type;
	size_t	    typelen;

	if (take_token(c, &type, &typelen) != RN_OK)
		return RN_ERR_INVAL;
	if (c->i >= c->n || c->s[c->i] != '/')
		return RN_ERR_INVAL;
	c->i++;
	if (take_token(c, sub, sublen) != RN_OK)
		return RN_ERR_INVAL;
	*is_multipart = eq_ci(type, typelen, "multipart");
	return RN_OK;
}

void
rn_multipart_limits_default(struct rn_multipart_limits *lim)
{
	lim->max_parts = RN_DEF_MULTIPART_MAX_PARTS;
	lim->max_header_bytes = RN_DEF_MULTIPART_MAX_HEADER_BYTES;
	lim->max_headers = RN_DEF_MULTIPART_MAX_HEADERS;
	lim->max_preamble = RN_DEF_MULTIPART_MAX_PREAMBLE;
	lim->max_epilogue = RN_DEF_MULTIPART_MAX_EPILOGUE;
}

bool
rn_multipart_is_boundary(const char *b)
{
	return b != NULL && is_boundary(b, strnlen(b, RN_MULTIPART_MAX_BOUNDARY + 1u));
}

enum rn_err
rn_multipart_boundary(const char *content_type, size_t len, char *out, size_t outsz)
{
	struct cur  c = { content_type, len, 0 };
	char	    b[RN_MULTIPART_BOUNDARY_BUFSZ];
	const char *sub, *pname;
	size_t	    sublen, pnlen, blen = 0;
	bool	    multi, found = false;
	enum rn_err err;

	if (take_media_type(&c, &sub, &sublen, &multi) != RN_OK || !multi ||
	    !eq_ci(sub, sublen, "form-data"))
		return RN_ERR_INVAL;
	while ((err = next_param(&c, &pname, &pnlen)) == RN_OK) {
		if (!eq_ci(pname, pnlen, "boundary")) {
			if (take_value(&c, NULL, 0, NULL) != RN_OK)
				return RN_ERR_INVAL;
			continue;
		}
		if (found)
			return RN_ERR_INVAL; /* two boundaries */
		found = true;
		/* A value too long for b is no boundary either. */
		if (take_value(&c, b, RN_MULTIPART_MAX_BOUNDARY, &blen) != RN_OK)
			return RN_ERR_INVAL;
	}
	if (err != RN_ERR_NOTFOUND || !found || !is_boundary(b, blen))
		return RN_ERR_INVAL;
	if (outsz <= blen)
		return RN_ERR_TOOBIG;
	memcpy(out, b, blen + 1);
	return RN_OK;
}

static bool
limits_ok(const struct rn_multipart_limits *lim)
{
	return lim->max_parts > 0 && lim->max_parts <= RN_MAX_MULTIPART_PARTS &&
	       lim->max_header_bytes <= RN_MAX_MULTIPART_HEADER_BYTES &&
	       lim->max_headers <= RN_MAX_MULTIPART_HEADERS &&
	       lim->max_preamble <= RN_MAX_MULTIPART_PREAMBLE &&
	       lim->max_epilogue <= RN_MAX_MULTIPART_EPILOGUE;
}

struct rn_multipart *
rn_multipart_new(const char *boundary, const struct rn_multipart_limits *lim,
    const struct rn_multipart_cbs *cbs, void *arg)
{
	struct rn_multipart *mp;
	size_t		     blen;

	if (!rn_multipart_is_boundary(boundary) || (lim != NULL && !limits_ok(lim)))
		return NULL;
	if ((mp = calloc(1, sizeof(*mp))) == NULL)
		return NULL;
	if (lim != NULL)
		mp->lim = *lim;
	else
		rn_multipart_limits_default(&mp->lim);
	if (cbs != NULL)
		mp->cbs = *cbs;
	mp->arg = arg;
	mp->state = S_PREAMBLE;
	mp->err = RN_OK;
	mp->why = "ok";
	blen = strlen(boundary);
	memcpy(mp->delim, "\r\n--", 4);
	memcpy(mp->delim + 4, boundary, blen);
	mp->dlen = blen + 4;
	/* The virtual CRLF before the body: "--boundary" may open it. */
	memcpy(mp->hold, "\r\n", 2);
	mp->holdlen = 2;
	return mp;
}

void
rn_multipart_free(struct rn_multipart *mp)
{
	free(mp);
}

static enum rn_err
fail(struct rn_multipart *mp, enum rn_err err, const char *why)
{
	mp->state = S_FAILED;
	mp->err = err;
	mp->why = why;
	return err;
}

/* Content bytes: to the caller in a part, counted against the cap in the preamble. */
static enum rn_err
emit(struct rn_multipart *mp, const char *p, size_t n)
{
	enum rn_err err;

	if (n == 0)
		return RN_OK;
	if (mp->state == S_PREAMBLE) {
		/* The two virtual bytes come out first, with any real preamble. */
		mp->skipped += n;
		if (mp->skipped > mp->lim.max_preamble + 2u)
			return fail(mp, RN_ERR_TOOBIG, "preamble too long");
		return RN_OK;
	}
	if (mp->cbs.part_data != NULL && (err = mp->cbs.part_data(p, n, mp->arg)) != RN_OK)
		return fail(mp, err, "stopped by the caller");
	return RN_OK;
}

static enum rn_err
delimiter(struct rn_multipart *mp)
{
	enum rn_err err;

	if (mp->state == S_DATA && mp->cbs.part_end != NULL &&
	    (err = mp->cbs.part_end(mp->arg)) != RN_OK)
		return fail(mp, err, "stopped by the caller");
	mp->state = S_AFTER_DELIM;
	mp->padlen = 0;
	mp->skipped = 0;
	return RN_OK;
}

/*
 * Preamble or part content up to the next delimiter.  Returns the bytes
 * consumed: all of them, or up to the end of a delimiter (state changed),
 * or up to an error (state S_FAILED).
 */
static size_t
scan_content(struct rn_multipart *mp, const char *p, size_t n)
{
	const char *cr;
	size_t	    m, j, i = 0;

	if (mp->holdlen > 0) {
		m = mp->dlen - mp->holdlen < n ? mp->dlen - mp->holdlen : n;
		if (memcmp(p, mp->delim + mp->holdlen, m) == 0) {
			if (mp->holdlen + m == mp->dlen) {
				mp->holdlen = 0;
				(void)delimiter(mp);
				return m;
			}
			memcpy(mp->hold + mp->holdlen, p, m);
			mp->holdlen += m;
			return m;
		}
		/* No delimiter: the held bytes (one CR, at 0) are content. */
		m = mp->holdlen;
		mp->holdlen = 0;
		if (emit(mp, mp->hold, m) != RN_OK)
			return n;
	}
	for (j = 0; (cr = memchr(p + j, '\r', n - j)) != NULL; j++) {
		j = (size_t)(cr - p);
		m = mp->dlen < n - j ? mp->dlen : n - j;
		/* Most CRs in content are not followed by LF "--": a cheap test first. */
		if (m >= 4 && (cr[1] != '\n' || cr[2] != '-' || cr[3] != '-'))
			continue;
		if (memcmp(cr, mp->delim, m) != 0)
			continue;
		if (emit(mp, p + i, j - i) != RN_OK)
			return n;
		if (m == mp->dlen) {
			(void)delimiter(mp);
			return j + m;
		}
		memcpy(mp->hold, cr, m);
		mp->holdlen = m;
		return n;
	}
	(void)emit(mp, p + i, n - i);
	return n;
}

static enum rn_err
parse_disposition(struct rn_multipart *mp, struct cur *c)
{
	const char *type, *pn;
	size_t	    typelen, pnlen;
	enum rn_err err;

	if (take_token(c, &type, &typelen) != RN_OK || !eq_ci(type, typelen, "form-data"))
		return fail(mp, RN_ERR_INVAL, "Content-Disposition is not form-data");
	while ((err = next_param(c, &pn, &pnlen)) == RN_OK) {
		if (eq_ci(pn, pnlen, "name")) {
			if (mp->part.name != NULL)
				return fail(mp, RN_ERR_INVAL, "duplicate name parameter");
			err = take_value(c, mp->name, RN_MULTIPART_MAX_NAME, &mp->part.name_len);
			if (err == RN_OK && mp->part.name_len == 0)
				return fail(mp, RN_ERR_INVAL, "empty name");
			mp->part.name = mp->name;
		} else if (eq_ci(pn, pnlen, "filename")) {
			if (mp->part.filename != NULL)
				return fail(mp, RN_ERR_INVAL, "duplicate filename parameter");
			err = take_value(
			    c, mp->filename, RN_MULTIPART_MAX_FILENAME, &mp->part.filename_len);
			mp->part.filename = mp->filename;
		} else if (pnlen > 0 && pn[pnlen - 1] == '*') {
			return fail(mp, RN_ERR_INVAL, "extended parameter (RFC 7578 4.2)");
		} else
			err = take_value(c, NULL, 0, NULL);
		if (err == RN_ERR_TOOBIG)
			return fail(mp, err, "name or filename too long");
		if (err != RN_OK)
			return fail(mp, err, "bad Content-Disposition parameter");
	}
	if (err != RN_ERR_NOTFOUND)
		return fail(mp, RN_ERR_INVAL, "bad Content-Disposition");
	if (mp->part.name == NULL)
		return fail(mp, RN_ERR_INVAL, "part without a name");
	return RN_OK;
}

static enum rn_err
parse_content_type(struct rn_multipart *mp, struct cur *c)
{
	const char *sub, *pn;
	size_t	    sublen, pnlen;
	bool	    multi;
	enum rn_err err;

	if (take_media_type(c, &sub, &sublen, &multi) != RN_OK)
		return fail(mp, RN_ERR_INVAL, "bad part Content-Type");
	if (multi)
		return fail(mp, RN_ERR_INVAL, "nested multipart");
	while ((err = next_param(c, &pn, &pnlen)) == RN_OK)
		if (take_value(c, NULL, 0, NULL) != RN_OK)
			return fail(mp, RN_ERR_INVAL, "bad part Content-Type");
	if (err != RN_ERR_NOTFOUND)
		return fail(mp, RN_ERR_INVAL, "bad part Content-Type");
	if (c->n > RN_MULTIPART_MAX_CONTENT_TYPE)
		return fail(mp, RN_ERR_TOOBIG, "part Content-Type too long");
	memcpy(mp->ctype, c->s, c->n);
	mp->ctype[c->n] = '\0';
	mp->part.content_type = mp->ctype;
	return RN_OK;
}

static enum rn_err
parse_cte(struct rn_multipart *mp, struct cur *c)
{
	if (eq_ci(c->s, c->n, "7bit") || eq_ci(c->s, c->n, "8bit") || eq_ci(c->s, c->n, "binary"))
		return RN_OK;
	return fail(mp, RN_ERR_INVAL, "Content-Transfer-Encoding not identity");
}

/* One part header line, CRLF removed. */
static enum rn_err
header_line(struct rn_multipart *mp, const char *s, size_t n)
{
	struct cur  c;
	const char *name;
	size_t	    namelen, i, end;
	bool	   *seen;

	if (++mp->nheaders > mp->lim.max_headers)
		return fail(mp, RN_ERR_TOOBIG, "too many part header fields");
	c = (struct cur){ s, n, 0 };
	if (take_token(&c, &name, &namelen) != RN_OK || c.i >= n || s[c.i] != ':')
		return fail(mp, RN_ERR_INVAL, "bad part header line"); /* obs-fold too */
	c.i++;
	for (i = c.i; i < n; i++)
		if (!is_vbyte((unsigned char)s[i]))
			return fail(mp, RN_ERR_INVAL, "control character in a part header");
	skip_ows(&c);
	for (end = n; end > c.i && (s[end - 1] == ' ' || s[end - 1] == '\t'); end--)
		;
	c = (struct cur){ s + c.i, end - c.i, 0 };
	if (eq_ci(name, namelen, "Content-Disposition"))
		seen = &mp->has_disp;
	else if (eq_ci(name, namelen, "Content-Type"))
		seen = &mp->has_type;
	else if (eq_ci(name, namelen, "Content-Transfer-Encoding"))
		seen = &mp->has_cte;
	else
		return RN_OK; /* RFC 7578 section 4.8: ignored */
	if (*seen)
		return fail(mp, RN_ERR_INVAL, "duplicate part header field");
	*seen = true;
	if (seen == &mp->has_disp)
		return parse_disposition(mp, &c);
	if (seen == &mp->has_type)
		return parse_content_type(mp, &c);
	return parse_cte(mp, &c);
}

/* The empty line after the part headers: the part begins. */
static enum rn_err
headers_done(struct rn_multipart *mp)
{
	enum rn_err err;

	if (!mp->has_disp)
		return fail(mp, RN_ERR_INVAL, "part without Content-Disposition");
	mp->part.index = mp->nparts++;
	mp->state = S_DATA;
	if (mp->cbs.part_begin != NULL && (err = mp->cbs.part_begin(&mp->part, mp->arg)) != RN_OK)
		return fail(mp, err, "stopped by the caller");
	return RN_OK;
}

static size_t
scan_headers(struct rn_multipart *mp, const char *p, size_t n)
{
	size_t i;
	char   ch;

	for (i = 0; i < n; i++) {
		ch = p[i];
		if (++mp->hbytes > mp->lim.max_header_bytes) {
			(void)fail(mp, RN_ERR_TOOBIG, "part header block too long");
			return n;
		}
		if (mp->cr) {
			if (ch != '\n') {
				(void)fail(mp, RN_ERR_INVAL, "bare CR in part headers");
				return n;
			}
			mp->cr = false;
			if (mp->linelen == 0)
				(void)headers_done(mp);
			else
				(void)header_line(mp, mp->line, mp->linelen);
			mp->linelen = 0;
			if (mp->state != S_HEADERS)
				return i + 1;
		} else if (ch == '\r') {
			mp->cr = true;
		} else if (ch == '\n') {
			(void)fail(mp, RN_ERR_INVAL, "bare LF in part headers");
			return n;
		} else if (mp->linelen == sizeof(mp->line)) {
			(void)fail(mp, RN_ERR_TOOBIG, "part header line too long");
			return n;
		} else
			mp->line[mp->linelen++] = ch;
	}
	return n;
}

/* The CRLF ending a delimiter line: a part's headers follow. */
static enum rn_err
part_start(struct rn_multipart *mp)
{
	if (mp->nparts >= mp->lim.max_parts)
		return fail(mp, RN_ERR_TOOBIG, "too many parts");
	memset(&mp->part, 0, sizeof(mp->part));
	mp->hbytes = mp->nheaders = mp->linelen = 0;
	mp->cr = mp->has_disp = mp->has_type = mp->has_cte = false;
	mp->state = S_HEADERS;
	return RN_OK;
}

static enum rn_err
pad_byte(struct rn_multipart *mp, char ch, enum mp_state cr_state)
{
	if (ch == '\r') {
		mp->state = cr_state;
		return RN_OK;
	}
	if (ch != ' ' && ch != '\t')
		return fail(mp, RN_ERR_INVAL, "bad delimiter line");
	if (++mp->padlen > RN_MULTIPART_MAX_PADDING)
		return fail(mp, RN_ERR_TOOBIG, "transport padding too long");
	return RN_OK;
}

/* The short stretch between a delimiter and the next part or the epilogue. */
static void
delim_byte(struct rn_multipart *mp, char ch)
{
	switch (mp->state) {
	case S_AFTER_DELIM:
		if (ch == '-')
			mp->state = S_CLOSE_DASH;
		else {
			mp->state = S_PAD;
			(void)pad_byte(mp, ch, S_PAD_LF);
		}
		break;
	case S_CLOSE_DASH:
		if (ch != '-')
			(void)fail(mp, RN_ERR_INVAL, "bad delimiter line");
		else
			mp->state = S_CLOSE_PAD;
		break;
	case S_PAD: (void)pad_byte(mp, ch, S_PAD_LF); break;
	case S_CLOSE_PAD: (void)pad_byte(mp, ch, S_CLOSE_LF); break;
	case S_PAD_LF:
		if (ch != '\n')
			(void)fail(mp, RN_ERR_INVAL, "bare CR after a delimiter");
		else
			(void)part_start(mp);
		break;
	case S_CLOSE_LF:
		if (ch != '\n')
			(void)fail(mp, RN_ERR_INVAL, "bare CR after the close delimiter");
		else
			mp->state = S_EPILOGUE;
		break;
	default: break;
	}
}

enum rn_err
rn_multipart_feed(struct rn_multipart *mp, const void *buf, size_t n)
{
	const char *p = buf;
	size_t	    i = 0;

	while (i < n && mp->state != S_FAILED) {
		switch (mp->state) {
		case S_PREAMBLE:
		case S_DATA: i += scan_content(mp, p + i, n - i); break;
		case S_HEADERS: i += scan_headers(mp, p + i, n - i); break;
		case S_EPILOGUE:
			mp->skipped += n - i;
			i = n;
			if (mp->skipped > mp->lim.max_epilogue)
				(void)fail(mp, RN_ERR_TOOBIG, "epilogue too long");
			break;
		default: delim_byte(mp, p[i++]); break;
		}
	}
	return mp->err;
}

enum rn_err
rn_multipart_finish(struct rn_multipart *mp)
{
	if (mp->state == S_FAILED)
		return mp->err;
	if (mp->state != S_CLOSE_PAD && mp->state != S_EPILOGUE)
		return fail(mp, RN_ERR_INVAL, "body ends before the close delimiter");
	return RN_OK;
}

int
rn_multipart_status(const struct rn_multipart *mp)
{
	return rn_err_http_status(mp->err);
}

const char *
rn_multipart_error(const struct rn_multipart *mp)
{
	return mp->why;
}

size_t
rn_multipart_parts(const struct rn_multipart *mp)
{
	return mp->nparts;
}
