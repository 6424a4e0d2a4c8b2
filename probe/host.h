/* Host facts read from /sys, /proc and /dev (under --sysroot when given):
 * firmware (DMI), kernel, memory, huge pages, KVM, VMM services, cgroups,
 * IOMMU, SR-IOV. Each reader fills the factset; none fails the probe. */
#ifndef HVCERT_HOST_H
#define HVCERT_HOST_H
#include "probe/facts.h"

void host_read_platform(const char *sysroot, struct factset *s);
void host_read_kernel(const char *sysroot, struct factset *s);
void host_read_services(const char *sysroot, struct factset *s);
void host_read_iommu(const char *sysroot, struct factset *s);
void host_read_kvm(const char *sysroot, struct factset *s);
/* KVM ioctls on /dev/kvm (kvm_dev.c); under a sysroot, the bundle's record. */
void host_read_kvm_dev(const char *sysroot, struct factset *s);
/* Writes the live ioctl answers into bundle directory `to` (hvcert capture). */
int host_record_kvm_dev(const char *to, char *err, size_t errlen);
/* hwloc; xml is an exported topology or NULL (topo.c). */
int host_read_topology(const char *sysroot, const char *xml, struct factset *s, char *err, size_t errlen);
/* This host's topology as hwloc XML at path (hvcert capture). */
int host_export_topology(const char *path, char *err, size_t errlen);
/* Marks every host fact unknown because the source is a dump. */
void host_mark_not_captured(struct factset *s, const char *why);
#endif
