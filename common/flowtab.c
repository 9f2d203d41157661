/* flowtab.c - the flow table (include/flowtab.h; doc/design.md "The
 * stages", flow-agg).
 *
 * Invariants: index 0 names no flow, process or socket record, so 0 is
 * "none" everywhere. A flow is in exactly one hash chain and exactly one
 * LRU list while it is alive; a freed flow is on the free list only
 * (linked through hnext). Lists are ordered by the time of the last touch,
 * which is record time, so the head is the flow idle longest (records
 * arriving out of order can make this approximate, never wrong about
 * which flows exist).
 *
 * The interned process blocks, the socket records and the application
 * fields are in common/flowtabproc.c.
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "flowtab.h"
#include "flowtabint.h"
#include "sbuf.h"
#include "xalloc.h"

static void	ft_l7_free(struct flow *);

static struct flow *
ft_at(const struct flowtab *ft, uint32_t i)
{
	return &ft->chunk[i >> FT_CHUNK_SHIFT][i & (FT_CHUNK - 1)];
}

static uint32_t
ft_index(const struct flowtab *ft, const struct flow *f)
{
	size_t c;

	/* Flows carry no index of their own (to stay small): find the chunk.
	 * Only reached when ft_idx below fails, which would be a bug. */
	for (c = 0; c < ft->nchunk; c++)
		if (f >= ft->chunk[c] && f < ft->chunk[c] + FT_CHUNK)
			return (uint32_t)((c << FT_CHUNK_SHIFT) +
			    (size_t)(f - ft->chunk[c]));
	errx(1, "flowtab: foreign flow pointer");
}

static uint64_t
ft_rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* One endpoint of k (address and port), hashed on its own. */
static uint64_t
ft_ephash(const struct flowtab_key *k, int side)
{
	uint64_t h = 0x2545f4914f6cdd1dULL;

	h = ft_mix(h, ft_rd64(k->addr[side]));
	h = ft_mix(h, ft_rd64(k->addr[side] + 8) ^ k->port[side]);
	return h;
}

/* The same value for k and for k with its sides swapped: the endpoints'
 * hashes are added, which does not depend on their order. */
static uint32_t
ft_hash(const struct flowtab_key *k)
{
	uint64_t h = ft_ephash(k, 0) + ft_ephash(k, 1);

	h = ft_mix(h, (uint64_t)k->proto << 48 | (uint64_t)k->family << 40 |
	    (uint64_t)k->vlan << 16 | k->iface);
	return (uint32_t)(h ^ (h >> 32));
}

/* -1 if a and b are different flows, else the direction of b in a. */
static int
ft_keymatch(const struct flowtab_key *a, const struct flowtab_key *b)
{
	if (a->proto != b->proto || a->family != b->family ||
	    a->vlan != b->vlan || a->iface != b->iface)
		return -1;
	if (a->port[0] == b->port[0] && a->port[1] == b->port[1] &&
	    memcmp(a->addr[0], b->addr[0], 16) == 0 &&
	    memcmp(a->addr[1], b->addr[1], 16) == 0)
		return 0;
	if (a->port[0] == b->port[1] && a->port[1] == b->port[0] &&
	    memcmp(a->addr[0], b->addr[1], 16) == 0 &&
	    memcmp(a->addr[1], b->addr[0], 16) == 0)
		return 1;
	return -1;
}

struct flowtab *
flowtab_new(const struct flowtab_conf *conf, flowtab_emit_fn emit, void *arg)
{
	struct flowtab *ft;

	ft = xcalloc(1, sizeof(*ft));
	ft->conf = *conf;
	ft->emit = emit;
	ft->arg = arg;
	ft->nalloc = 1;
	ft->nbucket = 1024;
	ft->bucket = xcalloc(ft->nbucket, sizeof(*ft->bucket));
	ft->npbucket = 256;
	ft->pbucket = xcalloc(ft->npbucket, sizeof(*ft->pbucket));
	ft->nproc = 1;
	ft->capproc = 64;
	ft->proc = xcalloc(ft->capproc, sizeof(*ft->proc));
	ft->ntcp = 1;
	ft->captcp = 64;
	ft->tcp = xcalloc(ft->captcp, sizeof(*ft->tcp));
	ft->tcpfree = xcalloc(ft->captcp, sizeof(*ft->tcpfree));
	return ft;
}

void
flowtab_destroy(struct flowtab **ftp)
{
	struct flowtab *ft = *ftp;
	size_t i;

	if (ft == NULL)
		return;
	for (i = 1; i < ft->nalloc; i++)
		ft_l7_free(ft_at(ft, (uint32_t)i));
	for (i = 0; i < ft->nchunk; i++)
		free(ft->chunk[i]);
	free(ft->chunk);
	free(ft->bucket);
	for (i = 0; i < ft->nif; i++) {
		free(ft->ifname[i]);
		free(ft->ifjson[i]);
	}
	free(ft->ifname);
	free(ft->iflen);
	free(ft->ifjson);
	free(ft->ifjlen);
	free(ft->if_active);
	free(ft->if_expired);
	ft_proc_destroy(ft);
	free(ft->tcp);
	free(ft->tcpfree);
	free(ft);
	*ftp = NULL;
}

/* ---- interfaces ---- */

uint16_t
flowtab_iface(struct flowtab *ft, const char *name, size_t len)
{
	struct sbuf js = { 0 };
	uint16_t i;
	char *s;

	/* Names may hold a NUL (a decoded \u0000), so compare lengths.
	 * Records of one interface tend to come in runs: the name found
	 * last is tried first. */
	i = ft->iflast;
	if (i < ft->nif && ft->iflen[i] == len &&
	    memcmp(ft->ifname[i], name, len) == 0)
		return i;
	for (i = 0; i < ft->nif; i++)
		if (ft->iflen[i] == len &&
		    memcmp(ft->ifname[i], name, len) == 0) {
			ft->iflast = i;
			return i;
		}
	if (ft->nif == FT_MAXIFACES)
		return FT_MAXIFACES - 1;
	s = xcalloc(1, len + 1);
	memcpy(s, name, len);
	ft->ifname = xreallocarray(ft->ifname, ft->nif + 1u, sizeof(char *));
	ft->iflen = xreallocarray(ft->iflen, ft->nif + 1u, sizeof(size_t));
	ft->ifjson = xreallocarray(ft->ifjson, ft->nif + 1u, sizeof(char *));
	ft->ifjlen = xreallocarray(ft->ifjlen, ft->nif + 1u, sizeof(size_t));
	ft->if_active = xreallocarray(ft->if_active, ft->nif + 1u,
	    sizeof(uint64_t));
	ft->if_expired = xreallocarray(ft->if_expired, ft->nif + 1u,
	    sizeof(uint64_t));
	ft->ifname[ft->nif] = s;
	ft->iflen[ft->nif] = len;
	/* As flow records always wrote it: up to a NUL the name holds. */
	sbuf_add_jstr(&js, s, strlen(s));
	ft->ifjson[ft->nif] = js.p;
	ft->ifjlen[ft->nif] = js.len;
	ft->if_active[ft->nif] = 0;
	ft->if_expired[ft->nif] = 0;
	return ft->nif++;
}

const char *
flowtab_iface_name(const struct flowtab *ft, uint16_t id)
{
	return id < ft->nif ? ft->ifname[id] : "";
}

const char *
flowtab_iface_json(const struct flowtab *ft, uint16_t id, size_t *len)
{
	if (id >= ft->nif) {
		*len = 2;
		return "\"\"";
	}
	*len = ft->ifjlen[id];
	return ft->ifjson[id];
}

uint16_t
flowtab_nifaces(const struct flowtab *ft)
{
	return ft->nif;
}

/* ---- lists and hash ---- */

static void
ft_unlink(struct flowtab *ft, struct flow *f)
{
	struct ft_list *l = &ft->list[(f->state & FLOW_CLOSING) ? 1 : 0];

	if (f->prev)
		ft_at(ft, f->prev)->next = f->next;
	else
		l->head = f->next;
	if (f->next)
		ft_at(ft, f->next)->prev = f->prev;
	else
		l->tail = f->prev;
	f->prev = f->next = 0;
}

static void
ft_append(struct flowtab *ft, struct flow *f, uint32_t i)
{
	struct ft_list *l = &ft->list[(f->state & FLOW_CLOSING) ? 1 : 0];

	f->next = 0;
	f->prev = l->tail;
	if (l->tail)
		ft_at(ft, l->tail)->next = i;
	else
		l->head = i;
	l->tail = i;
}

static void
ft_grow_buckets(struct flowtab *ft)
{
	uint32_t n = ft->nbucket * 2, *b, i, j, nx, h;
	struct flow *f;

	b = xcalloc(n, sizeof(*b));
	for (i = 0; i < ft->nbucket; i++) {
		for (j = ft->bucket[i]; j != 0; j = nx) {
			f = ft_at(ft, j);
			nx = f->hnext;
			h = f->hash & (n - 1);
			f->hnext = b[h];
			b[h] = j;
		}
	}
	free(ft->bucket);
	ft->bucket = b;
	ft->nbucket = n;
}

struct flow *
flowtab_lookup(struct flowtab *ft, const struct flowtab_key *k, int *dir)
{
	uint32_t i;
	struct flow *f;
	int d;

	for (i = ft->bucket[ft_hash(k) & (ft->nbucket - 1)]; i != 0;
	    i = f->hnext) {
		f = ft_at(ft, i);
		if ((d = ft_keymatch(&f->key, k)) >= 0) {
			if (dir != NULL)
				*dir = d;
			ft->lastf = f;
			ft->lasti = i;
			return f;
		}
	}
	return NULL;
}

/* The index of f, found through its hash chain (cheap: chains are short). */
static uint32_t
ft_idx(const struct flowtab *ft, const struct flow *f)
{
	uint32_t i;

	if (f == ft->lastf)
		return ft->lasti;
	for (i = ft->bucket[f->hash & (ft->nbucket - 1)]; i != 0;
	    i = ft_at(ft, i)->hnext)
		if (ft_at(ft, i) == f)
			return i;
	return ft_index(ft, f);
}

static void
ft_l7_free(struct flow *f)
{
	int i;

	if (f->l7 == NULL)
		return;
	for (i = 0; i < FL7_N; i++)
		free(f->l7->v[i]);
	free(f->l7);
	f->l7 = NULL;
}

static void
ft_free(struct flowtab *ft, struct flow *f, uint32_t i)
{
	uint32_t *pp;

	ft_unlink(ft, f);
	for (pp = &ft->bucket[f->hash & (ft->nbucket - 1)]; *pp != 0;
	    pp = &ft_at(ft, *pp)->hnext)
		if (*pp == i) {
			*pp = f->hnext;
			break;
		}
	ft_proc_unref(ft, f->proc[0]);
	ft_proc_unref(ft, f->proc[1]);
	if (f->tcp != 0)
		ft->tcpfree[ft->ntcpfree++] = f->tcp;
	ft_l7_free(f);
	if (ft->lastf == f)
		ft->lastf = NULL;
	if (f->key.iface < ft->nif) {
		ft->if_active[f->key.iface]--;
		ft->if_expired[f->key.iface]++;
	}
	memset(f, 0, sizeof(*f));
	f->hnext = ft->freel;
	ft->freel = i;
	ft->count--;
}

static void
ft_end(struct flowtab *ft, uint32_t i, enum flow_end why)
{
	struct flow *f = ft_at(ft, i);

	if (why == FLOW_END_EVICTED)
		ft->evicted++;
	ft->emit(ft->arg, f, why);
	ft_free(ft, f, i);
}

void
flowtab_end(struct flowtab *ft, struct flow *f, enum flow_end why)
{
	ft_end(ft, ft_idx(ft, f), why);
}

/* The index of the flow idle longest over both lists, 0 if none. */
static uint32_t
ft_oldest(const struct flowtab *ft)
{
	uint32_t a = ft->list[0].head, b = ft->list[1].head;

	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return ft_at(ft, b)->last < ft_at(ft, a)->last ? b : a;
}

struct flow *
flowtab_insert(struct flowtab *ft, const struct flowtab_key *k, int64_t now)
{
	uint32_t i, h;
	struct flow *f;

	if (ft->conf.max_flows != 0 && ft->count >= ft->conf.max_flows &&
	    (i = ft_oldest(ft)) != 0)
		ft_end(ft, i, FLOW_END_EVICTED);
	if (ft->freel != 0) {
		i = ft->freel;
		ft->freel = ft_at(ft, i)->hnext;
	} else {
		if (ft->nalloc >= 0x7fffffffu)
			errx(1, "flowtab: too many flows");
		if ((ft->nalloc >> FT_CHUNK_SHIFT) >= ft->nchunk) {
			ft->chunk = xreallocarray(ft->chunk, ft->nchunk + 1,
			    sizeof(*ft->chunk));
			ft->chunk[ft->nchunk++] = xcalloc(FT_CHUNK,
			    sizeof(struct flow));
		}
		i = ft->nalloc++;
	}
	if (ft->count + 1 > ft->nbucket)
		ft_grow_buckets(ft);
	f = ft_at(ft, i);
	memset(f, 0, sizeof(*f));
	f->key = *k;
	f->first = f->last = now;
	f->hash = ft_hash(k);
	h = f->hash & (ft->nbucket - 1);
	f->hnext = ft->bucket[h];
	ft->bucket[h] = i;
	ft_append(ft, f, i);
	ft->count++;
	ft->lastf = f;
	ft->lasti = i;
	if (k->iface < ft->nif)
		ft->if_active[k->iface]++;
	return f;
}

void
flowtab_seen(struct flow *f, int64_t t)
{
	if (t > f->last)
		f->last = t;
	if (t < f->first)
		f->first = t;
}

void
flowtab_touch(struct flowtab *ft, struct flow *f, int64_t t)
{
	uint32_t i;

	flowtab_seen(f, t);
	i = ft_idx(ft, f);
	if (ft->list[(f->state & FLOW_CLOSING) ? 1 : 0].tail != i) {
		ft_unlink(ft, f);
		ft_append(ft, f, i);
	}
}

void
flowtab_closing(struct flowtab *ft, struct flow *f, enum flow_end why)
{
	uint32_t i;

	if (f->state & FLOW_CLOSING)
		return;
	i = ft_idx(ft, f);
	ft_unlink(ft, f);
	f->state |= FLOW_CLOSING;
	f->why = (uint8_t)why;
	ft_append(ft, f, i);
}

void
flowtab_swap(struct flow *f)
{
	struct flowtab_key *k = &f->key;
	uint8_t a[16], b;
	uint16_t p;
	uint64_t u;
	uint32_t x;
	float l;

	memcpy(a, k->addr[0], 16);
	memcpy(k->addr[0], k->addr[1], 16);
	memcpy(k->addr[1], a, 16);
	p = k->port[0], k->port[0] = k->port[1], k->port[1] = p;
	u = f->pkts[0], f->pkts[0] = f->pkts[1], f->pkts[1] = u;
	u = f->bytes[0], f->bytes[0] = f->bytes[1], f->bytes[1] = u;
	x = f->proc[0], f->proc[0] = f->proc[1], f->proc[1] = x;
	x = f->retrans[0], f->retrans[0] = f->retrans[1], f->retrans[1] = x;
	b = f->flags[0], f->flags[0] = f->flags[1], f->flags[1] = b;
	l = f->lat[0], f->lat[0] = f->lat[1], f->lat[1] = l;
	b = f->state & (FLOW_HAS_LAT0 | FLOW_HAS_LAT1);
	f->state &= (uint8_t)~(FLOW_HAS_LAT0 | FLOW_HAS_LAT1);
	if (b & FLOW_HAS_LAT0)
		f->state |= FLOW_HAS_LAT1;
	if (b & FLOW_HAS_LAT1)
		f->state |= FLOW_HAS_LAT0;
}

bool
flowtab_check_active(struct flowtab *ft, struct flow *f, int64_t now)
{
	if (ft->conf.active_us <= 0 || now - f->first < ft->conf.active_us)
		return false;
	ft->emit(ft->arg, f, FLOW_END_ACTIVE);
	if (f->key.iface < ft->nif)
		ft->if_expired[f->key.iface]++;
	f->pkts[0] = f->pkts[1] = f->bytes[0] = f->bytes[1] = 0;
	f->flags[0] = f->flags[1] = 0;
	f->events = 0;
	f->retrans[0] = f->retrans[1] = 0;
	f->first = f->last = now;
	return true;
}

size_t
flowtab_expire(struct flowtab *ft, int64_t now)
{
	size_t n = 0;
	uint32_t i;
	struct flow *f;

	while ((i = ft->list[0].head) != 0) {
		f = ft_at(ft, i);
		if (now - f->last < ft->conf.idle_us)
			break;
		ft_end(ft, i, FLOW_END_IDLE);
		n++;
	}
	while ((i = ft->list[1].head) != 0) {
		f = ft_at(ft, i);
		if (now - f->last < ft->conf.closing_us)
			break;
		ft_end(ft, i, (enum flow_end)f->why);
		n++;
	}
	return n;
}

size_t
flowtab_flush(struct flowtab *ft, enum flow_end why)
{
	size_t n = 0;
	uint32_t i;

	while ((i = ft_oldest(ft)) != 0) {
		ft_end(ft, i, why);
		n++;
	}
	return n;
}

void
flowtab_foreach(struct flowtab *ft, flowtab_emit_fn fn, void *arg)
{
	uint32_t i;
	int l;

	for (l = 0; l < 2; l++)
		for (i = ft->list[l].head; i != 0; i = ft_at(ft, i)->next)
			fn(arg, ft_at(ft, i), FLOW_END_NONE);
}

size_t
flowtab_count(const struct flowtab *ft)
{
	return ft->count;
}

uint64_t
flowtab_iface_active(const struct flowtab *ft, uint16_t iface)
{
	return iface < ft->nif ? ft->if_active[iface] : 0;
}

uint64_t
flowtab_iface_expired(const struct flowtab *ft, uint16_t iface)
{
	return iface < ft->nif ? ft->if_expired[iface] : 0;
}

uint64_t
flowtab_evicted(const struct flowtab *ft)
{
	return ft->evicted;
}

const char *
flowtab_endname(enum flow_end why)
{
	switch (why) {
	case FLOW_END_IDLE:	return "idle";
	case FLOW_END_ACTIVE:	return "active";
	case FLOW_END_FIN:	return "fin";
	case FLOW_END_RST:	return "rst";
	case FLOW_END_CLOSE:	return "close-event";
	case FLOW_END_EVICTED:	return "evicted";
	case FLOW_END_EOF:	return "end-of-input";
	default:		return "active-update";
	}
}
