/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * ipe_engine.h - upstream IPE's policy language: parse, evaluate, render.
 *
 * The engine is built unchanged into the kernel module and into ipectl.  It
 * includes nothing but "ipe_engine_deps.h", which each environment provides
 * (module/ipe_engine_deps.h for Kbuild, userspace/lib/ipe_engine_deps.h for
 * userspace): fixed-width types, bool, errno values, static_assert, mem*
 * functions and the allocator.  Nothing here tests __KERNEL__ or CONFIG_*.
 *
 * Semantics follow security/ipe/ of Linux 6.12 exactly, including every
 * errno of the parser; the engine adds what upstream does not give (the
 * line, column and token of an error, and a digest index).  It also holds
 * the two other readers the module and ipectl must agree on: of a
 * dm-verity table line, and of the appended-signature format's tail.
 */
#ifndef IPE_ENGINE_H
#define IPE_ENGINE_H

#include "ipe_engine_deps.h"

/* Operations, in upstream's order (its audit and table order). */
enum ipe_eng_op {
	IPE_ENG_OP_EXECUTE = 0,
	IPE_ENG_OP_FIRMWARE,
	IPE_ENG_OP_KMODULE,
	IPE_ENG_OP_KEXEC_IMAGE,
	IPE_ENG_OP_KEXEC_INITRAMFS,
	IPE_ENG_OP_POLICY,
	IPE_ENG_OP_X509,
	__IPE_ENG_OP_MAX,
	/* an op the kernel could not classify: decided by the global DEFAULT */
	IPE_ENG_OP_INVALID = __IPE_ENG_OP_MAX,
};

enum ipe_eng_action {
	IPE_ENG_ACTION_INVALID = 0,
	IPE_ENG_ACTION_ALLOW,
	IPE_ENG_ACTION_DENY,
};

/* Property types, in upstream's order. */
enum ipe_eng_prop_type {
	IPE_ENG_PROP_BOOT_VERIFIED_FALSE = 0,
	IPE_ENG_PROP_BOOT_VERIFIED_TRUE,
	IPE_ENG_PROP_DMV_ROOTHASH,
	IPE_ENG_PROP_DMV_SIG_FALSE,
	IPE_ENG_PROP_DMV_SIG_TRUE,
	IPE_ENG_PROP_FSV_DIGEST,
	IPE_ENG_PROP_FSV_SIG_FALSE,
	IPE_ENG_PROP_FSV_SIG_TRUE,
	__IPE_ENG_PROP_MAX,
};

/* What decided an evaluation (upstream's enum ipe_match). */
enum ipe_eng_match_type {
	IPE_ENG_MATCH_RULE = 0,
	IPE_ENG_MATCH_TABLE,	/* the op's DEFAULT */
	IPE_ENG_MATCH_GLOBAL,	/* the global DEFAULT */
};

/**
 * struct ipe_eng_digest - an algorithm-qualified digest.
 * @alg: NUL-terminated algorithm name, compared case-sensitively.
 * @digest: the digest bytes.
 * @len: number of bytes at @digest (may be 0).
 */
struct ipe_eng_digest {
	const char *alg;
	const u8 *digest;
	u32 len;
};

/**
 * struct ipe_eng_prop - one key=value of a rule.
 * @type: which property.
 * @digest: the value of DMV_ROOTHASH and FSV_DIGEST, else unused.
 */
struct ipe_eng_prop {
	enum ipe_eng_prop_type type;
	struct ipe_eng_digest digest;
};

/* struct ipe_eng_rule.shape besides a property type (its only property) */
#define IPE_ENG_SHAPE_NONE 0xfe		/* no property: always matches */
#define IPE_ENG_SHAPE_MANY 0xff		/* the general form, see @at */

/* Longest digest a one-digest rule keeps in its compact form. */
#define IPE_ENG_ONE_DIGEST_MAX 64
/* Most (algorithm, length) pairs of one-digest rules a policy interns. */
#define IPE_ENG_KINDS_MAX 16

/**
 * struct ipe_eng_rule - one non-DEFAULT rule, in 12 bytes.
 * @line: 1-based line of the rule in the policy text.
 * @at: for a rule of one digest property, the offset in the policy text of
 *	its hex digits; for IPE_ENG_SHAPE_MANY, private to the engine.
 * @op: the rule's operation.
 * @action: ALLOW or DENY.
 * @shape: the enum ipe_eng_prop_type of its only property, or
 *	IPE_ENG_SHAPE_NONE, or IPE_ENG_SHAPE_MANY (properties stored apart:
 *	more than one, or one digest longer than IPE_ENG_ONE_DIGEST_MAX or
 *	of an (algorithm, length) beyond the first IPE_ENG_KINDS_MAX).
 * @kind: for a one-digest rule, its (algorithm, length) in the policy's
 *	table of them.
 *
 * Read its properties with ipe_eng_rule_nprops() and ipe_eng_rule_prop():
 * a digest rule keeps no copy of its digest, only where the text has it.
 */
struct ipe_eng_rule {
	u32 line;
	u32 at;
	u8 op;
	u8 action;
	u8 shape;
	u8 kind;
};

struct ipe_eng_index;
struct ipe_eng_many;

/**
 * struct ipe_eng_op_table - the DEFAULT of one operation, how to find its
 * rules.
 * @default_action: the op's DEFAULT, or IPE_ENG_ACTION_INVALID.
 * @default_line: 1-based line of the op's DEFAULT, 0 without one.
 * @props_used: the properties its rules test, as (1 << enum
 *	ipe_eng_prop_type): a caller need not derive the others.
 * @nrules: number of rules of this op.
 * @nplain: number of entries at @plain.
 * @plain: the rules that the index does not hold, as indexes into the
 *	policy's @rules, in file order.
 * @index: the one-digest rules, or NULL when there are none.
 */
struct ipe_eng_op_table {
	enum ipe_eng_action default_action;
	u32 default_line;
	u32 props_used;
	u32 nrules;
	u32 nplain;
	const u32 *plain;
	struct ipe_eng_index *index;
};

/* An interned (algorithm, length) of one-digest rules. */
struct ipe_eng_kind {
	const char *alg;	/* NUL-terminated once parsed */
	u32 alg_len;
	u32 len;
};

/**
 * struct ipe_eng_policy - a parsed policy.
 * @name: the policy_name value.
 * @version: major, minor, revision.
 * @global_default: the global DEFAULT, or IPE_ENG_ACTION_INVALID.
 * @global_default_line: 1-based line of the global DEFAULT, 0 without one.
 * @nrules: number of rules of all ops.
 * @rules: every rule, in file order: rule i is deciding slot i.
 * @tables: one per op.
 *
 * Immutable once ipe_eng_parse() returns it; evaluation takes no lock.  It
 * reads the text it was parsed from, which must outlive it unchanged.
 */
struct ipe_eng_policy {
	const char *name;
	u16 version[3];
	enum ipe_eng_action global_default;
	u32 global_default_line;
	u32 nrules;
	const struct ipe_eng_rule *rules;
	struct ipe_eng_op_table tables[__IPE_ENG_OP_MAX];
	/* private: */
	const char *text;		/* the caller's: digests point into it */
	struct ipe_eng_rule *rule_store;
	struct ipe_eng_many *many;	/* the IPE_ENG_SHAPE_MANY rules */
	struct ipe_eng_prop *prop_store;
	char *byte_store;
	u32 *plain_store;
	u32 nkinds;
	struct ipe_eng_kind kinds[IPE_ENG_KINDS_MAX];
};

/**
 * struct ipe_eng_prop_buf - room for a property ipe_eng_rule_prop() makes.
 * @prop: the property.
 * @digest: its digest bytes, when it has them from a one-digest rule.
 */
struct ipe_eng_prop_buf {
	struct ipe_eng_prop prop;
	u8 digest[IPE_ENG_ONE_DIGEST_MAX];
};

/**
 * struct ipe_eng_error - where and why parsing failed.
 * @err: the negative errno the kernel returns for this policy.
 * @line: 1-based line (CR LF counts as one line break), 0 if not tied to one.
 * @column: 1-based byte column of @token in its line, 0 if none.
 * @token: the offending token (not NUL-terminated), NULL if none.
 * @token_len: bytes at @token.
 * @msg: a static, human-readable description.
 */
struct ipe_eng_error {
	int err;
	u32 line;
	u32 column;
	const char *token;
	u32 token_len;
	const char *msg;
};

/* Called for every error when parsing with IPE_ENG_PARSE_ALL_ERRORS. */
typedef void (*ipe_eng_error_fn)(void *arg, const struct ipe_eng_error *e);

/* Keep going after a bad rule line, reporting each error to the callback. */
#define IPE_ENG_PARSE_ALL_ERRORS 0x1u

/**
 * struct ipe_eng_file_props - the trust properties of one file.
 * @boot_verified: the file is on the initramfs superblock.
 * @dmv_signed: its block device's dm-verity root hash was signature-verified.
 * @fsv_signed: it is an fs-verity file whose built-in signature verified.
 * @dmv_roothash: the dm-verity root hash of its device, NULL if none.
 * @fsv_digest: its fs-verity digest, NULL if it is not a verity file.
 *
 * A zeroed struct describes "no file" (anonymous memory, a kernel buffer):
 * upstream evaluates that case exactly like a file with no trust at all.
 */
struct ipe_eng_file_props {
	bool boot_verified;
	bool dmv_signed;
	bool fsv_signed;
	const struct ipe_eng_digest *dmv_roothash;
	const struct ipe_eng_digest *fsv_digest;
};

/**
 * struct ipe_eng_ctx - what is being decided.
 * @op: the operation (IPE_ENG_OP_INVALID for one the kernel cannot map).
 * @file: the file's properties, NULL when there is no file.
 * @unsupported: bitmask of (1 << enum ipe_eng_prop_type) this environment
 *	cannot derive; as upstream with the Kconfig off, both the TRUE and the
 *	FALSE form of such a property then never match.
 */
struct ipe_eng_ctx {
	enum ipe_eng_op op;
	const struct ipe_eng_file_props *file;
	u32 unsupported;
};

/**
 * struct ipe_eng_match - the outcome of an evaluation.
 * @action: ALLOW or DENY.
 * @type: what decided it.
 * @op: the op the decision was made for.
 * @rule: the matching rule for IPE_ENG_MATCH_RULE, else NULL.
 * @policy: the policy @rule is of (ipe_eng_render_match() reads it).
 */
struct ipe_eng_match {
	enum ipe_eng_action action;
	enum ipe_eng_match_type type;
	enum ipe_eng_op op;
	const struct ipe_eng_rule *rule;
	const struct ipe_eng_policy *policy;
};

int ipe_eng_parse(const char *text, size_t len, unsigned int flags,
		  ipe_eng_error_fn on_error, void *arg,
		  struct ipe_eng_policy **out, struct ipe_eng_error *first);
void ipe_eng_policy_free(struct ipe_eng_policy *p);

void ipe_eng_eval(const struct ipe_eng_policy *p,
		  const struct ipe_eng_ctx *ctx, struct ipe_eng_match *m);
bool ipe_eng_rule_matches(const struct ipe_eng_policy *p,
			  const struct ipe_eng_rule *r,
			  const struct ipe_eng_ctx *ctx);
u32 ipe_eng_rule_nprops(const struct ipe_eng_policy *p,
			const struct ipe_eng_rule *r);
const struct ipe_eng_prop *ipe_eng_rule_prop(const struct ipe_eng_policy *p,
					     const struct ipe_eng_rule *r,
					     u32 i, struct ipe_eng_prop_buf *buf);

/*
 * Deciding slots: one per thing that can decide an evaluation, to count
 * decisions by.  Slot i < nrules is the i-th rule in file order; then one
 * per op's DEFAULT (nrules + op); the last is the global DEFAULT, which
 * also decides, as ALLOW, what no DEFAULT covers (the invalid op).
 */
static inline u32 ipe_eng_nslots(const struct ipe_eng_policy *p)
{
	return p->nrules + __IPE_ENG_OP_MAX + 1;
}

u32 ipe_eng_match_slot(const struct ipe_eng_policy *p,
		       const struct ipe_eng_match *m);
u32 ipe_eng_slot_line(const struct ipe_eng_policy *p, u32 slot);
void ipe_eng_slot_match(const struct ipe_eng_policy *p, u32 slot,
			struct ipe_eng_match *m);
u32 ipe_eng_nlisted(const struct ipe_eng_policy *p);
u32 ipe_eng_listed_slot(const struct ipe_eng_policy *p, u32 k);

/* Rendering flavours for ipe_eng_render_match(). */
enum ipe_eng_render_style {
	/* as policy text: fsverity_digest=sha256:ab12... */
	IPE_ENG_RENDER_POLICY = 0,
	/* as the rule="..." of audit record 1420: alg quoted, hex upper case */
	IPE_ENG_RENDER_AUDIT,
};

size_t ipe_eng_render_match(const struct ipe_eng_match *m,
			    enum ipe_eng_render_style style,
			    char *buf, size_t size);

const char *ipe_eng_op_name(enum ipe_eng_op op);
const char *ipe_eng_action_name(enum ipe_eng_action a);
int ipe_eng_version_cmp(const u16 a[3], const u16 b[3]);
int ipe_eng_parse_version(const char *s, size_t len, u16 version[3]);
int ipe_eng_check_name(const char *name);
int ipe_eng_parse_op(const char *s, enum ipe_eng_op *op);
u32 ipe_eng_props_used(const struct ipe_eng_policy *p, enum ipe_eng_op op);

/* Groups of enum ipe_eng_prop_type bits, as a file's properties are read. */
#define IPE_ENG_PROPS_BOOT_VERIFIED                                        \
	(1u << IPE_ENG_PROP_BOOT_VERIFIED_FALSE |                          \
	 1u << IPE_ENG_PROP_BOOT_VERIFIED_TRUE)
#define IPE_ENG_PROPS_DMVERITY                                             \
	(1u << IPE_ENG_PROP_DMV_ROOTHASH | 1u << IPE_ENG_PROP_DMV_SIG_FALSE |  \
	 1u << IPE_ENG_PROP_DMV_SIG_TRUE)
#define IPE_ENG_PROPS_FSVERITY                                             \
	(1u << IPE_ENG_PROP_FSV_DIGEST | 1u << IPE_ENG_PROP_FSV_SIG_FALSE |    \
	 1u << IPE_ENG_PROP_FSV_SIG_TRUE)

#define IPE_ENG_DMV_ALG_MAX 128		/* the kernel's CRYPTO_MAX_ALG_NAME */
#define IPE_ENG_DMV_DIGEST_MAX 64
/*
 * Most optional arguments a verity table takes: 6.12's DM_VERITY_OPTS_MAX
 * with FEC and root hash signatures built in (5 + 8 + 2; 6.1's is 14).
 */
#define IPE_ENG_DMV_OPTS_MAX 15

/**
 * struct ipe_eng_dmv_root - what a dm-verity table line says about trust.
 * @alg: the hash algorithm's name, NUL-terminated.
 * @digest: the root digest.
 * @len: bytes at @digest (at least 1).
 * @sig: the table has root_hash_sig_key_desc with its value, i.e. dm-verity
 *	verified a signature of the root hash before the table could load.
 * @verifies: every read is checked against the hash tree: false when the
 *	table has ignore_corruption (corrupt blocks are logged and returned),
 *	ignore_zero_blocks (blocks whose hash is the zero block's are returned
 *	as zeroes unread) or check_at_most_once (a block is checked on its
 *	first read only).  A caller must then treat the device as having no
 *	root hash and no signature, whatever @digest and @sig say.
 */
struct ipe_eng_dmv_root {
	char alg[IPE_ENG_DMV_ALG_MAX];
	u8 digest[IPE_ENG_DMV_DIGEST_MAX];
	u32 len;
	bool sig;
	bool verifies;
};

int ipe_eng_dmv_parse_table(const char *line, size_t len,
			    struct ipe_eng_dmv_root *root);

/*
 * The appended-signature format (docs/policy-formats.md): the policy text,
 * a detached PKCS#7 of it, a trailer laid out as the kernel's struct
 * module_signature (<linux/module_signature.h>, which the engine cannot
 * include), then this magic string: not the module's, so that a signed
 * module is never taken for a signed policy nor the other way round.
 */
#define IPE_ENG_SIG_MAGIC "~IPE policy signature appended~\n"
#define IPE_ENG_SIG_MAGIC_LEN (sizeof(IPE_ENG_SIG_MAGIC) - 1)
#define IPE_ENG_PKEY_ID_PKCS7 2		/* the kernel's PKEY_ID_PKCS7 */
#define IPE_ENG_SIG_TRAILER_LEN 12	/* sizeof(struct module_signature) */
/* trailer and magic: what follows the signature */
#define IPE_ENG_SIG_TAIL_LEN (IPE_ENG_SIG_TRAILER_LEN + IPE_ENG_SIG_MAGIC_LEN)

/**
 * struct ipe_eng_sig_trailer - struct module_signature, byte by byte.
 * @algo: 0 (the kernel's "public-key crypto algorithm", unused for PKCS#7).
 * @hash: 0.
 * @id_type: IPE_ENG_PKEY_ID_PKCS7.
 * @signer_len: 0.
 * @key_id_len: 0.
 * @pad: 0.
 * @sig_len: length of the signature before the trailer, big-endian (the
 *	kernel's __be32; bytes here, so the struct has no alignment).
 */
struct ipe_eng_sig_trailer {
	u8 algo;
	u8 hash;
	u8 id_type;
	u8 signer_len;
	u8 key_id_len;
	u8 pad[3];
	u8 sig_len[4];
};

int ipe_eng_appended_split(const u8 *blob, size_t len, size_t *textlen,
			   size_t *siglen);
void ipe_eng_appended_tail(u32 siglen, u8 *tail);

/* What a policy file holds: see ipe_eng_policy_form(). */
enum ipe_eng_policy_form {
	/* neither form below: plain text, which no kernel takes unsigned */
	IPE_ENG_FORM_TEXT,
	/* upstream's: a PKCS#7 (DER) message with the text inside */
	IPE_ENG_FORM_PKCS7,
	/* ipe_lkm's: the text, then a detached PKCS#7 and the trailer */
	IPE_ENG_FORM_APPENDED,
};

int ipe_eng_policy_form(const u8 *blob, size_t len, size_t *textlen,
			size_t *siglen);

#endif /* IPE_ENGINE_H */
