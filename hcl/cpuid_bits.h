/* data/cpuid-bits.tsv: where each named CPUID feature bit lives. */
#ifndef HVCERT_CPUID_BITS_H
#define HVCERT_CPUID_BITS_H
#include <stddef.h>
#include <stdint.h>

#include "probe/cpuid_raw.h"

struct cpuid_bit {
	char name[32];
	uint32_t leaf, subleaf;
	int reg, bit;
};

struct cpuid_bits {
	struct cpuid_bit *b;
	size_t n, cap;
};

int cpuid_bits_load(const char *path, struct cpuid_bits *out, char *err, size_t errlen);
void cpuid_bits_free(struct cpuid_bits *b);
const struct cpuid_bit *cpuid_bits_find(const struct cpuid_bits *b, const char *name);
/* 1/0 for a host's raw CPUID; -1 when the name is unknown. */
int cpuid_bits_has(const struct cpuid_bits *b, const struct cpu_raw *r, const char *name);
#endif
