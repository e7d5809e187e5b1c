/*
 * The inbox database: SQLite in WAL mode with synchronous=FULL, so a
 * committed record survives a crash or power loss.  Statements are prepared
 * per call; the inbox is small and written once per submission.
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "roneo/rn_log.h"
#include "roneo/rn_store.h"

#define SCHEMA_VERSION 1
#define BUSY_MS	       5000

struct rn_inbox_db {
	sqlite3 *db;
};

static const char schema[] = "CREATE TABLE IF NOT EXISTS mailbox ("
			     " id BLOB PRIMARY KEY CHECK (length(id) = 32),"
			     " reply_key BLOB NOT NULL CHECK (length(reply_key) = 32)"
			     ") WITHOUT ROWID;"
			     "CREATE TABLE IF NOT EXISTS submission ("
			     " id TEXT PRIMARY KEY CHECK (length(id) = 32),"
			     " mailbox BLOB NOT NULL REFERENCES mailbox(id),"
			     " day TEXT NOT NULL CHECK (length(day) = 10),"
			     " bucket INTEGER NOT NULL CHECK (bucket >= 0)"
			     ") WITHOUT ROWID;"
			     "CREATE INDEX IF NOT EXISTS submission_day ON submission(day);"
			     "CREATE TABLE IF NOT EXISTS reply ("
			     " id TEXT PRIMARY KEY CHECK (length(id) = 32),"
			     " mailbox BLOB NOT NULL REFERENCES mailbox(id),"
			     " day TEXT NOT NULL CHECK (length(day) = 10),"
			     " size INTEGER NOT NULL CHECK (size >= 0)"
			     ") WITHOUT ROWID;"
			     "CREATE INDEX IF NOT EXISTS reply_mailbox ON reply(mailbox);";

static enum rn_err
db_err(struct rn_inbox_db *db, const char *what)
{
	rn_log_err("inbox database: %s: %s", what, sqlite3_errmsg(db->db));
	return RN_ERR_IO;
}

static enum rn_err
exec(struct rn_inbox_db *db, const char *sql)
{
	if (sqlite3_exec(db->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_err(db, sql);
	return RN_OK;
}

static enum rn_err
check_schema(struct rn_inbox_db *db)
{
	sqlite3_stmt *st = NULL;
	int	      version = -1;
	enum rn_err   err;

	if (sqlite3_prepare_v2(db->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return db_err(db, "user_version");
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version == SCHEMA_VERSION)
		return RN_OK;
	if (version != 0) {
		rn_log_err("inbox database: schema version %d, this roneod knows %d", version,
		    SCHEMA_VERSION);
		return RN_ERR_INVAL;
	}
	if ((err = exec(db, "BEGIN IMMEDIATE")) != RN_OK)
		return err;
	if ((err = exec(db, schema)) != RN_OK ||
	    (err = exec(db, "PRAGMA user_version = 1")) != RN_OK) {
		(void)exec(db, "ROLLBACK");
		return err;
	}
	return exec(db, "COMMIT");
}

enum rn_err
rn_inbox_db_open(const char *path, struct rn_inbox_db **out)
{
	struct rn_inbox_db *db;
	enum rn_err	    err;

	*out = NULL;
	if ((db = calloc(1, sizeof(*db))) == NULL)
		return RN_ERR_NOMEM;
	if (sqlite3_open_v2(path, &db->db,
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
		NULL) != SQLITE_OK) {
		err = db_err(db, path);
		goto fail;
	}
	sqlite3_busy_timeout(db->db, BUSY_MS);
	if ((err = exec(db, "PRAGMA journal_mode = WAL")) != RN_OK ||
	    (err = exec(db, "PRAGMA synchronous = FULL")) != RN_OK ||
	    (err = exec(db, "PRAGMA foreign_keys = ON")) != RN_OK ||
	    (err = exec(db, "PRAGMA secure_delete = ON")) != RN_OK ||
	    (err = check_schema(db)) != RN_OK)
		goto fail;
	*out = db;
	return RN_OK;
fail:
	rn_inbox_db_close(db);
	return err;
}

void
rn_inbox_db_close(struct rn_inbox_db *db)
{
	if (db == NULL)
		return;
	sqlite3_close(db->db);
	free(db);
}

bool
rn_inbox_id_is_valid(const char *id)
{
	size_t i;

	for (i = 0; i < RN_STORE_ID_LEN; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			return false;
	return id[RN_STORE_ID_LEN] == '\0';
}

static enum rn_err
add_rows(struct rn_inbox_db *db, const struct rn_inbox_record *rec)
{
	sqlite3_stmt *st = NULL;
	int	      rc;

	if (sqlite3_prepare_v2(db->db,
		"INSERT INTO mailbox(id, reply_key) VALUES (?1, ?2) ON CONFLICT(id) DO NOTHING", -1,
		&st, NULL) != SQLITE_OK)
		return db_err(db, "prepare mailbox");
	sqlite3_bind_blob(st, 1, rec->mailbox, RN_STORE_MAILBOX_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, rec->reply_key, RN_STORE_MAILBOX_LEN, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_err(db, "insert mailbox");
	if (sqlite3_prepare_v2(db->db,
		"INSERT INTO submission(id, mailbox, day, bucket) VALUES (?1, ?2, ?3, ?4)", -1, &st,
		NULL) != SQLITE_OK)
		return db_err(db, "prepare submission");
	sqlite3_bind_text(st, 1, rec->id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, rec->mailbox, RN_STORE_MAILBOX_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, rec->day, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)rec->bucket);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT)
		return RN_ERR_EXISTS;
	return rc == SQLITE_DONE ? RN_OK : db_err(db, "insert submission");
}

enum rn_err
rn_inbox_db_add(struct rn_inbox_db *db, const struct rn_inbox_record *rec)
{
	enum rn_err err;

	if (!rn_inbox_id_is_valid(rec->id) || strlen(rec->day) != RN_STORE_DAY_LEN ||
	    rec->bucket > INT64_MAX)
		return RN_ERR_INVAL;
	if ((err = exec(db, "BEGIN IMMEDIATE")) != RN_OK)
		return err;
	if ((err = add_rows(db, rec)) != RN_OK) {
		(void)exec(db, "ROLLBACK");
		return err;
	}
	return exec(db, "COMMIT");
}

enum rn_err
rn_inbox_db_list(
    struct rn_inbox_db *db, bool (*cb)(const struct rn_inbox_record *rec, void *arg), void *arg)
{
	struct rn_inbox_record rec;
	sqlite3_stmt	      *st = NULL;
	const void	      *blob;
	const unsigned char   *text;
	int		       rc;

	if (sqlite3_prepare_v2(db->db,
		"SELECT s.id, s.mailbox, m.reply_key, s.day, s.bucket FROM submission s"
		" JOIN mailbox m ON m.id = s.mailbox ORDER BY s.day, s.id",
		-1, &st, NULL) != SQLITE_OK)
		return db_err(db, "prepare list");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&rec, 0, sizeof(rec));
		if ((text = sqlite3_column_text(st, 0)) != NULL)
			memcpy(rec.id, text, strnlen((const char *)text, RN_STORE_ID_LEN));
		if ((blob = sqlite3_column_blob(st, 1)) != NULL &&
		    sqlite3_column_bytes(st, 1) == RN_STORE_MAILBOX_LEN)
			memcpy(rec.mailbox, blob, RN_STORE_MAILBOX_LEN);
		if ((blob = sqlite3_column_blob(st, 2)) != NULL &&
		    sqlite3_column_bytes(st, 2) == RN_STORE_MAILBOX_LEN)
			memcpy(rec.reply_key, blob, RN_STORE_MAILBOX_LEN);
		if ((text = sqlite3_column_text(st, 3)) != NULL)
			memcpy(rec.day, text, strnlen((const char *)text, RN_STORE_DAY_LEN));
		rec.bucket = (uint64_t)sqlite3_column_int64(st, 4);
		if (!cb(&rec, arg))
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? RN_OK : db_err(db, "list");
}

static enum rn_err
one_id(struct rn_inbox_db *db, const char *sql, const char *id, int *changes, bool *row)
{
	sqlite3_stmt *st = NULL;
	int	      rc;

	if (!rn_inbox_id_is_valid(id))
		return RN_ERR_INVAL;
	if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_err(db, "prepare");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_err(db, sql);
	if (row != NULL)
		*row = rc == SQLITE_ROW;
	if (changes != NULL)
		*changes = sqlite3_changes(db->db);
	return RN_OK;
}

enum rn_err
rn_inbox_db_has(struct rn_inbox_db *db, const char *id, bool *found)
{
	return one_id(db, "SELECT 1 FROM submission WHERE id = ?1", id, NULL, found);
}

enum rn_err
rn_inbox_db_delete(struct rn_inbox_db *db, const char *id)
{
	int	    changes = 0;
	enum rn_err err = one_id(db, "DELETE FROM submission WHERE id = ?1", id, &changes, NULL);

	if (err != RN_OK)
		return err;
	return changes == 1 ? RN_OK : RN_ERR_NOTFOUND;
}

static void
column_copy(sqlite3_stmt *st, int col, char *out, size_t len)
{
	const unsigned char *text = sqlite3_column_text(st, col);

	memset(out, 0, len + 1);
	if (text != NULL)
		memcpy(out, text, strnlen((const char *)text, len));
}

enum rn_err
rn_inbox_db_get(struct rn_inbox_db *db, const char *id, struct rn_inbox_record *rec)
{
	sqlite3_stmt *st = NULL;
	const void   *blob;
	int	      rc;

	if (!rn_inbox_id_is_valid(id))
		return RN_ERR_INVAL;
	if (sqlite3_prepare_v2(db->db,
		"SELECT s.id, s.mailbox, m.reply_key, s.day, s.bucket FROM submission s"
		" JOIN mailbox m ON m.id = s.mailbox WHERE s.id = ?1",
		-1, &st, NULL) != SQLITE_OK)
		return db_err(db, "prepare get");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(rec, 0, sizeof(*rec));
		column_copy(st, 0, rec->id, RN_STORE_ID_LEN);
		if ((blob = sqlite3_column_blob(st, 1)) != NULL &&
		    sqlite3_column_bytes(st, 1) == RN_STORE_MAILBOX_LEN)
			memcpy(rec->mailbox, blob, RN_STORE_MAILBOX_LEN);
		if ((blob = sqlite3_column_blob(st, 2)) != NULL &&
		    sqlite3_column_bytes(st, 2) == RN_STORE_MAILBOX_LEN)
			memcpy(rec->reply_key, blob, RN_STORE_MAILBOX_LEN);
		column_copy(st, 3, rec->day, RN_STORE_DAY_LEN);
		rec->bucket = (uint64_t)sqlite3_column_int64(st, 4);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return RN_ERR_NOTFOUND;
	return rc == SQLITE_ROW ? RN_OK : db_err(db, "get");
}

enum rn_err
rn_inbox_db_reply_add(struct rn_inbox_db *db, const char *id,
    const uint8_t mailbox[RN_STORE_MAILBOX_LEN], const char *day, uint64_t size)
{
	sqlite3_stmt *st = NULL;
	int	      rc;

	if (!rn_inbox_id_is_valid(id) || strlen(day) != RN_STORE_DAY_LEN || size > INT64_MAX)
		return RN_ERR_INVAL;
	if (sqlite3_prepare_v2(db->db,
		"INSERT INTO reply(id, mailbox, day, size) VALUES (?1, ?2, ?3, ?4)", -1, &st,
		NULL) != SQLITE_OK)
		return db_err(db, "prepare reply");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, mailbox, RN_STORE_MAILBOX_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, day, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)size);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT)
		return RN_ERR_NOTFOUND; /* no such mailbox (or the id exists) */
	return rc == SQLITE_DONE ? RN_OK : db_err(db, "insert reply");
}

/* Ids from a query with at most one blob parameter; cb returns false to stop. */
static enum rn_err
each_id(struct rn_inbox_db *db, const char *sql, const void *blob, size_t bloblen, const char *text,
    bool (*cb)(const char *id, void *arg), void *arg)
{
	sqlite3_stmt *st = NULL;
	char	      id[RN_STORE_ID_LEN + 1];
	int	      rc;

	if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_err(db, "prepare ids");
	if (blob != NULL)
		sqlite3_bind_blob(st, 1, blob, (int)bloblen, SQLITE_STATIC);
	if (text != NULL)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		column_copy(st, 0, id, RN_STORE_ID_LEN);
		if (!cb(id, arg))
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? RN_OK : db_err(db, "ids");
}

enum rn_err
rn_inbox_db_replies(struct rn_inbox_db *db, const uint8_t mailbox[RN_STORE_MAILBOX_LEN],
    bool (*cb)(const char *id, void *arg), void		 *arg)
{
	return each_id(db, "SELECT id FROM reply WHERE mailbox = ?1 ORDER BY day, id", mailbox,
	    RN_STORE_MAILBOX_LEN, NULL, cb, arg);
}

enum rn_err
rn_inbox_db_reply_delete(struct rn_inbox_db *db, const char *id)
{
	int	    changes = 0;
	enum rn_err err = one_id(db, "DELETE FROM reply WHERE id = ?1", id, &changes, NULL);

	if (err != RN_OK)
		return err;
	return changes == 1 ? RN_OK : RN_ERR_NOTFOUND;
}

enum rn_err
rn_inbox_db_reply_has(struct rn_inbox_db *db, const char *id, bool *found)
{
	return one_id(db, "SELECT 1 FROM reply WHERE id = ?1", id, NULL, found);
}

enum rn_err
rn_inbox_db_expired(struct rn_inbox_db *db, const char *before_day, bool reply,
    bool (*cb)(const char *id, void *arg), void *arg)
{
	if (strlen(before_day) != RN_STORE_DAY_LEN)
		return RN_ERR_INVAL;
	return each_id(db,
	    reply ? "SELECT id FROM reply WHERE day < ?1" :
		    "SELECT id FROM submission WHERE day < ?1",
	    NULL, 0, before_day, cb, arg);
}

enum rn_err
rn_inbox_db_bytes(struct rn_inbox_db *db, uint64_t *total)
{
	sqlite3_stmt *st = NULL;
	int	      rc;

	*total = 0;
	if (sqlite3_prepare_v2(db->db,
		"SELECT (SELECT coalesce(sum(bucket), 0) FROM submission) +"
		" (SELECT coalesce(sum(size), 0) FROM reply)",
		-1, &st, NULL) != SQLITE_OK)
		return db_err(db, "prepare bytes");
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*total = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? RN_OK : db_err(db, "bytes");
}
