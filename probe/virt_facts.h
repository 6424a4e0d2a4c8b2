/* The virtualization facts every judge reads, decoded once (pure) from the
 * raw CPU and the host facts: whether VT-x/AMD-V is present, enabled by
 * firmware, visible to the kernel, whether we are nested, and which
 * implementation serves /dev/kvm. Findings (assess_virt.c, assess_kvm.c),
 * HCL requirements (hcl/certify.c) and the kvm-ok comparison all read
 * these; none re-reads /proc/cpuinfo or the MSRs itself. */
#ifndef HVCERT_VIRT_FACTS_H
#define HVCERT_VIRT_FACTS_H
#include "probe/cpu_decode.h"
#include "probe/facts.h"
#include "probe/virt_caps.h"

enum kvm_impl { KVM_IMPL_UNKNOWN, KVM_IMPL_NONE, KVM_IMPL_INTEL, KVM_IMPL_AMD, KVM_IMPL_PVM, KVM_IMPL_OTHER };

struct virt_facts {
	/* the CPU's extension */
	int present;		/* VMX/SVM bit in raw CPUID */
	const char *tech;	/* "VT-x", "AMD-V"; NULL for a vendor with neither */
	const char *flag;	/* its /proc/cpuinfo name: "vmx" or "svm" */
	int fw_enabled;		/* enum tri: enabled (or unlocked), disabled, unknown */
	int kernel_visible;	/* enum tri: the flag in /proc/cpuinfo; unknown if not read */
	int nested;		/* CPUID.1:ECX[31]: we run under a hypervisor */
	const char *hypervisor; /* its name, "" on bare metal */
	/* /dev/kvm */
	int host_known;		/* host facts were collected (live or bundle) */
	int node;		/* enum tri: /dev/kvm present */
	int node_access;	/* this user may open it */
	int api;		/* KVM_GET_API_VERSION, -1 unknown */
	enum kvm_impl kvm;	/* what serves it */
	char kvm_module[32];	/* kvm_intel, kvm_amd, kvm_pvm, ... */
	char kvm_evidence[600]; /* module in sysfs, its parameters, ioctl answers */
	/* judged from the above */
	int hw_guests; /* enum tri: unmodified guests get hardware assistance */
	int pv_guests; /* enum tri: PVM-aware guests run on kvm_pvm */
	char hw_why[480], pv_why[480];
	/* what the usual tools conclude from the same host */
	int kvm_ok;	     /* enum tri: kvm-ok's verdict (cpu-checker) */
	int vhv_hw;	     /* enum tri: virt-host-validate's "hardware virtualization" */
	char tools_why[480]; /* why they conclude that */
};

void virt_facts_decode(const struct cpu_info *c, const struct virt_info *v, const struct factset *host,
		       int host_collected, struct virt_facts *out);
const char *kvm_impl_name(enum kvm_impl k);
#endif
