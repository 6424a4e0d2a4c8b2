/* A broken or hostile guest, chosen by do=...: the VMM must end each with a
 * clear message and status, never crash or hang.
 *   triple      load an empty IDT and raise #BP: triple fault
 *   jump        jump into guest-physical space that is not RAM
 *   storm       write to an unclaimed port forever (watchdog)
 *   wild-write  store outside guest RAM, then exit normally
 *   hang        cli; hlt (watchdog)
 *   late-tick   a LAPIC timer interrupt arrives with no handler set (as a tick
 *               latched while the timer was being masked): counted, the guest
 *               goes on and exits normally */
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
	} else if (is(a, "late-tick")) {
		volatile uint32_t *lapic = (volatile uint32_t *)(uintptr_t)KIT_LAPIC;
		lapic[0xF0 / 4] = 0x100 | 0xFF; /* software enable */
		lapic[0x3E0 / 4] = 0xB;		/* divide by 1 */
		lapic[0x320 / 4] = 32;		/* one-shot, vector 32: no handler set */
		lapic[0x380 / 4] = 1000;
		for (int i = 0; i < 1000 && !kit_stray_interrupts; i++)
			kit_irq_wait();
		kit_printf("@hostile stray interrupts=%lu\n", (unsigned long)kit_stray_interrupts);
		kit_exit(kit_stray_interrupts == 1 ? 0 : 3);
	} else if (is(a, "hang")) {
		/* kvm_pvm's hlt with the virtual IF clear may return at once: hang anyway. */
		kit_irq_disable();
		for (;;)
			__asm__ volatile("hlt");
	}
	kit_fail("hostile guest: unknown or survived action");
}
