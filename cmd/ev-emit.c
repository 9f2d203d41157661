/* ev-emit.c - replay NDJSON events over ZMQ in the ntop wire format, as
 * ebpflowexport, nprobe_mini and nProbe send them. See man/ev-emit.1 and
 * common/emit.c.
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curve.h"
#include "emit.h"
#include "opts.h"
#include "sig.h"
#include "stats.h"

static const struct opts_tool tool = {
	"ev-emit",
	"usage: ev-emit [-aeFqVz] [-b batch] [-E encoding] "
	"[-f first_msg_id] [-g gap]\n"
	"               [-H header] [-K keyfile] [-k serverkey] "
	"[-L linger]\n"
	"               [-n repeat] [-r rate] [-s source_id] [-T topic] "
	"[-w wait]\n"
	"               [-x version] endpoint [file ...]\n",
	"  -a, --array               a JSON array even for one event\n"
	"  -b, --batch=N             up to N events per message\n"
	"  -E, --encoding=json|tlv   the payload format (default json)\n"
	"  -e, --ebpf                also send ebpflowexport's ebpf message\n"
	"  -F, --frames              each line is one message's frames\n"
	"  -g, --gap=N               skip N msg_ids after each message\n"
	"  -H, --header=0-3          the header layout (default 1)\n"
	"  -f, --first-msg-id=N      the first msg_id (default 1)\n"
	"  -K, --curve-key=FILE      with -k, this client key pair\n"
	"  -k, --curve-serverkey=KEY encrypt to the collector's public key\n"
	"  -L, --linger=DUR          wait at most DUR at exit (default 10s)\n"
	"  -n, --repeat=N            send the input N times (0: forever)\n"
	"  -q, --quiet               do not report bad lines\n"
	"  -r, --rate=N              at most N messages per second\n"
	"  -s, --source-id=N         the header's source_id\n"
	"  -T, --topic=TOPIC         the topic of lines without _topic\n"
	"  -w, --wait=DUR            wait for a subscriber (default 5s); "
	"none: exit 1\n"
	"  -x, --header-version=N    the header's version field\n"
	"  -z, --zlib                compress payloads\n"
	"  endpoint                  binds, or connects when it ends in 'c'\n",
	0,
};

static void
usage(void)
{
	opts_usage(&tool);
}

static const struct option lopts[] = {
	{ "array", no_argument, NULL, 'a' },
	{ "batch", required_argument, NULL, 'b' },
	{ "encoding", required_argument, NULL, 'E' },
	{ "ebpf", no_argument, NULL, 'e' },
	{ "frames", no_argument, NULL, 'F' },
	{ "gap", required_argument, NULL, 'g' },
	{ "header", required_argument, NULL, 'H' },
	{ "first-msg-id", required_argument, NULL, 'f' },
	{ "curve-serverkey", required_argument, NULL, 'k' },
	{ "curve-key", required_argument, NULL, 'K' },
	{ "linger", required_argument, NULL, 'L' },
	{ "repeat", required_argument, NULL, 'n' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "rate", required_argument, NULL, 'r' },
	{ "source-id", required_argument, NULL, 's' },
	{ "topic", required_argument, NULL, 'T' },
	{ "version", no_argument, NULL, 'V' },
	{ "wait", required_argument, NULL, 'w' },
	{ "header-version", required_argument, NULL, 'x' },
	{ "zlib", no_argument, NULL, 'z' },
	{ "help", no_argument, NULL, 'h' },
	OPTS_STATS_LONG,
	{ NULL, 0, NULL, 0 }
};

/* -k KEY (the collector's public key) and -K FILE (this client's pair). */
static void
curve_opt(struct emit_conf *c, int ch, const char *arg)
{
	static char serverkey[CURVE_KEYLEN + 1];
	static struct curve_keypair client;
	char errbuf[512];

	if (ch == 'k') {
		/* Z85, ntopng's hex, or a file (zmq-key.pub) or directory
		 * holding one. */
		if (curve_key_load(arg, serverkey, errbuf, sizeof(errbuf)) == -1)
			errx(2, "-k: %s", errbuf);
		c->curve_serverkey = serverkey;
		return;
	}
	if (curve_secret_load(arg, &client, errbuf, sizeof(errbuf)) == -1)
		errx(2, "-K: %s", errbuf);
	c->curve_pub = client.pub;
	c->curve_sec = client.sec;
}

/* Applies one option to c (-q to *quiet). */
static void
apply(struct emit_conf *c, int ch, const char *arg, int *quiet)
{
	switch (ch) {
	case 'a':
		c->array = true;
		break;
	case 'b':
		c->batch = (unsigned)opts_int_or_die(arg, "batch", 1,
		    1000000);
		break;
	case 'E':
		if (strcmp(arg, "tlv") == 0)
			c->tlv = true;
		else if (strcmp(arg, "json") != 0)
			errx(2, "-E: %s: not json or tlv", arg);
		break;
	case 'e':
		c->ebpf = true;
		break;
	case 'F':
		c->frames = true;
		break;
	case 'g':
		c->gap = (uint32_t)opts_int_or_die(arg, "gap", 0,
		    UINT32_MAX);
		break;
	case 'H':
		c->layout = (enum ntophdr_layout)opts_int_or_die(arg,
		    "header (0-3)", 0, 3);
		break;
	case 'f':
		c->first_msg_id = (uint32_t)opts_int_or_die(arg,
		    "first msg_id", 0, UINT32_MAX);
		break;
	case 'k':
	case 'K':
		curve_opt(c, ch, arg);
		break;
	case 'L':
		c->linger = opts_duration_or_die(arg, "linger");
		break;
	case 'n':
		c->repeat = (uint64_t)opts_int_or_die(arg, "repeat",
		    0, INT64_MAX);
		break;
	case 'q':
		*quiet = 1;
		break;
	case 'r':
		c->rate = (double)opts_int_or_die(arg, "rate", 0,
		    100000000);
		break;
	case 's':
		c->source_id = (uint32_t)opts_int_or_die(arg,
		    "source_id", 0, UINT32_MAX);
		break;
	case 'T':
		c->topic = arg;
		break;
	case 'w':
		c->wait = opts_duration_or_die(arg, "wait");
		break;
	case 'x':
		c->version = (int)opts_int_or_die(arg,
		    "header version", 0, 255);
		break;
	case 'z':
		c->zlib = true;
		break;
	default:
		opts_other(ch, &tool);
	}
}

int
main(int argc, char *argv[])
{
	struct emit_conf c = { 0 };
	struct stats *st;
	struct emit *e;
	char errbuf[512];
	int ch, rc, quiet = 0;

	c.layout = NTOPHDR_V1;
	c.version = -1;
	c.batch = 1;
	c.first_msg_id = 1;
	c.repeat = 1;
	c.wait = 5;
	c.linger = 10;
	while ((ch = getopt_long(argc, argv,
	    "ab:E:ef:Fg:hH:K:k:L:n:qr:s:T:Vw:x:z", lopts, NULL)) != -1)
		apply(&c, ch, optarg, &quiet);
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	c.endpoint = argv[0];

	st = stats_new("ev-emit");
	stats_set_quiet(st, quiet);
	if (sig_setup() == -1)
		err(1, "signals");
	if ((e = emit_new(&c, st, errbuf, sizeof(errbuf))) == NULL)
		errx(2, "%s", errbuf);
	rc = emit_send_files(e, argv + 1, (size_t)argc - 1, &sig_stop);

	emit_destroy(&e);
	stats_print(st, stderr);
	stats_destroy(&st);
	return rc == 0 ? 0 : 1;
}
