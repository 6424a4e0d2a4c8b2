/* Options every command that reads a machine shares: where each part of
 * the probe comes from. */
#ifndef HVCERT_CLI_SOURCES_H
#define HVCERT_CLI_SOURCES_H
#include <getopt.h>

#include "probe/probe.h"

#define SOURCE_OPTIONS                                                                                                 \
	{"load", required_argument, 0, 'l'}, {"cpuid-dump", required_argument, 0, 'c'},                                \
	    {"lspci", required_argument, 0, 'p'}, {"pci-dump", required_argument, 0, 'd'},                             \
	    {"topology", required_argument, 0, 't'}, {"sysroot", required_argument, 0, 'r'},                           \
	    {"this-host", no_argument, 0, 'M'},                                                                        \
	{                                                                                                              \
		"data", required_argument, 0, 'D'                                                                      \
	}

#define SOURCE_HELP                                                                                                    \
	"  --load FILE         a saved probe document (hvcert probe --save)\n"                                         \
	"  --cpuid-dump FILE   CPUID from a dump (AIDA64, cpuid -r, cpuid_tool, hwloc, /proc/cpuinfo)\n"                                    \
	"  --lspci FILE        PCI from lspci -nn/-nnk/-vvnn text\n"                                                   \
	"  --pci-dump FILE     PCI from a libpci dump (lspci -xxx output)\n"                                           \
	"  --topology FILE     topology from hwloc XML (lstopo --of xml)\n"                                            \
	"  --sysroot DIR       read /sys, /proc and /dev under DIR\n"                                                  \
	"  --this-host         with dumps: take what they lack from this machine (else: not provided)\n"               \
	"  --data DIR          data directory\n"

struct sources {
	struct probe_opts o;
	const char *load;
};

/* 1 when c was a source option (and is stored), 0 otherwise. */
int sources_option(struct sources *s, int c, const char *arg);
/* Fills p from the chosen sources (or the live host). 0 or -1 + err. */
int sources_probe(struct sources *s, struct probe *p, char *err, size_t errlen);
#endif
