/* Console, command line, results and exit. */
#include <stdarg.h>

#include "kit.h"

#define COM1 0x3F8
#define DEBUG_EXIT 0xF4

static const char *cmdline = "";

void kit_cpu_init(void);

void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *a = d;
	const unsigned char *b = s;
	while (n--)
		*a++ = *b++;
	return d;
}

void kit_putc(char c)
{
	/* Wait for THR empty (LSR bit 5); bounded so a broken UART cannot hang us. */
	for (int i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
		;
	outb(COM1, (uint8_t)c);
}

static void puts_n(const char *s)
{
	while (*s)
		kit_putc(*s++);
}

static void put_u64(uint64_t v, unsigned base, int width, char pad)
{
	char buf[32];
	int n = 0;
	do {
		unsigned d = (unsigned)(v % base);
		buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= base;
	} while (v && n < 30);
	while (n < width && n < 30)
		buf[n++] = pad;
	while (n)
		kit_putc(buf[--n]);
}

void kit_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			kit_putc(*p);
			continue;
		}
		p++;
		char pad = ' ';
		int width = 0, longs = 0;
		if (*p == '0')
			pad = '0', p++;
		while (*p >= '0' && *p <= '9')
			width = width * 10 + (*p++ - '0');
		while (*p == 'l')
			longs++, p++;
		switch (*p) {
		case 's': puts_n(va_arg(ap, const char *)); break;
		case 'c': kit_putc((char)va_arg(ap, int)); break;
		case 'd': {
			int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
			if (v < 0)
				kit_putc('-'), v = -v;
			put_u64((uint64_t)v, 10, width, pad);
			break;
		}
		case 'u': put_u64(longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, width, pad); break;
		case 'x': put_u64(longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, width, pad); break;
		case '%': kit_putc('%'); break;
		default: kit_putc('?'); break;
		}
	}
	va_end(ap);
}

void kit_result(const char *name, uint64_t iters, uint64_t cycles, uint64_t checksum)
{
	kit_printf("@result name=%s iters=%lu cycles=%lu per_iter=%lu checksum=0x%016lx\n", name, iters, cycles,
		   iters ? cycles / iters : 0, checksum);
}

void kit_exit(int code)
{
	kit_printf("@exit %d\n", code);
	outb(DEBUG_EXIT, (uint8_t)code);
	for (;;) /* no debug-exit device: stop here */
		__asm__ volatile("cli; hlt");
}

void kit_fail(const char *why)
{
	kit_printf("@fail %s\n", why);
	kit_exit(3);
}

const char *kit_cmdline(void)
{
	return cmdline;
}

/* Finds "key=" at a word start; returns the value's start or 0. */
static const char *find_arg(const char *key)
{
	size_t n = 0;
	while (key[n])
		n++;
	for (const char *p = cmdline; *p; p++) {
		if (p != cmdline && p[-1] != ' ')
			continue;
		size_t i = 0;
		while (i < n && p[i] == key[i])
			i++;
		if (i == n && p[n] == '=')
			return p + n + 1;
	}
	return 0;
}

uint64_t kit_arg_u64(const char *key, uint64_t dflt)
{
	const char *v = find_arg(key);
	uint64_t x = 0;
	if (!v || *v < '0' || *v > '9')
		return dflt;
	while (*v >= '0' && *v <= '9')
		x = x * 10 + (uint64_t)(*v++ - '0');
	return x;
}

int kit_arg_enabled(const char *name)
{
	const char *v = find_arg("only");
	if (!v)
		return 1;
	while (*v && *v != ' ') {
		const char *a = name;
		while (*a && *v == *a)
			a++, v++;
		if (!*a && (*v == ',' || *v == ' ' || !*v))
			return 1;
		while (*v && *v != ',' && *v != ' ')
			v++;
		if (*v == ',')
			v++;
	}
	return 0;
}

void kit_main(const struct hvm_start_info *si)
{
	/* .bss arrives zeroed: both loaders (QEMU, vmm-mini) clear p_memsz - p_filesz. */
	if (si && si->magic == HVM_START_MAGIC && si->cmdline_paddr)
		cmdline = (const char *)(uintptr_t)si->cmdline_paddr;
	kit_cpu_init();
	kit_printf("@start cmdline=\"%s\"\n", cmdline);
	guest_main();
	kit_exit(0);
}
