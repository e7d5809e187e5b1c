/*
 * Fuzz the streaming tar reader (rn_untar): the input is an archive, read
 * whole and again in pieces of 1 to 700 bytes chosen by its first byte; both
 * readings must agree (same result, same members).  Every path handed to
 * begin() must pass the reader's own check unchanged: relative, no "." or
 * ".." or empty component, no control character, valid UTF-8.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "roneo/rn_editor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	uint64_t members, bytes, want, got;
	uint8_t	 h;
};

static enum rn_err
on_begin(const char *path, bool dir, uint64_t size, void *arg)
{
	struct seen *s = arg;
	char	     again[RN_UNTAR_MAX_PATH + 1];
	size_t	     n = strlen(path), i;

	if (rn_untar_path_check(path, n, dir, again, sizeof(again)) != RN_OK ||
	    strcmp(again, path) != 0 || path[0] == '/' || (dir && size != 0))
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)path[i] < 0x20 || path[i] == 0x7f)
			abort();
	if (strcmp(path, "..") == 0 || strncmp(path, "../", 3) == 0 || strstr(path, "/../") ||
	    (n >= 3 && strcmp(path + n - 3, "/..") == 0))
		abort();
	s->members++;
	s->want = size;
	s->got = 0;
	for (i = 0; i < n; i++)
		s->h = (uint8_t)(s->h * 31 + (uint8_t)path[i]);
	return RN_OK;
}

static enum rn_err
on_data(const void *p, size_t n, void *arg)
{
	struct seen   *s = arg;
	const uint8_t *b = p;
	size_t	       i;

	if (n == 0 || s->got + n > s->want)
		abort();
	s->got += n;
	s->bytes += n;
	for (i = 0; i < n; i++)
		s->h = (uint8_t)(s->h * 31 + b[i]);
	return RN_OK;
}

static enum rn_err
on_end(void *arg)
{
	struct seen *s = arg;

	if (s->got != s->want)
		abort();
	return RN_OK;
}

static enum rn_err
read_in(const uint8_t *data, size_t size, size_t step, struct seen *s)
{
	static const struct rn_untar_ops ops = { on_begin, on_data, on_end };
	struct rn_untar			*u = rn_untar_new(&ops, s);
	enum rn_err			 err = RN_OK;
	size_t				 off;

	if (u == NULL)
		abort();
	for (off = 0; off < size && err == RN_OK; off += step)
		err = rn_untar_update(u, data + off, size - off < step ? size - off : step);
	if (err == RN_OK)
		err = rn_untar_finish(u);
	rn_untar_free(u);
	return err;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen a, b;
	enum rn_err ea, eb;
	size_t	    step;

	if (size == 0)
		return 0;
	step = 1 + (size_t)data[0] * 700 / 256;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ea = read_in(data + 1, size - 1, size, &a);
	eb = read_in(data + 1, size - 1, step, &b);
	if (ea != eb || (ea == RN_OK && memcmp(&a, &b, sizeof(a)) != 0))
		abort();
	return 0;
}
