/* String interning: generated device lists repeat the same source, driver
 * and release strings thousands of times; each is stored once. */
#include "hcl/hcl.h"

#include <stdlib.h>
#include <string.h>

struct hcl_pool {
	char **slot;
	size_t cap, n;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int rehash(struct hcl_pool *p)
{
	size_t ncap = p->cap ? p->cap * 2 : 1024;
	char **ns = calloc(ncap, sizeof(*ns));
	if (!ns)
		return -1;
	for (size_t i = 0; i < p->cap; i++) {
		if (!p->slot[i])
			continue;
		size_t j = hash(p->slot[i]) & (ncap - 1);
		while (ns[j])
			j = (j + 1) & (ncap - 1);
		ns[j] = p->slot[i];
	}
	free(p->slot);
	p->slot = ns;
	p->cap = ncap;
	return 0;
}

const char *hcl_intern(struct hcl_db *db, const char *s)
{
	struct hcl_pool *p = db->pool;
	if (!s)
		return NULL;
	if (!p && !(p = db->pool = calloc(1, sizeof(*p))))
		return NULL;
	if ((p->n + 1) * 2 > p->cap && rehash(p))
		return NULL;
	size_t j = hash(s) & (p->cap - 1);
	for (; p->slot[j]; j = (j + 1) & (p->cap - 1))
		if (strcmp(p->slot[j], s) == 0)
			return p->slot[j];
	p->slot[j] = strdup(s);
	if (p->slot[j])
		p->n++;
	return p->slot[j];
}

void hcl_pool_free(struct hcl_pool *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->cap; i++)
		free(p->slot[i]);
	free(p->slot);
	free(p);
}
