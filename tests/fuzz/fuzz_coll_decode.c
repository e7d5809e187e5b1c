/*
 * Fuzz target for the collection's canonical binary decoders.  The first
 * byte picks the decoder; the rest is its input.  Canonical means one
 * encoding per value: whatever a decoder accepts must re-encode to exactly
 * the input (abort() otherwise, so the fuzzer reports it).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "roneo/rn_coll.h"
#include "roneo/rn_coll_tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
same(const struct rn_buf *b, const uint8_t *p, size_t n)
{
	if (b->len != n || (n > 0 && memcmp(b->data, p, n) != 0))
		abort();
}

static void
fuzz_doc(const uint8_t *p, size_t n, struct rn_buf *b)
{
	struct rn_coll_doc *d = malloc(sizeof(*d));

	if (d == NULL)
		return;
	if (rn_coll_doc_decode(p, n, d) == RN_OK) {
		if (rn_coll_doc_encode(d, b) != RN_OK)
			abort();
		same(b, p, n);
	}
	free(d);
}

static void
fuzz_record(const uint8_t *p, size_t n, struct rn_buf *b)
{
	struct rn_coll_record r;

	if (rn_coll_record_decode(p, n, &r) == RN_OK) {
		if (rn_coll_record_encode(&r, b) != RN_OK)
			abort();
		same(b, p, n);
	}
}

static void
fuzz_tomb(const uint8_t *p, size_t n, struct rn_buf *b)
{
	struct rn_coll_tombstone t;

	if (rn_coll_tombstone_decode(p, n, &t) == RN_OK) {
		if (rn_coll_tombstone_encode(&t, b) != RN_OK)
			abort();
		same(b, p, n);
	}
}

static void
fuzz_node(const uint8_t *p, size_t n, struct rn_buf *b)
{
	struct rn_coll_node *node = malloc(sizeof(*node));

	if (node == NULL)
		return;
	if (rn_coll_node_decode(p, n, node) == RN_OK) {
		if (rn_coll_node_encode(node, b) != RN_OK)
			abort();
		same(b, p, n);
	}
	free(node);
}

static void
fuzz_frame(const uint8_t *p, size_t n, struct rn_buf *b)
{
	enum rn_coll_type t;
	size_t		  used;
	struct rn_buf	  again;

	if (rn_coll_frame_decode(p, n, &used, &t, NULL, b) != RN_OK)
		return;
	if (used > n || b->len > RN_COLL_MAX_OBJECT)
		abort();
	/* Our own frame of the payload decodes to the same payload. */
	rn_buf_init(&again, RN_COLL_MAX_OBJECT + 64);
	if (rn_coll_frame_encode(t, b->data, b->len, &again) != RN_OK)
		abort();
	rn_buf_free(&again);
}

static void
fuzz_misc(const uint8_t *p, size_t n)
{
	struct rn_coll_chunklist cl;
	struct rn_coll_log	*log = NULL;
	struct rn_coll_rd	 r, val;
	uint64_t		 last = 0, tag;
	uint8_t			 root[32], key[32];
	struct rn_coll_entry	 e;
	bool			 present;

	if (rn_coll_chunklist_decode(p, n, &cl) == RN_OK) {
		if (cl.n == 0)
			abort();
		rn_coll_chunklist_clear(&cl);
	}
	rn_coll_rd_init(&r, p, n);
	while (rn_coll_rd_field(&r, &last, &tag, &val) == RN_OK)
		if (val.len > n)
			abort();
	if (rn_coll_log_new(&log) == RN_OK) {
		if (rn_coll_log_decode(p, n, log) == RN_OK &&
		    rn_coll_log_root(log, rn_coll_log_size(log), root) != RN_OK)
			abort();
		rn_coll_log_free(log);
	}
	/* A proof against a root taken from the input itself. */
	if (n >= 64) {
		memcpy(root, p, 32);
		memcpy(key, p + 32, 32);
		(void)rn_coll_trie_verify_proof(root, key, p + 64, n - 64, &present, &e);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rn_buf b;

	if (size < 1)
		return 0;
	rn_buf_init(&b, RN_COLL_MAX_OBJECT);
	switch (data[0] % 6) {
	case 0: fuzz_doc(data + 1, size - 1, &b); break;
	case 1: fuzz_record(data + 1, size - 1, &b); break;
	case 2: fuzz_tomb(data + 1, size - 1, &b); break;
	case 3: fuzz_node(data + 1, size - 1, &b); break;
	case 4: fuzz_frame(data + 1, size - 1, &b); break;
	default: fuzz_misc(data + 1, size - 1); break;
	}
	rn_buf_free(&b);
	return 0;
}
