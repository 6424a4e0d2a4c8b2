/* One escaping function per output format; every renderer that prints a
 * string that came from input (a dump, a bundle, a results file, a
 * database) prints it through one of these. */
#ifndef HVCERT_ESCAPE_H
#define HVCERT_ESCAPE_H
#include <stddef.h>
#include <stdio.h>

/* HTML and XML text and attribute values: & < > " ' as entities; control
 * characters (but tab and newline) and invalid UTF-8 dropped. */
void esc_html(FILE *out, const char *s);
/* Markdown inline text (CommonMark and tables; never at a line's start):
 * \ ` * _ [ ] < > | ! ~ & backslash-escaped, so nothing becomes emphasis,
 * code, a link, an image, raw HTML, an entity or a cell break; control
 * characters become spaces. */
void esc_md(FILE *out, const char *s);
/* A terminal: control characters (C0, DEL, C1) and invalid UTF-8 become
 * '?', so a dump cannot move the cursor, retitle the window or hide text.
 * Returns buf (at most n-1 bytes of s) for use inside printf. */
const char *esc_term(char *buf, size_t n, const char *s);
/* A gnuplot data-file string, quotes included ("..."): a name with
 * spaces stays one column, and it cannot end its own quoting. */
void esc_gnuplot(FILE *out, const char *s);
#endif
