/*
 * Private to daemon/http: the PROXY header of the onion listener (proxy.c)
 * and the table of per-circuit limits (circuit.c).
 */
#ifndef RN_HTTP_PROXY_H
#define RN_HTTP_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "roneo/rn_err.h"
#include "roneo/rn_http.h"

/* What tor's HiddenServiceExportCircuitID haproxy header says. */
struct rn_http_proxy {
	uint32_t circuit;  /* the circuit's global identifier in the tor process */
	uint16_t src_port; /* tor puts the identifier's low 16 bits here */
	uint16_t dst_port; /* the onion's virtual port */
};

/*
 * Parse the PROXY protocol v1 header tor writes first on every connection
 * it forwards from an onion service, exactly as tor formats it:
 *
 *   "PROXY TCP6 fc00:dead:beef:4dad::" HEX ":" HEX " ::1 " PORT " " PORT CRLF
 *
 * HEX is 1 to 4 lower-case hex digits without leading zeros (printf "%x" of
 * the identifier's high and low 16 bits); PORT is 0 to 65535 in decimal
 * without leading zeros.  Anything else (another protocol family, another
 * address, UNKNOWN, upper case, extra spaces, a bare LF, v2 binary headers,
 * plain HTTP) is refused.
 *
 * RN_OK: the header is buf[0, *used) and *out is filled.  RN_ERR_AGAIN: buf
 * is a proper prefix of a valid header; call again with more bytes.
 * RN_ERR_PROTO: not a header tor would send; close the connection.  A valid
 * header is never longer than RN_PROXY_V1_MAX bytes, so RN_ERR_AGAIN is
 * never returned for len >= RN_PROXY_V1_MAX.
 */
enum rn_err rn_http_proxy_parse(
    const char *buf, size_t len, struct rn_http_proxy *out, size_t *used);

/* ------------------------------------------------------------------------ */
/* Per-circuit limits (circuit.c).  Times are monotonic milliseconds. */

struct rn_http_circuits;
struct rn_http_circuit;

struct rn_http_circuit_limits {
	uint64_t requests;    /* per second, bursts of RN_HTTP_CIRCUIT_BURST_SECS; 0: none */
	uint64_t connections; /* open at once; 0: none */
	uint64_t uploads;     /* held at once; 0: none */
	uint64_t codenames;   /* per minute, bursts of a minute's worth; 0: none */
};

/* A table of at most capacity circuits (>= 1) under a fresh random key; NULL
 * when out of memory or randomness. */
struct rn_http_circuits *rn_http_circuits_new(size_t capacity);
/* Wipes and frees every entry; NULL-safe. */
void rn_http_circuits_free(struct rn_http_circuits *t);
void rn_http_circuits_set_limits(
    struct rn_http_circuits *t, const struct rn_http_circuit_limits *lim);

/*
 * A connection of circuit id opens: its entry, with the connection counted,
 * or NULL when the circuit has CircuitMaxConnections open already or when the
 * table is full of circuits with open connections (the oldest idle circuit
 * makes room otherwise).  Each entry returned is given back with
 * rn_http_circuits_disconnect() exactly once.
 */
struct rn_http_circuit *rn_http_circuits_connect(
    struct rn_http_circuits *t, uint32_t id, uint64_t now);
void rn_http_circuits_disconnect(
    struct rn_http_circuits *t, struct rn_http_circuit *e, uint64_t now);
/* One request of the circuit: false when it is over its rate. */
bool rn_http_circuits_request(struct rn_http_circuits *t, struct rn_http_circuit *e, uint64_t now);
/* As rn_http_exchange_circuit_acquire() and _release(), on an entry. */
bool rn_http_circuits_acquire(
    struct rn_http_circuits *t, struct rn_http_circuit *e, enum rn_circuit_res res, uint64_t now);
void rn_http_circuits_release(
    struct rn_http_circuits *t, struct rn_http_circuit *e, enum rn_circuit_res res, uint64_t now);
/* Forget the circuits idle (no connection) for RN_HTTP_CIRCUIT_FORGET_SECS;
 * returns how many were forgotten. */
size_t rn_http_circuits_sweep(struct rn_http_circuits *t, uint64_t now);
/* Circuits remembered now. */
size_t rn_http_circuits_count(const struct rn_http_circuits *t);

/* The exchange is over: give back what it still holds (conn.c). */
void rn_http_circuit_exchange_end(struct rn_http_exchange *ex);

#endif
