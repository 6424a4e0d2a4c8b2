/* A broken or hostile guest, chosen by do=...: the VMM must end each with a
 * clear message and status, never crash or hang.
 *   triple      load an empty IDT and raise #BP: triple fault
 *   jump        jump into guest-physical space that is not RAM
 *   storm       write to an unclaimed port forever (watchdog)
 *   wild-write  store outside guest RAM, then exit normally
 *   hang        cli; hlt (watchdog) */
#include "kit/kit.h"

static int is(const char *cmd, const char *want)
{
	while (*cmd && *cmd == *want)
		cmd++, want++;
	return !*want && (*cmd == ' ' || !*cmd);
}

static const char *action(void)
{
	const char *c = kit_cmdline();
	for (const char *p = c; *p; p++)
		if ((p == c || p[-1] == ' ') && p[0] == 'd' && p[1] == 'o' && p[2] == '=')
			return p + 3;
	return "";
}

void guest_main(void)
{
	const char *a = action();
	kit_printf("@hostile do=%s\n", a);
	if (is(a, "triple")) {
		struct __attribute__((packed)) {
			uint16_t limit;
			uint64_t base;
		} idt = { 0, 0 };
		__asm__ volatile("lidt %0; int3" ::"m"(idt));
	} else if (is(a, "jump")) {
		void (*nowhere)(void) = (void (*)(void))(uintptr_t)0x30000000; /* mapped, not RAM */
		nowhere();
	} else if (is(a, "storm")) {
		for (;;)
			outb(0x1234 & 0xff, 0);
	} else if (is(a, "wild-write")) {
		*(volatile uint64_t *)(uintptr_t)0x30000000 = 0xdeadbeef;
		kit_printf("@hostile survived wild write\n");
		return;
	} else if (is(a, "hang")) {
		/* kvm_pvm's hlt with the virtual IF clear may return at once: hang anyway. */
		kit_irq_disable();
		for (;;)
			__asm__ volatile("hlt");
	}
	kit_fail("hostile guest: unknown or survived action");
}
