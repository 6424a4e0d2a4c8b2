/* The vCPU state that emulation reads and writes: RFLAGS with the virtual
 * IF (the live arithmetic flags are in the context), general registers of
 * any width by their Zydis names (x86's partial-write rules), and the
 * operands of a decoded instruction (effective address, read, write). */
#include <Zydis/Zydis.h>

#include "vmm-mini/bt/bt.h"
#include "vmm-mini/bt/sensitive.h"

uint64_t bt_full_rflags(const struct bt *bt)
{
	return (bt->ctx->rflags & FL_LIVE) | 2 | (bt->cpu.vif ? FL_IF : 0) | bt->cpu.vflags;
}

void bt_set_rflags(struct bt *bt, uint64_t f, int all)
{
	bt->ctx->rflags = (f & FL_LIVE) | 2;
	if (all) {
		bt->cpu.vif = (f & FL_IF) != 0;
		bt->cpu.vflags = f & FL_VIRT;
	}
}

void bt_load_rflags(struct bt *bt, uint64_t f)
{
	int cpl = bt->cpu.cpl, iopl = (int)((bt->cpu.vflags >> 12) & 3);
	uint64_t keep = (cpl ? 0x3000ull : 0) | (cpl > iopl ? FL_IF : 0);
	bt_set_rflags(bt, (f & ~keep) | (bt_full_rflags(bt) & keep), 1);
}

/* GPR of any width: {id, shift, bytes}; -1 if r is not a GPR. */
static int gpr_slot(ZydisRegister r, int *shift, int *bytes)
{
	*shift = 0;
	if (r >= ZYDIS_REGISTER_AL && r <= ZYDIS_REGISTER_R15B) {
		int i = r - ZYDIS_REGISTER_AL;
		*bytes = 1;
		if (i >= 4 && i < 8)
			return *shift = 8, i - 4;
		return i < 4 ? i : i - 4;
	}
	if (r >= ZYDIS_REGISTER_AX && r <= ZYDIS_REGISTER_R15W)
		return *bytes = 2, r - ZYDIS_REGISTER_AX;
	if (r >= ZYDIS_REGISTER_EAX && r <= ZYDIS_REGISTER_R15D)
		return *bytes = 4, r - ZYDIS_REGISTER_EAX;
	if (r >= ZYDIS_REGISTER_RAX && r <= ZYDIS_REGISTER_R15)
		return *bytes = 8, r - ZYDIS_REGISTER_RAX;
	return -1;
}

uint64_t bt_reg_get(struct bt *bt, int zydis_reg)
{
	int sh, n, id = gpr_slot((ZydisRegister)zydis_reg, &sh, &n);
	if (id < 0)
		return 0;
	uint64_t v = bt->ctx->gpr[id] >> sh;
	return n == 8 ? v : v & ((1ull << (n * 8)) - 1);
}

/* x86 rules: 32-bit writes zero-extend, 8/16-bit writes merge. */
void bt_reg_set(struct bt *bt, int zydis_reg, uint64_t v)
{
	int sh, n, id = gpr_slot((ZydisRegister)zydis_reg, &sh, &n);
	if (id < 0)
		return;
	uint64_t *g = &bt->ctx->gpr[id];
	if (n == 8)
		*g = v;
	else if (n == 4)
		*g = (uint32_t)v;
	else {
		uint64_t mask = ((1ull << (n * 8)) - 1) << sh;
		*g = (*g & ~mask) | ((v << sh) & mask);
	}
}

uint64_t bt_op_addr(struct bt_op *c, const ZydisDecodedOperand *o)
{
	ZyanU64 a = 0;
	if (o->mem.base == ZYDIS_REGISTER_RIP) {
		ZydisCalcAbsoluteAddress(&c->d, o, c->bt->cpu.rip, &a);
		return a;
	}
	a = o->mem.disp.has_displacement ? (uint64_t)o->mem.disp.value : 0;
	if (o->mem.base != ZYDIS_REGISTER_NONE)
		a += bt_reg_get(c->bt, o->mem.base);
	if (o->mem.index != ZYDIS_REGISTER_NONE)
		a += bt_reg_get(c->bt, o->mem.index) * o->mem.scale;
	return c->d.address_width == 32 ? (uint32_t)a : a;
}

/* A register-or-memory source operand; -1 if a #PF was raised. */
int bt_op_read(struct bt_op *c, const ZydisDecodedOperand *o, uint64_t *v)
{
	*v = 0;
	if (o->type == ZYDIS_OPERAND_TYPE_REGISTER)
		*v = bt_reg_get(c->bt, o->reg.value);
	else if (o->type == ZYDIS_OPERAND_TYPE_IMMEDIATE)
		*v = o->imm.value.u;
	else if (o->type == ZYDIS_OPERAND_TYPE_MEMORY)
		return bt_read(c->bt, bt_op_addr(c, o), v, o->size / 8);
	return 0;
}

int bt_op_write(struct bt_op *c, const ZydisDecodedOperand *o, uint64_t v)
{
	if (o->type == ZYDIS_OPERAND_TYPE_REGISTER) {
		bt_reg_set(c->bt, o->reg.value, v);
		return 0;
	}
	return bt_write(c->bt, bt_op_addr(c, o), &v, o->size / 8);
}

int bt_is_gpr(int zydis_reg)
{
	int sh, n;
	return gpr_slot((ZydisRegister)zydis_reg, &sh, &n) >= 0;
}
