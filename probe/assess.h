/* Turns a decoded probe into findings: grouped, each PASS/WARN/FAIL/INFO
 * with a value and a one-line reason. Pure: same probe, same findings. */
#ifndef HVCERT_ASSESS_H
#define HVCERT_ASSESS_H
#include "probe/probe.h"

enum status { ST_PASS, ST_WARN, ST_FAIL, ST_INFO };

struct finding {
	char group[16];
	char name[48];
	char value[512];
	char reason[640];
	enum status st;
	int notable; /* the reason is shown without --verbose */
};

struct findings {
	struct finding *f;
	size_t n, cap;
};

void findings_init(struct findings *fs);
void findings_free(struct findings *fs);
void add_finding(struct findings *fs, const char *group, const char *name, enum status st, const char *value,
		 const char *reason_fmt, ...) __attribute__((format(printf, 6, 7)));
/* Marks the last finding added as one whose reason the short report shows. */
void finding_notable(struct findings *fs);
const char *status_name(enum status st);
/* Worst of FAIL > WARN > PASS over the findings. */
enum status findings_worst(const struct findings *fs);

void assess(const struct probe *p, struct findings *out);
/* The parts, one file each. */
void assess_cpu(const struct probe *p, struct findings *out);
void assess_virt(const struct probe *p, struct findings *out);
void assess_kvm(const struct probe *p, struct findings *out);
void assess_platform(const struct probe *p, struct findings *out);
void assess_pci(const struct probe *p, struct findings *out);
#endif
