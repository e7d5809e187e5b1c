/*
 * Unit tests of daemon/tor: base32, onion addresses and keys in tor's file
 * format, the control-port reply parser and argument helpers, SAFECOOKIE,
 * the control client against a scripted fake control port (a socketpair),
 * the torrc of launch mode, the Tor options' checks and the admin socket.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "roneo/rn_conf.h"
#include "roneo/rn_crypto.h"
#include "roneo/rn_limits.h"
#include "roneo/rn_log.h"
#include "roneo/rn_tor.h"

/* ---- helpers ---- */

static void
hex2bin(const char *hex, uint8_t *out, size_t n)
{
	assert_int_equal(rn_hex_decode(hex, strlen(hex), out, n), RN_OK);
}

static char *
tmpdir(void)
{
	char *d = strdup("/tmp/rn-test-tor-XXXXXX");

	assert_non_null(d);
	assert_non_null(mkdtemp(d));
	return d;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
rmtree(const char *dir)
{
	assert_int_equal(nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

/* ---- base32 ---- */

static void
test_base32(void **state)
{
	static const char *const vec[][2] = { { "", "" }, { "f", "my" }, { "fo", "mzxq" },
		{ "foo", "mzxw6" }, { "foob", "mzxw6yq" }, { "fooba", "mzxw6ytb" },
		{ "foobar", "mzxw6ytboi" } };
	static const char *const bad[] = { "m", "mzx", "mzxw6y", "mz!", "mZxq", "mzxr", "my==",
		"m1", "mz xq" };
	char			 out[32];
	uint8_t			 bin[32];
	size_t			 i, n;

	(void)state;
	for (i = 0; i < RN_ARRAY_LEN(vec); i++) {
		rn_base32_encode((const uint8_t *)vec[i][0], strlen(vec[i][0]), out);
		assert_string_equal(out, vec[i][1]);
		assert_int_equal(rn_base32_decode(vec[i][1], strlen(vec[i][1]), bin, sizeof(bin), &n),
		    RN_OK);
		assert_int_equal(n, strlen(vec[i][0]));
		assert_memory_equal(bin, vec[i][0], n);
	}
	assert_int_equal(rn_base32_decode("MZXW6YTBOI", 10, bin, sizeof(bin), &n), RN_OK);
	assert_memory_equal(bin, "foobar", 6);
	for (i = 0; i < RN_ARRAY_LEN(bad); i++)
		assert_int_not_equal(
		    rn_base32_decode(bad[i], strlen(bad[i]), bin, sizeof(bin), &n), RN_OK);
	assert_int_equal(rn_base32_decode("mzxw6ytboi", 10, bin, 5, &n), RN_ERR_TOOBIG);
}

/* ---- hashes, onion addresses and keys ---- */

static void
test_hashes(void **state)
{
	uint8_t out[64], want[64];

	(void)state;
	assert_int_equal(rn_sha3_256("abc", 3, out), RN_OK);
	hex2bin("3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532", want, 32);
	assert_memory_equal(out, want, 32);
	assert_int_equal(rn_sha512("abc", 3, out), RN_OK);
	hex2bin("ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a8"
		"36ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
	    want, 64);
	assert_memory_equal(out, want, 64);
}

/* RFC 8032 test 1; expanded key and address computed independently (Python hashlib). */
#define SEED1 "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
#define PUB1  "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
#define EXP1                                                                                       \
	"307c83864f2833cb427a2ef1c00a013cfdff2768d980c0a3a520f006904de94f9b4f0afe280b746a778684e7" \
	"5442502057b7473a03f08f96f5a38e9287e01f8f"
#define ADDR1 "25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenl5sid.onion"
/* An address tor 0.4.9 made with ADD_ONION NEW:ED25519-V3. */
#define TOR_ADDR "qqczkqvopkicthv5fsqnlqnnxxqi6ay6xmok2xn5so5pu752zxjyq3yd"

static void
test_onion_address(void **state)
{
	struct rn_onion_key k;
	uint8_t		    seed[32], pub[32], exp[64];
	char		    addr[RN_ONION_ADDR_LEN + 7], bad[RN_ONION_ADDR_LEN + 7];

	(void)state;
	hex2bin(SEED1, seed, 32);
	hex2bin(PUB1, pub, 32);
	hex2bin(EXP1, exp, 64);
	assert_int_equal(rn_onion_address(pub, addr), RN_OK);
	assert_string_equal(addr, ADDR1);
	assert_int_equal(rn_onion_key_from_seed(seed, &k), RN_OK);
	assert_memory_equal(k.pub, pub, 32);
	assert_memory_equal(k.expanded, exp, 64);
	assert_string_equal(k.addr, ADDR1);
	/* Parsing: with and without ".onion", upper case, and a tor-made address. */
	assert_int_equal(rn_onion_address_parse(ADDR1, pub), RN_OK);
	assert_int_equal(rn_onion_address_parse("25NJQAMCWEFLPVKL73J4SZAHHIHOC4XT3KTCGJNPAINGR5YHKENL5SID",
			     pub),
	    RN_OK);
	assert_int_equal(rn_onion_address_parse(TOR_ADDR, pub), RN_OK);
	assert_int_equal(rn_onion_address(pub, addr), RN_OK);
	assert_memory_equal(addr, TOR_ADDR, RN_ONION_ADDR_LEN);
	/* A changed character breaks the checksum; so do bad lengths and versions. */
	memcpy(bad, ADDR1, sizeof(bad));
	bad[3] = bad[3] == 'a' ? 'b' : 'a';
	assert_int_equal(rn_onion_address_parse(bad, pub), RN_ERR_INVAL);
	assert_int_equal(rn_onion_address_parse("abc.onion", pub), RN_ERR_INVAL);
	memcpy(bad, ADDR1, sizeof(bad));
	bad[55] = 'a'; /* the version byte's last character */
	assert_int_equal(rn_onion_address_parse(bad, pub), RN_ERR_INVAL);
	rn_onion_key_wipe(&k);
}

static void
write_file(const char *dir, const char *name, const void *p, size_t n, mode_t mode)
{
	char path[512];
	int  fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, n), (ssize_t)n);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static size_t
read_file(const char *dir, const char *name, uint8_t *out, size_t max, mode_t *mode)
{
	char	    path[512];
	struct stat st;
	ssize_t	    n;
	int	    fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	*mode = st.st_mode & 07777;
	n = read(fd, out, max);
	assert_true(n >= 0);
	close(fd);
	return (size_t)n;
}

static void
test_onion_key_files(void **state)
{
	struct rn_onion_key k, k2;
	char		   *dir = tmpdir(), sub[512];
	uint8_t		    seed[32], buf[1024];
	mode_t		    mode;
	bool		    created;

	(void)state;
	snprintf(sub, sizeof(sub), "%s/onion", dir);
	hex2bin(SEED1, seed, 32);
	assert_int_equal(rn_onion_key_from_seed(seed, &k), RN_OK);
	assert_int_equal(rn_onion_key_save(sub, &k), RN_OK);
	/* tor's format: header, then the key; the address with a newline. */
	assert_int_equal(read_file(sub, "hs_ed25519_secret_key", buf, sizeof(buf), &mode), 96);
	assert_int_equal(mode, 0600);
	assert_memory_equal(buf, "== ed25519v1-secret: type0 ==\0\0\0", 32);
	assert_memory_equal(buf + 32, k.expanded, 64);
	assert_int_equal(read_file(sub, "hs_ed25519_public_key", buf, sizeof(buf), &mode), 64);
	assert_memory_equal(buf, "== ed25519v1-public: type0 ==\0\0\0", 32);
	assert_memory_equal(buf + 32, k.pub, 32);
	assert_int_equal(read_file(sub, "hostname", buf, sizeof(buf), &mode), 63);
	assert_memory_equal(buf, ADDR1 "\n", 63);
	/* Load gives the same key; load_or_create does not replace it. */
	assert_int_equal(rn_onion_key_load(sub, &k2), RN_OK);
	assert_memory_equal(&k, &k2, sizeof(k));
	assert_int_equal(rn_onion_key_load_or_create(sub, &k2, &created), RN_OK);
	assert_false(created);
	assert_string_equal(k2.addr, ADDR1);
	/* A missing hostname is written again; a wrong one is refused. */
	snprintf((char *)buf, sizeof(buf), "%s/hostname", sub);
	assert_int_equal(unlink((char *)buf), 0);
	assert_int_equal(rn_onion_key_load(sub, &k2), RN_OK);
	write_file(sub, "hostname", TOR_ADDR ".onion\n", 63, 0600);
	assert_int_equal(rn_onion_key_load(sub, &k2), RN_ERR_INVAL);
	write_file(sub, "hostname", ADDR1 "\n", 63, 0600);
	/* Group-readable, wrong size, wrong header, unclamped: refused. */
	write_file(sub, "hs_ed25519_public_key", "== ed25519v1-public: type0 ==\0\0\0", 32, 0600);
	assert_int_equal(rn_onion_key_load(sub, &k2), RN_ERR_INVAL);
	assert_int_equal(rn_onion_key_save(sub, &k), RN_OK);
	snprintf((char *)buf, sizeof(buf), "%s/hs_ed25519_secret_key", sub);
	assert_int_equal(chmod((char *)buf, 0640), 0);
	assert_int_equal(rn_onion_key_load(sub, &k2), RN_ERR_PERM);
	memset(buf, 0, sizeof(buf));
	memcpy(buf, "== ed25519v1-secret: type0 ==", 29);
	memcpy(buf + 32, k.expanded, 64);
	buf[32] |= 1; /* not clamped */
	write_file(sub, "hs_ed25519_secret_key", buf, 96, 0600);
	assert_int_equal(rn_onion_key_load(sub, &k2), RN_ERR_INVAL);
	/* A secret key without its public key is never replaced by a new key. */
	snprintf((char *)buf, sizeof(buf), "%s/hs_ed25519_public_key", sub);
	assert_int_equal(unlink((char *)buf), 0);
	assert_int_not_equal(rn_onion_key_load_or_create(sub, &k2, &created), RN_OK);
	assert_false(created);
	/* A fresh directory gets a fresh key, which loads back. */
	snprintf(sub, sizeof(sub), "%s/fresh", dir);
	assert_int_equal(rn_onion_key_load_or_create(sub, &k, &created), RN_OK);
	assert_true(created);
	assert_int_equal(rn_onion_key_load(sub, &k2), RN_OK);
	assert_string_equal(k.addr, k2.addr);
	rn_onion_key_wipe(&k);
	rn_onion_key_wipe(&k2);
	rmtree(dir);
	free(dir);
}

/* ---- the reply parser ---- */

/* Feed all of s; expect exactly one reply and that every byte is consumed. */
static struct rn_torctl_reply *
parse_one(const char *s)
{
	struct rn_torctl_parser *p = rn_torctl_parser_new();
	struct rn_torctl_reply	*r = NULL;
	size_t			 used;

	assert_non_null(p);
	assert_int_equal(rn_torctl_parser_feed(p, s, strlen(s), &used, &r), RN_OK);
	assert_int_equal(used, strlen(s));
	rn_torctl_parser_free(p);
	return r;
}

static enum rn_err
parse_err(const char *s, size_t n)
{
	struct rn_torctl_parser *p = rn_torctl_parser_new();
	struct rn_torctl_reply	*r = NULL;
	size_t			 used, pos = 0;
	enum rn_err		 e;

	assert_non_null(p);
	do {
		e = rn_torctl_parser_feed(p, s + pos, n - pos, &used, &r);
		pos += used;
		rn_torctl_reply_free(r);
		r = NULL;
	} while (e == RN_OK && pos < n);
	/* A parser that failed keeps failing. */
	if (e != RN_OK && e != RN_ERR_AGAIN)
		assert_int_equal(rn_torctl_parser_feed(p, "250 OK\r\n", 8, &used, &r), e);
	rn_torctl_parser_free(p);
	return e;
}

static void
test_reply_ok(void **state)
{
	struct rn_torctl_reply *r;

	(void)state;
	r = parse_one("250 OK\r\n");
	assert_int_equal(r->code, 250);
	assert_int_equal(r->nlines, 1);
	assert_string_equal(r->lines[0].text, "OK");
	assert_false(rn_torctl_reply_is_async(r));
	rn_torctl_reply_free(r);

	r = parse_one("250-PROTOCOLINFO 1\r\n250-AUTH METHODS=COOKIE,SAFECOOKIE "
		      "COOKIEFILE=\"/var/run/tor/control.authcookie\"\r\n"
		      "250-VERSION Tor=\"0.4.9.11\"\r\n250 OK\r\n");
	assert_int_equal(r->nlines, 4);
	assert_int_equal(r->lines[1].sep, '-');
	assert_string_equal(r->lines[3].text, "OK");
	rn_torctl_reply_free(r);

	/* A data block: dot-unstuffed, CRLF turned into LF, ended by ".". */
	r = parse_one("250+config-text=\r\nLog notice stdout\r\n..hidden\r\n\r\n.\r\n250 OK\r\n");
	assert_int_equal(r->nlines, 2);
	assert_int_equal(r->lines[0].sep, '+');
	assert_string_equal(r->lines[0].text, "config-text=");
	assert_non_null(r->lines[0].data);
	assert_string_equal(r->lines[0].data, "Log notice stdout\n.hidden\n\n");
	assert_int_equal(r->lines[0].datalen, 27);
	assert_null(r->lines[1].data);
	rn_torctl_reply_free(r);

	r = parse_one("250+empty\r\n.\r\n250 OK\r\n");
	assert_string_equal(r->lines[0].data, "");
	assert_int_equal(r->lines[0].datalen, 0);
	rn_torctl_reply_free(r);

	r = parse_one("650 HS_DESC UPLOADED abc UNKNOWN $AAAA\r\n");
	assert_true(rn_torctl_reply_is_async(r));
	assert_int_equal(r->code, 650);
	rn_torctl_reply_free(r);

	r = parse_one("552 Unrecognized key \"x\"\r\n");
	assert_int_equal(r->code, 552);
	rn_torctl_reply_free(r);
}

static void
test_reply_stream(void **state)
{
	static const char	 two[] = "650 STATUS_CLIENT NOTICE BOOTSTRAP PROGRESS=5\r\n250-a\r\n250 OK\r\n";
	struct rn_torctl_parser *p = rn_torctl_parser_new();
	struct rn_torctl_reply	*r;
	size_t			 used, pos = 0, len, got = 0;
	enum rn_err		 e;

	(void)state;
	/* Two replies in one buffer: one at a time, each consuming its own bytes. */
	assert_int_equal(rn_torctl_parser_feed(p, two, strlen(two), &used, &r), RN_OK);
	assert_int_equal(r->code, 650);
	assert_int_equal(used, 47);
	rn_torctl_reply_free(r);
	assert_int_equal(rn_torctl_parser_feed(p, two + used, strlen(two) - used, &used, &r), RN_OK);
	assert_int_equal(r->nlines, 2);
	rn_torctl_reply_free(r);
	/* Byte by byte: a partial line is never consumed. */
	for (len = 1; pos < strlen(two); len++) {
		assert_true(pos + len <= strlen(two));
		e = rn_torctl_parser_feed(p, two + pos, len, &used, &r);
		if (e == RN_OK) {
			got++;
			rn_torctl_reply_free(r);
		} else {
			assert_int_equal(e, RN_ERR_AGAIN);
		}
		if (used > 0) {
			assert_true(two[pos + used - 1] == '\n');
			pos += used;
			len = 0;
		}
	}
	assert_int_equal(got, 2);
	rn_torctl_parser_free(p);
}

static void
test_reply_bad(void **state)
{
	static const char *const bad[] = {
		"250 OK\n",			  /* bare LF */
		"250 O\rK\r\n",			  /* CR inside a line */
		"250-a\r\n251 b\r\n",		  /* codes differ */
		"25 OK\r\n",			  /* short code */
		"2500OK\r\n",			  /* no separator */
		"350 OK\r\n",			  /* 3yz is not a class tor uses */
		"150 OK\r\n", "a50 OK\r\n", "250*OK\r\n", "250 O\001K\r\n", "250 \xc3\xa9\r\n",
		"\r\n",				  /* empty line */
		"250+d\r\n.x\r\n.\r\n250 OK\r\n", /* an unescaped leading dot */
		"250+d\r\na\0b\r\n.\r\n250 OK\r\n",
	};
	size_t i;
	char  *big;

	(void)state;
	for (i = 0; i < RN_ARRAY_LEN(bad); i++) {
		size_t n = strlen(bad[i]);

		if (i == RN_ARRAY_LEN(bad) - 1)
			n = 26; /* with its NUL */
		assert_int_equal(parse_err(bad[i], n), RN_ERR_PROTO);
	}
	/* A CR at the end of the input is not an error yet: LF may follow. */
	assert_int_equal(parse_err("250 OK\r", 7), RN_ERR_AGAIN);
	assert_int_equal(parse_err("250 O\rK", 7), RN_ERR_PROTO);
	/* Limits: a line, a partial line, the lines of a reply, the reply's bytes. */
	big = malloc(RN_TORCTL_MAX_REPLY * 2);
	assert_non_null(big);
	memcpy(big, "250 ", 4);
	memset(big + 4, 'x', RN_TORCTL_MAX_LINE);
	memcpy(big + 4 + RN_TORCTL_MAX_LINE, "\r\n", 2);
	assert_int_equal(parse_err(big, RN_TORCTL_MAX_LINE + 6), RN_ERR_TOOBIG);
	assert_int_equal(parse_err(big, RN_TORCTL_MAX_LINE + 3), RN_ERR_TOOBIG);
	memcpy(big + RN_TORCTL_MAX_LINE - 2, "\r\n", 2); /* exactly the longest line */
	assert_int_equal(parse_err(big, RN_TORCTL_MAX_LINE), RN_OK);
	for (i = 0; i <= RN_TORCTL_MAX_LINES; i++)
		memcpy(big + i * 8, "250-ab\r\n", 8);
	assert_int_equal(parse_err(big, (RN_TORCTL_MAX_LINES + 1) * 8), RN_ERR_TOOBIG);
	memcpy(big, "250+d\r\n", 7);
	for (i = 0; i < RN_TORCTL_MAX_REPLY / 1000 + 2; i++) {
		memset(big + 7 + i * 1002, 'y', 1000);
		memcpy(big + 7 + i * 1002 + 1000, "\r\n", 2);
	}
	assert_int_equal(parse_err(big, 7 + i * 1002), RN_ERR_TOOBIG);
	free(big);
}

static void
test_args(void **state)
{
	static const char line[] = "AUTH METHODS=COOKIE,SAFECOOKIE COOKIEFILE=\"/a b/\\\"c\\\\d\" X=1";
	char		  out[64];

	(void)state;
	assert_int_equal(rn_torctl_arg(line, "METHODS", out, sizeof(out)), RN_OK);
	assert_string_equal(out, "COOKIE,SAFECOOKIE");
	assert_int_equal(rn_torctl_arg(line, "COOKIEFILE", out, sizeof(out)), RN_OK);
	assert_string_equal(out, "/a b/\"c\\d");
	assert_int_equal(rn_torctl_arg(line, "X", out, sizeof(out)), RN_OK);
	assert_string_equal(out, "1");
	assert_int_equal(rn_torctl_arg(line, "METHOD", out, sizeof(out)), RN_ERR_NOTFOUND);
	assert_int_equal(rn_torctl_arg(line, "AUTH", out, sizeof(out)), RN_ERR_NOTFOUND);
	assert_int_equal(rn_torctl_arg(line, "METHODS", out, 5), RN_ERR_TOOBIG);
	assert_int_equal(rn_torctl_arg("K=\"open", "K", out, sizeof(out)), RN_ERR_INVAL);
	assert_int_equal(rn_torctl_arg("K=\"a\\q\"", "K", out, sizeof(out)), RN_ERR_INVAL);
	assert_int_equal(rn_torctl_arg("K=a\"b", "K", out, sizeof(out)), RN_ERR_INVAL);
	assert_int_equal(rn_torctl_arg("A  K=1", "K", out, sizeof(out)), RN_ERR_INVAL);
	/* A key inside a quoted value is not a key. */
	assert_int_equal(rn_torctl_arg("S=\"x K=2\"", "K", out, sizeof(out)), RN_ERR_NOTFOUND);
	assert_int_equal(rn_torctl_word("HS_DESC UPLOADED abc UNKNOWN", 2, out, sizeof(out)), RN_OK);
	assert_string_equal(out, "abc");
	assert_int_equal(rn_torctl_word("HS_DESC UPLOADED", 2, out, sizeof(out)), RN_ERR_NOTFOUND);
	assert_int_equal(rn_torctl_word("A \"b c\" d", 2, out, sizeof(out)), RN_OK);
	assert_string_equal(out, "d");
	assert_int_equal(rn_torctl_word("A B ", 1, out, sizeof(out)), RN_ERR_INVAL);
}

static void
test_safecookie_hmac(void **state)
{
	uint8_t cookie[32], cn[32], sn[32], out[32], want[32];
	size_t	i;

	(void)state;
	for (i = 0; i < 32; i++)
		cookie[i] = (uint8_t)i;
	memset(cn, 0xaa, 32);
	memset(sn, 0x55, 32);
	/* Computed with Python's hmac, keys from control-spec section 3.24. */
	assert_int_equal(rn_torctl_safecookie(cookie, cn, sn, true, out), RN_OK);
	hex2bin("5f7cb5569957c99373e329258545940f029af175da225f4a3125eebf30c24bba", want, 32);
	assert_memory_equal(out, want, 32);
	assert_int_equal(rn_torctl_safecookie(cookie, cn, sn, false, out), RN_OK);
	hex2bin("9f99f2c4b75c91123ca5c6c6e3f76a9ef7fbd9471053cbe34454a4269cc39f7c", want, 32);
	assert_memory_equal(out, want, 32);
}

/* ---- the client against a scripted fake control port ---- */

struct fake {
	int	      fd;
	struct event *ev;
	char	      in[8192];
	size_t	      inlen;
	const char   *methods;
	char	      cookiefile[512];
	uint8_t	      cookie[32];
	uint8_t	      cnonce[32];
	bool	      bad_hash;
	bool	      unsolicited; /* answer GETINFO with two replies */
	bool	      close_on_getinfo;
	unsigned      nauth; /* AUTHENTICATE commands seen */
	bool	      auth_ok;
};

struct result {
	bool		  done;
	enum rn_err	  err;
	int		  events;
	int		  replies;
	int		  nulls;
	bool		  closed;
	enum rn_err	  close_why;
	unsigned	  last_code;
	size_t		  last_lines;
	bool		  event_before_reply;
	bool		  free_in_cb;
	struct rn_torctl *c;
};

static void
fake_send(struct fake *f, const char *s)
{
	assert_int_equal(write(f->fd, s, strlen(s)), (ssize_t)strlen(s));
}

static void
fake_authenticate(struct fake *f, const char *arg)
{
	uint8_t sn[32], want[32];
	char	hex[65];

	f->nauth++;
	memset(sn, 0x55, sizeof(sn));
	if (strstr(f->methods, "SAFECOOKIE") != NULL) {
		assert_int_equal(rn_torctl_safecookie(f->cookie, f->cnonce, sn, false, want), RN_OK);
		rn_hex_encode(want, 32, hex);
	} else if (strstr(f->methods, "COOKIE") != NULL) {
		rn_hex_encode(f->cookie, 32, hex);
	} else {
		hex[0] = '\0';
	}
	f->auth_ok = strcmp(arg, hex) == 0;
	fake_send(f, f->auth_ok ? "250 OK\r\n" : "515 Authentication failed\r\n");
}

static void
fake_challenge(struct fake *f, const char *arg)
{
	uint8_t sn[32], hash[32];
	char	line[256], h1[65], h2[65];

	assert_int_equal(strncmp(arg, "SAFECOOKIE ", 11), 0);
	hex2bin(arg + 11, f->cnonce, 32);
	memset(sn, 0x55, sizeof(sn));
	assert_int_equal(rn_torctl_safecookie(f->cookie, f->cnonce, sn, true, hash), RN_OK);
	if (f->bad_hash)
		hash[7] ^= 1;
	rn_hex_encode(hash, 32, h1);
	rn_hex_encode(sn, 32, h2);
	snprintf(line, sizeof(line), "250 AUTHCHALLENGE SERVERHASH=%s SERVERNONCE=%s\r\n", h1, h2);
	fake_send(f, line);
}

static void
fake_command(struct fake *f, const char *cmd)
{
	char line[1024];

	if (strcmp(cmd, "PROTOCOLINFO 1") == 0) {
		snprintf(line, sizeof(line),
		    "250-PROTOCOLINFO 1\r\n250-AUTH METHODS=%s COOKIEFILE=\"%s\"\r\n"
		    "250-VERSION Tor=\"0.4.9.11\"\r\n250 OK\r\n",
		    f->methods, f->cookiefile);
		fake_send(f, line);
	} else if (strncmp(cmd, "AUTHCHALLENGE ", 14) == 0) {
		fake_challenge(f, cmd + 14);
	} else if (strncmp(cmd, "AUTHENTICATE", 12) == 0) {
		fake_authenticate(f, cmd[12] == ' ' ? cmd + 13 : "");
	} else if (strncmp(cmd, "GETINFO ", 8) == 0) {
		if (f->close_on_getinfo) {
			shutdown(f->fd, SHUT_RDWR);
			return;
		}
		fake_send(f, "650 STATUS_CLIENT NOTICE BOOTSTRAP PROGRESS=42 TAG=x SUMMARY=\"a b\"\r\n"
			     "250-status/bootstrap-phase=NOTICE BOOTSTRAP PROGRESS=42\r\n250 OK\r\n");
		if (f->unsolicited)
			fake_send(f, "250 OK\r\n");
	} else {
		fake_send(f, "510 Unrecognized command\r\n");
	}
}

static void
on_fake_read(evutil_socket_t fd, short what, void *arg)
{
	struct fake *f = arg;
	ssize_t	     n;
	char	    *crlf;

	(void)what;
	n = read((int)fd, f->in + f->inlen, sizeof(f->in) - 1 - f->inlen);
	if (n <= 0) {
		event_del(f->ev);
		return;
	}
	f->inlen += (size_t)n;
	f->in[f->inlen] = '\0';
	while ((crlf = strstr(f->in, "\r\n")) != NULL) {
		*crlf = '\0';
		fake_command(f, f->in);
		f->inlen -= (size_t)(crlf + 2 - f->in);
		memmove(f->in, crlf + 2, f->inlen + 1);
	}
}

static void
on_done(struct rn_torctl *c, enum rn_err err, void *arg)
{
	struct result *res = arg;

	(void)c;
	res->done = true;
	res->err = err;
}

static void
on_event(struct rn_torctl *c, const struct rn_torctl_reply *r, void *arg)
{
	struct result *res = arg;

	(void)c;
	res->events++;
	assert_int_equal(r->code, 650);
	if (res->replies == 0)
		res->event_before_reply = true;
}

static void
on_close(struct rn_torctl *c, enum rn_err why, void *arg)
{
	struct result *res = arg;

	(void)c;
	res->closed = true;
	res->close_why = why;
}

static void
on_reply(struct rn_torctl *c, const struct rn_torctl_reply *r, void *arg)
{
	struct result *res = arg;

	if (r == NULL) {
		res->nulls++;
		return;
	}
	res->replies++;
	res->last_code = r->code;
	res->last_lines = r->nlines;
	if (res->free_in_cb) {
		rn_torctl_free(c); /* deferred until this callback returns */
		res->c = NULL;
	}
}

static const struct rn_torctl_ops test_ops = { on_event, on_close };

struct harness {
	struct event_base *base;
	struct fake	   f;
	struct result	   res;
	char		  *dir;
};

static void
harness_init(struct harness *h, const char *methods)
{
	int sv[2];

	memset(h, 0, sizeof(*h));
	h->dir = tmpdir();
	h->base = event_base_new();
	assert_non_null(h->base);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	h->f.fd = sv[1];
	h->f.methods = methods;
	snprintf(h->f.cookiefile, sizeof(h->f.cookiefile), "%s/control_auth_cookie", h->dir);
	assert_int_equal(rn_crypto_random(h->f.cookie, 32), RN_OK);
	write_file(h->dir, "control_auth_cookie", h->f.cookie, 32, 0600);
	h->f.ev = event_new(h->base, sv[1], EV_READ | EV_PERSIST, on_fake_read, &h->f);
	event_add(h->f.ev, NULL);
	h->res.c = rn_torctl_new(h->base, &test_ops, &h->res);
	assert_non_null(h->res.c);
	assert_int_equal(rn_torctl_attach_fd(h->res.c, sv[0]), RN_OK);
}

/* Run the loop until pred or 5 seconds. */
static void
harness_run(struct harness *h, bool (*pred)(const struct result *))
{
	uint64_t       deadline = rn_time_mono_ms() + 5000;
	struct timeval tv = { 0, 10000 };

	while (!pred(&h->res) && rn_time_mono_ms() < deadline) {
		event_base_loopexit(h->base, &tv);
		event_base_dispatch(h->base);
	}
	assert_true(pred(&h->res));
}

static void
harness_free(struct harness *h)
{
	rn_torctl_free(h->res.c);
	event_free(h->f.ev);
	close(h->f.fd);
	event_base_free(h->base);
	rmtree(h->dir);
	free(h->dir);
}

static bool
is_done(const struct result *r)
{
	return r->done;
}

static bool
got_reply(const struct result *r)
{
	return r->replies > 0;
}

static bool
is_closed(const struct result *r)
{
	return r->closed;
}

static void
test_auth_methods(void **state)
{
	static const struct {
		const char *methods;
		bool	    bad_hash;
		enum rn_err want;
		unsigned    nauth;
	} cases[] = {
		{ "COOKIE,SAFECOOKIE", false, RN_OK, 1 },
		{ "COOKIE,SAFECOOKIE", true, RN_ERR_CRYPTO, 0 }, /* the cookie is never proven */
		{ "COOKIE", false, RN_OK, 1 },
		{ "NULL", false, RN_OK, 1 },
		{ "HASHEDPASSWORD", false, RN_ERR_PERM, 0 },
	};
	struct harness h;
	size_t	       i;

	(void)state;
	for (i = 0; i < RN_ARRAY_LEN(cases); i++) {
		harness_init(&h, cases[i].methods);
		h.f.bad_hash = cases[i].bad_hash;
		assert_int_equal(rn_torctl_authenticate(h.res.c, on_done, &h.res), RN_OK);
		harness_run(&h, is_done);
		assert_int_equal(h.res.err, cases[i].want);
		assert_int_equal(h.f.nauth, cases[i].nauth);
		if (cases[i].want == RN_OK)
			assert_true(h.f.auth_ok);
		harness_free(&h);
	}
}

static void
test_ctl_events_and_order(void **state)
{
	struct harness h;

	(void)state;
	harness_init(&h, "SAFECOOKIE");
	assert_int_equal(rn_torctl_authenticate(h.res.c, on_done, &h.res), RN_OK);
	harness_run(&h, is_done);
	assert_int_equal(h.res.err, RN_OK);
	assert_true(rn_torctl_is_open(h.res.c));
	assert_int_equal(rn_torctl_send(h.res.c, "GETINFO status/bootstrap-phase", on_reply, &h.res),
	    RN_OK);
	harness_run(&h, got_reply);
	assert_int_equal(h.res.events, 1);
	assert_true(h.res.event_before_reply);
	assert_int_equal(h.res.last_code, 250);
	assert_int_equal(h.res.last_lines, 2);
	/* Commands with CR or LF, empty or too long, are refused before sending. */
	assert_int_equal(rn_torctl_send(h.res.c, "GETINFO a\r\nQUIT", NULL, NULL), RN_ERR_INVAL);
	assert_int_equal(rn_torctl_send(h.res.c, "", NULL, NULL), RN_ERR_INVAL);
	harness_free(&h);
}

static void
test_ctl_unsolicited(void **state)
{
	struct harness h;

	(void)state;
	harness_init(&h, "NULL");
	h.f.unsolicited = true;
	assert_int_equal(rn_torctl_send(h.res.c, "GETINFO x", on_reply, &h.res), RN_OK);
	harness_run(&h, is_closed);
	assert_int_equal(h.res.replies, 1);
	assert_int_equal(h.res.close_why, RN_ERR_PROTO);
	assert_false(rn_torctl_is_open(h.res.c));
	assert_int_equal(rn_torctl_send(h.res.c, "GETINFO x", on_reply, &h.res), RN_ERR_IO);
	harness_free(&h);
}

static void
test_ctl_peer_close(void **state)
{
	struct harness h;
	size_t	       i;

	(void)state;
	harness_init(&h, "NULL");
	h.f.close_on_getinfo = true;
	for (i = 0; i < 3; i++)
		assert_int_equal(rn_torctl_send(h.res.c, "GETINFO x", on_reply, &h.res), RN_OK);
	harness_run(&h, is_closed);
	assert_int_equal(h.res.nulls, 3); /* every pending command hears of it */
	assert_int_equal(h.res.replies, 0);
	harness_free(&h);
}

static void
test_ctl_limits_and_free(void **state)
{
	struct harness h;
	size_t	       i;

	(void)state;
	harness_init(&h, "NULL");
	for (i = 0; i < RN_TORCTL_MAX_PENDING; i++)
		assert_int_equal(rn_torctl_send(h.res.c, "GETINFO x", on_reply, &h.res), RN_OK);
	assert_int_equal(rn_torctl_send(h.res.c, "GETINFO x", on_reply, &h.res), RN_ERR_BUSY);
	/* Freeing from inside the first reply's callback: no more callbacks, no crash. */
	h.res.free_in_cb = true;
	harness_run(&h, got_reply);
	assert_null(h.res.c);
	assert_int_equal(h.res.replies, 1);
	assert_int_equal(h.res.nulls, (int)RN_TORCTL_MAX_PENDING - 1);
	harness_free(&h);
}

/* ---- the torrc, the options, the admin socket ---- */

static struct rn_conf *
conf_with(const char *text)
{
	struct rn_conf *c = rn_conf_new();
	char		err[256];

	assert_non_null(c);
	if (rn_conf_parse(c, text, strlen(text), "test", err, sizeof(err)) != RN_OK)
		fail_msg("%s", err);
	return c;
}

static void
test_torrc(void **state)
{
	struct rn_conf *c;
	struct rn_buf	b;

	(void)state;
	c = conf_with("DataDirectory /srv/rn\nListen unix:http.sock\nTorInclude /etc/x.torrc\n"
		      "TorSocksPort 9150\n");
	rn_buf_init(&b, 1u << 16);
	assert_int_equal(rn_tor_torrc(c, 1234, &b), RN_OK);
	assert_non_null(strstr(b.data, "\nDataDirectory /srv/rn/tor\n"));
	assert_non_null(strstr(b.data, "\nControlSocket /srv/rn/tor/control.sock\n"));
	assert_non_null(strstr(b.data, "\nCookieAuthentication 1\n"));
	assert_non_null(strstr(b.data, "\n__OwningControllerProcess 1234\n"));
	assert_non_null(strstr(b.data, "\nSocksPort 127.0.0.1:9150\n"));
	assert_non_null(strstr(b.data, "\n%include /etc/x.torrc\n"));
	assert_non_null(strstr(b.data, "\nHiddenServiceDir /srv/rn/onion/public\n"));
	assert_non_null(strstr(b.data, "\nHiddenServicePort 80 unix:/srv/rn/onion.sock\n"));
	assert_non_null(strstr(b.data, "\nHiddenServicePoWDefensesEnabled 1\n"));
	assert_non_null(strstr(b.data, "\nHiddenServiceExportCircuitID haproxy\n"));
	rn_conf_free(c);
	c = conf_with("DataDirectory /srv/rn\nOnionListen 127.0.0.1:8081\nOnionPoW 0\n");
	rn_buf_reset(&b);
	assert_int_equal(rn_tor_torrc(c, 1, &b), RN_OK);
	assert_non_null(strstr(b.data, "\nHiddenServicePort 80 127.0.0.1:8081\n"));
	assert_non_null(strstr(b.data, "\nHiddenServicePoWDefensesEnabled 0\n"));
	assert_non_null(strstr(b.data, "\nSocksPort auto\n"));
	rn_buf_free(&b);
	rn_conf_free(c);
}

static void
test_options(void **state)
{
	static const char *const good[] = {
		"TorMode off\n", "TorMode CONTROL\nTorControl 127.0.0.1:9051\n",
		"TorMode system\nTorControl unix:/run/tor/control\n", "TorSocksPort 0\n",
		"TorBinary /usr/sbin/tor\n",
		"EditorClientAuth descriptor:x25519:" "mzxw6ytbmzxw6ytbmzxw6ytbmzxw6ytbmzxw6ytbmzxw6ytbmzxq\n",
	};
	static const char *const bad[] = {
		"TorMode auto\n", "TorMode control\nTorControl 10.0.0.1:9051\n",
		"TorMode control\nTorControl unix:relative\n", "TorSocksPort 70000\n",
		"TorSocksPort 01\n", "TorBinary bin/tor\n", "TorInclude relative.torrc\n",
		"TorInclude /a b\n", "EditorClientAuth abc\n",
		"EditorClientAuth mzxw6ytbmzxw6ytbmzxw6ytbmzxw6ytbmzxw6ytbmzxw6ytbmzxr\n",
		"TorMode launch\nDataDirectory /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	};
	char		err[256];
	struct rn_conf *c;
	size_t		i;

	(void)state;
	for (i = 0; i < RN_ARRAY_LEN(good); i++) {
		c = conf_with(good[i]);
		if (rn_conf_validate(c, err, sizeof(err)) != RN_OK)
			fail_msg("%s: %s", good[i], err);
		rn_conf_free(c);
	}
	for (i = 0; i < RN_ARRAY_LEN(bad); i++) {
		c = conf_with(bad[i]);
		if (rn_conf_validate(c, err, sizeof(err)) == RN_OK)
			fail_msg("accepted: %s", bad[i]);
		rn_conf_free(c);
	}
}

static enum rn_err
admin_cb(const char *req, struct rn_buf *out, void *arg)
{
	(*(int *)arg)++;
	if (strcmp(req, "status") != 0)
		return RN_ERR_NOTFOUND;
	return rn_buf_puts(out, "{\"ok\":true}");
}

static void
test_admin(void **state)
{
	struct event_base *base = event_base_new();
	struct rn_admin	  *a;
	char		  *dir = tmpdir(), path[512];
	struct stat	   st;
	int		   calls = 0, status = -1;
	pid_t		   pid;
	uint64_t	   deadline = rn_time_mono_ms() + 10000;

	(void)state;
	snprintf(path, sizeof(path), "%s/admin.sock", dir);
	a = rn_admin_new(base, path, admin_cb, &calls);
	assert_non_null(a);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	if ((pid = fork()) == 0) {
		struct rn_buf b;
		int	      rc = 0;

		rn_buf_init(&b, RN_ADMIN_MAX_REPLY);
		if (rn_admin_request(path, "status", &b) != RN_OK ||
		    strcmp(b.data, "{\"ok\":true}\n") != 0)
			rc |= 1;
		rn_buf_reset(&b);
		if (rn_admin_request(path, "bogus", &b) != RN_OK ||
		    strcmp(b.data, "{\"error\":\"unknown request\"}\n") != 0)
			rc |= 2;
		if (rn_admin_request(path, "a\nb", &b) != RN_ERR_INVAL)
			rc |= 4;
		_exit(rc);
	}
	assert_true(pid > 0);
	while (waitpid(pid, &status, WNOHANG) == 0 && rn_time_mono_ms() < deadline) {
		struct timeval tv = { 0, 10000 };

		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(calls, 2);
	{
		/* A client still connected when the socket goes: freed with it (LSan checks). */
		struct sockaddr_un sun;
		struct timeval	   tv = { 0, 50000 };
		int		   fd = socket(AF_UNIX, SOCK_STREAM, 0);

		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		memcpy(sun.sun_path, path, strlen(path) + 1);
		assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
		rn_admin_free(a);
		close(fd);
	}
	assert_int_equal(lstat(path, &st), -1);
	{
		struct rn_buf b;

		rn_buf_init(&b, 1024);
		assert_int_equal(rn_admin_request(path, "status", &b), RN_ERR_NOTFOUND);
		rn_buf_free(&b);
	}
	event_base_free(base);
	rmtree(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base32),
		cmocka_unit_test(test_hashes),
		cmocka_unit_test(test_onion_address),
		cmocka_unit_test(test_onion_key_files),
		cmocka_unit_test(test_reply_ok),
		cmocka_unit_test(test_reply_stream),
		cmocka_unit_test(test_reply_bad),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_safecookie_hmac),
		cmocka_unit_test(test_auth_methods),
		cmocka_unit_test(test_ctl_events_and_order),
		cmocka_unit_test(test_ctl_unsolicited),
		cmocka_unit_test(test_ctl_peer_close),
		cmocka_unit_test(test_ctl_limits_and_free),
		cmocka_unit_test(test_torrc),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_admin),
	};

	rn_log_init("test", RN_LOG_ERR, false);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
