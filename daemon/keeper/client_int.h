/* Private to daemon/keeper/client.c and search.c: the http child's side of the keeper. */
#ifndef RN_KEEPER_CLIENT_INT_H
#define RN_KEEPER_CLIENT_INT_H

#include <sys/queue.h>

#include "roneo/rn_crypto.h"
#include "roneo/rn_editor.h"
#include "roneo/rn_http.h"
#include "roneo/rn_keeper.h"
#include "roneo/rn_proc.h"
#include "roneo/rn_site.h"

#define KC_ARG_MAX 128u

/* One editor request: its body spooled to an anonymous file, then handed to the keeper. */
struct kreq {
	struct rn_keeper_client *kc;
	struct rn_http_exchange *ex; /* NULL once the client went away */
	struct rn_sha256	*h;
	enum rn_keeper_op	 op;
	char			 arg[KC_ARG_MAX + 1];
	int			 fd; /* the body, -1 without one */
	uint64_t		 body, max;
	uint32_t		 id;
	bool			 waiting; /* sent to the keeper */
	TAILQ_ENTRY(kreq) entry;
};
TAILQ_HEAD(kreq_list, kreq);

struct rn_keeper_client {
	struct event_base     *base;
	struct rn_ipc	      *link;	  /* to the keeper; NULL when none */
	struct rn_editor_auth *auth;	  /* NULL without editors */
	int		       upload_fd; /* DataDirectory/upload: bodies being received */
	char		      *search_path;
	struct rn_site_search *search; /* opened at the first query */
	uint32_t	       next_id;
	size_t		       ninflight;
	struct kreq_list       inflight;
};

/* search.c: GET /search and /search/ on the public listeners. */
enum rn_err keeper_search_routes(struct rn_keeper_client *kc, struct rn_http_server *srv);

#endif
