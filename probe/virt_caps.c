#include "probe/virt_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The extension the CPU reports decides the decoder; the vendor only breaks
 * the tie when neither bit is set (then we say which one is missing).
 * Zhaoxin and Centaur parts implement VMX. */
void virt_decode(const struct cpu_raw *r, const struct cpu_info *c, struct virt_info *v)
{
	memset(v, 0, sizeof(*v));
	int amd_like = c->vendor == CV_AMD || c->vendor == CV_HYGON;
	if (c->feat[F_VMX] || (!c->feat[F_SVM] && !amd_like && c->vendor != CV_OTHER)) {
		v->hw = c->feat[F_VMX];
		vmx_decode(r, v);
	} else if (c->feat[F_SVM] || amd_like) {
		v->hw = c->feat[F_SVM];
		svm_decode(r, v);
	}
	/* A source that cannot tell whether the extension is there (a missing
	 * /proc/cpuinfo flag) leaves its capabilities unknown too. */
	if (!v->hw && !c->feat_unknown[virt_is_vmx(v, c) ? F_VMX : F_SVM]) {
		/* Capability bits of a CPU that does not offer the extension mean nothing. */
		v->caps_known = 0;
		for (int i = 0; i < v->ncaps; i++)
			v->caps[i].state = TRI_NO;
	}
}

int virt_is_vmx(const struct virt_info *v, const struct cpu_info *c)
{
	return v->tech ? v->tech[0] == 'V' : c->vendor == CV_INTEL;
}

int virt_cap(const struct virt_info *v, const char *name)
{
	for (int i = 0; i < v->ncaps; i++)
		if (strcmp(v->caps[i].name, name) == 0)
			return v->caps[i].state;
	return TRI_UNKNOWN;
}

void msr_missing(const struct cpu_raw *r, int rc, const char *what, char *out, size_t n)
{
	snprintf(out, n, "%s %.250s", what, rc == -EIO ? "read failed" : r->msr_note[0] ? r->msr_note : "not captured");
}
