/* Error codes shared by every module; one table maps them to HTTP statuses and exit codes. */
#ifndef RN_ERR_H
#define RN_ERR_H

enum rn_err {
	RN_OK = 0,
	RN_ERR_NOMEM,  /* allocation failed */
	RN_ERR_INVAL,  /* malformed input */
	RN_ERR_TOOBIG, /* a size or count limit was hit */
	RN_ERR_AGAIN,  /* incomplete input: call again with more */
	RN_ERR_IO,     /* a system call failed; errno tells more */
	RN_ERR_NOTFOUND,
	RN_ERR_EXISTS,
	RN_ERR_PERM,	/* refused: permissions, ownership, privileges */
	RN_ERR_CRYPTO,	/* a cryptographic operation or check failed */
	RN_ERR_PROTO,	/* a peer broke a protocol */
	RN_ERR_BUSY,	/* held by someone else (lock, limit of concurrent use) */
	RN_ERR_NOSPACE, /* the disk (or a space reserve) is full */
	RN_ERR__COUNT
};

const char *rn_err_str(enum rn_err err);
int	    rn_err_http_status(enum rn_err err);
int	    rn_err_exit_code(enum rn_err err);

#endif
