/*
 * rn-coll: a small editor's tool for the tests, built on the collection
 * library (the roneo CLI is the real one).  It keeps a replica in DIR (an
 * object store and a saved verifier state) and writes bundles:
 *
 *   rn-coll init DIR OUT SEED[:LABEL]...        ROOT 1 (default thresholds) signed by every
 *                                               seed; the replica starts from it; prints the id
 *   rn-coll put DIR OUT FILE.md SEEDS [-s] [-a NAME=PATH]...
 *                                               the next commit publishing FILE.md (not applied
 *                                               to the replica); -s skips a seq; prints
 *                                               "SEQ COMMIT"
 *   rn-coll retract|purge DIR OUT DOCID REASON SEEDS
 *   rn-coll sign IN SEED OUT                    IN's commit statement with one more signature
 *   rn-coll pull DIR STREAM                     verify bundles (a ?since= stream) into the
 *                                               replica (a new one from ROOT 1: purges announced)
 *
 * SEED is 64 hex digits (an Ed25519 seed; its age recipient is derived from
 * it); SEEDS is SEED[,SEED]...  Exit status 0 on success, 1 with a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "roneo/rn_age.h"
#include "roneo/rn_coll.h"
#include "roneo/rn_coll_bundle.h"
#include "roneo/rn_coll_stmt.h"
#include "roneo/rn_coll_tree.h"
#include "roneo/rn_site.h"

#define MAX_SEEDS 8

struct replica {
	char			 dir[1024];
	struct rn_coll_store	*store;
	struct rn_coll_verifier *v;
};

static int
die(const char *what, enum rn_err err)
{
	fprintf(stderr, "rn-coll: %s: %s\n", what, rn_err_str(err));
	exit(1);
}

#define CHECK(what, call)                                                                          \
	do {                                                                                       \
		enum rn_err e_ = (call);                                                           \
		if (e_ != RN_OK)                                                                   \
			die((what), e_);                                                           \
	} while (0)

static void
read_file(const char *path, size_t max, struct rn_buf *b)
{
	CHECK(path, rn_file_read_all(path, max, b));
}

static void
write_file(const char *path, const struct rn_buf *b)
{
	CHECK(path, rn_file_write_atomic(path, b->data, b->len, 0644));
}

static size_t
parse_seeds(const char *s, uint8_t (*seeds)[32])
{
	size_t n = 0;

	while (*s != '\0' && n < MAX_SEEDS) {
		if (rn_hex_decode(s, 64, seeds[n], 32) != RN_OK)
			die("a seed is 64 hex digits", RN_ERR_INVAL);
		n++;
		s += 64;
		if (*s == ',')
			s++;
		else if (*s != '\0' && *s != ':')
			die("seeds are separated by commas", RN_ERR_INVAL);
		if (*s == ':')
			break;
	}
	return n;
}

static void
sign_all(const struct rn_buf *body, uint8_t (*seeds)[32], size_t n, struct rn_buf *out)
{
	struct rn_buf cur;
	size_t	      i;

	rn_buf_init(&cur, RN_COLL_MAX_STATEMENT);
	CHECK("sign", rn_buf_append(&cur, body->data, body->len));
	for (i = 0; i < n; i++) {
		CHECK("sign", rn_coll_stmt_sign((uint8_t *)cur.data, cur.len, seeds[i], out));
		rn_buf_reset(&cur);
		CHECK("sign", rn_buf_append(&cur, out->data, out->len));
	}
	out->max = RN_COLL_MAX_STATEMENT;
	rn_buf_reset(out);
	CHECK("sign", rn_buf_append(out, cur.data, cur.len));
	rn_buf_free(&cur);
}

static void
replica_open(struct replica *r, const char *dir, bool fresh)
{
	char	      path[1100];
	struct rn_buf st;

	snprintf(r->dir, sizeof(r->dir), "%s", dir);
	(void)mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/objects", dir);
	CHECK("store", rn_coll_store_open(path, &r->store));
	if (fresh) {
		CHECK("verifier", rn_coll_verifier_new(r->store, &r->v));
		return;
	}
	snprintf(path, sizeof(path), "%s/state", dir);
	rn_buf_init(&st, 1u << 30);
	read_file(path, 1u << 30, &st);
	CHECK("resume", rn_coll_verifier_resume(r->store, (uint8_t *)st.data, st.len, &r->v));
	rn_buf_free(&st);
}

static void
replica_close(struct replica *r)
{
	rn_coll_verifier_free(r->v);
	rn_coll_store_free(r->store);
}

static void
replica_save(struct replica *r)
{
	char	      path[1100];
	struct rn_buf st;

	rn_buf_init(&st, 1u << 30);
	CHECK("save", rn_coll_verifier_save(r->v, &st));
	snprintf(path, sizeof(path), "%s/state", r->dir);
	write_file(path, &st);
	rn_buf_free(&st);
}

static int
cmp_editor(const void *a, const void *b)
{
	return memcmp(((const struct rn_coll_editor *)a)->pub,
	    ((const struct rn_coll_editor *)b)->pub, 32);
}

static int
cmd_init(int argc, char **argv)
{
	struct replica	    r;
	struct rn_coll_root root;
	struct rn_buf	    body, stmt, out;
	uint8_t		    seeds[MAX_SEEDS][32];
	char		    hex[65];
	int		    i;

	if (argc < 4 || argc - 3 > MAX_SEEDS)
		die("usage: init DIR OUT SEED[:LABEL]...", RN_ERR_INVAL);
	memset(&root, 0, sizeof(root));
	rn_coll_root_defaults(&root);
	root.version = 1;
	root.expires = (uint64_t)time(NULL) + 2u * 365u * 86400u;
	for (i = 3; i < argc; i++) {
		struct rn_coll_editor  *e = &root.editors[root.neditors];
		struct rn_age_identity *id = NULL;
		const char	       *label = strchr(argv[i], ':');

		parse_seeds(argv[i], &seeds[root.neditors]);
		CHECK("key", rn_ed25519_public(seeds[root.neditors], e->pub));
		CHECK("age", rn_age_identity_from_secret(seeds[root.neditors], &id));
		rn_age_identity_recipient(id, &e->age);
		rn_age_identity_free(id);
		if (label != NULL)
			snprintf(e->label, sizeof(e->label), "%s", label + 1);
		else
			snprintf(e->label, sizeof(e->label), "editor-%c", 'a' + (int)root.neditors);
		root.neditors++;
	}
	qsort(root.editors, root.neditors, sizeof(root.editors[0]), cmp_editor);
	rn_buf_init(&body, RN_COLL_MAX_STATEMENT);
	rn_buf_init(&stmt, RN_COLL_MAX_STATEMENT);
	rn_buf_init(&out, RN_COLL_MAX_BUNDLE);
	CHECK("ROOT", rn_coll_root_encode(&root, &body));
	sign_all(&body, seeds, root.neditors, &stmt);
	replica_open(&r, argv[1], true);
	if (rn_coll_verifier_add_root(r.v, (uint8_t *)stmt.data, stmt.len) != RN_OK)
		die(rn_coll_verifier_error(r.v), RN_ERR_CRYPTO);
	replica_save(&r);
	CHECK("bundle", rn_coll_bundle_begin(&out));
	CHECK("bundle", rn_coll_bundle_put(&out, RN_COLL_BUNDLE_ROOT, stmt.data, stmt.len));
	write_file(argv[2], &out);
	rn_coll_id_format(root.id, hex);
	printf("%s\n", hex);
	rn_buf_free(&body);
	rn_buf_free(&stmt);
	rn_buf_free(&out);
	replica_close(&r);
	return 0;
}

static enum rn_coll_section
coll_section(enum rn_site_section s)
{
	return s == RN_SITE_BULLETINS ? RN_COLL_SEC_BULLETIN :
	    s == RN_SITE_TACTICS      ? RN_COLL_SEC_TACTIC :
					RN_COLL_SEC_CONFLICT;
}

static int
cmp_att(const void *a, const void *b)
{
	return strcmp(((const struct rn_coll_attachment *)a)->name,
	    ((const struct rn_coll_attachment *)b)->name);
}

/* The DOC of FILE.md (and its content and attachments) into the replica's store. */
static void
make_doc(struct replica *r, const char *file, char **att, int natt, uint8_t key[32],
    uint8_t docid[32])
{
	struct rn_coll_doc *d = calloc(1, sizeof(*d));
	struct rn_site_doc *sd = NULL;
	struct rn_site_error serr;
	struct rn_buf	     text, b;
	int		     i;

	rn_buf_init(&text, RN_SITE_MAX_DOC);
	read_file(file, RN_SITE_MAX_DOC, &text);
	if (d == NULL || rn_site_doc_parse(text.data, text.len, RN_SITE_PARSE_DRAFT, &sd, &serr) !=
			     RN_OK) {
		fprintf(stderr, "rn-coll: %s: line %u: %s\n", file, serr.line, serr.msg);
		exit(1);
	}
	snprintf(d->id, sizeof(d->id), "%s", sd->id);
	snprintf(d->title, sizeof(d->title), "%s", sd->title);
	snprintf(d->lang, sizeof(d->lang), "%s", sd->lang);
	d->section = coll_section(sd->section);
	d->date = sd->has_date && sd->date.utc > 0 ? (uint64_t)sd->date.utc : (uint64_t)time(NULL);
	CHECK("body", rn_coll_store_content(r->store, text.data, text.len, RN_COLL_BODY_CHUNK_AT,
			  &d->body));
	for (i = 0; i < natt && d->natt < RN_COLL_MAX_ATTACHMENTS; i++) {
		struct rn_coll_attachment *a = &d->att[d->natt++];
		char			  *eq = strchr(att[i], '=');

		if (eq == NULL)
			die("-a NAME=PATH", RN_ERR_INVAL);
		snprintf(a->name, sizeof(a->name), "%.*s", (int)(eq - att[i]), att[i]);
		snprintf(a->media, sizeof(a->media), "application/octet-stream");
		rn_buf_init(&b, RN_COLL_MAX_CONTENT);
		read_file(eq + 1, RN_COLL_MAX_CONTENT, &b);
		CHECK("attachment",
		    rn_coll_store_content(r->store, b.data, b.len, RN_COLL_ATT_CHUNK_AT, &a->ref));
		rn_buf_free(&b);
	}
	qsort(d->att, d->natt, sizeof(d->att[0]), cmp_att);
	rn_buf_init(&b, RN_COLL_MAX_OBJECT);
	CHECK("DOC", rn_coll_doc_encode(d, &b));
	CHECK("DOC", rn_coll_store_put(r->store, RN_COLL_DOC, b.data, b.len, docid));
	CHECK("key", rn_coll_key(d->id, strlen(d->id), key));
	rn_buf_free(&b);
	rn_buf_free(&text);
	rn_site_doc_free(sd);
	free(d);
}

static int
cmp32(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

static void
add_ref(struct replica *r, const struct rn_coll_ref *ref, uint8_t (*ids)[32], size_t *n)
{
	struct rn_coll_chunklist cl;
	struct rn_buf		 p;
	size_t			 j;

	memcpy(ids[(*n)++], ref->id, 32);
	if (ref->type != RN_COLL_CHUNKLIST)
		return;
	memset(&cl, 0, sizeof(cl));
	rn_buf_init(&p, RN_COLL_MAX_OBJECT);
	CHECK("chunks", rn_coll_store_get(r->store, ref->id, RN_COLL_CHUNKLIST, &p));
	CHECK("chunks", rn_coll_chunklist_decode((uint8_t *)p.data, p.len, &cl));
	for (j = 0; j < cl.n; j++)
		memcpy(ids[(*n)++], cl.ids[j], 32);
	rn_coll_chunklist_clear(&cl);
	rn_buf_free(&p);
}

/* Objects the record needs, from the replica: DOC, content, tombstone. */
static void
add_objects(struct replica *r, const struct rn_coll_record *rec, struct rn_buf *out)
{
	struct rn_coll_doc *d = calloc(1, sizeof(*d));
	struct rn_buf	    p, frame;
	uint8_t(*ids)[32] = calloc(4 + (RN_COLL_MAX_ATTACHMENTS + 1) * (size_t)RN_COLL_MAX_CHUNKS, 32);
	size_t n = 0, i;

	if (d == NULL || ids == NULL)
		die("memory", RN_ERR_NOMEM);
	rn_buf_init(&p, RN_COLL_MAX_OBJECT);
	rn_buf_init(&frame, RN_COLL_MAX_OBJECT + 64);
	if (rec->op != RN_COLL_OP_PUT) {
		memcpy(ids[n++], rec->tomb, 32);
	} else {
		CHECK("DOC", rn_coll_store_get(r->store, rec->doc, RN_COLL_DOC, &p));
		CHECK("DOC", rn_coll_doc_decode((uint8_t *)p.data, p.len, d));
		memcpy(ids[n++], rec->doc, 32);
		add_ref(r, &d->body, ids, &n);
		for (i = 0; i < d->natt; i++)
			add_ref(r, &d->att[i].ref, ids, &n);
	}
	qsort(ids, n, 32, cmp32);
	for (i = 0; i < n; i++) {
		if (i > 0 && memcmp(ids[i - 1], ids[i], 32) == 0)
			continue;
		rn_buf_free(&frame); /* a disk store's get_frame initialises it again */
		CHECK("frame", rn_coll_store_get_frame(r->store, ids[i], &frame));
		CHECK("bundle", rn_coll_bundle_put_object(out, ids[i], frame.data, frame.len));
	}
	rn_buf_free(&p);
	rn_buf_free(&frame);
	free(ids);
	free(d);
}

/* The next commit of one record on top of the replica (not applied), as a bundle. */
static void
make_commit(struct replica *r, const struct rn_coll_record *rec, uint8_t (*seeds)[32],
    size_t nseeds, bool skip, const char *outpath)
{
	const struct rn_coll_state *st = rn_coll_verifier_state(r->v);
	struct rn_coll_log	   *log = NULL;
	struct rn_coll_change	    ch;
	struct rn_coll_commit	    c;
	struct rn_buf		    logbuf, recbuf, records, body, stmt, out;
	char			    hex[65];

	rn_buf_init(&logbuf, 1u << 30);
	rn_buf_init(&recbuf, 1024);
	rn_buf_init(&records, 1024);
	rn_buf_init(&body, RN_COLL_MAX_STATEMENT);
	rn_buf_init(&stmt, RN_COLL_MAX_STATEMENT);
	rn_buf_init(&out, RN_COLL_MAX_BUNDLE);
	CHECK("log", rn_coll_log_encode(rn_coll_verifier_log(r->v), &logbuf));
	CHECK("log", rn_coll_log_new(&log));
	CHECK("log", rn_coll_log_decode((uint8_t *)logbuf.data, logbuf.len, log));
	CHECK("record", rn_coll_record_encode(rec, &recbuf));
	CHECK("record", rn_coll_log_append(log, recbuf.data, recbuf.len));
	CHECK("record", rn_coll_put_bytes(&records, recbuf.data, recbuf.len));
	memset(&ch, 0, sizeof(ch));
	memcpy(ch.e.key, rec->key, 32);
	memcpy(ch.e.doc, rec->doc, 32);
	ch.e.status = rec->op == RN_COLL_OP_RETRACT ? RN_COLL_RETRACTED : RN_COLL_LIVE;
	ch.del = rec->op == RN_COLL_OP_PURGE;
	memset(&c, 0, sizeof(c));
	CHECK("manifest", rn_coll_trie_update(r->store, st->manifest, &ch, 1, c.manifest));
	memcpy(c.collection, st->collection, 32);
	c.seq = st->seq + (skip ? 2 : 1);
	memcpy(c.prev, st->commit, 32);
	c.root_version = st->root_version;
	memcpy(c.root, st->root, 32);
	c.log_size = rn_coll_log_size(log);
	CHECK("log", rn_coll_log_root(log, c.log_size, c.log_root));
	c.time = (uint64_t)time(NULL) > st->time ? (uint64_t)time(NULL) : st->time;
	CHECK("commit", rn_coll_commit_encode(&c, &body));
	sign_all(&body, seeds, nseeds, &stmt);
	CHECK("bundle", rn_coll_bundle_begin(&out));
	CHECK("bundle", rn_coll_bundle_put(&out, RN_COLL_BUNDLE_COMMIT, stmt.data, stmt.len));
	CHECK("bundle", rn_coll_bundle_put(&out, RN_COLL_BUNDLE_RECORDS, records.data, records.len));
	add_objects(r, rec, &out);
	write_file(outpath, &out);
	rn_coll_id_format(c.id, hex);
	printf("%llu %s\n", (unsigned long long)c.seq, hex);
	rn_coll_log_free(log);
	rn_buf_free(&logbuf);
	rn_buf_free(&recbuf);
	rn_buf_free(&records);
	rn_buf_free(&body);
	rn_buf_free(&stmt);
	rn_buf_free(&out);
}

static int
cmd_put(int argc, char **argv)
{
	struct replica	      r;
	struct rn_coll_record rec;
	uint8_t		      seeds[MAX_SEEDS][32];
	char		     *att[RN_COLL_MAX_ATTACHMENTS];
	int		      natt = 0, i;
	bool		      skip = false;
	size_t		      n;

	if (argc < 5)
		die("usage: put DIR OUT FILE SEEDS [-s] [-a NAME=PATH]...", RN_ERR_INVAL);
	for (i = 5; i < argc; i++) {
		if (strcmp(argv[i], "-s") == 0)
			skip = true;
		else if (strcmp(argv[i], "-a") == 0 && i + 1 < argc && natt < 64)
			att[natt++] = argv[++i];
		else
			die("unknown option", RN_ERR_INVAL);
	}
	n = parse_seeds(argv[4], seeds);
	replica_open(&r, argv[1], false);
	memset(&rec, 0, sizeof(rec));
	rec.op = RN_COLL_OP_PUT;
	make_doc(&r, argv[3], att, natt, rec.key, rec.doc);
	make_commit(&r, &rec, seeds, n, skip, argv[2]);
	replica_close(&r);
	return 0;
}

static int
cmd_tomb(int argc, char **argv, enum rn_coll_op op)
{
	const struct rn_coll_state *st;
	struct replica		    r;
	struct rn_coll_record	    rec;
	struct rn_coll_tombstone    t;
	struct rn_coll_entry	    e;
	struct rn_buf		    b;
	uint8_t			    seeds[MAX_SEEDS][32];
	size_t			    n;

	if (argc != 6)
		die("usage: retract|purge DIR OUT DOCID REASON SEEDS", RN_ERR_INVAL);
	n = parse_seeds(argv[5], seeds);
	replica_open(&r, argv[1], false);
	st = rn_coll_verifier_state(r.v);
	memset(&rec, 0, sizeof(rec));
	memset(&t, 0, sizeof(t));
	rec.op = t.op = op;
	CHECK("key", rn_coll_key(argv[3], strlen(argv[3]), rec.key));
	CHECK("no such document", rn_coll_trie_get(r.store, st->manifest, rec.key, &e));
	memcpy(rec.doc, e.doc, 32);
	memcpy(t.key, rec.key, 32);
	memcpy(t.doc, e.doc, 32);
	t.time = (uint64_t)time(NULL);
	snprintf(t.reason, sizeof(t.reason), "%s", argv[4]);
	rn_buf_init(&b, 4096);
	CHECK("tombstone", rn_coll_tombstone_encode(&t, &b));
	CHECK("tombstone", rn_coll_store_put(r.store, RN_COLL_TOMBSTONE, b.data, b.len, rec.tomb));
	make_commit(&r, &rec, seeds, n, false, argv[2]);
	rn_buf_free(&b);
	replica_close(&r);
	return 0;
}

static int
cmd_sign(int argc, char **argv)
{
	struct rn_coll_bundle b;
	struct rn_buf	      in, out;
	uint8_t		      seeds[MAX_SEEDS][32];
	size_t		      used;

	if (argc != 4)
		die("usage: sign IN SEED OUT", RN_ERR_INVAL);
	parse_seeds(argv[2], seeds);
	rn_buf_init(&in, RN_COLL_MAX_BUNDLE);
	rn_buf_init(&out, RN_COLL_MAX_STATEMENT);
	read_file(argv[1], RN_COLL_MAX_BUNDLE, &in);
	CHECK("bundle", rn_coll_bundle_decode((uint8_t *)in.data, in.len, &b, &used));
	if (!b.has_commit)
		die("no commit in the bundle", RN_ERR_INVAL);
	CHECK("sign", rn_coll_stmt_sign(b.commit.p, b.commit.n, seeds[0], &out));
	write_file(argv[3], &out);
	rn_coll_bundle_clear(&b);
	rn_buf_free(&in);
	rn_buf_free(&out);
	return 0;
}

/* A replica starting from nothing cannot fetch what was purged since: announce it. */
static void
announce_purges(struct replica *r, const struct rn_buf *s)
{
	struct rn_coll_bundle b;
	struct rn_coll_log   *log = NULL;
	struct rn_coll_record rec;
	const uint8_t	     *p;
	size_t		      off = 0, used, n;
	uint64_t	      i;

	CHECK("log", rn_coll_log_new(&log));
	while (off < s->len) {
		CHECK("bundle", rn_coll_bundle_decode((uint8_t *)s->data + off, s->len - off, &b, &used));
		if (b.has_commit)
			CHECK("records", rn_coll_log_decode(b.records.p, b.records.n, log));
		rn_coll_bundle_clear(&b);
		off += used;
	}
	for (i = 0; i < rn_coll_log_size(log); i++) {
		CHECK("records", rn_coll_log_record(log, i, &p, &n));
		CHECK("records", rn_coll_record_decode(p, n, &rec));
		if (rec.op == RN_COLL_OP_PURGE)
			CHECK("purge", rn_coll_verifier_expect_purge(r->v, rec.doc));
	}
	rn_coll_log_free(log);
}

static int
cmd_pull(int argc, char **argv)
{
	struct replica	      r;
	struct rn_coll_bundle b;
	struct rn_coll_store *in = NULL;
	struct rn_buf	      s;
	size_t		      off = 0, used, i;
	bool		      fresh;

	if (argc != 3)
		die("usage: pull DIR STREAM", RN_ERR_INVAL);
	snprintf(r.dir, sizeof(r.dir), "%s/state", argv[1]);
	fresh = access(r.dir, F_OK) != 0;
	replica_open(&r, argv[1], fresh);
	rn_buf_init(&s, 1u << 30);
	read_file(argv[2], 1u << 30, &s);
	if (fresh)
		announce_purges(&r, &s);
	while (off < s.len) {
		CHECK("bundle", rn_coll_bundle_decode((uint8_t *)s.data + off, s.len - off, &b, &used));
		for (i = 0; i < b.nroots; i++)
			if (rn_coll_verifier_add_root(r.v, b.roots[i].p, b.roots[i].n) != RN_OK &&
			    b.first_root + i > rn_coll_verifier_state(r.v)->root_version)
				die(rn_coll_verifier_error(r.v), RN_ERR_CRYPTO);
		if (b.has_commit) {
			CHECK("store", rn_coll_store_new_mem(&in));
			CHECK("objects", rn_coll_bundle_load(&b, in));
			if (rn_coll_verifier_add_commit(r.v, b.commit.p, b.commit.n, b.records.p,
				b.records.n, in) != RN_OK)
				die(rn_coll_verifier_error(r.v), RN_ERR_CRYPTO);
			rn_coll_store_free(in);
		}
		rn_coll_bundle_clear(&b);
		off += used;
	}
	if (rn_coll_verifier_expected(r.v) > 0)
		die("purges announced but not reached", RN_ERR_PROTO);
	replica_save(&r);
	printf("%llu\n", (unsigned long long)rn_coll_verifier_state(r.v)->seq);
	rn_buf_free(&s);
	replica_close(&r);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		die("usage: rn-coll init|put|retract|purge|sign|pull ...", RN_ERR_INVAL);
	if (strcmp(argv[1], "init") == 0)
		return cmd_init(argc - 1, argv + 1);
	if (strcmp(argv[1], "put") == 0)
		return cmd_put(argc - 1, argv + 1);
	if (strcmp(argv[1], "retract") == 0)
		return cmd_tomb(argc - 1, argv + 1, RN_COLL_OP_RETRACT);
	if (strcmp(argv[1], "purge") == 0)
		return cmd_tomb(argc - 1, argv + 1, RN_COLL_OP_PURGE);
	if (strcmp(argv[1], "sign") == 0)
		return cmd_sign(argc - 1, argv + 1);
	if (strcmp(argv[1], "pull") == 0)
		return cmd_pull(argc - 1, argv + 1);
	die("unknown command", RN_ERR_INVAL);
	return 1;
}
