// SPDX-License-Identifier: GPL-2.0-only
/*
 * props.c - the trust properties of a file, read without sleeping, from the
 * property sources this kernel has (chosen in Kbuild, one file per family):
 *
 * boot_verified: here; the file's mount is the initramfs (rootfs)
 * superblock.
 *
 * fsverity_digest, fsverity_signature: props_fsverity.c.
 *
 * dmverity_roothash, dmverity_signature: the live table of the file's dm
 * device must be a single verity target over the whole device whose
 * options leave every block verified on every read (no ignore_corruption,
 * ignore_zero_blocks or check_at_most_once); its algorithm, root digest
 * and whether a signature of it was verified come from its table line.
 * props_dm_live.c reads the live table at each decision where dm-mod's
 * helpers can be called by name; props_dm_follow.c follows table loads
 * and resumes elsewhere.
 */
#include <linux/fs.h>
#include <linux/fsverity.h>
#include <linux/mount.h>

#include "ipe_lkm.h"

u32 ipe_lkm_unsupported;	/* every property is supported */

static bool on_initramfs(const struct file *file)
{
	/* the one superblock of type "rootfs": it cannot be mounted again */
	return !strcmp(file->f_path.mnt->mnt_sb->s_type->name, "rootfs");
}

/*
 * dmv_props() - the dm-verity properties of a file on @bdev.
 *
 * A target that does not verify every block on every read has neither.
 */
static int dmv_props(struct block_device *bdev, struct ipe_lkm_file_props *fp,
		     bool *unwatched)
{
	struct ipe_eng_dmv_root root;
	int rc;

	BUILD_BUG_ON(sizeof(fp->dmv_bytes) < sizeof(root.digest));
	BUILD_BUG_ON(sizeof(fp->dmv_alg) < sizeof(root.alg));
	rc = ipe_lkm_fault_read("dmverity_roothash") ? -EIO :
	     ipe_lkm_dm_root(bdev, &root, unwatched);
	if (rc <= 0 || !root.verifies)
		return rc < 0 ? rc : 0;
	memcpy(fp->dmv_bytes, root.digest, root.len);
	strscpy(fp->dmv_alg, root.alg, sizeof(fp->dmv_alg));
	fp->dmv.alg = fp->dmv_alg;
	fp->dmv.digest = fp->dmv_bytes;
	fp->dmv.len = root.len;
	fp->props.dmv_roothash = &fp->dmv;
	fp->props.dmv_signed = root.sig;
	return 0;
}

/* The fs-verity properties of a verity inode. */
static int fsv_props(struct inode *ino, struct ipe_lkm_file_props *fp)
{
	const char *alg;
	u32 len;
	int rc;

	rc = ipe_lkm_fault_read("fsverity_digest") ? -EIO :
	     ipe_lkm_fsv_digest(ino, fp->fsv_bytes, sizeof(fp->fsv_bytes),
				&alg, &len);
	if (rc <= 0)
		return rc;
	fp->fsv.alg = alg;
	fp->fsv.digest = fp->fsv_bytes;
	fp->fsv.len = len;
	fp->props.fsv_digest = &fp->fsv;
	fp->props.fsv_signed = ipe_lkm_fsv_signed(ino);
	return 0;
}

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
	rc = ipe_lkm_fsv_init();
	if (rc)
		return rc;
	rc = ipe_lkm_dm_init();
	if (rc)
		ipe_lkm_fsv_exit();
	return rc;
}

/**
 * ipe_lkm_props_exit() - stop observing, forget every record.
 *
 * Context: module exit or init unwinding, the hooks detached.
 */
void ipe_lkm_props_exit(void)
{
	ipe_lkm_dm_exit();
	ipe_lkm_fsv_exit();
}

/**
 * ipe_lkm_file_props() - the properties of a file, for the engine.
 * @file: the file.
 * @need: the properties the policy tests (ipe_eng_props_used()); the
 *	others are left as "no trust", which cannot change the decision.
 * @fp: filled in; pointers into it and into RCU-protected records.
 * @prop: on error, the property that could not be read.
 * @unwatched: set when a property was read from a source that can change
 *	without ipe_lkm seeing it (a decision on it must not be cached:
 *	cache.c); left alone otherwise.
 *
 * Context: under rcu_read_lock(); does not sleep.
 * Return: 0, or -errno when a property could not be read (the caller
 * denies in enforce mode and audits).
 */
int ipe_lkm_file_props(struct file *file, u32 need,
		       struct ipe_lkm_file_props *fp, const char **prop,
		       bool *unwatched)
{
	struct inode *ino;
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
		rc = fsv_props(ino, fp);
		if (rc) {
			*prop = "fsverity_digest";
			return rc;
		}
	}
	if ((need & IPE_ENG_PROPS_DMVERITY) && ino->i_sb->s_bdev) {
		rc = dmv_props(ino->i_sb->s_bdev, fp, unwatched);
		if (rc) {
			*prop = "dmverity_roothash";
			return rc;
		}
	}
	return 0;
}
