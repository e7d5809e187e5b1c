/* Private to daemon/keeper/render.c and pages.c: one render of the site. */
#ifndef RN_KEEPER_RENDER_INT_H
#define RN_KEEPER_RENDER_INT_H

#include "keeper/keeper_int.h"
#include "roneo/rn_site.h"

/* One document as the site shows it. */
struct keeper_doc {
	struct rn_site_doc *doc;
	uint8_t		    docid[RN_COLL_ID_LEN]; /* the signed metadata (attachments) */
	bool		    retracted;
	char		   *reason; /* of the retraction */
	uint64_t	    put;    /* index of the log record that put it, + 1 (0: unknown) */
};

struct keeper_site {
	struct rn_keeper    *k;
	struct rn_buf	     files; /* relative paths written, one a line */
	size_t		     nfiles;
	struct rn_buf	     gz;  /* scratch: a gzip variant */
	struct rn_buf	     cmp; /* scratch: a file as it is */
	struct keeper_doc   *kd;
	struct rn_site_doc **docs; /* kd[i].doc, for daemon/site */
	size_t		     ndocs;
	char		     collection[RN_COLL_HEX_LEN + 1];
};

/* Read and parse every document of the manifest (those that fail are logged and left out). */
enum rn_err keeper_site_load(struct keeper_site *s);
void	    keeper_site_clear(struct keeper_site *s);
/* Write every page, feed, attachment, the verify page and the stylesheet. */
enum rn_err keeper_site_pages(struct keeper_site *s);

#endif
