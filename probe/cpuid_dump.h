/* CPU dumps of every common format, detected by content (cpuid_dump.c), one
 * reader per format. Each reader fills struct cpu_raw with logical CPU 0's
 * leaves and one APIC ID per CPU the dump describes, sets r->format, and
 * returns 0, or -1 with "FILE:LINE: why" in err. A record cut mid-line or a
 * CPU block cut short is an error: a truncated dump is not a smaller machine. */
#ifndef HVCERT_CPUID_DUMP_H
#define HVCERT_CPUID_DUMP_H
#include "probe/cpuid_raw.h"

#define FMT_AIDA64   "AIDA64"
#define FMT_INSTLAT  "InstLatx64"
#define FMT_CPUIDR   "cpuid -r"
#define FMT_LIBCPUID "libcpuid raw"
#define FMT_HWLOC    "hwloc-gather-cpuid"
#define FMT_PROCINFO "/proc/cpuinfo"

/* Reads PATH (a file, or a hwloc-gather-cpuid directory) in whichever
 * format its content is; r->source becomes "PATH (FORMAT)". */
int cpu_raw_read_dump(const char *path, struct cpu_raw *r, char *err, size_t errlen);
/* Which format BUF holds (one of FMT_*), or NULL. */
const char *cpu_dump_detect(const char *buf, size_t len);

/* The readers of a file already read whole (NUL-terminated, LEN bytes).
 * AIDA64's rewrites BUF in place (UTF-16 text becomes ASCII). */
int cpu_raw_parse_aida64(const char *path, char *buf, size_t len, struct cpu_raw *r, char *err, size_t errlen);
int cpu_raw_parse_instlat(const char *path, const char *buf, size_t len, struct cpu_raw *r, char *err, size_t errlen);
int cpu_raw_parse_cpuidr(const char *path, const char *buf, size_t len, struct cpu_raw *r, char *err, size_t errlen);
int cpu_raw_parse_libcpuid(const char *path, const char *buf, size_t len, struct cpu_raw *r, char *err, size_t errlen);
int cpu_raw_parse_procinfo(const char *path, const char *buf, size_t len, struct cpu_raw *r, char *err, size_t errlen);
/* One hwloc-gather-cpuid "puN" file: one CPU. */
int cpu_raw_parse_hwloc(const char *path, const char *buf, size_t len, struct cpu_raw *r, char *err, size_t errlen);
/* A hwloc-gather-cpuid directory: every puN file, pu of the lowest N first. */
int cpu_raw_read_hwloc_dir(const char *dir, struct cpu_raw *r, char *err, size_t errlen);

/* Whether the source could have seen bit BIT of REG of (LEAF, SUB): 1 for a
 * real CPUID dump; 0 where the format cannot carry it (a /proc/cpuinfo flag
 * the kernel never prints, a leaf libcpuid's raw format has no slot for, a
 * leaf hwloc did not query). Decoders say "unknown" for those, not "absent". */
int cpu_raw_bit_known(const struct cpu_raw *r, uint32_t leaf, uint32_t sub, int reg, int bit);
int cpu_raw_procinfo_bit_known(const struct cpu_raw *r, uint32_t leaf, uint32_t sub, int reg, int bit);

/* Lines of a buffer, for the readers: *line is the 1-based line number.
 * Returns the line's length (no '\n'), -1 at the end; *cut is set when the
 * last line has no '\n' (the file ends inside a record, if it is one). */
struct dump_lines {
	const char *buf;
	size_t len, pos;
	long line;
	int cut;
};
long dump_next_line(struct dump_lines *d, const char **start);
/* Up to MAX hex digits at *p (no prefix); 0 when none or more follow. */
int dump_hex(const char **p, const char *end, int max, uint32_t *out);
/* The APIC ID CPUID gives: leaf 0xB's x2APIC ID, else leaf 1 EBX[31:24]. */
uint32_t dump_apic_id(int has_b, uint32_t b_edx, uint32_t leaf1_ebx);

/* One logical CPU's block of records while it is read. A block is whole when
 * it has leaves 0 and 1, reaches the last basic and extended leaf its own
 * leaf 0 / 0x80000000 announce (DUMP_RANGE), has leaf 0x80000000 at all
 * (DUMP_NEED_EXT: every x86-64 CPU has it), and ends on the record the
 * first block ended on (collectors ask every CPU the same questions). */
struct dump_cpu {
	long line; /* of its header or first record; 0 when no block is open */
	unsigned n;
	int has0, has1, hasb, has_max, has_ext_max, range;
	uint32_t max_basic, max_ext, ebx1, edxb, last_leaf, last_sub;
};
struct dump_cpus {
	struct dump_cpu cur, first;
	unsigned blocks;
};
enum { DUMP_RANGE = 1, DUMP_NEED_EXT = 2 }; /* RANGE: the checks wanted */
void dump_cpu_open(struct dump_cpus *c, long line, int range);
/* Records (LEAF, SUB) of the open block; kept in R when it is the first. */
int dump_cpu_record(struct dump_cpus *c, struct cpu_raw *r, uint32_t leaf, uint32_t sub, const uint32_t v[4]);
/* Checks the open block is whole and counts its CPU (APIC ID) in R. */
int dump_cpu_close(struct dump_cpus *c, struct cpu_raw *r, const char *path, char *err, size_t errlen);
/* The end of a dump without MSRs: closes the open block, refuses a file
 * with no CPU block at all, and notes why R has no MSRs. */
int dump_cpus_end(struct dump_cpus *c, struct cpu_raw *r, const char *path, const char *msr_note, char *err,
		  size_t errlen);
/* "PATH:LINE: why" (or "PATH: why" when LINE is 0); returns -1. */
int dump_fail(char *err, size_t errlen, const char *path, long line, const char *why);
#endif
