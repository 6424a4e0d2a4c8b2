/* Reader for the bare InstLatx64 layout: "CPUID 00000004<blanks>AAAAAAAA-
 * BBBBBBBB-CCCCCCCC-DDDDDDDD", no AIDA64 header, no colon after the leaf and
 * no [SL nn]: consecutive repeats of a leaf are its subleaves 0, 1, 2, ...
 * Leaf 0 after other records starts the next logical CPU. */
#include "probe/cpuid_dump.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *blanks(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* 1 with the registers, 0 for a line that is no record, -1 for a broken one. */
static int record(const char *p, const char *end, uint32_t *leaf, uint32_t v[4], int *sl, uint32_t *sub)
{
	p = blanks(p, end);
	if (end - p < 6 || strncasecmp(p, "CPUID", 5) || (p[5] != ' ' && p[5] != '\t'))
		return 0;
	p = blanks(p + 5, end);
	if (dump_hex(&p, end, 8, leaf) != 8)
		return 0;
	const char *q = blanks(p, end);
	if (q == p || q == end)
		return q == end ? -1 : 0;
	for (int i = 0; i < 4; i++) {
		if (i && (q >= end || *q++ != '-'))
			return -1;
		if (dump_hex(&q, end, 8, &v[i]) != 8)
			return -1;
	}
	const char *s = blanks(q, end);
	if (s != end && s == q)
		return -1; /* "...-DDDDDDDDx": a register run on */
	*sl = 0;
	if (end - s > 4 && strncmp(s, "[SL", 3) == 0) {
		s = blanks(s + 3, end);
		*sl = dump_hex(&s, end, 8, sub) > 0;
	}
	return 1;
}

int cpu_raw_parse_instlat(const char *path, const char *buf, size_t len, struct cpu_raw *r, char *err, size_t errlen)
{
	struct dump_lines d = {.buf = buf, .len = len};
	struct dump_cpus c = {0};
	const char *p;
	long n;
	uint32_t last = 0xffffffffu, repeat = 0;
	while ((n = dump_next_line(&d, &p)) >= 0) {
		uint32_t leaf, sub, v[4];
		int sl;
		if (memchr(p, '\0', (size_t)n))
			return dump_fail(err, errlen, path, d.line, "binary data (NUL byte): not a text dump");
		int k = record(p, p + n, &leaf, v, &sl, &sub);
		if (k == 0)
			continue;
		if (k < 0)
			return dump_fail(
			    err, errlen, path, d.line,
			    "CPUID record: expected four 32-bit hex registers AAAAAAAA-BBBBBBBB-CCCCCCCC-DDDDDDDD");
		if (d.cut)
			return dump_fail(err, errlen, path, d.line, "the file ends inside this record: truncated");
		repeat = leaf == last ? repeat + 1 : 0;
		last = leaf;
		if (!sl)
			sub = repeat;
		if (leaf == 0 && sub == 0 && c.cur.line && dump_cpu_close(&c, r, path, err, errlen))
			return -1;
		if (!c.cur.line)
			dump_cpu_open(&c, d.line, DUMP_RANGE);
		if (dump_cpu_record(&c, r, leaf, sub, v))
			return dump_fail(err, errlen, path, d.line, "out of memory");
	}
	return dump_cpus_end(&c, r, path, "no MSR records in dump", err, errlen);
}
