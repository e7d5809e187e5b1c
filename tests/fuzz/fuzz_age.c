/*
 * Fuzz target for the age reader: the input is parsed by the header parser,
 * then opened as a whole file with a fixed X25519 identity (the one of the
 * C2SP CCTV vectors, so seeds sealed to it reach the payload), once in one
 * piece and once in small pieces.  Both must end with the same status and
 * release the same plaintext; a file that opens must have a header that
 * parses (abort() otherwise, so the fuzzer reports it).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "roneo/rn_age.h"
#include "roneo/rn_crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define IDENTITY "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0"

struct released {
	struct rn_sha256 *sha;
	uint64_t	  total;
};

static enum rn_err
sink(const void *p, size_t n, void *arg)
{
	struct released *r = arg;

	if (n == 0 || n > RN_AGE_CHUNK)
		abort(); /* the reader releases whole chunks, never nothing */
	r->total += n;
	return rn_sha256_update(r->sha, p, n);
}

/* Open [data, data+size) in pieces of `step` bytes (0: one piece). */
static enum rn_age_status
open_file(const struct rn_age_identity *id, const uint8_t *data, size_t size, size_t step,
    uint8_t md[RN_SHA256_LEN], uint64_t *total)
{
	const struct rn_age_identity *ids[1] = { id };
	struct rn_age_reader	     *r = NULL;
	struct released		      rel = { NULL, 0 };
	enum rn_age_status	      st;
	enum rn_err		      err = RN_OK;

	if ((rel.sha = rn_sha256_new()) == NULL ||
	    rn_age_reader_new(ids, 1, sink, &rel, &r) != RN_OK)
		abort();
	while (size > 0 && err == RN_OK) {
		size_t take = step == 0 || step > size ? size : step;

		err = rn_age_reader_update(r, data, take);
		data += take;
		size -= take;
	}
	if (err == RN_OK)
		err = rn_age_reader_finish(r);
	st = rn_age_reader_status(r);
	if ((err == RN_OK) != (st == RN_AGE_OK) || rn_sha256_final(rel.sha, md) != RN_OK)
		abort();
	*total = rel.total;
	rn_age_reader_free(r);
	rn_sha256_free(rel.sha);
	return st;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rn_age_identity *id;
	struct rn_age_header	      *h = NULL;
	enum rn_age_status	       st, st1, st2;
	uint8_t			       md1[RN_SHA256_LEN], md2[RN_SHA256_LEN];
	uint64_t		       t1, t2;
	size_t			       used = 0, i, step;
	enum rn_err		       err;

	if (id == NULL && rn_age_identity_parse(IDENTITY, strlen(IDENTITY), &id) != RN_OK)
		abort();
	err = rn_age_header_parse(data, size, &h, &used, &st);
	if (err == RN_OK) {
		if (h == NULL || used > size || rn_age_header_stanzas(h) == 0)
			abort();
		for (i = 0; i < rn_age_header_stanzas(h); i++)
			if (rn_age_header_stanza_type(h, i) == NULL)
				abort();
	} else if (h != NULL) {
		abort();
	}
	rn_age_header_free(h);

	step = size > 0 ? (size_t)data[size - 1] % 61 + 1 : 1;
	st1 = open_file(id, data, size, 0, md1, &t1);
	st2 = open_file(id, data, size, step, md2, &t2);
	if (st1 != st2 || t1 != t2 || memcmp(md1, md2, sizeof(md1)) != 0)
		abort();
	if (st1 == RN_AGE_OK && err != RN_OK)
		abort();
	return 0;
}
