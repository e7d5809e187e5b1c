/*
 * Fuzz the urlencoded form parser of the come-back and delete forms
 * (daemon/inbox/urlform.c).  Properties: every answer is one of the
 * documented errors or RN_OK with a NUL-terminated value of the length
 * reported, free of NUL bytes; a field found once is found again the same.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "inbox/dropbox.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *names[] = { "token", "codename", "mailbox", "a" };
	char		   out[256], again[256];
	size_t		   i, n, m;
	enum rn_err	   err;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		err = rn_urlform_get((const char *)data, size, names[i], out, sizeof(out), &n);
		if (err != RN_OK && err != RN_ERR_NOTFOUND && err != RN_ERR_INVAL &&
		    err != RN_ERR_TOOBIG)
			__builtin_trap();
		if (err != RN_OK)
			continue;
		if (n >= sizeof(out) || out[n] != '\0' || strlen(out) != n)
			__builtin_trap();
		if (rn_urlform_get((const char *)data, size, names[i], again, sizeof(again), &m) !=
			RN_OK ||
		    m != n || memcmp(out, again, n) != 0)
			__builtin_trap();
	}
	return 0;
}
