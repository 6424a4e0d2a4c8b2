/* The reference-guest kit: freestanding, one address space, identity mapped. */
#ifndef KIT_H
#define KIT_H
#include <stddef.h>
#include <stdint.h>

/* PVH start info (xen/include/public/arch-x86/hvm/start_info.h). */
struct hvm_start_info {
	uint32_t magic; /* 0x336ec578 */
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;
	uint32_t memmap_entries;
	uint32_t reserved;
};
#define HVM_START_MAGIC 0x336ec578

/* Port I/O and privileged instructions. */
static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}
static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}
static inline uint64_t read_cr3(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}
static inline void write_cr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" ::"r"(v) : "memory"); }
static inline void invlpg(const void *p) { __asm__ volatile("invlpg (%0)" ::"r"(p) : "memory"); }

/* Console (16550 at 0x3F8) and results: "@result name=... iters=... cycles=..." */
void kit_putc(char c);
void kit_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kit_result(const char *name, uint64_t iters, uint64_t cycles, uint64_t checksum);
/* Ends the run through the isa-debug-exit port 0xF4 (QEMU exits (code<<1)|1). */
void kit_exit(int code) __attribute__((noreturn));
void kit_fail(const char *why) __attribute__((noreturn));

/* Command line: "iters=1000 bench=crc" -> value, or dflt. */
uint64_t kit_arg_u64(const char *key, uint64_t dflt);
const char *kit_cmdline(void);
int kit_arg_enabled(const char *name); /* "only=a,b": is name selected? */

/* Traps: handlers return the RIP to resume at. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};
typedef void (*trap_fn)(struct trap_frame *f);
void kit_set_trap(int vector, trap_fn fn);
/* External interrupts (vector >= 32) that arrived with no handler set. */
extern volatile uint64_t kit_stray_interrupts;

/* Paging: identity map of the first 1 GiB with 2 MiB pages, plus a 2 MiB
 * window of 4 KiB pages at KIT_WINDOW for paging tests. */
#define KIT_WINDOW 0x80000000ull
#define KIT_LAPIC 0xFEE00000ull /* xAPIC MMIO, mapped uncached */
uint64_t *kit_window_pte(unsigned idx);  /* the PTE of window page idx */
uint64_t kit_page_alloc(void);           /* a free 4 KiB physical page */

/* Ring 3: runs fn(arg) in user mode; returns its result. SYSCALL with
 * RAX=0 returns at once (a round trip); RAX=1 leaves user mode. */
uint64_t kit_user_call(uint64_t (*fn)(uint64_t), uint64_t arg);

/* Running as a PVM guest (kit/pvm.c): set at boot when the kit finds itself
 * at CPL 3 with IF set under kvm_pvm. The operations below are the
 * native instructions otherwise. */
extern int kit_pvm;
void kit_pvm_detect(void);
void kit_irq_enable(void);  /* sti */
void kit_irq_disable(void); /* cli */
void kit_irq_wait(void);    /* sti; hlt; cli */
void kit_irq_poll(void);    /* sti; nop; cli */
void kit_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]); /* the VMM's CPUID */
uint64_t kit_hypercall(uint64_t nr);			     /* vmcall, or PVM's int $0x1b */

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

/* What each guest provides. */
void guest_main(void);
#endif
