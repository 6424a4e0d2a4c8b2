/* Sensitive instructions, emulated in C against the vCPU state the exit
 * glue saved: port I/O and MMIO (handed to the machine), control and
 * descriptor registers, MSRs, flags with the virtual IF, system calls,
 * software interrupts, iretq, and vmcall as the hypercall. Returns 1 when
 * the machine must handle *e, 0 to continue, never crashes on a bad guest:
 * what it cannot emulate stops the guest with EXIT_INTERNAL and the reason. */
#include <Zydis/Zydis.h>
#include <string.h>
#include <x86intrin.h>

#include "vmm-mini/bt/bt.h"
#include "vmm-mini/bt/sensitive.h"

#define MSR_EFER   0xC0000080u
#define KVM_ENOSYS 1000

static int stop(struct bt *bt, struct vm_exit *e, const char *what)
{
	vm_fail(bt->vm, "bt: %s at rip=0x%llx", what, (unsigned long long)bt->cpu.rip);
	e->reason = EXIT_INTERNAL;
	e->hw_reason = 1;
	return 1;
}

static void write_cr(struct bt *bt, int n, uint64_t v)
{
	switch (n) {
	case 0:
		if ((v ^ bt->cpu.cr0) & (1ull << 16))
			bt_flush_all(bt); /* WP changes what supervisor writes may do */
		bt->cpu.cr0 = v | 0x10;
		break;
	case 2: bt->cpu.cr2 = v; break;
	case 3:
		/* the same tables again: traced, the windows hold nothing stale */
		if ((v & ~(1ull << 63)) == bt->cpu.cr3 && bt->pt_gen && !bt->ctx->pt_lossy)
			break;
		bt->cpu.cr3 = v & ~(1ull << 63);
		bt_flush_all(bt);
		if (bt_code_mappings_changed(bt))
			bt->flush_pending = 1;
		break;
	case 4:
		if ((v ^ bt->cpu.cr4) & 4)
			bt->flush_pending = 1; /* TSD: rdtsc is copied only while it is clear */
		bt->cpu.cr4 = v;
		break;
	case 8: bt->lapic.tpr = (uint32_t)(v & 15) << 4; break;
	default: bt_raise(bt, 6, 0, 0);
	}
}

static uint64_t read_cr(struct bt *bt, int n)
{
	switch (n) {
	case 0: return bt->cpu.cr0;
	case 2: return bt->cpu.cr2;
	case 3: return bt->cpu.cr3;
	case 4: return bt->cpu.cr4;
	case 8: return bt->lapic.tpr >> 4;
	default: return 0;
	}
}

static int mov_special(struct bt_op *c, struct vm_exit *e)
{
	struct bt *bt = c->bt;
	ZydisRegisterClass c0 = ZydisRegisterGetClass(c->op[0].reg.value);
	ZydisRegisterClass c1 = ZydisRegisterGetClass(c->op[1].reg.value);
	uint64_t v;
	if ((c0 == ZYDIS_REGCLASS_CONTROL || c1 == ZYDIS_REGCLASS_CONTROL || c0 == ZYDIS_REGCLASS_DEBUG ||
	     c1 == ZYDIS_REGCLASS_DEBUG) &&
	    bt->cpu.cpl) {
		bt_raise(bt, 13, 1, 0);
		return 0;
	}
	if (c0 == ZYDIS_REGCLASS_CONTROL) {
		int n = c->op[0].reg.value - ZYDIS_REGISTER_CR0;
		v = bt_reg_get(bt, c->op[1].reg.value);
		if (n == 0 && (!(v & 1) || !(v & (1ull << 31))))
			return stop(bt, e, "the guest left paged protected mode (only long mode is translated)");
		write_cr(bt, n, v);
	} else if (c1 == ZYDIS_REGCLASS_CONTROL) {
		bt_reg_set(bt, c->op[0].reg.value, read_cr(bt, c->op[1].reg.value - ZYDIS_REGISTER_CR0));
	} else if (c1 == ZYDIS_REGCLASS_DEBUG) {
		bt_reg_set(bt, c->op[0].reg.value, 0);
	} else if (c0 == ZYDIS_REGCLASS_SEGMENT) {
		if (bt_op_read(c, &c->op[1], &v))
			return 0;
		switch (c->op[0].reg.value) {
		case ZYDIS_REGISTER_SS: bt->cpu.ss = (uint16_t)v; break;
		case ZYDIS_REGISTER_DS: bt->cpu.ds = (uint16_t)v; break;
		case ZYDIS_REGISTER_ES: bt->cpu.es = (uint16_t)v; break;
		default: break; /* fs/gs: selectors only; their bases are MSRs */
		}
	} else if (c1 == ZYDIS_REGCLASS_SEGMENT) {
		ZydisRegister s = c->op[1].reg.value;
		v = s == ZYDIS_REGISTER_CS   ? bt->cpu.cs
		    : s == ZYDIS_REGISTER_SS ? bt->cpu.ss
		    : s == ZYDIS_REGISTER_DS ? bt->cpu.ds
		    : s == ZYDIS_REGISTER_ES ? bt->cpu.es
					     : 0;
		if (bt_op_write(c, &c->op[0], v))
			return 0;
	}
	bt->cpu.rip = c->next;
	return 0;
}

static int msr(struct bt_op *c, int write)
{
	struct bt *bt = c->bt;
	uint32_t n = (uint32_t)bt->ctx->gpr[R_RCX];
	uint64_t v = (bt->ctx->gpr[R_RDX] << 32) | (uint32_t)bt->ctx->gpr[R_RAX];
	uint64_t *slot = NULL, tsc = __rdtsc();
	switch (n) {
	case 0x10: slot = &tsc; break;
	case 0x1B: slot = &bt->cpu.apic_base; break;
	case MSR_EFER: slot = &bt->cpu.efer; break;
	case 0xC0000081: slot = &bt->cpu.star; break;
	case 0xC0000082: slot = &bt->cpu.lstar; break;
	case 0xC0000083: slot = &bt->cpu.cstar; break;
	case 0xC0000084: slot = &bt->cpu.sfmask; break;
	case 0xC0000100: slot = &bt->cpu.fsbase; break;
	case 0xC0000101: slot = &bt->cpu.gsbase; break;
	case 0xC0000102: slot = &bt->cpu.kgsbase; break;
	default: break;
	}
	if (!slot || (write && n == 0x10)) {
		bt_raise(bt, 13, 1, 0); /* as KVM does for MSRs it does not know */
		return 0;
	}
	if (write && bt->tc.sys_inlined && (n == MSR_EFER || (n >= 0xC0000081 && n <= 0xC0000084)))
		bt->flush_pending = 1; /* inline syscall/sysret have them as constants */
	if (write)
		*slot = n == MSR_EFER ? (v & 0xD01) | 0x500 : v; /* LME/LMA stay: long mode only */
	else
		bt->ctx->gpr[R_RAX] = (uint32_t)*slot, bt->ctx->gpr[R_RDX] = *slot >> 32;
	bt->cpu.rip = c->next;
	return 0;
}

static int port_io(struct bt_op *c, struct vm_exit *e, int out)
{
	struct bt *bt = c->bt;
	const ZydisDecodedOperand *port = &c->op[out ? 0 : 1], *val = &c->op[out ? 1 : 0];
	e->reason = EXIT_IO;
	e->io.port = (uint16_t)(port->type == ZYDIS_OPERAND_TYPE_IMMEDIATE ? port->imm.value.u : bt->ctx->gpr[R_RDX]);
	e->io.size = (uint8_t)(val->size / 8);
	e->io.out = (uint8_t)out;
	e->io.count = 1;
	e->io.data = bt->iobuf;
	if (out) {
		uint64_t v = bt_reg_get(bt, val->reg.value);
		memcpy(bt->iobuf, &v, 8);
		bt->cpu.rip = c->next;
	} else {
		memset(bt->iobuf, 0, sizeof(bt->iobuf));
		bt->pio = (struct bt_pending_io){1, (int)val->reg.value, e->io.size, 0, c->next};
	}
	return 1;
}

/* in/out called from translated code (inline.c): the machine's EXIT_IO
 * done in place, counted as one, with the machine's stop and exit-limit
 * rules; a stop leaves as an empty EXIT_IO (which the machine counts). */
uint64_t bt_pio_fast(struct bt *bt, uint32_t desc, uint64_t rdx, uint64_t rax, uint64_t next)
{
	struct vm *vm = bt->vm;
	struct vm_exit e;
	uint8_t buf[8];
	int size = (int)((desc >> 16) & 7), out = (int)((desc >> 24) & 1), irq = lapic_pending_class(&bt->lapic);
	memcpy(buf, &rax, 8);
	memset(&e, 0, sizeof(e));
	e.reason = EXIT_IO;
	e.io.port = (uint16_t)(desc & (1u << 25) ? rdx : desc);
	e.io.size = (uint8_t)size, e.io.out = (uint8_t)out, e.io.count = 1, e.io.data = buf;
	bt->cpu.rip = next;
	bt->ctx->pio_exit = 0;
	bt->stats_pio_fast++;
	vm->stats.exits[EXIT_IO]++;
	bus_io(vm, &e);
	uint64_t total = 0;
	for (int i = 0; i < EXIT_NUM; i++)
		total += vm->stats.exits[i];
	if (vm->stop != STOP_NONE || (vm->max_exits && total >= vm->max_exits)) {
		vm->stats.exits[EXIT_IO]--;
		bt->pio_stop = 1;
		bt->ctx->pio_exit = 1;
	} else if (lapic_pending_class(&bt->lapic) != irq || bt->async_pending) {
		bt->ctx->pio_exit = 1;
	}
	if (out)
		return rax;
	uint64_t v = 0;
	memcpy(&v, buf, (size_t)size);
	return size == 4 ? v : (rax & ~((1ull << (size * 8)) - 1)) | v;
}

/* The access of an emulated site (pagetab.c) from translated code, as
 * mmio_insn does it for RAM; anything else (a #PF to raise, MMIO, a page
 * boundary) is left to the callout: ctx->mem_slow, nothing done. */
void bt_mem_fast(struct bt *bt, uint32_t desc, uint64_t rip)
{
	struct bt_ctx *c = bt->ctx;
	int len = (int)(desc & 15), store = (desc >> 4) & 1, sign = (desc >> 5) & 1, dst = (int)((desc >> 8) & 15);
	uint64_t va = c->mem_va, pa, ps, err, v = 0;
	int w;
	c->mem_slow = 1, c->mem_leave = 0;
	bt->cpu.cpl = (int)c->cpl, bt->cur_win = (int)c->cur_win; /* as the exit would copy them */
	if ((va & 4095) + (uint64_t)len > 4096 || bt_walk(bt, va, store, bt->cpu.cpl == 3, 0, &pa, &w, &ps, &err) ||
	    !bt_is_ram(bt, pa, (uint64_t)len))
		return;
	c->mem_slow = 0;
	bt->stats_mem_fast++;
	bt->emul_unusual = bt->vcount[(va & (BT_WINDOW - 1)) >> 12] >= BT_VOLATILE_AT;
	if (store) {
		bt_write(bt, va, &c->mem_val, (uint32_t)len);
	} else {
		bt_read(bt, va, &v, (uint32_t)len);
		if (sign && len < 8)
			v = (uint64_t)((int64_t)(v << (64 - 8 * len)) >> (64 - 8 * len));
		c->mem_val = dst == 8 ? v : v & ((1ull << (8 * dst)) - 1);
	}
	bt_site_done(bt, rip);
	c->mem_leave = bt->flush_pending || bt->cpu.exc.pending;
}

/* Completes an IN or an MMIO read with the data the machine supplied. */
void bt_complete_io(struct bt *bt, const struct vm_exit *e)
{
	uint64_t v = 0;
	memcpy(&v, bt->pio.kind == 1 ? bt->iobuf : e->mmio.data, (size_t)bt->pio.size);
	if (bt->pio.sign && bt->pio.size < 8) {
		int bits = bt->pio.size * 8;
		v = (uint64_t)((int64_t)(v << (64 - bits)) >> (64 - bits));
	}
	bt_reg_set(bt, bt->pio.reg, v);
	bt->cpu.rip = bt->pio.next_rip;
	bt->pio.kind = 0;
}

static int syscall_insn(struct bt_op *c, int ret, struct vm_exit *e)
{
	struct bt *bt = c->bt;
	if (!(bt->cpu.efer & 1)) {
		bt_raise(bt, 6, 0, 0);
		return 0;
	}
	if (!ret) {
		uint64_t f = bt_full_rflags(bt);
		bt->ctx->gpr[R_RCX] = c->next;
		bt->ctx->gpr[11] = f;
		bt_set_rflags(bt, f & ~bt->cpu.sfmask, 1);
		bt->cpu.cs = (uint16_t)((bt->cpu.star >> 32) & 0xFFFC), bt->cpu.ss = (uint16_t)(bt->cpu.cs + 8);
		bt->cpu.rip = bt->cpu.lstar;
		return bt_set_cpl(bt, 0) ? stop(bt, e, bt->vm->err) : 0;
	}
	if (bt->cpu.cpl) {
		bt_raise(bt, 13, 1, 0);
		return 0;
	}
	if (c->d.operand_width != 64)
		return stop(bt, e, "sysret to compatibility mode is not supported");
	bt->cpu.rip = bt->ctx->gpr[R_RCX];
	bt_set_rflags(bt, bt->ctx->gpr[11], 1);
	bt->cpu.cs = (uint16_t)(((bt->cpu.star >> 48) + 16) | 3),
	bt->cpu.ss = (uint16_t)(((bt->cpu.star >> 48) + 8) | 3);
	return bt_set_cpl(bt, 3) ? stop(bt, e, bt->vm->err) : 0;
}

static int descriptor_table(struct bt_op *c, int load)
{
	struct bt *bt = c->bt;
	uint8_t d[10];
	int idt = c->d.mnemonic == ZYDIS_MNEMONIC_LIDT || c->d.mnemonic == ZYDIS_MNEMONIC_SIDT;
	uint64_t a = bt_op_addr(c, &c->op[0]);
	if (load) {
		if (bt_read(bt, a, d, 10))
			return 0;
		uint16_t lim = (uint16_t)(d[0] | d[1] << 8);
		uint64_t base;
		memcpy(&base, d + 2, 8);
		if (idt)
			bt->cpu.idt_base = base, bt->cpu.idt_limit = lim;
		else
			bt->cpu.gdt_base = base, bt->cpu.gdt_limit = lim;
	} else {
		uint16_t lim = idt ? bt->cpu.idt_limit : bt->cpu.gdt_limit;
		uint64_t base = idt ? bt->cpu.idt_base : bt->cpu.gdt_base;
		memcpy(d, &lim, 2), memcpy(d + 2, &base, 8);
		if (bt_write(bt, a, d, 10))
			return 0;
	}
	bt->cpu.rip = c->next;
	return 0;
}

static int load_tr(struct bt_op *c)
{
	struct bt *bt = c->bt;
	uint64_t sel;
	uint8_t d[16];
	if (bt_op_read(c, &c->op[0], &sel))
		return 0;
	sel &= 0xFFFF;
	if ((sel & ~7ull) + 15 > bt->cpu.gdt_limit || !(sel & ~7ull)) {
		bt_raise(bt, 13, 1, sel & 0xFFFC);
		return 0;
	}
	if (bt_read(bt, bt->cpu.gdt_base + (sel & ~7ull), d, 16))
		return 0;
	bt->cpu.tss_base = (uint64_t)d[2] | (uint64_t)d[3] << 8 | (uint64_t)d[4] << 16 | (uint64_t)d[7] << 24 |
			   (uint64_t)d[8] << 32 | (uint64_t)d[9] << 40 | (uint64_t)d[10] << 48 | (uint64_t)d[11] << 56;
	bt->cpu.tr = (uint16_t)sel;
	bt->cpu.rip = c->next;
	return 0;
}

static int far_return(struct bt_op *c, struct vm_exit *e)
{
	struct bt *bt = c->bt;
	uint64_t f[2], rsp = bt->ctx->gpr[R_RSP];
	if (c->d.operand_width != 64 || (c->op[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE && c->op[0].imm.value.u))
		return stop(bt, e, "far return other than lretq");
	if (bt_read(bt, rsp, f, 16))
		return 0;
	if ((int)(f[1] & 3) != bt->cpu.cpl)
		return stop(bt, e, "far return to another privilege level");
	bt->cpu.rip = f[0], bt->cpu.cs = (uint16_t)f[1];
	bt->ctx->gpr[R_RSP] = rsp + 16;
	return 0;
}

static int flags_insn(struct bt_op *c, int push)
{
	struct bt *bt = c->bt;
	uint64_t rsp = bt->ctx->gpr[R_RSP], f;
	if (push) {
		f = bt_full_rflags(bt);
		if (bt_write(bt, rsp - 8, &f, 8))
			return 0;
		bt->ctx->gpr[R_RSP] = rsp - 8;
	} else {
		if (bt_read(bt, rsp, &f, 8))
			return 0;
		bt->ctx->gpr[R_RSP] = rsp + 8;
		bt_load_rflags(bt, f);
	}
	bt->cpu.rip = c->next;
	return 0;
}

static void cpuid_insn(struct bt *bt)
{
	uint32_t r[4];
	bt_cpuid_fill(bt, (uint32_t)bt->ctx->gpr[R_RAX], (uint32_t)bt->ctx->gpr[R_RCX], r);
	bt->ctx->gpr[R_RAX] = r[0], bt->ctx->gpr[R_RBX] = r[1];
	bt->ctx->gpr[R_RCX] = r[2], bt->ctx->gpr[R_RDX] = r[3];
}

/* What mmio_insn emulates: mov/movzx/movsx between memory and a GPR or an
 * immediate (the forms MMIO, page-table writes and demand paging use). */
static int mmio_form(const ZydisDecodedInstruction *d, const ZydisDecodedOperand *op)
{
	ZydisMnemonic m = d->mnemonic;
	if (m != ZYDIS_MNEMONIC_MOV && m != ZYDIS_MNEMONIC_MOVZX && m != ZYDIS_MNEMONIC_MOVSX &&
	    m != ZYDIS_MNEMONIC_MOVSXD)
		return 0;
	int store = op[0].type == ZYDIS_OPERAND_TYPE_MEMORY;
	const ZydisDecodedOperand *mem = &op[store ? 0 : 1], *other = &op[store ? 1 : 0];
	return mem->type == ZYDIS_OPERAND_TYPE_MEMORY && mem->mem.type == ZYDIS_MEMOP_TYPE_MEM &&
	       (other->type == ZYDIS_OPERAND_TYPE_IMMEDIATE ||
		(other->type == ZYDIS_OPERAND_TYPE_REGISTER && bt_is_gpr(other->reg.value))) &&
	       !(d->attributes & (ZYDIS_ATTRIB_HAS_SEGMENT_FS | ZYDIS_ATTRIB_HAS_SEGMENT_GS));
}

int bt_emulatable(struct bt *bt, uint64_t rip)
{
	ZydisDecodedInstruction d;
	ZydisDecodedOperand op[ZYDIS_MAX_OPERAND_COUNT];
	uint8_t b[16] = {0};
	int n;
	uint64_t cr2 = bt->cpu.cr2;
	struct bt_exc exc = bt->cpu.exc; /* only a question: a failed fetch raises nothing */
	int ok = bt_fetch(bt, rip, b, &n, NULL) == 0 && bt_decode(b, n, &d, op) == 0 && mmio_form(&d, op);
	bt->cpu.exc = exc, bt->cpu.cr2 = cr2;
	return ok;
}

/* MMIO: mov/movzx/movsx between a register or immediate and device memory;
 * also the RAM accesses of sites that keep faulting (pagetab.c). */
static int mmio_insn(struct bt_op *c, struct vm_exit *e)
{
	struct bt *bt = c->bt;
	ZydisMnemonic m = c->d.mnemonic;
	if (!mmio_form(&c->d, c->op))
		return stop(bt, e, "MMIO access by an instruction other than mov/movzx/movsx");
	int store = c->op[0].type == ZYDIS_OPERAND_TYPE_MEMORY;
	int sign = m == ZYDIS_MNEMONIC_MOVSX || m == ZYDIS_MNEMONIC_MOVSXD;
	const ZydisDecodedOperand *mem = &c->op[store ? 0 : 1], *other = &c->op[store ? 1 : 0];
	uint64_t va = bt_op_addr(c, mem), pa, ps, err;
	int w, len = mem->size / 8;
	bt->emul_unusual = 1; /* unless it turns out a plain RAM access */
	if (bt_walk(bt, va, store, bt->cpu.cpl == 3, 0, &pa, &w, &ps, &err)) {
		bt->cpu.cr2 = va;
		bt_raise(bt, 14, 1, err);
		return 0;
	}
	if (bt_is_ram(bt, pa, (uint64_t)len)) { /* the mapping changed: RAM now */
		uint64_t v = 0;
		bt->emul_unusual = bt->vcount[(va & (BT_WINDOW - 1)) >> 12] >= BT_VOLATILE_AT;
		if (store ? bt_op_read(c, other, &v) || bt_write(bt, va, &v, (uint32_t)len)
			  : bt_read(bt, va, &v, (uint32_t)len))
			return 0;
		if (!store) {
			struct vm_exit tmp;
			bt->pio = (struct bt_pending_io){2, (int)other->reg.value, len, sign, c->next};
			memcpy(tmp.mmio.data, &v, 8);
			bt_complete_io(bt, &tmp);
		} else {
			bt->cpu.rip = c->next;
		}
		return 0;
	}
	memset(e, 0, sizeof(*e));
	e->mmio.addr = pa, e->mmio.len = (uint8_t)len, e->mmio.write = (uint8_t)store;
	bt->pio = (struct bt_pending_io){2, (int)other->reg.value, len, sign, c->next};
	if (store) {
		uint64_t v =
		    other->type == ZYDIS_OPERAND_TYPE_IMMEDIATE ? other->imm.value.u : bt_reg_get(bt, other->reg.value);
		memcpy(e->mmio.data, &v, 8);
		bt->pio.kind = 0;
		bt->cpu.rip = c->next;
	}
	if ((pa & ~0xFFFull) == (bt->cpu.apic_base & ~0xFFFull)) { /* our own local APIC */
		uint32_t v = 0;
		if (store)
			lapic_write(&bt->lapic, (uint32_t)(pa & 0xFF0),
				    (uint32_t)e->mmio.data[0] | (uint32_t)e->mmio.data[1] << 8 |
					(uint32_t)e->mmio.data[2] << 16 | (uint32_t)e->mmio.data[3] << 24);
		else {
			lapic_read(&bt->lapic, (uint32_t)(pa & 0xFF0), &v);
			memcpy(e->mmio.data, &v, 4);
			bt_complete_io(bt, e);
		}
		return 0;
	}
	e->reason = EXIT_MMIO;
	return 1;
}

/* Most handlers end by moving on to the next instruction. */
static int advance(struct bt_op *c)
{
	c->bt->cpu.rip = c->next;
	return 0;
}

int bt_em_hlt(struct bt_op *c, struct vm_exit *e)
{
	(void)e;
	c->bt->cpu.halted = 1;
	return advance(c);
}

int bt_em_cli(struct bt_op *c, struct vm_exit *e)
{
	(void)e;
	c->bt->cpu.vif = 0;
	return advance(c);
}

int bt_em_sti(struct bt_op *c, struct vm_exit *e)
{
	struct bt *bt = c->bt;
	uint8_t nb = 0;
	int wasoff = !bt->cpu.vif;
	(void)e;
	bt->cpu.vif = 1;
	bt->cpu.rip = c->next;
	if (!wasoff)
		return 0;
	/* Interrupts wait for the instruction after sti. sti;hlt (the idle
	 * idiom) is done here as one step, so a tick cannot slip in between. */
	if (bt_read(bt, c->next, &nb, 1) == 0 && nb == 0xF4) {
		bt->cpu.rip = c->next + 1;
		bt->cpu.halted = 1;
	} else {
		bt->cpu.shadow = 1; /* the next instruction alone, whenever an interrupt comes */
	}
	return 0;
}

int bt_em_invlpg(struct bt_op *c, struct vm_exit *e)
{
	struct bt *bt = c->bt;
	uint64_t va = bt_op_addr(c, &c->op[0]) & (BT_WINDOW - 1), err;
	(void)e;
	int refill = bt_flush_va(bt, va);
	if (bt_code_mappings_changed(bt))
		bt->flush_pending = 1;
	/* A 4 KiB page the guest just remapped is touched next: map the
	 * new translation now (one mmap) instead of after a fault. */
	if (refill)
		bt_window_fault(bt, bt->cur_win, va, 0, &err);
	return advance(c);
}

int bt_em_lgdt_lidt(struct bt_op *c, struct vm_exit *e)
{
	(void)e;
	return descriptor_table(c, 1);
}

int bt_em_sgdt_sidt(struct bt_op *c, struct vm_exit *e)
{
	(void)e;
	return descriptor_table(c, 0);
}

int bt_em_ltr(struct bt_op *c, struct vm_exit *e)
{
	(void)e;
	return load_tr(c);
}

/* lldt, wbinvd, invd, xsetbv: nothing the translator models */
int bt_em_nop(struct bt_op *c, struct vm_exit *e)
{
	(void)e;
	return advance(c);
}

int bt_em_clts(struct bt_op *c, struct vm_exit *e)
{
	(void)e;
	c->bt->cpu.cr0 &= ~8ull;
	return advance(c);
}

int bt_em_lmsw(struct bt_op *c, struct vm_exit *e)
{
	uint64_t v;
	(void)e;
	if (bt_op_read(c, &c->op[0], &v))
		return 0;
	c->bt->cpu.cr0 = (c->bt->cpu.cr0 & ~0xEull) | (v & 0xE);
	return advance(c);
}

int bt_em_rdmsr(struct bt_op *c, struct vm_exit *e)
{
	(void)e;
	return msr(c, 0);
}

int bt_em_wrmsr(struct bt_op *c, struct vm_exit *e)
{
	(void)e;
	return msr(c, 1);
}

int bt_em_in(struct bt_op *c, struct vm_exit *e)
{
	return port_io(c, e, 0);
}

int bt_em_out(struct bt_op *c, struct vm_exit *e)
{
	return port_io(c, e, 1);
}

int bt_em_swapgs(struct bt_op *c, struct vm_exit *e)
{
	struct bt *bt = c->bt;
	uint64_t t = bt->cpu.gsbase;
	(void)e;
	bt->cpu.gsbase = bt->cpu.kgsbase, bt->cpu.kgsbase = t;
	return advance(c);
}

int bt_em_syscall(struct bt_op *c, struct vm_exit *e)
{
	return syscall_insn(c, 0, e);
}

int bt_em_sysret(struct bt_op *c, struct vm_exit *e)
{
	return syscall_insn(c, 1, e);
}

int bt_em_cpuid(struct bt_op *c, struct vm_exit *e)
{
	(void)e;
	cpuid_insn(c->bt);
	return advance(c);
}

int bt_em_rdtsc(struct bt_op *c, struct vm_exit *e)
{
	struct bt *bt = c->bt;
	(void)e;
	if ((bt->cpu.cr4 & 4) && bt->cpu.cpl) {
		bt_raise(bt, 13, 1, 0);
		return 0;
	}
	uint64_t t = __rdtsc();
	bt->ctx->gpr[R_RAX] = (uint32_t)t, bt->ctx->gpr[R_RDX] = t >> 32;
	if (c->d.mnemonic == ZYDIS_MNEMONIC_RDTSCP)
		bt->ctx->gpr[R_RCX] = 0;
	return advance(c);
}

int bt_em_pushfq(struct bt_op *c, struct vm_exit *e)
{
	(void)e;
	return flags_insn(c, 1);
}

int bt_em_popfq(struct bt_op *c, struct vm_exit *e)
{
	(void)e;
	return flags_insn(c, 0);
}

int bt_em_int(struct bt_op *c, struct vm_exit *e)
{
	ZydisMnemonic m = c->d.mnemonic;
	(void)e;
	c->bt->cpu.rip = c->next;
	bt_raise(c->bt,
		 m == ZYDIS_MNEMONIC_INT3   ? 3
		 : m == ZYDIS_MNEMONIC_INT1 ? 1
					    : (int)(c->op[0].imm.value.u & 0xFF),
		 2, 0);
	return 0;
}

int bt_em_iretq(struct bt_op *c, struct vm_exit *e)
{
	struct bt *bt = c->bt;
	if (bt_iret(bt))
		return stop(bt, e, bt->vm->err);
	if (bt->cpu.pf_retry) { /* a #PF handler returns to the faulting access: map its page now */
		uint64_t err;
		bt_window_fault(bt, bt->cur_win, bt->cpu.cr2 & (BT_WINDOW - 1), bt->cpu.pf_retry & 2, &err);
		bt->cpu.pf_retry = 0;
	}
	return 0;
}

/* the hypercall ABI of KVM: no hypercall is defined, so -KVM_ENOSYS */
int bt_em_vmcall(struct bt_op *c, struct vm_exit *e)
{
	c->bt->ctx->gpr[R_RAX] = (uint64_t)-KVM_ENOSYS;
	c->bt->cpu.rip = c->next;
	e->reason = EXIT_HYPERCALL;
	return 1;
}

int bt_em_store_sys(struct bt_op *c, struct vm_exit *e)
{
	struct bt *bt = c->bt;
	ZydisMnemonic m = c->d.mnemonic;
	(void)e;
	uint64_t v = m == ZYDIS_MNEMONIC_SMSW ? bt->cpu.cr0 & 0xFFFF : m == ZYDIS_MNEMONIC_STR ? bt->cpu.tr : 0;
	if (bt_op_write(c, &c->op[0], v))
		return 0;
	return advance(c);
}

int bt_em_xgetbv(struct bt_op *c, struct vm_exit *e)
{
	(void)e;
	c->bt->ctx->gpr[R_RAX] = 1, c->bt->ctx->gpr[R_RDX] = 0; /* x87 state only */
	return advance(c);
}

int bt_em_gp(struct bt_op *c, struct vm_exit *e)
{
	(void)e;
	bt_raise(c->bt, 13, 1, 0);
	return 0;
}

int bt_em_ud(struct bt_op *c, struct vm_exit *e)
{
	(void)e;
	bt_raise(c->bt, 6, 0, 0);
	return 0;
}

int bt_em_mov_special(struct bt_op *c, struct vm_exit *e)
{
	return mov_special(c, e);
}

int bt_em_far_ret(struct bt_op *c, struct vm_exit *e)
{
	return far_return(c, e);
}

int bt_em_refuse(struct bt_op *c, struct vm_exit *e)
{
	return stop(c->bt, e, c->row->what);
}

int bt_em_string(struct bt_op *c, struct vm_exit *e)
{
	return bt_string_insn(c->bt, &c->d, c->next) ? 0 : bt_em_ud(c, e);
}

int bt_callout(struct bt *bt, struct vm_exit *e, int mmio)
{
	struct bt_op c;
	uint8_t b[16] = {0};
	int n;
	c.bt = bt;
	int f = bt_fetch(bt, bt->cpu.rip, b, &n, NULL);
	if (f == -1)
		return 0;
	if (f == -2 || bt_decode(b, n, &c.d, c.op)) {
		bt_raise(bt, 6, 0, 0);
		return 0;
	}
	c.next = bt->cpu.rip + c.d.length;
	bt->stats_callouts++;
	if (mmio) {
		uint64_t rip = bt->cpu.rip;
		int r = mmio_insn(&c, e);
		bt_site_done(bt, rip);
		return r;
	}
	c.row = bt_sensitive_of(&c.d, c.op);
	if (!c.row || !c.row->emulate) { /* the bytes changed since translation */
		bt_raise(bt, 6, 0, 0);
		return 0;
	}
	if (c.row->privileged && bt->cpu.cpl) {
		bt_raise(bt, 13, 1, 0);
		return 0;
	}
	return c.row->emulate(&c, e);
}
