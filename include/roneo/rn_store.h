/*
 * Durable records (daemon/store/).  The only code besides daemon/site/ that
 * talks to SQLite.  The inbox database holds, per sealed submission, only
 * what the editors need to fetch it: an opaque id, the mailbox it belongs to,
 * the day (not the time) it arrived and its padded size.  Nothing about the
 * source's client, no filename, no exact time.
 */
#ifndef RN_STORE_H
#define RN_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rn_err.h"

#define RN_STORE_ID_LEN	     32u /* hex characters of a 128-bit random id */
#define RN_STORE_MAILBOX_LEN 32u /* bytes */
#define RN_STORE_DAY_LEN     10u /* YYYY-MM-DD */

struct rn_inbox_db;

struct rn_inbox_record {
	char	 id[RN_STORE_ID_LEN + 1];	  /* names the sealed file */
	uint8_t	 mailbox[RN_STORE_MAILBOX_LEN];	  /* from the codename */
	uint8_t	 reply_key[RN_STORE_MAILBOX_LEN]; /* X25519 public key for replies */
	char	 day[RN_STORE_DAY_LEN + 1];	  /* UTC day of arrival */
	uint64_t bucket;			  /* padded size in bytes */
};

/* Open (creating if needed) with WAL and synchronous=FULL; checks the schema version. */
enum rn_err rn_inbox_db_open(const char *path, struct rn_inbox_db **out);
void	    rn_inbox_db_close(struct rn_inbox_db *db);
/*
 * Record a submission durably: its mailbox (created with its reply key if
 * new) and the submission row, in one transaction that is on disk when this
 * returns RN_OK.  A second submission with the same id: RN_ERR_EXISTS.
 */
enum rn_err rn_inbox_db_add(struct rn_inbox_db *db, const struct rn_inbox_record *rec);
/* Every submission, oldest day first; cb returns false to stop. */
enum rn_err rn_inbox_db_list(
    struct rn_inbox_db *db, bool (*cb)(const struct rn_inbox_record *rec, void *arg), void *arg);
/* Whether id is recorded. */
enum rn_err rn_inbox_db_has(struct rn_inbox_db *db, const char *id, bool *found);
/* Forget a submission; RN_ERR_NOTFOUND if there is none. */
enum rn_err rn_inbox_db_delete(struct rn_inbox_db *db, const char *id);
/* One submission by id; RN_ERR_NOTFOUND if there is none. */
enum rn_err rn_inbox_db_get(struct rn_inbox_db *db, const char *id, struct rn_inbox_record *rec);
/* Total bytes of sealed submissions (buckets) and replies recorded. */
enum rn_err rn_inbox_db_bytes(struct rn_inbox_db *db, uint64_t *total);

/*
 * Replies: sealed files editors leave in a mailbox (which must exist, else
 * RN_ERR_NOTFOUND).  Recorded with the day only, like submissions.
 */
enum rn_err rn_inbox_db_reply_add(struct rn_inbox_db *db, const char *id,
    const uint8_t mailbox[RN_STORE_MAILBOX_LEN], const char *day, uint64_t size);
/* The replies of a mailbox, oldest first; cb returns false to stop. */
enum rn_err rn_inbox_db_replies(struct rn_inbox_db *db, const uint8_t mailbox[RN_STORE_MAILBOX_LEN],
    bool (*cb)(const char *id, void *arg), void			     *arg);
enum rn_err rn_inbox_db_reply_delete(struct rn_inbox_db *db, const char *id);
enum rn_err rn_inbox_db_reply_has(struct rn_inbox_db *db, const char *id, bool *found);
/* Submissions (reply false) or replies (true) that arrived before a day (retention). */
enum rn_err rn_inbox_db_expired(struct rn_inbox_db *db, const char *before_day, bool reply,
    bool (*cb)(const char *id, void *arg), void *arg);

/* Whether id is 32 lower-case hex digits (the only names the inbox directory holds). */
bool rn_inbox_id_is_valid(const char *id);

#endif
