/* The one table that maps roneo errors to messages, HTTP statuses and exit codes. */
#include "roneo/rn_err.h"

static const struct {
	const char *str;
	int	    http;
	int	    exit; /* sysexits(3) values */
} errtab[RN_ERR__COUNT] = {
	[RN_OK] = { "success", 200, 0 },
	[RN_ERR_NOMEM] = { "out of memory", 503, 71 },
	[RN_ERR_INVAL] = { "invalid input", 400, 65 },
	[RN_ERR_TOOBIG] = { "limit exceeded", 413, 65 },
	[RN_ERR_AGAIN] = { "incomplete input", 400, 75 },
	[RN_ERR_IO] = { "input/output error", 500, 74 },
	[RN_ERR_NOTFOUND] = { "not found", 404, 66 },
	[RN_ERR_EXISTS] = { "already exists", 409, 73 },
	[RN_ERR_PERM] = { "permission denied", 403, 77 },
	[RN_ERR_CRYPTO] = { "cryptographic failure", 500, 70 },
	[RN_ERR_PROTO] = { "protocol error", 502, 76 },
	[RN_ERR_BUSY] = { "busy", 503, 75 },
	[RN_ERR_NOSPACE] = { "no space left", 507, 74 },
};

const char *
rn_err_str(enum rn_err err)
{
	if ((unsigned)err >= RN_ERR__COUNT)
		return "unknown error";
	return errtab[err].str;
}

int
rn_err_http_status(enum rn_err err)
{
	if ((unsigned)err >= RN_ERR__COUNT)
		return 500;
	return errtab[err].http;
}

int
rn_err_exit_code(enum rn_err err)
{
	if ((unsigned)err >= RN_ERR__COUNT)
		return 1;
	return errtab[err].exit;
}
