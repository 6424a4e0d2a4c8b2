/* /dev/kvm: API version and the KVM_CHECK_EXTENSION answers a VMM relies on. */
#include "host.h"
#include "sysroot.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static const struct {
	const char *name;
	int cap;
} kvm_caps[] = {
    {"user_memory", KVM_CAP_USER_MEMORY},
    {"irqchip", KVM_CAP_IRQCHIP},
    {"split_irqchip", KVM_CAP_SPLIT_IRQCHIP},
    {"ioeventfd", KVM_CAP_IOEVENTFD},
    {"irqfd", KVM_CAP_IRQFD},
    {"nr_vcpus", KVM_CAP_NR_VCPUS},
    {"max_vcpus", KVM_CAP_MAX_VCPUS},
    {"nr_memslots", KVM_CAP_NR_MEMSLOTS},
    {"ext_cpuid", KVM_CAP_EXT_CPUID},
    {"tsc_control", KVM_CAP_TSC_CONTROL},
    {"x2apic_api", KVM_CAP_X2APIC_API},
    {"nested_state", KVM_CAP_NESTED_STATE},
    {"immediate_exit", KVM_CAP_IMMEDIATE_EXIT},
    {"hyperv", KVM_CAP_HYPERV},
    {"pit2", KVM_CAP_PIT2},
    {"xsave", KVM_CAP_XSAVE},
};

void host_read_kvm_dev(const char *root, struct factset *s)
{
	char p[4096];
	sysroot_path(root, "/dev/kvm", p, sizeof(p));
	int fd = open(p, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		facts_unknown(s, "kvm.api_version", "cannot open %s: %s", p, strerror(errno));
		return;
	}
	int api = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (api < 0) {
		facts_unknown(s, "kvm.api_version", "KVM_GET_API_VERSION on %s: %s", p, strerror(errno));
		close(fd);
		return;
	}
	facts_set(s, "kvm.api_version", "%d", api);
	for (size_t i = 0; i < sizeof(kvm_caps) / sizeof(kvm_caps[0]); i++) {
		char key[64];
		snprintf(key, sizeof(key), "kvm.cap.%s", kvm_caps[i].name);
		int v = ioctl(fd, KVM_CHECK_EXTENSION, kvm_caps[i].cap);
		if (v < 0)
			facts_unknown(s, key, "KVM_CHECK_EXTENSION: %s", strerror(errno));
		else
			facts_set(s, key, "%d", v);
	}
	close(fd);
}
