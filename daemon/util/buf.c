/* Capped, growable byte buffers: every append checks the hard maximum first. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roneo/rn_util.h"

void
rn_buf_init(struct rn_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void
rn_buf_free(struct rn_buf *b)
{
	if (b == NULL)
		return;
	RN_FREE(b->data);
	b->len = 0;
	b->cap = 0;
}

void
rn_buf_reset(struct rn_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

enum rn_err
rn_buf_reserve(struct rn_buf *b, size_t n)
{
	size_t need, cap;
	char  *p;

	if (n > b->max || b->len > b->max - n)
		return RN_ERR_TOOBIG;
	need = b->len + n + 1;
	if (need <= b->cap)
		return RN_OK;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	if ((p = realloc(b->data, cap)) == NULL)
		return RN_ERR_NOMEM;
	b->data = p;
	b->cap = cap;
	return RN_OK;
}

enum rn_err
rn_buf_append(struct rn_buf *b, const void *p, size_t n)
{
	enum rn_err err;

	if ((err = rn_buf_reserve(b, n)) != RN_OK)
		return err;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return RN_OK;
}

enum rn_err
rn_buf_puts(struct rn_buf *b, const char *s)
{
	return rn_buf_append(b, s, strlen(s));
}

enum rn_err
rn_buf_printf(struct rn_buf *b, const char *fmt, ...)
{
	va_list	    ap;
	enum rn_err err;
	int	    n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return RN_ERR_INVAL;
	if ((err = rn_buf_reserve(b, (size_t)n)) != RN_OK)
		return err;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return RN_OK;
}

enum rn_err
rn_buf_html_escape(struct rn_buf *b, const char *s, size_t n)
{
	size_t	    i, start = 0, oldlen = b->len;
	const char *rep;
	enum rn_err err = RN_OK;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		if ((err = rn_buf_append(b, s + start, i - start)) != RN_OK ||
		    (err = rn_buf_puts(b, rep)) != RN_OK)
			goto out;
		start = i + 1;
	}
	err = rn_buf_append(b, s + start, n - start);
out:
	if (err != RN_OK) {
		b->len = oldlen;
		if (b->data != NULL)
			b->data[oldlen] = '\0';
	}
	return err;
}
