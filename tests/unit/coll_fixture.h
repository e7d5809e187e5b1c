/*
 * A small collection built the way an editor's tool builds one, for the
 * daemon/coll tests: fixed keys, ROOT 1, documents, signed commits.
 */
#ifndef COLL_FIXTURE_H
#define COLL_FIXTURE_H

#include "roneo/rn_coll.h"
#include "roneo/rn_coll_stmt.h"
#include "roneo/rn_coll_tree.h"

#define FX_EDITORS 3
#define FX_TIME	   1760000000ull

struct fx {
	struct rn_coll_store *store; /* the editors' replica (memory) */
	uint8_t		      seed[FX_EDITORS][32];
	uint8_t		      ts_seed[32];
	struct rn_coll_root   root;
	struct rn_buf	      root_stmt; /* ROOT 1, signed by editors 0 and 1 */
	struct rn_coll_log   *log;
	uint8_t		      manifest[32];
	uint64_t	      seq;
	uint8_t		      commit[32];
	uint64_t	      time;
};

void fx_init(struct fx *f);
void fx_free(struct fx *f);
/* Seed i: 32 bytes of (i + 1); the timestamp key's: 32 bytes of 0x77. */
void fx_seed(uint8_t seed[32], unsigned i);
/* Store a document (body + metadata) into the replica; *doc gets the metadata id. */
void fx_doc(struct fx *f, const char *id, enum rn_coll_section sec, const char *body, size_t blen,
    uint8_t doc[32]);
/* A tombstone for key/doc into the replica. */
void fx_tomb(struct fx *f, enum rn_coll_op op, const char *id, const uint8_t doc[32],
    uint8_t tomb[32]);
/* A record for document id. */
void fx_record(struct rn_coll_record *r, enum rn_coll_op op, const char *id, const uint8_t doc[32],
    const uint8_t *tomb);
/*
 * The next commit of n records (sorted here), signed by the editors in
 * `signers` (bit i: editor i): the statement and the records' log encoding.
 */
void fx_commit(struct fx *f, struct rn_coll_record *r, size_t n, unsigned signers,
    struct rn_buf *stmt, struct rn_buf *records);
/* A signed statement of body by the editors in signers. */
void fx_sign(struct fx *f, const struct rn_buf *body, unsigned signers, struct rn_buf *out);

#endif
