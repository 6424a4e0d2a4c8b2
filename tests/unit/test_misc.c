/* Small pure pieces: flag lists, x86-64 levels, facts, the uarch table. */
#include "common/dirlist.h"
#include "common/spawn.h"
#include "common/words.h"
#include "probe/cpu_decode.h"
#include "probe/facts.h"
#include "probe/probe.h"
#include "probe/sources.h"
#include "probe/uarch.h"
#include "probe/virt_caps.h"
#include "tests/unit/check.h"

#include <string.h>
#include <sys/stat.h>
#include <time.h>

static void words(const char *arg)
{
	(void)arg;
	CHECK(word_in_list("fpu vmx sse", "vmx"), "middle word");
	CHECK(word_in_list("vmx", "vmx"), "only word");
	CHECK(!word_in_list("vmxx svm_lock", "vmx"), "prefix is not a word");
	CHECK(!word_in_list("ept_vmx", "vmx"), "suffix is not a word");
	CHECK(word_in_list("a\tsvm", "svm"), "tab separator");
	CHECK(!word_in_list("", "svm") && !word_in_list(NULL, "svm"), "empty list");
}

/* The table's options are distinct, each stores into a field of its own,
 * and the refusals name the options as the table spells them. */
static void source_table(const char *arg)
{
	struct probe_opts o;
	struct probe p;
	char err[512];
	(void)arg;
	for (size_t i = 0; i < probe_nsources; i++)
		for (size_t k = i + 1; k < probe_nsources; k++)
			CHECK(strcmp(probe_sources[i].option, probe_sources[k].option) &&
				  probe_sources[i].field != probe_sources[k].field,
			      "sources %zu and %zu share an option or a field", i, k);
	for (size_t i = 0; i < probe_nsources; i++) {
		memset(&o, 0, sizeof(o));
		probe_source_set(&o, &probe_sources[i], "x");
		CHECK(probe_source_value(&o, &probe_sources[i]) && probe_source_given(&o, probe_sources[i].part),
		      "--%s: value not stored", probe_sources[i].option);
		CHECK(probe_sources[i].read || probe_sources[i].part == PART_ALL || probe_sources[i].part == PART_HOST,
		      "--%s: a dump source without a reader", probe_sources[i].option);
	}
	memset(&o, 0, sizeof(o));
	o.lspci = "a", o.pci_dump = "b";
	probe_init(&p);
	CHECK(probe_from_sources(&p, &o, err, sizeof(err)) && strstr(err, "--lspci and --pci-dump both describe PCI"),
	      "two PCI sources: \"%s\"", err);
	memset(&o, 0, sizeof(o));
	o.load = "a", o.topology = "b";
	CHECK(probe_from_sources(&p, &o, err, sizeof(err)) && strstr(err, "cannot be combined with --topology"),
	      "--load with --topology: \"%s\"", err);
	probe_free(&p);
}

/* Name order, the suffix, no dot files, and (DIRLIST_REGULAR) no
 * subdirectories or FIFOs; a missing directory is an error naming it. */
static void listings(const char *arg)
{
	char dir[4096], p[4200], err[512], **l;
	size_t n;
	(void)arg;
	snprintf(dir, sizeof(dir), "%s/dirlist", scratch_dir());
	mkdir(dir, 0755);
	static const char *const files[] = {"b.json", "a.json", ".h.json", "x.txt", ".json"};
	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		FILE *f = fopen(p, "w");
		if (f)
			fclose(f);
	}
	snprintf(p, sizeof(p), "%s/d.json", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/f.json", dir);
	mkfifo(p, 0644);
	CHECK(dirlist(dir, ".json", 0, &l, &n, err, sizeof(err)) == 0 && n == 4 && strstr(l[0], "/a.json") &&
		  strstr(l[1], "/b.json") && strstr(l[2], "/d.json") && strstr(l[3], "/f.json"),
	      "all *.json: %zu", n);
	dirlist_free(l, n);
	CHECK(dirlist(dir, NULL, DIRLIST_REGULAR, &l, &n, err, sizeof(err)) == 0 && n == 3 && strstr(l[2], "/x.txt"),
	      "regular files: %zu", n);
	dirlist_free(l, n);
	snprintf(p, sizeof(p), "%s/nope", dir);
	CHECK(dirlist(p, NULL, 0, &l, &n, err, sizeof(err)) && strstr(err, "/nope: "), "missing: %s", err);
}

/* A program that hangs (a broken gnuplot or `qemu --version`) is ended at
 * the limit and is a failure that says so. */
static void spawn_limit(const char *arg)
{
	char *const argv[] = {"sleep", "5", NULL};
	char out[64], err[256] = "";
	(void)arg;
	unsigned old = spawn_set_limit(1);
	time_t t0 = time(NULL);
	CHECK(spawn_line(argv, out, sizeof(out)) == -1, "spawn_line of a hang succeeded");
	CHECK(spawn_run(argv, NULL, NULL, err, sizeof(err)) == -1 && strstr(err, "timed out after 1 s"),
	      "spawn_run: %s", err);
	CHECK(time(NULL) - t0 < 5, "took %ld s", (long)(time(NULL) - t0));
	spawn_set_limit(old);
}

static void levels(const char *arg)
{
	unsigned char f[F_NUM] = {0};
	static const enum cpu_feat v1[] = {F_CMOV, F_CX8, F_FPU, F_FXSR, F_MMX, F_SSE, F_SSE2, F_SYSCALL, F_LM};
	(void)arg;
	CHECK(cpu_x86_64_level(f) == 0, "nothing is v0");
	for (size_t i = 0; i < sizeof(v1) / sizeof(v1[0]); i++)
		f[v1[i]] = 1;
	CHECK(cpu_x86_64_level(f) == 1, "baseline is v1");
	f[F_CX16] = f[F_LAHF] = f[F_POPCNT] = f[F_SSE3] = f[F_SSE41] = f[F_SSE42] = f[F_SSSE3] = 1;
	CHECK(cpu_x86_64_level(f) == 2, "v2");
	/* v4 bits without v3 do not make v4. */
	f[F_AVX512F] = f[F_AVX512BW] = f[F_AVX512CD] = f[F_AVX512DQ] = f[F_AVX512VL] = 1;
	CHECK(cpu_x86_64_level(f) == 2, "AVX-512 without AVX2 stays v2");
	f[F_AVX] = f[F_AVX2] = f[F_BMI1] = f[F_BMI2] = f[F_F16C] = f[F_FMA] = f[F_LZCNT] = f[F_MOVBE] = f[F_XSAVE] = 1;
	CHECK(cpu_x86_64_level(f) == 4, "v4");
	f[F_MOVBE] = 0;
	CHECK(cpu_x86_64_level(f) == 2, "one missing v3 bit drops to v2");
}

static void facts(const char *arg)
{
	struct factset s;
	(void)arg;
	facts_init(&s);
	facts_set(&s, "a", "%d", 42);
	facts_unknown(&s, "b", "no %s", "file");
	facts_set(&s, "a", "0x10");
	CHECK(s.n == 2, "keys are unique");
	CHECK(facts_int(&s, "a", -1) == 16, "hex value parses");
	CHECK(facts_str(&s, "b") == NULL, "unknown has no value");
	CHECK(facts_get(&s, "b") && strcmp(facts_get(&s, "b")->value, "no file") == 0, "reason kept");
	CHECK(facts_int(&s, "zz", -7) == -7, "missing gives default");
	facts_free(&s);
}

/* A lookup that matches nothing reads every row: the whole table parses. */
static void table_parses(const char *path)
{
	struct uarch_match m;
	char err[512] = "";
	CHECK(uarch_lookup(path, "NoSuchVendor", 0, 0, 0, &m, err, sizeof(err)) == 0, "%s", err);
	CHECK(!m.found, "matched a vendor that does not exist");
}

/* Stepping ranges pick the right Xeon for model 0x55. */
static void stepping_ranges(const char *path)
{
	static const struct {
		unsigned stepping;
		const char *platform;
	} t[] = {{4, "Skylake-SP"}, {7, "Cascade Lake-SP"}, {11, "Cooper Lake"}};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct uarch_match m;
		char err[512] = "";
		CHECK(uarch_lookup(path, "GenuineIntel", 6, 0x55, t[i].stepping, &m, err, sizeof(err)) == 0, "%s", err);
		CHECK(m.found && strncmp(m.platform, t[i].platform, strlen(t[i].platform)) == 0,
		      "0x55 stepping %u: got %s, expected %s", t[i].stepping, m.found ? m.platform : "-",
		      t[i].platform);
	}
}

void suite_misc(void)
{
	static char table[512];
	snprintf(table, sizeof(table), "%s/cpu-uarch.tsv", data_dir());
	run_case("misc", "word_in_list", words, NULL);
	run_case("misc", "probe sources table", source_table, NULL);
	run_case("misc", "directory listings", listings, NULL);
	run_case("misc", "spawned programs have a time limit", spawn_limit, NULL);
	run_case("misc", "x86-64 levels", levels, NULL);
	run_case("misc", "facts", facts, NULL);
	run_case("misc", "uarch table parses", table_parses, table);
	run_case("misc", "uarch stepping ranges", stepping_ranges, table);
}

/* A CPU of another vendor that reports VMX (Zhaoxin/Centaur do) is decoded
 * as VT-x: here the Haswell-EP dump with its vendor string replaced. */
static void other_vendor_vmx(const char *arg)
{
	char fx[512], err[512];
	(void)arg;
	snprintf(fx, sizeof(fx), "%s/cpuid/GenuineIntel00306F2_HaswellEP_00_CPUID.txt", fixtures_dir());
	struct cpu_raw r;
	struct cpu_info c;
	struct virt_info v;
	cpu_raw_init(&r);
	CHECK(cpu_raw_read_aida64(fx, &r, err, sizeof(err)) == 0, "%s", err);
	for (size_t i = 0; i < r.nleaves; i++)
		if (r.leaves[i].leaf == 0) {
			r.leaves[i].r[REG_EBX] = 0x746e6543; /* "Cent" */
			r.leaves[i].r[REG_EDX] = 0x48727561; /* "aurH" */
			r.leaves[i].r[REG_ECX] = 0x736c7561; /* "auls" */
		}
	CHECK(cpu_decode(&r, &c, err, sizeof(err)) == 0, "%s", err);
	virt_decode(&r, &c, &v);
	CHECK(!strcmp(c.vendor_str, "CentaurHauls") && c.vendor == CV_OTHER, "vendor %s", c.vendor_str);
	CHECK(v.tech && !strcmp(v.tech, "VT-x") && v.hw && virt_cap(&v, "ept") == TRI_YES, "decoded as VT-x with EPT");
	cpu_raw_free(&r);
}

void suite_misc_vendor(void)
{
	run_case("misc", "other vendor with VMX", other_vendor_vmx, NULL);
}
