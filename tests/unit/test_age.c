/*
 * Unit tests for the age implementation (daemon/crypto/age*.c): Bech32 and
 * key encodings, every C2SP CCTV vector copied into tests/vectors/age/, round
 * trips of sizes around the chunk size, tampering, header limits and errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "crypto/bech32.h"
#include "roneo/rn_age.h"
#include "roneo/rn_crypto.h"
#include "roneo/rn_limits.h"
#include "roneo/rn_util.h"

#ifndef RN_AGE_VECTORS
#define RN_AGE_VECTORS "tests/vectors/age"
#endif

/* How many vectors tests/vectors/age/ holds: a file gone missing fails the test. */
#define VECTORS_EXPECTED 70u

/*
 * The CCTV vectors left out, because they need what roneo does not implement
 * (see tests/vectors/age/README.md): printed as a TAP comment.
 */
static const char *const unsupported_armor =
    "armor_crlf armor_empty armor_empty_last_line armor_empty_line_begin armor_empty_line_end "
    "armor_eol_between_padding armor_full_last_line armor_garbage_encoded armor_garbage_leading "
    "armor_garbage_trailing armor_header_crlf armor_headers armor_hybrid "
    "armor_invalid_character_header armor_invalid_character_payload armor_long_line "
    "armor_lowercase armor_no_end_line armor_no_eol armor_no_match armor_no_padding "
    "armor_not_canonical armor_pgp_checksum armor_scrypt armor_short_line armor_whitespace_begin "
    "armor_whitespace_end armor_whitespace_eol armor_whitespace_last_line "
    "armor_whitespace_line_start armor_whitespace_outside armor_wrong_type armor_x25519";
static const char *const unsupported_hybrid =
    "hybrid hybrid_and_x25519 hybrid_bad_tag hybrid_currupted_enc_mlkem "
    "hybrid_currupted_enc_x25519 hybrid_extra_argument hybrid_grease hybrid_identity "
    "hybrid_long_file_key hybrid_long_share hybrid_low_order hybrid_multiple_recipients "
    "hybrid_no_match hybrid_not_canonical_body hybrid_not_canonical_enc hybrid_short_share "
    "hybrid_uppercase";
static const char *const unsupported_scrypt =
    "scrypt scrypt_bad_tag scrypt_extra_argument scrypt_long_file_key scrypt_no_match "
    "scrypt_not_canonical_body scrypt_not_canonical_salt scrypt_salt_long scrypt_salt_missing "
    "scrypt_salt_short scrypt_uppercase scrypt_work_factor_23 scrypt_work_factor_hex "
    "scrypt_work_factor_leading_garbage scrypt_work_factor_leading_plus "
    "scrypt_work_factor_leading_zero_decimal scrypt_work_factor_leading_zero_octal "
    "scrypt_work_factor_missing scrypt_work_factor_negative scrypt_work_factor_overflow "
    "scrypt_work_factor_trailing_garbage scrypt_work_factor_wrong scrypt_work_factor_zero";

/* ---- helpers ---- */

/* A sink that keeps everything (up to a cap) and hashes it. */
struct collect {
	struct rn_buf	  buf;
	struct rn_sha256 *sha;
	uint64_t	  total;
	size_t		  fail_after; /* 0: never; else fail the call that passes this */
};

static void
collect_init(struct collect *c, size_t max)
{
	memset(c, 0, sizeof(*c));
	rn_buf_init(&c->buf, max);
	c->sha = rn_sha256_new();
	assert_non_null(c->sha);
}

static void
collect_free(struct collect *c)
{
	rn_buf_free(&c->buf);
	rn_sha256_free(c->sha);
}

static enum rn_err
collect_sink(const void *p, size_t n, void *arg)
{
	struct collect *c = arg;

	assert_true(n > 0);
	if (c->fail_after != 0 && c->total + n > c->fail_after)
		return RN_ERR_IO;
	c->total += n;
	assert_int_equal(rn_sha256_update(c->sha, p, n), RN_OK);
	if (c->buf.max > 0)
		assert_int_equal(rn_buf_append(&c->buf, p, n), RN_OK);
	return RN_OK;
}

static void
collect_hex(struct collect *c, char hex[2 * RN_SHA256_LEN + 1])
{
	uint8_t md[RN_SHA256_LEN];

	assert_int_equal(rn_sha256_final(c->sha, md), RN_OK);
	rn_hex_encode(md, sizeof(md), hex);
}

/* Open [p, p+n) with ids, fed in pieces of `step` bytes (0: at once). */
static enum rn_err
open_with(const struct rn_age_identity *const *ids, size_t nids, const void *p, size_t n,
    size_t step, struct collect *c, enum rn_age_status *st)
{
	struct rn_age_reader *r = NULL;
	const uint8_t	     *in = p;
	enum rn_err	      err;

	assert_int_equal(rn_age_reader_new(ids, nids, collect_sink, c, &r), RN_OK);
	err = RN_OK;
	while (n > 0 && err == RN_OK) {
		size_t take = step == 0 || step > n ? n : step;

		err = rn_age_reader_update(r, in, take);
		in += take;
		n -= take;
	}
	if (err == RN_OK)
		err = rn_age_reader_finish(r);
	*st = rn_age_reader_status(r);
	/* The status and the error agree, and a failed reader stays failed. */
	assert_true((err == RN_OK) == (*st == RN_AGE_OK));
	if (err != RN_OK) {
		assert_int_equal(rn_age_reader_update(r, "x", 1), err);
		assert_int_equal(rn_age_reader_finish(r), err);
	}
	rn_age_reader_free(r);
	return err;
}

/* Seal [p, p+n) to rcpts into out, fed in pieces of `step` bytes. */
static void
seal_to(const struct rn_age_recipient *rcpts, size_t nr, const void *p, size_t n, size_t step,
    struct collect *out)
{
	struct rn_age_writer *w = NULL;
	const uint8_t	     *in = p;

	assert_int_equal(rn_age_writer_new(rcpts, nr, collect_sink, out, &w), RN_OK);
	while (n > 0) {
		size_t take = step == 0 || step > n ? n : step;

		assert_int_equal(rn_age_writer_update(w, in, take), RN_OK);
		in += take;
		n -= take;
	}
	assert_int_equal(rn_age_writer_finish(w), RN_OK);
	assert_int_equal(rn_age_writer_total(w), out->total);
	assert_int_equal(rn_age_writer_finish(w), RN_ERR_INVAL);
	assert_int_equal(rn_age_writer_update(w, "x", 1), RN_ERR_INVAL);
	rn_age_writer_free(w);
}

/* ---- Bech32 and keys ---- */

static void
test_bech32_bip173(void **state)
{
	/* BIP-173's valid checksums: each decodes and encodes back (in its case). */
	static const char *const valid[] = {
		"A12UEL5L",
		"a12uel5l",
		"an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbi"
		"o"
		"1tt5tgs",
		"abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
		"11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"
		"qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
		"split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
		"?1ezyfcl",
	};
	/* BIP-173's invalid strings, and a few more. */
	static const char *const invalid[] = {
		"\x20"
		"1nwldj5",
		"\x7f"
		"1axkwrx",
		"\x80"
		"1eym55h",
		"an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersb"
		"io"
		"1569pvx",
		"pzry9x0s0muk",
		"1pzry9x0s0muk",
		"x1b4n0q5v",
		"li1dgmt3",
		"de1lg7wt\xff",
		"A1G7SGD8",
		"10a06t8",
		"1qzzfhee",
		"a12UEL5L",
		"a12uel5",
		"abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxx",
		"",
		"1",
		"a1",
		"a1qqqqqq",
	};
	char	hrp[100], enc[100];
	uint8_t data[100];
	size_t	i, len;

	(void)state;
	for (i = 0; i < RN_ARRAY_LEN(valid); i++) {
		size_t n = strlen(valid[i]);
		bool   upper = valid[i][0] >= 'A' && valid[i][0] <= 'Z';

		assert_int_equal(
		    rn_bech32_decode(valid[i], n, hrp, sizeof(hrp), data, sizeof(data), &len),
		    RN_OK);
		assert_int_equal(rn_bech32_encode(hrp, data, len, upper, enc, sizeof(enc)), RN_OK);
		assert_string_equal(enc, valid[i]);
	}
	for (i = 0; i < RN_ARRAY_LEN(invalid); i++)
		assert_int_not_equal(rn_bech32_decode(invalid[i], strlen(invalid[i]), hrp,
					 sizeof(hrp), data, sizeof(data), &len),
		    RN_OK);
	/* Non-zero padding bits: "a1" + one data character, then a valid checksum. */
	assert_int_equal(
	    rn_bech32_encode("a", (const uint8_t *)"\xff", 1, false, enc, sizeof(enc)), RN_OK);
	assert_int_equal(
	    rn_bech32_decode(enc, strlen(enc), hrp, sizeof(hrp), data, sizeof(data), &len), RN_OK);
	assert_int_equal(len, 1);
	assert_int_equal(data[0], 0xff);
	/* Too small an output buffer, and past 90 characters. */
	assert_int_equal(rn_bech32_encode("age", data, 32, false, enc, 62), RN_ERR_TOOBIG);
	assert_int_equal(rn_bech32_encode("age", data, 60, false, enc, sizeof(enc)), RN_ERR_TOOBIG);
}

static void
test_keys_spec_examples(void **state)
{
	/* The examples in the age spec: the identity is 32 bytes of 0x42, and its recipient. */
	const char *sk =
	    "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX";
	const char *cctv =
	    "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0";
	const char *spec_pk = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj";
	struct rn_age_identity *id = NULL, *id2 = NULL;
	struct rn_age_recipient rcpt, rcpt2;
	uint8_t			secret[RN_X25519_LEN];
	char			buf[RN_AGE_IDENTITY_BUFSZ], pk[RN_AGE_RECIPIENT_BUFSZ];

	(void)state;
	assert_int_equal(rn_age_identity_parse(sk, strlen(sk), &id), RN_OK);
	assert_int_equal(rn_age_identity_format(id, buf, sizeof(buf)), RN_OK);
	assert_string_equal(buf, sk);
	memset(secret, 0x42, sizeof(secret));
	assert_int_equal(rn_age_identity_from_secret(secret, &id2), RN_OK);
	rn_age_identity_recipient(id, &rcpt);
	rn_age_identity_recipient(id2, &rcpt2);
	assert_memory_equal(rcpt.key, rcpt2.key, RN_X25519_LEN);
	assert_int_equal(rn_age_recipient_format(&rcpt, pk, sizeof(pk)), RN_OK);
	assert_string_equal(pk, spec_pk);
	assert_int_equal(rn_age_recipient_parse(pk, strlen(pk), &rcpt2), RN_OK);
	assert_memory_equal(rcpt.key, rcpt2.key, RN_X25519_LEN);
	rn_age_identity_free(id);
	rn_age_identity_free(id2);
	/* A CCTV identity round-trips too. */
	assert_int_equal(rn_age_identity_parse(cctv, strlen(cctv), &id), RN_OK);
	assert_int_equal(rn_age_identity_format(id, buf, sizeof(buf)), RN_OK);
	assert_string_equal(buf, cctv);
	rn_age_identity_free(id);
	/* The spec's example recipient parses, and is the example identity's. */
	assert_int_equal(rn_age_recipient_parse(spec_pk, strlen(spec_pk), &rcpt2), RN_OK);
	assert_memory_equal(rcpt.key, rcpt2.key, RN_X25519_LEN);
	rn_age_identity_free(NULL);
}

static void
test_keys_strict(void **state)
{
	struct rn_age_identity *id = NULL;
	struct rn_age_recipient rcpt;
	char			sk[RN_AGE_IDENTITY_BUFSZ], pk[RN_AGE_RECIPIENT_BUFSZ], bad[128];
	uint8_t			short_key[31] = { 1 }, long_key[33] = { 1 };
	size_t			i;

	(void)state;
	assert_int_equal(rn_age_identity_generate(&id), RN_OK);
	assert_int_equal(rn_age_identity_format(id, sk, sizeof(sk)), RN_OK);
	rn_age_identity_recipient(id, &rcpt);
	assert_int_equal(rn_age_recipient_format(&rcpt, pk, sizeof(pk)), RN_OK);
	assert_int_equal(strlen(sk), RN_AGE_IDENTITY_LEN);
	assert_int_equal(rn_age_identity_format(id, sk, sizeof(sk) - 1), RN_ERR_INVAL);
	rn_age_identity_free(id);
	id = NULL;
	/* Recipients are lower case; identities upper case; no mixing. */
	memcpy(bad, pk, sizeof(pk));
	for (i = 0; bad[i] != '\0'; i++)
		bad[i] = (char)(bad[i] >= 'a' && bad[i] <= 'z' ? bad[i] - 32 : bad[i]);
	assert_int_equal(rn_age_recipient_parse(bad, strlen(bad), &rcpt), RN_ERR_INVAL);
	memcpy(bad, sk, sizeof(sk));
	for (i = 0; bad[i] != '\0'; i++)
		bad[i] = (char)(bad[i] >= 'A' && bad[i] <= 'Z' ? bad[i] + 32 : bad[i]);
	assert_int_equal(rn_age_identity_parse(bad, strlen(bad), &id), RN_ERR_INVAL);
	assert_null(id);
	memcpy(bad, pk, sizeof(pk));
	bad[10] = (char)(bad[10] - 32);
	assert_int_equal(rn_age_recipient_parse(bad, strlen(bad), &rcpt), RN_ERR_INVAL);
	/* A changed character breaks the checksum. */
	memcpy(bad, pk, sizeof(pk));
	bad[20] = bad[20] == 'q' ? 'p' : 'q';
	assert_int_equal(rn_age_recipient_parse(bad, strlen(bad), &rcpt), RN_ERR_INVAL);
	/* Cut, extended, or the other kind of key. */
	assert_int_equal(rn_age_recipient_parse(pk, strlen(pk) - 1, &rcpt), RN_ERR_INVAL);
	assert_int_equal(rn_age_recipient_parse(sk, strlen(sk), &rcpt), RN_ERR_INVAL);
	assert_int_equal(rn_age_identity_parse(pk, strlen(pk), &id), RN_ERR_INVAL);
	/* Well-formed Bech32 of the wrong length. */
	assert_int_equal(
	    rn_bech32_encode("age", short_key, sizeof(short_key), false, bad, sizeof(bad)), RN_OK);
	assert_int_equal(rn_age_recipient_parse(bad, strlen(bad), &rcpt), RN_ERR_INVAL);
	assert_int_equal(
	    rn_bech32_encode("age", long_key, sizeof(long_key), false, bad, sizeof(bad)), RN_OK);
	assert_int_equal(rn_age_recipient_parse(bad, strlen(bad), &rcpt), RN_ERR_INVAL);
	assert_int_equal(
	    rn_bech32_encode("AGE-SECRET-KEY-", long_key, sizeof(long_key), true, bad, sizeof(bad)),
	    RN_OK);
	assert_int_equal(rn_age_identity_parse(bad, strlen(bad), &id), RN_ERR_INVAL);
	/* The post-quantum identity form is not ours. */
	assert_int_equal(
	    rn_age_identity_parse("AGE-SECRET-KEY-PQ-1HZLGZUPT4ETPKDEV8HSGFDCYZ4E522W0A"
				  "7PU2LHT8EH9W6YLNC3SW78XKG",
		77, &id),
	    RN_ERR_INVAL);
	assert_null(id);
}

static void
test_identity_file(void **state)
{
	const char *sk =
	    "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0";
	struct rn_age_identity *id = NULL;
	char			file[512], out[RN_AGE_IDENTITY_BUFSZ];
	int			n;

	(void)state;
	n = snprintf(file, sizeof(file),
	    "# created: 2024-01-01T00:00:00Z\n# public key: age1xyz\n\n%s\n", sk);
	assert_int_equal(rn_age_identity_parse_file(file, (size_t)n, &id), RN_OK);
	assert_int_equal(rn_age_identity_format(id, out, sizeof(out)), RN_OK);
	assert_string_equal(out, sk);
	rn_age_identity_free(id);
	/* CRLF line ends and no final line end. */
	n = snprintf(file, sizeof(file), "# comment\r\n%s", sk);
	assert_int_equal(rn_age_identity_parse_file(file, (size_t)n, &id), RN_OK);
	rn_age_identity_free(id);
	n = snprintf(file, sizeof(file), "%s\r\n", sk);
	assert_int_equal(rn_age_identity_parse_file(file, (size_t)n, &id), RN_OK);
	rn_age_identity_free(id);
	id = NULL;
	/* Two identities, none, or anything else. */
	n = snprintf(file, sizeof(file), "%s\n%s\n", sk, sk);
	assert_int_equal(rn_age_identity_parse_file(file, (size_t)n, &id), RN_ERR_INVAL);
	assert_null(id);
	assert_int_equal(rn_age_identity_parse_file("# only\n\n", 8, &id), RN_ERR_NOTFOUND);
	n = snprintf(file, sizeof(file), " %s\n", sk);
	assert_int_equal(rn_age_identity_parse_file(file, (size_t)n, &id), RN_ERR_INVAL);
	assert_int_equal(
	    rn_age_identity_parse_file(file, RN_AGE_MAX_IDENTITY_FILE + 1u, &id), RN_ERR_TOOBIG);
	assert_null(id);
}

/* ---- CCTV vectors ---- */

struct vector {
	char	 expect[32];
	char	 payload[2 * RN_SHA256_LEN + 1];
	char	 ids[4][RN_AGE_IDENTITY_BUFSZ + 8];
	size_t	 nids;
	bool	 zlib;
	uint8_t *body;
	size_t	 bodylen;
};

/* Inflate a zlib stream (the vectors' "compressed: zlib"), capped at 32 MiB. */
static void
inflate_body(struct vector *v)
{
	z_stream zs;
	size_t	 cap = 1u << 20, len = 0;
	uint8_t *out = malloc(cap);
	int	 zr;

	assert_non_null(out);
	memset(&zs, 0, sizeof(zs));
	assert_int_equal(inflateInit(&zs), Z_OK);
	zs.next_in = v->body;
	zs.avail_in = (uInt)v->bodylen;
	do {
		if (len == cap) {
			uint8_t *grown;

			cap *= 2;
			assert_true(cap <= 32u << 20);
			grown = realloc(out, cap);
			assert_non_null(grown);
			out = grown;
		}
		zs.next_out = out + len;
		zs.avail_out = (uInt)(cap - len);
		zr = inflate(&zs, Z_NO_FLUSH);
		assert_true(zr == Z_OK || zr == Z_STREAM_END);
		len = cap - zs.avail_out;
	} while (zr != Z_STREAM_END);
	inflateEnd(&zs);
	free(v->body);
	v->body = out;
	v->bodylen = len;
}

static void
load_vector(const char *path, struct vector *v)
{
	struct rn_buf b;
	size_t	      pos = 0;

	memset(v, 0, sizeof(*v));
	rn_buf_init(&b, 4u << 20);
	assert_int_equal(rn_file_read_all(path, 4u << 20, &b), RN_OK);
	for (;;) {
		char  *lf = memchr(b.data + pos, '\n', b.len - pos);
		size_t len;

		assert_non_null(lf);
		len = (size_t)(lf - (b.data + pos));
		*lf = '\0';
		if (len == 0)
			break;
		if (strncmp(b.data + pos, "expect: ", 8) == 0)
			snprintf(v->expect, sizeof(v->expect), "%s", b.data + pos + 8);
		else if (strncmp(b.data + pos, "payload: ", 9) == 0)
			snprintf(v->payload, sizeof(v->payload), "%s", b.data + pos + 9);
		else if (strncmp(b.data + pos, "identity: AGE-SECRET-KEY-1", 26) == 0) {
			assert_true(v->nids < RN_ARRAY_LEN(v->ids));
			snprintf(v->ids[v->nids++], sizeof(v->ids[0]), "%s", b.data + pos + 10);
		} else if (strcmp(b.data + pos, "compressed: zlib") == 0)
			v->zlib = true;
		pos += len + 1;
	}
	pos++;
	v->bodylen = b.len - pos;
	v->body = malloc(v->bodylen + 1);
	assert_non_null(v->body);
	memcpy(v->body, b.data + pos, v->bodylen);
	rn_buf_free(&b);
	if (v->zlib)
		inflate_body(v);
}

static enum rn_age_status
expected_status(const char *expect)
{
	if (strcmp(expect, "success") == 0)
		return RN_AGE_OK;
	if (strcmp(expect, "no match") == 0)
		return RN_AGE_NO_MATCH;
	if (strcmp(expect, "HMAC failure") == 0)
		return RN_AGE_HMAC;
	if (strcmp(expect, "header failure") == 0)
		return RN_AGE_HEADER;
	if (strcmp(expect, "payload failure") == 0)
		return RN_AGE_PAYLOAD;
	fail_msg("unknown expectation '%s'", expect);
	return RN_AGE_FAILED;
}

/* One vector, fed at once and in pieces: the outcome and the plaintext released. */
static void
run_vector(const char *name, const struct vector *v)
{
	static const size_t	      steps[] = { 0, 1, 7, 4093, 65536 + 17 };
	struct rn_age_identity	     *ids[4] = { NULL };
	const struct rn_age_identity *cids[4];
	enum rn_age_status	      want = expected_status(v->expect), st;
	size_t			      i, nids = v->nids;

	for (i = 0; i < nids; i++)
		assert_int_equal(
		    rn_age_identity_parse(v->ids[i], strlen(v->ids[i]), &ids[i]), RN_OK);
	if (nids == 0) { /* format-only vectors: any identity will do */
		assert_int_equal(rn_age_identity_generate(&ids[0]), RN_OK);
		nids = 1;
	}
	for (i = 0; i < nids; i++)
		cids[i] = ids[i];
	for (i = 0; i < RN_ARRAY_LEN(steps); i++) {
		struct collect c;
		char	       hex[2 * RN_SHA256_LEN + 1];

		/* Byte at a time only for the small files: it is slow for 16 MiB. */
		if (steps[i] == 1 && v->bodylen > 300000)
			continue;
		collect_init(&c, 0);
		open_with(cids, nids, v->body, v->bodylen, steps[i], &c, &st);
		if (st != want)
			fail_msg("%s (step %zu): %s, expected %s", name, steps[i],
			    rn_age_status_str(st), v->expect);
		collect_hex(&c, hex);
		if (v->payload[0] != '\0' && strcmp(hex, v->payload) != 0)
			fail_msg("%s (step %zu): released plaintext %s, expected %s", name,
			    steps[i], hex, v->payload);
		if (v->payload[0] == '\0')
			assert_int_equal(c.total, 0);
		collect_free(&c);
	}
	for (i = 0; i < nids; i++)
		rn_age_identity_free(ids[i]);
}

static void
test_cctv_vectors(void **state)
{
	DIR	      *d;
	struct dirent *de;
	char	       path[4096];
	size_t	       count = 0;

	(void)state;
	assert_non_null(d = opendir(RN_AGE_VECTORS));
	while ((de = readdir(d)) != NULL) {
		struct vector v;

		if (de->d_name[0] == '.' || strcmp(de->d_name, "README.md") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", RN_AGE_VECTORS, de->d_name);
		load_vector(path, &v);
		run_vector(de->d_name, &v);
		free(v.body);
		count++;
	}
	closedir(d);
	assert_int_equal(count, VECTORS_EXPECTED);
}

/* ---- round trips ---- */

static void
roundtrip(size_t size, size_t nrcpt)
{
	struct rn_age_identity	     *ids[5] = { NULL };
	const struct rn_age_identity *one[1];
	struct rn_age_recipient	      rcpts[5];
	struct collect		      sealed, opened;
	enum rn_age_status	      st;
	uint8_t			     *plain = malloc(size + 1);
	size_t			      i, chunks;

	assert_non_null(plain);
	assert_int_equal(rn_crypto_random(plain, size + 1), RN_OK);
	for (i = 0; i < nrcpt; i++) {
		assert_int_equal(rn_age_identity_generate(&ids[i]), RN_OK);
		rn_age_identity_recipient(ids[i], &rcpts[i]);
	}
	collect_init(&sealed, 1u << 22);
	seal_to(rcpts, nrcpt, plain, size, size % 3 == 0 ? 0 : 1000, &sealed);
	/* Length: header, nonce, then each chunk and its tag (one chunk at least). */
	chunks = size == 0 ? 1 : (size + RN_AGE_CHUNK - 1) / RN_AGE_CHUNK;
	assert_true(sealed.total > RN_AGE_NONCE_LEN + size + chunks * RN_AGE_TAG_LEN);
	/* Every recipient opens it, fed at once and in odd pieces. */
	for (i = 0; i < nrcpt; i++) {
		one[0] = ids[i];
		collect_init(&opened, 1u << 22);
		assert_int_equal(open_with(one, 1, sealed.buf.data, sealed.buf.len,
				     i % 2 ? 0 : 9999, &opened, &st),
		    RN_OK);
		assert_int_equal(opened.buf.len, size);
		if (size > 0)
			assert_memory_equal(opened.buf.data, plain, size);
		collect_free(&opened);
	}
	/* A stranger does not. */
	{
		struct rn_age_identity *x = NULL;

		assert_int_equal(rn_age_identity_generate(&x), RN_OK);
		one[0] = x;
		collect_init(&opened, 0);
		assert_int_equal(
		    open_with(one, 1, sealed.buf.data, sealed.buf.len, 0, &opened, &st),
		    RN_ERR_NOTFOUND);
		assert_int_equal(st, RN_AGE_NO_MATCH);
		assert_int_equal(opened.total, 0);
		collect_free(&opened);
		rn_age_identity_free(x);
	}
	collect_free(&sealed);
	for (i = 0; i < nrcpt; i++)
		rn_age_identity_free(ids[i]);
	free(plain);
}

static void
test_roundtrip_sizes(void **state)
{
	static const size_t sizes[] = { 0, 1, 65535, 65536, 65537, 3 * 65536 };
	size_t		    i;

	(void)state;
	for (i = 0; i < RN_ARRAY_LEN(sizes); i++) {
		roundtrip(sizes[i], 1);
		roundtrip(sizes[i], 5);
	}
}

static void
test_two_identities(void **state)
{
	struct rn_age_identity	     *a = NULL, *b = NULL;
	const struct rn_age_identity *both[2];
	struct rn_age_recipient	      rb;
	struct collect		      sealed, opened;
	enum rn_age_status	      st;

	(void)state;
	assert_int_equal(rn_age_identity_generate(&a), RN_OK);
	assert_int_equal(rn_age_identity_generate(&b), RN_OK);
	rn_age_identity_recipient(b, &rb);
	collect_init(&sealed, 1u << 20);
	seal_to(&rb, 1, "hello", 5, 0, &sealed);
	both[0] = a;
	both[1] = b;
	collect_init(&opened, 1u << 20);
	assert_int_equal(
	    open_with(both, 2, sealed.buf.data, sealed.buf.len, 0, &opened, &st), RN_OK);
	assert_int_equal(opened.buf.len, 5);
	assert_memory_equal(opened.buf.data, "hello", 5);
	collect_free(&opened);
	collect_free(&sealed);
	rn_age_identity_free(a);
	rn_age_identity_free(b);
}

/* ---- tampering ---- */

static void
test_tamper_every_bit(void **state)
{
	struct rn_age_identity	     *id = NULL;
	const struct rn_age_identity *ids[1];
	struct rn_age_recipient	      rcpt;
	struct collect		      sealed, opened;
	enum rn_age_status	      st;
	uint8_t			     *copy;
	size_t			      i, bit;

	(void)state;
	assert_int_equal(rn_age_identity_generate(&id), RN_OK);
	rn_age_identity_recipient(id, &rcpt);
	ids[0] = id;
	collect_init(&sealed, 1u << 20);
	seal_to(&rcpt, 1, "attack at dawn", 14, 0, &sealed);
	copy = malloc(sealed.buf.len + 1);
	assert_non_null(copy);
	/* Each single-bit change anywhere fails, and releases nothing. */
	for (i = 0; i < sealed.buf.len; i++)
		for (bit = 0; bit < 8; bit++) {
			memcpy(copy, sealed.buf.data, sealed.buf.len);
			copy[i] ^= (uint8_t)(1u << bit);
			collect_init(&opened, 0);
			assert_int_not_equal(
			    open_with(ids, 1, copy, sealed.buf.len, 0, &opened, &st), RN_OK);
			assert_int_equal(opened.total, 0);
			collect_free(&opened);
		}
	/* Every truncation fails; so does one extra byte. */
	for (i = 0; i < sealed.buf.len; i++) {
		collect_init(&opened, 0);
		assert_int_not_equal(open_with(ids, 1, sealed.buf.data, i, 0, &opened, &st), RN_OK);
		assert_int_equal(opened.total, 0);
		collect_free(&opened);
	}
	memcpy(copy, sealed.buf.data, sealed.buf.len);
	copy[sealed.buf.len] = 0;
	collect_init(&opened, 0);
	assert_int_equal(
	    open_with(ids, 1, copy, sealed.buf.len + 1, 0, &opened, &st), RN_ERR_INVAL);
	assert_int_equal(st, RN_AGE_PAYLOAD);
	collect_free(&opened);
	free(copy);
	collect_free(&sealed);
	rn_age_identity_free(id);
}

static void
test_tamper_chunks(void **state)
{
	struct rn_age_identity	     *id = NULL;
	const struct rn_age_identity *ids[1];
	struct rn_age_recipient	      rcpt;
	struct collect		      sealed, opened;
	enum rn_age_status	      st;
	size_t			      size = 3 * RN_AGE_CHUNK + 100, hdr, ct = RN_AGE_CHUNK + 16;
	uint8_t			     *plain = calloc(1, size), *copy;

	(void)state;
	assert_non_null(plain);
	assert_int_equal(rn_age_identity_generate(&id), RN_OK);
	rn_age_identity_recipient(id, &rcpt);
	ids[0] = id;
	collect_init(&sealed, 1u << 20);
	seal_to(&rcpt, 1, plain, size, 0, &sealed);
	hdr = sealed.buf.len - (3 * ct + 100 + 16) - RN_AGE_NONCE_LEN;
	copy = malloc(sealed.buf.len);
	assert_non_null(copy);
	/* A bad third chunk: the first two are released, then the failure. */
	memcpy(copy, sealed.buf.data, sealed.buf.len);
	copy[hdr + RN_AGE_NONCE_LEN + 2 * ct + 5] ^= 1;
	collect_init(&opened, 0);
	assert_int_equal(open_with(ids, 1, copy, sealed.buf.len, 0, &opened, &st), RN_ERR_INVAL);
	assert_int_equal(st, RN_AGE_PAYLOAD);
	assert_int_equal(opened.total, 2 * RN_AGE_CHUNK);
	collect_free(&opened);
	/* Cut at a chunk boundary: no final chunk. */
	collect_init(&opened, 0);
	assert_int_equal(
	    open_with(ids, 1, sealed.buf.data, hdr + RN_AGE_NONCE_LEN + 3 * ct, 0, &opened, &st),
	    RN_ERR_INVAL);
	assert_int_equal(st, RN_AGE_PAYLOAD);
	collect_free(&opened);
	/* Two chunks swapped. */
	memcpy(copy, sealed.buf.data, sealed.buf.len);
	memcpy(copy + hdr + RN_AGE_NONCE_LEN, sealed.buf.data + hdr + RN_AGE_NONCE_LEN + ct, ct);
	memcpy(copy + hdr + RN_AGE_NONCE_LEN + ct, sealed.buf.data + hdr + RN_AGE_NONCE_LEN, ct);
	collect_init(&opened, 0);
	assert_int_equal(open_with(ids, 1, copy, sealed.buf.len, 0, &opened, &st), RN_ERR_INVAL);
	assert_int_equal(st, RN_AGE_PAYLOAD);
	assert_int_equal(opened.total, 0);
	collect_free(&opened);
	/* The header MAC line changed: an HMAC failure before any payload. */
	memcpy(copy, sealed.buf.data, sealed.buf.len);
	copy[hdr - 3] = copy[hdr - 3] == 'A' ? 'B' : 'A';
	collect_init(&opened, 0);
	assert_int_equal(open_with(ids, 1, copy, sealed.buf.len, 0, &opened, &st), RN_ERR_CRYPTO);
	assert_int_equal(st, RN_AGE_HMAC);
	assert_int_equal(opened.total, 0);
	collect_free(&opened);
	free(copy);
	free(plain);
	collect_free(&sealed);
	rn_age_identity_free(id);
}

/* ---- header parser and reader limits ---- */

static enum rn_err
parse_str(const char *s, size_t *used, enum rn_age_status *st, size_t *nst)
{
	struct rn_age_header *h = NULL;
	enum rn_err	      err = rn_age_header_parse(s, strlen(s), &h, used, st);

	*nst = rn_age_header_stanzas(h);
	if (err == RN_OK)
		assert_non_null(h);
	else
		assert_null(h);
	rn_age_header_free(h);
	return err;
}

static void
test_header_parse(void **state)
{
	const char	     *mac = "--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n";
	char		      buf[512];
	size_t		      used = 0, n;
	enum rn_age_status    st;
	struct rn_age_header *h = NULL;

	(void)state;
	snprintf(buf, sizeof(buf), "age-encryption.org/v1\n-> a b\nAAAA\n%spayload", mac);
	assert_int_equal(parse_str(buf, &used, &st, &n), RN_OK);
	assert_int_equal(st, RN_AGE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(used, strlen(buf) - 7);
	assert_int_equal(rn_age_header_parse(buf, strlen(buf), &h, &used, NULL), RN_OK);
	assert_string_equal(rn_age_header_stanza_type(h, 0), "a");
	assert_null(rn_age_header_stanza_type(h, 1));
	rn_age_header_free(h);
	/* Every proper prefix is "again"; the whole header is not. */
	for (n = 0; n < used; n++) {
		h = NULL;
		assert_int_equal(rn_age_header_parse(buf, n, &h, &used, &st), RN_ERR_AGAIN);
		assert_null(h);
	}
	/* No stanza; other versions; armor; CR. */
	snprintf(buf, sizeof(buf), "age-encryption.org/v1\n%s", mac);
	assert_int_equal(parse_str(buf, &used, &st, &n), RN_ERR_INVAL);
	assert_int_equal(parse_str("age-encryption.org/v2\n", &used, &st, &n), RN_ERR_INVAL);
	assert_int_equal(st, RN_AGE_HEADER);
	assert_int_equal(
	    parse_str("-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n", &used, &st, &n), RN_ERR_INVAL);
	assert_int_equal(st, RN_AGE_UNSUPPORTED);
	snprintf(buf, sizeof(buf), "age-encryption.org/v1\n-> a\r\n\n%s", mac);
	assert_int_equal(parse_str(buf, &used, &st, &n), RN_ERR_INVAL);
	assert_int_equal(st, RN_AGE_HEADER);
	/* Padding, a lone base64 character, non-zero unused bits. */
	snprintf(buf, sizeof(buf), "age-encryption.org/v1\n-> a\nAA==\n%s", mac);
	assert_int_equal(parse_str(buf, &used, &st, &n), RN_ERR_INVAL);
	snprintf(buf, sizeof(buf), "age-encryption.org/v1\n-> a\nAAAAA\n%s", mac);
	assert_int_equal(parse_str(buf, &used, &st, &n), RN_ERR_INVAL);
	snprintf(buf, sizeof(buf), "age-encryption.org/v1\n-> a\nAB\n%s", mac);
	assert_int_equal(parse_str(buf, &used, &st, &n), RN_ERR_INVAL);
	snprintf(buf, sizeof(buf), "age-encryption.org/v1\n-> a\nAQ\n%s", mac);
	assert_int_equal(parse_str(buf, &used, &st, &n), RN_OK);
}

static void
test_header_limits(void **state)
{
	const char	  *mac = "--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n";
	struct rn_buf	   b;
	size_t		   used, n, i;
	enum rn_age_status st;

	(void)state;
	rn_buf_init(&b, 4u << 20);
	/* RN_AGE_MAX_STANZAS stanzas parse; one more does not. */
	for (i = RN_AGE_MAX_STANZAS; i <= RN_AGE_MAX_STANZAS + 1u; i++) {
		rn_buf_reset(&b);
		assert_int_equal(rn_buf_puts(&b, "age-encryption.org/v1\n"), RN_OK);
		for (n = 0; n < i; n++)
			assert_int_equal(rn_buf_puts(&b, "-> x\n\n"), RN_OK);
		assert_int_equal(rn_buf_puts(&b, mac), RN_OK);
		assert_int_equal(parse_str(b.data, &used, &st, &n),
		    i == RN_AGE_MAX_STANZAS ? RN_OK : RN_ERR_TOOBIG);
		assert_int_equal(st, i == RN_AGE_MAX_STANZAS ? RN_AGE_OK : RN_AGE_HEADER);
	}
	/* Arguments: RN_AGE_MAX_ARGS, then one more. */
	rn_buf_reset(&b);
	assert_int_equal(rn_buf_puts(&b, "age-encryption.org/v1\n->"), RN_OK);
	for (n = 0; n <= RN_AGE_MAX_ARGS; n++)
		assert_int_equal(rn_buf_puts(&b, " a"), RN_OK);
	assert_int_equal(rn_buf_printf(&b, "\n\n%s", mac), RN_OK);
	assert_int_equal(parse_str(b.data, &used, &st, &n), RN_ERR_TOOBIG);
	/* An argument line past RN_AGE_MAX_LINE, complete or not. */
	rn_buf_reset(&b);
	assert_int_equal(rn_buf_puts(&b, "age-encryption.org/v1\n-> "), RN_OK);
	for (n = 0; n < RN_AGE_MAX_LINE; n++)
		assert_int_equal(rn_buf_puts(&b, "a"), RN_OK);
	assert_int_equal(parse_str(b.data, &used, &st, &n), RN_ERR_TOOBIG);
	assert_int_equal(rn_buf_printf(&b, "\n\n%s", mac), RN_OK);
	assert_int_equal(parse_str(b.data, &used, &st, &n), RN_ERR_TOOBIG);
	/* A body past RN_AGE_MAX_BODY. */
	rn_buf_reset(&b);
	assert_int_equal(rn_buf_puts(&b, "age-encryption.org/v1\n-> a\n"), RN_OK);
	for (n = 0; n < RN_AGE_MAX_BODY / 48 + 1; n++)
		assert_int_equal(
		    rn_buf_puts(&b, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
				    "AAAAAAAAA\n"),
		    RN_OK);
	assert_int_equal(rn_buf_printf(&b, "\n%s", mac), RN_OK);
	assert_int_equal(parse_str(b.data, &used, &st, &n), RN_ERR_TOOBIG);
	/* A header that never ends within RN_AGE_MAX_HEADER. */
	rn_buf_reset(&b);
	assert_int_equal(rn_buf_puts(&b, "age-encryption.org/v1\n-> a\n"), RN_OK);
	while (b.len <= RN_AGE_MAX_HEADER)
		assert_int_equal(
		    rn_buf_puts(&b, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
				    "AAAAAAAAAAAA\n"),
		    RN_OK);
	assert_int_equal(parse_str(b.data, &used, &st, &n), RN_ERR_TOOBIG);
	rn_buf_free(&b);
}

static void
test_reader_refusals(void **state)
{
	const char		     *mac = "--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n";
	struct rn_age_identity	     *id = NULL;
	const struct rn_age_identity *ids[1];
	struct collect		      c;
	enum rn_age_status	      st;
	char			      buf[512];
	int			      n;

	(void)state;
	assert_int_equal(rn_age_identity_generate(&id), RN_OK);
	ids[0] = id;
	/* Armor: refused as unsupported, early (on its first line). */
	collect_init(&c, 0);
	n = snprintf(buf, sizeof(buf), "-----BEGIN AGE ENCRYPTED FILE-----\n");
	assert_int_equal(open_with(ids, 1, buf, (size_t)n, 0, &c, &st), RN_ERR_INVAL);
	assert_int_equal(st, RN_AGE_UNSUPPORTED);
	collect_free(&c);
	/* A lone scrypt stanza: unsupported; with another stanza: a header failure. */
	collect_init(&c, 0);
	n = snprintf(buf, sizeof(buf),
	    "age-encryption.org/v1\n-> scrypt AAAAAAAAAAAAAAAAAAAAAA 10\n"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n%s",
	    mac);
	assert_int_equal(open_with(ids, 1, buf, (size_t)n, 0, &c, &st), RN_ERR_INVAL);
	assert_int_equal(st, RN_AGE_UNSUPPORTED);
	collect_free(&c);
	/* Only stanzas of unknown types: no match. */
	collect_init(&c, 0);
	n = snprintf(buf, sizeof(buf), "age-encryption.org/v1\n-> grease x\nAAAA\n%s", mac);
	assert_int_equal(open_with(ids, 1, buf, (size_t)n, 0, &c, &st), RN_ERR_NOTFOUND);
	assert_int_equal(st, RN_AGE_NO_MATCH);
	collect_free(&c);
	/* Not an age file at all: refused on the first line. */
	collect_init(&c, 0);
	assert_int_equal(open_with(ids, 1, "PK\x03\x04\n", 5, 0, &c, &st), RN_ERR_INVAL);
	assert_int_equal(st, RN_AGE_HEADER);
	collect_free(&c);
	/* Arguments. */
	assert_int_equal(rn_age_reader_new(ids, 0, collect_sink, &c, NULL), RN_ERR_INVAL);
	rn_age_reader_free(NULL);
	assert_string_not_equal(rn_age_status_str(RN_AGE_PAYLOAD), "");
	rn_age_identity_free(id);
}

static void
test_writer_errors(void **state)
{
	struct rn_age_writer   *w = NULL;
	struct rn_age_recipient rcpt, zero;
	struct rn_age_identity *id = NULL;
	struct collect		c;
	static uint8_t		big[3 * RN_AGE_CHUNK];

	(void)state;
	assert_int_equal(rn_age_identity_generate(&id), RN_OK);
	rn_age_identity_recipient(id, &rcpt);
	collect_init(&c, 0);
	assert_int_equal(rn_age_writer_new(&rcpt, 0, collect_sink, &c, &w), RN_ERR_INVAL);
	assert_int_equal(
	    rn_age_writer_new(&rcpt, RN_AGE_MAX_STANZAS + 1u, collect_sink, &c, &w), RN_ERR_TOOBIG);
	/* A low-order recipient key gives an all-zero secret: refused. */
	memset(&zero, 0, sizeof(zero));
	assert_int_equal(rn_age_writer_new(&zero, 1, collect_sink, &c, &w), RN_ERR_CRYPTO);
	assert_null(w);
	assert_int_equal(c.total, 0);
	collect_free(&c);
	/* A failing sink: its error comes back, and stays. */
	collect_init(&c, 0);
	c.fail_after = 1000;
	assert_int_equal(rn_age_writer_new(&rcpt, 1, collect_sink, &c, &w), RN_OK);
	assert_int_equal(rn_age_writer_update(w, big, sizeof(big)), RN_ERR_IO);
	assert_int_equal(rn_age_writer_update(w, big, 1), RN_ERR_IO);
	assert_int_equal(rn_age_writer_finish(w), RN_ERR_IO);
	rn_age_writer_free(w);
	rn_age_writer_free(NULL);
	collect_free(&c);
	/* The writer as a sink of another stream. */
	collect_init(&c, 0);
	assert_int_equal(rn_age_writer_new(&rcpt, 1, collect_sink, &c, &w), RN_OK);
	assert_int_equal(rn_age_writer_sink("abc", 3, w), RN_OK);
	assert_int_equal(rn_age_writer_finish(w), RN_OK);
	rn_age_writer_free(w);
	collect_free(&c);
	rn_age_identity_free(id);
}

static void
print_unsupported(void)
{
	const char *const lists[] = { unsupported_armor, unsupported_hybrid, unsupported_scrypt };
	const char *const why[] = { "ASCII armor",
		"post-quantum hybrid (mlkem768x25519) recipients",
		"passphrase (scrypt) recipients" };
	size_t		  i, total = 0, counts[3];

	for (i = 0; i < 3; i++) {
		const char *p;

		counts[i] = 1;
		for (p = lists[i]; *p != '\0'; p++)
			counts[i] += *p == ' ';
		total += counts[i];
	}
	printf("# CCTV age vectors: %u run, %zu intentionally unsupported (not shipped):\n",
	    VECTORS_EXPECTED, total);
	for (i = 0; i < 3; i++)
		printf("# %zu need %s: %s\n", counts[i], why[i], lists[i]);
	fflush(stdout);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bech32_bip173),
		cmocka_unit_test(test_keys_spec_examples),
		cmocka_unit_test(test_keys_strict),
		cmocka_unit_test(test_identity_file),
		cmocka_unit_test(test_cctv_vectors),
		cmocka_unit_test(test_roundtrip_sizes),
		cmocka_unit_test(test_two_identities),
		cmocka_unit_test(test_tamper_every_bit),
		cmocka_unit_test(test_tamper_chunks),
		cmocka_unit_test(test_header_parse),
		cmocka_unit_test(test_header_limits),
		cmocka_unit_test(test_reader_refusals),
		cmocka_unit_test(test_writer_errors),
	};

	print_unsupported();
	return cmocka_run_group_tests_name("age", tests, NULL, NULL);
}
