/*
 * Unit tests for the tar writer (daemon/inbox/tar.c): size buckets, name
 * sanitising, protocol and sink errors, and archives read back by the real
 * GNU tar (tar -t and tar -x, run with posix_spawn).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "roneo/rn_inbox.h"
#include "roneo/rn_util.h"

#define KIB 1024ull
#define MIB (1024ull * 1024ull)

extern char **environ;

/* ---- sinks ------------------------------------------------------------- */

static enum rn_err
mem_sink(const void *p, size_t n, void *arg)
{
	return rn_buf_append(arg, p, n);
}

static enum rn_err
fd_sink(const void *p, size_t n, void *arg)
{
	int	    fd = *(int *)arg;
	const char *c = p;
	ssize_t	    w;

	while (n > 0) {
		if ((w = write(fd, c, n)) < 0) {
			if (errno == EINTR)
				continue;
			return RN_ERR_IO;
		}
		c += w;
		n -= (size_t)w;
	}
	return RN_OK;
}

struct limited {
	size_t left; /* bytes accepted before failing */
	size_t calls;
};

static enum rn_err
limited_sink(const void *p, size_t n, void *arg)
{
	struct limited *l = arg;

	(void)p;
	l->calls++;
	if (n > l->left)
		return RN_ERR_IO;
	l->left -= n;
	return RN_OK;
}

/* ---- buckets ----------------------------------------------------------- */

static void
test_bucket_values(void **state)
{
	(void)state;
	assert_int_equal(rn_tar_bucket(0), 64 * KIB);
	assert_int_equal(rn_tar_bucket(1), 64 * KIB);
	assert_int_equal(rn_tar_bucket(64 * KIB), 64 * KIB);
	assert_int_equal(rn_tar_bucket(64 * KIB + 1), 80 * KIB);
	assert_int_equal(rn_tar_bucket(80 * KIB), 80 * KIB);
	assert_int_equal(rn_tar_bucket(80 * KIB + 512), 96 * KIB);
	assert_int_equal(rn_tar_bucket(112 * KIB + 1), 128 * KIB);
	assert_int_equal(rn_tar_bucket(128 * KIB + 1), 160 * KIB);
	assert_int_equal(rn_tar_bucket(MIB + 1), MIB + MIB / 4);
	assert_int_equal(rn_tar_bucket(500 * MIB), 512 * MIB);
	assert_int_equal(rn_tar_bucket(513 * MIB), 640 * MIB);
	assert_int_equal(rn_tar_bucket(RN_TAR_BUCKET_MAX), RN_TAR_BUCKET_MAX);
	assert_int_equal(rn_tar_bucket(RN_TAR_BUCKET_MAX - 1), RN_TAR_BUCKET_MAX);
	assert_int_equal(rn_tar_bucket(RN_TAR_BUCKET_MAX + 1), 0);
	assert_int_equal(rn_tar_bucket(UINT64_MAX), 0);
}

/* Every bucket is a block multiple, covers the size, wastes < 25 %, is monotonic. */
static void
test_bucket_properties(void **state)
{
	uint64_t s, b, prev = 0, doubling_start = 64 * KIB;
	size_t	 in_doubling = 0;

	(void)state;
	for (s = 0; s <= 64 * MIB; s += 512) {
		b = rn_tar_bucket(s);
		assert_true(b >= s);
		assert_int_equal(b % RN_TAR_BLOCK, 0);
		assert_true(b >= prev);
		if (s > 64 * KIB)
			assert_true(b * 4 < s * 5 + 4 * 512);
		if (b != prev && prev != 0) {
			/* Four buckets per doubling: (x, 1.25x, 1.5x, 1.75x, 2x]. */
			if (b > 2 * doubling_start) {
				assert_int_equal(in_doubling, 4);
				doubling_start *= 2;
				in_doubling = 0;
			}
			in_doubling++;
		}
		prev = b;
	}
	/* Big sizes too, without overflow. */
	for (s = 64 * MIB; s < RN_TAR_BUCKET_MAX / 3; s = s * 3 + 7) {
		b = rn_tar_bucket(s);
		assert_true(b >= s && b % RN_TAR_BLOCK == 0);
		assert_true(b - s < s / 4 + 1);
	}
}

/* ---- names ------------------------------------------------------------- */

struct name_case {
	const char *in;
	size_t	    len; /* 0: strlen(in) */
	const char *want;
};

static void
test_name_sanitize(void **state)
{
	static const struct name_case cases[] = {
		{ "report.pdf", 0, "report.pdf" },
		{ "../../etc/passwd", 0, "passwd" },
		{ "C:\\Users\\me\\secret.docx", 0, "secret.docx" },
		{ "/abs/path/", 0, "file" },
		{ "", 0, "file" },
		{ ".", 0, "file" },
		{ "..", 0, "file" },
		{ "...", 0, "file" },
		{ ".bashrc", 0, "bashrc" },
		{ "..pdf", 0, "file.pdf" },
		{ "-rf", 0, "rf" },
		{ "--help.txt", 0, "help.txt" },
		{ " - . name.txt", 0, "name.txt" },
		{ "  spaced  ", 0, "spaced" },
		{ "a\x01" "b\nc\x7f.txt", 0, "a_b_c_.txt" },
		{ "a\0b", 3, "a_b" },
		{ "\xc3\xa9vian.txt", 0, "\xc3\xa9vian.txt" },		  /* évian */
		{ "\xe6\x97\xa5\xe6\x9c\xac.txt", 0, "\xe6\x97\xa5\xe6\x9c\xac.txt" }, /* 日本 */
		{ "\xf0\x9f\x93\x84.pdf", 0, "\xf0\x9f\x93\x84.pdf" },	  /* a 4-byte emoji */
		{ "bad\xff.txt", 0, "bad_.txt" },
		{ "\xc0\xaf", 0, "__" },			  /* overlong '/' */
		{ "x\xed\xa0\x80y", 0, "x___y" },		  /* a surrogate */
		{ "x\xf4\x90\x80\x80y", 0, "x____y" },		  /* past U+10FFFF */
		{ "x\xe2\x82", 0, "x__" },			  /* truncated */
		{ "evil\xe2\x80\xae" "fdp.exe", 0, "evil_fdp.exe" }, /* U+202E */
		{ "a\xc2\x85" "b", 0, "a_b" },			  /* C1 NEL */
		{ "\xef\xbb\xbfname", 0, "_name" },		  /* BOM */
		{ "a\xe2\x80\x8b" "b", 0, "a_b" },		  /* zero width space */
		{ "name.", 0, "name." },
		{ "a..", 0, "a.." },
		{ "archive.tar.gz", 0, "archive.tar.gz" },
		{ "\\\\server\\share\\x.txt", 0, "x.txt" },
	};
	char   out[RN_TAR_NAME_BUFSZ];
	size_t i, len;

	(void)state;
	for (i = 0; i < RN_ARRAY_LEN(cases); i++) {
		len = cases[i].len ? cases[i].len : strlen(cases[i].in);
		assert_int_equal(rn_tar_name_sanitize(cases[i].in, len, out, sizeof(out)), RN_OK);
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, out, cases[i].want);
	}
	assert_int_equal(rn_tar_name_sanitize("x", 1, out, RN_TAR_NAME_BUFSZ - 1), RN_ERR_INVAL);
	assert_int_equal(rn_tar_name_sanitize(NULL, 1, out, sizeof(out)), RN_ERR_INVAL);
	assert_int_equal(rn_tar_name_sanitize(NULL, 0, out, sizeof(out)), RN_OK);
	assert_string_equal(out, "file");
}

static void
test_name_long(void **state)
{
	char   in[1200], out[RN_TAR_NAME_BUFSZ];
	size_t i;

	(void)state;
	/* ASCII: cut to RN_TAR_MAX_NAME, the extension kept. */
	memset(in, 'a', 300);
	memcpy(in + 300, ".pdf", 4);
	assert_int_equal(rn_tar_name_sanitize(in, 304, out, sizeof(out)), RN_OK);
	assert_int_equal(strlen(out), RN_TAR_MAX_NAME);
	assert_string_equal(out + RN_TAR_MAX_NAME - 4, ".pdf");
	assert_int_equal(out[RN_TAR_MAX_NAME - 5], 'a');
	/* A long "extension" is no extension. */
	memcpy(in + 300, ".abcdefghijklmnopqrstuvwxyz", 27);
	assert_int_equal(rn_tar_name_sanitize(in, 327, out, sizeof(out)), RN_OK);
	assert_int_equal(strlen(out), RN_TAR_MAX_NAME);
	assert_int_equal(out[RN_TAR_MAX_NAME - 1], 'a');
	/* Three-byte characters (U+20AC): never split, so 66 of them (198 bytes). */
	for (i = 0; i < 400; i++)
		memcpy(in + 3 * i, "\xe2\x82\xac", 3);
	assert_int_equal(rn_tar_name_sanitize(in, 1200, out, sizeof(out)), RN_OK);
	assert_int_equal(strlen(out), 198);
	assert_memory_equal(out + 195, "\xe2\x82\xac", 3);
}

/* ---- the writer, in memory --------------------------------------------- */

/* The value of an octal header field. */
static uint64_t
octal(const uint8_t *f, size_t width)
{
	uint64_t v = 0;
	size_t	 i;

	for (i = 0; i < width && f[i] >= '0' && f[i] <= '7'; i++)
		v = v * 8 + (uint64_t)(f[i] - '0');
	return v;
}

static void
check_header(const uint8_t *h, const char *name, uint64_t size, char type)
{
	unsigned sum = 0;
	size_t	 i;

	for (i = 0; i < 512; i++)
		sum += (i >= 148 && i < 156) ? ' ' : h[i];
	assert_int_equal(octal(h + 148, 8), sum);
	if (name != NULL)
		assert_memory_equal(h, name, strlen(name) + 1);
	assert_int_equal(octal(h + 100, 8), 0600);
	assert_int_equal(octal(h + 108, 8), 0); /* uid */
	assert_int_equal(octal(h + 116, 8), 0); /* gid */
	assert_int_equal(octal(h + 124, 12), size);
	assert_int_equal(octal(h + 136, 12), 0); /* mtime */
	assert_int_equal(h[156], type);
	assert_memory_equal(h + 257, "ustar\0" "00", 8);
	assert_int_equal(h[265], 0); /* uname */
	assert_int_equal(h[297], 0); /* gname */
}

static void
test_layout_and_determinism(void **state)
{
	struct rn_buf  a, b;
	struct rn_tar *t;
	uint64_t       total;
	int	       round;

	(void)state;
	rn_buf_init(&a, 4 * MIB);
	rn_buf_init(&b, 4 * MIB);
	for (round = 0; round < 2; round++) {
		assert_non_null(t = rn_tar_new(mem_sink, round == 0 ? &a : &b));
		assert_string_equal(rn_tar_last_name(t), "");
		assert_int_equal(rn_tar_add_file(t, "message.txt", 11, "hello", 5), RN_OK);
		assert_string_equal(rn_tar_last_name(t), "message.txt");
		assert_int_equal(rn_tar_total(t), 1024);
		assert_int_equal(rn_tar_finish(t, &total), RN_OK);
		assert_int_equal(total, 64 * KIB);
		assert_int_equal(rn_tar_total(t), 64 * KIB);
		rn_tar_free(t);
	}
	/* No clock, owner or randomness reaches the archive. */
	assert_int_equal(a.len, 64 * KIB);
	assert_int_equal(b.len, a.len);
	assert_memory_equal(a.data, b.data, a.len);
	check_header((const uint8_t *)a.data, "message.txt", 5, '0');
	assert_memory_equal(a.data + 512, "hello\0\0", 7);
	rn_buf_free(&a);
	rn_buf_free(&b);
}

static void
test_pax_headers(void **state)
{
	struct rn_buf	   m;
	struct rn_tar	  *t;
	const uint8_t	  *h;
	const char	  *u = "\xc3\x9c" "bersicht.txt"; /* Übersicht.txt */
	char		   longname[160];
	static const char *want = "23 path=\xc3\x9c" "bersicht.txt\n";

	(void)state;
	rn_buf_init(&m, 4 * MIB);
	assert_non_null(t = rn_tar_new(mem_sink, &m));
	assert_int_equal(rn_tar_add_file(t, u, strlen(u), "x", 1), RN_OK);
	h = (const uint8_t *)m.data;
	check_header(h, "././@PaxHeader", strlen(want), 'x');
	assert_memory_equal(h + 512, want, strlen(want));
	check_header(h + 1024, "__bersicht.txt", 1, '0');
	/* 150 ASCII bytes: a pax path, the ustar name cut to 100 bytes. */
	memset(longname, 'n', 150);
	assert_int_equal(rn_tar_begin_file(t, longname, 150, 0), RN_OK);
	h = (const uint8_t *)m.data + 2048;
	check_header(h, "././@PaxHeader", 160, 'x');
	assert_memory_equal(h + 512, "160 path=nnn", 12);
	assert_int_equal(h[512 + 159], '\n');
	assert_memory_equal(h + 1024, longname, 100);
	assert_int_equal(rn_tar_end_file(t), RN_OK);
	/* Past ustar's 8 GiB: a pax size record (nothing written after the header). */
	assert_int_equal(rn_tar_begin_file(t, "big.bin", 7, 9 * 1024 * MIB), RN_OK);
	h = (const uint8_t *)m.data + 3584;
	check_header(h, "././@PaxHeader", 19, 'x');
	assert_memory_equal(h + 512, "19 size=9663676416\n", 19);
	check_header(h + 1024, "big.bin", 0, '0');
	rn_tar_free(t);
	rn_buf_free(&m);
}

static void
test_protocol_errors(void **state)
{
	struct rn_buf  m;
	struct rn_tar *t;
	size_t	       len;

	(void)state;
	rn_buf_init(&m, 4 * MIB);
	/* More data than declared. */
	assert_non_null(t = rn_tar_new(mem_sink, &m));
	assert_int_equal(rn_tar_begin_file(t, "a", 1, 3), RN_OK);
	assert_int_equal(rn_tar_write(t, "ab", 2), RN_OK);
	assert_int_equal(rn_tar_write(t, "cd", 2), RN_ERR_INVAL);
	assert_int_equal(rn_tar_write(t, "c", 1), RN_ERR_INVAL); /* stays failed */
	assert_int_equal(rn_tar_finish(t, NULL), RN_ERR_INVAL);
	rn_tar_free(t);
	/* Less data than declared. */
	assert_non_null(t = rn_tar_new(mem_sink, &m));
	assert_int_equal(rn_tar_begin_file(t, "a", 1, 3), RN_OK);
	assert_int_equal(rn_tar_end_file(t), RN_ERR_INVAL);
	rn_tar_free(t);
	/* Out of order calls. */
	assert_non_null(t = rn_tar_new(mem_sink, &m));
	assert_int_equal(rn_tar_write(t, "a", 1), RN_ERR_INVAL);
	rn_tar_free(t);
	assert_non_null(t = rn_tar_new(mem_sink, &m));
	assert_int_equal(rn_tar_end_file(t), RN_ERR_INVAL);
	rn_tar_free(t);
	assert_non_null(t = rn_tar_new(mem_sink, &m));
	assert_int_equal(rn_tar_begin_file(t, "a", 1, 0), RN_OK);
	assert_int_equal(rn_tar_begin_file(t, "b", 1, 0), RN_ERR_INVAL);
	rn_tar_free(t);
	assert_non_null(t = rn_tar_new(mem_sink, &m));
	assert_int_equal(rn_tar_begin_file(t, "a", 1, 0), RN_OK);
	assert_int_equal(rn_tar_finish(t, NULL), RN_ERR_INVAL);
	rn_tar_free(t);
	assert_non_null(t = rn_tar_new(mem_sink, &m));
	assert_int_equal(rn_tar_finish(t, NULL), RN_OK); /* an empty archive is fine */
	assert_int_equal(rn_tar_begin_file(t, "a", 1, 0), RN_ERR_INVAL);
	assert_int_equal(rn_tar_finish(t, NULL), RN_ERR_INVAL);
	rn_tar_free(t);
	/* Limits refuse without writing and leave the writer usable. */
	rn_buf_reset(&m);
	m.len = 0;
	assert_non_null(t = rn_tar_new(mem_sink, &m));
	assert_int_equal(rn_tar_begin_file(t, "a", 1, RN_TAR_MAX_FILE + 1), RN_ERR_TOOBIG);
	assert_int_equal(m.len, 0);
	assert_int_equal(rn_tar_add_file(t, "a", 1, "x", 1), RN_OK);
	len = m.len;
	assert_int_equal(len, 1024);
	rn_tar_free(t);
	assert_null(rn_tar_new(NULL, NULL));
	rn_tar_free(NULL);
	rn_buf_free(&m);
}

static void
test_member_limit(void **state)
{
	struct limited l = { SIZE_MAX, 0 };
	struct rn_tar *t;
	size_t	       i;

	(void)state;
	assert_non_null(t = rn_tar_new(limited_sink, &l));
	for (i = 0; i < RN_TAR_MAX_MEMBERS; i++)
		assert_int_equal(rn_tar_add_file(t, "same.txt", 8, NULL, 0), RN_OK);
	assert_string_equal(rn_tar_last_name(t), "same (1024).txt");
	assert_int_equal(rn_tar_add_file(t, "other.txt", 9, NULL, 0), RN_ERR_TOOBIG);
	assert_int_equal(rn_tar_finish(t, NULL), RN_OK);
	rn_tar_free(t);
}

static void
test_sink_errors(void **state)
{
	struct limited l;
	struct rn_tar *t;
	char	       data[3000];
	size_t	       at;

	(void)state;
	memset(data, 'd', sizeof(data));
	/* Fail the sink at every block boundary in turn: the error comes back and sticks. */
	for (at = 0; at <= 8 * 512; at += 512) {
		l.left = at;
		l.calls = 0;
		assert_non_null(t = rn_tar_new(limited_sink, &l));
		if (rn_tar_add_file(t, "one", 3, data, 1000) == RN_OK &&
		    rn_tar_add_file(t, "\xc3\xa9", 2, data, 600) == RN_OK) {
			assert_int_equal(at, 8 * 512);
			assert_int_equal(rn_tar_finish(t, NULL), RN_ERR_IO);
		}
		assert_int_equal(rn_tar_add_file(t, "x", 1, "x", 1), RN_ERR_IO);
		assert_int_equal(rn_tar_write(t, "x", 1), RN_ERR_IO);
		assert_int_equal(rn_tar_end_file(t), RN_ERR_IO);
		assert_int_equal(rn_tar_finish(t, NULL), RN_ERR_IO);
		rn_tar_free(t);
	}
}

/* ---- against GNU tar --------------------------------------------------- */

struct tmp {
	char dir[64];
	char archive[96];
	char out[96];
	char err[96];
	char x[96];
};

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
tmp_make(struct tmp *tp)
{
	const char *base = getenv("TMPDIR");

	if (base == NULL || *base == '\0' || strlen(base) > 40)
		base = "/tmp";
	assert_true(snprintf(tp->dir, sizeof(tp->dir), "%s/rn-tar.XXXXXX", base) <
	    (int)sizeof(tp->dir));
	assert_non_null(mkdtemp(tp->dir));
	(void)snprintf(tp->archive, sizeof(tp->archive), "%s/a.tar", tp->dir);
	(void)snprintf(tp->out, sizeof(tp->out), "%s/out", tp->dir);
	(void)snprintf(tp->err, sizeof(tp->err), "%s/err", tp->dir);
	(void)snprintf(tp->x, sizeof(tp->x), "%s/x", tp->dir);
	assert_int_equal(mkdir(tp->x, 0700), 0);
}

static void
tmp_remove(struct tmp *tp)
{
	assert_int_equal(nftw(tp->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

/*
 * Run tar with args (argv[0] excluded), stdout and stderr to files, in the
 * given locale; returns its exit status.
 */
static int
run_tar(const struct tmp *tp, const char *locale, char *const args[])
{
	posix_spawn_file_actions_t fa;
	char			  *argv[16], *envp[4], lc[64];
	size_t			   i;
	pid_t			   pid;
	int			   status;

	argv[0] = (char *)"tar";
	for (i = 0; args[i] != NULL && i < 14; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	(void)snprintf(lc, sizeof(lc), "LC_ALL=%s", locale);
	envp[0] = lc;
	envp[1] = (char *)"PATH=/usr/bin:/bin";
	envp[2] = (char *)"TZ=UTC";
	envp[3] = NULL;
	assert_int_equal(posix_spawn_file_actions_init(&fa), 0);
	assert_int_equal(posix_spawn_file_actions_addopen(&fa, 1, tp->out,
			     O_WRONLY | O_CREAT | O_TRUNC, 0600),
	    0);
	assert_int_equal(posix_spawn_file_actions_addopen(&fa, 2, tp->err,
			     O_WRONLY | O_CREAT | O_TRUNC, 0600),
	    0);
	if (posix_spawnp(&pid, "tar", &fa, NULL, argv, envp) != 0)
		fail_msg("cannot run tar (GNU tar is needed by this test)");
	posix_spawn_file_actions_destroy(&fa);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void
read_into(const char *path, struct rn_buf *b)
{
	rn_buf_free(b);
	assert_int_equal(rn_file_read_all(path, 64 * MIB, b), RN_OK);
}

struct member {
	const char *given;
	const char *stored;
	size_t	    size;
};

static const struct member members[] = {
	{ "message.txt", "message.txt", 40 },
	{ "../../secret/report.pdf", "report.pdf", 1000 },
	{ "report.pdf", "report (2).pdf", 512 },
	{ "REPORT.PDF", "REPORT (3).PDF", 0 },
	{ "message.txt", "message (2).txt", 3 },
	{ "\xc3\x9c" "bersicht \xe2\x9c\x93 2024.csv", "\xc3\x9c" "bersicht \xe2\x9c\x93 2024.csv", 70000 },
	{ "-n", "n", 1 },
	{ "a name that is rather long, much longer than the hundred bytes that a ustar "
	  "header has room for.txt",
	    "a name that is rather long, much longer than the hundred bytes that a ustar "
	    "header has room for.txt",
	    513 },
};

static void
fill(char *p, size_t n, size_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (char)((i * 131 + seed * 7) >> 3);
}

/* Write the members to the archive file through fd_sink, one write at a time of odd sizes. */
static uint64_t
write_archive(const struct tmp *tp)
{
	struct rn_tar *t;
	char	       data[70000];
	size_t	       i, off, n;
	uint64_t       total;
	int	       fd;

	assert_true((fd = open(tp->archive, O_WRONLY | O_CREAT | O_EXCL, 0600)) >= 0);
	assert_non_null(t = rn_tar_new(fd_sink, &fd));
	for (i = 0; i < RN_ARRAY_LEN(members); i++) {
		fill(data, members[i].size, i);
		assert_int_equal(rn_tar_begin_file(t, members[i].given, strlen(members[i].given),
				     members[i].size),
		    RN_OK);
		assert_string_equal(rn_tar_last_name(t), members[i].stored);
		for (off = 0; off < members[i].size; off += n) {
			n = members[i].size - off < 777 ? members[i].size - off : 777;
			assert_int_equal(rn_tar_write(t, data + off, n), RN_OK);
		}
		assert_int_equal(rn_tar_end_file(t), RN_OK);
	}
	assert_int_equal(rn_tar_finish(t, &total), RN_OK);
	rn_tar_free(t);
	assert_int_equal(close(fd), 0);
	return total;
}

static void
check_list(struct tmp *tp, const char *locale)
{
	struct rn_buf out, err;
	/* Names unquoted: in the C locale tar would show the UTF-8 bytes as \ooo. */
	char *args[] = { (char *)"--quoting-style=literal", (char *)"-tf", tp->archive, NULL };
	char *vargs[] = { (char *)"--quoting-style=literal", (char *)"--numeric-owner",
		(char *)"-tvf", tp->archive, NULL };
	const char   *p;
	size_t	      i, n;

	rn_buf_init(&out, 0);
	rn_buf_init(&err, 0);
	assert_int_equal(run_tar(tp, locale, args), 0);
	read_into(tp->out, &out);
	read_into(tp->err, &err);
	assert_int_equal(err.len, 0);
	p = out.data;
	for (i = 0; i < RN_ARRAY_LEN(members); i++) {
		n = strlen(members[i].stored);
		if (strncmp(p, members[i].stored, n) != 0 || p[n] != '\n')
			fail_msg("tar -t (%s): want \"%s\" at \"%.40s\"", locale, members[i].stored, p);
		p += n + 1;
	}
	assert_int_equal(*p, '\0');
	/* Owner, mode and time as written: nothing about the server. */
	assert_int_equal(run_tar(tp, locale, vargs), 0);
	read_into(tp->out, &out);
	for (p = out.data, i = 0; *p != '\0'; i++) {
		if (strncmp(p, "-rw------- 0/0 ", 15) != 0)
			fail_msg("tar -tv line: %.60s", p);
		assert_non_null(strstr(p, " 1970-01-01 00:00 "));
		p = strchr(p, '\n') + 1;
	}
	assert_int_equal(i, RN_ARRAY_LEN(members));
	rn_buf_free(&out);
	rn_buf_free(&err);
}

static void
check_extract(struct tmp *tp, const char *locale)
{
	struct rn_buf f, err;
	char	     *args[] = { (char *)"-xf", tp->archive, (char *)"-C", tp->x, NULL };
	char	      path[512], data[70000];
	struct stat   st;
	size_t	      i;

	rn_buf_init(&f, 0);
	rn_buf_init(&err, 0);
	assert_int_equal(run_tar(tp, locale, args), 0);
	read_into(tp->err, &err);
	if (err.len != 0)
		fail_msg("tar -x (%s) said: %s", locale, err.data);
	for (i = 0; i < RN_ARRAY_LEN(members); i++) {
		(void)snprintf(path, sizeof(path), "%s/%s", tp->x, members[i].stored);
		assert_int_equal(lstat(path, &st), 0);
		assert_true(S_ISREG(st.st_mode));
		assert_int_equal(st.st_mode & 07777, 0600);
		assert_int_equal(st.st_mtime, 0);
		read_into(path, &f);
		assert_int_equal(f.len, members[i].size);
		fill(data, members[i].size, i);
		assert_memory_equal(f.data, data, f.len);
		assert_int_equal(unlink(path), 0);
	}
	/* Nothing else came out. */
	assert_int_equal(rmdir(tp->x), 0);
	assert_int_equal(mkdir(tp->x, 0700), 0);
	rn_buf_free(&f);
	rn_buf_free(&err);
}

static void
test_gnu_tar_round_trip(void **state)
{
	struct tmp  tp;
	struct stat st;
	uint64_t    total;

	(void)state;
	tmp_make(&tp);
	total = write_archive(&tp);
	assert_int_equal(stat(tp.archive, &st), 0);
	assert_int_equal((uint64_t)st.st_size, total);
	assert_int_equal(total, rn_tar_bucket(total));
	assert_true(total > 64 * KIB); /* the 70000-byte member */
	assert_int_equal(total, 80 * KIB);
	check_list(&tp, "C.UTF-8");
	check_list(&tp, "C");
	check_extract(&tp, "C.UTF-8");
	check_extract(&tp, "C");
	tmp_remove(&tp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket_values),
		cmocka_unit_test(test_bucket_properties),
		cmocka_unit_test(test_name_sanitize),
		cmocka_unit_test(test_name_long),
		cmocka_unit_test(test_layout_and_determinism),
		cmocka_unit_test(test_pax_headers),
		cmocka_unit_test(test_protocol_errors),
		cmocka_unit_test(test_member_limit),
		cmocka_unit_test(test_sink_errors),
		cmocka_unit_test(test_gnu_tar_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
