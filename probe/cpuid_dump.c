/* cpu_raw_read_dump: one entry for every CPU dump format hvcert reads. The
 * file is read once (common/safefile) and its content, never its name,
 * decides the reader: the first line that only one format writes wins. */
#include "probe/cpuid_dump.h"
#include "common/errbuf.h"

#include "common/safefile.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int dump_fail(char *err, size_t errlen, const char *path, long line, const char *why)
{
	return err_at(err, errlen, path, line, "%s", why);
}

long dump_next_line(struct dump_lines *d, const char **start)
{
	if (d->pos >= d->len)
		return -1;
	const char *p = d->buf + d->pos;
	const char *nl = memchr(p, '\n', d->len - d->pos);
	size_t n = nl ? (size_t)(nl - p) : d->len - d->pos;
	d->cut = nl == NULL;
	d->pos += n + (nl != NULL);
	d->line++;
	*start = p;
	while (n && p[n - 1] == '\r')
		n--;
	return (long)n;
}

int dump_hex(const char **pp, const char *end, int max, uint32_t *out)
{
	const char *p = *pp;
	uint32_t v = 0;
	int n = 0;
	while (p < end && n < max && isxdigit((unsigned char)*p)) {
		v = v << 4 | (uint32_t)(isdigit((unsigned char)*p) ? *p - '0' : tolower((unsigned char)*p) - 'a' + 10);
		p++;
		n++;
	}
	if (n == 0 || (p < end && isxdigit((unsigned char)*p)))
		return 0;
	*pp = p;
	*out = v;
	return n;
}

uint32_t dump_apic_id(int has_b, uint32_t b_edx, uint32_t leaf1_ebx)
{
	return has_b ? b_edx : leaf1_ebx >> 24;
}

static int hexrun(const char *p, int n)
{
	for (int i = 0; i < n; i++)
		if (!isxdigit((unsigned char)p[i]))
			return 0;
	return 1;
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* "CPUID hhhhhhhh" followed by ':' (AIDA64) or by blanks and registers (bare InstLatx64). */
static const char *cpuid_record(const char *p, const char *end)
{
	if (end - p < 14 || strncasecmp(p, "CPUID", 5) || (p[5] != ' ' && p[5] != '\t'))
		return NULL;
	const char *q = skip_ws(p + 5, end);
	if (end - q < 9 || !hexrun(q, 8) || isxdigit((unsigned char)q[8]))
		return NULL;
	const char *r = skip_ws(q + 8, end);
	if (r < end && *r == ':')
		return FMT_AIDA64;
	if (r > q + 8 && end - r >= 9 && hexrun(r, 8) && r[8] == '-')
		return FMT_INSTLAT;
	return NULL;
}

/* "   0x00000000 0x00: eax=0x..." */
static int cpuidr_record(const char *p, const char *end)
{
	p = skip_ws(p, end);
	if (end - p < 16 || strncmp(p, "0x", 2) || !hexrun(p + 2, 8) || p[10] != ' ' || strncmp(p + 11, "0x", 2))
		return 0;
	const char *c = memchr(p + 13, ':', (size_t)(end - p - 13));
	return c && end - c >= 7 && strncmp(c, ": eax=", 6) == 0;
}

/* "1 0 0 0 0 => d 68747541 444d4163 69746e65", or hwloc's header line. */
static int hwloc_record(const char *p, const char *end)
{
	if (end - p >= 25 && strncmp(p, "# mask e[abcd]x => e[abcd]x", 27) == 0)
		return 1;
	int tokens = 0;
	while (p < end && tokens < 6) {
		p = skip_ws(p, end);
		if (end - p >= 2 && strncmp(p, "=>", 2) == 0)
			return tokens == 5;
		const char *s = p;
		while (p < end && isxdigit((unsigned char)*p))
			p++;
		if (p == s || (p < end && *p != ' ' && *p != '\t'))
			return 0;
		tokens++;
	}
	return 0;
}

static int key_colon(const char *p, const char *end, const char *key)
{
	size_t k = strlen(key);
	if ((size_t)(end - p) < k || strncmp(p, key, k))
		return 0;
	p = skip_ws(p + k, end);
	return p < end && *p == ':';
}

static const char *detect_line(const char *p, const char *end)
{
	const char *f;
	if (end - p >= 7 && (strncmp(p, "------[", 7) == 0 || strncmp(p, "-----[", 6) == 0))
		return FMT_AIDA64;
	if ((f = cpuid_record(skip_ws(p, end), end)))
		return f;
	if (cpuidr_record(p, end))
		return FMT_CPUIDR;
	if (hwloc_record(p, end))
		return FMT_HWLOC;
	if ((end - p >= 12 && strncmp(p, "basic_cpuid[", 12) == 0) ||
	    (end - p >= 10 && strncmp(p, "ext_cpuid[", 10) == 0))
		return FMT_LIBCPUID;
	if (key_colon(p, end, "vendor_id"))
		return FMT_PROCINFO;
	return NULL;
}

const char *cpu_dump_detect(const char *buf, size_t len)
{
	if (len >= 2 && (unsigned char)buf[0] == 0xFF && (unsigned char)buf[1] == 0xFE)
		return FMT_AIDA64; /* AIDA64's "Unicode" text: UTF-16LE */
	struct dump_lines d = {.buf = buf, .len = len};
	const char *p, *f;
	long n;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		d.pos = 3;
	while ((n = dump_next_line(&d, &p)) >= 0)
		if ((f = detect_line(p, p + n)))
			return f;
	return NULL;
}

/* The buffer is the dispatcher's own copy of the file, so the one reader
 * that rewrites its text may have it. */
static int parse_aida64(const char *path, const char *buf, size_t len, struct cpu_raw *r, char *err, size_t errlen)
{
	return cpu_raw_parse_aida64(path, (char *)buf, len, r, err, errlen);
}

/* Each format detect_line names, and its reader: the bytes detected are
 * the bytes parsed (the file is read once). */
static const struct {
	const char *fmt;
	int (*parse)(const char *path, const char *buf, size_t len, struct cpu_raw *r, char *err, size_t errlen);
} readers[] = {
    {FMT_AIDA64, parse_aida64},		{FMT_INSTLAT, cpu_raw_parse_instlat},
    {FMT_CPUIDR, cpu_raw_parse_cpuidr}, {FMT_LIBCPUID, cpu_raw_parse_libcpuid},
    {FMT_HWLOC, cpu_raw_parse_hwloc},	{FMT_PROCINFO, cpu_raw_parse_procinfo},
};

static int parse_as(const char *fmt, const char *path, const char *buf, size_t len, struct cpu_raw *r, char *err,
		    size_t errlen)
{
	for (size_t i = 0; i < sizeof(readers) / sizeof(*readers); i++)
		if (strcmp(fmt, readers[i].fmt) == 0)
			return readers[i].parse(path, buf, len, r, err, errlen);
	return dump_fail(err, errlen, path, 0, "no reader for this format");
}

int cpu_raw_read_dump(const char *path, struct cpu_raw *r, char *err, size_t errlen)
{
	struct stat st;
	const char *fmt = FMT_HWLOC;
	int rc;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		rc = cpu_raw_read_hwloc_dir(path, r, err, errlen);
	} else {
		char *buf;
		size_t len;
		if (sf_read(NULL, path, SF_CAP, &buf, &len, err, errlen))
			return -1;
		fmt = cpu_dump_detect(buf, len);
		if (!fmt)
			rc = dump_fail(err, errlen, path, 0,
				       len == 0
					   ? "empty file"
					   : "not a CPU dump hvcert reads (AIDA64, InstLatx64, cpuid -r, libcpuid raw, "
					     "hwloc-gather-cpuid, /proc/cpuinfo)");
		else
			rc = parse_as(fmt, path, buf, len, r, err, errlen);
		free(buf);
	}
	if (rc)
		return -1;
	snprintf(r->format, sizeof(r->format), "%s", fmt);
	snprintf(r->source, sizeof(r->source), "%.200s (%s)", path, fmt);
	return 0;
}

/* libcpuid's raw format has fixed slots: leaves 0-31 and 0x80000000-0x8000001F
 * (subleaf 0), and the subleaves of 4, 0xB, 0x12, 0x14 and 0x8000001D it lists. */
static int libcpuid_slot(uint32_t leaf, uint32_t sub)
{
	if (sub == 0)
		return leaf < 32 || (leaf >= 0x80000000u && leaf < 0x80000020u);
	if (leaf == 4)
		return sub < 8;
	return (leaf == 0xB || leaf == 0x12 || leaf == 0x14 || leaf == 0x8000001Du) && sub < 4;
}

/* A leaf the CPU reports outside its range is known to be absent. */
static int in_range(const struct cpu_raw *r, uint32_t leaf)
{
	uint32_t v[4], base = leaf & 0xffff0000u;
	if (cpu_raw_get(r, base, 0, v))
		return 0;
	return leaf <= v[0];
}

int cpu_raw_bit_known(const struct cpu_raw *r, uint32_t leaf, uint32_t sub, int reg, int bit)
{
	uint32_t v[4];
	if (strcmp(r->format, FMT_PROCINFO) == 0)
		return cpu_raw_procinfo_bit_known(r, leaf, sub, reg, bit);
	if (strcmp(r->format, FMT_LIBCPUID) == 0)
		return libcpuid_slot(leaf, sub) || !in_range(r, leaf);
	if (strcmp(r->format, FMT_HWLOC) == 0)
		/* hwloc records only the leaves its topology code asks for. */
		return cpu_raw_get(r, leaf, sub, v) == 0 || !in_range(r, leaf);
	return 1;
}

void dump_cpu_open(struct dump_cpus *c, long line, int range)
{
	memset(&c->cur, 0, sizeof(c->cur));
	c->cur.line = line;
	c->cur.range = range;
}

int dump_cpu_record(struct dump_cpus *c, struct cpu_raw *r, uint32_t leaf, uint32_t sub, const uint32_t v[4])
{
	struct dump_cpu *b = &c->cur;
	if (leaf == 0 && sub == 0) {
		b->has0 = 1;
		b->max_basic = v[REG_EAX];
	} else if (leaf == 1 && sub == 0) {
		b->has1 = 1;
		b->ebx1 = v[REG_EBX];
	} else if (leaf == 0xB && sub == 0 && (v[REG_EBX] & 0xffff)) {
		/* EBX[15:0] = 0: leaf 0xB is not implemented (SDM Vol. 2A) */
		b->hasb = 1;
		b->edxb = v[REG_EDX];
	} else if (leaf == 0x80000000u && sub == 0) {
		b->max_ext = v[REG_EAX];
	}
	b->has_max |= b->has0 && leaf == b->max_basic;
	b->has_ext_max |= b->max_ext && leaf == b->max_ext;
	b->n++;
	b->last_leaf = leaf;
	b->last_sub = sub;
	if (c->blocks == 0 && cpu_raw_add_leaf(r, leaf, sub, v))
		return -1;
	return 0;
}

int dump_cpu_close(struct dump_cpus *c, struct cpu_raw *r, const char *path, char *err, size_t errlen)
{
	struct dump_cpu *b = &c->cur;
	char why[200];
	if (!b->line)
		return 0;
	/* Announced ranges past these are garbage or another vendor's convention. */
	int basic_ok = b->max_basic > 0xff || b->has_max;
	int ext_ok = (b->max_ext & 0xffffff00u) != 0x80000000u || b->has_ext_max;
	if (!b->has0 || !b->has1)
		snprintf(why, sizeof(why), "CPU block #%u lacks leaf %s: truncated or not a whole dump", c->blocks,
			 b->has0 ? "1" : "0");
	else if ((b->range & DUMP_NEED_EXT) && !b->max_ext)
		snprintf(why, sizeof(why), "CPU block #%u ends before leaf 0x80000000: truncated", c->blocks);
	else if ((b->range & DUMP_RANGE) && (!basic_ok || !ext_ok))
		snprintf(why, sizeof(why), "CPU block #%u ends before leaf 0x%x its leaf %s announces: truncated",
			 c->blocks, basic_ok ? b->max_ext : b->max_basic, basic_ok ? "0x80000000" : "0");
	else if (c->blocks && (b->last_leaf != c->first.last_leaf || b->last_sub != c->first.last_sub))
		snprintf(why, sizeof(why),
			 "CPU block #%u ends at leaf 0x%x subleaf %u, the first at 0x%x subleaf %u: truncated",
			 c->blocks, b->last_leaf, b->last_sub, c->first.last_leaf, c->first.last_sub);
	else
		why[0] = '\0';
	if (why[0])
		return dump_fail(err, errlen, path, b->line, why);
	if (cpu_raw_add_cpu(r, dump_apic_id(b->hasb, b->edxb, b->ebx1)))
		return dump_fail(err, errlen, path, 0, "out of memory");
	if (c->blocks++ == 0)
		c->first = *b;
	b->line = 0;
	return 0;
}

int dump_cpus_end(struct dump_cpus *c, struct cpu_raw *r, const char *path, const char *msr_note, char *err,
		  size_t errlen)
{
	if (dump_cpu_close(c, r, path, err, errlen))
		return -1;
	if (c->blocks == 0)
		return dump_fail(err, errlen, path, 0, "no CPUID records");
	snprintf(r->msr_note, sizeof(r->msr_note), "%s", msr_note);
	return 0;
}
