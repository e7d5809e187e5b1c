/*
 * roneo: the editors' command-line tool (docs/man/roneo.1).  One subcommand
 * per cmd_<verb>.c; this file only dispatches.
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "cli/cli.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *what;
} commands[] = {
	{ "keygen", rn_cli_keygen, "create an editor identity" },
	{ "inbox", rn_cli_inbox, "list, fetch, open, reply to and delete submissions" },
	{ "status", rn_cli_status, "how the running roneod's tor is doing" },
	{ "init", rn_cli_init, "create a collection (ROOT 1)" },
	{ "new", rn_cli_new, "start a document from a section's template" },
	{ "publish", rn_cli_publish, "sign and upload a document" },
	{ "pending", rn_cli_pending, "list the commits waiting for signatures" },
	{ "sign", rn_cli_sign, "add your signature to a pending commit or ROOT" },
	{ "retract", rn_cli_retract, "retract a document (it stays, labelled)" },
	{ "purge", rn_cli_purge, "remove a document everywhere" },
	{ "rotate", rn_cli_rotate, "the next ROOT: editors and thresholds" },
	{ "log", rn_cli_log, "the collection's history, with signers" },
	{ "pull", rn_cli_pull, "bring the local replica up to date, verified" },
};

static int
usage(FILE *f, int rc)
{
	size_t i;

	fputs("usage: roneo COMMAND [options]\n\ncommands:\n", f);
	for (i = 0; i < RN_ARRAY_LEN(commands); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].what);
	fputs("\nroneo COMMAND --help for each; roneo(1) for all.\n", f);
	return rc;
}

int
main(int argc, char **argv)
{
	size_t i;
	int    rc;

	if (argc < 2)
		return usage(stderr, RN_CLI_EXIT_USAGE);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0)
		return usage(stdout, RN_CLI_EXIT_OK);
	for (i = 0; i < RN_ARRAY_LEN(commands); i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			fputs("roneo: cannot initialise libcurl\n", stderr);
			return RN_CLI_EXIT_FAIL;
		}
		rc = commands[i].fn(argc - 1, argv + 1);
		curl_global_cleanup();
		return rc;
	}
	fprintf(stderr, "roneo: unknown command: %s\n", argv[1]);
	return usage(stderr, RN_CLI_EXIT_USAGE);
}
