#include "probe/pci.h"
#include "tests/fuzz/fuzz_input.h"

static void one(const char *path)
{
	char err[1024];
	struct pci_list l;
	pci_list_init(&l);
	pci_read_dump(path, &l, err, sizeof(err));
	pci_list_free(&l);
}

FUZZ_FILE_TARGET(one)
