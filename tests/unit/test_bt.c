/* Differential tests of the binary translator: the same instruction bytes
 * run natively (code at host 0x100000, data at 0x200000, the addresses the
 * guest sees) and under vmm-mini's bt backend (identity-mapped guest); all
 * 16 GPRs, the arithmetic flags and the 64 KiB data area must agree. The
 * CPU itself is the oracle: verbatim-copied instructions leave even the
 * architecturally undefined flags the same. Random sequences cover the
 * common forms; hand-written ones the awkward cases (push %rsp, call
 * through memory, rep movs with overlap, self-modifying code, ...). */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/unit/check.h"
#include "vmm-mini/bt/bt.h"
#include "vmm-mini/bt/emit.h"
#include "vmm-mini/devices/devices.h"
#include "vmm-mini/vmm.h"

#define CODE	 0x100000ull
#define DATA	 0x200000ull
#define DATA_LEN 0x10000ull
#define STACK	 (DATA + 0xF000)

struct regs {
	uint64_t gpr[16];
	uint64_t rflags;
};

struct native {
	uint64_t in[16], in_flags, out[16], out_flags, host_rsp, entry;
};

static int in_child(int (*fn)(void), int seconds, const char *what);

static struct native *nat;
static uint8_t *nat_glue, *nat_exit;
static int sandbox_ok = -1;
static uint8_t data_init[DATA_LEN];

static int sandbox(void)
{
	if (sandbox_ok >= 0)
		return sandbox_ok;
	sandbox_ok = 0;
	void *c = mmap((void *)CODE, 0x10000, PROT_READ | PROT_WRITE | PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	void *d = mmap((void *)DATA, DATA_LEN, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	nat = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	nat_glue = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (c != (void *)CODE || d != (void *)DATA || nat == MAP_FAILED || nat_glue == MAP_FAILED)
		return 0;
	struct emit e = {nat_glue};
	bt_emit_enter(&e, nat->in, &nat->in_flags, &nat->host_rsp, &nat->entry);
	nat_exit = e.p;
	bt_emit_exit(&e, nat->out, &nat->out_flags, &nat->host_rsp);
	uint64_t s = 0x9E3779B97F4A7C15ull;
	for (size_t i = 0; i < DATA_LEN; i++) {
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		data_init[i] = (uint8_t)s;
	}
	return sandbox_ok = 1;
}

static void run_native(const uint8_t *code, size_t n, const struct regs *in, struct regs *out, uint8_t *data)
{
	memcpy((void *)CODE, code, n);
	uint8_t *end = (uint8_t *)CODE + n;
	struct emit e = {end};
	jmp_rel(&e, nat_exit);
	memcpy((void *)DATA, data_init, DATA_LEN);
	memcpy(nat->in, in->gpr, sizeof(nat->in));
	nat->in_flags = in->rflags;
	nat->entry = CODE;
	((void (*)(void))(void *)nat_glue)();
	memcpy(out->gpr, nat->out, sizeof(out->gpr));
	out->rflags = nat->out_flags;
	memcpy(data, (void *)DATA, DATA_LEN);
}

/* A guest for these tests: 8 MiB; PML4 at 0x1000, PDPT at 0x2000 (entry 3
 * = pdpt3, for 3-4 GiB), the given 2 MiB PDEs at 0x3000; code at CODE,
 * followed by out %al,$0xf4 if terminate; entered there in long mode with
 * RSP = STACK and R15 = DATA. 0, or -1 with the reason in err (the caller
 * still destroys vm). */
static int mini_guest(struct vm *vm, const uint8_t *code, size_t n, int terminate, const uint64_t *pde, size_t npde,
		      uint64_t pdpt3, char *err, size_t errlen)
{
	if (vm_init(vm, &bt_accel, 8, err, errlen))
		return -1;
	vm_add_device(vm, &debug_exit_ops, NULL);
	uint64_t pml4 = 0x2000 | 7, pdpt[4] = {0x3000 | 7, 0, 0, pdpt3};
	memcpy(vm->ram + 0x1000, &pml4, 8), memcpy(vm->ram + 0x2000, pdpt, sizeof(pdpt));
	memcpy(vm->ram + 0x3000, pde, npde * sizeof(*pde));
	memcpy(vm->ram + CODE, code, n);
	if (terminate)
		vm->ram[CODE + n] = 0xE6, vm->ram[CODE + n + 1] = 0xF4;
	struct boot_state bs = {.rip = CODE, .cr3 = 0x1000, .rsp = STACK};
	if (vm->accel->create_vcpu(vm) || vm->accel->set_boot_state(vm, &bs)) {
		snprintf(err, errlen, "%s", vm->err);
		return -1;
	}
	BT(vm)->ctx->gpr[15] = DATA;
	return 0;
}

/* The guest: 8 MiB, identity map of 8 MiB in 2 MiB pages, no IDT (any
 * exception is a triple fault), code at CODE ending in out %al,$0xf4. */
static int run_bt(const uint8_t *code, size_t n, const struct regs *in, struct regs *out, uint8_t *data, char *err,
		  size_t errlen)
{
	struct vm vm;
	int rc = -1;
	static const uint64_t pde[4] = {0x87, 0x200087, 0x400087, 0x600087};
	if (mini_guest(&vm, code, n, 1, pde, 4, 0, err, errlen))
		goto out;
	memcpy(vm.ram + DATA, data_init, DATA_LEN);
	struct bt *bt = BT(&vm);
	memcpy(bt->ctx->gpr, in->gpr, sizeof(in->gpr));
	bt_set_rflags(bt, in->rflags | FL_IF, 1); /* IF as the native side runs */
	if (vm_run(&vm, 10) || vm.stop != STOP_DEBUG_EXIT) {
		snprintf(err, errlen, "guest did not finish: stop=%d %s", (int)vm.stop, vm.err);
		goto out;
	}
	memcpy(out->gpr, bt->ctx->gpr, sizeof(out->gpr));
	out->rflags = bt->ctx->rflags;
	memcpy(data, vm.ram + DATA, DATA_LEN);
	rc = 0;
out:
	vm_destroy(&vm);
	return rc;
}

static const char *const reg_names[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
					  "r8",	 "r9",	"r10", "r11", "r12", "r13", "r14", "r15"};

static void compare(const char *what, const uint8_t *code, size_t n, const struct regs *in)
{
	static uint8_t dn[DATA_LEN], db[DATA_LEN];
	struct regs rn, rb;
	char err[600];
	run_native(code, n, in, &rn, dn);
	if (run_bt(code, n, in, &rb, db, err, sizeof(err))) {
		CHECK(0, "%s: %s", what, err);
		return;
	}
	for (int r = 0; r < 16; r++)
		CHECK(rn.gpr[r] == rb.gpr[r], "%s: %s native 0x%llx, bt 0x%llx", what, reg_names[r],
		      (unsigned long long)rn.gpr[r], (unsigned long long)rb.gpr[r]);
	CHECK((rn.rflags & FL_LIVE) == (rb.rflags & FL_LIVE), "%s: rflags native 0x%llx, bt 0x%llx", what,
	      (unsigned long long)(rn.rflags & FL_LIVE), (unsigned long long)(rb.rflags & FL_LIVE));
	for (size_t i = 0; i < DATA_LEN; i++)
		if (dn[i] != db[i]) {
			CHECK(0, "%s: data byte 0x%llx native 0x%02x, bt 0x%02x", what, (unsigned long long)(DATA + i),
			      dn[i], db[i]);
			break;
		}
}

static uint64_t rng = 88172645463325252ull;
static uint64_t rnd(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return rng;
}

static void initial(struct regs *r)
{
	for (int i = 0; i < 16; i++)
		r->gpr[i] = rnd();
	r->gpr[R_RSP] = STACK;
	r->gpr[15] = DATA + 0x100; /* the base register of random memory operands */
	r->rflags = 2 | (rnd() & (FL_LIVE & ~0x400ull));
}

/* A random general register other than rsp and r15. */
static int rreg(void)
{
	static const int ok[] = {0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
	return ok[rnd() % 14];
}

struct code {
	uint8_t b[4096];
	size_t n;
};

static void put(struct code *c, int n, ...)
{
	va_list ap;
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		c->b[c->n++] = (uint8_t)va_arg(ap, int);
	va_end(ap);
}

static uint8_t rexw(int reg, int rm)
{
	return (uint8_t)(0x48 | (reg >= 8 ? 4 : 0) | (rm >= 8 ? 1 : 0));
}

static void pop_reg(struct code *c, int r)
{
	if (r >= 8)
		put(c, 1, 0x41);
	put(c, 1, 0x58 + (r & 7));
}

/* One random instruction (no faults, stack balanced, memory inside DATA). */
static void random_insn(struct code *c)
{
	static const uint8_t alu[] = {0x01, 0x09, 0x11, 0x19, 0x21, 0x29, 0x31, 0x39, 0x85, 0x89};
	int a = rreg(), b = rreg(), d8 = (int)(rnd() % 16) * 8, cc = (int)(rnd() % 16);
	uint8_t op = alu[rnd() % 10];
	switch (rnd() % 22) {
	case 0:
	case 1: put(c, 3, rexw(a, b), op, 0xC0 | (a & 7) << 3 | (b & 7)); break;
	case 2: put(c, 4, rexw(a, 15), op == 0x85 ? 0x85 : op + 2, 0x47 | (a & 7) << 3, d8); break;  /* load */
	case 3: put(c, 4, rexw(a, 15), op, 0x47 | (a & 7) << 3, d8); break;			     /* store/RMW */
	case 4: put(c, 5, rexw(a, 0), 0x8B, 0x44 | (a & 7) << 3, 0x24, (int)(rnd() % 8) * 8); break; /* rsp-relative */
	case 5: {
		uint32_t imm = (uint32_t)rnd();
		put(c, 7, rexw(0, a), 0x81, 0xC0 | (int)(rnd() % 8) << 3 | (a & 7), imm & 0xFF, imm >> 8 & 0xFF,
		    imm >> 16 & 0xFF, imm >> 24);
		break;
	}
	case 6: {
		static const int sh[] = {0, 1, 4, 5, 7};
		put(c, 4, rexw(0, a), 0xC1, 0xC0 | sh[rnd() % 5] << 3 | (a & 7), (int)(rnd() % 64));
		break;
	}
	case 7: put(c, 3, rexw(0, a), 0xD3, 0xC0 | (int)(rnd() % 2 ? 4 : 5) << 3 | (a & 7)); break; /* shift by cl */
	case 8: put(c, 4, rexw(a, b), 0x0F, 0xAF, 0xC0 | (a & 7) << 3 | (b & 7)); break;	    /* imul */
	case 9: put(c, 3, rexw(0, a), 0xF7, 0xC0 | (int)(2 + rnd() % 4) << 3 | (a & 7)); break; /* not neg mul imul */
	case 10: put(c, 4, 0x40 | (a >= 8 ? 1 : 0), 0x0F, 0x90 + cc, 0xC0 | (a & 7)); break;	/* setcc */
	case 11: put(c, 4, rexw(a, b), 0x0F, 0x40 + cc, 0xC0 | (a & 7) << 3 | (b & 7)); break;	/* cmovcc */
	case 12: { /* lea base+index*scale+disp */
		int idx = rreg();
		put(c, 5, 0x48 | (a >= 8 ? 4 : 0) | (idx >= 8 ? 2 : 0) | (b >= 8 ? 1 : 0), 0x8D, 0x44 | (a & 7) << 3,
		    (int)(rnd() % 4) << 6 | (idx & 7) << 3 | (b & 7), (int)(rnd() & 0xFF));
		break;
	}
	case 13: /* push reg; pop reg */
		if (a >= 8)
			put(c, 1, 0x41);
		put(c, 1, 0x50 + (a & 7));
		pop_reg(c, b);
		break;
	case 14: put(c, 2, 0x6A, (int)(rnd() & 0xFF)), pop_reg(c, b); break;	     /* push imm8; pop */
	case 15: put(c, 4, 0x41, 0xFF, 0x77, d8), pop_reg(c, b); break;		     /* push [r15+d]; pop */
	case 16: put(c, 5, 0xF0, rexw(a, 15), 0x01, 0x47 | (a & 7) << 3, d8); break; /* lock add */
	case 17: put(c, 4, rexw(a, 15), 0x87, 0x47 | (a & 7) << 3, d8); break;	     /* xchg mem */
	case 18: put(c, 5, rexw(a, 15), 0x0F, (int)(rnd() % 2 ? 0xB6 : 0xBE), 0x47 | (a & 7) << 3, d8); break;
	case 19:
		put(c, 4, 0x66, 0x40 | (a >= 8 ? 4 : 0) | (b >= 8 ? 1 : 0), 0x01, 0xC0 | (a & 7) << 3 | (b & 7));
		break;
	case 20: put(c, 6, 0x41, 0x0F, 0xBA, 0x40 | (int)(4 + rnd() % 4) << 3 | 7, d8, (int)(rnd() % 64)); break;
	default: put(c, 5, 0xE8, 0, 0, 0, 0), pop_reg(c, b); break; /* call next; pop: the return address */
	}
}

static void test_random(const char *arg)
{
	(void)arg;
	if (!sandbox())
		return;
	for (int t = 0; t < 60; t++) {
		struct code c = {{0}, 0};
		struct regs in;
		initial(&in);
		for (int i = 0; i < 40; i++) {
			if (rnd() % 8 == 0) { /* jcc over the next instruction */
				struct code next = {{0}, 0};
				random_insn(&next);
				put(&c, 2, 0x70 + (int)(rnd() % 16), (int)next.n);
				memcpy(c.b + c.n, next.b, next.n);
				c.n += next.n;
			} else {
				random_insn(&c);
			}
		}
		char what[32];
		snprintf(what, sizeof(what), "random #%d", t);
		compare(what, c.b, c.n, &in);
	}
}

/* Hand-written cases, assembled by the compiler into .rodata. */
#define SNIPPET(name, body)                                                                                            \
	extern const uint8_t name[], name##_end[];                                                                     \
	__asm__(".pushsection .rodata\n.globl " #name ", " #name "_end\n" #name ":\n" body "\n" #name "_end:\n"        \
		".popsection\n")

SNIPPET(sn_stack, "push %rsp; pop %rax; push %rsp; pushq 8(%rsp); pop %rbx; pop %rcx;"
		  "mov %rsp, %rbp; push %rdx; push %rsi; leave; sub $16, %rsp; mov 8(%rsp), %rdx; add %rdi, (%rsp);"
		  "pop %r8; pop %r9; pushq $-5; popq %r10");
SNIPPET(sn_flags_glue, "cmp %rbx, %rax; push %rax; pop %rcx; call 1f; jmp 2f; 1: ret; 2: seta %dl; setl %dh;"
		       "sets %bl; seto %bh; setp %sil; add %r8, %r9; lea 8(%rsp), %rsp; lea -8(%rsp), %rsp;"
		       "lea 4f(%rip), %r13; mov %r13, 0x48(%r15); jmp *0x48(%r15); 4: setc %r11b; adc $0, %r12");
SNIPPET(sn_calls, "lea 1f(%rip), %rax; mov %rax, 0x40(%r15); call *0x40(%r15); lea 2f(%rip), %rcx; call *%rcx;"
		  "lea 3f(%rip), %rdx; jmp *%rdx; 1: add $1, %rbx; ret; 2: add $2, %rbx; ret $0; 3: mov $3, %esi");
/* One return site reached from 6 call sites, an indirect call through a
 * table of 6 targets, each 3 times round: the inline caches refill, give
 * up and fall back to the table, and every return still lands right. */
SNIPPET(sn_polymorphic, "xor %eax, %eax; mov $3, %r8d; lea 10f(%rip), %r9; lea 11f(%rip), %r10;"
			"mov %r9, 0x00(%r15); mov %r10, 0x08(%r15); mov %r9, 0x10(%r15); mov %r10, 0x18(%r15);"
			"mov %r9, 0x20(%r15); mov %r10, 0x28(%r15);"
			"1: call 10f; call 10f; call 11f; call 10f; call 11f; call 10f;"
			"xor %ecx, %ecx; 2: call *(%r15,%rcx,8); add $1, %ecx; cmp $6, %ecx; jne 2b;"
			"sub $1, %r8d; jnz 1b; jmp 3f; 10: add $1, %rax; ret; 11: add $100, %rax; ret; 3: nop");
/* More targets than a site's inline cache holds (BT_PIC): an indirect call
 * through a table of 10 (each target folds its own constant into RAX, so a
 * wrong dispatch changes the result) fills every entry, then goes to the
 * table lookup; and one return reached from 10 call sites. 3 rounds. */
SNIPPET(sn_megamorphic,
	"xor %eax, %eax; xor %ebx, %ebx; mov $3, %r8d; lea 20f(%rip), %r9; xor %ecx, %ecx;"
	"0: mov %r9, (%r15,%rcx,8); add $16, %r9; add $1, %ecx; cmp $10, %ecx; jne 0b;"
	"1: xor %ecx, %ecx; 2: call *(%r15,%rcx,8); add $1, %ecx; cmp $10, %ecx; jne 2b;"
	"call 30f; call 30f; call 30f; call 30f; call 30f; call 30f; call 30f; call 30f; call 30f;"
	"call 30f; sub $1, %r8d; jnz 1b; jmp 40f;"
	".p2align 4; 20: imul $3, %rax; add $1, %rax; ret; .p2align 4; imul $3, %rax; add $2, %rax; ret;"
	".p2align 4; imul $3, %rax; add $3, %rax; ret; .p2align 4; imul $3, %rax; add $4, %rax; ret;"
	".p2align 4; imul $3, %rax; add $5, %rax; ret; .p2align 4; imul $3, %rax; add $6, %rax; ret;"
	".p2align 4; imul $3, %rax; add $7, %rax; ret; .p2align 4; imul $3, %rax; add $8, %rax; ret;"
	".p2align 4; imul $3, %rax; add $9, %rax; ret; .p2align 4; imul $3, %rax; add $10, %rax; ret;"
	"30: lea 7(%rbx,%rbx,2), %rbx; ret; 40: nop");
/* x87 and SSE: the guest's FP state must survive exits (pushfq/popfq and
 * cpuid are callouts) and never leak into the VMM's; results go to GPRs and
 * memory, which compare() checks. XMM registers are set before use. */
SNIPPET(sn_fp, "fninit; movl $0x1f80, 0x60(%r15); ldmxcsr 0x60(%r15); pxor %xmm0, %xmm0; pxor %xmm1, %xmm1; cvtsi2sd "
	       "%rax, %xmm0; cvtsi2sd %rbx, %xmm1;"
	       "mulsd %xmm1, %xmm0; pushfq; popfq; cvttsd2si %xmm0, %rcx; movdqu 0x10(%r15), %xmm2; paddq %xmm2, %xmm2;"
	       "movdqu %xmm2, 0x20(%r15); pmovmskb %xmm2, %edx; movq %rax, %xmm5; mov $0, %eax; cpuid;"
	       "movq %xmm5, %rsi; fildq 0x30(%r15); fildq 0x38(%r15); faddp; fistpq 0x40(%r15); fld1; fldpi;"
	       "pushfq; popfq; fmulp; fstpl 0x48(%r15); fld1; pushfq; popfq; fistpq 0x50(%r15); fnstsw %ax;"
	       "stmxcsr 0x58(%r15); andpd %xmm1, %xmm0; movq %xmm0, %rdi; ucomisd %xmm1, %xmm0; setp %r8b");
SNIPPET(sn_partial, "mov $-1, %rax; mov $5, %al; mov $6, %ah; mov %rax, %rbx; mov $7, %ax; mov %rax, %rcx;"
		    "mov $8, %eax; movb $9, 3(%r15); movw $10, 5(%r15); movl $11, 8(%r15); movsbq 3(%r15), %rdx;"
		    "movzwl 5(%r15), %esi; xchg %ah, %al; bswap %rdi; cbw; cwde; cqo");
SNIPPET(sn_lock, "mov $5, %eax; lock xadd %rax, 0x10(%r15); lock cmpxchg %rbx, 0x18(%r15); lock incq 0x20(%r15);"
		 "lock btsq $3, 0x28(%r15); xchg %rcx, 0x30(%r15); lock andl $0xf0f0, 0x38(%r15)");
SNIPPET(sn_strings, "lea 0x100(%r15), %rsi; lea 0x101(%r15), %rdi; mov $64, %ecx; cld; rep movsb;"
		    "lea 0x300(%r15), %rdi; mov $0xab, %eax; mov $100, %ecx; rep stosb;"
		    "lea 0x400(%r15), %rsi; lea 0x500(%r15), %rdi; mov $16, %ecx; rep movsq;"
		    "lea 0x6ff(%r15), %rsi; lea 0x7ff(%r15), %rdi; mov $32, %ecx; std; rep movsb; cld;"
		    "lea 0x400(%r15), %rsi; lea 0x500(%r15), %rdi; mov $200, %ecx; repe cmpsb;"
		    "lea 0x300(%r15), %rdi; mov $0x11, %al; mov $50, %ecx; repne scasb; lodsq; stosl; movsw");
SNIPPET(sn_loops, "mov $10, %ecx; xor %eax, %eax; 1: add %rcx, %rax; loop 1b; mov $3, %ecx; 2: dec %ecx;"
		  "jrcxz 3f; jmp 2b; 3: mov $100, %edx; 4: sub $7, %rdx; jg 4b; mov $1, %r8d; xor %edx, %edx;"
		  "mov $1000003, %r9; mov %rbx, %rax; and $0xffffff, %eax; div %r9; pushfq; popq %r10");
SNIPPET(sn_riprel, "mov 1f(%rip), %rax; lea 1f(%rip), %rbx; add 1f+4(%rip), %ecx; cmpb $0x90, 1f(%rip);"
		   "sete %dl; jmp 2f; 1: .quad 0x1122334455667788; 2: movabs $0x200180, %rsi; mov (%rsi), %rdi;"
		   "movabs 0x200188, %eax; movabs 0x200190, %al; movabs %rax, 0x200198; movabs %ax, 0x2001a0");
/* Fixed addresses without base or index ([disp32], ModRM with an empty
 * SIB): loads, stores with an immediate after the disp, read-modify-write,
 * push and an indirect call through one, a store then a load back. */
SNIPPET(sn_absolute, "mov 0x200180, %rax; addl $5, 0x200184; movb $7, 0x200190; cmpw $3, 0x200192; sete %bl;"
		     "pushq 0x200188; pop %rcx; mov %rcx, 0x200198; lea 1f(%rip), %rdx; mov %rdx, 0x2001a0;"
		     "call *0x2001a0; jmp 2f; 1: add $1, %rsi; ret; 2: incq 0x2001a8; btsq $3, 0x2001b0;"
		     "mov %rax, 0x2001b8; mov 0x2001b8, %rdi; imul $3, 0x200184, %r8d");
SNIPPET(sn_smc, "lea 1f+1(%rip), %r14; movl $0x1234, (%r14); jmp 1f; 1: mov $0, %eax;"
		"movl $0x5678, 2f+1(%rip); 2: mov $0, %ebx; lea 3f+2(%rip), %r13; movb $0x42, (%r13); 3: add $0, %cl");

/* Native: pushf/popf with every live flag (IF stays set, as user mode
 * must), and div/idiv of each size and divisor form that does not fault. */
SNIPPET(sn_pushf_popf, "pushfq; pop %rax; mov %rax, %rbx; xor $0xcd5, %rbx; push %rbx; popfq; pushfq; pop %rcx;"
		       "std; pushfq; pop %rdx; push %rax; popfq; pushfq; pop %rsi; mov $0xed7, %r8d; push %r8;"
		       "popfq; seto %r9b; setc %r10b; sets %r11b; setz %r12b; setp %r13b; pushfq; pop %rdi; cld;"
		       "pushfq; pop %r14; mov %r14, 0x10(%r15); push %rax; popfq");
SNIPPET(sn_div_ok, "mov $1000, %eax; xor %edx, %edx; mov $7, %ecx; div %ecx; mov %rax, %r8; mov %rdx, %r9;"
		   "mov $-500, %ax; mov $7, %cl; idiv %cl; mov %rax, %r10; mov $0x1234, %ax; mov $0x12, %dx;"
		   "mov $0x100, %bx; div %bx; mov %rax, %r11; movabs $-123456789012, %rax; cqo; mov $-977, %rsi;"
		   "idiv %rsi; mov %rax, %r12; mov %rdx, %r13; movq $13, 0x20(%r15); mov $99999, %eax;"
		   "xor %edx, %edx; divq 0x20(%r15); mov %rax, %rbp; mov $200, %ax; mov $3, %bh; div %bh;"
		   "mov %rax, %rbx; mov $77, %ax; mov $5, %sil; idiv %sil; mov $55, %ax; mov $6, %r9b; div %r9b;"
		   "movl $-3, 0x28(%r15); mov $-100, %eax; cdq; idivl 0x28(%r15); mov $0x7fff, %ax; cwd;"
		   "movw $-1, 0x30(%r15); idivw 0x30(%r15)");

static void test_snippet(const char *name)
{
	static const struct {
		const char *name;
		const uint8_t *b, *e;
	} sn[] = {
	    {"stack", sn_stack, sn_stack_end},
	    {"flags-glue", sn_flags_glue, sn_flags_glue_end},
	    {"calls", sn_calls, sn_calls_end},
	    {"partial", sn_partial, sn_partial_end},
	    {"lock", sn_lock, sn_lock_end},
	    {"strings", sn_strings, sn_strings_end},
	    {"loops", sn_loops, sn_loops_end},
	    {"riprel", sn_riprel, sn_riprel_end},
	    {"smc", sn_smc, sn_smc_end},
	    {"polymorphic", sn_polymorphic, sn_polymorphic_end},
	    {"fp", sn_fp, sn_fp_end},
	    {"pushf-popf", sn_pushf_popf, sn_pushf_popf_end},
	    {"div", sn_div_ok, sn_div_ok_end},
	    {"megamorphic", sn_megamorphic, sn_megamorphic_end},
	    {"absolute", sn_absolute, sn_absolute_end},
	};
	if (!sandbox())
		return;
	for (size_t i = 0; i < sizeof(sn) / sizeof(sn[0]); i++) {
		if (strcmp(sn[i].name, name))
			continue;
		for (int t = 0; t < 4; t++) {
			struct regs in;
			initial(&in);
			in.rflags &= ~0x400ull;
			compare(name, sn[i].b, (size_t)(sn[i].e - sn[i].b), &in);
		}
	}
}

/* Guest code that would harm the host if it ran natively: it must end
 * in a clean stop (here: no IDT, so a triple fault), never in the host. */
SNIPPET(sn_syscall, "mov $60, %eax; xor %edi, %edi; syscall");
SNIPPET(sn_int80, "mov $1, %eax; int $0x80");
SNIPPET(sn_wrgsbase, "xor %eax, %eax; wrgsbase %rax");
SNIPPET(sn_guard, "mov $0xfffffffc, %eax; mov (%rax), %rbx");
SNIPPET(sn_wrap, "movabs $0x100200000, %rax; mov (%rax), %rbx; mov %rbx, 0(%r15)");

static void test_hostile(const char *name)
{
	static const struct {
		const char *name;
		const uint8_t *b, *e;
		int stop;
	} sn[] = {
	    {"syscall", sn_syscall, sn_syscall_end, STOP_SHUTDOWN},    {"int80", sn_int80, sn_int80_end, STOP_SHUTDOWN},
	    {"wrgsbase", sn_wrgsbase, sn_wrgsbase_end, STOP_SHUTDOWN}, {"guard", sn_guard, sn_guard_end, STOP_SHUTDOWN},
	    {"wrap", sn_wrap, sn_wrap_end, STOP_DEBUG_EXIT},
	};
	for (size_t i = 0; i < sizeof(sn) / sizeof(sn[0]); i++) {
		if (strcmp(sn[i].name, name))
			continue;
		struct vm vm;
		char err[512];
		static const uint64_t pde[2] = {0x87, 0x200087};
		int rc = mini_guest(&vm, sn[i].b, (size_t)(sn[i].e - sn[i].b), 1, pde, 2, 0, err, sizeof(err));
		CHECK(rc == 0, "%s: %s", name, err);
		if (!rc)
			rc = vm_run(&vm, 10);
		CHECK(rc == 0 && (int)vm.stop == sn[i].stop, "%s: stop %d, expected %d (%s)", name, (int)vm.stop,
		      sn[i].stop, vm.err);
		vm_destroy(&vm);
	}
}

/* U/S: CPL3 code (entered with iretq) reads rax, then writes a marker to
 * DATA and stops with ud2 (no IDT: triple fault). A supervisor-only page
 * (4-6 MiB here) must fault before the marker, whether or not CPL0 touched
 * it first (the user view is then a separate window); a user page must not. */
SNIPPET(sn_user, "test %rdx, %rdx; jz 1f; mov (%rax), %rcx; 1: mov %rsp, %rcx; pushq $0x23; push %rcx; pushq $2;"
		 "pushq $0x2b; lea 2f(%rip), %rcx; push %rcx; iretq; 2: mov (%rax), %rbx; movq $1, (%r15); ud2");

static void test_user(const char *arg)
{
	static const struct {
		uint64_t addr;
		int cpl0_touch, marker;
	} cases[] = {{0x400000, 0, 0}, {0x400000, 1, 0}, {DATA + 64, 0, 1}, {DATA + 64, 1, 1}};
	(void)arg;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vm vm;
		char err[512];
		static const uint64_t pde[3] = {0x87, 0x200087, 0x400083 /* no U */};
		int rc = mini_guest(&vm, sn_user, (size_t)(sn_user_end - sn_user), 0, pde, 3, 0, err, sizeof(err));
		CHECK(rc == 0, "case %zu: %s", i, err);
		if (!rc) {
			BT(&vm)->ctx->gpr[R_RAX] = cases[i].addr;
			BT(&vm)->ctx->gpr[R_RDX] = (uint64_t)cases[i].cpl0_touch;
			rc = vm_run(&vm, 10);
		}
		uint64_t marker = ~0ull;
		if (vm.ram)
			memcpy(&marker, vm.ram + DATA, 8);
		CHECK(rc == 0 && vm.stop == STOP_SHUTDOWN && (int)marker == cases[i].marker,
		      "case %zu (0x%llx, cpl0 touched %d): stop %d, marker %llu, expected %d", i,
		      (unsigned long long)cases[i].addr, cases[i].cpl0_touch, (int)vm.stop, (unsigned long long)marker,
		      cases[i].marker);
		vm_destroy(&vm);
	}
}

/* Random bytes as guest code, random registers, a valid-looking stack: the
 * guest may do anything, but vmm-mini must come back (stopped for some
 * reason, with a message when it is an error), and nothing outside guest RAM
 * may change: the native sandbox pages at host 0x100000/0x200000 are where
 * a guest access would land if a rewrite ever lost its %gs prefix. */
static int random_bytes(void)
{
	int failures = check_failures;
	memset((void *)CODE, 0xCC, 0x10000);
	memset((void *)DATA, 0x5A, DATA_LEN);
	int stops[8] = {0};
	for (int t = 0; t < 150; t++) {
		struct vm vm;
		char err[512];
		uint8_t code[96];
		static const uint64_t pde[4] = {0x87, 0x200087, 0x400087, 0x600087};
		for (size_t i = 0; i < sizeof(code); i++)
			code[i] = (uint8_t)rnd();
		int rc = mini_guest(&vm, code, sizeof(code), 0, pde, 4, 0, err, sizeof(err));
		CHECK(rc == 0, "random code #%d: %s", t, err);
		vm.max_exits = 20000;
		if (!rc) {
			struct regs in;
			initial(&in);
			for (int r = 0; r < 16; r++) /* addresses in and around guest RAM, and wild ones */
				if (r != R_RSP)
					BT(&vm)->ctx->gpr[r] = r & 1 ? (in.gpr[r] & 0xFFFFFF) : in.gpr[r];
			rc = vm_run(&vm, 1);
		}
		CHECK(rc == 0 || vm.err[0], "random code #%d: failed without a message", t);
		stops[vm.stop & 7]++;
		vm_destroy(&vm);
	}
	for (size_t i = 0; i < 0x10000; i++)
		if (((uint8_t *)CODE)[i] != 0xCC || ((uint8_t *)DATA)[i] != 0x5A) {
			CHECK(0, "host memory at 0x%llx changed: a guest access escaped its window",
			      (unsigned long long)(((uint8_t *)CODE)[i] != 0xCC ? CODE + i : DATA + i));
			break;
		}
	fprintf(stderr, "    random code: stops debug-exit %d, shutdown %d, fault %d, watchdog %d, exit-limit %d\n",
		stops[STOP_DEBUG_EXIT], stops[STOP_SHUTDOWN], stops[STOP_FAULT], stops[STOP_WATCHDOG],
		stops[STOP_EXIT_LIMIT]);
	return check_failures == failures;
}

static void test_random_bytes(const char *arg)
{
	(void)arg;
	if (sandbox())
		in_child(random_bytes, 240, "random guest code");
}

/* Interrupts reach a chained loop: the LAPIC timer (periodic, vector 32)
 * must stop a block that jumps to itself, at an instruction boundary, and
 * run the handler three times; nothing else ever leaves that loop. */
SNIPPET(sn_irq, "mov $0xfee00000, %ebx; movl $0x1ff, 0xf0(%rbx); movl $0xb, 0x3e0(%rbx);"
		"movl $0x20020, 0x320(%rbx); movl $100000, 0x380(%rbx); movq $0, (%r15); sti;"
		"1: cmpq $3, (%r15); jb 1b; cli; movl $0x10000, 0x320(%rbx); jmp 2f;"
		".globl sn_irq_handler; sn_irq_handler: addq $1, (%r15); movl $0, 0xb0(%rbx); iretq; 2:");
extern const uint8_t sn_irq_handler[];

static int irq_in_loop(void)
{
	struct vm vm;
	char err[512];
	/* 0-4 MiB in 2 MiB pages, 3-4 GiB as one 1 GiB page (the local APIC) */
	static const uint64_t pde[2] = {0x87, 0x200087};
	int rc = mini_guest(&vm, sn_irq, (size_t)(sn_irq_end - sn_irq), 1, pde, 2, 0xC0000083, err, sizeof(err));
	if (!rc) {
		uint64_t h = CODE + (uint64_t)(sn_irq_handler - sn_irq); /* interrupt gate, vector 32 */
		uint8_t gate[16] = {(uint8_t)h,		(uint8_t)(h >> 8), 0x08, 0, 0, 0x8E,
				    (uint8_t)(h >> 16), (uint8_t)(h >> 24)};
		memcpy(vm.ram + 0x5000 + 32 * 16, gate, 16);
		BT(&vm)->cpu.idt_base = 0x5000, BT(&vm)->cpu.idt_limit = 0xFFF;
		rc = vm_run(&vm, 10);
	}
	uint64_t ticks = 0;
	if (vm.ram)
		memcpy(&ticks, vm.ram + DATA, 8);
	int ok = rc == 0 && vm.stop == STOP_DEBUG_EXIT && ticks >= 3;
	if (!ok)
		fprintf(stderr, "    stop %d (%s%s), ticks %llu\n", (int)vm.stop, rc ? err : "", vm.err,
			(unsigned long long)ticks);
	vm_destroy(&vm);
	return ok;
}

/* Runs fn in a child with a deadline: a VMM that cannot get out of guest
 * code would otherwise hang the whole suite (its watchdog uses the same
 * way in). 1 = fn returned true in time. */
static int in_child(int (*fn)(void), int seconds, const char *what)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0)
		_exit(fn() ? 0 : 1);
	int status = 0, done = 0;
	for (int i = 0; pid > 0 && i < seconds * 10 && !done; i++) {
		done = waitpid(pid, &status, WNOHANG) == pid;
		if (!done)
			usleep(100000);
	}
	if (pid > 0 && !done) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	CHECK(done && WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s (child %s, status 0x%x)", what,
	      done ? "ended" : "killed at its deadline", status);
	return done && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void test_irq_in_loop(const char *arg)
{
	(void)arg;
	in_child(irq_in_loop, 30, "the timer did not break into the loop");
}

/* Inline sensitive instructions (bt/inline.c) against the CPU and against
 * the callout/signal path they replace (bt->inline_off). */

/* Exception and interrupt handlers for the guests below: the vector and
 * the interrupted RIP go to DATA+0x800/0x808, then the VM stops. */
SNIPPET(sn_vec, ".globl sn_h0, sn_h1, sn_h13, sn_h14, sn_h32;"
		"sn_h1: movq $1, 0x800(%r15); mov (%rsp), %r14; mov %r14, 0x808(%r15); out %al, $0xf4;"
		"sn_h0: movq $0, 0x800(%r15); mov (%rsp), %r14; mov %r14, 0x808(%r15); out %al, $0xf4;"
		"sn_h13: movq $13, 0x800(%r15); mov 8(%rsp), %r14; mov %r14, 0x808(%r15); out %al, $0xf4;"
		"sn_h14: movq $14, 0x800(%r15); mov 8(%rsp), %r14; mov %r14, 0x808(%r15); out %al, $0xf4;"
		"sn_h32: movq $32, 0x800(%r15); mov (%rsp), %r14; mov %r14, 0x808(%r15); out %al, $0xf4");
extern const uint8_t sn_h0[], sn_h1[], sn_h13[], sn_h14[], sn_h32[];

#define VEC_AT (CODE + 0x8000)

struct vec_case {
	const char *name;
	const char *asm_; /* unused: documentation in the table */
	const uint8_t *b, *e;
	int vif, tpr, irq; /* initial virtual IF, TPR, a pending LAPIC vector (0 none) */
	uint64_t rax, rdx, rcx;
};

struct vec_out {
	uint64_t gpr[16], flags, vec, rip, signals, io_exits, unhandled_io, pt_writes, mem_fast;
	int vif, stop, pt_sites, pf_sites, traced;
};

static void gate(struct vm *vm, int v, const uint8_t *h)
{
	uint64_t a = VEC_AT + (uint64_t)(h - sn_vec);
	uint8_t g[16] = {(uint8_t)a, (uint8_t)(a >> 8), 0x08, 0, 0, 0x8E, (uint8_t)(a >> 16), (uint8_t)(a >> 24)};
	memcpy(vm->ram + 0x5000 + v * 16, g, 16);
}

/* Runs c once with inline translation on or off; 0 or -1 (CHECK failed). */
static int run_vec(const struct vec_case *c, int inline_off, struct vec_out *o)
{
	struct vm vm;
	char err[512];
	static const uint64_t pde[4] = {0x87, 0x200087, 0x400087, 0x600087};
	int rc = mini_guest(&vm, c->b, (size_t)(c->e - c->b), 1, pde, 4, 0, err, sizeof(err));
	CHECK(rc == 0, "%s: %s", c->name, err);
	if (!rc) {
		struct bt *bt = BT(&vm);
		memcpy(vm.ram + VEC_AT, sn_vec, (size_t)(sn_vec_end - sn_vec));
		memset(vm.ram + DATA, 0, DATA_LEN);
		memset(vm.ram + DATA + 0x800, 0xEE, 16);
		gate(&vm, 0, sn_h0), gate(&vm, 1, sn_h1), gate(&vm, 13, sn_h13), gate(&vm, 14, sn_h14);
		gate(&vm, 32, sn_h32);
		uint64_t rsp0 = STACK - 0x400;
		memcpy(vm.ram + DATA + 0x904, &rsp0, 8); /* TSS.RSP0 for the CPL3 cases */
		bt->cpu.idt_base = 0x5000, bt->cpu.idt_limit = 0xFFF, bt->cpu.tss_base = DATA + 0x900;
		bt->inline_off = inline_off;
		bt->cpu.vif = c->vif;
		bt->lapic.tpr = (uint32_t)c->tpr << 4;
		if (c->irq) {
			bt->lapic.svr |= 0x100; /* software-enabled */
			lapic_set_irr(&bt->lapic, c->irq);
		}
		bt->ctx->gpr[R_RAX] = c->rax, bt->ctx->gpr[R_RDX] = c->rdx, bt->ctx->gpr[R_RCX] = c->rcx;
		rc = vm_run(&vm, 10);
		memcpy(o->gpr, bt->ctx->gpr, sizeof(o->gpr));
		o->flags = bt->ctx->rflags & FL_LIVE;
		memcpy(&o->vec, vm.ram + DATA + 0x800, 8), memcpy(&o->rip, vm.ram + DATA + 0x808, 8);
		o->vif = bt->cpu.vif, o->stop = (int)vm.stop, o->signals = bt->stats_exits[BTX_SIGNAL];
		o->io_exits = vm.stats.exits[EXIT_IO], o->unhandled_io = vm.stats.unhandled_io;
		o->pt_writes = bt->stats_pt_writes, o->traced = bt->pt_gen != 0, o->mem_fast = bt->stats_mem_fast;
		o->pt_sites = (int)bt_sites_on(bt, ES_PT), o->pf_sites = (int)bt_sites_on(bt, ES_PF);
		if (o->rip >= CODE && o->rip < CODE + 0x10000)
			o->rip -= CODE;
		CHECK(rc == 0, "%s: vm_run: %s", c->name, vm.err);
	}
	vm_destroy(&vm);
	return rc ? -1 : 0;
}

/* Both paths agree on everything the guest can see. */
static int vec_same(const struct vec_case *c, struct vec_out *in)
{
	struct vec_out co;
	if (run_vec(c, 0, in) || run_vec(c, 1, &co))
		return 0;
	int ok = 1;
	for (int r = 0; r < 16; r++)
		if (r != 14 && in->gpr[r] != co.gpr[r]) {
			CHECK(0, "%s: %s inline 0x%llx, callout 0x%llx", c->name, reg_names[r],
			      (unsigned long long)in->gpr[r], (unsigned long long)co.gpr[r]);
			ok = 0;
		}
	CHECK(in->io_exits == co.io_exits && in->unhandled_io == co.unhandled_io,
	      "%s: port I/O counted inline %llu (unhandled %llu), callout %llu (%llu)", c->name,
	      (unsigned long long)in->io_exits, (unsigned long long)in->unhandled_io, (unsigned long long)co.io_exits,
	      (unsigned long long)co.unhandled_io);
	CHECK(in->flags == co.flags && in->vec == co.vec && in->rip == co.rip && in->vif == co.vif &&
		  in->stop == co.stop,
	      "%s: inline flags 0x%llx vector %lld rip +0x%llx IF %d stop %d; callout 0x%llx %lld +0x%llx %d %d",
	      c->name, (unsigned long long)in->flags, (long long)in->vec, (unsigned long long)in->rip, in->vif,
	      in->stop, (unsigned long long)co.flags, (long long)co.vec, (unsigned long long)co.rip, co.vif, co.stop);
	return ok && in->flags == co.flags && in->vec == co.vec && in->rip == co.rip;
}

/* #DE: zero divisors and INT_MIN / -1 in every size, register and memory
 * divisors, div overflow; delivered at the division with no host signal. */
SNIPPET(sn_de8, "mov $0xff80, %ax; mov $-1, %bl; idiv %bl");
SNIPPET(sn_de16, "mov $0x8000, %ax; mov $-1, %dx; mov $-1, %bx; idiv %bx");
SNIPPET(sn_de32, "mov $0x80000000, %eax; mov $-1, %edx; mov $-1, %ebx; idiv %ebx");
SNIPPET(sn_de64, "movabs $0x8000000000000000, %rax; mov $-1, %rdx; mov $-1, %rbx; idiv %rbx");
SNIPPET(sn_de0_8, "mov $100, %ax; xor %ebx, %ebx; div %bl");
SNIPPET(sn_de0_16, "xor %ebx, %ebx; idiv %bx");
SNIPPET(sn_de0_32, "movl $0, 0x40(%r15); divl 0x40(%r15)");
SNIPPET(sn_de0_64, "movq $0, 0x40(%r15); idivq 0x40(%r15)");
SNIPPET(sn_de_ovf, "mov $5, %edx; mov $5, %ebx; div %ebx");
SNIPPET(sn_de_ah, "mov $0x0305, %ax; div %ah");
SNIPPET(sn_de_r9b, "mov $0x9000, %ax; mov $0x10, %r9b; div %r9b");
SNIPPET(sn_de_idiv_ovf, "mov $1, %edx; xor %eax, %eax; mov $-1, %ebx; idiv %ebx"); /* not INT_MIN: the signal */

static void test_inline_divide(const char *arg)
{
	(void)arg;
	static const struct vec_case c[] = {
	    {"idiv8 INT_MIN/-1", 0, sn_de8, sn_de8_end, 1, 0, 0, 0, 0, 0},
	    {"idiv16 INT_MIN/-1", 0, sn_de16, sn_de16_end, 1, 0, 0, 0, 0, 0},
	    {"idiv32 INT_MIN/-1", 0, sn_de32, sn_de32_end, 1, 0, 0, 0, 0, 0},
	    {"idiv64 INT_MIN/-1", 0, sn_de64, sn_de64_end, 1, 0, 0, 0, 0, 0},
	    {"div8 by 0", 0, sn_de0_8, sn_de0_8_end, 1, 0, 0, 0, 0, 0},
	    {"idiv16 by 0", 0, sn_de0_16, sn_de0_16_end, 1, 0, 0, 0, 0, 0},
	    {"div32 by 0 (memory)", 0, sn_de0_32, sn_de0_32_end, 1, 0, 0, 0, 0, 0},
	    {"idiv64 by 0 (memory)", 0, sn_de0_64, sn_de0_64_end, 1, 0, 0, 0, 0, 0},
	    {"div32 overflow", 0, sn_de_ovf, sn_de_ovf_end, 1, 0, 0, 0, 0, 0},
	    {"div8 by ah", 0, sn_de_ah, sn_de_ah_end, 1, 0, 0, 0, 0, 0},
	    {"div8 by r9b overflow", 0, sn_de_r9b, sn_de_r9b_end, 1, 0, 0, 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct vec_out o;
		if (!vec_same(&c[i], &o))
			continue;
		CHECK(o.vec == 0 && o.stop == STOP_DEBUG_EXIT && o.signals == 0,
		      "%s: vector %lld stop %d signals %llu (want #DE, no host signal)", c[i].name, (long long)o.vec,
		      o.stop, (unsigned long long)o.signals);
	}
	/* idiv overflow other than INT_MIN/-1 still faults natively: the signal path */
	struct vec_case s = {"idiv32 overflow", 0, sn_de_idiv_ovf, sn_de_idiv_ovf_end, 1, 0, 0, 0, 0, 0};
	struct vec_out o;
	if (vec_same(&s, &o))
		CHECK(o.vec == 0 && o.signals >= 1, "%s: vector %lld signals %llu", s.name, (long long)o.vec,
		      (unsigned long long)o.signals);
}

/* Interrupt windows: sti's shadow (one instruction) at a block start, in
 * the middle, as the last slot (where it falls back to the callout), sti
 * then cli (never delivered), popf and cr8 unmasking a pending vector. */
SNIPPET(sn_sti, "sti; mov $1, %ebx; mov $2, %ecx; mov $3, %edx");
SNIPPET(sn_sti_mid, "mov $9, %esi; sti; mov $1, %ebx; mov $2, %ecx");
SNIPPET(sn_sti_last, ".rept 46; nop; .endr; sti; mov $1, %ebx; mov $2, %ecx");
SNIPPET(sn_sti_over, ".rept 47; nop; .endr; sti; mov $1, %ebx; mov $2, %ecx");
SNIPPET(sn_sti_cli, "sti; cli; mov $1, %ebx; mov $2, %ecx");
SNIPPET(sn_sti_on, "sti; mov $1, %ebx; mov $2, %ecx"); /* IF already set: delivered before sti */
SNIPPET(sn_popf_on, "mov $1, %ebx; pushq $0x202; popfq; mov $2, %ecx");
SNIPPET(sn_popf_off, "mov $1, %ebx; pushq $0x2; popfq; mov $2, %ecx; pushfq; pop %rsi");
SNIPPET(sn_cr8_on, "mov $1, %ebx; mov %cr8, %rdx; xor %eax, %eax; mov %rax, %cr8; mov $2, %ecx");
SNIPPET(sn_cr8_same, "mov $1, %ebx; mov $3, %eax; mov %rax, %cr8; mov %cr8, %rsi; mov $2, %ecx");
SNIPPET(sn_cr8_cli, "cli; xor %eax, %eax; mov %rax, %cr8; mov $2, %ecx; sti; mov $3, %esi; mov $4, %edi");
SNIPPET(sn_flags_bits, "pushq $0x247ed7; popfq; pushfq; pop %rsi; pushq $0x3ed7; popfq; pushfq; pop %rdi");
/* popf setting TF: #DB after the instruction that follows it */
SNIPPET(sn_tf, "pushfq; orq $0x100, (%rsp); popfq; mov $1, %ebx; mov $2, %ecx; mov $3, %edx");

static void test_inline_irq(const char *arg)
{
	(void)arg;
	static const struct {
		struct vec_case c;
		int delivered;		     /* vector 32 taken */
		uint64_t rbx, rcx, rsi, rdi; /* ~0: not checked */
	} t[] = {
	    {{"sti shadow at block start", 0, sn_sti, sn_sti_end, 0, 0, 32, 0, 0, 0}, 1, 1, 0, ~0ull, ~0ull},
	    {{"sti shadow mid-block", 0, sn_sti_mid, sn_sti_mid_end, 0, 0, 32, 0, 0, 0}, 1, 1, 0, 9, ~0ull},
	    {{"sti shadow in the last slot", 0, sn_sti_last, sn_sti_last_end, 0, 0, 32, 0, 0, 0},
	     1,
	     1,
	     0,
	     ~0ull,
	     ~0ull},
	    {{"sti past the last slot (callout)", 0, sn_sti_over, sn_sti_over_end, 0, 0, 32, 0, 0, 0},
	     1,
	     1,
	     0,
	     ~0ull,
	     ~0ull},
	    {{"sti; cli", 0, sn_sti_cli, sn_sti_cli_end, 0, 0, 32, 0, 0, 0}, 0, 1, 2, ~0ull, ~0ull},
	    {{"sti with IF set", 0, sn_sti_on, sn_sti_on_end, 1, 0, 32, 0, 0, 0}, 1, 0, 0, ~0ull, ~0ull},
	    {{"sti, TPR masks", 0, sn_sti, sn_sti_end, 0, 2, 32, 0, 0, 0}, 0, 1, 2, ~0ull, ~0ull},
	    {{"popf sets IF", 0, sn_popf_on, sn_popf_on_end, 0, 0, 32, 0, 0, 0}, 1, 1, 0, ~0ull, ~0ull},
	    {{"popf keeps IF clear", 0, sn_popf_off, sn_popf_off_end, 0, 0, 32, 0, 0, 0}, 0, 1, 2, 2, ~0ull},
	    {{"cr8 lowered below a pending vector", 0, sn_cr8_on, sn_cr8_on_end, 1, 15, 32, 0, 0, 0},
	     1,
	     1,
	     0,
	     ~0ull,
	     ~0ull},
	    {{"cr8 write that keeps it masked", 0, sn_cr8_same, sn_cr8_same_end, 1, 15, 32, 0, 0, 0},
	     0,
	     1,
	     2,
	     3,
	     ~0ull},
	    {{"cr8 lowered with IF clear, then sti", 0, sn_cr8_cli, sn_cr8_cli_end, 1, 15, 32, 0, 0, 0},
	     1,
	     ~0ull,
	     2,
	     3,
	     0},
	    {{"popf ID/AC/NT/IOPL kept", 0, sn_flags_bits, sn_flags_bits_end, 0, 0, 0, 0, 0, 0},
	     0,
	     ~0ull,
	     ~0ull,
	     0x247ed7,
	     0x3ed7},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct vec_out o;
		if (!vec_same(&t[i].c, &o))
			continue;
		int got = o.vec == 32;
		CHECK(got == t[i].delivered, "%s: vector %lld, want %s", t[i].c.name, (long long)o.vec,
		      t[i].delivered ? "32" : "none");
		const uint64_t want[4] = {t[i].rbx, t[i].rcx, t[i].rsi, t[i].rdi};
		const int reg[4] = {R_RBX, R_RCX, R_RSI, R_RDI};
		for (int k = 0; k < 4; k++)
			CHECK(want[k] == ~0ull || (o.gpr[reg[k]] & 0xFFFFFFFF) == want[k], "%s: %s 0x%llx, want 0x%llx",
			      t[i].c.name, reg_names[reg[k]], (unsigned long long)o.gpr[reg[k]],
			      (unsigned long long)want[k]);
	}
	struct vec_case tf = {"popf sets TF", 0, sn_tf, sn_tf_end, 0, 0, 0, 0, 0, 0};
	struct vec_out o;
	uint64_t at = (uint64_t)(sn_tf_end - sn_tf) - 10; /* mov $2, %ecx: two 5-byte movs end it */
	if (vec_same(&tf, &o))
		CHECK(o.vec == 1 && o.rip == at && o.gpr[R_RBX] == 1 && o.gpr[R_RCX] == 0,
		      "popf sets TF: vector %lld at +0x%llx rbx %llu rcx %llu (want #DB at +0x%llx after one "
		      "instruction)",
		      (long long)o.vec, (unsigned long long)o.rip, (unsigned long long)o.gpr[R_RBX],
		      (unsigned long long)o.gpr[R_RCX], (unsigned long long)at);
}

/* cpuid from the table and the callout, leaf by leaf, against what the
 * callout computes; rdtscp's ECX; CPL3 cli/sti/cr8 take #GP. */
SNIPPET(sn_cpuid, "mov %eax, %r8d; mov %ecx, %r9d; cpuid; mov %eax, 0(%r15); mov %ebx, 4(%r15);"
		  "mov %ecx, 8(%r15); mov %edx, 12(%r15)");
SNIPPET(sn_pio, "movabs $0x1122334455667788, %rax; in $0x99, %al; mov %rax, %rbx; in $0x99, %ax; mov %rax, %rsi;"
		"mov $0x99, %edx; in %dx, %eax; mov %rax, %rdi; std; mov $0x5a, %al; out %al, $0x99; out %ax, %dx;"
		"out %eax, %dx; seto %r8b; sets %r9b; mov $0x8000, %r10d; add %r10w, %r10w; out %al, $0x99;"
		"setc %r11b; setz %r12b; cld");
/* syscall/sysret with the kit's MSRs: CPL3 -> LSTAR (kernel flags: IF and
 * DF masked), back with sysretq (R11's flags), then a CPL3 cli for #GP. */
SNIPPET(sn_sys, "mov $0xc0000080, %ecx; rdmsr; or $1, %eax; wrmsr; mov $0xc0000081, %ecx; xor %eax, %eax;"
		"mov $0x00180008, %edx; wrmsr; mov $0xc0000082, %ecx; lea 5f(%rip), %rax; xor %edx, %edx; wrmsr;"
		"mov $0xc0000084, %ecx; mov $0x47700, %eax; wrmsr; mov %rsp, %rbx; pushq $0x23; push %rbx;"
		"pushq $0x202; pushq $0x2b; lea 1f(%rip), %rbx; push %rbx; iretq;"
		"1: std; mov $7, %eax; syscall; pushfq; pop %rdi; mov %cs, %ebp; mov %ss, %r13d; cld; cli;"
		"5: pushfq; pop %rsi; mov %cs, %r8d; mov %ss, %r9d; mov %rcx, %r10; mov %r11, %r12; sysretq");
SNIPPET(sn_rdtscp, "mov $7, %ecx; rdtscp; mov $0, %eax; mov $0, %edx");
SNIPPET(sn_cpl3, "mov %rsp, %rbx; pushq $0x23; push %rbx; pushq $0x202; pushq $0x2b; lea 1f(%rip), %rbx; push %rbx;"
		 "iretq; 1: mov $1, %esi; cmp $1, %edx; je 2f; cmp $2, %edx; je 3f; cmp $3, %edx; je 4f;"
		 "cli; mov $2, %esi; 2: sti; mov $3, %esi; 3: mov %cr8, %rax; 4: pushq $0; popfq; pushfq; pop %rdi;"
		 "mov $5, %esi; ud2");

static void test_inline_misc(const char *arg)
{
	(void)arg;
	static const uint32_t leaves[][2] = {{0, 0},	      {1, 0},	       {1, 5},		{7, 0},
					     {7, 1},	      {0xd, 1},	       {0xb, 1},	{0x80000000, 0},
					     {0x80000001, 0}, {0x80000008, 0}, {0x40000000, 0}, {0x12345678, 0}};
	for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		char name[64];
		snprintf(name, sizeof(name), "cpuid 0x%x/%u", leaves[i][0], leaves[i][1]);
		struct vec_case c = {name, 0, sn_cpuid, sn_cpuid_end, 0, 0, 0, leaves[i][0], 0, leaves[i][1]};
		struct vec_out o;
		if (!vec_same(&c, &o))
			continue;
		uint32_t r[4];
		bt_cpuid_fill(NULL, leaves[i][0], leaves[i][1], r);
		CHECK(o.gpr[R_RAX] == r[0] && o.gpr[R_RBX] == r[1] && o.gpr[R_RCX] == r[2] && o.gpr[R_RDX] == r[3],
		      "%s: %llx %llx %llx %llx, callout computes %x %x %x %x", name, (unsigned long long)o.gpr[R_RAX],
		      (unsigned long long)o.gpr[R_RBX], (unsigned long long)o.gpr[R_RCX],
		      (unsigned long long)o.gpr[R_RDX], r[0], r[1], r[2], r[3]);
	}
	struct vec_case rc = {"rdtscp", 0, sn_rdtscp, sn_rdtscp_end, 0, 0, 0, 0, 0, 0};
	struct vec_out o;
	struct vec_case sys = {"syscall/sysret", 0, sn_sys, sn_sys_end, 0, 0, 0, 0, 0, 0};
	if (vec_same(&sys, &o))
		CHECK(o.vec == 13 && o.gpr[8] == 8 && o.gpr[9] == 0x10 && o.gpr[R_RBP] == 0x2b && o.gpr[13] == 0x23 &&
			  !(o.gpr[R_RSI] & 0x600) && (o.gpr[R_RDI] & 0x600) == 0x600 && o.gpr[12] == o.gpr[R_RDI],
		      "syscall/sysret: vector %lld cs/ss kernel 0x%llx/0x%llx user 0x%llx/0x%llx flags kernel 0x%llx "
		      "user 0x%llx r11 0x%llx",
		      (long long)o.vec, (unsigned long long)o.gpr[8], (unsigned long long)o.gpr[9],
		      (unsigned long long)o.gpr[R_RBP], (unsigned long long)o.gpr[13], (unsigned long long)o.gpr[R_RSI],
		      (unsigned long long)o.gpr[R_RDI], (unsigned long long)o.gpr[12]);
	struct vec_case pio = {"in/out", 0, sn_pio, sn_pio_end, 0, 0, 0, 0, 0, 0};
	if (vec_same(&pio, &o)) /* nothing decodes port 0x99: reads are all ones */
		CHECK(o.gpr[R_RBX] == 0x11223344556677FFull && o.gpr[R_RSI] == 0x112233445566FFFFull &&
			  o.gpr[R_RDI] == 0xFFFFFFFFull && o.io_exits == 8 && o.unhandled_io == 7,
		      "in/out: rbx 0x%llx rsi 0x%llx rdi 0x%llx io %llu unhandled %llu",
		      (unsigned long long)o.gpr[R_RBX], (unsigned long long)o.gpr[R_RSI],
		      (unsigned long long)o.gpr[R_RDI], (unsigned long long)o.io_exits,
		      (unsigned long long)o.unhandled_io);
	if (vec_same(&rc, &o))
		CHECK(o.gpr[R_RCX] == 0, "rdtscp: ecx 0x%llx", (unsigned long long)o.gpr[R_RCX]);
	static const char *const what[] = {"CPL3 cli", "CPL3 sti", "CPL3 mov from cr8", "CPL3 popf"};
	for (int k = 0; k < 4; k++) {
		struct vec_case c = {what[k], 0, sn_cpl3, sn_cpl3_end, 1, 0, 0, 0, (uint64_t)k, 0};
		if (!vec_same(&c, &o))
			continue;
		if (k < 3)
			CHECK(o.vec == 13 && (o.gpr[R_RSI] & 0xFF) == 1, "%s: vector %lld esi %llu (want #GP)", what[k],
			      (long long)o.vec, (unsigned long long)o.gpr[R_RSI]);
		else /* IF stays: CPL3 with IOPL 0 (then ud2 has no gate: #GP) */
			CHECK((o.gpr[R_RSI] & 0xFF) == 5 && (o.gpr[R_RDI] & FL_IF), "%s: esi %llu rdi 0x%llx", what[k],
			      (unsigned long long)o.gpr[R_RSI], (unsigned long long)o.gpr[R_RDI]);
	}
}

/* iretq at CPL0 (inline: CPL0 -> CPL0 with the same CS/SS) against the
 * callout: the frame's flags (IF into the virtual IF), an interrupt let
 * through by IF going 0 -> 1 (delivered at the target, before it runs), TF
 * and a null SS (callout), a frame running into an unmapped page (#PF at
 * the iretq, RAX/RCX/flags intact) and one wholly unmapped (shutdown). */
#define IRET_FRAME(ss, flags)                                                                                          \
	"mov %rsp, %rbx; pushq $" ss "; push %rbx; pushq $" flags "; pushq $0x08; lea 1f(%rip), %rbx; push %rbx;"      \
	"mov $-1, %bl; add $1, %bl; iretq; 1: pushfq; pop %rdi; mov %rsp, %rbp; mov $5, %esi; cld"
SNIPPET(sn_iret_flags, IRET_FRAME("0x10", "0xcd5"));
SNIPPET(sn_iret_if, IRET_FRAME("0x10", "0x283"));
SNIPPET(sn_iret_tf, IRET_FRAME("0x10", "0x302"));
SNIPPET(sn_iret_ss0, IRET_FRAME("0", "0x202"));
SNIPPET(sn_iret_pf, "mov $0x7ffff0, %esp; movq $0x1234, (%rsp); mov $-1, %bl; add $1, %bl; iretq");
SNIPPET(sn_iret_gone, "mov $0x900000, %esp; stc; iretq");

static void test_inline_iretq(const char *arg)
{
	(void)arg;
	struct vec_out o;
	struct vec_case fl = {"iretq flags", 0, sn_iret_flags, sn_iret_flags_end, 1, 0, 0, 0, 0, 0};
	if (vec_same(&fl, &o))
		CHECK(!o.vif && (o.gpr[R_RDI] & (FL_LIVE | FL_IF)) == FL_LIVE && (o.gpr[R_RSI] & 0xFF) == 5 &&
			  o.gpr[R_RBP] == STACK,
		      "iretq flags: IF %d rdi 0x%llx esi %llu rsp 0x%llx", o.vif, (unsigned long long)o.gpr[R_RDI],
		      (unsigned long long)o.gpr[R_RSI], (unsigned long long)o.gpr[R_RBP]);
	struct vec_case irq = {"iretq IF 0->1, interrupt", 0, sn_iret_if, sn_iret_if_end, 0, 0, 32, 0, 0, 0};
	if (vec_same(&irq, &o))
		CHECK(o.vec == 32 && o.gpr[R_RDI] == 0, "iretq IF 0->1: vector %lld rdi 0x%llx", (long long)o.vec,
		      (unsigned long long)o.gpr[R_RDI]);
	struct vec_case tpr = {"iretq IF 0->1, TPR masks", 0, sn_iret_if, sn_iret_if_end, 0, 3, 32, 0, 0, 0};
	if (vec_same(&tpr, &o))
		CHECK(o.vif && (o.gpr[R_RDI] & 0xAC3) == 0x283 && (o.gpr[R_RSI] & 0xFF) == 5,
		      "iretq IF 0->1 under the TPR: IF %d rdi 0x%llx", o.vif, (unsigned long long)o.gpr[R_RDI]);
	struct vec_case on = {"iretq IF 1->1", 0, sn_iret_if, sn_iret_if_end, 1, 0, 0, 0, 0, 0};
	if (vec_same(&on, &o))
		CHECK(o.vif && (o.gpr[R_RSI] & 0xFF) == 5, "iretq IF 1->1: IF %d", o.vif);
	struct vec_case tf = {"iretq TF", 0, sn_iret_tf, sn_iret_tf_end, 0, 0, 0, 0, 0, 0};
	if (vec_same(&tf, &o))
		CHECK(o.vec == 1, "iretq TF: vector %lld", (long long)o.vec);
	struct vec_case ss0 = {"iretq null SS", 0, sn_iret_ss0, sn_iret_ss0_end, 0, 0, 0, 0, 0, 0};
	if (vec_same(&ss0, &o))
		CHECK(o.vif && (o.gpr[R_RSI] & 0xFF) == 5, "iretq null SS: IF %d", o.vif);
	struct vec_case pf = {"iretq frame faults", 0, sn_iret_pf, sn_iret_pf_end, 0, 0, 0, 0x55, 0, 0x77};
	if (vec_same(&pf, &o))
		CHECK(o.vec == 14 && (o.gpr[R_RAX] & 0xFF) == 0x55 && o.gpr[R_RCX] == 0x77 && (o.flags & 0x41) == 0x41,
		      "iretq frame faults: vector %lld rax 0x%llx rcx 0x%llx flags 0x%llx", (long long)o.vec,
		      (unsigned long long)o.gpr[R_RAX], (unsigned long long)o.gpr[R_RCX], (unsigned long long)o.flags);
	struct vec_case gone = {"iretq frame unmapped", 0, sn_iret_gone, sn_iret_gone_end, 0, 0, 0, 0x55, 0, 0x77};
	vec_same(&gone, &o);
}

/* Page-table writes (pagetab.c): the guest points PDE 4 (VA 8 MiB) at a
 * 4 KiB table at 0x6000 and remaps VA 0x800000 between two frames in a
 * loop, with invlpg, then stores through it and unmaps it (#PF); remaps a
 * page of code it calls (and stores into it through another mapping); flips a 2 MiB PDE; writes a PTE with xchg (which
 * the emulator lacks: tracing ends). Inline invlpg does nothing, the
 * callout unmaps: both must see every remap. */
#define PT_LOOP                                                                                                        \
	"movq $0x6007, 0x3020; lea 0x4000(%r15), %r8; lea 0x5000(%r15), %r9; movq $1, (%r8); movq $2, (%r9);"          \
	"xor %esi, %esi; mov $20, %ecx; mov $0x800000, %ebx;"                                                          \
	"1: mov %r8, %rax; test $1, %ecx; cmovnz %r9, %rax; or $3, %rax;"
#define PT_REST(load)                                                                                                  \
	"invlpg (%rbx);" load "loop 1b;"                                                                               \
	"mov %r8, %rax; or $3, %rax; mov %rax, 0x6000; invlpg (%rbx); movq $0x77, 8(%rbx);"                            \
	"mov %r9, %rax; or $3, %rax; mov %rax, 0x6000; invlpg (%rbx); movq $0x88, 8(%rbx);"                            \
	"mov 8(%r8), %rdi; mov 8(%r9), %rbp; movq $0, 0x6000; invlpg (%rbx); mov (%rbx), %rdx; ud2"
SNIPPET(sn_pte, PT_LOOP "mov %rax, 0x6000;" PT_REST("mov (%rbx), %rdx; add %rdx, %rsi;"));
SNIPPET(sn_pte_xchg, PT_LOOP "xchg %rax, 0x6000;" PT_REST("add (%rbx), %rsi;"));
SNIPPET(sn_pte_code, "movq $0x6007, 0x3020; lea 0x6000(%r15), %r8; lea 0x7000(%r15), %r9;"
		     "movl $0x1b8, (%r8); movw $0xc300, 4(%r8); movl $0x2b8, (%r9); movw $0xc300, 4(%r9);"
		     "xor %esi, %esi; mov $6, %ecx; mov $0x801000, %ebx;"
		     "1: mov %r8, %rax; test $1, %ecx; cmovnz %r9, %rax; or $3, %rax; mov %rax, 0x6008;"
		     "invlpg (%rbx); push %rcx; call *%rbx; pop %rcx; add %rax, %rsi; loop 1b;"
		     "movb $5, 1(%r9); call *%rbx; mov %rax, %rdi"); /* a store through the other mapping */
SNIPPET(sn_pde_large, "movq $5, 0x600010; movq $7, 0x400010; xor %esi, %esi; mov $10, %ecx; mov $0x600010, %ebx;"
		      "1: mov $0x600087, %eax; mov $0x400087, %edx; test $1, %ecx; cmovnz %rdx, %rax; mov %rax, 0x3018;"
		      "invlpg (%rbx); add (%rbx), %rsi; loop 1b; movq $0x600087, 0x3018; invlpg (%rbx)");

/* Every access form of an emulated site (inline call vs callout): VA
 * 0x800000 flips between frames A and B until it is volatile (left
 * unmapped), so each load and store below faults twice and is then
 * emulated: 64-bit, movzx, movsx, 16- and 8-bit merges (sil/dil need a
 * REX), movsxd, moffs, SIB, stores of registers and immediates, an %ah
 * store (the callout's), an RSP-based pair. */
SNIPPET(sn_emem,
	"lea 0x5000(%r15), %rax; movabs $0x8877665544332211, %rdx; mov %rdx, (%rax);"
	"movabs $0xf0e0d0c0b0a09080, %rdx; mov %rdx, 8(%rax); movabs $0x1111111111111111, %rdx;"
	"mov %rdx, 0x4000(%r15); mov %rdx, 0x4008(%r15); movq $0x6007, 0x3020; mov $0x800000, %ebx;"
	"mov $1, %r14d; mov $24, %ecx;"
	"1: lea 0x4000(%r15), %rax; lea 0x5000(%r15), %rdx; test $1, %ecx; cmovnz %rdx, %rax; or $3, %rax;"
	"mov %rax, 0x6000; invlpg (%rbx); mov (%rbx), %rdx; movabs 0x800008, %eax; mov %eax, %r13d;"
	"movzbl 7(%rbx), %eax; movsbq 15(%rbx), %r10; movabs $0xaaaaaaaaaaaaaaaa, %r11; movw 8(%rbx), %r11w;"
	"mov $-1, %rdi; mov 9(%rbx), %dil; movslq 12(%rbx), %r12; mov %dl, 16(%rbx); movw $0x7777, 18(%rbx);"
	"movl $0x12345678, 20(%rbx); movq $-5, 24(%rbx); mov %r12, 0x20(%rbx,%r14,8); mov %ah, 0x30(%rbx);"
	"mov %rsp, %rbp; lea 0x800(%rbx), %rsp; mov %rcx, (%rsp); mov (%rsp), %r9; mov %rbp, %rsp; dec %ecx; jnz 1b;"
	"mov 0x5010(%r15), %rsi; add 0x5018(%r15), %rsi; mov 0x5028(%r15), %r14");

static void test_emulated_sites(const char *arg)
{
	(void)arg;
	struct vec_case c = {"emulated access forms", 0, sn_emem, sn_emem_end, 0, 0, 0, 0, 0, 0};
	struct vec_out o;
	if (!vec_same(&c, &o))
		return;
	static const struct {
		int r;
		uint64_t v;
	} want[] = {{R_RDX, 0x8877665544332211ull},
		    {R_RAX, 0x88},
		    {10, 0xFFFFFFFFFFFFFFF0ull},
		    {11, 0xAAAAAAAAAAAA9080ull},
		    {R_RDI, 0xFFFFFFFFFFFFFF90ull},
		    {12, 0xFFFFFFFFF0E0D0C0ull},
		    {13, 0xB0A09080ull},
		    {9, 1},
		    {R_RSI, 0x123456787777000Cull},
		    {14, 0xFFFFFFFFF0E0D0C0ull}};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		CHECK(o.gpr[want[i].r] == want[i].v, "%s: %s 0x%llx, want 0x%llx", c.name, reg_names[want[i].r],
		      (unsigned long long)o.gpr[want[i].r], (unsigned long long)want[i].v);
	CHECK(o.pf_sites >= 8 && o.mem_fast >= 100, "%s: pf_sites %d, inline emulated accesses %llu", c.name,
	      o.pf_sites, (unsigned long long)o.mem_fast);
}

/* Two address spaces that map 0x800000 to A (PML4 0x1000) and B (PML4
 * 0x7000, PD 0x9000, PT 0xA000), switched by CR3 in a loop; then a PTE
 * write followed by a reload of the same CR3 (which the traced windows
 * make free) must be seen. */
SNIPPET(sn_cr3, "movq $0x6007, 0x3020; lea 0x4000(%r15), %rax; or $3, %rax; mov %rax, 0x6000;"
		"lea 0x5000(%r15), %rax; or $3, %rax; mov %rax, 0xa000; movq $0x87, 0x9000; movq $0x200087, 0x9008;"
		"movq $0x400087, 0x9010; movq $0x600087, 0x9018; movq $0xa007, 0x9020; movq $0x9007, 0x8000;"
		"movq $0x8007, 0x7000; movq $1, 0x4000(%r15); movq $2, 0x5000(%r15); mov $0x800000, %ebx;"
		"xor %esi, %esi; mov $10, %ecx;"
		"1: mov $0x1000, %eax; mov $0x7000, %edx; test $1, %ecx; cmovnz %rdx, %rax; mov %rax, %cr3;"
		"add (%rbx), %rsi; dec %ecx; jnz 1b;"
		"mov $0x1000, %eax; mov %rax, %cr3; mov (%rbx), %rbp; lea 0x5000(%r15), %rdx; or $3, %rdx;"
		"mov %rdx, 0x6000; mov %rax, %cr3; mov (%rbx), %rdi");

static void test_inline_page_tables(const char *arg)
{
	(void)arg;
	static const struct {
		struct vec_case c;
		uint64_t rsi, rdi, rbp, vec; /* ~0: not checked */
		int traced;		     /* tracing still on at the end */
	} t[] = {
	    {{"PTE remaps with invlpg", 0, sn_pte, sn_pte_end, 0, 0, 0, 0, 0, 0}, 30, 0x77, 0x88, 14, 1},
	    {{"PTE remaps by xchg", 0, sn_pte_xchg, sn_pte_xchg_end, 0, 0, 0, 0, 0, 0}, 30, 0x77, 0x88, 14, 0},
	    {{"PTE remaps a page of code", 0, sn_pte_code, sn_pte_code_end, 0, 0, 0, 0, 0, 0},
	     9,
	     5,
	     ~0ull,
	     0xEEEEEEEEEEEEEEEEull,
	     1},
	    {{"2 MiB PDE flips", 0, sn_pde_large, sn_pde_large_end, 0, 0, 0, 0, 0, 0},
	     60,
	     ~0ull,
	     ~0ull,
	     0xEEEEEEEEEEEEEEEEull,
	     1},
	    {{"CR3 switch and reload", 0, sn_cr3, sn_cr3_end, 0, 0, 0, 0, 0, 0}, 15, 2, 1, 0xEEEEEEEEEEEEEEEEull, 1},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct vec_out o;
		if (!vec_same(&t[i].c, &o))
			continue;
		const uint64_t want[4] = {t[i].rsi, t[i].rdi, t[i].rbp},
			       got[4] = {o.gpr[R_RSI], o.gpr[R_RDI], o.gpr[R_RBP]};
		for (int k = 0; k < 3; k++)
			CHECK(want[k] == ~0ull || got[k] == want[k], "%s: %s 0x%llx, want 0x%llx", t[i].c.name,
			      reg_names[k == 0	 ? R_RSI
					: k == 1 ? R_RDI
						 : R_RBP],
			      (unsigned long long)got[k], (unsigned long long)want[k]);
		CHECK(o.vec == t[i].vec && o.traced == t[i].traced, "%s: vector %lld traced %d, want %lld %d",
		      t[i].c.name, (long long)o.vec, o.traced, (long long)t[i].vec, t[i].traced);
	}
	/* The remap loop goes adaptive: its PTE store and its load are emulated
	 * callouts, so 20 remaps cost a few signals, not one or two each. */
	struct vec_out o;
	if (run_vec(&t[0].c, 0, &o) == 0)
		CHECK(o.pt_sites >= 1 && o.pf_sites >= 1 && o.pt_writes >= 20 && o.signals <= 12,
		      "adaptive page-table writes: pt_sites %d pf_sites %d pt_writes %llu signals %llu", o.pt_sites,
		      o.pf_sites, (unsigned long long)o.pt_writes, (unsigned long long)o.signals);
}

void suite_bt(void)
{
	if (!sandbox()) {
		skip_case("bt", "differential", "cannot map the native sandbox at 0x100000/0x200000");
		return;
	}
	run_case("bt", "random-sequences", test_random, NULL);
	static const char *const snippets[] = {"stack",	  "flags-glue", "calls",  "partial",	 "lock",
					       "strings", "loops",	"riprel", "smc",	 "polymorphic",
					       "fp",	  "pushf-popf", "div",	  "megamorphic", "absolute"};
	for (size_t i = 0; i < sizeof(snippets) / sizeof(snippets[0]); i++)
		run_case("bt-diff", snippets[i], test_snippet, snippets[i]);
	static const char *const hostile[] = {"syscall", "int80", "wrgsbase", "guard", "wrap"};
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++)
		run_case("bt-hostile", hostile[i], test_hostile, hostile[i]);
	run_case("bt-hostile", "user-supervisor", test_user, NULL);
	run_case("bt", "interrupt-in-chained-loop", test_irq_in_loop, NULL);
	run_case("bt-inline", "divide-error", test_inline_divide, NULL);
	run_case("bt-inline", "interrupt-windows", test_inline_irq, NULL);
	run_case("bt-inline", "cpuid-rdtscp-cpl3", test_inline_misc, NULL);
	run_case("bt-inline", "iretq", test_inline_iretq, NULL);
	run_case("bt-inline", "page-tables", test_inline_page_tables, NULL);
	run_case("bt-inline", "emulated-sites", test_emulated_sites, NULL);
	run_case("bt-hostile", "random-code", test_random_bytes, NULL);
}
