/*
 * roneod.conf: torrc-style "Key value" lines, '#' comments, repeatable keys
 * for lists.  One table (daemon/conf/options.c) names every option with its
 * type, default and documentation; the parser, --dump-config and the man-page
 * check all read that table.
 */
#ifndef RN_CONF_H
#define RN_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rn_err.h"
#include "rn_limits.h"
#include "rn_log.h"
#include "rn_util.h"

struct rn_conf_list {
	size_t n;
	char  *v[RN_CONF_MAX_LIST];
};

struct rn_conf {
	/* process and files */
	char		 *data_directory;   /* absolute */
	char		 *user;		    /* child user when started as root */
	char		 *public_directory; /* absolute; default DataDirectory/public */
	enum rn_log_level log_level;
	bool		  syslog;
	uint64_t	  shutdown_timeout; /* seconds */

	/* listeners and names */
	struct rn_conf_list listen; /* "ADDR:PORT", "[ADDR6]:PORT" or "unix:PATH" */
	bool		    allow_non_loopback;
	struct rn_conf_list host_names; /* accepted Host values (no port) */

	/* HTTP limits */
	uint64_t max_connections;
	uint64_t header_timeout;   /* seconds, whole head */
	uint64_t idle_timeout;	   /* seconds between keep-alive requests */
	uint64_t write_timeout;	   /* seconds without write progress */
	uint64_t body_min_rate;	   /* bytes per second */
	uint64_t body_rate_window; /* seconds */
	uint64_t max_request_line; /* bytes */
	uint64_t max_header_bytes; /* bytes */
	uint64_t max_headers;	   /* count */
	uint64_t max_body;	   /* bytes, for routes without their own limit */
	uint64_t max_requests_per_conn;

	/* Editors and the drop-box */
	struct rn_conf_list editor_listen;	  /* the editor API's listeners, as listen */
	struct rn_conf_list editors;		  /* "MINISIGN-PUBLIC-KEY AGE-RECIPIENT" */
	uint64_t	    inbox_max_file;	  /* bytes */
	uint64_t	    inbox_max_submission; /* bytes, as sent */
	uint64_t	    inbox_max_files;
	uint64_t	    inbox_max_message;	/* bytes */
	uint64_t	    inbox_max_uploads;	/* concurrent */
	uint64_t	    inbox_max_bytes;	/* sealed and in progress */
	uint64_t	    inbox_disk_reserve; /* bytes kept free */
	bool		    inbox_honeypot;
	uint64_t	    inbox_retention_days; /* 0: off */
	uint64_t	    codename_attempts;	  /* per minute, all sources */

	/* Tor (daemon/tor) */
	char		   *tor_mode;	    /* launch, control, system or off */
	char		   *tor_binary;	    /* launch: the tor program */
	char		   *tor_control;    /* control, system: "unix:PATH" or "IPv4:PORT" */
	char		   *tor_socks_port; /* launch: "auto", "0" or a port */
	struct rn_conf_list tor_include;    /* launch: torrc fragments, absolute paths */
	char		   *tor_hidden_service_dir; /* system: tor's HiddenServiceDir */
	bool		    onion_pow;		    /* proof-of-work defense on the public onion */
	struct rn_conf_list editor_client_auth;	    /* base32 x25519 public keys */

	/* The onion listener and per-circuit limits (daemon/http/proxy.c, circuit.c) */
	struct rn_conf_list onion_listen;	  /* as listen; connections send a PROXY header */
	uint64_t	    circuit_max_requests; /* per second; 0: no limit */
	uint64_t	    circuit_max_connections;   /* 0: no limit */
	uint64_t	    circuit_max_uploads;       /* concurrent; 0: no limit */
	uint64_t	    circuit_codename_attempts; /* per minute; 0: no limit */
};

enum rn_conf_type {
	RN_CONF_BOOL,	  /* 0 or 1 */
	RN_CONF_UINT,	  /* decimal, within [min, max] */
	RN_CONF_SIZE,	  /* N [bytes|KB|KiB|MB|MiB|GB|GiB], within [min, max] bytes */
	RN_CONF_DURATION, /* N [seconds|minutes|hours|days], within [min, max] seconds */
	RN_CONF_STRING,
	RN_CONF_PATH, /* absolute path */
	RN_CONF_LIST, /* repeatable; each line adds one value */
	RN_CONF_LOGLEVEL
};

struct rn_conf_option {
	const char	 *name;
	enum rn_conf_type type;
	const char	 *def;	    /* default as written in a config file; NULL: none */
	size_t		  offset;   /* into struct rn_conf */
	uint64_t	  min, max; /* for UINT, SIZE and DURATION */
	bool		  secret;   /* redacted by --dump-config */
	const char	 *doc;	    /* one sentence for the man page and --help */
};

/* The option table, in the order of the man page. */
const struct rn_conf_option *rn_conf_options(size_t *n);

/* A new config holding every default. */
struct rn_conf *rn_conf_new(void);
void		rn_conf_free(struct rn_conf *c);
#define RN_CONF_FREE(c)                                                                            \
	do {                                                                                       \
		rn_conf_free(c);                                                                   \
		(c) = NULL;                                                                        \
	} while (0)

/*
 * Parse config text on top of c (normally fresh from rn_conf_new()).  A list
 * key given in the text replaces its default list.  On error, err holds
 * "NAME:LINE: message" and c must be discarded.
 */
enum rn_err rn_conf_parse(
    struct rn_conf *c, const char *text, size_t len, const char *name, char *err, size_t errlen);
/* Read and parse a file (at most RN_CONF_MAX_FILE bytes), then validate. */
enum rn_err rn_conf_load(struct rn_conf *c, const char *path, char *err, size_t errlen);
/* Checks across options (e.g. timeouts, non-loopback listeners). */
enum rn_err rn_conf_validate(const struct rn_conf *c, char *err, size_t errlen);
/*
 * The effective configuration in config-file syntax, every option once (lists
 * one line per value).  Parsing the dump yields an equal config; parents hand
 * children their config this way.  With redact, secret values print as
 * "[redacted]".
 */
enum rn_err rn_conf_dump(const struct rn_conf *c, struct rn_buf *out, bool redact);

/* A unix listener: "unix:PATH"; relative paths are under DataDirectory. */
bool rn_conf_listen_is_unix(const char *spec);

/*
 * Additions (daemon/conf).  In the table, the default of an RN_CONF_LIST
 * option holds its values separated by newlines.
 */

/*
 * Set one option as a config line "key value" would (key case-insensitive,
 * value trimmed, the same checks), e.g. for command-line overrides.  A list
 * key replaces the whole list with this one value; "+Key" appends to it.
 * Setting DataDirectory moves a PublicDirectory that was DataDirectory/public
 * along with it.  On error, err holds "Key: message" and c is unchanged,
 * except after RN_ERR_NOMEM while moving PublicDirectory (DataDirectory is set,
 * PublicDirectory is not moved).
 */
enum rn_err rn_conf_set(
    struct rn_conf *c, const char *key, const char *value, char *err, size_t errlen);

/* One Listen value, parsed. */
enum rn_conf_listen_family { RN_CONF_LISTEN_INET, RN_CONF_LISTEN_INET6, RN_CONF_LISTEN_UNIX };

struct rn_conf_listen {
	enum rn_conf_listen_family family;
	uint8_t			   addr[16]; /* network order; 4 bytes for INET */
	char			   host[RN_CONF_LISTEN_HOST_MAX];   /* numeric, no brackets */
	uint16_t		   port;			    /* 1..65535; 0 for UNIX */
	char			   path[RN_CONF_MAX_UNIX_PATH + 1]; /* UNIX: absolute */
	bool			   loopback; /* 127.0.0.0/8, ::1 or a unix socket */
};

/*
 * Parse a Listen value: "IPv4:PORT", "[IPv6]:PORT", "localhost:PORT" (which
 * is 127.0.0.1) or "unix:PATH".  A relative PATH is joined to data_directory
 * (which may then not be NULL) and the result may not exceed
 * RN_CONF_MAX_UNIX_PATH bytes.  On error, err says why.
 */
enum rn_err rn_conf_listen_parse(const char *spec, const char *data_directory,
    struct rn_conf_listen *out, char *err, size_t errlen);

#endif
