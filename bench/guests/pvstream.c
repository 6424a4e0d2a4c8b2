/* Paravirtual I/O, the pair to iostream: bytes=N bytes out through
 * virtio-console in batches of batch=B (one notify per batch), against the
 * UART's one exit per byte. Checksum: the byte sum, as iostream. */
#include "kit/kit.h"
#include "kit/virtio.h"

static struct vqueue txq;
static char buf[65536];

void guest_main(void)
{
	struct vdev con;
	uint64_t n = kit_arg_u64("bytes", 4096), batch = kit_arg_u64("batch", 256), sum = 0;
	if (batch < 1 || batch > sizeof(buf))
		kit_fail("batch out of range");
	if (virtio_open(&con, 3, 1, &txq))
		kit_fail("no virtio-console (vmm-mini --pv, or QEMU -M microvm -device virtio-serial-device)");
	if (kit_arg_u64("irq", 0)) /* vmm-mini --pv: vector 33 */
		virtio_use_irq(&con, (uint32_t)kit_arg_u64("irq", 0));
	kit_printf("@stream begin bytes=%lu\n", n);
	uint64_t t0 = rdtsc();
	for (uint64_t done = 0; done < n;) {
		uint32_t k = (uint32_t)(n - done < batch ? n - done : batch);
		for (uint32_t i = 0; i < k; i++) {
			buf[i] = (char)('a' + (done + i) % 26);
			sum += (uint8_t)buf[i];
		}
		void *b[1] = { buf };
		uint32_t l[1] = { k };
		int w[1] = { 0 };
		virtio_submit(&con, b, l, w, 1);
		done += k;
	}
	uint64_t dt = rdtsc() - t0;
	kit_printf("\n@stream end\n@info notifies=%lu interrupts=%lu\n", con.notifies, virtio_interrupts);
	kit_result("virtio_stream", n, dt, sum);
}
