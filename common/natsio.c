/* natsio.c - NATS JetStream endpoints: URL parsing, connections, streams.
 *
 * Implements include/natsio.h; the sink side is natspub.c, the input side
 * natssub.c. libnats does the protocol; this module only decides names,
 * settings and what counts as a usage error (a malformed URL) versus a
 * runtime failure (servers that do not answer).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "natsio.h"
#include "opts.h"
#include "xalloc.h"

/* Per thread: stages may run as threads of one process (chain.h), each
 * with its own sinks and inputs. */
struct natsio_hook {
	int	(*fn)(void *);
	void	*arg;
};
static _Thread_local struct natsio_hook *natsio_hooks;
static _Thread_local int natsio_nhooks, natsio_hookcap;
static _Thread_local bool natsio_failed;

static char *
natsio_xstrndup(const char *s, size_t n)
{
	char *p = xcalloc(1, n + 1);

	memcpy(p, s, n);
	return p;
}

int64_t
natsio_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A stream or consumer name: letters, digits, '-' and '_'. */
static bool
natsio_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 200)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		    s[i] == '_'))
			return false;
	return true;
}

/* A subject: dot-separated non-empty tokens of printable characters;
 * wildcards only where allowed (a filter), '>' only last. */
static bool
natsio_subject_ok(const char *s, bool wild)
{
	size_t tok = 0;
	const char *p;

	if (*s == '\0')
		return false;
	for (p = s; ; p++) {
		if (*p == '.' || *p == '\0') {
			if (tok == 0)
				return false;
			if (wild && tok == 1 && p[-1] == '>' && *p != '\0')
				return false;
			if (*p == '\0')
				return true;
			tok = 0;
			continue;
		}
		if (*p <= ' ' || *p == 0x7f || *p == '/')
			return false;
		if ((*p == '*' || *p == '>') &&
		    (!wild || tok != 0 || (p[1] != '.' && p[1] != '\0')))
			return false;
		tok++;
	}
}

/* Parses the HOST[:PORT] list [s, e) into u->servers. */
static int
natsio_servers(const char *s, const char *e, struct natsio_url *u,
    char *err, size_t errsz)
{
	const char *p, *c, *colon;
	long long port;
	char pb[16];
	size_t n = 1;

	for (p = s; p < e; p++)
		n += *p == ',';
	u->servers = xcalloc(n, sizeof(*u->servers));
	for (p = s; p <= e; p = c + 1) {
		c = memchr(p, ',', (size_t)(e - p));
		if (c == NULL)
			c = e;
		colon = memchr(p, ':', (size_t)(c - p));
		port = 4222;
		if (c == p || colon == p) {
			snprintf(err, errsz, "empty host in the server list");
			return -1;
		}
		if (colon != NULL) {
			if ((size_t)(c - colon - 1) >= sizeof(pb)) {
				snprintf(err, errsz, "bad port");
				return -1;
			}
			memcpy(pb, colon + 1, (size_t)(c - colon - 1));
			pb[c - colon - 1] = '\0';
			if (opts_int(pb, 1, 65535, &port) != 0) {
				snprintf(err, errsz, "bad port '%s'", pb);
				return -1;
			}
		} else
			colon = c;
		u->servers[u->nservers] = xcalloc(1,
		    (size_t)(colon - p) + 24);
		snprintf(u->servers[u->nservers], (size_t)(colon - p) + 24,
		    "nats://%.*s:%lld", (int)(colon - p), p, port);
		u->nservers++;
	}
	return 0;
}

/* Applies one KEY=VALUE parameter [s, e). */
static int
natsio_param(const char *s, const char *e, enum natsio_kind kind,
    struct natsio_url *u, char *err, size_t errsz)
{
	const char *eq = memchr(s, '=', (size_t)(e - s));
	char *v;
	long long n;
	double d;
	int rc = 0;

	if (eq == NULL || eq == s) {
		snprintf(err, errsz, "parameter '%.*s' is not KEY=VALUE",
		    (int)(e - s), s);
		return -1;
	}
	v = natsio_xstrndup(eq + 1, (size_t)(e - eq - 1));
#define KEY(k)	((size_t)(eq - s) == sizeof(k) - 1 && \
		    memcmp(s, k, sizeof(k) - 1) == 0)
	if (KEY("replicas") && opts_int(v, 1, 5, &n) == 0) {
		u->replicas = (int)n;
		u->replicas_set = true;
	}
	else if (KEY("stream") && kind == NATSIO_SINK &&
	    natsio_name_ok(v, strlen(v)) && u->stream == NULL) {
		u->stream = v;
		v = NULL;
	} else if (KEY("source") && kind == NATSIO_SINK &&
	    natsio_name_ok(v, strlen(v)) && u->source == NULL) {
		u->source = v;
		v = NULL;
	} else if (KEY("subject") && kind == NATSIO_INPUT &&
	    natsio_subject_ok(v, true) && u->filter == NULL) {
		u->filter = v;
		v = NULL;
	} else if (KEY("ack_wait") && kind == NATSIO_INPUT &&
	    opts_duration(v, &d) == 0 && d >= 1 && d <= 86400)
		u->ack_wait_ms = (int64_t)(d * 1000);
	else if (KEY("linger") && kind == NATSIO_SINK &&
	    opts_duration(v, &d) == 0 && d <= 86400)
		u->linger_ms = (int64_t)(d * 1000);
	else if (KEY("ack") && kind == NATSIO_INPUT &&
	    (strcmp(v, "flush") == 0 || strcmp(v, "exit") == 0))
		u->ack_exit = strcmp(v, "exit") == 0;
	else if (KEY("idle_exit") && kind == NATSIO_INPUT &&
	    opts_duration(v, &d) == 0 && d > 0 && d <= 86400)
		u->idle_exit_ms = (int64_t)(d * 1000);
	else if (KEY("window") && kind == NATSIO_SINK &&
	    opts_int(v, 1, 1024, &n) == 0)
		u->window = (int)n;
	else if (KEY("batch") && kind == NATSIO_INPUT &&
	    opts_int(v, 1, 4096, &n) == 0)
		u->batch = (int)n;
	else {
		snprintf(err, errsz, "bad parameter '%.*s'", (int)(e - s), s);
		rc = -1;
	}
#undef KEY
	free(v);
	return rc;
}

/* Parses the path [s, e): SUBJECT, or STREAM/CONSUMER. */
static int
natsio_path(const char *s, const char *e, enum natsio_kind kind,
    struct natsio_url *u, char *err, size_t errsz)
{
	const char *sl = memchr(s, '/', (size_t)(e - s));

	if (kind == NATSIO_SINK) {
		u->subject = natsio_xstrndup(s, (size_t)(e - s));
		if (sl != NULL || !natsio_subject_ok(u->subject, false)) {
			snprintf(err, errsz, "'%s' is not a subject (tokens "
			    "joined by dots, no wildcards)", u->subject);
			return -1;
		}
		return 0;
	}
	if (sl == NULL || !natsio_name_ok(s, (size_t)(sl - s)) ||
	    !natsio_name_ok(sl + 1, (size_t)(e - sl - 1))) {
		snprintf(err, errsz, "the path must be STREAM/CONSUMER "
		    "(letters, digits, '-' and '_')");
		return -1;
	}
	u->stream = natsio_xstrndup(s, (size_t)(sl - s));
	u->consumer = natsio_xstrndup(sl + 1, (size_t)(e - sl - 1));
	return 0;
}

/* The stream name a sink derives from its subject: the first token, with
 * characters a name cannot hold replaced by '_'. */
static char *
natsio_derive_stream(const char *subject)
{
	size_t n = strcspn(subject, "."), i;
	char *p = natsio_xstrndup(subject, n);

	for (i = 0; i < n; i++)
		if (!natsio_name_ok(p + i, 1))
			p[i] = '_';
	return p;
}

int
natsio_parse(const char *spec, enum natsio_kind kind, struct natsio_url *u,
    char *err, size_t errsz)
{
	const char *s, *slash, *q, *end, *a, *amp, *stop;
	char why[256];

	memset(u, 0, sizeof(*u));
	u->replicas = 1;
	u->ack_wait_ms = 30000;
	u->linger_ms = 30000;
	u->batch = 64;
	u->window = 64;
	u->ack_exit = -1;
	why[0] = '\0';
	if (strncmp(spec, "nats://", 7) != 0) {
		snprintf(why, sizeof(why), "not a nats:// URL");
		goto bad;
	}
	s = spec + 7;
	q = strchr(s, '?');
	end = q != NULL ? q : s + strlen(s);
	slash = memchr(s, '/', (size_t)(end - s));
	if (slash == NULL || slash + 1 >= end) {
		snprintf(why, sizeof(why), "no %s after the servers",
		    kind == NATSIO_SINK ? "/SUBJECT" : "/STREAM/CONSUMER");
		goto bad;
	}
	if (natsio_servers(s, slash, u, why, sizeof(why)) != 0 ||
	    natsio_path(slash + 1, end, kind, u, why, sizeof(why)) != 0)
		goto bad;
	stop = end + strlen(end);
	for (a = q != NULL ? q + 1 : stop; a < stop; a = amp + 1) {
		amp = strchr(a, '&');
		if (amp == NULL)
			amp = stop;
		if (natsio_param(a, amp, kind, u, why, sizeof(why)) != 0)
			goto bad;
	}
	if (kind == NATSIO_SINK && u->stream == NULL)
		u->stream = natsio_derive_stream(u->subject);
	return 0;
bad:
	snprintf(err, errsz, "%s: %s; expected nats://HOST:PORT[,HOST:PORT...]"
	    "/%s[?KEY=VALUE&...]", spec, why,
	    kind == NATSIO_SINK ? "SUBJECT" : "STREAM/CONSUMER");
	natsio_url_free(u);
	return -1;
}

void
natsio_url_free(struct natsio_url *u)
{
	int i;

	for (i = 0; i < u->nservers; i++)
		free(u->servers[i]);
	free(u->servers);
	free(u->subject);
	free(u->stream);
	free(u->consumer);
	free(u->filter);
	free(u->source);
	memset(u, 0, sizeof(*u));
}

natsConnection *
natsio_connect(const struct natsio_url *u, char *err, size_t errsz)
{
	natsOptions *o = NULL;
	natsConnection *nc = NULL;
	natsStatus st;

	if ((st = natsOptions_Create(&o)) == NATS_OK)
		st = natsOptions_SetServers(o, (const char **)u->servers,
		    u->nservers);
	if (st == NATS_OK)
		st = natsOptions_SetTimeout(o, NATSIO_CONNECT_MS);
	/* Once connected, a stage rides out any outage: it never gives up
	 * reconnecting, and what it publishes meanwhile waits in its own
	 * window (natspub.c), not in an unbounded client buffer. */
	if (st == NATS_OK)
		st = natsOptions_SetMaxReconnect(o, -1);
	if (st == NATS_OK)
		st = natsOptions_SetReconnectWait(o, 250);
	if (st == NATS_OK)
		st = natsOptions_SetReconnectBufSize(o, 16 * 1024 * 1024);
	if (st == NATS_OK)
		st = natsConnection_Connect(&nc, o);
	natsOptions_Destroy(o);
	if (st != NATS_OK) {
		snprintf(err, errsz, "cannot connect to %s%s within %d ms: %s",
		    u->servers[0], u->nservers > 1 ? " (and the others)" : "",
		    NATSIO_CONNECT_MS, natsStatus_GetText(st));
		return NULL;
	}
	return nc;
}

/* True if subject matches the pattern (NATS wildcards '*' and '>'). */
static bool
natsio_match(const char *pat, const char *subj)
{
	size_t pn, sn;

	for (;;) {
		pn = strcspn(pat, ".");
		sn = strcspn(subj, ".");
		if (pn == 1 && *pat == '>')
			return *subj != '\0';
		if (!(pn == 1 && *pat == '*') &&
		    (pn != sn || memcmp(pat, subj, pn) != 0))
			return false;
		pat += pn;
		subj += sn;
		if (*pat == '\0' || *subj == '\0')
			return *pat == '\0' && *subj == '\0';
		pat++;
		subj++;
	}
}

/* Checks an existing stream's settings against what u asks for. */
static int
natsio_stream_check(const jsStreamConfig *c, const struct natsio_url *u,
    const char *subject, char *err, size_t errsz)
{
	int i;
	bool covered = subject == NULL;

	for (i = 0; i < c->SubjectsLen && !covered; i++)
		covered = natsio_match(c->Subjects[i], subject);
	if (c->Storage != js_FileStorage ||
	    (u->replicas_set && c->Replicas != u->replicas) || !covered) {
		snprintf(err, errsz, "stream %s exists with other settings: "
		    "%s storage, %lld replicas, %s; wanted file storage, %d "
		    "replicas%s%s", u->stream,
		    c->Storage == js_FileStorage ? "file" : "memory",
		    (long long)c->Replicas,
		    covered ? "subjects cover ours" : "subjects do not cover",
		    u->replicas, subject != NULL ? ", subject " : "",
		    subject != NULL ? subject : "");
		return -1;
	}
	return 0;
}

int
natsio_stream(jsCtx *js, const struct natsio_url *u, const char *subject,
    char *err, size_t errsz)
{
	jsStreamInfo *si = NULL;
	jsStreamConfig cfg;
	jsOptions jo;
	jsErrCode je = 0;
	natsStatus st;
	char pat[512];
	const char *subjs[1];
	int rc;

	jsOptions_Init(&jo);
	jo.Wait = NATSIO_API_MS;
	st = js_GetStreamInfo(&si, js, u->stream, &jo, &je);
	if (st == NATS_OK) {
		rc = natsio_stream_check(si->Config, u, subject, err, errsz);
		jsStreamInfo_Destroy(si);
		return rc;
	}
	if (st != NATS_NOT_FOUND || subject == NULL) {
		snprintf(err, errsz, "stream %s: %s", u->stream,
		    st == NATS_NOT_FOUND ? "no such stream" :
		    natsStatus_GetText(st));
		return st == NATS_NOT_FOUND ? -1 : -2;
	}
	if (strchr(subject, '.') != NULL)
		snprintf(pat, sizeof(pat), "%.*s.>",
		    (int)strcspn(subject, "."), subject);
	else
		snprintf(pat, sizeof(pat), "%s", subject);
	subjs[0] = pat;
	jsStreamConfig_Init(&cfg);
	cfg.Name = u->stream;
	cfg.Subjects = subjs;
	cfg.SubjectsLen = 1;
	cfg.Storage = js_FileStorage;
	cfg.Replicas = u->replicas;
	st = js_AddStream(&si, js, &cfg, &jo, &je);
	if (st == NATS_OK) {
		jsStreamInfo_Destroy(si);
		return 0;
	}
	/* Another stage created it meanwhile: check it as an existing one. */
	if (je == JSStreamNameExistErr)
		return natsio_stream(js, u, subject, err, errsz);
	snprintf(err, errsz, "stream %s: cannot create it: %s (%d)",
	    u->stream, natsStatus_GetText(st), (int)je);
	/* A cluster still gathering its peers or electing a leader. */
	if (je == 0 || je == JSClusterNoPeersErr ||
	    je == JSClusterNotAvailErr || je == JSClusterNotLeaderErr)
		return -2;
	return -1;
}

void
natsio_hook_add(int (*fn)(void *), void *arg)
{
	if (natsio_nhooks == natsio_hookcap) {
		natsio_hookcap = natsio_hookcap ? 2 * natsio_hookcap : 8;
		natsio_hooks = xreallocarray(natsio_hooks,
		    (size_t)natsio_hookcap, sizeof(*natsio_hooks));
	}
	natsio_hooks[natsio_nhooks].fn = fn;
	natsio_hooks[natsio_nhooks].arg = arg;
	natsio_nhooks++;
}

void
natsio_hook_del(void *arg)
{
	int i, j = 0;

	for (i = 0; i < natsio_nhooks; i++)
		if (natsio_hooks[i].arg != arg)
			natsio_hooks[j++] = natsio_hooks[i];
	natsio_nhooks = j;
	/* The array is this thread's: freed with its last hook, since a
	 * stage thread of evpipe(1) ends and its thread-local pointer with
	 * it. */
	if (natsio_nhooks == 0) {
		free(natsio_hooks);
		natsio_hooks = NULL;
		natsio_hookcap = 0;
	}
}

void
natsio_hooks_fail(void)
{
	natsio_failed = true;
}

int
natsio_hooks_run(void)
{
	int i, rc = natsio_failed ? -1 : 0;

	for (i = 0; i < natsio_nhooks; i++)
		if (natsio_hooks[i].fn(natsio_hooks[i].arg) != 0)
			rc = -1;
	return rc;
}
