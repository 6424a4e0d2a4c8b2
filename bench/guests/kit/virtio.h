/* A minimal virtio-mmio driver (virtio 1.x, split queues, polling): enough
 * for virtio-console output and virtio-blk requests, on vmm-mini --pv and on
 * QEMU -M microvm alike (both put virtio-mmio at 0xFEB00000 + 512 * slot). */
#ifndef KIT_VIRTIO_H
#define KIT_VIRTIO_H
#include <stdint.h>

#define VQ_SIZE 256

struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

struct vqueue {
	struct vq_desc desc[VQ_SIZE];
	uint16_t avail_flags, avail_idx, avail_ring[VQ_SIZE], used_event;
	uint8_t pad[4096 - (16 * VQ_SIZE + 6 + 2 * VQ_SIZE) % 4096];
	uint16_t used_flags;
	volatile uint16_t used_idx;
	struct {
		uint32_t id, len;
	} used_ring[VQ_SIZE];
} __attribute__((aligned(4096)));

struct vdev {
	volatile uint32_t *regs;
	uint32_t id;
	struct vqueue *q;
	uint16_t qidx;
	uint64_t notifies;
	int use_irq;       /* wait with sti; hlt for the device's interrupt */
	uint32_t vector;   /* its LAPIC vector (vmm-mini: 33 console, 34 blk) */
};
extern volatile uint64_t virtio_interrupts;
/* Takes the device's interrupts on `vector` instead of polling. */
void virtio_use_irq(struct vdev *d, uint32_t vector);

/* Finds the device of type id (2 blk, 3 console) and sets up queue qidx.
 * 0, or -1 if there is none. */
int virtio_open(struct vdev *d, uint32_t id, uint16_t qidx, struct vqueue *q);
/* Submits a chain of n buffers (writable[i]: device writes it) and waits
 * until the device has used it; returns the used length. */
uint32_t virtio_submit(struct vdev *d, void *const *buf, const uint32_t *len, const int *writable, int n);
uint64_t virtio_config64(struct vdev *d, unsigned off);
#endif
