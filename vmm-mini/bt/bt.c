/* The bt accelerator: accel_ops and the dispatcher. The loop: deliver a
 * pending exception or interrupt, find or translate the block at RIP, run
 * translated code until it exits (a chained branch to untranslated code, an
 * indirect-branch miss, a callout, or a signal), act on the exit, repeat;
 * port I/O, MMIO and hypercalls go back to the machine as vm_exits. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "vmm-mini/bt/bt.h"
#include "vmm-mini/bt/emit.h"

static int bt_create(struct vm *vm)
{
	struct bt *bt = calloc(1, sizeof(*bt));
	if (!bt)
		return vm_fail(vm, "out of memory");
	vm->accel_state = bt;
	bt->vm = vm;
	/* Below 2 GiB: generated code addresses it with absolute disp32. */
	bt->ctx =
	    mmap(NULL, sizeof(struct bt_ctx), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (bt->ctx == MAP_FAILED) {
		bt->ctx = NULL;
		return vm_fail(vm, "bt: mapping the context below 2 GiB: %s", strerror(errno));
	}
	if (bt_cache_init(bt))
		return -1;
	/* the guest's FP state starts as after fninit; the host's control words
	 * are what exits restore (the part of FP state the ABI preserves) */
	__asm__ volatile("fnstcw %0; stmxcsr %1" : "=m"(bt->ctx->host_fcw), "=m"(bt->ctx->host_mxcsr));
	uint16_t fcw = 0x37F;
	uint32_t mxcsr = 0x1F80;
	memcpy(bt->ctx->guest_fp, &fcw, 2);
	memcpy(bt->ctx->guest_fp + 24, &mxcsr, 4);
	lapic_reset(&bt->lapic);
	bt->cpu.apic_base = 0xFEE00900ull; /* enabled, bootstrap processor */
	bt->step_rip = ~0ull;
	return bt_glue_init(bt);
}

static int bt_map_ram(struct vm *vm, uint64_t gpa, uint64_t size, void *hva)
{
	if (gpa != 0 || size != vm->ram_size || hva != vm->ram)
		return vm_fail(vm, "bt: guest RAM must be one region at 0");
	return bt_windows_init(BT(vm));
}

static int bt_create_vcpu(struct vm *vm)
{
	bt_cpuid_table(BT(vm)); /* inline cpuid reads it */
	return bt_signals_init(BT(vm));
}

static int bt_set_boot_state(struct vm *vm, const struct boot_state *bs)
{
	struct bt *bt = BT(vm);
	memset(bt->ctx->gpr, 0, sizeof(bt->ctx->gpr));
	bt->cpu.rip = bs->rip;
	bt->ctx->gpr[R_RSP] = bs->rsp, bt->ctx->gpr[R_RDI] = bs->rdi, bt->ctx->gpr[R_RSI] = bs->rsi;
	bt->cpu.cr3 = bs->cr3;
	bt->cpu.gdt_base = bs->gdt_base, bt->cpu.gdt_limit = bs->gdt_limit;
	bt->cpu.cr0 = 0x80000031ull; /* PG NE ET PE */
	bt->cpu.cr4 = 0x20;	     /* PAE */
	bt->cpu.efer = 0x500;	     /* LME LMA */
	bt->cpu.cs = 0x08, bt->cpu.ss = bt->cpu.ds = bt->cpu.es = 0x10;
	bt_set_rflags(bt, 2, 1);
	return bt_set_cpl(bt, 0);
}

static int translate_timed(struct bt *bt, uint64_t rip, int single, uint8_t **host)
{
	uint64_t t0 = bt_now_ns();
	int r = bt_translate(bt, rip, single, host);
	bt->stats_translate_ns += bt_now_ns() - t0;
	return r;
}

/* The host code of rip for patching into an exit site (a chained branch,
 * an inline cache): NULL if it cannot be had, or if translating it flushed
 * the cache, which took the site with it. */
static uint8_t *host_for_site(struct bt *bt, uint64_t rip)
{
	uint64_t flushes = bt->stats_flushes;
	uint8_t *host = bt_lookup(bt, rip);
	if (!host && translate_timed(bt, rip, 0, &host) != 0)
		return NULL;
	return flushes == bt->stats_flushes ? host : NULL;
}

/* A write to a traced page table from translated code: done in C, where
 * the shadow follows it, and the site goes adaptive (pagetab.c). A form
 * the emulator lacks ends tracing; the write then retries as before. */
static int pt_fault(struct bt *bt, struct vm_exit *e)
{
	bt->stats_pt_faults++;
	if (!bt_emulatable(bt, bt->cpu.rip)) {
		bt_pt_off(bt);
		return 0;
	}
	bt_site_fault(bt, bt->cpu.rip, ES_PT);
	return bt_callout(bt, e, 1);
}

/* An access to a page left unmapped because its mapping keeps changing. */
static int volatile_fault(struct bt *bt, struct vm_exit *e)
{
	if (!bt_emulatable(bt, bt->cpu.rip)) {
		bt->vcount[bt->fault_addr >> 12] = 0; /* this form needs the mapping: it may have it */
		return 0;
	}
	bt_site_fault(bt, bt->cpu.rip, ES_PF);
	return bt_callout(bt, e, 1);
}

/* 1 = the machine must handle *e; 0 = continue. */
static int handle_exit(struct bt *bt, struct vm_exit *e)
{
	struct bt_ctx *c = bt->ctx;
	bt->stats_exits[c->exit_kind <= BTX_SIGNAL ? c->exit_kind : 0]++;
	if (c->exit_kind != BTX_SIGNAL)
		bt->cpu.rip = c->next_rip;
	uint8_t *host;
	switch (c->exit_kind) {
	case BTX_CHAIN:
		if (c->chain_site && (host = host_for_site(bt, bt->cpu.rip)))
			patch_rel32((uint8_t *)(uintptr_t)c->chain_site, host);
		return 0;
	case BTX_IND_MISS: return 0;
	case BTX_IND_SITE:
		if ((host = host_for_site(bt, bt->cpu.rip)))
			bt_site_refill(bt, (uint32_t)c->chain_site, bt->cpu.rip, host);
		return 0;
	case BTX_CALLOUT: return bt_callout(bt, e, 0);
	case BTX_MMIO: return bt_callout(bt, e, 1);
	case BTX_SHADOW: bt->cpu.shadow = 1; return 0;
	case BTX_DIVIDE: bt_raise(bt, 0, 0, 0); return 0;
	case BTX_PIO:
		if (!bt->pio_stop)
			return 0;
		bt->pio_stop = 0;
		memset(e, 0, sizeof(*e));
		e->reason = EXIT_IO, e->io.size = 1, e->io.count = 0, e->io.data = bt->iobuf;
		return 1;
	case BTX_SIGNAL: break;
	default:
		vm_fail(bt->vm, "bt: translated code exited with kind %llu", (unsigned long long)c->exit_kind);
		e->reason = EXIT_INTERNAL;
		return 1;
	}
	switch (bt->fault) {
	case BF_PAGE:
		if (bt_emulatable(bt, bt->cpu.rip)) /* a site that keeps faulting: emulated, no signal */
			bt_site_fault(bt, bt->cpu.rip, ES_PF);
		bt->cpu.cr2 = bt->fault_addr;
		bt->cpu.pf_retry = 1 | (bt->fault_err & 2); /* refill at the handler's iretq */
		bt_raise(bt, 14, 1, bt->fault_err);
		return 0;
	case BF_MMIO: bt_site_fault(bt, bt->cpu.rip, ES_MMIO); return bt_callout(bt, e, 1);
	case BF_PTW: return pt_fault(bt, e);
	case BF_VOLATILE: return volatile_fault(bt, e);
	case BF_SMC:
		bt_cache_flush(bt);
		bt->step_rip = bt->cpu.rip; /* the store runs alone, its page unprotected */
		return 0;
	case BF_DIVIDE: bt_raise(bt, 0, 0, 0); return 0;
	case BF_UD: bt_raise(bt, 6, 0, 0); return 0;
	case BF_GP: bt_raise(bt, 13, 1, 0); return 0;
	case BF_EXC: bt_raise(bt, bt->fault_vec, 0, 0); return 0;
	case BF_ASYNC: return 0;
	default:
		vm_fail(bt->vm, "bt: unexpected fault in translated code at rip=0x%llx",
			(unsigned long long)bt->cpu.rip);
		e->reason = EXIT_INTERNAL;
		return 1;
	}
}

static void wait_halted(struct bt *bt)
{
	uint64_t now = bt_now_ns(), until = now + 10000000ull;
	if (bt->cpu.vif && bt->lapic.deadline_ns && bt->lapic.deadline_ns < until)
		until = bt->lapic.deadline_ns;
	if (until > now) {
		struct timespec ts = {(time_t)(until / 1000000000ull), (long)(until % 1000000000ull)};
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL); /* a kick interrupts it */
	}
}

static int enter(struct bt *bt, uint8_t *host)
{
	bt->ctx->entry = (uint64_t)(uintptr_t)host;
	bt->ctx->rflags = (bt->ctx->rflags & FL_LIVE) | 0x202;
	bt->fault = BF_NONE;
	bt->in_guest = 1;
	if (bt->async_pending) { /* after in_guest = 1: a later signal sees us inside */
		bt->in_guest = 0;
		return 0;
	}
	struct bt_ctx *c = bt->ctx;
	uint64_t tpr = (bt->lapic.tpr >> 4) & 15;
	c->vif = bt->cpu.vif ? FL_IF : 0, c->cpl = (uint64_t)bt->cpu.cpl, c->cr8 = tpr;
	c->cs = bt->cpu.cs, c->ss = bt->cpu.ss, c->cur_win = (uint64_t)bt->cur_win;
	c->vflags = bt->cpu.vflags;
	c->irq_prio = (uint64_t)lapic_pending_class(&bt->lapic);
	bt->tc.g.enter();
	bt->in_guest = 0;
	bt->cpu.vif = c->vif != 0; /* inline cli/sti/popf/cr8/syscall/sysret (inline.c) changed them */
	bt->cpu.cpl = (int)c->cpl, bt->cur_win = (int)c->cur_win;
	bt->cpu.cs = (uint16_t)c->cs, bt->cpu.ss = (uint16_t)c->ss;
	if (c->cr8 != tpr)
		bt->lapic.tpr = (uint32_t)c->cr8 << 4;
	return 1;
}

/* Finds or translates the block at RIP: 0 with *host, 1 exception raised, -1 error. */
static int block_at(struct bt *bt, int single, uint8_t **host)
{
	if (single)
		return translate_timed(bt, bt->cpu.rip, 1, host);
	*host = bt_lookup(bt, bt->cpu.rip);
	if (!*host) {
		int r = translate_timed(bt, bt->cpu.rip, 0, host);
		if (r)
			return r;
	}
	uint32_t h = (uint32_t)bt->cpu.rip & (BT_IND_SIZE - 1); /* as the inline lookup indexes */
	bt->ctx->ind_tag[h] = bt->cpu.rip;
	bt->ctx->ind_host[h] = (uint64_t)(uintptr_t)*host;
	return 0;
}

static int bt_run(struct vm *vm, struct vm_exit *e)
{
	struct bt *bt = BT(vm);
	if (bt->pio.kind)
		bt_complete_io(bt, e);
	memset(e, 0, sizeof(*e));
	for (;;) {
		if (bt->async_pending) {
			bt->async_pending = 0;
			if (bt->kick_pending) {
				bt->kick_pending = 0;
				e->reason = EXIT_INTR;
				return 0;
			}
		}
		if (bt->flush_pending) {
			bt->flush_pending = 0;
			bt_cache_flush(bt);
		}
		if (bt->lapic.deadline_ns)
			lapic_tick(&bt->lapic, bt_now_ns());
		if (bt_deliver_pending(bt, e))
			return 0;
		if (bt->cpu.halted) {
			wait_halted(bt);
			continue;
		}
		uint8_t *host;
		int tf = (bt->cpu.vflags & 0x100) != 0; /* single-step: #DB after each instruction */
		int single = bt->cpu.shadow || bt->step_rip == bt->cpu.rip || tf;
		int r = block_at(bt, single, &host);
		if (r < 0) {
			e->reason = EXIT_INTERNAL;
			e->hw_reason = 2;
			return 0;
		}
		if (r > 0)
			continue;
		bt->step_rip = ~0ull;
		bt_arm_timer(bt, bt->lapic.deadline_ns);
		if (!enter(bt, host))
			continue;
		if (single)
			bt->cpu.shadow = 0;
		int ran = !(bt->ctx->exit_kind == BTX_SIGNAL && bt->fault == BF_ASYNC); /* stopped before it */
		int machine = handle_exit(bt, e);
		if (tf && ran && !bt->cpu.exc.pending)
			bt_raise(bt, 1, 0, 0); /* a trap: RIP is past the instruction */
		if (machine)
			return 0;
	}
}

static void bt_kick(struct vm *vm)
{
	if (BT(vm))
		bt_kick_now(BT(vm));
}

static uint64_t bt_get_rip(struct vm *vm)
{
	return BT(vm)->cpu.rip;
}

static int bt_raise_msi(struct vm *vm, uint32_t vector)
{
	lapic_set_irr(&BT(vm)->lapic, (int)(vector & 0xFF));
	return 0;
}

static void bt_print_stats(struct vm *vm, FILE *out)
{
	struct bt *bt = BT(vm);
	fprintf(out,
		"@bt blocks=%llu exits_chain=%llu exits_indirect=%llu exits_callout=%llu exits_signal=%llu "
		"callouts=%llu pio_inline=%llu faults=%llu signals=%llu flushes=%llu mmio_sites=%u cache_kib=%u "
		"translate_us=%llu pt_sites=%u pt_writes=%llu pt_faults=%llu pf_sites=%u pt_traced=%d emul_inline=%llu "
		"timer_signals=%llu\n",
		(unsigned long long)bt->stats_blocks, (unsigned long long)bt->stats_exits[BTX_CHAIN],
		(unsigned long long)(bt->stats_exits[BTX_IND_MISS] + bt->stats_exits[BTX_IND_SITE]),
		(unsigned long long)(bt->stats_exits[BTX_CALLOUT] + bt->stats_exits[BTX_MMIO]),
		(unsigned long long)bt->stats_exits[BTX_SIGNAL], (unsigned long long)bt->stats_callouts,
		(unsigned long long)bt->stats_pio_fast, (unsigned long long)bt->stats_faults,
		(unsigned long long)bt->stats_signals, (unsigned long long)bt->stats_flushes, bt_sites_on(bt, ES_MMIO),
		bt->tc.cache_used >> 10, (unsigned long long)(bt->stats_translate_ns / 1000), bt_sites_on(bt, ES_PT),
		(unsigned long long)bt->stats_pt_writes, (unsigned long long)bt->stats_pt_faults,
		bt_sites_on(bt, ES_PF), bt->pt_gen != 0, (unsigned long long)bt->stats_mem_fast,
		(unsigned long long)bt->stats_timer);
}

static void bt_destroy(struct vm *vm)
{
	struct bt *bt = BT(vm);
	if (!bt)
		return;
	bt_signals_free(bt);
	bt_windows_free(bt);
	if (bt->ctx)
		munmap(bt->ctx, sizeof(struct bt_ctx));
	bt_cache_free(bt);
	free(bt);
	vm->accel_state = NULL;
}

const struct accel_ops bt_accel = {
    .name = "bt",
    .create = bt_create,
    .map_ram = bt_map_ram,
    .create_vcpu = bt_create_vcpu,
    .set_boot_state = bt_set_boot_state,
    .run = bt_run,
    .kick = bt_kick,
    .get_rip = bt_get_rip,
    .raise_msi = bt_raise_msi,
    .print_stats = bt_print_stats,
    .destroy = bt_destroy,
};
