// SPDX-License-Identifier: GPL-2.0-only
/*
 * fs.c - upstream IPE's securityfs tree, file for file and errno for errno.
 *
 *   <tree>/success_audit 0600, enforce 0600, new_policy 0200, policies/
 *   <tree>/policies/<name>/pkcs7 policy name version 0444, active 0600,
 *                          update delete 0200
 *
 * new_policy and update take either signed format (docs/policy-formats.md);
 * pkcs7 reads back the blob as written, whichever format, and policy its
 * text.
 *
 * <tree> is "ipe" when that name is free (no built-in IPE), else "ipe_lkm";
 * the module parameter tree= chooses.  Every write checks CAP_MAC_ADMIN of
 * the opener in the initial user namespace; reads check nothing more than
 * the modes; nothing read ends with a newline.
 */
#include <linux/capability.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "ipe_lkm.h"

char *ipe_lkm_tree_name;

static struct dentry *root, *policy_root, *nodes[3];

enum { F_PKCS7, F_POLICY, F_NAME, F_VERSION, F_ACTIVE, F_UPDATE, F_DELETE,
       __F_MAX };

struct ipe_lkm_policyfs {
	struct dentry *dir;
	struct dentry *files[__F_MAX];
};

static bool allowed(struct file *f)
{
	return file_ns_capable(f, &init_user_ns, CAP_MAC_ADMIN);
}

static ssize_t read_bool(char __user *data, size_t len, loff_t *off, bool v)
{
	return simple_read_from_buffer(data, len, off, v ? "1" : "0", 1);
}

static ssize_t getaudit(struct file *f, char __user *data, size_t len,
			loff_t *off)
{
	return read_bool(data, len, off, READ_ONCE(ipe_lkm_success_audit));
}

static ssize_t setaudit(struct file *f, const char __user *data, size_t len,
			loff_t *off)
{
	bool v;
	int rc;

	if (!allowed(f))
		return -EPERM;
	rc = kstrtobool_from_user(data, len, &v);
	if (rc)
		return rc;
	WRITE_ONCE(ipe_lkm_success_audit, v);
	return len;
}

static ssize_t getenforce(struct file *f, char __user *data, size_t len,
			  loff_t *off)
{
	return read_bool(data, len, off, READ_ONCE(ipe_lkm_enforce));
}

static ssize_t setenforce(struct file *f, const char __user *data, size_t len,
			  loff_t *off)
{
	bool v, old;
	int rc;

	if (!allowed(f))
		return -EPERM;
	rc = kstrtobool_from_user(data, len, &v);
	if (rc)
		return rc;
	mutex_lock(&ipe_lkm_policy_lock);
	old = READ_ONCE(ipe_lkm_enforce);
	if (v != old) {
		ipe_lkm_audit_enforce(v, old);
		WRITE_ONCE(ipe_lkm_enforce, v);
		ipe_lkm_pin_update();
	}
	mutex_unlock(&ipe_lkm_policy_lock);
	return len;
}

/*
 * A policy write, whole: upstream takes a policy from one write().  Either
 * format may be far larger than kmalloc() gives (an appended-signature
 * policy of 100 000 digest rules is ~10 MB), hence kvmalloc(); the NUL
 * after the bytes is for no one but costs nothing.
 */
static u8 *copy_policy(const char __user *data, size_t len)
{
	u8 *copy;

	if (len > IPE_LKM_MAX_POLICY)
		return ERR_PTR(-EMSGSIZE);
	copy = kvmalloc(len + 1, GFP_KERNEL);
	if (!copy)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(copy, data, len)) {
		kvfree(copy);
		return ERR_PTR(-EFAULT);
	}
	copy[len] = '\0';
	return copy;
}

static ssize_t new_policy(struct file *f, const char __user *data, size_t len,
			  loff_t *off)
{
	struct ipe_lkm_policy *p;
	u8 *copy;
	int rc;

	if (!allowed(f))
		return -EPERM;
	copy = copy_policy(data, len);
	if (IS_ERR(copy))
		return PTR_ERR(copy);
	p = ipe_lkm_new_policy(NULL, 0, copy, len);	/* owns copy */
	if (IS_ERR(p))
		return PTR_ERR(p);
	rc = ipe_lkm_new_policyfs_node(p);
	if (rc) {
		ipe_lkm_free_policy(p);
		return rc;
	}
	ipe_lkm_audit_policy_load(p);
	return len;
}

/* The policy of the directory holding @f, with the directory locked. */
static struct inode *dir_of(struct file *f)
{
	return d_inode(f->f_path.dentry->d_parent);
}

static ssize_t read_policy_field(struct file *f, char __user *data,
				 size_t len, loff_t *off, int field)
{
	struct inode *dir = dir_of(f);
	const struct ipe_lkm_policy *p;
	char ver[sizeof("65535.65535.65535")];
	ssize_t rc;

	inode_lock_shared(dir);
	p = dir->i_private;
	if (!p) {
		rc = -ENOENT;
		goto out;
	}
	switch (field) {
	case F_PKCS7:
		rc = p->pkcs7 ? simple_read_from_buffer(data, len, off,
							p->pkcs7, p->pkcs7len)
			      : -ENOENT;
		break;
	case F_POLICY:
		rc = simple_read_from_buffer(data, len, off, p->text,
					     p->textlen);
		break;
	case F_NAME:
		rc = simple_read_from_buffer(data, len, off, p->parsed->name,
					     strlen(p->parsed->name));
		break;
	default:
		rc = scnprintf(ver, sizeof(ver), "%hu.%hu.%hu",
			       p->parsed->version[0], p->parsed->version[1],
			       p->parsed->version[2]);
		rc = simple_read_from_buffer(data, len, off, ver, rc);
		break;
	}
out:
	inode_unlock_shared(dir);
	return rc;
}

static ssize_t read_pkcs7(struct file *f, char __user *d, size_t l, loff_t *o)
{
	return read_policy_field(f, d, l, o, F_PKCS7);
}

static ssize_t read_text(struct file *f, char __user *d, size_t l, loff_t *o)
{
	return read_policy_field(f, d, l, o, F_POLICY);
}

static ssize_t read_name(struct file *f, char __user *d, size_t l, loff_t *o)
{
	return read_policy_field(f, d, l, o, F_NAME);
}

static ssize_t read_ver(struct file *f, char __user *d, size_t l, loff_t *o)
{
	return read_policy_field(f, d, l, o, F_VERSION);
}

static ssize_t getactive(struct file *f, char __user *data, size_t len,
			 loff_t *off)
{
	struct inode *dir = dir_of(f);
	const struct ipe_lkm_policy *p;

	inode_lock_shared(dir);
	p = dir->i_private;
	inode_unlock_shared(dir);
	if (!p)
		return -ENOENT;
	return read_bool(data, len, off,
			 p == rcu_access_pointer(ipe_lkm_active_policy));
}

/* A "true" write for active and delete: -EPERM, -EINVAL for false. */
static int write_true(struct file *f, const char __user *data, size_t len)
{
	bool v;
	int rc;

	if (!allowed(f))
		return -EPERM;
	rc = kstrtobool_from_user(data, len, &v);
	if (rc)
		return rc;
	return v ? 0 : -EINVAL;
}

static ssize_t setactive(struct file *f, const char __user *data, size_t len,
			 loff_t *off)
{
	struct inode *dir = dir_of(f);
	struct ipe_lkm_policy *p;
	int rc;

	rc = write_true(f, data, len);
	if (rc)
		return rc;
	inode_lock(dir);
	p = dir->i_private;
	rc = p ? ipe_lkm_set_active(p) : -ENOENT;
	inode_unlock(dir);
	return rc ? rc : len;
}

static ssize_t update_policy(struct file *f, const char __user *data,
			     size_t len, loff_t *off)
{
	struct inode *dir = dir_of(f);
	u8 *copy;
	int rc;

	if (!allowed(f))
		return -EPERM;
	copy = copy_policy(data, len);
	if (IS_ERR(copy))
		return PTR_ERR(copy);
	inode_lock(dir);
	rc = ipe_lkm_update_policy(dir, copy, len);	/* owns copy */
	inode_unlock(dir);
	return rc ? rc : len;
}

static ssize_t delete_policy(struct file *f, const char __user *data,
			     size_t len, loff_t *off)
{
	struct inode *dir = dir_of(f);
	struct ipe_lkm_policy *p;
	int rc;

	rc = write_true(f, data, len);
	if (rc)
		return rc;
	inode_lock(dir);
	p = dir->i_private;
	if (!p) {
		inode_unlock(dir);
		return -ENOENT;
	}
	mutex_lock(&ipe_lkm_policy_lock);
	if (p == rcu_access_pointer(ipe_lkm_active_policy)) {
		mutex_unlock(&ipe_lkm_policy_lock);
		inode_unlock(dir);
		return -EPERM;
	}
	mutex_unlock(&ipe_lkm_policy_lock);
	dir->i_private = NULL;
	inode_unlock(dir);
	synchronize_rcu();
	ipe_lkm_free_policy(p);
	return len;
}

static const struct file_operations audit_fops = {
	.read = getaudit, .write = setaudit,
};
static const struct file_operations enforce_fops = {
	.read = getenforce, .write = setenforce,
};
static const struct file_operations np_fops = { .write = new_policy };

static const struct {
	const char *name;
	umode_t mode;
	const struct file_operations fops;
} policy_files[__F_MAX] = {
	[F_PKCS7] = { "pkcs7", 0444, { .read = read_pkcs7 } },
	[F_POLICY] = { "policy", 0444, { .read = read_text } },
	[F_NAME] = { "name", 0444, { .read = read_name } },
	[F_VERSION] = { "version", 0444, { .read = read_ver } },
	[F_ACTIVE] = { "active", 0600, { .read = getactive, .write = setactive } },
	[F_UPDATE] = { "update", 0200, { .write = update_policy } },
	[F_DELETE] = { "delete", 0200, { .write = delete_policy } },
};

/* The policy directories, for removing them at unload. */
static LIST_HEAD(all_nodes);
static DEFINE_MUTEX(nodes_lock);

struct node_entry {
	struct list_head list;
	struct ipe_lkm_policyfs *fs;
};

/*
 * securityfs_remove() unlinks a file, but a file still open (the "delete"
 * being written, a reader's fd) keeps its dentry hashed, and rmdir of the
 * directory then fails as not empty: invalidate each one, holding our own
 * reference across, as simple_recursive_removal() does.
 */
static void remove_file(struct dentry *d)
{
	if (IS_ERR_OR_NULL(d))
		return;
	dget(d);
	securityfs_remove(d);
	d_invalidate(d);
	dput(d);
}

static void remove_node(struct ipe_lkm_policyfs *fs)
{
	int i;

	for (i = __F_MAX - 1; i >= 0; i--)
		remove_file(fs->files[i]);
	securityfs_remove(fs->dir);
}

/**
 * ipe_lkm_del_policyfs_node() - remove a policy's directory, if it has one.
 * @p: the policy.
 *
 * Context: process context, may sleep; not under the directory's lock.
 */
void ipe_lkm_del_policyfs_node(struct ipe_lkm_policy *p)
{
	struct node_entry *e, *tmp;

	if (!p->fs)
		return;
	mutex_lock(&nodes_lock);
	list_for_each_entry_safe(e, tmp, &all_nodes, list) {
		if (e->fs == p->fs) {
			list_del(&e->list);
			kfree(e);
		}
	}
	mutex_unlock(&nodes_lock);
	remove_node(p->fs);
	kfree(p->fs);
	p->fs = NULL;
}

/**
 * ipe_lkm_new_policyfs_node() - make policies/<name>/ for a policy.
 * @p: the policy.
 *
 * Context: process context, may sleep.
 * Return: 0; -EEXIST (a policy of that name exists), -EACCES or
 * -ENAMETOOLONG (not a directory name), -ENOMEM.
 */
int ipe_lkm_new_policyfs_node(struct ipe_lkm_policy *p)
{
	struct ipe_lkm_policyfs *fs;
	struct node_entry *e;
	struct inode *dir;
	int i, rc;

	fs = kzalloc(sizeof(*fs), GFP_KERNEL);
	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!fs || !e) {
		rc = -ENOMEM;
		goto err_free;
	}
	fs->dir = securityfs_create_dir(p->parsed->name, policy_root);
	if (IS_ERR(fs->dir)) {
		rc = PTR_ERR(fs->dir);
		goto err_free;
	}
	for (i = 0; i < __F_MAX; i++) {
		fs->files[i] = securityfs_create_file(policy_files[i].name,
						      policy_files[i].mode,
						      fs->dir, NULL,
						      &policy_files[i].fops);
		if (IS_ERR(fs->files[i])) {
			rc = PTR_ERR(fs->files[i]);
			fs->files[i] = NULL;
			remove_node(fs);
			goto err_free;
		}
	}
	dir = d_inode(fs->dir);
	inode_lock(dir);
	p->fs = fs;
	dir->i_private = p;
	inode_unlock(dir);

	e->fs = fs;
	mutex_lock(&nodes_lock);
	list_add_tail(&e->list, &all_nodes);
	mutex_unlock(&nodes_lock);
	return 0;

err_free:
	kfree(e);
	kfree(fs);
	return rc;
}

static struct dentry *make_root(void)
{
	struct dentry *d;

	if (ipe_lkm_tree_name && *ipe_lkm_tree_name)
		return securityfs_create_dir(ipe_lkm_tree_name, NULL);
	d = securityfs_create_dir("ipe", NULL);
	if (!IS_ERR(d) || PTR_ERR(d) != -EEXIST) {
		ipe_lkm_tree_name = "ipe";
		return d;
	}
	ipe_lkm_tree_name = "ipe_lkm";
	return securityfs_create_dir("ipe_lkm", NULL);
}

/**
 * ipe_lkm_fs_init() - create the tree, and the active boot policy's node.
 *
 * Context: module init.
 * Return: 0 or -errno; on error nothing is left behind.
 */
int ipe_lkm_fs_init(void)
{
	struct ipe_lkm_policy *ap;
	int rc;

	root = make_root();
	if (IS_ERR(root)) {
		rc = PTR_ERR(root);
		root = NULL;
		pr_err("cannot create /sys/kernel/security/%s (%d)\n",
		       ipe_lkm_tree_name ? ipe_lkm_tree_name : "ipe_lkm", rc);
		return rc;
	}
	nodes[0] = securityfs_create_file("success_audit", 0600, root, NULL,
					  &audit_fops);
	nodes[1] = securityfs_create_file("enforce", 0600, root, NULL,
					  &enforce_fops);
	policy_root = securityfs_create_dir("policies", root);
	if (IS_ERR(nodes[0]) || IS_ERR(nodes[1]) || IS_ERR(policy_root)) {
		rc = -ENOMEM;
		goto err;
	}
	ap = rcu_dereference_protected(ipe_lkm_active_policy, true);
	if (ap) {
		rc = ipe_lkm_new_policyfs_node(ap);
		if (rc)
			goto err;
	}
	nodes[2] = securityfs_create_file("new_policy", 0200, root, NULL,
					  &np_fops);
	if (IS_ERR(nodes[2])) {
		rc = PTR_ERR(nodes[2]);
		goto err;
	}
	pr_info("policy interface at /sys/kernel/security/%s\n",
		ipe_lkm_tree_name);
	return 0;
err:
	ipe_lkm_fs_exit();
	return rc;
}

/**
 * ipe_lkm_fs_exit() - remove the tree and free every policy in it.
 *
 * Context: module exit or init failure; no policy is active any more.
 */
void ipe_lkm_fs_exit(void)
{
	struct node_entry *e;
	int i;

	for (;;) {
		struct ipe_lkm_policy *p;
		struct inode *dir;

		mutex_lock(&nodes_lock);
		e = list_first_entry_or_null(&all_nodes, struct node_entry,
					     list);
		mutex_unlock(&nodes_lock);
		if (!e)
			break;
		dir = d_inode(e->fs->dir);
		inode_lock(dir);
		p = dir->i_private;
		dir->i_private = NULL;
		inode_unlock(dir);
		if (p) {
			ipe_lkm_free_policy(p);	/* removes e from the list */
			continue;
		}
		mutex_lock(&nodes_lock);
		list_del(&e->list);
		mutex_unlock(&nodes_lock);
		remove_node(e->fs);
		kfree(e->fs);
		kfree(e);
	}
	for (i = ARRAY_SIZE(nodes) - 1; i >= 0; i--) {
		if (!IS_ERR_OR_NULL(nodes[i]))
			securityfs_remove(nodes[i]);
		nodes[i] = NULL;
	}
	if (!IS_ERR_OR_NULL(policy_root))
		securityfs_remove(policy_root);
	policy_root = NULL;
	securityfs_remove(root);
	root = NULL;
}
