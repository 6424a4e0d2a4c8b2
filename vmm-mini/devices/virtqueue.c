#include "vmm-mini/devices/virtqueue.h"

#include <string.h>

#define VIRTQ_DESC_F_NEXT     1
#define VIRTQ_DESC_F_WRITE    2
#define VIRTQ_DESC_F_INDIRECT 4

struct __attribute__((packed)) vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static volatile uint16_t *avail_idx(struct vm *vm, struct vq *q)
{
	return vm_gpa(vm, q->avail + 2, 2);
}

int vq_pop(struct vm *vm, struct vq *q, struct vq_req *r, const char **why)
{
	volatile uint16_t *ai = avail_idx(vm, q);
	if (!q->ready)
		return 0;
	/* virtio 1.x 2.6: descriptors 16-byte, available ring 2-byte, used ring
	 * 4-byte aligned. A guest that ignores it gets NEEDS_RESET, not
	 * misaligned loads (found by fuzz_virtio_blk). */
	if ((q->desc & 15) || (q->avail & 1) || (q->used & 3)) {
		*why = "queue rings misaligned (descriptors 16, available 2, used 4 bytes)";
		return -1;
	}
	if (!ai || !vm_gpa(vm, q->avail, 4 + 2u * q->num) || !vm_gpa(vm, q->desc, 16u * q->num)) {
		*why = "queue rings outside guest RAM";
		return -1;
	}
	uint16_t idx = *ai;
	if (idx == q->last_avail)
		return 0;
	if ((uint16_t)(idx - q->last_avail) > q->num) {
		*why = "available index ran ahead of the queue size";
		return -1;
	}
	__sync_synchronize(); /* read the ring entry after the index */
	const uint16_t *ring = vm_gpa(vm, q->avail + 4, 2u * q->num);
	uint16_t head = ring[q->last_avail % q->num], i = head;
	const struct vq_desc *tab = vm_gpa(vm, q->desc, 16u * q->num);
	r->head = head;
	r->nseg = 0;
	for (int steps = 0;; steps++) {
		if (i >= q->num || steps >= q->num || r->nseg == VQ_MAX_SEGS) {
			*why = i >= q->num ? "descriptor index out of range" : "descriptor chain loops or is too long";
			return -1;
		}
		struct vq_desc d;
		memcpy(&d, &tab[i], sizeof(d)); /* one read: the guest may change it under us */
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			*why = "indirect descriptor (not negotiated)";
			return -1;
		}
		uint8_t *p = vm_gpa(vm, d.addr, d.len);
		if (!p) {
			*why = "descriptor buffer outside guest RAM";
			return -1;
		}
		r->seg[r->nseg++] = (struct vq_seg){p, d.len, !!(d.flags & VIRTQ_DESC_F_WRITE)};
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			break;
		i = d.next;
	}
	q->last_avail++;
	return 1;
}

int vq_push(struct vm *vm, struct vq *q, uint16_t head, uint32_t written)
{
	uint8_t *used = vm_gpa(vm, q->used, 4 + 8u * q->num);
	if (!used)
		return -1;
	volatile uint16_t *uidx = (volatile uint16_t *)(used + 2);
	uint16_t u = *uidx;
	uint32_t elem[2] = {head, written};
	memcpy(used + 4 + 8u * (u % q->num), elem, sizeof(elem));
	__sync_synchronize(); /* the entry before the index */
	*uidx = (uint16_t)(u + 1);
	return 0;
}
