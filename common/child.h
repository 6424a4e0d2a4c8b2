/* Running a library on untrusted input in a child process: a crash, a
 * runaway stack or a hang there costs that one answer, not hvcert. */
#ifndef HVCERT_CHILD_H
#define HVCERT_CHILD_H
#include <stddef.h>

/* Runs fn(ctx, out) in a child with TIMEOUT_S seconds of CPU and wall time;
 * fn fills OUT (OUTLEN bytes) and returns 0. Returns 0 with OUT filled, or
 * -1 with why ("killed by SIGSEGV", "timed out after 10 s", "failed"). */
int child_call(int (*fn)(void *ctx, void *out), void *ctx, void *out, size_t outlen, unsigned timeout_s, char *why,
	       size_t whylen);
#endif
