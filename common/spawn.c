#include "common/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned limit_s = SPAWN_LIMIT_S;

unsigned spawn_set_limit(unsigned seconds)
{
	unsigned old = limit_s;
	limit_s = seconds;
	return old;
}

/* In the child: stdin, stdout and stderr, then cwd, the time limit (an
 * alarm outlives exec), then the program. */
static void exec_child(char *const argv[], const char *cwd, int out, int errout)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0)
		_exit(126);
	if (dup2(out >= 0 ? out : null, 1) < 0 || dup2(errout >= 0 ? errout : null, 2) < 0)
		_exit(126);
	if (cwd && chdir(cwd) != 0)
		_exit(126);
	signal(SIGALRM, SIG_DFL);
	alarm(limit_s);
	execvp(argv[0], argv);
	_exit(127);
}

static int wait_for(pid_t pid, const char *prog, char *err, size_t errlen)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			snprintf(err, errlen, "%s: %s", prog, strerror(errno));
			return -1;
		}
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM) {
		snprintf(err, errlen, "%s: timed out after %u s", prog, limit_s);
		return -1;
	}
	if (WIFSIGNALED(st)) {
		snprintf(err, errlen, "%s: killed by SIG%s", prog,
			 sigabbrev_np(WTERMSIG(st)) ? sigabbrev_np(WTERMSIG(st)) : "?");
		return -1;
	}
	if (WEXITSTATUS(st) == 127 || WEXITSTATUS(st) == 126)
		snprintf(err, errlen, "%s: could not be run (not installed?)", prog);
	return WEXITSTATUS(st);
}

int spawn_run(char *const argv[], const char *cwd, const char *log, char *err, size_t errlen)
{
	int out = -1;
	if (log && (out = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0) {
		snprintf(err, errlen, "%s: %s", log, strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0)
		exec_child(argv, cwd, out, out);
	if (out >= 0)
		close(out);
	if (pid < 0) {
		snprintf(err, errlen, "%s: fork: %s", argv[0], strerror(errno));
		return -1;
	}
	return wait_for(pid, argv[0], err, errlen);
}

int spawn_line(char *const argv[], char *out, size_t n)
{
	int fd[2];
	char err[256];
	out[0] = '\0';
	if (pipe2(fd, O_CLOEXEC))
		return -1;
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		int w = dup(fd[1]); /* dup() clears O_CLOEXEC for the child's stdout */
		exec_child(argv, NULL, w, -1);
	}
	close(fd[1]);
	size_t len = 0;
	ssize_t r;
	while (pid > 0 && len + 1 < n && (r = read(fd[0], out + len, n - 1 - len)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		len += (size_t)r;
	}
	out[len] = '\0';
	out[strcspn(out, "\n")] = '\0';
	close(fd[0]); /* a program that prints more gets SIGPIPE, which is fine */
	if (pid < 0)
		return -1;
	return wait_for(pid, argv[0], err, sizeof(err)) == 0 ? 0 : -1;
}
