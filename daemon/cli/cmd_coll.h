/*
 * The editor's collection commands (daemon/cli/cmd_coll*.c): a local replica
 * verified by the library's verifier, bundles, building and signing commits
 * and ROOTs, and describing what a commit changes.  See daemon/cli/README.md
 * and docs/editor-guide.md, chapter 7.
 */
#ifndef RN_CLI_CMD_COLL_H
#define RN_CLI_CMD_COLL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/cli.h"
#include "roneo/rn_coll.h"
#include "roneo/rn_coll_bundle.h"
#include "roneo/rn_coll_stmt.h"
#include "roneo/rn_coll_tree.h"

#define COLL_MAX_ARGS 64u /* repeated options (--editor, --threshold, --attach) */

/* Options every collection command understands, and those of some. */
struct coll_opts {
	const char *server, *socks, *identity, *replica, *output, *id, *reason, *pin;
	bool	    json, dry_run, yes;
	uint64_t    expires_days;
	size_t	    nedit, nthr, natt;
	const char *edit[COLL_MAX_ARGS], *thr[COLL_MAX_ARGS], *att[COLL_MAX_ARGS];
	char	    dir[RN_CLI_PATH_MAX];  /* identity directory */
	char	    rdir[RN_CLI_PATH_MAX]; /* replica directory */
	int	    argc;		   /* operands left after the options */
	char	  **argv;
};

/*
 * Parse the options of `cmd` (usage printed on error); *o gets the operands.
 * Returns RN_CLI_EXIT_OK, RN_CLI_EXIT_USAGE, or -1 after --help.
 */
int coll_parse_opts(const char *cmd, const char *usage, int argc, char **argv, struct coll_opts *o);
/* Load the signing key and open the API connection. */
int coll_connect(const struct coll_opts *o, struct cli_conn *c, struct rn_editor_secret **sk);

/* ---- the replica (cmd_coll_replica.c) ---- */

/*
 * DIR/objects/ (the object store), DIR/state (the verifier's saved state),
 * DIR/roots/N and DIR/commits/SEQ (the statements as verified, for `log`).
 */
struct coll_replica {
	char			 dir[RN_CLI_PATH_MAX];
	struct rn_coll_store	*store;
	struct rn_coll_verifier *v;
	int			 lock_fd;
};

int  coll_replica_open(const char *dir, struct coll_replica *r);
void coll_replica_close(struct coll_replica *r);
/* The verifier's state and the statements into DIR (atomically). */
int coll_replica_save(struct coll_replica *r);
/* Keep a verified statement: DIR/roots/N or DIR/commits/SEQ. */
int coll_replica_keep(struct coll_replica *r, bool root, uint64_t n, const void *p, size_t len);
/* Read one back into b; RN_ERR_NOTFOUND when the replica does not have it. */
enum rn_err coll_replica_stmt(
    const struct coll_replica *r, bool root, uint64_t n, struct rn_buf *b);
bool coll_replica_has_root(const struct coll_replica *r);
/* Apply a signed ROOT / commit through the verifier, keep it, save. */
int coll_replica_add_root(struct coll_replica *r, const uint8_t *p, size_t n);
int coll_replica_add_commit(struct coll_replica *r, const uint8_t *p, size_t n, const uint8_t *rec,
    size_t rlen, const struct rn_coll_store *incoming);

/* ---- bundles (cmd_coll_bundle.c): docs/protocol.md section 17 ---- */

/* A bundle of one commit: statement, records, the objects ids (sorted here) from s. */
enum rn_err coll_bundle_commit(struct rn_buf *b, const struct rn_coll_store *s,
    const struct rn_buf *stmt, const struct rn_buf *rec, uint8_t (*ids)[RN_COLL_ID_LEN],
    size_t nids);
/* A bundle of one ROOT statement. */
enum rn_err coll_bundle_root(struct rn_buf *b, const struct rn_buf *stmt);

/* One commit of a decoded stream: pointers into the input; objects in a memory store. */
struct coll_commit_in {
	const uint8_t	     *stmt, *rec;
	size_t		      stmt_len, rec_len;
	struct rn_coll_commit c;
	struct rn_coll_store *objs;
};

struct coll_stream {
	size_t		       nroots;
	const uint8_t	      *root[RN_COLL_MAX_BUNDLE_ROOTS];
	size_t		       root_len[RN_COLL_MAX_BUNDLE_ROOTS];
	uint64_t	       root_version[RN_COLL_MAX_BUNDLE_ROOTS];
	size_t		       ncommits, cap;
	struct coll_commit_in *commits;
};

/*
 * Decode a stream of bundles (rn_coll_bundle_decode() each): ROOTs come back
 * by version and commits by seq, both consecutive, each commit's objects
 * checked against their ids and loaded into its own memory store.
 */
enum rn_err coll_stream_decode(
    const uint8_t *p, size_t n, struct coll_stream *s, char *why, size_t whysz);
void coll_stream_free(struct coll_stream *s);

/* ---- statements, commits, changes (cmd_coll_build.c) ---- */

/* Add the editor's signature to a statement (in its sorted place); RN_ERR_EXISTS if signed. */
enum rn_err coll_sign(
    const struct rn_editor_secret *sk, const uint8_t *p, size_t n, struct rn_buf *out);

/*
 * The next commit of the replica for n records (sorted here by key): the
 * log and manifest they give (new nodes go into the replica's store), the
 * commit's body into body and the records' log encoding into rec.
 */
int coll_build_commit(struct coll_replica *r, struct rn_coll_record *recs, size_t n,
    struct rn_buf *body, struct rn_buf *rec, struct rn_coll_commit *c);

/*
 * Check a commit received from the server as the verifier would, except for
 * the count of signers (rn_coll_verifier_check_commit); *have and *needed get
 * the editors who signed and the threshold; what it changes into what.
 */
int coll_check_commit(struct coll_replica *r, const struct coll_commit_in *ci, unsigned *have,
    unsigned *needed, bool json, struct rn_buf *what);

/*
 * What n records change, for people (into what; also as JSON when json is
 * true), and the threshold they need.  Objects are looked up in extra (may
 * be NULL) and then the replica; `before` is the manifest they apply to
 * (NULL: the replica's current one).
 */
int coll_describe(struct coll_replica *r, const struct rn_coll_record *recs, size_t n,
    const struct rn_coll_store *extra, const uint8_t *before, bool json, struct rn_buf *what,
    unsigned *needed);
/* A copy of the replica's log, to append to without touching the verifier's. */
enum rn_err coll_log_copy(const struct coll_replica *r, struct rn_coll_log **out);
/* Append records to log (and their encoding to rec, may be NULL); ch gets the manifest changes. */
enum rn_err coll_apply_records(struct rn_coll_log *log, const struct rn_coll_record *recs, size_t n,
    struct rn_buf *rec, struct rn_coll_change *ch);
/* Decode a log-file fragment into at most max records. */
enum rn_err coll_records_decode(
    const uint8_t *p, size_t n, struct rn_coll_record *out, size_t max, size_t *count);
/* A signer's label in root (or the key's first 16 hex digits). */
void coll_signer_name(
    const struct rn_coll_root *root, const uint8_t pub[32], char *out, size_t outsz);

/* ---- the server (cmd_coll_sync.c) ---- */

/* Bring the replica up to date from the server; *pulled gets the commits added. */
int coll_pull(struct cli_conn *c, struct coll_replica *r, const char *pin, size_t *pulled);
/* POST a bundle to target; the JSON answer (201 or 202) into *out. */
int coll_upload(struct cli_conn *c, const char *target, const struct rn_buf *bundle, long *status,
    struct cli_json **out);
/* GET target into b (max bytes) with a clear message on any failure. */
int coll_get(struct cli_conn *c, const char *target, struct rn_buf *b, size_t max);
/* Upload a commit statement + records + objects; report applied or pending. */
int coll_submit_commit(struct cli_conn *c, struct coll_replica *r, const struct coll_opts *o,
    const struct rn_buf *stmt, const struct rn_buf *rec, uint8_t (*ids)[RN_COLL_ID_LEN],
    size_t nids, unsigned needed);
/* Print the server's 201/202 answer about commit id (needed: what the replica computed). */
int coll_print_answer(const struct cli_json *j, long status, const uint8_t id[RN_COLL_ID_LEN],
    unsigned needed, bool json);
/* Connect (the editor's key) and pull; the replica must then hold a collection. */
int coll_sync_first(const struct coll_opts *o, struct coll_replica *r, struct cli_conn *c,
    struct rn_editor_secret **sk);
/* roneo sign FILE (cmd_coll_root.c). */
int coll_sign_root_file(const struct coll_opts *o, struct coll_replica *r, const char *file);

#endif
