// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * trailer.c - the appended-signature format's tail: find the text and the
 * detached PKCS#7 of a signed policy, and write the tail that ends one.
 *
 * The format (docs/policy-formats.md) is the kernel's for signed modules
 * with a magic string of its own: text, detached PKCS#7 of the text, a
 * struct module_signature, IPE_ENG_SIG_MAGIC.  The module and ipectl both
 * read it with ipe_eng_appended_split(), so they agree on every blob.
 */
#include "engine_priv.h"

static_assert(sizeof(struct ipe_eng_sig_trailer) == IPE_ENG_SIG_TRAILER_LEN,
	      "the trailer is struct module_signature: 12 bytes, no padding");
static_assert(IPE_ENG_SIG_MAGIC_LEN == 32, "the magic is 32 bytes, no NUL");

/**
 * ipe_eng_appended_split() - where the text and signature of an
 * appended-signature blob are, checked as the kernel checks a module's
 * signature trailer (mod_check_sig(), which is not exported).
 * @blob: the bytes written.
 * @len: bytes at @blob.
 * @textlen: set on success: the text's length (the text starts at @blob).
 * @siglen: set on success: the length of the detached PKCS#7, which starts
 *	at @blob + *@textlen.
 *
 * On success *@textlen + *@siglen + IPE_ENG_SIG_TAIL_LEN == @len; on error
 * neither is written.  The signature itself is not looked at.
 *
 * Context: any; does not allocate or sleep.
 * Return: 0; -ENODATA when @blob does not end with IPE_ENG_SIG_MAGIC (not
 * this format: a PKCS#7 message with the text inside, or anything else);
 * -ENOPKG for an id_type other than IPE_ENG_PKEY_ID_PKCS7 (as for modules);
 * -EBADMSG for any other malformed trailer: fewer than
 * IPE_ENG_SIG_TRAILER_LEN bytes before the magic, a non-zero algo, hash,
 * signer_len, key_id_len or padding byte, a sig_len of 0 or larger than the
 * bytes before the trailer.
 */
int ipe_eng_appended_split(const u8 *blob, size_t len, size_t *textlen,
			   size_t *siglen)
{
	const struct ipe_eng_sig_trailer *t;
	size_t sl;

	if (len < IPE_ENG_SIG_MAGIC_LEN ||
	    memcmp(blob + len - IPE_ENG_SIG_MAGIC_LEN, IPE_ENG_SIG_MAGIC,
		   IPE_ENG_SIG_MAGIC_LEN))
		return -ENODATA;
	len -= IPE_ENG_SIG_MAGIC_LEN;
	if (len < sizeof(*t))
		return -EBADMSG;
	len -= sizeof(*t);
	/* every member is a byte: no alignment is needed to read it */
	t = (const struct ipe_eng_sig_trailer *)(blob + len);
	if (t->id_type != IPE_ENG_PKEY_ID_PKCS7)
		return -ENOPKG;
	if (t->algo || t->hash || t->signer_len || t->key_id_len ||
	    t->pad[0] || t->pad[1] || t->pad[2])
		return -EBADMSG;
	sl = (size_t)t->sig_len[0] << 24 | (size_t)t->sig_len[1] << 16 |
	     (size_t)t->sig_len[2] << 8 | t->sig_len[3];
	if (!sl || sl > len)
		return -EBADMSG;
	*textlen = len - sl;
	*siglen = sl;
	return 0;
}

/**
 * ipe_eng_policy_form() - is a policy blob signed, and how: the one answer
 * the module (what is written to its tree) and ipectl (what it is given)
 * both use.
 * @blob: the bytes.
 * @len: bytes at @blob.
 * @textlen: for IPE_ENG_FORM_APPENDED, as ipe_eng_appended_split().
 * @siglen: likewise.
 *
 * A blob ending with IPE_ENG_SIG_MAGIC is the appended form, well-formed
 * or not; one starting as a DER SEQUENCE with a long-form length (every
 * PKCS#7 signedData is longer than 127 bytes; no policy text starts with
 * '0' and a byte above 0x7f) is PKCS#7; anything else is text.  The
 * signature itself is not looked at.
 *
 * Context: any; does not allocate or sleep.
 * Return: an enum ipe_eng_policy_form, or the negative errno of
 * ipe_eng_appended_split() for a malformed trailer.
 */
int ipe_eng_policy_form(const u8 *blob, size_t len, size_t *textlen,
			size_t *siglen)
{
	int rc = ipe_eng_appended_split(blob, len, textlen, siglen);

	if (!rc)
		return IPE_ENG_FORM_APPENDED;
	if (rc != -ENODATA)
		return rc;
	if (len >= 2 && blob[0] == 0x30 && blob[1] >= 0x80)
		return IPE_ENG_FORM_PKCS7;
	return IPE_ENG_FORM_TEXT;
}

/**
 * ipe_eng_appended_tail() - the bytes that follow the detached signature.
 * @siglen: the signature's length in bytes.
 * @tail: IPE_ENG_SIG_TAIL_LEN bytes to fill: the trailer (id_type PKCS#7,
 *	big-endian @siglen, every other field 0), then IPE_ENG_SIG_MAGIC.
 *
 * Text, then @siglen bytes of signature, then @tail is a blob that
 * ipe_eng_appended_split() takes apart into the same two lengths, for any
 * @siglen but 0 (which it refuses).
 *
 * Context: any.
 */
void ipe_eng_appended_tail(u32 siglen, u8 *tail)
{
	struct ipe_eng_sig_trailer t = {
		.id_type = IPE_ENG_PKEY_ID_PKCS7,
		.sig_len = { (u8)(siglen >> 24), (u8)(siglen >> 16),
			     (u8)(siglen >> 8), (u8)siglen },
	};

	memcpy(tail, &t, sizeof(t));
	memcpy(tail + sizeof(t), IPE_ENG_SIG_MAGIC, IPE_ENG_SIG_MAGIC_LEN);
}
