/* zmq-ingest.c - ntopng's ZMQ collector as a filter: ntop ZMQ messages in,
 * NDJSON event records out. See man/zmq-ingest.1 and common/zingest.c.
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <czmq.h>

#include "curve.h"
#include "ntopmsg.h"
#include "opts.h"
#include "sig.h"
#include "sink.h"
#include "stats.h"
#include "zingest.h"


static struct stats *st;
static struct curve_server *cs;	/* -k: the CURVE handshake counters */

/* Copies the CURVE handshake counters into the stage's counters. */
static void
curve_sync(void)
{
	const struct curve_counters *k;

	if (cs == NULL)
		return;
	curve_server_poll(cs);
	k = curve_server_counters(cs);
	*stats_ctr(st, "curve_accepted") = k->accepted;
	*stats_ctr(st, "curve_refused_no_encryption") = k->refused_mechanism;
	*stats_ctr(st, "curve_refused_wrong_key") = k->refused_crypto;
	*stats_ctr(st, "curve_refused_not_allowed") = k->refused_auth;
	*stats_ctr(st, "curve_refused_other") = k->refused_other;
}

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
	curve_sync();
	if (sig_usr1) {
		sig_usr1 = 0;
		stats_print(st, stderr);
	}
	return 0;
}

int
main(int argc, char *argv[])
{
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
	struct zingest_conf c = { 0 };
	struct sink_opts so = { 0 };
	struct zingest *z;
	struct sink *out;
	const char *outspec = "-", *keyfile = NULL, *allow = NULL;
	struct curve_keypair kp;
	char errbuf[512];
	size_t i;
	int ch, rc, quiet = 0;

	c.first_msg_id = 1;
	c.cap = NTOPMSG_DEFAULT_CAP;
	/* Well above libzmq's 1000: when a producer disconnects while the
	 * receive queue is full, libzmq 4.3 discards what the kernel still
	 * holds for it, uncounted. A deep queue makes that unlikely. */
	c.zopts.rcvhwm = ZIO_RCVHWM;
	while ((ch = getopt_long(argc, argv, "a:c:f:hH:k:lm:No:qt:V", lopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'a':
			allow = optarg;
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 'c':
			c.max_records = (uint64_t)opts_int_or_die(optarg,
			    "count", 1, INT64_MAX);
			break;
		case 'f':
			c.first_msg_id = (uint32_t)opts_int_or_die(optarg,
			    "first msg_id", 0, UINT32_MAX);
			break;
		case 'H':
			c.zopts.rcvhwm = (int)opts_int_or_die(optarg,
			    "receive high-water mark", 1, INT32_MAX);
			break;
		case 'N':
			c.names = true;
			break;
		case 'l':
			so.line_buffered = true;
			break;
		case 'm':
			c.cap = opts_size_or_die(optarg, "max payload");
			if (c.cap < 1 || c.cap > 1024ULL * 1024 * 1024)
				errx(2, "max payload: '%s' is not between 1 "
				    "and 1G", optarg);
			break;
		case 'o':
			outspec = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 't':
			c.idle_timeout = opts_duration_or_die(optarg,
			    "idle timeout");
			break;
		default:
			opts_other(ch, &tool);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage();
	c.ifaces = (const char *const *)argv;
	c.nifaces = (size_t)argc;
	c.tick = tick;
	if (allow != NULL && keyfile == NULL)
		errx(2, "-a needs -k: an allow-list polices a CURVE server");
	if (keyfile != NULL) {
		if (!curve_available())
			errx(2, "-k: this libzmq has no CURVE support");
		if (curve_secret_load(keyfile, &kp, errbuf, sizeof(errbuf)) == -1)
			errx(2, "-k: %s", errbuf);
		c.zopts.curve_secret = kp.sec;
	}

	st = stats_new("zmq-ingest");
	stats_set_quiet(st, quiet);
	if (sig_setup() == -1)
		err(1, "signals");
	if ((out = sink_open(outspec, &so, errbuf, sizeof(errbuf))) == NULL)
		errx(opts_open_status(outspec), "%s", errbuf);
	if (keyfile != NULL) {
		/* The allow-list's ZAP handler (zauth) polices czmq's context,
		 * so the sockets are made in that one. */
		c.zctx = zsys_init();
		if ((cs = curve_server_new(allow, errbuf, sizeof(errbuf))) ==
		    NULL)
			errx(2, "-a: %s", errbuf);
	}
	if ((z = zingest_new(&c, st, errbuf, sizeof(errbuf))) == NULL)
		errx(2, "%s", errbuf);
	for (i = 0; cs != NULL && i < c.nifaces; i++)
		if (curve_server_watch(cs, c.zctx, zingest_socket(z, i)) == -1)
			err(1, "CURVE handshake monitor");
	curve_sync();

	rc = zingest_run(z, out, &sig_stop);

	curve_sync();
	zingest_destroy(&z);
	curve_server_destroy(&cs);
	if (sink_close(&out) == -1)
		rc = -1;
	stats_print(st, stderr);
	stats_destroy(&st);
	return rc == 0 ? 0 : 1;
}
