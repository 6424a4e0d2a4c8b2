/* Arbitrary bytes as guest code, translated (not run): decoding, the
 * classification and every rewrite must either emit code or refuse with a
 * message, never write outside their buffers (ASan) or crash. The code page
 * is identity mapped; translation stops at the first block end. */
#include <string.h>

#include "vmm-mini/bt/bt.h"

#define CODE 0x100000ull

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vm vm;
	static int ready;
	if (!ready) {
		char err[256];
		if (vm_init(&vm, &bt_accel, 4, err, sizeof(err)))
			return 0;
		uint64_t pt[3] = {0x2000 | 7, 0x3000 | 7, 0x87};
		memcpy(vm.ram + 0x1000, &pt[0], 8), memcpy(vm.ram + 0x2000, &pt[1], 8),
		    memcpy(vm.ram + 0x3000, &pt[2], 8);
		struct boot_state bs = {.rip = CODE, .cr3 = 0x1000};
		if (vm.accel->set_boot_state(&vm, &bs))
			return 0;
		ready = 1;
	}
	struct bt *bt = BT(&vm);
	if (size > 4096)
		size = 4096;
	memset(vm.ram + CODE, 0xF4, 8192); /* hlt after the input */
	memcpy(vm.ram + CODE, data, size);
	bt_cache_flush(bt);
	uint8_t *host;
	for (int single = 0; single < 2; single++) {
		bt->cpu.exc.pending = 0;
		vm.err[0] = 0;
		int r = bt_translate(bt, CODE, single, &host);
		if (r < 0 && !vm.err[0])
			__builtin_trap(); /* a refusal must say why */
		if (r == 0 && (host < bt->tc.cache || host >= bt->tc.cache + BT_CACHE_SIZE))
			__builtin_trap();
	}
	return 0;
}
