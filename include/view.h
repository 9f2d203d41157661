/* view.h - ev-show's model and tables: flows, processes, interfaces,
 * listening sockets, recent events and applications built from records,
 * rendered as plain-text table lines for a given width.
 *
 * The model is fed one record (one NDJSON line) at a time with view_feed():
 * flow-agg's "flow" and "iface" records, zmq-ingest's "event" records and
 * pcap-ingest's "packet" records (the contract is man/evpipe.7). Rates and
 * the ageing of flows follow the records' own times (view_tick below adds
 * the wall clock only while a live input is quiet), so a replayed file
 * always renders the same tables. The same rendering serves
 * the batch tables and the ncurses screen: a caller asks for a view's lines
 * at a width and draws them however it likes.
 */
#ifndef EVPIPE_VIEW_H
#define EVPIPE_VIEW_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sbuf.h"

struct linebuf;
struct stats;
struct view;

enum view_kind {
	VIEW_FLOWS, VIEW_PROCS, VIEW_IFACES, VIEW_LISTEN, VIEW_EVENTS,
	VIEW_APPS, VIEW_NKINDS
};

struct view_conf {
	size_t	max_flows;	/* flows kept; the least recently updated is
				   evicted (counted) beyond it; 0: 65536 */
	size_t	max_events;	/* recent events kept for the Events view;
				   0: 1000 */
	double	rate_window;	/* seconds of record time rates average over;
				   0: 5 (at most 8 for the flows' RATE) */
	double	linger;		/* a flow leaves this many seconds of the
				   view's clock after its final record;
				   0: finished flows stay */
	double	idle;		/* a flow without an update for this many
				   seconds of the view's clock leaves; 0:
				   never */
};

/* What view_render() drew, for a screen to highlight and scroll. */
struct view_info {
	size_t	rows;		/* rows after filtering (all, not only drawn) */
	int	sort_start;	/* the sort column's offset in the header line,
				   -1 when it is not shown at this width */
	int	sort_len;	/* and its width */
};

/* A new empty model (c may be NULL for defaults); its counters (records,
 * malformed lines by reason, evictions) are created in st, which must
 * outlive it. Aborts on out-of-memory. */
struct view *view_new(const struct view_conf *c, struct stats *st);
void	view_destroy(struct view **vp);

/* Applies one record (len bytes, no newline needed). Returns 0 when it was
 * used, 1 when it was valid but not for ev-show (counted), -1 when it was
 * malformed (counted by reason and reported through stats_bad). */
int	view_feed(struct view *v, const char *line, size_t len);

/* The view's clock: the newest record time seen (timestamp, else _rx,
 * else FLOW_END_SEC or LAST_SWITCHED); a record with none takes the clock,
 * or the wall clock while the view has none. view_tick(), called by a
 * reader loop with the monotonic wall time while inputs are open, moves
 * the clock on with the wall clock once no record has come for a second
 * (it never goes back), and removes the flows whose linger or idle time
 * has passed. Never called after the inputs end, so a file always shows
 * the same. */
void	view_tick(struct view *v, double wall);
double	view_clock(const struct view *v);

/* Counts a line the reader discarded (over-long), shown in the header. */
void	view_count_overlong(struct view *v, uint64_t n);

/* Appends the summary lines (rates, flows, malformed and drop counters),
 * each cut to width and ended by '\n'. Returns the number of lines. */
int	view_header(struct view *v, int width, struct sbuf *out);

/* Appends view k's column header line, then up to maxrows rows (-1: all)
 * from row first on, sorted and filtered as set, each ended by '\n'. With
 * a width, the columns that fit are chosen by importance and cells are cut
 * to fit (marked '~'); width 0 shows every column as wide as its longest
 * text. Fills *info when not NULL. Returns the rows appended. */
int	view_render(struct view *v, enum view_kind k, int width, size_t first,
	    int maxrows, struct sbuf *out, struct view_info *info);

/* Appends one line (no newline) with the details of row idx of the last
 * view_render() of view k (full process paths, command lines, container
 * ids), cut to width. Returns 0, or -1 if there is no such row. */
int	view_detail(struct view *v, enum view_kind k, size_t idx, int width,
	    struct sbuf *out);

/* The view's name ("Flows", ...) and short name ("flows", ...); the kind
 * for a short name or a prefix of it, or -1. */
const char *view_name(enum view_kind k);
const char *view_short(enum view_kind k);
int	view_kind_byname(const char *s);

/* Sorting: moves the sort column of view k by delta among the columns
 * shown at width (wrapping), sets it by header name (0, or -1 if unknown),
 * flips the order, and names the column and order for a status line. */
void	view_sort_move(struct view *v, enum view_kind k, int delta, int width);
int	view_sort_by(struct view *v, enum view_kind k, const char *col);
void	view_sort_reverse(struct view *v, enum view_kind k);
const char *view_sort_name(const struct view *v, enum view_kind k,
	    bool *descending);

/* Filters, for every view: rows whose text contains s (case-insensitive;
 * NULL or "" clears it); only records of interface name (NULL: all). */
void	view_set_filter(struct view *v, const char *s);
const char *view_filter(const struct view *v);
void	view_set_iface(struct view *v, const char *name);
const char *view_iface(const struct view *v);
/* Steps the interface filter to the next interface seen, then back to all;
 * returns the new filter (NULL: all). */
const char *view_iface_next(struct view *v);

/* Batch mode: appends the header and then every view in kinds (nkinds of
 * them, each with a title line and a blank line after it) at width. */
void	view_tables(struct view *v, const enum view_kind *kinds, int nkinds,
	    int width, struct sbuf *out);

/* The batch core: reads records from in until every input ends or *stop is
 * set, writing the tables to out every interval seconds of wall-clock time
 * (0: only at the end) and once at the end, at most count times in all (0:
 * no limit); successive tables are separated by a form feed line. When
 * *usr1 is set it prints the counters on stderr and clears it. Returns 0,
 * or -1 if writing out failed (output lost). */
struct view_batch {
	const enum view_kind	*kinds;
	int			 nkinds;
	int			 width;
	double			 interval;
	long			 count;		/* 0: no limit */
	volatile sig_atomic_t	*usr1;
};
int	view_batch_run(struct view *v, const struct view_batch *b,
	    struct linebuf *in, FILE *out, volatile sig_atomic_t *stop);

#endif
