/*
 * The drop-box (daemon/inbox): the tar inside a sealed submission, codenames,
 * and (later) submissions, replies and the inbox itself.  Each part keeps to
 * its own section below.
 */
#ifndef RN_INBOX_H
#define RN_INBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rn_err.h"
#include "rn_limits.h"

/* ==== tar writer (daemon/inbox/tar.c) ==================================== */

/*
 * A streaming writer of a POSIX (pax/ustar) tar archive that GNU tar and
 * bsdtar extract: regular files only, mode 0600, uid and gid 0, no user or
 * group names, mtime 0.  Memory is constant: one header block and the list of
 * names already used (at most RN_TAR_MAX_MEMBERS).  Every byte goes straight
 * to the sink.
 *
 * Tar puts a member's size in the header before its data.  A member of known
 * size begins with rn_tar_begin_file(); one of unknown size (an upload's file
 * part) with rn_tar_begin_stream(), which writes a placeholder header and
 * patches it at the end through callbacks: see daemon/inbox/README.md.
 *
 * Errors: RN_ERR_INVAL when the calls break the protocol (data past the
 * declared size, a member ended early, a call after finish), RN_ERR_TOOBIG for
 * a limit, or the sink's error.  After a sink error or a protocol error the
 * writer stays failed and returns that error; RN_ERR_TOOBIG from
 * rn_tar_begin_file() writes nothing and leaves the writer usable.
 */

/* Room for any sanitised name, its " (n)" suffix and the NUL. */
#define RN_TAR_NAME_BUFSZ 256u
#define RN_TAR_BLOCK	  512u

struct rn_tar;

/* The sink takes every byte of the archive, in order; n > 0. */
struct rn_tar *rn_tar_new(enum rn_err (*sink)(const void *p, size_t n, void *arg), void *arg);
/* NULL-safe; wipes the names it kept. */
void rn_tar_free(struct rn_tar *t);

/*
 * Begin a member of exactly `size` bytes named after `name` (untrusted,
 * [name, name+len), any bytes): the name is sanitised as
 * rn_tar_name_sanitize() does and made unique within the archive
 * (case-insensitively for ASCII) by " (2)", " (3)"... before the extension.
 */
enum rn_err rn_tar_begin_file(struct rn_tar *t, const char *name, size_t len, uint64_t size);
/* Data of the open member; all of it together is exactly the declared size. */
enum rn_err rn_tar_write(struct rn_tar *t, const void *p, size_t n);
/* End the open member (pads it to a whole block). */
enum rn_err rn_tar_end_file(struct rn_tar *t);
/* begin + write + end for data already in memory (message.txt). */
enum rn_err rn_tar_add_file(
    struct rn_tar *t, const char *name, size_t len, const void *data, size_t size);
/* The name the open or last member got (borrowed; "" before the first). */
const char *rn_tar_last_name(const struct rn_tar *t);

/*
 * Going back over the archive, for members of unknown size.  Offsets are the
 * archive's own (rn_tar_total() counts them).  hold(off, len, arg) declares
 * that [off, off+len) is about to be written and will be rewritten later;
 * patch(off, p, len, arg) rewrites exactly such a range (once it has gone to
 * the sink).  With an age writer in positioned mode sealing the archive from
 * its first byte: rn_tar_set_patcher(t, rn_age_writer_hold_cb,
 * rn_age_writer_patch_cb, w).
 */
typedef enum rn_err (*rn_tar_hold_fn)(uint64_t off, size_t len, void *arg);
typedef enum rn_err (*rn_tar_patch_fn)(uint64_t off, const void *p, size_t len, void *arg);
void rn_tar_set_patcher(struct rn_tar *t, rn_tar_hold_fn hold, rn_tar_patch_fn patch, void *arg);

/* Streamed members stay below ustar's 8 GiB, so that no pax size record is needed. */
#define RN_TAR_MAX_STREAM 077777777777ull

/*
 * Begin a member of unknown size, named as rn_tar_begin_file() does: its pax
 * header if the name needs one, then a placeholder header block, held.  Data
 * goes through rn_tar_write(); more than RN_TAR_MAX_STREAM bytes in all is
 * RN_ERR_TOOBIG (and the writer stays failed).  RN_ERR_INVAL without a
 * patcher.
 */
enum rn_err rn_tar_begin_stream(struct rn_tar *t, const char *name, size_t len);
/* End it: pad to a whole block, then patch the header with the final size. */
enum rn_err rn_tar_end_stream(struct rn_tar *t);

/*
 * End the archive (two zero blocks), then pad it with zero blocks to
 * rn_tar_bucket() of its length.  *total (may be NULL) gets the length of the
 * whole archive, which is that bucket.
 */
enum rn_err rn_tar_finish(struct rn_tar *t, uint64_t *total);
/* Bytes written to the sink so far. */
uint64_t rn_tar_total(const struct rn_tar *t);

/*
 * The padded length for an archive of `size` bytes: RN_TAR_BUCKET_MIN
 * (64 KiB) or more, then four evenly spaced steps per doubling: 64, 80, 96,
 * 112, 128, 160, 192, 224, 256, 320 KiB ...  Always a multiple of
 * RN_TAR_BLOCK, >= size, < 1.25 size + 1 above the minimum.  0 when size is
 * above RN_TAR_BUCKET_MAX.
 */
uint64_t rn_tar_bucket(uint64_t size);

/*
 * A safe file name from an untrusted one: only what follows the last '/' or
 * '\\'; control characters, invalid UTF-8 and invisible or bidirectional
 * format characters become '_'; leading '.', '-' and spaces and trailing
 * spaces are dropped; at most RN_TAR_MAX_NAME bytes, cut on a character
 * boundary and keeping a short extension; "file" (before any extension) when
 * nothing is left.  out must hold RN_TAR_NAME_BUFSZ bytes (else RN_ERR_INVAL).
 */
enum rn_err rn_tar_name_sanitize(const char *in, size_t len, char *out, size_t outsz);

/* ==== codenames (daemon/inbox/codename.c) ================================ */

/*
 * A codename is RN_CODENAME_WORDS words drawn uniformly and independently from
 * the BIP-39 English list (2048 words, daemon/inbox/words/): 9 * 11 = 99 bits.
 * Its canonical text is the words in lower case, one space apart.  It is
 * never stored: scrypt(text, RN_CODENAME_SALT, N, r, p) gives 32 bytes from
 * which HKDF-SHA256 expands the mailbox id and an X25519 reply secret key,
 * with distinct info strings.  See daemon/inbox/README.md for the cost.
 */
#define RN_CODENAME_WORDS      9u
#define RN_CODENAME_LIST_SIZE  2048u
#define RN_CODENAME_MAX_WORD   8u /* bytes of the longest word */
#define RN_CODENAME_TEXT_BUFSZ (RN_CODENAME_WORDS * (RN_CODENAME_MAX_WORD + 1u))
#define RN_MAILBOX_ID_LEN      32u
#define RN_CODENAME_SCRYPT_N   16384u
#define RN_CODENAME_SCRYPT_R   8u
#define RN_CODENAME_SCRYPT_P   2u
#define RN_CODENAME_SALT       "roneo codename v1"

/* Holds secrets: wiped by rn_codename_free(). */
struct rn_codename;

/* A fresh random codename (not yet derived). */
enum rn_err rn_codename_generate(struct rn_codename **out);
/*
 * A codename typed by a source, [in, in+len): ASCII case is ignored, and so
 * are spaces, tabs and line breaks around and between the words (any number).
 * Each word is a word of the list, or the first four or more letters of one
 * (BIP-39 words differ in their first four).  RN_ERR_INVAL for an unknown
 * word, a wrong number of words or any other byte; RN_ERR_TOOBIG above
 * RN_CODENAME_MAX_INPUT.
 */
enum rn_err rn_codename_parse(const char *in, size_t len, struct rn_codename **out);
void	    rn_codename_free(struct rn_codename *c);

/* The canonical text (borrowed, NUL-terminated; a secret: show it once). */
const char *rn_codename_text(const struct rn_codename *c);
/* Run scrypt and HKDF: about 60 ms and 16 MiB (128 N r bytes) here. */
enum rn_err rn_codename_derive(struct rn_codename *c);
/* After rn_codename_derive(), else NULL (borrowed, RN_MAILBOX_ID_LEN bytes). */
const uint8_t *rn_codename_mailbox_id(const struct rn_codename *c);
/* The X25519 reply key pair (borrowed, RN_X25519_LEN bytes each) or NULL. */
const uint8_t *rn_codename_reply_secret(const struct rn_codename *c);
const uint8_t *rn_codename_reply_public(const struct rn_codename *c);

/* The word list, sorted (strcmp order), RN_CODENAME_LIST_SIZE entries. */
extern const char *const rn_codename_words[RN_CODENAME_LIST_SIZE];

#endif
