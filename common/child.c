#include "common/child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static void child(int (*fn)(void *, void *), void *ctx, void *out, size_t outlen, unsigned timeout_s, int fd)
{
	struct rlimit cpu = {timeout_s, timeout_s};
	int null = open("/dev/null", O_WRONLY);
	if (null >= 0)
		dup2(null, 2); /* the library's complaints and libc's abort message */
	setrlimit(RLIMIT_CPU, &cpu);
	alarm(timeout_s);
	if (fn(ctx, out) != 0)
		_exit(1);
	const char *p = out;
	for (size_t left = outlen; left;) {
		ssize_t n = write(fd, p, left);
		if (n <= 0)
			_exit(1);
		p += n, left -= (size_t)n;
	}
	_exit(0);
}

static int read_all(int fd, void *out, size_t outlen)
{
	char *p = out;
	for (size_t left = outlen; left;) {
		ssize_t n = read(fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n, left -= (size_t)n;
	}
	return 0;
}

int child_call(int (*fn)(void *ctx, void *out), void *ctx, void *out, size_t outlen, unsigned timeout_s, char *why,
	       size_t whylen)
{
	int fds[2], st = 0;
	if (pipe2(fds, O_CLOEXEC)) {
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		child(fn, ctx, out, outlen, timeout_s, fds[1]);
	}
	close(fds[1]);
	int got = pid > 0 ? read_all(fds[0], out, outlen) : -1;
	close(fds[0]);
	if (pid < 0) {
		snprintf(why, whylen, "fork: %s", strerror(errno));
		return -1;
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(st)) {
		int sig = WTERMSIG(st);
		if (sig == SIGALRM || sig == SIGXCPU)
			snprintf(why, whylen, "timed out after %u s", timeout_s);
		else
			snprintf(why, whylen, "killed by SIG%s", sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
		return -1;
	}
	if (got != 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		snprintf(why, whylen, "failed");
		return -1;
	}
	return 0;
}
