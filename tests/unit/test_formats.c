/* The dump formats of probe/cpuid_dump.c. Expected values come from the
 * data itself: tests/data/cpuid-formats/ holds one machine's recordings
 * made at once (cpuid -r, cpuid -r -1, cpuid_tool --save, hwloc-gather-cpuid,
 * /proc/cpuinfo), so their leaves must agree with each other; and every
 * AIDA64 fixture is rewritten in each layout by tests/gen/cpuid_formats.py
 * (its own parser of the AIDA64 text), whose leaves and CPU count must equal
 * what the AIDA64 reader reads from the fixture. */
#include "tests/unit/check.h"
#include "probe/cpuid_dump.h"
#include "probe/probe.h"
#include "probe/virt_caps.h"

#include "common/safefile.h"
#include "common/spawn.h"

#include <fcntl.h>
#include <libcpuid/libcpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define REC "tests/data/cpuid-formats/"

static int read_dump(const char *path, struct cpu_raw *r)
{
	char err[512];
	cpu_raw_init(r);
	int rc = cpu_raw_read_dump(path, r, err, sizeof(err));
	CHECK(rc == 0, "%s: %s", path, err);
	return rc;
}

/* Every leaf of GOT is in WANT with the same registers; *extra counts the
 * ones WANT lacks (they must be all zero, the converter's filler). */
static void leaves_within(const struct cpu_raw *got, const struct cpu_raw *want, const char *what, int zeros_ok)
{
	for (size_t i = 0; i < got->nleaves; i++) {
		const struct cpuid_entry *e = &got->leaves[i];
		uint32_t v[4];
		if (cpu_raw_get(want, e->leaf, e->subleaf, v)) {
			int zero = !e->r[0] && !e->r[1] && !e->r[2] && !e->r[3];
			CHECK(zeros_ok && zero, "%s: leaf 0x%x.%u not in the reference", what, e->leaf, e->subleaf);
			continue;
		}
		CHECK(memcmp(v, e->r, sizeof(v)) == 0,
		      "%s: leaf 0x%x.%u: %08x %08x %08x %08x, reference %08x %08x %08x %08x", what, e->leaf, e->subleaf,
		      e->r[0], e->r[1], e->r[2], e->r[3], v[0], v[1], v[2], v[3]);
	}
}

static void same_leaves(const struct cpu_raw *got, const struct cpu_raw *want, const char *what)
{
	leaves_within(got, want, what, 0);
	CHECK(got->nleaves == want->nleaves, "%s: %zu leaves, reference %zu", what, got->nleaves, want->nleaves);
}

static void check_format(const struct cpu_raw *r, const char *fmt, const char *path)
{
	CHECK(strcmp(r->format, fmt) == 0, "%s: detected as \"%s\", not \"%s\"", path, r->format, fmt);
	CHECK(strstr(r->source, fmt) != NULL, "%s: source \"%s\" does not name the format", path, r->source);
}

/* Recordings of one machine: cpuid -r (both CPUs) is the reference. */
static void recorded(const char *unused)
{
	(void)unused;
	struct cpu_raw ref, r;
	if (read_dump(REC "cpuid-r.txt", &ref))
		return;
	check_format(&ref, FMT_CPUIDR, "cpuid-r.txt");
	CHECK(ref.ncpus == 2, "cpuid -r: %zu CPUs, the recording has CPU 0 and CPU 1", ref.ncpus);
	if (read_dump(REC "hwloc", &r) == 0) {
		check_format(&r, FMT_HWLOC, "hwloc/");
		leaves_within(&r, &ref, "hwloc/", 1); /* cpuid -r leaves out some empty leaves */
		CHECK(r.ncpus == 2 && r.apic_ids[0] == ref.apic_ids[0] && r.apic_ids[1] == ref.apic_ids[1],
		      "hwloc/: CPUs and APIC IDs differ from cpuid -r's");
	}
	cpu_raw_free(&r);
	if (read_dump(REC "hwloc/pu0", &r) == 0) {
		check_format(&r, FMT_HWLOC, "hwloc/pu0");
		CHECK(r.ncpus == 1, "one pu file is one CPU, not %zu", r.ncpus);
	}
	cpu_raw_free(&r);
	if (read_dump(REC "libcpuid.raw", &r) == 0) {
		check_format(&r, FMT_LIBCPUID, "libcpuid.raw");
		leaves_within(&r, &ref, "libcpuid.raw", 1);
		CHECK(r.ncpus == 2, "libcpuid.raw: %zu CPUs", r.ncpus);
		/* cpuid -r has 0x80000021 and 7.1; libcpuid's format has no slot for them */
		CHECK(!cpu_raw_bit_known(&r, 0x80000021u, 0, REG_EAX, 0) && !cpu_raw_bit_known(&r, 7, 1, REG_EAX, 4),
		      "libcpuid.raw: leaves it cannot hold must be unknown");
		CHECK(cpu_raw_bit_known(&r, 7, 0, REG_EBX, 5), "libcpuid.raw: leaf 7.0 is in the format");
	}
	cpu_raw_free(&r);
	if (read_dump(REC "cpuid-r-1.txt", &r) == 0) {
		check_format(&r, FMT_CPUIDR, "cpuid-r-1.txt");
		CHECK(r.ncpus == 1, "cpuid -r -1: one CPU, not %zu", r.ncpus);
	}
	cpu_raw_free(&r);
	cpu_raw_free(&ref);
}

/* libcpuid's own deserializer, where it works (CPU 0 of an "all CPUs" read),
 * agrees with ours on every slot in range. */
static void libcpuid_agrees(const char *unused)
{
	(void)unused;
	struct cpu_raw r;
	struct cpu_raw_data_array_t a;
	if (read_dump(REC "libcpuid.raw", &r))
		return;
	/* It warns on stderr about the "Logical CPU" lines it does not parse. */
	fflush(stderr);
	int saved = dup(2), null = open("/dev/null", O_WRONLY);
	if (null >= 0)
		dup2(null, 2);
	int rc = cpuid_deserialize_all_raw_data(&a, REC "libcpuid.raw");
	if (saved >= 0)
		dup2(saved, 2);
	if (null >= 0)
		close(null);
	if (saved >= 0)
		close(saved);
	if (rc == 0 && a.num_raw >= 1) {
		for (uint32_t i = 0; i <= a.raw[0].basic_cpuid[0][0] && i < 32; i++) {
			uint32_t v[4];
			CHECK(cpu_raw_get(&r, i, 0, v) == 0 && memcmp(v, a.raw[0].basic_cpuid[i], sizeof(v)) == 0,
			      "leaf 0x%x differs from libcpuid's reading", i);
		}
		CHECK(a.num_raw == (int)r.ncpus, "libcpuid reads %d CPUs, we %zu", a.num_raw, r.ncpus);
		cpuid_free_raw_data_array(&a);
	} else {
		CHECK(0, "libcpuid could not read its own dump");
	}
	cpu_raw_free(&r);
}

static int decode(const char *path, struct probe *p)
{
	char err[512];
	struct probe_opts o = {.cpuid_dump = path, .data_dir = data_dir()};
	probe_init(p);
	int rc = probe_collect(p, &o, err, sizeof(err));
	CHECK(rc == 0, "%s: %s", path, err);
	return rc;
}

/* /proc/cpuinfo of this machine against its own cpuid -r. */
static void procinfo_recorded(const char *unused)
{
	(void)unused;
	struct probe a, b;
	if (decode(REC "cpuinfo.txt", &a) || decode(REC "cpuid-r.txt", &b))
		return;
	check_format(&a.raw, FMT_PROCINFO, "cpuinfo.txt");
	CHECK(strcmp(a.cpu.vendor_str, b.cpu.vendor_str) == 0 && a.cpu.signature == b.cpu.signature,
	      "vendor/signature %s %08x, cpuid -r %s %08x", a.cpu.vendor_str, a.cpu.signature, b.cpu.vendor_str,
	      b.cpu.signature);
	CHECK(a.cpu.feat_unknown[F_OSXSAVE] && !a.cpu.feat[F_OSXSAVE], "OSXSAVE: the kernel never prints it");
	CHECK(a.cpu.feat_unknown[F_INVTSC], "invariant TSC: no flag of that leaf");
	CHECK(!a.cpu.feat_unknown[F_AVX2] && a.cpu.feat[F_AVX2] == b.cpu.feat[F_AVX2], "AVX2 is a printed flag");
	CHECK(!a.cpu.feat_unknown[F_LM] && a.cpu.feat[F_LM], "lm is printed");
	/* No svm flag in this VM: unknown (firmware may hide it), and so are its capabilities. */
	CHECK(a.cpu.feat_unknown[F_SVM], "missing svm flag must be unknown, not absent");
	CHECK(virt_cap(&a.virt, "npt") == TRI_UNKNOWN && virt_cap(&a.virt, "sev") == TRI_UNKNOWN,
	      "npt %d sev %d: /proc/cpuinfo has no SVM leaf", virt_cap(&a.virt, "npt"), virt_cap(&a.virt, "sev"));
	CHECK(a.cpu.threads == 0, "no APIC topology in /proc/cpuinfo: topology unknown");
	probe_free(&a);
	probe_free(&b);
}

/* A VMX machine's /proc/cpuinfo: VT-x present, but EPT, VPID, unrestricted
 * guest and the firmware state are MSRs: unknown. */
static void procinfo_vmx(const char *unused)
{
	(void)unused;
	char *buf, err[512], path[512];
	size_t len;
	if (sf_read(NULL, REC "cpuinfo.txt", SF_CAP, &buf, &len, err, sizeof(err))) {
		CHECK(0, "%s", err);
		return;
	}
	snprintf(path, sizeof(path), "%s/vmx-cpuinfo", scratch_dir());
	FILE *f = fopen(path, "w");
	for (char *l = strtok(buf, "\n"); f && l; l = strtok(NULL, "\n")) {
		if (strncmp(l, "processor", 9) == 0 && l != buf)
			fputc('\n', f);
		if (strncmp(l, "vendor_id", 9) == 0)
			l = "vendor_id\t: GenuineIntel";
		else if (strncmp(l, "cpu family", 10) == 0)
			l = "cpu family\t: 6";
		else if (strncmp(l, "model\t", 6) == 0)
			l = "model\t\t: 143";
		fprintf(f, "%s%s\n", strncmp(l, "flags", 5) == 0 ? "flags\t\t: vmx " : "",
			strncmp(l, "flags", 5) == 0 ? strchr(l, ':') + 2 : l);
	}
	if (f)
		fclose(f);
	free(buf);
	struct probe p;
	if (decode(path, &p))
		return;
	CHECK(p.cpu.vendor == CV_INTEL && p.cpu.feat[F_VMX] && !p.cpu.feat_unknown[F_VMX], "VMX flag read");
	CHECK(p.virt.hw && p.virt.fw == FW_UNKNOWN, "hw %d fw %d: firmware state is an MSR", p.virt.hw, p.virt.fw);
	static const char *const caps[] = {"ept", "vpid", "unrestricted_guest", "ept_ad", "posted_interrupts"};
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		CHECK(virt_cap(&p.virt, caps[i]) == TRI_UNKNOWN, "%s: %d, must be unknown", caps[i],
		      virt_cap(&p.virt, caps[i]));
	CHECK(strstr(p.virt.caps_note, "/proc/cpuinfo") != NULL, "caps note: %s", p.virt.caps_note);
	probe_free(&p);
}

static const char *fixture;

static void converted(const char *dir)
{
	char err[512], path[600], cnt[600];
	struct cpu_raw ref, r;
	cpu_raw_init(&ref);
	if (cpu_raw_read_aida64(fixture, &ref, err, sizeof(err))) {
		CHECK(0, "%s", err);
		return;
	}
	snprintf(cnt, sizeof(cnt), "%s/cpus", dir);
	char *buf;
	size_t len, cpus = 0;
	if (sf_read(NULL, cnt, 64, &buf, &len, err, sizeof(err)) == 0) {
		cpus = strtoul(buf, NULL, 10);
		free(buf);
	}
	static const struct {
		const char *file, *fmt;
		int exact, zeros;
	} outs[] = {{"cpuid-r.txt", FMT_CPUIDR, 1, 0},
		    {"instlat.txt", FMT_INSTLAT, 0, 0},
		    {"libcpuid.raw", FMT_LIBCPUID, 0, 1},
		    {"hwloc", FMT_HWLOC, 1, 0}};
	for (size_t i = 0; i < sizeof(outs) / sizeof(outs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, outs[i].file);
		if (read_dump(path, &r) == 0) {
			check_format(&r, outs[i].fmt, path);
			if (outs[i].exact)
				same_leaves(&r, &ref, path);
			else
				leaves_within(&r, &ref, path, outs[i].zeros);
			CHECK(r.ncpus == cpus, "%s: %zu CPUs, the fixture has %zu CPU sections", path, r.ncpus, cpus);
		}
		cpu_raw_free(&r);
	}
	cpu_raw_free(&ref);
}

static void one_fixture(const char *path)
{
	char dir[512], err[256];
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	snprintf(dir, sizeof(dir), "%s/formats-%s", scratch_dir(), base);
	char *argv[] = {"python3", "tests/gen/cpuid_formats.py", (char *)path, dir, NULL};
	if (spawn_run(argv, NULL, NULL, err, sizeof(err)) != 0) {
		CHECK(0, "tests/gen/cpuid_formats.py %s failed %s", path, err);
		return;
	}
	fixture = path;
	converted(dir);
}

static void expect_fail(const char *name, const char *text, const char *want)
{
	char path[512], err[512];
	struct cpu_raw r;
	snprintf(path, sizeof(path), "%s/%s", scratch_dir(), name);
	if (sf_write_file(path, text, strlen(text), err, sizeof(err))) {
		CHECK(0, "%s", err);
		return;
	}
	cpu_raw_init(&r);
	int rc = cpu_raw_read_dump(path, &r, err, sizeof(err));
	CHECK(rc != 0, "%s: accepted, %zu leaves", name, r.nleaves);
	CHECK(rc == 0 || strstr(err, want) != NULL, "%s: \"%s\" lacks \"%s\"", name, err, want);
	CHECK(rc == 0 || strncmp(err, path, strlen(path)) == 0, "%s: \"%s\" does not start with the file", name, err);
	cpu_raw_free(&r);
}

#define R0 "   0x00000000 0x00: eax=0x00000001 ebx=0x756e6547 ecx=0x6c65746e edx=0x49656e69\n"
#define R1 "   0x00000001 0x00: eax=0x000306c3 ebx=0x00100800 ecx=0x7ffafbff edx=0xbfebfbff\n"
#define E0 "   0x80000000 0x00: eax=0x80000001 ebx=0x00000000 ecx=0x00000000 edx=0x00000000\n"
#define E1 "   0x80000001 0x00: eax=0x00000000 ebx=0x00000000 ecx=0x00000021 edx=0x2c100800\n"

static void truncated(const char *unused)
{
	(void)unused;
	expect_fail("cut-line", "CPU 0:\n" R0 R1 E0 "   0x80000001 0x00: eax=0x00000000 ebx=0x0000", "cpuid -r line");
	expect_fail("no-newline",
		    "CPU 0:\n" R0 R1 E0 "   0x80000001 0x00: eax=0x00000000 ebx=0x00000000 "
		    "ecx=0x00000021 edx=0x2c100800",
		    "truncated");
	expect_fail("cut-block", "CPU 0:\n" R0 R1 E0 E1 "CPU 1:\n" R0 R1, "truncated");
	expect_fail("cut-range", "CPU:\n" R0 R1 E0, "truncated");
	expect_fail("instlat-cut",
		    "CPUID 00000000  \t00000001-756E6547-6C65746E-49656E69\nCPUID 00000001  \t000306C3-0010",
		    "four 32-bit hex registers");
	expect_fail("libcpuid-cut", "version=0.6.2\nbasic_cpuid[0]=00000001 756e6547 6c65746e 49656e69\n", "truncated");
	expect_fail("hwloc-cut",
		    "# mask e[abcd]x => e[abcd]x\n1 0 0 0 0 => 1 756e6547 6c65746e 49656e69\n1 1 0 0 0 => 306c3",
		    "hwloc-gather-cpuid line");
	expect_fail("cpuinfo-cut",
		    "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 60\n"
		    "cpuid level\t: 13\nflags\t\t: fpu vme\n",
		    "truncated");
	expect_fail("unknown", "hello\nworld\n", "not a CPU dump");
	expect_fail("empty", "", "empty");
}

/* The same file read through the dispatcher and the AIDA64 reader. */
static void aida_dispatch(const char *path)
{
	char err[512];
	struct cpu_raw a, b;
	cpu_raw_init(&a);
	if (read_dump(path, &b) || cpu_raw_read_aida64(path, &a, err, sizeof(err))) {
		cpu_raw_free(&b);
		return;
	}
	check_format(&b, FMT_AIDA64, path);
	same_leaves(&b, &a, path);
	CHECK(a.ncpus == b.ncpus, "%s: %zu CPUs vs %zu", path, b.ncpus, a.ncpus);
	cpu_raw_free(&a);
	cpu_raw_free(&b);
}

void suite_formats(void)
{
	char dir[512];
	run_case("formats", "recorded", recorded, NULL);
	run_case("formats", "libcpuid-agrees", libcpuid_agrees, NULL);
	run_case("formats", "procinfo-recorded", procinfo_recorded, NULL);
	run_case("formats", "procinfo-vmx-unknown", procinfo_vmx, NULL);
	run_case("formats", "truncated", truncated, NULL);
	snprintf(dir, sizeof(dir), "%s/cpuid", fixtures_dir());
	for_each_file("formats-aida", dir, ".txt", aida_dispatch);
	for_each_file("formats-converted", dir, ".txt", one_fixture);
}
