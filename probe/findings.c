#include "common/grow.h"
#include "probe/assess.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void findings_init(struct findings *fs)
{
	memset(fs, 0, sizeof(*fs));
}

void findings_free(struct findings *fs)
{
	free(fs->f);
	findings_init(fs);
}

void add_finding(struct findings *fs, const char *group, const char *name, enum status st, const char *value,
		 const char *fmt, ...)
{
	if (grow_array((void **)&fs->f, &fs->cap, fs->n, sizeof(*fs->f)))
		return;
	struct finding *f = &fs->f[fs->n++];
	memset(f, 0, sizeof(*f));
	snprintf(f->group, sizeof(f->group), "%s", group);
	snprintf(f->name, sizeof(f->name), "%s", name);
	snprintf(f->value, sizeof(f->value), "%s", value ? value : "");
	f->st = st;
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(f->reason, sizeof(f->reason), fmt, ap);
		va_end(ap);
	}
}

void finding_notable(struct findings *fs)
{
	if (fs->n)
		fs->f[fs->n - 1].notable = 1;
}

const char *status_name(enum status st)
{
	static const char *const n[] = {"PASS", "WARN", "FAIL", "INFO"};
	return st <= ST_INFO ? n[st] : "?";
}

enum status findings_worst(const struct findings *fs)
{
	enum status w = ST_PASS;
	for (size_t i = 0; i < fs->n; i++) {
		if (fs->f[i].st == ST_FAIL)
			return ST_FAIL;
		if (fs->f[i].st == ST_WARN)
			w = ST_WARN;
	}
	return w;
}

void assess(const struct probe *p, struct findings *out)
{
	assess_cpu(p, out);
	assess_virt(p, out);
	assess_kvm(p, out);
	assess_platform(p, out);
	assess_pci(p, out);
}
