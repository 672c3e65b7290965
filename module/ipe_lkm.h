/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ipe_lkm.h - what the module's files share.
 */
#ifndef IPE_LKM_H
#define IPE_LKM_H

#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <crypto/sha2.h>
#include <linux/crypto.h>

#include "engine/ipe_engine.h"

/* The LSM hook an evaluation came from, as audited (upstream's order). */
enum ipe_lkm_hook {
	IPE_LKM_HOOK_BPRM_CHECK = 0,
	IPE_LKM_HOOK_MMAP,
	IPE_LKM_HOOK_MPROTECT,
	IPE_LKM_HOOK_KERNEL_READ,
	IPE_LKM_HOOK_KERNEL_LOAD,
	__IPE_LKM_HOOK_MAX,
};

struct ipe_lkm_policyfs;

/*
 * The end of a policy with an appended signature (docs/policy-formats.md):
 * text, detached PKCS#7, struct module_signature, this.  Not the module
 * signature's string, so neither is ever taken for the other.
 */
#define IPE_LKM_SIG_MAGIC "~IPE policy signature appended~\n"

/* Largest write to new_policy or update (either format). */
#define IPE_LKM_MAX_POLICY (64u << 20)

/**
 * struct ipe_lkm_policy - a loaded policy.
 * @parsed: the engine's policy.
 * @text: the policy text: inside @pkcs7 (the PKCS#7 content, or the text
 *	before an appended signature), or the boot policy.
 * @textlen: bytes at @text.
 * @pkcs7: the signed blob as written, either format (kvmalloc'ed); NULL
 *	for the boot policy.
 * @pkcs7len: bytes at @pkcs7.
 * @digest: SHA-256 of @pkcs7 (of nothing for the boot policy), for audit.
 * @fs: its securityfs directory, NULL while it has none.
 */
struct ipe_lkm_policy {
	struct ipe_eng_policy *parsed;
	const char *text;
	size_t textlen;
	u8 *pkcs7;
	size_t pkcs7len;
	u8 digest[SHA256_DIGEST_SIZE];
	struct ipe_lkm_policyfs *fs;
};

/* policy.c */
extern struct ipe_lkm_policy __rcu *ipe_lkm_active_policy;
extern struct mutex ipe_lkm_policy_lock;
extern bool ipe_lkm_enforce;
extern bool ipe_lkm_success_audit;

struct ipe_lkm_policy *ipe_lkm_new_policy(const char *text, size_t textlen,
					  u8 *blob, size_t bloblen);
int ipe_lkm_appended_text(const u8 *blob, size_t len, size_t *textlen,
			  size_t *siglen);
void ipe_lkm_free_policy(struct ipe_lkm_policy *p);
int ipe_lkm_set_active(struct ipe_lkm_policy *p);
int ipe_lkm_update_policy(struct inode *dir, u8 *blob, size_t len);
int ipe_lkm_load_boot_policy(void);
void ipe_lkm_policy_exit(void);
void ipe_lkm_pin_update(void);

/* keys.c */
int ipe_lkm_keys_init(void);
void ipe_lkm_keys_exit(void);
int ipe_lkm_verify_pkcs7(const u8 *msg, size_t len,
			 int (*view)(void *ctx, const void *data, size_t len,
				     size_t asn1hdrlen),
			 void *ctx);
int ipe_lkm_verify_detached(const u8 *data, size_t datalen, const u8 *sig,
			    size_t siglen);

/* fs.c */
int ipe_lkm_fs_init(void);
void ipe_lkm_fs_exit(void);
int ipe_lkm_new_policyfs_node(struct ipe_lkm_policy *p);
void ipe_lkm_del_policyfs_node(struct ipe_lkm_policy *p);
extern char *ipe_lkm_tree_name;

/* decide.c */
int ipe_lkm_decide(struct file *file, enum ipe_eng_op op,
		   enum ipe_lkm_hook hook);

/* props.c */
struct ipe_lkm_file_props {
	struct ipe_eng_file_props props;
	struct ipe_eng_digest fsv;
	struct ipe_eng_digest dmv;
	u8 fsv_bytes[64];
	u8 dmv_bytes[64];	/* 6.1: parsed from the verity table line */
	char dmv_alg[CRYPTO_MAX_ALG_NAME];
};

extern u32 ipe_lkm_unsupported;
int ipe_lkm_file_props(struct file *file, u32 need,
		       struct ipe_lkm_file_props *fp);
int ipe_lkm_props_init(void);
void ipe_lkm_props_exit(void);

/* hooks.c */
struct ftrace_ops;
int ipe_lkm_ftrace_attach(struct ftrace_ops *ops, const char *name);
void ipe_lkm_ftrace_detach(struct ftrace_ops *ops);
int ipe_lkm_hooks_init(void);
void ipe_lkm_hooks_exit(void);
int ipe_lkm_hooks_selftest(void);

/* audit.c */
void ipe_lkm_audit_match(const struct ipe_eng_match *m, struct file *file,
			 enum ipe_lkm_hook hook);
void ipe_lkm_audit_policy_load(const struct ipe_lkm_policy *p);
void ipe_lkm_audit_activation(const struct ipe_lkm_policy *op,
			      const struct ipe_lkm_policy *np);
void ipe_lkm_audit_enforce(bool new_enforce, bool old_enforce);

/* compat.c */
int ipe_lkm_compat_init(void);
int ipe_lkm_dm_init(void);
int ipe_lkm_dm_props(struct block_device *bdev, struct ipe_lkm_file_props *fp);
int ipe_lkm_fsverity_digest(struct inode *inode, u8 *buf, size_t size,
			    const char **alg, u32 *len);

#endif /* IPE_LKM_H */
