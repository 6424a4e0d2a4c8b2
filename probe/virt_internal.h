#ifndef HVCERT_VIRT_INTERNAL_H
#define HVCERT_VIRT_INTERNAL_H
#include "probe/virt_caps.h"
void vmx_decode(const struct cpu_raw *r, struct virt_info *v);
void svm_decode(const struct cpu_raw *r, struct virt_info *v);
/* "MSR 0x3A ... read failed / not captured / <msr_note>" into out. */
void msr_missing(const struct cpu_raw *r, int rc, const char *what, char *out, size_t n);
#endif
