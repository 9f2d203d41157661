/* dpi.c - application protocols by nDPI (include/dpi.h).
 *
 * Flows sit in one array of slots found through a chained hash of
 * indices, on one least-recently-seen list (head = oldest). A slot keeps
 * its nDPI state only while the flow is undecided; a decided flow keeps
 * its fields as ready JSON text, so the per-packet cost after detection
 * is one hash lookup. Handles carry a generation so that a slot reused by
 * another flow is never mistaken for the old one.
 *
 * nDPI's headers use GNU variadic macros: the Makefile compiles this file
 * with -Wno-variadic-macros (and only this file).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ndpi_api.h"

#include "dpi.h"
#include "evkeys.h"
#include "sbuf.h"
#include "xalloc.h"

/* When nDPI's reader stops feeding an undecided flow (its defaults). */
#define DPI_MAX_TCP_PKTS	80
#define DPI_MAX_UDP_PKTS	24
#define DPI_TH_FIN	0x01
#define DPI_TH_RST	0x04

/* Both endpoints, lower (address, port) first, so either direction of a
 * flow gives the same key. Zeroed whole before filling: compared and
 * hashed as bytes. */
struct dpi_key {
	uint8_t		 a[2][16];
	uint16_t	 port[2];
	uint16_t	 vlan;
	uint8_t		 proto;
	uint8_t		 ipver;
};

_Static_assert(sizeof(struct dpi_key) == 40, "dpi_key is hashed as 5 words");

struct dpi_ent {
	struct dpi_key	 k;
	uint32_t	 hnext;		/* hash chain or free list, index+1 */
	uint32_t	 prev, next;	/* LRU list, index+1 */
	uint32_t	 gen;		/* bumped at every reuse */
	uint32_t	 pkts;		/* packets fed to nDPI */
	uint64_t	 last_ms;
	struct ndpi_flow_struct *nf;	/* while undecided */
	char		*fields;	/* once known */
	size_t		 flen;
	uint64_t	 sig;		/* what the fields were made from */
	bool		 used, decided;
};

struct dpi {
	struct ndpi_detection_module_struct *mod;
	struct dpi_ent	*e;
	uint32_t	 n, cap, max;	/* slots handed out, allocated, cap */
	uint32_t	*tab;		/* buckets, index+1; as many as slots
					   (small while few flows: cached) */
	uint32_t	 tmask;
	uint32_t	 freel;		/* free slots, index+1 */
	uint32_t	 head, tail;	/* LRU, index+1 */
	uint32_t	 last;		/* the flow of the previous packet */
	uint64_t	 idle_ms, now;
	struct sbuf	 b;
	struct dpi_stats st;
};

struct dpi *
dpi_new(const struct dpi_conf *c, char *err, size_t errsz)
{
	NDPI_PROTOCOL_BITMASK all;
	struct dpi *x;
	size_t max = c && c->max_flows ? c->max_flows : DPI_MAX_FLOWS;
	uint32_t ts;

	if (max > (1u << 30))
		max = 1u << 30;
	x = xcalloc(1, sizeof(*x));
	x->mod = ndpi_init_detection_module(ndpi_no_prefs);
	if (x->mod == NULL) {
		if (errsz)
			snprintf(err, errsz, "nDPI: cannot initialise");
		free(x);
		return NULL;
	}
	NDPI_BITMASK_SET_ALL(all);
	ndpi_set_protocol_detection_bitmask2(x->mod, &all);
	ndpi_finalize_initialization(x->mod);
	x->max = (uint32_t)max;
	x->idle_ms = c && c->idle_ms ? c->idle_ms : DPI_IDLE_MS;
	x->cap = x->max < 1024 ? x->max : 1024;
	x->e = xreallocarray(NULL, x->cap, sizeof(*x->e));
	for (ts = 16; ts < x->cap; ts *= 2)
		;
	x->tab = xcalloc(ts, sizeof(*x->tab));
	x->tmask = ts - 1;
	return x;
}

static void
dpi_release(struct dpi *x, struct dpi_ent *e)
{
	if (e->nf != NULL) {
		ndpi_flow_free(e->nf);
		e->nf = NULL;
		x->st.states--;
	}
	free(e->fields);
	e->fields = NULL;
	e->flen = 0;
}

void
dpi_destroy(struct dpi **dp)
{
	struct dpi *x = *dp;
	uint32_t i;

	if (x == NULL)
		return;
	for (i = 0; i < x->n; i++)
		if (x->e[i].used)
			dpi_release(x, &x->e[i]);
	ndpi_exit_detection_module(x->mod);
	free(x->e);
	free(x->tab);
	sbuf_free(&x->b);
	free(x);
	*dp = NULL;
}

static uint32_t
dpi_hash(const struct dpi_key *k)
{
	uint64_t w[5], h = 0x9e3779b97f4a7c15ULL;
	int i;

	memcpy(w, k, sizeof(w));
	for (i = 0; i < 5; i++)
		h = (h ^ w[i]) * 0xff51afd7ed558ccdULL;
	return (uint32_t)(h >> 32 ^ h);
}

/* The flow key of d; false when d has no flow DPI can follow. */
static bool
dpi_key_of(const struct pktdec *d, struct dpi_key *k)
{
	size_t alen = d->ipver == 4 ? 4 : 16;
	int c;

	if (d->layer < PKTDEC_L_NET || d->l3 == NULL ||
	    (d->frag && d->frag_off != 0))
		return false;
	memset(k, 0, sizeof(*k));
	k->ipver = d->ipver;
	k->proto = d->proto;
	k->vlan = d->nvlan ? d->vlan[0] : 0;
	c = memcmp(d->src, d->dst, alen);
	if (c == 0 && d->has_ports)
		c = d->sport < d->dport ? -1 : d->sport > d->dport;
	memcpy(k->a[c <= 0 ? 0 : 1], d->src, alen);
	memcpy(k->a[c <= 0 ? 1 : 0], d->dst, alen);
	if (d->has_ports) {
		k->port[c <= 0 ? 0 : 1] = d->sport;
		k->port[c <= 0 ? 1 : 0] = d->dport;
	}
	return true;
}

static void
dpi_lru_unlink(struct dpi *x, uint32_t i)
{
	struct dpi_ent *e = &x->e[i - 1];

	if (e->prev)
		x->e[e->prev - 1].next = e->next;
	else
		x->head = e->next;
	if (e->next)
		x->e[e->next - 1].prev = e->prev;
	else
		x->tail = e->prev;
	e->prev = e->next = 0;
}

static void
dpi_lru_append(struct dpi *x, uint32_t i)
{
	struct dpi_ent *e = &x->e[i - 1];

	e->prev = x->tail;
	e->next = 0;
	if (x->tail)
		x->e[x->tail - 1].next = i;
	else
		x->head = i;
	x->tail = i;
}

/* Takes slot i (index+1) out of the table and onto the free list. */
static void
dpi_remove(struct dpi *x, uint32_t i)
{
	struct dpi_ent *e = &x->e[i - 1];
	uint32_t *pp = &x->tab[dpi_hash(&e->k) & x->tmask];

	while (*pp != i)
		pp = &x->e[*pp - 1].hnext;
	*pp = e->hnext;
	dpi_lru_unlink(x, i);
	dpi_release(x, e);
	e->used = false;
	e->hnext = x->freel;
	x->freel = i;
	x->st.active--;
}

static void	dpi_decide(struct dpi *, struct dpi_ent *, ndpi_protocol);

/* An idle undecided flow is given up on (nDPI's guess, its state freed)
 * and kept one more idle period, so that the slices still open for it
 * get the guess; an idle decided flow goes. */
static void
dpi_expire(struct dpi *x)
{
	struct dpi_ent *e;
	uint32_t i;

	while ((i = x->head) != 0 &&
	    (e = &x->e[i - 1])->last_ms + x->idle_ms < x->now) {
		if (e->decided) {
			dpi_remove(x, i);
			x->st.expired++;
			continue;
		}
		dpi_decide(x, e, (ndpi_protocol){ 0 });
		e->last_ms = x->now;
		dpi_lru_unlink(x, i);
		dpi_lru_append(x, i);
	}
}

/* Grows the buckets to the slots' number and puts every flow back. */
static void
dpi_rehash(struct dpi *x)
{
	uint32_t ts = x->tmask + 1, i, b;

	if (ts >= x->cap)
		return;
	while (ts < x->cap)
		ts *= 2;
	free(x->tab);
	x->tab = xcalloc(ts, sizeof(*x->tab));
	x->tmask = ts - 1;
	for (i = 1; i <= x->n; i++) {
		if (!x->e[i - 1].used)
			continue;
		b = dpi_hash(&x->e[i - 1].k) & x->tmask;
		x->e[i - 1].hnext = x->tab[b];
		x->tab[b] = i;
	}
}

/* A free slot (index+1), evicting the oldest flow when full. */
static uint32_t
dpi_slot(struct dpi *x)
{
	uint32_t i;

	if (x->freel == 0 && x->n == x->max) {
		dpi_remove(x, x->head);
		x->st.evicted++;
	}
	if ((i = x->freel) != 0) {
		x->freel = x->e[i - 1].hnext;
		return i;
	}
	if (x->n == x->cap) {
		x->cap = x->cap > x->max / 2 ? x->max : x->cap * 2;
		x->e = xreallocarray(x->e, x->cap, sizeof(*x->e));
		dpi_rehash(x);
	}
	memset(&x->e[x->n], 0, sizeof(x->e[x->n]));
	return ++x->n;
}

static uint32_t
dpi_insert(struct dpi *x, const struct dpi_key *k, uint32_t h)
{
	uint32_t i = dpi_slot(x);
	struct dpi_ent *e = &x->e[i - 1];

	e->k = *k;
	e->gen++;
	e->pkts = 0;
	e->decided = false;
	e->used = true;
	e->hnext = x->tab[h & x->tmask];
	x->tab[h & x->tmask] = i;
	dpi_lru_append(x, i);
	if ((e->nf = ndpi_flow_malloc(SIZEOF_FLOW_STRUCT)) == NULL)
		abort();
	memset(e->nf, 0, SIZEOF_FLOW_STRUCT);
	x->st.states++;
	if (x->st.states > x->st.max_states)
		x->st.max_states = x->st.states;
	x->st.flows++;
	x->st.active++;
	if (x->st.active > x->st.max_active)
		x->st.max_active = x->st.active;
	return i;
}

/* Appends ,"KEY":"value" when value is not empty. The value comes from
 * packet payload: a byte that is not UTF-8 becomes U+FFFD. */
static void
dpi_str(struct sbuf *b, const char *key, const char *v)
{
	if (v == NULL || v[0] == '\0')
		return;
	sbuf_addc(b, ',');
	sbuf_add_jstr(b, key, strlen(key));
	sbuf_addc(b, ':');
	sbuf_add_jstr_utf8(b, v, strnlen(v, 4096));
}

/* nDPI keeps the URL as host and path together; nProbe's HTTP_URL is
 * the path. */
static const char *
dpi_path(const struct ndpi_flow_struct *nf)
{
	const char *u = nf->http.url;
	size_t n = strnlen(nf->host_server_name,
	    sizeof(nf->host_server_name));

	if (u != NULL && n > 0 && strncmp(u, nf->host_server_name, n) == 0 &&
	    u[n] == '/')
		return u + n;
	return u;
}

static bool
dpi_is(ndpi_protocol p, uint16_t id)
{
	return p.app_protocol == id || p.master_protocol == id;
}

/* The flow's fields from nDPI's state nf and result p. */
static void
dpi_format(struct dpi *x, const struct ndpi_flow_struct *nf, ndpi_protocol p)
{
	struct sbuf *b = &x->b;
	char buf[128];

	sbuf_reset(b);
	dpi_str(b, EVK_L7_PROTO, ndpi_protocol2id(x->mod, p, buf, sizeof(buf)));
	dpi_str(b, EVK_L7_PROTO_NAME, ndpi_protocol2name(x->mod, p, buf,
	    sizeof(buf)));
	dpi_str(b, EVK_L7_CATEGORY, ndpi_category_get_name(x->mod, p.category));
	if (dpi_is(p, NDPI_PROTOCOL_DNS))
		dpi_str(b, EVK_DNS_QUERY, nf->host_server_name);
	if (dpi_is(p, NDPI_PROTOCOL_HTTP)) {
		dpi_str(b, EVK_HTTP_HOST, nf->host_server_name);
		dpi_str(b, EVK_HTTP_URL, dpi_path(nf));
	}
	/* The TLS members of nDPI's protocol union are only valid for TLS
	 * and QUIC flows. */
	if (dpi_is(p, NDPI_PROTOCOL_TLS) || dpi_is(p, NDPI_PROTOCOL_QUIC)) {
		dpi_str(b, EVK_TLS_SERVER_NAME, nf->host_server_name);
		dpi_str(b, EVK_JA3C_HASH, nf->protos.tls_quic.ja3_client);
	}
}

/* Sets e's fields to what x->b holds, if they differ. */
static void
dpi_keep(struct dpi *x, struct dpi_ent *e)
{
	if (e->fields != NULL && e->flen == x->b.len &&
	    memcmp(e->fields, x->b.p, e->flen) == 0)
		return;
	free(e->fields);
	e->fields = xreallocarray(NULL, x->b.len + 1, 1);
	memcpy(e->fields, x->b.p, x->b.len + 1);
	e->flen = x->b.len;
}

/* Ends detection of e with result p (nDPI's guess if p is unknown): the
 * fields are kept, the nDPI state freed. */
static void
dpi_decide(struct dpi *x, struct dpi_ent *e, ndpi_protocol p)
{
	uint8_t guessed = 0;

	if (p.app_protocol == NDPI_PROTOCOL_UNKNOWN) {
		p = ndpi_detection_giveup(x->mod, e->nf, 1, &guessed);
		x->st.guessed++;
		if (p.app_protocol == NDPI_PROTOCOL_UNKNOWN &&
		    p.master_protocol == NDPI_PROTOCOL_UNKNOWN)
			x->st.unknown++;
	} else
		x->st.detected++;
	dpi_format(x, e->nf, p);
	dpi_keep(x, e);
	e->decided = true;
	ndpi_flow_free(e->nf);
	e->nf = NULL;
	x->st.states--;
}

static uint64_t
dpi_fnv(uint64_t h, const char *s, size_t max)
{
	size_t i;

	for (i = 0; s != NULL && i < max && s[i] != '\0'; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return (h ^ 0xff) * 0x100000001b3ULL;
}

/* A digest of what dpi_format() reads from nf and p. */
static uint64_t
dpi_sig(const struct ndpi_flow_struct *nf, ndpi_protocol p)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	h = (h ^ p.master_protocol) * 0x100000001b3ULL;
	h = (h ^ p.app_protocol) * 0x100000001b3ULL;
	h = (h ^ (uint64_t)p.category) * 0x100000001b3ULL;
	h = dpi_fnv(h, nf->host_server_name, sizeof(nf->host_server_name));
	h = dpi_fnv(h, nf->http.url, 4096);
	if (dpi_is(p, NDPI_PROTOCOL_TLS) || dpi_is(p, NDPI_PROTOCOL_QUIC))
		h = dpi_fnv(h, nf->protos.tls_quic.ja3_client,
		    sizeof(nf->protos.tls_quic.ja3_client));
	return h;
}

/* One packet of undecided flow e, as nDPI's reader feeds it. */
static void
dpi_feed(struct dpi *x, struct dpi_ent *e, const struct pktdec *d,
    uint64_t ms)
{
	size_t len = d->l3len, ipl;
	ndpi_protocol p;
	bool enough, ending;

	/* The IP length, not the link's padding after it. */
	if (d->ipver == 4 && len >= 4)
		ipl = (size_t)d->l3[2] << 8 | d->l3[3];
	else if (d->ipver == 6 && len >= 6)
		ipl = 40 + ((size_t)d->l3[4] << 8 | d->l3[5]);
	else
		ipl = len;
	if (ipl < len)
		len = ipl;
	if (len > 65535)
		len = 65535;
	p = ndpi_detection_process_packet(x->mod, e->nf, d->l3,
	    (unsigned short)len, ms);
	x->st.dpi_packets++;
	e->pkts++;
	enough = (d->proto == 6 && e->pkts > DPI_MAX_TCP_PKTS) ||
	    (d->proto == 17 && e->pkts > DPI_MAX_UDP_PKTS);
	ending = d->proto == 6 && d->has_flags &&
	    (d->tcp_flags & (DPI_TH_FIN | DPI_TH_RST));
	if (!enough && !ending && p.app_protocol == NDPI_PROTOCOL_UNKNOWN)
		return;
	if (!enough && !ending &&
	    ndpi_extra_dissection_possible(x->mod, e->nf)) {
		/* Known already: the packets from here on say so, while nDPI
		 * completes what it collects (a DNS answer, a certificate).
		 * The text is made again only when its sources changed. */
		uint64_t sig = dpi_sig(e->nf, p);

		if (e->fields == NULL || sig != e->sig) {
			dpi_format(x, e->nf, p);
			dpi_keep(x, e);
			e->sig = sig;
		}
		return;
	}
	dpi_decide(x, e, p);
}

uint64_t
dpi_packet(struct dpi *x, const struct pktdec *d, uint64_t ms)
{
	struct dpi_key k;
	struct dpi_ent *e;
	uint32_t h, i;

	if (!dpi_key_of(d, &k))
		return 0;
	if (ms > x->now) {
		x->now = ms;
		dpi_expire(x);
	}
	/* Packets come in runs of one flow: try the last one first. */
	if ((i = x->last) == 0 || !x->e[i - 1].used ||
	    memcmp(&x->e[i - 1].k, &k, sizeof(k)) != 0) {
		h = dpi_hash(&k);
		for (i = x->tab[h & x->tmask]; i != 0; i = x->e[i - 1].hnext)
			if (memcmp(&x->e[i - 1].k, &k, sizeof(k)) == 0)
				break;
		if (i == 0)
			i = dpi_insert(x, &k, h);
	}
	x->last = i;
	if (i != x->tail) {
		dpi_lru_unlink(x, i);
		dpi_lru_append(x, i);
	}
	e = &x->e[i - 1];
	e->last_ms = x->now;
	if (!e->decided)
		dpi_feed(x, e, d, ms);
	return (uint64_t)e->gen << 32 | i;
}

const char *
dpi_fields(const struct dpi *x, uint64_t h, size_t *len)
{
	uint32_t i = (uint32_t)h;
	const struct dpi_ent *e;

	if (i == 0 || i > x->n)
		return NULL;
	e = &x->e[i - 1];
	if (!e->used || e->fields == NULL || e->gen != (uint32_t)(h >> 32))
		return NULL;
	*len = e->flen;
	return e->fields;
}

void
dpi_giveup_all(struct dpi *x)
{
	uint32_t i;

	for (i = x->head; i != 0; i = x->e[i - 1].next) {
		struct dpi_ent *e = &x->e[i - 1];

		if (e->decided)
			continue;
		dpi_decide(x, e, (ndpi_protocol){ 0 });
	}
}

const struct dpi_stats *
dpi_stats(const struct dpi *x)
{
	return &x->st;
}
