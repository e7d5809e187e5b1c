/* The Tor options of roneod.conf: their values and how they fit together. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/un.h>

#include "roneo/rn_conf.h"
#include "roneo/rn_tor.h"

#define CLIENT_AUTH_PREFIX "descriptor:x25519:"
#define CONTROL_SOCK	   "/tor/control.sock"

static const struct {
	const char	*name;
	enum rn_tor_mode mode;
} modes[] = {
	{ "launch", RN_TOR_LAUNCH },
	{ "control", RN_TOR_CONTROL },
	{ "system", RN_TOR_SYSTEM },
	{ "off", RN_TOR_OFF },
};

bool
rn_tor_mode_parse(const char *s, enum rn_tor_mode *out)
{
	size_t i;

	for (i = 0; s != NULL && i < RN_ARRAY_LEN(modes); i++) {
		if (strcasecmp(s, modes[i].name) == 0) {
			*out = modes[i].mode;
			return true;
		}
	}
	return false;
}

enum rn_err
rn_tor_client_auth_parse(const char *s, uint8_t key[32])
{
	size_t n;

	if (strncasecmp(s, CLIENT_AUTH_PREFIX, strlen(CLIENT_AUTH_PREFIX)) == 0)
		s += strlen(CLIENT_AUTH_PREFIX);
	if (strlen(s) != rn_base32_len(32u))
		return RN_ERR_INVAL;
	if (rn_base32_decode(s, strlen(s), key, 32, &n) != RN_OK || n != 32)
		return RN_ERR_INVAL;
	return RN_OK;
}

static bool
socks_ok(const char *s)
{
	uint64_t port;

	if (strcmp(s, "auto") == 0)
		return true;
	if (s[0] == '0' && s[1] != '\0')
		return false; /* one spelling per port */
	return rn_parse_u64(s, strlen(s), 65535, &port) == RN_OK && (port != 0 || s[1] == '\0');
}

static bool
include_ok(const char *s)
{
	size_t i;

	if (s[0] != '/')
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return false; /* torrc would split or misread it */
	return true;
}

static enum rn_err
check_control(const struct rn_conf *c, enum rn_tor_mode mode, char *err, size_t errlen)
{
	struct rn_conf_listen l;
	char		      msg[160];

	if (mode == RN_TOR_LAUNCH) {
		if (strlen(c->data_directory) + strlen(CONTROL_SOCK) >=
		    sizeof(((struct sockaddr_un *)0)->sun_path)) {
			snprintf(err, errlen,
			    "TorMode launch: DataDirectory is too long for the control socket "
			    "%s" CONTROL_SOCK,
			    c->data_directory);
			return RN_ERR_INVAL;
		}
		return RN_OK;
	}
	if (rn_conf_listen_parse(c->tor_control, NULL, &l, msg, sizeof(msg)) != RN_OK) {
		snprintf(err, errlen, "TorControl: %s", msg);
		return RN_ERR_INVAL;
	}
	if (l.family != RN_CONF_LISTEN_UNIX && (l.family != RN_CONF_LISTEN_INET || !l.loopback)) {
		snprintf(err, errlen, "TorControl: only unix:PATH or an address in 127.0.0.0/8");
		return RN_ERR_INVAL;
	}
	return RN_OK;
}

enum rn_err
rn_tor_conf_check(const struct rn_conf *c, char *err, size_t errlen)
{
	enum rn_tor_mode mode;
	uint8_t		 key[32];
	size_t		 i;

	if (!rn_tor_mode_parse(c->tor_mode, &mode)) {
		snprintf(err, errlen, "TorMode: must be launch, control, system or off");
		return RN_ERR_INVAL;
	}
	if (c->tor_binary == NULL || c->tor_binary[0] == '\0' ||
	    (strchr(c->tor_binary, '/') != NULL && c->tor_binary[0] != '/')) {
		snprintf(err, errlen, "TorBinary: an absolute path or a program name");
		return RN_ERR_INVAL;
	}
	if (c->tor_socks_port == NULL || !socks_ok(c->tor_socks_port)) {
		snprintf(err, errlen, "TorSocksPort: auto, 0 or a port number");
		return RN_ERR_INVAL;
	}
	for (i = 0; i < c->tor_include.n; i++) {
		if (!include_ok(c->tor_include.v[i])) {
			snprintf(err, errlen, "TorInclude: an absolute path without spaces");
			return RN_ERR_INVAL;
		}
	}
	for (i = 0; i < c->editor_client_auth.n; i++) {
		if (rn_tor_client_auth_parse(c->editor_client_auth.v[i], key) != RN_OK) {
			snprintf(err, errlen,
			    "EditorClientAuth: not an x25519 public key in base32 (52 characters)");
			return RN_ERR_INVAL;
		}
	}
	if (mode == RN_TOR_OFF)
		return RN_OK;
	return check_control(c, mode, err, errlen);
}
