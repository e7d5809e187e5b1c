/*
 * Unit tests for the positioned age writer (rn_age_writer_new_fd) with its
 * holds and patches, and for tar members of unknown size
 * (rn_tar_begin_stream) patched through it.  Every file written is opened
 * again with our reader; the end-to-end test also runs Debian's age and GNU
 * tar on it (age -d -i KEY FILE | tar -x, with posix_spawn).  A seal hook
 * (crypto/age_int.h) records every chunk counter sealed: each must be used
 * exactly once, and only the final one with the last flag.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto/age_int.h"
#include "roneo/rn_age.h"
#include "roneo/rn_inbox.h"
#include "roneo/rn_util.h"

#define CHUNK	  ((size_t)RN_AGE_CHUNK)
#define MAX_SEALS 64u
#define MAX_PLAIN (2u * 1024u * 1024u)
#define TMPL	  "/tmp/rn-age-hold-XXXXXX"

extern char **environ;

/* ---- the seal hook: which counters were used ---- */

struct seals {
	unsigned uses[MAX_SEALS];
	unsigned lasts[MAX_SEALS];
	unsigned beyond; /* counters >= MAX_SEALS */
};

static void
record_seal(uint64_t counter, bool last, void *arg)
{
	struct seals *s = arg;

	if (counter >= MAX_SEALS) {
		s->beyond++;
		return;
	}
	s->uses[counter]++;
	if (last)
		s->lasts[counter]++;
}

/* Counters 0 .. n-1 each used once, the last flag on n-1 only. */
static void
check_seals(const struct seals *s, size_t n)
{
	size_t i;

	assert_true(n <= MAX_SEALS);
	assert_int_equal(s->beyond, 0);
	for (i = 0; i < MAX_SEALS; i++) {
		assert_int_equal(s->uses[i], i < n ? 1 : 0);
		assert_int_equal(s->lasts[i], i + 1 == n ? 1 : 0);
	}
}

/* ---- fixture: a key, a file, the hook ---- */

struct fx {
	struct rn_age_identity *id;
	struct rn_age_recipient rcpt;
	char			path[sizeof(TMPL)];
	int			fd;
	struct seals		seals;
	uint8_t		       *want; /* the plaintext expected */
	size_t			wantlen;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL || rn_age_identity_generate(&f->id) != RN_OK)
		return -1;
	rn_age_identity_recipient(f->id, &f->rcpt);
	memcpy(f->path, TMPL, sizeof(TMPL));
	if ((f->fd = mkstemp(f->path)) < 0 || (f->want = malloc(MAX_PLAIN)) == NULL)
		return -1;
	rn_age_seal_hook = record_seal;
	rn_age_seal_hook_arg = &f->seals;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	rn_age_seal_hook = NULL;
	rn_age_seal_hook_arg = NULL;
	close(f->fd);
	unlink(f->path);
	rn_age_identity_free(f->id);
	free(f->want);
	free(f);
	return 0;
}

static enum rn_err
mem_sink(const void *p, size_t n, void *arg)
{
	return rn_buf_append(arg, p, n);
}

/* Give n bytes of a pattern (seeded by the offset) to the writer and to want. */
static void
feed(struct fx *f, struct rn_age_writer *w, size_t n)
{
	size_t i;

	assert_true(f->wantlen + n <= MAX_PLAIN);
	for (i = 0; i < n; i++)
		f->want[f->wantlen + i] = (uint8_t)((f->wantlen + i) * 131u + 7u);
	assert_int_equal(rn_age_writer_update(w, f->want + f->wantlen, n), RN_OK);
	f->wantlen += n;
}

/* Patch [off, off+len) with 0xA5 ^ i, in the file and in want. */
static enum rn_err
patch(struct fx *f, struct rn_age_writer *w, uint64_t off, size_t len)
{
	uint8_t	    p[4096];
	size_t	    i;
	enum rn_err err;

	assert_true(len <= sizeof(p));
	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(0xa5u ^ i);
	if ((err = rn_age_writer_patch(w, off, p, len)) == RN_OK)
		memcpy(f->want + off, p, len);
	return err;
}

/* Open the file with our reader: exactly want, and the file as long as the writer says. */
static void
check_file(struct fx *f, struct rn_age_writer *w)
{
	const struct rn_age_identity *ids[1] = { f->id };
	struct rn_age_reader	     *r = NULL;
	struct rn_buf		      got;
	struct stat		      st;
	uint8_t			     *data;
	ssize_t			      n;

	assert_int_equal(fstat(f->fd, &st), 0);
	assert_int_equal((uint64_t)st.st_size, rn_age_writer_total(w));
	assert_non_null(data = malloc((size_t)st.st_size));
	n = pread(f->fd, data, (size_t)st.st_size, 0);
	assert_int_equal(n, st.st_size);
	rn_buf_init(&got, MAX_PLAIN);
	assert_int_equal(rn_age_reader_new(ids, 1, mem_sink, &got, &r), RN_OK);
	assert_int_equal(rn_age_reader_update(r, data, (size_t)n), RN_OK);
	assert_int_equal(rn_age_reader_finish(r), RN_OK);
	assert_int_equal(got.len, f->wantlen);
	assert_true(f->wantlen == 0 || memcmp(got.data, f->want, f->wantlen) == 0);
	/* Every chunk but the last is full: ceil(len / 64 KiB), at least one. */
	check_seals(&f->seals, f->wantlen == 0 ? 1 : (f->wantlen + CHUNK - 1) / CHUNK);
	rn_age_reader_free(r);
	rn_buf_free(&got);
	free(data);
}

static struct rn_age_writer *
new_writer(struct fx *f)
{
	struct rn_age_writer *w = NULL;

	assert_int_equal(rn_age_writer_new_fd(&f->rcpt, 1, f->fd, &w), RN_OK);
	assert_non_null(w);
	return w;
}

/* ---- tests ---- */

static void
test_plain_sizes(void **state)
{
	static const size_t   sizes[] = { 0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK,
		  3 * CHUNK + 5 };
	struct fx	     *f = *state;
	struct rn_age_writer *w;
	size_t		      i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		assert_int_equal(ftruncate(f->fd, 0), 0);
		memset(&f->seals, 0, sizeof(f->seals));
		f->wantlen = 0;
		w = new_writer(f);
		feed(f, w, sizes[i] / 2);
		feed(f, w, sizes[i] - sizes[i] / 2);
		assert_int_equal(rn_age_writer_finish(w), RN_OK);
		check_file(f, w);
		rn_age_writer_free(w);
	}
}

static void
test_hold_spans_boundary(void **state)
{
	struct fx	     *f = *state;
	struct rn_age_writer *w = new_writer(f);

	feed(f, w, CHUNK - 100);
	assert_int_equal(rn_age_writer_hold(w, CHUNK - 100, 512), RN_OK);
	feed(f, w, 512);
	feed(f, w, 100000);
	/* Chunks 0 and 1 are kept; chunk 2 is being filled. */
	assert_int_equal(patch(f, w, CHUNK - 100, 512), RN_OK);
	feed(f, w, 3);
	assert_int_equal(rn_age_writer_finish(w), RN_OK);
	check_file(f, w);
	rn_age_writer_free(w);
}

static void
test_held_last_chunk(void **state)
{
	struct fx	     *f = *state;
	struct rn_age_writer *w = new_writer(f);

	/* A full last chunk, held until just before finish. */
	feed(f, w, 2 * CHUNK + 1000);
	assert_int_equal(rn_age_writer_hold(w, 2 * CHUNK + 1000, 512), RN_OK);
	feed(f, w, CHUNK - 1000);
	assert_int_equal(rn_age_writer_finish(w), RN_ERR_INVAL);
	assert_int_equal(patch(f, w, 2 * CHUNK + 1000, 512), RN_OK);
	assert_int_equal(rn_age_writer_finish(w), RN_OK);
	check_file(f, w);
	rn_age_writer_free(w);
}

static void
test_held_short_last_chunk(void **state)
{
	struct fx	     *f = *state;
	struct rn_age_writer *w = new_writer(f);

	assert_int_equal(rn_age_writer_hold(w, 0, 512), RN_OK);
	feed(f, w, 600);
	assert_int_equal(patch(f, w, 0, 512), RN_OK);
	assert_int_equal(rn_age_writer_finish(w), RN_OK);
	check_file(f, w);
	rn_age_writer_free(w);
}

static void
test_hold_released_late(void **state)
{
	struct fx	     *f = *state;
	struct rn_age_writer *w = new_writer(f);
	size_t		      i;

	feed(f, w, 10);
	assert_int_equal(rn_age_writer_hold(w, 10, 512), RN_OK);
	/* A second hold in a later chunk, released first. */
	for (i = 0; i < 20; i++)
		feed(f, w, CHUNK);
	assert_int_equal(rn_age_writer_hold(w, 20 * CHUNK + 10, 100), RN_OK);
	feed(f, w, CHUNK + 7);
	assert_int_equal(patch(f, w, 20 * CHUNK + 10, 100), RN_OK);
	/* Chunks 1..19 and 21 went out; 0 waits. */
	assert_int_equal(f->seals.uses[0], 0);
	assert_int_equal(f->seals.uses[1], 1);
	assert_int_equal(f->seals.uses[20], 1);
	assert_int_equal(patch(f, w, 10, 512), RN_OK);
	assert_int_equal(f->seals.uses[0], 1);
	assert_int_equal(rn_age_writer_finish(w), RN_OK);
	check_file(f, w);
	rn_age_writer_free(w);
}

static void
test_too_many_held(void **state)
{
	struct fx	     *f = *state;
	struct rn_age_writer *w = new_writer(f);
	uint8_t		      x[16] = { 0 };
	size_t		      k;

	for (k = 0; k <= RN_AGE_MAX_HELD_CHUNKS; k++)
		assert_int_equal(rn_age_writer_hold(w, k * CHUNK + 10, 10), RN_OK);
	for (k = 0; k < RN_AGE_MAX_HELD_CHUNKS; k++)
		feed(f, w, CHUNK);
	/* Leaving the next held chunk needs one slot too many. */
	feed(f, w, CHUNK);
	assert_int_equal(rn_age_writer_update(w, x, 1), RN_ERR_TOOBIG);
	/* Sticky: the file cannot be completed. */
	assert_int_equal(rn_age_writer_update(w, x, 1), RN_ERR_TOOBIG);
	assert_int_equal(rn_age_writer_finish(w), RN_ERR_TOOBIG);
	/* Nothing held was sealed. */
	for (k = 0; k <= RN_AGE_MAX_HELD_CHUNKS; k++)
		assert_int_equal(f->seals.uses[k], 0);
	rn_age_writer_free(w);
}

static void
test_too_many_holds(void **state)
{
	struct fx	     *f = *state;
	struct rn_age_writer *w = new_writer(f);
	size_t		      k;

	for (k = 0; k < RN_AGE_MAX_HOLDS; k++)
		assert_int_equal(rn_age_writer_hold(w, k * 10, 10), RN_OK);
	assert_int_equal(rn_age_writer_hold(w, 1000, 10), RN_ERR_TOOBIG);
	feed(f, w, 1000);
	for (k = 0; k < RN_AGE_MAX_HOLDS; k++)
		assert_int_equal(patch(f, w, k * 10, 10), RN_OK);
	assert_int_equal(rn_age_writer_hold(w, 1000, 10), RN_OK);
	feed(f, w, 10);
	assert_int_equal(patch(f, w, 1000, 10), RN_OK);
	assert_int_equal(rn_age_writer_finish(w), RN_OK);
	check_file(f, w);
	rn_age_writer_free(w);
}

static void
test_bad_holds_and_patches(void **state)
{
	struct fx	     *f = *state;
	struct rn_age_writer *w = new_writer(f), *s = NULL;
	struct rn_buf	      sink;
	uint8_t		      p[512] = { 0 };

	/* Patch of a range never held, or not exactly a hold. */
	feed(f, w, CHUNK + 100);
	assert_int_equal(rn_age_writer_patch(w, CHUNK, p, 10), RN_ERR_INVAL);
	assert_int_equal(rn_age_writer_hold(w, CHUNK + 50, 100), RN_OK);
	assert_int_equal(rn_age_writer_patch(w, CHUNK + 50, p, 50), RN_ERR_INVAL);
	assert_int_equal(rn_age_writer_patch(w, CHUNK + 51, p, 100), RN_ERR_INVAL);
	/* Overlapping holds, empty holds, holds in a sealed chunk. */
	assert_int_equal(rn_age_writer_hold(w, CHUNK + 149, 10), RN_ERR_INVAL);
	assert_int_equal(rn_age_writer_hold(w, CHUNK + 40, 11), RN_ERR_INVAL);
	assert_int_equal(rn_age_writer_hold(w, CHUNK + 300, 0), RN_ERR_INVAL);
	assert_int_equal(rn_age_writer_hold(w, CHUNK - 1, 1), RN_ERR_INVAL);
	assert_int_equal(rn_age_writer_hold(w, 0, 10), RN_ERR_INVAL);
	/* A hold reaching past the data given cannot be patched yet. */
	assert_int_equal(rn_age_writer_hold(w, CHUNK + 200, 512), RN_OK);
	assert_int_equal(rn_age_writer_patch(w, CHUNK + 200, p, 512), RN_ERR_INVAL);
	feed(f, w, 612);
	assert_int_equal(patch(f, w, CHUNK + 200, 512), RN_OK);
	/* Released: a second patch of it is refused. */
	assert_int_equal(rn_age_writer_patch(w, CHUNK + 200, p, 512), RN_ERR_INVAL);
	assert_int_equal(patch(f, w, CHUNK + 50, 100), RN_OK);
	assert_int_equal(rn_age_writer_finish(w), RN_OK);
	/* Nothing after finish. */
	assert_int_equal(rn_age_writer_hold(w, 10 * CHUNK, 1), RN_ERR_INVAL);
	check_file(f, w);
	rn_age_writer_free(w);

	/* The streaming mode refuses holds and patches, and still works. */
	rn_buf_init(&sink, 1u << 20);
	assert_int_equal(rn_age_writer_new(&f->rcpt, 1, mem_sink, &sink, &s), RN_OK);
	assert_int_equal(rn_age_writer_hold(s, 0, 10), RN_ERR_INVAL);
	assert_int_equal(rn_age_writer_patch(s, 0, p, 10), RN_ERR_INVAL);
	assert_int_equal(rn_age_writer_update(s, p, sizeof(p)), RN_OK);
	assert_int_equal(rn_age_writer_finish(s), RN_OK);
	assert_int_equal(rn_age_writer_total(s), sink.len);
	rn_age_writer_free(s);
	rn_buf_free(&sink);
	assert_int_equal(rn_age_writer_new_fd(&f->rcpt, 1, -1, &s), RN_ERR_INVAL);
	assert_null(s);
}

static void
test_finish_with_open_hold(void **state)
{
	struct fx	     *f = *state;
	struct rn_age_writer *w = new_writer(f);

	feed(f, w, 3 * CHUNK);
	assert_int_equal(rn_age_writer_hold(w, 3 * CHUNK, 512), RN_OK);
	feed(f, w, 512);
	assert_int_equal(rn_age_writer_finish(w), RN_ERR_INVAL);
	/* Not sticky: patch, and the file completes. */
	assert_int_equal(patch(f, w, 3 * CHUNK, 512), RN_OK);
	assert_int_equal(rn_age_writer_finish(w), RN_OK);
	assert_int_equal(rn_age_writer_finish(w), RN_ERR_INVAL);
	check_file(f, w);
	rn_age_writer_free(w);
}

/* ---- tar members of unknown size ---- */

struct memtar {
	struct rn_buf buf;
	uint64_t      hold_off;
	size_t	      holds, patches;
};

static enum rn_err
mt_hold(uint64_t off, size_t len, void *arg)
{
	struct memtar *m = arg;

	assert_int_equal(len, RN_TAR_BLOCK);
	assert_int_equal(off, m->buf.len); /* held before it is written */
	m->hold_off = off;
	m->holds++;
	return RN_OK;
}

static enum rn_err
mt_patch(uint64_t off, const void *p, size_t len, void *arg)
{
	struct memtar *m = arg;

	assert_int_equal(off, m->hold_off);
	assert_true(off + len <= m->buf.len);
	memcpy((uint8_t *)m->buf.data + off, p, len);
	m->patches++;
	return RN_OK;
}

static enum rn_err
null_sink(const void *p, size_t n, void *arg)
{
	(void)p;
	(void)n;
	(void)arg;
	return RN_OK;
}

static void
test_tar_stream_memory(void **state)
{
	struct memtar  m;
	struct rn_tar *t, *ref;
	struct rn_buf  refbuf;
	static uint8_t data[70000];
	size_t	       i;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7u);
	memset(&m, 0, sizeof(m));
	rn_buf_init(&m.buf, 1u << 20);
	rn_buf_init(&refbuf, 1u << 20);
	assert_non_null(t = rn_tar_new(mem_sink, &m.buf));
	assert_non_null(ref = rn_tar_new(mem_sink, &refbuf));
	/* No patcher: refused. */
	assert_int_equal(rn_tar_begin_stream(t, "a", 1), RN_ERR_INVAL);
	rn_tar_free(t);
	assert_non_null(t = rn_tar_new(mem_sink, &m.buf));
	rn_tar_set_patcher(t, mt_hold, mt_patch, &m);
	/* Streamed members give the same bytes as declared ones, pax name included. */
	assert_int_equal(rn_tar_end_stream(t), RN_ERR_INVAL); /* no member open */
	rn_tar_free(t);
	assert_non_null(t = rn_tar_new(mem_sink, &m.buf));
	rn_tar_set_patcher(t, mt_hold, mt_patch, &m);
	assert_int_equal(rn_tar_begin_stream(t, "r\xc3\xa9sum\xc3\xa9.txt", 10), RN_OK);
	assert_int_equal(rn_tar_write(t, data, 1000), RN_OK);
	assert_int_equal(rn_tar_write(t, data + 1000, sizeof(data) - 1000), RN_OK);
	assert_int_equal(rn_tar_end_stream(t), RN_OK);
	assert_int_equal(rn_tar_begin_stream(t, "empty", 5), RN_OK);
	assert_int_equal(rn_tar_end_stream(t), RN_OK);
	assert_int_equal(rn_tar_finish(t, NULL), RN_OK);
	assert_int_equal(m.holds, 2);
	assert_int_equal(m.patches, 2);
	assert_int_equal(
	    rn_tar_begin_file(ref, "r\xc3\xa9sum\xc3\xa9.txt", 10, sizeof(data)), RN_OK);
	assert_int_equal(rn_tar_write(ref, data, sizeof(data)), RN_OK);
	assert_int_equal(rn_tar_end_file(ref), RN_OK);
	assert_int_equal(rn_tar_add_file(ref, "empty", 5, "", 0), RN_OK);
	assert_int_equal(rn_tar_finish(ref, NULL), RN_OK);
	assert_int_equal(m.buf.len, refbuf.len);
	assert_memory_equal(m.buf.data, refbuf.data, refbuf.len);
	rn_tar_free(t);
	rn_tar_free(ref);
	rn_buf_free(&m.buf);
	rn_buf_free(&refbuf);
}

static void
test_tar_stream_cap(void **state)
{
	struct memtar  m;
	struct rn_tar *t;
	uint8_t	      *big;
	uint64_t       left = RN_TAR_MAX_STREAM;
	size_t	       n;

	(void)state;
	memset(&m, 0, sizeof(m));
	assert_non_null(big = calloc(1, 1u << 24));
	assert_non_null(t = rn_tar_new(null_sink, NULL));
	rn_tar_set_patcher(t, mt_hold, mt_patch, &m);
	m.buf.len = 0; /* the null sink keeps nothing: mt_hold sees offset 0 */
	assert_int_equal(rn_tar_begin_stream(t, "big", 3), RN_OK);
	/* Just below 8 GiB is fine (the sink keeps nothing). */
	while (left > 0) {
		n = left < (1u << 24) ? (size_t)left : (1u << 24);
		assert_int_equal(rn_tar_write(t, big, n), RN_OK);
		left -= n;
	}
	assert_int_equal(rn_tar_write(t, big, 1), RN_ERR_TOOBIG);
	assert_int_equal(rn_tar_end_stream(t), RN_ERR_TOOBIG);
	rn_tar_free(t);
	free(big);
}

/* ---- end to end: age -d | tar -x ---- */

static int
rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int
run_sh(const char *cmd)
{
	char *argv[] = { (char *)"sh", (char *)"-c", (char *)cmd, NULL };
	pid_t pid;
	int   st;

	if (posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ) != 0)
		return -1;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The extracted file dir/name holds exactly [p, p+n). */
static void
check_extracted(const char *dir, const char *name, const uint8_t *p, size_t n)
{
	char	 path[512];
	uint8_t *got;
	FILE	*fp;
	size_t	 r;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(fp = fopen(path, "rb"));
	assert_non_null(got = malloc(n + 1));
	r = fread(got, 1, n + 1, fp);
	fclose(fp);
	assert_int_equal(r, n);
	assert_true(n == 0 || memcmp(got, p, n) == 0);
	free(got);
}

static void
test_end_to_end_age_tar(void **state)
{
	static const size_t   sizes[3] = { 0, 70000, 300000 };
	static const char    *names[3] = { "empty.bin", "seventy.bin", "three hundred.bin" };
	struct fx	     *f = *state;
	struct rn_age_writer *w = new_writer(f);
	struct rn_tar	     *t;
	char		      dir[] = "/tmp/rn-age-hold-x-XXXXXX", cmd[1024];
	char		      key[RN_AGE_IDENTITY_BUFSZ], keypath[600];
	uint8_t		     *data;
	size_t		      i, k, piece;
	FILE		     *fp;

	assert_non_null(data = malloc(300000));
	for (i = 0; i < 300000; i++)
		data[i] = (uint8_t)(i * 2654435761u >> 13);
	assert_non_null(t = rn_tar_new(rn_age_writer_sink, w));
	rn_tar_set_patcher(t, rn_age_writer_hold_cb, rn_age_writer_patch_cb, w);
	for (k = 0; k < 3; k++) {
		assert_int_equal(rn_tar_begin_stream(t, names[k], strlen(names[k])), RN_OK);
		/* Odd pieces, as a multipart parser would give them. */
		for (i = 0; i < sizes[k]; i += piece) {
			piece = sizes[k] - i < 9973 ? sizes[k] - i : 9973;
			assert_int_equal(rn_tar_write(t, data + i, piece), RN_OK);
		}
		assert_int_equal(rn_tar_end_stream(t), RN_OK);
	}
	assert_int_equal(rn_tar_finish(t, NULL), RN_OK);
	assert_int_equal(rn_age_writer_finish(w), RN_OK);
	rn_tar_free(t);

	/* Debian's age and GNU tar. */
	assert_non_null(mkdtemp(dir));
	(void)snprintf(keypath, sizeof(keypath), "%s.key", dir);
	assert_int_equal(rn_age_identity_format(f->id, key, sizeof(key)), RN_OK);
	assert_non_null(fp = fopen(keypath, "w"));
	assert_true(fprintf(fp, "%s\n", key) > 0);
	assert_int_equal(fclose(fp), 0);
	rn_crypto_wipe(key, sizeof(key));
	(void)snprintf(cmd, sizeof(cmd), "set -e; age -d -i '%s' '%s' | tar -x -C '%s'", keypath,
	    f->path, dir);
	assert_int_equal(run_sh(cmd), 0);
	for (k = 0; k < 3; k++)
		check_extracted(dir, names[k], data, sizes[k]);
	/* Exactly those three files (tar -x makes nothing else). */
	(void)snprintf(cmd, sizeof(cmd), "test \"$(ls -A '%s' | wc -l)\" -eq 3", dir);
	assert_int_equal(run_sh(cmd), 0);
	unlink(keypath);
	assert_int_equal(nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS), 0);
	rn_age_writer_free(w);
	free(data);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_plain_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hold_spans_boundary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_held_last_chunk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_held_short_last_chunk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hold_released_late, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many_holds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_holds_and_patches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_finish_with_open_hold, setup, teardown),
		cmocka_unit_test(test_tar_stream_memory),
		cmocka_unit_test(test_tar_stream_cap),
		cmocka_unit_test_setup_teardown(test_end_to_end_age_tar, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
