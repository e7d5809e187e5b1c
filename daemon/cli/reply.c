/*
 * Replies: the text is checked (UTF-8, no control characters but tab and
 * line breaks), sealed in memory with the age writer to the source's reply
 * key (the submission's reply_to) and to every editor's recipient, so that
 * the other editors can read what was answered, and posted.  The sealed body
 * is at most RN_EDITOR_MAX_REPLY bytes.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static bool
text_ok(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t	      len, k;
		uint32_t      cp;

		if (c < 0x80) {
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
				return false;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			len = 2, cp = c & 0x1fu;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3, cp = c & 0x0fu;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4, cp = c & 0x07u;
		else
			return false;
		if (n - i < len)
			return false;
		for (k = 1; k < len; k++) {
			if (((unsigned char)s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | ((unsigned char)s[i + k] & 0x3fu);
		}
		if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		i += len;
	}
	return true;
}

static enum rn_err
to_buf(const void *p, size_t n, void *arg)
{
	return rn_buf_append(arg, p, n);
}

/* The recipients: the submission's reply_to first, then every editor's. */
static int
recipients(const struct cli_json *list, const char *id, struct rn_age_recipient *r, size_t *n)
{
	const struct cli_json *subs = cli_json_get(list, "submissions");
	const struct cli_json *eds = cli_json_get(list, "recipients");
	const char	      *rt = NULL;
	size_t		       i;

	*n = 0;
	for (i = 0; subs != NULL && subs->type == CLI_JSON_ARR && i < subs->nkids; i++) {
		const char *sid = cli_json_str_of(&subs->kids[i], "id");

		if (sid != NULL && strcmp(sid, id) == 0)
			rt = cli_json_str_of(&subs->kids[i], "reply_to");
	}
	if (rt == NULL)
		return cli_fail("%s: no such submission, or it has no reply key", id);
	if (rn_age_recipient_parse(rt, strlen(rt), &r[(*n)++]) != RN_OK)
		return cli_fail("%s: the server gave a malformed reply key", id);
	if (eds == NULL || eds->type != CLI_JSON_ARR || eds->nkids == 0 ||
	    eds->nkids >= RN_AGE_MAX_STANZAS)
		return cli_fail("the server's list has no editor recipients");
	for (i = 0; i < eds->nkids; i++) {
		const struct cli_json *e = &eds->kids[i];

		if (e->type != CLI_JSON_STR ||
		    rn_age_recipient_parse(e->str, e->len, &r[(*n)++]) != RN_OK)
			return cli_fail("the server gave a malformed editor recipient");
	}
	return RN_CLI_EXIT_OK;
}

static int
seal(const struct rn_age_recipient *r, size_t n, const char *text, size_t len, struct rn_buf *b)
{
	struct rn_age_writer *w = NULL;
	enum rn_err	      err;

	if ((err = rn_age_writer_new(r, n, to_buf, b, &w)) == RN_OK &&
	    (err = rn_age_writer_update(w, text, len)) == RN_OK)
		err = rn_age_writer_finish(w);
	rn_age_writer_free(w);
	if (err == RN_ERR_TOOBIG)
		return cli_fail(
		    "the reply is too long (sealed, at most %u bytes)", RN_EDITOR_MAX_REPLY);
	return err == RN_OK ? RN_CLI_EXIT_OK : cli_fail("cannot seal the reply");
}

int
cli_reply(struct cli_conn *c, const char *id, const char *text, size_t len, bool json)
{
	static struct rn_age_recipient r[RN_AGE_MAX_STANZAS];
	struct cli_json		      *list = NULL, *ans = NULL;
	struct rn_buf		       sealed;
	char			       target[80];
	const char		      *rid;
	size_t			       n;
	int			       rc;

	if (len == 0 || !text_ok(text, len))
		return cli_fail("a reply is non-empty UTF-8 text without control characters");
	rn_buf_init(&sealed, RN_EDITOR_MAX_REPLY);
	if ((rc = cli_request_json(c, "GET", "/editor/v1/inbox", NULL, 0, 200, &list)) != 0 ||
	    (rc = recipients(list, id, r, &n)) != 0 || (rc = seal(r, n, text, len, &sealed)) != 0)
		goto out;
	snprintf(target, sizeof(target), "/editor/v1/inbox/%s/reply", id);
	if ((rc = cli_request_json(c, "POST", target, sealed.data, sealed.len, 201, &ans)) != 0)
		goto out;
	rid = cli_json_str_of(ans, "reply");
	if (rid == NULL || strlen(rid) != 32 || strspn(rid, "0123456789abcdef") != 32) {
		rc = cli_fail("the server's answer names no reply");
		goto out;
	}
	if (json)
		printf("{\"id\":\"%s\",\"reply\":\"%s\",\"bytes\":%zu}\n", id, rid, sealed.len);
	else
		printf(
		    "%s: reply %s sealed to the source and %zu editor(s), sent\n", id, rid, n - 1);
out:
	cli_json_free(list);
	cli_json_free(ans);
	rn_buf_free(&sealed);
	return rc;
}
