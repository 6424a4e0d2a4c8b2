/* Emulated I/O: bytes=N bytes out through the UART data port, one port write
 * each (default 4096). The checksum is the byte sum the host should see. */
#include "kit/kit.h"

void guest_main(void)
{
	uint64_t n = kit_arg_u64("bytes", 4096), sum = 0;
	kit_printf("@stream begin bytes=%lu\n", n);
	uint64_t t0 = rdtsc();
	for (uint64_t i = 0; i < n; i++) {
		char c = (char)('a' + i % 26);
		outb(0x3F8, (uint8_t)c); /* no LSR polling: this measures the write itself */
		sum += (uint8_t)c;
	}
	uint64_t dt = rdtsc() - t0;
	kit_printf("\n@stream end\n");
	kit_result("uart_stream", n, dt, sum);
}
