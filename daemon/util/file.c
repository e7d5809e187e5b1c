/* File I/O with hard size caps, and durable (crash-safe) replacement of files. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "roneo/rn_log.h"
#include "roneo/rn_util.h"

enum rn_err
rn_file_read_all(const char *path, size_t max, struct rn_buf *b)
{
	char	    chunk[8192];
	struct stat st;
	enum rn_err err = RN_OK;
	ssize_t	    n;
	int	    fd;

	rn_buf_init(b, max);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return errno == ENOENT ? RN_ERR_NOTFOUND :
					 (errno == EACCES ? RN_ERR_PERM : RN_ERR_IO);
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		err = RN_ERR_INVAL;
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		err = RN_ERR_TOOBIG;
		goto out;
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			err = RN_ERR_IO;
			goto out;
		}
		if (n == 0)
			break;
		if ((err = rn_buf_append(b, chunk, (size_t)n)) != RN_OK)
			goto out;
	}
	if (b->data == NULL)
		err = rn_buf_append(b, "", 0);
out:
	close(fd);
	if (err != RN_OK)
		rn_buf_free(b);
	return err;
}

static enum rn_err
write_full(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t	    n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return RN_ERR_IO;
		p += n;
		len -= (size_t)n;
	}
	return RN_OK;
}

enum rn_err
rn_file_fsync_parent(const char *path)
{
	char	    dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int	    fd, rc;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if ((size_t)(slash - path) < sizeof(dir))
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	else
		return RN_ERR_TOOBIG;
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return RN_ERR_IO;
	rc = fsync(fd);
	close(fd);
	return rc == 0 ? RN_OK : RN_ERR_IO;
}

enum rn_err
rn_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	char	    tmp[PATH_MAX];
	enum rn_err err;
	int	    fd, n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return RN_ERR_TOOBIG;
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1)
		return RN_ERR_IO;
	if (fchmod(fd, mode) == -1 || (err = write_full(fd, data, len)) != RN_OK ||
	    fsync(fd) == -1) {
		err = RN_ERR_IO;
		close(fd);
		goto fail;
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		err = RN_ERR_IO;
		goto fail;
	}
	return rn_file_fsync_parent(path);
fail:
	unlink(tmp);
	return err;
}
