/* Running another program: always an argument vector, never a shell, so
 * no file name, label or path from input can become a command. */
#ifndef HVCERT_SPAWN_H
#define HVCERT_SPAWN_H
#include <stddef.h>

/* Runs argv[0] (looked up in PATH) in CWD (NULL: ours), stdin from /dev/null,
 * stdout and stderr into a new file LOG (NULL: discarded). Returns its exit
 * status, or -1 with err when it could not start or was killed. */
int spawn_run(char *const argv[], const char *cwd, const char *log, char *err, size_t errlen);
/* The first line argv prints on stdout (newline stripped; "" if none);
 * 0 when it ran and exited 0, else -1. */
int spawn_line(char *const argv[], char *out, size_t n);
/* Every program spawned gets this many seconds (SIGALRM, set before exec)
 * and then is a failure "timed out": a hung gnuplot or `qemu --version`
 * must not hang us. Default SPAWN_LIMIT_S; returns the previous limit. */
#define SPAWN_LIMIT_S 120
unsigned spawn_set_limit(unsigned seconds);
#endif
