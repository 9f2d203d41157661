/* flowtabproc.c - the flow table's interned process blocks, socket
 * records and application fields (include/flowtab.h). Process blocks are
 * interned: the flows of one process share one copy, counted by
 * reference.
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "evkeys.h"
#include "flowtab.h"
#include "flowtabint.h"
#include "xalloc.h"

/* ---- interned process blocks ---- */

/* Mixes the n bytes of s into h eight bytes at a time. */
static uint64_t
ft_str_hash(uint64_t h, const char *s, size_t n)
{
	size_t i;
	uint64_t v;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&v, s + i, 8);
		h = ft_mix(h, v);
	}
	for (v = n; i < n; i++)
		v = v << 8 | (unsigned char)s[i];
	return ft_mix(h, v);
}

/* len[i] is strlen(p->s[i]) for each string p has. */
static uint32_t
ft_proc_hash(const struct flow_proc *p, const size_t *len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	int i;

	for (i = 0; i < FP_NSTR; i++)
		h = p->s[i] == NULL ? ft_mix(h, (uint64_t)i) :
		    ft_str_hash(ft_mix(h, 0x100u + (uint64_t)i), p->s[i],
		    len[i]);
	for (i = 0; i < FP_NNUM; i++)
		if (p->nset & (1u << i))
			h = ft_mix(h, (uint64_t)p->n[i] + (uint64_t)i);
	h = ft_mix(h, p->nset);
	return (uint32_t)(h ^ (h >> 32));
}

/* ---- the blocks' strings ----
 * A new block's strings used to be one calloc, and a free when its last
 * flow ended: about 340 instructions a block. Pieces of a few sizes,
 * kept on a list per size when freed, cost a tenth of that. */

/* A piece of at least n bytes; *size is set to what ft_slab_put needs. */
static char *
ft_slab_get(struct flowtab *ft, size_t n, uint32_t *size)
{
	size_t c = (n + FT_SLAB_STEP - 1) / FT_SLAB_STEP;
	char *b;

	if (n == 0 || c > FT_SLAB_NCLASS) {
		*size = (uint32_t)n;
		return n ? xcalloc(1, n) : NULL;
	}
	*size = (uint32_t)(c * FT_SLAB_STEP);
	if ((b = ft->sfree[c - 1]) != NULL) {
		memcpy(&ft->sfree[c - 1], b, sizeof(b));
		return b;
	}
	if (ft->sleft < *size) {
		ft->schunk = xreallocarray(ft->schunk, ft->nschunk + 1,
		    sizeof(*ft->schunk));
		ft->scur = ft->schunk[ft->nschunk++] =
		    xcalloc(1, FT_SLAB_CHUNK);
		ft->sleft = FT_SLAB_CHUNK;
	}
	b = ft->scur;
	ft->scur += *size;
	ft->sleft -= *size;
	return b;
}

/* Gives back piece b of the size ft_slab_get set. */
static void
ft_slab_put(struct flowtab *ft, char *b, uint32_t size)
{
	size_t c = size / FT_SLAB_STEP;

	if (b == NULL)
		return;
	if (size > FT_SLAB_NCLASS * FT_SLAB_STEP) {
		free(b);
		return;
	}
	memcpy(b, &ft->sfree[c - 1], sizeof(b));
	ft->sfree[c - 1] = b;
}

/* Gives back the pieces entry e holds. */
static void
ft_proc_pieces_put(struct flowtab *ft, struct ft_procent *e)
{
	ft_slab_put(ft, e->blob, e->bsize);
	ft_slab_put(ft, e->json[0], e->jsize[0]);
	ft_slab_put(ft, e->json[1], e->jsize[1]);
}

void
ft_proc_destroy(struct flowtab *ft)
{
	size_t i;

	for (i = 1; i < ft->nproc; i++)
		if (ft->proc[i].refs != 0)
			ft_proc_pieces_put(ft, &ft->proc[i]);
	for (i = 0; i < ft->nschunk; i++)
		free(ft->schunk[i]);
	free(ft->schunk);
	free(ft->proc);
	free(ft->pbucket);
}

static bool
ft_proc_eq(const struct flow_proc *a, const struct flow_proc *b)
{
	int i;

	if (a->nset != b->nset)
		return false;
	for (i = 0; i < FP_NNUM; i++)
		if ((a->nset & (1u << i)) && a->n[i] != b->n[i])
			return false;
	for (i = 0; i < FP_NSTR; i++) {
		if ((a->s[i] == NULL) != (b->s[i] == NULL))
			return false;
		if (a->s[i] != NULL && strcmp(a->s[i], b->s[i]) != 0)
			return false;
	}
	return true;
}

static void
ft_proc_rehash(struct flowtab *ft)
{
	uint32_t n = ft->npbucket * 2, *b, i, j, nx;

	b = xcalloc(n, sizeof(*b));
	for (i = 0; i < ft->npbucket; i++)
		for (j = ft->pbucket[i]; j != 0; j = nx) {
			nx = ft->proc[j].next;
			ft->proc[j].next = b[ft->proc[j].hash & (n - 1)];
			b[ft->proc[j].hash & (n - 1)] = j;
		}
	free(ft->pbucket);
	ft->pbucket = b;
	ft->npbucket = n;
}

uint32_t
flowtab_proc_intern(struct flowtab *ft, const struct flow_proc *p)
{
	struct ft_procent *e;
	uint32_t h, i;
	size_t len = 0, slen[FP_NSTR];
	char *w;
	int k;

	if (p->nset == 0) {
		for (k = 0; k < FP_NSTR && p->s[k] == NULL; k++)
			;
		if (k == FP_NSTR)
			return 0;
	}
	/* The block interned last first: an event and its copies for other
	 * interfaces come one after the other with the same process. */
	i = ft->plast;
	if (i != 0 && ft->proc[i].refs != 0 && ft_proc_eq(&ft->proc[i].p, p)) {
		ft->proc[i].refs++;
		return i;
	}
	for (k = 0; k < FP_NSTR; k++)
		if (p->s[k] != NULL)
			len += (slen[k] = strlen(p->s[k])) + 1;
	h = ft_proc_hash(p, slen);
	for (i = ft->pbucket[h & (ft->npbucket - 1)]; i != 0;
	    i = ft->proc[i].next)
		if (ft->proc[i].hash == h && ft_proc_eq(&ft->proc[i].p, p)) {
			ft->proc[i].refs++;
			ft->plast = i;
			return i;
		}
	if (ft->freeproc != 0) {
		i = ft->freeproc;
		ft->freeproc = ft->proc[i].next;
	} else {
		if (ft->nproc == ft->capproc) {
			ft->capproc *= 2;
			ft->proc = xreallocarray(ft->proc, ft->capproc,
			    sizeof(*ft->proc));
		}
		i = ft->nproc++;
	}
	e = &ft->proc[i];
	memset(e, 0, sizeof(*e));
	e->blob = ft_slab_get(ft, len, &e->bsize);
	w = e->blob;
	for (k = 0; k < FP_NSTR; k++) {
		if (p->s[k] == NULL)
			continue;
		memcpy(w, p->s[k], slen[k] + 1);
		e->p.s[k] = w;
		w += slen[k] + 1;
	}
	memcpy(e->p.n, p->n, sizeof(e->p.n));
	e->p.nset = p->nset;
	e->refs = 1;
	e->hash = h;
	e->stamp = ++ft->pstamp;
	if (ft->liveproc + 1 > ft->npbucket)
		ft_proc_rehash(ft);
	e->next = ft->pbucket[h & (ft->npbucket - 1)];
	ft->pbucket[h & (ft->npbucket - 1)] = i;
	ft->liveproc++;
	ft->plast = i;
	return i;
}

void
ft_proc_unref(struct flowtab *ft, uint32_t id)
{
	struct ft_procent *e;
	uint32_t *pp;

	if (id == 0)
		return;
	e = &ft->proc[id];
	if (--e->refs != 0)
		return;
	for (pp = &ft->pbucket[e->hash & (ft->npbucket - 1)]; *pp != 0;
	    pp = &ft->proc[*pp].next)
		if (*pp == id) {
			*pp = e->next;
			break;
		}
	ft_proc_pieces_put(ft, e);
	memset(e, 0, sizeof(*e));
	e->next = ft->freeproc;
	ft->freeproc = id;
	ft->liveproc--;
}

/* Does block o already hold every field p has, with p's values? */
static bool
ft_proc_covers(const struct flow_proc *o, const struct flow_proc *p)
{
	int k;

	if ((o->nset & p->nset) != p->nset)
		return false;
	for (k = 0; k < FP_NNUM; k++)
		if ((p->nset & (1u << k)) && o->n[k] != p->n[k])
			return false;
	for (k = 0; k < FP_NSTR; k++)
		if (p->s[k] != NULL && (o->s[k] == NULL ||
		    strcmp(o->s[k], p->s[k]) != 0))
			return false;
	return true;
}

void
flowtab_set_proc(struct flowtab *ft, struct flow *f, int side,
    const struct flow_proc *p)
{
	struct flow_proc m;
	uint32_t old = f->proc[side], id;
	int k;

	if (p->nset == 0) {
		for (k = 0; k < FP_NSTR && p->s[k] == NULL; k++)
			;
		if (k == FP_NSTR)
			return;		/* nothing to add */
	}
	if (old == 0) {
		f->proc[side] = flowtab_proc_intern(ft, p);
		return;
	}
	if (ft_proc_covers(&ft->proc[old].p, p))
		return;		/* the merge would be the old block */
	/* Merge: what p says wins, what it lacks is kept. The old block's
	 * strings stay valid until it is released below. */
	m = ft->proc[old].p;
	for (k = 0; k < FP_NSTR; k++)
		if (p->s[k] != NULL)
			m.s[k] = p->s[k];
	for (k = 0; k < FP_NNUM; k++)
		if (p->nset & (1u << k))
			m.n[k] = p->n[k];
	m.nset |= p->nset;
	id = flowtab_proc_intern(ft, &m);
	f->proc[side] = id;
	ft_proc_unref(ft, old);
}

struct flowtab_pref
flowtab_proc_ref(const struct flowtab *ft, const struct flow *f, int side)
{
	struct flowtab_pref r = { f->proc[side], 0 };

	if (r.id != 0)
		r.stamp = ft->proc[r.id].stamp;
	return r;
}

bool
flowtab_proc_share(struct flowtab *ft, struct flow *f, int side,
    struct flowtab_pref r)
{
	struct ft_procent *e;

	if (f->proc[side] != 0 || r.id == 0 || r.id >= ft->nproc)
		return false;
	e = &ft->proc[r.id];
	if (e->refs == 0 || e->stamp != r.stamp)
		return false;
	/* As interning the block's process again would leave it. */
	e->refs++;
	ft->plast = r.id;
	f->proc[side] = r.id;
	return true;
}

const struct flow_proc *
flowtab_proc(const struct flowtab *ft, uint32_t id)
{
	if (id == 0 || id >= ft->nproc || ft->proc[id].refs == 0)
		return NULL;
	return &ft->proc[id].p;
}

size_t
flowtab_nprocs(const struct flowtab *ft)
{
	return ft->liveproc;
}

const char *
flowtab_proc_json(const struct flowtab *ft, uint32_t id, int side,
    size_t *len)
{
	const struct ft_procent *e;

	if (id == 0 || id >= ft->nproc || (side & ~1) != 0)
		return NULL;
	e = &ft->proc[id];
	if (e->refs == 0 || e->json[side] == NULL)
		return NULL;
	*len = e->jlen[side];
	return e->json[side];
}

void
flowtab_proc_json_set(struct flowtab *ft, uint32_t id, int side,
    const char *text, size_t len)
{
	struct ft_procent *e;

	if (id == 0 || id >= ft->nproc || (side & ~1) != 0 ||
	    len > UINT32_MAX)
		return;
	e = &ft->proc[id];
	if (e->refs == 0)
		return;
	ft_slab_put(ft, e->json[side], e->jsize[side]);
	e->json[side] = ft_slab_get(ft, len, &e->jsize[side]);
	if (len > 0)
		memcpy(e->json[side], text, len);
	e->jlen[side] = (uint32_t)len;
}

/* ---- netstat socket info ---- */

struct flow_tcpinfo *
flowtab_tcpinfo(struct flowtab *ft, struct flow *f, bool create)
{
	uint32_t i;

	if (f->tcp != 0)
		return &ft->tcp[f->tcp];
	if (!create)
		return NULL;
	if (ft->ntcpfree > 0)
		i = ft->tcpfree[--ft->ntcpfree];
	else {
		if (ft->ntcp == ft->captcp) {
			ft->captcp *= 2;
			ft->tcp = xreallocarray(ft->tcp, ft->captcp,
			    sizeof(*ft->tcp));
			ft->tcpfree = xreallocarray(ft->tcpfree, ft->captcp,
			    sizeof(*ft->tcpfree));
		}
		i = ft->ntcp++;
	}
	memset(&ft->tcp[i], 0, sizeof(ft->tcp[i]));
	f->tcp = i;
	return &ft->tcp[i];
}

const struct flow_tcpinfo *
flowtab_tcpinfo_get(const struct flowtab *ft, const struct flow *f)
{
	return f->tcp != 0 ? &ft->tcp[f->tcp] : NULL;
}

/* ---- application fields ---- */

#define FT_L7K(k)	{ k, sizeof(k) - 1 }
const struct flowtab_l7key flowtab_l7keys[FL7_N] = {
	FT_L7K(EVK_L7_PROTO), FT_L7K(EVK_L7_PROTO_NAME),
	FT_L7K(EVK_L7_CATEGORY), FT_L7K(EVK_DNS_QUERY),
	FT_L7K(EVK_HTTP_HOST), FT_L7K(EVK_HTTP_URL),
	FT_L7K(EVK_TLS_SERVER_NAME), FT_L7K(EVK_JA3C_HASH),
};
#undef FT_L7K

const char *
flowtab_l7_name(enum flow_l7f i)
{
	return (unsigned)i < FL7_N ? flowtab_l7keys[i].name : "";
}

int
flowtab_l7_set(struct flow *f, enum flow_l7f i, const char *json,
    size_t len)
{
	char *v;

	if ((unsigned)i >= FL7_N || len > UINT16_MAX)
		return -1;
	if (f->l7 == NULL)
		f->l7 = xcalloc(1, sizeof(*f->l7));
	if (f->l7->v[i] != NULL)
		return f->l7->len[i] == len &&
		    memcmp(f->l7->v[i], json, len) == 0 ? 0 : -1;
	v = xcalloc(1, len + 1);
	memcpy(v, json, len);
	f->l7->v[i] = v;
	f->l7->len[i] = (uint16_t)len;
	return 1;
}
