/* routepool.c - ev-route's -j workers (route_core_jobs, include/route.h):
 * batches of lines parsed and routed in parallel, written out in input
 * order through the one core that owns the sinks. See man/ev-route.1.
 *
 * The main thread reads lines into batches; workers parse, decide and
 * build the copies of a whole batch, writing nothing: each output record
 * is noted in the batch (its sink and bytes), each piece of bad input too,
 * and the counters are the worker's own. The main thread then replays the
 * batches strictly in input order through the one core that owns the
 * sinks, so the output, the messages and the counters are those of one
 * thread.
 */
#include <err.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "route.h"
#include "routeint.h"
#include "sbuf.h"
#include "xalloc.h"

/* The main thread's side of parallel routing. Batches are a ring used in
 * sequence: seq head is being filled, [tail, head) are queued, in work or
 * done, and are replayed from tail on, in order. */
struct rt_pool {
	pthread_mutex_t		 mu;
	pthread_cond_t		 work;	/* a batch was queued, or quit */
	pthread_cond_t		 done;	/* a batch was done */
	struct rt_batch		*ring;
	size_t			 nring;
	uint64_t		 head, tail, next;	/* next: for workers */
	bool			 filling;	/* ring[head] has lines */
	bool			 quit;
	struct route_core	*main;		/* owns the sinks */
	struct route_core	**wc;
	pthread_t		*th;
	size_t			 nth;
};

static struct rt_batch *
rt_at(struct rt_pool *pl, uint64_t seq)
{
	return &pl->ring[seq % pl->nring];
}

static void
rt_lock(struct rt_pool *pl)
{
	if ((errno = pthread_mutex_lock(&pl->mu)) != 0)
		err(1, "route: mutex");
}

static void
rt_unlock(struct rt_pool *pl)
{
	if ((errno = pthread_mutex_unlock(&pl->mu)) != 0)
		err(1, "route: mutex");
}

static void
rt_wait(struct rt_pool *pl, pthread_cond_t *cv)
{
	if ((errno = pthread_cond_wait(cv, &pl->mu)) != 0)
		err(1, "route: wait");
}

/* Routes every line of b with the worker's core wc. */
static void
rt_process(struct route_core *wc, struct rt_batch *b)
{
	size_t i;

	sbuf_reset(&b->out);
	sbuf_reset(&b->msgs);
	b->nouts = b->nbads = 0;
	wc->batch = b;
	memset(wc->local, 0, sizeof(wc->local));
	for (i = 0; i < b->nlines; i++) {
		const struct rt_line *l = &b->lines[i];

		wc->input = l->input;
		wc->line_no = l->lineno;
		route_line(wc, b->in.p + l->off, l->len);
	}
	for (i = 0; i < RC_NCTRS; i++)
		b->cnt[i] = wc->local[i];
	wc->batch = NULL;
}

struct rt_worker_arg {
	struct rt_pool		*pl;
	struct route_core	*wc;
};

static void *
rt_worker(void *arg)
{
	struct rt_worker_arg *wa = arg;
	struct rt_pool *pl = wa->pl;
	struct rt_batch *b;

	rt_lock(pl);
	for (;;) {
		while (!pl->quit && pl->next == pl->head)
			rt_wait(pl, &pl->work);
		if (pl->next == pl->head)
			break;		/* quit, and nothing left */
		b = rt_at(pl, pl->next++);
		b->state = RT_BUSY;
		rt_unlock(pl);
		rt_process(wa->wc, b);
		rt_lock(pl);
		b->state = RT_DONE;
		if ((errno = pthread_cond_broadcast(&pl->done)) != 0)
			err(1, "route: signal");
	}
	rt_unlock(pl);
	free(wa);
	return NULL;
}

/* Writes the oldest batch out through the main core, waiting for it to be
 * done if wait is set. Returns false if there is none (or, without wait,
 * it is not done yet). */
static bool
rt_replay(struct rt_pool *pl, bool wait)
{
	struct route_core *c = pl->main;
	struct rt_batch *b;
	size_t i;

	rt_lock(pl);
	if (pl->tail == pl->head) {
		rt_unlock(pl);
		return false;
	}
	b = rt_at(pl, pl->tail);
	while (wait && b->state != RT_DONE)
		rt_wait(pl, &pl->done);
	if (b->state != RT_DONE) {
		rt_unlock(pl);
		return false;
	}
	rt_unlock(pl);
	for (i = 0; i < b->nbads; i++) {
		const struct rt_bad *bd = &b->bads[i];

		stats_bad(c->st, *RC_SLOT(c, bd->ctr), bd->what, "%.*s",
		    (int)bd->len, b->msgs.p + bd->off);
	}
	for (i = 0; i < b->nouts; i++) {
		const struct rt_out *o = &b->outs[i];

		route_emit(c, o->s, (o->own ? b->out.p : b->in.p) + o->off,
		    o->len);
	}
	for (i = 0; i < RC_NCTRS; i++)
		if (b->cnt[i] != 0 && *RC_SLOT(c, i) != NULL)
			**RC_SLOT(c, i) += b->cnt[i];
	rt_lock(pl);
	b->state = RT_FREE;
	pl->tail++;
	rt_unlock(pl);
	return true;
}

/* Hands the batch being filled to the workers. */
static void
rt_submit(struct rt_pool *pl)
{
	if (!pl->filling)
		return;
	rt_lock(pl);
	rt_at(pl, pl->head)->state = RT_QUEUED;
	pl->head++;
	pl->filling = false;
	if ((errno = pthread_cond_signal(&pl->work)) != 0)
		err(1, "route: signal");
	rt_unlock(pl);
}

/* linebuf's callback: the line joins the batch being filled. */
static int
rt_line_cb(void *arg, const char *line, size_t len, int input)
{
	struct rt_pool *pl = arg;
	struct route_core *c = pl->main;
	struct rt_batch *b;
	struct rt_line *l;

	if (!pl->filling) {
		/* Every batch in use: write out the oldest first. */
		while (pl->head - pl->tail == pl->nring)
			(void)rt_replay(pl, true);
		b = rt_at(pl, pl->head);
		sbuf_reset(&b->in);
		b->nlines = 0;
		pl->filling = true;
	} else
		b = rt_at(pl, pl->head);
	if (b->nlines == b->lcap) {
		b->lcap = b->lcap ? b->lcap * 2 : 256;
		b->lines = xreallocarray(b->lines, b->lcap, sizeof(*b->lines));
	}
	l = &b->lines[b->nlines++];
	l->off = b->in.len;
	l->len = len;
	l->input = input;
	l->lineno = route_count_line(c, input);
	/* Each line keeps the NUL after it that linebuf promises. */
	sbuf_add(&b->in, line, len);
	sbuf_addc(&b->in, '\0');
	if (b->in.len >= RT_BATCH_BYTES || b->nlines >= RT_BATCH_LINES)
		rt_submit(pl);
	return 0;
}

void
route_core_jobs(struct route_core *c, const struct linebuf *in, size_t njobs)
{
	struct rt_pool *pl;
	size_t i;

	if (njobs <= 1 || c->pool != NULL)
		return;
	if ((pl = calloc(1, sizeof(*pl))) == NULL)
		err(1, "route");
	if ((errno = pthread_mutex_init(&pl->mu, NULL)) != 0 ||
	    (errno = pthread_cond_init(&pl->work, NULL)) != 0 ||
	    (errno = pthread_cond_init(&pl->done, NULL)) != 0)
		err(1, "route: threads");
	pl->main = c;
	/* Two batches per worker keep each busy while the main thread
	 * fills and replays the others. */
	pl->nring = 2 * njobs + 1;
	if ((pl->ring = calloc(pl->nring, sizeof(*pl->ring))) == NULL ||
	    (pl->wc = calloc(njobs, sizeof(*pl->wc))) == NULL ||
	    (pl->th = calloc(njobs, sizeof(*pl->th))) == NULL)
		err(1, "route");
	for (i = 0; i < njobs; i++) {
		struct rt_worker_arg *wa = malloc(sizeof(*wa));
		struct route_core *wc;
		size_t k;

		if (wa == NULL)
			err(1, "route");
		/* A worker's counters are its own: they are added to the
		 * stage's as its batches are replayed. */
		wc = route_core_new(c->rt, c->o, c->st);
		for (k = 0; k < RC_NCTRS; k++)
			*RC_SLOT(wc, k) = &wc->local[k];
		wc->lb = in;
		pl->wc[i] = wc;
		wa->pl = pl;
		wa->wc = wc;
		if ((errno = pthread_create(&pl->th[i], NULL, rt_worker,
		    wa)) != 0)
			err(1, "route: thread");
		pl->nth++;
	}
	c->pool = pl;
}

void
rt_pool_stop(struct route_core *c)
{
	struct rt_pool *pl = c->pool;
	size_t i;

	rt_lock(pl);
	pl->quit = true;
	if ((errno = pthread_cond_broadcast(&pl->work)) != 0)
		err(1, "route: signal");
	rt_unlock(pl);
	for (i = 0; i < pl->nth; i++) {
		pthread_join(pl->th[i], NULL);
		route_core_destroy(&pl->wc[i]);
	}
	for (i = 0; i < pl->nring; i++) {
		struct rt_batch *b = &pl->ring[i];

		sbuf_free(&b->in);
		sbuf_free(&b->out);
		sbuf_free(&b->msgs);
		free(b->lines);
		free(b->outs);
		free(b->bads);
	}
	free(pl->ring);
	free(pl->wc);
	free(pl->th);
	pthread_cond_destroy(&pl->work);
	pthread_cond_destroy(&pl->done);
	pthread_mutex_destroy(&pl->mu);
	free(pl);
	c->pool = NULL;
}

/* Reads what there is, writes out what the workers finished; when nothing
 * more is there to read, waits for the oldest batch rather than for input,
 * so that a quiet input never holds back lines already read. At the end of
 * the input, everything is written. */
int
rt_pool_poll(struct rt_pool *pl, struct linebuf *in, int timeout_ms)
{
	struct route_core *c = pl->main;
	bool busy = pl->head != pl->tail;
	int rc;

	c->lb = in;
	rc = linebuf_poll(in, busy ? 0 : timeout_ms, rt_line_cb, pl);
	rt_submit(pl);
	while (rt_replay(pl, false))
		;
	if (rc == LINEBUF_EOF)
		while (rt_replay(pl, true))
			;
	else if (rc == 0 && busy)
		(void)rt_replay(pl, true);
	return rc;
}


void
route_drain(struct route_core *c)
{
	if (c->pool == NULL)
		return;
	rt_submit(c->pool);
	while (rt_replay(c->pool, true))
		;
}
