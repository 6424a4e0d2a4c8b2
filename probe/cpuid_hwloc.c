/* Reader for hwloc-gather-cpuid (package hwloc): a directory with one file
 * per PU, "pu0", "pu1", ... (named by OS index, so gaps are offline CPUs),
 * each of lines "mask eax ebx ecx edx => eax ebx ecx edx" in bare hex, the
 * mask saying which input registers count (bit 2: ECX is the subleaf).
 * hwloc records only the leaves its topology code asks for, so a leaf it
 * did not ask for is unknown, not absent (cpu_raw_bit_known). */
#include "probe/cpuid_dump.h"

#include "common/grow.h"
#include "common/safefile.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HWLOC_MAX_PUS 65536

static int word(const char **p, const char *end, uint32_t *v)
{
	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
	return dump_hex(p, end, 8, v) ? 0 : -1;
}

static int record(const char *p, const char *end, uint32_t *leaf, uint32_t *sub, uint32_t out[4])
{
	uint32_t mask, in[4];
	if (word(&p, end, &mask))
		return -1;
	for (int i = 0; i < 4; i++)
		if (word(&p, end, &in[i]))
			return -1;
	while (p < end && *p == ' ')
		p++;
	if (end - p < 2 || strncmp(p, "=>", 2))
		return -1;
	p += 2;
	for (int i = 0; i < 4; i++)
		if (word(&p, end, &out[i]))
			return -1;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p != end)
		return -1;
	*leaf = in[REG_EAX];
	*sub = mask & 4 ? in[REG_ECX] : 0;
	return 0;
}

static int parse_pu(const char *path, const char *buf, size_t len, struct dump_cpus *c, struct cpu_raw *r, char *err,
		    size_t errlen)
{
	struct dump_lines d = {.buf = buf, .len = len};
	const char *p;
	long n;
	dump_cpu_open(c, 1, DUMP_NEED_EXT);
	while ((n = dump_next_line(&d, &p)) >= 0) {
		uint32_t leaf, sub, v[4];
		if (memchr(p, '\0', (size_t)n))
			return dump_fail(err, errlen, path, d.line, "binary data (NUL byte): not a text dump");
		if (n == 0 || p[0] == '#')
			continue;
		if (record(p, p + n, &leaf, &sub, v))
			return dump_fail(err, errlen, path, d.line,
					 "not a hwloc-gather-cpuid line (\"mask eax ebx ecx edx => eax ebx ecx edx\")");
		if (d.cut)
			return dump_fail(err, errlen, path, d.line, "the file ends inside this record: truncated");
		if (dump_cpu_record(c, r, leaf, sub, v))
			return dump_fail(err, errlen, path, d.line, "out of memory");
	}
	return dump_cpu_close(c, r, path, err, errlen);
}

int cpu_raw_parse_hwloc(const char *path, const char *buf, size_t len, struct cpu_raw *r, char *err, size_t errlen)
{
	struct dump_cpus c = {0};
	if (parse_pu(path, buf, len, &c, r, err, errlen))
		return -1;
	snprintf(r->msr_note, sizeof(r->msr_note), "hwloc-gather-cpuid records no MSRs");
	return 0;
}

static int cmp_u(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return x < y ? -1 : x > y;
}

/* The N of every "puN" in DIR, sorted. */
static int pu_list(const char *dir, unsigned **out, size_t *n, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	if (!d)
		return dump_fail(err, errlen, dir, 0, "cannot list the directory");
	while ((e = readdir(d))) {
		const char *s = e->d_name;
		char *end;
		if (strncmp(s, "pu", 2) || s[2] < '0' || s[2] > '9')
			continue;
		unsigned long k = strtoul(s + 2, &end, 10);
		if (*end || k >= HWLOC_MAX_PUS)
			continue;
		if (*n >= HWLOC_MAX_PUS || grow_array((void **)out, &cap, *n, sizeof(**out))) {
			closedir(d);
			return dump_fail(err, errlen, dir, 0, "too many pu files");
		}
		(*out)[(*n)++] = (unsigned)k;
	}
	closedir(d);
	if (*n)
		qsort(*out, *n, sizeof(**out), cmp_u);
	return *n ? 0 : dump_fail(err, errlen, dir, 0, "no pu0, pu1, ... files: not a hwloc-gather-cpuid directory");
}

int cpu_raw_read_hwloc_dir(const char *dir, struct cpu_raw *r, char *err, size_t errlen)
{
	unsigned *pus;
	size_t n;
	struct dump_cpus c = {0};
	if (pu_list(dir, &pus, &n, err, errlen)) {
		free(pus);
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char name[32], path[4200], *buf;
		size_t len;
		snprintf(name, sizeof(name), "pu%u", pus[i]);
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		/* Inside the directory only: a planted link cannot lead out of it. */
		rc = sf_read(dir, name, SF_CAP_TREE, &buf, &len, err, errlen);
		if (rc == 0) {
			rc = parse_pu(path, buf, len, &c, r, err, errlen);
			free(buf);
		}
	}
	free(pus);
	if (rc == 0)
		snprintf(r->msr_note, sizeof(r->msr_note), "hwloc-gather-cpuid records no MSRs");
	return rc;
}
