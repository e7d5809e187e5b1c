/* The verifier's private state (daemon/coll/verify*.c). */
#ifndef RN_COLL_VERIFY_INT_H
#define RN_COLL_VERIFY_INT_H

#include "coll_int.h"

#define VERIFY_ERR_MAX 200

struct rn_coll_verifier {
	struct rn_coll_store *store;
	struct rn_coll_state  st;
	struct rn_coll_root  *root;  /* current ROOT, NULL before ROOT 1 */
	struct rn_buf	      roots; /* every accepted ROOT statement: (varint length || bytes)* */
	struct rn_coll_log   *log;
	uint8_t (*deny)[RN_COLL_ID_LEN]; /* sorted */
	size_t ndeny, capdeny;
	uint8_t (*expect)[RN_COLL_ID_LEN]; /* documents announced as purged later, sorted */
	size_t nexpect, capexpect;
	char   err[VERIFY_ERR_MAX];
};

enum rn_err verify_fail(struct rn_coll_verifier *v, enum rn_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Keys of the editors of r into keys (RN_COLL_MAX_EDITORS). */
size_t verify_editor_keys(const struct rn_coll_root *r, uint8_t (*keys)[RN_ED25519_PUB_LEN]);
/* Apply the records [from, log size) of v->log, staged in stage; see verify.c. */
enum rn_err verify_records(struct rn_coll_verifier *v, struct rn_coll_store *stage,
    const struct rn_coll_commit *c, uint64_t from, unsigned *need, struct rn_buf *deny);
enum rn_err verify_deny_add(struct rn_coll_verifier *v, const uint8_t id[RN_COLL_ID_LEN]);
bool	    verify_expected(const struct rn_coll_verifier *v, const uint8_t id[RN_COLL_ID_LEN]);
void	    verify_expect_done(struct rn_coll_verifier *v, const uint8_t id[RN_COLL_ID_LEN]);

#endif
