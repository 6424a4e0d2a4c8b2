/* Reader for Linux's x86 /proc/cpuinfo. It says less than CPUID: the vendor,
 * family/model/stepping, brand, "cpuid level" and the feature flags the
 * kernel names. From those it synthesises leaves 0, 1, 7.0, 7.1 and
 * 0x80000000-4 and marks the raw as flags-derived (r->format), so that
 * cpu_raw_procinfo_bit_known() can tell the decoders which bits it really
 * knows: a bit whose flag the kernel never prints (OSXSAVE, invariant TSC,
 * the SVM and SEV leaves, everything in leaves not synthesised) is unknown,
 * never absent. It carries no MSRs (VMX capabilities, firmware state:
 * unknown), no hypervisor leaf, and no topology leaves (topology unknown).
 * VMX and SVM are known only when present: the kernel also clears them when
 * firmware disables VT-x, so a missing flag does not mean a missing feature.
 * Flag names: Linux arch/x86/include/asm/cpufeatures.h (names without ""). */
#include "probe/cpuid_dump.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define E1 0x80000001u
enum { SET_ONLY = 1 }; /* the kernel hides it when disabled: known only when set */

struct flag {
	const char *name;
	uint32_t leaf, sub;
	int reg, bit, how;
};

static const struct flag flags[] = {
    /* CPUID.1:EDX (Linux word 0) */
    {"fpu", 1, 0, REG_EDX, 0, 0},
    {"vme", 1, 0, REG_EDX, 1, 0},
    {"de", 1, 0, REG_EDX, 2, 0},
    {"pse", 1, 0, REG_EDX, 3, 0},
    {"tsc", 1, 0, REG_EDX, 4, 0},
    {"msr", 1, 0, REG_EDX, 5, 0},
    {"pae", 1, 0, REG_EDX, 6, 0},
    {"mce", 1, 0, REG_EDX, 7, 0},
    {"cx8", 1, 0, REG_EDX, 8, 0},
    {"apic", 1, 0, REG_EDX, 9, 0},
    {"sep", 1, 0, REG_EDX, 11, 0},
    {"mtrr", 1, 0, REG_EDX, 12, 0},
    {"pge", 1, 0, REG_EDX, 13, 0},
    {"mca", 1, 0, REG_EDX, 14, 0},
    {"cmov", 1, 0, REG_EDX, 15, 0},
    {"pat", 1, 0, REG_EDX, 16, 0},
    {"pse36", 1, 0, REG_EDX, 17, 0},
    {"pn", 1, 0, REG_EDX, 18, 0},
    {"clflush", 1, 0, REG_EDX, 19, 0},
    {"dts", 1, 0, REG_EDX, 21, 0},
    {"acpi", 1, 0, REG_EDX, 22, 0},
    {"mmx", 1, 0, REG_EDX, 23, 0},
    {"fxsr", 1, 0, REG_EDX, 24, 0},
    {"sse", 1, 0, REG_EDX, 25, 0},
    {"sse2", 1, 0, REG_EDX, 26, 0},
    {"ss", 1, 0, REG_EDX, 27, 0},
    {"ht", 1, 0, REG_EDX, 28, 0},
    {"tm", 1, 0, REG_EDX, 29, 0},
    {"ia64", 1, 0, REG_EDX, 30, 0},
    {"pbe", 1, 0, REG_EDX, 31, 0},
    /* CPUID.80000001:EDX (word 1: only bits not duplicated from word 0) */
    {"syscall", E1, 0, REG_EDX, 11, 0},
    {"mp", E1, 0, REG_EDX, 19, 0},
    {"nx", E1, 0, REG_EDX, 20, 0},
    {"mmxext", E1, 0, REG_EDX, 22, 0},
    {"fxsr_opt", E1, 0, REG_EDX, 25, 0},
    {"pdpe1gb", E1, 0, REG_EDX, 26, 0},
    {"rdtscp", E1, 0, REG_EDX, 27, 0},
    {"lm", E1, 0, REG_EDX, 29, 0},
    {"3dnowext", E1, 0, REG_EDX, 30, 0},
    {"3dnow", E1, 0, REG_EDX, 31, 0},
    /* CPUID.1:ECX (word 4; OSXSAVE, bit 27, is never printed) */
    {"pni", 1, 0, REG_ECX, 0, 0},
    {"pclmulqdq", 1, 0, REG_ECX, 1, 0},
    {"dtes64", 1, 0, REG_ECX, 2, 0},
    {"monitor", 1, 0, REG_ECX, 3, 0},
    {"ds_cpl", 1, 0, REG_ECX, 4, 0},
    {"vmx", 1, 0, REG_ECX, 5, SET_ONLY},
    {"smx", 1, 0, REG_ECX, 6, 0},
    {"est", 1, 0, REG_ECX, 7, 0},
    {"tm2", 1, 0, REG_ECX, 8, 0},
    {"ssse3", 1, 0, REG_ECX, 9, 0},
    {"cid", 1, 0, REG_ECX, 10, 0},
    {"sdbg", 1, 0, REG_ECX, 11, 0},
    {"fma", 1, 0, REG_ECX, 12, 0},
    {"cx16", 1, 0, REG_ECX, 13, 0},
    {"xtpr", 1, 0, REG_ECX, 14, 0},
    {"pdcm", 1, 0, REG_ECX, 15, 0},
    {"pcid", 1, 0, REG_ECX, 17, 0},
    {"dca", 1, 0, REG_ECX, 18, 0},
    {"sse4_1", 1, 0, REG_ECX, 19, 0},
    {"sse4_2", 1, 0, REG_ECX, 20, 0},
    {"x2apic", 1, 0, REG_ECX, 21, 0},
    {"movbe", 1, 0, REG_ECX, 22, 0},
    {"popcnt", 1, 0, REG_ECX, 23, 0},
    {"tsc_deadline_timer", 1, 0, REG_ECX, 24, 0},
    {"aes", 1, 0, REG_ECX, 25, 0},
    {"xsave", 1, 0, REG_ECX, 26, 0},
    {"avx", 1, 0, REG_ECX, 28, 0},
    {"f16c", 1, 0, REG_ECX, 29, 0},
    {"rdrand", 1, 0, REG_ECX, 30, 0},
    {"hypervisor", 1, 0, REG_ECX, 31, 0},
    /* CPUID.80000001:ECX (word 6) */
    {"lahf_lm", E1, 0, REG_ECX, 0, 0},
    {"cmp_legacy", E1, 0, REG_ECX, 1, 0},
    {"svm", E1, 0, REG_ECX, 2, SET_ONLY},
    {"extapic", E1, 0, REG_ECX, 3, 0},
    {"cr8_legacy", E1, 0, REG_ECX, 4, 0},
    {"abm", E1, 0, REG_ECX, 5, 0},
    {"sse4a", E1, 0, REG_ECX, 6, 0},
    {"misalignsse", E1, 0, REG_ECX, 7, 0},
    {"3dnowprefetch", E1, 0, REG_ECX, 8, 0},
    {"osvw", E1, 0, REG_ECX, 9, 0},
    {"ibs", E1, 0, REG_ECX, 10, 0},
    {"xop", E1, 0, REG_ECX, 11, 0},
    {"skinit", E1, 0, REG_ECX, 12, 0},
    {"wdt", E1, 0, REG_ECX, 13, 0},
    {"lwp", E1, 0, REG_ECX, 15, 0},
    {"fma4", E1, 0, REG_ECX, 16, 0},
    {"tce", E1, 0, REG_ECX, 17, 0},
    {"nodeid_msr", E1, 0, REG_ECX, 19, 0},
    {"tbm", E1, 0, REG_ECX, 21, 0},
    {"topoext", E1, 0, REG_ECX, 22, 0},
    {"perfctr_core", E1, 0, REG_ECX, 23, 0},
    {"perfctr_nb", E1, 0, REG_ECX, 24, 0},
    {"bpext", E1, 0, REG_ECX, 26, 0},
    {"ptsc", E1, 0, REG_ECX, 27, 0},
    {"perfctr_llc", E1, 0, REG_ECX, 28, 0},
    {"mwaitx", E1, 0, REG_ECX, 29, 0},
    /* CPUID.7.0:EBX (word 9) */
    {"fsgsbase", 7, 0, REG_EBX, 0, 0},
    {"tsc_adjust", 7, 0, REG_EBX, 1, 0},
    {"sgx", 7, 0, REG_EBX, 2, 0},
    {"bmi1", 7, 0, REG_EBX, 3, 0},
    {"hle", 7, 0, REG_EBX, 4, 0},
    {"avx2", 7, 0, REG_EBX, 5, 0},
    {"smep", 7, 0, REG_EBX, 7, 0},
    {"bmi2", 7, 0, REG_EBX, 8, 0},
    {"erms", 7, 0, REG_EBX, 9, 0},
    {"invpcid", 7, 0, REG_EBX, 10, 0},
    {"rtm", 7, 0, REG_EBX, 11, 0},
    {"cqm", 7, 0, REG_EBX, 12, 0},
    {"mpx", 7, 0, REG_EBX, 14, 0},
    {"rdt_a", 7, 0, REG_EBX, 15, 0},
    {"avx512f", 7, 0, REG_EBX, 16, 0},
    {"avx512dq", 7, 0, REG_EBX, 17, 0},
    {"rdseed", 7, 0, REG_EBX, 18, 0},
    {"adx", 7, 0, REG_EBX, 19, 0},
    {"smap", 7, 0, REG_EBX, 20, 0},
    {"avx512ifma", 7, 0, REG_EBX, 21, 0},
    {"clflushopt", 7, 0, REG_EBX, 23, 0},
    {"clwb", 7, 0, REG_EBX, 24, 0},
    {"intel_pt", 7, 0, REG_EBX, 25, 0},
    {"avx512pf", 7, 0, REG_EBX, 26, 0},
    {"avx512er", 7, 0, REG_EBX, 27, 0},
    {"avx512cd", 7, 0, REG_EBX, 28, 0},
    {"sha_ni", 7, 0, REG_EBX, 29, 0},
    {"avx512bw", 7, 0, REG_EBX, 30, 0},
    {"avx512vl", 7, 0, REG_EBX, 31, 0},
    /* CPUID.7.0:ECX (word 16) */
    {"avx512vbmi", 7, 0, REG_ECX, 1, 0},
    {"umip", 7, 0, REG_ECX, 2, 0},
    {"pku", 7, 0, REG_ECX, 3, 0},
    {"ospke", 7, 0, REG_ECX, 4, 0},
    {"waitpkg", 7, 0, REG_ECX, 5, 0},
    {"avx512_vbmi2", 7, 0, REG_ECX, 6, 0},
    {"gfni", 7, 0, REG_ECX, 8, 0},
    {"vaes", 7, 0, REG_ECX, 9, 0},
    {"vpclmulqdq", 7, 0, REG_ECX, 10, 0},
    {"avx512_vnni", 7, 0, REG_ECX, 11, 0},
    {"avx512_bitalg", 7, 0, REG_ECX, 12, 0},
    {"tme", 7, 0, REG_ECX, 13, 0},
    {"avx512_vpopcntdq", 7, 0, REG_ECX, 14, 0},
    {"la57", 7, 0, REG_ECX, 16, 0},
    {"rdpid", 7, 0, REG_ECX, 22, 0},
    {"bus_lock_detect", 7, 0, REG_ECX, 24, 0},
    {"cldemote", 7, 0, REG_ECX, 25, 0},
    {"movdiri", 7, 0, REG_ECX, 27, 0},
    {"movdir64b", 7, 0, REG_ECX, 28, 0},
    {"enqcmd", 7, 0, REG_ECX, 29, 0},
    {"sgx_lc", 7, 0, REG_ECX, 30, 0},
    /* CPUID.7.0:EDX (word 18) */
    {"avx512_4vnniw", 7, 0, REG_EDX, 2, 0},
    {"avx512_4fmaps", 7, 0, REG_EDX, 3, 0},
    {"fsrm", 7, 0, REG_EDX, 4, 0},
    {"avx512_vp2intersect", 7, 0, REG_EDX, 8, 0},
    {"md_clear", 7, 0, REG_EDX, 10, 0},
    {"serialize", 7, 0, REG_EDX, 14, 0},
    {"tsxldtrk", 7, 0, REG_EDX, 16, 0},
    {"pconfig", 7, 0, REG_EDX, 18, 0},
    {"arch_lbr", 7, 0, REG_EDX, 19, 0},
    {"ibt", 7, 0, REG_EDX, 20, 0},
    {"amx_bf16", 7, 0, REG_EDX, 22, 0},
    {"avx512_fp16", 7, 0, REG_EDX, 23, 0},
    {"amx_tile", 7, 0, REG_EDX, 24, 0},
    {"amx_int8", 7, 0, REG_EDX, 25, 0},
    {"flush_l1d", 7, 0, REG_EDX, 28, 0},
    {"arch_capabilities", 7, 0, REG_EDX, 29, 0},
    /* CPUID.7.1:EAX (word 12) */
    {"avx_vnni", 7, 1, REG_EAX, 4, 0},
    {"avx512_bf16", 7, 1, REG_EAX, 5, 0},
};
#define NFLAGS (sizeof(flags) / sizeof(flags[0]))

int cpu_raw_procinfo_bit_known(const struct cpu_raw *r, uint32_t leaf, uint32_t sub, int reg, int bit)
{
	if (leaf == 0 || (leaf >= 0x80000002u && leaf <= 0x80000004u))
		return 1; /* vendor, "cpuid level", brand */
	if (leaf == 1 && sub == 0 && (reg == REG_EAX || (reg == REG_EBX && bit >= 24)))
		return 1; /* family/model/stepping, initial APIC ID */
	for (size_t i = 0; i < NFLAGS; i++) {
		const struct flag *f = &flags[i];
		if (f->leaf == leaf && f->sub == sub && f->reg == reg && f->bit == bit)
			return f->how != SET_ONLY || cpu_raw_bit(r, leaf, sub, reg, bit);
	}
	return 0;
}

struct cpu0 {
	long line; /* of the block's first line */
	int processor;
	char vendor[13], brand[49];
	long family, model, stepping, level, apic, clflush;
	const char *flags;
	size_t flags_len;
	int has_pm, has_vendor;
};

static long num(const char *v, const char *end)
{
	char tmp[24];
	size_t n = (size_t)(end - v);
	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, v, n);
	tmp[n] = '\0';
	char *e;
	long x = strtol(tmp, &e, 10);
	return *e || x < 0 ? -1 : x;
}

static void text(char *dst, size_t cap, const char *v, const char *end)
{
	size_t n = (size_t)(end - v) < cap - 1 ? (size_t)(end - v) : cap - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

/* "key<tabs>: value" into block b; 0, or -1 for a line that is not one. */
static int field(struct cpu0 *b, const char *p, const char *end)
{
	const char *colon = memchr(p, ':', (size_t)(end - p));
	if (!colon)
		return -1;
	const char *k = colon;
	while (k > p && (k[-1] == '\t' || k[-1] == ' '))
		k--;
	size_t kl = (size_t)(k - p);
	const char *v = colon + 1 < end && colon[1] == ' ' ? colon + 2 : colon + 1;
#define IS(s) (kl == sizeof(s) - 1 && strncmp(p, s, kl) == 0)
	if (IS("processor"))
		b->processor = (int)num(v, end);
	else if (IS("vendor_id")) {
		text(b->vendor, sizeof(b->vendor), v, end);
		b->has_vendor = end - v == 12;
	} else if (IS("cpu family"))
		b->family = num(v, end);
	else if (IS("model"))
		b->model = num(v, end);
	else if (IS("stepping"))
		b->stepping = num(v, end);
	else if (IS("model name"))
		text(b->brand, sizeof(b->brand), v, end);
	else if (IS("cpuid level"))
		b->level = num(v, end);
	else if (IS("initial apicid") || (IS("apicid") && b->apic < 0))
		b->apic = num(v, end);
	else if (IS("clflush size"))
		b->clflush = num(v, end);
	else if (IS("flags")) {
		b->flags = v;
		b->flags_len = (size_t)(end - v);
	} else if (IS("power management"))
		b->has_pm = 1;
#undef IS
	return 0;
}

static int flag_set(const struct cpu0 *b, const char *name)
{
	size_t n = strlen(name);
	const char *p = b->flags, *end = b->flags + b->flags_len;
	while (p < end) {
		while (p < end && *p == ' ')
			p++;
		const char *s = p;
		while (p < end && *p != ' ')
			p++;
		if ((size_t)(p - s) == n && strncmp(s, name, n) == 0)
			return 1;
	}
	return 0;
}

static int synthesise(const struct cpu0 *b, struct cpu_raw *r)
{
	uint32_t l[8][4];
	memset(l, 0, sizeof(l));
	uint32_t vend[3];
	memcpy(vend, b->vendor, 12);
	/* leaf 0 and 0x80000000: EBX, EDX, ECX spell the vendor */
	l[0][REG_EAX] = (uint32_t)b->level;
	l[0][REG_EBX] = l[4][REG_EBX] = vend[0];
	l[0][REG_EDX] = l[4][REG_EDX] = vend[1];
	l[0][REG_ECX] = l[4][REG_ECX] = vend[2];
	l[4][REG_EAX] = b->brand[0] ? 0x80000004u : 0x80000001u;
	unsigned fam = (unsigned)b->family, model = (unsigned)b->model;
	l[1][REG_EAX] = (fam >= 0xf ? 0xfu << 8 | (fam - 0xf) << 20 : fam << 8) | (model & 0xf) << 4 |
			(model >> 4 & 0xf) << 16 | ((unsigned)(b->stepping > 0 ? b->stepping : 0) & 0xf);
	l[1][REG_EBX] =
	    (uint32_t)(b->apic > 0 ? b->apic : 0) << 24 | ((uint32_t)(b->clflush > 0 ? b->clflush : 0) / 8 & 0xff) << 8;
	for (size_t i = 0; i < NFLAGS; i++) {
		const struct flag *f = &flags[i];
		int slot = f->leaf == 1 ? 1 : f->leaf == E1 ? 5 : f->sub ? 3 : 2;
		if (flag_set(b, f->name))
			l[slot][f->reg] |= 1u << f->bit;
	}
	if (b->level >= 7)
		l[2][REG_EAX] = 0; /* max subleaf: unknown; 7.1 is kept for the flags from it */
	int rc = cpu_raw_add_leaf(r, 0, 0, l[0]) || cpu_raw_add_leaf(r, 1, 0, l[1]) ||
		 cpu_raw_add_leaf(r, 0x80000000u, 0, l[4]) || cpu_raw_add_leaf(r, E1, 0, l[5]);
	if (!rc && b->level >= 7)
		rc = cpu_raw_add_leaf(r, 7, 0, l[2]) || cpu_raw_add_leaf(r, 7, 1, l[3]);
	for (uint32_t k = 0; !rc && b->brand[0] && k < 3; k++) {
		uint32_t v[4] = {0};
		char s[49] = {0};
		snprintf(s, sizeof(s), "%s", b->brand);
		memcpy(v, s + 16 * k, 16);
		rc = cpu_raw_add_leaf(r, 0x80000002u + k, 0, v);
	}
	return rc;
}

static void block_init(struct cpu0 *b, long line)
{
	memset(b, 0, sizeof(*b));
	b->line = line;
	b->processor = -1;
	b->family = b->model = b->stepping = b->level = b->apic = b->clflush = -1;
}

/* A block the kernel printed whole has the vendor, the flags and its last line. */
static int check_block(const struct cpu0 *b, const char *path, char *err, size_t errlen)
{
	const char *why = !b->has_vendor ? "processor block without a 12-character vendor_id: not x86 /proc/cpuinfo"
			  : !b->flags	 ? "processor block without flags: truncated"
			  : !b->has_pm	 ? "processor block cut before \"power management\": truncated"
			  : b->family < 0 || b->model < 0 || b->level < 0
			      ? "processor block lacks cpu family, model or cpuid level"
			      : NULL;
	return why ? dump_fail(err, errlen, path, b->line, why) : 0;
}

int cpu_raw_parse_procinfo(const char *path, const char *buf, size_t len, struct cpu_raw *r, char *err, size_t errlen)
{
	struct dump_lines d = {.buf = buf, .len = len};
	struct cpu0 cur, first;
	const char *p;
	long n;
	int open = 0, blocks = 0;
	while (1) {
		n = dump_next_line(&d, &p);
		if (n > 0 && memchr(p, '\0', (size_t)n))
			return dump_fail(err, errlen, path, d.line, "binary data (NUL byte): not a text file");
		if (n > 0 && d.cut)
			return dump_fail(err, errlen, path, d.line, "the file ends inside this line: truncated");
		if (n <= 0 && open) {
			if (check_block(&cur, path, err, errlen))
				return -1;
			if (blocks++ == 0 || cur.processor == 0)
				first = cur;
			open = 0;
		}
		if (n < 0)
			break;
		if (n == 0)
			continue;
		if (!open)
			block_init(&cur, d.line);
		open = 1;
		if (field(&cur, p, p + n))
			return dump_fail(err, errlen, path, d.line, "not a /proc/cpuinfo line (\"key : value\")");
	}
	if (!blocks)
		return dump_fail(err, errlen, path, 0, "no processor blocks");
	if (synthesise(&first, r))
		return dump_fail(err, errlen, path, 0, "out of memory");
	snprintf(r->msr_note, sizeof(r->msr_note), "not in /proc/cpuinfo (it carries no MSRs)");
	/* r->format marks the raw as flags-derived for the decoders. */
	snprintf(r->format, sizeof(r->format), "%s", FMT_PROCINFO);
	return 0;
}
