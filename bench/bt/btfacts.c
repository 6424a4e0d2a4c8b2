/* Measures the machine facts the binary translator (issue 5) is designed on:
 * how a GS-relative access with the 0x67 address-size prefix behaves at the
 * 4 GiB window's edges, which instructions ignore a segment prefix, and what
 * the building blocks cost here (arch_prctl, SIGSEGV round trip, fault +
 * mmap). Prints "fact ... verified|refuted" and "cost ..." lines. */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include <x86intrin.h>

#define WINDOW (1ull << 32)
#define GUARD  (1ull << 16)

static uint8_t *win;
static sigjmp_buf jb;
static volatile uintptr_t fault_addr;
static int memfd;
static volatile int mode; /* 0: longjmp out, 1: map the page and retry */

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
	(void)sig, (void)ctx;
	fault_addr = (uintptr_t)si->si_addr;
	if (mode == 1) {
		uintptr_t page = fault_addr & ~4095ull;
		if (mmap((void *)page, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, memfd, 0) == MAP_FAILED)
			_exit(3);
		return; /* the access is retried */
	}
	siglongjmp(jb, 1);
}

static int set_gs(void *base)
{
	return (int)syscall(SYS_arch_prctl, ARCH_SET_GS, base);
}

static uint32_t gs_read32(uint32_t eax_base, int32_t disp_is_5)
{
	uint32_t v;
	if (disp_is_5)
		__asm__ volatile("addr32 movl %%gs:5(%%eax), %0" : "=r"(v) : "a"(eax_base) : "memory");
	else
		__asm__ volatile("addr32 movl %%gs:(%%eax), %0" : "=r"(v) : "a"(eax_base) : "memory");
	return v;
}

/* Latency of the memory forms translated code is made of, in TSC cycles
 * per iteration of a dependent chain (best of 5): a slot stored and loaded
 * back (what a rewrite does with a parked register) by RIP-relative and by
 * absolute [disp32] addressing, and a load whose address depends on the
 * previous load (plain, through %gs with a nonzero base as the window is,
 * and with addr32 as well), and a fixed guest address stored and loaded
 * back through the window, absolute and EIP-relative. */
#define CHAIN_N	 20000000L
#define SLOT_ABS 0x30000040 /* a fixed page below 2 GiB: the absolute form needs a constant */
static uint64_t rip_slot, chase_plain[8] __attribute__((aligned(64))), chase_gs[8] __attribute__((aligned(64)));

static double chain(int form)
{
	long n = CHAIN_N;
	uint64_t x = 0, t0 = __rdtsc();
	switch (form) {
	case 0:
		__asm__ volatile("1: mov %1,%2; mov %2,%1; add $1,%1; dec %0; jnz 1b"
				 : "+&r"(n), "+&r"(x), "+m"(rip_slot)
				 :
				 : "cc");
		break;
	case 1:
		__asm__ volatile("1: mov %1,0x30000040; mov 0x30000040,%1; add $1,%1; dec %0; jnz 1b"
				 : "+&r"(n), "+&r"(x)
				 :
				 : "memory", "cc");
		break;
	case 2:
		x = (uint64_t)(uintptr_t)chase_plain;
		__asm__ volatile("1: mov (%1),%1; dec %0; jnz 1b" : "+&r"(n), "+&r"(x) : : "memory", "cc");
		break;
	case 3: __asm__ volatile("1: mov %%gs:(%1),%1; dec %0; jnz 1b" : "+&r"(n), "+&r"(x) : : "memory", "cc"); break;
	case 4: __asm__ volatile("1: mov %%gs:(%k1),%1; dec %0; jnz 1b" : "+&r"(n), "+&r"(x) : : "memory", "cc"); break;
	case 5:
		__asm__ volatile("1: addr32 mov %1,%%gs:0x40; addr32 mov %%gs:0x40,%1; add $1,%1; dec %0; jnz 1b"
				 : "+&r"(n), "+&r"(x)
				 :
				 : "memory", "cc");
		break;
	default:
		__asm__ volatile("1: addr32 mov %1,%%gs:0x40(%%eip); addr32 mov %%gs:0x40(%%eip),%1; add $1,%1;"
				 "dec %0; jnz 1b"
				 : "+&r"(n), "+&r"(x)
				 :
				 : "memory", "cc");
		break;
	}
	return (double)(__rdtsc() - t0) / CHAIN_N;
}

static void chain_costs(void)
{
	static const char *what[] = {"store + load of a slot, RIP-relative",
				     "store + load of a slot, absolute [disp32]",
				     "load to load, plain",
				     "load to load, %gs (nonzero base)",
				     "load to load, %gs + addr32",
				     "store + load, %gs + addr32 [disp32]",
				     "store + load, %gs + addr32 EIP-relative"};
	int abs_ok = mmap((void *)(SLOT_ABS & ~4095ul), 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != MAP_FAILED;
	chase_plain[0] = (uint64_t)(uintptr_t)chase_plain;
	chase_gs[0] = 0;
	set_gs(chase_gs);
	for (int f = 0; f < 7; f++) {
		if (f == 1 && !abs_ok)
			continue;
		if (f == 5)
			set_gs(win); /* the window's pages are mapped on first touch (mode 1) */
		double best = 1e9;
		for (int r = 0; r < 5; r++) {
			double c = chain(f);
			best = c < best ? c : best;
		}
		printf("cost %-42s %6.2f TSC cycles\n", what[f], best);
	}
}

static void fact(const char *what, int ok)
{
	printf("fact %-72s %s\n", what, ok ? "verified" : "refuted");
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	memfd = (int)syscall(SYS_memfd_create, "bt-facts", 0);
	if (memfd < 0 || ftruncate(memfd, 1 << 20))
		return perror("memfd"), 2;
	win = mmap(NULL, WINDOW + GUARD, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (win == MAP_FAILED)
		return perror("mmap window"), 2;
	mmap(win, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, memfd, 0);
	mmap(win + WINDOW - 4096, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, memfd, 4096);
	memcpy(win + 4, "\x11\x22\x33\x44", 4);
	printf("info window=%p (4 GiB + 64 KiB guard), HWCAP2.FSGSBASE=%s\n", (void *)win,
	       getauxval(AT_HWCAP2) & 2 ? "yes" : "no");
	if (set_gs(win))
		return perror("arch_prctl"), 2;

	/* 1. gs: + addr32: the effective address wraps modulo 2^32 inside the window. */
	fact("gs+0x67 effective address wraps modulo 2^32 (0xFFFFFFFF+5 reads window+4)",
	     gs_read32(0xFFFFFFFFu, 1) == 0x44332211u);
	/* 2. ...but a 4-byte access at 0xFFFFFFFE is not split: it runs past the window end. */
	if (sigsetjmp(jb, 1) == 0) {
		fault_addr = 0;
		gs_read32(0xFFFFFFFEu, 0);
		fact("an access at 0xFFFFFFFE spills past the window end (guard needed)", 0);
	} else {
		fact("an access at 0xFFFFFFFE spills past the window end (guard needed)",
		     fault_addr >= (uintptr_t)win + WINDOW && fault_addr < (uintptr_t)win + WINDOW + GUARD);
	}
	/* 3. push ignores a GS prefix: it writes the host stack, not the window. */
	uint64_t before, after, top = 0;
	__asm__ volatile("mov %%rsp, %0\n\t.byte 0x65\n\tpushq $0x5a5a\n\tmov %%rsp, %1\n\tpopq %2"
			 : "=&r"(before), "=&r"(after), "=&r"(top)::"memory");
	fact("push ignores a segment prefix (writes the host stack)", after == before - 8 && top == 0x5a5a);

	/* Costs. */
	int n = 20000;
	double t0 = now_us();
	for (int i = 0; i < n; i++)
		set_gs(win);
	printf("cost arch_prctl(ARCH_SET_GS)        %8.2f us\n", (now_us() - t0) / n);
	n = 2000;
	t0 = now_us();
	for (volatile int i = 0; i < n; i++)
		if (sigsetjmp(jb, 1) == 0)
			*(volatile uint8_t *)(win + (1 << 20)) = 1; /* PROT_NONE: SIGSEGV, longjmp back */
	printf("cost SIGSEGV round trip (longjmp)   %8.2f us\n", (now_us() - t0) / n);
	mode = 1;
	t0 = now_us();
	for (int i = 0; i < n; i++) {
		uint8_t *p = win + (2ull << 20) + (uint64_t)(i % 64) * 4096;
		*(volatile uint8_t *)p = 1; /* fault, map, retry */
		mmap(p, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
	}
	printf("cost fault + mmap + unmap           %8.2f us\n", (now_us() - t0) / n);
	chain_costs();
	FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
	long maps = 0;
	if (f && fscanf(f, "%ld", &maps) == 1)
		printf("info vm.max_map_count=%ld (every separately mapped guest page is one mapping)\n", maps);
	if (f)
		fclose(f);
	return 0;
}
