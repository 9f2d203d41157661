/* ntopseq.c - per-source msg_id accounting of ntop ZMQ messages
 * (include/ntopseq.h). See doc/wire-format.md "Drop accounting".
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "ntopseq.h"

struct seqsrc {
	unsigned	iface;
	uint32_t	source_id;
	uint32_t	last;
	double		seen;
	bool		noseq;	/* its msg_id is no sequence: not accounted */
};

struct ntopmsg_seq {
	uint32_t	 first;
	double		 forget;
	size_t		 max;
	struct seqsrc	*src;
	size_t		 n;
	size_t		 hit;	/* last source found: most messages repeat it */
};

struct ntopmsg_seq *
ntopmsg_seq_new(uint32_t first, double forget, size_t maxsrc)
{
	struct ntopmsg_seq *s;

	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->src = calloc(maxsrc ? maxsrc : 1, sizeof(*s->src))) == NULL)
		err(1, "ntopmsg_seq");
	s->first = first;
	s->forget = forget;
	s->max = maxsrc ? maxsrc : 1;
	return s;
}

void
ntopmsg_seq_destroy(struct ntopmsg_seq **sp)
{
	if (*sp == NULL)
		return;
	free((*sp)->src);
	free(*sp);
	*sp = NULL;
}

size_t
ntopmsg_seq_sources(const struct ntopmsg_seq *s)
{
	return s->n;
}

/* Drops the sources silent for longer than the forget interval. */
static void
seq_expire(struct ntopmsg_seq *s, double now)
{
	size_t i = 0;

	while (i < s->n) {
		if (now - s->src[i].seen > s->forget)
			s->src[i] = s->src[--s->n];
		else
			i++;
	}
	s->hit = 0;
}

void
ntopmsg_seq_check(struct ntopmsg_seq *s, unsigned iface,
    const struct ntophdr *h, double now, struct ntopmsg_seqres *res)
{
	struct seqsrc *src = NULL;
	size_t i;

	memset(res, 0, sizeof(*res));
	if (!h->has_msg_id || h->layout == NTOPHDR_V0 || h->version == 1)
		return;
	res->tracked = true;
	if (s->hit < s->n && s->src[s->hit].iface == iface &&
	    s->src[s->hit].source_id == h->source_id)
		src = &s->src[s->hit];
	for (i = 0; src == NULL && i < s->n; i++)
		if (s->src[i].iface == iface &&
		    s->src[i].source_id == h->source_id) {
			src = &s->src[i];
			s->hit = i;
		}
	if (src != NULL && now - src->seen > s->forget) {
		/* Silent too long: the producer may have restarted. */
		seq_expire(s, now);
		src = NULL;
	}
	if (src == NULL) {
		if (s->n == s->max)
			seq_expire(s, now);
		if (s->n == s->max) {
			res->untracked = true;
			return;
		}
		src = &s->src[s->n];
		s->hit = s->n++;
		src->iface = iface;
		src->source_id = h->source_id;
		src->noseq = false;
		res->new_source = true;
		/* A first msg_id far above the start is a producer that ran
		 * before us (or has no sequence): not a slow joiner's loss. */
		if (h->msg_id > s->first &&
		    h->msg_id - s->first <= NTOPMSG_SEQ_MAXGAP)
			res->slow_joiner = h->msg_id - s->first;
	} else if (src->noseq) {
		/* Nothing to account. */
	} else if (h->msg_id == src->last + 1) {
		/* In order (uint32_t arithmetic: wraps from 2^32-1 to 0). */
	} else if (h->msg_id == src->last && h->msg_id != s->first) {
		/* The same msg_id again (ntopng's exporter sends one value,
		 * never set): a source without a sequence. */
		src->noseq = res->unsequenced = true;
	} else if (h->msg_id <= src->last)
		res->restart = true;
	else if (h->msg_id - src->last - 1 > NTOPMSG_SEQ_MAXGAP)
		src->noseq = res->unsequenced = true;
	else
		res->lost = (uint64_t)h->msg_id - src->last - 1;
	src->last = h->msg_id;
	src->seen = now;
}
