/* hvcert baseline HOST... : each HOST a probe document (--save) or a
 * CPU dump (probe_load_host tells them apart). */
#include "hcl/baseline.h"
#include "cli/cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void baseline_usage(FILE *f)
{
	fprintf(f, "usage: hvcert baseline [--json] [--hcl DIR|FILE]... HOST...\n"
		   "  HOST: a probe document (hvcert probe --save) or an AIDA64 CPUID dump\n"
		   "  prints the newest x86-64 level, EVC-style baseline and QEMU CPU model\n"
		   "  all hosts share for live migration, and which host holds the cluster back\n");
}

static const char *name_of(const void *x, int evc)
{
	if (!x)
		return "none";
	return evc ? ((const struct hcl_baseline *)x)->id : ((const struct hcl_cpumodel *)x)->id;
}

static void text(const struct cluster_baseline *b)
{
	printf("hvcert baseline: %d host%s\n\n", b->nhosts, b->nhosts == 1 ? "" : "s");
	printf("  %-34s %-6s %-22s %s\n", "host", "level", "EVC-style baseline", "newest QEMU model");
	for (int i = 0; i < b->nhosts; i++) {
		const struct host_rank *h = &b->host[i];
		const char *base = strrchr(h->name, '/');
		printf("  %-34.34s v%-5d %-22s %s\n", base ? base + 1 : h->name, h->level, name_of(h->evc, 1),
		       name_of(h->model, 0));
	}
	printf("\ncluster: x86-64-v%d, baseline %s, CPU model %s\n", b->level, name_of(b->evc, 1),
	       name_of(b->model, 0));
	if (b->mixed_vendors) {
		printf("  mixed CPU vendors: live migration between hosts of different CPU vendors is not\n"
		       "  supported (the guest would see its vendor change); only the x86-64 level is common\n");
		return;
	}
	for (int i = 0; i < b->nhosts; i++) {
		const struct host_rank *h = &b->host[i];
		const char *base = strrchr(h->name, '/') ? strrchr(h->name, '/') + 1 : h->name;
		if (h->evc == b->evc && h->evc_missing[0])
			printf("  %s holds the baseline at %s: the next baseline needs %s\n", base, name_of(h->evc, 1),
			       h->evc_missing);
		if (h->model == b->model && h->model_missing[0])
			printf("  %s holds the CPU model at %s: the next model needs %s\n", base, name_of(h->model, 0),
			       h->model_missing);
	}
}

static void json(const struct cluster_baseline *b)
{
	json_t *hosts = json_array();
	for (int i = 0; i < b->nhosts; i++) {
		const struct host_rank *h = &b->host[i];
		json_array_append_new(hosts, json_pack("{s:s,s:i,s:s,s:s,s:s,s:s}", "host", h->name, "level", h->level,
						       "baseline", name_of(h->evc, 1), "cpu_model",
						       name_of(h->model, 0), "lacks_for_next_baseline", h->evc_missing,
						       "lacks_for_next_model", h->model_missing));
	}
	json_t *doc = json_pack("{s:s,s:b,s:i,s:s,s:s,s:o}", "schema", "hvcert-baseline/1", "mixed_vendors",
				b->mixed_vendors, "level", b->level, "baseline", name_of(b->evc, 1), "cpu_model",
				name_of(b->model, 0), "hosts", hosts);
	char *s = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	printf("%s\n", s ? s : "{}");
	free(s);
	json_decref(doc);
}

static int run(struct hcl_db *db, char **paths, int n, int as_json)
{
	static struct probe hosts[BASELINE_MAX_HOSTS];
	static struct cluster_baseline b;
	struct cpuid_bits bits;
	char err[1024], path[4096];
	int rc = EXIT_ERROR, loaded = 0;
	snprintf(path, sizeof(path), "%s/cpuid-bits.tsv", cli_data_dir());
	if (cpuid_bits_load(path, &bits, err, sizeof(err))) {
		cli_fail("baseline", err);
		return EXIT_ERROR;
	}
	for (; loaded < n; loaded++) {
		probe_init(&hosts[loaded]);
		if (probe_load_host(&hosts[loaded], paths[loaded], cli_data_dir(), err, sizeof(err))) {
			cli_fail("baseline", err);
			loaded++;
			goto free_hosts;
		}
	}
	if (cluster_baseline(db, &bits, hosts, (const char *const *)paths, n, &b, err, sizeof(err)))
		cli_fail("baseline", err);
	else {
		as_json ? json(&b) : text(&b);
		rc = EXIT_OK;
	}
free_hosts:
	for (int i = 0; i < loaded; i++)
		probe_free(&hosts[i]);
	cpuid_bits_free(&bits);
	return rc;
}

int cmd_baseline(int argc, char **argv)
{
	char *hcl[16];
	int nhcl = 0, as_json = 0, i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--json") == 0)
			as_json = 1;
		else if (strcmp(argv[i], "--hcl") == 0 && i + 1 < argc && nhcl < 16)
			hcl[nhcl++] = argv[++i];
		else {
			baseline_usage(strcmp(argv[i], "--help") ? stderr : stdout);
			return strcmp(argv[i], "--help") ? EXIT_ERROR : EXIT_OK;
		}
	}
	if (i == argc || argc - i > BASELINE_MAX_HOSTS) {
		baseline_usage(stderr);
		return EXIT_ERROR;
	}
	struct hcl_db db;
	char err[1024];
	hcl_init(&db);
	int rc = EXIT_ERROR;
	if (cli_load_hcl(&db, nhcl, hcl, err, sizeof(err)))
		cli_fail("baseline", err);
	else
		rc = run(&db, argv + i, argc - i, as_json);
	hcl_free(&db);
	return rc;
}
