/*
 * The source's pages: landing, submit form, receipt, help, come back
 * (replies, deleting them, follow-ups).  Plain HTML forms: no JavaScript, no
 * web fonts, no SVG, no third-party anything; they work in Tor Browser at
 * Safest.  Every answer is Cache-Control: no-store (rn_http_respond_bytes),
 * and there are no cookies: forms carry tokens (token.h), and the come-back
 * page carries a mailbox capability bound to the mailbox and the hour.
 *
 * A codename that is well formed always costs a full derivation, and a
 * mailbox that does not exist gives the same page as one without replies.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "inbox/dropbox.h"
#include "roneo/rn_log.h"

#define HTML	     "text/html; charset=utf-8"
#define PAGE_MAX     (RN_INBOX_MAX_REPLIES * RN_INBOX_MAX_REPLY * 2u)
#define RETURN_MAX   4096u /* bytes of the come-back and delete forms */
#define AGE_SUFFIX   ".age"
#define MIB	     (1024u * 1024u)
#define FORM_CHOOSER "multipart/form-data"

void
rn_dropbox_page_begin(struct rn_buf *b, const char *title)
{
	(void)rn_buf_puts(b,
	    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n"
	    "<meta name=\"referrer\" content=\"no-referrer\">\n<title>");
	(void)rn_buf_html_escape(b, title, strlen(title));
	(void)rn_buf_puts(b, "</title>\n<link rel=\"stylesheet\" href=\"/static/roneo.css\">\n"
			     "</head>\n<body>\n<header><a href=\"/\">roneo</a> "
			     "<nav><a href=\"/drop/\">Send us something</a> "
			     "<a href=\"/drop/return\">Replies</a> "
			     "<a href=\"/drop/help\">Help</a></nav></header>\n<main>\n<h1>");
	(void)rn_buf_html_escape(b, title, strlen(title));
	(void)rn_buf_puts(b, "</h1>\n");
}

void
rn_dropbox_page_end(struct rn_buf *b)
{
	(void)rn_buf_puts(b, "</main>\n</body>\n</html>\n");
}

void
rn_dropbox_respond_page(struct rn_http_exchange *ex, int status, struct rn_buf *b)
{
	if (b->data == NULL || b->len == 0)
		rn_http_respond_error(ex, 500);
	else
		rn_http_respond_bytes(ex, status, HTML, b->data, b->len);
	if (b->data != NULL)
		rn_crypto_wipe(b->data, b->cap);
	rn_buf_free(b);
}

void
rn_dropbox_respond_problem(
    struct rn_http_exchange *ex, int status, const char *title, const char *text)
{
	struct rn_buf b;

	rn_buf_init(&b, 16384);
	rn_dropbox_page_begin(&b, title);
	(void)rn_buf_puts(&b, "<p>");
	(void)rn_buf_html_escape(&b, text, strlen(text));
	(void)rn_buf_puts(&b, "</p>\n<p><a href=\"/drop/\">Back to the drop-box</a></p>\n");
	rn_dropbox_page_end(&b);
	rn_dropbox_respond_page(ex, status, &b);
}

static void
put_size(struct rn_buf *b, uint64_t v)
{
	if (v >= 1024u * MIB && v % (1024u * MIB) == 0)
		(void)rn_buf_printf(b, "%llu GiB", (unsigned long long)(v / (1024u * MIB)));
	else if (v >= MIB)
		(void)rn_buf_printf(b, "%llu MiB", (unsigned long long)(v / MIB));
	else
		(void)rn_buf_printf(b, "%llu KiB", (unsigned long long)((v + 1023u) / 1024u));
}

static void
put_limits(struct rn_buf *b, const struct rn_dropbox *d)
{
	(void)rn_buf_puts(b, "<ul class=\"limits\">\n<li>Each file: at most ");
	put_size(b, d->set.max_file);
	(void)rn_buf_printf(b,
	    "</li>\n<li>Files at once: at most %llu</li>\n<li>Everything together: at most ",
	    (unsigned long long)d->set.max_files);
	put_size(b, d->set.max_submission);
	(void)rn_buf_puts(b, "</li>\n<li>The message: at most ");
	put_size(b, d->set.max_message);
	(void)rn_buf_puts(b, "</li>\n</ul>\n");
}

static void
put_metadata_warning(struct rn_buf *b)
{
	(void)rn_buf_puts(b,
	    "<h2>Clean your files first</h2>\n"
	    "<p>Documents, photos and videos carry hidden <em>metadata</em>: the author's name, "
	    "the device, the software, the time, and for photos often the place they were "
	    "taken. It can identify you even when the content does not.</p>\n<ul>\n"
	    "<li>On Tails or Debian, <code>mat2 FILE</code> removes metadata from most "
	    "documents and images.</li>\n"
	    "<li>Or print the document to a new PDF, or take a screenshot of it, and send that "
	    "instead.</li>\n"
	    "<li>Printed and scanned paper can carry printer tracking dots; photos of a screen "
	    "can show where they were taken.</li>\n</ul>\n");
}

static void
on_landing(struct rn_http_exchange *ex, void *arg)
{
	struct rn_dropbox *d = arg;
	struct rn_buf	   b;

	if (strcmp(rn_http_exchange_req(ex)->path, "/drop/") != 0) {
		rn_http_respond_error(ex, 404);
		return;
	}
	rn_buf_init(&b, 65536);
	rn_dropbox_page_begin(&b, "Send us something");
	(void)rn_buf_puts(&b,
	    "<p>This collective publishes bulletins, a tactics archive and write-ups of how "
	    "conflicts were resolved. You can send us a message and files. They are encrypted "
	    "the moment they arrive, to keys our editors keep offline: this server cannot read "
	    "them, and neither can anyone who takes it.</p>\n"
	    "<h2>How to send safely</h2>\n<ul>\n"
	    "<li>Use Tor Browser, on a device and network that are not your work's. The "
	    "<em>Safest</em> security level is fine: these pages need no JavaScript.</li>\n"
	    "<li>You will get a <strong>codename</strong>. Write it down on paper: it is the only "
	    "way to read our replies, and we cannot recover it.</li>\n"
	    "<li>Do not tell anyone you sent something.</li>\n</ul>\n");
	put_metadata_warning(&b);
	(void)rn_buf_puts(&b, "<h2>Limits</h2>\n");
	put_limits(&b, d);
	(void)rn_buf_puts(&b,
	    "<p><a class=\"button\" href=\"/drop/submit\">Write a message</a> "
	    "<a class=\"button\" href=\"/drop/return\">I have a codename</a></p>\n");
	rn_dropbox_page_end(&b);
	rn_dropbox_respond_page(ex, 200, &b);
}

/* The fields every upload form has after its token (and mailbox). */
static void
put_upload_fields(struct rn_buf *b, const struct rn_dropbox *d)
{
	(void)rn_buf_puts(b,
	    "<p class=\"hp\"><label>Leave empty <input name=\"website\" autocomplete=\"off\" "
	    "tabindex=\"-1\"></label></p>\n"
	    "<p><label for=\"message\">Message</label><br>\n"
	    "<textarea id=\"message\" name=\"message\" rows=\"12\" cols=\"60\"></textarea></p>\n"
	    "<p><label for=\"file\">Files (you can choose several)</label><br>\n"
	    "<input id=\"file\" type=\"file\" name=\"file\" multiple></p>\n");
	put_limits(b, d);
}

static void
on_submit_form(struct rn_http_exchange *ex, void *arg)
{
	struct rn_dropbox *d = arg;
	struct rn_buf	   b;
	char		   tok[RN_FORM_TOKEN_LEN + 1];

	if (rn_form_token(&d->form_key, "submit", (uint64_t)time(NULL), tok) != RN_OK) {
		rn_http_respond_error(ex, 500);
		return;
	}
	rn_buf_init(&b, 65536);
	rn_dropbox_page_begin(&b, "Write a message");
	(void)rn_buf_printf(&b,
	    "<form method=\"post\" action=\"/drop/submit\" enctype=\"" FORM_CHOOSER "\">\n"
	    "<input type=\"hidden\" name=\"token\" value=\"%s\">\n",
	    tok);
	put_upload_fields(&b, d);
	(void)rn_buf_puts(&b,
	    "<p>Before sending, remove metadata from your files (<a href=\"/drop/help\">how</a>)."
	    " A large upload takes a while over Tor: keep this tab open until the next page "
	    "appears.</p>\n<p><button type=\"submit\">Send</button></p>\n</form>\n");
	rn_dropbox_page_end(&b);
	rn_dropbox_respond_page(ex, 200, &b);
}

void
rn_dropbox_respond_receipt(struct rn_http_exchange *ex, const char *codename)
{
	struct rn_buf b;

	rn_buf_init(&b, 65536);
	rn_dropbox_page_begin(&b, "Received");
	(void)rn_buf_puts(&b,
	    "<p>Your submission arrived and is stored, encrypted to our editors' keys.</p>\n"
	    "<h2>Your codename</h2>\n<p class=\"codename\">");
	(void)rn_buf_html_escape(&b, codename, strlen(codename));
	(void)rn_buf_puts(&b,
	    "</p>\n<p><strong>Write it down now, on paper.</strong> This page is the only time "
	    "it is shown; it is not stored anywhere, and without it nobody can read our "
	    "replies to you, us included. Do not save it in the browser.</p>\n"
	    "<p>Come back in a few days and enter it on the <a href=\"/drop/return\">replies "
	    "page</a> to read our answer or send more.</p>\n");
	rn_dropbox_page_end(&b);
	rn_dropbox_respond_page(ex, 200, &b);
}

void
rn_dropbox_respond_followup_done(struct rn_http_exchange *ex)
{
	rn_dropbox_respond_problem(ex, 200, "Received",
	    "Your follow-up arrived and is stored, encrypted to our editors' keys. Use the same "
	    "codename to come back.");
}

static void
on_help(struct rn_http_exchange *ex, void *arg)
{
	struct rn_buf b;

	(void)arg;
	rn_buf_init(&b, 65536);
	rn_dropbox_page_begin(&b, "Help for sources");
	(void)rn_buf_puts(&b,
	    "<h2>Before you send</h2>\n<ul>\n"
	    "<li>Use Tor Browser from torproject.org, ideally on Tails. Set its security level "
	    "to <em>Safest</em>: everything here works without JavaScript.</li>\n"
	    "<li>Avoid work computers, work networks and phones your employer manages.</li>\n"
	    "<li>Think about who could have had the documents you send: a document only a few "
	    "people saw can point to you whatever its metadata.</li>\n</ul>\n");
	put_metadata_warning(&b);
	(void)rn_buf_puts(&b,
	    "<h2>What happens to what you send</h2>\n"
	    "<p>Your message and files are encrypted as they arrive, to keys our editors keep "
	    "offline, with the age format. The server keeps only the encrypted file, the day it "
	    "arrived (not the time) and its size rounded up to a coarse step. It does not keep "
	    "your file names outside the encrypted file, your address or your browser.</p>\n"
	    "<h2>Your codename</h2>\n"
	    "<p>The codename is nine words shown once. It is never stored: the server keeps "
	    "only a slow, one-way hash of it, which names your mailbox, and a key derived from "
	    "it that our replies are encrypted to. With it you can read replies, delete them "
	    "and send more. Without it nobody can link your later visits to this one.</p>\n"
	    "<p>Typing it, case and extra spaces do not matter, and the first four letters of "
	    "each word are enough.</p>\n");
	rn_dropbox_page_end(&b);
	rn_dropbox_respond_page(ex, 200, &b);
}

static void
return_form(struct rn_dropbox *d, struct rn_buf *b)
{
	char tok[RN_FORM_TOKEN_LEN + 1];

	if (rn_form_token(&d->form_key, "return", (uint64_t)time(NULL), tok) != RN_OK)
		return;
	(void)rn_buf_printf(b,
	    "<form method=\"post\" action=\"/drop/return\">\n"
	    "<input type=\"hidden\" name=\"token\" value=\"%s\">\n"
	    "<p><label for=\"codename\">Your codename</label><br>\n"
	    "<input id=\"codename\" name=\"codename\" size=\"60\" autocomplete=\"off\" "
	    "autocapitalize=\"none\" spellcheck=\"false\"></p>\n"
	    "<p><button type=\"submit\">Open</button></p>\n</form>\n",
	    tok);
}

static void
on_return_form(struct rn_http_exchange *ex, void *arg)
{
	struct rn_buf b;

	rn_buf_init(&b, 65536);
	rn_dropbox_page_begin(&b, "Replies");
	(void)rn_buf_puts(&b, "<p>Enter the codename you were given to read our replies and "
			      "send more.</p>\n");
	return_form(arg, &b);
	rn_dropbox_page_end(&b);
	rn_dropbox_respond_page(ex, 200, &b);
}

/* ---- POST /drop/return and /drop/delete-replies (urlencoded, small) ---- */

struct visit {
	struct rn_dropbox    *d;
	struct rn_buf	      body;
	struct rn_derive_job *job;
};

static void
visit_free(struct visit *v)
{
	if (v == NULL)
		return;
	rn_derive_cancel(v->job);
	if (v->body.data != NULL)
		rn_crypto_wipe(v->body.data, v->body.cap);
	rn_buf_free(&v->body);
	free(v);
}

static void
on_small_request(struct rn_http_exchange *ex, void *arg)
{
	struct visit *v;

	if ((v = calloc(1, sizeof(*v))) == NULL) {
		rn_http_respond_error(ex, 503);
		return;
	}
	v->d = arg;
	rn_buf_init(&v->body, RETURN_MAX);
	rn_http_exchange_set_data(ex, v);
}

static enum rn_err
on_small_body(struct rn_http_exchange *ex, const void *p, size_t n, void *arg)
{
	struct visit *v = rn_http_exchange_data(ex);

	(void)arg;
	return v == NULL ? RN_OK : rn_buf_append(&v->body, p, n);
}

static void
on_small_abort(struct rn_http_exchange *ex, void *arg)
{
	(void)arg;
	visit_free(rn_http_exchange_data(ex));
	rn_http_exchange_set_data(ex, NULL);
}

/* A form field of the visit's body; false if missing, repeated or malformed. */
static bool
field(struct visit *v, const char *name, char *out, size_t outsz)
{
	size_t n;

	return rn_urlform_get(v->body.data, v->body.len, name, out, outsz, &n) == RN_OK;
}

struct replies {
	struct rn_dropbox *d;
	size_t		   n;
	char		   ids[RN_INBOX_MAX_REPLIES][RN_STORE_ID_LEN + 1];
};

static bool
collect_reply(const char *id, void *arg)
{
	struct replies *r = arg;

	memcpy(r->ids[r->n++], id, RN_STORE_ID_LEN + 1);
	return r->n < RN_INBOX_MAX_REPLIES;
}

static enum rn_err
text_sink(const void *p, size_t n, void *arg)
{
	return rn_buf_append(arg, p, n);
}

/* Open one sealed reply with the mailbox's reply key, into out (wiped by the caller). */
static enum rn_err
open_reply(
    struct rn_dropbox *d, const char *id, const struct rn_age_identity *ident, struct rn_buf *out)
{
	const struct rn_age_identity *ids[1] = { ident };
	struct rn_age_reader	     *r = NULL;
	char			      name[RN_STORE_ID_LEN + sizeof(AGE_SUFFIX)], buf[16384];
	ssize_t			      got;
	enum rn_err		      err;
	int			      fd;

	snprintf(name, sizeof(name), "%s%s", id, AGE_SUFFIX);
	if ((fd = openat(d->replies_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return RN_ERR_NOTFOUND;
	if ((err = rn_age_reader_new(ids, 1, text_sink, out, &r)) != RN_OK)
		goto out;
	while ((got = read(fd, buf, sizeof(buf))) > 0)
		if ((err = rn_age_reader_update(r, buf, (size_t)got)) != RN_OK)
			goto out;
	err = got < 0 ? RN_ERR_IO : rn_age_reader_finish(r);
out:
	rn_crypto_wipe(buf, sizeof(buf));
	rn_age_reader_free(r);
	close(fd);
	return err;
}

static void
put_mailbox_cap(
    struct rn_buf *b, struct rn_dropbox *d, const uint8_t *mailbox, const uint8_t *reply_pub)
{
	char ids[2 * 2 * RN_STORE_MAILBOX_LEN + 2], form[sizeof(ids) + 16];
	char tok[RN_FORM_TOKEN_LEN + 1];

	rn_hex_encode(mailbox, RN_STORE_MAILBOX_LEN, ids);
	ids[2 * RN_STORE_MAILBOX_LEN] = '.';
	rn_hex_encode(reply_pub, RN_STORE_MAILBOX_LEN, ids + 2 * RN_STORE_MAILBOX_LEN + 1);
	snprintf(form, sizeof(form), "mailbox:%s", ids);
	if (rn_form_token(&d->form_key, form, (uint64_t)time(NULL), tok) == RN_OK)
		(void)rn_buf_printf(
		    b, "<input type=\"hidden\" name=\"mailbox\" value=\"%s.%s\">\n", ids, tok);
}

static void
put_replies(struct rn_buf *b, struct rn_dropbox *d, const struct replies *r,
    const struct rn_age_identity *ident)
{
	struct rn_buf text;
	size_t	      i, shown = 0;

	(void)rn_buf_puts(b, "<h2>Replies</h2>\n");
	for (i = 0; i < r->n; i++) {
		rn_buf_init(&text, RN_INBOX_MAX_REPLY);
		if (open_reply(d, r->ids[i], ident, &text) == RN_OK) {
			(void)rn_buf_puts(b, "<pre class=\"reply\">");
			(void)rn_buf_html_escape(b, text.data, text.len);
			(void)rn_buf_puts(b, "</pre>\n");
			shown++;
		}
		if (text.data != NULL)
			rn_crypto_wipe(text.data, text.cap);
		rn_buf_free(&text);
	}
	if (shown == 0)
		(void)rn_buf_puts(b, "<p>There are no replies yet. Check again in a few days."
				     "</p>\n");
}

static void
put_mailbox_forms(struct rn_buf *b, struct rn_dropbox *d, const uint8_t *mailbox,
    const uint8_t *reply_pub, bool has_replies)
{
	char tok[RN_FORM_TOKEN_LEN + 1];

	if (has_replies &&
	    rn_form_token(&d->form_key, "delete", (uint64_t)time(NULL), tok) == RN_OK) {
		(void)rn_buf_printf(b,
		    "<form method=\"post\" action=\"/drop/delete-replies\">\n"
		    "<input type=\"hidden\" name=\"token\" value=\"%s\">\n",
		    tok);
		put_mailbox_cap(b, d, mailbox, reply_pub);
		(void)rn_buf_puts(b, "<p><button type=\"submit\">Delete these replies</button> "
				     "once you have read them.</p>\n</form>\n");
	}
	if (rn_form_token(&d->form_key, "followup", (uint64_t)time(NULL), tok) != RN_OK)
		return;
	(void)rn_buf_printf(b,
	    "<h2>Send more</h2>\n<form method=\"post\" action=\"/drop/followup\" "
	    "enctype=\"" FORM_CHOOSER "\">\n<input type=\"hidden\" name=\"token\" value=\"%s\">\n",
	    tok);
	put_mailbox_cap(b, d, mailbox, reply_pub);
	put_upload_fields(b, d);
	(void)rn_buf_puts(b, "<p><button type=\"submit\">Send</button></p>\n</form>\n");
}

static void
on_visit_derived(struct rn_codename *c, enum rn_err err, void *arg)
{
	struct rn_http_exchange *ex = arg;
	struct visit		*v = rn_http_exchange_data(ex);
	struct rn_age_identity	*ident = NULL;
	struct replies		*r = NULL;
	struct rn_buf		 b;

	v->job = NULL;
	if (err != RN_OK || (r = calloc(1, sizeof(*r))) == NULL ||
	    rn_age_identity_from_secret(rn_codename_reply_secret(c), &ident) != RN_OK ||
	    rn_inbox_db_replies(v->d->db, rn_codename_mailbox_id(c), collect_reply, r) != RN_OK) {
		rn_http_exchange_set_data(ex, NULL);
		visit_free(v);
		rn_http_respond_error(ex, 500);
		goto out;
	}
	rn_buf_init(&b, PAGE_MAX);
	rn_dropbox_page_begin(&b, "Your mailbox");
	put_replies(&b, v->d, r, ident);
	put_mailbox_forms(
	    &b, v->d, rn_codename_mailbox_id(c), rn_codename_reply_public(c), r->n > 0);
	rn_dropbox_page_end(&b);
	rn_http_exchange_set_data(ex, NULL);
	rn_dropbox_respond_page(ex, 200, &b);
	visit_free(v);
out:
	free(r);
	rn_age_identity_free(ident);
	rn_codename_free(c);
}

static void
on_return_end(struct rn_http_exchange *ex, void *arg)
{
	struct visit	   *v = rn_http_exchange_data(ex);
	struct rn_dropbox  *d = arg;
	struct rn_codename *c = NULL;
	char		    tok[RN_FORM_TOKEN_LEN + 8], text[RN_CODENAME_MAX_INPUT + 1];
	size_t		    n;

	if (v == NULL)
		return;
	rn_http_exchange_set_data(ex, NULL);
	if (!field(v, "token", tok, sizeof(tok)) ||
	    !rn_form_token_ok(&d->form_key, "return", tok, strlen(tok), (uint64_t)time(NULL))) {
		visit_free(v);
		rn_dropbox_respond_problem(ex, 403, "This form has expired",
		    "Go back, reload the page and enter your codename again.");
		return;
	}
	if (!rn_http_exchange_circuit_acquire(ex, RN_CIRCUIT_CODENAME) ||
	    !rn_dropbox_attempt_ok(d)) {
		visit_free(v);
		rn_dropbox_respond_problem(ex, 429, "Too many attempts",
		    "Too many codenames were entered in the last minute. Wait a minute and try "
		    "again.");
		return;
	}
	if (rn_urlform_get(v->body.data, v->body.len, "codename", text, sizeof(text), &n) !=
		RN_OK ||
	    rn_codename_parse(text, n, &c) != RN_OK) {
		rn_crypto_wipe(text, sizeof(text));
		visit_free(v);
		rn_dropbox_respond_problem(ex, 400, "That is not a codename",
		    "A codename is nine words. Check what you wrote down and try again.");
		return;
	}
	rn_crypto_wipe(text, sizeof(text));
	rn_http_exchange_set_data(ex, v);
	if (rn_derive_submit(d->derive, c, on_visit_derived, ex, &v->job) != RN_OK) {
		rn_codename_free(c);
		rn_http_exchange_set_data(ex, NULL);
		visit_free(v);
		rn_dropbox_respond_problem(ex, 503, "Busy", "Try again in a minute.");
	}
}

/* "MAILBOX-HEX.REPLY-HEX.TOKEN" as put_mailbox_cap() writes it. */
static bool
mailbox_from_cap(struct rn_dropbox *d, const char *s, uint8_t mailbox[RN_STORE_MAILBOX_LEN])
{
	size_t hexlen = 2 * RN_STORE_MAILBOX_LEN, tok = 2 * hexlen + 2;
	char   form[2 * 64 + 16];

	if (strlen(s) != tok + RN_FORM_TOKEN_LEN || s[hexlen] != '.' || s[2 * hexlen + 1] != '.' ||
	    rn_hex_decode(s, hexlen, mailbox, RN_STORE_MAILBOX_LEN) != RN_OK)
		return false;
	snprintf(form, sizeof(form), "mailbox:%.*s", (int)(2 * hexlen + 1), s);
	return rn_form_token_ok(
	    &d->form_key, form, s + tok, RN_FORM_TOKEN_LEN, (uint64_t)time(NULL));
}

static void
on_delete_end(struct rn_http_exchange *ex, void *arg)
{
	struct visit	  *v = rn_http_exchange_data(ex);
	struct rn_dropbox *d = arg;
	struct replies	  *r;
	uint8_t		   mailbox[RN_STORE_MAILBOX_LEN];
	char		   tok[RN_FORM_TOKEN_LEN + 8], cap[256];
	size_t		   i;

	if (v == NULL)
		return;
	rn_http_exchange_set_data(ex, NULL);
	if (!field(v, "token", tok, sizeof(tok)) || !field(v, "mailbox", cap, sizeof(cap)) ||
	    !rn_form_token_ok(&d->form_key, "delete", tok, strlen(tok), (uint64_t)time(NULL)) ||
	    !mailbox_from_cap(d, cap, mailbox)) {
		visit_free(v);
		rn_dropbox_respond_problem(ex, 403, "This page has expired",
		    "Enter your codename again to delete replies.");
		return;
	}
	visit_free(v);
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		rn_http_respond_error(ex, 503);
		return;
	}
	do {
		r->n = 0;
		if (rn_inbox_db_replies(d->db, mailbox, collect_reply, r) != RN_OK)
			break;
		for (i = 0; i < r->n; i++)
			if (rn_inbox_db_reply_delete(d->db, r->ids[i]) == RN_OK)
				rn_dropbox_remove_file(d->replies_fd, r->ids[i]);
	} while (r->n == RN_INBOX_MAX_REPLIES);
	free(r);
	(void)rn_inbox_db_bytes(d->db, &d->stored_bytes);
	rn_dropbox_respond_problem(ex, 200, "Replies deleted",
	    "The replies in your mailbox are deleted from this server.");
}

enum rn_err
rn_dropbox_source_routes(struct rn_dropbox *d, struct rn_http_server *srv)
{
	const struct rn_http_route pages[] = {
		{ .path = "/drop/submit",
		    .methods = RN_HTTP_M(GET) | RN_HTTP_M(HEAD),
		    .on_request = on_submit_form,
		    .arg = d },
		{ .path = "/drop/help",
		    .methods = RN_HTTP_M(GET) | RN_HTTP_M(HEAD),
		    .on_request = on_help,
		    .arg = d },
		{ .path = "/drop/return",
		    .methods = RN_HTTP_M(GET) | RN_HTTP_M(HEAD),
		    .on_request = on_return_form,
		    .arg = d },
		/* A prefix route: last, and only "/drop/" itself is the landing page. */
		{ .path = "/drop/",
		    .methods = RN_HTTP_M(GET) | RN_HTTP_M(HEAD),
		    .on_request = on_landing,
		    .arg = d },
	};
	struct rn_http_route post = {
		.methods = RN_HTTP_M(POST),
		.max_body = RETURN_MAX,
		.on_request = on_small_request,
		.on_body = on_small_body,
		.on_abort = on_small_abort,
		.arg = d,
	};
	enum rn_err err;
	size_t	    i;

	/* The POST routes first: the GET pages share their paths. */
	post.path = "/drop/return";
	post.on_body_end = on_return_end;
	if ((err = rn_http_server_add_route(srv, &post)) != RN_OK)
		return err;
	post.path = "/drop/delete-replies";
	post.on_body_end = on_delete_end;
	if ((err = rn_http_server_add_route(srv, &post)) != RN_OK)
		return err;
	for (i = 0; i < RN_ARRAY_LEN(pages); i++)
		if ((err = rn_http_server_add_route(srv, &pages[i])) != RN_OK)
			return err;
	return RN_OK;
}
