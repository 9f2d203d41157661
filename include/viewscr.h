/* viewscr.h - ev-show's dashboard: an ncurses screen over a view model,
 * redrawn every interval and after every key, reading records between
 * redraws (the keys are in man/ev-show.1).
 */
#ifndef EVPIPE_VIEWSCR_H
#define EVPIPE_VIEWSCR_H

#include <stdbool.h>

#include "view.h"

struct linebuf;
struct stats;

struct viewscr_conf {
	struct view	*v;		/* the model, fed from lb */
	struct linebuf	*lb;		/* the inputs */
	struct stats	*st;		/* printed on SIGUSR1 when stderr is
					   not the terminal */
	enum view_kind	 first;		/* the view shown first */
	double		 interval;	/* redraw period in seconds; 0: 1 */
	bool		 exit_at_eof;	/* quit once every input has ended */
};

/* Runs the dashboard on /dev/tty until q, SIGINT or SIGTERM (or the end
 * of the inputs with exit_at_eof), restoring the terminal. Returns 0;
 * exits 1 when the terminal cannot be opened or set up. */
int	viewscr_run(const struct viewscr_conf *c);

/* The view a key selects ('1'..'6' and f, p, I, l, e, a), or -1. */
int	viewscr_key_view(int ch);

#endif
