/* sinkset.c - sinks opened once per spec. Implements include/sinkset.h.
 */
#include <err.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sinkset.h"
#include "xalloc.h"

struct sinkset {
	struct sink_opts so;
	char		**spec;
	struct sink	**s;
	size_t		 n;
};

struct sinkset *
sinkset_new(const struct sink_opts *so)
{
	struct sinkset *ss = xcalloc(1, sizeof(*ss));

	if (so != NULL)
		ss->so = *so;
	return ss;
}

struct sink *
sinkset_get(struct sinkset *ss, const char *spec)
{
	size_t i;

	for (i = 0; i < ss->n; i++)
		if (strcmp(ss->spec[i], spec) == 0)
			return ss->s[i];
	ss->spec = xreallocarray(ss->spec, ss->n + 1, sizeof(*ss->spec));
	ss->s = xreallocarray(ss->s, ss->n + 1, sizeof(*ss->s));
	ss->spec[ss->n] = xstrdup(spec);
	ss->s[ss->n] = sink_open_or_die(spec, &ss->so);
	return ss->s[ss->n++];
}

int
sinkset_close(struct sinkset **ssp)
{
	struct sinkset *ss = *ssp;
	size_t i;
	int rc = 0;

	if (ss == NULL)
		return 0;
	for (i = 0; i < ss->n; i++) {
		/* A write that failed only at the last flush (a full disk,
		 * say) is reported here; a reader that went away (EPIPE) ends
		 * the stage quietly. */
		if (sink_close(&ss->s[i]) != 0) {
			if (errno != EPIPE)
				warn("%s: records were lost", ss->spec[i]);
			rc = -1;
		}
		free(ss->spec[i]);
	}
	free(ss->spec);
	free(ss->s);
	free(ss);
	*ssp = NULL;
	return rc;
}
