/* The local APIC the bt backend models (KVM has one in the kernel): the
 * registers the kit uses, the timer (one-shot/periodic, bus clock 1 GHz as
 * KVM's, so a count is a nanosecond before division), MSIs from virtio and
 * EOI with in-service priority. No x2APIC, no IPIs (one vCPU). */
#include <string.h>

#include "vmm-mini/bt/bt.h"

#define LVT_MASKED   (1u << 16)
#define LVT_PERIODIC (1u << 17)

void lapic_reset(struct bt_lapic *l)
{
	memset(l, 0, sizeof(*l));
	l->svr = 0xFF;
	l->lvt_timer = l->lvt_err = l->lvt_lint0 = l->lvt_lint1 = LVT_MASKED;
	l->dfr = 0xFFFFFFFFu;
}

static uint32_t divisor(uint32_t dcr)
{
	uint32_t v = ((dcr >> 1) & 4) | (dcr & 3);
	return v == 7 ? 1 : 2u << v;
}

static int highest(const uint32_t *bits)
{
	for (int i = 7; i >= 0; i--)
		if (bits[i])
			return i * 32 + 31 - __builtin_clz(bits[i]);
	return -1;
}

void lapic_set_irr(struct bt_lapic *l, int v)
{
	if (v >= 16 && v < 256)
		l->irr[v / 32] |= 1u << (v % 32);
}

void lapic_tick(struct bt_lapic *l, uint64_t now)
{
	if (!l->deadline_ns || now < l->deadline_ns)
		return;
	if (!(l->lvt_timer & LVT_MASKED))
		lapic_set_irr(l, (int)(l->lvt_timer & 0xFF));
	if ((l->lvt_timer & LVT_PERIODIC) && l->period_ns) {
		uint64_t missed = (now - l->deadline_ns) / l->period_ns + 1; /* ticks coalesce, as IRR is one bit */
		l->deadline_ns += missed * l->period_ns;
	} else {
		l->deadline_ns = 0;
	}
}

int lapic_pending(const struct bt_lapic *l)
{
	if (!(l->svr & 0x100))
		return -1;
	int irr = highest(l->irr), isr = highest(l->isr);
	if (irr < 0 || (isr >= 0 && (irr >> 4) <= (isr >> 4)) || (irr >> 4) <= (int)((l->tpr >> 4) & 15))
		return -1;
	return irr;
}

/* What inline sti/popf/cr8 compare the TPR against (inline.c). */
int lapic_pending_class(const struct bt_lapic *l)
{
	if (!(l->svr & 0x100))
		return 0;
	int irr = highest(l->irr), isr = highest(l->isr);
	if (irr < 0 || (isr >= 0 && (irr >> 4) <= (isr >> 4)))
		return 0;
	return irr >> 4;
}

void lapic_accept(struct bt_lapic *l, int v)
{
	l->irr[v / 32] &= ~(1u << (v % 32));
	l->isr[v / 32] |= 1u << (v % 32);
}

static void start_timer(struct bt_lapic *l)
{
	l->period_ns = (uint64_t)l->icount * divisor(l->divide);
	l->t_start_ns = bt_now_ns();
	l->deadline_ns = l->icount ? l->t_start_ns + l->period_ns : 0;
}

void lapic_read(struct bt_lapic *l, uint32_t off, uint32_t *v)
{
	switch (off) {
	case 0x20: *v = 0; break;	/* ID */
	case 0x30: *v = 0x50014; break; /* version 0x14, 6 LVTs */
	case 0x80: *v = l->tpr; break;
	case 0xD0: *v = l->ldr; break;
	case 0xE0: *v = l->dfr; break;
	case 0xF0: *v = l->svr; break;
	case 0x280: *v = l->esr; break;
	case 0x320: *v = l->lvt_timer; break;
	case 0x350: *v = l->lvt_lint0; break;
	case 0x360: *v = l->lvt_lint1; break;
	case 0x370: *v = l->lvt_err; break;
	case 0x380: *v = l->icount; break;
	case 0x390: {
		uint64_t now = bt_now_ns(), per = l->period_ns;
		*v = !l->deadline_ns || !per || now >= l->deadline_ns
			 ? 0
			 : (uint32_t)((l->deadline_ns - now) / divisor(l->divide));
		break;
	}
	case 0x3E0: *v = l->divide; break;
	default:
		if (off >= 0x100 && off < 0x180)
			*v = l->isr[(off - 0x100) / 16];
		else if (off >= 0x200 && off < 0x280)
			*v = l->irr[(off - 0x200) / 16];
		else
			*v = 0;
	}
}

void lapic_write(struct bt_lapic *l, uint32_t off, uint32_t v)
{
	switch (off) {
	case 0x80: l->tpr = v & 0xFF; break;
	case 0xB0: { /* EOI: the highest in-service vector */
		int isr = highest(l->isr);
		if (isr >= 0)
			l->isr[isr / 32] &= ~(1u << (isr % 32));
		break;
	}
	case 0xD0: l->ldr = v; break;
	case 0xE0: l->dfr = v; break;
	case 0xF0: l->svr = v & 0x3FF; break;
	case 0x280: l->esr = 0; break;
	case 0x320: l->lvt_timer = v & (0xFF | LVT_MASKED | LVT_PERIODIC); break;
	case 0x350: l->lvt_lint0 = v; break;
	case 0x360: l->lvt_lint1 = v; break;
	case 0x370: l->lvt_err = v; break;
	case 0x380:
		l->icount = v;
		start_timer(l);
		break;
	case 0x3E0: l->divide = v & 0xB; break;
	default: break;
	}
}
