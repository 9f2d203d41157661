/* ntopids.h - the one table of flow field names and their numeric ids, as
 * ntopng reads them (NetFlow/IPFIX ids of PEN 0, and ntop's own fields as
 * 57472 + n, "35632.n" in PEN notation). Collectors read keys through it,
 * ntop sinks write ids through it, so a field means the same everywhere.
 */
#ifndef EVPIPE_NTOPIDS_H
#define EVPIPE_NTOPIDS_H

#include <stddef.h>
#include <stdint.h>

#define NTOPIDS_PEN	35632u	/* ntop's private enterprise number */
#define NTOPIDS_BASE	57472u	/* id of ntop's field 0 (NTOP_BASE_ID) */

/* The id of the field named name[0..len) ("IN_BYTES": 1, "L7_PROTO":
 * 57590), or -1 if the table has no such name. Names are case-sensitive;
 * a few old names (SSL_SERVER_NAME) map to the id of the current one. */
int	ntopids_id(const char *name, size_t len);

/* The name of id (1: "IN_BYTES"), or NULL if the table has none. The
 * string is static. */
const char *ntopids_name(uint32_t id);

/* The id written in a numeric key of key[0..len): decimal digits ("8",
 * "57590"; leading zeros read as ntopng's atoi does), "PEN.n" with PEN 0
 * or 35632 ("35632.118" is 57590), or "57472+n". Returns -1 for anything
 * else, an id above INT32_MAX, or another PEN. Any id, in the table or
 * not. */
int	ntopids_parse_key(const char *key, size_t len);

/* ntopids_id() if key is a name in the table, else ntopids_parse_key(). */
int	ntopids_key(const char *key, size_t len);

/* The number of entries of the table (names, old names included), and the
 * i-th name and id, for listing the table (i < ntopids_count()). */
size_t	ntopids_count(void);
const char *ntopids_entry(size_t i, uint32_t *id);

#endif
