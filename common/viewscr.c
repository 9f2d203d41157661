/* viewscr.c - ev-show's dashboard (include/viewscr.h): the ncurses screen
 * drawn from the model's header, table and detail lines, the key bindings
 * and the loop reading records between redraws (man/ev-show.1, Keys).
 */
#include <sys/ioctl.h>

#include <err.h>
#include <locale.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>

#include "linebuf.h"
#include "sbuf.h"
#include "sig.h"
#include "stats.h"
#include "view.h"
#include "viewscr.h"

struct viewscr {
	struct view	*v;
	struct linebuf	*lb;
	struct stats	*st;
	enum view_kind	 cur;
	size_t		 sel[VIEW_NKINDS], top[VIEW_NKINDS];
	double		 interval;	/* screen refresh, seconds */
	bool		 paused, help, prompting, eof, exit_at_eof;
	char		 prompt[128];
	size_t		 plen;
	SCREEN		*scr;
	FILE		*tty;
};

static const char *const viewscr_help[] = {
	"ev-show keys",
	"",
	"  1 f      Flows: client, server, bytes each way, processes",
	"  2 p      Processes: traffic and connections per process",
	"  3 I      Interfaces: packets, bytes, events, flows, counters",
	"  4 l      Listening sockets and their processes",
	"  5 e      Events: the last raw events",
	"  6 a      Applications: bytes, flows, processes per application",
	"  Tab      next view (Shift-Tab: previous)",
	"  < >      move the sort column left / right",
	"  r        reverse the sort order",
	"  /        filter rows by text (Enter applies, Esc cancels)",
	"  i        cycle the interface filter (all, then each interface)",
	"  c        clear both filters",
	"  Up Down  select a row (PgUp PgDn Home End); details at the bottom",
	"  space    pause / resume the display",
	"  ?        this help (any key closes it)",
	"  q        quit",
	NULL
};

static int viewscr_interactive(struct viewscr *);

/* Short view names for the tab line, in enum view_kind order. */
static const char *const viewscr_tabname[VIEW_NKINDS] = {
	"Flows", "Procs", "Ifaces", "Listen", "Events", "Apps"
};

static double
viewscr_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
viewscr_line(void *arg, const char *line, size_t len, int input)
{
	struct viewscr *s = arg;

	(void)input;
	view_feed(s->v, line, len);
	return 0;
}

/* Draws one text line at row y, cut to the screen width. */
static void
viewscr_put(int y, const char *p, size_t n, int cols)
{
	if ((int)n > cols)
		n = (size_t)cols;
	mvaddnstr(y, 0, p, (int)n);
}

/* Splits buf into lines and draws them from row y on; returns rows drawn. */
static int
viewscr_lines(int y, int maxy, const struct sbuf *b, int cols)
{
	const char *p = b->p, *end = b->p + b->len, *nl;
	int n = 0;

	while (p < end && y + n < maxy) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		viewscr_put(y + n, p, (size_t)(nl - p), cols);
		n++;
		p = nl + 1;
	}
	return n;
}

/* The tab line at row y: the current view in brackets, then the filters. */
static void
viewscr_tabs(const struct viewscr *s, int y, int cols)
{
	const char *flt = view_filter(s->v), *ifl = view_iface(s->v);
	struct sbuf b = { 0 };
	int i;

	for (i = 0; i < VIEW_NKINDS; i++)
		sbuf_addf(&b, i == (int)s->cur ? "%s[%d:%s]" : "%s%d:%s",
		    i ? " " : "", i + 1, viewscr_tabname[i]);
	sbuf_addf(&b, "  iface: %s", ifl ? ifl : "all");
	if (flt)
		sbuf_addf(&b, "  filter: %s", flt);
	viewscr_put(y, b.p, b.len, cols);
	sbuf_free(&b);
}

/* Keeps the selected row of a view with nrows rows inside a body of
 * body rows, scrolling the top row as little as possible. */
static void
viewscr_scroll(struct viewscr *s, size_t nrows, int body)
{
	size_t *sel = &s->sel[s->cur], *top = &s->top[s->cur];

	if (nrows == 0)
		*sel = *top = 0;
	else if (*sel >= nrows)
		*sel = nrows - 1;
	if (*sel < *top)
		*top = *sel;
	if (*sel >= *top + (size_t)body)
		*top = *sel - (size_t)body + 1;
	if (*top + (size_t)body > nrows)
		*top = nrows > (size_t)body ? nrows - (size_t)body : 0;
}

/* The column header and up to body rows from row y on, the sort column
 * and the selected row in reverse video. Returns the rows drawn. */
static int
viewscr_table(struct viewscr *s, int y, int rows, int cols, int body,
    struct view_info *info)
{
	struct sbuf b = { 0 };
	size_t top;
	int i, n = 0;

	view_render(s->v, s->cur, cols, 0, 0, &b, info);
	viewscr_scroll(s, info->rows, body);
	top = s->top[s->cur];
	sbuf_reset(&b);
	view_render(s->v, s->cur, cols, top, body, &b, info);
	if (y < rows) {
		attron(A_BOLD);
		n = viewscr_lines(y, rows, &b, cols) - 1;
		attroff(A_BOLD);
		if (info->sort_start >= 0 && info->sort_start < cols)
			mvchgat(y, info->sort_start, info->sort_len, A_REVERSE,
			    0, NULL);
		/* Data rows plain, the selected one reversed. */
		for (i = 1; i <= n && y + i < rows; i++) {
			mvchgat(y + i, 0, -1, A_NORMAL, 0, NULL);
			if (top + (size_t)(i - 1) == s->sel[s->cur])
				mvchgat(y + i, 0, -1, A_REVERSE, 0, NULL);
		}
	}
	sbuf_free(&b);
	return n;
}

/* The status line (or the filter prompt) at row y. */
static void
viewscr_status(const struct viewscr *s, int y, int cols, size_t nrows,
    int drawn)
{
	struct sbuf b = { 0 };
	size_t top = s->top[s->cur];
	bool desc;

	if (s->prompting)
		sbuf_addf(&b, "filter: %s_", s->prompt);
	else {
		const char *col = view_sort_name(s->v, s->cur, &desc);

		sbuf_addf(&b, "%s sort %s %s  rows %zu-%zu of %zu",
		    view_name(s->cur), col, desc ? "desc" : "asc",
		    nrows ? top + 1 : 0, top + (size_t)drawn, nrows);
		if (s->eof)
			sbuf_adds(&b, "  EOF");
		if (s->paused)
			sbuf_adds(&b, "  PAUSED");
		sbuf_adds(&b, "  ? help  q quit");
	}
	viewscr_put(y, b.p, b.len, cols);
	sbuf_free(&b);
}

static void
viewscr_draw(struct viewscr *s)
{
	struct sbuf b = { 0 };
	struct view_info info;
	int rows, cols, y, i, n;
	const char *h;

	getmaxyx(stdscr, rows, cols);
	erase();
	if (rows < 1 || cols < 1)
		goto out;
	view_header(s->v, cols, &b);
	y = viewscr_lines(0, rows, &b, cols);
	if (y < rows)
		viewscr_tabs(s, y++, cols);
	if (s->help) {
		for (i = 0; (h = viewscr_help[i]) != NULL && y < rows; i++)
			viewscr_put(y++, h, strlen(h), cols);
		goto out;
	}
	/* Rows left for data: all but the column header, detail, status. */
	n = viewscr_table(s, y, rows, cols, rows - y - 3 < 1 ? 1 :
	    rows - y - 3, &info);
	sbuf_reset(&b);
	if (rows >= 2 && info.rows > 0 &&
	    view_detail(s->v, s->cur, s->sel[s->cur], cols, &b) == 0)
		viewscr_put(rows - 2, b.p, b.len, cols);
	viewscr_status(s, rows - 1, cols, info.rows, n);
out:
	sbuf_free(&b);
	refresh();
}

/* Applies the terminal's new size after SIGWINCH. */
static void
viewscr_resize(struct viewscr *s)
{
	struct winsize ws;

	if (ioctl(fileno(s->tty), TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(stdscr, TRUE);
}

/* One key while the filter prompt is open. */
static void
viewscr_prompt_key(struct viewscr *s, int ch)
{
	switch (ch) {
	case '\n': case '\r': case KEY_ENTER:
		s->prompt[s->plen] = '\0';
		view_set_filter(s->v, s->prompt);
		s->prompting = false;
		s->sel[s->cur] = s->top[s->cur] = 0;
		break;
	case 27:
		s->prompting = false;
		break;
	case KEY_BACKSPACE: case 127: case 8:
		if (s->plen > 0)
			s->prompt[--s->plen] = '\0';
		break;
	default:
		if (ch >= 32 && ch < 256 && s->plen + 1 < sizeof(s->prompt)) {
			s->prompt[s->plen++] = (char)ch;
			s->prompt[s->plen] = '\0';
		}
	}
}

/* Moves the selected row by a navigation key (the drawing clamps it). */
static void
viewscr_select(struct viewscr *s, int ch)
{
	size_t *sel = &s->sel[s->cur];
	int page = LINES > 8 ? LINES - 7 : 1;

	switch (ch) {
	case KEY_UP: case 'k':
		if (*sel > 0)
			(*sel)--;
		break;
	case KEY_DOWN: case 'j':
		(*sel)++;
		break;
	case KEY_PPAGE:
		*sel = *sel > (size_t)page ? *sel - (size_t)page : 0;
		break;
	case KEY_NPAGE:
		*sel += (size_t)page;
		break;
	case KEY_HOME: case 'g':
		*sel = 0;
		break;
	default:
		*sel = (size_t)-1 / 2;
	}
}

/* One key; returns false to quit. */
static bool
viewscr_key(struct viewscr *s, int ch)
{
	int k, cols = COLS;
	size_t *sel = &s->sel[s->cur];

	if (s->prompting) {
		viewscr_prompt_key(s, ch);
		return true;
	}
	if (s->help && ch != KEY_RESIZE) {
		s->help = false;
		return ch != 'q';
	}
	if ((k = viewscr_key_view(ch)) != -1) {
		s->cur = (enum view_kind)k;
		return true;
	}
	switch (ch) {
	case 'q': case 'Q':
		return false;
	case '\t':
		s->cur = (enum view_kind)((s->cur + 1) % VIEW_NKINDS);
		break;
	case KEY_BTAB:
		s->cur = (enum view_kind)((s->cur + VIEW_NKINDS - 1) %
		    VIEW_NKINDS);
		break;
	case '<': case ',':
		view_sort_move(s->v, s->cur, -1, cols);
		break;
	case '>': case '.':
		view_sort_move(s->v, s->cur, 1, cols);
		break;
	case 'r':
		view_sort_reverse(s->v, s->cur);
		break;
	case '/':
		s->prompting = true;
		s->plen = 0;
		s->prompt[0] = '\0';
		break;
	case 'i':
		view_iface_next(s->v);
		*sel = s->top[s->cur] = 0;
		break;
	case 'c':
		view_set_filter(s->v, NULL);
		view_set_iface(s->v, NULL);
		break;
	case ' ':
		s->paused = !s->paused;
		break;
	case '?': case 'h':
		s->help = true;
		break;
	case KEY_UP: case 'k': case KEY_DOWN: case 'j': case KEY_PPAGE:
	case KEY_NPAGE: case KEY_HOME: case 'g': case KEY_END: case 'G':
		viewscr_select(s, ch);
		break;
	case 12:	/* ^L */
		clearok(stdscr, TRUE);
		break;
	default:
		break;
	}
	return true;
}

/* Waits up to ms for a key on the terminal (the inputs have ended). */
static void
viewscr_wait_key(struct viewscr *s, int ms)
{
	struct pollfd pfd = { fileno(s->tty), POLLIN, 0 };

	(void)poll(&pfd, 1, ms);
}

int
viewscr_key_view(int ch)
{
	static const char viewkeys[] = "fpIlea";
	const char *p;

	if (ch >= '1' && ch < '1' + VIEW_NKINDS)
		return ch - '1';
	if (ch > 0 && ch < 128 && (p = strchr(viewkeys, ch)) != NULL)
		return (int)(p - viewkeys);
	return -1;
}

int
viewscr_run(const struct viewscr_conf *c)
{
	struct viewscr s;

	memset(&s, 0, sizeof(s));
	s.v = c->v;
	s.lb = c->lb;
	s.st = c->st;
	s.cur = c->first;
	s.interval = c->interval > 0 ? c->interval : 1;
	s.exit_at_eof = c->exit_at_eof;
	return viewscr_interactive(&s);
}

static int
viewscr_interactive(struct viewscr *s)
{
	double next = 0;
	bool dirty = true, run = true;
	uint64_t *records = stats_ctr(s->st, "records_in"), shown = 0;
	int ch;

	/* ncursesw draws UTF-8 process names only in a UTF-8 locale. */
	setlocale(LC_CTYPE, "");
	if ((s->tty = fopen("/dev/tty", "r+")) == NULL)
		err(1, "/dev/tty");
	if ((s->scr = newterm(NULL, stdout, s->tty)) == NULL)
		errx(1, "cannot set up the terminal (TERM=%s)",
		    getenv("TERM") ? getenv("TERM") : "");
	set_term(s->scr);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);

	while (run && !sig_stop) {
		if (!s->eof) {
			int r = linebuf_poll(s->lb, 50, viewscr_line, s);

			view_count_overlong(s->v,
			    linebuf_stats(s->lb)->overlong);
			if (r != LINEBUF_EOF)
				view_tick(s->v, viewscr_now());
			if (r == LINEBUF_EOF) {
				s->eof = true;
				dirty = true;
				if (s->exit_at_eof)
					run = false;
			}
		} else
			viewscr_wait_key(s, 200);
		if (sig_winch) {
			sig_winch = 0;
			viewscr_resize(s);
			dirty = true;
		}
		if (sig_usr1) {
			sig_usr1 = 0;
			if (!isatty(STDERR_FILENO))
				stats_print(s->st, stderr);
		}
		while ((ch = getch()) != ERR) {
			if (ch == KEY_RESIZE) {
				dirty = true;
				continue;
			}
			if (!viewscr_key(s, ch))
				run = false;
			dirty = true;
		}
		if (viewscr_now() >= next) {
			next = viewscr_now() + s->interval;
			if (!s->paused)
				dirty = true;
		}
		/* The first records show at once, whatever the interval: an
		 * empty screen for a long -d looks like a dead pipe. */
		if (shown == 0 && *records > 0 && !s->paused)
			dirty = true;
		if (dirty && run) {
			viewscr_draw(s);
			shown = *records;
			dirty = false;
		}
	}
	endwin();
	delscreen(s->scr);
	fclose(s->tty);
	return 0;
}
