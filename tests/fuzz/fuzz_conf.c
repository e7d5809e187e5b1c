/*
 * Fuzz target for roneod.conf: the input is parsed as a config file; when it
 * parses, it is validated, dumped, and the dump must parse back to an equal
 * config with an identical dump (abort() otherwise, so the fuzzer reports
 * it).  The input is also fed to rn_conf_set(), split at its first space into
 * key and value, with the same round-trip check.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "roneo/rn_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DUMP_MAX (4u * 1024u * 1024u)

static bool
fields_equal(const struct rn_conf *a, const struct rn_conf *b,
    const struct rn_conf_option *o)
{
	const char *pa = (const char *)a + o->offset, *pb = (const char *)b + o->offset;
	const struct rn_conf_list *la, *lb;
	const char *sa, *sb;
	size_t i;

	switch (o->type) {
	case RN_CONF_BOOL:
		return *(const bool *)pa == *(const bool *)pb;
	case RN_CONF_UINT:
	case RN_CONF_SIZE:
	case RN_CONF_DURATION:
		return *(const uint64_t *)pa == *(const uint64_t *)pb;
	case RN_CONF_LOGLEVEL:
		return *(const enum rn_log_level *)pa == *(const enum rn_log_level *)pb;
	case RN_CONF_STRING:
	case RN_CONF_PATH:
		sa = *(char *const *)pa;
		sb = *(char *const *)pb;
		return sa == NULL ? sb == NULL : sb != NULL && strcmp(sa, sb) == 0;
	case RN_CONF_LIST:
		la = (const struct rn_conf_list *)(const void *)pa;
		lb = (const struct rn_conf_list *)(const void *)pb;
		if (la->n != lb->n)
			return false;
		for (i = 0; i < la->n; i++)
			if (strcmp(la->v[i], lb->v[i]) != 0)
				return false;
		return true;
	}
	return false;
}

/* dump(c) must parse into an equal config whose dump is identical. */
static void
check_roundtrip(const struct rn_conf *c)
{
	const struct rn_conf_option *opts;
	struct rn_buf d1, d2;
	struct rn_conf *c2;
	char err[1024];
	size_t i, n;

	rn_buf_init(&d1, DUMP_MAX);
	rn_buf_init(&d2, DUMP_MAX);
	if ((c2 = rn_conf_new()) == NULL)
		goto out;
	(void)rn_conf_validate(c, err, sizeof(err));
	if (rn_conf_dump(c, &d1, false) != RN_OK)
		abort();
	if (rn_conf_parse(c2, d1.data, d1.len, "dump", err, sizeof(err)) != RN_OK)
		abort();
	opts = rn_conf_options(&n);
	for (i = 0; i < n; i++)
		if (!fields_equal(c, c2, &opts[i]))
			abort();
	if (rn_conf_dump(c2, &d2, false) != RN_OK || d1.len != d2.len ||
	    memcmp(d1.data, d2.data, d1.len) != 0)
		abort();
	rn_buf_reset(&d2);
	if (rn_conf_dump(c2, &d2, true) != RN_OK)
		abort();
out:
	rn_conf_free(c2);
	rn_buf_free(&d1);
	rn_buf_free(&d2);
}

static void
fuzz_parse(const uint8_t *data, size_t size)
{
	struct rn_conf *c;
	char err[1024];

	if ((c = rn_conf_new()) == NULL)
		return;
	if (rn_conf_parse(c, (const char *)data, size, "fuzz", err, sizeof(err)) == RN_OK)
		check_roundtrip(c);
	rn_conf_free(c);
}

static void
fuzz_set(const uint8_t *data, size_t size)
{
	struct rn_conf *c = NULL;
	const uint8_t *sp;
	char *key, err[1024];

	if ((key = malloc(size + 1)) == NULL)
		return;
	memcpy(key, data, size);
	key[size] = '\0';
	/* NUL bytes simply end the C strings early. */
	if ((sp = memchr(data, ' ', size)) == NULL)
		goto out;
	key[sp - data] = '\0';
	if ((c = rn_conf_new()) == NULL)
		goto out;
	if (rn_conf_set(c, key, key + (sp - data) + 1, err, sizeof(err)) == RN_OK)
		check_roundtrip(c);
out:
	rn_conf_free(c);
	free(key);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_parse(data, size);
	fuzz_set(data, size);
	return 0;
}
