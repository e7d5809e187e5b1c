/*
 * Opening a sealed submission: age reader -> tar reader -> files.  Members
 * are created inside a fresh temporary directory (mkdtemp, beside the
 * destination) with openat()/mkdirat() relative to it, O_EXCL and O_NOFOLLOW,
 * mode 0600 (directories 0700), so nothing in the archive can reach outside
 * it; the directory is renamed to its name only after the age reader said
 * the whole file authenticated and the tar reader saw its end.  On any
 * failure it is removed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"

struct cli_extract {
	char			      dest[RN_CLI_PATH_MAX];
	char			      tmp[RN_CLI_PATH_MAX];
	int			      dirfd; /* the temporary directory */
	int			      fd;    /* the file being written */
	struct rn_untar		     *untar;
	struct rn_age_reader	     *age;
	const struct rn_age_identity *ids[1]; /* the reader borrows the array */
};

/* Open (creating if needed) the directory of path's parent; *last gets the last component. */
static int
parent_dir(struct cli_extract *x, char *path, const char **last, bool create_last)
{
	char *p = path, *slash;
	int   fd = dup(x->dirfd), nfd;

	while (fd != -1 && (slash = strchr(p, '/')) != NULL) {
		*slash = '\0';
		if (mkdirat(fd, p, 0700) == -1 && errno != EEXIST)
			goto fail;
		nfd = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		*slash = '/';
		close(fd);
		fd = nfd;
		p = slash + 1;
	}
	*last = p;
	if (fd != -1 && create_last && mkdirat(fd, p, 0700) == -1 && errno != EEXIST)
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

static enum rn_err
on_begin(const char *path, bool dir, uint64_t size, void *arg)
{
	struct cli_extract *x = arg;
	char		    p[RN_UNTAR_MAX_PATH + 1];
	const char	   *last;
	int		    pfd;

	(void)size;
	snprintf(p, sizeof(p), "%s", path);
	if ((pfd = parent_dir(x, p, &last, dir)) == -1)
		return RN_ERR_IO;
	if (!dir) {
		x->fd =
		    openat(pfd, last, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (x->fd == -1) {
			close(pfd);
			return errno == EEXIST ? RN_ERR_EXISTS : RN_ERR_IO;
		}
	}
	close(pfd);
	return RN_OK;
}

static enum rn_err
on_data(const void *p, size_t n, void *arg)
{
	struct cli_extract *x = arg;
	const char	   *s = p;

	while (n > 0) {
		ssize_t w = write(x->fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return RN_ERR_IO;
		s += w;
		n -= (size_t)w;
	}
	return RN_OK;
}

static enum rn_err
on_end(void *arg)
{
	struct cli_extract *x = arg;
	int		    rc = 0;

	if (x->fd != -1) {
		rc = close(x->fd);
		x->fd = -1;
	}
	return rc == 0 ? RN_OK : RN_ERR_IO;
}

static const struct rn_untar_ops ops = { on_begin, on_data, on_end };

int
cli_extract_new(const char *dest, const struct rn_age_identity *id, struct cli_extract **out)
{
	struct cli_extract *x;
	struct stat	    st;
	char		    d[RN_CLI_PATH_MAX];
	int		    w;

	*out = NULL;
	if (lstat(dest, &st) == 0)
		return cli_fail("%s already exists", dest);
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return cli_fail("out of memory");
	x->dirfd = x->fd = -1;
	snprintf(x->dest, sizeof(x->dest), "%s", dest);
	snprintf(d, sizeof(d), "%s", dest);
	w = snprintf(x->tmp, sizeof(x->tmp), "%s/.roneo-open-XXXXXX", dirname(d));
	if (w <= 0 || (size_t)w >= sizeof(x->tmp) || mkdtemp(x->tmp) == NULL) {
		x->tmp[0] = '\0';
		cli_extract_free(x);
		return cli_fail("cannot create a directory beside %s: %s", dest, strerror(errno));
	}
	x->dirfd = open(x->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	x->untar = rn_untar_new(&ops, x);
	x->ids[0] = id;
	if (x->dirfd == -1 || x->untar == NULL ||
	    rn_age_reader_new(x->ids, 1, rn_untar_sink, x->untar, &x->age) != RN_OK) {
		cli_extract_free(x);
		return cli_fail("cannot start opening into %s", dest);
	}
	*out = x;
	return RN_CLI_EXIT_OK;
}

enum rn_err
cli_extract_sink(const void *p, size_t n, void *arg)
{
	struct cli_extract *x = arg;

	return rn_age_reader_update(x->age, p, n);
}

uint64_t
cli_extract_members(const struct cli_extract *x)
{
	return rn_untar_members(x->untar);
}

int
cli_extract_finish(struct cli_extract *x)
{
	enum rn_err err;

	err = rn_age_reader_finish(x->age);
	if (err != RN_OK) {
		if (rn_age_reader_status(x->age) == RN_AGE_FAILED && rn_untar_why(x->untar)[0])
			return cli_fail("refused: %s (nothing kept)", rn_untar_why(x->untar));
		return cli_fail("cannot open: %s (nothing kept)",
		    rn_age_status_str(rn_age_reader_status(x->age)));
	}
	if (rn_untar_finish(x->untar) != RN_OK)
		return cli_fail("refused: %s (nothing kept)", rn_untar_why(x->untar));
	if (renameat2(AT_FDCWD, x->tmp, AT_FDCWD, x->dest, RENAME_NOREPLACE) == -1)
		return cli_fail("cannot rename into %s: %s", x->dest, strerror(errno));
	x->tmp[0] = '\0';
	return RN_CLI_EXIT_OK;
}

/* Remove everything under the directory fd (ours: made by mkdtemp), bounded depth. */
static void
remove_tree(int fd, unsigned depth)
{
	DIR	      *d;
	struct dirent *e;
	int	       sub;

	if (depth > RN_UNTAR_MAX_DEPTH + 1 || (d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) == 0)
			continue;
		sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub != -1) {
			remove_tree(sub, depth + 1);
			unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
		}
	}
	closedir(d);
}

void
cli_extract_free(struct cli_extract *x)
{
	if (x == NULL)
		return;
	if (x->fd != -1)
		close(x->fd);
	rn_age_reader_free(x->age);
	rn_untar_free(x->untar);
	if (x->tmp[0] != '\0' && x->dirfd != -1) {
		remove_tree(x->dirfd, 0);
		x->dirfd = -1;
		rmdir(x->tmp);
	}
	if (x->dirfd != -1)
		close(x->dirfd);
	free(x);
}
