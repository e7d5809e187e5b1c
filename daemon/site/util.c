/* Small helpers of the site: UTF-8, names, escaping, dates, sections. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "site/site_int.h"

static const char *const section_names[RN_SITE__NSECTIONS] = {
	"bulletins",
	"tactics",
	"conflicts",
};

/* DESIGN §5: conflict write-ups need two editors by default. */
static const unsigned section_thresholds[RN_SITE__NSECTIONS] = { 1, 1, 2 };

const char *
rn_site_section_name(enum rn_site_section s)
{
	return (unsigned)s < RN_SITE__NSECTIONS ? section_names[s] : "?";
}

enum rn_err
rn_site_section_parse(const char *s, size_t n, enum rn_site_section *out)
{
	unsigned i;

	for (i = 0; i < RN_SITE__NSECTIONS; i++) {
		if (strlen(section_names[i]) == n && memcmp(s, section_names[i], n) == 0) {
			*out = (enum rn_site_section)i;
			return RN_OK;
		}
	}
	return RN_ERR_INVAL;
}

unsigned
rn_site_section_threshold(enum rn_site_section s)
{
	return (unsigned)s < RN_SITE__NSECTIONS ? section_thresholds[s] : 1;
}

const char *
rn_site_status_name(enum rn_site_status st)
{
	switch (st) {
	case RN_SITE_STATUS_OPEN: return "open";
	case RN_SITE_STATUS_RESOLVED: return "resolved";
	case RN_SITE_STATUS_REVISITED: return "revisited";
	case RN_SITE_STATUS_NONE: break;
	}
	return "";
}

size_t
site_utf8_next(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t	     c;
	size_t		     len, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	c = s[0] & (0x7fu >> len);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3fu);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

bool
site_utf8_valid(const char *s, size_t n)
{
	size_t	 i = 0, l;
	uint32_t cp;

	while (i < n) {
		if ((l = site_utf8_next(s + i, n - i, &cp)) == 0)
			return false;
		i += l;
	}
	return true;
}

bool
site_is_bidi_control(uint32_t cp)
{
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

enum rn_err
site_fail(struct rn_site_error *err, unsigned line, enum rn_err code, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL) {
		err->line = line;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

bool
site_is_slug(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > RN_SITE_MAX_ID || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

static bool
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* [a-z]{2,3}(-[A-Za-z0-9]{1,8})*, RFC 5646's common shapes. */
bool
site_is_lang(const char *s)
{
	size_t n = strlen(s), i = 0, run;

	if (n > RN_SITE_MAX_LANG)
		return false;
	while (i < n && s[i] >= 'a' && s[i] <= 'z')
		i++;
	if (i < 2 || i > 3)
		return false;
	while (i < n) {
		if (s[i++] != '-')
			return false;
		for (run = 0; i < n && is_alnum(s[i]); i++)
			run++;
		if (run < 1 || run > 8)
			return false;
	}
	return true;
}

static bool
xml_char_ok(uint32_t cp)
{
	if (cp < 0x20)
		return cp == '\t' || cp == '\n' || cp == '\r';
	return !(cp >= 0xd800 && cp <= 0xdfff) && cp != 0xfffe && cp != 0xffff;
}

enum rn_err
site_xml_escape(struct rn_buf *b, const char *s, size_t n)
{
	enum rn_err err = RN_OK;
	size_t	    i = 0, l;
	uint32_t    cp;

	while (i < n && err == RN_OK) {
		l = site_utf8_next(s + i, n - i, &cp);
		if (l == 0 || !xml_char_ok(cp)) {
			err = rn_buf_puts(b, "\xef\xbf\xbd");
			i += l == 0 ? 1 : l;
			continue;
		}
		switch (cp) {
		case '&': err = rn_buf_puts(b, "&amp;"); break;
		case '<': err = rn_buf_puts(b, "&lt;"); break;
		case '>': err = rn_buf_puts(b, "&gt;"); break;
		case '"': err = rn_buf_puts(b, "&quot;"); break;
		case '\'': err = rn_buf_puts(b, "&#39;"); break;
		default: err = rn_buf_append(b, s + i, l); break;
		}
		i += l;
	}
	return err;
}

/* RFC 3986 unreserved and the delimiters a path, query or fragment needs. */
static bool
href_safe(unsigned char c)
{
	return is_alnum((char)c) || strchr("-._~/?#@!$()*+,;=:%", c) != NULL;
}

enum rn_err
site_href_escape(struct rn_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	enum rn_err	  err = RN_OK;
	size_t		  i;
	char		  pct[3];

	for (i = 0; i < n && err == RN_OK; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '&')
			err = rn_buf_puts(b, "&amp;");
		else if (href_safe(c))
			err = rn_buf_append(b, &s[i], 1);
		else {
			pct[0] = '%';
			pct[1] = hex[c >> 4];
			pct[2] = hex[c & 15];
			err = rn_buf_append(b, pct, 3);
		}
	}
	return err;
}

static int
cmp_date_desc(const void *pa, const void *pb)
{
	const struct rn_site_doc *a = *(const struct rn_site_doc *const *)pa;
	const struct rn_site_doc *b = *(const struct rn_site_doc *const *)pb;

	if (a->has_date != b->has_date)
		return a->has_date ? -1 : 1;
	if (a->has_date && a->date.utc != b->date.utc)
		return a->date.utc > b->date.utc ? -1 : 1;
	return strcmp(a->id, b->id);
}

enum rn_err
site_sort_by_date(const struct rn_site_doc *const *docs, size_t n, const struct rn_site_doc ***out)
{
	const struct rn_site_doc **v;

	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		return RN_ERR_NOMEM;
	if (n > 0)
		memcpy(v, docs, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_date_desc);
	*out = v;
	return RN_OK;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t	 era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static bool
digits(const char *s, size_t n, unsigned *out)
{
	size_t i;

	*out = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*out = *out * 10 + (unsigned)(s[i] - '0');
	}
	return true;
}

static unsigned
month_days(unsigned y, unsigned m)
{
	static const unsigned mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return mdays[m - 1];
}

/* "HH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" at s; seconds of the day and offset. */
static enum rn_err
parse_time(const char *s, size_t n, int64_t *secs, int *offset_min)
{
	unsigned h, mi, se, oh, om;
	size_t	 i = 8;

	if (n < 9 || s[2] != ':' || s[5] != ':' || !digits(s, 2, &h) || !digits(s + 3, 2, &mi) ||
	    !digits(s + 6, 2, &se) || h > 23 || mi > 59 || se > 60)
		return RN_ERR_INVAL;
	if (s[i] == '.') {
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == 9 || i - 9 > 9)
			return RN_ERR_INVAL;
	}
	*secs = h * 3600 + mi * 60 + se;
	if (i + 1 == n && (s[i] == 'Z' || s[i] == 'z')) {
		*offset_min = 0;
		return RN_OK;
	}
	if (n - i != 6 || (s[i] != '+' && s[i] != '-') || s[i + 3] != ':' ||
	    !digits(s + i + 1, 2, &oh) || !digits(s + i + 4, 2, &om) || oh > 23 || om > 59)
		return RN_ERR_INVAL;
	*offset_min = (int)(oh * 60 + om) * (s[i] == '-' ? -1 : 1);
	return RN_OK;
}

enum rn_err
rn_site_date_parse(const char *s, size_t n, struct rn_site_date *out)
{
	unsigned y, m, d;
	int64_t	 secs = 0;
	int	 off = 0;

	if (n < 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) || !digits(s + 5, 2, &m) ||
	    !digits(s + 8, 2, &d) || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
		return RN_ERR_INVAL;
	if (n > 10) {
		if ((s[10] != 'T' && s[10] != 't') ||
		    parse_time(s + 11, n - 11, &secs, &off) != RN_OK)
			return RN_ERR_INVAL;
	}
	out->utc = days_from_civil(y, m, d) * 86400 + secs - (int64_t)off * 60;
	out->offset_min = off;
	out->has_time = n > 10;
	return RN_OK;
}

static void
put_digits(char *p, unsigned v, unsigned width)
{
	while (width-- > 0) {
		p[width] = (char)('0' + v % 10);
		v /= 10;
	}
}

void
rn_site_date_format(int64_t utc, char *out)
{
	int64_t	 days = utc / 86400, secs = utc % 86400, z, era, y;
	unsigned doe, yoe, doy, mp, d, m;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	/* civil_from_days, the inverse of days_from_civil. */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	if (y < 0 || y > 9999)
		y = y < 0 ? 0 : 9999;
	memcpy(out, "0000-00-00T00:00:00Z", RN_SITE_DATE_BUFSZ);
	put_digits(out, (unsigned)y, 4);
	put_digits(out + 5, m, 2);
	put_digits(out + 8, d, 2);
	put_digits(out + 11, (unsigned)(secs / 3600), 2);
	put_digits(out + 14, (unsigned)(secs / 60 % 60), 2);
	put_digits(out + 17, (unsigned)(secs % 60), 2);
}

void
site_w_puts(struct site_w *w, const char *s)
{
	if (w->err == RN_OK)
		w->err = rn_buf_puts(w->b, s);
}

void
site_w_printf(struct site_w *w, const char *fmt, ...)
{
	char	buf[512];
	va_list ap;
	int	n;

	if (w->err != RN_OK)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		w->err = RN_ERR_TOOBIG;
	else
		w->err = rn_buf_append(w->b, buf, (size_t)n);
}

void
site_w_esc(struct site_w *w, const char *s, bool br)
{
	const char *nl;

	while (w->err == RN_OK && br && (nl = strchr(s, '\n')) != NULL) {
		w->err = rn_buf_html_escape(w->b, s, (size_t)(nl - s));
		site_w_puts(w, "<br>");
		s = nl + 1;
	}
	if (w->err == RN_OK)
		w->err = rn_buf_html_escape(w->b, s, strlen(s));
}

void
site_w_xml(struct site_w *w, const char *s)
{
	if (w->err == RN_OK)
		w->err = site_xml_escape(w->b, s, strlen(s));
}

void
site_w_href(struct site_w *w, const char *s)
{
	if (w->err == RN_OK)
		w->err = site_href_escape(w->b, s, strlen(s));
}
