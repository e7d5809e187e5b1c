/*
 * Bundles: what an editor uploads to the daemon and what the daemon hands
 * an editor's replica (docs/protocol.md section 17).
 *
 *   bundle = "roneo-bundle-v1\n" entry*
 *   entry  = varint(kind) varint(length) bytes
 *
 * kind 1: a ROOT statement; 2: a commit statement; 3: the commit's records
 * (a log fragment); 4: an object (32-byte id, then its frame).  ROOTs come
 * first (consecutive versions), then at most one commit, then exactly one
 * records entry, then its objects in strictly increasing id order.  A stream
 * of several commits is bundles concatenated, each with its own magic.
 */
#ifndef RN_COLL_BUNDLE_H
#define RN_COLL_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rn_coll.h"
#include "rn_coll_stmt.h"

#define RN_COLL_BUNDLE_MAGIC	 "roneo-bundle-v1\n"
#define RN_COLL_BUNDLE_MAGIC_LEN 16u

enum rn_coll_bundle_kind {
	RN_COLL_BUNDLE_ROOT = 1,
	RN_COLL_BUNDLE_COMMIT = 2,
	RN_COLL_BUNDLE_RECORDS = 3,
	RN_COLL_BUNDLE_OBJECT = 4,
};

struct rn_coll_bundle_part {
	const uint8_t *p; /* points into the decoded input */
	size_t	       n;
};

struct rn_coll_bundle_obj {
	const uint8_t *id; /* RN_COLL_ID_LEN bytes */
	const uint8_t *frame;
	size_t	       n;
};

/* A decoded bundle: every pointer borrows the input. */
struct rn_coll_bundle {
	size_t			   nroots;
	struct rn_coll_bundle_part roots[RN_COLL_MAX_BUNDLE_ROOTS];
	uint64_t		   first_root; /* version of roots[0] */
	bool			   has_commit;
	struct rn_coll_bundle_part commit;
	struct rn_coll_bundle_part records;
	uint64_t		   seq; /* the commit's */
	uint8_t			   commit_id[RN_COLL_ID_LEN];
	size_t			   nobjs;
	struct rn_coll_bundle_obj *objs; /* allocated */
};

/*
 * Decode one bundle at the start of [p, p+n).  It ends at the end of the
 * input or where the next bundle's magic starts; *used gets its size.
 * Strict: minimal varints, known kinds in the order above, each ROOT and
 * commit statement parses (signatures are not checked), records decode,
 * every object frame decodes to exactly its length and hashes to its id,
 * at least one entry, the limits of rn_limits.h.  RN_ERR_INVAL (or
 * RN_ERR_TOOBIG) and b cleared otherwise.
 */
enum rn_err rn_coll_bundle_decode(
    const uint8_t *p, size_t n, struct rn_coll_bundle *b, size_t *used);
void rn_coll_bundle_clear(struct rn_coll_bundle *b); /* NULL-safe; b can be decoded into again */

/* Encoding: the magic, then entries in the order above (the caller keeps it). */
enum rn_err rn_coll_bundle_begin(struct rn_buf *out);
enum rn_err rn_coll_bundle_put(
    struct rn_buf *out, enum rn_coll_bundle_kind kind, const void *p, size_t n);
enum rn_err rn_coll_bundle_put_object(
    struct rn_buf *out, const uint8_t id[RN_COLL_ID_LEN], const void *frame, size_t n);
/* The objects of b into store (each frame checked against its id again). */
enum rn_err rn_coll_bundle_load(const struct rn_coll_bundle *b, struct rn_coll_store *store);

/*
 * Check a commit exactly as rn_coll_verifier_add_commit() does except for
 * the threshold, changing nothing (store, state, log).  RN_OK: everything
 * else holds, every signature verifies and is an editor's; *have is the
 * number of distinct editors who signed, *need the threshold the records
 * need.  Otherwise the error, and rn_coll_verifier_error() says why.
 */
enum rn_err rn_coll_verifier_check_commit(struct rn_coll_verifier *v, const uint8_t *p, size_t n,
    const uint8_t *records, size_t rlen, const struct rn_coll_store *incoming, unsigned *have,
    unsigned *need);

/*
 * Merge the signatures of statement b into statement a (same body bytes,
 * else RN_ERR_INVAL): out gets a's body and the union of both signature
 * sets in key order.  Signatures are not checked here.  A key that signs in
 * both with different signature bytes keeps a's.
 */
enum rn_err rn_coll_stmt_merge(
    const uint8_t *a, size_t an, const uint8_t *b, size_t bn, struct rn_buf *out);

#endif
