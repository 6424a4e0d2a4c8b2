/* A hostile guest's whole RAM is the fuzz input: virtqueue rings, chains and
 * buffers are whatever the fuzzer writes. vmm-mini must never read or write
 * outside that RAM (ASan) and never crash. */
#include "vmm-mini/devices/virtio_mmio.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RAM (64 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct virtio_blk_state blk;
	static int disk_ready;
	if (!disk_ready) {
		char path[] = "/tmp/fuzz-virtio-disk-XXXXXX", err[128];
		int fd = mkstemp(path);
		if (fd < 0 || ftruncate(fd, 64 * 512))
			return 0;
		close(fd);
		if (virtio_blk_open(&blk, path, err, sizeof(err)))
			return 0;
		unlink(path);
		disk_ready = 1;
	}
	if (size < 8)
		return 0;
	struct vm vm;
	memset(&vm, 0, sizeof(vm));
	vm.ram_size = RAM;
	vm.ram = calloc(1, RAM);
	vm.console = fopen("/dev/null", "w");
	memcpy(vm.ram, data + 8, size - 8 < RAM ? size - 8 : RAM);
	/* The first 8 bytes choose the queue size and where the rings are. */
	uint16_t num = (uint16_t)(1u << (data[0] % 9));
	struct virtio_dev d;
	for (int dev = 0; dev < 2; dev++) {
		memset(&d, 0, sizeof(d));
		d.ops = dev ? &virtio_blk_ops : &virtio_console_ops;
		d.state = &blk;
		d.status = 0xf;
		int q = dev ? 0 : 1;
		d.vq[q] =
		    (struct vq){num, 0, 1, (uint64_t)data[1] << 8, (uint64_t)data[2] << 8, (uint64_t)data[3] << 8};
		if (data[4] & 1)
			d.vq[q].desc = 0xFFFFFFFFFFFFFF00ull; /* addresses past the end, too */
		for (int round = 0; round < 3; round++)
			virtio_process(&vm, &d, q);
	}
	fclose(vm.console);
	free(vm.ram);
	return 0;
}
