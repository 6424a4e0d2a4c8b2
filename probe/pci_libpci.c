/* libpci reader for the live bus (or a --sysroot tree through the sysfs
 * method) and its replay twin, libpci's own dump format (PCI_ACCESS_DUMP,
 * what `lspci -F` reads), so capabilities decode the same way in both. */
#include "probe/pci.h"
#include "probe/sysroot.h"

#include <errno.h>
#include <pci/pci.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* libpci's error callback must not return; we jump back instead of exit(). */
static jmp_buf pci_jmp;
static char pci_errmsg[256];

static void __attribute__((noreturn)) pci_error_cb(char *msg, ...)
{
	va_list ap;
	va_start(ap, msg);
	vsnprintf(pci_errmsg, sizeof(pci_errmsg), msg, ap);
	va_end(ap);
	longjmp(pci_jmp, 1);
}

static void pci_quiet_cb(char *msg, ...)
{
	(void)msg;
}

static int link_speed(unsigned code)
{
	static const int gts10[] = {0, 25, 50, 80, 160, 320, 640};
	return code < sizeof(gts10) / sizeof(gts10[0]) ? gts10[code] : 0;
}

static void read_link(struct pci_dev *p, struct pci_info *d)
{
	struct pci_cap *c = pci_find_cap(p, PCI_CAP_ID_EXP, PCI_CAP_NORMAL);
	if (!c)
		return;
	unsigned type = (pci_read_word(p, c->addr + PCI_EXP_FLAGS) & PCI_EXP_FLAGS_TYPE) >> 4;
	if (type == PCI_EXP_TYPE_ROOT_INT_EP || type == PCI_EXP_TYPE_ROOT_EC)
		return; /* root-complex integrated: no link */
	u32 cap = pci_read_long(p, c->addr + PCI_EXP_LNKCAP);
	u16 sta = pci_read_word(p, c->addr + PCI_EXP_LNKSTA);
	d->link_known = 1;
	d->cap_speed = link_speed(cap & PCI_EXP_LNKCAP_SPEED);
	d->cap_width = (cap & PCI_EXP_LNKCAP_WIDTH) >> 4;
	d->sta_speed = link_speed(sta & PCI_EXP_LNKSTA_SPEED);
	d->sta_width = (sta & PCI_EXP_LNKSTA_WIDTH) >> 4;
}

static void read_ext_caps(struct pci_dev *p, struct pci_info *d)
{
	struct pci_cap *c = pci_find_cap(p, PCI_EXT_CAP_ID_SRIOV, PCI_CAP_EXTENDED);
	d->sriov = c != NULL;
	d->sriov_total_vfs = c ? pci_read_word(p, c->addr + PCI_IOV_TOTALVF) : 0;
	d->sriov_num_vfs = c ? pci_read_word(p, c->addr + PCI_IOV_NUMVF) : 0;
	d->acs = pci_find_cap(p, PCI_EXT_CAP_ID_ACS, PCI_CAP_EXTENDED) != NULL;
	d->ari = pci_find_cap(p, PCI_EXT_CAP_ID_ARI, PCI_CAP_EXTENDED) != NULL;
}

static void names(struct pci_access *a, struct pci_dev *p, struct pci_info *d)
{
	char buf[256];
	const char *s = pci_lookup_name(a, buf, sizeof(buf), PCI_LOOKUP_VENDOR, p->vendor_id);
	snprintf(d->vendor_name, sizeof(d->vendor_name), "%s", s ? s : "");
	s = pci_lookup_name(a, buf, sizeof(buf), PCI_LOOKUP_DEVICE, p->vendor_id, p->device_id);
	snprintf(d->device_name, sizeof(d->device_name), "%s", s ? s : "");
	s = pci_lookup_name(a, buf, sizeof(buf), PCI_LOOKUP_CLASS, p->device_class);
	snprintf(d->class_name, sizeof(d->class_name), "%s", s ? s : "");
}

static void one_dev(struct pci_access *a, struct pci_dev *p, struct pci_info *d, int live)
{
	pci_fill_info(p, PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_CAPS | PCI_FILL_EXT_CAPS | PCI_FILL_CLASS_EXT |
			     PCI_FILL_SUBSYS | PCI_FILL_DRIVER | PCI_FILL_IOMMU_GROUP);
	d->domain = (unsigned)p->domain;
	d->bus = p->bus;
	d->dev = p->dev;
	d->func = p->func;
	d->vendor = p->vendor_id;
	d->device = p->device_id;
	/* 0000:0000 is "no subsystem" (lspci prints no Subsystem line for it). */
	if (p->known_fields & PCI_FILL_SUBSYS && p->subsys_vendor_id != 0xffff &&
	    (p->subsys_vendor_id || p->subsys_id)) {
		d->subvendor = p->subsys_vendor_id;
		d->subdevice = p->subsys_id;
	}
	d->class_code = (uint32_t)p->device_class << 8 | p->prog_if;
	d->rev = p->rev_id;
	names(a, p, d);
	const char *drv = pci_get_string_property(p, PCI_FILL_DRIVER);
	d->driver_known = live;
	snprintf(d->driver, sizeof(d->driver), "%s", drv ? drv : "");
	const char *grp = pci_get_string_property(p, PCI_FILL_IOMMU_GROUP);
	d->iommu_group = grp ? atoi(grp) : -1;
	read_link(p, d);
	read_ext_caps(p, d);
}

static int by_bdf(const void *a, const void *b)
{
	const struct pci_info *x = a, *y = b;
	unsigned kx[4] = {x->domain, x->bus, x->dev, x->func}, ky[4] = {y->domain, y->bus, y->dev, y->func};
	for (int i = 0; i < 4; i++)
		if (kx[i] != ky[i])
			return kx[i] < ky[i] ? -1 : 1;
	return 0;
}

static int scan(struct pci_access *a, struct pci_list *l, int live, char *err, size_t errlen)
{
	volatile int rc = -1;
	if (setjmp(pci_jmp)) {
		snprintf(err, errlen, "%s: libpci: %s", l->source, pci_errmsg);
		return -1;
	}
	pci_init(a);
	pci_scan_bus(a);
	for (struct pci_dev *p = a->devices; p; p = p->next) {
		struct pci_info *d = pci_list_add(l);
		if (!d) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		one_dev(a, p, d, live);
	}
	l->caps_known = 1;
	/* The bus order of sysfs directory entries is not stable: sort by BDF. */
	if (l->n)
		qsort(l->dev, l->n, sizeof(*l->dev), by_bdf);
	rc = 0;
	return rc;
}

static int run(struct pci_access *a, struct pci_list *l, int live, char *err, size_t errlen)
{
	/* Names come from pci.ids; libpci's udev hwdb path leaks a udev context. */
	pci_set_param(a, "hwdb.disable", "1");
	a->error = pci_error_cb;
	a->warning = pci_quiet_cb;
	a->debug = pci_quiet_cb;
	int rc = scan(a, l, live, err, errlen);
	pci_cleanup(a);
	return rc;
}

int pci_read_libpci(const char *sysroot, struct pci_list *l, char *err, size_t errlen)
{
	struct pci_access *a = pci_alloc();
	snprintf(l->source, sizeof(l->source), "live");
	if (sysroot && *sysroot) {
		sysroot_path(sysroot, "/sys/bus/pci", l->source, sizeof(l->source));
		a->method = PCI_ACCESS_SYS_BUS_PCI;
		pci_set_param(a, "sysfs.path", l->source);
	}
	return run(a, l, 1, err, errlen);
}

/* libpci opens the dump itself and would block on a FIFO or read a file
 * changed since: it gets the checked text in a memory file instead. */
static int memory_file(const char *text, size_t len, char *name, size_t n)
{
	int fd = memfd_create("hvcert-pci-dump", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)w;
	}
	snprintf(name, n, "/proc/self/fd/%d", fd);
	return fd;
}

int pci_read_dump(const char *path, struct pci_list *l, char *err, size_t errlen)
{
	char *text, name[64];
	size_t len;
	snprintf(l->source, sizeof(l->source), "%s", path);
	if (pci_dump_check(path, &text, &len, err, errlen))
		return -1;
	int fd = memory_file(text, len, name, sizeof(name));
	free(text);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot hand the dump to libpci: %s", path, strerror(errno));
		return -1;
	}
	struct pci_access *a = pci_alloc();
	a->method = PCI_ACCESS_DUMP;
	pci_set_param(a, "dump.name", name);
	int rc = run(a, l, 0, err, errlen);
	close(fd);
	if (rc == 0 && l->n == 0) {
		snprintf(err, errlen, "%s: no devices in dump (expected lspci -x output)", path);
		return -1;
	}
	return rc;
}
