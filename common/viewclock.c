/* viewclock.c - ev-show's clock and rates (include/view.h, viewint.h):
 * the newest record time, stamping records without one, the wall clock
 * while a live input is quiet, rates over a window of the clock, and the
 * ageing of flows. */

#include <math.h>
#include <time.h>

#include "sbuf.h"
#include "stats.h"
#include "view.h"
#include "viewint.h"

void
view_rate_add(struct view *v, double t, uint64_t ev, uint64_t fev,
    uint64_t pk, uint64_t fpk)
{
	struct vbucket *b;
	int64_t s;

	if (t <= 0)
		return;
	if (v->tfirst == 0 || t < v->tfirst)
		v->tfirst = t;
	if (t > v->tnow)
		v->tnow = t;
	s = (int64_t)floor(t);
	/* A record older than the ring's span cannot change a rate. */
	if (s <= (int64_t)floor(v->tnow) - RATE_SLOTS)
		return;
	b = &v->rate[s % RATE_SLOTS];
	if (b->sec != s) {
		b->sec = s;
		b->ev = b->fev = b->pk = b->fpk = 0;
	}
	b->ev += ev;
	b->fev += fev;
	b->pk += pk;
	b->fpk += fpk;
}

/* Events and packets per second over the last window of record time. */
void
view_rates(const struct view *v, double *evs, double *pks)
{
	int64_t now = (int64_t)floor(v->tnow);
	int64_t w = (int64_t)v->conf.rate_window, span;
	uint64_t ev = 0, fev = 0, pk = 0, fpk = 0;
	int i;

	*evs = *pks = 0;
	if (v->tnow == 0)
		return;
	if (w > RATE_SLOTS)
		w = RATE_SLOTS;
	span = now - (int64_t)floor(v->tfirst) + 1;
	if (span > w)
		span = w;
	for (i = 0; i < RATE_SLOTS; i++)
		if (v->rate[i].sec > now - span && v->rate[i].sec <= now) {
			ev += v->rate[i].ev;
			fev += v->rate[i].fev;
			pk += v->rate[i].pk;
			fpk += v->rate[i].fpk;
		}
	/* Events come as event records, or (behind flow-agg) as the growth
	 * of the flows' FLOW_EVENTS; the same events may come both ways. */
	if (fev > ev)
		ev = fev;
	if (fpk > pk)
		pk = fpk;
	*evs = (double)ev / (double)span;
	*pks = (double)pk / (double)span;
}

/* The wall clock (UTC seconds). */
static double
view_wallnow(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A record's time t (0: it has none) moves the view's clock on; a record
 * without a time takes the clock, or the wall clock when there is none
 * yet. Returns the record's time. */
double
view_stamp(struct view *v, double t)
{
	if (t <= 0)
		t = v->tnow > 0 ? v->tnow : view_wallnow();
	if (v->tfirst == 0 || t < v->tfirst)
		v->tfirst = t;
	if (t > v->tnow)
		v->tnow = t;
	return t;
}

/* Removes the flows whose linger (after a final record) or idle time has
 * passed on the view's clock; counted as flows_expired. */
void
view_expire(struct view *v)
{
	struct vflow *f, *fp;
	double linger = v->conf.linger, idle = v->conf.idle;

	if ((linger <= 0 && idle <= 0) || v->tnow <= 0)
		return;
	for (f = v->lru_tail; f != NULL; f = fp) {
		bool gone = linger > 0 && f->ended &&
		    v->tnow - f->ended_at >= linger;

		fp = f->lprev;
		if (gone || (idle > 0 && v->tnow - f->seen >= idle)) {
			view_flow_remove(v, f);
			(*v->c_expired)++;
		}
	}
}

void
view_tick(struct view *v, double wall)
{
	if (v->fed != v->fed_tick || v->wall_rec == 0) {
		v->fed_tick = v->fed;
		v->tnow_rec = v->tnow;
		v->wall_rec = wall;
	} else if (v->tnow > 0 && wall - v->wall_rec >= 1 &&
	    v->tnow_rec + (wall - v->wall_rec) > v->tnow)
		v->tnow = v->tnow_rec + (wall - v->wall_rec);
	view_expire(v);
}

double
view_clock(const struct view *v)
{
	return v->tnow;
}
