#include "sysroot.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

void sysroot_path(const char *sysroot, const char *abs, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s%s", sysroot ? sysroot : "", abs);
}

FILE *sysroot_fopen(const char *sysroot, const char *abs)
{
	char p[4096];
	sysroot_path(sysroot, abs, p, sizeof(p));
	return fopen(p, "r");
}

int sysroot_read_line(const char *sysroot, const char *abs, char *out, size_t outlen)
{
	FILE *f = sysroot_fopen(sysroot, abs);
	if (!f)
		return -errno;
	out[0] = '\0';
	if (!fgets(out, (int)outlen, f)) {
		int e = ferror(f) ? -EIO : -ENODATA;
		fclose(f);
		return e;
	}
	fclose(f);
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

int sysroot_exists(const char *sysroot, const char *abs)
{
	char p[4096];
	struct stat st;
	sysroot_path(sysroot, abs, p, sizeof(p));
	return stat(p, &st) == 0;
}
