/* Growable arrays: makes room for element n, doubling the capacity. */
#ifndef HVCERT_GROW_H
#define HVCERT_GROW_H
#include <stddef.h>

/* 0, or -1 (out of memory; *p untouched). */
int grow_array(void **p, size_t *cap, size_t n, size_t elem);
#endif
