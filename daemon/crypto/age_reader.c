/*
 * The streaming age reader.  The header is collected line by line (at most
 * RN_AGE_MAX_HEADER bytes) until its MAC line, parsed strictly, opened with
 * the identities and its MAC checked; only then does the payload start.  A
 * ciphertext chunk is opened once the byte after it arrives (then it is not
 * the last) or at the end (then it is): plaintext leaves one authenticated
 * chunk at a time.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/age_int.h"
#include "roneo/rn_util.h"

#define CT_CHUNK (RN_AGE_CHUNK + RN_AGE_TAG_LEN)

enum rstate { R_HEADER, R_NONCE, R_PAYLOAD, R_DONE };

struct rn_age_reader {
	const struct rn_age_identity *const *ids;
	size_t				     nids;
	rn_age_sink_fn			     sink;
	void				    *arg;
	enum rstate			     state;
	struct rn_buf			     hdr;
	size_t				     lines; /* complete header lines so far */
	size_t				     line_start;
	uint8_t				     file_key[RN_AGE_FILE_KEY_LEN];
	uint8_t				     nonce[RN_AGE_NONCE_LEN];
	size_t				     noncelen;
	EVP_CIPHER_CTX			    *ctx;
	uint64_t			     counter; /* chunks opened so far */
	size_t				     buflen;
	enum rn_err			     err; /* sticky */
	enum rn_age_status		     status;
	uint8_t				     buf[CT_CHUNK];	/* ciphertext */
	uint8_t				     out[RN_AGE_CHUNK]; /* plaintext */
};

enum rn_err
rn_age_reader_new(const struct rn_age_identity *const *ids, size_t nids, rn_age_sink_fn sink,
    void *arg, struct rn_age_reader **out)
{
	struct rn_age_reader *r;
	size_t		      i;

	if (out == NULL)
		return RN_ERR_INVAL;
	*out = NULL;
	if (ids == NULL || nids == 0 || sink == NULL)
		return RN_ERR_INVAL;
	for (i = 0; i < nids; i++)
		if (ids[i] == NULL)
			return RN_ERR_INVAL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return RN_ERR_NOMEM;
	r->ids = ids;
	r->nids = nids;
	r->sink = sink;
	r->arg = arg;
	rn_buf_init(&r->hdr, RN_AGE_MAX_HEADER);
	*out = r;
	return RN_OK;
}

void
rn_age_reader_free(struct rn_age_reader *r)
{
	if (r == NULL)
		return;
	rn_buf_free(&r->hdr);
	EVP_CIPHER_CTX_free(r->ctx);
	OPENSSL_cleanse(r, sizeof(*r));
	free(r);
}

enum rn_age_status
rn_age_reader_status(const struct rn_age_reader *r)
{
	return r != NULL ? r->status : RN_AGE_FAILED;
}

static enum rn_err
fail(struct rn_age_reader *r, enum rn_err err, enum rn_age_status st)
{
	r->err = err;
	r->status = st;
	r->state = R_DONE;
	OPENSSL_cleanse(r->file_key, sizeof(r->file_key));
	OPENSSL_cleanse(r->out, sizeof(r->out));
	return err;
}

/*
 * Header checks beyond the syntax: an scrypt stanza must be alone (and we do
 * not open it), and every X25519 stanza must be well formed, whether or not
 * it is ours.
 */
static enum rn_err
check_stanzas(const struct rn_age_header *h, enum rn_age_status *st)
{
	uint8_t share[RN_X25519_LEN];
	size_t	i, len;

	for (i = 0; i < h->nstanzas; i++) {
		const struct age_stanza *sz = &h->stanzas[i];

		if (strcmp(sz->args[0], "scrypt") == 0) {
			*st = h->nstanzas > 1 ? RN_AGE_HEADER : RN_AGE_UNSUPPORTED;
			return RN_ERR_INVAL;
		}
		if (strcmp(sz->args[0], "X25519") != 0)
			continue;
		if (sz->nargs != 2 ||
		    rn_age_b64_decode(
			sz->args[1], strlen(sz->args[1]), share, sizeof(share), &len) != RN_OK ||
		    len != RN_X25519_LEN || sz->bodylen != AGE_WRAPPED_LEN) {
			*st = RN_AGE_HEADER;
			return RN_ERR_INVAL;
		}
	}
	return RN_OK;
}

/* Try one identity on one (well-formed) X25519 stanza. */
static enum rn_err
try_stanza(const struct rn_age_identity *id, const struct age_stanza *sz,
    uint8_t file_key[RN_AGE_FILE_KEY_LEN], enum rn_age_status *st)
{
	uint8_t	    share[RN_X25519_LEN], shared[RN_X25519_LEN], key[32];
	size_t	    len;
	enum rn_err err;

	if (rn_age_b64_decode(sz->args[1], strlen(sz->args[1]), share, sizeof(share), &len) !=
	    RN_OK) {
		*st = RN_AGE_HEADER;
		return RN_ERR_INVAL;
	}
	/* An all-zero shared secret (a low-order share) must abort, says the spec. */
	if ((err = rn_x25519_shared(id->secret, share, shared)) != RN_OK) {
		*st = RN_AGE_HEADER;
		err = RN_ERR_INVAL;
		goto out;
	}
	if ((err = rn_age_x25519_wrap_key(shared, share, id->pub, key)) != RN_OK) {
		*st = RN_AGE_FAILED;
		goto out;
	}
	if (rn_age_unwrap(key, sz->body, file_key) != RN_OK) {
		*st = RN_AGE_NO_MATCH;
		err = RN_ERR_NOTFOUND;
	}
out:
	OPENSSL_cleanse(shared, sizeof(shared));
	OPENSSL_cleanse(key, sizeof(key));
	return err;
}

/* Find the file key: the first stanza any identity opens. */
static enum rn_err
unwrap_file_key(struct rn_age_reader *r, const struct rn_age_header *h, enum rn_age_status *st)
{
	size_t	    i, j;
	enum rn_err err;

	for (i = 0; i < r->nids; i++)
		for (j = 0; j < h->nstanzas; j++) {
			if (strcmp(h->stanzas[j].args[0], "X25519") != 0)
				continue;
			err = try_stanza(r->ids[i], &h->stanzas[j], r->file_key, st);
			if (err != RN_ERR_NOTFOUND)
				return err;
		}
	*st = RN_AGE_NO_MATCH;
	return RN_ERR_NOTFOUND;
}

/* The header is complete in r->hdr: parse it, find the file key, check the MAC. */
static enum rn_err
open_header(struct rn_age_reader *r)
{
	struct rn_age_header *h = NULL;
	uint8_t		      mac[RN_HMAC_SHA256_LEN];
	size_t		      used = 0;
	enum rn_age_status    st = RN_AGE_HEADER;
	enum rn_err	      err;

	err = rn_age_header_parse(r->hdr.data, r->hdr.len, &h, &used, &st);
	if (err == RN_ERR_AGAIN || (err == RN_OK && used != r->hdr.len)) {
		err = RN_ERR_INVAL; /* cannot happen: the MAC line ended the header */
		st = RN_AGE_HEADER;
	}
	if (err != RN_OK)
		goto out;
	if ((err = check_stanzas(h, &st)) != RN_OK || (err = unwrap_file_key(r, h, &st)) != RN_OK)
		goto out;
	if ((err = rn_age_header_mac(r->file_key, r->hdr.data, h->maclen, mac)) != RN_OK) {
		st = RN_AGE_FAILED;
		goto out;
	}
	if (!rn_crypto_memeq(mac, h->mac, sizeof(mac))) {
		err = RN_ERR_CRYPTO;
		st = RN_AGE_HMAC;
		goto out;
	}
	r->state = R_NONCE;
out:
	rn_age_header_free(h);
	rn_buf_free(&r->hdr);
	if (err != RN_OK)
		return fail(r, err, st);
	return RN_OK;
}

/* Take header bytes from [*p, *p + *n), a line at a time; advance past them. */
static enum rn_err
feed_header(struct rn_age_reader *r, const uint8_t **p, size_t *n)
{
	const uint8_t *lf = memchr(*p, '\n', *n);
	size_t	       take = lf != NULL ? (size_t)(lf - *p) + 1 : *n;
	const char    *line;
	enum rn_err    err;

	if ((err = rn_buf_append(&r->hdr, *p, take)) != RN_OK)
		return fail(r, err, err == RN_ERR_TOOBIG ? RN_AGE_HEADER : RN_AGE_FAILED);
	*p += take;
	*n -= take;
	if (lf == NULL)
		return RN_OK;
	line = r->hdr.data + r->line_start;
	r->line_start = r->hdr.len;
	if (++r->lines == 1) {
		/* Fail early on what is no age file at all (or an armored one). */
		struct rn_age_header *h = NULL;
		size_t		      used;
		enum rn_age_status    st = RN_AGE_HEADER;

		err = rn_age_header_parse(r->hdr.data, r->hdr.len, &h, &used, &st);
		rn_age_header_free(h);
		if (err != RN_ERR_AGAIN)
			return fail(r, err == RN_OK ? RN_ERR_INVAL : err, st);
		return RN_OK;
	}
	if (strncmp(line, "---", 3) == 0)
		return open_header(r);
	return RN_OK;
}

/*
 * Open the buffered chunk; at_end when the input ended after it.  A short
 * chunk can only be the last one.  A full chunk is tried as a middle chunk
 * first, then as the last, as age itself does: whichever opens is released,
 * and then a middle chunk at the end (no last chunk) or a last chunk with
 * input after it (trailing data) fails the file.
 */
static enum rn_err
open_chunk(struct rn_age_reader *r, bool at_end)
{
	size_t	    len = r->buflen - RN_AGE_TAG_LEN;
	bool	    last = len < RN_AGE_CHUNK;
	enum rn_err err;

	/* The last chunk may be empty only when it is the only one. */
	if (r->buflen < RN_AGE_TAG_LEN || (len == 0 && r->counter > 0) || r->counter == UINT64_MAX)
		return fail(r, RN_ERR_INVAL, RN_AGE_PAYLOAD);
	err = rn_age_stream_chunk(r->ctx, r->counter, last, false, r->buf, len, r->out);
	if (err != RN_OK && !last) {
		last = true;
		err = rn_age_stream_chunk(r->ctx, r->counter, last, false, r->buf, len, r->out);
	}
	if (err != RN_OK)
		return fail(r, RN_ERR_INVAL, RN_AGE_PAYLOAD);
	if (len > 0 && (err = r->sink(r->out, len, r->arg)) != RN_OK)
		return fail(r, err, RN_AGE_FAILED);
	OPENSSL_cleanse(r->out, len);
	r->counter++;
	r->buflen = 0;
	if (last != at_end)
		return fail(r, RN_ERR_INVAL, RN_AGE_PAYLOAD);
	return RN_OK;
}

static enum rn_err
feed_payload(struct rn_age_reader *r, const uint8_t *p, size_t n)
{
	size_t	    take;
	enum rn_err err;

	while (n > 0) {
		if (r->buflen == CT_CHUNK && (err = open_chunk(r, false)) != RN_OK)
			return err;
		take = CT_CHUNK - r->buflen < n ? CT_CHUNK - r->buflen : n;
		memcpy(r->buf + r->buflen, p, take);
		r->buflen += take;
		p += take;
		n -= take;
	}
	return RN_OK;
}

enum rn_err
rn_age_reader_update(struct rn_age_reader *r, const void *p, size_t n)
{
	const uint8_t *in = p;
	enum rn_err    err;

	if (r == NULL || (p == NULL && n > 0))
		return RN_ERR_INVAL;
	if (r->err != RN_OK)
		return r->err;
	if (r->state == R_DONE)
		return RN_ERR_INVAL;
	while (n > 0 && r->state == R_HEADER)
		if ((err = feed_header(r, &in, &n)) != RN_OK)
			return err;
	if (n > 0 && r->state == R_NONCE) {
		size_t take =
		    RN_AGE_NONCE_LEN - r->noncelen < n ? RN_AGE_NONCE_LEN - r->noncelen : n;

		memcpy(r->nonce + r->noncelen, in, take);
		r->noncelen += take;
		in += take;
		n -= take;
		if (r->noncelen == RN_AGE_NONCE_LEN) {
			err = rn_age_stream_new(r->file_key, r->nonce, false, &r->ctx);
			OPENSSL_cleanse(r->file_key, sizeof(r->file_key));
			if (err != RN_OK)
				return fail(r, err, RN_AGE_FAILED);
			r->state = R_PAYLOAD;
		}
	}
	if (n > 0)
		return feed_payload(r, in, n);
	return RN_OK;
}

enum rn_err
rn_age_reader_finish(struct rn_age_reader *r)
{
	enum rn_err err;

	if (r == NULL)
		return RN_ERR_INVAL;
	if (r->err != RN_OK)
		return r->err;
	switch (r->state) {
	case R_HEADER: /* FALLTHROUGH: a missing or short nonce is a header failure too */
	case R_NONCE: return fail(r, RN_ERR_INVAL, RN_AGE_HEADER);
	case R_DONE: return RN_ERR_INVAL;
	case R_PAYLOAD: break;
	}
	/* Nothing buffered: no chunk at all, or a full chunk that was not the last. */
	if ((err = open_chunk(r, true)) != RN_OK)
		return err;
	r->state = R_DONE;
	r->status = RN_AGE_OK;
	return RN_OK;
}
