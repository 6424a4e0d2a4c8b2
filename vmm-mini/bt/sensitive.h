/* The sensitive instructions, once (sensitive.c): for each, whether CPL3
 * must take #GP, how translate.c emits it inline (if it can), and the C
 * handler of callout.c that emulates it. The translator asks the table
 * what to do with an instruction; the dispatcher asks it how to emulate
 * one. */
#ifndef BT_SENSITIVE_H
#define BT_SENSITIVE_H
#include <Zydis/Zydis.h>

#include "vmm-mini/bt/bt.h"

/* One decoded instruction being emulated. */
struct bt_op {
	struct bt *bt;
	const struct bt_sensitive *row;
	ZydisDecodedInstruction d;
	ZydisDecodedOperand op[ZYDIS_MAX_OPERAND_COUNT];
	uint64_t next;
};

/* cpu.c: an operand's effective address; its value (-1: a #PF was raised) */
uint64_t bt_op_addr(struct bt_op *o, const ZydisDecodedOperand *m);
int bt_op_read(struct bt_op *o, const ZydisDecodedOperand *src, uint64_t *v);
int bt_op_write(struct bt_op *o, const ZydisDecodedOperand *dst, uint64_t v);

/* 1 = the machine must handle *e, 0 = continue (RIP set by the handler). */
typedef int (*bt_emulate_fn)(struct bt_op *o, struct vm_exit *e);

/* The inline translations (inline.c, emitted by translate.c). */
enum bt_inline {
	BI_NONE,
	BI_CLI,
	BI_STI,
	BI_PUSHF,
	BI_POPF,
	BI_CPUID,
	BI_RDTSC,  /* copied while CR4.TSD is clear */
	BI_RDTSCP, /* copied, then ECX = TSC_AUX */
	BI_CR8,	   /* mov to/from cr8 with a 64-bit GPR */
	BI_PIO,
	BI_SYSCALL,
	BI_SYSRET,
	BI_INVLPG,
	BI_IRETQ, /* CPL0 -> CPL0, same CS/SS */
	BI_DIV	  /* the #DE check; the division itself is copied */
};

struct bt_sensitive {
	ZydisMnemonic mnemonic; /* or a pseudo row: see bt_sensitive_of */
	uint8_t privileged;	/* #GP at CPL3, checked before the handler */
	uint8_t inl;		/* enum bt_inline */
	bt_emulate_fn emulate;	/* NULL: never a callout (ordinary code once not inline) */
	const char *what;
};

/* The row of a decoded instruction, or NULL for ordinary code: by mnemonic,
 * or by form (string instructions, far branches, control/debug/segment
 * register operands). */
const struct bt_sensitive *bt_sensitive_of(const ZydisDecodedInstruction *d, const ZydisDecodedOperand *op);

/* callout.c: the handlers the table names */
int bt_em_hlt(struct bt_op *o, struct vm_exit *e);
int bt_em_cli(struct bt_op *o, struct vm_exit *e);
int bt_em_sti(struct bt_op *o, struct vm_exit *e);
int bt_em_invlpg(struct bt_op *o, struct vm_exit *e);
int bt_em_lgdt_lidt(struct bt_op *o, struct vm_exit *e);
int bt_em_sgdt_sidt(struct bt_op *o, struct vm_exit *e);
int bt_em_ltr(struct bt_op *o, struct vm_exit *e);
int bt_em_nop(struct bt_op *o, struct vm_exit *e);
int bt_em_clts(struct bt_op *o, struct vm_exit *e);
int bt_em_lmsw(struct bt_op *o, struct vm_exit *e);
int bt_em_rdmsr(struct bt_op *o, struct vm_exit *e);
int bt_em_wrmsr(struct bt_op *o, struct vm_exit *e);
int bt_em_in(struct bt_op *o, struct vm_exit *e);
int bt_em_out(struct bt_op *o, struct vm_exit *e);
int bt_em_swapgs(struct bt_op *o, struct vm_exit *e);
int bt_em_syscall(struct bt_op *o, struct vm_exit *e);
int bt_em_sysret(struct bt_op *o, struct vm_exit *e);
int bt_em_cpuid(struct bt_op *o, struct vm_exit *e);
int bt_em_rdtsc(struct bt_op *o, struct vm_exit *e);
int bt_em_pushfq(struct bt_op *o, struct vm_exit *e);
int bt_em_popfq(struct bt_op *o, struct vm_exit *e);
int bt_em_int(struct bt_op *o, struct vm_exit *e);
int bt_em_iretq(struct bt_op *o, struct vm_exit *e);
int bt_em_vmcall(struct bt_op *o, struct vm_exit *e);
int bt_em_store_sys(struct bt_op *o, struct vm_exit *e); /* smsw, str, sldt */
int bt_em_xgetbv(struct bt_op *o, struct vm_exit *e);
int bt_em_gp(struct bt_op *o, struct vm_exit *e);
int bt_em_ud(struct bt_op *o, struct vm_exit *e);
int bt_em_mov_special(struct bt_op *o, struct vm_exit *e);
int bt_em_far_ret(struct bt_op *o, struct vm_exit *e);
int bt_em_refuse(struct bt_op *o, struct vm_exit *e); /* stops the guest with the row's reason */
int bt_em_string(struct bt_op *o, struct vm_exit *e);
#endif
