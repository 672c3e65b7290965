// SPDX-License-Identifier: GPL-2.0-only
/*
 * props_fsverity.c - the fs-verity properties: fsverity_digest and
 * fsverity_signature.
 *
 * fsverity_signature: fsverity_verify_signature() runs for every
 * fsverity_info before it is published on an inode, with the built-in
 * signature's size, and a failed verification frees the info.  ipe_lkm
 * observes it and keeps a set of records of infos, so the mark belongs to
 * the content that was verified: an enable that fails after verifying
 * (ENOSPC writing the descriptor) frees its info, and a later unsigned
 * enable creates another one (at the same address, maybe: its creation
 * replaces the record).  The set is pruned when an info is freed and is
 * bounded (RECORDS_MAX): an info evicted from a full set counts as
 * unsigned and, on 5.10, as having no digest - never the other way round.
 *
 * fsverity_digest: fsverity_get_digest() on the real inode; exported from
 * 6.3 on, reached by name on 6.1 (only on kernels without IBT: compat.h).
 * 5.10 has no such function: there every info gets a record at its
 * creation, with the file digest computed from the descriptor that
 * fsverity_verify_signature() is handed (the on-disk format's hash of the
 * descriptor with sig_size zero, as fs-verity computes it), and a file
 * whose info was created before the module loaded has no digest until its
 * inode is evicted and opened again.
 *
 * The set is read under RCU by the hooks and written under rec_lock by the
 * callbacks below, which must not sleep and allocate with GFP_ATOMIC; an
 * allocation failure loses trust, never gains it.
 */
#include <linux/fs.h>
#include <linux/fsverity.h>
#include <linux/hashtable.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <crypto/hash.h>
#include <crypto/hash_info.h>

#include "ipe_lkm.h"

/*
 * At most this many fsverity_infos are remembered at once (test builds can
 * lower it, to show what eviction does).
 */
#define SIGNED_MAX 65536
#ifdef IPE_LKM_FAULT_INJECTION
static unsigned int signed_max = SIGNED_MAX;
module_param(signed_max, uint, 0400);
#else
#define signed_max SIGNED_MAX
#endif

#ifdef COMPAT_FSVERITY_DIGEST_AT_CREATION
/* The file digest of an info, from its descriptor (5.10). */
struct info_digest {
	int err;		/* could not be computed: -errno */
	enum hash_algo halg;
	u8 bytes[SHA512_DIGEST_SIZE];
};
#endif

struct info_rec {
	struct hlist_node node;		/* in rec_set */
	struct list_head age;		/* in rec_age, oldest first */
	struct rcu_head rcu;
	const struct fsverity_info *vi;
	bool is_signed;
#ifdef COMPAT_FSVERITY_DIGEST_AT_CREATION
	struct info_digest digest;
#endif
};

/*
 * rec_lock protects rec_set, rec_age and the counters; readers of rec_set
 * hold rcu_read_lock() instead.  Taken with interrupts off, alone.
 */
static DEFINE_SPINLOCK(rec_lock);
static DEFINE_HASHTABLE(rec_set, 10);
static LIST_HEAD(rec_age);
static unsigned int rec_count;
static unsigned long rec_evicted;

static struct info_rec *find_record(const struct fsverity_info *vi)
{
	struct info_rec *r;

	hash_for_each_possible_rcu(rec_set, r, node, (unsigned long)vi,
				   lockdep_is_held(&rec_lock)) {
		if (r->vi == vi)
			return r;
	}
	return NULL;
}

static void drop_record(struct info_rec *r)
{
	lockdep_assert_held(&rec_lock);
	hash_del_rcu(&r->node);
	list_del(&r->age);
	rec_count--;
	kfree_rcu(r, rcu);
}

/*
 * An info is being created: @r (NULL when none is kept or none could be
 * allocated) replaces whatever was recorded at its address.
 */
static void set_record(const struct fsverity_info *vi, struct info_rec *r)
{
	struct info_rec *old;
	unsigned long flags;

	spin_lock_irqsave(&rec_lock, flags);
	old = find_record(vi);
	if (old) {
		drop_record(old);
		ipe_lkm_cache_invalidate();
	}
	if (r) {
		if (rec_count >= signed_max && rec_count) {
			drop_record(list_first_entry(&rec_age,
						     struct info_rec, age));
			rec_evicted++;
			/*
			 * a live inode lost its record: its cached decision
			 * (cache.c) may have relied on it
			 */
			if (!ipe_lkm_cache_bug("fsverity"))
				ipe_lkm_cache_invalidate();
		}
		hash_add_rcu(rec_set, &r->node, (unsigned long)vi);
		list_add_tail(&r->age, &rec_age);
		rec_count++;
	}
	spin_unlock_irqrestore(&rec_lock, flags);
}

static struct info_rec *new_record(const struct fsverity_info *vi,
				  bool is_signed)
{
	struct info_rec *r = kzalloc(sizeof(*r), GFP_ATOMIC | __GFP_NOWARN);

	if (!r) {
		pr_warn_ratelimited("out of memory: an fs-verity file's %s is not recorded\n",
				    is_signed ? "verified signature" : "digest");
		return NULL;
	}
	r->vi = vi;
	r->is_signed = is_signed;
	return r;
}

/* An info is freed: cheap when it is not in the set (most are not). */
static void forget_record(const struct fsverity_info *vi)
{
	struct info_rec *r;
	unsigned long flags;
	bool present;

	if (!vi)
		return;
	rcu_read_lock();
	present = find_record(vi);
	rcu_read_unlock();
	if (!present)
		return;
	spin_lock_irqsave(&rec_lock, flags);
	r = find_record(vi);
	if (r)
		drop_record(r);
	spin_unlock_irqrestore(&rec_lock, flags);
}

static void drop_all_records(void)
{
	struct info_rec *r, *tmp;

	spin_lock_irq(&rec_lock);
	list_for_each_entry_safe(r, tmp, &rec_age, age)
		drop_record(r);
	spin_unlock_irq(&rec_lock);
}

#ifndef COMPAT_FSVERITY_DIGEST_AT_CREATION

/*
 * fsverity_verify_signature(vi, signature, sig_size), at entry: only
 * signed infos are kept.
 */
static void on_verify_signature(struct ipe_lkm_call *c)
{
	const struct fsverity_info *vi = (void *)ipe_lkm_arg(c, 0);
	bool is_signed = ipe_lkm_arg(c, 2) > 0;

	set_record(vi, is_signed ? new_record(vi, true) : NULL);
}

#else /* COMPAT_FSVERITY_DIGEST_AT_CREATION */

/* The on-disk fs-verity descriptor (Documentation/filesystems/fsverity.rst). */
struct fsv_descriptor {
	u8 version;
	u8 hash_algorithm;	/* FS_VERITY_HASH_ALG_* */
	u8 log_blocksize;
	u8 salt_size;
	__le32 sig_size;
	__le64 data_size;
	u8 root_hash[64];
	u8 salt[32];
	u8 reserved[144];
};

static_assert(sizeof(struct fsv_descriptor) == 256);

/* SHA-512 has no library function on 5.10: a transform made at load. */
static struct crypto_shash *sha512_tfm;

/* The file digest: the descriptor's hash with sig_size zero. */
static void descriptor_digest(const struct fsv_descriptor *desc,
			      struct info_digest *d)
{
	struct fsv_descriptor copy = *desc;

	copy.sig_size = 0;
	switch (desc->hash_algorithm) {
	case FS_VERITY_HASH_ALG_SHA256:
		d->halg = HASH_ALGO_SHA256;
		sha256((const u8 *)&copy, sizeof(copy), d->bytes);
		return;
	case FS_VERITY_HASH_ALG_SHA512:
		d->halg = HASH_ALGO_SHA512;
		if (sha512_tfm) {
			SHASH_DESC_ON_STACK(sd, sha512_tfm);

			sd->tfm = sha512_tfm;
			d->err = crypto_shash_digest(sd, (const u8 *)&copy,
						     sizeof(copy), d->bytes);
			shash_desc_zero(sd);
		} else {
			d->err = -ENOPKG;
		}
		return;
	default:
		d->err = -EINVAL;	/* fs-verity refuses the info anyway */
	}
}

/*
 * fsverity_verify_signature(vi, desc, desc_size) (5.10), at entry: every
 * info is kept, with its digest.
 */
static void on_verify_signature(struct ipe_lkm_call *c)
{
	const struct fsverity_info *vi = (void *)ipe_lkm_arg(c, 0);
	const struct fsv_descriptor *desc = (void *)ipe_lkm_arg(c, 1);
	struct info_rec *r;

	r = new_record(vi, le32_to_cpu(desc->sig_size) > 0);
	if (r)
		descriptor_digest(desc, &r->digest);
	set_record(vi, r);
}

#endif /* COMPAT_FSVERITY_DIGEST_AT_CREATION */

/* fsverity_free_info(vi): also the infos that never reached an inode */
static void on_free_info(struct ipe_lkm_call *c)
{
	forget_record((void *)ipe_lkm_arg(c, 0));
}

/* [__]fsverity_cleanup_inode(inode): an inode is evicted (compat.h) */
static void on_cleanup_inode(struct ipe_lkm_call *c)
{
	forget_record(fsverity_get_info((struct inode *)ipe_lkm_arg(c, 0)));
}

/**
 * ipe_lkm_fsv_signed() - was the fs-verity info of @inode created with a
 * verified built-in signature?
 * @inode: a verity inode (the real one).
 *
 * Context: under rcu_read_lock().
 */
bool ipe_lkm_fsv_signed(struct inode *inode)
{
	const struct fsverity_info *vi = fsverity_get_info(inode);
	const struct info_rec *r = vi ? find_record(vi) : NULL;

	return r && r->is_signed;
}

/* ------------------------------------------------------------ the digest */

#if defined(COMPAT_FSVERITY_DIGEST_AT_CREATION)

static int digest_init(void)
{
	sha512_tfm = crypto_alloc_shash("sha512", 0, 0);
	if (IS_ERR(sha512_tfm)) {
		pr_warn("no sha512 (%ld): fs-verity files hashed with it have no fsverity_digest\n",
			PTR_ERR(sha512_tfm));
		sha512_tfm = NULL;
	}
	return 0;
}

static void digest_exit(void)
{
	crypto_free_shash(sha512_tfm);	/* NULL is fine */
	sha512_tfm = NULL;
}

/* Context: under rcu_read_lock(). */
static int get_digest(struct inode *inode, u8 *buf, enum hash_algo *halg)
{
	const struct fsverity_info *vi = fsverity_get_info(inode);
	const struct info_rec *r = vi ? find_record(vi) : NULL;

	if (!r)
		return 0;	/* created before the load, or evicted */
	if (r->digest.err)
		return r->digest.err;
	*halg = r->digest.halg;
	memcpy(buf, r->digest.bytes, hash_digest_size[*halg]);
	return hash_digest_size[*halg];
}

#elif !defined(COMPAT_FSVERITY_GET_DIGEST_EXPORTED)

#ifdef COMPAT_CANNOT_CALL_BY_NAME
#error "fsverity_get_digest() is neither exported nor callable by name here"
#endif

typedef int (*fsverity_get_digest_fn)(struct inode *inode,
				      u8 digest[FS_VERITY_MAX_DIGEST_SIZE],
				      enum hash_algo *alg);
static fsverity_get_digest_fn fsverity_get_digest_6_1;

static int digest_init(void)
{
	fsverity_get_digest_6_1 =
		(fsverity_get_digest_fn)ipe_lkm_lookup_name("fsverity_get_digest");
	if (!fsverity_get_digest_6_1) {
		pr_err("cannot find fsverity_get_digest\n");
		return -ENOENT;
	}
	return 0;
}

static void digest_exit(void)
{
}

static int get_digest(struct inode *inode, u8 *buf, enum hash_algo *halg)
{
	int rc = fsverity_get_digest_6_1(inode, buf, halg);

	if (rc == -ENODATA)
		return 0;
	if (rc)
		return rc;
	if (*halg >= HASH_ALGO__LAST)
		return -EINVAL;
	return hash_digest_size[*halg];
}

#else /* COMPAT_FSVERITY_GET_DIGEST_EXPORTED */

static int digest_init(void)
{
	return 0;
}

static void digest_exit(void)
{
}

static int get_digest(struct inode *inode, u8 *buf, enum hash_algo *halg)
{
	u8 fsv_alg;

	return fsverity_get_digest(inode, buf, &fsv_alg, halg);
}

#endif

/**
 * ipe_lkm_fsv_digest() - the fs-verity digest of a verity inode.
 * @inode: the (real) inode.
 * @buf: where to put the digest.
 * @size: bytes at @buf, at least 64 (SHA-512).
 * @alg: the algorithm's name as fs-verity's LSM users see it ("sha256").
 * @len: the digest's length.
 *
 * Context: under rcu_read_lock(); does not sleep.
 * Return: 1 with a digest, 0 when @inode has none (not verity, or its
 * verity info is not loaded), -errno on an inconsistency.
 */
int ipe_lkm_fsv_digest(struct inode *inode, u8 *buf, size_t size,
		       const char **alg, u32 *len)
{
	enum hash_algo halg;
	int rc;

	if (size < SHA512_DIGEST_SIZE)
		return -EINVAL;
	rc = get_digest(inode, buf, &halg);
	if (rc <= 0)
		return rc;
	if (halg >= HASH_ALGO__LAST)
		return -EINVAL;
	*alg = hash_algo_name[halg];
	*len = rc;
	return 1;
}

/* ---------------------------------------------------------------- setup */

IPE_LKM_CALLBACK(on_verify_signature)
IPE_LKM_CALLBACK(on_free_info)
IPE_LKM_CALLBACK(on_cleanup_inode)

static struct ipe_lkm_fn sources[] = {
	IPE_LKM_FN("fsverity_verify_signature", on_verify_signature, false),
	IPE_LKM_FN("fsverity_free_info", on_free_info, false),
	IPE_LKM_FN(COMPAT_FSVERITY_CLEANUP_INODE, on_cleanup_inode, false),
};

/**
 * ipe_lkm_fsv_init() - start observing fs-verity.
 *
 * Context: module init.
 * Return: 0, or the error of the first source that could not be found or
 * attached.
 */
int ipe_lkm_fsv_init(void)
{
	int rc = ipe_lkm_fault("props_fsverity") ? -ENOENT : digest_init();

	if (rc)
		return rc;
	rc = ipe_lkm_attach_all(sources, ARRAY_SIZE(sources));
	if (rc)
		digest_exit();
	return rc;
}

/**
 * ipe_lkm_fsv_exit() - stop observing, forget every record.
 *
 * Context: module exit or init unwinding, the hooks detached.
 */
void ipe_lkm_fsv_exit(void)
{
	ipe_lkm_detach_all(sources, ARRAY_SIZE(sources));
	drop_all_records();
	digest_exit();
}

#ifdef IPE_LKM_FAULT_INJECTION
/* Test builds: the record counts, for tests/vm (records parameter). */
static int get_records(char *buf, const struct kernel_param *kp)
{
	unsigned int n;
	unsigned long ev;

	spin_lock_irq(&rec_lock);
	n = rec_count;
	ev = rec_evicted;
	spin_unlock_irq(&rec_lock);
	return sysfs_emit(buf, "fsverity_signed=%u fsverity_evicted=%lu\n",
			  n, ev);
}

static const struct kernel_param_ops records_ops = { .get = get_records };
module_param_cb(records, &records_ops, NULL, 0400);
#endif
