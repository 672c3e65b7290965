// SPDX-License-Identifier: MIT
/*
 * fuzz_trailer.c - libFuzzer target: any bytes through
 * ipe_eng_appended_split(), checked against a reference that follows the
 * module's original check (struct module_signature read field by field),
 * for the lengths adding up, for the tail being exactly what
 * ipe_eng_appended_tail() writes, and for a round trip: the input with a
 * tail appended splits where it was cut.
 *
 *   make -C tests/engine fuzz-run-trailer FUZZ_SECONDS=3600
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipe_engine.h"

static const char magic[] = "~IPE policy signature appended~\n";

/* The module's ipe_lkm_appended_text() as first written, for comparison. */
static int ref_split(const u8 *blob, size_t len, size_t *textlen,
		     size_t *siglen)
{
	const size_t m = sizeof(magic) - 1;
	struct {
		u8 algo, hash, id_type, signer_len, key_id_len, pad[3];
		u8 be[4];
	} ms;
	size_t sl;

	if (len < m || memcmp(blob + len - m, magic, m))
		return -ENODATA;
	len -= m;
	if (len < sizeof(ms))
		return -EBADMSG;
	memcpy(&ms, blob + len - sizeof(ms), sizeof(ms));
	len -= sizeof(ms);
	if (ms.id_type != 2)
		return -ENOPKG;
	if (ms.algo || ms.hash || ms.signer_len || ms.key_id_len ||
	    ms.pad[0] || ms.pad[1] || ms.pad[2])
		return -EBADMSG;
	sl = ((size_t)ms.be[0] << 24) + ((size_t)ms.be[1] << 16) +
	     ((size_t)ms.be[2] << 8) + ms.be[3];
	if (sl == 0 || sl > len)
		return -EBADMSG;
	*textlen = len - sl;
	*siglen = sl;
	return 0;
}

static void round_trip(const u8 *data, size_t size)
{
	size_t cut = size ? data[0] % (size + 1) : 0, tl = 1, sl = 1;
	u8 *blob;

	if (cut == size || size > 0xffffffffu)
		return;		/* a signature of 0 bytes is refused */
	blob = malloc(size + IPE_ENG_SIG_TAIL_LEN);
	if (!blob)
		abort();
	memcpy(blob, data, size);
	ipe_eng_appended_tail((u32)(size - cut), blob + size);
	if (ipe_eng_appended_split(blob, size + IPE_ENG_SIG_TAIL_LEN, &tl, &sl) ||
	    tl != cut || sl != size - cut)
		abort();
	free(blob);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const size_t m = IPE_ENG_SIG_MAGIC_LEN;
	size_t tl = 0x5a5a, sl = 0xa5a5, rtl = 0, rsl = 0;
	u8 tail[IPE_ENG_SIG_TAIL_LEN];
	int rc, rrc;

	rc = ipe_eng_appended_split(data, size, &tl, &sl);
	rrc = ref_split(data, size, &rtl, &rsl);
	if (rc != rrc)
		abort();
	if ((rc == -ENODATA) != (size < m || memcmp(data + size - m, magic, m)))
		abort();
	if (rc) {
		if (rc != -ENODATA && rc != -ENOPKG && rc != -EBADMSG)
			abort();
		if (tl != 0x5a5a || sl != 0xa5a5)
			abort();	/* written on error */
	} else {
		if (tl != rtl || sl != rsl || !sl ||
		    tl + sl + IPE_ENG_SIG_TAIL_LEN != size)
			abort();
		ipe_eng_appended_tail((u32)sl, tail);
		if (memcmp(tail, data + tl + sl, sizeof(tail)))
			abort();
	}
	round_trip(data, size);
	return 0;
}
