/* Shadow paging as a software TLB. Each window is a 4 GiB (+ guard)
 * PROT_NONE reservation that %gs points at while translated code runs; a
 * miss faults, the handler walks the guest page tables and maps guest RAM
 * (the memfd) there: a whole 2 MiB run for a large guest page, read-only
 * where the guest says so or where translations came from. Window 0 is the
 * CPL0 view, window 1 the CPL3 view (only user pages), so U/S needs no
 * check in translated code. While window 0 holds nothing a CPL3 access may
 * not do (no supervisor-only page, nothing writable that is read-only for
 * user mode), CPL3 shares it: no %gs switch on every syscall/sysret. invlpg and CR3 writes unmap, as a TLB flush
 * would. Page-table A/D bits: A on every walk, D on a write access and when
 * a page is mapped writable (that over-approximates dirty). The guest's page
 * tables themselves are traced (pagetab.c): a mapping is made only after the
 * tables it comes from are write-protected, so their writes reach us. */
#include <asm/prctl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vmm-mini/bt/bt.h"

#define PTE_P	 1ull
#define PTE_W	 2ull
#define PTE_U	 4ull
#define PTE_A	 0x20ull
#define PTE_D	 0x40ull
#define PTE_PS	 0x80ull
#define PTE_ADDR 0x000FFFFFFFFFF000ull
#define CR0_WP	 (1ull << 16)

/* state per window page */
#define ST_RO	 1
#define ST_RW	 2
#define ST_LARGE 4

static const uint64_t win_size = BT_WINDOW + BT_GUARD;

int bt_is_ram(struct bt *bt, uint64_t pa, uint64_t len)
{
	return pa < bt->vm->ram_size && len <= bt->vm->ram_size - pa;
}

int bt_windows_init(struct bt *bt)
{
	for (int w = 0; w < 2; w++) {
		struct bt_window *win = &bt->win[w];
		win->base = mmap(NULL, win_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (win->base == MAP_FAILED) {
			win->base = NULL;
			return vm_fail(bt->vm, "bt: reserving a 4 GiB guest window: %s", strerror(errno));
		}
		win->state = calloc(BT_WINDOW >> 12, 1);
		win->dirty2m = calloc(BT_WINDOW >> 21, 1);
		if (!win->state || !win->dirty2m)
			return vm_fail(bt->vm, "bt: out of memory");
	}
	bt->tc.code_pages = calloc(bt->vm->ram_size >> 12, 1);
	if (!bt->tc.code_pages || bt_pt_init(bt))
		return vm_fail(bt->vm, "bt: out of memory");
	bt->cur_win = -1;
	return bt_set_cpl(bt, 0);
}

void bt_windows_free(struct bt *bt)
{
	for (int w = 0; w < 2; w++) {
		if (bt->win[w].base)
			munmap(bt->win[w].base, win_size);
		free(bt->win[w].state);
		free(bt->win[w].dirty2m);
	}
	free(bt->tc.code_pages);
	bt_pt_free(bt);
}

/* %gs selects the view: wrgsbase where the kernel enabled FSGSBASE
 * (HWCAP2), else arch_prctl (a system call, ~10 us on this machine). */
int bt_have_fsgsbase(void)
{
	static int fsgsbase = -1;
	if (fsgsbase < 0)
		fsgsbase = (getauxval(AT_HWCAP2) & 2) != 0;
	return fsgsbase;
}

int bt_set_cpl(struct bt *bt, int cpl)
{
	bt->cpu.cpl = cpl;
	int w = cpl == 3 && bt->win[0].sup_only;
	if (w == bt->cur_win)
		return 0;
	if (bt_have_fsgsbase()) {
		__asm__ volatile("wrgsbase %0" ::"r"(bt->win[w].base) : "memory");
	} else if (syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)(uintptr_t)bt->win[w].base))
		return vm_fail(bt->vm, "bt: arch_prctl(ARCH_SET_GS): %s", strerror(errno));
	bt->cur_win = w;
	return 0;
}

static uint64_t *pte_at(struct bt *bt, uint64_t table, unsigned idx)
{
	uint64_t pa = (table & PTE_ADDR) + idx * 8ull;
	return bt_is_ram(bt, pa, 8) ? (uint64_t *)(void *)(bt->vm->ram + pa) : NULL;
}

int bt_walk(struct bt *bt, uint64_t va, int write, int user, int fetch, uint64_t *pa, int *writable, uint64_t *psize,
	    uint64_t *err)
{
	uint64_t table = bt->cpu.cr3, e = 0, *p = NULL;
	int w = 1, u = 1;
	*err = (write ? 2 : 0) | (user ? 4 : 0) | (fetch ? 0x10 : 0);
	for (int level = 0; level < 4; level++) {
		int shift = 39 - 9 * level;
		p = pte_at(bt, table, (unsigned)(va >> shift) & 511);
		if (!p || !(*p & PTE_P))
			return -1;
		e = *p;
		w &= !!(e & PTE_W), u &= !!(e & PTE_U);
		if (!(e & PTE_A))
			*p = e |= PTE_A;
		if ((level == 1 || level == 2) && (e & PTE_PS)) {
			*psize = 1ull << shift;
			*pa = (e & PTE_ADDR & ~(*psize - 1)) | (va & (*psize - 1));
			goto leaf;
		}
		table = e;
	}
	*psize = 4096;
	*pa = (e & PTE_ADDR) | (va & 4095);
leaf:
	if ((user && !u) || (write && !w && (user || (bt->cpu.cr0 & CR0_WP)))) {
		*err |= 1;
		return -1;
	}
	*writable = w || (!user && !(bt->cpu.cr0 & CR0_WP));
	if (write)
		*p |= PTE_D; /* the leaf, as a CPU's write does */
	return 0;
}

int bt_walk_tables(struct bt *bt, uint64_t va, uint64_t frames[4])
{
	uint64_t table = bt->cpu.cr3;
	for (int level = 0; level < 4; level++) {
		uint64_t *p = pte_at(bt, table, (unsigned)(va >> (39 - 9 * level)) & 511);
		if (!p || !(*p & PTE_P))
			return 0;
		frames[level] = table & PTE_ADDR;
		if ((level == 1 || level == 2) && (*p & PTE_PS))
			return level + 1;
		table = *p;
	}
	return 4;
}

/* A frame that must stay read-only in every window: translations came from
 * it, or it is a traced page table. */
static int protected_frame(struct bt *bt, uint64_t frame)
{
	return bt->tc.code_pages[frame] || bt_pt_traced(bt, frame);
}

/* Frame is now writable at window page va >> 12 (any window). */
static void note_writable(struct bt *bt, uint64_t frame, uint64_t va)
{
	struct bt_frame *f = &bt->frames[frame];
	if (f->rw_gen != bt->rw_gen)
		f->rw_gen = bt->rw_gen, f->rw_page = (uint32_t)(va >> 12), f->rw_multi = 0;
	else if (f->rw_page != (uint32_t)(va >> 12))
		f->rw_multi = 1;
}

int bt_frame_read_only(struct bt *bt, uint64_t frame)
{
	struct bt_frame *f = &bt->frames[frame];
	if (f->rw_gen != bt->rw_gen)
		return 0;
	if (f->rw_multi) {
		bt_flush_all(bt);
		return 1;
	}
	for (int w = 0; w < 2; w++) {
		uint8_t *st = &bt->win[w].state[f->rw_page];
		if (*st & ST_RW) {
			mprotect(bt->win[w].base + ((uint64_t)f->rw_page << 12), 4096, PROT_READ);
			*st = (uint8_t)((*st & ST_LARGE) | ST_RO);
		}
	}
	f->rw_gen = 0;
	return 0;
}

static int map_pages(struct bt *bt, int w, uint64_t va, uint64_t pa, uint64_t len, int rw, int large)
{
	struct bt_window *win = &bt->win[w];
	void *p = mmap(win->base + va, len, PROT_READ | (rw ? PROT_WRITE : 0), MAP_SHARED | MAP_FIXED | MAP_POPULATE,
		       bt->vm->mem_fd, (off_t)pa);
	if (p == MAP_FAILED)
		return -1;
	uint8_t st = (uint8_t)((rw ? ST_RW : ST_RO) | (large ? ST_LARGE : 0));
	memset(win->state + (va >> 12), st, len >> 12);
	win->dirty2m[va >> 21] = 1;
	if (!rw)
		return 0;
	for (uint64_t off = 0; off < len; off += 4096)
		if (protected_frame(bt, (pa + off) >> 12)) {
			mprotect(win->base + va + off, 4096, PROT_READ);
			win->state[(va + off) >> 12] = (uint8_t)(ST_RO | (large ? ST_LARGE : 0));
		} else {
			note_writable(bt, (pa + off) >> 12, va + off);
		}
	return 0;
}

/* Would a CPL3 access be allowed the same mapping (read, and write if rw)? */
static int user_may(struct bt *bt, uint64_t va, int rw)
{
	uint64_t pa, ps, err;
	int w;
	return bt_walk(bt, va, 0, 1, 0, &pa, &w, &ps, &err) == 0 && (!rw || w);
}

enum bt_fault bt_window_fault(struct bt *bt, int w, uint64_t va, int write, uint64_t *err)
{
	struct bt_window *win = &bt->win[w];
	uint64_t pa, psize;
	int writable;
	uint8_t st = win->state[va >> 12];
	int user = bt->cpu.cpl == 3;
	if (bt_walk(bt, va, write, user, 0, &pa, &writable, &psize, err))
		return BF_PAGE;
	if (!bt_is_ram(bt, pa & ~4095ull, 4096))
		return BF_MMIO;
	if (st & (ST_RO | ST_RW)) {
		if (!(write && (st & ST_RO)))
			return BF_WILD; /* mapped and still faulting: not ours */
		if (bt->tc.code_pages[pa >> 12])
			return BF_SMC;
		if (bt_pt_traced(bt, pa >> 12))
			return BF_PTW;
		if (w == 0 && !user && !user_may(bt, va, 1))
			win->sup_only++;
		mprotect(win->base + (va & ~4095ull), 4096, PROT_READ | PROT_WRITE);
		win->state[va >> 12] = (uint8_t)((st & ST_LARGE) | ST_RW);
		note_writable(bt, pa >> 12, va);
		return BF_NONE;
	}
	if (bt->vcount[va >> 12] >= BT_VOLATILE_AT)
		return BF_VOLATILE; /* its accesses are emulated instead (adaptive) */
	bt_pt_trace(bt, va);	    /* before anything is derived from the tables */
	uint64_t pa_w, ps_w, err_w;
	int wr;
	if (writable && !write) /* mapped writable: later writes will not fault, so D now */
		bt_walk(bt, va, 1, user, 0, &pa_w, &wr, &ps_w, &err_w);
	if (w == 0 && !user && !user_may(bt, va, writable))
		win->sup_only++;
	/* a write to a traced table: mapped read-only, the write is emulated */
	enum bt_fault ok = write && bt_pt_traced(bt, pa >> 12) ? BF_PTW : BF_NONE;
	if (psize > 4096) {
		/* the 2 MiB-aligned run of this large page, if all of it is RAM */
		uint64_t va2 = va & ~((2ull << 20) - 1), pa2 = pa - (va - va2);
		if (bt_is_ram(bt, pa2, 2ull << 20) && map_pages(bt, w, va2, pa2, 2ull << 20, writable, 1) == 0)
			return ok;
	}
	return map_pages(bt, w, va & ~4095ull, pa & ~4095ull, 4096, writable, psize > 4096) ? BF_WILD : ok;
}

static void unmap(struct bt *bt, int w, uint64_t va, uint64_t len)
{
	struct bt_window *win = &bt->win[w];
	mmap(win->base + va, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
	memset(win->state + (va >> 12), 0, len >> 12);
}

/* Window w's mappings in [va, end), both 4 KiB-aligned: one mmap per 2 MiB
 * region that holds any (page-table writes drop what an entry made). */
void bt_window_unmap(struct bt *bt, int w, uint64_t va, uint64_t end)
{
	struct bt_window *win = &bt->win[w];
	while (va < end) {
		uint64_t r_end = (va | ((2ull << 20) - 1)) + 1, to = end < r_end ? end : r_end;
		uint64_t first = to, last = va;
		for (uint64_t a = va; win->dirty2m[va >> 21] && a < to; a += 4096)
			if (win->state[a >> 12]) {
				first = first < a ? first : a;
				last = a + 4096;
			}
		if (first < last)
			unmap(bt, w, first, last - first);
		va = to;
	}
}

void bt_window_remap(struct bt *bt, int w, uint64_t va)
{
	uint64_t err;
	va &= ~4095ull;
	if (bt->win[w].state[va >> 12] & ST_LARGE) {
		bt_window_unmap(bt, w, va & ~((2ull << 20) - 1), (va | ((2ull << 20) - 1)) + 1);
		return;
	}
	bt->win[w].state[va >> 12] = 0; /* so that the fault path maps over the old mapping */
	if (bt_window_fault(bt, w, va, 0, &err) != BF_NONE)
		unmap(bt, w, va, 4096);
}

/* invlpg: the page, or the whole 2 MiB run if it came from a large page.
 * Returns 1 if a 4 KiB translation was dropped (worth refilling at once). */
int bt_flush_va(struct bt *bt, uint64_t va)
{
	int small = 0;
	va &= BT_WINDOW - 1;
	for (int w = 0; w < 2; w++) {
		uint8_t st = bt->win[w].state[va >> 12];
		if (st & ST_LARGE) {
			unmap(bt, w, va & ~((2ull << 20) - 1), 2ull << 20);
		} else if (st) {
			unmap(bt, w, va & ~4095ull, 4096);
			small |= w == bt->cur_win;
		}
	}
	return small;
}

void bt_flush_all(struct bt *bt)
{
	for (int w = 0; w < 2; w++) {
		struct bt_window *win = &bt->win[w];
		int any = 0;
		for (uint64_t r = 0; r < (BT_WINDOW >> 21); r++)
			if (win->dirty2m[r]) {
				memset(win->state + (r << 9), 0, 512);
				win->dirty2m[r] = 0;
				any = 1;
			}
		win->sup_only = 0;
		if (any)
			mmap(win->base, BT_WINDOW, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
			     -1, 0);
	}
	bt_pt_windows_emptied(bt);
}

/* A page translations came from: write-protect it wherever va maps it. */
void bt_protect_code(struct bt *bt, uint64_t va, uint64_t pa)
{
	if (!bt_is_ram(bt, pa, 4096) || bt->tc.code_pages[pa >> 12])
		return;
	bt->tc.code_pages[pa >> 12] = 1;
	bt_frame_read_only(bt, pa >> 12); /* a store through another mapping of it must fault too */
	for (int w = 0; w < 2; w++) {
		uint8_t *st = &bt->win[w].state[(va & (BT_WINDOW - 1)) >> 12];
		if (*st & ST_RW) {
			mprotect(bt->win[w].base + (va & (BT_WINDOW - 1)), 4096, PROT_READ);
			*st = (uint8_t)((*st & ST_LARGE) | ST_RO);
		}
	}
	if (bt->tc.ncode_va < (int)(sizeof(bt->tc.code_va) / sizeof(bt->tc.code_va[0]))) {
		bt->tc.code_va[bt->tc.ncode_va] = va, bt->tc.code_pa[bt->tc.ncode_va] = pa;
		bt->tc.ncode_va++;
		bt_pt_trace(bt, va); /* a change of this mapping must reach us */
	} else {
		bt->tc.code_va_overflow = 1;
		bt->ctx->pt_lossy = 1;
	}
}

/* After a CR3 write or invlpg: do the pages translations came from still
 * map the same physical pages? If not, the translations must go. */
int bt_code_mappings_changed(struct bt *bt)
{
	if (bt->tc.code_va_overflow)
		return 1;
	for (int i = 0; i < bt->tc.ncode_va; i++) {
		uint64_t pa, ps, err;
		int w;
		if (bt_walk(bt, bt->tc.code_va[i], 0, 0, 1, &pa, &w, &ps, &err) || (pa & ~4095ull) != bt->tc.code_pa[i])
			return 1;
	}
	return 0;
}

static int mem_access(struct bt *bt, uint64_t va, void *buf, uint32_t len, int write)
{
	uint8_t *b = buf;
	while (len) {
		uint64_t pa, ps, err;
		int w;
		uint32_t chunk = 4096 - (uint32_t)(va & 4095);
		if (chunk > len)
			chunk = len;
		if (bt_walk(bt, va, write, bt->cpu.cpl == 3, 0, &pa, &w, &ps, &err)) {
			bt->cpu.cr2 = va;
			bt_raise(bt, 14, 1, err);
			return -1;
		}
		if (!bt_is_ram(bt, pa, chunk)) {
			bt_raise(bt, 13, 1, 0); /* emulated accesses to MMIO are not supported */
			return -1;
		}
		if (write) {
			if (bt->tc.code_pages[pa >> 12])
				bt->flush_pending = 1; /* translations of this page are stale */
			if (bt_pt_traced(bt, pa >> 12))
				bt_pt_write(bt, pa, b, chunk); /* what its old entries mapped goes */
			else
				memcpy(bt->vm->ram + pa, b, chunk);
		} else {
			memcpy(b, bt->vm->ram + pa, chunk);
		}
		va += chunk, b += chunk, len -= chunk;
	}
	return 0;
}

int bt_read(struct bt *bt, uint64_t va, void *buf, uint32_t len)
{
	return mem_access(bt, va, buf, len, 0);
}

int bt_write(struct bt *bt, uint64_t va, const void *buf, uint32_t len)
{
	return mem_access(bt, va, (void *)(uintptr_t)buf, len, 1);
}
