#include "hcl/cpuid_bits.h"
#include "common/grow.h"
#include "common/safefile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reg_of(const char *s)
{
	static const char *const n[] = {"EAX", "EBX", "ECX", "EDX"};
	for (int i = 0; i < 4; i++)
		if (strcasecmp(s, n[i]) == 0)
			return i;
	return -1;
}

int cpuid_bits_load(const char *path, struct cpuid_bits *out, char *err, size_t errlen)
{
	FILE *f = sf_fopen(NULL, path, SF_CAP, err, errlen);
	char *line = NULL, *end;
	size_t cap = 0;
	ssize_t len;
	long ln = 0;
	int header = 0;
	memset(out, 0, sizeof(*out));
	if (!f)
		return -1;
	while ((len = getline(&line, &cap, f)) >= 0) {
		char name[64], leaf[32], reg[16];
		unsigned long lv = 0;
		unsigned sub;
		int bit;
		ln++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (!header++)
			continue;
		/* One line is one row: no NUL, nothing long enough to be cut. */
		if (memchr(line, '\0', (size_t)len) || len > 200 ||
		    sscanf(line, "%63s %31s %u %15s %d", name, leaf, &sub, reg, &bit) != 5 || reg_of(reg) < 0 ||
		    bit < 0 || bit > 31 || strlen(name) >= sizeof(out->b->name) ||
		    (lv = strtoul(leaf, &end, 0), *end || lv > 0xffffffffUL)) {
			snprintf(err, errlen, "%s:%ld: expected name, leaf, subleaf, EAX..EDX, bit 0-31", path, ln);
			free(line);
			fclose(f);
			cpuid_bits_free(out);
			return -1;
		}
		if (grow_array((void **)&out->b, &out->cap, out->n, sizeof(*out->b))) {
			snprintf(err, errlen, "%s:%ld: out of memory", path, ln);
			free(line);
			fclose(f);
			cpuid_bits_free(out);
			return -1;
		}
		struct cpuid_bit *b = &out->b[out->n++];
		snprintf(b->name, sizeof(b->name), "%s", name);
		b->leaf = (uint32_t)lv;
		b->subleaf = sub;
		b->reg = reg_of(reg);
		b->bit = bit;
	}
	free(line);
	fclose(f);
	return 0;
}

void cpuid_bits_free(struct cpuid_bits *b)
{
	free(b->b);
	memset(b, 0, sizeof(*b));
}

const struct cpuid_bit *cpuid_bits_find(const struct cpuid_bits *b, const char *name)
{
	for (size_t i = 0; i < b->n; i++)
		if (strcmp(b->b[i].name, name) == 0)
			return &b->b[i];
	return NULL;
}

int cpuid_bits_has(const struct cpuid_bits *b, const struct cpu_raw *r, const char *name)
{
	const struct cpuid_bit *x = cpuid_bits_find(b, name);
	if (!x)
		return -1;
	return cpu_raw_bit(r, x->leaf, x->subleaf, x->reg, x->bit);
}
