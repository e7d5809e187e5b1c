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

/* Crypto primitives (daemon/crypto) */
#define RN_HKDF_MAX_INFO  1024u			    /* OpenSSL's own ceiling for HKDF info */
#define RN_SCRYPT_MAX_OUT 1024u			    /* derived bytes */
#define RN_SCRYPT_MAX_MEM (1100ull * 1024u * 1024u) /* 128 r (N + p) bytes */

/* multipart/form-data request bodies (daemon/http/multipart.c) */
#define RN_MULTIPART_MAX_BOUNDARY	  70u	/* RFC 2046 */
#define RN_MULTIPART_MAX_NAME		  64u	/* form field name, bytes */
#define RN_MULTIPART_MAX_FILENAME	  255u	/* bytes, after quoted-string decoding */
#define RN_MULTIPART_MAX_CONTENT_TYPE	  255u	/* a part's Content-Type value */
#define RN_MULTIPART_MAX_LINE		  2048u /* one part header line, CRLF excluded */
#define RN_MULTIPART_MAX_PADDING	  64u	/* transport padding after a delimiter */
#define RN_DEF_MULTIPART_MAX_PARTS	  64u
#define RN_DEF_MULTIPART_MAX_HEADER_BYTES 8192u /* one part's header block */
#define RN_DEF_MULTIPART_MAX_HEADERS	  8u	/* header fields of one part */
#define RN_DEF_MULTIPART_MAX_PREAMBLE	  1024u /* 0 refuses any preamble */
#define RN_DEF_MULTIPART_MAX_EPILOGUE	  1024u
#define RN_MAX_MULTIPART_PARTS		  4096u
#define RN_MAX_MULTIPART_HEADER_BYTES	  65536u
#define RN_MAX_MULTIPART_HEADERS	  64u
#define RN_MAX_MULTIPART_PREAMBLE	  65536u
#define RN_MAX_MULTIPART_EPILOGUE	  65536u

/* Tar writer and codenames (daemon/inbox) */
#define RN_TAR_MAX_MEMBERS    1024u	    /* files in one archive */
#define RN_TAR_MAX_NAME	      200u	    /* bytes of a sanitised name, before " (n)" */
#define RN_TAR_MAX_FILE	      (1ull << 40)  /* bytes of one member */
#define RN_TAR_BUCKET_MIN     (64u * 1024u) /* smallest padded archive */
#define RN_TAR_BUCKET_MAX     (1ull << 62)  /* rn_tar_bucket() refuses above */
#define RN_CODENAME_MAX_INPUT 1024u	    /* bytes of a typed codename */

/* age files (daemon/crypto/age*.c) */
#define RN_AGE_MAX_HEADER	 (128u * 1024u) /* header bytes, MAC line included */
#define RN_AGE_MAX_STANZAS	 256u		/* stanzas read; recipients written */
#define RN_AGE_MAX_ARGS		 16u		/* arguments of one stanza */
#define RN_AGE_MAX_LINE		 4096u		/* a version or argument line, LF excluded */
#define RN_AGE_MAX_BODY		 4096u		/* decoded bytes of one stanza body */
#define RN_AGE_MAX_IDENTITY_FILE (64u * 1024u)
#define RN_BECH32_MAX		 90u /* characters of a Bech32 string (BIP-173) */
#define RN_AGE_MAX_HELD_CHUNKS	 4u  /* full chunks a positioned writer keeps back for holds */
#define RN_AGE_MAX_HOLDS	 16u /* open holds of a positioned writer */

/* The drop-box (daemon/inbox/upload.c, source.c, editor_api.c) */
#define RN_INBOX_MAX_FILES	 512u		 /* files in one submission (InboxMaxFiles) */
#define RN_INBOX_MAX_MESSAGE	 (1024u * 1024u) /* bytes of a message (InboxMaxMessageSize) */
#define RN_INBOX_MAX_FIELD	 1024u		 /* bytes of a short form field (token, ...) */
#define RN_INBOX_MAX_REPLY	 (1024u * 1024u) /* bytes of one sealed reply */
#define RN_INBOX_MAX_REPLIES	 64u		 /* replies shown to a source at once */
#define RN_INBOX_MAX_LIST	 100000u	 /* submissions in one editor listing */
#define RN_CODENAME_MAX_INFLIGHT 2u		 /* codename derivations at once (16 MiB each) */
#define RN_CODENAME_MAX_QUEUE	 32u		 /* codename checks waiting for a worker */

#endif
