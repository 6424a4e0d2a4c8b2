#include "grow.h"
#include "pci.h"

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
