#include "probe/cpu_decode.h"
#include "common/child.h"
#include "probe/cpuid_dump.h"

#include <libcpuid/libcpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define E1 0x80000001u
/* name, leaf, subleaf, reg, bit, libcpuid flag. Bit positions: Intel SDM
 * Vol. 2A "CPUID", AMD APM Vol. 3 Appendix E. */
const struct cpu_feat_desc cpu_feat_table[F_NUM] = {
    [F_NX] = {"nx", E1, 0, REG_EDX, 20, -1},
    [F_LM] = {"lm", E1, 0, REG_EDX, 29, CPU_FEATURE_LM},
    [F_LAHF] = {"lahf_lm", E1, 0, REG_ECX, 0, CPU_FEATURE_LAHF_LM},
    [F_CX16] = {"cx16", 1, 0, REG_ECX, 13, CPU_FEATURE_CX16},
    [F_POPCNT] = {"popcnt", 1, 0, REG_ECX, 23, CPU_FEATURE_POPCNT},
    [F_SSE3] = {"pni", 1, 0, REG_ECX, 0, CPU_FEATURE_PNI},
    [F_SSSE3] = {"ssse3", 1, 0, REG_ECX, 9, CPU_FEATURE_SSSE3},
    [F_SSE41] = {"sse4_1", 1, 0, REG_ECX, 19, CPU_FEATURE_SSE4_1},
    [F_SSE42] = {"sse4_2", 1, 0, REG_ECX, 20, CPU_FEATURE_SSE4_2},
    [F_AVX] = {"avx", 1, 0, REG_ECX, 28, CPU_FEATURE_AVX},
    [F_AVX2] = {"avx2", 7, 0, REG_EBX, 5, CPU_FEATURE_AVX2},
    [F_AVX512F] = {"avx512f", 7, 0, REG_EBX, 16, CPU_FEATURE_AVX512F},
    [F_AVX512BW] = {"avx512bw", 7, 0, REG_EBX, 30, CPU_FEATURE_AVX512BW},
    [F_AVX512CD] = {"avx512cd", 7, 0, REG_EBX, 28, CPU_FEATURE_AVX512CD},
    [F_AVX512DQ] = {"avx512dq", 7, 0, REG_EBX, 17, CPU_FEATURE_AVX512DQ},
    [F_AVX512VL] = {"avx512vl", 7, 0, REG_EBX, 31, CPU_FEATURE_AVX512VL},
    [F_AES] = {"aes", 1, 0, REG_ECX, 25, CPU_FEATURE_AES},
    [F_PCLMUL] = {"pclmulqdq", 1, 0, REG_ECX, 1, CPU_FEATURE_PCLMUL},
    [F_XSAVE] = {"xsave", 1, 0, REG_ECX, 26, CPU_FEATURE_XSAVE},
    [F_OSXSAVE] = {"osxsave", 1, 0, REG_ECX, 27, CPU_FEATURE_OSXSAVE},
    [F_RDRAND] = {"rdrand", 1, 0, REG_ECX, 30, CPU_FEATURE_RDRAND},
    [F_RDSEED] = {"rdseed", 7, 0, REG_EBX, 18, CPU_FEATURE_RDSEED},
    [F_F16C] = {"f16c", 1, 0, REG_ECX, 29, CPU_FEATURE_F16C},
    [F_FMA] = {"fma", 1, 0, REG_ECX, 12, CPU_FEATURE_FMA3},
    [F_BMI1] = {"bmi1", 7, 0, REG_EBX, 3, CPU_FEATURE_BMI1},
    [F_BMI2] = {"bmi2", 7, 0, REG_EBX, 8, CPU_FEATURE_BMI2},
    [F_LZCNT] = {"abm", E1, 0, REG_ECX, 5, CPU_FEATURE_ABM},
    [F_MOVBE] = {"movbe", 1, 0, REG_ECX, 22, CPU_FEATURE_MOVBE},
    [F_ADX] = {"adx", 7, 0, REG_EBX, 19, CPU_FEATURE_ADX},
    [F_SMEP] = {"smep", 7, 0, REG_EBX, 7, -1},
    [F_SMAP] = {"smap", 7, 0, REG_EBX, 20, -1},
    [F_FSGSBASE] = {"fsgsbase", 7, 0, REG_EBX, 0, -1},
    [F_INVTSC] = {"invariant_tsc", 0x80000007u, 0, REG_EDX, 8, CPU_FEATURE_CONSTANT_TSC},
    [F_X2APIC] = {"x2apic", 1, 0, REG_ECX, 21, CPU_FEATURE_X2APIC},
    [F_PCID] = {"pcid", 1, 0, REG_ECX, 17, -1},
    [F_INVPCID] = {"invpcid", 7, 0, REG_EBX, 10, -1},
    [F_PDPE1GB] = {"pdpe1gb", E1, 0, REG_EDX, 26, -1},
    [F_CMOV] = {"cmov", 1, 0, REG_EDX, 15, CPU_FEATURE_CMOV},
    [F_CX8] = {"cx8", 1, 0, REG_EDX, 8, CPU_FEATURE_CX8},
    [F_FPU] = {"fpu", 1, 0, REG_EDX, 0, CPU_FEATURE_FPU},
    [F_FXSR] = {"fxsr", 1, 0, REG_EDX, 24, CPU_FEATURE_FXSR},
    [F_MMX] = {"mmx", 1, 0, REG_EDX, 23, CPU_FEATURE_MMX},
    [F_SSE] = {"sse", 1, 0, REG_EDX, 25, CPU_FEATURE_SSE},
    [F_SSE2] = {"sse2", 1, 0, REG_EDX, 26, CPU_FEATURE_SSE2},
    [F_SYSCALL] = {"syscall", E1, 0, REG_EDX, 11, CPU_FEATURE_SYSCALL},
    [F_VMX] = {"vmx", 1, 0, REG_ECX, 5, CPU_FEATURE_VMX},
    [F_SVM] = {"svm", E1, 0, REG_ECX, 2, CPU_FEATURE_SVM},
    [F_HYPERVISOR] = {"hypervisor", 1, 0, REG_ECX, 31, CPU_FEATURE_HYPERVISOR},
    [F_RDTSCP] = {"rdtscp", E1, 0, REG_EDX, 27, CPU_FEATURE_RDTSCP},
};

const char *cpu_vendor_name(enum cpu_vendor v)
{
	switch (v) {
	case CV_INTEL: return "Intel";
	case CV_AMD: return "AMD";
	case CV_HYGON: return "Hygon";
	case CV_OTHER: return "other";
	default: return "other";
	}
}

/* A leaf above the range CPUID reports (leaf 0 / 0x80000000 EAX) is not
 * valid even if a dump happens to carry numbers for it. */
static int leaf_valid(const struct cpu_raw *r, uint32_t leaf)
{
	uint32_t v[4];
	uint32_t base = leaf & 0xffff0000u;
	if (base != 0 && base != 0x80000000u && base != 0x40000000u)
		return 0;
	if (cpu_raw_get(r, base, 0, v))
		return 0;
	if (base == 0x80000000u && (v[0] & 0xffff0000u) != 0x80000000u)
		return 0;
	return leaf <= v[0];
}

static int raw_bit(const struct cpu_raw *r, const struct cpu_feat_desc *d)
{
	return leaf_valid(r, d->leaf) && cpu_raw_bit(r, d->leaf, d->subleaf, d->reg, d->bit);
}

static void to_libcpuid(const struct cpu_raw *r, struct cpu_raw_data_t *raw)
{
	memset(raw, 0, sizeof(*raw));
	for (uint32_t i = 0; i < MAX_CPUID_LEVEL; i++) {
		cpu_raw_get(r, i, 0, raw->basic_cpuid[i]);
		cpu_raw_get(r, 0x80000000u + i, 0, raw->ext_cpuid[i]);
	}
	for (uint32_t i = 0; i < MAX_INTELFN4_LEVEL; i++)
		cpu_raw_get(r, 4, i, raw->intel_fn4[i]);
	for (uint32_t i = 0; i < MAX_INTELFN11_LEVEL; i++)
		cpu_raw_get(r, 0xB, i, raw->intel_fn11[i]);
	for (uint32_t i = 0; i < MAX_INTELFN12H_LEVEL; i++)
		cpu_raw_get(r, 0x12, i, raw->intel_fn12h[i]);
	for (uint32_t i = 0; i < MAX_INTELFN14H_LEVEL; i++)
		cpu_raw_get(r, 0x14, i, raw->intel_fn14h[i]);
	for (uint32_t i = 0; i < MAX_AMDFN8000001DH_LEVEL; i++)
		cpu_raw_get(r, 0x8000001Du, i, raw->amd_fn8000001dh[i]);
}

static void decode_signature(struct cpu_info *c)
{
	uint32_t s = c->signature;
	c->stepping = s & 0xf;
	c->base_model = (s >> 4) & 0xf;
	c->base_family = (s >> 8) & 0xf;
	c->ext_model = (s >> 16) & 0xf;
	c->ext_family = (s >> 20) & 0xff;
	c->family = c->base_family + (c->base_family == 0xf ? c->ext_family : 0);
	int use_ext_model = c->base_family == 0xf || (c->base_family == 6 && c->vendor == CV_INTEL);
	c->model = c->base_model | (use_ext_model ? c->ext_model << 4 : 0);
}

int cpu_x86_64_level(const unsigned char f[F_NUM])
{
	static const enum cpu_feat v1[] = {F_CMOV, F_CX8, F_FPU, F_FXSR, F_MMX, F_SSE, F_SSE2, F_SYSCALL, F_LM};
	static const enum cpu_feat v2[] = {F_CX16, F_LAHF, F_POPCNT, F_SSE3, F_SSE41, F_SSE42, F_SSSE3};
	static const enum cpu_feat v3[] = {F_AVX, F_AVX2, F_BMI1, F_BMI2, F_F16C, F_FMA, F_LZCNT, F_MOVBE, F_XSAVE};
	static const enum cpu_feat v4[] = {F_AVX512F, F_AVX512BW, F_AVX512CD, F_AVX512DQ, F_AVX512VL};
	const struct {
		const enum cpu_feat *f;
		size_t n;
	} lv[] = {{v1, 9}, {v2, 7}, {v3, 9}, {v4, 5}};
	int level = 0;
	for (int i = 0; i < 4; i++) {
		for (size_t j = 0; j < lv[i].n; j++)
			if (!f[lv[i].f[j]])
				return level;
		level = i + 1;
	}
	return level;
}

static void sig12(const uint32_t a, const uint32_t b, const uint32_t c, char out[13])
{
	memcpy(out, &a, 4);
	memcpy(out + 4, &b, 4);
	memcpy(out + 8, &c, 4);
	out[12] = '\0';
	for (int i = 0; i < 12; i++)
		if (out[i] && (out[i] < 0x20 || out[i] > 0x7e))
			out[i] = '?';
}

static const char *hv_name_of(const char *sig)
{
	static const struct {
		const char *sig, *name;
	} known[] = {
	    {"KVMKVMKVM", "KVM"},	    {"VMwareVMware", "VMware"},
	    {"Microsoft Hv", "Hyper-V"},    {"XenVMMXenVMM", "Xen"},
	    {"bhyve bhyve ", "bhyve"},	    {"TCGTCGTCGTCG", "QEMU TCG"},
	    {"VBoxVBoxVBox", "VirtualBox"}, {" lrpepyh  vr", "Parallels"},
	    {"ACRNACRNACRN", "ACRN"},	    {"Jailhouse", "Jailhouse"},
	    {"QNXQVMBSQG", "QNX"},	    {"Linux KVM Hv", "KVM (Hyper-V enlightened)"},
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(sig, known[i].sig) == 0)
			return known[i].name;
	return "unknown hypervisor";
}

static void decode_hypervisor(const struct cpu_raw *r, struct cpu_info *c)
{
	uint32_t v[4];
	c->hypervisor = c->feat[F_HYPERVISOR];
	if (!c->hypervisor || cpu_raw_get(r, 0x40000000u, 0, v))
		return;
	sig12(v[REG_EBX], v[REG_ECX], v[REG_EDX], c->hv_sig);
	snprintf(c->hv_name, sizeof(c->hv_name), "%s", hv_name_of(c->hv_sig));
	/* KVM with Hyper-V enlightenments answers "Microsoft Hv" first. */
	if (cpu_raw_get(r, 0x40000100u, 0, v) == 0) {
		char s2[13];
		sig12(v[REG_EBX], v[REG_ECX], v[REG_EDX], s2);
		if (strcmp(s2, "KVMKVMKVM") == 0)
			snprintf(c->hv_name, sizeof(c->hv_name), "KVM (Hyper-V enlightened)");
	}
}

static unsigned ceil_log2(unsigned n)
{
	unsigned s = 0;
	while ((1u << s) < n && s < 31)
		s++;
	return s;
}

/* Bits of the APIC ID below the package and the core levels. */
static int topo_shifts(const struct cpu_raw *r, struct cpu_info *c, unsigned *pkg, unsigned *smt)
{
	uint32_t v[4];
	uint32_t leaf = leaf_valid(r, 0x1F) && cpu_raw_get(r, 0x1F, 0, v) == 0 && v[1] ? 0x1F : 0xB;
	if (leaf_valid(r, leaf) && cpu_raw_get(r, leaf, 0, v) == 0 && ((v[REG_ECX] >> 8) & 0xff) == 1) {
		*smt = v[REG_EAX] & 0x1f;
		*pkg = *smt;
		c->core_threads = v[REG_EBX] & 0xffff;
		c->pkg_threads = c->core_threads;
		for (uint32_t s = 1; s < 8 && cpu_raw_get(r, leaf, s, v) == 0 && ((v[REG_ECX] >> 8) & 0xff); s++) {
			*pkg = v[REG_EAX] & 0x1f;
			c->pkg_threads = v[REG_EBX] & 0xffff;
		}
		return 0;
	}
	if (c->vendor == CV_AMD || c->vendor == CV_HYGON) {
		if (!leaf_valid(r, 0x80000008u) || cpu_raw_get(r, 0x80000008u, 0, v))
			return -1;
		unsigned sz = (v[REG_ECX] >> 12) & 0xf;
		c->pkg_threads = (v[REG_ECX] & 0xff) + 1;
		*pkg = sz ? sz : ceil_log2(c->pkg_threads);
		*smt = 0;
		c->core_threads = 1;
		if (c->family >= 0x17 && leaf_valid(r, 0x8000001Eu) && cpu_raw_get(r, 0x8000001Eu, 0, v) == 0) {
			c->core_threads = ((v[REG_EBX] >> 8) & 0xff) + 1;
			*smt = ceil_log2(c->core_threads);
		}
		return 0;
	}
	if (cpu_raw_get(r, 1, 0, v))
		return -1;
	unsigned logical = (v[REG_EDX] >> 28) & 1 ? (v[REG_EBX] >> 16) & 0xff : 1;
	unsigned cores = 1;
	if (leaf_valid(r, 4) && cpu_raw_get(r, 4, 0, v) == 0)
		cores = (v[REG_EAX] >> 26) + 1;
	*pkg = ceil_log2(logical ? logical : 1);
	*smt = ceil_log2(logical > cores ? logical / cores : 1);
	c->pkg_threads = logical;
	c->core_threads = logical > cores ? logical / cores : 1;
	return 0;
}

static unsigned count_distinct(const uint32_t *ids, size_t n, unsigned shift)
{
	unsigned count = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t k = shift >= 32 ? 0 : ids[i] >> shift;
		size_t j = 0;
		while (j < i && (shift >= 32 ? 0 : ids[j] >> shift) != k)
			j++;
		count += j == i;
	}
	return count;
}

static void decode_topology(const struct cpu_raw *r, struct cpu_info *c)
{
	unsigned pkg, smt;
	if (r->ncpus == 0 || topo_shifts(r, c, &pkg, &smt))
		return;
	c->threads = (unsigned)r->ncpus;
	c->packages = count_distinct(r->apic_ids, r->ncpus, pkg);
	c->cores = count_distinct(r->apic_ids, r->ncpus, smt);
}

static void copy_trimmed(char *dst, size_t n, const char *src)
{
	while (*src == ' ')
		src++;
	snprintf(dst, n, "%s", src);
	size_t l = strlen(dst);
	while (l && dst[l - 1] == ' ')
		dst[--l] = '\0';
}

/* libcpuid 0.6.2 misses some bits (e.g. AVX-512 and x2APIC on Zen 4/5,
 * SYSCALL on Intel): the raw bit decides, the disagreement is reported. */
static void note_disagreement(struct cpu_info *c, const char *name)
{
	size_t l = strlen(c->libcpuid_diff);
	snprintf(c->libcpuid_diff + l, sizeof(c->libcpuid_diff) - l, "%s%s", l ? " " : "", name);
}

/* What libcpuid says, for the codename and the flag cross-check. */
struct libcpuid_view {
	int ok;
	char codename[64];
	unsigned char flags[F_NUM];
};

/* libcpuid 0.6.2's cpu_identify() overflows a stack buffer when leaf 4 lists
 * more cache descriptors than it expects (found by fuzz_aida64 on a garbled
 * dump), so it runs in a child process: a crash there costs the cross-check,
 * not the probe. */
static int libcpuid_child(void *ctx, void *out)
{
	const struct cpu_raw *r = ctx;
	struct cpu_raw_data_t raw;
	struct cpu_id_t id;
	struct libcpuid_view *v = out;
	memset(v, 0, sizeof(*v));
	to_libcpuid(r, &raw);
	if (cpu_identify(&raw, &id) >= 0) {
		v->ok = 1;
		snprintf(v->codename, sizeof(v->codename), "%s", id.cpu_codename);
		for (int i = 0; i < F_NUM; i++)
			v->flags[i] = cpu_feat_table[i].libcpuid_flag >= 0 && id.flags[cpu_feat_table[i].libcpuid_flag];
	}
	return 0;
}

static void libcpuid_view(const struct cpu_raw *r, struct libcpuid_view *v)
{
	char why[128];
	if (child_call(libcpuid_child, (void *)r, v, sizeof(*v), 10, why, sizeof(why)))
		memset(v, 0, sizeof(*v)); /* v->ok = 0: "libcpuid failed on this input" */
}

/* Vendor (leaf 0 EBX,EDX,ECX) and brand (0x80000002-4), from the registers. */
static void identity(const struct cpu_raw *r, struct cpu_info *c)
{
	uint32_t v[4];
	char brand[49] = "";
	cpu_raw_get(r, 0, 0, v);
	memcpy(c->vendor_str, &v[REG_EBX], 4);
	memcpy(c->vendor_str + 4, &v[REG_EDX], 4);
	memcpy(c->vendor_str + 8, &v[REG_ECX], 4);
	c->vendor_str[12] = '\0';
	for (uint32_t l = 0; l < 3 && leaf_valid(r, 0x80000002u + l); l++) {
		cpu_raw_get(r, 0x80000002u + l, 0, v);
		memcpy(brand + 16 * l, v, 16);
	}
	brand[48] = '\0';
	for (char *p = brand; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
	copy_trimmed(c->brand, sizeof(c->brand), brand);
	for (char *p = c->vendor_str; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
}

int cpu_decode(const struct cpu_raw *r, struct cpu_info *c, char *err, size_t errlen)
{
	uint32_t v[4];
	struct libcpuid_view lc;
	memset(c, 0, sizeof(*c));
	if (cpu_raw_get(r, 0, 0, v) || cpu_raw_get(r, 1, 0, v)) {
		snprintf(err, errlen, "%s: CPUID leaves 0 and 1 are required", r->source);
		return -1;
	}
	identity(r, c);
	/* The fuzzers skip it: a fork per input would cut their throughput 50-fold. */
	if (getenv("HVCERT_SKIP_LIBCPUID"))
		memset(&lc, 0, sizeof(lc));
	else
		libcpuid_view(r, &lc);
	snprintf(c->libcpuid_codename, sizeof(c->libcpuid_codename), "%s",
		 lc.ok ? lc.codename : "(libcpuid failed on this input)");
	c->vendor = strcmp(c->vendor_str, "GenuineIntel") == 0	 ? CV_INTEL
		    : strcmp(c->vendor_str, "AuthenticAMD") == 0 ? CV_AMD
		    : strcmp(c->vendor_str, "HygonGenuine") == 0 ? CV_HYGON
								 : CV_OTHER;
	cpu_raw_get(r, 1, 0, v);
	c->signature = v[REG_EAX];
	decode_signature(c);
	for (int i = 0; i < F_NUM; i++) {
		const struct cpu_feat_desc *d = &cpu_feat_table[i];
		c->feat[i] = raw_bit(r, d);
		c->feat_unknown[i] = !cpu_raw_bit_known(r, d->leaf, d->subleaf, d->reg, d->bit);
		if (lc.ok && d->libcpuid_flag >= 0 && !c->feat_unknown[i] && !lc.flags[i] != !c->feat[i])
			note_disagreement(c, d->name);
	}
	/* Intel sets CPUID.80000001H:EDX.SYSCALL only when CPUID runs in 64-bit
	 * mode (SDM Vol. 2A); dump collectors often run it in compatibility
	 * mode. Intel 64 guarantees SYSCALL in 64-bit mode, so LM implies it. */
	if (c->vendor == CV_INTEL && c->feat[F_LM])
		c->feat[F_SYSCALL] = 1, c->feat_unknown[F_SYSCALL] = 0;
	c->x86_64_level = cpu_x86_64_level(c->feat);
	decode_hypervisor(r, c);
	decode_topology(r, c);
	return 0;
}
