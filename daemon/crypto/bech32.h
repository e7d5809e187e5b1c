/* Bech32 (BIP-173), strict, for age's key encodings.  Private to daemon/crypto. */
#ifndef RN_CRYPTO_BECH32_H
#define RN_CRYPTO_BECH32_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "roneo/rn_err.h"

/*
 * Encode `len` bytes under the human-readable part `hrp` (1 to 83 printable
 * ASCII characters, any case: the output is all lower case, or all upper case
 * when `upper`).  out gets the NUL-terminated string; RN_ERR_TOOBIG when it
 * would pass RN_BECH32_MAX characters or outsz.
 */
enum rn_err rn_bech32_encode(
    const char *hrp, const uint8_t *data, size_t len, bool upper, char *out, size_t outsz);

/*
 * Decode [s, s+n): one case only, at most RN_BECH32_MAX characters, a valid
 * checksum, zero padding bits.  hrp gets the human-readable part as written
 * (NUL-terminated, hrpsz bytes at most), data the bytes (*datalen of them).
 * The data characters are looked up in time independent of their values, so
 * decoding a secret key does not leak it through the cache.  RN_ERR_INVAL for
 * any malformed input, RN_ERR_TOOBIG when hrp or data do not fit.
 */
enum rn_err rn_bech32_decode(const char *s, size_t n, char *hrp, size_t hrpsz, uint8_t *data,
    size_t datasz, size_t *datalen);

#endif
