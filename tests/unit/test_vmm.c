/* vmm-mini without KVM: the ELF loader against malformed and hostile
 * images (made by corrupting a real guest), and the device models. */
#include "tests/unit/check.h"
#include "vmm-mini/devices/devices.h"
#include "vmm-mini/vmm.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

static uint8_t *image;
static size_t image_size;

static int load_guest(void)
{
	char path[512];
	const char *b = getenv("BUILD");
	snprintf(path, sizeof(path), "%s/guests/compute.elf", b && *b ? b : "build");
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	image_size = (size_t)ftell(f);
	rewind(f);
	image = malloc(image_size);
	size_t got = image ? fread(image, 1, image_size, f) : 0;
	fclose(f);
	return got == image_size ? 0 : -1;
}

static void fake_vm(struct vm *vm, uint64_t ram_mib)
{
	memset(vm, 0, sizeof(*vm));
	vm->ram_size = ram_mib << 20;
	vm->ram = calloc(1, vm->ram_size);
	vm->mem_fd = -1;
}

typedef void (*corrupt_fn)(uint8_t *img, size_t *size);

struct elf_case {
	const char *name;
	corrupt_fn corrupt;
	const char *want; /* substring of the error; NULL = must load */
};

static Elf64_Ehdr *eh(uint8_t *img)
{
	return (Elf64_Ehdr *)img;
}
static Elf64_Phdr *ph(uint8_t *img, int i)
{
	return (Elf64_Phdr *)(img + eh(img)->e_phoff) + i;
}
static int first_load(uint8_t *img)
{
	for (int i = 0; i < eh(img)->e_phnum; i++)
		if (ph(img, i)->p_type == PT_LOAD && ph(img, i)->p_filesz)
			return i;
	return 0;
}

static void c_none(uint8_t *img, size_t *n)
{
	(void)img, (void)n;
}
static int first_load(uint8_t *img);
/* Cut inside the first loaded segment's data. */
static void c_truncate(uint8_t *img, size_t *n)
{
	Elf64_Phdr *p = (Elf64_Phdr *)(img + ((Elf64_Ehdr *)img)->e_phoff) + first_load(img);
	*n = p->p_offset + p->p_filesz / 2;
}
static void c_tiny(uint8_t *img, size_t *n)
{
	(void)img, *n = 10;
}
static void c_magic(uint8_t *img, size_t *n)
{
	(void)n, img[1] = 'X';
}
static void c_class32(uint8_t *img, size_t *n)
{
	(void)n, img[EI_CLASS] = ELFCLASS32;
}
static void c_machine(uint8_t *img, size_t *n)
{
	(void)n, eh(img)->e_machine = EM_386;
}
static void c_dyn(uint8_t *img, size_t *n)
{
	(void)n, eh(img)->e_type = ET_DYN;
}
static void c_phnum0(uint8_t *img, size_t *n)
{
	(void)n, eh(img)->e_phnum = 0;
}
static void c_phnum_huge(uint8_t *img, size_t *n)
{
	(void)n, eh(img)->e_phnum = 60000;
}
static void c_phoff(uint8_t *img, size_t *n)
{
	(void)n, eh(img)->e_phoff = 0xFFFFFFFFFFFFFF00ull;
}
static void c_offset(uint8_t *img, size_t *n)
{
	(void)n, ph(img, first_load(img))->p_offset = 0xFFFFFFFFFFFFF000ull;
}
static void c_outside_ram(uint8_t *img, size_t *n)
{
	(void)n, ph(img, first_load(img))->p_paddr = 0x7FFFF000;
}
static void c_wrap(uint8_t *img, size_t *n)
{
	(void)n, ph(img, first_load(img))->p_paddr = 0xFFFFFFFFFFFFF000ull;
}
static void c_filesz(uint8_t *img, size_t *n)
{
	(void)n;
	Elf64_Phdr *p = ph(img, first_load(img));
	p->p_memsz = p->p_filesz - 1;
}
static void c_boot_area(uint8_t *img, size_t *n)
{
	(void)n;
	ph(img, first_load(img))->p_paddr = 0x8000;
}
static void c_entry(uint8_t *img, size_t *n)
{
	(void)n, eh(img)->e_entry = 0x300000;
}
static void c_overlap(uint8_t *img, size_t *n)
{
	(void)n;
	for (int i = 0; i < eh(img)->e_phnum; i++)
		if (ph(img, i)->p_type == PT_LOAD && i != first_load(img))
			ph(img, i)->p_paddr = ph(img, first_load(img))->p_paddr;
}

static const struct elf_case elf_cases[] = {
    {"valid", c_none, NULL},
    {"truncated", c_truncate, "outside the file"},
    {"tiny", c_tiny, "not an ELF file"},
    {"bad-magic", c_magic, "not an ELF file"},
    {"elf32", c_class32, "not a little-endian ELF64"},
    {"i386", c_machine, "not an x86-64 executable"},
    {"shared-object", c_dyn, "not an x86-64 executable"},
    {"no-phdrs", c_phnum0, "bad program header table"},
    {"60000-phdrs", c_phnum_huge, "bad program header table"},
    {"phoff-wraps", c_phoff, "program header table outside the file"},
    {"segment-offset-wraps", c_offset, "segment data outside the file"},
    {"segment-outside-ram", c_outside_ram, "outside guest RAM"},
    {"segment-address-wraps", c_wrap, "outside guest RAM"},
    {"filesz-over-memsz", c_filesz, "file size larger than memory size"},
    {"segment-in-boot-area", c_boot_area, "overlaps the boot area"},
    {"entry-outside", c_entry, "entry point"},
    {"overlapping-segments", c_overlap, "overlaps another"},
};

static void elf_case(const char *arg)
{
	const struct elf_case *c = (const struct elf_case *)arg;
	struct vm vm;
	size_t n = image_size;
	uint8_t *img = malloc(image_size);
	uint64_t entry = 0;
	memcpy(img, image, image_size);
	c->corrupt(img, &n);
	fake_vm(&vm, 8);
	int rc = elf_load_image(&vm, img, n, "guest.elf", 0x100000, &entry);
	if (!c->want) {
		CHECK(rc == 0, "valid image refused: %s", vm.err);
		CHECK(entry == eh(image)->e_entry, "entry 0x%llx", (unsigned long long)entry);
		Elf64_Phdr *p = ph(image, first_load(image));
		CHECK(!memcmp(vm.ram + p->p_paddr, image + p->p_offset, p->p_filesz), "segment bytes not copied");
	} else {
		CHECK(rc == -1, "accepted a corrupt image");
		CHECK(strstr(vm.err, "guest.elf") && strstr(vm.err, c->want), "error \"%s\" lacks \"%s\"", vm.err,
		      c->want);
	}
	free(vm.ram);
	free(img);
}

static char console[4096];

static void io(struct vm *vm, uint16_t port, int out, uint8_t *data, int size, int count)
{
	struct vm_exit e;
	memset(&e, 0, sizeof(e));
	e.reason = EXIT_IO;
	e.io.port = port, e.io.size = (uint8_t)size, e.io.count = (uint32_t)count, e.io.out = (uint8_t)out,
	e.io.data = data;
	bus_io(vm, &e);
}

static void devices(const char *arg)
{
	struct vm vm;
	struct uart16550 uart;
	uint8_t b[8];
	(void)arg;
	memset(&vm, 0, sizeof(vm));
	memset(&uart, 0, sizeof(uart));
	memset(console, 0, sizeof(console));
	vm.console = fmemopen(console, sizeof(console), "w");
	vm_add_device(&vm, &uart16550_ops, &uart);
	vm_add_device(&vm, &debug_exit_ops, NULL);
	vm_add_device(&vm, &post_port_ops, NULL);
	memcpy(b, "hey", 3);
	io(&vm, 0x3F8, 1, b, 1, 3); /* rep outsb: three bytes */
	b[0] = 0x80;
	io(&vm, 0x3FB, 1, b, 1, 1); /* LCR.DLAB */
	b[0] = 0x0c;
	io(&vm, 0x3F8, 1, b, 1, 1); /* divisor latch, not the console */
	b[0] = 0x03;
	io(&vm, 0x3FB, 1, b, 1, 1);
	io(&vm, 0x3FD, 0, b, 1, 1);
	CHECK(b[0] == 0x60, "LSR 0x%x: transmitter empty", b[0]);
	io(&vm, 0x3FA, 0, b, 1, 1);
	CHECK(b[0] == 0x01, "IIR 0x%x: no interrupt pending", b[0]);
	fflush(vm.console);
	CHECK(strcmp(console, "hey") == 0 && uart.dll == 0x0c, "console \"%s\", dll 0x%x", console, uart.dll);
	io(&vm, 0x1234, 0, b, 2, 1);
	CHECK(b[0] == 0xff && b[1] == 0xff && vm.stats.unhandled_io == 1, "unclaimed port reads all ones");
	memset(b, 0, sizeof(b));
	io(&vm, 0x3F8, 1, b, 3, 1); /* no 3-byte port accesses exist */
	CHECK(vm.stop == STOP_NONE, "bogus size ignored");
	struct vm_exit e;
	memset(&e, 0, sizeof(e));
	e.reason = EXIT_MMIO, e.mmio.addr = 0xfed00000, e.mmio.len = 4;
	bus_mmio(&vm, &e);
	CHECK(e.mmio.data[0] == 0xff && vm.stats.unhandled_mmio == 1, "unclaimed MMIO reads all ones");
	b[0] = 5;
	io(&vm, 0xF4, 1, b, 1, 1);
	CHECK(vm.stop == STOP_DEBUG_EXIT && vm.exit_value == 5, "debug exit value");
	b[0] = 7;
	io(&vm, 0xF4, 1, b, 1, 1);
	CHECK(vm.exit_value == 5, "the first stop wins");
	fclose(vm.console);
}

void suite_vmm(void)
{
	if (load_guest()) {
		skip_case("vmm", "elf", "build/guests/compute.elf not built");
	} else {
		for (size_t i = 0; i < sizeof(elf_cases) / sizeof(elf_cases[0]); i++) {
			char name[64];
			snprintf(name, sizeof(name), "elf-%s", elf_cases[i].name);
			run_case("vmm", name, elf_case, (const char *)&elf_cases[i]);
		}
	}
	run_case("vmm", "devices", devices, NULL);
	free(image);
}
