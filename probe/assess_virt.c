/* VT-x / AMD-V: present, enabled by firmware, visible to the kernel, and
 * which capabilities a hypervisor gets. Distinguishes "CPU lacks it" from
 * "firmware disabled it" from "kernel hides it" from "our hypervisor does
 * not pass it through", the four answers kvm-ok and virt-host-validate
 * users have to tell apart by hand. */
#include "probe/assess.h"

#include <stdio.h>
#include <string.h>

#define G "virt"

static void guest(const struct probe *p, struct findings *fs)
{
	const struct cpu_info *c = &p->cpu;
	if (!c->hypervisor) {
		add_finding(fs, G, "running under", ST_PASS, "bare metal",
			    "CPUID.1:ECX[31] (hypervisor present) clear");
		return;
	}
	char v[128];
	snprintf(v, sizeof(v), "%s", c->hv_name[0] ? c->hv_name : "unknown hypervisor");
	add_finding(fs, G, "running under", ST_WARN, v,
		    "CPUID.1:ECX[31] set, leaf 0x40000000 signature \"%s\": this is a VM, so what matters is whether "
		    "its host passes nested virtualization through",
		    c->hv_sig);
}

static void not_offered(const struct probe *p, struct findings *fs, const char *tech, const char *bit)
{
	if (p->vf.nested)
		add_finding(fs, G, "hardware virtualization", ST_FAIL, "not exposed",
			    "%s is not visible to this guest (%s clear): on the host enable nested virtualization "
			    "(kvm_intel nested=1 / kvm_amd nested=1) and give the VM the host CPU model "
			    "(-cpu host or libvirt host-passthrough)",
			    tech, bit);
	else
		add_finding(fs, G, "hardware virtualization", ST_FAIL, "absent",
			    "this CPU does not implement %s (%s clear)", tech, bit);
}

/* The CPU's extension, from the facts decoded once in virt_facts.c. */
static void hw_virt(const struct probe *p, struct findings *fs)
{
	const struct virt_facts *f = &p->vf;
	const struct virt_info *v = &p->virt;
	int intel = !strcmp(f->flag, "vmx");
	const char *tech = intel ? "VT-x" : "AMD-V";
	const char *bit = intel ? "CPUID.1:ECX[5] VMX" : "CPUID.80000001h:ECX[2] SVM";
	if (!f->tech) {
		add_finding(fs, G, "hardware virtualization", ST_FAIL, "unsupported vendor",
			    "vendor %s has no VT-x/AMD-V decoding here", p->cpu.vendor_str);
		return;
	}
	if (!f->present && p->cpu.feat_unknown[intel ? F_VMX : F_SVM])
		return add_finding(fs, G, "hardware virtualization", ST_WARN, "unknown",
				   "%s lacks '%s': the CPU lacks %s, or firmware or the kernel hid it (a CPUID dump "
				   "tells which)",
				   p->raw.format, f->flag, tech);
	if (!f->present)
		return not_offered(p, fs, tech, bit);
	if (f->fw_enabled == TRI_NO)
		return add_finding(fs, G, "hardware virtualization", ST_FAIL, "disabled in firmware",
				   "%s: enable %s in the BIOS/UEFI setup", v->fw_detail,
				   intel ? "Intel Virtualization Technology" : "SVM Mode");
	if (f->kernel_visible == TRI_NO)
		return add_finding(fs, G, "hardware virtualization", ST_FAIL, "hidden by the kernel",
				   "the CPU offers %s (%s set) but /proc/cpuinfo lacks '%s': the kernel cleared it, "
				   "usually because firmware disabled it (%s) or a boot option (clearcpuid, nosvm)",
				   tech, bit, f->flag, v->fw_detail);
	if (f->fw_enabled == TRI_UNKNOWN && f->kernel_visible == TRI_UNKNOWN)
		return add_finding(fs, G, "hardware virtualization", ST_WARN, "present, enablement unknown",
				   "%s set; %s", bit, v->fw_detail);
	add_finding(fs, G, "hardware virtualization", ST_PASS, tech, "%s set; %s%s", bit,
		    v->fw == FW_UNLOCKED ? "not locked by firmware, KVM enables it on load; " : "", v->fw_detail);
}

/* How much each capability matters to a production hypervisor. */
static enum status cap_status(const char *name, int state)
{
	static const char *const important[] = {"ept",	     "npt",	      "unrestricted_guest", "vpid",
						"nrip_save", "flush_by_asid", "vmcb_clean",	    NULL};
	if (state == TRI_YES)
		return ST_PASS;
	for (const char *const *i = important; *i; i++)
		if (strcmp(*i, name) == 0)
			return ST_WARN;
	return ST_INFO;
}

static void caps(const struct probe *p, struct findings *fs)
{
	const struct virt_info *v = &p->virt;
	if (!v->hw || !v->tech)
		return;
	if (!v->caps_known) {
		add_finding(fs, G, "capabilities", ST_WARN, "unknown", "%s", v->caps_note);
		return;
	}
	for (int i = 0; i < v->ncaps; i++) {
		const struct virt_cap *c = &v->caps[i];
		char name[48];
		snprintf(name, sizeof(name), "%s %s", v->tech, c->name);
		add_finding(fs, G, name, c->state == TRI_UNKNOWN ? ST_INFO : cap_status(c->name, c->state),
			    c->state == TRI_YES	 ? "yes"
			    : c->state == TRI_NO ? "no"
						 : "unknown",
			    "%s", c->what);
	}
	char val[128];
	if (virt_is_vmx(&p->virt, &p->cpu)) {
		snprintf(val, sizeof(val), "0x%x", v->vmcs_revision);
		add_finding(fs, G, "VMCS revision", ST_INFO, val, "IA32_VMX_BASIC[30:0]");
	} else {
		snprintf(val, sizeof(val), "%u", v->asids);
		add_finding(fs, G, "ASIDs", ST_INFO, val, "CPUID 0x8000000A:EBX, SVM revision %u", v->svm_revision);
		if (virt_cap(v, "sev") == TRI_YES) {
			snprintf(val, sizeof(val), "%u encrypted guests", v->sev_asids);
			add_finding(fs, G, "SEV guests", ST_INFO, val, "CPUID 0x8000001F: C-bit %u, min SEV ASID %u",
				    v->cbit, v->sev_min_asid);
		}
	}
}

static void kernel_vmx_flags(const struct probe *p, struct findings *fs)
{
	const char *vf = facts_str(&p->host, "cpuinfo.vmx_flags");
	if (vf)
		add_finding(fs, G, "kernel vmx flags", ST_INFO, vf,
			    "/proc/cpuinfo 'vmx flags': what the kernel can use");
}

static void tdx(const struct probe *p, struct findings *fs)
{
	if (p->cpu.vendor != CV_INTEL || !p->virt.hw)
		return;
	add_finding(fs, G, "TDX", ST_INFO, "unknown",
		    "a TDX host is enumerated through the SEAM module (SEAMCALL), not CPUID or the dumped MSRs");
}

void assess_virt(const struct probe *p, struct findings *fs)
{
	guest(p, fs);
	hw_virt(p, fs);
	caps(p, fs);
	kernel_vmx_flags(p, fs);
	tdx(p, fs);
}
