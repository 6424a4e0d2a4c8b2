/* Signals while translated code runs (on the sigaltstack: RSP is the guest's).
 *   SIGSEGV  a window miss: map and retry, or stop precisely at the guest
 *            instruction (guest #PF, MMIO, a write to a code page)
 *   SIGFPE   #DE (or #MF/#XM); SIGILL #UD
 *   the timer signal: LAPIC deadlines and kicks; leaves translated code at
 *            the next guest-instruction boundary (retried every 20 us when
 *            the PC is inside glue or a multi-instruction rewrite)
 * Stopping means: copy the host registers (which are the guest's) into the
 * context, point the PC at resume_host, and let the dispatcher act. A fault
 * outside translated code is the VMM's own bug: default action, core dump. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#include "vmm-mini/bt/bt.h"

#define BT_SIG_TIMER (SIGRTMIN + 1)

static struct bt *g;
static const int fault_sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};
static struct sigaction saved[4]; /* put back when the VM goes */
static const int greg_of[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
				REG_R8,	 REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};

uint64_t bt_now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void arm_abs(uint64_t ns)
{
	struct itimerspec it = {{0, 0}, {(time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull)}};
	timer_settime(g->timer, TIMER_ABSTIME, &it, NULL);
}

void bt_arm_timer(struct bt *bt, uint64_t deadline_ns)
{
	if (deadline_ns == bt->armed_ns)
		return;
	bt->armed_ns = deadline_ns;
	if (deadline_ns) {
		arm_abs(deadline_ns);
	} else {
		struct itimerspec off = {{0, 0}, {0, 0}};
		timer_settime(bt->timer, 0, &off, NULL);
	}
}

static int in_translated(uint64_t pc)
{
	return g && g->in_guest && pc >= (uint64_t)(uintptr_t)(g->tc.cache + g->tc.glue_end) &&
	       pc < (uint64_t)(uintptr_t)(g->tc.cache + g->tc.cache_used);
}

static void stop_at(ucontext_t *uc, const struct bt_imap *m, enum bt_fault why)
{
	greg_t *r = uc->uc_mcontext.gregs;
	for (int i = 0; i < 16; i++)
		g->ctx->gpr[i] = (uint64_t)r[greg_of[i]];
	if (m->restore_rax)
		g->ctx->gpr[R_RAX] = g->ctx->t0;
	g->ctx->rflags = (uint64_t)r[REG_EFL];
	g->ctx->exit_kind = BTX_SIGNAL;
	g->cpu.rip = m->guest_rip;
	g->fault = why;
	r[REG_RIP] = (greg_t)(uintptr_t)g->tc.g.resume_host;
}

/* Not translated code: hand the signal back to whoever had it (default: a
 * core dump) by reinstalling that handler; returning re-executes the access. */
static void die(int sig)
{
	for (int i = 0; i < 4; i++)
		if (fault_sigs[i] == sig)
			sigaction(sig, &saved[i], NULL);
}

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	uint64_t pc = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	if (!in_translated(pc)) {
		die(sig);
		return;
	}
	const struct bt_imap *m = bt_imap_at(g, pc - (uint64_t)(uintptr_t)g->tc.cache, 0);
	if (!m) {
		die(sig);
		return;
	}
	g->stats_signals++;
	g->cpu.cpl = (int)g->ctx->cpl; /* an inline syscall/sysret may have switched them */
	g->cur_win = (int)g->ctx->cur_win;
	if (sig == SIGFPE) { /* #DE, or an unmasked x87 (#MF) / SIMD (#XM) exception */
		long trap = (long)uc->uc_mcontext.gregs[REG_TRAPNO];
		g->fault_vec = trap == 16 || trap == 19 ? (int)trap : 0;
		stop_at(uc, m, g->fault_vec ? BF_EXC : BF_DIVIDE);
		return;
	}
	if (sig == SIGILL) {
		stop_at(uc, m, BF_UD);
		return;
	}
	uint8_t *a = si->si_addr;
	int w = g->cur_win;
	if (si->si_code == SI_KERNEL || a < g->win[w].base || a >= g->win[w].base + BT_WINDOW + BT_GUARD) {
		stop_at(uc, m, BF_GP);
		return;
	} /* #GP-class fault (si_addr 0), or outside the window */
	uint64_t va = (uint64_t)(a - g->win[w].base);
	if (va >= BT_WINDOW) {
		stop_at(uc, m, BF_GP);
		return;
	} /* ran past 4 GiB into the guard */
	uint64_t err;
	int write = (uc->uc_mcontext.gregs[REG_ERR] & 2) != 0;
	enum bt_fault f = bt_window_fault(g, w, va, write, &err);
	g->stats_faults++;
	if (f == BF_NONE)
		return;
	g->fault_addr = va, g->fault_err = err;
	stop_at(uc, m, f);
}

static void on_timer(int sig, siginfo_t *si, void *ucv)
{
	(void)sig, (void)si;
	ucontext_t *uc = ucv;
	uint64_t pc = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	if (!g)
		return;
	g->stats_timer++;
	g->async_pending = 1;
	g->armed_ns = 0;
	if (!g->in_guest)
		return; /* the dispatcher checks async_pending before it enters */
	const struct bt_imap *m = in_translated(pc) ? bt_imap_at(g, pc - (uint64_t)(uintptr_t)g->tc.cache, 1) : NULL;
	if (m && !m->no_async) { /* not in an sti shadow */
		g->stats_signals++;
		{
			stop_at(uc, m, BF_ASYNC);
			return;
		}
	}
	arm_abs(bt_now_ns() + 20000);
}

int bt_signals_init(struct bt *bt)
{
	g = bt;
	stack_t ss = {.ss_sp = bt->altstack = malloc(1 << 16), .ss_size = 1 << 16, .ss_flags = 0};
	if (!ss.ss_sp || sigaltstack(&ss, NULL))
		return vm_fail(bt->vm, "bt: sigaltstack: %s", strerror(errno));
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sa.sa_sigaction = on_fault;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, BT_SIG_TIMER);
	for (int i = 0; i < 4; i++)
		if (sigaction(fault_sigs[i], &sa, &saved[i]))
			return vm_fail(bt->vm, "bt: sigaction: %s", strerror(errno));
	bt->signals_set = 1;
	sa.sa_sigaction = on_timer;
	sigemptyset(&sa.sa_mask);
	if (sigaction(BT_SIG_TIMER, &sa, NULL))
		return vm_fail(bt->vm, "bt: sigaction: %s", strerror(errno));
	struct sigevent ev;
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = BT_SIG_TIMER;
	if (timer_create(CLOCK_MONOTONIC, &ev, &bt->timer))
		return vm_fail(bt->vm, "bt: timer_create: %s", strerror(errno));
	bt->timer_ok = 1;
	return 0;
}

void bt_signals_free(struct bt *bt)
{
	if (bt->timer_ok)
		timer_delete(bt->timer);
	bt->timer_ok = 0;
	signal(BT_SIG_TIMER, SIG_IGN);
	if (bt->signals_set)
		for (int i = 0; i < 4; i++)
			sigaction(fault_sigs[i], &saved[i], NULL);
	bt->signals_set = 0;
	g = NULL;
	stack_t ss = {.ss_sp = NULL, .ss_size = 0, .ss_flags = SS_DISABLE};
	sigaltstack(&ss, NULL);
	free(bt->altstack);
	bt->altstack = NULL;
}

/* Async-signal-safe: the watchdog calls it from its own handler. */
void bt_kick_now(struct bt *bt)
{
	if (!bt->timer_ok)
		return;
	bt->kick_pending = 1;
	bt->async_pending = 1;
	bt->armed_ns = 0;
	arm_abs(bt_now_ns() + 1000);
}
