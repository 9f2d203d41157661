/* pcapin.h - the pcap-ingest core: libpcap handles in, packet records out.
 *
 * The main opens its sources (live interfaces or capture files) with
 * pcapin_open_live() / pcapin_open_file(), sets a filter, drops its
 * privileges, then hands them to pcapin_run() with a sink. Files are read
 * one after the other in the order given; live interfaces are polled
 * together (their selectable fds, non-blocking pcap_dispatch()), and each
 * record is written whole. See include/pktrec.h for the records.
 */
#ifndef EVPIPE_PCAPIN_H
#define EVPIPE_PCAPIN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <pcap/pcap.h>

#include "dpi.h"
#include "sink.h"
#include "stats.h"

/* One capture source. Zero-initialise, then open with one of the
 * pcapin_open_* functions; release with pcapin_close(). */
struct pcapin_src {
	pcap_t		*p;
	char		*name;		/* its _iface (owned) */
	char		*ifjson;	/* name as a JSON string (owned) */
	int		 dlt;		/* pcap_datalink() */
	bool		 live;
	bool		 nano;		/* timestamps in nanoseconds */
	off_t		 size;		/* file size, 0 if unknown */
	int		 fd;		/* live: selectable fd */
	bool		 done;		/* ended (EOF, error) */
	char		*linkname;	/* link type name for counters (owned) */
	char		*iobuf;		/* the file's stdio buffer (owned) */
};

/* What pcapin_run() hands its tick callback. */
struct pcapin_tick {
	const struct pcapin_src *src;	/* the file being read, or NULL */
	uint64_t	 packets;	/* packets read so far, all sources */
	off_t		 pos;		/* byte offset in src's file, or -1 */
};

struct pcapin_conf {
	uint64_t	 slice_ns;	/* -A: slice length; 0: one per packet */
	size_t		 max_slices;	/* open slices at most (0: 1M) */
	bool		 nonip;		/* -N: also write frames without IP */
	uint64_t	 count;		/* -c: stop after so many; 0: no limit */
	bool		 l7;		/* -L: application fields by nDPI */
	struct dpi_conf	 dpi;		/* its table (zero: defaults) */
	/* Called every 64k packets of a file and every poll round of live
	 * capture (at least every 100 ms), after the live handles' libpcap
	 * counters were copied into the stats; for progress and SIGUSR1. */
	void		(*tick)(void *arg, const struct pcapin_tick *t);
	void		*tick_arg;
};

/* Opens capture file path ("-": standard input) as source s named name
 * (NULL: the file's base name, "stdin" for standard input). Nanosecond pcap files keep their
 * resolution. Returns 0, or -1 with a message naming path in err. */
int	pcapin_open_file(struct pcapin_src *s, const char *path,
	    const char *name, char *err, size_t errsz);

/* Opens live interface dev with snaplen bytes (0: 262144), promiscuous
 * or not, immediate delivery (for -l) or a 100 ms buffer timeout.
 * Returns 0, or -1 with a message naming dev in err; warnings from
 * libpcap also go to err with a return of 0 and err[0] != '\0'. */
int	pcapin_open_live(struct pcapin_src *s, const char *dev, int snaplen,
	    bool promisc, bool immediate, char *err, size_t errsz);

/* Compiles and installs BPF filter expr on s. 0, or -1 with a message. */
int	pcapin_filter(struct pcapin_src *s, const char *expr, char *err,
	    size_t errsz);

/* Closes s's handle and frees what it owns; s is zeroed. */
void	pcapin_close(struct pcapin_src *s);

/* Reads every source until all ended, *stop is set, or conf->count
 * packets were read, writing records to out and counting into st.
 * Open slices are flushed before returning. Returns 0, or 1 if a write
 * to out failed (output lost; reading stops there). */
int	pcapin_run(const struct pcapin_conf *conf, struct pcapin_src *src,
	    size_t nsrc, struct sink *out, struct stats *st,
	    volatile sig_atomic_t *stop);

#endif
