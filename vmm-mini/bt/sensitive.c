/* The one table of sensitive instructions (sensitive.h). A row is looked
 * up by mnemonic, except for the forms whose mnemonic alone does not say
 * (a mov with a control, debug or segment register, a far ret/call/jmp, a
 * string instruction): those have pseudo rows below. */
#include "vmm-mini/bt/sensitive.h"

#define M(x) ZYDIS_MNEMONIC_##x

static const struct bt_sensitive rows[] = {
    /* privileged: #GP at CPL3 */
    {M(HLT), 1, BI_NONE, bt_em_hlt, "hlt"},
    {M(CLI), 1, BI_CLI, bt_em_cli, "cli"},
    {M(STI), 1, BI_STI, bt_em_sti, "sti"},
    {M(INVLPG), 1, BI_INVLPG, bt_em_invlpg, "invlpg"},
    {M(LGDT), 1, BI_NONE, bt_em_lgdt_lidt, "lgdt"},
    {M(LIDT), 1, BI_NONE, bt_em_lgdt_lidt, "lidt"},
    {M(LTR), 1, BI_NONE, bt_em_ltr, "ltr"},
    {M(LLDT), 1, BI_NONE, bt_em_nop, "lldt"},
    {M(WBINVD), 1, BI_NONE, bt_em_nop, "wbinvd"},
    {M(INVD), 1, BI_NONE, bt_em_nop, "invd"},
    {M(XSETBV), 1, BI_NONE, bt_em_nop, "xsetbv"},
    {M(CLTS), 1, BI_NONE, bt_em_clts, "clts"},
    {M(LMSW), 1, BI_NONE, bt_em_lmsw, "lmsw"},
    {M(RDMSR), 1, BI_NONE, bt_em_rdmsr, "rdmsr"},
    {M(WRMSR), 1, BI_NONE, bt_em_wrmsr, "wrmsr"},
    {M(IN), 1, BI_PIO, bt_em_in, "in"},
    {M(OUT), 1, BI_PIO, bt_em_out, "out"},
    {M(SWAPGS), 1, BI_NONE, bt_em_swapgs, "swapgs"},
    {M(SYSRET), 1, BI_SYSRET, bt_em_sysret, "sysret"},
    /* the handler decides what CPL3 may do */
    {M(CPUID), 0, BI_CPUID, bt_em_cpuid, "cpuid"},
    {M(RDTSC), 0, BI_RDTSC, bt_em_rdtsc, "rdtsc"},
    {M(RDTSCP), 0, BI_RDTSCP, bt_em_rdtsc, "rdtscp"},
    {M(PUSHFQ), 0, BI_PUSHF, bt_em_pushfq, "pushfq"},
    {M(POPFQ), 0, BI_POPF, bt_em_popfq, "popfq"},
    {M(SYSCALL), 0, BI_SYSCALL, bt_em_syscall, "syscall"},
    {M(INT), 0, BI_NONE, bt_em_int, "int"},
    {M(INT3), 0, BI_NONE, bt_em_int, "int3"},
    {M(INT1), 0, BI_NONE, bt_em_int, "int1"},
    {M(IRETQ), 0, BI_IRETQ, bt_em_iretq, "iretq"},
    {M(VMCALL), 0, BI_NONE, bt_em_vmcall, "vmcall"},
    {M(VMMCALL), 0, BI_NONE, bt_em_vmcall, "vmmcall"},
    {M(SGDT), 0, BI_NONE, bt_em_sgdt_sidt, "sgdt"},
    {M(SIDT), 0, BI_NONE, bt_em_sgdt_sidt, "sidt"},
    {M(SMSW), 0, BI_NONE, bt_em_store_sys, "smsw"},
    {M(STR), 0, BI_NONE, bt_em_store_sys, "str"},
    {M(SLDT), 0, BI_NONE, bt_em_store_sys, "sldt"},
    {M(XGETBV), 0, BI_NONE, bt_em_xgetbv, "xgetbv"},
    {M(RDPMC), 0, BI_NONE, bt_em_gp, "rdpmc"},
    {M(IRET), 0, BI_NONE, bt_em_refuse, "16/32-bit iret/pushf/popf are not supported"},
    {M(IRETD), 0, BI_NONE, bt_em_refuse, "16/32-bit iret/pushf/popf are not supported"},
    {M(PUSHF), 0, BI_NONE, bt_em_refuse, "16/32-bit iret/pushf/popf are not supported"},
    {M(POPF), 0, BI_NONE, bt_em_refuse, "16/32-bit iret/pushf/popf are not supported"},
    /* never reach the host: #UD */
    {M(INTO), 0, BI_NONE, bt_em_ud, "into"},
    {M(UD0), 0, BI_NONE, bt_em_ud, "ud0"},
    {M(UD1), 0, BI_NONE, bt_em_ud, "ud1"},
    {M(UD2), 0, BI_NONE, bt_em_ud, "ud2"},
    {M(RDFSBASE), 0, BI_NONE, bt_em_ud, "rdfsbase"},
    {M(RDGSBASE), 0, BI_NONE, bt_em_ud, "rdgsbase"},
    {M(WRFSBASE), 0, BI_NONE, bt_em_ud, "wrfsbase"},
    {M(WRGSBASE), 0, BI_NONE, bt_em_ud, "wrgsbase"},
    {M(SYSENTER), 0, BI_NONE, bt_em_ud, "sysenter"},
    {M(SYSEXIT), 0, BI_NONE, bt_em_ud, "sysexit"},
    {M(MONITOR), 0, BI_NONE, bt_em_ud, "monitor"},
    {M(MWAIT), 0, BI_NONE, bt_em_ud, "mwait"},
    {M(RDPID), 0, BI_NONE, bt_em_ud, "rdpid"},
    /* not sensitive, but checked inline */
    {M(DIV), 0, BI_DIV, NULL, "div"},
    {M(IDIV), 0, BI_DIV, NULL, "idiv"},
};

/* pseudo rows: by form */
static const struct bt_sensitive mov_special = {M(MOV), 0, BI_CR8, bt_em_mov_special, "mov cr/dr/sreg"};
static const struct bt_sensitive sreg_other = {M(INVALID), 0, BI_NONE, bt_em_ud, "segment register operand"};
static const struct bt_sensitive far_ret = {M(RET), 0, BI_NONE, bt_em_far_ret, "far ret"};
static const struct bt_sensitive far_jump = {M(JMP), 0, BI_NONE, bt_em_refuse, "far call/jmp is not supported"};
/* the destination ignores segment prefixes: emulated (strings.c) */
static const struct bt_sensitive string = {M(INVALID), 0, BI_NONE, bt_em_string, "string instruction"};

static const struct bt_sensitive *by_mnemonic(ZydisMnemonic m)
{
	static const struct bt_sensitive *index[ZYDIS_MNEMONIC_MAX_VALUE + 1];
	static int built;
	if (!built) {
		for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
			index[rows[i].mnemonic] = &rows[i];
		built = 1;
	}
	return (unsigned)m <= ZYDIS_MNEMONIC_MAX_VALUE ? index[m] : NULL;
}

static int special_register(const ZydisDecodedInstruction *d, const ZydisDecodedOperand *op)
{
	for (int i = 0; i < d->operand_count_visible; i++) {
		if (op[i].type != ZYDIS_OPERAND_TYPE_REGISTER)
			continue;
		ZydisRegisterClass c = ZydisRegisterGetClass(op[i].reg.value);
		if (c == ZYDIS_REGCLASS_CONTROL || c == ZYDIS_REGCLASS_DEBUG || c == ZYDIS_REGCLASS_SEGMENT)
			return 1;
	}
	return 0;
}

const struct bt_sensitive *bt_sensitive_of(const ZydisDecodedInstruction *d, const ZydisDecodedOperand *op)
{
	const struct bt_sensitive *r = by_mnemonic(d->mnemonic);
	if (r)
		return r;
	if (d->meta.category == ZYDIS_CATEGORY_STRINGOP || d->meta.category == ZYDIS_CATEGORY_IOSTRINGOP)
		return &string;
	if (special_register(d, op))
		return d->mnemonic == M(MOV) ? &mov_special : &sreg_other;
	if (d->meta.branch_type == ZYDIS_BRANCH_TYPE_FAR)
		return d->mnemonic == M(RET) ? &far_ret : &far_jump;
	return NULL;
}
