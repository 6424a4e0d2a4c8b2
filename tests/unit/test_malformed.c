/* Bad input gets an error naming file (and line where there is one), never
 * a crash: truncated, garbage, binary, huge, empty, directory. */
#include "tests/unit/check.h"
#include "probe/cpuid_raw.h"
#include "probe/pci.h"
#include "probe/probe.h"
#include "probe/uarch.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[512];

static const char *write_file(const char *name, const void *data, size_t n)
{
	snprintf(path, sizeof(path), "%s/%s", scratch_dir(), name);
	FILE *f = fopen(path, "wb");
	if (!f)
		return NULL;
	fwrite(data, 1, n, f);
	fclose(f);
	return path;
}

static const char *write_text(const char *name, const char *s)
{
	return write_file(name, s, strlen(s));
}

/* The first `keep` bytes of a fixture, to cut a real dump mid-record. */
static const char *truncated_copy(const char *fixture, const char *name, const char *cut_after)
{
	FILE *f = fopen(fixture, "rb");
	static char buf[1 << 20];
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	char *at = strstr(buf, cut_after);
	if (!at)
		return NULL;
	return write_file(name, buf, (size_t)(at - buf) + strlen(cut_after));
}

typedef int (*reader_fn)(const char *, char *, size_t);

static int read_aida(const char *p, char *err, size_t n)
{
	struct cpu_raw r;
	cpu_raw_init(&r);
	int rc = cpu_raw_read_aida64(p, &r, err, n);
	cpu_raw_free(&r);
	return rc;
}

static int read_lspci(const char *p, char *err, size_t n)
{
	struct pci_list l;
	pci_list_init(&l);
	int rc = pci_read_lspci_text(p, &l, err, n);
	pci_list_free(&l);
	return rc;
}

static int read_pcidump(const char *p, char *err, size_t n)
{
	struct pci_list l;
	pci_list_init(&l);
	int rc = pci_read_dump(p, &l, err, n);
	pci_list_free(&l);
	return rc;
}

static int read_json(const char *p, char *err, size_t n)
{
	struct probe pr;
	probe_init(&pr);
	int rc = probe_load_json(&pr, p, err, n);
	probe_free(&pr);
	return rc;
}

struct bad_case {
	reader_fn read;
	const char *label;   /* case name when file is a path */
	const char *file;    /* written to scratch with `content` */
	const char *content; /* NULL: file made elsewhere */
	const char *want;    /* substring the error must contain, after the path */
};

static const struct bad_case *cur;

static void expect_error(const char *p)
{
	char err[1024] = "";
	int rc = cur->read(p, err, sizeof(err));
	CHECK(rc == -1, "reader accepted bad input %s", p);
	CHECK(strncmp(err, p, strlen(p)) == 0, "error does not start with the file name: %s", err);
	CHECK(strstr(err, cur->want) != NULL, "error \"%s\" lacks \"%s\"", err, cur->want);
}

static void run_bad(const struct bad_case *c)
{
	const char *p = c->content ? write_text(c->file, c->content) : c->file;
	cur = c;
	run_case("malformed", c->label ? c->label : c->file, expect_error, p);
}

#define ROW16	     "86 80 00 2f 00 00 00 00 00 00 00 06 00 00 00 00"
#define ROWS4	     "00: " ROW16 "\n10: " ROW16 "\n20: " ROW16 "\n30: " ROW16 "\n"
#define ROWS4_AT4    "40: " ROW16 "\n50: " ROW16 "\n60: " ROW16 "\n70: " ROW16 "\n"
#define CARDBUS_ROW0 "00: 4c 10 15 ac 07 00 10 02 00 00 07 06 08 a8 02 00\n"

/* A CardBus bridge (header type 2) is the one device lspci -x prints with
 * 128 bytes: read, while the same 128 bytes of another device are cut. */
static void cardbus_128(const char *arg)
{
	char err[512];
	struct pci_list l;
	(void)arg;
	pci_list_init(&l);
	const char *p = write_text("cardbus.txt", "02:00.0 CardBus bridge: TI PCI1510\n" CARDBUS_ROW0 "10: " ROW16
						  "\n20: " ROW16 "\n30: " ROW16 "\n" ROWS4_AT4);
	CHECK(pci_read_dump(p, &l, err, sizeof(err)) == 0, "%s", err);
	CHECK(l.n == 1 && l.dev[0].vendor == 0x104c && l.dev[0].class_code == 0x060700, "one TI CardBus bridge");
	pci_list_free(&l);
}

static const char hexish[] = "CPUID 00000000: 0000000F-756E6547-6C65746E-49656E69\n";

static void generated_cases(void)
{
	static const struct bad_case cases[] = {
	    {read_aida, NULL, "aida-empty", "", "empty file"},
	    {read_aida, NULL, "aida-garbage", "hello\nworld\n", "no CPUID records"},
	    {read_aida, NULL, "aida-short-record", "CPUID 00000000: 0000000F-756E6547\n", ":1: CPUID record"},
	    {read_aida, NULL, "aida-bad-hex", "x\nCPUID 00000001: 000306F2-0010ZZ00-7FFEFBFF-BFEBFBFF\n",
	     ":2: CPUID record"},
	    {read_aida, NULL, "aida-no-leaf1", hexish, "leaf 0 or 1"},
	    {read_aida, NULL, "aida-bad-msr", "CPUID 00000000: 0-0-0-0\nMSR 0000003A: zzzz\n", ":2: MSR record"},
	    {read_lspci, NULL, "lspci-empty", "", "empty file"},
	    {read_lspci, NULL, "lspci-garbage", "hello world\n", ":1: expected a device line"},
	    {read_lspci, NULL, "lspci-indent-first", "\tSubsystem: x [1028:0715]\n", ":1: indented line"},
	    {read_lspci, NULL, "lspci-no-class", "00:1f.2 SATA contr\n", ":1: device line lacks"},
	    {read_lspci, NULL, "lspci-blank-only", "\n\n", "no PCI devices"},
	    {read_pcidump, NULL, "pcidump-empty", "", "no devices"},
	    {read_pcidump, NULL, "pcidump-garbage", "00: zz yy\n", ""},
	    {read_pcidump, NULL, "pcidump-no-bytes", "00:00.0 Host bridge: x\n\n",
	     ":1: device 0000:00:00.0 has no configuration"},
	    {read_pcidump, NULL, "pcidump-row-order", "00:00.0 Host bridge: x\n10: " ROW16 "\n",
	     ":2: row at offset 0x10 where 0x0"},
	    {read_pcidump, NULL, "pcidump-short-row", "00:00.0 x\n00: 86 80 00 2f\n", ":2: row: expected 16 hex bytes"},
	    {read_pcidump, NULL, "pcidump-orphan-row", "00:00.0 x\n" ROWS4 "\n30: " ROW16 "\n",
	     ":7: configuration bytes outside"},
	    {read_pcidump, NULL, "pcidump-128-not-cardbus", "00:00.0 x\n" ROWS4 ROWS4_AT4,
	     ":9: device 0000:00:00.0's configuration bytes stop after 128"},
	    {read_aida, NULL, "aida-cpu-number", "------[ Logical CPU #99999 ]------\n",
	     ":1: section header: logical CPU number"},
	    {read_aida, NULL, "aida-cpuid-in-msr-section",
	     "------[ MSR Registers ]------\n"
	     "CPUID 00000000: 0-0-0-0\n",
	     ":2: CPUID record inside an MSR section"},
	    {read_json, NULL, "json-empty", "", ":1:0:"},
	    {read_json, NULL, "json-garbage", "{\"schema\": \"hvcert-probe/1\",\n \"raw\": [1,2,,]}\n", ":2:"},
	    {read_json, NULL, "json-schema", "{\"schema\": \"other/9\"}", "schema"},
	    {read_json, NULL, "json-leaves",
	     "{\"schema\":\"hvcert-probe/1\",\"raw\":{\"cpu\":{\"leaves\":[[\"0x0\",0,\"0x1\"]],\"msrs\":[],"
	     "\"apic_ids\":[]},\"host\":{}},\"pci\":{\"devices\":[]}}",
	     "raw.cpu.leaves[0]"},
	    {read_json, NULL, "json-msr",
	     "{\"schema\":\"hvcert-probe/1\",\"raw\":{\"cpu\":{\"leaves\":[],\"msrs\":[[\"0x3a\",\"12\"]],"
	     "\"apic_ids\":[]},\"host\":{}},\"pci\":{\"devices\":[]}}",
	     "raw.cpu.msrs[0]"},
	    {read_json, NULL, "json-pci",
	     "{\"schema\":\"hvcert-probe/1\",\"raw\":{\"cpu\":{\"leaves\":[],\"msrs\":[],\"apic_ids\":[]},"
	     "\"host\":{}},\"pci\":{\"devices\":[{\"bdf\":\"0000:00:00.0\",\"class\":\"060000\",\"vendor\":\"zz\"}]}}",
	     "pci.devices[0]"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_bad(&cases[i]);
}

static void binary_and_huge(void)
{
	static const char bin[] = "CPUID 00000000: 0000000F\0\x01\x02 binary\n";
	static struct bad_case b1 = {read_aida, "aida-binary", NULL, NULL, ":1: binary data"};
	static struct bad_case b2 = {read_lspci, "lspci-binary", NULL, NULL, ":1: binary data"};
	static struct bad_case b3 = {read_pcidump, "pcidump-binary", NULL, NULL, ":1: binary data"};
	static struct bad_case h1 = {read_aida, "aida-huge", NULL, NULL, "larger than 64 MiB"};
	static struct bad_case h2 = {read_lspci, "lspci-huge", NULL, NULL, "larger than 64 MiB"};
	static struct bad_case h3 = {read_pcidump, "pcidump-huge", NULL, NULL, "larger than 64 MiB"};
	static struct bad_case d1 = {read_aida, "aida-directory", NULL, NULL, "directory"};
	static char pbin[512], phuge[512];
	snprintf(pbin, sizeof(pbin), "%s", write_file("binary", bin, sizeof(bin) - 1));
	snprintf(phuge, sizeof(phuge), "%s/huge", scratch_dir());
	int fd = open(phuge, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, 65L << 20) != 0) {
		skip_case("malformed", "huge", "cannot create a sparse 65 MiB file");
	} else {
		h1.file = h2.file = h3.file = phuge;
		run_bad(&h1);
		run_bad(&h2);
		run_bad(&h3);
	}
	if (fd >= 0)
		close(fd);
	b1.file = b2.file = b3.file = pbin;
	run_bad(&b1);
	run_bad(&b2);
	run_bad(&b3);
	d1.file = scratch_dir();
	run_bad(&d1);
}

static void truncated_fixtures(void)
{
	static char pa[512], pl[512];
	static struct bad_case ta = {read_aida, "aida-truncated-fixture", NULL, NULL, ":57: CPUID record"};
	static struct bad_case tl = {read_lspci, "lspci-truncated-fixture", NULL, NULL, ": device line lacks"};
	char fx[512];
	snprintf(fx, sizeof(fx), "%s/cpuid/GenuineIntel00306F2_HaswellEP_00_CPUID.txt", fixtures_dir());
	/* Line 57 of that dump is "CPUID 00000002: 76036301-00F0B5FF-...": cut inside it. */
	const char *p = truncated_copy(fx, "haswell-cut", "CPUID 00000002: 76036301-00F0");
	if (!p) {
		skip_case("malformed", "haswell-cut", "fixture not found");
	} else {
		snprintf(pa, sizeof(pa), "%s", p);
		ta.file = pa;
		run_bad(&ta);
	}
	snprintf(fx, sizeof(fx), "%s/lspci/dell-poweredge-r740.txt", fixtures_dir());
	p = truncated_copy(fx, "r740-cut", "00:11.5 SATA contr");
	if (!p) {
		skip_case("malformed", "r740-cut", "fixture not found");
	} else {
		snprintf(pl, sizeof(pl), "%s", p);
		tl.file = pl;
		run_bad(&tl);
	}
}

static void bad_uarch_row(const char *p)
{
	struct uarch_match m;
	char err[512] = "";
	int rc = uarch_lookup(p, "GenuineIntel", 6, 0x3f, 2, &m, err, sizeof(err));
	CHECK(rc == -1, "bad table accepted");
	CHECK(strstr(err, ":3: ") != NULL, "error lacks line 3: %s", err);
}

/* A bundle's records (hvcert capture) are input too: a bad ioctl record
 * makes the KVM facts unknown with file:line, a bad CPU record fails the
 * probe naming the file; neither crashes or is silently taken. */
static void bundle_records(const char *arg)
{
	static const char *const bad_ioctl[] = {"kvm.api_version\t12\nno tab here\n", "x.api\t12\n",
						"kvm.API VERSION\t12\n", "\tvalue\n", ""};
	char root[600], p2[700], err[1024];
	(void)arg;
	snprintf(root, sizeof(root), "%s/bundle", scratch_dir());
	snprintf(p2, sizeof(p2), "mkdir -p '%s/dev' '%s/hvcert' && : > '%s/dev/kvm'", root, root, root);
	CHECK(system(p2) == 0, "cannot make %s", root);
	for (size_t i = 0; i < sizeof(bad_ioctl) / sizeof(*bad_ioctl); i++) {
		snprintf(p2, sizeof(p2), "bundle/hvcert/kvm-ioctl.txt");
		write_text(p2, bad_ioctl[i]);
		struct probe p;
		struct probe_opts o = {.sysroot = root, .data_dir = data_dir()};
		probe_init(&p);
		int rc = probe_collect(&p, &o, err, sizeof(err));
		const struct fact *f = facts_get(&p.host, "kvm.api_version");
		CHECK(rc == 0, "probe failed: %s", err);
		CHECK(f && !f->known && strstr(f->value, "kvm-ioctl.txt"), "case %zu: api version %s (%s)", i,
		      f && f->known ? "taken" : "unknown", f ? f->value : "missing");
		CHECK(p.vf.hw_guests != TRI_YES && p.vf.pv_guests != TRI_YES, "case %zu: a verdict from a bad record",
		      i);
		probe_free(&p);
	}
	write_text("bundle/hvcert/cpu.json", "{\"schema\": \"hvcert-cpu/1\", \"cpu\": {\"leaves\": [[\"0x0\"]],"
					     " \"msrs\": [], \"apic_ids\": []}}");
	struct probe p;
	struct probe_opts o = {.sysroot = root, .data_dir = data_dir()};
	probe_init(&p);
	CHECK(probe_collect(&p, &o, err, sizeof(err)) != 0 && strstr(err, "cpu.json"), "bad cpu.json: %s", err);
	probe_free(&p);
}

/* A fixture whole, in a buffer of its own (NULL if unreadable). */
static char *slurp(const char *file, size_t *n)
{
	FILE *f = fopen(file, "rb");
	char *b = f ? malloc(1 << 20) : NULL;
	*n = b ? fread(b, 1, (1 << 20) - 1, f) : 0;
	if (f)
		fclose(f);
	if (b)
		b[*n] = '\0';
	return b;
}

/* The start of the line [.., at) is in, and of the line before it. */
static const char *line_start(const char *buf, const char *at)
{
	while (at > buf && at[-1] != '\n')
		at--;
	return at;
}

static void expect_cut(reader_fn rd, const char *what, const char *buf, size_t keep, const char *want)
{
	char err[1024] = "";
	const char *p = write_file("cut.txt", buf, keep);
	int rc = p ? rd(p, err, sizeof(err)) : 0;
	CHECK(rc == -1, "%s: a dump cut after %zu bytes was read", what, keep);
	CHECK(rc == 0 || strstr(err, want), "%s: error \"%s\" lacks \"%s\"", what, err, want);
}

static int same_cpu(const struct cpu_raw *a, const struct cpu_raw *b)
{
	int same = a->ncpus == b->ncpus && a->nleaves == b->nleaves && a->nmsrs == b->nmsrs &&
		   !memcmp(a->leaves, b->leaves, a->nleaves * sizeof(*a->leaves)) &&
		   !memcmp(a->apic_ids, b->apic_ids, a->ncpus * sizeof(*a->apic_ids));
	for (size_t i = 0; same && i < a->nmsrs; i++)
		same = a->msrs[i].index == b->msrs[i].index && a->msrs[i].value == b->msrs[i].value &&
		       a->msrs[i].state == b->msrs[i].state;
	return same;
}

/* Each AIDA64 fixture: read whole without its last newline; refused when
 * cut inside its last CPU's CPUID section (at a line end and mid-record)
 * or right before its MSR part. Held to the format, not to one file. */
static void cut_aida(const char *file)
{
	size_t n;
	char *buf = slurp(file, &n), err[1024];
	struct cpu_raw whole, nonl;
	cpu_raw_init(&whole), cpu_raw_init(&nonl);
	const char *last = NULL, *part = NULL, *table = NULL;
	for (const char *q = buf; q && *q && !part; q = strchr(q, '\n') ? strchr(q, '\n') + 1 : NULL) {
		if (strncmp(q, "------[", 7) != 0)
			continue;
		const char *end = strchr(q, '\n');
		size_t len = end ? (size_t)(end - q) : strlen(q);
		if (memmem(q, len, "MSR", 3))
			part = q; /* the MSR part: the first MSR section */
		else if (memmem(q, len, "All CPUs", 8))
			table = q;
		else if (memmem(q, len, "CPU #", 5))
			last = q;
	}
	CHECK(buf && last && part, "no CPU or MSR section found");
	if (!buf || !last || !part) {
		free(buf);
		return;
	}
	CHECK(cpu_raw_read_aida64(file, &whole, err, sizeof(err)) == 0, "%s", err);
	const char *p = write_file("nonl.txt", buf, n - (n && buf[n - 1] == '\n'));
	CHECK(p && cpu_raw_read_aida64(p, &nonl, err, sizeof(err)) == 0, "without its last newline: %s", err);
	CHECK(same_cpu(&whole, &nonl), "without its last newline it reads differently");
	const char *mid = line_start(buf, strstr(last, "CPUID 0000000") + 5);
	expect_cut(read_aida, "last CPU at a line end", buf, (size_t)(mid - buf), "cut short");
	expect_cut(read_aida, "last CPU mid-record", buf, (size_t)(mid - buf) + 30, "CPUID record cut short");
	expect_cut(read_aida, "before the MSR part", buf, (size_t)((table && table < part ? table : part) - buf),
		   "before the MSR section");
	cpu_raw_free(&whole), cpu_raw_free(&nonl);
	free(buf);
}

static int same_pci(const struct pci_list *a, const struct pci_list *b)
{
	int same = a->n == b->n;
	for (size_t i = 0; same && i < a->n; i++) {
		const struct pci_info *x = &a->dev[i], *y = &b->dev[i];
		same = x->domain == y->domain && x->bus == y->bus && x->dev == y->dev && x->func == y->func &&
		       x->vendor == y->vendor && x->device == y->device && x->subvendor == y->subvendor &&
		       x->subdevice == y->subdevice && x->class_code == y->class_code && x->rev == y->rev &&
		       !strcmp(x->driver, y->driver) && !strcmp(x->modules, y->modules) && x->sriov == y->sriov &&
		       x->cap_speed == y->cap_speed && x->sta_width == y->sta_width;
	}
	return same;
}

typedef int (*list_reader)(const char *, struct pci_list *, char *, size_t);

static void nonl_same(list_reader rd, const char *file, const char *buf, size_t n)
{
	char err[1024];
	struct pci_list whole, nonl;
	pci_list_init(&whole), pci_list_init(&nonl);
	CHECK(rd(file, &whole, err, sizeof(err)) == 0, "%s", err);
	const char *p = write_file("nonl.txt", buf, n - (n && buf[n - 1] == '\n'));
	CHECK(p && rd(p, &nonl, err, sizeof(err)) == 0, "without its last newline: %s", err);
	CHECK(same_pci(&whole, &nonl), "without its last newline it reads differently");
	pci_list_free(&whole), pci_list_free(&nonl);
}

/* Each lspci fixture: read whole without its last newline; refused when
 * the file ends 3 bytes short of its last device line's end. */
static void cut_lspci(const char *file)
{
	size_t n;
	char *buf = slurp(file, &n);
	const char *dev = NULL;
	for (const char *q = buf; q && *q; q = strchr(q, '\n') ? strchr(q, '\n') + 1 : NULL)
		if (isxdigit((unsigned char)q[0]))
			dev = q;
	CHECK(dev != NULL, "no device line");
	if (dev) {
		nonl_same(pci_read_lspci_text, file, buf, n);
		expect_cut(read_lspci, "last device line", buf, (size_t)(strchr(dev, '\n') - buf) - 3, "cut short");
	}
	free(buf);
}

/* Each PCI dump: read whole without its last newline; refused when cut
 * mid-row or a row short at the end of its last device. */
static void cut_pcidump(const char *file)
{
	size_t n;
	char *buf = slurp(file, &n);
	const char *row = NULL;
	for (const char *q = buf; q && *q; q = strchr(q, '\n') ? strchr(q, '\n') + 1 : NULL)
		if (isxdigit((unsigned char)q[0]) && q[2] == ':' && q[3] == ' ')
			row = q;
	CHECK(row != NULL, "no configuration bytes");
	if (row) {
		nonl_same(pci_read_dump, file, buf, n);
		expect_cut(read_pcidump, "mid-row", buf, (size_t)(row - buf) + 20, "row cut short");
		expect_cut(read_pcidump, "a row short", buf, (size_t)(row - buf), "cut short");
	}
	free(buf);
}

static void cut_fixtures(void)
{
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/cpuid", fixtures_dir());
	for_each_file("cut-aida", dir, ".txt", cut_aida);
	snprintf(dir, sizeof(dir), "%s/lspci", fixtures_dir());
	for_each_file("cut-lspci", dir, ".txt", cut_lspci);
	snprintf(dir, sizeof(dir), "%s/pci-dumps", fixtures_dir());
	for_each_file("cut-pcidump", dir, NULL, cut_pcidump);
}

void suite_malformed(void)
{
	cut_fixtures();
	run_case("malformed", "pcidump-cardbus-128-bytes", cardbus_128, NULL);
	run_case("malformed", "bundle records", bundle_records, NULL);
	generated_cases();
	binary_and_huge();
	truncated_fixtures();
	run_case("malformed", "uarch-table-row", bad_uarch_row,
		 write_text("uarch.tsv", "# c\nvendor\tfamily\tmodel\tstepping\tuarch\tplatform\tsource\n"
					 "GenuineIntel\t0x6\tzz\t*\tx\ty\tz\n"));
}

/* fuzz_aida64 found a garbled dump (a cut line merges two leaf-4 runs into
 * seven cache descriptors) on which libcpuid 0.6.2's cpu_identify() smashes
 * its stack. The probe must survive it and say libcpuid failed. */
static void libcpuid_crash(const char *path)
{
	struct probe p;
	struct probe_opts o = {.cpuid_dump = path, .data_dir = data_dir()};
	char err[1024];
	probe_init(&p);
	int rc = probe_collect(&p, &o, err, sizeof(err));
	CHECK(rc == 0, "%s", err);
	CHECK(rc || strstr(p.cpu.libcpuid_codename, "libcpuid failed"), "codename: %s", p.cpu.libcpuid_codename);
	CHECK(rc || (p.cpu.family == 6 && p.cpu.model == 0x1a), "raw decode still works");
	probe_free(&p);
}

/* The fuzzer's dump also holds a CPU section cut after leaf 1, which the
 * reader now refuses as a cut dump; without that section it reaches libcpuid. */
static const char *without_cut_section(const char *src)
{
	static char buf[1 << 16];
	FILE *f = fopen(src, "rb");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	char *from = strstr(buf, "------[ Logical CPU #3 ]");
	char *to = from ? strstr(from + 1, "------[ Logical CPU #3 ]") : NULL;
	if (!to)
		return NULL;
	memmove(from, to, strlen(to) + 1);
	return write_text("libcpuid-leaf4.txt", buf);
}

void suite_regressions(void)
{
	const char *p = without_cut_section("tests/data/regress/aida64-libcpuid-leaf4-overflow.txt");
	if (p)
		run_case("malformed", "libcpuid-leaf4-overflow", libcpuid_crash, p);
	else
		skip_case("malformed", "libcpuid-leaf4-overflow", "regression dump not found");
}

/* The same dump saved by AIDA64 as "Unicode" (UTF-16LE with BOM) or as UTF-8
 * with a BOM must decode exactly like the ASCII original. */
static void encodings(const char *arg)
{
	char fx[512], p16[512], p8[512], err[1024];
	(void)arg;
	snprintf(fx, sizeof(fx), "%s/cpuid/GenuineIntel00306F2_HaswellEP_00_CPUID.txt", fixtures_dir());
	snprintf(p16, sizeof(p16), "%s/utf16.txt", scratch_dir());
	snprintf(p8, sizeof(p8), "%s/utf8.txt", scratch_dir());
	FILE *in = fopen(fx, "rb"), *o16 = fopen(p16, "wb"), *o8 = fopen(p8, "wb");
	CHECK(in && o16 && o8, "cannot prepare files");
	if (!in || !o16 || !o8)
		return;
	fputs("\xff\xfe", o16);
	fputs("\xef\xbb\xbf", o8);
	for (int c; (c = fgetc(in)) != EOF;) {
		fputc(c, o16), fputc(0, o16);
		fputc(c, o8);
	}
	fclose(in), fclose(o16), fclose(o8);
	struct cpu_raw a, b, c;
	cpu_raw_init(&a), cpu_raw_init(&b), cpu_raw_init(&c);
	CHECK(cpu_raw_read_aida64(fx, &a, err, sizeof(err)) == 0, "%s", err);
	CHECK(cpu_raw_read_aida64(p16, &b, err, sizeof(err)) == 0, "utf-16: %s", err);
	CHECK(cpu_raw_read_aida64(p8, &c, err, sizeof(err)) == 0, "utf-8 bom: %s", err);
	CHECK(a.nleaves == b.nleaves && a.nleaves == c.nleaves && a.nmsrs == b.nmsrs && a.ncpus == b.ncpus,
	      "leaves %zu/%zu/%zu", a.nleaves, b.nleaves, c.nleaves);
	CHECK(a.nleaves && !memcmp(a.leaves, b.leaves, a.nleaves * sizeof(*a.leaves)) &&
		  !memcmp(a.leaves, c.leaves, a.nleaves * sizeof(*a.leaves)),
	      "same registers");
	cpu_raw_free(&a), cpu_raw_free(&b), cpu_raw_free(&c);
}

void suite_encodings(void)
{
	run_case("malformed", "aida64-utf16-and-utf8-bom", encodings, NULL);
}
