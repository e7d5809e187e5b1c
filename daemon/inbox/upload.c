/*
 * Submissions and follow-ups: POST /drop/submit and POST /drop/followup.
 *
 * The body is parsed as it arrives (rn_multipart), the message is kept in
 * memory (capped, wiped), and each file part is streamed as a tar member
 * into the positioned age writer on a spool file: the plaintext never
 * reaches the disk and memory stays constant whatever the size (see
 * daemon/inbox/README.md).  The parts must come in the form's order: the
 * form token first, then (follow-up) the mailbox capability, then the
 * honeypot, the message and the files.
 *
 * "Accepted" is answered only after the sealed file is fsynced, renamed into
 * inbox/, the directories fsynced and the record committed.  Every refusal,
 * and a client that goes away, removes the spool file: nothing is left.
 *
 * A first submission's codename is generated and derived (scrypt, on a
 * worker thread) while the upload streams in, so the receipt is not delayed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "inbox/dropbox.h"
#include "roneo/rn_log.h"
#include "roneo/rn_multipart.h"

#define HONEYPOT_FIELD "website"
#define MAILBOX_FIELD  "mailbox"

enum field { F_NONE, F_TOKEN, F_MAILBOX, F_HONEYPOT, F_MESSAGE, F_FILE, F_EMPTY_FILE };

struct upload {
	struct rn_dropbox	*d;
	struct rn_http_exchange *ex;
	bool			 followup;
	struct rn_multipart	*mp;
	enum field		 field;
	struct rn_buf		 small;	  /* token, mailbox capability, honeypot */
	struct rn_buf		 message; /* wiped */
	bool			 token_ok, have_mailbox, message_seen;
	uint8_t			 mailbox[RN_STORE_MAILBOX_LEN];
	uint8_t			 reply_pub[RN_STORE_MAILBOX_LEN];
	int			 fd;
	char			 id[RN_STORE_ID_LEN + 1];
	struct rn_age_writer	*w;
	struct rn_tar		*t;
	uint64_t		 reserved;
	uint64_t		 file_bytes, nfiles;
	/* A refusal found by a callback, answered when the parser returns. */
	int	    status;
	const char *title, *text;
	/* First submissions: the codename being derived. */
	struct rn_codename   *codename;
	struct rn_derive_job *job;
	bool		      derived, body_done;
	enum rn_err	      derive_err;
};

static enum rn_err
refuse(struct upload *u, int status, const char *title, const char *text)
{
	if (u->status == 0) {
		u->status = status;
		u->title = title;
		u->text = text;
	}
	return status == 413 ? RN_ERR_TOOBIG : RN_ERR_INVAL;
}

static void
upload_free(struct upload *u)
{
	if (u == NULL)
		return;
	rn_derive_cancel(u->job);
	rn_codename_free(u->codename);
	rn_multipart_free(u->mp);
	rn_tar_free(u->t);
	rn_age_writer_free(u->w);
	if (u->fd != -1) {
		close(u->fd);
		/* Not committed: the sealed bytes so far go. */
		(void)unlinkat(u->d->spool_fd, u->id, 0);
	}
	if (u->reserved > 0) {
		rn_dropbox_release(u->d, u->reserved);
		u->d->uploads--;
	}
	rn_buf_free(&u->small);
	if (u->message.data != NULL)
		rn_crypto_wipe(u->message.data, u->message.cap);
	rn_buf_free(&u->message);
	free(u);
}

/* Refused or failed: clean up and answer the page. */
static void
answer_problem(struct upload *u, int status, const char *title, const char *text)
{
	struct rn_http_exchange *ex = u->ex;

	rn_http_exchange_set_data(ex, NULL);
	upload_free(u);
	rn_dropbox_respond_problem(ex, status, title, text);
}

/* The first content: open the spool file and the sealing pipeline. */
static enum rn_err
start_seal(struct upload *u)
{
	struct rn_dropbox *d = u->d;

	if (u->t != NULL)
		return RN_OK;
	if (!u->token_ok)
		return refuse(u, 403, "This form has expired",
		    "Reload the form and send your message again.");
	if (u->followup && !u->have_mailbox)
		return refuse(u, 403, "This page has expired",
		    "Enter your codename again to send a follow-up.");
	u->fd =
	    openat(d->spool_fd, u->id, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (u->fd == -1 || rn_age_writer_new_fd(d->rcpts, d->nrcpts, u->fd, &u->w) != RN_OK ||
	    (u->t = rn_tar_new(rn_age_writer_sink, u->w)) == NULL)
		return refuse(u, 500, "The submission could not be stored",
		    "Something went wrong on the server. Nothing was kept; try again later.");
	rn_tar_set_patcher(u->t, rn_age_writer_hold_cb, rn_age_writer_patch_cb, u->w);
	return RN_OK;
}

static enum rn_err
seal_error(struct upload *u, enum rn_err err)
{
	if (err == RN_ERR_IO && (errno == ENOSPC || errno == EDQUOT))
		err = RN_ERR_NOSPACE;
	if (err == RN_ERR_NOSPACE)
		return refuse(u, 507, "The drop-box is full",
		    "There is no room to store your submission right now. Nothing was kept; "
		    "try again later.");
	return refuse(u, 500, "The submission could not be stored",
	    "Something went wrong on the server. Nothing was kept; try again later.");
}

static enum rn_err
on_part_begin(const struct rn_multipart_part *part, void *arg)
{
	struct upload *u = arg;
	enum rn_err    err;

	u->field = F_NONE;
	rn_buf_reset(&u->small);
	if (part->index == 0 && strcmp(part->name, "token") != 0)
		return refuse(u, 400, "The form was not sent as expected",
		    "Reload the form and send your message again.");
	if (strcmp(part->name, "token") == 0 && part->index == 0)
		u->field = F_TOKEN;
	else if (strcmp(part->name, MAILBOX_FIELD) == 0 && u->followup && !u->have_mailbox)
		u->field = F_MAILBOX;
	else if (strcmp(part->name, HONEYPOT_FIELD) == 0)
		u->field = F_HONEYPOT;
	else if (strcmp(part->name, "message") == 0 && !u->message_seen && part->filename == NULL)
		u->field = F_MESSAGE;
	else if (strcmp(part->name, "file") == 0 && part->filename != NULL) {
		if (part->filename_len == 0) {
			u->field = F_EMPTY_FILE; /* an empty file input */
			return RN_OK;
		}
		if (++u->nfiles > u->d->set.max_files)
			return refuse(u, 413, "Too many files",
			    "Send fewer files at once, or send the rest as a follow-up.");
		if ((err = start_seal(u)) != RN_OK)
			return err;
		if ((err = rn_tar_begin_stream(u->t, part->filename, part->filename_len)) != RN_OK)
			return seal_error(u, err);
		u->field = F_FILE;
		u->file_bytes = 0;
	} else
		return refuse(u, 400, "The form was not sent as expected",
		    "Reload the form and send your message again.");
	return RN_OK;
}

static enum rn_err
on_part_data(const void *p, size_t n, void *arg)
{
	struct upload *u = arg;
	enum rn_err    err;

	switch (u->field) {
	case F_TOKEN:
	case F_MAILBOX:
	case F_HONEYPOT:
		if (rn_buf_append(&u->small, p, n) != RN_OK)
			return refuse(u, 400, "The form was not sent as expected",
			    "Reload the form and send your message again.");
		return RN_OK;
	case F_MESSAGE:
		if (rn_buf_append(&u->message, p, n) != RN_OK)
			return refuse(u, 413, "The message is too long",
			    "Shorten the message, or send it as a text file.");
		return RN_OK;
	case F_FILE:
		u->file_bytes += n;
		if (u->file_bytes > u->d->set.max_file)
			return refuse(u, 413, "A file is too large",
			    "Each file must be smaller than the limit given on the form.");
		if ((err = rn_tar_write(u->t, p, n)) != RN_OK)
			return seal_error(u, err);
		return RN_OK;
	case F_EMPTY_FILE:
		return refuse(
		    u, 400, "The form was not sent as expected", "A file arrived without a name.");
	case F_NONE: break;
	}
	return refuse(u, 400, "The form was not sent as expected",
	    "Reload the form and send your message again.");
}

/* "MAILBOX-HEX.REPLY-HEX.TOKEN": a mailbox this page was opened for. */
static bool
mailbox_cap_ok(struct upload *u)
{
	const char *s = u->small.data;
	size_t	    hexlen = 2 * RN_STORE_MAILBOX_LEN, tok = 2 * hexlen + 2;
	char	    form[2 * 64 + 16];

	if (u->small.len != tok + RN_FORM_TOKEN_LEN || s[hexlen] != '.' ||
	    s[2 * hexlen + 1] != '.' ||
	    rn_hex_decode(s, hexlen, u->mailbox, RN_STORE_MAILBOX_LEN) != RN_OK ||
	    rn_hex_decode(s + hexlen + 1, hexlen, u->reply_pub, RN_STORE_MAILBOX_LEN) != RN_OK)
		return false;
	snprintf(form, sizeof(form), "mailbox:%.*s", (int)(2 * hexlen + 1), s);
	return rn_form_token_ok(
	    &u->d->form_key, form, s + tok, RN_FORM_TOKEN_LEN, (uint64_t)time(NULL));
}

static enum rn_err
on_part_end(void *arg)
{
	struct upload *u = arg;
	enum rn_err    err;

	switch (u->field) {
	case F_TOKEN:
		u->token_ok = rn_form_token_ok(&u->d->form_key, u->followup ? "followup" : "submit",
		    u->small.data, u->small.len, (uint64_t)time(NULL));
		if (!u->token_ok)
			return refuse(u, 403, "This form has expired",
			    "Reload the form and send your message again.");
		break;
	case F_MAILBOX:
		if (!(u->have_mailbox = mailbox_cap_ok(u)))
			return refuse(u, 403, "This page has expired",
			    "Enter your codename again to send a follow-up.");
		break;
	case F_HONEYPOT:
		if (u->d->set.honeypot && u->small.len > 0)
			return refuse(u, 400, "The submission was refused",
			    "Leave the field marked \"leave empty\" empty.");
		break;
	case F_MESSAGE:
		u->message_seen = true;
		if (u->message.len == 0)
			break;
		if ((err = start_seal(u)) != RN_OK)
			return err;
		if ((err = rn_tar_add_file(
			 u->t, "message.txt", 11, u->message.data, u->message.len)) != RN_OK)
			return seal_error(u, err);
		break;
	case F_FILE:
		if ((err = rn_tar_end_stream(u->t)) != RN_OK)
			return seal_error(u, err);
		break;
	case F_EMPTY_FILE:
	case F_NONE: break;
	}
	u->field = F_NONE;
	return RN_OK;
}

/* Sealed size of a submission sent in `len` bytes, at most. */
static uint64_t
sealed_bound(const struct rn_dropbox *d, uint64_t len)
{
	uint64_t plain = len + (d->set.max_files + 2) * 2048u, bucket;

	if ((bucket = rn_tar_bucket(plain)) == 0)
		return UINT64_MAX;
	return bucket + 16u * (bucket / RN_AGE_CHUNK + 1u) + 512u + 256u * d->nrcpts;
}

static void finish(struct upload *u);

static void
on_derived(struct rn_codename *c, enum rn_err err, void *arg)
{
	struct upload *u = arg;

	u->job = NULL;
	u->codename = c;
	u->derived = true;
	u->derive_err = err;
	if (u->body_done)
		finish(u);
}

/* Checks before any byte of the body is read; answers and returns false on refusal. */
static bool
admit(struct rn_http_exchange *ex, struct rn_dropbox *d, const struct rn_http_req *req,
    uint64_t *reserve)
{
	enum rn_err err;

	if (d->nrcpts == 0) {
		rn_dropbox_respond_problem(ex, 503, "The drop-box is closed",
		    "This site has no editors to encrypt submissions to yet.");
		return false;
	}
	if (req->content_length > d->set.max_submission) {
		rn_dropbox_respond_problem(ex, 413, "The submission is too large",
		    "Send fewer or smaller files, or send the rest as a follow-up.");
		return false;
	}
	if (d->uploads >= d->set.max_uploads) {
		rn_dropbox_respond_problem(ex, 503, "The drop-box is busy",
		    "Too many submissions are arriving right now. Nothing was kept; try again "
		    "in a few minutes.");
		return false;
	}
	*reserve = sealed_bound(d, req->content_length);
	if ((err = rn_dropbox_reserve(d, *reserve)) != RN_OK) {
		rn_dropbox_respond_problem(ex, err == RN_ERR_IO ? 500 : 507, "The drop-box is full",
		    "There is no room to store your submission right now. Nothing was kept; try "
		    "again later.");
		return false;
	}
	d->uploads++;
	return true;
}

static struct upload *
upload_new(struct rn_dropbox *d, struct rn_http_exchange *ex, bool followup, const char *boundary)
{
	struct rn_multipart_limits	     lim;
	static const struct rn_multipart_cbs cbs = { on_part_begin, on_part_data, on_part_end };
	struct upload			    *u;

	if ((u = calloc(1, sizeof(*u))) == NULL)
		return NULL;
	u->d = d;
	u->ex = ex;
	u->fd = -1;
	u->followup = followup;
	rn_buf_init(&u->small, RN_INBOX_MAX_FIELD);
	rn_buf_init(&u->message, (size_t)d->set.max_message);
	rn_multipart_limits_default(&lim);
	lim.max_parts = (size_t)d->set.max_files + 8u;
	if (rn_dropbox_new_id(u->id) != RN_OK ||
	    (u->mp = rn_multipart_new(boundary, &lim, &cbs, u)) == NULL) {
		upload_free(u);
		return NULL;
	}
	return u;
}

static void
on_request(struct rn_http_exchange *ex, void *arg, bool followup)
{
	struct rn_dropbox	 *d = arg;
	const struct rn_http_req *req = rn_http_exchange_req(ex);
	char			  boundary[RN_MULTIPART_BOUNDARY_BUFSZ];
	struct upload		 *u;
	uint64_t		  reserve = 0;
	enum rn_err		  err;

	if (req->content_type == NULL ||
	    rn_multipart_boundary(
		req->content_type, req->content_type_len, boundary, sizeof(boundary)) != RN_OK) {
		rn_dropbox_respond_problem(ex, 400, "The form was not sent as expected",
		    "Reload the form and send your message again.");
		return;
	}
	/* One circuit may not hold many uploads open (the onion listener only). */
	if (!rn_http_exchange_circuit_acquire(ex, RN_CIRCUIT_UPLOAD)) {
		rn_dropbox_respond_problem(ex, 429, "Too many uploads",
		    "Finish or cancel your other uploads first, then try again.");
		return;
	}
	if (!admit(ex, d, req, &reserve))
		return;
	if ((u = upload_new(d, ex, followup, boundary)) == NULL) {
		rn_dropbox_release(d, reserve);
		d->uploads--;
		rn_dropbox_respond_problem(ex, 503, "The drop-box is busy", "Try again later.");
		return;
	}
	u->reserved = reserve;
	if (!followup) {
		if ((err = rn_codename_generate(&u->codename)) == RN_OK) {
			err = rn_derive_submit(d->derive, u->codename, on_derived, u, &u->job);
			if (err == RN_OK)
				u->codename = NULL; /* the job owns it until on_derived */
		}
		if (err != RN_OK) {
			answer_problem(u, 503, "The drop-box is busy", "Try again in a minute.");
			return;
		}
	}
	rn_http_exchange_set_data(ex, u);
}

static void
on_submit(struct rn_http_exchange *ex, void *arg)
{
	on_request(ex, arg, false);
}

static void
on_followup(struct rn_http_exchange *ex, void *arg)
{
	on_request(ex, arg, true);
}

static enum rn_err
on_body(struct rn_http_exchange *ex, const void *p, size_t n, void *arg)
{
	struct upload *u = rn_http_exchange_data(ex);

	(void)arg;
	if (u == NULL)
		return RN_OK; /* already answered; the rest is discarded */
	if (rn_multipart_feed(u->mp, p, n) != RN_OK) {
		if (u->status == 0)
			refuse(u, rn_multipart_status(u->mp), "The form was not sent as expected",
			    "Reload the form and send your message again.");
		answer_problem(u, u->status, u->title, u->text);
	}
	return RN_OK;
}

/* Seal, make durable, record: then, and only then, say it was accepted. */
static enum rn_err
commit(struct upload *u)
{
	struct rn_dropbox     *d = u->d;
	struct rn_inbox_record rec;
	uint64_t	       total;
	enum rn_err	       err;

	if ((err = rn_tar_finish(u->t, &total)) != RN_OK ||
	    (err = rn_age_writer_finish(u->w)) != RN_OK)
		return seal_error(u, err);
	if ((err = rn_dropbox_commit_file(d, u->fd, u->id, d->inbox_fd, u->id)) != RN_OK)
		return seal_error(u, err);
	close(u->fd);
	u->fd = -1;
	memset(&rec, 0, sizeof(rec));
	memcpy(rec.id, u->id, sizeof(rec.id));
	if (u->followup) {
		memcpy(rec.mailbox, u->mailbox, sizeof(rec.mailbox));
		memcpy(rec.reply_key, u->reply_pub, sizeof(rec.reply_key));
	} else {
		memcpy(rec.mailbox, rn_codename_mailbox_id(u->codename), sizeof(rec.mailbox));
		memcpy(rec.reply_key, rn_codename_reply_public(u->codename), sizeof(rec.reply_key));
	}
	rn_dropbox_day(0, rec.day);
	rec.bucket = total;
	if ((err = rn_inbox_db_add(d->db, &rec)) != RN_OK) {
		rn_dropbox_remove_file(d->inbox_fd, u->id);
		return seal_error(u, err);
	}
	d->stored_bytes += total;
	return RN_OK;
}

static void
finish(struct upload *u)
{
	struct rn_http_exchange *ex = u->ex;

	if (!u->followup && u->derive_err != RN_OK) {
		answer_problem(u, 500, "The submission could not be stored",
		    "Something went wrong on the server. Nothing was kept; try again later.");
		return;
	}
	if (u->t == NULL) {
		answer_problem(
		    u, 400, "Nothing to send", "Write a message or choose at least one file.");
		return;
	}
	if (commit(u) != RN_OK) {
		answer_problem(u, u->status, u->title, u->text);
		return;
	}
	rn_http_exchange_set_data(ex, NULL);
	if (u->followup)
		rn_dropbox_respond_followup_done(ex);
	else
		rn_dropbox_respond_receipt(ex, rn_codename_text(u->codename));
	upload_free(u);
}

static void
on_body_end(struct rn_http_exchange *ex, void *arg)
{
	struct upload *u = rn_http_exchange_data(ex);

	(void)arg;
	if (u == NULL)
		return;
	if (rn_multipart_finish(u->mp) != RN_OK || u->status != 0) {
		if (u->status == 0)
			refuse(u, rn_multipart_status(u->mp), "The form was not sent as expected",
			    "The upload was cut short or malformed. Nothing was kept; try again.");
		answer_problem(u, u->status, u->title, u->text);
		return;
	}
	if (!u->token_ok) {
		answer_problem(u, 403, "This form has expired",
		    "Reload the form and send your message again.");
		return;
	}
	u->body_done = true;
	if (u->followup || u->derived)
		finish(u);
}

static void
on_abort(struct rn_http_exchange *ex, void *arg)
{
	(void)arg;
	upload_free(rn_http_exchange_data(ex));
	rn_http_exchange_set_data(ex, NULL);
}

enum rn_err
rn_dropbox_upload_routes(struct rn_dropbox *d, struct rn_http_server *srv)
{
	struct rn_http_route r = {
		.path = "/drop/submit",
		.methods = RN_HTTP_M(POST),
		.max_body = RN_TAR_MAX_FILE,
		.on_request = on_submit,
		.on_body = on_body,
		.on_body_end = on_body_end,
		.on_abort = on_abort,
		.arg = d,
		.zones = RN_HTTP_ZONE_PUBLIC,
	};
	enum rn_err err;

	if ((err = rn_http_server_add_route(srv, &r)) != RN_OK)
		return err;
	r.path = "/drop/followup";
	r.on_request = on_followup;
	return rn_http_server_add_route(srv, &r);
}
