/*
 * roneo pull and roneo log, and what every collection command shares: the
 * options, the replica's default place, the connection.
 *
 *   roneo pull [--collection ID]
 *   roneo log [--json]
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd_coll.h"
#include "roneo/rn_site.h"

/* The replica: --replica DIR, else $XDG_DATA_HOME/roneo/replica or ~/.local/share/roneo/replica. */
static int
replica_dir(const char *dir, char *out, size_t outsz)
{
	const char *base;
	int	    n;

	if (dir != NULL)
		n = snprintf(out, outsz, "%s", dir);
	else if ((base = getenv("XDG_DATA_HOME")) != NULL && base[0] == '/')
		n = snprintf(out, outsz, "%s/roneo/replica", base);
	else if ((base = getenv("HOME")) != NULL && base[0] == '/')
		n = snprintf(out, outsz, "%s/.local/share/roneo/replica", base);
	else
		return cli_fail("no replica directory: set HOME or use --replica DIR");
	if (n <= 0 || (size_t)n >= outsz - 64)
		return cli_fail("replica directory name too long");
	return RN_CLI_EXIT_OK;
}

static int
add_arg(const char **v, size_t *n, const char *arg, const char *what)
{
	if (*n >= COLL_MAX_ARGS)
		return cli_fail("at most %u %s options", COLL_MAX_ARGS, what);
	v[(*n)++] = arg;
	return RN_CLI_EXIT_OK;
}

static int
parse_days(const char *s, uint64_t *out)
{
	if (rn_parse_u64(s, strlen(s), 36500, out) != RN_OK || *out == 0)
		return cli_fail("--expires-days takes 1 to 36500");
	return RN_CLI_EXIT_OK;
}

static int
one_opt(int c, struct coll_opts *o)
{
	switch (c) {
	case 's': o->server = optarg; break;
	case 'S': o->socks = optarg; break;
	case 'i': o->identity = optarg; break;
	case 'r': o->replica = optarg; break;
	case 'j': o->json = true; break;
	case 'n': o->dry_run = true; break;
	case 'o': o->output = optarg; break;
	case 'I': o->id = optarg; break;
	case 'R': o->reason = optarg; break;
	case 'C': o->pin = optarg; break;
	case 'E': return add_arg(o->edit, &o->nedit, optarg, "--editor");
	case 'T': return add_arg(o->thr, &o->nthr, optarg, "--threshold");
	case 'a': return add_arg(o->att, &o->natt, optarg, "--attach");
	case 'D': return parse_days(optarg, &o->expires_days);
	default: return RN_CLI_EXIT_USAGE;
	}
	return RN_CLI_EXIT_OK;
}

int
coll_parse_opts(const char *cmd, const char *usage, int argc, char **argv, struct coll_opts *o)
{
	static const struct option longopts[] = { { "server", required_argument, NULL, 's' },
		{ "socks", required_argument, NULL, 'S' },
		{ "identity", required_argument, NULL, 'i' },
		{ "replica", required_argument, NULL, 'r' }, { "json", no_argument, NULL, 'j' },
		{ "dry-run", no_argument, NULL, 'n' }, { "output", required_argument, NULL, 'o' },
		{ "id", required_argument, NULL, 'I' }, { "reason", required_argument, NULL, 'R' },
		{ "collection", required_argument, NULL, 'C' },
		{ "editor", required_argument, NULL, 'E' },
		{ "threshold", required_argument, NULL, 'T' },
		{ "attach", required_argument, NULL, 'a' },
		{ "expires-days", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	int			   c, rc;

	memset(o, 0, sizeof(*o));
	o->server = getenv("RONEO_SERVER");
	o->socks = getenv("RONEO_SOCKS");
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		if (c == 'h') {
			printf("usage: roneo %s %s\n", cmd, usage);
			return -1;
		}
		if ((rc = one_opt(c, o)) != 0) {
			if (rc == RN_CLI_EXIT_USAGE)
				fprintf(stderr, "usage: roneo %s %s\n", cmd, usage);
			return rc;
		}
	}
	if (o->socks != NULL && o->socks[0] == '\0')
		o->socks = NULL;
	o->argc = argc - optind;
	o->argv = argv + optind;
	if ((rc = cli_identity_dir(o->identity, o->dir, sizeof(o->dir))) != 0)
		return rc;
	return replica_dir(o->replica, o->rdir, sizeof(o->rdir));
}

int
coll_connect(const struct coll_opts *o, struct cli_conn *c, struct rn_editor_secret **sk)
{
	int rc;

	if ((rc = cli_load_secret(o->dir, sk)) != 0)
		return rc;
	return cli_conn_init(c, o->server, o->socks, *sk);
}

/* ---- roneo pull ---- */

int
rn_cli_pull(int argc, char **argv)
{
	static const char   usage[] = "[--server URL] [--replica DIR] [--collection ID] [--json]";
	struct coll_opts    o;
	struct coll_replica r;
	struct rn_editor_secret *sk = NULL;
	struct cli_conn		 c;
	uint8_t			 pin[RN_COLL_ID_LEN];
	size_t			 pulled = 0;
	int			 rc;

	if ((rc = coll_parse_opts("pull", usage, argc, argv, &o)) != 0)
		return rc < 0 ? RN_CLI_EXIT_OK : rc;
	if (o.argc != 0)
		return cli_fail("usage: roneo pull %s", usage) + 1;
	if (o.pin != NULL && rn_coll_id_parse(o.pin, strlen(o.pin), pin) != RN_OK)
		return cli_fail("--collection takes a collection id (64 lower-case hex digits)");
	if ((rc = coll_replica_open(o.rdir, &r)) != 0)
		return rc;
	if ((rc = coll_connect(&o, &c, &sk)) == 0 &&
	    (rc = coll_pull(&c, &r, o.pin, &pulled)) == 0) {
		const struct rn_coll_state *st = rn_coll_verifier_state(r.v);
		char			    hex[RN_COLL_HEX_LEN + 1];

		rn_coll_id_format(st->commit, hex);
		if (o.json)
			printf("{\"pulled\":%zu,\"seq\":%llu,\"root_version\":%llu,"
			       "\"commit\":\"%s\"}\n",
			    pulled, (unsigned long long)st->seq,
			    (unsigned long long)st->root_version, hex);
		else
			printf(
			    "%zu new commit%s verified; the replica is at seq %llu (ROOT %llu)\n",
			    pulled, pulled == 1 ? "" : "s", (unsigned long long)st->seq,
			    (unsigned long long)st->root_version);
	}
	rn_editor_secret_free(sk);
	coll_replica_close(&r);
	return rc;
}

/* ---- roneo log ---- */

struct log_line {
	struct rn_coll_commit c;
	struct rn_coll_sigs   sigs;
	uint64_t	      first; /* index of its first record */
};

/* The ROOT in force at a commit, from the kept statements (NULL if unknown). */
static const struct rn_coll_root *
root_of(const struct coll_replica *r, uint64_t version, struct rn_coll_root *buf)
{
	struct rn_coll_sigs *sigs = malloc(sizeof(*sigs));
	struct rn_buf	     b;
	bool		     ok = false;

	rn_buf_init(&b, RN_COLL_MAX_STATEMENT);
	if (sigs != NULL && coll_replica_stmt(r, true, version, &b) == RN_OK)
		ok = rn_coll_root_parse((const uint8_t *)b.data, b.len, buf, sigs) == RN_OK;
	rn_buf_free(&b);
	free(sigs);
	return ok ? buf : NULL;
}

static enum rn_err
log_entry(
    struct coll_replica *r, const struct log_line *l, uint64_t nrec, bool json, struct rn_buf *out)
{
	struct rn_coll_root *root = malloc(sizeof(*root));
	char		     hex[RN_COLL_HEX_LEN + 1], name[80], when[RN_SITE_DATE_BUFSZ];
	size_t		     i;
	enum rn_err	     err;

	if (root == NULL)
		return RN_ERR_NOMEM;
	rn_coll_id_format(l->c.id, hex);
	rn_site_date_format((int64_t)l->c.time, when);
	if (json)
		err = rn_buf_printf(out,
		    "{\"seq\":%llu,\"time\":\"%s\",\"commit\":\"%s\",\"root_version\":%llu,"
		    "\"records\":%llu,\"signers\":[",
		    (unsigned long long)l->c.seq, when, hex, (unsigned long long)l->c.root_version,
		    (unsigned long long)nrec);
	else
		err = rn_buf_printf(out, "seq %llu  %s  commit %s\n  %llu record%s, signed by ",
		    (unsigned long long)l->c.seq, when, hex, (unsigned long long)nrec,
		    nrec == 1 ? "" : "s");
	for (i = 0; i < l->sigs.n && err == RN_OK; i++) {
		coll_signer_name(
		    root_of(r, l->c.root_version, root), l->sigs.s[i].pub, name, sizeof(name));
		err = rn_buf_printf(
		    out, json ? "%s\"%s\"" : "%s%s", i ? (json ? "," : ", ") : "", name);
	}
	if (err == RN_OK)
		err = rn_buf_puts(out, json ? "],\"changes\":" : "\n");
	free(root);
	return err;
}

/* The records of one commit from the replica's log, described. */
static int
log_changes(struct coll_replica *r, const uint8_t *before, uint64_t first, uint64_t n, bool json,
    struct rn_buf *out)
{
	const struct rn_coll_log *log = rn_coll_verifier_log(r->v);
	struct rn_coll_record	 *recs = calloc(n ? n : 1, sizeof(*recs));
	unsigned		  needed;
	uint64_t		  i;
	int			  rc = RN_CLI_EXIT_FAIL;

	if (recs == NULL)
		return cli_fail("out of memory");
	for (i = 0; i < n; i++) {
		const uint8_t *p;
		size_t	       len;

		if (rn_coll_log_record(log, first + i, &p, &len) != RN_OK ||
		    rn_coll_record_decode(p, len, &recs[i]) != RN_OK) {
			cli_fail("the replica's log is damaged");
			goto out;
		}
	}
	rc = coll_describe(r, recs, (size_t)n, NULL, before, json, out, &needed);
out:
	free(recs);
	return rc;
}

/* ROOT versions (*done, upto] with their signers, as log lines. */
static int
log_roots(struct coll_replica *r, uint64_t *done, uint64_t upto, bool json, struct rn_buf *out)
{
	struct rn_coll_root *root = malloc(sizeof(*root)), *prev = malloc(sizeof(*root));
	struct rn_coll_sigs *sigs = malloc(sizeof(*sigs));
	struct rn_buf	     b;
	char		     hex[RN_COLL_HEX_LEN + 1], name[80];
	size_t		     i;
	int		     rc = RN_CLI_EXIT_OK;

	rn_buf_init(&b, RN_COLL_MAX_STATEMENT);
	for (; root != NULL && prev != NULL && sigs != NULL && *done < upto && rc == 0; (*done)++) {
		if (coll_replica_stmt(r, true, *done + 1, &b) != RN_OK ||
		    rn_coll_root_parse((const uint8_t *)b.data, b.len, root, sigs) != RN_OK) {
			rc = cli_fail("the replica lacks ROOT %llu: move it away and roneo pull",
			    (unsigned long long)*done + 1);
			break;
		}
		rn_coll_id_format(root->id, hex);
		if (json && out->len > 0 && out->data[out->len - 1] == '}')
			rn_buf_puts(out, ",");
		rn_buf_printf(out,
		    json ? "{\"root\":%llu,\"id\":\"%s\",\"editors\":%zu,\"signers\":[" :
			   "ROOT %llu  %s  %zu editors, signed by ",
		    (unsigned long long)root->version, hex, root->neditors);
		for (i = 0; i < sigs->n; i++) {
			coll_signer_name(
			    rn_coll_root_is_editor(root, sigs->s[i].pub) || *done == 0 ? root :
											 prev,
			    sigs->s[i].pub, name, sizeof(name));
			rn_buf_printf(
			    out, json ? "%s\"%s\"" : "%s%s", i ? (json ? "," : ", ") : "", name);
		}
		rn_buf_puts(out, json ? "]}" : "\n\n");
		*prev = *root;
	}
	rn_buf_free(&b);
	free(root);
	free(prev);
	free(sigs);
	return root == NULL || prev == NULL || sigs == NULL ? cli_fail("out of memory") : rc;
}

static int
print_log(struct coll_replica *r, bool json)
{
	const struct rn_coll_state *st = rn_coll_verifier_state(r->v);
	struct log_line		   *l = malloc(sizeof(*l));
	struct rn_buf		    b, out;
	uint64_t		    seq, prev_size = 0, roots = 0;
	uint8_t			    before[RN_COLL_ID_LEN];
	int			    rc = RN_CLI_EXIT_OK;

	if (l == NULL || rn_coll_trie_empty(r->store, before) != RN_OK) {
		free(l);
		return cli_fail("cannot read the replica");
	}
	rn_buf_init(&b, RN_COLL_MAX_STATEMENT);
	rn_buf_init(&out, RN_KEEPER_MAX_EXPORT);
	rn_buf_puts(&out, json ? "{\"log\":[" : "");
	for (seq = 1; seq <= st->seq && rc == 0; seq++) {
		rn_buf_reset(&b);
		if (coll_replica_stmt(r, false, seq, &b) != RN_OK ||
		    rn_coll_commit_parse((const uint8_t *)b.data, b.len, &l->c, &l->sigs) !=
			RN_OK ||
		    l->c.log_size < prev_size ||
		    l->c.log_size > rn_coll_log_size(rn_coll_verifier_log(r->v))) {
			rc = cli_fail("the replica lacks commit %llu's statement: move it away and "
				      "roneo pull",
			    (unsigned long long)seq);
			break;
		}
		if ((rc = log_roots(r, &roots, l->c.root_version, json, &out)) != 0)
			break;
		if (json && out.data[out.len - 1] == '}')
			rn_buf_puts(&out, ",");
		if (log_entry(r, l, l->c.log_size - prev_size, json, &out) != RN_OK)
			rc = cli_fail("the log is too long to print");
		else
			rc = log_changes(
			    r, before, prev_size, l->c.log_size - prev_size, json, &out);
		rn_buf_puts(&out, json ? "}" : "\n");
		prev_size = l->c.log_size;
		memcpy(before, l->c.manifest, RN_COLL_ID_LEN);
	}
	if (rc == 0)
		rc = log_roots(r, &roots, st->root_version, json, &out);
	if (json)
		rn_buf_puts(&out, "]}\n");
	else if (st->seq == 0)
		rn_buf_puts(&out, "No commits yet.\n");
	if (rc == 0)
		fputs(out.data != NULL ? out.data : "", stdout);
	rn_buf_free(&b);
	rn_buf_free(&out);
	free(l);
	return rc;
}

int
rn_cli_log(int argc, char **argv)
{
	static const char   usage[] = "[--replica DIR] [--server URL] [--json]";
	struct coll_opts    o;
	struct coll_replica r;
	int		    rc;

	if ((rc = coll_parse_opts("log", usage, argc, argv, &o)) != 0)
		return rc < 0 ? RN_CLI_EXIT_OK : rc;
	if (o.argc != 0)
		return cli_fail("usage: roneo log %s", usage) + 1;
	if ((rc = coll_replica_open(o.rdir, &r)) != 0)
		return rc;
	if (o.server != NULL) {
		struct rn_editor_secret *sk = NULL;
		struct cli_conn		 c;
		size_t			 pulled;

		/* The log is the replica's: a failed pull leaves it to show. */
		if (coll_connect(&o, &c, &sk) != 0 || coll_pull(&c, &r, NULL, &pulled) != 0)
			fprintf(stderr, "roneo: showing the replica as it is, not pulled\n");
		rn_editor_secret_free(sk);
	}
	if (rc == 0 && !coll_replica_has_root(&r))
		rc = cli_fail(
		    "the replica in %s holds no collection: roneo pull --server URL", o.rdir);
	if (rc == 0)
		rc = print_log(&r, o.json);
	coll_replica_close(&r);
	return rc;
}
