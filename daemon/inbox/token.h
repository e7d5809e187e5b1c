/*
 * Form tokens: CSRF protection with no cookie and no JavaScript.  A token is
 * "1.<expiry>.<mac>": the hour it expires (coarse, so it says nothing precise
 * about when the form was fetched) and an HMAC-SHA256, truncated to 128 bits,
 * over the form's name and that hour under a key that lives only in the http
 * child's memory (a restart invalidates open forms, which then ask to reload).
 */
#ifndef RN_INBOX_TOKEN_H
#define RN_INBOX_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "roneo/rn_err.h"

#define RN_FORM_TOKEN_LEN   43u	 /* "1." + 8 hex digits + "." + 32 hex digits */
#define RN_FORM_TOKEN_HOURS 3u	 /* a form stays valid for 2 to 3 hours */
#define RN_FORM_NAME_MAX    256u /* bytes of a form name (a mailbox capability's is 137) */

struct rn_form_key {
	uint8_t k[32];
};

enum rn_err rn_form_key_init(struct rn_form_key *key);
void	    rn_form_key_wipe(struct rn_form_key *key);
/* The token for form (e.g. "submit") at unix time now. */
enum rn_err rn_form_token(
    const struct rn_form_key *key, const char *form, uint64_t now, char out[RN_FORM_TOKEN_LEN + 1]);
/* Whether tok (len bytes, untrusted) is a live token for form. Constant time in the MAC. */
bool rn_form_token_ok(
    const struct rn_form_key *key, const char *form, const char *tok, size_t len, uint64_t now);

#endif
