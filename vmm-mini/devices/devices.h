/* The port devices, for tests that build a machine by hand (vmm-mini
 * itself finds every device through its VMM_DEVICE registration). */
#ifndef VMM_DEVICES_H
#define VMM_DEVICES_H
#include "vmm-mini/vmm.h"

extern const struct device_ops uart16550_ops; /* state: struct uart16550 */
extern const struct device_ops debug_exit_ops;
extern const struct device_ops post_port_ops;

struct uart16550 {
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	uint64_t bytes_out;
};
#endif
