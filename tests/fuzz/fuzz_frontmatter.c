/*
 * Fuzz documents: front matter (the YAML subset) and the schema
 * (rn_site_doc_parse, as a draft and for publishing), the generic
 * front-matter layer on the raw input, and the page of every accepted
 * document.  Invariants are checked with abort(): an accepted document has
 * a slug id and safe attachment names, passes its own validation when
 * parsed for publishing, and renders without <script.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "roneo/rn_site.h"
#include "site/frontmatter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct rn_site_info site = { "Fuzz", "en", "00" };

static void
check_doc(const struct rn_site_doc *d, bool draft)
{
	struct rn_buf b;
	size_t	      i;
	enum rn_err   err;

	if (rn_site_check_id(d->id, strlen(d->id), NULL) != RN_OK || d->title == NULL ||
	    d->lang == NULL || (unsigned)d->section >= RN_SITE__NSECTIONS)
		abort();
	for (i = 0; i < d->attachments.n; i++)
		if (rn_site_check_attachment(d->attachments.v[i], strlen(d->attachments.v[i]),
			NULL) != RN_OK)
			abort();
	if (!draft && rn_site_doc_validate(d, NULL) != RN_OK)
		abort();
	rn_buf_init(&b, RN_SITE_MAX_PAGE);
	err = rn_site_page_doc(&site, d, NULL, &b);
	if ((err != RN_OK && err != RN_ERR_TOOBIG) ||
	    (err == RN_OK && strstr(b.data, "<script") != NULL))
		abort();
	rn_buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rn_site_doc  *d = NULL;
	struct rn_site_error err;
	struct fm_doc	     fd;
	unsigned	     draft;

	for (draft = 0; draft < 2; draft++) {
		if (rn_site_doc_parse((const char *)data, size, draft ? RN_SITE_PARSE_DRAFT : 0, &d,
			&err) != RN_OK) {
			if (d != NULL || memchr(err.msg, '\0', sizeof(err.msg)) == NULL)
				abort();
			continue;
		}
		check_doc(d, draft != 0);
		rn_site_doc_free(d);
	}
	if (fm_parse((const char *)data, size, 1, &fd, &err) == RN_OK)
		fm_doc_free(&fd);
	return 0;
}
