#include "probe/assess.h"
#include "tests/fuzz/fuzz_input.h"
#include "probe/pci.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[1024];
	int fd = fuzz_as_file(data, size, path, sizeof(path));
	if (fd < 0)
		return 0;
	struct probe p;
	probe_init(&p);
	if (pci_read_lspci_text(path, &p.pci, err, sizeof(err)) == 0) {
		struct findings fs;
		findings_init(&fs);
		p.pci_present = 1;
		assess_pci(&p, &fs);
		findings_free(&fs);
	}
	probe_free(&p);
	close(fd);
	return 0;
}
