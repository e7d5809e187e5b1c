/*
 * Document metadata (RN_COLL_DOC): the few fields the core needs (id,
 * section, title, date, language, body, attachments) as sorted TLV fields.
 * Everything else about a document lives in its body's front matter.  Names
 * and text are checked here, so a hostile id or name never reaches a path,
 * a page or a log line.
 */
#include <string.h>

#include "coll_int.h"

enum {
	DOC_ID = 1,
	DOC_SECTION,
	DOC_TITLE,
	DOC_DATE,
	DOC_LANG,
	DOC_BODY,
	DOC_ATTACHMENTS,
};

#define DOC_REQUIRED 0x7eu /* tags 1..6 */

static bool
lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool
rn_coll_docid_valid(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > RN_COLL_MAX_DOCID || !lower_alnum(s[0]) || !lower_alnum(s[n - 1]))
		return false;
	for (i = 0; i < n; i++) {
		if (lower_alnum(s[i]))
			continue;
		if (s[i] != '-' || s[i - 1] == '-')
			return false;
	}
	return true;
}

bool
rn_coll_attname_valid(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > RN_COLL_MAX_ATT_NAME || s[0] == '.' || s[0] == '-')
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!(lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* One UTF-8 sequence at s (n > 0 bytes left): its code point and length, or 0. */
static size_t
utf8_one(const uint8_t *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t	 len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

bool
rn_coll_text_valid(const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t	       i = 0, k;
	uint32_t       cp;

	while (i < n) {
		if ((k = utf8_one(p + i, n - i, &cp)) == 0)
			return false;
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			return false;
		/* bidi embeddings, overrides and isolates */
		if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
			return false;
		i += k;
	}
	return true;
}

static bool
lang_valid(const char *s, size_t n)
{
	size_t i, run = 0;

	if (n < 2 || n > RN_COLL_MAX_LANG)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '-') {
			if (run == 0 || (i == run && run > 3) || i + 1 == n)
				return false;
			run = 0;
		} else if (lower_alnum(c) || (c >= 'A' && c <= 'Z')) {
			if (++run > 8)
				return false;
		} else {
			return false;
		}
	}
	for (i = 0; i < n && s[i] != '-'; i++)
		if (s[i] < 'a' || s[i] > 'z')
			return false;
	return i >= 2 && i <= 3;
}

static bool
media_valid(const char *s, size_t n)
{
	size_t i, slash = 0, nslash = 0;

	if (n == 0 || n > RN_COLL_MAX_MEDIA)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '/') {
			slash = i;
			nslash++;
		} else if (!(lower_alnum(c) || c == '.' || c == '+' || c == '-')) {
			return false;
		}
	}
	return nslash == 1 && slash > 0 && slash + 1 < n;
}

enum rn_err
coll_ref_put(struct rn_buf *b, const struct rn_coll_ref *ref)
{
	enum rn_err err;

	if ((err = rn_buf_append(b, &ref->type, 1)) != RN_OK ||
	    (err = rn_buf_append(b, ref->id, RN_COLL_ID_LEN)) != RN_OK)
		return err;
	return rn_coll_put_varint(b, ref->size);
}

enum rn_err
coll_ref_get(struct rn_coll_rd *r, struct rn_coll_ref *ref)
{
	const uint8_t *t, *id;
	enum rn_err    err;

	if ((err = rn_coll_rd_fixed(r, 1, &t)) != RN_OK ||
	    (err = rn_coll_rd_fixed(r, RN_COLL_ID_LEN, &id)) != RN_OK ||
	    (err = rn_coll_rd_varint(r, RN_COLL_MAX_CONTENT, &ref->size)) != RN_OK)
		return err;
	if (*t != RN_COLL_BLOB && *t != RN_COLL_CHUNKLIST)
		return RN_ERR_INVAL;
	ref->type = *t;
	memcpy(ref->id, id, RN_COLL_ID_LEN);
	return RN_OK;
}

enum rn_err
coll_field_id(struct rn_coll_rd *val, uint8_t out[RN_COLL_ID_LEN])
{
	const uint8_t *p;

	if (val->len != RN_COLL_ID_LEN || rn_coll_rd_fixed(val, RN_COLL_ID_LEN, &p) != RN_OK)
		return RN_ERR_INVAL;
	memcpy(out, p, RN_COLL_ID_LEN);
	return RN_OK;
}

enum rn_err
coll_field_u64(struct rn_coll_rd *val, uint64_t max, uint64_t *out)
{
	enum rn_err err;

	if ((err = rn_coll_rd_varint(val, max, out)) != RN_OK)
		return err;
	return rn_coll_rd_end(val);
}

static enum rn_err
put_atts(struct rn_buf *out, const struct rn_coll_doc *doc)
{
	struct rn_buf v;
	size_t	      i;
	enum rn_err   err;

	rn_buf_init(&v, RN_COLL_MAX_OBJECT);
	err = rn_coll_put_varint(&v, doc->natt);
	for (i = 0; i < doc->natt && err == RN_OK; i++) {
		const struct rn_coll_attachment *a = &doc->att[i];

		if (!rn_coll_attname_valid(a->name, strlen(a->name)) ||
		    !media_valid(a->media, strlen(a->media)) ||
		    (i > 0 && strcmp(doc->att[i - 1].name, a->name) >= 0)) {
			err = RN_ERR_INVAL;
			break;
		}
		if ((err = rn_coll_put_bytes(&v, a->name, strlen(a->name))) == RN_OK &&
		    (err = rn_coll_put_bytes(&v, a->media, strlen(a->media))) == RN_OK)
			err = coll_ref_put(&v, &a->ref);
	}
	if (err == RN_OK)
		err = rn_coll_put_field(out, DOC_ATTACHMENTS, v.data, v.len);
	rn_buf_free(&v);
	return err;
}

enum rn_err
rn_coll_doc_encode(const struct rn_coll_doc *doc, struct rn_buf *out)
{
	struct rn_buf ref;
	enum rn_err   err;

	if (!rn_coll_docid_valid(doc->id, strlen(doc->id)) || doc->section < RN_COLL_SEC_BULLETIN ||
	    doc->section > RN_COLL_SEC__MAX || strlen(doc->title) == 0 ||
	    !rn_coll_text_valid(doc->title, strlen(doc->title)) ||
	    !lang_valid(doc->lang, strlen(doc->lang)) || doc->natt > RN_COLL_MAX_ATTACHMENTS)
		return RN_ERR_INVAL;
	rn_buf_init(&ref, 64);
	if ((err = rn_coll_put_field(out, DOC_ID, doc->id, strlen(doc->id))) == RN_OK &&
	    (err = rn_coll_put_field_u64(out, DOC_SECTION, doc->section)) == RN_OK &&
	    (err = rn_coll_put_field(out, DOC_TITLE, doc->title, strlen(doc->title))) == RN_OK &&
	    (err = rn_coll_put_field_u64(out, DOC_DATE, doc->date)) == RN_OK &&
	    (err = rn_coll_put_field(out, DOC_LANG, doc->lang, strlen(doc->lang))) == RN_OK &&
	    (err = coll_ref_put(&ref, &doc->body)) == RN_OK &&
	    (err = rn_coll_put_field(out, DOC_BODY, ref.data, ref.len)) == RN_OK && doc->natt > 0)
		err = put_atts(out, doc);
	rn_buf_free(&ref);
	return err;
}

/* A string field of 1..max bytes that passes valid(), copied NUL-terminated. */
static enum rn_err
get_str(
    struct rn_coll_rd *r, size_t max, bool (*valid)(const char *, size_t), char *out, bool prefixed)
{
	const uint8_t *p;
	size_t	       n = r->len - r->off;
	enum rn_err    err;

	if (prefixed) {
		if ((err = rn_coll_rd_bytes(r, max, &p, &n)) != RN_OK)
			return err == RN_ERR_TOOBIG ? RN_ERR_INVAL : err;
	} else if (n > max || rn_coll_rd_fixed(r, n, &p) != RN_OK) {
		return RN_ERR_INVAL;
	}
	if (n == 0 || memchr(p, 0, n) != NULL || !valid((const char *)p, n))
		return RN_ERR_INVAL;
	memcpy(out, p, n);
	out[n] = '\0';
	return RN_OK;
}

static enum rn_err
get_atts(struct rn_coll_rd *r, struct rn_coll_doc *doc)
{
	uint64_t    n;
	size_t	    i;
	enum rn_err err;

	if ((err = rn_coll_rd_varint(r, RN_COLL_MAX_ATTACHMENTS, &n)) != RN_OK)
		return err == RN_ERR_TOOBIG ? RN_ERR_INVAL : err;
	if (n == 0)
		return RN_ERR_INVAL;
	for (i = 0; i < n; i++) {
		struct rn_coll_attachment *a = &doc->att[i];

		if ((err = get_str(
			 r, RN_COLL_MAX_ATT_NAME, rn_coll_attname_valid, a->name, true)) != RN_OK ||
		    (err = get_str(r, RN_COLL_MAX_MEDIA, media_valid, a->media, true)) != RN_OK ||
		    (err = coll_ref_get(r, &a->ref)) != RN_OK)
			return err;
		if (i > 0 && strcmp(doc->att[i - 1].name, a->name) >= 0)
			return RN_ERR_INVAL;
	}
	doc->natt = (size_t)n;
	return rn_coll_rd_end(r);
}

static bool
title_valid(const char *s, size_t n)
{
	return rn_coll_text_valid(s, n);
}

static enum rn_err
doc_field(struct rn_coll_doc *doc, uint64_t tag, struct rn_coll_rd *val)
{
	uint64_t    v;
	enum rn_err err;

	switch (tag) {
	case DOC_ID: return get_str(val, RN_COLL_MAX_DOCID, rn_coll_docid_valid, doc->id, false);
	case DOC_SECTION:
		if ((err = coll_field_u64(val, RN_COLL_SEC__MAX, &v)) != RN_OK || v == 0)
			return RN_ERR_INVAL;
		doc->section = (enum rn_coll_section)v;
		return RN_OK;
	case DOC_TITLE: return get_str(val, RN_COLL_MAX_TITLE, title_valid, doc->title, false);
	case DOC_DATE: return coll_field_u64(val, UINT64_MAX, &doc->date);
	case DOC_LANG: return get_str(val, RN_COLL_MAX_LANG, lang_valid, doc->lang, false);
	case DOC_BODY:
		if ((err = coll_ref_get(val, &doc->body)) != RN_OK)
			return err;
		return rn_coll_rd_end(val);
	case DOC_ATTACHMENTS: return get_atts(val, doc);
	default: return RN_ERR_INVAL;
	}
}

enum rn_err
rn_coll_doc_decode(const uint8_t *p, size_t n, struct rn_coll_doc *doc)
{
	struct rn_coll_rd r, val;
	uint64_t	  last = 0, tag;
	unsigned	  seen = 0;
	enum rn_err	  err;

	memset(doc, 0, sizeof(*doc));
	rn_coll_rd_init(&r, p, n);
	while ((err = rn_coll_rd_field(&r, &last, &tag, &val)) == RN_OK) {
		if ((err = doc_field(doc, tag, &val)) != RN_OK)
			return err == RN_ERR_TOOBIG ? RN_ERR_INVAL : err;
		seen |= 1u << tag;
	}
	if (err != RN_ERR_NOTFOUND)
		return err;
	return (seen & DOC_REQUIRED) == DOC_REQUIRED ? RN_OK : RN_ERR_INVAL;
}
