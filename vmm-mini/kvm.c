/* The KVM accelerator: one VM, one vCPU, in-kernel irqchip (LAPIC timer). */
#include "vmm-mini/vmm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

struct kvm_state {
	int kvm, vm, vcpu;
	struct kvm_run *run;
	size_t run_size;
	int pending_mmio_read;
};

#define KS(vm) ((struct kvm_state *)(vm)->accel_state)

static int kvm_create(struct vm *vm)
{
	struct kvm_state *k = calloc(1, sizeof(*k));
	if (!k)
		return vm_fail(vm, "out of memory");
	k->vm = k->vcpu = -1;
	vm->accel_state = k;
	k->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (k->kvm < 0)
		return vm_fail(vm, "/dev/kvm: %s (no KVM here: is kvm_intel/kvm_amd loaded?)", strerror(errno));
	int api = ioctl(k->kvm, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION)
		return vm_fail(vm, "KVM API version %d, expected %d", api, KVM_API_VERSION);
	k->vm = ioctl(k->kvm, KVM_CREATE_VM, 0);
	if (k->vm < 0)
		return vm_fail(vm, "KVM_CREATE_VM: %s", strerror(errno));
	/* Intel needs a TSS area for real-mode emulation; harmless on AMD. */
	if (ioctl(k->vm, KVM_SET_TSS_ADDR, 0xfffbd000UL) < 0)
		return vm_fail(vm, "KVM_SET_TSS_ADDR: %s", strerror(errno));
	if (ioctl(k->vm, KVM_CREATE_IRQCHIP, 0) < 0)
		return vm_fail(vm, "KVM_CREATE_IRQCHIP: %s", strerror(errno));
	return 0;
}

static int kvm_map_ram(struct vm *vm, uint64_t gpa, uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region r = {0, 0, gpa, size, (uint64_t)(uintptr_t)hva};
	if (ioctl(KS(vm)->vm, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		return vm_fail(vm, "KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
	return 0;
}

/* The guest sees what KVM supports (like -cpu host). */
static int set_cpuid(struct vm *vm)
{
	struct kvm_state *k = KS(vm);
	int n = 256;
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + (size_t)n * sizeof(struct kvm_cpuid_entry2));
	if (!c)
		return vm_fail(vm, "out of memory");
	c->nent = (uint32_t)n;
	int rc = ioctl(k->kvm, KVM_GET_SUPPORTED_CPUID, c);
	if (rc == 0)
		rc = ioctl(k->vcpu, KVM_SET_CPUID2, c);
	free(c);
	return rc < 0 ? vm_fail(vm, "KVM CPUID setup: %s", strerror(errno)) : 0;
}

static int kvm_create_vcpu(struct vm *vm)
{
	struct kvm_state *k = KS(vm);
	k->vcpu = ioctl(k->vm, KVM_CREATE_VCPU, 0);
	if (k->vcpu < 0)
		return vm_fail(vm, "KVM_CREATE_VCPU: %s", strerror(errno));
	int sz = ioctl(k->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (sz <= 0)
		return vm_fail(vm, "KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
	k->run_size = (size_t)sz;
	k->run = mmap(NULL, k->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, k->vcpu, 0);
	if (k->run == MAP_FAILED) {
		k->run = NULL;
		return vm_fail(vm, "mmap kvm_run: %s", strerror(errno));
	}
	return set_cpuid(vm);
}

static void seg(struct kvm_segment *s, uint16_t sel, uint8_t type, int code64)
{
	memset(s, 0, sizeof(*s));
	s->base = 0, s->limit = 0xffffffff, s->selector = sel, s->type = type;
	s->present = 1, s->s = 1, s->g = 1, s->l = (uint8_t)code64, s->db = (uint8_t)!code64;
}

/* One MSR of a vCPU through KVM_GET_MSRS or KVM_SET_MSRS: 0, or -1 when KVM
 * did not take it. */
static int vcpu_msr(int vcpu, unsigned long req, uint32_t index, uint64_t *value)
{
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e;
	} m;
	memset(&m, 0, sizeof(m));
	m.h.nmsrs = 1, m.e.index = index, m.e.data = *value;
	if (ioctl(vcpu, req, &m) != 1)
		return -1;
	*value = m.e.data;
	return 0;
}

/* PVM (the kvm_pvm build our machines run): registering the guest's vif
 * page in MSR 0x4b564d10 (with bit 10, which the VMM side must carry) makes
 * the guest's kernel code run natively at CPL 3 from its first instruction
 * instead of being emulated. The page is zeroed: virtual IF off. */
static int pvm_enter_native(struct vm *vm, struct kvm_state *k)
{
	uint64_t v = PVM_VIF_GPA | 0x400;
	memset(vm->ram + PVM_VIF_GPA, 0, 4096);
	if (vcpu_msr(k->vcpu, KVM_SET_MSRS, 0x4b564d10, &v))
		return vm_fail(vm, "PVM: KVM_SET_MSRS(0x4b564d10 = vif page) refused: not the kvm_pvm build "
				   "vmm-mini knows");
	return 0;
}

static int kvm_set_boot_state(struct vm *vm, const struct boot_state *bs)
{
	struct kvm_state *k = KS(vm);
	struct kvm_sregs sr;
	struct kvm_regs r;
	if (ioctl(k->vcpu, KVM_GET_SREGS, &sr) < 0)
		return vm_fail(vm, "KVM_GET_SREGS: %s", strerror(errno));
	seg(&sr.cs, 0x08, 11, 1);
	seg(&sr.ds, 0x10, 3, 0);
	sr.es = sr.fs = sr.gs = sr.ss = sr.ds;
	sr.gdt.base = bs->gdt_base, sr.gdt.limit = bs->gdt_limit;
	sr.cr3 = bs->cr3;
	sr.cr4 = 0x20;			       /* PAE */
	sr.cr0 = 0x80000000 | 0x20 | 0x10 | 1; /* PG, NE, ET, PE */
	sr.efer = 0x500;		       /* LME | LMA */
	if (ioctl(k->vcpu, KVM_SET_SREGS, &sr) < 0)
		return vm_fail(vm, "KVM_SET_SREGS: %s", strerror(errno));
	memset(&r, 0, sizeof(r));
	r.rip = bs->rip, r.rsp = bs->rsp, r.rdi = bs->rdi, r.rsi = bs->rsi, r.rflags = 2;
	if (ioctl(k->vcpu, KVM_SET_REGS, &r) < 0)
		return vm_fail(vm, "KVM_SET_REGS: %s", strerror(errno));
	return vm->pvm ? pvm_enter_native(vm, k) : 0;
}

static void translate(struct kvm_state *k, struct vm_exit *e)
{
	struct kvm_run *run = k->run;
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		e->reason = EXIT_IO;
		e->io.port = run->io.port, e->io.size = run->io.size, e->io.count = run->io.count;
		e->io.out = run->io.direction == KVM_EXIT_IO_OUT;
		e->io.data = (uint8_t *)run + run->io.data_offset;
		break;
	case KVM_EXIT_MMIO:
		e->reason = EXIT_MMIO;
		e->mmio.addr = run->mmio.phys_addr, e->mmio.len = (uint8_t)run->mmio.len;
		e->mmio.write = run->mmio.is_write;
		memcpy(e->mmio.data, run->mmio.data, sizeof(e->mmio.data));
		k->pending_mmio_read = !run->mmio.is_write;
		break;
	case KVM_EXIT_HLT: e->reason = EXIT_HLT; break;
	case KVM_EXIT_SHUTDOWN: e->reason = EXIT_SHUTDOWN; break;
	case KVM_EXIT_FAIL_ENTRY:
		e->reason = EXIT_FAIL_ENTRY;
		e->hw_reason = run->fail_entry.hardware_entry_failure_reason;
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		e->reason = EXIT_INTERNAL;
		e->hw_reason = run->internal.suberror;
		break;
	case KVM_EXIT_HYPERCALL: e->reason = EXIT_HYPERCALL; break;
	case KVM_EXIT_INTR: e->reason = EXIT_INTR; break;
	default: e->reason = EXIT_OTHER; e->hw_reason = run->exit_reason;
	}
}

static int kvm_run_vcpu(struct vm *vm, struct vm_exit *e)
{
	struct kvm_state *k = KS(vm);
	if (k->pending_mmio_read) {
		memcpy(k->run->mmio.data, e->mmio.data, sizeof(e->mmio.data));
		k->pending_mmio_read = 0;
	}
	memset(e, 0, sizeof(*e));
	if (ioctl(k->vcpu, KVM_RUN, 0) < 0) {
		if (errno == EINTR || errno == EAGAIN) {
			k->run->immediate_exit = 0;
			e->reason = EXIT_INTR;
			return 0;
		}
		return vm_fail(vm, "KVM_RUN: %s", strerror(errno));
	}
	translate(k, e);
	return 0;
}

static void kvm_kick(struct vm *vm)
{
	struct kvm_state *k = KS(vm);
	if (k && k->run)
		k->run->immediate_exit = 1;
}

static uint64_t kvm_get_rip(struct vm *vm)
{
	struct kvm_regs r;
	return ioctl(KS(vm)->vcpu, KVM_GET_REGS, &r) < 0 ? 0 : r.rip;
}

static int kvm_raise_msi(struct vm *vm, uint32_t vector)
{
	/* Fixed delivery to APIC ID 0: address 0xFEE00000, data = vector. */
	struct kvm_msi msi = {.address_lo = 0xFEE00000u, .address_hi = 0, .data = vector & 0xff};
	return ioctl(KS(vm)->vm, KVM_SIGNAL_MSI, &msi) < 0 ? -1 : 0;
}

/* KVM's own binary statistics of the vCPU (KVM_GET_STATS_FD, Linux 5.14+):
 * exits attributed by the hypervisor, not guessed from ours. One "@kvm"
 * line of the nonzero cumulative counters; histograms are left out. */
static void kvm_print_stats(struct vm *vm, FILE *out)
{
	struct kvm_state *k = KS(vm);
	struct kvm_stats_header h;
	int fd = ioctl(k->vcpu, KVM_GET_STATS_FD, NULL);
	if (fd < 0) {
		fprintf(out, "@kvm stats=unavailable (KVM_GET_STATS_FD: %s)\n", strerror(errno));
		return;
	}
	if (pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) || h.num_desc > 4096 || h.name_size > 256) {
		close(fd);
		return;
	}
	size_t dsz = sizeof(struct kvm_stats_desc) + h.name_size;
	char *d = calloc(h.num_desc, dsz);
	if (!d || pread(fd, d, dsz * h.num_desc, h.desc_offset) != (ssize_t)(dsz * h.num_desc)) {
		free(d), close(fd);
		return;
	}
	fprintf(out, "@kvm");
	for (uint32_t i = 0; i < h.num_desc; i++) {
		const struct kvm_stats_desc *s = (const void *)(d + i * dsz);
		uint64_t v;
		if ((s->flags & KVM_STATS_TYPE_MASK) != KVM_STATS_TYPE_CUMULATIVE || s->size != 1 ||
		    pread(fd, &v, sizeof(v), (off_t)(h.data_offset + s->offset)) != (ssize_t)sizeof(v) || !v)
			continue;
		fprintf(out, " %.*s=%llu", (int)h.name_size, s->name, (unsigned long long)v);
	}
	fprintf(out, "\n");
	free(d);
	close(fd);
}

static int kvm_ioeventfd(struct vm *vm, uint64_t addr, uint32_t len, uint64_t datamatch, int fd)
{
	struct kvm_ioeventfd e;
	memset(&e, 0, sizeof(e));
	e.addr = addr, e.len = len, e.datamatch = datamatch, e.fd = fd, e.flags = KVM_IOEVENTFD_FLAG_DATAMATCH;
	if (ioctl(KS(vm)->vm, KVM_IOEVENTFD, &e) < 0)
		return vm_fail(vm, "KVM_IOEVENTFD: %s", strerror(errno));
	return 0;
}

static void kvm_destroy(struct vm *vm)
{
	struct kvm_state *k = KS(vm);
	if (!k)
		return;

	if (k->run)
		munmap(k->run, k->run_size);
	if (k->vcpu >= 0)
		close(k->vcpu);
	if (k->vm >= 0)
		close(k->vm);
	if (k->kvm >= 0)
		close(k->kvm);
	free(k);
	vm->accel_state = NULL;
}

const struct accel_ops kvm_accel = {
    .name = "kvm",
    .create = kvm_create,
    .map_ram = kvm_map_ram,
    .create_vcpu = kvm_create_vcpu,
    .set_boot_state = kvm_set_boot_state,
    .run = kvm_run_vcpu,
    .kick = kvm_kick,
    .get_rip = kvm_get_rip,
    .raise_msi = kvm_raise_msi,
    .ioeventfd = kvm_ioeventfd,
    .print_stats = kvm_print_stats,
    .destroy = kvm_destroy,
};

/* PVM's signature MSR on the kvm_pvm build our machines run ("PVM" in
 * 0x4b564d11), or any MSR of the published spec's range (0x4b564df0..). */
static int vcpu_is_pvm(int vcpu)
{
	uint64_t sig = 0, range = 0;
	return (vcpu_msr(vcpu, KVM_GET_MSRS, 0x4b564d11, &sig) == 0 && sig == 0x4d5650) ||
	       vcpu_msr(vcpu, KVM_GET_MSRS, 0x4b564df0, &range) == 0;
}

enum kvm_flavor kvm_flavor(char *why, size_t n)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		snprintf(why, n, "/dev/kvm: %s", strerror(errno));
		return KVM_FLAVOR_NONE;
	}
	enum kvm_flavor f = KVM_FLAVOR_NONE;
	int vm = -1, vcpu = -1;
	if (ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		snprintf(why, n, "/dev/kvm does not speak KVM API %d", KVM_API_VERSION);
	else if ((vm = ioctl(kvm, KVM_CREATE_VM, 0)) < 0 || (vcpu = ioctl(vm, KVM_CREATE_VCPU, 0)) < 0)
		snprintf(why, n, "/dev/kvm cannot create a VM: %s", strerror(errno));
	else if (vcpu_is_pvm(vcpu) || access("/sys/module/kvm_pvm", F_OK) == 0) {
		f = KVM_FLAVOR_PVM;
		snprintf(why, n, "/dev/kvm is served by kvm_pvm (PVM: guests at CPL 3, no hardware assistance)");
	} else {
		f = KVM_FLAVOR_HW;
		snprintf(why, n, "/dev/kvm gives hardware-assisted virtualization");
	}
	if (vcpu >= 0)
		close(vcpu);
	if (vm >= 0)
		close(vm);
	close(kvm);
	return f;
}
