/*
 * Unit tests for codenames (daemon/inbox/codename.c): the word list, the
 * entropy, generation, normalisation and refusal of typed codenames, and the
 * derived mailbox id and reply key (pinned known answers, computed once with
 * Python's hashlib.scrypt, an HMAC-based HKDF and pyca/cryptography's X25519).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "roneo/rn_crypto.h"
#include "roneo/rn_inbox.h"
#include "roneo/rn_util.h"

static void
test_word_list(void **state)
{
	size_t i, j, n;

	(void)state;
	for (i = 0; i < RN_CODENAME_LIST_SIZE; i++) {
		n = strlen(rn_codename_words[i]);
		assert_true(n >= 3 && n <= RN_CODENAME_MAX_WORD);
		for (j = 0; j < n; j++)
			assert_true(rn_codename_words[i][j] >= 'a' && rn_codename_words[i][j] <= 'z');
		if (i > 0) {
			/* Sorted, distinct, and told apart by their first four letters. */
			assert_true(strcmp(rn_codename_words[i - 1], rn_codename_words[i]) < 0);
			assert_true(strncmp(rn_codename_words[i - 1], rn_codename_words[i], 4) != 0);
		}
	}
	assert_string_equal(rn_codename_words[0], "abandon");
	assert_string_equal(rn_codename_words[RN_CODENAME_LIST_SIZE - 1], "zoo");
}

/* words * log2(list) >= 96, with log2 rounded down. */
static void
test_entropy(void **state)
{
	unsigned bits = 0;
	size_t	 n = RN_CODENAME_LIST_SIZE;

	(void)state;
	while (n > 1) {
		n >>= 1;
		bits++;
	}
	assert_int_equal(bits, 11);
	assert_true(RN_CODENAME_WORDS * bits >= 96);
	assert_true(RN_CODENAME_LIST_SIZE >= 2048);
}

/* The indices of the words of a canonical text; fails on anything else. */
static void
words_of(const char *text, size_t idx[RN_CODENAME_WORDS])
{
	const char *p = text, *sp;
	size_t	    i, j, n;

	for (i = 0; i < RN_CODENAME_WORDS; i++) {
		sp = strchr(p, ' ');
		n = sp != NULL ? (size_t)(sp - p) : strlen(p);
		assert_true(i + 1 < RN_CODENAME_WORDS ? sp != NULL : sp == NULL);
		for (j = 0; j < RN_CODENAME_LIST_SIZE; j++)
			if (strlen(rn_codename_words[j]) == n &&
			    memcmp(rn_codename_words[j], p, n) == 0)
				break;
		assert_true(j < RN_CODENAME_LIST_SIZE);
		idx[i] = j;
		p += n + 1;
	}
}

static void
test_generate(void **state)
{
	struct rn_codename *c, *d;
	static unsigned	    seen[RN_CODENAME_LIST_SIZE];
	size_t		    idx[RN_CODENAME_WORDS], i, k, distinct = 0, high = 0;

	(void)state;
	memset(seen, 0, sizeof(seen));
	for (k = 0; k < 300; k++) {
		assert_int_equal(rn_codename_generate(&c), RN_OK);
		words_of(rn_codename_text(c), idx);
		for (i = 0; i < RN_CODENAME_WORDS; i++)
			seen[idx[i]]++;
		/* What is shown parses back to itself. */
		assert_int_equal(
		    rn_codename_parse(rn_codename_text(c), strlen(rn_codename_text(c)), &d), RN_OK);
		assert_string_equal(rn_codename_text(c), rn_codename_text(d));
		assert_null(rn_codename_mailbox_id(c));
		rn_codename_free(d);
		rn_codename_free(c);
	}
	/*
	 * 2700 draws from 2048 words: about 1500 distinct words are expected,
	 * half of the draws in the upper half of the list, no word very often.
	 */
	for (i = 0; i < RN_CODENAME_LIST_SIZE; i++) {
		distinct += seen[i] > 0;
		if (i >= RN_CODENAME_LIST_SIZE / 2)
			high += seen[i];
		assert_true(seen[i] < 12);
	}
	assert_true(distinct > 1300);
	assert_true(high > 1150 && high < 1550);
	rn_codename_free(NULL);
}

static void
test_generate_distinct(void **state)
{
	struct rn_codename *a, *b;

	(void)state;
	assert_int_equal(rn_codename_generate(&a), RN_OK);
	assert_int_equal(rn_codename_generate(&b), RN_OK);
	assert_string_not_equal(rn_codename_text(a), rn_codename_text(b));
	rn_codename_free(a);
	rn_codename_free(b);
}

#define ABANDON "abandon ability able about above absent absorb abstract absurd"

static void
test_normalise(void **state)
{
	static const char *same[] = {
		ABANDON,
		"  Abandon\tABILITY  able\r\nabout above\n\nabsent absorb abstract absurd  ",
		"ABANDON ABILITY ABLE ABOUT ABOVE ABSENT ABSORB ABSTRACT ABSURD",
		"aban abil able abou abov abse abso abst absu", /* four letters suffice */
		"aband abili able about above absen absor abstra absur",
		"\v\fabandon ability able about above absent absorb abstract absurd\f",
	};
	struct rn_codename *c;
	size_t		    i;

	(void)state;
	for (i = 0; i < RN_ARRAY_LEN(same); i++) {
		assert_int_equal(rn_codename_parse(same[i], strlen(same[i]), &c), RN_OK);
		assert_string_equal(rn_codename_text(c), ABANDON);
		rn_codename_free(c);
	}
	/* Three-letter words are words, not prefixes. */
	assert_int_equal(rn_codename_parse("act add age aim air all zoo you art", 35, &c), RN_OK);
	assert_string_equal(rn_codename_text(c), "act add age aim air all zoo you art");
	rn_codename_free(c);
}

static void
test_refuse(void **state)
{
	static const char *bad[] = {
		"",
		"   \t\n ",
		"abandon ability able about above absent absorb abstract",		  /* 8 */
		"abandon ability able about above absent absorb abstract absurd abuse", /* 10 */
		"abandonx ability able about above absent absorb abstract absurd",
		"abandon ability able about above absent absorb abstract absurdly",
		"aba ability able about above absent absorb abstract absurd", /* 3-letter prefix */
		"abandon1 ability able about above absent absorb abstract absurd",
		"abandon, ability able about above absent absorb abstract absurd",
		"abandon-ability able about above absent absorb abstract absurd x",
		"ab\xc3\xa1ndon ability able about above absent absorb abstract absurd",
		"abandon\xc2\xa0" "ability able about above absent absorb abstract absurd",
		"qqqq ability able about above absent absorb abstract absurd",
		"abcdefghijklmnop ability able about above absent absorb abstract absurd",
	};
	struct rn_codename *c = (struct rn_codename *)&c;
	char		    big[RN_CODENAME_MAX_INPUT + 1];
	size_t		    i;

	(void)state;
	for (i = 0; i < RN_ARRAY_LEN(bad); i++) {
		if (rn_codename_parse(bad[i], strlen(bad[i]), &c) != RN_ERR_INVAL)
			fail_msg("accepted: \"%s\"", bad[i]);
		assert_null(c);
	}
	/* A NUL inside. */
	assert_int_equal(rn_codename_parse(ABANDON "\0", sizeof(ABANDON), &c), RN_ERR_INVAL);
	assert_int_equal(rn_codename_parse("abandon\0ability able about above absent absorb "
					   "abstract absurd",
			     sizeof(ABANDON) - 1, &c),
	    RN_ERR_INVAL);
	/* Too long, even if it is all spaces. */
	memset(big, ' ', sizeof(big));
	memcpy(big, ABANDON, strlen(ABANDON));
	assert_int_equal(rn_codename_parse(big, sizeof(big), &c), RN_ERR_TOOBIG);
	assert_int_equal(rn_codename_parse(big, sizeof(big) - 1, &c), RN_OK);
	rn_codename_free(c);
	assert_int_equal(rn_codename_parse(NULL, 1, &c), RN_ERR_INVAL);
}

static void
hex_equal(const uint8_t *p, const char *want)
{
	char hex[2 * 32 + 1];

	rn_hex_encode(p, 32, hex);
	assert_string_equal(hex, want);
}

/* Known answers: a change of list, salt, parameters or info strings shows here. */
static void
test_kat(void **state)
{
	struct rn_codename *c;

	(void)state;
	assert_int_equal(rn_codename_parse(ABANDON, strlen(ABANDON), &c), RN_OK);
	assert_null(rn_codename_mailbox_id(c));
	assert_null(rn_codename_reply_secret(c));
	assert_null(rn_codename_reply_public(c));
	assert_int_equal(rn_codename_derive(c), RN_OK);
	hex_equal(rn_codename_mailbox_id(c),
	    "c07a3e12e57ff15fef5c001d6ad04ab7076f96849e8d1e259c4fa9d03d7924ef");
	hex_equal(rn_codename_reply_secret(c),
	    "5cc608e9514582db664aa0f5a3851f66952b13a9fb5a2cde0b11b953dd5fd880");
	hex_equal(rn_codename_reply_public(c),
	    "3e711b4718023dd6d5be35e615f3daa0b25afee193bd6e1ec88ddcfb0d00517e");
	rn_codename_free(c);

	assert_int_equal(rn_codename_parse("ZOO zone zero zebra youth young you yellow year", 47,
			     &c),
	    RN_OK);
	assert_int_equal(rn_codename_derive(c), RN_OK);
	hex_equal(rn_codename_mailbox_id(c),
	    "edfb1b35d0bf9f96771f7f0e780838d6701c4ae3fb0db87a6d0253d0ea5b524c");
	hex_equal(rn_codename_reply_secret(c),
	    "bfc447349570d4a86842bc9ac404cb18b3c4c4718cdf038dc6426b6a0d8472be");
	hex_equal(rn_codename_reply_public(c),
	    "853392dc1d3295f71fe5a46923ae9573f7a6050158b5687c9a39e16e656b356b");
	rn_codename_free(c);
}

static void
test_derive(void **state)
{
	struct rn_codename *a, *b, *c;
	uint8_t		    pub[RN_X25519_LEN];

	(void)state;
	assert_int_equal(rn_codename_generate(&a), RN_OK);
	assert_int_equal(
	    rn_codename_parse(rn_codename_text(a), strlen(rn_codename_text(a)), &b), RN_OK);
	assert_int_equal(rn_codename_generate(&c), RN_OK);
	assert_int_equal(rn_codename_derive(a), RN_OK);
	assert_int_equal(rn_codename_derive(b), RN_OK);
	assert_int_equal(rn_codename_derive(c), RN_OK);
	/* Deterministic. */
	assert_memory_equal(rn_codename_mailbox_id(a), rn_codename_mailbox_id(b), RN_MAILBOX_ID_LEN);
	assert_memory_equal(rn_codename_reply_secret(a), rn_codename_reply_secret(b), RN_X25519_LEN);
	assert_memory_equal(rn_codename_reply_public(a), rn_codename_reply_public(b), RN_X25519_LEN);
	/* Distinct codenames, distinct outputs; the outputs differ from one another. */
	assert_memory_not_equal(rn_codename_mailbox_id(a), rn_codename_mailbox_id(c),
	    RN_MAILBOX_ID_LEN);
	assert_memory_not_equal(rn_codename_reply_secret(a), rn_codename_reply_secret(c),
	    RN_X25519_LEN);
	assert_memory_not_equal(rn_codename_mailbox_id(a), rn_codename_reply_secret(a), 32);
	/* The public key is the secret's. */
	assert_int_equal(rn_x25519_public(rn_codename_reply_secret(a), pub), RN_OK);
	assert_memory_equal(pub, rn_codename_reply_public(a), RN_X25519_LEN);
	/* Deriving again gives the same. */
	assert_int_equal(rn_codename_derive(a), RN_OK);
	assert_memory_equal(rn_codename_mailbox_id(a), rn_codename_mailbox_id(b), RN_MAILBOX_ID_LEN);
	rn_codename_free(a);
	rn_codename_free(b);
	rn_codename_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_word_list),
		cmocka_unit_test(test_entropy),
		cmocka_unit_test(test_generate),
		cmocka_unit_test(test_generate_distinct),
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_refuse),
		cmocka_unit_test(test_kat),
		cmocka_unit_test(test_derive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
