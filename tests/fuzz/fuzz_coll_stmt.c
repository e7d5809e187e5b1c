/*
 * Fuzz target for the collection's statement parsers (ROOT, commit,
 * timestamp).  The format is canonical: a statement that parses must have a
 * body that our encoder writes byte for byte (abort() otherwise).  Signatures
 * are checked too, so the verification path runs on hostile keys.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "roneo/rn_coll_stmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
same(const struct rn_buf *b, const uint8_t *p, size_t n)
{
	if (b->len != n || memcmp(b->data, p, n) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rn_coll_root	*r = malloc(sizeof(*r));
	struct rn_coll_sigs	*sigs = malloc(sizeof(*sigs));
	struct rn_coll_commit	 c;
	struct rn_coll_timestamp t;
	struct rn_buf		 b;

	if (r == NULL || sigs == NULL)
		goto out;
	rn_buf_init(&b, RN_COLL_MAX_STATEMENT);
	if (rn_coll_stmt_split(data, size, sigs) == RN_OK) {
		if (sigs->body_len == 0 || sigs->body_len > size || sigs->n > RN_COLL_MAX_SIGS)
			abort();
		(void)rn_coll_stmt_verify_sigs(data, sigs);
	}
	if (rn_coll_root_parse(data, size, r, sigs) == RN_OK) {
		if (rn_coll_root_encode(r, &b) != RN_OK)
			abort();
		same(&b, data, sigs->body_len);
	}
	if (rn_coll_commit_parse(data, size, &c, sigs) == RN_OK) {
		if (rn_coll_commit_encode(&c, &b) != RN_OK)
			abort();
		same(&b, data, sigs->body_len);
	}
	if (rn_coll_timestamp_parse(data, size, &t, sigs) == RN_OK) {
		if (rn_coll_timestamp_encode(&t, &b) != RN_OK)
			abort();
		same(&b, data, sigs->body_len);
	}
	rn_buf_free(&b);
out:
	free(r);
	free(sigs);
	return 0;
}
