/* ev-show - the terminal dashboard and batch tables of evpipe records
 * (man/ev-show.1). The model and the tables are common/view.c;
 * this file holds the options, the ncurses screen and the key bindings.
 */
#include <sys/ioctl.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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
#include "opts.h"
#include "sbuf.h"
#include "sig.h"
#include "stats.h"
#include "view.h"

#define SHOW_MAXLINE	(1024 * 1024)

struct show {
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

static void
usage(void)
{
	fprintf(stderr, "usage: ev-show [-bqx] [-d interval] [-E events] "
	    "[-F flows] [-f text] [-i iface]\n"
	    "               [-L maxline] [-n count] [-s view:column[:asc]] "
	    "[-v views] [-w width]\n"
	    "               [input ...]\n");
	exit(2);
}

/* Parses "flows,procs,..." into kinds; exits 2 on an unknown name. */
static int
show_parse_views(const char *arg, enum view_kind *kinds)
{
	char buf[256], *p, *s;
	int n = 0, k;

	snprintf(buf, sizeof(buf), "%s", arg);
	for (s = buf; (p = strsep(&s, ",")) != NULL;) {
		if (*p == '\0')
			continue;
		if ((k = view_kind_byname(p)) == -1 || n >= VIEW_NKINDS)
			errx(2, "-v: '%s' is not a view (flows, processes, "
			    "interfaces, listening, events)", p);
		kinds[n++] = (enum view_kind)k;
	}
	if (n == 0)
		errx(2, "-v: no view named");
	return n;
}

/* -s VIEW:COLUMN[:asc|desc] */
static void
show_parse_sort(struct view *v, const char *arg)
{
	char buf[128], *s = buf, *vn, *col, *ord;
	int k;

	snprintf(buf, sizeof(buf), "%s", arg);
	vn = strsep(&s, ":");
	col = strsep(&s, ":");
	ord = s;
	if (col == NULL || (k = view_kind_byname(vn)) == -1)
		errx(2, "-s: '%s' is not VIEW:COLUMN[:asc|desc]", arg);
	if (view_sort_by(v, (enum view_kind)k, col) == -1)
		errx(2, "-s: view %s has no column '%s'",
		    view_short((enum view_kind)k), col);
	if (ord != NULL) {
		bool desc;

		if (strcmp(ord, "asc") != 0 && strcmp(ord, "desc") != 0)
			errx(2, "-s: order '%s' is not asc or desc", ord);
		view_sort_name(v, (enum view_kind)k, &desc);
		if (desc != (strcmp(ord, "desc") == 0))
			view_sort_reverse(v, (enum view_kind)k);
	}
}

/* ------------------------------------------------------------------ */
/* the interactive screen */

static const char *const show_help[] = {
	"ev-show keys",
	"",
	"  1 f      Flows: client, server, bytes each way, processes",
	"  2 p      Processes: traffic and connections per process",
	"  3 I      Interfaces: packets, bytes, events, flows, counters",
	"  4 l      Listening sockets and their processes",
	"  5 e      Events: the last raw events",
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

/* Short view names for the tab line, in enum view_kind order. */
static const char *const show_tabname[VIEW_NKINDS] = {
	"Flows", "Procs", "Ifaces", "Listen", "Events"
};

static double
show_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
show_line(void *arg, const char *line, size_t len, int input)
{
	struct show *s = arg;

	(void)input;
	view_feed(s->v, line, len);
	return 0;
}

/* Draws one text line at row y, cut to the screen width. */
static void
show_put(int y, const char *p, size_t n, int cols)
{
	if ((int)n > cols)
		n = (size_t)cols;
	mvaddnstr(y, 0, p, (int)n);
}

/* Splits buf into lines and draws them from row y on; returns rows drawn. */
static int
show_lines(int y, int maxy, const struct sbuf *b, int cols)
{
	const char *p = b->p, *end = b->p + b->len, *nl;
	int n = 0;

	while (p < end && y + n < maxy) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		show_put(y + n, p, (size_t)(nl - p), cols);
		n++;
		p = nl + 1;
	}
	return n;
}

static void
show_draw(struct show *s)
{
	struct sbuf b = { 0 };
	struct view_info info;
	int rows, cols, y, body, i, n;
	size_t *sel = &s->sel[s->cur], *top = &s->top[s->cur];
	const char *flt = view_filter(s->v), *ifl = view_iface(s->v);
	bool desc;

	getmaxyx(stdscr, rows, cols);
	erase();
	if (rows < 1 || cols < 1)
		goto out;

	view_header(s->v, cols, &b);
	y = show_lines(0, rows, &b, cols);
	sbuf_reset(&b);

	/* The tab line: the current view in brackets, then the filters. */
	for (i = 0; i < VIEW_NKINDS; i++)
		sbuf_addf(&b, i == (int)s->cur ? "[%d:%s]" : " %d:%s ", i + 1,
		    show_tabname[i]);
	sbuf_addf(&b, "  iface: %s", ifl ? ifl : "all");
	if (flt)
		sbuf_addf(&b, "  filter: %s", flt);
	if (y < rows) {
		show_put(y, b.p, b.len, cols);
		y++;
	}
	sbuf_reset(&b);

	if (s->help) {
		for (i = 0; show_help[i] != NULL && y < rows; i++, y++)
			show_put(y, show_help[i], strlen(show_help[i]), cols);
		goto out;
	}

	/* Rows left for data: all but the column header, detail, status. */
	body = rows - y - 3;
	if (body < 1)
		body = 1;
	view_render(s->v, s->cur, cols, 0, 0, &b, &info);
	if (info.rows == 0)
		*sel = *top = 0;
	else if (*sel >= info.rows)
		*sel = info.rows - 1;
	if (*sel < *top)
		*top = *sel;
	if (*sel >= *top + (size_t)body)
		*top = *sel - (size_t)body + 1;
	if (*top + (size_t)body > info.rows)
		*top = info.rows > (size_t)body ? info.rows - (size_t)body : 0;
	sbuf_reset(&b);
	n = view_render(s->v, s->cur, cols, *top, body, &b, &info);
	if (y < rows) {
		attron(A_BOLD);
		n = show_lines(y, rows, &b, cols) - 1;
		attroff(A_BOLD);
		if (info.sort_start >= 0 && info.sort_start < cols)
			mvchgat(y, info.sort_start, info.sort_len, A_REVERSE,
			    0, NULL);
		/* Data rows plain, the selected one reversed. */
		for (i = 1; i <= n && y + i < rows; i++) {
			mvchgat(y + i, 0, -1, A_NORMAL, 0, NULL);
			if (*top + (size_t)(i - 1) == *sel)
				mvchgat(y + i, 0, -1, A_REVERSE, 0, NULL);
		}
	}
	sbuf_reset(&b);
	if (rows >= 2 && info.rows > 0 &&
	    view_detail(s->v, s->cur, *sel, cols, &b) == 0)
		show_put(rows - 2, b.p, b.len, cols);
	sbuf_reset(&b);

	/* The status line, or the filter prompt. */
	if (s->prompting)
		sbuf_addf(&b, "filter: %s_", s->prompt);
	else {
		const char *col = view_sort_name(s->v, s->cur, &desc);

		sbuf_addf(&b, "%s sort %s %s  rows %zu-%zu of %zu",
		    view_name(s->cur), col, desc ? "desc" : "asc",
		    info.rows ? *top + 1 : 0, *top + (size_t)n, info.rows);
		if (s->eof)
			sbuf_adds(&b, "  EOF");
		if (s->paused)
			sbuf_adds(&b, "  PAUSED");
		sbuf_adds(&b, "  ? help  q quit");
	}
	if (rows >= 1)
		show_put(rows - 1, b.p, b.len, cols);
out:
	sbuf_free(&b);
	refresh();
}

/* Applies the terminal's new size after SIGWINCH. */
static void
show_resize(struct show *s)
{
	struct winsize ws;

	if (ioctl(fileno(s->tty), TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(stdscr, TRUE);
}

/* One key while the filter prompt is open. */
static void
show_prompt_key(struct show *s, int ch)
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

/* One key; returns false to quit. */
static bool
show_key(struct show *s, int ch)
{
	static const char viewkeys[] = "fpIle";
	const char *p;
	int cols = COLS, page = LINES > 8 ? LINES - 7 : 1;
	size_t *sel = &s->sel[s->cur];

	if (s->prompting) {
		show_prompt_key(s, ch);
		return true;
	}
	if (s->help && ch != KEY_RESIZE) {
		s->help = false;
		return ch != 'q';
	}
	if (ch >= '1' && ch < '1' + VIEW_NKINDS) {
		s->cur = (enum view_kind)(ch - '1');
		return true;
	}
	if (ch > 0 && ch < 128 && (p = strchr(viewkeys, ch)) != NULL) {
		s->cur = (enum view_kind)(p - viewkeys);
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
	case KEY_END: case 'G':
		*sel = (size_t)-1 / 2;
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
show_wait_key(struct show *s, int ms)
{
	struct pollfd pfd = { fileno(s->tty), POLLIN, 0 };

	(void)poll(&pfd, 1, ms);
}

static int
show_interactive(struct show *s)
{
	double next = 0;
	bool dirty = true, run = true;
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
			int r = linebuf_poll(s->lb, 50, show_line, s);

			view_count_overlong(s->v, linebuf_stats(s->lb)->overlong);
			if (r == LINEBUF_EOF) {
				s->eof = true;
				dirty = true;
				if (s->exit_at_eof)
					run = false;
			}
		} else
			show_wait_key(s, 200);
		if (sig_winch) {
			sig_winch = 0;
			show_resize(s);
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
			if (!show_key(s, ch))
				run = false;
			dirty = true;
		}
		if (show_now() >= next) {
			next = show_now() + s->interval;
			if (!s->paused)
				dirty = true;
		}
		if (dirty && run) {
			show_draw(s);
			dirty = false;
		}
	}
	endwin();
	delscreen(s->scr);
	fclose(s->tty);
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option lopts[] = {
		{ "batch", no_argument, NULL, 'b' },
		{ "delay", required_argument, NULL, 'd' },
		{ "events", required_argument, NULL, 'E' },
		{ "flows", required_argument, NULL, 'F' },
		{ "filter", required_argument, NULL, 'f' },
		{ "iface", required_argument, NULL, 'i' },
		{ "max-line", required_argument, NULL, 'L' },
		{ "count", required_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "sort", required_argument, NULL, 's' },
		{ "views", required_argument, NULL, 'v' },
		{ "width", required_argument, NULL, 'w' },
		{ "exit", no_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	enum view_kind kinds[VIEW_NKINDS] = { VIEW_FLOWS, VIEW_PROCS,
	    VIEW_IFACES, VIEW_LISTEN, VIEW_EVENTS };
	struct view_conf vc = { 0 };
	struct view_batch vb = { 0 };
	struct show s = { 0 };
	const char *filter = NULL, *iface = NULL;
	const char *sorts[16];
	int nkinds = VIEW_NKINDS, nsorts = 0, ch, i, rc = 0;
	bool batch = false, quiet = false, width_set = false;
	uint64_t maxline = SHOW_MAXLINE;
	char errbuf[256];

	vb.width = 0;
	s.interval = 1;
	while ((ch = getopt_long(argc, argv, "bd:E:F:f:hi:L:n:qs:v:w:x", lopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'b':
			batch = true;
			break;
		case 'd':
			vb.interval = s.interval = opts_duration_or_die(optarg,
			    "-d");
			if (s.interval <= 0)
				errx(2, "-d: the interval must be above 0");
			break;
		case 'E':
			vc.max_events = (size_t)opts_int_or_die(optarg, "-E",
			    1, 10000000);
			break;
		case 'F':
			vc.max_flows = (size_t)opts_int_or_die(optarg, "-F", 1,
			    100000000);
			break;
		case 'f':
			filter = optarg;
			break;
		case 'i':
			iface = optarg;
			break;
		case 'L':
			maxline = opts_size_or_die(optarg, "-L");
			if (maxline < 64)
				errx(2, "-L: at least 64 bytes");
			break;
		case 'n':
			vb.count = (long)opts_int_or_die(optarg, "-n", 1,
			    1000000000);
			break;
		case 'q':
			quiet = true;
			break;
		case 's':
			if (nsorts == 16)
				errx(2, "-s: at most 16 times");
			sorts[nsorts++] = optarg;
			break;
		case 'v':
			nkinds = show_parse_views(optarg, kinds);
			break;
		case 'w':
			vb.width = (int)opts_int_or_die(optarg, "-w", 0, 10000);
			width_set = true;
			break;
		case 'x':
			s.exit_at_eof = true;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (!isatty(STDOUT_FILENO))
		batch = true;
	if (!batch && argc == 0 && isatty(STDIN_FILENO))
		errx(2, "standard input is the terminal: give INPUT files or "
		    "pipe records in");
	if (width_set && !batch)
		warnx("-w only applies to batch mode");

	if (sig_setup() == -1)
		err(1, "sigaction");
	s.st = stats_new("ev-show");
	/* On the screen, messages about bad input would tear the display:
	 * they are counted and shown in the header instead. */
	if (quiet || (!batch && isatty(STDERR_FILENO)))
		stats_set_quiet(s.st, 1);
	s.v = view_new(&vc, s.st);
	for (i = 0; i < nsorts; i++)
		show_parse_sort(s.v, sorts[i]);
	view_set_filter(s.v, filter);
	view_set_iface(s.v, iface);
	s.cur = kinds[0];

	s.lb = linebuf_new((size_t)maxline);
	if (argc == 0)
		linebuf_add_fd(s.lb, STDIN_FILENO, "-");
	for (i = 0; i < argc; i++)
		if (linebuf_add(s.lb, argv[i], errbuf, sizeof(errbuf)) == -1)
			errx(1, "%s", errbuf);

	if (batch) {
		vb.kinds = kinds;
		vb.nkinds = nkinds;
		vb.usr1 = &sig_usr1;
		if (view_batch_run(s.v, &vb, s.lb, stdout, &sig_stop) == -1)
			rc = 1;
		if (fclose(stdout) == EOF)
			rc = 1;
		/* A reader that went away (EPIPE) is no news: exit 1 quietly. */
		if (rc && errno != EPIPE)
			warn("stdout");
	} else
		rc = show_interactive(&s);

	stats_print(s.st, stderr);
	view_destroy(&s.v);
	linebuf_destroy(&s.lb);
	stats_destroy(&s.st);
	return rc;
}
