/* vSAN HCL all.json (hcl/import_vendor.c) into HCL. */
#include "hcl/import.h"
#include "tests/fuzz/fuzz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_run_file_import(data, size, import_vsan_json);
}
