/*
 * rn-site-render OUTDIR FILE...: parse each document and write the whole
 * static site under OUTDIR (home, section indexes, bulletin pages, tag pages,
 * document pages, feeds per section, tag and language), as the keeper would.
 * Prints "accepted FILE", "refused FILE:LINE: reason" and "wrote PATH" lines;
 * exits 0 unless something other than a refused document went wrong.  Used
 * by tests/tools/test_site_pages.py to run the page lint over every page.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "roneo/rn_site.h"

#define MAX_DOCS 1024u
#define PER_PAGE 4u

static const char *outdir;

static int
mkdirs(char *path)
{
	char *p;

	for (p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			perror(path);
			return -1;
		}
		*p = '/';
	}
	return 0;
}

/* Write b at the URL path url ("/x/" is "/x/index.html"). */
static int
write_page(const char *url, const struct rn_buf *b)
{
	char  path[4096];
	FILE *f;
	int   n;

	n = snprintf(path, sizeof(path), "%s%s%s", outdir, url,
	    url[strlen(url) - 1] == '/' ? "index.html" : "");
	if (n < 0 || (size_t)n >= sizeof(path) || mkdirs(path) != 0)
		return -1;
	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		return -1;
	}
	if (b->len > 0 && fwrite(b->data, 1, b->len, f) != b->len) {
		fclose(f);
		return -1;
	}
	if (fclose(f) != 0)
		return -1;
	printf("wrote %s\n", url);
	return 0;
}

static const struct rn_site_info site = { "Roneo test collective", "en",
	"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff" };

static int
emit(enum rn_err err, const char *url, struct rn_buf *b)
{
	int rc;

	if (err != RN_OK) {
		fprintf(stderr, "rendering %s: %s\n", url, rn_err_str(err));
		return -1;
	}
	rc = write_page(url, b);
	rn_buf_reset(b);
	return rc;
}

static int
render_feeds(const struct rn_site_doc *const *docs, size_t n, struct rn_buf *b,
    struct rn_buf *path)
{
	struct rn_site_feed_filter f = { -1, NULL, NULL };
	size_t			   i, j;
	int			   s, rc = 0;

	for (s = 0; s < RN_SITE__NSECTIONS && rc == 0; s++) {
		f.section = s;
		rn_site_path(RN_SITE_PATH_FEED, rn_site_section_name((enum rn_site_section)s), NULL,
		    0, path);
		rc = emit(rn_site_feed_atom(&site, &f, docs, n, 1767225600, b), path->data, b);
	}
	f.section = -1;
	for (i = 0; i < n && rc == 0; i++) {
		f.tag = NULL;
		f.lang = docs[i]->lang;
		rn_site_path(RN_SITE_PATH_LANG_FEED, f.lang, NULL, 0, path);
		rc = emit(rn_site_feed_atom(&site, &f, docs, n, 1767225600, b), path->data, b);
		f.lang = NULL;
		for (j = 0; j < docs[i]->tags.n && rc == 0; j++) {
			f.tag = docs[i]->tags.v[j];
			rn_site_path(RN_SITE_PATH_TAG_FEED, f.tag, NULL, 0, path);
			rc = emit(rn_site_feed_atom(&site, &f, docs, n, 1767225600, b), path->data,
			    b);
		}
	}
	return rc;
}

static int
render(const struct rn_site_doc *const *docs, size_t n)
{
	struct rn_site_provenance prov = { "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		       7, NULL, 0, false, NULL };
	const char *signers[] = { "editor-a <ed25519:abcd>", "editor \"b\" <x>" };
	struct rn_buf b, path;
	unsigned      page, npages = 1;
	size_t	      i, j;
	int	      rc;

	prov.signers = signers;
	prov.nsigners = 2;
	rn_buf_init(&b, RN_SITE_MAX_PAGE);
	rn_buf_init(&path, 1024);
	rc = emit(rn_buf_puts(&b, rn_site_stylesheet()), "/site.css", &b);
	if (rc == 0)
		rc = emit(rn_site_page_home(&site, docs, n, PER_PAGE, &b), "/", &b);
	for (page = 1; page <= npages && rc == 0; page++) {
		if (page > 1)
			rn_site_path(RN_SITE_PATH_PAGE, NULL, NULL, page, &path);
		rc = emit(rn_site_page_bulletins(&site, docs, n, page, PER_PAGE, &npages, &b),
		    page > 1 ? path.data : "/bulletins/", &b);
	}
	if (rc == 0)
		rc = emit(rn_site_page_tactics(&site, docs, n, NULL, &b), "/tactics/", &b);
	if (rc == 0)
		rc = emit(rn_site_page_conflicts(&site, docs, n, &b), "/conflicts/", &b);
	for (i = 0; i < n && rc == 0; i++) {
		/* Every other document is shown retracted, with a hostile reason. */
		prov.retracted = i % 2 == 1;
		prov.retract_reason = "<script>alert(1)</script> \"quoted\"";
		rn_site_path(RN_SITE_PATH_DOC, docs[i]->id, NULL, 0, &path);
		rc = emit(rn_site_page_doc(&site, docs[i], &prov, &b), path.data, &b);
		for (j = 0; j < docs[i]->tags.n && rc == 0 && docs[i]->section == RN_SITE_TACTICS;
		     j++) {
			rn_site_path(RN_SITE_PATH_TAG, docs[i]->tags.v[j], NULL, 0, &path);
			rc = emit(rn_site_page_tactics(&site, docs, n, docs[i]->tags.v[j], &b),
			    path.data, &b);
		}
	}
	if (rc == 0)
		rc = render_feeds(docs, n, &b, &path);
	rn_buf_free(&b);
	rn_buf_free(&path);
	return rc;
}

int
main(int argc, char **argv)
{
	struct rn_site_doc  *docs[MAX_DOCS];
	struct rn_site_error err;
	struct rn_buf	     text;
	size_t		     n = 0, i;
	int		     a, rc;

	if (argc < 2) {
		fprintf(stderr, "usage: rn-site-render OUTDIR FILE...\n");
		return 2;
	}
	outdir = argv[1];
	for (a = 2; a < argc && n < MAX_DOCS; a++) {
		rn_buf_init(&text, RN_SITE_MAX_DOC + 1);
		if (rn_file_read_all(argv[a], RN_SITE_MAX_DOC + 1, &text) != RN_OK) {
			fprintf(stderr, "cannot read %s\n", argv[a]);
			return 1;
		}
		if (rn_site_doc_parse(text.data, text.len, 0, &docs[n], &err) != RN_OK)
			printf("refused %s:%u: %s\n", argv[a], err.line, err.msg);
		else {
			printf("accepted %s\n", argv[a]);
			n++;
		}
		rn_buf_free(&text);
	}
	rc = render((const struct rn_site_doc *const *)docs, n);
	for (i = 0; i < n; i++)
		rn_site_doc_free(docs[i]);
	return rc == 0 ? 0 : 1;
}
