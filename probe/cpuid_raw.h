/* Raw CPUID and MSR values of one machine, as read live or from a dump.
 * Nothing here is interpreted: decoding lives in cpu_decode.c, vmx.c, svm.c. */
#ifndef HVCERT_CPUID_RAW_H
#define HVCERT_CPUID_RAW_H
#include <stddef.h>
#include <stdint.h>

enum { REG_EAX, REG_EBX, REG_ECX, REG_EDX };

struct cpuid_entry {
	uint32_t leaf, subleaf;
	uint32_t r[4];
};

enum msr_state { MSR_OK = 0, MSR_FAILED = 1 };

struct msr_entry {
	uint32_t index;
	uint64_t value;
	int state; /* enum msr_state */
};

struct cpu_raw {
	struct cpuid_entry *leaves; /* logical CPU #0 */
	size_t nleaves, capleaves;
	struct msr_entry *msrs; /* logical CPU #0 */
	size_t nmsrs, capmsrs;
	uint32_t *apic_ids; /* one per logical CPU seen */
	size_t ncpus, capcpus;
	char source[256];   /* "live" or the dump's path */
	char msr_note[200]; /* why MSRs are missing, if they are */
	char format[32];    /* the dump's format (cpuid_dump.h FMT_*); "" when live */
};

void cpu_raw_init(struct cpu_raw *r);
void cpu_raw_free(struct cpu_raw *r);
/* Returns 0 and keeps the first value when a (leaf, subleaf) repeats. */
int cpu_raw_add_leaf(struct cpu_raw *r, uint32_t leaf, uint32_t sub, const uint32_t v[4]);
int cpu_raw_add_msr(struct cpu_raw *r, uint32_t index, uint64_t value, int state);
int cpu_raw_add_cpu(struct cpu_raw *r, uint32_t apic_id);
/* 0 when present; -1 when the leaf was not captured. */
int cpu_raw_get(const struct cpu_raw *r, uint32_t leaf, uint32_t sub, uint32_t out[4]);
/* 0 when read, -ENOENT when not captured, -EIO when the read failed. */
int cpu_raw_msr(const struct cpu_raw *r, uint32_t index, uint64_t *out);
/* Bit `bit` of register `reg` of (leaf, sub); 0 if the leaf is absent. */
int cpu_raw_bit(const struct cpu_raw *r, uint32_t leaf, uint32_t sub, int reg, int bit);

/* Readers. Both return 0 or -1 with a message "file:line: why" in err. */
int cpu_raw_read_aida64(const char *path, struct cpu_raw *r, char *err, size_t errlen);
int cpu_raw_read_live(const char *sysroot, struct cpu_raw *r, char *err, size_t errlen);
#endif
