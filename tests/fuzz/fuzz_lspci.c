#include "probe/assess.h"
#include "probe/pci.h"
#include "tests/fuzz/fuzz_input.h"

#include <string.h>

static void one(const char *path)
{
	char err[1024];
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
}

FUZZ_FILE_TARGET(one)
