/* A guest image is untrusted (--disk aside, the one file vmm-mini reads):
 * the loader must refuse with a message or load only inside guest RAM, and
 * the feature-note reader must stay inside the file. The image is loaded
 * through the path, as vmm-mini does, into a 2 MiB guest. */
#include "tests/fuzz/fuzz_input.h"
#include "vmm-mini/vmm.h"

#include <string.h>

#define RAM (2u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vm vm;
	char path[64], err[256];
	if (!vm.ram) {
		vm.ram_size = RAM;
		vm.ram = calloc(1, RAM);
		if (!vm.ram)
			return 0;
	}
	int fd = fuzz_as_file(data, size, path, sizeof(path));
	if (fd < 0)
		return 0;
	uint64_t entry = 0;
	vm.err[0] = 0;
	if (elf_load(&vm, path, 0x100000, &entry) == 0) {
		if (entry < 0x100000 || entry >= RAM)
			__builtin_trap(); /* accepted an entry outside the loaded image */
	} else if (!vm.err[0])
		__builtin_trap(); /* a refusal must say why */
	uint32_t feat;
	elf_guest_features(path, &feat, err, sizeof(err));
	close(fd);
	return 0;
}
