/* Expected-value files (tests/expected/...): "# comments" then "key value". */
#ifndef HVCERT_EXPECT_H
#define HVCERT_EXPECT_H
#include <stddef.h>

struct expect_line {
	char key[64];
	char value[256];
};

struct expect {
	struct expect_line *l;
	size_t n;
};

/* 0 or -1 (file missing). */
int expect_load(const char *path, struct expect *e);
/* Loads <expected_dir>/<sub>/<fixture's base name, less .txt>.expect, the
 * derived expectations for that fixture (named apart from it: it is not a
 * copy); a missing one is a failed check. 0 or -1. */
int expect_load_for(const char *sub, const char *fixture, struct expect *e);
void expect_free(struct expect *e);
const char *expect_get(const struct expect *e, const char *key);
#endif
