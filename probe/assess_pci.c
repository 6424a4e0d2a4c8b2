/* One finding per PCI device: IDs, class, driver, PCIe link, SR-IOV/ACS/ARI. */
#include "probe/assess.h"

#include <stdio.h>
#include <string.h>

#define G "pci"

static void id4(char *out, size_t n, uint32_t id)
{
	if (id == PCI_ID_UNKNOWN)
		snprintf(out, n, "????");
	else
		snprintf(out, n, "%04x", id & 0xffff);
}

static void link_text(const struct pci_info *d, char *out, size_t n, int *downgraded)
{
	*downgraded = 0;
	out[0] = '\0';
	if (!d->link_known || !d->cap_speed)
		return;
	*downgraded = d->sta_speed && (d->sta_speed < d->cap_speed || d->sta_width < d->cap_width);
	snprintf(out, n, "; link %d.%dGT/s x%d of %d.%dGT/s x%d", d->sta_speed / 10, d->sta_speed % 10, d->sta_width,
		 d->cap_speed / 10, d->cap_speed % 10, d->cap_width);
}

static void caps_text(const struct pci_info *d, char *out, size_t n)
{
	out[0] = '\0';
	if (d->sriov > 0)
		snprintf(out, n, "; SR-IOV %d VFs", d->sriov_total_vfs);
	size_t l = strlen(out);
	if (d->acs > 0)
		snprintf(out + l, n - l, "; ACS");
	l = strlen(out);
	if (d->ari > 0)
		snprintf(out + l, n - l, "; ARI");
}

static void one(struct findings *fs, const struct pci_info *d)
{
	char bdf[32], dv[5], sv[5], sd[5], vend[5], link[96], caps[64], val[512];
	snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.%x", d->domain, d->bus, d->dev, d->func);
	id4(vend, sizeof(vend), d->vendor);
	id4(dv, sizeof(dv), d->device);
	id4(sv, sizeof(sv), d->subvendor);
	id4(sd, sizeof(sd), d->subdevice);
	int down;
	link_text(d, link, sizeof(link), &down);
	caps_text(d, caps, sizeof(caps));
	snprintf(val, sizeof(val), "[%s:%s] (%s:%s) class %06x %s: %.60s%s%s%s%s", vend, dv, sv, sd, d->class_code,
		 d->class_name, d->device_name, d->driver_known ? "; driver " : "",
		 d->driver_known ? (d->driver[0] ? d->driver : "none") : "", link, caps);
	if (down)
		add_finding(fs, G, bdf, ST_WARN, val,
			    "PCIe link trained below its capability (slot, riser or power state)");
	else
		add_finding(fs, G, bdf, ST_INFO, val, NULL);
}

void assess_pci(const struct probe *p, struct findings *fs)
{
	if (!p->pci_present) {
		add_finding(fs, G, "devices", ST_INFO, "not read", "%s", p->pci_note);
		return;
	}
	char v[320];
	snprintf(v, sizeof(v), "%zu devices", p->pci.n);
	add_finding(fs, G, "devices", ST_INFO, v, "%s",
		    p->pci.caps_known
			? "source on the report's first line"
			: "no capabilities in this source (on the report's first line): link, SR-IOV, ACS unknown");
	for (size_t i = 0; i < p->pci.n; i++)
		one(fs, &p->pci.dev[i]);
}
