/*
 * roneo status [-D DATADIR | -s SOCKET] [--json]: ask the running roneod,
 * over its admin socket (DataDirectory/admin.sock), how tor is doing: the
 * mode, bootstrap progress, SOCKS port, the onion addresses and when each
 * descriptor was last uploaded.  --json prints the daemon's answer as is.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "roneo/rn_limits.h"
#include "roneo/rn_tor.h"

#define DEFAULT_DATADIR "/var/lib/roneo"

static void
usage(FILE *f)
{
	fprintf(f, "usage: roneo status [-D DATADIR | -s SOCKET] [--json]\n"
		   "  -D, --datadir DIR   roneod's DataDirectory (default " DEFAULT_DATADIR ")\n"
		   "  -s, --socket PATH   the admin socket (default DATADIR/admin.sock)\n"
		   "  --json              print the answer as JSON\n");
}

static int64_t
num(const struct cli_json *j, const char *key)
{
	const struct cli_json *v = cli_json_get(j, key);

	return v != NULL && (v->type == CLI_JSON_INT || v->type == CLI_JSON_BOOL) ? v->num : -1;
}

static void
print_onion(const struct cli_json *o)
{
	const char *name = cli_json_str_of(o, "name"), *addr = cli_json_str_of(o, "address");
	char	    sname[64], saddr[128], when[64] = "never";
	int64_t	    t = num(o, "uploaded");
	struct tm   tm;

	if (t > 0) {
		time_t tt = (time_t)t;

		if (gmtime_r(&tt, &tm) != NULL)
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	}
	printf("%s onion: %s\n  descriptor uploaded: %s (%lld uploads)%s\n",
	    cli_safe(name ? name : "?", name ? strlen(name) : 1, sname, sizeof(sname)),
	    cli_safe(addr ? addr : "?", addr ? strlen(addr) : 1, saddr, sizeof(saddr)), when,
	    (long long)(num(o, "uploads") > 0 ? num(o, "uploads") : 0),
	    num(o, "pow") == 1 ? "\n  proof-of-work defense: on" : "");
}

static int
print_human(const struct rn_buf *b)
{
	struct cli_json	      *j = NULL;
	const struct cli_json *tor, *onions;
	const char	      *mode, *st, *socks;
	char		       s1[64], s2[64], s3[128];
	size_t		       i;

	if (cli_json_parse(b->data, b->len, &j) != RN_OK ||
	    (tor = cli_json_get(j, "tor")) == NULL) {
		cli_json_free(j);
		return cli_fail("roneod's answer is not what roneo status expects");
	}
	mode = cli_json_str_of(tor, "mode");
	st = cli_json_str_of(tor, "state");
	socks = cli_json_str_of(tor, "socks");
	printf("tor: %s mode, %s",
	    cli_safe(mode ? mode : "?", mode ? strlen(mode) : 1, s1, sizeof(s1)),
	    cli_safe(st ? st : "?", st ? strlen(st) : 1, s2, sizeof(s2)));
	if (num(tor, "bootstrap") >= 0)
		printf(", bootstrapped %lld%%", (long long)num(tor, "bootstrap"));
	printf("\n");
	if (socks != NULL)
		printf("socks: %s\n", cli_safe(socks, strlen(socks), s3, sizeof(s3)));
	onions = cli_json_get(tor, "onions");
	for (i = 0; onions != NULL && onions->type == CLI_JSON_ARR && i < onions->nkids; i++)
		print_onion(&onions->kids[i]);
	cli_json_free(j);
	return RN_CLI_EXIT_OK;
}

int
rn_cli_status(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "datadir", required_argument, NULL, 'D' },
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char   *datadir = DEFAULT_DATADIR, *sock = NULL;
	char	      path[RN_CLI_PATH_MAX];
	bool	      json = false;
	struct rn_buf b;
	enum rn_err   r;
	int	      ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "D:s:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'D': datadir = optarg; break;
		case 's': sock = optarg; break;
		case 'j': json = true; break;
		case 'h': usage(stdout); return RN_CLI_EXIT_OK;
		default: usage(stderr); return RN_CLI_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return RN_CLI_EXIT_USAGE;
	}
	if (sock == NULL) {
		if (cli_path(path, sizeof(path), datadir, "admin.sock") != RN_OK)
			return cli_fail("DataDirectory path too long");
		sock = path;
	}
	rn_buf_init(&b, RN_ADMIN_MAX_REPLY);
	if ((r = rn_admin_request(sock, "status", &b)) != RN_OK) {
		rn_buf_free(&b);
		return cli_fail("cannot ask roneod at %s: %s%s", sock, rn_err_str(r),
		    r == RN_ERR_NOTFOUND ? " (is roneod running? -D names its DataDirectory)" : "");
	}
	if (json) {
		fputs(b.data, stdout);
		rc = RN_CLI_EXIT_OK;
	} else {
		rc = print_human(&b);
	}
	rn_buf_free(&b);
	return rc;
}
