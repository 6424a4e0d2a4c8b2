/* Reader for AIDA64/EVEREST CPUID+MSR dumps ("CPUID llllllll: a-b-c-d [SL nn]",
 * "MSR iiiiiiii: hhhh-hhhh-hhhh-hhhh" or "< FAILED >"), as in the InstLatx64
 * collection. Keeps every leaf and MSR of logical CPU #0 and one APIC ID per
 * logical CPU. Layouts vary across AIDA64 versions, so separators, case and
 * trailing annotations are accepted loosely; a line that claims to be a CPUID
 * or MSR record but cannot be read is an error naming file and line.
 *
 * A dump cut short would read as a smaller machine or lose registers, so the
 * reader checks what the format promises of a whole dump:
 *  - each logical CPU's CPUID section reaches, in every leaf range it has
 *    (0, 0x40000000, 0x80000000, 0xC0000000), the highest leaf the range's
 *    first leaf announces, and has every range the first CPU's section has;
 *  - the MSR part follows the CPUID sections (AIDA64 writes its MSR section,
 *    empty when it could read no MSR, after them and its "All CPUs" table);
 *    with one MSR section per CPU, every CPU has one, and the last one is as
 *    long as the one before (each CPU after the first dumps the same list);
 *  - a last line without a newline is a whole record (full-width values,
 *    closed brackets): a cut mid-line shortens a value instead. */
#include "common/errbuf.h"
#include "common/grow.h"
#include "common/lines.h"
#include "common/safefile.h"
#include "probe/cpuid_raw.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AIDA_MAX_LINE 4096
#define AIDA_MAX_CPUS 8192
/* A range maximum further than this above its base is not what the dump
 * lists (no CPU has that many leaves): such a range is not checked. */
#define AIDA_RANGE_SPAN 0xffu

enum aida_kind { SEC_NONE, SEC_CPUID, SEC_MSR, SEC_OTHER };

/* The section being read: "------[ CPUID Registers / Logical CPU #3 ]------" and friends. */
struct aida_sec {
	enum aida_kind kind;
	int cpu;     /* the logical CPU its records belong to, -1 none */
	int per_cpu; /* an MSR section of one CPU ("MSR Registers / Logical CPU #n") */
	long last;   /* line of its last record, or of its header */
	size_t records;
	int not_read;	 /* its "allcpu:" line says other than Valid: the collector did not read this CPU */
	int has_base[4]; /* leaf 0, 0x40000000, 0x80000000, 0xC0000000 seen */
	uint32_t announced[4], top[4]; /* each range's announced and highest seen leaf */
};

struct aida_bits {
	unsigned char b[AIDA_MAX_CPUS / 8];
	size_t n;
};

struct aida_state {
	struct read_pos at; /* the file, the line being read, the error buffer */
	struct aida_sec sec;
	int first;		     /* the CPU whose registers are kept: #0, or the first one dumped */
	struct aida_bits apic_done;  /* CPUs whose APIC ID is recorded */
	struct aida_bits cpuid_cpus; /* CPUs with a CPUID section */
	struct aida_bits msr_cpus;   /* CPUs with an MSR section of their own */
	int ref_ranges, ref_cpu;     /* the ranges of the first CPUID section, -1 before it */
	int msr_after;		     /* the MSR part began after the last CPUID section */
	size_t prev_msr_records;     /* the per-CPU MSR section before the open one */
	int prev_msr_cpu;
	int has_apic[2]; /* for the open CPUID section: leaf 1 / leaf 0xB seen */
	uint32_t apic1, apicb;
	uint32_t last_leaf, leaf_repeat;
	uint32_t *all_apic; /* "All CPUs" section: the collector's APIC IDs */
	size_t nall, capall;
};

/* Sets bit `cpu`; returns 1 when it was not set. */
static int bit_set(struct aida_bits *b, int cpu)
{
	unsigned char m = (unsigned char)(1u << (cpu % 8));
	if (b->b[cpu / 8] & m)
		return 0;
	b->b[cpu / 8] |= m;
	b->n++;
	return 1;
}

static int hexdigit(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/* Reads up to `max` hex digits, skipping '-', '_' and blanks between them. */
static int read_hex(const char **pp, int max, uint64_t *out)
{
	const char *p = *pp;
	int n = 0;
	uint64_t v = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	while (n < max) {
		if (isxdigit((unsigned char)*p)) {
			v = (v << 4) | (uint64_t)hexdigit((unsigned char)*p);
			n++;
			p++;
		} else if ((*p == '-' || *p == '_' || *p == ' ') && n > 0 && isxdigit((unsigned char)p[1])) {
			p++;
		} else {
			break;
		}
	}
	*pp = p;
	*out = v;
	return n;
}

/* One register; returns its number of digits, 0 when there is none. */
static int parse_hex32_field(const char **pp, uint32_t *out)
{
	const char *p = *pp;
	while (*p == ' ' || *p == '\t' || *p == '-' || *p == ',')
		p++;
	int n = 0;
	uint32_t v = 0;
	while (n < 8 && isxdigit((unsigned char)*p)) {
		v = (v << 4) | (uint32_t)hexdigit((unsigned char)*p);
		n++;
		p++;
	}
	if (n == 0 || isxdigit((unsigned char)*p))
		return 0;
	*pp = p;
	*out = v;
	return n;
}

/* A record's tail is whole: every '[' of an annotation closed ("[SL 0" is
 * a cut "[SL 01]") and no blank at the end (AIDA64 writes none there). */
static int tail_whole(const char *p)
{
	const char *open = strrchr(p, '[');
	size_t n = strlen(p);
	return (!open || strchr(open, ']')) && !(n && (p[n - 1] == ' ' || p[n - 1] == '\t'));
}

/* The start of a record or section header and nothing more: "MS", "CPUI". */
static int record_prefix(const char *p)
{
	size_t n = strlen(p);
	return n && ((n < 6 && strncasecmp(p, "CPUID ", n) == 0) || (n < 4 && strncasecmp(p, "MSR ", n) == 0) ||
		     (n < 7 && strncmp(p, "------[", n) == 0));
}

static int flush_apic(struct aida_state *s, struct cpu_raw *r)
{
	if (s->sec.kind != SEC_CPUID || !(s->has_apic[0] || s->has_apic[1]) || !bit_set(&s->apic_done, s->sec.cpu))
		return 0;
	return cpu_raw_add_cpu(r, s->has_apic[1] ? s->apicb : s->apic1) ? pos_fail(&s->at, "out of memory") : 0;
}

static int check_cpuid_sec(struct aida_state *s)
{
	const struct aida_sec *c = &s->sec;
	int mask = 0;
	if (c->records == 0 && c->not_read)
		return 0;
	if (c->records == 0)
		return pos_fail_at(&s->at, c->last,
				   "logical CPU #%d's CPUID section has no records: the dump is cut short", c->cpu);
	if (!c->has_base[0])
		return pos_fail_at(&s->at, c->last, "logical CPU #%d's CPUID section lacks leaf 0", c->cpu);
	for (int k = 0; k < 4; k++) {
		uint32_t base = (uint32_t)k << 30, want = c->announced[k];
		mask |= c->has_base[k] << k;
		if (!c->has_base[k] || want <= base || want - base > AIDA_RANGE_SPAN || c->top[k] >= want)
			continue;
		return pos_fail_at(
		    &s->at, c->last,
		    "logical CPU #%d's CPUID records stop at leaf 0x%08X, before 0x%08X, the highest its leaf "
		    "0x%08X announces: the dump is cut short",
		    c->cpu, c->top[k], want, base);
	}
	if (s->ref_ranges < 0) {
		s->ref_ranges = mask, s->ref_cpu = c->cpu;
		return 0;
	}
	for (int k = 0; k < 4; k++)
		if ((s->ref_ranges & ~mask) >> k & 1)
			return pos_fail_at(
			    &s->at, c->last,
			    "logical CPU #%d's CPUID records lack leaf 0x%08X, which CPU #%d has: the dump is "
			    "cut short",
			    c->cpu, (uint32_t)k << 30, s->ref_cpu);
	return 0;
}

static void close_msr_sec(struct aida_state *s)
{
	if (s->sec.kind == SEC_MSR && s->sec.per_cpu)
		s->prev_msr_records = s->sec.records, s->prev_msr_cpu = s->sec.cpu;
}

static int close_sec(struct aida_state *s, struct cpu_raw *r)
{
	if (flush_apic(s, r))
		return -1;
	close_msr_sec(s);
	return s->sec.kind == SEC_CPUID ? check_cpuid_sec(s) : 0;
}

static void open_sec(struct aida_state *s, enum aida_kind kind, int cpu, int per_cpu)
{
	s->sec = (struct aida_sec){.kind = kind, .cpu = cpu, .per_cpu = per_cpu, .last = s->at.line};
	s->has_apic[0] = s->has_apic[1] = 0;
	s->leaf_repeat = 0;
	s->last_leaf = 0xffffffffu;
	if (kind == SEC_CPUID) {
		bit_set(&s->cpuid_cpus, cpu);
		s->msr_after = 0;
	} else if (kind == SEC_MSR) {
		s->msr_after = 1;
		if (per_cpu)
			bit_set(&s->msr_cpus, cpu);
	}
}

static int section(struct aida_state *s, struct cpu_raw *r, const char *l)
{
	if (s->at.cut && !strstr(l, "]-"))
		return pos_cut_short(&s->at, "section header");
	if (close_sec(s, r))
		return -1;
	const char *hash = strstr(l, "CPU #");
	int cpu = -1;
	if (hash) {
		char *end;
		long n = strtol(hash + 5, &end, 10);
		if (end == hash + 5 || n < 0 || n >= AIDA_MAX_CPUS)
			return pos_fail(&s->at, "section header: logical CPU number missing or beyond 8191");
		cpu = (int)n;
	}
	if (strstr(l, "MSR"))
		open_sec(s, SEC_MSR, cpu < 0 ? 0 : cpu, cpu >= 0); /* old dumps: one MSR section, read on CPU #0 */
	else
		open_sec(s, cpu >= 0 ? SEC_CPUID : SEC_OTHER, cpu, 0);
	return 0;
}

static int subleaf_of(const char *p, uint32_t *sub)
{
	const char *sl = strstr(p, "[SL");
	if (!sl)
		return -1;
	sl += 3;
	uint64_t v;
	if (read_hex(&sl, 8, &v) == 0)
		return -1;
	*sub = (uint32_t)v;
	return 0;
}

static void note_leaf(struct aida_sec *c, uint32_t leaf, uint32_t sub, const uint32_t v[4])
{
	int k = (int)(leaf >> 30);
	uint32_t base = (uint32_t)k << 30;
	if (leaf - base > 0xffff)
		return; /* AMD's 0x8FFFFFFF and such probes lie outside the ranges */
	if (leaf == base && sub == 0)
		c->has_base[k] = 1, c->announced[k] = v[REG_EAX];
	if (leaf > c->top[k])
		c->top[k] = leaf;
}

static void note_apic(struct aida_state *s, uint32_t leaf, uint32_t sub, const uint32_t v[4])
{
	if (leaf == 1 && sub == 0) {
		s->has_apic[0] = 1;
		s->apic1 = v[REG_EBX] >> 24;
	}
	if (leaf == 0xB && sub == 0) {
		s->has_apic[1] = 1;
		s->apicb = v[REG_EDX];
	}
}

static int cpuid_line(struct aida_state *s, struct cpu_raw *r, const char *l)
{
	const char *p = l + 5;
	uint64_t leaf;
	while (*p == ' ' || *p == '\t')
		p++;
	if (read_hex(&p, 8, &leaf) != 8 || *p != ':')
		return s->at.cut && !*p ? pos_cut_short(&s->at, "CPUID record")
					: 0; /* else "CPUID Manufacturer : ..." */
	p++;
	uint32_t v[4];
	for (int i = 0; i < 4; i++) {
		int n = parse_hex32_field(&p, &v[i]);
		if (n == 0)
			return pos_fail(&s->at, "CPUID record: expected four 32-bit hex registers");
		if (s->at.cut && n != 8)
			return pos_cut_short(&s->at, "CPUID record");
	}
	if (s->at.cut && !tail_whole(p))
		return pos_cut_short(&s->at, "CPUID record");
	uint32_t sub;
	if (subleaf_of(p, &sub)) {
		/* No [SL nn]: consecutive repeats of a leaf are its subleaves. */
		s->leaf_repeat = (leaf == s->last_leaf) ? s->leaf_repeat + 1 : 0;
		sub = s->leaf_repeat;
	}
	s->last_leaf = (uint32_t)leaf;
	if (s->sec.kind == SEC_MSR)
		return pos_fail(&s->at, "CPUID record inside an MSR section");
	if (s->sec.kind != SEC_CPUID) /* records before any CPU section: CPU #0's */
		open_sec(s, SEC_CPUID, 0, 0);
	s->sec.records++, s->sec.last = s->at.line;
	note_leaf(&s->sec, (uint32_t)leaf, sub, v);
	note_apic(s, (uint32_t)leaf, sub, v);
	if (s->first < 0)
		s->first = s->sec.cpu; /* a dump that starts past CPU #0 still describes the machine */
	if (s->sec.cpu == s->first && cpu_raw_add_leaf(r, (uint32_t)leaf, sub, v))
		return pos_fail(&s->at, "out of memory");
	return 0;
}

static int msr_line(struct aida_state *s, struct cpu_raw *r, const char *l)
{
	const char *p = l + 3;
	uint64_t idx, val = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	if (read_hex(&p, 8, &idx) == 0 || *p != ':')
		return s->at.cut && !*p ? pos_cut_short(&s->at, "MSR record") : 0;
	p++;
	while (*p == ' ' || *p == '\t')
		p++;
	int state = MSR_OK;
	if (*p == '<') {
		state = MSR_FAILED;
		if (s->at.cut && !strchr(p, '>'))
			return pos_cut_short(&s->at, "MSR record");
	} else {
		int n = read_hex(&p, 16, &val);
		if (n == 0 || isxdigit((unsigned char)*p))
			return pos_fail(&s->at, "MSR record: expected a 64-bit hex value or < FAILED >");
		if (s->at.cut && n != 16)
			return pos_cut_short(&s->at, "MSR record");
	}
	if (s->at.cut && !tail_whole(p))
		return pos_cut_short(&s->at, "MSR record");
	int cpu = s->sec.cpu < 0 ? 0 : s->sec.cpu;
	s->sec.records++, s->sec.last = s->at.line;
	s->msr_after = 1;
	if (s->first < 0)
		s->first = cpu;
	if (cpu == s->first && cpu_raw_add_msr(r, (uint32_t)idx, val, state))
		return pos_fail(&s->at, "out of memory");
	return 0;
}

/* "CPU  12: APICID   24 / Package 0 / Core  12 / Thread 0: Valid" */
static int all_cpus_line(struct aida_state *s, const char *p)
{
	const char *a = strstr(p, "APICID");
	if (!a)
		return 0;
	char *end;
	unsigned long id = strtoul(a + 6, &end, 10);
	if (end == a + 6)
		return pos_fail(&s->at, "All CPUs record: APICID without a number");
	if (s->at.cut && !*end)
		return pos_cut_short(&s->at, "All CPUs record");
	if (grow_array((void **)&s->all_apic, &s->capall, s->nall, sizeof(*s->all_apic)))
		return pos_fail(&s->at, "out of memory");
	s->all_apic[s->nall++] = (uint32_t)id;
	return 0;
}

static int one_line(struct aida_state *s, struct cpu_raw *r, char *l, size_t len)
{
	if (memchr(l, '\0', len))
		return pos_fail(&s->at, "binary data (NUL byte): not a text dump");
	while (len && l[len - 1] == '\r')
		len--;
	l[len] = '\0';
	const char *p = l;
	while (*p == ' ' || *p == '\t')
		p++;
	if (s->at.cut && record_prefix(p))
		return pos_cut_short(&s->at, "record");
	if (strncmp(p, "------[", 7) == 0 || strncmp(p, "-----[", 6) == 0)
		return section(s, r, p);
	if (strncasecmp(p, "CPUID", 5) == 0 && (p[5] == ' ' || p[5] == '\t'))
		return cpuid_line(s, r, p);
	if (strncasecmp(p, "MSR", 3) == 0 && (p[3] == ' ' || p[3] == '\t'))
		return msr_line(s, r, p);
	if (strncmp(p, "CPU ", 4) == 0 && strstr(p, "APICID"))
		return all_cpus_line(s, p);
	if (strncmp(p, "allcpu:", 7) == 0 && s->sec.kind == SEC_CPUID && !s->at.cut)
		s->sec.not_read = !strstr(p, ": Valid"); /* "allcpu: Package 0 / Core 1 / Thread 0: Valid" */
	return 0;
}

/* The MSR part of a whole dump: present, one section per CPU if any CPU has
 * its own, and the last no shorter than the one before it. */
static int check_msr_part(struct aida_state *s)
{
	const struct aida_sec *c = &s->sec;
	if (!s->msr_after)
		return pos_fail_at(
		    &s->at, s->at.line,
		    "the dump ends before the MSR section AIDA64 writes after the CPUID sections: it is cut "
		    "short");
	if (s->msr_cpus.n && s->msr_cpus.n < s->cpuid_cpus.n)
		return pos_fail_at(
		    &s->at, s->at.line,
		    "%zu logical CPUs have CPUID sections but %zu have MSR sections: the dump is cut short",
		    s->cpuid_cpus.n, s->msr_cpus.n);
	if (c->kind == SEC_MSR && c->per_cpu && c->cpu != s->first && s->prev_msr_cpu != s->first &&
	    s->prev_msr_cpu >= 0 && c->records < s->prev_msr_records)
		return pos_fail_at(
		    &s->at, c->last,
		    "logical CPU #%d's MSR section has %zu records, CPU #%d's has %zu: the dump is cut short", c->cpu,
		    c->records, s->prev_msr_cpu, s->prev_msr_records);
	return 0;
}

static int finish(struct aida_state *s, struct cpu_raw *r)
{
	uint32_t v[4];
	if (flush_apic(s, r))
		return -1;
	/* Per-CPU CPUID sections of some dumps repeat one APIC ID when the
	 * collector could not pin itself to every CPU; its own table is better. */
	if (s->nall) {
		r->ncpus = 0;
		for (size_t i = 0; i < s->nall; i++)
			if (cpu_raw_add_cpu(r, s->all_apic[i]))
				return pos_fail(&s->at, "out of memory");
	}
	if (s->at.line == 0)
		return pos_fail(&s->at, "empty file");
	if (r->nleaves == 0)
		return pos_fail(&s->at, "no CPUID records found (not an AIDA64 CPUID dump?)");
	if (cpu_raw_get(r, 0, 0, v) || cpu_raw_get(r, 1, 0, v))
		return pos_fail(&s->at, "dump lacks CPUID leaf 0 or 1 of its first logical CPU");
	if (s->sec.kind == SEC_CPUID && check_cpuid_sec(s))
		return -1;
	if (check_msr_part(s))
		return -1;
	if (r->nmsrs == 0)
		snprintf(r->msr_note, sizeof(r->msr_note), "no MSR records in dump");
	return 0;
}

/* AIDA64 can also save "Unicode" text: UTF-16LE with a BOM. Such a file is
 * read as ASCII (other characters become '?'), in place; a UTF-8 BOM is
 * skipped. Returns the text to read. */
static char *as_ascii(char *buf, size_t *len)
{
	const unsigned char *b = (const unsigned char *)buf;
	if (*len >= 2 && b[0] == 0xFF && b[1] == 0xFE) {
		size_t k = 0;
		for (size_t i = 2; i + 1 < *len; i += 2)
			buf[k++] = b[i + 1] == 0 && b[i] >= 0x09 && b[i] <= 0x7e ? (char)b[i] : '?';
		buf[k] = '\0';
		*len = k;
		return buf;
	}
	if (*len >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
		*len -= 3;
		return buf + 3;
	}
	return buf;
}

struct aida_reading {
	struct aida_state *s;
	struct cpu_raw *r;
};

static int next_line(void *ctx, char *l, size_t n)
{
	struct aida_reading *a = ctx;
	if (n + 1 > AIDA_MAX_LINE)
		return pos_fail(&a->s->at, "line longer than 4096 bytes: not a CPUID dump");
	return one_line(a->s, a->r, l, n);
}

static int read_lines(struct aida_state *s, struct cpu_raw *r, char *text, size_t len)
{
	struct aida_reading a = {s, r};
	return lines_each(text, len, &s->at.line, &s->at.cut, next_line, &a);
}

int cpu_raw_parse_aida64(const char *path, char *buf, size_t len, struct cpu_raw *r, char *err, size_t errlen)
{
	struct aida_state s = {.at = {.path = path, .err = err, .errlen = errlen},
			       .sec = {.kind = SEC_NONE, .cpu = -1},
			       .first = -1,
			       .ref_ranges = -1,
			       .prev_msr_cpu = -1,
			       .last_leaf = 0xffffffffu};
	snprintf(r->source, sizeof(r->source), "%s", path);
	char *text = as_ascii(buf, &len);
	int rc = read_lines(&s, r, text, len);
	if (rc == 0)
		rc = finish(&s, r);
	free(s.all_apic);
	return rc;
}

int cpu_raw_read_aida64(const char *path, struct cpu_raw *r, char *err, size_t errlen)
{
	char *buf;
	size_t len;
	if (sf_read(NULL, path, SF_CAP, &buf, &len, err, errlen)) {
		if (errno == EFBIG)
			snprintf(err, errlen, "%s: file larger than 64 MiB: not a CPUID dump", path);
		return -1;
	}
	int rc = cpu_raw_parse_aida64(path, buf, len, r, err, errlen);
	free(buf);
	return rc;
}
