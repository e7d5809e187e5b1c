/*
 * The drop-box inside the http child: the source pages, uploads sealed on
 * arrival, codenames and replies, and the editor API.  One struct rn_dropbox
 * per child; it owns the inbox directories and database (the http child is
 * the only process that writes them, see daemon/inbox/README.md).
 */
#ifndef RN_INBOX_DROPBOX_H
#define RN_INBOX_DROPBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inbox/token.h"
#include "roneo/rn_age.h"
#include "roneo/rn_conf.h"
#include "roneo/rn_editor.h"
#include "roneo/rn_err.h"
#include "roneo/rn_http.h"
#include "roneo/rn_inbox.h"
#include "roneo/rn_store.h"

struct event_base;
struct event;
struct rn_derive;

/* Settings taken from the configuration (re-read on reload). */
struct rn_dropbox_settings {
	uint64_t max_file, max_submission, max_files, max_message;
	uint64_t max_uploads, max_bytes, disk_reserve;
	bool	 honeypot;
	uint64_t retention_days;
	uint64_t codename_attempts; /* per minute */
};

struct rn_dropbox {
	struct event_base	  *base;
	struct rn_dropbox_settings set;
	int			   data_fd; /* DataDirectory */
	int			   spool_fd, inbox_fd, replies_fd;
	struct rn_inbox_db	  *db;
	size_t			   nrcpts;
	struct rn_age_recipient	   rcpts[RN_CONF_MAX_LIST];
	struct rn_editor_auth	  *auth; /* NULL without editors */
	struct rn_form_key	   form_key;
	struct rn_derive	  *derive;
	struct event		  *retention_timer;
	uint64_t		   uploads;	    /* in progress */
	uint64_t		   pending_bytes;   /* reserved by uploads in progress */
	uint64_t		   stored_bytes;    /* recorded in the database */
	uint64_t		   attempts_minute; /* minute of the attempt counter */
	uint64_t		   attempts;	    /* codename checks this minute */
};

/* Set up (directories, database, reconciliation, routes) before the sandbox. */
enum rn_err rn_dropbox_new(struct event_base *base, const struct rn_conf *conf,
    struct rn_http_server *srv, struct rn_dropbox **out);
/* Apply a reloaded configuration: limits and editors. */
enum rn_err rn_dropbox_configure(struct rn_dropbox *d, const struct rn_conf *conf);
void	    rn_dropbox_free(struct rn_dropbox *d);

/* ---- shared by the drop-box's files ---- */

/* Today in UTC as YYYY-MM-DD (days before today when back > 0). */
void rn_dropbox_day(uint64_t back, char out[RN_STORE_DAY_LEN + 1]);
/* A fresh random id (32 lower-case hex). */
enum rn_err rn_dropbox_new_id(char out[RN_STORE_ID_LEN + 1]);
/* Reserve room for an upload of at most `bytes` sealed bytes (limits, disk). */
enum rn_err rn_dropbox_reserve(struct rn_dropbox *d, uint64_t bytes);
void	    rn_dropbox_release(struct rn_dropbox *d, uint64_t bytes);
/*
 * Make a sealed spool file durable and move it into dir_fd as ID.age:
 * fsync the file, rename, fsync both directories.
 */
enum rn_err rn_dropbox_commit_file(
    struct rn_dropbox *d, int fd, const char *spool_name, int dir_fd, const char *id);
/* Remove a sealed file (unlink + fsync the directory); missing is fine. */
void rn_dropbox_remove_file(int dir_fd, const char *id);
/* Count a codename check against CodenameAttemptsPerMinute. */
bool rn_dropbox_attempt_ok(struct rn_dropbox *d);

/* upload.c: the submit and follow-up routes */
enum rn_err rn_dropbox_upload_routes(struct rn_dropbox *d, struct rn_http_server *srv);
/* source.c: the source's pages */
enum rn_err rn_dropbox_source_routes(struct rn_dropbox *d, struct rn_http_server *srv);
/* editor_api.c: the editor API */
enum rn_err rn_dropbox_editor_routes(struct rn_dropbox *d, struct rn_http_server *srv);

/* editor_api.c: check an editor request's signature; answers the JSON error if refused. */
bool rn_dropbox_editor_authorized(
    struct rn_editor_auth *a, struct rn_http_exchange *ex, struct rn_sha256 *h);

/* source.c: pages other files answer with */
struct rn_buf;
void rn_dropbox_page_begin(struct rn_buf *b, const char *title);
void rn_dropbox_page_end(struct rn_buf *b);
void rn_dropbox_respond_page(struct rn_http_exchange *ex, int status, struct rn_buf *b);
/* A page for a refused submission or request: status, heading and explanation. */
void rn_dropbox_respond_problem(
    struct rn_http_exchange *ex, int status, const char *title, const char *text);
/* The receipt of a first submission, with its codename shown once. */
void rn_dropbox_respond_receipt(struct rn_http_exchange *ex, const char *codename);
/* The answer to a follow-up. */
void rn_dropbox_respond_followup_done(struct rn_http_exchange *ex);

/*
 * urlform.c: the value of field `name` in an urlencoded body, decoded,
 * NUL-terminated into out.  RN_ERR_NOTFOUND if absent, RN_ERR_INVAL if the
 * body is malformed or the field repeated, RN_ERR_TOOBIG if it does not fit.
 */
enum rn_err rn_urlform_get(
    const char *body, size_t len, const char *name, char *out, size_t outsz, size_t *outlen);

/* derive.c: codename derivations (scrypt, ~60 ms) off the event loop */
typedef void (*rn_derive_done_fn)(struct rn_codename *c, enum rn_err err, void *arg);
enum rn_err rn_derive_new(struct event_base *base, struct rn_derive **out);
void	    rn_derive_free(struct rn_derive *dv);
/*
 * Derive c on a worker thread; done(c, err, arg) runs later on the event
 * loop, and owns c.  RN_ERR_BUSY when RN_CODENAME_MAX_QUEUE jobs wait.
 * A job whose requester went away is cancelled with rn_derive_cancel(): done
 * is then never called and c is freed.
 */
struct rn_derive_job;
enum rn_err rn_derive_submit(struct rn_derive *dv, struct rn_codename *c, rn_derive_done_fn done,
    void *arg, struct rn_derive_job **job);
void	    rn_derive_cancel(struct rn_derive_job *job);

#endif
