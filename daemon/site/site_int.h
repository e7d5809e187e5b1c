/* Private helpers shared by the files of daemon/site/. */
#ifndef RN_SITE_INT_H
#define RN_SITE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "roneo/rn_site.h"

/*
 * Length of the UTF-8 sequence at s (shortest form, no surrogates, at most
 * U+10FFFF), its code point in *cp; 0 when it is not valid UTF-8.
 */
size_t site_utf8_next(const char *s, size_t n, uint32_t *cp);
bool   site_utf8_valid(const char *s, size_t n);
/* Explicit bidirectional formatting: U+202A..U+202E, U+2066..U+2069. */
bool site_is_bidi_control(uint32_t cp);

/* Fill err (if not NULL) and return code. */
enum rn_err site_fail(struct rn_site_error *err, unsigned line, enum rn_err code, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

/* Whether s is a valid slug (id, tag): [a-z0-9] and inner '-', 1..RN_SITE_MAX_ID. */
bool site_is_slug(const char *s);
/* Whether s is a language tag of the accepted subset. */
bool site_is_lang(const char *s);

/* Append s escaped for XML 1.0 text and attributes; characters XML forbids become U+FFFD. */
enum rn_err site_xml_escape(struct rn_buf *b, const char *s, size_t n);
/* Append s for an href: HTML-escaped, with anything outside a safe set percent-encoded. */
enum rn_err site_href_escape(struct rn_buf *b, const char *s, size_t n);

/* Documents sorted newest first (undated last, then by id); a new array of borrowed pointers. */
enum rn_err site_sort_by_date(
    const struct rn_site_doc *const *docs, size_t n, const struct rn_site_doc ***out);

/*
 * A writer that keeps the first error: after it, every call does nothing,
 * so a page is written straight through and the error checked once.
 */
struct site_w {
	struct rn_buf *b;
	enum rn_err    err;
};
void site_w_puts(struct site_w *w, const char *s);
void site_w_printf(struct site_w *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* HTML-escaped text; with `br`, newlines become <br>. */
void site_w_esc(struct site_w *w, const char *s, bool br);
void site_w_xml(struct site_w *w, const char *s);
void site_w_href(struct site_w *w, const char *s);

#endif
