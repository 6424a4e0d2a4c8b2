#include "virt_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void virt_decode(const struct cpu_raw *r, const struct cpu_info *c, struct virt_info *v)
{
	memset(v, 0, sizeof(*v));
	if (c->vendor == CV_INTEL) {
		v->hw = c->feat[F_VMX];
		vmx_decode(r, v);
	} else if (c->vendor == CV_AMD || c->vendor == CV_HYGON) {
		v->hw = c->feat[F_SVM];
		svm_decode(r, v);
	}
	if (!v->hw) {
		/* Capability bits of a CPU that does not offer the extension mean nothing. */
		v->caps_known = 0;
		for (int i = 0; i < v->ncaps; i++)
			v->caps[i].state = TRI_NO;
	}
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
