#include "tests/fuzz/fuzz_input.h"
#include "probe/pci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[1024];
	int fd = fuzz_as_file(data, size, path, sizeof(path));
	if (fd < 0)
		return 0;
	struct pci_list l;
	pci_list_init(&l);
	pci_read_dump(path, &l, err, sizeof(err));
	pci_list_free(&l);
	close(fd);
	return 0;
}
