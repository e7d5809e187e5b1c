/*
 * The drop-box's state in the http child: directories, database, editors,
 * limits, startup reconciliation and retention.
 *
 * Layout under DataDirectory (all 0700, owned by User):
 *   spool/     uploads being sealed: random names, deleted at every start
 *   inbox/     ID.age: sealed submissions, each with a database record
 *   replies/   ID.age: sealed replies, each with a database record
 *   inbox.db   the records (SQLite, WAL, synchronous=FULL)
 *
 * A file reaches inbox/ or replies/ only sealed and fsynced, by rename, and
 * its record is committed after that: at start a file without a record is
 * the trace of a submission that was never acknowledged, and is deleted; a
 * record without a file is dropped too (it cannot be produced by a crash,
 * only by hand).  Deletion goes the other way: record first, then file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "inbox/dropbox.h"
#include "roneo/rn_log.h"

#define RETENTION_PERIOD 3600 /* seconds between retention sweeps */
#define AGE_SUFFIX	 ".age"

static void
settings_from(struct rn_dropbox_settings *s, const struct rn_conf *c)
{
	s->max_file = c->inbox_max_file;
	s->max_submission = c->inbox_max_submission;
	s->max_files = c->inbox_max_files;
	s->max_message = c->inbox_max_message;
	s->max_uploads = c->inbox_max_uploads;
	s->max_bytes = c->inbox_max_bytes;
	s->disk_reserve = c->inbox_disk_reserve;
	s->honeypot = c->inbox_honeypot;
	s->retention_days = c->inbox_retention_days;
	s->codename_attempts = c->codename_attempts;
}

/* The Editor lines: recipients to seal to, keys that sign editor requests. */
static enum rn_err
load_editors(struct rn_dropbox *d, const struct rn_conf *c)
{
	struct rn_editor_key   keys[RN_CONF_MAX_LIST] = { 0 };
	struct rn_editor_auth *auth = NULL;
	size_t		       i;
	enum rn_err	       err;

	for (i = 0; i < c->editors.n; i++) {
		if ((err = rn_editor_key_parse(
			 c->editors.v[i], strlen(c->editors.v[i]), &keys[i])) != RN_OK) {
			rn_log_err("Editor line %zu: not a minisign public key and an age "
				   "recipient",
			    i + 1);
			return err;
		}
	}
	if (c->editors.n > 0 && (err = rn_editor_auth_new(keys, c->editors.n, &auth)) != RN_OK)
		return err;
	rn_editor_auth_free(d->auth);
	d->auth = auth;
	d->nrcpts = c->editors.n;
	for (i = 0; i < c->editors.n; i++)
		d->rcpts[i] = keys[i].recipient;
	if (d->nrcpts == 0)
		rn_log_warn("no Editor configured: the drop-box refuses submissions");
	return RN_OK;
}

static int
open_subdir(int parent, const char *name)
{
	if (mkdirat(parent, name, 0700) == -1 && errno != EEXIST)
		return -1;
	return openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* "ID.age" with a valid ID: the ID into id; else false. */
static bool
sealed_name(const char *name, char id[RN_STORE_ID_LEN + 1])
{
	if (strlen(name) != RN_STORE_ID_LEN + strlen(AGE_SUFFIX) ||
	    strcmp(name + RN_STORE_ID_LEN, AGE_SUFFIX) != 0)
		return false;
	memcpy(id, name, RN_STORE_ID_LEN);
	id[RN_STORE_ID_LEN] = '\0';
	return rn_inbox_id_is_valid(id);
}

/* Remove every file of a directory (the spool) or those without a record. */
static enum rn_err
reconcile_dir(struct rn_dropbox *d, int dir_fd, int kind, size_t *removed)
{
	struct dirent *de;
	DIR	      *dir;
	char	       id[RN_STORE_ID_LEN + 1];
	bool	       found;
	int	       fd;

	if ((fd = dup(dir_fd)) == -1 || (dir = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return RN_ERR_IO;
	}
	rewinddir(dir);
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		found = false;
		if (kind != 0 && sealed_name(de->d_name, id) &&
		    (kind == 1 ? rn_inbox_db_has(d->db, id, &found) :
				 rn_inbox_db_reply_has(d->db, id, &found)) != RN_OK) {
			closedir(dir);
			return RN_ERR_IO;
		}
		if (found)
			continue;
		if (unlinkat(dir_fd, de->d_name, 0) == 0)
			(*removed)++;
	}
	closedir(dir);
	if (*removed > 0 && fsync(dir_fd) == -1)
		return RN_ERR_IO;
	return RN_OK;
}

struct missing {
	struct rn_dropbox *d;
	size_t		   n;
	char		   ids[64][RN_STORE_ID_LEN + 1];
};

static bool
find_missing(const struct rn_inbox_record *rec, void *arg)
{
	struct missing *m = arg;
	char		name[RN_STORE_ID_LEN + sizeof(AGE_SUFFIX)];
	struct stat	st;

	snprintf(name, sizeof(name), "%s%s", rec->id, AGE_SUFFIX);
	if (fstatat(m->d->inbox_fd, name, &st, AT_SYMLINK_NOFOLLOW) == -1 && errno == ENOENT &&
	    m->n < RN_ARRAY_LEN(m->ids))
		memcpy(m->ids[m->n++], rec->id, RN_STORE_ID_LEN + 1);
	return true;
}

static enum rn_err
reconcile(struct rn_dropbox *d)
{
	struct missing *m;
	size_t		spool = 0, inbox = 0, replies = 0, i;
	enum rn_err	err;

	if ((err = reconcile_dir(d, d->spool_fd, 0, &spool)) != RN_OK ||
	    (err = reconcile_dir(d, d->inbox_fd, 1, &inbox)) != RN_OK ||
	    (err = reconcile_dir(d, d->replies_fd, 2, &replies)) != RN_OK)
		return err;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return RN_ERR_NOMEM;
	m->d = d;
	err = rn_inbox_db_list(d->db, find_missing, m);
	for (i = 0; err == RN_OK && i < m->n; i++)
		err = rn_inbox_db_delete(d->db, m->ids[i]);
	if (err == RN_OK && m->n > 0)
		rn_log_warn("inbox: %zu records without a sealed file dropped", m->n);
	free(m);
	if (spool + inbox + replies > 0)
		rn_log_notice("inbox: removed %zu unfinished uploads and %zu unrecorded files",
		    spool, inbox + replies);
	return err;
}

void
rn_dropbox_day(uint64_t back, char out[RN_STORE_DAY_LEN + 1])
{
	time_t	  t = time(NULL) - (time_t)(back * 86400u);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, RN_STORE_DAY_LEN + 1, "%Y-%m-%d", &tm);
}

enum rn_err
rn_dropbox_new_id(char out[RN_STORE_ID_LEN + 1])
{
	uint8_t	    r[RN_STORE_ID_LEN / 2];
	enum rn_err err;

	if ((err = rn_crypto_random(r, sizeof(r))) != RN_OK)
		return err;
	rn_hex_encode(r, sizeof(r), out);
	return RN_OK;
}

enum rn_err
rn_dropbox_reserve(struct rn_dropbox *d, uint64_t bytes)
{
	struct statvfs vfs;
	uint64_t       avail;

	if (d->stored_bytes + d->pending_bytes + bytes > d->set.max_bytes ||
	    d->stored_bytes + d->pending_bytes + bytes < bytes)
		return RN_ERR_TOOBIG;
	if (fstatvfs(d->spool_fd, &vfs) == -1)
		return RN_ERR_IO;
	avail = (uint64_t)vfs.f_bavail * (uint64_t)vfs.f_frsize;
	/* Uploads in progress have not written all they reserved yet. */
	if (avail < d->set.disk_reserve + d->pending_bytes + bytes)
		return RN_ERR_NOSPACE;
	d->pending_bytes += bytes;
	return RN_OK;
}

void
rn_dropbox_release(struct rn_dropbox *d, uint64_t bytes)
{
	d->pending_bytes -= bytes < d->pending_bytes ? bytes : d->pending_bytes;
}

enum rn_err
rn_dropbox_commit_file(
    struct rn_dropbox *d, int fd, const char *spool_name, int dir_fd, const char *id)
{
	char name[RN_STORE_ID_LEN + sizeof(AGE_SUFFIX)];

	snprintf(name, sizeof(name), "%s%s", id, AGE_SUFFIX);
	if (fsync(fd) == -1 || renameat(d->spool_fd, spool_name, dir_fd, name) == -1)
		return errno == ENOSPC || errno == EDQUOT ? RN_ERR_NOSPACE : RN_ERR_IO;
	if (fsync(dir_fd) == -1 || fsync(d->spool_fd) == -1) {
		/* Not known to be durable: take it back rather than acknowledge it. */
		(void)unlinkat(dir_fd, name, 0);
		return RN_ERR_IO;
	}
	return RN_OK;
}

void
rn_dropbox_remove_file(int dir_fd, const char *id)
{
	char name[RN_STORE_ID_LEN + sizeof(AGE_SUFFIX)];

	snprintf(name, sizeof(name), "%s%s", id, AGE_SUFFIX);
	if (unlinkat(dir_fd, name, 0) == 0)
		(void)fsync(dir_fd);
}

bool
rn_dropbox_attempt_ok(struct rn_dropbox *d)
{
	uint64_t minute = (uint64_t)time(NULL) / 60u;

	if (minute != d->attempts_minute) {
		d->attempts_minute = minute;
		d->attempts = 0;
	}
	if (d->attempts >= d->set.codename_attempts)
		return false;
	d->attempts++;
	return true;
}

struct expired {
	size_t n;
	char   ids[256][RN_STORE_ID_LEN + 1];
};

static bool
collect(const char *id, void *arg)
{
	struct expired *e = arg;

	memcpy(e->ids[e->n++], id, RN_STORE_ID_LEN + 1);
	return e->n < RN_ARRAY_LEN(e->ids);
}

/* Delete what arrived more than InboxRetentionDays days ago: record, then file. */
static void
retention_sweep(struct rn_dropbox *d)
{
	struct expired *e;
	char		cutoff[RN_STORE_DAY_LEN + 1];
	size_t		i, total = 0;
	int		pass;

	if (d->set.retention_days == 0 || (e = malloc(sizeof(*e))) == NULL)
		return;
	rn_dropbox_day(d->set.retention_days, cutoff);
	for (pass = 0; pass < 2; pass++) {
		do {
			e->n = 0;
			if (rn_inbox_db_expired(d->db, cutoff, pass == 1, collect, e) != RN_OK)
				break;
			for (i = 0; i < e->n; i++) {
				if ((pass == 0 ?
					    rn_inbox_db_delete(d->db, e->ids[i]) :
					    rn_inbox_db_reply_delete(d->db, e->ids[i])) != RN_OK)
					continue;
				rn_dropbox_remove_file(
				    pass == 0 ? d->inbox_fd : d->replies_fd, e->ids[i]);
				total++;
			}
		} while (e->n == RN_ARRAY_LEN(e->ids));
	}
	free(e);
	if (total > 0) {
		(void)rn_inbox_db_bytes(d->db, &d->stored_bytes);
		rn_log_notice("inbox: retention removed %zu sealed files", total);
	}
}

static void
on_retention(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	retention_sweep(arg);
}

static enum rn_err
open_store(struct rn_dropbox *d, const struct rn_conf *conf)
{
	char path[4096];

	if ((d->data_fd = open(conf->data_directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    (d->spool_fd = open_subdir(d->data_fd, "spool")) == -1 ||
	    (d->inbox_fd = open_subdir(d->data_fd, "inbox")) == -1 ||
	    (d->replies_fd = open_subdir(d->data_fd, "replies")) == -1) {
		rn_log_errno(RN_LOG_ERR, "inbox directories under %s", conf->data_directory);
		return RN_ERR_IO;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/inbox.db", conf->data_directory) >=
	    sizeof(path))
		return RN_ERR_TOOBIG;
	return rn_inbox_db_open(path, &d->db);
}

enum rn_err
rn_dropbox_new(struct event_base *base, const struct rn_conf *conf, struct rn_http_server *srv,
    struct rn_dropbox **out)
{
	struct timeval	   tv = { RETENTION_PERIOD, 0 };
	struct rn_dropbox *d;
	enum rn_err	   err;

	*out = NULL;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return RN_ERR_NOMEM;
	d->base = base;
	d->data_fd = d->spool_fd = d->inbox_fd = d->replies_fd = -1;
	settings_from(&d->set, conf);
	if ((err = rn_form_key_init(&d->form_key)) != RN_OK ||
	    (err = load_editors(d, conf)) != RN_OK || (err = open_store(d, conf)) != RN_OK ||
	    (err = reconcile(d)) != RN_OK ||
	    (err = rn_inbox_db_bytes(d->db, &d->stored_bytes)) != RN_OK ||
	    (err = rn_derive_new(base, &d->derive)) != RN_OK)
		goto fail;
	if ((d->retention_timer = event_new(base, -1, EV_PERSIST, on_retention, d)) == NULL ||
	    event_add(d->retention_timer, &tv) == -1) {
		err = RN_ERR_NOMEM;
		goto fail;
	}
	retention_sweep(d);
	if ((err = rn_dropbox_source_routes(d, srv)) != RN_OK ||
	    (err = rn_dropbox_upload_routes(d, srv)) != RN_OK ||
	    (err = rn_dropbox_editor_routes(d, srv)) != RN_OK)
		goto fail;
	*out = d;
	return RN_OK;
fail:
	rn_log_err("drop-box: %s", rn_err_str(err));
	rn_dropbox_free(d);
	return err;
}

enum rn_err
rn_dropbox_configure(struct rn_dropbox *d, const struct rn_conf *conf)
{
	enum rn_err err;

	if ((err = load_editors(d, conf)) != RN_OK)
		return err;
	settings_from(&d->set, conf);
	retention_sweep(d);
	return RN_OK;
}

void
rn_dropbox_free(struct rn_dropbox *d)
{
	if (d == NULL)
		return;
	rn_derive_free(d->derive);
	if (d->retention_timer != NULL)
		event_free(d->retention_timer);
	rn_inbox_db_close(d->db);
	rn_editor_auth_free(d->auth);
	rn_form_key_wipe(&d->form_key);
	if (d->replies_fd != -1)
		close(d->replies_fd);
	if (d->inbox_fd != -1)
		close(d->inbox_fd);
	if (d->spool_fd != -1)
		close(d->spool_fd);
	if (d->data_fd != -1)
		close(d->data_fd);
	free(d);
}
