/* stats.c - named counters printed as one JSON object (include/stats.h). */
#include <err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sbuf.h"
#include "stats.h"
#include "xalloc.h"

/* Counters live in fixed chunks so the pointers handed out by stats_ctr()
 * stay valid however many counters are added later. */
#define STATS_CHUNK	64

struct stats_ctr {
	char		*name;
	uint64_t	 v;
};

struct stats_chunk {
	struct stats_ctr	 c[STATS_CHUNK];
	size_t			 n;
	struct stats_chunk	*next;
};

struct stats_str {
	char			*key;
	char			*val;
	struct stats_str	*next;
};

/* How stats_print writes: one format for the process, set from the
 * command line (--stats) before any stage prints. */
enum stats_format { STATS_AUTO, STATS_JSON, STATS_TEXT };
static enum stats_format stats_format;

/* stats_bad reports the first and then every this many of a counter. */
#define STATS_BAD_EVERY	1000

struct stats {
	char			*name;
	struct stats_chunk	*head, *tail;
	struct stats_str	*strs;
	int			 quiet;
};

struct stats *
stats_new(const char *name)
{
	struct stats *s = xcalloc(1, sizeof(*s));

	s->name = xstrdup(name);
	s->head = s->tail = xcalloc(1, sizeof(*s->head));
	return s;
}

void
stats_destroy(struct stats **sp)
{
	struct stats *s = *sp;
	struct stats_chunk *c, *cn;
	struct stats_str *t, *tn;
	size_t i;

	if (s == NULL)
		return;
	for (c = s->head; c != NULL; c = cn) {
		cn = c->next;
		for (i = 0; i < c->n; i++)
			free(c->c[i].name);
		free(c);
	}
	for (t = s->strs; t != NULL; t = tn) {
		tn = t->next;
		free(t->key);
		free(t->val);
		free(t);
	}
	free(s->name);
	free(s);
	*sp = NULL;
}

const uint64_t *
stats_find(const struct stats *s, const char *name)
{
	const struct stats_chunk *c;
	size_t i;

	for (c = s->head; c != NULL; c = c->next)
		for (i = 0; i < c->n; i++)
			if (strcmp(c->c[i].name, name) == 0)
				return &c->c[i].v;
	return NULL;
}

uint64_t *
stats_ctr(struct stats *s, const char *name)
{
	struct stats_chunk *c;
	const uint64_t *v;

	if ((v = stats_find(s, name)) != NULL)
		return (uint64_t *)v;
	if (s->tail->n == STATS_CHUNK) {
		s->tail->next = xcalloc(1, sizeof(*s->tail));
		s->tail = s->tail->next;
	}
	c = s->tail;
	c->c[c->n].name = xstrdup(name);
	c->c[c->n].v = 0;
	return &c->c[c->n++].v;
}

void
stats_add(struct stats *s, const char *name, uint64_t n)
{
	*stats_ctr(s, name) += n;
}

void
stats_set_str(struct stats *s, const char *key, const char *value)
{
	struct stats_str *t, **tp;

	for (tp = &s->strs; (t = *tp) != NULL; tp = &t->next)
		if (strcmp(t->key, key) == 0) {
			free(t->val);
			t->val = xstrdup(value);
			return;
		}
	t = xcalloc(1, sizeof(*t));
	t->key = xstrdup(key);
	t->val = xstrdup(value);
	*tp = t;
}

int
stats_set_format(const char *name)
{
	if (strcmp(name, "auto") == 0)
		stats_format = STATS_AUTO;
	else if (strcmp(name, "json") == 0)
		stats_format = STATS_JSON;
	else if (strcmp(name, "text") == 0)
		stats_format = STATS_TEXT;
	else
		return -1;
	return 0;
}

/* The text form, for a person at a terminal: non-zero counters aligned
 * under the tool's name. */
static void
stats_print_text(const struct stats *s, struct sbuf *b)
{
	const struct stats_chunk *c;
	const struct stats_str *t;
	size_t i, w = 0, zero = 0;

	for (c = s->head; c != NULL; c = c->next)
		for (i = 0; i < c->n; i++)
			if (c->c[i].v != 0 && strlen(c->c[i].name) > w)
				w = strlen(c->c[i].name);
	for (t = s->strs; t != NULL; t = t->next)
		if (strlen(t->key) > w)
			w = strlen(t->key);
	sbuf_addf(b, "%s:\n", s->name);
	for (c = s->head; c != NULL; c = c->next)
		for (i = 0; i < c->n; i++) {
			if (c->c[i].v == 0) {
				zero++;
				continue;
			}
			sbuf_addf(b, "  %-*s %llu\n", (int)w, c->c[i].name,
			    (unsigned long long)c->c[i].v);
		}
	for (t = s->strs; t != NULL; t = t->next)
		sbuf_addf(b, "  %-*s %s\n", (int)w, t->key, t->val);
	if (zero > 0)
		sbuf_addf(b, "  (%zu %scounter%s at 0)\n", zero,
		    w == 0 ? "" : "other ", zero == 1 ? "" : "s");
}

void
stats_print(const struct stats *s, FILE *fp)
{
	const struct stats_chunk *c;
	const struct stats_str *t;
	struct sbuf b = { 0 };
	size_t i;
	int first = 1;

	if (stats_format == STATS_TEXT || (stats_format == STATS_AUTO &&
	    isatty(fileno(fp)))) {
		stats_print_text(s, &b);
		fwrite(b.p, 1, b.len, fp);
		fflush(fp);
		sbuf_free(&b);
		return;
	}
	sbuf_adds(&b, "{\"tool\":");
	sbuf_add_jstr(&b, s->name, strlen(s->name));
	sbuf_adds(&b, ",\"counters\":{");
	for (c = s->head; c != NULL; c = c->next)
		for (i = 0; i < c->n; i++) {
			if (!first)
				sbuf_addc(&b, ',');
			first = 0;
			sbuf_add_jstr(&b, c->c[i].name, strlen(c->c[i].name));
			sbuf_addc(&b, ':');
			sbuf_add_u64(&b, c->c[i].v);
		}
	sbuf_addc(&b, '}');
	for (t = s->strs; t != NULL; t = t->next) {
		sbuf_addc(&b, ',');
		sbuf_add_jstr(&b, t->key, strlen(t->key));
		sbuf_addc(&b, ':');
		sbuf_add_jstr(&b, t->val, strlen(t->val));
	}
	sbuf_adds(&b, "}\n");
	fwrite(b.p, 1, b.len, fp);
	fflush(fp);
	sbuf_free(&b);
}

void
stats_vbad(struct stats *s, uint64_t *ctr, const char *what, const char *fmt,
    va_list ap)
{
	uint64_t n = ++*ctr;

	if (s->quiet || (n != 1 && n % STATS_BAD_EVERY != 0))
		return;
	fprintf(stderr, "%s: %s: ", s->name, what);
	vfprintf(stderr, fmt, ap);
	if (n > 1)
		fprintf(stderr, " (%llu so far)", (unsigned long long)n);
	fputc('\n', stderr);
}

void
stats_bad(struct stats *s, uint64_t *ctr, const char *what, const char *fmt,
    ...)
{
	va_list ap;

	va_start(ap, fmt);
	stats_vbad(s, ctr, what, fmt, ap);
	va_end(ap);
}

void
stats_set_quiet(struct stats *s, int quiet)
{
	s->quiet = quiet;
}
