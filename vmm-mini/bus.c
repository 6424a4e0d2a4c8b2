/* Port and MMIO dispatch. Nothing claimed: reads return all ones (as on a
 * PC with nothing decoding the address), writes are dropped, both counted. */
#include "vmm-mini/vmm.h"

#include <string.h>

static struct device *io_device(struct vm *vm, uint16_t port)
{
	for (int i = 0; i < vm->ndev; i++) {
		const struct device_ops *o = vm->dev[i].ops;
		if (o->nports && port >= o->port && port - o->port < o->nports)
			return &vm->dev[i];
	}
	return NULL;
}

void bus_io(struct vm *vm, struct vm_exit *e)
{
	struct device *d = io_device(vm, e->io.port);
	if (e->io.size != 1 && e->io.size != 2 && e->io.size != 4)
		return;
	for (uint32_t i = 0; i < e->io.count && vm->stop == STOP_NONE; i++) {
		uint8_t *data = e->io.data + (size_t)i * e->io.size;
		int handled = d && (e->io.out ? d->ops->io_out != NULL : d->ops->io_in != NULL);
		if (!handled) {
			vm->stats.unhandled_io++;
			if (!e->io.out)
				memset(data, 0xff, e->io.size);
		} else if (e->io.out) {
			d->ops->io_out(vm, d->state, e->io.port, data, e->io.size);
		} else {
			d->ops->io_in(vm, d->state, e->io.port, data, e->io.size);
		}
	}
}

void bus_mmio(struct vm *vm, struct vm_exit *e)
{
	int len = e->mmio.len > 8 ? 8 : e->mmio.len;
	for (int i = 0; i < vm->ndev; i++) {
		const struct device_ops *o = vm->dev[i].ops;
		const struct device *d = &vm->dev[i];
		if (!d->mmio_len || e->mmio.addr < d->mmio || e->mmio.addr - d->mmio >= d->mmio_len)
			continue;
		if (e->mmio.write && o->mmio_write)
			o->mmio_write(vm, vm->dev[i].state, e->mmio.addr, e->mmio.data, len);
		else if (!e->mmio.write && o->mmio_read)
			o->mmio_read(vm, vm->dev[i].state, e->mmio.addr, e->mmio.data, len);
		return;
	}
	vm->stats.unhandled_mmio++;
	if (!e->mmio.write)
		memset(e->mmio.data, 0xff, sizeof(e->mmio.data));
}
