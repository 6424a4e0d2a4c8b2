/* Decoded hardware-virtualization capabilities (pure functions of cpu_raw).
 * Intel: IA32_FEATURE_CONTROL and the VMX capability MSRs 0x480-0x492
 * (Intel SDM Vol. 3D Appendix A). AMD: CPUID 0x8000000A, 0x8000001F and
 * VM_CR (AMD APM Vol. 2 15.4, 15.30, 15.34). */
#ifndef HVCERT_VIRT_CAPS_H
#define HVCERT_VIRT_CAPS_H
#include "probe/cpu_decode.h"
#include "probe/cpuid_raw.h"

enum tri { TRI_UNKNOWN = -1, TRI_NO = 0, TRI_YES = 1 };

struct virt_cap {
	const char *name;
	const char *what; /* human description */
	int state;	  /* enum tri */
};

#define VIRT_MAX_CAPS 48

/* Firmware state of VT-x / AMD-V. */
enum fw_state { FW_UNKNOWN, FW_ENABLED, FW_UNLOCKED, FW_DISABLED };

struct virt_info {
	int hw;		  /* VMX or SVM bit in raw CPUID */
	const char *tech; /* "VT-x", "AMD-V" or NULL */
	enum fw_state fw;
	char fw_detail[320]; /* which MSR said so, or why unknown */
	int caps_known;	     /* capability MSRs / leaf were readable */
	char caps_note[320];
	struct virt_cap caps[VIRT_MAX_CAPS];
	int ncaps;
	unsigned vmcs_revision, svm_revision, asids;
	unsigned sev_asids, sev_min_asid, cbit;
};

void virt_decode(const struct cpu_raw *r, const struct cpu_info *c, struct virt_info *out);
/* Whether the decoded technology is VT-x (Intel, Zhaoxin/Centaur) rather than AMD-V. */
int virt_is_vmx(const struct virt_info *v, const struct cpu_info *c);
/* State of a named capability; TRI_UNKNOWN if absent from the list. */
int virt_cap(const struct virt_info *v, const char *name);
#endif
