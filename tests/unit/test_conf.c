/* Unit tests of roneod.conf: parser, option table, validation, dump and the man page. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "roneo/rn_conf.h"

#define ERRLEN 2048

/* Parse NUL-terminated text into a fresh config; *cp is set either way. */
static enum rn_err
parse(struct rn_conf **cp, const char *text, char *err)
{
	*cp = rn_conf_new();
	assert_non_null(*cp);
	err[0] = '\0';
	return rn_conf_parse(*cp, text, strlen(text), "t.conf", err, ERRLEN);
}

/* Parse text that must fail; err must contain want. */
static void
expect_fail(const char *text, const char *want)
{
	struct rn_conf *c;
	char err[ERRLEN];

	if (parse(&c, text, err) == RN_OK)
		fail_msg("accepted: \"%s\"", text);
	if (strstr(err, want) == NULL)
		fail_msg("for \"%s\": error \"%s\" lacks \"%s\"", text, err, want);
	rn_conf_free(c);
}

/* Parse text that must succeed and return the config. */
static struct rn_conf *
expect_ok(const char *text)
{
	struct rn_conf *c;
	char err[ERRLEN];

	if (parse(&c, text, err) != RN_OK)
		fail_msg("rejected \"%s\": %s", text, err);
	return c;
}

static uint64_t
parse_u64_field(const char *text, size_t off)
{
	struct rn_conf *c = expect_ok(text);
	uint64_t v = *(uint64_t *)((char *)c + off);

	rn_conf_free(c);
	return v;
}

#define U64(text, field) parse_u64_field(text, offsetof(struct rn_conf, field))

/* Field-by-field equality, driven by the table. */
static bool
conf_equal(const struct rn_conf *a, const struct rn_conf *b)
{
	const struct rn_conf_option *opts = rn_conf_options(NULL), *o;
	size_t i, j, n;

	rn_conf_options(&n);
	for (i = 0; i < n; i++) {
		const char *pa = (const char *)a + opts[i].offset;
		const char *pb = (const char *)b + opts[i].offset;

		o = &opts[i];
		switch (o->type) {
		case RN_CONF_BOOL:
			if (*(const bool *)pa != *(const bool *)pb)
				return false;
			break;
		case RN_CONF_UINT:
		case RN_CONF_SIZE:
		case RN_CONF_DURATION:
			if (*(const uint64_t *)pa != *(const uint64_t *)pb)
				return false;
			break;
		case RN_CONF_LOGLEVEL:
			if (*(const enum rn_log_level *)pa != *(const enum rn_log_level *)pb)
				return false;
			break;
		case RN_CONF_STRING:
		case RN_CONF_PATH: {
			const char *sa = *(char *const *)pa, *sb = *(char *const *)pb;

			if ((sa == NULL) != (sb == NULL) || (sa != NULL && strcmp(sa, sb) != 0))
				return false;
			break;
		}
		case RN_CONF_LIST: {
			const struct rn_conf_list *la = (const void *)pa, *lb = (const void *)pb;

			if (la->n != lb->n)
				return false;
			for (j = 0; j < la->n; j++)
				if (strcmp(la->v[j], lb->v[j]) != 0)
					return false;
			break;
		}
		}
	}
	return true;
}

/* dump(c), parse it into a fresh config, compare; returns the dump (caller frees). */
static char *
roundtrip(const struct rn_conf *c)
{
	struct rn_buf b, b2;
	struct rn_conf *c2;
	char err[ERRLEN], *s;

	rn_buf_init(&b, 1u << 20);
	rn_buf_init(&b2, 1u << 20);
	assert_int_equal(rn_conf_dump(c, &b, false), RN_OK);
	c2 = rn_conf_new();
	assert_non_null(c2);
	if (rn_conf_parse(c2, b.data, b.len, "dump", err, sizeof(err)) != RN_OK)
		fail_msg("dump does not parse: %s\n%s", err, b.data);
	assert_true(conf_equal(c, c2));
	assert_int_equal(rn_conf_dump(c2, &b2, false), RN_OK);
	assert_string_equal(b.data, b2.data);
	rn_conf_free(c2);
	rn_buf_free(&b2);
	s = strdup(b.data);
	rn_buf_free(&b);
	assert_non_null(s);
	return s;
}

static void
test_defaults(void **state)
{
	struct rn_conf *c = rn_conf_new();
	char err[ERRLEN];

	(void)state;
	assert_non_null(c);
	assert_string_equal(c->data_directory, "/var/lib/roneo");
	assert_string_equal(c->user, "roneo");
	assert_string_equal(c->public_directory, "/var/lib/roneo/public");
	assert_int_equal(c->log_level, RN_LOG_NOTICE);
	assert_false(c->syslog);
	assert_int_equal(c->shutdown_timeout, RN_DEF_SHUTDOWN_TIMEOUT);
	assert_int_equal(c->listen.n, 2);
	assert_string_equal(c->listen.v[0], "127.0.0.1:8080");
	assert_string_equal(c->listen.v[1], "unix:http.sock");
	assert_false(c->allow_non_loopback);
	assert_int_equal(c->host_names.n, 2);
	assert_string_equal(c->host_names.v[0], "localhost");
	assert_string_equal(c->host_names.v[1], "127.0.0.1");
	assert_int_equal(c->max_connections, RN_DEF_HTTP_MAX_CONNECTIONS);
	assert_int_equal(c->header_timeout, RN_DEF_HTTP_HEADER_TIMEOUT);
	assert_int_equal(c->idle_timeout, RN_DEF_HTTP_IDLE_TIMEOUT);
	assert_int_equal(c->write_timeout, RN_DEF_HTTP_WRITE_TIMEOUT);
	assert_int_equal(c->body_min_rate, RN_DEF_HTTP_BODY_MIN_RATE);
	assert_int_equal(c->body_rate_window, RN_DEF_HTTP_BODY_RATE_WINDOW);
	assert_int_equal(c->max_request_line, RN_DEF_HTTP_MAX_REQUEST_LINE);
	assert_int_equal(c->max_header_bytes, RN_DEF_HTTP_MAX_HEADER_BYTES);
	assert_int_equal(c->max_headers, RN_DEF_HTTP_MAX_HEADERS);
	assert_int_equal(c->max_body, RN_DEF_HTTP_MAX_BODY);
	assert_int_equal(c->max_requests_per_conn, RN_DEF_HTTP_MAX_REQUESTS_PER_CONN);
	assert_int_equal(rn_conf_validate(c, err, sizeof(err)), RN_OK);
	/* Empty text changes nothing. */
	assert_int_equal(rn_conf_parse(c, "", 0, "t", err, sizeof(err)), RN_OK);
	assert_int_equal(rn_conf_parse(c, NULL, 0, "t", err, sizeof(err)), RN_OK);
	assert_string_equal(c->public_directory, "/var/lib/roneo/public");
	rn_conf_free(c);
	rn_conf_free(NULL);
}

static size_t
field_size(enum rn_conf_type t)
{
	switch (t) {
	case RN_CONF_BOOL:
		return sizeof(bool);
	case RN_CONF_UINT:
	case RN_CONF_SIZE:
	case RN_CONF_DURATION:
		return sizeof(uint64_t);
	case RN_CONF_STRING:
	case RN_CONF_PATH:
		return sizeof(char *);
	case RN_CONF_LIST:
		return sizeof(struct rn_conf_list);
	case RN_CONF_LOGLEVEL:
		return sizeof(enum rn_log_level);
	}
	return 0;
}

static void
test_table(void **state)
{
	const struct rn_conf_option *opts;
	struct rn_conf *c;
	size_t i, j, n, end, next;

	(void)state;
	opts = rn_conf_options(&n);
	assert_int_equal(n, 45); /* 32 + OnionListen and its limits (5) + Tor (8) */
	c = rn_conf_new();
	assert_non_null(c);
	for (i = 0; i < n; i++) {
		const struct rn_conf_option *o = &opts[i];
		size_t dl = strlen(o->doc);

		assert_non_null(o->name);
		assert_true(dl > 10 && o->doc[dl - 1] == '.');
		assert_true(o->offset + field_size(o->type) <= sizeof(struct rn_conf));
		for (j = 0; j < i; j++) {
			assert_true(strlen(opts[j].name) != strlen(o->name) ||
			    !rn_ascii_casecmp_n(opts[j].name, o->name, strlen(o->name)));
			assert_int_not_equal(opts[j].offset, o->offset);
		}
		if (o->type == RN_CONF_UINT || o->type == RN_CONF_SIZE ||
		    o->type == RN_CONF_DURATION) {
			uint64_t v = *(uint64_t *)((char *)c + o->offset);

			assert_true(o->min <= o->max && o->max > 0);
			assert_true(v >= o->min && v <= o->max);
		}
		/* PublicDirectory is derived; Editor lists have no default (may be empty). */
		if (o->def == NULL)
			assert_true(strcmp(o->name, "PublicDirectory") == 0 ||
			    o->type == RN_CONF_LIST);
		assert_false(o->secret);
	}
	/*
	 * Every field of struct rn_conf has a row: walking the fields by
	 * offset leaves no hole bigger than alignment padding.
	 */
	for (end = 0;;) {
		next = SIZE_MAX;
		for (i = 0; i < n; i++)
			if (opts[i].offset >= end && opts[i].offset < next)
				next = opts[i].offset;
		if (next == SIZE_MAX)
			break;
		assert_true(next - end < 8);
		for (i = 0; opts[i].offset != next; i++)
			;
		end = next + field_size(opts[i].type);
	}
	assert_true(sizeof(struct rn_conf) - end < 8);
	rn_conf_free(c);
}

static void
test_redaction(void **state)
{
	const struct rn_conf_option *opts;
	struct rn_buf plain, red;
	struct rn_conf *c = rn_conf_new();
	size_t i, n, secrets = 0;

	(void)state;
	assert_non_null(c);
	opts = rn_conf_options(&n);
	rn_buf_init(&plain, 1u << 20);
	rn_buf_init(&red, 1u << 20);
	assert_int_equal(rn_conf_dump(c, &plain, false), RN_OK);
	assert_int_equal(rn_conf_dump(c, &red, true), RN_OK);
	for (i = 0; i < n; i++) {
		char want[256];

		if (!opts[i].secret)
			continue;
		secrets++;
		snprintf(want, sizeof(want), "\n%s [redacted]\n", opts[i].name);
		assert_non_null(strstr(red.data, want));
	}
	/* No option is secret yet: the redacted dump equals the plain one. */
	if (secrets == 0)
		assert_string_equal(plain.data, red.data);
	else
		assert_string_not_equal(plain.data, red.data);
	assert_null(strstr(plain.data, "[redacted]"));
	rn_buf_free(&plain);
	rn_buf_free(&red);
	rn_conf_free(c);
}

static void
test_bool(void **state)
{
	struct rn_conf *c;

	(void)state;
	c = expect_ok("SysLog 1\nAllowNonLoopback 1\n");
	assert_true(c->syslog);
	assert_true(c->allow_non_loopback);
	rn_conf_free(c);
	c = expect_ok("SysLog 0");
	assert_false(c->syslog);
	rn_conf_free(c);
	expect_fail("SysLog 2", "t.conf:1: SysLog: expected 0 or 1, got \"2\"");
	expect_fail("SysLog yes", "expected 0 or 1");
	expect_fail("SysLog 01", "expected 0 or 1");
	expect_fail("SysLog true", "expected 0 or 1");
	expect_fail("SysLog -1", "expected 0 or 1");
}

static void
test_uint(void **state)
{
	(void)state;
	assert_int_equal(U64("MaxConnections 1", max_connections), 1);
	assert_int_equal(U64("MaxConnections 65536", max_connections), 65536);
	assert_int_equal(U64("MaxConnections 007", max_connections), 7);
	assert_int_equal(U64("MaxHeaders 256", max_headers), RN_MAX_HTTP_HEADERS);
	assert_int_equal(U64("MaxRequestsPerConnection 1000000", max_requests_per_conn), 1000000);
	expect_fail("MaxConnections abc",
	    "t.conf:1: MaxConnections: expected an integer from 1 to 65536, got \"abc\"");
	expect_fail("MaxConnections 0", "from 1 to 65536, got \"0\"");
	expect_fail("MaxConnections 65537", "from 1 to 65536, got \"65537\"");
	expect_fail("MaxConnections -1", "expected an integer");
	expect_fail("MaxConnections +5", "expected an integer");
	expect_fail("MaxConnections 1 2", "got \"1 2\"");
	expect_fail("MaxConnections 0x10", "expected an integer");
	expect_fail("MaxConnections 1k", "expected an integer");
	expect_fail("MaxConnections 99999999999999999999999", "expected an integer");
	expect_fail("MaxHeaders 257", "from 1 to 256");
	expect_fail("MaxRequestsPerConnection 1000001", "from 1 to 1000000");
}

static void
test_size(void **state)
{
	(void)state;
	assert_int_equal(U64("MaxBodySize 0", max_body), 0);
	assert_int_equal(U64("MaxBodySize 1000", max_body), 1000);
	assert_int_equal(U64("MaxBodySize 12 bytes", max_body), 12);
	assert_int_equal(U64("MaxBodySize 1 byte", max_body), 1);
	assert_int_equal(U64("MaxBodySize 3 B", max_body), 3);
	assert_int_equal(U64("MaxBodySize 2 KB", max_body), 2048);
	assert_int_equal(U64("MaxBodySize 2 KiB", max_body), 2048);
	assert_int_equal(U64("MaxBodySize 2kib", max_body), 2048);
	assert_int_equal(U64("MaxBodySize 3 MB", max_body), 3u << 20);
	assert_int_equal(U64("MaxBodySize 3\tmib", max_body), 3u << 20);
	assert_int_equal(U64("MaxBodySize 5 GB", max_body), UINT64_C(5) << 30);
	assert_int_equal(U64("MaxBodySize 5 GiB", max_body), UINT64_C(5) << 30);
	assert_int_equal(U64("MaxBodySize 1024 GiB", max_body), UINT64_C(1) << 40);
	assert_int_equal(U64("BodyMinRate 0", body_min_rate), 0);
	assert_int_equal(U64("BodyMinRate 1 GiB", body_min_rate), UINT64_C(1) << 30);
	assert_int_equal(U64("MaxRequestLine 256", max_request_line), 256);
	assert_int_equal(U64("MaxRequestLine 64 KiB\nMaxHeaderBytes 64 KiB", max_request_line),
	    65536);
	assert_int_equal(U64("MaxHeaderBytes 1 KiB\nMaxRequestLine 1024", max_header_bytes),
	    1024);
	expect_fail("MaxBodySize 1025 GiB",
	    "t.conf:1: MaxBodySize: expected a size from 0 bytes to 1024 GiB");
	expect_fail("MaxRequestLine 255", "from 256 bytes to 64 KiB");
	expect_fail("MaxRequestLine 65537", "got \"65537\"");
	expect_fail("MaxHeaderBytes 1023", "from 1 KiB to 64 KiB");
	expect_fail("BodyMinRate 1025 MiB", "BodyMinRate: expected a size");
	expect_fail("MaxBodySize 1.5 KiB", "got \"1.5 KiB\"");
	expect_fail("MaxBodySize KiB", "expected a size");
	expect_fail("MaxBodySize 1 XB", "expected a size");
	expect_fail("MaxBodySize 1 KiBs", "expected a size");
	expect_fail("MaxBodySize 1 TiB", "expected a size");
	expect_fail("MaxBodySize -1", "expected a size");
	expect_fail("MaxBodySize 18446744073709551615 GiB", "expected a size");
	expect_fail("MaxBodySize 18446744073709551616", "expected a size");
	expect_fail("MaxBodySize 17179869184 GiB", "expected a size");
}

static void
test_duration(void **state)
{
	(void)state;
	assert_int_equal(U64("IdleTimeout 10", idle_timeout), 10);
	assert_int_equal(U64("IdleTimeout 1 s", idle_timeout), 1);
	assert_int_equal(U64("IdleTimeout 2 sec", idle_timeout), 2);
	assert_int_equal(U64("IdleTimeout 1 second", idle_timeout), 1);
	assert_int_equal(U64("IdleTimeout 3 Seconds", idle_timeout), 3);
	assert_int_equal(U64("IdleTimeout 2 min", idle_timeout), 120);
	assert_int_equal(U64("IdleTimeout 1 minute", idle_timeout), 60);
	assert_int_equal(U64("IdleTimeout 5 MINUTES", idle_timeout), 300);
	assert_int_equal(U64("IdleTimeout 1 hour", idle_timeout), 3600);
	assert_int_equal(U64("IdleTimeout 3600seconds", idle_timeout), 3600);
	assert_int_equal(U64("WriteTimeout 1 hours", write_timeout), 3600);
	assert_int_equal(U64("HeaderTimeout 10 minutes", header_timeout), 600);
	assert_int_equal(U64("ShutdownTimeout 1", shutdown_timeout), 1);
	assert_int_equal(U64("BodyRateWindow 600", body_rate_window), 600);
	expect_fail("HeaderTimeout 601",
	    "t.conf:1: HeaderTimeout: expected a duration from 1 second to 10 minutes "
	    "(N [seconds|minutes|hours|days]), got \"601\"");
	expect_fail("HeaderTimeout 0", "from 1 second to 10 minutes");
	expect_fail("IdleTimeout 3601", "from 1 second to 1 hour");
	expect_fail("IdleTimeout 1 day", "from 1 second to 1 hour");
	expect_fail("IdleTimeout 0 days", "from 1 second to 1 hour");
	expect_fail("IdleTimeout 5 fortnights", "expected a duration");
	expect_fail("IdleTimeout 5 m", "expected a duration");
	expect_fail("IdleTimeout 1h", "expected a duration");
	expect_fail("IdleTimeout ten", "expected a duration");
	expect_fail("ShutdownTimeout 18446744073709551615 days", "expected a duration");
}

static void
test_strings(void **state)
{
	struct rn_conf *c;

	(void)state;
	c = expect_ok("User www data\nDataDirectory /srv/roneo");
	assert_string_equal(c->user, "www data");
	assert_string_equal(c->data_directory, "/srv/roneo");
	assert_string_equal(c->public_directory, "/srv/roneo/public");
	rn_conf_free(c);
	c = expect_ok("DataDirectory /");
	assert_string_equal(c->public_directory, "/public");
	rn_conf_free(c);
	/* An explicit PublicDirectory wins, wherever it stands. */
	c = expect_ok("PublicDirectory /srv/www\nDataDirectory /srv/roneo");
	assert_string_equal(c->public_directory, "/srv/www");
	rn_conf_free(c);
	c = expect_ok("DataDirectory /srv/roneo\nPublicDirectory /srv/www");
	assert_string_equal(c->public_directory, "/srv/www");
	rn_conf_free(c);
	c = expect_ok("LogLevel debug");
	assert_int_equal(c->log_level, RN_LOG_DEBUG);
	rn_conf_free(c);
	c = expect_ok("LogLevel ERR");
	assert_int_equal(c->log_level, RN_LOG_ERR);
	rn_conf_free(c);
	expect_fail("DataDirectory var/lib", "t.conf:1: DataDirectory: expected an absolute "
	    "path, got \"var/lib\"");
	expect_fail("PublicDirectory ./www", "expected an absolute path");
	expect_fail("LogLevel verbose",
	    "LogLevel: expected err, warn, notice, info or debug, got \"verbose\"");
	expect_fail("LogLevel warning", "expected err, warn");
}

static void
test_lists(void **state)
{
	struct rn_buf b;
	struct rn_conf *c;
	size_t i;

	(void)state;
	/* The first Listen replaces the defaults, later ones append. */
	c = expect_ok("Listen 127.0.0.1:1\nSysLog 1\nlisten [::1]:2\nLISTEN unix:/run/r.sock\n");
	assert_int_equal(c->listen.n, 3);
	assert_string_equal(c->listen.v[0], "127.0.0.1:1");
	assert_string_equal(c->listen.v[1], "[::1]:2");
	assert_string_equal(c->listen.v[2], "unix:/run/r.sock");
	assert_int_equal(c->host_names.n, 2);
	rn_conf_free(c);

	rn_buf_init(&b, 1u << 20);
	for (i = 0; i < RN_CONF_MAX_LIST; i++)
		assert_int_equal(rn_buf_printf(&b, "HostName h%zu.example\n", i), RN_OK);
	c = expect_ok(b.data);
	assert_int_equal(c->host_names.n, RN_CONF_MAX_LIST);
	assert_string_equal(c->host_names.v[RN_CONF_MAX_LIST - 1], "h63.example");
	free(roundtrip(c));
	rn_conf_free(c);
	assert_int_equal(rn_buf_puts(&b, "HostName one.too.many\n"), RN_OK);
	expect_fail(b.data, "t.conf:65: HostName: more than 64 values");
	rn_buf_free(&b);
}

static void
test_unknown_and_missing(void **state)
{
	(void)state;
	expect_fail("Foo 1", "t.conf:1: unknown option \"Foo\"");
	expect_fail("\n\nMaxConnection 5", "t.conf:3: unknown option \"MaxConnection\"");
	expect_fail("Max\x80" "Conn 5", "unknown option \"Max\\x80Conn\"");
	expect_fail("Data-Directory /x", "unknown option");
	expect_fail("User", "t.conf:1: User: missing value");
	expect_fail("User  \t ", "User: missing value");
	expect_fail("Listen", "Listen: missing value");
	expect_fail("=User x", "unknown option \"=User\"");
	expect_fail("User=roneo", "unknown option \"User=roneo\"");
}

static void
test_duplicates(void **state)
{
	(void)state;
	expect_fail("SysLog 0\nSysLog 1", "t.conf:2: SysLog: given twice (first on line 1)");
	expect_fail("syslog 0\n# x\nSYSLOG 0", "t.conf:3: SysLog: given twice (first on line 1)");
	expect_fail("DataDirectory /a\nDataDirectory /a", "DataDirectory: given twice");
	expect_fail("MaxBodySize 1\nmaxbodysize 1", "MaxBodySize: given twice");
}

static void
test_comments_whitespace(void **state)
{
	struct rn_conf *c;

	(void)state;
	c = expect_ok("# a comment\n\n   # indented comment\n\t#tabbed\n"
	    "  \t SysLog \t  1 \t \n\n  maxconnections\t\t5\n#SysLog 0\n"
	    "User roneo # not a comment\nHostName a.example\n  \n");
	assert_true(c->syslog);
	assert_int_equal(c->max_connections, 5);
	assert_string_equal(c->user, "roneo # not a comment");
	assert_int_equal(c->host_names.n, 1);
	rn_conf_free(c);
	/* The last line needs no newline; a value keeps inner tabs. */
	c = expect_ok("SysLog 1\nUser a\tb");
	assert_string_equal(c->user, "a\tb");
	rn_conf_free(c);
	c = expect_ok("# only a comment");
	rn_conf_free(c);
	c = expect_ok("\n\n\n");
	rn_conf_free(c);
}

static void
test_bad_bytes(void **state)
{
	struct rn_conf *c;
	char err[ERRLEN];
	static const char nul[] = "SysLog 1\nUser a\0b\n";

	(void)state;
	expect_fail("SysLog 1\r\n", "t.conf:1: line ends with a carriage return: CRLF");
	expect_fail("# comment\r\nSysLog 1\n", "t.conf:1: line ends with a carriage return");
	expect_fail("User a\rb", "control character 0x0d at column 7");
	expect_fail("User a\x01", "t.conf:1: control character 0x01 at column 7");
	expect_fail("SysLog 1\nUser a\x7f", "t.conf:2: control character 0x7f");
	expect_fail("# comment \x1b[31m", "control character 0x1b");
	expect_fail("\xef\xbb\xbfSysLog 1", "t.conf:1: file starts with a UTF-8 byte order mark");
	c = rn_conf_new();
	assert_non_null(c);
	assert_int_equal(rn_conf_parse(c, nul, sizeof(nul) - 1, "n.conf", err, sizeof(err)),
	    RN_ERR_INVAL);
	assert_non_null(strstr(err, "n.conf:2: NUL byte at column 7"));
	rn_conf_free(c);
	/* UTF-8 in a value is fine. */
	c = expect_ok("User r\xc3\xb6neo");
	assert_string_equal(c->user, "r\xc3\xb6neo");
	rn_conf_free(c);
}

static void
test_long_lines(void **state)
{
	struct rn_conf *c;
	char *line, err[ERRLEN];
	size_t n = RN_CONF_MAX_LINE;

	(void)state;
	line = malloc(n + 2);
	assert_non_null(line);
	memcpy(line, "User ", 5);
	memset(line + 5, 'u', n - 5);
	line[n] = '\n';
	line[n + 1] = '\0';
	c = expect_ok(line);
	assert_int_equal(strlen(c->user), n - 5);
	free(roundtrip(c));
	rn_conf_free(c);
	line[n] = 'u';
	c = rn_conf_new();
	assert_int_equal(rn_conf_parse(c, line, n + 1, "t.conf", err, sizeof(err)),
	    RN_ERR_TOOBIG);
	assert_non_null(strstr(err, "t.conf:1: line longer than 4096 bytes"));
	rn_conf_free(c);
	line[0] = '#';
	expect_fail(line, "line longer than 4096 bytes");
	free(line);
}

static void
test_error_arguments(void **state)
{
	struct rn_conf *c = rn_conf_new();
	char err[8];

	(void)state;
	assert_non_null(c);
	/* No error buffer, or a tiny one, is fine. */
	assert_int_equal(rn_conf_parse(c, "Foo 1", 5, NULL, NULL, 0), RN_ERR_INVAL);
	assert_int_equal(rn_conf_parse(c, "Foo 1", 5, "t.conf", err, sizeof(err)),
	    RN_ERR_INVAL);
	assert_string_equal(err, "t.conf:");
	rn_conf_free(c);
}

static void
test_dump(void **state)
{
	struct rn_conf *c = rn_conf_new();
	char *d;

	(void)state;
	assert_non_null(c);
	d = roundtrip(c);
	assert_non_null(strstr(d, "DataDirectory /var/lib/roneo\n"));
	assert_non_null(strstr(d, "PublicDirectory /var/lib/roneo/public\n"));
	assert_non_null(strstr(d, "LogLevel notice\n"));
	assert_non_null(strstr(d, "ShutdownTimeout 10 seconds\n"));
	assert_non_null(strstr(d, "Listen 127.0.0.1:8080\nListen unix:http.sock\n"));
	assert_non_null(strstr(d, "BodyMinRate 1 KiB\n"));
	assert_non_null(strstr(d, "MaxBodySize 1 MiB\n"));
	assert_non_null(strstr(d, "MaxRequestLine 8 KiB\n"));
	assert_non_null(strstr(d, "MaxRequestsPerConnection 1000\n"));
	/* Table order, every option once. */
	assert_true(strncmp(d, "DataDirectory ", 14) == 0);
	assert_true(strstr(d, "User ") < strstr(d, "PublicDirectory "));
	free(d);
	rn_conf_free(c);

	c = expect_ok("DataDirectory /srv/r o\nUser x\nLogLevel debug\nSysLog 1\n"
	    "ShutdownTimeout 1\nListen [::1]:99\nListen unix:/a b\nAllowNonLoopback 1\n"
	    "HostName example.org\nMaxConnections 7\nHeaderTimeout 2 minutes\n"
	    "IdleTimeout 3600\nWriteTimeout 61\nBodyMinRate 0\nBodyRateWindow 120\n"
	    "MaxRequestLine 1000\nMaxHeaderBytes 1025\nMaxHeaders 1\nMaxBodySize 1\n"
	    "MaxRequestsPerConnection 1\nPublicDirectory /p#q\n");
	d = roundtrip(c);
	assert_non_null(strstr(d, "ShutdownTimeout 1 second\n"));
	assert_non_null(strstr(d, "HeaderTimeout 2 minutes\n"));
	assert_non_null(strstr(d, "IdleTimeout 1 hour\n"));
	assert_non_null(strstr(d, "WriteTimeout 61 seconds\n"));
	assert_non_null(strstr(d, "BodyMinRate 0 bytes\n"));
	assert_non_null(strstr(d, "MaxRequestLine 1000 bytes\n"));
	assert_non_null(strstr(d, "MaxHeaderBytes 1025 bytes\n"));
	assert_non_null(strstr(d, "MaxBodySize 1 byte\n"));
	assert_non_null(strstr(d, "PublicDirectory /p#q\n"));
	assert_non_null(strstr(d, "DataDirectory /srv/r o\n"));
	free(d);
	rn_conf_free(c);
}

static void
test_dump_refuses_unparsable(void **state)
{
	struct rn_conf *c = rn_conf_new();
	struct rn_buf b;
	char *old;

	(void)state;
	assert_non_null(c);
	rn_buf_init(&b, 1u << 20);
	assert_int_equal(rn_buf_puts(&b, "keep"), RN_OK);
	old = c->user;
	c->user = (char *)"a\nDataDirectory /evil";
	assert_int_equal(rn_conf_dump(c, &b, false), RN_ERR_INVAL);
	assert_string_equal(b.data, "keep");
	c->user = (char *)" lead";
	assert_int_equal(rn_conf_dump(c, &b, false), RN_ERR_INVAL);
	c->user = old;
	/* A buffer too small fails cleanly too. */
	b.max = 64;
	assert_int_equal(rn_conf_dump(c, &b, false), RN_ERR_TOOBIG);
	assert_string_equal(b.data, "keep");
	rn_buf_free(&b);
	rn_conf_free(c);
}

static void
expect_invalid(const char *text, const char *want)
{
	struct rn_conf *c = expect_ok(text);
	char err[ERRLEN];

	if (rn_conf_validate(c, err, sizeof(err)) == RN_OK)
		fail_msg("validated: \"%s\"", text);
	if (strstr(err, want) == NULL)
		fail_msg("for \"%s\": error \"%s\" lacks \"%s\"", text, err, want);
	rn_conf_free(c);
}

static void
expect_valid(const char *text)
{
	struct rn_conf *c = expect_ok(text);
	char err[ERRLEN];

	if (rn_conf_validate(c, err, sizeof(err)) != RN_OK)
		fail_msg("for \"%s\": %s", text, err);
	free(roundtrip(c));
	rn_conf_free(c);
}

static void
test_validate_limits(void **state)
{
	struct rn_conf *c;
	char err[ERRLEN];

	(void)state;
	expect_valid("MaxRequestLine 16 KiB");
	expect_invalid("MaxRequestLine 16385",
	    "MaxRequestLine (16385) may not exceed MaxHeaderBytes (16384)");
	expect_invalid("MaxHeaderBytes 4 KiB", "may not exceed MaxHeaderBytes");
	/* A config built by hand is range-checked too. */
	c = rn_conf_new();
	c->max_connections = 0;
	assert_int_equal(rn_conf_validate(c, err, sizeof(err)), RN_ERR_INVAL);
	assert_non_null(strstr(err, "MaxConnections: 0 is out of range"));
	c->max_connections = 1;
	c->user[0] = '\0';
	assert_int_equal(rn_conf_validate(c, err, sizeof(err)), RN_ERR_INVAL);
	assert_non_null(strstr(err, "User: must not be empty"));
	c->user[0] = 'r';
	c->public_directory[0] = 'x';
	assert_int_equal(rn_conf_validate(c, err, sizeof(err)), RN_ERR_INVAL);
	assert_non_null(strstr(err, "PublicDirectory: must be an absolute path"));
	c->public_directory[0] = '/';
	c->log_level = (enum rn_log_level)9;
	assert_int_equal(rn_conf_validate(c, err, sizeof(err)), RN_ERR_INVAL);
	c->log_level = RN_LOG_INFO;
	free(c->host_names.v[0]);
	free(c->host_names.v[1]);
	c->host_names.n = 0;
	assert_int_equal(rn_conf_validate(c, err, sizeof(err)), RN_ERR_INVAL);
	assert_non_null(strstr(err, "HostName: needs from 1 to 64 non-empty values"));
	rn_conf_free(c);
}

static void
test_validate_listen(void **state)
{
	(void)state;
	expect_valid("Listen 127.0.0.1:1");
	expect_valid("Listen 127.255.255.254:65535");
	expect_valid("Listen localhost:8080");
	expect_valid("Listen [::1]:8080");
	expect_valid("Listen [0:0::1]:8080");
	expect_valid("Listen unix:/run/roneo/http.sock");
	expect_valid("Listen 0.0.0.0:80\nAllowNonLoopback 1");
	expect_valid("Listen [::]:80\nAllowNonLoopback 1");
	expect_valid("Listen 192.0.2.1:443\nAllowNonLoopback 1");
	expect_invalid("Listen 0.0.0.0:80",
	    "Listen: \"0.0.0.0:80\" is not a loopback address; set AllowNonLoopback 1");
	expect_invalid("Listen [::]:80", "not a loopback address");
	expect_invalid("Listen [::ffff:127.0.0.1]:80", "not a loopback address");
	expect_invalid("Listen 10.0.0.1:80\nAllowNonLoopback 0", "not a loopback address");
	expect_invalid("Listen 127.0.0.1:0", "\"127.0.0.1:0\": expected a port from 1 to 65535");
	expect_invalid("Listen 127.0.0.1:65536", "expected a port from 1 to 65535");
	expect_invalid("Listen 127.0.0.1:", "expected a port");
	expect_invalid("Listen 127.0.0.1:http", "expected a port");
	expect_invalid("Listen 127.0.0.1", "expected IPv4:PORT, [IPv6]:PORT");
	expect_invalid("Listen ::1:80", "expected IPv4:PORT, [IPv6]:PORT");
	expect_invalid("Listen [::1]80", "expected [IPv6]:PORT");
	expect_invalid("Listen [::1:80", "expected [IPv6]:PORT");
	expect_invalid("Listen []:80", "missing or overlong address");
	expect_invalid("Listen :80", "missing or overlong address");
	expect_invalid("Listen 127.1:80", "not a numeric IPv4 address or localhost");
	expect_invalid("Listen 127.0.0.01:80", "not a numeric IPv4 address");
	expect_invalid("Listen example.org:80", "not a numeric IPv4 address or localhost");
	expect_invalid("Listen [127.0.0.1]:80", "not a numeric IPv6 address");
	expect_invalid("Listen [::1%lo]:80", "not a numeric IPv6 address");
	expect_invalid("Listen unix:", "the unix socket path is empty");
	expect_invalid("Listen 127.0.0.1:1\nListen localhost:1", "\"localhost:1\" is given twice");
	expect_invalid("Listen unix:a.sock\nListen unix:/var/lib/roneo/a.sock", "is given twice");
}

static void
test_validate_unix_length(void **state)
{
	char text[512], path[128];

	(void)state;
	/* 100 bytes once joined is the most; "/var/lib/roneo/" is 15. */
	memset(path, 's', 85);
	path[85] = '\0';
	snprintf(text, sizeof(text), "Listen unix:%s", path);
	expect_valid(text);
	snprintf(text, sizeof(text), "Listen unix:%ss", path);
	expect_invalid(text, "longer than 100 bytes once joined to DataDirectory");
	snprintf(text, sizeof(text), "DataDirectory /var/lib/roneo/\nListen unix:%s", path);
	expect_valid(text);
	memset(path, 'a', 100);
	path[0] = '/';
	path[100] = '\0';
	snprintf(text, sizeof(text), "Listen unix:%s", path);
	expect_valid(text);
	snprintf(text, sizeof(text), "Listen unix:%sa", path);
	expect_invalid(text, "the unix socket path is longer than 100 bytes");
}

static void
test_validate_host_names(void **state)
{
	static const char *good[] = {
		"localhost", "example.org", "a.b-c.d0", "127.0.0.1", "[::1]", "[2001:db8::1]",
		"x", "1a", "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcd.onion",
	};
	static const char *bad[] = {
		"Example.org", "-a.org", "a-.org", "a..b", ".a", "a.", "1.2.3", "::1", "[::G]",
		"[::1", "a_b.org", "a b", "example.org:80", "[::ABCD]", "256.1.1.1", "*.org",
	};
	char text[512], label[80];
	size_t i;

	(void)state;
	for (i = 0; i < RN_ARRAY_LEN(good); i++) {
		snprintf(text, sizeof(text), "HostName %s", good[i]);
		expect_valid(text);
	}
	for (i = 0; i < RN_ARRAY_LEN(bad); i++) {
		snprintf(text, sizeof(text), "HostName localhost\nHostName %s", bad[i]);
		expect_invalid(text, "is not a lower-case host name");
	}
	memset(label, 'a', 63);
	label[63] = '\0';
	snprintf(text, sizeof(text), "HostName %s.org", label);
	expect_valid(text);
	snprintf(text, sizeof(text), "HostName a%s.org", label);
	expect_invalid(text, "is not a lower-case host name");
}

static void
test_listen_parse(void **state)
{
	struct rn_conf_listen l;
	char err[ERRLEN];

	(void)state;
	assert_int_equal(rn_conf_listen_parse("127.0.0.2:8080", NULL, &l, err, sizeof(err)),
	    RN_OK);
	assert_int_equal(l.family, RN_CONF_LISTEN_INET);
	assert_string_equal(l.host, "127.0.0.2");
	assert_memory_equal(l.addr, "\x7f\x00\x00\x02", 4);
	assert_int_equal(l.port, 8080);
	assert_true(l.loopback);
	assert_int_equal(rn_conf_listen_parse("localhost:1", NULL, &l, err, sizeof(err)), RN_OK);
	assert_string_equal(l.host, "127.0.0.1");
	assert_int_equal(l.family, RN_CONF_LISTEN_INET);
	assert_int_equal(rn_conf_listen_parse("[2001:DB8:0::1]:443", NULL, &l, err,
	    sizeof(err)), RN_OK);
	assert_int_equal(l.family, RN_CONF_LISTEN_INET6);
	assert_string_equal(l.host, "2001:db8::1");
	assert_int_equal(l.addr[0], 0x20);
	assert_int_equal(l.addr[15], 1);
	assert_int_equal(l.port, 443);
	assert_false(l.loopback);
	assert_int_equal(rn_conf_listen_parse("unix:s/h.sock", "/d/", &l, err, sizeof(err)),
	    RN_OK);
	assert_int_equal(l.family, RN_CONF_LISTEN_UNIX);
	assert_string_equal(l.path, "/d/s/h.sock");
	assert_int_equal(l.port, 0);
	assert_true(l.loopback);
	assert_int_equal(rn_conf_listen_parse("unix:/abs", NULL, &l, err, sizeof(err)), RN_OK);
	assert_string_equal(l.path, "/abs");
	assert_int_equal(rn_conf_listen_parse("unix:rel", NULL, &l, err, sizeof(err)),
	    RN_ERR_INVAL);
	assert_non_null(strstr(err, "needs a DataDirectory"));
	assert_int_equal(l.path[0], '\0');
	assert_int_equal(rn_conf_listen_parse(NULL, NULL, &l, NULL, 0), RN_ERR_INVAL);
	assert_true(rn_conf_listen_is_unix("unix:x"));
	assert_false(rn_conf_listen_is_unix("UNIX:x"));
	assert_false(rn_conf_listen_is_unix("127.0.0.1:1"));
	assert_false(rn_conf_listen_is_unix(NULL));
}

static void
test_set(void **state)
{
	struct rn_conf *c = rn_conf_new();
	char err[ERRLEN], *longv;

	(void)state;
	assert_non_null(c);
	assert_int_equal(rn_conf_set(c, "maxconnections", " 12 ", err, sizeof(err)), RN_OK);
	assert_int_equal(c->max_connections, 12);
	assert_int_equal(rn_conf_set(c, "MaxConnections", "0", err, sizeof(err)),
	    RN_ERR_INVAL);
	assert_string_equal(err, "MaxConnections: expected an integer from 1 to 65536, got \"0\"");
	assert_int_equal(c->max_connections, 12);
	assert_int_equal(rn_conf_set(c, "Nope", "1", err, sizeof(err)), RN_ERR_INVAL);
	assert_string_equal(err, "unknown option \"Nope\"");
	assert_int_equal(rn_conf_set(c, "User", "", err, sizeof(err)), RN_ERR_INVAL);
	assert_string_equal(err, "User: missing value");
	assert_int_equal(rn_conf_set(c, "User", "a\nSysLog 1", err, sizeof(err)), RN_ERR_INVAL);
	assert_string_equal(err, "User: control character 0x0a at column 2");
	assert_string_equal(c->user, "roneo");
	assert_int_equal(rn_conf_set(c, "+User", "x", err, sizeof(err)), RN_ERR_INVAL);
	assert_string_equal(err, "+User: only list options can be appended to");
	assert_int_equal(rn_conf_set(NULL, "User", "x", err, sizeof(err)), RN_ERR_INVAL);
	assert_int_equal(rn_conf_set(c, NULL, "x", err, sizeof(err)), RN_ERR_INVAL);

	/* A list: set replaces, "+Key" appends. */
	assert_int_equal(rn_conf_set(c, "Listen", "[::1]:1", err, sizeof(err)), RN_OK);
	assert_int_equal(c->listen.n, 1);
	assert_int_equal(rn_conf_set(c, "+listen", "unix:x", err, sizeof(err)), RN_OK);
	assert_int_equal(c->listen.n, 2);
	assert_string_equal(c->listen.v[1], "unix:x");

	/* A derived PublicDirectory follows DataDirectory, an explicit one stays. */
	assert_int_equal(rn_conf_set(c, "DataDirectory", "/srv", err, sizeof(err)), RN_OK);
	assert_string_equal(c->public_directory, "/srv/public");
	assert_int_equal(rn_conf_set(c, "DataDirectory", "srv", err, sizeof(err)),
	    RN_ERR_INVAL);
	assert_string_equal(c->data_directory, "/srv");
	assert_int_equal(rn_conf_set(c, "PublicDirectory", "/www", err, sizeof(err)), RN_OK);
	assert_int_equal(rn_conf_set(c, "DataDirectory", "/srv2", err, sizeof(err)), RN_OK);
	assert_string_equal(c->public_directory, "/www");

	/* A value must fit on a dumped line. */
	longv = malloc(RN_CONF_MAX_LINE + 2);
	assert_non_null(longv);
	memset(longv, 'v', RN_CONF_MAX_LINE + 1);
	longv[RN_CONF_MAX_LINE + 1] = '\0';
	assert_int_equal(rn_conf_set(c, "User", longv, err, sizeof(err)), RN_ERR_TOOBIG);
	longv[RN_CONF_MAX_LINE - 5] = '\0';
	assert_int_equal(rn_conf_set(c, "User", longv, err, sizeof(err)), RN_OK);
	free(roundtrip(c));
	longv[RN_CONF_MAX_LINE - 5] = 'v';
	longv[RN_CONF_MAX_LINE - 4] = '\0';
	assert_int_equal(rn_conf_set(c, "User", longv, err, sizeof(err)), RN_ERR_TOOBIG);
	assert_string_equal(err, "User: value longer than 4091 bytes");
	free(longv);
	assert_int_equal(rn_conf_validate(c, err, sizeof(err)), RN_OK);
	rn_conf_free(c);
}

static char tmpdir[] = "/tmp/test_conf.XXXXXX";

static void
write_file(const char *path, const char *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static void
test_load(void **state)
{
	struct rn_conf *c;
	char path[256], err[ERRLEN], *big;

	(void)state;
	assert_non_null(mkdtemp(tmpdir));
	c = rn_conf_new();
	snprintf(path, sizeof(path), "%s/missing.conf", tmpdir);
	assert_int_equal(rn_conf_load(c, path, err, sizeof(err)), RN_ERR_NOTFOUND);
	assert_non_null(strstr(err, "missing.conf: no such file"));
	assert_int_equal(rn_conf_load(c, tmpdir, err, sizeof(err)), RN_ERR_INVAL);
	assert_non_null(strstr(err, "not a regular file"));
	rn_conf_free(c);

	snprintf(path, sizeof(path), "%s/ok.conf", tmpdir);
	write_file(path, "SysLog 1\nListen localhost:9\n", 28);
	c = rn_conf_new();
	assert_int_equal(rn_conf_load(c, path, err, sizeof(err)), RN_OK);
	assert_true(c->syslog);
	rn_conf_free(c);

	/* Parse errors carry the path and line, validation errors the path. */
	write_file(path, "User x\nSysLog 2\n", 16);
	c = rn_conf_new();
	assert_int_equal(rn_conf_load(c, path, err, sizeof(err)), RN_ERR_INVAL);
	assert_non_null(strstr(err, "ok.conf:2: SysLog: expected 0 or 1"));
	rn_conf_free(c);
	write_file(path, "Listen 0.0.0.0:1\n", 17);
	c = rn_conf_new();
	assert_int_equal(rn_conf_load(c, path, err, sizeof(err)), RN_ERR_PERM);
	assert_non_null(strstr(err, "ok.conf: Listen: \"0.0.0.0:1\" is not a loopback"));
	rn_conf_free(c);

	big = malloc(RN_CONF_MAX_FILE + 1);
	assert_non_null(big);
	memset(big, '\n', RN_CONF_MAX_FILE + 1);
	write_file(path, big, RN_CONF_MAX_FILE);
	c = rn_conf_new();
	assert_int_equal(rn_conf_load(c, path, err, sizeof(err)), RN_OK);
	rn_conf_free(c);
	write_file(path, big, RN_CONF_MAX_FILE + 1);
	c = rn_conf_new();
	assert_int_equal(rn_conf_load(c, path, err, sizeof(err)), RN_ERR_TOOBIG);
	assert_non_null(strstr(err, "larger than 262144 bytes"));
	rn_conf_free(c);
	free(big);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(tmpdir), 0);
}

static bool
has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static bool
has_suffix(const char *s, const char *x)
{
	size_t n = strlen(s), m = strlen(x);

	return n >= m && strcmp(s + n - m, x) == 0;
}

/* One case of tests/conf: ok-* must load; bad-* must fail with its "# expect:" text. */
static void
run_case(const char *dir, const char *name, bool ok)
{
	struct rn_conf *c = rn_conf_new();
	struct rn_buf b;
	char path[1024], err[ERRLEN], want[512];
	const char *p, *nl = NULL;
	enum rn_err r;

	assert_non_null(c);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	r = rn_conf_load(c, path, err, sizeof(err));
	if (ok) {
		if (r != RN_OK)
			fail_msg("%s: %s", name, err);
		free(roundtrip(c));
		rn_conf_free(c);
		return;
	}
	rn_conf_free(c);
	if (r == RN_OK)
		fail_msg("%s: accepted", name);
	assert_int_equal(rn_file_read_all(path, RN_CONF_MAX_FILE, &b), RN_OK);
	/* bad-bom.conf has its byte order mark before the "# expect:" line. */
	p = has_prefix(b.data, "\xef\xbb\xbf") ? b.data + 3 : b.data;
	if (has_prefix(p, "# expect: "))
		nl = strchr(p, '\n');
	if (nl == NULL || (size_t)(nl - p) - 10 >= sizeof(want)) {
		fail_msg("%s: the first line must be \"# expect: <text>\"", name);
		return;
	}
	snprintf(want, sizeof(want), "%.*s", (int)(nl - p - 10), p + 10);
	rn_buf_free(&b);
	if (strstr(err, want) == NULL)
		fail_msg("%s: error \"%s\" lacks \"%s\"", name, err, want);
	/* The message starts with the file name. */
	assert_true(has_prefix(err, path));
}

static void
test_data_cases(void **state)
{
	const char *top = getenv("RN_TOP_SRCDIR");
	struct dirent *de;
	char dir[1024];
	size_t nok = 0, nbad = 0;
	DIR *d;

	(void)state;
	if (top == NULL) {
		print_message("# RN_TOP_SRCDIR is not set (run through make check)\n");
		skip();
	}
	snprintf(dir, sizeof(dir), "%s/tests/conf", top);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (!has_suffix(de->d_name, ".conf"))
			continue;
		if (has_prefix(de->d_name, "ok-")) {
			run_case(dir, de->d_name, true);
			nok++;
		} else if (has_prefix(de->d_name, "bad-")) {
			run_case(dir, de->d_name, false);
			nbad++;
		} else {
			fail_msg("%s: a case is named ok-*.conf or bad-*.conf", de->d_name);
		}
	}
	closedir(d);
	assert_true(nok >= 3);
	assert_true(nbad >= 15);
}

static void
test_man_page(void **state)
{
	const char *top = getenv("RN_TOP_SRCDIR");
	const struct rn_conf_option *opts;
	struct rn_buf b;
	char path[1024], name[128];
	bool seen[64] = { false };
	const char *p, *nl;
	size_t i, n, len;

	(void)state;
	if (top == NULL) {
		print_message("# RN_TOP_SRCDIR is not set (run through make check)\n");
		skip();
	}
	opts = rn_conf_options(&n);
	assert_true(n <= RN_ARRAY_LEN(seen));
	snprintf(path, sizeof(path), "%s/docs/man/roneod.conf.5", top);
	assert_int_equal(rn_file_read_all(path, 1u << 20, &b), RN_OK);
	for (p = b.data; p != NULL && *p != '\0'; p = nl != NULL ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (!has_prefix(p, ".It Cm "))
			continue;
		len = strcspn(p + 7, " \n");
		if (len == 0 || len >= sizeof(name))
			fail_msg("bad .It Cm line in roneod.conf.5");
		memcpy(name, p + 7, len);
		name[len] = '\0';
		for (i = 0; i < n; i++)
			if (strcmp(opts[i].name, name) == 0)
				break;
		if (i == n)
			fail_msg("roneod.conf.5 documents %s, which is not an option", name);
		if (seen[i])
			fail_msg("roneod.conf.5 documents %s twice", name);
		seen[i] = true;
	}
	rn_buf_free(&b);
	for (i = 0; i < n; i++)
		if (!seen[i])
			fail_msg("roneod.conf.5 lacks \".It Cm %s\"", opts[i].name);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_redaction),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_uint),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_unknown_and_missing),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_comments_whitespace),
		cmocka_unit_test(test_bad_bytes),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_error_arguments),
		cmocka_unit_test(test_dump),
		cmocka_unit_test(test_dump_refuses_unparsable),
		cmocka_unit_test(test_validate_limits),
		cmocka_unit_test(test_validate_listen),
		cmocka_unit_test(test_validate_unix_length),
		cmocka_unit_test(test_validate_host_names),
		cmocka_unit_test(test_listen_parse),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_data_cases),
		cmocka_unit_test(test_man_page),
	};

	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
