/* Byte emitters for the few host instruction forms glue and rewrites need.
 * "abs" operands are context fields, addressed RIP-relative (modrm_rip):
 * the context and the code cache live below 2 GiB. None of these forms
 * changes RFLAGS, which is what lets rewrites keep the guest's flags live. */
#ifndef BT_EMIT_H
#define BT_EMIT_H
#include <stdint.h>
#include <string.h>

struct emit {
	uint8_t *p;
};

static inline void e8(struct emit *e, uint8_t b)
{
	*e->p++ = b;
}
static inline void e32(struct emit *e, uint32_t v)
{
	memcpy(e->p, &v, 4);
	e->p += 4;
}
static inline uint32_t abs32(const void *a)
{
	return (uint32_t)(uintptr_t)a;
}

static inline void rex_w(struct emit *e, int reg, int rm)
{
	e8(e, (uint8_t)(0x48 | (reg >= 8 ? 4 : 0) | (rm >= 8 ? 1 : 0)));
}

/* ModRM (and disp32) of a context or code-cache field, RIP-relative: both
 * live below 2 GiB, so every field is in reach. Not the absolute [disp32]
 * form: AMD's memory renaming passes a store on to a later load of the same
 * RIP-relative address at no latency, but an absolute slot costs a full
 * store-to-load forward (5.5 against 0.7 TSC cycles here, `make bt-facts`),
 * and rewrites park a register in a slot and take it back within a few
 * instructions. imm is the size of an immediate after the disp32. */
static inline void modrm_rip(struct emit *e, int reg, const void *a, int imm)
{
	e8(e, (uint8_t)(((reg & 7) << 3) | 5));
	e32(e, (uint32_t)((const uint8_t *)a - (e->p + 4 + imm)));
}

/* op reg, [abs] with REX.W: 0x89 store, 0x8B load. */
static inline void mov_abs(struct emit *e, uint8_t op, int reg, const void *a)
{
	rex_w(e, reg, 0);
	e8(e, op);
	modrm_rip(e, reg, a, 0);
}
static inline void st_abs(struct emit *e, int reg, const void *a)
{
	mov_abs(e, 0x89, reg, a);
}
static inline void ld_abs(struct emit *e, int reg, const void *a)
{
	mov_abs(e, 0x8B, reg, a);
}

/* movl $imm32, [abs] */
static inline void st_abs_imm32(struct emit *e, const void *a, uint32_t imm)
{
	e8(e, 0xC7);
	modrm_rip(e, 0, a, 4);
	e32(e, imm);
}
/* a 64-bit field below 2^32 */
static inline void st_abs_u64(struct emit *e, const void *a, uint64_t v)
{
	st_abs_imm32(e, a, (uint32_t)v);
	st_abs_imm32(e, (const uint8_t *)a + 4, (uint32_t)(v >> 32));
}

/* jmp rel32 / jmp *[abs]; return the rel32 field's address. */
static inline uint8_t *jmp_rel(struct emit *e, const uint8_t *to)
{
	e8(e, 0xE9);
	uint8_t *site = e->p;
	e32(e, (uint32_t)(to - (site + 4)));
	return site;
}
static inline void jmp_abs_ind(struct emit *e, const void *a)
{
	e8(e, 0xFF);
	modrm_rip(e, 4, a, 0);
}
static inline void patch_rel32(uint8_t *site, const uint8_t *to)
{
	uint32_t rel = (uint32_t)(to - (site + 4));
	memcpy(site, &rel, 4);
}

/* %gs:disp(%esp) with the 0x67 prefix: the guest stack through the window.
 * op 0x89 store reg, 0x8B load reg, 0xC7 store imm32 (sign-extended, REX.W). */
static inline void gs_esp(struct emit *e, uint8_t op, int reg, int32_t disp)
{
	e8(e, 0x65), e8(e, 0x67);
	rex_w(e, reg, 0);
	e8(e, op);
	if (disp == 0) {
		e8(e, (uint8_t)(((reg & 7) << 3) | 4));
		e8(e, 0x24);
	} else if (disp >= -128 && disp < 128) {
		e8(e, (uint8_t)(0x44 | ((reg & 7) << 3)));
		e8(e, 0x24);
		e8(e, (uint8_t)disp);
	} else {
		e8(e, (uint8_t)(0x84 | ((reg & 7) << 3)));
		e8(e, 0x24);
		e32(e, (uint32_t)disp);
	}
}

/* lea disp(%base), %dst (64-bit): moves RSP without touching flags. */
static inline void lea_disp(struct emit *e, int dst, int base, int32_t disp)
{
	rex_w(e, dst, base);
	e8(e, 0x8D);
	e8(e, (uint8_t)(0x80 | ((dst & 7) << 3) | (base & 7)));
	if ((base & 7) == 4)
		e8(e, 0x24);
	e32(e, (uint32_t)disp);
}

/* mov %src, %dst (64-bit) */
static inline void mov_rr(struct emit *e, int dst, int src)
{
	rex_w(e, src, dst);
	e8(e, 0x89);
	e8(e, (uint8_t)(0xC0 | ((src & 7) << 3) | (dst & 7)));
}
/* glue.c: load/store all 16 GPRs and RFLAGS around a jump into code. */
void bt_emit_enter(struct emit *e, uint64_t *gpr, uint64_t *rflags, uint64_t *host_rsp, uint64_t *entry);
void bt_emit_exit(struct emit *e, uint64_t *gpr, uint64_t *rflags, uint64_t *host_rsp);
#endif
