/* flowtabint.h - what the parts of the flow table share (common/flowtab.c,
 * the flows; flowtabproc.c, the interned process blocks, socket records
 * and application fields): the table's structure. Tools use
 * include/flowtab.h.
 */
#ifndef EVPIPE_FLOWTABINT_H
#define EVPIPE_FLOWTABINT_H

#include <stddef.h>
#include <stdint.h>

#include "flowtab.h"

#define FT_CHUNK_SHIFT	12
#define FT_CHUNK	(1u << FT_CHUNK_SHIFT)
#define FT_MAXIFACES	65535

struct ft_list {
	uint32_t	 head, tail;
};

#define FT_SLAB_STEP	32
#define FT_SLAB_NCLASS	16	/* pieces up to 512 bytes */
#define FT_SLAB_CHUNK	65536

struct ft_procent {
	struct flow_proc p;
	char		*blob;		/* the strings of p, one piece */
	uint32_t	 bsize;		/* blob's size: a slab class or more */
	char		*json[2];	/* as written on each side, or NULL */
	uint32_t	 jlen[2], jsize[2];
	uint32_t	 refs;		/* 0: free (next is the free link) */
	uint32_t	 hash;
	uint32_t	 next;
	uint64_t	 stamp;		/* flowtab_pref's, from pstamp */
};

struct flowtab {
	struct flowtab_conf conf;
	flowtab_emit_fn	 emit;
	void		*arg;

	struct flow	**chunk;	/* chunk[i >> SHIFT][i & (CHUNK-1)] */
	size_t		 nchunk;
	uint32_t	 nalloc;	/* indices handed out so far, 1.. */
	uint32_t	 freel;		/* free flows, linked by hnext */
	size_t		 count;

	uint32_t	*bucket;
	uint32_t	 nbucket;	/* power of two */

	struct ft_list	 list[2];	/* 0 open, 1 closing */

	char		**ifname;
	size_t		*iflen;
	char		**ifjson;	/* ifname as JSON string literals */
	size_t		*ifjlen;
	uint64_t	*if_active, *if_expired;
	uint16_t	 nif;
	uint16_t	 iflast;	/* the name found last */
	uint64_t	 evicted;

	struct ft_procent *proc;	/* proc[0] unused */
	uint32_t	 nproc, capproc, freeproc;
	uint32_t	 plast;		/* the block interned last, 0: none */
	uint64_t	 pstamp;	/* the last block's stamp */
	size_t		 liveproc;
	uint32_t	*pbucket;
	uint32_t	 npbucket;
	/* The blocks' strings: pieces of FT_SLAB_STEP bytes times 1 to
	 * FT_SLAB_NCLASS from chunks kept until flowtab_destroy(), a freed
	 * piece on its class's list (linked through its first bytes);
	 * larger ones from malloc. */
	char		*sfree[FT_SLAB_NCLASS];
	char		**schunk;
	size_t		 nschunk;
	char		*scur;		/* free end of the last chunk */
	size_t		 sleft;		/* bytes left there */

	struct flow_tcpinfo *tcp;	/* tcp[0] unused */
	uint32_t	 ntcp, captcp;
	uint32_t	*tcpfree;	/* capacity captcp */
	uint32_t	 ntcpfree;

	struct flow	*lastf;		/* the flow last looked up or made, */
	uint32_t	 lasti;		/* and its index */
};

/* One step of the hashes: mixes v into h. */
static inline uint64_t
ft_mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x9e3779b97f4a7c15ULL;
	h ^= h >> 29;
	return h;
}

/* Drops one reference to process id (0: none), freeing it at the last. */
void	ft_proc_unref(struct flowtab *ft, uint32_t id);
/* Frees the process blocks, their strings and their hash table. */
void	ft_proc_destroy(struct flowtab *ft);

#endif
