/*
 * roneo keygen [-o DIR] [--json]: a new editor identity in DIR (default the
 * identity directory): editor.key / editor.pub (minisign formats),
 * age.txt (as age-keygen writes it), tor-client.key (the raw 32-byte X25519
 * secret for the editor onion's client authorization) and tor-client.pub
 * (its public key in base32).  Refuses to overwrite anything.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"

struct keys {
	struct rn_editor_secret *sk;
	struct rn_age_identity	*age;
	uint8_t			 tor[RN_X25519_LEN];
	uint8_t			 tor_pub[RN_X25519_LEN];
	char			 recipient[RN_AGE_RECIPIENT_BUFSZ];
	char			 minisign[RN_MINISIGN_PUB_B64_LEN + 1];
	char			 tor_b32[RN_X25519_B32_LEN + 1];
};

static int
generate(struct keys *k)
{
	struct rn_age_recipient r;

	if (rn_editor_secret_generate(&k->sk) != RN_OK ||
	    rn_age_identity_generate(&k->age) != RN_OK ||
	    rn_crypto_random(k->tor, sizeof(k->tor)) != RN_OK ||
	    rn_x25519_public(k->tor, k->tor_pub) != RN_OK)
		return cli_fail("cannot generate keys");
	rn_age_identity_recipient(k->age, &r);
	if (rn_age_recipient_format(&r, k->recipient, sizeof(k->recipient)) != RN_OK)
		return cli_fail("cannot format the age recipient");
	rn_minisign_pub_format(
	    rn_editor_secret_keyid(k->sk), rn_editor_secret_pub(k->sk), k->minisign);
	rn_x25519_base32(k->tor_pub, k->tor_b32);
	return RN_CLI_EXIT_OK;
}

/* The age identity file, as age-keygen writes it (without the date comment). */
static enum rn_err
age_file(const struct keys *k, struct rn_buf *b)
{
	char	    id[RN_AGE_IDENTITY_BUFSZ];
	enum rn_err err;

	if ((err = rn_age_identity_format(k->age, id, sizeof(id))) != RN_OK)
		return err;
	err =
	    rn_buf_printf(b, "# created by roneo keygen\n# public key: %s\n%s\n", k->recipient, id);
	rn_crypto_wipe(id, sizeof(id));
	return err;
}

static int
write_one(const char *dir, const char *name, const struct rn_buf *b, bool secret)
{
	char path[RN_CLI_PATH_MAX];

	if (cli_path(path, sizeof(path), dir, name) != RN_OK)
		return cli_fail("path too long");
	return cli_write_new(path, b->data, b->len, secret);
}

static int
write_all(const char *dir, const struct keys *k)
{
	struct rn_buf b;
	int	      rc = RN_CLI_EXIT_FAIL;

	rn_buf_init(&b, 4096);
	if (rn_editor_secret_format_file(k->sk, &b) != RN_OK ||
	    write_one(dir, RN_CLI_SIGN_KEY, &b, true) != 0)
		goto out;
	rn_crypto_wipe(b.data, b.cap);
	rn_buf_reset(&b);
	if (rn_editor_secret_format_pub(k->sk, &b) != RN_OK ||
	    write_one(dir, RN_CLI_SIGN_PUB, &b, false) != 0)
		goto out;
	rn_buf_reset(&b);
	if (age_file(k, &b) != RN_OK || write_one(dir, RN_CLI_AGE_KEY, &b, true) != 0)
		goto out;
	rn_crypto_wipe(b.data, b.cap);
	rn_buf_reset(&b);
	if (rn_buf_append(&b, k->tor, sizeof(k->tor)) != RN_OK ||
	    write_one(dir, RN_CLI_TOR_KEY, &b, true) != 0)
		goto out;
	rn_crypto_wipe(b.data, b.cap);
	rn_buf_reset(&b);
	if (rn_buf_printf(&b, "descriptor:x25519:%s\n", k->tor_b32) != RN_OK ||
	    write_one(dir, RN_CLI_TOR_PUB, &b, false) != 0)
		goto out;
	rc = RN_CLI_EXIT_OK;
out:
	if (b.data != NULL)
		rn_crypto_wipe(b.data, b.cap);
	rn_buf_free(&b);
	return rc;
}

/* mkdir -p, mode 0700 for what it creates. */
static int
make_dirs(const char *dir)
{
	char   p[RN_CLI_PATH_MAX];
	size_t i;

	snprintf(p, sizeof(p), "%s", dir);
	for (i = 1; p[i] != '\0'; i++) {
		if (p[i] != '/')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0700) == -1 && errno != EEXIST)
			return -1;
		p[i] = '/';
	}
	return mkdir(p, 0700) == -1 && errno != EEXIST ? -1 : 0;
}

/* Nothing of an identity may exist yet: never overwrite a key. */
static int
check_free(const char *dir)
{
	static const char *const names[] = { RN_CLI_SIGN_KEY, RN_CLI_SIGN_PUB, RN_CLI_AGE_KEY,
		RN_CLI_TOR_KEY, RN_CLI_TOR_PUB };
	char			 path[RN_CLI_PATH_MAX];
	struct stat		 st;
	size_t			 i;

	if (make_dirs(dir) != 0)
		return cli_fail("cannot create %s: %s", dir, strerror(errno));
	for (i = 0; i < RN_ARRAY_LEN(names); i++) {
		if (cli_path(path, sizeof(path), dir, names[i]) != RN_OK)
			return cli_fail("path too long");
		if (lstat(path, &st) == 0)
			return cli_fail(
			    "%s exists: an identity is already there (use -o DIR)", path);
	}
	return RN_CLI_EXIT_OK;
}

static void
print_result(const char *dir, const struct keys *k, bool json)
{
	struct rn_buf b;

	if (!json) {
		printf("Editor identity written to %s/\n\n"
		       "Give the server's operator this line for roneod.conf:\n\n"
		       "Editor %s %s\n\n"
		       "Tor client authorization public key (for the editor onion):\n"
		       "descriptor:x25519:%s\n",
		    dir, k->minisign, k->recipient, k->tor_b32);
		return;
	}
	rn_buf_init(&b, 8192);
	rn_buf_puts(&b, "{\"dir\":");
	cli_json_str(&b, dir, strlen(dir));
	rn_buf_printf(&b,
	    ",\"editor\":\"Editor %s %s\",\"minisign\":\"%s\",\"age\":\"%s\","
	    "\"tor_client_auth\":\"descriptor:x25519:%s\"}\n",
	    k->minisign, k->recipient, k->minisign, k->recipient, k->tor_b32);
	fputs(b.data != NULL ? b.data : "", stdout);
	rn_buf_free(&b);
}

int
rn_cli_keygen(int argc, char **argv)
{
	static const struct option longopts[] = { { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	const char		  *out = NULL;
	char			   dir[RN_CLI_PATH_MAX];
	struct keys		   k;
	bool			   json = false;
	int			   c, rc;

	memset(&k, 0, sizeof(k));
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		if (c == 'o')
			out = optarg;
		else if (c == 'j')
			json = true;
		else {
			fputs("usage: roneo keygen [-o DIR] [--json]\n", stderr);
			return c == 'h' ? RN_CLI_EXIT_OK : RN_CLI_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fputs("usage: roneo keygen [-o DIR] [--json]\n", stderr);
		return RN_CLI_EXIT_USAGE;
	}
	if ((rc = cli_identity_dir(out, dir, sizeof(dir))) != 0 || (rc = check_free(dir)) != 0)
		return rc;
	if ((rc = generate(&k)) == 0 && (rc = write_all(dir, &k)) == 0)
		print_result(dir, &k, json);
	rn_editor_secret_free(k.sk);
	rn_age_identity_free(k.age);
	rn_crypto_wipe(k.tor, sizeof(k.tor));
	return rc;
}
