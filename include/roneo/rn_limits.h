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

/* Site documents, pages, feeds and search (daemon/site) */
#define RN_SITE_MAX_DOC		  (272u * 1024u) /* a whole document file */
#define RN_SITE_MAX_FRONTMATTER	  (16u * 1024u)	 /* bytes between the fences */
#define RN_SITE_MAX_FM_LINES	  512u
#define RN_SITE_MAX_BODY	  (256u * 1024u) /* Markdown input cap */
#define RN_SITE_MAX_ID		  64u		 /* bytes of an id, tag or section slug */
#define RN_SITE_MAX_LANG	  35u		 /* bytes of a language tag */
#define RN_SITE_MAX_TITLE	  256u
#define RN_SITE_MAX_TEXT	  4096u /* summary and the write-up's text fields */
#define RN_SITE_MAX_NAME	  64u	/* an author pseudonym or a party's role */
#define RN_SITE_MAX_ATTACHMENT	  128u	/* bytes of an attachment name */
#define RN_SITE_MAX_LIST	  64u	/* items of one list or mapping */
#define RN_SITE_MAX_REVISION	  1000000u
#define RN_SITE_MAX_PAGE	  (8u * 1024u * 1024u) /* bytes of one rendered page or feed */
#define RN_SITE_MAX_AST_LINKS	  65536u /* links and images rewritten in one document */
#define RN_SITE_MAX_PER_PAGE	  500u	 /* documents on one index page */
#define RN_SITE_MAX_FEED_ENTRIES  50u
#define RN_SITE_MAX_QUERY	  256u /* bytes of a search query */
#define RN_SITE_MAX_QUERY_TERMS	  16u
#define RN_SITE_MAX_RESULTS	  50u /* hits on one page of results */
#define RN_SITE_MAX_RESULT_OFFSET 1000u

/* The signed collection (daemon/coll, docs/protocol.md) */
#define RN_COLL_MAX_OBJECT	   (1024u * 1024u) /* payload bytes of one object */
#define RN_COLL_CDC_MIN		   (16u * 1024u)   /* chunk sizes of the content chunker */
#define RN_COLL_CDC_AVG		   (64u * 1024u)
#define RN_COLL_CDC_MAX		   (256u * 1024u)
#define RN_COLL_BODY_CHUNK_AT	   (64u * 1024u)	    /* bodies over this are chunked */
#define RN_COLL_ATT_CHUNK_AT	   (1024u * 1024u)	    /* attachments over this are chunked */
#define RN_COLL_MAX_CONTENT	   (256ull * 1024u * 1024u) /* one body or attachment */
#define RN_COLL_MAX_CHUNKS	   16384u /* RN_COLL_MAX_CONTENT / RN_COLL_CDC_MIN */
#define RN_COLL_MAX_DOCID	   64u
#define RN_COLL_MAX_TITLE	   512u
#define RN_COLL_MAX_LANG	   35u
#define RN_COLL_MAX_ATT_NAME	   128u
#define RN_COLL_MAX_MEDIA	   127u
#define RN_COLL_MAX_ATTACHMENTS	   64u
#define RN_COLL_MAX_REASON	   1024u	 /* tombstone reason, bytes */
#define RN_COLL_TRIE_BUCKET	   16u		 /* entries of a leaf node */
#define RN_COLL_MAX_DOCS	   (1u << 20)	 /* documents in one manifest */
#define RN_COLL_MAX_LOG		   (1ull << 32)	 /* records in one change log */
#define RN_COLL_MAX_PROOF	   64u		 /* hashes in a log proof */
#define RN_COLL_MAX_RECORDS	   100000u	 /* records in one commit */
#define RN_COLL_MAX_STATEMENT	   (64u * 1024u) /* bytes of a signed statement */
#define RN_COLL_MAX_LINE	   256u		 /* bytes of one statement line, LF excluded */
#define RN_COLL_MAX_EDITORS	   32u
#define RN_COLL_MAX_SIGS	   64u		 /* signature lines of a statement */
#define RN_COLL_MAX_TSKEYS	   4u		 /* timestamp keys of a ROOT */
#define RN_COLL_MAX_MIRRORS	   64u		 /* mirror keys of a ROOT */
#define RN_COLL_MAX_LABEL	   32u		 /* editor label */
#define RN_COLL_TIMESTAMP_MAX_SECS (72u * 3600u) /* a timestamp's lifetime */
#define RN_COLL_MAX_DENY	   (1u << 20)	 /* ids on the deny list */

/* Editors: signed requests, the CLI, the tar reader (daemon/inbox/editor_*.c, untar.c, daemon/cli)
 */
#define RN_EDITOR_AUTH_WINDOW  300u  /* seconds a signed request's ts may differ from now */
#define RN_EDITOR_NONCE_CACHE  4096u /* live nonces remembered; full refuses (503) */
#define RN_EDITOR_MAX_KEYS     RN_CONF_MAX_LIST	     /* editors of one server */
#define RN_EDITOR_MAX_TARGET   2048u		     /* bytes of a signed request target */
#define RN_EDITOR_MAX_REPLY    (1024u * 1024u)	     /* sealed reply body the API takes */
#define RN_EDITOR_MAX_ANSWER   (16u * 1024u * 1024u) /* a JSON answer the CLI reads */
#define RN_EDITOR_MAX_KEY_FILE 4096u		     /* a minisign key file */
#define RN_UNTAR_MAX_MEMBERS   4096u		     /* files and directories of one archive */
#define RN_UNTAR_MAX_PATH      4096u		     /* bytes of a member path */
#define RN_UNTAR_MAX_COMPONENT 255u		     /* bytes of one path component */
#define RN_UNTAR_MAX_DEPTH     32u		     /* components of a member path */
#define RN_UNTAR_MAX_PAX       (64u * 1024u)	     /* one pax extended header */
#define RN_UNTAR_MAX_FILE      (1ull << 40)	     /* bytes of one member */
#define RN_UNTAR_MAX_TOTAL     (1ull << 42)	     /* bytes of all members */

/* Tor (daemon/tor) */
#define RN_TORCTL_MAX_LINE	16384u	       /* one reply or data line, CRLF excluded */
#define RN_TORCTL_MAX_LINES	1024u	       /* lines of one reply, data lines included */
#define RN_TORCTL_MAX_REPLY	(256u * 1024u) /* bytes of one reply */
#define RN_TORCTL_MAX_CMD	8192u	       /* bytes of one command we send */
#define RN_TORCTL_MAX_PENDING	64u	       /* commands awaiting their reply */
#define RN_TOR_START_TIMEOUT_MS 60000u	       /* a launched tor has this long to open its socket */
#define RN_TOR_RETRY_MIN_MS	1000u	       /* reconnect or relaunch backoff */
#define RN_TOR_RETRY_MAX_MS	60000u
#define RN_TOR_EXIT_WAIT_MS	5000u /* for a launched tor to exit once we close */
#define RN_TOR_MAX_ONION_FILE	256u  /* bytes of an hs_ed25519_* or hostname file */
#define RN_ADMIN_MAX_REQUEST	256u  /* bytes of a request line */
#define RN_ADMIN_MAX_REPLY	(64u * 1024u)
#define RN_ADMIN_MAX_CLIENTS	8u
#define RN_ADMIN_TIMEOUT_MS	5000u

/* The onion listener: PROXY header and per-circuit limits (daemon/http/proxy.c, circuit.c) */
#define RN_PROXY_V1_MAX			 107u  /* bytes of a PROXY v1 header, CRLF included */
#define RN_HTTP_CIRCUIT_TABLE		 4096u /* circuits remembered at once */
#define RN_HTTP_CIRCUIT_BURST_SECS	 2u    /* request burst: this many seconds of the rate */
#define RN_HTTP_CIRCUIT_FORGET_SECS	 60u   /* an idle circuit is forgotten after this */
#define RN_HTTP_CIRCUIT_SWEEP_SECS	 10u   /* how often idle circuits are looked for */
#define RN_DEF_CIRCUIT_MAX_REQUESTS	 10u   /* per second (CircuitMaxRequestsPerSecond) */
#define RN_DEF_CIRCUIT_MAX_CONNECTIONS	 16u
#define RN_DEF_CIRCUIT_MAX_UPLOADS	 2u
#define RN_DEF_CIRCUIT_CODENAME_ATTEMPTS 5u	/* per minute */
#define RN_MAX_CIRCUIT_RATE		 10000u /* ceiling of the per-second and per-minute rates */

/* Bundles and the keeper (daemon/coll/bundle.c, daemon/keeper/) */
#define RN_COLL_MAX_BUNDLE	   (320u * 1024u * 1024u)    /* bytes of one uploaded bundle */
#define RN_COLL_MAX_BUNDLE_ENTRIES (1u << 18)		     /* entries of one bundle */
#define RN_COLL_MAX_BUNDLE_ROOTS   64u			     /* ROOT statements in one bundle */
#define RN_KEEPER_MAX_PENDING	   64u			     /* commits waiting for signatures */
#define RN_KEEPER_MAX_EXPORT	   (1024ull * 1024u * 1024u) /* bytes of one ?since= stream */
#define RN_KEEPER_MAX_INFLIGHT	   64u	      /* editor requests the http child has at the keeper */
#define RN_KEEPER_PER_PAGE	   20u	      /* documents on one page of an index */
#define RN_KEEPER_MAX_SITE_FILES   (1u << 20) /* files the keeper writes under PublicDirectory */
#define RN_KEEPER_SEARCH_PER_PAGE  20u	      /* hits on one page of /search */

/* The editor's replica (daemon/cli/cmd_coll*.c) */
#define RN_COLL_MAX_REPLICA_STATE (512u * 1024u * 1024u) /* bytes of its saved verifier state */

#endif
