#include "virtio.h"

#include "kit.h"

#define MMIO_BASE 0xFEB00000ull
#define SLOTS 24

enum {
	R_MAGIC = 0x000 / 4, R_VERSION = 0x004 / 4, R_DEVICE_ID = 0x008 / 4, R_DEV_FEATURES = 0x010 / 4,
	R_DEV_FEATURES_SEL = 0x014 / 4, R_DRV_FEATURES = 0x020 / 4, R_DRV_FEATURES_SEL = 0x024 / 4,
	R_QUEUE_SEL = 0x030 / 4, R_QUEUE_NUM_MAX = 0x034 / 4, R_QUEUE_NUM = 0x038 / 4, R_QUEUE_READY = 0x044 / 4,
	R_QUEUE_NOTIFY = 0x050 / 4, R_INTERRUPT_STATUS = 0x060 / 4, R_INTERRUPT_ACK = 0x064 / 4, R_STATUS = 0x070 / 4,
	R_DESC_LO = 0x080 / 4, R_DESC_HI = 0x084 / 4, R_AVAIL_LO = 0x090 / 4, R_AVAIL_HI = 0x094 / 4,
	R_USED_LO = 0x0a0 / 4, R_USED_HI = 0x0a4 / 4
};
enum { ACK = 1, DRIVER = 2, DRIVER_OK = 4, FEATURES_OK = 8 };

int virtio_open(struct vdev *d, uint32_t id, uint16_t qidx, struct vqueue *q)
{
	memset(d, 0, sizeof(*d)); /* polling unless virtio_use_irq() says otherwise */
	for (int s = 0; s < SLOTS; s++) {
		volatile uint32_t *r = (volatile uint32_t *)(uintptr_t)(MMIO_BASE + 0x200ull * s);
		if (r[R_MAGIC] != 0x74726976 || r[R_VERSION] != 2 || r[R_DEVICE_ID] != id)
			continue;
		r[R_STATUS] = 0;
		r[R_STATUS] = ACK | DRIVER;
		r[R_DEV_FEATURES_SEL] = 1;
		if (!(r[R_DEV_FEATURES] & 1))
			continue; /* no VIRTIO_F_VERSION_1 */
		r[R_DRV_FEATURES_SEL] = 1, r[R_DRV_FEATURES] = 1;
		r[R_DRV_FEATURES_SEL] = 0, r[R_DRV_FEATURES] = 0;
		r[R_STATUS] = ACK | DRIVER | FEATURES_OK;
		if (!(r[R_STATUS] & FEATURES_OK))
			continue;
		r[R_QUEUE_SEL] = qidx;
		uint32_t max = r[R_QUEUE_NUM_MAX];
		if (max < VQ_SIZE)
			kit_fail("virtio queue smaller than the driver's");
		memset(q, 0, sizeof(*q));
		r[R_QUEUE_NUM] = VQ_SIZE;
		uint64_t a = (uint64_t)(uintptr_t)q;
		r[R_DESC_LO] = (uint32_t)a, r[R_DESC_HI] = (uint32_t)(a >> 32);
		a = (uint64_t)(uintptr_t)&q->avail_flags;
		r[R_AVAIL_LO] = (uint32_t)a, r[R_AVAIL_HI] = (uint32_t)(a >> 32);
		a = (uint64_t)(uintptr_t)&q->used_flags;
		r[R_USED_LO] = (uint32_t)a, r[R_USED_HI] = (uint32_t)(a >> 32);
		r[R_QUEUE_READY] = 1;
		r[R_STATUS] = ACK | DRIVER | FEATURES_OK | DRIVER_OK;
		d->regs = r, d->id = id, d->q = q, d->qidx = qidx;
		return 0;
	}
	return -1;
}

volatile uint64_t virtio_interrupts;

uint32_t virtio_submit(struct vdev *d, void *const *buf, const uint32_t *len, const int *writable, int n)
{
	struct vqueue *q = d->q;
	uint16_t head = (uint16_t)(q->avail_idx % VQ_SIZE) * 0; /* one request in flight: descriptors from 0 */
	for (int i = 0; i < n; i++) {
		q->desc[head + i].addr = (uint64_t)(uintptr_t)buf[i];
		q->desc[head + i].len = len[i];
		q->desc[head + i].flags = (uint16_t)((i + 1 < n ? 1 : 0) | (writable[i] ? 2 : 0));
		q->desc[head + i].next = (uint16_t)(head + i + 1);
	}
	uint16_t want = (uint16_t)(q->used_idx + 1);
	uint64_t irqs = virtio_interrupts;
	q->avail_ring[q->avail_idx % VQ_SIZE] = head;
	__sync_synchronize();
	q->avail_idx++;
	__sync_synchronize();
	d->regs[R_QUEUE_NOTIFY] = d->qidx;
	d->notifies++;
	/* Interrupt-driven: sleep until the used buffer and its interrupt are
	 * both here (a device thread may complete after the notify returned). */
	for (unsigned long spin = 0; q->used_idx != want || (d->use_irq && virtio_interrupts == irqs); spin++) {
		if (d->use_irq)
			kit_irq_wait();
		if (spin > 4000000000ul)
			kit_fail("virtio device never used the buffer");
	}
	/* No acknowledgement here: the interrupt handler acknowledges, and a
	 * polling driver need not (two register accesses per request, each an
	 * exit to the VMM: ~170k cycles under kvm_pvm, docs/pvm.md). */
	return q->used_ring[(uint16_t)(want - 1) % VQ_SIZE].len;
}

static struct vdev *irq_dev[256];

static void on_virtio_irq(struct trap_frame *f)
{
	struct vdev *d = irq_dev[f->vector & 255];
	virtio_interrupts++;
	if (d)
		d->regs[R_INTERRUPT_ACK] = d->regs[R_INTERRUPT_STATUS];
	*(volatile uint32_t *)(uintptr_t)(KIT_LAPIC + 0xB0) = 0; /* EOI */
}

void virtio_use_irq(struct vdev *d, uint32_t vector)
{
	volatile uint32_t *svr = (volatile uint32_t *)(uintptr_t)(KIT_LAPIC + 0xF0);
	*svr |= 0x100; /* the local APIC must be software-enabled to accept it */
	irq_dev[vector & 255] = d;
	d->use_irq = 1, d->vector = vector;
	kit_set_trap((int)vector, on_virtio_irq);
}

uint64_t virtio_config64(struct vdev *d, unsigned off)
{
	volatile uint32_t *c = d->regs + 0x100 / 4 + off / 4;
	return (uint64_t)c[0] | (uint64_t)c[1] << 32;
}
