/* Unit tests for daemon/store: the inbox database on a real SQLite file. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "roneo/rn_store.h"

struct tmp {
	char dir[64];
	char path[128];
};

static int
setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/rn_test_store.XXXXXX");
	if (mkdtemp(t->dir) == NULL)
		return -1;
	snprintf(t->path, sizeof(t->path), "%s/inbox.sqlite", t->dir);
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct tmp *t = *state;
	char	    p[160];

	unlink(t->path);
	snprintf(p, sizeof(p), "%s-wal", t->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", t->path);
	unlink(p);
	rmdir(t->dir);
	free(t);
	return 0;
}

static void
record(struct rn_inbox_record *r, char c, const char *day, uint64_t bucket, uint8_t mbox)
{
	memset(r, 0, sizeof(*r));
	memset(r->id, c, RN_STORE_ID_LEN);
	memset(r->mailbox, mbox, sizeof(r->mailbox));
	memset(r->reply_key, mbox ^ 0xff, sizeof(r->reply_key));
	memcpy(r->day, day, RN_STORE_DAY_LEN);
	r->bucket = bucket;
}

struct seen {
	size_t			n;
	struct rn_inbox_record	r[8];
};

static bool
collect(const struct rn_inbox_record *rec, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8)
		s->r[s->n++] = *rec;
	return true;
}

static void
test_add_list_delete(void **state)
{
	struct tmp	       *t = *state;
	struct rn_inbox_db     *db;
	struct rn_inbox_record a, b, c;
	struct seen	       s = { 0 };
	bool		       found = false;

	assert_int_equal(rn_inbox_db_open(t->path, &db), RN_OK);
	record(&a, 'b', "2026-11-23", 65536, 1);
	record(&b, 'a', "2026-11-22", 131072, 1);
	record(&c, 'c', "2026-11-23", 65536, 2);
	assert_int_equal(rn_inbox_db_add(db, &a), RN_OK);
	assert_int_equal(rn_inbox_db_add(db, &b), RN_OK);
	assert_int_equal(rn_inbox_db_add(db, &c), RN_OK);
	assert_int_equal(rn_inbox_db_add(db, &a), RN_ERR_EXISTS);
	assert_int_equal(rn_inbox_db_list(db, collect, &s), RN_OK);
	assert_int_equal(s.n, 3);
	/* Oldest day first, then by id. */
	assert_string_equal(s.r[0].id, b.id);
	assert_string_equal(s.r[1].id, a.id);
	assert_string_equal(s.r[2].id, c.id);
	assert_memory_equal(s.r[0].mailbox, b.mailbox, RN_STORE_MAILBOX_LEN);
	assert_memory_equal(s.r[0].reply_key, b.reply_key, RN_STORE_MAILBOX_LEN);
	assert_string_equal(s.r[0].day, "2026-11-22");
	assert_int_equal(s.r[0].bucket, 131072);
	assert_int_equal(rn_inbox_db_has(db, a.id, &found), RN_OK);
	assert_true(found);
	assert_int_equal(rn_inbox_db_delete(db, a.id), RN_OK);
	assert_int_equal(rn_inbox_db_delete(db, a.id), RN_ERR_NOTFOUND);
	assert_int_equal(rn_inbox_db_has(db, a.id, &found), RN_OK);
	assert_false(found);
	rn_inbox_db_close(db);
	/* Committed rows survive a reopen. */
	assert_int_equal(rn_inbox_db_open(t->path, &db), RN_OK);
	s.n = 0;
	assert_int_equal(rn_inbox_db_list(db, collect, &s), RN_OK);
	assert_int_equal(s.n, 2);
	rn_inbox_db_close(db);
}

static void
test_bad_records(void **state)
{
	struct tmp	       *t = *state;
	struct rn_inbox_db     *db;
	struct rn_inbox_record r;

	assert_int_equal(rn_inbox_db_open(t->path, &db), RN_OK);
	record(&r, 'A', "2026-11-23", 1, 1); /* upper-case hex is not an id */
	assert_int_equal(rn_inbox_db_add(db, &r), RN_ERR_INVAL);
	record(&r, 'a', "2026-11-23", 1, 1);
	r.id[5] = '/';
	assert_int_equal(rn_inbox_db_add(db, &r), RN_ERR_INVAL);
	record(&r, 'a', "2026-11-23", 1, 1);
	r.day[9] = '\0';
	assert_int_equal(rn_inbox_db_add(db, &r), RN_ERR_INVAL);
	assert_int_equal(rn_inbox_db_delete(db, "../etc/passwd"), RN_ERR_INVAL);
	assert_false(rn_inbox_id_is_valid("0123456789abcdef0123456789abcdef0"));
	assert_true(rn_inbox_id_is_valid("0123456789abcdef0123456789abcdef"));
	rn_inbox_db_close(db);
	rn_inbox_db_close(NULL);
}

static void
test_durability_settings_and_schema(void **state)
{
	struct tmp	   *t = *state;
	struct rn_inbox_db *db;
	sqlite3		   *raw;
	sqlite3_stmt	   *st;

	assert_int_equal(rn_inbox_db_open(t->path, &db), RN_OK);
	rn_inbox_db_close(db);
	assert_int_equal(sqlite3_open(t->path, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	/* A database from a newer roneod is refused, not silently used. */
	assert_int_equal(sqlite3_exec(raw, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	assert_int_equal(rn_inbox_db_open(t->path, &db), RN_ERR_INVAL);
	assert_null(db);
}

struct ids {
	size_t n;
	char   id[8][RN_STORE_ID_LEN + 1];
};

static bool
collect_id(const char *id, void *arg)
{
	struct ids *s = arg;

	if (s->n < 8)
		memcpy(s->id[s->n++], id, RN_STORE_ID_LEN + 1);
	return true;
}

/* Replies, lookups by id, totals and the retention query. */
static void
test_replies_and_retention(void **state)
{
	struct tmp	       *t = *state;
	struct rn_inbox_db     *db;
	struct rn_inbox_record a, got;
	struct ids	       s = { 0 };
	uint8_t		       other[RN_STORE_MAILBOX_LEN];
	char		       r1[RN_STORE_ID_LEN + 1], r2[RN_STORE_ID_LEN + 1];
	uint64_t	       total = 0;
	bool		       found = true;

	memset(r1, '1', RN_STORE_ID_LEN);
	r1[RN_STORE_ID_LEN] = '\0';
	memset(r2, '2', RN_STORE_ID_LEN);
	r2[RN_STORE_ID_LEN] = '\0';
	memset(other, 0x77, sizeof(other));
	assert_int_equal(rn_inbox_db_open(t->path, &db), RN_OK);
	record(&a, 'c', "2026-01-02", 65536, 5);
	assert_int_equal(rn_inbox_db_add(db, &a), RN_OK);
	assert_int_equal(rn_inbox_db_get(db, a.id, &got), RN_OK);
	assert_memory_equal(&got, &a, sizeof(a));
	assert_int_equal(rn_inbox_db_get(db, r1, &got), RN_ERR_NOTFOUND);
	assert_int_equal(rn_inbox_db_get(db, "nothex", &got), RN_ERR_INVAL);
	/* A reply needs an existing mailbox. */
	assert_int_equal(rn_inbox_db_reply_add(db, r1, other, "2026-01-03", 100), RN_ERR_NOTFOUND);
	assert_int_equal(rn_inbox_db_reply_add(db, r1, a.mailbox, "2026-01-03", 100), RN_OK);
	assert_int_equal(rn_inbox_db_reply_add(db, r2, a.mailbox, "2026-02-01", 200), RN_OK);
	assert_int_equal(rn_inbox_db_reply_add(db, r2, a.mailbox, "2026-02-01", 200), RN_ERR_NOTFOUND);
	assert_int_equal(rn_inbox_db_reply_add(db, r2, a.mailbox, "2026-2-1", 200), RN_ERR_INVAL);
	assert_int_equal(rn_inbox_db_replies(db, a.mailbox, collect_id, &s), RN_OK);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.id[0], r1);
	assert_int_equal(rn_inbox_db_bytes(db, &total), RN_OK);
	assert_int_equal(total, 65536 + 100 + 200);
	/* Retention: what arrived before a day. */
	s.n = 0;
	assert_int_equal(rn_inbox_db_expired(db, "2026-01-03", false, collect_id, &s), RN_OK);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.id[0], a.id);
	s.n = 0;
	assert_int_equal(rn_inbox_db_expired(db, "2026-02-01", true, collect_id, &s), RN_OK);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.id[0], r1);
	assert_int_equal(rn_inbox_db_reply_delete(db, r1), RN_OK);
	assert_int_equal(rn_inbox_db_reply_delete(db, r1), RN_ERR_NOTFOUND);
	assert_int_equal(rn_inbox_db_reply_has(db, r1, &found), RN_OK);
	assert_false(found);
	assert_int_equal(rn_inbox_db_reply_has(db, r2, &found), RN_OK);
	assert_true(found);
	rn_inbox_db_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_list_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_durability_settings_and_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replies_and_retention, setup, teardown),
	};

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
