/*
 * HTTP/1.1 for roneod: a pure, strict request-head parser (RFC 9110/9112;
 * bytes in, struct out, no I/O) and the server that drives it on libevent.
 */
#ifndef RN_HTTP_H
#define RN_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rn_err.h"
#include "rn_limits.h"

enum rn_http_method { RN_HTTP_GET = 1, RN_HTTP_HEAD, RN_HTTP_POST };

struct rn_http_limits {
	size_t max_request_line; /* bytes, CRLF excluded */
	size_t max_header_bytes; /* whole head, request line and final CRLFCRLF included */
	size_t max_headers;	 /* header fields, at most RN_MAX_HTTP_HEADERS */
};

struct rn_http_header {
	const char *name; /* points into the head buffer, not NUL-terminated */
	size_t	    name_len;
	const char *value; /* OWS trimmed */
	size_t	    value_len;
};

/*
 * A parsed request head.  Pointers point into the buffer given to
 * rn_http_parse_head() and live as long as it does.
 */
struct rn_http_req {
	enum rn_http_method   method;
	unsigned	      minor;			  /* HTTP/1.minor: 0 or 1 */
	char		      path[RN_HTTP_MAX_PATH + 1]; /* percent-decoded, begins with '/' */
	size_t		      path_len;
	const char	     *query; /* raw, after '?', or NULL */
	size_t		      query_len;
	char		      host[256]; /* lower-cased, port removed */
	bool		      has_content_length;
	uint64_t	      content_length;
	bool		      keep_alive;      /* version default and Connection */
	bool		      expect_continue; /* Expect: 100-continue */
	bool		      accept_gzip;     /* Accept-Encoding allows gzip */
	const char	     *if_none_match;   /* raw value or NULL */
	size_t		      if_none_match_len;
	const char	     *range; /* raw value or NULL */
	size_t		      range_len;
	const char	     *if_range;
	size_t		      if_range_len;
	const char	     *content_type;
	size_t		      content_type_len;
	size_t		      nheaders;
	struct rn_http_header headers[RN_MAX_HTTP_HEADERS];
	/* Set on every error: the status to answer and a short static reason. */
	int	    status;
	const char *error;
};

/*
 * Find the end of a request head in a growing buffer.  Resumes at *scan
 * (start at 0; it is updated so no byte is scanned twice).  RN_OK: the head
 * is buf[0, *head_len), ending in CRLF CRLF.  RN_ERR_AGAIN: need more bytes.
 * Errors (with *status): a bare LF or a NUL (400), a request line over the
 * limit (414), a head over the limit (431).  Leading empty lines before the
 * request line (RFC 9112 section 2.2) are part of the head and allowed.
 */
enum rn_err rn_http_head_scan(const char *buf, size_t len, size_t *scan,
    const struct rn_http_limits *lim, size_t *head_len, int *status);

/*
 * Parse a complete head (as found by rn_http_head_scan).  On error,
 * req->status and req->error say what to answer: 400 (syntax, obs-fold,
 * whitespace before ':', bad or duplicate Host, duplicate or bad
 * Content-Length, CTL/NUL in values, Transfer-Encoding together with
 * Content-Length, a body on GET or HEAD), 405 (known method we do not
 * serve), 411 (Transfer-Encoding, or POST without Content-Length), 414, 417
 * (Expect other than 100-continue), 431 (too many headers or head too
 * large), 501 (unknown method), 505 (HTTP version other than 1.0 and 1.1).
 */
enum rn_err rn_http_parse_head(
    const char *buf, size_t len, const struct rn_http_limits *lim, struct rn_http_req *req);

/* First header with that name (case-insensitive), or NULL. */
const struct rn_http_header *rn_http_req_header(const struct rn_http_req *req, const char *name);

/*
 * A Range header against a representation of `size` bytes.  Only a single
 * "bytes=" range is honoured.  RN_OK: serve [*first, *last].  RN_ERR_NOTFOUND:
 * ignore the header and serve the whole (multiple ranges, other units,
 * syntax errors).  RN_ERR_INVAL: unsatisfiable, answer 416.
 */
enum rn_err rn_http_parse_range(
    const char *v, size_t n, uint64_t size, uint64_t *first, uint64_t *last);

/*
 * If-None-Match against our entity-tag (with its quotes, e.g. "\"abc\""),
 * with the weak comparison of RFC 9110 section 13.1.2; "*" matches.
 */
bool rn_http_etag_match(const char *inm, size_t n, const char *etag);

/* The reason phrase of a status code ("Not Found"), or "Unknown". */
const char *rn_http_reason(int status);

/* ------------------------------------------------------------------------ */
/* The server: connections on libevent bufferevents (daemon/http/server.c). */

struct event_base;
struct rn_conf;
struct rn_http_server;
struct rn_http_exchange; /* one request and its response */

/* Route handlers.  on_request must answer (rn_http_respond_*) or, for a
 * request with a body, return and answer from on_body_end. */
struct rn_http_route {
	const char *path;     /* exact path, or a prefix when it ends in '/' */
	unsigned    methods;  /* RN_HTTP_M(GET) | ... */
	uint64_t    max_body; /* 0: the server's MaxBodySize */
	void (*on_request)(struct rn_http_exchange *ex, void *arg);
	/* Body bytes in pieces of at most RN_HTTP_READ_CHUNK; an error answers
	 * rn_err_http_status(err) and closes. */
	enum rn_err (*on_body)(struct rn_http_exchange *ex, const void *p, size_t n, void *arg);
	void (*on_body_end)(struct rn_http_exchange *ex, void *arg);
	/* The connection went away before the answer: release per-request state. */
	void (*on_abort)(struct rn_http_exchange *ex, void *arg);
	void	*arg;
	unsigned zones; /* listeners it is served on (RN_HTTP_ZONE_*); 0: public */
};
#define RN_HTTP_M(m) (1u << RN_HTTP_##m)

/*
 * Listener zones.  The public zone serves the site, its static files and the
 * drop-box's source pages.  The editor zone serves only its own routes (the
 * signed editor API): no static files, no Host check (requests are signed),
 * anything else is 404.
 */
#define RN_HTTP_ZONE_PUBLIC 1u
#define RN_HTTP_ZONE_EDITOR 2u

struct rn_http_server *rn_http_server_new(struct event_base *base, const struct rn_conf *conf);
void		       rn_http_server_free(struct rn_http_server *srv);
/* Apply a new configuration (limits, names, public directory, log level). */
enum rn_err rn_http_server_configure(struct rn_http_server *srv, const struct rn_conf *conf);
/* Routes are matched in the order added; unmatched GET/HEAD go to the static files. */
enum rn_err rn_http_server_add_route(struct rn_http_server *srv, const struct rn_http_route *r);
/* Take a listening socket (the server owns it from now on), public zone. */
enum rn_err rn_http_server_listen_fd(struct rn_http_server *srv, int fd);
/* The same for a zone (one RN_HTTP_ZONE_* value). */
enum rn_err rn_http_server_listen_fd_zone(struct rn_http_server *srv, int fd, unsigned zone);
/* The zone of the listener the exchange's connection came from. */
unsigned rn_http_exchange_zone(const struct rn_http_exchange *ex);
/* Close every listener (before a new set is handed over). */
void rn_http_server_close_listeners(struct rn_http_server *srv);
/* Stop accepting, finish in-flight requests, then call done(arg); connections
 * still open after timeout_secs are cut. */
void rn_http_server_shutdown(
    struct rn_http_server *srv, void (*done)(void *arg), void *arg, uint64_t timeout_secs);
size_t rn_http_server_connections(const struct rn_http_server *srv);

const struct rn_http_req *rn_http_exchange_req(const struct rn_http_exchange *ex);
void			  rn_http_exchange_set_data(struct rn_http_exchange *ex, void *data);
void			 *rn_http_exchange_data(const struct rn_http_exchange *ex);

/* Answer with bytes the server copies; content_type like "text/plain; charset=utf-8". */
void rn_http_respond_bytes(struct rn_http_exchange *ex, int status, const char *content_type,
    const void *body, size_t len);
/* Answer with len bytes of a file from its start (sendfile); takes fd, even on failure. */
void rn_http_respond_fd(
    struct rn_http_exchange *ex, int status, const char *content_type, int fd, uint64_t len);
/* Answer with the HTML error page of a status (and close the connection if >= 400). */
void rn_http_respond_error(struct rn_http_exchange *ex, int status);

/* The http child process (daemon/http/child.c): returns its exit status. */
int rn_http_child_main(void);

/*
 * Additions: the onion listener (OnionListen) and per-circuit limits
 * (daemon/http/proxy.c, circuit.c).
 *
 * RN_HTTP_ZONE_ONION is a listener kind for rn_http_server_listen_fd_zone():
 * every connection on it must begin with the PROXY header tor sends with
 * HiddenServiceExportCircuitID haproxy, and is then served exactly as the
 * public zone (rn_http_exchange_zone() says RN_HTTP_ZONE_PUBLIC; routes need
 * not name it), with limits per Tor circuit, kept in memory only.
 */
#define RN_HTTP_ZONE_ONION 4u

/* What a route counts against the client's circuit. */
enum rn_circuit_res {
	RN_CIRCUIT_UPLOAD = 1, /* a submission being received (CircuitMaxUploads) */
	RN_CIRCUIT_CODENAME    /* a codename attempt (CircuitMaxCodenameAttemptsPerMinute) */
};

/*
 * Count one use of res against the circuit of the exchange's connection.
 * false: the circuit is over its limit; answer 429 (rn_http_respond_error).
 * RN_CIRCUIT_UPLOAD is held until rn_http_exchange_circuit_release() or the
 * end of the exchange (answered or aborted), whichever comes first; acquiring
 * it again in the same exchange is a no-op.  RN_CIRCUIT_CODENAME is spent:
 * releasing it does nothing.  Connections from other listeners than
 * OnionListen carry no circuit: always true.
 */
bool rn_http_exchange_circuit_acquire(struct rn_http_exchange *ex, enum rn_circuit_res res);
void rn_http_exchange_circuit_release(struct rn_http_exchange *ex, enum rn_circuit_res res);
/* True when the exchange came through the onion listener. */
bool rn_http_exchange_is_onion(const struct rn_http_exchange *ex);

#endif
