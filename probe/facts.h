/* Host facts: a flat, ordered key -> value list ("kvm.api_version" -> "12").
 * A fact that could not be read is kept with known=0 and the reason, so
 * reports say "unknown: why" instead of guessing. */
#ifndef HVCERT_FACTS_H
#define HVCERT_FACTS_H
#include <stddef.h>

struct fact {
	char key[64];
	char value[2048];
	int known;
};

struct factset {
	struct fact *f;
	size_t n, cap;
};

void facts_init(struct factset *s);
void facts_free(struct factset *s);
int facts_set(struct factset *s, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int facts_unknown(struct factset *s, const char *key, const char *why_fmt, ...) __attribute__((format(printf, 3, 4)));
const struct fact *facts_get(const struct factset *s, const char *key);
/* Known value or NULL. */
const char *facts_str(const struct factset *s, const char *key);
/* Known integer value, or `dflt`. */
long long facts_int(const struct factset *s, const char *key, long long dflt);
#endif
