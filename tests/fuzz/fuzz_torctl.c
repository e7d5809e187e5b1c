/*
 * Fuzz target for the control-port reply parser (daemon/tor/reply.c) and the
 * word and KEY=VALUE helpers run on every line of each reply.  The first
 * byte picks how the rest is cut into chunks, so partial lines are fed too;
 * the parser must never consume a partial line, and the replies it returns
 * must hold the invariants it promises (abort() otherwise).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "roneo/rn_limits.h"
#include "roneo/rn_tor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_reply(const struct rn_torctl_reply *r)
{
	char   out[256];
	size_t i;

	if (r->nlines == 0 || r->code < 200 || r->code > 699 || r->nlines > RN_TORCTL_MAX_LINES)
		abort();
	for (i = 0; i < r->nlines; i++) {
		const struct rn_torctl_line *l = &r->lines[i];

		if (strlen(l->text) != l->len || l->len > RN_TORCTL_MAX_LINE)
			abort();
		if ((l->sep == '+') != (l->data != NULL))
			abort();
		if (l->data != NULL && strlen(l->data) != l->datalen)
			abort();
		if ((i + 1 == r->nlines) != (l->sep == ' '))
			abort(); /* only the last line ends the reply */
		(void)rn_torctl_arg(l->text, "ServiceID", out, sizeof(out));
		(void)rn_torctl_arg(l->text, "COOKIEFILE", out, sizeof(out));
		(void)rn_torctl_arg(l->text, "PROGRESS", out, 4);
		(void)rn_torctl_word(l->text, 2, out, sizeof(out));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rn_torctl_parser *p;
	struct rn_torctl_reply	*r;
	const char		*buf;
	size_t			 chunk, avail = 0, pos = 0, used;
	enum rn_err		 e = RN_OK;

	if (size < 1)
		return 0;
	chunk = (size_t)data[0] * 7u + 1u;
	buf = (const char *)data + 1;
	size--;
	if ((p = rn_torctl_parser_new()) == NULL)
		return 0;
	while (pos < size) {
		avail = avail + chunk > size - pos ? size - pos : avail + chunk;
		e = rn_torctl_parser_feed(p, buf + pos, avail, &used, &r);
		if (used > avail || (used > 0 && buf[pos + used - 1] != '\n'))
			abort();
		if (e == RN_OK) {
			check_reply(r);
			rn_torctl_reply_free(r);
		} else if (e != RN_ERR_AGAIN) {
			break;
		} else if (used == 0 && avail == size - pos) {
			break; /* a partial line at the end */
		}
		pos += used;
		avail -= used;
	}
	rn_torctl_parser_free(p);
	return 0;
}
