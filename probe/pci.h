/* PCI devices as the probe knows them, from libpci (live or a config-space
 * dump through PCI_ACCESS_DUMP) or from lspci -nn / -nnk / -vvnn text. */
#ifndef HVCERT_PCI_H
#define HVCERT_PCI_H
#include <stddef.h>
#include <stdint.h>

#define PCI_ID_UNKNOWN 0xFFFFFFFFu /* an ID the source did not show */

struct pci_info {
	unsigned domain, bus, dev, func;
	uint32_t vendor, device, subvendor, subdevice; /* PCI_ID_UNKNOWN if not shown */
	uint32_t class_code;			       /* base<<16 | sub<<8 | prog-if; prog-if 0 if not shown */
	int rev;				       /* -1 unknown */
	char class_name[64], vendor_name[96], device_name[160];
	char driver[48]; /* "" when none bound or not known */
	char modules[96];
	int driver_known; /* 1 when the source tells bound drivers */
	/* PCIe link, 0 when no PCIe capability or unknown. Speeds in GT/s*10. */
	int link_known;
	int cap_speed, cap_width, sta_speed, sta_width;
	int sriov, sriov_total_vfs, sriov_num_vfs; /* -1 unknown */
	int acs, ari;				   /* -1 unknown */
	int is_vf;
	int iommu_group; /* -1 unknown */
};

struct pci_list {
	struct pci_info *dev;
	size_t n, cap;
	char source[256];
	int caps_known; /* capabilities (link, SR-IOV, ACS, ARI) were readable */
};

void pci_list_init(struct pci_list *l);
void pci_list_free(struct pci_list *l);
struct pci_info *pci_list_add(struct pci_list *l);
void pci_info_blank(struct pci_info *d);

/* 0 when DOMAIN:BUS:DEV.FUNC is an address PCI has, else -1 with why. The
 * domain may pass 16 bits: Linux numbers Intel VMD domains from 0x10000. */
int pci_bdf_check(unsigned domain, unsigned bus, unsigned dev, unsigned func, char *why, size_t whylen);
/* The first device (in list order) whose BDF an earlier one has: 1 with
 * both indexes (*first < *second), 0 when every BDF is listed once, -1
 * out of memory. */
int pci_list_duplicate(const struct pci_list *l, size_t *first, size_t *second);

/* The PCI dump at PATH checked line by line (pci_dump.c) and rewritten as
 * the lines libpci's dump method reads: 0 with *text (malloc'd), or -1. */
int pci_dump_check(const char *path, char **text, size_t *len, char *err, size_t errlen);

/* sysroot: NULL for the live system. 0 or -1 with err. */
int pci_read_libpci(const char *sysroot, struct pci_list *l, char *err, size_t errlen);
int pci_read_dump(const char *path, struct pci_list *l, char *err, size_t errlen);
int pci_read_lspci_text(const char *path, struct pci_list *l, char *err, size_t errlen);
#endif
