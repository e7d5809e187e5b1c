/*
 * The YAML subset of front matter (daemon/site/frontmatter.c): one mapping of
 * keys to scalars, flat lists ([a, b] or "- item" lines) or one level of
 * "key: scalar" pairs.  Scalars stay text here, with whether they were
 * quoted; the fm_* readers give them a type.  Anything outside the subset
 * is an error naming its line.
 */
#ifndef RN_SITE_FRONTMATTER_H
#define RN_SITE_FRONTMATTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "roneo/rn_site.h"

#define FM_MAX_KEY 32u

enum fm_kind { FM_NONE = 0, FM_SCALAR, FM_LIST, FM_MAP };

struct fm_scalar {
	char	*s; /* decoded, NUL-terminated (may hold NUL only via errors: never) */
	size_t	 n;
	bool	 quoted;
	unsigned line;
};

struct fm_pair {
	char		 key[FM_MAX_KEY + 1];
	struct fm_scalar val;
};

struct fm_entry {
	char		  key[FM_MAX_KEY + 1];
	unsigned	  line;
	enum fm_kind	  kind;
	struct fm_scalar  scalar; /* FM_SCALAR */
	struct fm_scalar *items;  /* FM_LIST */
	size_t		  nitems;
	struct fm_pair	 *pairs; /* FM_MAP */
	size_t		  npairs;
};

struct fm_doc {
	struct fm_entry *e;
	size_t		 n;
};

/*
 * Find the front matter of a document: text starts with a "---" line and the
 * front matter ends at the next "---" line.  [*fm, *fm + *fmlen) is between
 * the fences (its first line is line 2); the body starts at *body_off.
 */
enum rn_err fm_split(const char *text, size_t len, const char **fm, size_t *fmlen, size_t *body_off,
    struct rn_site_error *err);
/* Parse the lines between the fences; first_line numbers the first of them. */
enum rn_err fm_parse(
    const char *fm, size_t len, unsigned first_line, struct fm_doc *out, struct rn_site_error *err);
void fm_doc_free(struct fm_doc *d);

/* Typed readings of a scalar; errors name the key and the line. */
enum rn_err fm_bool(
    const struct fm_scalar *v, const char *key, bool *out, struct rn_site_error *err);
enum rn_err fm_uint(const struct fm_scalar *v, const char *key, uint64_t max, uint64_t *out,
    struct rn_site_error *err);
enum rn_err fm_date(const struct fm_scalar *v, const char *key, struct rn_site_date *out,
    struct rn_site_error *err);
/* A string: plain scalars that YAML would read as something else must be quoted. */
enum rn_err fm_str(const struct fm_scalar *v, const char *key, struct rn_site_error *err);

#endif
