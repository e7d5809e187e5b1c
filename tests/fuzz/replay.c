/*
 * Corpus replay for builds without libFuzzer: feeds every file of the
 * target's seed corpus to LLVMFuzzerTestOneInput and reports TAP.  Under the
 * sanitizer build a crash, leak or undefined behaviour fails the test.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roneo/rn_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX_INPUT (4u * 1024u * 1024u)
#define REPLAY_MAX_FILES 4096u

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(void)
{
	const char *dir = RN_CORPUS_ROOT "/" RN_CORPUS_NAME;
	char *names[REPLAY_MAX_FILES];
	size_t n = 0, i;
	struct dirent *de;
	DIR *d;
	int failed = 0;

	if ((d = opendir(dir)) == NULL) {
		printf("1..0 # SKIP no corpus at %s\n", dir);
		return 0;
	}
	while ((de = readdir(d)) != NULL && n < REPLAY_MAX_FILES) {
		if (de->d_name[0] == '.')
			continue;
		if ((names[n] = strdup(de->d_name)) == NULL)
			return 1;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_names);
	printf("1..%zu\n", n);
	for (i = 0; i < n; i++) {
		char path[4096];
		struct rn_buf b;

		rn_buf_init(&b, REPLAY_MAX_INPUT);
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (rn_file_read_all(path, REPLAY_MAX_INPUT, &b) != RN_OK) {
			printf("not ok %zu - %s: unreadable\n", i + 1, names[i]);
			failed = 1;
		} else {
			LLVMFuzzerTestOneInput((const uint8_t *)b.data, b.len);
			printf("ok %zu - %s\n", i + 1, names[i]);
		}
		rn_buf_free(&b);
		free(names[i]);
	}
	return failed;
}
