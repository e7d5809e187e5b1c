/*
 * Tor: the control-port reply parser and client, onion keys in tor's file
 * format, the tor service of the parent (launch, control or system mode) and
 * the parent's admin socket.  See daemon/tor/README.md.
 */
#ifndef RN_TOR_H
#define RN_TOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "rn_err.h"
#include "rn_util.h"

struct event_base;
struct rn_conf;

/* ---- base32 (RFC 4648 section 6, no padding), as onion addresses use it ---- */

#define rn_base32_len(n) (((n)*8u + 4u) / 5u)
/* Lower-case base32 of n bytes into out (rn_base32_len(n) + 1 bytes, NUL-terminated). */
void rn_base32_encode(const uint8_t *in, size_t n, char *out);
/*
 * Strict decoding of [in, in+n): letters of either case (not mixed within
 * one string), digits 2-7, no padding, unused trailing bits zero.  Writes
 * at most outsz bytes and sets *outlen.
 */
enum rn_err rn_base32_decode(const char *in, size_t n, uint8_t *out, size_t outsz, size_t *outlen);

/* ---- control-port replies (daemon/tor/reply.c) ---- */

/* One line of a reply: "CODE" SEP TEXT CRLF, and for SEP '+' a data block. */
struct rn_torctl_line {
	char   sep;  /* '-', '+' or ' ' */
	char  *text; /* after the separator, NUL-terminated */
	size_t len;
	char  *data; /* '+': the data block, dot-unstuffed, lines ending "\n"; else NULL */
	size_t datalen;
};

struct rn_torctl_reply {
	unsigned	       code; /* shared by every line: 2yz, 4yz, 5yz or 6yz (async event) */
	size_t		       nlines;
	struct rn_torctl_line *lines;
};

struct rn_torctl_parser;

struct rn_torctl_parser *rn_torctl_parser_new(void);
void			 rn_torctl_parser_free(struct rn_torctl_parser *p);
/*
 * Consume whole CRLF-terminated lines of buf (never a partial line) until
 * one reply is complete: RN_OK and *out (the caller frees it), with *used
 * the bytes consumed.  RN_ERR_AGAIN: every whole line was consumed (*used
 * says how many bytes) and the reply needs more.  RN_ERR_PROTO or
 * RN_ERR_TOOBIG: the peer broke the protocol or a limit (line, lines,
 * reply size); the parser then refuses everything and the connection must
 * be closed.
 */
enum rn_err rn_torctl_parser_feed(struct rn_torctl_parser *p, const char *buf, size_t len,
    size_t *used, struct rn_torctl_reply **out);
void	    rn_torctl_reply_free(struct rn_torctl_reply *r);
bool	    rn_torctl_reply_is_async(const struct rn_torctl_reply *r);

/*
 * The value of KEY=VALUE among the space-separated words of text, unquoted
 * when it is a QuotedString ("..." with \\ \" \n \r \t escapes).
 * RN_ERR_NOTFOUND if absent, RN_ERR_INVAL if malformed, RN_ERR_TOOBIG if it
 * does not fit in outsz bytes (NUL included).
 */
enum rn_err rn_torctl_arg(const char *text, const char *key, char *out, size_t outsz);
/* The idx-th (from 0) space-separated word of text, as written. */
enum rn_err rn_torctl_word(const char *text, size_t idx, char *out, size_t outsz);

/* ---- the control-port client (daemon/tor/ctl.c), on libevent ---- */

struct rn_torctl;
/* r is NULL when the connection closed before the reply came. */
typedef void (*rn_torctl_reply_cb)(struct rn_torctl *c, const struct rn_torctl_reply *r, void *arg);

struct rn_torctl_ops {
	void (*on_event)(struct rn_torctl *c, const struct rn_torctl_reply *r, void *arg);
	/* The connection is gone (peer closed, protocol error, I/O error). */
	void (*on_close)(struct rn_torctl *c, enum rn_err why, void *arg);
};

struct rn_torctl *rn_torctl_new(
    struct event_base *base, const struct rn_torctl_ops *ops, void *arg);
void rn_torctl_free(struct rn_torctl *c);
/* Connect to "unix:PATH" or "HOST:PORT" (numeric IPv4, loopback only). */
enum rn_err rn_torctl_connect(struct rn_torctl *c, const char *spec);
/* Use an already connected stream socket (takes fd; tests use a socketpair). */
enum rn_err rn_torctl_attach_fd(struct rn_torctl *c, int fd);
/* Send one command line (no CR or LF in cmd); cb gets its reply, in order. */
enum rn_err rn_torctl_send(struct rn_torctl *c, const char *cmd, rn_torctl_reply_cb cb, void *arg);
bool	    rn_torctl_is_open(const struct rn_torctl *c);

/*
 * PROTOCOLINFO, then SAFECOOKIE (preferred), COOKIE or NULL authentication.
 * done(c, RN_OK, arg) once authenticated; another error says why not
 * (RN_ERR_PERM: refused or no usable method; RN_ERR_CRYPTO: the server's
 * SAFECOOKIE hash was wrong; RN_ERR_IO: the cookie file could not be read).
 */
typedef void (*rn_torctl_done_cb)(struct rn_torctl *c, enum rn_err err, void *arg);
enum rn_err rn_torctl_authenticate(struct rn_torctl *c, rn_torctl_done_cb done, void *arg);

/* SAFECOOKIE's two HMACs (exposed for the tests). */
#define RN_TOR_COOKIE_LEN 32u
#define RN_TOR_NONCE_LEN  32u
enum rn_err rn_torctl_safecookie(const uint8_t cookie[RN_TOR_COOKIE_LEN],
    const uint8_t cnonce[RN_TOR_NONCE_LEN], const uint8_t snonce[RN_TOR_NONCE_LEN], bool server,
    uint8_t out[32]);

/* ---- onion keys (daemon/tor/onion.c) ---- */

#define RN_ONION_PUB_LEN      32u
#define RN_ONION_EXPANDED_LEN 64u /* tor's Ed25519 secret: clamped scalar | hash prefix */
#define RN_ONION_ADDR_LEN     56u /* base32 characters, ".onion" excluded */

struct rn_onion_key {
	uint8_t pub[RN_ONION_PUB_LEN];
	uint8_t expanded[RN_ONION_EXPANDED_LEN];
	char	addr[RN_ONION_ADDR_LEN + sizeof(".onion")]; /* "<56>.onion" */
};

/* The v3 address of a public key: base32(pub | SHA3-256 checksum[0..2] | 3) ".onion". */
enum rn_err rn_onion_address(const uint8_t pub[RN_ONION_PUB_LEN], char out[RN_ONION_ADDR_LEN + 7]);
/* Decode an address ("x.onion" or without the suffix): RN_OK if its checksum and version hold. */
enum rn_err rn_onion_address_parse(const char *addr, uint8_t pub[RN_ONION_PUB_LEN]);
/* A key from a seed: tor's expanded form (SHA-512, first half clamped) and the address. */
enum rn_err rn_onion_key_from_seed(const uint8_t seed[32], struct rn_onion_key *k);
/*
 * A directory in tor's HiddenServiceDir format: hs_ed25519_secret_key,
 * hs_ed25519_public_key, hostname.  Load refuses files of the wrong size,
 * header or mode (group or world access), a hostname that does not match
 * the public key, and an expanded key that is not clamped.  Save writes the
 * three files (0600, durably) in a directory it creates 0700.
 */
enum rn_err rn_onion_key_load(const char *dir, struct rn_onion_key *k);
enum rn_err rn_onion_key_save(const char *dir, const struct rn_onion_key *k);
/* Load dir, or make a new key and save it there if dir has no key; *created says which. */
enum rn_err rn_onion_key_load_or_create(const char *dir, struct rn_onion_key *k, bool *created);
void	    rn_onion_key_wipe(struct rn_onion_key *k);

/* ---- the Tor options of roneod.conf (daemon/tor/check.c) ---- */

enum rn_tor_mode { RN_TOR_OFF, RN_TOR_LAUNCH, RN_TOR_CONTROL, RN_TOR_SYSTEM };
bool rn_tor_mode_parse(const char *s, enum rn_tor_mode *out);
/* An EditorClientAuth value: base32 of 32 bytes, "descriptor:x25519:" optional. */
enum rn_err rn_tor_client_auth_parse(const char *s, uint8_t key[32]);
/* Checks of the Tor options (called by rn_conf_validate); err says which and why. */
enum rn_err rn_tor_conf_check(const struct rn_conf *c, char *err, size_t errlen);

/* ---- the parent's tor service (daemon/tor/service.c) ---- */

struct rn_tor;

struct rn_tor *rn_tor_new(struct event_base *base, const struct rn_conf *conf);
/*
 * Open the admin socket (DataDirectory/admin.sock), load or create the onion
 * keys (or read the system tor's address), then launch or attach to tor and
 * set up the onions; failures from there on are logged and retried.
 */
enum rn_err rn_tor_start(struct rn_tor *t);
/* DEL_ONION for our onions; the control connection closes when they are answered. */
void rn_tor_stop(struct rn_tor *t);
/* SIGCHLD: true if pid was our tor (the parent reaps every child with waitpid(-1)). */
bool rn_tor_reaped(struct rn_tor *t, pid_t pid, int status);
/* Closes the connection; a launched tor that has not exited is waited for, then killed. */
void rn_tor_free(struct rn_tor *t);
/* The onion addresses ("x.onion"): i = 0 the public onion, 1 the editor onion; NULL if none. */
const char *rn_tor_address(const struct rn_tor *t, size_t i);
/* Add our onion addresses to c's HostName list (those not there yet). */
enum rn_err rn_tor_add_host_names(const struct rn_tor *t, struct rn_conf *c);
/* {"tor":{"mode":..,"bootstrap":N,"socks":..,"onions":[{"name","address","uploaded"}]}} */
enum rn_err rn_tor_status_json(const struct rn_tor *t, struct rn_buf *out);

/* The torrc launch mode writes (daemon/tor/torrc.c); exposed for the tests. */
enum rn_err rn_tor_torrc(const struct rn_conf *conf, pid_t owner, struct rn_buf *out);

/* ---- the parent's admin socket (daemon/tor/admin.c) ---- */

struct rn_admin;
/* Append the JSON answer to a request line ("status") to out. */
typedef enum rn_err (*rn_admin_cb)(const char *request, struct rn_buf *out, void *arg);

/* Listen on path (0600; a stale socket is replaced). */
struct rn_admin *rn_admin_new(struct event_base *base, const char *path, rn_admin_cb cb, void *arg);
void		 rn_admin_free(struct rn_admin *a);
/* The parent's answers: "status" -> {"tor":rn_tor_status_json()}; arg is the struct rn_tor. */
enum rn_err rn_tor_admin_status(const char *request, struct rn_buf *out, void *arg);
/* Client side: send request, read the whole answer (bounded size and time). */
enum rn_err rn_admin_request(const char *path, const char *request, struct rn_buf *out);

#endif
