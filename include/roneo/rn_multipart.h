/*
 * A strict, streaming multipart/form-data parser (RFC 7578, RFC 2046
 * section 5.1) for drop-box uploads.  The body is fed in pieces of any size;
 * memory is one fixed allocation made by rn_multipart_new(), whatever the
 * size of the body, and part content is handed to the caller as it arrives,
 * mostly as pointers into the fed buffer.  Only bytes that may begin a
 * delimiter (at most the boundary length + 3) are held back until decided.
 *
 * Errors: RN_ERR_INVAL for malformed input (answer 400), RN_ERR_TOOBIG for a
 * limit (413), or the error a callback returned.  After an error the parser
 * stays failed and returns the same error.
 */
#ifndef RN_MULTIPART_H
#define RN_MULTIPART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rn_err.h"
#include "rn_limits.h"

/* Room for any valid boundary and its NUL. */
#define RN_MULTIPART_BOUNDARY_BUFSZ (RN_MULTIPART_MAX_BOUNDARY + 1u)

struct rn_multipart_limits {
	size_t max_parts;	 /* parts in the body */
	size_t max_header_bytes; /* one part's header block, CRLFs included */
	size_t max_headers;	 /* header fields of one part */
	size_t max_preamble;	 /* bytes before the first delimiter; 0 refuses any */
	size_t max_epilogue;	 /* bytes after the close delimiter's line */
};

/*
 * One part, as its headers describe it.  The strings are NUL-terminated,
 * decoded from quoted-string escapes, otherwise raw: no percent-decoding and
 * no path handling (a filename like "../../x" arrives as sent; the caller
 * sanitises it).  They live until the part's part_end callback returns.
 */
struct rn_multipart_part {
	size_t	    index; /* 0 for the first part */
	const char *name;  /* the form field name, 1..RN_MULTIPART_MAX_NAME bytes */
	size_t	    name_len;
	const char *filename;	  /* NULL when absent; "" when sent empty */
	size_t	    filename_len; /* at most RN_MULTIPART_MAX_FILENAME */
	const char *content_type; /* the raw header value (OWS trimmed) or NULL */
};

/*
 * Callbacks (any may be NULL).  A callback that returns anything but RN_OK
 * stops the parser, and rn_multipart_feed() returns that error.  part_data
 * may be called any number of times per part, with n > 0.  When the body is
 * malformed or truncated, the last part_begin gets no part_end.
 */
struct rn_multipart_cbs {
	enum rn_err (*part_begin)(const struct rn_multipart_part *part, void *arg);
	enum rn_err (*part_data)(const void *p, size_t n, void *arg);
	enum rn_err (*part_end)(void *arg);
};

struct rn_multipart;

/* The RN_DEF_MULTIPART_* defaults. */
void rn_multipart_limits_default(struct rn_multipart_limits *lim);

/*
 * The boundary of a Content-Type header value (OWS trimmed, not
 * NUL-terminated): the type must be multipart/form-data (case-insensitive)
 * with exactly one boundary parameter (token or quoted-string) of 1-70
 * RFC 2046 bchars not ending in a space; other parameters must be well
 * formed and are ignored.  The boundary is written NUL-terminated to out.
 * RN_ERR_INVAL for anything else; RN_ERR_TOOBIG if outsz is too small.
 */
enum rn_err rn_multipart_boundary(const char *content_type, size_t len, char *out, size_t outsz);

/* Whether b (NUL-terminated) is a valid boundary as above. */
bool rn_multipart_is_boundary(const char *b);

/*
 * A parser for one body.  lim NULL means the defaults; limits above the
 * RN_MAX_MULTIPART_* ceilings, a zero max_parts or an invalid boundary give
 * NULL, as does a failed allocation.  cbs is copied.
 */
struct rn_multipart *rn_multipart_new(const char *boundary, const struct rn_multipart_limits *lim,
    const struct rn_multipart_cbs *cbs, void *arg);
void		     rn_multipart_free(struct rn_multipart *mp);

/* Feed the next n bytes of the body. */
enum rn_err rn_multipart_feed(struct rn_multipart *mp, const void *p, size_t n);
/* The body ended: RN_OK only if the close delimiter was seen. */
enum rn_err rn_multipart_finish(struct rn_multipart *mp);

/* The HTTP status for the parser's error (200 while there is none). */
int rn_multipart_status(const struct rn_multipart *mp);
/* A short static description of the error ("ok" while there is none). */
const char *rn_multipart_error(const struct rn_multipart *mp);
/* Parts begun so far. */
size_t rn_multipart_parts(const struct rn_multipart *mp);

#endif
