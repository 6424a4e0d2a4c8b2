/* Sensitive instructions as a few host instructions instead of a callout
 * (Adams & Agesen's "in-TC emulation"): the virtual IF, the CPL, the TPR and
 * the LAPIC's pending priority live in struct bt_ctx, where generated code
 * reaches them with absolute disp32 addressing; the dispatcher copies them in
 * before each entry and back after each exit (bt.c).
 *
 * The guest's arithmetic flags are live in the host's RFLAGS. Code that must
 * compare parks them with lahf/seto (DF is untouched by everything here) and
 * puts them back with add/sahf; RAX is parked meanwhile in ctx->fs_rax. What
 * the inline path does not handle (CPL3, a cpuid leaf not in the table)
 * leaves through a callout exit, which emulates the instruction as before.
 * A timer signal stops translated code only at instruction boundaries, so
 * none of these multi-instruction sequences is ever cut in the middle. */
#include <cpuid.h>
#include <string.h>

#include "vmm-mini/bt/bt.h"
#include "vmm-mini/bt/emit.h"

enum { CC_B = 2, CC_AE = 3, CC_E = 4, CC_NE = 5, CC_A = 7 };

/* op [abs] with the given prefix/opcode bytes and ModRM.reg, imm bytes of
 * immediate to follow (the operand is RIP-relative, emit.h). */
static void op_abs(struct emit *e, const uint8_t *ops, int n, int reg, const void *a, int imm)
{
	for (int i = 0; i < n; i++)
		e8(e, ops[i]);
	modrm_rip(e, reg, a, imm);
}

/* cmpq $imm8, [abs] */
static void cmpq_abs(struct emit *e, const void *a, int8_t imm)
{
	static const uint8_t op[] = {0x48, 0x83};
	op_abs(e, op, 2, 7, a, 1);
	e8(e, (uint8_t)imm);
}

/* movq $imm32, [abs] */
static void movq_abs(struct emit *e, const void *a, uint32_t imm)
{
	static const uint8_t op[] = {0x48, 0xC7};
	op_abs(e, op, 2, 0, a, 4);
	e32(e, imm);
}

/* cmp [abs], %reg (64-bit): flags of reg - [abs] */
static void cmp_reg_abs(struct emit *e, int reg, const void *a)
{
	static const uint8_t op[] = {0x48, 0x3B};
	op_abs(e, op, 2, reg, a, 0);
}

/* jcc rel32 / jmp rel32 to be patched: return the rel32 field. */
static uint8_t *jcc(struct emit *e, int cc)
{
	e8(e, 0x0F), e8(e, (uint8_t)(0x80 | cc));
	uint8_t *s = e->p;
	e32(e, 0);
	return s;
}
static uint8_t *jmp_fwd(struct emit *e)
{
	return jmp_rel(e, e->p);
}

/* Park RAX and the arithmetic flags; RAX is scratch until fl_restore. */
static void fl_save(struct emit *e, struct bt_ctx *c)
{
	static const uint8_t st_ax[] = {0x66, 0x89};
	st_abs(e, R_RAX, &c->fs_rax);
	e8(e, 0x9F);			       /* lahf */
	e8(e, 0x0F), e8(e, 0x90), e8(e, 0xC0); /* seto %al */
	op_abs(e, st_ax, 2, R_RAX, &c->fs_ax, 0);
}

static void fl_restore(struct emit *e, struct bt_ctx *c)
{
	static const uint8_t ld_ax[] = {0x66, 0x8B};
	op_abs(e, ld_ax, 2, R_RAX, &c->fs_ax, 0);
	e8(e, 0x04), e8(e, 0x7F); /* add $0x7f,%al: OF = (al == 1) */
	e8(e, 0x9E);		  /* sahf */
	ld_abs(e, R_RAX, &c->fs_rax);
}

static void exit_stub(struct bt *bt, struct emit *e, uint64_t rip, enum bt_exit kind)
{
	e->p += bt_emit_exit_stub(bt, e->p, rip, kind, NULL);
}

/* The slow path shared by the privileged ones: flags back, then the callout. */
static void slow_callout(struct bt *bt, struct emit *e, uint8_t *site, uint64_t rip)
{
	patch_rel32(site, e->p);
	fl_restore(e, bt->ctx);
	exit_stub(bt, e, rip, BTX_CALLOUT);
}

/* jrcxz over a jmp rel32: taken when RCX is 0; returns the jmp's rel32. */
static uint8_t *unless_rcx_zero(struct emit *e)
{
	e8(e, 0xE3), e8(e, 5);
	return jmp_fwd(e);
}

/* cli: vif = 0. sti: vif = IF; if it was clear and the LAPIC holds an
 * interrupt the TPR lets through, exit so that the next instruction runs
 * alone (the shadow) before the dispatcher delivers it. The translator
 * keeps the shadow instruction in this block, where the timer cannot stop.
 * The common case tests with jrcxz (CPL0, nothing pending): no flags. */
void bt_inline_cli_sti(struct bt *bt, uint8_t **p, uint64_t rip, uint64_t next, int sti)
{
	struct bt_ctx *c = bt->ctx;
	struct emit e = {*p};
	st_abs(&e, R_RCX, &c->i_rcx);
	ld_abs(&e, R_RCX, &c->cpl);
	uint8_t *slow = unless_rcx_zero(&e), *check = NULL;
	if (sti) {
		ld_abs(&e, R_RCX, &c->irq_prio);
		check = unless_rcx_zero(&e);
	}
	movq_abs(&e, &c->vif, sti ? FL_IF : 0);
	ld_abs(&e, R_RCX, &c->i_rcx);
	uint8_t *done = jmp_fwd(&e), *done2 = NULL;
	if (sti) { /* something is pending: compare with the TPR, flags parked */
		patch_rel32(check, e.p);
		ld_abs(&e, R_RCX, &c->i_rcx);
		fl_save(&e, c);
		cmpq_abs(&e, &c->vif, 0);
		movq_abs(&e, &c->vif, FL_IF);
		uint8_t *was_on = jcc(&e, CC_NE);
		ld_abs(&e, R_RAX, &c->irq_prio);
		cmp_reg_abs(&e, R_RAX, &c->cr8);
		uint8_t *pend = jcc(&e, CC_A);
		patch_rel32(was_on, e.p);
		fl_restore(&e, c);
		done2 = jmp_fwd(&e);
		patch_rel32(pend, e.p);
		fl_restore(&e, c);
		exit_stub(bt, &e, next, BTX_SHADOW);
	}
	patch_rel32(slow, e.p);
	ld_abs(&e, R_RCX, &c->i_rcx);
	exit_stub(bt, &e, rip, BTX_CALLOUT);
	patch_rel32(done, e.p);
	if (done2)
		patch_rel32(done2, e.p);
	*p = e.p;
}

/* pushfq: the host's RFLAGS in user mode are the guest's live bits | 0x202
 * (the guest can set nothing else: popf is always translated), so the
 * guest's value is that with IF replaced by the virtual IF. Read through a
 * private stack, since RSP is the guest's; the store to the guest stack
 * comes before RSP moves (a fault restarts it; RAX is back from ctx->t0). */
void bt_inline_pushf(struct bt *bt, uint8_t **p, uint64_t rip)
{
	struct bt_ctx *c = bt->ctx;
	struct emit e = {*p};
	(void)rip;
	st_abs(&e, R_RAX, &c->t0);
	st_abs(&e, R_RSP, &c->s_rsp);
	e8(&e, 0xBC), e32(&e, abs32(&c->stk[4])); /* mov $stack_top,%esp */
	e8(&e, 0x9C), e8(&e, 0x58);		  /* pushfq; pop %rax */
	ld_abs(&e, R_RSP, &c->s_rsp);
	st_abs(&e, R_RCX, &c->i_rcx);
	ld_abs(&e, R_RCX, &c->vif);
	e8(&e, 0x48), e8(&e, 0x8D), e8(&e, 0x84), e8(&e, 0x08), e32(&e, (uint32_t)-0x200); /* lea -0x200(%rax,%rcx) */
	ld_abs(&e, R_RCX, &c->vflags); /* TF, IOPL, NT, AC, ID: bits the host image has clear */
	e8(&e, 0x48), e8(&e, 0x8D), e8(&e, 0x04), e8(&e, 0x08); /* lea (%rax,%rcx),%rax */
	ld_abs(&e, R_RCX, &c->i_rcx);
	gs_esp(&e, 0x89, R_RAX, -8);
	lea_disp(&e, R_RSP, R_RSP, -8);
	ld_abs(&e, R_RAX, &c->t0);
	*p = e.p;
}

/* The live bits of %rax into RFLAGS (RCX scratch): DF with std/cld, OF
 * with add, the low byte with sahf. TF, AC, IOPL and the rest never
 * reach the host. */
static void set_live_flags(struct emit *e)
{
	e8(e, 0x25), e32(e, (uint32_t)FL_LIVE);		 /* and $FL_LIVE,%eax */
	e8(e, 0x89), e8(e, 0xC1);			 /* mov %eax,%ecx */
	e8(e, 0xC1), e8(e, 0xE9), e8(e, 11);		 /* shr $11,%ecx: OF */
	e8(e, 0xA9), e32(e, 0x400);			 /* test $DF,%eax */
	e8(e, 0x74), e8(e, 3);				 /* jz cld */
	e8(e, 0xFD), e8(e, 0xEB), e8(e, 1), e8(e, 0xFC); /* std; jmp over; cld */
	e8(e, 0x88), e8(e, 0xC4);			 /* mov %al,%ah */
	e8(e, 0x88), e8(e, 0xC8);			 /* mov %cl,%al */
	e8(e, 0x04), e8(e, 0x7F);			 /* add $0x7f,%al */
	e8(e, 0x9E);					 /* sahf */
}

/* popfq: the arithmetic flags from the stack; at CPL0 also IF (CPL3 with
 * IOPL 0 cannot change it). IF going 0 -> 1 with an interrupt pending
 * leaves to the dispatcher after the instruction (popf has no shadow). */
void bt_inline_popf(struct bt *bt, uint8_t **p, uint64_t rip, uint64_t next)
{
	struct bt_ctx *c = bt->ctx;
	struct emit e = {*p};
	st_abs(&e, R_RAX, &c->t0);
	gs_esp(&e, 0x8B, R_RAX, 0);
	/* TF, IOPL, NT, AC or ID, set or to be set: the callout (flags are
	 * about to be replaced, so testing may clobber them) */
	e8(&e, 0xA9), e32(&e, (uint32_t)FL_VIRT); /* test $FL_VIRT,%eax */
	uint8_t *virt = jcc(&e, CC_NE);
	cmpq_abs(&e, &c->vflags, 0);
	uint8_t *virt2 = jcc(&e, CC_NE);
	lea_disp(&e, R_RSP, R_RSP, 8);
	st_abs(&e, R_RCX, &c->i_rcx);
	cmpq_abs(&e, &c->cpl, 0);
	uint8_t *keep_if = jcc(&e, CC_NE);
	e8(&e, 0x89), e8(&e, 0xC1);			      /* mov %eax,%ecx */
	e8(&e, 0x81), e8(&e, 0xE1), e32(&e, (uint32_t)FL_IF); /* and $IF,%ecx */
	uint8_t *store = jcc(&e, CC_E);
	cmpq_abs(&e, &c->vif, 0);
	uint8_t *store2 = jcc(&e, CC_NE);
	st_abs(&e, R_RCX, &c->vif);
	ld_abs(&e, R_RCX, &c->irq_prio);
	cmp_reg_abs(&e, R_RCX, &c->cr8);
	uint8_t *pend = jcc(&e, CC_A);
	uint8_t *keep2 = jmp_fwd(&e);
	patch_rel32(store, e.p);
	patch_rel32(store2, e.p);
	st_abs(&e, R_RCX, &c->vif);
	patch_rel32(keep_if, e.p);
	patch_rel32(keep2, e.p);
	set_live_flags(&e);
	ld_abs(&e, R_RCX, &c->i_rcx);
	ld_abs(&e, R_RAX, &c->t0);
	uint8_t *done = jmp_fwd(&e);
	patch_rel32(pend, e.p);
	set_live_flags(&e);
	ld_abs(&e, R_RCX, &c->i_rcx);
	ld_abs(&e, R_RAX, &c->t0);
	exit_stub(bt, &e, next, BTX_CHAIN);
	patch_rel32(virt, e.p); /* out of the common path: nothing changed yet but RAX */
	patch_rel32(virt2, e.p);
	ld_abs(&e, R_RAX, &c->t0);
	exit_stub(bt, &e, rip, BTX_CALLOUT);
	patch_rel32(done, e.p);
	*p = e.p;
}

/* mov %gpr,%cr8 / mov %cr8,%gpr at CPL0 (else the callout raises #GP). A
 * write that lets a pending interrupt through with IF set exits after the
 * instruction so the dispatcher delivers it. */
void bt_inline_cr8(struct bt *bt, uint8_t **p, uint64_t rip, uint64_t next, int gpr, int write)
{
	struct bt_ctx *c = bt->ctx;
	struct emit e = {*p};
	fl_save(&e, c);
	cmpq_abs(&e, &c->cpl, 0);
	uint8_t *slow = jcc(&e, CC_NE), *pend = NULL;
	if (write) {
		if (gpr == R_RAX)
			ld_abs(&e, R_RAX, &c->fs_rax);
		else
			mov_rr(&e, R_RAX, gpr);
		e8(&e, 0x83), e8(&e, 0xE0), e8(&e, 15); /* and $15,%eax */
		st_abs(&e, R_RAX, &c->cr8);
		cmp_reg_abs(&e, R_RAX, &c->irq_prio);
		uint8_t *masked = jcc(&e, CC_AE);
		cmpq_abs(&e, &c->vif, 0);
		pend = jcc(&e, CC_NE);
		patch_rel32(masked, e.p);
	} else {
		ld_abs(&e, R_RAX, &c->cr8);
		if (gpr == R_RAX)
			st_abs(&e, R_RAX, &c->fs_rax);
		else
			mov_rr(&e, gpr, R_RAX);
	}
	fl_restore(&e, c);
	uint8_t *done = jmp_fwd(&e);
	if (write) {
		patch_rel32(pend, e.p);
		fl_restore(&e, c);
		exit_stub(bt, &e, next, BTX_CHAIN);
	}
	slow_callout(bt, &e, slow, rip);
	patch_rel32(done, e.p);
	*p = e.p;
}

/* Host CPUID, remembered: executing it traps to the hypervisor below us
 * (15k cycles here), and the answers do not change while we run. */
static void host_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	static struct {
		uint32_t leaf, sub, r[4];
		int used;
	} cache[64];
	unsigned h = (leaf * 31u + sub) & 63;
	if (cache[h].used && cache[h].leaf == leaf && cache[h].sub == sub) {
		memcpy(r, cache[h].r, 16);
		return;
	}
	__cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
	cache[h].leaf = leaf, cache[h].sub = sub, cache[h].used = 1;
	memcpy(cache[h].r, r, 16);
}

/* What the guest's CPUID returns (the callout and the table both use it). */
void bt_cpuid_fill(struct bt *bt, uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	(void)bt;
	memset(r, 0, 16);
	if (leaf == 0x40000000) {
		r[0] = 0x40000000;
		memcpy(&r[1], "vmm-mini bt ", 12);
	} else {
		host_cpuid(leaf, sub, r);
	}
	if (leaf == 1) /* hypervisor present; no VMX inside; no XSAVE/OSXSAVE/AVX (VEX is not translated) */
		r[2] = (r[2] | (1u << 31)) & ~((1u << 5) | (1u << 26) | (1u << 27) | (1u << 28));
	if (leaf == 7 && sub == 0) { /* AVX2 and AVX-512 */
		r[1] &= ~((1u << 5) | (1u << 16) | (1u << 17) | (1u << 21) | (1u << 26) | (1u << 27) | (1u << 28) |
			  (1u << 30) | (1u << 31));
		r[2] &= ~((1u << 1) | (1u << 6) | (1u << 11) | (1u << 12) | (1u << 14));
		r[3] &= ~((1u << 2) | (1u << 3) | (1u << 8) | (1u << 23));
	}
	if (leaf == 0x80000001)
		r[2] &= ~(1u << 2); /* no SVM */
}

/* Leaves whose answer does not depend on ECX; the others are kept for
 * subleaf 0 only (other subleaves take the callout). */
static int subleaf_free(uint32_t leaf)
{
	static const uint32_t l[] = {0,		 1,	     2,		 3,	     5,		 6,
				     0xA,	 0x15,	     0x16,	 0x80000000, 0x80000001, 0x80000002,
				     0x80000003, 0x80000004, 0x80000005, 0x80000006, 0x80000007, 0x80000008,
				     0x8000000A, 0x80000019, 0x8000001A, 0x8000001E, 0x8000001F};
	for (size_t i = 0; i < sizeof(l) / sizeof(l[0]); i++)
		if (l[i] == leaf)
			return 1;
	return 0;
}

/* At vCPU creation: leaves 0-31 and 0x80000000-0x8000001F up to the maxima. */
void bt_cpuid_table(struct bt *bt)
{
	for (int half = 0; half < 2; half++) {
		uint32_t base = half ? 0x80000000u : 0, r[4];
		bt_cpuid_fill(bt, base, 0, r);
		uint32_t max = r[0];
		for (uint32_t i = 0; i < 32; i++) {
			struct bt_cpuid_ent *t = &bt->ctx->cpuid[half * 32 + i];
			memset(t, 0, sizeof(*t));
			if (base + i > max || (half && max < base))
				continue;
			bt_cpuid_fill(bt, base + i, 0, t->r);
			t->mode = subleaf_free(base + i) ? 1 : 2;
		}
	}
}

/* cpuid from ctx->cpuid: index leaf (0-31) or 32 + (leaf - 0x80000000). */
void bt_inline_cpuid(struct bt *bt, uint8_t **p, uint64_t rip)
{
	struct bt_ctx *c = bt->ctx;
	struct emit e = {*p};
	uint32_t tab = abs32(c->cpuid);
	fl_save(&e, c);
	e8(&e, 0x8B), modrm_rip(&e, R_RAX, &c->fs_rax, 0); /* mov fs_rax,%eax */
	e8(&e, 0x83), e8(&e, 0xF8), e8(&e, 32);		   /* cmp $32,%eax */
	uint8_t *basic = jcc(&e, CC_B);
	e8(&e, 0x05), e32(&e, 0x80000000u); /* add $0x80000000,%eax */
	e8(&e, 0x83), e8(&e, 0xF8), e8(&e, 32);
	uint8_t *miss = jcc(&e, CC_AE);
	e8(&e, 0x83), e8(&e, 0xC0), e8(&e, 32); /* add $32,%eax */
	patch_rel32(basic, e.p);
	e8(&e, 0xC1), e8(&e, 0xE0), e8(&e, 5);			  /* shl $5,%eax */
	e8(&e, 0x83), e8(&e, 0xB8), e32(&e, tab + 16), e8(&e, 0); /* cmpl $0,mode(%rax) */
	uint8_t *miss2 = jcc(&e, CC_E);
	e8(&e, 0x83), e8(&e, 0xB8), e32(&e, tab + 16), e8(&e, 1); /* cmpl $1,mode(%rax) */
	uint8_t *hit = jcc(&e, CC_E);
	e8(&e, 0x3B), e8(&e, 0x88), e32(&e, tab + 20); /* cmp sub(%rax),%ecx */
	uint8_t *miss3 = jcc(&e, CC_NE);
	patch_rel32(hit, e.p);
	e8(&e, 0x8B), e8(&e, 0x98), e32(&e, tab + 4);  /* mov r[1](%rax),%ebx */
	e8(&e, 0x8B), e8(&e, 0x88), e32(&e, tab + 8);  /* mov r[2](%rax),%ecx */
	e8(&e, 0x8B), e8(&e, 0x90), e32(&e, tab + 12); /* mov r[3](%rax),%edx */
	e8(&e, 0x8B), e8(&e, 0x80), e32(&e, tab);      /* mov r[0](%rax),%eax */
	st_abs(&e, R_RAX, &c->fs_rax);
	fl_restore(&e, c);
	uint8_t *done = jmp_fwd(&e);
	patch_rel32(miss, e.p);
	patch_rel32(miss2, e.p);
	slow_callout(bt, &e, miss3, rip);
	patch_rel32(done, e.p);
	*p = e.p;
}

/* The #DE conditions of div/idiv, before the division runs natively: a
 * division that would fault exits to exception delivery instead of taking
 * SIGFPE. div faults exactly when the high half of the dividend is not
 * below the divisor (zero included); idiv on a zero divisor or INT_MIN / -1
 * (other idiv overflows, rare, still fault and take the signal). The
 * divisor is in ctx->dv, zero-extended; RCX is parked in ctx->i_rcx. */
void bt_inline_div_check(struct bt *bt, uint8_t **p, uint64_t rip, int bits, int is_signed)
{
	struct bt_ctx *c = bt->ctx;
	struct emit e = {*p};
	static const uint8_t movzb[] = {0x0F, 0xB6}, movzw[] = {0x0F, 0xB7}, mov32[] = {0x8B}, mov64[] = {0x48, 0x8B},
			     cmp64[] = {0x48, 0x3B}, xor64[] = {0x48, 0x33};
	fl_save(&e, c);
	st_abs(&e, R_RCX, &c->i_rcx);
	uint8_t *de1, *de2 = NULL, *ok = NULL;
	if (is_signed) {
		cmpq_abs(&e, &c->dv, 0);
		de1 = jcc(&e, CC_E);
		if (bits == 64)
			e8(&e, 0x48), e8(&e, 0xC7), e8(&e, 0xC1), e32(&e, 0xFFFFFFFFu); /* mov $-1,%rcx */
		else
			e8(&e, 0xB9), e32(&e, (uint32_t)((1ull << bits) - 1)); /* mov $mask,%ecx */
		op_abs(&e, cmp64, 2, R_RCX, &c->dv, 0);
		ok = jcc(&e, CC_NE);
		/* divisor -1: the low half must not be INT_MIN with the high half its sign */
		if (bits == 8)
			op_abs(&e, movzb, 2, R_RAX, &c->fs_rax, 0);
		else if (bits == 16)
			op_abs(&e, movzw, 2, R_RAX, &c->fs_rax, 0);
		else if (bits == 32)
			op_abs(&e, mov32, 1, R_RAX, &c->fs_rax, 0);
		else
			op_abs(&e, mov64, 2, R_RAX, &c->fs_rax, 0);
	} else {
		de1 = NULL;
	}
	switch (bits) { /* the dividend's high half -> %rcx, zero-extended */
	case 8: op_abs(&e, movzb, 2, R_RCX, (uint8_t *)&c->fs_rax + 1, 0); break; /* AH */
	case 16: e8(&e, 0x0F), e8(&e, 0xB7), e8(&e, 0xCA); break;		  /* movzwl %dx,%ecx */
	case 32: e8(&e, 0x89), e8(&e, 0xD1); break;				  /* mov %edx,%ecx */
	default: e8(&e, 0x48), e8(&e, 0x89), e8(&e, 0xD1); break;		  /* mov %rdx,%rcx */
	}
	if (is_signed) {
		op_abs(&e, xor64, 2, R_RCX, &c->dv, 0); /* 0 iff the high half is all ones */
		if (bits == 64)
			e8(&e, 0x48), e8(&e, 0x0F), e8(&e, 0xBA), e8(&e, 0xF8), e8(&e, 63); /* btc $63,%rax */
		else
			e8(&e, 0x35), e32(&e, 1u << (bits - 1)); /* xor $signbit,%eax */
		e8(&e, 0x48), e8(&e, 0x09), e8(&e, 0xC8);	 /* or %rcx,%rax */
		de2 = jcc(&e, CC_E);
	} else {
		op_abs(&e, cmp64, 2, R_RCX, &c->dv, 0);
		de2 = jcc(&e, CC_AE);
	}
	if (ok)
		patch_rel32(ok, e.p);
	ld_abs(&e, R_RCX, &c->i_rcx);
	fl_restore(&e, c);
	uint8_t *done = jmp_fwd(&e);
	if (de1)
		patch_rel32(de1, e.p);
	patch_rel32(de2, e.p);
	ld_abs(&e, R_RCX, &c->i_rcx);
	fl_restore(&e, c);
	exit_stub(bt, &e, rip, BTX_DIVIDE);
	patch_rel32(done, e.p);
	*p = e.p;
}

/* push/pop of the registers a C call may clobber (SysV caller-saved);
 * the stack slots from RSP up: r11 r10 r9 r8 rdi rsi rdx rcx rax. */
static const int clobbered[] = {R_RAX, R_RCX, R_RDX, R_RSI, R_RDI, 8, 9, 10, 11};

/* Onto the host stack for a C call from translated code (bt_pio_fast,
 * bt_mem_fast): the guest's RSP parked, the guest flags and the registers
 * the call may clobber pushed. */
static void host_stack_enter(struct emit *e, struct bt_ctx *c)
{
	st_abs(e, R_RSP, &c->s_rsp);
	ld_abs(e, R_RSP, &c->host_rsp);
	lea_disp(e, R_RSP, R_RSP, -8); /* host_rsp is 8 mod 16: the call needs 16 */
	e8(e, 0x9C);		       /* pushfq */
	for (int i = 0; i < 9; i++) {
		if (clobbered[i] >= 8)
			e8(e, 0x41);
		e8(e, (uint8_t)(0x50 + (clobbered[i] & 7)));
	}
}

static void pio_restore(struct emit *e, struct bt_ctx *c)
{
	for (int i = 8; i >= 0; i--) {
		if (clobbered[i] >= 8)
			e8(e, 0x41);
		e8(e, (uint8_t)(0x58 + (clobbered[i] & 7)));
	}
	e8(e, 0x9D); /* popfq */
	ld_abs(e, R_RSP, &c->s_rsp);
}

/* in/out as a call to bt_pio_fast on the host stack, saving only what the
 * call clobbers (caller-saved GPRs and flags): no exit, no decode. The
 * guest's FP state would be clobbered too, so a guest that uses it (and
 * CPL3, which must #GP) takes the callout. bt_pio_fast says when to leave
 * afterwards (the VM stopped, an interrupt became pending). */
void bt_inline_pio(struct bt *bt, uint8_t **p, uint64_t rip, uint64_t next, int port, int size, int out)
{
	struct bt_ctx *c = bt->ctx;
	struct emit e = {*p};
	uint32_t desc = (port < 0 ? 1u << 25 : (uint32_t)port) | (uint32_t)size << 16 | (uint32_t)out << 24;
	uint64_t fn = (uint64_t)(uintptr_t)bt_pio_fast, self = (uint64_t)(uintptr_t)bt;
	host_stack_enter(&e, c);
	cmpq_abs(&e, &c->cpl, 0);
	uint8_t *slow = jcc(&e, CC_NE);
	e8(&e, 0x80), modrm_rip(&e, 7, &c->fp_used, 1), e8(&e, 0); /* cmpb $0,fp_used */
	uint8_t *slow2 = jcc(&e, CC_NE);
	e8(&e, 0xFC);							    /* cld, as C expects */
	e8(&e, 0x48), e8(&e, 0xBF), memcpy(e.p, &self, 8), e.p += 8;	    /* movabs $bt,%rdi */
	e8(&e, 0xBE), e32(&e, desc);					    /* mov $desc,%esi */
	e8(&e, 0x48), e8(&e, 0x89), e8(&e, 0xC1);			    /* mov %rax,%rcx (RDX: the guest's) */
	e8(&e, 0x49), e8(&e, 0xB8), memcpy(e.p, &next, 8), e.p += 8;	    /* movabs $next,%r8 */
	e8(&e, 0x48), e8(&e, 0xB8), memcpy(e.p, &fn, 8), e.p += 8;	    /* movabs $bt_pio_fast,%rax */
	e8(&e, 0xFF), e8(&e, 0xD0);					    /* call *%rax */
	e8(&e, 0x48), e8(&e, 0x89), e8(&e, 0x44), e8(&e, 0x24), e8(&e, 64); /* mov %rax,64(%rsp): RAX slot */
	cmpq_abs(&e, &c->pio_exit, 0);
	uint8_t *leave = jcc(&e, CC_NE);
	pio_restore(&e, c);
	uint8_t *done = jmp_fwd(&e);
	patch_rel32(leave, e.p);
	pio_restore(&e, c);
	exit_stub(bt, &e, next, BTX_PIO);
	patch_rel32(slow, e.p);
	patch_rel32(slow2, e.p);
	pio_restore(&e, c);
	exit_stub(bt, &e, rip, BTX_CALLOUT);
	patch_rel32(done, e.p);
	*p = e.p;
}

/* mov ctx->mem_val into GPR r of width bytes (8/16-bit writes merge, 32 zero-extends) */
static void load_dst(struct emit *e, struct bt_ctx *c, int r, int bytes)
{
	if (bytes == 2)
		e8(e, 0x66);
	if (bytes == 8 || r >= 4)
		e8(e, (uint8_t)(0x40 | (bytes == 8 ? 8 : 0) | (r >= 8 ? 4 : 0))); /* spl..dil need a REX */
	e8(e, bytes == 1 ? 0x8A : 0x8B);
	modrm_rip(e, r, &c->mem_val, 0);
}

/* The rest after the call: leave through the callout if it could not do
 * the access, after the instruction if the dispatcher has work (a flush, an
 * exception), else on in the block. */
static void mem_tail(struct bt *bt, struct emit *e, uint64_t rip, uint64_t next, uint32_t desc, int dst,
		     uint8_t *slow_fp)
{
	struct bt_ctx *c = bt->ctx;
	int bytes = (int)((desc >> 8) & 15);
	cmpq_abs(e, &c->mem_slow, 0);
	uint8_t *slow = jcc(e, CC_NE);
	cmpq_abs(e, &c->mem_leave, 0);
	uint8_t *leave = jcc(e, CC_NE);
	pio_restore(e, c);
	if (dst >= 0)
		load_dst(e, c, dst, bytes);
	uint8_t *done = jmp_fwd(e);
	patch_rel32(leave, e->p);
	pio_restore(e, c);
	if (dst >= 0)
		load_dst(e, c, dst, bytes);
	exit_stub(bt, e, next, BTX_PIO);
	patch_rel32(slow, e->p);
	patch_rel32(slow_fp, e->p);
	pio_restore(e, c);
	exit_stub(bt, e, rip, BTX_MMIO);
	patch_rel32(done, e->p);
}

/* An emulated site's access as bt_mem_fast on the host stack, as in/out
 * do: a few dozen cycles where the callout decodes the instruction again. */
void bt_inline_mem(struct bt *bt, uint8_t **p, uint64_t rip, uint64_t next, uint32_t desc, int dst)
{
	struct bt_ctx *c = bt->ctx;
	struct emit e = {*p};
	uint64_t fn = (uint64_t)(uintptr_t)bt_mem_fast, self = (uint64_t)(uintptr_t)bt;
	host_stack_enter(&e, c);
	e8(&e, 0x80), modrm_rip(&e, 7, &c->fp_used, 1), e8(&e, 0); /* cmpb $0,fp_used */
	uint8_t *slow_fp = jcc(&e, CC_NE);
	e8(&e, 0xFC);						     /* cld, as C expects */
	e8(&e, 0x48), e8(&e, 0xBF), memcpy(e.p, &self, 8), e.p += 8; /* movabs $bt,%rdi */
	e8(&e, 0xBE), e32(&e, desc);				     /* mov $desc,%esi */
	e8(&e, 0x48), e8(&e, 0xBA), memcpy(e.p, &rip, 8), e.p += 8;  /* movabs $rip,%rdx */
	e8(&e, 0x48), e8(&e, 0xB8), memcpy(e.p, &fn, 8), e.p += 8;   /* movabs $bt_mem_fast,%rax */
	e8(&e, 0xFF), e8(&e, 0xD0);				     /* call *%rax */
	mem_tail(bt, &e, rip, next, desc, dst, slow_fp);
	*p = e.p;
}

/* movabs $v,%reg */
static void movabs(struct emit *e, int reg, uint64_t v)
{
	e8(e, (uint8_t)(0x48 | (reg >= 8 ? 1 : 0))), e8(e, (uint8_t)(0xB8 + (reg & 7)));
	memcpy(e->p, &v, 8);
	e->p += 8;
}

/* wrgsbase %rax: the window of the new CPL, as bt_set_cpl picks it */
static void switch_window(struct bt *bt, struct emit *e, int w)
{
	movabs(e, R_RAX, (uint64_t)(uintptr_t)bt->win[w].base);
	e8(e, 0xF3), e8(e, 0x48), e8(e, 0x0F), e8(e, 0xAE), e8(e, 0xD8);
	movq_abs(e, &bt->ctx->cur_win, (uint32_t)w);
}

/* syscall without leaving translated code: RCX = next, R11 = RFLAGS (the
 * virtual IF in it), RFLAGS &= ~SFMASK, CS/SS from STAR, CPL0 and its
 * window; STAR, LSTAR, SFMASK and EFER are constants here (writing them
 * flushes the cache). Only SFMASKs that clear no live flag but DF. Coming
 * from the user window takes wrgsbase, or the callout without FSGSBASE. */
int bt_inline_syscall(struct bt *bt, uint8_t **p, uint64_t rip, uint64_t next)
{
	struct bt_ctx *c = bt->ctx;
	struct emit e = {*p};
	if (!(bt->cpu.efer & 1) || (bt->cpu.sfmask & FL_LIVE & ~0x400ull))
		return -1;
	uint16_t cs = (uint16_t)((bt->cpu.star >> 32) & 0xFFFC);
	fl_save(&e, c);
	cmpq_abs(&e, &c->vflags, 0); /* R11 would miss them: the callout */
	uint8_t *virt = jcc(&e, CC_NE);
	cmpq_abs(&e, &c->cur_win, 0);
	uint8_t *same = jcc(&e, CC_E), *slow = NULL;
	if (bt_have_fsgsbase())
		switch_window(bt, &e, 0);
	else
		slow = jmp_fwd(&e);
	patch_rel32(same, e.p);
	fl_restore(&e, c);
	st_abs(&e, R_RSP, &c->s_rsp);
	e8(&e, 0xBC), e32(&e, abs32(&c->stk[4])); /* mov $stack_top,%esp */
	e8(&e, 0x9C), e8(&e, 0x41), e8(&e, 0x5B); /* pushfq; pop %r11 */
	ld_abs(&e, R_RSP, &c->s_rsp);
	ld_abs(&e, R_RCX, &c->vif);
	e8(&e, 0x4D), e8(&e, 0x8D), e8(&e, 0x9C), e8(&e, 0x0B),
	    e32(&e, (uint32_t)-0x200); /* lea -0x200(%r11,%rcx),%r11 */
	movabs(&e, R_RCX, next);
	if (bt->cpu.sfmask & FL_IF)
		movq_abs(&e, &c->vif, 0);
	movq_abs(&e, &c->cpl, 0);
	movq_abs(&e, &c->cs, cs), movq_abs(&e, &c->ss, (uint32_t)cs + 8);
	if (bt->cpu.sfmask & 0x400)
		e8(&e, 0xFC); /* cld */
	uint8_t *done = jmp_fwd(&e);
	if (slow)
		patch_rel32(slow, e.p);
	slow_callout(bt, &e, virt, rip);
	patch_rel32(done, e.p);
	*p = e.p;
	return 0;
}

/* sysretq at CPL0: RFLAGS from R11 (IF to the virtual IF), CS/SS from
 * STAR, CPL3 and its window (the user view only if supervisor-only pages
 * are mapped: wrgsbase, or the callout without FSGSBASE); RCX is left for
 * the caller's indirect jump. CPL3 takes the callout (#GP). */
int bt_inline_sysret(struct bt *bt, uint8_t **p, uint64_t rip)
{
	struct bt_ctx *c = bt->ctx;
	struct emit e = {*p};
	if (!(bt->cpu.efer & 1))
		return -1;
	uint16_t sel = (uint16_t)(bt->cpu.star >> 48);
	uint64_t so = (uint64_t)(uintptr_t)&bt->win[0].sup_only;
	fl_save(&e, c);
	cmpq_abs(&e, &c->cpl, 0);
	uint8_t *slow = jcc(&e, CC_NE), *slow2 = NULL;
	cmpq_abs(&e, &c->vflags, 0); /* to be changed or set from R11: the callout */
	uint8_t *virt = jcc(&e, CC_NE);
	e8(&e, 0x41), e8(&e, 0xF7), e8(&e, 0xC3), e32(&e, (uint32_t)FL_VIRT); /* test $FL_VIRT,%r11d */
	uint8_t *virt2 = jcc(&e, CC_NE);
	e8(&e, 0x48), e8(&e, 0xA1), memcpy(e.p, &so, 8), e.p += 8; /* movabs sup_only,%rax */
	e8(&e, 0x48), e8(&e, 0x85), e8(&e, 0xC0);		   /* test %rax,%rax */
	uint8_t *same = jcc(&e, CC_E);
	if (bt_have_fsgsbase())
		switch_window(bt, &e, 1);
	else
		slow2 = jcc(&e, CC_NE); /* still ZF clear from the test */
	patch_rel32(same, e.p);
	e8(&e, 0x4C), e8(&e, 0x89), e8(&e, 0xD8); /* mov %r11,%rax */
	e8(&e, 0x25), e32(&e, (uint32_t)FL_IF);	  /* and $IF,%eax */
	st_abs(&e, R_RAX, &c->vif);
	movq_abs(&e, &c->cpl, 3);
	movq_abs(&e, &c->cs, (uint32_t)(((sel + 16) | 3) & 0xFFFF));
	movq_abs(&e, &c->ss, (uint32_t)(((sel + 8) | 3) & 0xFFFF));
	st_abs(&e, R_RCX, &c->i_rcx);
	e8(&e, 0x4C), e8(&e, 0x89), e8(&e, 0xD8); /* mov %r11,%rax */
	set_live_flags(&e);
	ld_abs(&e, R_RCX, &c->i_rcx);
	ld_abs(&e, R_RAX, &c->fs_rax);
	uint8_t *done = jmp_fwd(&e);
	if (slow2) {
		patch_rel32(slow2, e.p);
		fl_restore(&e, c);
		exit_stub(bt, &e, rip, BTX_CALLOUT);
	}
	patch_rel32(virt, e.p);
	patch_rel32(virt2, e.p);
	slow_callout(bt, &e, slow, rip);
	patch_rel32(done, e.p);
	*p = e.p;
	return 0;
}

/* invlpg: page-table writes already dropped whatever the entry had mapped
 * (pagetab.c), so at CPL0 there is nothing left to do. CPL3 (#GP) and a
 * VM whose tables are not all traced (ctx->pt_lossy) take the callout,
 * which unmaps as a TLB flush would. No flags touched. */
void bt_inline_invlpg(struct bt *bt, uint8_t **p, uint64_t rip)
{
	struct bt_ctx *c = bt->ctx;
	struct emit e = {*p};
	st_abs(&e, R_RCX, &c->i_rcx);
	ld_abs(&e, R_RCX, &c->cpl);
	uint8_t *user = unless_rcx_zero(&e);
	ld_abs(&e, R_RCX, &c->pt_lossy);
	uint8_t *lossy = unless_rcx_zero(&e);
	ld_abs(&e, R_RCX, &c->i_rcx);
	uint8_t *done = jmp_fwd(&e);
	patch_rel32(user, e.p);
	patch_rel32(lossy, e.p);
	ld_abs(&e, R_RCX, &c->i_rcx);
	exit_stub(bt, &e, rip, BTX_CALLOUT);
	patch_rel32(done, e.p);
	*p = e.p;
}

/* iretq from CPL0 to CPL0 with the frame's CS and SS the current ones, no
 * virtual flags now or in the frame and no #PF retry to refill (the common
 * return from an exception handler): the frame through the window, IF into
 * the virtual IF, the new RIP left in %rcx (the guest's in ctx->s_rcx) for
 * the caller's indirect jump. The frame's first and last qwords are read
 * while only RAX has changed (its 40 bytes span at most those two pages),
 * so a fault restarts the instruction; every other case, and IF going
 * 0 -> 1 with an interrupt the TPR lets through, takes the callout before
 * anything else changes: the host flags the tests clobbered are replaced
 * from the frame there, which the callout reads again without faulting. */
void bt_inline_iretq(struct bt *bt, uint8_t **p, uint64_t rip)
{
	struct bt_ctx *c = bt->ctx;
	struct emit e = {*p};
	uint64_t pf = (uint64_t)(uintptr_t)&bt->cpu.pf_retry;
	_Static_assert(sizeof(bt->cpu.pf_retry) == 4, "the test below loads 32 bits");
	st_abs(&e, R_RAX, &c->t0);
	gs_esp(&e, 0x8B, R_RAX, 0);
	gs_esp(&e, 0x8B, R_RAX, 32); /* SS */
	st_abs(&e, R_RCX, &c->s_rcx);
	cmp_reg_abs(&e, R_RAX, &c->ss);
	uint8_t *slow[8];
	int n = 0;
	slow[n++] = jcc(&e, CC_NE);
	gs_esp(&e, 0x8B, R_RAX, 8); /* CS */
	cmp_reg_abs(&e, R_RAX, &c->cs);
	slow[n++] = jcc(&e, CC_NE);
	cmpq_abs(&e, &c->cpl, 0);
	slow[n++] = jcc(&e, CC_NE);
	cmpq_abs(&e, &c->vflags, 0);
	slow[n++] = jcc(&e, CC_NE);
	e8(&e, 0xA1), memcpy(e.p, &pf, 8), e.p += 8; /* movabs pf_retry,%eax */
	e8(&e, 0x85), e8(&e, 0xC0);		     /* test %eax,%eax */
	slow[n++] = jcc(&e, CC_NE);
	gs_esp(&e, 0x8B, R_RAX, 16);		  /* RFLAGS */
	e8(&e, 0xA9), e32(&e, (uint32_t)FL_VIRT); /* test $FL_VIRT,%eax */
	slow[n++] = jcc(&e, CC_NE);
	e8(&e, 0xA9), e32(&e, (uint32_t)FL_IF); /* test $IF,%eax */
	uint8_t *off = jcc(&e, CC_E);
	cmpq_abs(&e, &c->vif, 0);
	uint8_t *on = jcc(&e, CC_NE);
	ld_abs(&e, R_RCX, &c->irq_prio);
	cmp_reg_abs(&e, R_RCX, &c->cr8);
	slow[n++] = jcc(&e, CC_A);
	patch_rel32(off, e.p);
	patch_rel32(on, e.p);
	e8(&e, 0x89), e8(&e, 0xC1);			      /* mov %eax,%ecx */
	e8(&e, 0x81), e8(&e, 0xE1), e32(&e, (uint32_t)FL_IF); /* and $IF,%ecx */
	st_abs(&e, R_RCX, &c->vif);
	set_live_flags(&e);
	gs_esp(&e, 0x8B, R_RCX, 0);		  /* RIP */
	gs_esp(&e, 0x8B, R_RAX, 24);		  /* RSP */
	e8(&e, 0x48), e8(&e, 0x89), e8(&e, 0xC4); /* mov %rax,%rsp */
	ld_abs(&e, R_RAX, &c->t0);
	uint8_t *done = jmp_fwd(&e);
	for (int i = 0; i < n; i++)
		patch_rel32(slow[i], e.p);
	ld_abs(&e, R_RCX, &c->s_rcx);
	ld_abs(&e, R_RAX, &c->t0);
	exit_stub(bt, &e, rip, BTX_CALLOUT);
	patch_rel32(done, e.p);
	*p = e.p;
}
