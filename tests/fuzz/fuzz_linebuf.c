/* fuzz_linebuf.c - libFuzzer target for linebuf.c. Byte 0 picks the line
 * limit, byte 1 where the rest is split between two inputs: a memfd
 * (read like a file) and a pipe (or a second memfd when the part would
 * not fit in a pipe). Property: each input delivers exactly its lines of
 * at most the limit, in order and unchanged, and the others are counted
 * as over-long. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "linebuf.h"

#define FZ_ASSERT(c)	do { if (!(c)) abort(); } while (0)
#define FZ_PIPEMAX	60000

struct fz_part {
	const uint8_t	*p;	/* the input's bytes */
	size_t		 len;
	size_t		 pos;	/* where its next expected line starts */
	int		 idx;	/* linebuf index */
};

struct fz_state {
	struct fz_part	 part[2];
	size_t		 maxline;
	uint64_t	 overlong;	/* expected */
	uint64_t	 lines;		/* expected so far */
};

/* Advances part past lines too long to deliver; returns the next line's
 * length, or -1 if none is left. Counts the skipped ones. */
static long
fz_next(struct fz_state *st, struct fz_part *pt)
{
	const uint8_t *nl;
	size_t len;

	while (pt->pos < pt->len) {
		nl = memchr(pt->p + pt->pos, '\n', pt->len - pt->pos);
		len = nl ? (size_t)(nl - (pt->p + pt->pos)) :
		    pt->len - pt->pos;
		if (len <= st->maxline)
			return (long)len;
		st->overlong++;
		pt->pos += len + (nl != NULL);
	}
	return -1;
}

static int
fz_line(void *arg, const char *line, size_t len, int input)
{
	struct fz_state *st = arg;
	struct fz_part *pt;
	long want;

	FZ_ASSERT(input == st->part[0].idx || input == st->part[1].idx);
	pt = input == st->part[0].idx ? &st->part[0] : &st->part[1];
	FZ_ASSERT(line[len] == '\0');
	want = fz_next(st, pt);
	FZ_ASSERT(want >= 0 && (size_t)want == len);
	FZ_ASSERT(memcmp(line, pt->p + pt->pos, len) == 0);
	pt->pos += len + 1;
	st->lines++;
	return 0;
}

static int
fz_memfd(const uint8_t *p, size_t len)
{
	int fd;

	if ((fd = memfd_create("fuzz", 0)) < 0)
		abort();
	if (len > 0 && write(fd, p, len) != (ssize_t)len)
		abort();
	if (lseek(fd, 0, SEEK_SET) != 0)
		abort();
	return fd;
}

static int
fz_pipe(const uint8_t *p, size_t len)
{
	int fds[2];

	if (len > FZ_PIPEMAX)
		return fz_memfd(p, len);
	if (pipe(fds) != 0)
		abort();
	(void)fcntl(fds[1], F_SETPIPE_SZ, 65536);
	if (len > 0 && write(fds[1], p, len) != (ssize_t)len)
		abort();
	close(fds[1]);
	return fds[0];
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_state st;
	struct linebuf *lb;
	const struct linebuf_stats *ls;
	size_t split;
	int fd0, fd1, rc, spins = 0;

	if (size < 2)
		return 0;
	memset(&st, 0, sizeof(st));
	st.maxline = data[0] & 0x80 ? (size_t)(data[0] & 0x7f) * 64 :
	    data[0];
	split = (size - 2) * data[1] / 255;
	st.part[0].p = data + 2;
	st.part[0].len = split;
	st.part[1].p = data + 2 + split;
	st.part[1].len = size - 2 - split;

	fd0 = fz_memfd(st.part[0].p, st.part[0].len);
	fd1 = fz_pipe(st.part[1].p, st.part[1].len);
	lb = linebuf_new(st.maxline);
	st.part[0].idx = linebuf_add_fd(lb, fd0, "memfd");
	st.part[1].idx = linebuf_add_fd(lb, fd1, "pipe");
	FZ_ASSERT(linebuf_open_inputs(lb) == 2);
	while ((rc = linebuf_poll(lb, 1000, fz_line, &st)) != LINEBUF_EOF) {
		FZ_ASSERT(rc >= 0);
		FZ_ASSERT(++spins < 1000000);
	}
	/* Both inputs fully consumed: nothing deliverable is left. */
	FZ_ASSERT(fz_next(&st, &st.part[0]) < 0);
	FZ_ASSERT(fz_next(&st, &st.part[1]) < 0);
	ls = linebuf_stats(lb);
	FZ_ASSERT(ls->lines == st.lines);
	FZ_ASSERT(ls->overlong == st.overlong);
	FZ_ASSERT(ls->bytes == size - 2);
	FZ_ASSERT(ls->read_errors == 0);
	FZ_ASSERT(strcmp(linebuf_name(lb, st.part[1].idx), "pipe") == 0);
	linebuf_destroy(&lb);
	close(fd0);
	close(fd1);
	return 0;
}
