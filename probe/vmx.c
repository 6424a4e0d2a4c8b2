/* VT-x: IA32_FEATURE_CONTROL and the VMX capability MSRs. A control is
 * available when its allowed-1 bit (high dword of the capability MSR) is set;
 * secondary and tertiary controls only count when the primary control that
 * activates them is allowed (SDM Vol. 3D A.3.2-A.3.4). */
#include "probe/virt_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define MSR_FEATURE_CONTROL 0x3A
#define MSR_VMX_BASIC	    0x480

enum gate { G_NONE, G_SECONDARY, G_TERTIARY, G_EPT, G_VPID, G_VMFUNC };

struct vmx_bit {
	const char *name, *what;
	uint32_t msr, true_msr; /* true_msr used when VMX_BASIC[55] is set */
	int bit;
	enum gate gate;
};

static const struct vmx_bit vmx_bits[] = {
    {"ept", "extended page tables", 0x48B, 0, 32 + 1, G_SECONDARY},
    {"ept_ad", "EPT accessed/dirty flags", 0x48C, 0, 21, G_EPT},
    {"ept_1g", "EPT 1 GiB pages", 0x48C, 0, 17, G_EPT},
    {"ept_2m", "EPT 2 MiB pages", 0x48C, 0, 16, G_EPT},
    {"ept_5level", "EPT 5-level page walk", 0x48C, 0, 7, G_EPT},
    {"ept_exec_only", "EPT execute-only pages", 0x48C, 0, 0, G_EPT},
    {"vpid", "virtual processor IDs", 0x48B, 0, 32 + 5, G_SECONDARY},
    {"invvpid", "INVVPID instruction", 0x48C, 0, 32, G_VPID},
    {"unrestricted_guest", "unrestricted guest (real mode)", 0x48B, 0, 32 + 7, G_SECONDARY},
    {"virtualize_apic_accesses", "APIC-access page", 0x48B, 0, 32 + 0, G_SECONDARY},
    {"tpr_shadow", "TPR shadow", 0x482, 0x48E, 32 + 21, G_NONE},
    {"apic_register_virt", "APIC-register virtualization", 0x48B, 0, 32 + 8, G_SECONDARY},
    {"virtual_interrupt_delivery", "virtual-interrupt delivery", 0x48B, 0, 32 + 9, G_SECONDARY},
    {"posted_interrupts", "posted-interrupt processing", 0x481, 0x48D, 32 + 7, G_NONE},
    {"ipi_virtualization", "IPI virtualization", 0x492, 0, 4, G_TERTIARY},
    {"virtual_nmis", "virtual NMIs", 0x481, 0x48D, 32 + 5, G_NONE},
    {"preemption_timer", "VMX-preemption timer", 0x481, 0x48D, 32 + 6, G_NONE},
    {"vmcs_shadowing", "VMCS shadowing (nested)", 0x48B, 0, 32 + 14, G_SECONDARY},
    {"pml", "page-modification logging", 0x48B, 0, 32 + 17, G_SECONDARY},
    {"tsc_scaling", "TSC scaling", 0x48B, 0, 32 + 25, G_SECONDARY},
    {"mode_based_exec", "mode-based execute control for EPT", 0x48B, 0, 32 + 22, G_SECONDARY},
    {"pause_loop_exiting", "PAUSE-loop exiting", 0x48B, 0, 32 + 10, G_SECONDARY},
    {"xsaves", "XSAVES/XRSTORS in guest", 0x48B, 0, 32 + 20, G_SECONDARY},
    {"ept_violation_ve", "EPT-violation #VE", 0x48B, 0, 32 + 18, G_SECONDARY},
    {"sub_page_write", "sub-page write permissions", 0x48B, 0, 32 + 23, G_SECONDARY},
    {"vmfunc", "VM functions", 0x48B, 0, 32 + 13, G_SECONDARY},
    {"eptp_switching", "EPTP switching (VMFUNC 0)", 0x491, 0, 0, G_VMFUNC},
    {"msr_bitmaps", "MSR bitmaps", 0x482, 0x48E, 32 + 28, G_NONE},
    {"monitor_trap_flag", "monitor trap flag", 0x482, 0x48E, 32 + 27, G_NONE},
};

static int msr_bit(const struct cpu_raw *r, uint32_t msr, int bit)
{
	uint64_t v;
	if (cpu_raw_msr(r, msr, &v))
		return TRI_UNKNOWN;
	return (v >> bit) & 1 ? TRI_YES : TRI_NO;
}

static int gate_open(const struct cpu_raw *r, enum gate g, uint32_t proc_msr)
{
	switch (g) {
	case G_SECONDARY: return msr_bit(r, proc_msr, 32 + 31);
	case G_TERTIARY: return msr_bit(r, proc_msr, 32 + 17);
	case G_EPT: return gate_open(r, G_SECONDARY, proc_msr) == TRI_YES ? msr_bit(r, 0x48B, 32 + 1) : TRI_NO;
	case G_VPID: return gate_open(r, G_SECONDARY, proc_msr) == TRI_YES ? msr_bit(r, 0x48B, 32 + 5) : TRI_NO;
	case G_VMFUNC: return gate_open(r, G_SECONDARY, proc_msr) == TRI_YES ? msr_bit(r, 0x48B, 32 + 13) : TRI_NO;
	default: return TRI_YES;
	}
}

static void feature_control(const struct cpu_raw *r, struct virt_info *v)
{
	uint64_t fc;
	int rc = cpu_raw_msr(r, MSR_FEATURE_CONTROL, &fc);
	if (rc) {
		v->fw = FW_UNKNOWN;
		msr_missing(r, rc, "IA32_FEATURE_CONTROL (MSR 0x3A)", v->fw_detail, sizeof(v->fw_detail));
		return;
	}
	int lock = fc & 1, outside_smx = (fc >> 2) & 1;
	v->fw = !lock ? FW_UNLOCKED : outside_smx ? FW_ENABLED : FW_DISABLED;
	snprintf(v->fw_detail, sizeof(v->fw_detail), "IA32_FEATURE_CONTROL=0x%llx: lock=%d vmx_outside_smx=%d",
		 (unsigned long long)fc, lock, outside_smx);
}

void vmx_decode(const struct cpu_raw *r, struct virt_info *v)
{
	uint64_t basic;
	v->tech = "VT-x";
	feature_control(r, v);
	int rc = cpu_raw_msr(r, MSR_VMX_BASIC, &basic);
	v->caps_known = rc == 0;
	if (rc) {
		msr_missing(r, rc, "IA32_VMX_BASIC (MSR 0x480)", v->caps_note, sizeof(v->caps_note));
	}
	int use_true = v->caps_known && ((basic >> 55) & 1);
	uint32_t proc = use_true ? 0x48E : 0x482;
	v->vmcs_revision = v->caps_known ? (unsigned)(basic & 0x7fffffff) : 0;
	for (size_t i = 0; i < sizeof(vmx_bits) / sizeof(vmx_bits[0]) && v->ncaps < VIRT_MAX_CAPS; i++) {
		const struct vmx_bit *b = &vmx_bits[i];
		uint32_t msr = use_true && b->true_msr ? b->true_msr : b->msr;
		int st = TRI_UNKNOWN;
		if (v->caps_known) {
			int g = gate_open(r, b->gate, proc);
			st = g == TRI_YES ? msr_bit(r, msr, b->bit) : g;
		}
		v->caps[v->ncaps++] = (struct virt_cap){b->name, b->what, st};
	}
}
