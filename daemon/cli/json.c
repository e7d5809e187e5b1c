/*
 * A small strict JSON reader (RFC 8259) for the editor API's answers:
 * objects, arrays, strings, integers, true, false, null.  Floats and
 * exponents are refused (the API has none); depth is at most JSON_MAX_DEPTH
 * and values at most JSON_MAX_NODES; input is capped by the caller
 * (RN_EDITOR_MAX_ANSWER).
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#define JSON_MAX_DEPTH 16u
#define JSON_MAX_NODES 1000000u

struct parser {
	const char *s;
	size_t	    n, i;
	size_t	    nodes;
};

static enum rn_err parse_value(struct parser *p, struct cli_json *out, unsigned depth);

static void
skip_ws(struct parser *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' ||
				  p->s[p->i] == '\r'))
		p->i++;
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

static bool
read_u16(struct parser *p, uint32_t *out)
{
	uint32_t v = 0;
	size_t	 k;

	if (p->n - p->i < 4)
		return false;
	for (k = 0; k < 4; k++) {
		int h = hexval(p->s[p->i + k]);

		if (h < 0)
			return false;
		v = (v << 4) | (uint32_t)h;
	}
	p->i += 4;
	*out = v;
	return true;
}

static enum rn_err
put_utf8(struct rn_buf *b, uint32_t c)
{
	char   u[4];
	size_t n;

	if (c < 0x80) {
		u[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (char)(0xc0 | (c >> 6));
		u[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (char)(0xe0 | (c >> 12));
		u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (c >> 18));
		u[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[3] = (char)(0x80 | (c & 0x3f));
		n = 4;
	}
	return rn_buf_append(b, u, n);
}

/* \uXXXX, with a surrogate pair as one code point. */
static enum rn_err
unicode_escape(struct parser *p, struct rn_buf *b)
{
	uint32_t c, lo;

	if (!read_u16(p, &c) || (c >= 0xdc00 && c <= 0xdfff))
		return RN_ERR_INVAL;
	if (c >= 0xd800 && c <= 0xdbff) {
		if (p->n - p->i < 2 || p->s[p->i] != '\\' || p->s[p->i + 1] != 'u')
			return RN_ERR_INVAL;
		p->i += 2;
		if (!read_u16(p, &lo) || lo < 0xdc00 || lo > 0xdfff)
			return RN_ERR_INVAL;
		c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
	}
	return put_utf8(b, c);
}

static enum rn_err
parse_string(struct parser *p, char **out, size_t *len)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	struct rn_buf	  b;
	enum rn_err	  err = RN_ERR_INVAL;

	rn_buf_init(&b, p->n + 1);
	if (p->i >= p->n || p->s[p->i] != '"')
		goto out;
	for (p->i++; p->i < p->n; p->i++) {
		unsigned char c = (unsigned char)p->s[p->i];
		const char   *e;

		if (c == '"') {
			p->i++;
			if ((err = rn_buf_reserve(&b, 1)) != RN_OK)
				goto out;
			*out = b.data;
			*len = b.len;
			return RN_OK;
		}
		if (c < 0x20)
			goto out;
		if (c != '\\') {
			if (rn_buf_append(&b, &p->s[p->i], 1) != RN_OK)
				goto out;
			continue;
		}
		if (++p->i >= p->n)
			goto out;
		if (p->s[p->i] == 'u') {
			p->i++;
			if (unicode_escape(p, &b) != RN_OK)
				goto out;
			p->i--;
		} else if ((e = strchr(from, p->s[p->i])) != NULL && *e != '\0') {
			if (rn_buf_append(&b, &to[e - from], 1) != RN_OK)
				goto out;
		} else {
			goto out;
		}
	}
out:
	rn_buf_free(&b);
	return err == RN_OK ? RN_ERR_INVAL : err;
}

static enum rn_err
parse_int(struct parser *p, int64_t *out)
{
	bool	 neg = false;
	uint64_t v = 0;
	size_t	 start;

	if (p->i < p->n && p->s[p->i] == '-') {
		neg = true;
		p->i++;
	}
	start = p->i;
	while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9') {
		if (v > (uint64_t)INT64_MAX / 10)
			return RN_ERR_INVAL;
		v = v * 10 + (uint64_t)(p->s[p->i++] - '0');
		if (v > (uint64_t)INT64_MAX)
			return RN_ERR_INVAL;
	}
	if (p->i == start || (p->i - start > 1 && p->s[start] == '0'))
		return RN_ERR_INVAL;
	if (p->i < p->n && (p->s[p->i] == '.' || p->s[p->i] == 'e' || p->s[p->i] == 'E'))
		return RN_ERR_INVAL;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return RN_OK;
}

static bool
literal(struct parser *p, const char *lit)
{
	size_t n = strlen(lit);

	if (p->n - p->i < n || memcmp(p->s + p->i, lit, n) != 0)
		return false;
	p->i += n;
	return true;
}

/* Members of an array or object; the opening bracket is consumed. */
static enum rn_err
parse_container(struct parser *p, struct cli_json *out, unsigned depth, bool obj)
{
	size_t	    cap = 0;
	enum rn_err err;

	out->type = obj ? CLI_JSON_OBJ : CLI_JSON_ARR;
	skip_ws(p);
	if (p->i < p->n && p->s[p->i] == (obj ? '}' : ']')) {
		p->i++;
		return RN_OK;
	}
	for (;;) {
		if (out->nkids == cap) {
			size_t		 ncap = cap ? 2 * cap : 4;
			struct cli_json *k = realloc(out->kids, ncap * sizeof(*k));
			char	       **keys;

			if (k == NULL)
				return RN_ERR_NOMEM;
			out->kids = k;
			if (obj) {
				if ((keys = realloc(out->keys, ncap * sizeof(*keys))) == NULL)
					return RN_ERR_NOMEM;
				out->keys = keys;
			}
			cap = ncap;
		}
		memset(&out->kids[out->nkids], 0, sizeof(out->kids[0]));
		if (obj) {
			size_t klen;

			out->keys[out->nkids] = NULL;
			skip_ws(p);
			if ((err = parse_string(p, &out->keys[out->nkids], &klen)) != RN_OK)
				return err;
			skip_ws(p);
			if (p->i >= p->n || p->s[p->i++] != ':')
				return (out->nkids++, RN_ERR_INVAL);
		}
		err = parse_value(p, &out->kids[out->nkids++], depth + 1);
		if (err != RN_OK)
			return err;
		skip_ws(p);
		if (p->i < p->n && p->s[p->i] == ',') {
			p->i++;
			continue;
		}
		if (p->i < p->n && p->s[p->i] == (obj ? '}' : ']')) {
			p->i++;
			return RN_OK;
		}
		return RN_ERR_INVAL;
	}
}

static enum rn_err
parse_value(struct parser *p, struct cli_json *out, unsigned depth)
{
	if (depth > JSON_MAX_DEPTH || ++p->nodes > JSON_MAX_NODES)
		return RN_ERR_TOOBIG;
	skip_ws(p);
	if (p->i >= p->n)
		return RN_ERR_INVAL;
	switch (p->s[p->i]) {
	case '{':
	case '[': p->i++; return parse_container(p, out, depth, p->s[p->i - 1] == '{');
	case '"': out->type = CLI_JSON_STR; return parse_string(p, &out->str, &out->len);
	case 't':
	case 'f':
		out->type = CLI_JSON_BOOL;
		out->num = p->s[p->i] == 't';
		return literal(p, out->num ? "true" : "false") ? RN_OK : RN_ERR_INVAL;
	case 'n': out->type = CLI_JSON_NULL; return literal(p, "null") ? RN_OK : RN_ERR_INVAL;
	default: out->type = CLI_JSON_INT; return parse_int(p, &out->num);
	}
}

static void
free_inner(struct cli_json *j)
{
	size_t i;

	free(j->str);
	for (i = 0; i < j->nkids; i++) {
		free_inner(&j->kids[i]);
		if (j->keys != NULL)
			free(j->keys[i]);
	}
	free(j->kids);
	free(j->keys);
}

void
cli_json_free(struct cli_json *j)
{
	if (j == NULL)
		return;
	free_inner(j);
	free(j);
}

enum rn_err
cli_json_parse(const char *s, size_t n, struct cli_json **out)
{
	struct parser	 p = { s, n, 0, 0 };
	struct cli_json *j;
	enum rn_err	 err;

	*out = NULL;
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return RN_ERR_NOMEM;
	err = parse_value(&p, j, 0);
	skip_ws(&p);
	if (err == RN_OK && p.i != p.n)
		err = RN_ERR_INVAL;
	if (err != RN_OK) {
		cli_json_free(j);
		return err;
	}
	*out = j;
	return RN_OK;
}

const struct cli_json *
cli_json_get(const struct cli_json *j, const char *key)
{
	size_t i;

	if (j == NULL || j->type != CLI_JSON_OBJ)
		return NULL;
	for (i = 0; i < j->nkids; i++)
		if (strcmp(j->keys[i], key) == 0)
			return &j->kids[i];
	return NULL;
}

const char *
cli_json_str_of(const struct cli_json *j, const char *key)
{
	const struct cli_json *v = cli_json_get(j, key);

	return v != NULL && v->type == CLI_JSON_STR ? v->str : NULL;
}
