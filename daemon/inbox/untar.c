/*
 * A streaming tar reader for opening submissions on an editor's machine
 * (daemon/inbox/README.md, "Reading tar archives").  Input arrives in pieces
 * of any size; every header is checked before anything of its member is
 * handed on.  What it refuses is listed in include/roneo/rn_editor.h.
 */
#include <stdlib.h>
#include <string.h>

#include "roneo/rn_editor.h"
#include "roneo/rn_inbox.h"

enum state {
	ST_HEADER, /* collecting a 512-byte header block */
	ST_DATA,   /* member data, then padding */
	ST_EXT,	   /* a pax ('x') or GNU long name ('L') header's data */
	ST_SKIP,   /* data to skip (a global pax header) */
	ST_ZERO,   /* one zero block seen */
	ST_END,	   /* the end marker seen: the rest is ignored */
	ST_FAILED,
};

struct rn_untar {
	struct rn_untar_ops ops;
	void		   *arg;
	enum state	    st;
	enum rn_err	    err;
	const char	   *why;
	uint8_t		    blk[RN_TAR_BLOCK];
	size_t		    have;     /* bytes in blk */
	uint64_t	    left;     /* data bytes left in the member or extension */
	uint64_t	    pad;      /* padding bytes left after it */
	char		    ext_type; /* 'x' or 'L' while in ST_EXT */
	struct rn_buf	    ext;      /* extension data being collected */
	bool		    has_path, has_size, has_long;
	char		    path[RN_UNTAR_MAX_PATH + 1]; /* pax path or GNU long name */
	uint64_t	    size;			 /* pax size */
	uint64_t	    members, total;
};

static enum rn_err
fail(struct rn_untar *u, enum rn_err err, const char *why)
{
	if (u->st != ST_FAILED) {
		u->st = ST_FAILED;
		u->err = err;
		u->why = why;
	}
	return u->err;
}

struct rn_untar *
rn_untar_new(const struct rn_untar_ops *ops, void *arg)
{
	struct rn_untar *u;

	if ((u = calloc(1, sizeof(*u))) == NULL)
		return NULL;
	u->ops = *ops;
	u->arg = arg;
	u->why = "";
	rn_buf_init(&u->ext, RN_UNTAR_MAX_PAX);
	return u;
}

void
rn_untar_free(struct rn_untar *u)
{
	if (u == NULL)
		return;
	if (u->ext.data != NULL)
		rn_crypto_wipe(u->ext.data, u->ext.cap);
	rn_buf_free(&u->ext);
	rn_crypto_wipe(u, sizeof(*u));
	free(u);
}

const char *
rn_untar_why(const struct rn_untar *u)
{
	return u->why;
}

uint64_t
rn_untar_members(const struct rn_untar *u)
{
	return u->members;
}

/* Length of the valid UTF-8 sequence at s (n > 0 bytes), 0 if invalid; C1 controls are invalid
 * here. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t	 len, i;
	uint32_t c;

	if (s[0] < 0x80)
		return (s[0] < 0x20 || s[0] == 0x7f) ? 0 : 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, c = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, c = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, c = s[0] & 0x07u;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3fu);
	}
	if ((len == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (len == 4 && (c < 0x10000 || c > 0x10ffff)) || (c >= 0x80 && c <= 0x9f))
		return 0;
	return len;
}

static bool
component_ok(const char *c, size_t n)
{
	if (n == 0 || n > RN_UNTAR_MAX_COMPONENT)
		return false;
	return !(n == 1 && c[0] == '.') && !(n == 2 && c[0] == '.' && c[1] == '.');
}

enum rn_err
rn_untar_path_check(const char *p, size_t n, bool dir, char *out, size_t outsz)
{
	size_t i, start, depth = 0, len;

	if (n == 0 || n > RN_UNTAR_MAX_PATH || outsz <= n || p[0] == '/')
		return RN_ERR_INVAL;
	while (n >= 2 && p[0] == '.' && p[1] == '/') {
		p += 2;
		n -= 2;
		if (n > 0 && p[0] == '/')
			return RN_ERR_INVAL;
	}
	if (n == 1 && p[0] == '.')
		n = 0;
	if (dir && n > 0 && p[n - 1] == '/')
		n--;
	if (n == 0)
		return RN_ERR_NOTFOUND;
	for (i = 0; i < n; i += len)
		if ((len = utf8_len((const unsigned char *)p + i, n - i)) == 0)
			return RN_ERR_INVAL;
	for (start = 0, i = 0; i <= n; i++) {
		if (i < n && p[i] != '/')
			continue;
		if (!component_ok(p + start, i - start) || ++depth > RN_UNTAR_MAX_DEPTH)
			return RN_ERR_INVAL;
		start = i + 1;
	}
	memcpy(out, p, n);
	out[n] = '\0';
	return RN_OK;
}

/* An octal or base-256 numeric field; false if malformed. */
static bool
numeric(const uint8_t *f, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t	 i = 0;

	if (f[0] == 0x80) { /* GNU base-256, positive */
		for (i = 1; i < n; i++) {
			if (v >> 56)
				return false;
			v = (v << 8) | f[i];
		}
		*out = v;
		return true;
	}
	while (i < n && f[i] == ' ')
		i++;
	if (i == n || f[i] < '0' || f[i] > '7')
		return false;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 60)
			return false;
		v = (v << 3) | (uint64_t)(f[i] - '0');
	}
	for (; i < n; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return false;
	*out = v;
	return true;
}

static bool
checksum_ok(const uint8_t *b)
{
	uint64_t      want;
	unsigned long sum_u = 0;
	long	      sum_s = 0;
	size_t	      i;

	if (!numeric(b + 148, 8, &want))
		return false;
	for (i = 0; i < RN_TAR_BLOCK; i++) {
		uint8_t c = (i >= 148 && i < 156) ? ' ' : b[i];

		sum_u += c;
		sum_s += (signed char)c;
	}
	return want == sum_u || (sum_s >= 0 && want == (uint64_t)sum_s);
}

static bool
all_zero(const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

/* A NUL-terminated (or full) field's length. */
static size_t
field_len(const uint8_t *f, size_t n)
{
	const uint8_t *z = memchr(f, 0, n);

	return z != NULL ? (size_t)(z - f) : n;
}

static void
reset_pending(struct rn_untar *u)
{
	u->has_path = u->has_size = u->has_long = false;
	rn_crypto_wipe(u->path, sizeof(u->path));
}

/* One "LEN key=value\n" pax record at p (n bytes left); *used its length. */
static enum rn_err
pax_record(struct rn_untar *u, const char *p, size_t n, size_t *used)
{
	size_t	    i = 0, len = 0, klen;
	const char *key, *val, *eq;

	while (i < n && i < 7 && p[i] >= '0' && p[i] <= '9')
		len = len * 10 + (size_t)(p[i++] - '0');
	if (i == 0 || p[0] == '0' || i >= n || p[i] != ' ' || len > n || len < i + 3 ||
	    p[len - 1] != '\n')
		return fail(u, RN_ERR_INVAL, "malformed pax record");
	key = p + i + 1;
	if ((eq = memchr(key, '=', len - i - 2)) == NULL || eq == key)
		return fail(u, RN_ERR_INVAL, "malformed pax record");
	klen = (size_t)(eq - key);
	val = eq + 1;
	*used = len;
	n = (size_t)(p + len - 1 - val); /* value length */
	if (klen == 4 && memcmp(key, "path", 4) == 0) {
		if (n == 0) {
			u->has_path = false;
			return RN_OK;
		}
		if (n > RN_UNTAR_MAX_PATH || memchr(val, '\0', n) != NULL)
			return fail(u, RN_ERR_INVAL, "bad pax path");
		memcpy(u->path, val, n);
		u->path[n] = '\0';
		u->has_path = true;
	} else if (klen == 4 && memcmp(key, "size", 4) == 0) {
		u->has_size = n > 0;
		if (n > 0 && rn_parse_u64(val, n, RN_UNTAR_MAX_FILE, &u->size) != RN_OK)
			return fail(u, RN_ERR_TOOBIG, "bad or too large pax size");
	} else if (klen > 11 && memcmp(key, "GNU.sparse.", 11) == 0) {
		return fail(u, RN_ERR_INVAL, "sparse members are refused");
	}
	return RN_OK;
}

static enum rn_err
ext_done(struct rn_untar *u)
{
	size_t	    pos = 0, used = 0, n;
	enum rn_err err;

	if (u->ext_type == 'L') {
		n = strnlen(u->ext.data, u->ext.len);
		if (n == 0 || n > RN_UNTAR_MAX_PATH)
			return fail(u, RN_ERR_INVAL, "bad GNU long name");
		memcpy(u->path, u->ext.data, n);
		u->path[n] = '\0';
		u->has_long = true;
	} else {
		while (pos < u->ext.len) {
			if ((err = pax_record(u, u->ext.data + pos, u->ext.len - pos, &used)) !=
			    RN_OK)
				return err;
			pos += used;
		}
	}
	rn_crypto_wipe(u->ext.data, u->ext.len);
	rn_buf_reset(&u->ext);
	return RN_OK;
}

/* The member's path from pending extensions or the header's name and prefix. */
static enum rn_err
member_path(struct rn_untar *u, const uint8_t *b, bool dir, char *out)
{
	char   raw[RN_TAR_BLOCK];
	size_t nl, pl;

	if (u->has_path || u->has_long)
		return rn_untar_path_check(
		    u->path, strlen(u->path), dir, out, RN_UNTAR_MAX_PATH + 1);
	nl = field_len(b, 100);
	pl = memcmp(b + 257, "ustar\0", 6) == 0 ? field_len(b + 345, 155) : 0;
	if (pl > 0) {
		memcpy(raw, b + 345, pl);
		raw[pl] = '/';
		memcpy(raw + pl + 1, b, nl);
		nl += pl + 1;
	} else {
		memcpy(raw, b, nl);
	}
	return rn_untar_path_check(raw, nl, dir, out, RN_UNTAR_MAX_PATH + 1);
}

static enum rn_err
begin_member(struct rn_untar *u, const uint8_t *b, bool dir, uint64_t size)
{
	char	    path[RN_UNTAR_MAX_PATH + 1];
	enum rn_err err;

	err = member_path(u, b, dir, path);
	reset_pending(u);
	if (err == RN_ERR_NOTFOUND && dir)
		return RN_OK; /* "./" itself */
	if (err != RN_OK)
		return fail(u, RN_ERR_INVAL, "unsafe or malformed member path");
	if (++u->members > RN_UNTAR_MAX_MEMBERS)
		return fail(u, RN_ERR_TOOBIG, "too many members");
	if (size > RN_UNTAR_MAX_FILE || size > RN_UNTAR_MAX_TOTAL - u->total)
		return fail(u, RN_ERR_TOOBIG, "member too large");
	u->total += size;
	if ((err = u->ops.begin(path, dir, size, u->arg)) != RN_OK)
		return fail(u, err, "could not write a member");
	u->left = size;
	u->pad = (RN_TAR_BLOCK - size % RN_TAR_BLOCK) % RN_TAR_BLOCK;
	u->st = ST_DATA;
	return RN_OK;
}

static enum rn_err
extension(struct rn_untar *u, char type, uint64_t size)
{
	if ((type == 'x' && (u->has_path || u->has_size)) || (type == 'L' && u->has_long))
		return fail(u, RN_ERR_INVAL, "repeated extended header");
	if (size > (type == 'L' ? RN_UNTAR_MAX_PATH + 1u : RN_UNTAR_MAX_PAX))
		return fail(u, RN_ERR_TOOBIG, "extended header too large");
	u->ext_type = type;
	u->left = size;
	u->pad = (RN_TAR_BLOCK - size % RN_TAR_BLOCK) % RN_TAR_BLOCK;
	u->st = type == 'g' ? ST_SKIP : ST_EXT;
	return RN_OK;
}

static enum rn_err
header(struct rn_untar *u)
{
	const uint8_t *b = u->blk;
	uint64_t       size;
	char	       type = (char)b[156];

	if (all_zero(b, RN_TAR_BLOCK)) {
		if (u->has_path || u->has_size || u->has_long)
			return fail(u, RN_ERR_INVAL, "extended header without a member");
		u->st = u->st == ST_ZERO ? ST_END : ST_ZERO;
		return RN_OK;
	}
	if (u->st == ST_ZERO)
		return fail(u, RN_ERR_INVAL, "data after a zero block");
	if (!checksum_ok(b))
		return fail(u, RN_ERR_INVAL, "bad header checksum");
	if (memcmp(b + 257,
		"ustar\0"
		"00",
		8) != 0 &&
	    memcmp(b + 257, "ustar  \0", 8) != 0)
		return fail(u, RN_ERR_INVAL, "not a ustar or GNU tar header");
	if (!numeric(b + 124, 12, &size))
		return fail(u, RN_ERR_INVAL, "bad size field");
	switch (type) {
	case 'x':
	case 'g':
	case 'L': return extension(u, type, size);
	case '0':
	case '\0':
	case '7': return begin_member(u, b, false, u->has_size ? u->size : size);
	case '5':
		if (size != 0 || u->has_size)
			return fail(u, RN_ERR_INVAL, "directory with data");
		return begin_member(u, b, true, 0);
	case '1':
	case '2':
	case 'K': return fail(u, RN_ERR_INVAL, "links are refused");
	case '3':
	case '4':
	case '6': return fail(u, RN_ERR_INVAL, "devices and FIFOs are refused");
	default: return fail(u, RN_ERR_INVAL, "unsupported member type");
	}
}

/* Member data, extension data or skipped data, then padding; *used bytes taken. */
static enum rn_err
body(struct rn_untar *u, const uint8_t *p, size_t n, size_t *used)
{
	size_t	    k = 0;
	enum rn_err err;

	if (u->left > 0) {
		k = u->left < n ? (size_t)u->left : n;
		if (u->st == ST_DATA && (err = u->ops.data(p, k, u->arg)) != RN_OK)
			return fail(u, err, "could not write a member");
		if (u->st == ST_EXT && rn_buf_append(&u->ext, p, k) != RN_OK)
			return fail(u, RN_ERR_TOOBIG, "extended header too large");
		u->left -= k;
	}
	if (u->left == 0 && u->pad > 0 && k < n) {
		size_t s = u->pad < n - k ? (size_t)u->pad : n - k;

		u->pad -= s;
		k += s;
	}
	*used = k;
	if (u->left > 0 || u->pad > 0)
		return RN_OK;
	if (u->st == ST_DATA) {
		if ((err = u->ops.end(u->arg)) != RN_OK)
			return fail(u, err, "could not write a member");
	} else if (u->st == ST_EXT && (err = ext_done(u)) != RN_OK) {
		return err;
	}
	u->st = ST_HEADER;
	return RN_OK;
}

enum rn_err
rn_untar_update(struct rn_untar *u, const void *p, size_t n)
{
	const uint8_t *s = p;
	size_t	       used = 0, k;
	enum rn_err    err;

	while (n > 0) {
		switch (u->st) {
		case ST_FAILED: return u->err;
		case ST_END: return RN_OK;
		case ST_HEADER:
		case ST_ZERO:
			k = RN_TAR_BLOCK - u->have < n ? RN_TAR_BLOCK - u->have : n;
			memcpy(u->blk + u->have, s, k);
			u->have += k;
			s += k;
			n -= k;
			if (u->have == RN_TAR_BLOCK) {
				u->have = 0;
				if ((err = header(u)) != RN_OK)
					return err;
				if (u->st == ST_DATA && u->left == 0 &&
				    (err = body(u, s, 0, &used)) != RN_OK)
					return err;
			}
			break;
		default:
			if ((err = body(u, s, n, &used)) != RN_OK)
				return err;
			s += used;
			n -= used;
		}
	}
	return u->st == ST_FAILED ? u->err : RN_OK;
}

enum rn_err
rn_untar_sink(const void *p, size_t n, void *arg)
{
	return rn_untar_update(arg, p, n);
}

enum rn_err
rn_untar_finish(struct rn_untar *u)
{
	if (u->st == ST_FAILED)
		return u->err;
	if ((u->st == ST_END || u->st == ST_ZERO) && u->have == 0)
		return RN_OK;
	if (u->st == ST_END)
		return RN_OK;
	return fail(u, RN_ERR_INVAL, "the archive is cut short");
}
