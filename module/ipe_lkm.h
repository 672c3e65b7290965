/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ipe_lkm.h - what the module's files share.
 */
#ifndef IPE_LKM_H
#define IPE_LKM_H

#include <linux/fs.h>
#include <linux/ftrace.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#if __has_include(<crypto/sha2.h>)
#include <crypto/sha2.h>
#else
#include <crypto/sha.h>		/* 5.10 */
#endif
#include <linux/crypto.h>

#include "engine/ipe_engine.h"

/* The LSM hook an evaluation came from, as audited (upstream's order). */
enum ipe_lkm_hook {
	IPE_LKM_HOOK_BPRM_CHECK = 0,
	IPE_LKM_HOOK_BPRM_CREDS_FOR_EXEC,	/* AT_EXECVE_CHECK, 6.14+ */
	IPE_LKM_HOOK_MMAP,
	IPE_LKM_HOOK_MPROTECT,
	IPE_LKM_HOOK_KERNEL_READ,
	IPE_LKM_HOOK_KERNEL_LOAD,
	__IPE_LKM_HOOK_MAX,
};

struct ipe_lkm_policyfs;

/* hits.c: per-CPU counters of a policy's deciding slots. */
#define IPE_LKM_HITS_CHUNK 2048u

/**
 * struct ipe_lkm_hits - how often each slot of a policy decided.
 * @nslots: ipe_eng_nslots() of the policy.
 * @nchunks: entries at @chunk.
 * @chunk: per-CPU arrays of IPE_LKM_HITS_CHUNK counters (the last may be
 *	shorter); slot s is @chunk[s / IPE_LKM_HITS_CHUNK][s % ...].
 *
 * Immutable but for the counters (see hits.c for who writes them when).
 */
struct ipe_lkm_hits {
	u32 nslots;
	u32 nchunks;
	u64 __percpu *chunk[];
};

struct ipe_lkm_hits *ipe_lkm_hits_alloc(const struct ipe_eng_policy *p);
void ipe_lkm_hits_free(struct ipe_lkm_hits *h);
void ipe_lkm_hits_reset(struct ipe_lkm_hits *h);
u64 ipe_lkm_hits_sum(const struct ipe_lkm_hits *h, u32 slot);

/*
 * Count a decision of slot @slot: on this CPU, without a lock.  Context:
 * any, under rcu_read_lock() on the policy owning @h.  (IPE_LKM_NO_HITS:
 * bench/ only, to measure what counting costs.)
 */
static inline void ipe_lkm_hits_inc(struct ipe_lkm_hits *h, u32 slot)
{
#ifndef IPE_LKM_NO_HITS
	this_cpu_inc(h->chunk[slot / IPE_LKM_HITS_CHUNK]
			     [slot % IPE_LKM_HITS_CHUNK]);
#endif
}

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
 * @list: in the list of loaded policies (policy.c), under
 *	ipe_lkm_policy_lock.
 * @fs: its securityfs directory (fs.c), NULL while it has none; read and
 *	written by fs.c under that directory's inode lock.
 * @hits: how often each of its rules and DEFAULTs decided (hits.c).
 * @id: unique among the policies loaded since the module was (fs.c tells
 *	a policy from its update by it, even at the same address).
 *
 * Everything but @list, @fs and the counters of @hits is immutable once
 * the policy is listed.  A
 * listed policy is freed only after it has been unlisted and an RCU grace
 * period has passed since it was last the active one.
 */
struct ipe_lkm_policy {
	struct ipe_eng_policy *parsed;
	const char *text;
	size_t textlen;
	u8 *pkcs7;
	size_t pkcs7len;
	u8 digest[SHA256_DIGEST_SIZE];
	struct list_head list;
	struct ipe_lkm_policyfs *fs;
	struct ipe_lkm_hits *hits;
	u64 id;
};

/*
 * policy.c
 *
 * ipe_lkm_active_policy is read by every hook with preemption disabled
 * (rcu_dereference_sched(), ipe_lkm_decide_quick(): a cached decision takes no
 * rcu_read_lock(), whose two calls were a tenth of its cost) or under
 * rcu_read_lock(), and written only under ipe_lkm_policy_lock; a policy is
 * freed after synchronize_rcu(), which waits for both kinds of reader.
 * ipe_lkm_policy_lock (a mutex) serialises every change or check of the
 * active pointer, of enforce, of the module pin and of the list of loaded
 * policies; it nests inside a policy directory's inode lock (fs.c), never
 * the other way round.
 * ipe_lkm_enforce and ipe_lkm_success_audit are read with READ_ONCE()
 * anywhere; enforce is written under ipe_lkm_policy_lock.
 */
extern struct ipe_lkm_policy __rcu *ipe_lkm_active_policy;
extern struct mutex ipe_lkm_policy_lock;
extern bool ipe_lkm_enforce;
extern bool ipe_lkm_success_audit;

struct ipe_lkm_policy *ipe_lkm_new_policy(const char *text, size_t textlen,
					  u8 *blob, size_t bloblen);
void ipe_lkm_free_policy(struct ipe_lkm_policy *p);
void ipe_lkm_add_policy(struct ipe_lkm_policy *p);
int ipe_lkm_unlist_policy(struct ipe_lkm_policy *p);
int ipe_lkm_replace_policy(struct ipe_lkm_policy *old,
			   struct ipe_lkm_policy *new);
int ipe_lkm_set_active(struct ipe_lkm_policy *p);
bool ipe_lkm_is_active(const struct ipe_lkm_policy *p);
void ipe_lkm_set_enforce(bool enforce);
int ipe_lkm_load_boot_policy(void);
void ipe_lkm_policy_start(void);
void ipe_lkm_policy_exit(void);

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
extern char *ipe_lkm_tree_name;

/* cache.c (the table, the lookup and the cache's own types: cache.h) */
int ipe_lkm_cache_init(void);
void ipe_lkm_cache_exit(void);
void ipe_lkm_cache_invalidate(void);
#ifdef IPE_LKM_FAULT_INJECTION
bool ipe_lkm_cache_bug(const char *what);
#else
static inline bool ipe_lkm_cache_bug(const char *what)
{
	return false;
}
#endif

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
		       struct ipe_lkm_file_props *fp, const char **prop,
		       bool *unwatched);
int ipe_lkm_props_init(void);
void ipe_lkm_props_exit(void);

/* props_fsverity.c */
int ipe_lkm_fsv_init(void);
void ipe_lkm_fsv_exit(void);
int ipe_lkm_fsv_digest(struct inode *inode, u8 *buf, size_t size,
		       const char **alg, u32 *len);
bool ipe_lkm_fsv_signed(struct inode *inode);

/* props_dm_live.c or props_dm_follow.c (Kbuild chooses) */
int ipe_lkm_dm_init(void);
void ipe_lkm_dm_exit(void);
int ipe_lkm_dm_root(struct block_device *bdev, struct ipe_eng_dmv_root *root,
		    bool *unwatched);

/* attach.c */

/**
 * struct ipe_lkm_call - one call of an attached function, at its entry.
 *
 * What ftrace hands a callback differs by kernel and architecture
 * (compat.h): the saved pt_regs (SAVE_REGS, or 5.10's callback), or an
 * ftrace_regs holding only the argument registers (arm64 from 6.2, x86
 * from 5.11).  The handlers read it through ipe_lkm_arg() and
 * ipe_lkm_redirect() alone.
 */
struct ipe_lkm_call {
#ifdef COMPAT_FTRACE_ARGS_ONLY
	struct ftrace_regs *fregs;
#else
	struct pt_regs *regs;
#endif
};

/* The @n-th argument (from 0) of the call, as an unsigned long. */
static inline unsigned long ipe_lkm_arg(const struct ipe_lkm_call *c,
					unsigned int n)
{
#ifdef COMPAT_FTRACE_ARGS_ONLY
	return compat_ftrace_regs_get_argument(c->fregs, n);
#else
	return regs_get_kernel_argument(c->regs, n);
#endif
}

/*
 * The call returns from @to in place of the attached function (which does
 * not run), to its caller, with @to's return value.  @to takes no
 * argument.  Only for functions attached with .redirects set.
 */
static inline void ipe_lkm_redirect(struct ipe_lkm_call *c, void *to)
{
#ifdef COMPAT_FTRACE_ARGS_ONLY
	compat_ftrace_regs_set_ip(c->fregs, (unsigned long)to);
#else
	instruction_pointer_set(c->regs, (unsigned long)to);
#endif
}

/*
 * IPE_LKM_CALLBACK(handler) defines handler_ftrace(), the ftrace callback
 * that hands @handler the call: ftrace reaches the handler without an
 * indirect call (a retpoline on most x86 machines), on the path every
 * exec and mmap takes.  IPE_LKM_FN() names it.
 */
#ifdef COMPAT_FTRACE_CALLBACK_PT_REGS
typedef struct pt_regs ipe_lkm_ftrace_arg;
#define IPE_LKM_CALL_INIT(a) { .regs = (a) }
#define IPE_LKM_CALL_OK(c) (!WARN_ON_ONCE(!(c)->regs))
#elif defined(COMPAT_FTRACE_ARGS_ONLY)
typedef struct ftrace_regs ipe_lkm_ftrace_arg;
#define IPE_LKM_CALL_INIT(a) { .fregs = (a) }
#define IPE_LKM_CALL_OK(c) true
#else
typedef struct ftrace_regs ipe_lkm_ftrace_arg;
#define IPE_LKM_CALL_INIT(a) { .regs = ftrace_get_regs(a) }
#define IPE_LKM_CALL_OK(c) (!WARN_ON_ONCE(!(c)->regs))
#endif

#define IPE_LKM_CALLBACK(handler)					\
static void handler##_ftrace(unsigned long ip, unsigned long parent_ip,\
			     struct ftrace_ops *ops,			\
			     ipe_lkm_ftrace_arg *arg)			\
{									\
	struct ipe_lkm_call c = IPE_LKM_CALL_INIT(arg);			\
									\
	if (IPE_LKM_CALL_OK(&c))					\
		handler(&c);						\
}

/**
 * struct ipe_lkm_fn - a kernel function the module attaches to.
 * @name: its symbol.
 * @func: its callback, made by IPE_LKM_CALLBACK() from a handler that
 *	must not sleep and must not call any attached function.
 * @redirects: the handler may call ipe_lkm_redirect() (IPMODIFY: then
 *	nothing else may redirect the function).
 * @attached: between ipe_lkm_attach_all() and ipe_lkm_detach_all().
 * @ops: its ftrace_ops, set up by ipe_lkm_attach_all().
 * @site: where one ftrace_ops serves every function (compat.h), the call
 *	site by which that ops's callback recognises this one.
 */
struct ipe_lkm_fn {
	const char *name;
	ftrace_func_t func;
	bool redirects;
	bool attached;
#ifndef COMPAT_FTRACE_SHARED_OPS
	struct ftrace_ops ops;
#else
	unsigned long site;
#endif
};

#define IPE_LKM_FN(fname, handler, ipmodify) \
	{ .name = fname, .func = handler##_ftrace, .redirects = ipmodify }

int ipe_lkm_attach_all(struct ipe_lkm_fn *fns, size_t n);
void ipe_lkm_detach_all(struct ipe_lkm_fn *fns, size_t n);
bool ipe_lkm_all_enabled(const struct ipe_lkm_fn *fns, size_t n);

/* hooks.c */
int ipe_lkm_hooks_init(void);
void ipe_lkm_hooks_exit(void);
int ipe_lkm_hooks_selftest(void);

/* audit.c */
void ipe_lkm_audit_match(const struct ipe_eng_match *m, struct file *file,
			 enum ipe_lkm_hook hook);
void ipe_lkm_audit_unavailable(enum ipe_eng_op op, struct file *file,
			       enum ipe_lkm_hook hook, const char *prop);
void ipe_lkm_audit_policy_load(const struct ipe_lkm_policy *p);
void ipe_lkm_audit_activation(const struct ipe_lkm_policy *op,
			      const struct ipe_lkm_policy *np);
void ipe_lkm_audit_enforce(bool new_enforce, bool old_enforce);

/*
 * fault.c, in test builds only (make IPE_LKM_FAULT_INJECTION=1): the
 * failure points of loading and unloading, chosen by the fail_at module
 * parameter ("what" or "what:name"; "?" logs every point passed).
 */
#ifdef IPE_LKM_FAULT_INJECTION
bool ipe_lkm_fault2(const char *what, const char *name);
bool ipe_lkm_fault_read(const char *prop);
#else
static inline bool ipe_lkm_fault2(const char *what, const char *name)
{
	return false;
}

static inline bool ipe_lkm_fault_read(const char *prop)
{
	return false;
}
#endif
#define ipe_lkm_fault(what) ipe_lkm_fault2(what, NULL)

/* compat.c */
unsigned long ipe_lkm_lookup_name(const char *name);

#endif /* IPE_LKM_H */
