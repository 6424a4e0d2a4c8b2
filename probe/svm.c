/* AMD-V: SVM features from CPUID 0x8000000A:EDX, ASIDs from its EBX, memory
 * encryption from 0x8000001F, firmware state from VM_CR (MSR 0xC0010114:
 * bit 3 LOCK, bit 4 SVMDIS). Bits: AMD APM Vol. 3 Appendix E.4.9/E.4.17. */
#include "probe/cpuid_dump.h"
#include "probe/virt_internal.h"

#include <errno.h>
#include <stdio.h>

#define LEAF_SVM  0x8000000Au
#define LEAF_SEV  0x8000001Fu
#define MSR_VM_CR 0xC0010114u

struct svm_bit {
	const char *name, *what;
	uint32_t leaf;
	int reg, bit;
};

static const struct svm_bit svm_bits[] = {
    {"npt", "nested page tables", LEAF_SVM, REG_EDX, 0},
    {"lbr_virt", "LBR virtualization", LEAF_SVM, REG_EDX, 1},
    {"svm_lock", "SVM lock (VM_CR.LOCK)", LEAF_SVM, REG_EDX, 2},
    {"nrip_save", "next-RIP save", LEAF_SVM, REG_EDX, 3},
    {"tsc_rate_msr", "TSC ratio MSR (TSC scaling)", LEAF_SVM, REG_EDX, 4},
    {"vmcb_clean", "VMCB clean bits", LEAF_SVM, REG_EDX, 5},
    {"flush_by_asid", "flush by ASID", LEAF_SVM, REG_EDX, 6},
    {"decode_assists", "decode assists", LEAF_SVM, REG_EDX, 7},
    {"pause_filter", "PAUSE intercept filter", LEAF_SVM, REG_EDX, 10},
    {"pause_filter_threshold", "PAUSE filter threshold", LEAF_SVM, REG_EDX, 12},
    {"avic", "AVIC (APIC virtualization)", LEAF_SVM, REG_EDX, 13},
    {"v_vmsave_vmload", "virtual VMSAVE/VMLOAD (nested)", LEAF_SVM, REG_EDX, 15},
    {"vgif", "virtual GIF (nested)", LEAF_SVM, REG_EDX, 16},
    {"gmet", "guest mode execute trap", LEAF_SVM, REG_EDX, 17},
    {"x2avic", "x2AVIC", LEAF_SVM, REG_EDX, 18},
    {"vnmi", "virtual NMI", LEAF_SVM, REG_EDX, 25},
    {"sme", "secure memory encryption", LEAF_SEV, REG_EAX, 0},
    {"sev", "secure encrypted virtualization", LEAF_SEV, REG_EAX, 1},
    {"sev_es", "SEV encrypted state", LEAF_SEV, REG_EAX, 3},
    {"sev_snp", "SEV secure nested paging", LEAF_SEV, REG_EAX, 4},
};

static int leaf_in_range(const struct cpu_raw *r, uint32_t leaf)
{
	uint32_t v[4];
	return cpu_raw_get(r, 0x80000000u, 0, v) == 0 && v[0] >= leaf && cpu_raw_get(r, leaf, 0, v) == 0;
}

static void vm_cr(const struct cpu_raw *r, struct virt_info *v)
{
	uint64_t cr;
	int rc = cpu_raw_msr(r, MSR_VM_CR, &cr);
	if (rc) {
		v->fw = FW_UNKNOWN;
		msr_missing(r, rc, "VM_CR (MSR 0xC0010114)", v->fw_detail, sizeof(v->fw_detail));
		return;
	}
	int lock = (cr >> 3) & 1, dis = (cr >> 4) & 1;
	v->fw = dis ? FW_DISABLED : lock ? FW_ENABLED : FW_UNLOCKED;
	snprintf(v->fw_detail, sizeof(v->fw_detail), "VM_CR=0x%llx: lock=%d svmdis=%d", (unsigned long long)cr, lock,
		 dis);
}

void svm_decode(const struct cpu_raw *r, struct virt_info *v)
{
	uint32_t w[4];
	v->tech = "AMD-V";
	vm_cr(r, v);
	v->caps_known = leaf_in_range(r, LEAF_SVM);
	if (!v->caps_known)
		snprintf(v->caps_note, sizeof(v->caps_note), "CPUID 0x8000000A not available");
	int sev_known = leaf_in_range(r, LEAF_SEV);
	if (v->caps_known && cpu_raw_get(r, LEAF_SVM, 0, w) == 0) {
		v->svm_revision = w[REG_EAX] & 0xff;
		v->asids = w[REG_EBX];
	}
	if (sev_known && cpu_raw_get(r, LEAF_SEV, 0, w) == 0) {
		v->cbit = w[REG_EBX] & 0x3f;
		v->sev_asids = w[REG_ECX];
		v->sev_min_asid = w[REG_EDX];
	}
	for (size_t i = 0; i < sizeof(svm_bits) / sizeof(svm_bits[0]) && v->ncaps < VIRT_MAX_CAPS; i++) {
		const struct svm_bit *b = &svm_bits[i];
		int known = b->leaf == LEAF_SEV ? sev_known : v->caps_known;
		/* A missing 0x8000001F means no SME/SEV: the leaf's absence is the answer. */
		int st = known		       ? cpu_raw_bit(r, b->leaf, 0, b->reg, b->bit)
			 : b->leaf == LEAF_SEV ? TRI_NO
					       : TRI_UNKNOWN;
		if (!cpu_raw_bit_known(r, b->leaf, 0, b->reg, b->bit))
			st = TRI_UNKNOWN; /* e.g. /proc/cpuinfo: no SVM or SEV leaf at all */
		v->caps[v->ncaps++] = (struct virt_cap){b->name, b->what, st};
	}
}
