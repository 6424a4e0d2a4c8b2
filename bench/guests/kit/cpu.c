/* GDT with user segments and a TSS, IDT, SYSCALL MSRs, page tables. */
#include "kit.h"

extern uint64_t isr_table[];
extern void kit_syscall_entry(void);
extern uint64_t kit_user_enter(uint64_t (*fn)(uint64_t), uint64_t arg, uint64_t user_rsp);

struct __attribute__((packed)) tss {
	uint32_t r0;
	uint64_t rsp0, rsp1, rsp2, r1, ist[7], r2;
	uint16_t r3, iomap;
};

struct __attribute__((packed)) desc_ptr {
	uint16_t limit;
	uint64_t base;
};

struct __attribute__((packed)) idt_gate {
	uint16_t off0, sel;
	uint8_t ist, type;
	uint16_t off1;
	uint32_t off2, zero;
};

static uint64_t gdt[8];
static struct tss tss;
static struct idt_gate idt[256];
static trap_fn traps[256];
volatile uint64_t kit_stray_interrupts;
static uint8_t trap_stack[16384] __attribute__((aligned(16)));
static uint8_t user_stack[16384] __attribute__((aligned(16)));

/* Page tables: 1 GiB identity map in 2 MiB pages, plus one 4 KiB-page PD
 * entry at KIT_WINDOW for the paging benchmarks. */
static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd0[512] __attribute__((aligned(4096)));
static uint64_t pd2[512] __attribute__((aligned(4096)));
static uint64_t window_pt[512] __attribute__((aligned(4096)));
static uint64_t pd3[512] __attribute__((aligned(4096))); /* 3-4 GiB: the local APIC */
#define PAGE_POOL 64
static uint8_t page_pool[PAGE_POOL][4096] __attribute__((aligned(4096)));
static unsigned pool_next;

#define P 1ull
#define RW 2ull
#define US 4ull
#define PS 0x80ull

static void gdt_init(void)
{
	uint64_t t = (uint64_t)(uintptr_t)&tss;
	gdt[1] = 0x00af9a000000ffffull; /* 0x08 kernel code 64 */
	gdt[2] = 0x00cf92000000ffffull; /* 0x10 kernel data */
	gdt[3] = 0x00cffa000000ffffull; /* 0x18 user code 32 (SYSRET base) */
	gdt[4] = 0x00cff2000000ffffull; /* 0x20 user data: SS = 0x20|3 */
	gdt[5] = 0x00affa000000ffffull; /* 0x28 user code 64: CS = 0x28|3 */
	gdt[6] = (sizeof(tss) - 1) | ((t & 0xffffff) << 16) | (0x89ull << 40) | ((t >> 24 & 0xff) << 56);
	gdt[7] = t >> 32;
	tss.rsp0 = (uint64_t)(uintptr_t)(trap_stack + sizeof(trap_stack));
	tss.iomap = sizeof(tss);
	struct desc_ptr d = { sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt };
	__asm__ volatile("lgdt %0\n\t"
			 "pushq $0x08\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1: movl $0x10, %%eax\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "movl %%eax, %%ss\n\t"
			 "movw $0x30, %%ax\n\t"
			 "ltr %%ax" ::"m"(d)
			 : "rax", "memory");
}

static void idt_init(void)
{
	for (unsigned v = 0; v < 256; v++) {
		uint64_t a = isr_table[v];
		/* DPL 0 interrupt gates; #BP/#OF reachable from ring 3 (DPL 3). */
		uint8_t type = v == 3 || v == 4 ? 0xEE : 0x8E;
		idt[v] = (struct idt_gate){ (uint16_t)a, 0x08, 0, type, (uint16_t)(a >> 16), (uint32_t)(a >> 32), 0 };
	}
	struct desc_ptr d = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };
	__asm__ volatile("lidt %0" ::"m"(d));
}

static void syscall_init(void)
{
	wrmsr(0xC0000080, rdmsr(0xC0000080) | 1);			   /* EFER.SCE */
	wrmsr(0xC0000081, (0x18ull << 48) | (0x08ull << 32));		   /* STAR */
	wrmsr(0xC0000082, (uint64_t)(uintptr_t)kit_syscall_entry); /* LSTAR */
	wrmsr(0xC0000084, 0x47700);				   /* SFMASK: TF, IF, DF, AC, NT */
}

static void paging_init(void)
{
	for (unsigned i = 0; i < 512; i++)
		pd0[i] = ((uint64_t)i << 21) | P | RW | US | PS;
	pdpt[0] = (uint64_t)(uintptr_t)pd0 | P | RW | US;
	/* KIT_WINDOW = 2 GiB: PDPT entry 2, PD entry 0 -> 4 KiB page table. */
	pdpt[2] = (uint64_t)(uintptr_t)pd2 | P | RW | US;
	pd2[0] = (uint64_t)(uintptr_t)window_pt | P | RW | US;
	/* The xAPIC page at 0xFEE00000, uncached (PCD | PWT). PVM shadows every
	 * guest page as a user page and livelocks on supervisor-only ones (its
	 * shadow MMU refaults without end): there they carry U/S too. */
	uint64_t us = kit_pvm ? US : 0;
	pdpt[3] = (uint64_t)(uintptr_t)pd3 | P | RW | us;
	pd3[(KIT_LAPIC >> 21) & 511] = (KIT_LAPIC & ~0x1fffffull) | P | RW | PS | 0x18 | us;
	/* virtio-mmio slots at 0xFEB00000 (QEMU microvm's layout), uncached. */
	pd3[(0xFEB00000ull >> 21) & 511] = (0xFEB00000ull & ~0x1fffffull) | P | RW | PS | 0x18 | us;
	pml4[0] = (uint64_t)(uintptr_t)pdpt | P | RW | US;
	write_cr3((uint64_t)(uintptr_t)pml4);
}

uint64_t *kit_window_pte(unsigned idx)
{
	return &window_pt[idx & 511];
}

uint64_t kit_page_alloc(void)
{
	if (pool_next == PAGE_POOL)
		kit_fail("page pool exhausted");
	return (uint64_t)(uintptr_t)page_pool[pool_next++];
}

void kit_set_trap(int vector, trap_fn fn)
{
	traps[vector & 255] = fn;
}

void kit_trap(struct trap_frame *f)
{
	trap_fn fn = traps[f->vector & 255];
	if (fn) {
		fn(f);
		return;
	}
	/* An external interrupt nobody waits for (a tick latched while the timer
	 * was being masked, a stray MSI): counted and acknowledged, not fatal.
	 * 0xFF is the spurious vector, which takes no EOI. */
	if (f->vector >= 32) {
		kit_stray_interrupts++;
		if (f->vector != 0xFF)
			*(volatile uint32_t *)(uintptr_t)(KIT_LAPIC + 0xB0) = 0;
		return;
	}
	uint64_t cr2;
	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	kit_printf("@fail exception vector=%lu error=0x%lx rip=0x%lx cr2=0x%lx\n", f->vector, f->error, f->rip, cr2);
	kit_exit(4);
}

uint64_t kit_user_call(uint64_t (*fn)(uint64_t), uint64_t arg)
{
	return kit_user_enter(fn, arg, (uint64_t)(uintptr_t)(user_stack + sizeof(user_stack)));
}

/* CR4.OSFXSR | OSXMMEXCPT: SSE allowed (the compute-sse guest's kernels use
 * it; the kit itself never does, so traps need not save it). */
static void sse_init(void)
{
	uint64_t cr4;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" ::"r"(cr4 | (1u << 9) | (1u << 10)));
}

/* The legacy 8259 PICs, which firmware (SeaBIOS under QEMU) leaves pointing
 * at vectors 8-15: an unmasked PIT tick would arrive as vector 8 without an
 * error code and be taken for a double fault the moment the kit enables
 * interrupts for its local APIC. The kit uses only the local APIC: mask
 * both. Where there is no PIC (vmm-mini) the writes go nowhere. */
static void pic_mask(void)
{
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

void kit_cpu_init(void)
{
	pic_mask();
	sse_init();
	gdt_init();
	idt_init();
	kit_pvm_detect();
	paging_init();
	syscall_init();
}
