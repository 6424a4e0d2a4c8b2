/* Reads a probe document back: raw inputs only (decoded parts and findings
 * are recomputed). Syntax errors name file:line:column (jansson); structure
 * errors name file and the JSON path of the bad value. */
#include "common/escape.h"
#include "common/safefile.h"
#include "probe/probe.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ld {
	const char *path;
	char *err;
	size_t errlen;
};

static int bad(struct ld *l, const char *where, const char *why)
{
	snprintf(l->err, l->errlen, "%s: %s: %s", l->path, where, why);
	return -1;
}

static int hexval(json_t *j, uint64_t max, uint64_t *out)
{
	const char *s = json_string_value(j);
	char *end;
	if (!s || strncmp(s, "0x", 2) != 0)
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s + 2, &end, 16);
	if (errno || *end || end == s + 2 || v > max)
		return -1;
	*out = v;
	return 0;
}

static void copy_str(char *dst, size_t n, json_t *j)
{
	snprintf(dst, n, "%s", json_string_value(j) ? json_string_value(j) : "");
}

static int leaves(struct ld *l, json_t *a, struct cpu_raw *r)
{
	size_t i;
	json_t *e;
	char where[64];
	json_array_foreach (a, i, e) {
		uint64_t v[5];
		snprintf(where, sizeof(where), "raw.cpu.leaves[%zu]", i);
		if (!json_is_array(e) || json_array_size(e) != 6 || !json_is_integer(json_array_get(e, 1)))
			return bad(l, where, "expected [leaf, subleaf, eax, ebx, ecx, edx]");
		json_int_t sub = json_integer_value(json_array_get(e, 1));
		int ok = sub >= 0 && sub <= 0xffffffffLL && hexval(json_array_get(e, 0), 0xffffffffu, &v[0]) == 0;
		for (int k = 0; ok && k < 4; k++)
			ok = hexval(json_array_get(e, (size_t)k + 2), 0xffffffffu, &v[k + 1]) == 0;
		if (!ok)
			return bad(l, where, "registers must be \"0x\" hex strings of 32 bits");
		uint32_t regs[4] = {(uint32_t)v[1], (uint32_t)v[2], (uint32_t)v[3], (uint32_t)v[4]};
		if (cpu_raw_add_leaf(r, (uint32_t)v[0], (uint32_t)sub, regs))
			return bad(l, where, "out of memory");
	}
	return 0;
}

static int msrs(struct ld *l, json_t *a, struct cpu_raw *r)
{
	size_t i;
	json_t *e;
	char where[64];
	json_array_foreach (a, i, e) {
		uint64_t idx, val = 0;
		snprintf(where, sizeof(where), "raw.cpu.msrs[%zu]", i);
		if (!json_is_array(e) || json_array_size(e) != 2 || hexval(json_array_get(e, 0), 0xffffffffu, &idx))
			return bad(l, where, "expected [\"0xINDEX\", \"0xVALUE\" | \"failed\"]");
		const char *s = json_string_value(json_array_get(e, 1));
		int failed = s && strcmp(s, "failed") == 0;
		if (!failed && hexval(json_array_get(e, 1), UINT64_MAX, &val))
			return bad(l, where, "value must be a \"0x\" hex string or \"failed\"");
		cpu_raw_add_msr(r, (uint32_t)idx, val, failed ? MSR_FAILED : MSR_OK);
	}
	return 0;
}

static int cpu(struct ld *l, json_t *c, struct cpu_raw *r)
{
	json_t *lv = json_object_get(c, "leaves"), *ms = json_object_get(c, "msrs"),
	       *ap = json_object_get(c, "apic_ids");
	if (!json_is_array(lv) || !json_is_array(ms) || !json_is_array(ap))
		return bad(l, "raw.cpu", "expected arrays leaves, msrs and apic_ids");
	copy_str(r->source, sizeof(r->source), json_object_get(c, "source"));
	copy_str(r->msr_note, sizeof(r->msr_note), json_object_get(c, "msr_note"));
	copy_str(r->format, sizeof(r->format), json_object_get(c, "format")); /* absent before: "" */
	if (leaves(l, lv, r) || msrs(l, ms, r))
		return -1;
	size_t i;
	json_t *e;
	json_array_foreach (ap, i, e) {
		if (!json_is_integer(e) || json_integer_value(e) < 0 || json_integer_value(e) > 0xffffffffLL)
			return bad(l, "raw.cpu.apic_ids", "expected non-negative integers");
		cpu_raw_add_cpu(r, (uint32_t)json_integer_value(e));
	}
	return 0;
}

static int host(struct ld *l, json_t *h, struct factset *s)
{
	const char *k;
	json_t *v;
	if (!json_is_object(h))
		return bad(l, "raw.host", "expected an object");
	json_object_foreach (h, k, v) {
		json_t *u = json_is_object(v) ? json_object_get(v, "unknown") : NULL;
		if (json_is_string(v))
			facts_set(s, k, "%s", json_string_value(v));
		else if (json_is_string(u))
			facts_unknown(s, k, "%s", json_string_value(u));
		else
			return bad(l, "raw.host", "values must be strings or {\"unknown\": reason}");
	}
	return 0;
}

static uint32_t id_of(json_t *j, int *ok)
{
	if (json_is_null(j))
		return PCI_ID_UNKNOWN;
	const char *s = json_string_value(j);
	char *end;
	unsigned long v = s ? strtoul(s, &end, 16) : 0;
	if (!s || *end || end == s || v > 0xffff)
		*ok = 0;
	return (uint32_t)v;
}

static int tri_of(json_t *j)
{
	return json_is_boolean(j) ? json_is_true(j) : -1;
}

static int int_of(json_t *o, const char *k, int dflt)
{
	json_t *j = json_object_get(o, k);
	return json_is_integer(j) ? (int)json_integer_value(j) : dflt;
}

static int pci_dev(struct ld *l, json_t *o, struct pci_info *d, const char *where)
{
	int ok = json_is_object(o);
	unsigned dom, bus, dev, fn, cls;
	const char *bdf = json_string_value(json_object_get(o, "bdf"));
	const char *c = json_string_value(json_object_get(o, "class"));
	if (!ok || !bdf || sscanf(bdf, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4 || !c || sscanf(c, "%x", &cls) != 1)
		return bad(l, where, "expected an object with bdf \"dddd:bb:dd.f\" and class \"cccccc\"");
	char why[96];
	if (pci_bdf_check(dom, bus, dev, fn, why, sizeof(why)))
		return bad(l, where, why);
	d->domain = dom, d->bus = bus, d->dev = dev, d->func = fn, d->class_code = cls;
	d->vendor = id_of(json_object_get(o, "vendor"), &ok);
	d->device = id_of(json_object_get(o, "device"), &ok);
	d->subvendor = id_of(json_object_get(o, "subvendor"), &ok);
	d->subdevice = id_of(json_object_get(o, "subdevice"), &ok);
	if (!ok)
		return bad(l, where, "IDs must be 4-digit hex strings or null");
	d->rev = int_of(o, "rev", -1);
	copy_str(d->class_name, sizeof(d->class_name), json_object_get(o, "class_name"));
	copy_str(d->vendor_name, sizeof(d->vendor_name), json_object_get(o, "vendor_name"));
	copy_str(d->device_name, sizeof(d->device_name), json_object_get(o, "device_name"));
	copy_str(d->driver, sizeof(d->driver), json_object_get(o, "driver"));
	copy_str(d->modules, sizeof(d->modules), json_object_get(o, "modules"));
	d->driver_known = json_is_true(json_object_get(o, "driver_known"));
	json_t *lk = json_object_get(o, "link");
	d->link_known = json_is_object(lk);
	d->cap_speed = int_of(lk, "cap_speed", 0), d->cap_width = int_of(lk, "cap_width", 0);
	d->sta_speed = int_of(lk, "sta_speed", 0), d->sta_width = int_of(lk, "sta_width", 0);
	d->sriov = tri_of(json_object_get(o, "sriov"));
	d->sriov_total_vfs = int_of(o, "sriov_total_vfs", -1);
	d->sriov_num_vfs = int_of(o, "sriov_num_vfs", -1);
	d->acs = tri_of(json_object_get(o, "acs"));
	d->ari = tri_of(json_object_get(o, "ari"));
	d->iommu_group = int_of(o, "iommu_group", -1);
	return 0;
}

static int pci(struct ld *l, json_t *o, struct probe *p)
{
	json_t *devs = json_object_get(o, "devices");
	if (!json_is_object(o) || !json_is_array(devs))
		return bad(l, "pci", "expected an object with a devices array");
	p->pci_present = json_is_true(json_object_get(o, "present"));
	p->pci.caps_known = json_is_true(json_object_get(o, "caps_known"));
	copy_str(p->pci_note, sizeof(p->pci_note), json_object_get(o, "note"));
	copy_str(p->pci.source, sizeof(p->pci.source), json_object_get(o, "source"));
	size_t i;
	json_t *e;
	json_array_foreach (devs, i, e) {
		char where[48];
		snprintf(where, sizeof(where), "pci.devices[%zu]", i);
		struct pci_info *d = pci_list_add(&p->pci);
		if (!d)
			return bad(l, where, "out of memory");
		if (pci_dev(l, e, d, where))
			return -1;
	}
	size_t a, b;
	int dup = pci_list_duplicate(&p->pci, &a, &b);
	if (dup) {
		char where[48], why[96];
		snprintf(where, sizeof(where), "pci.devices[%zu]", b);
		snprintf(why, sizeof(why), "the same bdf as pci.devices[%zu]", a);
		return bad(l, where, dup < 0 ? "out of memory" : why);
	}
	return 0;
}

static int document(struct ld *l, json_t *doc, struct probe *p)
{
	const char *schema = json_string_value(json_object_get(doc, "schema"));
	json_t *raw = json_object_get(doc, "raw");
	if (!schema || strcmp(schema, "hvcert-probe/1") != 0)
		return bad(l, "schema", "not an hvcert-probe/1 document");
	if (!json_is_object(raw) || !json_is_object(json_object_get(raw, "cpu")))
		return bad(l, "raw", "missing raw.cpu");
	copy_str(p->host_source, sizeof(p->host_source), json_object_get(raw, "host_source"));
	p->host_collected = json_is_true(json_object_get(raw, "host_collected"));
	if (cpu(l, json_object_get(raw, "cpu"), &p->raw) || host(l, json_object_get(raw, "host"), &p->host))
		return -1;
	return pci(l, json_object_get(doc, "pci"), p);
}

/* The document, or NULL with "file:line:column: why". The file is read
 * through sf_read (a regular file, capped) before jansson sees a byte. */
static json_t *load_doc(const char *path, char *err, size_t errlen)
{
	json_error_t je;
	char *buf;
	size_t len;
	if (sf_read(NULL, path, SF_CAP, &buf, &len, err, errlen))
		return NULL;
	json_t *doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	free(buf);
	char text[sizeof(je.text) * 4];
	if (!doc) /* jansson quotes the token it stopped at: bytes of the file, kept off the terminal */
		snprintf(err, errlen, "%s:%d:%d: %s", path, je.line, je.column, esc_term(text, sizeof(text), je.text));
	return doc;
}

int probe_load_json(struct probe *p, const char *path, char *err, size_t errlen)
{
	struct ld l = {path, err, errlen};
	json_t *doc = load_doc(path, err, errlen);
	if (!doc)
		return -1;
	int rc = json_is_object(doc) ? document(&l, doc, p) : bad(&l, "top level", "expected an object");
	json_decref(doc);
	return rc;
}

int cpu_raw_load_json(const char *path, struct cpu_raw *r, char *err, size_t errlen)
{
	struct ld l = {path, err, errlen};
	json_t *doc = load_doc(path, err, errlen);
	if (!doc)
		return -1;
	const char *schema = json_string_value(json_object_get(doc, "schema"));
	json_t *c = json_object_get(doc, "cpu");
	int rc = !schema || strcmp(schema, "hvcert-cpu/1") ? bad(&l, "schema", "not an hvcert-cpu/1 document")
		 : !json_is_object(c)			   ? bad(&l, "cpu", "expected an object")
							   : cpu(&l, c, r);
	if (rc == 0 && r->nleaves == 0)
		rc = bad(&l, "cpu.leaves", "no CPUID leaves");
	json_decref(doc);
	return rc;
}
