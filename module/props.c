// SPDX-License-Identifier: GPL-2.0-only
/*
 * props.c - the trust properties of a file, read without sleeping.
 *
 * boot_verified: the file's mount is the initramfs (rootfs) superblock.
 *
 * fsverity_digest: fsverity_get_digest() on the real inode (compat.c).
 *
 * fsverity_signature: fsverity_verify_signature() runs for every
 * fsverity_info before it is published on an inode, with the built-in
 * signature's size, and a failed verification frees the info.  ipe_lkm
 * observes it and keeps the set of infos created with a signature, so the
 * mark belongs to the content that was verified: an enable that fails
 * after verifying (ENOSPC writing the descriptor) frees its info, and a
 * later unsigned enable creates another one.  The set is pruned when an
 * info is freed and is bounded (SIGNED_MAX): an info evicted from a full
 * set counts as unsigned, never the other way round.
 *
 * dmverity_roothash, dmverity_signature: the live table of the file's dm
 * device must be a single verity target over the whole device whose
 * options leave every block verified on every read (no ignore_corruption,
 * ignore_zero_blocks or check_at_most_once); its algorithm, root digest
 * and whether a signature of it was verified come from its table line.
 * Where dm-mod's live-table helpers can be called (compat.c), the table is
 * read at each decision.  Elsewhere (kernels with IBT) the module follows
 * the tables: it reads a verity target's line when a table is loaded
 * (dm_table_add_target()), forgets the table when it is destroyed, and
 * when a table is resumed as a device's live table (dm_table_resume_targets(),
 * before any I/O reaches it) the device takes that table's trust, or none.
 * A device whose table was loaded before the module is untrusted until
 * its table is loaded again (`ipectl load` does that).
 *
 * Every record is read under RCU by the hooks and written under its
 * spinlock by the callbacks below, which run with preemption disabled and
 * allocate with GFP_ATOMIC; an allocation failure loses trust, never
 * gains it.
 */
#include <linux/blkdev.h>
#include <linux/device-mapper.h>
#include <linux/fs.h>
#include <linux/fsverity.h>
#include <linux/hashtable.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "ipe_lkm.h"

u32 ipe_lkm_unsupported;	/* every property is supported */

static bool on_initramfs(const struct file *file)
{
	/* the one superblock of type "rootfs": it cannot be mounted again */
	return !strcmp(file->f_path.mnt->mnt_sb->s_type->name, "rootfs");
}

static unsigned long arg(struct pt_regs *regs, unsigned int n)
{
	return regs_get_kernel_argument(regs, n);
}

/* ---------------------------------------------------- fs-verity signatures */

/*
 * At most this many signed fsverity_infos are remembered at once (test
 * builds can lower it, to show what eviction does).
 */
#define SIGNED_MAX 65536
#ifdef IPE_LKM_FAULT_INJECTION
static unsigned int signed_max = SIGNED_MAX;
module_param(signed_max, uint, 0400);
#else
#define signed_max SIGNED_MAX
#endif

struct sig_rec {
	struct hlist_node node;		/* in signed_set */
	struct list_head age;		/* in signed_age, oldest first */
	struct rcu_head rcu;
	const struct fsverity_info *vi;
};

/*
 * sig_lock protects signed_set, signed_age and the counters; readers of
 * signed_set hold rcu_read_lock() instead.  Taken with interrupts off, alone.
 */
static DEFINE_SPINLOCK(sig_lock);
static DEFINE_HASHTABLE(signed_set, 10);
static LIST_HEAD(signed_age);
static unsigned int signed_count;
static unsigned long signed_evicted;

static struct sig_rec *find_signed(const struct fsverity_info *vi)
{
	struct sig_rec *r;

	hash_for_each_possible_rcu(signed_set, r, node, (unsigned long)vi,
				   lockdep_is_held(&sig_lock)) {
		if (r->vi == vi)
			return r;
	}
	return NULL;
}

static void drop_signed(struct sig_rec *r)
{
	lockdep_assert_held(&sig_lock);
	hash_del_rcu(&r->node);
	list_del(&r->age);
	signed_count--;
	kfree_rcu(r, rcu);
}

/* An info is being created, with or without a signature to verify. */
static void set_signed(const struct fsverity_info *vi, bool is_signed)
{
	struct sig_rec *r = NULL, *old;
	unsigned long flags;

	if (is_signed) {
		r = kzalloc(sizeof(*r), GFP_ATOMIC | __GFP_NOWARN);
		if (!r)
			pr_warn_ratelimited("out of memory: a verified fs-verity signature is not recorded\n");
		else
			r->vi = vi;
	}
	spin_lock_irqsave(&sig_lock, flags);
	old = find_signed(vi);
	if (old)
		drop_signed(old);
	if (r) {
		if (signed_count >= signed_max && signed_count) {
			drop_signed(list_first_entry(&signed_age,
						     struct sig_rec, age));
			signed_evicted++;
		}
		hash_add_rcu(signed_set, &r->node, (unsigned long)vi);
		list_add_tail(&r->age, &signed_age);
		signed_count++;
	}
	spin_unlock_irqrestore(&sig_lock, flags);
}

/* An info is freed: cheap when it is not in the set (most are not). */
static void forget_signed(const struct fsverity_info *vi)
{
	struct sig_rec *r;
	unsigned long flags;
	bool present;

	if (!vi)
		return;
	rcu_read_lock();
	present = find_signed(vi);
	rcu_read_unlock();
	if (!present)
		return;
	spin_lock_irqsave(&sig_lock, flags);
	r = find_signed(vi);
	if (r)
		drop_signed(r);
	spin_unlock_irqrestore(&sig_lock, flags);
}

static void drop_all_signed(void)
{
	struct sig_rec *r, *tmp;

	spin_lock_irq(&sig_lock);
	list_for_each_entry_safe(r, tmp, &signed_age, age)
		drop_signed(r);
	spin_unlock_irq(&sig_lock);
}

/* fsverity_verify_signature(vi, signature, sig_size), at entry */
static void on_verify_signature(struct pt_regs *regs)
{
	set_signed((void *)arg(regs, 0), arg(regs, 2) > 0);
}

/* fsverity_free_info(vi): also the infos that never reached an inode */
static void on_free_info(struct pt_regs *regs)
{
	forget_signed((void *)arg(regs, 0));
}

/* [__]fsverity_cleanup_inode(inode): an inode is evicted (compat.h) */
static void on_cleanup_inode(struct pt_regs *regs)
{
	forget_signed(fsverity_get_info((struct inode *)arg(regs, 0)));
}

/* Context: under rcu_read_lock(). */
static bool fsv_signed(struct inode *ino)
{
	const struct fsverity_info *vi = fsverity_get_info(ino);

	return vi && find_signed(vi);
}

/* ------------------------------------------------------------- dm-verity */

/*
 * dmv_root_props() - the dm-verity properties a table line gives.
 * @root: what the line says.
 * @fp: where to fill in dmverity_roothash and dmverity_signature.
 *
 * A target that does not verify every block on every read has neither.
 */
static int dmv_root_props(const struct ipe_eng_dmv_root *root,
			  struct ipe_lkm_file_props *fp)
{
	BUILD_BUG_ON(sizeof(fp->dmv_bytes) < sizeof(root->digest));
	BUILD_BUG_ON(sizeof(fp->dmv_alg) < sizeof(root->alg));
	if (!root->verifies)
		return 0;
	memcpy(fp->dmv_bytes, root->digest, root->len);
	strscpy(fp->dmv_alg, root->alg, sizeof(fp->dmv_alg));
	fp->dmv.alg = fp->dmv_alg;
	fp->dmv.digest = fp->dmv_bytes;
	fp->dmv.len = root->len;
	fp->props.dmv_roothash = &fp->dmv;
	fp->props.dmv_signed = root->sig;
	return 0;
}

#ifdef COMPAT_DM_LIVE_TABLE

static int dm_init(void)
{
	return ipe_lkm_dm_init();
}

static void dm_exit(void)
{
}

static int dm_props(struct block_device *bdev, struct ipe_lkm_file_props *fp)
{
	struct ipe_eng_dmv_root root;
	int rc = ipe_lkm_dm_live_root(bdev, &root);

	return rc > 0 ? dmv_root_props(&root, fp) : rc;
}

#else /* !COMPAT_DM_LIVE_TABLE: follow table loads and resumes */

/* The verity target of a table being loaded, as its line says. */
struct table_rec {
	struct hlist_node node;
	struct rcu_head rcu;
	const struct dm_table *t;
	sector_t start, len;
	unsigned int verity_targets;	/* more than one: not a verity device */
	int err;			/* its line could not be read */
	struct ipe_eng_dmv_root root;
};

/* What a dm device's live table says. */
struct bdev_rec {
	struct hlist_node node;
	struct rcu_head rcu;
	const struct block_device *bdev;
	int err;
	struct ipe_eng_dmv_root root;
};

/*
 * dm_lock protects table_recs and bdev_recs; the hooks read bdev_recs
 * under rcu_read_lock().  Taken with interrupts off (bdevs are freed from
 * an RCU callback), alone.
 */
static DEFINE_SPINLOCK(dm_lock);
static DEFINE_HASHTABLE(table_recs, 6);
static DEFINE_HASHTABLE(bdev_recs, 6);

static struct table_rec *find_table(const struct dm_table *t)
{
	struct table_rec *r;

	hash_for_each_possible_rcu(table_recs, r, node, (unsigned long)t,
				   lockdep_is_held(&dm_lock)) {
		if (r->t == t)
			return r;
	}
	return NULL;
}

static struct bdev_rec *find_bdev(const struct block_device *bdev)
{
	struct bdev_rec *r;

	hash_for_each_possible_rcu(bdev_recs, r, node, (unsigned long)bdev,
				   lockdep_is_held(&dm_lock)) {
		if (r->bdev == bdev)
			return r;
	}
	return NULL;
}

/* dm_table_add_target(t, type, start, len, params), at entry */
static void on_table_add_target(struct pt_regs *regs)
{
	const struct dm_table *t = (void *)arg(regs, 0);
	const char *type = (const char *)arg(regs, 1);
	const char *params = (const char *)arg(regs, 4);
	struct table_rec *r, *old;
	unsigned long flags;

	if (strncmp(type, "verity", sizeof("verity")))
		return;
	r = kzalloc(sizeof(*r), GFP_ATOMIC | __GFP_NOWARN);
	if (!r) {
		/* no record: the table will count as not dm-verity */
		pr_warn_ratelimited("out of memory: a dm-verity table is not recorded\n");
		return;
	}
	r->t = t;
	r->start = arg(regs, 2);
	r->len = arg(regs, 3);
	r->verity_targets = 1;
	r->err = ipe_eng_dmv_parse_table(params, strlen(params), &r->root);
	spin_lock_irqsave(&dm_lock, flags);
	old = find_table(t);
	if (old) {
		old->verity_targets++;	/* the kernel refuses it anyway */
		kfree(r);
	} else {
		hash_add_rcu(table_recs, &r->node, (unsigned long)t);
	}
	spin_unlock_irqrestore(&dm_lock, flags);
}

/* dm_table_destroy(t), at entry */
static void on_table_destroy(struct pt_regs *regs)
{
	const struct dm_table *t = (void *)arg(regs, 0);
	struct table_rec *r;
	unsigned long flags;

	spin_lock_irqsave(&dm_lock, flags);
	r = find_table(t);
	if (r) {
		hash_del_rcu(&r->node);
		kfree_rcu(r, rcu);
	}
	spin_unlock_irqrestore(&dm_lock, flags);
}

/*
 * The device's record becomes @nr (NULL: none).  A reader sees the old or
 * the new one, never neither: a table resumed again with the same trust
 * must not leave a moment without it.
 */
static void set_bdev(const struct block_device *bdev, struct bdev_rec *nr)
{
	struct bdev_rec *old;
	unsigned long flags;

	spin_lock_irqsave(&dm_lock, flags);
	old = find_bdev(bdev);
	if (old && nr)
		hlist_replace_rcu(&old->node, &nr->node);
	else if (old)
		hash_del_rcu(&old->node);
	else if (nr)
		hash_add_rcu(bdev_recs, &nr->node, (unsigned long)bdev);
	spin_unlock_irqrestore(&dm_lock, flags);
	if (old)
		kfree_rcu(old, rcu);
}

/*
 * dm_table_resume_targets(t), at entry: @t is its device's live table and
 * is about to receive I/O.  The device takes @t's trust: a single verity
 * target over the whole device, or nothing.
 */
static void on_table_resume(struct pt_regs *regs)
{
	struct dm_table *t = (void *)arg(regs, 0);
	const struct block_device *bdev;
	struct bdev_rec *nr = NULL;
	struct table_rec *r;

	bdev = dm_disk(dm_table_get_md(t))->part0;
	rcu_read_lock();
	r = find_table(t);
	if (r && r->verity_targets == 1 && !r->start &&
	    r->len == dm_table_get_size(t)) {
		nr = kzalloc(sizeof(*nr), GFP_ATOMIC | __GFP_NOWARN);
		if (nr) {
			nr->bdev = bdev;
			nr->err = r->err;
			nr->root = r->root;
		} else {
			pr_warn_ratelimited("out of memory: forgetting the dm-verity state of %pg\n",
					    bdev);
		}
	}
	rcu_read_unlock();
	set_bdev(bdev, nr);
}

/* security_bdev_free(bdev) */
static void on_bdev_free(struct pt_regs *regs)
{
	struct block_device *bdev = (void *)arg(regs, 0);
	bool present;

	rcu_read_lock();
	present = find_bdev(bdev);
	rcu_read_unlock();
	if (present)
		set_bdev(bdev, NULL);
}

static struct ipe_lkm_fn dm_sources[] = {
	IPE_LKM_FN("dm_table_add_target", on_table_add_target, false),
	IPE_LKM_FN("dm_table_destroy", on_table_destroy, false),
	IPE_LKM_FN("dm_table_resume_targets", on_table_resume, false),
	IPE_LKM_FN("security_bdev_free", on_bdev_free, false),
};

static int dm_init(void)
{
	return ipe_lkm_attach_all(dm_sources, ARRAY_SIZE(dm_sources));
}

static void dm_exit(void)
{
	struct hlist_node *tmp;
	struct table_rec *t;
	struct bdev_rec *b;
	int bkt;

	ipe_lkm_detach_all(dm_sources, ARRAY_SIZE(dm_sources));
	spin_lock_irq(&dm_lock);
	hash_for_each_safe(table_recs, bkt, tmp, t, node) {
		hash_del_rcu(&t->node);
		kfree_rcu(t, rcu);
	}
	hash_for_each_safe(bdev_recs, bkt, tmp, b, node) {
		hash_del_rcu(&b->node);
		kfree_rcu(b, rcu);
	}
	spin_unlock_irq(&dm_lock);
}

/* Context: under rcu_read_lock(). */
static int dm_props(struct block_device *bdev, struct ipe_lkm_file_props *fp)
{
	const struct bdev_rec *b = find_bdev(bdev);

	if (!b)
		return 0;
	if (b->err)
		return b->err;
	return dmv_root_props(&b->root, fp);
}

#endif /* COMPAT_DM_LIVE_TABLE */

/* ---------------------------------------------------------------- setup */

static struct ipe_lkm_fn fsv_sources[] = {
	IPE_LKM_FN("fsverity_verify_signature", on_verify_signature, false),
	IPE_LKM_FN("fsverity_free_info", on_free_info, false),
	IPE_LKM_FN(COMPAT_FSVERITY_CLEANUP_INODE, on_cleanup_inode, false),
};

/**
 * ipe_lkm_props_init() - start observing the property sources.
 *
 * Context: module init.
 * Return: 0, or the error of the first source that could not be attached.
 */
int ipe_lkm_props_init(void)
{
	int rc;

	if (ipe_lkm_fault("props"))
		return -ENOENT;
	rc = ipe_lkm_attach_all(fsv_sources, ARRAY_SIZE(fsv_sources));
	if (rc)
		return rc;
	rc = dm_init();
	if (rc)
		ipe_lkm_detach_all(fsv_sources, ARRAY_SIZE(fsv_sources));
	return rc;
}

/**
 * ipe_lkm_props_exit() - stop observing, forget every record.
 *
 * Context: module exit or init unwinding, the hooks detached.
 */
void ipe_lkm_props_exit(void)
{
	dm_exit();
	ipe_lkm_detach_all(fsv_sources, ARRAY_SIZE(fsv_sources));
	drop_all_signed();
}

/**
 * ipe_lkm_file_props() - the properties of a file, for the engine.
 * @file: the file.
 * @need: the properties the policy tests (ipe_eng_props_used()); the
 *	others are left as "no trust", which cannot change the decision.
 * @fp: filled in; pointers into it and into RCU-protected records.
 * @prop: on error, the property that could not be read.
 *
 * Context: under rcu_read_lock(); does not sleep.
 * Return: 0, or -errno when a property could not be read (the caller
 * denies in enforce mode and audits).
 */
int ipe_lkm_file_props(struct file *file, u32 need,
		       struct ipe_lkm_file_props *fp, const char **prop)
{
	struct inode *ino;
	const char *alg;
	u32 len;
	int rc;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "ipe_lkm_file_props() outside RCU");
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
		rc = ipe_lkm_fault_read("fsverity_digest") ? -EIO :
		     ipe_lkm_fsverity_digest(ino, fp->fsv_bytes,
					     sizeof(fp->fsv_bytes), &alg, &len);
		if (rc < 0) {
			*prop = "fsverity_digest";
			return rc;
		}
		if (rc > 0) {
			fp->fsv.alg = alg;
			fp->fsv.digest = fp->fsv_bytes;
			fp->fsv.len = len;
			fp->props.fsv_digest = &fp->fsv;
			fp->props.fsv_signed = fsv_signed(ino);
		}
	}
	if ((need & IPE_ENG_PROPS_DMVERITY) && ino->i_sb->s_bdev) {
		rc = ipe_lkm_fault_read("dmverity_roothash") ? -EIO :
		     dm_props(ino->i_sb->s_bdev, fp);
		if (rc) {
			*prop = "dmverity_roothash";
			return rc;
		}
	}
	return 0;
}

#ifdef IPE_LKM_FAULT_INJECTION
/* Test builds: the record counts, for tests/vm (records parameter). */
static int get_records(char *buf, const struct kernel_param *kp)
{
	unsigned int n;
	unsigned long ev;

	spin_lock_irq(&sig_lock);
	n = signed_count;
	ev = signed_evicted;
	spin_unlock_irq(&sig_lock);
	return sysfs_emit(buf, "fsverity_signed=%u fsverity_evicted=%lu\n",
			  n, ev);
}

static const struct kernel_param_ops records_ops = { .get = get_records };
module_param_cb(records, &records_ops, NULL, 0400);
#endif
