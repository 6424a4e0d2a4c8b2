/* hvcert capture DIR: a replayable copy of what the probe reads here. */
#include "probe/capture.h"
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

int cmd_capture(int argc, char **argv)
{
	struct capture_stats st;
	char err[1024];
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(argc == 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr,
			"usage: hvcert capture DIR\n"
			"  copies the /sys, /proc and /dev entries hvcert reads into DIR;\n"
			"  later: hvcert probe --sysroot DIR (CPUID comes from the CPU it runs on\n"
			"  unless --cpuid-dump is given; device nodes become empty files)\n");
		return argc == 2 && strcmp(argv[1], "--help") == 0 ? EXIT_OK : EXIT_ERROR;
	}
	if (capture_tree("", argv[1], &st, err, sizeof(err))) {
		cli_fail("capture", err);
		return EXIT_ERROR;
	}
	printf("captured %d files, %d directories, %d links, %d device nodes into %s (%d unreadable)\n", st.files,
	       st.dirs, st.links, st.nodes, argv[1], st.unreadable);
	return EXIT_OK;
}
