/*
 * roneod.conf: a strict, line-at-a-time parser driven by the option table of
 * options.c, the cross-option checks, and the dump that parses back to the
 * same configuration.  Every message names the option and what it expected;
 * text from the file is escaped before it is quoted.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roneo/rn_conf.h"
#include "roneo/rn_tor.h"

#define KIB    UINT64_C(1024)
#define MIB    (UINT64_C(1024) * KIB)
#define GIB    (UINT64_C(1024) * MIB)
#define MINUTE UINT64_C(60)
#define HOUR   (UINT64_C(60) * MINUTE)
#define DAY    (UINT64_C(24) * HOUR)

#define MSG_MAX 1024 /* one error message, before the "NAME:LINE: " prefix */
#define ESC_MAX (4 * RN_LOG_UNTRUSTED_MAX + 8)
#define NUM_MAX 64 /* a formatted size or duration */

struct unit {
	const char *name;
	uint64_t    mult;
};

/* Sizes: KB and KiB are both 1024, as in tor. */
static const struct unit size_units[] = {
	{ "bytes", 1 },
	{ "byte", 1 },
	{ "B", 1 },
	{ "KB", KIB },
	{ "KiB", KIB },
	{ "MB", MIB },
	{ "MiB", MIB },
	{ "GB", GIB },
	{ "GiB", GIB },
};

static const struct unit duration_units[] = {
	{ "seconds", 1 },
	{ "second", 1 },
	{ "sec", 1 },
	{ "s", 1 },
	{ "minutes", MINUTE },
	{ "minute", MINUTE },
	{ "min", MINUTE },
	{ "hours", HOUR },
	{ "hour", HOUR },
	{ "days", DAY },
	{ "day", DAY },
};

static void errf(char *, size_t, const char *, ...) __attribute__((format(printf, 3, 4)));

static void
errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static const char *
esc(const char *s, size_t n, char *out, size_t outsz)
{
	return rn_escape_untrusted(s, n, RN_LOG_UNTRUSTED_MAX, out, outsz);
}

static bool
is_space(char ch)
{
	return ch == ' ' || ch == '\t';
}

static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && is_space(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_space((*s)[*n - 1]))
		(*n)--;
}

static void *
field(struct rn_conf *c, const struct rn_conf_option *o)
{
	return (char *)c + o->offset;
}

static const void *
cfield(const struct rn_conf *c, const struct rn_conf_option *o)
{
	return (const char *)c + o->offset;
}

static const struct rn_conf_option *
find_option(const char *key, size_t n)
{
	const struct rn_conf_option *opts;
	size_t			     i, nopts;

	opts = rn_conf_options(&nopts);
	for (i = 0; i < nopts; i++)
		if (strlen(opts[i].name) == n && rn_ascii_casecmp_n(opts[i].name, key, n))
			return &opts[i];
	return NULL;
}

/* Bytes no line may hold: NUL, other controls except TAB, and DEL. */
static enum rn_err
check_bytes(const char *s, size_t n, char *msg, size_t msglen)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '\0') {
			errf(msg, msglen, "NUL byte at column %zu", i + 1);
			return RN_ERR_INVAL;
		}
		if (ch == '\r' && i + 1 == n) {
			errf(msg, msglen,
			    "line ends with a carriage return: CRLF line "
			    "endings are not accepted, save the file with LF line endings");
			return RN_ERR_INVAL;
		}
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
			errf(msg, msglen, "control character 0x%02x at column %zu", ch, i + 1);
			return RN_ERR_INVAL;
		}
	}
	return RN_OK;
}

/* "N [unit]": digits, optional blanks, optional unit; overflow-checked. */
static enum rn_err
parse_number_unit(const char *s, size_t n, const struct unit *units, size_t nunits, uint64_t *out)
{
	uint64_t    v, mult = 1;
	size_t	    digits = 0, i;
	enum rn_err r;

	while (digits < n && s[digits] >= '0' && s[digits] <= '9')
		digits++;
	if ((r = rn_parse_u64(s, digits, UINT64_MAX, &v)) != RN_OK)
		return r;
	s += digits;
	n -= digits;
	while (n > 0 && is_space(*s)) {
		s++;
		n--;
	}
	if (n > 0) {
		for (i = 0; i < nunits; i++)
			if (strlen(units[i].name) == n && rn_ascii_casecmp_n(units[i].name, s, n))
				break;
		if (i == nunits)
			return RN_ERR_INVAL;
		mult = units[i].mult;
	}
	if (v > UINT64_MAX / mult)
		return RN_ERR_TOOBIG;
	*out = v * mult;
	return RN_OK;
}

/* The largest unit that divides v exactly, so that the text parses back to v. */
static const char *
format_size(uint64_t v, char *out, size_t outsz)
{
	if (v != 0 && v % GIB == 0)
		snprintf(out, outsz, "%" PRIu64 " GiB", v / GIB);
	else if (v != 0 && v % MIB == 0)
		snprintf(out, outsz, "%" PRIu64 " MiB", v / MIB);
	else if (v != 0 && v % KIB == 0)
		snprintf(out, outsz, "%" PRIu64 " KiB", v / KIB);
	else
		snprintf(out, outsz, "%" PRIu64 " %s", v, v == 1 ? "byte" : "bytes");
	return out;
}

static const char *
format_duration(uint64_t v, char *out, size_t outsz)
{
	const char *unit = "second";
	uint64_t    n = v;

	if (v != 0 && v % DAY == 0) {
		n = v / DAY;
		unit = "day";
	} else if (v != 0 && v % HOUR == 0) {
		n = v / HOUR;
		unit = "hour";
	} else if (v != 0 && v % MINUTE == 0) {
		n = v / MINUTE;
		unit = "minute";
	}
	snprintf(out, outsz, "%" PRIu64 " %s%s", n, unit, n == 1 ? "" : "s");
	return out;
}

static enum rn_err
set_number(struct rn_conf *c, const struct rn_conf_option *o, const char *v, size_t n, char *msg,
    size_t msglen)
{
	char	    e[ESC_MAX], lo[NUM_MAX], hi[NUM_MAX];
	uint64_t    x = 0;
	enum rn_err r;

	if (o->type == RN_CONF_UINT)
		r = rn_parse_u64(v, n, UINT64_MAX, &x);
	else if (o->type == RN_CONF_SIZE)
		r = parse_number_unit(v, n, size_units, RN_ARRAY_LEN(size_units), &x);
	else
		r = parse_number_unit(v, n, duration_units, RN_ARRAY_LEN(duration_units), &x);
	if (r == RN_OK && x >= o->min && x <= o->max) {
		*(uint64_t *)field(c, o) = x;
		return RN_OK;
	}
	esc(v, n, e, sizeof(e));
	if (o->type == RN_CONF_UINT)
		errf(msg, msglen,
		    "%s: expected an integer from %" PRIu64 " to %" PRIu64 ", got \"%s\"", o->name,
		    o->min, o->max, e);
	else if (o->type == RN_CONF_SIZE)
		errf(msg, msglen,
		    "%s: expected a size from %s to %s (N [bytes|KiB|MiB|GiB])"
		    ", got \"%s\"",
		    o->name, format_size(o->min, lo, sizeof(lo)),
		    format_size(o->max, hi, sizeof(hi)), e);
	else
		errf(msg, msglen,
		    "%s: expected a duration from %s to %s (N [seconds|minutes|"
		    "hours|days]), got \"%s\"",
		    o->name, format_duration(o->min, lo, sizeof(lo)),
		    format_duration(o->max, hi, sizeof(hi)), e);
	return r == RN_OK ? RN_ERR_INVAL : r;
}

static enum rn_err
set_list(struct rn_conf *c, const struct rn_conf_option *o, const char *v, size_t n, bool replace,
    char *msg, size_t msglen)
{
	struct rn_conf_list *l = field(c, o);
	char		    *s;
	size_t		     i;

	if (!replace && l->n >= RN_CONF_MAX_LIST) {
		errf(msg, msglen, "%s: more than %u values", o->name, RN_CONF_MAX_LIST);
		return RN_ERR_TOOBIG;
	}
	if ((s = strndup(v, n)) == NULL) {
		errf(msg, msglen, "%s: out of memory", o->name);
		return RN_ERR_NOMEM;
	}
	if (replace) {
		for (i = 0; i < l->n; i++)
			RN_FREE(l->v[i]);
		l->n = 0;
	}
	l->v[l->n++] = s;
	return RN_OK;
}

static enum rn_err
set_string(struct rn_conf *c, const struct rn_conf_option *o, const char *v, size_t n, char *msg,
    size_t msglen)
{
	char e[ESC_MAX], **dst = field(c, o), *s;

	if (o->type == RN_CONF_PATH && v[0] != '/') {
		errf(msg, msglen, "%s: expected an absolute path, got \"%s\"", o->name,
		    esc(v, n, e, sizeof(e)));
		return RN_ERR_INVAL;
	}
	if ((s = strndup(v, n)) == NULL) {
		errf(msg, msglen, "%s: out of memory", o->name);
		return RN_ERR_NOMEM;
	}
	free(*dst);
	*dst = s;
	return RN_OK;
}

static enum rn_err
set_loglevel(struct rn_conf *c, const struct rn_conf_option *o, const char *v, size_t n, char *msg,
    size_t msglen)
{
	char		  buf[16], e[ESC_MAX];
	enum rn_log_level level;
	size_t		  i;

	if (n < sizeof(buf)) {
		for (i = 0; i < n; i++)
			buf[i] = (v[i] >= 'A' && v[i] <= 'Z') ? (char)(v[i] - 'A' + 'a') : v[i];
		buf[n] = '\0';
		if (rn_log_level_parse(buf, &level)) {
			*(enum rn_log_level *)field(c, o) = level;
			return RN_OK;
		}
	}
	errf(msg, msglen, "%s: expected err, warn, notice, info or debug, got \"%s\"", o->name,
	    esc(v, n, e, sizeof(e)));
	return RN_ERR_INVAL;
}

/*
 * Set o from the trimmed, non-empty value [v, v+n).  On error c is unchanged
 * and msg names the option.  replace: a list value replaces the whole list.
 */
static enum rn_err
set_value(struct rn_conf *c, const struct rn_conf_option *o, const char *v, size_t n, bool replace,
    char *msg, size_t msglen)
{
	char e[ESC_MAX];

	switch (o->type) {
	case RN_CONF_BOOL:
		if (n == 1 && (v[0] == '0' || v[0] == '1')) {
			*(bool *)field(c, o) = v[0] == '1';
			return RN_OK;
		}
		errf(msg, msglen, "%s: expected 0 or 1, got \"%s\"", o->name,
		    esc(v, n, e, sizeof(e)));
		return RN_ERR_INVAL;
	case RN_CONF_UINT:
	case RN_CONF_SIZE:
	case RN_CONF_DURATION: return set_number(c, o, v, n, msg, msglen);
	case RN_CONF_STRING:
	case RN_CONF_PATH: return set_string(c, o, v, n, msg, msglen);
	case RN_CONF_LIST: return set_list(c, o, v, n, replace, msg, msglen);
	case RN_CONF_LOGLEVEL: return set_loglevel(c, o, v, n, msg, msglen);
	}
	errf(msg, msglen, "%s: option of unknown type", o->name);
	return RN_ERR_INVAL;
}

/* dir + "/" + name, without doubling a trailing slash of dir. */
static enum rn_err
join_path(const char *dir, const char *name, char *out, size_t outsz)
{
	size_t n = strlen(dir);
	int    r;

	r = snprintf(out, outsz, "%s%s%s", dir, n > 0 && dir[n - 1] == '/' ? "" : "/", name);
	return r < 0 || (size_t)r >= outsz ? RN_ERR_TOOBIG : RN_OK;
}

/* Whether PublicDirectory is unset or still DataDirectory/public. */
static bool
public_is_derived(const struct rn_conf *c)
{
	char buf[RN_CONF_MAX_LINE + 16];

	if (c->public_directory == NULL)
		return true;
	if (c->data_directory == NULL ||
	    join_path(c->data_directory, "public", buf, sizeof(buf)) != RN_OK)
		return false;
	return strcmp(buf, c->public_directory) == 0;
}

static enum rn_err
derive_public(struct rn_conf *c)
{
	char buf[RN_CONF_MAX_LINE + 16], *s;

	if (c->data_directory == NULL)
		return RN_OK;
	if (join_path(c->data_directory, "public", buf, sizeof(buf)) != RN_OK)
		return RN_ERR_TOOBIG;
	if ((s = strdup(buf)) == NULL)
		return RN_ERR_NOMEM;
	free(c->public_directory);
	c->public_directory = s;
	return RN_OK;
}

void
rn_conf_free(struct rn_conf *c)
{
	const struct rn_conf_option *opts;
	struct rn_conf_list	    *l;
	size_t			     i, j, n;

	if (c == NULL)
		return;
	opts = rn_conf_options(&n);
	for (i = 0; i < n; i++) {
		if (opts[i].type == RN_CONF_STRING || opts[i].type == RN_CONF_PATH) {
			free(*(char **)field(c, &opts[i]));
		} else if (opts[i].type == RN_CONF_LIST) {
			l = field(c, &opts[i]);
			for (j = 0; j < l->n && j < RN_CONF_MAX_LIST; j++)
				free(l->v[j]);
		}
	}
	free(c);
}

/* A list default holds its values separated by newlines. */
static enum rn_err
set_default(struct rn_conf *c, const struct rn_conf_option *o)
{
	char	    msg[MSG_MAX];
	const char *p = o->def, *nl;
	enum rn_err r;

	if (o->type != RN_CONF_LIST)
		return set_value(c, o, p, strlen(p), false, msg, sizeof(msg));
	for (;;) {
		nl = strchr(p, '\n');
		r = set_value(
		    c, o, p, nl != NULL ? (size_t)(nl - p) : strlen(p), false, msg, sizeof(msg));
		if (r != RN_OK || nl == NULL)
			return r;
		p = nl + 1;
	}
}

struct rn_conf *
rn_conf_new(void)
{
	const struct rn_conf_option *opts;
	struct rn_conf		    *c;
	size_t			     i, n;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	opts = rn_conf_options(&n);
	for (i = 0; i < n; i++) {
		if (opts[i].def != NULL && set_default(c, &opts[i]) != RN_OK)
			goto fail;
	}
	if (c->public_directory == NULL && derive_public(c) != RN_OK)
		goto fail;
	return c;
fail:
	rn_conf_free(c);
	return NULL;
}

/*
 * One line of a config file.  first[i] is the line where option i was first
 * seen (0: not yet).
 */
static enum rn_err
parse_line(struct rn_conf *c, const char *p, size_t n, size_t lineno, size_t *first, char *msg,
    size_t msglen)
{
	const struct rn_conf_option *o, *opts;
	const char		    *key, *v;
	size_t			     klen, vlen, idx;
	char			     e[ESC_MAX];
	enum rn_err		     r;

	if (n > RN_CONF_MAX_LINE) {
		errf(msg, msglen, "line longer than %u bytes", RN_CONF_MAX_LINE);
		return RN_ERR_TOOBIG;
	}
	if (lineno == 1 && n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		errf(msg, msglen, "file starts with a UTF-8 byte order mark; remove it");
		return RN_ERR_INVAL;
	}
	if ((r = check_bytes(p, n, msg, msglen)) != RN_OK)
		return r;
	trim(&p, &n);
	if (n == 0 || p[0] == '#')
		return RN_OK;
	key = p;
	for (klen = 0; klen < n && !is_space(p[klen]); klen++)
		;
	v = p + klen;
	vlen = n - klen;
	trim(&v, &vlen);
	if ((o = find_option(key, klen)) == NULL) {
		errf(msg, msglen, "unknown option \"%s\"", esc(key, klen, e, sizeof(e)));
		return RN_ERR_INVAL;
	}
	if (vlen == 0) {
		errf(msg, msglen, "%s: missing value", o->name);
		return RN_ERR_INVAL;
	}
	opts = rn_conf_options(NULL);
	idx = (size_t)(o - opts);
	if (o->type != RN_CONF_LIST && first[idx] != 0) {
		errf(msg, msglen, "%s: given twice (first on line %zu)", o->name, first[idx]);
		return RN_ERR_INVAL;
	}
	if ((r = set_value(c, o, v, vlen, first[idx] == 0, msg, msglen)) != RN_OK)
		return r;
	if (first[idx] == 0)
		first[idx] = lineno;
	return RN_OK;
}

enum rn_err
rn_conf_parse(
    struct rn_conf *c, const char *text, size_t len, const char *name, char *err, size_t errlen)
{
	const struct rn_conf_option *pub;
	char			     msg[MSG_MAX];
	size_t			    *first = NULL, off = 0, lineno, n, nopts;
	bool			     derived;
	enum rn_err		     r = RN_OK;

	if (name == NULL)
		name = "(config)";
	if (c == NULL || (text == NULL && len > 0)) {
		errf(err, errlen, "%s: no config or no text", name);
		return RN_ERR_INVAL;
	}
	rn_conf_options(&nopts);
	if ((first = calloc(nopts, sizeof(*first))) == NULL) {
		errf(err, errlen, "%s: out of memory", name);
		return RN_ERR_NOMEM;
	}
	derived = public_is_derived(c);
	for (lineno = 1; off < len; lineno++) {
		const char *p = text + off, *nl = memchr(p, '\n', len - off);

		n = nl != NULL ? (size_t)(nl - p) : len - off;
		off += n + (nl != NULL ? 1 : 0);
		if ((r = parse_line(c, p, n, lineno, first, msg, sizeof(msg))) != RN_OK) {
			errf(err, errlen, "%s:%zu: %s", name, lineno, msg);
			goto out;
		}
	}
	pub = find_option("PublicDirectory", strlen("PublicDirectory"));
	if (derived && pub != NULL && first[pub - rn_conf_options(NULL)] == 0 &&
	    (r = derive_public(c)) != RN_OK)
		errf(err, errlen, "%s: DataDirectory: too long to derive PublicDirectory", name);
out:
	free(first);
	return r;
}

enum rn_err
rn_conf_set(struct rn_conf *c, const char *key, const char *value, char *err, size_t errlen)
{
	const struct rn_conf_option *o;
	char			     msg[MSG_MAX], e[ESC_MAX];
	bool			     append = false, derived;
	size_t			     n;
	enum rn_err		     r;

	if (c == NULL || key == NULL || value == NULL) {
		errf(err, errlen, "missing option or value");
		return RN_ERR_INVAL;
	}
	if (key[0] == '+') {
		append = true;
		key++;
	}
	if ((o = find_option(key, strlen(key))) == NULL) {
		errf(err, errlen, "unknown option \"%s\"", esc(key, strlen(key), e, sizeof(e)));
		return RN_ERR_INVAL;
	}
	if (append && o->type != RN_CONF_LIST) {
		errf(err, errlen, "+%s: only list options can be appended to", o->name);
		return RN_ERR_INVAL;
	}
	if ((n = strlen(value)) > RN_CONF_MAX_LINE) {
		errf(err, errlen, "%s: value longer than %u bytes", o->name, RN_CONF_MAX_LINE);
		return RN_ERR_TOOBIG;
	}
	if ((r = check_bytes(value, n, msg, sizeof(msg))) != RN_OK) {
		errf(err, errlen, "%s: %s", o->name, msg);
		return r;
	}
	trim(&value, &n);
	if (n == 0) {
		errf(err, errlen, "%s: missing value", o->name);
		return RN_ERR_INVAL;
	}
	/* As a line "Key value" it must fit, or the dump would not parse. */
	if (n > RN_CONF_MAX_LINE - 1 - strlen(o->name)) {
		errf(err, errlen, "%s: value longer than %zu bytes", o->name,
		    (size_t)RN_CONF_MAX_LINE - 1 - strlen(o->name));
		return RN_ERR_TOOBIG;
	}
	derived = public_is_derived(c);
	if ((r = set_value(c, o, value, n, !append, err, errlen)) != RN_OK)
		return r;
	/* On failure PublicDirectory keeps its old value: c is still consistent. */
	if (derived && o->offset == offsetof(struct rn_conf, data_directory) &&
	    (r = derive_public(c)) != RN_OK)
		errf(err, errlen, "DataDirectory: too long to derive PublicDirectory");
	return r;
}

enum rn_err
rn_conf_load(struct rn_conf *c, const char *path, char *err, size_t errlen)
{
	struct rn_buf b;
	char	      msg[MSG_MAX];
	enum rn_err   r;
	int	      saved;

	rn_buf_init(&b, RN_CONF_MAX_FILE);
	errno = 0;
	if ((r = rn_file_read_all(path, RN_CONF_MAX_FILE, &b)) != RN_OK) {
		saved = errno;
		if (r == RN_ERR_NOTFOUND)
			errf(err, errlen, "%s: no such file", path);
		else if (r == RN_ERR_TOOBIG)
			errf(err, errlen, "%s: larger than %u bytes", path, RN_CONF_MAX_FILE);
		else if (r == RN_ERR_INVAL)
			errf(err, errlen, "%s: not a regular file", path);
		else
			errf(err, errlen, "%s: cannot read: %s", path,
			    saved != 0 ? strerror(saved) : rn_err_str(r));
		goto out;
	}
	if ((r = rn_conf_parse(c, b.data, b.len, path, err, errlen)) != RN_OK)
		goto out;
	if ((r = rn_conf_validate(c, msg, sizeof(msg))) != RN_OK)
		errf(err, errlen, "%s: %s", path, msg);
out:
	rn_buf_free(&b);
	return r;
}

bool
rn_conf_listen_is_unix(const char *spec)
{
	return spec != NULL && strncmp(spec, "unix:", 5) == 0;
}

static enum rn_err
listen_unix(const char *spec, const char *data_directory, struct rn_conf_listen *out, char *err,
    size_t errlen)
{
	const char *path = spec + 5;
	char	    e[ESC_MAX];
	enum rn_err r = RN_OK;

	out->family = RN_CONF_LISTEN_UNIX;
	out->loopback = true;
	esc(spec, strlen(spec), e, sizeof(e));
	if (path[0] == '\0') {
		errf(err, errlen, "\"%s\": the unix socket path is empty", e);
		return RN_ERR_INVAL;
	}
	if (path[0] == '/') {
		if (strlen(path) >= sizeof(out->path))
			r = RN_ERR_TOOBIG;
		else
			memcpy(out->path, path, strlen(path) + 1);
	} else if (data_directory == NULL) {
		errf(err, errlen, "\"%s\": a relative unix socket path needs a DataDirectory", e);
		return RN_ERR_INVAL;
	} else {
		r = join_path(data_directory, path, out->path, sizeof(out->path));
	}
	if (r != RN_OK)
		errf(err, errlen, "\"%s\": the unix socket path is longer than %u bytes%s", e,
		    RN_CONF_MAX_UNIX_PATH, path[0] == '/' ? "" : " once joined to DataDirectory");
	return r;
}

/* Split "HOST:PORT" or "[HOST6]:PORT"; the host goes to out->host unparsed. */
static enum rn_err
listen_split(const char *spec, struct rn_conf_listen *out, const char **port, bool *v6, char *err,
    size_t errlen)
{
	const char *host = spec, *end, *colon;
	char	    e[ESC_MAX];
	size_t	    n;

	esc(spec, strlen(spec), e, sizeof(e));
	*v6 = spec[0] == '[';
	if (*v6) {
		if ((end = strchr(spec, ']')) == NULL || end[1] != ':') {
			errf(err, errlen, "\"%s\": expected [IPv6]:PORT", e);
			return RN_ERR_INVAL;
		}
		host++;
		colon = end + 1;
	} else {
		if ((colon = strchr(spec, ':')) == NULL || strchr(colon + 1, ':') != NULL) {
			errf(err, errlen,
			    "\"%s\": expected IPv4:PORT, [IPv6]:PORT, "
			    "localhost:PORT or unix:PATH",
			    e);
			return RN_ERR_INVAL;
		}
		end = colon;
	}
	n = (size_t)(end - host);
	if (n == 0 || n >= sizeof(out->host)) {
		errf(err, errlen, "\"%s\": missing or overlong address", e);
		return RN_ERR_INVAL;
	}
	memcpy(out->host, host, n);
	out->host[n] = '\0';
	*port = colon + 1;
	return RN_OK;
}

static enum rn_err
listen_tcp(const char *spec, struct rn_conf_listen *out, char *err, size_t errlen)
{
	static const uint8_t v6loop[16] = { [15] = 1 };
	const char	    *port;
	char		     e[ESC_MAX];
	uint64_t	     p;
	bool		     v6;
	enum rn_err	     r;

	if ((r = listen_split(spec, out, &port, &v6, err, errlen)) != RN_OK)
		return r;
	if (rn_parse_u64(port, strlen(port), 65535, &p) != RN_OK || p == 0) {
		errf(err, errlen, "\"%s\": expected a port from 1 to 65535",
		    esc(spec, strlen(spec), e, sizeof(e)));
		return RN_ERR_INVAL;
	}
	out->port = (uint16_t)p;
	if (!v6 && strcmp(out->host, "localhost") == 0)
		snprintf(out->host, sizeof(out->host), "127.0.0.1");
	out->family = v6 ? RN_CONF_LISTEN_INET6 : RN_CONF_LISTEN_INET;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, out->host, out->addr) != 1) {
		errf(err, errlen, "\"%s\": not a numeric %s address%s",
		    esc(spec, strlen(spec), e, sizeof(e)), v6 ? "IPv6" : "IPv4",
		    v6 ? "" : " or localhost");
		return RN_ERR_INVAL;
	}
	/* The canonical text, e.g. "::1" for "[0:0::1]". */
	if (inet_ntop(v6 ? AF_INET6 : AF_INET, out->addr, out->host, sizeof(out->host)) == NULL)
		return RN_ERR_INVAL;
	out->loopback = v6 ? memcmp(out->addr, v6loop, 16) == 0 : out->addr[0] == 127;
	return RN_OK;
}

enum rn_err
rn_conf_listen_parse(const char *spec, const char *data_directory, struct rn_conf_listen *out,
    char *err, size_t errlen)
{
	enum rn_err r;

	memset(out, 0, sizeof(*out));
	if (spec == NULL) {
		errf(err, errlen, "missing listen address");
		return RN_ERR_INVAL;
	}
	if (rn_conf_listen_is_unix(spec))
		r = listen_unix(spec, data_directory, out, err, errlen);
	else
		r = listen_tcp(spec, out, err, errlen);
	if (r != RN_OK)
		memset(out, 0, sizeof(*out));
	return r;
}

/* A lower-case DNS name, an IPv4 literal or a bracketed IPv6 literal. */
static bool
host_name_ok(const char *s)
{
	uint8_t addr[16];
	char	buf[RN_CONF_LISTEN_HOST_MAX];
	size_t	n = strlen(s), i, label = 0;
	bool	digits_only = true;

	if (n == 0 || n > 253)
		return false;
	if (s[0] == '[') {
		if (n < 3 || s[n - 1] != ']' || n - 2 >= sizeof(buf))
			return false;
		for (i = 1; i < n - 1; i++)
			if (s[i] >= 'A' && s[i] <= 'Z')
				return false;
		memcpy(buf, s + 1, n - 2);
		buf[n - 2] = '\0';
		return inet_pton(AF_INET6, buf, addr) == 1;
	}
	if (inet_pton(AF_INET, s, addr) == 1)
		return true;
	for (i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (label == 0 || label > 63 || s[i - 1] == '-')
				return false;
			if (i < n) {
				label = 0;
				digits_only = true;
			}
			continue;
		}
		if (s[i] == '-' && label == 0)
			return false;
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
		if (s[i] < '0' || s[i] > '9')
			digits_only = false;
		label++;
	}
	/* "1.2.3" is no name: a top-level label is never all digits. */
	return !digits_only;
}

/* Each option against its own type and range (a config may be built by hand). */
static enum rn_err
validate_option(const struct rn_conf *c, const struct rn_conf_option *o, char *err, size_t errlen)
{
	const struct rn_conf_list *l;
	const char		  *s;
	uint64_t		   v;
	size_t			   i;

	switch (o->type) {
	case RN_CONF_UINT:
	case RN_CONF_SIZE:
	case RN_CONF_DURATION:
		v = *(const uint64_t *)cfield(c, o);
		if (v < o->min || v > o->max) {
			errf(err, errlen, "%s: %" PRIu64 " is out of range", o->name, v);
			return RN_ERR_INVAL;
		}
		return RN_OK;
	case RN_CONF_STRING:
	case RN_CONF_PATH:
		s = *(char *const *)cfield(c, o);
		if (s == NULL || s[0] == '\0' || (o->type == RN_CONF_PATH && s[0] != '/')) {
			errf(err, errlen, "%s: %s", o->name,
			    o->type == RN_CONF_PATH ? "must be an absolute path" :
						      "must not be empty");
			return RN_ERR_INVAL;
		}
		return RN_OK;
	case RN_CONF_LIST:
		l = cfield(c, o);
		for (i = 0; i < l->n && i < RN_CONF_MAX_LIST; i++)
			if (l->v[i] == NULL || l->v[i][0] == '\0')
				break;
		/* A list without a default may be empty (Editor). */
		if ((l->n == 0 && o->def != NULL) || l->n > RN_CONF_MAX_LIST || i < l->n) {
			errf(err, errlen, "%s: needs from %d to %u non-empty values", o->name,
			    o->def != NULL, RN_CONF_MAX_LIST);
			return RN_ERR_INVAL;
		}
		return RN_OK;
	case RN_CONF_LOGLEVEL:
		if ((unsigned)*(const enum rn_log_level *)cfield(c, o) > RN_LOG_DEBUG) {
			errf(err, errlen, "%s: unknown level", o->name);
			return RN_ERR_INVAL;
		}
		return RN_OK;
	case RN_CONF_BOOL: return RN_OK;
	}
	return RN_OK;
}

/* The listener options; an address may appear once across all of them. */
static const struct {
	const char *name;
	size_t	    off;
} listen_opts[] = {
	{ "Listen", offsetof(struct rn_conf, listen) },
	{ "EditorListen", offsetof(struct rn_conf, editor_listen) },
	{ "OnionListen", offsetof(struct rn_conf, onion_listen) },
};

static const struct rn_conf_list *
listen_list(const struct rn_conf *c, size_t k)
{
	return (const struct rn_conf_list *)(const void *)((const char *)c + listen_opts[k].off);
}

static bool
listen_seen(const struct rn_conf *c, size_t k, size_t i, const struct rn_conf_listen *a)
{
	struct rn_conf_listen b;
	size_t		      kk, j, n;

	for (kk = 0; kk <= k; kk++) {
		n = kk == k ? i : listen_list(c, kk)->n;
		for (j = 0; j < n; j++) {
			if (rn_conf_listen_parse(
				listen_list(c, kk)->v[j], c->data_directory, &b, NULL, 0) != RN_OK)
				continue;
			if (a->family == b.family && a->port == b.port &&
			    strcmp(a->host, b.host) == 0 && strcmp(a->path, b.path) == 0)
				return true;
		}
	}
	return false;
}

static enum rn_err
validate_listen(const struct rn_conf *c, char *err, size_t errlen)
{
	struct rn_conf_listen a;
	char		      msg[MSG_MAX], e[ESC_MAX];
	const char	     *s, *name;
	size_t		      i, k;

	for (k = 0; k < RN_ARRAY_LEN(listen_opts); k++) {
		name = listen_opts[k].name;
		for (i = 0; i < listen_list(c, k)->n; i++) {
			s = listen_list(c, k)->v[i];
			if (rn_conf_listen_parse(s, c->data_directory, &a, msg, sizeof(msg)) !=
			    RN_OK) {
				errf(err, errlen, "%s: %s", name, msg);
				return RN_ERR_INVAL;
			}
			if (!a.loopback && !c->allow_non_loopback) {
				errf(err, errlen,
				    "%s: \"%s\" is not a loopback address; set "
				    "AllowNonLoopback 1 to listen on it",
				    name, esc(s, strlen(s), e, sizeof(e)));
				return RN_ERR_PERM;
			}
			if (listen_seen(c, k, i, &a)) {
				errf(err, errlen, "%s: \"%s\" is given twice", name,
				    esc(s, strlen(s), e, sizeof(e)));
				return RN_ERR_INVAL;
			}
		}
	}
	return RN_OK;
}

enum rn_err
rn_conf_validate(const struct rn_conf *c, char *err, size_t errlen)
{
	const struct rn_conf_option *opts;
	char			     e[ESC_MAX];
	size_t			     i, n;
	enum rn_err		     r;

	opts = rn_conf_options(&n);
	for (i = 0; i < n; i++)
		if ((r = validate_option(c, &opts[i], err, errlen)) != RN_OK)
			return r;
	if (c->max_request_line > c->max_header_bytes) {
		errf(err, errlen,
		    "MaxRequestLine (%" PRIu64 ") may not exceed MaxHeaderBytes (%" PRIu64 ")",
		    c->max_request_line, c->max_header_bytes);
		return RN_ERR_INVAL;
	}
	if ((r = validate_listen(c, err, errlen)) != RN_OK)
		return r;
	for (i = 0; i < c->host_names.n; i++) {
		if (!host_name_ok(c->host_names.v[i])) {
			errf(err, errlen,
			    "HostName: \"%s\" is not a lower-case host name, an IPv4 "
			    "address or a bracketed IPv6 address",
			    esc(c->host_names.v[i], strlen(c->host_names.v[i]), e, sizeof(e)));
			return RN_ERR_INVAL;
		}
	}
	return rn_tor_conf_check(c, err, errlen); /* the Tor options (daemon/tor/check.c) */
}

/* A value the parser reads back unchanged, on a line no longer than allowed. */
static bool
dump_value_ok(const char *name, const char *s)
{
	size_t n;

	if (s == NULL || (n = strlen(s)) == 0 || n > RN_CONF_MAX_LINE - 1 - strlen(name))
		return false;
	if (is_space(s[0]) || is_space(s[n - 1]))
		return false;
	return check_bytes(s, n, NULL, 0) == RN_OK;
}

static enum rn_err
dump_option(
    const struct rn_conf *c, const struct rn_conf_option *o, struct rn_buf *out, bool redact)
{
	const struct rn_conf_list *l;
	char			   num[NUM_MAX];
	const char		  *v = NULL;
	enum rn_err		   r = RN_OK;
	size_t			   i;

	switch (o->type) {
	case RN_CONF_BOOL: v = *(const bool *)cfield(c, o) ? "1" : "0"; break;
	case RN_CONF_UINT:
		snprintf(num, sizeof(num), "%" PRIu64, *(const uint64_t *)cfield(c, o));
		v = num;
		break;
	case RN_CONF_SIZE:
		v = format_size(*(const uint64_t *)cfield(c, o), num, sizeof(num));
		break;
	case RN_CONF_DURATION:
		v = format_duration(*(const uint64_t *)cfield(c, o), num, sizeof(num));
		break;
	case RN_CONF_STRING:
	case RN_CONF_PATH:
		if ((v = *(char *const *)cfield(c, o)) == NULL)
			return RN_OK; /* unset: parsing the dump leaves it unset */
		break;
	case RN_CONF_LOGLEVEL:
		v = rn_log_level_name(*(const enum rn_log_level *)cfield(c, o));
		break;
	case RN_CONF_LIST:
		l = cfield(c, o);
		if (l->n > RN_CONF_MAX_LIST)
			return RN_ERR_INVAL;
		for (i = 0; i < l->n && r == RN_OK; i++) {
			if (!dump_value_ok(o->name, l->v[i]))
				return RN_ERR_INVAL;
			r = rn_buf_printf(
			    out, "%s %s\n", o->name, redact && o->secret ? "[redacted]" : l->v[i]);
		}
		return r;
	}
	if (!dump_value_ok(o->name, v))
		return RN_ERR_INVAL;
	return rn_buf_printf(out, "%s %s\n", o->name, redact && o->secret ? "[redacted]" : v);
}

enum rn_err
rn_conf_dump(const struct rn_conf *c, struct rn_buf *out, bool redact)
{
	const struct rn_conf_option *opts;
	size_t			     i, n, start = out->len;
	enum rn_err		     r = RN_OK;

	opts = rn_conf_options(&n);
	for (i = 0; i < n && r == RN_OK; i++)
		r = dump_option(c, &opts[i], out, redact);
	if (r != RN_OK) {
		out->len = start;
		if (out->data != NULL)
			out->data[start] = '\0';
	}
	return r;
}
