/* virtio-mmio devices against hostile drivers: descriptor chains that point
 * outside guest RAM, loop, overflow, or lie about direction must stop the
 * device with a reason, never touch memory outside RAM (make asan checks
 * the "never"); well-formed requests must reach the backing file. */
#include "tests/unit/check.h"
#include "vmm-mini/devices/virtio_mmio.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RAM    (4u << 20)
#define DESC   0x10000
#define AVAIL  0x11000
#define USED   0x12000
#define HDR    0x20000
#define DATA   0x21000
#define STATUS 0x30000
#define QN     8

struct rig {
	struct vm vm;
	struct virtio_dev d;
	struct virtio_blk_state blk;
	char path[512];
	char console[1024];
};

static void desc(struct rig *r, int i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *p = r->vm.ram + DESC + 16 * i;
	memcpy(p, &addr, 8), memcpy(p + 8, &len, 4), memcpy(p + 12, &flags, 2), memcpy(p + 14, &next, 2);
}

static void offer(struct rig *r, uint16_t head, uint16_t new_idx)
{
	uint16_t *avail = (uint16_t *)(r->vm.ram + AVAIL);
	avail[2 + (new_idx - 1) % QN] = head;
	avail[1] = new_idx;
}

static uint16_t used_idx(struct rig *r)
{
	return *(uint16_t *)(r->vm.ram + USED + 2);
}

static void setup(struct rig *r, const struct virtio_ops *ops, int q)
{
	memset(r, 0, sizeof(*r));
	r->vm.ram_size = RAM;
	r->vm.ram = calloc(1, RAM);
	r->vm.console = fmemopen(r->console, sizeof(r->console), "w");
	r->d.ops = ops;
	r->d.status = 0xf; /* ACK, DRIVER, FEATURES_OK, DRIVER_OK */
	r->d.vq[q] = (struct vq){QN, 0, 1, DESC, AVAIL, USED};
	if (ops == &virtio_blk_ops) {
		char err[256];
		snprintf(r->path, sizeof(r->path), "%s/disk-XXXXXX", scratch_dir());
		int fd = mkstemp(r->path);
		if (fd >= 0 && ftruncate(fd, 64 * 512) == 0)
			close(fd);
		CHECK(virtio_blk_open(&r->blk, r->path, err, sizeof(err)) == 0, "%s", err);
		r->d.state = &r->blk;
	}
}

static void teardown(struct rig *r)
{
	fclose(r->vm.console);
	free(r->vm.ram);
	if (r->blk.fd > 0)
		close(r->blk.fd);
}

/* One blk request: header at HDR (type, sector), data at DATA, status byte. */
static void blk_req(struct rig *r, uint32_t type, uint64_t sector, uint32_t len, uint16_t idx)
{
	uint32_t h[4] = {type, 0, (uint32_t)sector, (uint32_t)(sector >> 32)};
	memcpy(r->vm.ram + HDR, h, 16);
	r->vm.ram[STATUS] = 0xee;
	desc(r, 0, HDR, 16, 1, 1);
	desc(r, 1, DATA, len, (uint16_t)(1 | (type == 0 ? 2 : 0)), 2);
	desc(r, 2, STATUS, 1, 2, 0);
	offer(r, 0, idx);
	virtio_process(&r->vm, &r->d, 0);
}

static void blk_good(const char *arg)
{
	struct rig r;
	(void)arg;
	setup(&r, &virtio_blk_ops, 0);
	memset(r.vm.ram + DATA, 0x5a, 1024);
	blk_req(&r, 1, 3, 1024, 1); /* write sectors 3-4 */
	CHECK(r.vm.ram[STATUS] == 0 && used_idx(&r) == 1 && !r.d.broken, "write ok (status %d)", r.vm.ram[STATUS]);
	uint8_t back[1024];
	CHECK(pread(r.blk.fd, back, 1024, 3 * 512) == 1024 && back[0] == 0x5a && back[1023] == 0x5a,
	      "reached the file");
	memset(r.vm.ram + DATA, 0, 1024);
	blk_req(&r, 0, 3, 1024, 2);
	CHECK(r.vm.ram[STATUS] == 0 && r.vm.ram[DATA + 512] == 0x5a, "read back");
	blk_req(&r, 1, 63, 1024, 3); /* runs past the 64-sector disk */
	CHECK(r.vm.ram[STATUS] == 1 && !r.d.broken, "past the end: IOERR, device still usable");
	/* 2^55 sectors: sector * 512 wraps to 0 in 64 bits; must not read sector 0. */
	uint8_t s0[512];
	memset(s0, 0x77, sizeof(s0));
	CHECK(pwrite(r.blk.fd, s0, sizeof(s0), 0) == 512, "sector 0 marked");
	memset(r.vm.ram + DATA, 0, 1024);
	blk_req(&r, 0, 1ull << 55, 512, 4);
	CHECK(r.vm.ram[STATUS] == 1 && r.vm.ram[DATA] == 0, "wrapping sector: IOERR, no data (status %d)",
	      r.vm.ram[STATUS]);
	blk_req(&r, 0, UINT64_MAX, 512, 5);
	CHECK(r.vm.ram[STATUS] == 1, "sector 2^64-1: IOERR");
	blk_req(&r, 7, 0, 512, 6);
	CHECK(r.vm.ram[STATUS] == 2, "unknown type: UNSUPP");
	teardown(&r);
}

struct hostile {
	const char *name, *why;
	void (*make)(struct rig *r);
};

static void h_outside(struct rig *r)
{
	desc(r, 0, RAM - 8, 64, 0, 0); /* crosses the end of RAM */
	offer(r, 0, 1);
}
static void h_wrap(struct rig *r)
{
	desc(r, 0, 0xFFFFFFFFFFFFF000ull, 0x2000, 0, 0);
	offer(r, 0, 1);
}
static void h_loop(struct rig *r)
{
	desc(r, 0, HDR, 16, 1, 1);
	desc(r, 1, DATA, 16, 1, 0);
	offer(r, 0, 1);
}
static void h_index(struct rig *r)
{
	desc(r, 0, HDR, 16, 1, 200);
	offer(r, 0, 1);
}
static void h_head(struct rig *r)
{
	offer(r, 9, 1); /* head beyond the queue */
}
static void h_ahead(struct rig *r)
{
	desc(r, 0, HDR, 16, 0, 0);
	offer(r, 0, 50);
}
static void h_indirect(struct rig *r)
{
	desc(r, 0, HDR, 16, 4, 0);
	offer(r, 0, 1);
}
static void h_rings(struct rig *r)
{
	r->d.vq[1].desc = RAM - 16; /* the table itself outside RAM */
	offer(r, 0, 1);
}
static void h_writable_tx(struct rig *r)
{
	desc(r, 0, DATA, 16, 2, 0);
	offer(r, 0, 1);
}

static const struct hostile cases[] = {
    {"buffer-past-ram", "outside guest RAM", h_outside},
    {"address-wraps", "outside guest RAM", h_wrap},
    {"chain-loops", "loops", h_loop},
    {"next-out-of-range", "out of range", h_index},
    {"head-out-of-range", "out of range", h_head},
    {"avail-runs-ahead", "ran ahead", h_ahead},
    {"indirect", "indirect", h_indirect},
    {"rings-outside-ram", "outside guest RAM", h_rings},
    {"tx-buffer-writable", "malformed", h_writable_tx},
};

static void hostile(const char *arg)
{
	const struct hostile *h = (const struct hostile *)arg;
	struct rig r;
	setup(&r, &virtio_console_ops, 1);
	memset(r.vm.ram + DATA, 'x', 64);
	h->make(&r);
	virtio_process(&r.vm, &r.d, 1);
	CHECK(r.d.broken && strstr(r.d.broken_why, h->why), "broken=%d why=\"%s\" (want \"%s\")", r.d.broken,
	      r.d.broken_why, h->why);
	CHECK(used_idx(&r) == 0, "nothing completed");
	CHECK(r.d.status & 0x40, "NEEDS_RESET set");
	desc(&r, 0, DATA, 4, 0, 0);
	offer(&r, 0, 2);
	virtio_process(&r.vm, &r.d, 1);
	CHECK(used_idx(&r) == 0, "a broken device serves nothing until reset");
	teardown(&r);
}

static void blk_missing_status(const char *arg)
{
	struct rig r;
	(void)arg;
	setup(&r, &virtio_blk_ops, 0);
	desc(&r, 0, HDR, 16, 0, 0); /* header only */
	offer(&r, 0, 1);
	virtio_process(&r.vm, &r.d, 0);
	CHECK(r.d.broken, "a request without a status byte is malformed");
	teardown(&r);
}

/* Found by fuzz_virtio: with the used ring on top of the available ring,
 * each completion bumps the driver's available index, and an unbounded
 * service loop never returned (the VMM hung inside one MMIO exit). */
static void overlapping_rings(const char *arg)
{
	struct rig r;
	(void)arg;
	setup(&r, &virtio_console_ops, 1);
	r.d.vq[1].used = AVAIL; /* used.idx aliases avail.idx */
	desc(&r, 0, DATA, 4, 0, 0);
	uint16_t *avail = (uint16_t *)(r.vm.ram + AVAIL);
	for (int i = 0; i < QN; i++)
		avail[2 + i] = 0;
	avail[1] = 1;
	virtio_process(&r.vm, &r.d, 1);
	CHECK(r.d.requests <= QN, "served %llu requests from one notify", (unsigned long long)r.d.requests);
	teardown(&r);
}

void suite_virtio(void)
{
	run_case("virtio", "blk-requests-reach-the-file", blk_good, NULL);
	run_case("virtio", "blk-missing-status", blk_missing_status, NULL);
	run_case("virtio", "overlapping-rings-terminate", overlapping_rings, NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case("virtio", cases[i].name, hostile, (const char *)&cases[i]);
}
