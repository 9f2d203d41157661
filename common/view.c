/* view.c - ev-show's model fed by records (include/view.h): the record
 * keys it reads, interfaces, events, listening sockets, counters. The
 * clock and rates are viewclock.c, flows viewflow.c, the tables viewcols.c
 * and viewrows.c, the text viewtext.c; all share include/viewint.h.
 *
 * Implements the reading side of the record contract (man/evpipe.7):
 * flow-agg's "flow" and "iface" records, zmq-ingest's "event" records
 * (both producer dialects, doc/wire-format.md) and pcap-ingest's "packet"
 * records. Every key name ev-show reads is in view_keyname[] below and
 * nowhere else.
 */

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evfields.h"
#include "evkeys.h"
#include "record.h"
#include "stats.h"
#include "sbuf.h"
#include "view.h"
#include "viewint.h"

static const char *const view_keyname[K_NKEYS] = {
	[K_TYPE] = EVK_TYPE, [K_IFACE] = EVK_IFACE, [K_FROM] = EVK_FROM,
	[K_EVENT] = EVK_EVENT, [K_TOPIC] = EVK_TOPIC, [K_RX] = EVK_RX,
	[K_TIMESTAMP] = EVK_TIMESTAMP,
	[K_V4SRC] = EVK_IPV4_SRC_ADDR, [K_V4DST] = EVK_IPV4_DST_ADDR,
	[K_V6SRC] = EVK_IPV6_SRC_ADDR, [K_V6DST] = EVK_IPV6_DST_ADDR,
	[K_SPORT] = EVK_L4_SRC_PORT, [K_DPORT] = EVK_L4_DST_PORT,
	[K_V4LOC] = EVK_IPV4_LOCAL_ADDR, [K_V4REM] = EVK_IPV4_REMOTE_ADDR,
	[K_V6LOC] = EVK_IPV6_LOCAL_ADDR, [K_V6REM] = EVK_IPV6_REMOTE_ADDR,
	[K_LPORT] = EVK_L4_LOCAL_PORT, [K_RPORT] = EVK_L4_REMOTE_PORT,
	[K_PROTO] = EVK_PROTOCOL, [K_VLAN] = EVK_VLAN_ID,
	[K_INPKTS] = EVK_IN_PKTS, [K_INBYTES] = EVK_IN_BYTES,
	[K_OUTPKTS] = EVK_OUT_PKTS, [K_OUTBYTES] = EVK_OUT_BYTES,
	[K_FIRST] = EVK_FIRST_SWITCHED, [K_LAST] = EVK_LAST_SWITCHED,
	[K_PKTS] = EVK_PKTS, [K_BYTES] = EVK_BYTES,
	[K_SPID] = EVK_SRC_PROC_PID, [K_SNAME] = EVK_SRC_PROC_NAME,
	[K_SUID] = EVK_SRC_PROC_UID, [K_SUSER] = EVK_SRC_PROC_USER_NAME,
	[K_SPPID] = EVK_SRC_FATHER_PROC_PID,
	[K_SPNAME] = EVK_SRC_FATHER_PROC_NAME, [K_SCMD] = EVK_SRC_PROC_CMDLINE,
	[K_SCID] = EVK_SRC_PROC_CONTAINER_ID,
	[K_SCNAME] = EVK_SRC_PROC_CONTAINER_NAME,
	[K_SPOD] = EVK_SRC_PROC_CONTAINER_POD,
	[K_SNS] = EVK_SRC_PROC_CONTAINER_NS,
	[K_DPID] = EVK_DST_PROC_PID, [K_DNAME] = EVK_DST_PROC_NAME,
	[K_DUID] = EVK_DST_PROC_UID, [K_DUSER] = EVK_DST_PROC_USER_NAME,
	[K_DPPID] = EVK_DST_FATHER_PROC_PID,
	[K_DPNAME] = EVK_DST_FATHER_PROC_NAME, [K_DCMD] = EVK_DST_PROC_CMDLINE,
	[K_DCID] = EVK_DST_PROC_CONTAINER_ID,
	[K_DCNAME] = EVK_DST_PROC_CONTAINER_NAME,
	[K_DPOD] = EVK_DST_PROC_CONTAINER_POD,
	[K_DNS] = EVK_DST_PROC_CONTAINER_NS,
	[K_CLAT] = EVK_CLIENT_NW_LATENCY_MS,
	[K_SLAT] = EVK_SERVER_NW_LATENCY_MS,
	[K_ENDREASON] = EVK_FLOW_END_REASON, [K_TCPSTATE] = EVK_TCP_CONN_STATE,
	[K_FSTART] = EVK_FLOW_START_SEC, [K_FEND] = EVK_FLOW_END_SEC,
	[K_EVONLY] = EVK_FLOW_EVENT_ONLY,
	[K_INTERFACE_NAME] = EVK_INTERFACE_NAME, [K_IF_NAME] = EVK_IF_NAME,
	[K_TCPEV] = EVK_TCP_EVENT_TYPE, [K_UDPEV] = EVK_UDP_EVENT_TYPE,
	[K_LPROC] = EVK_LOCAL_PROCESS, [K_LFATHER] = EVK_LOCAL_FATHER_PROCESS,
	[K_LCONT] = EVK_LOCAL_CONTAINER, [K_NWLAT] = EVK_NW_LATENCY_MS,
	[K_TCP] = EVK_TCP, [K_LISTENING] = EVK_LISTENING_PORTS,
	[K_IPADDRS] = EVK_IP_ADDRESSES, [K_EXPORTER] = EVK_EXPORTER_IPV4_ADDRESS,
	[K_CIFNAME] = EVK_IFNAME, [K_CINOCT] = EVK_IFINOCTETS,
	[K_CINPKT] = EVK_IFINPACKETS, [K_CINERR] = EVK_IFINERRORS,
	[K_COUTOCT] = EVK_IFOUTOCTETS, [K_COUTPKT] = EVK_IFOUTPACKETS,
	[K_COUTERR] = EVK_IFOUTERRORS,
	[K_IFPACKETS] = EVK_PACKETS, [K_IFEVENTS] = EVK_EVENTS,
	[K_IFACTIVE] = EVK_FLOWS_ACTIVE, [K_IFEXPIRED] = EVK_FLOWS_EXPIRED,
	[K_IFCOUNTERS] = EVK_IF_COUNTERS, [K_IFLISTEN] = EVK_LISTENING,
	[K_FLOWEVENTS] = EVK_FLOW_EVENTS, [K_L7ID] = EVK_L7_PROTO,
	[K_L7NAME] = EVK_L7_PROTO_NAME, [K_L7CAT] = EVK_L7_CATEGORY,
	[K_DNSQ] = EVK_DNS_QUERY, [K_HTTPHOST] = EVK_HTTP_HOST,
	[K_HTTPURL] = EVK_HTTP_URL, [K_TLSSNI] = EVK_TLS_SERVER_NAME,
	[K_JA3C] = EVK_JA3C_HASH,
};

static uint32_t
view_hashkey(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

struct view *
view_new(const struct view_conf *c, struct stats *st)
{
	struct view *v = xcalloc(1, sizeof(*v));
	size_t i;
	int k;

	if (c != NULL)
		v->conf = *c;
	if (v->conf.max_flows == 0)
		v->conf.max_flows = 65536;
	if (v->conf.max_events == 0)
		v->conf.max_events = 1000;
	if (!(v->conf.rate_window >= 1))
		v->conf.rate_window = 5;
	v->st = st;
	record_init(&v->rec);
	record_init(&v->sub);
	record_init(&v->sub2);
	record_init(&v->sub3);
	record_init(&v->sub4);
	memset(v->keyslot, 0xff, sizeof(v->keyslot));
	for (k = 0; k < K_NKEYS; k++) {
		const char *name = view_keyname[k];
		uint32_t h = view_hashkey(name, strlen(name)) % VKEY_SLOTS;

		while (v->keyslot[h] != -1)
			h = (h + 1) % VKEY_SLOTS;
		v->keyslot[h] = (int16_t)k;
		v->keylen[k] = (uint8_t)strlen(name);
	}
	v->hsize = 1024;
	v->htab = xcalloc(v->hsize, sizeof(*v->htab));
	v->ptsize = 256;
	v->ptab = xcalloc(v->ptsize, sizeof(*v->ptab));
	v->evs = xcalloc(v->conf.max_events, sizeof(*v->evs));
	for (i = 0; i < VIEW_NKINDS; i++) {
		v->sortcol[i] = view_def[i].sort;
		v->sortdesc[i] = view_def[i].desc;
	}
	v->c_records = stats_ctr(st, "records_in");
	v->c_flow = stats_ctr(st, "flow_records");
	v->c_iface = stats_ctr(st, "iface_records");
	v->c_event = stats_ctr(st, "event_records");
	v->c_packet = stats_ctr(st, "packet_records");
	v->c_other = stats_ctr(st, "other_records");
	badline_init(&v->bad, st);
	v->c_badfield = stats_ctr(st, "bad_field");
	v->c_evicted = stats_ctr(st, "flows_evicted");
	v->c_expired = stats_ctr(st, "flows_expired");
	v->c_overlong = stats_ctr(st, "overlong_lines");
	return v;
}

void
view_destroy(struct view **vp)
{
	struct view *v = *vp;
	struct vflow *f, *fn;
	size_t i;
	int k;

	if (v == NULL)
		return;
	for (f = v->lru_head; f != NULL; f = fn) {
		fn = f->lnext;
		free(f->app);
		free(f);
	}
	for (i = 0; i < v->ptsize; i++) {
		struct vpnode *n, *nn;

		for (n = v->ptab[i]; n != NULL; n = nn) {
			nn = n->hnext;
			free(n);
		}
	}
	free(v->ptab);
	free(v->htab);
	free(v->ifs);
	free(v->ls);
	free(v->evs);
	free(v->drops);
	free(v->prows);
	free(v->phash);
	free(v->sortv);
	for (i = 0; i < v->caparows; i++)
		free(v->arows[i].procs);
	free(v->arows);
	for (k = 0; k < VIEW_NKINDS; k++)
		free(v->shown[k]);
	record_free(&v->rec);
	record_free(&v->sub);
	record_free(&v->sub2);
	record_free(&v->sub3);
	record_free(&v->sub4);
	free(v);
	*vp = NULL;
}

/* The index of interface name, created when new. */
static int
view_ifindex(struct view *v, const char *name)
{
	size_t i;

	for (i = 0; i < v->nifs; i++)
		if (strcmp(v->ifs[i].name, name) == 0)
			return (int)i;
	VIEW_GROW(v->ifs, v->capifs, v->nifs + 1);
	memset(&v->ifs[v->nifs], 0, sizeof(v->ifs[0]));
	view_cpy(v->ifs[v->nifs].name, IFLEN, name);
	v->ifs[v->nifs].seq = v->nifs;
	return (int)v->nifs++;
}

/* The enum vkey of key text, or -1. */
static int
view_keyof(const struct view *v, const char *key, size_t klen)
{
	uint32_t h = view_hashkey(key, klen) % VKEY_SLOTS;
	int k;

	while ((k = v->keyslot[h]) != -1) {
		if (v->keylen[k] == klen &&
		    memcmp(view_keyname[k], key, klen) == 0)
			return k;
		h = (h + 1) % VKEY_SLOTS;
	}
	return -1;
}

/* Fills fv[] with the first member of each known key, by name, else by
 * NetFlow field id. */
static void
view_classify(struct view *v, const struct record *r,
    const struct rec_field **fv)
{
	char kbuf[128];
	size_t i;
	bool ids = false;
	int k;

	memset(fv, 0, K_NKEYS * sizeof(*fv));
	for (i = 0; i < r->nf; i++) {
		const struct rec_field *f = &r->f[i];
		const char *key = f->key;
		size_t klen = f->klen;

		if (f->kesc) {
			struct rec_field kf = *f;
			int n;

			/* Decode the key as if it were a string value. */
			kf.kind = REC_STRING;
			kf.val = f->key - 1;
			kf.vlen = f->klen + 2;
			kf.vesc = true;
			if ((n = rec_str(&kf, kbuf, sizeof(kbuf))) < 0)
				continue;
			key = kbuf;
			klen = (size_t)n;
		}
		if (klen > 0 && klen < 4 && isdigit((unsigned char)key[0]))
			ids = true;
		if ((k = view_keyof(v, key, klen)) != -1 && fv[k] == NULL)
			fv[k] = f;
	}
	/* NetFlow field ids ("8" for IPV4_SRC_ADDR, as softflowd's
	 * exporters name them) stand for their names when the names are
	 * absent. */
	for (i = 0; ids && i < r->nf; i++) {
		const struct rec_field *f = &r->f[i];
		const char *name;
		char id[4];

		if (f->kesc || f->klen == 0 || f->klen > 3)
			continue;
		memcpy(id, f->key, f->klen);
		id[f->klen] = '\0';
		if (strspn(id, "0123456789") != f->klen ||
		    (name = evf_ie_name(atoi(id))) == NULL)
			continue;
		if ((k = view_keyof(v, name, strlen(name))) != -1 &&
		    fv[k] == NULL)
			fv[k] = f;
	}
}

/* The record's time: the producer's timestamp, else the receive time,
 * else a flow's last-seen time. */
static double
view_rectime(const struct rec_field **fv)
{
	double t;

	if ((t = view_time(fv[K_TIMESTAMP])) > 0)
		return t;
	if ((t = view_time(fv[K_RX])) > 0)
		return t;
	return view_time(fv[K_FEND] ? fv[K_FEND] : fv[K_LAST]);
}

/* Counter names that look like loss: shown in the header's drop line. */
static bool
view_is_dropname(const char *k, size_t n)
{
	static const char *const w[] = { "drop", "lost", "evict", "overflow" };
	char buf[64];
	size_t i;

	if (n >= sizeof(buf))
		return false;
	for (i = 0; i < n; i++)
		buf[i] = (char)tolower((unsigned char)k[i]);
	buf[n] = '\0';
	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (strstr(buf, w[i]) != NULL)
			return true;
	return false;
}

/* Remembers every numeric drop-like member of r, per interface. */
static void
view_scan_drops(struct view *v, const struct record *r, int iface)
{
	size_t i, j;

	for (i = 0; i < r->nf; i++) {
		const struct rec_field *f = &r->f[i];
		uint64_t val;

		if (f->kind != REC_NUMBER || f->kesc ||
		    !view_is_dropname(f->key, f->klen) ||
		    f->klen >= SHORTLEN || rec_u64(f, &val) != 0)
			continue;
		for (j = 0; j < v->ndrops; j++)
			if (v->drops[j].iface == iface &&
			    strlen(v->drops[j].name) == f->klen &&
			    memcmp(v->drops[j].name, f->key, f->klen) == 0)
				break;
		if (j == v->ndrops) {
			VIEW_GROW(v->drops, v->capdrops, v->ndrops + 1);
			memset(&v->drops[j], 0, sizeof(v->drops[j]));
			memcpy(v->drops[j].name, f->key, f->klen);
			v->drops[j].iface = iface;
			v->ndrops++;
		}
		v->drops[j].v = val;
	}
}

/* Reads a process object of an event: base data for the Events view. */
static void
view_evproc(struct view *v, const struct rec_field *f, char *path, size_t n)
{
	path[0] = '\0';
	if (record_sub(f, &v->sub) != REC_OK)
		return;
	view_str(record_get(&v->sub, EVK_PROCESS_PATH), path, n);
}

/* The first element of array a, when it is a plain string, into buf;
 * else "". */
static void
view_first_str(const struct rec_field *a, char *buf, size_t n)
{
	struct rec_field sf = { 0 };
	size_t pos = 1, end;

	buf[0] = '\0';
	if (a == NULL || a->kind != REC_ARRAY)
		return;
	json_skip_ws(a->val, a->vlen, &pos);
	if (pos >= a->vlen || a->val[pos] != '"')
		return;
	end = pos;
	if (json_skip_value(a->val, a->vlen, &end) != REC_OK)
		return;
	sf.kind = REC_STRING;
	sf.val = a->val + pos;
	sf.vlen = end - pos;
	sf.vesc = memchr(sf.val, '\\', sf.vlen) != NULL;
	view_str(&sf, buf, n);
}

/* A listening-ports snapshot (lf, with the host's addresses ips and the
 * exporter's address exp, either may be NULL) replaces the host's earlier
 * sockets. */
static void
view_listen(struct view *v, const struct rec_field *lf,
    const struct rec_field *ips, const struct rec_field *exp, int iface)
{
	static const char *const protos[] = { "tcp4", "udp4", "tcp6", "udp6" };
	char host[ADDRLEN];
	size_t i, j, pos;

	view_first_str(ips, host, sizeof(host));
	if (host[0] == '\0')
		view_str(exp, host, sizeof(host));
	if (host[0] == '\0')
		snprintf(host, sizeof(host), "-");

	for (i = j = 0; i < v->nls; i++)
		if (!(v->ls[i].iface == iface &&
		    strcmp(v->ls[i].host, host) == 0))
			v->ls[j++] = v->ls[i];
	v->nls = j;

	if (record_sub(lf, &v->sub) != REC_OK)
		return;
	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		const struct rec_field *a = record_get(&v->sub, protos[i]);

		if (a == NULL || a->kind != REC_ARRAY)
			continue;
		pos = 1;
		for (;;) {
			size_t start;
			struct vlisten *l;

			json_skip_ws(a->val, a->vlen, &pos);
			if (pos >= a->vlen || a->val[pos] == ']')
				break;
			if (a->val[pos] == ',') {
				pos++;
				continue;
			}
			start = pos;
			if (json_skip_value(a->val, a->vlen, &pos) != REC_OK)
				break;
			if (record_parse(&v->sub2, a->val + start,
			    pos - start) != REC_OK) {
				stats_bad(v->st, v->c_badfield, "listening",
				    "a listening socket that is not an object");
				continue;
			}
			VIEW_GROW(v->ls, v->capls, v->nls + 1);
			l = &v->ls[v->nls++];
			memset(l, 0, sizeof(*l));
			l->iface = iface;
			l->seq = v->seq++;
			view_cpy(l->host, sizeof(l->host), host);
			view_cpy(l->proto, sizeof(l->proto), protos[i]);
			l->port = (unsigned)view_i64(record_get(&v->sub2,
			    EVK_PORT), 0) & 0xffff;
			view_str(record_get(&v->sub2, EVK_PROC), l->proc,
			    sizeof(l->proc));
			view_str(record_get(&v->sub2, EVK_PKG), l->pkg,
			    sizeof(l->pkg));
		}
	}
}

/* Interface counters (a counters event's payload, r), on the row of the
 * interface they describe (ifName, else name), noting the interface they
 * came through. */
static void
view_counters(struct view *v, const struct record *r, int iface,
    char *name, size_t n)
{
	const char *const *k = view_keyname;
	struct viface *x;
	int i = iface;

	if (record_get(r, k[K_CIFNAME]) != NULL)
		view_str(record_get(r, k[K_CIFNAME]), name, n);
	if (name[0] != '\0')
		i = view_ifindex(v, name);
	x = &v->ifs[i];
	x->has_ctr = true;
	x->inoct = view_u64(record_get(r, k[K_CINOCT]));
	x->inpkt = view_u64(record_get(r, k[K_CINPKT]));
	x->outoct = view_u64(record_get(r, k[K_COUTOCT]));
	x->outpkt = view_u64(record_get(r, k[K_COUTPKT]));
	x->errs = view_u64(record_get(r, k[K_CINERR])) +
	    view_u64(record_get(r, k[K_COUTERR]));
	if (i != iface)
		view_cpy(x->via, sizeof(x->via), v->ifs[iface].name);
}

/* An event's two ends, in both dialects: SRC/DST (libebpfflow) or
 * LOCAL/REMOTE (nprobe_mini). */
static void
view_event_ends(struct vevent *e, const struct rec_field **fv)
{
	const struct rec_field *fs, *fd, *fsp, *fdp;
	char a[ADDRLEN];

	fs = fv[K_V4SRC] ? fv[K_V4SRC] : fv[K_V6SRC];
	fd = fv[K_V4DST] ? fv[K_V4DST] : fv[K_V6DST];
	fsp = fv[K_SPORT];
	fdp = fv[K_DPORT];
	if (fs == NULL && fd == NULL) {
		fs = fv[K_V4LOC] ? fv[K_V4LOC] : fv[K_V6LOC];
		fd = fv[K_V4REM] ? fv[K_V4REM] : fv[K_V6REM];
		fsp = fv[K_LPORT];
		fdp = fv[K_RPORT];
	}
	view_str(fs, a, sizeof(a));
	view_endpoint(e->src, sizeof(e->src), a, view_i64(fsp, -1));
	view_str(fd, a, sizeof(a));
	view_endpoint(e->dst, sizeof(e->dst), a, view_i64(fdp, -1));
}

static void
view_feed_event(struct view *v, const struct rec_field **fv, int iface,
    double t)
{
	struct vevent *e = &v->evs[v->evnext];
	struct viface *x;

	v->evnext = (v->evnext + 1) % v->conf.max_events;
	if (v->nevs < v->conf.max_events)
		v->nevs++;
	memset(e, 0, sizeof(*e));
	e->seq = v->seq++;
	/* Shown as the producer gave it ("-" without), not as stamped. */
	e->t = view_rectime(fv);
	e->iface = iface;
	e->proto = (int)view_i64(fv[K_PROTO], -1);
	view_str(fv[K_EVENT], e->kind, sizeof(e->kind));
	if (e->kind[0] == '\0')
		snprintf(e->kind, sizeof(e->kind), "-");
	if (fv[K_TCPEV])
		view_str(fv[K_TCPEV], e->type, sizeof(e->type));
	else if (fv[K_UDPEV])
		view_str(fv[K_UDPEV], e->type, sizeof(e->type));
	else if (fv[K_TCP] && record_sub(fv[K_TCP], &v->sub) == REC_OK)
		view_str(record_get(&v->sub, EVK_CONN_STATE), e->type,
		    sizeof(e->type));
	if (e->type[0] == '\0')
		view_str(fv[K_TOPIC], e->type, sizeof(e->type));
	if (e->type[0] == '\0')
		snprintf(e->type, sizeof(e->type), "-");

	view_event_ends(e, fv);
	if (fv[K_INTERFACE_NAME])
		view_str(fv[K_INTERFACE_NAME], e->ifname, sizeof(e->ifname));
	else
		view_str(fv[K_IF_NAME], e->ifname, sizeof(e->ifname));
	if (fv[K_LPROC])
		view_evproc(v, fv[K_LPROC], e->proc, sizeof(e->proc));

	x = &v->ifs[iface];
	x->events++;
	if (fv[K_FROM]) {
		char from[IFLEN];

		view_str(fv[K_FROM], from, sizeof(from));
		view_cpy(x->from, sizeof(x->from), from);
		/* A copy not addressed to this interface by name came by
		 * the companion rule (ev-route): the interface is a
		 * companion. */
		if (strcmp(e->ifname, x->name) == 0)
			x->ifname_target = true;
		else
			x->companion = x->mirrored = true;
	}

	if (fv[K_LISTENING]) {
		view_cpy(e->type, sizeof(e->type), "listening");
		view_listen(v, fv[K_LISTENING], fv[K_IPADDRS], fv[K_EXPORTER],
		    iface);
	} else if (fv[K_CIFNAME] || rec_streq(fv[K_EVENT], "counters")) {
		view_cpy(e->type, sizeof(e->type), "counters");
		e->ifname[0] = '\0';
		view_counters(v, &v->rec, iface, e->ifname, sizeof(e->ifname));
		view_cpy(e->src, sizeof(e->src), e->ifname[0] ?
		    e->ifname : "-");
	} else if (rec_streq(fv[K_EVENT], "other"))
		view_scan_drops(v, &v->rec, iface);
	if (fv[K_NWLAT] && fv[K_TCPEV]) {
		double lat = view_dbl(fv[K_NWLAT], -1);

		if (lat >= 0)
			snprintf(e->detail, sizeof(e->detail),
			    "latency %.3f ms", lat);
	}
	view_rate_add(v, t, 1, 0, 0, 0);
}

static void
view_feed_packet(struct view *v, const struct rec_field **fv, int iface,
    double t)
{
	uint64_t pk = fv[K_PKTS] ? view_u64(fv[K_PKTS]) : 1;
	uint64_t by = view_u64(fv[K_BYTES]);

	v->ifs[iface].pkts += pk;
	v->ifs[iface].bytes += by;
	view_rate_add(v, t, 0, 0, pk, 0);
	view_packet_flow(v, fv, iface, t, pk, by);
}

static void
view_feed_iface(struct view *v, const struct rec_field **fv, int iface)
{
	struct viface *x = &v->ifs[iface];

	x->has_agg = true;
	if (fv[K_IFACTIVE] || fv[K_IFEXPIRED])
		x->aflows = view_u64(fv[K_IFACTIVE]) +
		    view_u64(fv[K_IFEXPIRED]);
	if (fv[K_IFPACKETS])
		x->apkts = view_u64(fv[K_IFPACKETS]);
	if (fv[K_BYTES])
		x->abytes = view_u64(fv[K_BYTES]);
	if (fv[K_IFEVENTS])
		x->aevents = view_u64(fv[K_IFEVENTS]);
	/* IF_COUNTERS: {"ifName": counters payload, ...}. */
	if (fv[K_IFCOUNTERS] &&
	    record_sub(fv[K_IFCOUNTERS], &v->sub3) == REC_OK) {
		size_t i;

		for (i = 0; i < v->sub3.nf; i++) {
			const struct rec_field *m = &v->sub3.f[i];
			struct rec_field kf = *m;
			char name[SHORTLEN];

			kf.kind = REC_STRING;
			kf.val = m->key - 1;
			kf.vlen = m->klen + 2;
			kf.vesc = m->kesc;
			view_str(&kf, name, sizeof(name));
			if (record_sub(m, &v->sub4) != REC_OK) {
				stats_bad(v->st, v->c_badfield, "iface",
				    "IF_COUNTERS member is not an object");
				continue;
			}
			view_counters(v, &v->sub4, iface, name, sizeof(name));
		}
	}
	/* LISTENING: [listening-ports payload, ...]. */
	if (fv[K_IFLISTEN] && fv[K_IFLISTEN]->kind == REC_ARRAY) {
		const struct rec_field *a = fv[K_IFLISTEN];
		size_t pos = 1, start;

		for (;;) {
			json_skip_ws(a->val, a->vlen, &pos);
			if (pos >= a->vlen || a->val[pos] == ']')
				break;
			if (a->val[pos] == ',') {
				pos++;
				continue;
			}
			start = pos;
			if (json_skip_value(a->val, a->vlen, &pos) != REC_OK)
				break;
			if (record_parse(&v->sub4, a->val + start,
			    pos - start) != REC_OK) {
				stats_bad(v->st, v->c_badfield, "iface",
				    "LISTENING element is not an object");
				continue;
			}
			view_listen(v, record_get(&v->sub4,
			    view_keyname[K_LISTENING]), record_get(&v->sub4,
			    view_keyname[K_IPADDRS]), record_get(&v->sub4,
			    view_keyname[K_EXPORTER]), iface);
		}
	}
	view_scan_drops(v, &v->rec, iface);
}

int
view_feed(struct view *v, const char *line, size_t len)
{
	const struct rec_field *fv[K_NKEYS];
	char ty[16], ifn[IFLEN];
	int e, iface;
	double t;

	(*v->c_records)++;
	if ((e = record_parse(&v->rec, line, len)) != REC_OK) {
		badline_count(&v->bad, e);
		return -1;
	}
	view_classify(v, &v->rec, fv);
	if (rec_str(fv[K_TYPE], ty, sizeof(ty)) < 0) {
		(*v->c_other)++;
		return 1;
	}
	view_str(fv[K_IFACE], ifn, sizeof(ifn));
	if (ifn[0] == '\0')
		snprintf(ifn, sizeof(ifn), "-");
	if (v->nifs == 0 || strcmp(v->ifs[v->nifs - 1].name, ifn) != 0)
		iface = view_ifindex(v, ifn);
	else
		iface = (int)v->nifs - 1;
	if (strcmp(ty, "flow") != 0 && strcmp(ty, "event") != 0 &&
	    strcmp(ty, "packet") != 0 && strcmp(ty, "iface") != 0) {
		(*v->c_other)++;
		return 1;
	}
	t = view_stamp(v, view_rectime(fv));
	v->fed++;
	v->gen++;

	if (strcmp(ty, "flow") == 0) {
		(*v->c_flow)++;
		v->ifs[iface].records++;
		if (view_feed_flow(v, fv, iface, t) == -1)
			return -1;
		return 0;
	}
	if (strcmp(ty, "event") == 0) {
		(*v->c_event)++;
		v->ifs[iface].records++;
		view_feed_event(v, fv, iface, t);
		return 0;
	}
	if (strcmp(ty, "packet") == 0) {
		(*v->c_packet)++;
		v->ifs[iface].records++;
		view_feed_packet(v, fv, iface, t);
		return 0;
	}
	(*v->c_iface)++;
	view_feed_iface(v, fv, iface);
	return 0;
}

void
view_count_overlong(struct view *v, uint64_t n)
{
	*v->c_overlong = n;
}
