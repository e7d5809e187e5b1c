/*
 * The roneo CLI (daemon/cli/README.md): one rn_cli_<cmd>() per subcommand,
 * each taking the arguments after the subcommand's name (argv[0] is the
 * name) and returning the exit status; and the helpers they share.
 */
#ifndef RN_CLI_H
#define RN_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "roneo/rn_editor.h"
#include "roneo/rn_err.h"
#include "roneo/rn_util.h"

/* Subcommands. */
int rn_cli_keygen(int argc, char **argv);
int rn_cli_inbox(int argc, char **argv);
int rn_cli_status(int argc, char **argv);  /* cmd_status.c (Tor helper) */
int rn_cli_init(int argc, char **argv);	   /* cmd_coll_root.c: the collection's editor workflow */
int rn_cli_new(int argc, char **argv);	   /* cmd_coll_new.c */
int rn_cli_publish(int argc, char **argv); /* cmd_coll_publish.c */
int rn_cli_pending(int argc, char **argv); /* cmd_coll_pending.c */
int rn_cli_sign(int argc, char **argv);	   /* cmd_coll_pending.c */
int rn_cli_retract(int argc, char **argv); /* cmd_coll_publish.c */
int rn_cli_purge(int argc, char **argv);   /* cmd_coll_publish.c */
int rn_cli_rotate(int argc, char **argv);  /* cmd_coll_root.c */
int rn_cli_log(int argc, char **argv);	   /* cmd_coll.c */
int rn_cli_pull(int argc, char **argv);	   /* cmd_coll.c */

/* Exit statuses. */
#define RN_CLI_EXIT_OK	  0
#define RN_CLI_EXIT_FAIL  1
#define RN_CLI_EXIT_USAGE 2

/* ---- messages (util.c) ---- */

/* "roneo: " + message on stderr; returns RN_CLI_EXIT_FAIL. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Untrusted text (from a server or a file) made safe for a terminal, into out. */
const char *cli_safe(const char *s, size_t n, char *out, size_t outsz);
/* JSON string literal of [s, s+n) (UTF-8 assumed; controls escaped) appended to b. */
enum rn_err cli_json_str(struct rn_buf *b, const char *s, size_t n);

/* ---- identity (util.c) ---- */

#define RN_CLI_SIGN_KEY "editor.key"
#define RN_CLI_SIGN_PUB "editor.pub"
#define RN_CLI_AGE_KEY	"age.txt"
#define RN_CLI_TOR_KEY	"tor-client.key"
#define RN_CLI_TOR_PUB	"tor-client.pub"
#define RN_CLI_PATH_MAX 4096u

/* The identity directory: dir if given, else $XDG_CONFIG_HOME/roneo or ~/.config/roneo. */
int cli_identity_dir(const char *dir, char *out, size_t outsz);
/* dir/name into out; RN_ERR_TOOBIG if it does not fit. */
enum rn_err cli_path(char *out, size_t outsz, const char *dir, const char *name);
/* Load the signing key / the age identity from the identity directory (messages on failure). */
int cli_load_secret(const char *dir, struct rn_editor_secret **out);
int cli_load_identity(const char *dir, struct rn_age_identity **out);
/* Create path with mode 0600 (or 0644), refusing to replace a file; write data; fsync. */
int cli_write_new(const char *path, const void *data, size_t len, bool secret);

/* ---- a small JSON reader for the API's answers (json.c) ---- */

enum cli_json_type {
	CLI_JSON_NULL,
	CLI_JSON_BOOL,
	CLI_JSON_INT,
	CLI_JSON_STR,
	CLI_JSON_ARR,
	CLI_JSON_OBJ
};

struct cli_json {
	enum cli_json_type type;
	char		  *str; /* CLI_JSON_STR: decoded, NUL-terminated; len bytes */
	size_t		   len;
	int64_t		   num;	 /* CLI_JSON_INT, CLI_JSON_BOOL */
	struct cli_json	  *kids; /* CLI_JSON_ARR, CLI_JSON_OBJ */
	char		 **keys; /* CLI_JSON_OBJ */
	size_t		   nkids;
};

/* Strict RFC 8259 (no floats: RN_ERR_INVAL), depth and size bounded. */
enum rn_err cli_json_parse(const char *s, size_t n, struct cli_json **out);
void	    cli_json_free(struct cli_json *j);
/* A member of an object by key, or NULL (also when j is not an object). */
const struct cli_json *cli_json_get(const struct cli_json *j, const char *key);
/* A member that is a string, or NULL. */
const char *cli_json_str_of(const struct cli_json *j, const char *key);

/* ---- the editor API over HTTP (client.c) ---- */

struct cli_conn {
	char			 url[RN_CLI_PATH_MAX];	     /* "http://host:port" */
	char			 unix_path[RN_CLI_PATH_MAX]; /* or a unix socket */
	char			 socks[300];		     /* "socks5h://HOST:PORT" or "" */
	struct rn_editor_secret *sk;			     /* borrowed */
	bool			 progress;		     /* a progress bar for downloads */
};

/*
 * server: "http://HOST[:PORT]" or "unix:PATH"; socks: "HOST:PORT" (loopback)
 * or NULL.  Without socks only a loopback or unix server is accepted; an
 * .onion needs socks.  Messages on failure.
 */
int cli_conn_init(
    struct cli_conn *c, const char *server, const char *socks, struct rn_editor_secret *sk);

/* Where an answer's body goes: n > 0 bytes at a time. */
typedef enum rn_err (*cli_body_fn)(const void *p, size_t n, void *arg);

/*
 * One signed request; *status gets the HTTP status.  A 2xx body goes to
 * body(), any other to err_body (capped) so that its "error" can be shown.
 * Returns RN_OK once an answer arrived (whatever its status).
 */
enum rn_err cli_request(struct cli_conn *c, const char *method, const char *target, const void *req,
    size_t req_len, cli_body_fn body, void *arg, long *status, struct rn_buf *err_body);
/* A JSON request: the answer parsed into *out when 2xx; messages on failure. */
int cli_request_json(struct cli_conn *c, const char *method, const char *target, const void *req,
    size_t req_len, long want_status, struct cli_json **out);

/* ---- replies (reply.c) ---- */

/*
 * Seal text (UTF-8, no NUL) to the submission's reply_to and every editor
 * recipient from the server's list, and post it.  Messages on failure.
 */
int cli_reply(struct cli_conn *c, const char *id, const char *text, size_t len, bool json);

/* ---- opening submissions (extract.c) ---- */

/*
 * Stream a sealed submission through the age reader and the tar reader into
 * a new directory `dest` (which must not exist): files appear in a temporary
 * sibling directory renamed to dest only when everything authenticated.
 */
struct cli_extract;

int cli_extract_new(const char *dest, const struct rn_age_identity *id, struct cli_extract **out);
enum rn_err cli_extract_sink(const void *p, size_t n, void *arg); /* arg: the extract */
/* Finish: RN_CLI_EXIT_OK when dest holds the whole submission. */
int cli_extract_finish(struct cli_extract *x);
/* Throw everything away (after a failed fetch); NULL-safe. */
void cli_extract_free(struct cli_extract *x);
/* Files and directories written. */
uint64_t cli_extract_members(const struct cli_extract *x);

#endif
