/*
 * Fuzz target for bundles (daemon/coll/bundle.c) as the keeper reads them:
 * a stream of bundles is decoded one after the other; each must re-encode
 * to exactly the bytes it came from (abort() otherwise); its ROOTs and
 * commit then go through a fresh verifier the way the keeper applies them
 * (the dry run first, then the commit when it meets its threshold), and
 * the commit statement is merged with itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "roneo/rn_coll_bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
reencode(const struct rn_coll_bundle *b, const uint8_t *p, size_t n)
{
	struct rn_buf out;
	size_t	      i;

	rn_buf_init(&out, RN_COLL_MAX_BUNDLE);
	if (rn_coll_bundle_begin(&out) != RN_OK)
		abort();
	for (i = 0; i < b->nroots; i++)
		if (rn_coll_bundle_put(&out, RN_COLL_BUNDLE_ROOT, b->roots[i].p, b->roots[i].n) !=
		    RN_OK)
			abort();
	if (b->has_commit &&
	    (rn_coll_bundle_put(&out, RN_COLL_BUNDLE_COMMIT, b->commit.p, b->commit.n) != RN_OK ||
		rn_coll_bundle_put(&out, RN_COLL_BUNDLE_RECORDS, b->records.p, b->records.n) !=
		    RN_OK))
		abort();
	for (i = 0; i < b->nobjs; i++)
		if (rn_coll_bundle_put_object(&out, b->objs[i].id, b->objs[i].frame, b->objs[i].n) !=
		    RN_OK)
			abort();
	if (out.len != n || memcmp(out.data, p, n) != 0)
		abort();
	rn_buf_free(&out);
}

static void
apply(struct rn_coll_verifier *v, const struct rn_coll_bundle *b)
{
	struct rn_coll_store *in = NULL;
	struct rn_buf	      merged;
	unsigned	      have, need;
	size_t		      i;

	for (i = 0; i < b->nroots; i++)
		(void)rn_coll_verifier_add_root(v, b->roots[i].p, b->roots[i].n);
	if (!b->has_commit)
		return;
	rn_buf_init(&merged, RN_COLL_MAX_STATEMENT);
	if (rn_coll_stmt_merge(b->commit.p, b->commit.n, b->commit.p, b->commit.n, &merged) ==
		RN_OK &&
	    (merged.len != b->commit.n || memcmp(merged.data, b->commit.p, merged.len) != 0))
		abort(); /* merging a statement with itself changes nothing */
	rn_buf_free(&merged);
	if (rn_coll_store_new_mem(&in) != RN_OK || rn_coll_bundle_load(b, in) != RN_OK)
		goto out;
	if (rn_coll_verifier_check_commit(v, b->commit.p, b->commit.n, b->records.p, b->records.n,
		in, &have, &need) == RN_OK &&
	    have >= need &&
	    rn_coll_verifier_add_commit(v, b->commit.p, b->commit.n, b->records.p, b->records.n,
		in) != RN_OK)
		abort(); /* the dry run and the verifier must agree */
out:
	rn_coll_store_free(in);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rn_coll_store	*store = NULL;
	struct rn_coll_verifier *v = NULL;
	struct rn_coll_bundle	 b;
	size_t			 off = 0, used;

	if (rn_coll_store_new_mem(&store) != RN_OK || rn_coll_verifier_new(store, &v) != RN_OK)
		goto out;
	while (off < size && rn_coll_bundle_decode(data + off, size - off, &b, &used) == RN_OK) {
		if (used == 0 || used > size - off)
			abort();
		reencode(&b, data + off, used);
		apply(v, &b);
		rn_coll_bundle_clear(&b);
		off += used;
	}
out:
	rn_coll_verifier_free(v);
	rn_coll_store_free(store);
	return 0;
}
