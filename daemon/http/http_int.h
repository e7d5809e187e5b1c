/* Private to daemon/http: the server's connection, exchange and page types. */
#ifndef RN_HTTP_INT_H
#define RN_HTTP_INT_H

#include <sys/queue.h>
#include <sys/stat.h>

#include "roneo/rn_conf.h"
#include "roneo/rn_http.h"
#include "roneo/rn_util.h"
#include "http/proxy.h"

struct bufferevent;
struct evbuffer;
struct event;
struct evconnlistener;

#define RN_HTTP_MAX_ROUTES    32u
#define RN_HTTP_MAX_LISTENERS (4u * RN_CONF_MAX_LIST)
#define RN_HTTP_ETAG_LEN      35u /* quote, 32 hex digits, quote, NUL */
#define RN_HTTP_LINGER_SECS   2u

/* An in-memory representation (embedded page, error page) with its gzip variant. */
struct rn_http_blob {
	const char   *path; /* NULL for error pages */
	const char   *content_type;
	const char   *cache_control;
	struct rn_buf body;
	struct rn_buf gz; /* empty: no gzip variant */
	char	      etag[RN_HTTP_ETAG_LEN];
	char	      gz_etag[RN_HTTP_ETAG_LEN];
};

/* The response head fields a handler chooses; the server adds the rest. */
struct rn_http_head {
	int	    status;
	const char *content_type;
	const char *cache_control;
	const char *etag;
	const char *content_encoding;
	const char *allow;
	const char *content_range;
	bool	    vary_encoding;
	bool	    accept_ranges;
	uint64_t    length;
};

enum rn_http_state {
	RN_HTTP_ST_HEAD,    /* reading a request head */
	RN_HTTP_ST_BODY,    /* handing a body to the route */
	RN_HTTP_ST_HANDLER, /* the route has not answered yet */
	RN_HTTP_ST_CLOSING, /* answer queued; close once written */
	RN_HTTP_ST_LINGER   /* written and shut down; discarding input briefly */
};

struct rn_http_exchange {
	struct rn_http_conn	   *conn;
	const struct rn_http_route *route;
	char			   *head; /* copy of the head; req points into it */
	uint64_t		    body_left;
	void			   *data;
	bool			    answered;
	unsigned		    circ_held; /* per-circuit resources held (circuit.c) */
};

struct rn_http_conn {
	TAILQ_ENTRY(rn_http_conn) entry;
	struct rn_http_server  *srv;
	struct bufferevent     *bev;
	struct event	       *timer;
	struct rn_http_req     *req; /* allocated at the first request */
	struct rn_http_exchange ex;
	enum rn_http_state	state;
	size_t			scan;	      /* rn_http_head_scan position */
	bool			head_started; /* a byte of this head arrived */
	bool			deadline_set; /* the head's hard deadline is armed */
	bool			parsed;	      /* req holds the current request */
	bool			in_process;   /* inside conn_process() */
	bool			keep_alive;   /* of the current exchange */
	unsigned		nrequests;
	unsigned		zone;	       /* of its listener: RN_HTTP_ZONE_* */
	uint64_t		window_bytes;  /* body bytes in this rate window */
	bool			onion;	       /* from the onion listener (OnionListen) */
	bool			proxy_pending; /* its PROXY header has not arrived yet */
	struct rn_http_circuit *circ;	       /* its circuit's limits, or NULL */
};
TAILQ_HEAD(rn_http_conn_list, rn_http_conn);

struct rn_http_etag_entry {
	dev_t		dev;
	ino_t		ino;
	off_t		size;
	struct timespec mtime, ctime;
	char		etag[RN_HTTP_ETAG_LEN];
	char	       *body; /* the whole file when small, else NULL */
	uint64_t	used; /* cache_tick of the last use */
};

struct rn_http_settings {
	struct rn_http_limits	      lim;
	uint64_t		      max_connections;
	uint64_t		      header_timeout, idle_timeout, write_timeout;
	uint64_t		      body_min_rate, body_rate_window;
	uint64_t		      max_body, max_requests;
	size_t			      nhosts;
	char			     *hosts[RN_CONF_MAX_LIST];
	int			      public_fd;
	struct rn_http_circuit_limits circ; /* CircuitMax* */
};

struct rn_http_server {
	struct event_base	  *base;
	struct rn_http_settings	   set;
	size_t			   nlisteners;
	struct evconnlistener	  *listeners[RN_HTTP_MAX_LISTENERS];
	unsigned		   listener_zone[RN_HTTP_MAX_LISTENERS];
	struct event		  *resume_accept;
	size_t			   nroutes;
	struct rn_http_route	   routes[RN_HTTP_MAX_ROUTES];
	size_t			   nconns;
	struct rn_http_conn_list   conns;
	struct rn_http_pages	  *pages;
	struct rn_http_etag_entry *etags;	/* RN_HTTP_ETAG_CACHE entries */
	size_t			   cache_bytes; /* file bytes held in etags[] */
	uint64_t		   cache_tick;
	bool			   shutting_down;
	void (*shutdown_done)(void *);
	void			*shutdown_arg;
	struct event		*shutdown_timer;
	struct rn_http_circuits *circuits;	/* with the first onion listener */
	struct event		*circuit_sweep; /* forgets idle circuits */
};

/* response.c */
void	    rn_http_put_head(struct rn_http_exchange *ex, const struct rn_http_head *h);
void	    rn_http_finish(struct rn_http_exchange *ex);
const char *rn_http_security_headers(void);

/* pages.c: embedded pages and pre-rendered error pages */
struct rn_http_pages;
struct rn_http_pages	  *rn_http_pages_new(void);
void			   rn_http_pages_free(struct rn_http_pages *p);
const struct rn_http_blob *rn_http_pages_find(const struct rn_http_pages *p, const char *path);
const struct rn_http_blob *rn_http_pages_error(const struct rn_http_pages *p, int status);
/* A complete 503 response for connections refused at accept time. */
const struct rn_buf *rn_http_pages_busy(const struct rn_http_pages *p);
void		     rn_http_etag_of(const void *data, size_t len, char out[RN_HTTP_ETAG_LEN]);
void rn_http_respond_blob(struct rn_http_exchange *ex, const struct rn_http_blob *b);

/* static.c: files under PublicDirectory */
void rn_http_static_serve(struct rn_http_exchange *ex);
/* Forget every cached file (on reconfiguration and at exit). */
void rn_http_static_cache_clear(struct rn_http_server *srv);

/* conn.c */
void rn_http_conn_accept(struct rn_http_server *srv, int fd, unsigned zone);
void rn_http_conn_free(struct rn_http_conn *c);
void rn_http_conn_shutdown(struct rn_http_conn *c);

#endif
