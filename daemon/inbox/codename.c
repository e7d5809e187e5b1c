/*
 * Codenames: nine words of the BIP-39 English list (99 bits), shown once to a
 * source and never stored.  What is stored derives from them through scrypt
 * (memory-hard, so that a stolen database of mailbox ids cannot be searched
 * cheaply even if a codename were weaker than it is) and HKDF-SHA256:
 *
 *   seed       = scrypt(text, "roneo codename v1", N=2^14, r=8, p=2, 32 bytes)
 *   mailbox id = HKDF(salt "", seed, info "roneo codename v1 mailbox id", 32)
 *   reply key  = HKDF(salt "", seed, info "roneo codename v1 reply x25519", 32)
 *
 * where text is the canonical form: lower-case words, one space apart.
 */
#include <stdlib.h>
#include <string.h>

#include "roneo/rn_crypto.h"
#include "roneo/rn_inbox.h"
#include "roneo/rn_util.h"

#define INFO_MAILBOX "roneo codename v1 mailbox id"
#define INFO_REPLY   "roneo codename v1 reply x25519"
#define SEED_LEN     32u
#define MIN_PREFIX   4u /* BIP-39 words differ in their first four letters */

_Static_assert(RN_CODENAME_LIST_SIZE <= 65536, "indices fit in 16 bits");
_Static_assert(RN_CODENAME_TEXT_BUFSZ >= RN_CODENAME_WORDS * (RN_CODENAME_MAX_WORD + 1),
    "room for the longest codename");

struct rn_codename {
	char	 text[RN_CODENAME_TEXT_BUFSZ];
	uint16_t idx[RN_CODENAME_WORDS];
	bool	 derived;
	uint8_t	 mailbox_id[RN_MAILBOX_ID_LEN];
	uint8_t	 reply_secret[RN_X25519_LEN];
	uint8_t	 reply_public[RN_X25519_LEN];
};

void
rn_codename_free(struct rn_codename *c)
{
	if (c == NULL)
		return;
	rn_crypto_wipe(c, sizeof(*c));
	free(c);
}

/* Fill in the canonical text from the indices. */
static void
set_text(struct rn_codename *c)
{
	size_t i, o = 0, n;

	for (i = 0; i < RN_CODENAME_WORDS; i++) {
		if (i > 0)
			c->text[o++] = ' ';
		n = strlen(rn_codename_words[c->idx[i]]);
		memcpy(c->text + o, rn_codename_words[c->idx[i]], n);
		o += n;
	}
	c->text[o] = '\0';
}

/* A uniform index below RN_CODENAME_LIST_SIZE: rejection sampling, no modulo bias. */
static enum rn_err
uniform_index(uint16_t *out)
{
	/* The largest multiple of the list size that fits in 32 bits. */
	const uint64_t limit = (1ull << 32) - (1ull << 32) % RN_CODENAME_LIST_SIZE;
	uint32_t       v;
	enum rn_err    err;

	do {
		if ((err = rn_crypto_random(&v, sizeof(v))) != RN_OK)
			return err;
	} while (v >= limit);
	*out = (uint16_t)(v % RN_CODENAME_LIST_SIZE);
	rn_crypto_wipe(&v, sizeof(v));
	return RN_OK;
}

enum rn_err
rn_codename_generate(struct rn_codename **out)
{
	struct rn_codename *c;
	enum rn_err	    err = RN_OK;
	size_t		    i;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return RN_ERR_NOMEM;
	for (i = 0; i < RN_CODENAME_WORDS; i++)
		if ((err = uniform_index(&c->idx[i])) != RN_OK) {
			rn_codename_free(c);
			return err;
		}
	set_text(c);
	*out = c;
	return RN_OK;
}

/*
 * The index of the word that w (lower case, n letters) names: the word itself,
 * or a prefix of MIN_PREFIX or more letters of exactly one word.  -1 if none.
 */
static int
lookup(const char *w, size_t n)
{
	size_t lo = 0, hi = RN_CODENAME_LIST_SIZE, mid;
	int    cmp;

	/* The first word >= w. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		cmp = strcmp(rn_codename_words[mid], w);
		if (cmp == 0)
			return (int)mid;
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (n < MIN_PREFIX || lo == RN_CODENAME_LIST_SIZE ||
	    strncmp(rn_codename_words[lo], w, n) != 0)
		return -1;
	/* The list generator checked that no two words share four letters. */
	return (int)lo;
}

static bool
is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\v' || ch == '\f';
}

enum rn_err
rn_codename_parse(const char *in, size_t len, struct rn_codename **out)
{
	struct rn_codename *c = NULL;
	char		    w[RN_CODENAME_MAX_WORD + 1];
	size_t		    i = 0, n, count = 0;
	enum rn_err	    err = RN_ERR_INVAL;
	int		    idx;

	*out = NULL;
	if (in == NULL && len > 0)
		return RN_ERR_INVAL;
	if (len > RN_CODENAME_MAX_INPUT)
		return RN_ERR_TOOBIG;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return RN_ERR_NOMEM;
	for (;;) {
		while (i < len && is_space(in[i]))
			i++;
		if (i == len)
			break;
		for (n = 0; i < len && !is_space(in[i]); i++, n++) {
			if (n == RN_CODENAME_MAX_WORD)
				goto out; /* longer than any word */
			if (in[i] >= 'a' && in[i] <= 'z')
				w[n] = in[i];
			else if (in[i] >= 'A' && in[i] <= 'Z')
				w[n] = (char)(in[i] - 'A' + 'a');
			else
				goto out;
		}
		w[n] = '\0';
		if (count == RN_CODENAME_WORDS || (idx = lookup(w, n)) < 0)
			goto out;
		c->idx[count++] = (uint16_t)idx;
	}
	if (count != RN_CODENAME_WORDS)
		goto out;
	set_text(c);
	*out = c;
	c = NULL;
	err = RN_OK;
out:
	rn_crypto_wipe(w, sizeof(w));
	rn_codename_free(c);
	return err;
}

const char *
rn_codename_text(const struct rn_codename *c)
{
	return c->text;
}

enum rn_err
rn_codename_derive(struct rn_codename *c)
{
	uint8_t	    seed[SEED_LEN];
	enum rn_err err;

	c->derived = false;
	if ((err = rn_scrypt(c->text, strlen(c->text), RN_CODENAME_SALT,
		 sizeof(RN_CODENAME_SALT) - 1, RN_CODENAME_SCRYPT_N, RN_CODENAME_SCRYPT_R,
		 RN_CODENAME_SCRYPT_P, seed, sizeof(seed))) != RN_OK ||
	    (err = rn_hkdf_sha256(NULL, 0, seed, sizeof(seed), INFO_MAILBOX,
		 sizeof(INFO_MAILBOX) - 1, c->mailbox_id, sizeof(c->mailbox_id))) != RN_OK ||
	    (err = rn_hkdf_sha256(NULL, 0, seed, sizeof(seed), INFO_REPLY, sizeof(INFO_REPLY) - 1,
		 c->reply_secret, sizeof(c->reply_secret))) != RN_OK ||
	    (err = rn_x25519_public(c->reply_secret, c->reply_public)) != RN_OK)
		goto out;
	c->derived = true;
out:
	rn_crypto_wipe(seed, sizeof(seed));
	if (!c->derived) {
		rn_crypto_wipe(c->mailbox_id, sizeof(c->mailbox_id));
		rn_crypto_wipe(c->reply_secret, sizeof(c->reply_secret));
		rn_crypto_wipe(c->reply_public, sizeof(c->reply_public));
	}
	return err;
}

const uint8_t *
rn_codename_mailbox_id(const struct rn_codename *c)
{
	return c->derived ? c->mailbox_id : NULL;
}

const uint8_t *
rn_codename_reply_secret(const struct rn_codename *c)
{
	return c->derived ? c->reply_secret : NULL;
}

const uint8_t *
rn_codename_reply_public(const struct rn_codename *c)
{
	return c->derived ? c->reply_public : NULL;
}
