/*
 * The age writer, in two modes.  Streaming: the header goes to the sink when
 * the writer is made, then one 64 KiB chunk at a time.  Positioned: the same
 * bytes go into a file descriptor with pwrite() at offsets computed from the
 * chunk counter, which lets a chunk wait, as plaintext, for a range of it
 * (a hold) to be patched while later chunks are written.
 *
 * In both modes a full chunk is kept back until more plaintext arrives,
 * because only then is it known not to be the last one.
 *
 * INVARIANT (nonce uniqueness): every chunk index is sealed exactly once,
 * with counter == its index.  The chunk being filled is index w->counter; it
 * is sealed (or moved to a held slot, keeping its index) exactly when
 * w->counter moves past it, and w->counter only grows.  A held slot is
 * sealed once, when its last hold is released, and then emptied.  Nothing
 * else calls seal().  So no (key, nonce) pair is ever used twice, whatever
 * order holds are patched in.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "crypto/age_int.h"
#include "roneo/rn_util.h"

#define CT_CHUNK ((uint64_t)RN_AGE_CHUNK + RN_AGE_TAG_LEN) /* ciphertext per chunk */
#define BUFSZ	 (RN_AGE_CHUNK + RN_AGE_TAG_LEN)

void (*rn_age_seal_hook)(uint64_t counter, bool last, void *arg);
void *rn_age_seal_hook_arg;

struct age_hold {
	uint64_t off;
	uint64_t len;
};

/* A full chunk kept back, as plaintext, until its holds are patched. */
struct age_held {
	uint8_t *buf; /* BUFSZ bytes once used; kept for reuse */
	uint64_t index;
	bool	 used;
};

struct rn_age_writer {
	EVP_CIPHER_CTX *ctx;
	rn_age_sink_fn	sink; /* streaming mode, or NULL */
	void	       *arg;
	int		fd;	 /* positioned mode, or -1 */
	uint64_t	hdrlen;	 /* header and nonce: where chunk 0 starts */
	uint64_t	counter; /* index of the chunk being filled */
	uint64_t	total;	 /* bytes given to the sink or written */
	size_t		buflen;	 /* plaintext bytes in buf */
	enum rn_err	err;	 /* sticky */
	bool		finished;
	uint8_t	       *buf; /* the chunk being filled, BUFSZ bytes */
	struct age_hold holds[RN_AGE_MAX_HOLDS];
	size_t		nholds;
	struct age_held held[RN_AGE_MAX_HELD_CHUNKS];
};

/* n bytes at ciphertext offset off (positioned) or next (streaming). */
static enum rn_err
emit(struct rn_age_writer *w, uint64_t off, const void *p, size_t n)
{
	const uint8_t *q = p;
	ssize_t	       r;
	enum rn_err    err;

	if (w->sink != NULL) {
		if ((err = w->sink(p, n, w->arg)) != RN_OK)
			return err;
		w->total += n;
		return RN_OK;
	}
	while (n > 0) {
		if (off > (uint64_t)INT64_MAX - n)
			return RN_ERR_TOOBIG;
		r = pwrite(w->fd, q, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return RN_ERR_IO;
		q += r;
		n -= (size_t)r;
		off += (uint64_t)r;
		w->total += (uint64_t)r;
	}
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

/* Common to both constructors: the header and the nonce, at offset 0. */
static enum rn_err
writer_new(const struct rn_age_recipient *rcpts, size_t n, struct rn_age_writer *w)
{
	struct rn_buf hdr;
	uint8_t	      file_key[RN_AGE_FILE_KEY_LEN], nonce[RN_AGE_NONCE_LEN];
	enum rn_err   err;

	rn_buf_init(&hdr, RN_AGE_MAX_HEADER);
	if ((w->buf = malloc(BUFSZ)) == NULL)
		return RN_ERR_NOMEM;
	if ((err = rn_crypto_random(file_key, sizeof(file_key))) != RN_OK ||
	    (err = rn_crypto_random(nonce, sizeof(nonce))) != RN_OK ||
	    (err = build_header(&hdr, file_key, rcpts, n)) != RN_OK ||
	    (err = rn_age_stream_new(file_key, nonce, true, &w->ctx)) != RN_OK ||
	    (err = emit(w, 0, hdr.data, hdr.len)) != RN_OK ||
	    (err = emit(w, hdr.len, nonce, sizeof(nonce))) != RN_OK)
		goto out;
	w->hdrlen = hdr.len + sizeof(nonce);
out:
	OPENSSL_cleanse(file_key, sizeof(file_key));
	rn_buf_free(&hdr);
	return err;
}

static enum rn_err
writer_make(const struct rn_age_recipient *rcpts, size_t n, rn_age_sink_fn sink, void *arg, int fd,
    struct rn_age_writer **out)
{
	struct rn_age_writer *w;
	enum rn_err	      err;

	if (out == NULL)
		return RN_ERR_INVAL;
	*out = NULL;
	if (rcpts == NULL || n == 0 || (sink == NULL && fd < 0))
		return RN_ERR_INVAL;
	if (n > RN_AGE_MAX_STANZAS)
		return RN_ERR_TOOBIG;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return RN_ERR_NOMEM;
	w->sink = sink;
	w->arg = arg;
	w->fd = fd;
	if ((err = writer_new(rcpts, n, w)) != RN_OK) {
		rn_age_writer_free(w);
		return err;
	}
	*out = w;
	return RN_OK;
}

enum rn_err
rn_age_writer_new(const struct rn_age_recipient *rcpts, size_t n, rn_age_sink_fn sink, void *arg,
    struct rn_age_writer **out)
{
	if (sink == NULL) {
		if (out != NULL)
			*out = NULL;
		return RN_ERR_INVAL;
	}
	return writer_make(rcpts, n, sink, arg, -1, out);
}

enum rn_err
rn_age_writer_new_fd(
    const struct rn_age_recipient *rcpts, size_t n, int fd, struct rn_age_writer **out)
{
	if (fd < 0) {
		if (out != NULL)
			*out = NULL;
		return RN_ERR_INVAL;
	}
	return writer_make(rcpts, n, NULL, NULL, fd, out);
}

/*
 * Seal chunk `index`: len bytes of plaintext at in (buf itself, or the
 * caller's) into buf, then send or write it.  Only called as the invariant
 * at the top of this file says.
 */
static enum rn_err
seal(
    struct rn_age_writer *w, uint64_t index, const uint8_t *in, size_t len, bool last, uint8_t *buf)
{
	enum rn_err err;

	if (index == UINT64_MAX || index > (UINT64_MAX - w->hdrlen) / CT_CHUNK - 1)
		return RN_ERR_TOOBIG;
	if (rn_age_seal_hook != NULL)
		rn_age_seal_hook(index, last, rn_age_seal_hook_arg);
	if ((err = rn_age_stream_chunk(w->ctx, index, last, true, in, len, buf)) != RN_OK)
		return err;
	return emit(w, w->hdrlen + index * CT_CHUNK, buf, len + RN_AGE_TAG_LEN);
}

/* Whether an open hold meets chunk `index`. */
static bool
chunk_held(const struct rn_age_writer *w, uint64_t index)
{
	uint64_t lo = index * RN_AGE_CHUNK, hi = lo + RN_AGE_CHUNK;
	size_t	 i;

	for (i = 0; i < w->nholds; i++)
		if (w->holds[i].off < hi && w->holds[i].off + w->holds[i].len > lo)
			return true;
	return false;
}

/*
 * Leave the full chunk being filled (more plaintext follows, so it is not
 * the last): seal it, or, when a hold meets it, keep it in a held slot.
 */
static enum rn_err
leave_chunk(struct rn_age_writer *w)
{
	struct age_held *h = NULL;
	uint8_t		*spare;
	size_t		 i;
	enum rn_err	 err;

	if (!chunk_held(w, w->counter)) {
		if ((err = seal(w, w->counter, w->buf, RN_AGE_CHUNK, false, w->buf)) != RN_OK)
			return err;
	} else {
		for (i = 0; i < RN_AGE_MAX_HELD_CHUNKS && h == NULL; i++)
			if (!w->held[i].used)
				h = &w->held[i];
		if (h == NULL)
			return RN_ERR_TOOBIG;
		if ((spare = h->buf) == NULL && (spare = malloc(BUFSZ)) == NULL)
			return RN_ERR_NOMEM;
		h->buf = w->buf;
		h->index = w->counter;
		h->used = true;
		w->buf = spare;
	}
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
		if (w->buflen == RN_AGE_CHUNK && (w->err = leave_chunk(w)) != RN_OK)
			return w->err;
		/* So is a whole chunk of input with more after it: sealed without a copy. */
		if (w->buflen == 0 && n > RN_AGE_CHUNK && !chunk_held(w, w->counter)) {
			if ((w->err = seal(w, w->counter, in, RN_AGE_CHUNK, false, w->buf)) !=
			    RN_OK)
				return w->err;
			w->counter++;
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
rn_age_writer_hold(struct rn_age_writer *w, uint64_t off, size_t len)
{
	size_t i;

	if (w == NULL)
		return RN_ERR_INVAL;
	if (w->err != RN_OK)
		return w->err;
	if (w->finished || w->sink != NULL || len == 0 || off > UINT64_MAX / 2 ||
	    len > UINT64_MAX / 2 || off / RN_AGE_CHUNK < w->counter)
		return RN_ERR_INVAL;
	for (i = 0; i < w->nholds; i++)
		if (w->holds[i].off < off + len && off < w->holds[i].off + w->holds[i].len)
			return RN_ERR_INVAL;
	if (w->nholds == RN_AGE_MAX_HOLDS)
		return RN_ERR_TOOBIG;
	w->holds[w->nholds].off = off;
	w->holds[w->nholds].len = len;
	w->nholds++;
	return RN_OK;
}

/* Copy [p, p+len) to plaintext offset off, in the chunk being filled or in held ones. */
static enum rn_err
patch_copy(struct rn_age_writer *w, uint64_t off, const uint8_t *p, size_t len)
{
	uint64_t index;
	size_t	 at, take, i;
	uint8_t *dst;

	while (len > 0) {
		index = off / RN_AGE_CHUNK;
		at = (size_t)(off % RN_AGE_CHUNK);
		take = RN_AGE_CHUNK - at < len ? RN_AGE_CHUNK - at : len;
		dst = NULL;
		if (index == w->counter)
			dst = w->buf;
		for (i = 0; i < RN_AGE_MAX_HELD_CHUNKS && dst == NULL; i++)
			if (w->held[i].used && w->held[i].index == index)
				dst = w->held[i].buf;
		/* Cannot happen: a hold starts in an unsealed chunk, and every chunk it meets is
		 * kept. */
		if (dst == NULL)
			return RN_ERR_INVAL;
		memcpy(dst + at, p, take);
		off += take;
		p += take;
		len -= take;
	}
	return RN_OK;
}

enum rn_err
rn_age_writer_patch(struct rn_age_writer *w, uint64_t off, const void *p, size_t len)
{
	size_t	    i;
	enum rn_err err;

	if (w == NULL || p == NULL)
		return RN_ERR_INVAL;
	if (w->err != RN_OK)
		return w->err;
	if (w->finished || w->sink != NULL)
		return RN_ERR_INVAL;
	for (i = 0; i < w->nholds; i++)
		if (w->holds[i].off == off && w->holds[i].len == len)
			break;
	/* Only bytes already given: later ones would overwrite the patch. */
	if (i == w->nholds || off + len > w->counter * RN_AGE_CHUNK + w->buflen)
		return RN_ERR_INVAL;
	if ((err = patch_copy(w, off, p, len)) != RN_OK) {
		w->err = err;
		return err;
	}
	w->holds[i] = w->holds[--w->nholds];
	/* Held chunks are full middle chunks: the last one is always buf. */
	for (i = 0; i < RN_AGE_MAX_HELD_CHUNKS; i++) {
		if (!w->held[i].used || chunk_held(w, w->held[i].index))
			continue;
		err =
		    seal(w, w->held[i].index, w->held[i].buf, RN_AGE_CHUNK, false, w->held[i].buf);
		w->held[i].used = false;
		OPENSSL_cleanse(w->held[i].buf, BUFSZ);
		if (err != RN_OK) {
			w->err = err;
			return err;
		}
	}
	return RN_OK;
}

enum rn_err
rn_age_writer_hold_cb(uint64_t off, size_t len, void *arg)
{
	return rn_age_writer_hold(arg, off, len);
}

enum rn_err
rn_age_writer_patch_cb(uint64_t off, const void *p, size_t len, void *arg)
{
	return rn_age_writer_patch(arg, off, p, len);
}

enum rn_err
rn_age_writer_finish(struct rn_age_writer *w)
{
	if (w == NULL)
		return RN_ERR_INVAL;
	if (w->err != RN_OK)
		return w->err;
	if (w->finished || w->nholds > 0)
		return RN_ERR_INVAL;
	/* The last chunk: short or full; empty only when the whole payload is. */
	if ((w->err = seal(w, w->counter, w->buf, w->buflen, true, w->buf)) != RN_OK)
		return w->err;
	w->counter++;
	w->buflen = 0;
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
	size_t i;

	if (w == NULL)
		return;
	EVP_CIPHER_CTX_free(w->ctx);
	for (i = 0; i < RN_AGE_MAX_HELD_CHUNKS; i++) {
		if (w->held[i].buf != NULL) {
			OPENSSL_cleanse(w->held[i].buf, BUFSZ);
			free(w->held[i].buf);
		}
	}
	if (w->buf != NULL) {
		OPENSSL_cleanse(w->buf, BUFSZ);
		free(w->buf);
	}
	OPENSSL_cleanse(w, sizeof(*w));
	free(w);
}
