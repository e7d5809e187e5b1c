/*
 * ROOT statements: the collection's keyring and signing policy.  Fields come
 * in one fixed order, keys in strictly increasing order within each list,
 * and no Ed25519 key serves two roles.  Every key is checked as a point
 * (small-order and non-canonical encodings are refused).
 */
#include <string.h>

#include "coll_int.h"
#include "stmt_int.h"

#define ROOT_MAGIC "roneo-root-v1"

static const char *const policy_names[RN_COLL_POL__COUNT] = {
	"bulletin",
	"tactic",
	"conflict",
	"retract",
	"purge",
	"root",
};

const char *
rn_coll_policy_name(enum rn_coll_policy p)
{
	return (unsigned)p < RN_COLL_POL__COUNT ? policy_names[p] : "?";
}

void
rn_coll_root_defaults(struct rn_coll_root *r)
{
	static const unsigned def[RN_COLL_POL__COUNT] = { 1, 1, 2, 2, 2, 2 };

	memcpy(r->threshold, def, sizeof(def));
}

const uint8_t *
rn_coll_root_collection(const struct rn_coll_root *r)
{
	return r->version == 1 ? r->id : r->collection;
}

bool
rn_coll_root_is_editor(const struct rn_coll_root *r, const uint8_t pub[32])
{
	size_t i;

	for (i = 0; i < r->neditors; i++)
		if (memcmp(r->editors[i].pub, pub, 32) == 0)
			return true;
	return false;
}

static bool
label_valid(const char *s, size_t n)
{
	return n <= RN_COLL_MAX_LABEL && rn_coll_docid_valid(s, n);
}

/* Keys sorted strictly within each role, distinct across roles, all valid points. */
static enum rn_err
check_keys(const struct rn_coll_root *r)
{
	const uint8_t *all[RN_COLL_MAX_EDITORS + RN_COLL_MAX_TSKEYS + RN_COLL_MAX_MIRRORS];
	size_t	       n = 0, i, j;

	if (r->neditors == 0 || r->neditors > RN_COLL_MAX_EDITORS || r->nts > RN_COLL_MAX_TSKEYS ||
	    r->nmirrors > RN_COLL_MAX_MIRRORS)
		return RN_ERR_INVAL;
	for (i = 0; i < r->neditors; i++) {
		if (i > 0 && memcmp(r->editors[i - 1].pub, r->editors[i].pub, 32) >= 0)
			return RN_ERR_INVAL;
		for (j = 0; j < i; j++)
			if (memcmp(r->editors[j].age.key, r->editors[i].age.key, 32) == 0)
				return RN_ERR_INVAL;
		all[n++] = r->editors[i].pub;
	}
	for (i = 0; i < r->nts; i++) {
		if (i > 0 && memcmp(r->ts[i - 1], r->ts[i], 32) >= 0)
			return RN_ERR_INVAL;
		all[n++] = r->ts[i];
	}
	for (i = 0; i < r->nmirrors; i++) {
		if (i > 0 && memcmp(r->mirrors[i - 1], r->mirrors[i], 32) >= 0)
			return RN_ERR_INVAL;
		all[n++] = r->mirrors[i];
	}
	for (i = 0; i < n; i++) {
		if (rn_ed25519_pub_check(all[i]) != RN_OK)
			return RN_ERR_CRYPTO;
		for (j = 0; j < i; j++)
			if (memcmp(all[i], all[j], 32) == 0)
				return RN_ERR_INVAL;
	}
	for (i = 0; i < RN_COLL_POL__COUNT; i++)
		if (r->threshold[i] == 0 || r->threshold[i] > r->neditors)
			return RN_ERR_INVAL;
	return RN_OK;
}

static enum rn_err
encode_keys(const struct rn_coll_root *r, struct rn_buf *b)
{
	char	    age[RN_AGE_RECIPIENT_BUFSZ];
	size_t	    i;
	enum rn_err err = RN_OK;

	for (i = 0; i < r->neditors && err == RN_OK; i++) {
		char hex[RN_COLL_HEX_LEN + 1];

		if (!label_valid(r->editors[i].label, strlen(r->editors[i].label)))
			return RN_ERR_INVAL;
		if ((err = rn_age_recipient_format(&r->editors[i].age, age, sizeof(age))) != RN_OK)
			return err;
		rn_coll_id_format(r->editors[i].pub, hex);
		err = rn_buf_printf(b, "editor %s %s %s\n", hex, age, r->editors[i].label);
	}
	for (i = 0; i < r->nts && err == RN_OK; i++)
		err = stmt_put_id(b, "timestamp", r->ts[i]);
	for (i = 0; i < r->nmirrors && err == RN_OK; i++)
		err = stmt_put_id(b, "mirror", r->mirrors[i]);
	return err;
}

enum rn_err
rn_coll_root_encode(struct rn_coll_root *r, struct rn_buf *body)
{
	size_t	    i;
	enum rn_err err;

	if (r->version == 0)
		return RN_ERR_INVAL;
	if ((err = check_keys(r)) != RN_OK)
		return err;
	body->max = RN_COLL_MAX_STATEMENT;
	rn_buf_reset(body);
	if ((err = rn_buf_printf(
		 body, ROOT_MAGIC "\nversion %llu\n", (unsigned long long)r->version)) != RN_OK)
		return err;
	if (r->version > 1 && ((err = stmt_put_id(body, "collection", r->collection)) != RN_OK ||
				  (err = stmt_put_id(body, "previous", r->previous)) != RN_OK))
		return err;
	if ((err = rn_buf_printf(body, "expires %llu\n", (unsigned long long)r->expires)) != RN_OK)
		return err;
	for (i = 0; i < RN_COLL_POL__COUNT; i++)
		if ((err = rn_buf_printf(
			 body, "threshold %s %u\n", policy_names[i], r->threshold[i])) != RN_OK)
			return err;
	if ((err = encode_keys(r, body)) != RN_OK)
		return err;
	return rn_coll_id(RN_COLL_ROOT, body->data, body->len, r->id);
}

static enum rn_err
parse_editor(const char *v, size_t n, struct rn_coll_editor *e)
{
	const char *w;
	size_t	    wn;

	if (stmt_word(&v, &n, &w, &wn) != RN_OK || rn_coll_id_parse(w, wn, e->pub) != RN_OK ||
	    stmt_word(&v, &n, &w, &wn) != RN_OK ||
	    rn_age_recipient_parse(w, wn, &e->age) != RN_OK || !label_valid(v, n))
		return RN_ERR_INVAL;
	memcpy(e->label, v, n);
	e->label[n] = '\0';
	return RN_OK;
}

static enum rn_err
parse_thresholds(struct stmt_lines *l, struct rn_coll_root *r)
{
	const char *v, *w;
	size_t	    n, wn;
	uint64_t    t;
	int	    i;

	for (i = 0; i < RN_COLL_POL__COUNT; i++) {
		if (stmt_line(l, "threshold", &v, &n) != RN_OK ||
		    stmt_word(&v, &n, &w, &wn) != RN_OK || wn != strlen(policy_names[i]) ||
		    memcmp(w, policy_names[i], wn) != 0 || stmt_u64(v, n, &t) != RN_OK ||
		    t > RN_COLL_MAX_EDITORS)
			return RN_ERR_INVAL;
		r->threshold[i] = (unsigned)t;
	}
	return RN_OK;
}

static enum rn_err
parse_keys(struct stmt_lines *l, struct rn_coll_root *r)
{
	const char *v;
	size_t	    n;

	while (stmt_lines_next_is(l, "editor")) {
		if (r->neditors >= RN_COLL_MAX_EDITORS || stmt_line(l, "editor", &v, &n) != RN_OK ||
		    parse_editor(v, n, &r->editors[r->neditors]) != RN_OK)
			return RN_ERR_INVAL;
		r->neditors++;
	}
	while (stmt_lines_next_is(l, "timestamp")) {
		if (r->nts >= RN_COLL_MAX_TSKEYS ||
		    stmt_id_line(l, "timestamp", r->ts[r->nts]) != RN_OK)
			return RN_ERR_INVAL;
		r->nts++;
	}
	while (stmt_lines_next_is(l, "mirror")) {
		if (r->nmirrors >= RN_COLL_MAX_MIRRORS ||
		    stmt_id_line(l, "mirror", r->mirrors[r->nmirrors]) != RN_OK)
			return RN_ERR_INVAL;
		r->nmirrors++;
	}
	return stmt_lines_done(l) ? RN_OK : RN_ERR_INVAL;
}

enum rn_err
rn_coll_root_parse(const uint8_t *p, size_t n, struct rn_coll_root *r, struct rn_coll_sigs *sigs)
{
	struct stmt_lines l;
	enum rn_err	  err;

	memset(r, 0, sizeof(*r));
	if ((err = rn_coll_stmt_split(p, n, sigs)) != RN_OK)
		return err;
	stmt_lines_init(&l, p, sigs->body_len);
	if (stmt_line(&l, ROOT_MAGIC, NULL, NULL) != RN_OK ||
	    stmt_u64_line(&l, "version", &r->version) != RN_OK || r->version == 0)
		return RN_ERR_INVAL;
	if (r->version > 1 && (stmt_id_line(&l, "collection", r->collection) != RN_OK ||
				  stmt_id_line(&l, "previous", r->previous) != RN_OK))
		return RN_ERR_INVAL;
	if (stmt_u64_line(&l, "expires", &r->expires) != RN_OK ||
	    parse_thresholds(&l, r) != RN_OK || parse_keys(&l, r) != RN_OK)
		return RN_ERR_INVAL;
	if ((err = check_keys(r)) != RN_OK)
		return err;
	return rn_coll_id(RN_COLL_ROOT, p, sigs->body_len, r->id);
}
