/*
 * The signed collection, part 3: signed statements (ROOT, commit, timestamp)
 * in a strict line format, and the verifier that checks a collection end to
 * end and keeps a verified state to resume from.  See docs/protocol.md.
 */
#ifndef RN_COLL_STMT_H
#define RN_COLL_STMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rn_age.h"
#include "rn_coll.h"
#include "rn_coll_tree.h"
#include "rn_crypto.h"

/* Signing policies of a ROOT: the sections, then retract, purge and ROOT rotation. */
enum rn_coll_policy {
	RN_COLL_POL_BULLETIN = 0,
	RN_COLL_POL_TACTIC,
	RN_COLL_POL_CONFLICT,
	RN_COLL_POL_RETRACT,
	RN_COLL_POL_PURGE,
	RN_COLL_POL_ROOT,
	RN_COLL_POL__COUNT
};
const char *rn_coll_policy_name(enum rn_coll_policy p);

/* ---- signed statements: body lines, then "sig <hex key> <base64 signature>" lines ---- */

struct rn_coll_sig {
	uint8_t pub[RN_ED25519_PUB_LEN];
	uint8_t sig[RN_ED25519_SIG_LEN];
};

struct rn_coll_sigs {
	size_t		   body_len; /* the signed bytes are the first body_len bytes */
	size_t		   n;
	struct rn_coll_sig s[RN_COLL_MAX_SIGS];
};

/*
 * Split a statement: every line printable ASCII ending in LF, at most
 * RN_COLL_MAX_LINE bytes; the body ends at the first "sig " line; the
 * signature lines follow in strictly increasing key order (so a key signs
 * at most once).  Signatures are not checked here.
 */
enum rn_err rn_coll_stmt_split(const uint8_t *p, size_t n, struct rn_coll_sigs *out);
/* The statement with one more signature (by seed) in its sorted place; RN_ERR_EXISTS if signed. */
enum rn_err rn_coll_stmt_sign(
    const uint8_t *p, size_t n, const uint8_t seed[RN_ED25519_SEED_LEN], struct rn_buf *out);
/* Every signature must verify over the body bytes as received: RN_OK or RN_ERR_CRYPTO. */
enum rn_err rn_coll_stmt_verify_sigs(const uint8_t *p, const struct rn_coll_sigs *sigs);
/* How many of the signers are in keys[0..nkeys) (each key counts once). */
unsigned rn_coll_stmt_count(
    const struct rn_coll_sigs *sigs, const uint8_t (*keys)[RN_ED25519_PUB_LEN], size_t nkeys);

/* ---- ROOT: the keyring and policy ---- */

struct rn_coll_editor {
	uint8_t			pub[RN_ED25519_PUB_LEN];
	struct rn_age_recipient age;
	char			label[RN_COLL_MAX_LABEL + 1];
};

struct rn_coll_root {
	uint64_t	      version;			  /* 1, 2, ... */
	uint8_t		      collection[RN_COLL_ID_LEN]; /* ROOT 1's id; zero in ROOT 1 */
	uint8_t		      previous[RN_COLL_ID_LEN];	  /* ROOT version-1's id; zero in ROOT 1 */
	uint64_t	      expires;
	unsigned	      threshold[RN_COLL_POL__COUNT];
	size_t		      neditors; /* sorted by key */
	struct rn_coll_editor editors[RN_COLL_MAX_EDITORS];
	size_t		      nts;
	uint8_t		      ts[RN_COLL_MAX_TSKEYS][RN_ED25519_PUB_LEN];
	size_t		      nmirrors;
	uint8_t		      mirrors[RN_COLL_MAX_MIRRORS][RN_ED25519_PUB_LEN];
	uint8_t id[RN_COLL_ID_LEN]; /* set by parse and encode: RN_COLL_ROOT id of the body */
};

/* Default thresholds: bulletins 1, tactics 1, conflict write-ups 2, retract 2, purge 2, ROOT 2. */
void rn_coll_root_defaults(struct rn_coll_root *r);
/* The body (unsigned) of r, whose keys must be sorted and distinct; sets r->id. */
enum rn_err rn_coll_root_encode(struct rn_coll_root *r, struct rn_buf *body);
/* Parse a signed ROOT statement (signatures split, not checked). */
enum rn_err rn_coll_root_parse(
    const uint8_t *p, size_t n, struct rn_coll_root *r, struct rn_coll_sigs *sigs);
/* The collection id: ROOT 1's id, or r->collection. */
const uint8_t *rn_coll_root_collection(const struct rn_coll_root *r);
bool	       rn_coll_root_is_editor(const struct rn_coll_root *r, const uint8_t pub[32]);

/* ---- commits ---- */

struct rn_coll_commit {
	uint8_t	 collection[RN_COLL_ID_LEN];
	uint64_t seq;
	uint8_t	 prev[RN_COLL_ID_LEN]; /* zero for seq 1 */
	uint64_t root_version;
	uint8_t	 root[RN_COLL_ID_LEN];
	uint8_t	 manifest[RN_COLL_ID_LEN];
	uint64_t log_size;
	uint8_t	 log_root[RN_COLL_ID_LEN];
	uint64_t time;
	uint8_t	 id[RN_COLL_ID_LEN]; /* RN_COLL_COMMIT id of the body */
};
enum rn_err rn_coll_commit_encode(struct rn_coll_commit *c, struct rn_buf *body);
enum rn_err rn_coll_commit_parse(
    const uint8_t *p, size_t n, struct rn_coll_commit *c, struct rn_coll_sigs *sigs);

/* ---- timestamps: "head seq S is current", by an online key, for at most 72 hours ---- */

struct rn_coll_timestamp {
	uint8_t	 collection[RN_COLL_ID_LEN];
	uint64_t seq;
	uint8_t	 commit[RN_COLL_ID_LEN];
	uint64_t time;
	uint64_t expires; /* time < expires <= time + RN_COLL_TIMESTAMP_MAX_SECS */
	uint8_t	 id[RN_COLL_ID_LEN];
};
enum rn_err rn_coll_timestamp_encode(struct rn_coll_timestamp *t, struct rn_buf *body);
enum rn_err rn_coll_timestamp_parse(
    const uint8_t *p, size_t n, struct rn_coll_timestamp *t, struct rn_coll_sigs *sigs);

/* ---- the verifier ---- */

/* What a verified collection is at: enough to resume and to compare with a peer. */
struct rn_coll_state {
	uint8_t	 collection[RN_COLL_ID_LEN];
	uint64_t root_version; /* 0 before ROOT 1 */
	uint8_t	 root[RN_COLL_ID_LEN];
	uint64_t seq; /* 0 before commit 1 */
	uint8_t	 commit[RN_COLL_ID_LEN];
	uint64_t time;
	uint8_t	 manifest[RN_COLL_ID_LEN];
	uint64_t log_size;
	uint8_t	 log_root[RN_COLL_ID_LEN];
};

struct rn_coll_verifier;

/* A verifier that writes what it accepts into store (borrowed, must outlive it). */
enum rn_err rn_coll_verifier_new(struct rn_coll_store *store, struct rn_coll_verifier **out);
void	    rn_coll_verifier_free(struct rn_coll_verifier *v);
/*
 * Accept the next ROOT statement: version 1 (self-signed by its ROOT
 * threshold) first, then each version + 1 signed by the ROOT threshold of
 * both the current ROOT and itself.  Refused: nothing changes.
 */
enum rn_err rn_coll_verifier_add_root(struct rn_coll_verifier *v, const uint8_t *p, size_t n);
/*
 * Accept the next commit: its statement, the records it appends to the log
 * (log-file encoding), and the objects they need that the store lacks
 * (`incoming`, may be NULL).  Checked: seq, previous commit, ROOT, every
 * signature and the threshold the records need, the log's new size and root,
 * each record against the manifest and the deny list, every document and its
 * content, the new manifest root.  On success the used objects and the new
 * nodes go into the store; refused: neither the store nor the state changes.
 */
enum rn_err rn_coll_verifier_add_commit(struct rn_coll_verifier *v, const uint8_t *p, size_t n,
    const uint8_t *records, size_t rlen, const struct rn_coll_store *incoming);
/*
 * Check a timestamp statement against the state: signed by a timestamp key of
 * the current ROOT, for the current head.  *fresh: now < expires.
 */
enum rn_err rn_coll_verifier_check_timestamp(
    const struct rn_coll_verifier *v, const uint8_t *p, size_t n, uint64_t now, bool *fresh);
const struct rn_coll_state *rn_coll_verifier_state(const struct rn_coll_verifier *v);
/* The current ROOT (NULL before ROOT 1). */
const struct rn_coll_root *rn_coll_verifier_root(const struct rn_coll_verifier *v);
const struct rn_coll_log  *rn_coll_verifier_log(const struct rn_coll_verifier *v);
bool rn_coll_verifier_denied(const struct rn_coll_verifier *v, const uint8_t id[RN_COLL_ID_LEN]);
/* Why the last call failed, for people (never NULL). */
const char *rn_coll_verifier_error(const struct rn_coll_verifier *v);
/*
 * Save the verified state (state, ROOT statements, log, deny list) and resume
 * from it: the ROOT chain and the log root are checked again, the manifest
 * must be in the store; the rest was verified when it was saved.
 */
enum rn_err rn_coll_verifier_save(const struct rn_coll_verifier *v, struct rn_buf *out);
enum rn_err rn_coll_verifier_resume(
    struct rn_coll_store *store, const uint8_t *p, size_t n, struct rn_coll_verifier **out);
/*
 * Collect the store: keep the current manifest, everything it reaches and
 * the tombstones the log names; delete the rest.  *removed may be NULL.
 */
enum rn_err rn_coll_verifier_gc(struct rn_coll_verifier *v, size_t *removed);
/*
 * A replica verifying history from the start cannot fetch documents purged
 * since: it reads the purge records of the log it is given, announces their
 * document ids here, and a put of one of them is then accepted without the
 * document or its content (needing the highest section threshold).  Each
 * announced purge must be reached: rn_coll_verifier_expected() counts those
 * still outstanding, and a head with any outstanding is not verified.
 */
enum rn_err rn_coll_verifier_expect_purge(
    struct rn_coll_verifier *v, const uint8_t doc[RN_COLL_ID_LEN]);
size_t rn_coll_verifier_expected(const struct rn_coll_verifier *v);

#endif
