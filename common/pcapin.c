/* pcapin.c - the pcap-ingest core (include/pcapin.h): libpcap sources to
 * packet records (include/pktrec.h), per packet or in -A slices.
 */
#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "dpi.h"
#include "pcapin.h"
#include "pktdec.h"
#include "pktrec.h"
#include "sbuf.h"

#define PI_TICK_PACKETS	65536
#define PI_POLL_MS	100
#define PI_MAX_SLICES	(1u << 20)
#define PI_READ_BUF	(1u << 20)
/* A live slice is closed by the clock this long after its end, so that
 * packets still in libpcap's buffer are not counted as late. */
#define PI_LIVE_GRACE_NS	500000000LL

/* The run's state; the dispatch callback gets it through user. */
struct pi_run {
	const struct pcapin_conf *conf;
	struct pcapin_src *src;
	size_t		 nsrc;
	size_t		 cur;		/* index of the source being read */
	struct sink	*out;
	struct stats	*st;
	struct sbuf	 rec;
	struct pktrec_agg *agg;
	struct dpi	*dpi;		/* -L */
	int		 failed;	/* a write lost output */
	bool		 limit;		/* conf->count reached */
	uint64_t	 npackets;
	/* Hot counters, looked up once. */
	uint64_t	*c_packets, *c_bytes, *c_records, *c_ipv4, *c_ipv6;
	uint64_t	*c_ok, *c_trunc, *c_malformed, *c_nonip, *c_badlink;
	uint64_t	*c_frag, *c_caplen, *c_outerr;
	uint64_t	*c_nonip_kind[PKTDEC_NONIP_COUNT];
	uint64_t	**c_link;	/* per source */
};

static void
pi_err(char *err, size_t errsz, const char *fmt, const char *a,
    const char *b)
{
	if (errsz)
		snprintf(err, errsz, fmt, a, b);
}

static void	pi_linkname(struct pcapin_src *);

/* The link type's name for counters and the _iface value as JSON text,
 * once per source. */
static void
pi_names(struct pcapin_src *s)
{
	struct sbuf b = { 0 };

	sbuf_add_jstr(&b, s->name, strlen(s->name));
	s->ifjson = b.p;
	pi_linkname(s);
}

static void
pi_linkname(struct pcapin_src *s)
{
	const char *n = pcap_datalink_val_to_name(s->dlt);
	char buf[32];

	if (n == NULL) {
		snprintf(buf, sizeof(buf), "DLT_%d", s->dlt);
		n = buf;
	}
	s->linkname = strdup(n);
}

/* A classic pcap file in nanoseconds says so in its magic number. */
static bool
pi_nano_magic(const unsigned char m[4])
{
	return (m[0] == 0xa1 && m[1] == 0xb2 && m[2] == 0x3c && m[3] == 0x4d) ||
	    (m[0] == 0x4d && m[1] == 0x3c && m[2] == 0xb2 && m[3] == 0xa1);
}

int
pcapin_open_file(struct pcapin_src *s, const char *path, const char *name,
    char *err, size_t errsz)
{
	char perr[PCAP_ERRBUF_SIZE];
	unsigned char magic[4];
	struct stat sb;
	const char *base;
	FILE *fp;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (strcmp(path, "-") == 0)
		fp = stdin;
	else if ((fp = fopen(path, "rb")) == NULL) {
		pi_err(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* libpcap reads a record as two small freads: a large stdio buffer
	 * turns them into few read(2) calls. */
	if (fp != stdin && (s->iobuf = malloc(PI_READ_BUF)) != NULL)
		setvbuf(fp, s->iobuf, _IOFBF, PI_READ_BUF);
	/* Peek at the magic of a seekable file; a pipe keeps microseconds. */
	if (fp != stdin && fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode)) {
		s->size = sb.st_size;
		if (fread(magic, 1, 4, fp) == 4 && pi_nano_magic(magic))
			s->nano = true;
		rewind(fp);
	}
	perr[0] = '\0';
	s->p = pcap_fopen_offline_with_tstamp_precision(fp, s->nano ?
	    PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO, perr);
	if (s->p == NULL) {
		pi_err(err, errsz, "%s: %s", path, perr);
		if (fp != stdin)
			fclose(fp);
		free(s->iobuf);
		s->iobuf = NULL;
		return -1;
	}
	if (name == NULL && fp == stdin)
		name = "stdin";
	else if (name == NULL) {
		base = strrchr(path, '/');
		name = base ? base + 1 : path;
	}
	s->name = strdup(name);
	s->dlt = pcap_datalink(s->p);
	pi_names(s);
	return 0;
}

int
pcapin_open_live(struct pcapin_src *s, const char *dev, int snaplen,
    bool promisc, bool immediate, char *err, size_t errsz)
{
	char perr[PCAP_ERRBUF_SIZE];
	int rc;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->live = true;
	perr[0] = '\0';
	if ((s->p = pcap_create(dev, perr)) == NULL) {
		pi_err(err, errsz, "%s: %s", dev, perr);
		return -1;
	}
	pcap_set_snaplen(s->p, snaplen > 0 ? snaplen : 262144);
	pcap_set_promisc(s->p, promisc);
	pcap_set_timeout(s->p, PI_POLL_MS);
	if (immediate)
		pcap_set_immediate_mode(s->p, 1);
	rc = pcap_activate(s->p);
	if (rc < 0) {
		/* pcap_geterr() is empty for some errors; the code's text is
		 * then what there is to say. */
		const char *msg = pcap_geterr(s->p);

		pi_err(err, errsz, "%s: %s", dev, msg && *msg ? msg :
		    pcap_statustostr(rc));
		pcap_close(s->p);
		s->p = NULL;
		return -1;
	}
	if (err && errsz)
		err[0] = '\0';
	if (rc > 0)
		pi_err(err, errsz, "%s: %s", dev, pcap_statustostr(rc));
	if (pcap_setnonblock(s->p, 1, perr) == -1 ||
	    (s->fd = pcap_get_selectable_fd(s->p)) < 0) {
		pi_err(err, errsz, "%s: %s", dev, "cannot poll this device");
		pcap_close(s->p);
		s->p = NULL;
		return -1;
	}
	s->name = strdup(dev);
	s->dlt = pcap_datalink(s->p);
	pi_names(s);
	return 0;
}

int
pcapin_filter(struct pcapin_src *s, const char *expr, char *err,
    size_t errsz)
{
	struct bpf_program prog;

	if (pcap_compile(s->p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) == -1) {
		if (errsz)
			snprintf(err, errsz, "bad filter: %s", pcap_geterr(s->p));
		return -1;
	}
	if (pcap_setfilter(s->p, &prog) == -1) {
		pi_err(err, errsz, "%s: %s", s->name, pcap_geterr(s->p));
		pcap_freecode(&prog);
		return -1;
	}
	pcap_freecode(&prog);
	return 0;
}

void
pcapin_close(struct pcapin_src *s)
{
	/* pcap_close() closes the file, so the buffer it used goes after. */
	if (s->p)
		pcap_close(s->p);
	free(s->iobuf);
	free(s->name);
	free(s->ifjson);
	free(s->linkname);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

/* Copies the live sources' libpcap counters (ps_recv, ps_drop, ps_ifdrop)
 * into st as "ps_recv.IFACE" and so on. */
static void
pcapin_live_stats(struct pcapin_src *src, size_t nsrc, struct stats *st)
{
	struct pcap_stat ps;
	char key[128];
	size_t i;

	for (i = 0; i < nsrc; i++) {
		if (!src[i].live || src[i].p == NULL ||
		    pcap_stats(src[i].p, &ps) != 0)
			continue;
		snprintf(key, sizeof(key), "ps_recv.%s", src[i].name);
		*stats_ctr(st, key) = ps.ps_recv;
		snprintf(key, sizeof(key), "ps_drop.%s", src[i].name);
		*stats_ctr(st, key) = ps.ps_drop;
		snprintf(key, sizeof(key), "ps_ifdrop.%s", src[i].name);
		*stats_ctr(st, key) = ps.ps_ifdrop;
	}
}

static int
pi_emit(void *arg, const char *rec, size_t len)
{
	struct pi_run *r = arg;

	if (sink_write(r->out, rec, len) == -1) {
		(*r->c_outerr)++;
		r->failed = 1;
		return -1;
	}
	(*r->c_records)++;
	return 0;
}

/* Counts one decoded packet by outcome. */
static void
pi_count(struct pi_run *r, const struct pktdec *d)
{
	if (d->ipver == 4 && d->layer >= PKTDEC_L_NET)
		(*r->c_ipv4)++;
	else if (d->ipver == 6 && d->layer >= PKTDEC_L_NET)
		(*r->c_ipv6)++;
	if (d->frag)
		(*r->c_frag)++;
	switch (d->status) {
	case PKTDEC_OK:
		(*r->c_ok)++;
		break;
	case PKTDEC_TRUNCATED:
		stats_bad(r->st, r->c_trunc, r->src[r->cur].name,
		    "packet %" PRIu64 ": truncated %s", r->npackets, d->why);
		break;
	case PKTDEC_MALFORMED:
		stats_bad(r->st, r->c_malformed, r->src[r->cur].name,
		    "packet %" PRIu64 ": malformed %s", r->npackets, d->why);
		break;
	case PKTDEC_NONIP:
		(*r->c_nonip)++;
		if (r->c_nonip_kind[d->nonip] == NULL) {
			char key[32];

			snprintf(key, sizeof(key), "nonip.%s",
			    pktdec_nonip_name(d->nonip));
			r->c_nonip_kind[d->nonip] = stats_ctr(r->st, key);
		}
		(*r->c_nonip_kind[d->nonip])++;
		break;
	case PKTDEC_BADLINK:
		(*r->c_badlink)++;
		break;
	}
}

/* One packet of the current source: decode, count, write. */
static void
pi_packet(struct pi_run *r, const struct pcap_pkthdr *h, const u_char *data)
{
	struct pcapin_src *s = &r->src[r->cur];
	struct pktrec_time t;
	struct pktdec d;
	const char *l7;
	size_t l7len = 0;
	uint64_t l7h = 0;

	r->npackets++;
	(*r->c_packets)++;
	*r->c_bytes += h->len;
	(*r->c_link[r->cur])++;
	if (h->caplen < h->len)
		(*r->c_caplen)++;
	pktdec_decode(s->dlt, data, h->caplen, h->len, &d);
	pi_count(r, &d);
	if (r->conf->count && r->npackets >= r->conf->count)
		r->limit = true;
	if (d.status == PKTDEC_BADLINK ||
	    (d.layer < PKTDEC_L_NET && !r->conf->nonip))
		return;
	t.sec = (int64_t)h->ts.tv_sec;
	t.nsec = s->nano ? (uint32_t)h->ts.tv_usec :
	    (uint32_t)h->ts.tv_usec * 1000u;
	t.nano = s->nano;
	if (r->dpi != NULL && d.layer >= PKTDEC_L_NET)
		l7h = dpi_packet(r->dpi, &d, t.sec < 0 ? 0 :
		    (uint64_t)t.sec * 1000u + t.nsec / 1000000u);
	if (r->agg) {
		if (pktrec_agg_add_l7(r->agg, (int)r->cur, s->ifjson, &t, &d,
		    h->len, l7h, pi_emit, r) != 0)
			r->limit = true;
		return;
	}
	sbuf_reset(&r->rec);
	l7 = l7h ? dpi_fields(r->dpi, l7h, &l7len) : NULL;
	pktrec_packet_l7(&r->rec, s->ifjson, &t, &d, h->len, l7, l7len);
	if (pi_emit(r, r->rec.p, r->rec.len) != 0)
		r->limit = true;
}

static void
pi_dispatch_cb(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct pi_run *r = (struct pi_run *)user;

	pi_packet(r, h, data);
	if (r->limit)
		pcap_breakloop(r->src[r->cur].p);
}

/* The DPI counters (include/dpi.h) into the stats as dpi_*. */
static void
pi_dpi_stats(struct pi_run *r)
{
	const struct dpi_stats *ds;

	if (r->dpi == NULL)
		return;
	ds = dpi_stats(r->dpi);
	*stats_ctr(r->st, "dpi_flows") = ds->flows;
	*stats_ctr(r->st, "dpi_active") = ds->active;
	*stats_ctr(r->st, "dpi_max_active") = ds->max_active;
	*stats_ctr(r->st, "dpi_evicted") = ds->evicted;
	*stats_ctr(r->st, "dpi_expired") = ds->expired;
	*stats_ctr(r->st, "dpi_detected") = ds->detected;
	*stats_ctr(r->st, "dpi_guessed") = ds->guessed;
	*stats_ctr(r->st, "dpi_unknown") = ds->unknown;
	*stats_ctr(r->st, "dpi_packets") = ds->dpi_packets;
	*stats_ctr(r->st, "dpi_max_states") = ds->max_states;
}

static const char *
pi_l7(void *arg, uint64_t h, size_t *len)
{
	return dpi_fields(arg, h, len);
}

static void
pi_tick(struct pi_run *r, const struct pcapin_src *file)
{
	struct pcapin_tick t;
	FILE *fp;

	if (r->conf->tick == NULL)
		return;
	pcapin_live_stats(r->src, r->nsrc, r->st);
	pi_dpi_stats(r);
	t.src = file;
	t.packets = r->npackets;
	t.pos = -1;
	if (file && (fp = pcap_file(file->p)) != NULL)
		t.pos = ftello(fp);
	r->conf->tick(r->conf->tick_arg, &t);
}

/* The first packet of a file, read ahead so that files given together are
 * read in the order of their first timestamps, as one capture. */
struct pi_first {
	struct pcap_pkthdr h;
	u_char		*data;		/* the packet, copied */
	int		 rc;		/* pcap_next_ex()'s result */
	int		 eno;		/* errno after it */
};

/* Reads the first packet of s into f; a signal that interrupts the wait
 * for it (a FIFO) only retries, unless it is a stop. */
static void
pi_first_read(struct pcapin_src *s, struct pi_first *f,
    volatile sig_atomic_t *stop)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	FILE *fp;

	do {
		errno = 0;
		f->rc = pcap_next_ex(s->p, &h, &data);
		f->eno = errno;
		if (f->rc == PCAP_ERROR && errno == EINTR &&
		    (fp = pcap_file(s->p)) != NULL)
			clearerr(fp);
	} while (f->rc == PCAP_ERROR && f->eno == EINTR && !*stop);
	if (f->rc == 1) {
		f->h = *h;
		if ((f->data = malloc(h->caplen ? h->caplen : 1)) == NULL)
			err(1, "pcapin");
		memcpy(f->data, data, h->caplen);
	}
}

/* Orders ord[0..n) (indexes into first) by first timestamp; files without
 * a packet come last; ties keep the command line's order. */
static void
pi_first_sort(const struct pi_first *first, size_t *ord, size_t n)
{
	size_t i, j, k;

	for (i = 1; i < n; i++) {
		k = ord[i];
		for (j = i; j > 0; j--) {
			const struct pi_first *a = &first[ord[j - 1]];
			const struct pi_first *b = &first[k];

			if (b->rc != 1 || (a->rc == 1 && !timercmp(&b->h.ts,
			    &a->h.ts, <)))
				break;
			ord[j] = ord[j - 1];
		}
		ord[j] = k;
	}
}

/* Reads file source i to its end, starting with its first packet f. A
 * read error (a file cut in the middle of a record) is reported and
 * counted; what came before it stands. */
static void
pi_file(struct pi_run *r, size_t i, const struct pi_first *f,
    volatile sig_atomic_t *stop)
{
	struct pcapin_src *s = &r->src[i];
	struct pcap_pkthdr *h = NULL;
	const u_char *data = NULL;
	uint64_t n = 0;
	bool ahead = true;
	FILE *fp;
	int rc;

	r->cur = i;
	while (!*stop && !r->limit) {
		if (ahead) {
			ahead = false;
			rc = f->rc;
			errno = f->eno;
			if (rc == 1)
				pi_packet(r, &f->h, f->data);
		} else {
			errno = 0;
			if ((rc = pcap_next_ex(s->p, &h, &data)) == 1)
				pi_packet(r, h, data);
		}
		if (rc == 1) {
			if (++n % PI_TICK_PACKETS == 0)
				pi_tick(r, s);
			continue;
		}
		/* A signal interrupted a blocking read of a FIFO or pipe.
		 * A stop is no read error; any other signal (SIGUSR1) gets its
		 * turn and the read goes on. libpcap reads with stdio, so the
		 * interrupted read has consumed nothing when it blocked at a
		 * record's start, where a writer pausing leaves it. */
		if (rc == PCAP_ERROR && errno == EINTR && !*stop &&
		    (fp = pcap_file(s->p)) != NULL) {
			clearerr(fp);
			pi_tick(r, s);
			continue;
		}
		if (rc == PCAP_ERROR && !*stop)
			stats_bad(r->st, stats_ctr(r->st, "file_errors"),
			    s->name, "%s (after %" PRIu64 " packets)",
			    pcap_geterr(s->p), n);
		break;
	}
	s->done = true;
	/* The end of a capture is where nDPI's reader gives up on the flows
	 * still undecided: their open slices get its guess. */
	if (r->dpi)
		dpi_giveup_all(r->dpi);
	pi_tick(r, s);
	if (r->agg && pktrec_agg_flush(r->agg, (int)i, pi_emit, r) != 0)
		r->limit = true;
}

/* Reads the files, each to its end, in the order of their first packets'
 * timestamps (a later file given first would make the clock go back). */
static void
pi_files(struct pi_run *r, volatile sig_atomic_t *stop)
{
	struct pi_first *first;
	size_t *ord, i, n = 0;

	first = calloc(r->nsrc ? r->nsrc : 1, sizeof(*first));
	ord = calloc(r->nsrc ? r->nsrc : 1, sizeof(*ord));
	if (first == NULL || ord == NULL)
		err(1, "pcapin");
	for (i = 0; i < r->nsrc && !*stop; i++)
		if (!r->src[i].live) {
			pi_first_read(&r->src[i], &first[i], stop);
			ord[n++] = i;
		}
	pi_first_sort(first, ord, n);
	for (i = 0; i < n && !*stop && !r->limit; i++)
		pi_file(r, ord[i], &first[ord[i]], stop);
	for (i = 0; i < r->nsrc; i++)
		free(first[i].data);
	free(first);
	free(ord);
}

static int64_t
pi_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Polls the live sources together until stopped. */
static void
pi_live(struct pi_run *r, volatile sig_atomic_t *stop)
{
	struct pollfd *pfd;
	size_t i, n = 0, k;
	size_t *map;
	int rc;

	pfd = calloc(r->nsrc, sizeof(*pfd));
	map = calloc(r->nsrc, sizeof(*map));
	if (pfd == NULL || map == NULL) {
		free(pfd);
		free(map);
		r->failed = 1;
		return;
	}
	while (!*stop && !r->limit) {
		for (i = n = 0; i < r->nsrc; i++) {
			if (!r->src[i].live || r->src[i].done)
				continue;
			pfd[n].fd = r->src[i].fd;
			pfd[n].events = POLLIN;
			pfd[n].revents = 0;
			map[n++] = i;
		}
		if (n == 0)
			break;
		rc = poll(pfd, n, PI_POLL_MS);
		if (rc == -1 && errno != EINTR)
			break;
		/* Dispatch on every round: libpcap may hold packets whose
		 * buffer timeout expired without the fd turning readable. */
		for (k = 0; k < n && !r->limit && !*stop; k++) {
			i = map[k];
			r->cur = i;
			rc = pcap_dispatch(r->src[i].p, -1, pi_dispatch_cb,
			    (u_char *)r);
			if (rc == PCAP_ERROR) {
				stats_bad(r->st, stats_ctr(r->st,
				    "capture_errors"), r->src[i].name, "%s",
				    pcap_geterr(r->src[i].p));
				r->src[i].done = true;
			}
		}
		if (r->agg) {
			int64_t now = pi_now_ns() - PI_LIVE_GRACE_NS;

			for (k = 0; k < n; k++)
				if (pktrec_agg_tick(r->agg, (int)map[k], now,
				    pi_emit, r) != 0)
					r->limit = true;
		}
		pi_tick(r, NULL);
	}
	free(pfd);
	free(map);
}

int
pcapin_run(const struct pcapin_conf *conf, struct pcapin_src *src,
    size_t nsrc, struct sink *out, struct stats *st,
    volatile sig_atomic_t *stop)
{
	struct pi_run r;
	char key[96];
	size_t i;
	bool live = false;

	memset(&r, 0, sizeof(r));
	r.conf = conf;
	r.src = src;
	r.nsrc = nsrc;
	r.out = out;
	r.st = st;
	r.c_packets = stats_ctr(st, "packets");
	r.c_bytes = stats_ctr(st, "bytes");
	r.c_records = stats_ctr(st, "records_out");
	r.c_ipv4 = stats_ctr(st, "ipv4");
	r.c_ipv6 = stats_ctr(st, "ipv6");
	r.c_frag = stats_ctr(st, "fragments");
	r.c_ok = stats_ctr(st, "decoded");
	r.c_trunc = stats_ctr(st, "truncated");
	r.c_malformed = stats_ctr(st, "malformed");
	r.c_nonip = stats_ctr(st, "nonip_packets");
	r.c_badlink = stats_ctr(st, "badlink");
	r.c_caplen = stats_ctr(st, "caplen_short");
	(void)stats_ctr(st, "file_errors");
	r.c_outerr = stats_ctr(st, "lost");
	if ((r.c_link = calloc(nsrc ? nsrc : 1, sizeof(*r.c_link))) == NULL)
		return 1;
	for (i = 0; i < nsrc; i++) {
		snprintf(key, sizeof(key), "link.%s", src[i].linkname ?
		    src[i].linkname : "unknown");
		r.c_link[i] = stats_ctr(st, key);
		live |= src[i].live;
	}
	if (conf->l7 && (r.dpi = dpi_new(&conf->dpi, key,
	    sizeof(key))) == NULL) {
		stats_bad(st, stats_ctr(st, "dpi_errors"), "-L", "%s", key);
		free(r.c_link);
		return 1;
	}
	if (conf->slice_ns)
		r.agg = pktrec_agg_new(conf->slice_ns, conf->max_slices ?
		    conf->max_slices : PI_MAX_SLICES);
	if (r.agg && r.dpi)
		pktrec_agg_set_l7(r.agg, pi_l7, r.dpi);
	pi_files(&r, stop);
	if (live && !r.limit)
		pi_live(&r, stop);
	if (r.dpi)
		dpi_giveup_all(r.dpi);
	if (r.agg) {
		const struct pktrec_agg_stats *as;

		if (!r.failed)
			pktrec_agg_flush(r.agg, -1, pi_emit, &r);
		as = pktrec_agg_stats(r.agg);
		*stats_ctr(st, "slice_backwards") = as->backwards;
		*stats_ctr(st, "slice_full_flushes") = as->full_flushes;
		*stats_ctr(st, "slice_max_open") = as->max_entries;
		pktrec_agg_destroy(&r.agg);
	}
	pcapin_live_stats(src, nsrc, st);
	pi_dpi_stats(&r);
	dpi_destroy(&r.dpi);
	sbuf_free(&r.rec);
	free(r.c_link);
	return r.failed ? 1 : 0;
}
