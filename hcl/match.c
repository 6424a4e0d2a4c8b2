/* How entries match a CPU or a PCI device (docs/hcl-format.md, Matching). */
#include "hcl/certify.h"

#include <string.h>

long hcl_cpu_span(const struct hcl_cpu *e, const char *vendor, unsigned fam, unsigned model, unsigned step)
{
	if (strcmp(e->vendor, vendor) != 0 || fam < e->fam_lo || fam > e->fam_hi || model < e->mod_lo ||
	    model > e->mod_hi || step < e->step_lo || step > e->step_hi)
		return -1;
	/* Model range dominates; stepping range breaks ties. */
	long mspan = (long)(e->mod_hi - e->mod_lo) + (long)(e->fam_hi - e->fam_lo) * 256;
	long sspan = e->step_hi == 0xffffffffu ? 16 : (long)(e->step_hi - e->step_lo);
	return mspan * 32 + sspan;
}

static int id_match(uint32_t want, uint32_t have)
{
	return want == HCL_ANY || (have != PCI_ID_UNKNOWN && want == have);
}

int hcl_pci_score(const struct hcl_pci *e, const struct pci_info *d)
{
	if (!id_match(e->ven, d->vendor) || !id_match(e->dev, d->device) || !id_match(e->sven, d->subvendor) ||
	    !id_match(e->sdev, d->subdevice))
		return -1;
	if (e->class_digits) {
		int shift = (6 - e->class_digits) * 4;
		if ((d->class_code >> shift) != e->class_code)
			return -1;
	}
	return (e->sven != HCL_ANY && e->sdev != HCL_ANY ? 8 : 0) + (e->dev != HCL_ANY ? 4 : 0) +
	       (e->ven != HCL_ANY ? 2 : 0) + (e->class_digits ? 1 : 0);
}
