/*
 * roneo new SECTION [--id ID] [-o FILE]: a Markdown document with the
 * section's front matter to fill in (docs/documents.md), on stdout or into
 * a new FILE.  The template is checked to parse as a draft, so what it
 * prints is always a valid start.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cmd_coll.h"
#include "roneo/rn_site.h"

static const char bulletin[] =
    "lang: en\n"
    "tags: [news]\n"
    "authors: [a-pseudonym]\n"
    "summary: \"One or two sentences for the index pages and the feeds.\"\n"
    "---\n"
    "Write the bulletin here, in Markdown.\n";

static const char tactic[] = "lang: en\n"
			     "tags: [organising]          # at least one tag\n"
			     "related: []                 # ids of related tactics\n"
			     "summary: \"What it is for, in one sentence.\"\n"
			     "---\n"
			     "## When to use it\n\n## How\n\n## What to watch out for\n";

static const char conflict[] =
    "lang: en\n"
    "summary: \"One sentence.\"\n"
    "context: \"What happened, without names.\"\n"
    "parties: [member, coordinator]  # roles only, never names\n"
    "process: \"How it was worked through.\"\n"
    "outcome: \"What was agreed.\"\n"
    "status: open                    # open | resolved | revisited\n"
    "follow_ups: [\"A check-in in three months\"]\n"
    "consent: false                  # true only once every party agreed to publication\n"
    "right_of_reply: \"How a party can send a reply, published unedited.\"\n"
    "---\n"
    "What we learned.\n";

static int template(enum rn_site_section sec, const char *id, struct rn_buf *out)
{
	const char *body = sec == RN_SITE_BULLETINS ? bulletin :
			   sec == RN_SITE_TACTICS   ? tactic :
						      conflict;
	char	    date[RN_SITE_DATE_BUFSZ];

	rn_site_date_format((int64_t)time(NULL), date);
	if (rn_buf_printf(out, "---\nid: %s\ntitle: \"A title\"\nsection: %s\ndate: %s\n", id,
		rn_site_section_name(sec), date) != RN_OK ||
	    rn_buf_puts(out, body) != RN_OK)
		return cli_fail("template too long");
	return RN_CLI_EXIT_OK;
}

int
rn_cli_new(int argc, char **argv)
{
	static const char    usage[] = "bulletins|tactics|conflicts [--id ID] [-o FILE]";
	struct coll_opts     o;
	struct rn_site_doc  *doc = NULL;
	struct rn_site_error e;
	enum rn_site_section sec;
	struct rn_buf	     b;
	char		     id[RN_SITE_MAX_ID + 1];
	int		     rc;

	if ((rc = coll_parse_opts("new", usage, argc, argv, &o)) != 0)
		return rc < 0 ? RN_CLI_EXIT_OK : rc;
	if (o.argc != 1)
		return cli_fail("usage: roneo new %s", usage) + 1;
	if (rn_site_section_parse(o.argv[0], strlen(o.argv[0]), &sec) != RN_OK)
		return cli_fail("the sections are bulletins, tactics and conflicts") + 1;
	if (o.id != NULL &&
	    (strlen(o.id) > RN_SITE_MAX_ID || rn_site_check_id(o.id, strlen(o.id), &e) != RN_OK ||
		!rn_coll_docid_valid(o.id, strlen(o.id))))
		return cli_fail("--id: 1 to 64 of [a-z0-9] with inner '-' (got %s)", o.id);
	snprintf(id, sizeof(id), "%s", o.id != NULL ? o.id : "new-document");
	rn_buf_init(&b, RN_SITE_MAX_DOC);
	if ((rc = template(sec, id, &b)) != 0)
		goto out;
	if (rn_site_doc_parse(b.data, b.len, RN_SITE_PARSE_DRAFT, &doc, &e) != RN_OK) {
		rc = cli_fail(
		    "internal error: the template does not parse (line %u: %s)", e.line, e.msg);
		goto out;
	}
	if (o.output == NULL)
		fputs(b.data, stdout);
	else if ((rc = cli_write_new(o.output, b.data, b.len, false)) == 0 && !o.json)
		fprintf(stderr, "roneo: wrote %s; edit it, then: roneo publish %s\n", o.output,
		    o.output);
out:
	rn_site_doc_free(doc);
	rn_buf_free(&b);
	return rc;
}
