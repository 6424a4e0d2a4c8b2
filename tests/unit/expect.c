#include "tests/unit/expect.h"
#include "tests/unit/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int expect_load(const char *path, struct expect *e)
{
	FILE *f = fopen(path, "r");
	char line[512];
	size_t cap = 0;
	e->l = NULL;
	e->n = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (e->n == cap) {
			cap = cap ? cap * 2 : 64;
			struct expect_line *n = realloc(e->l, cap * sizeof(*n));
			if (!n)
				break;
			e->l = n;
		}
		struct expect_line *x = &e->l[e->n++];
		char *sp = strchr(line, ' ');
		if (sp)
			*sp = '\0';
		snprintf(x->key, sizeof(x->key), "%.63s", line);
		snprintf(x->value, sizeof(x->value), "%.255s", sp ? sp + 1 : "");
	}
	fclose(f);
	return 0;
}

int expect_load_for(const char *sub, const char *fixture, struct expect *e)
{
	const char *slash = strrchr(fixture, '/');
	const char *base = slash ? slash + 1 : fixture;
	size_t len = strlen(base);
	if (len > 4 && strcmp(base + len - 4, ".txt") == 0)
		len -= 4;
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s/%.*s.expect", expected_dir(), sub, (int)len, base);
	int rc = expect_load(path, e);
	CHECK(rc == 0, "no expected file %s (make expected)", path);
	return rc;
}

void expect_free(struct expect *e)
{
	free(e->l);
	e->l = NULL;
	e->n = 0;
}

const char *expect_get(const struct expect *e, const char *key)
{
	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->l[i].key, key) == 0)
			return e->l[i].value;
	return NULL;
}
