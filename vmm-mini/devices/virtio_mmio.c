#include "vmm-mini/devices/virtio_mmio.h"

#include <stdio.h>
#include <string.h>

#define VIRTIO_F_VERSION_1 (1ull << 32)
#define STATUS_FAILED	   0x80
#define STATUS_NEEDS_RESET 0x40

enum {
	R_MAGIC = 0x000,
	R_VERSION = 0x004,
	R_DEVICE_ID = 0x008,
	R_VENDOR_ID = 0x00c,
	R_DEV_FEATURES = 0x010,
	R_DEV_FEATURES_SEL = 0x014,
	R_DRV_FEATURES = 0x020,
	R_DRV_FEATURES_SEL = 0x024,
	R_QUEUE_SEL = 0x030,
	R_QUEUE_NUM_MAX = 0x034,
	R_QUEUE_NUM = 0x038,
	R_QUEUE_READY = 0x044,
	R_QUEUE_NOTIFY = 0x050,
	R_INTERRUPT_STATUS = 0x060,
	R_INTERRUPT_ACK = 0x064,
	R_STATUS = 0x070,
	R_QUEUE_DESC_LOW = 0x080,
	R_QUEUE_DESC_HIGH = 0x084,
	R_QUEUE_DRIVER_LOW = 0x090,
	R_QUEUE_DRIVER_HIGH = 0x094,
	R_QUEUE_DEVICE_LOW = 0x0a0,
	R_QUEUE_DEVICE_HIGH = 0x0a4,
	R_CONFIG_GENERATION = 0x0fc,
	R_CONFIG = 0x100
};

static struct vq *cur_queue(struct virtio_dev *d)
{
	return d->queue_sel < (uint32_t)d->ops->nqueues ? &d->vq[d->queue_sel] : NULL;
}

static void reset(struct virtio_dev *d)
{
	d->status = d->isr = d->dev_feat_sel = d->drv_feat_sel = d->queue_sel = 0;
	d->driver_features = 0;
	d->broken = 0;
	memset(d->vq, 0, sizeof(d->vq));
}

static void set_half(uint64_t *v, int high, uint32_t x)
{
	*v = high ? (*v & 0xffffffffull) | ((uint64_t)x << 32) : (*v & ~0xffffffffull) | x;
}

/* A malformed chain: the device stops and says why (virtio 2.1.2 NEEDS_RESET). */
static void mark_broken(struct vm *vm, struct virtio_dev *d, const char *why)
{
	(void)vm;
	if (!d->broken)
		fprintf(stderr, "vmm-mini: %s: guest driver error: %s\n", d->ops->name, why);
	d->broken = 1;
	d->status |= STATUS_NEEDS_RESET;
	snprintf(d->broken_why, sizeof(d->broken_why), "%s", why);
}

void virtio_dev_init(struct virtio_dev *d)
{
	pthread_mutex_init(&d->lock, NULL);
	for (int q = 0; q < VIRTIO_MAX_QUEUES; q++)
		d->notify_fd[q] = -1;
}

void virtio_process(struct vm *vm, struct virtio_dev *d, uint32_t q)
{
	struct vq_req *r = &d->req;
	const char *why = NULL;
	int rc;
	/* q is the guest's: unsigned, so 0x80000000 is out of range, not negative. */
	if (q >= (uint32_t)d->ops->nqueues || d->broken || !(d->status & 4)) /* DRIVER_OK */
		return;
	/* At most one queue's worth per notify: rings that overlap (a hostile
	 * driver can make our used-index writes move its available index)
	 * would otherwise keep this loop, and the VMM, busy forever. */
	for (unsigned budget = d->vq[q].num; budget-- && !d->broken && (rc = vq_pop(vm, &d->vq[q], r, &why)) != 0;) {
		if (rc < 0) {
			mark_broken(vm, d, why);
			break;
		}
		int n = d->ops->request(vm, d, (int)q, r);
		if (n < 0) {
			mark_broken(vm, d, "malformed request");
			break;
		}
		d->requests++;
		if (vq_push(vm, &d->vq[q], r->head, (uint32_t)n)) {
			mark_broken(vm, d, "used ring outside guest RAM");
			break;
		}
		d->isr |= 1; /* used buffer notification; the driver polls or takes it */
	}
	/* One interrupt per batch of completions, through the LAPIC like the timer. */
	if ((d->isr & 1) && d->irq_vector && vm_raise_msi(vm, d->irq_vector) == 0)
		d->interrupts++;
}

static void mmio_write_locked(struct vm *vm, void *state, uint64_t addr, const void *data, int len)
{
	struct virtio_dev *d = state;
	uint32_t v = 0, off = (uint32_t)(addr - d->base);
	struct vq *q = cur_queue(d);
	memcpy(&v, data, (size_t)(len > 4 ? 4 : len));
	switch (off) {
	case R_DEV_FEATURES_SEL: d->dev_feat_sel = v; break;
	case R_DRV_FEATURES_SEL: d->drv_feat_sel = v; break;
	case R_DRV_FEATURES:
		if (d->drv_feat_sel < 2)
			set_half(&d->driver_features, (int)d->drv_feat_sel, v);
		break;
	case R_QUEUE_SEL: d->queue_sel = v; break;
	case R_QUEUE_NUM:
		if (q)
			q->num = v && v <= VQ_MAX_SIZE && !(v & (v - 1)) ? (uint16_t)v : 0;
		break;
	case R_QUEUE_READY:
		if (q)
			q->ready = v == 1 && q->num;
		break;
	case R_QUEUE_NOTIFY:
		d->notifies++;
		virtio_process(vm, d, v);
		break;
	case R_INTERRUPT_ACK: d->isr &= ~v; break;
	case R_STATUS:
		if (v == 0)
			reset(d);
		else
			d->status = v;
		break;
	case R_QUEUE_DESC_LOW:
		if (q)
			set_half(&q->desc, 0, v);
		break;
	case R_QUEUE_DESC_HIGH:
		if (q)
			set_half(&q->desc, 1, v);
		break;
	case R_QUEUE_DRIVER_LOW:
		if (q)
			set_half(&q->avail, 0, v);
		break;
	case R_QUEUE_DRIVER_HIGH:
		if (q)
			set_half(&q->avail, 1, v);
		break;
	case R_QUEUE_DEVICE_LOW:
		if (q)
			set_half(&q->used, 0, v);
		break;
	case R_QUEUE_DEVICE_HIGH:
		if (q)
			set_half(&q->used, 1, v);
		break;
	default: break; /* read-only or unknown: ignored */
	}
}

static void mmio_write(struct vm *vm, void *state, uint64_t addr, const void *data, int len)
{
	struct virtio_dev *d = state;
	pthread_mutex_lock(&d->lock);
	mmio_write_locked(vm, state, addr, data, len);
	pthread_mutex_unlock(&d->lock);
}

static void mmio_read_locked(struct vm *vm, void *state, uint64_t addr, void *data, int len)
{
	struct virtio_dev *d = state;
	uint32_t v = 0, off = (uint32_t)(addr - d->base);
	uint64_t feat = d->ops->features | VIRTIO_F_VERSION_1;
	struct vq *q = cur_queue(d);
	(void)vm;
	if (off >= R_CONFIG) {
		memset(data, 0, (size_t)len);
		if (d->ops->config_read)
			d->ops->config_read(d, off - R_CONFIG, data, len);
		return;
	}
	switch (off) {
	case R_MAGIC: v = 0x74726976; break; /* "virt" */
	case R_VERSION: v = 2; break;
	case R_DEVICE_ID: v = d->ops->device_id; break;
	case R_VENDOR_ID: v = 0x554d4551; break; /* "QEMU", as QEMU reports */
	case R_DEV_FEATURES: v = d->dev_feat_sel < 2 ? (uint32_t)(feat >> (32 * d->dev_feat_sel)) : 0; break;
	case R_QUEUE_NUM_MAX: v = q ? VQ_MAX_SIZE : 0; break;
	case R_QUEUE_READY: v = q ? (uint32_t)q->ready : 0; break;
	case R_INTERRUPT_STATUS: v = d->isr; break;
	case R_STATUS: v = d->status; break;
	case R_CONFIG_GENERATION: v = 0; break;
	default: v = 0;
	}
	memset(data, 0, (size_t)len);
	memcpy(data, &v, (size_t)(len > 4 ? 4 : len));
}

static void mmio_read(struct vm *vm, void *state, uint64_t addr, void *data, int len)
{
	struct virtio_dev *d = state;
	pthread_mutex_lock(&d->lock);
	mmio_read_locked(vm, state, addr, data, len);
	pthread_mutex_unlock(&d->lock);
}

/* The bus finds a device by range: each virtio device is its own slot, so
 * the ops carry no fixed address; virtio_mmio_add() fills it in. */
const struct device_ops virtio_mmio_ops = {.name = "virtio-mmio", .mmio_read = mmio_read, .mmio_write = mmio_write};

/* The machine's virtio devices, for the notify thread (one machine per process). */
static struct virtio_dev *added[VMM_MAX_DEVICES];
static int nadded;

int virtio_mmio_add(struct vm *vm, struct virtio_dev *d, const struct virtio_ops *ops, unsigned slot, uint32_t vector,
		    void *state)
{
	if (nadded == VMM_MAX_DEVICES)
		return vm_fail(vm, "too many virtio devices");
	virtio_dev_init(d);
	d->ops = ops, d->base = VIRTIO_MMIO_BASE + slot * VIRTIO_MMIO_SIZE, d->irq_vector = vector, d->state = state;
	if (vm_add_mmio_device(vm, &virtio_mmio_ops, d, d->base, VIRTIO_MMIO_SIZE))
		return -1;
	added[nadded++] = d;
	return 0;
}

int virtio_mmio_devices(struct virtio_dev *const **out)
{
	*out = added;
	return nadded;
}
