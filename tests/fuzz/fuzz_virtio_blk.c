/* A hostile guest driver against virtio-blk behind its virtio-mmio
 * transport, the way vmm-mini's main.c wires them (console in slot 0, blk
 * in slot 1, MMIO through bus.c): the input is a script of register
 * accesses, RAM writes (rings, headers, buffers) and queue notifies. The
 * device must keep every access inside guest RAM and the 64-sector disk.
 * Script, one op after another (little-endian):
 *   0 A A L D..  MMIO write of L%8+1 bytes at VIRTIO_MMIO_BASE + A
 *   1 A A L      MMIO read  of L%8+1 bytes
 *   2 G G N D..  N bytes into guest RAM at G
 *   3 S Q        QUEUE_NOTIFY(Q) on slot S%2 */
#include "tests/fuzz/fuzz_input.h"
#include "vmm-mini/devices/virtio_mmio.h"

#include <string.h>

#define RAM	       (64 * 1024)
#define SECTORS	       64
#define R_QUEUE_NOTIFY 0x050

static int msi(struct vm *vm, uint32_t vector)
{
	(void)vm;
	return vector == 33 || vector == 34 ? 0 : -1;
}
static const struct accel_ops fake_accel = {.name = "fuzz", .raise_msi = msi};

static struct vm vm;
static FILE *console;
static struct virtio_dev con, blk;
static struct virtio_blk_state disk;
static uint8_t ram[RAM];

static int setup_disk(void)
{
	char path[64], err[256];
	int fd = fuzz_as_file((const uint8_t *)"", 0, path, sizeof(path));
	if (fd < 0 || virtio_blk_open(&disk, path, err, sizeof(err)))
		return -1;
	close(fd); /* the device has its own descriptor */
	return 0;
}

static void reset_machine(void)
{
	memset(&vm, 0, sizeof(vm));
	memset(ram, 0, sizeof(ram));
	vm.ram = ram, vm.ram_size = RAM, vm.accel = &fake_accel, vm.console = console;
	/* The same bytes every run: a disk left over from the last input would
	 * make crashes depend on the order inputs ran in. */
	if (ftruncate(disk.fd, 0) || ftruncate(disk.fd, SECTORS * 512))
		abort();
	disk.sectors = SECTORS;
	struct virtio_dev *d[2] = {&con, &blk};
	for (int i = 0; i < 2; i++) {
		memset(d[i], 0, sizeof(*d[i]));
		virtio_dev_init(d[i]);
		d[i]->ops = i ? &virtio_blk_ops : &virtio_console_ops;
		d[i]->base = VIRTIO_MMIO_BASE + (uint64_t)i * VIRTIO_MMIO_SIZE;
		d[i]->irq_vector = 33 + i;
		d[i]->state = i ? &disk : NULL;
		vm_add_mmio_device(&vm, &virtio_mmio_ops, d[i], d[i]->base, VIRTIO_MMIO_SIZE);
	}
}

static void mmio(uint64_t off, int len, int write, const uint8_t *data)
{
	struct vm_exit e = {.reason = EXIT_MMIO};
	e.mmio.addr = VIRTIO_MMIO_BASE + off, e.mmio.len = (uint8_t)len, e.mmio.write = (uint8_t)write;
	if (write)
		memcpy(e.mmio.data, data, (size_t)len);
	bus_mmio(&vm, &e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!console && (setup_disk() || !(console = fopen("/dev/null", "w"))))
		abort(); /* the harness itself failed */
	reset_machine();
	const uint8_t *p = data, *end = data + size;
	while (p < end) {
		uint8_t op = *p++ % 4;
		if (op <= 1 && end - p >= 3) {
			uint16_t a = (uint16_t)(p[0] | p[1] << 8);
			int len = p[2] % 8 + 1;
			p += 3;
			if (op == 1) {
				mmio(a, len, 0, NULL);
			} else if (end - p >= len) {
				mmio(a, len, 1, p);
				p += len;
			} else
				break;
		} else if (op == 2 && end - p >= 3) {
			uint16_t g = (uint16_t)(p[0] | p[1] << 8);
			size_t n = p[2];
			p += 3;
			if (n > (size_t)(end - p))
				n = (size_t)(end - p);
			if (n > RAM - (size_t)g)
				n = RAM - (size_t)g;
			memcpy(ram + g, p, n);
			p += n;
		} else if (op == 3 && end - p >= 2) {
			uint32_t q = p[1];
			mmio((uint64_t)(p[0] % 2) * VIRTIO_MMIO_SIZE + R_QUEUE_NOTIFY, 4, 1, (const uint8_t *)&q);
			p += 2;
		} else
			break;
	}
	return 0;
}
