/* virtio-blk: writes then reads back the first sectors=N sectors in
 * requests of batch=B sectors (1..256), with a flush between; the checksum
 * counts sectors read back intact. Results per phase in cycles per sector. */
#include "kit/kit.h"
#include "kit/virtio.h"

static struct vqueue rq;
static uint8_t data[256 * 512];

struct blk_hdr {
	uint32_t type, reserved;
	uint64_t sector;
};

static uint8_t request(struct vdev *d, uint32_t type, uint64_t sector, void *buf, uint32_t bytes)
{
	static struct blk_hdr h;
	static volatile uint8_t status;
	h.type = type, h.reserved = 0, h.sector = sector;
	status = 0xff;
	void *b[3] = { &h, buf, (void *)&status };
	uint32_t l[3] = { sizeof(h), bytes, 1 };
	int w[3] = { 0, type == 0, 1 };
	if (bytes)
		virtio_submit(d, b, l, w, 3);
	else {
		b[1] = (void *)&status, l[1] = 1, w[1] = 1;
		virtio_submit(d, b, l, w, 2);
	}
	return status;
}

static uint64_t pattern(uint64_t sector, unsigned i)
{
	return sector * 0x9e3779b97f4a7c15ull + i;
}

void guest_main(void)
{
	struct vdev blk;
	uint64_t n = kit_arg_u64("sectors", 1024), batch = kit_arg_u64("batch", 8), good = 0;
	if (batch < 1 || batch > 256)
		kit_fail("batch must be 1..256");
	if (virtio_open(&blk, 2, 0, &rq))
		kit_fail("no virtio-blk (vmm-mini --disk FILE, or QEMU -M microvm -device virtio-blk-device)");
	uint64_t cap = virtio_config64(&blk, 0);
	if (n > cap)
		n = cap;
	kit_printf("@info capacity=%lu sectors=%lu batch=%lu\n", cap, n, batch);
	uint64_t t0 = rdtsc();
	for (uint64_t s = 0; s < n; s += batch) {
		uint32_t k = (uint32_t)(n - s < batch ? n - s : batch);
		for (uint32_t i = 0; i < k * 64; i++)
			((uint64_t *)data)[i] = pattern(s + i / 64, i % 64);
		if (request(&blk, 1, s, data, k * 512))
			kit_fail("write failed");
	}
	uint64_t t1 = rdtsc();
	if (request(&blk, 4, 0, 0, 0))
		kit_fail("flush failed");
	uint64_t t2 = rdtsc();
	for (uint64_t s = 0; s < n; s += batch) {
		uint32_t k = (uint32_t)(n - s < batch ? n - s : batch);
		memset(data, 0, k * 512);
		if (request(&blk, 0, s, data, k * 512))
			kit_fail("read failed");
		for (uint32_t j = 0; j < k; j++) {
			int ok = 1;
			for (unsigned i = 0; i < 64; i++)
				ok &= ((uint64_t *)data)[j * 64 + i] == pattern(s + j, i);
			good += (uint64_t)ok;
		}
	}
	uint64_t t3 = rdtsc();
	kit_result("blk_write", n, t1 - t0, n);
	kit_result("blk_flush", 1, t2 - t1, 1);
	kit_result("blk_read", n, t3 - t2, good);
}
