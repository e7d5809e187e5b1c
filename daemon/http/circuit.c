/*
 * Per-circuit limits for the onion listener, in memory only.  A fixed table
 * of entries, one per Tor circuit seen recently, keyed by the circuit's id
 * through HMAC-SHA256 under a random key made when the table is (so nobody
 * can aim circuits at one hash chain, and nothing about the ids is kept in
 * a form that outlives the process).  An entry holds counters and token
 * buckets, never an address or a time of day: a connection count, held
 * uploads, a request bucket (the rate, bursts of RN_HTTP_CIRCUIT_BURST_SECS
 * of it) and a codename bucket (per minute, bursts of a minute's worth).
 *
 * A circuit with no open connection is idle; idle entries queue oldest
 * first.  One is forgotten (its memory wiped) RN_HTTP_CIRCUIT_FORGET_SECS
 * after it went idle, by which time every bucket is full again and the entry
 * says nothing a fresh one would not, or at once if its buckets are full
 * when it goes idle, or when the table is full and a new circuit needs room.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "roneo/rn_crypto.h"
#include "roneo/rn_limits.h"
#include "roneo/rn_util.h"
#include "http/http_int.h"
#include "http/proxy.h"

/* Tokens are counted in 1/UNIT: a per-second rate r adds r * 60 units per
 * millisecond, a per-minute rate r adds r units per millisecond. */
#define UNIT	      UINT64_C(60000)
#define KEY_LEN	      32u
#define HELD_UPLOAD   1u
#define FORGET_MS     ((uint64_t)RN_HTTP_CIRCUIT_FORGET_SECS * 1000u)
#define RATE_CEILING  ((uint64_t)RN_MAX_CIRCUIT_RATE)
#define LIMIT_CEILING UINT64_C(1000000)

struct rn_http_circuit {
	LIST_ENTRY(rn_http_circuit) link;  /* its hash chain, or the free list */
	TAILQ_ENTRY(rn_http_circuit) idle; /* the idle queue, while idle */
	uint32_t id;
	uint32_t conns;
	uint32_t uploads;
	bool	 is_idle;
	uint64_t req_tokens;  /* in 1/UNIT */
	uint64_t code_tokens; /* in 1/UNIT */
	uint64_t refilled;    /* when the buckets were last topped up */
	uint64_t idle_since;
};
LIST_HEAD(circ_list, rn_http_circuit);
TAILQ_HEAD(circ_queue, rn_http_circuit);

struct rn_http_circuits {
	struct rn_http_circuit	     *entries;
	size_t			      capacity, count;
	struct circ_list	     *buckets;
	size_t			      nbuckets; /* a power of two */
	struct circ_list	      free;
	struct circ_queue	      idle;
	struct rn_http_circuit_limits lim;
	uint8_t			      key[KEY_LEN];
};

static uint64_t
req_cap(const struct rn_http_circuits *t)
{
	return t->lim.requests * RN_HTTP_CIRCUIT_BURST_SECS * UNIT;
}

static uint64_t
code_cap(const struct rn_http_circuits *t)
{
	return t->lim.codenames * UNIT;
}

/* tokens + dt * rate, at most cap, without overflow. */
static uint64_t
topped_up(uint64_t tokens, uint64_t dt, uint64_t rate, uint64_t cap)
{
	if (tokens >= cap)
		return cap;
	if (rate == 0 || dt > (cap - tokens) / rate)
		return cap;
	return tokens + dt * rate;
}

static void
refill(const struct rn_http_circuits *t, struct rn_http_circuit *e, uint64_t now)
{
	uint64_t dt = now > e->refilled ? now - e->refilled : 0;

	e->req_tokens = topped_up(e->req_tokens, dt, t->lim.requests * 60u, req_cap(t));
	e->code_tokens = topped_up(e->code_tokens, dt, t->lim.codenames, code_cap(t));
	e->refilled = now;
}

static bool
is_full(const struct rn_http_circuits *t, const struct rn_http_circuit *e)
{
	return e->req_tokens >= req_cap(t) && e->code_tokens >= code_cap(t);
}

struct rn_http_circuits *
rn_http_circuits_new(size_t capacity)
{
	struct rn_http_circuits *t;
	size_t			 i;

	if (capacity == 0 || capacity > RN_HTTP_CIRCUIT_TABLE * 16u)
		return NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->capacity = capacity;
	for (t->nbuckets = 1; t->nbuckets < capacity; t->nbuckets *= 2)
		;
	t->entries = calloc(capacity, sizeof(*t->entries));
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	if (t->entries == NULL || t->buckets == NULL ||
	    rn_crypto_random(t->key, sizeof(t->key)) != RN_OK) {
		rn_http_circuits_free(t);
		return NULL;
	}
	LIST_INIT(&t->free);
	TAILQ_INIT(&t->idle);
	for (i = 0; i < t->nbuckets; i++)
		LIST_INIT(&t->buckets[i]);
	for (i = capacity; i > 0; i--)
		LIST_INSERT_HEAD(&t->free, &t->entries[i - 1], link);
	return t;
}

void
rn_http_circuits_free(struct rn_http_circuits *t)
{
	if (t == NULL)
		return;
	if (t->entries != NULL)
		rn_crypto_wipe(t->entries, t->capacity * sizeof(*t->entries));
	free(t->entries);
	free(t->buckets);
	rn_crypto_wipe(t, sizeof(*t));
	free(t);
}

void
rn_http_circuits_set_limits(struct rn_http_circuits *t, const struct rn_http_circuit_limits *lim)
{
	t->lim = *lim;
	/* Bounds that keep the bucket arithmetic far from overflow. */
	if (t->lim.requests > RATE_CEILING)
		t->lim.requests = RATE_CEILING;
	if (t->lim.codenames > RATE_CEILING)
		t->lim.codenames = RATE_CEILING;
	if (t->lim.connections > LIMIT_CEILING)
		t->lim.connections = LIMIT_CEILING;
	if (t->lim.uploads > LIMIT_CEILING)
		t->lim.uploads = LIMIT_CEILING;
}

size_t
rn_http_circuits_count(const struct rn_http_circuits *t)
{
	return t->count;
}

/* The hash chain of id; NULL if the HMAC fails. */
static struct circ_list *
chain_of(struct rn_http_circuits *t, uint32_t id)
{
	uint8_t msg[4], mac[RN_HMAC_SHA256_LEN];
	size_t	h;

	msg[0] = (uint8_t)(id >> 24);
	msg[1] = (uint8_t)(id >> 16);
	msg[2] = (uint8_t)(id >> 8);
	msg[3] = (uint8_t)id;
	if (rn_hmac_sha256(t->key, sizeof(t->key), msg, sizeof(msg), mac) != RN_OK)
		return NULL;
	h = (size_t)mac[0] << 24 | (size_t)mac[1] << 16 | (size_t)mac[2] << 8 | mac[3];
	return &t->buckets[h & (t->nbuckets - 1)];
}

static void
forget(struct rn_http_circuits *t, struct rn_http_circuit *e)
{
	LIST_REMOVE(e, link);
	if (e->is_idle)
		TAILQ_REMOVE(&t->idle, e, idle);
	memset(e, 0, sizeof(*e));
	LIST_INSERT_HEAD(&t->free, e, link);
	t->count--;
}

size_t
rn_http_circuits_sweep(struct rn_http_circuits *t, uint64_t now)
{
	struct rn_http_circuit *e;
	size_t			n = 0;

	while ((e = TAILQ_FIRST(&t->idle)) != NULL && now >= e->idle_since &&
	       now - e->idle_since >= FORGET_MS) {
		forget(t, e);
		n++;
	}
	return n;
}

/* A fresh entry for id in chain, evicting the oldest idle one if need be. */
static struct rn_http_circuit *
take_entry(struct rn_http_circuits *t, struct circ_list *chain, uint32_t id, uint64_t now)
{
	struct rn_http_circuit *e;

	if (LIST_EMPTY(&t->free)) {
		if ((e = TAILQ_FIRST(&t->idle)) == NULL)
			return NULL; /* every circuit remembered has a connection open */
		forget(t, e);
	}
	e = LIST_FIRST(&t->free);
	LIST_REMOVE(e, link);
	memset(e, 0, sizeof(*e));
	e->id = id;
	e->req_tokens = req_cap(t);
	e->code_tokens = code_cap(t);
	e->refilled = now;
	LIST_INSERT_HEAD(chain, e, link);
	t->count++;
	return e;
}

static void
leave_idle(struct rn_http_circuits *t, struct rn_http_circuit *e)
{
	if (e->is_idle) {
		TAILQ_REMOVE(&t->idle, e, idle);
		e->is_idle = false;
	}
}

/* Nothing open or held any more: forget it now if it holds nothing, else queue it. */
static void
maybe_idle(struct rn_http_circuits *t, struct rn_http_circuit *e, uint64_t now)
{
	if (e->conns > 0 || e->uploads > 0 || e->is_idle)
		return;
	refill(t, e, now);
	if (is_full(t, e)) {
		forget(t, e);
		return;
	}
	e->is_idle = true;
	e->idle_since = now;
	TAILQ_INSERT_TAIL(&t->idle, e, idle);
}

struct rn_http_circuit *
rn_http_circuits_connect(struct rn_http_circuits *t, uint32_t id, uint64_t now)
{
	struct circ_list       *chain;
	struct rn_http_circuit *e;

	rn_http_circuits_sweep(t, now);
	if ((chain = chain_of(t, id)) == NULL)
		return NULL;
	for (e = LIST_FIRST(chain); e != NULL; e = LIST_NEXT(e, link))
		if (e->id == id)
			break;
	if (e == NULL) {
		if ((e = take_entry(t, chain, id, now)) == NULL)
			return NULL;
	} else if (t->lim.connections > 0 && e->conns >= t->lim.connections) {
		return NULL;
	}
	leave_idle(t, e);
	e->conns++;
	return e;
}

void
rn_http_circuits_disconnect(struct rn_http_circuits *t, struct rn_http_circuit *e, uint64_t now)
{
	if (e->conns > 0)
		e->conns--;
	maybe_idle(t, e, now);
}

/* Take one token from a bucket of rate `rate` (0: unlimited). */
static bool
take(const struct rn_http_circuits *t, struct rn_http_circuit *e, uint64_t *bucket, uint64_t rate,
    uint64_t now)
{
	if (rate == 0)
		return true;
	refill(t, e, now);
	if (*bucket < UNIT)
		return false;
	*bucket -= UNIT;
	return true;
}

bool
rn_http_circuits_request(struct rn_http_circuits *t, struct rn_http_circuit *e, uint64_t now)
{
	return take(t, e, &e->req_tokens, t->lim.requests, now);
}

bool
rn_http_circuits_acquire(
    struct rn_http_circuits *t, struct rn_http_circuit *e, enum rn_circuit_res res, uint64_t now)
{
	switch (res) {
	case RN_CIRCUIT_UPLOAD:
		if (t->lim.uploads > 0 && e->uploads >= t->lim.uploads)
			return false;
		leave_idle(t, e);
		e->uploads++;
		return true;
	case RN_CIRCUIT_CODENAME: return take(t, e, &e->code_tokens, t->lim.codenames, now);
	}
	return false;
}

void
rn_http_circuits_release(
    struct rn_http_circuits *t, struct rn_http_circuit *e, enum rn_circuit_res res, uint64_t now)
{
	if (res != RN_CIRCUIT_UPLOAD || e->uploads == 0)
		return;
	e->uploads--;
	maybe_idle(t, e, now);
}

/* ------------------------------------------------------------------------ */
/* The exchange API (include/roneo/rn_http.h). */

bool
rn_http_exchange_circuit_acquire(struct rn_http_exchange *ex, enum rn_circuit_res res)
{
	struct rn_http_conn *c = ex->conn;

	if (c == NULL || c->circ == NULL)
		return true;
	if (res == RN_CIRCUIT_UPLOAD && (ex->circ_held & HELD_UPLOAD) != 0)
		return true;
	if (!rn_http_circuits_acquire(c->srv->circuits, c->circ, res, rn_time_mono_ms()))
		return false;
	if (res == RN_CIRCUIT_UPLOAD)
		ex->circ_held |= HELD_UPLOAD;
	return true;
}

void
rn_http_exchange_circuit_release(struct rn_http_exchange *ex, enum rn_circuit_res res)
{
	struct rn_http_conn *c = ex->conn;

	if (c == NULL || c->circ == NULL || res != RN_CIRCUIT_UPLOAD ||
	    (ex->circ_held & HELD_UPLOAD) == 0)
		return;
	ex->circ_held &= ~HELD_UPLOAD;
	rn_http_circuits_release(c->srv->circuits, c->circ, res, rn_time_mono_ms());
}

bool
rn_http_exchange_is_onion(const struct rn_http_exchange *ex)
{
	return ex->conn != NULL && ex->conn->onion;
}

void
rn_http_circuit_exchange_end(struct rn_http_exchange *ex)
{
	rn_http_exchange_circuit_release(ex, RN_CIRCUIT_UPLOAD);
}
