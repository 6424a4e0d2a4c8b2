/* virtio-blk (device 2) backed by a file: IN/OUT through pread/pwrite, FLUSH
 * through fdatasync (VIRTIO_BLK_F_FLUSH offered, so writes are durable when
 * the driver asks). Requests: header (type, reserved, sector), data, status. */
#include "vmm-mini/devices/virtio_mmio.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define VIRTIO_BLK_F_FLUSH (1ull << 9)
enum { T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8 };
enum { S_OK = 0, S_IOERR = 1, S_UNSUPP = 2 };

int virtio_blk_open(struct virtio_blk_state *s, const char *path, char *err, size_t errlen)
{
	struct stat st;
	memset(s, 0, sizeof(*s));
	s->fd = open(path, O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (s->fd < 0 || fstat(s->fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (s->fd >= 0)
			close(s->fd);
		s->fd = -1;
		return -1;
	}
	/* The capacity is the file's size: a FIFO or a device has none we know. */
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file (a disk image is one)", path);
		close(s->fd);
		s->fd = -1;
		return -1;
	}
	s->sectors = (uint64_t)st.st_size / 512;
	return 0;
}

static void blk_config(struct virtio_dev *d, uint32_t off, void *data, int len)
{
	struct virtio_blk_state *s = d->state;
	uint8_t cfg[8];
	memcpy(cfg, &s->sectors, 8); /* capacity in 512-byte sectors */
	if (off < 8)
		memcpy(data, cfg + off, (size_t)(len < (int)(8 - off) ? len : (int)(8 - off)));
}

/* Data segments move `bytes` between the guest and the file at `pos`. */
static int transfer(struct virtio_blk_state *s, struct vq_req *r, int write, uint64_t sector, uint32_t *done)
{
	*done = 0;
	/* The guest's sector: bounded before it is scaled, so it cannot wrap. */
	if (sector > s->sectors)
		return S_IOERR;
	uint64_t pos = sector * 512;
	for (int i = 1; i < r->nseg - 1; i++) {
		struct vq_seg *g = &r->seg[i];
		if (g->writable == write) /* OUT data is read-only, IN data writable */
			return S_IOERR;
		if (pos + g->len < pos || (pos + g->len + 511) / 512 > s->sectors)
			return S_IOERR; /* past the end of the disk */
		ssize_t n = write ? pwrite(s->fd, g->p, g->len, (off_t)pos) : pread(s->fd, g->p, g->len, (off_t)pos);
		if (n != (ssize_t)g->len)
			return S_IOERR;
		pos += g->len;
		if (!write)
			*done += g->len;
	}
	return S_OK;
}

static int blk_request(struct vm *vm, struct virtio_dev *d, int q, struct vq_req *r)
{
	struct virtio_blk_state *s = d->state;
	struct {
		uint32_t type, reserved;
		uint64_t sector;
	} h;
	(void)vm, (void)q;
	if (r->nseg < 2 || r->seg[0].len < sizeof(h) || r->seg[0].writable || !r->seg[r->nseg - 1].writable ||
	    r->seg[r->nseg - 1].len < 1)
		return -1; /* no header or no status byte: not a request */
	memcpy(&h, r->seg[0].p, sizeof(h));
	uint32_t done = 0;
	uint8_t status;
	switch (h.type) {
	case T_IN: status = (uint8_t)transfer(s, r, 0, h.sector, &done), s->reads++; break;
	case T_OUT: status = (uint8_t)transfer(s, r, 1, h.sector, &done), s->writes++; break;
	case T_FLUSH: status = fdatasync(s->fd) ? S_IOERR : S_OK, s->flushes++; break;
	default: status = S_UNSUPP;
	}
	*r->seg[r->nseg - 1].p = status;
	return (int)done + 1;
}

const struct virtio_ops virtio_blk_ops = {"virtio-blk", 2, 1, VIRTIO_BLK_F_FLUSH, blk_config, blk_request};

/* Slot 1 and vector 34, where the reference guests' driver looks. */
static int blk_init(struct vm *vm, const char *path)
{
	static struct virtio_dev dev;
	static struct virtio_blk_state blk;
	if (virtio_blk_open(&blk, path, vm->err, sizeof(vm->err)))
		return -1;
	return virtio_mmio_add(vm, &dev, &virtio_blk_ops, 1, 34, &blk);
}

static const struct vmm_device virtio_blk_device = {.name = "virtio-blk",
						    .option = "disk",
						    .argname = "FILE",
						    .help =
							"virtio-blk backed by file FILE at 0xFEB00200, LAPIC vector 34",
						    .init = blk_init};
VMM_DEVICE(virtio_blk_device);
