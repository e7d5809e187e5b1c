/* Files embedded at build time (templates, stylesheet): see build-aux/embed.sh. */
#ifndef RN_HTTP_ASSETS_H
#define RN_HTTP_ASSETS_H

#include <stddef.h>

struct rn_asset {
	const char	    *name;
	const unsigned char *data;
	size_t		     len;
};

/* Terminated by an entry whose name is NULL. */
extern const struct rn_asset rn_assets[];

#endif
