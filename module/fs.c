// SPDX-License-Identifier: GPL-2.0-only
/*
 * fs.c - upstream IPE's securityfs tree, file for file and errno for errno.
 *
 *   <tree>/success_audit 0600, enforce 0600, new_policy 0200, policies/
 *   <tree>/policies/<name>/pkcs7 policy name version 0444, active 0600,
 *                          update delete 0200, rule_hits 0400
 *
 * new_policy and update take either signed format (docs/policy-formats.md);
 * pkcs7 reads back the blob as written, whichever format, and policy its
 * text.  rule_hits is ipe_lkm's own (docs/module.md): a line per rule and
 * DEFAULT of the policy, in its order, "<line> <hits> <rule>\n".
 *
 * <tree> is "ipe" when that name is free (no built-in IPE), else "ipe_lkm";
 * the module parameter tree= chooses.  Every write checks CAP_MAC_ADMIN of
 * the opener in the initial user namespace; reads check nothing more than
 * the modes; nothing read ends with a newline.
 *
 * Lifetime.  An open file of the tree holds a reference on the module, so
 * delete_module() fails while one is open and no handler runs during or
 * after ipe_lkm_exit() but open() itself, which then fails.  The
 * reference is taken by tree_open(), not through .owner: with .owner the
 * VFS takes it before calling into the module and WARNs when it cannot (an
 * open racing a removal that has passed its point of no return), and a
 * file's dentry held without an open file (a bind mount of it, a lookup in
 * flight) would still lead into the freed module's file_operations.  So
 * every file removed keeps a reference of ours to its dentry until no one
 * else holds it: at runtime in a graveyard pruned as they are released, at
 * exit by waiting.  A dentry removed and released by everyone else cannot
 * be reached again (it is unhashed).
 *
 * Policies belong to policy.c; a directory shows one through its inode's
 * i_private, which is read and written under that inode's lock (shared for
 * reads), and the policy cannot be freed while it is set there.
 */
#include <linux/capability.h>
#include <linux/jiffies.h>
#include <linux/sched.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/security.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "ipe_lkm.h"

char *ipe_lkm_tree_name;

/* The tree's fixed entries: written at init and exit only. */
static struct dentry *root, *policy_root, *nodes[3];

enum {
	F_PKCS7, F_POLICY, F_NAME, F_VERSION, F_ACTIVE, F_UPDATE, F_DELETE,
	F_HITS, __F_MAX
};

/*
 * A policy's directory: in all_nodes from creation to removal, then in
 * buried until everyone else has let go of its files.
 */
struct ipe_lkm_policyfs {
	struct list_head list;
	struct dentry *dir;
	struct dentry *files[__F_MAX];
};

static struct ipe_lkm_policyfs *new_node(const char *name);
static void show_node(struct ipe_lkm_policyfs *fs, struct ipe_lkm_policy *p);
static void del_node(struct ipe_lkm_policyfs *fs);

/* Every file's open and release: the module reference of an open file. */
static int tree_open(struct inode *inode, struct file *f)
{
	/* fails once a removal is under way: the module is then not live */
	if (!try_module_get(THIS_MODULE))
		return -ENODEV;
	return 0;
}

static int tree_release(struct inode *inode, struct file *f)
{
	/* the VFS drops the file's dentry after this: see wait_released() */
	module_put(THIS_MODULE);
	return 0;
}

#define TREE_FOPS(...) { .open = tree_open, .release = tree_release, __VA_ARGS__ }

static bool allowed(struct file *f)
{
	return file_ns_capable(f, &init_user_ns, CAP_MAC_ADMIN);
}

/*
 * A boolean written to enforce, success_audit, active or delete, parsed as
 * the newest kernel's kstrtobool_from_user() does: 5.10's takes neither
 * t/f nor e/d, and ipe_lkm behaves the same on every kernel.
 */
static int bool_from_user(const char __user *data, size_t len, bool *v)
{
	char buf[4];
	size_t n = min(len, sizeof(buf) - 1);

	if (copy_from_user(buf, data, n))
		return -EFAULT;
	buf[n] = '\0';
	switch (buf[0]) {
	case 'e':
	case 'E':
	case 'y':
	case 'Y':
	case 't':
	case 'T':
	case '1':
		*v = true;
		return 0;
	case 'd':
	case 'D':
	case 'n':
	case 'N':
	case 'f':
	case 'F':
	case '0':
		*v = false;
		return 0;
	case 'o':
	case 'O':
		if (buf[1] == 'n' || buf[1] == 'N') {
			*v = true;
			return 0;
		}
		if (buf[1] == 'f' || buf[1] == 'F') {
			*v = false;
			return 0;
		}
		break;
	}
	return -EINVAL;
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
	rc = bool_from_user(data, len, &v);
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
	bool v;
	int rc;

	if (!allowed(f))
		return -EPERM;
	rc = bool_from_user(data, len, &v);
	if (rc)
		return rc;
	ipe_lkm_set_enforce(v);
	return len;
}

/*
 * A policy write, whole: upstream takes a policy from one write().  Either
 * format may be far larger than kmalloc() gives (an appended-signature
 * policy of 100 000 digest rules is ~10 MB), and is kept while the policy
 * is loaded: the engine's allocator for large arrays, which goes to vmalloc
 * rather than round 1.1 MB (10 000 rules) up to a 2 MiB kmalloc().  The
 * NUL after the bytes is for no one but costs nothing.
 */
static u8 *copy_policy(const char __user *data, size_t len)
{
	u8 *copy;

	if (len > IPE_LKM_MAX_POLICY)
		return ERR_PTR(-EMSGSIZE);
	copy = ipe_eng_zalloc_array(len + 1, 1);
	if (!copy)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(copy, data, len)) {
		kvfree(copy);
		return ERR_PTR(-EFAULT);
	}
	copy[len] = '\0';
	return copy;
}

/* new_policy's work; 0 or -errno */
static int add_policy(struct file *f, const char __user *data, size_t len)
{
	struct ipe_lkm_policyfs *fs;
	struct ipe_lkm_policy *p;
	u8 *copy;

	if (!allowed(f))
		return -EPERM;
	copy = copy_policy(data, len);
	if (IS_ERR(copy))
		return PTR_ERR(copy);
	p = ipe_lkm_new_policy(NULL, 0, copy, len);	/* owns copy */
	if (IS_ERR(p))
		return PTR_ERR(p);
	fs = new_node(p->parsed->name);
	if (IS_ERR(fs)) {
		ipe_lkm_free_policy(p);
		return PTR_ERR(fs);
	}
	ipe_lkm_add_policy(p);
	/* before anyone can reach it through the tree and delete it */
	ipe_lkm_audit_policy_load(p);
	show_node(fs, p);
	return 0;
}

/* Every write is audited (1422), a failed one with its errno (6.16). */
static ssize_t new_policy(struct file *f, const char __user *data, size_t len,
			  loff_t *off)
{
	int rc = add_policy(f, data, len);

	if (rc) {
		ipe_lkm_audit_policy_load(ERR_PTR(rc));
		return rc;
	}
	return len;
}

/* The directory inode holding @f, whose i_private is its policy. */
static struct inode *dir_of(const struct file *f)
{
	return d_inode(f->f_path.dentry->d_parent);
}

/* The policy of a directory: its inode lock held, shared or not. */
static struct ipe_lkm_policy *policy_of(struct inode *dir)
{
	lockdep_assert_held(&dir->i_rwsem);
	return dir->i_private;
}

static ssize_t read_policy_field(struct file *f, char __user *data,
				 size_t len, loff_t *off, int field)
{
	struct inode *dir = dir_of(f);
	const struct ipe_lkm_policy *p;
	char ver[sizeof("65535.65535.65535")];
	ssize_t rc;

	inode_lock_shared(dir);
	p = policy_of(dir);
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
	bool active;

	inode_lock_shared(dir);
	p = policy_of(dir);
	active = p && ipe_lkm_is_active(p);
	inode_unlock_shared(dir);
	if (!p)
		return -ENOENT;
	return read_bool(data, len, off, active);
}

/* A "true" write for active and delete: -EPERM, -EINVAL for false. */
static int write_true(struct file *f, const char __user *data, size_t len)
{
	bool v;
	int rc;

	if (!allowed(f))
		return -EPERM;
	rc = bool_from_user(data, len, &v);
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
	p = policy_of(dir);
	rc = p ? ipe_lkm_set_active(p) : -ENOENT;
	inode_unlock(dir);
	return rc ? rc : len;
}

/* update's work; 0 or -errno (a success is audited by policy.c) */
static int replace_policy(struct file *f, const char __user *data, size_t len)
{
	struct inode *dir = dir_of(f);
	struct ipe_lkm_policy *old, *new;
	u8 *copy;
	int rc;

	if (!allowed(f))
		return -EPERM;
	copy = copy_policy(data, len);
	if (IS_ERR(copy))
		return PTR_ERR(copy);
	inode_lock(dir);
	old = policy_of(dir);
	if (!old) {
		kvfree(copy);
		rc = -ENOENT;
		goto out_unlock;
	}
	new = ipe_lkm_new_policy(NULL, 0, copy, len);	/* owns copy */
	if (IS_ERR(new)) {
		rc = PTR_ERR(new);
		goto out_unlock;
	}
	rc = ipe_lkm_replace_policy(old, new);
	if (rc) {
		ipe_lkm_free_policy(new);
		goto out_unlock;
	}
	/* the directory now shows @new; @old is unreachable */
	swap(new->fs, old->fs);
	dir->i_private = new;
	inode_unlock(dir);
	ipe_lkm_free_policy(old);
	return 0;
out_unlock:
	inode_unlock(dir);
	return rc;
}

static ssize_t update_policy(struct file *f, const char __user *data,
			     size_t len, loff_t *off)
{
	int rc = replace_policy(f, data, len);

	if (rc) {
		ipe_lkm_audit_policy_load(ERR_PTR(rc));
		return rc;
	}
	return len;
}

static ssize_t delete_policy(struct file *f, const char __user *data,
			     size_t len, loff_t *off)
{
	struct inode *dir = dir_of(f);
	struct ipe_lkm_policyfs *fs;
	struct ipe_lkm_policy *p;
	int rc;

	rc = write_true(f, data, len);
	if (rc)
		return rc;
	inode_lock(dir);
	p = policy_of(dir);
	rc = p ? ipe_lkm_unlist_policy(p) : -ENOENT;
	if (rc) {
		inode_unlock(dir);
		return rc;
	}
	dir->i_private = NULL;
	fs = p->fs;
	p->fs = NULL;
	inode_unlock(dir);
	/* handlers on fds still open in it now see no policy: -ENOENT */
	del_node(fs);
	ipe_lkm_free_policy(p);
	return len;
}

/*
 * rule_hits, a seq_file: each read() runs start..stop under the directory's
 * inode lock (shared), so the policy cannot go meanwhile.  A read from
 * offset 0 takes the policy the directory shows; a later read of the same
 * open file fails with -ESTALE if another one is shown by then (an
 * update), -ENOENT if none (a delete), as the other files do.
 */
struct hits_iter {
	u64 id;				/* of the policy read from offset 0 */
	struct inode *dir;		/* locked from start to stop */
	const struct ipe_lkm_policy *p;
	loff_t k;
};

static void *hits_at(struct hits_iter *it, loff_t k)
{
	it->k = k;
	return k < ipe_eng_nlisted(it->p->parsed) ? it : NULL;
}

static void *hits_start(struct seq_file *m, loff_t *pos)
{
	struct hits_iter *it = m->private;

	it->dir = dir_of(m->file);
	inode_lock_shared(it->dir);
	it->p = policy_of(it->dir);
	if (!it->p)
		return ERR_PTR(-ENOENT);
	if (!*pos)
		it->id = it->p->id;
	else if (it->id != it->p->id)
		return ERR_PTR(-ESTALE);
	return hits_at(it, *pos);
}

static void *hits_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct hits_iter *it = v;

	return hits_at(it, ++*pos);
}

static void hits_stop(struct seq_file *m, void *v)
{
	struct hits_iter *it = m->private;

	inode_unlock_shared(it->dir);
}

static int hits_show(struct seq_file *m, void *v)
{
	const struct hits_iter *it = v;
	const struct ipe_eng_policy *pp = it->p->parsed;
	u32 slot = ipe_eng_listed_slot(pp, (u32)it->k);
	struct ipe_eng_match match;
	char small[160], *rule = small;
	size_t n;

	ipe_eng_slot_match(pp, slot, &match);
	n = ipe_eng_render_match(&match, IPE_ENG_RENDER_AUDIT, small,
				 sizeof(small));
	if (n >= sizeof(small)) {
		rule = kmalloc(n + 1, GFP_KERNEL);
		if (!rule)
			return -ENOMEM;
		ipe_eng_render_match(&match, IPE_ENG_RENDER_AUDIT, rule, n + 1);
	}
	seq_printf(m, "%u %llu %s\n", ipe_eng_slot_line(pp, slot),
		   ipe_lkm_hits_sum(it->p->hits, slot), rule);
	if (rule != small)
		kfree(rule);
	return 0;
}

static const struct seq_operations hits_seq_ops = {
	.start = hits_start,
	.next = hits_next,
	.stop = hits_stop,
	.show = hits_show,
};

static int hits_open(struct inode *inode, struct file *f)
{
	int rc = tree_open(inode, f);

	if (rc)
		return rc;
	rc = seq_open_private(f, &hits_seq_ops, sizeof(struct hits_iter));
	if (rc)
		tree_release(inode, f);
	return rc;
}

static int hits_release(struct inode *inode, struct file *f)
{
	seq_release_private(inode, f);
	return tree_release(inode, f);
}

static const struct file_operations audit_fops =
	TREE_FOPS(.read = getaudit, .write = setaudit);
static const struct file_operations enforce_fops =
	TREE_FOPS(.read = getenforce, .write = setenforce);
static const struct file_operations np_fops = TREE_FOPS(.write = new_policy);

static const struct {
	const char *name;
	umode_t mode;
	const struct file_operations fops;
} policy_files[__F_MAX] = {
	[F_PKCS7] = { "pkcs7", 0444, TREE_FOPS(.read = read_pkcs7) },
	[F_POLICY] = { "policy", 0444, TREE_FOPS(.read = read_text) },
	[F_NAME] = { "name", 0444, TREE_FOPS(.read = read_name) },
	[F_VERSION] = { "version", 0444, TREE_FOPS(.read = read_ver) },
	[F_ACTIVE] = { "active", 0600,
		       TREE_FOPS(.read = getactive, .write = setactive) },
	[F_UPDATE] = { "update", 0200, TREE_FOPS(.write = update_policy) },
	[F_DELETE] = { "delete", 0200, TREE_FOPS(.write = delete_policy) },
	/* ipe_lkm's own: not in upstream's tree */
	[F_HITS] = { "rule_hits", 0400,
		     { .open = hits_open, .release = hits_release,
		       .read = seq_read, .llseek = seq_lseek } },
};

/*
 * nodes_lock protects all_nodes (every policy directory) and buried (the
 * removed ones whose files someone still holds); taken alone.
 */
static LIST_HEAD(all_nodes);
static LIST_HEAD(buried);
static DEFINE_MUTEX(nodes_lock);

/*
 * Unlink a file and keep a reference to its dentry for the caller, to be
 * let go when everyone else has (released(), wait_released()).
 * securityfs_remove() unlinks it, but while someone holds it (the "delete"
 * being written, a reader's fd) it stays hashed and rmdir of its directory
 * would fail as not empty: invalidate it, as simple_recursive_removal()
 * does.
 */
static void unlink_file(struct dentry *d)
{
	dget(d);
	securityfs_remove(d);
	d_invalidate(d);
}

/* No one but us holds an unlinked file: it cannot be reached any more. */
static bool released(struct dentry *d)
{
	return d_count(d) == 1;
}

/* Exit only: wait until no one else holds an unlinked file, let it go. */
static void wait_released(struct dentry *d)
{
	unsigned int n = 0;

	while (!released(d)) {
		if (++n % 1000 == 0)
			pr_warn("unloading waits for %pd4 to be let go (a bind mount of it?)\n",
				d);
		/* idle: a long wait is no hung task */
		schedule_timeout_idle(msecs_to_jiffies(10));
	}
	dput(d);
}

/*
 * Remove an emptied directory.  Its dentry lives on while a child does
 * (ours, until released): unhash it too, so that it is gone from sight and
 * its name can be made again.
 */
static void unlink_dir(struct dentry *d)
{
	if (IS_ERR_OR_NULL(d))
		return;
	/* securityfs_remove() drops the last reference when no child is held */
	dget(d);
	securityfs_remove(d);
	d_invalidate(d);
	dput(d);
}

/* Unlink a policy directory and its files, keeping the files' dentries. */
static void unlink_node(struct ipe_lkm_policyfs *fs)
{
	int i;

	for (i = __F_MAX - 1; i >= 0; i--) {
		if (fs->files[i])
			unlink_file(fs->files[i]);
	}
	unlink_dir(fs->dir);
}

static void put_node_files(struct ipe_lkm_policyfs *fs)
{
	int i;

	for (i = 0; i < __F_MAX; i++) {
		if (fs->files[i])
			dput(fs->files[i]);
	}
}

/* Let go of every buried directory whose files no one else holds. */
static void prune_buried(void)
{
	struct ipe_lkm_policyfs *fs, *tmp;
	int i;

	lockdep_assert_held(&nodes_lock);
	list_for_each_entry_safe(fs, tmp, &buried, list) {
		for (i = 0; i < __F_MAX; i++) {
			if (fs->files[i] && !released(fs->files[i]))
				break;
		}
		if (i < __F_MAX)
			continue;
		list_del(&fs->list);
		put_node_files(fs);
		kfree(fs);
	}
}

/*
 * del_node() - remove a policy directory no policy is shown in any more.
 * Context: process context, may sleep; not under the directory's lock.
 */
static void del_node(struct ipe_lkm_policyfs *fs)
{
	mutex_lock(&nodes_lock);
	list_del(&fs->list);
	mutex_unlock(&nodes_lock);
	unlink_node(fs);
	mutex_lock(&nodes_lock);
	list_add_tail(&fs->list, &buried);
	prune_buried();
	mutex_unlock(&nodes_lock);
}

/*
 * new_node() - make policies/<name>/, showing no policy yet (its files
 * answer -ENOENT until show_node()).
 * Context: process context, may sleep.
 * Return: the node; ERR_PTR(-EEXIST) (a policy of that name exists),
 * -EACCES or -ENAMETOOLONG (not a directory name), -ENOMEM.
 */
static struct ipe_lkm_policyfs *new_node(const char *name)
{
	struct ipe_lkm_policyfs *fs;
	int i, rc;

	fs = kzalloc(sizeof(*fs), GFP_KERNEL);
	if (!fs)
		return ERR_PTR(-ENOMEM);
	fs->dir = securityfs_create_dir(name, policy_root);
	if (IS_ERR(fs->dir)) {
		rc = PTR_ERR(fs->dir);
		goto out_free;
	}
	for (i = 0; i < __F_MAX; i++) {
		fs->files[i] = securityfs_create_file(policy_files[i].name,
						      policy_files[i].mode,
						      fs->dir, NULL,
						      &policy_files[i].fops);
		if (IS_ERR(fs->files[i])) {
			rc = PTR_ERR(fs->files[i]);
			fs->files[i] = NULL;
			goto out_remove;
		}
	}
	mutex_lock(&nodes_lock);
	list_add_tail(&fs->list, &all_nodes);
	mutex_unlock(&nodes_lock);
	return fs;

out_remove:
	/* no one has seen these files: they are ours alone */
	unlink_node(fs);
	put_node_files(fs);
out_free:
	kfree(fs);
	return ERR_PTR(rc);
}

/* show_node() - show a listed policy in its new directory. */
static void show_node(struct ipe_lkm_policyfs *fs, struct ipe_lkm_policy *p)
{
	struct inode *dir = d_inode(fs->dir);

	inode_lock(dir);
	p->fs = fs;
	dir->i_private = p;
	inode_unlock(dir);
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
 * Return: 0 or -errno; on error nothing of the tree is left behind (the
 * policies stay with policy.c).
 */
int ipe_lkm_fs_init(void)
{
	struct ipe_lkm_policy *ap;
	int rc;

	root = ipe_lkm_fault("fs_root") ? ERR_PTR(-ENOMEM) : make_root();
	if (IS_ERR(root)) {
		rc = PTR_ERR(root);
		root = NULL;
		pr_err("cannot create /sys/kernel/security/%s (%d)\n",
		       ipe_lkm_tree_name ? ipe_lkm_tree_name : "ipe_lkm", rc);
		return rc;
	}
	nodes[0] = securityfs_create_file("success_audit", 0600, root, NULL,
					  &audit_fops);
	nodes[1] = ipe_lkm_fault("fs_enforce") ? ERR_PTR(-ENOMEM) :
		   securityfs_create_file("enforce", 0600, root, NULL,
					  &enforce_fops);
	policy_root = ipe_lkm_fault("fs_policies") ? ERR_PTR(-ENOMEM) :
		      securityfs_create_dir("policies", root);
	if (IS_ERR(nodes[0]) || IS_ERR(nodes[1]) || IS_ERR(policy_root)) {
		rc = -ENOMEM;
		goto err;
	}
	mutex_lock(&ipe_lkm_policy_lock);
	ap = rcu_dereference_protected(ipe_lkm_active_policy,
				       lockdep_is_held(&ipe_lkm_policy_lock));
	mutex_unlock(&ipe_lkm_policy_lock);
	if (ap) {
		struct ipe_lkm_policyfs *fs;

		fs = ipe_lkm_fault("fs_boot_node") ? ERR_PTR(-ENOMEM) :
		     new_node(ap->parsed->name);
		if (IS_ERR(fs)) {
			rc = PTR_ERR(fs);
			goto err;
		}
		show_node(fs, ap);
	}
	nodes[2] = ipe_lkm_fault("fs_new_policy") ? ERR_PTR(-ENOMEM) :
		   securityfs_create_file("new_policy", 0200, root, NULL,
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
 * ipe_lkm_fs_exit() - remove the tree; the policies stay with policy.c.
 *
 * Context: module exit (no tree file is open: each would hold a module
 * reference) or init unwinding; may wait for opens in flight, and for
 * anyone holding a file's dentry, to let go.
 */
void ipe_lkm_fs_exit(void)
{
	struct ipe_lkm_policyfs *fs, *tmp;
	LIST_HEAD(gone);
	int i;

	mutex_lock(&nodes_lock);
	list_splice_init(&all_nodes, &gone);
	list_splice_init(&buried, &gone);
	mutex_unlock(&nodes_lock);
	list_for_each_entry_safe(fs, tmp, &gone, list) {
		struct inode *dir = d_inode(fs->dir);
		struct ipe_lkm_policy *p;

		inode_lock(dir);
		p = policy_of(dir);
		if (p)
			p->fs = NULL;
		dir->i_private = NULL;
		inode_unlock(dir);
		if (!d_unhashed(fs->dir))	/* not buried yet */
			unlink_node(fs);
		for (i = 0; i < __F_MAX; i++) {
			if (fs->files[i])
				wait_released(fs->files[i]);
		}
		list_del(&fs->list);
		kfree(fs);
	}
	for (i = ARRAY_SIZE(nodes) - 1; i >= 0; i--) {
		if (!IS_ERR_OR_NULL(nodes[i])) {
			unlink_file(nodes[i]);
			wait_released(nodes[i]);
		}
		nodes[i] = NULL;
	}
	unlink_dir(policy_root);
	policy_root = NULL;
	unlink_dir(root);
	root = NULL;
}
