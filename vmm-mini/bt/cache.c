/* The code cache: translated blocks in one executable region below 2 GiB
 * (glue first, blocks after it), each guest instruction's host offset
 * (for precise faults), the guest-RIP lookup hash, the indirect-branch
 * sites the dispatcher patches, and what translations depend on (their
 * code pages, the virtual pages they came from). Full or stale, it is
 * flushed whole: translating again is cheap. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "vmm-mini/bt/bt.h"
#include "vmm-mini/bt/emit.h"

#define BT_WARM_BLOCKS 2048	  /* blocks, sites (and 8 times as many imap entries) allocated up front */
#define BT_WARM_CACHE  (1u << 20) /* the start of the code cache faulted in up front */

/* Faults in every page of [p, p + len) for writing, in one system call
 * where the kernel has MADV_POPULATE_WRITE (a fault each costs more than
 * the whole call), else by writing them; the memory holds no data yet. */
static void prefault(void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)4095, end = (uintptr_t)p + len;
#ifdef MADV_POPULATE_WRITE
	if (madvise((void *)a, end - a, MADV_POPULATE_WRITE) == 0)
		return;
#endif
	for (volatile uint8_t *b = p; (uintptr_t)b < end; b += 4096)
		*b = 0;
}

int bt_cache_init(struct bt *bt)
{
	bt->tc.cache = mmap(NULL, BT_CACHE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (bt->tc.cache == MAP_FAILED) {
		bt->tc.cache = NULL;
		return vm_fail(bt->vm, "bt: mapping the code cache below 2 GiB: %s", strerror(errno));
	}
	bt->tc.hash_size = 1u << 16;
	bt->tc.hash = calloc(bt->tc.hash_size, sizeof(*bt->tc.hash));
	if (!bt->tc.hash ||
	    bt_grow((void **)&bt->tc.blocks, &bt->tc.cap_blocks, BT_WARM_BLOCKS, sizeof(*bt->tc.blocks)) ||
	    bt_grow((void **)&bt->tc.imap, &bt->tc.cap_imap, BT_WARM_BLOCKS * 8, sizeof(*bt->tc.imap)) ||
	    bt_grow((void **)&bt->tc.sites, &bt->tc.cap_sites, BT_WARM_BLOCKS, sizeof(*bt->tc.sites)))
		return vm_fail(bt->vm, "out of memory");
	/* Every first touch of a page is a fault, several microseconds here (a
	 * PVM guest): taken now, not while the guest runs (one kernel of the
	 * compute guest paid ~900,000 cycles of them in its first round). */
	prefault(bt->tc.cache, BT_WARM_CACHE);
	prefault(bt->tc.hash, bt->tc.hash_size * sizeof(*bt->tc.hash));
	prefault(bt->tc.blocks, bt->tc.cap_blocks * sizeof(*bt->tc.blocks));
	prefault(bt->tc.imap, bt->tc.cap_imap * sizeof(*bt->tc.imap));
	prefault(bt->tc.sites, bt->tc.cap_sites * sizeof(*bt->tc.sites));
	return 0;
}

void bt_cache_free(struct bt *bt)
{
	if (bt->tc.cache)
		munmap(bt->tc.cache, BT_CACHE_SIZE);
	free(bt->tc.blocks);
	free(bt->tc.imap);
	free(bt->tc.hash);
	free(bt->tc.sites);
	memset(&bt->tc, 0, sizeof(bt->tc));
}

int bt_grow(void **arr, uint32_t *cap, uint32_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	uint32_t n = *cap ? *cap * 2 : 1024;
	while (n < need)
		n *= 2;
	void *p = realloc(*arr, (size_t)n * elem);
	if (!p)
		return -1;
	*arr = p, *cap = n;
	return 0;
}

void bt_cache_insert(struct bt *bt, uint64_t rip, uint32_t idx)
{
	uint32_t h = (uint32_t)(rip * 0x9E3779B1u) & (bt->tc.hash_size - 1);
	while (bt->tc.hash[h])
		h = (h + 1) & (bt->tc.hash_size - 1);
	bt->tc.hash[h] = idx + 1;
}

uint8_t *bt_lookup(struct bt *bt, uint64_t rip)
{
	uint32_t h = (uint32_t)(rip * 0x9E3779B1u) & (bt->tc.hash_size - 1);
	for (; bt->tc.hash[h]; h = (h + 1) & (bt->tc.hash_size - 1)) {
		struct bt_block *b = &bt->tc.blocks[bt->tc.hash[h] - 1];
		if (b->rip == rip)
			return bt->tc.cache + b->host_off;
	}
	return NULL;
}

void bt_cache_flush(struct bt *bt)
{
	bt->tc.cache_used = bt->tc.glue_end;
	bt->tc.nblocks = bt->tc.nimap = bt->tc.nsites = 0;
	memset(bt->tc.hash, 0, bt->tc.hash_size * sizeof(*bt->tc.hash));
	memset(bt->ctx->ind_tag, 0, sizeof(bt->ctx->ind_tag));
	memset(bt->tc.code_pages, 0, bt->vm->ram_size >> 12);
	bt->tc.ncode_va = 0;
	bt->tc.code_va_overflow = 0;
	bt->ctx->pt_lossy = bt->pt_gen == 0; /* no translation is left to be untraced */
	bt->tc.sys_inlined = 0;
	bt->stats_flushes++;
}

struct bt_site *bt_new_site(struct bt *bt, uint32_t *idx)
{
	if (bt_grow((void **)&bt->tc.sites, &bt->tc.cap_sites, bt->tc.nsites + 1, sizeof(*bt->tc.sites)))
		return NULL;
	*idx = bt->tc.nsites;
	return &bt->tc.sites[bt->tc.nsites++];
}

/* The dispatcher after a site's cache missed: cache the new target in the
 * next entry, or once every entry is taken, turn the site's first lea into
 * a jump to the table lookup (%rcx still holds the target there). */
void bt_site_refill(struct bt *bt, uint32_t idx, uint64_t rip, uint8_t *host)
{
	if (idx >= bt->tc.nsites)
		return;
	struct bt_site *s = &bt->tc.sites[idx];
	if (s->n == BT_PIC || rip >= 0x80000000ull) {
		uint8_t *lea = s->disp[0] - 3; /* the lea's first byte */
		lea[0] = 0xE9;
		patch_rel32(lea + 1, s->table);
		s->n = BT_PIC;
		return;
	}
	int32_t d = (int32_t)(s->n ? s->last : 1) - (int32_t)rip, back = (int32_t)rip;
	memcpy(s->disp[s->n], &d, 4);
	memcpy(s->tail, &back, 4);
	patch_rel32(s->hit_jmp[s->n], host);
	s->last = (uint32_t)rip;
	s->n++;
}

struct bt_block *bt_block_of(struct bt *bt, uint64_t off)
{
	uint32_t lo = 0, hi = bt->tc.nblocks;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (bt->tc.blocks[mid].host_off <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	struct bt_block *b = &bt->tc.blocks[lo - 1];
	return off < (uint64_t)b->host_off + b->code_len ? b : NULL;
}

const struct bt_imap *bt_imap_at(struct bt *bt, uint64_t off, int exact)
{
	struct bt_block *b = bt_block_of(bt, off);
	if (!b)
		return NULL;
	const struct bt_imap *best = NULL;
	for (uint32_t i = 0; i < b->imap_n; i++) {
		const struct bt_imap *m = &bt->tc.imap[b->imap_first + i];
		if (m->host_off <= off)
			best = m;
	}
	return best && (!exact || best->host_off == off) ? best : NULL;
}
