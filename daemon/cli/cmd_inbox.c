/*
 * roneo inbox list | fetch ID [-o FILE] | open ID|FILE [-o DIR] |
 *             reply ID (-m TEXT | -f FILE) | delete ID
 * with --server URL, --socks HOST:PORT, --identity DIR, --json.
 * Everything a server sends is checked before it is shown or used: ids are
 * 32 lower-case hex, days YYYY-MM-DD, recipients valid age keys.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"

#define ID_LEN 32u

struct inbox_opts {
	const char *server, *socks, *identity, *out, *message, *file;
	bool	    json;
	char	    dir[RN_CLI_PATH_MAX];
};

static bool
lower_hex(const char *s, size_t n)
{
	size_t i;

	if (s == NULL || strlen(s) != n)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool
day_ok(const char *s)
{
	static const char pat[] = "dddd-dd-dd";
	size_t		  i;

	if (s == NULL || strlen(s) != 10)
		return false;
	for (i = 0; i < 10; i++)
		if (pat[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != '-')
			return false;
	return true;
}

static int
connect_api(const struct inbox_opts *o, struct cli_conn *c, struct rn_editor_secret **sk)
{
	int rc;

	if ((rc = cli_load_secret(o->dir, sk)) != 0)
		return rc;
	if ((rc = cli_conn_init(c, o->server, o->socks, *sk)) != 0)
		return rc;
	c->progress = !o->json && isatty(STDERR_FILENO);
	return RN_CLI_EXIT_OK;
}

/* The "submissions" array, every entry checked. */
static int
checked_list(const struct cli_json *j, const struct cli_json **subs)
{
	size_t i;

	*subs = cli_json_get(j, "submissions");
	if (*subs == NULL || (*subs)->type != CLI_JSON_ARR)
		return cli_fail("the server's list has no submissions array");
	for (i = 0; i < (*subs)->nkids; i++) {
		const struct cli_json  *s = &(*subs)->kids[i], *size = cli_json_get(s, "size");
		const char	       *rt = cli_json_str_of(s, "reply_to");
		struct rn_age_recipient r;

		if (!lower_hex(cli_json_str_of(s, "id"), ID_LEN) ||
		    !day_ok(cli_json_str_of(s, "day")) || size == NULL ||
		    size->type != CLI_JSON_INT || size->num < 0 ||
		    !lower_hex(cli_json_str_of(s, "mailbox"), 64) ||
		    (rt != NULL && rn_age_recipient_parse(rt, strlen(rt), &r) != RN_OK))
			return cli_fail("the server's list has a malformed entry (%zu)", i);
	}
	return RN_CLI_EXIT_OK;
}

static void
print_list(const struct cli_json *subs, bool json)
{
	struct rn_buf b;
	size_t	      i;

	rn_buf_init(&b, RN_EDITOR_MAX_ANSWER);
	if (json)
		rn_buf_puts(&b, "{\"submissions\":[");
	else if (subs->nkids == 0)
		rn_buf_puts(&b, "The inbox is empty.\n");
	else
		rn_buf_printf(&b, "%-32s  %-10s  %12s  %s\n", "ID", "DAY", "SIZE", "MAILBOX");
	for (i = 0; i < subs->nkids; i++) {
		const struct cli_json *s = &subs->kids[i];
		const char	      *rt = cli_json_str_of(s, "reply_to");

		if (json)
			rn_buf_printf(&b,
			    "%s{\"id\":\"%s\",\"day\":\"%s\",\"size\":%lld,\"mailbox\":\"%s\","
			    "\"reply_to\":%s%s%s}",
			    i ? "," : "", cli_json_str_of(s, "id"), cli_json_str_of(s, "day"),
			    (long long)cli_json_get(s, "size")->num, cli_json_str_of(s, "mailbox"),
			    rt ? "\"" : "", rt ? rt : "null", rt ? "\"" : "");
		else
			rn_buf_printf(&b, "%s  %s  %12lld  %.16s\n", cli_json_str_of(s, "id"),
			    cli_json_str_of(s, "day"), (long long)cli_json_get(s, "size")->num,
			    cli_json_str_of(s, "mailbox"));
	}
	if (json)
		rn_buf_puts(&b, "]}\n");
	fputs(b.data != NULL ? b.data : "", stdout);
	rn_buf_free(&b);
}

static int
do_list(struct cli_conn *c, const struct inbox_opts *o)
{
	struct cli_json	      *j = NULL;
	const struct cli_json *subs;
	int		       rc;

	if ((rc = cli_request_json(c, "GET", "/editor/v1/inbox", NULL, 0, 200, &j)) == 0 &&
	    (rc = checked_list(j, &subs)) == 0)
		print_list(subs, o->json);
	cli_json_free(j);
	return rc;
}

static enum rn_err
to_fd(const void *p, size_t n, void *arg)
{
	const char *s = p;
	int	    fd = *(int *)arg;

	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return RN_ERR_IO;
		s += w;
		n -= (size_t)w;
	}
	return RN_OK;
}

/* GET the sealed file into body(); messages on failure. */
static int
get_sealed(struct cli_conn *c, const char *id, cli_body_fn body, void *arg)
{
	char	      target[64];
	struct rn_buf eb;
	long	      status;
	enum rn_err   err;
	char	      safe[256];

	snprintf(target, sizeof(target), "/editor/v1/inbox/%s", id);
	rn_buf_init(&eb, 4096);
	err = cli_request(c, "GET", target, NULL, 0, body, arg, &status, &eb);
	if (err == RN_OK && status != 200) {
		struct cli_json *j = NULL;
		const char	*why = NULL;

		if (eb.len > 0 && cli_json_parse(eb.data, eb.len, &j) == RN_OK)
			why = cli_json_str_of(j, "error");
		cli_fail("GET %s: the server answered %ld%s%s", target, status, why ? ": " : "",
		    why ? cli_safe(why, strlen(why), safe, sizeof(safe)) : "");
		cli_json_free(j);
		err = RN_ERR_PROTO;
	} else if (err != RN_OK && err != RN_ERR_IO) {
		cli_fail("GET %s: %s", target, rn_err_str(err));
	}
	rn_buf_free(&eb);
	return err == RN_OK ? RN_CLI_EXIT_OK : RN_CLI_EXIT_FAIL;
}

static int
do_fetch(struct cli_conn *c, const struct inbox_opts *o, const char *id)
{
	char	    out[RN_CLI_PATH_MAX], part[RN_CLI_PATH_MAX + 8];
	struct stat st;
	int	    fd, rc;

	snprintf(out, sizeof(out), "%s", o->out != NULL ? o->out : id);
	if (o->out == NULL)
		snprintf(out, sizeof(out), "%s.age", id);
	if (lstat(out, &st) == 0)
		return cli_fail("%s already exists", out);
	snprintf(part, sizeof(part), "%s.part", out);
	fd = open(part, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1)
		return cli_fail("cannot create %s: %s", part, strerror(errno));
	rc = get_sealed(c, id, to_fd, &fd);
	if (rc == 0 && (fsync(fd) == -1 || fstat(fd, &st) == -1))
		rc = cli_fail("cannot write %s: %s", part, strerror(errno));
	if (close(fd) == -1 && rc == 0)
		rc = cli_fail("cannot write %s: %s", part, strerror(errno));
	if (rc == 0 && renameat2(AT_FDCWD, part, AT_FDCWD, out, RENAME_NOREPLACE) == -1)
		rc = cli_fail("cannot rename %s: %s", part, strerror(errno));
	if (rc != 0) {
		unlink(part);
		return rc;
	}
	if (o->json) {
		struct rn_buf b;

		rn_buf_init(&b, 2 * RN_CLI_PATH_MAX);
		rn_buf_printf(&b, "{\"fetched\":\"%s\",\"file\":", id);
		cli_json_str(&b, out, strlen(out));
		rn_buf_printf(&b, ",\"bytes\":%lld}\n", (long long)st.st_size);
		fputs(b.data != NULL ? b.data : "", stdout);
		rn_buf_free(&b);
	} else {
		printf("%s: %lld bytes, sealed (open it with: roneo inbox open %s)\n", out,
		    (long long)st.st_size, out);
	}
	return RN_CLI_EXIT_OK;
}

/* Feed a local sealed file to the extractor. */
static int
open_file(const char *path, struct cli_extract *x)
{
	static char buf[256 * 1024];
	int	    fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t	    n;

	if (fd == -1)
		return cli_fail("cannot open %s: %s", path, strerror(errno));
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || cli_extract_sink(buf, (size_t)n, x) != RN_OK)
			break;
	}
	close(fd);
	return n == 0 ? RN_CLI_EXIT_OK : RN_CLI_EXIT_FAIL;
}

static int
do_open(const struct inbox_opts *o, const char *what)
{
	struct rn_age_identity	*id = NULL;
	struct rn_editor_secret *sk = NULL;
	struct cli_extract	*x = NULL;
	struct cli_conn		 c;
	struct stat		 st;
	char			 dest[RN_CLI_PATH_MAX], *dot;
	bool			 local = stat(what, &st) == 0;
	int			 rc;

	if (!local && !lower_hex(what, ID_LEN))
		return cli_fail("%s: neither a file nor a submission id", what);
	snprintf(dest, sizeof(dest), "%s", o->out != NULL ? o->out : what);
	if (o->out == NULL && local) {
		const char *base = strrchr(what, '/') ? strrchr(what, '/') + 1 : what;

		snprintf(dest, sizeof(dest), "%s", base);
		if ((dot = strrchr(dest, '.')) != NULL && strcmp(dot, ".age") == 0 && dot != dest)
			*dot = '\0';
		else
			snprintf(dest, sizeof(dest), "%s.d", base);
	}
	if ((rc = cli_load_identity(o->dir, &id)) != 0 || (rc = cli_extract_new(dest, id, &x)) != 0)
		goto out;
	if (local)
		rc = open_file(what, x);
	else if ((rc = connect_api(o, &c, &sk)) == 0)
		rc = get_sealed(&c, what, cli_extract_sink, x);
	/* A transfer that broke off before any member needs no second message. */
	if (rc != 0 && cli_extract_members(x) == 0) {
		cli_fail("cannot open %s (nothing kept)", what);
		goto out;
	}
	if ((rc = cli_extract_finish(x)) != 0)
		goto out;
	if (o->json) {
		struct rn_buf b;

		rn_buf_init(&b, 2 * RN_CLI_PATH_MAX);
		rn_buf_puts(&b, "{\"opened\":");
		cli_json_str(&b, what, strlen(what));
		rn_buf_puts(&b, ",\"dir\":");
		cli_json_str(&b, dest, strlen(dest));
		rn_buf_printf(
		    &b, ",\"members\":%llu}\n", (unsigned long long)cli_extract_members(x));
		fputs(b.data != NULL ? b.data : "", stdout);
		rn_buf_free(&b);
	} else {
		printf("%s: opened into %s/ (%llu files); read docs/editor-guide.md before "
		       "opening any of them\n",
		    what, dest, (unsigned long long)cli_extract_members(x));
	}
out:
	cli_extract_free(x);
	rn_age_identity_free(id);
	rn_editor_secret_free(sk);
	return rc;
}

static int
do_delete(struct cli_conn *c, const struct inbox_opts *o, const char *id)
{
	char		 target[80];
	struct cli_json *j = NULL;
	int		 rc;

	snprintf(target, sizeof(target), "/editor/v1/inbox/%s/delete", id);
	if ((rc = cli_request_json(c, "POST", target, NULL, 0, 200, &j)) != 0)
		return rc;
	if (!lower_hex(cli_json_str_of(j, "deleted"), ID_LEN) ||
	    strcmp(cli_json_str_of(j, "deleted"), id) != 0)
		rc = cli_fail("the server's answer does not name %s", id);
	else if (o->json)
		printf("{\"deleted\":\"%s\"}\n", id);
	else
		printf("%s: deleted\n", id);
	cli_json_free(j);
	return rc;
}

static int
do_reply(struct cli_conn *c, const struct inbox_opts *o, const char *id)
{
	struct rn_buf b;
	int	      rc;

	if ((o->message == NULL) == (o->file == NULL))
		return cli_fail("reply takes one of -m TEXT or -f FILE");
	rn_buf_init(&b, RN_EDITOR_MAX_REPLY);
	if (o->file != NULL && rn_file_read_all(o->file, RN_EDITOR_MAX_REPLY, &b) != RN_OK) {
		rn_buf_free(&b);
		return cli_fail("cannot read %s (at most %u bytes)", o->file, RN_EDITOR_MAX_REPLY);
	}
	if (o->message != NULL && rn_buf_puts(&b, o->message) != RN_OK) {
		rn_buf_free(&b);
		return cli_fail("the reply is too long");
	}
	rc = cli_reply(c, id, b.data != NULL ? b.data : "", b.len, o->json);
	rn_buf_free(&b);
	return rc;
}

static int
usage(int rc)
{
	fputs("usage: roneo inbox [--server URL] [--socks HOST:PORT] [--identity DIR] [--json]\n"
	      "         list | fetch ID [-o FILE] | open ID|FILE [-o DIR] |\n"
	      "         reply ID (-m TEXT | -f FILE) | delete ID\n",
	    rc == 0 ? stdout : stderr);
	return rc;
}

static int
parse_opts(int argc, char **argv, struct inbox_opts *o)
{
	static const struct option longopts[] = { { "server", required_argument, NULL, 's' },
		{ "socks", required_argument, NULL, 'S' },
		{ "identity", required_argument, NULL, 'i' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	int			   c;

	memset(o, 0, sizeof(*o));
	o->server = getenv("RONEO_SERVER");
	o->socks = getenv("RONEO_SOCKS");
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:m:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': o->server = optarg; break;
		case 'S': o->socks = optarg; break;
		case 'i': o->identity = optarg; break;
		case 'j': o->json = true; break;
		case 'o': o->out = optarg; break;
		case 'm': o->message = optarg; break;
		case 'f': o->file = optarg; break;
		case 'h': return usage(RN_CLI_EXIT_OK) - 1;
		default: return usage(RN_CLI_EXIT_USAGE);
		}
	}
	if (o->socks != NULL && o->socks[0] == '\0')
		o->socks = NULL;
	return cli_identity_dir(o->identity, o->dir, sizeof(o->dir));
}

int
rn_cli_inbox(int argc, char **argv)
{
	struct inbox_opts	 o;
	struct rn_editor_secret *sk = NULL;
	struct cli_conn		 c;
	const char		*verb, *id = NULL;
	int			 rc, nargs;

	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc < 0 ? RN_CLI_EXIT_OK : rc;
	if (optind >= argc)
		return usage(RN_CLI_EXIT_USAGE);
	verb = argv[optind];
	nargs = argc - optind - 1;
	if (strcmp(verb, "list") == 0 ? nargs != 0 : nargs != 1)
		return usage(RN_CLI_EXIT_USAGE);
	if (nargs == 1)
		id = argv[optind + 1];
	if (strcmp(verb, "open") == 0)
		return do_open(&o, id);
	if (strcmp(verb, "list") != 0 && strcmp(verb, "fetch") != 0 &&
	    strcmp(verb, "delete") != 0 && strcmp(verb, "reply") != 0)
		return usage(RN_CLI_EXIT_USAGE);
	if (id != NULL && !lower_hex(id, ID_LEN))
		return cli_fail("%s: a submission id is 32 lower-case hex digits", verb);
	if ((rc = connect_api(&o, &c, &sk)) != 0)
		goto out;
	if (strcmp(verb, "list") == 0)
		rc = do_list(&c, &o);
	else if (strcmp(verb, "fetch") == 0)
		rc = do_fetch(&c, &o, id);
	else if (strcmp(verb, "delete") == 0)
		rc = do_delete(&c, &o, id);
	else
		rc = do_reply(&c, &o, id);
out:
	rn_editor_secret_free(sk);
	return rc;
}
