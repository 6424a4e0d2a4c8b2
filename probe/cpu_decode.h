/* Pure decoding of struct cpu_raw: identity, features, topology, x86-64
 * level, and whether we run under a hypervisor. No I/O here. */
#ifndef HVCERT_CPU_DECODE_H
#define HVCERT_CPU_DECODE_H
#include "probe/cpuid_raw.h"

enum cpu_vendor { CV_OTHER, CV_INTEL, CV_AMD, CV_HYGON };

/* Features a hypervisor host cares about; order is the report's order. */
enum cpu_feat {
	F_NX,
	F_LM,
	F_LAHF,
	F_CX16,
	F_POPCNT,
	F_SSE3,
	F_SSSE3,
	F_SSE41,
	F_SSE42,
	F_AVX,
	F_AVX2,
	F_AVX512F,
	F_AVX512BW,
	F_AVX512CD,
	F_AVX512DQ,
	F_AVX512VL,
	F_AES,
	F_PCLMUL,
	F_XSAVE,
	F_OSXSAVE,
	F_RDRAND,
	F_RDSEED,
	F_F16C,
	F_FMA,
	F_BMI1,
	F_BMI2,
	F_LZCNT,
	F_MOVBE,
	F_ADX,
	F_SMEP,
	F_SMAP,
	F_FSGSBASE,
	F_INVTSC,
	F_X2APIC,
	F_PCID,
	F_INVPCID,
	F_PDPE1GB,
	F_CMOV,
	F_CX8,
	F_FPU,
	F_FXSR,
	F_MMX,
	F_SSE,
	F_SSE2,
	F_SYSCALL,
	F_VMX,
	F_SVM,
	F_HYPERVISOR,
	F_RDTSCP,
	F_NUM
};

struct cpu_feat_desc {
	const char *name; /* /proc/cpuinfo spelling where one exists */
	uint32_t leaf, subleaf;
	int reg, bit;
	int libcpuid_flag; /* cpu_feature_t, or -1 when libcpuid 0.6 lacks it */
};
extern const struct cpu_feat_desc cpu_feat_table[F_NUM];

struct cpu_info {
	enum cpu_vendor vendor;
	char vendor_str[16];
	char brand[64];
	uint32_t signature;		  /* CPUID.1:EAX */
	unsigned family, model, stepping; /* display values */
	unsigned base_family, base_model, ext_family, ext_model;
	unsigned char feat[F_NUM];
	unsigned char feat_unknown[F_NUM];  /* the source cannot tell (feat is 0): e.g. /proc/cpuinfo lacks the flag */
	int x86_64_level;		    /* 0 when not even v1 */
	unsigned packages, cores, threads;  /* enumerated by the source; 0 unknown */
	unsigned pkg_threads, core_threads; /* per package / per core, per CPUID */
	char libcpuid_diff[256];
	char libcpuid_codename[64]; /* shown beside ours: often stale */ /* features libcpuid 0.6 decodes differently */
	int hypervisor;							 /* CPUID.1:ECX[31] */
	char hv_sig[16];						 /* 0x40000000 signature, "" if none */
	char hv_name[32];						 /* KVM, VMware, Hyper-V, Xen, ... */
};

/* Decodes r into out; uses libcpuid for flags. 0 or -1 (err names why). */
int cpu_decode(const struct cpu_raw *r, struct cpu_info *out, char *err, size_t errlen);
const char *cpu_vendor_name(enum cpu_vendor v);
int cpu_x86_64_level(const unsigned char feat[F_NUM]);
#endif
