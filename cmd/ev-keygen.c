/* ev-keygen.c - make and show CurveZMQ keys as ntopng keeps and shows
 * them (zmq-key.pub, zmq-key.priv; the public key in hex for nProbe's
 * --zmq-encryption-key). See man/ev-keygen.1 and common/curve.c.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curve.h"
#include "opts.h"

static const struct opts_tool tool = {
	"ev-keygen",
	"usage: ev-keygen [-fz] [-d dir]\n"
	"       ev-keygen [-z] -p key | -s secret\n",
	"  -d, --dir=DIR             write zmq-key.pub and zmq-key.priv in DIR "
	"(made 0700)\n"
	"  -f, --force               replace key files already there\n"
	"  -p, --public=KEY          print the public KEY (Z85, hex or file)\n"
	"  -s, --secret=FILE         print the public key of a secret key\n"
	"  -z, --z85                 print Z85 rather than hex\n",
	1,
};

static void
usage(void)
{
	opts_usage(&tool);
}

/* Prints a public key in the form asked for. */
static void
show(const char *z85, bool z)
{
	char hex[CURVE_HEXLEN + 1];

	if (z)
		puts(z85);
	else {
		curve_key_hex(z85, hex);
		puts(hex);
	}
}

static const struct option lopts[] = {
	{ "dir", required_argument, NULL, 'd' },
	{ "force", no_argument, NULL, 'f' },
	{ "public", required_argument, NULL, 'p' },
	{ "secret", required_argument, NULL, 's' },
	{ "version", no_argument, NULL, 'V' },
	{ "z85", no_argument, NULL, 'z' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

int
main(int argc, char *argv[])
{
	const char *dir = NULL, *pub = NULL, *sec = NULL;
	struct curve_keypair kp;
	char key[CURVE_KEYLEN + 1], errbuf[512];
	bool force = false, z = false;
	int ch;

	while ((ch = getopt_long(argc, argv, "d:fhp:s:Vz", lopts, NULL)) != -1)
		switch (ch) {
		case 'd':
			dir = optarg;
			break;
		case 'f':
			force = true;
			break;
		case 'p':
			pub = optarg;
			break;
		case 's':
			sec = optarg;
			break;
		case 'z':
			z = true;
			break;
		default:
			opts_other(ch, &tool);
		}
	if (argc != optind || (pub != NULL) + (sec != NULL) +
	    (dir != NULL || force) > 1)
		usage();
	if (!curve_available())
		errx(1, "this libzmq has no CURVE support");

	if (pub != NULL) {
		if (curve_key_load(pub, key, errbuf, sizeof(errbuf)) != 0)
			errx(1, "%s", errbuf);
		show(key, z);
	} else if (sec != NULL) {
		if (curve_secret_load(sec, &kp, errbuf, sizeof(errbuf)) != 0)
			errx(1, "%s", errbuf);
		show(kp.pub, z);
	} else {
		if (curve_keypair_new(&kp) != 0)
			errx(1, "cannot generate a key pair");
		/* A new folder for keys is private to its owner. */
		if (dir != NULL && mkdir(dir, 0700) == -1 && errno != EEXIST)
			err(1, "cannot create %s", dir);
		if (curve_keypair_save(&kp, dir != NULL ? dir : ".", force,
		    errbuf, sizeof(errbuf)) != 0)
			errx(1, "%s", errbuf);
		show(kp.pub, z);
	}
	if (fflush(stdout) == EOF || ferror(stdout))
		err(1, "stdout");
	return 0;
}
