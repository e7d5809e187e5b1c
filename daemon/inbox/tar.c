/*
 * A streaming tar writer for the inside of a sealed submission: ustar headers,
 * with a pax extended header for a name that is not short ASCII or a size
 * past ustar's 8 GiB, then zero blocks up to a size bucket.
 *
 * Why a member's size must be known when it begins: a tar header holds the
 * size and comes before the data, and nothing in the format lets a reader
 * learn it later.  GNU tar extracts a later member of the same name over an
 * earlier one (it does not append), and sparse and multi-volume members
 * declare their sizes up front as well.  So either the caller declares each
 * size (rn_tar_begin_file(), and this writer checks that the data matches),
 * or the member is streamed (rn_tar_begin_stream()): its header block is
 * written as a placeholder that the sink is told to hold, and patched with
 * the real size at the end.  The age writer in positioned mode keeps the
 * chunks holding it as plaintext in memory until then (README.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roneo/rn_crypto.h"
#include "roneo/rn_inbox.h"
#include "roneo/rn_util.h"

#define USTAR_MAX_SIZE 077777777777ull /* 11 octal digits */
#define USTAR_NAME_LEN 100u
#define EXT_MAX	       16u /* an extension (dot included) kept apart when cutting */
#define PAX_NAME       "././@PaxHeader"
#define FALLBACK_NAME  "file"
#define NAME_SLOTS     (2u * RN_TAR_MAX_MEMBERS) /* a power of two */

struct ustar {
	char name[USTAR_NAME_LEN];
	char mode[8];
	char uid[8];
	char gid[8];
	char size[12];
	char mtime[12];
	char chksum[8];
	char typeflag;
	char linkname[100];
	char magic[6];
	char version[2];
	char uname[32];
	char gname[32];
	char devmajor[8];
	char devminor[8];
	char prefix[155];
	char pad[12];
};
_Static_assert(sizeof(struct ustar) == RN_TAR_BLOCK, "a ustar header is one block");
_Static_assert(RN_TAR_MAX_NAME + sizeof(" (18446744073709551615)") <= RN_TAR_NAME_BUFSZ,
    "a name with its suffix fits");
_Static_assert((NAME_SLOTS & (NAME_SLOTS - 1)) == 0 && NAME_SLOTS < 65536, "slots index names");

struct rn_tar {
	enum rn_err (*sink)(const void *p, size_t n, void *arg);
	void	       *arg;
	uint64_t	total; /* bytes given to the sink */
	uint64_t	size;  /* declared size of the open member */
	uint64_t	left;  /* of which not yet written */
	bool		open;
	bool		stream;	 /* the open member is streamed */
	uint64_t	hdr_off; /* where its placeholder header is */
	bool		finished;
	rn_tar_hold_fn	hold;
	rn_tar_patch_fn patch;
	void	       *parg;
	enum rn_err	failed; /* sticky */
	char	      **names;	/* names used, for uniqueness */
	size_t		nnames;
	size_t		cap;
	uint64_t	seed;
	uint16_t	slot[NAME_SLOTS]; /* 1 + index into names, 0 when empty */
	char		last[RN_TAR_NAME_BUFSZ];
};

static const uint8_t zeros[16384];

static enum rn_err
fail(struct rn_tar *t, enum rn_err err)
{
	t->failed = err;
	return err;
}

static enum rn_err
emit(struct rn_tar *t, const void *p, size_t n)
{
	enum rn_err err;

	if (n == 0)
		return RN_OK;
	if ((err = t->sink(p, n, t->arg)) != RN_OK)
		return fail(t, err);
	t->total += n;
	return RN_OK;
}

static enum rn_err
emit_zeros(struct rn_tar *t, uint64_t n)
{
	enum rn_err err;
	size_t	    chunk;

	while (n > 0) {
		chunk = n < sizeof(zeros) ? (size_t)n : sizeof(zeros);
		if ((err = emit(t, zeros, chunk)) != RN_OK)
			return err;
		n -= chunk;
	}
	return RN_OK;
}

uint64_t
rn_tar_bucket(uint64_t size)
{
	uint64_t base = RN_TAR_BUCKET_MIN, step;

	if (size > RN_TAR_BUCKET_MAX)
		return 0;
	if (size <= base)
		return base;
	while (size > 2 * base) /* base < size <= 2 base; no overflow below 2^62 */
		base *= 2;
	step = base / 4;
	return base + (size - base + step - 1) / step * step;
}

/* ---- names ------------------------------------------------------------- */

/* The length of the valid UTF-8 sequence at s, with its code point, or 0. */
static size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c, min;
	size_t	 len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		c = s[0] & 0x1fu;
		min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		c = s[0] & 0x0fu;
		min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		c = s[0] & 0x07u;
		min = 0x10000;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3fu);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/*
 * Characters that have no place in a file name shown to an editor: controls,
 * and the invisible or direction-changing format characters that can make
 * "evil\u202Efdp.exe" look like "evilexe.pdf".
 */
static bool
is_unsafe(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0xad || c == 0x61c ||
	       (c >= 0x200b && c <= 0x200f) || (c >= 0x2028 && c <= 0x202e) ||
	       (c >= 0x2060 && c <= 0x206f) || c == 0xfeff || (c >= 0xfff9 && c <= 0xfffb) ||
	       (c >= 0xe0000 && c <= 0xe007f);
}

/*
 * Append the cleaned [p, p+n) to out (holding *o bytes), never past cap and
 * never splitting a character.  With strip, leading '.', '-' and ' ' of the
 * result are dropped.
 */
static void
clean_into(char *out, size_t *o, size_t cap, const char *p, size_t n, bool strip)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t		     i = 0, len;
	uint32_t	     c;

	while (i < n) {
		len = utf8_decode(s + i, n - i, &c);
		if (len == 0 || is_unsafe(c)) {
			if (*o + 1 > cap)
				return;
			out[(*o)++] = '_';
			i += len == 0 ? 1 : len;
			continue;
		}
		if (strip && *o == 0 && (c == '.' || c == '-' || c == ' ')) {
			i++;
			continue;
		}
		if (*o + len > cap)
			return;
		memcpy(out + *o, s + i, len);
		*o += len;
		i += len;
	}
}

/*
 * The length of the extension of [p, p+n): from its last '.' (not the first
 * byte, not the last) on, if that is short.  0 when there is none.
 */
static size_t
ext_len(const char *p, size_t n)
{
	size_t i, e;

	for (i = n; i > 1; i--) {
		if (p[i - 1] == '.') {
			e = n - (i - 1);
			return e >= 2 && e <= EXT_MAX ? e : 0;
		}
		if (n - i >= EXT_MAX)
			break;
	}
	return 0;
}

enum rn_err
rn_tar_name_sanitize(const char *in, size_t len, char *out, size_t outsz)
{
	char   ext[EXT_MAX + 1];
	size_t i, start = 0, elen, ecl = 0, o = 0;

	if (out == NULL || outsz < RN_TAR_NAME_BUFSZ || (in == NULL && len > 0))
		return RN_ERR_INVAL;
	if (in == NULL)
		in = "";
	for (i = 0; i < len; i++)
		if (in[i] == '/' || in[i] == '\\')
			start = i + 1;
	in += start;
	len -= start;
	elen = ext_len(in, len);
	clean_into(ext, &ecl, EXT_MAX, in + len - elen, elen, false);
	clean_into(out, &o, RN_TAR_MAX_NAME - ecl, in, len - elen, true);
	if (o == 0) {
		memcpy(out, FALLBACK_NAME, sizeof(FALLBACK_NAME) - 1);
		o = sizeof(FALLBACK_NAME) - 1;
	}
	memcpy(out + o, ext, ecl);
	o += ecl;
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	return RN_OK;
}

/*
 * The names taken sit in an open-addressing table, hashed case-folded with a
 * random seed, so that a thousand files named alike cost little.
 */
static uint64_t
name_hash(const struct rn_tar *t, const char *s, size_t n)
{
	uint64_t h = t->seed ^ 0xcbf29ce484222325ull; /* FNV-1a */
	size_t	 i;
	char	 c;

	for (i = 0; i < n; i++) {
		c = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
		h = (h ^ (unsigned char)c) * 0x100000001b3ull;
	}
	return h ^ (h >> 29);
}

/* The slot of name, or of the empty slot where it would go. */
static size_t
name_slot(const struct rn_tar *t, const char *name, bool *found)
{
	size_t	    n = strlen(name), i = (size_t)name_hash(t, name, n) & (NAME_SLOTS - 1);
	const char *o;

	*found = false;
	/* Fewer names than slots: an empty slot ends the probe. */
	while (t->slot[i] != 0) {
		o = t->names[t->slot[i] - 1];
		if (strlen(o) == n && rn_ascii_casecmp_n(o, name, n)) {
			*found = true;
			break;
		}
		i = (i + 1) & (NAME_SLOTS - 1);
	}
	return i;
}

/* Make name (a sanitised name in a RN_TAR_NAME_BUFSZ buffer) unique and remember it. */
static enum rn_err
take_name(struct rn_tar *t, char *name)
{
	char   ext[EXT_MAX + 1], num[24];
	size_t n = strlen(name), elen, slen, nlen, k, cap, slot;
	char **v;
	bool   found;

	slot = name_slot(t, name, &found);
	if (found) {
		/* The name is at most RN_TAR_MAX_NAME bytes: "stem (k).ext" fits. */
		elen = ext_len(name, n);
		slen = n - elen;
		memcpy(ext, name + slen, elen + 1);
		/* At most RN_TAR_MAX_MEMBERS names are taken, so one of these is free. */
		for (k = 2; k <= RN_TAR_MAX_MEMBERS + 1; k++) {
			nlen = (size_t)snprintf(num, sizeof(num), " (%zu)", k);
			memcpy(name + slen, num, nlen);
			memcpy(name + slen + nlen, ext, elen + 1);
			slot = name_slot(t, name, &found);
			if (!found)
				break;
		}
	}
	if (t->nnames == t->cap) {
		cap = t->cap == 0 ? 8 : t->cap * 2;
		if ((v = realloc(t->names, cap * sizeof(*v))) == NULL)
			return RN_ERR_NOMEM;
		t->names = v;
		t->cap = cap;
	}
	if ((t->names[t->nnames] = strdup(name)) == NULL)
		return RN_ERR_NOMEM;
	t->slot[slot] = (uint16_t)++t->nnames;
	return RN_OK;
}

/* ---- headers ----------------------------------------------------------- */

static void
put_octal(char *f, size_t width, uint64_t v)
{
	size_t i = width - 1;

	f[i] = '\0';
	while (i > 0) {
		f[--i] = (char)('0' + (v & 7u));
		v >>= 3;
	}
}

static void
build_header(struct ustar *hp, const char *name, uint64_t size, char type)
{
	struct ustar	     h;
	const unsigned char *b;
	size_t		     i, n = strlen(name);
	unsigned	     sum = 0;

	memset(&h, 0, sizeof(h));
	memcpy(h.name, name, n < sizeof(h.name) ? n : sizeof(h.name));
	put_octal(h.mode, sizeof(h.mode), 0600);
	put_octal(h.uid, sizeof(h.uid), 0);
	put_octal(h.gid, sizeof(h.gid), 0);
	put_octal(h.size, sizeof(h.size), size <= USTAR_MAX_SIZE ? size : 0);
	put_octal(h.mtime, sizeof(h.mtime), 0);
	h.typeflag = type;
	memcpy(h.magic, "ustar", 6);
	memcpy(h.version, "00", 2);
	put_octal(h.devmajor, sizeof(h.devmajor), 0);
	put_octal(h.devminor, sizeof(h.devminor), 0);
	memset(h.chksum, ' ', sizeof(h.chksum));
	b = (const unsigned char *)&h;
	for (i = 0; i < sizeof(h); i++)
		sum += b[i];
	put_octal(h.chksum, 7, sum); /* six digits, NUL, space */
	*hp = h;
}

static enum rn_err
put_header(struct rn_tar *t, const char *name, uint64_t size, char type)
{
	struct ustar h;

	build_header(&h, name, size, type);
	return emit(t, &h, sizeof(h));
}

/* The ustar name field's form of name: ASCII, '_' for other bytes, cut; false if it changed. */
static bool
ascii_name(const char *name, char ascii[USTAR_NAME_LEN + 1])
{
	size_t i, n = strlen(name);
	bool   plain = n <= USTAR_NAME_LEN;

	for (i = 0; i < n && i < USTAR_NAME_LEN; i++) {
		plain = plain && (unsigned char)name[i] < 0x80;
		ascii[i] = (unsigned char)name[i] < 0x80 ? name[i] : '_';
	}
	ascii[i] = '\0';
	return plain;
}

static size_t
digits(size_t v)
{
	size_t d = 1;

	while (v >= 10) {
		v /= 10;
		d++;
	}
	return d;
}

/* Append the pax record "LEN key=value\n" to buf (room for it is known). */
static size_t
pax_record(char *buf, const char *key, const char *val, size_t vlen)
{
	size_t body = 1 + strlen(key) + 1 + vlen + 1, d = 1, n;

	while (digits(body + d) != d)
		d++;
	n = (size_t)snprintf(buf, 64, "%zu %s=", body + d, key);
	memcpy(buf + n, val, vlen);
	buf[n + vlen] = '\n';
	return body + d;
}

/* With stream, the ustar header is a held placeholder (size is then 0). */
static enum rn_err
put_member_headers(struct rn_tar *t, const char *name, uint64_t size, bool stream)
{
	char	    ascii[USTAR_NAME_LEN + 1], rec[RN_TAR_BLOCK], num[24];
	size_t	    n = strlen(name), len = 0;
	enum rn_err err;

	if (!ascii_name(name, ascii))
		len += pax_record(rec + len, "path", name, n);
	if (size > USTAR_MAX_SIZE) {
		(void)snprintf(num, sizeof(num), "%llu", (unsigned long long)size);
		len += pax_record(rec + len, "size", num, strlen(num));
	}
	if (len > 0) {
		if ((err = put_header(t, PAX_NAME, len, 'x')) != RN_OK ||
		    (err = emit(t, rec, len)) != RN_OK ||
		    (err = emit_zeros(t, RN_TAR_BLOCK - len)) != RN_OK)
			return err;
	}
	if (stream) {
		t->hdr_off = t->total;
		if ((err = t->hold(t->total, RN_TAR_BLOCK, t->parg)) != RN_OK)
			return fail(t, err);
	}
	return put_header(t, ascii, size, '0');
}

/* ---- the writer -------------------------------------------------------- */

struct rn_tar *
rn_tar_new(enum rn_err (*sink)(const void *p, size_t n, void *arg), void *arg)
{
	struct rn_tar *t;

	if (sink == NULL || (t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if (rn_crypto_random(&t->seed, sizeof(t->seed)) != RN_OK) {
		free(t);
		return NULL;
	}
	t->sink = sink;
	t->arg = arg;
	return t;
}

void
rn_tar_free(struct rn_tar *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nnames; i++) {
		rn_crypto_wipe(t->names[i], strlen(t->names[i]));
		free(t->names[i]);
	}
	free(t->names);
	rn_crypto_wipe(t, sizeof(*t));
	free(t);
}

void
rn_tar_set_patcher(struct rn_tar *t, rn_tar_hold_fn hold, rn_tar_patch_fn patch, void *arg)
{
	t->hold = hold;
	t->patch = patch;
	t->parg = arg;
}

static enum rn_err
begin_member(struct rn_tar *t, const char *name, size_t len, uint64_t size, bool stream)
{
	char	    clean[RN_TAR_NAME_BUFSZ];
	enum rn_err err;

	if (t->failed != RN_OK)
		return t->failed;
	if (t->open || t->finished || (name == NULL && len > 0) ||
	    (stream && (t->hold == NULL || t->patch == NULL)))
		return fail(t, RN_ERR_INVAL);
	if (size > RN_TAR_MAX_FILE || t->nnames >= RN_TAR_MAX_MEMBERS)
		return RN_ERR_TOOBIG;
	if ((err = rn_tar_name_sanitize(name, len, clean, sizeof(clean))) != RN_OK ||
	    (err = take_name(t, clean)) != RN_OK)
		goto out;
	memcpy(t->last, clean, sizeof(t->last));
	if ((err = put_member_headers(t, clean, size, stream)) != RN_OK)
		goto out;
	t->open = true;
	t->stream = stream;
	t->size = size;
	t->left = stream ? RN_TAR_MAX_STREAM : size;
out:
	rn_crypto_wipe(clean, sizeof(clean));
	return err;
}

enum rn_err
rn_tar_begin_file(struct rn_tar *t, const char *name, size_t len, uint64_t size)
{
	return begin_member(t, name, len, size, false);
}

enum rn_err
rn_tar_begin_stream(struct rn_tar *t, const char *name, size_t len)
{
	return begin_member(t, name, len, 0, true);
}

enum rn_err
rn_tar_end_stream(struct rn_tar *t)
{
	char	     ascii[USTAR_NAME_LEN + 1];
	struct ustar h;
	uint64_t     size;
	enum rn_err  err;

	if (t->failed != RN_OK)
		return t->failed;
	if (!t->open || !t->stream)
		return fail(t, RN_ERR_INVAL);
	size = RN_TAR_MAX_STREAM - t->left;
	if ((err = emit_zeros(t, (RN_TAR_BLOCK - size % RN_TAR_BLOCK) % RN_TAR_BLOCK)) != RN_OK)
		return err;
	(void)ascii_name(t->last, ascii);
	build_header(&h, ascii, size, '0');
	if ((err = t->patch(t->hdr_off, &h, sizeof(h), t->parg)) != RN_OK)
		return fail(t, err);
	t->open = false;
	t->stream = false;
	return RN_OK;
}

enum rn_err
rn_tar_write(struct rn_tar *t, const void *p, size_t n)
{
	enum rn_err err;

	if (t->failed != RN_OK)
		return t->failed;
	if (t->open && t->stream && n > t->left)
		return fail(t, RN_ERR_TOOBIG);
	if (!t->open || n > t->left || (p == NULL && n > 0))
		return fail(t, RN_ERR_INVAL);
	if ((err = emit(t, p, n)) != RN_OK)
		return err;
	t->left -= n;
	return RN_OK;
}

enum rn_err
rn_tar_end_file(struct rn_tar *t)
{
	enum rn_err err;

	if (t->failed != RN_OK)
		return t->failed;
	if (!t->open || t->stream || t->left != 0)
		return fail(t, RN_ERR_INVAL);
	if ((err = emit_zeros(t, (RN_TAR_BLOCK - t->size % RN_TAR_BLOCK) % RN_TAR_BLOCK)) != RN_OK)
		return err;
	t->open = false;
	return RN_OK;
}

enum rn_err
rn_tar_add_file(struct rn_tar *t, const char *name, size_t len, const void *data, size_t size)
{
	enum rn_err err;

	if ((err = rn_tar_begin_file(t, name, len, size)) != RN_OK ||
	    (err = rn_tar_write(t, data, size)) != RN_OK)
		return err;
	return rn_tar_end_file(t);
}

const char *
rn_tar_last_name(const struct rn_tar *t)
{
	return t->last;
}

uint64_t
rn_tar_total(const struct rn_tar *t)
{
	return t->total;
}

enum rn_err
rn_tar_finish(struct rn_tar *t, uint64_t *total)
{
	uint64_t    bucket;
	enum rn_err err;

	if (t->failed != RN_OK)
		return t->failed;
	if (t->open || t->finished)
		return fail(t, RN_ERR_INVAL);
	if ((err = emit_zeros(t, 2 * RN_TAR_BLOCK)) != RN_OK)
		return err;
	if ((bucket = rn_tar_bucket(t->total)) == 0)
		return fail(t, RN_ERR_TOOBIG);
	if ((err = emit_zeros(t, bucket - t->total)) != RN_OK)
		return err;
	t->finished = true;
	if (total != NULL)
		*total = t->total;
	return RN_OK;
}
