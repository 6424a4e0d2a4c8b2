/* The probe document (schema "hvcert-probe/1", docs/probe-json.md) through
 * jansson. Raw inputs are saved whole and decoded again on load, so
 * `probe --load` reports exactly what the original probe did. */
#include "common/safefile.h"
#include "probe/assess.h"
#include "probe/probe.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SCHEMA "hvcert-probe/1"

static json_t *hex32(uint32_t v)
{
	char b[16];
	snprintf(b, sizeof(b), "0x%08x", v);
	return json_string(b);
}

static json_t *raw_to_json(const struct cpu_raw *r)
{
	json_t *leaves = json_array(), *msrs = json_array(), *apic = json_array();
	for (size_t i = 0; i < r->nleaves; i++) {
		const struct cpuid_entry *e = &r->leaves[i];
		json_array_append_new(leaves,
				      json_pack("[o,i,o,o,o,o]", hex32(e->leaf), (int)e->subleaf, hex32(e->r[0]),
						hex32(e->r[1]), hex32(e->r[2]), hex32(e->r[3])));
	}
	for (size_t i = 0; i < r->nmsrs; i++) {
		char v[24];
		snprintf(v, sizeof(v), "0x%016llx", (unsigned long long)r->msrs[i].value);
		json_array_append_new(
		    msrs, json_pack("[o,s]", hex32(r->msrs[i].index), r->msrs[i].state == MSR_OK ? v : "failed"));
	}
	for (size_t i = 0; i < r->ncpus; i++)
		json_array_append_new(apic, json_integer(r->apic_ids[i]));
	return json_pack("{s:s,s:o,s:o,s:o,s:s,s:s}", "source", r->source, "leaves", leaves, "msrs", msrs, "apic_ids",
			 apic, "msr_note", r->msr_note, "format", r->format);
}

static json_t *features_json(const struct cpu_info *c)
{
	json_t *o = json_object();
	for (int i = 0; i < F_NUM; i++)
		json_object_set_new(o, cpu_feat_table[i].name, json_boolean(c->feat[i]));
	return o;
}

static json_t *cpu_json(const struct probe *p)
{
	const struct cpu_info *c = &p->cpu;
	return json_pack("{s:s,s:s,s:s,s:o,s:i,s:i,s:i,s:s?,s:s?,s:i,s:i,s:i,s:i,s:b,s:s,s:o}", "vendor",
			 cpu_vendor_name(c->vendor), "vendor_string", c->vendor_str, "brand", c->brand, "signature",
			 hex32(c->signature), "family", (int)c->family, "model", (int)c->model, "stepping",
			 (int)c->stepping, "microarchitecture", p->uarch.found ? p->uarch.uarch : NULL, "platform",
			 p->uarch.found ? p->uarch.platform : NULL, "x86_64_level", c->x86_64_level, "sockets",
			 (int)c->packages, "cores", (int)c->cores, "threads", (int)c->threads, "hypervisor",
			 c->hypervisor, "hypervisor_name", c->hv_name, "features", features_json(c));
}

static json_t *tri(int v)
{
	return v == TRI_UNKNOWN ? json_null() : json_boolean(v);
}

/* The one judge's facts (virt_facts.h), so scripts read the same verdicts. */
static json_t *kvm_json(const struct virt_facts *f)
{
	return json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:s,s:o,s:s,s:{s:o,s:o,s:s}}", "implementation",
			 kvm_impl_name(f->kvm), "module", f->kvm_module, "evidence", f->kvm_evidence, "kernel_visible",
			 tri(f->kernel_visible), "nested", json_boolean(f->nested), "hardware_assisted_guests",
			 tri(f->hw_guests), "hardware_assisted_why", f->hw_why, "pvm_guests", tri(f->pv_guests),
			 "pvm_why", f->pv_why, "tools", "kvm_ok", tri(f->kvm_ok), "virt_host_validate_hw",
			 tri(f->vhv_hw), "why", f->tools_why);
}

static json_t *virt_json(const struct virt_info *v, const struct virt_facts *f)
{
	static const char *const fw[] = {"unknown", "enabled", "unlocked", "disabled"};
	json_t *caps = json_object();
	for (int i = 0; i < v->ncaps; i++)
		json_object_set_new(caps, v->caps[i].name,
				    v->caps[i].state == TRI_UNKNOWN ? json_null() : json_boolean(v->caps[i].state));
	return json_pack("{s:s?,s:b,s:s,s:s,s:o,s:o}", "technology", v->tech, "present", v->hw, "firmware", fw[v->fw],
			 "firmware_detail", v->fw_detail, "capabilities", caps, "kvm", kvm_json(f));
}

static json_t *host_json(const struct factset *s)
{
	json_t *o = json_object();
	for (size_t i = 0; i < s->n; i++)
		json_object_set_new(o, s->f[i].key,
				    s->f[i].known ? json_string(s->f[i].value)
						  : json_pack("{s:s}", "unknown", s->f[i].value));
	return o;
}

static json_t *id_json(uint32_t id)
{
	char b[12];
	if (id == PCI_ID_UNKNOWN)
		return json_null();
	snprintf(b, sizeof(b), "%04x", id);
	return json_string(b);
}

static json_t *tri_json(int v)
{
	return v < 0 ? json_null() : json_boolean(v);
}

static json_t *pci_dev_json(const struct pci_info *d)
{
	char bdf[32], cls[8];
	snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.%x", d->domain, d->bus, d->dev, d->func);
	snprintf(cls, sizeof(cls), "%06x", d->class_code);
	json_t *o = json_pack("{s:s,s:o,s:o,s:o,s:o,s:s,s:i,s:s,s:s,s:s,s:s,s:s,s:b}", "bdf", bdf, "vendor",
			      id_json(d->vendor), "device", id_json(d->device), "subvendor", id_json(d->subvendor),
			      "subdevice", id_json(d->subdevice), "class", cls, "rev", d->rev, "class_name",
			      d->class_name, "vendor_name", d->vendor_name, "device_name", d->device_name, "driver",
			      d->driver, "modules", d->modules, "driver_known", d->driver_known);
	json_object_set_new(o, "link",
			    d->link_known
				? json_pack("{s:i,s:i,s:i,s:i}", "cap_speed", d->cap_speed, "cap_width", d->cap_width,
					    "sta_speed", d->sta_speed, "sta_width", d->sta_width)
				: json_null());
	json_object_set_new(o, "sriov", tri_json(d->sriov));
	json_object_set_new(o, "sriov_total_vfs", json_integer(d->sriov_total_vfs));
	json_object_set_new(o, "sriov_num_vfs", json_integer(d->sriov_num_vfs));
	json_object_set_new(o, "acs", tri_json(d->acs));
	json_object_set_new(o, "ari", tri_json(d->ari));
	json_object_set_new(o, "iommu_group", json_integer(d->iommu_group));
	return o;
}

static json_t *pci_json(const struct probe *p)
{
	json_t *devs = json_array();
	for (size_t i = 0; i < p->pci.n; i++)
		json_array_append_new(devs, pci_dev_json(&p->pci.dev[i]));
	return json_pack("{s:b,s:s,s:s,s:b,s:o}", "present", p->pci_present, "note", p->pci_note, "source",
			 p->pci.source, "caps_known", p->pci.caps_known, "devices", devs);
}

static json_t *findings_json(const struct probe *p)
{
	struct findings fs;
	findings_init(&fs);
	assess(p, &fs);
	json_t *a = json_array();
	for (size_t i = 0; i < fs.n; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:s,s:s}", "group", fs.f[i].group, "name",
						   fs.f[i].name, "status", status_name(fs.f[i].st), "value",
						   fs.f[i].value, "reason", fs.f[i].reason));
	json_t *o = json_pack("{s:s,s:o}", "overall", status_name(findings_worst(&fs)), "items", a);
	findings_free(&fs);
	return o;
}

char *probe_to_json(const struct probe *p)
{
	json_t *doc = json_pack("{s:s,s:{s:o,s:s,s:b,s:o},s:o,s:o,s:o,s:o}", "schema", SCHEMA, "raw", "cpu",
				raw_to_json(&p->raw), "host_source", p->host_source, "host_collected",
				p->host_collected, "host", host_json(&p->host), "cpu", cpu_json(p), "virtualization",
				virt_json(&p->virt, &p->vf), "pci", pci_json(p), "findings", findings_json(p));
	if (!doc)
		return NULL;
	char *s = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	return s;
}

int probe_save_json(const struct probe *p, const char *path, char *err, size_t errlen)
{
	char *s = probe_to_json(p);
	int rc = -1;
	if (!s) {
		snprintf(err, errlen, "cannot encode the probe as JSON");
		return -1;
	}
	size_t n = strlen(s);
	s[n] = '\n'; /* the terminating NUL becomes the file's last newline */
	rc = sf_write_file(path, s, n + 1, err, errlen);
	free(s);
	return rc;
}

int cpu_raw_save_json(const struct cpu_raw *r, const char *path, char *err, size_t errlen)
{
	json_t *doc = json_pack("{s:s,s:o}", "schema", "hvcert-cpu/1", "cpu", raw_to_json(r));
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	int rc = -1;
	if (!doc)
		snprintf(err, errlen, "cannot encode the CPU as JSON");
	else if (!f)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	else if (json_dumpf(doc, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER) || fputc('\n', f) < 0)
		snprintf(err, errlen, "%s: write failed", path);
	else
		rc = 0;
	if (!f && fd >= 0)
		close(fd);
	if (f && fclose(f) && rc == 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	json_decref(doc);
	return rc;
}
