/* Unit tests for form tokens (daemon/inbox/token.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "inbox/token.h"

#define NOW 1795440000u /* any fixed unix time */

static void
test_round_trip(void **state)
{
	struct rn_form_key key;
	char		   tok[RN_FORM_TOKEN_LEN + 1];

	(void)state;
	assert_int_equal(rn_form_key_init(&key), RN_OK);
	assert_int_equal(rn_form_token(&key, "submit", NOW, tok), RN_OK);
	assert_int_equal(strlen(tok), RN_FORM_TOKEN_LEN);
	assert_true(rn_form_token_ok(&key, "submit", tok, strlen(tok), NOW));
	/* Still valid two hours on; dead three hours on. */
	assert_true(rn_form_token_ok(&key, "submit", tok, strlen(tok), NOW + 2 * 3600));
	assert_false(rn_form_token_ok(&key, "submit", tok, strlen(tok), NOW + 3 * 3600));
	rn_form_key_wipe(&key);
}

static void
test_bound_to_form_and_key(void **state)
{
	struct rn_form_key a, b;
	char		   tok[RN_FORM_TOKEN_LEN + 1];

	(void)state;
	assert_int_equal(rn_form_key_init(&a), RN_OK);
	assert_int_equal(rn_form_key_init(&b), RN_OK);
	assert_int_equal(rn_form_token(&a, "submit", NOW, tok), RN_OK);
	assert_false(rn_form_token_ok(&a, "delete", tok, strlen(tok), NOW));
	assert_false(rn_form_token_ok(&b, "submit", tok, strlen(tok), NOW));
}

static void
test_tampering(void **state)
{
	struct rn_form_key key;
	char		   tok[RN_FORM_TOKEN_LEN + 1], bad[RN_FORM_TOKEN_LEN + 1];
	size_t		   i;

	(void)state;
	assert_int_equal(rn_form_key_init(&key), RN_OK);
	assert_int_equal(rn_form_token(&key, "submit", NOW, tok), RN_OK);
	/* Every single-character change is refused. */
	for (i = 0; i < RN_FORM_TOKEN_LEN; i++) {
		memcpy(bad, tok, sizeof(bad));
		bad[i] = bad[i] == 'a' ? 'b' : 'a';
		assert_false(rn_form_token_ok(&key, "submit", bad, RN_FORM_TOKEN_LEN, NOW));
	}
	assert_false(rn_form_token_ok(&key, "submit", tok, RN_FORM_TOKEN_LEN - 1, NOW));
	assert_false(rn_form_token_ok(&key, "submit", "", 0, NOW));
	/* A token from the far future (a forged expiry) is refused even before the MAC. */
	memcpy(bad, tok, sizeof(bad));
	memcpy(bad + 2, "ffffffff", 8);
	assert_false(rn_form_token_ok(&key, "submit", bad, RN_FORM_TOKEN_LEN, NOW));
	/* Upper-case hex is not ours. */
	memcpy(bad, tok, sizeof(bad));
	for (i = 11; i < RN_FORM_TOKEN_LEN; i++)
		if (bad[i] >= 'a' && bad[i] <= 'f')
			bad[i] = (char)(bad[i] - 'a' + 'A');
	if (memcmp(bad, tok, sizeof(bad)) != 0)
		assert_false(rn_form_token_ok(&key, "submit", bad, RN_FORM_TOKEN_LEN, NOW));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_bound_to_form_and_key),
		cmocka_unit_test(test_tampering),
	};

	return cmocka_run_group_tests_name("token", tests, NULL, NULL);
}
