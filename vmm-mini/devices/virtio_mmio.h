/* virtio-mmio transport (virtio 1.x, 4.2, "version 2" registers) at the
 * addresses QEMU's -M microvm uses (0xFEB00000 + 512 * slot), and the
 * device behind it: one file per device (virtio_console.c, virtio_blk.c). */
#ifndef VMM_VIRTIO_MMIO_H
#define VMM_VIRTIO_MMIO_H
#include "vmm-mini/devices/virtqueue.h"

#include <pthread.h>

#define VIRTIO_MMIO_BASE  0xFEB00000ull
#define VIRTIO_MMIO_SIZE  0x200
#define VIRTIO_MAX_QUEUES 2

struct virtio_dev;

struct virtio_ops {
	const char *name;
	uint32_t device_id;
	int nqueues;
	uint64_t features; /* VIRTIO_F_VERSION_1 is added by the transport */
	/* Device-specific configuration space (offset from 0x100). */
	void (*config_read)(struct virtio_dev *d, uint32_t off, void *data, int len);
	/* A chain from queue q: returns bytes written into the chain, or -1
	 * when the request is malformed (the device is then marked broken). */
	int (*request)(struct vm *vm, struct virtio_dev *d, int q, struct vq_req *r);
};

struct virtio_dev {
	const struct virtio_ops *ops;
	uint64_t base;
	uint32_t status, dev_feat_sel, drv_feat_sel, queue_sel, isr;
	uint64_t driver_features;
	struct vq vq[VIRTIO_MAX_QUEUES];
	int broken;
	char broken_why[96];
	uint64_t notifies, requests, interrupts;
	uint32_t irq_vector; /* LAPIC vector for used-buffer interrupts; 0 = none */
	void *state;	     /* the device's own */
	/* With ioeventfd (virtio_notify.c) queues are served by a device thread:
	 * the lock orders it against register accesses from the vCPU thread. */
	pthread_mutex_t lock;
	int notify_fd[VIRTIO_MAX_QUEUES]; /* eventfds KVM signals on QUEUE_NOTIFY, or -1 */
	struct vq_req req;		  /* the chain being served (large: not on a stack) */
};

extern const struct device_ops virtio_mmio_ops; /* state: struct virtio_dev */
extern const struct virtio_ops virtio_console_ops;
extern const struct virtio_ops virtio_blk_ops;

struct virtio_blk_state {
	int fd;
	uint64_t sectors;
	uint64_t reads, writes, flushes;
};
/* Opens the backing file; 0 or -1 with err. */
int virtio_blk_open(struct virtio_blk_state *s, const char *path, char *err, size_t errlen);
/* Runs every pending request of queue q (exposed for tests). */
void virtio_process(struct vm *vm, struct virtio_dev *d, uint32_t q);
/* Before first use: the lock, no eventfds. */
void virtio_dev_init(struct virtio_dev *d);
/* Adds d (initialised here) as device ops in virtio-mmio slot `slot`
 * (VIRTIO_MMIO_BASE + 0x200 * slot), interrupting on LAPIC vector `vector`;
 * state is the device's own. 0, or -1 with vm->err. */
int virtio_mmio_add(struct vm *vm, struct virtio_dev *d, const struct virtio_ops *ops, unsigned slot, uint32_t vector,
		    void *state);
/* The devices virtio_mmio_add added, in order; returns how many. */
int virtio_mmio_devices(struct virtio_dev *const **out);

/* virtio_notify.c: QUEUE_NOTIFY writes as ioeventfds the accelerator
 * signals without an exit, served by one device thread. 0 on success; -1
 * with why (no ioeventfd in this accelerator, or KVM refused): notifies then
 * exit to vmm-mini as before. */
int virtio_notify_start(struct vm *vm, struct virtio_dev *const *devs, int n, char *why, size_t wn);
void virtio_notify_stop(void);
int virtio_notify_active(void);
#endif
