/*
 * Every hard limit of roneo, in one place.  Limits an operator may tune are
 * config options whose defaults are the RN_DEF_* values here; RN_MAX_* are
 * compiled-in ceilings that no config can exceed.
 */
#ifndef RN_LIMITS_H
#define RN_LIMITS_H

/* HTTP request head (RFC 9112 parsing) */
#define RN_DEF_HTTP_MAX_REQUEST_LINE	  8192u
#define RN_DEF_HTTP_MAX_HEADER_BYTES	  16384u /* whole head, request line included */
#define RN_DEF_HTTP_MAX_HEADERS		  64u
#define RN_MAX_HTTP_HEADERS		  256u
#define RN_MAX_HTTP_HEADER_BYTES	  65536u
#define RN_HTTP_MAX_METHOD		  16u
#define RN_HTTP_MAX_PATH		  2048u /* decoded path */
#define RN_HTTP_MAX_LEADING_CRLF	  4u	/* empty lines tolerated before a request line */
#define RN_HTTP_MAX_CONTENT_LENGTH_DIGITS 19u	/* so any Content-Length fits in 64 bits */

/* HTTP connections */
#define RN_DEF_HTTP_MAX_CONNECTIONS	  1024u
#define RN_DEF_HTTP_HEADER_TIMEOUT	  10u	/* seconds to receive a whole head */
#define RN_DEF_HTTP_IDLE_TIMEOUT	  15u	/* seconds between keep-alive requests */
#define RN_DEF_HTTP_WRITE_TIMEOUT	  30u	/* seconds without write progress */
#define RN_DEF_HTTP_BODY_MIN_RATE	  1024u /* bytes per second, averaged */
#define RN_DEF_HTTP_BODY_RATE_WINDOW	  10u	/* seconds over which the rate is averaged */
#define RN_DEF_HTTP_MAX_BODY		  (1024u * 1024u)
#define RN_DEF_HTTP_MAX_REQUESTS_PER_CONN 1000u
#define RN_DEF_SHUTDOWN_TIMEOUT		  10u	 /* seconds to finish in-flight requests */
#define RN_HTTP_READ_CHUNK		  16384u /* body bytes handed to a handler at once */
#define RN_HTTP_OUTPUT_HIGH		  (256u * 1024u) /* stop serving pipelined requests above */
#define RN_HTTP_MAX_PIPELINE_BYTES	  RN_MAX_HTTP_HEADER_BYTES

/* Static files */
#define RN_HTTP_ETAG_WAYS	 4u		      /* entries per set */
#define RN_HTTP_ETAG_CACHE	 1024u		      /* entries */
#define RN_HTTP_SMALL_FILE	 (64u * 1024u)	      /* files kept in memory, at most */
#define RN_HTTP_FILE_CACHE_BYTES (4u * 1024u * 1024u) /* for all of them */
#define RN_HTTP_MAX_STATIC_FILE	 (1ull << 40)

/* Config */
#define RN_CONF_MAX_LINE 4096u
#define RN_CONF_MAX_FILE (256u * 1024u)
#define RN_CONF_MAX_LIST 64u /* values of one repeatable key */

/* IPC between processes */
#define RN_IPC_MAX_PAYLOAD     (256u * 1024u)
#define RN_IPC_HDR_LEN	       8u
#define RN_IPC_MAX_PENDING_FDS 16u    /* received fds not yet claimed by a frame */
#define RN_IPC_SEND_TIMEOUT_MS 5000u  /* total wait for room in the socket per frame */
#define RN_PROC_PW_BUF	       16384u /* getpwnam_r buffer */

/* Children */
#define RN_PROC_BACKOFF_MIN_MS 250u
#define RN_PROC_BACKOFF_MAX_MS 30000u
#define RN_PROC_STABLE_SECS    30u /* a child up this long resets its backoff */

/* Logging */
#define RN_LOG_MAX_LINE	     1024u
#define RN_LOG_UNTRUSTED_MAX 80u /* untrusted text is escaped and cut to this */

/* Config: listeners (added with daemon/conf) */
#define RN_CONF_MAX_UNIX_PATH	100u /* unix socket path, DataDirectory joined */
#define RN_CONF_LISTEN_HOST_MAX 46u  /* numeric address text, as INET6_ADDRSTRLEN */

#endif
