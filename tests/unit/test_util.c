/* Unit tests for daemon/util: capped buffers, parsing, escaping, file I/O. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "roneo/rn_err.h"
#include "roneo/rn_log.h"
#include "roneo/rn_util.h"

static void
test_buf_cap(void **state)
{
	struct rn_buf b;

	(void)state;
	rn_buf_init(&b, 8);
	assert_int_equal(rn_buf_puts(&b, "abcd"), RN_OK);
	assert_int_equal(rn_buf_puts(&b, "efgh"), RN_OK);
	assert_int_equal(b.len, 8);
	assert_int_equal(rn_buf_puts(&b, "i"), RN_ERR_TOOBIG);
	assert_int_equal(b.len, 8);
	assert_string_equal(b.data, "abcdefgh");
	rn_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(rn_buf_printf(&b, "%d-%s", 42, "x"), RN_OK);
	assert_string_equal(b.data, "42-x");
	assert_int_equal(rn_buf_printf(&b, "%s", "too long!"), RN_ERR_TOOBIG);
	assert_string_equal(b.data, "42-x");
	rn_buf_free(&b);
	rn_buf_free(&b);
	assert_null(b.data);
}

static void
test_buf_html_escape(void **state)
{
	struct rn_buf b;
	const char *in = "<a href=\"x\">&'</a>";

	(void)state;
	rn_buf_init(&b, 1024);
	assert_int_equal(rn_buf_html_escape(&b, in, strlen(in)), RN_OK);
	assert_string_equal(b.data,
	    "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
	rn_buf_free(&b);
	/* A failed escape leaves the buffer as it was. */
	rn_buf_init(&b, 10);
	assert_int_equal(rn_buf_puts(&b, "ok"), RN_OK);
	assert_int_equal(rn_buf_html_escape(&b, "<<<", 3), RN_ERR_TOOBIG);
	assert_string_equal(b.data, "ok");
	rn_buf_free(&b);
}

static void
test_parse_u64(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(rn_parse_u64("0", 1, 10, &v), RN_OK);
	assert_int_equal(v, 0);
	assert_int_equal(rn_parse_u64("18446744073709551615", 20, UINT64_MAX, &v), RN_OK);
	assert_true(v == UINT64_MAX);
	assert_int_equal(rn_parse_u64("18446744073709551616", 20, UINT64_MAX, &v), RN_ERR_TOOBIG);
	assert_int_equal(rn_parse_u64("11", 2, 10, &v), RN_ERR_TOOBIG);
	assert_int_equal(rn_parse_u64("10", 2, 10, &v), RN_OK);
	assert_int_equal(rn_parse_u64("", 0, 10, &v), RN_ERR_INVAL);
	assert_int_equal(rn_parse_u64("+1", 2, 10, &v), RN_ERR_INVAL);
	assert_int_equal(rn_parse_u64(" 1", 2, 10, &v), RN_ERR_INVAL);
	assert_int_equal(rn_parse_u64("1x", 2, 10, &v), RN_ERR_INVAL);
}

static void
test_escape_untrusted(void **state)
{
	char out[64];

	(void)state;
	assert_string_equal(rn_escape_untrusted("a\nb\\c\x01", 6, 80, out, sizeof(out)),
	    "a\\x0ab\\x5cc\\x01");
	assert_string_equal(rn_escape_untrusted("abcdef", 6, 3, out, sizeof(out)), "abc...");
	assert_string_equal(rn_escape_untrusted("abcdef", 6, 80, out, 4), "abc");
}

static void
test_hex_and_case(void **state)
{
	const uint8_t in[] = { 0x00, 0xab, 0xff };
	char out[7];

	(void)state;
	rn_hex_encode(in, sizeof(in), out);
	assert_string_equal(out, "00abff");
	assert_true(rn_ascii_casecmp_n("Content-LENGTH", "content-length", 14));
	assert_false(rn_ascii_casecmp_n("Content-Lengtx", "content-length", 14));
}

static void
test_file_atomic(void **state)
{
	char dir[] = "/tmp/rn_test_util.XXXXXX";
	char path[256];
	struct rn_buf b;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	assert_int_equal(rn_file_read_all(path, 100, &b), RN_ERR_NOTFOUND);
	assert_int_equal(rn_file_write_atomic(path, "hello", 5, 0600), RN_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(rn_file_read_all(path, 100, &b), RN_OK);
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.data, "hello", 5);
	rn_buf_free(&b);
	assert_int_equal(rn_file_write_atomic(path, "", 0, 0644), RN_OK);
	assert_int_equal(rn_file_read_all(path, 100, &b), RN_OK);
	assert_int_equal(b.len, 0);
	assert_non_null(b.data);
	rn_buf_free(&b);
	assert_int_equal(rn_file_write_atomic(path, "0123456789", 10, 0600), RN_OK);
	assert_int_equal(rn_file_read_all(path, 9, &b), RN_ERR_TOOBIG);
	assert_null(b.data);
	assert_int_equal(rn_file_read_all(dir, 100, &b), RN_ERR_INVAL);
	unlink(path);
	rmdir(dir);
}

static void
test_log_levels(void **state)
{
	enum rn_log_level l = RN_LOG_ERR;
	struct rn_log_rate slot = { 0, 0 };
	int i, allowed = 0;

	(void)state;
	assert_true(rn_log_level_parse("debug", &l));
	assert_int_equal(l, RN_LOG_DEBUG);
	assert_false(rn_log_level_parse("verbose", &l));
	assert_string_equal(rn_log_level_name(RN_LOG_WARN), "warn");
	for (i = 0; i < 10; i++)
		allowed += rn_log_ratelimited(&slot, 3);
	assert_true(allowed >= 3 && allowed <= 6);	/* a minute boundary may reset once */
}

static void
test_err_table(void **state)
{
	(void)state;
	assert_string_equal(rn_err_str(RN_OK), "success");
	assert_int_equal(rn_err_http_status(RN_ERR_TOOBIG), 413);
	assert_int_equal(rn_err_exit_code(RN_ERR_BUSY), 75);
	assert_string_equal(rn_err_str((enum rn_err)999), "unknown error");
}

static void
test_base64(void **state)
{
	static const struct {
		const char *raw, *enc;
	} v[] = { /* RFC 4648 section 10 */
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" } };
	static const char *bad[] = { "Zg=", "Zh==", "Zm9=", "Z===", "====", "Zg==Zg==", "Zm 9v",
		"Zm9v\n", "Zm-v", "Zg=a" };
	char	buf[64];
	uint8_t out[64];
	size_t	i, n;

	(void)state;
	for (i = 0; i < RN_ARRAY_LEN(v); i++) {
		rn_base64_encode((const uint8_t *)v[i].raw, strlen(v[i].raw), buf);
		assert_string_equal(buf, v[i].enc);
		assert_int_equal(rn_base64_decode(v[i].enc, strlen(v[i].enc), out, sizeof(out), &n),
		    RN_OK);
		assert_int_equal(n, strlen(v[i].raw));
		assert_memory_equal(out, v[i].raw, n);
	}
	for (i = 0; i < RN_ARRAY_LEN(bad); i++)
		assert_int_not_equal(rn_base64_decode(bad[i], strlen(bad[i]), out, sizeof(out), &n),
		    RN_OK);
	assert_int_equal(rn_base64_decode("Zm9vYmFy", 8, out, 5, &n), RN_ERR_TOOBIG);
	assert_int_equal(rn_hex_decode("00fFa9", 6, out, 3), RN_OK);
	assert_int_equal(out[1], 0xff);
	assert_int_equal(rn_hex_decode("00fFa9", 6, out, 2), RN_ERR_INVAL);
	assert_int_equal(rn_hex_decode("0g", 2, out, 1), RN_ERR_INVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_cap),
		cmocka_unit_test(test_buf_html_escape),
		cmocka_unit_test(test_parse_u64),
		cmocka_unit_test(test_escape_untrusted),
		cmocka_unit_test(test_hex_and_case),
		cmocka_unit_test(test_file_atomic),
		cmocka_unit_test(test_log_levels),
		cmocka_unit_test(test_err_table),
		cmocka_unit_test(test_base64),
	};

	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
