#include "common/escape.h"
#include "reports/report.h"

#include <string.h>

static const char *group_title(const char *g)
{
	static const struct {
		const char *key, *title;
	} t[] = {{"cpu", "CPU"},	   {"virt", "Virtualization"},
		 {"kvm", "KVM"},	   {"services", "Host services"},
		 {"platform", "Platform"}, {"pci", "PCI"}};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(t[i].key, g) == 0)
			return t[i].title;
	return g;
}

static void counts(const struct findings *fs, int n[4])
{
	memset(n, 0, 4 * sizeof(int));
	for (size_t i = 0; i < fs->n; i++)
		n[fs->f[i].st]++;
}

static int pci_device_row(const struct finding *f)
{
	return strcmp(f->group, "pci") == 0 && strcmp(f->name, "devices") != 0;
}

void report_text(FILE *out, const struct probe *p, const struct findings *fs, int verbose)
{
	const char *last = "";
	size_t hidden = 0;
	char a[4096], b[4096], c[4096], d[4096];
	/* Every value may come from a dump or a bundle: escaped for the terminal. */
	fprintf(out, "hvcert probe: cpu from %s; host from %s; pci from %s; topology from %s\n",
		esc_term(a, sizeof(a), p->raw.source), esc_term(b, sizeof(b), p->host_source),
		esc_term(c, sizeof(c), probe_pci_source(p)),
		esc_term(d, sizeof(d), probe_topology_source(p)));
	for (size_t i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->f[i];
		if (!verbose && f->st == ST_INFO && pci_device_row(f)) {
			hidden++;
			continue;
		}
		if (strcmp(last, f->group) != 0) {
			fprintf(out, "\n%s\n", group_title(f->group));
			last = f->group;
		}
		fprintf(out, "  [%s] %-28s %s\n", status_name(f->st), esc_term(a, sizeof(a), f->name),
			esc_term(b, sizeof(b), f->value));
		int worth = f->st == ST_WARN || f->st == ST_FAIL || f->notable ||
			    (strcmp(f->group, "virt") == 0 && f->st == ST_PASS && strncmp(f->name, "hardware", 8) == 0);
		if (f->reason[0] && (verbose || worth))
			fprintf(out, "         %-28s %s\n", "", esc_term(a, sizeof(a), f->reason));
	}
	if (hidden)
		fprintf(out, "  (%zu PCI devices with nothing to report; --verbose lists them)\n", hidden);
	int n[4];
	counts(fs, n);
	fprintf(out, "\nOverall: %s (%d FAIL, %d WARN, %d PASS, %d INFO)\n", status_name(findings_worst(fs)),
		n[ST_FAIL], n[ST_WARN], n[ST_PASS], n[ST_INFO]);
}
