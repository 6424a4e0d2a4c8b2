/* Queue notifications without an exit to vmm-mini: each queue's
 * QUEUE_NOTIFY write (its index as the datamatch) becomes an eventfd the
 * accelerator signals in the kernel (KVM_IOEVENTFD), and one device thread
 * serves the queue and raises the interrupt (KVM_SIGNAL_MSI is safe from any
 * thread). Under kvm_pvm an exit that reaches vmm-mini costs ~85k cycles,
 * an in-kernel one ~4k (docs/pvm.md): the notify is what a PV device pays. */
#include "vmm-mini/devices/virtio_mmio.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define MAX_FDS (8 * VIRTIO_MAX_QUEUES)

static struct {
	pthread_t thread;
	int running, used, stop_fd, n;
	struct vm *vm;
	struct pollfd fds[MAX_FDS + 1];
	struct virtio_dev *dev[MAX_FDS];
	uint32_t queue[MAX_FDS];
} nt = {.stop_fd = -1};

static void *serve(void *arg)
{
	(void)arg;
	for (;;) {
		if (poll(nt.fds, (nfds_t)nt.n + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return NULL;
		}
		if (nt.fds[nt.n].revents)
			return NULL; /* stop */
		for (int i = 0; i < nt.n; i++) {
			uint64_t count;
			if (!(nt.fds[i].revents & POLLIN) || read(nt.fds[i].fd, &count, sizeof(count)) != sizeof(count))
				continue;
			struct virtio_dev *d = nt.dev[i];
			pthread_mutex_lock(&d->lock);
			d->notifies += count;
			virtio_process(nt.vm, d, nt.queue[i]);
			pthread_mutex_unlock(&d->lock);
		}
	}
}

static void close_all(void)
{
	for (int i = 0; i < nt.n; i++)
		close(nt.fds[i].fd);
	if (nt.stop_fd >= 0)
		close(nt.stop_fd);
	nt.n = 0, nt.stop_fd = -1;
}

int virtio_notify_start(struct vm *vm, struct virtio_dev *const *devs, int n, char *why, size_t wn)
{
	if (!vm->accel->ioeventfd) {
		snprintf(why, wn, "%s has no ioeventfd", vm->accel->name);
		return -1;
	}
	nt.vm = vm;
	for (int d = 0; d < n; d++)
		for (int q = 0; q < devs[d]->ops->nqueues && nt.n < MAX_FDS; q++) {
			int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
			if (fd < 0 || vm->accel->ioeventfd(vm, devs[d]->base + 0x50, 4, (uint64_t)q, fd)) {
				snprintf(why, wn, "%s", fd < 0 ? strerror(errno) : vm->err);
				if (fd >= 0)
					close(fd);
				goto fail;
			}
			devs[d]->notify_fd[q] = fd;
			nt.fds[nt.n] = (struct pollfd){fd, POLLIN, 0};
			nt.dev[nt.n] = devs[d], nt.queue[nt.n++] = (uint32_t)q;
		}
	nt.stop_fd = eventfd(0, EFD_CLOEXEC);
	nt.fds[nt.n] = (struct pollfd){nt.stop_fd, POLLIN, 0};
	if (nt.stop_fd < 0 || pthread_create(&nt.thread, NULL, serve, NULL)) {
		snprintf(why, wn, "device thread: %s", strerror(errno));
		goto fail;
	}
	nt.running = nt.used = 1;
	return 0;
fail:
	/* KVM keeps what it registered; the fds it holds stay open, the
	 * eventfds we close just stop being read: notifies then exit. */
	for (int d = 0; d < n; d++)
		for (int q = 0; q < VIRTIO_MAX_QUEUES; q++)
			devs[d]->notify_fd[q] = -1;
	close_all();
	return -1;
}

void virtio_notify_stop(void)
{
	if (nt.running) {
		uint64_t one = 1;
		if (write(nt.stop_fd, &one, sizeof(one)) == sizeof(one))
			pthread_join(nt.thread, NULL);
		nt.running = 0;
	}
	close_all();
}

/* Whether notifies were served by the device thread in this run. */
int virtio_notify_active(void)
{
	return nt.used;
}

/* Not a device of its own: the way every virtio device's notifies reach
 * vmm-mini, set up once they were all added. */
static void notify_start(struct vm *vm, int verbose)
{
	struct virtio_dev *const *devs;
	char why[256];
	int n = virtio_mmio_devices(&devs);
	if (n && virtio_notify_start(vm, devs, n, why, sizeof(why)) && verbose)
		fprintf(stderr, "vmm-mini: virtio notifies exit to vmm-mini (%s)\n", why);
}

static void notify_stop(struct vm *vm)
{
	(void)vm;
	virtio_notify_stop();
}

static void notify_stats(const struct vm *vm, FILE *out)
{
	struct virtio_dev *const *devs;
	(void)vm;
	if (virtio_mmio_devices(&devs))
		fprintf(out, "@info virtio_notify=%s\n", virtio_notify_active() ? "ioeventfd" : "exit");
}

static const struct vmm_device virtio_notify_device = {
    .name = "virtio-notify", .start = notify_start, .stop = notify_stop, .stats = notify_stats};
VMM_DEVICE(virtio_notify_device);
