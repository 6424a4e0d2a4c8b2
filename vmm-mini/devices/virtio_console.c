/* virtio-console (device 3), one port: queue 0 receive (nothing to send),
 * queue 1 transmit to the VMM's console. */
#include "vmm-mini/devices/virtio_mmio.h"

#include <string.h>

static void console_config(struct virtio_dev *d, uint32_t off, void *data, int len)
{
	/* cols, rows, max_nr_ports: features not offered, so all zero. */
	(void)d, (void)off, (void)data, (void)len;
}

static int console_request(struct vm *vm, struct virtio_dev *d, int q, struct vq_req *r)
{
	if (q != 1)
		return 0; /* receive buffers stay queued: we never have input */
	for (int i = 0; i < r->nseg; i++) {
		if (r->seg[i].writable)
			return -1; /* a transmit buffer the device should write into */
		fwrite(r->seg[i].p, 1, r->seg[i].len, vm->console);
	}
	(void)d;
	return 0;
}

const struct virtio_ops virtio_console_ops = {"virtio-console", 3, 2, 0, console_config, console_request};

/* Slot 0 and vector 33, where the reference guests' driver looks. */
static int console_init(struct vm *vm, const char *arg)
{
	static struct virtio_dev con;
	(void)arg;
	return virtio_mmio_add(vm, &con, &virtio_console_ops, 0, 33, NULL);
}

static const struct vmm_device virtio_console_device = {
    .name = "virtio-console",
    .option = "pv",
    .help = "virtio-console at 0xFEB00000 (virtio-mmio, as QEMU -M microvm), interrupts on\n"
	    "              LAPIC vector 33",
    .init = console_init};
VMM_DEVICE(virtio_console_device);
