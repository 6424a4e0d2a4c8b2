#include "hcl/hcl_lex.h"

#include <ctype.h>
#include <string.h>

static int is_key_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '/' || c == '*' || c == '-';
}

struct lexer {
	const char *s;
	size_t i;
	char *out;
	size_t outn, outcap;
	int *col;
	const char **why;
};

static int lex_fail(struct lexer *lx, size_t at, const char *why)
{
	*lx->col = (int)at + 1;
	*lx->why = why;
	return -1;
}

static int put(struct lexer *lx, char c)
{
	if (lx->outn + 1 >= lx->outcap)
		return -1;
	lx->out[lx->outn++] = c;
	return 0;
}

static int quoted(struct lexer *lx)
{
	size_t start = lx->i++;
	for (;;) {
		char c = lx->s[lx->i];
		if (c == '\0')
			return lex_fail(lx, start, "unterminated string");
		if (c == '"')
			break;
		if (c == '\\') {
			char e = lx->s[lx->i + 1];
			if (e != '"' && e != '\\')
				return lex_fail(lx, lx->i, "unknown escape (only \\\" and \\\\)");
			c = e;
			lx->i++;
		}
		if ((unsigned char)c < 0x20)
			return lex_fail(lx, lx->i, "control character in string");
		if (put(lx, c))
			return lex_fail(lx, lx->i, "record too long");
		lx->i++;
	}
	lx->i++;
	if (lx->s[lx->i] && lx->s[lx->i] != ' ' && lx->s[lx->i] != '\t')
		return lex_fail(lx, lx->i, "expected a blank after the closing quote");
	return 0;
}

static int bare(struct lexer *lx)
{
	size_t start = lx->i;
	while (lx->s[lx->i] && lx->s[lx->i] != ' ' && lx->s[lx->i] != '\t') {
		char c = lx->s[lx->i];
		if (c == '"' || c == '#')
			return lex_fail(lx, lx->i, "'\"' or '#' inside a bare value: quote the value");
		if ((unsigned char)c < 0x20)
			return lex_fail(lx, lx->i, "control character");
		if (put(lx, c))
			return lex_fail(lx, lx->i, "record too long");
		lx->i++;
	}
	if (lx->i == start)
		return lex_fail(lx, start, "empty value");
	return 0;
}

static int field(struct lexer *lx, struct hcl_rec *r)
{
	if (r->nf == HCL_MAX_FIELDS)
		return lex_fail(lx, lx->i, "too many fields");
	struct hcl_field *f = &r->f[r->nf];
	size_t k = lx->i, n = 0;
	while (is_key_char(lx->s[lx->i]))
		lx->i++;
	n = lx->i - k;
	if (n == 0)
		return lex_fail(lx, lx->i, "expected key=value");
	if (n >= sizeof(f->key))
		return lex_fail(lx, k, "key too long");
	if (lx->s[lx->i] != '=')
		return lex_fail(lx, lx->i, "expected '=' after the key");
	memcpy(f->key, lx->s + k, n);
	f->key[n] = '\0';
	f->col = (int)k + 1;
	lx->i++;
	f->vcol = (int)lx->i + 1;
	f->val = lx->out + lx->outn;
	int rc = lx->s[lx->i] == '"' ? quoted(lx) : bare(lx);
	if (rc || put(lx, '\0'))
		return rc ? rc : lex_fail(lx, lx->i, "record too long");
	f->used = 0;
	r->nf++;
	return 0;
}

int hcl_lex(const char *line, struct hcl_rec *r, int *col, const char **why)
{
	struct lexer lx = {line, 0, r->buf, 0, sizeof(r->buf), col, why};
	r->kind[0] = '\0';
	r->nf = 0;
	while (line[lx.i] == ' ' || line[lx.i] == '\t')
		lx.i++;
	if (line[lx.i] == '\0' || line[lx.i] == '#')
		return 0;
	size_t k = lx.i;
	while (isalpha((unsigned char)line[lx.i]) || line[lx.i] == '_')
		lx.i++;
	if (lx.i == k || lx.i - k >= sizeof(r->kind) || (line[lx.i] && line[lx.i] != ' ' && line[lx.i] != '\t'))
		return lex_fail(&lx, k,
				"expected a record kind (release, require, cpu, pci, system, baseline, cpumodel)");
	memcpy(r->kind, line + k, lx.i - k);
	r->kind[lx.i - k] = '\0';
	r->kcol = (int)k + 1;
	for (;;) {
		while (line[lx.i] == ' ' || line[lx.i] == '\t')
			lx.i++;
		if (line[lx.i] == '\0' || line[lx.i] == '#')
			return 0;
		if (field(&lx, r))
			return -1;
	}
}
