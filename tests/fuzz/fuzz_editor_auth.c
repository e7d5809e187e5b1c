/*
 * Fuzz what an editor request and an editor's files bring in: the
 * Authorization value (rn_editor_auth_verify against two configured editors,
 * with the nonce cache), an `Editor` config value (rn_editor_key_parse) and
 * a minisign secret key file (rn_editor_secret_parse_file).  Invariants are
 * checked with abort(): nothing the fuzzer writes is accepted, since it holds
 * no editor's key, and a parsed secret key's file parses back to the same key.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "roneo/rn_editor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rn_editor_auth *
auth(void)
{
	static struct rn_editor_auth *a;
	struct rn_editor_key	      keys[2];
	/* The public key of seed 0x01..0x20 and the identity-adjacent key of the vectors. */
	static const char *const lines[2] = {
		"RWQMSS2b9RMfc4hMKsDtD6NnbSn5tFXr3fEgLp7gFDiGxNgfAj7SS46W "
		"age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p",
		"RWTKPw3gYsVOqMqX7qS5fDHvOxZRRqjia9IbQoOkEHWBtGS5Lzye3Fzf "
		"age1d6svxppavy4z77p3jz2nsu9sgqrg49a86hwek9k57pu03x3wje4spupdyl",
	};
	size_t i;

	if (a != NULL)
		return a;
	for (i = 0; i < 2; i++)
		if (rn_editor_key_parse(lines[i], strlen(lines[i]), &keys[i]) != RN_OK)
			abort();
	if (rn_editor_auth_new(keys, 2, &a) != RN_OK)
		abort();
	return a;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t	 hash[RN_SHA256_LEN];
	const char		*s = (const char *)data;
	struct rn_editor_key	 k;
	struct rn_editor_secret *sk = NULL, *sk2 = NULL;
	struct rn_buf		 b;
	size_t			 idx;
	enum rn_err		 err;

	err = rn_editor_auth_verify(auth(), "GET", "/editor/v1/inbox", 16, hash, s, size,
	    1795440000u, &idx);
	if (err == RN_OK)
		abort();
	(void)rn_editor_key_parse(s, size, &k);
	if (rn_editor_secret_parse_file(s, size, &sk) == RN_OK) {
		rn_buf_init(&b, 4096);
		if (rn_editor_secret_format_file(sk, &b) != RN_OK ||
		    rn_editor_secret_parse_file(b.data, b.len, &sk2) != RN_OK ||
		    memcmp(rn_editor_secret_pub(sk), rn_editor_secret_pub(sk2), 32) != 0)
			abort();
		rn_buf_free(&b);
	}
	rn_editor_secret_free(sk);
	rn_editor_secret_free(sk2);
	return 0;
}
