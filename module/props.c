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
 * Without those hooks (6.1) the dm-verity properties and
 * fsverity_signature are not supported yet: like upstream with the
 * matching Kconfig off, neither their TRUE nor their FALSE form matches.
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

u32 ipe_lkm_unsupported;

static bool on_initramfs(const struct file *file)
{
	/* the one superblock of type "rootfs": it cannot be mounted again */
	return !strcmp(file->f_path.mnt->mnt_sb->s_type->name, "rootfs");
}

#ifdef COMPAT_HAVE_SETINTEGRITY

struct bdev_rec {
	struct hlist_node node;
	struct rcu_head rcu;
	const struct block_device *bdev;
	bool has_roothash;
	bool signed_;
	struct ipe_eng_digest digest;
	char alg[CRYPTO_MAX_ALG_NAME];
	u8 bytes[HASH_MAX_DIGESTSIZE];
};

struct inode_rec {
	struct hlist_node node;
	struct rcu_head rcu;
	const struct inode *inode;
};

/* writers take the lock; readers are under RCU (ipe_lkm_decide) */
static DEFINE_SPINLOCK(recs_lock);
static DEFINE_HASHTABLE(bdev_recs, 6);
static DEFINE_HASHTABLE(inode_recs, 10);

static struct bdev_rec *find_bdev(const struct block_device *bdev)
{
	struct bdev_rec *r;

	hash_for_each_possible_rcu(bdev_recs, r, node, (unsigned long)bdev) {
		if (r->bdev == bdev)
			return r;
	}
	return NULL;
}

static struct inode_rec *find_inode(const struct inode *inode)
{
	struct inode_rec *r;

	hash_for_each_possible_rcu(inode_recs, r, node, (unsigned long)inode) {
		if (r->inode == inode)
			return r;
	}
	return NULL;
}

static void drop_bdev_locked(struct bdev_rec *r)
{
	hash_del_rcu(&r->node);
	kfree_rcu(r, rcu);
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
	if (old)
		drop_bdev_locked(old);
	if (nr)
		hash_add_rcu(bdev_recs, &nr->node, (unsigned long)bdev);
	spin_unlock_irqrestore(&recs_lock, flags);
}

struct dm_verity_digest_view {	/* include/linux/dm-verity.h, 6.12 */
	const char *alg;
	const u8 *digest;
	size_t digest_len;
};

/* security_bdev_setintegrity(bdev, type, value, size), at entry */
static void on_bdev_setintegrity(unsigned long ip, unsigned long parent_ip,
				 struct ftrace_ops *ops,
				 struct ftrace_regs *fregs)
{
	struct pt_regs *regs = ftrace_get_regs(fregs);
	struct block_device *bdev = (void *)regs_get_kernel_argument(regs, 0);
	unsigned int type = regs_get_kernel_argument(regs, 1);
	const void *value = (void *)regs_get_kernel_argument(regs, 2);
	size_t size = regs_get_kernel_argument(regs, 3);
	const struct dm_verity_digest_view *d = value;
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
		if (type == LSM_INT_DMVERITY_SIG_VALID) {
			nr->signed_ = value && size > 0;
		} else if (!value || d->digest_len > sizeof(nr->bytes) ||
			   strlen(d->alg) >= sizeof(nr->alg)) {
			nr->has_roothash = false;
		} else {
			nr->has_roothash = true;
			strscpy(nr->alg, d->alg, sizeof(nr->alg));
			memcpy(nr->bytes, d->digest, d->digest_len);
			nr->digest.len = d->digest_len;
		}
	} else {
		pr_warn_ratelimited("out of memory: forgetting the dm-verity state of %pg\n",
				    bdev);
	}
	replace_bdev(bdev, nr);
}

/* security_inode_setintegrity(inode, type, value, size), at entry */
static void on_inode_setintegrity(unsigned long ip, unsigned long parent_ip,
				  struct ftrace_ops *ops,
				  struct ftrace_regs *fregs)
{
	struct pt_regs *regs = ftrace_get_regs(fregs);
	const struct inode *inode = (void *)regs_get_kernel_argument(regs, 0);
	unsigned int type = regs_get_kernel_argument(regs, 1);
	const void *value = (void *)regs_get_kernel_argument(regs, 2);
	size_t size = regs_get_kernel_argument(regs, 3);
	struct inode_rec *r;
	unsigned long flags;

	if (type != LSM_INT_FSVERITY_BUILTINSIG_VALID || !value || !size)
		return;
	r = kzalloc(sizeof(*r), GFP_ATOMIC | __GFP_NOWARN);
	if (!r) {
		pr_warn_ratelimited("out of memory: inode %lu will not count as fs-verity signed\n",
				    inode->i_ino);
		return;
	}
	r->inode = inode;
	spin_lock_irqsave(&recs_lock, flags);
	if (!find_inode(inode))
		hash_add_rcu(inode_recs, &r->node, (unsigned long)inode);
	else
		kfree(r);
	spin_unlock_irqrestore(&recs_lock, flags);
}

/* security_bdev_free(bdev) */
static void on_bdev_free(unsigned long ip, unsigned long parent_ip,
			 struct ftrace_ops *ops, struct ftrace_regs *fregs)
{
	struct pt_regs *regs = ftrace_get_regs(fregs);
	struct block_device *bdev = (void *)regs_get_kernel_argument(regs, 0);
	bool present;

	rcu_read_lock();
	present = find_bdev(bdev);
	rcu_read_unlock();
	if (present)
		replace_bdev(bdev, NULL);
}

/* security_inode_free(inode): runs for every inode, so look before locking */
static void on_inode_free(unsigned long ip, unsigned long parent_ip,
			  struct ftrace_ops *ops, struct ftrace_regs *fregs)
{
	struct pt_regs *regs = ftrace_get_regs(fregs);
	struct inode *inode = (void *)regs_get_kernel_argument(regs, 0);
	struct inode_rec *r;
	unsigned long flags;

	rcu_read_lock();
	r = find_inode(inode);
	rcu_read_unlock();
	if (!r)
		return;
	spin_lock_irqsave(&recs_lock, flags);
	r = find_inode(inode);
	if (r) {
		hash_del_rcu(&r->node);
		kfree_rcu(r, rcu);
	}
	spin_unlock_irqrestore(&recs_lock, flags);
}

#define SOURCE(fn, cb) { .name = fn, .ops = { .func = cb, .flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_PERMANENT } }

static struct {
	const char *name;
	struct ftrace_ops ops;
	bool registered;
} sources[] = {
	SOURCE("security_bdev_setintegrity", on_bdev_setintegrity),
	SOURCE("security_inode_setintegrity", on_inode_setintegrity),
	SOURCE("security_bdev_free", on_bdev_free),
	SOURCE("security_inode_free", on_inode_free),
};

static void fill_from_records(struct inode *ino, struct ipe_lkm_file_props *fp)
{
	struct block_device *bdev = ino->i_sb->s_bdev;
	struct bdev_rec *b = bdev ? find_bdev(bdev) : NULL;

	if (b) {
		fp->props.dmv_signed = b->signed_;
		if (b->has_roothash) {
			fp->dmv.alg = b->alg;
			fp->dmv.digest = b->bytes;
			fp->dmv.len = b->digest.len;
			fp->props.dmv_roothash = &fp->dmv;
		}
	}
	fp->props.fsv_signed = IS_VERITY(ino) && find_inode(ino);
}

int ipe_lkm_props_init(void)
{
	size_t i;
	int rc;

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
	struct bdev_rec *b;
	struct inode_rec *r;
	struct hlist_node *tmp;
	size_t i;
	int bkt;

	for (i = 0; i < ARRAY_SIZE(sources); i++) {
		if (sources[i].registered)
			ipe_lkm_ftrace_detach(&sources[i].ops);
		sources[i].registered = false;
	}
	spin_lock_irq(&recs_lock);
	hash_for_each_safe(bdev_recs, bkt, tmp, b, node)
		drop_bdev_locked(b);
	hash_for_each_safe(inode_recs, bkt, tmp, r, node) {
		hash_del_rcu(&r->node);
		kfree_rcu(r, rcu);
	}
	spin_unlock_irq(&recs_lock);
}

#else /* !COMPAT_HAVE_SETINTEGRITY */

static void fill_from_records(struct inode *ino, struct ipe_lkm_file_props *fp)
{
}

int ipe_lkm_props_init(void)
{
	ipe_lkm_unsupported = BIT(IPE_ENG_PROP_DMV_ROOTHASH) |
			      BIT(IPE_ENG_PROP_DMV_SIG_TRUE) |
			      BIT(IPE_ENG_PROP_DMV_SIG_FALSE) |
			      BIT(IPE_ENG_PROP_FSV_SIG_TRUE) |
			      BIT(IPE_ENG_PROP_FSV_SIG_FALSE);
	pr_info("dmverity_roothash, dmverity_signature and fsverity_signature are not supported on this kernel: rules using them never match\n");
	return 0;
}

void ipe_lkm_props_exit(void)
{
}

#endif /* COMPAT_HAVE_SETINTEGRITY */

/**
 * ipe_lkm_file_props() - the properties of a file, for the engine.
 * @file: the file.
 * @fp: filled in; pointers into it and into RCU-protected records.
 *
 * Context: under rcu_read_lock(); does not sleep.
 * Return: 0, or -errno when a property could not be read (the caller
 * denies in enforce mode).
 */
int ipe_lkm_file_props(struct file *file, struct ipe_lkm_file_props *fp)
{
	struct inode *ino = d_real_inode(file->f_path.dentry);
	const char *alg;
	u32 len;
	int rc;

	memset(fp, 0, sizeof(*fp));
	fp->props.boot_verified = on_initramfs(file);
	if (!ino)
		return 0;

	if (IS_VERITY(ino)) {
		rc = ipe_lkm_fsverity_digest(ino, fp->fsv_bytes,
					     sizeof(fp->fsv_bytes), &alg, &len);
		if (rc < 0)
			return rc;
		if (rc > 0) {
			fp->fsv.alg = alg;
			fp->fsv.digest = fp->fsv_bytes;
			fp->fsv.len = len;
			fp->props.fsv_digest = &fp->fsv;
		}
	}
	fill_from_records(ino, fp);
	return 0;
}
