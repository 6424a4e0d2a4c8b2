/* Port 0x80, the POST diagnostic port PC guests write for I/O delays: writes
 * are accepted, reads return 0 (as QEMU's ioport80). */
#include "vmm-mini/devices/devices.h"

#include <string.h>

static void post_out(struct vm *vm, void *dev, uint16_t port, const void *data, int size)
{
	(void)vm, (void)dev, (void)port, (void)data, (void)size;
}

static void post_in(struct vm *vm, void *dev, uint16_t port, void *data, int size)
{
	(void)vm, (void)dev, (void)port;
	memset(data, 0, (size_t)size);
}

const struct device_ops post_port_ops = {
    .name = "post", .port = 0x80, .nports = 1, .io_in = post_in, .io_out = post_out};

static int post_init(struct vm *vm, const char *arg)
{
	(void)arg;
	return vm_add_device(vm, &post_port_ops, NULL);
}

static const struct vmm_device post_port_device = {.name = "post", .init = post_init};
VMM_DEVICE(post_port_device);
