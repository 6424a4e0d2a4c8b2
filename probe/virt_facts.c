/* Decodes struct virt_facts (virt_facts.h): one place that decides what
 * the virtualization situation of a host is. Pure. */
#include "probe/virt_facts.h"
#include "common/words.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The signature MSR of the kvm_pvm build on our machines, and the first
 * MSR of the published spec's range (MSR_PVM_LINEAR_ADDRESS_RANGE). */
#define PVM_SIG_MSR  "0x4b564d11=0x4d5650"
#define PVM_SPEC_MSR "0x4b564df"

const char *kvm_impl_name(enum kvm_impl k)
{
	static const char *const n[] = {"unknown", "none", "kvm_intel", "kvm_amd", "kvm_pvm", "other"};
	return k <= KVM_IMPL_OTHER ? n[k] : "?";
}

static void cpu_side(const struct cpu_info *c, const struct virt_info *v, const struct factset *host,
		     struct virt_facts *f)
{
	f->present = v->hw;
	f->tech = v->tech;
	f->flag = virt_is_vmx(v, c) ? "vmx" : "svm";
	f->fw_enabled = v->fw == FW_DISABLED ? TRI_NO : v->fw == FW_UNKNOWN ? TRI_UNKNOWN : TRI_YES;
	const char *flags = facts_str(host, "cpuinfo.flags");
	f->kernel_visible = !flags ? TRI_UNKNOWN : word_in_list(flags, f->flag) ? TRI_YES : TRI_NO;
	f->nested = c->hypervisor;
	f->hypervisor = c->hypervisor ? (c->hv_name[0] ? c->hv_name : "an unknown hypervisor") : "";
}

static void node_side(const struct factset *host, struct virt_facts *f)
{
	const char *dev = facts_str(host, "dev.kvm");
	f->node = !dev ? TRI_UNKNOWN : strncmp(dev, "present", 7) == 0 ? TRI_YES : TRI_NO;
	f->node_access = dev && strstr(dev, "access=rw") != NULL;
	const char *api = facts_str(host, "kvm.api_version");
	f->api = api ? atoi(api) : -1;
}

static void evidence(struct virt_facts *f, const char *fmt, const char *arg)
{
	size_t l = strlen(f->kvm_evidence);
	if (l)
		snprintf(f->kvm_evidence + l, sizeof(f->kvm_evidence) - l, "; ");
	l = strlen(f->kvm_evidence);
	snprintf(f->kvm_evidence + l, sizeof(f->kvm_evidence) - l, fmt, arg);
}

static int has_module(const char *mods, const char *m)
{
	return mods && word_in_list(mods, m);
}

/* The module in /sys/module says what is loaded; the ioctls say what
 * answers on /dev/kvm. A PVM MSR answered by a vCPU beats a module name. */
static void implementation(const struct factset *host, struct virt_facts *f)
{
	const char *mods = facts_str(host, "kvm.module.vendor");
	const char *msrs = facts_str(host, "kvm.vcpu.pvm_msrs");
	int pvm_ioctl = msrs && (strstr(msrs, PVM_SIG_MSR) || strstr(msrs, PVM_SPEC_MSR));
	if (mods && strcmp(mods, "none"))
		evidence(f, "/sys/module/%s present", mods);
	if (msrs)
		evidence(f, "PVM MSRs a vCPU answers (KVM_GET_MSRS): %s", msrs[0] ? msrs : "none");
	const char *sig = facts_str(host, "kvm.cpuid.signature");
	if (sig)
		evidence(f, "KVM_GET_SUPPORTED_CPUID signature \"%s\"", sig);
	const char *gv = facts_str(host, "kvm.cpuid.guest_virt");
	if (gv)
		evidence(f, "VMX/SVM offered to guests: %s", gv);
	if (pvm_ioctl || has_module(mods, "kvm_pvm"))
		f->kvm = KVM_IMPL_PVM;
	else if (has_module(mods, "kvm_intel"))
		f->kvm = KVM_IMPL_INTEL;
	else if (has_module(mods, "kvm_amd"))
		f->kvm = KVM_IMPL_AMD;
	else if (mods && strcmp(mods, "none"))
		f->kvm = KVM_IMPL_OTHER;
	else if (f->node == TRI_YES && f->api >= 0)
		/* No module directory (built in without parameters, or a container's
		 * sysfs): the CPU extension the kernel shows is what KVM uses. */
		f->kvm = f->kernel_visible == TRI_YES ? (strcmp(f->flag, "vmx") ? KVM_IMPL_AMD : KVM_IMPL_INTEL)
						      : KVM_IMPL_OTHER;
	else
		f->kvm = f->node == TRI_UNKNOWN ? KVM_IMPL_UNKNOWN : KVM_IMPL_NONE;
	if (f->kvm == KVM_IMPL_OTHER && mods && strcmp(mods, "none"))
		snprintf(f->kvm_module, sizeof(f->kvm_module), "%.*s", (int)strcspn(mods, " "), mods);
	else
		snprintf(f->kvm_module, sizeof(f->kvm_module), "%s",
			 f->kvm == KVM_IMPL_OTHER ? "unidentified" : kvm_impl_name(f->kvm));
}

/* Why /dev/kvm cannot serve hardware-assisted guests, when the node is missing. */
static void no_node_why(const struct virt_facts *f, char *out, size_t n)
{
	if (!f->present)
		snprintf(out, n, "no /dev/kvm, and the CPU %s no %s", f->nested ? "this VM sees offers" : "offers",
			 f->tech ? f->tech : "VT-x/AMD-V");
	else if (f->fw_enabled == TRI_NO)
		snprintf(out, n, "no /dev/kvm: %s is disabled in firmware", f->tech);
	else if (f->kernel_visible == TRI_NO)
		snprintf(out, n, "no /dev/kvm: the kernel hides %s ('%s' missing from /proc/cpuinfo)", f->tech,
			 f->flag);
	else
		snprintf(out, n, "no /dev/kvm: load %s (modprobe %s)", strcmp(f->flag, "vmx") ? "kvm_amd" : "kvm_intel",
			 strcmp(f->flag, "vmx") ? "kvm_amd" : "kvm_intel");
}

/* TRI_YES, TRI_NO, or TRI_UNKNOWN when the bundle did not record the ioctls. */
static int node_usable(const struct virt_facts *f, char *why, size_t n)
{
	if (!f->node_access) {
		snprintf(why, n, "this user cannot open /dev/kvm (add it to the node's group)");
		return TRI_NO;
	}
	if (f->api < 0) {
		snprintf(why, n, "what /dev/kvm answers is unknown (no KVM_GET_API_VERSION answer recorded)");
		return TRI_UNKNOWN;
	}
	if (f->api != 12) {
		snprintf(why, n, "/dev/kvm answers KVM_GET_API_VERSION with %d, not the stable 12", f->api);
		return TRI_NO;
	}
	return TRI_YES;
}

static void verdicts(struct virt_facts *f)
{
	char why[300];
	int u;
	f->hw_guests = f->pv_guests = TRI_NO;
	if (!f->host_known) {
		f->hw_guests = f->pv_guests = TRI_UNKNOWN;
		snprintf(f->hw_why, sizeof(f->hw_why), "host facts not captured: which KVM serves /dev/kvm is unknown");
		snprintf(f->pv_why, sizeof(f->pv_why), "%s", f->hw_why);
		return;
	}
	if (f->node != TRI_YES)
		no_node_why(f, f->hw_why, sizeof(f->hw_why));
	else if (f->kvm == KVM_IMPL_PVM)
		snprintf(f->hw_why, sizeof(f->hw_why),
			 "/dev/kvm is served by kvm_pvm, which runs guests at CPL 3 without %s: an unmodified guest "
			 "kernel has its privileged code emulated instruction by instruction (hundreds of times "
			 "slower); run PVM-aware guests here, or use a host with hardware virtualization",
			 f->tech ? f->tech : "VT-x/AMD-V");
	else if (f->kvm == KVM_IMPL_OTHER || f->kvm == KVM_IMPL_UNKNOWN) {
		f->hw_guests = TRI_UNKNOWN;
		snprintf(f->hw_why, sizeof(f->hw_why), "/dev/kvm is served by %s, which hvcert does not know",
			 f->kvm_module);
	} else if ((u = node_usable(f, why, sizeof(why))) != TRI_YES) {
		f->hw_guests = u;
		snprintf(f->hw_why, sizeof(f->hw_why), "%s serves /dev/kvm, but %s", f->kvm_module, why);
	} else {
		f->hw_guests = TRI_YES;
		snprintf(f->hw_why, sizeof(f->hw_why), "%s serves /dev/kvm with %s%s%s", f->kvm_module,
			 f->tech ? f->tech : "hardware virtualization", f->nested ? ", nested under " : "",
			 f->hypervisor);
	}
	if (f->node != TRI_YES && f->kvm == KVM_IMPL_PVM)
		snprintf(f->pv_why, sizeof(f->pv_why), "kvm_pvm is loaded but there is no /dev/kvm node (udev?)");
	else if (f->kvm != KVM_IMPL_PVM)
		snprintf(f->pv_why, sizeof(f->pv_why),
			 "kvm_pvm is not what serves /dev/kvm%s: PVM needs a host kernel with kvm_pvm "
			 "(virt-pvm/linux), which runs PVM-aware guests without VT-x/AMD-V",
			 f->hw_guests == TRI_YES ? " (this host runs hardware-assisted guests instead)" : "");
	else if ((u = node_usable(f, why, sizeof(why))) != TRI_YES) {
		f->pv_guests = u;
		snprintf(f->pv_why, sizeof(f->pv_why), "kvm_pvm serves /dev/kvm, but %s", why);
	} else {
		f->pv_guests = TRI_YES;
		snprintf(f->pv_why, sizeof(f->pv_why),
			 "kvm_pvm serves /dev/kvm: guest kernels built PVM-aware (Linux CONFIG_PVM_GUEST) run "
			 "at hardware CPL 3 with paravirtual events and hypercalls, no VT-x/AMD-V needed");
	}
}

/* kvm-ok (cpu-checker) passes when /proc/cpuinfo shows vmx or svm and
 * /dev/kvm exists, or the firmware does not disable the extension;
 * virt-host-validate's "hardware virtualization" is the flag alone. */
static void tools(struct virt_facts *f)
{
	if (f->kernel_visible == TRI_UNKNOWN) {
		f->kvm_ok = f->vhv_hw = TRI_UNKNOWN;
		snprintf(f->tools_why, sizeof(f->tools_why), "/proc/cpuinfo not captured");
		return;
	}
	f->vhv_hw = f->kernel_visible;
	f->kvm_ok = f->kernel_visible == TRI_NO ? TRI_NO : f->node == TRI_YES ? TRI_YES : f->fw_enabled != TRI_NO;
	if (f->kernel_visible == TRI_NO)
		snprintf(f->tools_why, sizeof(f->tools_why),
			 "both look only for the 'vmx'/'svm' flag in /proc/cpuinfo, which this host lacks%s",
			 f->kvm == KVM_IMPL_PVM ? "; kvm_pvm needs neither, so they miss that /dev/kvm works here for "
						  "PVM-aware guests"
						: "");
	else
		snprintf(f->tools_why, sizeof(f->tools_why), "the '%s' flag is in /proc/cpuinfo%s", f->flag,
			 f->node == TRI_YES ? " and /dev/kvm exists" : "");
}

void virt_facts_decode(const struct cpu_info *c, const struct virt_info *v, const struct factset *host,
		       int host_collected, struct virt_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->host_known = host_collected;
	cpu_side(c, v, host, f);
	node_side(host, f);
	implementation(host, f);
	verdicts(f);
	tools(f);
}
