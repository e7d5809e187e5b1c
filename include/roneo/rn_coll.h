/*
 * The signed collection, part 1: canonical binary encoding, objects, content
 * chunking, document metadata and the object store.  docs/protocol.md is the
 * specification; this header is its C face.  The manifest trie and the change
 * log are in rn_coll_tree.h, statements and the verifier in rn_coll_stmt.h.
 */
#ifndef RN_COLL_H
#define RN_COLL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rn_err.h"
#include "rn_limits.h"
#include "rn_util.h"

#define RN_COLL_ID_LEN	32u
#define RN_COLL_HEX_LEN 64u		  /* lower-case hex of an id */
#define RN_COLL_OBJ_TAG "roneo-object-v1" /* domain tag of object ids (NUL included) */
#define RN_COLL_KEY_TAG "roneo-docid-v1"  /* domain tag of manifest keys (NUL included) */

/* Object types: the byte hashed into every id, so no object passes for another type. */
enum rn_coll_type {
	RN_COLL_BLOB = 1,      /* a body or attachment of at most the chunking threshold */
	RN_COLL_CHUNK = 2,     /* one content-defined chunk of a larger body or attachment */
	RN_COLL_CHUNKLIST = 3, /* the ordered chunks of a larger body or attachment */
	RN_COLL_DOC = 4,       /* document metadata */
	RN_COLL_NODE = 5,      /* manifest trie node */
	RN_COLL_TOMBSTONE = 6, /* reason and subject of a retraction or purge */
	RN_COLL_COMMIT = 7,    /* body of a commit statement */
	RN_COLL_ROOT = 8,      /* body of a ROOT statement */
	RN_COLL_TIMESTAMP = 9, /* body of a timestamp statement */
	RN_COLL_TYPE__MAX = 9
};

/* ---- canonical encoding: minimal varints, length-prefixed bytes, sorted TLV fields ---- */

/* A read cursor over [p, p+len).  Readers never read past len. */
struct rn_coll_rd {
	const uint8_t *p;
	size_t	       len;
	size_t	       off;
};

void rn_coll_rd_init(struct rn_coll_rd *r, const void *p, size_t len);
/* Unsigned LEB128, at most 10 bytes, minimal (no 0x80-continued zero groups), <= max. */
enum rn_err rn_coll_rd_varint(struct rn_coll_rd *r, uint64_t max, uint64_t *out);
/* varint length (<= max) then that many bytes; *p points into the input. */
enum rn_err rn_coll_rd_bytes(struct rn_coll_rd *r, size_t max, const uint8_t **p, size_t *n);
/* Exactly n bytes. */
enum rn_err rn_coll_rd_fixed(struct rn_coll_rd *r, size_t n, const uint8_t **p);
/* RN_OK when everything was consumed, RN_ERR_INVAL on trailing bytes. */
enum rn_err rn_coll_rd_end(const struct rn_coll_rd *r);
bool	    rn_coll_rd_done(const struct rn_coll_rd *r);
/*
 * The next TLV field: varint tag (> *last, so tags strictly increase; tag 0
 * is never valid), varint length, value.  *val becomes a cursor over the
 * value; *last is updated.  RN_ERR_NOTFOUND at the end of the input.
 */
enum rn_err rn_coll_rd_field(
    struct rn_coll_rd *r, uint64_t *last, uint64_t *tag, struct rn_coll_rd *val);

enum rn_err rn_coll_put_varint(struct rn_buf *b, uint64_t v);
enum rn_err rn_coll_put_bytes(struct rn_buf *b, const void *p, size_t n);
enum rn_err rn_coll_put_field(struct rn_buf *b, uint64_t tag, const void *p, size_t n);
enum rn_err rn_coll_put_field_u64(struct rn_buf *b, uint64_t tag, uint64_t v);
size_t	    rn_coll_varint_len(uint64_t v);

/* ---- ids ---- */

/* id = SHA-256(RN_COLL_OBJ_TAG "\0" || type (1 byte) || length (8 bytes, big endian) || payload).
 */
enum rn_err rn_coll_id(
    enum rn_coll_type type, const void *payload, size_t len, uint8_t id[RN_COLL_ID_LEN]);
/* Manifest key of a document id: SHA-256(RN_COLL_KEY_TAG "\0" || docid). */
enum rn_err rn_coll_key(const char *docid, size_t len, uint8_t key[RN_COLL_ID_LEN]);
/* 64 lower-case hex digits, exactly; out gets RN_COLL_ID_LEN bytes. */
enum rn_err rn_coll_id_parse(const char *s, size_t n, uint8_t id[RN_COLL_ID_LEN]);
/* out: RN_COLL_HEX_LEN + 1 bytes. */
void rn_coll_id_format(const uint8_t id[RN_COLL_ID_LEN], char *out);
bool rn_coll_type_valid(uint64_t t);

/* ---- object frames: how an object is stored and sent ---- */

/*
 * frame = type (1) || flags (1: 0 raw, 1 zlib) || varint length ||
 * varint stored-length || stored bytes.  The writer deflates and keeps the
 * zlib form only when it saves at least 5%; the reader refuses a zlib frame
 * that saves less, inflates to exactly `length` bytes ending exactly at the
 * end of the zlib stream, which must end exactly at stored-length.
 */
#define RN_COLL_FRAME_RAW  0u
#define RN_COLL_FRAME_ZLIB 1u

enum rn_err rn_coll_frame_encode(
    enum rn_coll_type type, const void *payload, size_t len, struct rn_buf *out);
/*
 * Decode the frame at the start of [p, p+n); *used is its size.  The payload
 * replaces out's content (out->max is raised to RN_COLL_MAX_OBJECT).  When
 * want_id is not NULL the payload must hash to it (with the frame's type).
 */
enum rn_err rn_coll_frame_decode(const uint8_t *p, size_t n, size_t *used, enum rn_coll_type *type,
    const uint8_t *want_id, struct rn_buf *out);

/* ---- content-defined chunking (a FastCDC-style gear hash; not cryptography) ---- */

/*
 * Where the chunk starting at p ends: a position in [1, n].  With final
 * false (more data follows) 0 means "no cut yet, need more data".
 */
size_t rn_coll_cdc_cut(const uint8_t *p, size_t n, bool final);

/* A content reference: the object that holds it and the content's length. */
struct rn_coll_ref {
	uint8_t	 type; /* RN_COLL_BLOB or RN_COLL_CHUNKLIST */
	uint8_t	 id[RN_COLL_ID_LEN];
	uint64_t size;
};

/* ---- document metadata (RN_COLL_DOC) ---- */

enum rn_coll_section {
	RN_COLL_SEC_BULLETIN = 1,
	RN_COLL_SEC_TACTIC = 2,
	RN_COLL_SEC_CONFLICT = 3,
	RN_COLL_SEC__MAX = 3
};

struct rn_coll_attachment {
	char		   name[RN_COLL_MAX_ATT_NAME + 1];
	char		   media[RN_COLL_MAX_MEDIA + 1];
	struct rn_coll_ref ref;
};

struct rn_coll_doc {
	char			  id[RN_COLL_MAX_DOCID + 1];
	enum rn_coll_section	  section;
	char			  title[RN_COLL_MAX_TITLE + 1];
	uint64_t		  date; /* seconds since the epoch */
	char			  lang[RN_COLL_MAX_LANG + 1];
	struct rn_coll_ref	  body;
	size_t			  natt;
	struct rn_coll_attachment att[RN_COLL_MAX_ATTACHMENTS];
};

/* Document ids: 1..64 of [a-z0-9-], first and last [a-z0-9], no "--". */
bool rn_coll_docid_valid(const char *s, size_t n);
/* Attachment names: 1..128 of [A-Za-z0-9._-], not starting with '.' or '-'. */
bool rn_coll_attname_valid(const char *s, size_t n);
/* Strict UTF-8, no C0/C1 controls, no bidi overrides or isolates. */
bool rn_coll_text_valid(const char *s, size_t n);

/* The attachments of doc must be sorted by name (strictly); the encoder checks. */
enum rn_err rn_coll_doc_encode(const struct rn_coll_doc *doc, struct rn_buf *out);
enum rn_err rn_coll_doc_decode(const uint8_t *p, size_t n, struct rn_coll_doc *doc);

/* ---- chunk lists (RN_COLL_CHUNKLIST): varint total || varint count || (varint size || id)* ----
 */

struct rn_coll_chunklist {
	uint64_t  total;
	size_t	  n;
	uint32_t *sizes;
	uint8_t (*ids)[RN_COLL_ID_LEN];
};
enum rn_err rn_coll_chunklist_decode(const uint8_t *p, size_t n, struct rn_coll_chunklist *cl);
void	    rn_coll_chunklist_clear(struct rn_coll_chunklist *cl); /* NULL-safe */

/* ---- the object store ---- */

struct rn_coll_store;

/*
 * A store in directory dir (created 0700 if missing): objects/XX/<62 hex>,
 * one frame per file, written durably (temp, fsync, rename, fsync dir).
 */
enum rn_err rn_coll_store_open(const char *dir, struct rn_coll_store **out);
/* A store in memory only (staging, tests, fuzzing). */
enum rn_err rn_coll_store_new_mem(struct rn_coll_store **out);
void	    rn_coll_store_free(struct rn_coll_store *s);

/* Put a payload of the given type; *id (may be NULL) gets its id.  Idempotent. */
enum rn_err rn_coll_store_put(struct rn_coll_store *s, enum rn_coll_type type, const void *payload,
    size_t len, uint8_t id[RN_COLL_ID_LEN]);
/* Put a frame received from elsewhere: decoded, checked against id, then stored. */
enum rn_err rn_coll_store_put_frame(
    struct rn_coll_store *s, const uint8_t id[RN_COLL_ID_LEN], const uint8_t *frame, size_t n);
/*
 * Get the payload of id, which must be of type `type` (RN_ERR_PROTO for an
 * object of another type, RN_ERR_NOTFOUND when absent).  Hashes are always
 * checked: a damaged object is RN_ERR_CRYPTO.
 */
enum rn_err rn_coll_store_get(const struct rn_coll_store *s, const uint8_t id[RN_COLL_ID_LEN],
    enum rn_coll_type type, struct rn_buf *out);
/* The stored frame of id as it is (for sending). */
enum rn_err rn_coll_store_get_frame(
    const struct rn_coll_store *s, const uint8_t id[RN_COLL_ID_LEN], struct rn_buf *out);
bool	    rn_coll_store_has(const struct rn_coll_store *s, const uint8_t id[RN_COLL_ID_LEN]);
enum rn_err rn_coll_store_delete(struct rn_coll_store *s, const uint8_t id[RN_COLL_ID_LEN]);
/* Number of objects (walks the directory for a disk store). */
enum rn_err rn_coll_store_count(const struct rn_coll_store *s, size_t *out);
/* Call fn for every stored id; a non-RN_OK return stops the walk and is returned. */
typedef enum rn_err (*rn_coll_id_fn)(const uint8_t id[RN_COLL_ID_LEN], void *arg);
enum rn_err rn_coll_store_each(const struct rn_coll_store *s, rn_coll_id_fn fn, void *arg);
/*
 * Staging: a memory store over base (read-only, may be NULL) that collects
 * writes; rn_coll_store_flush() then writes everything it holds into dst
 * durably with two file-system syncs in all (temporary files, syncfs,
 * renames, syncfs) instead of two per object.  Objects read through the
 * stage from base are kept in it too (with their frames, not re-compressed).
 */
enum rn_err rn_coll_store_new_stage(const struct rn_coll_store *base, struct rn_coll_store **out);
enum rn_err rn_coll_store_flush(const struct rn_coll_store *stage, struct rn_coll_store *dst);
/* Copy one object (by frame) from src into dst. */
enum rn_err rn_coll_store_copy(
    struct rn_coll_store *dst, const struct rn_coll_store *src, const uint8_t id[RN_COLL_ID_LEN]);

/*
 * Store content (a body or an attachment): a single BLOB up to `threshold`
 * bytes, else CHUNKs cut by rn_coll_cdc_cut() and a CHUNKLIST.  threshold is
 * RN_COLL_BODY_CHUNK_AT for bodies, RN_COLL_ATT_CHUNK_AT for attachments.
 */
enum rn_err rn_coll_store_content(struct rn_coll_store *s, const void *data, size_t len,
    size_t threshold, struct rn_coll_ref *ref);
/*
 * Check content stored under ref end to end: type as the threshold requires,
 * every chunk present, of its declared size, cut where the chunker cuts, total
 * as declared.  When out is not NULL the content is appended to it.
 */
enum rn_err rn_coll_store_check_content(const struct rn_coll_store *s,
    const struct rn_coll_ref *ref, size_t threshold, struct rn_buf *out);

/*
 * Collector: keep everything reachable from the given manifest roots (nodes,
 * documents, their contents) and the extra ids (tombstones, ...); delete the
 * rest.  *removed (may be NULL) gets the count.  A missing object reachable
 * from a root is RN_ERR_NOTFOUND and nothing is deleted.
 */
enum rn_err rn_coll_store_gc(struct rn_coll_store *s, const uint8_t (*roots)[RN_COLL_ID_LEN],
    size_t nroots, const uint8_t (*extra)[RN_COLL_ID_LEN], size_t nextra, size_t *removed);

#endif
