#include "kernels.h"

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/* CRC-32 (IEEE 802.3, reflected 0xEDB88320), table driven, over 64 KiB. */
static uint64_t k_crc32(uint64_t iters, uint8_t *mem, size_t n)
{
	static uint32_t table[256];
	uint64_t s = 0x9e3779b97f4a7c15ull, sum = 0;
	size_t len = n < 65536 ? n : 65536;
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		table[i] = c;
	}
	for (size_t i = 0; i < len; i++)
		mem[i] = (uint8_t)xorshift(&s);
	for (uint64_t it = 0; it < iters; it++) {
		uint32_t crc = 0xFFFFFFFFu;
		mem[it % len] ^= (uint8_t)it; /* each round hashes different data */
		for (size_t i = 0; i < len; i++)
			crc = table[(crc ^ mem[i]) & 0xff] ^ (crc >> 8);
		sum = sum * 31 + (crc ^ 0xFFFFFFFFu);
	}
	return sum;
}

static void quicksort(uint32_t *a, long lo, long hi)
{
	while (lo < hi) {
		uint32_t p = a[lo + (hi - lo) / 2];
		long i = lo, j = hi;
		while (i <= j) {
			while (a[i] < p)
				i++;
			while (a[j] > p)
				j--;
			if (i <= j) {
				uint32_t t = a[i];
				a[i++] = a[j];
				a[j--] = t;
			}
		}
		/* Recurse into the smaller side so the stack stays shallow. */
		if (j - lo < hi - i) {
			quicksort(a, lo, j);
			lo = i;
		} else {
			quicksort(a, i, hi);
			hi = j;
		}
	}
}

/* Sort 64 Ki pseudo-random words per round. */
static uint64_t k_sort(uint64_t iters, uint8_t *mem, size_t n)
{
	uint32_t *a = (uint32_t *)mem;
	size_t cnt = n / 4 < 65536 ? n / 4 : 65536;
	uint64_t s = 12345, sum = 0;
	for (uint64_t it = 0; it < iters; it++) {
		for (size_t i = 0; i < cnt; i++)
			a[i] = (uint32_t)xorshift(&s);
		quicksort(a, 0, (long)cnt - 1);
		for (size_t i = 0; i < cnt; i += 97)
			sum = sum * 1099511628211ull + a[i];
	}
	return sum;
}

/* Open-addressing hash table: insert 32 Ki keys, look up 64 Ki per round. */
static uint64_t k_hash(uint64_t iters, uint8_t *mem, size_t n)
{
	uint64_t *slot = (uint64_t *)mem;
	size_t cap = 65536;
	uint64_t s = 777, hits = 0;
	if (n < cap * 8)
		cap = 1024;
	for (uint64_t it = 0; it < iters; it++) {
		for (size_t i = 0; i < cap; i++)
			slot[i] = 0;
		for (size_t i = 0; i < cap / 2; i++) {
			uint64_t k = xorshift(&s) | 1, h = (k * 0x9e3779b97f4a7c15ull) >> 48;
			while (slot[h & (cap - 1)])
				h++;
			slot[h & (cap - 1)] = k;
		}
		uint64_t q = 777 + it;
		for (size_t i = 0; i < cap; i++) {
			uint64_t k = xorshift(&q) | 1, h = (k * 0x9e3779b97f4a7c15ull) >> 48;
			while (slot[h & (cap - 1)] && slot[h & (cap - 1)] != k)
				h++;
			hits += slot[h & (cap - 1)] == k;
		}
		hits = hits * 3 + slot[it % cap];
	}
	return hits;
}

/* A bytecode interpreter: dispatch through a table of handlers (indirect
 * calls) running a Collatz-length program. */
struct vm {
	uint64_t acc, x, steps;
	unsigned pc;
};
typedef void (*op_fn)(struct vm *);
static void op_load(struct vm *v) { v->acc = v->x, v->pc++; }
static void op_even(struct vm *v) { v->pc = (v->acc & 1) ? 4 : 2; }
static void op_half(struct vm *v) { v->acc >>= 1, v->steps++, v->pc = 5; }
static void op_pad(struct vm *v) { v->pc++; }
static void op_triple(struct vm *v) { v->acc = v->acc * 3 + 1, v->steps++, v->pc = 5; }
static void op_test(struct vm *v) { v->pc = v->acc == 1 ? 6 : 1; }
static const op_fn ops[] = { op_load, op_even, op_half, op_pad, op_triple, op_test };

static uint64_t k_interp(uint64_t iters, uint8_t *mem, size_t n)
{
	(void)mem, (void)n;
	uint64_t sum = 0;
	for (uint64_t it = 0; it < iters; it++) {
		struct vm v = { 0, 27 + it % 1000, 0, 0 };
		while (v.pc != 6)
			ops[v.pc](&v);
		sum += v.steps;
	}
	return sum;
}

/* Memory: a sequential pass, then a random pointer chase over the buffer in
 * 4 KiB strides (TLB-hostile). */
static uint64_t k_mem(uint64_t iters, uint8_t *mem, size_t n)
{
	uint64_t *w = (uint64_t *)mem, words = n / 8, sum = 0, s = 99;
	size_t pages = n / 4096;
	if (pages < 2)
		return 0;
	for (uint64_t i = 0; i < words; i++)
		w[i] = i * 0x9e3779b97f4a7c15ull;
	/* Sattolo's algorithm: one cycle through every page. */
	uint64_t *next = w; /* next[page*512] holds the following page index */
	for (size_t i = 0; i < pages; i++)
		next[i * 512] = i;
	for (size_t i = pages - 1; i > 0; i--) {
		size_t j = (size_t)(xorshift(&s) % i), t = (size_t)next[i * 512];
		next[i * 512] = next[j * 512];
		next[j * 512] = t;
	}
	for (uint64_t it = 0; it < iters; it++) {
		for (uint64_t i = 0; i < words; i += 8)
			sum += w[i + 1];
		size_t p = 0;
		for (size_t k = 0; k < pages; k++) {
			p = (size_t)next[p * 512];
			sum += p;
		}
	}
	return sum;
}

const struct kernel bench_kernels[] = {
	{ "crc32", k_crc32, 20 }, { "sort", k_sort, 4 }, { "hash", k_hash, 8 },
	{ "interp", k_interp, 20000 }, { "mem", k_mem, 4 },
};
const size_t bench_nkernels = sizeof(bench_kernels) / sizeof(bench_kernels[0]);
