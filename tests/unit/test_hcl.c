/* The HCL parser, lint, matching and importers. */
#include "hcl/certify.h"
#include "tests/unit/check.h"
#include "hcl/hcl.h"
#include "hcl/hcl_write.h"
#include "hcl/import.h"
#include "hcl/lint.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *write_tmp(const char *name, const char *content)
{
	static char path[512];
	snprintf(path, sizeof(path), "%s/%s", scratch_dir(), name);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(content, f);
		fclose(f);
	}
	return path;
}

struct bad_db {
	const char *name, *content, *want; /* want: ":LINE:COL: substring" */
};

static const struct bad_db *cur_bad;

static void parse_error(const char *path)
{
	struct hcl_db db;
	char err[1024] = "";
	hcl_init(&db);
	CHECK(hcl_load_file(&db, path, err, sizeof(err)) == -1, "accepted: %s", cur_bad->content);
	CHECK(strncmp(err, path, strlen(path)) == 0 && strstr(err, cur_bad->want), "error \"%s\" lacks \"%s\"", err,
	      cur_bad->want);
	hcl_free(&db);
}

static void parse_errors(void)
{
	static const struct bad_db cases[] = {
	    {"no-schema", "release id=a/b source=x\n", ":1:1: the first record must be 'schema 1'"},
	    {"empty", "", ":0:1: no 'schema 1'"},
	    {"schema-2", "schema 2\n", ":1:8: unsupported schema"},
	    {"unknown-kind", "schema 1\nfrob id=1\n", ":2:1: unknown record kind 'frob'"},
	    {"no-equals", "schema 1\nrelease id\n", ":2:11: expected '='"},
	    {"unterminated", "schema 1\nrelease id=a/b name=\"x\n", ":2:21: unterminated string"},
	    {"bad-escape", "schema 1\nrelease id=a/b name=\"\\n\"\n", ":2:22: unknown escape"},
	    {"bad-release-id", "schema 1\nrelease id=ESXi8 source=x\n", ":2:12: bad release id"},
	    {"missing-source", "schema 1\nrelease id=a/b\n", ":2:1: source record lacks"},
	    {"bad-devices", "schema 1\nrelease id=a/b devices=all source=x\n", ":2:24: devices must be"},
	    {"unknown-key", "schema 1\nrelease id=a/b colour=red source=x\n", ":2:16: unknown key 'colour'"},
	    {"bad-hex-model", "schema 1\ncpu vendor=GenuineIntel family=0x6 model=0xzz a/b=supported source=x\n",
	     ":2:42: model:"},
	    {"reversed-range", "schema 1\ncpu vendor=GenuineIntel family=0x6 model=0x50-0x40 a/b=supported source=x\n",
	     ":2:42: model:"},
	    {"bad-state", "schema 1\ncpu vendor=GenuineIntel family=0x6 model=0x55 a/b=maybe source=x\n",
	     ":2:51: state must be"},
	    {"no-states", "schema 1\ncpu vendor=GenuineIntel family=0x6 model=0x55 source=x\n",
	     ":2:1: cpu entry states no release"},
	    {"bad-vendor", "schema 1\ncpu vendor=Intel family=0x6 model=0x55 a/b=supported source=x\n",
	     ":2:12: unknown vendor"},
	    {"bad-pci-id", "schema 1\npci id=808:10c9 a/b=supported source=x\n", ":2:8: id:"},
	    {"bad-class", "schema 1\npci id=8086:* class=123 a/b=supported source=x\n", ":2:21: class:"},
	    {"require-two", "schema 1\nrequire release=a/b level=2 virt=hw state=unsupported source=x\n",
	     ":2:1: require needs exactly one"},
	    {"require-level", "schema 1\nrequire release=a/b level=5 state=unsupported source=x\n",
	     ":2:27: level must be"},
	    {"require-state", "schema 1\nrequire release=a/b level=2 state=supported source=x\n",
	     ":2:35: require state"},
	    {"quote-in-bare", "schema 1\nrelease id=a/b name=x\"y source=x\n",
	     ":2:22: '\"' or '#' inside a bare value"},
	    {"bad-order", "schema 1\nbaseline id=x vendor=GenuineIntel order=0 adds=sse source=x\n",
	     ":2:41: order must be"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cur_bad = &cases[i];
		char name[64];
		snprintf(name, sizeof(name), "parse-%s", cases[i].name);
		run_case("hcl", name, parse_error, write_tmp("bad.hcl", cases[i].content));
	}
}

static int lint_text(const char *content, char *out, size_t n)
{
	struct hcl_db db;
	char err[1024];
	hcl_init(&db);
	const char *p = write_tmp("lint.hcl", content);
	int problems = -1;
	if (hcl_load_file(&db, p, err, sizeof(err)) == 0) {
		FILE *f = fmemopen(out, n, "w");
		problems = hcl_lint(&db, NULL, f);
		fclose(f);
	} else {
		snprintf(out, n, "%s", err);
	}
	hcl_free(&db);
	return problems;
}

static void lint_cases(const char *arg)
{
	char out[4096];
	(void)arg;
	const char *base = "schema 1\nrelease id=k/1 source=x\nrelease id=k/2 after=k/1 source=x\n";
	char buf[2048];
	snprintf(buf, sizeof(buf),
		 "%spci id=8086:10c9 k/1=supported source=a\npci id=8086:10c9 k/1=supported source=b\n", base);
	CHECK(lint_text(buf, out, sizeof(out)) == 1 && strstr(out, ":5:1: duplicate pci entry for release k/1"),
	      "duplicate pci: %s", out);
	snprintf(buf, sizeof(buf),
		 "%spci id=8086:10c9 k/1=supported source=a\npci id=8086:10c9 k/2=supported source=b\n", base);
	CHECK(lint_text(buf, out, sizeof(out)) == 0, "same id, other release is fine: %s", out);
	snprintf(buf, sizeof(buf), "%spci id=8086:10c9 k/9=supported source=a\n", base);
	CHECK(lint_text(buf, out, sizeof(out)) == 1 && strstr(out, ":4:1: unknown release 'k/9'"), "unknown: %s", out);
	snprintf(buf, sizeof(buf), "%srelease id=k/1 source=y\n", base);
	CHECK(lint_text(buf, out, sizeof(out)) == 1 && strstr(out, ":4:1: duplicate release 'k/1'"), "dup release: %s",
	      out);
	snprintf(buf, sizeof(buf), "%srequire release=k/* feature=warp_drive state=unsupported source=x\n", base);
	CHECK(lint_text(buf, out, sizeof(out)) == 1 && strstr(out, "unknown feature 'warp_drive'"), "feature: %s", out);
	snprintf(buf, sizeof(buf),
		 "%scpu vendor=GenuineIntel family=0x6 model=0x55 k/1=supported source=a\n"
		 "cpu vendor=GenuineIntel family=0x6 model=0x55 k/1=unsupported source=b\n"
		 "cpu vendor=GenuineIntel family=0x6 model=0x50-0x5f k/1=deprecated source=c\n",
		 base);
	CHECK(lint_text(buf, out, sizeof(out)) == 1 && strstr(out, ":5:1: duplicate cpu entry"), "cpu dup: %s", out);
	snprintf(buf, sizeof(buf), "%srelease id=k/3 after=k/8 source=x\n", base);
	CHECK(lint_text(buf, out, sizeof(out)) == 1 && strstr(out, "after=k/8"), "after: %s", out);
}

static void matching(const char *arg)
{
	struct pci_info d;
	(void)arg;
	pci_info_blank(&d);
	d.vendor = 0x8086, d.device = 0x1521, d.subvendor = 0x1028, d.subdevice = 0x1f9a, d.class_code = 0x020000;
	struct hcl_pci any = {HCL_ANY, HCL_ANY, HCL_ANY, HCL_ANY, 0, 0, NULL, NULL, NULL, NULL, {0, 0}, {0, 0}};
	struct hcl_pci e = any;
	CHECK(hcl_pci_score(&e, &d) == 0, "all wildcards match with score 0");
	e.ven = 0x8086, e.dev = 0x1521;
	CHECK(hcl_pci_score(&e, &d) == 6, "vendor+device = 6");
	e.sven = 0x1028, e.sdev = 0x1f9a;
	CHECK(hcl_pci_score(&e, &d) == 14, "with subsystem = 14");
	e.sdev = 0x0001;
	CHECK(hcl_pci_score(&e, &d) == -1, "other subsystem misses");
	e = any, e.class_code = 0x02, e.class_digits = 2;
	CHECK(hcl_pci_score(&e, &d) == 1, "class 02 matches a NIC");
	e.class_code = 0x010802, e.class_digits = 6;
	CHECK(hcl_pci_score(&e, &d) == -1, "NVMe class misses a NIC");
	d.device = PCI_ID_UNKNOWN;
	e = any, e.ven = 0x8086, e.dev = 0x1521;
	CHECK(hcl_pci_score(&e, &d) == -1, "an unknown device ID matches no exact entry");

	struct hcl_cpu wide = {"GenuineIntel", NULL, NULL, NULL, 6, 6, 0x50, 0x5f, 0, 0xffffffffu, {0, 0}, {0, 0}};
	struct hcl_cpu narrow = wide;
	narrow.mod_lo = narrow.mod_hi = 0x55, narrow.step_lo = 5, narrow.step_hi = 7;
	long sw = hcl_cpu_span(&wide, "GenuineIntel", 6, 0x55, 7),
	     sn = hcl_cpu_span(&narrow, "GenuineIntel", 6, 0x55, 7);
	CHECK(sw >= 0 && sn >= 0 && sn < sw, "narrow entry is more specific (%ld < %ld)", sn, sw);
	CHECK(hcl_cpu_span(&narrow, "GenuineIntel", 6, 0x55, 4) == -1, "stepping outside the range misses");
	CHECK(hcl_cpu_span(&wide, "AuthenticAMD", 6, 0x55, 4) == -1, "vendor must match");

	struct hcl_rs rs[2] = {{"esxi/*", HS_DEPRECATED}, {"esxi/8.0", HS_UNSUPPORTED}};
	struct hcl_states st = {rs, 2};
	CHECK(hcl_state_for(&st, "esxi/8.0") == HS_UNSUPPORTED, "exact beats glob");
	CHECK(hcl_state_for(&st, "esxi/7.0") == HS_DEPRECATED, "glob applies");
	CHECK(hcl_state_for(&st, "kvm/linux-6.1") == HS_NONE, "other line: none");
	CHECK(!hcl_release_match("esxi/*", "esxi8/0"), "glob needs the slash");
}

static int count_lines(const char *s, const char *prefix)
{
	int n = 0;
	for (const char *p = s; (p = strstr(p, prefix)); p++)
		n += p == s || p[-1] == '\n';
	return n;
}

static void modalias(const char *arg)
{
	char buf[65536] = "", err[512];
	(void)arg;
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	int n = import_modalias("tests/data/import/modules", "kvm/linux-6.1", "test", f, err, sizeof(err));
	fclose(f);
	CHECK(n > 30, "imported %d records: %s", n, err);
	CHECK(count_lines(buf, "pci ") == n, "one line per record");
	CHECK(strstr(buf, "pci id=8086:1521 sub=*:* class=* driver=igb kvm/linux-6.1=supported") != NULL,
	      "igb claims 8086:1521");
	CHECK(strstr(buf, "pci id=*:* sub=*:* class=010802 driver=nvme") != NULL, "nvme claims class 010802");
	/* What it writes parses back. */
	char doc[70000];
	snprintf(doc, sizeof(doc), "schema 1\nrelease id=kvm/linux-6.1 source=x\n%s", buf);
	struct hcl_db db;
	hcl_init(&db);
	CHECK(hcl_load_file(&db, write_tmp("imported.hcl", doc), err, sizeof(err)) == 0, "%s", err);
	CHECK(db.n_pcis == (size_t)n, "parsed %zu of %d", db.n_pcis, n);
	hcl_free(&db);
	f = fmemopen(buf, sizeof(buf), "w");
	CHECK(import_modalias(scratch_dir(), "kvm/x", "t", f, err, sizeof(err)) == -1 && strstr(err, "depmod"),
	      "missing modules.alias explains depmod: %s", err);
	fclose(f);
}

/* import_modalias on a modules.alias of these lines in the scratch dir. */
static int import_lines(const char *lines, const char *source, char *buf, size_t n, char *err, size_t errlen)
{
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/mods", scratch_dir());
	mkdir(dir, 0755);
	write_tmp("mods/modules.alias", lines);
	FILE *f = fmemopen(buf, n, "w");
	int rc = import_modalias(dir, "kvm/x", source, f, err, errlen);
	fclose(f);
	return rc;
}

/* Merging: one record per ID, drivers in the order they first claimed it,
 * each once; records in ID order, a class wildcard before a class. */
static void modalias_merge(const char *arg)
{
	char buf[4096] = "", err[512] = "";
	(void)arg;
	int n = import_lines("alias pci:v00008086d00000002sv*sd*bc*sc*i* b\n"
			     "alias pci:v00008086d00000001sv*sd*bc*sc*i* a\n"
			     "alias pci:v00008086d00000002sv*sd*bc*sc*i* a\n"
			     "alias pci:v00008086d00000002sv*sd*bc*sc*i* b\n"
			     "alias pci:v00008086d00000002sv*sd*bc02sc*i* c\n",
			     "t", buf, sizeof(buf), err, sizeof(err));
	const char *want = "pci id=8086:0001 sub=*:* class=* driver=a kvm/x=supported source=\"t\"\n"
			   "pci id=8086:0002 sub=*:* class=* driver=b,a kvm/x=supported source=\"t\"\n"
			   "pci id=8086:0002 sub=*:* class=02 driver=c kvm/x=supported source=\"t\"\n";
	CHECK(n == 3 && strcmp(buf, want) == 0, "%d records (%s):\n%s", n, err, buf);
}

/* IDs above 0xFFFF are errors naming file:line, never masked. */
static void modalias_wide_ids(const char *arg)
{
	char buf[4096] = "", err[512] = "";
	(void)arg;
	int n = import_lines("alias pci:v00008086d000010C9sv*sd*bc*sc*i* igb\n"
			     "alias pci:v00008086d000010C9sv*sd00011028bc*sc*i* igb\n",
			     "t", buf, sizeof(buf), err, sizeof(err));
	CHECK(n == -1 && strstr(err, "mods/modules.alias:2: subsystem device ID 0x00011028 is above 0xFFFF"), "%d: %s",
	      n, err);
	CHECK(!strstr(buf, "1028"), "masked: %s", buf);
}

/* A SOURCE with the format's special characters comes back as it went in. */
static void modalias_source_round_trip(const char *arg)
{
	char buf[4096] = "", err[512] = "", doc[8192];
	const char *src = "a \"q\" \\ #x pci id=1:2 kvm/x=unsupported";
	(void)arg;
	int n =
	    import_lines("alias pci:v00008086d000010C9sv*sd*bc*sc*i* igb\n", src, buf, sizeof(buf), err, sizeof(err));
	CHECK(n == 1, "%d: %s", n, err);
	snprintf(doc, sizeof(doc), "schema 1\nrelease id=kvm/x source=x\n%s", buf);
	struct hcl_db db;
	hcl_init(&db);
	int rc = hcl_load_file(&db, write_tmp("rt.hcl", doc), err, sizeof(err));
	CHECK(rc == 0 && db.n_pcis == 1, "%s", err);
	if (rc == 0 && db.n_pcis == 1)
		CHECK(strcmp(db.pcis[0].source, src) == 0 && db.pcis[0].states.n == 1 &&
			  db.pcis[0].states.v[0].st == HS_SUPPORTED,
		      "source came back as '%s'", db.pcis[0].source);
	hcl_free(&db);
	CHECK(import_lines("alias pci:v00008086d000010C9sv*sd*bc*sc*i* igb\n", "a\tb", buf, sizeof(buf), err,
			   sizeof(err)) == -1 &&
		  strstr(err, "SOURCE: byte 2 is 0x09"),
	      "a tab cannot be quoted: %s", err);
}

/* What the writer quotes and what release ids are. */
static void writer_rules(const char *arg)
{
	char why[160], id[64];
	(void)arg;
	CHECK(hcl_quotable("caf\xc3\xa9 \x7f \"x\" \\", why, sizeof(why)) == 0, "UTF-8, DEL, quotes are quotable");
	CHECK(hcl_quotable("a\nb", why, sizeof(why)) == -1 && strstr(why, "0x0a"), "%s", why);
	CHECK(hcl_release_id_ok("kvm/linux-6.1", 0) && hcl_release_id_ok("kvm/*", 1) && !hcl_release_id_ok("kvm/*", 0),
	      "ids and globs");
	char k47[64], k48[64];
	snprintf(k47, sizeof(k47), "k/%045d", 0);
	snprintf(k48, sizeof(k48), "k/%046d", 0);
	CHECK(hcl_release_id_ok(k47, 0) && !hcl_release_id_ok(k48, 0), "a release id is a key: at most 47 bytes");
	CHECK(import_release_id("E#Xi 8.0", id, sizeof(id)) == -1, "'#' in the line is no release id: %s", id);
	CHECK(import_release_id(
		  "ESXi 8.0 U2 with a very long tail that does not fit a key, nor the buffer it is built in", id,
		  sizeof(id)) == -1,
	      "a long name is refused, not cut: %s", id);
}

/* Two files stating the same key: the later-loaded one is the duplicate. */
static void lint_across_files(const char *arg)
{
	struct hcl_db db;
	char err[1024] = "", out[2048] = "", a[512], b[512];
	(void)arg;
	snprintf(a, sizeof(a), "%s",
		 write_tmp("la.hcl", "schema 1\nrelease id=k/1 source=t\n\n\n"
				     "pci id=8086:10c9 k/1=supported source=a\n"));
	snprintf(b, sizeof(b), "%s", write_tmp("lb.hcl", "schema 1\npci id=8086:10c9 k/1=unsupported source=b\n"));
	hcl_init(&db);
	int rc = hcl_load_file(&db, a, err, sizeof(err));
	rc = rc ? rc : hcl_load_file(&db, b, err, sizeof(err));
	CHECK(rc == 0, "%s", err);
	if (rc == 0) {
		FILE *f = fmemopen(out, sizeof(out), "w");
		int n = hcl_lint(&db, NULL, f);
		fclose(f);
		CHECK(n == 1 && strstr(out, "lb.hcl:2:1: duplicate pci entry for release k/1") &&
			  strstr(out, "la.hcl:5)"),
		      "%d: %s", n, out);
	}
	hcl_free(&db);
}

/* Debian 6.12 builds virtio_pci in; 6.1 has it as a module with its alias. */
static void builtin_ids(const char *arg)
{
	char buf[4096] = "", err[512];
	(void)arg;
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	int n = import_builtin_ids("tests/data/import/builtin-6.12", "tests/data/import/modules", "kvm/linux-6.12", "t",
				   f, err, sizeof(err));
	fclose(f);
	CHECK(n == 1, "built-in records: %d (%s)", n, err);
	CHECK(strstr(buf, "pci id=1af4:* sub=*:* class=* driver=virtio_pci kvm/linux-6.12=supported") != NULL, "%s",
	      buf);
}

static void vendor_lists(const char *arg)
{
	char buf[8192] = "", err[512];
	(void)arg;
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	int n = import_vsan_json("tests/data/import/vsan-sample.json", "vSAN HCL sample", f, err, sizeof(err));
	fclose(f);
	CHECK(n == 3, "vsan: %d records (%s)", n, err);
	CHECK(strstr(buf, "pci id=1000:005d sub=1028:1f49 driver=\"lsi_mr3\" fw_min=\"25.5.5.0005\"") != NULL,
	      "vsan record with lowest firmware: %s", buf);
	CHECK(strstr(buf, "esxi/8.0u2=supported") && strstr(buf, "esxi/7.0u3=supported"), "release names mapped");
	f = fmemopen(buf, sizeof(buf), "w");
	n = import_vcg_csv("tests/data/import/vcg-sample.csv", "VCG sample", f, err, sizeof(err));
	fclose(f);
	CHECK(n == 2, "csv: %d records (%s)", n, err);
	CHECK(strstr(buf, "pci id=8086:1572 sub=8086:0006 driver=\"i40en\" fw_min=\"9.20\" name=\"Intel X710, 4-port\" "
			  "esxi/8.0=supported") != NULL,
	      "csv record (quoted comma kept): %s", buf);
	f = fmemopen(buf, sizeof(buf), "w");
	n = import_vcg_csv(write_tmp("bad.csv", "Vendor,VID,DID,Release\nIntel,zz12,1572,ESXi 8.0\n"), "x", f, err,
			   sizeof(err));
	fclose(f);
	CHECK(n == -1 && strstr(err, "bad.csv:2: bad or missing PCI ID"), "bad csv row: %s", err);
	f = fmemopen(buf, sizeof(buf), "w");
	n = import_vsan_json(write_tmp("bad.json", "{\"data\": {\"nic\": [{\"vid\": \"8086\"}]}}"), "x", f, err,
			     sizeof(err));
	fclose(f);
	CHECK(n == -1 && strstr(err, "data.nic[0]"), "bad vsan entry: %s", err);
	char id[64];
	CHECK(import_release_id("ESXi 8.0 U2", id, sizeof(id)) == 0 && strcmp(id, "esxi/8.0u2") == 0, "%s", id);
	CHECK(import_release_id("ESXi", id, sizeof(id)) == -1, "a name without version is refused");
}

static void real_database(const char *arg)
{
	struct hcl_db db;
	struct cpuid_bits bits;
	char err[1024], path[512], out[8192] = "";
	(void)arg;
	hcl_init(&db);
	snprintf(path, sizeof(path), "%s/hcl", data_dir());
	int rc = hcl_load_dir(&db, path, err, sizeof(err));
	CHECK(rc == 0, "%s", err);
	snprintf(path, sizeof(path), "%s/cpuid-bits.tsv", data_dir());
	int have_bits = cpuid_bits_load(path, &bits, err, sizeof(err)) == 0;
	CHECK(have_bits, "%s", err);
	if (rc == 0) {
		FILE *f = fmemopen(out, sizeof(out), "w");
		int n = hcl_lint(&db, have_bits ? &bits : NULL, f);
		fclose(f);
		CHECK(n == 0, "data/hcl has %d lint problems:\n%s", n, out);
		CHECK(hcl_release(&db, "kvm/linux-6.1") && hcl_release(&db, "kvm/linux-6.12"), "KVM releases declared");
	}
	if (have_bits)
		cpuid_bits_free(&bits);
	hcl_free(&db);
}

void suite_hcl(void)
{
	parse_errors();
	run_case("hcl", "lint", lint_cases, NULL);
	run_case("hcl", "matching", matching, NULL);
	run_case("hcl", "import-modalias", modalias, NULL);
	run_case("hcl", "import-modalias merges by ID", modalias_merge, NULL);
	run_case("hcl", "import-modalias IDs above 0xFFFF", modalias_wide_ids, NULL);
	run_case("hcl", "import-modalias SOURCE round trip", modalias_source_round_trip, NULL);
	run_case("hcl", "writer rules", writer_rules, NULL);
	run_case("hcl", "lint across files", lint_across_files, NULL);
	run_case("hcl", "import-vsan-csv", vendor_lists, NULL);
	run_case("hcl", "import-builtin", builtin_ids, NULL);
	run_case("hcl", "data/hcl lints clean", real_database, NULL);
}
