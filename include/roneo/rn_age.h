/*
 * The age v1 file format (https://age-encryption.org/v1), X25519 recipients
 * only, binary only (daemon/crypto/age*.c): keys in their Bech32 text forms,
 * a streaming writer that seals to one or more recipients, a streaming reader
 * for one or more identities, and the strict header parser both use.
 *
 * Not implemented, and refused with RN_AGE_UNSUPPORTED: ASCII armor,
 * passphrase (scrypt) files, other versions than v1.  Stanzas of other types
 * (post-quantum, plugins) are skipped, as the spec says; a file sealed only to
 * them gives RN_AGE_NO_MATCH.
 *
 * Memory is constant whatever the size of the payload: one 64 KiB chunk
 * buffer per writer or reader, plus the header (at most RN_AGE_MAX_HEADER).
 */
#ifndef RN_AGE_H
#define RN_AGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rn_crypto.h"
#include "rn_err.h"
#include "rn_limits.h"

#define RN_AGE_FILE_KEY_LEN 16u
#define RN_AGE_NONCE_LEN    16u
#define RN_AGE_TAG_LEN	    16u
#define RN_AGE_CHUNK	    65536u /* plaintext bytes per STREAM chunk */

/* Text forms, with room for the NUL. */
#define RN_AGE_RECIPIENT_LEN   62u /* "age1" + 52 data + 6 checksum characters */
#define RN_AGE_IDENTITY_LEN    74u /* "AGE-SECRET-KEY-1" + 52 + 6 */
#define RN_AGE_RECIPIENT_BUFSZ (RN_AGE_RECIPIENT_LEN + 1u)
#define RN_AGE_IDENTITY_BUFSZ  (RN_AGE_IDENTITY_LEN + 1u)

/*
 * Why a file could not be opened; rn_age_status_str() gives a sentence.  The
 * classes are those of the C2SP age test vectors.
 */
enum rn_age_status {
	RN_AGE_OK = 0,
	RN_AGE_HEADER,	    /* malformed header, or one past a limit */
	RN_AGE_UNSUPPORTED, /* armored, passphrase-encrypted, or not v1 */
	RN_AGE_NO_MATCH,    /* no stanza opens with the identities given */
	RN_AGE_HMAC,	    /* the header MAC is wrong */
	RN_AGE_PAYLOAD,	    /* a chunk failed to authenticate, or truncated or trailing data */
	RN_AGE_FAILED,	    /* not the file's fault: memory, the sink, OpenSSL */
};

const char *rn_age_status_str(enum rn_age_status st);

/* The sink gets every byte the writer or reader produces, in order; n > 0. */
typedef enum rn_err (*rn_age_sink_fn)(const void *p, size_t n, void *arg);

/* ---- keys ---- */

/* A recipient is a public key: no secret, a plain value. */
struct rn_age_recipient {
	uint8_t key[RN_X25519_LEN];
};

/* An identity holds a secret: opaque, wiped by rn_age_identity_free(). */
struct rn_age_identity;

/*
 * Parse "age1..." ([s, s+n), lower case only, as age writes it): strict
 * Bech32 (BIP-173 checksum, one case, at most 90 characters, zero padding
 * bits) holding exactly 32 bytes.  RN_ERR_INVAL otherwise.
 */
enum rn_err rn_age_recipient_parse(const char *s, size_t n, struct rn_age_recipient *out);
/* "age1..." into out (RN_AGE_RECIPIENT_BUFSZ bytes or more). */
enum rn_err rn_age_recipient_format(const struct rn_age_recipient *r, char *out, size_t outsz);

/* A fresh random identity. */
enum rn_err rn_age_identity_generate(struct rn_age_identity **out);
/* An identity from a raw X25519 secret (for keys derived elsewhere). */
enum rn_err rn_age_identity_from_secret(
    const uint8_t secret[RN_X25519_LEN], struct rn_age_identity **out);
/*
 * Parse "AGE-SECRET-KEY-1..." ([s, s+n), upper case only, as age-keygen
 * writes it), strict as rn_age_recipient_parse().  Decoding takes the same
 * time whatever the key.
 */
enum rn_err rn_age_identity_parse(const char *s, size_t n, struct rn_age_identity **out);
/*
 * Parse an identity file as age-keygen writes it: lines ending in LF (or
 * CRLF), '#' comments and empty lines ignored, exactly one identity line.
 * RN_ERR_TOOBIG above RN_AGE_MAX_IDENTITY_FILE bytes.
 */
enum rn_err rn_age_identity_parse_file(const char *s, size_t n, struct rn_age_identity **out);
void	    rn_age_identity_free(struct rn_age_identity *id);
/* "AGE-SECRET-KEY-1..." into out (RN_AGE_IDENTITY_BUFSZ bytes); a secret: wipe it after use. */
enum rn_err rn_age_identity_format(const struct rn_age_identity *id, char *out, size_t outsz);
/* The recipient (public key) of an identity. */
void rn_age_identity_recipient(const struct rn_age_identity *id, struct rn_age_recipient *out);

/* ---- header ---- */

/* A parsed header: its stanzas, its MAC and the bytes the MAC covers. */
struct rn_age_header;

/*
 * Parse the header at the start of [p, p+n) strictly as the spec's ABNF says
 * (LF line ends only, canonical unpadded base64, 64-column stanza bodies
 * ending in a short line, at least one stanza) and within the RN_AGE_MAX_*
 * limits.  On success *used is the header's length: the payload starts there.
 * RN_ERR_AGAIN when [p, p+n) is a valid beginning without the end of the
 * header; RN_ERR_INVAL (status RN_AGE_HEADER or RN_AGE_UNSUPPORTED in *st),
 * RN_ERR_TOOBIG for a limit (RN_AGE_HEADER).  st may be NULL.
 */
enum rn_err rn_age_header_parse(
    const void *p, size_t n, struct rn_age_header **out, size_t *used, enum rn_age_status *st);
void   rn_age_header_free(struct rn_age_header *h);
size_t rn_age_header_stanzas(const struct rn_age_header *h);
/* The first argument (the type) of stanza i, borrowed. */
const char *rn_age_header_stanza_type(const struct rn_age_header *h, size_t i);

/* ---- writer ---- */

struct rn_age_writer;

/*
 * Start a file sealed to n recipients (1 <= n <= RN_AGE_MAX_STANZAS): a fresh
 * file key, one X25519 stanza per recipient, the header MAC and the payload
 * nonce go to the sink before this returns.
 */
enum rn_err rn_age_writer_new(const struct rn_age_recipient *rcpts, size_t n, rn_age_sink_fn sink,
    void *arg, struct rn_age_writer **out);
/* Plaintext; whole chunks go to the sink as they fill. */
enum rn_err rn_age_writer_update(struct rn_age_writer *w, const void *p, size_t n);
/* The same, as a sink for another stream (arg is the writer). */
enum rn_err rn_age_writer_sink(const void *p, size_t n, void *arg);
/*
 * Seal the last chunk.  The file is complete only once this returns RN_OK.
 * RN_ERR_INVAL while a hold is open.
 */
enum rn_err rn_age_writer_finish(struct rn_age_writer *w);
/* NULL-safe; wipes the keys and the plaintext buffer. */
void rn_age_writer_free(struct rn_age_writer *w);
/* Bytes given to the sink so far (header included). */
uint64_t rn_age_writer_total(const struct rn_age_writer *w);

/* ---- positioned writer ---- */

/*
 * A writer that puts the file into fd (opened for writing, seekable) with
 * pwrite(): the header at offset 0, chunk k at header length + k * (65536 +
 * 16).  Besides _update() and _finish() it lets the caller go back and
 * overwrite plaintext it already gave: _hold() declares a range that will be
 * rewritten, _patch() rewrites it.  A full chunk that meets an open hold stays
 * in memory as plaintext (at most RN_AGE_MAX_HELD_CHUNKS of them, else
 * RN_ERR_TOOBIG) and is sealed when its last hold is patched: every chunk is
 * sealed once, with its own counter.  rn_age_writer_total() counts the bytes
 * written.  Memory stays constant: one chunk being filled, at most
 * RN_AGE_MAX_HELD_CHUNKS held ones, and RN_AGE_MAX_HOLDS holds.  The fd is
 * the caller's: not closed, not synced.
 */
enum rn_err rn_age_writer_new_fd(
    const struct rn_age_recipient *rcpts, size_t n, int fd, struct rn_age_writer **out);
/*
 * Declare the plaintext range [off, off+len), len > 0, to be patched later.
 * It must start at or after the start of the chunk being filled (a chunk
 * already sealed cannot change) and not overlap another open hold; it may
 * reach past the plaintext given so far.  RN_ERR_INVAL otherwise, and on a
 * writer made by rn_age_writer_new(); RN_ERR_TOOBIG past RN_AGE_MAX_HOLDS.
 */
enum rn_err rn_age_writer_hold(struct rn_age_writer *w, uint64_t off, size_t len);
/*
 * Overwrite exactly an open hold with [p, p+len) and release it; the range
 * must have been given by _update() already.  Chunks left with no open hold
 * are sealed and written.  RN_ERR_INVAL for a range that is not a hold.
 */
enum rn_err rn_age_writer_patch(struct rn_age_writer *w, uint64_t off, const void *p, size_t len);
/* The same two as callbacks (arg is the writer), for rn_tar_set_patcher(). */
enum rn_err rn_age_writer_hold_cb(uint64_t off, size_t len, void *arg);
enum rn_err rn_age_writer_patch_cb(uint64_t off, const void *p, size_t len, void *arg);

/* ---- reader ---- */

struct rn_age_reader;

/*
 * Open a file with any of nids identities (borrowed; they must outlive the
 * reader).  Feed it the file with _update() and end with _finish(): plaintext
 * goes to the sink one authenticated chunk at a time, never before the header
 * MAC has been checked.  A payload that fails later has released the chunks
 * before the failure: the caller must throw all of it away unless _finish()
 * returns RN_OK.  Errors: RN_ERR_INVAL (header, unsupported, payload),
 * RN_ERR_NOTFOUND (no match), RN_ERR_CRYPTO (header MAC), RN_ERR_TOOBIG (a
 * header limit), or the sink's error; rn_age_reader_status() tells which.
 * After an error every call returns it again.
 */
enum rn_err	   rn_age_reader_new(const struct rn_age_identity *const *ids, size_t nids,
	   rn_age_sink_fn sink, void *arg, struct rn_age_reader **out);
enum rn_err	   rn_age_reader_update(struct rn_age_reader *r, const void *p, size_t n);
enum rn_err	   rn_age_reader_finish(struct rn_age_reader *r);
enum rn_age_status rn_age_reader_status(const struct rn_age_reader *r);
/* NULL-safe; wipes the keys and the plaintext buffer. */
void rn_age_reader_free(struct rn_age_reader *r);

#endif
