/* Options every command that reads a machine shares: where each part of
 * the probe comes from (probe/sources.c's table), --this-host and --data. */
#ifndef HVCERT_CLI_SOURCES_H
#define HVCERT_CLI_SOURCES_H
#include <getopt.h>
#include <stdio.h>

#include "probe/probe.h"

struct sources {
	struct probe_opts o;
};

/* The source options' help lines. */
void sources_help(FILE *f);
/* getopt_long over the source options and own: stores source options in s
 * and returns the next other option (or -1), as getopt_long does. */
int sources_getopt(int argc, char **argv, const struct option *own, struct sources *s);
/* Fills p from the chosen sources (or the live host). 0 or -1 + err. */
int sources_probe(struct sources *s, struct probe *p, char *err, size_t errlen);
#endif
