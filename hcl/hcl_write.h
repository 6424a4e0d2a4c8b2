/* Writing HCL text: the inverse of hcl_lex.c. Whatever an importer puts
 * into a record either passes the format's own rules or is refused, so an
 * imported file always parses and cannot carry records of its own. */
#ifndef HVCERT_HCL_WRITE_H
#define HVCERT_HCL_WRITE_H
#include <stddef.h>
#include <stdio.h>

/* The longest string an importer writes into one field: a record of a few
 * such fields, escaped, stays under the parser's 60000-byte line. */
#define HCL_STR_MAX 4096

/* 0 when s can be a quoted value; else -1 and why. The format escapes only
 * '"' and '\\', so a control character (newline, tab, ...) cannot be written. */
int hcl_quotable(const char *s, char *why, size_t n);
/* " key=\"s\"" with '"' and '\\' escaped; s must be hcl_quotable. */
void hcl_put_quoted(FILE *out, const char *key, const char *s);
/* "'x'" for a printable ASCII byte, else "0xNN": names a byte in an error
 * message without echoing terminal controls. */
const char *hcl_byte_name(unsigned char c, char buf[8]);
#endif
