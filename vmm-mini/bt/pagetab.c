/* The guest's page tables, traced. Every table a window mapping or a
 * translation is derived from is write-protected in the windows (and the
 * emulator's own writes check it), so a guest write to one arrives here, is
 * done in C, and drops or redoes exactly what the changed entry had mapped:
 * the windows never hold a stale translation, and invlpg has nothing left
 * to do (inline.c). A hidden fault per page-table write would cost a host
 * signal, so the sites that keep faulting (on a traced table, with a guest
 * #PF, on a page whose mapping keeps changing) are retranslated as callouts
 * to the emulator, as MMIO sites are: Adams & Agesen's adaptive binary
 * translation. A site whose accesses turn ordinary goes back to translated
 * code, at most MAX_FLIPS times.
 *
 * A page whose mapping page-table writes change BT_VOLATILE_AT times while
 * it is mapped stays unmapped (each remap is an mmap, a system call): its
 * accesses fault once per site and are then emulated.
 *
 * Writes the emulator cannot do (not a mov) end tracing for the VM: the
 * windows are emptied, nothing is protected any more, and invlpg goes back
 * to unmapping (ctx->pt_lossy), which was always correct. */
#include <stdlib.h>
#include <string.h>

#include "vmm-mini/bt/bt.h"

#define PTE_P	   1ull
#define PTE_A	   0x20ull
#define SITE_AT	   2  /* faults at one RIP before it is emulated (MMIO: the first) */
#define PLAIN_OFF  64 /* ordinary accesses in a row before it is translated again */
#define MAX_FLIPS  2
#define MAX_SITES  4096
#define NO_TRACING 0 /* pt_gen while tracing is off: no frame is ever current */

int bt_pt_init(struct bt *bt)
{
	bt->frames = calloc(bt->vm->ram_size >> 12, sizeof(*bt->frames));
	bt->vcount = calloc(BT_WINDOW >> 12, 1);
	bt->pt_gen = bt->rw_gen = 1;
	return bt->frames && bt->vcount ? 0 : -1;
}

void bt_pt_free(struct bt *bt)
{
	free(bt->frames);
	free(bt->vcount);
	free(bt->esites);
	bt->frames = NULL, bt->vcount = NULL, bt->esites = NULL;
}

/* A new generation for the windows' state; frames last touched 2^32
 * generations ago would look current, so a wrap forgets them all. */
static uint32_t next_gen(struct bt *bt, uint32_t g)
{
	if (++g > NO_TRACING)
		return g;
	memset(bt->frames, 0, (bt->vm->ram_size >> 12) * sizeof(*bt->frames));
	return 1;
}

/* 1 if the windows were emptied to protect the table (it was mapped
 * writable at more than one address). */
static int trace_frame(struct bt *bt, uint64_t frame, int level, uint32_t base)
{
	struct bt_frame *f = &bt->frames[frame];
	if (f->pt_gen == bt->pt_gen) {
		if (f->level != level || f->base != base)
			f->multi = 1;
		return 0;
	}
	f->pt_gen = bt->pt_gen, f->level = (uint8_t)level, f->base = base, f->multi = 0;
	return bt_frame_read_only(bt, frame);
}

void bt_pt_trace(struct bt *bt, uint64_t va)
{
	if (bt->pt_gen == NO_TRACING)
		return;
	if (va >= BT_WINDOW) { /* a translation from above 4 GiB: its tables are not traced */
		bt->ctx->pt_lossy = 1;
		return;
	}
	uint64_t t[4];
	for (int again = 1; again;) {
		again = 0;
		int n = bt_walk_tables(bt, va, t);
		for (int l = 0; l < n && !again; l++)
			again = trace_frame(bt, t[l] >> 12, l, (uint32_t)(va & ~((1ull << (48 - 9 * l)) - 1)));
	}
}

void bt_pt_windows_emptied(struct bt *bt)
{
	bt->rw_gen = next_gen(bt, bt->rw_gen);
	if (bt->pt_gen == NO_TRACING)
		return;
	bt->pt_gen = next_gen(bt, bt->pt_gen);
	bt->ctx->pt_lossy = (uint64_t)bt->tc.code_va_overflow;
	for (int i = 0; i < bt->tc.ncode_va; i++) /* translations are derived state too */
		bt_pt_trace(bt, bt->tc.code_va[i]);
}

void bt_pt_off(struct bt *bt)
{
	bt->pt_gen = NO_TRACING;
	bt->ctx->pt_lossy = 1; /* inline invlpg reads it: translations may stay */
	bt_flush_all(bt);
}

static void code_check(struct bt *bt, uint64_t va, uint64_t end)
{
	for (int i = 0; i < bt->tc.ncode_va; i++)
		if (bt->tc.code_va[i] >= va && bt->tc.code_va[i] < end) {
			if (bt_code_mappings_changed(bt))
				bt->flush_pending = 1;
			return;
		}
}

/* A 4 KiB leaf changed: map the new page at once where the current view
 * holds it (one mmap instead of a fault later), unless it keeps changing. */
static void leaf_changed(struct bt *bt, uint64_t va)
{
	for (int w = 0; w < 2; w++) {
		if (!bt->win[w].state[va >> 12])
			continue;
		if (w == bt->cur_win && bt->vcount[va >> 12] < BT_VOLATILE_AT) {
			bt->vcount[va >> 12]++;
			bt_window_remap(bt, w, va);
		} else {
			bt_window_unmap(bt, w, va, va + 4096);
		}
	}
}

static void entry_changed(struct bt *bt, uint64_t frame, unsigned idx)
{
	const struct bt_frame *f = &bt->frames[frame];
	if (f->multi) { /* which addresses it translates is not known: all go */
		bt_flush_all(bt);
		code_check(bt, 0, ~0ull);
		return;
	}
	uint64_t span = 1ull << (39 - 9 * f->level), va = f->base + idx * span;
	if (va >= BT_WINDOW)
		return;
	uint64_t end = va + span < BT_WINDOW ? va + span : BT_WINDOW;
	if (f->level == 3)
		leaf_changed(bt, va);
	else
		for (int w = 0; w < 2; w++)
			bt_window_unmap(bt, w, va, end);
	code_check(bt, va, end);
}

void bt_pt_write(struct bt *bt, uint64_t pa, const void *data, uint32_t len)
{
	uint64_t first = pa & ~7ull, n = ((pa + len + 7) & ~7ull) - first, old[512];
	uint8_t *ram = bt->vm->ram;
	memcpy(old, ram + first, n);
	memcpy(ram + pa, data, len);
	bt->stats_pt_writes++;
	bt->emul_unusual = 1;
	for (unsigned i = 0; i < n / 8; i++) {
		uint64_t now;
		memcpy(&now, ram + first + 8 * i, 8);
		/* only a present entry made anything; A alone changes nothing mapped */
		if ((old[i] & PTE_P) && ((old[i] ^ now) & ~PTE_A) && bt_pt_traced(bt, pa >> 12))
			entry_changed(bt, pa >> 12, (unsigned)((first & 4095) / 8 + i));
	}
}

static struct bt_esite *find_site(const struct bt *bt, uint64_t rip)
{
	for (uint32_t i = 0; i < bt->nesites; i++)
		if (bt->esites[i].rip == (uint32_t)rip)
			return &bt->esites[i];
	return NULL;
}

int bt_emul_site(const struct bt *bt, uint64_t rip)
{
	const struct bt_esite *s = find_site(bt, rip);
	return s && s->on ? s->kind : -1;
}

static struct bt_esite *new_site(struct bt *bt, uint64_t rip, enum bt_site_kind kind)
{
	if (bt->nesites == bt->cap_esites) {
		uint32_t cap = bt->cap_esites ? bt->cap_esites * 2 : 16;
		struct bt_esite *p = cap <= MAX_SITES ? realloc(bt->esites, cap * sizeof(*p)) : NULL;
		if (!p)
			return NULL; /* beyond: its faults still work */
		bt->esites = p, bt->cap_esites = cap;
	}
	struct bt_esite *s = &bt->esites[bt->nesites++];
	*s = (struct bt_esite){(uint32_t)rip, (uint8_t)kind, 0, 0, 0, 0};
	return s;
}

void bt_site_fault(struct bt *bt, uint64_t rip, enum bt_site_kind kind)
{
	struct bt_esite *s = find_site(bt, rip);
	if (!s && !(s = new_site(bt, rip, kind)))
		return;
	if (s->on || s->flips >= MAX_FLIPS)
		return;
	s->kind = (uint8_t)kind;
	if (++s->faults >= (kind == ES_MMIO ? 1 : SITE_AT)) {
		s->on = 1, s->plain = 0;
		bt->flush_pending = 1; /* retranslated as a callout: no more signals there */
	}
}

void bt_site_done(struct bt *bt, uint64_t rip)
{
	struct bt_esite *s = find_site(bt, rip);
	if (!s || !s->on || s->kind == ES_MMIO)
		return;
	if (bt->emul_unusual) {
		s->plain = 0;
		return;
	}
	if (++s->plain >= PLAIN_OFF) {
		s->on = 0, s->faults = 0, s->flips++;
		bt->flush_pending = 1;
	}
}

unsigned bt_sites_on(const struct bt *bt, enum bt_site_kind kind)
{
	unsigned n = 0;
	for (uint32_t i = 0; i < bt->nesites; i++)
		n += bt->esites[i].on && bt->esites[i].kind == kind;
	return n;
}
