/*
 * The two pages daemon/site does not write: "verify this collection" (by
 * the keeper) and the search results (by the http child).  Same skeleton
 * and rules as the site's pages (DESIGN section 9): no script, no inline
 * style, one same-origin stylesheet; every value escaped where written.
 */
#include <string.h>

#include "keeper/keeper_int.h"
#include "roneo/rn_age.h"

enum rn_err
keeper_html_text(struct rn_buf *b, const char *s)
{
	return rn_buf_html_escape(b, s, strlen(s));
}

enum rn_err
rn_keeper_html_begin(struct rn_buf *b, const char *title)
{
	enum rn_err err;

	if ((err = rn_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
				  "<meta charset=\"utf-8\">\n"
				  "<meta name=\"viewport\" content=\"width=device-width, "
				  "initial-scale=1\">\n"
				  "<meta name=\"referrer\" content=\"no-referrer\">\n<title>")) !=
		RN_OK ||
	    (err = keeper_html_text(b, title)) != RN_OK)
		return err;
	return rn_buf_puts(b, " \xe2\x80\x94 roneo</title>\n"
			      "<link rel=\"stylesheet\" href=\"/site.css\">\n</head>\n<body>\n"
			      "<header>\n<p class=\"site\"><a href=\"/\">roneo</a></p>\n"
			      "<nav>\n<ul>\n"
			      "<li><a href=\"/bulletins/\">Bulletins</a></li>\n"
			      "<li><a href=\"/tactics/\">Tactics</a></li>\n"
			      "<li><a href=\"/conflicts/\">Conflict write-ups</a></li>\n"
			      "<li><a href=\"/search/\">Search</a></li>\n"
			      "<li><a href=\"/verify/\">Verify this collection</a></li>\n"
			      "</ul>\n</nav>\n</header>\n<main>\n");
}

enum rn_err
rn_keeper_html_end(struct rn_buf *b)
{
	return rn_buf_puts(b,
	    "</main>\n<footer>\n<p>Every page of this site is built from "
	    "documents signed by its editors.</p>\n</footer>\n</body>\n</html>\n");
}

static enum rn_err
dd_hex(struct rn_buf *b, const char *term, const uint8_t id[RN_COLL_ID_LEN])
{
	char hex[RN_COLL_HEX_LEN + 1];

	rn_coll_id_format(id, hex);
	return rn_buf_printf(b, "<dt>%s</dt><dd><code>%s</code></dd>\n", term, hex);
}

static enum rn_err
editors(struct rn_buf *b, const struct rn_coll_root *r)
{
	char	    hex[RN_COLL_HEX_LEN + 1], age[RN_AGE_RECIPIENT_BUFSZ];
	enum rn_err err = RN_OK;
	size_t	    i;
	int	    p;

	err = rn_buf_puts(b, "<h2>Editors</h2>\n<table>\n<tr><th>Name</th><th>Signing key "
			     "(Ed25519)</th><th>Encryption key (age)</th></tr>\n");
	for (i = 0; i < r->neditors && err == RN_OK; i++) {
		rn_hex_encode(r->editors[i].pub, RN_ED25519_PUB_LEN, hex);
		if (rn_age_recipient_format(&r->editors[i].age, age, sizeof(age)) != RN_OK)
			age[0] = '\0';
		if ((err = rn_buf_puts(b, "<tr><td>")) == RN_OK &&
		    (err = keeper_html_text(b, r->editors[i].label)) == RN_OK)
			err = rn_buf_printf(b,
			    "</td><td><code class=\"key\">%s</code></td>"
			    "<td><code class=\"key\">%s</code></td></tr>\n",
			    hex, age);
	}
	if (err == RN_OK)
		err = rn_buf_puts(b, "</table>\n<h2>Signatures needed</h2>\n<ul>\n");
	for (p = 0; p < RN_COLL_POL__COUNT && err == RN_OK; p++)
		err = rn_buf_printf(b, "<li>%s: %u of %zu</li>\n",
		    rn_coll_policy_name((enum rn_coll_policy)p), r->threshold[p], r->neditors);
	return err == RN_OK ? rn_buf_puts(b, "</ul>\n") : err;
}

static const char verify_howto[] =
    "<h2>How to check this copy yourself</h2>\n"
    "<p>Every document here is part of a signed collection: each change is a commit signed "
    "by the editors, chained to the one before it and recorded in a public, append-only "
    "log. Nobody who holds this server, and no mirror, can change a document without the "
    "editors' signatures.</p>\n<ol>\n"
    "<li>Write down the collection id above, once, from a source you trust (an editor, a "
    "leaflet). It is the hash of the collection's first keyring and never changes.</li>\n"
    "<li>With the <code>roneo</code> command-line tool, fetch the collection and verify it "
    "from its first keyring: every signature, the chain of commits, the change log and every "
    "document are checked again on your machine. The head it reaches must be the seq and "
    "commit shown here, or a later one.</li>\n"
    "<li>A copy that shows another collection id, or a commit the tool refuses, is not "
    "this collection.</li>\n</ol>\n";

enum rn_err
keeper_render_verify(struct rn_keeper *k, struct rn_buf *b)
{
	const struct rn_coll_state *st = rn_coll_verifier_state(k->v);
	const struct rn_coll_root  *r = rn_coll_verifier_root(k->v);
	enum rn_err		    err;

	if (r == NULL)
		return RN_ERR_NOTFOUND;
	if ((err = rn_keeper_html_begin(b, "Verify this collection")) != RN_OK ||
	    (err = rn_buf_puts(b, "<h1>Verify this collection</h1>\n<dl class=\"verify\">\n")) !=
		RN_OK ||
	    (err = dd_hex(b, "Collection id", st->collection)) != RN_OK ||
	    (err = rn_buf_printf(b, "<dt>Keyring (ROOT) version</dt><dd>%llu</dd>\n",
		 (unsigned long long)st->root_version)) != RN_OK ||
	    (err = dd_hex(b, "Keyring id", st->root)) != RN_OK ||
	    (err = rn_buf_printf(
		 b, "<dt>Head (seq)</dt><dd>%llu</dd>\n", (unsigned long long)st->seq)) != RN_OK ||
	    (err = dd_hex(b, "Head commit", st->commit)) != RN_OK ||
	    (err = dd_hex(b, "Manifest", st->manifest)) != RN_OK ||
	    (err = rn_buf_printf(b, "<dt>Change log</dt><dd>%llu records, root <code>",
		 (unsigned long long)st->log_size)) != RN_OK)
		return err;
	{
		char hex[RN_COLL_HEX_LEN + 1];

		rn_coll_id_format(st->log_root, hex);
		if ((err = rn_buf_printf(b, "%s</code></dd>\n</dl>\n", hex)) != RN_OK)
			return err;
	}
	if ((err = editors(b, r)) != RN_OK || (err = rn_buf_puts(b, verify_howto)) != RN_OK)
		return err;
	return rn_keeper_html_end(b);
}
