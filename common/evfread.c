/* evfread.c - a whole event or flow record read in every producer
 * dialect (evf_read, include/evfields.h): type, time, counters, the
 * process, container and TCP blocks, the agent's process fields. See
 * doc/wire-format.md "eBPF events".
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "evfields.h"
#include "evfieldsint.h"
#include "evkeys.h"
#include "ntopids.h"

/* Copies a string value into buf, cut to fit. Returns true if f was a
 * string (and sets *has), false otherwise (null counts as absent). */
static bool
evf_copy(const struct rec_field *f, char *buf, size_t size, bool *has,
    bool *trunc)
{
	if (f == NULL || f->kind != REC_STRING)
		return false;
	if (!f->vesc && f->vlen - 2 < size) {
		memcpy(buf, f->val + 1, f->vlen - 2);
		buf[f->vlen - 2] = '\0';
	} else
		rec_unescape(f->val + 1, f->vlen - 2, buf, size, true,
		    trunc);
	*has = true;
	return true;
}

/* Event types by name; UDP's are RECV and SEND. */
static const struct {
	const char	*name;
	enum evf_evtype	 type;
} evf_types[] = {
	{ "ACCEPT", EVF_EV_ACCEPT }, { "CONNECT", EVF_EV_CONNECT },
	{ "RETRANSMIT", EVF_EV_RETRANSMIT }, { "CLOSE", EVF_EV_CLOSE },
	{ "CONNECT_FAILED", EVF_EV_CONNECT_FAILED },
	{ "RECV", EVF_EV_UDP_RECV }, { "SEND", EVF_EV_UDP_SEND },
};

const char *
evf_evtype_name(enum evf_evtype t)
{
	size_t i;

	if (t == EVF_EV_NONE)
		return "";
	for (i = 0; i < sizeof(evf_types) / sizeof(evf_types[0]); i++)
		if (evf_types[i].type == t)
			return evf_types[i].name;
	return "UNKNOWN";
}

static void
evf_read_type(const struct rec_field *f, bool udp, struct evf_event *ev)
{
	bool trunc = false, has = false;
	int64_t v;
	size_t i;

	ev->type = EVF_EV_UNKNOWN;
	ev->type_udp = udp;
	if (f->kind == REC_NUMBER) {
		size_t n = f->vlen < sizeof(ev->type_name) ? f->vlen :
		    sizeof(ev->type_name) - 1;

		memcpy(ev->type_name, f->val, n);
		ev->type_name[n] = '\0';
	} else if (!evf_copy(f, ev->type_name, sizeof(ev->type_name), &has,
	    &trunc)) {
		ev->bad |= EVF_BAD_NUMBER;
		return;
	}
	/* A name ("CONNECT") is no number: strtoll takes no letter first. */
	if (!isalpha((unsigned char)ev->type_name[0]) && rec_i64(f, &v) == 0) {
		for (i = 0; i < sizeof(evf_types) / sizeof(evf_types[0]); i++)
			if ((int64_t)evf_types[i].type == v)
				ev->type = evf_types[i].type;
		return;
	}
	for (i = 0; i < sizeof(evf_types) / sizeof(evf_types[0]); i++)
		if (ev->type_name[0] == evf_types[i].name[0] &&
		    strcmp(ev->type_name, evf_types[i].name) == 0) {
			ev->type = evf_types[i].type;
			break;		/* the names differ */
		}
}

/* The value of the eight digits in x (the bytes of a text in memory
 * order), or -1 if one of them is no digit. */
static inline int64_t
evf_dig8(uint64_t x)
{
	if ((x & 0xf0f0f0f0f0f0f0f0ULL) != 0x3030303030303030ULL ||
	    ((x + 0x0606060606060606ULL) & 0xf0f0f0f0f0f0f0f0ULL) !=
	    0x3030303030303030ULL)
		return -1;
	x &= 0x0f0f0f0f0f0f0f0fULL;
	x = (x * 2561) >> 8;
	x = ((x & 0x00ff00ff00ff00ffULL) * 6553601) >> 16;
	return (int64_t)(((x & 0x0000ffff0000ffffULL) * 42949672960001ULL) >>
	    32);
}

/* The producers' time, "1718031245.000010" (string or number: ten digits,
 * a point, six), by words: what rec_time() gives it, at a third of the
 * cost. False for any other text, left to rec_time(). */
static inline bool
evf_time_fixed(const struct rec_field *f, int64_t *sec, int32_t *usec)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const char *s;
	int64_t hi, lo;

	if (f->kind == REC_STRING && f->vlen == 19 && !f->vesc)
		s = f->val + 1;
	else if (f->kind == REC_NUMBER && f->vlen == 17)
		s = f->val;
	else
		return false;
	/* Digits 0-7, then 9-16 with the point (byte 10) read as a '0':
	 * lo is digit 9 times 10^7 plus the six of the fraction. */
	hi = evf_dig8(evf_load8(s));
	lo = evf_dig8((evf_load8(s + 9) & ~(uint64_t)0xff00) | 0x3000);
	if (hi < 0 || lo < 0 || s[10] != '.' ||
	    (unsigned)(s[8] - '0') > 9)
		return false;
	*sec = hi * 100 + (s[8] - '0') * 10 + lo / 10000000;
	*usec = (int32_t)(lo % 10000000);
	return true;
#else
	(void)f;
	(void)sec;
	(void)usec;
	return false;
#endif
}

/* The event's time (rec_time()); -1 if f is not a time. */
static int
evf_read_time(const struct rec_field *f, struct evf_event *ev)
{
	int64_t sec;
	int32_t usec;

	if (!evf_time_fixed(f, &sec, &usec) && rec_time(f, &sec, &usec) != 0)
		return -1;
	ev->has_time = true;
	ev->time_sec = sec;
	ev->time_usec = usec;
	ev->time = (double)sec + usec / 1e6;
	return 0;
}

/* The readers of one number: f is a present, non-null member. */
static void
evf_num_i64(const struct rec_field *f, bool *has, int64_t *out,
    unsigned *bad)
{
	uint64_t u;

	if (evf_plain_uint(f, 18, &u)) {
		*out = (int64_t)u;
		*has = true;
	} else if (rec_i64(f, out) == 0)
		*has = true;
	else
		*bad |= EVF_BAD_NUMBER;
}

static void
evf_num_u64(const struct rec_field *f, bool *has, uint64_t *out,
    unsigned *bad)
{
	if (evf_plain_uint(f, 18, out) || rec_u64(f, out) == 0)
		*has = true;
	else
		*bad |= EVF_BAD_NUMBER;
}

static void
evf_num_dbl(const struct rec_field *f, bool *has, double *out,
    unsigned *bad)
{
	uint64_t u;

	/* Up to 15 digits a whole number is exact as a double. */
	if (evf_plain_uint(f, 15, &u)) {
		*out = (double)u;
		*has = true;
	} else if (rec_double(f, out) == 0)
		*has = true;
	else
		*bad |= EVF_BAD_NUMBER;
}

/* The same for a member that may be absent (NULL) or null: most are, and
 * the test is made here, inline, before any call. */
static inline void
evf_read_i64(const struct rec_field *f, bool *has, int64_t *out,
    unsigned *bad)
{
	if (f != NULL && f->kind != REC_NULL)
		evf_num_i64(f, has, out, bad);
}

static inline void
evf_read_u64(const struct rec_field *f, bool *has, uint64_t *out,
    unsigned *bad)
{
	if (f != NULL && f->kind != REC_NULL)
		evf_num_u64(f, has, out, bad);
}

static inline void
evf_read_dbl(const struct rec_field *f, bool *has, double *out,
    unsigned *bad)
{
	if (f != NULL && f->kind != REC_NULL)
		evf_num_dbl(f, has, out, bad);
}

/* Copies a string member of sub; a member of another kind is bad. */
static void
evf_read_str(const struct rec_field *f, char *buf, size_t size, bool *has,
    bool *trunc, unsigned *bad)
{
	if (f == NULL || f->kind == REC_NULL)
		return;
	if (!evf_copy(f, buf, size, has, trunc))
		*bad |= EVF_BAD_NUMBER;
}

/* The members of a process block evf_read_proc() reads. */
enum evf_pkey {
	P_PID, P_TID, P_UID, P_GID, P_VM_SIZE, P_VM_PEAK, P_UID_NAME,
	P_GID_NAME, P_PATH, P_CMDLINE, P_N
};

/* Finds the first member of a process block per key, in one walk that
 * tells keys apart by length and then by bytes. A block with an escaped
 * key (never seen from a real producer) goes to record_getvl(), which
 * decodes keys. */
static void
evf_proc_members(const struct record *s, const struct rec_field **m)
{
	static const char *const names[P_N] = {
		EVK_PID, EVK_TID, EVK_UID, EVK_GID, EVK_VM_SIZE, EVK_VM_PEAK,
		EVK_UID_NAME, EVK_GID_NAME, EVK_PROCESS_PATH,
		EVK_PROCESS_CMDLINE,
	};
#define L(k)	(sizeof(k) - 1)
	static const size_t lens[P_N] = {
		L(EVK_PID), L(EVK_TID), L(EVK_UID), L(EVK_GID),
		L(EVK_VM_SIZE), L(EVK_VM_PEAK), L(EVK_UID_NAME),
		L(EVK_GID_NAME), L(EVK_PROCESS_PATH), L(EVK_PROCESS_CMDLINE),
	};
#define IS(k)	(f->klen == L(k) && memcmp(f->key, k, L(k)) == 0)
	size_t i;

	for (i = 0; i < P_N; i++)
		m[i] = NULL;
	for (i = 0; i < s->nf; i++) {
		const struct rec_field *f = &s->f[i];
		enum evf_pkey k;

		if (f->kesc) {
			record_getvl(s, names, lens, P_N, m);
			return;
		}
		if (IS(EVK_PID))
			k = P_PID;
		else if (IS(EVK_TID))
			k = P_TID;
		else if (IS(EVK_UID))
			k = P_UID;
		else if (IS(EVK_GID))
			k = P_GID;
		else if (IS(EVK_PROCESS_PATH))
			k = P_PATH;
		else if (IS(EVK_PROCESS_CMDLINE))
			k = P_CMDLINE;
		else if (IS(EVK_UID_NAME))
			k = P_UID_NAME;
		else if (IS(EVK_GID_NAME))
			k = P_GID_NAME;
		else if (IS(EVK_VM_SIZE))
			k = P_VM_SIZE;
		else if (IS(EVK_VM_PEAK))
			k = P_VM_PEAK;
		else
			continue;
		if (m[k] == NULL)
			m[k] = f;
	}
#undef IS
#undef L
}

/* The position of the first '"' or '\\' in s at or after p. One is found
 * before end: s is a validated string's body and its closing quote.
 * Sixteen bytes a step (SSE2) while they lie before end, then eight by
 * the exact zero-byte test (its lowest flagged byte is the first match),
 * then one. */
static inline size_t
evf_quote_or_bs(const char *s, size_t p, size_t end)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const uint64_t ones = 0x0101010101010101ULL;
#ifdef __SSE2__
	const __m128i qq = _mm_set1_epi8('"'), bb = _mm_set1_epi8('\\');

	for (; p + 16 <= end; p += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(s + p));
		unsigned hit = (unsigned)_mm_movemask_epi8(_mm_or_si128(
		    _mm_cmpeq_epi8(x, qq), _mm_cmpeq_epi8(x, bb)));

		if (hit != 0)
			return p + (size_t)__builtin_ctz(hit);
	}
#endif
	for (; p + 8 <= end; p += 8) {
		uint64_t x = evf_load8(s + p), q = x ^ ones * '"',
		    b = x ^ ones * '\\';
		uint64_t hit = ((q - ones) & ~q) | ((b - ones) & ~b);

		if ((hit &= ones * 0x80) != 0)
			return p + ((size_t)__builtin_ctzll(hit) >> 3);
	}
#else
	(void)end;
#endif
	while (s[p] != '"' && s[p] != '\\')
		p++;
	return p;
}

/* The bytes a number may hold, as record_sub() ends one. */
static const unsigned char evf_numbyte[256] = {
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['-'] = 1, ['+'] = 1,
	['.'] = 1, ['e'] = 1, ['E'] = 1,
};

/* The process block's key k of length n: its evf_pkey, or P_N. */
static inline enum evf_pkey
evf_pkey_of(const char *k, size_t n)
{
#define IS(name)	(memcmp(k, name, sizeof(name) - 1) == 0)
	switch (n) {
	case 3:
		return IS(EVK_PID) ? P_PID : IS(EVK_TID) ? P_TID :
		    IS(EVK_UID) ? P_UID : IS(EVK_GID) ? P_GID : P_N;
	case 7:
		return IS(EVK_VM_SIZE) ? P_VM_SIZE : IS(EVK_VM_PEAK) ?
		    P_VM_PEAK : P_N;
	case 8:
		return IS(EVK_UID_NAME) ? P_UID_NAME : IS(EVK_GID_NAME) ?
		    P_GID_NAME : P_N;
	case 12:
		return IS(EVK_PROCESS_PATH) ? P_PATH : P_N;
	case 15:
		return IS(EVK_PROCESS_CMDLINE) ? P_CMDLINE : P_N;
	default:
		return P_N;
	}
#undef IS
}

_Static_assert(sizeof(EVK_PID) == 4 && sizeof(EVK_TID) == 4 &&
    sizeof(EVK_UID) == 4 && sizeof(EVK_GID) == 4 &&
    sizeof(EVK_VM_SIZE) == 8 && sizeof(EVK_VM_PEAK) == 8 &&
    sizeof(EVK_UID_NAME) == 9 && sizeof(EVK_GID_NAME) == 9 &&
    sizeof(EVK_PROCESS_PATH) == 13 && sizeof(EVK_PROCESS_CMDLINE) == 16,
    "evf_pkey_of's lengths");

/* The value at s[p] of a flat block: its end, kind and escapes; 0 if it
 * is an object or an array (never 0 otherwise: p > 0). */
static inline size_t
evf_flat_value(const char *s, size_t p, size_t end, enum rec_kind *kind,
    bool *esc)
{
	switch (s[p]) {
	case '"':
		*kind = REC_STRING;
		for (p = evf_quote_or_bs(s, p + 1, end); s[p] != '"';
		    p = evf_quote_or_bs(s, p + 2, end))
			*esc = true;	/* and the escaped byte is passed */
		return p + 1;
	case 't':
		*kind = REC_TRUE;
		return p + 4;
	case 'f':
		*kind = REC_FALSE;
		return p + 5;
	case 'n':
		*kind = REC_NULL;
		return p + 4;
	case '{': case '[':
		return 0;
	default:
		*kind = REC_NUMBER;
		while (evf_numbyte[(unsigned char)s[p]])
			p++;
		return p;
	}
}

/*
 * The members of process block f that evf_proc_members() would find, read
 * without indexing the block: an event's block is mostly flat and
 * compact, and record_sub() indexed every member to keep six. The text
 * was validated by record_parse(), so a member is "key":value and a
 * value's end is found as record_sub() finds it. Fills fs (P_N fields,
 * those of m) and m; false, with m undecided, at anything else (white
 * space, an escaped key, an object or array value), which record_sub()
 * then reads.
 */
static bool
evf_proc_flat(const struct rec_field *f, struct rec_field *fs,
    const struct rec_field **m)
{
	const char *s = f->val;
	size_t p = 1, end = f->vlen - 1, k, q;

	for (k = 0; k < P_N; k++)
		m[k] = NULL;
	if (s[p] == '}')
		return true;
	for (;;) {
		enum rec_kind kind;
		enum evf_pkey pk;
		bool esc = false;

		if (s[p] != '"')
			return false;
		k = p + 1;
		q = evf_quote_or_bs(s, k, end);
		if (s[q] != '"' || s[q + 1] != ':')
			return false;
		if ((p = evf_flat_value(s, q + 2, end, &kind, &esc)) == 0)
			return false;
		pk = evf_pkey_of(s + k, q - k);
		if (pk != P_N && m[pk] == NULL) {
			fs[pk].key = s + k;
			fs[pk].klen = q - k;
			fs[pk].kesc = false;
			fs[pk].val = s + q + 2;
			fs[pk].vlen = p - (q + 2);
			fs[pk].kind = kind;
			fs[pk].vesc = esc;
			m[pk] = &fs[pk];
		}
		if (s[p] == '}' && p == end)
			return true;
		if (s[p] != ',')
			return false;
		p++;
	}
}

static void
evf_read_proc(struct evf_reader *rd, const struct rec_field *f,
    struct evf_proc *p, unsigned *bad)
{
	const struct rec_field *m[P_N];
	struct rec_field fs[P_N];
	bool has_tid = false;

	if (f == NULL || f->kind == REC_NULL)
		return;
	if (f->kind != REC_OBJECT || !evf_proc_flat(f, fs, m)) {
		if (record_sub(f, &rd->sub) != REC_OK) {
			*bad |= EVF_BAD_OBJECT;
			return;
		}
		evf_proc_members(&rd->sub, m);
	}
	p->present = true;
	evf_read_i64(m[P_PID], &p->has_pid, &p->raw_pid, bad);
	evf_read_i64(m[P_TID], &has_tid, &p->raw_tid, bad);
	p->has_raw_tid = has_tid;
	/* libebpfflow swaps them: its "TID" is the process id. */
	if (has_tid && p->raw_tid != 0) {
		p->pid = p->raw_tid;
		p->tid = p->has_pid ? p->raw_pid : 0;
		p->has_pid = true;
	} else if (p->has_pid)
		p->pid = p->raw_pid;
	evf_read_i64(m[P_UID], &p->has_uid, &p->uid, bad);
	evf_read_i64(m[P_GID], &p->has_gid, &p->gid, bad);
	evf_read_i64(m[P_VM_SIZE], &p->has_vm_size, &p->vm_size, bad);
	evf_read_i64(m[P_VM_PEAK], &p->has_vm_peak, &p->vm_peak, bad);
	evf_read_str(m[P_UID_NAME], p->uid_name, sizeof(p->uid_name),
	    &p->has_uid_name, &p->truncated, bad);
	evf_read_str(m[P_GID_NAME], p->gid_name, sizeof(p->gid_name),
	    &p->has_gid_name, &p->truncated, bad);
	evf_read_str(m[P_PATH], p->path, sizeof(p->path), &p->has_path,
	    &p->truncated, bad);
	evf_read_str(m[P_CMDLINE], p->cmdline, sizeof(p->cmdline),
	    &p->has_cmdline, &p->truncated, bad);
}

/* NAME, ID, POD and NS of one container object; set fields win. */
static void
evf_read_ctfields(const struct record *s, struct evf_container *c,
    unsigned *bad)
{
	if (!c->has_id)
		evf_read_str(record_get(s, EVK_ID), c->id, sizeof(c->id),
		    &c->has_id, &c->truncated, bad);
	if (!c->has_name)
		evf_read_str(record_get(s, EVK_NAME), c->name, sizeof(c->name),
		    &c->has_name, &c->truncated, bad);
	if (!c->has_pod)
		evf_read_str(record_get(s, EVK_POD), c->pod, sizeof(c->pod),
		    &c->has_pod, &c->truncated, bad);
	if (!c->has_ns)
		evf_read_str(record_get(s, EVK_NS), c->ns, sizeof(c->ns),
		    &c->has_ns, &c->truncated, bad);
}

static void
evf_read_container(struct evf_reader *rd, const struct rec_field *f,
    struct evf_container *c, unsigned *bad)
{
	const struct rec_field *in;

	if (f == NULL || f->kind == REC_NULL)
		return;
	if (record_sub(f, &rd->sub) != REC_OK) {
		*bad |= EVF_BAD_OBJECT;
		return;
	}
	c->present = true;
	c->kind = EVF_CT_OTHER;
	evf_read_ctfields(&rd->sub, c, bad);
	if ((in = record_get(&rd->sub, EVK_DOCKER)) != NULL)
		c->kind = EVF_CT_DOCKER;
	else if ((in = record_get(&rd->sub, EVK_K8S)) != NULL)
		c->kind = EVF_CT_K8S;
	if (in == NULL || in->kind == REC_NULL)
		return;
	if (record_sub(in, &rd->sub2) != REC_OK) {
		*bad |= EVF_BAD_OBJECT;
		return;
	}
	evf_read_ctfields(&rd->sub2, c, bad);
}

static void
evf_read_tcp(struct evf_reader *rd, const struct rec_field *f,
    struct evf_tcp *t, unsigned *bad)
{
	struct record *s = &rd->sub;
	bool trunc = false;

	if (f == NULL || f->kind == REC_NULL)
		return;
	if (record_sub(f, s) != REC_OK) {
		*bad |= EVF_BAD_OBJECT;
		return;
	}
	t->present = true;
	evf_read_str(record_get(s, EVK_CONN_STATE), t->state, sizeof(t->state),
	    &t->has_state, &trunc, bad);
	evf_read_u64(record_get(s, EVK_SEGS_IN), &t->has_segs_in, &t->segs_in,
	    bad);
	evf_read_u64(record_get(s, EVK_SEGS_OUT), &t->has_segs_out,
	    &t->segs_out, bad);
	evf_read_u64(record_get(s, EVK_UNACK_SEGMENTS), &t->has_unack,
	    &t->unack, bad);
	evf_read_u64(record_get(s, EVK_RETRAN_PKTS), &t->has_retran,
	    &t->retran, bad);
	evf_read_u64(record_get(s, EVK_LOST_PKTS), &t->has_lost, &t->lost, bad);
	evf_read_dbl(record_get(s, EVK_RTT), &t->has_rtt, &t->rtt, bad);
	evf_read_dbl(record_get(s, EVK_RTT_VARIANCE), &t->has_rtt_var,
	    &t->rtt_var, bad);
	evf_read_u64(record_get(s, EVK_BYTES_RCVD), &t->has_bytes_rcvd,
	    &t->bytes_rcvd, bad);
	evf_read_u64(record_get(s, EVK_BYTES_ACKED), &t->has_bytes_acked,
	    &t->bytes_acked, bad);
}

static void
evf_read_agent(const struct evf_slots *sl, enum evf_key base,
    struct evf_agent *a, unsigned *bad)
{
	const struct rec_field *const *s = &sl->s[base];

	evf_read_i64(s[AG_PID], &a->has_pid, &a->pid, bad);
	evf_read_i64(s[AG_UID], &a->has_uid, &a->uid, bad);
	evf_read_i64(s[AG_FATHER_PID], &a->has_father_pid, &a->father_pid,
	    bad);
	evf_read_str(s[AG_NAME], a->name, sizeof(a->name), &a->has_name,
	    &a->truncated, bad);
	evf_read_str(s[AG_USER_NAME], a->user_name, sizeof(a->user_name),
	    &a->has_user_name, &a->truncated, bad);
	evf_read_str(s[AG_FATHER_NAME], a->father_name,
	    sizeof(a->father_name), &a->has_father_name, &a->truncated, bad);
	evf_read_str(s[AG_CMDLINE], a->cmdline, sizeof(a->cmdline),
	    &a->has_cmdline, &a->truncated, bad);
	evf_read_str(s[AG_CONTAINER_ID], a->container_id,
	    sizeof(a->container_id), &a->has_container_id, &a->truncated,
	    bad);
	evf_read_str(s[AG_PKG_NAME], a->pkg_name, sizeof(a->pkg_name),
	    &a->has_pkg_name, &a->truncated, bad);
	a->present = a->has_pid || a->has_uid || a->has_father_pid ||
	    a->has_name || a->has_user_name || a->has_father_name ||
	    a->has_cmdline || a->has_container_id || a->has_pkg_name;
}

void
evf_reader_init(struct evf_reader *rd)
{
	record_init(&rd->sub);
	record_init(&rd->sub2);
}

void
evf_reader_free(struct evf_reader *rd)
{
	record_free(&rd->sub);
	record_free(&rd->sub2);
}

/* Clearing the 4.7 KiB of an evf_event for every record cost more than
 * reading it. The string arrays (nine tenths of it) are only made empty:
 * a reader takes them as C strings, and only where their has_ flag is
 * set; every other member is zeroed as memset would. */
static void
evf_proc_clear(struct evf_proc *p)
{
	memset(p, 0, offsetof(struct evf_proc, uid_name));
	p->uid_name[0] = p->gid_name[0] = p->path[0] = p->cmdline[0] = '\0';
	p->truncated = false;
}

static void
evf_container_clear(struct evf_container *c)
{
	memset(c, 0, offsetof(struct evf_container, id));
	c->id[0] = c->name[0] = c->pod[0] = c->ns[0] = '\0';
	c->truncated = false;
}

static void
evf_agent_clear(struct evf_agent *a)
{
	memset(a, 0, offsetof(struct evf_agent, name));
	a->name[0] = a->user_name[0] = a->father_name[0] = '\0';
	a->cmdline[0] = a->container_id[0] = a->pkg_name[0] = '\0';
	a->truncated = false;
}

_Static_assert(offsetof(struct evf_event, id) <
    offsetof(struct evf_event, has_time) &&
    offsetof(struct evf_event, has_time) < offsetof(struct evf_event, proc) &&
    offsetof(struct evf_event, dst_proc) <
    offsetof(struct evf_event, has_client_latency), "evf_event order");

/* ev->id is left to evf_ids_fill(), which clears it. */
static void
evf_event_clear(struct evf_event *ev)
{
	memset(&ev->has_time, 0, offsetof(struct evf_event, proc) -
	    offsetof(struct evf_event, has_time));
	evf_proc_clear(&ev->proc);
	evf_proc_clear(&ev->father);
	evf_container_clear(&ev->container);
	evf_agent_clear(&ev->src_proc);
	evf_agent_clear(&ev->dst_proc);
	memset(&ev->has_client_latency, 0, sizeof(*ev) -
	    offsetof(struct evf_event, has_client_latency));
}

int
evf_read(struct evf_reader *rd, const struct record *r, struct evf_event *ev)
{
	struct evf_slots sl;
	const struct rec_field *f;
	size_t i;

	evf_event_clear(ev);
	evf_collect_all(r, &sl);
	evf_ids_fill(&sl, &ev->id);
	ev->bad = ev->id.bad;

	if ((f = sl.s[K_TIMESTAMP]) != NULL && f->kind != REC_NULL &&
	    evf_read_time(f, ev) != 0)
		ev->bad |= EVF_BAD_TIME;
	if ((f = sl.s[K_TCPEV]) != NULL && f->kind != REC_NULL)
		evf_read_type(f, false, ev);
	else if ((f = sl.s[K_UDPEV]) != NULL && f->kind != REC_NULL)
		evf_read_type(f, true, ev);
	evf_read_dbl(sl.s[K_LATENCY], &ev->has_latency, &ev->latency_ms,
	    &ev->bad);
	evf_read_i64(sl.s[K_RETRAN], &ev->has_retran, &ev->retran_pkts,
	    &ev->bad);
	evf_read_i64(sl.s[K_TID], &ev->has_tid, &ev->tid, &ev->bad);
	f = evf_pick(&sl, K_EXP4, K_EXP6);
	if (f != NULL) {
		int rc = evf_addr(f, &ev->exporter);

		if (rc == 0)
			ev->has_exporter = true;
		else if (rc < 0)
			ev->bad |= EVF_BAD_ADDR;
	}
	evf_read_proc(rd, sl.s[K_LPROC], &ev->proc, &ev->bad);
	evf_read_proc(rd, sl.s[K_FPROC], &ev->father, &ev->bad);
	evf_read_container(rd, sl.s[K_CONTAINER], &ev->container, &ev->bad);
	evf_read_tcp(rd, sl.s[K_TCP], &ev->tcp, &ev->bad);
	/* Most records have no agent field; their cleared structs are
	 * already what reading none would leave. */
	if (sl.agent) {
		evf_read_agent(&sl, K_AGENT, &ev->src_proc, &ev->bad);
		evf_read_agent(&sl, (enum evf_key)(K_AGENT + EVF_AG_N),
		    &ev->dst_proc, &ev->bad);
	}
	evf_read_dbl(sl.s[K_CLAT], &ev->has_client_latency,
	    &ev->client_latency_ms, &ev->bad);
	evf_read_dbl(sl.s[K_SLAT], &ev->has_server_latency,
	    &ev->server_latency_ms, &ev->bad);
	for (i = 0; i < EVF_NCTR; i++) {
		bool has = false;

		evf_read_u64(evf_pick(&sl, (enum evf_key)(K_CTR + i),
		    (enum evf_key)(K_CTRID + i)), &has, &ev->ctr.v[i],
		    &ev->bad);
		if (has)
			ev->ctr.has |= 1u << i;
	}
	evf_read_dbl(evf_pick(&sl, K_FIRST, K_N22), &ev->ctr.has_first,
	    &ev->ctr.first_switched, &ev->bad);
	evf_read_dbl(evf_pick(&sl, K_LAST, K_N21), &ev->ctr.has_last,
	    &ev->ctr.last_switched, &ev->bad);
	return ev->bad ? -1 : 0;
}

bool
evf_local_is_src(const struct evf_event *ev)
{
	if (ev->id.dialect == EVF_DIALECT_LOCALREMOTE)
		return true;
	return ev->type != EVF_EV_ACCEPT;
}

const char *
evf_proc_name(const struct evf_proc *p)
{
	const char *s = strrchr(p->path, '/');

	return s != NULL ? s + 1 : p->path;
}

