#include "common/grow.h"
#include "probe/pci.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pci_list_init(struct pci_list *l)
{
	memset(l, 0, sizeof(*l));
}

void pci_list_free(struct pci_list *l)
{
	free(l->dev);
	pci_list_init(l);
}

void pci_info_blank(struct pci_info *d)
{
	memset(d, 0, sizeof(*d));
	d->vendor = d->device = d->subvendor = d->subdevice = PCI_ID_UNKNOWN;
	d->rev = -1;
	d->sriov = d->sriov_total_vfs = d->sriov_num_vfs = -1;
	d->acs = d->ari = -1;
	d->iommu_group = -1;
}

struct pci_info *pci_list_add(struct pci_list *l)
{
	if (grow_array((void **)&l->dev, &l->cap, l->n, sizeof(*l->dev)))
		return NULL;
	struct pci_info *d = &l->dev[l->n++];
	pci_info_blank(d);
	return d;
}

#define PCI_MAX_DOMAIN 0xfffffu /* what lspci and libpci's dump reader print and read: five hex digits */

int pci_bdf_check(unsigned domain, unsigned bus, unsigned dev, unsigned func, char *why, size_t whylen)
{
	const struct {
		const char *what;
		unsigned v, max;
	} f[] = {{"domain", domain, PCI_MAX_DOMAIN}, {"bus", bus, 0xff}, {"device", dev, 0x1f}, {"function", func, 7}};
	for (size_t i = 0; i < sizeof(f) / sizeof(*f); i++) {
		if (f[i].v > f[i].max) {
			snprintf(why, whylen, "%s number 0x%x is beyond 0x%x", f[i].what, f[i].v, f[i].max);
			return -1;
		}
	}
	return 0;
}

static int by_bdf_then_index(const void *a, const void *b, void *list)
{
	const struct pci_list *l = list;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const struct pci_info *x = &l->dev[i], *y = &l->dev[j];
	unsigned kx[4] = {x->domain, x->bus, x->dev, x->func}, ky[4] = {y->domain, y->bus, y->dev, y->func};
	for (int k = 0; k < 4; k++)
		if (kx[k] != ky[k])
			return kx[k] < ky[k] ? -1 : 1;
	return i < j ? -1 : i > j;
}

int pci_list_duplicate(const struct pci_list *l, size_t *first, size_t *second)
{
	size_t *ix = malloc((l->n ? l->n : 1) * sizeof(*ix));
	int found = 0;
	if (!ix)
		return -1;
	for (size_t i = 0; i < l->n; i++)
		ix[i] = i;
	qsort_r(ix, l->n, sizeof(*ix), by_bdf_then_index, (void *)l);
	for (size_t k = 1; k < l->n; k++) {
		const struct pci_info *x = &l->dev[ix[k - 1]], *y = &l->dev[ix[k]];
		int same = x->domain == y->domain && x->bus == y->bus && x->dev == y->dev && x->func == y->func;
		if (same && (!found || ix[k] < *second)) {
			*first = ix[k - 1], *second = ix[k];
			found = 1;
		}
	}
	free(ix);
	return found;
}
