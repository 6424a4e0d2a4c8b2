/* Exception and interrupt delivery through the guest's IDT, as a 64-bit
 * CPU does it: gate lookup, stack switch to TSS.RSP0 (or an IST stack),
 * 16-byte alignment, SS:RSP, RFLAGS, CS:RIP and the error code pushed,
 * IF cleared for interrupt gates. A fault while delivering becomes #DF; one
 * while delivering #DF shuts the machine down (triple fault). */
#include <string.h>

#include "vmm-mini/bt/bt.h"

void bt_raise(struct bt *bt, int vector, int has_err, uint64_t err)
{
	if (bt->cpu.exc.pending) {
		if (bt->cpu.exc.vector == 8) {
			bt->cpu.exc.vector = -1; /* triple fault */
			return;
		}
		vector = 8, has_err = 1, err = 0;
	}
	bt->cpu.exc.pending = 1;
	bt->cpu.exc.vector = vector, bt->cpu.exc.has_err = has_err, bt->cpu.exc.err = err;
}

static int push(struct bt *bt, uint64_t *rsp, uint64_t v)
{
	*rsp -= 8;
	return bt_write(bt, *rsp, &v, 8);
}

/* 0 delivered; -1 a fault while delivering (raised as #PF/#GP meanwhile). */
static int deliver(struct bt *bt, int vector, int has_err, uint64_t err, int soft)
{
	uint8_t gate[16];
	int from_cpl = bt->cpu.cpl;
	uint64_t flags = bt_full_rflags(bt), old_rsp = bt->ctx->gpr[R_RSP];
	if ((uint32_t)vector * 16 + 15 > bt->cpu.idt_limit)
		return -1;
	bt->cpu.cpl = 0; /* descriptor and stack accesses are supervisor accesses */
	if (bt_read(bt, bt->cpu.idt_base + (uint64_t)vector * 16, gate, 16))
		goto fail;
	uint8_t type = gate[5];
	if (!(type & 0x80) || ((type & 0xF) != 0xE && (type & 0xF) != 0xF) || (soft && from_cpl > ((type >> 5) & 3)))
		goto fail;
	uint64_t target = (uint64_t)gate[0] | (uint64_t)gate[1] << 8 | (uint64_t)gate[6] << 16 |
			  (uint64_t)gate[7] << 24 | (uint64_t)gate[8] << 32 | (uint64_t)gate[9] << 40 |
			  (uint64_t)gate[10] << 48 | (uint64_t)gate[11] << 56;
	uint16_t sel = (uint16_t)(gate[2] | gate[3] << 8);
	int ist = gate[4] & 7;
	uint64_t rsp = old_rsp;
	if (ist || from_cpl == 3) {
		uint64_t off = ist ? 0x24 + 8 * (uint64_t)(ist - 1) : 4;
		if (bt_read(bt, bt->cpu.tss_base + off, &rsp, 8))
			goto fail;
	}
	rsp &= ~15ull;
	if (push(bt, &rsp, bt->cpu.ss) || push(bt, &rsp, old_rsp) || push(bt, &rsp, flags) ||
	    push(bt, &rsp, bt->cpu.cs) || push(bt, &rsp, bt->cpu.rip) || (has_err && push(bt, &rsp, err)))
		goto fail;
	bt->ctx->gpr[R_RSP] = rsp;
	bt->cpu.rip = target;
	bt->cpu.cs = sel;
	if (from_cpl == 3)
		bt->cpu.ss = 0; /* a null SS at CPL0, as 64-bit mode loads it */
	if ((type & 0xF) == 0xE)
		bt->cpu.vif = 0;
	bt->cpu.vflags &= ~0x4100ull; /* TF and NT, as the CPU clears them */
	bt->cpu.halted = 0;
	return bt_set_cpl(bt, 0) ? -1 : 0;
fail:
	bt->cpu.cpl = from_cpl;
	return -1;
}

/* Returns 1 with *e set when the machine must stop (shutdown). */
int bt_deliver_pending(struct bt *bt, struct vm_exit *e)
{
	while (bt->cpu.exc.pending) {
		int v = bt->cpu.exc.vector;
		bt->cpu.exc.pending = 0;
		if (v < 0) {
			e->reason = EXIT_SHUTDOWN;
			return 1;
		}
		int soft = bt->cpu.exc.has_err == 2; /* int n / int3: DPL-checked, no error code */
		if (deliver(bt, v, bt->cpu.exc.has_err == 1, bt->cpu.exc.err, soft) == 0)
			return 0;
		if (v == 8) {
			e->reason = EXIT_SHUTDOWN;
			return 1;
		}
		bt->cpu.exc.pending = 0;
		bt_raise(bt, v == 14 || v == 13 || v == 10 || v == 11 || v == 12 || v == 0 ? 8 : 13, 1, 0);
	}
	if (bt->cpu.vif && !bt->cpu.shadow) {
		int v = lapic_pending(&bt->lapic);
		if (v >= 0) {
			lapic_accept(&bt->lapic, v);
			if (deliver(bt, v, 0, 0, 0))
				bt_raise(bt, 8, 1, 0);
			return bt_deliver_pending(bt, e);
		}
	}
	return 0;
}

int bt_iret(struct bt *bt)
{
	uint64_t f[5], rsp = bt->ctx->gpr[R_RSP];
	if (bt_read(bt, rsp, f, sizeof(f)))
		return 0; /* #PF raised */
	int cpl = (int)(f[1] & 3);
	if (cpl < bt->cpu.cpl) {
		bt_raise(bt, 13, 1, f[1] & 0xFFFC);
		return 0;
	}
	bt->cpu.rip = f[0];
	bt->cpu.cs = (uint16_t)f[1];
	bt_load_rflags(bt, f[2]);
	bt->ctx->gpr[R_RSP] = f[3];
	bt->cpu.ss = (uint16_t)f[4];
	return bt_set_cpl(bt, cpl);
}
