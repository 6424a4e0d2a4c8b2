/* Importers that turn lists users already have into HCL records. Each writes
 * records (no schema line) to `out` and returns the number written, or -1
 * with "file:line: why" in err. */
#ifndef HVCERT_IMPORT_H
#define HVCERT_IMPORT_H
#include <stddef.h>
#include <stdio.h>

/* Linux modules.alias and modules.builtin.modinfo under a lib/modules/VER dir:
 * one pci record per ID a driver claims, stating `release`=supported. */
int import_modalias(const char *moddir, const char *release, const char *source, FILE *out, char *err, size_t errlen);
/* Drivers built into the kernel (modules.builtin) whose PCI ID tables the
 * kernel's files do not carry: take each one's aliases from another kernel
 * where it is a module (ref_moddir), as records citing that. */
int import_builtin_ids(const char *moddir, const char *ref_moddir, const char *release, const char *source, FILE *out,
		       char *err, size_t errlen);
/* vSAN HCL all.json: data.{controller,ssd,hdd,nic}[] with vid/did/svid/ssid
 * and releases{"ESXi 8.0 U2": {driver: {version: {firmwares: [...]}}}}. */
int import_vsan_json(const char *path, const char *source, FILE *out, char *err, size_t errlen);
/* VMware Compatibility Guide CSV export (header names the columns). */
int import_vcg_csv(const char *path, const char *source, FILE *out, char *err, size_t errlen);
/* "ESXi 8.0 U2" -> "esxi/8.0u2"; 0 or -1 when not a release name. */
int import_release_id(const char *name, char *out, size_t n);
#endif
