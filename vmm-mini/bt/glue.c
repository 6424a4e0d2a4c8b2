/* Generated glue at the start of the code cache:
 *   enter        from C: saves host callee-saved registers, loads the guest's
 *                GPRs and live flags, jumps to ctx->entry
 *   exit_common  from translated code: stores the guest's GPRs and flags,
 *                returns to C (the site stored next_rip/exit_kind first)
 *   resume_host  from a signal handler that already filled ctx: returns to C
 *   ind_miss     an inline indirect-branch lookup (translate.c) found no
 *                translation: exit with the target as next_rip
 * The host stack is only touched by enter/exit, after RSP is the host's. */
#include "vmm-mini/bt/bt.h"
#include "vmm-mini/bt/emit.h"

static const int callee_saved[] = {R_RBX, R_RBP, 12, 13, 14, 15};

static void push_r(struct emit *e, int r)
{
	if (r >= 8)
		e8(e, 0x41);
	e8(e, (uint8_t)(0x50 + (r & 7)));
}

static void pop_r(struct emit *e, int r)
{
	if (r >= 8)
		e8(e, 0x41);
	e8(e, (uint8_t)(0x58 + (r & 7)));
}

/* cmpb $0, ctx->fp_used; je over the next n bytes (host context: flags free) */
static void if_fp_used(struct emit *e, struct bt_ctx *c, uint8_t n)
{
	e8(e, 0x80), e8(e, 0x3C), e8(e, 0x25), e32(e, abs32(&c->fp_used)), e8(e, 0);
	e8(e, 0x74), e8(e, n);
}

/* The guest's x87/SSE state lives in the host's registers while its code
 * runs, but only once it has used them: saved at exit, then the host gets an
 * empty x87 stack and its own control words back (what the ABI preserves). */
static void fp_save(struct emit *e, struct bt_ctx *c)
{
	if_fp_used(e, c, 26);
	e8(e, 0x48), e8(e, 0x0F), e8(e, 0xAE), e8(e, 0x04), e8(e, 0x25), e32(e, abs32(c->guest_fp)); /* fxsave64 */
	e8(e, 0xDB), e8(e, 0xE3);								     /* fninit */
	e8(e, 0xD9), e8(e, 0x2C), e8(e, 0x25), e32(e, abs32(&c->host_fcw));			     /* fldcw */
	e8(e, 0x0F), e8(e, 0xAE), e8(e, 0x14), e8(e, 0x25), e32(e, abs32(&c->host_mxcsr));	     /* ldmxcsr */
}

static void fp_restore(struct emit *e, struct bt_ctx *c)
{
	if_fp_used(e, c, 9);
	e8(e, 0x48), e8(e, 0x0F), e8(e, 0xAE), e8(e, 0x0C), e8(e, 0x25), e32(e, abs32(c->guest_fp)); /* fxrstor64 */
}

static void pop_host(struct emit *e);

/* resume_host: a signal handler filled ctx; the registers are the guest's. */
static void host_epilogue(struct emit *e, struct bt_ctx *c)
{
	ld_abs(e, R_RSP, &c->host_rsp);
	fp_save(e, c);
	pop_host(e);
}

/* Also the native side of the differential tests, with their own fields. */
void bt_emit_enter(struct emit *e, uint64_t *gpr, uint64_t *rflags, uint64_t *host_rsp, uint64_t *entry)
{
	for (int i = 0; i < 6; i++)
		push_r(e, callee_saved[i]);
	st_abs(e, R_RSP, host_rsp);
	e8(e, 0xFF), e8(e, 0x34), e8(e, 0x25), e32(e, abs32(rflags)); /* push [rflags] */
	e8(e, 0x9D);						      /* popfq */
	for (int r = 0; r < 16; r++)
		if (r != R_RSP)
			ld_abs(e, r, &gpr[r]);
	ld_abs(e, R_RSP, &gpr[R_RSP]);
	jmp_abs_ind(e, entry);
}

static void save_guest(struct emit *e, uint64_t *gpr, uint64_t *rflags, uint64_t *host_rsp)
{
	for (int r = 0; r < 16; r++)
		st_abs(e, r, &gpr[r]);
	ld_abs(e, R_RSP, host_rsp);
	e8(e, 0x9C);						      /* pushfq */
	e8(e, 0x8F), e8(e, 0x04), e8(e, 0x25), e32(e, abs32(rflags)); /* pop [rflags] */
}

static void pop_host(struct emit *e)
{
	e8(e, 0xFC); /* cld: C code expects DF clear */
	for (int i = 5; i >= 0; i--)
		pop_r(e, callee_saved[i]);
	e8(e, 0xC3);
}

void bt_emit_exit(struct emit *e, uint64_t *gpr, uint64_t *rflags, uint64_t *host_rsp)
{
	save_guest(e, gpr, rflags, host_rsp);
	pop_host(e);
}

/* An indirect branch whose target is not in the table: exit with it. */
static void gen_ind_miss(struct emit *e, struct bt_ctx *c, uint8_t *exit_common)
{
	ld_abs(e, R_RDX, &c->target);
	st_abs(e, R_RDX, &c->next_rip);
	ld_abs(e, R_RAX, &c->s_rax);
	ld_abs(e, R_RCX, &c->s_rcx);
	ld_abs(e, R_RDX, &c->s_rdx);
	st_abs_u64(e, &c->exit_kind, BTX_IND_MISS);
	st_abs_u64(e, &c->chain_site, 0);
	jmp_rel(e, exit_common);
}

int bt_glue_init(struct bt *bt)
{
	struct emit e = {bt->tc.cache};
	struct bt_ctx *c = bt->ctx;
	bt->tc.g.enter = (void (*)(void))(void *)e.p;
	fp_restore(&e, c);
	bt_emit_enter(&e, c->gpr, &c->rflags, &c->host_rsp, &c->entry);
	bt->tc.g.exit_common = e.p;
	save_guest(&e, c->gpr, &c->rflags, &c->host_rsp);
	fp_save(&e, c);
	pop_host(&e);
	bt->tc.g.resume_host = e.p;
	host_epilogue(&e, bt->ctx);
	bt->tc.g.ind_miss = e.p;
	gen_ind_miss(&e, bt->ctx, bt->tc.g.exit_common);
	bt->tc.glue_end = bt->tc.cache_used = (uint32_t)(e.p - bt->tc.cache + 63) & ~63u;
	return 0;
}

/* next_rip, kind and (for chainable exits) the rel32 to patch; then exit. */
uint32_t bt_emit_exit_stub(struct bt *bt, uint8_t *p, uint64_t rip, enum bt_exit kind, uint8_t *chain_site)
{
	struct emit e = {p};
	struct bt_ctx *c = bt->ctx;
	st_abs_u64(&e, &c->next_rip, rip);
	st_abs_u64(&e, &c->exit_kind, kind);
	st_abs_u64(&e, &c->chain_site, (uint64_t)(uintptr_t)chain_site);
	jmp_rel(&e, bt->tc.g.exit_common);
	return (uint32_t)(e.p - p);
}
