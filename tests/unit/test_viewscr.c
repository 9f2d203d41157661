/* test_viewscr.c - unit tests of common/viewscr.c: the keys that choose a
 * view (the screen itself is driven under tmux by tests/cli/ev-show.bats). */
#include <stdio.h>

#include "unit.h"
#include "view.h"
#include "viewscr.h"

static void
test_key_view(void)
{
	CHECK(viewscr_key_view('1') == VIEW_FLOWS);
	CHECK(viewscr_key_view('6') == VIEW_APPS);
	CHECK(viewscr_key_view('7') == -1);
	CHECK(viewscr_key_view('f') == VIEW_FLOWS);
	CHECK(viewscr_key_view('p') == VIEW_PROCS);
	CHECK(viewscr_key_view('I') == VIEW_IFACES);
	CHECK(viewscr_key_view('l') == VIEW_LISTEN);
	CHECK(viewscr_key_view('e') == VIEW_EVENTS);
	CHECK(viewscr_key_view('a') == VIEW_APPS);
	CHECK(viewscr_key_view('i') == -1);
	CHECK(viewscr_key_view('q') == -1);
	CHECK(viewscr_key_view(0) == -1);
	CHECK(viewscr_key_view(300) == -1);
}

int
main(void)
{
	test_key_view();
	return unit_done("viewscr");
}
