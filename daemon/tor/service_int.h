/* The tor service's state, shared by service.c, launch.c, setup.c and status.c. */
#ifndef RN_TOR_SERVICE_INT_H
#define RN_TOR_SERVICE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <event2/event.h>

#include "roneo/rn_tor.h"

struct rn_tor_onion {
	const char	   *name; /* "public" or "editor" */
	bool		    active;
	bool		    added; /* by ADD_ONION on the current connection */
	bool		    pow;
	struct rn_onion_key key;
	time_t		    uploaded; /* last HS_DESC UPLOADED, 0: never */
	unsigned long	    uploads;
};

struct rn_tor {
	struct event_base  *base;
	struct rn_conf	   *conf; /* our own copy */
	enum rn_tor_mode    mode;
	struct rn_torctl   *ctl;
	struct event	   *timer;
	struct rn_admin	   *admin; /* DataDirectory/admin.sock */
	uint64_t	    retry_ms;
	pid_t		    pid;	     /* launch: tor's pid, -1 when none */
	uint64_t	    launch_deadline; /* monotonic ms */
	int		    bootstrap;	     /* percent, -1: unknown */
	char		    socks[128];
	char		    state[32];
	bool		    stopping;
	unsigned	    dels;      /* DEL_ONION replies awaited */
	int		    step;      /* of the setup, whose reply is awaited */
	struct rn_tor_onion onions[2]; /* [0] public, [1] editor */
};

void rn_tor_schedule(struct rn_tor *t, uint64_t ms);
void rn_tor_retry(struct rn_tor *t);
void rn_tor_on_timer(evutil_socket_t fd, short what, void *arg);
void rn_tor_connect(struct rn_tor *t);
void rn_tor_note_bootstrap(struct rn_tor *t, const char *text);

/* launch.c */
enum rn_err rn_tor_launch(struct rn_tor *t);
void	    rn_tor_launch_tick(struct rn_tor *t);
void	    rn_tor_reap_launched(struct rn_tor *t);

/* setup.c: after authentication, and on stop */
void rn_tor_setup(struct rn_tor *t);
void rn_tor_del_onions(struct rn_tor *t);
/* The ADD_ONION command for onion o (exposed to the unit tests through rn_tor.h). */

#endif
