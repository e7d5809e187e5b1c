/* Shared helpers of the roneo CLI: messages, the identity directory, new files. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"

int
cli_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("roneo: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return RN_CLI_EXIT_FAIL;
}

const char *
cli_safe(const char *s, size_t n, char *out, size_t outsz)
{
	return rn_escape_untrusted(s, n, 200, out, outsz);
}

enum rn_err
cli_json_str(struct rn_buf *b, const char *s, size_t n)
{
	enum rn_err err = rn_buf_puts(b, "\"");
	size_t	    i;

	for (i = 0; i < n && err == RN_OK; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			err = rn_buf_printf(b, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			err = rn_buf_printf(b, "\\u%04x", c);
		else
			err = rn_buf_append(b, &s[i], 1);
	}
	return err == RN_OK ? rn_buf_puts(b, "\"") : err;
}

enum rn_err
cli_path(char *out, size_t outsz, const char *dir, const char *name)
{
	int n = snprintf(out, outsz, "%s/%s", dir, name);

	return n > 0 && (size_t)n < outsz ? RN_OK : RN_ERR_TOOBIG;
}

int
cli_identity_dir(const char *dir, char *out, size_t outsz)
{
	const char *base;
	int	    n;

	if (dir != NULL)
		n = snprintf(out, outsz, "%s", dir);
	else if ((base = getenv("XDG_CONFIG_HOME")) != NULL && base[0] == '/')
		n = snprintf(out, outsz, "%s/roneo", base);
	else if ((base = getenv("HOME")) != NULL && base[0] == '/')
		n = snprintf(out, outsz, "%s/.config/roneo", base);
	else
		return cli_fail("no identity directory: set HOME or use --identity DIR");
	if (n <= 0 || (size_t)n >= outsz)
		return cli_fail("identity directory name too long");
	return RN_CLI_EXIT_OK;
}

/* Read a secret file, warning when others may read it. */
static int
read_secret(const char *dir, const char *name, struct rn_buf *b, size_t max)
{
	char	    path[RN_CLI_PATH_MAX];
	struct stat st;

	if (cli_path(path, sizeof(path), dir, name) != RN_OK)
		return cli_fail("path too long: %s/%s", dir, name);
	if (rn_file_read_all(path, max, b) != RN_OK)
		return cli_fail("cannot read %s: %s (run roneo keygen, or give --identity DIR)",
		    path, errno != 0 ? strerror(errno) : "too large");
	if (stat(path, &st) == 0 && (st.st_mode & 077) != 0)
		fprintf(stderr, "roneo: warning: %s is readable by others (chmod 600 it)\n", path);
	return RN_CLI_EXIT_OK;
}

int
cli_load_secret(const char *dir, struct rn_editor_secret **out)
{
	struct rn_buf b;
	enum rn_err   err;
	int	      rc;

	*out = NULL;
	rn_buf_init(&b, RN_EDITOR_MAX_KEY_FILE);
	if ((rc = read_secret(dir, RN_CLI_SIGN_KEY, &b, RN_EDITOR_MAX_KEY_FILE)) != 0)
		goto out;
	err = rn_editor_secret_parse_file(b.data, b.len, out);
	if (err == RN_ERR_PERM)
		rc = cli_fail("%s/%s has a password: remove it with minisign -C -W -s FILE", dir,
		    RN_CLI_SIGN_KEY);
	else if (err != RN_OK)
		rc = cli_fail("%s/%s is not a minisign secret key", dir, RN_CLI_SIGN_KEY);
out:
	if (b.data != NULL)
		rn_crypto_wipe(b.data, b.cap);
	rn_buf_free(&b);
	return rc;
}

int
cli_load_identity(const char *dir, struct rn_age_identity **out)
{
	struct rn_buf b;
	int	      rc;

	*out = NULL;
	rn_buf_init(&b, RN_AGE_MAX_IDENTITY_FILE);
	if ((rc = read_secret(dir, RN_CLI_AGE_KEY, &b, RN_AGE_MAX_IDENTITY_FILE)) != 0)
		goto out;
	if (rn_age_identity_parse_file(b.data, b.len, out) != RN_OK)
		rc = cli_fail("%s/%s is not an age identity file", dir, RN_CLI_AGE_KEY);
out:
	if (b.data != NULL)
		rn_crypto_wipe(b.data, b.cap);
	rn_buf_free(&b);
	return rc;
}

int
cli_write_new(const char *path, const void *data, size_t len, bool secret)
{
	const char *p = data;
	int	    fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, secret ? 0600 : 0644);
	if (fd == -1)
		return cli_fail("cannot create %s: %s", path, strerror(errno));
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			unlink(path);
			return cli_fail("cannot write %s: %s", path, strerror(errno));
		}
		p += w;
		len -= (size_t)w;
	}
	if (fsync(fd) == -1 || close(fd) == -1) {
		unlink(path);
		return cli_fail("cannot write %s: %s", path, strerror(errno));
	}
	return RN_CLI_EXIT_OK;
}
