/*
 * The streaming age writer: the header goes out when the writer is made, then
 * one 64 KiB chunk at a time.  A full chunk is held back until more plaintext
 * arrives, because only then is it known not to be the last one.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/age_int.h"
#include "roneo/rn_util.h"

struct rn_age_writer {
	EVP_CIPHER_CTX *ctx;
	rn_age_sink_fn	sink;
	void	       *arg;
	uint64_t	counter; /* chunks sealed so far */
	uint64_t	total;	 /* bytes given to the sink */
	size_t		buflen;	 /* plaintext bytes in buf */
	enum rn_err	err;	 /* sticky */
	bool		finished;
	uint8_t		buf[RN_AGE_CHUNK + RN_AGE_TAG_LEN];
};

static enum rn_err
emit(struct rn_age_writer *w, const void *p, size_t n)
{
	enum rn_err err;

	if ((err = w->sink(p, n, w->arg)) != RN_OK)
		return err;
	w->total += n;
	return RN_OK;
}

/* "-> X25519 <share>\n<body>\n" for one recipient. */
static enum rn_err
add_stanza(struct rn_buf *hdr, const uint8_t file_key[RN_AGE_FILE_KEY_LEN],
    const struct rn_age_recipient *r)
{
	uint8_t	    eph[RN_X25519_LEN], share[RN_X25519_LEN], shared[RN_X25519_LEN], key[32];
	uint8_t	    body[AGE_WRAPPED_LEN];
	char	    b64share[48], b64body[48];
	enum rn_err err;

	if ((err = rn_crypto_random(eph, sizeof(eph))) != RN_OK ||
	    (err = rn_x25519_public(eph, share)) != RN_OK ||
	    (err = rn_x25519_shared(eph, r->key, shared)) != RN_OK ||
	    (err = rn_age_x25519_wrap_key(shared, share, r->key, key)) != RN_OK ||
	    (err = rn_age_wrap(key, file_key, body)) != RN_OK)
		goto out;
	rn_age_b64_encode(share, sizeof(share), b64share, sizeof(b64share));
	rn_age_b64_encode(body, sizeof(body), b64body, sizeof(b64body));
	err = rn_buf_printf(hdr, "-> X25519 %s\n%s\n", b64share, b64body);
out:
	OPENSSL_cleanse(eph, sizeof(eph));
	OPENSSL_cleanse(shared, sizeof(shared));
	OPENSSL_cleanse(key, sizeof(key));
	return err;
}

/* The whole header, MAC line included, into hdr. */
static enum rn_err
build_header(struct rn_buf *hdr, const uint8_t file_key[RN_AGE_FILE_KEY_LEN],
    const struct rn_age_recipient *rcpts, size_t n)
{
	uint8_t	    mac[RN_HMAC_SHA256_LEN];
	char	    b64mac[48];
	size_t	    i;
	enum rn_err err;

	if ((err = rn_buf_puts(hdr, AGE_VERSION_LINE "\n")) != RN_OK)
		return err;
	for (i = 0; i < n; i++)
		if ((err = add_stanza(hdr, file_key, &rcpts[i])) != RN_OK)
			return err;
	if ((err = rn_buf_puts(hdr, "---")) != RN_OK ||
	    (err = rn_age_header_mac(file_key, hdr->data, hdr->len, mac)) != RN_OK)
		return err;
	rn_age_b64_encode(mac, sizeof(mac), b64mac, sizeof(b64mac));
	return rn_buf_printf(hdr, " %s\n", b64mac);
}

enum rn_err
rn_age_writer_new(const struct rn_age_recipient *rcpts, size_t n, rn_age_sink_fn sink, void *arg,
    struct rn_age_writer **out)
{
	struct rn_age_writer *w = NULL;
	struct rn_buf	      hdr;
	uint8_t		      file_key[RN_AGE_FILE_KEY_LEN], nonce[RN_AGE_NONCE_LEN];
	enum rn_err	      err;

	rn_buf_init(&hdr, RN_AGE_MAX_HEADER);
	if (out == NULL)
		return RN_ERR_INVAL;
	*out = NULL;
	if (rcpts == NULL || n == 0 || sink == NULL)
		return RN_ERR_INVAL;
	if (n > RN_AGE_MAX_STANZAS)
		return RN_ERR_TOOBIG;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return RN_ERR_NOMEM;
	w->sink = sink;
	w->arg = arg;
	if ((err = rn_crypto_random(file_key, sizeof(file_key))) != RN_OK ||
	    (err = rn_crypto_random(nonce, sizeof(nonce))) != RN_OK ||
	    (err = build_header(&hdr, file_key, rcpts, n)) != RN_OK ||
	    (err = rn_age_stream_new(file_key, nonce, true, &w->ctx)) != RN_OK ||
	    (err = emit(w, hdr.data, hdr.len)) != RN_OK ||
	    (err = emit(w, nonce, sizeof(nonce))) != RN_OK)
		goto out;
	*out = w;
	w = NULL;
out:
	OPENSSL_cleanse(file_key, sizeof(file_key));
	rn_buf_free(&hdr);
	rn_age_writer_free(w);
	return err;
}

/* Seal len bytes of plaintext at in (buf itself, or the caller's) into buf and send it. */
static enum rn_err
seal_chunk(struct rn_age_writer *w, const uint8_t *in, size_t len, bool last)
{
	enum rn_err err;

	if (w->counter == UINT64_MAX)
		return RN_ERR_TOOBIG;
	if ((err = rn_age_stream_chunk(w->ctx, w->counter, last, true, in, len, w->buf)) != RN_OK)
		return err;
	if ((err = emit(w, w->buf, len + RN_AGE_TAG_LEN)) != RN_OK)
		return err;
	w->counter++;
	w->buflen = 0;
	return RN_OK;
}

enum rn_err
rn_age_writer_update(struct rn_age_writer *w, const void *p, size_t n)
{
	const uint8_t *in = p;
	size_t	       take;

	if (w == NULL || (p == NULL && n > 0))
		return RN_ERR_INVAL;
	if (w->err != RN_OK)
		return w->err;
	if (w->finished)
		return RN_ERR_INVAL;
	while (n > 0) {
		/* A full chunk with more to come is not the last one. */
		if (w->buflen == RN_AGE_CHUNK &&
		    (w->err = seal_chunk(w, w->buf, RN_AGE_CHUNK, false)) != RN_OK)
			return w->err;
		/* So is a whole chunk of input with more after it: sealed without a copy. */
		if (w->buflen == 0 && n > RN_AGE_CHUNK) {
			if ((w->err = seal_chunk(w, in, RN_AGE_CHUNK, false)) != RN_OK)
				return w->err;
			in += RN_AGE_CHUNK;
			n -= RN_AGE_CHUNK;
			continue;
		}
		take = RN_AGE_CHUNK - w->buflen < n ? RN_AGE_CHUNK - w->buflen : n;
		memcpy(w->buf + w->buflen, in, take);
		w->buflen += take;
		in += take;
		n -= take;
	}
	return RN_OK;
}

enum rn_err
rn_age_writer_sink(const void *p, size_t n, void *arg)
{
	return rn_age_writer_update(arg, p, n);
}

enum rn_err
rn_age_writer_finish(struct rn_age_writer *w)
{
	if (w == NULL)
		return RN_ERR_INVAL;
	if (w->err != RN_OK)
		return w->err;
	if (w->finished)
		return RN_ERR_INVAL;
	/* The last chunk: short or full; empty only when the whole payload is. */
	if ((w->err = seal_chunk(w, w->buf, w->buflen, true)) != RN_OK)
		return w->err;
	w->finished = true;
	return RN_OK;
}

uint64_t
rn_age_writer_total(const struct rn_age_writer *w)
{
	return w != NULL ? w->total : 0;
}

void
rn_age_writer_free(struct rn_age_writer *w)
{
	if (w == NULL)
		return;
	EVP_CIPHER_CTX_free(w->ctx);
	OPENSSL_cleanse(w, sizeof(*w));
	free(w);
}
