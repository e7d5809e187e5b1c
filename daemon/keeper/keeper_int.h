/* Private to daemon/keeper/: the keeper's state and the helpers its files share. */
#ifndef RN_KEEPER_INT_H
#define RN_KEEPER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "roneo/rn_coll.h"
#include "roneo/rn_coll_bundle.h"
#include "roneo/rn_coll_stmt.h"
#include "roneo/rn_coll_tree.h"
#include "roneo/rn_keeper.h"

#define KEEPER_PATH_MAX 4096u

struct rn_keeper {
	char			*coll_dir;   /* DATA/collection */
	char			*site_dir;   /* DATA/site (the search index) */
	char			*public_dir; /* PublicDirectory */
	struct rn_coll_store	*store;
	struct rn_coll_verifier *v;
	struct rn_buf		 saved; /* the state as last saved: what a failure returns to */
	uint64_t		*logsz; /* logsz[s - 1]: log size after commit s */
	size_t			 nlogsz, caplogsz;
	uint64_t		 rendered; /* seq of the rendered site; UINT64_MAX: none */
};

/* state.c: files under coll_dir */
enum rn_err keeper_path(const struct rn_keeper *k, char *out, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Save the verifier's state durably (after the commit and ROOT files). */
enum rn_err keeper_save(struct rn_keeper *k);
/* Return to the state last saved (after a failure half-way through a bundle). */
enum rn_err keeper_restore(struct rn_keeper *k);
enum rn_err keeper_put_commit(struct rn_keeper *k, uint64_t seq, const void *p, size_t n);
enum rn_err keeper_get_commit(const struct rn_keeper *k, uint64_t seq, struct rn_buf *out);
enum rn_err keeper_put_root(struct rn_keeper *k, uint64_t version, const void *p, size_t n);
enum rn_err keeper_get_root(const struct rn_keeper *k, uint64_t version, struct rn_buf *out);
/* Record that commit seq (just applied) leaves the log at size. */
enum rn_err keeper_note_commit(struct rn_keeper *k, uint64_t seq, uint64_t size);
/* The seq of the commit that appended log record i (0-based). */
uint64_t keeper_seq_of_record(const struct rn_keeper *k, uint64_t i);
/* A whole file into b (at most max bytes); RN_ERR_NOTFOUND if absent. */
enum rn_err keeper_read_file(const char *path, size_t max, struct rn_buf *b);
/* A whole regular file by descriptor, from its start. */
enum rn_err keeper_read_fd(int fd, size_t max, struct rn_buf *b);
/* An anonymous temporary file under coll_dir/tmp, open for reading and writing. */
int keeper_tmpfile(const struct rn_keeper *k);

/* apply.c */
enum rn_err keeper_json_state(struct rn_keeper *k, struct rn_keeper_answer *ans);
void	    keeper_answer_error(struct rn_keeper_answer *ans, int status, const char *why);
enum rn_err keeper_post(struct rn_keeper *k, int fd, struct rn_keeper_answer *ans);
/* After a commit was applied: files, state, pending, site. */
enum rn_err keeper_applied(struct rn_keeper *k, const uint8_t *stmt, size_t n);

/* pending.c */
enum rn_err keeper_pending_add(struct rn_keeper *k, const struct rn_coll_bundle *b,
    const uint8_t *stmt, size_t n, unsigned have, unsigned need, struct rn_keeper_answer *ans);
enum rn_err keeper_pending_list(struct rn_keeper *k, struct rn_keeper_answer *ans);
enum rn_err keeper_pending_get(struct rn_keeper *k, const char *hex, struct rn_keeper_answer *ans);
enum rn_err keeper_pending_sign(
    struct rn_keeper *k, const char *hex, int fd, struct rn_keeper_answer *ans);
/* Forget pending commits the head has passed. */
void keeper_pending_prune(struct rn_keeper *k);

/* export.c */
enum rn_err keeper_export(struct rn_keeper *k, const char *since, struct rn_keeper_answer *ans);
/* The objects a record needs (DOC, its content, tombstone), appended as ids to ids. */
enum rn_err keeper_record_objects(
    const struct rn_keeper *k, const struct rn_coll_record *r, struct rn_buf *ids);

/* render.c, pages.c */
struct keeper_site;
enum rn_err keeper_write_file(
    struct keeper_site *s, const char *urlpath, const void *p, size_t n, bool text);
enum rn_err keeper_render_verify(struct rn_keeper *k, struct rn_buf *out);

/* html.c */
enum rn_err keeper_html_text(struct rn_buf *b, const char *s);

#endif
