/*
 * The age v1 header: a strict parser of the spec's ABNF, and canonical
 * unpadded base64.  Nothing here is secret: stanza bodies hold wrapped keys.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/age_int.h"

#define ARMOR_BEGIN "-----BEGIN AGE ENCRYPTED FILE-----"
#define AGE_PREFIX  "age-encryption.org/"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The 6-bit value of a base64 character, or -1. */
static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

size_t
rn_age_b64_encode(const uint8_t *in, size_t n, char *out, size_t outsz)
{
	size_t	 o = 0, i;
	uint32_t acc = 0, bits = 0;

	if ((n * 4 + 2) / 3 >= outsz)
		return 0;
	for (i = 0; i < n; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			out[o++] = b64_alphabet[(acc >> bits) & 63u];
		}
		acc &= 0xffu;
	}
	if (bits > 0)
		out[o++] = b64_alphabet[(acc << (6 - bits)) & 63u];
	out[o] = '\0';
	return o;
}

enum rn_err
rn_age_b64_decode(const char *in, size_t n, uint8_t *out, size_t outsz, size_t *outlen)
{
	uint32_t acc = 0, bits = 0;
	size_t	 o = 0, i;

	/* One leftover character holds 6 bits: never a whole byte, so never canonical. */
	if (n % 4 == 1)
		return RN_ERR_INVAL;
	if (n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0) > outsz)
		return RN_ERR_TOOBIG;
	for (i = 0; i < n; i++) {
		int v = b64_value((unsigned char)in[i]);

		if (v < 0)
			return RN_ERR_INVAL;
		acc = ((acc << 6) | (uint32_t)v) & 0xfffu;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	if ((acc & ((1u << bits) - 1u)) != 0)
		return RN_ERR_INVAL; /* non-zero unused bits: not canonical */
	*outlen = o;
	return RN_OK;
}

void
rn_age_header_free(struct rn_age_header *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->nstanzas; i++) {
		free(h->stanzas[i].line);
		free(h->stanzas[i].body);
	}
	free(h->stanzas);
	free(h);
}

size_t
rn_age_header_stanzas(const struct rn_age_header *h)
{
	return h != NULL ? h->nstanzas : 0;
}

const char *
rn_age_header_stanza_type(const struct rn_age_header *h, size_t i)
{
	if (h == NULL || i >= h->nstanzas)
		return NULL;
	return h->stanzas[i].args[0];
}

/*
 * The line at pos: its length (LF excluded) in *len.  RN_ERR_AGAIN when no LF
 * comes within [pos, n) and the line could still end in time; past `max`
 * characters RN_ERR_TOOBIG, or RN_ERR_INVAL when `toolong_inval`.
 */
static enum rn_err
get_line(const char *s, size_t n, size_t pos, size_t max, bool toolong_inval, size_t *len)
{
	size_t	    avail = n - pos, look = avail < max + 1 ? avail : max + 1;
	const char *lf = memchr(s + pos, '\n', look);

	if (lf != NULL) {
		*len = (size_t)(lf - (s + pos));
		return RN_OK;
	}
	if (avail > max)
		return toolong_inval ? RN_ERR_INVAL : RN_ERR_TOOBIG;
	return RN_ERR_AGAIN;
}

static enum rn_err
check_version(const char *s, size_t len, enum rn_age_status *st)
{
	if (len == strlen(AGE_VERSION_LINE) && memcmp(s, AGE_VERSION_LINE, len) == 0)
		return RN_OK;
	if (len >= strlen(ARMOR_BEGIN) && memcmp(s, ARMOR_BEGIN, strlen(ARMOR_BEGIN)) == 0)
		*st = RN_AGE_UNSUPPORTED;
	return RN_ERR_INVAL;
}

/* Split an argument line's copy into arguments: one or more of 1*VCHAR, single spaces. */
static enum rn_err
split_args(struct age_stanza *sz, size_t len)
{
	size_t i, start = 0;

	for (i = 0; i <= len; i++) {
		char c = sz->line[i];

		if (i < len && c > 0x20 && c < 0x7f)
			continue;
		if (i < len && c != ' ')
			return RN_ERR_INVAL;
		if (i == start)
			return RN_ERR_INVAL; /* empty argument */
		if (sz->nargs == RN_AGE_MAX_ARGS)
			return RN_ERR_TOOBIG;
		sz->line[i] = '\0';
		sz->args[sz->nargs++] = sz->line + start;
		start = i + 1;
	}
	return RN_OK;
}

/*
 * The body lines of a stanza from *pos: full 64-column lines, then one
 * shorter line (maybe empty).  Decoded into scratch (RN_AGE_MAX_BODY bytes).
 */
static enum rn_err
parse_body(const char *s, size_t n, size_t *pos, uint8_t *scratch, size_t *bodylen)
{
	size_t	    len, got, total = 0;
	enum rn_err err;

	for (;;) {
		if ((err = get_line(s, n, *pos, AGE_COLUMNS, true, &len)) != RN_OK)
			return err;
		if (len == AGE_COLUMNS && RN_AGE_MAX_BODY - total < AGE_COLUMNS / 4 * 3)
			return RN_ERR_TOOBIG;
		if ((err = rn_age_b64_decode(
			 s + *pos, len, scratch + total, RN_AGE_MAX_BODY - total, &got)) != RN_OK)
			return err;
		total += got;
		*pos += len + 1;
		if (len < AGE_COLUMNS)
			break;
	}
	*bodylen = total;
	return RN_OK;
}

static enum rn_err
add_stanza(struct rn_age_header *h, size_t *cap, const char *line, size_t len, const uint8_t *body,
    size_t bodylen)
{
	struct age_stanza *sz;
	enum rn_err	   err;

	if (h->nstanzas == RN_AGE_MAX_STANZAS)
		return RN_ERR_TOOBIG;
	if (h->nstanzas == *cap) {
		size_t		   ncap = *cap ? *cap * 2 : 4;
		struct age_stanza *n;

		if ((n = reallocarray(h->stanzas, ncap, sizeof(*n))) == NULL)
			return RN_ERR_NOMEM;
		h->stanzas = n;
		*cap = ncap;
	}
	sz = &h->stanzas[h->nstanzas];
	memset(sz, 0, sizeof(*sz));
	if ((sz->line = malloc(len + 1)) == NULL ||
	    (sz->body = malloc(bodylen ? bodylen : 1)) == NULL) {
		free(sz->line);
		return RN_ERR_NOMEM;
	}
	h->nstanzas++; /* counted now, so that rn_age_header_free() frees it */
	memcpy(sz->line, line, len);
	sz->line[len] = '\0';
	if (bodylen > 0)
		memcpy(sz->body, body, bodylen);
	sz->bodylen = bodylen;
	if ((err = split_args(sz, len)) != RN_OK)
		return err;
	return RN_OK;
}

/* The stanzas and the MAC line, from *pos (after the version line). */
static enum rn_err
parse_stanzas(struct rn_age_header *h, const char *s, size_t n, size_t *pos, uint8_t *scratch)
{
	size_t	    len, cap = 0, bodylen, got;
	enum rn_err err;

	for (;;) {
		if ((err = get_line(s, n, *pos, RN_AGE_MAX_LINE, false, &len)) != RN_OK)
			return err;
		if (len >= 3 && memcmp(s + *pos, "-> ", 3) == 0) {
			size_t argpos = *pos + 3, arglen = len - 3;

			*pos += len + 1;
			if ((err = parse_body(s, n, pos, scratch, &bodylen)) != RN_OK)
				return err;
			if ((err = add_stanza(h, &cap, s + argpos, arglen, scratch, bodylen)) !=
			    RN_OK)
				return err;
			continue;
		}
		if (len != 4 + AGE_MAC_B64_LEN || memcmp(s + *pos, "--- ", 4) != 0 ||
		    h->nstanzas == 0)
			return RN_ERR_INVAL;
		if (rn_age_b64_decode(
			s + *pos + 4, AGE_MAC_B64_LEN, h->mac, sizeof(h->mac), &got) != RN_OK ||
		    got != sizeof(h->mac))
			return RN_ERR_INVAL;
		h->maclen = *pos + 3;
		*pos += len + 1;
		return RN_OK;
	}
}

enum rn_err
rn_age_header_parse(
    const void *p, size_t n, struct rn_age_header **out, size_t *used, enum rn_age_status *st)
{
	const char	     *s = p;
	struct rn_age_header *h = NULL;
	uint8_t		     *scratch = NULL;
	enum rn_age_status    why = RN_AGE_HEADER;
	size_t		      pos = 0, len;
	enum rn_err	      err;

	if (out != NULL)
		*out = NULL;
	if ((p == NULL && n > 0) || out == NULL || used == NULL) {
		err = RN_ERR_INVAL;
		goto out;
	}
	if (n > RN_AGE_MAX_HEADER)
		n = RN_AGE_MAX_HEADER;
	if ((h = calloc(1, sizeof(*h))) == NULL || (scratch = malloc(RN_AGE_MAX_BODY)) == NULL) {
		err = RN_ERR_NOMEM;
		goto out;
	}
	if ((err = get_line(s, n, 0, RN_AGE_MAX_LINE, false, &len)) != RN_OK)
		goto out;
	if ((err = check_version(s, len, &why)) != RN_OK)
		goto out;
	pos = len + 1;
	if ((err = parse_stanzas(h, s, n, &pos, scratch)) != RN_OK)
		goto out;
	*used = pos;
	*out = h;
	h = NULL;
out:
	/* A header that has not ended within the limit never will. */
	if (err == RN_ERR_AGAIN && n >= RN_AGE_MAX_HEADER)
		err = RN_ERR_TOOBIG;
	if (err == RN_ERR_NOMEM)
		why = RN_AGE_FAILED;
	if (st != NULL)
		*st = err == RN_OK ? RN_AGE_OK : why;
	free(scratch);
	rn_age_header_free(h);
	return err;
}
