/* Unit tests for the streaming tar reader (daemon/inbox/untar.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "roneo/rn_editor.h"
#include "roneo/rn_inbox.h"

extern char **environ;

/* What the callbacks saw: "F path size sha\n" / "D path\n" lines. */
struct seen {
	struct rn_buf	  log;
	struct rn_sha256 *h;
	uint64_t	  got, want;
	int		  fail_at; /* begin() number that fails, or -1 */
	int		  begins;
};

static enum rn_err
cb_begin(const char *path, bool dir, uint64_t size, void *arg)
{
	struct seen *s = arg;

	if (s->begins++ == s->fail_at)
		return RN_ERR_IO;
	assert_null(s->h);
	if (dir)
		return rn_buf_printf(&s->log, "D %s\n", path);
	s->h = rn_sha256_new();
	assert_non_null(s->h);
	s->got = 0;
	s->want = size;
	return rn_buf_printf(&s->log, "F %s %llu ", path, (unsigned long long)size);
}

static enum rn_err
cb_data(const void *p, size_t n, void *arg)
{
	struct seen *s = arg;

	assert_non_null(s->h);
	assert_true(n > 0);
	s->got += n;
	assert_true(s->got <= s->want);
	return rn_sha256_update(s->h, p, n);
}

static enum rn_err
cb_end(void *arg)
{
	struct seen *s = arg;
	uint8_t	     d[RN_SHA256_LEN];
	char	     hex[2 * RN_SHA256_LEN + 1];

	if (s->h == NULL) /* a directory */
		return RN_OK;
	assert_int_equal(s->got, s->want);
	assert_int_equal(rn_sha256_final(s->h, d), RN_OK);
	rn_sha256_free(s->h);
	s->h = NULL;
	rn_hex_encode(d, 4, hex);
	return rn_buf_printf(&s->log, "%s\n", hex);
}

static const struct rn_untar_ops ops = { cb_begin, cb_data, cb_end };

/* Read [p, p+n) in pieces of `step` bytes; the log into s (caller frees). */
static enum rn_err
read_all(const void *p, size_t n, size_t step, struct seen *s, const char **why)
{
	struct rn_untar *u;
	enum rn_err	 err = RN_OK;
	size_t		 off;
	static char	 whybuf[128];

	memset(s, 0, sizeof(*s));
	s->fail_at = -1;
	rn_buf_init(&s->log, 1u << 20);
	u = rn_untar_new(&ops, s);
	assert_non_null(u);
	for (off = 0; off < n && err == RN_OK; off += step)
		err = rn_untar_update(u, (const char *)p + off, n - off < step ? n - off : step);
	if (err == RN_OK)
		err = rn_untar_finish(u);
	snprintf(whybuf, sizeof(whybuf), "%s", rn_untar_why(u));
	if (why != NULL)
		*why = whybuf;
	rn_untar_free(u);
	rn_sha256_free(s->h);
	s->h = NULL;
	return err;
}

static enum rn_err
buf_sink(const void *p, size_t n, void *arg)
{
	return rn_buf_append(arg, p, n);
}

static void
test_round_trip_writer(void **state)
{
	struct rn_buf  ar;
	struct rn_tar *t;
	struct seen    s;
	char	       longname[300];
	static const size_t steps[] = { 1, 3, 511, 512, 513, 4096, 1u << 20 };
	size_t	       i;
	char	      *first = NULL;

	(void)state;
	memset(longname, 'n', sizeof(longname));
	memcpy(longname + 180, ".pdf", 5);
	rn_buf_init(&ar, 1u << 22);
	t = rn_tar_new(buf_sink, &ar);
	assert_non_null(t);
	assert_int_equal(rn_tar_add_file(t, "message.txt", 11, "hello", 5), RN_OK);
	assert_int_equal(rn_tar_add_file(t, longname, strlen(longname), "x", 1), RN_OK);
	assert_int_equal(rn_tar_add_file(t, "r\xc3\xa9sum\xc3\xa9.odt", 12, "", 0), RN_OK);
	assert_int_equal(rn_tar_add_file(t, "big", 3, ar.data, 1000), RN_OK);
	assert_int_equal(rn_tar_finish(t, NULL), RN_OK);
	rn_tar_free(t);
	for (i = 0; i < RN_ARRAY_LEN(steps); i++) {
		assert_int_equal(read_all(ar.data, ar.len, steps[i], &s, NULL), RN_OK);
		if (first == NULL) {
			first = strdup(s.log.data);
			assert_non_null(strstr(first, "F message.txt 5 2cf24dba\n"));
			assert_non_null(strstr(first, ".pdf 1 2d711642\n"));
			assert_non_null(strstr(first, "F r\xc3\xa9sum\xc3\xa9.odt 0 e3b0c442\n"));
			assert_non_null(strstr(first, "F big 1000 "));
		} else {
			assert_string_equal(first, s.log.data);
		}
		rn_buf_free(&s.log);
	}
	/* Cut anywhere before the end marker: refused. */
	for (i = 0; i < 4 * 512 + 1024; i += 97) {
		assert_int_equal(read_all(ar.data, i, 512, &s, NULL), RN_ERR_INVAL);
		rn_buf_free(&s.log);
	}
	free(first);
	rn_buf_free(&ar);
}

/* A ustar header block for name (and prefix), typeflag and size, with its checksum. */
static void
header(uint8_t *b, const char *name, const char *prefix, char type, uint64_t size)
{
	unsigned sum = 0;
	size_t	 i;

	memset(b, 0, 512);
	memcpy(b, name, strlen(name) < 100 ? strlen(name) : 100);
	memcpy(b + 100, "0000600", 7);
	memcpy(b + 108, "0000000", 7);
	memcpy(b + 116, "0000000", 7);
	{
		char num[32];

		snprintf(num, sizeof(num), "%011llo", (unsigned long long)(size & 077777777777ull));
		memcpy(b + 124, num, 11);
	}
	memcpy(b + 136, "00000000000", 11);
	b[156] = (uint8_t)type;
	memcpy(b + 257, "ustar\0" "00", 8);
	if (prefix != NULL)
		memcpy(b + 345, prefix, strlen(prefix));
	memset(b + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += b[i];
	snprintf((char *)b + 148, 8, "%06o", sum);
}

static void
fix_checksum(uint8_t *b)
{
	unsigned sum = 0;
	size_t	 i;

	memset(b + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += b[i];
	snprintf((char *)b + 148, 8, "%06o", sum);
}

/* An archive: blocks added one at a time. */
struct ar {
	uint8_t data[64 * 512];
	size_t	len;
};

static void
add_member(struct ar *a, const char *name, char type, const char *content, size_t size)
{
	header(a->data + a->len, name, NULL, type, size);
	a->len += 512;
	if (content != NULL) {
		memset(a->data + a->len, 0, (size + 511) / 512 * 512);
		memcpy(a->data + a->len, content, size);
		a->len += (size + 511) / 512 * 512;
	}
}

static void
add_pax(struct ar *a, const char *records)
{
	add_member(a, "PaxHeaders/x", 'x', records, strlen(records));
}

static void
end(struct ar *a)
{
	memset(a->data + a->len, 0, 1024);
	a->len += 1024;
}

static enum rn_err
try_one(struct ar *a, const char **why)
{
	struct seen s;
	enum rn_err err = read_all(a->data, a->len, 512, &s, why);

	rn_buf_free(&s.log);
	return err;
}

static void
test_hostile_members(void **state)
{
	static const struct {
		const char *name;
		char	    type;
	} bad[] = {
		{ "/etc/passwd", '0' },
		{ "../x", '0' },
		{ "a/../../x", '0' },
		{ "a/./x", '0' },
		{ "a//x", '0' },
		{ ".//x", '0' },
		{ "..", '5' },
		{ "a/..", '5' },
		{ "x/", '0' },
		{ "", '0' },
		{ "./", '0' },
		{ "a\nb", '0' },
		{ "a\x1b[31m", '0' },
		{ "a\x7f", '0' },
		{ "a\xc2\x85", '0' }, /* C1 control */
		{ "a\xff", '0' },
		{ "a\xc0\xaf", '0' }, /* overlong '/' */
		{ "link", '1' },
		{ "link", '2' },
		{ "chr", '3' },
		{ "blk", '4' },
		{ "fifo", '6' },
		{ "sparse", 'S' },
		{ "vol", 'V' },
		{ "multi", 'M' },
		{ "longlink", 'K' },
		{ "what", 'Z' },
	};
	struct ar   a;
	const char *why;
	size_t	    i;

	(void)state;
	for (i = 0; i < RN_ARRAY_LEN(bad); i++) {
		a.len = 0;
		add_member(&a, "ok.txt", '0', "fine", 4);
		add_member(&a, bad[i].name, bad[i].type, NULL, 0);
		end(&a);
		assert_int_equal(try_one(&a, &why), RN_ERR_INVAL);
		assert_true(why[0] != '\0');
	}
	/* What is fine: "./" (skipped), a directory with or without '/', nested paths. */
	a.len = 0;
	add_member(&a, "./", '5', NULL, 0);
	add_member(&a, "./d/", '5', NULL, 0);
	add_member(&a, "d/e", '5', NULL, 0);
	add_member(&a, "./d/e/f.txt", '0', "abc", 3);
	add_member(&a, "d/e/x\\y", '0', "", 0);
	end(&a);
	{
		struct seen s;

		assert_int_equal(read_all(a.data, a.len, 100, &s, NULL), RN_OK);
		assert_string_equal(s.log.data,
		    "D d\nD d/e\nF d/e/f.txt 3 ba7816bf\nF d/e/x\\y 0 e3b0c442\n");
		rn_buf_free(&s.log);
	}
}

static void
test_hostile_structure(void **state)
{
	struct ar   a;
	const char *why;
	uint8_t	   *b;

	(void)state;
	/* Bad checksum. */
	a.len = 0;
	add_member(&a, "x", '0', "abc", 3);
	end(&a);
	a.data[0] = 'y';
	assert_int_equal(try_one(&a, &why), RN_ERR_INVAL);
	assert_string_equal(why, "bad header checksum");
	/* Not ustar (v7). */
	a.len = 0;
	add_member(&a, "x", '0', "abc", 3);
	end(&a);
	memset(a.data + 257, 0, 8);
	fix_checksum(a.data);
	assert_int_equal(try_one(&a, &why), RN_ERR_INVAL);
	assert_string_equal(why, "not a ustar or GNU tar header");
	/* Data after a lone zero block. */
	a.len = 0;
	memset(a.data, 0, 512);
	a.len = 512;
	add_member(&a, "x", '0', "abc", 3);
	end(&a);
	assert_int_equal(try_one(&a, NULL), RN_ERR_INVAL);
	/* No end marker. */
	a.len = 0;
	add_member(&a, "x", '0', "abc", 3);
	assert_int_equal(try_one(&a, NULL), RN_ERR_INVAL);
	/* One zero block at the end is enough; trailing junk after two is ignored. */
	memset(a.data + a.len, 0, 512);
	a.len += 512;
	assert_int_equal(try_one(&a, NULL), RN_OK);
	memset(a.data + a.len, 0, 512);
	a.len += 512;
	memset(a.data + a.len, 'j', 512);
	a.len += 512;
	assert_int_equal(try_one(&a, NULL), RN_OK);
	/* Size field with garbage. */
	a.len = 0;
	add_member(&a, "x", '0', "abc", 3);
	end(&a);
	b = a.data;
	memcpy(b + 124, "0000000000x", 11);
	fix_checksum(b);
	assert_int_equal(try_one(&a, &why), RN_ERR_INVAL);
	assert_string_equal(why, "bad size field");
	/* A directory with data. */
	a.len = 0;
	add_member(&a, "d", '5', "abc", 3);
	end(&a);
	assert_int_equal(try_one(&a, NULL), RN_ERR_INVAL);
	/* An extended header then the end. */
	a.len = 0;
	add_pax(&a, "12 path=abc\n");
	end(&a);
	assert_int_equal(try_one(&a, NULL), RN_ERR_INVAL);
}

static void
test_pax(void **state)
{
	struct ar   a;
	struct seen s;
	const char *why;
	char	    rec[600], path[520];

	(void)state;
	/* path and size honoured; other records ignored. */
	memset(path, 'p', 200);
	path[200] = '\0';
	snprintf(rec, sizeof(rec), "212 path=d/%s\n10 size=3\n20 mtime=1700000000\n", path);
	a.len = 0;
	add_pax(&a, rec);
	header(a.data + a.len, "ignored", NULL, '0', 5); /* the header says 5, pax says 3 */
	a.len += 512;
	memset(a.data + a.len, 0, 512);
	memcpy(a.data + a.len, "abc", 3);
	a.len += 512;
	end(&a);
	assert_int_equal(read_all(a.data, a.len, 7, &s, &why), RN_OK);
	assert_non_null(strstr(s.log.data, "F d/ppp"));
	assert_non_null(strstr(s.log.data, " 3 ba7816bf\n"));
	rn_buf_free(&s.log);
	/* Hostile pax records. */
	{
		static const char *const bad[] = {
			"11 path=/x\n",
			"13 path=../x\n",
			"9 path=x\n\n",
			"8 path=x\n",
			"09 path=x\n",
			"x path=x\n",
			"10 pathx\n\n",
			"6 =xx\n",
			"22 GNU.sparse.major=1\n",
			"23 size=99999999999999\n",
			"11 size=-1\n",
			"17 path=a\x01" "bcdefg\n",
		};
		size_t i;

		for (i = 0; i < RN_ARRAY_LEN(bad); i++) {
			a.len = 0;
			add_pax(&a, bad[i]);
			add_member(&a, "x", '0', "abc", 3);
			end(&a);
			assert_int_not_equal(try_one(&a, NULL), RN_OK);
		}
	}
	/* Two pax headers in a row. */
	a.len = 0;
	add_pax(&a, "10 path=a\n");
	add_pax(&a, "10 path=b\n");
	add_member(&a, "x", '0', "abc", 3);
	end(&a);
	assert_int_equal(try_one(&a, NULL), RN_ERR_INVAL);
	/* A pax header too large. */
	a.len = 0;
	header(a.data, "PaxHeaders/x", NULL, 'x', RN_UNTAR_MAX_PAX + 1);
	a.len = 512;
	assert_int_equal(try_one(&a, &why), RN_ERR_TOOBIG);
	/* A global header is skipped; an empty path record unsets. */
	a.len = 0;
	add_member(&a, "g", 'g', "14 comment=xx\n", 14);
	add_pax(&a, "8 path=\n");
	add_member(&a, "plain", '0', "abc", 3);
	end(&a);
	assert_int_equal(read_all(a.data, a.len, 512, &s, NULL), RN_OK);
	assert_string_equal(s.log.data, "F plain 3 ba7816bf\n");
	rn_buf_free(&s.log);
}

static void
test_gnu_longname_base256(void **state)
{
	struct ar   a;
	struct seen s;
	char	    name[400];

	(void)state;
	memset(name, 'L', 250);
	name[250] = '\0';
	a.len = 0;
	add_member(&a, "././@LongLink", 'L', name, 251);
	add_member(&a, "short", '0', "abc", 3);
	/* GNU magic: "ustar  \0" */
	end(&a);
	assert_int_equal(read_all(a.data, a.len, 512, &s, NULL), RN_OK);
	assert_non_null(strstr(s.log.data, "F LLLLL"));
	rn_buf_free(&s.log);
	/* Base-256 size of 3. */
	a.len = 0;
	add_member(&a, "b256", '0', "abc", 3);
	end(&a);
	memset(a.data + 124, 0, 12);
	a.data[124] = 0x80;
	a.data[135] = 3;
	fix_checksum(a.data);
	assert_int_equal(read_all(a.data, a.len, 512, &s, NULL), RN_OK);
	assert_string_equal(s.log.data, "F b256 3 ba7816bf\n");
	rn_buf_free(&s.log);
	/* A prefix field (POSIX ustar). */
	a.len = 0;
	header(a.data, "name", "pre/fix", '0', 0);
	a.len = 512;
	end(&a);
	assert_int_equal(read_all(a.data, a.len, 512, &s, NULL), RN_OK);
	assert_string_equal(s.log.data, "F pre/fix/name 0 e3b0c442\n");
	rn_buf_free(&s.log);
	/* A prefix that climbs out. */
	a.len = 0;
	header(a.data, "name", "..", '0', 0);
	a.len = 512;
	end(&a);
	assert_int_equal(try_one(&a, NULL), RN_ERR_INVAL);
}

static void
test_limits_and_errors(void **state)
{
	static uint8_t	 big[(RN_UNTAR_MAX_MEMBERS + 2) * 512 + 1024];
	struct rn_untar *u;
	struct seen	 s;
	size_t		 i;
	char		 name[32];

	(void)state;
	for (i = 0; i <= RN_UNTAR_MAX_MEMBERS; i++) {
		snprintf(name, sizeof(name), "f%zu", i);
		header(big + i * 512, name, NULL, '0', 0);
	}
	memset(big + (RN_UNTAR_MAX_MEMBERS + 1) * 512, 0, 1024);
	assert_int_equal(
	    read_all(big, (RN_UNTAR_MAX_MEMBERS + 1) * 512 + 1024, 65536, &s, NULL), RN_ERR_TOOBIG);
	rn_buf_free(&s.log);
	/* A member past the size limit. */
	header(big, "huge", NULL, '0', 0);
	memset(big + 124, 0, 12);
	big[124] = 0x80;
	big[129] = 0x02; /* 2^49 */
	fix_checksum(big);
	assert_int_equal(read_all(big, 512, 512, &s, NULL), RN_ERR_TOOBIG);
	rn_buf_free(&s.log);
	/* A callback's error stops the reader, and stays. */
	header(big, "a", NULL, '0', 0);
	memset(big + 512, 0, 1024);
	memset(&s, 0, sizeof(s));
	s.fail_at = 0;
	rn_buf_init(&s.log, 4096);
	u = rn_untar_new(&ops, &s);
	assert_non_null(u);
	assert_int_equal(rn_untar_update(u, big, 1536), RN_ERR_IO);
	assert_int_equal(rn_untar_update(u, big, 1), RN_ERR_IO);
	assert_int_equal(rn_untar_finish(u), RN_ERR_IO);
	assert_int_equal(rn_untar_members(u), 1);
	rn_untar_free(u);
	rn_untar_free(NULL);
	rn_buf_free(&s.log);
}

static void
test_path_check(void **state)
{
	char out[RN_UNTAR_MAX_PATH + 1];
	char   deep[200], comp[300];
	size_t i;

	(void)state;
	assert_int_equal(rn_untar_path_check("a/b", 3, false, out, sizeof(out)), RN_OK);
	assert_string_equal(out, "a/b");
	assert_int_equal(rn_untar_path_check("./././a", 7, false, out, sizeof(out)), RN_OK);
	assert_string_equal(out, "a");
	assert_int_equal(rn_untar_path_check("a/", 2, true, out, sizeof(out)), RN_OK);
	assert_string_equal(out, "a");
	assert_int_equal(rn_untar_path_check(".", 1, true, out, sizeof(out)), RN_ERR_NOTFOUND);
	assert_int_equal(rn_untar_path_check("a/", 2, false, out, sizeof(out)), RN_ERR_INVAL);
	assert_int_equal(rn_untar_path_check("a/b", 3, false, out, 3), RN_ERR_INVAL);
	for (i = 0; i < 33; i++) {
		deep[2 * i] = 'd';
		deep[2 * i + 1] = '/';
	}
	assert_int_equal(rn_untar_path_check(deep, 63, false, out, sizeof(out)), RN_OK);
	assert_int_equal(rn_untar_path_check(deep, 65, false, out, sizeof(out)), RN_ERR_INVAL);
	memset(comp, 'c', sizeof(comp));
	assert_int_equal(rn_untar_path_check(comp, 255, false, out, sizeof(out)), RN_OK);
	assert_int_equal(rn_untar_path_check(comp, 256, false, out, sizeof(out)), RN_ERR_INVAL);
}

/* Run argv (a real tar); 0 on exit status 0. */
static int
run(char *const argv[])
{
	pid_t pid;
	int   st;

	if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ) != 0)
		return -1;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static void
test_gnu_tar_formats(void **state)
{
	static const char *const formats[] = { "--format=gnu", "--format=pax",
		"--format=ustar" };
	char	    dir[] = "/tmp/rn-untar-XXXXXX", path[600], arch[700];
	char	    longdir[120];
	struct rn_buf data;
	struct seen s;
	FILE	   *f;
	size_t	    i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	memset(longdir, 'D', 99);
	longdir[99] = '\0';
	snprintf(path, sizeof(path), "%s/in", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/in/%s", dir, longdir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/in/%s/f\xc3\xa9.txt", dir, longdir);
	assert_non_null(f = fopen(path, "w"));
	fputs("abc", f);
	fclose(f);
	for (i = 0; i < RN_ARRAY_LEN(formats); i++) {
		char  in[600];
		char *argv[] = { "tar", "-C", in, (char *)formats[i], "-cf", arch, ".", NULL };

		snprintf(in, sizeof(in), "%s/in", dir);
		snprintf(arch, sizeof(arch), "%s/a%zu.tar", dir, i);
		assert_int_equal(run(argv), 0);
		rn_buf_init(&data, 1u << 20);
		assert_int_equal(rn_file_read_all(arch, 1u << 20, &data), RN_OK);
		assert_int_equal(read_all(data.data, data.len, 1000, &s, NULL), RN_OK);
		snprintf(path, sizeof(path), "D %s\nF %s/f\xc3\xa9.txt 3 ba7816bf\n", longdir,
		    longdir);
		assert_string_equal(s.log.data, path);
		rn_buf_free(&s.log);
		rn_buf_free(&data);
		unlink(arch);
	}
	snprintf(path, sizeof(path), "%s/in/%s/f\xc3\xa9.txt", dir, longdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/in/%s", dir, longdir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/in", dir);
	rmdir(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_writer),
		cmocka_unit_test(test_hostile_members),
		cmocka_unit_test(test_hostile_structure),
		cmocka_unit_test(test_pax),
		cmocka_unit_test(test_gnu_longname_base256),
		cmocka_unit_test(test_limits_and_errors),
		cmocka_unit_test(test_path_check),
		cmocka_unit_test(test_gnu_tar_formats),
	};

	return cmocka_run_group_tests_name("untar", tests, NULL, NULL);
}
