/*
 * Fuzz target for the multipart/form-data parser (daemon/http/multipart.c).
 *
 * The input's first line (up to LF, a CR before it dropped) is parsed as a
 * Content-Type value; when it yields a boundary, the rest of the input is
 * parsed as a body with it.  The whole input is also parsed as a body with
 * the fixed boundary "AaB03x".  Each body is fed whole, then split at up to
 * three places taken from the input's first bytes, then (for small inputs)
 * one byte at a time.  abort() unless: the result and every callback are the
 * same whatever the split (compared by a running hash); the content bytes
 * delivered never exceed the input; part_begin and part_end alternate, and
 * all parts are ended on success; names and filenames are within their caps
 * and hold no NUL; a Content-Type boundary is itself a valid boundary.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "roneo/rn_multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FIXED_BOUNDARY "AaB03x"
#define BYTEWISE_MAX   4096u

struct trace {
	uint64_t h; /* FNV-1a over every event */
	uint64_t data_bytes;
	size_t	 begins, ends;
	bool	 in_part;
};

static void
mix(struct trace *t, const void *p, size_t n)
{
	const unsigned char *q = p;
	size_t i;

	for (i = 0; i < n; i++) {
		t->h ^= q[i];
		t->h *= 0x100000001b3ull;
	}
}

static enum rn_err
on_begin(const struct rn_multipart_part *part, void *arg)
{
	struct trace *t = arg;

	if (t->in_part || part->name == NULL || part->name_len == 0 ||
	    part->name_len > RN_MULTIPART_MAX_NAME || strlen(part->name) != part->name_len)
		abort();
	if (part->filename != NULL && (part->filename_len > RN_MULTIPART_MAX_FILENAME ||
					  strlen(part->filename) != part->filename_len))
		abort();
	if (part->content_type != NULL &&
	    strlen(part->content_type) > RN_MULTIPART_MAX_CONTENT_TYPE)
		abort();
	if (part->index != t->begins)
		abort();
	t->in_part = true;
	t->begins++;
	mix(t, "B", 1);
	mix(t, part->name, part->name_len + 1);
	if (part->filename != NULL)
		mix(t, part->filename, part->filename_len + 1);
	if (part->content_type != NULL)
		mix(t, part->content_type, strlen(part->content_type) + 1);
	return RN_OK;
}

static enum rn_err
on_data(const void *p, size_t n, void *arg)
{
	struct trace *t = arg;

	if (!t->in_part || n == 0)
		abort();
	t->data_bytes += n;
	mix(t, p, n); /* pieces may differ: hash only the bytes */
	return RN_OK;
}

static enum rn_err
on_end(void *arg)
{
	struct trace *t = arg;

	if (!t->in_part)
		abort();
	t->in_part = false;
	t->ends++;
	mix(t, "E", 1);
	return RN_OK;
}

static const struct rn_multipart_cbs cbs = { on_begin, on_data, on_end };

/* Parse body[0, n) fed in pieces ending at cuts[] (sorted), or byte by byte. */
static enum rn_err
parse(const char *bnd, const uint8_t *body, size_t n, const size_t *cuts, size_t ncuts,
    bool bytewise, struct trace *t)
{
	struct rn_multipart *mp;
	enum rn_err err = RN_OK;
	size_t at = 0, i, end;

	memset(t, 0, sizeof(*t));
	t->h = 0xcbf29ce484222325ull;
	if ((mp = rn_multipart_new(bnd, NULL, &cbs, t)) == NULL)
		abort(); /* a valid boundary and default limits */
	for (i = 0; err == RN_OK && at < n; i++) {
		if (bytewise)
			end = at + 1;
		else
			end = i < ncuts && cuts[i] > at ? cuts[i] : n;
		err = rn_multipart_feed(mp, body + at, end - at);
		at = end;
	}
	if (err == RN_OK)
		err = rn_multipart_finish(mp);
	if (rn_multipart_status(mp) != rn_err_http_status(err) || rn_multipart_error(mp) == NULL)
		abort();
	if (t->data_bytes > n || t->ends > t->begins || t->begins - t->ends > 1)
		abort();
	if (err == RN_OK && (t->in_part || t->begins != t->ends))
		abort();
	rn_multipart_free(mp);
	mix(t, &err, sizeof(err));
	return err;
}

static int
cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

static void
fuzz_body(const char *bnd, const uint8_t *body, size_t n, const uint8_t *seed, size_t nseed)
{
	struct trace whole, split;
	size_t cuts[3], i;

	(void)parse(bnd, body, n, NULL, 0, false, &whole);
	for (i = 0; i < 3; i++)
		cuts[i] = n == 0 ? 0 : (i < nseed ? seed[i] * 257u + i * 7919u : i * 31u) % n;
	qsort(cuts, 3, sizeof(cuts[0]), cmp_size);
	(void)parse(bnd, body, n, cuts, 3, false, &split);
	if (split.h != whole.h || split.data_bytes != whole.data_bytes)
		abort();
	if (n <= BYTEWISE_MAX) {
		(void)parse(bnd, body, n, NULL, 0, true, &split);
		if (split.h != whole.h)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char bnd[RN_MULTIPART_BOUNDARY_BUFSZ];
	const uint8_t *nl;
	size_t linelen, skip;

	fuzz_body(FIXED_BOUNDARY, data, size, data, size);
	nl = memchr(data, '\n', size);
	if (nl == NULL)
		return 0;
	skip = (size_t)(nl - data) + 1;
	linelen = skip - 1;
	if (linelen > 0 && data[linelen - 1] == '\r')
		linelen--;
	if (rn_multipart_boundary((const char *)data, linelen, bnd, sizeof(bnd)) != RN_OK)
		return 0;
	if (!rn_multipart_is_boundary(bnd) || strlen(bnd) > RN_MULTIPART_MAX_BOUNDARY)
		abort();
	fuzz_body(bnd, data + skip, size - skip, data, size);
	return 0;
}
