/* Port 0xF4, like QEMU's isa-debug-exit: a write ends the run and the
 * process exits with (value << 1) | 1. */
#include "vmm-mini/devices/devices.h"

#include <string.h>

static void exit_out(struct vm *vm, void *dev, uint16_t port, const void *data, int size)
{
	uint32_t v = 0;
	(void)dev, (void)port;
	memcpy(&v, data, (size_t)(size > 4 ? 4 : size));
	vm_stop(vm, STOP_DEBUG_EXIT, (int)(v & 0x7f));
}

const struct device_ops debug_exit_ops = {.name = "debug-exit", .port = 0xF4, .nports = 4, .io_out = exit_out};

static int exit_init(struct vm *vm, const char *arg)
{
	(void)arg;
	return vm_add_device(vm, &debug_exit_ops, NULL);
}

static const struct vmm_device debug_exit_device = {.name = "debug-exit", .init = exit_init};
VMM_DEVICE(debug_exit_device);
