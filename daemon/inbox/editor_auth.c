/*
 * Signed editor requests (daemon/inbox/README.md, "Signed editor requests").
 *
 * The server checks, in this order: the header's syntax, that the key is a
 * configured editor's, the time window, the signature, and only then the
 * nonce, so that nobody without an editor's key can fill the nonce cache.
 * The cache is a flat array scanned per request: at most
 * RN_EDITOR_NONCE_CACHE entries of 32 bytes, and editors send few requests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roneo/rn_editor.h"

#define SIG_B64_LEN rn_base64_len(RN_ED25519_SIG_LEN)
#define KEY_B64_LEN rn_base64_len(RN_ED25519_PUB_LEN)
#define TS_MAX	    ((uint64_t)1 << 40) /* far beyond any clock; keeps ts + window exact */

struct nonce_entry {
	uint64_t expires; /* ts + window: unusable afterwards */
	uint32_t editor;
	uint8_t	 nonce[RN_EDITOR_NONCE_LEN];
};

struct rn_editor_auth {
	struct rn_editor_key *keys;
	size_t		      nkeys;
	uint64_t	      latest; /* the latest `now` seen */
	struct nonce_entry   *cache;
	size_t		      ncache;
};

static bool
method_ok(const char *m)
{
	size_t i;

	for (i = 0; m[i] != '\0'; i++)
		if (i >= 16 || m[i] < 'A' || m[i] > 'Z')
			return false;
	return i > 0;
}

static bool
target_ok(const char *t, size_t n)
{
	size_t i;

	if (n == 0 || n > RN_EDITOR_MAX_TARGET || t[0] != '/')
		return false;
	for (i = 0; i < n; i++)
		if (t[i] <= ' ' || t[i] > '~')
			return false;
	return true;
}

static bool
nonce_hex_ok(const char *s)
{
	size_t i;

	for (i = 0; i < 2 * RN_EDITOR_NONCE_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[i] == '\0';
}

enum rn_err
rn_editor_auth_message(const char *method, const char *target, size_t target_len,
    const uint8_t body_sha256[RN_SHA256_LEN], uint64_t ts, const char *nonce_hex, struct rn_buf *b)
{
	char hash[2 * RN_SHA256_LEN + 1];

	rn_buf_reset(b);
	if (!method_ok(method) || !target_ok(target, target_len) || !nonce_hex_ok(nonce_hex))
		return RN_ERR_INVAL;
	rn_hex_encode(body_sha256, RN_SHA256_LEN, hash);
	return rn_buf_printf(b, RN_EDITOR_AUTH_DOMAIN "\n%s\n%.*s\n%s\n%llu\n%s\n", method,
	    (int)target_len, target, hash, (unsigned long long)ts, nonce_hex);
}

enum rn_err
rn_editor_auth_sign(const struct rn_editor_secret *sk, const char *method, const char *target,
    size_t target_len, const uint8_t body_sha256[RN_SHA256_LEN], uint64_t now, char *out,
    size_t outsz)
{
	uint8_t	      nonce[RN_EDITOR_NONCE_LEN], sig[RN_ED25519_SIG_LEN];
	char	      nonce_hex[2 * RN_EDITOR_NONCE_LEN + 1];
	char	      key_b64[KEY_B64_LEN + 1], sig_b64[SIG_B64_LEN + 1];
	struct rn_buf msg;
	enum rn_err   err;
	int	      w;

	rn_buf_init(&msg, RN_EDITOR_MAX_TARGET + 256);
	if (outsz < RN_EDITOR_AUTH_HEADER_MAX || now >= TS_MAX) {
		err = RN_ERR_INVAL;
		goto out;
	}
	if ((err = rn_crypto_random(nonce, sizeof(nonce))) != RN_OK)
		goto out;
	rn_hex_encode(nonce, sizeof(nonce), nonce_hex);
	if ((err = rn_editor_auth_message(
		 method, target, target_len, body_sha256, now, nonce_hex, &msg)) != RN_OK ||
	    (err = rn_editor_secret_sign(sk, msg.data, msg.len, sig)) != RN_OK)
		goto out;
	rn_base64_encode(rn_editor_secret_pub(sk), RN_ED25519_PUB_LEN, key_b64);
	rn_base64_encode(sig, sizeof(sig), sig_b64);
	w = snprintf(out, outsz, RN_EDITOR_AUTH_SCHEME " key=%s, ts=%llu, nonce=%s, sig=%s",
	    key_b64, (unsigned long long)now, nonce_hex, sig_b64);
	err = w > 0 && (size_t)w < outsz ? RN_OK : RN_ERR_TOOBIG;
out:
	rn_buf_free(&msg);
	return err;
}

enum rn_err
rn_editor_auth_new(const struct rn_editor_key *keys, size_t n, struct rn_editor_auth **out)
{
	struct rn_editor_auth *a;

	*out = NULL;
	if (n == 0 || n > RN_EDITOR_MAX_KEYS)
		return RN_ERR_INVAL;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return RN_ERR_NOMEM;
	a->keys = calloc(n, sizeof(*a->keys));
	a->cache = calloc(RN_EDITOR_NONCE_CACHE, sizeof(*a->cache));
	if (a->keys == NULL || a->cache == NULL) {
		rn_editor_auth_free(a);
		return RN_ERR_NOMEM;
	}
	memcpy(a->keys, keys, n * sizeof(*keys));
	a->nkeys = n;
	*out = a;
	return RN_OK;
}

void
rn_editor_auth_free(struct rn_editor_auth *a)
{
	if (a == NULL)
		return;
	free(a->keys);
	free(a->cache);
	free(a);
}

size_t
rn_editor_auth_cached(const struct rn_editor_auth *a)
{
	return a->ncache;
}

/* The parts of a header value, pointing into it. */
struct parsed {
	uint8_t	    key[RN_ED25519_PUB_LEN];
	uint8_t	    sig[RN_ED25519_SIG_LEN];
	uint64_t    ts;
	char	    nonce_hex[2 * RN_EDITOR_NONCE_LEN + 1];
	uint8_t	    nonce[RN_EDITOR_NONCE_LEN];
	const char *p;
	size_t	    left;
};

/* Consume the literal lit; false if the input does not start with it. */
static bool
eat(struct parsed *x, const char *lit)
{
	size_t n = strlen(lit);

	if (x->left < n || memcmp(x->p, lit, n) != 0)
		return false;
	x->p += n;
	x->left -= n;
	return true;
}

/* Consume exactly n bytes as the value: it must end the input or be followed by ", ". */
static bool
value(struct parsed *x, size_t n, const char **v)
{
	if (x->left < n || (x->left > n && (x->left < n + 2 || x->p[n] != ',')))
		return false;
	*v = x->p;
	x->p += n;
	x->left -= n;
	return true;
}

static size_t
digits(const struct parsed *x)
{
	size_t i = 0;

	while (i < x->left && x->p[i] >= '0' && x->p[i] <= '9')
		i++;
	return i;
}

static enum rn_err
parse_header(const char *h, size_t n, struct parsed *x)
{
	const char *v;
	size_t	    len;

	memset(x, 0, sizeof(*x));
	x->p = h;
	x->left = n;
	if (!eat(x, RN_EDITOR_AUTH_SCHEME " key=") || !value(x, KEY_B64_LEN, &v) ||
	    rn_base64_decode(v, KEY_B64_LEN, x->key, sizeof(x->key), &len) != RN_OK ||
	    len != sizeof(x->key))
		return RN_ERR_INVAL;
	if (!eat(x, ", ts=") || (len = digits(x)) == 0 || len > 13 || (len > 1 && x->p[0] == '0') ||
	    !value(x, len, &v) || rn_parse_u64(v, len, TS_MAX - 1, &x->ts) != RN_OK)
		return RN_ERR_INVAL;
	if (!eat(x, ", nonce=") || !value(x, 2 * RN_EDITOR_NONCE_LEN, &v))
		return RN_ERR_INVAL;
	memcpy(x->nonce_hex, v, 2 * RN_EDITOR_NONCE_LEN);
	if (!nonce_hex_ok(x->nonce_hex) ||
	    rn_hex_decode(v, 2 * RN_EDITOR_NONCE_LEN, x->nonce, sizeof(x->nonce)) != RN_OK)
		return RN_ERR_INVAL;
	if (!eat(x, ", sig=") || x->left != SIG_B64_LEN ||
	    rn_base64_decode(x->p, SIG_B64_LEN, x->sig, sizeof(x->sig), &len) != RN_OK ||
	    len != sizeof(x->sig))
		return RN_ERR_INVAL;
	return RN_OK;
}

/* Forget the nonces whose window has passed. */
static void
cache_expire(struct rn_editor_auth *a)
{
	size_t i = 0;

	while (i < a->ncache) {
		if (a->cache[i].expires < a->latest)
			a->cache[i] = a->cache[--a->ncache];
		else
			i++;
	}
}

static bool
cache_has(const struct rn_editor_auth *a, uint32_t editor, const uint8_t *nonce)
{
	size_t i;

	for (i = 0; i < a->ncache; i++)
		if (a->cache[i].editor == editor &&
		    memcmp(a->cache[i].nonce, nonce, RN_EDITOR_NONCE_LEN) == 0)
			return true;
	return false;
}

static bool
in_window(const struct rn_editor_auth *a, uint64_t ts, uint64_t now)
{
	uint64_t w = RN_EDITOR_AUTH_WINDOW;

	if (ts > now + w || ts + w < now)
		return false;
	/* Never older than the window before the latest time seen. */
	return ts + w >= a->latest;
}

enum rn_err
rn_editor_auth_verify(struct rn_editor_auth *a, const char *method, const char *target,
    size_t target_len, const uint8_t body_sha256[RN_SHA256_LEN], const char *header,
    size_t header_len, uint64_t now, size_t *editor_index)
{
	struct parsed x;
	struct rn_buf msg;
	enum rn_err   err;
	size_t	      i;

	rn_buf_init(&msg, RN_EDITOR_MAX_TARGET + 256);
	if (now >= TS_MAX || header_len >= RN_EDITOR_AUTH_HEADER_MAX ||
	    (err = parse_header(header, header_len, &x)) != RN_OK) {
		err = RN_ERR_INVAL;
		goto out;
	}
	if (now > a->latest)
		a->latest = now;
	for (i = 0; i < a->nkeys; i++)
		if (rn_crypto_memeq(a->keys[i].pub, x.key, sizeof(x.key)))
			break;
	err = RN_ERR_PERM;
	if (i == a->nkeys || !in_window(a, x.ts, now))
		goto out;
	if ((err = rn_editor_auth_message(
		 method, target, target_len, body_sha256, x.ts, x.nonce_hex, &msg)) != RN_OK)
		goto out;
	if (rn_ed25519_verify(a->keys[i].pub, msg.data, msg.len, x.sig) != RN_OK) {
		err = RN_ERR_PERM;
		goto out;
	}
	cache_expire(a);
	if (cache_has(a, (uint32_t)i, x.nonce)) {
		err = RN_ERR_PERM;
		goto out;
	}
	if (a->ncache == RN_EDITOR_NONCE_CACHE) {
		err = RN_ERR_BUSY;
		goto out;
	}
	a->cache[a->ncache].expires = x.ts + RN_EDITOR_AUTH_WINDOW;
	a->cache[a->ncache].editor = (uint32_t)i;
	memcpy(a->cache[a->ncache].nonce, x.nonce, RN_EDITOR_NONCE_LEN);
	a->ncache++;
	if (editor_index != NULL)
		*editor_index = i;
	err = RN_OK;
out:
	rn_buf_free(&msg);
	return err;
}
