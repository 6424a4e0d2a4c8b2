/* Every live read goes through here so --sysroot DIR replays a captured
 * /sys, /proc and /dev tree (as hwloc's HWLOC_FSROOT does). */
#ifndef HVCERT_SYSROOT_H
#define HVCERT_SYSROOT_H
#include <stddef.h>
#include <stdio.h>

void sysroot_path(const char *sysroot, const char *abs, char *out, size_t outlen);
FILE *sysroot_fopen(const char *sysroot, const char *abs);
/* First line of a file, newline stripped; 0 or -errno. */
int sysroot_read_line(const char *sysroot, const char *abs, char *out, size_t outlen);
int sysroot_exists(const char *sysroot, const char *abs);
#endif
