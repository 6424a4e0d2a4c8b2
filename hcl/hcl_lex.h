/* Splits one HCL line into a kind and key=value fields (docs/hcl-format.md). */
#ifndef HVCERT_HCL_LEX_H
#define HVCERT_HCL_LEX_H
#include <stddef.h>

#define HCL_MAX_FIELDS 64
#define HCL_KEY_MAX    47

struct hcl_field {
	char key[HCL_KEY_MAX + 1];
	char *val; /* points into the record's buffer */
	int col;   /* 1-based column of the key */
	int vcol;  /* of the value */
	int used;
};

struct hcl_rec {
	char kind[16];
	int kcol;
	struct hcl_field f[HCL_MAX_FIELDS];
	int nf;
	char buf[65536]; /* unescaped values */
};

/* 0 (rec->kind empty for a blank/comment line), or -1 with *col and why. */
int hcl_lex(const char *line, struct hcl_rec *rec, int *col, const char **why);
#endif
