#include "common/words.h"

#include <string.h>

int word_in_list(const char *list, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = list; p && n && (p = strstr(p, w)); p += n)
		if ((p == list || p[-1] == ' ' || p[-1] == '\t') && (p[n] == '\0' || p[n] == ' ' || p[n] == '\t'))
			return 1;
	return 0;
}
