/* String instructions (movs, stos, lods, cmps, scas; rep/repe/repne) are
 * emulated, not copied: their ES:RDI destination ignores segment prefixes,
 * so a verbatim copy would write host memory at the guest's address. Each
 * element goes through the guest page tables in order, so overlapping
 * copies behave as on hardware; at most 4096 elements per callout (a rep
 * instruction is interruptible: RIP stays until RCX reaches 0), and a #PF
 * leaves RCX/RSI/RDI at the faulting element, as the CPU does. */
#include <Zydis/Zydis.h>
#include <string.h>

#include "vmm-mini/bt/bt.h"

#define CHUNK 4096

/* RFLAGS of a - b at the given width (what cmp would set). */
static uint64_t sub_flags(uint64_t a, uint64_t b, int size)
{
	uint64_t f;
	switch (size) {
	case 1: __asm__("cmpb %b2, %b1; pushfq; popq %0" : "=r"(f) : "q"(a), "q"(b) : "cc"); break;
	case 2: __asm__("cmpw %w2, %w1; pushfq; popq %0" : "=r"(f) : "r"(a), "r"(b) : "cc"); break;
	case 4: __asm__("cmpl %k2, %k1; pushfq; popq %0" : "=r"(f) : "r"(a), "r"(b) : "cc"); break;
	default: __asm__("cmpq %2, %1; pushfq; popq %0" : "=r"(f) : "r"(a), "r"(b) : "cc"); break;
	}
	return f;
}

/* 1 = string instruction handled (0 otherwise). */
int bt_string_insn(struct bt *bt, const ZydisDecodedInstruction *d, uint64_t next)
{
	ZydisMnemonic m = d->mnemonic;
	int movs = m == ZYDIS_MNEMONIC_MOVSB || m == ZYDIS_MNEMONIC_MOVSW || m == ZYDIS_MNEMONIC_MOVSD ||
		   m == ZYDIS_MNEMONIC_MOVSQ;
	int stos = m == ZYDIS_MNEMONIC_STOSB || m == ZYDIS_MNEMONIC_STOSW || m == ZYDIS_MNEMONIC_STOSD ||
		   m == ZYDIS_MNEMONIC_STOSQ;
	int lods = m == ZYDIS_MNEMONIC_LODSB || m == ZYDIS_MNEMONIC_LODSW || m == ZYDIS_MNEMONIC_LODSD ||
		   m == ZYDIS_MNEMONIC_LODSQ;
	int cmps = m == ZYDIS_MNEMONIC_CMPSB || m == ZYDIS_MNEMONIC_CMPSW || m == ZYDIS_MNEMONIC_CMPSD ||
		   m == ZYDIS_MNEMONIC_CMPSQ;
	int scas = m == ZYDIS_MNEMONIC_SCASB || m == ZYDIS_MNEMONIC_SCASW || m == ZYDIS_MNEMONIC_SCASD ||
		   m == ZYDIS_MNEMONIC_SCASQ;
	if (d->meta.category != ZYDIS_CATEGORY_STRINGOP || !(movs || stos || lods || cmps || scas))
		return 0;
	uint64_t *g = bt->ctx->gpr, amask = d->address_width == 32 ? 0xFFFFFFFFull : ~0ull;
	int size = d->operand_width / 8;
	int rep = (d->attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE | ZYDIS_ATTRIB_HAS_REPNE)) != 0;
	int64_t step = (bt->ctx->rflags & 0x400) ? -size : size;
	for (int n = 0; n < CHUNK; n++) {
		if (rep && !(g[R_RCX] & amask)) {
			bt->cpu.rip = next;
			return 1;
		}
		uint64_t src = 0, dst = 0, si = g[R_RSI] & amask, di = g[R_RDI] & amask;
		if ((movs || lods || cmps) && bt_read(bt, si, &src, (uint32_t)size))
			return 1;
		if ((cmps || scas) && bt_read(bt, di, &dst, (uint32_t)size))
			return 1;
		if (movs && bt_write(bt, di, &src, (uint32_t)size))
			return 1;
		if (stos && bt_write(bt, di, &g[R_RAX], (uint32_t)size))
			return 1;
		if (lods) {
			static const ZydisRegister acc[9] = {[1] = ZYDIS_REGISTER_AL,
							     [2] = ZYDIS_REGISTER_AX,
							     [4] = ZYDIS_REGISTER_EAX,
							     [8] = ZYDIS_REGISTER_RAX};
			bt_reg_set(bt, acc[size], src);
		}
		if (cmps || scas) {
			uint64_t f = cmps ? sub_flags(src, dst, size) : sub_flags(g[R_RAX], dst, size);
			bt->ctx->rflags = (bt->ctx->rflags & ~(FL_LIVE & ~0x400ull)) | (f & FL_LIVE & ~0x400ull);
		}
		if (movs || lods || cmps)
			g[R_RSI] = (si + (uint64_t)step) & amask; /* 32-bit forms zero-extend */
		if (!lods)
			g[R_RDI] = (di + (uint64_t)step) & amask;
		if (!rep) {
			bt->cpu.rip = next;
			return 1;
		}
		g[R_RCX] = (g[R_RCX] - 1) & amask;
		int zf = (bt->ctx->rflags & 0x40) != 0;
		if ((cmps || scas) && (((d->attributes & ZYDIS_ATTRIB_HAS_REPE) && !zf) ||
				       ((d->attributes & ZYDIS_ATTRIB_HAS_REPNE) && zf))) {
			bt->cpu.rip = next;
			return 1;
		}
	}
	return 1; /* RIP unchanged: the rest runs after pending events */
}
