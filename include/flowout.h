/* flowout.h - a flow as an ntop JSON flow record (nProbe information
 * element names; man/evpipe.7, section "flow-agg"). */
#ifndef EVPIPE_FLOWOUT_H
#define EVPIPE_FLOWOUT_H

#include "flowtab.h"
#include "sbuf.h"

/* Appends f as one compact JSON object (no newline) to b: "_type":"flow",
 * its "_iface", the client as IPV4_SRC_ADDR/L4_SRC_PORT, counters, times,
 * processes, socket state, and FLOW_END_REASON (why), or "_interim":true
 * when why is FLOW_END_NONE. Keys with nothing to say are left out. */
void	flowout_flow(struct sbuf *b, struct flowtab *ft,
	    const struct flow *f, enum flow_end why);

#endif
