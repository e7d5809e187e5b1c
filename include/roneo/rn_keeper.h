/*
 * The keeper (daemon/keeper/): the process that alone writes the collection
 * (object store, verified state, pending commits) and the published site
 * (pages under PublicDirectory, the search index), and the http child's side
 * of the link to it.  Formats and layout: daemon/keeper/README.md; the
 * editor API: docs/protocol.md section 17.
 */
#ifndef RN_KEEPER_H
#define RN_KEEPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rn_err.h"
#include "rn_limits.h"
#include "rn_util.h"

struct event_base;
struct rn_conf;
struct rn_http_server;

/* ---- the keeper's state (daemon/keeper/keeper.c, apply.c, render.c) ---- */

struct rn_keeper;

/*
 * Open (creating what is missing) the collection under DATA/collection/,
 * the search index DATA/site/search.db and the site under public_dir.
 */
enum rn_err rn_keeper_open(const char *data_dir, const char *public_dir, struct rn_keeper **out);
void	    rn_keeper_free(struct rn_keeper *k);
/* Render every page, feed and the search index now. */
enum rn_err rn_keeper_render(struct rn_keeper *k);
/* Render only when the site is missing or older than the collection's head. */
enum rn_err rn_keeper_render_if_stale(struct rn_keeper *k);

/* Editor API operations, as the http child hands them over. */
enum rn_keeper_op {
	RN_KEEPER_OP_STATE = 1,	   /* GET  /editor/v1/collection */
	RN_KEEPER_OP_EXPORT,	   /* GET  /editor/v1/collection/bundle?since=SEQ (arg: SEQ) */
	RN_KEEPER_OP_POST,	   /* POST /editor/v1/collection/bundle (body) */
	RN_KEEPER_OP_PENDING,	   /* GET  /editor/v1/collection/pending */
	RN_KEEPER_OP_PENDING_GET,  /* GET  /editor/v1/collection/pending/HEX (arg: HEX) */
	RN_KEEPER_OP_PENDING_SIGN, /* POST /editor/v1/collection/pending/HEX/sign (arg, body) */
	RN_KEEPER_OP__MAX
};

/* An answer: a status, a JSON body, or (fd != -1) a body file of fd_len bytes. */
struct rn_keeper_answer {
	int	      status;
	struct rn_buf json;
	int	      fd;
	uint64_t      fd_len;
};
void rn_keeper_answer_init(struct rn_keeper_answer *a);
void rn_keeper_answer_clear(struct rn_keeper_answer *a); /* frees json, closes fd */

/*
 * Carry out one operation.  arg is the operation's argument (may be NULL),
 * body_fd the request body's file (-1 when none; read from its start, not
 * closed).  Always fills *ans (an error is an answer too); returns RN_OK
 * unless the keeper itself failed (storage), which the answer says as 500.
 */
enum rn_err rn_keeper_handle(struct rn_keeper *k, enum rn_keeper_op op, const char *arg,
    int body_fd, struct rn_keeper_answer *ans);

/* The keeper process: returns its exit status. */
int rn_keeper_child_main(void);

/* ---- the http child's side (daemon/keeper/client.c) ---- */

struct rn_keeper_client;

/* Routes (/editor/v1/collection..., /search) and the upload spool, before the sandbox. */
enum rn_err rn_keeper_client_new(struct event_base *base, const struct rn_conf *conf,
    struct rn_http_server *srv, struct rn_keeper_client **out);
/* A reloaded configuration: the editors' keys. */
enum rn_err rn_keeper_client_configure(struct rn_keeper_client *kc, const struct rn_conf *conf);
/* A new link to the keeper (RN_IPC_KEEPER_LINK's fd; taken even on failure). */
void rn_keeper_client_link(struct rn_keeper_client *kc, int fd);
void rn_keeper_client_free(struct rn_keeper_client *kc);

/* ---- pages both sides write (daemon/keeper/html.c) ---- */

/* The head of a page in the site's style (title escaped here); close with _end. */
enum rn_err rn_keeper_html_begin(struct rn_buf *b, const char *title);
enum rn_err rn_keeper_html_end(struct rn_buf *b);

#endif
