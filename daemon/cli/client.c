/*
 * The editor API over HTTP with libcurl.  No connection leaves this machine
 * except through Tor: without --socks only loopback addresses and unix
 * sockets are accepted; with it, curl resolves nothing itself (socks5h) and
 * the proxy must be on loopback.  Proxy variables of the environment are
 * ignored, redirects are not followed, only http:// is spoken.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "cli/cli.h"

static bool
loopback_host(const char *h, size_t n)
{
	size_t i, dots = 0;

	if ((n == 9 && memcmp(h, "localhost", 9) == 0) || (n == 5 && memcmp(h, "[::1]", 5) == 0))
		return true;
	if (n < 9 || memcmp(h, "127.", 4) != 0)
		return false;
	for (i = 4; i < n; i++) {
		if (h[i] == '.')
			dots++;
		else if (h[i] < '0' || h[i] > '9')
			return false;
	}
	return dots == 2;
}

static bool
onion_host(const char *h, size_t n)
{
	return n > 6 && memcmp(h + n - 6, ".onion", 6) == 0;
}

/* "HOST[:PORT]" of an http:// URL: [host, host+n) and whether a path follows. */
static int
split_url(const char *url, const char **host, size_t *n)
{
	const char *p, *end;

	if (strncmp(url, "http://", 7) != 0)
		return cli_fail("--server must be http://HOST[:PORT] or unix:PATH");
	p = url + 7;
	end = p + strcspn(p, "/?#");
	if (end[0] != '\0' && strcmp(end, "/") != 0)
		return cli_fail("--server takes no path: http://HOST[:PORT]");
	*host = p;
	if (p[0] == '[')
		*n = (size_t)(strchr(p, ']') != NULL && strchr(p, ']') < end ?
				  strchr(p, ']') - p + 1 :
				  end - p);
	else
		*n = strcspn(p, ":/");
	if (*n == 0)
		return cli_fail("--server has no host");
	return RN_CLI_EXIT_OK;
}

int
cli_conn_init(
    struct cli_conn *c, const char *server, const char *socks, struct rn_editor_secret *sk)
{
	const char *host = NULL;
	size_t	    n = 0;
	int	    w;

	memset(c, 0, sizeof(*c));
	c->sk = sk;
	if (server == NULL)
		return cli_fail("no server: give --server http://HOST:PORT or unix:PATH");
	if (socks != NULL) {
		const char *colon = strrchr(socks, ':');

		if (colon == NULL || !loopback_host(socks, (size_t)(colon - socks)) ||
		    strspn(colon + 1, "0123456789") != strlen(colon + 1) || colon[1] == '\0')
			return cli_fail("--socks must be a loopback HOST:PORT (Tor's SOCKS port)");
		w = snprintf(c->socks, sizeof(c->socks), "socks5h://%s", socks);
		if (w <= 0 || (size_t)w >= sizeof(c->socks))
			return cli_fail("--socks too long");
	}
	if (strncmp(server, "unix:", 5) == 0) {
		if (socks != NULL)
			return cli_fail("--socks makes no sense with a unix socket");
		w = snprintf(c->unix_path, sizeof(c->unix_path), "%s", server + 5);
		if (w <= 0 || (size_t)w >= sizeof(c->unix_path) - 1)
			return cli_fail("bad unix socket path");
		snprintf(c->url, sizeof(c->url), "http://localhost");
		return RN_CLI_EXIT_OK;
	}
	if (split_url(server, &host, &n) != 0)
		return RN_CLI_EXIT_FAIL;
	if (socks == NULL && !loopback_host(host, n))
		return cli_fail(onion_host(host, n) ?
				    "an .onion server needs --socks HOST:PORT (Tor's SOCKS port)" :
				    "refusing a server that is not on loopback without --socks: "
				    "connections leave only through Tor");
	w = snprintf(
	    c->url, sizeof(c->url), "%.*s", (int)(host - server + (int)strcspn(host, "/")), server);
	if (w <= 0 || (size_t)w >= sizeof(c->url))
		return cli_fail("--server too long");
	return RN_CLI_EXIT_OK;
}

struct xfer {
	long	       status;
	cli_body_fn    body;
	void	      *arg;
	struct rn_buf *err_body;
	CURL	      *curl;
	enum rn_err    err;
	bool	       progress, drew;
};

static size_t
on_write(char *p, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t	     n = size * nmemb;

	if (x->status == 0)
		curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &x->status);
	if (n == 0)
		return 0;
	if (x->status >= 200 && x->status < 300) {
		if ((x->err = x->body(p, n, x->arg)) != RN_OK)
			return 0;
	} else if (x->err_body != NULL) {
		size_t room = x->err_body->max - x->err_body->len;

		rn_buf_append(x->err_body, p, n < room ? n : room);
	}
	return n;
}

static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct xfer *x = arg;

	(void)ultotal;
	(void)ulnow;
	if (!x->progress || dltotal <= 0 || x->status < 200 || x->status >= 300)
		return 0;
	fprintf(stderr, "\r  %8.1f MiB of %.1f MiB  %3d%%", (double)dlnow / 1048576.0,
	    (double)dltotal / 1048576.0, (int)(dlnow * 100 / dltotal));
	x->drew = true;
	return 0;
}

static struct curl_slist *
auth_headers(struct cli_conn *c, const char *method, const char *target, const void *req,
    size_t req_len, enum rn_err *err)
{
	uint8_t		   digest[RN_SHA256_LEN];
	char		   value[RN_EDITOR_AUTH_HEADER_MAX], line[RN_EDITOR_AUTH_HEADER_MAX + 32];
	struct curl_slist *h = NULL, *t;

	if ((*err = rn_sha256(req_len > 0 ? req : "", req_len, digest)) != RN_OK ||
	    (*err = rn_editor_auth_sign(c->sk, method, target, strlen(target), digest,
		 (uint64_t)time(NULL), value, sizeof(value))) != RN_OK)
		return NULL;
	snprintf(line, sizeof(line), "Authorization: %s", value);
	*err = RN_ERR_NOMEM;
	if ((t = curl_slist_append(h, line)) == NULL)
		return NULL;
	h = t;
	if ((t = curl_slist_append(h, "Expect:")) == NULL ||
	    (h = t, t = curl_slist_append(h, "Content-Type: application/octet-stream")) == NULL) {
		curl_slist_free_all(h);
		return NULL;
	}
	*err = RN_OK;
	return t;
}

/* The options every request gets. */
static enum rn_err
setup(CURL *curl, struct cli_conn *c, const char *url)
{
	CURLcode e = CURLE_OK;

	e |= curl_easy_setopt(curl, CURLOPT_URL, url);
	e |= curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http");
	e |= curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	e |= curl_easy_setopt(curl, CURLOPT_PROXY, c->socks); /* "" ignores *_proxy variables */
	e |= curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	e |= curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 120L);
	e |= curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	e |= curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 120L);
	e |= curl_easy_setopt(curl, CURLOPT_USERAGENT, "roneo");
	if (c->unix_path[0] != '\0')
		e |= curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, c->unix_path);
	return e == CURLE_OK ? RN_OK : RN_ERR_INVAL;
}

enum rn_err
cli_request(struct cli_conn *c, const char *method, const char *target, const void *req,
    size_t req_len, cli_body_fn body, void *arg, long *status, struct rn_buf *err_body)
{
	char		   url[2 * RN_CLI_PATH_MAX];
	struct curl_slist *hdrs = NULL;
	struct xfer	   x;
	CURL		  *curl;
	CURLcode	   cc;
	enum rn_err	   err;

	memset(&x, 0, sizeof(x));
	*status = 0;
	if (cli_path(url, sizeof(url), c->url, target + 1) != RN_OK)
		return RN_ERR_TOOBIG;
	if ((curl = curl_easy_init()) == NULL)
		return RN_ERR_NOMEM;
	if ((hdrs = auth_headers(c, method, target, req, req_len, &err)) == NULL ||
	    (err = setup(curl, c, url)) != RN_OK)
		goto out;
	x = (struct xfer){ 0, body, arg, err_body, curl, RN_OK, c->progress, false };
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &x);
	curl_easy_setopt(curl, CURLOPT_NOPROGRESS, c->progress ? 0L : 1L);
	if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(curl, CURLOPT_POST, 1L);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req_len > 0 ? req : "");
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req_len);
	} else if (strcmp(method, "GET") != 0) {
		err = RN_ERR_INVAL;
		goto out;
	}
	cc = curl_easy_perform(curl);
	if (x.drew)
		fputc('\n', stderr);
	if (x.err != RN_OK) {
		err = x.err;
		goto out;
	}
	if (cc != CURLE_OK) {
		cli_fail("%s %s: %s", method, target, curl_easy_strerror(cc));
		err = RN_ERR_IO;
		goto out;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
	err = RN_OK;
out:
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(curl);
	return err;
}

static enum rn_err
to_buf(const void *p, size_t n, void *arg)
{
	return rn_buf_append(arg, p, n);
}

/* The server's {"error": ...} or the status, as a message. */
static int
report_status(const char *method, const char *target, long status, const struct rn_buf *b)
{
	struct cli_json *j = NULL;
	const char	*why = NULL;
	char		 safe[256];

	if (b->len > 0 && cli_json_parse(b->data, b->len, &j) == RN_OK)
		why = cli_json_str_of(j, "error");
	cli_fail("%s %s: the server answered %ld%s%s", method, target, status, why ? ": " : "",
	    why ? cli_safe(why, strlen(why), safe, sizeof(safe)) : "");
	cli_json_free(j);
	return RN_CLI_EXIT_FAIL;
}

int
cli_request_json(struct cli_conn *c, const char *method, const char *target, const void *req,
    size_t req_len, long want_status, struct cli_json **out)
{
	struct rn_buf b, eb;
	long	      status;
	enum rn_err   err;
	int	      rc = RN_CLI_EXIT_FAIL;

	*out = NULL;
	rn_buf_init(&b, RN_EDITOR_MAX_ANSWER);
	rn_buf_init(&eb, 4096);
	err = cli_request(c, method, target, req, req_len, to_buf, &b, &status, &eb);
	if (err == RN_ERR_TOOBIG)
		cli_fail("%s %s: the answer is too large", method, target);
	else if (err != RN_OK && err != RN_ERR_IO)
		cli_fail("%s %s: %s", method, target, rn_err_str(err));
	if (err != RN_OK)
		goto out;
	if (status != want_status) {
		rc = report_status(method, target, status, &eb);
		goto out;
	}
	if (cli_json_parse(b.data != NULL ? b.data : "", b.len, out) != RN_OK ||
	    (*out)->type != CLI_JSON_OBJ) {
		cli_json_free(*out);
		*out = NULL;
		cli_fail("%s %s: the answer is not a JSON object", method, target);
		goto out;
	}
	rc = RN_CLI_EXIT_OK;
out:
	rn_buf_free(&b);
	rn_buf_free(&eb);
	return rc;
}
