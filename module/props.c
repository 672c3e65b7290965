// SPDX-License-Identifier: GPL-2.0-only
/*
 * props.c - the trust properties of a file, read without sleeping.
 *
 * boot_verified: the file's mount is the initramfs (rootfs) superblock.
 * fsverity_digest: fsverity_get_digest() on the real inode (compat.c).
 * On kernels with the integrity LSM hooks (6.12), dm-verity announces each
 * device's root hash and signature state at preresume through
 * security_bdev_setintegrity(), and fs-verity a verified built-in signature
 * through security_inode_setintegrity(); ipe_lkm hooks those functions too
 * and keeps what they say per block device and per inode, as upstream
 * keeps it in the LSM blobs, and forgets it when the kernel frees the
 * block device or the inode (security_bdev_free, security_inode_free).
 * Without those hooks (6.1):
 * - dm-verity: the file's block device is looked up as a dm device and the
 *   verity target of its live table asked for its table line (the same
 *   text `dmsetup table` shows): algorithm, root digest, and
 *   root_hash_sig_key_desc when the root hash came with a signature, which
 *   dm-verity verified before the table could be loaded;
 * - fs-verity signatures: fsverity_verify_signature() runs once for every
 *   fsverity_info before it is published, with the signature's size; a
 *   verification failure frees the info.  ipe_lkm hooks it and keeps the
 *   set of infos created with a signature; a later info at the same address
 *   passes through the same function first and so replaces the entry.
 */
#include <linux/blkdev.h>
#include <linux/fs.h>
#include <linux/fsverity.h>
#include <linux/ftrace.h>
#include <linux/hashtable.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <crypto/hash.h>

#include "ipe_lkm.h"

u32 ipe_lkm_unsupported;	/* every property is supported */

static bool on_initramfs(const struct file *file)
{
	/* the one superblock of type "rootfs": it cannot be mounted again */
	return !strcmp(file->f_path.mnt->mnt_sb->s_type->name, "rootfs");
}

/*
 * A set of pointers (inodes on 6.12, fsverity_infos on 6.1) that carry a
 * verified fs-verity signature.  Writers take the lock; readers are under
 * RCU (ipe_lkm_decide).
 */
struct ptr_rec {
	struct hlist_node node;
	struct rcu_head rcu;
	const void *ptr;
};

static DEFINE_SPINLOCK(recs_lock);
static DEFINE_HASHTABLE(signed_set, 10);

static struct ptr_rec *find_signed(const void *ptr)
{
	struct ptr_rec *r;

	hash_for_each_possible_rcu(signed_set, r, node, (unsigned long)ptr) {
		if (r->ptr == ptr)
			return r;
	}
	return NULL;
}

static void set_signed(const void *ptr, bool is_signed)
{
	struct ptr_rec *r = NULL, *old;
	unsigned long flags;

	if (is_signed) {
		r = kzalloc(sizeof(*r), GFP_ATOMIC | __GFP_NOWARN);
		if (!r)
			pr_warn_ratelimited("out of memory: a verified fs-verity signature is not recorded\n");
		else
			r->ptr = ptr;
	}
	spin_lock_irqsave(&recs_lock, flags);
	old = find_signed(ptr);
	if (old) {
		hash_del_rcu(&old->node);
		kfree_rcu(old, rcu);
	}
	if (r)
		hash_add_rcu(signed_set, &r->node, (unsigned long)ptr);
	spin_unlock_irqrestore(&recs_lock, flags);
}

static void drop_all_signed(void)
{
	struct hlist_node *tmp;
	struct ptr_rec *r;
	int bkt;

	spin_lock_irq(&recs_lock);
	hash_for_each_safe(signed_set, bkt, tmp, r, node) {
		hash_del_rcu(&r->node);
		kfree_rcu(r, rcu);
	}
	spin_unlock_irq(&recs_lock);
}

/* A property source: a function observed at entry, never redirected. */
struct source {
	const char *name;
	struct ftrace_ops ops;
	bool registered;
};

#define SOURCE(fn, cb) { .name = fn, .ops = { .func = cb, \
	.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_PERMANENT } }

static unsigned long arg(struct ftrace_regs *fregs, unsigned int n)
{
	return regs_get_kernel_argument(ftrace_get_regs(fregs), n);
}

#ifdef COMPAT_HAVE_SETINTEGRITY

struct bdev_rec {
	struct hlist_node node;
	struct rcu_head rcu;
	const struct block_device *bdev;
	bool has_roothash;
	bool is_signed;
	u32 len;
	char alg[CRYPTO_MAX_ALG_NAME];
	u8 bytes[HASH_MAX_DIGESTSIZE];
};

static DEFINE_HASHTABLE(bdev_recs, 6);

static struct bdev_rec *find_bdev(const struct block_device *bdev)
{
	struct bdev_rec *r;

	hash_for_each_possible_rcu(bdev_recs, r, node, (unsigned long)bdev) {
		if (r->bdev == bdev)
			return r;
	}
	return NULL;
}

/*
 * Replace the record of @bdev by @nr (a copy of the old one, edited), or
 * drop it when @nr is NULL: an allocation failure then forgets the device's
 * trust rather than keeping an outdated one.
 */
static void replace_bdev(const struct block_device *bdev, struct bdev_rec *nr)
{
	struct bdev_rec *old;
	unsigned long flags;

	spin_lock_irqsave(&recs_lock, flags);
	old = find_bdev(bdev);
	if (old) {
		hash_del_rcu(&old->node);
		kfree_rcu(old, rcu);
	}
	if (nr)
		hash_add_rcu(bdev_recs, &nr->node, (unsigned long)bdev);
	spin_unlock_irqrestore(&recs_lock, flags);
}

static void edit_bdev_rec(struct bdev_rec *nr, unsigned int type,
			  const void *value, size_t size)
{
	const struct dm_verity_digest *d = value;

	if (type == LSM_INT_DMVERITY_SIG_VALID) {
		nr->is_signed = value && size > 0;
		return;
	}
	nr->has_roothash = value && d->digest_len <= sizeof(nr->bytes) &&
			   strscpy(nr->alg, d->alg, sizeof(nr->alg)) > 0;
	if (nr->has_roothash) {
		memcpy(nr->bytes, d->digest, d->digest_len);
		nr->len = d->digest_len;
	}
}

/* security_bdev_setintegrity(bdev, type, value, size), at entry */
static void on_bdev_setintegrity(unsigned long ip, unsigned long parent_ip,
				 struct ftrace_ops *ops,
				 struct ftrace_regs *fregs)
{
	struct block_device *bdev = (void *)arg(fregs, 0);
	unsigned int type = arg(fregs, 1);
	struct bdev_rec *nr, *old;

	if (type != LSM_INT_DMVERITY_SIG_VALID &&
	    type != LSM_INT_DMVERITY_ROOTHASH)
		return;
	nr = kzalloc(sizeof(*nr), GFP_ATOMIC | __GFP_NOWARN);
	if (nr) {
		rcu_read_lock();
		old = find_bdev(bdev);
		if (old)
			memcpy(nr, old, sizeof(*nr));
		rcu_read_unlock();
		nr->bdev = bdev;
		edit_bdev_rec(nr, type, (void *)arg(fregs, 2), arg(fregs, 3));
	} else {
		pr_warn_ratelimited("out of memory: forgetting the dm-verity state of %pg\n",
				    bdev);
	}
	replace_bdev(bdev, nr);
}

/* security_inode_setintegrity(inode, type, value, size): a verified sig */
static void on_inode_setintegrity(unsigned long ip, unsigned long parent_ip,
				  struct ftrace_ops *ops,
				  struct ftrace_regs *fregs)
{
	if (arg(fregs, 1) != LSM_INT_FSVERITY_BUILTINSIG_VALID)
		return;
	set_signed((void *)arg(fregs, 0), arg(fregs, 2) && arg(fregs, 3));
}

/* security_bdev_free(bdev) */
static void on_bdev_free(unsigned long ip, unsigned long parent_ip,
			 struct ftrace_ops *ops, struct ftrace_regs *fregs)
{
	struct block_device *bdev = (void *)arg(fregs, 0);
	bool present;

	rcu_read_lock();
	present = find_bdev(bdev);
	rcu_read_unlock();
	if (present)
		replace_bdev(bdev, NULL);
}

static void forget_signed(const void *ptr)
{
	bool present;

	rcu_read_lock();
	present = find_signed(ptr);
	rcu_read_unlock();
	if (present)
		set_signed(ptr, false);
}

/* security_inode_free(inode): runs for every inode; cheap when unknown */
static void on_inode_free(unsigned long ip, unsigned long parent_ip,
			  struct ftrace_ops *ops, struct ftrace_regs *fregs)
{
	forget_signed((void *)arg(fregs, 0));
}

static struct source sources[] = {
	SOURCE("security_bdev_setintegrity", on_bdev_setintegrity),
	SOURCE("security_inode_setintegrity", on_inode_setintegrity),
	SOURCE("security_bdev_free", on_bdev_free),
	SOURCE("security_inode_free", on_inode_free),
};

static int dm_props(struct block_device *bdev, struct ipe_lkm_file_props *fp)
{
	struct bdev_rec *b = find_bdev(bdev);

	if (!b)
		return 0;
	fp->props.dmv_signed = b->is_signed;
	if (b->has_roothash) {
		fp->dmv.alg = b->alg;
		fp->dmv.digest = b->bytes;
		fp->dmv.len = b->len;
		fp->props.dmv_roothash = &fp->dmv;
	}
	return 0;
}

static bool fsv_signed(struct inode *ino)
{
	return find_signed(ino);
}

static int props_init_kernel(void)
{
	return 0;
}

static void props_exit_kernel(void)
{
	struct hlist_node *tmp;
	struct bdev_rec *b;
	int bkt;

	spin_lock_irq(&recs_lock);
	hash_for_each_safe(bdev_recs, bkt, tmp, b, node) {
		hash_del_rcu(&b->node);
		kfree_rcu(b, rcu);
	}
	spin_unlock_irq(&recs_lock);
}

#else /* !COMPAT_HAVE_SETINTEGRITY: 6.1 */

/* fsverity_verify_signature(vi, signature, sig_size), at entry */
static void on_fsverity_verify_signature(unsigned long ip,
					 unsigned long parent_ip,
					 struct ftrace_ops *ops,
					 struct ftrace_regs *fregs)
{
	set_signed((void *)arg(fregs, 0), arg(fregs, 2) > 0);
}

static struct source sources[] = {
	SOURCE("fsverity_verify_signature", on_fsverity_verify_signature),
};

static bool fsv_signed(struct inode *ino)
{
	const struct fsverity_info *vi = fsverity_get_info(ino);

	return vi && find_signed(vi);
}

static int props_init_kernel(void)
{
	return ipe_lkm_dm_init();
}

static void props_exit_kernel(void)
{
}

static int dm_props(struct block_device *bdev, struct ipe_lkm_file_props *fp)
{
	return ipe_lkm_dm_props(bdev, fp);
}

#endif /* COMPAT_HAVE_SETINTEGRITY */

int ipe_lkm_props_init(void)
{
	size_t i;
	int rc;

	rc = props_init_kernel();
	if (rc)
		return rc;
	for (i = 0; i < ARRAY_SIZE(sources); i++) {
		rc = ipe_lkm_ftrace_attach(&sources[i].ops, sources[i].name);
		if (rc) {
			ipe_lkm_props_exit();
			return rc;
		}
		sources[i].registered = true;
	}
	return 0;
}

void ipe_lkm_props_exit(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sources); i++) {
		if (sources[i].registered)
			ipe_lkm_ftrace_detach(&sources[i].ops);
		sources[i].registered = false;
	}
	props_exit_kernel();
	drop_all_signed();
}

/**
 * ipe_lkm_file_props() - the properties of a file, for the engine.
 * @file: the file.
 * @need: the properties the policy tests (ipe_eng_props_used()); the
 *	others are left as "no trust", which cannot change the decision.
 * @fp: filled in; pointers into it and into RCU-protected records.
 *
 * Context: under rcu_read_lock(); does not sleep.
 * Return: 0, or -errno when a property could not be read (the caller
 * denies in enforce mode).
 */
int ipe_lkm_file_props(struct file *file, u32 need,
		       struct ipe_lkm_file_props *fp)
{
	struct inode *ino;
	const char *alg;
	u32 len;
	int rc;

	/* only the engine's view needs zeroing: the rest is filled as used */
	memset(&fp->props, 0, sizeof(fp->props));
	if (need & IPE_ENG_PROPS_BOOT_VERIFIED)
		fp->props.boot_verified = on_initramfs(file);
	if (!(need & (IPE_ENG_PROPS_FSVERITY | IPE_ENG_PROPS_DMVERITY)))
		return 0;
	ino = d_real_inode(file->f_path.dentry);
	if (!ino)
		return 0;

	if ((need & IPE_ENG_PROPS_FSVERITY) && IS_VERITY(ino)) {
		rc = ipe_lkm_fsverity_digest(ino, fp->fsv_bytes,
					     sizeof(fp->fsv_bytes), &alg, &len);
		if (rc < 0)
			return rc;
		if (rc > 0) {
			fp->fsv.alg = alg;
			fp->fsv.digest = fp->fsv_bytes;
			fp->fsv.len = len;
			fp->props.fsv_digest = &fp->fsv;
			fp->props.fsv_signed = fsv_signed(ino);
		}
	}
	if ((need & IPE_ENG_PROPS_DMVERITY) && ino->i_sb->s_bdev)
		return dm_props(ino->i_sb->s_bdev, fp);
	return 0;
}
