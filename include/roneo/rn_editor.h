/*
 * Editors (daemon/inbox/editor_auth.c, editor_keys.c, untar.c): who they
 * are (an Ed25519 signing key in minisign's formats and an age recipient),
 * how their requests to the editor API are signed and checked, and the
 * streaming tar reader the roneo CLI opens submissions with.  The formats are
 * in daemon/inbox/README.md and docs/editor-guide.md.
 */
#ifndef RN_EDITOR_H
#define RN_EDITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rn_age.h"
#include "rn_crypto.h"
#include "rn_err.h"
#include "rn_limits.h"
#include "rn_util.h"

/* ==== keys (daemon/inbox/editor_keys.c) ================================== */

#define RN_MINISIGN_KEYID_LEN	8u
#define RN_MINISIGN_PUB_B64_LEN 56u /* base64 of "Ed" || key id || public key */
#define RN_X25519_B32_LEN	52u /* unpadded base32 of 32 bytes, as tor writes keys */

/* An editor as the server's config names it: `Editor <minisign key> <age1...>`. */
struct rn_editor_key {
	uint8_t			pub[RN_ED25519_PUB_LEN];
	uint8_t			keyid[RN_MINISIGN_KEYID_LEN];
	struct rn_age_recipient recipient;
};

/*
 * Parse an `Editor` value, [s, s+n): the minisign public key in base64 (the
 * second line of a minisign .pub file, "RWQ..."), one or more spaces or tabs,
 * the age recipient ("age1...").  Strict: canonical base64 of exactly 42
 * bytes starting with "Ed", a public key that is not of small order, a valid
 * recipient, nothing else.  RN_ERR_INVAL otherwise.
 */
enum rn_err rn_editor_key_parse(const char *s, size_t n, struct rn_editor_key *out);
/* The minisign public key alone ("RWQ...", [s, s+n)). */
enum rn_err rn_minisign_pub_parse(
    const char *s, size_t n, uint8_t keyid[RN_MINISIGN_KEYID_LEN], uint8_t pub[RN_ED25519_PUB_LEN]);
/* "RWQ..." into out (RN_MINISIGN_PUB_B64_LEN + 1 bytes). */
void rn_minisign_pub_format(
    const uint8_t keyid[RN_MINISIGN_KEYID_LEN], const uint8_t pub[RN_ED25519_PUB_LEN], char *out);

/*
 * An editor's signing key (a secret: opaque, wiped on free).  Its file is
 * minisign's unencrypted secret key format, exactly what `minisign -G -W`
 * writes (see daemon/inbox/README.md); its public file is what
 * `minisign -V -p` reads.
 */
struct rn_editor_secret;

enum rn_err rn_editor_secret_generate(struct rn_editor_secret **out);
/*
 * Parse a minisign secret key file, [s, s+n): an "untrusted comment:" line
 * and the base64 key line.  Only unencrypted keys (minisign -W) are read:
 * RN_ERR_PERM for a password-protected one (`minisign -C -W` removes the
 * password), RN_ERR_INVAL for anything malformed, or a key whose public half
 * does not match its secret.
 */
enum rn_err rn_editor_secret_parse_file(const char *s, size_t n, struct rn_editor_secret **out);
void	    rn_editor_secret_free(struct rn_editor_secret *sk);
/* The secret key file (a secret: b->max should allow 512 bytes; wipe it). */
enum rn_err rn_editor_secret_format_file(const struct rn_editor_secret *sk, struct rn_buf *b);
/* The public key file: "untrusted comment: minisign public key <ID>\nRWQ...\n". */
enum rn_err    rn_editor_secret_format_pub(const struct rn_editor_secret *sk, struct rn_buf *b);
const uint8_t *rn_editor_secret_pub(const struct rn_editor_secret *sk);	  /* 32 bytes */
const uint8_t *rn_editor_secret_keyid(const struct rn_editor_secret *sk); /* 8 bytes */
enum rn_err    rn_editor_secret_sign(const struct rn_editor_secret *sk, const void *msg, size_t len,
       uint8_t sig[RN_ED25519_SIG_LEN]);

/* RFC 4648 base32, upper case, no padding (tor's form of x25519 keys): 52 characters + NUL. */
void rn_x25519_base32(const uint8_t key[RN_X25519_LEN], char out[RN_X25519_B32_LEN + 1]);

/* ==== signed requests (daemon/inbox/editor_auth.c) ======================= */

/*
 * Every request to the editor API carries
 *
 *   Authorization: roneo-ed25519 key=<base64 public key>, ts=<unix seconds>,
 *       nonce=<32 lower-case hex>, sig=<base64 signature>
 *
 * (one line; the parameters in this order, one ", " between them), where sig
 * is Ed25519 over
 *
 *   "roneo-editor-v1\n" METHOD "\n" TARGET "\n" hex(SHA-256(body)) "\n"
 *   ts "\n" nonce "\n"
 *
 * with TARGET the request target exactly as sent (query included).
 */
#define RN_EDITOR_AUTH_SCHEME	  "roneo-ed25519"
#define RN_EDITOR_AUTH_DOMAIN	  "roneo-editor-v1"
#define RN_EDITOR_NONCE_LEN	  16u  /* bytes: 32 hex characters */
#define RN_EDITOR_AUTH_HEADER_MAX 256u /* the header value, NUL included */

/*
 * The signed message into b (reset first).  method: 1 to 16 upper-case
 * letters; target: 1 to RN_EDITOR_MAX_TARGET visible ASCII bytes starting
 * with '/'; nonce_hex: 32 lower-case hex.  RN_ERR_INVAL otherwise.
 */
enum rn_err rn_editor_auth_message(const char *method, const char *target, size_t target_len,
    const uint8_t body_sha256[RN_SHA256_LEN], uint64_t ts, const char *nonce_hex, struct rn_buf *b);

/* Client: a fresh nonce, the signature and the header value into out (outsz >= MAX). */
enum rn_err rn_editor_auth_sign(const struct rn_editor_secret *sk, const char *method,
    const char *target, size_t target_len, const uint8_t body_sha256[RN_SHA256_LEN], uint64_t now,
    char *out, size_t outsz);

/* Server: the configured editors and a cache of the nonces seen. */
struct rn_editor_auth;

/* keys: 1 to RN_EDITOR_MAX_KEYS editors (copied). */
enum rn_err rn_editor_auth_new(
    const struct rn_editor_key *keys, size_t n, struct rn_editor_auth **out);
void rn_editor_auth_free(struct rn_editor_auth *a);

/*
 * Check a request: the Authorization value [header, header+header_len) is
 * parsed strictly (RN_ERR_INVAL if malformed), the key must be a configured
 * editor's, ts within RN_EDITOR_AUTH_WINDOW seconds of now (and not older
 * than the window before the latest `now` seen, so a clock stepped back
 * cannot revive a forgotten nonce), the signature valid (RN_ERR_PERM for
 * each), and the nonce unseen for that key within the window (RN_ERR_PERM for
 * a replay).  The nonce is remembered only once the signature verified; a
 * full cache (RN_EDITOR_NONCE_CACHE live nonces) refuses with RN_ERR_BUSY and
 * never forgets a live one.  *editor_index (may be NULL) gets the index of
 * the editor in the keys given to rn_editor_auth_new().
 */
enum rn_err rn_editor_auth_verify(struct rn_editor_auth *a, const char *method, const char *target,
    size_t target_len, const uint8_t body_sha256[RN_SHA256_LEN], const char *header,
    size_t header_len, uint64_t now, size_t *editor_index);
/* Live nonces in the cache (for tests). */
size_t rn_editor_auth_cached(const struct rn_editor_auth *a);

/* ==== streaming tar reader (daemon/inbox/untar.c) ======================== */

/*
 * Reads POSIX (ustar, pax) and GNU tar archives as a stream and hands
 * regular files and directories to callbacks under checked relative paths:
 * absolute paths, "." and ".." components, empty components, control
 * characters, invalid UTF-8, symbolic and hard links, devices, FIFOs, sparse
 * and multi-volume members, and anything past the RN_UNTAR_* limits are
 * refused (RN_ERR_INVAL or RN_ERR_TOOBIG; rn_untar_why() says why).  The pax
 * records path and size and GNU long names ('L') are honoured; other pax
 * records are ignored, global ones ('g') too.  Memory: one header block, one
 * pax header (RN_UNTAR_MAX_PAX) and one path.  After an error every call
 * returns it again.
 */
struct rn_untar_ops {
	/* A member begins: path (NUL-terminated, no leading "./", no trailing '/'). */
	enum rn_err (*begin)(const char *path, bool dir, uint64_t size, void *arg);
	/* File data, in order; n > 0; all of it together is the declared size. */
	enum rn_err (*data)(const void *p, size_t n, void *arg);
	/* The member is complete. */
	enum rn_err (*end)(void *arg);
};

struct rn_untar;

struct rn_untar *rn_untar_new(const struct rn_untar_ops *ops, void *arg);
void		 rn_untar_free(struct rn_untar *u);
enum rn_err	 rn_untar_update(struct rn_untar *u, const void *p, size_t n);
/* The same as a sink (arg is the reader), e.g. for rn_age_reader_new(). */
enum rn_err rn_untar_sink(const void *p, size_t n, void *arg);
/* The end of input: RN_OK only after an end-of-archive marker (one or two zero blocks). */
enum rn_err rn_untar_finish(struct rn_untar *u);
/* Why the reader failed (a static sentence), or "" when it has not. */
const char *rn_untar_why(const struct rn_untar *u);
/* Members begun so far. */
uint64_t rn_untar_members(const struct rn_untar *u);
/*
 * Check and normalise a member path, [p, p+n): leading "./" removed, one
 * trailing '/' removed when dir; out gets the result (RN_UNTAR_MAX_PATH + 1
 * bytes).  RN_ERR_INVAL for what the reader refuses; an empty result (the
 * archive's "./") is RN_ERR_NOTFOUND.
 */
enum rn_err rn_untar_path_check(const char *p, size_t n, bool dir, char *out, size_t outsz);

#endif
