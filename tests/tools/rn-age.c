/*
 * rn-age: a small front end to roneo's age writer and reader, for the interop
 * tests and the sealing benchmark (a check program, never installed).
 *
 *   rn-age keygen                       identity file on stdout, as age-keygen
 *   rn-age seal age1... [age1...] <in >out
 *   rn-age open KEYFILE <in >out
 *
 * Exit status 0 on success, 1 on any failure (with a message on stderr).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "roneo/rn_age.h"
#include "roneo/rn_limits.h"
#include "roneo/rn_util.h"

#define IO_CHUNK (256u * 1024u)

static enum rn_err
write_all(const void *p, size_t n, void *arg)
{
	const char *s = p;

	(void)arg;
	while (n > 0) {
		ssize_t w = write(STDOUT_FILENO, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return RN_ERR_IO;
		s += w;
		n -= (size_t)w;
	}
	return RN_OK;
}

/* Feed all of stdin to fn(arg, p, n). */
static enum rn_err
pump(enum rn_err (*fn)(void *, const void *, size_t), void *arg)
{
	static char buf[IO_CHUNK];
	enum rn_err err;

	for (;;) {
		ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return RN_ERR_IO;
		if (n == 0)
			return RN_OK;
		if ((err = fn(arg, buf, (size_t)n)) != RN_OK)
			return err;
	}
}

static enum rn_err
seal_update(void *w, const void *p, size_t n)
{
	return rn_age_writer_update(w, p, n);
}

static enum rn_err
open_update(void *r, const void *p, size_t n)
{
	return rn_age_reader_update(r, p, n);
}

static int
cmd_keygen(void)
{
	struct rn_age_identity *id = NULL;
	struct rn_age_recipient rcpt;
	char			sk[RN_AGE_IDENTITY_BUFSZ], pk[RN_AGE_RECIPIENT_BUFSZ], when[32];
	time_t			now = time(NULL);
	struct tm		tm;
	int			rc = 1;

	if (rn_age_identity_generate(&id) != RN_OK ||
	    rn_age_identity_format(id, sk, sizeof(sk)) != RN_OK)
		goto out;
	rn_age_identity_recipient(id, &rcpt);
	if (rn_age_recipient_format(&rcpt, pk, sizeof(pk)) != RN_OK ||
	    gmtime_r(&now, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		goto out;
	if (printf("# created: %s\n# public key: %s\n%s\n", when, pk, sk) < 0 || fflush(stdout))
		goto out;
	rc = 0;
out:
	memset(sk, 0, sizeof(sk));
	rn_age_identity_free(id);
	if (rc != 0)
		fprintf(stderr, "rn-age: keygen failed\n");
	return rc;
}

static int
cmd_seal(int argc, char **argv)
{
	struct rn_age_recipient *rcpts;
	struct rn_age_writer	*w = NULL;
	enum rn_err		 err = RN_OK;
	int			 i;

	if ((rcpts = calloc((size_t)argc, sizeof(*rcpts))) == NULL)
		return 1;
	for (i = 0; i < argc; i++)
		if (rn_age_recipient_parse(argv[i], strlen(argv[i]), &rcpts[i]) != RN_OK) {
			fprintf(stderr, "rn-age: not an age X25519 recipient: %s\n", argv[i]);
			free(rcpts);
			return 1;
		}
	if ((err = rn_age_writer_new(rcpts, (size_t)argc, write_all, NULL, &w)) == RN_OK &&
	    (err = pump(seal_update, w)) == RN_OK)
		err = rn_age_writer_finish(w);
	rn_age_writer_free(w);
	free(rcpts);
	if (err != RN_OK) {
		fprintf(stderr, "rn-age: seal: %s\n", rn_err_str(err));
		return 1;
	}
	return 0;
}

static int
cmd_open(const char *keyfile)
{
	struct rn_buf		      kb;
	struct rn_age_identity	     *id = NULL;
	const struct rn_age_identity *ids[1];
	struct rn_age_reader	     *r = NULL;
	enum rn_err		      err;
	int			      rc = 1;

	rn_buf_init(&kb, RN_AGE_MAX_IDENTITY_FILE);
	if ((err = rn_file_read_all(keyfile, RN_AGE_MAX_IDENTITY_FILE, &kb)) != RN_OK ||
	    (err = rn_age_identity_parse_file(kb.data, kb.len, &id)) != RN_OK) {
		fprintf(stderr, "rn-age: %s: no usable identity (%s)\n", keyfile, rn_err_str(err));
		goto out;
	}
	ids[0] = id;
	if ((err = rn_age_reader_new(ids, 1, write_all, NULL, &r)) == RN_OK &&
	    (err = pump(open_update, r)) == RN_OK)
		err = rn_age_reader_finish(r);
	if (err != RN_OK) {
		fprintf(stderr, "rn-age: open: %s\n",
		    r != NULL && rn_age_reader_status(r) != RN_AGE_OK ?
			rn_age_status_str(rn_age_reader_status(r)) :
			rn_err_str(err));
		goto out;
	}
	rc = 0;
out:
	if (kb.data != NULL)
		memset(kb.data, 0, kb.len);
	rn_buf_free(&kb);
	rn_age_reader_free(r);
	rn_age_identity_free(id);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "keygen") == 0)
		return cmd_keygen();
	if (argc >= 3 && strcmp(argv[1], "seal") == 0)
		return cmd_seal(argc - 2, argv + 2);
	if (argc == 3 && strcmp(argv[1], "open") == 0)
		return cmd_open(argv[2]);
	fprintf(stderr, "usage: rn-age keygen\n"
			"       rn-age seal RECIPIENT... <in >out\n"
			"       rn-age open KEYFILE <in >out\n");
	return 1;
}
