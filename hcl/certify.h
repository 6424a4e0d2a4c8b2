/* Verdicts: a probe judged against one release of the HCL, per component,
 * each with the rule (entry file:line) that decided it and its source. */
#ifndef HVCERT_CERTIFY_H
#define HVCERT_CERTIFY_H
#include "hcl/hcl.h"
#include "probe/probe.h"

enum verdict { V_CERTIFIED, V_WARN, V_UNLISTED, V_NOT_CERTIFIED };

struct comp_verdict {
	char component[32]; /* "cpu", "requirement", "system", "pci" */
	char subject[200];  /* what was judged */
	enum verdict v;
	char rule[768];	    /* which entry or rule decided, with file:line */
	char source[320];   /* the fact's citation */
	char explain[1024]; /* candidates and scores (--explain) */
	/* The deciding record, relative to the database ("" when none decided). */
	char rule_file[256];
	int rule_line;
	/* What the subject is, for machine-readable output: the half that
	 * component names is filled (docs/certify-json.md). */
	struct {
		char vendor[16];
		unsigned family, model, stepping;
		uint32_t signature;
	} cpu;
	struct {
		unsigned domain, bus, dev, func;
		uint32_t vendor, device, subvendor, subdevice, class_code; /* PCI_ID_UNKNOWN: not shown */
		char driver[48];
		int driver_known;
	} pci;
};

struct release_verdict {
	const struct hcl_release *rel;
	struct comp_verdict *c;
	size_t n, cap;
	enum verdict overall;
	int counts[4];
	int out_of_scope; /* PCI devices not in the release's classes */
};

const char *verdict_name(enum verdict v);
void certify_release(const struct hcl_db *db, const struct probe *p, const struct hcl_release *rel,
		     struct release_verdict *out);
void release_verdict_free(struct release_verdict *rv);

/* Matching, exposed for tests and --explain. */
int hcl_pci_score(const struct hcl_pci *e, const struct pci_info *d);
/* Width of the ranges (smaller = more specific); -1 if the entry misses. */
long hcl_cpu_span(const struct hcl_cpu *e, const char *vendor, unsigned fam, unsigned model, unsigned step);
#endif
