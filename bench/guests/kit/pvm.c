/* The kit as a PVM guest. Under kvm_pvm the kit's kernel code runs at
 * hardware CPL 3; what a CPL 0 kernel gets from the CPU it must ask the
 * hypervisor for. This is the ABI of the kvm_pvm build our machines run
 * (measured, docs/pvm.md), which differs from the published spec:
 *  - MSR 0x4b564d10 holds the GPA of a "vif" page (| flag bits); a nonzero
 *    page makes supervisor code run natively instead of emulated. vmm-mini
 *    registers it before the first instruction (KVM_SET_MSRS).
 *  - the virtual interrupt flag is vif.if_; cli/sti/popf do not touch it.
 *    A held-back interrupt sets vif.pending; any exit then delivers it.
 *  - events arrive through the guest's own IDT, iretq returns; syscall goes
 *    to MSR_LSTAR as on hardware.
 *  - int $0x1a is CPUID from the VMM's table (a native cpuid returns the
 *    host's), int $0x1b a hypercall (RAX = number; unknown: -ENOSYS).
 * Detection follows the spec's boot sequence: CPL 3 with IF set, then the
 * synthetic CPUID's signature, or this build's signature MSR. */
#include "kit.h"

#define MSR_PVM_VIF	  0x4b564d10 /* vif page GPA | flags */
#define MSR_PVM_SIGNATURE 0x4b564d11 /* "PVM" */
#define PVM_SIGNATURE	  0x4d5650

struct pvm_vif {
	uint8_t if_, pending, pad[6];
	uint64_t cr2;
};

int kit_pvm;
static volatile struct pvm_vif *vif;
static volatile int msr_faulted;

static uint64_t cs_and_flags(uint64_t *flags)
{
	uint64_t cs;
	__asm__ volatile("mov %%cs, %0; pushfq; popq %1" : "=r"(cs), "=r"(*flags));
	return cs;
}

/* invlpg 0xffffffffff4d5650; cpuid: the spec's synthetic CPUID. */
static void synthetic_cpuid(uint32_t leaf, uint32_t r[4])
{
	__asm__ volatile(".byte 0x0f,0x01,0x3c,0x25,0x50,0x56,0x4d,0xff,0x0f,0xa2"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(0));
}

static int spec_signature(void)
{
	uint32_t r[4];
	synthetic_cpuid(0x40000000, r);
	if (r[1] != 0x4b4d564b || r[2] != 0x564b4d56 || r[3] != 0x4d || r[0] < 0x40000002)
		return 0;
	synthetic_cpuid(0x40000002, r);
	return r[1] == PVM_SIGNATURE;
}

static void on_msr_gp(struct trap_frame *f)
{
	msr_faulted = 1;
	f->rip += 2; /* rdmsr */
}

static int build_signature(void)
{
	msr_faulted = 0;
	kit_set_trap(13, on_msr_gp);
	uint64_t sig = rdmsr(MSR_PVM_SIGNATURE);
	kit_set_trap(13, 0);
	return !msr_faulted && sig == PVM_SIGNATURE;
}

void kit_pvm_detect(void)
{
	uint64_t flags, cs = cs_and_flags(&flags);
	if ((cs & 3) != 3 || !(flags & 0x200))
		return; /* a CPL 0 kernel: native, QEMU, bt, VT-x/AMD-V KVM, or PVM emulating us */
	if (spec_signature())
		kit_fail("PVM with the published spec's ABI (PVCS, ERETU/ERETS): this kit speaks the kvm_pvm build "
			 "with the vif page only");
	if (!build_signature())
		kit_fail("running at CPL 3 with IF set, but no PVM signature: an unknown paravirtual hypervisor");
	uint64_t gpa = rdmsr(MSR_PVM_VIF) & ~0xfffull;
	if (!gpa)
		kit_fail("PVM runs us natively but no vif page is registered (MSR 0x4b564d10)");
	vif = (volatile struct pvm_vif *)(uintptr_t)gpa;
	kit_pvm = 1;
}

/* Any exit lets the hypervisor deliver what vif.pending says it holds. */
static void pvm_exit(void)
{
	uint64_t rax = 0; /* no such hypercall: -ENOSYS, an exit all the same */
	__asm__ volatile("int $0x1b" : "+a"(rax)::"memory");
}

/* Virtual IF on; an interrupt held back while it was off arrives now. */
static void pvm_unmask(void)
{
	vif->if_ = 1;
	__asm__ volatile("" ::: "memory");
	if (vif->pending)
		pvm_exit();
}

void kit_irq_enable(void)
{
	if (kit_pvm)
		pvm_unmask();
	else
		__asm__ volatile("sti" ::: "memory");
}

void kit_irq_disable(void)
{
	if (kit_pvm)
		vif->if_ = 0;
	else
		__asm__ volatile("cli" ::: "memory");
	__asm__ volatile("" ::: "memory");
}

/* sti; hlt; cli: sleeps until an interrupt has been taken. Under PVM the
 * hlt traps with the virtual IF set, so the hypervisor wakes us for it. */
void kit_irq_wait(void)
{
	if (!kit_pvm) {
		__asm__ volatile("sti; hlt; cli" ::: "memory");
		return;
	}
	vif->if_ = 1;
	__asm__ volatile("" ::: "memory");
	if (vif->pending)
		pvm_exit();
	else
		__asm__ volatile("hlt" ::: "memory");
	kit_irq_disable();
}

/* sti; nop; cli: takes an interrupt that is already waiting. */
void kit_irq_poll(void)
{
	if (!kit_pvm) {
		__asm__ volatile("sti; nop; cli" ::: "memory");
		return;
	}
	pvm_unmask();
	kit_irq_disable();
}

void kit_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	if (kit_pvm)
		__asm__ volatile("int $0x1a" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
	else
		cpuid(leaf, sub, r);
}

uint64_t kit_hypercall(uint64_t nr)
{
	if (kit_pvm)
		__asm__ volatile("int $0x1b" : "+a"(nr)::"rbx", "rcx", "rdx", "rsi", "memory");
	else
		__asm__ volatile("vmcall" : "+a"(nr)::"rbx", "rcx", "rdx", "rsi", "memory");
	return nr;
}
