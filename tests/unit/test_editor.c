/* Unit tests for editor keys and signed editor requests (daemon/inbox/editor_*.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roneo/rn_editor.h"

#define NOW 1795440000u

/* Written by Debian's minisign 0.11: minisign -G -W -p k.pub -s k.key */
static const char mini_sk[] =
    "untrusted comment: minisign encrypted secret key\n"
    "RWQAAEIyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAADEktm/UTH3OUESQr8e"
    "IUjjAsgvNOAyLfzwNyxHxDm0C06foPZCWWBohMKsDtD6NnbSn5tFXr3fEgLp7gFDiGxNgfAj7SS46WAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
static const char mini_pk_id[] = "731F13F59B2D490C";
static const char mini_pk[] = "RWQMSS2b9RMfc4hMKsDtD6NnbSn5tFXr3fEgLp7gFDiGxNgfAj7SS46W";
static const char age_rcpt[] = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";

static const uint8_t empty_sha256[RN_SHA256_LEN] = { 0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c,
	0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b,
	0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55 };

static void
test_minisign_vectors(void **state)
{
	struct rn_editor_secret *sk = NULL;
	struct rn_buf		 b;
	uint8_t			 id[RN_MINISIGN_KEYID_LEN], pub[RN_ED25519_PUB_LEN];
	char			 text[RN_MINISIGN_PUB_B64_LEN + 1];

	(void)state;
	assert_int_equal(rn_minisign_pub_parse(mini_pk, strlen(mini_pk), id, pub), RN_OK);
	rn_minisign_pub_format(id, pub, text);
	assert_string_equal(text, mini_pk);
	assert_int_equal(rn_editor_secret_parse_file(mini_sk, strlen(mini_sk), &sk), RN_OK);
	assert_memory_equal(rn_editor_secret_pub(sk), pub, sizeof(pub));
	assert_memory_equal(rn_editor_secret_keyid(sk), id, sizeof(id));
	rn_buf_init(&b, 4096);
	assert_int_equal(rn_editor_secret_format_pub(sk, &b), RN_OK);
	assert_non_null(strstr(b.data, mini_pk_id));
	assert_non_null(strstr(b.data, mini_pk));
	/* What we write is byte for byte what minisign -W wrote, but the comment. */
	rn_buf_reset(&b);
	assert_int_equal(rn_editor_secret_format_file(sk, &b), RN_OK);
	assert_non_null(strstr(b.data, strchr(mini_sk, '\n') + 1));
	rn_buf_free(&b);
	rn_editor_secret_free(sk);
}

static void
test_secret_round_trip(void **state)
{
	struct rn_editor_secret *a = NULL, *b = NULL;
	struct rn_buf		 f;
	uint8_t			 sig[RN_ED25519_SIG_LEN];

	(void)state;
	assert_int_equal(rn_editor_secret_generate(&a), RN_OK);
	rn_buf_init(&f, 4096);
	assert_int_equal(rn_editor_secret_format_file(a, &f), RN_OK);
	assert_int_equal(rn_editor_secret_parse_file(f.data, f.len, &b), RN_OK);
	assert_memory_equal(rn_editor_secret_pub(a), rn_editor_secret_pub(b), RN_ED25519_PUB_LEN);
	assert_int_equal(rn_editor_secret_sign(b, "x", 1, sig), RN_OK);
	assert_int_equal(rn_ed25519_verify(rn_editor_secret_pub(a), "x", 1, sig), RN_OK);
	rn_editor_secret_free(b);
	b = NULL;
	/* CRLF line ends are read too. */
	rn_buf_free(&f);
	rn_buf_init(&f, 4096);
	assert_int_equal(rn_buf_puts(&f, "untrusted comment: x\r\n"), RN_OK);
	assert_int_equal(rn_buf_append(&f, strchr(mini_sk, '\n') + 1, 212), RN_OK);
	assert_int_equal(rn_buf_puts(&f, "\r\n"), RN_OK);
	assert_int_equal(rn_editor_secret_parse_file(f.data, f.len, &b), RN_OK);
	rn_editor_secret_free(b);
	rn_buf_free(&f);
	rn_editor_secret_free(a);
	rn_editor_secret_free(NULL);
}

/* mini_sk with the decoded byte at offset `off` set to v. */
static enum rn_err
parse_patched(size_t off, uint8_t v)
{
	struct rn_editor_secret *sk = NULL;
	const char		*line = strchr(mini_sk, '\n') + 1;
	uint8_t			 raw[161];
	char			 file[400], b64[220];
	size_t			 len;
	enum rn_err		 err;

	assert_int_equal(rn_base64_decode(line, 212, raw, sizeof(raw), &len), RN_OK);
	assert_int_equal(len, 158);
	raw[off] = v;
	rn_base64_encode(raw, 158, b64);
	snprintf(file, sizeof(file), "untrusted comment: x\n%s\n", b64);
	err = rn_editor_secret_parse_file(file, strlen(file), &sk);
	rn_editor_secret_free(sk);
	return err;
}

static void
test_secret_refused(void **state)
{
	struct rn_editor_secret *sk = NULL;
	static const char *const bad[] = {
		"",
		"RWQAAEIy\n",
		"untrusted comment: x\n",
		"untrusted comment: x\nRWQAAEIy\n",
		"comment: x\nRWQ\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < RN_ARRAY_LEN(bad); i++) {
		assert_int_equal(rn_editor_secret_parse_file(bad[i], strlen(bad[i]), &sk),
		    RN_ERR_INVAL);
		assert_null(sk);
	}
	assert_int_equal(parse_patched(2, 'S'), RN_ERR_INVAL);
	assert_int_equal(parse_patched(3, 'c'), RN_ERR_INVAL);
	assert_int_equal(parse_patched(0, 'X'), RN_ERR_INVAL);   /* algorithm */
	assert_int_equal(parse_patched(4, 'X'), RN_ERR_INVAL);   /* checksum algorithm */
	assert_int_equal(parse_patched(10, 1), RN_ERR_INVAL);    /* salt */
	assert_int_equal(parse_patched(70, 0x55), RN_ERR_INVAL); /* seed: public half differs */
	assert_int_equal(parse_patched(100, 0x55), RN_ERR_INVAL); /* public half */
	assert_int_equal(parse_patched(56, 0x55), RN_OK);	  /* key id: any */
	{
		/* A password-protected key: RN_ERR_PERM, with a hint in the CLI. */
		const char  *line = strchr(mini_sk, '\n') + 1;
		uint8_t	     raw[161];
		char	     file[400], b64[220];
		size_t	     len;

		assert_int_equal(rn_base64_decode(line, 212, raw, sizeof(raw), &len), RN_OK);
		raw[2] = 'S';
		raw[3] = 'c';
		rn_base64_encode(raw, 158, b64);
		snprintf(file, sizeof(file), "untrusted comment: x\n%s\n", b64);
		assert_int_equal(rn_editor_secret_parse_file(file, strlen(file), &sk), RN_ERR_PERM);
		/* Trailing garbage after the key line. */
		snprintf(file, sizeof(file), "untrusted comment: x\n%.212s\nmore\n", line);
		assert_int_equal(
		    rn_editor_secret_parse_file(file, strlen(file), &sk), RN_ERR_INVAL);
	}
}

static void
test_editor_key_parse(void **state)
{
	struct rn_editor_key k;
	char		     line[256];
	uint8_t		     id[8], pub[32];
	static const char   *bad[] = {
		  "",
		  "RWQMSS2b9RMfc4hMKsDtD6NnbSn5tFXr3fEgLp7gFDiGxNgfAj7SS46W",
		  "RWQMSS2b9RMfc4hMKsDtD6NnbSn5tFXr3fEgLp7gFDiGxNgfAj7SS46W ",
		  "RWQMSS2b9RMfc4hMKsDtD6NnbSn5tFXr3fEgLp7gFDiGxNgfAj7SS46Wage1ql3z7hjy54pw3hyww5ayyfg7"
		  "zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p",
		  "RWQMSS2b9RMfc4hMKsDtD6NnbSn5tFXr3fEgLp7gFDiGxNgfAj7SS46 age1ql3z7hjy54pw3hyww5ayyfg7"
		  "zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p",
		  "RWQMSS2b9RMfc4hMKsDtD6NnbSn5tFXr3fEgLp7gFDiGxNgfAj7SS46W age1ql3z7hjy54pw3hyww5ayyfg7"
		  "zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8q",
		  "RWQMSS2b9RMfc4hMKsDtD6NnbSn5tFXr3fEgLp7gFDiGxNgfAj7SS46W age1ql3z7hjy54pw3hyww5ayyfg7"
		  "zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p x",
		  " RWQMSS2b9RMfc4hMKsDtD6NnbSn5tFXr3fEgLp7gFDiGxNgfAj7SS46W age1ql3z7hjy54pw3hyww5ayyfg7"
		  "zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p",
		  /* "Ed", a key id, and the identity point as the public key */
		  "RWQAAAAAAAAAAAEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA age1ql3z7hjy54pw3hyww5ayyfg7"
		  "zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p",
	};
	size_t i;

	(void)state;
	snprintf(line, sizeof(line), "%s %s", mini_pk, age_rcpt);
	assert_int_equal(rn_editor_key_parse(line, strlen(line), &k), RN_OK);
	assert_int_equal(rn_minisign_pub_parse(mini_pk, strlen(mini_pk), id, pub), RN_OK);
	assert_memory_equal(k.pub, pub, 32);
	assert_memory_equal(k.keyid, id, 8);
	snprintf(line, sizeof(line), "%s \t %s", mini_pk, age_rcpt);
	assert_int_equal(rn_editor_key_parse(line, strlen(line), &k), RN_OK);
	for (i = 0; i < RN_ARRAY_LEN(bad); i++)
		assert_int_equal(rn_editor_key_parse(bad[i], strlen(bad[i]), &k), RN_ERR_INVAL);
}

static void
test_base32(void **state)
{
	uint8_t k[32];
	char	out[RN_X25519_B32_LEN + 1];
	size_t	i;

	(void)state;
	for (i = 0; i < 32; i++)
		k[i] = (uint8_t)i;
	rn_x25519_base32(k, out);
	/* Python: base64.b32encode(bytes(range(32))), padding removed */
	assert_string_equal(out, "AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPQ");
}

/* Two editors, the second one signing. */
struct fixture {
	struct rn_editor_secret *sk, *other;
	struct rn_editor_auth	*auth;
};

static int
setup(void **state)
{
	struct fixture	    *f = calloc(1, sizeof(*f));
	struct rn_editor_key keys[2];

	assert_non_null(f);
	assert_int_equal(rn_editor_secret_generate(&f->sk), RN_OK);
	assert_int_equal(rn_editor_secret_generate(&f->other), RN_OK);
	memset(keys, 0, sizeof(keys));
	memcpy(keys[0].pub, rn_editor_secret_pub(f->other), 32);
	memcpy(keys[1].pub, rn_editor_secret_pub(f->sk), 32);
	assert_int_equal(rn_editor_auth_new(keys, 2, &f->auth), RN_OK);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	rn_editor_auth_free(f->auth);
	rn_editor_secret_free(f->sk);
	rn_editor_secret_free(f->other);
	free(f);
	return 0;
}

static enum rn_err
verify(struct fixture *f, const char *method, const char *target, const char *hdr, uint64_t now)
{
	size_t idx = 99;

	return rn_editor_auth_verify(f->auth, method, target, strlen(target), empty_sha256, hdr,
	    strlen(hdr), now, &idx);
}

static void
test_auth_round_trip(void **state)
{
	struct fixture *f = *state;
	char		hdr[RN_EDITOR_AUTH_HEADER_MAX];
	size_t		idx = 99;
	uint8_t		body[RN_SHA256_LEN];
	const char     *t = "/editor/v1/inbox?x=1";

	assert_int_equal(rn_editor_auth_sign(f->sk, "GET", t, strlen(t), empty_sha256, NOW, hdr,
			     sizeof(hdr)),
	    RN_OK);
	assert_true(strncmp(hdr, "roneo-ed25519 key=", 18) == 0);
	/* Another method, target or body: refused (before the nonce is kept). */
	assert_int_equal(verify(f, "POST", t, hdr, NOW), RN_ERR_PERM);
	assert_int_equal(verify(f, "GET", "/editor/v1/inbox?x=2", hdr, NOW), RN_ERR_PERM);
	assert_int_equal(verify(f, "GET", "/editor/v1/inbox", hdr, NOW), RN_ERR_PERM);
	memset(body, 0, sizeof(body));
	assert_int_equal(rn_editor_auth_verify(f->auth, "GET", t, strlen(t), body, hdr,
			     strlen(hdr), NOW, &idx),
	    RN_ERR_PERM);
	assert_int_equal(rn_editor_auth_cached(f->auth), 0);
	assert_int_equal(rn_editor_auth_verify(f->auth, "GET", t, strlen(t), empty_sha256, hdr,
			     strlen(hdr), NOW + 10, &idx),
	    RN_OK);
	assert_int_equal(idx, 1);
	assert_int_equal(rn_editor_auth_cached(f->auth), 1);
	/* A replay is refused. */
	assert_int_equal(verify(f, "GET", t, hdr, NOW + 11), RN_ERR_PERM);
}

static void
test_auth_window(void **state)
{
	struct fixture *f = *state;
	char		hdr[RN_EDITOR_AUTH_HEADER_MAX];
	const char     *t = "/editor/v1/inbox";

	assert_int_equal(rn_editor_auth_sign(f->sk, "GET", t, strlen(t), empty_sha256, NOW, hdr,
			     sizeof(hdr)),
	    RN_OK);
	assert_int_equal(verify(f, "GET", t, hdr, NOW + RN_EDITOR_AUTH_WINDOW + 1), RN_ERR_PERM);
	assert_int_equal(verify(f, "GET", t, hdr, NOW - RN_EDITOR_AUTH_WINDOW - 1), RN_ERR_PERM);
	/* The server has seen NOW + 301: a clock stepped back does not help. */
	assert_int_equal(verify(f, "GET", t, hdr, NOW), RN_ERR_PERM);
	assert_int_equal(verify(f, "GET", t, hdr, NOW + RN_EDITOR_AUTH_WINDOW), RN_ERR_PERM);
}

static void
test_auth_edges(void **state)
{
	struct fixture *f = *state;
	char		hdr[RN_EDITOR_AUTH_HEADER_MAX];
	const char     *t = "/editor/v1/inbox";
	size_t		i;

	assert_int_equal(rn_editor_auth_sign(f->sk, "GET", t, strlen(t), empty_sha256,
			     NOW + RN_EDITOR_AUTH_WINDOW, hdr, sizeof(hdr)),
	    RN_OK);
	/* Exactly at the edge of the window: accepted. */
	assert_int_equal(verify(f, "GET", t, hdr, NOW), RN_OK);
	/* An editor not configured. */
	{
		struct rn_editor_secret *x = NULL;

		assert_int_equal(rn_editor_secret_generate(&x), RN_OK);
		assert_int_equal(rn_editor_auth_sign(x, "GET", t, strlen(t), empty_sha256, NOW,
				     hdr, sizeof(hdr)),
		    RN_OK);
		assert_int_equal(verify(f, "GET", t, hdr, NOW), RN_ERR_PERM);
		rn_editor_secret_free(x);
	}
	/* Every single change of a byte is refused. */
	assert_int_equal(rn_editor_auth_sign(f->other, "DELETE", t, strlen(t), empty_sha256, NOW,
			     hdr, sizeof(hdr)),
	    RN_OK);
	for (i = 0; hdr[i] != '\0'; i++) {
		char c = hdr[i];

		hdr[i] = (char)(c == 'A' ? 'B' : 'A');
		assert_int_not_equal(verify(f, "DELETE", t, hdr, NOW), RN_OK);
		hdr[i] = c;
	}
	assert_int_equal(rn_editor_auth_cached(f->auth), 1);
	assert_int_equal(verify(f, "DELETE", t, hdr, NOW), RN_OK);
	/* Bad method and target. */
	assert_int_equal(rn_editor_auth_sign(f->sk, "get", t, strlen(t), empty_sha256, NOW, hdr,
			     sizeof(hdr)),
	    RN_ERR_INVAL);
	assert_int_equal(rn_editor_auth_sign(f->sk, "GET", "x", 1, empty_sha256, NOW, hdr,
			     sizeof(hdr)),
	    RN_ERR_INVAL);
	assert_int_equal(rn_editor_auth_sign(f->sk, "GET", "/a b", 4, empty_sha256, NOW, hdr,
			     sizeof(hdr)),
	    RN_ERR_INVAL);
	assert_int_equal(
	    rn_editor_auth_sign(f->sk, "GET", t, strlen(t), empty_sha256, NOW, hdr, 100),
	    RN_ERR_INVAL);
}

static void
test_auth_malformed(void **state)
{
	struct fixture *f = *state;
	char		hdr[RN_EDITOR_AUTH_HEADER_MAX], buf[600];
	const char     *t = "/editor/v1/inbox";
	const char     *key, *nonce, *sig;

	assert_int_equal(rn_editor_auth_sign(f->sk, "GET", t, strlen(t), empty_sha256, NOW, hdr,
			     sizeof(hdr)),
	    RN_OK);
	key = strstr(hdr, "key=") + 4;
	nonce = strstr(hdr, "nonce=") + 6;
	sig = strstr(hdr, "sig=") + 4;
#define TRY(...)                                                                                   \
	do {                                                                                       \
		snprintf(buf, sizeof(buf), __VA_ARGS__);                                           \
		assert_int_equal(verify(f, "GET", t, buf, NOW), RN_ERR_INVAL);                     \
	} while (0)
	TRY("%s", "");
	TRY("%s", "roneo-ed25519");
	TRY("Roneo-ed25519 key=%.44s, ts=%u, nonce=%.32s, sig=%.88s", key, NOW, nonce, sig);
	TRY("roneo-ed25519  key=%.44s, ts=%u, nonce=%.32s, sig=%.88s", key, NOW, nonce, sig);
	TRY("roneo-ed25519 key=%.44s,ts=%u, nonce=%.32s, sig=%.88s", key, NOW, nonce, sig);
	TRY("roneo-ed25519 ts=%u, key=%.44s, nonce=%.32s, sig=%.88s", NOW, key, nonce, sig);
	TRY("roneo-ed25519 key=%.44s, ts=0%u, nonce=%.32s, sig=%.88s", key, NOW, nonce, sig);
	TRY("roneo-ed25519 key=%.44s, ts=+%u, nonce=%.32s, sig=%.88s", key, NOW, nonce, sig);
	TRY("roneo-ed25519 key=%.44s, ts=99999999999999, nonce=%.32s, sig=%.88s", key, nonce, sig);
	TRY("roneo-ed25519 key=%.44s, ts=%u, nonce=%.31s, sig=%.88s", key, NOW, nonce, sig);
	TRY("roneo-ed25519 key=%.44s, ts=%u, nonce=%.31sA, sig=%.88s", key, NOW, nonce, sig);
	TRY("roneo-ed25519 key=%.44s, ts=%u, nonce=%.32s, sig=%.88s ", key, NOW, nonce, sig);
	TRY("roneo-ed25519 key=%.44s, ts=%u, nonce=%.32s, sig=%.88s, x=1", key, NOW, nonce, sig);
	TRY("roneo-ed25519 key=%.43s, ts=%u, nonce=%.32s, sig=%.88s", key, NOW, nonce, sig);
	TRY("roneo-ed25519 key=%.44s, ts=%u, nonce=%.32s, sig=%.87s", key, NOW, nonce, sig);
	TRY("roneo-ed25519 key=%.44s, ts=%u, nonce=%.32s, sig=\"%.88s\"", key, NOW, nonce, sig);
#undef TRY
	/* The same header is still good. */
	assert_int_equal(verify(f, "GET", t, hdr, NOW), RN_OK);
}

static void
test_auth_cache_full(void **state)
{
	struct fixture *f = *state;
	char		hdr[RN_EDITOR_AUTH_HEADER_MAX];
	const char     *t = "/editor/v1/inbox";
	size_t		i;

	for (i = 0; i < RN_EDITOR_NONCE_CACHE; i++) {
		assert_int_equal(rn_editor_auth_sign(f->sk, "GET", t, strlen(t), empty_sha256,
				     NOW, hdr, sizeof(hdr)),
		    RN_OK);
		assert_int_equal(verify(f, "GET", t, hdr, NOW), RN_OK);
	}
	assert_int_equal(rn_editor_auth_cached(f->auth), RN_EDITOR_NONCE_CACHE);
	assert_int_equal(rn_editor_auth_sign(f->sk, "GET", t, strlen(t), empty_sha256, NOW, hdr,
			     sizeof(hdr)),
	    RN_OK);
	/* Full: refused, nothing live forgotten; once the window passes, room again. */
	assert_int_equal(verify(f, "GET", t, hdr, NOW + RN_EDITOR_AUTH_WINDOW), RN_ERR_BUSY);
	assert_int_equal(rn_editor_auth_cached(f->auth), RN_EDITOR_NONCE_CACHE);
	assert_int_equal(rn_editor_auth_sign(f->sk, "GET", t, strlen(t), empty_sha256,
			     NOW + RN_EDITOR_AUTH_WINDOW + 1, hdr, sizeof(hdr)),
	    RN_OK);
	assert_int_equal(verify(f, "GET", t, hdr, NOW + RN_EDITOR_AUTH_WINDOW + 1), RN_OK);
	assert_int_equal(rn_editor_auth_cached(f->auth), 1);
}

static void
test_auth_new(void **state)
{
	struct rn_editor_auth *a = NULL;
	struct rn_editor_key   k;

	(void)state;
	memset(&k, 0, sizeof(k));
	assert_int_equal(rn_editor_auth_new(&k, 0, &a), RN_ERR_INVAL);
	assert_null(a);
	assert_int_equal(rn_editor_auth_new(&k, RN_EDITOR_MAX_KEYS + 1, &a), RN_ERR_INVAL);
	rn_editor_auth_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minisign_vectors),
		cmocka_unit_test(test_secret_round_trip),
		cmocka_unit_test(test_secret_refused),
		cmocka_unit_test(test_editor_key_parse),
		cmocka_unit_test(test_base32),
		cmocka_unit_test_setup_teardown(test_auth_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auth_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auth_edges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auth_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auth_cache_full, setup, teardown),
		cmocka_unit_test(test_auth_new),
	};

	return cmocka_run_group_tests_name("editor", tests, NULL, NULL);
}
