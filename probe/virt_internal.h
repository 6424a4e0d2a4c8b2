#ifndef HVCERT_VIRT_INTERNAL_H
#define HVCERT_VIRT_INTERNAL_H
#include "virt_caps.h"
void vmx_decode(const struct cpu_raw *r, struct virt_info *v);
void svm_decode(const struct cpu_raw *r, struct virt_info *v);
#endif
