/* /dev/kvm: what its ioctls answer. API version, the KVM_CHECK_EXTENSION
 * answers a VMM relies on, what KVM_GET_SUPPORTED_CPUID offers guests
 * (hypervisor signature, VMX/SVM for nested guests), and which PVM MSRs a
 * scratch vCPU answers: the evidence that names the implementation behind
 * the node (kvm_intel, kvm_amd, kvm_pvm), decoded in virt_facts.c.
 *
 * Live, the answers come from the ioctls. Under --sysroot they come from
 * the record `hvcert capture` wrote (hvcert/kvm-ioctl.txt), because a
 * captured device node is an empty file and cannot answer an ioctl. */
#include "probe/host.h"
#include "probe/sysroot.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef KVM_CAP_VM_TYPES
#define KVM_CAP_VM_TYPES 235
#endif

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
    {"exit_hypercall", KVM_CAP_EXIT_HYPERCALL},
    {"binary_stats", KVM_CAP_BINARY_STATS_FD},
    {"vm_types", KVM_CAP_VM_TYPES},
};

#define KVM_RECORD "/hvcert/kvm-ioctl.txt"

/* KVM_GET_SUPPORTED_CPUID: the hypervisor leaf's signature and whether
 * guests are offered VMX or SVM (what nested virtualization needs). */
static void supported_cpuid(int kvm, struct factset *s)
{
	enum { N = 512 };
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + N * sizeof(struct kvm_cpuid_entry2));
	if (!c) {
		facts_unknown(s, "kvm.cpuid.signature", "out of memory");
		return;
	}
	c->nent = N;
	if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, c) < 0) {
		facts_unknown(s, "kvm.cpuid.signature", "KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
		facts_unknown(s, "kvm.cpuid.guest_virt", "KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
		free(c);
		return;
	}
	char sig[13] = "";
	int vmx = 0, svm = 0;
	for (uint32_t i = 0; i < c->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &c->entries[i];
		if (e->function == 0x40000000) {
			memcpy(sig, &e->ebx, 4), memcpy(sig + 4, &e->ecx, 4), memcpy(sig + 8, &e->edx, 4);
			for (int k = 0; k < 12; k++)
				if (sig[k] < 0x20 || sig[k] > 0x7e)
					sig[k] = sig[k] ? '?' : '\0';
		}
		if (e->function == 1)
			vmx = (e->ecx >> 5) & 1;
		if (e->function == 0x80000001)
			svm = (e->ecx >> 2) & 1;
	}
	facts_set(s, "kvm.cpuid.signature", "%s", sig);
	facts_set(s, "kvm.cpuid.guest_virt", "%s", vmx ? "vmx" : svm ? "svm" : "none");
	free(c);
}

/* MSRs of the PVM range that a fresh vCPU answers through KVM_GET_MSRS.
 * kvm_intel/kvm_amd answer none of them; kvm_pvm answers its own (the
 * published spec puts them at 0x4b564df0..; the build on our machines at
 * 0x4b564d10.., with 0x4b564d11 = "PVM"). */
static void pvm_msrs(int kvm, struct factset *s)
{
	static const uint32_t ranges[][2] = {{0x4b564d10, 0x4b564d1f}, {0x4b564df0, 0x4b564dff}};
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		facts_unknown(s, "kvm.vcpu.pvm_msrs", "KVM_CREATE_VM: %s", strerror(errno));
		return;
	}
	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) {
		facts_unknown(s, "kvm.vcpu.pvm_msrs", "KVM_CREATE_VCPU: %s", strerror(errno));
		close(vm);
		return;
	}
	char list[1024] = "";
	for (size_t r = 0; r < sizeof(ranges) / sizeof(ranges[0]); r++)
		for (uint32_t idx = ranges[r][0]; idx <= ranges[r][1]; idx++) {
			struct {
				struct kvm_msrs h;
				struct kvm_msr_entry e;
			} m;
			memset(&m, 0, sizeof(m));
			m.h.nmsrs = 1, m.e.index = idx;
			if (ioctl(vcpu, KVM_GET_MSRS, &m) != 1)
				continue;
			size_t l = strlen(list);
			snprintf(list + l, sizeof(list) - l, "%s0x%x=0x%llx", l ? " " : "", idx,
				 (unsigned long long)m.e.data);
		}
	facts_set(s, "kvm.vcpu.pvm_msrs", "%s", list);
	close(vcpu);
	close(vm);
}

static void read_live(const char *path, struct factset *s)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		facts_unknown(s, "kvm.api_version", "cannot open %s: %s", path, strerror(errno));
		return;
	}
	int api = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (api < 0) {
		facts_unknown(s, "kvm.api_version", "KVM_GET_API_VERSION on %s: %s", path, strerror(errno));
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
	supported_cpuid(fd, s);
	pvm_msrs(fd, s);
	close(fd);
}

/* One record line: "key<TAB>value", or "key<TAB>?reason" for an unknown. */
static int record_line(struct factset *s, char *line)
{
	char *tab = strchr(line, '\t');
	if (!tab || tab == line || (size_t)(tab - line) >= sizeof(((struct fact *)0)->key) ||
	    strncmp(line, "kvm.", 4) != 0)
		return -1;
	*tab = '\0';
	for (const char *k = line; *k; k++)
		if (!(*k == '.' || *k == '_' || (*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9')))
			return -1;
	const char *v = tab + 1;
	return v[0] == '?' ? facts_unknown(s, line, "%s", v + 1) : facts_set(s, line, "%s", v);
}

static void read_record(const char *root, struct factset *s)
{
	char path[4096], line[2200];
	sysroot_path(root, KVM_RECORD, path, sizeof(path));
	FILE *f = sysroot_fopen(root, KVM_RECORD);
	if (!f) {
		facts_unknown(s, "kvm.api_version",
			      "%s/dev/kvm is a captured node and %s is missing: the bundle has no ioctl answers "
			      "(captured by an older hvcert?)",
			      root, path);
		return;
	}
	struct factset got;
	facts_init(&got);
	long n = 0;
	int bad = 0;
	while (!bad && fgets(line, sizeof(line), f)) {
		n++;
		size_t l = strcspn(line, "\n");
		if (line[l] != '\n' && !feof(f))
			bad = 1; /* longer than any fact we write */
		line[l] = '\0';
		if (!bad && line[0] != '#' && line[0] && record_line(&got, line))
			bad = 1;
	}
	if (!bad && ferror(f))
		bad = 1, n = 0;
	fclose(f);
	if (bad || !facts_get(&got, "kvm.api_version")) {
		if (bad)
			facts_unknown(s, "kvm.api_version", "%s:%ld: not a 'kvm.KEY<TAB>VALUE' line", path, n);
		else
			facts_unknown(s, "kvm.api_version", "%s: no kvm.api_version record", path);
		facts_free(&got);
		return;
	}
	for (size_t i = 0; i < got.n; i++)
		if (got.f[i].known)
			facts_set(s, got.f[i].key, "%s", got.f[i].value);
		else
			facts_unknown(s, got.f[i].key, "%s", got.f[i].value);
	facts_free(&got);
}

void host_read_kvm_dev(const char *root, struct factset *s)
{
	char p[4096];
	struct stat st;
	sysroot_path(root, "/dev/kvm", p, sizeof(p));
	/* A bundle's record speaks for its host; a real device node answers for
	 * itself (--sysroot / included). */
	int replay = root && *root && !(stat(p, &st) == 0 && S_ISCHR(st.st_mode));
	if (replay && (sysroot_exists(root, KVM_RECORD) || sysroot_exists(root, "/dev/kvm")))
		read_record(root, s);
	else
		read_live(p, s);
}

int host_record_kvm_dev(const char *to, char *err, size_t errlen)
{
	struct factset s;
	char path[4096];
	facts_init(&s);
	read_live("/dev/kvm", &s);
	snprintf(path, sizeof(path), "%s/hvcert", to);
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		facts_free(&s);
		return -1;
	}
	snprintf(path, sizeof(path), "%s%s", to, KVM_RECORD);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		facts_free(&s);
		return -1;
	}
	fprintf(f, "# hvcert capture: what /dev/kvm's ioctls answered (key<TAB>value; key<TAB>?why when unknown)\n");
	for (size_t i = 0; i < s.n; i++)
		fprintf(f, "%s\t%s%s\n", s.f[i].key, s.f[i].known ? "" : "?", s.f[i].value);
	int rc = ferror(f) ? -1 : 0;
	if (fclose(f) != 0)
		rc = -1;
	if (rc)
		snprintf(err, errlen, "%s: write failed", path);
	facts_free(&s);
	return rc;
}
