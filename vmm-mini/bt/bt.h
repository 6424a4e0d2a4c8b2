/* The binary-translation accelerator (`--accel bt`): internal interfaces.
 *
 *   bt.c         accel_ops and the dispatcher loop (translate, enter, handle exits)
 *   glue.c       generated glue: enter, exit, the indirect-branch lookup, exit stubs
 *   translate.c  guest block -> host code (Zydis decode; copy, prefix, rewrite, callout)
 *   sensitive.c  the one table of sensitive instructions (inline emitter, callout handler)
 *   cache.c      the code cache: blocks, host->guest map, lookup, indirect sites, flush
 *   cpu.c        vCPU state: flags with the virtual IF, GPRs of any width, operands
 *   inline.c     sensitive instructions as inline host code (cli/sti, pushf/popf,
 *                cr8, cpuid from a table, the #DE check of div/idiv)
 *   window.c     the 4 GiB guest address windows (shadow paging), guest page walks
 *   pagetab.c    guest page tables traced (write-protected) so the windows never
 *                go stale; sites that keep faulting are emulated (adaptive)
 *   signals.c    SIGSEGV/SIGFPE/SIGILL from translated code, the async timer signal
 *   callout.c    emulation of sensitive instructions, MMIO and port I/O
 *   deliver.c    exception and interrupt delivery through the guest IDT
 *   strings.c    movs/stos/lods/cmps/scas with rep prefixes, emulated
 *   lapic.c      local APIC model (timer, MSIs, EOI) at 0xFEE00000
 *
 * Errors: functions return 0 or -1 and write into vm->err (vm_fail). */
#ifndef BT_H
#define BT_H
#include <signal.h>
#include <stdint.h>
#include <time.h>

#include "vmm-mini/vmm.h"

#define BT_WINDOW	   (1ull << 32)
#define BT_GUARD	   (1ull << 16) /* wider than any access that starts below 4 GiB */
#define BT_IND_BITS	   16		/* the lookup indexes with movzwl: the low 16 bits of the target */
#define BT_IND_SIZE	   (1u << BT_IND_BITS)
#define BT_CACHE_SIZE	   (32u << 20)
#define BT_MAX_BLOCK_INSNS 48

/* Register numbers are x86 encoding order. */
enum { R_RAX, R_RCX, R_RDX, R_RBX, R_RSP, R_RBP, R_RSI, R_RDI };

/* Live RFLAGS bits while translated code runs: CF PF AF ZF SF DF OF. */
#define FL_LIVE 0xCD5ull
#define FL_IF	0x200ull
/* RFLAGS bits kept in the vCPU, never live on the host: TF, IOPL, NT, AC, ID */
#define FL_VIRT 0x247100ull

/* The per-vCPU context: at an address below 2 GiB (MAP_32BIT) so that
 * generated code reaches every field with absolute disp32 addressing and
 * never needs a free register or the host stack. */
struct bt_ctx {
	uint64_t gpr[16];
	uint64_t rflags;     /* live bits as saved by the exit glue */
	uint64_t target;     /* indirect-branch target (guest RIP) */
	uint64_t next_rip;   /* exit: guest RIP to continue at / of the callout */
	uint64_t exit_kind;  /* enum bt_exit */
	uint64_t chain_site; /* exit: host address of the rel32 to patch, 0 if none */
	uint64_t host_rsp;
	uint64_t entry;	   /* where enter jumps */
	uint64_t jmp_slot; /* indirect jumps go through here */
	uint64_t t0;	   /* scratch for rewrites (saved RAX) */
	uint64_t s_rax, s_rcx, s_rdx;
	uint32_t host_mxcsr; /* the host's, put back at every exit once the guest uses FP */
	uint16_t host_fcw;
	uint8_t fp_used;				    /* the translator met an x87/MMX/SSE instruction */
	uint8_t guest_fp[512] __attribute__((aligned(16))); /* fxsave64 image */
	uint64_t ind_tag[BT_IND_SIZE];			    /* guest RIP (0 = empty) */
	uint64_t ind_host[BT_IND_SIZE];
	/* Inline sensitive instructions (inline.c), after the fields the glue
	 * and the indirect lookup use (their layout stays as it was); the
	 * dispatcher copies the vCPU state in before each entry and back after
	 * each exit. */
	uint64_t vif;	   /* the virtual IF as the RFLAGS bit: 0 or 0x200 */
	uint64_t vflags;   /* the vCPU's FL_VIRT bits (pushf adds them; else inline paths defer to the callout) */
	uint64_t cpl;	   /* 0 or 3 */
	uint64_t cr8;	   /* TPR class 0-15 */
	uint64_t irq_prio; /* class of the LAPIC's highest pending vector, TPR aside; 0 none */
	uint64_t fs_rax, i_rcx, dv, s_rsp;
	uint64_t pio_exit;	  /* set by bt_pio_fast: leave translated code after this in/out */
	uint64_t cs, ss, cur_win; /* inline syscall/sysret change them with the CPL */
	uint16_t fs_ax;		  /* lahf/seto image of the guest's arithmetic flags */
	uint64_t stk[4];	  /* a private stack for pushfq (RSP is the guest's) */
	struct bt_cpuid_ent {
		uint32_t r[4];
		uint32_t mode; /* 0 miss (callout), 1 any subleaf, 2 subleaf must equal sub */
		uint32_t sub, pad[2];
	} cpuid[64];	   /* leaves 0-31, then 0x80000000-0x8000001F */
	uint64_t pt_lossy; /* some derived state is untraced: inline invlpg takes the callout */
	/* an emulated site's access as a C call (bt_mem_fast): its operands, its result */
	uint64_t mem_va, mem_val, mem_slow, mem_leave, x_rsi;
};

enum bt_exit {
	BTX_NONE,
	BTX_CHAIN,
	BTX_IND_MISS,
	BTX_IND_SITE,
	BTX_CALLOUT,
	BTX_MMIO,
	BTX_SHADOW, /* an inline sti unmasked a pending interrupt: next_rip runs alone first */
	BTX_DIVIDE, /* an inline div/idiv check: #DE at next_rip (the division) */
	BTX_PIO,    /* after an in-place in/out (bt_pio_fast) that stopped the VM or raised an interrupt */
	BTX_SIGNAL
};

/* One guest instruction's host code, for mapping a host PC back to it. */
struct bt_imap {
	uint32_t host_off; /* from the cache base */
	uint32_t guest_rip;
	uint8_t restore_rax; /* the rewrite parked RAX in ctx->t0 */
	uint8_t no_async;    /* in an sti shadow: the timer may not stop here */
};

struct bt_block {
	uint64_t rip;
	uint32_t host_off, code_len; /* guest instructions' code (stubs follow) */
	uint32_t imap_first, imap_n; /* one-instruction steps are not in the lookup hash */
};

/* An indirect-branch site's inline cache of up to BT_PIC targets (translate.c):
 * the fields the dispatcher patches. */
#define BT_PIC 8
struct bt_site {
	uint8_t *disp[BT_PIC]; /* disp32 of each entry's lea: previous target - this target */
	uint8_t *hit_jmp[BT_PIC], *tail, *table;
	uint32_t n, last; /* entries filled, the last one's target */
};

struct bt_glue {
	void (*enter)(void);
	uint8_t *exit_common, *resume_host, *ind_miss;
};

/* What a signal handler found; the dispatcher acts on it. */
enum bt_fault {
	BF_NONE,
	BF_PAGE,
	BF_MMIO,
	BF_SMC,
	BF_DIVIDE,
	BF_UD,
	BF_GP,
	BF_ASYNC,
	BF_WILD,
	BF_EXC,
	BF_PTW,	     /* a write to a traced guest page-table page */
	BF_VOLATILE, /* an access to a page whose mapping keeps changing (left unmapped) */
};

/* Per guest-physical frame: is it a traced page table (pt_gen current), at
 * which level and for which virtual base, and is it mapped writable in a
 * window (rw_gen current)? Generations make "forget everything" O(1). */
struct bt_frame {
	uint32_t pt_gen, rw_gen;
	uint32_t base;	  /* the first VA (window offset) this table translates */
	uint32_t rw_page; /* the window page (VA >> 12) it is mapped writable at */
	uint8_t level;	  /* 0 PML4 .. 3 PT */
	uint8_t multi;	  /* reached with another level or base: a write flushes all */
	uint8_t rw_multi; /* mapped writable at more than one VA */
};

/* A guest instruction emulated in C instead of faulting (adaptive). */
enum bt_site_kind { ES_MMIO, ES_PT, ES_PF, ES_KINDS };
struct bt_esite {
	uint32_t rip;
	uint8_t kind, on, flips;
	uint16_t faults, plain; /* faults before it went on; ordinary accesses in a row since */
};

struct bt_window {
	uint8_t *base;	   /* 4 GiB + guard reservation */
	uint8_t *state;	   /* per 4 KiB page: 0 unmapped, 1 read-only, 2 writable */
	uint8_t *dirty2m;  /* per 2 MiB region: any page mapped */
	uint64_t sup_only; /* mappings a CPL3 access may not have (window 0) */
};

struct bt_lapic {
	uint32_t svr, tpr, lvt_timer, lvt_err, lvt_lint0, lvt_lint1, divide, icount, ldr, dfr, esr;
	uint32_t irr[8], isr[8];
	uint64_t t_start_ns, period_ns, deadline_ns; /* deadline 0: timer idle */
};

struct bt_pending_io {
	int kind; /* 0 none, 1 port in, 2 mmio read */
	int reg, size, sign;
	uint64_t next_rip;
};

/* The vCPU's architectural state that does not live in host registers
 * (the GPRs and arithmetic flags are in struct bt_ctx); cpu.c reads and
 * writes it, callout.c and deliver.c emulate against it. */
struct bt_cpu {
	uint64_t rip, cr0, cr2, cr3, cr4, cr8, efer;
	uint64_t star, lstar, cstar, sfmask, kgsbase, fsbase, gsbase, apic_base;
	uint64_t gdt_base, idt_base, tss_base;
	uint16_t gdt_limit, idt_limit, tr, cs, ss, ds, es;
	int cpl, vif, shadow, halted;
	int pf_retry;	 /* a guest #PF is being handled: 1 | write (2) */
	uint64_t vflags; /* the FL_VIRT bits; TF set: one instruction at a time, then #DB */
	struct bt_exc {
		int pending, vector, has_err;
		uint64_t err;
	} exc;
};

/* The code cache (cache.c): translated blocks, the host-to-guest map, the
 * lookup hash, indirect-branch sites, and what the translations depend on
 * (their code pages and the virtual pages they came from). */
struct bt_cache {
	uint8_t *cache;
	uint32_t cache_used, glue_end;
	struct bt_glue g;
	struct bt_block *blocks;
	uint32_t nblocks, cap_blocks;
	struct bt_imap *imap;
	uint32_t nimap, cap_imap;
	struct bt_site *sites;
	uint32_t nsites, cap_sites;
	uint32_t *hash; /* guest RIP -> block index + 1, open addressing */
	uint32_t hash_size;
	uint8_t *code_pages;   /* per guest-physical 4 KiB page: translations exist */
	uint64_t code_va[256]; /* virtual pages translations came from (for remap checks) */
	uint64_t code_pa[256];
	int ncode_va, code_va_overflow;
	int sys_inlined; /* syscall/sysret translated with STAR/LSTAR/SFMASK/EFER baked in */
};

struct bt {
	struct vm *vm;
	struct bt_ctx *ctx;
	struct bt_cpu cpu;
	struct bt_cache tc;

	struct bt_window win[2]; /* CPL0 view, CPL3 view (U/S enforced) */
	int cur_win;
	int flush_pending;
	struct bt_esite *esites; /* guest RIPs emulated in C (MMIO, page tables, #PF) */
	uint32_t nesites, cap_esites;
	struct bt_frame *frames; /* per guest-physical page (pagetab.c) */
	uint32_t pt_gen, rw_gen;
	uint8_t *vcount;  /* per window page: remaps forced by page-table writes */
	int emul_unusual; /* the emulated access was not one a plain mapping serves */

	/* Set by signal handlers. */
	volatile sig_atomic_t fault, in_guest, async_pending, kick_pending;
	uint64_t fault_addr, fault_err;
	int fault_vec; /* BF_EXC: #MF or #XM */
	timer_t timer;
	int timer_ok, signals_set;
	uint64_t armed_ns;
	void *altstack;

	struct bt_lapic lapic;
	struct bt_pending_io pio;
	uint8_t iobuf[8];
	uint64_t step_rip; /* translate this RIP as a one-instruction step (~0 none) */
	int inline_off;	   /* tests: sensitive instructions take the callout/signal path */
	int pio_stop;	   /* bt_pio_fast: the VM stopped; report an empty EXIT_IO */
	uint64_t stats_exits[BTX_SIGNAL + 1];
	uint64_t stats_translate_ns;
	uint64_t stats_pio_fast;
	uint64_t stats_callouts, stats_blocks, stats_flushes, stats_faults, stats_signals;
	uint64_t stats_pt_writes, stats_pt_faults, stats_mem_fast;
	uint64_t stats_timer; /* timer signals taken, retries between boundaries included */
};

#define BT(vm) ((struct bt *)(vm)->accel_state)

/* glue.c */
int bt_glue_init(struct bt *bt);
uint32_t bt_emit_exit_stub(struct bt *bt, uint8_t *p, uint64_t rip, enum bt_exit kind, uint8_t *chain_site);

/* translate.c */
struct ZydisDecodedInstruction_;
struct ZydisDecodedOperand_;
int bt_fetch(struct bt *bt, uint64_t rip, uint8_t *buf, int *n, uint64_t *pa);
int bt_decode(const uint8_t *buf, int n, struct ZydisDecodedInstruction_ *d, struct ZydisDecodedOperand_ *op);
int bt_translate(struct bt *bt, uint64_t rip, int single, uint8_t **host);

/* cpu.c */
uint64_t bt_full_rflags(const struct bt *bt);
void bt_set_rflags(struct bt *bt, uint64_t f, int all);
/* popf/iretq: what the CPL and IOPL let change (IOPL at CPL0 only, IF at CPL <= IOPL). */
void bt_load_rflags(struct bt *bt, uint64_t f);
/* A GPR of any width, by its Zydis name (x86 rules for partial writes). */
uint64_t bt_reg_get(struct bt *bt, int zydis_reg);
void bt_reg_set(struct bt *bt, int zydis_reg, uint64_t v);
int bt_is_gpr(int zydis_reg);

/* cache.c */
int bt_cache_init(struct bt *bt);
void bt_cache_free(struct bt *bt);
int bt_grow(void **arr, uint32_t *cap, uint32_t need, size_t elem); /* 0, or -1 out of memory */
void bt_cache_insert(struct bt *bt, uint64_t rip, uint32_t block);
uint8_t *bt_lookup(struct bt *bt, uint64_t rip);
void bt_cache_flush(struct bt *bt);
struct bt_site *bt_new_site(struct bt *bt, uint32_t *idx);
void bt_site_refill(struct bt *bt, uint32_t idx, uint64_t rip, uint8_t *host);
struct bt_block *bt_block_of(struct bt *bt, uint64_t host_off);
const struct bt_imap *bt_imap_at(struct bt *bt, uint64_t host_off, int exact);

/* window.c */
int bt_windows_init(struct bt *bt);
void bt_windows_free(struct bt *bt);
int bt_set_cpl(struct bt *bt, int cpl);
int bt_have_fsgsbase(void);
/* Guest page walk: 0 with *pa, or -1 with the #PF error code in *err. */
int bt_walk(struct bt *bt, uint64_t va, int write, int user, int fetch, uint64_t *pa, int *writable, uint64_t *psize,
	    uint64_t *err);
/* No window may write frame any more (it holds code or a traced table):
 * its writable mapping made read-only; 1 if the windows had to be emptied
 * (it was writable at more than one address). */
int bt_frame_read_only(struct bt *bt, uint64_t frame);
/* Maps the page holding va into window w; returns a bt_fault kind. */
enum bt_fault bt_window_fault(struct bt *bt, int w, uint64_t va, int write, uint64_t *err);
int bt_flush_va(struct bt *bt, uint64_t va);
void bt_flush_all(struct bt *bt);
void bt_protect_code(struct bt *bt, uint64_t va, uint64_t pa);
int bt_code_mappings_changed(struct bt *bt);
/* Guest virtual memory for emulation: 0, or -1 with a pending #PF raised. */
int bt_read(struct bt *bt, uint64_t va, void *buf, uint32_t len);
int bt_write(struct bt *bt, uint64_t va, const void *buf, uint32_t len);
int bt_is_ram(struct bt *bt, uint64_t pa, uint64_t len);
/* The table frames a walk of va goes through, top first: how many (0 if it fails). */
int bt_walk_tables(struct bt *bt, uint64_t va, uint64_t frames[4]);
/* Window w's mappings in [va, end) (4 KiB-aligned) go: one mmap per 2 MiB region holding any. */
void bt_window_unmap(struct bt *bt, int w, uint64_t va, uint64_t end);
/* Drops the mapping of va's 4 KiB page in window w and maps it afresh. */
void bt_window_remap(struct bt *bt, int w, uint64_t va);

/* pagetab.c */
#define BT_VOLATILE_AT 4 /* remaps of one page before it stays unmapped */
int bt_pt_init(struct bt *bt);
void bt_pt_free(struct bt *bt);
static inline int bt_pt_traced(const struct bt *bt, uint64_t frame)
{
	return bt->pt_gen && bt->frames[frame].pt_gen == bt->pt_gen; /* pt_gen 0: tracing is off */
}
/* Traces the tables that translate va (before a mapping or translation is
 * derived from them); may empty the windows to protect a newly traced table. */
void bt_pt_trace(struct bt *bt, uint64_t va);
/* A write tracing cannot follow (not a mov): tracing ends for this VM. */
void bt_pt_off(struct bt *bt);
/* The windows are empty: nothing mapped writable, nothing derived. */
void bt_pt_windows_emptied(struct bt *bt);
/* Writes len bytes (within one page) at guest-physical pa, a traced table,
 * and drops or redoes what the changed entries had mapped. */
void bt_pt_write(struct bt *bt, uint64_t pa, const void *data, uint32_t len);
/* The kind of the emulated site at rip, or -1. */
int bt_emul_site(const struct bt *bt, uint64_t rip);
/* A fault of this kind at rip, which the emulator can do instead. */
void bt_site_fault(struct bt *bt, uint64_t rip, enum bt_site_kind kind);
/* After an emulated access at rip: was it one a mapping would have served? */
void bt_site_done(struct bt *bt, uint64_t rip);
unsigned bt_sites_on(const struct bt *bt, enum bt_site_kind kind);
/* The instruction at rip is one mmio_insn emulates (mov/movzx/movsx with memory). */
int bt_emulatable(struct bt *bt, uint64_t rip);

/* signals.c */
int bt_signals_init(struct bt *bt);
void bt_signals_free(struct bt *bt);
void bt_arm_timer(struct bt *bt, uint64_t deadline_ns);
uint64_t bt_now_ns(void);
void bt_kick_now(struct bt *bt);

/* deliver.c */
void bt_raise(struct bt *bt, int vector, int has_err, uint64_t err);
int bt_deliver_pending(struct bt *bt, struct vm_exit *e);
int bt_iret(struct bt *bt);

/* callout.c: 1 = the machine must handle *e, 0 = continue, -1 = error. */
int bt_callout(struct bt *bt, struct vm_exit *e, int mmio_fault);
void bt_complete_io(struct bt *bt, const struct vm_exit *e);
/* in/out from translated code without leaving it: the new RAX */
uint64_t bt_pio_fast(struct bt *bt, uint32_t desc, uint64_t rdx, uint64_t rax, uint64_t next);
/* An emulated site's RAM access from translated code (ctx->mem_*); desc:
 * bytes | store << 4 | sign-extend << 5 | destination bytes << 8. */
void bt_mem_fast(struct bt *bt, uint32_t desc, uint64_t rip);
/* strings.c: 1 if d is a string instruction (emulated, maybe partly). */
int bt_string_insn(struct bt *bt, const struct ZydisDecodedInstruction_ *d, uint64_t next);

/* inline.c: each emits the host code of one instruction at e->p. */
void bt_cpuid_fill(struct bt *bt, uint32_t leaf, uint32_t sub, uint32_t r[4]);
void bt_cpuid_table(struct bt *bt);
void bt_inline_cli_sti(struct bt *bt, uint8_t **p, uint64_t rip, uint64_t next, int sti);
void bt_inline_pushf(struct bt *bt, uint8_t **p, uint64_t rip);
void bt_inline_popf(struct bt *bt, uint8_t **p, uint64_t rip, uint64_t next);
/* mov to/from cr8 with GPR gpr (x86 number) */
void bt_inline_cr8(struct bt *bt, uint8_t **p, uint64_t rip, uint64_t next, int gpr, int write);
void bt_inline_cpuid(struct bt *bt, uint8_t **p, uint64_t rip);
/* after the divisor was loaded, zero-extended, into ctx->dv */
void bt_inline_div_check(struct bt *bt, uint8_t **p, uint64_t rip, int bits, int is_signed);
/* syscall up to the jump to LSTAR; sysret up to the jump to RCX (translate.c
 * emits the jumps). 0, or -1 if this configuration needs the callout. */
int bt_inline_syscall(struct bt *bt, uint8_t **p, uint64_t rip, uint64_t next);
int bt_inline_sysret(struct bt *bt, uint8_t **p, uint64_t rip);
void bt_inline_iretq(struct bt *bt, uint8_t **p, uint64_t rip);
/* in/out: port (imm8) or DX, size 1/2/4 bytes, through bt_pio_fast on the host stack */
void bt_inline_pio(struct bt *bt, uint8_t **p, uint64_t rip, uint64_t next, int port, int size, int out);
/* bt_mem_fast called on the host stack; a load's result goes to GPR dst */
void bt_inline_mem(struct bt *bt, uint8_t **p, uint64_t rip, uint64_t next, uint32_t desc, int dst);
/* invlpg: the windows are exact (pagetab.c), so nothing to do at CPL0 */
void bt_inline_invlpg(struct bt *bt, uint8_t **p, uint64_t rip);

/* lapic.c */
void lapic_reset(struct bt_lapic *l);
void lapic_read(struct bt_lapic *l, uint32_t off, uint32_t *v);
void lapic_write(struct bt_lapic *l, uint32_t off, uint32_t v);
void lapic_tick(struct bt_lapic *l, uint64_t now_ns);
int lapic_pending(const struct bt_lapic *l);	   /* deliverable vector or -1 */
int lapic_pending_class(const struct bt_lapic *l); /* its priority class, TPR aside; 0 none */
void lapic_accept(struct bt_lapic *l, int vector);
void lapic_set_irr(struct bt_lapic *l, int vector);

extern const struct accel_ops bt_accel;
#endif
