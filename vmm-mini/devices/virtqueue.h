/* Split virtqueues (virtio 1.x, 2.6). Everything the guest wrote is
 * untrusted: indices, lengths and addresses are checked against the queue
 * size and guest RAM before any byte is touched. */
#ifndef VMM_VIRTQUEUE_H
#define VMM_VIRTQUEUE_H
#include <stdint.h>

#include "vmm-mini/vmm.h"

#define VQ_MAX_SIZE 256
#define VQ_MAX_SEGS 260 /* a chain may not be longer than the queue */

struct vq {
	uint16_t num, last_avail;
	int ready;
	uint64_t desc, avail, used; /* guest-physical */
};

struct vq_seg {
	uint8_t *p; /* host pointer into guest RAM */
	uint32_t len;
	int writable; /* device writes it */
};

struct vq_req {
	uint16_t head;
	int nseg;
	struct vq_seg seg[VQ_MAX_SEGS];
};

/* Next available chain: 1 got one, 0 none pending, -1 malformed (why set;
 * the queue is then left alone: a broken driver gets no more service). */
int vq_pop(struct vm *vm, struct vq *q, struct vq_req *r, const char **why);
/* Returns a chain to the driver with `written` bytes produced. */
int vq_push(struct vm *vm, struct vq *q, uint16_t head, uint32_t written);
#endif
