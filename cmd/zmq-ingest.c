/* zmq-ingest.c - ntopng's ZMQ collector as a filter: ntop ZMQ messages in,
 * NDJSON event records out. See man/zmq-ingest.1 and common/zingest.c.
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curve.h"
#include "ntopmsg.h"
#include "opts.h"
#include "sig.h"
#include "sink.h"
#include "stats.h"
#include "zingest.h"


static struct stats *st;

static const struct opts_tool tool = {
	"zmq-ingest",
	"usage: zmq-ingest [-lNqV] [-a allow] [-c count] [-f first_msg_id] "
	"[-H hwm]\n"
	"                  [-k keyfile] [-m size] [-o sink] [-t idle] "
	"endpoint ...\n",
	"  -a, --allow=FILE          with -k, the client keys let in\n"
	"  -c, --count=N             stop after writing N records\n"
	"  -f, --first-msg-id=N      the msg_id expected first (default 1)\n"
	"  -H, --rcvhwm=N            receive high-water mark, in messages\n"
	"  -k, --curve-key=FILE      be a CurveZMQ server with this secret "
	"key\n"
	"  -l, --line-buffered       flush after every record\n"
	"  -m, --max-payload=SIZE    the largest payload accepted\n"
	"  -N, --names               rename numeric field ids to names\n"
	"  -o, --output=SINK         where records go (default stdout)\n"
	"  -q, --quiet               do not report bad input (still counted)\n"
	"  -t, --idle-timeout=DUR    stop when nothing came for DUR\n"
	"  endpoint                  tcp://HOST:PORTc binds (collector), "
	"without c connects;\n"
	"                            PORT 1-65535 or '*'; comma-separated "
	"lists\n",
	0,
};

static void
usage(void)
{
	opts_usage(&tool);
}

/* Prints the counters on SIGUSR1; called by the core's loop. */
static int
tick(void *arg)
{
	(void)arg;
	if (sig_usr1) {
		sig_usr1 = 0;
		stats_print(st, stderr);
	}
	return 0;
}

static const struct option lopts[] = {
	{ "allow", required_argument, NULL, 'a' },
	{ "count", required_argument, NULL, 'c' },
	{ "first-msg-id", required_argument, NULL, 'f' },
	{ "rcvhwm", required_argument, NULL, 'H' },
	{ "line-buffered", no_argument, NULL, 'l' },
	{ "max-payload", required_argument, NULL, 'm' },
	{ "names", no_argument, NULL, 'N' },
	{ "output", required_argument, NULL, 'o' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "idle-timeout", required_argument, NULL, 't' },
	{ "curve-key", required_argument, NULL, 'k' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	OPTS_STATS_LONG,
	{ NULL, 0, NULL, 0 }
};

/* What the options say. */
struct args {
	struct zingest_conf c;
	struct sink_opts so;
	const char	*outspec, *keyfile;
	int		 quiet;
};

/* Applies one option to a. */
static void
apply(struct args *a, int ch, const char *arg)
{
	switch (ch) {
	case 'a':
		a->c.curve_allow = arg;
		break;
	case 'k':
		a->keyfile = arg;
		break;
	case 'c':
		a->c.max_records = (uint64_t)opts_int_or_die(arg,
		    "count", 1, INT64_MAX);
		break;
	case 'f':
		a->c.first_msg_id = (uint32_t)opts_int_or_die(arg,
		    "first msg_id", 0, UINT32_MAX);
		break;
	case 'H':
		a->c.zopts.rcvhwm = (int)opts_int_or_die(arg,
		    "receive high-water mark", 1, INT32_MAX);
		break;
	case 'N':
		a->c.names = true;
		break;
	case 'l':
		a->so.line_buffered = true;
		break;
	case 'm':
		a->c.cap = opts_size_range_or_die("", arg, "max payload", 1,
		    1024ULL * 1024 * 1024);
		break;
	case 'o':
		a->outspec = arg;
		break;
	case 'q':
		a->quiet = 1;
		break;
	case 't':
		a->c.idle_timeout = opts_duration_or_die(arg,
		    "idle timeout");
		break;
	default:
		opts_other(ch, &tool);
	}
}

/* -k and -a: loads the server's key pair into kp for the sockets. */
static void
curve_conf(struct args *a, struct curve_keypair *kp)
{
	char errbuf[512];

	if (a->c.curve_allow != NULL && a->keyfile == NULL)
		errx(2, "-a needs -k: an allow-list polices a CURVE server");
	if (a->keyfile == NULL)
		return;
	if (!curve_available())
		errx(2, "-k: this libzmq has no CURVE support");
	if (curve_secret_load(a->keyfile, kp, errbuf, sizeof(errbuf)) == -1)
		errx(2, "-k: %s", errbuf);
	a->c.zopts.curve_secret = kp->sec;
}

int
main(int argc, char *argv[])
{
	struct args a = { .outspec = "-" };
	struct curve_keypair kp;
	struct zingest *z;
	struct sink *out;
	char errbuf[512];
	int ch, rc;

	a.c.first_msg_id = 1;
	a.c.cap = NTOPMSG_DEFAULT_CAP;
	/* Well above libzmq's 1000: when a producer disconnects while the
	 * receive queue is full, libzmq 4.3 discards what the kernel still
	 * holds for it, uncounted. A deep queue makes that unlikely. */
	a.c.zopts.rcvhwm = ZIO_RCVHWM;
	while ((ch = getopt_long(argc, argv, "a:c:f:hH:k:lm:No:qt:V", lopts,
	    NULL)) != -1)
		apply(&a, ch, optarg);
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage();
	a.c.ifaces = (const char *const *)argv;
	a.c.nifaces = (size_t)argc;
	a.c.tick = tick;
	curve_conf(&a, &kp);

	st = stats_new("zmq-ingest");
	stats_set_quiet(st, a.quiet);
	if (sig_setup() == -1)
		err(1, "signals");
	out = sink_open_or_die(a.outspec, &a.so);
	if ((z = zingest_new(&a.c, st, errbuf, sizeof(errbuf))) == NULL)
		errx(2, "%s", errbuf);

	rc = zingest_run(z, out, &sig_stop);

	zingest_destroy(&z);
	if (sink_close(&out) == -1)
		rc = -1;
	stats_print(st, stderr);
	stats_destroy(&st);
	return rc == 0 ? 0 : 1;
}
