/* daemon/coll internals shared between its files. */
#ifndef RN_COLL_INT_H
#define RN_COLL_INT_H

#include "roneo/rn_coll.h"
#include "roneo/rn_coll_stmt.h"
#include "roneo/rn_coll_tree.h"

/* A memory store over read-only bases a then b (either NULL); reads found there are kept. */
enum rn_err rn_coll_store_new_overlay(
    const struct rn_coll_store *a, const struct rn_coll_store *b, struct rn_coll_store **out);

/* Content refs: type (1) || id (32) || varint size. */
enum rn_err coll_ref_put(struct rn_buf *b, const struct rn_coll_ref *ref);
enum rn_err coll_ref_get(struct rn_coll_rd *r, struct rn_coll_ref *ref);

/* A 32-byte value from a TLV field that must be exactly that long. */
enum rn_err coll_field_id(struct rn_coll_rd *val, uint8_t out[RN_COLL_ID_LEN]);
/* A varint that must fill the field exactly. */
enum rn_err coll_field_u64(struct rn_coll_rd *val, uint64_t max, uint64_t *out);

#endif
