/* The tor service's status as JSON, and its onion addresses as HostName values. */
#include <stdio.h>
#include <string.h>

#include "roneo/rn_conf.h"
#include "roneo/rn_tor.h"
#include "tor/service_int.h"

static const char *
mode_name(enum rn_tor_mode m)
{
	switch (m) {
	case RN_TOR_LAUNCH: return "launch";
	case RN_TOR_CONTROL: return "control";
	case RN_TOR_SYSTEM: return "system";
	default: return "off";
	}
}

/* A JSON string of s: quotes, backslashes and control bytes escaped. */
static enum rn_err
json_str(struct rn_buf *b, const char *s)
{
	enum rn_err r = rn_buf_puts(b, "\"");

	for (; r == RN_OK && *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			r = rn_buf_printf(b, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			r = rn_buf_printf(b, "\\u%04x", ch);
		else
			r = rn_buf_append(b, s, 1);
	}
	return r == RN_OK ? rn_buf_puts(b, "\"") : r;
}

static enum rn_err
onion_json(struct rn_buf *b, const struct rn_tor_onion *o, bool first)
{
	enum rn_err r;

	r = rn_buf_printf(b, "%s{\"name\":", first ? "" : ",");
	if (r == RN_OK)
		r = json_str(b, o->name);
	if (r == RN_OK)
		r = rn_buf_puts(b, ",\"address\":");
	if (r == RN_OK)
		r = json_str(b, o->key.addr);
	if (r == RN_OK)
		r = rn_buf_printf(b, ",\"pow\":%s,\"uploads\":%lu,\"uploaded\":%lld}",
		    o->pow ? "true" : "false", o->uploads, (long long)o->uploaded);
	return r;
}

enum rn_err
rn_tor_status_json(const struct rn_tor *t, struct rn_buf *out)
{
	enum rn_err r;
	size_t	    i;
	bool	    first = true;

	if (t == NULL)
		return rn_buf_puts(out, "{\"mode\":\"off\",\"state\":\"off\",\"onions\":[]}");
	r = rn_buf_printf(out, "{\"mode\":\"%s\",\"state\":", mode_name(t->mode));
	if (r == RN_OK)
		r = json_str(out, t->state);
	if (r == RN_OK)
		r = rn_buf_printf(out, ",\"bootstrap\":%d,\"socks\":", t->bootstrap);
	if (r == RN_OK)
		r = t->socks[0] != '\0' ? json_str(out, t->socks) : rn_buf_puts(out, "null");
	if (r == RN_OK)
		r = rn_buf_puts(out, ",\"onions\":[");
	for (i = 0; r == RN_OK && i < RN_ARRAY_LEN(t->onions); i++) {
		if (!t->onions[i].active)
			continue;
		r = onion_json(out, &t->onions[i], first);
		first = false;
	}
	return r == RN_OK ? rn_buf_puts(out, "]}") : r;
}

enum rn_err
rn_tor_add_host_names(const struct rn_tor *t, struct rn_conf *c)
{
	char	    err[256];
	const char *a;
	enum rn_err r;
	size_t	    i, j;

	for (i = 0; t != NULL && i < RN_ARRAY_LEN(t->onions); i++) {
		if ((a = rn_tor_address(t, i)) == NULL)
			continue;
		for (j = 0; j < c->host_names.n; j++)
			if (strcmp(c->host_names.v[j], a) == 0)
				break;
		if (j < c->host_names.n)
			continue;
		if ((r = rn_conf_set(c, "+HostName", a, err, sizeof(err))) != RN_OK) {
			rn_log_err("tor: cannot add %s to HostName: %s", a, err);
			return r;
		}
	}
	return RN_OK;
}

enum rn_err
rn_tor_admin_status(const char *request, struct rn_buf *out, void *arg)
{
	enum rn_err r;

	if (strcmp(request, "status") != 0)
		return RN_ERR_NOTFOUND;
	if ((r = rn_buf_puts(out, "{\"tor\":")) == RN_OK &&
	    (r = rn_tor_status_json(arg, out)) == RN_OK)
		r = rn_buf_puts(out, "}");
	return r;
}
