/* Reader for `cpuid -r` (Todd Allen's cpuid, Debian package cpuid): blocks
 * "CPU N:" (all CPUs) or "CPU:" (-1, one CPU), each of records
 * "   0x00000007 0x01: eax=0x... ebx=0x... ecx=0x... edx=0x...". The first
 * block's registers are kept; every block counts one CPU by its APIC ID. */
#include "probe/cpuid_dump.h"

#include <stdio.h>
#include <string.h>

static const char *blanks(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static int lit(const char **p, const char *end, const char *s)
{
	size_t n = strlen(s);
	if ((size_t)(end - *p) < n || strncmp(*p, s, n))
		return 0;
	*p += n;
	return 1;
}

/* "0xLLLLLLLL 0xSS: eax=0x........ ebx=0x........ ecx=0x........ edx=0x........" */
static int record(const char *p, const char *end, uint32_t *leaf, uint32_t *sub, uint32_t v[4])
{
	static const char *const reg[] = {" eax=0x", " ebx=0x", " ecx=0x", " edx=0x"};
	p = blanks(p, end);
	if (!lit(&p, end, "0x") || dump_hex(&p, end, 8, leaf) != 8 || !lit(&p, end, " 0x") ||
	    !dump_hex(&p, end, 8, sub) || !lit(&p, end, ":"))
		return -1;
	for (int i = 0; i < 4; i++)
		if (!lit(&p, end, reg[i]) || dump_hex(&p, end, 8, &v[i]) != 8)
			return -1;
	return blanks(p, end) == end ? 0 : -1;
}

static int header(const char *p, const char *end)
{
	if (!lit(&p, end, "CPU"))
		return 0;
	if (lit(&p, end, ":"))
		return blanks(p, end) == end;
	p = blanks(p, end);
	const char *s = p;
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	return p > s && lit(&p, end, ":") && blanks(p, end) == end;
}

int cpu_raw_parse_cpuidr(const char *path, const char *buf, size_t len, struct cpu_raw *r, char *err, size_t errlen)
{
	struct dump_lines d = {.buf = buf, .len = len};
	struct dump_cpus c = {0};
	const char *p;
	long n;
	while ((n = dump_next_line(&d, &p)) >= 0) {
		const char *end = p + n, *q = blanks(p, end);
		uint32_t leaf, sub, v[4];
		if (memchr(p, '\0', (size_t)n))
			return dump_fail(err, errlen, path, d.line, "binary data (NUL byte): not a text dump");
		if (q == end || lit(&q, end, "Disclaimer:"))
			continue;
		if (header(q, end)) {
			if (dump_cpu_close(&c, r, path, err, errlen))
				return -1;
			dump_cpu_open(&c, d.line, DUMP_RANGE | DUMP_NEED_EXT);
			continue;
		}
		if (record(q, end, &leaf, &sub, v))
			return dump_fail(err, errlen, path, d.line,
					 "not a cpuid -r line (\"0xLEAF 0xSUB: eax=0x... ebx=0x... ecx=0x... "
					 "edx=0x...\" or \"CPU N:\")");
		if (d.cut)
			return dump_fail(err, errlen, path, d.line, "the file ends inside this record: truncated");
		if (!c.cur.line)
			dump_cpu_open(&c, d.line,
				      DUMP_RANGE | DUMP_NEED_EXT); /* records without a "CPU" header: one CPU */
		if (dump_cpu_record(&c, r, leaf, sub, v))
			return dump_fail(err, errlen, path, d.line, "out of memory");
	}
	return dump_cpus_end(&c, r, path, "cpuid -r records no MSRs", err, errlen);
}
