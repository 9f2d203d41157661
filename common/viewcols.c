/* viewcols.c - ev-show's tables as data (include/viewint.h): the
 * columns of every view and the text of every cell and detail line.
 */

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sbuf.h"
#include "view.h"
#include "viewint.h"

/* IFACE and RATE change priority with the data (view_colplan). */
static const struct vcol flow_cols[] = {
	{ "IFACE", 6, 6, 16, 8, C_FIT },
	{ "PROTO", 5, 5, 5, 2, 0 },
	{ "APP", 6, 12, 24, 3, C_OPT | C_FIT },
	{ "CLIENT", 15, 22, ENDPOINTLEN, 0, C_TAIL },
	{ "SERVER", 15, 22, ENDPOINTLEN, 0, C_TAIL },
	{ "C2S", 6, 6, 6, 1, C_NUM },
	{ "S2C", 6, 6, 6, 1, C_NUM },
	{ "BYTES", 6, 6, 6, 9, C_NUM },
	{ "PKTS", 6, 6, 6, 9, C_NUM },
	{ "RATE", 8, 8, 8, 6, C_NUM },
	{ "THRPT", 8, 8, 8, 7, C_NUM },
	{ "CPROC", 8, 12, 16, 3, C_OPT },
	{ "SPROC", 8, 12, 16, 3, C_OPT },
	{ "CUSER", 6, 8, 12, 10, 0 },
	{ "SUSER", 6, 8, 12, 10, 0 },
	{ "CCONT", 6, 10, 16, 11, 0 },
	{ "SCONT", 6, 10, 16, 11, 0 },
	{ "LAT", 6, 6, 7, 8, C_NUM },
	{ "STATE", 6, 12, 12, 4, 0 },
};

static const struct vcol proc_cols[] = {
	{ "IFACE", 6, 10, 16, 8, 0 },
	{ "PROCESS", 8, 16, 24, 0, 0 },
	{ "PID", 7, 7, 7, 1, C_NUM },
	{ "USER", 6, 8, 12, 2, 0 },
	{ "PARENT", 8, 12, 20, 2, 0 },
	{ "CONTAINER", 9, 12, 24, 3, 0 },
	{ "CONNS", 5, 5, 6, 0, C_NUM },
	{ "CLI", 4, 4, 5, 4, C_NUM },
	{ "SRV", 4, 4, 5, 4, C_NUM },
	{ "SENT", 6, 6, 6, 1, C_NUM },
	{ "RCVD", 6, 6, 6, 1, C_NUM },
	{ "THRPT", 8, 8, 8, 3, C_NUM },
};

static const struct vcol iface_cols[] = {
	{ "IFACE", 12, 14, 32, 0, 0 },
	{ "ROLE", 9, 9, 12, 2, 0 },
	{ "PKTS", 6, 6, 6, 0, C_NUM },
	{ "BYTES", 6, 6, 6, 0, C_NUM },
	{ "EVENTS", 6, 6, 6, 0, C_NUM },
	{ "FLOWS", 6, 6, 6, 0, C_NUM },
	{ "IN", 6, 6, 6, 1, C_NUM },
	{ "OUT", 6, 6, 6, 1, C_NUM },
	{ "INPKT", 6, 6, 6, 4, C_NUM },
	{ "OUTPKT", 6, 6, 6, 4, C_NUM },
	{ "ERRS", 5, 5, 6, 3, C_NUM },
	{ "FROM", 8, 14, 32, 6, 0 },
};

static const struct vcol listen_cols[] = {
	{ "IFACE", 8, 14, 24, 2, 0 },
	{ "HOST", 8, 16, 40, 1, 0 },
	{ "PROTO", 5, 5, 5, 0, 0 },
	{ "PORT", 5, 5, 5, 0, C_NUM },
	{ "PROCESS", 8, 16, 24, 0, 0 },
	{ "PACKAGE", 8, 14, 24, 1, 0 },
	{ "PATH", 10, 34, 60, 3, 0 },
};

static const struct vcol event_cols[] = {
	{ "TIME", 12, 12, 12, 0, C_NUM },
	{ "IFACE", 8, 14, 16, 2, 0 },
	{ "KIND", 8, 8, 8, 1, 0 },
	{ "TYPE", 10, 12, 14, 0, 0 },
	{ "PROTO", 5, 5, 5, 3, 0 },
	{ "SOURCE", 15, 22, 46, 0, C_TAIL },
	{ "DEST", 15, 22, 46, 0, C_TAIL },
	{ "PROCESS", 8, 12, 16, 1, 0 },
	{ "IFNAME", 6, 8, 12, 4, 0 },
};

static const struct vcol app_cols[] = {
	{ "APP", 10, 20, 32, 0, 0 },
	{ "CATEGORY", 8, 12, 20, 2, 0 },
	{ "FLOWS", 6, 6, 6, 0, C_NUM },
	{ "BYTES", 6, 6, 6, 0, C_NUM },
	{ "C2S", 6, 6, 6, 3, C_NUM },
	{ "S2C", 6, 6, 6, 3, C_NUM },
	{ "RATE", 8, 8, 8, 1, C_NUM },
	{ "PROCS", 5, 5, 5, 1, C_NUM },
	{ "PROCESSES", 10, 24, 48, 2, 0 },
};

const struct viewdef view_def[VIEW_NKINDS] = {
	[VIEW_FLOWS] = { "Flows", "flows", flow_cols,
	    (int)(sizeof(flow_cols) / sizeof(flow_cols[0])), FC_RATE, true },
	[VIEW_PROCS] = { "Processes", "processes", proc_cols,
	    (int)(sizeof(proc_cols) / sizeof(proc_cols[0])), PC_SENT, true },
	[VIEW_IFACES] = { "Interfaces", "interfaces", iface_cols,
	    (int)(sizeof(iface_cols) / sizeof(iface_cols[0])), IC_NAME,
	    false },
	[VIEW_LISTEN] = { "Listening", "listening", listen_cols,
	    (int)(sizeof(listen_cols) / sizeof(listen_cols[0])), LC_PORT,
	    false },
	[VIEW_EVENTS] = { "Events", "events", event_cols,
	    (int)(sizeof(event_cols) / sizeof(event_cols[0])), EC_TIME, true },
	[VIEW_APPS] = { "Applications", "applications", app_cols,
	    (int)(sizeof(app_cols) / sizeof(app_cols[0])), AC_BYTES, true },
};

const char *
view_name(enum view_kind k)
{
	return (unsigned)k < VIEW_NKINDS ? view_def[k].name : "?";
}

const char *
view_short(enum view_kind k)
{
	return (unsigned)k < VIEW_NKINDS ? view_def[k].shortname : "?";
}

int
view_kind_byname(const char *s)
{
	static const struct { const char *name; int k; } alias[] = {
		{ "procs", VIEW_PROCS }, { "ifaces", VIEW_IFACES },
		{ "listen", VIEW_LISTEN }, { "apps", VIEW_APPS },
	};
	size_t n = strlen(s), i;
	int k;

	if (n == 0)
		return -1;
	for (k = 0; k < VIEW_NKINDS; k++)
		if (strncasecmp(view_def[k].shortname, s, n) == 0)
			return k;
	for (i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (strcasecmp(alias[i].name, s) == 0)
			return alias[i].k;
	return -1;
}

double
view_flowthr(const struct vflow *f)
{
	double d = f->last - f->first;

	return d > 0 ? (double)(f->inby + f->outby) / d : 0;
}

/* A container's short label: its name, the pod, or the id's first 12. */
static const char *
view_contlabel(const struct vproc *p, char *buf, size_t n)
{
	if (p->cname[0])
		return p->cname;
	if (p->pod[0])
		return p->pod;
	if (p->cid[0]) {
		snprintf(buf, n, "%.12s", p->cid);
		return buf;
	}
	return "-";
}

/* A process's user: its name, else its uid when known, else "-". */
static void
view_user(const struct vproc *p, char *buf, size_t n)
{
	if (p->user[0])
		view_cpy(buf, n, p->user);
	else if (p->set && p->uid >= 0)
		snprintf(buf, n, "%lld", (long long)p->uid);
	else
		view_cpy(buf, n, "-");
}

static const char *
view_procname(const struct vproc *p)
{
	return p->set && p->name[0] ? view_base(p->name) : "-";
}

double
view_flownum(const struct vflow *f, int col)
{
	switch (col) {
	case FC_C2S: return (double)f->inby;
	case FC_S2C: return (double)f->outby;
	case FC_BYTES: return (double)(f->inby + f->outby);
	case FC_PKTS: return (double)(f->inpk + f->outpk);
	case FC_THR: return view_flowthr(f);
	case FC_LAT: return f->clat >= 0 ? f->clat : f->slat;
	default: return 0;
	}
}

static void
view_flowcell(const struct view *v, const struct vflow *f, int col,
    char *buf, size_t n)
{
	if (col == FC_RATE) {
		view_hbytes(buf, n, view_flowrate(v, f), "/s");
		return;
	}
	if (col == FC_APP) {
		view_cpy(buf, n, f->app && f->app->name[0] ? f->app->name :
		    "-");
		return;
	}
	char tmp[32];
	double lat;

	switch (col) {
	case FC_IFACE:
		view_cpy(buf, n, v->ifs[f->iface].name);
		break;
	case FC_PROTO:
		view_cpy(buf, n, view_protoname(f->proto, tmp,
		    sizeof(tmp)));
		break;
	case FC_CLIENT:
		view_endpoint(buf, n, f->caddr, (long)f->cport);
		break;
	case FC_SERVER:
		view_endpoint(buf, n, f->saddr, (long)f->sport);
		break;
	case FC_C2S: case FC_S2C: case FC_BYTES:
		view_hbytes(buf, n, view_flownum(f, col), "");
		break;
	case FC_PKTS:
		view_hcount(buf, n, view_flownum(f, col), "");
		break;
	case FC_THR:
		view_hbytes(buf, n, view_flowthr(f), "/s");
		break;
	case FC_CPROC:
		view_cpy(buf, n, view_procname(f->c));
		break;
	case FC_SPROC:
		view_cpy(buf, n, view_procname(f->s));
		break;
	case FC_CUSER:
		view_user(f->c, buf, n);
		break;
	case FC_SUSER:
		view_user(f->s, buf, n);
		break;
	case FC_CCONT:
		view_cpy(buf, n, view_contlabel(f->c, tmp,
		    sizeof(tmp)));
		break;
	case FC_SCONT:
		view_cpy(buf, n, view_contlabel(f->s, tmp,
		    sizeof(tmp)));
		break;
	case FC_LAT:
		lat = view_flownum(f, col);
		if (lat < 0)
			snprintf(buf, n, "-");
		else if (lat < 10)
			snprintf(buf, n, "%.3f", lat);
		else
			snprintf(buf, n, "%.1f", lat);
		break;
	case FC_STATE:
		view_cpy(buf, n, f->state[0] ? f->state : "active");
		break;
	default:
		buf[0] = '\0';
	}
}

static double
view_procnum(const struct vprocrow *r, int col)
{
	switch (col) {
	case PC_PID: return (double)r->p->pid;
	case PC_CONNS: return (double)r->conns;
	case PC_CLI: return (double)r->asclient;
	case PC_SRV: return (double)r->asserver;
	case PC_SENT: return (double)r->sent;
	case PC_RCVD: return (double)r->rcvd;
	case PC_THR: return r->thr;
	default: return 0;
	}
}

static void
view_proccell(const struct view *v, const struct vprocrow *r, int col,
    char *buf, size_t n)
{
	char tmp[32];

	switch (col) {
	case PC_IFACE:
		view_cpy(buf, n, v->ifs[r->iface].name);
		break;
	case PC_PROC:
		view_cpy(buf, n, view_procname(r->p));
		break;
	case PC_PID:
		snprintf(buf, n, "%lld", (long long)r->p->pid);
		break;
	case PC_USER:
		view_user(r->p, buf, n);
		break;
	case PC_PARENT:
		view_cpy(buf, n, r->p->parent[0] ?
		    view_base(r->p->parent) : "-");
		break;
	case PC_CONT:
		view_cpy(buf, n, view_contlabel(r->p, tmp, sizeof(tmp)));
		break;
	case PC_CONNS: case PC_CLI: case PC_SRV:
		view_hcount(buf, n, view_procnum(r, col), "");
		break;
	case PC_SENT: case PC_RCVD:
		view_hbytes(buf, n, view_procnum(r, col), "");
		break;
	case PC_THR:
		view_hbytes(buf, n, r->thr, "/s");
		break;
	default:
		buf[0] = '\0';
	}
}

static uint64_t
view_max3(uint64_t a, uint64_t b, uint64_t c)
{
	return a > b ? (a > c ? a : c) : (b > c ? b : c);
}

/* An interface's packets and bytes: packet records, flow records and
 * flow-agg's summaries may each see the same packets, so the largest of
 * the three counts, never their sum. */
static uint64_t
view_ifpkts(const struct viface *x)
{
	return view_max3(x->pkts, x->fpkts, x->apkts);
}

static uint64_t
view_ifbytes(const struct viface *x)
{
	return view_max3(x->bytes, x->fbytes, x->abytes);
}

static uint64_t
view_ifevents(const struct viface *x)
{
	return x->has_agg && x->aevents > x->events ? x->aevents : x->events;
}

static uint64_t
view_ifflows(const struct viface *x)
{
	return x->has_agg && x->aflows > x->flows ? x->aflows : x->flows;
}

static double
view_ifnum(const struct viface *x, int col)
{
	switch (col) {
	case IC_PKTS: return (double)view_ifpkts(x);
	case IC_BYTES: return (double)view_ifbytes(x);
	case IC_EVENTS: return (double)view_ifevents(x);
	case IC_FLOWS: return (double)view_ifflows(x);
	case IC_IN: return (double)x->inoct;
	case IC_OUT: return (double)x->outoct;
	case IC_INPKT: return (double)x->inpkt;
	case IC_OUTPKT: return (double)x->outpkt;
	case IC_ERRS: return (double)x->errs;
	default: return 0;
	}
}

static void
view_ifcell(const struct viface *x, int col, char *buf, size_t n)
{
	switch (col) {
	case IC_NAME:
		view_cpy(buf, n, x->name);
		break;
	case IC_ROLE:
		if (x->companion)
			snprintf(buf, n, "companion");
		else if (x->mirrored)
			snprintf(buf, n, "mirrored");
		else if (strstr(x->name, "://") != NULL)
			snprintf(buf, n, "zmq");
		else if (x->via[0])
			snprintf(buf, n, "counters");
		else if (x->ifname_target)
			snprintf(buf, n, "by-name");
		else
			snprintf(buf, n, "-");
		break;
	case IC_PKTS: case IC_EVENTS: case IC_FLOWS: case IC_INPKT:
	case IC_OUTPKT: case IC_ERRS:
		if (!x->has_ctr && col >= IC_INPKT)
			snprintf(buf, n, "-");
		else
			view_hcount(buf, n, view_ifnum(x, col), "");
		break;
	case IC_BYTES: case IC_IN: case IC_OUT:
		if (!x->has_ctr && col != IC_BYTES)
			snprintf(buf, n, "-");
		else
			view_hbytes(buf, n, view_ifnum(x, col), "");
		break;
	case IC_FROM:
		view_cpy(buf, n, x->from[0] ? x->from : x->via[0] ?
		    x->via : "-");
		break;
	default:
		buf[0] = '\0';
	}
}

static void
view_listencell(const struct view *v, const struct vlisten *l, int col,
    char *buf, size_t n)
{
	switch (col) {
	case LC_IFACE:
		view_cpy(buf, n, v->ifs[l->iface].name);
		break;
	case LC_HOST:
		view_cpy(buf, n, l->host);
		break;
	case LC_PROTO:
		view_cpy(buf, n, l->proto);
		break;
	case LC_PORT:
		snprintf(buf, n, "%u", l->port);
		break;
	case LC_PROC:
		view_cpy(buf, n, l->proc[0] ? view_base(l->proc) : "-");
		break;
	case LC_PKG:
		view_cpy(buf, n, l->pkg[0] ? l->pkg : "-");
		break;
	case LC_PATH:
		view_cpy(buf, n, l->proc[0] ? l->proc : "-");
		break;
	default:
		buf[0] = '\0';
	}
}

static void
view_eventcell(const struct view *v, const struct vevent *e, int col,
    char *buf, size_t n)
{
	char tmp[32];
	struct tm tm;
	time_t s;

	switch (col) {
	case EC_TIME:
		if (e->t <= 0) {
			snprintf(buf, n, "-");
			break;
		}
		s = (time_t)floor(e->t);
		gmtime_r(&s, &tm);
		snprintf(buf, n, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min,
		    tm.tm_sec, (int)floor((e->t - (double)s) * 1000));
		break;
	case EC_IFACE:
		view_cpy(buf, n, v->ifs[e->iface].name);
		break;
	case EC_KIND:
		view_cpy(buf, n, e->kind);
		break;
	case EC_TYPE:
		view_cpy(buf, n, e->type);
		break;
	case EC_PROTO:
		view_cpy(buf, n, view_protoname(e->proto, tmp,
		    sizeof(tmp)));
		break;
	case EC_SRC:
		view_cpy(buf, n, e->src);
		break;
	case EC_DST:
		view_cpy(buf, n, e->dst);
		break;
	case EC_PROC:
		view_cpy(buf, n, e->proc[0] ? view_base(e->proc) : "-");
		break;
	case EC_IFNAME:
		view_cpy(buf, n, e->ifname[0] ? e->ifname : "-");
		break;
	default:
		buf[0] = '\0';
	}
}

static double
view_appnum(const struct vapprow *a, int col)
{
	switch (col) {
	case AC_FLOWS: return (double)a->flows;
	case AC_BYTES: return (double)a->bytes;
	case AC_C2S: return (double)a->c2s;
	case AC_S2C: return (double)a->s2c;
	case AC_RATE: return a->rate;
	case AC_PROCS: return (double)a->nprocs;
	default: return 0;
	}
}

/* Whether process i of application a has the name of an earlier one. */
static bool
view_app_named_before(const struct vapprow *a, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (strcmp(view_procname(a->procs[j]),
		    view_procname(a->procs[i])) == 0)
			return true;
	return false;
}

static void
view_appcell(const struct vapprow *a, int col, char *buf, size_t n)
{
	struct sbuf b = { 0 };
	size_t i;

	switch (col) {
	case AC_APP:
		view_cpy(buf, n, a->name);
		break;
	case AC_CAT:
		view_cpy(buf, n, a->cat && a->cat[0] ? a->cat : "-");
		break;
	case AC_FLOWS: case AC_PROCS:
		view_hcount(buf, n, view_appnum(a, col), "");
		break;
	case AC_BYTES: case AC_C2S: case AC_S2C:
		view_hbytes(buf, n, view_appnum(a, col), "");
		break;
	case AC_RATE:
		view_hbytes(buf, n, a->rate, "/s");
		break;
	case AC_PROCNAMES:
		/* Each name once (four curl processes read "curl"); PROCS
		 * counts the processes, the detail line gives their pids. */
		for (i = 0; i < a->nprocs; i++)
			if (!view_app_named_before(a, i))
				sbuf_addf(&b, "%s%s", b.len ? "," : "",
				    view_procname(a->procs[i]));
		view_cpy(buf, n, b.len ? b.p : "-");
		sbuf_free(&b);
		break;
	default:
		buf[0] = '\0';
	}
}

void
view_cell(const struct view *v, enum view_kind k, const void *it, int col,
    char *buf, size_t n)
{
	switch (k) {
	case VIEW_FLOWS: view_flowcell(v, it, col, buf, n); break;
	case VIEW_PROCS: view_proccell(v, it, col, buf, n); break;
	case VIEW_IFACES: view_ifcell(it, col, buf, n); break;
	case VIEW_LISTEN: view_listencell(v, it, col, buf, n); break;
	case VIEW_EVENTS: view_eventcell(v, it, col, buf, n); break;
	case VIEW_APPS: view_appcell(it, col, buf, n); break;
	default: buf[0] = '\0';
	}
}

double
view_num(const struct view *v, enum view_kind k, const void *it, int col)
{
	const struct vlisten *l;
	const struct vevent *e;

	switch (k) {
	case VIEW_FLOWS:
		return col == FC_RATE ? view_flowrate(v, it) :
		    view_flownum(it, col);
	case VIEW_APPS:
		return view_appnum(it, col);
	case VIEW_PROCS:
		return view_procnum(it, col);
	case VIEW_IFACES:
		return view_ifnum(it, col);
	case VIEW_LISTEN:
		l = it;
		return col == LC_PORT ? l->port : 0;
	case VIEW_EVENTS:
		e = it;
		return col == EC_TIME ? e->t : 0;
	default:
		return 0;
	}
}

uint64_t
view_seqof(enum view_kind k, const void *it)
{
	switch (k) {
	case VIEW_FLOWS: return ((const struct vflow *)it)->seq;
	case VIEW_PROCS: return ((const struct vprocrow *)it)->seq;
	case VIEW_IFACES: return ((const struct viface *)it)->seq;
	case VIEW_LISTEN: return ((const struct vlisten *)it)->seq;
	case VIEW_EVENTS: return ((const struct vevent *)it)->seq;
	case VIEW_APPS: return ((const struct vapprow *)it)->seq;
	default: return 0;
	}
}

/* A flow's application and the names it was for: "app TLS.Google
 * (91.126) Web | sni www.google.com | ja3 ...". */
static void
view_appdetail(const struct vapp *a, struct sbuf *out)
{
	sbuf_addf(out, "app %s", a->name[0] ? a->name : "?");
	if (a->id[0])
		sbuf_addf(out, " (%s)", a->id);
	if (a->cat[0])
		sbuf_addf(out, " %s", a->cat);
	if (a->sni[0])
		sbuf_addf(out, " | sni %s", a->sni);
	if (a->host[0])
		sbuf_addf(out, " | host %s", a->host);
	if (a->url[0])
		sbuf_addf(out, " | url %s", a->url);
	if (a->dns[0])
		sbuf_addf(out, " | dns %s", a->dns);
	if (a->ja3[0])
		sbuf_addf(out, " | ja3 %s", a->ja3);
}

/* An application's processes (name[pid]) and server names. */
static void
view_appsdetail(const struct vapprow *a, struct sbuf *out)
{
	size_t i;

	sbuf_addf(out, "%s: processes", a->name);
	for (i = 0; i < a->nprocs; i++)
		sbuf_addf(out, "%s%s[%lld]", i ? ", " : " ",
		    view_procname(a->procs[i]), (long long)a->procs[i]->pid);
	if (a->nprocs == 0)
		sbuf_adds(out, " -");
	if (a->nhosts > 0) {
		sbuf_adds(out, " | hosts");
		for (i = 0; i < a->nhosts; i++)
			sbuf_addf(out, "%s%s", i ? ", " : " ", a->hosts[i]);
	}
}

/* A flow's detail: its application first (what a narrow line keeps),
 * then each end's process, then the packets each way. */
static void
view_flowdetail(const struct vflow *f, struct sbuf *out)
{
	const struct vproc *ps[2] = { f->c, f->s };
	int i;

	if (f->app != NULL) {
		view_appdetail(f->app, out);
		sbuf_adds(out, " | ");
	}
	for (i = 0; i < 2; i++) {
		const struct vproc *p = ps[i];

		if (i)
			sbuf_adds(out, " | ");
		sbuf_adds(out, i ? "server " : "client ");
		if (!p->set) {
			sbuf_adds(out, "-");
			continue;
		}
		sbuf_addf(out, "%s[%lld]", p->name[0] ? p->name : "?",
		    (long long)p->pid);
		if (p->user[0])
			sbuf_addf(out, " user %s", p->user);
		if (p->parent[0])
			sbuf_addf(out, " parent %s[%lld]", p->parent,
			    (long long)p->ppid);
		if (p->cmd[0])
			sbuf_addf(out, " cmd '%s'", p->cmd);
		if (p->cid[0])
			sbuf_addf(out, " container %s", p->cid);
	}
	sbuf_addf(out, " | %llu+%llu pkts",
	    (unsigned long long)f->inpk, (unsigned long long)f->outpk);
}

/* An interface's detail: records, where copies and counters came from. */
static void
view_ifdetail(const struct viface *x, struct sbuf *out)
{
	sbuf_addf(out, "%s: %llu records", x->name,
	    (unsigned long long)x->records);
	if (x->from[0])
		sbuf_addf(out, ", copies from %s", x->from);
	if (x->via[0])
		sbuf_addf(out, ", counters via %s", x->via);
	if (x->has_ctr)
		sbuf_addf(out, ", counters in %llu B %llu pkts, out "
		    "%llu B %llu pkts, %llu errors",
		    (unsigned long long)x->inoct,
		    (unsigned long long)x->inpkt,
		    (unsigned long long)x->outoct,
		    (unsigned long long)x->outpkt,
		    (unsigned long long)x->errs);
}

/* The detail text of one item: full paths, command lines, ids. */
void
view_detailtext(const struct view *v, enum view_kind k, const void *it,
    struct sbuf *out)
{
	const struct vprocrow *r;
	const struct vlisten *l;
	const struct vevent *e;

	(void)v;
	switch (k) {
	case VIEW_FLOWS:
		view_flowdetail(it, out);
		break;
	case VIEW_APPS:
		view_appsdetail(it, out);
		break;
	case VIEW_PROCS:
		r = it;
		sbuf_addf(out, "%s[%lld]", r->p->name[0] ? r->p->name : "?",
		    (long long)r->p->pid);
		if (r->p->uid >= 0)
			sbuf_addf(out, " uid %lld", (long long)r->p->uid);
		if (r->p->parent[0])
			sbuf_addf(out, " parent %s[%lld]", r->p->parent,
			    (long long)r->p->ppid);
		if (r->p->cmd[0])
			sbuf_addf(out, " cmd '%s'", r->p->cmd);
		if (r->p->cid[0])
			sbuf_addf(out, " container %s", r->p->cid);
		break;
	case VIEW_IFACES:
		view_ifdetail(it, out);
		break;
	case VIEW_LISTEN:
		l = it;
		sbuf_addf(out, "%s %u on %s: %s (%s)", l->proto, l->port,
		    l->host, l->proc[0] ? l->proc : "-",
		    l->pkg[0] ? l->pkg : "-");
		break;
	case VIEW_EVENTS:
		e = it;
		sbuf_addf(out, "%s %s %s -> %s", e->kind, e->type, e->src,
		    e->dst);
		if (e->proc[0])
			sbuf_addf(out, " process %s", e->proc);
		if (e->detail[0])
			sbuf_addf(out, " %s", e->detail);
		break;
	default:
		break;
	}
}
