/* PCI sources against expectations derived from the raw text / config
 * bytes by tests/gen/derive_expected.py. */
#include "tests/unit/check.h"
#include "tests/unit/expect.h"
#include "probe/pci.h"

#include <stdlib.h>
#include <string.h>

static void bdf_of(const struct pci_info *d, char *out, size_t n)
{
	snprintf(out, n, "%04x:%02x:%02x.%x", d->domain, d->bus, d->dev, d->func);
}

static void id_of(uint32_t id, char *out, size_t n)
{
	if (id == PCI_ID_UNKNOWN)
		snprintf(out, n, "-");
	else
		snprintf(out, n, "%04x", id & 0xffff);
}

static const struct pci_info *find(const struct pci_list *l, const char *bdf)
{
	char b[32];
	for (size_t i = 0; i < l->n; i++) {
		bdf_of(&l->dev[i], b, sizeof(b));
		if (strcmp(b, bdf) == 0)
			return &l->dev[i];
	}
	return NULL;
}

/* "dev BDF vendor device subvendor subdevice class driver" */
static void lspci_dev_line(const struct pci_list *l, const char *v, size_t idx)
{
	char bdf[32], ven[8], dev[8], sv[8], sd[8], cls[16], drv[64], got[160], want[160];
	if (sscanf(v, "%31s %7s %7s %7s %7s %15s %63s", bdf, ven, dev, sv, sd, cls, drv) != 7) {
		CHECK(0, "bad expected line: %s", v);
		return;
	}
	CHECK(idx < l->n, "fewer devices than expected at %s", bdf);
	if (idx >= l->n)
		return;
	const struct pci_info *d = &l->dev[idx];
	char gb[32], gv[8], gd[8], gsv[8], gsd[8];
	bdf_of(d, gb, sizeof(gb));
	id_of(d->vendor, gv, sizeof(gv));
	id_of(d->device, gd, sizeof(gd));
	id_of(d->subvendor, gsv, sizeof(gsv));
	id_of(d->subdevice, gsd, sizeof(gsd));
	snprintf(got, sizeof(got), "%s %s %s %s %s %06x %s", gb, gv, gd, gsv, gsd, d->class_code,
		 d->driver[0] ? d->driver : "-");
	snprintf(want, sizeof(want), "%s %s %s %s %s %s %s", bdf, ven, dev, sv, sd, cls, drv);
	CHECK(strcmp(got, want) == 0, "device %zu: expected \"%s\", parsed \"%s\"", idx, want, got);
}

static void one_lspci(const char *path)
{
	struct pci_list l;
	struct expect e;
	char err[1024];
	pci_list_init(&l);
	int rc = pci_read_lspci_text(path, &l, err, sizeof(err));
	CHECK(rc == 0, "%s", err);
	if (rc == 0 && expect_load_for("lspci", path, &e) == 0) {
		const char *n = expect_get(&e, "devices");
		CHECK(n && (size_t)atoi(n) == l.n, "devices: expected %s, parsed %zu", n ? n : "?", l.n);
		size_t with = 0, idx = 0;
		for (size_t i = 0; i < l.n; i++)
			with += l.dev[i].driver[0] != 0;
		const char *w = expect_get(&e, "with_driver");
		CHECK(w && (size_t)atoi(w) == with, "with_driver: expected %s, parsed %zu", w ? w : "?", with);
		const char *dl = expect_get(&e, "driver_lines");
		CHECK(dl && atoi(dl) == (l.n ? l.dev[0].driver_known : 0), "driver_lines mismatch");
		for (size_t i = 0; i < e.n; i++)
			if (strcmp(e.l[i].key, "dev") == 0)
				lspci_dev_line(&l, e.l[i].value, idx++);
		expect_free(&e);
	}
	pci_list_free(&l);
}

static void dump_line(const struct pci_list *l, const char *key, const char *v)
{
	char bdf[32];
	unsigned a = 0, b = 0, c = 0, d4 = 0;
	int n = sscanf(v, "%31s %x %x %x %x", bdf, &a, &b, &c, &d4);
	const struct pci_info *d = find(l, bdf);
	CHECK(d != NULL, "%s: device %s not found by libpci", key, bdf);
	if (!d)
		return;
	if (strcmp(key, "dev") == 0 && n == 4)
		CHECK(d->vendor == a && d->device == b && d->class_code == c, "%s: ids %04x:%04x class %06x", bdf,
		      d->vendor, d->device, d->class_code);
	else if (strcmp(key, "link") == 0) {
		/* "-" is a speed code the spec does not define: decoded as 0. */
		char t[4][16];
		sscanf(v, "%31s %15s %15s %15s %15s", bdf, t[0], t[1], t[2], t[3]);
		a = (unsigned)atoi(t[0]), b = (unsigned)atoi(t[1]), c = (unsigned)atoi(t[2]), d4 = (unsigned)atoi(t[3]);
		CHECK(d->link_known && (unsigned)d->cap_speed == a && (unsigned)d->cap_width == b &&
			  (unsigned)d->sta_speed == c && (unsigned)d->sta_width == d4,
		      "%s link: expected %s, got %d x%d / %d x%d", bdf, v, d->cap_speed, d->cap_width, d->sta_speed,
		      d->sta_width);
	} else if (strcmp(key, "sriov") == 0) {
		sscanf(v, "%31s %u %u", bdf, &a, &b);
		CHECK(d->sriov == 1 && (unsigned)d->sriov_total_vfs == a && (unsigned)d->sriov_num_vfs == b,
		      "%s sriov: expected %s, got %d total %d num %d", bdf, v, d->sriov, d->sriov_total_vfs,
		      d->sriov_num_vfs);
	} else if (strcmp(key, "acs") == 0)
		CHECK(d->acs == 1, "%s: ACS not found", bdf);
	else if (strcmp(key, "ari") == 0)
		CHECK(d->ari == 1, "%s: ARI not found", bdf);
}

/* Capabilities the expected file does not list must be absent too. */
static void no_extra_caps(const struct pci_list *l, const struct expect *e)
{
	for (size_t i = 0; i < l->n; i++) {
		char bdf[32], want[64];
		bdf_of(&l->dev[i], bdf, sizeof(bdf));
		int sriov = 0, acs = 0, ari = 0;
		for (size_t j = 0; j < e->n; j++) {
			snprintf(want, sizeof(want), "%s ", bdf);
			int match = strncmp(e->l[j].value, want, strlen(want)) == 0 || strcmp(e->l[j].value, bdf) == 0;
			sriov |= match && strcmp(e->l[j].key, "sriov") == 0;
			acs |= match && strcmp(e->l[j].key, "acs") == 0;
			ari |= match && strcmp(e->l[j].key, "ari") == 0;
		}
		CHECK(l->dev[i].sriov == sriov && l->dev[i].acs == acs && l->dev[i].ari == ari,
		      "%s: caps sriov/acs/ari %d/%d/%d, expected %d/%d/%d", bdf, l->dev[i].sriov, l->dev[i].acs,
		      l->dev[i].ari, sriov, acs, ari);
	}
}

static void one_dump(const char *path)
{
	struct pci_list l;
	struct expect e;
	char err[1024];
	pci_list_init(&l);
	int rc = pci_read_dump(path, &l, err, sizeof(err));
	CHECK(rc == 0, "%s", err);
	if (rc == 0 && expect_load_for("pcidump", path, &e) == 0) {
		const char *n = expect_get(&e, "devices");
		CHECK(n && (size_t)atoi(n) == l.n, "devices: expected %s, libpci found %zu", n ? n : "?", l.n);
		for (size_t i = 0; i < e.n; i++)
			if (strcmp(e.l[i].key, "devices") != 0)
				dump_line(&l, e.l[i].key, e.l[i].value);
		no_extra_caps(&l, &e);
		expect_free(&e);
	}
	pci_list_free(&l);
}

void suite_lspci(void)
{
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/lspci", fixtures_dir());
	for_each_file("lspci", dir, ".txt", one_lspci);
}

void suite_pcidump(void)
{
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/pci-dumps", fixtures_dir());
	for_each_file("pcidump", dir, NULL, one_dump);
}

/* Found by fuzz_lspci: "(prog-if" right after "Class: " left the name span
 * negative and copy_span read past the line. */
static void empty_name_regression(const char *arg)
{
	char path[512], err[512];
	struct pci_list l;
	(void)arg;
	snprintf(path, sizeof(path), "%s/empty-name.txt", scratch_dir());
	FILE *f = fopen(path, "w");
	if (!f) {
		CHECK(0, "cannot write %s", path);
		return;
	}
	fputs("00:00.0 Host ve!@r in use04]?:El driver iv use: (prog-if  pcInc. prid]\n", f);
	fclose(f);
	pci_list_init(&l);
	CHECK(pci_read_lspci_text(path, &l, err, sizeof(err)) == 0, "%s", err);
	CHECK(l.n == 1 && l.dev[0].device_name[0] == '\0', "expected one device with an empty name");
	pci_list_free(&l);
}

void suite_pci_regressions(void)
{
	run_case("lspci", "fuzz-regression-empty-name", empty_name_regression, NULL);
}

/* Non-root lspci -vv: "Capabilities: <access denied>" leaves that device's
 * capabilities unknown, while a readable neighbour is decoded. */
static void access_denied(const char *arg)
{
	struct pci_list l;
	char err[512];
	(void)arg;
	pci_list_init(&l);
	CHECK(pci_read_lspci_text("tests/data/lspci-access-denied.txt", &l, err, sizeof(err)) == 0, "%s", err);
	CHECK(l.n == 2, "two devices");
	if (l.n == 2) {
		CHECK(l.dev[0].sriov == -1 && l.dev[0].acs == -1 && !l.dev[0].link_known,
		      "denied: unknown, not absent");
		CHECK(l.dev[1].sriov == 0 && l.dev[1].link_known && l.dev[1].cap_speed == 50 && l.dev[1].sta_width == 4,
		      "readable device decoded");
		CHECK(!strcmp(l.dev[1].driver, "igb") && l.dev[1].driver_known, "driver");
	}
	pci_list_free(&l);
}

/* Intel VMD puts its NVMe devices in PCI domain 10000, printed with five hex
 * digits (lspci -D); the reader must not refuse the whole listing. */
static void vmd_domain(const char *arg)
{
	struct pci_list l;
	char err[512];
	(void)arg;
	pci_list_init(&l);
	CHECK(pci_read_lspci_text("tests/data/lspci-vmd.txt", &l, err, sizeof(err)) == 0, "%s", err);
	CHECK(l.n == 3, "three devices, got %zu", l.n);
	if (l.n == 3) {
		CHECK(l.dev[0].domain == 0 && l.dev[0].bus == 0x64 && l.dev[0].func == 5, "0000:64:00.5");
		CHECK(l.dev[2].domain == 0x10000 && l.dev[2].bus == 1 && l.dev[2].vendor == 0x144d &&
			  l.dev[2].device == 0xa808 && l.dev[2].class_code == 0x010802 &&
			  !strcmp(l.dev[2].driver, "nvme"),
		      "10000:01:00.0 NVMe");
	}
	pci_list_free(&l);
}

/* Domains pass 16 bits only as far as lspci prints and libpci's dump
 * reader takes them, five hex digits: 0xfffff is read, 0x100000 is not. */
static void domain_limit(const char *arg)
{
	static const char line[] = "%s:00:02.0 PCI bridge [0604]: Intel Corporation Root Port [8086:2032]\n";
	char path[512], err[512];
	struct pci_list l;
	(void)arg;
	snprintf(path, sizeof(path), "%s/domain.txt", scratch_dir());
	for (int big = 0; big < 2; big++) {
		FILE *f = fopen(path, "w");
		CHECK(f != NULL, "cannot write %s", path);
		if (!f)
			return;
		fprintf(f, line, big ? "100000" : "fffff");
		fclose(f);
		pci_list_init(&l);
		int rc = pci_read_lspci_text(path, &l, err, sizeof(err));
		CHECK(big ? rc == -1 && strstr(err, ":1: domain number 0x100000 is beyond 0xfffff")
			  : rc == 0 && l.n == 1 && l.dev[0].domain == 0xfffff,
		      "domain %s: rc %d, %s", big ? "100000" : "fffff", rc, rc ? err : "read");
		pci_list_free(&l);
	}
}

/* The same listing saved by a Windows editor: UTF-8 BOM and CRLF. */
static void bom_crlf(const char *arg)
{
	char fx[512], path[512], err[512];
	struct pci_list a, b;
	(void)arg;
	snprintf(fx, sizeof(fx), "%s/lspci/dell-poweredge-r740.txt", fixtures_dir());
	snprintf(path, sizeof(path), "%s/bom-crlf.txt", scratch_dir());
	FILE *in = fopen(fx, "r"), *out = fopen(path, "w");
	CHECK(in && out, "cannot prepare");
	if (!in || !out)
		return;
	fputs("\xef\xbb\xbf", out);
	for (int c; (c = fgetc(in)) != EOF;)
		c == '\n' ? fputs("\r\n", out) : fputc(c, out);
	fclose(in), fclose(out);
	pci_list_init(&a), pci_list_init(&b);
	CHECK(pci_read_lspci_text(fx, &a, err, sizeof(err)) == 0, "%s", err);
	CHECK(pci_read_lspci_text(path, &b, err, sizeof(err)) == 0, "%s", err);
	CHECK(a.n == b.n && a.n > 0, "%zu vs %zu devices", a.n, b.n);
	for (size_t i = 0; i < a.n && i < b.n; i++)
		CHECK(a.dev[i].vendor == b.dev[i].vendor && a.dev[i].device == b.dev[i].device &&
			  !strcmp(a.dev[i].driver, b.dev[i].driver),
		      "device %zu differs", i);
	pci_list_free(&a), pci_list_free(&b);
}

void suite_pci_more(void)
{
	run_case("lspci", "utf8-bom-and-crlf", bom_crlf, NULL);
	run_case("lspci", "vmd-five-digit-domain", vmd_domain, NULL);
	run_case("lspci", "domain-limit", domain_limit, NULL);
	run_case("lspci", "access-denied", access_denied, NULL);
}
