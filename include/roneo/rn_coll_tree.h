/*
 * The signed collection, part 2: the manifest (a deterministic 16-way trie
 * over hashed document ids) and the change log (an RFC 6962 Merkle log of
 * change records).  See docs/protocol.md.
 */
#ifndef RN_COLL_TREE_H
#define RN_COLL_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rn_coll.h"

/* ---- manifest trie ---- */

#define RN_COLL_LIVE	  0u
#define RN_COLL_RETRACTED 1u

/* One document in the manifest: its key, status and metadata object (RN_COLL_DOC). */
struct rn_coll_entry {
	uint8_t key[RN_COLL_ID_LEN];
	uint8_t status; /* RN_COLL_LIVE or RN_COLL_RETRACTED */
	uint8_t doc[RN_COLL_ID_LEN];
};

#define RN_COLL_NODE_LEAF   0u
#define RN_COLL_NODE_BRANCH 1u

/*
 * A trie node.  leaf: kind 0, depth, count (<= RN_COLL_TRIE_BUCKET), the
 * entries sorted by key.  branch: kind 1, depth, count of entries below
 * (> RN_COLL_TRIE_BUCKET), a 16-bit map of non-empty children, their ids.
 */
struct rn_coll_node {
	uint8_t		     kind;
	uint8_t		     depth; /* nibbles of the key above this node, 0..63 */
	uint64_t	     count;
	uint16_t	     map; /* bit i: child for nibble i */
	uint8_t		     child[16][RN_COLL_ID_LEN];
	struct rn_coll_entry e[RN_COLL_TRIE_BUCKET];
};

enum rn_err rn_coll_node_encode(const struct rn_coll_node *node, struct rn_buf *out);
/* Decode and check what one node can show: order, counts, map, status bytes. */
enum rn_err rn_coll_node_decode(const uint8_t *p, size_t n, struct rn_coll_node *node);

/* A change for rn_coll_trie_update(): set key to (status, doc), or delete it. */
struct rn_coll_change {
	struct rn_coll_entry e;
	bool		     del;
};

/* The root of the empty manifest (an empty leaf), stored into s. */
enum rn_err rn_coll_trie_empty(struct rn_coll_store *s, uint8_t root[RN_COLL_ID_LEN]);
/* The manifest of n entries (any order; keys must be distinct), nodes stored into s. */
enum rn_err rn_coll_trie_build(
    struct rn_coll_store *s, const struct rn_coll_entry *e, size_t n, uint8_t root[RN_COLL_ID_LEN]);
/*
 * Apply n changes (keys strictly increasing) to the manifest `root`, storing
 * the new nodes; only the paths to changed keys are rewritten.  Deleting an
 * absent key is RN_ERR_NOTFOUND.
 */
enum rn_err rn_coll_trie_update(struct rn_coll_store *s, const uint8_t root[RN_COLL_ID_LEN],
    const struct rn_coll_change *c, size_t n, uint8_t newroot[RN_COLL_ID_LEN]);
/* Look a key up: RN_OK and *out, or RN_ERR_NOTFOUND. */
enum rn_err rn_coll_trie_get(const struct rn_coll_store *s, const uint8_t root[RN_COLL_ID_LEN],
    const uint8_t key[RN_COLL_ID_LEN], struct rn_coll_entry *out);
/*
 * Walk every entry in key order, checking the whole structure: each node's
 * depth, its keys under its path, counts, the canonical leaf/branch choice.
 * fn may be NULL; *count (may be NULL) gets the number of entries.
 */
typedef enum rn_err (*rn_coll_entry_fn)(const struct rn_coll_entry *e, void *arg);
enum rn_err rn_coll_trie_walk(const struct rn_coll_store *s, const uint8_t root[RN_COLL_ID_LEN],
    rn_coll_entry_fn fn, void *arg, uint64_t *count);

/*
 * The difference from manifest `from` to manifest `to` (both in s): node_fn
 * gets every node of `to` not in `from` (what a peer holding `from` lacks),
 * entry_fn every key whose entry differs (a or b NULL when absent on that side).
 */
typedef enum rn_err (*rn_coll_node_fn)(const uint8_t id[RN_COLL_ID_LEN], void *arg);
typedef enum rn_err (*rn_coll_diff_fn)(
    const struct rn_coll_entry *a, const struct rn_coll_entry *b, void *arg);
enum rn_err rn_coll_trie_diff(const struct rn_coll_store *s, const uint8_t from[RN_COLL_ID_LEN],
    const uint8_t to[RN_COLL_ID_LEN], rn_coll_node_fn node_fn, rn_coll_diff_fn entry_fn, void *arg);

/*
 * Proof that key is (or is not) in the manifest `root`: the node payloads on
 * the path from the root, each as varint length || payload.
 */
enum rn_err rn_coll_trie_prove(const struct rn_coll_store *s, const uint8_t root[RN_COLL_ID_LEN],
    const uint8_t key[RN_COLL_ID_LEN], struct rn_buf *proof);
/* Check a proof: RN_OK with *present and, when present, *out. */
enum rn_err rn_coll_trie_verify_proof(const uint8_t root[RN_COLL_ID_LEN],
    const uint8_t key[RN_COLL_ID_LEN], const uint8_t *proof, size_t n, bool *present,
    struct rn_coll_entry *out);

/* ---- change records and tombstones ---- */

enum rn_coll_op { RN_COLL_OP_PUT = 1, RN_COLL_OP_RETRACT = 2, RN_COLL_OP_PURGE = 3 };

/* A change record: a log leaf.  put: key, doc; retract and purge: key, doc, tombstone. */
struct rn_coll_record {
	enum rn_coll_op op;
	uint8_t		key[RN_COLL_ID_LEN];
	uint8_t		doc[RN_COLL_ID_LEN];
	uint8_t		tomb[RN_COLL_ID_LEN];
};
enum rn_err rn_coll_record_encode(const struct rn_coll_record *r, struct rn_buf *out);
enum rn_err rn_coll_record_decode(const uint8_t *p, size_t n, struct rn_coll_record *r);

/* The subject and reason of a retraction or purge (RN_COLL_TOMBSTONE). */
struct rn_coll_tombstone {
	enum rn_coll_op op; /* RN_COLL_OP_RETRACT or RN_COLL_OP_PURGE */
	uint8_t		key[RN_COLL_ID_LEN];
	uint8_t		doc[RN_COLL_ID_LEN];
	uint64_t	time;
	char		reason[RN_COLL_MAX_REASON + 1];
};
enum rn_err rn_coll_tombstone_encode(const struct rn_coll_tombstone *t, struct rn_buf *out);
enum rn_err rn_coll_tombstone_decode(const uint8_t *p, size_t n, struct rn_coll_tombstone *t);

/* ---- the change log (RFC 6962 / RFC 9162 Merkle tree) ---- */

struct rn_coll_log;

enum rn_err rn_coll_log_new(struct rn_coll_log **out);
void	    rn_coll_log_free(struct rn_coll_log *log);
/* SHA-256(0x00 || record) */
enum rn_err rn_coll_log_leaf_hash(const void *rec, size_t n, uint8_t out[RN_COLL_ID_LEN]);
/* SHA-256(0x01 || left || right) */
enum rn_err rn_coll_log_node_hash(
    const uint8_t l[RN_COLL_ID_LEN], const uint8_t r[RN_COLL_ID_LEN], uint8_t out[RN_COLL_ID_LEN]);
/* Append a record (a change record's encoding; checked by the caller). */
enum rn_err rn_coll_log_append(struct rn_coll_log *log, const void *rec, size_t n);
uint64_t    rn_coll_log_size(const struct rn_coll_log *log);
/* Drop records from `size` on (undo of appends not yet committed). */
void	    rn_coll_log_truncate(struct rn_coll_log *log, uint64_t size);
enum rn_err rn_coll_log_record(
    const struct rn_coll_log *log, uint64_t i, const uint8_t **p, size_t *n);
/* Root of the first `size` records (the empty tree's is SHA-256 of nothing). */
enum rn_err rn_coll_log_root(
    const struct rn_coll_log *log, uint64_t size, uint8_t out[RN_COLL_ID_LEN]);
/* Proofs (RFC 6962 2.1.1 and 2.1.2); proof holds RN_COLL_MAX_PROOF hashes. */
enum rn_err rn_coll_log_prove_inclusion(const struct rn_coll_log *log, uint64_t index,
    uint64_t size, uint8_t (*proof)[RN_COLL_ID_LEN], size_t *n);
enum rn_err rn_coll_log_prove_consistency(const struct rn_coll_log *log, uint64_t m, uint64_t size,
    uint8_t (*proof)[RN_COLL_ID_LEN], size_t *n);
/* Verification (RFC 9162 2.1.3.2 and 2.1.4.2): RN_OK or RN_ERR_CRYPTO. */
enum rn_err rn_coll_log_verify_inclusion(const uint8_t leaf[RN_COLL_ID_LEN], uint64_t index,
    uint64_t size, const uint8_t (*proof)[RN_COLL_ID_LEN], size_t n,
    const uint8_t root[RN_COLL_ID_LEN]);
enum rn_err rn_coll_log_verify_consistency(uint64_t m, uint64_t size,
    const uint8_t root_m[RN_COLL_ID_LEN], const uint8_t root_n[RN_COLL_ID_LEN],
    const uint8_t (*proof)[RN_COLL_ID_LEN], size_t	n);
/* The log as a file: (varint length || record)*; decoding checks every record. */
enum rn_err rn_coll_log_encode(const struct rn_coll_log *log, struct rn_buf *out);
enum rn_err rn_coll_log_decode(const uint8_t *p, size_t n, struct rn_coll_log *log);

#endif
