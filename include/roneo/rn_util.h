/* Small shared helpers: capped buffers, bounded string and number parsing, file I/O. */
#ifndef RN_UTIL_H
#define RN_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "rn_err.h"

/* Free a pointer and clear it, so a second free is harmless. */
#define RN_FREE(p)                                                                                 \
	do {                                                                                       \
		free(p);                                                                           \
		(p) = NULL;                                                                        \
	} while (0)
#define RN_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/*
 * A growable byte buffer with a hard maximum: appends past `max` fail with
 * RN_ERR_TOOBIG and leave the buffer as it was.  Always NUL-terminated.
 */
struct rn_buf {
	char  *data;
	size_t len;
	size_t cap;
	size_t max;
};

void rn_buf_init(struct rn_buf *b, size_t max);
void rn_buf_free(struct rn_buf *b);  /* frees data; the struct may be reused after init */
void rn_buf_reset(struct rn_buf *b); /* len = 0, keeps the allocation */
/* Make room for n more bytes (and the NUL) without changing the content. */
enum rn_err rn_buf_reserve(struct rn_buf *b, size_t n);
enum rn_err rn_buf_append(struct rn_buf *b, const void *p, size_t n);
enum rn_err rn_buf_puts(struct rn_buf *b, const char *s);
enum rn_err rn_buf_printf(struct rn_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Append s with & < > " ' escaped for HTML text and attribute values. */
enum rn_err rn_buf_html_escape(struct rn_buf *b, const char *s, size_t n);

/* Decimal parsing of the whole of [s, s+n): digits only, no sign, no spaces. */
enum rn_err rn_parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out);

/* Lower-case hex of n bytes into out (2n+1 bytes, NUL-terminated). */
void rn_hex_encode(const uint8_t *in, size_t n, char *out);

/* ASCII-only, locale-independent case-insensitive comparison of n bytes. */
bool rn_ascii_casecmp_n(const char *a, const char *b, size_t n);

/*
 * Escape untrusted bytes for a log line: printable ASCII kept, anything else
 * as \xNN, cut at `max` input bytes with "..." appended.  Returns `out`.
 */
const char *rn_escape_untrusted(const char *s, size_t n, size_t max, char *out, size_t outsz);

/* Read a whole regular file of at most `max` bytes into b (b->max is set to max). */
enum rn_err rn_file_read_all(const char *path, size_t max, struct rn_buf *b);
/*
 * Durable write: temp file in the same directory, write, fsync, rename over
 * path, fsync the directory.  Either the old or the new content survives a crash.
 */
enum rn_err rn_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode);
/* fsync the directory that holds path. */
enum rn_err rn_file_fsync_parent(const char *path);

/* Monotonic clock in milliseconds. */
uint64_t rn_time_mono_ms(void);

/*
 * Base64 (RFC 4648 section 4, with '=' padding).  The encoder writes
 * rn_base64_len(n) + 1 bytes (NUL-terminated) to out.  The decoder is strict:
 * no whitespace, padding exactly as the encoder writes it, unused bits zero,
 * so each byte string has one accepted encoding; it writes at most outsz
 * bytes and sets *outlen.
 */
#define rn_base64_len(n) ((((n) + 2) / 3) * 4)
void	    rn_base64_encode(const uint8_t *in, size_t n, char *out);
enum rn_err rn_base64_decode(const char *in, size_t n, uint8_t *out, size_t outsz, size_t *outlen);
/* Strict lower-case or upper-case hex of exactly 2 * outsz characters. */
enum rn_err rn_hex_decode(const char *in, size_t n, uint8_t *out, size_t outsz);

#endif
