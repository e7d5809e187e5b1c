/*
 * Onion service keys, stored in tor's own HiddenServiceDir format so an
 * operator can move a key between roneod (launch or control mode) and a
 * system tor: hs_ed25519_secret_key (a 32-byte header and the 64-byte
 * expanded secret), hs_ed25519_public_key (header and 32 bytes), hostname.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "roneo/rn_crypto.h"
#include "roneo/rn_limits.h"
#include "roneo/rn_log.h"
#include "roneo/rn_tor.h"

#define HDR_LEN	    32u
#define SECRET_HDR  "== ed25519v1-secret: type0 =="
#define PUBLIC_HDR  "== ed25519v1-public: type0 =="
#define ONION_VER   3u
#define CHECKSUM_ID ".onion checksum"

enum rn_err
rn_onion_address(const uint8_t pub[RN_ONION_PUB_LEN], char out[RN_ONION_ADDR_LEN + 7])
{
	uint8_t	    buf[sizeof(CHECKSUM_ID) - 1 + RN_ONION_PUB_LEN + 1];
	uint8_t	    hash[RN_SHA3_256_LEN], raw[RN_ONION_PUB_LEN + 3];
	enum rn_err r;

	memcpy(buf, CHECKSUM_ID, sizeof(CHECKSUM_ID) - 1);
	memcpy(buf + sizeof(CHECKSUM_ID) - 1, pub, RN_ONION_PUB_LEN);
	buf[sizeof(buf) - 1] = ONION_VER;
	if ((r = rn_sha3_256(buf, sizeof(buf), hash)) != RN_OK)
		return r;
	memcpy(raw, pub, RN_ONION_PUB_LEN);
	raw[RN_ONION_PUB_LEN] = hash[0];
	raw[RN_ONION_PUB_LEN + 1] = hash[1];
	raw[RN_ONION_PUB_LEN + 2] = ONION_VER;
	rn_base32_encode(raw, sizeof(raw), out);
	memcpy(out + RN_ONION_ADDR_LEN, ".onion", sizeof(".onion"));
	return RN_OK;
}

enum rn_err
rn_onion_address_parse(const char *addr, uint8_t pub[RN_ONION_PUB_LEN])
{
	uint8_t	    raw[RN_ONION_PUB_LEN + 3];
	char	    again[RN_ONION_ADDR_LEN + 7];
	size_t	    n = strlen(addr), got;
	enum rn_err r;

	if (n == RN_ONION_ADDR_LEN + 6 && strcmp(addr + RN_ONION_ADDR_LEN, ".onion") == 0)
		n = RN_ONION_ADDR_LEN;
	if (n != RN_ONION_ADDR_LEN)
		return RN_ERR_INVAL;
	if (rn_base32_decode(addr, n, raw, sizeof(raw), &got) != RN_OK || got != sizeof(raw) ||
	    raw[RN_ONION_PUB_LEN + 2] != ONION_VER)
		return RN_ERR_INVAL;
	if ((r = rn_onion_address(raw, again)) != RN_OK)
		return r;
	/* The same bytes re-encoded: checks the checksum (case-insensitively). */
	if (!rn_ascii_casecmp_n(again, addr, RN_ONION_ADDR_LEN))
		return RN_ERR_INVAL;
	memcpy(pub, raw, RN_ONION_PUB_LEN);
	return RN_OK;
}

enum rn_err
rn_onion_key_from_seed(const uint8_t seed[32], struct rn_onion_key *k)
{
	enum rn_err r;

	if ((r = rn_ed25519_public(seed, k->pub)) != RN_OK ||
	    (r = rn_sha512(seed, 32, k->expanded)) != RN_OK)
		goto out;
	/* RFC 8032 section 5.1.5: the scalar is the clamped first half. */
	k->expanded[0] &= 248u;
	k->expanded[31] &= 63u;
	k->expanded[31] |= 64u;
	r = rn_onion_address(k->pub, k->addr);
out:
	if (r != RN_OK)
		rn_onion_key_wipe(k);
	return r;
}

void
rn_onion_key_wipe(struct rn_onion_key *k)
{
	if (k != NULL)
		rn_crypto_wipe(k, sizeof(*k));
}

static void
join(char *out, size_t outsz, const char *dir, const char *name)
{
	snprintf(out, outsz, "%s/%s", dir, name);
}

/* A private regular file of exactly len bytes, into out. */
static enum rn_err
read_exact(const char *path, void *out, size_t len)
{
	struct stat   st;
	struct rn_buf b;
	enum rn_err   r;

	if (lstat(path, &st) == -1)
		return errno == ENOENT ? RN_ERR_NOTFOUND : RN_ERR_IO;
	if (!S_ISREG(st.st_mode) || (st.st_mode & 077) != 0) {
		rn_log_err("%s: not a regular file of mode 0600 or stricter", path);
		return RN_ERR_PERM;
	}
	rn_buf_init(&b, RN_TOR_MAX_ONION_FILE);
	r = rn_file_read_all(path, RN_TOR_MAX_ONION_FILE, &b);
	if (r == RN_OK && b.len != len)
		r = RN_ERR_INVAL;
	if (r == RN_OK)
		memcpy(out, b.data, len);
	if (b.data != NULL)
		rn_crypto_wipe(b.data, b.len);
	rn_buf_free(&b);
	return r;
}

static enum rn_err
load_keys(const char *dir, struct rn_onion_key *k)
{
	char	    path[4096];
	uint8_t	    sec[HDR_LEN + RN_ONION_EXPANDED_LEN], pub[HDR_LEN + RN_ONION_PUB_LEN];
	uint8_t	    hdr[HDR_LEN];
	enum rn_err r;

	join(path, sizeof(path), dir, "hs_ed25519_secret_key");
	if ((r = read_exact(path, sec, sizeof(sec))) != RN_OK)
		goto out;
	join(path, sizeof(path), dir, "hs_ed25519_public_key");
	if ((r = read_exact(path, pub, sizeof(pub))) != RN_OK) {
		if (r == RN_ERR_NOTFOUND)
			r = RN_ERR_INVAL; /* a secret key alone is never replaced by a new one */
		goto out;
	}
	r = RN_ERR_INVAL;
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, SECRET_HDR, sizeof(SECRET_HDR) - 1);
	if (memcmp(sec, hdr, HDR_LEN) != 0)
		goto out;
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, PUBLIC_HDR, sizeof(PUBLIC_HDR) - 1);
	if (memcmp(pub, hdr, HDR_LEN) != 0)
		goto out;
	memcpy(k->expanded, sec + HDR_LEN, RN_ONION_EXPANDED_LEN);
	memcpy(k->pub, pub + HDR_LEN, RN_ONION_PUB_LEN);
	if ((k->expanded[0] & 7u) != 0 || (k->expanded[31] & 0xc0u) != 0x40u)
		goto out; /* not a clamped scalar: not an Ed25519 key tor would write */
	if ((r = rn_ed25519_pub_check(k->pub)) == RN_OK)
		r = rn_onion_address(k->pub, k->addr);
out:
	rn_crypto_wipe(sec, sizeof(sec));
	return r;
}

enum rn_err
rn_onion_key_load(const char *dir, struct rn_onion_key *k)
{
	char	    path[4096], host[RN_ONION_ADDR_LEN + 8];
	enum rn_err r;

	memset(k, 0, sizeof(*k));
	if ((r = load_keys(dir, k)) != RN_OK) {
		if (r != RN_ERR_NOTFOUND)
			rn_log_err("%s: not a usable onion key (%s)", dir, rn_err_str(r));
		goto out;
	}
	/* hostname is derived; a missing one is written, a wrong one refused. */
	join(path, sizeof(path), dir, "hostname");
	r = read_exact(path, host, RN_ONION_ADDR_LEN + 7);
	if (r == RN_ERR_NOTFOUND) {
		r = rn_onion_key_save(dir, k);
	} else if (r == RN_OK && (memcmp(host, k->addr, RN_ONION_ADDR_LEN + 6) != 0 ||
				     host[RN_ONION_ADDR_LEN + 6] != '\n')) {
		rn_log_err("%s/hostname does not match hs_ed25519_public_key", dir);
		r = RN_ERR_INVAL;
	}
out:
	if (r != RN_OK)
		rn_onion_key_wipe(k);
	return r;
}

static enum rn_err
make_dir(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		rn_log_errno(RN_LOG_ERR, "mkdir %s", dir);
		return RN_ERR_IO;
	}
	if (lstat(dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		rn_log_err("%s is not a directory", dir);
		return RN_ERR_INVAL;
	}
	/* tor refuses a HiddenServiceDir that others can read. */
	if ((st.st_mode & 077) != 0 && chmod(dir, 0700) == -1) {
		rn_log_errno(RN_LOG_ERR, "chmod %s", dir);
		return RN_ERR_PERM;
	}
	return RN_OK;
}

enum rn_err
rn_onion_key_save(const char *dir, const struct rn_onion_key *k)
{
	char	    path[4096], host[RN_ONION_ADDR_LEN + 8];
	uint8_t	    sec[HDR_LEN + RN_ONION_EXPANDED_LEN], pub[HDR_LEN + RN_ONION_PUB_LEN];
	enum rn_err r;

	if ((r = make_dir(dir)) != RN_OK)
		return r;
	memset(sec, 0, HDR_LEN);
	memcpy(sec, SECRET_HDR, sizeof(SECRET_HDR) - 1);
	memcpy(sec + HDR_LEN, k->expanded, RN_ONION_EXPANDED_LEN);
	memset(pub, 0, HDR_LEN);
	memcpy(pub, PUBLIC_HDR, sizeof(PUBLIC_HDR) - 1);
	memcpy(pub + HDR_LEN, k->pub, RN_ONION_PUB_LEN);
	snprintf(host, sizeof(host), "%s\n", k->addr);
	join(path, sizeof(path), dir, "hs_ed25519_secret_key");
	if ((r = rn_file_write_atomic(path, sec, sizeof(sec), 0600)) != RN_OK)
		goto out;
	join(path, sizeof(path), dir, "hs_ed25519_public_key");
	if ((r = rn_file_write_atomic(path, pub, sizeof(pub), 0600)) != RN_OK)
		goto out;
	join(path, sizeof(path), dir, "hostname");
	r = rn_file_write_atomic(path, host, strlen(host), 0600);
out:
	if (r != RN_OK)
		rn_log_err("%s: cannot write the onion key: %s", dir, rn_err_str(r));
	rn_crypto_wipe(sec, sizeof(sec));
	return r;
}

enum rn_err
rn_onion_key_load_or_create(const char *dir, struct rn_onion_key *k, bool *created)
{
	uint8_t	    seed[32];
	enum rn_err r;

	*created = false;
	if ((r = rn_onion_key_load(dir, k)) != RN_ERR_NOTFOUND)
		return r;
	if ((r = rn_crypto_random(seed, sizeof(seed))) == RN_OK &&
	    (r = rn_onion_key_from_seed(seed, k)) == RN_OK &&
	    (r = rn_onion_key_save(dir, k)) == RN_OK)
		*created = true;
	rn_crypto_wipe(seed, sizeof(seed));
	if (r != RN_OK)
		rn_onion_key_wipe(k);
	return r;
}
