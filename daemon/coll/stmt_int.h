/* Line reading and writing shared by the statement parsers (daemon/coll). */
#ifndef RN_COLL_STMT_INT_H
#define RN_COLL_STMT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "roneo/rn_coll.h"

/* A cursor over body lines already checked by rn_coll_stmt_split(). */
struct stmt_lines {
	const char *p;
	size_t	    n, off;
};

void stmt_lines_init(struct stmt_lines *l, const uint8_t *p, size_t n);
bool stmt_lines_done(const struct stmt_lines *l);
bool stmt_lines_next_is(const struct stmt_lines *l, const char *kw);
/* The next line: exactly "kw" (val NULL) or "kw <value>" (value non-empty). */
enum rn_err stmt_line(struct stmt_lines *l, const char *kw, const char **val, size_t *vlen);
enum rn_err stmt_word(const char **s, size_t *n, const char **w, size_t *wn);
/* Decimal without leading zeros. */
enum rn_err stmt_u64(const char *s, size_t n, uint64_t *out);
enum rn_err stmt_u64_line(struct stmt_lines *l, const char *kw, uint64_t *out);
enum rn_err stmt_id_line(struct stmt_lines *l, const char *kw, uint8_t out[RN_COLL_ID_LEN]);
enum rn_err stmt_u64_id_line(
    struct stmt_lines *l, const char *kw, uint64_t *u, uint8_t id[RN_COLL_ID_LEN]);
enum rn_err stmt_put_id(struct rn_buf *b, const char *kw, const uint8_t id[RN_COLL_ID_LEN]);

#endif
