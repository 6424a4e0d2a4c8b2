/* Reader for AIDA64/EVEREST CPUID+MSR dumps ("CPUID llllllll: a-b-c-d [SL nn]",
 * "MSR iiiiiiii: hhhh-hhhh-hhhh-hhhh" or "< FAILED >"), as in the InstLatx64
 * collection. Keeps every leaf and MSR of logical CPU #0 and one APIC ID per
 * logical CPU. Layouts vary across AIDA64 versions, so separators, case and
 * trailing annotations are accepted loosely; a line that claims to be a CPUID
 * or MSR record but cannot be read is an error naming file and line. */
#include "cpuid_raw.h"
#include "grow.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define AIDA_MAX_BYTES (64L << 20)
#define AIDA_MAX_LINE  4096
#define AIDA_MAX_CPUS  8192

struct aida_state {
	const char *path;
	long line;
	int cpu;   /* logical CPU the records belong to, -1 outside */
	int first; /* the CPU whose registers are kept: #0, or the first one dumped */
	int cpu_seen[AIDA_MAX_CPUS / 8];
	int has_apic[2]; /* for the current CPU: leaf 1 / leaf 0xB seen */
	uint32_t apic1, apicb;
	uint32_t last_leaf;
	uint32_t *all_apic; /* "All CPUs" section: the collector's APIC IDs */
	size_t nall, capall;
	uint32_t leaf_repeat;
	char *err;
	size_t errlen;
};

static int fail(struct aida_state *s, const char *why)
{
	if (s->line > 0)
		snprintf(s->err, s->errlen, "%s:%ld: %s", s->path, s->line, why);
	else
		snprintf(s->err, s->errlen, "%s: %s", s->path, why);
	return -1;
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
			int d = isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10);
			v = (v << 4) | (uint64_t)d;
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

static int parse_hex32_field(const char **pp, uint32_t *out)
{
	const char *p = *pp;
	while (*p == ' ' || *p == '\t' || *p == '-' || *p == ',')
		p++;
	int n = 0;
	uint32_t v = 0;
	while (n < 8 && isxdigit((unsigned char)*p)) {
		int d = isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10);
		v = (v << 4) | (uint32_t)d;
		n++;
		p++;
	}
	if (n == 0 || isxdigit((unsigned char)*p))
		return -1;
	*pp = p;
	*out = v;
	return 0;
}

static void flush_apic(struct aida_state *s, struct cpu_raw *r)
{
	if (s->cpu < 0 || s->cpu >= AIDA_MAX_CPUS)
		return;
	int seen = (s->cpu_seen[s->cpu / 8] >> (s->cpu % 8)) & 1;
	if (seen || !(s->has_apic[0] || s->has_apic[1]))
		return;
	s->cpu_seen[s->cpu / 8] |= 1 << (s->cpu % 8);
	cpu_raw_add_cpu(r, s->has_apic[1] ? s->apicb : s->apic1);
}

/* "------[ CPUID Registers / Logical CPU #3 ]------" and friends. */
static void section(struct aida_state *s, struct cpu_raw *r, const char *l)
{
	flush_apic(s, r);
	s->has_apic[0] = s->has_apic[1] = 0;
	s->leaf_repeat = 0;
	s->last_leaf = 0xffffffffu;
	const char *hash = strstr(l, "CPU #");
	if (hash) {
		long n = strtol(hash + 5, NULL, 10);
		s->cpu = (n >= 0 && n < AIDA_MAX_CPUS) ? (int)n : -1;
	} else if (strstr(l, "MSR")) {
		s->cpu = 0; /* old dumps: one MSR section, read on CPU #0 */
	} else {
		s->cpu = -1;
	}
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

static int cpuid_line(struct aida_state *s, struct cpu_raw *r, const char *l)
{
	const char *p = l + 5;
	uint64_t leaf;
	while (*p == ' ' || *p == '\t')
		p++;
	if (read_hex(&p, 8, &leaf) != 8 || *p != ':')
		return 0; /* "CPUID Manufacturer : ..." and other prose */
	p++;
	uint32_t v[4];
	for (int i = 0; i < 4; i++)
		if (parse_hex32_field(&p, &v[i]))
			return fail(s, "CPUID record: expected four 32-bit hex registers");
	uint32_t sub;
	if (subleaf_of(p, &sub)) {
		/* No [SL nn]: consecutive repeats of a leaf are its subleaves. */
		s->leaf_repeat = (leaf == s->last_leaf) ? s->leaf_repeat + 1 : 0;
		sub = s->leaf_repeat;
	}
	s->last_leaf = (uint32_t)leaf;
	if (s->cpu < 0)
		s->cpu = 0; /* records before any section header */
	if (leaf == 1 && sub == 0) {
		s->has_apic[0] = 1;
		s->apic1 = v[REG_EBX] >> 24;
	}
	if (leaf == 0xB && sub == 0) {
		s->has_apic[1] = 1;
		s->apicb = v[REG_EDX];
	}
	if (s->first < 0)
		s->first = s->cpu; /* a dump that starts past CPU #0 still describes the machine */
	if (s->cpu == s->first && cpu_raw_add_leaf(r, (uint32_t)leaf, sub, v))
		return fail(s, "out of memory");
	return 0;
}

static int msr_line(struct aida_state *s, struct cpu_raw *r, const char *l)
{
	const char *p = l + 3;
	uint64_t idx, val = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	if (read_hex(&p, 8, &idx) == 0 || *p != ':')
		return 0;
	p++;
	while (*p == ' ' || *p == '\t')
		p++;
	int state = MSR_OK;
	if (*p == '<') {
		state = MSR_FAILED;
	} else {
		int n = read_hex(&p, 16, &val);
		if (n == 0 || isxdigit((unsigned char)*p))
			return fail(s, "MSR record: expected a 64-bit hex value or < FAILED >");
	}
	if (s->cpu < 0)
		s->cpu = 0;
	if (s->first < 0)
		s->first = s->cpu;
	if (s->cpu == s->first && cpu_raw_add_msr(r, (uint32_t)idx, val, state))
		return fail(s, "out of memory");
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
		return fail(s, "All CPUs record: APICID without a number");
	if (grow_array((void **)&s->all_apic, &s->capall, s->nall, sizeof(*s->all_apic)))
		return fail(s, "out of memory");
	s->all_apic[s->nall++] = (uint32_t)id;
	return 0;
}

static int one_line(struct aida_state *s, struct cpu_raw *r, char *l, size_t len)
{
	if (memchr(l, '\0', len))
		return fail(s, "binary data (NUL byte): not a text dump");
	while (len && (l[len - 1] == '\n' || l[len - 1] == '\r'))
		l[--len] = '\0';
	const char *p = l;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncmp(p, "------[", 7) == 0 || strncmp(p, "-----[", 6) == 0) {
		section(s, r, p);
		return 0;
	}
	if (strncasecmp(p, "CPUID", 5) == 0 && (p[5] == ' ' || p[5] == '\t'))
		return cpuid_line(s, r, p);
	if (strncasecmp(p, "MSR", 3) == 0 && (p[3] == ' ' || p[3] == '\t'))
		return msr_line(s, r, p);
	if (strncmp(p, "CPU ", 4) == 0 && strstr(p, "APICID"))
		return all_cpus_line(s, p);
	return 0;
}

static int check_size(FILE *f, struct aida_state *s)
{
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > AIDA_MAX_BYTES)
		return fail(s, "file larger than 64 MiB: not a CPUID dump");
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode))
		return fail(s, "is a directory");
	return 0;
}

static int finish(struct aida_state *s, struct cpu_raw *r)
{
	flush_apic(s, r);
	uint32_t v[4];
	/* Per-CPU CPUID sections of some dumps repeat one APIC ID when the
	 * collector could not pin itself to every CPU; its own table is better. */
	if (s->nall) {
		r->ncpus = 0;
		for (size_t i = 0; i < s->nall; i++)
			if (cpu_raw_add_cpu(r, s->all_apic[i]))
				return fail(s, "out of memory");
	}
	if (s->line == 0)
		return fail(s, "empty file");
	if (r->nleaves == 0)
		return fail(s, "no CPUID records found (not an AIDA64 CPUID dump?)");
	if (cpu_raw_get(r, 0, 0, v) || cpu_raw_get(r, 1, 0, v))
		return fail(s, "dump lacks CPUID leaf 0 or 1 of its first logical CPU");
	if (r->nmsrs == 0)
		snprintf(r->msr_note, sizeof(r->msr_note), "no MSR records in dump");
	return 0;
}

/* AIDA64 can also save "Unicode" text: UTF-16LE with a BOM. Such a file is
 * re-read as ASCII (other characters become '?'); a UTF-8 BOM is skipped.
 * Returns the stream to read (f itself, or a memory stream over *text). */
static FILE *text_view(FILE *f, char **text)
{
	unsigned char bom[3] = {0};
	size_t got = fread(bom, 1, 3, f);
	if (got >= 2 && bom[0] == 0xFF && bom[1] == 0xFE) {
		struct stat st;
		if (fstat(fileno(f), &st) || st.st_size < 2 || fseek(f, 2, SEEK_SET)) {
			fclose(f);
			return NULL;
		}
		size_t units = (size_t)(st.st_size - 2) / 2, k = 0;
		char *t = malloc(units + 1);
		unsigned char u[2];
		while (t && k < units && fread(u, 1, 2, f) == 2)
			t[k++] = u[1] == 0 && u[0] >= 0x09 && u[0] <= 0x7e ? (char)u[0] : '?';
		fclose(f);
		if (!t)
			return NULL;
		t[k] = '\0';
		*text = t;
		return fmemopen(t, k ? k : 1, "r");
	}
	if (!(got == 3 && bom[0] == 0xEF && bom[1] == 0xBB && bom[2] == 0xBF))
		rewind(f);
	return f;
}

int cpu_raw_read_aida64(const char *path, struct cpu_raw *r, char *err, size_t errlen)
{
	struct aida_state s = {
	    .path = path, .cpu = -1, .first = -1, .last_leaf = 0xffffffffu, .err = err, .errlen = errlen};
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char *line = NULL, *text = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = check_size(f, &s);
	snprintf(r->source, sizeof(r->source), "%s", path);
	if (rc == 0 && (f = text_view(f, &text)) == NULL)
		rc = fail(&s, "cannot read the file");
	while (rc == 0 && (n = getline(&line, &cap, f)) >= 0) {
		s.line++;
		if (n > AIDA_MAX_LINE)
			rc = fail(&s, "line longer than 4096 bytes: not a CPUID dump");
		else
			rc = one_line(&s, r, line, (size_t)n);
	}
	if (rc == 0)
		rc = finish(&s, r);
	free(line);
	free(s.all_apic);
	if (f)
		fclose(f);
	free(text);
	return rc;
}
