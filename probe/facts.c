#include "probe/facts.h"
#include "common/grow.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void facts_init(struct factset *s)
{
	memset(s, 0, sizeof(*s));
}

void facts_free(struct factset *s)
{
	free(s->f);
	facts_init(s);
}

static struct fact *slot(struct factset *s, const char *key)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->f[i].key, key) == 0)
			return &s->f[i];
	if (grow_array((void **)&s->f, &s->cap, s->n, sizeof(*s->f)))
		return NULL;
	struct fact *f = &s->f[s->n++];
	snprintf(f->key, sizeof(f->key), "%s", key);
	return f;
}

static int vset(struct factset *s, const char *key, int known, const char *fmt, va_list ap)
{
	struct fact *f = slot(s, key);
	if (!f)
		return -1;
	f->known = known;
	vsnprintf(f->value, sizeof(f->value), fmt, ap);
	return 0;
}

int facts_set(struct factset *s, const char *key, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vset(s, key, 1, fmt, ap);
	va_end(ap);
	return rc;
}

int facts_unknown(struct factset *s, const char *key, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vset(s, key, 0, fmt, ap);
	va_end(ap);
	return rc;
}

const struct fact *facts_get(const struct factset *s, const char *key)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->f[i].key, key) == 0)
			return &s->f[i];
	return NULL;
}

const char *facts_str(const struct factset *s, const char *key)
{
	const struct fact *f = facts_get(s, key);
	return f && f->known ? f->value : NULL;
}

long long facts_int(const struct factset *s, const char *key, long long dflt)
{
	const char *v = facts_str(s, key);
	if (!v || !*v)
		return dflt;
	char *end;
	long long x = strtoll(v, &end, 0);
	return *end ? dflt : x;
}
