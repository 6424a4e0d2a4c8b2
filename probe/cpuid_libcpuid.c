/* Reader for libcpuid's raw dump (`cpuid_tool --save=FILE`, cpuid_serialize_
 * all_raw_data): "version=0.6.2", then per logical CPU a line
 * "____ Logical CPU #N ____" and "basic_cpuid[I]=eax ebx ecx edx" lines for
 * its fixed arrays (0.5 and older: one CPU, no header).
 *
 * libcpuid's own cpuid_deserialize_raw_data() does not fit: on a 0.6 file
 * of several CPUs it returns the LAST CPU's registers, it returns success on
 * a truncated file or on any text (missing entries stay zero), and it prints
 * warnings on stderr. So the entries are read here into its struct, each
 * block must be whole, and CPU 0's entries become leaves.
 *
 * What the format cannot carry (cpu_raw_bit_known says "unknown" for them):
 * leaves 0x20 and up, 0x80000020 and up (AMD's 0x80000021), subleaves of
 * leaf 7 (7.1: AVX-VNNI, ...), 0xD, 0xF, 0x10, 0x18, 0x1F, the hypervisor
 * leaves 0x40000000+, and MSRs. */
#include "probe/cpuid_dump.h"

#include <libcpuid/libcpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arr {
	const char *name;
	size_t off, n;	/* offset in struct cpu_raw_data_t, entries */
	uint32_t leaf;	/* leaf of entry 0; subleaf arrays: the leaf itself */
	int by_subleaf; /* entries are subleaves of LEAF, not consecutive leaves */
};

#define ARR(f, leaf, sub)                                                                                              \
	{                                                                                                              \
#f, offsetof(struct cpu_raw_data_t, f),                                                                \
		    sizeof(((struct cpu_raw_data_t *)0)->f) / (4 * sizeof(uint32_t)), leaf, sub                        \
	}
static const struct arr arrs[] = {
    ARR(basic_cpuid, 0, 0),
    ARR(ext_cpuid, 0x80000000u, 0),
    ARR(intel_fn4, 4, 1),
    ARR(intel_fn11, 0xB, 1),
    ARR(intel_fn12h, 0x12, 1),
    ARR(intel_fn14h, 0x14, 1),
    ARR(amd_fn8000001dh, 0x8000001Du, 1),
};
#define NARR (sizeof(arrs) / sizeof(arrs[0]))

struct block {
	struct cpu_raw_data_t raw;
	unsigned char seen[NARR][32];
	long line;
};

static uint32_t *slot(struct cpu_raw_data_t *raw, size_t a, size_t i)
{
	return (uint32_t *)((char *)raw + arrs[a].off) + 4 * i;
}

/* "name[I]=h h h h": 1 read, 0 an array this reader does not know, -1 broken. */
static int entry(const char *p, const char *end, struct block *b, size_t *which)
{
	const char *br = memchr(p, '[', (size_t)(end - p));
	if (!br)
		return -1;
	size_t a = 0;
	while (a < NARR && (strlen(arrs[a].name) != (size_t)(br - p) || strncmp(p, arrs[a].name, (size_t)(br - p))))
		a++;
	const char *q = br + 1;
	uint32_t idx = 0, v[4];
	int digits = 0;
	while (q < end && *q >= '0' && *q <= '9' && digits < 4) {
		idx = idx * 10 + (uint32_t)(*q++ - '0');
		digits++;
	}
	if (!digits || end - q < 2 || q[0] != ']' || q[1] != '=')
		return -1;
	q += 2;
	for (int i = 0; i < 4; i++) {
		while (i && q < end && *q == ' ')
			q++;
		if (dump_hex(&q, end, 8, &v[i]) != 8)
			return -1;
	}
	while (q < end && (*q == ' ' || *q == '\t'))
		q++;
	if (q != end)
		return -1;
	if (a == NARR)
		return 0;
	if (idx >= arrs[a].n)
		return -1;
	if (b->seen[a][idx])
		return -2;
	b->seen[a][idx] = 1;
	memcpy(slot(&b->raw, a, idx), v, sizeof(v));
	*which = a;
	return 1;
}

static int whole(const struct block *b, const struct block *first, int nth, const char *path, char *err, size_t errlen)
{
	char why[160];
	for (size_t a = 0; a < NARR; a++) {
		for (size_t i = 0; i < arrs[a].n; i++) {
			int need = a < 2 || (nth && first->seen[a][i]);
			if (need && !b->seen[a][i]) {
				snprintf(why, sizeof(why), "logical CPU block #%d lacks %s[%zu]: truncated", nth,
					 arrs[a].name, i);
				return dump_fail(err, errlen, path, b->line, why);
			}
		}
	}
	return 0;
}

static int add(struct cpu_raw *r, uint32_t leaf, uint32_t sub, const uint32_t *v)
{
	return cpu_raw_add_leaf(r, leaf, sub, v);
}

/* Entries past the range leaf 0 / 0x80000000 announce hold whatever the
 * CPU answered out of range: not leaves. */
static int to_leaves(const struct block *b, struct cpu_raw *r)
{
	struct cpu_raw_data_t raw = b->raw;
	uint32_t max = raw.basic_cpuid[0][0], emax = raw.ext_cpuid[0][0];
	if ((emax & 0xffff0000u) != 0x80000000u)
		emax = 0x80000000u;
	for (size_t a = 0; a < NARR; a++) {
		for (size_t i = 0; i < arrs[a].n; i++) {
			uint32_t leaf = arrs[a].by_subleaf ? arrs[a].leaf : arrs[a].leaf + (uint32_t)i;
			uint32_t top = leaf >= 0x80000000u ? emax : max;
			if (!b->seen[a][i] || leaf > top)
				continue;
			if (add(r, leaf, arrs[a].by_subleaf ? (uint32_t)i : 0, slot(&raw, a, i)))
				return -1;
		}
	}
	return 0;
}

static uint32_t apic_of(const struct block *b)
{
	int has_b = b->raw.basic_cpuid[0][0] >= 0xB && (b->raw.intel_fn11[0][1] & 0xffff) != 0;
	return dump_apic_id(has_b, b->raw.intel_fn11[0][3], b->raw.basic_cpuid[1][1]);
}

static int close_block(struct block *cur, struct block *first, int *n, struct cpu_raw *r, const char *path, char *err,
		       size_t errlen)
{
	if (whole(cur, first, *n, path, err, errlen))
		return -1;
	if (*n == 0) {
		*first = *cur;
		if (to_leaves(cur, r))
			return dump_fail(err, errlen, path, 0, "out of memory");
	}
	if (cpu_raw_add_cpu(r, apic_of(cur)))
		return dump_fail(err, errlen, path, 0, "out of memory");
	++*n;
	return 0;
}

static int parse(struct dump_lines *d, struct block *cur, struct block *first, struct cpu_raw *r, const char *path,
		 char *err, size_t errlen)
{
	const char *p;
	long n;
	int blocks = 0, open = 0;
	size_t a;
	while ((n = dump_next_line(d, &p)) >= 0) {
		const char *end = p + n;
		if (memchr(p, '\0', (size_t)n))
			return dump_fail(err, errlen, path, d->line, "binary data (NUL byte): not a text dump");
		if (n == 0 || (n > 8 && strncmp(p, "version=", 8) == 0))
			continue;
		if (n > 4 && p[0] == '_' && memmem(p, (size_t)n, "Logical CPU #", 13)) {
			if (open && close_block(cur, first, &blocks, r, path, err, errlen))
				return -1;
			memset(cur, 0, sizeof(*cur));
			cur->line = d->line;
			open = 1;
			continue;
		}
		int k = entry(p, end, cur, &a);
		if (k == -2)
			return dump_fail(err, errlen, path, d->line, "entry given twice in one CPU block");
		if (k < 0)
			return dump_fail(err, errlen, path, d->line,
					 "not a libcpuid raw line (\"name[I]=eax ebx ecx edx\", 8 hex digits each)");
		if (d->cut)
			return dump_fail(err, errlen, path, d->line, "the file ends inside this entry: truncated");
		if (!open) {
			cur->line = d->line; /* 0.5 and older: one CPU, no header */
			open = 1;
		}
	}
	if (open && close_block(cur, first, &blocks, r, path, err, errlen))
		return -1;
	return blocks ? 0 : dump_fail(err, errlen, path, 0, "no libcpuid raw entries");
}

int cpu_raw_parse_libcpuid(const char *path, const char *buf, size_t len, struct cpu_raw *r, char *err, size_t errlen)
{
	struct dump_lines d = {.buf = buf, .len = len};
	struct block *b = calloc(2, sizeof(*b));
	if (!b)
		return dump_fail(err, errlen, path, 0, "out of memory");
	int rc = parse(&d, &b[0], &b[1], r, path, err, errlen);
	free(b);
	if (rc == 0)
		snprintf(r->msr_note, sizeof(r->msr_note), "libcpuid's raw dump records no MSRs");
	return rc;
}
