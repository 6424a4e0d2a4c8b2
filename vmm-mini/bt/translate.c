/* Guest basic block -> host code. Zydis decodes; each instruction is
 *   copied verbatim      no memory operand, no control flow, not sensitive
 *   prefixed             an explicit memory operand gets %gs + addr32 (0x67), so
 *                        it lands in the 4 GiB window; RIP-relative becomes absolute
 *   rewritten            push/pop/call/ret/leave/lea-rip and branches: the guest
 *                        stack through the window, branches to exit stubs (chained
 *                        later) or the indirect lookup
 *   inline               cli/sti, pushf/popf, cr8, cpuid, rdtscp, the #DE check of
 *                        div/idiv, in/out (a call on the host stack), syscall/sysret
 *                        (CPL and window switch), invlpg as host code (inline.c)
 *   a callout            other sensitive instructions end the block and exit to C
 * Anything else is refused with the guest RIP and bytes. A rewrite touches
 * guest memory before it changes any guest register, so a fault anywhere in
 * it restarts the instruction (RAX parked in ctx->t0 is put back). */
#include <Zydis/Zydis.h>
#include <stdlib.h>
#include <string.h>

#include "vmm-mini/bt/bt.h"
#include "vmm-mini/bt/emit.h"
#include "vmm-mini/bt/sensitive.h"

enum kind {
	K_COPY,
	K_MEM,
	K_LEA,
	K_PUSH,
	K_POP,
	K_CALL,
	K_RET,
	K_JMP,
	K_JCC,
	K_LOOP,
	K_LEAVE,
	K_CALLOUT,
	K_MMIO,
	K_CLI,
	K_STI,
	K_PUSHF,
	K_POPF,
	K_CPUID,
	K_CR8,
	K_RDTSCP,
	K_DIV,
	K_PIO,
	K_SYSCALL,
	K_SYSRET,
	K_INVLPG,
	K_IRETQ,
	K_EMEM,
	K_UNSUP
};

struct insn {
	ZydisDecodedInstruction d;
	ZydisDecodedOperand op[ZYDIS_MAX_OPERAND_COUNT];
	uint8_t b[16];
	uint64_t rip;
	const char *why; /* K_UNSUP */
};

struct tb {
	struct bt *bt;
	struct emit e;
	int single;
	struct {
		uint8_t *site;
		uint64_t rip;
	} exits[2];
	int nexits;
};

static ZydisDecoder dec;
static int dec_ready;

static int gpr_id(ZydisRegister r)
{
	ZydisRegisterClass c = ZydisRegisterGetClass(r);
	return c == ZYDIS_REGCLASS_GPR64 ? ZydisRegisterGetId(r) : -1;
}

static int legacy_prefix(uint8_t b)
{
	return b == 0xF0 || b == 0xF2 || b == 0xF3 || b == 0x2E || b == 0x36 || b == 0x3E || b == 0x26 || b == 0x64 ||
	       b == 0x65 || b == 0x66 || b == 0x67;
}

/* Reads up to 15 instruction bytes at rip through the guest page tables;
 * a fault on the first byte raises #PF (returns -1), a later one shortens. */
int bt_fetch(struct bt *bt, uint64_t rip, uint8_t *buf, int *n, uint64_t *pa_out)
{
	int got = 0;
	while (got < 15) {
		uint64_t va = rip + (uint64_t)got, pa, psize, err;
		int w;
		if (bt_walk(bt, va, 0, bt->cpu.cpl == 3, 1, &pa, &w, &psize, &err)) {
			if (got)
				break;
			bt->cpu.cr2 = va;
			bt_raise(bt, 14, 1, err);
			return -1;
		}
		if (!bt_is_ram(bt, pa, 1)) {
			if (got)
				break;
			return -2;
		}
		if (!got && pa_out)
			*pa_out = pa;
		uint32_t room = 4096 - (uint32_t)(va & 4095);
		uint32_t take = room < (uint32_t)(15 - got) ? room : (uint32_t)(15 - got);
		memcpy(buf + got, bt->vm->ram + pa, take);
		got += (int)take;
	}
	*n = got;
	return 0;
}

int bt_decode(const uint8_t *buf, int n, ZydisDecodedInstruction *d, ZydisDecodedOperand *op)
{
	if (!dec_ready) {
		ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
		dec_ready = 1;
	}
	return ZYAN_SUCCESS(ZydisDecoderDecodeFull(&dec, buf, (ZyanUSize)n, d, op)) ? 0 : -1;
}

/* Does it touch x87/MMX/SSE state (registers, control words)? Then the
 * guest's FP state must be switched in (glue.c) from now on. */
static int uses_fp(const struct insn *in)
{
	switch (in->d.meta.category) {
	case ZYDIS_CATEGORY_X87_ALU:
	case ZYDIS_CATEGORY_FCMOV:
	case ZYDIS_CATEGORY_SSE:
	case ZYDIS_CATEGORY_MMX:
	case ZYDIS_CATEGORY_LOGICAL_FP: return 1;
	default: break;
	}
	for (int i = 0; i < in->d.operand_count; i++) {
		if (in->op[i].type != ZYDIS_OPERAND_TYPE_REGISTER)
			continue;
		ZydisRegister r = in->op[i].reg.value;
		ZydisRegisterClass c = ZydisRegisterGetClass(r);
		if (c == ZYDIS_REGCLASS_X87 || c == ZYDIS_REGCLASS_MMX || c == ZYDIS_REGCLASS_XMM ||
		    c == ZYDIS_REGCLASS_YMM || c == ZYDIS_REGCLASS_ZMM || r == ZYDIS_REGISTER_MXCSR ||
		    r == ZYDIS_REGISTER_X87CONTROL || r == ZYDIS_REGISTER_X87STATUS || r == ZYDIS_REGISTER_X87TAG)
			return 1;
	}
	return 0;
}

static int copyable_category(ZydisInstructionCategory c, ZydisMnemonic m)
{
	switch (c) {
	case ZYDIS_CATEGORY_X87_ALU:
	case ZYDIS_CATEGORY_FCMOV:
	case ZYDIS_CATEGORY_SSE:
	case ZYDIS_CATEGORY_MMX:
	case ZYDIS_CATEGORY_LOGICAL_FP:
	case ZYDIS_CATEGORY_BINARY:
	case ZYDIS_CATEGORY_BITBYTE:
	case ZYDIS_CATEGORY_CMOV:
	case ZYDIS_CATEGORY_CONVERT:
	case ZYDIS_CATEGORY_DATAXFER:
	case ZYDIS_CATEGORY_FLAGOP:
	case ZYDIS_CATEGORY_LOGICAL:
	case ZYDIS_CATEGORY_NOP:
	case ZYDIS_CATEGORY_WIDENOP:
	case ZYDIS_CATEGORY_ROTATE:
	case ZYDIS_CATEGORY_SEMAPHORE:
	case ZYDIS_CATEGORY_SETCC:
	case ZYDIS_CATEGORY_SHIFT:
	case ZYDIS_CATEGORY_BMI1:
	case ZYDIS_CATEGORY_BMI2:
	case ZYDIS_CATEGORY_LZCNT:
	case ZYDIS_CATEGORY_PREFETCH: return 1;
	case ZYDIS_CATEGORY_MISC:
		return m == ZYDIS_MNEMONIC_LFENCE || m == ZYDIS_MNEMONIC_MFENCE || m == ZYDIS_MNEMONIC_SFENCE ||
		       m == ZYDIS_MNEMONIC_PAUSE;
	default: return 0;
	}
}

static int mem_operand(const struct insn *in)
{
	for (int i = 0; i < in->d.operand_count; i++)
		if (in->op[i].type == ZYDIS_OPERAND_TYPE_MEMORY && in->op[i].mem.type == ZYDIS_MEMOP_TYPE_MEM)
			return i;
	return -1;
}

static enum kind unsup(struct insn *in, const char *why)
{
	in->why = why;
	return K_UNSUP;
}

/* mov between cr8 and a 64-bit GPR */
static int is_cr8(const struct insn *in)
{
	if (in->d.mnemonic != ZYDIS_MNEMONIC_MOV || in->op[0].type != ZYDIS_OPERAND_TYPE_REGISTER ||
	    in->op[1].type != ZYDIS_OPERAND_TYPE_REGISTER)
		return 0;
	ZydisRegister a = in->op[0].reg.value, b = in->op[1].reg.value;
	return (a == ZYDIS_REGISTER_CR8 && gpr_id(b) >= 0) || (b == ZYDIS_REGISTER_CR8 && gpr_id(a) >= 0);
}

/* The inline translation of a sensitive instruction's row (inline.c), or
 * -1 where this form or configuration needs the callout. */
static int inline_kind(struct bt *bt, const struct insn *in, const struct bt_sensitive *row)
{
	int tsd = (bt->cpu.cr4 & 4) != 0; /* CR4.TSD: rdtsc at CPL3 must #GP; a change flushes */
	if (bt->inline_off)
		return -1;
	switch ((enum bt_inline)row->inl) {
	case BI_CLI: return K_CLI;
	case BI_STI: return K_STI;
	case BI_PUSHF: return K_PUSHF;
	case BI_POPF: return K_POPF;
	case BI_CPUID: return K_CPUID;
	case BI_RDTSC: return tsd ? -1 : K_COPY;
	case BI_RDTSCP: return tsd ? -1 : K_RDTSCP;
	case BI_CR8: return is_cr8(in) ? K_CR8 : -1;
	case BI_PIO: return K_PIO;
	case BI_SYSCALL: return K_SYSCALL;
	case BI_SYSRET: return in->d.operand_width == 64 ? K_SYSRET : -1;
	case BI_INVLPG: return K_INVLPG;
	case BI_IRETQ: return in->d.operand_width == 64 ? K_IRETQ : -1;
	case BI_DIV:
		return in->d.encoding == ZYDIS_INSTRUCTION_ENCODING_LEGACY && in->d.operand_count_visible == 1 ? K_DIV
													       : -1;
	case BI_NONE: break;
	}
	return -1;
}

static enum kind classify(struct bt *bt, struct insn *in)
{
	ZydisMnemonic m = in->d.mnemonic;
	int mem = mem_operand(in);
	if (in->d.attributes & (ZYDIS_ATTRIB_HAS_SEGMENT_FS | ZYDIS_ATTRIB_HAS_SEGMENT_GS))
		return unsup(in, "fs/gs segment override (guest segment bases are not modelled)");
	const struct bt_sensitive *row = bt_sensitive_of(&in->d, in->op);
	int ik = row ? inline_kind(bt, in, row) : -1;
	if (ik >= 0)
		return (enum kind)ik;
	if (row && row->emulate)
		return K_CALLOUT;
	if (in->d.encoding != ZYDIS_INSTRUCTION_ENCODING_LEGACY)
		return unsup(in, "VEX/EVEX/XOP encoding");
	switch (m) {
	case ZYDIS_MNEMONIC_PUSH:
	case ZYDIS_MNEMONIC_POP:
		if (in->d.operand_width != 64)
			return unsup(in, "16-bit push/pop");
		if (m == ZYDIS_MNEMONIC_POP && in->op[0].type != ZYDIS_OPERAND_TYPE_REGISTER)
			return unsup(in, "pop to memory");
		return m == ZYDIS_MNEMONIC_PUSH ? K_PUSH : K_POP;
	case ZYDIS_MNEMONIC_CALL: return K_CALL;
	case ZYDIS_MNEMONIC_RET: return K_RET;
	case ZYDIS_MNEMONIC_JMP: return K_JMP;
	case ZYDIS_MNEMONIC_JRCXZ:
	case ZYDIS_MNEMONIC_JECXZ:
	case ZYDIS_MNEMONIC_LOOP:
	case ZYDIS_MNEMONIC_LOOPE:
	case ZYDIS_MNEMONIC_LOOPNE: return K_LOOP;
	case ZYDIS_MNEMONIC_LEAVE: return K_LEAVE;
	case ZYDIS_MNEMONIC_LEA: return K_LEA;
	case ZYDIS_MNEMONIC_BT:
	case ZYDIS_MNEMONIC_BTS:
	case ZYDIS_MNEMONIC_BTR:
	case ZYDIS_MNEMONIC_BTC:
		/* a register bit offset reaches outside the operand (and the window) */
		if (mem >= 0 && in->op[1].type == ZYDIS_OPERAND_TYPE_REGISTER)
			return unsup(in, "bt* on memory with a register bit offset");
		break;
	default: break;
	}
	if (in->d.meta.category == ZYDIS_CATEGORY_COND_BR)
		return K_JCC;
	if (!copyable_category(in->d.meta.category, m))
		return unsup(in, "instruction class not supported by the translator");
	for (int i = 0; i < in->d.operand_count; i++)
		if (in->op[i].type == ZYDIS_OPERAND_TYPE_MEMORY && in->op[i].mem.type == ZYDIS_MEMOP_TYPE_MEM &&
		    in->op[i].visibility != ZYDIS_OPERAND_VISIBILITY_EXPLICIT)
			return unsup(in, "implicit memory operand");
	return mem >= 0 ? K_MEM : K_COPY;
}

/* A guest access to a fixed address a (RIP-relative or absolute in the
 * guest) as %gs + addr32 + EIP-relative: the address size makes it
 * (host EIP + disp32) mod 2^32, so it stays in the window like every other
 * operand, and the host code sits below 2 GiB, where EIP is RIP. Not the
 * absolute [disp32] form: a store and a later load of the same fixed
 * address go through memory renaming EIP-relative, through a full
 * store-to-load forward absolute (0.9 against 5.6 TSC cycles here). The
 * disp32 ends at out[o - 4 .. o - 1] unless immediates follow; end is the
 * instruction's length, which the disp is relative to. */
static void eip_disp_at(struct tb *t, uint8_t *out, int at, int end, uint32_t a)
{
	uint32_t disp = a - (uint32_t)(uintptr_t)(t->e.p + end);
	memcpy(out + at, &disp, 4);
}
static void eip_disp(struct tb *t, uint8_t *out, int o, uint32_t a)
{
	eip_disp_at(t, out, o - 4, o, a);
}

/* mov between al/ax/eax/rax and a 64-bit absolute address (A0-A3) has no
 * ModRM; as %gs + addr32 it becomes the ModRM form with an absolute disp32
 * (the address modulo 2^32, as every guest access through the window). */
static int emit_moffs(struct tb *t, const struct insn *in)
{
	static const uint8_t modrm_op[4] = {0x8A, 0x8B, 0x88, 0x89};
	const uint8_t *b = in->b;
	int p = 0, o = 0, mem = mem_operand(in);
	uint8_t out[16];
	if (mem < 0 || in->d.opcode < 0xA0 || in->d.opcode > 0xA3)
		return -1;
	while (p < in->d.length && legacy_prefix(b[p]))
		p++;
	for (int i = 0; i < p; i++)
		if (b[i] == 0x66 || b[i] == 0xF0)
			out[o++] = b[i];
	out[o++] = 0x65, out[o++] = 0x67;
	if (b[p] >= 0x40 && b[p] <= 0x4F)
		out[o++] = b[p];
	out[o++] = modrm_op[in->d.opcode - 0xA0];
	out[o++] = 0x05; /* ModRM reg=al/ax/eax/rax, EIP-relative (see eip_disp) */
	o += 4;
	eip_disp(t, out, o, (uint32_t)in->op[mem].mem.disp.value);
	memcpy(t->e.p, out, (size_t)o);
	t->e.p += o;
	return 0;
}

/* Re-emits a ModRM instruction with %gs + addr32. opcode_override/reg
 * replace the opcode bytes and ModRM.reg (to turn push/call/jmp [mem]
 * into mov [mem] -> rax); rex_w forces REX.W. Returns -1 if it cannot. */
static int emit_mem(struct tb *t, const struct insn *in, const uint8_t *opcode_override, int nop_override, int reg,
		    int rex_w)
{
	const uint8_t *b = in->b;
	int len = in->d.length, p = 0, mo = in->d.raw.modrm.offset;
	uint8_t out[24];
	int o = 0;
	if (!(in->d.attributes & ZYDIS_ATTRIB_HAS_MODRM))
		return opcode_override ? -1 : emit_moffs(t, in);
	while (p < len && legacy_prefix(b[p]))
		p++;
	for (int i = 0; i < p; i++)
		if (b[i] != 0x26 && b[i] != 0x2E && b[i] != 0x36 && b[i] != 0x3E && b[i] != 0x64 && b[i] != 0x65 &&
		    b[i] != 0x67 && !(opcode_override && (b[i] == 0x66 || b[i] == 0xF2 || b[i] == 0xF3)))
			out[o++] = b[i];
	out[o++] = 0x65, out[o++] = 0x67;
	int q = p;
	uint8_t rex = 0;
	if (b[q] >= 0x40 && b[q] <= 0x4F)
		rex = b[q++];
	int mem = mem_operand(in);
	int riprel = mem >= 0 && in->op[mem].mem.base == ZYDIS_REGISTER_RIP;
	/* RIP-relative, or [disp32] with neither base nor index: a fixed address */
	int fixed = riprel || (mem >= 0 && in->op[mem].mem.base == ZYDIS_REGISTER_NONE &&
			       in->op[mem].mem.index == ZYDIS_REGISTER_NONE);
	if (opcode_override) {
		rex = (uint8_t)((rex & 0x03) | (rex_w ? 0x48 : 0x40));
		if (fixed)
			rex &= (uint8_t)~0x03;
		if (rex != 0x40)
			out[o++] = rex;
		for (int i = 0; i < nop_override; i++)
			out[o++] = opcode_override[i];
	} else {
		if (fixed)
			rex &= (uint8_t)~0x03; /* neither index nor base with the EIP-relative form */
		if (rex)
			out[o++] = rex;
		for (int i = q; i < mo; i++)
			out[o++] = b[i];
	}
	uint8_t modrm = b[mo];
	if (reg >= 0)
		modrm = (uint8_t)((modrm & 0xC7) | ((reg & 7) << 3));
	if (fixed) {
		ZyanU64 a = (uint64_t)in->op[mem].mem.disp.value;
		if (riprel &&
		    (!ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(&in->d, &in->op[mem], in->rip, &a)) || a >= BT_WINDOW))
			return -1;
		out[o++] = (uint8_t)((modrm & 0x38) | 0x05);
		int at = o;
		o += 4;
		int rest = opcode_override && in->d.raw.imm[0].size ? in->d.raw.imm[0].offset : len;
		for (int i = in->d.raw.disp.offset + 4; i < rest; i++)
			out[o++] = b[i];
		eip_disp_at(t, out, at, o, (uint32_t)a);
	} else {
		out[o++] = modrm;
		int rest = opcode_override ? (in->d.raw.imm[0].size ? in->d.raw.imm[0].offset : len) : len;
		for (int i = mo + 1; i < rest; i++)
			out[o++] = b[i];
	}
	if (o > 15)
		return -1;
	memcpy(t->e.p, out, (size_t)o);
	t->e.p += o;
	return 0;
}

/* mov [mem operand of in] -> %rax (RAX parked in ctx->t0 first). */
static int load_mem_to_rax(struct tb *t, const struct insn *in)
{
	static const uint8_t mov_load[] = {0x8B};
	st_abs(&t->e, R_RAX, &t->bt->ctx->t0);
	return emit_mem(t, in, mov_load, 1, R_RAX, 1);
}

static void exit_to(struct tb *t, uint64_t rip)
{
	uint8_t *site = jmp_rel(&t->e, t->e.p); /* fixed up when stubs are laid out */
	t->exits[t->nexits].site = site;
	t->exits[t->nexits].rip = rip;
	t->nexits++;
}

static void push_imm_ret(struct tb *t, uint64_t ret)
{
	gs_esp(&t->e, 0xC7, 0, -8);
	e32(&t->e, (uint32_t)ret);
	lea_disp(&t->e, R_RSP, R_RSP, -8);
}

/* The table lookup, target in %rcx (RCX saved in ctx->s_rcx): a
 * direct-mapped table indexed by the target's low 16 bits, compared without
 * touching RFLAGS (not + lea + jrcxz), so the guest's flags stay live. */
static void ind_table(struct tb *t)
{
	struct bt_ctx *c = t->bt->ctx;
	struct emit *e = &t->e;
	st_abs(e, R_RAX, &c->s_rax);
	st_abs(e, R_RDX, &c->s_rdx);
	st_abs(e, R_RCX, &c->target);
	e8(e, 0x0F), e8(e, 0xB7), e8(e, 0xD1);					       /* movzwl %cx,%edx */
	e8(e, 0x48), e8(e, 0x8B), e8(e, 0x04), e8(e, 0xD5), e32(e, abs32(c->ind_tag)); /* mov tag(,%rdx,8),%rax */
	e8(e, 0x48), e8(e, 0xF7), e8(e, 0xD1);					       /* not %rcx */
	e8(e, 0x48), e8(e, 0x8D), e8(e, 0x4C), e8(e, 0x08), e8(e, 1); /* lea 1(%rax,%rcx),%rcx: tag - target */
	e8(e, 0xE3), e8(e, 5);					      /* jrcxz hit */
	jmp_rel(e, t->bt->tc.g.ind_miss);
	e8(e, 0x48), e8(e, 0x8B), e8(e, 0x14), e8(e, 0xD5),
	    e32(e, abs32(c->ind_host)); /* hit: mov host(,%rdx,8),%rdx */
	st_abs(e, R_RDX, &c->jmp_slot);
	ld_abs(e, R_RAX, &c->s_rax);
	ld_abs(e, R_RCX, &c->s_rcx);
	ld_abs(e, R_RDX, &c->s_rdx);
	jmp_abs_ind(e, &c->jmp_slot);
}

/* lea disp32(%rcx),%rcx; returns the disp32 field. */
static uint8_t *lea_rcx(struct emit *e, int32_t disp)
{
	e8(e, 0x48), e8(e, 0x8D), e8(e, 0x89);
	uint8_t *f = e->p;
	e32(e, (uint32_t)disp);
	return f;
}

/* An indirect branch or return, target in %rcx (RCX saved): first an
 * inline cache of the site's first BT_PIC targets, compared without flags,
 * one lea and one branch each: each lea subtracts the difference to the
 * previous entry's target, so %rcx reaches 0 at the matching entry, and a
 * hit is a direct jump, which the predictor follows like the native branch.
 * Entry 0 tests with loop (which subtracts 1 more), so that its hit falls
 * through: a return or a call with one target takes a single taken branch,
 * as natively (two cost interp 12%); the others with jrcxz. A miss restores
 * the target (the tail lea adds the last one back) and exits for the
 * dispatcher to fill the next entry; a site with more targets jumps to the
 * table lookup from its first byte on. Entry 0 starts as "target 1 -> an
 * exit to RIP 1", the others subtract nothing and so never match: correct
 * whatever the guest does. */
static void ind_branch(struct tb *t)
{
	struct bt *bt = t->bt;
	struct bt_ctx *c = bt->ctx;
	struct emit *e = &t->e;
	uint32_t idx;
	struct bt_site *s = bt_new_site(bt, &idx);
	if (!s) {
		ind_table(t);
		return;
	}
	uint8_t *jrcxz[BT_PIC];
	s->disp[0] = lea_rcx(e, 0);
	e8(e, 0xE2), e8(e, 0); /* loop: over the hit, which falls through */
	uint8_t *over = e->p;
	ld_abs(e, R_RCX, &c->s_rcx);
	s->hit_jmp[0] = jmp_rel(e, e->p);
	over[-1] = (uint8_t)(e->p - over);
	for (int i = 1; i < BT_PIC; i++) {
		s->disp[i] = lea_rcx(e, 0);
		e8(e, 0xE3), jrcxz[i] = e->p, e8(e, 0);
	}
	s->tail = lea_rcx(e, 1);
	uint8_t *miss_jmp = jmp_rel(e, e->p);
	for (int i = 1; i < BT_PIC; i++) {
		*jrcxz[i] = (uint8_t)(e->p - (jrcxz[i] + 1)); /* within rel8 for BT_PIC <= 10 */
		ld_abs(e, R_RCX, &c->s_rcx);
		s->hit_jmp[i] = jmp_rel(e, e->p);
	}
	s->table = e->p;
	ind_table(t);
	uint8_t *miss = e->p;
	st_abs(e, R_RCX, &c->next_rip);
	ld_abs(e, R_RCX, &c->s_rcx);
	st_abs_u64(e, &c->exit_kind, BTX_IND_SITE);
	st_abs_u64(e, &c->chain_site, idx);
	jmp_rel(e, bt->tc.g.exit_common);
	uint8_t *rip1 = e->p;
	e->p += bt_emit_exit_stub(bt, e->p, 1, BTX_CHAIN, NULL);
	patch_rel32(miss_jmp, miss);
	for (int i = 0; i < BT_PIC; i++)
		patch_rel32(s->hit_jmp[i], rip1);
	s->n = 0, s->last = 1;
}

static int emit_branch(struct tb *t, const struct insn *in, enum kind k)
{
	struct bt_ctx *c = t->bt->ctx;
	uint64_t next = in->rip + in->d.length;
	const ZydisDecodedOperand *o = &in->op[0];
	int rel = o->type == ZYDIS_OPERAND_TYPE_IMMEDIATE && o->imm.is_relative;
	ZyanU64 target = 0;
	if (rel && (!ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(&in->d, o, in->rip, &target)) || target >= BT_WINDOW))
		return -1;
	if (k == K_CALL && next >= 0x80000000ull)
		return -1; /* the return address is pushed as a sign-extended imm32 */
	if (k == K_JCC) {
		e8(&t->e, 0x0F), e8(&t->e, (uint8_t)(0x80 | (in->d.opcode & 0x0F)));
		uint8_t *site = t->e.p;
		e32(&t->e, 0);
		t->exits[t->nexits].site = site, t->exits[t->nexits++].rip = target;
		exit_to(t, next);
		return 0;
	}
	if (k == K_LOOP) {
		if (in->d.attributes & ZYDIS_ATTRIB_HAS_ADDRESSSIZE)
			e8(&t->e, 0x67);
		e8(&t->e, in->d.opcode), e8(&t->e, 2); /* taken: over the short jmp */
		e8(&t->e, 0xEB), e8(&t->e, 5);	       /* not taken: over the taken jmp */
		exit_to(t, target);
		exit_to(t, next);
		return 0;
	}
	if (rel) { /* direct call/jmp: chained */
		if (k == K_CALL)
			push_imm_ret(t, next);
		exit_to(t, target);
		return 0;
	}
	/* ret, or call/jmp through a register or memory: every guest memory
	 * access comes before any guest register changes (a fault restarts it) */
	st_abs(&t->e, R_RCX, &c->s_rcx);
	if (k == K_CALL) {
		gs_esp(&t->e, 0xC7, 0, -8);
		e32(&t->e, (uint32_t)next);
	}
	int32_t adjust = k == K_CALL ? -8 : 0;
	if (k == K_RET) {
		gs_esp(&t->e, 0x8B, R_RCX, 0);
		adjust = 8 + (o->type == ZYDIS_OPERAND_TYPE_IMMEDIATE ? (int32_t)(uint16_t)o->imm.value.u : 0);
	} else if (o->type == ZYDIS_OPERAND_TYPE_REGISTER) {
		int r = gpr_id(o->reg.value);
		if (r < 0)
			return -1;
		mov_rr(&t->e, R_RCX, r);
	} else if (o->type == ZYDIS_OPERAND_TYPE_MEMORY) {
		static const uint8_t mov_load[] = {0x8B};
		if (emit_mem(t, in, mov_load, 1, R_RCX, 1))
			return -1;
	} else {
		return -1;
	}
	if (adjust)
		lea_disp(&t->e, R_RSP, R_RSP, adjust);
	ind_branch(t);
	return 0;
}

static int emit_stack(struct tb *t, const struct insn *in, enum kind k)
{
	struct bt_ctx *c = t->bt->ctx;
	const ZydisDecodedOperand *o = &in->op[0];
	if (k == K_LEAVE) {
		static const uint8_t ld_rbp[] = {0x65, 0x67, 0x48, 0x8B, 0x45, 0x00}; /* mov %gs:0(%ebp),%rax */
		st_abs(&t->e, R_RAX, &c->t0);
		memcpy(t->e.p, ld_rbp, sizeof(ld_rbp));
		t->e.p += sizeof(ld_rbp);
		lea_disp(&t->e, R_RSP, R_RBP, 8);
		mov_rr(&t->e, R_RBP, R_RAX);
		ld_abs(&t->e, R_RAX, &c->t0);
		return 1;
	}
	if (k == K_POP) {
		int r = gpr_id(o->reg.value);
		if (r < 0)
			return -1;
		gs_esp(&t->e, 0x8B, r, 0);
		if (r != R_RSP)
			lea_disp(&t->e, R_RSP, R_RSP, 8);
		return 0;
	}
	if (o->type == ZYDIS_OPERAND_TYPE_REGISTER) {
		int r = gpr_id(o->reg.value);
		if (r < 0)
			return -1;
		gs_esp(&t->e, 0x89, r, -8); /* push %rsp stores the old value, as it must */
		lea_disp(&t->e, R_RSP, R_RSP, -8);
		return 0;
	}
	if (o->type == ZYDIS_OPERAND_TYPE_IMMEDIATE) {
		gs_esp(&t->e, 0xC7, 0, -8);
		e32(&t->e, (uint32_t)o->imm.value.s);
		lea_disp(&t->e, R_RSP, R_RSP, -8);
		return 0;
	}
	if (load_mem_to_rax(t, in))
		return -1;
	gs_esp(&t->e, 0x89, R_RAX, -8);
	lea_disp(&t->e, R_RSP, R_RSP, -8);
	ld_abs(&t->e, R_RAX, &c->t0);
	return 1;
}

static int emit_lea(struct tb *t, const struct insn *in)
{
	const ZydisDecodedOperand *m = &in->op[1];
	if (m->mem.base != ZYDIS_REGISTER_RIP) {
		memcpy(t->e.p, in->b, in->d.length);
		t->e.p += in->d.length;
		return 0;
	}
	ZyanU64 a;
	int r = ZydisRegisterGetId(in->op[0].reg.value);
	if (in->d.operand_width < 32 || !ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(&in->d, m, in->rip, &a)) ||
	    a >= BT_WINDOW)
		return -1;
	if (r >= 8)
		e8(&t->e, 0x41);
	e8(&t->e, (uint8_t)(0xB8 + (r & 7))); /* mov $a,%r32 zero-extends */
	e32(&t->e, (uint32_t)a);
	return 0;
}

/* The divisor of div/idiv -> ctx->dv, zero-extended, before the check. */
static int load_divisor(struct tb *t, const struct insn *in)
{
	static const uint8_t movzb[] = {0x0F, 0xB6}, movzw[] = {0x0F, 0xB7}, mov[] = {0x8B};
	struct bt_ctx *c = t->bt->ctx;
	struct emit *e = &t->e;
	const ZydisDecodedOperand *o = &in->op[0];
	int bits = in->d.operand_width;
	const uint8_t *op = bits == 8 ? movzb : bits == 16 ? movzw : mov;
	int nop = bits <= 16 ? 2 : 1;
	st_abs(e, R_RAX, &c->t0);
	if (o->type == ZYDIS_OPERAND_TYPE_MEMORY) {
		if (emit_mem(t, in, op, nop, R_RAX, bits == 64))
			return -1;
	} else if (o->type == ZYDIS_OPERAND_TYPE_REGISTER) {
		ZydisRegister r = o->reg.value;
		int id, rex = 0;
		if (bits == 8) {
			id = r - ZYDIS_REGISTER_AL; /* al..bh without REX; spl..dil, r8b.. need one */
			if (id >= 8)
				rex = 0x40, id = id < 12 ? id - 4 : id - 12 + 8;
		} else {
			id = ZydisRegisterGetId(r);
		}
		if (id >= 8)
			rex |= 0x41;
		if (bits == 64)
			rex |= 0x48;
		if (rex)
			e8(e, (uint8_t)rex);
		for (int i = 0; i < nop; i++)
			e8(e, op[i]);
		e8(e, (uint8_t)(0xC0 | (id & 7)));
	} else {
		return -1;
	}
	st_abs(e, R_RAX, &c->dv);
	ld_abs(e, R_RAX, &c->t0);
	return 0;
}

static int emit_div(struct tb *t, const struct insn *in)
{
	if (load_divisor(t, in))
		return -1;
	bt_inline_div_check(t->bt, &t->e.p, in->rip, in->d.operand_width, in->d.mnemonic == ZYDIS_MNEMONIC_IDIV);
	if (mem_operand(in) >= 0)
		return emit_mem(t, in, NULL, 0, -1, 0);
	memcpy(t->e.p, in->b, in->d.length);
	t->e.p += in->d.length;
	return 0;
}

static void callout_exit(struct tb *t, uint64_t rip, enum bt_exit kind);

static int emit_inline(struct tb *t, const struct insn *in, enum kind k, uint8_t *restore)
{
	struct bt *bt = t->bt;
	uint64_t next = in->rip + in->d.length;
	switch (k) {
	case K_CLI:
	case K_STI: bt_inline_cli_sti(bt, &t->e.p, in->rip, next, k == K_STI); return 0;
	case K_PUSHF: bt_inline_pushf(bt, &t->e.p, in->rip); break;
	case K_POPF: bt_inline_popf(bt, &t->e.p, in->rip, next); break;
	case K_CPUID: bt_inline_cpuid(bt, &t->e.p, in->rip); return 0;
	case K_INVLPG: bt_inline_invlpg(bt, &t->e.p, in->rip); return 0;
	case K_CR8: {
		int w = in->op[0].reg.value == ZYDIS_REGISTER_CR8;
		bt_inline_cr8(bt, &t->e.p, in->rip, next, gpr_id(in->op[w ? 1 : 0].reg.value), w);
		return 0;
	}
	case K_RDTSCP:
		memcpy(t->e.p, in->b, in->d.length);
		t->e.p += in->d.length;
		e8(&t->e, 0xB9), e32(&t->e, 0); /* mov $0,%ecx: TSC_AUX reads 0, as the callout had it */
		return 0;
	case K_DIV:
		if (emit_div(t, in))
			return -1;
		break;
	case K_SYSCALL:
		if (bt_inline_syscall(bt, &t->e.p, in->rip, next))
			break;
		bt->tc.sys_inlined = 1;
		exit_to(t, bt->cpu.lstar);
		return 1;
	case K_SYSRET:
		if (bt_inline_sysret(bt, &t->e.p, in->rip))
			break;
		bt->tc.sys_inlined = 1;
		st_abs(&t->e, R_RCX, &bt->ctx->s_rcx);
		ind_branch(t);
		return 1;
	case K_IRETQ:
		bt_inline_iretq(bt, &t->e.p, in->rip);
		*restore = 1; /* a fault reading the frame: RAX is in ctx->t0 */
		ind_branch(t);
		return 1;
	case K_PIO: {
		int out = in->d.mnemonic == ZYDIS_MNEMONIC_OUT;
		const ZydisDecodedOperand *port = &in->op[out ? 0 : 1], *val = &in->op[out ? 1 : 0];
		int imm = port->type == ZYDIS_OPERAND_TYPE_IMMEDIATE;
		bt_inline_pio(bt, &t->e.p, in->rip, next, imm ? (int)(port->imm.value.u & 0xFF) : -1, val->size / 8,
			      out);
		return 0;
	}
	default: return -1;
	}
	if (k == K_SYSCALL || k == K_SYSRET) { /* this configuration needs the callout */
		callout_exit(t, in->rip, BTX_CALLOUT);
		return 1;
	}
	*restore = 1; /* RAX was parked in ctx->t0 */
	return 0;
}

static void callout_exit(struct tb *t, uint64_t rip, enum bt_exit kind)
{
	t->e.p += bt_emit_exit_stub(t->bt, t->e.p, rip, kind, NULL);
}

/* lea of in's memory operand into %rsi: the original ModRM/SIB/disp with
 * ModRM.reg = rsi and REX.W; RIP-relative and moffs forms as constants. */
static int lea_operand_rsi(struct tb *t, const struct insn *in, const ZydisDecodedOperand *m)
{
	struct emit *e = &t->e;
	ZyanU64 a;
	if (m->mem.base == ZYDIS_REGISTER_RIP || !(in->d.attributes & ZYDIS_ATTRIB_HAS_MODRM)) {
		if (m->mem.base == ZYDIS_REGISTER_RIP ? !ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(&in->d, m, in->rip, &a))
						      : m->mem.base != ZYDIS_REGISTER_NONE)
			return -1;
		if (m->mem.base != ZYDIS_REGISTER_RIP)
			a = (uint64_t)m->mem.disp.value;
		e8(e, 0x48), e8(e, 0xBE), memcpy(e->p, &a, 8), e->p += 8; /* movabs $a,%rsi */
		return 0;
	}
	if (m->mem.segment != ZYDIS_REGISTER_DS && m->mem.segment != ZYDIS_REGISTER_SS)
		return -1;
	int mo = in->d.raw.modrm.offset, end = in->d.raw.imm[0].size ? in->d.raw.imm[0].offset : in->d.length;
	if (in->d.address_width == 32)
		e8(e, 0x67);
	e8(e, (uint8_t)(0x48 | (in->d.raw.rex.X ? 2 : 0) | (in->d.raw.rex.B ? 1 : 0)));
	e8(e, 0x8D);
	e8(e, (uint8_t)((in->b[mo] & 0xC7) | (R_RSI << 3)));
	for (int i = mo + 1; i < end; i++)
		e8(e, in->b[i]);
	return 0;
}

/* x86 number of a GPR that an 8-64 bit mov can name without a high-byte
 * register, or -1. */
static int plain_gpr(ZydisRegister r)
{
	if (r == ZYDIS_REGISTER_AH || r == ZYDIS_REGISTER_CH || r == ZYDIS_REGISTER_DH || r == ZYDIS_REGISTER_BH)
		return -1;
	ZydisRegisterClass c = ZydisRegisterGetClass(r);
	if (c == ZYDIS_REGCLASS_GPR8) /* Zydis counts al..bl, ah..bh, spl..dil, r8b..: skip the high bytes */
		return ZydisRegisterGetId(r) < 4 ? ZydisRegisterGetId(r) : ZydisRegisterGetId(r) - 4;
	if (c != ZYDIS_REGCLASS_GPR16 && c != ZYDIS_REGCLASS_GPR32 && c != ZYDIS_REGCLASS_GPR64)
		return -1;
	return ZydisRegisterGetId(r);
}

/* A site that keeps faulting on RAM (a traced page table, a missing or
 * volatile page): the access as a C call from translated code (inline.c),
 * the callout only when the call cannot do it. The address and a store's
 * value reach the call through the context: computed here while every
 * guest register, RSP included, is still in place. */
static int emit_emem(struct tb *t, const struct insn *in)
{
	struct bt_ctx *c = t->bt->ctx;
	uint8_t *start = t->e.p;
	int store = in->op[0].type == ZYDIS_OPERAND_TYPE_MEMORY;
	const ZydisDecodedOperand *m = &in->op[store ? 0 : 1], *o = &in->op[store ? 1 : 0];
	int reg = o->type == ZYDIS_OPERAND_TYPE_REGISTER ? plain_gpr(o->reg.value) : -1;
	if (o->type == ZYDIS_OPERAND_TYPE_REGISTER && reg < 0)
		return -1;
	if (store && reg >= 0)
		st_abs(&t->e, reg, &c->mem_val);
	else if (store)
		st_abs_u64(&t->e, &c->mem_val, o->imm.value.u);
	st_abs(&t->e, R_RSI, &c->x_rsi);
	if (lea_operand_rsi(t, in, m)) {
		t->e.p = start;
		return -1;
	}
	st_abs(&t->e, R_RSI, &c->mem_va);
	ld_abs(&t->e, R_RSI, &c->x_rsi);
	int sign = in->d.mnemonic == ZYDIS_MNEMONIC_MOVSX || in->d.mnemonic == ZYDIS_MNEMONIC_MOVSXD;
	uint32_t desc = (uint32_t)(m->size / 8) | (uint32_t)store << 4 | (uint32_t)sign << 5 |
			(uint32_t)(store ? 0 : o->size / 8) << 8;
	bt_inline_mem(t->bt, &t->e.p, in->rip, in->rip + in->d.length, desc, store ? -1 : reg);
	return 0;
}

/* Emits one instruction; 1 = it ends the block, -1 = cannot translate. */
static int emit_insn(struct tb *t, struct insn *in, enum kind k, uint8_t *restore)
{
	int r = 0;
	*restore = 0;
	switch (k) {
	case K_COPY:
		memcpy(t->e.p, in->b, in->d.length);
		t->e.p += in->d.length;
		return 0;
	case K_MEM: return emit_mem(t, in, NULL, 0, -1, 0) ? -1 : 0;
	case K_LEA: return emit_lea(t, in);
	case K_PUSH:
	case K_POP:
	case K_LEAVE:
		r = emit_stack(t, in, k);
		if (r < 0)
			return -1;
		*restore = (uint8_t)r;
		return 0;
	case K_CALL:
	case K_RET:
	case K_JMP:
	case K_JCC:
	case K_LOOP: return emit_branch(t, in, k) ? -1 : 1; /* branches never park RAX */
	case K_EMEM:
		if (emit_emem(t, in) == 0)
			return 0;
		callout_exit(t, in->rip, BTX_MMIO); /* a form the inline call does not take */
		return 1;
	case K_CALLOUT:
	case K_MMIO: callout_exit(t, in->rip, k == K_CALLOUT ? BTX_CALLOUT : BTX_MMIO); return 1;
	case K_CLI:
	case K_STI:
	case K_PUSHF:
	case K_POPF:
	case K_CPUID:
	case K_CR8:
	case K_RDTSCP:
	case K_DIV:
	case K_PIO:
	case K_SYSCALL:
	case K_SYSRET:
	case K_INVLPG:
	case K_IRETQ: return emit_inline(t, in, k, restore);
	default: return -1;
	}
}

static void lay_out_exits(struct tb *t)
{
	struct bt *bt = t->bt;
	for (int i = 0; i < t->nexits; i++) {
		uint8_t *stub = t->e.p;
		uint8_t *known = t->single ? NULL : bt_lookup(bt, t->exits[i].rip);
		t->e.p += bt_emit_exit_stub(bt, stub, t->exits[i].rip, BTX_CHAIN, t->single ? NULL : t->exits[i].site);
		patch_rel32(t->exits[i].site, known ? known : stub);
	}
}

/* 0 with *host; -1 error (vm->err); 1 an exception was raised instead. */
int bt_translate(struct bt *bt, uint64_t rip, int single, uint8_t **host)
{
	/* a full cache, or a lookup hash over half full (open addressing needs
	 * free slots to end its probes): start over */
	if (BT_CACHE_SIZE - bt->tc.cache_used < 8192 || bt->tc.nblocks >= bt->tc.hash_size / 2)
		bt_cache_flush(bt);
	if (bt_grow((void **)&bt->tc.blocks, &bt->tc.cap_blocks, bt->tc.nblocks + 1, sizeof(*bt->tc.blocks)) ||
	    bt_grow((void **)&bt->tc.imap, &bt->tc.cap_imap, bt->tc.nimap + BT_MAX_BLOCK_INSNS, sizeof(*bt->tc.imap)))
		return vm_fail(bt->vm, "bt: out of memory for the translation tables");
	struct tb t = {bt, {bt->tc.cache + bt->tc.cache_used}, single, {{0, 0}}, 0};
	struct bt_block *blk = &bt->tc.blocks[bt->tc.nblocks];
	*blk = (struct bt_block){rip, bt->tc.cache_used, 0, bt->tc.nimap, 0};
	uint64_t cur = rip;
	int in_shadow = 0;
	for (int n = 0; n < (single ? 1 : BT_MAX_BLOCK_INSNS); n++) {
		struct insn in;
		int len;
		uint64_t pa;
		memset(&in.b, 0, sizeof(in.b));
		in.why = NULL;
		int f = bt_fetch(bt, cur, in.b, &len, &pa);
		if (f == -1 && n == 0)
			return 1;
		if (f == -2 && n == 0)
			return vm_fail(bt->vm, "bt: instruction fetch outside RAM at rip=0x%llx",
				       (unsigned long long)cur),
			       -1;
		if (f || bt_decode(in.b, len, &in.d, in.op)) {
			if (n == 0) {
				if (len < 15 && f == 0) { /* the instruction runs into an unmapped page */
					bt->cpu.cr2 = cur + (uint64_t)len;
					bt_raise(bt, 14, 1, 0x10 | (bt->cpu.cpl == 3 ? 4 : 0));
					return 1;
				}
				bt_raise(bt, 6, 0, 0);
				return 1;
			}
			exit_to(&t, cur);
			break;
		}
		in.rip = cur;
		/* a site that touched MMIO, a traced page table or a missing page
		 * before: emulate it without a fault (adaptive, pagetab.c) */
		int site = bt_emul_site(bt, cur);
		enum kind k = site < 0 ? classify(bt, &in) : site == ES_MMIO || bt->inline_off ? K_MMIO : K_EMEM;
		/* An inline sti needs its shadow instruction in this block (where the
		 * timer cannot stop before it); sti;hlt is the callout's idle idiom. */
		if (k == K_STI &&
		    (single || n + 2 > BT_MAX_BLOCK_INSNS || len <= in.d.length || in.b[in.d.length] == 0xF4))
			k = K_CALLOUT;
		if (k != K_UNSUP && uses_fp(&in))
			bt->ctx->fp_used = 1;
		if (k == K_UNSUP && n > 0) {
			exit_to(&t, cur); /* reached only if executed */
			break;
		}
		if (!single) {
			bt_protect_code(bt, cur & ~0xFFFull, pa & ~0xFFFull);
			uint64_t last = cur + in.d.length - 1, lpa;
			int lw;
			uint64_t ps, er;
			if ((last >> 12) != (cur >> 12) &&
			    !bt_walk(bt, last, 0, bt->cpu.cpl == 3, 1, &lpa, &lw, &ps, &er))
				bt_protect_code(bt, last & ~0xFFFull, lpa & ~0xFFFull);
		}
		struct bt_imap *m = &bt->tc.imap[bt->tc.nimap + (uint32_t)n];
		m->host_off = (uint32_t)(t.e.p - bt->tc.cache);
		m->guest_rip = (uint32_t)cur;
		m->no_async = (uint8_t)in_shadow;
		in_shadow = k == K_STI;
		uint8_t *save = t.e.p;
		int end = k == K_UNSUP ? -1 : emit_insn(&t, &in, k, &m->restore_rax);
		if (end < 0) {
			char hex[64] = "";
			for (int i = 0; i < in.d.length && i < 15; i++)
				snprintf(hex + 3 * i, 4, "%02x ", in.b[i]);
			t.e.p = save;
			return vm_fail(bt->vm, "bt: cannot translate the instruction at rip=0x%llx (%s): %s",
				       (unsigned long long)cur, hex, in.why ? in.why : "unsupported operand form"),
			       -1;
		}
		blk->imap_n++;
		cur += in.d.length;
		if (end)
			break;
		if (n + 1 == (single ? 1 : BT_MAX_BLOCK_INSNS))
			exit_to(&t, cur);
	}
	blk->code_len = (uint32_t)(t.e.p - (bt->tc.cache + blk->host_off));
	lay_out_exits(&t);
	bt->tc.cache_used = ((uint32_t)(t.e.p - bt->tc.cache) + 15) & ~15u;
	bt->tc.nimap += blk->imap_n;
	if (!single)
		bt_cache_insert(bt, rip, bt->tc.nblocks);
	bt->tc.nblocks++;
	bt->stats_blocks++;
	*host = bt->tc.cache + blk->host_off;
	return 0;
}
