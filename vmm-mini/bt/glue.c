/* Generated glue at the start of the code cache:
 *   enter        from C: saves host callee-saved registers, loads the guest's
 *                GPRs and live flags, jumps to ctx->entry
 *   exit_common  from translated code: stores the guest's GPRs and flags,
 *                returns to C (the site stored next_rip/exit_kind first)
 *   resume_host  from a signal handler that already filled ctx: returns to C
 *   ind_miss     an inline indirect-branch lookup (translate.c) found no
 *                translation: exit with the target as next_rip
 * The host stack is only touched by enter/exit, after RSP is the host's. */
#include "bt.h"
#include "emit.h"

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

static void host_epilogue(struct emit *e, struct bt_ctx *c)
{
	ld_abs(e, R_RSP, &c->host_rsp);
	e8(e, 0xFC); /* cld: C code expects DF clear */
	for (int i = 5; i >= 0; i--)
		pop_r(e, callee_saved[i]);
	e8(e, 0xC3);
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

void bt_emit_exit(struct emit *e, uint64_t *gpr, uint64_t *rflags, uint64_t *host_rsp)
{
	for (int r = 0; r < 16; r++)
		st_abs(e, r, &gpr[r]);
	ld_abs(e, R_RSP, host_rsp);
	e8(e, 0x9C);						      /* pushfq */
	e8(e, 0x8F), e8(e, 0x04), e8(e, 0x25), e32(e, abs32(rflags)); /* pop [rflags] */
	e8(e, 0xFC);
	for (int i = 5; i >= 0; i--)
		pop_r(e, callee_saved[i]);
	e8(e, 0xC3);
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
	struct emit e = {bt->cache};
	struct bt_ctx *c = bt->ctx;
	bt->g.enter = (void (*)(void))(void *)e.p;
	bt_emit_enter(&e, c->gpr, &c->rflags, &c->host_rsp, &c->entry);
	bt->g.exit_common = e.p;
	bt_emit_exit(&e, c->gpr, &c->rflags, &c->host_rsp);
	bt->g.resume_host = e.p;
	host_epilogue(&e, bt->ctx);
	bt->g.ind_miss = e.p;
	gen_ind_miss(&e, bt->ctx, bt->g.exit_common);
	bt->glue_end = bt->cache_used = (uint32_t)(e.p - bt->cache + 63) & ~63u;
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
	jmp_rel(&e, bt->g.exit_common);
	return (uint32_t)(e.p - p);
}
