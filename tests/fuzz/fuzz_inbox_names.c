/*
 * Fuzz the drop-box's parsers of typed and submitted text: a codename as a
 * source types it (rn_codename_parse, without the costly derivation) and file
 * names as a browser sends them (rn_tar_name_sanitize, then tar members named
 * after each line of the input), and form tokens as a form sends them back
 * (rn_form_token_ok: never accepts what it did not issue).  Invariants are
 * checked with abort().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "roneo/rn_inbox.h"
#include "inbox/token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t
utf8_valid_len(const unsigned char *s, size_t n)
{
	uint32_t c;
	size_t	 len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	c = s[0] & (0x7fu >> len);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3fu);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return len;
}

static void
check_name(const char *name, size_t max)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t		     n = strlen(name), i = 0, len;

	if (n == 0 || n > max || name[0] == '.' || name[0] == '-' ||
	    name[0] == ' ' || name[n - 1] == ' ')
		abort();
	while (i < n) {
		if ((len = utf8_valid_len(s + i, n - i)) == 0)
			abort();
		if (s[i] < 0x20 || s[i] == 0x7f || s[i] == '/' || s[i] == '\\')
			abort();
		i += len;
	}
}

static void
fuzz_codename(const uint8_t *data, size_t size)
{
	struct rn_codename *c = NULL, *d = NULL;
	const char	   *text;

	if (rn_codename_parse((const char *)data, size, &c) != RN_OK) {
		if (c != NULL)
			abort();
		return;
	}
	/* The canonical text parses back to itself. */
	text = rn_codename_text(c);
	if (strlen(text) >= RN_CODENAME_TEXT_BUFSZ ||
	    rn_codename_parse(text, strlen(text), &d) != RN_OK || strcmp(text, rn_codename_text(d)) != 0 || rn_codename_mailbox_id(c) != NULL)
		abort();
	rn_codename_free(d);
	rn_codename_free(c);
}

static enum rn_err
count_sink(const void *p, size_t n, void *arg)
{
	(void)p;
	*(uint64_t *)arg += n;
	return RN_OK;
}

static void
fuzz_tar(const uint8_t *data, size_t size)
{
	const char    *p = (const char *)data, *end = p + size, *nl;
	char	       a[RN_TAR_NAME_BUFSZ], b[RN_TAR_NAME_BUFSZ];
	struct rn_tar *t;
	uint64_t       bytes = 0, total;
	size_t	       n, members = 0;

	if (rn_tar_name_sanitize(p, size, a, sizeof(a)) != RN_OK)
		abort();
	check_name(a, RN_TAR_MAX_NAME);
	/* Sanitising is idempotent. */
	if (rn_tar_name_sanitize(a, strlen(a), b, sizeof(b)) != RN_OK || strcmp(a, b) != 0)
		abort();
	if ((t = rn_tar_new(count_sink, &bytes)) == NULL)
		return;
	while (p < end && members++ < RN_TAR_MAX_MEMBERS) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		if (rn_tar_add_file(t, p, n, p, n) != RN_OK)
			abort();
		check_name(rn_tar_last_name(t), RN_TAR_NAME_BUFSZ - 1);
		p += n + (nl != NULL);
	}
	if (rn_tar_finish(t, &total) != RN_OK || total != bytes || total != rn_tar_bucket(total))
		abort();
	rn_tar_free(t);
}

/* With a fixed key, only the token issued for the fixed time may pass. */
static void
fuzz_token(const uint8_t *data, size_t size)
{
	static const struct rn_form_key key = { { 1, 2, 3, 4, 5, 6, 7, 8 } };
	char				issued[RN_FORM_TOKEN_LEN + 1];
	const uint64_t			now = 1795440000u;

	if (rn_form_token(&key, "submit", now, issued) != RN_OK)
		abort();
	if (rn_form_token_ok(&key, "submit", (const char *)data, size, now) &&
	    (size != RN_FORM_TOKEN_LEN || memcmp(data, issued, size) != 0))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_codename(data, size);
	fuzz_tar(data, size);
	fuzz_token(data, size);
	return 0;
}
