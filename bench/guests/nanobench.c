/* Nanobenchmarks of Adams & Agesen (ASPLOS 2006) and kvm-unit-tests' vmexit:
 * cycles per operation, each over iters=N rounds (default 1000). Checksums
 * prove the operation happened (faults taken, values read), so a run under
 * any hypervisor can be checked for correctness, not speed. */
#include "kit/kit.h"

#define OPS(n) for (uint64_t i_ = 0; i_ < (n); i_++)

static volatile uint64_t traps_taken;
static uint64_t window_phys[64];

/* The warm-up (paging in code and data) runs the very code the timed pass
 * runs: run is not inlined, the operation is called through a volatile
 * pointer and the two passes are one loop, so the compiler makes no second
 * copy of the loop whose first translation a translator (bt, QEMU TCG)
 * would then time (tens of thousands of cycles: a cheap operation's whole
 * cost at 1000 iterations, and a different amount for each code layout). */
static __attribute__((noinline)) void run(const char *name, uint64_t n, uint64_t (*fn)(uint64_t))
{
	if (!kit_arg_enabled(name))
		return;
	uint64_t (*volatile op)(uint64_t) = fn;
	uint64_t cycles = 0, sum = 0;
	for (volatile int pass = 0; pass < 2; pass++) {
		uint64_t k = pass ? n : n < 16 ? n : 16;
		uint64_t t0 = rdtsc();
		sum = op(k);
		cycles = rdtsc() - t0;
	}
	kit_result(name, n, cycles, sum);
}

static uint64_t b_cpuid(uint64_t n)
{
	uint32_t r[4], x = 0;
	OPS(n)
	{
		kit_cpuid(0, 0, r); /* PVM: int $0x1a, the paravirtual CPUID */
		x += r[0];
	}
	return x != 0;
}

static uint64_t b_rdtsc(uint64_t n)
{
	uint64_t last = 0, mono = 1;
	OPS(n)
	{
		uint64_t t;
		uint32_t lo, hi;
		__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		t = ((uint64_t)hi << 32) | lo;
		mono &= t >= last;
		last = t;
	}
	return mono; /* 1: the TSC never went backwards */
}

static uint64_t b_pio_out(uint64_t n)
{
	OPS(n) outb(0x80, (uint8_t)i_);
	return n;
}

static uint64_t b_pio_in(uint64_t n)
{
	uint64_t x = 0;
	OPS(n) x += inb(0x80) != 0xAB; /* any value will do; count reads */
	return x ? n : n;
}

static uint64_t b_cr8(uint64_t n)
{
	OPS(n) __asm__ volatile("mov %0, %%cr8" ::"r"((uint64_t)0));
	return n;
}

static uint64_t b_cr3(uint64_t n)
{
	uint64_t cr3 = read_cr3();
	OPS(n) write_cr3(cr3);
	return read_cr3() == cr3;
}

static uint64_t b_invlpg(uint64_t n)
{
	static volatile uint64_t target;
	OPS(n) invlpg((const void *)&target);
	return n;
}

static uint64_t b_pushf_popf(uint64_t n)
{
	uint64_t f = 0;
	OPS(n) __asm__ volatile("pushfq; popq %0; pushq %0; popfq" : "=&r"(f)::"memory", "cc");
	return (f & 2) ? n : 0; /* bit 1 of RFLAGS always reads 1 */
}

static uint64_t b_cli_sti(uint64_t n)
{
	/* Interrupts stay masked: no source is armed, sti only exercises the trap. */
	if (!kit_pvm)
		OPS(n) __asm__ volatile("cli; sti; cli" ::: "memory");
	else /* PVM's interrupt flag is vif.if_: cli/sti are its stores */
		OPS(n) kit_irq_disable(), kit_irq_enable(), kit_irq_disable();
	return n;
}

static uint64_t user_syscalls(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		__asm__ volatile("xorl %%eax, %%eax; syscall" ::: "rax", "rcx", "r11", "memory");
	return n;
}

static uint64_t b_syscall(uint64_t n)
{
	return kit_user_call(user_syscalls, n);
}

/* #DE: skip the 3-byte "div %rcx" that raised it. */
static void on_divide(struct trap_frame *f)
{
	const uint8_t *ip = (const uint8_t *)(uintptr_t)f->rip;
	if (ip[0] != 0x48 || ip[1] != 0xf7 || ip[2] != 0xf1)
		kit_fail("#DE at an unexpected instruction");
	traps_taken++;
	f->rip += 3;
}

static uint64_t b_div0(uint64_t n)
{
	traps_taken = 0;
	kit_set_trap(0, on_divide);
	OPS(n) __asm__ volatile("xorl %%ecx, %%ecx; .byte 0x48, 0xf7, 0xf1" ::"a"(1), "d"(0) : "rcx", "memory");
	kit_set_trap(0, 0);
	return traps_taken;
}

/* #PF in the 4 KiB window: map a zeroed page on demand. */
static void on_page_fault(struct trap_frame *f)
{
	uint64_t cr2;
	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	if (cr2 < KIT_WINDOW || cr2 >= KIT_WINDOW + (64 << 12)) {
		kit_printf("@fail page fault at 0x%lx rip=0x%lx error=0x%lx\n", cr2, f->rip, f->error);
		kit_exit(4);
	}
	unsigned idx = (unsigned)((cr2 - KIT_WINDOW) >> 12);
	memset((void *)(uintptr_t)window_phys[idx], 0, 4096);
	*kit_window_pte(idx) = window_phys[idx] | 7; /* present, writable, user */
	traps_taken++;
}

static uint64_t b_pagefault(uint64_t n)
{
	traps_taken = 0;
	kit_set_trap(14, on_page_fault);
	OPS(n)
	{
		unsigned idx = (unsigned)(i_ & 63);
		volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)(KIT_WINDOW + ((uint64_t)idx << 12));
		*p = i_; /* faults: the PTE is clear */
		*kit_window_pte(idx) = 0;
		invlpg((const void *)p);
	}
	kit_set_trap(14, 0);
	return traps_taken;
}

static uint64_t b_pte_update(uint64_t n)
{
	uint64_t a = window_phys[0], b = window_phys[1], sum = 0;
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)KIT_WINDOW;
	*(volatile uint64_t *)(uintptr_t)a = 1;
	*(volatile uint64_t *)(uintptr_t)b = 2;
	OPS(n)
	{
		*kit_window_pte(0) = ((i_ & 1) ? b : a) | 7;
		invlpg((const void *)p);
		sum += *p;
	}
	*kit_window_pte(0) = 0;
	invlpg((const void *)p);
	return sum; /* n/2 ones and n/2 twos if every remap took effect */
}

/* VMCALL: a hypercall under KVM (unknown numbers return -KVM_ENOSYS), #UD
 * where there is no hypervisor (QEMU TCG): count both. */
static void on_invalid_opcode(struct trap_frame *f)
{
	const uint8_t *ip = (const uint8_t *)(uintptr_t)f->rip;
	if (ip[0] != 0x0f || ip[1] != 0x01 || (ip[2] != 0xc1 && ip[2] != 0xd9))
		kit_fail("#UD at an unexpected instruction");
	traps_taken++;
	f->rip += 3;
}

static uint64_t vmcall_rax;

static uint64_t b_vmcall(uint64_t n)
{
	traps_taken = 0;
	kit_set_trap(6, on_invalid_opcode);
	uint64_t ret = 0;
	OPS(n)
	{
		ret = kit_hypercall(0xFFFF); /* no such hypercall; vmcall, or PVM's gate */
	}
	kit_set_trap(6, 0);
	vmcall_rax = ret;
	return traps_taken;
}

/* The local APIC timer (periodic, vector 32): the programmable interrupt the
 * VMM must deliver (in-kernel LAPIC under KVM). Counts ticks with hlt. */
static volatile uint32_t *lapic(unsigned reg)
{
	return (volatile uint32_t *)(uintptr_t)(KIT_LAPIC + reg);
}

static void on_timer(struct trap_frame *f)
{
	(void)f;
	traps_taken++;
	*lapic(0xB0) = 0; /* EOI */
}

static uint64_t b_lapic_timer(uint64_t n)
{
	traps_taken = 0;
	kit_set_trap(32, on_timer);
	*lapic(0xF0) = 0x100 | 0xFF;	 /* software enable, spurious vector 0xFF */
	*lapic(0x3E0) = 0xB;		 /* divide by 1 */
	*lapic(0x320) = 32 | (1u << 17); /* periodic, vector 32 */
	*lapic(0x380) = 200000;		 /* initial count */
	while (traps_taken < n)
		kit_irq_wait();
	*lapic(0x320) = 1u << 16; /* masked */
	*lapic(0x380) = 0;
	kit_irq_poll(); /* take a tick latched before the mask */
	kit_set_trap(32, 0);
	/* A tick latched while masking may still arrive later: at least n ticks
	 * is the correct outcome. */
	return traps_taken >= n ? n : traps_taken;
}

static void edge_cases(void) __attribute__((noinline, section(".text.edge")));

void guest_main(void)
{
	uint64_t n = kit_arg_u64("iters", 1000);
	/* only=-: the baseline run of the bench harness. It runs no operation
	 * but prints a result line like theirs, so its console exits match. */
	if (kit_arg_enabled("-") && !kit_arg_enabled("cpuid")) {
		kit_result("-", n, 1000000 * n, 0);
		return;
	}
	for (unsigned i = 0; i < 64; i++)
		window_phys[i] = kit_page_alloc();
	run("cpuid", n, b_cpuid);
	run("rdtsc", n, b_rdtsc);
	run("pio_out", n, b_pio_out);
	run("pio_in", n, b_pio_in);
	run("cr8_write", n, b_cr8);
	run("cr3_reload", n, b_cr3);
	run("invlpg", n, b_invlpg);
	run("pushf_popf", n, b_pushf_popf);
	run("cli_sti", n, b_cli_sti);
	run("syscall", n, b_syscall);
	run("div0", n, b_div0);
	run("pagefault", n, b_pagefault);
	run("pte_update", n, b_pte_update);
	run("vmcall", n, b_vmcall);
	/* Printed outside the timed region: a console write is an exit. */
	if (kit_arg_enabled("vmcall"))
		kit_printf("@info vmcall ud=%lu last_rax=0x%lx\n", traps_taken, vmcall_rax);
	run("lapic_timer", n < 50 ? n : 50, b_lapic_timer);
	/* last, so that adding checks moves no benchmark's code */
	if (kit_arg_u64("edge", 0))
		edge_cases();
}

/* Edge cases of the sensitive instructions (edge=1), each one line
 * "@check name=... value=0x..." that tests/guests/edge.sh compares between
 * QEMU TCG and the translator (and with the values derived in its header). */
static volatile uint64_t edge_rip, edge_count, edge_resume;
/* After every benchmark in the image: their code keeps its addresses. */
#define EDGE __attribute__((noinline, section(".text.edge")))

static EDGE void edge_check(const char *name, uint64_t v)
{
	kit_printf("@check name=%s value=0x%lx\n", name, v);
}

static EDGE void on_edge_irq(struct trap_frame *f)
{
	edge_rip = f->rip;
	edge_count++;
	*lapic(0xB0) = 0; /* EOI */
}

/* Vector 40 pending in the LAPIC (one-shot timer), delivered or not. */
static EDGE int edge_pend(void)
{
	*lapic(0xF0) = 0x100 | 0xFF;
	*lapic(0x3E0) = 0xB;
	*lapic(0x320) = 40; /* one-shot, vector 40 */
	*lapic(0x380) = 1000;
	for (uint64_t i = 0; i < 200000000; i++)
		if (*lapic(0x210) & (1u << 8)) /* IRR bit 40 */
			return 1;
	return 0;
}

extern const char edge_sti_at[], edge_cr8_at[], edge_tf_at[];

/* The interrupt waits for the instruction after sti (its shadow). */
static EDGE void edge_sti(void)
{
	edge_count = 0;
	kit_set_trap(40, on_edge_irq);
	__asm__ volatile("cli" ::: "memory");
	int pending = edge_pend();
	__asm__ volatile("sti; movl $1, %%ecx\n.globl edge_sti_at\nedge_sti_at: nop; cli" ::: "rcx", "memory");
	edge_check("sti_shadow", pending && edge_count == 1 ? edge_rip - (uint64_t)(uintptr_t)edge_sti_at : ~0ull);
}

/* Lowering CR8 below a pending interrupt delivers it at the next boundary. */
static EDGE void edge_cr8(void)
{
	edge_count = 0;
	__asm__ volatile("mov %0, %%cr8; sti" ::"r"(15ull) : "memory");
	int pending = edge_pend();
	__asm__ volatile(
	    "xorl %%eax, %%eax; mov %%rax, %%cr8\n.globl edge_cr8_at\nedge_cr8_at: movl $1, %%ecx; nop; cli" ::
		: "rax", "rcx", "memory");
	edge_check("cr8_unmask", pending && edge_count == 1 ? edge_rip - (uint64_t)(uintptr_t)edge_cr8_at : ~0ull);
	*lapic(0x320) = 1u << 16;
	kit_set_trap(40, 0);
}

/* popf at CPL0 may set IOPL, NT, AC and ID (pushf reads them back). */
static EDGE void edge_popf(void)
{
	uint64_t save, r;
	__asm__ volatile("pushfq; popq %0; pushq %2; popfq; pushfq; popq %1; pushq %0; popfq"
			 : "=&r"(save), "=&r"(r)
			 : "r"(0x247002ull)
			 : "memory", "cc");
	edge_check("popf_iopl_nt_ac_id", r & 0x277fd5);
}

/* At CPL3 with IOPL 0, popf changes neither IF nor IOPL. */
static EDGE uint64_t user_popf(uint64_t arg)
{
	uint64_t r;
	(void)arg;
	__asm__ volatile("pushfq; orq $0x3200, (%%rsp); popfq; pushfq; popq %0" : "=r"(r)::"memory", "cc");
	return r & 0x3200;
}

/* popf that sets TF: #DB after the instruction that follows it. */
static EDGE void on_debug(struct trap_frame *f)
{
	edge_rip = f->rip;
	edge_count++;
	f->rflags &= ~0x100ull;
}

static EDGE void edge_tf(void)
{
	edge_count = 0;
	kit_set_trap(1, on_debug);
	__asm__ volatile("pushfq; orq $0x100, (%%rsp); popfq; movl $1, %%ecx\n.globl edge_tf_at\nedge_tf_at: nop" ::
			     : "rcx", "memory", "cc");
	kit_set_trap(1, 0);
	edge_check("popf_tf_trap", edge_count == 1 ? edge_rip - (uint64_t)(uintptr_t)edge_tf_at : ~0ull);
}

/* #DE: div overflow, idiv INT_MIN/-1 and another idiv overflow, div by ah. */
static EDGE void on_edge_divide(struct trap_frame *f)
{
	edge_rip ^= f->rip;
	edge_count++;
	f->rip = edge_resume;
}

extern const char edge_de1[], edge_de1_end[], edge_de2[], edge_de2_end[], edge_de3[], edge_de3_end[], edge_de4[],
    edge_de4_end[];

static EDGE void edge_divide(void)
{
	edge_count = 0, edge_rip = 0;
	kit_set_trap(0, on_edge_divide);
	edge_resume = (uint64_t)(uintptr_t)edge_de1_end;
	__asm__ volatile(".globl edge_de1, edge_de1_end\nedge_de1: divl %%ebx\nedge_de1_end:" ::"a"(0), "d"(5), "b"(5)
			 : "memory");
	edge_resume = (uint64_t)(uintptr_t)edge_de2_end;
	__asm__ volatile(".globl edge_de2, edge_de2_end\nedge_de2: idivq %%rbx\nedge_de2_end:" ::"a"(1ull << 63),
			 "d"(~0ull), "b"(~0ull)
			 : "memory");
	edge_resume = (uint64_t)(uintptr_t)edge_de3_end;
	__asm__ volatile(".globl edge_de3, edge_de3_end\nedge_de3: idivl %%ebx\nedge_de3_end:" ::"a"(0), "d"(1),
			 "b"(~0u)
			 : "memory");
	edge_resume = (uint64_t)(uintptr_t)edge_de4_end;
	__asm__ volatile(".globl edge_de4, edge_de4_end\nedge_de4: divb %%ah\nedge_de4_end:" ::"a"(0x0305) : "memory");
	kit_set_trap(0, 0);
	uint64_t want = (uint64_t)(uintptr_t)edge_de1 ^ (uint64_t)(uintptr_t)edge_de2 ^ (uint64_t)(uintptr_t)edge_de3 ^
			(uint64_t)(uintptr_t)edge_de4;
	edge_check("divide_errors", edge_count);
	edge_check("divide_error_rips", edge_rip ^ want); /* 0: each #DE at its division */
}

/* Code in a page whose PTE the guest rewrites while it runs there: each
 * call must run the frame the PTE names (after invlpg, after a CR3
 * reload), and a store through another mapping of that frame must show. */
static EDGE void edge_pte_code(void)
{
	static const uint8_t ret1[] = {0xb8, 1, 0, 0, 0, 0xc3}, ret2[] = {0xb8, 2, 0, 0, 0, 0xc3};
	uint64_t a = window_phys[2], b = window_phys[3], sum = 0;
	memcpy((void *)(uintptr_t)a, ret1, sizeof(ret1));
	memcpy((void *)(uintptr_t)b, ret2, sizeof(ret2));
	uint32_t (*fn)(void) = (uint32_t(*)(void))(uintptr_t)(KIT_WINDOW + 0x2000);
	for (int i = 0; i < 8; i++) {
		*kit_window_pte(2) = ((i & 1) ? b : a) | 7;
		invlpg((const void *)fn);
		sum = sum * 3 + fn();
	}
	edge_check("pte_code_remap", sum);
	*kit_window_pte(2) = b | 7;
	write_cr3(read_cr3());
	edge_check("pte_code_cr3", fn());
	*(volatile uint8_t *)(uintptr_t)(b + 1) = 5; /* through the identity map */
	edge_check("smc_alias", fn());
	*kit_window_pte(2) = 0;
	invlpg((const void *)fn);
}

static EDGE void edge_cases(void)
{
	edge_sti(); /* window_phys[] is allocated: guest_main did it */
	edge_cr8();
	edge_popf();
	edge_check("popf_if_cpl3", kit_user_call(user_popf, 0));
	edge_tf();
	edge_divide();
	edge_pte_code();
}
