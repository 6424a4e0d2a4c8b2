/* 16550 UART at 0x3F8: transmit to the console; no receive, no interrupts.
 * LSR always reports the transmitter empty, so polling guests never wait. */
#include "vmm-mini/devices/devices.h"

enum { RBR_THR, IER, IIR_FCR, LCR, MCR, LSR, MSR, SCR };
#define DLAB 0x80

static void uart_out(struct vm *vm, void *dev, uint16_t port, const void *data, int size)
{
	struct uart16550 *u = dev;
	uint8_t v = *(const uint8_t *)data;
	(void)size;
	switch (port - 0x3F8) {
	case RBR_THR:
		if (u->lcr & DLAB) {
			u->dll = v;
		} else {
			fputc(v, vm->console);
			u->bytes_out++;
		}
		break;
	case IER:
		if (u->lcr & DLAB)
			u->dlm = v;
		else
			u->ier = v & 0x0f;
		break;
	case IIR_FCR: u->fcr = v; break;
	case LCR: u->lcr = v; break;
	case MCR: u->mcr = v & 0x1f; break;
	case SCR: u->scr = v; break;
	default: break; /* LSR and MSR are read-only */
	}
}

static void uart_in(struct vm *vm, void *dev, uint16_t port, void *data, int size)
{
	struct uart16550 *u = dev;
	uint8_t *v = data;
	(void)vm;
	switch (port - 0x3F8) {
	case RBR_THR: *v = u->lcr & DLAB ? u->dll : 0; break;
	case IER: *v = u->lcr & DLAB ? u->dlm : u->ier; break;
	case IIR_FCR: *v = (u->fcr & 1 ? 0xc0 : 0) | 0x01; break; /* no interrupt pending */
	case LCR: *v = u->lcr; break;
	case MCR: *v = u->mcr; break;
	case LSR: *v = 0x60; break; /* THR empty, transmitter empty */
	case MSR: *v = 0xb0; break; /* DCD, DSR, CTS */
	case SCR: *v = u->scr; break;
	}
	for (int i = 1; i < size; i++)
		v[i] = 0xff;
}

const struct device_ops uart16550_ops = {
    .name = "uart16550", .port = 0x3F8, .nports = 8, .io_in = uart_in, .io_out = uart_out};

static int uart_init(struct vm *vm, const char *arg)
{
	static struct uart16550 uart;
	(void)arg;
	return vm_add_device(vm, &uart16550_ops, &uart);
}

static const struct vmm_device uart16550_device = {.name = "uart16550", .init = uart_init};
VMM_DEVICE(uart16550_device);
