/*
 * Signed statements: a strict line format.  Every line is printable ASCII
 * ended by LF, words separated by one space; the body is every line before
 * the first "sig " line, and the signatures are over the body's bytes exactly
 * as received (never re-serialised).  Signature lines come in strictly
 * increasing key order, so one key signs a statement at most once.
 */
#include <stdlib.h>
#include <string.h>

#include "coll_int.h"
#include "stmt_int.h"

#define SIG_B64_LEN  rn_base64_len(RN_ED25519_SIG_LEN)
#define SIG_LINE_LEN (4 + RN_COLL_HEX_LEN + 1 + SIG_B64_LEN)

/* The line at *off: its length without the LF; RN_ERR_INVAL if it breaks a rule. */
static enum rn_err
line_at(const uint8_t *p, size_t n, size_t off, size_t *len)
{
	size_t i;

	for (i = off; i < n && p[i] != '\n'; i++) {
		if (p[i] < 0x20 || p[i] > 0x7e)
			return RN_ERR_INVAL;
		if (p[i] == ' ' && (i == off || p[i - 1] == ' '))
			return RN_ERR_INVAL;
	}
	if (i == n || i == off || p[i - 1] == ' ' || i - off > RN_COLL_MAX_LINE)
		return RN_ERR_INVAL;
	*len = i - off;
	return RN_OK;
}

static enum rn_err
sig_line(const uint8_t *p, size_t len, struct rn_coll_sig *sig)
{
	size_t got;

	if (len != SIG_LINE_LEN || memcmp(p, "sig ", 4) != 0 || p[4 + RN_COLL_HEX_LEN] != ' ')
		return RN_ERR_INVAL;
	if (rn_coll_id_parse((const char *)p + 4, RN_COLL_HEX_LEN, sig->pub) != RN_OK)
		return RN_ERR_INVAL;
	if (rn_base64_decode((const char *)p + 5 + RN_COLL_HEX_LEN, SIG_B64_LEN, sig->sig,
		sizeof(sig->sig), &got) != RN_OK ||
	    got != RN_ED25519_SIG_LEN)
		return RN_ERR_INVAL;
	return RN_OK;
}

enum rn_err
rn_coll_stmt_split(const uint8_t *p, size_t n, struct rn_coll_sigs *out)
{
	size_t	    off = 0, len;
	bool	    in_sigs = false;
	enum rn_err err;

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return RN_ERR_INVAL;
	if (n > RN_COLL_MAX_STATEMENT)
		return RN_ERR_TOOBIG;
	while (off < n) {
		if ((err = line_at(p, n, off, &len)) != RN_OK)
			return err;
		if (!in_sigs && len >= 4 && memcmp(p + off, "sig ", 4) == 0) {
			in_sigs = true;
			out->body_len = off;
		}
		if (in_sigs) {
			struct rn_coll_sig *s = &out->s[out->n];

			if (out->n >= RN_COLL_MAX_SIGS)
				return RN_ERR_TOOBIG;
			if ((err = sig_line(p + off, len, s)) != RN_OK)
				return err;
			if (out->n > 0 && memcmp(out->s[out->n - 1].pub, s->pub, 32) >= 0)
				return RN_ERR_INVAL;
			out->n++;
		}
		off += len + 1;
	}
	if (!in_sigs)
		out->body_len = n;
	return out->body_len == 0 ? RN_ERR_INVAL : RN_OK;
}

static enum rn_err
put_sig_line(struct rn_buf *b, const struct rn_coll_sig *s)
{
	char hex[RN_COLL_HEX_LEN + 1], b64[SIG_B64_LEN + 1];

	rn_coll_id_format(s->pub, hex);
	rn_base64_encode(s->sig, RN_ED25519_SIG_LEN, b64);
	return rn_buf_printf(b, "sig %s %s\n", hex, b64);
}

enum rn_err
rn_coll_stmt_sign(
    const uint8_t *p, size_t n, const uint8_t seed[RN_ED25519_SEED_LEN], struct rn_buf *out)
{
	struct rn_coll_sigs *sigs;
	struct rn_coll_sig   mine;
	size_t		     i;
	bool		     done = false;
	enum rn_err	     err;

	if ((sigs = malloc(sizeof(*sigs))) == NULL)
		return RN_ERR_NOMEM;
	if ((err = rn_coll_stmt_split(p, n, sigs)) != RN_OK ||
	    (err = rn_ed25519_public(seed, mine.pub)) != RN_OK ||
	    (err = rn_ed25519_sign(seed, p, sigs->body_len, mine.sig)) != RN_OK)
		goto out;
	for (i = 0; i < sigs->n; i++)
		if (memcmp(sigs->s[i].pub, mine.pub, RN_ED25519_PUB_LEN) == 0) {
			err = RN_ERR_EXISTS;
			goto out;
		}
	if (sigs->n >= RN_COLL_MAX_SIGS) {
		err = RN_ERR_TOOBIG;
		goto out;
	}
	out->max = RN_COLL_MAX_STATEMENT;
	rn_buf_reset(out);
	if ((err = rn_buf_append(out, p, sigs->body_len)) != RN_OK)
		goto out;
	for (i = 0; i <= sigs->n && err == RN_OK; i++) {
		if (!done && (i == sigs->n || memcmp(mine.pub, sigs->s[i].pub, 32) < 0)) {
			done = true;
			err = put_sig_line(out, &mine);
		}
		if (err == RN_OK && i < sigs->n)
			err = put_sig_line(out, &sigs->s[i]);
	}
out:
	free(sigs);
	return err;
}

enum rn_err
rn_coll_stmt_verify_sigs(const uint8_t *p, const struct rn_coll_sigs *sigs)
{
	size_t i;

	for (i = 0; i < sigs->n; i++)
		if (rn_ed25519_verify(sigs->s[i].pub, p, sigs->body_len, sigs->s[i].sig) != RN_OK)
			return RN_ERR_CRYPTO;
	return RN_OK;
}

unsigned
rn_coll_stmt_count(
    const struct rn_coll_sigs *sigs, const uint8_t (*keys)[RN_ED25519_PUB_LEN], size_t nkeys)
{
	unsigned count = 0;
	size_t	 i, j;

	for (i = 0; i < sigs->n; i++) {
		/* Signers are strictly sorted, hence distinct; the guard is for callers' copies. */
		if (i > 0 && memcmp(sigs->s[i - 1].pub, sigs->s[i].pub, RN_ED25519_PUB_LEN) == 0)
			continue;
		for (j = 0; j < nkeys; j++)
			if (memcmp(sigs->s[i].pub, keys[j], RN_ED25519_PUB_LEN) == 0) {
				count++;
				break;
			}
	}
	return count;
}

/* ---- reading body lines ---- */

void
stmt_lines_init(struct stmt_lines *l, const uint8_t *p, size_t n)
{
	l->p = (const char *)p;
	l->n = n;
	l->off = 0;
}

bool
stmt_lines_done(const struct stmt_lines *l)
{
	return l->off >= l->n;
}

/* Peek: does the next line start with "kw "? */
bool
stmt_lines_next_is(const struct stmt_lines *l, const char *kw)
{
	size_t k = strlen(kw);

	return l->off + k < l->n && memcmp(l->p + l->off, kw, k) == 0 && l->p[l->off + k] == ' ';
}

enum rn_err
stmt_line(struct stmt_lines *l, const char *kw, const char **val, size_t *vlen)
{
	const char *nl;
	size_t	    k = strlen(kw), len;

	if (l->off >= l->n || (nl = memchr(l->p + l->off, '\n', l->n - l->off)) == NULL)
		return RN_ERR_INVAL;
	len = (size_t)(nl - (l->p + l->off));
	if (val == NULL) {
		if (len != k || memcmp(l->p + l->off, kw, k) != 0)
			return RN_ERR_INVAL;
	} else {
		if (len <= k + 1 || memcmp(l->p + l->off, kw, k) != 0 || l->p[l->off + k] != ' ')
			return RN_ERR_INVAL;
		*val = l->p + l->off + k + 1;
		*vlen = len - k - 1;
	}
	l->off += len + 1;
	return RN_OK;
}

/* Split off the first word of [*s, *s+*n): into w/wn; the rest stays in s/n. */
enum rn_err
stmt_word(const char **s, size_t *n, const char **w, size_t *wn)
{
	const char *sp = memchr(*s, ' ', *n);

	*w = *s;
	if (sp == NULL) {
		*wn = *n;
		*s += *n;
		*n = 0;
	} else {
		*wn = (size_t)(sp - *s);
		*s = sp + 1;
		*n -= *wn + 1;
	}
	return *wn == 0 ? RN_ERR_INVAL : RN_OK;
}

enum rn_err
stmt_u64(const char *s, size_t n, uint64_t *out)
{
	if (n == 0 || (n > 1 && s[0] == '0'))
		return RN_ERR_INVAL;
	return rn_parse_u64(s, n, UINT64_MAX, out) == RN_OK ? RN_OK : RN_ERR_INVAL;
}

enum rn_err
stmt_u64_line(struct stmt_lines *l, const char *kw, uint64_t *out)
{
	const char *v;
	size_t	    n;

	if (stmt_line(l, kw, &v, &n) != RN_OK)
		return RN_ERR_INVAL;
	return stmt_u64(v, n, out);
}

enum rn_err
stmt_id_line(struct stmt_lines *l, const char *kw, uint8_t out[RN_COLL_ID_LEN])
{
	const char *v;
	size_t	    n;

	if (stmt_line(l, kw, &v, &n) != RN_OK)
		return RN_ERR_INVAL;
	return rn_coll_id_parse(v, n, out);
}

/* "<u64> <hex id>" */
enum rn_err
stmt_u64_id_line(struct stmt_lines *l, const char *kw, uint64_t *u, uint8_t id[RN_COLL_ID_LEN])
{
	const char *v, *w;
	size_t	    n, wn;

	if (stmt_line(l, kw, &v, &n) != RN_OK || stmt_word(&v, &n, &w, &wn) != RN_OK ||
	    stmt_u64(w, wn, u) != RN_OK)
		return RN_ERR_INVAL;
	return rn_coll_id_parse(v, n, id);
}

enum rn_err
stmt_put_id(struct rn_buf *b, const char *kw, const uint8_t id[RN_COLL_ID_LEN])
{
	char hex[RN_COLL_HEX_LEN + 1];

	rn_coll_id_format(id, hex);
	return rn_buf_printf(b, "%s %s\n", kw, hex);
}
